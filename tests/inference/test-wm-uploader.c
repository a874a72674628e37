/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The uploader against an in-process fake server that speaks the ingest protocol exactly
 * (wm-uploader.h), over a flaky transport (requests lost before or after the server applied
 * them, duplicated, refused with 503 and Retry-After) with device reboots and power losses
 * in the spool's flash: the server ends up with the source stream byte for byte, and the
 * committed offset a device was told never goes backwards. */

#include "config.h"

#include <string.h>

#include <glib.h>

#include "wm-ram-flash.h"
#include "wm-spool.h"
#include "wm-uploader.h"

#define FRAME_BYTES 6u
#define DEVICE "dev-1"
#define TOKEN "s3cr3t-T0ken"
#define STREAM "stream-42"
#define META "{\"sample_rate\":100,\"sample_format\":\"int16\",\"channels\":[" \
             "{\"name\":\"x\",\"unit\":\"g\"},{\"name\":\"y\",\"unit\":\"g\"}," \
             "{\"name\":\"z\",\"unit\":\"g\"}]}"

static guint8
source_byte (guint64 frame, guint byte)
{
  guint64 x = frame * 0x9E3779B97F4A7C15u + byte * 0xBF58476D1CE4E5B9u + 7u;

  x ^= x >> 29;
  x *= 0x94D049BB133111EBu;
  return (guint8) (x >> 56);
}

static void
source_frames (guint64 first, guint64 n, guint8 *out)
{
  for (guint64 i = 0; i < n; i++)
    for (guint b = 0; b < FRAME_BYTES; b++)
      out[i * FRAME_BYTES + b] = source_byte (first + i, b);
}

