/* test-ingest.c — the ingest engine: streams, chunks, resends, gaps, group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"
#include "wm-ingest.h"

typedef struct {
  char     *dir;
  char     *path;
  char     *token;   /* of device "dev1" */
  char     *token2;  /* of device "dev2" */
  WmIngest *ingest;
} Fixture;

static const char *meta_json =
  "{\"sample_rate\": 100, \"sample_format\": \"int16\", "
  "\"channels\": [{\"name\": \"acc_x\", \"unit\": \"m/s2\"}, {\"name\": \"acc_y\", \"unit\": \"m/s2\"}], "
  "\"start_time\": \"2026-12-07T10:00:00.250Z\", \"device_type\": \"imu-board\", \"firmware\": \"1.4.2\"}";

#define FRAME_BYTES 4

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;

  f->dir = g_dir_make_tmp ("waymark-ingest-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.waymark", NULL);
  store = wm_store_open (f->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->token = wm_ingest_add_device (store, "dev1", "imu-board", NULL, &error);
  g_assert_no_error (error);
  f->token2 = wm_ingest_add_device (store, "dev2", "imu-board", "ei-secret", &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  f->ingest = wm_ingest_new (f->path, data, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->ingest != NULL)
    {
      wm_ingest_close (f->ingest);
      /* Completed tasks may still sit in the default context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (f->ingest);
    }
  wm_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_free (f->token);
  g_free (f->token2);
}

static WmStreamMeta *
test_meta (void)
{
  g_autoptr(GError) error = NULL;
  WmStreamMeta *meta = wm_stream_meta_from_json (meta_json, -1, &error);

  g_assert_no_error (error);
  return meta;
}

/* Frames [first, first + n) of a known signal, 2 channels int16. */
static GBytes *
frames (gint64 first,
        gint64 n)
{
  gint16 *data = g_new (gint16, n * 2);

  for (gint64 i = 0; i < n; i++)
    {
      data[2 * i] = (gint16) (((first + i) * 7919) % 65536 - 32768);
      data[2 * i + 1] = (gint16) ((first + i) % 1000 - 500);
    }
  return g_bytes_new_take (data, n * FRAME_BYTES);
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
put_stream (Fixture    *f,
            const char *device,
            const char *stream_id,
            gboolean    expect_created)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamMeta) meta = test_meta ();
  g_autoptr(WmStreamState) state = NULL;
  gboolean created = !expect_created;

  g_assert_true (wm_ingest_put_stream_sync (f->ingest, device, stream_id, meta, &state, &created, &error));
  g_assert_no_error (error);
  g_assert_cmpint (created, ==, expect_created);
  g_assert_nonnull (state);
  g_assert_cmpint (state->recording_id, >, 0);
}

/* Sends frames [first, first + n); returns the committed offset. */
static gint64
put_chunk (Fixture    *f,
           const char *stream_id,
           gint64      first,
           gint64      n,
           GError    **error)
{
  g_autoptr(GBytes) bytes = frames (first, n);
  g_autofree char *sha = sha256_of (bytes);
  gint64 committed = -2;

  wm_ingest_put_chunk_sync (f->ingest, "dev1", stream_id, first, bytes, sha, &committed, error);
  return committed;
}

static gint64
committed_offset (Fixture    *f,
                  const char *stream_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamState) state = wm_ingest_get_stream (f->ingest, "dev1", stream_id, &error);

  g_assert_no_error (error);
  return state->committed_offset;
}

static gint64
recording_of (Fixture    *f,
              const char *stream_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamState) state = wm_ingest_get_stream (f->ingest, "dev1", stream_id, &error);

  g_assert_no_error (error);
  return state->recording_id;
}

static char *
whole_sha256 (gint64 n)
{
  g_autoptr(GBytes) all = frames (0, n);
  return sha256_of (all);
}

