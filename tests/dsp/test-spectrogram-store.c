/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "wm-store.h"
#include "wm-spectrogram.h"

#include "dsp-test-util.h"

#define SAMPLE_RATE 16000.0
#define N_FRAMES    48013

typedef struct {
  char         *dir;
  char         *path;
  gint64        recording_id;
  MemorySignal *channels[2]; /* what was written, as the store returns it */
} Fixture;

/* A two-channel recording: a sine and a chirp, in the given format. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  WmSampleFormat format = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) recording = wm_recording_new ();
  WmRecordingWriter *writer;
  const char *names[] = { "left", "right", NULL };
  const char *units[] = { "", "", NULL };

  fixture->dir = g_dir_make_tmp ("waymark-dsp-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.waymark", NULL);
  store = wm_store_open (fixture->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  recording->name = g_strdup ("two tones");
  recording->sample_rate = SAMPLE_RATE;
  recording->n_channels = 2;
  recording->channel_names = g_strdupv ((char **) names);
  recording->channel_units = g_strdupv ((char **) units);
  recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_format = format;

  for (guint ch = 0; ch < 2; ch++)
    {
      fixture->channels[ch] = g_new0 (MemorySignal, 1);
      fixture->channels[ch]->n_frames = N_FRAMES;
      fixture->channels[ch]->samples = g_new (float, N_FRAMES);
    }

  writer = wm_store_begin_recording (store, recording, &error);
  g_assert_no_error (error);
  for (gint64 first = 0; first < N_FRAMES; first += 4096)
    {
      gsize n = MIN (4096, N_FRAMES - first);
      g_autofree gint16 *pcm = g_new (gint16, 2 * n);
      g_autofree float *flt = g_new (float, 2 * n);

      for (gsize i = 0; i < n; i++)
        {
          double t = (first + (gint64) i) / SAMPLE_RATE;
          double values[2] = {
            0.6 * sin (2.0 * G_PI * 1000.0 * t),
            0.4 * sin (2.0 * G_PI * (200.0 + 1500.0 * t) * t),
          };

          for (guint ch = 0; ch < 2; ch++)
            {
              pcm[2 * i + ch] = (gint16) lround (values[ch] * 32767.0);
              flt[2 * i + ch] = (float) values[ch];
              fixture->channels[ch]->samples[first + i] =
                format == WM_SAMPLE_FORMAT_INT16 ? pcm[2 * i + ch] / 32768.0f : flt[2 * i + ch];
            }
        }
      g_assert_true (wm_recording_writer_append (writer,
                                                 format == WM_SAMPLE_FORMAT_INT16 ? (gpointer) pcm : (gpointer) flt,
                                                 n, &error));
      g_assert_no_error (error);
    }
  fixture->recording_id = wm_recording_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fixture->recording_id, >, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  for (guint ch = 0; ch < 2; ch++)
    memory_signal_free (fixture->channels[ch]);
}

static void
on_tile_ready (WmSpectrogram     *spectrogram,
               guint              index,
               WmSpectrogramTile *tile,
               guint             *n_ready)
{
  (*n_ready)++;
}

/* The store-backed spectrogram of each channel equals the one computed
 * from the same samples in memory, synchronously and through the workers,
 * each of which reads through a store of its own. */
