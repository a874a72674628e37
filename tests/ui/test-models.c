/* test-models.c — the Models window, the Auto-label dialog and the report, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by meson inside `xvfb-run -a`; GDK_BACKEND=x11 and GSK_RENDERER=cairo.
 * The app must agree with `waymark-cli`: counts and report values are
 * compared with what the command line prints for the same project.
 * Screenshots land in G_TEST_BUILDDIR: screenshot-models.png,
 * screenshot-autolabel.png, screenshot-report.png.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"
#include "wm-application.h"
#include "wm-autolabel-dialog.h"
#include "wm-model-file.h"
#include "wm-models-window.h"
#include "wm-precision-plot.h"
#include "wm-recording-view.h"
#include "wm-report-view.h"
#include "wm-test-project.h"
#include "wm-test-gui.h"
#include "wm-window.h"

/* A guard against hanging, not a measurement. */
#define WAIT_LIMIT_US (60 * G_USEC_PER_SEC)

static WmApplication *application;

typedef struct {
  WmTestProject *project;
  WmWindow      *window;
  char          *pristine;     /* a copy of the project before the window opened it */
  char          *model_path;   /* the golden sensor-h16 model: 100 Hz, 6 channels */
  GArray        *imu_ids;      /* the recordings the model fits */
} Fixture;

typedef struct {
  guint    n_recordings;       /* 6-channel recordings the model fits */
  gsize    n_frames;
  gboolean import_model;       /* through the command line, before the window opens */
} Setup;

static const Setup small_setup = { 2, 20000, TRUE };
static const Setup large_setup = { 6, 200000, TRUE };
static const Setup no_model_setup = { 1, 20000, FALSE };

static gboolean
dialog_is_idle (gpointer data)
{
  return !wm_autolabel_dialog_get_running (data);
}

static gint64
add_imu_recording (WmStore    *store,
                   const char *name,
                   gsize       n_frames,
                   guint32     seed)
{
  static const char *names[] = { "ax", "ay", "az", "gx", "gy", "gz", NULL };
  static const char *units[] = { "", "", "", "", "", "", NULL };
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree gint16 *frames = g_new (gint16, 4096 * 6);
  WmRecordingWriter *writer;
  gint64 id;

  recording->name = g_strdup (name);
  recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_rate = 100.0;
  recording->n_channels = 6;
  recording->channel_names = g_strdupv ((char **) names);
  recording->channel_units = g_strdupv ((char **) units);
  recording->sample_format = WM_SAMPLE_FORMAT_INT16;
  writer = wm_store_begin_recording (store, recording, &error);
  g_assert_no_error (error);
  for (gsize first = 0; first < n_frames; first += 4096)
    {
      gsize n = MIN (4096, n_frames - first);

      for (gsize i = 0; i < n * 6; i++)
        frames[i] = (gint16) g_rand_int_range (rand, -12000, 12000);
      g_assert_true (wm_recording_writer_append (writer, frames, n, &error));
    }
  id = wm_recording_writer_commit (writer, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const Setup *setup = data;
  g_autoptr(GError) error = NULL;

  fixture->project = wm_test_project_new ();
  fixture->model_path = wm_test_golden_path ("sensor-h16.wmm");
  fixture->imu_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    g_autoptr(WmStore) store = wm_store_open (fixture->project->path, WM_STORE_OPEN_DEFAULT, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < setup->n_recordings; i++)
      {
        g_autofree char *name = g_strdup_printf ("wrist %u", i + 1);
        gint64 id = add_imu_recording (store, name, setup->n_frames, 3 + i);

        g_array_append_val (fixture->imu_ids, id);
      }
  }
  if (setup->import_model)
    wm_test_run_cli (0, NULL, NULL, "-p", fixture->project->path, "model", "import",
                     fixture->model_path, NULL);

  fixture->pristine = g_build_filename (fixture->project->dir, "pristine.waymark", NULL);
  wm_test_copy_file (fixture->project->path, fixture->pristine);

  fixture->window = wm_test_open_window (application, 1200, 760, fixture->project->path, WAIT_LIMIT_US);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  wm_test_iterate_for (50);
  g_free (fixture->pristine);
  g_free (fixture->model_path);
  g_array_unref (fixture->imu_ids);
  wm_test_project_free (fixture->project);
}

