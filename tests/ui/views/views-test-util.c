/* views-test-util.c — synthetic projects for the views' tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "views-test-util.h"

#define BLOCK_FRAMES 65536

/* A small deterministic generator, so every run writes the same project. */
static double
noise (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return ((*state >> 8) / (double) (1u << 24)) * 2 - 1;
}

gint64
views_test_add_audio (WmStore  *store,
                      GError  **error)
{
  const double rate = 16000, duration = 20;
  const gint64 n = (gint64) (rate * duration);
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autofree gint16 *frames = g_new (gint16, BLOCK_FRAMES * 2);
  WmRecordingWriter *writer;
  guint32 state = 1;
  double phase = 0;

  recording->name = g_strdup ("birds-and-engine");
  recording->sample_rate = rate;
  recording->n_channels = 2;
  recording->channel_names = g_strsplit ("left,right", ",", -1);
  recording->channel_units = g_strsplit (",", ",", -1);
  recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_format = WM_SAMPLE_FORMAT_INT16;
  recording->has_start_time = TRUE;
  recording->start_time_us = G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC; /* 2026-01-01 */

  writer = wm_store_begin_recording (store, recording, error);
  if (writer == NULL)
    return 0;

  for (gint64 first = 0; first < n; first += BLOCK_FRAMES)
    {
      gsize count = (gsize) MIN (BLOCK_FRAMES, n - first);

      for (gsize i = 0; i < count; i++)
        {
          double t = (first + (gint64) i) / rate;
          double hz = 200 + 5800 * fmod (t, 5) / 5;          /* a chirp every 5 s */
          double burst = fmod (t, 3) < 0.4 ? 0.5 * noise (&state) : 0;
          double left, right;

          phase += 2 * G_PI * hz / rate;
          left = 0.4 * sin (phase) + burst;
          right = 0.6 * sin (2 * G_PI * 440 * t) * (0.5 + 0.5 * sin (2 * G_PI * 0.25 * t));
          frames[2 * i] = (gint16) CLAMP (left * 32767, -32768, 32767);
          frames[2 * i + 1] = (gint16) CLAMP (right * 32767, -32768, 32767);
        }
      if (!wm_recording_writer_append (writer, frames, count, error))
        {
          wm_recording_writer_abort (writer);
          return 0;
        }
    }
  return wm_recording_writer_commit (writer, error);
}

gint64
views_test_add_sensor (WmStore  *store,
                       double    duration_s,
                       double    rate_hz,
                       GError  **error)
{
  const gint64 n = (gint64) (rate_hz * duration_s);
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autofree float *frames = g_new (float, BLOCK_FRAMES * 3);
  WmRecordingWriter *writer;
  guint32 state = 7;

  recording->name = g_strdup ("imu-hour");
  recording->sample_rate = rate_hz;
  recording->n_channels = 3;
  recording->channel_names = g_strsplit ("accel x,accel y,accel z", ",", -1);
  recording->channel_units = g_strsplit ("m/s²,m/s²,m/s²", ",", -1);
  recording->kind = WM_RECORDING_KIND_SENSOR;
  recording->sample_format = WM_SAMPLE_FORMAT_FLOAT32;

  writer = wm_store_begin_recording (store, recording, error);
  if (writer == NULL)
    return 0;

  for (gint64 first = 0; first < n; first += BLOCK_FRAMES)
    {
      gsize count = (gsize) MIN (BLOCK_FRAMES, n - first);

      for (gsize i = 0; i < count; i++)
        {
          double t = (first + (gint64) i) / rate_hz;
          double burst = fmod (t, 60) < 4 ? 3 * sin (2 * G_PI * 5 * t) : 0;

          frames[3 * i] = (float) (0.8 * sin (2 * G_PI * t / 300) + burst + 0.05 * noise (&state));
          frames[3 * i + 1] = (float) (0.5 * cos (2 * G_PI * t / 170) + 0.05 * noise (&state));
          frames[3 * i + 2] = (float) (9.81 + 0.3 * burst + 0.05 * noise (&state));
        }
      if (!wm_recording_writer_append (writer, frames, count, error))
        {
          wm_recording_writer_abort (writer);
          return 0;
        }
    }
  return wm_recording_writer_commit (writer, error);
}

