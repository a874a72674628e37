/* wm-store.c — opening a project, migrations, transactions, classes, labels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "wm-store-private.h"

/* "WMRK": tells a Waymark project from any other SQLite file. */
#define WM_APPLICATION_ID 0x574D524B

G_DEFINE_QUARK (wm-store-error-quark, wm_store_error)

G_DEFINE_FINAL_TYPE (WmStore, wm_store, G_TYPE_OBJECT)

guint wm_store_signals[N_SIGNALS];

/* Forward migrations: migrations[i] takes a file from user_version i to i+1.
 * Later issues append; a released entry is never edited. */
static const char * const migrations[] = {
  /* 0 -> 1: recordings, samples, summaries, classes, labels, edit history */
  "CREATE TABLE recording ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  source_path TEXT,"
  "  source_sha256 TEXT,"
  "  sample_rate REAL NOT NULL CHECK (sample_rate > 0),"
  "  n_channels INTEGER NOT NULL CHECK (n_channels >= 1),"
  "  start_time_us INTEGER,"
  "  n_frames INTEGER NOT NULL DEFAULT 0 CHECK (n_frames >= 0),"
  "  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
  "  sample_format INTEGER NOT NULL CHECK (sample_format IN (1, 2)),"
  "  block_frames INTEGER NOT NULL CHECK (block_frames > 0),"
  "  device_id TEXT,"
  "  stream_id TEXT,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX recording_by_sha256 ON recording (source_sha256);"
  "CREATE TABLE channel ("
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  unit TEXT NOT NULL DEFAULT '',"
  "  PRIMARY KEY (recording_id, idx)"
  ") WITHOUT ROWID;"
  /* The rowid of a block is recording_id << 32 | block_index: one b-tree
   * lookup per block, no second index. */
  "CREATE TABLE sample_block ("
  "  id INTEGER PRIMARY KEY,"
  "  n_frames INTEGER NOT NULL,"
  "  samples BLOB NOT NULL"
  ");"
  "CREATE TABLE summary ("
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  level INTEGER NOT NULL,"
  "  chunk INTEGER NOT NULL,"
  "  buckets BLOB NOT NULL,"
  "  PRIMARY KEY (recording_id, level, chunk)"
  ") WITHOUT ROWID;"
  "CREATE TABLE class ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  color TEXT NOT NULL,"
  "  shortcut TEXT UNIQUE"
  ");"
  "CREATE TABLE label ("
  "  id INTEGER PRIMARY KEY,"
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  start_frame INTEGER NOT NULL CHECK (start_frame >= 0),"
  "  end_frame INTEGER NOT NULL,"
  "  class_id INTEGER NOT NULL REFERENCES class (id),"
  "  source INTEGER NOT NULL CHECK (source IN (1, 2, 3)),"
  "  confidence REAL NOT NULL DEFAULT 1.0,"
  "  model_version TEXT,"
  "  author TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  CHECK (end_frame >= start_frame)"
  ");"
  "CREATE INDEX label_by_start ON label (recording_id, start_frame);"
  "CREATE INDEX label_by_end ON label (recording_id, end_frame);"
  "CREATE INDEX label_by_class ON label (class_id);"
  /* One row per label edit: the label as it was and as it became (NULL for
   * absent).  Undone rows form the redo stack; a new edit drops them. */
  "CREATE TABLE label_edit ("
  "  id INTEGER PRIMARY KEY,"
  "  recording_id INTEGER NOT NULL,"
  "  label_id INTEGER NOT NULL,"
  "  before_class_id INTEGER,"
  "  after_class_id INTEGER,"
  "  before BLOB,"
  "  after BLOB,"
  "  undone INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX label_edit_by_state ON label_edit (undone, id);"
  "CREATE INDEX label_edit_by_recording ON label_edit (recording_id);",

  /* 1 -> 2: model files */
  "CREATE TABLE model ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  version TEXT NOT NULL,"
  "  variant TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL UNIQUE,"
  "  size INTEGER NOT NULL,"
  "  metadata TEXT NOT NULL,"
  "  file BLOB NOT NULL,"
  "  imported_at INTEGER NOT NULL,"
  "  UNIQUE (name, version, variant)"
  ");",

  /* 2 -> 3: auto-label runs, per-window predictions, review queue */
  "CREATE TABLE run ("
  "  id INTEGER PRIMARY KEY,"
  "  model_id INTEGER REFERENCES model (id) ON DELETE SET NULL,"
  "  model_name TEXT NOT NULL,"
  "  model_version TEXT NOT NULL,"
  "  variant TEXT NOT NULL,"
  "  class_names TEXT NOT NULL,"
  "  thresholds BLOB NOT NULL,"
  "  margin REAL NOT NULL CHECK (margin >= 0),"
  "  window_frames INTEGER NOT NULL CHECK (window_frames > 0),"
  "  hop_frames INTEGER NOT NULL CHECK (hop_frames > 0),"
  "  state INTEGER NOT NULL CHECK (state IN (1, 2, 3)),"
  "  started_at INTEGER NOT NULL,"
  "  finished_at INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX run_by_model ON run (model_id);"
  "CREATE TABLE prediction ("
  "  run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,"
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  first_window INTEGER NOT NULL,"
  "  n_windows INTEGER NOT NULL,"
  "  probabilities BLOB NOT NULL,"
  "  PRIMARY KEY (run_id, recording_id, first_window)"
  ") WITHOUT ROWID;"
  "CREATE INDEX prediction_by_recording ON prediction (recording_id);"
  "ALTER TABLE label ADD COLUMN run_id INTEGER REFERENCES run (id) ON DELETE SET NULL;"
  "CREATE INDEX label_by_run ON label (run_id, recording_id);"
  "CREATE TABLE review_item ("
  "  id INTEGER PRIMARY KEY,"
  "  run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,"
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  window_index INTEGER NOT NULL,"
  "  start_frame INTEGER NOT NULL,"
  "  end_frame INTEGER NOT NULL,"
  "  class_id INTEGER NOT NULL REFERENCES class (id),"
  "  probability REAL NOT NULL,"
  "  threshold REAL NOT NULL,"
  "  priority REAL NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2, 3)),"
  "  decided_class_id INTEGER REFERENCES class (id),"
  "  label_id INTEGER,"
  "  label_prev_start INTEGER,"
  "  label_prev_end INTEGER,"
  "  author TEXT,"
  "  decided_at INTEGER NOT NULL DEFAULT 0,"
  "  decided_seq INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (run_id, recording_id, window_index)"
  ");"
  "CREATE INDEX review_by_priority ON review_item (state, priority, id);"
  "CREATE INDEX review_by_decision ON review_item (decided_seq);"
  "CREATE INDEX review_by_recording ON review_item (recording_id);",

  /* v4: a model label's history is found by label when a rethreshold takes
   * that one label away. */
  "CREATE INDEX label_edit_by_label ON label_edit (label_id);",

  /* 4 -> 5: devices and their upload streams.  Every key holds the device,
   * so the tables can later be distributed by it. */
  "CREATE TABLE device ("
  "  name TEXT NOT NULL PRIMARY KEY,"
  "  type TEXT NOT NULL,"
  "  token_sha256 TEXT NOT NULL UNIQUE,"
  "  hmac_key TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL DEFAULT 0,"
  "  revoked_at INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE TABLE upload_stream ("
  "  device TEXT NOT NULL REFERENCES device (name),"
  "  stream_id TEXT NOT NULL,"
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  metadata TEXT NOT NULL,"
  "  device_type TEXT,"
  "  firmware TEXT,"
  "  committed_offset INTEGER NOT NULL DEFAULT 0 CHECK (committed_offset >= 0),"
  "  n_bytes INTEGER NOT NULL DEFAULT 0,"
  "  sha256 TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  finalized_at INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (device, stream_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX upload_stream_by_recording ON upload_stream (recording_id);",

  /* 5 -> 6: the frames of a growing recording's partial last block, one row
   * per appended run, written once as they arrive instead of rewriting the
   * whole partial block at every commit.  Rows are appended in id order, so
   * they fill pages densely and dead ones are dropped as a prefix of whole
   * pages (wm-store-samples.c, "tail rows"). */
  "CREATE TABLE sample_tail ("
  "  id INTEGER PRIMARY KEY,"
  "  recording_id INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,"
  "  first_frame INTEGER NOT NULL,"
  "  samples BLOB NOT NULL"
  ");"
  "CREATE INDEX sample_tail_by_recording ON sample_tail (recording_id, first_frame);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == WM_STORE_SCHEMA_VERSION);

/* ---- errors and statements ----------------------------------------------- */

gboolean
wm_store_set_sqlite_error (WmStore    *self,
                           int         rc,
                           GError    **error,
                           const char *what)
{
  WmStoreError code;
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      code = WM_STORE_ERROR_FULL;
      g_set_error (error, WM_STORE_ERROR, code,
                   "%s: %s: the disk or the project's size limit is full",
                   self->path, what);
      return FALSE;
    case SQLITE_READONLY:
      code = WM_STORE_ERROR_READ_ONLY;
      g_set_error (error, WM_STORE_ERROR, code,
                   "%s: %s: the project is read-only", self->path, what);
      return FALSE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = WM_STORE_ERROR_BUSY;
      g_set_error (error, WM_STORE_ERROR, code,
                   "%s: %s: another program is writing to the project", self->path, what);
      return FALSE;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = WM_STORE_ERROR_NOT_A_PROJECT;
      break;
    case SQLITE_CONSTRAINT:
      code = WM_STORE_ERROR_INVALID;
      break;
    default:
      code = WM_STORE_ERROR_FAILED;
      break;
    }
  g_set_error (error, WM_STORE_ERROR, code, "%s: %s: %s", self->path, what, detail);
  return FALSE;
}

