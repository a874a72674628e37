/* waymark-cli.c — the command-line tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "wm-cli.h"

static const WmCliCommand commands[] = {
  { "init",    wm_cli_init,    N_("Create a new project") },
  { "import",  wm_cli_import,  N_("Import audio files and sensor CSV files") },
  { "list",    wm_cli_list,    N_("List the recordings of a project") },
  { "info",    wm_cli_info,    N_("Show a project or one recording in detail") },
  { "samples", wm_cli_samples, N_("Print frames of a recording as CSV or raw") },
  { "classes", wm_cli_classes, N_("Add, list and remove label classes") },
  { "labels",  wm_cli_labels,  N_("Add, list, remove, undo and redo labels") },
  { "model",   wm_cli_model,   N_("Import, list, show and remove models (.wmm)") },
  { "infer",   wm_cli_infer,   N_("Run a model over a file or a recording") },
  { "autolabel", wm_cli_autolabel, N_("Label what a model is sure of; queue the rest for review") },
  { "review",  wm_cli_review,  N_("Work the review queue: next, list, accept, reject, relabel, undo") },
  { "report",  wm_cli_report,  N_("Precision above and recall risk below the threshold, per class") },
  { "export",  wm_cli_export,  N_("Export labels (csv, json, Audacity, Raven, Label Studio, Edge Impulse), datasets, clips") },
  { "import-labels", wm_cli_import_labels, N_("Add labels from an Audacity, Raven, Label Studio or csv file") },
  { "serve",   wm_cli_serve,   N_("Take device uploads over HTTP(S), Edge Impulse's ingestion API included") },
  { "ingest",  wm_cli_ingest,  N_("Import a device’s spool directory copied off its storage") },
  { "device",  wm_cli_device,  N_("Add, list and revoke devices that upload recordings") },
  { "demo",    wm_cli_demo,    N_("Build the demo project from the demo recordings") },
  { NULL }
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _("Usage:\n  waymark-cli [-p FILE] COMMAND [OPTION…]\n\n"
                        "Label time-series data from IoT devices: sensor signals and audio.\n\nCommands:\n"));
  for (const WmCliCommand *c = commands; c->name != NULL; c++)
    fprintf (out, "  %-10s %s\n", c->name, _(c->summary));
  fprintf (out, "%s", _("\nGlobal options:\n"
                        "  -p, --project FILE   The project file (default: $WAYMARK_PROJECT)\n"
                        "  --version            Print the version\n\n"
                        "Run “waymark-cli COMMAND --help” for a command’s options.\n"
                        "Exit status: 0 success, 1 failure, 2 usage error.\n"));
}

int
main (int   argc,
      char *argv[])
{
  WmCli cli = { 0 };
  int first = 1;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("waymark-cli");

  /* Global options come before the command. */
  while (first < argc && argv[first][0] == '-')
    {
      const char *arg = argv[first];

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          return WM_CLI_EXIT_OK;
        }
      if (g_str_equal (arg, "--version"))
        {
          g_print ("waymark-cli %s\n", PACKAGE_VERSION);
          return WM_CLI_EXIT_OK;
        }
      if ((g_str_equal (arg, "-p") || g_str_equal (arg, "--project")) && first + 1 < argc)
        {
          g_free (cli.project_path);
          cli.project_path = g_strdup (argv[first + 1]);
          first += 2;
          continue;
        }
      if (g_str_has_prefix (arg, "--project="))
        {
          g_free (cli.project_path);
          cli.project_path = g_strdup (arg + strlen ("--project="));
          first++;
          continue;
        }
      g_printerr (_("waymark-cli: unknown option “%s”\n"), arg);
      print_usage (stderr);
      return WM_CLI_EXIT_USAGE;
    }

  if (first >= argc)
    {
      print_usage (stderr);
      return WM_CLI_EXIT_USAGE;
    }

  for (const WmCliCommand *c = commands; c->name != NULL; c++)
    {
      if (g_str_equal (c->name, argv[first]))
        {
          cli.command = g_strdup (c->name);
          argv[first] = g_strdup_printf ("waymark-cli %s", c->name);
          status = c->run (&cli, argc - first, argv + first);
          g_free (cli.project_path);
          g_free (cli.command);
          return status;
        }
    }

  g_printerr (_("waymark-cli: unknown command “%s”\n"), argv[first]);
  print_usage (stderr);
  return WM_CLI_EXIT_USAGE;
}
