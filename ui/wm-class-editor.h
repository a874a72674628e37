/* wm-class-editor.h — a dialog to add or edit one label class
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_CLASS_EDITOR (wm_class_editor_get_type ())
G_DECLARE_FINAL_TYPE (WmClassEditor, wm_class_editor, WM, CLASS_EDITOR, AdwWindow)

/* class_id 0 adds a new class with the given default colour.  Like
 * gtk_window_new(), the window belongs to GTK until it is closed. */
WmClassEditor *wm_class_editor_new        (WmStore        *store,
                                           gint64          class_id,
                                           const char     *default_color,
                                           GError        **error);
gint64         wm_class_editor_get_class_id (WmClassEditor *self);
/* Fills the fields, as a person would. */
void           wm_class_editor_set_fields (WmClassEditor  *self,
                                           const char     *name,
                                           const char     *color,
                                           const char     *shortcut);
/* What Save does: checks the fields, writes the class to the store, and
 * closes the dialog; on failure the dialog stays open and shows why. */
gboolean       wm_class_editor_save       (WmClassEditor  *self,
                                           GError        **error);

G_END_DECLS
