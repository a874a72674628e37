/* wm-sim-link.h — a simulated device's flaky link to the server (libsoup 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The uploader's transport (wm_uploader_platform_t.http) over a synchronous
 * SoupSession, with faults drawn from the link's own seeded random numbers:
 *
 *   drop_before  the request is lost on the way: not sent, no reply (status 0)
 *   drop_after   the request is applied but its reply is lost (status 0)
 *   duplicate    the request arrives twice; the device sees the second reply
 *   reorder      the request is also kept and replayed later, after a newer
 *                one (its reply goes nowhere), as a late packet would be
 *   delay_ms     each request waits up to this long first
 *
 * The link also checks the promise the tests care about: every committed
 * offset a reply tells the device (200, 201 and 409 replies) is at least
 * every one told before.  A link belongs to one thread.
 */

#pragma once

#include <glib.h>

#include "wm-uploader.h"

G_BEGIN_DECLS

typedef struct {
  double drop_before;  /* probabilities, 0 … 1 */
  double drop_after;
  double duplicate;
  double reorder;
  guint  delay_ms;
  guint  timeout_s;    /* of one request; 0: 30 */
} WmSimLinkFaults;

typedef struct {
  guint64 requests;      /* requests the device made */
  guint64 sent;          /* HTTP requests that went out (duplicates and replays included) */
  guint64 no_reply;      /* requests the device got no reply to */
  guint64 chunks_acked;  /* 200 replies to chunks */
  guint64 bytes_acked;   /* their bodies' bytes */
  guint64 told_max;      /* the highest committed offset a reply told */
  guint64 backwards;     /* replies that told a lower committed offset than before */
  GArray *ack_ms;        /* double: round trip of each acknowledged chunk */
} WmSimLinkStats;

typedef struct _WmSimLink WmSimLink;

/* @server_url: "http://host:port"; or NULL and @server_file, a file holding
 * the URL, read again after every request that got no reply (so a test can
 * move a restarted server to another port). */
WmSimLink *wm_sim_link_new        (const char            *server_url,
                                   const char            *server_file,
                                   const WmSimLinkFaults *faults,
                                   guint64                seed);
void       wm_sim_link_free       (WmSimLink             *link);
/* wm_uploader_platform_t.http; @ctx is the link. */
void       wm_sim_link_http       (void                    *ctx,
                                   const wm_http_request_t *request,
                                   wm_http_response_t      *response);
/* A uniformly distributed number from the link's generator (the backoff's jitter). */
guint32    wm_sim_link_random     (WmSimLink             *link);
/* The link's counters; the caller must not free ack_ms. */
const WmSimLinkStats *wm_sim_link_get_stats (WmSimLink   *link);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmSimLink, wm_sim_link_free)

G_END_DECLS
