/* wm-server.c — listening, limits, timeouts, authentication, routing, replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wm-server-private.h"

G_DEFINE_QUARK (wm-server-error-quark, wm_server_error)

#define REQUEST_KEY "wm-server-request"
/* After refusing a body unread, take at most this much of it (or this long)
 * before closing, so the client reads the reply instead of a reset. */
#define DRAIN_MAX_BYTES (1024 * 1024)
#define DRAIN_TIMEOUT_S 2
/* A body read only to be thrown away (the request was refused by its
 * headers) may be this large; a larger one is not read. */
#define EARLY_BODY_MAX (64 * 1024)
/* RFC 6585; libsoup 3.2 has no name for it. */
#define HTTP_HEADER_FIELDS_TOO_LARGE 431

struct _WmServer
{
  GObject         parent_instance;

  WmIngest       *ingest;
  WmServerLimits  limits;
  SoupServer     *soup;
  GPtrArray      *routes;          /* of const WmRoute * */
  gboolean        tls;
  guint           n_pending;
  GTask          *stop_task;
  gboolean        stopping;
  guint           crash_mid_request; /* 0: off */
  guint           n_chunk_requests;
};

G_DEFINE_FINAL_TYPE (WmServer, wm_server, G_TYPE_OBJECT)

/* ---- requests ----------------------------------------------------------- */

static void
request_free (WmServerRequest *request)
{
  g_clear_handle_id (&request->read_timeout_id, g_source_remove);
  g_clear_object (&request->socket);
  for (guint i = 0; request->params[i] != NULL; i++)
    g_free (request->params[i]);
  g_free (request->device);
  g_free (request);
}

static WmServerRequest *
request_get (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_KEY);
}

