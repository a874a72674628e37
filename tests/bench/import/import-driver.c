/* import-driver.c — imports files into a project and reports time and memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   import-driver [--sql STATEMENTS] PROJECT FILE…
 *
 * --sql runs STATEMENTS (e.g. "PRAGMA synchronous = NORMAL") on the project
 * after opening it, to measure what a labelstore setting would change.
 * Creates PROJECT when it does not exist, imports each FILE in its own
 * transaction and prints one line per file:
 *   FILE <path> import_s <seconds to commit> frames <n>
 * then, after closing the project (its WAL checkpoint included):
 *   TOTAL close_s <seconds> vm_hwm_kib <peak resident set>
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "wm-import.h"

static gint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10) : -1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WmImportOptions options;
  gint64 close_start;
  const char *sql = NULL;

  if (argc > 2 && g_str_equal (argv[1], "--sql"))
    {
      sql = argv[2];
      argv += 2;
      argc -= 2;
    }

  if (argc < 3)
    {
      g_printerr ("usage: import-driver [--sql STATEMENTS] PROJECT FILE…\n");
      return 2;
    }

  store = wm_store_open (argv[1],
                         g_file_test (argv[1], G_FILE_TEST_EXISTS) ? WM_STORE_OPEN_DEFAULT
                                                                   : WM_STORE_OPEN_CREATE,
                         &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (sql != NULL && sqlite3_exec (wm_store_get_db (store), sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_printerr ("%s: %s\n", sql, sqlite3_errmsg (wm_store_get_db (store)));
      return 1;
    }

  wm_import_options_init (&options);
  options.allow_duplicate = TRUE;

  for (int i = 2; i < argc; i++)
    {
      g_autoptr(GArray) ids = NULL;
      g_autoptr(WmRecording) recording = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      if (!wm_import_file (store, argv[i], &options, NULL, NULL, NULL, &ids, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      recording = wm_store_get_recording (store, g_array_index (ids, gint64, 0), NULL);
      printf ("FILE %s import_s %.3f frames %" G_GINT64_FORMAT "\n",
              argv[i], seconds, recording != NULL ? recording->n_frames : -1);
      fflush (stdout);
    }

  close_start = g_get_monotonic_time ();
  g_clear_object (&store);
  printf ("TOTAL close_s %.3f vm_hwm_kib %" G_GINT64_FORMAT "\n",
          (g_get_monotonic_time () - close_start) / (double) G_USEC_PER_SEC, peak_rss_kib ());
  return 0;
}
