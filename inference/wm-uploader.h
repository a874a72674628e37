/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-uploader.h: uploads a spool's stream to a Waymark server, one request per poll.
 *
 *   uint32_t size = wm_uploader_buffer_size (chunk_frames, wm_spool_frame_bytes (&spool));
 *   wm_uploader_init (&up, &spool, &config, &platform, buffer, size);
 *   for (;;)                                            (the firmware's main loop)
 *     {
 *       … wm_spool_append (&spool, …) …
 *       if (time_reached (next_ms))
 *         {
 *           wm_uploader_poll (&up, now_ms (), &result);
 *           next_ms = result.next_ms;
 *         }
 *     }
 *
 * The protocol (the server's side is app/ingest/wm-ingest.h; offsets are in frames):
 *   PUT  /v1/devices/{dev}/streams/{sid}              metadata JSON → 200/201 {"committed_offset":M}
 *   GET  /v1/devices/{dev}/streams/{sid}              → 200 {"committed_offset":M, …} (when the
 *                                                        PUT reply has no committed_offset)
 *   POST /v1/devices/{dev}/streams/{sid}/chunks?offset=N  raw frames, X-Content-SHA256
 *        → 200 {"committed_offset":M} after commit; 409 gap {"committed_offset":M}; 422 overlap
 *          differs; 400 hash; 413 too large; 429/503 Retry-After
 *   POST /v1/devices/{dev}/streams/{sid}/finalize     {"sha256":"…"} → 200, 409 mismatch
 * Every request carries "Authorization: Bearer TOKEN".
 *
 * The uploader starts (and restarts after wm_uploader_restart) with the PUT, which both
 * creates the stream and tells where the server is, so a rebooted device simply opens its
 * spool, makes a new uploader and resumes.  It then sends chunks of up to chunk_frames
 * frames from the server's committed offset.  It sends only durable frames (full pages,
 * or after wm_spool_sync), so the server never holds a frame a power loss could take from
 * the device; the firmware syncs as often as it wants frames to leave.  Only a 200 reply to a chunk moves the spool's
 * committed offset (wm_spool_set_committed), so frames are freed only once committed.
 * A 409 gap moves the send offset to the server's; a server behind the spool's oldest
 * stored frame stops with WM_ERR_UPLOAD_SERVER_BEHIND.  No reply, 5xx, 429 and unreadable
 * replies are retried after an exponential backoff with full jitter (a random delay in
 * [0, min(backoff_max_ms, backoff_min_ms · 2^attempt)]), or after Retry-After seconds when
 * the server gives it and asks for longer.  413 halves the chunk.  400, 401, 403, 422 and
 * other 4xx stop the uploader: result.status says why, nothing more is sent until
 * wm_uploader_restart.  Once the spool is ended (wm_spool_end) and every frame committed,
 * it finalizes with the whole stream's SHA-256, which the platform supplies
 * (platform.stream_sha256): the platform keeps a running hash as it appends frames and
 * persists its state beside the spool, or recomputes it from its own copy of the stream —
 * the spool itself frees committed frames and cannot. */
#ifndef WM_UPLOADER_H
#define WM_UPLOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "wm-spool.h"
#include "wm-status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WM_UPLOADER_DEVICE_MAX 64u    /* bytes of a device name, [A-Za-z0-9._~-] */
#define WM_UPLOADER_TOKEN_MAX 128u    /* bytes of a bearer token, printable ASCII */
#define WM_UPLOADER_RESPONSE_MAX 256u /* bytes of a reply body the uploader reads */

typedef struct
{
  const char *name;
  const char *value;
} wm_http_header_t;

typedef struct
{
  const char *method;               /* "GET", "PUT" or "POST" */
  const char *path;                 /* e.g. "/v1/devices/d1/streams/s1/chunks?offset=4096" */
  const wm_http_header_t *headers;  /* Authorization, and Content-Type / X-Content-SHA256 */
  uint8_t n_headers;
  const uint8_t *body;              /* NULL for GET */
  uint32_t body_len;
} wm_http_request_t;

typedef struct
{
  int16_t status;          /* the HTTP status, or 0 when no reply came (refused, reset,
                              timed out): the request may or may not have been applied */
  uint32_t retry_after_s;  /* the Retry-After header in seconds, 0 when absent */
  char *body;              /* the uploader's buffer: the transport copies the reply body */
  uint16_t body_capacity;  /* in, bytes of body; a longer body is cut to this */
  uint16_t body_len;       /* out */
} wm_http_response_t;

/* What the uploader needs of the device.  All functions are required. */
typedef struct
{
  void *ctx;
  /* Performs one request, blocking up to the transport's own timeout, and fills
   * @response (status, retry_after_s, body_len and the body). */
  void (*http) (void                    *ctx,
                const wm_http_request_t *request,
                wm_http_response_t      *response);
  /* SHA-256 of @len bytes. */
  void (*sha256) (void          *ctx,
                  const uint8_t *data,
                  uint32_t       len,
                  uint8_t        digest[32]);
  /* SHA-256 of the whole stream's @n_frames frames (see above); an error is retried
   * after a backoff. */
  wm_status_t (*stream_sha256) (void       *ctx,
                                const char *stream_id,
                                uint64_t    n_frames,
                                uint8_t     digest[32]);
  /* A uniformly distributed 32-bit random number, for the backoff's jitter. */
  uint32_t (*random) (void *ctx);
} wm_uploader_platform_t;

typedef struct
{
  const char *device;         /* the device's name on the server */
  const char *token;          /* its bearer token */
  const char *metadata_json;  /* the PUT body: {"sample_rate":…, "sample_format":…,
                                 "channels":[…], …} as in wm-ingest.h */
  uint32_t chunk_frames;      /* frames per chunk at most, ≥ 1 */
  uint32_t backoff_min_ms;    /* 0: 500 */
  uint32_t backoff_max_ms;    /* 0: 60000 */
  uint32_t idle_ms;           /* how soon to poll again when there is nothing to send; 0: 1000 */
} wm_uploader_config_t;

typedef enum
{
  WM_UPLOAD_WAIT = 0,        /* nothing done: backing off, or nothing to send */
  WM_UPLOAD_STREAM_READY,    /* the stream exists on the server; committed_offset is its */
  WM_UPLOAD_CHUNK_ACKED,     /* a chunk was committed; the spool's committed offset moved */
  WM_UPLOAD_RESYNCED,        /* 409 gap: sending continues at the server's committed offset */
  WM_UPLOAD_RETRY,           /* the request failed; tried again at next_ms */
  WM_UPLOAD_FINALIZED,       /* the server verified and completed the stream */
  WM_UPLOAD_STOPPED          /* status says why; wm_uploader_restart to try again */
} wm_upload_event_t;

typedef struct
{
  wm_upload_event_t event;
  wm_status_t status;         /* WM_OK, or why it stopped (or, for RETRY, a spool error) */
  int16_t http_status;        /* of this poll's request; 0 when none was made or no reply */
  uint32_t next_ms;           /* when to poll again (same clock as now_ms) */
  uint64_t committed_offset;  /* the highest committed offset a 200 reply told this uploader */
} wm_upload_result_t;

/* Fields are private. */
typedef struct
{
  wm_spool_t *spool;
  const wm_uploader_platform_t *platform;
  wm_uploader_config_t config;
  uint8_t *chunk;             /* chunk_frames · frame_bytes */
  char *text;                 /* path, headers, reply body */
  uint64_t send_offset;       /* next frame to send: the server's committed offset */
  uint64_t acked;             /* highest committed offset a 200 reply told */
  uint32_t chunk_frames;      /* ≤ config.chunk_frames; halved by 413 */
  uint32_t due_ms;            /* no request before this time (backoff) */
  uint16_t attempt;           /* failed attempts in a row */
  uint8_t state;
  bool waiting;               /* due_ms applies */
  wm_status_t stop_status;
} wm_uploader_t;

/* Bytes of the buffer wm_uploader_init needs for chunks of @chunk_frames frames of
 * @frame_bytes bytes; 0 when that is over 2^32 - 1. */
uint32_t     wm_uploader_buffer_size (uint32_t                      chunk_frames,
                                      uint16_t                      frame_bytes);

/* @spool, @platform, the config's strings and @buffer must outlive the uploader.
 * WM_ERR_BAD_ARGUMENT for a missing function, an empty or unsafe device name or token,
 * or chunk_frames 0; WM_ERR_BUFFER_TOO_SMALL when buffer_size is below
 * wm_uploader_buffer_size. */
wm_status_t  wm_uploader_init        (wm_uploader_t                *up,
                                      wm_spool_t                   *spool,
                                      const wm_uploader_config_t   *config,
                                      const wm_uploader_platform_t *platform,
                                      void                         *buffer,
                                      uint32_t                      buffer_size);

/* Makes at most one request, if one is due at @now_ms (milliseconds of any monotonic
 * clock; wrap-around is fine), and says what happened.  Returns result->status. */
wm_status_t  wm_uploader_poll        (wm_uploader_t                *up,
                                      uint32_t                      now_ms,
                                      wm_upload_result_t           *result);

/* Starts again from the PUT, with no backoff: after WM_UPLOAD_STOPPED once the cause is
 * dealt with, or after the link came back. */
void         wm_uploader_restart     (wm_uploader_t                *up);

/* True once the server has finalized the stream. */
bool         wm_uploader_is_finalized (const wm_uploader_t         *up);

#ifdef __cplusplus
}
#endif

#endif /* WM_UPLOADER_H */
