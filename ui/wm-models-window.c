/* wm-models-window.c — the project's models: import, inspect, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "wm-model-file.h"
#include "wm-models-window.h"

struct _WmModelsWindow
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  GtkStack            *stack;
  AdwPreferencesGroup *models_group;

  WmStore             *store;
  GPtrArray           *rows;          /* the AdwExpanderRows shown, one per model */
  char                *last_message;
};

G_DEFINE_FINAL_TYPE (WmModelsWindow, wm_models_window, ADW_TYPE_WINDOW)

enum {
  MODELS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_message (WmModelsWindow *self,
              const char     *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Errors start with the file's or the project's path; the toast names the
 * file once, by its name. */
static const char *
strip_path (const char *message,
            const char *path)
{
  gsize length = path != NULL ? strlen (path) : 0;

  if (length > 0 && g_str_has_prefix (message, path) && g_str_has_prefix (message + length, ": "))
    return message + length + 2;
  return message;
}

/* ---- Rows ----------------------------------------------------------------- */

static void
add_detail (AdwExpanderRow *expander,
            const char     *title,
            const char     *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value != '\0' ? value : "–");
  adw_expander_row_add_row (expander, row);
}

static void
on_remove_clicked (GtkButton      *button,
                   WmModelsWindow *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "model-id"));

  /* The outcome, good or bad, is shown as a toast. */
  wm_models_window_remove_model (self, id, NULL);
}

static char *
variant_text (const char *variant)
{
  if (g_str_equal (variant, "int8"))
    return g_strdup (_("int8: the device’s integer arithmetic, for microcontrollers"));
  if (g_str_equal (variant, "f32"))
    return g_strdup (_("f32: floating point, for gateways"));
  return g_strdup (variant);
}

/* What the model file says of itself: its data context, what a device
 * needs, and what the model hears. */
static void
add_description_details (AdwExpanderRow           *row,
                         const WmModelDescription *d)
{
  const WmModelFrontend *fe = &d->frontend;
  g_autofree char *buffer_text = NULL;
  g_autofree char *frontend_text = NULL;

  /* Translators: what a device needs: "RAM 4856 bytes for buffers, flash 24880 bytes for the model" */
  buffer_text = g_strdup_printf (_("RAM %" PRId64 " bytes for buffers, flash %" PRId64
                                   " bytes for the model"),
                                 (gint64) d->classifier_ram_bytes, (gint64) d->model_bytes);
  /* Translators: "logmel, 16000 Hz, 1 channel(s), windows of 16192 frames, hop 1600" */
  frontend_text = g_strdup_printf (_("%s, %" PRId64 " Hz, %" PRId64 " channel(s), windows of %"
                                     PRId64 " frames, hop %" PRId64),
                                   wm_model_frontend_kind_name (fe->kind),
                                   (gint64) fe->sample_rate, (gint64) fe->n_channels,
                                   (gint64) fe->window_frames, (gint64) fe->hop_frames);

  add_detail (row, _("Use case"), d->use_case);
  add_detail (row, _("Device types"), d->device_types);
  add_detail (row, _("Dataset hash"), d->dataset_hash);
  add_detail (row, _("Created at"), d->created_at);
  add_detail (row, _("Device buffers"), buffer_text);
  add_detail (row, _("Front-end"), frontend_text);
}

static char *
usage_text (WmModelsWindow *self,
            gint64          model_id)
{
  g_autoptr(GError) error = NULL;
  gint64 n_runs = 0, n_labels = 0, n_items = 0;

  if (!wm_store_get_model_usage (self->store, model_id, &n_runs, &n_labels, &n_items, &error))
    return g_strdup (error->message);
  if (n_runs == 0)
    return g_strdup (_("Not used yet: it can be removed"));
  /* Translators: why a model cannot be removed */
  return g_strdup_printf (_("In use by %" PRId64 " auto-label run(s) with %" PRId64
                            " label(s) and %" PRId64 " review item(s): it stays while "
                            "they keep its results"),
                          n_runs, n_labels, n_items);
}

