/* wm-classes-panel.c — the project's label classes: choose, add, edit, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "wm-class-editor.h"
#include "wm-classes-panel.h"

/* Colours offered to new classes in turn (GNOME palette). */
static const char * const default_colors[] = {
  "#3584e4", "#33d17a", "#f6d32d", "#ff7800", "#e01b24", "#9141ac", "#986a44", "#2ec27e",
};

struct _WmClassesPanel
{
  GtkBox      parent_instance;

  GtkButton  *add_button;
  GtkListBox *list_box;

  WmStore    *store;
  gulong      classes_changed_id;
  GPtrArray  *classes; /* of WmClass, in list order */
  gint64      current_class_id;
  gboolean    reloading;
};

G_DEFINE_FINAL_TYPE (WmClassesPanel, wm_classes_panel, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CURRENT_CLASS_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_error (WmClassesPanel *self,
            const char     *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
  else
    g_warning ("%s", message);
}

/* Rows and their buttons carry the id of their class. */
static void
set_class_id (gpointer object,
              gint64   class_id)
{
  g_object_set_data_full (G_OBJECT (object), "class-id",
                          g_memdup2 (&class_id, sizeof class_id), g_free);
}

static gint64
get_class_id (gpointer object)
{
  const gint64 *class_id = g_object_get_data (G_OBJECT (object), "class-id");

  return class_id != NULL ? *class_id : 0;
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  const char *color = user_data;
  GdkRGBA rgba;

  if (!gdk_rgba_parse (&rgba, color))
    return;

  gdk_cairo_set_source_rgba (cr, &rgba);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
on_edit_clicked (GtkButton      *button,
                 WmClassesPanel *self)
{
  gint64 class_id = get_class_id (button);

  wm_classes_panel_edit_class (self, class_id);
}

static void
on_remove_clicked (GtkButton      *button,
                   WmClassesPanel *self)
{
  gint64 class_id = get_class_id (button);
  g_autoptr(GError) error = NULL;

  if (!wm_classes_panel_remove_class (self, class_id, &error))
    show_error (self, error->message);
}

static GtkWidget *
create_row (WmClassesPanel *self,
            const WmClass  *klass)
{
  g_autofree char *edit_tooltip = NULL;
  g_autofree char *remove_tooltip = NULL;
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *swatch;
  GtkWidget *label;
  GtkWidget *button;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  swatch = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 14);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch,
                                  g_strdup (klass->color), g_free);
  gtk_box_append (GTK_BOX (box), swatch);

  label = gtk_label_new (klass->name);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);

  if (klass->shortcut != NULL)
    {
      GtkWidget *key = gtk_label_new (klass->shortcut);

      gtk_widget_set_valign (key, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (key, "class-key");
      gtk_widget_add_css_class (key, "dim-label");
      gtk_widget_add_css_class (key, "monospace");
      gtk_box_append (GTK_BOX (box), key);
    }

  edit_tooltip = g_strdup_printf (_("Edit “%s”"), klass->name);
  button = gtk_button_new_from_icon_name ("document-edit-symbolic");
  gtk_widget_set_tooltip_text (button, edit_tooltip);
  gtk_widget_add_css_class (button, "flat");
  set_class_id (button, klass->id);
  g_signal_connect (button, "clicked", G_CALLBACK (on_edit_clicked), self);
  gtk_box_append (GTK_BOX (box), button);

  remove_tooltip = g_strdup_printf (_("Remove “%s”"), klass->name);
  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_tooltip_text (button, remove_tooltip);
  gtk_widget_add_css_class (button, "flat");
  set_class_id (button, klass->id);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_clicked), self);
  gtk_box_append (GTK_BOX (box), button);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  set_class_id (row, klass->id);

  return row;
}

static void
select_row_of_current (WmClassesPanel *self)
{
  GtkListBoxRow *row = NULL;

  for (guint i = 0; i < self->classes->len; i++)
    if (((const WmClass *) g_ptr_array_index (self->classes, i))->id == self->current_class_id)
      row = gtk_list_box_get_row_at_index (self->list_box, i);

  gtk_list_box_select_row (self->list_box, row);
}

static void
reload (WmClassesPanel *self)
{
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *row;
  gint64 current = self->current_class_id;
  gboolean current_exists = FALSE;

  self->reloading = TRUE;

  /* Rows only: the placeholder is a child of the list box too. */
  while ((row = gtk_list_box_get_row_at_index (self->list_box, 0)) != NULL)
    gtk_list_box_remove (self->list_box, GTK_WIDGET (row));
  g_ptr_array_set_size (self->classes, 0);

  if (self->store != NULL)
    {
      g_autoptr(GPtrArray) classes = wm_store_list_classes (self->store, &error);

      if (classes == NULL)
        show_error (self, error->message);
      else
        for (guint i = 0; i < classes->len; i++)
          {
            WmClass *klass = g_ptr_array_index (classes, i);

            gtk_list_box_append (self->list_box, create_row (self, klass));
            g_ptr_array_add (self->classes, wm_class_copy (klass));
            current_exists |= klass->id == current;
          }
    }

  self->reloading = FALSE;

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button),
                            self->store != NULL && !wm_store_is_read_only (self->store));

  if (!current_exists)
    current = self->classes->len > 0 ? ((const WmClass *) self->classes->pdata[0])->id : 0;
  wm_classes_panel_set_current_class_id (self, current);
  select_row_of_current (self);
}