gboolean
wm_server_id_is_valid (const char *text)
{
  gsize n = 0;

  if (text == NULL || text[0] == '\0' || text[0] == '.')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++, n++)
    {
      if (n >= 128)
        return FALSE;
      if (!g_ascii_isalnum (*p) && strchr ("._:-", *p) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* ---- replies ------------------------------------------------------------ */

void
wm_server_reply_json (SoupServerMessage *msg,
                      guint              status,
                      JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

void
wm_server_reply_text (SoupServerMessage *msg,
                      guint              status,
                      const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

JsonBuilder *
wm_server_error_builder (const char *code,
                         const char *message)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  return b;
}

static void
add_error_headers (SoupServerMessage *msg,
                   guint              status)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (headers, "WWW-Authenticate", "Bearer realm=\"waymark\"");
  else if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    soup_message_headers_replace (headers, "Retry-After", "1");
}

void
wm_server_reply_error_builder (SoupServerMessage *msg,
                               guint              status,
                               JsonBuilder       *builder)
{
  WmServerRequest *request = request_get (msg);
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  add_error_headers (msg, status);
  if (request != NULL && request->route != NULL && request->route->text_errors)
    {
      JsonObject *object = json_node_get_object (root);
      g_autofree char *text = g_strconcat (json_object_get_string_member (object, "error"), "\n", NULL);

      wm_server_reply_text (msg, status, text);
      return;
    }
  wm_server_reply_json (msg, status, root);
}

void
wm_server_reply_error (SoupServerMessage *msg,
                       guint              status,
                       const char        *code,
                       const char        *format,
                       ...)
{
  g_autofree char *message = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  b = wm_server_error_builder (code, message);
  wm_server_reply_error_builder (msg, status, b);
}

guint
wm_server_status_for_error (const GError *error,
                            const char  **out_code)
{
  static const struct { int code; guint status; const char *name; } map[] = {
    { WM_INGEST_ERROR_INVALID,           400, "invalid" },
    { WM_INGEST_ERROR_HASH_MISMATCH,     400, "hash_mismatch" },
    { WM_INGEST_ERROR_UNAUTHORIZED,      401, "unauthorized" },
    { WM_INGEST_ERROR_FORBIDDEN,         403, "forbidden" },
    { WM_INGEST_ERROR_NOT_FOUND,         404, "not_found" },
    { WM_INGEST_ERROR_METADATA_CONFLICT, 409, "metadata_conflict" },
    { WM_INGEST_ERROR_GAP,               409, "gap" },
    { WM_INGEST_ERROR_FINALIZE_MISMATCH, 409, "finalize_mismatch" },
    { WM_INGEST_ERROR_FINALIZED,         409, "finalized" },
    { WM_INGEST_ERROR_OVERLAP,           422, "overlap" },
    { WM_INGEST_ERROR_TOO_LARGE,         413, "too_large" },
    { WM_INGEST_ERROR_BUSY,              503, "busy" },
    { WM_INGEST_ERROR_STORAGE,           507, "storage" },
  };

  if (error->domain == WM_INGEST_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (map); i++)
      if (map[i].code == error->code)
        {
          *out_code = map[i].name;
          return map[i].status;
        }
  *out_code = "internal";
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

void
wm_server_reply_gerror (SoupServerMessage *msg,
                        const GError      *error)
{
  const char *code;
  guint status = wm_server_status_for_error (error, &code);

  wm_server_reply_error (msg, status, code, "%s", error->message);
}

GBytes *
wm_server_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

JsonNode *
wm_server_request_json (SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = wm_server_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (length == 0)
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("The request has no JSON body"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                             _("The body is not JSON: %s"), error->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* ---- asynchronous answers ----------------------------------------------- */

WmIngest *
wm_server_get_ingest (WmServer *self)
{
  return self->ingest;
}

const WmServerLimits *
wm_server_get_limits (WmServer *self)
{
  return &self->limits;
}

void
wm_server_begin_async (WmServerRequest *request)
{
  WmServer *self = request->server;

  g_assert (!request->paused);
  request->paused = TRUE;
  self->n_pending++;
  g_object_ref (request->msg);
  soup_server_message_pause (request->msg);
}

static void
maybe_finish_stop (WmServer *self)
{
  if (self->stop_task != NULL && self->n_pending == 0)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

      g_task_return_boolean (task, TRUE);
    }
}

void
wm_server_end_async (WmServerRequest *request)
{
  WmServer *self = request->server;
  SoupServerMessage *msg = request->msg;

  g_assert (request->paused);
  g_assert (self->n_pending > 0);
  request->paused = FALSE;
  self->n_pending--;
  if (!request->disconnected)
    soup_server_message_unpause (msg);
  g_object_unref (msg);
  maybe_finish_stop (self);
}

/* ---- refusing a request without reading its body ------------------------ */

typedef struct {
  GIOStream    *stream;
  GSocket      *socket;     /* nullable */
  GCancellable *cancellable;
  guint         timeout_id;
  gsize         drained;
  char         *response;
  gsize         response_length;
  guint8        buffer[8192];
} Drop;

static void
drop_free (Drop *drop)
{
  g_clear_handle_id (&drop->timeout_id, g_source_remove);
  g_clear_object (&drop->stream);
  g_clear_object (&drop->socket);
  g_clear_object (&drop->cancellable);
  g_free (drop->response);
  g_free (drop);
}

static void
drop_closed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  drop_free (user_data);
}

static void
drop_close (Drop *drop)
{
  g_clear_handle_id (&drop->timeout_id, g_source_remove);
  g_io_stream_close_async (drop->stream, G_PRIORITY_DEFAULT, NULL, drop_closed, drop);
}

static void drop_read (Drop *drop);

static void
drop_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Drop *drop = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || (drop->drained += n) >= DRAIN_MAX_BYTES)
    drop_close (drop);
  else
    drop_read (drop);
}

static void
drop_read (Drop *drop)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (drop->stream), drop->buffer,
                             sizeof drop->buffer, G_PRIORITY_DEFAULT, drop->cancellable,
                             drop_read_done, drop);
}

static gboolean
drop_timed_out (gpointer user_data)
{
  Drop *drop = user_data;

  drop->timeout_id = 0;
  g_cancellable_cancel (drop->cancellable);
  return G_SOURCE_REMOVE;
}

