/* test-window.c — the application window on a generated project, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by meson inside `xvfb-run -a`; GDK_BACKEND=x11 and GSK_RENDERER=cairo.
 * Screenshots land in G_TEST_BUILDDIR (tests/ in the build tree):
 * screenshot-waveform.png, screenshot-spectrogram.png, screenshot-preferences.png.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <gst/gst.h>
#include <string.h>

#include "wm-application.h"
#include "wm-recording-item.h"
#include "wm-recording-view-private.h"
#include "wm-recording-view.h"
#include "wm-test-project.h"
#include "wm-class-editor.h"
#include "wm-preferences-window.h"
#include "wm-test-gui.h"
#include "test-util.h"
#include "wm-window.h"

/* A guard against hanging, not a measurement. */
#define WAIT_LIMIT_US (30 * G_USEC_PER_SEC)

static WmApplication *application;

typedef struct {
  WmTestProject *project;
  WmWindow      *window;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gpointer data);

static gboolean
wait_for (Fixture   *fixture,
          Condition  condition,
          gpointer   data)
{
  return wm_test_wait_for ((WmTestCondition) condition, fixture, data, WAIT_LIMIT_US);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->project = wm_test_project_new ();
  fixture->window = wm_test_open_window (application, 1200, 760, fixture->project->path, WAIT_LIMIT_US);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  wm_test_iterate_for (50);
  wm_test_project_free (fixture->project);
}

/* The sidebar item named name, or NULL; a new reference. */
static WmRecordingItem *
find_recording (Fixture    *fixture,
                const char *name)
{
  GListModel *model = wm_window_get_recordings (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(WmRecordingItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (wm_recording_item_get_name (item), name))
        return g_steal_pointer (&item);
    }

  return NULL;
}

static guint
n_recordings (Fixture *fixture)
{
  return g_list_model_get_n_items (wm_window_get_recordings (fixture->window));
}

static WmRecordingView *
get_view (Fixture *fixture)
{
  return WM_RECORDING_VIEW (wm_window_get_recording_view (fixture->window));
}

/* Every visible part of the view shows data for its range and size. */
static gboolean
view_is_ready (Fixture  *fixture,
               gpointer  data)
{
  return wm_recording_view_is_ready (get_view (fixture));
}

static void
activate (Fixture    *fixture,
          const char *action,
          GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window),
                                                     action, parameter));
}

