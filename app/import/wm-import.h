/* wm-import.h — getting signals into a project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * wm_import_file() reads one audio file (through libsndfile) or one sensor
 * CSV and stores it as one or more recordings.  Each file is one
 * transaction: when anything fails, the project is left exactly as it was.
 * Error messages start with the file's path and, for CSV, the line and
 * column ("imu.csv:17:3: …").
 */

#pragma once

#include <gio/gio.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_IMPORT_ERROR (wm_import_error_quark ())

/* Failures of the project itself (read-only, disk full) keep their
 * WM_STORE_ERROR code; the message is prefixed with the file's path. */
typedef enum {
  WM_IMPORT_ERROR_NOT_FOUND = 1,      /* no such file */
  WM_IMPORT_ERROR_IS_DIRECTORY,       /* the path is a directory */
  WM_IMPORT_ERROR_EMPTY,              /* zero bytes, or no frames */
  WM_IMPORT_ERROR_UNSUPPORTED_FORMAT, /* neither audio libsndfile reads nor CSV */
  WM_IMPORT_ERROR_CORRUPT,            /* truncated or damaged audio */
  WM_IMPORT_ERROR_PARSE,              /* CSV syntax: line and column in the message */
  WM_IMPORT_ERROR_UNSORTED_TIME,      /* a timestamp earlier than the one before */
  WM_IMPORT_ERROR_DUPLICATE_TIME,     /* a timestamp equal to the one before */
  WM_IMPORT_ERROR_GAP,                /* a gap in the timestamps, with gap policy "error" */
  WM_IMPORT_ERROR_DUPLICATE,          /* same SHA-256 already imported */
  WM_IMPORT_ERROR_CANCELLED,
  WM_IMPORT_ERROR_READ,               /* the file could not be read (permissions, I/O) */
  WM_IMPORT_ERROR_INVALID_OPTION,     /* an option that does not fit the file */
} WmImportError;

GQuark wm_import_error_quark (void);

typedef enum {
  WM_IMPORT_GAP_SPLIT = 1, /* a gap starts a new recording */
  WM_IMPORT_GAP_ERROR,     /* a gap fails the import */
} WmImportGapPolicy;

typedef struct {
  /* Sample rate in Hz for a CSV without a time column; 0 = none given
   * (such a CSV is then an error).  With a time column it must be 0. */
  double             rate;
  WmImportGapPolicy  gap_policy;
  /* An interval between CSV timestamps longer than gap_tolerance times the
   * nominal interval is a gap; shorter deviations are jitter. */
  double             gap_tolerance;
  gboolean           allow_duplicate;
  const char        *name; /* recording name; NULL = the file name without extension */
  WmRecordingKind    kind; /* 0 = audio for audio files, sensor for CSV */
} WmImportOptions;

void wm_import_options_init (WmImportOptions *options);

/* Called on the importing thread (the main thread for the async variant),
 * at most about ten times a second, and once at the end with fraction 1. */
typedef void (*WmImportProgressFunc) (double   fraction,
                                      guint64  bytes_done,
                                      guint64  bytes_total,
                                      gpointer user_data);

/* out_recording_ids (nullable) receives a GArray of gint64, one id per
 * recording stored (a CSV split at gaps gives several). */
gboolean wm_import_file        (WmStore                *store,
                                const char             *path,
                                const WmImportOptions  *options,
                                WmImportProgressFunc    progress,
                                gpointer                user_data,
                                GCancellable           *cancellable,
                                GArray                **out_recording_ids,
                                GError                **error);

/* Imports in a worker thread that opens its own WmStore on the same path,
 * so the caller's store stays usable.  Progress is delivered on the
 * thread-default main context of the caller. */
void     wm_import_file_async  (WmStore                *store,
                                const char             *path,
                                const WmImportOptions  *options,
                                WmImportProgressFunc    progress,
                                gpointer                progress_data,
                                GDestroyNotify          progress_data_free,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data);
gboolean wm_import_file_finish (WmStore                *store,
                                GAsyncResult           *result,
                                GArray                **out_recording_ids,
                                GError                **error);

/* Whether @path is read as a sensor CSV (by its extension: .csv, .tsv or
 * .txt); every other file goes to libsndfile. */
gboolean wm_import_path_is_csv (const char *path);

G_END_DECLS
