/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "wm-stft.h"
#include "wm-spectrogram.h"

#include "dsp-test-util.h"

#define SAMPLE_RATE 48000.0

static guint
argmax (const float *values,
        guint        n)
{
  guint best = 0;

  for (guint i = 1; i < n; i++)
    if (values[i] > values[best])
      best = i;
  return best;
}

/* A sine centred on bin k peaks at k with 0 dB per unit amplitude; one
 * 0.3 bin off still peaks at k.  Only columns whose frame lies wholly
 * inside the signal are checked (the edges are zero-padded). */
static void
check_sine_peak (guint  fft_size,
                 guint  hop,
                 double bin_offset)
{
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (1 << 20);
  g_autoptr(GError) error = NULL;
  g_autofree float *out = NULL;
  WmSpectrogramParams params;
  MemorySignal *signal;
  guint k = fft_size / 8 + 3;
  guint n_bins = fft_size / 2 + 1;
  gint64 n_columns;
  guint checked = 0;

  wm_spectrogram_params_init (&params);
  params.fft_size = fft_size;
  params.hop = hop;
  signal = memory_signal_new_sine (8 * fft_size + 17, SAMPLE_RATE,
                                   (k + bin_offset) * SAMPLE_RATE / fft_size, 0.5);
  spectrogram = memory_spectrogram_new (signal, SAMPLE_RATE, &params, cache);
  n_columns = wm_spectrogram_get_n_columns (spectrogram);
  g_assert_cmpint (n_columns, ==, (signal->n_frames + hop - 1) / hop);

  out = g_new (float, n_columns * n_bins);
  g_assert_true (wm_spectrogram_compute_range (spectrogram, 0, n_columns, out, &error));
  g_assert_no_error (error);

  for (gint64 c = 0; c < n_columns; c++)
    {
      const float *column = out + c * n_bins;
      gint64 start = c * hop - fft_size / 2;

      if (start < 0 || start + fft_size > signal->n_frames)
        continue;

      g_assert_cmpuint (argmax (column, n_bins), ==, k);
      if (bin_offset == 0.0)
        g_assert_cmpfloat_with_epsilon (column[k], 20.0 * log10 (0.5), 0.01);
      checked++;
    }

  g_assert_cmpuint (checked, >, 0);
  memory_signal_free (signal);
}

static void
test_sine_peak (void)
{
  static const guint sizes[] = { 256, 512, 1024, 2048, 4096 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint hops[] = { sizes[i], sizes[i] / 2, sizes[i] / 4, 100 };

      for (guint j = 0; j < G_N_ELEMENTS (hops); j++)
        {
          check_sine_peak (sizes[i], hops[j], 0.0);
          check_sine_peak (sizes[i], hops[j], 0.3);
        }
    }
}

/* The periodic Hann window sums to N/2, is symmetric about N/2, and its
 * copies at hop N/2 (N/4) add up to exactly 1 (2) everywhere. */
static void
test_hann_sums (void)
{
  for (guint n = 256; n <= 4096; n *= 2)
    {
      g_autofree float *w = g_new (float, n);
      double sum = 0.0;

      wm_hann_window_fill (w, n);
      for (guint i = 0; i < n; i++)
        sum += w[i];
      g_assert_cmpfloat_with_epsilon (sum, n / 2.0, 1e-3);
      g_assert_cmpfloat (w[0], ==, 0.0f);
      g_assert_cmpfloat_with_epsilon (w[n / 2], 1.0, 1e-7);
      for (guint i = 1; i < n / 2; i++)
        g_assert_cmpfloat_with_epsilon (w[i], w[n - i], 1e-6);

      for (guint divisor = 2; divisor <= 4; divisor *= 2)
        {
          guint hop = n / divisor;

          for (guint i = 0; i < hop; i++)
            {
              double overlap = 0.0;

              for (guint j = 0; j < divisor; j++)
                overlap += w[i + j * hop];
              g_assert_cmpfloat_with_epsilon (overlap, divisor / 2.0, 1e-5);
            }
        }
    }
}

/* Silence reads exactly the floor; a quiet sine sits at its level, and one
 * below the floor is clamped to it. */
static void
test_db_floor (void)
{
  const float floors[] = { -120.0f, -60.0f };

  for (guint f = 0; f < G_N_ELEMENTS (floors); f++)
    {
      g_autoptr(WmStft) stft = wm_stft_new (1024, 512, floors[f]);
      guint n_bins = wm_stft_get_n_bins (stft);
      g_autofree float *input = g_new0 (float, wm_stft_input_length (stft, 3));
      g_autofree float *out = g_new (float, 3 * n_bins);

      wm_stft_run (stft, input, 3, out);
      for (guint i = 0; i < 3 * n_bins; i++)
        g_assert_cmpfloat (out[i], ==, floors[f]);

      for (double amplitude = 1e-1; amplitude >= 1e-5; amplitude /= 10.0)
        {
          double expected = 20.0 * log10 (amplitude);
          guint k = 100;

          for (guint i = 0; i < wm_stft_input_length (stft, 3); i++)
            input[i] = (float) (amplitude * cos (2.0 * G_PI * k * i / 1024.0));
          wm_stft_run (stft, input, 3, out);
          for (guint c = 0; c < 3; c++)
            {
              const float *column = out + c * n_bins;

              g_assert_cmpfloat_with_epsilon (column[k], MAX (expected, floors[f]), 0.01);
              for (guint b = 0; b < n_bins; b++)
                g_assert_cmpfloat (column[b], >=, floors[f]);
            }
        }
    }
}