static void
drop_written (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Drop *drop = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      drop_close (drop);
      return;
    }
  if (drop->socket != NULL)
    g_socket_shutdown (drop->socket, FALSE, TRUE, NULL);
  drop->timeout_id = g_timeout_add_seconds (DRAIN_TIMEOUT_S, drop_timed_out, drop);
  drop_read (drop);
}

/* Answers @msg with @status and @body, then closes the connection: the
 * request body that follows is never handed to anyone. */
static void
drop_with_reply (SoupServerMessage *msg,
                 guint              status,
                 const char        *content_type,
                 const char        *body,
                 gsize              body_length)
{
  WmServerRequest *request = request_get (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autoptr(GString) response = g_string_new (NULL);
  Drop *drop;

  g_string_append_printf (response, "HTTP/1.1 %u %s\r\n", status,
                          status == HTTP_HEADER_FIELDS_TOO_LARGE ? "Request Header Fields Too Large"
                                                                 : soup_status_get_phrase (status));
  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_string_append (response, "WWW-Authenticate: Bearer realm=\"waymark\"\r\n");
  g_string_append_printf (response, "Content-Type: %s\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n", content_type, body_length);
  g_string_append_len (response, body, body_length);

  drop = g_new0 (Drop, 1);
  drop->socket = socket != NULL ? g_object_ref (socket) : NULL;
  drop->cancellable = g_cancellable_new ();
  drop->response_length = response->len;
  drop->response = g_string_free (g_steal_pointer (&response), FALSE);
  if (request != NULL)
    g_clear_handle_id (&request->read_timeout_id, g_source_remove);
  drop->stream = soup_server_message_steal_connection (msg);
  if (drop->stream == NULL)
    {
      drop_free (drop);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (drop->stream),
                                   drop->response, drop->response_length,
                                   G_PRIORITY_DEFAULT, drop->cancellable, drop_written, drop);
}

static void
drop_with_error (SoupServerMessage *msg,
                 guint              status,
                 const char        *code,
                 const char        *message)
{
  g_autoptr(JsonBuilder) b = wm_server_error_builder (code, message);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  gsize length;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  body = json_generator_to_data (generator, &length);
  drop_with_reply (msg, status, "application/json", body, length);
}

/* The reply already set on @msg, sent now and the connection closed. */
static void
drop_with_set_reply (SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  const char *content_type = soup_message_headers_get_content_type (soup_server_message_get_response_headers (msg), NULL);
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  drop_with_reply (msg, soup_server_message_get_status (msg),
                   content_type != NULL ? content_type : "text/plain", data, length);
}

/* ---- routing ------------------------------------------------------------ */

typedef enum {
  MATCH_NONE,      /* 404 */
  MATCH_BAD_ID,    /* 400 */
  MATCH_METHOD,    /* 405 */
  MATCH_OK,
} MatchResult;

static MatchResult
match_pattern (const char  *pattern,
               char       **segments,
               char       **out_params)
{
  g_auto(GStrv) parts = g_strsplit (pattern + 1, "/", -1);
  gboolean bad_id = FALSE;
  guint n_params = 0;

  if (g_strv_length (parts) != g_strv_length (segments))
    return MATCH_NONE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '{')
        {
          if (!g_str_equal (parts[i], segments[i]))
            return MATCH_NONE;
          continue;
        }
      if (!wm_server_id_is_valid (segments[i]))
        bad_id = TRUE;
      else if (out_params != NULL)
        {
          g_assert (n_params < WM_ROUTE_MAX_PARAMS);
          out_params[n_params++] = g_strdup (segments[i]);
        }
    }
  return bad_id ? MATCH_BAD_ID : MATCH_OK;
}

