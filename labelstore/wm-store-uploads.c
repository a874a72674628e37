/* wm-store-uploads.c — devices and their upload streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A device is known by name and authenticates with a bearer token of which
 * only the SHA-256 is kept.  An upload stream (device, stream id) fills one
 * recording; its committed offset moves in the same transaction as the
 * recording's frames, so what a device was told is what is stored.
 */

#include "config.h"

#include <string.h>

#include "wm-store-private.h"

static gint64
now_us (void)
{
  return g_get_real_time ();
}

static gboolean
step_done (WmStore      *self,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, what);
  return TRUE;
}

static gboolean
no_such_device (WmStore    *self,
                const char *name,
                GError    **error)
{
  g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
               "%s: no device “%s” (see “waymark-cli device list”)", self->path, name);
  return FALSE;
}

/* ---- devices ------------------------------------------------------------- */

gboolean
wm_store_add_device (WmStore     *self,
                     const char  *name,
                     const char  *type,
                     const char  *token_sha256,
                     const char  *hmac_key,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && type != NULL && token_sha256 != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare (self, "INSERT INTO device (name, type, token_sha256, hmac_key, created_at) "
                                 "VALUES (?, ?, lower(?), ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, token_sha256, -1, SQLITE_TRANSIENT);
  if (hmac_key != NULL)
    sqlite3_bind_text (stmt, 4, hmac_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now_us ());
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                   "%s: a device named “%s” exists already", self->path, name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "adding a device");
  return TRUE;
}