sqlite3_stmt *
wm_store_prepare (WmStore    *self,
                  const char *sql,
                  GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      wm_store_set_sqlite_error (self, rc, error, "preparing a query");
      return NULL;
    }
  return stmt;
}

sqlite3_stmt *
wm_store_prepare_cached (WmStore    *self,
                         const char *sql,
                         GError    **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = wm_store_prepare (self, sql, error);
  if (stmt != NULL)
    g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

gboolean
wm_store_exec (WmStore    *self,
               const char *sql,
               GError    **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return wm_store_set_sqlite_error (self, rc, error, "writing");
  return TRUE;
}

gboolean
wm_store_check_writable (WmStore  *self,
                         GError  **error)
{
  if (self->read_only)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_READ_ONLY,
                   "%s: the project is open read-only", self->path);
      return FALSE;
    }
  return TRUE;
}

static gint64
now_us (void)
{
  return g_get_real_time ();
}

/* ---- GObject ------------------------------------------------------------- */

static void
wm_store_finalize (GObject *object)
{
  WmStore *self = (WmStore *) object;

  if (self->transaction_depth > 0)
    g_critical ("%s: closed with a transaction open; rolling it back", self->path);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->level_changes, g_array_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (wm_store_parent_class)->finalize (object);
}

static void
wm_store_class_init (WmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wm_store_finalize;

  wm_store_signals[SIGNAL_RECORDINGS_CHANGED] =
    g_signal_new ("recordings-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  wm_store_signals[SIGNAL_CLASSES_CHANGED] =
    g_signal_new ("classes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  wm_store_signals[SIGNAL_LABELS_CHANGED] =
    g_signal_new ("labels-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
wm_store_init (WmStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->level_changes = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->poll_data_version = G_MININT64;
}

/* ---- opening ------------------------------------------------------------- */

static gboolean
read_pragma_int (WmStore    *self,
                 const char *sql,
                 int        *out_value,
                 GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int (stmt, 0);
      sqlite3_finalize (stmt);
      return TRUE;
    }
  sqlite3_finalize (stmt);

  if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
                   "%s: not a Waymark project (the file is not an SQLite database)",
                   self->path);
      return FALSE;
    }
  return wm_store_set_sqlite_error (self, rc, error, "reading the file header");
}

static gboolean
migrate (WmStore *self,
         int      from_version,
         GError **error)
{
  g_autofree char *set_version = NULL;

  if (self->read_only)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_READ_ONLY,
                   "%s: the project was made by an older Waymark and must be upgraded, "
                   "but it is read-only", self->path);
      return FALSE;
    }

  if (!wm_store_begin (self, error))
    return FALSE;

  if (from_version == 0)
    {
      g_autofree char *set_id = g_strdup_printf ("PRAGMA application_id = %d;",
                                                 WM_APPLICATION_ID);
      if (!wm_store_exec (self, set_id, error))
        goto fail;
    }

  for (int v = from_version; v < WM_STORE_SCHEMA_VERSION; v++)
    if (!wm_store_exec (self, migrations[v], error))
      goto fail;

  set_version = g_strdup_printf ("PRAGMA user_version = %d;", WM_STORE_SCHEMA_VERSION);
  if (!wm_store_exec (self, set_version, error))
    goto fail;

  return wm_store_commit (self, error);

