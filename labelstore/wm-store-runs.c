/* wm-store-runs.c — auto-label runs, predictions, model labels, review queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "wm-store-private.h"

/* ---- runs ---------------------------------------------------------------- */

#define RUN_COLUMNS \
  "id, model_id, model_name, model_version, variant, class_names, thresholds, margin, " \
  "window_frames, hop_frames, state, started_at, finished_at"

static WmRun *
run_from_row (sqlite3_stmt *stmt)
{
  WmRun *run = g_new0 (WmRun, 1);
  g_autofree char *names = wm_store_dup_column_text (stmt, 5);
  guint n;

  run->id = sqlite3_column_int64 (stmt, 0);
  run->model_id = sqlite3_column_int64 (stmt, 1);
  run->model_name = wm_store_dup_column_text (stmt, 2);
  run->model_version = wm_store_dup_column_text (stmt, 3);
  run->variant = wm_store_dup_column_text (stmt, 4);
  run->class_names = g_strsplit (names != NULL ? names : "", "\n", -1);
  n = g_strv_length (run->class_names);
  run->thresholds = g_new0 (double, MAX (n, 1));
  if ((gsize) sqlite3_column_bytes (stmt, 6) == n * sizeof (double))
    memcpy (run->thresholds, sqlite3_column_blob (stmt, 6), n * sizeof (double));
  run->margin = sqlite3_column_double (stmt, 7);
  run->window_frames = sqlite3_column_int64 (stmt, 8);
  run->hop_frames = sqlite3_column_int64 (stmt, 9);
  run->state = (WmRunState) sqlite3_column_int (stmt, 10);
  run->started_at = sqlite3_column_int64 (stmt, 11);
  run->finished_at = sqlite3_column_int64 (stmt, 12);
  return run;
}

