/* wm-server-edge-impulse.c — Edge Impulse's ingestion API (/api/{training,testing}/data)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accepts what Edge Impulse firmware and tools send to
 * ingestion.edgeimpulse.com: the data acquisition format
 *   {"protected": {"ver": "v1", "alg": "HS256" | "none", "iat": …},
 *    "signature": "<64 hex>",
 *    "payload": {"device_name", "device_type", "interval_ms",
 *                "sensors": [{"name", "units"}, …], "values": [[…], …]}}
 * with x-api-key (here: the device's Waymark token), x-file-name and x-label
 * (both URI-encoded by Edge Impulse's tools).  Their tools sign the JSON text
 * with "signature" set to 64 '0' characters (HMAC-SHA256 with the project's
 * HMAC key), then put the hex HMAC in its place; so the text received, with
 * the signature put back to zeros, is exactly what was signed.
 *
 * Replies are text/plain as Edge Impulse's: 200 with the file name, 400 for
 * an invalid message (here also a signature that does not match, which
 * Edge Impulse stores marked as invalid), 401 for a missing or unknown key,
 * 421 for a missing x-file-name.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wm-server-private.h"

#define EI_SIGNATURE_LENGTH 64

typedef struct {
  JsonObject *root;
  JsonObject *payload;
  guint       n_channels;
  gboolean    int16;        /* every sensor's units are "wav": 16-bit audio */
} Sample;

static gboolean
member_is_number (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  *error = g_error_new_valist (WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID, format, args);
  va_end (args);
  return FALSE;
}

/* The envelope and the payload's shape. */
static gboolean
check_sample (Sample    *sample,
              GError   **error)
{
  JsonObject *protected = member_object (sample->root, "protected");
  JsonArray *sensors;
  const char *alg;

  if (protected == NULL || g_strcmp0 (member_string (protected, "ver"), "v1") != 0)
    return invalid (error, _("“protected.ver” must be “v1”"));
  alg = member_string (protected, "alg");
  if (g_strcmp0 (alg, "HS256") != 0 && g_strcmp0 (alg, "none") != 0)
    return invalid (error, _("“protected.alg” must be “HS256” or “none”"));
  sample->payload = member_object (sample->root, "payload");
  if (sample->payload == NULL)
    return invalid (error, _("The message has no “payload” object"));
  if (!member_is_number (sample->payload, "interval_ms")
      || !(json_object_get_double_member (sample->payload, "interval_ms") > 0))
    return invalid (error, _("“payload.interval_ms” must be a number above 0"));
  sensors = member_array (sample->payload, "sensors");
  if (sensors == NULL || json_array_get_length (sensors) == 0)
    return invalid (error, _("“payload.sensors” must be a non-empty array"));
  sample->n_channels = json_array_get_length (sensors);
  sample->int16 = TRUE;
  for (guint i = 0; i < sample->n_channels; i++)
    {
      JsonNode *node = json_array_get_element (sensors, i);
      JsonObject *sensor = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (sensor == NULL || member_string (sensor, "name") == NULL || member_string (sensor, "units") == NULL)
        return invalid (error, _("“payload.sensors[%u]” must have a “name” and “units”"), i);
      if (!g_str_equal (member_string (sensor, "units"), "wav"))
        sample->int16 = FALSE;
    }
  if (member_array (sample->payload, "values") == NULL)
    return invalid (error, _("“payload.values” must be an array"));
  return TRUE;
}

/* The signature over the text as received with the signature put back to
 * 64 zeros, checked in constant time. */
static gboolean
check_signature (Sample      *sample,
                 GBytes      *body,
                 const char  *hmac_key,
                 GError     **error)
{
  const char *signature = member_string (sample->root, "signature");
  const char *alg = member_string (member_object (sample->root, "protected"), "alg");
  g_autofree char *quoted = NULL;
  g_autofree char *signed_text = NULL;
  g_autoptr(GHmac) hmac = NULL;
  gsize length;
  const char *text = g_bytes_get_data (body, &length);
  const char *at, *next;
  const char *expected;
  guint8 difference = 0;

  if (!g_str_equal (alg, "HS256"))
    return invalid (error, _("This device has an HMAC key: its data must be signed (“alg”: “HS256”)"));
  if (signature == NULL || strlen (signature) != EI_SIGNATURE_LENGTH)
    return invalid (error, _("“signature” must be the HMAC-SHA256 as 64 hex digits"));
  quoted = g_strdup_printf ("\"%s\"", signature);
  at = g_strstr_len (text, length, quoted);
  next = at != NULL ? g_strstr_len (at + 1, length - (at + 1 - text), quoted) : NULL;
  if (at == NULL || next != NULL)
    return invalid (error, _("The signature must appear once in the message, as a plain JSON string"));

  signed_text = g_memdup2 (text, length);
  memset (signed_text + (at - text) + 1, '0', EI_SIGNATURE_LENGTH);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) hmac_key, strlen (hmac_key));
  g_hmac_update (hmac, (const guchar *) signed_text, length);
  expected = g_hmac_get_string (hmac);
  for (guint i = 0; i < EI_SIGNATURE_LENGTH; i++)
    difference |= (guint8) (expected[i] ^ g_ascii_tolower (signature[i]));
  if (difference != 0)
    return invalid (error, _("The signature does not match the message (HMAC-SHA256 with this device's key)"));
  return TRUE;
}

