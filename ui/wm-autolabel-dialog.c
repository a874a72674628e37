/* wm-autolabel-dialog.c — auto-label recordings with a model of the project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run goes through wm_autolabel_run (the code `waymark-cli autolabel`
 * runs) in a worker thread with its own connection to the project, one
 * recording after the other, so that each recording's labels are in the
 * project, and shown, as soon as it is done; the model itself runs on every
 * core.  Nothing in the worker touches GTK or the window's store: progress
 * and finished recordings come back to the main thread by
 * g_main_context_invoke, where the store is told ("labels-changed").
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "wm-autolabel-dialog.h"
#include "wm-autolabel.h"
#include "wm-model-file.h"

typedef struct {
  char          *name;
  guint          k;        /* the class's index in the model */
  GtkWidget     *row;
  GtkCheckButton *check;
  GtkSpinButton *spin;
} ClassRow;

struct _WmAutolabelDialog
{
  AdwWindow            parent_instance;

  GtkStack            *stack;
  AdwComboRow         *model_row;
  AdwComboRow         *recordings_row;
  AdwPreferencesGroup *classes_group;
  GtkSpinButton       *margin_spin;
  GtkWidget           *progress_box;
  GtkProgressBar      *progress_bar;
  GtkLabel            *status_label;

  WmStore             *store;
  gint64               selected_recording_id;
  GPtrArray           *models;         /* WmStoredModel, in the combo's order */
  WmModelFile         *model;          /* the one chosen */
  GArray              *class_rows;     /* ClassRow */

  GCancellable        *cancellable;
  gboolean             running;
  double               fraction;
  gboolean             told_classes;   /* classes-changed sent during this run */
  WmAutolabelSummary  *summary;
  char                *error_message;
  GArray              *done_recordings;
};

G_DEFINE_FINAL_TYPE (WmAutolabelDialog, wm_autolabel_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RECORDING_DONE,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
class_row_clear (ClassRow *row)
{
  g_clear_pointer (&row->name, g_free);
}

static void
update_actions (WmAutolabelDialog *self)
{
  gboolean writable = self->store != NULL && !wm_store_is_read_only (self->store);
  gboolean any_class = FALSE;

  for (guint i = 0; i < self->class_rows->len; i++)
    any_class = any_class || gtk_check_button_get_active (g_array_index (self->class_rows, ClassRow, i).check);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "autolabel.run",
                                 writable && !self->running && self->model != NULL && any_class);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "autolabel.cancel", self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_row), !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recordings_row), !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->classes_group), !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->margin_spin), !self->running);
}

static void
set_status (WmAutolabelDialog *self,
            const char        *text)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (self->progress_box, TRUE);
}

static void
set_fraction (WmAutolabelDialog *self,
              double             fraction)
{
  g_autofree char *text = NULL;

  self->fraction = CLAMP (fraction, 0.0, 1.0);
  /* Translators: progress of an auto-label run, "42 %" */
  text = g_strdup_printf (_("%.0f %%"), 100 * self->fraction);
  gtk_progress_bar_set_fraction (self->progress_bar, self->fraction);
  gtk_progress_bar_set_text (self->progress_bar, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

/* ---- Classes ---------------------------------------------------------------- */

static ClassRow *
find_class_row (WmAutolabelDialog *self,
                const char        *name)
{
  for (guint i = 0; i < self->class_rows->len; i++)
    {
      ClassRow *row = &g_array_index (self->class_rows, ClassRow, i);

      if (g_str_equal (row->name, name))
        return row;
    }
  return NULL;
}

static void
rebuild_classes (WmAutolabelDialog *self)
{
  g_autoptr(WmRun) run = NULL;
  gint64 model_id = wm_autolabel_dialog_get_model_id (self);

  for (guint i = 0; i < self->class_rows->len; i++)
    adw_preferences_group_remove (self->classes_group,
                                  g_array_index (self->class_rows, ClassRow, i).row);
  g_array_set_size (self->class_rows, 0);

  if (self->model == NULL)
    return;

  /* A model that ran before starts from that run's settings: Run again
   * resumes it. */
  run = wm_store_find_run_for_model (self->store, model_id, NULL);
  if (run != NULL)
    gtk_spin_button_set_value (self->margin_spin, run->margin);

  for (guint k = 0; k < wm_model_file_get_n_classes (self->model); k++)
    {
      const char *name = wm_model_file_get_class_name (self->model, k);
      double threshold = WM_AUTOLABEL_DEFAULT_THRESHOLD;
      gboolean enabled = TRUE;
      ClassRow row = { 0 };

      if (g_ascii_strcasecmp (name, WM_AUTOLABEL_BACKGROUND) == 0)
        continue;
      if (run != NULL && k < wm_run_get_n_classes (run))
        {
          g_autoptr(WmLabelRule) rule = wm_label_rule_new_for_run (run);

          enabled = rule->classes[k].enabled;
          threshold = rule->classes[k].threshold;
        }

      row.name = g_strdup (name);
      row.k = k;
      row.row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row.row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row.row), FALSE);
      row.check = GTK_CHECK_BUTTON (gtk_check_button_new ());
      gtk_widget_set_valign (GTK_WIDGET (row.check), GTK_ALIGN_CENTER);
      gtk_check_button_set_active (row.check, enabled);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row.check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row.row), GTK_WIDGET (row.check));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row.row), GTK_WIDGET (row.check));
      row.spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0.0, 1.0, 0.01));
      gtk_spin_button_set_digits (row.spin, 3);
      gtk_spin_button_set_value (row.spin, threshold);
      gtk_widget_set_valign (GTK_WIDGET (row.spin), GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (GTK_WIDGET (row.spin), _("Threshold"));
      g_object_bind_property (row.check, "active", row.spin, "sensitive", G_BINDING_SYNC_CREATE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row.row), GTK_WIDGET (row.spin));
      g_signal_connect_swapped (row.check, "notify::active", G_CALLBACK (update_actions), self);
      adw_preferences_group_add (self->classes_group, row.row);
      g_array_append_val (self->class_rows, row);
    }
}

