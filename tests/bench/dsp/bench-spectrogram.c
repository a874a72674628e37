/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-spectrogram — full-resolution spectrogram of one hour of 48 kHz
 * audio (FFT 1024, hop 512) through WmSpectrogram's workers, against
 *   - bare single-threaded FFTW r2c on the same frames, in this process
 *     (goal: ≤ 2× its time);
 *   - numpy's rfft STFT of the same samples (numpy-stft.py, goal: ≥ 10×
 *     faster);
 * and the same spectrogram read from a project file.  Prints figures, never
 * asserts on time.
 *
 *   bench-spectrogram [--seconds N] [--repeats N] [--cache-mib N] [--no-store] [--no-numpy]
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <fftw3.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "wm-spectrogram.h"
#include "wm-spectrogram-render.h"
#include "wm-store.h"

#define SAMPLE_RATE 48000.0
#define FFT_SIZE    1024
#define HOP         512

typedef struct {
  float  *samples;
  gint64  n_frames;
} Signal;

static gboolean
signal_read (gpointer   user_data,
             gint64     first_frame,
             gsize      n_frames,
             float     *out,
             GError   **error)
{
  Signal *signal = user_data;

  memcpy (out, signal->samples + first_frame, n_frames * sizeof (float));
  return TRUE;
}

/* A sweep with harmonics and a little noise: content in every column. */
static void
synthesise (float  *samples,
            gint64  n_frames)
{
  guint32 noise = 12345;

  for (gint64 i = 0; i < n_frames; i++)
    {
      double t = i / SAMPLE_RATE;
      double phase = 2.0 * G_PI * (300.0 * t + 40.0 * sin (0.05 * t));

      noise = noise * 1664525u + 1013904223u;
      samples[i] = (float) (0.4 * sin (phase) + 0.1 * sin (3.0 * phase) +
                            0.01 * ((noise >> 8) / 16777216.0 - 0.5));
    }
}

/* The fastest of the runs: other processes only ever add time, so the
 * minimum is the figure least disturbed on a shared machine. */
static double
best (const double *values,
      guint         n)
{
  double m = values[0];

  for (guint i = 1; i < n; i++)
    m = MIN (m, values[i]);
  return m;
}

/* Bare FFTW: one r2c per column frame, straight from the samples (frames
 * wholly inside the signal; the engine's zero-padded edges are two frames
 * out of hundreds of thousands). */
static double
time_bare_fftw (const float *samples,
                gint64       n_frames,
                unsigned     flags,
                double      *out_plan_seconds)
{
  float *in = fftwf_alloc_real (FFT_SIZE);
  fftwf_complex *out = fftwf_alloc_complex (FFT_SIZE / 2 + 1);
  fftwf_plan plan;
  gint64 n_columns = (n_frames - FFT_SIZE) / HOP + 1;
  gint64 start;
  double seconds;

  /* Plan from scratch: the engine's wisdom would turn an estimate into a
   * measured plan.  No worker is planning while this runs. */
  fftwf_forget_wisdom ();
  start = g_get_monotonic_time ();
  plan = fftwf_plan_dft_r2c_1d (FFT_SIZE, in, out, flags);
  if (out_plan_seconds != NULL)
    *out_plan_seconds = (g_get_monotonic_time () - start) / 1e6;

  start = g_get_monotonic_time ();
  for (gint64 c = 0; c < n_columns; c++)
    fftwf_execute_dft_r2c (plan, (float *) samples + c * HOP, out);
  seconds = (g_get_monotonic_time () - start) / 1e6;

  fftwf_destroy_plan (plan);
  fftwf_free (in);
  fftwf_free (out);
  return seconds;
}

static void
on_tile_ready (WmSpectrogram     *spectrogram,
               guint              index,
               WmSpectrogramTile *tile,
               guint             *n_ready)
{
  (*n_ready)++;
}

static void
on_tile_failed (WmSpectrogram *spectrogram,
                guint          index,
                const GError  *error,
                guint         *n_ready)
{
  g_error ("tile %u failed: %s", index, error->message);
}

/* Every tile through the workers, as a view that scrolls across the whole
 * recording would ask for them; the cache is the default-sized one. */
static double
time_engine (WmSpectrogram *spectrogram)
{
  guint n_tiles = wm_spectrogram_get_n_tiles (spectrogram);
  guint n_ready = 0;
  gulong ready_id, failed_id;
  gint64 start;

  ready_id = g_signal_connect (spectrogram, "tile-ready", G_CALLBACK (on_tile_ready), &n_ready);
  failed_id = g_signal_connect (spectrogram, "tile-failed", G_CALLBACK (on_tile_failed), &n_ready);
  wm_tile_cache_clear (wm_spectrogram_get_cache (spectrogram));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_tiles; i++)
    wm_spectrogram_request_tile (spectrogram, i);
  while (n_ready < n_tiles)
    g_main_context_iteration (NULL, TRUE);

  g_signal_handler_disconnect (spectrogram, ready_id);
  g_signal_handler_disconnect (spectrogram, failed_id);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The engine's kernel on one thread: compute_range over the whole hour. */
