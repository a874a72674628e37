/* test-appender.c — growing recordings, uploads, schema v5, change polling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "wm-store.h"
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

  f->dir = g_dir_make_tmp ("waymark-appender-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.waymark", NULL);
  f->store = wm_store_open (f->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
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

static gsize
sample_size (WmSampleFormat format)
{
  return format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4;
}

/* A signal with spikes; float32 values carry units. */
static guint8 *
make_samples (WmSampleFormat format,
              guint          n_channels,
              gint64         n_frames)
{
  guint8 *samples = g_malloc (n_frames * n_channels * sample_size (format));

  for (gint64 i = 0; i < n_frames; i++)
    for (guint c = 0; c < n_channels; c++)
      {
        double v = 0.5 * sin (i * 0.0007 * (c + 1)) + 0.2 * sin (i * 0.31);
        if (i % 6007 == 11)
          v = c % 2 ? -0.97 : 0.97;
        if (format == WM_SAMPLE_FORMAT_INT16)
          ((gint16 *) samples)[i * n_channels + c] = (gint16) lrint (v * 32767);
        else
          ((float *) samples)[i * n_channels + c] = (float) (v * 9.81);
      }
  return samples;
}

static WmRecording *
recording_shape (WmSampleFormat format,
                 guint          n_channels,
                 const char    *name)
{
  WmRecording *r = wm_recording_new ();

  r->name = g_strdup (name);
  r->sample_rate = 1000;
  r->n_channels = n_channels;
  r->sample_format = format;
  r->kind = WM_RECORDING_KIND_SENSOR;
  return r;
}

static gint64
import_one_shot (WmStore        *store,
                 WmSampleFormat  format,
                 guint           n_channels,
                 const guint8   *samples,
                 gint64          n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = recording_shape (format, n_channels, "one-shot");
  WmRecordingWriter *w = wm_store_begin_recording (store, r, &error);
  gint64 id;

  g_assert_no_error (error);
  g_assert_true (wm_recording_writer_append (w, samples, n_frames, &error));
  id = wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);
  return id;
}

static gint64
empty_recording (WmStore        *store,
                 WmSampleFormat  format,
                 guint           n_channels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = recording_shape (format, n_channels, "growing");
  WmRecordingWriter *w = wm_store_begin_recording (store, r, &error);
  gint64 id;

  g_assert_no_error (error);
  id = wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);
  return id;
}

/* One transaction: append frames [from, to) and flush. */
static void
append_in_transaction (WmStore             *store,
                       WmRecordingAppender *appender,
                       const guint8        *samples,
                       gsize                frame_bytes,
                       gint64               from,
                       gint64               to)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wm_store_begin (store, &error));
  g_assert_true (wm_recording_appender_append (appender, samples + from * frame_bytes, to - from, &error));
  g_assert_no_error (error);
  g_assert_true (wm_recording_appender_flush (appender, &error));
  g_assert_no_error (error);
  g_assert_true (wm_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wm_recording_appender_get_n_frames (appender), ==, to);
}

/* Summary rows of two recordings: the same rows, min and max bit for bit,
 * rms within 1e-6 relative. */
static void
assert_summaries_equal (WmStore *store,
                        gint64   a,
                        gint64   b)
{
  sqlite3 *db = wm_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  guint n_rows = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT x.level, x.chunk, x.buckets, y.buckets FROM summary x "
                                       "LEFT JOIN summary y ON y.recording_id = ?2 AND y.level = x.level AND y.chunk = x.chunk "
                                       "WHERE x.recording_id = ?1 ORDER BY x.level, x.chunk", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int n_bytes = sqlite3_column_bytes (stmt, 2);
      const float *x = sqlite3_column_blob (stmt, 2);
      const float *y = sqlite3_column_blob (stmt, 3);

      g_assert_cmpint (sqlite3_column_bytes (stmt, 3), ==, n_bytes);
      for (int i = 0; i < n_bytes / (int) sizeof (float); i++)
        {
          if (i % 3 == 2)
            g_assert_cmpfloat (fabs (x[i] - y[i]), <=, 1e-6 * fabs (x[i]) + 1e-12);
          else
            g_assert_cmpmem (&x[i], sizeof (float), &y[i], sizeof (float));
        }
      n_rows++;
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM summary WHERE recording_id = ?1) - "
                                           "(SELECT count(*) FROM summary WHERE recording_id = ?2)", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_rows, >, 0);
}

