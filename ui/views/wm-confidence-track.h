/* wm-confidence-track.h — a model's per-window probability under the label track
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows, for the recording of the timeline, the latest auto-label run that
 * covers it: the probability of one model class per window (or of each
 * window's top non-background class) as a step line, min/max per pixel
 * column when zoomed out; the class's threshold as a line and the review
 * band [threshold − margin, threshold + margin) shaded.  The header (left
 * gutter) picks the class.
 *
 * The threshold line of a class can be dragged.  While it moves the track
 * previews, live and without writing, the labels the class would get (ghost
 * regions) and the counts of labels and review items on this recording and
 * in the whole run; on release it applies the new threshold from the stored
 * probabilities (wm_autolabel_rethreshold), for the class shown only: the
 * other classes keep theirs, and a class switched off is switched on.  All
 * of it is the rule of wm-label-rule.h, so the ghosts are exactly the labels
 * an apply stores.  With the top class shown the line only shows the
 * threshold and cannot be moved: pick a class.
 *
 * Properties:
 *   threshold    double    0–1: setting it previews (no write); fixed with the top class shown
 *   class-index  int       the model class shown, -1 = the top non-background class
 *   run-id       gint64    read-only: the run shown, 0 = none (the track is then empty)
 *   busy         gboolean  read-only: probabilities or a preview are being computed
 *                          (not after a failed read: the track then says why)
 *
 * Signals:
 *   applied (gint64 run_id)   after a threshold was applied: labels and review
 *                             items of the run changed
 *   preview-changed           new preview counts arrived
 *
 * Actions (keys when the track has focus):
 *   confidence.set-threshold (d)  set the threshold and apply it
 *   confidence.nudge (d)          move it by this much and apply (Up/Down ±0.01,
 *                                 Page Up/Down ±0.05)
 *   confidence.apply              apply the threshold being previewed
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-autolabel.h"
#include "wm-store.h"
#include "wm-timeline-part.h"

G_BEGIN_DECLS

#define WM_TYPE_CONFIDENCE_TRACK (wm_confidence_track_get_type ())
G_DECLARE_FINAL_TYPE (WmConfidenceTrack, wm_confidence_track, WM, CONFIDENCE_TRACK, WmTimelinePart)

GtkWidget *wm_confidence_track_new             (WmTimeline              *timeline);
void       wm_confidence_track_set_store       (WmConfidenceTrack       *self,
                                                WmStore                 *store);
/* Picks the recording's latest run again and re-reads its probabilities
 * (after a run was made or finished). */
void       wm_confidence_track_reload          (WmConfidenceTrack       *self);
/* The same, only when the run shown is no longer the latest or changed
 * (state, thresholds, margin). */
void       wm_confidence_track_refresh         (WmConfidenceTrack       *self);
gint64     wm_confidence_track_get_run_id      (WmConfidenceTrack       *self);
/* The run shown (NULL without one): its classes, thresholds and margin. */
const WmRun *wm_confidence_track_get_run       (WmConfidenceTrack       *self);
gboolean   wm_confidence_track_get_busy        (WmConfidenceTrack       *self);
/* TRUE once the probabilities of the run on this recording are read. */
gboolean   wm_confidence_track_is_loaded       (WmConfidenceTrack       *self);
/* Why they could not be read, or NULL. */
const char *wm_confidence_track_get_read_error (WmConfidenceTrack       *self);

double     wm_confidence_track_get_threshold   (WmConfidenceTrack       *self);
void       wm_confidence_track_set_threshold   (WmConfidenceTrack       *self,
                                                double                   threshold);
int        wm_confidence_track_get_class_index (WmConfidenceTrack       *self);
void       wm_confidence_track_set_class_index (WmConfidenceTrack       *self,
                                                int                      class_index);
/* Writes the threshold being previewed into the run and re-derives its
 * labels and review items; fails with the top class shown. */
gboolean   wm_confidence_track_apply           (WmConfidenceTrack       *self,
                                                GError                 **error);

/* The preview counts for the current threshold, on this recording and in
 * the whole run; FALSE while they are still being computed. */
gboolean   wm_confidence_track_get_preview     (WmConfidenceTrack       *self,
                                                WmAutolabelCounts       *recording,
                                                WmAutolabelCounts       *run);
/* The ghost regions drawn now (the labels of the class shown that the
 * threshold being previewed would make), as frame pairs [start, end) that
 * meet the visible range; empty when nothing is being previewed. */
GArray    *wm_confidence_track_dup_ghost_regions (WmConfidenceTrack     *self);

/* y (widget coordinates) of a probability, for tests that drag the line. */
double     wm_confidence_track_probability_to_y (WmConfidenceTrack      *self,
                                                 double                  probability);
/* What the primary-button drag gesture calls (widget coordinates). */
gboolean   wm_confidence_track_drag_begin      (WmConfidenceTrack       *self,
                                                double                   x,
                                                double                   y);
void       wm_confidence_track_drag_update     (WmConfidenceTrack       *self,
                                                double                   dx,
                                                double                   dy);
void       wm_confidence_track_drag_end        (WmConfidenceTrack       *self,
                                                double                   dx,
                                                double                   dy);

G_END_DECLS