/* Finds the route of @msg; on failure answers it and returns NULL. */
static const WmRoute *
route_request (WmServer          *self,
               SoupServerMessage *msg,
               WmServerRequest   *request)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) segments = NULL;
  g_autoptr(GString) allow = g_string_new (NULL);
  MatchResult best = MATCH_NONE;

  if (path[0] != '/')
    {
      wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_path", _("The path must start with “/”"));
      return NULL;
    }
  segments = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; i < self->routes->len; i++)
    {
      const WmRoute *route = g_ptr_array_index (self->routes, i);
      MatchResult result = match_pattern (route->pattern, segments, NULL);

      if (result == MATCH_OK && g_str_equal (route->method, method))
        {
          match_pattern (route->pattern, segments, request->params);
          return route;
        }
      if (result == MATCH_OK)
        g_string_append_printf (allow, "%s%s", allow->len > 0 ? ", " : "", route->method);
      best = MAX (best, result == MATCH_OK ? MATCH_METHOD : result);
    }

  if (best == MATCH_METHOD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow->str);
      wm_server_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                             _("%s is not allowed on %s (allowed: %s)"), method, path, allow->str);
    }
  else if (best == MATCH_BAD_ID)
    wm_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_id",
                           _("A device or stream id in %s is not valid: ids are 1 to 128 of "
                             "A-Z a-z 0-9 . _ : - and do not start with “.”"), path);
  else
    wm_server_reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _("No such resource: %s"), path);
  return NULL;
}

/* ---- authentication ----------------------------------------------------- */

static char *
bearer_token (SoupServerMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "Authorization");

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;
  return g_strstrip (g_strdup (value + 7));
}

/* Sets request->device, or answers 401/403 and returns FALSE. */
static gboolean
authenticate (WmServer          *self,
              SoupServerMessage *msg,
              WmServerRequest   *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  if (request->route->auth == WM_ROUTE_AUTH_API_KEY)
    token = g_strdup (soup_message_headers_get_one (headers, "x-api-key"));
  else
    token = bearer_token (msg);

  if (token == NULL || token[0] == '\0')
    {
      wm_server_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                             request->route->auth == WM_ROUTE_AUTH_API_KEY
                             ? _("Missing x-api-key header")
                             : _("Missing “Authorization: Bearer TOKEN” header"));
      return FALSE;
    }
  request->device = wm_ingest_device_for_token (self->ingest, token, &error);
  if (request->device == NULL)
    {
      wm_server_reply_gerror (msg, error);
      return FALSE;
    }
  if (request->route->auth == WM_ROUTE_AUTH_BEARER && !g_str_equal (request->device, request->params[0]))
    {
      wm_server_reply_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                             _("This token belongs to device “%s”, which may not write device “%s”"),
                             request->device, request->params[0]);
      return FALSE;
    }
  return TRUE;
}

/* ---- the life of a request ---------------------------------------------- */

static gboolean
headers_within_limits (WmServer          *self,
                       SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  gsize n = 0, bytes = 0;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      n++;
      bytes += strlen (name) + strlen (value) + 4;
    }
  return n <= self->limits.max_headers && bytes <= self->limits.max_header_bytes;
}

static gsize
body_limit (WmServer      *self,
            const WmRoute *route)
{
  switch (route->body)
    {
    case WM_ROUTE_BODY_CHUNK:
      return self->limits.max_chunk_bytes;
    case WM_ROUTE_BODY_JSON:
      return self->limits.max_json_bytes;
    case WM_ROUTE_BODY_NONE:
    default:
      return 0;
    }
}

/* Returns FALSE when it dropped the connection (body over the limit). */
static gboolean
check_declared_body (WmServer          *self,
                     SoupServerMessage *msg,
                     WmServerRequest   *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length;
  g_autofree char *message = NULL;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return TRUE; /* chunked: counted as it arrives */
  length = soup_message_headers_get_content_length (headers);
  if ((gsize) length <= request->max_body)
    return TRUE;
  message = g_strdup_printf (_("The body of %" PRId64 " bytes is over the limit of %zu bytes for %s"),
                             length, request->max_body, request->route->pattern);
  drop_with_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", message);
  return FALSE;
}

/* A request answered before its body is read: a small body is read and
 * thrown away (the connection stays usable), a large one never read. */
static void
refuse_early (SoupServerMessage *msg,
              WmServerRequest   *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  request->max_body = EARLY_BODY_MAX;
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > EARLY_BODY_MAX)
    {
      drop_with_set_reply (msg);
      return;
    }
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
}

