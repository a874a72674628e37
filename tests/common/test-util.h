/* test-util.h — small helpers shared by test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

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

G_END_DECLS
