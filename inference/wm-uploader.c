/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-uploader.c: the upload client's state machine (see wm-uploader.h). */

#include "wm-uploader.h"

#include <string.h>

/* The text part of the caller's buffer, after the chunk. */
#define TEXT_PATH 0u
#define PATH_BYTES 192u   /* "/v1/devices/" dev "/streams/" sid "/chunks?offset=" 20 digits */
#define TEXT_AUTH (TEXT_PATH + PATH_BYTES)
#define AUTH_BYTES 136u   /* "Bearer " token */
#define TEXT_SMALL (TEXT_AUTH + AUTH_BYTES)
#define SMALL_BYTES 80u   /* a chunk's hex SHA-256, or the finalize body */
#define TEXT_REPLY (TEXT_SMALL + SMALL_BYTES)
#define TEXT_BYTES (TEXT_REPLY + WM_UPLOADER_RESPONSE_MAX)

#define DEFAULT_BACKOFF_MIN_MS 500u
#define DEFAULT_BACKOFF_MAX_MS 60000u
#define DEFAULT_IDLE_MS 1000u
#define MAX_DELAY_MS UINT32_C (0x7fffffff)  /* longer waits break the wrap-around compare */

enum
{
  STATE_PUT,
  STATE_GET,
  STATE_SEND,
  STATE_FINALIZE,
  STATE_DONE,
  STATE_STOPPED
};

typedef enum
{
  REPLY_OK,          /* 200, 201 */
  REPLY_TRANSIENT,   /* no reply, 429, 5xx: back off and retry */
  REPLY_NOT_FOUND,   /* 404: the stream is gone, PUT it again */
  REPLY_AUTH,        /* 401, 403 */
  REPLY_CONFLICT,    /* 409 */
  REPLY_OTHER        /* every other status */
} reply_class_t;

static const char hex_digits[] = "0123456789abcdef";

static reply_class_t
classify (int16_t status)
{
  if (status == 200 || status == 201)
    return REPLY_OK;
  if (status <= 0 || status == 429 || status >= 500)
    return REPLY_TRANSIENT;
  if (status == 404)
    return REPLY_NOT_FOUND;
  if (status == 401 || status == 403)
    return REPLY_AUTH;
  if (status == 409)
    return REPLY_CONFLICT;
  return REPLY_OTHER;
}

static bool
name_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
         || c == '.' || c == '_' || c == '~' || c == '-';
}

static bool
valid_device (const char *s)
{
  size_t i, len;

  if (!s)
    return false;
  len = strlen (s);
  for (i = 0; i < len; i++)
    if (!name_char (s[i]))
      return false;
  return len >= 1 && len <= WM_UPLOADER_DEVICE_MAX;
}

static bool
valid_token (const char *s)
{
  size_t i, len;

  if (!s)
    return false;
  len = strlen (s);
  for (i = 0; i < len; i++)
    if (s[i] < '!' || s[i] > '~')
      return false;
  return len >= 1 && len <= WM_UPLOADER_TOKEN_MAX;
}

/* ---- text ---------------------------------------------------------------------------- */

/* Appends @s at *at in @buf (sizes were checked at init). */
static void
put_text (char *buf, uint16_t *at, const char *s)
{
  size_t len = strlen (s);

  memcpy (buf + *at, s, len);
  *at = (uint16_t) (*at + len);
  buf[*at] = '\0';
}

static void
put_decimal (char *buf, uint16_t *at, uint64_t v)
{
  char digits[21];
  uint8_t n = sizeof digits - 1;

  digits[n] = '\0';
  do
    {
      digits[--n] = (char) ('0' + (uint8_t) (v % 10u));
      v /= 10u;
    }
  while (v > 0);
  put_text (buf, at, digits + n);
}

static void
put_hex (char *out, const uint8_t digest[32])
{
  uint8_t i;

  for (i = 0; i < 32; i++)
    {
      out[2 * i] = hex_digits[digest[i] >> 4];
      out[2 * i + 1] = hex_digits[digest[i] & 15u];
    }
  out[64] = '\0';
}

static bool
json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of "key": in a JSON reply, without a JSON parser: the first occurrence of the
 * quoted key followed by a colon.  Returns a pointer to the value's first character. */
