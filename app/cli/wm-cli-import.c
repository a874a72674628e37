/* wm-cli-import.c — import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "wm-cli.h"
#include "wm-import.h"

static void
on_progress (double   fraction,
             guint64  bytes_done,
             guint64  bytes_total,
             gpointer user_data)
{
  wm_cli_progress_update (user_data, fraction);
}

int
wm_cli_import (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *on_gap = NULL;
  g_autofree char *name = NULL;
  WmImportOptions options;
  double rate = 0, gap_tolerance = 0;
  gboolean allow_duplicate = FALSE;
  guint n_failed = 0;
  const GOptionEntry entries[] = {
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, N_("Sample rate of a CSV file that has no time column"), N_("HZ") },
    { "on-gap", 0, 0, G_OPTION_ARG_STRING, &on_gap, N_("A gap in CSV timestamps splits the recording or is an error (default: split)"), N_("split|error") },
    { "gap-tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &gap_tolerance, N_("An interval this many times the nominal one is a gap (default: 1.5)"), N_("FACTOR") },
    { "allow-duplicate", 0, 0, G_OPTION_ARG_NONE, &allow_duplicate, N_("Import a file again even if the same content is in the project"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Recording name (default: the file name; one file only)"), N_("NAME") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("FILE…"),
                             _("Import audio files (WAV, FLAC, Ogg Vorbis, AIFF…) and sensor CSV files."),
                             _("Each file is imported in one transaction: a file that fails leaves the "
                               "project as it was, and the others are still imported.\n"
                               "CSV: a header row names the channels (“acc_x [m/s2]” gives a unit); a "
                               "time column in seconds, milliseconds or ISO-8601 gives the rate, or "
                               "--rate does; “,” “;” and tab are detected."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc < 2)
    return wm_cli_usage_error (cli, _("give at least one file to import"));
  if (name != NULL && argc > 2)
    return wm_cli_usage_error (cli, _("--name goes with one file only"));

  wm_import_options_init (&options);
  options.rate = rate;
  options.allow_duplicate = allow_duplicate;
  options.name = name;
  if (gap_tolerance != 0)
    options.gap_tolerance = gap_tolerance;
  if (on_gap != NULL)
    {
      if (g_str_equal (on_gap, "split"))
        options.gap_policy = WM_IMPORT_GAP_SPLIT;
      else if (g_str_equal (on_gap, "error"))
        options.gap_policy = WM_IMPORT_GAP_ERROR;
      else
        return wm_cli_usage_error (cli, _("--on-gap takes “split” or “error”, not “%s”"), on_gap);
    }

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) file_error = NULL;
      g_autoptr(GArray) ids = NULL;
      g_autoptr(WmCliProgress) progress = NULL;
      g_autofree char *basename = g_path_get_basename (argv[i]);
      const char *status = "imported";
      gboolean ok;

      progress = wm_cli_progress_new (basename);
      ok = wm_import_file (store, argv[i], &options, on_progress, progress, NULL, &ids, &file_error);
      g_clear_pointer (&progress, wm_cli_progress_free);

      if (!ok && g_error_matches (file_error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE))
        {
          status = "duplicate";
          if (!cli->json)
            g_print ("%s\n", file_error->message);
        }
      else if (!ok)
        {
          status = "failed";
          n_failed++;
          g_printerr ("waymark-cli %s: %s\n", cli->command, file_error->message);
        }
      else if (!cli->json)
        {
          for (guint k = 0; k < ids->len; k++)
            {
              g_autoptr(WmRecording) r = wm_store_get_recording (store, g_array_index (ids, gint64, k), NULL);
              g_autofree char *duration = NULL;

              if (r == NULL)
                continue;
              duration = wm_cli_format_seconds (wm_recording_get_duration (r));
              g_print (_("Imported %s as recording %" PRId64 " “%s”: %u channel(s) at %g Hz, %s\n"),
                       argv[i], r->id, r->name, r->n_channels, r->sample_rate, duration);
            }
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[i]);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status);
      json_builder_set_member_name (b, "recordings");
      json_builder_begin_array (b);
      for (guint k = 0; ids != NULL && k < ids->len; k++)
        json_builder_add_int_value (b, g_array_index (ids, gint64, k));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "message");
      if (file_error != NULL)
        json_builder_add_string_value (b, file_error->message);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  return n_failed > 0 ? WM_CLI_EXIT_FAILURE : WM_CLI_EXIT_OK;
}
