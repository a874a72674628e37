/* wm-server.h — Waymark's HTTP server (`waymark-cli serve`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin HTTP layer (libsoup 3) over the ingest engine: device uploads
 * (/v1/devices/…, wm-server-ingest.c) and Edge Impulse's data acquisition
 * API (/api/…/data, wm-server-edge-impulse.c).  It owns what every route
 * shares: listening (HTTP or HTTPS), request limits, timeouts, bearer-token
 * checks, routing and JSON replies.
 *
 * Requests are answered asynchronously: a message is paused while the engine
 * works and answered from the engine's callback, so concurrent chunks share
 * one group commit and the main loop never waits on SQLite writes.
 *
 * Limits are enforced before a body is read: a declared body over the limit
 * is refused with 413 and the connection closed without reading it; a
 * chunked body is cut off as soon as it passes the limit; too many or too
 * large headers get 431.  A request must arrive whole within read_timeout
 * seconds of its first byte (or of the connection), so a client that trickles
 * bytes (slowloris) is dropped; a connection idle for idle_timeout seconds is
 * closed.
 *
 * Fault injection for the tests: WAYMARK_SERVE_CRASH=mid-request:N aborts the
 * process while the N-th (1-based) chunk request's body is being received,
 * before any of it reaches the engine.
 */

#pragma once

#include <gio/gio.h>

#include "wm-ingest.h"

G_BEGIN_DECLS

#define WM_SERVER_ERROR (wm_server_error_quark ())

typedef enum {
  WM_SERVER_ERROR_INVALID = 1,   /* bad listen address, limits or environment hook */
  WM_SERVER_ERROR_TLS,           /* the certificate or key could not be loaded */
  WM_SERVER_ERROR_LISTEN,        /* the address could not be bound */
} WmServerError;

GQuark wm_server_error_quark (void);

typedef struct {
  gsize  max_chunk_bytes;     /* chunk bodies (default: WM_SERVER_DEFAULT_MAX_CHUNK) */
  gsize  max_json_bytes;      /* JSON bodies, Edge Impulse samples included */
  guint  max_headers;         /* request header lines */
  gsize  max_header_bytes;    /* all request header names and values together */
  guint  read_timeout_s;      /* a request must arrive whole within this */
  guint  idle_timeout_s;      /* a silent connection is closed after this */
} WmServerLimits;

#define WM_SERVER_DEFAULT_MAX_CHUNK   (8 * 1024 * 1024)
#define WM_SERVER_DEFAULT_MAX_JSON    (32 * 1024 * 1024)
#define WM_SERVER_DEFAULT_MAX_HEADERS 64
#define WM_SERVER_DEFAULT_MAX_HEADER_BYTES (16 * 1024)
#define WM_SERVER_DEFAULT_READ_TIMEOUT 30
#define WM_SERVER_DEFAULT_IDLE_TIMEOUT 60

void wm_server_limits_init_default (WmServerLimits *limits);

#define WM_TYPE_SERVER (wm_server_get_type ())
G_DECLARE_FINAL_TYPE (WmServer, wm_server, WM, SERVER, GObject)

/* @limits may be NULL for the defaults.  Reads WAYMARK_SERVE_CRASH. */
WmServer   *wm_server_new          (WmIngest              *ingest,
                                    const WmServerLimits  *limits,
                                    GError               **error);
/* Serve HTTPS with this PEM certificate and key; call before listen. */
gboolean    wm_server_set_tls      (WmServer              *self,
                                    const char            *cert_file,
                                    const char            *key_file,
                                    GError               **error);
/* "HOST:PORT" or "[IPv6]:PORT"; port 0 lets the kernel pick one. */
gboolean    wm_server_listen       (WmServer              *self,
                                    const char            *address,
                                    GError               **error);
/* The URL the server answers at, with the port actually bound
 * ("http://127.0.0.1:41234/"); NULL before listen. */
char       *wm_server_get_url      (WmServer              *self);
/* Stops taking requests (new ones get 503) and completes once every request
 * the engine was working on has been answered. */
void        wm_server_stop_async   (WmServer              *self,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
gboolean    wm_server_stop_finish  (WmServer              *self,
                                    GAsyncResult          *result,
                                    GError               **error);
/* Requests the engine is working on. */
guint       wm_server_get_n_pending (WmServer             *self);
/* Closes every connection and stops listening. */
void        wm_server_disconnect   (WmServer              *self);

G_END_DECLS