static void
test_start_page (void)
{
  WmWindow *window = wm_window_new (GTK_APPLICATION (application));
  g_autofree char *dir = g_dir_make_tmp ("waymark-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.waymark", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_null (wm_window_get_store (window));
  g_assert_cmpuint (g_list_model_get_n_items (wm_window_get_recordings (window)), ==, 0);

  /* A file that is not a project is refused; the start page stays */
  g_file_set_contents (path, "shopping list\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (wm_window_open_project (window, file, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT);
  g_assert_null (wm_window_get_store (window));
  g_unlink (path);
  g_rmdir (dir);

  /* Importing needs a project; the window says so instead. */
  wm_window_import_files (window, NULL, 0);
  g_assert_nonnull (wm_window_get_last_message (window));
  g_assert_false (wm_window_get_importing (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* `waymark FILE.waymark`: the application opens the project in a window. */
static void
test_application_open (void)
{
  g_autoptr(WmTestProject) project = wm_test_project_new ();
  g_autoptr(GFile) file = g_file_new_for_path (project->path);
  GtkWindow *window;
  WmStore *store;

  g_application_open (G_APPLICATION (application), &file, 1, "");
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (WM_IS_WINDOW (window));
  store = wm_window_get_store (WM_WINDOW (window));
  g_assert_nonnull (store);
  g_assert_cmpstr (wm_store_get_path (store), ==, project->path);
  g_assert_cmpuint (g_list_model_get_n_items (wm_window_get_recordings (WM_WINDOW (window))), ==, 2);
  g_assert_cmpstr (gtk_window_get_title (window), ==, "test.waymark");

  gtk_window_destroy (window);
  wm_test_iterate_for (50);
}

static void
test_launch (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(WmRecordingItem) voice = find_recording (fixture, "voice");
  g_autoptr(WmRecordingItem) imu = find_recording (fixture, "imu walk");
  g_autoptr(WmRecordingItem) first = NULL;
  gint64 start, end;
  g_autofree char *voice_details = NULL;
  g_autofree char *imu_details = NULL;
  WmRecordingView *view = get_view (fixture);

  g_assert_cmpuint (n_recordings (fixture), ==, 2);
  g_assert_nonnull (voice);
  g_assert_nonnull (imu);
  g_assert_cmpint (wm_recording_item_get_id (voice), ==, fixture->project->audio_id);
  g_assert_cmpint (wm_recording_item_get_n_labels (voice), ==, 2);
  g_assert_cmpint (wm_recording_item_get_n_labels (imu), ==, 0);

  voice_details = wm_recording_item_dup_details (voice);
  imu_details = wm_recording_item_dup_details (imu);
  g_assert_nonnull (strstr (voice_details, "4.00 s"));
  g_assert_nonnull (strstr (voice_details, "1 channel"));
  g_assert_nonnull (strstr (voice_details, "2 labels"));
  g_assert_nonnull (strstr (imu_details, "1:00.0"));
  g_assert_nonnull (strstr (imu_details, "3 channels"));

  /* Opening a project shows its first recording */
  first = g_list_model_get_item (wm_window_get_recordings (fixture->window), 0);
  g_assert_cmpint (wm_window_get_selected_recording_id (fixture->window),
                   ==, wm_recording_item_get_id (first));
  g_assert_cmpint (wm_recording_view_get_recording_id (view), ==, wm_recording_item_get_id (first));

  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->audio_id));
  g_assert_cmpint (wm_recording_view_get_recording_id (view), ==, fixture->project->audio_id);
  g_assert_true (wm_recording_view_get_store (view) == wm_window_get_store (fixture->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  activate (fixture, "win.view-mode", g_variant_new_string ("waveform"));
  g_assert_cmpint (wm_recording_view_get_view_mode (view), ==, WM_VIEW_MODE_WAVEFORM);
  wm_test_iterate_for (200);
  g_assert_true (wait_for (fixture, view_is_ready, NULL));
  wm_test_iterate_for (300);
  wm_test_save_screenshot (GTK_WIDGET (fixture->window), "screenshot-waveform.png");

  activate (fixture, "win.view-mode", g_variant_new_string ("split"));
  g_assert_cmpint (wm_recording_view_get_view_mode (view), ==, WM_VIEW_MODE_SPLIT);
  wm_test_iterate_for (200);
  g_assert_true (wait_for (fixture, view_is_ready, NULL));
  wm_test_iterate_for (300);
  wm_test_save_screenshot (GTK_WIDGET (fixture->window), "screenshot-spectrogram.png");
  activate (fixture, "win.view-mode", g_variant_new_string ("waveform"));

  /* The header's zoom buttons drive the view */
  wm_recording_view_get_visible_range (view, &start, &end);
  g_assert_cmpint (end - start, ==, 4 * 16000);
  activate (fixture, "win.zoom-in", NULL);
  wm_recording_view_get_visible_range (view, &start, &end);
  g_assert_cmpint (end - start, ==, 2 * 16000);
  activate (fixture, "win.zoom-fit", NULL);
  wm_recording_view_get_visible_range (view, &start, &end);
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, 4 * 16000);

  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->sensor_id));
  g_assert_cmpint (wm_recording_view_get_recording_id (view), ==, fixture->project->sensor_id);
}

static void
test_filter (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(WmRecordingItem) item = NULL;

  wm_window_set_filter_text (fixture->window, "IMU");
  g_assert_cmpuint (n_recordings (fixture), ==, 1);
  item = g_list_model_get_item (wm_window_get_recordings (fixture->window), 0);
  g_assert_cmpstr (wm_recording_item_get_name (item), ==, "imu walk");

  wm_window_set_filter_text (fixture->window, "nothing like it");
  g_assert_cmpuint (n_recordings (fixture), ==, 0);

  wm_window_set_filter_text (fixture->window, "");
  g_assert_cmpuint (n_recordings (fixture), ==, 2);
}

static gboolean
import_finished (Fixture  *fixture,
                 gpointer  data)
{
  return !wm_window_get_importing (fixture->window);
}

static void
on_import_fraction (WmWindow   *window,
                    GParamSpec *pspec,
                    double     *max_fraction)
{
  *max_fraction = MAX (*max_fraction, wm_window_get_import_fraction (window));
}

static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = wm_test_write_wav (fixture->project->dir, "tone.wav", 3 * 16000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(WmRecordingItem) item = NULL;
  double max_fraction = 0.0;

  g_signal_connect (fixture->window, "notify::import-fraction",
                    G_CALLBACK (on_import_fraction), &max_fraction);

  wm_window_import_files (fixture->window, &file, 1);
  g_assert_true (wm_window_get_importing (fixture->window));
  g_assert_true (wait_for (fixture, import_finished, NULL));

  g_assert_cmpfloat (max_fraction, ==, 1.0);
  g_assert_cmpuint (n_recordings (fixture), ==, 3);
  item = find_recording (fixture, "tone");
  g_assert_nonnull (item);
  g_assert_cmpint (wm_recording_item_get_recording (item)->n_frames, ==, 3 * 16000);
  g_assert_cmpint (wm_window_get_selected_recording_id (fixture->window),
                   ==, wm_recording_item_get_id (item));
  g_assert_cmpint (wm_recording_view_get_recording_id (get_view (fixture)),
                   ==, wm_recording_item_get_id (item));

  g_signal_handlers_disconnect_by_func (fixture->window, on_import_fraction, &max_fraction);
}

static void
test_import_bad_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->project->dir, "bad.wav", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = wm_test_project_dump (wm_window_get_store (fixture->window));
  g_autofree char *after = NULL;
  const char *message;

  g_file_set_contents (path, "this is not audio\n", -1, &error);
  g_assert_no_error (error);

  wm_window_import_files (fixture->window, &file, 1);
  g_assert_true (wait_for (fixture, import_finished, NULL));

  message = wm_window_get_last_message (fixture->window);
  g_assert_nonnull (message);
  g_test_message ("toast: %s", message);
  g_assert_nonnull (strstr (message, "bad.wav"));

  after = wm_test_project_dump (wm_window_get_store (fixture->window));
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (n_recordings (fixture), ==, 2);
}

typedef struct {
  gint64 last_us;
  gint64 longest_us;
  guint  n_frames;
} FrameProbe;

static gboolean
probe_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  FrameProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_us != 0)
    probe->longest_us = MAX (probe->longest_us, now - probe->last_us);
  probe->last_us = now;
  probe->n_frames++;

  return G_SOURCE_CONTINUE;
}