static void
on_got_headers (SoupServerMessage *msg,
                WmServerRequest   *request)
{
  WmServer *self = request->server;

  if (soup_server_message_get_status (msg) != 0)
    return refuse_early (msg, request);
  if (!headers_within_limits (self, msg))
    {
      drop_with_error (msg, HTTP_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                       _("Too many or too large request headers"));
      return;
    }
  if (self->stopping)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      wm_server_reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "stopping", _("The server is stopping"));
      return refuse_early (msg, request);
    }
  request->route = route_request (self, msg, request);
  if (request->route == NULL)
    return refuse_early (msg, request);
  request->max_body = body_limit (self, request->route);
  if (!check_declared_body (self, msg, request))
    return;
  if (!authenticate (self, msg, request))
    return refuse_early (msg, request);
  if (request->route->body == WM_ROUTE_BODY_CHUNK && self->crash_mid_request > 0
      && ++self->n_chunk_requests == self->crash_mid_request)
    request->crash_on_body = TRUE;
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              WmServerRequest   *request)
{
  g_autofree char *message = NULL;

  if (request->crash_on_body)
    {
      g_printerr ("WAYMARK_SERVE_CRASH: aborting while the body of chunk request %u arrives\n",
                  request->server->n_chunk_requests);
      abort ();
    }
  request->body_bytes += g_bytes_get_size (chunk);
  if (request->body_bytes <= request->max_body)
    return;
  message = g_strdup_printf (_("The body is over the limit of %zu bytes"), request->max_body);
  drop_with_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", message);
}

static void
on_disconnected (SoupServerMessage *msg,
                 WmServerRequest   *request)
{
  request->disconnected = TRUE;
}

/* A request that has not arrived whole in time: shut the connection; libsoup
 * sees the end of its input and lets go of the connection. */
static gboolean
on_read_timeout (gpointer user_data)
{
  WmServerRequest *request = user_data;

  request->read_timeout_id = 0;
  g_debug ("Dropping a connection whose request did not arrive within %u s",
           request->server->limits.read_timeout_s);
  if (request->socket != NULL)
    g_socket_shutdown (request->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

/* A kept-alive connection between requests.  Two things end it: the idle
 * timeout (not left to the socket's timeout: libsoup 3.2 does not look at
 * bytes a client sent after a request's declared end until more arrive, so
 * such a connection would stay open for good), and the client closing it.
 * The second is ours to notice because libsoup 3.2.2 never closes a kept-
 * alive connection whose client went away (fixed upstream in 3.3.0, commit
 * d20c660): each would stay in CLOSE-WAIT and hold a descriptor. */
#define IDLE_KEY "wm-server-idle"

typedef struct {
  GSocket *socket; /* unowned: the watch lives as the socket's data */
  guint    timer_id;
  GSource *eof_source;
} IdleWatch;

static void
idle_watch_free (IdleWatch *watch)
{
  g_clear_handle_id (&watch->timer_id, g_source_remove);
  if (watch->eof_source != NULL)
    g_source_destroy (watch->eof_source);
  g_clear_pointer (&watch->eof_source, g_source_unref);
  g_free (watch);
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  IdleWatch *watch = user_data;

  watch->timer_id = 0;
  g_debug ("Closing a connection idle for its timeout");
  g_socket_shutdown (watch->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

/* Readable between requests: either the next request (libsoup reads it and
 * starts a new one, which drops this watch) or the client's end of stream. */
static gboolean
on_idle_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  IdleWatch *watch = user_data;
  char byte;
  gssize n;

  /* Peek: the byte, if any, stays for libsoup to read. */
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
    return G_SOURCE_CONTINUE;

  g_debug ("Closing a connection its client closed");
  g_clear_handle_id (&watch->timer_id, g_source_remove);
  g_socket_close (socket, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 WmServer          *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  IdleWatch *watch;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  watch = g_new0 (IdleWatch, 1);
  watch->socket = socket;
  watch->timer_id = g_timeout_add_seconds (self->limits.idle_timeout_s, on_idle_timeout, watch);
  watch->eof_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (watch->eof_source, G_SOURCE_FUNC (on_idle_readable), watch, NULL);
  g_source_attach (watch->eof_source, NULL);
  g_object_set_data_full (G_OBJECT (socket), IDLE_KEY, watch, (GDestroyNotify) idle_watch_free);
}

static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    WmServer          *self)
{
  WmServerRequest *request = g_new0 (WmServerRequest, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  request->server = self;
  request->msg = msg;
  request->max_body = EARLY_BODY_MAX;
  if (socket != NULL)
    {
      request->socket = g_object_ref (socket);
      g_socket_set_timeout (socket, self->limits.idle_timeout_s);
      g_object_set_data (G_OBJECT (socket), IDLE_KEY, NULL);
    }
  request->read_timeout_id = g_timeout_add_seconds (self->limits.read_timeout_s, on_read_timeout, request);
  g_object_set_data_full (G_OBJECT (msg), REQUEST_KEY, request, (GDestroyNotify) request_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), request);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), request);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), request);
}