static void
assert_samples_equal (WmStore *store,
                      gint64   a,
                      gint64   b,
                      gint64   n_frames,
                      gsize    frame_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *x = g_malloc (n_frames * frame_bytes);
  g_autofree guint8 *y = g_malloc (n_frames * frame_bytes);
  g_autoptr(WmRecording) ra = wm_store_get_recording (store, a, &error);
  g_autoptr(WmRecording) rb = wm_store_get_recording (store, b, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ra->n_frames, ==, n_frames);
  g_assert_cmpint (rb->n_frames, ==, n_frames);
  g_assert_true (wm_store_read_frames_raw (store, a, 0, n_frames, x, &error));
  g_assert_true (wm_store_read_frames_raw (store, b, 0, n_frames, y, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (x, n_frames * frame_bytes, y, n_frames * frame_bytes);
}

static void
assert_same_recording (WmStore *store,
                       gint64   a,
                       gint64   b,
                       gint64   n_frames,
                       gsize    frame_bytes)
{
  assert_samples_equal (store, a, b, n_frames, frame_bytes);
  assert_summaries_equal (store, a, b);
}

typedef struct {
  WmSampleFormat format;
  guint          n_channels;
} Shape;

static const Shape int16_stereo = { WM_SAMPLE_FORMAT_INT16, 2 };
static const Shape float_three = { WM_SAMPLE_FORMAT_FLOAT32, 3 };

/* Many transactions, chunk sizes that cross blocks, buckets and summary rows
 * at odd places; at checkpoints the growing recording equals a one-shot
 * import of what it holds so far. */
static void
test_appender_equals_one_shot (Fixture       *f,
                               gconstpointer  data)
{
  const Shape *shape = data;
  const gint64 n_frames = 300000;
  gsize frame_bytes = shape->n_channels * sample_size (shape->format);
  g_autofree guint8 *samples = make_samples (shape->format, shape->n_channels, n_frames);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) appender = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  gint64 growing, done = 0;
  guint step = 0;

  growing = empty_recording (f->store, shape->format, shape->n_channels);
  appender = wm_store_open_appender (f->store, growing, &error);
  g_assert_no_error (error);

  while (done < n_frames)
    {
      gint64 n = MIN (n_frames - done, g_rand_int_range (rand, 1, 9000));

      append_in_transaction (f->store, appender, samples, frame_bytes, done, done + n);
      done += n;
      if (++step % 23 == 0 || done == n_frames)
        {
          gint64 reference = import_one_shot (f->store, shape->format, shape->n_channels, samples, done);
          assert_same_recording (f->store, growing, reference, done, frame_bytes);
          g_assert_true (wm_store_remove_recording (f->store, reference, &error));
        }
    }
}

/* Every chunk through a new connection and a new appender: the state is
 * rebuilt from what is stored each time. */
static void
test_appender_reopen_each_chunk (Fixture       *f,
                                 gconstpointer  data)
{
  const Shape *shape = data;
  const gint64 n_frames = 140000;
  gsize frame_bytes = shape->n_channels * sample_size (shape->format);
  g_autofree guint8 *samples = make_samples (shape->format, shape->n_channels, n_frames);
  g_autoptr(GError) error = NULL;
  gint64 growing, reference, done = 0;

  growing = empty_recording (f->store, shape->format, shape->n_channels);
  for (guint i = 0; done < n_frames; i++)
    {
      gint64 n = MIN (n_frames - done, 1 + (i * 2654435761u) % 7000);
      g_autoptr(WmRecordingAppender) appender = NULL;

      g_assert_finalize_object (f->store);
      f->store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      appender = wm_store_open_appender (f->store, growing, &error);
      g_assert_no_error (error);
      append_in_transaction (f->store, appender, samples, frame_bytes, done, done + n);
      done += n;
    }
  reference = import_one_shot (f->store, shape->format, shape->n_channels, samples, n_frames);
  assert_same_recording (f->store, growing, reference, n_frames, frame_bytes);
}

/* Appends undone by a rollback (whole or a savepoint, flushed or not) leave
 * no trace in the cached appender. */
static void
test_appender_rollback (Fixture       *f,
                        gconstpointer  data)
{
  const gint64 n_frames = 90000;
  gsize frame_bytes = 4;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, n_frames);
  g_autofree guint8 *noise = make_samples (WM_SAMPLE_FORMAT_INT16, 2, n_frames);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) appender = NULL;
  gint64 growing, reference;

  for (gint64 i = 0; i < n_frames * 2; i++)
    ((gint16 *) noise)[i] ^= 0x5a5a;
  growing = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  appender = wm_store_open_appender (f->store, growing, &error);
  g_assert_no_error (error);
  append_in_transaction (f->store, appender, samples, frame_bytes, 0, 30000);

  /* Flushed, then the whole transaction rolled back. */
  g_assert_true (wm_store_begin (f->store, &error));
  g_assert_true (wm_recording_appender_append (appender, noise, 40000, &error));
  g_assert_true (wm_recording_appender_flush (appender, &error));
  wm_store_rollback (f->store);

  /* Appended but not flushed (no row written), in a savepoint rolled back. */
  g_assert_true (wm_store_begin (f->store, &error));
  g_assert_true (wm_store_begin (f->store, &error));
  g_assert_true (wm_recording_appender_append (appender, noise, 100, &error));
  wm_store_rollback (f->store);
  g_assert_cmpint (wm_recording_appender_get_n_frames (appender), ==, 30000);
  g_assert_true (wm_store_commit (f->store, &error));
  g_assert_no_error (error);

  append_in_transaction (f->store, appender, samples, frame_bytes, 30000, n_frames);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, n_frames);
  assert_same_recording (f->store, growing, reference, n_frames, frame_bytes);
}