fail:
  wm_store_rollback (self);
  return FALSE;
}

WmStore *
wm_store_open (const char        *path,
               WmStoreOpenFlags   flags,
               GError           **error)
{
  g_autoptr(WmStore) self = NULL;
  gboolean create = (flags & WM_STORE_OPEN_CREATE) != 0;
  gboolean read_only = (flags & WM_STORE_OPEN_READ_ONLY) != 0;
  int open_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int version = 0;
  int application_id = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!(create && read_only), NULL);

  self = g_object_new (WM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (create)
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                       "%s: a file of that name exists already", path);
          return NULL;
        }
      open_flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    }
  else
    {
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                       "%s: no such project (create one with “waymark-cli init”)", path);
          return NULL;
        }
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
                       "%s: is a directory, not a Waymark project", path);
          return NULL;
        }
      open_flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    }

  rc = sqlite3_open_v2 (path, &self->db, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      wm_store_set_sqlite_error (self, rc, error, "opening");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  self->read_only = read_only || sqlite3_db_readonly (self->db, "main") == 1;

  if (create)
    {
      /* Large pages keep a sample block in a few overflow pages. */
      if (!wm_store_exec (self, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL;", error))
        goto fail_created;
    }
  else
    {
      /* Read, never write, until the file is known to be ours and not too new. */
      if (!read_pragma_int (self, "PRAGMA application_id", &application_id, error) ||
          !read_pragma_int (self, "PRAGMA user_version", &version, error))
        return NULL;
      if (application_id != WM_APPLICATION_ID)
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
                       "%s: not a Waymark project (an SQLite database of another program)",
                       path);
          return NULL;
        }
      if (version > WM_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_TOO_NEW,
                       "%s: made by a newer Waymark (project version %d; this Waymark "
                       "reads up to %d); it was left untouched",
                       path, version, WM_STORE_SCHEMA_VERSION);
          return NULL;
        }
      if (!self->read_only && !wm_store_exec (self, "PRAGMA journal_mode = WAL;", error))
        return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  /* FULL: a commit that returned is on disk, even after a power cut. */
  if (!wm_store_exec (self,
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA cache_size = -16384;"
                      "PRAGMA temp_store = MEMORY;", error))
    goto fail_created;

  if (version < WM_STORE_SCHEMA_VERSION && !migrate (self, version, error))
    goto fail_created;

  return g_steal_pointer (&self);

fail_created:
  if (create)
    {
      g_hash_table_remove_all (self->statements);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
      g_unlink (path);
      for (const char *suffix = "-wal"; suffix != NULL; suffix = g_str_equal (suffix, "-wal") ? "-shm" : NULL)
        {
          g_autofree char *side = g_strconcat (path, suffix, NULL);
          g_unlink (side);
        }
    }
  return NULL;
}

const char *
wm_store_get_path (WmStore *self)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return self->path;
}

gboolean
wm_store_is_read_only (WmStore *self)
{
  g_return_val_if_fail (WM_IS_STORE (self), TRUE);
  return self->read_only;
}

int
wm_store_get_schema_version (WmStore *self)
{
  int version = 0;

  g_return_val_if_fail (WM_IS_STORE (self), 0);

  if (!read_pragma_int (self, "PRAGMA user_version", &version, NULL))
    return 0;
  return version;
}

gpointer
wm_store_get_db (WmStore *self)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return self->db;
}

/* ---- transactions -------------------------------------------------------- */

/* A transaction level ends: when it was undone and had changed rows, state
 * cached on the store's contents is stale. */
static void
pop_level (WmStore  *self,
           gboolean  undone)
{
  gint64 changes_at_start;

  self->transaction_depth--;
  changes_at_start = g_array_index (self->level_changes, gint64, self->transaction_depth);
  g_array_set_size (self->level_changes, self->transaction_depth);
  if (undone && (sqlite3_total_changes64 (self->db) != changes_at_start ||
                 self->unflushed_appenders > 0))
    self->generation++;
}

/* The outermost BEGIN holds the write lock: a commit by another connection
 * since the last one is noticed here, once per transaction. */
static void
note_other_writers (WmStore *self)
{
  gint64 version = wm_store_read_data_version (self);

  if (version != self->begin_data_version)
    {
      self->begin_data_version = version;
      self->generation++;
    }
}

