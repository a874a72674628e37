/* wm-import-private.h — shared between the import readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <nettle/sha2.h>

#include "wm-import.h"

G_BEGIN_DECLS

/* One file being imported.  The readers fill recording_ids and sha256; the
 * caller (wm-import.c) owns the transaction around them. */
typedef struct {
  WmStore               *store;
  const char            *path;         /* as given, for messages */
  char                  *default_name; /* basename without extension */
  const WmImportOptions *options;
  guint64                size;         /* bytes */
  GCancellable          *cancellable;
  WmImportProgressFunc   progress;
  gpointer               progress_data;
  gint64                 last_progress_us;
  GArray                *recording_ids; /* of gint64 */
  char                  *sha256;        /* hex, set once the whole file was read */
} WmImportJob;

/* Reports progress when ~100 ms have passed since the last report. */
void     wm_import_job_progress      (WmImportJob  *job,
                                      guint64       bytes_done);
gboolean wm_import_job_check_cancel  (WmImportJob  *job,
                                      GError      **error);
/* A new recording description with name, source path and kind filled in.
 * segment > 1 appends " (segment)" to the name. */
WmRecording *wm_import_job_new_recording (WmImportJob *job,
                                          guint        segment);
/* Prefixes a store error with the file's path. */
/* Lower-case hex of a finished SHA-256 (nettle: SHA-NI/AVX2 where the CPU has them). */
char    *wm_import_sha256_hex        (struct sha256_ctx *ctx);
void     wm_import_job_prefix_error  (WmImportJob  *job,
                                      GError      **error);

gboolean wm_import_audio             (WmImportJob  *job,
                                      GError      **error);
gboolean wm_import_csv               (WmImportJob  *job,
                                      GError      **error);

G_END_DECLS
