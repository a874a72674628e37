/* wm-window-actions.c — the window's actions and their enabled state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "wm-autolabel-dialog.h"
#include "wm-models-window.h"
#include "wm-recording-item.h"
#include "wm-report-view.h"
#include "wm-window-private.h"

static void
add_file_filter (GtkFileChooser *chooser,
                 const char     *name,
                 const char    **patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
add_project_filter (GtkFileChooser *chooser)
{
  static const char *patterns[] = { "*.waymark", NULL };

  add_file_filter (chooser, _("Waymark projects"), patterns);
}

static void
on_new_project_response (GtkNativeDialog *dialog,
                         int              response,
                         gpointer         user_data)
{
  WmWindow *self = WM_WINDOW (user_data);
  g_autoptr(GFile) chosen = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      basename = g_file_get_basename (chosen);
      if (g_str_has_suffix (basename, ".waymark"))
        file = g_object_ref (chosen);
      else
        {
          g_autoptr(GFile) parent = g_file_get_parent (chosen);
          g_autofree char *name = g_strconcat (basename, ".waymark", NULL);

          file = g_file_get_child (parent, name);
        }

      if (!wm_window_create_project (self, file, &error))
        wm_window_show_message (self, error->message);
    }

  g_object_unref (dialog);
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("New Project"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Create"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), _("Untitled.waymark"));
  add_project_filter (GTK_FILE_CHOOSER (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (on_new_project_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_open_project_response (GtkNativeDialog *dialog,
                          int              response,
                          gpointer         user_data)
{
  WmWindow *self = WM_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!wm_window_open_project (self, file, &error))
        wm_window_show_message (self, error->message);
    }

  g_object_unref (dialog);
}

static void
open_project_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Open Project"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_project_filter (GTK_FILE_CHOOSER (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_project_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_import_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  WmWindow *self = WM_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (files);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      wm_window_import_files (self, (GFile **) array->pdata, array->len);
    }

  g_object_unref (dialog);
}

void
_wm_window_choose_import (WmWindow *self)
{
  static const char *supported[] = {
    "*.wav", "*.WAV", "*.flac", "*.FLAC", "*.ogg", "*.oga", "*.aif", "*.aiff", "*.AIFF",
    "*.csv", "*.CSV", "*.tsv", NULL,
  };
  static const char *audio[] = {
    "*.wav", "*.WAV", "*.flac", "*.FLAC", "*.ogg", "*.oga", "*.aif", "*.aiff", "*.AIFF", NULL,
  };
  static const char *sensor[] = { "*.csv", "*.CSV", "*.tsv", NULL };
  static const char *all[] = { "*", NULL };
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Import Recordings"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  add_file_filter (GTK_FILE_CHOOSER (dialog), _("Audio and sensor files"), supported);
  add_file_filter (GTK_FILE_CHOOSER (dialog), _("Audio files"), audio);
  add_file_filter (GTK_FILE_CHOOSER (dialog), _("Sensor CSV files"), sensor);
  add_file_filter (GTK_FILE_CHOOSER (dialog), _("All files"), all);
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _wm_window_choose_import (WM_WINDOW (widget));
}

static void
cancel_import_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  wm_window_cancel_import (WM_WINDOW (widget));
}

/* After an undo or redo: select the label it touched, on its recording,
 * when the label still exists. */
static void
show_label (WmWindow *self,
            gint64    label_id)
{
  g_autoptr(WmLabel) label = NULL;

  if (label_id <= 0)
    return;

  label = wm_store_get_label (self->store, label_id, NULL);
  if (label == NULL || !wm_window_select_recording (self, label->recording_id))
    return;

  wm_recording_view_set_selected_label_id (self->recording_view, label->id);
}

static void
undo_redo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  gint64 label_id = 0;
  gboolean done;

  if (g_str_equal (action_name, "win.undo"))
    done = wm_store_undo (self->store, &label_id, &error);
  else
    done = wm_store_redo (self->store, &label_id, &error);

  if (!done)
    wm_window_show_message (self, error->message);

  wm_recording_view_reload_labels (self->recording_view);
  if (done)
    show_label (self, label_id);
  _wm_window_actions_update (self);
}

