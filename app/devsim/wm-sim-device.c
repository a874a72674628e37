/* wm-sim-device.c — one simulated device: a source, a spool on disk, an uploader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "wm-sim-device.h"
#include "wm-spool-file.h"
#include "wm-spool.h"
#include "wm-uploader.h"

#define FILL_FRAMES 4096    /* frames generated per append */
#define IDLE_MS 10          /* the uploader looks for new durable frames this often */
#define MAX_SLEEP_US 20000

/* What a power cycle throws away. */
typedef struct {
  wm_spool_file_t    file;
  wm_spool_storage_t storage;
  wm_spool_t         spool;
  wm_uploader_t      up;
  guint8            *page;
  guint8            *upload_buffer;
  gboolean           has_uploader;
} Power;

struct _WmSimDevice {
  WmSimDeviceConfig  config;
  char              *metadata_json;
  char              *stream_id;
  GThread           *thread;
  GMutex             lock;         /* guards stats */
  WmSimDeviceStats   stats;
  GArray            *ack_ms;
  /* The device thread's own. */
  WmSimLink         *link;
  Power              power;
  guint64            total;        /* frames to record (shrinks when run_for ends it early) */
  guint64            produced;     /* frames appended (durable or in RAM) */
  guint32            next_poll_ms;
  gint64             start_us;
  gint64             next_reboot_us;
  guint8            *fill;
};

static gboolean
write_json_file (const char  *path,
                 JsonNode    *root,
                 GError     **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
}

/* spool.json and stream.json */
static gboolean
write_layout (WmSimDevice  *dev,
              GError      **error)
{
  g_autofree char *spool_json = g_build_filename (dev->config.dir, "spool.json", NULL);
  g_autofree char *stream_json = g_build_filename (dev->config.dir, "stream.json", NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (g_mkdir_with_parents (dev->config.dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s: cannot make the device’s spool directory: %s"), dev->config.dir, g_strerror (saved));
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, dev->config.name);
  json_builder_set_member_name (b, "page_size");
  json_builder_add_int_value (b, dev->config.page_size);
  json_builder_set_member_name (b, "page_count");
  json_builder_add_int_value (b, dev->config.page_count);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return write_json_file (spool_json, root, error) &&
         g_file_set_contents (stream_json, dev->metadata_json, -1, error);
}

WmSimDevice *
wm_sim_device_new (const WmSimDeviceConfig *config,
                   GError                 **error)
{
  g_autoptr(WmSimDevice) dev = g_new0 (WmSimDevice, 1);

  dev->config = *config;
  dev->config.name = g_strdup (config->name);
  dev->config.token = g_strdup (config->token);
  dev->config.dir = g_strdup (config->dir);
  dev->metadata_json = wm_sim_source_metadata_json (&config->source);
  dev->stream_id = wm_sim_source_stream_id (&config->source);
  dev->ack_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_mutex_init (&dev->lock);
  if (!write_layout (dev, error))
    return NULL;
  return g_steal_pointer (&dev);
}

void
wm_sim_device_free (WmSimDevice *dev)
{
  if (dev == NULL)
    return;
  g_assert (dev->thread == NULL);
  g_free (dev->config.name);
  g_free (dev->config.token);
  g_free (dev->config.dir);
  g_free (dev->metadata_json);
  g_free (dev->stream_id);
  g_free (dev->stats.failure);
  g_array_unref (dev->ack_ms);
  g_mutex_clear (&dev->lock);
  g_free (dev);
}

const WmSimDeviceConfig *
wm_sim_device_get_config (WmSimDevice *dev)
{
  return &dev->config;
}

void
wm_sim_device_snapshot (WmSimDevice      *dev,
                        WmSimDeviceStats *out)
{
  g_mutex_lock (&dev->lock);
  *out = dev->stats;
  out->failure = g_strdup (dev->stats.failure);
  g_mutex_unlock (&dev->lock);
}

GArray *
wm_sim_device_get_ack_ms (WmSimDevice *dev)
{
  return dev->ack_ms;
}

/* ---- the platform callbacks of wm_uploader ------------------------------ */

static void
platform_http (void                    *ctx,
               const wm_http_request_t *request,
               wm_http_response_t      *response)
{
  WmSimDevice *dev = ctx;

  wm_sim_link_http (dev->link, request, response);
}

static void
platform_sha256 (void          *ctx,
                 const uint8_t *data,
                 uint32_t       len,
                 uint8_t        digest[32])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, digest, &n);
}

