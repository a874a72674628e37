/* wm-view-draw.h — drawing helpers shared by the recording view's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-timeline.h"

G_BEGIN_DECLS

/* Fixed colours that read on both the light and the dark style. */
extern const GdkRGBA wm_view_color_text;     /* mid grey */
extern const GdkRGBA wm_view_color_grid;     /* faint grey */
extern const GdkRGBA wm_view_color_signal;   /* blue */
extern const GdkRGBA wm_view_color_playhead; /* red */

/* Selection, cursor, playhead and hover over the plot area (x >= gutter). */
void wm_view_snapshot_marks (GtkSnapshot *snapshot,
                             WmTimeline  *timeline,
                             int          width,
                             int          height);
/* A text at (x, y) (top-left), in the widget's font at a small size. */
void wm_view_snapshot_text  (GtkSnapshot   *snapshot,
                             GtkWidget     *widget,
                             const char    *text,
                             double         x,
                             double         y,
                             const GdkRGBA *color);
/* A pixel-aligned filled rectangle. */
void wm_view_snapshot_rect  (GtkSnapshot   *snapshot,
                             double         x,
                             double         y,
                             double         width,
                             double         height,
                             const GdkRGBA *color);

G_END_DECLS
