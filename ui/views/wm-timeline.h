/* wm-timeline.h — what the drawing widgets of one recording view share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recording (frames, rate, channels), the visible range, the marks
 * (selection, cursor, playhead, hover) and the channel layout (relative
 * heights, vertical zoom).  Every drawing widget maps frames to x the same
 * way: the left WM_TIMELINE_GUTTER pixels hold names and axes, the rest of
 * the width shows [visible_start, visible_end).
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TIMELINE_GUTTER   84
#define WM_TIMELINE_MIN_SPAN 10.0 /* frames: at the deepest zoom a few samples fill the width */

#define WM_TYPE_TIMELINE (wm_timeline_get_type ())
G_DECLARE_FINAL_TYPE (WmTimeline, wm_timeline, WM, TIMELINE, GObject)

/* Signals: range-changed (visible range), marks-changed (selection, cursor,
 * playhead, hover), layout-changed (channel heights and gains),
 * recording-changed (a new recording or none), frames-added (gint64
 * previous_n_frames: the recording grew; frames before it are unchanged). */

WmTimeline        *wm_timeline_new                 (void);
void               wm_timeline_set_recording       (WmTimeline        *self,
                                                    const WmRecording *recording);
/* The same recording read again while it grows (a device upload): keeps
 * the range, marks and layout, and emits frames-added when it has more
 * frames.  A view that showed the end keeps showing it: the whole recording
 * if it was all in view, else the same span, ending at the new end. */
void               wm_timeline_update_recording    (WmTimeline        *self,
                                                    const WmRecording *recording);
const WmRecording *wm_timeline_get_recording       (WmTimeline        *self);
gint64             wm_timeline_get_n_frames        (WmTimeline        *self);
guint              wm_timeline_get_n_channels      (WmTimeline        *self);

double             wm_timeline_get_visible_start   (WmTimeline        *self);
double             wm_timeline_get_visible_end     (WmTimeline        *self);
void               wm_timeline_set_visible_range   (WmTimeline        *self,
                                                    double             start,
                                                    double             end);
void               wm_timeline_zoom                (WmTimeline        *self,
                                                    double             factor,
                                                    double             anchor_frame);
void               wm_timeline_scroll              (WmTimeline        *self,
                                                    double             fraction);

/* Mapping for a widget of the given width (gutter included). */
double             wm_timeline_frame_to_x          (WmTimeline        *self,
                                                    double             frame,
                                                    int                width);
double             wm_timeline_x_to_frame          (WmTimeline        *self,
                                                    double             x,
                                                    int                width);

gint64             wm_timeline_get_selection_start (WmTimeline        *self);
gint64             wm_timeline_get_selection_end   (WmTimeline        *self);
void               wm_timeline_set_selection       (WmTimeline        *self,
                                                    gint64             start,
                                                    gint64             end);
gint64             wm_timeline_get_cursor          (WmTimeline        *self);
void               wm_timeline_set_cursor          (WmTimeline        *self,
                                                    gint64             frame);
gint64             wm_timeline_get_playhead        (WmTimeline        *self);
void               wm_timeline_set_playhead        (WmTimeline        *self,
                                                    gint64             frame);
double             wm_timeline_get_hover           (WmTimeline        *self);
void               wm_timeline_set_hover           (WmTimeline        *self,
                                                    double             frame);

/* Channel layout inside a widget of the given height: channel i occupies
 * [*y, *y + *height). */
void               wm_timeline_get_channel_area    (WmTimeline        *self,
                                                    guint              channel,
                                                    int                widget_height,
                                                    int               *y,
                                                    int               *height);
int                wm_timeline_channel_at_y        (WmTimeline        *self,
                                                    double             y,
                                                    int                widget_height);
double             wm_timeline_get_channel_weight  (WmTimeline        *self,
                                                    guint              channel);
void               wm_timeline_set_channel_weight  (WmTimeline        *self,
                                                    guint              channel,
                                                    double             weight);
double             wm_timeline_get_channel_gain    (WmTimeline        *self,
                                                    guint              channel);
void               wm_timeline_set_channel_gain    (WmTimeline        *self,
                                                    guint              channel,
                                                    double             gain);

/* Text for a frame: "1:02:03.250" style seconds from the start, or the
 * local wall-clock time when wall_clock and the recording has a start. */
char              *wm_timeline_format_frame        (WmTimeline        *self,
                                                    double             frame,
                                                    gboolean           wall_clock,
                                                    double             resolution_s);

G_END_DECLS