/* The recording's frames read back through a separate connection. */
static void
assert_recording_holds (Fixture *f,
                        gint64   recording_id,
                        gint64   n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (f->path, WM_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(WmRecording) r = NULL;
  g_autoptr(GBytes) expected = frames (0, n);
  g_autofree guint8 *stored = g_malloc (n * FRAME_BYTES + 1);

  g_assert_no_error (error);
  r = wm_store_get_recording (store, recording_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->n_frames, ==, n);
  g_assert_true (wm_store_read_frames_raw (store, recording_id, 0, n, stored, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (stored, n * FRAME_BYTES, g_bytes_get_data (expected, NULL), n * FRAME_BYTES);
}

static void
test_basic_path (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(WmStreamState) again = NULL;
  g_autoptr(WmStreamState) read = NULL;
  g_autofree char *sha = whole_sha256 (5000);

  g_assert_true (wm_ingest_authenticate (f->ingest, "dev1", f->token, &error));
  g_assert_no_error (error);

  put_stream (f, "dev1", "s1", TRUE);
  put_stream (f, "dev1", "s1", FALSE);
  g_assert_cmpint (committed_offset (f, "s1"), ==, 0);

  for (gint64 at = 0; at < 5000; at += 700)
    {
      g_assert_cmpint (put_chunk (f, "s1", at, MIN (700, 5000 - at), &error), ==, MIN (at + 700, 5000));
      g_assert_no_error (error);
      g_assert_cmpint (committed_offset (f, "s1"), ==, MIN (at + 700, 5000));
    }

  g_assert_true (wm_ingest_finalize_sync (f->ingest, "dev1", "s1", sha, &state, &error));
  g_assert_no_error (error);
  g_assert_true (state->finalized);
  g_assert_cmpstr (state->sha256, ==, sha);
  g_assert_cmpint (state->committed_offset, ==, 5000);
  g_assert_cmpstr (state->meta->firmware, ==, "1.4.2");

  /* Finalize again: the same recording. */
  g_assert_true (wm_ingest_finalize_sync (f->ingest, "dev1", "s1", sha, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again->recording_id, ==, state->recording_id);

  read = wm_ingest_get_stream (f->ingest, "dev1", "s1", &error);
  g_assert_no_error (error);
  g_assert_true (read->finalized);
  g_assert_cmpint (read->recording_id, ==, state->recording_id);
  assert_recording_holds (f, state->recording_id, 5000);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device = NULL;
  g_autofree char *key = NULL;
  g_autoptr(WmStore) store = NULL;

  g_assert_false (wm_ingest_authenticate (f->ingest, "dev1", f->token2, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (wm_ingest_authenticate (f->ingest, "dev1", "", &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (wm_ingest_authenticate (f->ingest, "nobody", f->token, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  device = wm_ingest_device_for_token (f->ingest, f->token2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (device, ==, "dev2");
  key = wm_ingest_get_hmac_key (f->ingest, "dev2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "ei-secret");
  g_clear_pointer (&key, g_free);
  key = wm_ingest_get_hmac_key (f->ingest, "dev1", &error);
  g_assert_no_error (error);
  g_assert_null (key);

  /* Revoked while the engine runs: refused at once. */
  store = wm_store_open (f->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (wm_ingest_revoke_device (store, "dev1", &error));
  g_assert_no_error (error);
  g_assert_false (wm_ingest_authenticate (f->ingest, "dev1", f->token, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* The engine does not make streams for a revoked device either. */
  {
    g_autoptr(WmStreamMeta) meta = test_meta ();
    g_assert_false (wm_ingest_put_stream_sync (f->ingest, "dev1", "s1", meta, NULL, NULL, &error));
    g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED);
  }
}

static void
test_duplicates_and_overlaps (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  put_stream (f, "dev1", "s1", TRUE);
  g_assert_cmpint (put_chunk (f, "s1", 0, 1000, &error), ==, 1000);
  /* The same chunk again: the same answer, nothing new stored. */
  g_assert_cmpint (put_chunk (f, "s1", 0, 1000, &error), ==, 1000);
  g_assert_no_error (error);
  /* Partly old (equal), partly new. */
  g_assert_cmpint (put_chunk (f, "s1", 500, 1000, &error), ==, 1500);
  g_assert_no_error (error);
  /* A chunk inside what is stored. */
  g_assert_cmpint (put_chunk (f, "s1", 100, 10, &error), ==, 1500);
  g_assert_no_error (error);

  /* A gap: refused with the committed offset. */
  g_assert_cmpint (put_chunk (f, "s1", 1600, 100, &error), ==, 1500);
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_GAP);
  g_clear_error (&error);

  /* Overlapping frames that differ. */
  {
    g_autoptr(GBytes) bytes = frames (1400, 200);
    gsize size;
    guint8 *changed = g_bytes_unref_to_data (g_steal_pointer (&bytes), &size);
    g_autoptr(GBytes) other = NULL;
    g_autofree char *sha = NULL;
    gint64 committed = -2;

    changed[8] ^= 1;
    other = g_bytes_new_take (changed, size);
    sha = sha256_of (other);
    g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 1400, other, sha, &committed, &error));
    g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_OVERLAP);
    g_assert_cmpint (committed, ==, 1500);
    g_clear_error (&error);
  }
  g_assert_cmpint (committed_offset (f, "s1"), ==, 1500);

  /* Not whole frames. */
  {
    g_autoptr(GBytes) odd = g_bytes_new ("abc", 3);
    gint64 committed = -2;

    g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 1500, odd, NULL, &committed, &error));
    g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID);
    g_assert_cmpint (committed, ==, 1500);
    g_clear_error (&error);
  }
  /* No such stream. */
  g_assert_cmpint (put_chunk (f, "nope", 0, 10, &error), ==, -1);
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    g_autoptr(WmStreamState) state = wm_ingest_get_stream (f->ingest, "dev1", "s1", &error);
    g_assert_no_error (error);
    assert_recording_holds (f, state->recording_id, 1500);
  }
}

static void
test_hash_mismatch_stores_nothing (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = frames (0, 1000);
  g_autoptr(GBytes) good = frames (0, 999);
  g_autofree char *wrong = sha256_of (good);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 committed = -2;

  put_stream (f, "dev1", "s1", TRUE);
  before = wm_test_dump_store (f->path);
  g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 0, bytes, wrong, &committed, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 0, bytes, "xyz", &committed, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID);
  g_clear_error (&error);
  after = wm_test_dump_store (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (committed_offset (f, "s1"), ==, 0);

  /* The good resend is taken. */
  g_assert_cmpint (put_chunk (f, "s1", 0, 1000, &error), ==, 1000);
  g_assert_no_error (error);
}

static void
test_finalize (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamState) state = NULL;
  g_autofree char *partial = whole_sha256 (1000);
  g_autofree char *whole = whole_sha256 (2000);

  put_stream (f, "dev1", "s1", TRUE);
  g_assert_cmpint (put_chunk (f, "s1", 0, 1000, &error), ==, 1000);
  /* The device means 2000 frames: refused, the stream stays open. */
  g_assert_false (wm_ingest_finalize_sync (f->ingest, "dev1", "s1", whole, &state, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZE_MISMATCH);
  g_clear_error (&error);
  g_assert_false (state->finalized);
  g_assert_cmpint (put_chunk (f, "s1", 1000, 1000, &error), ==, 2000);
  g_assert_no_error (error);
  g_clear_pointer (&state, wm_stream_state_free);
  g_assert_true (wm_ingest_finalize_sync (f->ingest, "dev1", "s1", whole, &state, &error));
  g_assert_no_error (error);
  g_assert_true (state->finalized);

  /* Past the end of a finalized stream: refused; a resend below it is fine. */
  g_assert_cmpint (put_chunk (f, "s1", 2000, 10, &error), ==, 2000);
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZED);
  g_clear_error (&error);
  g_assert_cmpint (put_chunk (f, "s1", 1000, 1000, &error), ==, 2000);
  g_assert_no_error (error);
  /* Finalize with another hash after it was finalized. */
  g_assert_false (wm_ingest_finalize_sync (f->ingest, "dev1", "s1", partial, NULL, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZE_MISMATCH);
}

static void
test_metadata_conflict (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamMeta) meta = test_meta ();
  g_autoptr(WmStreamState) state = NULL;
  gboolean created = TRUE;

  put_stream (f, "dev1", "s1", TRUE);
  g_free (meta->firmware);
  meta->firmware = g_strdup ("1.5.0");
  g_assert_false (wm_ingest_put_stream_sync (f->ingest, "dev1", "s1", meta, &state, &created, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_METADATA_CONFLICT);
  g_assert_false (created);
  g_assert_nonnull (state);
  g_assert_cmpstr (state->meta->firmware, ==, "1.4.2");
  g_clear_error (&error);

  /* The same stream id of another device is another stream. */
  put_stream (f, "dev2", "s1", TRUE);
}

typedef struct {
  guint   pending;
  guint   ok;
  gint64  committed[64];
  GError *errors[64];
} Pending;

typedef struct {
  Pending *pending;
  guint    index;
} Call;

static void
chunk_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Call *call = data;

  if (wm_ingest_put_chunk_finish (WM_INGEST (source), result,
                                  &call->pending->committed[call->index],
                                  &call->pending->errors[call->index]))
    call->pending->ok++;
  call->pending->pending--;
  g_free (call);
}

static void
send_async (Fixture    *f,
            Pending    *p,
            guint       index,
            const char *stream_id,
            gint64      first,
            gint64      n)
{
  g_autoptr(GBytes) bytes = frames (first, n);
  g_autofree char *sha = sha256_of (bytes);
  Call *call = g_new0 (Call, 1);

  call->pending = p;
  call->index = index;
  p->pending++;
  wm_ingest_put_chunk_async (f->ingest, "dev1", stream_id, first, bytes, sha, NULL, chunk_done, call);
}

static void
wait_all (Pending *p)
{
  while (p->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Two senders of the same chunk at once: both acknowledged, one recording. */
static void
test_concurrent_same_chunk (Fixture       *f,
                            gconstpointer  data)
{
  Pending p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) recordings = NULL;

  put_stream (f, "dev1", "s1", TRUE);
  send_async (f, &p, 0, "s1", 0, 800);
  send_async (f, &p, 1, "s1", 0, 800);
  wait_all (&p);
  g_assert_no_error (p.errors[0]);
  g_assert_no_error (p.errors[1]);
  g_assert_cmpint (p.committed[0], ==, 800);
  g_assert_cmpint (p.committed[1], ==, 800);

  store = wm_store_open (f->path, WM_STORE_OPEN_READ_ONLY, &error);
  recordings = wm_store_list_recordings (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recordings->len, ==, 1);
  assert_recording_holds (f, ((WmRecording *) recordings->pdata[0])->id, 800);
}

/* Writes queued while one transaction commits share the next: fewer
 * transactions than writes.  Without group commit, one each. */
static void
test_group_commit (Fixture       *f,
                   gconstpointer  data)
{
  const WmIngestOptions *options = data;
  Pending p = { 0 };
  WmIngestStats stats;

  put_stream (f, "dev1", "s1", TRUE);
  for (guint i = 0; i < 64; i++)
    send_async (f, &p, i, "s1", i * 100, 100);
  wait_all (&p);
  g_assert_cmpuint (p.ok, ==, 64);
  for (guint i = 0; i < 64; i++)
    {
      g_assert_no_error (p.errors[i]);
      g_assert_cmpint (p.committed[i], ==, (i + 1) * 100);
    }
  wm_ingest_get_stats (f->ingest, &stats);
  g_assert_cmpuint (stats.chunks, ==, 64);
  g_assert_cmpuint (stats.bytes, ==, 64 * 100 * FRAME_BYTES);
  if (options != NULL && options->no_group_commit)
    {
      g_assert_cmpuint (stats.transactions, ==, 65);
      g_assert_cmpuint (stats.max_batch, ==, 1);
    }
  else
    {
      g_test_message ("64 chunks queued at once: %" G_GUINT64_FORMAT " transactions, at most %"
                      G_GUINT64_FORMAT " writes in one", stats.transactions, stats.max_batch);
      g_assert_cmpuint (stats.transactions, <, 65);
      g_assert_cmpuint (stats.max_batch, >, 1);
    }
  assert_recording_holds (f, recording_of (f, "s1"), 6400);
}

/* The queue is full: BUSY at once, nothing else disturbed. */
static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  Pending p = { 0 };
  guint busy = 0;

  put_stream (f, "dev1", "s1", TRUE);
  for (guint i = 0; i < 64; i++)
    send_async (f, &p, i, "s1", i * 100, 100);
  wait_all (&p);
  for (guint i = 0; i < 64; i++)
    if (g_error_matches (p.errors[i], WM_INGEST_ERROR, WM_INGEST_ERROR_BUSY))
      busy++;
    else if (p.errors[i] != NULL)
      g_assert_error (p.errors[i], WM_INGEST_ERROR, WM_INGEST_ERROR_GAP);
  g_assert_cmpuint (busy, >, 0);
  g_assert_cmpuint (p.ok, >, 0);
  for (guint i = 0; i < 64; i++)
    g_clear_error (&p.errors[i]);
}

/* The project cannot grow: STORAGE, and the project is as it was. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GBytes) big = frames (0, 600000);
  g_autofree char *sha = sha256_of (big);
  gint64 committed = -2;

  WmIngestOptions options = { 0 };
  sqlite3 *db;
  sqlite3_stmt *stmt;

  put_stream (f, "dev1", "s1", TRUE);
  g_assert_cmpint (put_chunk (f, "s1", 0, 100, &error), ==, 100);

  /* Room for about 1 MiB more. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  options.max_project_bytes = sqlite3_column_int64 (stmt, 0) + 1024 * 1024;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  wm_ingest_close (f->ingest);
  g_assert_finalize_object (f->ingest);
  f->ingest = wm_ingest_new (f->path, &options, &error);
  g_assert_no_error (error);

  before = wm_test_dump_store (f->path);
  g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 0, big, sha, &committed, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_STORAGE);
  g_clear_error (&error);
  after = wm_test_dump_store (f->path);
  g_assert_cmpstr (before, ==, after);
  /* Still serving: a small chunk fits. */
  g_assert_cmpint (put_chunk (f, "s1", 100, 100, &error), ==, 200);
  g_assert_no_error (error);
  assert_recording_holds (f, recording_of (f, "s1"), 200);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = frames (0, 2000);
  gint64 committed = -2;

  put_stream (f, "dev1", "s1", TRUE);
  g_assert_false (wm_ingest_put_chunk_sync (f->ingest, "dev1", "s1", 0, big, NULL, &committed, &error));
  g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_TOO_LARGE);
}

static void
test_last_seen (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmDevice) device = NULL;
  gint64 before = g_get_real_time ();

  g_assert_true (wm_ingest_authenticate (f->ingest, "dev1", f->token, &error));
  /* Written with the next write, not a write of its own. */
  put_stream (f, "dev1", "s1", TRUE);
  store = wm_store_open (f->path, WM_STORE_OPEN_READ_ONLY, &error);
  device = wm_store_get_device (store, "dev1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (device->last_seen, >=, before);
  g_assert_cmpint (device->n_streams, ==, 1);
  g_assert_cmpint (device->n_incomplete, ==, 1);
}

static void
test_add_sample (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamMeta) meta = test_meta ();
  g_autoptr(GBytes) bytes = frames (0, 300);
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(WmRecording) r = NULL;
  gint64 id = 0, again = 0;
  WmLabel *label;

  g_assert_true (wm_ingest_add_sample_sync (f->ingest, "dev2", "walk.01", meta, bytes, "walking", "training", &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (wm_ingest_add_sample_sync (f->ingest, "dev2", "walk.01", meta, bytes, "walking", "training", &again, &error));
  g_assert_cmpint (again, ==, id);

  store = wm_store_open (f->path, WM_STORE_OPEN_READ_ONLY, &error);
  r = wm_store_get_recording (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->name, ==, "walk.01");
  g_assert_cmpint (r->n_frames, ==, 300);
  g_assert_false (r->uploading);
  labels = wm_store_list_labels (store, id, 0, -1, &error);
  g_assert_cmpuint (labels->len, ==, 1);
  label = labels->pdata[0];
  g_assert_cmpstr (label->class_name, ==, "walking");
  g_assert_cmpint (label->end_frame, ==, 300);
}

/* WAYMARK_INGEST_CRASH: the process dies before or after the COMMIT of the
 * second write transaction; what was committed is there, nothing else. */
static void
crash_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmIngest) ingest = wm_ingest_new (g_getenv ("WAYMARK_TEST_PROJECT"), NULL, &error);
  g_autoptr(WmStreamMeta) meta = test_meta ();
  g_autoptr(GBytes) first = frames (0, 100);
  g_autoptr(GBytes) second = frames (100, 100);

  g_assert_no_error (error);
  g_assert_true (wm_ingest_put_stream_sync (ingest, "dev1", "s1", meta, NULL, NULL, &error));
  g_assert_true (wm_ingest_put_chunk_sync (ingest, "dev1", "s1", 0, first, NULL, NULL, &error));
  g_assert_true (wm_ingest_put_chunk_sync (ingest, "dev1", "s1", 100, second, NULL, NULL, &error));
  g_assert_not_reached ();
}

static void
crash_hook (Fixture    *f,
            const char *point)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamState) state = NULL;
  g_autofree char *test_path = g_strdup_printf ("/ingest/crash/%s/subprocess", point);
  g_autofree char *hook = g_strdup_printf ("%s:2", point);

  if (g_test_subprocess ())
    {
      crash_child ();
      return;
    }
  g_setenv ("WAYMARK_TEST_PROJECT", f->path, TRUE);
  g_setenv ("WAYMARK_INGEST_CRASH", hook, TRUE);
  g_test_trap_subprocess (test_path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("WAYMARK_INGEST_CRASH");
  g_unsetenv ("WAYMARK_TEST_PROJECT");
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*WAYMARK_INGEST_CRASH*");

  state = wm_ingest_get_stream (f->ingest, "dev1", "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (state->committed_offset, ==, g_str_equal (point, "after-commit") ? 100 : 0);
}

static void
test_crash_before_commit (Fixture       *f,
                          gconstpointer  data)
{
  crash_hook (f, "before-commit");
}

static void
test_crash_after_commit (Fixture       *f,
                         gconstpointer  data)
{
  crash_hook (f, "after-commit");
}

static const WmIngestOptions no_group_commit = { .no_group_commit = TRUE };
static const WmIngestOptions small_queue = { .max_queue = 4 };
static const WmIngestOptions small_chunks = { .max_chunk_bytes = 4000 };

/* An engine dropped right after a synchronous write, without close, as a
 * short-lived command does: the writer thread must never hold the last
 * reference (its dispose would join the writer from itself: "Resource
 * deadlock avoided", seen under AddressSanitizer's timing). */
static void
test_drop_after_write (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WmStreamMeta) meta = test_meta ();

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sid = g_strdup_printf ("drop-%u", i);
      WmIngest *ingest = wm_ingest_new (f->path, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (wm_ingest_put_stream_sync (ingest, "dev1", sid, meta, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (ingest);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_WITH(path, data, func) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/ingest/basic-path", test_basic_path);
  ADD ("/ingest/drop-after-write", test_drop_after_write);
  ADD ("/ingest/auth", test_auth);
  ADD ("/ingest/duplicates-gaps-overlaps", test_duplicates_and_overlaps);
  ADD ("/ingest/hash-mismatch", test_hash_mismatch_stores_nothing);
  ADD ("/ingest/finalize", test_finalize);
  ADD ("/ingest/metadata-conflict", test_metadata_conflict);
  ADD ("/ingest/concurrent-same-chunk", test_concurrent_same_chunk);
  ADD ("/ingest/group-commit", test_group_commit);
  ADD_WITH ("/ingest/no-group-commit", &no_group_commit, test_group_commit);
  ADD_WITH ("/ingest/busy", &small_queue, test_busy);
  ADD ("/ingest/disk-full", test_disk_full);
  ADD_WITH ("/ingest/too-large", &small_chunks, test_too_large);
  ADD ("/ingest/last-seen", test_last_seen);
  ADD ("/ingest/add-sample", test_add_sample);
  ADD ("/ingest/crash/before-commit", test_crash_before_commit);
  ADD ("/ingest/crash/after-commit", test_crash_after_commit);
  ADD ("/ingest/crash/before-commit/subprocess", test_crash_before_commit);
  ADD ("/ingest/crash/after-commit/subprocess", test_crash_after_commit);

  return g_test_run ();
}
