/* wm-cli-project.c — init, list, info, samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "wm-cli.h"

int
wm_cli_init (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  const char *path;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("FILE.waymark"),
                             _("Create a new, empty project file."), NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 2)
    return wm_cli_usage_error (cli, _("give one project file"));
  path = argc == 2 ? argv[1] : cli->project_path;
  if (path == NULL)
    return wm_cli_usage_error (cli, _("give the project file to create"));

  store = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  if (!cli->quiet)
    g_print (_("Created %s\n"), path);
  return WM_CLI_EXIT_OK;
}

static const char *
kind_name (WmRecordingKind kind)
{
  return kind == WM_RECORDING_KIND_AUDIO ? "audio" : "sensor";
}

static char *
format_start_time (const WmRecording *r)
{
  g_autoptr(GDateTime) dt = NULL;

  if (!r->has_start_time)
    return NULL;
  dt = g_date_time_new_from_unix_utc (r->start_time_us / G_USEC_PER_SEC);
  if (dt == NULL)
    return NULL;
  dt = g_date_time_add (dt, r->start_time_us % G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static char *
format_time_us (gint64 time_us)
{
  g_autoptr(GDateTime) base = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = NULL;

  if (base == NULL)
    return NULL;
  dt = g_date_time_add (base, time_us % G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
add_time_member (JsonBuilder *b,
                 const char  *name,
                 gint64       time_us)
{
  g_autofree char *text = time_us > 0 ? format_time_us (time_us) : NULL;

  json_builder_set_member_name (b, name);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

/* Where an uploaded recording came from: device, stream, firmware, times. */
static void
add_upload_json (JsonBuilder          *b,
                 const WmUploadStream *u)
{
  json_builder_set_member_name (b, "upload");
  if (u == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, u->device);
  json_builder_set_member_name (b, "stream_id");
  json_builder_add_string_value (b, u->stream_id);
  json_builder_set_member_name (b, "device_type");
  json_builder_add_string_value (b, u->device_type);
  json_builder_set_member_name (b, "firmware");
  json_builder_add_string_value (b, u->firmware);
  json_builder_set_member_name (b, "committed_frames");
  json_builder_add_int_value (b, u->committed_offset);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, u->n_bytes);
  add_time_member (b, "first_upload", u->created_at);
  add_time_member (b, "last_upload", u->updated_at);
  json_builder_set_member_name (b, "finalized");
  json_builder_add_boolean_value (b, u->finalized_at != 0);
  add_time_member (b, "finalized_at", u->finalized_at);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, u->sha256);
  json_builder_end_object (b);
}

static JsonNode *
recording_to_json (WmStore           *store,
                   const WmRecording *r,
                   gboolean           detailed)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *start = format_start_time (r);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, r->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, r->name);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_name (r->kind));
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, r->sample_rate);
  json_builder_set_member_name (b, "channels");
  json_builder_add_int_value (b, r->n_channels);
  json_builder_set_member_name (b, "frames");
  json_builder_add_int_value (b, r->n_frames);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, wm_recording_get_duration (r));
  json_builder_set_member_name (b, "sample_format");
  json_builder_add_string_value (b, r->sample_format == WM_SAMPLE_FORMAT_INT16 ? "int16" : "float32");
  json_builder_set_member_name (b, "labels");
  json_builder_add_int_value (b, wm_store_count_labels (store, r->id));
  json_builder_set_member_name (b, "start_time");
  if (start != NULL)
    json_builder_add_string_value (b, start);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "uploading");
  json_builder_add_boolean_value (b, r->uploading);
  if (detailed)
    {
      g_autoptr(WmUploadStream) upload = wm_store_get_recording_upload (store, r->id, NULL);

      add_upload_json (b, upload);
      json_builder_set_member_name (b, "channel_info");
      json_builder_begin_array (b);
      for (guint c = 0; c < r->n_channels; c++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, r->channel_names[c]);
          json_builder_set_member_name (b, "unit");
          json_builder_add_string_value (b, r->channel_units[c]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "source_path");
      json_builder_add_string_value (b, r->source_path);
      json_builder_set_member_name (b, "source_sha256");
      json_builder_add_string_value (b, r->source_sha256);
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, r->device_id);
      json_builder_set_member_name (b, "stream_id");
      json_builder_add_string_value (b, r->stream_id);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