static wm_status_t
platform_stream_sha256 (void       *ctx,
                        const char *stream_id,
                        uint64_t    n_frames,
                        uint8_t     digest[32])
{
  WmSimDevice *dev = ctx;

  if (g_strcmp0 (stream_id, dev->stream_id) != 0)
    return WM_ERR_BAD_ARGUMENT;
  wm_sim_source_sha256 (&dev->config.source, n_frames, digest);
  return WM_OK;
}

static uint32_t
platform_random (void *ctx)
{
  WmSimDevice *dev = ctx;

  return wm_sim_link_random (dev->link);
}

static const wm_uploader_platform_t platform_template = {
  .http = platform_http,
  .sha256 = platform_sha256,
  .stream_sha256 = platform_stream_sha256,
  .random = platform_random,
};

/* ---- power: open the spool from disk, or lose everything in RAM ---------- */

static void
fail (WmSimDevice *dev,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (WmSimDevice *dev,
      const char  *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_mutex_lock (&dev->lock);
  if (dev->stats.failure == NULL)
    dev->stats.failure = g_strdup_vprintf (format, args);
  g_mutex_unlock (&dev->lock);
  va_end (args);
}

static void
power_off (WmSimDevice *dev)
{
  Power *p = &dev->power;

  if (p->page == NULL)
    return;
  wm_spool_file_close (&p->file);
  g_clear_pointer (&p->page, g_free);
  g_clear_pointer (&p->upload_buffer, g_free);
  p->has_uploader = FALSE;
}

static gboolean
power_on (WmSimDevice                  *dev,
          const wm_uploader_platform_t *platform)
{
  Power *p = &dev->power;
  g_autofree char *path = g_build_filename (dev->config.dir, "spool", NULL);
  guint16 frame_bytes = (guint16) wm_sim_source_frame_bytes (&dev->config.source);
  wm_uploader_config_t up_config = { 0 };
  wm_status_t st;
  guint32 size;

  memset (p, 0, sizeof *p);
  st = wm_spool_file_open (&p->file, path, (uint16_t) dev->config.page_size,
                           (uint16_t) dev->config.page_count, &p->storage);
  if (st != WM_OK)
    {
      fail (dev, _("%s: cannot open the spool: %s"), path, g_strerror (errno));
      return FALSE;
    }
  p->page = g_malloc (dev->config.page_size);
  st = wm_spool_open (&p->spool, &p->storage, p->page);
  if (st == WM_ERR_SPOOL_NOT_FOUND)
    st = wm_spool_create (&p->spool, &p->storage, p->page, dev->stream_id, frame_bytes);
  else if (st == WM_OK && (g_strcmp0 (wm_spool_stream_id (&p->spool), dev->stream_id) != 0 ||
                           wm_spool_frame_bytes (&p->spool) != frame_bytes))
    {
      fail (dev, _("%s: holds stream “%s”, not “%s” (another --seed or --source?)"),
            path, wm_spool_stream_id (&p->spool), dev->stream_id);
      power_off (dev);
      return FALSE;
    }
  if (st != WM_OK)
    {
      fail (dev, _("%s: %s"), path, wm_status_to_string (st));
      power_off (dev);
      return FALSE;
    }
  dev->produced = wm_spool_total_frames (&p->spool);
  if (wm_spool_is_ended (&p->spool))
    dev->total = dev->produced;
  if (dev->config.offline)
    return TRUE;

  up_config.device = dev->config.name;
  up_config.token = dev->config.token;
  up_config.metadata_json = dev->metadata_json;
  up_config.chunk_frames = dev->config.chunk_frames;
  up_config.backoff_min_ms = dev->config.backoff_min_ms;
  up_config.backoff_max_ms = dev->config.backoff_max_ms;
  up_config.idle_ms = IDLE_MS;
  size = wm_uploader_buffer_size (dev->config.chunk_frames, frame_bytes);
  p->upload_buffer = g_malloc (size);
  st = wm_uploader_init (&p->up, &p->spool, &up_config, platform, p->upload_buffer, size);
  if (st != WM_OK)
    {
      fail (dev, _("device “%s”: cannot start the uploader: %s"), dev->config.name, wm_status_to_string (st));
      power_off (dev);
      return FALSE;
    }
  p->has_uploader = TRUE;
  dev->next_poll_ms = (guint32) (g_get_monotonic_time () / 1000);
  return TRUE;
}

/* ---- recording ----------------------------------------------------------- */

static guint64
sync_frames (WmSimDevice *dev)
{
  guint64 n = (guint64) dev->config.sync_ms * wm_sim_source_rate (&dev->config.source) / 1000;

  return MAX (n, 1);
}

/* Frames the source has made by @now_us. */
static guint64
source_frames (WmSimDevice *dev,
               gint64       now_us)
{
  double seconds;

  if (dev->config.speed <= 0)
    return dev->total;
  seconds = (now_us - dev->start_us) / (double) G_USEC_PER_SEC * dev->config.speed;
  return MIN (dev->total, (guint64) (seconds * wm_sim_source_rate (&dev->config.source)));
}

static gboolean
write_stream_sha256 (WmSimDevice *dev)
{
  g_autofree char *path = g_build_filename (dev->config.dir, "stream.sha256", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) hex = g_string_new (NULL);
  guint8 digest[32];

  wm_sim_source_sha256 (&dev->config.source, dev->total, digest);
  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  g_string_append_c (hex, '\n');
  if (!g_file_set_contents (path, hex->str, (gssize) hex->len, &error))
    {
      fail (dev, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Ends the stream where it is (the end of the source, or run_for passed). */
static gboolean
end_recording (WmSimDevice *dev)
{
  wm_spool_t *spool = &dev->power.spool;
  wm_status_t st = wm_spool_end (spool);

  if (st == WM_ERR_SPOOL_FULL)
    return TRUE;  /* the pending frames wait for acknowledgements; try again */
  if (st != WM_OK)
    {
      fail (dev, _("device “%s”: cannot end the spool: %s"), dev->config.name, wm_status_to_string (st));
      return FALSE;
    }
  dev->total = dev->produced = wm_spool_total_frames (spool);
  return write_stream_sha256 (dev);
}

/* Appends what the source made since last time, syncing at every sync_ms of
 * source time; stops early when the spool is full.  FALSE on a failure. */
static gboolean
record (WmSimDevice *dev,
        gint64       now_us)
{
  wm_spool_t *spool = &dev->power.spool;
  guint64 target = source_frames (dev, now_us);
  guint64 every = sync_frames (dev);
  wm_status_t st = WM_OK;

  if (wm_spool_is_ended (spool))
    return TRUE;
  while (dev->produced < target)
    {
      guint64 boundary = (dev->produced / every + 1) * every;
      gsize n = (gsize) MIN (MIN (target, boundary) - dev->produced, (guint64) FILL_FRAMES);

      wm_sim_source_fill (&dev->config.source, dev->produced, n, dev->fill);
      st = wm_spool_append (spool, dev->fill, (uint32_t) n);
      if (st == WM_OK)
        dev->produced += n;
      if (st == WM_OK && dev->produced % every == 0)
        st = wm_spool_sync (spool);
      if (st != WM_OK)
        break;
    }
  if (st == WM_ERR_SPOOL_FULL && dev->config.offline)
    {
      fail (dev, _("device “%s”: the spool is full after %" PRIu64 " frames; give --offline more --spool-pages"),
            dev->config.name, dev->produced);
      return FALSE;
    }
  if (st != WM_OK && st != WM_ERR_SPOOL_FULL)
    {
      fail (dev, _("device “%s”: spool: %s"), dev->config.name, wm_status_to_string (st));
      return FALSE;
    }
  if (dev->config.run_for_s > 0 && now_us - dev->start_us >= dev->config.run_for_s * G_USEC_PER_SEC)
    dev->total = dev->produced;
  if (dev->produced == dev->total)
    return end_recording (dev);
  return TRUE;
}

/* ---- uploading ----------------------------------------------------------- */

static void
copy_link_stats (WmSimDevice *dev)
{
  const WmSimLinkStats *ls = wm_sim_link_get_stats (dev->link);

  g_mutex_lock (&dev->lock);
  dev->stats.requests = ls->requests;
  dev->stats.chunks_acked = ls->chunks_acked;
  dev->stats.bytes_acked = ls->bytes_acked;
  dev->stats.no_reply = ls->no_reply;
  dev->stats.told_max = ls->told_max;
  dev->stats.backwards = ls->backwards;
  g_mutex_unlock (&dev->lock);
}

/* One poll if one is due; FALSE when the device stops. */
static gboolean
upload (WmSimDevice *dev,
        gint64       now_us)
{
  guint32 now_ms = (guint32) (now_us / 1000);
  wm_upload_result_t result;

  if ((gint32) (now_ms - dev->next_poll_ms) < 0)
    return TRUE;
  wm_uploader_poll (&dev->power.up, now_ms, &result);
  dev->next_poll_ms = result.next_ms;
  copy_link_stats (dev);
  g_mutex_lock (&dev->lock);
  dev->stats.retries += result.event == WM_UPLOAD_RETRY;
  dev->stats.resyncs += result.event == WM_UPLOAD_RESYNCED;
  dev->stats.finalized = wm_uploader_is_finalized (&dev->power.up);
  g_mutex_unlock (&dev->lock);
  if (result.event == WM_UPLOAD_STOPPED)
    {
      fail (dev, _("device “%s”: the uploader stopped: %s (HTTP %d)"), dev->config.name,
            wm_status_to_string (result.status), result.http_status);
      return FALSE;
    }
  return TRUE;
}

static void
maybe_reboot (WmSimDevice                  *dev,
              const wm_uploader_platform_t *platform,
              gint64                        now_us)
{
  double every = dev->config.reboot_every_s * G_USEC_PER_SEC;

  if (every <= 0 || now_us < dev->next_reboot_us)
    return;
  dev->next_reboot_us = now_us + (gint64) (every * (0.5 + g_random_double ()));
  power_off (dev);
  if (power_on (dev, platform))
    {
      g_mutex_lock (&dev->lock);
      dev->stats.reboots++;
      g_mutex_unlock (&dev->lock);
    }
}

static void
publish_progress (WmSimDevice *dev)
{
  g_mutex_lock (&dev->lock);
  dev->stats.frames = dev->produced;
  dev->stats.ended = dev->power.page != NULL && wm_spool_is_ended (&dev->power.spool);
  g_mutex_unlock (&dev->lock);
}

static gboolean
done (WmSimDevice *dev)
{
  if (dev->config.offline)
    return wm_spool_is_ended (&dev->power.spool);
  return wm_uploader_is_finalized (&dev->power.up);
}

static void
run (WmSimDevice                  *dev,
     const wm_uploader_platform_t *platform)
{
  if (!power_on (dev, platform))
    return;
  while (TRUE)
    {
      gint64 now_us = g_get_monotonic_time ();
      guint64 before = dev->produced;

      if (dev->config.deadline_us > 0 && now_us >= dev->config.deadline_us)
        {
          fail (dev, _("device “%s”: not done before the time limit"), dev->config.name);
          break;
        }
      if (!record (dev, now_us) || (!dev->config.offline && !upload (dev, now_us)))
        break;
      publish_progress (dev);
      if (done (dev))
        break;
      maybe_reboot (dev, platform, now_us);
      if (dev->power.page == NULL)
        break;
      if (dev->produced == before && (gint32) ((guint32) (g_get_monotonic_time () / 1000) - dev->next_poll_ms) < 0)
        g_usleep (MIN (MAX_SLEEP_US, 1000 * (gint32) (dev->next_poll_ms - (guint32) (now_us / 1000))));
    }
  publish_progress (dev);
}

static gpointer
device_thread (gpointer data)
{
  WmSimDevice *dev = data;
  wm_uploader_platform_t platform = platform_template;

  platform.ctx = dev;
  if (!dev->config.offline)
    dev->link = wm_sim_link_new (dev->config.server_url, dev->config.server_file, &dev->config.faults,
                                 dev->config.source.seed * 1000003u + dev->config.source.device_index);
  dev->fill = g_malloc (FILL_FRAMES * wm_sim_source_frame_bytes (&dev->config.source));
  dev->start_us = g_get_monotonic_time ();
  dev->next_reboot_us = dev->start_us + (gint64) (dev->config.reboot_every_s * G_USEC_PER_SEC * (0.5 + g_random_double ()));
  dev->total = (guint64) (dev->config.duration_s * wm_sim_source_rate (&dev->config.source));
  run (dev, &platform);
  power_off (dev);
  if (dev->link != NULL)
    {
      const WmSimLinkStats *ls = wm_sim_link_get_stats (dev->link);

      copy_link_stats (dev);
      g_array_append_vals (dev->ack_ms, ls->ack_ms->data, ls->ack_ms->len);
    }
  g_clear_pointer (&dev->link, wm_sim_link_free);
  g_clear_pointer (&dev->fill, g_free);
  g_mutex_lock (&dev->lock);
  dev->stats.stopped = TRUE;
  g_mutex_unlock (&dev->lock);
  return NULL;
}

void
wm_sim_device_start (WmSimDevice *dev)
{
  g_return_if_fail (dev->thread == NULL);
  dev->thread = g_thread_new (dev->config.name, device_thread, dev);
}

void
wm_sim_device_join (WmSimDevice *dev)
{
  if (dev->thread != NULL)
    g_thread_join (g_steal_pointer (&dev->thread));
}
