/* wm-export.h — labels out of a project, into files other tools read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every exporter writes each file to a temporary file beside it and renames
 * it into place once it is complete and on disk, so that a failed or
 * interrupted export never leaves a half-written file under the final name.
 */

#pragma once

#include <stdio.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_EXPORT_ERROR (wm_export_error_quark ())

typedef enum {
  WM_EXPORT_ERROR_INVALID = 1, /* a selection or an output that cannot be written as asked */
  WM_EXPORT_ERROR_PARSE,       /* a label file with a bad line: file, line and field in the message */
  WM_EXPORT_ERROR_IO,          /* writing failed */
} WmExportError;

GQuark wm_export_error_quark (void);

typedef enum {
  WM_EXPORT_FORMAT_CSV = 1,
  WM_EXPORT_FORMAT_JSON,
  WM_EXPORT_FORMAT_AUDACITY,
  WM_EXPORT_FORMAT_RAVEN,
  WM_EXPORT_FORMAT_LABELSTUDIO,
  WM_EXPORT_FORMAT_EDGE_IMPULSE,
  WM_EXPORT_FORMAT_DATASET,      /* wm_export_dataset() */
  WM_EXPORT_FORMAT_CLIPS,        /* wm_export_clips() */
} WmExportFormat;

gboolean     wm_export_format_from_string (const char     *text,
                                           WmExportFormat *out_format);
const char  *wm_export_format_to_string   (WmExportFormat  format);

/* Which labels to export.  Empty members select everything. */
typedef struct {
  GArray   *recording_ids;  /* of gint64; NULL or empty = every recording */
  char    **classes;        /* class names; NULL = every class */
  guint     sources;        /* bit (1 << WmLabelSource) per source; 0 = every source */
  double    min_confidence; /* labels below it are left out */
} WmExportSelection;

typedef struct {
  guint n_recordings; /* recordings selected */
  guint n_labels;     /* labels written */
  guint n_files;      /* files written */
  guint n_windows;    /* dataset rows */
  guint n_clips;      /* clips written (point events get none) */
} WmExportSummary;

/* Exports the selection of @store to @output: a file for csv, json and
 * labelstudio (or standard output when @output is NULL; a labelstudio file
 * has beside it a CSV per recording, which its tasks name as data.ts, and
 * the labelling config, wm_export_labelstudio_config_path()); for audacity and
 * raven, one file per recording in the directory @output (created when
 * missing), or the single file @output when it ends in ".txt" and one
 * recording is selected; for edge-impulse, the directory @output with one
 * data acquisition file per recording and structured_labels.labels. */
gboolean     wm_export_labels             (WmStore                 *store,
                                           WmExportFormat           format,
                                           const WmExportSelection *selection,
                                           const char              *output,
                                           WmExportSummary         *out_summary,
                                           GError                 **error);

/* Where a Label Studio export of the tasks file @tasks_path puts the
 * labelling config: "tasks.json" → "tasks-config.xml". */
char        *wm_export_labelstudio_config_path (const char *tasks_path);

typedef struct {
  gint64   window_frames;    /* frames per window, > 0 */
  gint64   hop_frames;       /* step of windows inside a long label; 0 = window */
  double   background_ratio; /* background windows per positive window, per recording */
  guint32  seed;             /* the split and the background draw */
  double   split[3];         /* fractions of recordings: train, validation, test */
  gboolean review_negatives; /* rejected review items as background windows */
  const char *model;         /* NAME[@VERSION] of the project's model whose front-end the
                              * windows are for: its data context goes into the manifest;
                              * NULL for none */
} WmDatasetOptions;

/* Writes the windows of the selection to the directory @output: train/,
 * validation/ and test/ each with X.npy (float32 [N, window, channels]) and
 * y.npy (int32 class index, 0 = background); index.csv (a row per window:
 * split, row, recording, start frame, class, source); and manifest.json
 * (with the SHA-256 of the others, and a data context naming the
 * recordings and the models involved: @options->model and the models whose
 * labels are in the dataset, with the use case, device types and dataset
 * hash their files carry).  All selected recordings must share channel
 * count and sample rate. */
gboolean     wm_export_dataset            (WmStore                 *store,
                                           const WmExportSelection *selection,
                                           const WmDatasetOptions  *options,
                                           const char              *output,
                                           WmExportSummary         *out_summary,
                                           GError                 **error);

/* Writes one clip per selected label to the directory @output — WAV, or
 * FLAC when @flac (int16 recordings only) — and index.csv naming each clip
 * with its recording, span, class and provenance. */
gboolean     wm_export_clips              (WmStore                 *store,
                                           const WmExportSelection *selection,
                                           gboolean                 flac,
                                           const char              *output,
                                           WmExportSummary         *out_summary,
                                           GError                 **error);

/* Reads a label file (audacity, raven, labelstudio or csv) meant for @recording and adds
 * its labels to the project in one transaction: a file with any bad line
 * leaves the project unchanged.  Classes the file names that the project does
 * not have yet are added.  Labels from audacity and raven files are human
 * labels by @author; csv keeps the source, confidence, model version and
 * author of each row; labelstudio annotations are human labels by @author
 * and predictions model labels with their score and model version.  A
 * labelstudio file of several tasks contributes the task of @recording.  A csv that names several recordings contributes the
 * rows of @recording's name only. */
gboolean     wm_import_labels             (WmStore                 *store,
                                           const WmRecording       *recording,
                                           WmExportFormat           format,
                                           const char              *path,
                                           const char              *author,
                                           guint                   *out_n_labels,
                                           GError                 **error);

/* A file written under a temporary name beside @path and renamed to @path
 * by commit, which syncs the file before the rename and its directory
 * after it; abort (and a commit that fails before the rename) removes the
 * temporary file.  A commit whose directory sync fails has put the
 * complete file in place and still reports the error. */
typedef struct _WmAtomicFile WmAtomicFile;

WmAtomicFile *wm_atomic_file_new    (const char    *path,
                                     GError       **error);
FILE         *wm_atomic_file_stream (WmAtomicFile  *file);
gboolean      wm_atomic_file_commit (WmAtomicFile  *file,
                                     GError       **error);
void          wm_atomic_file_abort  (WmAtomicFile  *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmAtomicFile, wm_atomic_file_abort)

G_END_DECLS
