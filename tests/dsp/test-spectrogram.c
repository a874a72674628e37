/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "wm-spectrogram.h"

#include "dsp-test-util.h"

#define SAMPLE_RATE 8000.0

typedef struct {
  GHashTable *ready;  /* tile index → WmSpectrogramTile (ref) */
  guint       n_ready;
  guint       n_failed;
} Received;

static void
on_tile_ready (WmSpectrogram     *spectrogram,
               guint              index,
               WmSpectrogramTile *tile,
               Received          *received)
{
  g_assert_cmpuint (tile->index, ==, index);
  g_hash_table_replace (received->ready, GUINT_TO_POINTER (index),
                        wm_spectrogram_tile_ref (tile));
  received->n_ready++;
}

static void
on_tile_failed (WmSpectrogram *spectrogram,
                guint          index,
                const GError  *error,
                Received      *received)
{
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_READ);
  received->n_failed++;
}

static void
received_init (Received      *received,
               WmSpectrogram *spectrogram)
{
  received->ready = g_hash_table_new_full (NULL, NULL, NULL,
                                           (GDestroyNotify) wm_spectrogram_tile_unref);
  received->n_ready = 0;
  received->n_failed = 0;
  g_signal_connect (spectrogram, "tile-ready", G_CALLBACK (on_tile_ready), received);
  g_signal_connect (spectrogram, "tile-failed", G_CALLBACK (on_tile_failed), received);
}

static void
received_clear (Received *received)
{
  g_clear_pointer (&received->ready, g_hash_table_unref);
}

/* A chirp with noise-like content, so that every column differs. */
static MemorySignal *
make_chirp (gint64 n_frames)
{
  MemorySignal *signal = g_new0 (MemorySignal, 1);

  signal->n_frames = n_frames;
  signal->samples = g_new (float, n_frames);
  for (gint64 i = 0; i < n_frames; i++)
    {
      double t = i / SAMPLE_RATE;

      signal->samples[i] = (float) (0.5 * sin (2.0 * G_PI * (100.0 + 900.0 * t) * t) +
                                    0.1 * sin (i * 0.37 + 0.001 * (double) i * i));
    }
  return signal;
}

/* Computing a range in one go equals stitching the tiles that workers
 * computed, bit for bit, for tile sizes that do and do not divide the
 * column count. */
static void
test_tiles_continuous (void)
{
  const guint tile_sizes[] = { 1, 7, 64, 1000 };
  MemorySignal *signal = make_chirp (20011);

  for (guint t = 0; t < G_N_ELEMENTS (tile_sizes); t++)
    {
      g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
      g_autoptr(WmSpectrogram) spectrogram = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree float *whole = NULL;
      WmSpectrogramParams params;
      Received received;
      gint64 n_columns;
      guint n_bins, n_tiles;

      wm_spectrogram_params_init (&params);
      params.fft_size = 512;
      params.hop = 96;
      params.tile_columns = tile_sizes[t];
      spectrogram = memory_spectrogram_new (signal, SAMPLE_RATE, &params, cache);
      received_init (&received, spectrogram);
      n_columns = wm_spectrogram_get_n_columns (spectrogram);
      n_bins = wm_spectrogram_get_n_bins (spectrogram);
      n_tiles = wm_spectrogram_get_n_tiles (spectrogram);
      g_assert_cmpint (n_columns, ==, (20011 + 95) / 96);
      g_assert_cmpuint (n_tiles, ==, (n_columns + tile_sizes[t] - 1) / tile_sizes[t]);

      whole = g_new (float, n_columns * n_bins);
      g_assert_true (wm_spectrogram_compute_range (spectrogram, 0, n_columns, whole, &error));
      g_assert_no_error (error);

      for (guint i = 0; i < n_tiles; i++)
        g_assert_true (wm_spectrogram_request_tile (spectrogram, i));
      wait_for_idle (spectrogram);
      g_assert_cmpuint (received.n_ready, ==, n_tiles);
      g_assert_cmpuint (received.n_failed, ==, 0);
      g_assert_cmpuint (wm_spectrogram_get_n_computed (spectrogram), ==, n_tiles);

      for (guint i = 0; i < n_tiles; i++)
        {
          WmSpectrogramTile *tile = g_hash_table_lookup (received.ready, GUINT_TO_POINTER (i));

          g_assert_nonnull (tile);
          g_assert_cmpint (tile->first_column, ==, (gint64) i * tile_sizes[t]);
          g_assert_cmpuint (tile->n_bins, ==, n_bins);
          g_assert_cmpuint (tile->n_columns, ==,
                            MIN ((gint64) tile_sizes[t], n_columns - tile->first_column));
          g_assert_cmpmem (tile->data, tile->n_columns * n_bins * sizeof (float),
                           whole + tile->first_column * n_bins,
                           tile->n_columns * n_bins * sizeof (float));
        }

      /* Columns are centred on multiples of the hop. */
      g_assert_cmpint (wm_spectrogram_column_to_frame (spectrogram, 10), ==, 960);
      g_assert_cmpint (wm_spectrogram_frame_to_column (spectrogram, 960 + 47), ==, 10);
      g_assert_cmpint (wm_spectrogram_frame_to_column (spectrogram, 960 + 48), ==, 11);
      g_assert_cmpint (wm_spectrogram_frame_to_column (spectrogram, -5000), ==, 0);
      g_assert_cmpint (wm_spectrogram_frame_to_column (spectrogram, 1 << 30), ==, n_columns - 1);

      /* A range that starts and ends inside tiles matches too. */
      {
        gint64 first = MIN (n_columns - 1, (gint64) tile_sizes[t] / 2 + 3);
        gint64 n = n_columns - first - 1;
        g_autofree float *part = g_new (float, MAX (n, 1) * n_bins);

        g_assert_true (wm_spectrogram_compute_range (spectrogram, first, n, part, &error));
        g_assert_cmpmem (part, n * n_bins * sizeof (float),
                         whole + first * n_bins, n * n_bins * sizeof (float));
      }

      received_clear (&received);
    }

  memory_signal_free (signal);
}