static double
time_single_thread (WmSpectrogram *spectrogram)
{
  const gint64 chunk = 4096;
  gint64 n_columns = wm_spectrogram_get_n_columns (spectrogram);
  g_autofree float *out = g_new (float, chunk * wm_spectrogram_get_n_bins (spectrogram));
  gint64 start = g_get_monotonic_time ();

  for (gint64 c = 0; c < n_columns; c += chunk)
    {
      g_autoptr(GError) error = NULL;

      if (!wm_spectrogram_compute_range (spectrogram, c, MIN (chunk, n_columns - c), out, &error))
        g_error ("%s", error->message);
    }

  return (g_get_monotonic_time () - start) / 1e6;
}

/* What the view pays per tile on the main thread: dB to RGBA pixels,
 * 480 rows on a mel axis. */
static double
time_render (WmSpectrogram *spectrogram)
{
  const guint height = 480;
  const guint n_runs = 50;
  g_autoptr(WmSpectrogramTile) tile = NULL;
  g_autofree guint8 *pixels = NULL;
  WmSpectrogramRenderOptions options = {
    .sample_rate = SAMPLE_RATE,
    .fft_size = FFT_SIZE,
    .floor_db = -100.0f,
    .ceiling_db = 0.0f,
    .colormap = WM_COLORMAP_VIRIDIS,
  };
  gint64 start;

  tile = wm_spectrogram_tile_new (0, 0, WM_SPECTROGRAM_DEFAULT_TILE_COLUMNS, FFT_SIZE / 2 + 1);
  if (!wm_spectrogram_compute_range (spectrogram, 0, tile->n_columns, tile->data, NULL) ||
      !wm_frequency_axis_init (&options.axis, WM_FREQUENCY_SCALE_MEL, 0.0, SAMPLE_RATE / 2,
                               height, NULL))
    g_error ("cannot set up the render benchmark");
  pixels = g_malloc ((gsize) tile->n_columns * 4 * height);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_runs; i++)
    wm_spectrogram_render_tile (tile, &options, pixels, (gsize) tile->n_columns * 4);
  return (g_get_monotonic_time () - start) / 1e6 / n_runs;
}