gboolean
wm_store_begin (WmStore  *self,
                GError  **error)
{
  g_autofree char *sql = NULL;
  gint64 changes;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  if (self->transaction_depth > 0 && sqlite3_get_autocommit (self->db))
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_FAILED,
                   "%s: the transaction was rolled back after an earlier error", self->path);
      return FALSE;
    }

  if (self->transaction_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT wm_%u", self->transaction_depth);

  if (!wm_store_exec (self, sql, error))
    return FALSE;
  if (self->transaction_depth == 0)
    note_other_writers (self);
  changes = sqlite3_total_changes64 (self->db);
  g_array_append_val (self->level_changes, changes);
  self->transaction_depth++;
  return TRUE;
}

gboolean
wm_store_commit (WmStore  *self,
                 GError  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->transaction_depth > 0, FALSE);

  if (sqlite3_get_autocommit (self->db))
    {
      pop_level (self, TRUE);
      self->generation++;
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_FAILED,
                   "%s: the transaction was rolled back after an earlier error", self->path);
      return FALSE;
    }
  if (self->transaction_depth == 1)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE wm_%u", self->transaction_depth - 1);

  if (!wm_store_exec (self, sql, error))
    {
      wm_store_rollback (self);
      return FALSE;
    }
  pop_level (self, FALSE);
  return TRUE;
}

void
wm_store_rollback (WmStore *self)
{
  g_return_if_fail (WM_IS_STORE (self));
  g_return_if_fail (self->transaction_depth > 0);

  /* SQLite may have rolled the whole transaction back by itself (disk full,
   * I/O error): then there is nothing left to undo, but every level the
   * callers opened is still closed by its own rollback. */
  if (sqlite3_get_autocommit (self->db))
    {
      pop_level (self, TRUE);
      self->generation++;
      return;
    }

  if (self->transaction_depth == 1)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("ROLLBACK TO wm_%u; RELEASE wm_%u",
                                              self->transaction_depth - 1,
                                              self->transaction_depth - 1);
      sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    }
  pop_level (self, TRUE);
}

gint64
wm_store_read_data_version (WmStore *self)
{
  sqlite3_stmt *stmt = wm_store_prepare_cached (self, "PRAGMA data_version", NULL);
  gint64 version = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return version;
}

gboolean
wm_store_set_size_limit (WmStore  *self,
                         gint64    max_bytes,
                         GError  **error)
{
  g_autofree char *sql = NULL;
  int page_size = 0;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (max_bytes >= 0, FALSE);

  if (!read_pragma_int (self, "PRAGMA page_size", &page_size, error))
    return FALSE;
  /* SQLite's own ceiling when there is no limit. */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         max_bytes > 0 ? MAX (max_bytes / page_size, 1) : G_GINT64_CONSTANT (4294967294));
  return wm_store_exec (self, sql, error);
}

gboolean
wm_store_poll_changes (WmStore *self)
{
  gint64 version;
  gboolean changed;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  version = wm_store_read_data_version (self);
  changed = self->poll_data_version != G_MININT64 && version != self->poll_data_version;
  self->poll_data_version = version;
  return changed;
}

/* ---- recordings ---------------------------------------------------------- */

#define RECORDING_COLUMNS \
  "id, name, source_path, source_sha256, sample_rate, n_channels, start_time_us, " \
  "n_frames, kind, sample_format, device_id, stream_id, created_at, " \
  "EXISTS (SELECT 1 FROM upload_stream u WHERE u.recording_id = recording.id AND u.finalized_at = 0)"

char *
wm_store_dup_column_text (sqlite3_stmt *stmt,
                          int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static gboolean
load_channels (WmStore     *self,
               WmRecording *recording,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint n = 0;
  int rc;

  stmt = wm_store_prepare (self, "SELECT name, unit FROM channel WHERE recording_id = ? ORDER BY idx", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, recording->id);

  recording->channel_names = g_new0 (char *, recording->n_channels + 1);
  recording->channel_units = g_new0 (char *, recording->n_channels + 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && n < recording->n_channels)
    {
      recording->channel_names[n] = wm_store_dup_column_text (stmt, 0);
      recording->channel_units[n] = wm_store_dup_column_text (stmt, 1);
      n++;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "reading channels");
  /* Tolerate a missing channel row rather than hand out NULL names. */
  for (; n < recording->n_channels; n++)
    {
      recording->channel_names[n] = g_strdup_printf ("ch%u", n + 1);
      recording->channel_units[n] = g_strdup ("");
    }
  return TRUE;
}

static WmRecording *
recording_from_row (sqlite3_stmt *stmt)
{
  WmRecording *recording = wm_recording_new ();

  recording->id = sqlite3_column_int64 (stmt, 0);
  recording->name = wm_store_dup_column_text (stmt, 1);
  recording->source_path = wm_store_dup_column_text (stmt, 2);
  recording->source_sha256 = wm_store_dup_column_text (stmt, 3);
  recording->sample_rate = sqlite3_column_double (stmt, 4);
  recording->n_channels = (guint) sqlite3_column_int (stmt, 5);
  recording->has_start_time = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  recording->start_time_us = sqlite3_column_int64 (stmt, 6);
  recording->n_frames = sqlite3_column_int64 (stmt, 7);
  recording->kind = (WmRecordingKind) sqlite3_column_int (stmt, 8);
  recording->sample_format = (WmSampleFormat) sqlite3_column_int (stmt, 9);
  recording->device_id = wm_store_dup_column_text (stmt, 10);
  recording->stream_id = wm_store_dup_column_text (stmt, 11);
  recording->created_at = sqlite3_column_int64 (stmt, 12);
  recording->uploading = sqlite3_column_int (stmt, 13) != 0;
  return recording;
}

GPtrArray *
wm_store_list_recordings (WmStore  *self,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " RECORDING_COLUMNS " FROM recording ORDER BY id", error);
  if (stmt == NULL)
    return NULL;

  recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_recording_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (recordings, recording_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing recordings");
      return NULL;
    }

  for (guint i = 0; i < recordings->len; i++)
    if (!load_channels (self, g_ptr_array_index (recordings, i), error))
      return NULL;

  return g_steal_pointer (&recordings);
}

WmRecording *
wm_store_get_recording (WmStore  *self,
                        gint64    recording_id,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(WmRecording) recording = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " RECORDING_COLUMNS " FROM recording WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, recording_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no recording %" G_GINT64_FORMAT, self->path, recording_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading a recording");
      return NULL;
    }
  recording = recording_from_row (stmt);
  if (!load_channels (self, recording, error))
    return NULL;
  return g_steal_pointer (&recording);
}

