/* wm-autolabel.h — the device's model labels what it is sure of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run slides the model over recordings and stores every window's
 * probabilities (in parallel, in chunks, resumable).  From the stored
 * probabilities it then derives, per recording, in one transaction, the
 * model labels and review items of the rule (wm-label-rule.h).
 * Rethresholding re-derives from the stored probabilities without running
 * the model again.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wm-label-rule.h"
#include "wm-model-file.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_AUTOLABEL_ERROR (wm_autolabel_error_quark ())

typedef enum {
  WM_AUTOLABEL_ERROR_INVALID = 1,
  WM_AUTOLABEL_ERROR_CANCELLED,
} WmAutolabelError;

GQuark wm_autolabel_error_quark (void);

#define WM_AUTOLABEL_BACKGROUND WM_LABEL_RULE_BACKGROUND
#define WM_AUTOLABEL_DEFAULT_THRESHOLD WM_LABEL_RULE_DEFAULT_THRESHOLD
#define WM_AUTOLABEL_DEFAULT_MARGIN WM_LABEL_RULE_DEFAULT_MARGIN

/* What a run or a rethreshold made, per model class but the background. */
typedef struct {
  char    *name;
  gboolean enabled;
  double   threshold;
  gint64   labels;
  gint64   review_items;
  gint64   windows_above;
} WmAutolabelClassSummary;

typedef struct {
  gint64   run_id;
  char    *model;
  char    *version;
  char    *variant;
  double   margin;
  gint64   windows;
  gint64   labels;
  gint64   review_items;
  GArray  *classes;        /* WmAutolabelClassSummary, in the model's order */
  double   seconds;
  gboolean complete;
} WmAutolabelSummary;

#define WM_TYPE_AUTOLABEL_SUMMARY (wm_autolabel_summary_get_type ())
GType               wm_autolabel_summary_get_type (void) G_GNUC_CONST;
WmAutolabelSummary *wm_autolabel_summary_copy     (const WmAutolabelSummary *summary);
void                wm_autolabel_summary_free     (WmAutolabelSummary       *summary);
/* {run, model, version, variant, margin, windows, labels, review_items,
 * classes {name: {threshold (null when off), labels, review_items,
 * windows_above}}, seconds, complete}: what `autolabel --json` prints. */
JsonNode           *wm_autolabel_summary_to_json  (const WmAutolabelSummary *summary);

/* Called on the thread that called wm_autolabel_run, right after a
 * recording's labels and review items are committed. */
typedef void (*WmAutolabelRecordingFunc) (gint64   recording_id,
                                          gpointer user_data);

typedef struct {
  WmModelFile   *model;
  gint64         model_id;       /* the model's id in the project */
  const WmLabelRule *rule;       /* thresholds, classes switched on, margin; NULL = defaults */
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
 * stored, the run is marked incomplete, and the error is CANCELLED. */
gboolean  wm_autolabel_run          (WmStore                  *store,
                                     const WmAutolabelOptions *options,
                                     WmAutolabelProgressFunc   progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     WmAutolabelSummary      **out_summary,
                                     GError                  **error);

/* A new rule for a run (NULL: the run's own again), applied to its stored
 * probabilities: the rule is stored, labels and review items re-derived. */
gboolean  wm_autolabel_rethreshold  (WmStore                  *store,
                                     gint64                    run_id,
                                     const WmLabelRule        *rule,
                                     WmAutolabelSummary      **out_summary,
                                     GError                  **error);

/* What a run with this rule (NULL: its own) would give on one recording's
 * stored probabilities (@recording_id 0: on every recording of the run),
 * without writing: for live previews and the report.  @out_per_class
 * (nullable) gets counts per model class. */
typedef struct {
  gint64 n_labels;
  gint64 n_review_items;
  gint64 n_windows_above;
} WmAutolabelCounts;

gboolean  wm_autolabel_preview      (WmStore                  *store,
                                     gint64                    run_id,
                                     gint64                    recording_id,
                                     const WmLabelRule        *rule,
                                     WmAutolabelCounts        *out_counts,
                                     WmLabelRuleCounts       **out_per_class,
                                     GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmAutolabelSummary, wm_autolabel_summary_free)

G_END_DECLS
