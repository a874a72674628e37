/* wm-window.c — the main window: start page, recordings, recording view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wm-import.h"
#include "wm-recording-item.h"
#include "wm-window-private.h"

#define MAX_RECENT_PROJECTS 10

G_DEFINE_FINAL_TYPE (WmWindow, wm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_IMPORTING,
  PROP_IMPORT_FRACTION,
  PROP_SELECTED_RECORDING_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void import_next (WmWindow *self);

static WmRecordingItem *
get_selected_item (WmWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
update_content_title (WmWindow *self)
{
  WmRecordingItem *item = get_selected_item (self);
  const WmRecording *recording;
  g_autofree char *duration = NULL;
  g_autofree char *details = NULL;

  if (item == NULL)
    {
      adw_window_title_set_title (self->content_title, "");
      adw_window_title_set_subtitle (self->content_title, "");
      return;
    }

  recording = wm_recording_item_get_recording (item);
  duration = wm_format_duration (wm_recording_get_duration (recording));
  if (recording->uploading)
    {
      g_autofree char *status = wm_recording_item_dup_upload_status (item);

      /* Translators: upload state, duration and sample rate of the recording
       * shown, "Uploading from imu-7 · 3:00.0 · 100 Hz" */
      details = g_strdup_printf (_("%s · %s · %g Hz"), status, duration, recording->sample_rate);
    }
  else
    /* Translators: duration and sample rate of the recording shown, "3:00.0 · 16000 Hz" */
    details = g_strdup_printf (_("%s · %g Hz"), duration, recording->sample_rate);
  adw_window_title_set_title (self->content_title, wm_recording_item_get_name (item));
  adw_window_title_set_subtitle (self->content_title, details);
}

static void
update_sidebar_page (WmWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0;

  gtk_stack_set_visible_child_name (self->sidebar_stack, empty ? "empty" : "list");
}

/* The recording info popover shows the selected recording as it is now. */
static void
update_recording_info (WmWindow *self)
{
  WmRecordingItem *item = get_selected_item (self);
  g_autoptr(WmUploadStream) upload = NULL;
  g_autoptr(GError) error = NULL;

  if (item != NULL && self->store != NULL)
    {
      upload = wm_store_get_recording_upload (self->store, wm_recording_item_get_id (item), &error);
      if (upload == NULL && error != NULL)
        g_warning ("Could not read the upload of recording %" G_GINT64_FORMAT " in %s: %s",
                   wm_recording_item_get_id (item), wm_store_get_path (self->store), error->message);
    }
  wm_recording_info_set_recording (self->recording_info,
                                   item != NULL ? wm_recording_item_get_recording (item) : NULL,
                                   upload);
}

static void
on_selected_item_changed (WmWindow *self)
{
  WmRecordingItem *item = get_selected_item (self);
  gint64 recording_id = item != NULL ? wm_recording_item_get_id (item) : 0;

  if (wm_player_get_recording_id (self->player) != recording_id)
    wm_player_stop (self->player);

  if (recording_id != wm_recording_view_get_recording_id (self->recording_view))
    {
      wm_recording_view_set_selection (self->recording_view, -1, -1);
      wm_recording_view_set_recording_id (self->recording_view, recording_id);
    }

  gtk_stack_set_visible_child_name (self->content_stack, item != NULL ? "recording" : "empty");
  update_content_title (self);
  update_recording_info (self);
  _wm_window_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_RECORDING_ID]);
}

