/* wm-cli-demo.c — build the demo project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "wm-cli.h"
#include "wm-import.h"

typedef struct {
  const char *file;
  const char *classes[5];
} DemoRecording;

/* What data/demo/generate writes, and the classes its ground truth uses. */
static const DemoRecording demo_recordings[] = {
  { "voice-commands.flac", { "stop", "go", "left", "right", NULL } },
  { "imu-gestures.csv", { "shake", "tap", "circle", NULL } },
};

static char *
find_generator (void)
{
  const char *env = g_getenv ("WAYMARK_DEMO_GENERATOR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, "demo", "generate", NULL);
  g_autofree char *source = g_build_filename (WAYMARK_SOURCE_DIR, "data", "demo", "generate", NULL);

  if (env != NULL)
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (g_file_test (source, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&source);
  return NULL;
}

static gboolean
ensure_material (const char  *material,
                 GError     **error)
{
  g_autofree char *generator = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  gboolean complete = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_recordings); i++)
    {
      g_autofree char *path = g_build_filename (material, demo_recordings[i].file, NULL);
      complete = complete && g_file_test (path, G_FILE_TEST_IS_REGULAR);
    }
  if (complete)
    return TRUE;

  generator = find_generator ();
  if (generator == NULL)
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("the demo generator (data/demo/generate) is not installed"));
      return FALSE;
    }
  g_print (_("Generating the demo recordings in %s…\n"), material);
  {
    const char *argv[] = { generator, "--seed", "1", "--out", material, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error))
      return FALSE;
  }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("generating the demo recordings failed: %s"), err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static void
remove_project (const char *path)
{
  for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL }; *suffix != NULL; suffix++)
    {
      g_autofree char *p = g_strconcat (path, *suffix, NULL);
      g_unlink (p);
    }
}

int
wm_cli_demo (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autofree char *material = NULL;
  g_autofree char *project = NULL;
  WmImportOptions options;
  guint key = 1;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("DIR"),
                             _("Build the demo project DIR/demo.waymark from the demo recordings "
                               "(generated into DIR/material when missing)."),
                             NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give the directory to build the demo in"));

  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    {
      g_printerr ("waymark-cli %s: %s: %s\n", cli->command, argv[1], g_strerror (errno));
      return WM_CLI_EXIT_FAILURE;
    }
  material = g_build_filename (argv[1], "material", NULL);
  if (!ensure_material (material, &error))
    return wm_cli_fail (cli, error);

  project = g_build_filename (argv[1], "demo.waymark", NULL);
  remove_project (project);
  store = wm_store_open (project, WM_STORE_OPEN_CREATE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  wm_import_options_init (&options);
  for (guint i = 0; i < G_N_ELEMENTS (demo_recordings); i++)
    {
      g_autofree char *path = g_build_filename (material, demo_recordings[i].file, NULL);
      g_autofree char *key_text = NULL;

      if (!wm_import_file (store, path, &options, NULL, NULL, NULL, NULL, &error))
        return wm_cli_fail (cli, error);
      for (const char *const *c = demo_recordings[i].classes; *c != NULL; c++, key++)
        {
          g_autofree char *color = NULL;
          static const char * const palette[] = { "#e01b24", "#33d17a", "#3584e4", "#f6d32d",
                                                  "#9141ac", "#ff7800", "#986a44" };
          color = g_strdup (palette[(key - 1) % G_N_ELEMENTS (palette)]);
          key_text = g_strdup_printf ("%u", key);
          if (wm_store_add_class (store, *c, color, key_text, &error) == 0)
            return wm_cli_fail (cli, error);
          g_clear_pointer (&key_text, g_free);
        }
    }

  g_clear_object (&store);
  g_free (cli->project_path);
  cli->project_path = g_strdup (project);
  if (!cli->json)
    g_print (_("Demo project: %s\n\n"), project);
  {
    char *list_argv[] = { (char *) "waymark-cli list", NULL };
    return wm_cli_list (cli, 1, list_argv);
  }
}
