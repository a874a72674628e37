/* wm-sim-source.h — the simulator's deterministic signal sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A source is a pure function of (kind, seed, device index, frame offset):
 * the simulator, its --verify and the tests regenerate the exact bytes of any
 * frame of any device's stream without keeping a copy.  Samples are int16,
 * little-endian, interleaved, computed in integers only.
 *
 *   imu:   6 channels (ax ay az gx gy gz) at 100 Hz, kind "sensor"
 *   audio: 1 channel (mic) at 16 kHz, kind "audio"
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  WM_SIM_SOURCE_IMU = 1,
  WM_SIM_SOURCE_AUDIO,
} WmSimSourceKind;

typedef struct {
  WmSimSourceKind kind;
  guint64         seed;
  guint           device_index; /* 0-based */
} WmSimSource;

/* "imu" or "audio"; FALSE for anything else. */
gboolean     wm_sim_source_kind_from_string (const char        *text,
                                             WmSimSourceKind   *out_kind);
const char  *wm_sim_source_kind_to_string   (WmSimSourceKind    kind);

guint        wm_sim_source_channels         (const WmSimSource *source);
guint        wm_sim_source_rate             (const WmSimSource *source); /* Hz */
gsize        wm_sim_source_frame_bytes      (const WmSimSource *source);

/* Frames [first, first + n_frames) into @out (n_frames · frame_bytes). */
void         wm_sim_source_fill             (const WmSimSource *source,
                                             guint64            first,
                                             gsize              n_frames,
                                             guint8            *out);
/* SHA-256 of frames [0, n_frames). */
void         wm_sim_source_sha256           (const WmSimSource *source,
                                             guint64            n_frames,
                                             guint8             digest[32]);
/* The stream metadata JSON a device PUTs (wm-ingest.h's format). */
char        *wm_sim_source_metadata_json    (const WmSimSource *source);
/* The stream id of a device's stream for this seed. */
char        *wm_sim_source_stream_id        (const WmSimSource *source);

G_END_DECLS