static char *
sha256_hex (const guint8 *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

/* ---- the fake server ----------------------------------------------------------------- */

typedef struct
{
  gboolean exists;
  char *meta;
  GByteArray *data;
  gboolean finalized;
  guint64 last_told;      /* committed offset of the last 200 reply to a chunk */
} FakeStream;

typedef struct
{
  FakeStream stream;
  gsize max_chunk_bytes;
  guint chunks_applied;
  guint requests;
  guint finalizes;
} FakeServer;

typedef struct
{
  gint status;
  guint32 retry_after_s;
  char *body;
} FakeReply;

static guint64
committed_frames (const FakeServer *server)
{
  return server->stream.data->len / FRAME_BYTES;
}

static void
reply (FakeReply *r, gint status, char *body)
{
  r->status = status;
  g_free (r->body);
  r->body = body;
}

static void
reply_committed (FakeServer *server, FakeReply *r, gint status)
{
  reply (r, status, g_strdup_printf ("{\"device\": \"" DEVICE "\", \"committed_offset\" : %"
                                     G_GUINT64_FORMAT ", \"finalized\": %s}",
                                     committed_frames (server),
                                     server->stream.finalized ? "true" : "false"));
}

static const char *
header (const wm_http_request_t *req, const char *name)
{
  for (guint i = 0; i < req->n_headers; i++)
    if (g_ascii_strcasecmp (req->headers[i].name, name) == 0)
      return req->headers[i].value;
  return NULL;
}

static void
server_chunk (FakeServer *server, const wm_http_request_t *req, guint64 offset, FakeReply *r)
{
  FakeStream *s = &server->stream;
  const char *sha = header (req, "X-Content-SHA256");
  g_autofree char *want = sha256_hex (req->body, req->body_len);
  guint64 m = committed_frames (server), n = req->body_len / FRAME_BYTES;

  g_assert_cmpstr (header (req, "Content-Type"), ==, "application/octet-stream");
  if (req->body_len > server->max_chunk_bytes)
    return reply (r, 413, g_strdup ("{\"error\":\"too large\"}"));
  if (req->body_len % FRAME_BYTES != 0 || !sha || g_ascii_strcasecmp (sha, want) != 0)
    return reply (r, 400, g_strdup ("{\"error\":\"hash\"}"));
  if (offset > m)
    return reply_committed (server, r, 409);
  if (s->finalized && offset + n > m)
    return reply_committed (server, r, 409);
  for (guint64 i = offset; i < MIN (m, offset + n); i++)
    if (memcmp (s->data->data + i * FRAME_BYTES, req->body + (i - offset) * FRAME_BYTES,
                FRAME_BYTES) != 0)
      return reply (r, 422, g_strdup ("{\"error\":\"overlap\"}"));
  if (offset + n > m)
    g_byte_array_append (s->data, req->body + (m - offset) * FRAME_BYTES,
                         (guint) ((offset + n - m) * FRAME_BYTES));
  server->chunks_applied++;
  /* The committed offset a device is told never goes backwards. */
  g_assert_cmpuint (committed_frames (server), >=, s->last_told);
  s->last_told = committed_frames (server);
  reply_committed (server, r, 200);
}

static void
server_finalize (FakeServer *server, const wm_http_request_t *req, FakeReply *r)
{
  FakeStream *s = &server->stream;
  g_autofree char *body = g_strndup ((const char *) req->body, req->body_len);
  g_autofree char *want = sha256_hex (s->data->data, s->data->len);
  g_autofree char *expect = g_strdup_printf ("{\"sha256\":\"%s\"}", want);

  server->finalizes++;
  if (g_strcmp0 (body, expect) != 0)
    return reply (r, 409, g_strdup ("{\"error\":\"sha256 mismatch\"}"));
  s->finalized = TRUE;
  reply_committed (server, r, 200);
}

/* One request, as the ingest server answers it. */
static void
server_handle (FakeServer *server, const wm_http_request_t *req, FakeReply *r)
{
  FakeStream *s = &server->stream;
  const char *prefix = "/v1/devices/" DEVICE "/streams/" STREAM;
  const char *rest;

  server->requests++;
  if (g_strcmp0 (header (req, "Authorization"), "Bearer " TOKEN) != 0)
    return reply (r, 401, g_strdup ("{\"error\":\"token\"}"));
  if (!g_str_has_prefix (req->path, prefix))
    return reply (r, 403, g_strdup ("{\"error\":\"not yours\"}"));
  rest = req->path + strlen (prefix);
  if (*rest == '\0' && strcmp (req->method, "PUT") == 0)
    {
      g_autofree char *meta = g_strndup ((const char *) req->body, req->body_len);

      g_assert_cmpstr (header (req, "Content-Type"), ==, "application/json");
      if (s->exists && strcmp (meta, s->meta) != 0)
        return reply (r, 409, g_strdup (s->meta));
      if (s->exists)
        return reply_committed (server, r, 200);
      s->exists = TRUE;
      s->meta = g_steal_pointer (&meta);
      return reply_committed (server, r, 201);
    }
  if (!s->exists)
    return reply (r, 404, g_strdup ("{\"error\":\"no stream\"}"));
  if (*rest == '\0' && strcmp (req->method, "GET") == 0)
    return reply_committed (server, r, 200);
  if (g_str_has_prefix (rest, "/chunks?offset=") && strcmp (req->method, "POST") == 0)
    {
      const char *digits = rest + strlen ("/chunks?offset=");
      guint64 offset;

      g_assert_true (g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &offset, NULL));
      return server_chunk (server, req, offset, r);
    }
  if (strcmp (rest, "/finalize") == 0 && strcmp (req->method, "POST") == 0)
    return server_finalize (server, req, r);
  reply (r, 400, g_strdup ("{\"error\":\"what\"}"));
}

static FakeServer *
server_new (void)
{
  FakeServer *server = g_new0 (FakeServer, 1);

  server->stream.data = g_byte_array_new ();
  server->max_chunk_bytes = 1 << 20;
  return server;
}

static void
server_free (FakeServer *server)
{
  g_free (server->stream.meta);
  g_byte_array_unref (server->stream.data);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, server_free)

