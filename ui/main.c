/* main.c — `waymark [FILE.waymark]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>
#include <string.h>

#include "wm-application.h"

/* Run from the build tree (as the README shows), the settings schema is not
 * installed: use the one the build compiled beside it.  (Decided before
 * anything reads settings: GIO builds its schema list once.) */
static void
find_uninstalled_schema (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_root = g_path_get_dirname (WAYMARK_BUILD_DATA_DIR);
  g_autofree char *compiled = g_build_filename (WAYMARK_BUILD_DATA_DIR, "gschemas.compiled", NULL);

  if (exe == NULL || g_getenv ("GSETTINGS_SCHEMA_DIR") != NULL ||
      !g_str_has_prefix (exe, build_root) || exe[strlen (build_root)] != G_DIR_SEPARATOR)
    return;
  if (g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    g_setenv ("GSETTINGS_SCHEMA_DIR", WAYMARK_BUILD_DATA_DIR, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WmApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  find_uninstalled_schema ();
  gst_init (&argc, &argv);

  application = wm_application_new (G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (application), argc, argv);
}