gint64
wm_store_add_run (WmStore     *self,
                  const WmRun *run,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *names = NULL;
  guint n;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), 0);
  g_return_val_if_fail (run != NULL && run->class_names != NULL, 0);

  if (!wm_store_check_writable (self, error))
    return 0;
  n = wm_run_get_n_classes (run);
  names = g_strjoinv ("\n", run->class_names);
  stmt = wm_store_prepare (self, "INSERT INTO run (model_id, model_name, model_version, variant, class_names, "
                                 "thresholds, margin, window_frames, hop_frames, state, started_at, finished_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  if (run->model_id > 0)
    sqlite3_bind_int64 (stmt, 1, run->model_id);
  sqlite3_bind_text (stmt, 2, run->model_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, run->model_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, run->variant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, names, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 6, run->thresholds, (int) (n * sizeof (double)), SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 7, run->margin);
  sqlite3_bind_int64 (stmt, 8, run->window_frames);
  sqlite3_bind_int64 (stmt, 9, run->hop_frames);
  sqlite3_bind_int (stmt, 10, (int) run->state);
  sqlite3_bind_int64 (stmt, 11, run->started_at != 0 ? run->started_at : g_get_real_time ());
  sqlite3_bind_int64 (stmt, 12, run->finished_at);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "storing a run");
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
wm_store_update_run (WmStore     *self,
                     const WmRun *run,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (run != NULL, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare (self, "UPDATE run SET thresholds = ?, margin = ?, state = ?, started_at = ?, "
                                 "finished_at = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, run->thresholds, (int) (wm_run_get_n_classes (run) * sizeof (double)), SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 2, run->margin);
  sqlite3_bind_int (stmt, 3, (int) run->state);
  sqlite3_bind_int64 (stmt, 4, run->started_at);
  sqlite3_bind_int64 (stmt, 5, run->finished_at);
  sqlite3_bind_int64 (stmt, 6, run->id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "updating a run");
  return TRUE;
}

WmRun *
wm_store_get_run (WmStore  *self,
                  gint64    run_id,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " RUN_COLUMNS " FROM run WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return run_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no auto-label run %" G_GINT64_FORMAT, self->path, run_id);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a run");
  return NULL;
}

GPtrArray *
wm_store_list_runs (WmStore  *self,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " RUN_COLUMNS " FROM run ORDER BY started_at DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  runs = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_run_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (runs, run_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing runs");
      return NULL;
    }
  return g_steal_pointer (&runs);
}

WmRun *
wm_store_find_run_for_model (WmStore  *self,
                             gint64    model_id,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " RUN_COLUMNS " FROM run WHERE model_id = ? ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return run_from_row (stmt);
  if (rc != SQLITE_DONE)
    wm_store_set_sqlite_error (self, rc, error, "reading a run");
  return NULL;
}

/* ---- predictions --------------------------------------------------------- */

gboolean
wm_store_put_predictions (WmStore     *self,
                          gint64       run_id,
                          gint64       recording_id,
                          gint64       first_window,
                          guint        n_windows,
                          guint        n_classes,
                          const float *probabilities,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (probabilities != NULL || n_windows == 0, FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  stmt = wm_store_prepare_cached (self, "INSERT OR REPLACE INTO prediction (run_id, recording_id, first_window, n_windows, "
                                 "probabilities) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, recording_id);
  sqlite3_bind_int64 (stmt, 3, first_window);
  sqlite3_bind_int (stmt, 4, (int) n_windows);
  sqlite3_bind_blob64 (stmt, 5, probabilities, (sqlite3_uint64) n_windows * n_classes * sizeof (float), SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "storing predictions");
  return TRUE;
}

static GArray *
list_int64 (WmStore    *self,
            const char *sql,
            gint64      a,
            gint64      b,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = wm_store_prepare (self, sql, error);
  g_autoptr(GArray) values = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, a);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  values = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 v = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (values, v);
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading");
      return NULL;
    }
  return g_steal_pointer (&values);
}

GArray *
wm_store_list_prediction_chunks (WmStore  *self,
                                 gint64    run_id,
                                 gint64    recording_id,
                                 GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return list_int64 (self, "SELECT first_window FROM prediction WHERE run_id = ?1 AND recording_id = ?2 "
                           "ORDER BY first_window", run_id, recording_id, error);
}

GArray *
wm_store_list_run_recordings (WmStore  *self,
                              gint64    run_id,
                              GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return list_int64 (self, "SELECT DISTINCT recording_id FROM prediction WHERE run_id = ?1 "
                           "ORDER BY recording_id", run_id, 0, error);
}

float *
wm_store_read_predictions (WmStore  *self,
                           gint64    run_id,
                           gint64    recording_id,
                           guint     n_classes,
                           gint64   *out_n_windows,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree float *probs = NULL;
  gint64 n_windows = 0, allocated = 0;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (n_classes > 0, NULL);

  stmt = wm_store_prepare (self, "SELECT first_window, n_windows, probabilities FROM prediction "
                                 "WHERE run_id = ? AND recording_id = ? ORDER BY first_window", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, recording_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 first = sqlite3_column_int64 (stmt, 0);
      gint64 n = sqlite3_column_int64 (stmt, 1);
      gsize bytes = (gsize) sqlite3_column_bytes (stmt, 2);

      if (first < 0 || n < 0 || bytes != (gsize) n * n_classes * sizeof (float))
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
                       "%s: the predictions of run %" G_GINT64_FORMAT " are damaged", self->path, run_id);
          return NULL;
        }
      if (first + n > allocated)
        {
          gint64 grow = MAX (first + n, allocated * 2);
          probs = g_renew (float, probs, grow * n_classes);
          for (gint64 i = allocated * n_classes; i < grow * n_classes; i++)
            probs[i] = NAN;
          allocated = grow;
        }
      memcpy (probs + first * n_classes, sqlite3_column_blob (stmt, 2), bytes);
      n_windows = MAX (n_windows, first + n);
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading predictions");
      return NULL;
    }
  if (out_n_windows != NULL)
    *out_n_windows = n_windows;
  if (probs == NULL)
    probs = g_new0 (float, 1);
  return g_steal_pointer (&probs);
}

static gboolean
exec_bound (WmStore    *self,
            const char *sql,
            gint64      a,
            gint64      b,
            const char *what,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = wm_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, what);
  return TRUE;
}

gboolean
wm_store_delete_predictions (WmStore  *self,
                             gint64    run_id,
                             gint64    recording_id,
                             GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return wm_store_check_writable (self, error) &&
         exec_bound (self, "DELETE FROM prediction WHERE run_id = ?1 AND recording_id = ?2",
                     run_id, recording_id, "removing predictions", error);
}

/* ---- model labels -------------------------------------------------------- */