/* ---- the device: platform callbacks over a flaky link -------------------------------- */

typedef struct
{
  FakeServer *server;
  GRand *rand;
  /* Per mille of requests the link loses before / after the server applied them, applies
   * twice, refuses with 503 (Retry-After 2), or corrupts one body byte of. */
  guint lose_before, lose_after, duplicate, busy, corrupt;
  guint n_requests;
  guint max_body;              /* longest chunk body seen */
  gboolean wrong_stream_hash;  /* stream_sha256 lies */
} Device;

static void
device_http (void *ctx, const wm_http_request_t *req, wm_http_response_t *resp)
{
  Device *dev = ctx;
  FakeReply r = { 0, 0, NULL };
  guint roll = (guint) g_rand_int_range (dev->rand, 0, 1000);
  g_autofree guint8 *copy = NULL;
  wm_http_request_t sent = *req;

  dev->n_requests++;
  if (g_str_has_prefix (req->path, "/v1/devices/" DEVICE "/streams/" STREAM "/chunks"))
    dev->max_body = MAX (dev->max_body, req->body_len);
  if (roll < dev->lose_before)
    return;
  roll -= dev->lose_before;
  if (roll < dev->busy)
    {
      resp->status = 503;
      resp->retry_after_s = 2;
      return;
    }
  roll -= dev->busy;
  if (roll < dev->corrupt && req->body_len > 0)
    {
      copy = g_memdup2 (req->body, req->body_len);
      copy[g_rand_int_range (dev->rand, 0, (gint32) req->body_len)] ^= 0x40;
      sent.body = copy;
    }
  roll -= MIN (roll, dev->corrupt);
  server_handle (dev->server, &sent, &r);
  if (roll < dev->duplicate)
    server_handle (dev->server, &sent, &r);
  roll -= MIN (roll, dev->duplicate);
  if (roll >= dev->lose_after)
    {
      gsize len = strlen (r.body);

      resp->status = (int16_t) r.status;
      resp->retry_after_s = r.retry_after_s;
      resp->body_len = (uint16_t) MIN (len, resp->body_capacity);
      memcpy (resp->body, r.body, resp->body_len);
    }
  g_free (r.body);
}

static void
device_sha256 (void *ctx, const uint8_t *data, uint32_t len, uint8_t digest[32])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  (void) ctx;
  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, digest, &n);
  g_assert_cmpuint (n, ==, 32);
}

/* The platform recomputes the whole stream's hash from its own copy: the source. */
static wm_status_t
device_stream_sha256 (void *ctx, const char *stream_id, uint64_t n_frames, uint8_t digest[32])
{
  Device *dev = ctx;
  g_autofree guint8 *all = g_malloc (n_frames * FRAME_BYTES + 1);

  g_assert_cmpstr (stream_id, ==, STREAM);
  source_frames (0, n_frames, all);
  if (dev->wrong_stream_hash)
    all[0] ^= 1;
  device_sha256 (ctx, all, (uint32_t) (n_frames * FRAME_BYTES), digest);
  return WM_OK;
}

static uint32_t
device_random (void *ctx)
{
  Device *dev = ctx;

  return g_rand_int (dev->rand);
}

static const wm_uploader_platform_t *
platform_for (Device *dev, wm_uploader_platform_t *platform)
{
  platform->ctx = dev;
  platform->http = device_http;
  platform->sha256 = device_sha256;
  platform->stream_sha256 = device_stream_sha256;
  platform->random = device_random;
  return platform;
}

static wm_uploader_config_t
config_default (uint32_t chunk_frames)
{
  wm_uploader_config_t c = { DEVICE, TOKEN, META, chunk_frames, 100, 5000, 200 };

  return c;
}

/* ---- a device's life: record, sync, upload, reboot ----------------------------------- */