wm_cli_list (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) recordings = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             _("List the recordings of the project: id, name, kind, rate, "
                               "channels, duration and label count; recordings a device is "
                               "still uploading are marked."), NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  recordings = wm_store_list_recordings (store, &error);
  if (recordings == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < recordings->len; i++)
        json_array_add_element (array, recording_to_json (store, recordings->pdata[i], FALSE));
      json_node_take_array (root, array);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  if (recordings->len == 0)
    {
      g_print (_("No recordings yet; add some with “waymark-cli import FILE…”.\n"));
      return WM_CLI_EXIT_OK;
    }
  g_print ("%4s  %-28s %-6s %10s %4s %14s %7s\n", _("ID"), _("Name"), _("Kind"), _("Rate (Hz)"),
           _("Ch"), _("Duration"), _("Labels"));
  for (guint i = 0; i < recordings->len; i++)
    {
      WmRecording *r = recordings->pdata[i];
      g_autofree char *duration = wm_cli_format_seconds (wm_recording_get_duration (r));

      g_print ("%4" PRId64 "  %-28s %-6s %10g %4u %14s %7" PRId64 "%s\n",
               r->id, r->name, kind_name (r->kind), r->sample_rate, r->n_channels, duration,
               wm_store_count_labels (store, r->id), r->uploading ? _("  uploading") : "");
    }
  return WM_CLI_EXIT_OK;
}

static void
print_upload (WmStore           *store,
              const WmRecording *r)
{
  g_autoptr(WmUploadStream) u = wm_store_get_recording_upload (store, r->id, NULL);
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *finalized = NULL;

  if (u == NULL)
    return;
  first = format_time_us (u->created_at);
  last = format_time_us (u->updated_at);
  g_print (_("Device type: %s\n"), u->device_type != NULL ? u->device_type : "-");
  g_print (_("Firmware:    %s\n"), u->firmware != NULL ? u->firmware : "-");
  g_print (_("Uploaded:    %s to %s, %" PRId64 " frames\n"), first, last, u->committed_offset);
  if (u->finalized_at != 0)
    {
      finalized = format_time_us (u->finalized_at);
      g_print (_("Finalized:   %s, SHA-256 verified\n"), finalized);
    }
  else
    g_print (_("Finalized:   no, still uploading\n"));
}

int
wm_cli_info (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *start = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("[RECORDING]"),
                             _("Show the project, or one recording (by id or name) in detail."),
                             NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 2)
    return wm_cli_usage_error (cli, _("give at most one recording"));

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  if (argc == 1)
    {
      g_autoptr(GPtrArray) recordings = wm_store_list_recordings (store, &error);
      g_autoptr(GPtrArray) classes = NULL;
      GStatBuf st = { 0 };
      double hours = 0;
      gint64 labels = 0;

      if (recordings == NULL || (classes = wm_store_list_classes (store, &error)) == NULL)
        return wm_cli_fail (cli, error);
      for (guint i = 0; i < recordings->len; i++)
        {
          WmRecording *rec = recordings->pdata[i];
          hours += wm_recording_get_duration (rec) / 3600.0;
          labels += wm_store_count_labels (store, rec->id);
        }
      g_stat (cli->project_path, &st);

      if (cli->json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, cli->project_path);
          json_builder_set_member_name (b, "schema_version");
          json_builder_add_int_value (b, wm_store_get_schema_version (store));
          json_builder_set_member_name (b, "recordings");
          json_builder_add_int_value (b, recordings->len);
          json_builder_set_member_name (b, "hours");
          json_builder_add_double_value (b, hours);
          json_builder_set_member_name (b, "classes");
          json_builder_add_int_value (b, classes->len);
          json_builder_set_member_name (b, "labels");
          json_builder_add_int_value (b, labels);
          json_builder_set_member_name (b, "file_bytes");
          json_builder_add_int_value (b, st.st_size);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          wm_cli_print_json (root);
        }
      else
        {
          g_print (_("Project:     %s\n"), cli->project_path);
          g_print (_("Version:     %d\n"), wm_store_get_schema_version (store));
          g_print (_("Recordings:  %u (%.2f hours)\n"), recordings->len, hours);
          g_print (_("Classes:     %u\n"), classes->len);
          g_print (_("Labels:      %" PRId64 "\n"), labels);
          g_print (_("File size:   %.1f MB\n"), st.st_size / 1e6);
        }
      return WM_CLI_EXIT_OK;
    }

  r = wm_cli_find_recording (store, argv[1], &error);
  if (r == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = recording_to_json (store, r, TRUE);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  duration = wm_cli_format_seconds (wm_recording_get_duration (r));
  start = format_start_time (r);
  g_print (_("Recording:   %" PRId64 " “%s” (%s)\n"), r->id, r->name, kind_name (r->kind));
  g_print (_("Rate:        %g Hz, %u channel(s), %s\n"), r->sample_rate, r->n_channels,
           r->sample_format == WM_SAMPLE_FORMAT_INT16 ? "int16" : "float32");
  g_print (_("Length:      %" PRId64 " frames, %s\n"), r->n_frames, duration);
  g_print (_("Starts at:   %s\n"), start != NULL ? start : _("unknown"));
  g_print (_("Labels:      %" PRId64 "\n"), wm_store_count_labels (store, r->id));
  g_print (_("Source:      %s\n"), r->source_path != NULL ? r->source_path : "-");
  g_print (_("SHA-256:     %s\n"), r->source_sha256 != NULL ? r->source_sha256 : "-");
  if (r->device_id != NULL)
    g_print (_("Device:      %s, stream %s\n"), r->device_id, r->stream_id != NULL ? r->stream_id : "-");
  print_upload (store, r);
  g_print (_("Channels:\n"));
  for (guint c = 0; c < r->n_channels; c++)
    g_print ("  %2u  %-20s %s\n", c + 1, r->channel_names[c],
             *r->channel_units[c] != '\0' ? r->channel_units[c] : "");
  return WM_CLI_EXIT_OK;
}