/* Columns against a naive double-precision DFT of the same definition:
 * frame c covers [c·hop − N/2, c·hop + N/2), zeros outside the signal,
 * periodic Hann, power scaled by 4/(Σw)², 10·log10.  Checks the edges
 * (zero-padded) and the middle. */
static void
test_reference_dft (void)
{
  const guint fft_size = 256;
  const guint hop = 100;
  const guint n_bins = fft_size / 2 + 1;
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (1 << 20);
  g_autoptr(GError) error = NULL;
  g_autofree float *out = NULL;
  WmSpectrogramParams params;
  MemorySignal *signal = g_new0 (MemorySignal, 1);
  gint64 n_columns;
  guint32 noise = 1;

  signal->n_frames = 3001;
  signal->samples = g_new (float, signal->n_frames);
  for (gint64 i = 0; i < signal->n_frames; i++)
    {
      noise = noise * 1664525u + 1013904223u;
      signal->samples[i] = (float) (0.7 * sin (0.002 * (double) i * i) +
                                    0.05 * ((noise >> 8) / 16777216.0 - 0.5));
    }

  wm_spectrogram_params_init (&params);
  params.fft_size = fft_size;
  params.hop = hop;
  spectrogram = memory_spectrogram_new (signal, SAMPLE_RATE, &params, cache);
  n_columns = wm_spectrogram_get_n_columns (spectrogram);
  g_assert_cmpint (n_columns, ==, 31);
  out = g_new (float, n_columns * n_bins);
  g_assert_true (wm_spectrogram_compute_range (spectrogram, 0, n_columns, out, &error));
  g_assert_no_error (error);

  for (gint64 c = 0; c < n_columns; c++)
    {
      double window_sum = fft_size / 2.0;

      for (guint k = 0; k < n_bins; k++)
        {
          double re = 0.0, im = 0.0, power, expected;

          for (guint n = 0; n < fft_size; n++)
            {
              gint64 frame = c * hop - fft_size / 2 + n;
              double w = sin (G_PI * n / fft_size);
              double x = frame >= 0 && frame < signal->n_frames ? signal->samples[frame] : 0.0;

              re += w * w * x * cos (2.0 * G_PI * k * n / fft_size);
              im -= w * w * x * sin (2.0 * G_PI * k * n / fft_size);
            }
          power = (re * re + im * im) * 4.0 / (window_sum * window_sum);
          expected = MAX (10.0 * log10 (MAX (power, 1e-300)), params.floor_db);
          /* Float rounding matters only far below the signal. */
          if (expected > -70.0)
            g_assert_cmpfloat_with_epsilon (out[c * n_bins + k], expected, 0.01);
          else
            g_assert_cmpfloat (out[c * n_bins + k], <, -60.0);
        }
    }

  memory_signal_free (signal);
}

static void
test_params_check (void)
{
  struct { guint fft_size, hop; float floor_db; guint tile_columns; gboolean ok; } cases[] = {
    { 1024, 512, -120.0f, 256, TRUE },
    { 256, 1, -120.0f, 1, TRUE },
    { 4096, 4096, -300.0f, 256, TRUE },
    { 128, 64, -120.0f, 256, FALSE },
    { 8192, 512, -120.0f, 256, FALSE },
    { 1000, 500, -120.0f, 256, FALSE },
    { 1024, 0, -120.0f, 256, FALSE },
    { 1024, 1025, -120.0f, 256, FALSE },
    { 1024, 512, 0.0f, 256, FALSE },
    { 1024, 512, -120.0f, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      WmSpectrogramParams params = {
        cases[i].fft_size, cases[i].hop, cases[i].floor_db, cases[i].tile_columns,
      };
      g_autoptr(GError) error = NULL;
      gboolean ok = wm_spectrogram_params_check (&params, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_no_error (error);
      else
        g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dsp/stft/sine-peak", test_sine_peak);
  g_test_add_func ("/dsp/stft/hann-sums", test_hann_sums);
  g_test_add_func ("/dsp/stft/db-floor", test_db_floor);
  g_test_add_func ("/dsp/stft/reference-dft", test_reference_dft);
  g_test_add_func ("/dsp/stft/params-check", test_params_check);

  return g_test_run ();
}
