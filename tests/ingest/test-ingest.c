/* test-ingest.c — the ingest engine: streams, chunks, resends, gaps, group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ingest/basic-path", test_basic_path);
  ADD ("/ingest/auth", test_auth);

  return g_test_run ();
}
