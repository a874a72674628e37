/* wm-window.h — the main window: start page, recordings, recording view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wm-classes-panel.h"
#include "wm-player.h"
#include "wm-recording-info.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_WINDOW (wm_window_get_type ())
G_DECLARE_FINAL_TYPE (WmWindow, wm_window, WM, WINDOW, AdwApplicationWindow)

/* Properties: store (WmStore*, read-only), importing (gboolean, read-only),
 * import-fraction (double, read-only), selected-recording-id (gint64). */

WmWindow       *wm_window_new                        (GtkApplication *application);
/* Opens a project (replacing the one shown) or creates a new one. */
gboolean        wm_window_open_project               (WmWindow       *self,
                                                      GFile          *file,
                                                      GError        **error);
gboolean        wm_window_create_project             (WmWindow       *self,
                                                      GFile          *file,
                                                      GError        **error);
WmStore        *wm_window_get_store                  (WmWindow       *self);
/* What the window does every WM_WINDOW_POLL_INTERVAL_MS with a project
 * open: when another process (waymark-cli serve, autolabel) committed to
 * it, shows what changed: new and removed recordings, grown recordings
 * (the view draws the new frames and follows the end), the upload state,
 * labels.  TRUE when something had changed. */
#define WM_WINDOW_POLL_INTERVAL_MS 500
gboolean        wm_window_poll_project               (WmWindow       *self);
/* The recordings shown in the sidebar (after the filter), of WmRecordingItem. */
GListModel     *wm_window_get_recordings             (WmWindow       *self);
void            wm_window_set_filter_text            (WmWindow       *self,
                                                      const char     *text);
gint64          wm_window_get_selected_recording_id  (WmWindow       *self);
gboolean        wm_window_select_recording           (WmWindow       *self,
                                                      gint64          recording_id);
GtkWidget      *wm_window_get_recording_view         (WmWindow       *self);
WmClassesPanel *wm_window_get_classes_panel          (WmWindow       *self);
WmPlayer       *wm_window_get_player                 (WmWindow       *self);
/* The details of the selected recording (win.recording-details, Alt+Return). */
WmRecordingInfo *wm_window_get_recording_info        (WmWindow       *self);
/* Imports the files one after the other in the background; what the
 * Import dialog and a drop call.  Failures are shown as toasts. */
void            wm_window_import_files               (WmWindow       *self,
                                                      GFile         **files,
                                                      guint           n_files);
gboolean        wm_window_get_importing              (WmWindow       *self);
double          wm_window_get_import_fraction        (WmWindow       *self);
void            wm_window_cancel_import              (WmWindow       *self);
/* Shows a toast; also records it as the last message, for tests. */
void            wm_window_show_message               (WmWindow       *self,
                                                      const char     *message);
const char     *wm_window_get_last_message           (WmWindow       *self);

G_END_DECLS