gboolean
wm_store_delete_model_labels (WmStore  *self,
                              gint64    run_id,
                              gint64    recording_id,
                              GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_check_writable (self, error))
    return FALSE;
  /* The history of a removed label cannot bring it back. */
  if (!exec_bound (self, "DELETE FROM label_edit WHERE label_id IN (SELECT id FROM label WHERE run_id = ?1 "
                         "AND recording_id = ?2 AND source = 2)", run_id, recording_id, "removing model labels", error) ||
      !exec_bound (self, "DELETE FROM label WHERE run_id = ?1 AND recording_id = ?2 AND source = 2",
                   run_id, recording_id, "removing model labels", error))
    return FALSE;
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, recording_id);
  return TRUE;
}

gboolean
wm_store_retire_model_labels (WmStore    *self,
                              const char *model_name,
                              gint64      keep_run_id,
                              gint64      recording_id,
                              GError    **error)
{
  g_autoptr(GArray) runs = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (model_name != NULL, FALSE);

  {
    g_autoptr(sqlite3_stmt) stmt = wm_store_prepare (self, "SELECT id FROM run WHERE model_name = ? AND id != ?", error);
    int rc;

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_text (stmt, 1, model_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, keep_run_id);
    runs = g_array_new (FALSE, FALSE, sizeof (gint64));
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (runs, id);
      }
    if (rc != SQLITE_DONE)
      return wm_store_set_sqlite_error (self, rc, error, "reading runs");
  }
  for (guint i = 0; i < runs->len; i++)
    {
      gint64 run_id = g_array_index (runs, gint64, i);
      if (!wm_store_delete_model_labels (self, run_id, recording_id, error) ||
          !wm_store_delete_pending_review_items (self, run_id, recording_id, error))
        return FALSE;
    }
  return TRUE;
}

/* A stored model label or pending review item, as the sync compares it. */
typedef struct {
  gint64 id;
  gint64 start;      /* label: start frame; item: window index */
  gint64 end;        /* label: end frame; item: 0 */
  gint64 class_id;   /* label: class; item: 0 (not part of an item's key) */
  double value;      /* label: confidence; item: threshold */
  gint64 item_class; /* item: class */
  gboolean keep;
} Stored;

static guint
stored_hash (gconstpointer p)
{
  const Stored *s = p;
  return (guint) (s->start * 2654435761u) ^ (guint) (s->end * 40503u) ^ (guint) s->class_id;
}

static gboolean
stored_equal (gconstpointer a,
              gconstpointer b)
{
  const Stored *x = a, *y = b;
  return x->start == y->start && x->end == y->end && x->class_id == y->class_id;
}

/* Rows of @sql (id, start, end, class, value, item class) for a run and a
 * recording, and a table of them by key. */
static GArray *
list_stored (WmStore     *self,
             const char  *sql,
             gint64       run_id,
             gint64       recording_id,
             GHashTable **out_index,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = wm_store_prepare (self, sql, error);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Stored));
  GHashTable *index;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, recording_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Stored row = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), sqlite3_column_int64 (stmt, 2),
                     sqlite3_column_int64 (stmt, 3), sqlite3_column_double (stmt, 4), sqlite3_column_int64 (stmt, 5),
                     FALSE };
      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading model output");
      return NULL;
    }
  index = g_hash_table_new (stored_hash, stored_equal);
  for (guint i = 0; i < rows->len; i++)
    g_hash_table_add (index, &g_array_index (rows, Stored, i));
  *out_index = index;
  return g_steal_pointer (&rows);
}

/* The changes are staged row by row in temporary tables and then applied
 * with one statement each: a statement that may abort (the project's tables
 * have foreign keys) keeps a journal of every 64 KiB page it touches, so one
 * statement per row would copy pages thousands of times. */
enum { STAGE_INSERT = 1, STAGE_UPDATE, STAGE_DELETE, STAGE_RECLASS };

static const char stage_schema[] =
  "CREATE TEMP TABLE IF NOT EXISTS wm_stage_label ("
  "  kind INTEGER NOT NULL, id INTEGER, start_frame INTEGER, end_frame INTEGER, class_id INTEGER, confidence REAL);"
  "CREATE TEMP TABLE IF NOT EXISTS wm_stage_item ("
  "  kind INTEGER NOT NULL, id INTEGER, window_index INTEGER, start_frame INTEGER, end_frame INTEGER,"
  "  class_id INTEGER, probability REAL, threshold REAL, priority REAL);"
  "DELETE FROM temp.wm_stage_label; DELETE FROM temp.wm_stage_item;";