/* The window keeps drawing while a long file imports in the background.
 * The longest gap between two frames is reported, not asserted. */
static void
test_import_responsive (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = wm_test_write_wav (fixture->project->dir, "minutes.wav", 1800 * 16000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  FrameProbe probe = { 0, 0, 0 };
  gint64 started;
  guint tick_id;

  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), probe_tick, &probe, NULL);
  started = g_get_monotonic_time ();
  wm_window_import_files (fixture->window, &file, 1);
  g_assert_true (wait_for (fixture, import_finished, NULL));
  gtk_widget_remove_tick_callback (GTK_WIDGET (fixture->window), tick_id);

  g_assert_cmpuint (n_recordings (fixture), ==, 3);
  g_assert_cmpuint (probe.n_frames, >, 1);
  g_test_message ("import of 30 min 16 kHz audio: %.2f s, %u frames drawn, longest frame gap %.1f ms",
                  (g_get_monotonic_time () - started) / 1e6, probe.n_frames,
                  probe.longest_us / 1000.0);
}

static void
test_import_cancel (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = wm_test_write_wav (fixture->project->dir, "long.wav", 600 * 16000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *before = wm_test_project_dump (wm_window_get_store (fixture->window));
  g_autofree char *after = NULL;

  wm_window_import_files (fixture->window, &file, 1);
  g_assert_true (wm_window_get_importing (fixture->window));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-import", NULL);
  g_assert_true (wait_for (fixture, import_finished, NULL));

  g_assert_nonnull (strstr (wm_window_get_last_message (fixture->window), "long.wav"));
  after = wm_test_project_dump (wm_window_get_store (fixture->window));
  g_assert_cmpstr (after, ==, before);
}

/* Closing the window while a file imports cancels the import quietly. */
static void
test_close_while_importing (void)
{
  g_autoptr(WmTestProject) project = wm_test_project_new ();
  g_autofree char *path = wm_test_write_wav (project->dir, "long.wav", 600 * 16000);
  g_autoptr(GFile) project_file = g_file_new_for_path (project->path);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  WmWindow *window = wm_window_new (GTK_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wm_window_open_project (window, project_file, &error));
  before = wm_test_project_dump (wm_window_get_store (window));
  wm_window_import_files (window, &file, 1);
  g_assert_true (wm_window_get_importing (window));

  gtk_window_close (GTK_WINDOW (window));
  wm_test_iterate_for (1000);

  store = wm_store_open (project->path, WM_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  after = wm_test_project_dump (store);
  g_assert_cmpstr (after, ==, before);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }

  return NULL;
}

/* Files dropped on the window are imported the same way. */
static void
test_drop_import (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path_a = wm_test_write_wav (fixture->project->dir, "drop-a.wav", 16000);
  g_autofree char *path_b = wm_test_write_wav (fixture->project->dir, "drop-b.wav", 8000);
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (fixture->window));
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  g_autoptr(WmRecordingItem) a = NULL;
  g_autoptr(WmRecordingItem) b = NULL;

  g_assert_nonnull (target);
  files = g_slist_append (files, g_file_new_for_path (path_a));
  files = g_slist_append (files, g_file_new_for_path (path_b));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);

  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  g_assert_true (wm_window_get_importing (fixture->window));
  g_assert_true (wait_for (fixture, import_finished, NULL));

  g_assert_cmpuint (n_recordings (fixture), ==, 4);
  a = find_recording (fixture, "drop-a");
  b = find_recording (fixture, "drop-b");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpint (wm_recording_item_get_recording (a)->n_frames, ==, 16000);
  g_assert_cmpint (wm_recording_item_get_recording (b)->n_frames, ==, 8000);
}