static const char *
find_value (const char *body, uint16_t len, const char *key)
{
  size_t klen = strlen (key);
  uint16_t i;

  for (i = 0; i + klen + 2u <= len; i++)
    {
      uint16_t j;

      if (body[i] != '"' || memcmp (body + i + 1, key, klen) != 0 || body[i + 1 + klen] != '"')
        continue;
      j = (uint16_t) (i + klen + 2u);
      while (j < len && json_space (body[j]))
        j++;
      if (j >= len || body[j] != ':')
        continue;
      j++;
      while (j < len && json_space (body[j]))
        j++;
      return j < len ? body + j : NULL;
    }
  return NULL;
}

/* "committed_offset": a non-negative integer of at most 19 digits, then more text. */
static bool
parse_committed (const char *body, uint16_t len, uint64_t *out)
{
  const char *v = find_value (body, len, "committed_offset");
  const char *end = body + len;
  uint64_t n = 0;
  uint8_t digits = 0;

  if (!v)
    return false;
  while (v < end && *v >= '0' && *v <= '9' && digits < 19)
    {
      n = n * 10u + (uint64_t) (*v - '0');
      v++;
      digits++;
    }
  /* Something must follow the number: a reply cut at the buffer's end is no answer. */
  if (digits == 0 || v >= end || (*v >= '0' && *v <= '9'))
    return false;
  *out = n;
  return true;
}

/* ---- requests ------------------------------------------------------------------------ */

static char *
text (wm_uploader_t *up, uint16_t at)
{
  return up->text + at;
}

/* "/v1/devices/{dev}/streams/{sid}" then @suffix. */
static const char *
make_path (wm_uploader_t *up, const char *suffix)
{
  char *p = text (up, TEXT_PATH);
  uint16_t at = 0;

  put_text (p, &at, "/v1/devices/");
  put_text (p, &at, up->config.device);
  put_text (p, &at, "/streams/");
  put_text (p, &at, wm_spool_stream_id (up->spool));
  put_text (p, &at, suffix);
  return p;
}

/* Performs the request; the reply body lands in the reply area. */
static void
send_request (wm_uploader_t *up, const char *method, const char *path, const char *type,
              const char *sha256_hex, const uint8_t *body, uint32_t body_len,
              wm_http_response_t *response)
{
  wm_http_header_t headers[3];
  wm_http_request_t request;
  uint8_t n = 0;

  headers[n].name = "Authorization";
  headers[n++].value = text (up, TEXT_AUTH);
  if (type)
    {
      headers[n].name = "Content-Type";
      headers[n++].value = type;
    }
  if (sha256_hex)
    {
      headers[n].name = "X-Content-SHA256";
      headers[n++].value = sha256_hex;
    }
  request.method = method;
  request.path = path;
  request.headers = headers;
  request.n_headers = n;
  request.body = body;
  request.body_len = body_len;
  response->status = 0;
  response->retry_after_s = 0;
  response->body = text (up, TEXT_REPLY);
  response->body_capacity = WM_UPLOADER_RESPONSE_MAX;
  response->body_len = 0;
  up->platform->http (up->platform->ctx, &request, response);
  if (response->body_len > WM_UPLOADER_RESPONSE_MAX)
    response->body_len = WM_UPLOADER_RESPONSE_MAX;
}

/* ---- outcomes ------------------------------------------------------------------------ */

static void
stop (wm_uploader_t *up, wm_status_t why, uint32_t now_ms, wm_upload_result_t *result)
{
  up->state = STATE_STOPPED;
  up->stop_status = why;
  up->waiting = false;
  result->event = WM_UPLOAD_STOPPED;
  result->status = why;
  result->next_ms = now_ms + up->config.idle_ms;
}

/* Full jitter: a uniform delay in [0, min(max, min · 2^attempt)], or the server's
 * Retry-After when that is longer. */
static void
back_off (wm_uploader_t *up, uint32_t now_ms, uint32_t retry_after_s,
          wm_upload_result_t *result)
{
  uint8_t shift = up->attempt < 24u ? (uint8_t) up->attempt : 24u;
  uint64_t ceiling = (uint64_t) up->config.backoff_min_ms << shift;
  uint64_t delay;

  if (ceiling > up->config.backoff_max_ms)
    ceiling = up->config.backoff_max_ms;
  delay = (uint64_t) up->platform->random (up->platform->ctx) % (ceiling + 1u);
  if ((uint64_t) retry_after_s * 1000u > delay)
    delay = (uint64_t) retry_after_s * 1000u;
  if (delay > MAX_DELAY_MS)
    delay = MAX_DELAY_MS;
  if (up->attempt < UINT16_MAX)
    up->attempt++;
  up->due_ms = now_ms + (uint32_t) delay;
  up->waiting = true;
  result->event = WM_UPLOAD_RETRY;
  result->next_ms = up->due_ms;
}

