/* wm-cli-serve.c — serve: devices upload recordings to the project over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "wm-cli.h"
#include "wm-ingest.h"
#include "wm-server.h"

typedef struct {
  GMainLoop *loop;
  WmServer  *server;
  gboolean   stopping;
} Serve;

static void
stopped (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Serve *serve = user_data;

  wm_server_stop_finish (WM_SERVER (source), result, NULL);
  g_main_loop_quit (serve->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Serve *serve = user_data;

  if (!serve->stopping)
    {
      serve->stopping = TRUE;
      wm_server_stop_async (serve->server, NULL, stopped, serve);
    }
  return G_SOURCE_CONTINUE;
}

static void
print_listening (WmCli      *cli,
                 const char *url)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "port");
      json_builder_add_int_value (b, uri != NULL ? g_uri_get_port (uri) : -1);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  else
    g_print (_("Listening on %s\n"), url);
  fflush (stdout);
}

static void
print_stats (WmCli    *cli,
             WmIngest *ingest)
{
  WmIngestStats stats;

  if (cli->json || cli->quiet)
    return;
  wm_ingest_get_stats (ingest, &stats);
  g_printerr (_("Stopped: %" PRIu64 " chunks acknowledged, %" PRIu64
                " bytes stored, %" PRIu64 " transactions\n"),
              stats.chunks, stats.bytes, stats.transactions);
}

static gboolean
check_options (WmCli       *cli,
               const char  *tls_cert,
               const char  *tls_key,
               gint64       max_chunk_bytes,
               int          read_timeout,
               int          idle_timeout,
               GError     **error)
{
  if ((tls_cert == NULL) != (tls_key == NULL))
    g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE, _("give both --tls-cert and --tls-key, or neither"));
  else if (max_chunk_bytes < 1)
    g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE, _("--max-chunk-bytes must be at least 1"));
  else if (read_timeout < 1 || idle_timeout < 1)
    g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE, _("timeouts must be at least one second"));
  else if (cli->project_path == NULL)
    g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE, _("give the project with -p FILE"));
  else
    return TRUE;
  return FALSE;
}

int
wm_cli_serve (WmCli *cli,
              int    argc,
              char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *url = NULL;
  gint64 max_chunk_bytes = WM_SERVER_DEFAULT_MAX_CHUNK;
  int read_timeout = WM_SERVER_DEFAULT_READ_TIMEOUT;
  int idle_timeout = WM_SERVER_DEFAULT_IDLE_TIMEOUT;
  gboolean no_group_commit = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmIngest) ingest = NULL;
  g_autoptr(WmServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  WmIngestOptions options = { 0 };
  WmServerLimits limits;
  Serve serve = { 0 };
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1:8700; port 0 picks a free one)"), N_("HOST:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("Serve HTTPS with this PEM certificate"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The certificate's PEM private key"), N_("FILE") },
    { "max-chunk-bytes", 0, 0, G_OPTION_ARG_INT64, &max_chunk_bytes,
      N_("Largest chunk body accepted (default 8 MiB); larger ones get 413"), N_("BYTES") },
    { "read-timeout", 0, 0, G_OPTION_ARG_INT, &read_timeout,
      N_("Seconds a request may take to arrive whole (default 30)"), N_("SECONDS") },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      N_("Seconds a silent connection is kept open (default 60)"), N_("SECONDS") },
    { "no-group-commit", 0, 0, G_OPTION_ARG_NONE, &no_group_commit,
      N_("Commit every write on its own (for measuring group commit)"), NULL },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             _("Take device uploads over HTTP(S) into the project."),
                             _("Routes: PUT /v1/devices/DEV/streams/SID (metadata), POST …/chunks?offset=N,\n"
                               "GET …/streams/SID (committed offset), POST …/finalize; Edge Impulse's\n"
                               "POST /api/training/data and /api/testing/data.  Devices authenticate with\n"
                               "the bearer token of “waymark-cli device add”.  The first line printed is\n"
                               "the URL the server listens on.  SIGINT or SIGTERM stop it after the\n"
                               "writes in progress are committed and answered."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (cli->project_path == NULL)
    cli->project_path = g_strdup (g_getenv ("WAYMARK_PROJECT"));
  if (!check_options (cli, tls_cert, tls_key, max_chunk_bytes, read_timeout, idle_timeout, &error))
    return wm_cli_usage_error (cli, "%s", error->message);

  options.max_chunk_bytes = (gsize) max_chunk_bytes;
  options.no_group_commit = no_group_commit;
  ingest = wm_ingest_new (cli->project_path, &options, &error);
  if (ingest == NULL)
    return wm_cli_fail (cli, error);

  wm_server_limits_init_default (&limits);
  limits.max_chunk_bytes = (gsize) max_chunk_bytes;
  limits.read_timeout_s = (guint) read_timeout;
  limits.idle_timeout_s = (guint) idle_timeout;
  server = wm_server_new (ingest, &limits, &error);
  if (server == NULL
      || (tls_cert != NULL && !wm_server_set_tls (server, tls_cert, tls_key, &error))
      || !wm_server_listen (server, listen != NULL ? listen : "127.0.0.1:8700", &error))
    {
      wm_ingest_close (ingest);
      return wm_cli_fail (cli, error);
    }
  url = wm_server_get_url (server);
  print_listening (cli, url);

  loop = g_main_loop_new (NULL, FALSE);
  serve.loop = loop;
  serve.server = server;
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &serve);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &serve);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  wm_server_disconnect (server);
  wm_ingest_close (ingest);
  print_stats (cli, ingest);
  return WM_CLI_EXIT_OK;
}