/* Another connection appends to the same recording: a cached appender
 * notices at its next transaction. */
static void
test_appender_other_writer (Fixture       *f,
                            gconstpointer  data)
{
  const gint64 n_frames = 20000;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, n_frames);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) other = NULL;
  g_autoptr(WmRecordingAppender) mine = NULL;
  g_autoptr(WmRecordingAppender) theirs = NULL;
  gint64 growing, reference;

  growing = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  mine = wm_store_open_appender (f->store, growing, &error);
  append_in_transaction (f->store, mine, samples, 4, 0, 5000);

  other = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  theirs = wm_store_open_appender (other, growing, &error);
  append_in_transaction (other, theirs, samples, 4, 5000, 12000);

  append_in_transaction (f->store, mine, samples, 4, 12000, n_frames);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, n_frames);
  assert_same_recording (f->store, growing, reference, n_frames, 4);
}

/* 1,000 chunks of 4 KiB, one transaction each: the time per chunk of the
 * last hundred against the first hundred (printed, not asserted). */
static void
test_appender_cost_per_chunk (Fixture       *f,
                              gconstpointer  data)
{
  const gint64 chunk_frames = 1024; /* 4 KiB of int16 stereo */
  const guint n_chunks = 1000;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, chunk_frames * n_chunks);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) appender = NULL;
  gint64 growing, first = 0, last = 0;

  /* The cost asked about is SQLite's work, not the disk's fsync. */
  g_assert_cmpint (sqlite3_exec (wm_store_get_db (f->store), "PRAGMA synchronous = OFF", NULL, NULL, NULL), ==, SQLITE_OK);
  growing = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  appender = wm_store_open_appender (f->store, growing, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_chunks; i++)
    {
      gint64 start = g_get_monotonic_time ();

      append_in_transaction (f->store, appender, samples, 4, i * chunk_frames, (i + 1) * chunk_frames);
      if (i < 100)
        first += g_get_monotonic_time () - start;
      else if (i >= n_chunks - 100)
        last += g_get_monotonic_time () - start;
    }
  g_test_message ("appending 1000 chunks of 4 KiB: first 100 %.1f µs/chunk, last 100 %.1f µs/chunk",
                  first / 100.0, last / 100.0);
}

