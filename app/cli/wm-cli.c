/* wm-cli.c — what every waymark-cli command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wm-cli.h"

G_DEFINE_QUARK (wm-cli-error-quark, wm_cli_error)

gboolean
wm_cli_parse_options (WmCli              *cli,
                      int                *argc,
                      char             ***argv,
                      const char         *parameter_string,
                      const char         *summary,
                      const char         *description,
                      const GOptionEntry *entries,
                      gboolean            with_json)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry shared[] = {
    { "project", 'p', 0, G_OPTION_ARG_FILENAME, &cli->project_path,
      N_("The project file (default: $WAYMARK_PROJECT)"), N_("FILE") },
    { NULL }
  };
  const GOptionEntry json[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print machine-readable JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);
  if (with_json)
    g_option_context_add_main_entries (context, json, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      wm_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

int
wm_cli_usage_error (WmCli      *cli,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("waymark-cli %s: %s\n", cli->command, message);
  g_printerr (_("Try “waymark-cli %s --help”.\n"), cli->command);
  return WM_CLI_EXIT_USAGE;
}

int
wm_cli_fail (WmCli        *cli,
             const GError *error)
{
  if (error != NULL && error->domain == WM_CLI_ERROR && error->code == WM_CLI_ERROR_USAGE)
    return wm_cli_usage_error (cli, "%s", error->message);

  g_printerr ("waymark-cli %s: %s\n", cli->command,
              error != NULL ? error->message : _("failed"));
  return WM_CLI_EXIT_FAILURE;
}

WmStore *
wm_cli_open_project (WmCli     *cli,
                     gboolean   read_only,
                     GError   **error)
{
  if (cli->project_path == NULL)
    cli->project_path = g_strdup (g_getenv ("WAYMARK_PROJECT"));
  if (cli->project_path == NULL)
    {
      g_set_error_literal (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE,
                           _("no project given: use -p FILE or set WAYMARK_PROJECT"));
      return NULL;
    }
  return wm_store_open (cli->project_path,
                        read_only ? WM_STORE_OPEN_READ_ONLY : WM_STORE_OPEN_DEFAULT,
                        error);
}

WmRecording *
wm_cli_find_recording (WmStore    *store,
                       const char *text,
                       GError    **error)
{
  g_autoptr(GPtrArray) recordings = NULL;
  WmRecording *found = NULL;
  char *end = NULL;
  gint64 id;

  id = g_ascii_strtoll (text, &end, 10);
  if (end != text && *end == '\0' && id > 0)
    return wm_store_get_recording (store, id, error);

  recordings = wm_store_list_recordings (store, error);
  if (recordings == NULL)
    return NULL;
  for (guint i = 0; i < recordings->len; i++)
    {
      WmRecording *r = recordings->pdata[i];
      if (g_strcmp0 (r->name, text) != 0)
        continue;
      if (found != NULL)
        {
          g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                       _("more than one recording is named “%s”: give its id (see “waymark-cli list”)"),
                       text);
          return NULL;
        }
      found = r;
    }
  if (found == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   _("no recording “%s” (see “waymark-cli list”)"), text);
      return NULL;
    }
  return wm_recording_copy (found);
}

static gboolean
parse_unsigned_decimal (const char *text,
                        double     *out)
{
  char *end = NULL;

  if (*text == '\0' || !(g_ascii_isdigit (*text) || *text == '.'))
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*out) && *out >= 0;
}

gboolean
wm_cli_parse_time (const char *text,
                   double      sample_rate,
                   gint64     *out_frame,
                   GError    **error)
{
  g_auto(GStrv) parts = NULL;
  double seconds = 0;
  gsize len;

  g_return_val_if_fail (text != NULL, FALSE);

  len = strlen (text);
  if (len > 0 && strspn (text, "0123456789") == len)
    {
      guint64 frames;
      if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &frames, NULL))
        {
          *out_frame = (gint64) frames;
          return TRUE;
        }
    }
  else if (len > 1 && text[len - 1] == 's')
    {
      g_autofree char *number = g_strndup (text, len - 1);
      if (parse_unsigned_decimal (number, &seconds))
        goto convert;
    }
  else if (strchr (text, ':') != NULL)
    {
      guint n;
      gboolean ok = TRUE;

      parts = g_strsplit (text, ":", -1);
      n = g_strv_length (parts);
      if (n == 2 || n == 3)
        {
          for (guint i = 0; i < n && ok; i++)
            {
              double v;
              /* Only the last field may have a fraction; minutes and seconds below 60. */
              ok = parse_unsigned_decimal (parts[i], &v) &&
                   (i == n - 1 || strchr (parts[i], '.') == NULL) &&
                   (i == 0 || v < 60);
              seconds = seconds * 60 + v;
            }
          if (ok)
            goto convert;
        }
    }

  g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE,
               _("“%s” is not a time: give frames (1200), seconds (12.5s) or hh:mm:ss.mmm"),
               text);
  return FALSE;

