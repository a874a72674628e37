/* test-util.h — small helpers shared by test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Removes @dir and everything below it (a test's scratch directory). */
void wm_test_remove_tree     (const char          *dir);

/* Runs the built waymark-cli with @argv (NULL-terminated, without the
 * program) in the C.UTF-8 locale and without WAYMARK_PROJECT; returns its
 * exit status and what it printed. */
int  wm_test_run_cli_argv    (const char * const  *argv,
                              char               **out_stdout,
                              char               **out_stderr);
/* The same, failing the test when the exit status is not @expected_status. */
void wm_test_run_cli         (int                  expected_status,
                              char               **out_stdout,
                              char               **out_stderr,
                              const char          *first,
                              ...) G_GNUC_NULL_TERMINATED;

/* Children started by @launcher are killed when the test process dies, so a
 * failed assertion leaves no server or simulator running. */
void wm_test_launcher_die_with_parent (GSubprocessLauncher *launcher);

/* @text parsed as JSON; fails the test when it is not. */
JsonNode *wm_test_parse_json  (const char          *text);
/* A file of the golden set, tests/parity/golden/NAME. */
char     *wm_test_golden_path (const char          *name);

G_END_DECLS