static const WmRecording *
selected_recording (WmWindow *self)
{
  WmRecordingItem *item = gtk_single_selection_get_selected_item (self->selection);

  return item != NULL ? wm_recording_item_get_recording (item) : NULL;
}

/* The range that Play plays, from the playback-range setting. */
static void
get_play_range (WmWindow          *self,
                const WmRecording *recording,
                gint64            *start_frame,
                gint64            *end_frame)
{
  g_autofree char *range = g_settings_get_string (self->settings, "playback-range");
  const WmReviewItem *item = wm_recording_view_get_review_mode (self->recording_view)
                             ? wm_recording_view_get_review_item (self->recording_view) : NULL;
  gint64 selection_start, selection_end;
  gint64 visible_start, visible_end;
  gboolean has_selection;

  /* In review mode Space plays the item under review, a second at least
   * (a window's cell can be a tenth of one). */
  if (item != NULL)
    {
      gint64 widen = MAX ((gint64) recording->sample_rate - (item->end_frame - item->start_frame), 0) / 2;

      *start_frame = MAX (item->start_frame - widen, 0);
      *end_frame = MIN (item->end_frame + widen, recording->n_frames);
      return;
    }

  has_selection = wm_recording_view_get_selection (self->recording_view,
                                                   &selection_start, &selection_end)
                  && selection_end > selection_start;
  wm_recording_view_get_visible_range (self->recording_view, &visible_start, &visible_end);

  if (g_str_equal (range, "cursor"))
    {
      gint64 cursor = wm_recording_view_get_cursor_frame (self->recording_view);

      if (cursor < 0)
        cursor = has_selection ? selection_start : visible_start;
      *start_frame = cursor;
      *end_frame = recording->n_frames;
    }
  else if (g_str_equal (range, "selection") && has_selection)
    {
      *start_frame = selection_start;
      *end_frame = selection_end;
    }
  else if (g_str_equal (range, "selection")
           && wm_recording_view_get_cursor_frame (self->recording_view) >= visible_start
           && wm_recording_view_get_cursor_frame (self->recording_view) < visible_end)
    {
      /* No selection: from the cursor to the end of what is shown */
      *start_frame = wm_recording_view_get_cursor_frame (self->recording_view);
      *end_frame = visible_end;
    }
  else
    {
      *start_frame = visible_start;
      *end_frame = visible_end;
    }
}

static void
play_pause_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);
  const WmRecording *recording;
  g_autoptr(GError) error = NULL;
  gint64 start_frame, end_frame;

  switch (wm_player_get_state (self->player))
    {
    case WM_PLAYER_STATE_PLAYING:
      wm_player_pause (self->player);
      return;

    case WM_PLAYER_STATE_PAUSED:
      wm_player_resume (self->player);
      return;

    case WM_PLAYER_STATE_STOPPED:
    default:
      break;
    }

  recording = selected_recording (self);
  if (recording == NULL)
    return;

  get_play_range (self, recording, &start_frame, &end_frame);
  if (!wm_player_play (self->player, self->store, recording->id, start_frame, end_frame, &error))
    wm_window_show_message (self, error->message);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  wm_player_stop (WM_WINDOW (widget)->player);
}

/* Plays [start, end) of the recording shown, from the start (Space in
 * review mode plays the item). */
static void
play_frames_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);
  const WmRecording *recording = selected_recording (self);
  g_autoptr(GError) error = NULL;
  gint64 start_frame, end_frame;

  if (recording == NULL)
    return;
  g_variant_get (parameter, "(xx)", &start_frame, &end_frame);
  wm_player_stop (self->player);
  if (!wm_player_play (self->player, self->store, recording->id, start_frame, end_frame, &error))
    wm_window_show_message (self, error->message);
}

static void
review_mode_changed (GSimpleAction *action,
                     GVariant      *state,
                     gpointer       user_data)
{
  g_simple_action_set_state (action, state);
  _wm_window_set_review_mode (WM_WINDOW (user_data), g_variant_get_boolean (state));
}

/* win.zoom-* forward to the view's own actions, for the header bar buttons. */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);
  g_autofree char *view_action = g_strconcat ("view.", action_name + strlen ("win."), NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->recording_view), view_action, NULL);
}