typedef struct
{
  Device dev;
  WmRamFlash *flash;
  wm_spool_t spool;
  guint8 page[256];
  wm_uploader_t up;
  wm_uploader_platform_t platform;
  wm_uploader_config_t config;
  guint8 *buffer;
  guint32 now;
  guint64 last_told;        /* highest committed offset any uploader of this device reported */
  guint64 persisted;        /* committed offset of the last CHUNK_ACKED whose persist worked */
  guint reboots;
} Life;

static void
life_boot (Life *life)
{
  uint32_t size;

  wm_ram_flash_power_on (life->flash);
  if (wm_spool_open (&life->spool, &life->flash->storage, life->page) == WM_ERR_SPOOL_NOT_FOUND)
    g_assert_cmpint (wm_spool_create (&life->spool, &life->flash->storage, life->page, STREAM,
                                      FRAME_BYTES), ==, WM_OK);
  g_assert_cmpuint (wm_spool_committed (&life->spool), >=, life->persisted);
  size = wm_uploader_buffer_size (life->config.chunk_frames, FRAME_BYTES);
  g_free (life->buffer);
  life->buffer = g_malloc (size);
  g_assert_cmpint (wm_uploader_init (&life->up, &life->spool, &life->config, &life->platform,
                                     life->buffer, size), ==, WM_OK);
}

/* The power goes: at once, or at one of the next few flash writes. */
static void
life_power_loss (Life *life, gboolean now)
{
  if (now)
    {
      life->flash->dead = TRUE;
      return;
    }
  life->flash->fail_at = life->flash->writes + 1 + (guint64) g_rand_int_range (life->dev.rand, 0, 4);
  life->flash->tear = g_rand_int_range (life->dev.rand, 0, WM_N_TEARS);
}

/* Records frames (dropping them when the spool is full), syncs now and then, ends the
 * stream at @n_frames. */
static void
life_record (Life *life, guint64 n_frames)
{
  guint8 frames[40 * FRAME_BYTES];
  guint64 total = wm_spool_total_frames (&life->spool);
  guint64 want = (guint64) g_rand_int_range (life->dev.rand, 1, 40);
  guint n = (guint) MIN (want, n_frames - total);

  if (wm_spool_is_ended (&life->spool) || life->flash->dead)
    return;
  if (n > 0)
    {
      source_frames (total, n, frames);
      wm_spool_append (&life->spool, frames, n);
    }
  if (g_rand_int_range (life->dev.rand, 0, 4) == 0)
    wm_spool_sync (&life->spool);
  if (wm_spool_total_frames (&life->spool) == n_frames)
    wm_spool_end (&life->spool);
}

static void
life_poll (Life *life)
{
  wm_upload_result_t res;
  guint64 before = wm_spool_committed (&life->spool);

  wm_uploader_poll (&life->up, life->now, &res);
  g_assert_cmpuint (res.committed_offset, >=, before);
  g_assert_cmpuint (res.committed_offset, >=, wm_spool_committed (&life->spool));
  if (res.committed_offset > life->last_told)
    life->last_told = res.committed_offset;
  if (res.event == WM_UPLOAD_CHUNK_ACKED && res.status == WM_OK)
    life->persisted = wm_spool_committed (&life->spool);
  if (res.event == WM_UPLOAD_STOPPED)
    g_error ("uploader stopped: %s (HTTP %d)", wm_status_to_string (res.status),
             res.http_status);
  /* Sooner than asked is allowed and changes nothing. */
  if ((gint32) (res.next_ms - life->now) > 0)
    life->now += (guint32) g_rand_int_range (life->dev.rand, 1,
                                             (gint32) MIN (res.next_ms - life->now + 1, 400u));
}

