/* bench-export.c — a dataset of 100,000 windows, against writing its bytes plainly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-export [DIR] [WINDOWS] [RUNS]
 *
 * Builds in a scratch directory under DIR (default: the temporary directory) a project with one
 * 6-channel, 100 Hz int16 recording and one label over all of it, and exports
 * it as a dataset of WINDOWS (100,000) windows of 32 frames.  Then writes the
 * same number of bytes to one file with plain sequential fwrite and an fsync,
 * as the export does for each of its files.  Export and plain write take
 * turns RUNS (5) times; each export's files are checked against its
 * manifest's SHA-256.  Prints each pair, the medians and the median ratio
 * (goal: at most 2) with the load average.  Asserts nothing about time.
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

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

/* The files under @dir hold what the manifest's SHA-256 says, and X.npy of
 * the training split holds @n_windows windows: a fast export that wrote the
 * wrong bytes would not count. */
static void
check_dataset (const char *dir,
               guint       n_windows)
{
  g_autofree char *manifest_path = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *x_path = g_build_filename (dir, "train", "X.npy", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *sha256;
  g_autoptr(GList) names = NULL;
  GStatBuf st;

  json_parser_load_from_file (parser, manifest_path, &error);
  g_assert_no_error (error);
  sha256 = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "sha256");
  names = json_object_get_members (sha256);
  g_assert_cmpuint (g_list_length (names), ==, 7);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *path = g_build_filename (dir, l->data, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *digest = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_assert_cmpstr (digest, ==, json_object_get_string_member (sha256, l->data));
    }
  g_assert_cmpint (g_stat (x_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 128 + (gint64) n_windows * WINDOW * CHANNELS * sizeof (float));
}

/* The comparator: @bytes in one buffered sequential file, synced. */
static double
write_plain (const char *path,
             gint64      bytes)
{
  g_autofree char *buffer = g_malloc0 (1 << 16);
  double t0 = now_s ();
  FILE *f = fopen (path, "w");

  g_assert_nonnull (f);
  for (gint64 done = 0; done < bytes; done += 1 << 16)
    fwrite (buffer, 1, (size_t) MIN (1 << 16, bytes - done), f);
  fflush (f);
  fsync (fileno (f));
  fclose (f);
  return now_s () - t0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, (GCompareFunc) compare_doubles);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *project = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(WmStore) store = NULL;
  guint n_windows = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  guint n_runs = argc > 3 ? (guint) atoi (argv[3]) : 5;
  WmDatasetOptions options = { .window_frames = WINDOW, .hop_frames = WINDOW, .background_ratio = 0,
                               .seed = 1, .split = { 1, 0, 0 }, .review_negatives = TRUE };
  g_autofree double *t_export = NULL;
  g_autofree double *t_plain = NULL;
  g_autofree double *ratio = NULL;
  gint64 bytes = 0;
  double load[3] = { 0, 0, 0 };

  n_runs = MAX (n_runs, 1);
  t_export = g_new (double, n_runs);
  t_plain = g_new (double, n_runs);
  ratio = g_new (double, n_runs);
  dir = g_build_filename (argc > 1 ? argv[1] : g_get_tmp_dir (), "waymark-bench-export-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (dir));
  project = g_build_filename (dir, "bench-export.waymark", NULL);
  plain = g_build_filename (dir, "bench-export-plain.bin", NULL);

  g_print ("building a project of %u windows of %d frames x %d channels…\n", n_windows, WINDOW, CHANNELS);
  make_project (project, (gint64) n_windows * WINDOW);
  /* The project's own pages on disk first: otherwise their writeback runs
   * during the first export and slows its reads and its fsync. */
  {
    int fd = g_open (project, O_RDONLY, 0);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (fsync (fd), ==, 0);
    close (fd);
  }
  {
    g_autoptr(GError) error = NULL;
    store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
  }

  /* Export and comparator take turns, so that both meet the same state of
   * the page cache and the disk; each run writes into a fresh directory. */
  for (guint run = 0; run < n_runs; run++)
    {
      g_autofree char *name = g_strdup_printf ("bench-export-dataset-%u", run);
      g_autofree char *out = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;
      WmExportSummary summary = { 0 };
      double t0 = now_s ();

      wm_export_dataset (store, NULL, &options, out, &summary, &error);
      t_export[run] = now_s () - t0;
      g_assert_no_error (error);
      g_assert_cmpuint (summary.n_windows, ==, n_windows);
      bytes = tree_size (out);
      check_dataset (out, n_windows);
      t_plain[run] = write_plain (plain, bytes);
      ratio[run] = t_export[run] / t_plain[run];
      g_print ("run %u: export %.3f s, plain write %.3f s (%.1f MB), ratio %.2f\n", run + 1, t_export[run], t_plain[run],
               bytes / 1e6, ratio[run]);
      wm_test_remove_tree (out);
      g_unlink (plain);
    }

  getloadavg (load, 3);
  g_print ("dataset export: %u windows, %.1f MB, median %.3f s (%.0f windows/s, %.0f MB/s)\n",
           n_windows, bytes / 1e6, median (t_export, n_runs), n_windows / median (t_export, n_runs),
           bytes / 1e6 / median (t_export, n_runs));
  g_print ("plain sequential write of the same bytes: median %.3f s\n", median (t_plain, n_runs));
  g_print ("ratio export / plain write: median %.2f over %u runs (goal <= 2); load average %.2f %.2f %.2f\n",
           median (ratio, n_runs), n_runs, load[0], load[1], load[2]);

  g_clear_object (&store);
  wm_test_remove_tree (dir);
  return 0;
}
