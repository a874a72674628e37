/* import-test-util.c — fixtures shared by the import tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "import-test-util.h"

void
import_fixture_setup (ImportFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("waymark-import-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->project_path = g_build_filename (fixture->dir, "test.waymark", NULL);
  fixture->store = wm_store_open (fixture->project_path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

void
import_fixture_teardown (ImportFixture *fixture,
                         gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  remove_tree (fixture->dir);
  g_free (fixture->project_path);
  g_free (fixture->dir);
}

char *
import_fixture_path (ImportFixture *fixture,
                     const char    *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static void
dump_query (sqlite3    *db,
            const char *sql,
            GString    *out)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_NULL:
              g_string_append (out, "NULL");
              break;
            case SQLITE_BLOB:
              {
                g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                    sqlite3_column_blob (stmt, i),
                                                                    sqlite3_column_bytes (stmt, i));
                g_string_append_printf (out, "blob:%d:%s", sqlite3_column_bytes (stmt, i), sha);
              }
              break;
            default:
              g_string_append (out, (const char *) sqlite3_column_text (stmt, i));
              break;
            }
          g_string_append_c (out, '|');
        }
      g_string_append_c (out, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

char *
import_dump_project (WmStore *store)
{
  sqlite3 *db = wm_store_get_db (store);
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  /* An import must never leave a transaction open. */
  g_assert_true (sqlite3_get_autocommit (db));

  dump_query (db, "PRAGMA user_version", out);
  dump_query (db, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name", out);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) tables->pdata[i]);

      g_string_append_printf (out, "== %s\n", (char *) tables->pdata[i]);
      dump_query (db, sql, out);
    }

  return g_string_free (out, FALSE);
}

/* A reproducible pseudo-random sequence (no dependency on GRand's algorithm). */
static guint32
next_random (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

void
import_write_audio (const char *path,
                    int         format,
                    int         rate,
                    int         n_channels,
                    gint64      n_frames)
{
  SF_INFO info = { 0 };
  SNDFILE *file;
  int subformat = format & SF_FORMAT_SUBMASK;
  gboolean as_float = subformat == SF_FORMAT_FLOAT || subformat == SF_FORMAT_DOUBLE
                   || subformat == SF_FORMAT_VORBIS;
  const gint64 block = 4096;
  g_autofree int *ints = g_new (int, block * n_channels);
  g_autofree float *floats = g_new (float, block * n_channels);
  guint32 state = 12345;

  info.samplerate = rate;
  info.channels = n_channels;
  info.format = format;
  g_assert_true (sf_format_check (&info));

  file = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (file);

  for (gint64 done = 0; done < n_frames; done += block)
    {
      gint64 n = MIN (block, n_frames - done);

      for (gint64 f = 0; f < n; f++)
        for (int c = 0; c < n_channels; c++)
          {
            gint64 frame = done + f;
            double tone = 0.5 * sin (2 * G_PI * (200.0 + 100 * c) * frame / rate);
            double noise = ((double) (next_random (&state) >> 8) / (1 << 24) - 0.5) * 0.6;
            double value = tone + noise;
            gint64 i = f * n_channels + c;

            floats[i] = value * 0.9;
            ints[i] = (int) (value * 2147483647.0 * 0.9);
            /* The extremes of the integer range, to prove nothing clips. */
            if (frame == 1)
              ints[i] = G_MININT32;
            else if (frame == 2)
              ints[i] = G_MAXINT32;
          }

      if (as_float)
        g_assert_cmpint (sf_writef_float (file, floats, n), ==, n);
      else
        g_assert_cmpint (sf_writef_int (file, ints, n), ==, n);
    }

  g_assert_cmpint (sf_close (file), ==, 0);
}

void
import_write_text (const char *path,
                   const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

void
import_assert_error (const GError *error,
                     GQuark        domain,
                     int           code,
                     ...)
{
  va_list args;
  const char *needle;

  g_assert_error (error, domain, code);

  va_start (args, code);
  while ((needle = va_arg (args, const char *)) != NULL)
    {
      if (strstr (error->message, needle) == NULL)
        g_error ("error message “%s” does not contain “%s”", error->message, needle);
    }
  va_end (args);
}

GError *
import_expect_failure (ImportFixture          *fixture,
                       const char             *path,
                       const WmImportOptions  *options,
                       GQuark                  domain,
                       int                     code)
{
  g_autofree char *before = import_dump_project (fixture->store);
  g_autofree char *after = NULL;
  g_autoptr(GArray) ids = NULL;
  GError *error = NULL;
  gboolean ok;

  ok = wm_import_file (fixture->store, path, options, NULL, NULL, NULL, &ids, &error);
  g_assert_false (ok);
  g_assert_null (ids);
  g_assert_error (error, domain, code);
  g_test_message ("expected failure: %s", error->message);

  after = import_dump_project (fixture->store);
  g_assert_cmpstr (before, ==, after);

  return error;
}