static GtkWidget *
model_row_new (WmModelsWindow      *self,
               const WmStoredModel *model)
{
  g_autoptr(GError) file_error = NULL;
  g_autoptr(WmModelFile) file = wm_model_file_new_from_store (self->store, model, &file_error);
  g_autoptr(WmModelDescription) d = file != NULL ? wm_model_file_describe (file) : NULL;
  g_autofree char *classes = d != NULL ? wm_model_description_join_classes (d) : g_strdup ("");
  g_autofree char *title = g_strdup_printf ("%s %s", model->name, model->version);
  g_autofree char *subtitle = NULL;
  g_autofree char *variant = variant_text (model->variant);
  g_autofree char *file_text = NULL;
  g_autofree char *size = g_format_size ((guint64) model->size);
  g_autofree char *usage = usage_text (self, model->id);
  g_autoptr(GDateTime) imported = g_date_time_new_from_unix_local (model->imported_at / G_USEC_PER_SEC);
  g_autofree char *imported_text = imported != NULL ? g_date_time_format (imported, "%Y-%m-%d %H:%M") : NULL;
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* Translators: the model's variant, then its classes: "int8 · background, stop, go" */
  subtitle = g_strdup_printf (_("%s · %s"), model->variant, classes);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Model"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove Model"), -1);
  g_object_set_data (G_OBJECT (remove), "model-id", GSIZE_TO_POINTER ((gsize) model->id));
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), remove);

  /* Translators: file size and SHA-256: "24.9 kB · SHA-256 a71c…" */
  file_text = g_strdup_printf (_("%s · SHA-256 %s"), size, model->sha256);

  /* A file the project holds but that no longer reads says why, in place of its details. */
  if (file_error != NULL)
    add_detail (ADW_EXPANDER_ROW (row), _("Problem"),
                strip_path (file_error->message, wm_store_get_path (self->store)));
  add_detail (ADW_EXPANDER_ROW (row), _("Variant"), variant);
  add_detail (ADW_EXPANDER_ROW (row), _("Classes"), classes);
  if (d != NULL)
    add_description_details (ADW_EXPANDER_ROW (row), d);
  add_detail (ADW_EXPANDER_ROW (row), _("File"), file_text);
  add_detail (ADW_EXPANDER_ROW (row), _("Imported"), imported_text);
  add_detail (ADW_EXPANDER_ROW (row), _("Use"), usage);

  g_object_set_data (G_OBJECT (row), "model-id", GSIZE_TO_POINTER ((gsize) model->id));
  return row;
}

void
wm_models_window_reload (WmModelsWindow *self)
{
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WM_IS_MODELS_WINDOW (self));

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->models_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);

  models = self->store != NULL ? wm_store_list_models (self->store, &error) : NULL;
  if (models == NULL && error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the models: %s"),
                                                  error->message);
      show_message (self, message);
    }

  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      GtkWidget *row = model_row_new (self, models->pdata[i]);

      g_ptr_array_add (self->rows, row);
      adw_preferences_group_add (self->models_group, row);
    }

  gtk_stack_set_visible_child_name (self->stack, self->rows->len > 0 ? "list" : "empty");
}

/* ---- Import --------------------------------------------------------------- */

static void
on_import_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  WmModelsWindow *self = WM_MODELS_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      wm_models_window_import_files (self, (GFile **) array->pdata, array->len);
    }

  g_object_unref (dialog);
  g_object_unref (self);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) models = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Import Models"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  gtk_file_filter_set_name (models, _("Waymark models"));
  gtk_file_filter_add_pattern (models, "*.wmm");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), models);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_response), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
on_drop (WmModelsWindow *self,
         const GValue   *value,
         double          x,
         double          y,
         GtkDropTarget  *target)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  wm_models_window_import_files (self, (GFile **) files->pdata, files->len);
  return files->len > 0;
}

/* ---- GObject ---------------------------------------------------------------- */

static void
wm_models_window_dispose (GObject *object)
{
  WmModelsWindow *self = WM_MODELS_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WM_TYPE_MODELS_WINDOW);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_models_window_parent_class)->dispose (object);
}