gboolean
wm_store_revoke_device (WmStore     *self,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  /* Revoking twice keeps the first time. */
  stmt = wm_store_prepare (self, "UPDATE device SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END "
                                 "WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_us ());
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, "revoking a device", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return no_such_device (self, name, error);
  return TRUE;
}

#define DEVICE_COLUMNS \
  "d.name, d.type, d.revoked_at, d.hmac_key IS NOT NULL, d.created_at, d.last_seen, " \
  "(SELECT count(*) FROM upload_stream s WHERE s.device = d.name), " \
  "(SELECT coalesce(sum(s.n_bytes), 0) FROM upload_stream s WHERE s.device = d.name), " \
  "(SELECT count(*) FROM upload_stream s WHERE s.device = d.name AND s.finalized_at = 0), " \
  "(SELECT coalesce(min(s.created_at), 0) FROM upload_stream s WHERE s.device = d.name AND s.finalized_at = 0)"

static WmDevice *
device_from_row (sqlite3_stmt *stmt)
{
  WmDevice *device = g_new0 (WmDevice, 1);

  device->name = wm_store_dup_column_text (stmt, 0);
  device->type = wm_store_dup_column_text (stmt, 1);
  device->revoked = sqlite3_column_int64 (stmt, 2) != 0;
  device->has_hmac_key = sqlite3_column_int (stmt, 3) != 0;
  device->created_at = sqlite3_column_int64 (stmt, 4);
  device->last_seen = sqlite3_column_int64 (stmt, 5);
  device->n_streams = sqlite3_column_int64 (stmt, 6);
  device->n_bytes = sqlite3_column_int64 (stmt, 7);
  device->n_incomplete = sqlite3_column_int64 (stmt, 8);
  device->oldest_incomplete_at = sqlite3_column_int64 (stmt, 9);
  return device;
}

WmDevice *
wm_store_get_device (WmStore     *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = wm_store_prepare (self, "SELECT " DEVICE_COLUMNS " FROM device d WHERE d.name = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return device_from_row (stmt);
  if (rc == SQLITE_DONE)
    no_such_device (self, name, error);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a device");
  return NULL;
}

GPtrArray *
wm_store_list_devices (WmStore  *self,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " DEVICE_COLUMNS " FROM device d ORDER BY d.name", error);
  if (stmt == NULL)
    return NULL;
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_device_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (devices, device_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing devices");
      return NULL;
    }
  return g_steal_pointer (&devices);
}

gboolean
wm_store_get_device_secrets (WmStore     *self,
                             const char  *name,
                             char       **out_token_sha256,
                             char       **out_hmac_key,
                             gboolean    *out_revoked,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stmt = wm_store_prepare_cached (self, "SELECT token_sha256, hmac_key, revoked_at FROM device WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_token_sha256 != NULL)
        *out_token_sha256 = wm_store_dup_column_text (stmt, 0);
      if (out_hmac_key != NULL)
        *out_hmac_key = wm_store_dup_column_text (stmt, 1);
      if (out_revoked != NULL)
        *out_revoked = sqlite3_column_int64 (stmt, 2) != 0;
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    return no_such_device (self, name, error);
  return wm_store_set_sqlite_error (self, rc, error, "reading a device");
}

char *
wm_store_find_device_by_token (WmStore     *self,
                               const char  *token_sha256,
                               GError     **error)
{
  sqlite3_stmt *stmt;
  char *name = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (token_sha256 != NULL, NULL);

  stmt = wm_store_prepare_cached (self, "SELECT name FROM device WHERE token_sha256 = lower(?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, token_sha256, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    name = wm_store_dup_column_text (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no device has this token", self->path);
  else if (rc != SQLITE_ROW)
    wm_store_set_sqlite_error (self, rc, error, "reading devices");
  return name;
}

gboolean
wm_store_set_device_last_seen (WmStore     *self,
                               const char  *name,
                               gint64       last_seen,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare_cached (self, "UPDATE device SET last_seen = max(last_seen, ?) WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last_seen);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, "noting when a device was seen", error);
}

/* ---- upload streams ------------------------------------------------------ */

#define STREAM_COLUMNS \
  "s.device, s.stream_id, s.recording_id, s.metadata, s.device_type, s.firmware, " \
  "s.committed_offset, s.n_bytes, r.n_channels * (CASE r.sample_format WHEN 1 THEN 2 ELSE 4 END), " \
  "s.sha256, s.created_at, s.updated_at, s.finalized_at"

static WmUploadStream *
stream_from_row (sqlite3_stmt *stmt)
{
  WmUploadStream *stream = g_new0 (WmUploadStream, 1);

  stream->device = wm_store_dup_column_text (stmt, 0);
  stream->stream_id = wm_store_dup_column_text (stmt, 1);
  stream->recording_id = sqlite3_column_int64 (stmt, 2);
  stream->metadata = wm_store_dup_column_text (stmt, 3);
  stream->device_type = wm_store_dup_column_text (stmt, 4);
  stream->firmware = wm_store_dup_column_text (stmt, 5);
  stream->committed_offset = sqlite3_column_int64 (stmt, 6);
  stream->n_bytes = sqlite3_column_int64 (stmt, 7);
  stream->frame_bytes = (gsize) sqlite3_column_int64 (stmt, 8);
  stream->sha256 = wm_store_dup_column_text (stmt, 9);
  stream->created_at = sqlite3_column_int64 (stmt, 10);
  stream->updated_at = sqlite3_column_int64 (stmt, 11);
  stream->finalized_at = sqlite3_column_int64 (stmt, 12);
  return stream;
}

static WmUploadStream *
read_one_stream (WmStore       *self,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  WmUploadStream *stream = NULL;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    stream = stream_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    wm_store_set_sqlite_error (self, rc, error, "reading an upload stream");
  return stream;
}

WmUploadStream *
wm_store_get_upload_stream (WmStore     *self,
                            const char  *device,
                            const char  *stream_id,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  WmUploadStream *stream;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (device != NULL && stream_id != NULL, NULL);

  stmt = wm_store_prepare_cached (self, "SELECT " STREAM_COLUMNS " FROM upload_stream s "
                                        "JOIN recording r ON r.id = s.recording_id "
                                        "WHERE s.device = ? AND s.stream_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, stream_id, -1, SQLITE_TRANSIENT);
  stream = read_one_stream (self, stmt, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (stream == NULL)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: device “%s” has no stream “%s”", self->path, device, stream_id);
  return stream;
}

WmUploadStream *
wm_store_get_recording_upload (WmStore  *self,
                               gint64    recording_id,
                               GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare_cached (self, "SELECT " STREAM_COLUMNS " FROM upload_stream s "
                                        "JOIN recording r ON r.id = s.recording_id "
                                        "WHERE s.recording_id = ? LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  return read_one_stream (self, stmt, error);
}

gboolean
wm_store_add_upload_stream (WmStore         *self,
                            WmUploadStream  *stream,
                            GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (stream != NULL && stream->device != NULL && stream->stream_id != NULL, FALSE);
  g_return_val_if_fail (stream->metadata != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare (self, "INSERT INTO upload_stream (device, stream_id, recording_id, metadata, "
                                 "device_type, firmware, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  stream->created_at = stream->updated_at = now_us ();
  sqlite3_bind_text (stmt, 1, stream->device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, stream->stream_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, stream->recording_id);
  sqlite3_bind_text (stmt, 4, stream->metadata, -1, SQLITE_TRANSIENT);
  if (stream->device_type != NULL)
    sqlite3_bind_text (stmt, 5, stream->device_type, -1, SQLITE_TRANSIENT);
  if (stream->firmware != NULL)
    sqlite3_bind_text (stmt, 6, stream->firmware, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, stream->created_at);
  sqlite3_bind_int64 (stmt, 8, stream->updated_at);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                   "%s: device “%s” has a stream “%s” already", self->path,
                   stream->device, stream->stream_id);
      return FALSE;
    }
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no device “%s” or no recording %" G_GINT64_FORMAT " for stream “%s”",
                   self->path, stream->device, stream->recording_id, stream->stream_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "storing an upload stream");
  return TRUE;
}

static gboolean
check_stream_changed (WmStore     *self,
                      const char  *device,
                      const char  *stream_id,
                      GError     **error)
{
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
               "%s: device “%s” has no stream “%s”", self->path, device, stream_id);
  return FALSE;
}

gboolean
wm_store_set_upload_progress (WmStore     *self,
                              const char  *device,
                              const char  *stream_id,
                              gint64       committed_offset,
                              gint64       n_bytes,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (device != NULL && stream_id != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare_cached (self, "UPDATE upload_stream SET committed_offset = ?, n_bytes = ?, updated_at = ? "
                                        "WHERE device = ? AND stream_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, committed_offset);
  sqlite3_bind_int64 (stmt, 2, n_bytes);
  sqlite3_bind_int64 (stmt, 3, now_us ());
  sqlite3_bind_text (stmt, 4, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, stream_id, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, "storing an upload's progress", error) &&
         check_stream_changed (self, device, stream_id, error);
}

gboolean
wm_store_finalize_upload_stream (WmStore     *self,
                                 const char  *device,
                                 const char  *stream_id,
                                 const char  *sha256,
                                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stream = NULL;
  g_autoptr(sqlite3_stmt) recording = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (device != NULL && stream_id != NULL && sha256 != NULL, FALSE);

  if (!wm_store_begin (self, error))
    return FALSE;
  stream = wm_store_prepare (self, "UPDATE upload_stream SET sha256 = lower(?1), finalized_at = ?2 "
                                   "WHERE device = ?3 AND stream_id = ?4", error);
  recording = wm_store_prepare (self, "UPDATE recording SET source_sha256 = lower(?1) WHERE id = "
                                      "(SELECT recording_id FROM upload_stream WHERE device = ?2 AND stream_id = ?3)",
                                error);
  if (stream == NULL || recording == NULL)
    goto fail;
  sqlite3_bind_text (stream, 1, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stream, 2, now_us ());
  sqlite3_bind_text (stream, 3, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stream, 4, stream_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (recording, 1, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (recording, 2, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (recording, 3, stream_id, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stream, "finalizing an upload stream", error) ||
      !check_stream_changed (self, device, stream_id, error) ||
      !step_done (self, recording, "finalizing an upload stream", error))
    goto fail;
  if (!wm_store_commit (self, error))
    return FALSE;
  g_signal_emit (self, wm_store_signals[SIGNAL_RECORDINGS_CHANGED], 0);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}
