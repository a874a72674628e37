/* wm-stream-meta.c — what a device says of a stream, as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "wm-ingest.h"

G_DEFINE_BOXED_TYPE (WmStreamMeta, wm_stream_meta, wm_stream_meta_copy, wm_stream_meta_free)
G_DEFINE_BOXED_TYPE (WmStreamState, wm_stream_state, wm_stream_state_copy, wm_stream_state_free)

#define MAX_CHANNELS     4096
#define MAX_TEXT_LENGTH  256
#define MAX_SAMPLE_RATE  1e8

static gboolean
invalid (GError     **error,
         const char  *field,
         const char  *problem)
{
  g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
               _("stream metadata: “%s” %s"), field, problem);
  return FALSE;
}

/* An optional string member: absent and null give NULL.  @field names it in
 * messages. */
static gboolean
member_string (JsonObject  *object,
               const char  *member,
               const char  *field,
               char       **out,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, field, _("must be a string"));
  text = json_node_get_string (node);
  if (g_utf8_strlen (text, -1) > MAX_TEXT_LENGTH)
    return invalid (error, field, _("is longer than 256 characters"));
  *out = g_strdup (text);
  return TRUE;
}

static gboolean
optional_string (JsonObject  *object,
                 const char  *field,
                 char       **out,
                 GError     **error)
{
  return member_string (object, field, field, out, error);
}

static gboolean
parse_sample_rate (JsonObject   *object,
                   WmStreamMeta *meta,
                   GError      **error)
{
  JsonNode *node = json_object_get_member (object, "sample_rate");
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (node == NULL)
    return invalid (error, "sample_rate", _("is missing"));
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, "sample_rate", _("must be a number"));
  meta->sample_rate = json_node_get_double (node);
  if (!isfinite (meta->sample_rate) || meta->sample_rate <= 0 || meta->sample_rate > MAX_SAMPLE_RATE)
    return invalid (error, "sample_rate", _("must be above 0 and at most 100 MHz"));
  return TRUE;
}

static gboolean
parse_sample_format (JsonObject   *object,
                     WmStreamMeta *meta,
                     GError      **error)
{
  g_autofree char *text = NULL;

  if (!optional_string (object, "sample_format", &text, error))
    return FALSE;
  if (text == NULL)
    return invalid (error, "sample_format", _("is missing (int16 or float32)"));
  if (g_str_equal (text, "int16"))
    meta->sample_format = WM_SAMPLE_FORMAT_INT16;
  else if (g_str_equal (text, "float32"))
    meta->sample_format = WM_SAMPLE_FORMAT_FLOAT32;
  else
    return invalid (error, "sample_format", _("must be int16 or float32"));
  return TRUE;
}

static gboolean
parse_channels (JsonObject   *object,
                WmStreamMeta *meta,
                GError      **error)
{
  JsonNode *node = json_object_get_member (object, "channels");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return invalid (error, "channels", _("is missing"));
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "channels", _("must be an array of {\"name\", \"unit\"}"));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > MAX_CHANNELS)
    return invalid (error, "channels", _("must hold 1 to 4096 channels"));

  meta->n_channels = n;
  meta->channel_names = g_new0 (char *, n + 1);
  meta->channel_units = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *field = g_strdup_printf ("channels[%u]", i);
      g_autofree char *name_field = g_strdup_printf ("channels[%u].name", i);
      g_autofree char *unit_field = g_strdup_printf ("channels[%u].unit", i);
      JsonObject *channel;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return invalid (error, field, _("must be an object {\"name\", \"unit\"}"));
      channel = json_node_get_object (element);
      if (!member_string (channel, "name", name_field, &meta->channel_names[i], error))
        return FALSE;
      if (meta->channel_names[i] == NULL || *meta->channel_names[i] == '\0')
        return invalid (error, name_field, _("is missing or empty"));
      if (!member_string (channel, "unit", unit_field, &meta->channel_units[i], error))
        return FALSE;
      if (meta->channel_units[i] == NULL)
        meta->channel_units[i] = g_strdup ("");
    }
  return TRUE;
}

