/* test-util.c — small helpers shared by test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "test-util.h"

void
wm_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_chmod (dir, 0700);
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        wm_test_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

int
wm_test_run_cli_argv (const char * const  *argv,
                      char               **out_stdout,
                      char               **out_stderr)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (full, g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL));
  for (; *argv != NULL; argv++)
    g_ptr_array_add (full, g_strdup (*argv));
  g_ptr_array_add (full, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "WAYMARK_PROJECT");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("waymark-cli %s was killed by signal %d; it wrote:\n%s", full->len > 1 ? (char *) full->pdata[1] : "",
             g_subprocess_get_term_sig (process), out_stderr != NULL && *out_stderr != NULL ? *out_stderr : "");
  return g_subprocess_get_exit_status (process);
}

void
wm_test_run_cli (int          expected_status,
                 char       **out_stdout,
                 char       **out_stderr,
                 const char  *first,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *joined = NULL;
  va_list args;
  int status;

  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  status = wm_test_run_cli_argv ((const char * const *) argv->pdata, &out, &err);
  if (status != expected_status)
    {
      joined = g_strjoinv (" ", (char **) argv->pdata);
      g_error ("waymark-cli %s exited with %d, not %d\nstdout: %s\nstderr: %s",
               joined, status, expected_status, out, err);
    }
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
}

JsonNode *
wm_test_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

char *
wm_test_golden_path (const char *name)
{
  return g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"), "tests", "parity", "golden", name, NULL);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
wm_test_launcher_die_with_parent (GSubprocessLauncher *launcher)
{
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
}