static gboolean
stage_label (WmStore        *self,
             int             kind,
             gint64          id,
             gconstpointer   row,
             GError        **error)
{
  const WmLabel *label = row;
  sqlite3_stmt *stmt = wm_store_prepare_cached (self, "INSERT INTO temp.wm_stage_label VALUES (?, ?, ?, ?, ?, ?)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_int64 (stmt, 2, id);
  if (label != NULL)
    {
      sqlite3_bind_int64 (stmt, 3, label->start_frame);
      sqlite3_bind_int64 (stmt, 4, label->end_frame);
      sqlite3_bind_int64 (stmt, 5, label->class_id);
      sqlite3_bind_double (stmt, 6, label->confidence);
    }
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "staging model labels");
  return TRUE;
}

static gboolean
stage_item (WmStore        *self,
            int             kind,
            gint64          id,
            gconstpointer   row,
            GError        **error)
{
  const WmReviewItem *item = row;
  sqlite3_stmt *stmt = wm_store_prepare_cached (self, "INSERT INTO temp.wm_stage_item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_int64 (stmt, 2, id);
  if (item != NULL)
    {
      sqlite3_bind_int64 (stmt, 3, item->window_index);
      sqlite3_bind_int64 (stmt, 4, item->start_frame);
      sqlite3_bind_int64 (stmt, 5, item->end_frame);
      sqlite3_bind_int64 (stmt, 6, item->class_id);
      sqlite3_bind_double (stmt, 7, item->probability);
      sqlite3_bind_double (stmt, 8, item->threshold);
      sqlite3_bind_double (stmt, 9, fabs (item->probability - item->threshold));
    }
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "staging review items");
  return TRUE;
}

typedef gboolean (*StageFunc) (WmStore *self, int kind, gint64 id, gconstpointer row, GError **error);

/* Stages the removal of the stored rows that nothing kept. */
static gboolean
stage_removed (WmStore    *self,
               GArray     *rows,
               StageFunc   stage,
               guint      *out_changes,
               GError    **error)
{
  for (guint i = 0; i < rows->len; i++)
    if (!g_array_index (rows, Stored, i).keep)
      {
        if (!stage (self, STAGE_DELETE, g_array_index (rows, Stored, i).id, NULL, error))
          return FALSE;
        ++*out_changes;
      }
  return TRUE;
}

static gboolean
stage_labels (WmStore    *self,
              gint64      run_id,
              gint64      recording_id,
              GPtrArray  *labels,
              guint      *out_changes,
              GError    **error)
{
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GArray) rows = list_stored (self, "SELECT id, start_frame, end_frame, class_id, confidence, 0 FROM label "
                                              "WHERE run_id = ?1 AND recording_id = ?2 AND source = 2",
                                        run_id, recording_id, &index, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *label = labels->pdata[i];
      Stored key = { 0, label->start_frame, label->end_frame, label->class_id, 0, 0, FALSE };
      Stored *old = g_hash_table_lookup (index, &key);

      /* The same cells of the same probabilities give the same mean. */
      if (old != NULL && !old->keep && old->value == label->confidence)
        old->keep = TRUE;
      else if (!stage_label (self, STAGE_INSERT, 0, label, error))
        return FALSE;
      else
        ++*out_changes;
    }
  return stage_removed (self, rows, stage_label, out_changes, error);
}

static gboolean
stage_items (WmStore  *self,
             gint64    run_id,
             gint64    recording_id,
             GArray   *items,
             guint    *out_changes,
             GError  **error)
{
  g_autoptr(GHashTable) index = NULL;
  /* Keyed by window alone: a pending item of a window is updated in place. */
  g_autoptr(GArray) rows = list_stored (self, "SELECT id, window_index, 0, 0, threshold, class_id FROM review_item "
                                              "WHERE run_id = ?1 AND recording_id = ?2 AND state = 0",
                                        run_id, recording_id, &index, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      const WmReviewItem *item = &g_array_index (items, WmReviewItem, i);
      Stored key = { 0, item->window_index, 0, 0, 0, 0, FALSE };
      Stored *old = g_hash_table_lookup (index, &key);

      if (old != NULL)
        {
          old->keep = TRUE;
          if (old->item_class == item->class_id && old->value == item->threshold)
            continue;
        }
      if (!stage_item (self, old == NULL ? STAGE_INSERT : old->item_class == item->class_id ? STAGE_UPDATE : STAGE_RECLASS,
                       old != NULL ? old->id : 0, item, error))
        return FALSE;
      ++*out_changes;
    }
  return stage_removed (self, rows, stage_item, out_changes, error);
}