gint64
wm_store_find_recording_by_sha256 (WmStore    *self,
                                   const char *sha256)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), 0);
  g_return_val_if_fail (sha256 != NULL, 0);

  stmt = wm_store_prepare (self, "SELECT id FROM recording WHERE source_sha256 = ? ORDER BY id LIMIT 1", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, sha256, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  return 0;
}

gboolean
wm_store_set_recording_sha256 (WmStore    *self,
                               gint64      recording_id,
                               const char *sha256,
                               GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare (self, "UPDATE recording SET source_sha256 = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, recording_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "storing the source hash");
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no recording %" G_GINT64_FORMAT, self->path, recording_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
wm_store_remove_recording (WmStore  *self,
                           gint64    recording_id,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) blocks = NULL;
  g_autoptr(sqlite3_stmt) history = NULL;
  g_autoptr(sqlite3_stmt) row = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_begin (self, error))
    return FALSE;

  blocks = wm_store_prepare (self, "DELETE FROM sample_block WHERE id BETWEEN ?1 AND ?2", error);
  history = wm_store_prepare (self, "DELETE FROM label_edit WHERE recording_id = ?", error);
  row = wm_store_prepare (self, "DELETE FROM recording WHERE id = ?", error);
  if (blocks == NULL || history == NULL || row == NULL)
    goto fail;

  sqlite3_bind_int64 (blocks, 1, recording_id << 32);
  sqlite3_bind_int64 (blocks, 2, (recording_id << 32) | G_GINT64_CONSTANT (0xffffffff));
  sqlite3_bind_int64 (history, 1, recording_id);
  sqlite3_bind_int64 (row, 1, recording_id);

  if ((rc = sqlite3_step (blocks)) != SQLITE_DONE ||
      (rc = sqlite3_step (history)) != SQLITE_DONE ||
      (rc = sqlite3_step (row)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "removing a recording");
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no recording %" G_GINT64_FORMAT, self->path, recording_id);
      goto fail;
    }
  if (!wm_store_commit (self, error))
    return FALSE;

  g_signal_emit (self, wm_store_signals[SIGNAL_RECORDINGS_CHANGED], 0);
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, recording_id);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}

/* ---- classes ------------------------------------------------------------- */

static gboolean
validate_class (WmStore    *self,
                const char *name,
                const char *color,
                const char *shortcut,
                GError    **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64 || strpbrk (name, "\t\n\r,") != NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "class name “%s” is not valid: use 1 to 64 characters, without tabs, "
                   "line breaks or commas", name != NULL ? name : "");
      return FALSE;
    }
  if (color == NULL || strlen (color) != 7 || color[0] != '#' ||
      strspn (color + 1, "0123456789abcdefABCDEF") != 6)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "colour “%s” of class “%s” is not valid: use #rrggbb",
                   color != NULL ? color : "", name);
      return FALSE;
    }
  if (shortcut != NULL && g_utf8_strlen (shortcut, -1) != 1)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "shortcut “%s” of class “%s” is not valid: use one key", shortcut, name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
class_write_error (WmStore    *self,
                   int         rc,
                   const char *name,
                   const char *shortcut,
                   GError    **error)
{
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      if (strstr (sqlite3_errmsg (self->db), "shortcut") != NULL)
        g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                     "%s: the key “%s” is the shortcut of another class already",
                     self->path, shortcut);
      else
        g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                     "%s: a class named “%s” exists already", self->path, name);
      return FALSE;
    }
  return wm_store_set_sqlite_error (self, rc, error, "writing a class");
}

gint64
wm_store_add_class (WmStore    *self,
                    const char *name,
                    const char *color,
                    const char *shortcut,
                    GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), 0);

  if (!validate_class (self, name, color, shortcut, error) ||
      !wm_store_check_writable (self, error))
    return 0;

  stmt = wm_store_prepare (self, "INSERT INTO class (name, color, shortcut) VALUES (?, lower(?), ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, color, -1, SQLITE_TRANSIENT);
  if (shortcut != NULL)
    sqlite3_bind_text (stmt, 3, shortcut, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      class_write_error (self, rc, name, shortcut, error);
      return 0;
    }
  id = sqlite3_last_insert_rowid (self->db);
  g_signal_emit (self, wm_store_signals[SIGNAL_CLASSES_CHANGED], 0);
  return id;
}