static void
on_request_read (SoupServer        *soup,
                 SoupServerMessage *msg,
                 WmServer          *self)
{
  WmServerRequest *request = request_get (msg);

  if (request != NULL)
    g_clear_handle_id (&request->read_timeout_id, g_source_remove);
}

static void
dispatch (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  WmServer *self = user_data;
  WmServerRequest *request = request_get (msg);

  if (request == NULL || request->route == NULL)
    {
      wm_server_reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                             _("The request was not routed"));
      return;
    }
  request->route->handler (self, msg, request, query);
}

/* ---- the object --------------------------------------------------------- */

static void
wm_server_dispose (GObject *object)
{
  WmServer *self = (WmServer *) object;

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->ingest);
  g_clear_object (&self->stop_task);
  G_OBJECT_CLASS (wm_server_parent_class)->dispose (object);
}

static void
wm_server_finalize (GObject *object)
{
  WmServer *self = (WmServer *) object;

  g_clear_pointer (&self->routes, g_ptr_array_unref);
  G_OBJECT_CLASS (wm_server_parent_class)->finalize (object);
}

static void
wm_server_class_init (WmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wm_server_dispose;
  object_class->finalize = wm_server_finalize;
}

static void
wm_server_init (WmServer *self)
{
  self->routes = g_ptr_array_new ();
}

void
wm_server_limits_init_default (WmServerLimits *limits)
{
  limits->max_chunk_bytes = WM_SERVER_DEFAULT_MAX_CHUNK;
  limits->max_json_bytes = WM_SERVER_DEFAULT_MAX_JSON;
  limits->max_headers = WM_SERVER_DEFAULT_MAX_HEADERS;
  limits->max_header_bytes = WM_SERVER_DEFAULT_MAX_HEADER_BYTES;
  limits->read_timeout_s = WM_SERVER_DEFAULT_READ_TIMEOUT;
  limits->idle_timeout_s = WM_SERVER_DEFAULT_IDLE_TIMEOUT;
}

/* WAYMARK_SERVE_CRASH=mid-request:N */
static gboolean
parse_crash_hook (WmServer  *self,
                  GError   **error)
{
  const char *hook = g_getenv ("WAYMARK_SERVE_CRASH");
  guint64 n = 0;

  if (hook == NULL || hook[0] == '\0')
    return TRUE;
  if (!g_str_has_prefix (hook, "mid-request:")
      || !g_ascii_string_to_unsigned (hook + strlen ("mid-request:"), 10, 1, G_MAXUINT, &n, NULL))
    {
      g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_INVALID,
                   _("WAYMARK_SERVE_CRASH=%s: expected mid-request:N with N ≥ 1"), hook);
      return FALSE;
    }
  self->crash_mid_request = (guint) n;
  return TRUE;
}

static void
add_routes (WmServer      *self,
            const WmRoute *routes,
            guint          n_routes)
{
  for (guint i = 0; i < n_routes; i++)
    g_ptr_array_add (self->routes, (gpointer) &routes[i]);
}