static GtkWidget *
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static GtkWidget *
open_window (Fixture    *fixture,
             const char *action,
             GType       type)
{
  GtkWidget *window;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), action, NULL));
  window = find_toplevel (type);
  g_assert_nonnull (window);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (fixture->window));
  g_assert_true (wm_test_wait_until (wm_test_widget_is_mapped, window, WAIT_LIMIT_US));
  return window;
}

static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether the window's action is enabled, as the header bar button bound
 * to it shows. */
static gboolean
action_enabled (Fixture    *fixture,
                const char *action)
{
  GtkWidget *button = find_actionable (GTK_WIDGET (fixture->window), action);

  g_assert_nonnull (button);
  wm_test_iterate_for (20);
  return gtk_widget_get_sensitive (button);
}

/* Every text a widget tree shows (labels, row titles and subtitles). */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
shown_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

static void
assert_shows (const char *text,
              const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("“%s” is not shown; shown:\n%s", expected, text);
}

static JsonNode *
cli_json (const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (wm_test_run_cli_argv ((const char * const *) argv->pdata, &out, NULL), ==, 0);
  return wm_test_parse_json (out);
}

/* ---- Models window -------------------------------------------------------- */

static void
test_models_window (Fixture       *fixture,
                    gconstpointer  data)
{
  WmStore *store = wm_window_get_store (fixture->window);
  g_autofree char *corrupt = g_build_filename (fixture->project->dir, "broken.wmm", NULL);
  g_autofree char *voice = g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"), "data", "demo", "models",
                                             "voice-commands-int8.wmm", NULL);
  g_autofree char *bytes = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GFile) corrupt_file = g_file_new_for_path (corrupt);
  g_autoptr(GFile) model_file = g_file_new_for_path (voice);
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  WmModelsWindow *models_window;
  JsonObject *description;
  GtkWidget *row;
  gint64 id;
  gsize size;

  g_assert_false (action_enabled (fixture, "win.autolabel"));
  models_window = WM_MODELS_WINDOW (open_window (fixture, "win.models", WM_TYPE_MODELS_WINDOW));
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 0);

  /* A model; the list shows what `waymark-cli model show` says of it. */
  id = wm_models_window_import_file (models_window, model_file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  assert_shows (wm_models_window_get_last_message (models_window), "voice-commands-int8.wmm");
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 1);
  g_assert_true (action_enabled (fixture, "win.autolabel"));
  models = wm_store_list_models (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 1);
  g_assert_cmpint (((WmStoredModel *) models->pdata[0])->id, ==, id);

  row = wm_models_window_get_row (models_window, id);
  g_assert_nonnull (row);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  shown = cli_json ("model", "show", "--json", voice, NULL);
  description = json_node_get_object (shown);
  text = shown_text (GTK_WIDGET (models_window));
  {
    static const char * const fields[] = {
      "name", "version", "variant", "use_case", "device_types", "dataset_hash", "created_at",
    };
    JsonObject *buffers = json_object_get_object_member (description, "buffers");
    JsonArray *classes = json_object_get_array_member (description, "classes");
    g_autofree char *ram = g_strdup_printf ("RAM %" G_GINT64_FORMAT " bytes",
                                            json_object_get_int_member (buffers, "classifier_ram_bytes"));
    g_autofree char *flash = g_strdup_printf ("flash %" G_GINT64_FORMAT " bytes",
                                              json_object_get_int_member (buffers, "model_bytes"));
    JsonObject *frontend = json_object_get_object_member (description, "frontend");
    g_autofree char *heard = g_strdup_printf ("%s, %" G_GINT64_FORMAT " Hz",
                                              json_object_get_string_member (frontend, "kind"),
                                              json_object_get_int_member (frontend, "sample_rate"));
    g_autofree char *windows = g_strdup_printf ("windows of %" G_GINT64_FORMAT " frames, hop %" G_GINT64_FORMAT,
                                                json_object_get_int_member (frontend, "window_frames"),
                                                json_object_get_int_member (frontend, "hop_frames"));

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        const char *value = json_object_get_string_member (description, fields[i]);

        g_assert_cmpuint (strlen (value), >, 0);
        assert_shows (text, value);
      }
    assert_shows (text, ram);
    assert_shows (text, flash);
    assert_shows (text, heard);
    assert_shows (text, windows);
    assert_shows (text, json_object_get_string_member (description, "sha256"));
    g_assert_cmpuint (json_array_get_length (classes), ==, 5);
    for (guint k = 0; k < json_array_get_length (classes); k++)
      assert_shows (text, json_array_get_string_element (classes, k));
  }
  assert_shows (text, "Not used yet");
  wm_test_iterate_for (300);
  wm_test_save_screenshot (GTK_WIDGET (models_window), "screenshot-models.png");

  /* A corrupt model: the toast names the file and why; the project is
   * unchanged.  Dropped files take the same path as the file dialog's. */
  g_assert_true (g_file_get_contents (voice, &bytes, &size, NULL));
  g_assert_true (g_file_set_contents (corrupt, bytes, size / 2, NULL));
  before = wm_test_dump_store (fixture->project->path);
  wm_models_window_import_files (models_window, &corrupt_file, 1);
  assert_shows (wm_models_window_get_last_message (models_window), "Could not import “broken.wmm”");
  assert_shows (wm_models_window_get_last_message (models_window), "truncated");
  after = wm_test_dump_store (fixture->project->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 1);
  g_assert_cmpint (wm_models_window_import_file (models_window, corrupt_file, &error), ==, 0);
  g_assert_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID);
  g_clear_error (&error);

  /* Unused: it goes. */
  g_assert_true (wm_models_window_remove_model (models_window, id, &error));
  g_assert_no_error (error);
  assert_shows (wm_models_window_get_last_message (models_window), "Removed model voice-commands");
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 0);
  g_assert_false (action_enabled (fixture, "win.autolabel"));
  g_clear_pointer (&models, g_ptr_array_unref);
  models = wm_store_list_models (store, &error);
  g_assert_cmpuint (models->len, ==, 0);

  /* Again; then a run (over the "voice" recording) makes it used: it stays. */
  wm_models_window_import_files (models_window, &model_file, 1);
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 1);
  wm_test_run_cli (0, NULL, NULL, "-p", fixture->project->path, "autolabel", "--all", NULL);
  wm_models_window_reload (models_window);
  g_clear_pointer (&models, g_ptr_array_unref);
  models = wm_store_list_models (store, &error);
  id = ((WmStoredModel *) models->pdata[0])->id;
  g_clear_pointer (&before, g_free);
  before = wm_test_dump_store (fixture->project->path);
  g_assert_false (wm_models_window_remove_model (models_window, id, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_IN_USE);
  g_clear_error (&error);
  assert_shows (wm_models_window_get_last_message (models_window), "in use by 1 auto-label run");
  g_clear_pointer (&after, g_free);
  after = wm_test_dump_store (fixture->project->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (wm_models_window_get_n_models (models_window), ==, 1);
  g_clear_pointer (&text, g_free);
  text = shown_text (GTK_WIDGET (models_window));
  assert_shows (text, "In use by 1 auto-label run");

  /* The command line refuses the same way. */
  {
    const char *argv[] = { "-p", fixture->project->path, "model", "remove", "voice-commands@1.0", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (wm_test_run_cli_argv (argv, NULL, &err), ==, 1);
    assert_shows (err, "in use by 1 auto-label run");
  }

  /* Escape closes the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (models_window), "window.close", NULL));
  wm_test_iterate_for (50);
  g_assert_null (find_toplevel (WM_TYPE_MODELS_WINDOW));
}

/* ---- Auto-label ------------------------------------------------------------ */

typedef struct {
  Fixture *fixture;
  guint    n_done;
  guint    n_with_labels;   /* recordings whose labels the main store saw when done */
  guint    cancel_after;    /* 0: never */
  GArray  *store_changes;   /* labels-changed on the window's store */
} Watch;

static void
on_recording_done (WmAutolabelDialog *dialog,
                   gint64             recording_id,
                   Watch             *watch)
{
  WmStore *store = wm_window_get_store (watch->fixture->window);

  watch->n_done++;
  if (wm_store_count_labels (store, recording_id) > 0)
    watch->n_with_labels++;
  if (watch->cancel_after > 0 && watch->n_done == watch->cancel_after)
    wm_autolabel_dialog_cancel (dialog);
}

static void
on_store_labels_changed (WmStore *store,
                         gint64   recording_id,
                         Watch   *watch)
{
  g_array_append_val (watch->store_changes, recording_id);
}

static WmAutolabelDialog *
open_dialog (Fixture *fixture)
{
  WmAutolabelDialog *dialog;
  g_autoptr(GPtrArray) models = wm_store_list_models (wm_window_get_store (fixture->window), NULL);

  g_assert_true (action_enabled (fixture, "win.autolabel"));
  dialog = WM_AUTOLABEL_DIALOG (open_window (fixture, "win.autolabel", WM_TYPE_AUTOLABEL_DIALOG));
  /* Not modal: the recordings stay in reach while the run goes on. */
  g_assert_false (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpint (wm_autolabel_dialog_get_model_id (dialog), ==, ((WmStoredModel *) models->pdata[0])->id);
  /* Defaults */
  g_assert_cmpfloat (wm_autolabel_dialog_get_threshold (dialog, "sensor-h16-c1"), ==, 0.9);
  g_assert_cmpfloat (wm_autolabel_dialog_get_margin (dialog), ==, 0.1);
  /* The settings of the command line's test: 0.4 for each of the model's
   * four classes, and 0.05 */
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *name = g_strdup_printf ("sensor-h16-c%u", k);

      g_assert_true (wm_autolabel_dialog_set_threshold (dialog, name, 0.4));
      g_assert_cmpfloat (wm_autolabel_dialog_get_threshold (dialog, name), ==, 0.4);
    }
  g_assert_false (wm_autolabel_dialog_set_threshold (dialog, "sensor-h16-c4", 0.4));
  wm_autolabel_dialog_set_margin (dialog, 0.05);
  wm_autolabel_dialog_set_all_recordings (dialog, TRUE);
  return dialog;
}

/* The dialog's per-class counts are the report's, from the command line. */
static void
assert_agrees_with_cli (Fixture   *fixture,
                        JsonNode  *summary)
{
  g_autoptr(JsonNode) report = cli_json ("-p", fixture->project->path, "report", "--json", NULL);
  JsonObject *classes = json_object_get_object_member (json_node_get_object (summary), "classes");
  JsonArray *reported = json_object_get_array_member (json_node_get_object (report), "classes");
  gint64 labels = 0, items = 0;

  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "run"),
                   ==, json_object_get_int_member (json_node_get_object (summary), "run"));
  g_assert_cmpuint (json_array_get_length (reported), >, 0);
  for (guint i = 0; i < json_array_get_length (reported); i++)
    {
      JsonObject *r = json_array_get_object_element (reported, i);
      JsonObject *c = json_object_get_object_member (classes, json_object_get_string_member (r, "class"));

      g_assert_nonnull (c);
      g_assert_cmpint (json_object_get_int_member (c, "labels"), ==, json_object_get_int_member (r, "model_labels"));
      g_assert_cmpint (json_object_get_int_member (c, "review_items"), ==, json_object_get_int_member (r, "pending"));
      g_assert_cmpint (json_object_get_int_member (c, "windows_above"), ==, json_object_get_int_member (r, "windows_above"));
      g_assert_cmpfloat (json_object_get_double_member (c, "threshold"), ==, json_object_get_double_member (r, "threshold"));
      labels += json_object_get_int_member (r, "model_labels");
      items += json_object_get_int_member (r, "pending");
    }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "labels"), ==, labels);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "review_items"), ==, items);
}