gint64
views_test_add_long_audio (WmStore  *store,
                           double    duration_s,
                           double    rate_hz,
                           GError  **error)
{
  const gint64 n = (gint64) (rate_hz * duration_s);
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autofree gint16 *frames = g_new (gint16, BLOCK_FRAMES);
  WmRecordingWriter *writer;
  int last_tenth = 0;
  float tone[48];

  for (guint i = 0; i < G_N_ELEMENTS (tone); i++)
    tone[i] = (float) (20000 * sin (2 * G_PI * i / 48.0));

  recording->name = g_strdup ("long-audio");
  recording->sample_rate = rate_hz;
  recording->n_channels = 1;
  recording->channel_names = g_strsplit ("mono", ",", -1);
  recording->channel_units = g_new0 (char *, 2);
  recording->channel_units[0] = g_strdup ("");
  recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_format = WM_SAMPLE_FORMAT_INT16;

  writer = wm_store_begin_recording (store, recording, error);
  if (writer == NULL)
    return 0;

  for (gint64 first = 0; first < n; first += BLOCK_FRAMES)
    {
      gsize count = (gsize) MIN (BLOCK_FRAMES, n - first);
      int tenth = (int) (10 * first / n);

      /* A tone from a 48-entry table under a swell that changes per block:
       * cheap enough to write for hours. */
      double swell = 0.5 + 0.45 * sin (2 * G_PI * first / (rate_hz * 600));

      for (gsize i = 0; i < count; i++)
        frames[i] = (gint16) (swell * tone[(first + (gint64) i) % 48]);
      if (!wm_recording_writer_append (writer, frames, count, error))
        {
          wm_recording_writer_abort (writer);
          return 0;
        }
      if (tenth != last_tenth)
        {
          g_printerr ("# writing %s: %d %%\n", recording->name, tenth * 10);
          last_tenth = tenth;
        }
    }
  return wm_recording_writer_commit (writer, error);
}

gboolean
views_test_add_classes (WmStore  *store,
                        gint64   *out_ids,
                        GError  **error)
{
  static const char *names[] = { "bird", "engine", "voice" };
  static const char *colors[] = { "#e5a50a", "#3584e4", "#2ec27e" };
  static const char *keys[] = { "1", "2", "3" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      out_ids[i] = wm_store_add_class (store, names[i], colors[i], keys[i], error);
      if (out_ids[i] <= 0)
        return FALSE;
    }
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
views_test_median (double *values,
                   guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

WmStore *
views_test_new_project (const char  *template,
                        char       **out_dir,
                        char       **out_path)
{
  g_autoptr(GError) error = NULL;
  WmStore *store;

  *out_dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  *out_path = g_build_filename (*out_dir, "test.waymark", NULL);
  store = wm_store_open (*out_path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  return store;
}

void
views_test_remove_project (const char *dir,
                           const char *path)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, (const char *[]) { "", "-wal", "-shm" }[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

WmRecordingView *
views_test_present_view (int         width,
                         int         height,
                         GtkWidget **out_window)
{
  GtkWidget *window = gtk_window_new ();
  WmRecordingView *view = WM_RECORDING_VIEW (wm_recording_view_new ());

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  *out_window = window;
  return view;
}

gint64
views_test_add_run (WmStore    *store,
                    const char *model_name,
                    const char *version,
                    char      **class_names,
                    double     *thresholds,
                    gint64      window_frames,
                    gint64      hop_frames,
                    GError    **error)
{
  WmRun run = { 0 };

  run.model_name = (char *) model_name;
  run.model_version = (char *) version;
  run.variant = (char *) "f32";
  run.class_names = class_names;
  run.thresholds = thresholds;
  run.margin = 0.1;
  run.window_frames = window_frames;
  run.hop_frames = hop_frames;
  run.state = WM_RUN_COMPLETE;
  return wm_store_add_run (store, &run, error);
}
