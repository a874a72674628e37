/* wm-overview.h — the whole recording in one strip, with the visible range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-signal-reader.h"
#include "wm-timeline-part.h"

G_BEGIN_DECLS

#define WM_TYPE_OVERVIEW (wm_overview_get_type ())
G_DECLARE_FINAL_TYPE (WmOverview, wm_overview, WM, OVERVIEW, WmTimelinePart)

GtkWidget *wm_overview_new        (WmTimeline     *timeline);
void       wm_overview_set_reader (WmOverview     *self,
                                   WmSignalReader *reader);
gboolean   wm_overview_get_busy   (WmOverview     *self);
/* Dragging: press at x, move to x + dx (widget coordinates). */
void       wm_overview_drag       (WmOverview     *self,
                                   double          x,
                                   double          dx);

G_END_DECLS
