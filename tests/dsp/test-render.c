/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "wm-colormap.h"
#include "wm-frequency-axis.h"
#include "wm-spectrogram.h"
#include "wm-spectrogram-render.h"

/* Lightness never falls from one entry to the next (beyond what 8-bit
 * rounding allows) and climbs across the map; the ends are the documented
 * key colours. */
static void
test_colormap_monotonic (void)
{
  struct { WmColormap map; const char *name; guint32 first, last; double min_rise; } maps[] = {
    { WM_COLORMAP_VIRIDIS, "viridis", 0x440154, 0xfde725, 70.0 },
    { WM_COLORMAP_MAGMA, "magma", 0x000004, 0xfcfdbf, 95.0 },
    { WM_COLORMAP_GREY, "grey", 0x000000, 0xffffff, 99.9 },
  };

  for (guint m = 0; m < G_N_ELEMENTS (maps); m++)
    {
      const guint8 *table = wm_colormap_get_table (maps[m].map);
      WmColormap parsed;
      double previous = -1.0;
      double first_l, last_l;

      g_assert_nonnull (table);
      g_assert_cmpstr (wm_colormap_to_string (maps[m].map), ==, maps[m].name);
      g_assert_true (wm_colormap_from_string (maps[m].name, &parsed));
      g_assert_cmpint (parsed, ==, maps[m].map);

      for (guint i = 0; i < WM_COLORMAP_N_ENTRIES; i++)
        {
          const guint8 *c = table + 4 * i;
          double l = wm_srgb_lightness (c[0], c[1], c[2]);

          g_assert_cmpuint (c[3], ==, 255);
          g_assert_cmpfloat (l, >=, previous - 0.25);
          if (i >= 8)
            {
              const guint8 *back = table + 4 * (i - 8);

              g_assert_cmpfloat (l, >, wm_srgb_lightness (back[0], back[1], back[2]));
            }
          previous = l;
        }

      g_assert_cmphex ((guint32) table[0] << 16 | (guint32) table[1] << 8 | table[2], ==,
                       maps[m].first);
      g_assert_cmphex ((guint32) table[1020] << 16 | (guint32) table[1021] << 8 | table[1022], ==,
                       maps[m].last);
      first_l = wm_srgb_lightness (table[0], table[1], table[2]);
      last_l = wm_srgb_lightness (table[1020], table[1021], table[1022]);
      g_assert_cmpfloat (last_l - first_l, >=, maps[m].min_rise);
    }

  g_assert_false (wm_colormap_from_string ("jet", NULL));
}

static void
test_mel (void)
{
  /* HTK: 1000 Hz is 1000 mel (to rounding of the 2595/700 constants). */
  g_assert_cmpfloat_with_epsilon (wm_hz_to_mel (0.0), 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (wm_hz_to_mel (1000.0), 999.99, 0.05);
  g_assert_cmpfloat_with_epsilon (wm_hz_to_mel (700.0), 2595.0 * log10 (2.0), 1e-9);
  for (double hz = 0.0; hz <= 96000.0; hz += 123.25)
    g_assert_cmpfloat_with_epsilon (wm_mel_to_hz (wm_hz_to_mel (hz)), hz, 1e-7 * (hz + 1.0));
}

/* row → Hz → row is the identity for every scale; the ends of the axis are
 * its limits; rows grow as frequency falls. */
static void
test_axis_round_trip (void)
{
  const WmFrequencyScale scales[] = {
    WM_FREQUENCY_SCALE_LINEAR, WM_FREQUENCY_SCALE_LOG, WM_FREQUENCY_SCALE_MEL,
  };

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    {
      g_autoptr(GError) error = NULL;
      WmFrequencyAxis axis;
      WmFrequencyScale parsed;
      double min_hz = wm_frequency_axis_default_min_hz (scales[s], 48000.0, 1024);
      double previous = -1.0;

      g_assert_true (wm_frequency_scale_from_string (wm_frequency_scale_to_string (scales[s]),
                                                     &parsed));
      g_assert_cmpint (parsed, ==, scales[s]);
      g_assert_true (wm_frequency_axis_init (&axis, scales[s], min_hz, 24000.0, 480, &error));
      g_assert_no_error (error);

      g_assert_cmpfloat_with_epsilon (wm_frequency_axis_row_to_hz (&axis, 0.0), 24000.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (wm_frequency_axis_row_to_hz (&axis, 480.0), min_hz, 1e-6);
      g_assert_cmpfloat_with_epsilon (wm_frequency_axis_hz_to_row (&axis, 24000.0), 0.0, 1e-9);

      for (double row = 0.0; row <= 480.0; row += 0.75)
        {
          double hz = wm_frequency_axis_row_to_hz (&axis, row);

          g_assert_cmpfloat_with_epsilon (wm_frequency_axis_hz_to_row (&axis, hz), row, 1e-7);
          if (previous >= 0.0)
            g_assert_cmpfloat (hz, <, previous);
          previous = hz;
        }
    }

  /* On a log axis, each octave takes the same number of rows. */
  {
    WmFrequencyAxis axis;

    g_assert_true (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_LOG, 100.0, 25600.0, 800, NULL));
    g_assert_cmpfloat_with_epsilon (wm_frequency_axis_hz_to_row (&axis, 200.0) -
                                    wm_frequency_axis_hz_to_row (&axis, 400.0), 100.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (wm_frequency_axis_hz_to_row (&axis, 6400.0) -
                                    wm_frequency_axis_hz_to_row (&axis, 12800.0), 100.0, 1e-9);
  }
}

static void
test_axis_invalid (void)
{
  WmFrequencyAxis axis;
  g_autoptr(GError) error = NULL;

  g_assert_false (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_LOG, 0.0, 24000.0, 100, &error));
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_LINEAR, 500.0, 400.0, 100, &error));
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_MEL, 0.0, 400.0, 0, &error));
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
}

