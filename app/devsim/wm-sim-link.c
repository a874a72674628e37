/* wm-sim-link.c — a simulated device's flaky link to the server (libsoup 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "wm-sim-link.h"

#define DEFAULT_TIMEOUT_S 30

/* A request kept for a later replay: everything the uploader's buffers held. */
typedef struct {
  char       *method;
  char       *path;
  GPtrArray  *headers;  /* "name", "value", … */
  GBytes     *body;     /* nullable */
} Held;

struct _WmSimLink {
  char           *server_url;
  char           *server_file;
  WmSimLinkFaults faults;
  GRand          *rand;
  GMainContext   *context;  /* the session's, the thread's default while the link lives */
  SoupSession    *session;
  Held           *held;
  WmSimLinkStats  stats;
};

static void
held_free (Held *held)
{
  g_free (held->method);
  g_free (held->path);
  g_ptr_array_unref (held->headers);
  g_clear_pointer (&held->body, g_bytes_unref);
  g_free (held);
}

static Held *
held_new (const wm_http_request_t *request)
{
  Held *held = g_new0 (Held, 1);

  held->method = g_strdup (request->method);
  held->path = g_strdup (request->path);
  held->headers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < request->n_headers; i++)
    {
      g_ptr_array_add (held->headers, g_strdup (request->headers[i].name));
      g_ptr_array_add (held->headers, g_strdup (request->headers[i].value));
    }
  if (request->body != NULL)
    held->body = g_bytes_new (request->body, request->body_len);
  return held;
}

WmSimLink *
wm_sim_link_new (const char            *server_url,
                 const char            *server_file,
                 const WmSimLinkFaults *faults,
                 guint64                seed)
{
  WmSimLink *link = g_new0 (WmSimLink, 1);
  guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };

  g_return_val_if_fail ((server_url == NULL) != (server_file == NULL), NULL);
  link->server_url = g_strdup (server_url);
  link->server_file = g_strdup (server_file);
  link->faults = *faults;
  link->rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
  /* A context of the link's own: the session keeps and reuses its connections
   * there (with the global default context, which no one iterates here, every
   * request opened a new connection). */
  link->context = g_main_context_new ();
  g_main_context_push_thread_default (link->context);
  link->session = soup_session_new_with_options ("timeout", faults->timeout_s > 0 ? faults->timeout_s : DEFAULT_TIMEOUT_S,
                                                 "idle-timeout", 60,
                                                 "user-agent", "waymark-device-sim/" PACKAGE_VERSION,
                                                 NULL);
  link->stats.ack_ms = g_array_new (FALSE, FALSE, sizeof (double));
  return link;
}

void
wm_sim_link_free (WmSimLink *link)
{
  if (link == NULL)
    return;
  g_free (link->server_url);
  g_free (link->server_file);
  g_rand_free (link->rand);
  g_object_unref (link->session);
  g_main_context_pop_thread_default (link->context);
  g_main_context_unref (link->context);
  g_clear_pointer (&link->held, held_free);
  g_array_unref (link->stats.ack_ms);
  g_free (link);
}

guint32
wm_sim_link_random (WmSimLink *link)
{
  return g_rand_int (link->rand);
}

const WmSimLinkStats *
wm_sim_link_get_stats (WmSimLink *link)
{
  return &link->stats;
}

static gboolean
chance (WmSimLink *link,
        double     probability)
{
  return probability > 0 && g_rand_double (link->rand) < probability;
}

/* The server's URL; from the file when there is one (a test may move the server). */
static const char *
server_url (WmSimLink *link)
{
  if (link->server_file != NULL)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (link->server_file, &text, NULL, NULL) && *g_strstrip (text) != '\0')
        {
          g_free (link->server_url);
          link->server_url = g_steal_pointer (&text);
        }
    }
  /* "http://host:port/" and "http://host:port" alike: request paths start with a slash. */
  if (link->server_url != NULL && g_str_has_suffix (link->server_url, "/"))
    link->server_url[strlen (link->server_url) - 1] = '\0';
  return link->server_url;
}