static void
on_model_selected (WmAutolabelDialog *self)
{
  guint position = adw_combo_row_get_selected (self->model_row);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  WmStoredModel *stored;

  if (self->running || self->models == NULL)
    return;

  g_clear_pointer (&self->model, wm_model_file_unref);
  if (position < self->models->len)
    {
      g_autofree char *origin = NULL;

      stored = self->models->pdata[position];
      origin = g_strdup_printf ("%s %s (%s)", stored->name, stored->version, stored->variant);
      bytes = wm_store_get_model_file (self->store, stored->id, &error);
      if (bytes != NULL)
        self->model = wm_model_file_new_from_bytes (bytes, origin, &error);
      if (self->model == NULL)
        set_status (self, error->message);
    }
  rebuild_classes (self);
  update_actions (self);
}

static void
reload_models (WmAutolabelDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->models, g_ptr_array_unref);
  self->models = wm_store_list_models (self->store, &error);
  if (self->models == NULL)
    {
      set_status (self, error->message);
      self->models = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_stored_model_free);
    }
  for (guint i = 0; i < self->models->len; i++)
    {
      WmStoredModel *m = self->models->pdata[i];
      /* Translators: a model in the list: "voice-commands 1.0 (int8)" */
      g_autofree char *title = g_strdup_printf (_("%s %s (%s)"), m->name, m->version, m->variant);

      gtk_string_list_append (names, title);
    }
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (names));
  gtk_stack_set_visible_child_name (self->stack, self->models->len > 0 ? "form" : "empty");
  on_model_selected (self);
}

/* ---- The worker ----------------------------------------------------------- */

typedef struct {
  char         *store_path;
  WmModelFile  *model;
  gint64        model_id;
  WmLabelRule  *rule;
  GArray       *recording_ids;   /* gint64; NULL: let wm_autolabel_run pick (and explain) */
  char         *author;
  GMainContext *context;
  GWeakRef      dialog;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->store_path);
  wm_model_file_unref (data->model);
  wm_label_rule_free (data->rule);
  g_clear_pointer (&data->recording_ids, g_array_unref);
  g_free (data->author);
  g_main_context_unref (data->context);
  g_weak_ref_clear (&data->dialog);
  g_free (data);
}

typedef struct {
  GWeakRef  dialog;
  double    fraction;
  gint64    recording_id;   /* 0: a progress update */
} Message;

static void
message_free (Message *message)
{
  g_weak_ref_clear (&message->dialog);
  g_free (message);
}

