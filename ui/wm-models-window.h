/* wm-models-window.h — the project's models: import, inspect, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_MODELS_WINDOW (wm_models_window_get_type ())
G_DECLARE_FINAL_TYPE (WmModelsWindow, wm_models_window, WM, MODELS_WINDOW, AdwWindow)

/* Signals: "models-changed" after a model was imported or removed. */

GtkWidget  *wm_models_window_new              (GtkWindow       *parent,
                                               WmStore         *store);
WmStore    *wm_models_window_get_store        (WmModelsWindow  *self);
/* Re-reads the models and their use (after an auto-label run, say). */
void        wm_models_window_reload           (WmModelsWindow  *self);
/* What the file dialog and a drop call: imports each file, shows a toast
 * per file (the reason when it failed). */
void        wm_models_window_import_files     (WmModelsWindow  *self,
                                               GFile          **files,
                                               guint            n_files);
/* One file; FALSE with @error when it is not a valid model or the project
 * refuses it.  The project is unchanged then. */
gint64      wm_models_window_import_file      (WmModelsWindow  *self,
                                               GFile           *file,
                                               GError         **error);
/* Removes a model; a model in use (it has runs) stays and the toast says
 * why, as the returned error does. */
gboolean    wm_models_window_remove_model     (WmModelsWindow  *self,
                                               gint64           model_id,
                                               GError         **error);
guint       wm_models_window_get_n_models     (WmModelsWindow  *self);
/* The row of a model (an AdwExpanderRow), or NULL. */
GtkWidget  *wm_models_window_get_row          (WmModelsWindow  *self,
                                               gint64           model_id);
/* The text of the latest toast, for tests. */
const char *wm_models_window_get_last_message (WmModelsWindow  *self);

G_END_DECLS