static void
reload_recordings (WmWindow *self)
{
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 selected_id = wm_window_get_selected_recording_id (self);

  if (self->store == NULL)
    {
      g_list_store_remove_all (self->recordings);
      update_sidebar_page (self);
      return;
    }

  recordings = wm_store_list_recordings (self->store, &error);
  if (recordings == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the recordings: %s"),
                                                  error->message);
      wm_window_show_message (self, message);
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < recordings->len; i++)
    {
      const WmRecording *recording = g_ptr_array_index (recordings, i);

      g_ptr_array_add (items, wm_recording_item_new (recording,
                                                     wm_store_count_labels (self->store,
                                                                            recording->id)));
    }

  g_list_store_splice (self->recordings, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->recordings)),
                       items->pdata, items->len);

  if (selected_id == 0 || !wm_window_select_recording (self, selected_id))
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  update_sidebar_page (self);
}

static void
on_store_labels_changed (WmWindow *self,
                         gint64    recording_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->recordings));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WmRecordingItem) item = g_list_model_get_item (G_LIST_MODEL (self->recordings), i);
      gint64 id = wm_recording_item_get_id (item);

      if (recording_id == 0 || recording_id == id)
        wm_recording_item_set_n_labels (item, wm_store_count_labels (self->store, id));
    }

  _wm_window_actions_update (self);
}

static void
on_store_classes_changed (WmWindow *self)
{
  wm_recording_view_reload_labels (self->recording_view);
}

static void
on_store_recordings_changed (WmWindow *self)
{
  reload_recordings (self);
}

/* ---- Changes made by other processes -------------------------------------- */

/* Brings the sidebar up to the recordings as stored, item by item, so that
 * the selection and the view stay: removed ones go, new ones (higher ids,
 * listed last) are added, the others are updated in place. */
static void
sync_recordings (WmWindow *self)
{
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GError) error = NULL;
  GListModel *items = G_LIST_MODEL (self->recordings);
  gint64 shown_id = wm_recording_view_get_recording_id (self->recording_view);

  recordings = wm_store_list_recordings (self->store, &error);
  if (recordings == NULL)
    {
      g_warning ("Could not read the recordings of %s: %s", wm_store_get_path (self->store),
                 error->message);
      return;
    }
  for (guint i = 0; i < recordings->len; i++)
    {
      WmRecording *recording = g_ptr_array_index (recordings, i);

      g_hash_table_insert (by_id, &recording->id, recording);
    }

  for (guint i = g_list_model_get_n_items (items); i-- > 0;)
    {
      g_autoptr(WmRecordingItem) item = g_list_model_get_item (items, i);
      gint64 id = wm_recording_item_get_id (item);
      const WmRecording *recording = g_hash_table_lookup (by_id, &id);

      if (recording == NULL)
        {
          g_list_store_remove (self->recordings, i);
          continue;
        }
      wm_recording_item_set_recording (item, recording);
      if (id == shown_id)
        wm_recording_view_update_recording (self->recording_view, recording);
      g_hash_table_remove (by_id, &id);
    }

  for (guint i = 0; i < recordings->len; i++)
    {
      const WmRecording *recording = g_ptr_array_index (recordings, i);
      g_autoptr(WmRecordingItem) item = NULL;

      if (!g_hash_table_contains (by_id, &recording->id))
        continue;
      item = wm_recording_item_new (recording, wm_store_count_labels (self->store, recording->id));
      g_list_store_append (self->recordings, item);
    }

  update_sidebar_page (self);
}

gboolean
wm_window_poll_project (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), FALSE);

  if (self->store == NULL || !wm_store_poll_changes (self->store))
    return FALSE;

  sync_recordings (self);
  /* Labels an auto-label run or another editor made: counts and the track. */
  on_store_labels_changed (self, 0);
  wm_recording_view_reload_labels (self->recording_view);
  update_content_title (self);
  update_recording_info (self);
  return TRUE;
}

static gboolean
poll_cb (gpointer data)
{
  wm_window_poll_project (WM_WINDOW (data));
  return G_SOURCE_CONTINUE;
}