convert:
  if (seconds * sample_rate > (double) G_MAXINT64 / 2)
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE, _("“%s” is too far in time"), text);
      return FALSE;
    }
  *out_frame = (gint64) llround (seconds * sample_rate);
  return TRUE;
}

char *
wm_cli_format_seconds (double seconds)
{
  gint64 ms = llround (seconds * 1000.0);
  gint64 h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60;

  if (h > 0)
    return g_strdup_printf ("%" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64,
                            h, m, s, ms % 1000);
  return g_strdup_printf ("%" PRId64 ":%02" PRId64 ".%03" PRId64,
                          m, s, ms % 1000);
}

void
wm_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* ---- progress ------------------------------------------------------------ */

struct _WmCliProgress
{
  char    *what;
  gint64   started;
  gint64   last_drawn;
  gboolean drawn;
  gboolean enabled;
};

WmCliProgress *
wm_cli_progress_new (const char *what)
{
  WmCliProgress *progress = g_new0 (WmCliProgress, 1);

  progress->what = g_strdup (what);
  progress->started = g_get_monotonic_time ();
  progress->enabled = isatty (STDERR_FILENO) && g_getenv ("WAYMARK_NO_PROGRESS") == NULL;
  return progress;
}

void
wm_cli_progress_update (WmCliProgress *progress,
                        double         fraction)
{
  const int width = 30;
  gint64 now;
  int filled;

  if (progress == NULL || !progress->enabled)
    return;
  now = g_get_monotonic_time ();
  if (now - progress->started < G_USEC_PER_SEC || now - progress->last_drawn < G_USEC_PER_SEC / 10)
    return;

  fraction = CLAMP (fraction, 0.0, 1.0);
  filled = (int) (fraction * width);
  g_printerr ("\r%-32.32s [%.*s%*s] %3d%%", progress->what,
              filled, "##############################", width - filled, "",
              (int) (fraction * 100));
  progress->last_drawn = now;
  progress->drawn = TRUE;
}

void
wm_cli_progress_free (WmCliProgress *progress)
{
  if (progress == NULL)
    return;
  if (progress->drawn)
    g_printerr ("\r%*s\r", 72, "");
  g_free (progress->what);
  g_free (progress);
}

/* ---- command groups ------------------------------------------------------ */

int
wm_cli_run_subcommand (WmCli              *cli,
                       const char         *group,
                       const WmCliCommand *subcommands,
                       int                 argc,
                       char              **argv)
{
  g_autoptr(GString) help = g_string_new (NULL);
  const char *name = argc > 1 ? argv[1] : NULL;

  for (const WmCliCommand *c = subcommands; c->name != NULL; c++)
    g_string_append_printf (help, "  %-10s %s\n", c->name, _(c->summary));

  if (name == NULL || g_str_equal (name, "--help") || g_str_equal (name, "-h"))
    {
      g_autofree char *usage = g_strdup_printf (_("Usage:\n  waymark-cli %s COMMAND [OPTION…]\n\nCommands:\n%s\n"
                                                  "Run “waymark-cli %s COMMAND --help” for a command’s options.\n"),
                                                group, help->str, group);
      if (name == NULL)
        {
          g_printerr ("%s", usage);
          return WM_CLI_EXIT_USAGE;
        }
      g_print ("%s", usage);
      return WM_CLI_EXIT_OK;
    }

  for (const WmCliCommand *c = subcommands; c->name != NULL; c++)
    {
      if (g_str_equal (c->name, name))
        {
          g_free (cli->command);
          cli->command = g_strdup_printf ("%s %s", group, name);
          argv[1] = g_strdup_printf ("waymark-cli %s", cli->command);
          return c->run (cli, argc - 1, argv + 1);
        }
    }

  return wm_cli_usage_error (cli, _("unknown command “%s”; the commands are:\n%s"), name, help->str);
}