/* A version-4 project (before devices) is brought to version 5, its data kept. */
static void
test_migrates_v4 (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, 3000);
  sqlite3 *db;

  import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, 3000);
  g_assert_finalize_object (f->store);
  f->store = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE sample_tail; DROP TABLE upload_stream; DROP TABLE device; "
                                     "PRAGMA user_version = 4;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wm_store_get_schema_version (f->store), ==, WM_STORE_SCHEMA_VERSION);
  recordings = wm_store_list_recordings (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recordings->len, ==, 1);
  g_assert_cmpint (((WmRecording *) recordings->pdata[0])->n_frames, ==, 3000);
  g_assert_false (((WmRecording *) recordings->pdata[0])->uploading);
  g_assert_true (wm_store_add_device (f->store, "dev1", "imu", "00ff", NULL, &error));
  g_assert_no_error (error);
  devices = wm_store_list_devices (f->store, &error);
  g_assert_cmpuint (devices->len, ==, 1);
}

static gint64
count_rows (WmStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (wm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* A version-5 project (growing recordings rewrote their partial last block)
 * is brought to version 6; a recording whose last block is a partial row
 * grows on through tail rows and still equals a one-shot import. */
static void
test_migrates_v5 (Fixture       *f,
                  gconstpointer  data)
{
  const gint64 n_frames = 70000;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) appender = NULL;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, n_frames);
  gint64 growing, reference;
  sqlite3 *db;

  /* 5000 frames: one partial sample_block row, as version 5 stored it. */
  growing = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, 5000);
  g_assert_finalize_object (f->store);
  f->store = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE sample_tail; PRAGMA user_version = 5;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wm_store_get_schema_version (f->store), ==, 6);
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM sample_tail"), ==, 0);
  appender = wm_store_open_appender (f->store, growing, &error);
  g_assert_no_error (error);
  append_in_transaction (f->store, appender, samples, 4, 5000, 9000);
  /* The partial row stays as it was; the new frames are one tail row. */
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM sample_tail"), ==, 1);
  g_assert_cmpint (count_rows (f->store, "SELECT sum(n_frames) FROM sample_block"), ==, 5000);
  append_in_transaction (f->store, appender, samples, 4, 9000, n_frames);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, n_frames);
  assert_same_recording (f->store, growing, reference, n_frames, 4);
}

/* Chunk after chunk, each byte of the partial block is stored once as it
 * arrives (not the whole partial block again), the block is merged into one
 * sample_block row when it fills, and dead tail rows are dropped. */