static void
set_store (WmWindow *self,
           WmStore  *store)
{
  g_autofree char *basename = NULL;

  wm_window_cancel_import (self);
  wm_player_stop (self->player);
  _wm_window_close_model_windows (self);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->labels_changed_id, self->store);
      g_clear_signal_handler (&self->classes_changed_id, self->store);
      g_clear_signal_handler (&self->recordings_changed_id, self->store);
    }

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_set_object (&self->store, store);

  wm_recording_view_set_store (self->recording_view, store);
  wm_classes_panel_set_store (self->classes_panel, store);
  wm_review_panel_set_store (self->review_panel, store);
  _wm_window_update_has_models (self);

  if (store != NULL)
    {
      self->labels_changed_id =
        g_signal_connect_swapped (store, "labels-changed",
                                  G_CALLBACK (on_store_labels_changed), self);
      self->classes_changed_id =
        g_signal_connect_swapped (store, "classes-changed",
                                  G_CALLBACK (on_store_classes_changed), self);
      self->recordings_changed_id =
        g_signal_connect_swapped (store, "recordings-changed",
                                  G_CALLBACK (on_store_recordings_changed), self);
      basename = g_path_get_basename (wm_store_get_path (store));
      /* The first poll takes note of where the project stands. */
      wm_store_poll_changes (store);
      self->poll_id = g_timeout_add_full (G_PRIORITY_LOW, WM_WINDOW_POLL_INTERVAL_MS,
                                          poll_cb, self, NULL);
    }

  reload_recordings (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);

  gtk_window_set_title (GTK_WINDOW (self), basename != NULL ? basename : _("Waymark"));
  adw_window_title_set_subtitle (self->project_title, basename != NULL ? basename : "");
  gtk_stack_set_visible_child_name (self->main_stack, store != NULL ? "project" : "start");

  _wm_window_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/* ---- Recent projects ---------------------------------------------------- */

static void
reload_recent (WmWindow *self)
{
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "recent-projects");
  g_autofree char *home = g_strdup (g_get_home_dir ());
  GtkListBoxRow *old_row;
  guint shown = 0;

  while ((old_row = gtk_list_box_get_row_at_index (self->recent_list, 0)) != NULL)
    gtk_list_box_remove (self->recent_list, GTK_WIDGET (old_row));

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *dir = NULL;
      GtkWidget *row;

      if (!g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
        continue;

      title = g_path_get_basename (paths[i]);
      dir = g_path_get_dirname (paths[i]);
      if (g_str_has_prefix (dir, home) && (dir[strlen (home)] == '/' || dir[strlen (home)] == '\0'))
        {
          char *short_dir = g_strconcat ("~", dir + strlen (home), NULL);

          g_free (dir);
          dir = short_dir;
        }

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (paths[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), shown > 0);
}

static void
add_recent (WmWindow   *self,
            const char *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_PROJECTS; i++)
    {
      if (g_strcmp0 (old[i], path) == 0)
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }

  paths = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) paths);
}

static void
on_recent_row_activated (WmWindow      *self,
                         GtkListBoxRow *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  if (!wm_window_open_project (self, file, &error))
    wm_window_show_message (self, error->message);
}

/* ---- Sidebar ------------------------------------------------------------ */

static void
on_search_changed (WmWindow       *self,
                   GtkSearchEntry *entry)
{
  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_sidebar_page (self);
}

static void
on_back_clicked (WmWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_recording_activated (WmWindow *self,
                        guint     position)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->recording_view));
}

/* ---- Import ------------------------------------------------------------- */

static void
set_import_fraction (WmWindow *self,
                     double    fraction)
{
  self->import_fraction = CLAMP (fraction, 0.0, 1.0);
  gtk_progress_bar_set_fraction (self->import_progress, self->import_fraction);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORT_FRACTION]);
}

static void
on_import_progress (double   fraction,
                    guint64  bytes_done,
                    guint64  bytes_total,
                    gpointer user_data)
{
  WmWindow *self = WM_WINDOW (user_data);

  /* The window may be gone (its template disposed) while the import ends. */
  if (self->import_n_total == 0 || self->import_progress == NULL)
    return;

  set_import_fraction (self, (self->import_n_started - 1 + CLAMP (fraction, 0.0, 1.0))
                             / self->import_n_total);
}