static void
filter_recordings_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
select_class_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);
  char key[2] = { (char) ('0' + g_variant_get_int32 (parameter)), '\0' };

  wm_classes_panel_select_by_shortcut (self->classes_panel, key);
}

/* ---- Models, auto-label, report ------------------------------------------- */

void
_wm_window_update_has_models (WmWindow *self)
{
  g_autoptr(GPtrArray) models = self->store != NULL ? wm_store_list_models (self->store, NULL) : NULL;

  self->has_models = models != NULL && models->len > 0;
  _wm_window_actions_update (self);
}

void
_wm_window_close_model_windows (WmWindow *self)
{
  GtkWidget **slots[] = { &self->models_window, &self->autolabel_dialog, &self->report_view };

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      GtkWidget *window = *slots[i];

      if (window == NULL)
        continue;
      g_clear_weak_pointer (slots[i]);
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

static void
recording_details_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  gtk_popover_popup (GTK_POPOVER (WM_WINDOW (widget)->recording_info));
}

static void
models_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);

  if (self->models_window == NULL)
    {
      GtkWidget *window = wm_models_window_new (GTK_WINDOW (self), self->store);

      g_signal_connect_object (window, "models-changed",
                               G_CALLBACK (_wm_window_update_has_models), self, G_CONNECT_SWAPPED);
      g_set_weak_pointer (&self->models_window, window);
    }
  gtk_window_present (GTK_WINDOW (self->models_window));
}

static void
report_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);

  if (self->report_view == NULL)
    g_set_weak_pointer (&self->report_view, wm_report_view_new (GTK_WINDOW (self), self->store));
  else
    wm_report_view_reload (WM_REPORT_VIEW (self->report_view));
  gtk_window_present (GTK_WINDOW (self->report_view));
}

/* A recording's model labels are in the project: show them at once. */
static void
on_autolabel_recording_done (WmWindow *self,
                             gint64    recording_id)
{
  if (wm_recording_view_get_recording_id (self->recording_view) == recording_id)
    wm_recording_view_reload_labels (self->recording_view);
}

static void
on_autolabel_finished (WmWindow          *self,
                       gboolean           complete,
                       WmAutolabelDialog *dialog)
{
  const WmAutolabelSummary *summary = wm_autolabel_dialog_get_summary (dialog);
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  if (self->models_window != NULL)
    wm_models_window_reload (WM_MODELS_WINDOW (self->models_window));
  if (self->report_view != NULL)
    wm_report_view_reload (WM_REPORT_VIEW (self->report_view));
  /* New and moved review items, even from a stopped run. */
  wm_review_panel_reload (self->review_panel);
  if (!complete || summary == NULL)
    return;

  g_free (self->last_message);
  /* Translators: a toast after an auto-label run */
  self->last_message = g_strdup_printf (_("Auto-label done: %" PRId64 " model labels, %"
                                          PRId64 " review items"),
                                        summary->labels, summary->review_items);
  escaped = g_markup_escape_text (self->last_message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Report"));
  adw_toast_set_action_name (toast, "win.report");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
autolabel_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WmWindow *self = WM_WINDOW (widget);

  if (self->autolabel_dialog == NULL)
    {
      GtkWidget *dialog = wm_autolabel_dialog_new (GTK_WINDOW (self), self->store,
                                                   wm_window_get_selected_recording_id (self));

      g_signal_connect_object (dialog, "recording-done",
                               G_CALLBACK (on_autolabel_recording_done), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dialog, "finished",
                               G_CALLBACK (on_autolabel_finished), self, G_CONNECT_SWAPPED);
      g_set_weak_pointer (&self->autolabel_dialog, dialog);
    }
  gtk_window_present (GTK_WINDOW (self->autolabel_dialog));
}

void
_wm_window_class_actions_init (WmWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.open-project", NULL, open_project_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-import", NULL, cancel_import_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_redo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_redo_action);
  gtk_widget_class_install_action (widget_class, "win.play-pause", NULL, play_pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.play-frames", "(xx)", play_frames_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.select-class", "i", select_class_action);
  gtk_widget_class_install_action (widget_class, "win.filter-recordings", NULL,
                                   filter_recordings_action);
  gtk_widget_class_install_action (widget_class, "win.recording-details", NULL,
                                   recording_details_action);
  gtk_widget_class_install_action (widget_class, "win.models", NULL, models_action);
  gtk_widget_class_install_action (widget_class, "win.autolabel", NULL, autolabel_action);
  gtk_widget_class_install_action (widget_class, "win.report", NULL, report_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK,
                                       "win.recording-details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.filter-recordings", NULL);
  {
    /* Ctrl+Shift+A, M, R; both cases, as for redo */
    static const struct { guint key; const char *action; } model_keys[] = {
      { GDK_KEY_a, "win.autolabel" }, { GDK_KEY_A, "win.autolabel" },
      { GDK_KEY_m, "win.models" }, { GDK_KEY_M, "win.models" },
      { GDK_KEY_r, "win.report" }, { GDK_KEY_R, "win.report" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (model_keys); i++)
      gtk_widget_class_add_binding_action (widget_class, model_keys[i].key,
                                           GDK_CONTROL_MASK | GDK_SHIFT_MASK, model_keys[i].action, NULL);
  }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.review-mode", NULL);
  for (int digit = 1; digit <= 9; digit++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + digit, 0,
                                           "win.select-class", "i", digit);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0 + digit, 0,
                                           "win.select-class", "i", digit);
    }
}

