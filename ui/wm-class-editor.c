/* wm-class-editor.c — a dialog to add or edit one label class
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "wm-class-editor.h"

struct _WmClassEditor
{
  AdwWindow       parent_instance;

  AdwWindowTitle *title;
  AdwEntryRow    *name_row;
  GtkColorButton *color_button;
  AdwEntryRow    *shortcut_row;
  GtkLabel       *error_label;

  WmStore        *store;
  gint64          class_id;
};

G_DEFINE_FINAL_TYPE (WmClassEditor, wm_class_editor, ADW_TYPE_WINDOW)

static void
on_cancel_clicked (WmClassEditor *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_save_clicked (WmClassEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (!wm_class_editor_save (self, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
}

static void
wm_class_editor_dispose (GObject *object)
{
  WmClassEditor *self = WM_CLASS_EDITOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), WM_TYPE_CLASS_EDITOR);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_class_editor_parent_class)->dispose (object);
}

static void
wm_class_editor_class_init (WmClassEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_class_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wm-class-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, WmClassEditor, title);
  gtk_widget_class_bind_template_child (widget_class, WmClassEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, WmClassEditor, color_button);
  gtk_widget_class_bind_template_child (widget_class, WmClassEditor, shortcut_row);
  gtk_widget_class_bind_template_child (widget_class, WmClassEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wm_class_editor_init (WmClassEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

WmClassEditor *
wm_class_editor_new (WmStore     *store,
                     gint64       class_id,
                     const char  *default_color,
                     GError     **error)
{
  WmClassEditor *self;

  g_return_val_if_fail (WM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WM_TYPE_CLASS_EDITOR, NULL);
  self->store = g_object_ref (store);
  self->class_id = class_id;

  if (class_id != 0)
    {
      g_autoptr(GPtrArray) classes = wm_store_list_classes (store, error);
      const WmClass *klass = NULL;

      if (classes == NULL)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }
      for (guint i = 0; i < classes->len && klass == NULL; i++)
        if (((const WmClass *) g_ptr_array_index (classes, i))->id == class_id)
          klass = g_ptr_array_index (classes, i);

      if (klass == NULL)
        {
          g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                       _("There is no class with id %d"), (int) class_id);
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }

      adw_window_title_set_title (self->title, _("Edit Class"));
      wm_class_editor_set_fields (self, klass->name, klass->color, klass->shortcut);
    }
  else
    {
      adw_window_title_set_title (self->title, _("New Class"));
      wm_class_editor_set_fields (self, "", default_color, NULL);
    }

  return self;
}

gint64
wm_class_editor_get_class_id (WmClassEditor *self)
{
  g_return_val_if_fail (WM_IS_CLASS_EDITOR (self), 0);

  return self->class_id;
}

void
wm_class_editor_set_fields (WmClassEditor *self,
                            const char    *name,
                            const char    *color,
                            const char    *shortcut)
{
  GdkRGBA rgba;

  g_return_if_fail (WM_IS_CLASS_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->shortcut_row), shortcut != NULL ? shortcut : "");
  if (color != NULL && gdk_rgba_parse (&rgba, color))
    gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->color_button), &rgba);
}

static char *
rgba_to_hex (const GdkRGBA *rgba)
{
  return g_strdup_printf ("#%02x%02x%02x",
                          (guint) (CLAMP (rgba->red, 0.0, 1.0) * 255.0 + 0.5),
                          (guint) (CLAMP (rgba->green, 0.0, 1.0) * 255.0 + 0.5),
                          (guint) (CLAMP (rgba->blue, 0.0, 1.0) * 255.0 + 0.5));
}

gboolean
wm_class_editor_save (WmClassEditor  *self,
                      GError        **error)
{
  g_autofree char *name = NULL;
  g_autofree char *shortcut = NULL;
  g_autofree char *color = NULL;
  GdkRGBA rgba;

  g_return_val_if_fail (WM_IS_CLASS_EDITOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  shortcut = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->shortcut_row))));
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (self->color_button), &rgba);
  color = rgba_to_hex (&rgba);

  if (*name == '\0')
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID, _("A class needs a name."));
      return FALSE;
    }

  if (*shortcut != '\0'
      && (g_utf8_strlen (shortcut, -1) != 1 || !g_unichar_isalnum (g_utf8_get_char (shortcut))
          || g_str_equal (shortcut, "0")))
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   _("The key “%s” is not one digit from 1 to 9 or one letter."), shortcut);
      return FALSE;
    }

  if (self->class_id == 0)
    {
      gint64 id = wm_store_add_class (self->store, name, color,
                                      *shortcut != '\0' ? shortcut : NULL, error);

      if (id <= 0)
        return FALSE;
      self->class_id = id;
    }
  else
    {
      WmClass klass = {
        .id = self->class_id,
        .name = name,
        .color = color,
        .shortcut = *shortcut != '\0' ? shortcut : NULL,
      };

      if (!wm_store_update_class (self->store, &klass, error))
        return FALSE;
    }

  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}