/* A second request of a cached tile does no work; lookup returns the same
 * data; a new spectrogram of other settings does not see those tiles. */
static void
test_cache_hit (void)
{
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(WmSpectrogramTile) first = NULL;
  g_autoptr(WmSpectrogramTile) again = NULL;
  g_autofree float *copy = NULL;
  MemorySignal *signal = make_chirp (40000);
  WmSpectrogramParams params;
  Received received;
  gsize bytes;

  wm_spectrogram_params_init (&params);
  params.fft_size = 256;
  params.hop = 128;
  params.tile_columns = 32;
  spectrogram = memory_spectrogram_new (signal, SAMPLE_RATE, &params, cache);
  received_init (&received, spectrogram);

  g_assert_null (wm_spectrogram_lookup_tile (spectrogram, 2));
  g_assert_true (wm_spectrogram_request_tile (spectrogram, 2));
  /* Already pending in this generation: not queued twice. */
  g_assert_false (wm_spectrogram_request_tile (spectrogram, 2));
  wait_for_idle (spectrogram);
  g_assert_cmpuint (received.n_ready, ==, 1);
  g_assert_cmpuint (wm_spectrogram_get_n_computed (spectrogram), ==, 1);
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), ==, 1);

  first = wm_spectrogram_lookup_tile (spectrogram, 2);
  g_assert_nonnull (first);
  g_assert_true (first == g_hash_table_lookup (received.ready, GUINT_TO_POINTER (2)));
  bytes = first->n_columns * first->n_bins * sizeof (float);
  copy = g_memdup2 (first->data, bytes);

  g_assert_false (wm_spectrogram_request_tile (spectrogram, 2));
  wait_for_idle (spectrogram);
  g_assert_cmpuint (wm_spectrogram_get_n_computed (spectrogram), ==, 1);
  g_assert_cmpuint (received.n_ready, ==, 1);

  again = wm_spectrogram_lookup_tile (spectrogram, 2);
  g_assert_true (again == first);
  g_assert_cmpmem (again->data, bytes, copy, bytes);

  /* Other settings, same cache: a different key. */
  {
    g_autoptr(WmSpectrogram) other = NULL;

    params.hop = 64;
    other = memory_spectrogram_new (signal, SAMPLE_RATE, &params, cache);
    g_assert_null (wm_spectrogram_lookup_tile (other, 2));
  }

  received_clear (&received);
  g_clear_object (&spectrogram);
  memory_signal_free (signal);
}

/* The cache keeps to its byte budget by dropping the least recently used
 * tile, and a tile still held by a view survives eviction. */