gboolean
wm_store_update_class (WmStore       *self,
                       const WmClass *klass,
                       GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (klass != NULL, FALSE);

  if (!validate_class (self, klass->name, klass->color, klass->shortcut, error) ||
      !wm_store_check_writable (self, error))
    return FALSE;

  stmt = wm_store_prepare (self, "UPDATE class SET name = ?, color = lower(?), shortcut = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, klass->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, klass->color, -1, SQLITE_TRANSIENT);
  if (klass->shortcut != NULL)
    sqlite3_bind_text (stmt, 3, klass->shortcut, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, klass->id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return class_write_error (self, rc, klass->name, klass->shortcut, error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no class %" G_GINT64_FORMAT, self->path, klass->id);
      return FALSE;
    }
  g_signal_emit (self, wm_store_signals[SIGNAL_CLASSES_CHANGED], 0);
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, (gint64) 0);
  return TRUE;
}

gboolean
wm_store_remove_class (WmStore  *self,
                       gint64    class_id,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) count = NULL;
  g_autoptr(sqlite3_stmt) history = NULL;
  g_autoptr(sqlite3_stmt) row = NULL;
  gint64 n_labels;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_begin (self, error))
    return FALSE;

  count = wm_store_prepare (self, "SELECT count(*) FROM label WHERE class_id = ?", error);
  if (count == NULL)
    goto fail;
  sqlite3_bind_int64 (count, 1, class_id);
  if (sqlite3_step (count) != SQLITE_ROW)
    {
      wm_store_set_sqlite_error (self, sqlite3_errcode (self->db), error, "counting labels");
      goto fail;
    }
  n_labels = sqlite3_column_int64 (count, 0);
  if (n_labels > 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE,
                   "%s: the class is used by %" G_GINT64_FORMAT " label(s); remove or "
                   "relabel them first", self->path, n_labels);
      goto fail;
    }

  /* Edits that would bring back a label of this class can no longer be undone. */
  history = wm_store_prepare (self, "DELETE FROM label_edit WHERE before_class_id = ?1 OR after_class_id = ?1", error);
  row = wm_store_prepare (self, "DELETE FROM class WHERE id = ?", error);
  if (history == NULL || row == NULL)
    goto fail;
  sqlite3_bind_int64 (history, 1, class_id);
  sqlite3_bind_int64 (row, 1, class_id);
  if ((rc = sqlite3_step (history)) != SQLITE_DONE || (rc = sqlite3_step (row)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "removing a class");
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no class %" G_GINT64_FORMAT, self->path, class_id);
      goto fail;
    }
  if (!wm_store_commit (self, error))
    return FALSE;
  g_signal_emit (self, wm_store_signals[SIGNAL_CLASSES_CHANGED], 0);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}

static WmClass *
class_from_row (sqlite3_stmt *stmt)
{
  WmClass *klass = g_new0 (WmClass, 1);

  klass->id = sqlite3_column_int64 (stmt, 0);
  klass->name = wm_store_dup_column_text (stmt, 1);
  klass->color = wm_store_dup_column_text (stmt, 2);
  klass->shortcut = wm_store_dup_column_text (stmt, 3);
  return klass;
}

GPtrArray *
wm_store_list_classes (WmStore  *self,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) classes = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT id, name, color, shortcut FROM class ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  classes = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_class_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (classes, class_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing classes");
      return NULL;
    }
  return g_steal_pointer (&classes);
}

WmClass *
wm_store_find_class (WmStore    *self,
                     const char *name,
                     GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = wm_store_prepare (self, "SELECT id, name, color, shortcut FROM class WHERE name = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return class_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no class named “%s” (add it with “waymark-cli classes add”)",
                 self->path, name);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a class");
  return NULL;
}

/* ---- labels -------------------------------------------------------------- */

#define LABEL_COLUMNS \
  "l.id, l.recording_id, l.start_frame, l.end_frame, l.class_id, c.name, l.source, " \
  "l.confidence, l.model_version, l.author, l.created_at, l.updated_at"

/* How a label is kept in the edit history. */
#define LABEL_VARIANT_TYPE "(xxxxidmsmsxx)"

static WmLabel *
label_from_row (sqlite3_stmt *stmt)
{
  WmLabel *label = wm_label_new ();

  label->id = sqlite3_column_int64 (stmt, 0);
  label->recording_id = sqlite3_column_int64 (stmt, 1);
  label->start_frame = sqlite3_column_int64 (stmt, 2);
  label->end_frame = sqlite3_column_int64 (stmt, 3);
  label->class_id = sqlite3_column_int64 (stmt, 4);
  label->class_name = wm_store_dup_column_text (stmt, 5);
  label->source = (WmLabelSource) sqlite3_column_int (stmt, 6);
  label->confidence = sqlite3_column_double (stmt, 7);
  label->model_version = wm_store_dup_column_text (stmt, 8);
  label->author = wm_store_dup_column_text (stmt, 9);
  label->created_at = sqlite3_column_int64 (stmt, 10);
  label->updated_at = sqlite3_column_int64 (stmt, 11);
  return label;
}

static GVariant *
label_to_variant (const WmLabel *label)
{
  return g_variant_new (LABEL_VARIANT_TYPE,
                        label->recording_id, label->start_frame, label->end_frame,
                        label->class_id, (gint32) label->source, label->confidence,
                        label->model_version, label->author,
                        label->created_at, label->updated_at);
}

static WmLabel *
label_from_blob (gint64        label_id,
                 const void   *data,
                 gsize         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) variant = NULL;
  WmLabel *label = wm_label_new ();
  gint32 source;

  bytes = g_bytes_new (data, size);
  variant = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (LABEL_VARIANT_TYPE), bytes, FALSE));
  g_variant_get (variant, LABEL_VARIANT_TYPE,
                 &label->recording_id, &label->start_frame, &label->end_frame,
                 &label->class_id, &source, &label->confidence,
                 &label->model_version, &label->author,
                 &label->created_at, &label->updated_at);
  label->id = label_id;
  label->source = (WmLabelSource) source;
  return label;
}

static gboolean
validate_label (WmStore       *self,
                const WmLabel *label,
                GError       **error)
{
  g_autoptr(WmRecording) recording = NULL;

  if (label->source < WM_LABEL_SOURCE_HUMAN || label->source > WM_LABEL_SOURCE_REVIEW)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "label source %d is not valid", (int) label->source);
      return FALSE;
    }
  if (label->confidence < 0.0 || label->confidence > 1.0 || isnan (label->confidence))
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "label confidence %g is outside [0, 1]", label->confidence);
      return FALSE;
    }
  recording = wm_store_get_recording (self, label->recording_id, error);
  if (recording == NULL)
    return FALSE;
  if (label->start_frame < 0 || label->end_frame < label->start_frame)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "label [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") on recording "
                   "%" G_GINT64_FORMAT " ends before it starts",
                   label->start_frame, label->end_frame, label->recording_id);
      return FALSE;
    }
  if (label->end_frame > recording->n_frames)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "label [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") goes beyond the end "
                   "of recording %" G_GINT64_FORMAT " “%s” (%" G_GINT64_FORMAT " frames, %.3f s)",
                   label->start_frame, label->end_frame, recording->id, recording->name,
                   recording->n_frames, wm_recording_get_duration (recording));
      return FALSE;
    }
  return TRUE;
}

