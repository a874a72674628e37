/* wm-export-private.h — what the exporters and the label importer share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-export.h"

G_BEGIN_DECLS

/* The columns of the label CSV, in order. */
#define WM_EXPORT_CSV_HEADER \
  "recording,recording_id,start_s,end_s,start_frame,end_frame,class,source,confidence,model_version,author"

/* The columns of a Raven selection table, in Raven's own order. */
#define WM_RAVEN_HEADER \
  "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tBegin File\tAnnotation"

/* A selected recording and its selected labels. */
typedef struct {
  WmRecording *recording;
  GPtrArray   *labels; /* of WmLabel, ordered by start */
} RecordingLabels;

void       wm_export_recording_labels_free (RecordingLabels         *rl);
/* The selected recordings (of RecordingLabels), each with its selected labels. */
GPtrArray *wm_export_collect               (WmStore                 *store,
                                            const WmExportSelection *selection,
                                            guint                   *out_n_labels,
                                            GError                 **error);

/* The shortest decimal, "C" locale, that reads back as the same double. */
char *wm_export_format_double (double value);

/* Label Studio tasks (a JSON array), one per recording of @selected, to
 * @out; with @output, the path of the tasks file, also beside it a CSV per
 * recording (what each task's data.ts names) and the labelling config
 * (wm_export_labelstudio_config_path). */
gboolean wm_export_write_labelstudio  (WmStore                 *store,
                                       GPtrArray               *selected,
                                       const WmExportSelection *selection,
                                       FILE                    *out,
                                       const char              *output,
                                       WmExportSummary         *summary,
                                       GError                 **error);
/* The directory @output: per recording, a data acquisition JSON file, and
 * structured_labels.labels for all of them. */
gboolean wm_export_write_edge_impulse (WmStore          *store,
                                       GPtrArray        *selected,
                                       const char       *output,
                                       WmExportSummary  *summary,
                                       GError          **error);
/* A file name for @r's export, unique among @used (which takes it). */
char    *wm_export_file_name_for      (const WmRecording *r,
                                       GHashTable        *used,
                                       const char        *suffix);

/* @text as one CSV field: quoted when it holds a comma, quote or line break. */
char    *wm_export_csv_field          (const char        *text);

/* Seconds with six decimals, "C" locale: exact to the frame below 1 MHz. */
char *wm_export_format_seconds (gint64 frame,
                                double sample_rate);

G_END_DECLS