/* A committed offset the server stated (PUT, GET or 409): sending continues there. */
static void
resume_at (wm_uploader_t *up, uint64_t committed, uint32_t now_ms, wm_upload_result_t *result)
{
  if (committed > wm_spool_durable_frames (up->spool))
    {
      stop (up, WM_ERR_UPLOAD_SERVER_AHEAD, now_ms, result);
      return;
    }
  up->send_offset = committed;
  up->state = STATE_SEND;
}

/* The reply classes every request treats alike; true when handled. */
static bool
common_reply (wm_uploader_t *up, const wm_http_response_t *r, uint32_t now_ms,
              wm_upload_result_t *result)
{
  switch (classify (r->status))
    {
    case REPLY_TRANSIENT:
      back_off (up, now_ms, r->retry_after_s, result);
      return true;
    case REPLY_AUTH:
      stop (up, WM_ERR_UPLOAD_UNAUTHORIZED, now_ms, result);
      return true;
    case REPLY_OTHER:
      stop (up, WM_ERR_UPLOAD_REJECTED, now_ms, result);
      return true;
    case REPLY_OK:
    case REPLY_NOT_FOUND:
    case REPLY_CONFLICT:
    default:
      return false;
    }
}

/* ---- the states ---------------------------------------------------------------------- */

static void
do_put (wm_uploader_t *up, uint32_t now_ms, wm_upload_result_t *result)
{
  const char *json = up->config.metadata_json;
  wm_http_response_t r;
  uint64_t committed;

  send_request (up, "PUT", make_path (up, ""), "application/json", NULL,
                (const uint8_t *) json, (uint32_t) strlen (json), &r);
  result->http_status = r.status;
  if (common_reply (up, &r, now_ms, result))
    return;
  if (classify (r.status) == REPLY_CONFLICT)
    stop (up, WM_ERR_UPLOAD_CONFLICT, now_ms, result);
  else if (classify (r.status) == REPLY_NOT_FOUND)
    stop (up, WM_ERR_UPLOAD_REJECTED, now_ms, result);
  else if (parse_committed (r.body, r.body_len, &committed))
    {
      up->attempt = 0;
      result->event = WM_UPLOAD_STREAM_READY;
      resume_at (up, committed, now_ms, result);
    }
  else
    up->state = STATE_GET;
}

static void
do_get (wm_uploader_t *up, uint32_t now_ms, wm_upload_result_t *result)
{
  wm_http_response_t r;
  uint64_t committed;

  send_request (up, "GET", make_path (up, ""), NULL, NULL, NULL, 0, &r);
  result->http_status = r.status;
  if (common_reply (up, &r, now_ms, result))
    return;
  if (classify (r.status) == REPLY_NOT_FOUND)
    up->state = STATE_PUT;
  else if (classify (r.status) == REPLY_CONFLICT)
    stop (up, WM_ERR_UPLOAD_REJECTED, now_ms, result);
  else if (!parse_committed (r.body, r.body_len, &committed))
    back_off (up, now_ms, 0, result);
  else
    {
      up->attempt = 0;
      result->event = WM_UPLOAD_STREAM_READY;
      resume_at (up, committed, now_ms, result);
    }
}

