/* wm-signal-view.h — stacked channel waveforms drawn from summaries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-signal-reader.h"
#include "wm-timeline-part.h"

G_BEGIN_DECLS

/* At or below this many frames per pixel column the view reads and draws
 * samples instead of summaries. */
#define WM_SIGNAL_VIEW_SAMPLES_PER_COLUMN 2

#define WM_TYPE_SIGNAL_VIEW (wm_signal_view_get_type ())
G_DECLARE_FINAL_TYPE (WmSignalView, wm_signal_view, WM, SIGNAL_VIEW, WmTimelinePart)

GtkWidget     *wm_signal_view_new          (WmTimeline     *timeline);
void           wm_signal_view_set_reader   (WmSignalView   *self,
                                            WmSignalReader *reader);
gboolean       wm_signal_view_get_busy     (WmSignalView   *self);
/* TRUE once data for the current range and width is drawn. */
gboolean       wm_signal_view_is_current   (WmSignalView   *self);

/* The block the view needs for a plot of this width (NULL without a
 * recording), and giving it a filled block: for benchmarks that read
 * synchronously. */
WmSignalBlock *wm_signal_view_plan_block   (WmSignalView   *self,
                                            int             width);
void           wm_signal_view_take_block   (WmSignalView   *self,
                                            WmSignalBlock  *block);
/* Blocks drawn after the last whole read: the frames a growing recording
 * (or a pan to the right) added, read on their own. */
guint          wm_signal_view_get_n_tails  (WmSignalView   *self);
/* The waveforms and channel names for a widget of this size (without the
 * marks); cached until size, range, layout or data change. */
GskRenderNode *wm_signal_view_get_node     (WmSignalView   *self,
                                            int             width,
                                            int             height);

G_END_DECLS