static void
test_cache_lru (void)
{
  g_autoptr(WmTileCache) cache = NULL;
  g_autoptr(WmSpectrogramTile) held = NULL;
  WmTileKey key = { .source = g_quark_from_static_string ("test:lru"), .fft_size = 256 };
  gsize tile_bytes;

  held = wm_spectrogram_tile_new (0, 0, 10, 129);
  held->data[0] = 42.0f;
  tile_bytes = wm_spectrogram_tile_get_bytes (held);
  g_assert_cmpuint (tile_bytes, >=, 10 * 129 * sizeof (float));
  cache = wm_tile_cache_new (3 * tile_bytes);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_tile_new (i, i * 10, 10, 129);

      key.index = i;
      wm_tile_cache_insert (cache, &key, i == 0 ? held : tile);
    }
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), ==, 3);
  g_assert_cmpuint (wm_tile_cache_get_bytes (cache), ==, 3 * tile_bytes);

  /* Touch tile 0, so tile 1 is the oldest. */
  key.index = 0;
  wm_spectrogram_tile_unref (wm_tile_cache_lookup (cache, &key));

  {
    g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_tile_new (3, 30, 10, 129);

    key.index = 3;
    wm_tile_cache_insert (cache, &key, tile);
  }
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), ==, 3);
  g_assert_cmpuint (wm_tile_cache_get_bytes (cache), <=, wm_tile_cache_get_max_bytes (cache));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(WmSpectrogramTile) found = NULL;

      key.index = i;
      found = wm_tile_cache_lookup (cache, &key);
      if (i == 1)
        g_assert_null (found);
      else
        g_assert_nonnull (found);
    }

  /* Shrinking the budget evicts all but the most recent; clearing drops
   * the cache's references while the view's tile stays valid. */
  key.index = 0;
  wm_spectrogram_tile_unref (wm_tile_cache_lookup (cache, &key));
  wm_tile_cache_set_max_bytes (cache, tile_bytes);
  {
    g_autoptr(WmSpectrogramTile) kept = wm_tile_cache_lookup (cache, &key);

    g_assert_true (kept == held);
  }
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), ==, 1);
  wm_tile_cache_clear (cache);
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), ==, 0);
  g_assert_cmpuint (wm_tile_cache_get_bytes (cache), ==, 0);
  g_assert_cmpfloat (held->data[0], ==, 42.0f);
}

/* A reader that holds every worker at a gate until the test opens it. */
typedef struct {
  MemorySignal *signal;
  GMutex        lock;
  GCond         cond;
  gboolean      open;
  guint         n_waiting;
} Gate;

static gboolean
gate_read (gpointer   user_data,
           gint64     first_frame,
           gsize      n_frames,
           float     *out,
           GError   **error)
{
  Gate *gate = user_data;

  g_mutex_lock (&gate->lock);
  gate->n_waiting++;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);

  return memory_signal_read (gate->signal, first_frame, n_frames, out, error);
}

/* Requests made before cancel_pending() that no worker has started are
 * dropped and never signalled; those already running are cached, not
 * signalled; requests after it are served. */
static void
test_cancel_stale (void)
{
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(GError) error = NULL;
  WmSpectrogramParams params;
  Received received;
  Gate gate = { 0 };
  guint n_running, n_tiles, generation;

  gate.signal = make_chirp (50000);
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);

  wm_spectrogram_params_init (&params);
  params.fft_size = 256;
  params.hop = 128;
  params.tile_columns = 8;
  spectrogram = wm_spectrogram_new_for_reader (gate.signal->n_frames, SAMPLE_RATE, &params,
                                               cache, gate_read, &gate, NULL, &error);
  g_assert_no_error (error);
  received_init (&received, spectrogram);
  n_tiles = wm_spectrogram_get_n_tiles (spectrogram);
  g_assert_cmpuint (n_tiles, >, 25);

  generation = wm_spectrogram_get_generation (spectrogram);
  for (guint i = 0; i < 20; i++)
    g_assert_true (wm_spectrogram_request_tile (spectrogram, i));

  /* Wait until every worker is blocked inside a read. */
  n_running = MIN (g_get_num_processors (), 20);
  g_mutex_lock (&gate.lock);
  while (gate.n_waiting < n_running)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);

  g_assert_cmpuint (wm_spectrogram_cancel_pending (spectrogram), ==, generation + 1);
  g_assert_cmpuint (wm_spectrogram_get_generation (spectrogram), ==, generation + 1);
  /* The view moved on: tile 25 is wanted now, and tile 0 again. */
  g_assert_true (wm_spectrogram_request_tile (spectrogram, 25));
  g_assert_true (wm_spectrogram_request_tile (spectrogram, 0));

  g_mutex_lock (&gate.lock);
  gate.open = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);

  wait_for_idle (spectrogram);

  /* Only the current generation was signalled. */
  g_assert_cmpuint (received.n_failed, ==, 0);
  g_assert_cmpuint (received.n_ready, ==, 2);
  g_assert_true (g_hash_table_contains (received.ready, GUINT_TO_POINTER (25)));
  g_assert_true (g_hash_table_contains (received.ready, GUINT_TO_POINTER (0)));
  /* The running jobs finished into the cache; the rest were dropped. */
  g_assert_cmpuint (wm_spectrogram_get_n_cancelled (spectrogram), ==, 20 - n_running);
  g_assert_cmpuint (wm_spectrogram_get_n_computed (spectrogram), <=, n_running + 2);
  for (guint i = 0; i < n_running; i++)
    {
      g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_lookup_tile (spectrogram, i);

      g_assert_nonnull (tile);
    }
  for (guint i = n_running; i < 20; i++)
    {
      g_autoptr(WmSpectrogramTile) tile = wm_spectrogram_lookup_tile (spectrogram, i);

      g_assert_null (tile);
    }

  received_clear (&received);
  g_clear_object (&spectrogram);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  memory_signal_free (gate.signal);
}

