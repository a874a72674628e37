/* import-test-util.h — fixtures shared by the import tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sndfile.h>

#include "wm-import.h"

G_BEGIN_DECLS

/* A fresh project in a temporary directory, removed in teardown. */
typedef struct {
  char    *dir;
  char    *project_path;
  WmStore *store;
} ImportFixture;

void     import_fixture_setup    (ImportFixture *fixture,
                                  gconstpointer  data);
void     import_fixture_teardown (ImportFixture *fixture,
                                  gconstpointer  data);
/* A path inside the fixture's directory. */
char    *import_fixture_path     (ImportFixture *fixture,
                                  const char    *name);

/* Every table's rows (blobs as their SHA-256) and the schema, as text:
 * equal dumps mean an unchanged project. */
char    *import_dump_project     (WmStore       *store);

/* Writes @n_frames frames of a deterministic test signal (full-scale
 * extremes, a tone and noise, different in every channel) in @format. */
void     import_write_audio      (const char    *path,
                                  int            format,
                                  int            rate,
                                  int            n_channels,
                                  gint64         n_frames);
void     import_write_text       (const char    *path,
                                  const char    *text);

/* Asserts that @error is set with @domain/@code and that its message
 * contains every one of the NULL-terminated strings that follow. */
void     import_assert_error     (const GError  *error,
                                  GQuark         domain,
                                  int            code,
                                  ...) G_GNUC_NULL_TERMINATED;

/* Imports @path expecting failure with @domain/@code and asserts the
 * project is unchanged; returns the error for further checks. */
GError  *import_expect_failure   (ImportFixture          *fixture,
                                  const char             *path,
                                  const WmImportOptions  *options,
                                  GQuark                  domain,
                                  int                     code);

G_END_DECLS