static gboolean
apply_staged (WmStore     *self,
              gint64       run_id,
              gint64       recording_id,
              const char  *model_version,
              GError     **error)
{
  static const char *const statements[] = {
    /* The history of a removed label cannot bring it back. */
    "DELETE FROM label_edit WHERE label_id IN (SELECT id FROM temp.wm_stage_label WHERE kind = 3)",
    "DELETE FROM label WHERE source = 2 AND id IN (SELECT id FROM temp.wm_stage_label WHERE kind = 3)",
    "INSERT INTO label (recording_id, start_frame, end_frame, class_id, source, confidence, model_version, "
    "                   created_at, updated_at, run_id) "
    "SELECT ?2, start_frame, end_frame, class_id, 2, confidence, ?3, ?4, ?4, ?1 "
    "FROM temp.wm_stage_label WHERE kind = 1 ORDER BY rowid",
    "DELETE FROM review_item WHERE state = 0 AND id IN (SELECT id FROM temp.wm_stage_item WHERE kind = 3)",
    /* A new threshold of the same class leaves the class column (and its
     * foreign key check) alone. */
    "UPDATE review_item AS r SET probability = s.probability, threshold = s.threshold, priority = s.priority "
    "FROM temp.wm_stage_item AS s WHERE s.kind = 2 AND r.id = s.id",
    "UPDATE review_item AS r SET start_frame = s.start_frame, end_frame = s.end_frame, class_id = s.class_id, "
    "  probability = s.probability, threshold = s.threshold, priority = s.priority "
    "FROM temp.wm_stage_item AS s WHERE s.kind = 4 AND r.id = s.id",
    "INSERT INTO review_item (run_id, recording_id, window_index, start_frame, end_frame, class_id, probability, "
    "                         threshold, priority) "
    "SELECT ?1, ?2, window_index, start_frame, end_frame, class_id, probability, threshold, priority "
    "FROM temp.wm_stage_item WHERE kind = 1 ORDER BY rowid",
  };
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *stmt = wm_store_prepare_cached (self, statements[i], error);
      int n, rc;

      if (stmt == NULL)
        return FALSE;
      n = sqlite3_bind_parameter_count (stmt);
      if (n >= 1)
        sqlite3_bind_int64 (stmt, 1, run_id);
      if (n >= 2)
        sqlite3_bind_int64 (stmt, 2, recording_id);
      if (n >= 3)
        sqlite3_bind_text (stmt, 3, model_version, -1, SQLITE_STATIC);
      if (n >= 4)
        sqlite3_bind_int64 (stmt, 4, now);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return wm_store_set_sqlite_error (self, rc, error, "writing model output");
    }
  return TRUE;
}

gboolean
wm_store_sync_model_output (WmStore    *self,
                            gint64      run_id,
                            gint64      recording_id,
                            GPtrArray  *labels,
                            GArray     *items,
                            GError    **error)
{
  guint label_changes = 0, item_changes = 0;
  const char *model_version = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (labels != NULL && items != NULL, FALSE);

  for (guint i = 0; i < labels->len && model_version == NULL; i++)
    model_version = ((WmLabel *) labels->pdata[i])->model_version;
  if (!wm_store_check_writable (self, error) || !wm_store_begin (self, error))
    return FALSE;
  if (!wm_store_exec (self, stage_schema, error) ||
      !stage_labels (self, run_id, recording_id, labels, &label_changes, error) ||
      !stage_items (self, run_id, recording_id, items, &item_changes, error) ||
      ((label_changes > 0 || item_changes > 0) && !apply_staged (self, run_id, recording_id, model_version, error)))
    {
      wm_store_rollback (self);
      return FALSE;
    }
  if (!wm_store_commit (self, error))
    return FALSE;
  if (label_changes > 0)
    g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, recording_id);
  return TRUE;
}

/* ---- review items -------------------------------------------------------- */

#define REVIEW_COLUMNS \
  "r.id, r.run_id, r.recording_id, r.window_index, r.start_frame, r.end_frame, r.class_id, c.name, " \
  "r.probability, r.threshold, r.priority, r.state, r.decided_class_id, dc.name, r.label_id, r.author, r.decided_at"
#define REVIEW_FROM \
  " FROM review_item r JOIN class c ON c.id = r.class_id LEFT JOIN class dc ON dc.id = r.decided_class_id "

