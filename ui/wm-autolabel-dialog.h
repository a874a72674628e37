/* wm-autolabel-dialog.h — auto-label recordings with a model of the project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wm-autolabel.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_AUTOLABEL_DIALOG (wm_autolabel_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WmAutolabelDialog, wm_autolabel_dialog, WM, AUTOLABEL_DIALOG, AdwWindow)

/* Properties: running (gboolean, read-only), fraction (double, read-only).
 * Signals:
 *  "recording-done" (gint64 recording_id): its model labels and review items
 *    are in the project; emitted on the main thread, after the store's own
 *    "labels-changed" for that recording.
 *  "finished" (gboolean complete): the run ended (complete, cancelled or failed). */

/* @selected_recording_id: the recording "Only the selected one" means (0: none). */
GtkWidget  *wm_autolabel_dialog_new               (GtkWindow          *parent,
                                                   WmStore            *store,
                                                   gint64              selected_recording_id);
gboolean    wm_autolabel_dialog_set_model         (WmAutolabelDialog  *self,
                                                   gint64              model_id);
gint64      wm_autolabel_dialog_get_model_id      (WmAutolabelDialog  *self);
/* Per class of the model (background has no row). */
gboolean    wm_autolabel_dialog_set_class_enabled (WmAutolabelDialog  *self,
                                                   const char         *class_name,
                                                   gboolean            enabled);
gboolean    wm_autolabel_dialog_set_threshold     (WmAutolabelDialog  *self,
                                                   const char         *class_name,
                                                   double              threshold);
double      wm_autolabel_dialog_get_threshold     (WmAutolabelDialog  *self,
                                                   const char         *class_name);
void        wm_autolabel_dialog_set_margin        (WmAutolabelDialog  *self,
                                                   double              margin);
double      wm_autolabel_dialog_get_margin        (WmAutolabelDialog  *self);
/* TRUE: every recording the model fits; FALSE: the selected one. */
void        wm_autolabel_dialog_set_all_recordings (WmAutolabelDialog *self,
                                                   gboolean            all);

/* Starts (or resumes) the run in a worker thread; what Run does. */
gboolean    wm_autolabel_dialog_run               (WmAutolabelDialog  *self);
void        wm_autolabel_dialog_cancel            (WmAutolabelDialog  *self);
gboolean    wm_autolabel_dialog_get_running       (WmAutolabelDialog  *self);
double      wm_autolabel_dialog_get_fraction      (WmAutolabelDialog  *self);
/* After a complete run: wm_autolabel_run's summary; NULL before. */
const WmAutolabelSummary *wm_autolabel_dialog_get_summary (WmAutolabelDialog *self);
/* The message of the latest failure or cancel, or NULL. */
const char *wm_autolabel_dialog_get_error_message (WmAutolabelDialog  *self);
/* The recordings whose labels came in during the latest run, in order. */
GArray     *wm_autolabel_dialog_get_done_recordings (WmAutolabelDialog *self);

G_END_DECLS