int
wm_cli_samples (WmCli *cli,
                int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree guint8 *buffer = NULL;
  gboolean csv = FALSE, raw = FALSE;
  gint64 from = 0, to;
  const gint64 chunk = 65536;
  gsize frame_bytes;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("First frame (frames, 12.5s or hh:mm:ss.mmm)"), N_("TIME") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("End, not included (default: the end)"), N_("TIME") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("CSV: a header, then frame, time and one column per channel (default)"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, N_("Raw interleaved little-endian samples as stored (int16 or float32)"), NULL },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("RECORDING"),
                             _("Print the frames [--from, --to) of a recording, one line per frame."),
                             _("int16 recordings print their integer sample values; others print "
                               "float values in their units."), entries, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one recording (id or name)"));
  if (csv && raw)
    return wm_cli_usage_error (cli, _("--csv and --raw exclude each other"));

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  r = wm_cli_find_recording (store, argv[1], &error);
  if (r == NULL)
    return wm_cli_fail (cli, error);

  to = r->n_frames;
  if ((from_text != NULL && !wm_cli_parse_time (from_text, r->sample_rate, &from, &error)) ||
      (to_text != NULL && !wm_cli_parse_time (to_text, r->sample_rate, &to, &error)))
    return wm_cli_fail (cli, error);
  if (from > to || to > r->n_frames)
    {
      g_autofree char *len = wm_cli_format_seconds (wm_recording_get_duration (r));
      g_set_error (&error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("frames [%" PRId64 ", %" PRId64 ") are not within recording "
                     "%" PRId64 " “%s” (%" PRId64 " frames, %s)"),
                   from, to, r->id, r->name, r->n_frames, len);
      return wm_cli_fail (cli, error);
    }

  frame_bytes = r->n_channels * (r->sample_format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4);
  buffer = g_malloc (chunk * frame_bytes);

  if (!raw)
    {
      g_print ("frame,time_s");
      for (guint c = 0; c < r->n_channels; c++)
        g_print (",%s", r->channel_names[c]);
      g_print ("\n");
    }

  for (gint64 at = from; at < to; at += chunk)
    {
      gint64 n = MIN (chunk, to - at);

      if (!wm_store_read_frames_raw (store, r->id, at, n, buffer, &error))
        return wm_cli_fail (cli, error);
      if (raw)
        {
          if (fwrite (buffer, frame_bytes, n, stdout) != (gsize) n)
            {
              g_printerr ("waymark-cli %s: %s\n", cli->command, _("could not write to standard output"));
              return WM_CLI_EXIT_FAILURE;
            }
          continue;
        }
      for (gint64 f = 0; f < n; f++)
        {
          char number[G_ASCII_DTOSTR_BUF_SIZE];

          printf ("%" PRId64 ",%s", at + f,
                  g_ascii_formatd (number, sizeof number, "%.6f", (at + f) / r->sample_rate));
          for (guint c = 0; c < r->n_channels; c++)
            {
              if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
                printf (",%d", ((gint16 *) buffer)[f * r->n_channels + c]);
              else
                printf (",%s", g_ascii_formatd (number, sizeof number, "%.9g",
                                                ((float *) buffer)[f * r->n_channels + c]));
            }
          putchar ('\n');
        }
    }
  if (fflush (stdout) != 0)
    return WM_CLI_EXIT_FAILURE;
  return WM_CLI_EXIT_OK;
}