static gboolean
parse_start_time (JsonObject   *object,
                  WmStreamMeta *meta,
                  GError      **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) time = NULL;

  if (!optional_string (object, "start_time", &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    return invalid (error, "start_time", _("must be an ISO 8601 time with a zone, like 2026-12-07T10:00:00.000Z"));
  meta->has_start_time = TRUE;
  meta->start_time_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static gboolean
parse_kind (JsonObject   *object,
            WmStreamMeta *meta,
            GError      **error)
{
  g_autofree char *text = NULL;

  if (!optional_string (object, "kind", &text, error))
    return FALSE;
  if (text == NULL)
    meta->kind = meta->n_channels == 1 && meta->sample_rate >= 8000
                 ? WM_RECORDING_KIND_AUDIO : WM_RECORDING_KIND_SENSOR;
  else if (g_str_equal (text, "audio"))
    meta->kind = WM_RECORDING_KIND_AUDIO;
  else if (g_str_equal (text, "sensor"))
    meta->kind = WM_RECORDING_KIND_SENSOR;
  else
    return invalid (error, "kind", _("must be audio or sensor"));
  return TRUE;
}

WmStreamMeta *
wm_stream_meta_from_json (const char  *json,
                          gssize       length,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WmStreamMeta) meta = g_new0 (WmStreamMeta, 1);
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *object;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, &parse_error))
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                   _("stream metadata is not JSON: %s"), parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                           _("stream metadata must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);
  if (!parse_sample_rate (object, meta, error) ||
      !parse_sample_format (object, meta, error) ||
      !parse_channels (object, meta, error) ||
      !parse_start_time (object, meta, error) ||
      !parse_kind (object, meta, error) ||
      !optional_string (object, "device_type", &meta->device_type, error) ||
      !optional_string (object, "firmware", &meta->firmware, error) ||
      !optional_string (object, "note", &meta->note, error))
    return NULL;
  return g_steal_pointer (&meta);
}

static void
add_optional_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static char *
format_time (gint64 time_us)
{
  g_autoptr(GDateTime) base = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) time = NULL;

  if (base == NULL)
    return NULL;
  time = g_date_time_add (base, time_us % G_USEC_PER_SEC);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.%fZ");
}

char *
wm_stream_meta_to_json (const WmStreamMeta *meta)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *start = NULL;

  g_return_val_if_fail (meta != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, meta->sample_rate);
  json_builder_set_member_name (b, "sample_format");
  json_builder_add_string_value (b, meta->sample_format == WM_SAMPLE_FORMAT_INT16 ? "int16" : "float32");
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint i = 0; i < meta->n_channels; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, meta->channel_names[i]);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, meta->channel_units[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (meta->has_start_time && (start = format_time (meta->start_time_us)) != NULL)
    add_optional_string (b, "start_time", start);
  add_optional_string (b, "kind", meta->kind == WM_RECORDING_KIND_AUDIO ? "audio" : "sensor");
  add_optional_string (b, "device_type", meta->device_type);
  add_optional_string (b, "firmware", meta->firmware);
  add_optional_string (b, "note", meta->note);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

gboolean
wm_stream_meta_equal (const WmStreamMeta *a,
                      const WmStreamMeta *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->sample_rate != b->sample_rate || a->sample_format != b->sample_format ||
      a->n_channels != b->n_channels || a->kind != b->kind ||
      a->has_start_time != b->has_start_time ||
      (a->has_start_time && a->start_time_us != b->start_time_us) ||
      g_strcmp0 (a->device_type, b->device_type) != 0 ||
      g_strcmp0 (a->firmware, b->firmware) != 0 ||
      g_strcmp0 (a->note, b->note) != 0)
    return FALSE;
  for (guint i = 0; i < a->n_channels; i++)
    if (g_strcmp0 (a->channel_names[i], b->channel_names[i]) != 0 ||
        g_strcmp0 (a->channel_units[i], b->channel_units[i]) != 0)
      return FALSE;
  return TRUE;
}

gsize
wm_stream_meta_frame_bytes (const WmStreamMeta *meta)
{
  g_return_val_if_fail (meta != NULL, 0);
  return meta->n_channels * (meta->sample_format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4);
}

WmStreamMeta *
wm_stream_meta_copy (const WmStreamMeta *meta)
{
  WmStreamMeta *copy;

  g_return_val_if_fail (meta != NULL, NULL);

  copy = g_memdup2 (meta, sizeof *meta);
  copy->channel_names = g_strdupv (meta->channel_names);
  copy->channel_units = g_strdupv (meta->channel_units);
  copy->device_type = g_strdup (meta->device_type);
  copy->firmware = g_strdup (meta->firmware);
  copy->note = g_strdup (meta->note);
  return copy;
}

void
wm_stream_meta_free (WmStreamMeta *meta)
{
  if (meta == NULL)
    return;
  g_strfreev (meta->channel_names);
  g_strfreev (meta->channel_units);
  g_free (meta->device_type);
  g_free (meta->firmware);
  g_free (meta->note);
  g_free (meta);
}

WmStreamState *
wm_stream_state_copy (const WmStreamState *state)
{
  WmStreamState *copy;

  g_return_val_if_fail (state != NULL, NULL);

  copy = g_memdup2 (state, sizeof *state);
  copy->device = g_strdup (state->device);
  copy->stream_id = g_strdup (state->stream_id);
  copy->sha256 = g_strdup (state->sha256);
  copy->meta = state->meta != NULL ? wm_stream_meta_copy (state->meta) : NULL;
  return copy;
}

void
wm_stream_state_free (WmStreamState *state)
{
  if (state == NULL)
    return;
  g_free (state->device);
  g_free (state->stream_id);
  g_free (state->sha256);
  g_clear_pointer (&state->meta, wm_stream_meta_free);
  g_free (state);
}