static void
life_run (guint32 seed, guint lose_before, guint lose_after, guint duplicate, guint busy,
          guint reboot_per_mille, guint64 n_frames)
{
  g_autoptr (FakeServer) server = server_new ();
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (256, 20, seed);
  g_autofree guint8 *want = g_malloc (n_frames * FRAME_BYTES + 1);
  Life life;
  guint steps = 0;

  memset (&life, 0, sizeof life);
  life.flash = flash;
  life.dev.server = server;
  life.dev.rand = g_rand_new_with_seed (seed);
  life.dev.lose_before = lose_before;
  life.dev.lose_after = lose_after;
  life.dev.duplicate = duplicate;
  life.dev.busy = busy;
  life.config = config_default (37);
  platform_for (&life.dev, &life.platform);
  life.now = 0xfffff000u;  /* the millisecond clock wraps during the run */
  life_boot (&life);
  while (!wm_uploader_is_finalized (&life.up))
    {
      g_assert_cmpuint (++steps, <, 400000);
      life_record (&life, n_frames);
      life_poll (&life);
      if ((guint) g_rand_int_range (life.dev.rand, 0, 1000) < reboot_per_mille)
        life_power_loss (&life, g_rand_boolean (life.dev.rand));
      if (life.flash->dead)
        {
          life.reboots++;
          life_boot (&life);
        }
    }
  g_test_message ("seed %u: %u steps, %u requests, %u chunks applied, %u reboots", seed, steps,
                  life.dev.n_requests, server->chunks_applied, life.reboots);
  g_assert_true (server->stream.finalized);
  g_assert_cmpuint (committed_frames (server), ==, n_frames);
  source_frames (0, n_frames, want);
  g_assert_cmpmem (server->stream.data->data, server->stream.data->len, want,
                   n_frames * FRAME_BYTES);
  g_assert_cmpuint (life.last_told, ==, n_frames);
  g_assert_cmpuint (life.dev.max_body, <=, 37 * FRAME_BYTES);
  g_rand_free (life.dev.rand);
  g_free (life.buffer);
}

static void
test_clean_link (void)
{
  life_run (1, 0, 0, 0, 0, 0, 3000);
}

static void
test_flaky_link (void)
{
  for (guint32 seed = 10; seed < 18; seed++)
    life_run (seed, 100, 100, 50, 50, 0, 20000);
}

static void
test_flaky_link_reboots (void)
{
  for (guint32 seed = 20; seed < 28; seed++)
    life_run (seed, 80, 80, 40, 40, 15, 20000);
}

/* ---- single behaviours --------------------------------------------------------------- */

typedef struct
{
  Device dev;
  FakeServer *server;
  WmRamFlash *flash;
  wm_spool_t spool;
  guint8 page[256];
  wm_uploader_t up;
  wm_uploader_platform_t platform;
  wm_uploader_config_t config;
  guint8 buffer[8192];
  guint32 now;
} Rig;

static void
rig_setup (Rig *rig, gconstpointer data)
{
  (void) data;
  rig->server = server_new ();
  rig->flash = wm_ram_flash_new (256, 40, 5);
  rig->dev.server = rig->server;
  rig->dev.rand = g_rand_new_with_seed (99);
  rig->config = config_default (40);
  platform_for (&rig->dev, &rig->platform);
  g_assert_cmpint (wm_spool_create (&rig->spool, &rig->flash->storage, rig->page, STREAM,
                                    FRAME_BYTES), ==, WM_OK);
}

static void
rig_teardown (Rig *rig, gconstpointer data)
{
  (void) data;
  g_rand_free (rig->dev.rand);
  wm_ram_flash_free (rig->flash);
  server_free (rig->server);
}

static void
rig_start (Rig *rig)
{
  g_assert_cmpint (wm_uploader_init (&rig->up, &rig->spool, &rig->config, &rig->platform,
                                     rig->buffer, sizeof rig->buffer), ==, WM_OK);
}

static void
rig_record (Rig *rig, guint64 n)
{
  g_autofree guint8 *frames = g_malloc (n * FRAME_BYTES + 1);

  source_frames (wm_spool_total_frames (&rig->spool), n, frames);
  g_assert_cmpint (wm_spool_append (&rig->spool, frames, (uint32_t) n), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&rig->spool), ==, WM_OK);
}