static WmClass *
find_class (WmStore *store,
            gint64   class_id)
{
  g_autoptr(GPtrArray) classes = wm_store_list_classes (store, NULL);

  for (guint i = 0; classes != NULL && i < classes->len; i++)
    if (((WmClass *) g_ptr_array_index (classes, i))->id == class_id)
      return wm_class_copy (g_ptr_array_index (classes, i));

  return NULL;
}

static void
test_classes (Fixture       *fixture,
              gconstpointer  data)
{
  WmClassesPanel *panel = wm_window_get_classes_panel (fixture->window);
  WmStore *store = wm_window_get_store (fixture->window);
  g_autoptr(WmClass) klass = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) editor = NULL;
  gint64 id;

  g_assert_cmpuint (wm_classes_panel_get_n_classes (panel), ==, 2);

  /* Add; the editor closes itself when it saved, so keep it for the id */
  editor = g_object_ref (wm_classes_panel_edit_class (panel, 0));
  g_assert_true (WM_IS_CLASS_EDITOR (editor));
  wm_class_editor_set_fields (WM_CLASS_EDITOR (editor), "bird", "#ff0000", "3");
  g_assert_true (wm_class_editor_save (WM_CLASS_EDITOR (editor), &error));
  g_assert_no_error (error);
  id = wm_class_editor_get_class_id (WM_CLASS_EDITOR (editor));
  g_assert_cmpint (id, >, 0);
  klass = find_class (store, id);
  g_assert_nonnull (klass);
  g_assert_cmpstr (klass->name, ==, "bird");
  g_assert_cmpstr (klass->color, ==, "#ff0000");
  g_assert_cmpstr (klass->shortcut, ==, "3");
  g_assert_cmpuint (wm_classes_panel_get_n_classes (panel), ==, 3);
  g_clear_pointer (&klass, wm_class_free);

  /* A bad key is refused and nothing changes */
  g_clear_object (&editor);
  editor = g_object_ref (wm_classes_panel_edit_class (panel, id));
  wm_class_editor_set_fields (WM_CLASS_EDITOR (editor), "birdsong", "#00ff00", "10");
  g_assert_false (wm_class_editor_save (WM_CLASS_EDITOR (editor), &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  klass = find_class (store, id);
  g_assert_cmpstr (klass->name, ==, "bird");
  g_clear_pointer (&klass, wm_class_free);

  /* Edit */
  wm_class_editor_set_fields (WM_CLASS_EDITOR (editor), "birdsong", "#00ff00", "4");
  g_assert_true (wm_class_editor_save (WM_CLASS_EDITOR (editor), &error));
  g_assert_no_error (error);
  klass = find_class (store, id);
  g_assert_cmpstr (klass->name, ==, "birdsong");
  g_assert_cmpstr (klass->color, ==, "#00ff00");
  g_assert_cmpstr (klass->shortcut, ==, "4");
  g_clear_pointer (&klass, wm_class_free);

  /* Keys choose the current class, which the view uses for new labels */
  activate (fixture, "win.select-class", g_variant_new_int32 (4));
  g_assert_cmpint (wm_classes_panel_get_current_class_id (panel), ==, id);
  g_assert_cmpint (wm_recording_view_get_current_class_id (get_view (fixture)), ==, id);
  activate (fixture, "win.select-class", g_variant_new_int32 (2));
  g_assert_cmpint (wm_classes_panel_get_current_class_id (panel), ==, fixture->project->go_class);
  g_assert_cmpint (wm_recording_view_get_current_class_id (get_view (fixture)),
                   ==, fixture->project->go_class);

  /* A digit typed in the view without a selected label also picks the class */
  wm_recording_view_set_selected_label_id (get_view (fixture), -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_view (fixture)), "label.set-class",
                                             "i", 1));
  g_assert_cmpint (wm_classes_panel_get_current_class_id (panel),
                   ==, fixture->project->stop_class);

  /* Remove */
  g_assert_true (wm_classes_panel_remove_class (panel, id, &error));
  g_assert_no_error (error);
  g_assert_null (find_class (store, id));
  g_assert_cmpuint (wm_classes_panel_get_n_classes (panel), ==, 2);

  /* A class with labels stays */
  g_assert_false (wm_classes_panel_remove_class (panel, fixture->project->stop_class, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "stop"));
  klass = find_class (store, fixture->project->stop_class);
  g_assert_nonnull (klass);
}

