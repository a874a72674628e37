/* wm-sim-device.h — one simulated device: a source, a spool on disk, an uploader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each device runs the real device code of inference/ (wm_spool over its
 * file storage, wm_uploader) in a thread of its own, with a transport over
 * a flaky link (wm-sim-link.h) and a deterministic source (wm-sim-source.h).
 * Its spool directory, DIR/<device>/, is the one `waymark-cli ingest`
 * reads (inference/SPOOL.md, "A device's spool directory"):
 *
 *   spool          the spool file (wm-spool-file.h)
 *   spool.json     {"device": NAME, "page_size": P, "page_count": N}
 *   stream.json    the stream metadata, exactly the body of the PUT
 *   stream.sha256  the whole stream's SHA-256 (hex), once the spool is ended
 *
 * A reboot throws the spool and uploader structs away (frames appended but not
 * synced are lost, as in a power cycle), opens the spool again from disk and
 * records on from the last frame on storage.  The whole stream's SHA-256 for
 * finalize is recomputed from the regenerated source, not kept running.
 */

#pragma once

#include <glib.h>

#include "wm-sim-link.h"
#include "wm-sim-source.h"

G_BEGIN_DECLS

typedef struct {
  char            *name;
  char            *token;          /* NULL when offline */
  char            *dir;            /* DIR/<device> */
  WmSimSource      source;
  double           duration_s;     /* of source time */
  double           speed;          /* × real time; 0: as fast as the spool takes frames */
  double           run_for_s;      /* stop recording after this long (real time); 0: no limit */
  guint            sync_ms;        /* wm_spool_sync every this much source time */
  guint            chunk_frames;
  guint            page_size;
  guint            page_count;
  double           reboot_every_s; /* 0: never */
  guint            backoff_min_ms;
  guint            backoff_max_ms;
  gboolean         offline;        /* record only, never upload */
  const char      *server_url;
  const char      *server_file;
  WmSimLinkFaults  faults;
  gint64           deadline_us;    /* monotonic; give up then (0: never) */
} WmSimDeviceConfig;

typedef struct {
  guint64   frames;        /* frames in the spool's stream */
  gboolean  ended;
  gboolean  finalized;
  guint64   requests;
  guint64   chunks_acked;
  guint64   bytes_acked;
  guint64   retries;
  guint64   resyncs;
  guint64   reboots;
  guint64   no_reply;
  guint64   told_max;
  guint64   backwards;
  char     *failure;       /* why the device gave up, or NULL */
  gboolean  stopped;       /* its thread has ended */
} WmSimDeviceStats;

typedef struct _WmSimDevice WmSimDevice;

/* Copies @config's strings.  Makes DIR/<device>/ and writes spool.json and
 * stream.json (an error names the file). */
WmSimDevice *wm_sim_device_new      (const WmSimDeviceConfig *config,
                                     GError                 **error);
void         wm_sim_device_free     (WmSimDevice             *device);
const WmSimDeviceConfig *wm_sim_device_get_config (WmSimDevice *device);
void         wm_sim_device_start    (WmSimDevice             *device);
void         wm_sim_device_join     (WmSimDevice             *device);
/* A copy of the counters so far (any thread); free failure. */
void         wm_sim_device_snapshot (WmSimDevice             *device,
                                     WmSimDeviceStats        *out);
/* The acknowledged chunks' round trips in ms (after join). */
GArray      *wm_sim_device_get_ack_ms (WmSimDevice           *device);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmSimDevice, wm_sim_device_free)

G_END_DECLS