static gboolean
failing_read (gpointer   user_data,
              gint64     first_frame,
              gsize      n_frames,
              float     *out,
              GError   **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "disk on fire at frame %" G_GINT64_FORMAT,
               first_frame);
  return FALSE;
}

/* A read failure reaches the view as ::tile-failed with the reason, and
 * compute_range reports it and rejects columns out of range. */
static void
test_read_failure (void)
{
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (1 << 20);
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *out = g_new (float, 4 * 129);
  WmSpectrogramParams params;
  Received received;

  wm_spectrogram_params_init (&params);
  params.fft_size = 256;
  params.hop = 256;
  spectrogram = wm_spectrogram_new_for_reader (10000, SAMPLE_RATE, &params, cache,
                                               failing_read, NULL, NULL, &error);
  g_assert_no_error (error);
  received_init (&received, spectrogram);

  g_assert_true (wm_spectrogram_request_tile (spectrogram, 0));
  wait_for_idle (spectrogram);
  g_assert_cmpuint (received.n_failed, ==, 1);
  g_assert_cmpuint (received.n_ready, ==, 0);
  g_assert_null (wm_spectrogram_lookup_tile (spectrogram, 0));

  g_assert_false (wm_spectrogram_compute_range (spectrogram, 0, 4, out, &error));
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "disk on fire"));
  g_clear_error (&error);

  g_assert_false (wm_spectrogram_compute_range (spectrogram, 38, 4, out, &error));
  g_assert_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID);

  received_clear (&received);
}

static gboolean reader_data_freed;

static void
free_signal_and_note (gpointer data)
{
  memory_signal_free (data);
  reader_data_freed = TRUE;
}

/* Jobs keep what they need alive: dropping the spectrogram with work
 * queued finalizes it at once, drops the queued jobs, and frees the
 * reader's data when the last running job ends. */
static void
test_dispose_with_pending (void)
{
  g_autoptr(WmTileCache) cache = wm_tile_cache_new (64 << 20);
  WmSpectrogram *spectrogram;
  WmSpectrogramParams params;
  MemorySignal *signal = make_chirp (200000);
  g_autoptr(GError) error = NULL;
  guint n_tiles;

  wm_spectrogram_params_init (&params);
  params.fft_size = 2048;
  params.hop = 64;
  params.tile_columns = 64;
  spectrogram = wm_spectrogram_new_for_reader (signal->n_frames, SAMPLE_RATE, &params, cache,
                                               memory_signal_read, signal,
                                               free_signal_and_note, &error);
  g_assert_no_error (error);
  n_tiles = wm_spectrogram_get_n_tiles (spectrogram);
  g_assert_cmpuint (n_tiles, >, 20);
  for (guint i = 0; i < n_tiles; i++)
    g_assert_true (wm_spectrogram_request_tile (spectrogram, i));
  g_assert_finalize_object (spectrogram);
  g_assert_false (reader_data_freed);

  while (!reader_data_freed)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* At most the jobs that were running when it went were computed. */
  g_assert_cmpuint (wm_tile_cache_get_n_tiles (cache), <, n_tiles);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dsp/spectrogram/tiles-continuous", test_tiles_continuous);
  g_test_add_func ("/dsp/spectrogram/cache-hit", test_cache_hit);
  g_test_add_func ("/dsp/spectrogram/cache-lru", test_cache_lru);
  g_test_add_func ("/dsp/spectrogram/cancel-stale", test_cancel_stale);
  g_test_add_func ("/dsp/spectrogram/read-failure", test_read_failure);
  g_test_add_func ("/dsp/spectrogram/dispose-with-pending", test_dispose_with_pending);

  return g_test_run ();
}