static gboolean
deliver_message (gpointer user_data)
{
  Message *message = user_data;
  g_autoptr(WmAutolabelDialog) self = g_weak_ref_get (&message->dialog);

  /* Gone, or destroyed (its template and store dropped) while running. */
  if (self == NULL || !self->running || self->store == NULL)
    return G_SOURCE_REMOVE;

  if (message->recording_id == 0)
    {
      set_fraction (self, message->fraction);
      return G_SOURCE_REMOVE;
    }

  /* The worker may have added the model's classes to the project. */
  if (!self->told_classes)
    {
      self->told_classes = TRUE;
      g_signal_emit_by_name (self->store, "classes-changed");
    }
  g_array_append_val (self->done_recordings, message->recording_id);
  g_signal_emit_by_name (self->store, "labels-changed", message->recording_id);
  g_signal_emit (self, signals[RECORDING_DONE], 0, message->recording_id);
  set_fraction (self, message->fraction);
  return G_SOURCE_REMOVE;
}

static void
post_message (RunData *data,
              double   fraction,
              gint64   recording_id)
{
  Message *message = g_new0 (Message, 1);
  g_autoptr(GObject) dialog = g_weak_ref_get (&data->dialog);

  g_weak_ref_init (&message->dialog, dialog);
  message->fraction = fraction;
  message->recording_id = recording_id;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, deliver_message, message,
                              (GDestroyNotify) message_free);
}

typedef struct {
  RunData *data;
  double   fraction;   /* of all windows to compute */
  double   posted;
} Progress;

static void
on_progress (gint64   windows_done,
             gint64   windows_total,
             gpointer user_data)
{
  Progress *p = user_data;

  p->fraction = windows_total > 0 ? (double) windows_done / windows_total : 1.0;
  /* Every half percent is enough for a progress bar. */
  if (p->fraction - p->posted < 0.005 && windows_done < windows_total)
    return;
  p->posted = p->fraction;
  post_message (p->data, p->fraction, 0);
}

static void
on_recording_done (gint64   recording_id,
                   gpointer user_data)
{
  Progress *p = user_data;

  post_message (p->data, p->fraction, recording_id);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  WmAutolabelOptions options = { 0 };
  Progress progress = { data, 0.0, 0.0 };

  /* A connection of its own: the window's store belongs to the main thread. */
  store = wm_store_open (data->store_path, WM_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  options.model = data->model;
  options.model_id = data->model_id;
  options.rule = data->rule;
  options.recording_ids = data->recording_ids;
  options.jobs = 0;
  options.author = data->author;
  /* Each recording's labels show as soon as they are in. */
  options.recording_done = on_recording_done;
  options.recording_done_data = &progress;
  if (!wm_autolabel_run (store, &options, on_progress, &progress, cancellable, &summary, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&summary), (GDestroyNotify) wm_autolabel_summary_free);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  WmAutolabelDialog *self = WM_AUTOLABEL_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmAutolabelSummary) summary = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean complete = summary != NULL;

  self->running = FALSE;
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;

  if (!self->told_classes)
    {
      /* A failed or cancelled run may still have added classes. */
      self->told_classes = TRUE;
      g_signal_emit_by_name (self->store, "classes-changed");
    }

  if (summary != NULL)
    {
      g_autofree char *text = NULL;

      g_clear_pointer (&self->summary, wm_autolabel_summary_free);
      self->summary = g_steal_pointer (&summary);
      /* Translators: after an auto-label run */
      text = g_strdup_printf (_("Done: %" PRId64 " windows, %" PRId64 " model labels, %" PRId64
                                " review items. The report shows what the review says about "
                                "the thresholds."),
                              self->summary->windows, self->summary->labels, self->summary->review_items);
      set_fraction (self, 1.0);
      set_status (self, text);
    }
  else
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error->message);
      if (g_error_matches (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_CANCELLED))
        set_status (self, _("Stopped. The windows computed so far are kept: Run resumes the run."));
      else
        set_status (self, error->message);
    }

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0, complete);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  wm_autolabel_dialog_run (WM_AUTOLABEL_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  wm_autolabel_dialog_cancel (WM_AUTOLABEL_DIALOG (widget));
}

/* ---- GObject ---------------------------------------------------------------- */

static gboolean
wm_autolabel_dialog_close_request (GtkWindow *window)
{
  /* Closing stops the run; what was computed stays and resumes next time. */
  wm_autolabel_dialog_cancel (WM_AUTOLABEL_DIALOG (window));
  return GTK_WINDOW_CLASS (wm_autolabel_dialog_parent_class)->close_request (window);
}

static void
wm_autolabel_dialog_dispose (GObject *object)
{
  WmAutolabelDialog *self = WM_AUTOLABEL_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), WM_TYPE_AUTOLABEL_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_autolabel_dialog_parent_class)->dispose (object);
}