/* The reply to a chunk that started at up->send_offset. */
static void
chunk_reply (wm_uploader_t *up, const wm_http_response_t *r, uint32_t now_ms,
             wm_upload_result_t *result)
{
  uint64_t committed;

  if (r->status == 413 && up->chunk_frames > 1u)
    {
      up->chunk_frames /= 2u;
      result->event = WM_UPLOAD_RETRY;
      return;
    }
  if (r->status == 400)
    {
      stop (up, WM_ERR_UPLOAD_REJECTED, now_ms, result);
      return;
    }
  if (r->status == 422)
    {
      stop (up, WM_ERR_UPLOAD_OVERLAP, now_ms, result);
      return;
    }
  if (common_reply (up, r, now_ms, result))
    return;
  if (classify (r->status) == REPLY_NOT_FOUND)
    {
      up->state = STATE_PUT;
      back_off (up, now_ms, 0, result);
      return;
    }
  if (!parse_committed (r->body, r->body_len, &committed))
    {
      back_off (up, now_ms, r->retry_after_s, result);
      return;
    }
  if (classify (r->status) == REPLY_CONFLICT)
    {
      /* A 409 that leaves the offset where it is cannot be cured by resending. */
      if (committed == up->send_offset)
        stop (up, WM_ERR_UPLOAD_REJECTED, now_ms, result);
      else
        {
          result->event = WM_UPLOAD_RESYNCED;
          resume_at (up, committed, now_ms, result);
        }
      return;
    }
  if (committed > wm_spool_durable_frames (up->spool))
    {
      stop (up, WM_ERR_UPLOAD_SERVER_AHEAD, now_ms, result);
      return;
    }
  up->attempt = 0;
  if (committed > up->acked)
    up->acked = committed;
  up->send_offset = committed;
  result->event = WM_UPLOAD_CHUNK_ACKED;
  result->status = wm_spool_set_committed (up->spool, committed);
}

static void
do_send (wm_uploader_t *up, uint32_t now_ms, wm_upload_result_t *result)
{
  uint64_t durable = wm_spool_durable_frames (up->spool);
  uint32_t max = up->chunk_frames, n = 0;
  uint16_t frame_bytes = wm_spool_frame_bytes (up->spool);
  char *path = text (up, TEXT_PATH), *hex = text (up, TEXT_SMALL);
  uint8_t digest[32];
  uint16_t at = 0;
  wm_http_response_t r;
  wm_status_t st;

  if (up->send_offset >= durable)
    {
      if (wm_spool_is_ended (up->spool) && up->send_offset == wm_spool_total_frames (up->spool))
        up->state = STATE_FINALIZE;
      else
        result->next_ms = now_ms + up->config.idle_ms;
      return;
    }
  if (durable - up->send_offset < max)
    max = (uint32_t) (durable - up->send_offset);
  st = wm_spool_read (up->spool, up->send_offset, up->chunk, max, &n);
  if (st == WM_ERR_SPOOL_LOST)
    {
      stop (up, up->send_offset < wm_spool_committed (up->spool) ? WM_ERR_UPLOAD_SERVER_BEHIND
                                                                : WM_ERR_SPOOL_LOST,
            now_ms, result);
      return;
    }
  if (st != WM_OK || n == 0)
    {
      result->status = st == WM_OK ? WM_ERR_STORAGE : st;
      back_off (up, now_ms, 0, result);
      return;
    }
  up->platform->sha256 (up->platform->ctx, up->chunk, n * (uint32_t) frame_bytes, digest);
  put_hex (hex, digest);
  make_path (up, "/chunks?offset=");
  at = (uint16_t) strlen (path);
  put_decimal (path, &at, up->send_offset);
  send_request (up, "POST", path, "application/octet-stream", hex, up->chunk,
                n * (uint32_t) frame_bytes, &r);
  result->http_status = r.status;
  chunk_reply (up, &r, now_ms, result);
}

static void
do_finalize (wm_uploader_t *up, uint32_t now_ms, wm_upload_result_t *result)
{
  uint64_t end = wm_spool_total_frames (up->spool);
  char *body = text (up, TEXT_SMALL);
  uint8_t digest[32];
  uint16_t at = 0;
  wm_http_response_t r;
  wm_status_t st;

  st = up->platform->stream_sha256 (up->platform->ctx, wm_spool_stream_id (up->spool), end,
                                    digest);
  if (st != WM_OK)
    {
      result->status = st;
      back_off (up, now_ms, 0, result);
      return;
    }
  put_text (body, &at, "{\"sha256\":\"");
  put_hex (body + at, digest);
  at = (uint16_t) (at + 64u);
  put_text (body, &at, "\"}");
  send_request (up, "POST", make_path (up, "/finalize"), "application/json", NULL,
                (const uint8_t *) body, at, &r);
  result->http_status = r.status;
  if (common_reply (up, &r, now_ms, result))
    return;
  if (classify (r.status) == REPLY_CONFLICT)
    stop (up, WM_ERR_UPLOAD_CONFLICT, now_ms, result);
  else if (classify (r.status) == REPLY_NOT_FOUND)
    {
      up->state = STATE_PUT;
      back_off (up, now_ms, 0, result);
    }
  else
    {
      up->attempt = 0;
      up->state = STATE_DONE;
      if (end > up->acked)
        up->acked = end;
      result->event = WM_UPLOAD_FINALIZED;
      result->status = wm_spool_set_committed (up->spool, end);
    }
}