static gboolean
append_value (GByteArray *frames,
              JsonNode   *node,
              gboolean    int16,
              guint       frame,
              GError    **error)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  double value;

  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, _("“payload.values[%u]” holds something other than numbers"), frame);
  value = json_node_get_double (node);
  if (int16)
    {
      gint16 sample;

      if (value != (double) (gint64) value || value < G_MININT16 || value > G_MAXINT16)
        return invalid (error, _("“payload.values[%u]”: audio (“wav”) values must be 16-bit integers"), frame);
      sample = GINT16_TO_LE ((gint16) value);
      g_byte_array_append (frames, (const guint8 *) &sample, sizeof sample);
    }
  else
    {
      union { float f; guint32 u; } sample = { .f = (float) value };

      sample.u = GUINT32_TO_LE (sample.u);
      g_byte_array_append (frames, (const guint8 *) &sample.u, sizeof sample.u);
    }
  return TRUE;
}

/* "values": [[a, b, c], …] for several sensors, [a, …] for one. */
static GBytes *
sample_frames (Sample  *sample,
               GError **error)
{
  JsonArray *values = member_array (sample->payload, "values");
  guint n_frames = json_array_get_length (values);
  g_autoptr(GByteArray) frames = g_byte_array_sized_new (n_frames * sample->n_channels * 4);

  if (n_frames == 0)
    return invalid (error, _("“payload.values” is empty")), NULL;
  for (guint i = 0; i < n_frames; i++)
    {
      JsonNode *row = json_array_get_element (values, i);

      if (JSON_NODE_HOLDS_ARRAY (row))
        {
          JsonArray *columns = json_node_get_array (row);

          if (json_array_get_length (columns) != sample->n_channels)
            return invalid (error, _("“payload.values[%u]” has %u values for %u sensors"),
                            i, json_array_get_length (columns), sample->n_channels), NULL;
          for (guint c = 0; c < sample->n_channels; c++)
            if (!append_value (frames, json_array_get_element (columns, c), sample->int16, i, error))
              return NULL;
        }
      else if (sample->n_channels == 1)
        {
          if (!append_value (frames, row, sample->int16, i, error))
            return NULL;
        }
      else
        return invalid (error, _("“payload.values[%u]” must be an array of %u values"),
                        i, sample->n_channels), NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&frames));
}

/* The stream metadata of the sample, checked by the engine's own parser. */
static WmStreamMeta *
sample_meta (Sample  *sample,
             GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonArray *sensors = member_array (sample->payload, "sensors");
  const char *device_type = member_string (sample->payload, "device_type");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, 1000.0 / json_object_get_double_member (sample->payload, "interval_ms"));
  json_builder_set_member_name (b, "sample_format");
  json_builder_add_string_value (b, sample->int16 ? "int16" : "float32");
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint i = 0; i < sample->n_channels; i++)
    {
      JsonObject *sensor = json_array_get_object_element (sensors, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, member_string (sensor, "name"));
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, sample->int16 ? "" : member_string (sensor, "units"));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (device_type != NULL)
    {
      json_builder_set_member_name (b, "device_type");
      json_builder_add_string_value (b, device_type);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  return wm_stream_meta_from_json (text, -1, error);
}

/* A header as Edge Impulse's tools send it (encodeURIComponent). */
static char *
header_text (SoupServerMessage *msg,
             const char        *name)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), name);
  char *decoded;

  if (value == NULL)
    return NULL;
  decoded = g_uri_unescape_string (value, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    {
      g_free (decoded);
      return g_strdup (value);
    }
  return decoded;
}

/* x-label, else (unless x-no-label: 1) the file name's leading run of
 * letters, digits, blanks, '-' and '_' ("idle.01" → "idle"), as Edge
 * Impulse infers it. */