/* Polls (at the time asked) until the event, at most @limit polls. */
static wm_upload_result_t
rig_until (Rig *rig, wm_upload_event_t event, guint limit)
{
  wm_upload_result_t res;

  for (guint i = 0; i < limit; i++)
    {
      wm_uploader_poll (&rig->up, rig->now, &res);
      if (res.event == event)
        return res;
      if (res.event == WM_UPLOAD_STOPPED)
        break;
      rig->now = res.next_ms;
    }
  g_assert_cmpint (res.event, ==, event);
  return res;
}

/* The server has a different stream under the name. */
static void
test_metadata_conflict (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;

  (void) data;
  rig->server->stream.exists = TRUE;
  rig->server->stream.meta = g_strdup ("{\"sample_rate\":8000}");
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_CONFLICT);
  g_assert_cmpint (res.http_status, ==, 409);
  /* Stopped means stopped: no more requests until restart. */
  g_assert_cmpint (wm_uploader_poll (&rig->up, rig->now + 100000, &res), ==,
                   WM_ERR_UPLOAD_CONFLICT);
  g_assert_cmpuint (rig->server->requests, ==, 1);
}

static void
test_unauthorized (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;

  (void) data;
  rig->config.token = "wrong";
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_UNAUTHORIZED);
  g_assert_cmpint (res.http_status, ==, 401);
}

/* A chunk corrupted on the way: 400, stopped, the spool's offset unmoved; after restart
 * the good chunk goes through. */
static void
test_corrupt_chunk (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;

  (void) data;
  rig_record (rig, 100);
  rig_start (rig);
  rig_until (rig, WM_UPLOAD_STREAM_READY, 5);
  rig->dev.corrupt = 1000;
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_REJECTED);
  g_assert_cmpint (res.http_status, ==, 400);
  g_assert_cmpuint (wm_spool_committed (&rig->spool), ==, 0);
  g_assert_cmpuint (rig->server->stream.data->len, ==, 0);
  rig->dev.corrupt = 0;
  wm_uploader_restart (&rig->up);
  res = rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  g_assert_cmpuint (res.committed_offset, ==, 40);
  g_assert_cmpuint (wm_spool_committed (&rig->spool), ==, 40);
}

/* The server holds other frames where the device sends next: 422. */
static void
test_overlap (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;
  guint8 other[10 * FRAME_BYTES];

  (void) data;
  rig_record (rig, 100);
  rig_start (rig);
  rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  /* Another sender put other frames after the committed ones. */
  memset (other, 0x5a, sizeof other);
  g_byte_array_append (rig->server->stream.data, other, sizeof other);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_OVERLAP);
  g_assert_cmpint (res.http_status, ==, 422);
  g_assert_cmpuint (wm_spool_committed (&rig->spool), ==, 40);
}

/* 409 gap: the server is ahead of the spool's committed offset (replies lost); sending
 * resumes where the server is. */
static void
test_gap_resync (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;
  guint8 have[60 * FRAME_BYTES];

  (void) data;
  rig_record (rig, 200);
  rig->server->stream.exists = TRUE;
  rig->server->stream.meta = g_strdup (META);
  source_frames (0, 60, have);
  g_byte_array_append (rig->server->stream.data, have, sizeof have);
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_STREAM_READY, 5);
  g_assert_cmpint (res.http_status, ==, 200);
  res = rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  g_assert_cmpuint (res.committed_offset, ==, 100);
  /* The server moves on by itself (another sender of the same chunks). */
  source_frames (100, 60, have);
  g_byte_array_append (rig->server->stream.data, have, sizeof have);
  res = rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  g_assert_cmpuint (res.committed_offset, ==, 160);
  /* A server behind the device, while the spool still holds the frames: 409 gap, and the
   * uploader resends from the server's offset. */
  g_byte_array_set_size (rig->server->stream.data, 130 * FRAME_BYTES);
  res = rig_until (rig, WM_UPLOAD_RESYNCED, 5);
  g_assert_cmpint (res.http_status, ==, 409);
  g_assert_cmpuint (res.committed_offset, ==, 160);
  res = rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  g_assert_cmpuint (res.committed_offset, ==, 170);
  g_assert_cmpint (wm_spool_end (&rig->spool), ==, WM_OK);
  res = rig_until (rig, WM_UPLOAD_FINALIZED, 10);
  g_assert_cmpuint (res.committed_offset, ==, 200);
  g_assert_cmpuint (wm_spool_committed (&rig->spool), ==, 200);
  /* Finalized is final: polls make no more requests. */
  {
    guint before = rig->server->requests;

    wm_uploader_poll (&rig->up, rig->now + 1000000, &res);
    g_assert_cmpint (res.event, ==, WM_UPLOAD_WAIT);
    g_assert_cmpuint (rig->server->requests, ==, before);
  }
}

