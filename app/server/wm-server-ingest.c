/* wm-server-ingest.c — the device upload routes, /v1/devices/{dev}/streams/{sid}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each route checks what HTTP alone can tell (the offset, the hash header,
 * JSON syntax) and leaves the rest to the engine, whose error codes map to
 * statuses in wm_server_status_for_error().
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wm-server-private.h"

#define DEVICE(request) ((request)->params[0])
#define STREAM(request) ((request)->params[1])

static void
add_metadata_member (JsonBuilder        *b,
                     const WmStreamMeta *meta)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;

  json_builder_set_member_name (b, "metadata");
  if (meta == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  text = wm_stream_meta_to_json (meta);
  node = json_from_string (text, NULL);
  if (node != NULL)
    json_builder_add_value (b, g_steal_pointer (&node));
  else
    json_builder_add_null_value (b);
}

static void
add_state_members (JsonBuilder         *b,
                   const WmStreamState *state)
{
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, state->device);
  json_builder_set_member_name (b, "stream_id");
  json_builder_add_string_value (b, state->stream_id);
  json_builder_set_member_name (b, "recording_id");
  json_builder_add_int_value (b, state->recording_id);
  json_builder_set_member_name (b, "committed_offset");
  json_builder_add_int_value (b, state->committed_offset);
  json_builder_set_member_name (b, "finalized");
  json_builder_add_boolean_value (b, state->finalized);
  json_builder_set_member_name (b, "sha256");
  if (state->sha256 != NULL)
    json_builder_add_string_value (b, state->sha256);
  else
    json_builder_add_null_value (b);
  add_metadata_member (b, state->meta);
}

static void
reply_state (SoupServerMessage   *msg,
             guint                status,
             const WmStreamState *state)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  add_state_members (b, state);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  wm_server_reply_json (msg, status, root);
}

/* ---- PUT …/streams/{sid}: create the stream, or check it is the same ---- */

static void
put_stream_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WmServerRequest *request = user_data;
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if (wm_ingest_put_stream_finish (WM_INGEST (source), result, &state, &created, &error))
    reply_state (request->msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, state);
  else if (g_error_matches (error, WM_INGEST_ERROR, WM_INGEST_ERROR_METADATA_CONFLICT) && state != NULL)
    {
      g_autoptr(JsonBuilder) b = wm_server_error_builder ("metadata_conflict", error->message);

      add_metadata_member (b, state->meta);
      wm_server_reply_error_builder (request->msg, SOUP_STATUS_CONFLICT, b);
    }
  else
    wm_server_reply_gerror (request->msg, error);
  wm_server_end_async (request);
}

static void
put_stream (WmServer          *server,
            SoupServerMessage *msg,
            WmServerRequest   *request,
            GHashTable        *query)
{
  g_autoptr(GBytes) body = wm_server_request_body (msg);
  g_autoptr(WmStreamMeta) meta = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  meta = wm_stream_meta_from_json (length > 0 ? data : "", length, &error);
  if (meta == NULL)
    {
      wm_server_reply_gerror (msg, error);
      return;
    }
  wm_server_begin_async (request);
  wm_ingest_put_stream_async (wm_server_get_ingest (server), DEVICE (request), STREAM (request),
                              meta, NULL, put_stream_done, request);
}

/* ---- GET …/streams/{sid}: where to resume ------------------------------- */

static void
get_stream (WmServer          *server,
            SoupServerMessage *msg,
            WmServerRequest   *request,
            GHashTable        *query)
{
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = wm_ingest_get_stream (wm_server_get_ingest (server), DEVICE (request), STREAM (request), &error);
  if (state == NULL)
    wm_server_reply_gerror (msg, error);
  else
    reply_state (msg, SOUP_STATUS_OK, state);
}

/* ---- POST …/chunks?offset=N: frames, acknowledged after COMMIT ---------- */

static void
reply_committed (SoupServerMessage *msg,
                 guint              status,
                 JsonBuilder       *b,
                 gint64             committed_offset)
{
  json_builder_set_member_name (b, "committed_offset");
  json_builder_add_int_value (b, committed_offset);
  wm_server_reply_error_builder (msg, status, b);
}