static char *
sample_label (SoupServerMessage *msg,
              const char        *file_name)
{
  g_autofree char *label = header_text (msg, "x-label");
  const char *no_label = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "x-no-label");
  gsize n = 0;

  if (label != NULL)
    return label[0] != '\0' ? g_steal_pointer (&label) : NULL;
  if (g_strcmp0 (no_label, "1") == 0)
    return NULL;
  while (file_name[n] != '\0' && (g_ascii_isalnum (file_name[n]) || g_ascii_isspace (file_name[n])
                                  || file_name[n] == '-' || file_name[n] == '_'))
    n++;
  return n > 0 ? g_strndup (file_name, n) : NULL;
}

typedef struct {
  WmServerRequest *request;
  char            *file_name;
} Upload;

static void
upload_free (Upload *upload)
{
  g_free (upload->file_name);
  g_free (upload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upload, upload_free)

static void
add_sample_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Upload) upload = user_data;
  g_autoptr(GError) error = NULL;
  gint64 recording_id = 0;

  if (wm_ingest_add_sample_finish (WM_INGEST (source), result, &recording_id, &error))
    wm_server_reply_text (upload->request->msg, SOUP_STATUS_OK, upload->file_name);
  else
    wm_server_reply_gerror (upload->request->msg, error);
  wm_server_end_async (upload->request);
}

/* Everything up to the engine; on failure the error to answer with. */
static gboolean
prepare_upload (WmServer          *server,
                SoupServerMessage *msg,
                WmServerRequest   *request,
                WmStreamMeta     **out_meta,
                GBytes           **out_frames,
                GError           **error)
{
  g_autoptr(GBytes) body = wm_server_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *hmac_key = NULL;
  Sample sample = { 0 };
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (length == 0 || !json_parser_load_from_data (parser, data, length, error))
    {
      g_clear_error (error);
      return invalid (error, _("The body is not a JSON message in Edge Impulse's data acquisition format"));
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return invalid (error, _("The body must be a JSON object"));
  sample.root = json_node_get_object (json_parser_get_root (parser));
  if (!check_sample (&sample, error))
    return FALSE;
  hmac_key = wm_ingest_get_hmac_key (wm_server_get_ingest (server), request->device, error);
  if (hmac_key == NULL && *error != NULL)
    return FALSE;
  if (hmac_key != NULL && !check_signature (&sample, body, hmac_key, error))
    return FALSE;
  *out_frames = sample_frames (&sample, error);
  if (*out_frames == NULL)
    return FALSE;
  *out_meta = sample_meta (&sample, error);
  return *out_meta != NULL;
}

static void
upload (WmServer          *server,
        SoupServerMessage *msg,
        WmServerRequest   *request,
        const char        *category)
{
  g_autoptr(Upload) upload = g_new0 (Upload, 1);
  g_autoptr(WmStreamMeta) meta = NULL;
  g_autoptr(GBytes) frames = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  const char *file_name;

  upload->request = request;
  upload->file_name = header_text (msg, "x-file-name");
  if (upload->file_name == NULL || upload->file_name[0] == '\0')
    {
      wm_server_reply_text (msg, SOUP_STATUS_MISDIRECTED_REQUEST, _("Missing x-file-name header\n"));
      return;
    }
  if (!prepare_upload (server, msg, request, &meta, &frames, &error))
    {
      wm_server_reply_gerror (msg, error);
      return;
    }
  label = sample_label (msg, upload->file_name);
  file_name = upload->file_name;
  wm_server_begin_async (request);
  wm_ingest_add_sample_async (wm_server_get_ingest (server), request->device, file_name,
                              meta, frames, label, category, NULL, add_sample_done,
                              g_steal_pointer (&upload));
}

static void
upload_training (WmServer          *server,
                 SoupServerMessage *msg,
                 WmServerRequest   *request,
                 GHashTable        *query)
{
  upload (server, msg, request, "training");
}

static void
upload_testing (WmServer          *server,
                SoupServerMessage *msg,
                WmServerRequest   *request,
                GHashTable        *query)
{
  upload (server, msg, request, "testing");
}

static const WmRoute edge_impulse_routes[] = {
  { "POST", "/api/training/data", WM_ROUTE_BODY_JSON, WM_ROUTE_AUTH_API_KEY, TRUE, upload_training },
  { "POST", "/api/testing/data",  WM_ROUTE_BODY_JSON, WM_ROUTE_AUTH_API_KEY, TRUE, upload_testing },
};

const WmRoute *
wm_server_edge_impulse_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (edge_impulse_routes);
  return edge_impulse_routes;
}