/* The server lost frames the device has freed: unrecoverable, said so. */
static void
test_server_behind (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;

  (void) data;
  rig->config.chunk_frames = 200;
  rig_record (rig, 400);
  rig_start (rig);
  rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  rig_until (rig, WM_UPLOAD_CHUNK_ACKED, 5);
  g_assert_cmpuint (wm_spool_committed (&rig->spool), ==, 400);
  rig_record (rig, 1200);  /* wraps the ring over the oldest pages */
  g_byte_array_set_size (rig->server->stream.data, 10 * FRAME_BYTES);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_SERVER_BEHIND);
}

/* The server holds more frames than the device ever recorded. */
static void
test_server_ahead (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;
  guint8 have[50 * FRAME_BYTES];

  (void) data;
  rig_record (rig, 20);
  rig->server->stream.exists = TRUE;
  rig->server->stream.meta = g_strdup (META);
  source_frames (0, 50, have);
  g_byte_array_append (rig->server->stream.data, have, sizeof have);
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 5);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_SERVER_AHEAD);
}

/* 413: the chunk halves until the server takes it. */
static void
test_too_large (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;
  guint8 want[50 * FRAME_BYTES];

  (void) data;
  rig->server->max_chunk_bytes = 64;
  rig_record (rig, 50);
  g_assert_cmpint (wm_spool_end (&rig->spool), ==, WM_OK);
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_FINALIZED, 200);
  g_assert_cmpuint (res.committed_offset, ==, 50);
  source_frames (0, 50, want);
  g_assert_cmpmem (rig->server->stream.data->data, rig->server->stream.data->len, want,
                   sizeof want);
  /* 40 frames refused, 20 refused, then chunks of 10 frames. */
  g_assert_cmpuint (rig->server->chunks_applied, ==, 5);
}

static void
test_finalize_mismatch (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;

  (void) data;
  rig_record (rig, 30);
  g_assert_cmpint (wm_spool_end (&rig->spool), ==, WM_OK);
  rig->dev.wrong_stream_hash = TRUE;
  rig_start (rig);
  res = rig_until (rig, WM_UPLOAD_STOPPED, 10);
  g_assert_cmpint (res.status, ==, WM_ERR_UPLOAD_CONFLICT);
  g_assert_false (rig->server->stream.finalized);
  rig->dev.wrong_stream_hash = FALSE;
  wm_uploader_restart (&rig->up);
  rig_until (rig, WM_UPLOAD_FINALIZED, 10);
  g_assert_true (rig->server->stream.finalized);
}

