/* wm-recording-view-private.h — the recording view's parts, for its actions and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-confidence-track.h"
#include "wm-label-track.h"
#include "wm-overview.h"
#include "wm-recording-view.h"
#include "wm-signal-view.h"
#include "wm-spectrogram-view.h"
#include "wm-timeline.h"

G_BEGIN_DECLS

WmTimeline        *wm_recording_view_get_timeline         (WmRecordingView *self);
WmSignalView      *wm_recording_view_get_signal_view      (WmRecordingView *self);
WmSpectrogramView *wm_recording_view_get_spectrogram_view (WmRecordingView *self);
WmLabelTrack      *wm_recording_view_get_label_track      (WmRecordingView *self);
WmConfidenceTrack *wm_recording_view_get_confidence_track (WmRecordingView *self);
WmOverview        *wm_recording_view_get_overview         (WmRecordingView *self);
/* TRUE when every visible part shows data for the current range and size. */
gboolean           wm_recording_view_is_ready             (WmRecordingView *self);
/* The frame under the last pointer position, or the cursor, or the centre. */
double             wm_recording_view_get_zoom_anchor      (WmRecordingView *self);

void               wm_recording_view_class_install_actions (GtkWidgetClass *widget_class);
void               wm_recording_view_actions_update        (WmRecordingView *self);

G_END_DECLS