/* ---- public -------------------------------------------------------------------------- */

uint32_t
wm_uploader_buffer_size (uint32_t chunk_frames, uint16_t frame_bytes)
{
  uint64_t size = (uint64_t) chunk_frames * frame_bytes + TEXT_BYTES;

  return size > UINT32_MAX ? 0u : (uint32_t) size;
}

wm_status_t
wm_uploader_init (wm_uploader_t *up, wm_spool_t *spool, const wm_uploader_config_t *config,
                  const wm_uploader_platform_t *platform, void *buffer, uint32_t buffer_size)
{
  uint32_t need;
  uint16_t at = 0;

  if (!up || !spool || !config || !platform || !buffer || !platform->http || !platform->sha256
      || !platform->stream_sha256 || !platform->random || !config->metadata_json
      || !valid_device (config->device) || !valid_token (config->token)
      || config->chunk_frames == 0 || wm_spool_frame_bytes (spool) == 0)
    return WM_ERR_BAD_ARGUMENT;
  need = wm_uploader_buffer_size (config->chunk_frames, wm_spool_frame_bytes (spool));
  if (need == 0 || buffer_size < need)
    return WM_ERR_BUFFER_TOO_SMALL;
  memset (up, 0, sizeof *up);
  up->spool = spool;
  up->platform = platform;
  up->config = *config;
  if (up->config.backoff_min_ms == 0)
    up->config.backoff_min_ms = DEFAULT_BACKOFF_MIN_MS;
  if (up->config.backoff_max_ms == 0)
    up->config.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  if (up->config.idle_ms == 0)
    up->config.idle_ms = DEFAULT_IDLE_MS;
  up->chunk = buffer;
  up->text = (char *) buffer + (need - TEXT_BYTES);
  up->chunk_frames = config->chunk_frames;
  up->acked = wm_spool_committed (spool);
  up->send_offset = up->acked;
  put_text (text (up, TEXT_AUTH), &at, "Bearer ");
  put_text (text (up, TEXT_AUTH), &at, config->token);
  up->state = STATE_PUT;
  up->stop_status = WM_OK;
  return WM_OK;
}

wm_status_t
wm_uploader_poll (wm_uploader_t *up, uint32_t now_ms, wm_upload_result_t *result)
{
  if (!up || !result || !up->spool)
    return WM_ERR_BAD_ARGUMENT;
  result->event = WM_UPLOAD_WAIT;
  result->status = WM_OK;
  result->http_status = 0;
  result->next_ms = now_ms;
  if (up->state == STATE_STOPPED)
    {
      result->event = WM_UPLOAD_STOPPED;
      result->status = up->stop_status;
      result->next_ms = now_ms + up->config.idle_ms;
    }
  else if (up->state == STATE_DONE)
    result->next_ms = now_ms + up->config.idle_ms;
  else if (up->waiting && (uint32_t) (now_ms - up->due_ms) >= UINT32_C (0x80000000))
    result->next_ms = up->due_ms;
  else
    {
      up->waiting = false;
      if (up->state == STATE_PUT)
        do_put (up, now_ms, result);
      else if (up->state == STATE_GET)
        do_get (up, now_ms, result);
      else if (up->state == STATE_SEND)
        do_send (up, now_ms, result);
      else
        do_finalize (up, now_ms, result);
    }
  result->committed_offset = up->acked;
  return result->status;
}

void
wm_uploader_restart (wm_uploader_t *up)
{
  if (!up || !up->spool)
    return;
  up->state = STATE_PUT;
  up->stop_status = WM_OK;
  up->waiting = false;
  up->attempt = 0;
  up->chunk_frames = up->config.chunk_frames;
}

bool
wm_uploader_is_finalized (const wm_uploader_t *up)
{
  return up && up->state == STATE_DONE;
}
