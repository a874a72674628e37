/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dsp-test-util.h"

MemorySignal *
memory_signal_new_sine (gint64 n_frames,
                        double sample_rate,
                        double hz,
                        double amplitude)
{
  MemorySignal *signal = g_new0 (MemorySignal, 1);

  signal->n_frames = n_frames;
  signal->samples = g_new (float, n_frames);
  for (gint64 i = 0; i < n_frames; i++)
    signal->samples[i] = (float) (amplitude * sin (2.0 * G_PI * hz * (double) i / sample_rate));

  return signal;
}

void
memory_signal_free (gpointer data)
{
  MemorySignal *signal = data;

  g_free (signal->samples);
  g_free (signal);
}

gboolean
memory_signal_read (gpointer   user_data,
                    gint64     first_frame,
                    gsize      n_frames,
                    float     *out,
                    GError   **error)
{
  MemorySignal *signal = user_data;

  g_assert_cmpint (first_frame, >=, 0);
  g_assert_cmpint (first_frame + (gint64) n_frames, <=, signal->n_frames);
  memcpy (out, signal->samples + first_frame, n_frames * sizeof (float));
  return TRUE;
}

WmSpectrogram *
memory_spectrogram_new (MemorySignal              *signal,
                        double                     sample_rate,
                        const WmSpectrogramParams *params,
                        WmTileCache               *cache)
{
  g_autoptr(GError) error = NULL;
  WmSpectrogram *spectrogram;

  spectrogram = wm_spectrogram_new_for_reader (signal->n_frames, sample_rate, params, cache,
                                               memory_signal_read, signal, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (spectrogram);
  return spectrogram;
}

void
wait_for_idle (WmSpectrogram *spectrogram)
{
  while (wm_spectrogram_get_n_in_flight (spectrogram) > 0 ||
         g_main_context_pending (NULL))
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}