static double
time_numpy (const float *samples,
            gint64       n_frames,
            const char  *dir)
{
  g_autofree char *raw = g_build_filename (dir, "samples.f32", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const char *argv[] = { "/usr/bin/python3", NUMPY_STFT_SCRIPT, raw, G_STRINGIFY (FFT_SIZE),
                         G_STRINGIFY (HOP), "-120", NULL };

  if (!g_file_set_contents (raw, (const char *) samples, n_frames * sizeof (float), &error) ||
      !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("numpy comparator failed: %s\n%s", error->message, err ?: "");
      g_unlink (raw);
      return -1.0;
    }

  g_unlink (raw);
  return g_ascii_strtod (out, NULL);
}

static WmSpectrogram *
write_project (const float               *samples,
               gint64                     n_frames,
               const char                *path,
               const WmSpectrogramParams *params,
               WmTileCache               *cache,
               double                    *out_write_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autofree gint16 *pcm = g_new (gint16, 65536);
  const char *names[] = { "audio", NULL };
  const char *units[] = { "", NULL };
  WmRecordingWriter *writer;
  gint64 recording_id;
  gint64 start = g_get_monotonic_time ();

  store = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  recording->name = g_strdup ("one hour");
  recording->sample_rate = SAMPLE_RATE;
  recording->n_channels = 1;
  recording->channel_names = g_strdupv ((char **) names);
  recording->channel_units = g_strdupv ((char **) units);
  recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_format = WM_SAMPLE_FORMAT_INT16;

  writer = wm_store_begin_recording (store, recording, &error);
  if (writer == NULL)
    g_error ("%s", error->message);
  for (gint64 first = 0; first < n_frames; first += 65536)
    {
      gsize n = MIN (65536, n_frames - first);

      for (gsize i = 0; i < n; i++)
        pcm[i] = (gint16) lrintf (samples[first + i] * 32767.0f);
      if (!wm_recording_writer_append (writer, pcm, n, &error))
        g_error ("%s", error->message);
    }
  recording_id = wm_recording_writer_commit (writer, &error);
  if (recording_id == 0)
    g_error ("%s", error->message);
  *out_write_seconds = (g_get_monotonic_time () - start) / 1e6;
  g_clear_object (&store);

  {
    WmSpectrogram *spectrogram = wm_spectrogram_new_for_store (path, recording_id, 0, params,
                                                               cache, &error);
    if (spectrogram == NULL)
      g_error ("%s", error->message);
    return spectrogram;
  }
}

int
main (int   argc,
      char *argv[])
{
  int seconds_of_audio = 3600;
  int repeats = 3;
  gboolean no_store = FALSE;
  gboolean no_numpy = FALSE;
  int cache_mib = WM_TILE_CACHE_DEFAULT_MAX_BYTES >> 20;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds_of_audio, "Length of the recording", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Runs per in-memory figure (the best counts)", "N" },
    { "cache-mib", 0, 0, G_OPTION_ARG_INT, &cache_mib, "Tile cache budget (default: the app's)", "MIB" },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, "Skip the project-backed figure", NULL },
    { "no-numpy", 0, 0, G_OPTION_ARG_NONE, &no_numpy, "Skip the numpy comparator", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— spectrogram benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(WmSpectrogram) spectrogram = NULL;
  g_autoptr(WmTileCache) cache = NULL;
  g_autofree char *dir = NULL;
  g_autofree double *bare = NULL;
  g_autofree double *measured = NULL;
  g_autofree double *engine = NULL;
  g_autofree double *single = NULL;
  WmSpectrogramParams params;
  Signal signal;
  double bare_s, measured_s, engine_s, single_s, plan_estimate_s, plan_measure_s;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  repeats = MAX (repeats, 1);

  signal.n_frames = (gint64) seconds_of_audio * (gint64) SAMPLE_RATE;
  signal.samples = fftwf_alloc_real (signal.n_frames);
  synthesise (signal.samples, signal.n_frames);

  wm_spectrogram_params_init (&params);
  params.fft_size = FFT_SIZE;
  params.hop = HOP;
  cache = wm_tile_cache_new ((gsize) MAX (cache_mib, 1) << 20);
  spectrogram = wm_spectrogram_new_for_reader (signal.n_frames, SAMPLE_RATE, &params, cache,
                                               signal_read, &signal, NULL, &error);
  g_assert_no_error (error);

  g_print ("# spectrogram of %d s of %.0f Hz audio, FFT %d, hop %d: %" G_GINT64_FORMAT
           " columns in %u tiles of %u, %u cores, tile cache %d MiB\n",
           seconds_of_audio, SAMPLE_RATE, FFT_SIZE, HOP,
           wm_spectrogram_get_n_columns (spectrogram), wm_spectrogram_get_n_tiles (spectrogram),
           params.tile_columns, g_get_num_processors (), cache_mib);

  bare = g_new (double, repeats);
  measured = g_new (double, repeats);
  engine = g_new (double, repeats);
  single = g_new (double, repeats);
  for (int r = 0; r < repeats; r++)
    {
      bare[r] = time_bare_fftw (signal.samples, signal.n_frames, FFTW_ESTIMATE, &plan_estimate_s);
      measured[r] = time_bare_fftw (signal.samples, signal.n_frames, FFTW_MEASURE, &plan_measure_s);
      engine[r] = time_engine (spectrogram);
      single[r] = time_single_thread (spectrogram);
    }
  bare_s = best (bare, repeats);
  measured_s = best (measured, repeats);
  engine_s = best (engine, repeats);
  single_s = best (single, repeats);
  g_print ("# best of %d runs each\n", repeats);

  g_print ("bare FFTW r2c, 1 thread, FFTW_ESTIMATE plan:  %8.3f s  (planning %.4f s)\n",
           bare_s, plan_estimate_s);
  g_print ("bare FFTW r2c, 1 thread, FFTW_MEASURE plan:   %8.3f s  (planning %.4f s)  estimate/measure = %.2f\n",
           measured_s, plan_measure_s, bare_s / measured_s);
  g_print ("engine, compute_range, 1 thread:              %8.3f s  = %.2f x bare estimated, %.2f x bare measured\n",
           single_s, single_s / bare_s, single_s / measured_s);
  g_print ("engine, tiles through workers (in memory):    %8.3f s  = %.2f x bare estimated, %.2f x bare measured (goal <= 2)\n",
           engine_s, engine_s / bare_s, engine_s / measured_s);

  g_print ("render one tile (256 columns x 480 rows, mel, viridis):  %.3f ms\n",
           time_render (spectrogram) * 1e3);

  dir = g_dir_make_tmp ("waymark-bench-dsp-XXXXXX", &error);
  g_assert_no_error (error);

  if (!no_numpy)
    {
      double numpy_s = time_numpy (signal.samples, signal.n_frames, dir);

      if (numpy_s > 0.0)
        g_print ("numpy rfft STFT:                              %8.3f s  engine is %.1f x faster (goal >= 10)\n",
                 numpy_s, numpy_s / engine_s);
    }

  if (!no_store)
    {
      g_autofree char *path = g_build_filename (dir, "bench.waymark", NULL);
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autoptr(WmSpectrogram) stored = NULL;
      double write_s, stored_s;

      stored = write_project (signal.samples, signal.n_frames, path, &params, cache, &write_s);
      stored_s = time_engine (stored);
      for (int r = 1; r < repeats; r++)
        stored_s = MIN (stored_s, time_engine (stored));
      g_print ("(writing the project, int16: %.3f s)\n", write_s);
      g_print ("engine, tiles through workers (project file): %8.3f s  = %.2f x bare estimated, %.2f x bare measured\n",
               stored_s, stored_s / bare_s, stored_s / measured_s);
      g_clear_object (&stored);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
    }

  g_rmdir (dir);
  g_clear_object (&spectrogram);
  fftwf_free (signal.samples);
  return 0;
}