static gint64
count_labels (Fixture *fixture)
{
  return wm_store_count_labels (wm_window_get_store (fixture->window),
                                fixture->project->audio_id);
}

static void
test_undo_redo (Fixture       *fixture,
                gconstpointer  data)
{
  WmRecordingView *view = get_view (fixture);
  g_autoptr(WmRecordingItem) voice = find_recording (fixture, "voice");
  g_autoptr(WmLabel) label = NULL;
  gint64 created;

  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->audio_id));
  activate (fixture, "win.select-class", g_variant_new_int32 (1));

  /* A label made through the view, as a drag on the label track makes it */
  wm_recording_view_set_selection (view, 20000, 30000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "label.create-at-selection",
                                             NULL));
  g_assert_cmpint (count_labels (fixture), ==, 3);
  g_assert_cmpint (wm_recording_item_get_n_labels (voice), ==, 3);

  activate (fixture, "win.undo", NULL);
  g_assert_cmpint (count_labels (fixture), ==, 2);
  g_assert_cmpint (wm_recording_item_get_n_labels (voice), ==, 2);

  /* Redo brings the label back and selects it, also from another recording */
  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->sensor_id));
  activate (fixture, "win.redo", NULL);
  g_assert_cmpint (count_labels (fixture), ==, 3);
  g_assert_cmpint (wm_recording_item_get_n_labels (voice), ==, 3);
  g_assert_cmpint (wm_window_get_selected_recording_id (fixture->window),
                   ==, fixture->project->audio_id);
  created = wm_recording_view_get_selected_label_id (view);
  g_assert_cmpint (created, >, 0);
  label = wm_store_get_label (wm_window_get_store (fixture->window), created, NULL);
  g_assert_nonnull (label);
  g_assert_cmpint (label->start_frame, ==, 20000);
  g_assert_cmpint (label->end_frame, ==, 30000);
  g_assert_cmpint (label->class_id, ==, fixture->project->stop_class);

  /* Undo twice walks back into the labels the project was made with */
  activate (fixture, "win.undo", NULL);
  activate (fixture, "win.undo", NULL);
  g_assert_cmpint (count_labels (fixture), ==, 1);
  activate (fixture, "win.redo", NULL);
  g_assert_cmpint (count_labels (fixture), ==, 2);
}

/* Space over the recording plays and pauses: the shortcut sits on the
 * content pane that holds the view (GtkWindow's own Space binding would
 * activate the focused widget instead). */
