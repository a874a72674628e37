/* wm-sim-verify.c — compare what the project holds with what the devices recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "wm-sim-verify.h"
#include "wm-store.h"

#define BLOCK_FRAMES 16384

/* The first frame in [0, n_frames) where the recording and the source differ, or -1. */
static gint64
first_difference (WmStore            *store,
                  gint64              recording_id,
                  const WmSimSource  *source,
                  guint64             n_frames,
                  GError            **error)
{
  gsize frame_bytes = wm_sim_source_frame_bytes (source);
  g_autofree guint8 *stored = g_malloc (BLOCK_FRAMES * frame_bytes);
  g_autofree guint8 *expected = g_malloc (BLOCK_FRAMES * frame_bytes);

  for (guint64 at = 0; at < n_frames; at += BLOCK_FRAMES)
    {
      gsize n = (gsize) MIN ((guint64) BLOCK_FRAMES, n_frames - at);

      if (!wm_store_read_frames_raw (store, recording_id, (gint64) at, n, stored, error))
        return -2;
      wm_sim_source_fill (source, at, n, expected);
      if (memcmp (stored, expected, n * frame_bytes) != 0)
        for (gsize i = 0; i < n; i++)
          if (memcmp (stored + i * frame_bytes, expected + i * frame_bytes, frame_bytes) != 0)
            return (gint64) (at + i);
    }
  return -1;
}

static void
verify_device (WmStore     *store,
               WmSimDevice *device,
               GPtrArray   *problems)
{
  const WmSimDeviceConfig *config = wm_sim_device_get_config (device);
  g_autofree char *stream_id = wm_sim_source_stream_id (&config->source);
  g_autoptr(WmUploadStream) stream = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  WmSimDeviceStats stats;
  gint64 diff;

  wm_sim_device_snapshot (device, &stats);
  g_free (stats.failure);
  stream = wm_store_get_upload_stream (store, config->name, stream_id, &error);
  if (stream == NULL)
    {
      g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: stream “%s”: %s"), config->name, stream_id, error->message));
      return;
    }
  recording = wm_store_get_recording (store, stream->recording_id, &error);
  if (recording == NULL)
    {
      g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: recording %" PRId64 ": %s"),
                                                  config->name, stream->recording_id, error->message));
      return;
    }
  if (stream->sha256 == NULL)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: stream “%s” is not finalized"), config->name, stream_id));
  if (stats.ended && (guint64) recording->n_frames != stats.frames)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: the recording has %" PRId64 " frames, the device recorded %" PRIu64),
                                                config->name, recording->n_frames, stats.frames));
  if ((guint64) stream->committed_offset < stats.told_max)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: committed offset %" PRId64 " is below %" PRIu64 ", which a reply told the device"),
                                                config->name, stream->committed_offset, stats.told_max));
  if (stats.backwards > 0)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: %" PRIu64 " replies told a committed offset below one told before"),
                                                config->name, stats.backwards));
  diff = first_difference (store, recording->id, &config->source, (guint64) recording->n_frames, &error);
  if (diff == -2)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: %s"), config->name, error->message));
  else if (diff >= 0)
    g_ptr_array_add (problems, g_strdup_printf (_("device “%s”: frame %" PRId64 " differs from the source"), config->name, diff));
}

gboolean
wm_sim_verify (const char   *project,
               WmSimDevice **devices,
               guint         n_devices,
               GPtrArray    *problems,
               GError      **error)
{
  g_autoptr(WmStore) store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, error);

  if (store == NULL)
    return FALSE;
  for (guint i = 0; i < n_devices; i++)
    verify_device (store, devices[i], problems);
  return TRUE;
}
