/* wm-time-ruler.h — ticks and times over the visible range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-timeline-part.h"

G_BEGIN_DECLS

#define WM_TYPE_TIME_RULER (wm_time_ruler_get_type ())
G_DECLARE_FINAL_TYPE (WmTimeRuler, wm_time_ruler, WM, TIME_RULER, WmTimelinePart)

GtkWidget *wm_time_ruler_new            (WmTimeline  *timeline);
void       wm_time_ruler_set_wall_clock (WmTimeRuler *self,
                                         gboolean     wall_clock);
/* The tick step in seconds for a span of span_s seconds over width pixels,
 * so that labels stay about 100 pixels apart (1-2-5 below a second, then
 * 1 2 5 10 15 30 s, minutes and hours). */
double     wm_time_ruler_tick_step      (double       span_s,
                                         int          width);

G_END_DECLS
