/* bench-export.c — a dataset of 100,000 windows, against writing its bytes plainly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-export [DIR] [WINDOWS]
 *
 * Builds in a scratch directory under DIR (default: the temporary directory) a project with one
 * 6-channel, 100 Hz int16 recording and one label over all of it, and exports
 * it as a dataset of WINDOWS (100,000) windows of 32 frames.  Then writes the
 * same number of bytes to one file with plain sequential fwrite and an fsync,
 * as the export does for each of its files.  Prints both times and their
 * ratio (goal: at most 2).  Asserts nothing about time.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"
#include "wm-export.h"
#include "wm-store.h"

#define CHANNELS 6
#define WINDOW   32

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gint64
make_project (const char *path,
              gint64      n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  g_autoptr(WmRecording) r = wm_recording_new ();
  g_autoptr(WmLabel) label = wm_label_new ();
  g_autofree gint16 *chunk = g_new (gint16, 65536 * CHANNELS);
  const char *names[] = { "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z", NULL };
  const char *units[] = { "m/s2", "m/s2", "m/s2", "rad/s", "rad/s", "rad/s", NULL };
  WmRecordingWriter *w;
  gint64 id;

  g_assert_no_error (error);
  r->name = g_strdup ("walk");
  r->sample_rate = 100;
  r->n_channels = CHANNELS;
  r->channel_names = g_strdupv ((char **) names);
  r->channel_units = g_strdupv ((char **) units);
  r->kind = WM_RECORDING_KIND_SENSOR;
  r->sample_format = WM_SAMPLE_FORMAT_INT16;
  w = wm_store_begin_recording (store, r, &error);
  g_assert_no_error (error);
  for (gint64 done = 0; done < n_frames; done += 65536)
    {
      gint64 n = MIN (65536, n_frames - done);
      for (gint64 i = 0; i < n * CHANNELS; i++)
        chunk[i] = (gint16) (((done * CHANNELS + i) * 2654435761u) >> 17);
      wm_recording_writer_append (w, chunk, n, &error);
      g_assert_no_error (error);
    }
  id = wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);

  label->recording_id = id;
  label->start_frame = 0;
  label->end_frame = n_frames;
  label->class_id = wm_store_add_class (store, "walk", "#3584e4", NULL, &error);
  g_assert_no_error (error);
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  wm_store_add_label (store, label, &error);
  g_assert_no_error (error);
  return id;
}

/* The bytes of every file under @dir. */
static gint64
tree_size (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gint64 total = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      total += S_ISDIR (st.st_mode) ? tree_size (path) : st.st_size;
    }
  return total;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *project = NULL;
  g_autofree char *out = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *buffer = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint n_windows = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  WmDatasetOptions options = { .window_frames = WINDOW, .hop_frames = WINDOW, .background_ratio = 0,
                               .seed = 1, .split = { 1, 0, 0 }, .review_negatives = TRUE };
  WmExportSummary summary = { 0 };
  double t0, t_export, t_plain;
  gint64 bytes = 0;
  FILE *f;

  dir = g_build_filename (argc > 1 ? argv[1] : g_get_tmp_dir (), "waymark-bench-export-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (dir));
  project = g_build_filename (dir, "bench-export.waymark", NULL);
  out = g_build_filename (dir, "bench-export-dataset", NULL);
  plain = g_build_filename (dir, "bench-export-plain.bin", NULL);

  g_print ("building a project of %u windows of %d frames x %d channels…\n", n_windows, WINDOW, CHANNELS);
  make_project (project, (gint64) n_windows * WINDOW);
  store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  t0 = now_s ();
  wm_export_dataset (store, NULL, &options, out, &summary, &error);
  t_export = now_s () - t0;
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_windows, ==, n_windows);
  bytes = tree_size (out);

  /* The comparator: the same bytes, one buffered sequential file, synced. */
  buffer = g_malloc0 (1 << 16);
  t0 = now_s ();
  f = fopen (plain, "w");
  g_assert_nonnull (f);
  for (gint64 done = 0; done < bytes; done += 1 << 16)
    fwrite (buffer, 1, (size_t) MIN (1 << 16, bytes - done), f);
  fflush (f);
  fsync (fileno (f));
  fclose (f);
  t_plain = now_s () - t0;

  g_print ("dataset export: %u windows, %.1f MB in %.3f s (%.0f windows/s)\n",
           n_windows, bytes / 1e6, t_export, n_windows / t_export);
  g_print ("plain sequential write of the same bytes: %.3f s\n", t_plain);
  g_print ("ratio export / plain write: %.2f (goal <= 2)\n", t_export / t_plain);

  g_clear_object (&store);
  wm_test_remove_tree (dir);
  return 0;
}