static void
put_chunk_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  WmServerRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  gint64 committed_offset = -1;

  if (wm_ingest_put_chunk_finish (WM_INGEST (source), result, &committed_offset, &error))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "committed_offset");
      json_builder_add_int_value (b, committed_offset);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_server_reply_json (request->msg, SOUP_STATUS_OK, root);
    }
  else if (committed_offset >= 0)
    {
      const char *code;
      guint status = wm_server_status_for_error (error, &code);
      g_autoptr(JsonBuilder) b = wm_server_error_builder (code, error->message);

      reply_committed (request->msg, status, b, committed_offset);
    }
  else
    wm_server_reply_gerror (request->msg, error);
  wm_server_end_async (request);
}

static gboolean
is_sha256_hex (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static void
put_chunk (WmServer          *server,
           SoupServerMessage *msg,
           WmServerRequest   *request,
           GHashTable        *query)
{
  const char *offset_text = query != NULL ? g_hash_table_lookup (query, "offset") : NULL;
  const char *sha256 = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "X-Content-SHA256");
  g_autoptr(GBytes) body = NULL;
  g_autofree char *sha256_lower = NULL;
  guint64 offset;

  if (offset_text == NULL
      || !g_ascii_string_to_unsigned (offset_text, 10, 0, G_MAXINT64, &offset, NULL))
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                             _("The query must give the chunk's first frame as offset=N (N ≥ 0), not “%s”"),
                             offset_text != NULL ? offset_text : "");
      return;
    }
  if (!is_sha256_hex (sha256))
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                             _("The X-Content-SHA256 header must hold the body's SHA-256 as 64 hex digits"));
      return;
    }
  body = wm_server_request_body (msg);
  if (g_bytes_get_size (body) == 0)
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("The chunk has no frames"));
      return;
    }
  sha256_lower = g_ascii_strdown (sha256, -1);
  wm_server_begin_async (request);
  wm_ingest_put_chunk_async (wm_server_get_ingest (server), DEVICE (request), STREAM (request),
                             (gint64) offset, body, sha256_lower, NULL, put_chunk_done, request);
}

/* ---- POST …/finalize {"sha256": …}: the stream is complete -------------- */

static void
finalize_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WmServerRequest *request = user_data;
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(GError) error = NULL;

  if (wm_ingest_finalize_finish (WM_INGEST (source), result, &state, &error))
    reply_state (request->msg, SOUP_STATUS_OK, state);
  else
    wm_server_reply_gerror (request->msg, error);
  wm_server_end_async (request);
}

static void
finalize_stream (WmServer          *server,
                 SoupServerMessage *msg,
                 WmServerRequest   *request,
                 GHashTable        *query)
{
  g_autoptr(JsonNode) root = wm_server_request_json (msg);
  JsonObject *object;
  const char *sha256 = NULL;
  g_autofree char *sha256_lower = NULL;

  if (root == NULL)
    return;
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object != NULL && json_object_has_member (object, "sha256")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "sha256"))
      && json_node_get_value_type (json_object_get_member (object, "sha256")) == G_TYPE_STRING)
    sha256 = json_object_get_string_member (object, "sha256");
  if (!is_sha256_hex (sha256))
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                             _("The body must be {\"sha256\": \"…\"} with the whole stream's SHA-256 as 64 hex digits"));
      return;
    }
  sha256_lower = g_ascii_strdown (sha256, -1);
  wm_server_begin_async (request);
  wm_ingest_finalize_async (wm_server_get_ingest (server), DEVICE (request), STREAM (request),
                            sha256_lower, NULL, finalize_done, request);
}

static const WmRoute ingest_routes[] = {
  { "PUT",  "/v1/devices/{dev}/streams/{sid}",          WM_ROUTE_BODY_JSON,  WM_ROUTE_AUTH_BEARER, FALSE, put_stream },
  { "GET",  "/v1/devices/{dev}/streams/{sid}",          WM_ROUTE_BODY_NONE,  WM_ROUTE_AUTH_BEARER, FALSE, get_stream },
  { "POST", "/v1/devices/{dev}/streams/{sid}/chunks",   WM_ROUTE_BODY_CHUNK, WM_ROUTE_AUTH_BEARER, FALSE, put_chunk },
  { "POST", "/v1/devices/{dev}/streams/{sid}/finalize", WM_ROUTE_BODY_JSON,  WM_ROUTE_AUTH_BEARER, FALSE, finalize_stream },
};

const WmRoute *
wm_server_ingest_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (ingest_routes);
  return ingest_routes;
}