static WmReviewItem *
review_item_from_row (sqlite3_stmt *stmt)
{
  WmReviewItem *item = g_new0 (WmReviewItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->run_id = sqlite3_column_int64 (stmt, 1);
  item->recording_id = sqlite3_column_int64 (stmt, 2);
  item->window_index = sqlite3_column_int64 (stmt, 3);
  item->start_frame = sqlite3_column_int64 (stmt, 4);
  item->end_frame = sqlite3_column_int64 (stmt, 5);
  item->class_id = sqlite3_column_int64 (stmt, 6);
  item->class_name = wm_store_dup_column_text (stmt, 7);
  item->probability = sqlite3_column_double (stmt, 8);
  item->threshold = sqlite3_column_double (stmt, 9);
  item->priority = sqlite3_column_double (stmt, 10);
  item->state = (WmReviewState) sqlite3_column_int (stmt, 11);
  item->decided_class_id = sqlite3_column_int64 (stmt, 12);
  item->decided_class_name = wm_store_dup_column_text (stmt, 13);
  item->label_id = sqlite3_column_int64 (stmt, 14);
  item->author = wm_store_dup_column_text (stmt, 15);
  item->decided_at = sqlite3_column_int64 (stmt, 16);
  return item;
}

gboolean
wm_store_delete_pending_review_items (WmStore  *self,
                                      gint64    run_id,
                                      gint64    recording_id,
                                      GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  return wm_store_check_writable (self, error) &&
         exec_bound (self, "DELETE FROM review_item WHERE run_id = ?1 AND recording_id = ?2 AND state = 0",
                     run_id, recording_id, "removing review items", error);
}

GArray *
wm_store_list_decided_windows (WmStore  *self,
                               gint64    run_id,
                               gint64    recording_id,
                               GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return list_int64 (self, "SELECT window_index FROM review_item WHERE run_id = ?1 AND recording_id = ?2 "
                           "AND state != 0 ORDER BY window_index", run_id, recording_id, error);
}

WmReviewItem *
wm_store_get_review_item (WmStore  *self,
                          gint64    item_id,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " REVIEW_COLUMNS REVIEW_FROM "WHERE r.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return review_item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no review item %" G_GINT64_FORMAT " (see “waymark-cli review list”)", self->path, item_id);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a review item");
  return NULL;
}

/* Review items in the queue's order: [offset, offset + limit) (limit 0:
 * all), pending ones only or every one. */
static GPtrArray *
list_review_items (WmStore   *self,
                   gint64     run_id,
                   gboolean   pending_only,
                   guint      offset,
                   guint      limit,
                   GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *sql;
  int rc;

  /* Pending items come straight off the (state, priority, id) index. */
  if (pending_only)
    sql = "SELECT " REVIEW_COLUMNS REVIEW_FROM "WHERE r.state = 0 AND (?1 = 0 OR r.run_id = ?1) "
          "ORDER BY r.priority, r.id LIMIT ?2 OFFSET ?3";
  else
    sql = "SELECT " REVIEW_COLUMNS REVIEW_FROM "WHERE (?1 = 0 OR r.run_id = ?1) "
          "ORDER BY r.state, r.priority, r.id LIMIT ?2 OFFSET ?3";
  stmt = wm_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  sqlite3_bind_int64 (stmt, 3, offset);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_review_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, review_item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing review items");
      return NULL;
    }
  return g_steal_pointer (&items);
}

GPtrArray *
wm_store_list_review_items (WmStore  *self,
                            gint64    run_id,
                            gboolean  pending_only,
                            guint     limit,
                            GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  return list_review_items (self, run_id, pending_only, 0, limit, error);
}

GPtrArray *
wm_store_list_review_items_page (WmStore  *self,
                                 gint64    run_id,
                                 guint     offset,
                                 guint     limit,
                                 GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (limit > 0, NULL);
  return list_review_items (self, run_id, TRUE, offset, limit, error);
}

gint64
wm_store_get_review_item_rank (WmStore *self,
                               gint64   run_id,
                               gint64   item_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), -1);

  /* Items before it in the queue's order, off the (state, priority, id) index. */
  stmt = wm_store_prepare (self, "SELECT (SELECT count(*) FROM review_item o WHERE o.state = 0 "
                                 "AND (?1 = 0 OR o.run_id = ?1) "
                                 "AND (o.priority < r.priority OR (o.priority = r.priority AND o.id < r.id))) "
                                 "FROM review_item r WHERE r.id = ?2 AND r.state = 0 "
                                 "AND (?1 = 0 OR r.run_id = ?1)", NULL);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, item_id);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
}