void
_wm_window_actions_init (WmWindow *self)
{
  g_autoptr(GAction) view_mode = g_settings_create_action (self->settings, "view-mode");
  g_autoptr(GAction) playback_range = g_settings_create_action (self->settings, "playback-range");

  g_autoptr(GSimpleAction) review_mode = g_simple_action_new_stateful ("review-mode", NULL,
                                                                       g_variant_new_boolean (FALSE));

  g_action_map_add_action (G_ACTION_MAP (self), view_mode);
  g_action_map_add_action (G_ACTION_MAP (self), playback_range);
  g_signal_connect (review_mode, "change-state", G_CALLBACK (review_mode_changed), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (review_mode));
}

void
_wm_window_actions_update (WmWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const WmRecording *recording = selected_recording (self);
  WmPlayerState state = wm_player_get_state (self->player);
  gboolean has_project = self->store != NULL;
  gboolean writable = has_project && !wm_store_is_read_only (self->store);
  gboolean playable = recording != NULL && recording->kind == WM_RECORDING_KIND_AUDIO;

  gtk_widget_action_set_enabled (widget, "win.import", writable);
  gtk_widget_action_set_enabled (widget, "win.cancel-import", self->import_cancellable != NULL);
  gtk_widget_action_set_enabled (widget, "win.undo", writable && wm_store_can_undo (self->store));
  gtk_widget_action_set_enabled (widget, "win.redo", writable && wm_store_can_redo (self->store));
  gtk_widget_action_set_enabled (widget, "win.play-pause",
                                 playable || state != WM_PLAYER_STATE_STOPPED);
  gtk_widget_action_set_enabled (widget, "win.stop", state != WM_PLAYER_STATE_STOPPED);
  gtk_widget_action_set_enabled (widget, "win.play-frames", playable);
  gtk_widget_action_set_enabled (widget, "win.zoom-in", recording != NULL);
  gtk_widget_action_set_enabled (widget, "win.zoom-out", recording != NULL);
  gtk_widget_action_set_enabled (widget, "win.zoom-fit", recording != NULL);
  gtk_widget_action_set_enabled (widget, "win.select-class", has_project);
  gtk_widget_action_set_enabled (widget, "win.filter-recordings", has_project);
  gtk_widget_action_set_enabled (widget, "win.recording-details", recording != NULL);
  gtk_widget_action_set_enabled (widget, "win.models", has_project);
  gtk_widget_action_set_enabled (widget, "win.autolabel", writable && self->has_models);
  gtk_widget_action_set_enabled (widget, "win.report", has_project);

  if (state == WM_PLAYER_STATE_PLAYING)
    {
      gtk_button_set_icon_name (self->play_button, "media-playback-pause-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), _("Pause (Space)"));
    }
  else
    {
      gtk_button_set_icon_name (self->play_button, "media-playback-start-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), _("Play (Space)"));
    }
}