static void
test_matches_memory (Fixture       *fixture,
                     gconstpointer  data)
{
  WmSpectrogramParams params;

  wm_spectrogram_params_init (&params);
  params.fft_size = 512;
  params.hop = 200;
  params.tile_columns = 16;

  for (guint ch = 0; ch < 2; ch++)
    {
      g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
      g_autoptr(GError) error = NULL;
      g_autoptr(WmSpectrogram) stored = NULL;
      g_autoptr(WmSpectrogram) memory = NULL;
      g_autofree float *expected = NULL;
      g_autofree float *actual = NULL;
      gint64 n_columns;
      guint n_bins, n_ready = 0;

      stored = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, ch,
                                             &params, cache, &error);
      g_assert_no_error (error);
      memory = memory_spectrogram_new (fixture->channels[ch], SAMPLE_RATE, &params, cache);
      g_assert_cmpint (wm_spectrogram_get_n_frames (stored), ==, N_FRAMES);
      g_assert_cmpfloat (wm_spectrogram_get_sample_rate (stored), ==, SAMPLE_RATE);
      n_columns = wm_spectrogram_get_n_columns (stored);
      n_bins = wm_spectrogram_get_n_bins (stored);
      g_assert_cmpint (n_columns, ==, wm_spectrogram_get_n_columns (memory));

      expected = g_new (float, n_columns * n_bins);
      actual = g_new (float, n_columns * n_bins);
      g_assert_true (wm_spectrogram_compute_range (memory, 0, n_columns, expected, &error));
      g_assert_true (wm_spectrogram_compute_range (stored, 0, n_columns, actual, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (actual, n_columns * n_bins * sizeof (float),
                       expected, n_columns * n_bins * sizeof (float));

      /* The sine channel peaks at 1 kHz. */
      if (ch == 0)
        {
          const float *column = actual + (n_columns / 2) * n_bins;
          guint best = 0;

          for (guint b = 1; b < n_bins; b++)
            if (column[b] > column[best])
              best = b;
          g_assert_cmpfloat_with_epsilon (wm_spectrogram_bin_to_frequency (stored, best), 1000.0,
                                          SAMPLE_RATE / params.fft_size / 2);
        }

      g_signal_connect (stored, "tile-ready", G_CALLBACK (on_tile_ready), &n_ready);
      for (guint i = 0; i < wm_spectrogram_get_n_tiles (stored); i++)
        g_assert_true (wm_spectrogram_request_tile (stored, i));
      wait_for_idle (stored);
      g_assert_cmpuint (n_ready, ==, wm_spectrogram_get_n_tiles (stored));

      for (guint i = 0; i < wm_spectrogram_get_n_tiles (stored); i++)
        {
          g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_lookup_tile (stored, i);

          g_assert_nonnull (tile);
          g_assert_cmpmem (tile->data, tile->n_columns * n_bins * sizeof (float),
                           expected + tile->first_column * n_bins,
                           tile->n_columns * n_bins * sizeof (float));
        }
    }
}

/* Two spectrograms of the same channel and settings share cached tiles;
 * another channel does not. */
static void
test_shared_cache (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
  g_autoptr(WmSpectrogram) first = NULL;
  g_autoptr(WmSpectrogram) second = NULL;
  g_autoptr(WmSpectrogram) other_channel = NULL;
  g_autoptr(WmSpectrogramTile) tile = NULL;
  g_autoptr(GError) error = NULL;
  WmSpectrogramParams params;

  wm_spectrogram_params_init (&params);
  first = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, 0, &params, cache, &error);
  g_assert_no_error (error);
  g_assert_true (wm_spectrogram_request_tile (first, 0));
  wait_for_idle (first);
  g_assert_cmpuint (wm_spectrogram_get_n_computed (first), ==, 1);

  second = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, 0, &params, cache, &error);
  g_assert_no_error (error);
  tile = wm_spectrogram_lookup_tile (second, 0);
  g_assert_nonnull (tile);
  g_assert_false (wm_spectrogram_request_tile (second, 0));
  g_assert_cmpuint (wm_spectrogram_get_n_computed (second), ==, 0);

  other_channel = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, 1, &params, cache, &error);
  g_assert_no_error (error);
  g_assert_null (wm_spectrogram_lookup_tile (other_channel, 0));
}

static void
test_bad_source (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.waymark", NULL);
  WmSpectrogramParams params;

  wm_spectrogram_params_init (&params);

  spectrogram = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, 2, &params, NULL, &error);
  g_assert_null (spectrogram);
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_clear_error (&error);

  spectrogram = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id + 100, 0, &params, NULL, &error);
  g_assert_null (spectrogram);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  spectrogram = wm_spectrogram_new_for_store (missing, 1, 0, &params, NULL, &error);
  g_assert_null (spectrogram);
  g_assert_nonnull (error);
  g_clear_error (&error);

  params.fft_size = 300;
  spectrogram = wm_spectrogram_new_for_store (fixture->path, fixture->recording_id, 0, &params, NULL, &error);
  g_assert_null (spectrogram);
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/dsp/spectrogram-store/matches-memory/int16", Fixture,
              GINT_TO_POINTER (WM_SAMPLE_FORMAT_INT16),
              fixture_set_up, test_matches_memory, fixture_tear_down);
  g_test_add ("/dsp/spectrogram-store/matches-memory/float32", Fixture,
              GINT_TO_POINTER (WM_SAMPLE_FORMAT_FLOAT32),
              fixture_set_up, test_matches_memory, fixture_tear_down);
  g_test_add ("/dsp/spectrogram-store/shared-cache", Fixture,
              GINT_TO_POINTER (WM_SAMPLE_FORMAT_INT16),
              fixture_set_up, test_shared_cache, fixture_tear_down);
  g_test_add ("/dsp/spectrogram-store/bad-source", Fixture,
              GINT_TO_POINTER (WM_SAMPLE_FORMAT_FLOAT32),
              fixture_set_up, test_bad_source, fixture_tear_down);

  return g_test_run ();
}
