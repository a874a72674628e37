/* wm-server-private.h — what the server's route files share with its core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "wm-server.h"

G_BEGIN_DECLS

typedef struct _WmServerRequest WmServerRequest;

/* Called once the whole body is in (and within its limit), the path's ids
 * are valid and the caller is authenticated as the route asks.  The handler
 * answers at once, or calls wm_server_begin_async() and answers later. */
typedef void (*WmRouteHandler) (WmServer          *server,
                                SoupServerMessage *msg,
                                WmServerRequest   *request,
                                GHashTable        *query);

typedef enum {
  WM_ROUTE_AUTH_BEARER = 1, /* Authorization: Bearer TOKEN of the device named by {dev} */
  WM_ROUTE_AUTH_API_KEY,    /* x-api-key: TOKEN of any device (Edge Impulse) */
} WmRouteAuth;

typedef enum {
  WM_ROUTE_BODY_NONE = 1,
  WM_ROUTE_BODY_JSON,       /* up to max_json_bytes */
  WM_ROUTE_BODY_CHUNK,      /* up to max_chunk_bytes; counted by the crash hook */
} WmRouteBody;

typedef struct {
  const char     *method;
  const char     *pattern;     /* "/v1/devices/{dev}/streams/{sid}"; {…} is one id */
  WmRouteBody     body;
  WmRouteAuth     auth;
  gboolean        text_errors; /* errors as text/plain (Edge Impulse), not JSON */
  WmRouteHandler  handler;
} WmRoute;

#define WM_ROUTE_MAX_PARAMS 4

struct _WmServerRequest {
  WmServer          *server;
  SoupServerMessage *msg;
  GSocket           *socket;      /* nullable */
  const WmRoute     *route;
  char              *params[WM_ROUTE_MAX_PARAMS + 1]; /* the {…} of the pattern, in order */
  char              *device;      /* the authenticated device */
  guint              read_timeout_id;
  gsize              body_bytes;
  gsize              max_body;
  gboolean           crash_on_body;
  gboolean           disconnected;
  gboolean           paused;
};

/* An id of a path segment: [A-Za-z0-9._:-]{1,128}, not starting with '.'. */
gboolean     wm_server_id_is_valid      (const char        *text);

WmIngest    *wm_server_get_ingest       (WmServer          *self);
const WmServerLimits *wm_server_get_limits (WmServer       *self);

/* Pauses @msg until wm_server_end_async(), which unpauses it (unless the
 * client went away meanwhile).  Keeps @request alive in between. */
void         wm_server_begin_async      (WmServerRequest   *request);
void         wm_server_end_async        (WmServerRequest   *request);

/* Replies.  Errors are {"error": message, "code": code, …} (or the message
 * as text/plain on text_errors routes). */
void         wm_server_reply_json       (SoupServerMessage *msg,
                                         guint              status,
                                         JsonNode          *node);
void         wm_server_reply_text       (SoupServerMessage *msg,
                                         guint              status,
                                         const char        *text);
/* An error object begun with "error" and "code"; add members, then reply
 * with wm_server_reply_error_builder(). */
JsonBuilder *wm_server_error_builder    (const char        *code,
                                         const char        *message);
void         wm_server_reply_error_builder (SoupServerMessage *msg,
                                         guint              status,
                                         JsonBuilder       *builder);
void         wm_server_reply_error      (SoupServerMessage *msg,
                                         guint              status,
                                         const char        *code,
                                         const char        *format,
                                         ...) G_GNUC_PRINTF (4, 5);
/* The status and code for an engine error (BUSY: 503 with Retry-After). */
guint        wm_server_status_for_error (const GError      *error,
                                         const char       **out_code);
void         wm_server_reply_gerror     (SoupServerMessage *msg,
                                         const GError      *error);

/* The body as bytes (empty when none). */
GBytes      *wm_server_request_body     (SoupServerMessage *msg);
/* The body parsed as JSON; replies 400 and returns NULL when it is not. */
JsonNode    *wm_server_request_json     (SoupServerMessage *msg);

/* Route tables of the route files. */
const WmRoute *wm_server_ingest_routes       (guint *n_routes);
const WmRoute *wm_server_edge_impulse_routes (guint *n_routes);

G_END_DECLS