static void
on_row_selected (WmClassesPanel *self,
                 GtkListBoxRow  *row)
{
  if (self->reloading || row == NULL)
    return;

  wm_classes_panel_set_current_class_id (self, get_class_id (row));
}

static void
on_add_clicked (WmClassesPanel *self)
{
  wm_classes_panel_edit_class (self, 0);
}

static void
wm_classes_panel_dispose (GObject *object)
{
  WmClassesPanel *self = WM_CLASSES_PANEL (object);

  if (self->store != NULL)
    g_clear_signal_handler (&self->classes_changed_id, self->store);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (object), WM_TYPE_CLASSES_PANEL);

  G_OBJECT_CLASS (wm_classes_panel_parent_class)->dispose (object);
}

static void
wm_classes_panel_finalize (GObject *object)
{
  WmClassesPanel *self = WM_CLASSES_PANEL (object);

  g_clear_pointer (&self->classes, g_ptr_array_unref);

  G_OBJECT_CLASS (wm_classes_panel_parent_class)->finalize (object);
}

static void
wm_classes_panel_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WmClassesPanel *self = WM_CLASSES_PANEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CURRENT_CLASS_ID:
      g_value_set_int64 (value, self->current_class_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_classes_panel_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  WmClassesPanel *self = WM_CLASSES_PANEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      wm_classes_panel_set_store (self, g_value_get_object (value));
      break;

    case PROP_CURRENT_CLASS_ID:
      wm_classes_panel_set_current_class_id (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_classes_panel_class_init (WmClassesPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_classes_panel_dispose;
  object_class->finalize = wm_classes_panel_finalize;
  object_class->get_property = wm_classes_panel_get_property;
  object_class->set_property = wm_classes_panel_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, WM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_CLASS_ID] =
    g_param_spec_int64 ("current-class-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/wm-classes-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, WmClassesPanel, add_button);
  gtk_widget_class_bind_template_child (widget_class, WmClassesPanel, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
}

static void
wm_classes_panel_init (WmClassesPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_class_free);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
}

GtkWidget *
wm_classes_panel_new (void)
{
  return g_object_new (WM_TYPE_CLASSES_PANEL, NULL);
}

WmStore *
wm_classes_panel_get_store (WmClassesPanel *self)
{
  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), NULL);

  return self->store;
}

void
wm_classes_panel_set_store (WmClassesPanel *self,
                            WmStore        *store)
{
  g_return_if_fail (WM_IS_CLASSES_PANEL (self));
  g_return_if_fail (store == NULL || WM_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_clear_signal_handler (&self->classes_changed_id, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->classes_changed_id = g_signal_connect_swapped (store, "classes-changed",
                                                         G_CALLBACK (reload), self);

  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gint64
wm_classes_panel_get_current_class_id (WmClassesPanel *self)
{
  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), 0);

  return self->current_class_id;
}

void
wm_classes_panel_set_current_class_id (WmClassesPanel *self,
                                       gint64          class_id)
{
  g_return_if_fail (WM_IS_CLASSES_PANEL (self));

  if (self->current_class_id == class_id)
    return;

  self->current_class_id = class_id;
  if (!self->reloading)
    select_row_of_current (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_CLASS_ID]);
}

gboolean
wm_classes_panel_select_by_shortcut (WmClassesPanel *self,
                                     const char     *shortcut)
{
  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), FALSE);
  g_return_val_if_fail (shortcut != NULL, FALSE);

  for (guint i = 0; i < self->classes->len; i++)
    {
      const WmClass *klass = g_ptr_array_index (self->classes, i);

      if (klass->shortcut != NULL && g_ascii_strcasecmp (klass->shortcut, shortcut) == 0)
        {
          wm_classes_panel_set_current_class_id (self, klass->id);
          return TRUE;
        }
    }

  return FALSE;
}

guint
wm_classes_panel_get_n_classes (WmClassesPanel *self)
{
  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), 0);

  return self->classes->len;
}

GtkWidget *
wm_classes_panel_edit_class (WmClassesPanel *self,
                             gint64          class_id)
{
  g_autoptr(GError) error = NULL;
  WmClassEditor *editor;
  GtkRoot *root;

  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), NULL);
  g_return_val_if_fail (self->store != NULL, NULL);

  editor = wm_class_editor_new (self->store, class_id,
                                default_colors[self->classes->len % G_N_ELEMENTS (default_colors)],
                                &error);
  if (editor == NULL)
    {
      show_error (self, error->message);
      return NULL;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (editor));

  return GTK_WIDGET (editor);
}

gboolean
wm_classes_panel_remove_class (WmClassesPanel  *self,
                               gint64           class_id,
                               GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WM_IS_CLASSES_PANEL (self), FALSE);
  g_return_val_if_fail (self->store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (wm_store_remove_class (self->store, class_id, &local_error))
    return TRUE;

  if (g_error_matches (local_error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE))
    {
      const char *name = "";

      for (guint i = 0; i < self->classes->len; i++)
        if (((const WmClass *) g_ptr_array_index (self->classes, i))->id == class_id)
          name = ((const WmClass *) g_ptr_array_index (self->classes, i))->name;

      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE,
                   _("The class “%s” still has labels; relabel or remove them first."), name);
      return FALSE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