static void
test_appender_tail_rows (Fixture       *f,
                         gconstpointer  data)
{
  const gint64 chunk = 1000;
  const guint n_chunks = 600;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, chunk * n_chunks);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) appender = NULL;
  gint64 growing, reference, block_frames, tail_bytes = 0;

  growing = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  block_frames = count_rows (f->store, "SELECT block_frames FROM recording");
  appender = wm_store_open_appender (f->store, growing, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_chunks; i++)
    {
      gint64 before = count_rows (f->store, "SELECT coalesce (max (id), 0) FROM sample_tail");
      g_autofree char *added = g_strdup_printf ("SELECT coalesce (sum (length (samples)), 0) FROM sample_tail "
                                                "WHERE id > %" G_GINT64_FORMAT, before);

      append_in_transaction (f->store, appender, samples, 4, i * chunk, (i + 1) * chunk);
      tail_bytes += count_rows (f->store, added);
      /* Live tail rows hold exactly the frames past the last full block. */
      g_assert_cmpint (count_rows (f->store, "SELECT coalesce (sum (length (samples)), 0) FROM sample_tail t "
                                             "WHERE t.first_frame >= (SELECT n_frames - n_frames % block_frames FROM recording WHERE id = t.recording_id)"),
                       ==, ((i + 1) * chunk % block_frames) * 4);
    }
  /* Every appended byte went into a tail row once, apart from the frames that
   * completed a block. */
  g_assert_cmpint (tail_bytes, <=, chunk * n_chunks * 4);
  g_assert_cmpint (tail_bytes, >=, chunk * n_chunks * 4 - (chunk * n_chunks / block_frames + 1) * chunk * 4);
  /* Dead rows were dropped: fewer than one compaction period's worth left. */
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM sample_tail"), <, 256 + block_frames / chunk + 1);
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM sample_block WHERE n_frames = (SELECT block_frames FROM recording)"),
                   ==, chunk * n_chunks / block_frames);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, chunk * n_chunks);
  assert_same_recording (f->store, growing, reference, chunk * n_chunks, 4);
}

/* A recording that stops growing mid-block while another goes on: once its
 * tail rows are old, its partial block is sealed into sample_block and the
 * rows are dropped; it reads the same, and grows on where it stopped. */
static void
test_appender_seals_stalled (Fixture       *f,
                             gconstpointer  data)
{
  const gint64 n_frames = 3000 * 10;
  g_autofree guint8 *samples = make_samples (WM_SAMPLE_FORMAT_INT16, 2, n_frames);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecordingAppender) stalled = NULL;
  g_autoptr(WmRecordingAppender) busy = NULL;
  gint64 stalled_id, busy_id, reference;

  g_assert_cmpint (sqlite3_exec (wm_store_get_db (f->store), "PRAGMA synchronous = OFF", NULL, NULL, NULL), ==, SQLITE_OK);
  stalled_id = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  busy_id = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  stalled = wm_store_open_appender (f->store, stalled_id, &error);
  busy = wm_store_open_appender (f->store, busy_id, &error);
  g_assert_no_error (error);
  append_in_transaction (f->store, stalled, samples, 4, 0, 700);
  append_in_transaction (f->store, stalled, samples, 4, 700, 1500);
  for (gint64 i = 0; i < 3000; i++)
    append_in_transaction (f->store, busy, samples, 4, i * 10, (i + 1) * 10);

  g_assert_cmpint (count_rows (f->store, "SELECT n_frames FROM sample_block WHERE id >> 32 = (SELECT min (id) FROM recording)"), ==, 1500);
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM sample_tail WHERE recording_id = (SELECT min (id) FROM recording)"), ==, 0);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, 1500);
  assert_same_recording (f->store, stalled_id, reference, 1500, 4);
  append_in_transaction (f->store, stalled, samples, 4, 1500, n_frames);
  reference = import_one_shot (f->store, WM_SAMPLE_FORMAT_INT16, 2, samples, n_frames);
  assert_same_recording (f->store, stalled_id, reference, n_frames, 4);
  assert_same_recording (f->store, busy_id, reference, n_frames, 4);
}

static void
test_poll_changes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) reader = wm_store_open (f->path, WM_STORE_OPEN_READ_ONLY, &error);

  g_assert_no_error (error);
  g_assert_false (wm_store_poll_changes (reader));
  g_assert_false (wm_store_poll_changes (reader));
  g_assert_cmpint (wm_store_add_class (f->store, "wake", "#e01b24", NULL, &error), >, 0);
  g_assert_true (wm_store_poll_changes (reader));
  g_assert_false (wm_store_poll_changes (reader));
  /* Its own writes are not news to a connection. */
  g_assert_false (wm_store_poll_changes (f->store));
  g_assert_cmpint (wm_store_add_class (f->store, "cough", "#2ec27e", NULL, &error), >, 0);
  g_assert_false (wm_store_poll_changes (f->store));
  g_assert_true (wm_store_poll_changes (reader));
}

