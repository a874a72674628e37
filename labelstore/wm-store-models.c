/* wm-store-models.c — model files kept in the project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wm-store-private.h"

#define MODEL_COLUMNS "id, name, version, variant, sha256, size, metadata, imported_at"

static WmStoredModel *
model_from_row (sqlite3_stmt *stmt)
{
  WmStoredModel *model = g_new0 (WmStoredModel, 1);

  model->id = sqlite3_column_int64 (stmt, 0);
  model->name = wm_store_dup_column_text (stmt, 1);
  model->version = wm_store_dup_column_text (stmt, 2);
  model->variant = wm_store_dup_column_text (stmt, 3);
  model->sha256 = wm_store_dup_column_text (stmt, 4);
  model->size = sqlite3_column_int64 (stmt, 5);
  model->metadata = wm_store_dup_column_text (stmt, 6);
  model->imported_at = sqlite3_column_int64 (stmt, 7);
  return model;
}

gint64
wm_store_add_model (WmStore             *self,
                    const WmStoredModel *model,
                    GBytes              *file,
                    gboolean            *out_existed,
                    GError             **error)
{
  g_autoptr(sqlite3_stmt) same = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  gconstpointer data;
  gsize size;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), 0);
  g_return_val_if_fail (model != NULL && file != NULL, 0);
  g_return_val_if_fail (model->name != NULL && model->version != NULL && model->variant != NULL, 0);
  g_return_val_if_fail (model->sha256 != NULL && model->metadata != NULL, 0);

  if (out_existed != NULL)
    *out_existed = FALSE;
  if (!wm_store_check_writable (self, error))
    return 0;

  same = wm_store_prepare (self, "SELECT id, sha256 FROM model WHERE sha256 = ?1 OR "
                                 "(name = ?2 AND version = ?3 AND variant = ?4)", error);
  if (same == NULL)
    return 0;
  sqlite3_bind_text (same, 1, model->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (same, 2, model->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (same, 3, model->version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (same, 4, model->variant, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (same);
  if (rc == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (same, 1), model->sha256) == 0)
        {
          if (out_existed != NULL)
            *out_existed = TRUE;
          return sqlite3_column_int64 (same, 0);
        }
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_EXISTS,
                   "%s: model %s@%s (%s) is in the project already with other content; "
                   "give the new one another version", self->path, model->name, model->version,
                   model->variant);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "reading models");
      return 0;
    }

  insert = wm_store_prepare (self, "INSERT INTO model (name, version, variant, sha256, size, metadata, file, imported_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    return 0;
  data = g_bytes_get_data (file, &size);
  sqlite3_bind_text (insert, 1, model->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, model->version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, model->variant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 4, model->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 5, (gint64) size);
  sqlite3_bind_text (insert, 6, model->metadata, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (insert, 7, data, size, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 8, g_get_real_time ());
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "storing a model");
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

GPtrArray *
wm_store_list_models (WmStore  *self,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) models = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT " MODEL_COLUMNS " FROM model ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  models = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_stored_model_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (models, model_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "listing models");
      return NULL;
    }
  return g_steal_pointer (&models);
}

/* Natural order: "1.10" after "1.9", "2" after "1.9.9". */
static int
compare_versions (const char *a,
                  const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
          guint64 y = g_ascii_strtoull (b, (char **) &b, 10);
          if (x != y)
            return x < y ? -1 : 1;
        }
      else
        {
          if (*a != *b)
            return (guchar) *a < (guchar) *b ? -1 : 1;
          a++, b++;
        }
    }
  return (*a != '\0') - (*b != '\0');
}

WmStoredModel *
wm_store_find_model (WmStore    *self,
                     const char *name,
                     const char *version,
                     const char *variant,
                     GError    **error)
{
  g_autoptr(GPtrArray) models = NULL;
  WmStoredModel *best = NULL;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  models = wm_store_list_models (self, error);
  if (models == NULL)
    return NULL;

  for (guint i = 0; i < models->len; i++)
    {
      WmStoredModel *m = models->pdata[i];
      int order;

      if (!g_str_equal (m->name, name) ||
          (version != NULL && !g_str_equal (m->version, version)) ||
          (variant != NULL && !g_str_equal (m->variant, variant)))
        continue;
      order = best != NULL ? compare_versions (m->version, best->version) : 1;
      if (order > 0 || (order == 0 && g_str_equal (m->variant, "int8")))
        best = m;
    }

  if (best == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no model %s%s%s%s%s in the project (see “waymark-cli model list”)",
                   self->path, name, version != NULL ? "@" : "", version != NULL ? version : "",
                   variant != NULL ? ", variant " : "", variant != NULL ? variant : "");
      return NULL;
    }
  return wm_stored_model_copy (best);
}

GBytes *
wm_store_get_model_file (WmStore  *self,
                         gint64    model_id,
                         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  stmt = wm_store_prepare (self, "SELECT file FROM model WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, model_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                 "%s: no model %" G_GINT64_FORMAT, self->path, model_id);
  else
    wm_store_set_sqlite_error (self, rc, error, "reading a model");
  return NULL;
}

gboolean
wm_store_get_model_usage (WmStore  *self,
                          gint64    model_id,
                          gint64   *out_runs,
                          gint64   *out_labels,
                          gint64   *out_review_items,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  stmt = wm_store_prepare (self,
                           "SELECT (SELECT count(*) FROM run WHERE model_id = ?1),"
                           " (SELECT count(*) FROM label WHERE run_id IN (SELECT id FROM run WHERE model_id = ?1)),"
                           " (SELECT count(*) FROM review_item WHERE run_id IN (SELECT id FROM run WHERE model_id = ?1))",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, model_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return wm_store_set_sqlite_error (self, rc, error, "counting a model's runs");
  if (out_runs != NULL)
    *out_runs = sqlite3_column_int64 (stmt, 0);
  if (out_labels != NULL)
    *out_labels = sqlite3_column_int64 (stmt, 1);
  if (out_review_items != NULL)
    *out_review_items = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
wm_store_remove_model (WmStore  *self,
                       gint64    model_id,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n_runs = 0, n_labels = 0, n_review_items = 0;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);

  if (!wm_store_check_writable (self, error) || !wm_store_begin (self, error))
    return FALSE;
  if (!wm_store_get_model_usage (self, model_id, &n_runs, &n_labels, &n_review_items, error))
    goto fail;
  /* Its runs' labels, review decisions and report name the model: it stays. */
  if (n_runs > 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE,
                   "%s: the model is in use by %" G_GINT64_FORMAT " auto-label run(s) with %"
                   G_GINT64_FORMAT " label(s) and %" G_GINT64_FORMAT " review item(s); "
                   "it cannot be removed while they keep its results",
                   self->path, n_runs, n_labels, n_review_items);
      goto fail;
    }
  stmt = wm_store_prepare (self, "DELETE FROM model WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, model_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "removing a model");
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no model %" G_GINT64_FORMAT, self->path, model_id);
      goto fail;
    }
  return wm_store_commit (self, error);

fail:
  wm_store_rollback (self);
  return FALSE;
}