static void
wm_models_window_finalize (GObject *object)
{
  WmModelsWindow *self = WM_MODELS_WINDOW (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (wm_models_window_parent_class)->finalize (object);
}

static void
wm_models_window_class_init (WmModelsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_models_window_dispose;
  object_class->finalize = wm_models_window_finalize;

  signals[MODELS_CHANGED] =
    g_signal_new ("models-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-models-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WmModelsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WmModelsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WmModelsWindow, models_group);
  gtk_widget_class_bind_template_callback (widget_class, on_drop);

  gtk_widget_class_install_action (widget_class, "models.import", NULL, import_action);
}

static void
wm_models_window_init (WmModelsWindow *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- Public API ------------------------------------------------------------- */

GtkWidget *
wm_models_window_new (GtkWindow *parent,
                      WmStore   *store)
{
  WmModelsWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  self = g_object_new (WM_TYPE_MODELS_WINDOW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.import", !wm_store_is_read_only (store));
  wm_models_window_reload (self);
  return GTK_WIDGET (self);
}

WmStore *
wm_models_window_get_store (WmModelsWindow *self)
{
  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), NULL);

  return self->store;
}

gint64
wm_models_window_import_file (WmModelsWindow  *self,
                              GFile           *file,
                              GError         **error)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  gboolean existed = FALSE;
  gint64 id;

  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), 0);
  g_return_val_if_fail (G_IS_FILE (file), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  path = g_file_get_path (file);
  name = g_file_get_basename (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: only local files can be imported"), uri);
      message = g_strdup_printf (_("Could not import “%s”: only local files can be imported"), uri);
      show_message (self, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  model = wm_model_file_new_from_path (path, &local_error);
  id = model != NULL ? wm_model_file_add_to_store (model, self->store, path, &existed, &local_error) : 0;
  if (id == 0)
    {
      const char *reason = strip_path (strip_path (local_error->message, path),
                                       wm_store_get_path (self->store));

      /* Translators: "Could not import “kws.wmm”: not a valid Waymark model: bad CRC" */
      message = g_strdup_printf (_("Could not import “%s”: %s"), name, reason);
      show_message (self, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  if (existed)
    message = g_strdup_printf (_("Model %s %s (%s) from “%s” is in the project already"),
                               wm_model_file_get_name (model), wm_model_file_get_version (model),
                               wm_model_file_get_variant (model), name);
  else
    message = g_strdup_printf (_("Imported model %s %s (%s) from “%s”"),
                               wm_model_file_get_name (model), wm_model_file_get_version (model),
                               wm_model_file_get_variant (model), name);
  show_message (self, message);
  wm_models_window_reload (self);
  if (!existed)
    g_signal_emit (self, signals[MODELS_CHANGED], 0);
  return id;
}

void
wm_models_window_import_files (WmModelsWindow  *self,
                               GFile          **files,
                               guint            n_files)
{
  g_return_if_fail (WM_IS_MODELS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  for (guint i = 0; i < n_files; i++)
    wm_models_window_import_file (self, files[i], NULL);
}

gboolean
wm_models_window_remove_model (WmModelsWindow  *self,
                               gint64           model_id,
                               GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  models = wm_store_list_models (self->store, NULL);
  for (guint i = 0; models != NULL && i < models->len && title == NULL; i++)
    {
      WmStoredModel *m = models->pdata[i];

      if (m->id == model_id)
        title = g_strdup_printf ("%s %s (%s)", m->name, m->version, m->variant);
    }

  if (!wm_store_remove_model (self->store, model_id, &local_error))
    {
      /* Translators: "Model kws 1.0 (int8) stays: the model is in use by 1 auto-label run…" */
      message = g_strdup_printf (_("Model %s stays: %s"), title != NULL ? title : "",
                                 strip_path (local_error->message, wm_store_get_path (self->store)));
      show_message (self, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  message = g_strdup_printf (_("Removed model %s"), title != NULL ? title : "");
  show_message (self, message);
  wm_models_window_reload (self);
  g_signal_emit (self, signals[MODELS_CHANGED], 0);
  return TRUE;
}

guint
wm_models_window_get_n_models (WmModelsWindow *self)
{
  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), 0);

  return self->rows->len;
}

GtkWidget *
wm_models_window_get_row (WmModelsWindow *self,
                          gint64          model_id)
{
  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    if (GPOINTER_TO_SIZE (g_object_get_data (self->rows->pdata[i], "model-id")) == (gsize) model_id)
      return self->rows->pdata[i];
  return NULL;
}

const char *
wm_models_window_get_last_message (WmModelsWindow *self)
{
  g_return_val_if_fail (WM_IS_MODELS_WINDOW (self), NULL);

  return self->last_message;
}