/* Sends one request and waits for its reply; NULL @reply_body (and *status 0) when none came. */
static GBytes *
send_one (WmSimLink  *link,
          const Held *req,
          guint      *out_status,
          guint      *out_retry_after_s)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;
  const char *retry_after;

  *out_status = 0;
  *out_retry_after_s = 0;
  if (server_url (link) == NULL)
    return NULL;
  url = g_strconcat (link->server_url, req->path, NULL);
  msg = soup_message_new (req->method, url);
  if (msg == NULL)
    return NULL;
  /* Every request of the protocol is idempotent (chunks are addressed by offset):
   * libsoup may then send a POST on a kept-alive connection, not a new one each time. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  headers = soup_message_get_request_headers (msg);
  for (guint i = 0; i + 1 < req->headers->len; i += 2)
    soup_message_headers_replace (headers, req->headers->pdata[i], req->headers->pdata[i + 1]);
  if (req->body != NULL)
    soup_message_set_request_body_from_bytes (msg, soup_message_headers_get_content_type (headers, NULL), req->body);
  link->stats.sent++;
  body = soup_session_send_and_read (link->session, msg, NULL, NULL);
  if (body == NULL || soup_message_get_status (msg) < 100)
    return NULL;
  *out_status = soup_message_get_status (msg);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (retry_after != NULL)
    *out_retry_after_s = (guint) g_ascii_strtoull (retry_after, NULL, 10);
  return g_steal_pointer (&body);
}

/* Notes the committed offset a reply told the device, and whether it went backwards. */
static void
note_told (WmSimLink  *link,
           const Held *req,
           guint       status,
           GBytes     *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  JsonNode *root;
  JsonObject *object;
  gint64 offset;

  if ((status != 200 && status != 201 && status != 409) ||
      !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (object = json_node_get_object (root), "committed_offset"))
    return;
  offset = json_object_get_int_member (object, "committed_offset");
  if (offset < 0)
    return;
  if ((guint64) offset < link->stats.told_max)
    {
      link->stats.backwards++;
      g_printerr ("%s %s: committed offset %" G_GINT64_FORMAT " is below %" G_GUINT64_FORMAT
                  " told earlier\n", req->method, req->path, offset, link->stats.told_max);
    }
  else
    link->stats.told_max = (guint64) offset;
}

static gboolean
is_chunk (const Held *req)
{
  return strstr (req->path, "/chunks?") != NULL;
}

/* Delivers one request over the faulty link; returns the reply the device sees. */
static GBytes *
deliver (WmSimLink  *link,
         const Held *req,
         guint      *status,
         guint      *retry_after_s)
{
  g_autoptr(GBytes) first = NULL;
  gint64 start;
  GBytes *reply;

  if (link->faults.delay_ms > 0)
    g_usleep ((gulong) g_rand_int_range (link->rand, 0, (gint32) link->faults.delay_ms + 1) * 1000);
  if (chance (link, link->faults.drop_before))
    {
      *status = 0;
      *retry_after_s = 0;
      return NULL;
    }
  if (chance (link, link->faults.duplicate))
    first = send_one (link, req, status, retry_after_s);
  start = g_get_monotonic_time ();
  reply = send_one (link, req, status, retry_after_s);
  if (reply != NULL && *status == 200 && is_chunk (req))
    {
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      g_array_append_val (link->stats.ack_ms, ms);
      link->stats.chunks_acked++;
      link->stats.bytes_acked += req->body != NULL ? g_bytes_get_size (req->body) : 0;
    }
  if (reply != NULL && chance (link, link->faults.drop_after))
    {
      g_clear_pointer (&reply, g_bytes_unref);
      *status = 0;
      *retry_after_s = 0;
    }
  return reply;
}

/* A request kept earlier arrives now, late; its reply goes nowhere. */
static void
replay_held (WmSimLink *link)
{
  g_autoptr(GBytes) reply = NULL;
  guint status, retry_after_s;

  reply = send_one (link, link->held, &status, &retry_after_s);
  g_clear_pointer (&link->held, held_free);
}

void
wm_sim_link_http (void                    *ctx,
                  const wm_http_request_t *request,
                  wm_http_response_t      *response)
{
  WmSimLink *link = ctx;
  Held *req = held_new (request);
  g_autoptr(GBytes) reply = NULL;
  guint status = 0, retry_after_s = 0;

  link->stats.requests++;
  reply = deliver (link, req, &status, &retry_after_s);
  if (reply != NULL)
    note_told (link, req, status, reply);
  if (link->held != NULL && chance (link, 0.5))
    replay_held (link);
  if (link->held == NULL && chance (link, link->faults.reorder))
    link->held = g_steal_pointer (&req);
  g_clear_pointer (&req, held_free);

  response->status = (int16_t) status;
  response->retry_after_s = retry_after_s;
  response->body_len = 0;
  if (reply == NULL)
    {
      link->stats.no_reply++;
      return;
    }
  response->body_len = (uint16_t) MIN (g_bytes_get_size (reply), response->body_capacity);
  memcpy (response->body, g_bytes_get_data (reply, NULL), response->body_len);
}