/* Puts a label row in the state @label describes (inserting it with its id
 * if absent), or deletes it when @label is NULL. */
static gboolean
write_label_row (WmStore       *self,
                 gint64         label_id,
                 const WmLabel *label,
                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (label == NULL)
    {
      stmt = wm_store_prepare (self, "DELETE FROM label WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, label_id);
    }
  else
    {
      stmt = wm_store_prepare (self,
                               "INSERT OR REPLACE INTO label (id, recording_id, start_frame, end_frame, "
                               "class_id, source, confidence, model_version, author, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      if (label_id > 0)
        sqlite3_bind_int64 (stmt, 1, label_id);
      sqlite3_bind_int64 (stmt, 2, label->recording_id);
      sqlite3_bind_int64 (stmt, 3, label->start_frame);
      sqlite3_bind_int64 (stmt, 4, label->end_frame);
      sqlite3_bind_int64 (stmt, 5, label->class_id);
      sqlite3_bind_int (stmt, 6, (int) label->source);
      sqlite3_bind_double (stmt, 7, label->confidence);
      if (label->model_version != NULL)
        sqlite3_bind_text (stmt, 8, label->model_version, -1, SQLITE_TRANSIENT);
      if (label->author != NULL)
        sqlite3_bind_text (stmt, 9, label->author, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 10, label->created_at);
      sqlite3_bind_int64 (stmt, 11, label->updated_at);
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: the label's recording or class no longer exists", self->path);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "writing a label");
  return TRUE;
}

static void
bind_label_blob (sqlite3_stmt  *stmt,
                 int            column,
                 const WmLabel *label)
{
  g_autoptr(GVariant) variant = NULL;

  if (label == NULL)
    return;
  variant = g_variant_ref_sink (label_to_variant (label));
  sqlite3_bind_blob (stmt, column, g_variant_get_data (variant),
                     (int) g_variant_get_size (variant), SQLITE_TRANSIENT);
}

static gboolean
record_edit (WmStore       *self,
             gint64         label_id,
             const WmLabel *before,
             const WmLabel *after,
             GError       **error)
{
  g_autoptr(sqlite3_stmt) drop_redo = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  int rc;

  drop_redo = wm_store_prepare (self, "DELETE FROM label_edit WHERE undone = 1", error);
  insert = wm_store_prepare (self,
                             "INSERT INTO label_edit (recording_id, label_id, before_class_id, "
                             "after_class_id, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (drop_redo == NULL || insert == NULL)
    return FALSE;

  sqlite3_bind_int64 (insert, 1, (before != NULL ? before : after)->recording_id);
  sqlite3_bind_int64 (insert, 2, label_id);
  if (before != NULL)
    sqlite3_bind_int64 (insert, 3, before->class_id);
  if (after != NULL)
    sqlite3_bind_int64 (insert, 4, after->class_id);
  bind_label_blob (insert, 5, before);
  bind_label_blob (insert, 6, after);
  sqlite3_bind_int64 (insert, 7, now_us ());

  if ((rc = sqlite3_step (drop_redo)) != SQLITE_DONE || (rc = sqlite3_step (insert)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "recording the edit");
  return TRUE;
}

/* One edit: the label goes from @before to @after (either may be NULL) and
 * the history remembers both, all in one transaction. */
static gboolean
apply_edit (WmStore       *self,
            gint64        *inout_label_id,
            const WmLabel *before,
            const WmLabel *after,
            GError       **error)
{
  if (!wm_store_begin (self, error))
    return FALSE;
  if (!write_label_row (self, *inout_label_id, after, error))
    goto fail;
  if (*inout_label_id == 0)
    *inout_label_id = sqlite3_last_insert_rowid (self->db);
  if (!record_edit (self, *inout_label_id, before, after, error))
    goto fail;
  if (!wm_store_commit (self, error))
    return FALSE;
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0,
                 (after != NULL ? after : before)->recording_id);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}

static gboolean
check_class_exists (WmStore *self,
                    gint64   class_id,
                    GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = wm_store_prepare (self, "SELECT 1 FROM class WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, class_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no class %" G_GINT64_FORMAT, self->path, class_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
wm_store_add_label (WmStore  *self,
                    WmLabel  *label,
                    GError  **error)
{
  gint64 id = 0;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (label != NULL, FALSE);

  if (!wm_store_check_writable (self, error) ||
      !validate_label (self, label, error) ||
      !check_class_exists (self, label->class_id, error))
    return FALSE;

  label->created_at = label->updated_at = now_us ();
  if (!apply_edit (self, &id, NULL, label, error))
    return FALSE;
  label->id = id;
  return TRUE;
}

gboolean
wm_store_update_label (WmStore       *self,
                       const WmLabel *label,
                       GError       **error)
{
  g_autoptr(WmLabel) before = NULL;
  g_autoptr(WmLabel) after = NULL;
  gint64 id;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (label != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  before = wm_store_get_label (self, label->id, error);
  if (before == NULL)
    return FALSE;
  after = wm_label_copy (label);
  after->recording_id = before->recording_id;
  after->created_at = before->created_at;
  after->updated_at = now_us ();
  if (!validate_label (self, after, error) || !check_class_exists (self, after->class_id, error))
    return FALSE;

  id = label->id;
  return apply_edit (self, &id, before, after, error);
}

gboolean
wm_store_remove_label (WmStore  *self,
                       gint64    label_id,
                       GError  **error)
{
  g_autoptr(WmLabel) before = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  before = wm_store_get_label (self, label_id, error);
  if (before == NULL)
    return FALSE;
  return apply_edit (self, &label_id, before, NULL, error);
}

WmLabel *
wm_store_get_label (WmStore  *self,
                    gint64    label_id,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " LABEL_COLUMNS " FROM label l JOIN class c ON c.id = l.class_id "
                                 "WHERE l.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, label_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return label_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no label %" G_GINT64_FORMAT, self->path, label_id);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a label");
  return NULL;
}

GPtrArray *
wm_store_list_labels (WmStore  *self,
                      gint64    recording_id,
                      gint64    first_frame,
                      gint64    end_frame,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  if (end_frame < 0)
    end_frame = G_MAXINT64;

  /* Overlap with [first, end): starts before the end and ends after the
   * first frame; a point event counts when it lies in [first, end). */
  if (recording_id > 0)
    stmt = wm_store_prepare (self, "SELECT " LABEL_COLUMNS " FROM label l JOIN class c ON c.id = l.class_id "
                                   "WHERE l.recording_id = ?1 AND l.start_frame < ?3 "
                                   "AND (l.end_frame > ?2 OR (l.end_frame = l.start_frame AND l.start_frame >= ?2)) "
                                   "ORDER BY l.start_frame, l.id", error);
  else
    stmt = wm_store_prepare (self, "SELECT " LABEL_COLUMNS " FROM label l JOIN class c ON c.id = l.class_id "
                                   "WHERE ?1 = 0 AND l.start_frame < ?3 "
                                   "AND (l.end_frame > ?2 OR (l.end_frame = l.start_frame AND l.start_frame >= ?2)) "
                                   "ORDER BY l.recording_id, l.start_frame, l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  sqlite3_bind_int64 (stmt, 2, first_frame);
  sqlite3_bind_int64 (stmt, 3, end_frame);

  labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (labels, label_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing labels");
      return NULL;
    }
  return g_steal_pointer (&labels);
}

GPtrArray *
wm_store_list_run_labels (WmStore  *self,
                          gint64    run_id,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " LABEL_COLUMNS " FROM label l JOIN class c ON c.id = l.class_id "
                                 "WHERE l.run_id = ? ORDER BY l.recording_id, l.start_frame, l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (labels, label_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing labels of a run");
      return NULL;
    }
  return g_steal_pointer (&labels);
}

gint64
wm_store_count_labels (WmStore *self,
                       gint64   recording_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), 0);

  stmt = wm_store_prepare (self, "SELECT count(*) FROM label WHERE recording_id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  return 0;
}

GArray *
wm_store_list_label_spans (WmStore        *self,
                           gint64          recording_id,
                           WmLabelSource   exclude,
                           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) spans = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT start_frame, end_frame FROM label WHERE recording_id = ? AND source != ? "
                                 "ORDER BY start_frame", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  sqlite3_bind_int (stmt, 2, (int) exclude);
  spans = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 span[2] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_vals (spans, span, 2);
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing labels");
      return NULL;
    }
  return g_steal_pointer (&spans);
}

/* ---- undo / redo --------------------------------------------------------- */

static gboolean
history_has (WmStore *self,
             int      undone)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = wm_store_prepare (self, "SELECT 1 FROM label_edit WHERE undone = ? LIMIT 1", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, undone);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
wm_store_can_undo (WmStore *self)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return !self->read_only && history_has (self, 0);
}

gboolean
wm_store_can_redo (WmStore *self)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return !self->read_only && history_has (self, 1);
}

