/* store-dump.c — test helpers: the whole content of a project as text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "store-dump.h"

static void
append_value (GString       *out,
              sqlite3_stmt  *stmt,
              int            column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_NULL:
      g_string_append (out, "NULL");
      break;
    case SQLITE_INTEGER:
      g_string_append_printf (out, "%lld", (long long) sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_FLOAT:
      g_string_append_printf (out, "%.17g", sqlite3_column_double (stmt, column));
      break;
    case SQLITE_TEXT:
      g_string_append_printf (out, "'%s'", (const char *) sqlite3_column_text (stmt, column));
      break;
    default:
      {
        g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                            sqlite3_column_blob (stmt, column),
                                                            (gsize) sqlite3_column_bytes (stmt, column));
        g_string_append_printf (out, "blob:%d:%s", sqlite3_column_bytes (stmt, column), sum);
      }
    }
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

char *
wm_test_dump_store (const char *path)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  for (const char *const *pragma = (const char *const[]) { "user_version", "application_id", "page_size", NULL };
       *pragma != NULL; pragma++)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA %s", *pragma);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_string_append_printf (out, "%s=%lld\n", *pragma, (long long) sqlite3_column_int64 (stmt, 0));
      sqlite3_finalize (stmt);
    }

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, sql FROM sqlite_master ORDER BY name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *sql = (const char *) sqlite3_column_text (stmt, 1);
      g_string_append_printf (out, "schema %s: %s\n", name, sql != NULL ? sql : "");
      if (sql != NULL && g_str_has_prefix (sql, "CREATE TABLE"))
        g_ptr_array_add (tables, g_strdup (name));
    }
  sqlite3_finalize (stmt);

  for (guint t = 0; t < tables->len; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) tables->pdata[t]);
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autoptr(GString) row = g_string_new (tables->pdata[t]);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              g_string_append_c (row, '|');
              append_value (row, stmt, c);
            }
          g_ptr_array_add (rows, g_string_free (g_steal_pointer (&row), FALSE));
        }
      sqlite3_finalize (stmt);
      g_ptr_array_sort (rows, compare_lines);
      for (guint r = 0; r < rows->len; r++)
        g_string_append_printf (out, "%s\n", (char *) rows->pdata[r]);
    }

  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
wm_test_dump_labels (WmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) labels = wm_store_list_labels (store, 0, 0, -1, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *l = labels->pdata[i];
      g_string_append_printf (out, "%" G_GINT64_FORMAT " rec=%" G_GINT64_FORMAT " [%" G_GINT64_FORMAT
                              ",%" G_GINT64_FORMAT ") class=%" G_GINT64_FORMAT "/%s src=%d conf=%.17g "
                              "model=%s author=%s created=%" G_GINT64_FORMAT " updated=%" G_GINT64_FORMAT "\n",
                              l->id, l->recording_id, l->start_frame, l->end_frame, l->class_id,
                              l->class_name, l->source, l->confidence,
                              l->model_version ? l->model_version : "-",
                              l->author ? l->author : "-", l->created_at, l->updated_at);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
  char  *table;
  guint *counter;
} ReadCounter;

static ReadCounter read_counter;

static int
count_reads (void       *user_data,
             int         action,
             const char *arg1,
             const char *arg2,
             const char *db_name,
             const char *trigger)
{
  ReadCounter *rc = user_data;

  if (action == SQLITE_READ && rc->table != NULL && g_strcmp0 (arg1, rc->table) == 0)
    (*rc->counter)++;
  return SQLITE_OK;
}

void
wm_test_count_table_reads (WmStore    *store,
                           const char *table,
                           guint      *counter)
{
  sqlite3 *db = wm_store_get_db (store);

  g_clear_pointer (&read_counter.table, g_free);
  if (table == NULL)
    {
      sqlite3_set_authorizer (db, NULL, NULL);
      return;
    }
  read_counter.table = g_strdup (table);
  read_counter.counter = counter;
  sqlite3_set_authorizer (db, count_reads, &read_counter);
}
