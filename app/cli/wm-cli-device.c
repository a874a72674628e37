/* wm-cli-device.c — device add, list, revoke
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "wm-cli.h"
#include "wm-ingest.h"

/* "45 s", "12 min", "3 h", "2 d": how long ago @time_us was. */
static char *
format_age (gint64 time_us)
{
  gint64 seconds = MAX (0, (g_get_real_time () - time_us) / G_USEC_PER_SEC);

  if (seconds < 120)
    return g_strdup_printf (_("%" PRId64 " s"), seconds);
  if (seconds < 2 * 3600)
    return g_strdup_printf (_("%" PRId64 " min"), seconds / 60);
  if (seconds < 2 * 86400)
    return g_strdup_printf (_("%" PRId64 " h"), seconds / 3600);
  return g_strdup_printf (_("%" PRId64 " d"), seconds / 86400);
}

static int
device_add (WmCli *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autofree char *type = NULL;
  g_autofree char *hmac_key = NULL;
  g_autofree char *token = NULL;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("The device type (board or product), required"), N_("TYPE") },
    { "hmac-key", 0, 0, G_OPTION_ARG_STRING, &hmac_key, N_("Key the device signs Edge Impulse uploads with"), N_("KEY") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME"),
                             _("Register a device and print its upload token."),
                             _("The token is printed once and stored only as a hash: keep it on the "
                               "device.  A lost token cannot be shown again; revoke the device and "
                               "add it under a new name."), entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one device name"));
  if (type == NULL)
    return wm_cli_usage_error (cli, _("give the device type with --type"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  token = wm_ingest_add_device (store, argv[1], type, hmac_key, &error);
  if (token == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, type);
      json_builder_set_member_name (b, "token");
      json_builder_add_string_value (b, token);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }
  g_print (_("Added device “%s” (%s).\nIts upload token, shown only now:\n"), argv[1], type);
  g_print ("  %s\n", token);
  return WM_CLI_EXIT_OK;
}

static JsonNode *
device_to_json (const WmDevice *d)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, d->name);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, d->type);
  json_builder_set_member_name (b, "revoked");
  json_builder_add_boolean_value (b, d->revoked);
  json_builder_set_member_name (b, "hmac_key");
  json_builder_add_boolean_value (b, d->has_hmac_key);
  json_builder_set_member_name (b, "created_at_us");
  json_builder_add_int_value (b, d->created_at);
  json_builder_set_member_name (b, "last_seen_us");
  if (d->last_seen > 0)
    json_builder_add_int_value (b, d->last_seen);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "streams");
  json_builder_add_int_value (b, d->n_streams);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, d->n_bytes);
  json_builder_set_member_name (b, "incomplete_streams");
  json_builder_add_int_value (b, d->n_incomplete);
  json_builder_set_member_name (b, "oldest_incomplete_age_s");
  if (d->n_incomplete > 0)
    json_builder_add_int_value (b, MAX (0, (g_get_real_time () - d->oldest_incomplete_at) / G_USEC_PER_SEC));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
device_list (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  int name_width, type_width;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             _("List the devices: type, when last seen, streams, bytes uploaded, "
                               "incomplete streams and the age of the oldest."), NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  devices = wm_ingest_list_devices (store, &error);
  if (devices == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < devices->len; i++)
        json_array_add_element (array, device_to_json (devices->pdata[i]));
      json_node_take_array (root, array);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }
  if (devices->len == 0)
    {
      g_print (_("No devices yet; add one with “waymark-cli device add NAME --type TYPE”.\n"));
      return WM_CLI_EXIT_OK;
    }
  /* Columns as wide as their longest entry (names and types are the user's). */
  name_width = (int) g_utf8_strlen (_("Name"), -1);
  type_width = (int) g_utf8_strlen (_("Type"), -1);
  for (guint i = 0; i < devices->len; i++)
    {
      WmDevice *d = devices->pdata[i];

      name_width = MAX (name_width, (int) g_utf8_strlen (d->name, -1));
      type_width = MAX (type_width, (int) g_utf8_strlen (d->type, -1));
    }
  g_print ("%-*s  %-*s  %-10s %7s %12s %10s  %s\n", name_width, _("Name"), type_width, _("Type"),
           _("Last seen"), _("Streams"), _("Bytes"), _("Incomplete"), _("Oldest open"));
  for (guint i = 0; i < devices->len; i++)
    {
      WmDevice *d = devices->pdata[i];
      g_autofree char *seen = d->last_seen > 0 ? format_age (d->last_seen) : g_strdup (_("never"));
      g_autofree char *oldest = d->n_incomplete > 0 ? format_age (d->oldest_incomplete_at) : g_strdup ("-");

      g_print ("%-*s  %-*s  %-10s %7" PRId64 " %12" PRId64 " %10" PRId64 "  %s%s\n",
               name_width, d->name, type_width, d->type, seen, d->n_streams, d->n_bytes,
               d->n_incomplete, oldest, d->revoked ? _(" (revoked)") : "");
    }
  return WM_CLI_EXIT_OK;
}

static int
device_revoke (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME"),
                             _("Revoke a device: its token is refused from now on."),
                             _("What it uploaded stays in the project."), NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one device name"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  if (!wm_ingest_revoke_device (store, argv[1], &error))
    return wm_cli_fail (cli, error);
  if (!cli->quiet)
    g_print (_("Revoked device “%s”.\n"), argv[1]);
  return WM_CLI_EXIT_OK;
}

int
wm_cli_device (WmCli *cli,
               int    argc,
               char **argv)
{
  static const WmCliCommand subcommands[] = {
    { "add",    device_add,    N_("Register a device and print its upload token") },
    { "list",   device_list,   N_("List devices, their uploads and incomplete streams") },
    { "revoke", device_revoke, N_("Refuse a device’s token from now on") },
    { NULL }
  };

  return wm_cli_run_subcommand (cli, "device", subcommands, argc, argv);
}