/* Undo (@undo TRUE): the newest live edit, restoring its "before".
 * Redo: the oldest undone edit, restoring its "after". */
static gboolean
step_history (WmStore  *self,
              gboolean  undo,
              gint64   *out_label_id,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) pick = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  g_autoptr(WmLabel) state = NULL;
  gint64 edit_id, label_id, recording_id;
  int rc;

  if (!wm_store_begin (self, error))
    return FALSE;

  pick = wm_store_prepare (self, undo
                           ? "SELECT id, label_id, recording_id, before FROM label_edit WHERE undone = 0 ORDER BY id DESC LIMIT 1"
                           : "SELECT id, label_id, recording_id, after FROM label_edit WHERE undone = 1 ORDER BY id ASC LIMIT 1",
                           error);
  if (pick == NULL)
    goto fail;
  rc = sqlite3_step (pick);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   undo ? "%s: nothing to undo" : "%s: nothing to redo", self->path);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading the edit history");
      goto fail;
    }
  edit_id = sqlite3_column_int64 (pick, 0);
  label_id = sqlite3_column_int64 (pick, 1);
  recording_id = sqlite3_column_int64 (pick, 2);
  if (sqlite3_column_type (pick, 3) != SQLITE_NULL)
    state = label_from_blob (label_id, sqlite3_column_blob (pick, 3),
                             (gsize) sqlite3_column_bytes (pick, 3));

  if (!write_label_row (self, label_id, state, error))
    goto fail;

  mark = wm_store_prepare (self, "UPDATE label_edit SET undone = ? WHERE id = ?", error);
  if (mark == NULL)
    goto fail;
  sqlite3_bind_int (mark, 1, undo ? 1 : 0);
  sqlite3_bind_int64 (mark, 2, edit_id);
  if ((rc = sqlite3_step (mark)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "writing the edit history");
      goto fail;
    }
  if (!wm_store_commit (self, error))
    return FALSE;

  if (out_label_id != NULL)
    *out_label_id = label_id;
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, recording_id);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}

gboolean
wm_store_undo (WmStore  *self,
               gint64   *out_label_id,
               GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return step_history (self, TRUE, out_label_id, error);
}

gboolean
wm_store_redo (WmStore  *self,
               gint64   *out_label_id,
               GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return step_history (self, FALSE, out_label_id, error);
}
