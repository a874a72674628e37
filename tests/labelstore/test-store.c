/* test-store.c — the project file: open, migrate, samples, summaries, labels, undo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "wm-store.h"
#include "store-dump.h"
#include "test-util.h"

typedef struct {
  char    *dir;
  char    *path;
  WmStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("waymark-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.waymark", NULL);
  f->store = wm_store_open (f->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->store != NULL)
    g_assert_finalize_object (f->store);
  wm_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
reopen (Fixture          *f,
        WmStoreOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;

  g_assert_finalize_object (f->store);
  f->store = wm_store_open (f->path, flags, &error);
  g_assert_no_error (error);
}

/* A recording of @n_frames frames: channel c, frame i holds a value that
 * depends on both, with a few spikes that stride sampling would miss. */
static gint64
add_recording (WmStore        *store,
               WmSampleFormat  format,
               guint           n_channels,
               gint64          n_frames,
               double          rate,
               gpointer       *out_samples)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = wm_recording_new ();
  WmRecordingWriter *w;
  gsize ss = format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4;
  guint8 *samples = g_malloc (n_frames * n_channels * ss);
  gint64 id;

  for (gint64 i = 0; i < n_frames; i++)
    for (guint c = 0; c < n_channels; c++)
      {
        double v = 0.5 * sin (i * 0.001 * (c + 1)) + 0.1 * sin (i * 0.37);
        if (i % 7919 == 13)
          v = c % 2 ? -0.99 : 0.99;
        if (format == WM_SAMPLE_FORMAT_INT16)
          ((gint16 *) samples)[i * n_channels + c] = (gint16) lrint (v * 32767);
        else
          ((float *) samples)[i * n_channels + c] = (float) (v * 9.81);
      }

  r->name = g_strdup ("synthetic");
  r->sample_rate = rate;
  r->n_channels = n_channels;
  r->sample_format = format;
  r->kind = format == WM_SAMPLE_FORMAT_INT16 ? WM_RECORDING_KIND_AUDIO : WM_RECORDING_KIND_SENSOR;
  w = wm_store_begin_recording (store, r, &error);
  g_assert_no_error (error);
  /* Uneven appends, to cross block and bucket edges at odd places. */
  for (gint64 done = 0; done < n_frames;)
    {
      gint64 n = MIN (n_frames - done, 1000 + (done % 4099));
      wm_recording_writer_append (w, samples + done * n_channels * ss, n, &error);
      g_assert_no_error (error);
      done += n;
    }
  id = wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  if (out_samples != NULL)
    *out_samples = samples;
  else
    g_free (samples);
  return id;
}

static void
test_open_create_and_reopen (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) again = NULL;

  g_assert_cmpint (wm_store_get_schema_version (f->store), ==, WM_STORE_SCHEMA_VERSION);
  reopen (f, WM_STORE_OPEN_DEFAULT);
  g_assert_cmpint (wm_store_get_schema_version (f->store), ==, WM_STORE_SCHEMA_VERSION);

  /* Creating over an existing file is refused. */
  again = wm_store_open (f->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_assert_null (again);
}