static void
test_space_plays (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (get_view (fixture));
  WmPlayer *player = wm_window_get_player (fixture->window);
  gboolean found = FALSE;

  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->audio_id));
  for (GtkWidget *w = view; w != NULL && !found; w = gtk_widget_get_parent (w))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (w);

      for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
        {
          g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
              g_autofree char *trigger =
                gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

              if (g_str_equal (trigger, "space")
                  && GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)))
                {
                  found = TRUE;
                  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                               GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                               w, NULL));
                }
            }
        }
    }

  g_assert_true (found);
  g_assert_cmpint (wm_player_get_state (player), ==, WM_PLAYER_STATE_PLAYING);
  wm_player_stop (player);
}

static gboolean
playhead_moved (Fixture  *fixture,
                gpointer  data)
{
  return wm_recording_view_get_playhead_frame (get_view (fixture)) > GPOINTER_TO_INT (data);
}

static void
test_playback (Fixture       *fixture,
               gconstpointer  data)
{
  WmPlayer *player = wm_window_get_player (fixture->window);
  WmRecordingView *view = get_view (fixture);
  g_autofree char *message_before = NULL;
  gint64 visible_start, visible_end;
  gint64 paused_at;

  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->audio_id));
  activate (fixture, "win.playback-range", g_variant_new_string ("selection"));
  wm_recording_view_set_selection (view, 8000, 40000);

  activate (fixture, "win.play-pause", NULL);
  g_assert_cmpint (wm_player_get_state (player), ==, WM_PLAYER_STATE_PLAYING);
  g_assert_true (wait_for (fixture, playhead_moved, GINT_TO_POINTER (9000)));
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), <=, 40000);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view),
                   ==, wm_player_get_position_frame (player));

  activate (fixture, "win.play-pause", NULL);
  g_assert_cmpint (wm_player_get_state (player), ==, WM_PLAYER_STATE_PAUSED);
  paused_at = wm_recording_view_get_playhead_frame (view);
  g_assert_cmpint (paused_at, >=, 9000);

  activate (fixture, "win.stop", NULL);
  g_assert_cmpint (wm_player_get_state (player), ==, WM_PLAYER_STATE_STOPPED);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), ==, -1);

  /* The visible range when asked to, from its start */
  activate (fixture, "win.playback-range", g_variant_new_string ("visible"));
  wm_recording_view_get_visible_range (view, &visible_start, &visible_end);
  activate (fixture, "win.play-pause", NULL);
  g_assert_true (wait_for (fixture, playhead_moved, GINT_TO_POINTER (visible_start + 500)));
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), <=, visible_end);
  activate (fixture, "win.stop", NULL);

  /* No selection: from the cursor to the end of the visible range */
  activate (fixture, "win.playback-range", g_variant_new_string ("selection"));
  wm_recording_view_set_selection (view, -1, -1);
  wm_recording_view_set_cursor_frame (view, 32000);
  activate (fixture, "win.play-pause", NULL);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), >=, 32000);
  g_assert_true (wait_for (fixture, playhead_moved, GINT_TO_POINTER (32500)));
  activate (fixture, "win.stop", NULL);

  /* From the cursor to the end, the view pages along with the playhead */
  activate (fixture, "win.playback-range", g_variant_new_string ("cursor"));
  wm_recording_view_set_visible_range (view, 0, 4000);
  wm_recording_view_get_visible_range (view, &visible_start, &visible_end);
  g_assert_cmpint (visible_start, ==, 0);
  g_assert_cmpint (visible_end, ==, 4000);
  wm_recording_view_set_cursor_frame (view, 1000);
  activate (fixture, "win.play-pause", NULL);
  g_assert_true (wait_for (fixture, playhead_moved, GINT_TO_POINTER (6000)));
  wm_recording_view_get_visible_range (view, &visible_start, &visible_end);
  g_assert_cmpint (visible_start, >=, 4000);
  g_assert_cmpint (visible_end - visible_start, ==, 4000);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), >=, visible_start);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (view), <, visible_end);
  activate (fixture, "win.stop", NULL);

  /* Sensor recordings do not play: the action is disabled, so not even an
   * error message appears. */
  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->sensor_id));
  message_before = g_strdup (wm_window_get_last_message (fixture->window));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.play-pause", NULL);
  g_assert_cmpint (wm_player_get_state (player), ==, WM_PLAYER_STATE_STOPPED);
  g_assert_cmpstr (wm_window_get_last_message (fixture->window), ==, message_before);
}