/* Log ticks have an integer mantissa; others are multiples of a step of
 * 1, 2 or 5 × 10^k. */
static void
check_ticks_round (const double *ticks,
                   guint         n,
                   gboolean      log_scale)
{
  double step = ticks[1] - ticks[0];
  double step_mantissa = step / pow (10.0, floor (log10 (step)));

  if (!log_scale)
    g_assert_true (fabs (step_mantissa - 1.0) < 1e-9 || fabs (step_mantissa - 2.0) < 1e-9 ||
                   fabs (step_mantissa - 5.0) < 1e-9);

  for (guint i = 0; i < n; i++)
    {
      if (log_scale)
        {
          double mantissa = ticks[i] / pow (10.0, floor (log10 (ticks[i])));

          g_assert_cmpfloat_with_epsilon (mantissa, round (mantissa), 1e-9);
        }
      else
        {
          g_assert_cmpfloat_with_epsilon (ticks[i] / step, round (ticks[i] / step), 1e-9);
        }
      if (i > 0)
        g_assert_cmpfloat (ticks[i], >, ticks[i - 1]);
    }
}

/* Ruler ticks are round, inside the axis, and far enough apart; a linear
 * axis of 50 Hz per row with 40 rows between ticks steps by 2 kHz. */
static void
test_axis_ticks (void)
{
  const WmFrequencyScale scales[] = {
    WM_FREQUENCY_SCALE_LINEAR, WM_FREQUENCY_SCALE_LOG, WM_FREQUENCY_SCALE_MEL,
  };
  double ticks[64];
  WmFrequencyAxis axis;
  guint n;

  g_assert_true (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_LINEAR, 0.0, 24000.0, 480, NULL));
  n = wm_frequency_axis_ticks (&axis, 40.0, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 13);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (ticks[i], 2000.0 * i, 1e-6);
  /* Fewer allowed than fit: a coarser step. */
  n = wm_frequency_axis_ticks (&axis, 40.0, ticks, 5);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat_with_epsilon (ticks[1], 5000.0, 1e-6);

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    for (double spacing = 12.0; spacing <= 200.0; spacing *= 2.0)
      {
        double min_hz = wm_frequency_axis_default_min_hz (scales[s], 48000.0, 1024);

        g_assert_true (wm_frequency_axis_init (&axis, scales[s], min_hz, 24000.0, 600, NULL));
        n = wm_frequency_axis_ticks (&axis, spacing, ticks, G_N_ELEMENTS (ticks));
        g_assert_cmpuint (n, >=, 2);
        check_ticks_round (ticks, n, scales[s] == WM_FREQUENCY_SCALE_LOG);
        for (guint i = 0; i < n; i++)
          {
            g_assert_cmpfloat (ticks[i], >=, min_hz);
            g_assert_cmpfloat (ticks[i], <=, 24000.0);
            if (i > 0)
              g_assert_cmpfloat (wm_frequency_axis_hz_to_row (&axis, ticks[i - 1]) -
                                 wm_frequency_axis_hz_to_row (&axis, ticks[i]), >=, spacing);
          }
      }

  /* On a log axis the decades are there. */
  g_assert_true (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_LOG, 46.875, 24000.0, 600, NULL));
  n = wm_frequency_axis_ticks (&axis, 60.0, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpfloat (ticks[0], ==, 50.0);
  {
    gboolean has_100 = FALSE, has_1000 = FALSE, has_10000 = FALSE;

    for (guint i = 0; i < n; i++)
      {
        has_100 |= ticks[i] == 100.0;
        has_1000 |= ticks[i] == 1000.0;
        has_10000 |= ticks[i] == 10000.0;
      }
    g_assert_true (has_100 && has_1000 && has_10000);
  }

  /* A single row has room for one tick only. */
  g_assert_true (wm_frequency_axis_init (&axis, WM_FREQUENCY_SCALE_MEL, 0.0, 24000.0, 1, NULL));
  g_assert_cmpuint (wm_frequency_axis_ticks (&axis, 10.0, ticks, G_N_ELEMENTS (ticks)), ==, 1);
  g_assert_cmpfloat (ticks[0], ==, 0.0);
  g_assert_cmpuint (wm_frequency_axis_ticks (&axis, 10.0, ticks, 0), ==, 0);
}