static void
wm_autolabel_dialog_finalize (GObject *object)
{
  WmAutolabelDialog *self = WM_AUTOLABEL_DIALOG (object);

  g_clear_pointer (&self->class_rows, g_array_unref);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_clear_pointer (&self->model, wm_model_file_unref);
  g_clear_pointer (&self->summary, wm_autolabel_summary_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->done_recordings, g_array_unref);

  G_OBJECT_CLASS (wm_autolabel_dialog_parent_class)->finalize (object);
}

static void
wm_autolabel_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WmAutolabelDialog *self = WM_AUTOLABEL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_autolabel_dialog_class_init (WmAutolabelDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wm_autolabel_dialog_dispose;
  object_class->finalize = wm_autolabel_dialog_finalize;
  object_class->get_property = wm_autolabel_dialog_get_property;
  window_class->close_request = wm_autolabel_dialog_close_request;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RECORDING_DONE] =
    g_signal_new ("recording-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-autolabel-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, model_row);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, recordings_row);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, classes_group);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, margin_spin);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, WmAutolabelDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_model_selected);

  gtk_widget_class_install_action (widget_class, "autolabel.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "autolabel.cancel", NULL, cancel_action);
}

static void
wm_autolabel_dialog_init (WmAutolabelDialog *self)
{
  self->class_rows = g_array_new (FALSE, TRUE, sizeof (ClassRow));
  g_array_set_clear_func (self->class_rows, (GDestroyNotify) class_row_clear);
  self->done_recordings = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- Public API ------------------------------------------------------------- */

GtkWidget *
wm_autolabel_dialog_new (GtkWindow *parent,
                         WmStore   *store,
                         gint64     selected_recording_id)
{
  WmAutolabelDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  self = g_object_new (WM_TYPE_AUTOLABEL_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->selected_recording_id = selected_recording_id;
  if (selected_recording_id > 0)
    {
      g_autoptr(WmRecording) recording = wm_store_get_recording (store, selected_recording_id, NULL);

      if (recording != NULL)
        {
          g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
          /* Translators: the recordings an auto-label run covers: "Only “voice.wav”" */
          g_autofree char *only = g_strdup_printf (_("Only “%s”"), recording->name);

          gtk_string_list_append (choices, _("All recordings the model fits"));
          gtk_string_list_append (choices, only);
          adw_combo_row_set_model (self->recordings_row, G_LIST_MODEL (choices));
        }
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->recordings_row), FALSE);
  reload_models (self);
  update_actions (self);
  return GTK_WIDGET (self);
}

gboolean
wm_autolabel_dialog_set_model (WmAutolabelDialog *self,
                               gint64             model_id)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), FALSE);

  for (guint i = 0; i < self->models->len; i++)
    if (((WmStoredModel *) self->models->pdata[i])->id == model_id)
      {
        if (adw_combo_row_get_selected (self->model_row) != i)
          adw_combo_row_set_selected (self->model_row, i);
        return TRUE;
      }
  return FALSE;
}

gint64
wm_autolabel_dialog_get_model_id (WmAutolabelDialog *self)
{
  guint position;

  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), 0);

  position = adw_combo_row_get_selected (self->model_row);
  if (self->models == NULL || position >= self->models->len)
    return 0;
  return ((WmStoredModel *) self->models->pdata[position])->id;
}

gboolean
wm_autolabel_dialog_set_class_enabled (WmAutolabelDialog *self,
                                       const char        *class_name,
                                       gboolean           enabled)
{
  ClassRow *row;

  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), FALSE);
  g_return_val_if_fail (class_name != NULL, FALSE);

  row = find_class_row (self, class_name);
  if (row == NULL)
    return FALSE;
  gtk_check_button_set_active (row->check, enabled);
  return TRUE;
}

gboolean
wm_autolabel_dialog_set_threshold (WmAutolabelDialog *self,
                                   const char        *class_name,
                                   double             threshold)
{
  ClassRow *row;

  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), FALSE);
  g_return_val_if_fail (class_name != NULL, FALSE);

  row = find_class_row (self, class_name);
  if (row == NULL)
    return FALSE;
  gtk_spin_button_set_value (row->spin, threshold);
  return TRUE;
}

double
wm_autolabel_dialog_get_threshold (WmAutolabelDialog *self,
                                   const char        *class_name)
{
  ClassRow *row;

  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), -1.0);
  g_return_val_if_fail (class_name != NULL, -1.0);

  row = find_class_row (self, class_name);
  return row != NULL ? gtk_spin_button_get_value (row->spin) : -1.0;
}

