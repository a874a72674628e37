/* wm-classes-panel.h — the project's label classes: choose, add, edit, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_CLASSES_PANEL (wm_classes_panel_get_type ())
G_DECLARE_FINAL_TYPE (WmClassesPanel, wm_classes_panel, WM, CLASSES_PANEL, GtkBox)

/* Properties: store (WmStore*), current-class-id (gint64, 0 = none): the
 * class that new labels get.  The panel follows the store's
 * ::classes-changed signal.  Failures are shown as toasts in the
 * AdwToastOverlay the panel sits in. */

GtkWidget *wm_classes_panel_new                  (void);
WmStore   *wm_classes_panel_get_store            (WmClassesPanel *self);
void       wm_classes_panel_set_store            (WmClassesPanel *self,
                                                  WmStore        *store);
gint64     wm_classes_panel_get_current_class_id (WmClassesPanel *self);
void       wm_classes_panel_set_current_class_id (WmClassesPanel *self,
                                                  gint64          class_id);
/* Makes the class with that shortcut current; FALSE when there is none. */
gboolean   wm_classes_panel_select_by_shortcut   (WmClassesPanel *self,
                                                  const char     *shortcut);
guint      wm_classes_panel_get_n_classes        (WmClassesPanel *self);
/* Opens the class editor (class_id 0: a new class) and returns it. */
GtkWidget *wm_classes_panel_edit_class           (WmClassesPanel *self,
                                                  gint64          class_id);
/* What the remove button of a class does. */
gboolean   wm_classes_panel_remove_class         (WmClassesPanel *self,
                                                  gint64          class_id,
                                                  GError        **error);

G_END_DECLS