static GtkWidget *
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;

  return NULL;
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-projects");
  WmRecordingView *view = get_view (fixture);
  GtkWidget *preferences;
  GtkWidget *about;
  guint fft_size;
  WmViewTimeFormat time_format;
  WmViewColormap colormap;

  /* The project just opened heads the recent projects */
  g_assert_nonnull (recent[0]);
  g_assert_cmpstr (recent[0], ==, fixture->project->path);

  /* Preferences write GSettings; the view follows them */
  preferences = wm_preferences_window_new (GTK_WINDOW (fixture->window));
  gtk_window_present (GTK_WINDOW (preferences));
  g_settings_set_int (settings, "fft-size", 2048);
  g_settings_set_string (settings, "time-format", "wall-clock");
  g_settings_set_string (settings, "colormap", "magma");
  g_object_get (view, "fft-size", &fft_size, "time-format", &time_format,
                "colormap", &colormap, NULL);
  g_assert_cmpuint (fft_size, ==, 2048);
  g_assert_cmpint (time_format, ==, WM_VIEW_TIME_FORMAT_WALL_CLOCK);
  g_assert_cmpint (colormap, ==, WM_VIEW_COLORMAP_MAGMA);
  wm_test_iterate_for (300);
  wm_test_save_screenshot (preferences, "screenshot-preferences.png");
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_settings_reset (settings, "fft-size");
  g_settings_reset (settings, "time-format");
  g_settings_reset (settings, "colormap");

  /* The about window */
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  gtk_window_destroy (GTK_WINDOW (about));

  /* The shortcuts window comes from the resources */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window)));
}

/* The app started from the build tree as the README shows, with no
 * GSETTINGS_SCHEMA_DIR: it finds the schema the build compiled and runs
 * (before, GIO aborted with "Settings schema … is not installed"). */
static void
on_app_exited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_uninstalled_start (void)
{
  gboolean exited = FALSE, timed_out = FALSE;
  guint timeout_id;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *app = g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "ui", "waymark", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_SCHEMA_DIR");
  wm_test_launcher_die_with_parent (launcher);
  process = g_subprocess_launcher_spawn (launcher, &error, app, NULL);
  g_assert_no_error (error);
  /* A missing schema aborts at start-up, well within three seconds. */
  g_subprocess_wait_async (process, NULL, on_app_exited, &exited);
  timeout_id = g_timeout_add_seconds (3, set_flag, &timed_out);
  while (!exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_assert_false (exited);
  g_subprocess_force_exit (process);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  application = wm_test_gui_init (&argc, &argv);

  g_test_add_func ("/ui/window/start-page", test_start_page);
  g_test_add_func ("/ui/window/uninstalled-start", test_uninstalled_start);
  g_test_add_func ("/ui/application/open", test_application_open);
  g_test_add ("/ui/window/launch", Fixture, NULL, fixture_set_up, test_launch, fixture_tear_down);
  g_test_add ("/ui/window/filter", Fixture, NULL, fixture_set_up, test_filter, fixture_tear_down);
  g_test_add ("/ui/window/import", Fixture, NULL, fixture_set_up, test_import, fixture_tear_down);
  g_test_add ("/ui/window/import-responsive", Fixture, NULL,
              fixture_set_up, test_import_responsive, fixture_tear_down);
  g_test_add ("/ui/window/import-cancel", Fixture, NULL,
              fixture_set_up, test_import_cancel, fixture_tear_down);
  g_test_add_func ("/ui/window/close-while-importing", test_close_while_importing);
  g_test_add ("/ui/window/drop-import", Fixture, NULL,
              fixture_set_up, test_drop_import, fixture_tear_down);
  g_test_add ("/ui/window/import-bad-file", Fixture, NULL,
              fixture_set_up, test_import_bad_file, fixture_tear_down);
  g_test_add ("/ui/window/classes", Fixture, NULL,
              fixture_set_up, test_classes, fixture_tear_down);
  g_test_add ("/ui/window/undo-redo", Fixture, NULL,
              fixture_set_up, test_undo_redo, fixture_tear_down);
  g_test_add ("/ui/window/playback", Fixture, NULL,
              fixture_set_up, test_playback, fixture_tear_down);
  g_test_add ("/ui/window/space-plays", Fixture, NULL,
              fixture_set_up, test_space_plays, fixture_tear_down);
  g_test_add ("/ui/window/settings", Fixture, NULL,
              fixture_set_up, test_settings, fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
