/* wm-timeline-part.h — a drawing widget of the recording view that follows a timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parts of the recording view (waveforms, spectrograms, labels, the
 * ruler, the overview) all draw one WmTimeline.  This base class holds it:
 * the construct-only "timeline" property (a part made without one gets one
 * of its own) and the timeline's signals, passed on to the class's virtual
 * methods.
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-timeline.h"

G_BEGIN_DECLS

#define WM_TYPE_TIMELINE_PART (wm_timeline_part_get_type ())
G_DECLARE_DERIVABLE_TYPE (WmTimelinePart, wm_timeline_part, WM, TIMELINE_PART, GtkWidget)

/* One virtual method per timeline signal, NULL where the part has no use
 * for it; which of them are set is read once, when the part is made. */
struct _WmTimelinePartClass
{
  GtkWidgetClass parent_class;

  void (*range_changed)     (WmTimelinePart *self);
  void (*marks_changed)     (WmTimelinePart *self);
  void (*layout_changed)    (WmTimelinePart *self);
  void (*recording_changed) (WmTimelinePart *self);
  void (*frames_added)      (WmTimelinePart *self,
                             gint64          previous_n_frames);
};

/* The timeline the part draws; NULL once the part is disposed. */
WmTimeline *wm_timeline_part_get_timeline (WmTimelinePart *self);
/* Queues a redraw: the virtual method of a part whose picture is all that
 * a change alters. */
void        wm_timeline_part_redraw       (WmTimelinePart *self);
/* For a part's init: adds a motion controller with the motion and leave
 * handlers (when either is set), then a primary-button drag gesture with
 * the drag handlers (when any is set), each connected with the part as its
 * user data; NULL handlers are left unconnected. */
void        wm_timeline_part_add_pointer_controllers (WmTimelinePart *self,
                                                      GCallback       motion,
                                                      GCallback       leave,
                                                      GCallback       drag_begin,
                                                      GCallback       drag_update,
                                                      GCallback       drag_end);

G_END_DECLS