gint64
wm_store_count_review_items (WmStore       *self,
                             gint64         run_id,
                             WmReviewState  state)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), 0);

  stmt = wm_store_prepare (self, "SELECT count(*) FROM review_item WHERE state = ?1 AND (?2 = 0 OR run_id = ?2)", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int (stmt, 1, (int) state);
  sqlite3_bind_int64 (stmt, 2, run_id);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

/* The review label for an accepted or relabelled cell: an adjacent review
 * label of the same class grows to take it in, else a new one is made.
 * Remembers on the item how to take it back. */
static gboolean
make_review_label (WmStore            *self,
                   const WmReviewItem *item,
                   gint64              class_id,
                   const char         *author,
                   GError            **error)
{
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) note = NULL;
  gint64 label_id = 0, prev_start = -1, prev_end = -1;
  int rc;

  find = wm_store_prepare (self, "SELECT id, start_frame, end_frame FROM label WHERE recording_id = ?1 AND source = 3 "
                                 "AND class_id = ?2 AND (end_frame = ?3 OR start_frame = ?4) LIMIT 1", error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_int64 (find, 1, item->recording_id);
  sqlite3_bind_int64 (find, 2, class_id);
  sqlite3_bind_int64 (find, 3, item->start_frame);
  sqlite3_bind_int64 (find, 4, item->end_frame);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      label_id = sqlite3_column_int64 (find, 0);
      prev_start = sqlite3_column_int64 (find, 1);
      prev_end = sqlite3_column_int64 (find, 2);
      {
        g_autoptr(sqlite3_stmt) grow = wm_store_prepare (self, "UPDATE label SET start_frame = min(start_frame, ?1), "
                                                               "end_frame = max(end_frame, ?2), updated_at = ?3 "
                                                               "WHERE id = ?4", error);
        if (grow == NULL)
          return FALSE;
        sqlite3_bind_int64 (grow, 1, item->start_frame);
        sqlite3_bind_int64 (grow, 2, item->end_frame);
        sqlite3_bind_int64 (grow, 3, g_get_real_time ());
        sqlite3_bind_int64 (grow, 4, label_id);
        if ((rc = sqlite3_step (grow)) != SQLITE_DONE)
          return wm_store_set_sqlite_error (self, rc, error, "growing a review label");
      }
    }
  else if (rc == SQLITE_DONE)
    {
      g_autoptr(sqlite3_stmt) insert = NULL;
      gint64 now = g_get_real_time ();

      insert = wm_store_prepare (self, "INSERT INTO label (recording_id, start_frame, end_frame, class_id, source, "
                                       "confidence, model_version, author, created_at, updated_at, run_id) "
                                       "SELECT ?, ?, ?, ?, 3, 1.0, model_name || '@' || model_version, ?, ?, ?, id "
                                       "FROM run WHERE id = ?", error);
      if (insert == NULL)
        return FALSE;
      sqlite3_bind_int64 (insert, 1, item->recording_id);
      sqlite3_bind_int64 (insert, 2, item->start_frame);
      sqlite3_bind_int64 (insert, 3, item->end_frame);
      sqlite3_bind_int64 (insert, 4, class_id);
      if (author != NULL)
        sqlite3_bind_text (insert, 5, author, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 6, now);
      sqlite3_bind_int64 (insert, 7, now);
      sqlite3_bind_int64 (insert, 8, item->run_id);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        return wm_store_set_sqlite_error (self, rc, error, "storing a review label");
      label_id = sqlite3_last_insert_rowid (self->db);
    }
  else
    return wm_store_set_sqlite_error (self, rc, error, "reading labels");

  note = wm_store_prepare (self, "UPDATE review_item SET label_id = ?, label_prev_start = ?, label_prev_end = ? "
                                 "WHERE id = ?", error);
  if (note == NULL)
    return FALSE;
  sqlite3_bind_int64 (note, 1, label_id);
  if (prev_start >= 0)
    {
      sqlite3_bind_int64 (note, 2, prev_start);
      sqlite3_bind_int64 (note, 3, prev_end);
    }
  sqlite3_bind_int64 (note, 4, item->id);
  if ((rc = sqlite3_step (note)) != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "storing a decision");
  return TRUE;
}