static void
test_autolabel_run (Fixture       *fixture,
                    gconstpointer  data)
{
  WmStore *store = wm_window_get_store (fixture->window);
  WmRecordingView *view = WM_RECORDING_VIEW (wm_window_get_recording_view (fixture->window));
  Watch watch = { fixture, 0, 0, 0, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 shown = g_array_index (fixture->imu_ids, gint64, 0);
  WmAutolabelDialog *dialog;
  g_autoptr(JsonNode) summary = NULL;
  JsonObject *o;
  gulong handler;

  g_assert_true (wm_window_select_recording (fixture->window, shown));
  g_assert_cmpint (wm_store_count_labels (store, shown), ==, 0);
  dialog = open_dialog (fixture);
  wm_test_iterate_for (300);
  wm_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-autolabel.png");

  g_signal_connect (dialog, "recording-done", G_CALLBACK (on_recording_done), &watch);
  handler = g_signal_connect (store, "labels-changed", G_CALLBACK (on_store_labels_changed), &watch);
  g_assert_true (wm_autolabel_dialog_run (dialog));
  g_assert_true (wm_autolabel_dialog_get_running (dialog));
  g_assert_false (wm_autolabel_dialog_run (dialog));  /* one run at a time */
  g_assert_true (wm_test_wait_until (dialog_is_idle, dialog, WAIT_LIMIT_US));
  g_clear_signal_handler (&handler, store);

  g_assert_null (wm_autolabel_dialog_get_error_message (dialog));
  g_assert_nonnull (wm_autolabel_dialog_get_summary (dialog));
  summary = wm_autolabel_summary_to_json (wm_autolabel_dialog_get_summary (dialog));
  o = json_node_get_object (summary);
  g_assert_true (json_object_get_boolean_member (o, "complete"));
  g_assert_cmpint (json_object_get_int_member (o, "windows"), ==, 2 * ((20000 - 16) / 8 + 1));
  g_assert_cmpint (json_object_get_int_member (o, "labels"), >, 0);
  g_assert_cmpint (json_object_get_int_member (o, "review_items"), >, 0);
  g_assert_cmpfloat (wm_autolabel_dialog_get_fraction (dialog), ==, 1.0);

  /* Results came as each recording was done: the window's store saw them
   * then, and was told, on the main thread. */
  g_assert_cmpuint (watch.n_done, ==, fixture->imu_ids->len);
  g_assert_cmpuint (watch.n_with_labels, ==, fixture->imu_ids->len);
  g_assert_cmpuint (wm_autolabel_dialog_get_done_recordings (dialog)->len, ==, fixture->imu_ids->len);
  for (guint i = 0; i < fixture->imu_ids->len; i++)
    {
      gboolean told = FALSE;

      for (guint j = 0; j < watch.store_changes->len; j++)
        told = told || g_array_index (watch.store_changes, gint64, j) == g_array_index (fixture->imu_ids, gint64, i);
      g_assert_true (told);
    }
  g_assert_cmpint (wm_recording_view_get_recording_id (view), ==, shown);
  g_assert_cmpint (wm_store_count_labels (store, shown), >, 0);
  assert_shows (wm_window_get_last_message (fixture->window), "Auto-label done");

  /* In the project: one run, its labels and review items */
  runs = wm_store_list_runs (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->state, ==, WM_RUN_COMPLETE);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->id, ==, json_object_get_int_member (o, "run"));
  items = wm_store_list_review_items (store, 0, TRUE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (items->len, ==, json_object_get_int_member (o, "review_items"));
  assert_agrees_with_cli (fixture, summary);
  {
    g_autoptr(JsonNode) cli = cli_json ("-p", fixture->pristine, "autolabel", "--all", "--threshold", "0.4",
                                        "--margin", "0.05", "--json", NULL);
    JsonObject *c = json_node_get_object (cli);

    g_assert_cmpint (json_object_get_int_member (o, "labels"), ==, json_object_get_int_member (c, "labels"));
    g_assert_cmpint (json_object_get_int_member (o, "review_items"), ==, json_object_get_int_member (c, "review_items"));
  }

  gtk_window_close (GTK_WINDOW (dialog));
  wm_test_iterate_for (50);
  g_array_unref (watch.store_changes);
}

static void
test_autolabel_cancel_resume (Fixture       *fixture,
                              gconstpointer  data)
{
  WmStore *store = wm_window_get_store (fixture->window);
  Watch watch = { fixture, 0, 0, 1, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) uninterrupted = NULL;
  g_autoptr(JsonNode) summary = NULL;
  WmAutolabelDialog *dialog;
  JsonObject *o, *u;
  gulong handler;

  dialog = open_dialog (fixture);
  handler = g_signal_connect (dialog, "recording-done", G_CALLBACK (on_recording_done), &watch);
  g_assert_true (wm_autolabel_dialog_run (dialog));
  g_assert_true (wm_test_wait_until (dialog_is_idle, dialog, WAIT_LIMIT_US));

  /* Stopped after the first recording: the run is incomplete and says so. */
  g_assert_nonnull (wm_autolabel_dialog_get_error_message (dialog));
  assert_shows (wm_autolabel_dialog_get_error_message (dialog), "incomplete");
  g_assert_null (wm_autolabel_dialog_get_summary (dialog));
  g_assert_cmpuint (watch.n_done, >=, 1);
  g_assert_cmpuint (watch.n_done, <, fixture->imu_ids->len);
  runs = wm_store_list_runs (store, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->state, ==, WM_RUN_INCOMPLETE);
  g_assert_cmpint (wm_store_count_labels (store, g_array_index (fixture->imu_ids, gint64, 0)), >, 0);

  /* Run again: it resumes and ends complete, with what an uninterrupted
   * command-line run on the same project gives. */
  g_clear_signal_handler (&handler, dialog);
  g_assert_true (wm_autolabel_dialog_run (dialog));
  g_assert_true (wm_test_wait_until (dialog_is_idle, dialog, WAIT_LIMIT_US));
  g_assert_null (wm_autolabel_dialog_get_error_message (dialog));
  summary = wm_autolabel_summary_to_json (wm_autolabel_dialog_get_summary (dialog));
  o = json_node_get_object (summary);
  g_assert_true (json_object_get_boolean_member (o, "complete"));
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = wm_store_list_runs (store, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->state, ==, WM_RUN_COMPLETE);

  uninterrupted = cli_json ("-p", fixture->pristine, "autolabel", "--all", "--threshold", "0.4",
                            "--margin", "0.05", "--json", NULL);
  u = json_node_get_object (uninterrupted);
  g_assert_cmpint (json_object_get_int_member (o, "windows"), ==, json_object_get_int_member (u, "windows"));
  g_assert_cmpint (json_object_get_int_member (o, "labels"), ==, json_object_get_int_member (u, "labels"));
  g_assert_cmpint (json_object_get_int_member (o, "review_items"), ==, json_object_get_int_member (u, "review_items"));
  assert_agrees_with_cli (fixture, summary);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_array_unref (watch.store_changes);
}

/* ---- Report ---------------------------------------------------------------- */

static WmReportView *watched_report;
static const WmReport *watched_node;

/* Whether the report shown is what `report --json` printed. */
static gboolean
shown_report_equals (WmReportView *view,
                     JsonNode     *cli)
{
  g_autoptr(JsonNode) shown = wm_report_to_json (wm_report_view_get_report (view));

  return json_node_equal (cli, shown);
}

static gboolean
report_replaced (gpointer data)
{
  return wm_report_view_get_report (watched_report) != watched_node;
}

static void
test_report (Fixture       *fixture,
             gconstpointer  data)
{
  WmStore *store = wm_window_get_store (fixture->window);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cli = NULL;
  g_autofree char *text = NULL;
  WmAutolabelDialog *dialog;
  WmReportView *report;
  JsonArray *classes;

  /* Nothing to report yet */
  report = WM_REPORT_VIEW (open_window (fixture, "win.report", WM_TYPE_REPORT_VIEW));
  g_assert_null (wm_report_view_get_report (report));
  gtk_window_destroy (GTK_WINDOW (report));

  dialog = open_dialog (fixture);
  g_assert_true (wm_autolabel_dialog_run (dialog));
  g_assert_true (wm_test_wait_until (dialog_is_idle, dialog, WAIT_LIMIT_US));
  g_assert_nonnull (wm_autolabel_dialog_get_summary (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Decisions on class c1: every 20th of its items, so that they spread
   * over the review band; the more certain the model, the more often right. */
  items = wm_store_list_review_items (store, 0, TRUE, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0, n = 0, seen = 0; i < items->len && n < 40; i++)
    {
      WmReviewItem *item = items->pdata[i];
      gboolean right = item->probability >= 0.43 || (item->probability >= 0.4 ? n % 4 != 0 : n % 3 == 0);

      if (g_strcmp0 (item->class_name, "sensor-h16-c1") != 0 || seen++ % 20 != 0)
        continue;
      g_assert_true (wm_store_decide_review_item (store, item->id,
                                                  right ? WM_REVIEW_ACCEPTED : WM_REVIEW_REJECTED,
                                                  0, "tester", &error));
      g_assert_no_error (error);
      n++;
    }

  report = WM_REPORT_VIEW (open_window (fixture, "win.report", WM_TYPE_REPORT_VIEW));
  wm_report_view_set_target_precision (report, 0.6);
  g_assert_cmpfloat (wm_report_view_get_target_precision (report), ==, 0.6);
  g_assert_nonnull (wm_report_view_get_report (report));
  cli = cli_json ("-p", fixture->project->path, "report", "--json", "--target-precision", "0.6", NULL);
  /* The same function: the same JSON, number for number. */
  g_assert_true (shown_report_equals (report, cli));

  text = shown_text (GTK_WIDGET (report));
  classes = json_object_get_array_member (json_node_get_object (cli), "classes");
  for (guint i = 0; i < json_array_get_length (classes); i++)
    {
      JsonObject *c = json_array_get_object_element (classes, i);
      JsonNode *precision = json_object_get_member (c, "precision");
      JsonNode *needed = json_object_get_member (c, "threshold_for_target");
      JsonArray *warnings = json_object_get_array_member (c, "warnings");
      GtkWidget *plot = wm_report_view_get_plot (report, json_object_get_string_member (c, "class"));
      g_autofree char *labels = g_strdup_printf ("%" G_GINT64_FORMAT " model labels from %" G_GINT64_FORMAT
                                                 " windows above the threshold; %" G_GINT64_FORMAT
                                                 " review items pending",
                                                 json_object_get_int_member (c, "model_labels"),
                                                 json_object_get_int_member (c, "windows_above"),
                                                 json_object_get_int_member (c, "pending"));
      g_autofree char *interval = g_strdup_printf ("95 %% interval %.3f–%.3f",
                                                   json_object_get_double_member (c, "precision_low"),
                                                   json_object_get_double_member (c, "precision_high"));
      gint64 found = json_object_get_int_member (c, "found_below");
      g_autofree char *recall = g_strdup_printf ("%" G_GINT64_FORMAT " %s found in %" G_GINT64_FORMAT
                                                 " decisions below the threshold",
                                                 found, found == 1 ? "positive" : "positives",
                                                 json_object_get_int_member (c, "decided_below"));

      assert_shows (text, json_object_get_string_member (c, "class"));
      assert_shows (text, labels);
      assert_shows (text, interval);
      assert_shows (text, recall);
      if (!JSON_NODE_HOLDS_NULL (precision))
        {
          g_autofree char *p = g_strdup_printf ("%.3f, 95 %%", json_node_get_double (precision));
          assert_shows (text, p);
        }
      if (!JSON_NODE_HOLDS_NULL (needed))
        {
          g_autofree char *t = g_strdup_printf ("%.3f", json_node_get_double (needed));
          assert_shows (text, t);
        }
      for (guint w = 0; w < json_array_get_length (warnings); w++)
        assert_shows (text, json_array_get_string_element (warnings, w));

      g_assert_nonnull (plot);
      g_assert_cmpuint (wm_precision_plot_get_n_points (WM_PRECISION_PLOT (plot)),
                        ==, json_array_get_length (json_object_get_array_member (c, "curve")));
      g_assert_cmpfloat (wm_precision_plot_get_threshold (WM_PRECISION_PLOT (plot)),
                         ==, json_object_get_double_member (c, "threshold"));
    }

  /* Another target: the report follows, still the command line's */
  wm_report_view_set_target_precision (report, 0.95);
  g_clear_pointer (&cli, json_node_unref);
  cli = cli_json ("-p", fixture->project->path, "report", "--json", NULL);
  g_assert_true (shown_report_equals (report, cli));

  /* A new decision: the open report follows by itself, still the command line's. */
  {
    g_autoptr(GPtrArray) pending = wm_store_list_review_items (store, 0, TRUE, 1, &error);
    const WmReport *old_report = wm_report_view_get_report (report);

    g_assert_cmpuint (pending->len, ==, 1);
    g_assert_true (wm_store_decide_review_item (store, ((WmReviewItem *) pending->pdata[0])->id,
                                                WM_REVIEW_ACCEPTED, 0, "tester", &error));
    g_assert_no_error (error);
    watched_report = report;
    watched_node = old_report;
    g_assert_true (wm_test_wait_until (report_replaced, NULL, WAIT_LIMIT_US));
    g_clear_pointer (&cli, json_node_unref);
    cli = cli_json ("-p", fixture->project->path, "report", "--json", NULL);
    g_assert_true (shown_report_equals (report, cli));
  }

  /* The screenshot shows the class with decisions, its plot in view. */
  {
    GtkWidget *plot = wm_report_view_get_plot (report, "sensor-h16-c1");
    GtkWidget *scrolled = gtk_widget_get_ancestor (plot, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *section = gtk_widget_get_parent (gtk_widget_get_parent (plot));
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
    graphene_point_t top;

    g_assert_cmpuint (wm_precision_plot_get_n_points (WM_PRECISION_PLOT (plot)), >=, 10);
    wm_test_iterate_for (200);
    g_assert_true (gtk_widget_compute_point (section, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                             &GRAPHENE_POINT_INIT (0, 0), &top));
    gtk_adjustment_set_value (adjustment, top.y - 12);
  }
  wm_test_iterate_for (400);
  wm_test_save_screenshot (GTK_WIDGET (report), "screenshot-report.png");
  gtk_window_destroy (GTK_WINDOW (report));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  application = wm_test_gui_init (&argc, &argv);

  g_test_add ("/ui/models/window", Fixture, &no_model_setup,
              fixture_set_up, test_models_window, fixture_tear_down);
  g_test_add ("/ui/autolabel/run", Fixture, &small_setup,
              fixture_set_up, test_autolabel_run, fixture_tear_down);
  g_test_add ("/ui/autolabel/cancel-resume", Fixture, &large_setup,
              fixture_set_up, test_autolabel_cancel_resume, fixture_tear_down);
  g_test_add ("/ui/report/values", Fixture, &small_setup,
              fixture_set_up, test_report, fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