static void
test_open_bad_files (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *text = g_build_filename (f->dir, "notes.waymark", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.sqlite", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.waymark", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  sqlite3 *db;
  struct {
    const char *path;
    int         code;
  } cases[] = {
    { text, WM_STORE_ERROR_NOT_A_PROJECT },
    { other, WM_STORE_ERROR_NOT_A_PROJECT },
    { missing, WM_STORE_ERROR_NOT_FOUND },
    { f->dir, WM_STORE_ERROR_NOT_A_PROJECT },
  };

  g_assert_true (g_file_set_contents (text, "this is not a database, just some words\n" "padding padding padding padding padding padding padding padding padding padding padding padding\n", -1, NULL));
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (other, &before, &before_len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WmStore) store = wm_store_open (cases[i].path, WM_STORE_OPEN_DEFAULT, &error);

      g_assert_null (store);
      g_assert_error (error, WM_STORE_ERROR, cases[i].code);
      /* The message names the file. */
      g_assert_nonnull (strstr (error->message, cases[i].path));
    }

  g_assert_true (g_file_get_contents (other, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

static void
test_open_too_new (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  sqlite3 *db;

  g_assert_finalize_object (f->store);
  f->store = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999; PRAGMA journal_mode = DELETE;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (f->path, &before, &before_len, NULL));

  store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer"));

  /* Untouched, to the byte. */
  g_assert_true (g_file_get_contents (f->path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

static void
test_open_migrates_older (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old = g_build_filename (f->dir, "old.waymark", NULL);
  g_autoptr(WmStore) store = NULL;
  sqlite3 *db;

  /* A file from before the first schema: ours (application id) but empty. */
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 1464685131;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = wm_store_open (old, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wm_store_get_schema_version (store), ==, WM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (wm_store_add_class (store, "wake", "#e01b24", "1", &error), >, 0);
  g_assert_no_error (error);
}

/* A version-1 file (before models) with data: upgraded in place, data kept. */
static void
test_open_migrates_v1 (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *labels_before = NULL;
  g_autofree char *labels_after = NULL;
  g_autoptr(WmLabel) l = wm_label_new ();
  sqlite3 *db;
  gint64 rec;

  rec = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 3000, 1000, NULL);
  l->recording_id = rec;
  l->class_id = wm_store_add_class (f->store, "wake", "#e01b24", NULL, &error);
  l->end_frame = 100;
  wm_store_add_label (f->store, l, &error);
  g_assert_no_error (error);
  labels_before = wm_test_dump_labels (f->store);
  g_assert_finalize_object (f->store);
  f->store = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE sample_tail; DROP TABLE upload_stream; DROP TABLE device; DROP INDEX label_edit_by_label; DROP TABLE review_item; DROP TABLE prediction; DROP INDEX label_by_run; "
                                   "ALTER TABLE label DROP COLUMN run_id; DROP TABLE run; DROP TABLE model; "
                                   "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wm_store_get_schema_version (f->store), ==, WM_STORE_SCHEMA_VERSION);
  models = wm_store_list_models (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 0);
  labels_after = wm_test_dump_labels (f->store);
  g_assert_cmpstr (labels_before, ==, labels_after);
}

static void
test_models (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = g_bytes_new_static ("model-a-bytes", 13);
  g_autoptr(GBytes) b = g_bytes_new_static ("model-b-bytes", 13);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(WmStoredModel) found = NULL;
  WmStoredModel m = { 0, (char *) "kws", (char *) "1.9", (char *) "int8", (char *) "aaaa", 13, (char *) "{}", 0 };
  gboolean existed = TRUE;
  gint64 id, again;

  id = wm_store_add_model (f->store, &m, a, &existed, &error);
  g_assert_no_error (error);
  g_assert_false (existed);
  again = wm_store_add_model (f->store, &m, a, &existed, &error);
  g_assert_no_error (error);
  g_assert_true (existed);
  g_assert_cmpint (again, ==, id);

  /* Same name, version and variant, other bytes: refused. */
  m.sha256 = (char *) "bbbb";
  g_assert_cmpint (wm_store_add_model (f->store, &m, b, NULL, &error), ==, 0);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  m.version = (char *) "1.10";
  wm_store_add_model (f->store, &m, b, NULL, &error);
  g_assert_no_error (error);
  m.version = (char *) "1.10";
  m.variant = (char *) "f32";
  m.sha256 = (char *) "cccc";
  wm_store_add_model (f->store, &m, b, NULL, &error);
  g_assert_no_error (error);

  /* Highest version in natural order, int8 preferred. */
  found = wm_store_find_model (f->store, "kws", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->version, ==, "1.10");
  g_assert_cmpstr (found->variant, ==, "int8");
  g_clear_pointer (&found, wm_stored_model_free);
  found = wm_store_find_model (f->store, "kws", "1.9", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, id);
  back = wm_store_get_model_file (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, a));
  g_clear_pointer (&found, wm_stored_model_free);
  found = wm_store_find_model (f->store, "kws", "2.0", NULL, &error);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  wm_store_remove_model (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_false (wm_store_remove_model (f->store, id, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 5000, 8000, NULL);
  reopen (f, WM_STORE_OPEN_READ_ONLY);
  before = wm_test_dump_store (f->path);

  g_assert_true (wm_store_is_read_only (f->store));
  g_assert_cmpint (wm_store_add_class (f->store, "wake", "#e01b24", NULL, &error), ==, 0);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, f->path));

  after = wm_test_dump_store (f->path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_samples_round_trip (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gint16 *pcm = NULL;
  g_autofree float *imu = NULL;
  g_autofree gint16 *raw16 = NULL;
  g_autofree float *rawf = NULL;
  g_autofree float *chan = NULL;
  g_autoptr(WmRecording) r = NULL;
  gint64 n16 = 200003, nf = 70001;
  gint64 id16, idf;

  id16 = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2, n16, 48000, (gpointer *) &pcm);
  idf = add_recording (f->store, WM_SAMPLE_FORMAT_FLOAT32, 6, nf, 100, (gpointer *) &imu);
  reopen (f, WM_STORE_OPEN_READ_ONLY);

  r = wm_store_get_recording (f->store, id16, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->n_frames, ==, n16);
  g_assert_cmpuint (r->n_channels, ==, 2);
  g_assert_cmpstr (r->channel_names[1], ==, "ch2");
  g_assert_cmpfloat_with_epsilon (wm_recording_get_duration (r), n16 / 48000.0, 1e-9);

  /* int16 comes back bit-exactly, whole and in an odd slice. */
  raw16 = g_new (gint16, n16 * 2);
  wm_store_read_frames_raw (f->store, id16, 0, n16, raw16, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (raw16, n16 * 4, pcm, n16 * 4);
  wm_store_read_frames_raw (f->store, id16, 65531, 70000, raw16, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (raw16, 70000 * 4, pcm + 65531 * 2, 70000 * 4);

  rawf = g_new (float, nf * 6);
  wm_store_read_frames_raw (f->store, idf, 0, nf, rawf, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (rawf, nf * 24, imu, nf * 24);

  chan = g_new (float, 9000);
  wm_store_read_frames (f->store, idf, 4, 8190, 9000, chan, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < 9000; i++)
    g_assert_cmpfloat (chan[i], ==, imu[(8190 + i) * 6 + 4]);
  wm_store_read_frames (f->store, id16, 1, 100, 10, chan, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < 10; i++)
    g_assert_cmpfloat (chan[i], ==, pcm[(100 + i) * 2 + 1] / 32768.0f);

  /* Outside the recording, and a channel it does not have. */
  g_assert_false (wm_store_read_frames (f->store, id16, 0, n16 - 5, 10, chan, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (wm_store_read_frames (f->store, id16, 2, 0, 10, chan, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID);
}

/* The overview must hold every peak: each bucket's min/max equal the true
 * min/max of the frames whose stored summary bucket starts in it. */
static void
check_summary (WmStore     *store,
               gint64       id,
               const float *values, /* one channel, as floats */
               gint64       n_frames,
               gint64       first,
               gint64       end,
               guint        n_buckets)
{
  g_autoptr(GError) error = NULL;
  g_autofree WmSummaryBucket *b = g_new (WmSummaryBucket, n_buckets);
  float true_min = INFINITY, true_max = -INFINITY;
  float got_min = INFINITY, got_max = -INFINITY;
  double sumsq = 0, got_sumsq = 0;
  gint64 covered = 0;
  gint64 stored_end = MIN (end, n_frames);

  wm_store_read_summary (store, id, 0, first, end, n_buckets, b, &error);
  g_assert_no_error (error);

  for (gint64 i = first; i < stored_end; i++)
    {
      true_min = MIN (true_min, values[i]);
      true_max = MAX (true_max, values[i]);
      sumsq += (double) values[i] * values[i];
    }
  for (guint i = 0; i < n_buckets; i++)
    {
      if (b[i].n_frames_covered == 0)
        continue;
      g_assert_cmpfloat (b[i].min, <=, b[i].max);
      got_min = MIN (got_min, b[i].min);
      got_max = MAX (got_max, b[i].max);
      got_sumsq += (double) b[i].rms * b[i].rms * b[i].n_frames_covered;
      covered += b[i].n_frames_covered;
    }

  /* Stored buckets may reach a little outside [first, end) at the edges; the
   * extremes inside the range must be present. */
  g_assert_cmpfloat (got_min, <=, true_min);
  g_assert_cmpfloat (got_max, >=, true_max);
  g_assert_cmpint (covered, >=, stored_end - first);
  g_assert_cmpint (covered, <=, stored_end - first + 2 * 65536);
  if (covered == stored_end - first)
    g_assert_cmpfloat (fabs (got_sumsq - sumsq), <=, 1e-3 * sumsq + 1e-6);
}

static void
test_summaries (Fixture       *f,
                gconstpointer  data)
{
  g_autofree gint16 *pcm = NULL;
  g_autofree float *values = NULL;
  gint64 n = 3 * 65536 * 4 + 12345; /* several level-2 buckets */
  gint64 id;

  id = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, n, 48000, (gpointer *) &pcm);
  values = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    values[i] = pcm[i] / 32768.0f;

  /* Whole recording at widths that use every level and the raw samples. */
  check_summary (f->store, id, values, n, 0, n, 1);
  check_summary (f->store, id, values, n, 0, n, 2000);
  check_summary (f->store, id, values, n, 0, n, 12);
  check_summary (f->store, id, values, n, 777, 777 + 5000, 400);
  check_summary (f->store, id, values, n, 777, 777 + 300, 1000);
  check_summary (f->store, id, values, n, 65000, 65000 + 300000, 1000);
  /* Asking past the end leaves the tail buckets empty. */
  check_summary (f->store, id, values, n, n - 1000, n + 1000, 100);

  /* Level 1 exactly where buckets align: each output bucket is 4 stored ones. */
  {
    g_autoptr(GError) error = NULL;
    WmSummaryBucket b[64];

    wm_store_read_summary (f->store, id, 0, 0, 64 * 1024, 64, b, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 64; i++)
      {
        float lo = INFINITY, hi = -INFINITY;
        for (gint64 k = i * 1024; k < (i + 1) * 1024; k++)
          {
            lo = MIN (lo, values[k]);
            hi = MAX (hi, values[k]);
          }
        g_assert_cmpfloat (b[i].min, ==, lo);
        g_assert_cmpfloat (b[i].max, ==, hi);
        g_assert_cmpuint (b[i].n_frames_covered, ==, 1024);
      }
  }
}

static void
test_open_reads_no_samples (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GError) error = NULL;
  WmSummaryBucket b[100];
  guint reads = 0;

  add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 500000, 48000, NULL);
  reopen (f, WM_STORE_OPEN_DEFAULT);

  wm_test_count_table_reads (f->store, "sample_block", &reads);
  recordings = wm_store_list_recordings (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recordings->len, ==, 1);
  wm_store_read_summary (f->store, 1, 0, 0, 500000, 100, b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reads, ==, 0);

  /* The counter does count: a sample read goes through it. */
  wm_store_read_summary (f->store, 1, 0, 0, 50, 100, b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reads, >, 0);
  wm_test_count_table_reads (f->store, NULL, NULL);
}

static void
test_classes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(WmClass) wake = NULL;
  g_autoptr(WmLabel) label = wm_label_new ();
  gint64 id, rec;

  id = wm_store_add_class (f->store, "wake", "#E01B24", "1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (wm_store_add_class (f->store, "wake", "#000000", NULL, &error), ==, 0);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (wm_store_add_class (f->store, "noise", "#000000", "1", &error), ==, 0);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "shortcut"));
  g_clear_error (&error);
  g_assert_cmpint (wm_store_add_class (f->store, "noise", "red", NULL, &error), ==, 0);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  wake = wm_store_find_class (f->store, "wake", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wake->color, ==, "#e01b24");
  g_assert_cmpstr (wake->shortcut, ==, "1");

  g_free (wake->color);
  wake->color = g_strdup ("#33d17a");
  wm_store_update_class (f->store, wake, &error);
  g_assert_no_error (error);
  classes = wm_store_list_classes (f->store, &error);
  g_assert_cmpuint (classes->len, ==, 1);
  g_assert_cmpstr (((WmClass *) classes->pdata[0])->color, ==, "#33d17a");

  /* A class in use cannot go. */
  rec = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 1000, 1000, NULL);
  label->recording_id = rec;
  label->class_id = id;
  label->start_frame = 10;
  label->end_frame = 20;
  wm_store_add_label (f->store, label, &error);
  g_assert_no_error (error);
  g_assert_false (wm_store_remove_class (f->store, id, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE);
  g_clear_error (&error);

  wm_store_remove_label (f->store, label->id, &error);
  g_assert_no_error (error);
  wm_store_remove_class (f->store, id, &error);
  g_assert_no_error (error);
  /* Its history went with it: undo cannot bring back a label of a removed class. */
  g_assert_false (wm_store_can_undo (f->store));
}

static WmLabel *
make_label (gint64 rec,
            gint64 cls,
            gint64 start,
            gint64 end)
{
  WmLabel *label = wm_label_new ();

  label->recording_id = rec;
  label->class_id = cls;
  label->start_frame = start;
  label->end_frame = end;
  label->author = g_strdup ("tester");
  return label;
}

static void
test_labels_validation_and_range (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  gint64 rec, cls;
  struct { gint64 start, end; int code; } bad[] = {
    { 50, 40, WM_STORE_ERROR_INVALID },   /* end before start */
    { 900, 1001, WM_STORE_ERROR_INVALID }, /* beyond the recording */
    { -1, 10, WM_STORE_ERROR_INVALID },
  };

  rec = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 1000, 1000, NULL);
  cls = wm_store_add_class (f->store, "go", "#3584e4", "2", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(WmLabel) l = make_label (rec, cls, bad[i].start, bad[i].end);
      g_assert_false (wm_store_add_label (f->store, l, &error));
      g_assert_error (error, WM_STORE_ERROR, bad[i].code);
      g_clear_error (&error);
    }
  {
    g_autoptr(WmLabel) l = make_label (rec, cls + 100, 1, 2);
    g_assert_false (wm_store_add_label (f->store, l, &error));
    g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(WmLabel) l = make_label (rec + 100, cls, 1, 2);
    g_assert_false (wm_store_add_label (f->store, l, &error));
    g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  g_assert_cmpint (wm_store_count_labels (f->store, rec), ==, 0);
  g_assert_false (wm_store_can_undo (f->store));

  for (gint64 s = 0; s < 1000; s += 100)
    {
      g_autoptr(WmLabel) l = make_label (rec, cls, s, s + 50);
      wm_store_add_label (f->store, l, &error);
      g_assert_no_error (error);
    }
  {
    g_autoptr(WmLabel) point = make_label (rec, cls, 420, 420);
    wm_store_add_label (f->store, point, &error);
    g_assert_no_error (error);
  }

  /* [120, 430): overlaps 100–150? no (ends 150 > 120: yes), 200, 300, 400, point 420. */
  found = wm_store_list_labels (f->store, rec, 120, 430, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 5);
  g_assert_cmpint (((WmLabel *) found->pdata[0])->start_frame, ==, 100);
  g_assert_cmpint (((WmLabel *) found->pdata[4])->start_frame, ==, 420);
  g_assert_cmpstr (((WmLabel *) found->pdata[0])->class_name, ==, "go");
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Touching is not overlapping: [150, 200) holds nothing. */
  found = wm_store_list_labels (f->store, rec, 150, 200, &error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  found = wm_store_list_labels (f->store, 0, 0, -1, &error);
  g_assert_cmpuint (found->len, ==, 11);
}

/* n undos after n edits restore the start; n redos restore the end exactly;
 * both survive closing and reopening the project. */
static void
test_undo_redo (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *now = NULL;
  gint64 rec, a, b, ids[3];
  guint n_edits = 0;

  rec = add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 10000, 1000, NULL);
  a = wm_store_add_class (f->store, "a", "#111111", NULL, &error);
  b = wm_store_add_class (f->store, "b", "#222222", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (wm_store_can_undo (f->store));
  start = wm_test_dump_labels (f->store);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WmLabel) l = make_label (rec, a, i * 1000, i * 1000 + 500);
      wm_store_add_label (f->store, l, &error);
      g_assert_no_error (error);
      ids[i] = l->id;
      n_edits++;
    }
  {
    g_autoptr(WmLabel) l = wm_store_get_label (f->store, ids[1], &error);
    l->class_id = b;
    l->start_frame = 1100;
    l->end_frame = 1900;
    wm_store_update_label (f->store, l, &error);
    g_assert_no_error (error);
    n_edits++;
  }
  wm_store_remove_label (f->store, ids[0], &error);
  g_assert_no_error (error);
  n_edits++;
  end = wm_test_dump_labels (f->store);

  reopen (f, WM_STORE_OPEN_DEFAULT);

  for (guint i = 0; i < n_edits; i++)
    {
      g_assert_true (wm_store_can_undo (f->store));
      wm_store_undo (f->store, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_false (wm_store_can_undo (f->store));
  g_assert_false (wm_store_undo (f->store, NULL, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  now = wm_test_dump_labels (f->store);
  g_assert_cmpstr (now, ==, start);
  g_clear_pointer (&now, g_free);

  reopen (f, WM_STORE_OPEN_DEFAULT);

  for (guint i = 0; i < n_edits; i++)
    {
      wm_store_redo (f->store, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_false (wm_store_can_redo (f->store));
  now = wm_test_dump_labels (f->store);
  g_assert_cmpstr (now, ==, end);
  g_clear_pointer (&now, g_free);

  /* A new edit after an undo drops the redo stack. */
  wm_store_undo (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wm_store_can_redo (f->store));
  {
    g_autoptr(WmLabel) l = make_label (rec, b, 5000, 5001);
    wm_store_add_label (f->store, l, &error);
    g_assert_no_error (error);
  }
  g_assert_false (wm_store_can_redo (f->store));
}

static void
test_disk_full_rolls_back (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(WmRecording) r = wm_recording_new ();
  g_autofree gint16 *zeros = g_new0 (gint16, 65536);
  WmRecordingWriter *w;
  gboolean failed = FALSE;
  sqlite3 *db = wm_store_get_db (f->store);

  add_recording (f->store, WM_SAMPLE_FORMAT_INT16, 1, 10000, 1000, NULL);
  before = wm_test_dump_store (f->path);

  /* Room for a few more pages only. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 40", NULL, NULL, NULL), ==, SQLITE_OK);

  r->name = g_strdup ("too big");
  r->sample_rate = 48000;
  r->n_channels = 1;
  r->sample_format = WM_SAMPLE_FORMAT_INT16;
  r->kind = WM_RECORDING_KIND_AUDIO;
  w = wm_store_begin_recording (f->store, r, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && !failed; i++)
    failed = !wm_recording_writer_append (w, zeros, 65536, &error);
  if (failed)
    wm_recording_writer_abort (w);
  else
    failed = wm_recording_writer_commit (w, &error) == 0;
  g_assert_true (failed);
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_FULL);

  after = wm_test_dump_store (f->path);
  g_assert_cmpstr (before, ==, after);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/labelstore/open/create-and-reopen", test_open_create_and_reopen);
  ADD ("/labelstore/open/bad-files", test_open_bad_files);
  ADD ("/labelstore/open/too-new", test_open_too_new);
  ADD ("/labelstore/open/migrates-older", test_open_migrates_older);
  ADD ("/labelstore/open/migrates-v1", test_open_migrates_v1);
  ADD ("/labelstore/open/read-only", test_read_only);
  ADD ("/labelstore/models", test_models);
  ADD ("/labelstore/open/reads-no-samples", test_open_reads_no_samples);
  ADD ("/labelstore/samples/round-trip", test_samples_round_trip);
  ADD ("/labelstore/samples/summaries", test_summaries);
  ADD ("/labelstore/samples/disk-full", test_disk_full_rolls_back);
  ADD ("/labelstore/classes", test_classes);
  ADD ("/labelstore/labels/validation-and-range", test_labels_validation_and_range);
  ADD ("/labelstore/labels/undo", test_undo_redo);

  return g_test_run ();
}