gboolean
wm_store_decide_review_item (WmStore        *self,
                             gint64          item_id,
                             WmReviewState   decision,
                             gint64          class_id,
                             const char     *author,
                             GError        **error)
{
  g_autoptr(WmReviewItem) item = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (decision == WM_REVIEW_ACCEPTED || decision == WM_REVIEW_REJECTED ||
                        decision == WM_REVIEW_RELABELLED, FALSE);

  if (!wm_store_begin (self, error))
    return FALSE;
  item = wm_store_get_review_item (self, item_id, error);
  if (item == NULL)
    goto fail;
  if (item->state != WM_REVIEW_PENDING)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: review item %" G_GINT64_FORMAT " was %s already (undo it first with “review undo”)",
                   self->path, item_id, wm_review_state_to_string (item->state));
      goto fail;
    }
  if (decision == WM_REVIEW_ACCEPTED)
    class_id = item->class_id;
  else if (decision == WM_REVIEW_REJECTED)
    class_id = 0;

  mark = wm_store_prepare (self, "UPDATE review_item SET state = ?, decided_class_id = ?, author = ?, decided_at = ?, "
                                 "decided_seq = (SELECT max(decided_seq) + 1 FROM review_item) WHERE id = ?", error);
  if (mark == NULL)
    goto fail;
  sqlite3_bind_int (mark, 1, (int) decision);
  if (class_id > 0)
    sqlite3_bind_int64 (mark, 2, class_id);
  if (author != NULL)
    sqlite3_bind_text (mark, 3, author, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (mark, 4, g_get_real_time ());
  sqlite3_bind_int64 (mark, 5, item_id);
  rc = sqlite3_step (mark);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, "%s: no class %" G_GINT64_FORMAT,
                   self->path, class_id);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "storing a decision");
      goto fail;
    }
  if (class_id > 0 && !make_review_label (self, item, class_id, author, error))
    goto fail;
  if (!wm_store_commit (self, error))
    return FALSE;
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, item->recording_id);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}

gboolean
wm_store_undo_review_decision (WmStore  *self,
                               gint64   *out_item_id,
                               GError  **error)
{
  g_autoptr(sqlite3_stmt) pick = NULL;
  gint64 item_id, label_id, recording_id;
  gboolean had_prev;
  gint64 prev_start, prev_end;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_begin (self, error))
    return FALSE;
  pick = wm_store_prepare (self, "SELECT id, label_id, label_prev_start, label_prev_end, recording_id FROM review_item "
                                 "WHERE state != 0 ORDER BY decided_seq DESC LIMIT 1", error);
  if (pick == NULL)
    goto fail;
  rc = sqlite3_step (pick);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, "%s: no review decision to undo", self->path);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading review decisions");
      goto fail;
    }
  item_id = sqlite3_column_int64 (pick, 0);
  label_id = sqlite3_column_int64 (pick, 1);
  had_prev = sqlite3_column_type (pick, 2) != SQLITE_NULL;
  prev_start = sqlite3_column_int64 (pick, 2);
  prev_end = sqlite3_column_int64 (pick, 3);
  recording_id = sqlite3_column_int64 (pick, 4);

  if (label_id > 0)
    {
      g_autoptr(sqlite3_stmt) restore = NULL;

      restore = wm_store_prepare (self, had_prev
                                  ? "UPDATE label SET start_frame = ?2, end_frame = ?3 WHERE id = ?1 AND source = 3"
                                  : "DELETE FROM label WHERE id = ?1 AND source = 3", error);
      if (restore == NULL)
        goto fail;
      sqlite3_bind_int64 (restore, 1, label_id);
      if (had_prev)
        {
          sqlite3_bind_int64 (restore, 2, prev_start);
          sqlite3_bind_int64 (restore, 3, prev_end);
        }
      if ((rc = sqlite3_step (restore)) != SQLITE_DONE)
        {
          wm_store_set_sqlite_error (self, rc, error, "taking back a review label");
          goto fail;
        }
    }
  if (!exec_bound (self, "UPDATE review_item SET state = 0, decided_class_id = NULL, label_id = NULL, "
                         "label_prev_start = NULL, label_prev_end = NULL, author = NULL, decided_at = 0, "
                         "decided_seq = 0 WHERE id = ?1", item_id, 0, "undoing a decision", error))
    goto fail;
  if (!wm_store_commit (self, error))
    return FALSE;
  if (out_item_id != NULL)
    *out_item_id = item_id;
  g_signal_emit (self, wm_store_signals[SIGNAL_LABELS_CHANGED], 0, recording_id);
  return TRUE;

fail:
  wm_store_rollback (self);
  return FALSE;
}
