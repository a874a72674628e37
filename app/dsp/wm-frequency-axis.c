/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "wm-frequency-axis.h"
#include "wm-spectrogram.h"

double
wm_hz_to_mel (double hz)
{
  return 2595.0 * log10 (1.0 + hz / 700.0);
}

double
wm_mel_to_hz (double mel)
{
  return 700.0 * (pow (10.0, mel / 2595.0) - 1.0);
}

/* The scale's coordinate: rows are linear in it. */
static double
warp (WmFrequencyScale scale,
      double           hz)
{
  switch (scale)
    {
    case WM_FREQUENCY_SCALE_LOG:
      return log (hz);
    case WM_FREQUENCY_SCALE_MEL:
      return wm_hz_to_mel (hz);
    case WM_FREQUENCY_SCALE_LINEAR:
    default:
      return hz;
    }
}

static double
unwarp (WmFrequencyScale scale,
        double           value)
{
  switch (scale)
    {
    case WM_FREQUENCY_SCALE_LOG:
      return exp (value);
    case WM_FREQUENCY_SCALE_MEL:
      return wm_mel_to_hz (value);
    case WM_FREQUENCY_SCALE_LINEAR:
    default:
      return value;
    }
}

gboolean
wm_frequency_axis_init (WmFrequencyAxis   *axis,
                        WmFrequencyScale   scale,
                        double             min_hz,
                        double             max_hz,
                        guint              height,
                        GError           **error)
{
  g_return_val_if_fail (axis != NULL, FALSE);
  g_return_val_if_fail (scale <= WM_FREQUENCY_SCALE_MEL, FALSE);

  if (!(min_hz >= 0.0 && max_hz > min_hz) ||
      (scale == WM_FREQUENCY_SCALE_LOG && !(min_hz > 0.0)))
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("Frequency range %g–%g Hz is not valid for a %s axis"),
                   min_hz, max_hz, wm_frequency_scale_to_string (scale));
      return FALSE;
    }
  if (height == 0)
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("A frequency axis needs a height of at least one row"));
      return FALSE;
    }

  axis->scale = scale;
  axis->min_hz = min_hz;
  axis->max_hz = max_hz;
  axis->height = height;
  return TRUE;
}

/* 0 Hz, except on a log axis, which starts at the first bin above 0 Hz. */
double
wm_frequency_axis_default_min_hz (WmFrequencyScale scale,
                                  double           sample_rate,
                                  guint            fft_size)
{
  g_return_val_if_fail (fft_size > 0, 0.0);

  return scale == WM_FREQUENCY_SCALE_LOG ? sample_rate / fft_size : 0.0;
}

double
wm_frequency_axis_hz_to_row (const WmFrequencyAxis *axis,
                             double                 hz)
{
  double lo, hi;

  g_return_val_if_fail (axis != NULL, 0.0);

  lo = warp (axis->scale, axis->min_hz);
  hi = warp (axis->scale, axis->max_hz);
  return (hi - warp (axis->scale, hz)) / (hi - lo) * axis->height;
}

double
wm_frequency_axis_row_to_hz (const WmFrequencyAxis *axis,
                             double                 row)
{
  double lo, hi;

  g_return_val_if_fail (axis != NULL, 0.0);

  lo = warp (axis->scale, axis->min_hz);
  hi = warp (axis->scale, axis->max_hz);
  return unwarp (axis->scale, hi - row / axis->height * (hi - lo));
}

/* Ticks of a candidate set, ascending; FALSE if there are more than
 * max_ticks or two are closer than min_spacing rows. */
