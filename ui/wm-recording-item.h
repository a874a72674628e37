/* wm-recording-item.h — one row of the recordings sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_RECORDING_ITEM (wm_recording_item_get_type ())
G_DECLARE_FINAL_TYPE (WmRecordingItem, wm_recording_item, WM, RECORDING_ITEM, GObject)

WmRecordingItem *wm_recording_item_new             (const WmRecording *recording,
                                                    gint64             n_labels);
const WmRecording *wm_recording_item_get_recording (WmRecordingItem   *self);
/* The same recording read again (it grew, or its upload finished);
 * notifies what changed. */
void             wm_recording_item_set_recording   (WmRecordingItem   *self,
                                                    const WmRecording *recording);
/* A device stream still adds to it. */
gboolean         wm_recording_item_get_uploading   (WmRecordingItem   *self);
/* "Uploading from DEVICE", translated; "" when not uploading. */
char            *wm_recording_item_dup_upload_status (WmRecordingItem *self);
gint64           wm_recording_item_get_id          (WmRecordingItem   *self);
const char      *wm_recording_item_get_name        (WmRecordingItem   *self);
gint64           wm_recording_item_get_n_labels    (WmRecordingItem   *self);
void             wm_recording_item_set_n_labels    (WmRecordingItem   *self,
                                                    gint64             n_labels);
/* "1:02:03 · 2 channels · 5 labels", translated */
char            *wm_recording_item_dup_details     (WmRecordingItem   *self);
/* "1:02:03.5", "2:03.0", "4.25 s" */
char            *wm_format_duration                (double             seconds);

G_END_DECLS