static gboolean
error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_error_matches (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CANCELLED);
}

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WmWindow) self = WM_WINDOW (user_data);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->importing_path);
  g_autofree char *name = g_path_get_basename (path);

  g_clear_object (&self->import_cancellable);

  if (!wm_import_file_finish (WM_STORE (source), result, &ids, &error))
    {
      g_autofree char *message = NULL;

      if (error_is_cancelled (error))
        {
          if (self->store == WM_STORE (source))
            g_queue_clear_full (&self->import_queue, g_free);
          message = g_strdup_printf (_("Import of “%s” cancelled"), name);
        }
      else
        {
          /* Import errors start with the file's path; the toast names the
           * file once, by its name. */
          const char *reason = error->message;

          if (g_str_has_prefix (reason, path) && g_str_has_prefix (reason + strlen (path), ": "))
            reason += strlen (path) + 2;
          message = g_strdup_printf (_("Could not import “%s”: %s"), name, reason);
        }

      if (self->store == WM_STORE (source))
        wm_window_show_message (self, message);
    }
  else if (self->store == WM_STORE (source))
    {
      reload_recordings (self);
      if (ids != NULL && ids->len > 0)
        wm_window_select_recording (self, g_array_index (ids, gint64, 0));
    }

  if (self->import_revealer != NULL)
    import_next (self);
}

static void
import_next (WmWindow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  WmImportOptions options;

  g_clear_pointer (&self->importing_path, g_free);
  self->importing_path = g_queue_pop_head (&self->import_queue);

  if (self->importing_path == NULL || self->store == NULL)
    {
      g_clear_pointer (&self->importing_path, g_free);
      self->import_n_total = 0;
      self->import_n_started = 0;
      gtk_revealer_set_reveal_child (self->import_revealer, FALSE);
      set_import_fraction (self, 0.0);
      _wm_window_actions_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORTING]);
      return;
    }

  self->import_n_started++;
  name = g_path_get_basename (self->importing_path);
  if (self->import_n_total > 1)
    /* Translators: "Importing “rec.wav” (2 of 5)…" */
    label = g_strdup_printf (_("Importing “%s” (%u of %u)…"), name,
                             self->import_n_started, self->import_n_total);
  else
    label = g_strdup_printf (_("Importing “%s”…"), name);
  gtk_label_set_text (self->import_label, label);
  gtk_revealer_set_reveal_child (self->import_revealer, TRUE);
  set_import_fraction (self, (self->import_n_started - 1.0) / self->import_n_total);

  self->import_cancellable = g_cancellable_new ();
  wm_import_options_init (&options);
  wm_import_file_async (self->store, self->importing_path, &options,
                        on_import_progress, g_object_ref (self), g_object_unref,
                        self->import_cancellable, on_import_done, g_object_ref (self));

  _wm_window_actions_update (self);
  if (self->import_n_started == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORTING]);
}

static gboolean
is_project_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return name != NULL && g_str_has_suffix (name, ".waymark");
}