static gboolean
try_ticks (const WmFrequencyAxis *axis,
           double                 min_spacing,
           const double          *candidates,
           guint                  n_candidates,
           double                *out_hz,
           guint                  max_ticks,
           guint                 *out_n)
{
  guint n = 0;

  for (guint i = 0; i < n_candidates; i++)
    {
      double hz = candidates[i];

      if (hz < axis->min_hz * (1.0 - 1e-9) || hz > axis->max_hz * (1.0 + 1e-9))
        continue;
      if (n == max_ticks)
        return FALSE;
      if (n > 0 &&
          wm_frequency_axis_hz_to_row (axis, out_hz[n - 1]) -
          wm_frequency_axis_hz_to_row (axis, hz) < min_spacing)
        return FALSE;
      out_hz[n++] = hz;
    }

  *out_n = n;
  return n > 0;
}

/**
 * wm_frequency_axis_ticks:
 * @axis: an axis
 * @min_spacing: rows between neighbouring ticks, at least
 * @out_hz: (out): room for @max_ticks frequencies
 * @max_ticks: the most ticks wanted
 *
 * Round frequencies for a ruler, ascending: the densest set that keeps
 * ticks @min_spacing rows apart.  Linear and mel axes step by 1, 2 or 5 ×
 * 10^k Hz; a log axis marks 1–9, then 1, 2, 5, then 1 × 10^k Hz.
 *
 * Returns: the number of ticks written; 0 if none fits
 */
guint
wm_frequency_axis_ticks (const WmFrequencyAxis *axis,
                         double                 min_spacing,
                         double                *out_hz,
                         guint                  max_ticks)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (double));
  guint n = 0;

  g_return_val_if_fail (axis != NULL, 0);
  g_return_val_if_fail (out_hz != NULL || max_ticks == 0, 0);

  if (max_ticks == 0)
    return 0;

  if (axis->scale == WM_FREQUENCY_SCALE_LOG)
    {
      static const double mantissas_all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
      static const double mantissas_125[] = { 1, 2, 5 };
      static const double mantissas_1[] = { 1 };
      const struct { const double *values; guint n; } sets[] = {
        { mantissas_all, G_N_ELEMENTS (mantissas_all) },
        { mantissas_125, G_N_ELEMENTS (mantissas_125) },
        { mantissas_1, G_N_ELEMENTS (mantissas_1) },
      };
      int first_decade = (int) floor (log10 (axis->min_hz));
      int last_decade = (int) ceil (log10 (axis->max_hz));

      for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
        {
          g_array_set_size (candidates, 0);
          for (int e = first_decade; e <= last_decade; e++)
            for (guint m = 0; m < sets[s].n; m++)
              {
                double hz = sets[s].values[m] * pow (10.0, e);

                g_array_append_val (candidates, hz);
              }
          if (try_ticks (axis, min_spacing, (const double *) (gpointer) candidates->data,
                         candidates->len, out_hz, max_ticks, &n))
            return n;
        }
      return 0;
    }

  for (int e = -1; e <= 7; e++)
    {
      static const double mantissas[] = { 1, 2, 5 };

      for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
        {
          double step = mantissas[m] * pow (10.0, e);
          double first = ceil (axis->min_hz / step - 1e-9);
          double last = floor (axis->max_hz / step + 1e-9);

          if (last - first + 1 > max_ticks)
            continue;

          g_array_set_size (candidates, 0);
          for (double k = first; k <= last; k++)
            {
              double hz = k * step;

              g_array_append_val (candidates, hz);
            }
          if (try_ticks (axis, min_spacing, (const double *) (gpointer) candidates->data,
                         candidates->len, out_hz, max_ticks, &n))
            return n;
        }
    }

  return 0;
}

static const char * const scale_names[] = { "linear", "log", "mel" };

const char *
wm_frequency_scale_to_string (WmFrequencyScale scale)
{
  g_return_val_if_fail (scale <= WM_FREQUENCY_SCALE_MEL, NULL);

  return scale_names[scale];
}

gboolean
wm_frequency_scale_from_string (const char       *str,
                                WmFrequencyScale *out_scale)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (scale_names); i++)
    {
      if (strcmp (str, scale_names[i]) == 0)
        {
          if (out_scale != NULL)
            *out_scale = (WmFrequencyScale) i;
          return TRUE;
        }
    }

  return FALSE;
}
