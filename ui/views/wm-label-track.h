/* wm-label-track.h — labels of a recording as coloured regions under the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"
#include "wm-timeline-part.h"

G_BEGIN_DECLS

#define WM_TYPE_LABEL_TRACK (wm_label_track_get_type ())
G_DECLARE_FINAL_TYPE (WmLabelTrack, wm_label_track, WM, LABEL_TRACK, WmTimelinePart)

/* Signals: labels-changed (gint64 label_id) after an edit made here;
 * notify::selected-label-id. */

GtkWidget *wm_label_track_new                 (WmTimeline      *timeline);
void       wm_label_track_set_store           (WmLabelTrack    *self,
                                               WmStore         *store);
void       wm_label_track_set_current_class   (WmLabelTrack    *self,
                                               gint64           class_id);
/* Re-read classes and labels of the timeline's recording. */
void       wm_label_track_reload              (WmLabelTrack    *self);
const GPtrArray *wm_label_track_get_labels    (WmLabelTrack    *self); /* of WmLabel, by start */
gint64     wm_label_track_get_selected        (WmLabelTrack    *self);
void       wm_label_track_select              (WmLabelTrack    *self,
                                               gint64           label_id);
void       wm_label_track_select_adjacent     (WmLabelTrack    *self,
                                               int              direction);
/* The class whose shortcut is this digit ("1".."9"), or 0. */
gint64     wm_label_track_class_for_key       (WmLabelTrack    *self,
                                               int              digit);

/* Edits, each one through the store's history; they select the label. */
gint64     wm_label_track_create              (WmLabelTrack    *self,
                                               gint64           start_frame,
                                               gint64           end_frame,
                                               gint64           class_id,
                                               GError         **error);
gboolean   wm_label_track_delete_selected     (WmLabelTrack    *self,
                                               GError         **error);
gboolean   wm_label_track_set_selected_class  (WmLabelTrack    *self,
                                               gint64           class_id,
                                               GError         **error);

/* What the primary-button drag gesture calls (widget coordinates); tests
 * drive the track through these as synthetic input. */
void       wm_label_track_drag_begin          (WmLabelTrack    *self,
                                               double           x,
                                               double           y,
                                               GdkModifierType  state);
void       wm_label_track_drag_update         (WmLabelTrack    *self,
                                               double           dx,
                                               double           dy);
void       wm_label_track_drag_end            (WmLabelTrack    *self,
                                               double           dx,
                                               double           dy);
/* The tooltip text at (x, y), or NULL. */
char      *wm_label_track_describe_at         (WmLabelTrack    *self,
                                               double           x,
                                               double           y);

G_END_DECLS