static gboolean
on_drop (WmWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    {
      if (is_project_file (l->data))
        {
          g_autoptr(GError) error = NULL;

          if (!wm_window_open_project (self, l->data, &error))
            wm_window_show_message (self, error->message);
          return TRUE;
        }
      g_ptr_array_add (files, l->data);
    }

  if (files->len == 0)
    return FALSE;

  wm_window_import_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------ */

/* Closing stops what runs in the background for this window; an import
 * that is cancelled leaves the project as it was. */
static gboolean
wm_window_close_request (GtkWindow *window)
{
  WmWindow *self = WM_WINDOW (window);

  wm_window_cancel_import (self);
  wm_player_stop (self->player);

  return GTK_WINDOW_CLASS (wm_window_parent_class)->close_request (window);
}

static void
wm_window_dispose (GObject *object)
{
  WmWindow *self = WM_WINDOW (object);

  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  g_queue_clear_full (&self->import_queue, g_free);

  if (self->player != NULL)
    wm_player_stop (self->player);
  _wm_window_close_model_windows (self);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->labels_changed_id, self->store);
      g_clear_signal_handler (&self->classes_changed_id, self->store);
      g_clear_signal_handler (&self->recordings_changed_id, self->store);
    }

  if (self->recording_info != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->recording_info));
      self->recording_info = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), WM_TYPE_WINDOW);

  g_clear_object (&self->player);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (wm_window_parent_class)->dispose (object);
}

static void
wm_window_finalize (GObject *object)
{
  WmWindow *self = WM_WINDOW (object);

  g_clear_pointer (&self->importing_path, g_free);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (wm_window_parent_class)->finalize (object);
}

static void
wm_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WmWindow *self = WM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_IMPORTING:
      g_value_set_boolean (value, wm_window_get_importing (self));
      break;

    case PROP_IMPORT_FRACTION:
      g_value_set_double (value, self->import_fraction);
      break;

    case PROP_SELECTED_RECORDING_ID:
      g_value_set_int64 (value, wm_window_get_selected_recording_id (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  WmWindow *self = WM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SELECTED_RECORDING_ID:
      wm_window_select_recording (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_window_class_init (WmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wm_window_dispose;
  object_class->finalize = wm_window_finalize;
  object_class->get_property = wm_window_get_property;
  object_class->set_property = wm_window_set_property;
  window_class->close_request = wm_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, WM_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMPORTING] =
    g_param_spec_boolean ("importing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMPORT_FRACTION] =
    g_param_spec_double ("import-fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_RECORDING_ID] =
    g_param_spec_int64 ("selected-recording-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WM_TYPE_CLASSES_PANEL);
  g_type_ensure (WM_TYPE_RECORDING_ITEM);
  g_type_ensure (WM_TYPE_RECORDING_VIEW);
  g_type_ensure (WM_TYPE_REVIEW_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, project_title);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, recordings_view);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, classes_panel);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, import_revealer);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, import_label);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, import_progress);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, recording_view);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, review_flap);
  gtk_widget_class_bind_template_child (widget_class, WmWindow, review_panel);
  gtk_widget_class_bind_template_callback (widget_class, on_drop);
  gtk_widget_class_bind_template_callback (widget_class, on_recent_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);

  _wm_window_class_actions_init (klass);
}