static guint32
pixel (const guint8 *pixels,
       gsize         stride,
       guint         column,
       guint         row)
{
  const guint8 *p = pixels + row * stride + 4 * column;

  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint32
table_colour (WmColormap map,
              guint      index)
{
  const guint8 *p = wm_colormap_get_table (map) + 4 * index;

  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* A tile at the floor with one loud bin: every scale puts the loud colour
 * on the row that holds that bin's frequency, and the floor colour on rows
 * far from it; values beyond the range clamp. */
static void
test_render_peak (void)
{
  const WmFrequencyScale scales[] = {
    WM_FREQUENCY_SCALE_LINEAR, WM_FREQUENCY_SCALE_LOG, WM_FREQUENCY_SCALE_MEL,
  };
  const guint heights[] = { 37, 200, 1500 };
  const guint fft_size = 1024;
  const double sample_rate = 48000.0;
  const guint peak_bin = 100;
  g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_tile_new (0, 0, 3, fft_size / 2 + 1);

  for (guint c = 0; c < 3; c++)
    for (guint b = 0; b < tile->n_bins; b++)
      tile->data[c * tile->n_bins + b] = (c == 2 ? -500.0f : -120.0f);
  tile->data[0 * tile->n_bins + peak_bin] = 0.0f;
  tile->data[1 * tile->n_bins + peak_bin] = -60.0f;
  tile->data[2 * tile->n_bins + peak_bin] = 40.0f;

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    for (guint h = 0; h < G_N_ELEMENTS (heights); h++)
      {
        WmSpectrogramRenderOptions options = {
          .sample_rate = sample_rate,
          .fft_size = fft_size,
          .floor_db = -120.0f,
          .ceiling_db = 0.0f,
          .colormap = WM_COLORMAP_MAGMA,
        };
        gsize stride = 4 * 4;
        g_autofree guint8 *pixels = NULL;
        double peak_hz = peak_bin * sample_rate / fft_size;
        guint peak_row;

        g_assert_true (wm_frequency_axis_init (&options.axis, scales[s],
                                               wm_frequency_axis_default_min_hz (scales[s], sample_rate, fft_size),
                                               sample_rate / 2, heights[h], NULL));
        pixels = g_malloc0 (stride * heights[h]);
        wm_spectrogram_render_tile (tile, &options, pixels, stride);

        peak_row = (guint) floor (wm_frequency_axis_hz_to_row (&options.axis, peak_hz));
        g_assert_cmpuint (peak_row, <, heights[h]);
        /* Column 0: the peak reaches the ceiling colour when a row spans
         * the bin's centre; at large heights its neighbours interpolate. */
        if (wm_frequency_axis_row_to_hz (&options.axis, peak_row) -
            wm_frequency_axis_row_to_hz (&options.axis, peak_row + 1.0) >= sample_rate / fft_size)
          g_assert_cmphex (pixel (pixels, stride, 0, peak_row), ==,
                           table_colour (WM_COLORMAP_MAGMA, 255));
        else
          g_assert_cmphex (pixel (pixels, stride, 0, peak_row), !=,
                           table_colour (WM_COLORMAP_MAGMA, 0));
        g_assert_cmphex (pixel (pixels, stride, 0, 0), ==, table_colour (WM_COLORMAP_MAGMA, 0));
        g_assert_cmphex (pixel (pixels, stride, 0, heights[h] - 1), ==,
                         table_colour (WM_COLORMAP_MAGMA, 0));
        /* Column 1: −60 dB is the middle of the range. */
        if (pixel (pixels, stride, 0, peak_row) == table_colour (WM_COLORMAP_MAGMA, 255))
          g_assert_cmphex (pixel (pixels, stride, 1, peak_row), ==,
                           table_colour (WM_COLORMAP_MAGMA, 128));
        /* Column 2: beyond both ends clamps. */
        g_assert_cmphex (pixel (pixels, stride, 2, heights[h] - 1), ==,
                         table_colour (WM_COLORMAP_MAGMA, 0));
        /* The padding after the last column is untouched. */
        g_assert_cmphex (pixel (pixels, stride, 3, peak_row), ==, 0);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dsp/render/colormap-monotonic", test_colormap_monotonic);
  g_test_add_func ("/dsp/render/mel", test_mel);
  g_test_add_func ("/dsp/render/axis-round-trip", test_axis_round_trip);
  g_test_add_func ("/dsp/render/axis-invalid", test_axis_invalid);
  g_test_add_func ("/dsp/render/axis-ticks", test_axis_ticks);
  g_test_add_func ("/dsp/render/peak", test_render_peak);

  return g_test_run ();
}
