/* wm-label-rule.h — how stored probabilities become model labels and review items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place of the rule.  Auto-label, rethreshold, preview, report, the
 * confidence track's ghost regions and the demo's evaluation all derive
 * through wm_label_rule_derive:
 *  - each window owns the central hop-wide cell of its span,
 *    [start + (W − H)/2, start + (W + H)/2), clipped to the recording;
 *  - a cell is skipped when it overlaps what a human or review label covers
 *    (a point event at frame f covers the cell holding f), or when the
 *    expert has decided its window;
 *  - otherwise the window's best class among the enabled ones (the
 *    background class is never enabled) is looked at: a probability at or
 *    above that class's threshold marks the cell, and marked cells of one
 *    class that touch merge into one label; a probability in
 *    [threshold − margin, threshold + margin) makes a review item.
 */

#pragma once

#include <glib-object.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_LABEL_RULE_ERROR (wm_label_rule_error_quark ())

typedef enum {
  WM_LABEL_RULE_ERROR_INVALID = 1,
} WmLabelRuleError;

GQuark wm_label_rule_error_quark (void);

/* The model's reject class: never a label, never a review item. */
#define WM_LABEL_RULE_BACKGROUND        "background"
#define WM_LABEL_RULE_DEFAULT_THRESHOLD 0.9
#define WM_LABEL_RULE_DEFAULT_MARGIN    0.1

typedef struct {
  gboolean enabled;     /* FALSE: the class makes no label and no review item */
  double   threshold;   /* 0–1 */
} WmLabelRuleClass;

typedef struct {
  guint             n_classes;
  char            **class_names;  /* the model's outputs, NULL-terminated */
  WmLabelRuleClass *classes;      /* per model class */
  double            margin;
  gint64            window_frames;
  gint64            hop_frames;
} WmLabelRule;

#define WM_TYPE_LABEL_RULE (wm_label_rule_get_type ())
GType        wm_label_rule_get_type      (void) G_GNUC_CONST;
/* Every class but the background enabled at the default threshold. */
WmLabelRule *wm_label_rule_new           (char * const      *class_names,
                                          gint64             window_frames,
                                          gint64             hop_frames);
/* The rule a run stores. */
WmLabelRule *wm_label_rule_new_for_run   (const WmRun       *run);
WmLabelRule *wm_label_rule_copy          (const WmLabelRule *rule);
void         wm_label_rule_free          (WmLabelRule       *rule);
/* Writes thresholds, enabled flags and margin into @run (to be stored). */
void         wm_label_rule_store_in_run  (const WmLabelRule *rule,
                                          WmRun             *run);
/* Whether class @k of a stored run is switched on. */
gboolean     wm_label_rule_run_class_enabled (const WmRun   *run,
                                          guint              k);
gboolean     wm_label_rule_is_background (const WmLabelRule *rule,
                                          guint              k);
/* The index of a class by name, or -1. */
int          wm_label_rule_find_class    (const WmLabelRule *rule,
                                          const char        *name);
/* Applies a threshold text to the rule: "0.9" sets every enabled class;
 * "stop=0.5" sets (and switches on) the classes named, and only them;
 * "left=off" switches a class off; "0.8,stop=0.95" does both.  Errors name
 * the item and the model's classes. */
gboolean     wm_label_rule_apply_text    (WmLabelRule       *rule,
                                          const char        *text,
                                          GError           **error);
/* Switches off every class not in @classes. */
void         wm_label_rule_keep_only     (WmLabelRule       *rule,
                                          const char * const *classes);

/* What one recording holds that the rule reads. */
typedef struct {
  gint64  recording_id;
  gint64  n_frames;
  float  *probabilities;  /* [n_windows][n_classes]; NaN where not stored */
  gint64  n_windows;
  guint   n_classes;
  GArray *covered;        /* gint64 pairs [start, end): disjoint, ordered */
  GArray *decided;        /* gint64 window indices, ordered */
} WmLabelRuleRecording;

/* Takes @probabilities; @label_spans are gint64 pairs of the human and
 * review labels (point events start = end), in any order. */
WmLabelRuleRecording *wm_label_rule_recording_new  (gint64        recording_id,
                                                    gint64        n_frames,
                                                    float        *probabilities,
                                                    gint64        n_windows,
                                                    guint         n_classes,
                                                    const GArray *label_spans,
                                                    const GArray *decided);
/* Reads a recording's probabilities under @run, its human and review
 * labels and the run's decided windows. */
WmLabelRuleRecording *wm_label_rule_recording_read (WmStore      *store,
                                                    const WmRun  *run,
                                                    gint64        recording_id,
                                                    GError      **error);
void                  wm_label_rule_recording_free (WmLabelRuleRecording *recording);

typedef struct {
  gint64 start_frame;
  gint64 end_frame;
  guint  class_index;
  double confidence;      /* mean probability of its windows */
} WmLabelRuleLabel;

typedef struct {
  gint64 window_index;
  gint64 start_frame;     /* the window's cell */
  gint64 end_frame;
  guint  class_index;
  double probability;
  double threshold;
} WmLabelRuleItem;

typedef struct {
  gint64 labels;
  gint64 review_items;
  gint64 windows_above;   /* cells marked */
  gint64 band_below;      /* review items below the threshold */
} WmLabelRuleCounts;

typedef struct {
  GArray            *labels;        /* WmLabelRuleLabel, in time order */
  GArray            *review_items;  /* WmLabelRuleItem, in window order */
  guint              n_classes;
  WmLabelRuleCounts *counts;        /* per model class */
} WmLabelRuleResult;

WmLabelRuleResult *wm_label_rule_derive      (const WmLabelRule          *rule,
                                              const WmLabelRuleRecording *recording);
void               wm_label_rule_result_free (WmLabelRuleResult          *result);
/* Adds @counts to @into. */
void               wm_label_rule_counts_add  (WmLabelRuleCounts          *into,
                                              const WmLabelRuleCounts    *counts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmLabelRule, wm_label_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmLabelRuleRecording, wm_label_rule_recording_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmLabelRuleResult, wm_label_rule_result_free)

G_END_DECLS