static void
bind_view_settings (WmWindow *self)
{
  static const char * const keys[] = {
    "fft-size", "hop", "db-floor", "db-ceiling", "colormap", "frequency-scale", "time-format",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (self->settings, keys[i], self->recording_view, keys[i],
                     G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "view-mode", self->recording_view, "view-mode",
                   G_SETTINGS_BIND_DEFAULT);
}

/* While playing, the view pages along so that the playhead stays in sight. */
static void
on_player_position (WmWindow *self)
{
  gint64 position = wm_player_get_position_frame (self->player);
  gint64 visible_start, visible_end;

  if (position < 0 || wm_player_get_recording_id (self->player)
                      != wm_recording_view_get_recording_id (self->recording_view))
    return;

  wm_recording_view_get_visible_range (self->recording_view, &visible_start, &visible_end);
  if (position >= visible_start && position < visible_end)
    return;

  wm_recording_view_set_visible_range (self->recording_view, position,
                                       position + (visible_end - visible_start));
}

static void
on_player_error (WmWindow     *self,
                 const GError *error)
{
  wm_window_show_message (self, error->message);
}

/* ---- Review mode ----------------------------------------------------------- */

/* The panel's current item, on its recording, in the view. */
static void
on_review_item_changed (WmWindow *self)
{
  const WmReviewItem *item = wm_review_panel_get_current (self->review_panel);

  if (!wm_recording_view_get_review_mode (self->recording_view))
    return;
  if (item != NULL && item->recording_id != wm_recording_view_get_recording_id (self->recording_view))
    wm_window_select_recording (self, item->recording_id);
  wm_recording_view_show_review_item (self->recording_view, item);
}

static void
on_review_decided (WmWindow *self,
                   gint64    item_id,
                   int       decision)
{
  wm_review_panel_item_decided (self->review_panel, item_id, (WmReviewState) decision);
  _wm_window_actions_update (self);
}

static void
on_review_undone (WmWindow *self,
                  gint64    item_id)
{
  wm_review_panel_item_undone (self->review_panel, item_id);
  _wm_window_actions_update (self);
}

static void
on_review_move (WmWindow *self,
                int       direction)
{
  wm_review_panel_move (self->review_panel, direction);
}

static void
on_run_changed (WmWindow *self)
{
  wm_review_panel_reload (self->review_panel);
}

void
_wm_window_set_review_mode (WmWindow *self,
                            gboolean  review_mode)
{
  adw_flap_set_reveal_flap (self->review_flap, review_mode);
  wm_recording_view_set_review_mode (self->recording_view, review_mode);
  if (review_mode)
    {
      wm_review_panel_reload (self->review_panel);
      on_review_item_changed (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->recording_view));
    }
  else
    wm_recording_view_set_selection (self->recording_view, -1, -1);
}

static void
wm_window_init (WmWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The details pop up from the recording's title (win.recording-details). */
  self->recording_info = WM_RECORDING_INFO (wm_recording_info_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->recording_info), GTK_WIDGET (self->content_title));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::recent-projects",
                           G_CALLBACK (reload_recent), self, G_CONNECT_SWAPPED);

  self->recordings = g_list_store_new (WM_TYPE_RECORDING_ITEM);
  expression = gtk_property_expression_new (WM_TYPE_RECORDING_ITEM, NULL, "name");
  self->filter = gtk_string_filter_new (expression);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->recordings),
                                              GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (on_selected_item_changed), self);

  factory = gtk_builder_list_item_factory_new_from_resource (NULL, RESOURCE_PREFIX
                                                             "/wm-recording-row.ui");
  gtk_list_view_set_factory (self->recordings_view, factory);
  gtk_list_view_set_model (self->recordings_view, GTK_SELECTION_MODEL (self->selection));
  /* Folded, a tap on a recording also shows it. */
  g_object_bind_property (self->leaflet, "folded", self->recordings_view, "single-click-activate",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->recordings_view, "activate",
                            G_CALLBACK (on_recording_activated), self);

  /* Both ways: digit keys in the view pick the class for new labels too. */
  g_object_bind_property (self->classes_panel, "current-class-id",
                          self->recording_view, "current-class-id",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  bind_view_settings (self);

  self->player = wm_player_new ();
  g_settings_bind (self->settings, "audio-sink", self->player, "sink-name", G_SETTINGS_BIND_GET);
  g_object_bind_property (self->player, "position-frame",
                          self->recording_view, "playhead-frame", G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->player, "notify::state",
                            G_CALLBACK (_wm_window_actions_update), self);
  g_signal_connect_swapped (self->player, "error", G_CALLBACK (on_player_error), self);
  g_signal_connect_swapped (self->player, "notify::position-frame",
                            G_CALLBACK (on_player_position), self);

  g_signal_connect_swapped (self->review_panel, "notify::current-item-id",
                            G_CALLBACK (on_review_item_changed), self);
  g_signal_connect_swapped (self->recording_view, "review-decided", G_CALLBACK (on_review_decided), self);
  g_signal_connect_swapped (self->recording_view, "review-undone", G_CALLBACK (on_review_undone), self);
  g_signal_connect_swapped (self->recording_view, "review-move", G_CALLBACK (on_review_move), self);
  g_signal_connect_swapped (self->recording_view, "run-changed", G_CALLBACK (on_run_changed), self);

  _wm_window_actions_init (self);
  reload_recent (self);
  update_sidebar_page (self);
  _wm_window_actions_update (self);
}

