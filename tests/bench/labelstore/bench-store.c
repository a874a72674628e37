/* bench-store.c — what opening and overviews cost, against reading everything
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-store [DIR]
 *
 * Builds (once, then reuses) in DIR two projects: a 10-hour 48 kHz mono
 * recording, and 100 hours of 8 kHz audio in ten recordings.  Prints:
 *  - the overview of the 10-hour recording at 2,000 buckets, against reading
 *    all of its samples (goal: under 1 %);
 *  - opening the 100-hour project and listing it as the app does at start,
 *    against the sqlite3 command-line tool opening it and counting the
 *    recordings; and how many statements touched sample_block (must be 0).
 */

#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "store-dump.h"
#include "wm-store.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
make_recording (WmStore *store,
                const char *name,
                double rate,
                gint64 n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = wm_recording_new ();
  g_autofree gint16 *chunk = g_new (gint16, 1 << 20);
  WmRecordingWriter *w;

  r->name = g_strdup (name);
  r->sample_rate = rate;
  r->n_channels = 1;
  r->kind = WM_RECORDING_KIND_AUDIO;
  r->sample_format = WM_SAMPLE_FORMAT_INT16;
  w = wm_store_begin_recording (store, r, &error);
  g_assert_no_error (error);
  for (gint64 done = 0; done < n_frames; done += 1 << 20)
    {
      gint64 n = MIN (1 << 20, n_frames - done);
      for (gint64 i = 0; i < n; i++)
        chunk[i] = (gint16) (8000 * sin ((done + i) * 0.01) + ((done + i) * 2654435761u >> 20) % 2000);
      wm_recording_writer_append (w, chunk, n, &error);
      g_assert_no_error (error);
    }
  wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);
}

static char *
ensure_project (const char *dir,
                const char *name,
                guint       n_recordings,
                double      rate,
                double      hours_each)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *done_mark = g_strconcat (path, ".complete", NULL);

  if (g_file_test (done_mark, G_FILE_TEST_EXISTS))
    return path;
  g_remove (path);
  fprintf (stderr, "building %s (%u × %.0f h at %.0f Hz), once…\n", path, n_recordings, hours_each, rate);
  store = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_recordings; i++)
    {
      g_autofree char *rec = g_strdup_printf ("rec%02u", i);
      make_recording (store, rec, rate, (gint64) (hours_each * 3600 * rate));
    }
  g_clear_object (&store);
  g_file_set_contents (done_mark, "", 0, NULL);
  return path;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, compare_doubles);
  return v[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *dir = argc > 1 ? argv[1] : g_get_tmp_dir ();
  g_autofree char *ten = ensure_project (dir, "bench-10h-48k.waymark", 1, 48000, 10);
  g_autofree char *hundred = ensure_project (dir, "bench-100h-8k.waymark", 10, 8000, 10);
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autofree WmSummaryBucket *buckets = g_new (WmSummaryBucket, 2000);
  g_autofree gint16 *chunk = g_new (gint16, 1 << 20);
  double overview[7], open_times[7], cli_times[7];
  double t, full_read, cli_ms;
  guint block_reads = 0;

  /* Overview of 10 h at 2,000 buckets. */
  store = wm_store_open (ten, WM_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  r = wm_store_get_recording (store, 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (overview); i++)
    {
      t = now_s ();
      wm_store_read_summary (store, 1, 0, 0, r->n_frames, 2000, buckets, &error);
      g_assert_no_error (error);
      overview[i] = now_s () - t;
    }
  t = now_s ();
  for (gint64 at = 0; at < r->n_frames; at += 1 << 20)
    {
      wm_store_read_frames_raw (store, 1, at, MIN (1 << 20, r->n_frames - at), chunk, &error);
      g_assert_no_error (error);
    }
  full_read = now_s () - t;
  g_clear_object (&store);

  /* Open 100 h and list it, as the app does at start. */
  for (guint i = 0; i < G_N_ELEMENTS (open_times); i++)
    {
      g_autoptr(GPtrArray) recordings = NULL;
      double hours = 0;

      t = now_s ();
      store = wm_store_open (hundred, WM_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      if (i == 0)
        wm_test_count_table_reads (store, "sample_block", &block_reads);
      recordings = wm_store_list_recordings (store, &error);
      g_assert_no_error (error);
      for (guint k = 0; k < recordings->len; k++)
        {
          hours += wm_recording_get_duration (recordings->pdata[k]) / 3600;
          wm_store_count_labels (store, ((WmRecording *) recordings->pdata[k])->id);
        }
      open_times[i] = now_s () - t;
      g_assert_cmpfloat (fabs (hours - 100), <, 0.01);
      wm_test_count_table_reads (store, NULL, NULL);
      g_clear_object (&store);
    }
  for (guint i = 0; i < G_N_ELEMENTS (cli_times); i++)
    {
      g_autofree char *cmd = g_strdup_printf ("sqlite3 -readonly '%s' 'SELECT count(*) FROM recording' >/dev/null", hundred);
      t = now_s ();
      if (system (cmd) != 0)
        g_error ("sqlite3 failed: %s", cmd);
      cli_times[i] = now_s () - t;
    }
  cli_ms = median (cli_times, G_N_ELEMENTS (cli_times)) * 1e3;

  printf ("overview of 10 h at 48 kHz, 2000 buckets: %.2f ms (median of %u)\n",
          median (overview, G_N_ELEMENTS (overview)) * 1e3, (guint) G_N_ELEMENTS (overview));
  printf ("reading all its samples (%.2f GB):          %.2f s\n",
          r->n_frames * 2 / 1e9, full_read);
  printf ("ratio overview / full read:                 %.4f %%  (goal < 1 %%)\n",
          100 * median (overview, G_N_ELEMENTS (overview)) / full_read);
  printf ("open + list a 100 h project:                %.2f ms (median of %u)\n",
          median (open_times, G_N_ELEMENTS (open_times)) * 1e3, (guint) G_N_ELEMENTS (open_times));
  printf ("sqlite3 CLI open + count, same file:        %.2f ms\n", cli_ms);
  printf ("ratio open / sqlite3 CLI:                   %.2f\n",
          median (open_times, G_N_ELEMENTS (open_times)) * 1e3 / cli_ms);
  printf ("statements reading sample blocks at open:   %u  (must be 0)\n", block_reads);
  return block_reads == 0 ? 0 : 1;
}
