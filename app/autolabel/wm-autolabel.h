/* wm-autolabel.h — the device's model labels what it is sure of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run slides the model over recordings and stores every window's
 * probabilities (in parallel, in chunks, resumable).  From the stored
 * probabilities it then derives, per recording, in one transaction:
 *  - model labels: each window owns the central hop-wide cell of its span,
 *    [start + (W − H)/2, start + (W + H)/2); a cell whose best non-background
 *    class reaches that class's threshold is marked, and consecutive marked
 *    cells of one class merge into one label;
 *  - review items: windows whose probability lies in
 *    [threshold − margin, threshold + margin), most uncertain first.
 * Cells that overlap a human or review label, and windows the expert has
 * already decided, get neither.  Rethresholding re-derives from the stored
 * probabilities without running the model again.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wm-model-file.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_AUTOLABEL_ERROR (wm_autolabel_error_quark ())

typedef enum {
  WM_AUTOLABEL_ERROR_INVALID = 1,
  WM_AUTOLABEL_ERROR_CANCELLED,
} WmAutolabelError;

GQuark wm_autolabel_error_quark (void);

/* The model's reject class: never a label, never a review item. */
#define WM_AUTOLABEL_BACKGROUND "background"
#define WM_AUTOLABEL_DEFAULT_THRESHOLD 0.9
#define WM_AUTOLABEL_DEFAULT_MARGIN 0.1

/* Thresholds per model class, from "0.9" or "wake=0.9,noise=0.7" or
 * "0.8,wake=0.95"; classes not named get the bare number or the default.
 * A threshold above 1 switches a class off. */
double   *wm_autolabel_parse_thresholds (const char   *text,
                                         char * const *class_names,
                                         GError      **error);

/* Called on the thread that called wm_autolabel_run, right after a
 * recording's labels and review items are committed. */
typedef void (*WmAutolabelRecordingFunc) (gint64   recording_id,
                                          gpointer user_data);

typedef struct {
  WmModelFile   *model;
  gint64         model_id;       /* the model's id in the project */
  double        *thresholds;     /* per model class; NULL = default for all */
  double         margin;
  char         **classes;        /* only these classes (NULL = all) */
  GArray        *recording_ids;  /* gint64; NULL = every recording the model fits */
  guint          jobs;           /* worker threads; 0 = one per core */
  gboolean       replace;        /* retire model labels of other versions */
  const char    *author;
  WmAutolabelRecordingFunc recording_done;  /* optional */
  gpointer       recording_done_data;
} WmAutolabelOptions;

typedef void (*WmAutolabelProgressFunc) (gint64   windows_done,
                                         gint64   windows_total,
                                         gpointer user_data);

/* Runs (or resumes) the model's run.  On cancel, what was computed stays
 * stored, the run is marked incomplete, and the error is CANCELLED.
 * out_summary gets a JSON object: run, windows, labels, review_items,
 * classes {name: {labels, review_items, windows_above}}, seconds, complete. */
gboolean  wm_autolabel_run          (WmStore                  *store,
                                     const WmAutolabelOptions *options,
                                     WmAutolabelProgressFunc   progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     JsonNode                **out_summary,
                                     GError                  **error);

/* New thresholds and margin for a run, from its stored probabilities. */
gboolean  wm_autolabel_rethreshold  (WmStore                  *store,
                                     gint64                    run_id,
                                     const double             *thresholds,
                                     double                    margin,
                                     JsonNode                **out_summary,
                                     GError                  **error);

/* What a run with these thresholds would give on one recording's stored
 * probabilities (@recording_id 0: on every recording of the run), without
 * writing: for live previews. */
typedef struct {
  gint64 n_labels;
  gint64 n_review_items;
  gint64 n_windows_above;
} WmAutolabelCounts;

gboolean  wm_autolabel_preview      (WmStore                  *store,
                                     gint64                    run_id,
                                     gint64                    recording_id,
                                     const double             *thresholds,
                                     double                    margin,
                                     WmAutolabelCounts        *out_counts,
                                     GError                  **error);

G_END_DECLS