/* ---- Public API --------------------------------------------------------- */

WmWindow *
wm_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (WM_TYPE_WINDOW, "application", application, NULL);
}

gboolean
wm_window_open_project (WmWindow  *self,
                        GFile     *file,
                        GError   **error)
{
  g_autoptr(WmStore) store = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (WM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_get_path (file);
  store = wm_store_open (path, WM_STORE_OPEN_DEFAULT, error);
  if (store == NULL)
    return FALSE;

  set_store (self, store);
  add_recent (self, path);

  return TRUE;
}

gboolean
wm_window_create_project (WmWindow  *self,
                          GFile     *file,
                          GError   **error)
{
  g_autoptr(WmStore) store = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (WM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_get_path (file);
  store = wm_store_open (path, WM_STORE_OPEN_CREATE, error);
  if (store == NULL)
    return FALSE;

  set_store (self, store);
  add_recent (self, path);

  return TRUE;
}

WmStore *
wm_window_get_store (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return self->store;
}

GListModel *
wm_window_get_recordings (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

void
wm_window_set_filter_text (WmWindow   *self,
                           const char *text)
{
  g_return_if_fail (WM_IS_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  on_search_changed (self, self->search_entry);
}

gint64
wm_window_get_selected_recording_id (WmWindow *self)
{
  WmRecordingItem *item;

  g_return_val_if_fail (WM_IS_WINDOW (self), 0);

  item = get_selected_item (self);
  return item != NULL ? wm_recording_item_get_id (item) : 0;
}

gboolean
wm_window_select_recording (WmWindow *self,
                            gint64    recording_id)
{
  guint n;

  g_return_val_if_fail (WM_IS_WINDOW (self), FALSE);

  if (recording_id == 0)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      return TRUE;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WmRecordingItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (wm_recording_item_get_id (item) == recording_id)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }

  return FALSE;
}

GtkWidget *
wm_window_get_recording_view (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->recording_view);
}

WmClassesPanel *
wm_window_get_classes_panel (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return self->classes_panel;
}

WmRecordingInfo *
wm_window_get_recording_info (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return self->recording_info;
}

WmPlayer *
wm_window_get_player (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return self->player;
}

void
wm_window_import_files (WmWindow  *self,
                        GFile    **files,
                        guint      n_files)
{
  g_return_if_fail (WM_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  if (self->store == NULL)
    {
      wm_window_show_message (self, _("Create or open a project before importing recordings"));
      return;
    }

  for (guint i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          g_autofree char *message =
            g_strdup_printf (_("Could not import “%s”: only local files can be imported"), uri);

          wm_window_show_message (self, message);
          continue;
        }

      g_queue_push_tail (&self->import_queue, path);
      self->import_n_total++;
    }

  if (self->import_cancellable == NULL && !g_queue_is_empty (&self->import_queue))
    import_next (self);
}

gboolean
wm_window_get_importing (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), FALSE);

  return self->import_cancellable != NULL;
}

double
wm_window_get_import_fraction (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), 0.0);

  return self->import_fraction;
}

void
wm_window_cancel_import (WmWindow *self)
{
  g_return_if_fail (WM_IS_WINDOW (self));

  g_queue_clear_full (&self->import_queue, g_free);
  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
}

void
wm_window_show_message (WmWindow   *self,
                        const char *message)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (WM_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  g_free (self->last_message);
  self->last_message = g_strdup (message);

  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
wm_window_get_last_message (WmWindow *self)
{
  g_return_val_if_fail (WM_IS_WINDOW (self), NULL);

  return self->last_message;
}