/* A stream's recording shows as uploading until finalized, with its
 * provenance; the device's counts follow. */
static void
test_upload_provenance (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmUploadStream) stream = g_new0 (WmUploadStream, 1);
  g_autoptr(WmUploadStream) read = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autoptr(WmDevice) device = NULL;
  gint64 id, created_at;

  g_assert_true (wm_store_add_device (f->store, "dev1", "imu", "ab12", "k", &error));
  g_assert_no_error (error);
  g_assert_false (wm_store_add_device (f->store, "dev1", "imu", "cd34", NULL, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  id = empty_recording (f->store, WM_SAMPLE_FORMAT_INT16, 2);
  stream->device = g_strdup ("dev1");
  stream->stream_id = g_strdup ("s1");
  stream->recording_id = id;
  stream->metadata = g_strdup ("{}");
  stream->firmware = g_strdup ("1.2");
  stream->device_type = g_strdup ("imu");
  g_assert_true (wm_store_add_upload_stream (f->store, stream, &error));
  g_assert_no_error (error);
  created_at = stream->created_at;
  g_assert_false (wm_store_add_upload_stream (f->store, stream, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (wm_store_set_upload_progress (f->store, "dev1", "s1", 100, 400, &error));
  g_assert_no_error (error);

  r = wm_store_get_recording (f->store, id, &error);
  g_assert_true (r->uploading);
  device = wm_store_get_device (f->store, "dev1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (device->n_streams, ==, 1);
  g_assert_cmpint (device->n_bytes, ==, 400);
  g_assert_cmpint (device->n_incomplete, ==, 1);
  g_assert_cmpint (device->oldest_incomplete_at, ==, created_at);
  g_assert_true (device->has_hmac_key);

  g_assert_true (wm_store_finalize_upload_stream (f->store, "dev1", "s1", "ABCD", &error));
  g_assert_no_error (error);
  g_clear_pointer (&r, wm_recording_free);
  r = wm_store_get_recording (f->store, id, &error);
  g_assert_false (r->uploading);
  g_assert_cmpstr (r->source_sha256, ==, "abcd");
  read = wm_store_get_recording_upload (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->firmware, ==, "1.2");
  g_assert_cmpstr (read->device_type, ==, "imu");
  g_assert_cmpint (read->committed_offset, ==, 100);
  g_assert_cmpint (read->frame_bytes, ==, 4);
  g_assert_cmpint (read->finalized_at, >=, read->created_at);
  g_assert_null (wm_store_get_recording_upload (f->store, id + 1000, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/labelstore/appender/equals-one-shot/int16", &int16_stereo, test_appender_equals_one_shot);
  ADD ("/labelstore/appender/equals-one-shot/float32", &float_three, test_appender_equals_one_shot);
  ADD ("/labelstore/appender/reopen-each-chunk/int16", &int16_stereo, test_appender_reopen_each_chunk);
  ADD ("/labelstore/appender/reopen-each-chunk/float32", &float_three, test_appender_reopen_each_chunk);
  ADD ("/labelstore/appender/rollback", NULL, test_appender_rollback);
  ADD ("/labelstore/appender/other-writer", NULL, test_appender_other_writer);
  ADD ("/labelstore/appender/cost-per-chunk", NULL, test_appender_cost_per_chunk);
  ADD ("/labelstore/open/migrates-v4", NULL, test_migrates_v4);
  ADD ("/labelstore/open/migrates-v5", NULL, test_migrates_v5);
  ADD ("/labelstore/appender/tail-rows", NULL, test_appender_tail_rows);
  ADD ("/labelstore/appender/seals-stalled", NULL, test_appender_seals_stalled);
  ADD ("/labelstore/poll-changes", NULL, test_poll_changes);
  ADD ("/labelstore/uploads/provenance", NULL, test_upload_provenance);

  return g_test_run ();
}