void
wm_autolabel_dialog_set_margin (WmAutolabelDialog *self,
                                double             margin)
{
  g_return_if_fail (WM_IS_AUTOLABEL_DIALOG (self));

  gtk_spin_button_set_value (self->margin_spin, margin);
}

double
wm_autolabel_dialog_get_margin (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), 0.0);

  return gtk_spin_button_get_value (self->margin_spin);
}

void
wm_autolabel_dialog_set_all_recordings (WmAutolabelDialog *self,
                                        gboolean           all)
{
  g_return_if_fail (WM_IS_AUTOLABEL_DIALOG (self));

  adw_combo_row_set_selected (self->recordings_row, all ? 0 : 1);
}

gboolean
wm_autolabel_dialog_run (WmAutolabelDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  RunData *data;
  gboolean all;
  guint n_classes;

  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), FALSE);

  if (self->running || self->model == NULL || wm_store_is_read_only (self->store))
    return FALSE;

  n_classes = wm_model_file_get_n_classes (self->model);
  data = g_new0 (RunData, 1);
  data->store_path = g_strdup (wm_store_get_path (self->store));
  data->model = wm_model_file_ref (self->model);
  data->model_id = wm_autolabel_dialog_get_model_id (self);
  {
    const wm_model_t *m = wm_model_file_get_model (self->model);
    g_auto(GStrv) class_names = g_new0 (char *, n_classes + 1);

    for (guint k = 0; k < n_classes; k++)
      class_names[k] = g_strdup (wm_model_file_get_class_name (self->model, k));
    data->rule = wm_label_rule_new (class_names, wm_model_window_frames (m), wm_model_hop_frames (m));
  }
  for (guint i = 0; i < self->class_rows->len; i++)
    {
      ClassRow *row = &g_array_index (self->class_rows, ClassRow, i);

      data->rule->classes[row->k].threshold = gtk_spin_button_get_value (row->spin);
      data->rule->classes[row->k].enabled = gtk_check_button_get_active (row->check);
    }
  data->rule->margin = gtk_spin_button_get_value (self->margin_spin);
  data->author = g_strdup (g_get_user_name ());
  data->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&data->dialog, self);

  /* The recordings, in the sidebar's order. */
  all = self->selected_recording_id <= 0 || adw_combo_row_get_selected (self->recordings_row) == 0;
  recordings = wm_store_list_recordings (self->store, &error);
  if (recordings != NULL)
    {
      data->recording_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < recordings->len; i++)
        {
          WmRecording *r = recordings->pdata[i];

          if (all ? wm_model_file_check_recording (self->model, r, NULL)
                  : r->id == self->selected_recording_id)
            g_array_append_val (data->recording_ids, r->id);
        }
    }
  /* None fits (or the list failed): wm_autolabel_run says why. */
  if (recordings == NULL || data->recording_ids->len == 0)
    g_clear_pointer (&data->recording_ids, g_array_unref);

  self->running = TRUE;
  self->told_classes = FALSE;
  g_clear_pointer (&self->summary, wm_autolabel_summary_free);
  g_clear_pointer (&self->error_message, g_free);
  g_array_set_size (self->done_recordings, 0);
  self->cancellable = g_cancellable_new ();
  set_fraction (self, 0.0);
  set_status (self, _("Running the model over every window…"));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  task = g_task_new (self, self->cancellable, on_run_done, NULL);
  g_task_set_source_tag (task, wm_autolabel_dialog_run);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  /* The worker checks the cancellable itself, and returns CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_in_thread);
  return TRUE;
}

void
wm_autolabel_dialog_cancel (WmAutolabelDialog *self)
{
  g_return_if_fail (WM_IS_AUTOLABEL_DIALOG (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
wm_autolabel_dialog_get_running (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), FALSE);

  return self->running;
}

double
wm_autolabel_dialog_get_fraction (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), 0.0);

  return self->fraction;
}

const WmAutolabelSummary *
wm_autolabel_dialog_get_summary (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), NULL);

  return self->summary;
}

const char *
wm_autolabel_dialog_get_error_message (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), NULL);

  return self->error_message;
}

GArray *
wm_autolabel_dialog_get_done_recordings (WmAutolabelDialog *self)
{
  g_return_val_if_fail (WM_IS_AUTOLABEL_DIALOG (self), NULL);

  return self->done_recordings;
}