WmServer *
wm_server_new (WmIngest              *ingest,
               const WmServerLimits  *limits,
               GError               **error)
{
  g_autoptr(WmServer) self = NULL;
  const WmRoute *routes;
  guint n_routes;

  g_return_val_if_fail (WM_IS_INGEST (ingest), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WM_TYPE_SERVER, NULL);
  self->ingest = g_object_ref (ingest);
  if (limits != NULL)
    self->limits = *limits;
  else
    wm_server_limits_init_default (&self->limits);
  if (self->limits.read_timeout_s == 0 || self->limits.idle_timeout_s == 0)
    {
      g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_INVALID, _("Timeouts must be at least one second"));
      return NULL;
    }
  if (!parse_crash_hook (self, error))
    return NULL;

  routes = wm_server_ingest_routes (&n_routes);
  add_routes (self, routes, n_routes);
  routes = wm_server_edge_impulse_routes (&n_routes);
  add_routes (self, routes, n_routes);
  return g_steal_pointer (&self);
}

gboolean
wm_server_set_tls (WmServer    *self,
                   const char  *cert_file,
                   const char  *key_file,
                   GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_TLS,
                   _("Cannot load the TLS certificate %s with key %s: %s"),
                   cert_file, key_file, local_error->message);
      return FALSE;
    }
  self->soup = soup_server_new ("tls-certificate", certificate, "raw-paths", TRUE,
                                "server-header", "waymark/" PACKAGE_VERSION, NULL);
  self->tls = TRUE;
  return TRUE;
}

static GSocketAddress *
parse_address (const char  *address,
               GError     **error)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (address, ':');
  guint64 port = 0;
  GSocketAddress *socket_address;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_INVALID,
                   _("“%s” is not HOST:PORT (for example 127.0.0.1:8700)"), address);
      return NULL;
    }
  host = g_strndup (address, colon - address);
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    {
      memmove (host, host + 1, strlen (host) - 1);
      host[strlen (host) - 2] = '\0';
    }
  socket_address = g_inet_socket_address_new_from_string (host, (guint) port);
  if (socket_address == NULL)
    g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_INVALID,
                 _("“%s” in “%s” is not an IP address"), host, address);
  return socket_address;
}

gboolean
wm_server_listen (WmServer    *self,
                  const char  *address,
                  GError     **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WM_IS_SERVER (self), FALSE);

  socket_address = parse_address (address, error);
  if (socket_address == NULL)
    return FALSE;
  if (self->soup == NULL)
    self->soup = soup_server_new ("raw-paths", TRUE, "server-header", "waymark/" PACKAGE_VERSION, NULL);
  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (on_request_started), self, 0);
  g_signal_connect_object (self->soup, "request-read", G_CALLBACK (on_request_read), self, 0);
  g_signal_connect_object (self->soup, "request-finished", G_CALLBACK (on_request_done), self, 0);
  g_signal_connect_object (self->soup, "request-aborted", G_CALLBACK (on_request_done), self, 0);
  soup_server_add_handler (self->soup, NULL, dispatch, self, NULL);

  if (!soup_server_listen (self->soup, socket_address, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &local_error))
    {
      g_set_error (error, WM_SERVER_ERROR, WM_SERVER_ERROR_LISTEN,
                   _("Cannot listen on %s: %s"), address, local_error->message);
      return FALSE;
    }
  return TRUE;
}

char *
wm_server_get_url (WmServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (WM_IS_SERVER (self), NULL);

  if (self->soup == NULL)
    return NULL;
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

void
wm_server_stop_async (WmServer            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WM_IS_SERVER (self));
  g_return_if_fail (self->stop_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wm_server_stop_async);
  self->stopping = TRUE;
  self->stop_task = g_steal_pointer (&task);
  maybe_finish_stop (self);
}

gboolean
wm_server_stop_finish (WmServer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
wm_server_get_n_pending (WmServer *self)
{
  g_return_val_if_fail (WM_IS_SERVER (self), 0);

  return self->n_pending;
}

void
wm_server_disconnect (WmServer *self)
{
  g_return_if_fail (WM_IS_SERVER (self));

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}
