/* wm-test-project.c — small generated projects for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sndfile.h>

#include "wm-test-project.h"

static gint64
add_recording (WmStore         *store,
               const char      *name,
               WmRecordingKind  kind,
               double           rate,
               const char     **channel_names,
               const char     **channel_units,
               gsize            n_frames)
{
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autoptr(GError) error = NULL;
  WmRecordingWriter *writer;
  guint n_channels = g_strv_length ((char **) channel_names);
  GRand *rand = g_rand_new_with_seed (7);
  gint64 id;

  recording->name = g_strdup (name);
  recording->kind = kind;
  recording->sample_rate = rate;
  recording->n_channels = n_channels;
  recording->channel_names = g_strdupv ((char **) channel_names);
  recording->channel_units = g_strdupv ((char **) channel_units);
  recording->sample_format = kind == WM_RECORDING_KIND_AUDIO ? WM_SAMPLE_FORMAT_INT16
                                                             : WM_SAMPLE_FORMAT_FLOAT32;
  recording->has_start_time = TRUE;
  recording->start_time_us = G_GINT64_CONSTANT (1764000000) * G_USEC_PER_SEC;

  writer = wm_store_begin_recording (store, recording, &error);
  g_assert_no_error (error);

  for (gsize first = 0; first < n_frames; first += 4096)
    {
      gsize n = MIN (4096, n_frames - first);

      if (kind == WM_RECORDING_KIND_AUDIO)
        {
          g_autofree gint16 *frames = g_new (gint16, n);

          /* Each second: a half-second call sweeping up from 400 Hz with
           * two harmonics, then quiet; noise throughout. */
          for (gsize i = 0; i < n; i++)
            {
              double t = (first + i) / rate;
              double u = fmod (t, 1.0);
              double phase = 2 * G_PI * (400 * u + 1800 * u * u);
              double call = u < 0.5 ? 0.45 * sin (phase) + 0.2 * sin (2 * phase)
                                      + 0.1 * sin (3 * phase)
                                    : 0.05 * sin (2 * G_PI * 440 * t);

              frames[i] = (gint16) (32767 * (call + 0.04 * g_rand_double_range (rand, -1, 1)));
            }
          wm_recording_writer_append (writer, frames, n, &error);
        }
      else
        {
          g_autofree float *frames = g_new (float, n * n_channels);

          for (gsize i = 0; i < n; i++)
            for (guint c = 0; c < n_channels; c++)
              frames[i * n_channels + c] =
                (float) (sin (2 * G_PI * (0.5 + c) * (first + i) / rate) * (c + 1)
                         + 0.2 * g_rand_double_range (rand, -1, 1));
          wm_recording_writer_append (writer, frames, n, &error);
        }
      g_assert_no_error (error);
    }

  id = wm_recording_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_rand_free (rand);

  return id;
}

static void
add_label (WmStore *store,
           gint64   recording_id,
           gint64   class_id,
           gint64   start_frame,
           gint64   end_frame)
{
  g_autoptr(WmLabel) label = wm_label_new ();
  g_autoptr(GError) error = NULL;

  label->recording_id = recording_id;
  label->class_id = class_id;
  label->start_frame = start_frame;
  label->end_frame = end_frame;
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  wm_store_add_label (store, label, &error);
  g_assert_no_error (error);
}

WmTestProject *
wm_test_project_new (void)
{
  static const char *audio_names[] = { "mic", NULL };
  static const char *audio_units[] = { "", NULL };
  static const char *imu_names[] = { "acc_x", "acc_y", "acc_z", NULL };
  static const char *imu_units[] = { "m/s2", "m/s2", "m/s2", NULL };
  WmTestProject *project = g_new0 (WmTestProject, 1);
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  project->dir = g_dir_make_tmp ("waymark-ui-XXXXXX", &error);
  g_assert_no_error (error);
  project->path = g_build_filename (project->dir, "test.waymark", NULL);

  store = wm_store_open (project->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  project->audio_id = add_recording (store, "voice", WM_RECORDING_KIND_AUDIO, 16000.0,
                                     audio_names, audio_units, 4 * 16000);
  project->sensor_id = add_recording (store, "imu walk", WM_RECORDING_KIND_SENSOR, 100.0,
                                      imu_names, imu_units, 60 * 100);
  project->stop_class = wm_store_add_class (store, "stop", "#e01b24", "1", &error);
  g_assert_no_error (error);
  project->go_class = wm_store_add_class (store, "go", "#33d17a", "2", &error);
  g_assert_no_error (error);

  add_label (store, project->audio_id, project->stop_class, 16000, 24000);
  add_label (store, project->audio_id, project->go_class, 48000, 56000);

  return project;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
wm_test_project_free (WmTestProject *project)
{
  if (project == NULL)
    return;

  remove_tree (project->dir);
  g_free (project->dir);
  g_free (project->path);
  g_free (project);
}

char *
wm_test_write_wav (const char *dir,
                   const char *name,
                   gsize       n_frames)
{
  g_autofree gint16 *frames = g_new (gint16, n_frames);
  char *path = g_build_filename (dir, name, NULL);
  SF_INFO info = { .samplerate = 16000, .channels = 1,
                   .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *file;

  for (gsize i = 0; i < n_frames; i++)
    frames[i] = (gint16) (12000 * sin (2 * G_PI * 660 * i / 16000.0));

  file = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (file);
  g_assert_cmpint (sf_writef_short (file, frames, n_frames), ==, n_frames);
  g_assert_cmpint (sf_close (file), ==, 0);

  return path;
}

char *
wm_test_project_dump (WmStore *store)
{
  g_autoptr(GString) dump = g_string_new (NULL);
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GError) error = NULL;

  recordings = wm_store_list_recordings (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < recordings->len; i++)
    {
      const WmRecording *r = g_ptr_array_index (recordings, i);

      g_string_append_printf (dump, "recording %" G_GINT64_FORMAT " %s %u %" G_GINT64_FORMAT "\n",
                              r->id, r->name, r->n_channels, r->n_frames);
    }

  classes = wm_store_list_classes (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < classes->len; i++)
    {
      const WmClass *c = g_ptr_array_index (classes, i);

      g_string_append_printf (dump, "class %" G_GINT64_FORMAT " %s %s %s\n",
                              c->id, c->name, c->color, c->shortcut ? c->shortcut : "-");
    }

  labels = wm_store_list_labels (store, 0, 0, -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    {
      const WmLabel *l = g_ptr_array_index (labels, i);

      g_string_append_printf (dump, "label %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") %" G_GINT64_FORMAT "\n",
                              l->id, l->recording_id, l->start_frame, l->end_frame, l->class_id);
    }

  return g_string_free (g_steal_pointer (&dump), FALSE);
}