/* Exponential backoff with full jitter, capped; Retry-After honoured. */
static void
test_backoff (Rig *rig, gconstpointer data)
{
  wm_upload_result_t res;
  guint32 longest = 0;
  gboolean varied = FALSE;

  (void) data;
  rig->dev.lose_before = 1000;
  rig_start (rig);
  for (guint attempt = 0; attempt < 40; attempt++)
    {
      guint32 ceiling = MIN (5000u, 100u << MIN (attempt, 20u)), delay;

      wm_uploader_poll (&rig->up, rig->now, &res);
      g_assert_cmpint (res.event, ==, WM_UPLOAD_RETRY);
      g_assert_cmpint (res.http_status, ==, 0);
      delay = res.next_ms - rig->now;
      g_assert_cmpuint (delay, <=, ceiling);
      longest = MAX (longest, delay);
      /* Not yet due: nothing is sent. */
      if (delay > 0)
        {
          guint before = rig->dev.n_requests;

          wm_uploader_poll (&rig->up, res.next_ms - 1, &res);
          g_assert_cmpint (res.event, ==, WM_UPLOAD_WAIT);
          g_assert_cmpuint (rig->dev.n_requests, ==, before);
          res.next_ms = rig->now + delay;
        }
      varied |= delay != longest;
      rig->now = res.next_ms;
    }
  g_assert_true (varied);
  g_assert_cmpuint (longest, >, 2500);

  /* The server says when: 503 with Retry-After 2 s waits at least that. */
  rig->dev.lose_before = 0;
  rig->dev.busy = 1000;
  wm_uploader_restart (&rig->up);
  wm_uploader_poll (&rig->up, rig->now, &res);
  g_assert_cmpint (res.event, ==, WM_UPLOAD_RETRY);
  g_assert_cmpint (res.http_status, ==, 503);
  g_assert_cmpuint (res.next_ms - rig->now, >=, 2000);
  /* And it recovers once the link does. */
  rig->dev.busy = 0;
  rig->now = res.next_ms;
  rig_until (rig, WM_UPLOAD_STREAM_READY, 3);
}

static void
test_init_arguments (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (256, 8, 3);
  guint8 page[256], buffer[4096];
  wm_spool_t spool;
  wm_uploader_t up;
  Device dev = { 0 };
  wm_uploader_platform_t platform;
  wm_uploader_config_t config = config_default (10);
  uint32_t need = wm_uploader_buffer_size (10, FRAME_BYTES);

  platform_for (&dev, &platform);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, STREAM, FRAME_BYTES), ==,
                   WM_OK);
  g_assert_cmpuint (need, >, 10 * FRAME_BYTES);
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need - 1), ==,
                   WM_ERR_BUFFER_TOO_SMALL);
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need), ==, WM_OK);
  config.device = "../etc";
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need), ==,
                   WM_ERR_BAD_ARGUMENT);
  config = config_default (10);
  config.token = "two words";
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need), ==,
                   WM_ERR_BAD_ARGUMENT);
  config = config_default (0);
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need), ==,
                   WM_ERR_BAD_ARGUMENT);
  config = config_default (10);
  platform.random = NULL;
  g_assert_cmpint (wm_uploader_init (&up, &spool, &config, &platform, buffer, need), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpuint (wm_uploader_buffer_size (G_MAXUINT32, 2), ==, 0);
}

#define RIG_TEST(path, func) \
  g_test_add ("/inference/uploader/" path, Rig, NULL, rig_setup, func, rig_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inference/uploader/clean-link", test_clean_link);
  g_test_add_func ("/inference/uploader/flaky-link", test_flaky_link);
  g_test_add_func ("/inference/uploader/flaky-link-reboots", test_flaky_link_reboots);
  g_test_add_func ("/inference/uploader/init-arguments", test_init_arguments);
  RIG_TEST ("metadata-conflict", test_metadata_conflict);
  RIG_TEST ("unauthorized", test_unauthorized);
  RIG_TEST ("corrupt-chunk", test_corrupt_chunk);
  RIG_TEST ("overlap", test_overlap);
  RIG_TEST ("gap-resync", test_gap_resync);
  RIG_TEST ("server-behind", test_server_behind);
  RIG_TEST ("server-ahead", test_server_ahead);
  RIG_TEST ("too-large", test_too_large);
  RIG_TEST ("finalize-mismatch", test_finalize_mismatch);
  RIG_TEST ("backoff", test_backoff);
  return g_test_run ();
}
