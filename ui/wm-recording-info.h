/* wm-recording-info.h — a popover with a recording's properties and provenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_RECORDING_INFO (wm_recording_info_get_type ())
G_DECLARE_FINAL_TYPE (WmRecordingInfo, wm_recording_info, WM, RECORDING_INFO, GtkPopover)

GtkWidget  *wm_recording_info_new           (void);
/* Shows recording (NULL: nothing) and, when upload is not NULL, the device
 * stream that fills it: device, stream, device type, firmware, first and
 * last upload, finalized or not. */
void        wm_recording_info_set_recording (WmRecordingInfo      *self,
                                             const WmRecording    *recording,
                                             const WmUploadStream *upload);
/* The text shown for a property ("device", "stream", "device-type",
 * "firmware", "first-upload", "last-upload", "upload-state", "duration",
 * "sample-rate", "channels", "format", "start-time", "source"), or NULL
 * when that row is hidden: for tests. */
const char *wm_recording_info_get_value     (WmRecordingInfo      *self,
                                             const char           *property);

G_END_DECLS
