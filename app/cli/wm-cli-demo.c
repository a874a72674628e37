/* wm-cli-demo.c — build the demo project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "wm-autolabel.h"
#include "wm-cli.h"
#include "wm-evaluate.h"
#include "wm-import.h"
#include "wm-model-file.h"

typedef struct {
  const char *file;
  const char *truth;
  const char *model; /* data/demo/models/<model>-int8.wmm */
  const char *classes[5];
} DemoRecording;

/* What data/demo/generate writes, the classes its ground truth uses, and the
 * model trained (on other seeds) for it. */
static const DemoRecording demo_recordings[] = {
  { "voice-commands.flac", "voice-commands.truth.csv", "voice-commands", { "stop", "go", "left", "right", NULL } },
  { "imu-gestures.csv", "imu-gestures.truth.csv", "imu-gestures", { "shake", "tap", "circle", NULL } },
};

/* IoU at which a label counts as finding a ground-truth event. */
#define DEMO_MIN_IOU 0.5

static char *
find_demo_file (const char *relative)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "demo", relative, NULL);
  g_autofree char *source = g_build_filename (WAYMARK_SOURCE_DIR, "data", "demo", relative, NULL);

  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&source);
  return NULL;
}

/* Imports the recording's model, auto-labels the recording with it and
 * evaluates the model labels against the ground truth; NULL when the model
 * is not there. */
static JsonNode *
label_and_evaluate (WmStore             *store,
                    const DemoRecording *demo,
                    gint64               recording_id,
                    const char          *truth_path,
                    GError             **error)
{
  g_autofree char *name = g_strconcat ("models/", demo->model, "-int8.wmm", NULL);
  g_autofree char *path = find_demo_file (name);
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GPtrArray) predicted = g_ptr_array_new ();
  g_autoptr(GPtrArray) truth = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(WmRecording) recording = NULL;
  JsonNode *evaluation;
  WmAutolabelOptions options = { 0 };
  gint64 model_id;

  if (path == NULL)
    return NULL;
  model = wm_model_file_new_from_path (path, error);
  if (model == NULL)
    return NULL;
  model_id = wm_model_file_add_to_store (model, store, path, NULL, error);
  if (model_id == 0)
    return NULL;

  g_array_append_val (ids, recording_id);
  options.model = model;
  options.model_id = model_id;
  options.recording_ids = ids;
  if (!wm_autolabel_run (store, &options, NULL, NULL, NULL, &summary, error))
    return NULL;

  recording = wm_store_get_recording (store, recording_id, error);
  labels = recording != NULL ? wm_store_list_labels (store, recording_id, 0, -1, error) : NULL;
  truth = labels != NULL ? wm_evaluate_read_truth (truth_path, recording->sample_rate, error) : NULL;
  if (truth == NULL)
    return NULL;
  for (guint i = 0; i < labels->len; i++)
    if (((WmLabel *) labels->pdata[i])->source == WM_LABEL_SOURCE_MODEL)
      g_ptr_array_add (predicted, labels->pdata[i]);

  evaluation = wm_evaluate_labels (predicted, truth, DEMO_MIN_IOU);
  json_object_set_member (json_node_get_object (evaluation), "autolabel", wm_autolabel_summary_to_json (summary));
  return evaluation;
}

static char *
find_generator (void)
{
  const char *env = g_getenv ("WAYMARK_DEMO_GENERATOR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, "demo", "generate", NULL);
  g_autofree char *source = g_build_filename (WAYMARK_SOURCE_DIR, "data", "demo", "generate", NULL);

  if (env != NULL)
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (g_file_test (source, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&source);
  return NULL;
}

static gboolean
ensure_material (const char  *material,
                 GError     **error)
{
  g_autofree char *generator = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  gboolean complete = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_recordings); i++)
    {
      g_autofree char *path = g_build_filename (material, demo_recordings[i].file, NULL);
      complete = complete && g_file_test (path, G_FILE_TEST_IS_REGULAR);
    }
  if (complete)
    return TRUE;

  generator = find_generator ();
  if (generator == NULL)
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("the demo generator (data/demo/generate) is not installed"));
      return FALSE;
    }
  g_printerr (_("Generating the demo recordings in %s…\n"), material);
  {
    const char *argv[] = { generator, "--seed", "1", "--out", material, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error))
      return FALSE;
  }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("generating the demo recordings failed: %s"), err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static void
remove_project (const char *path)
{
  for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL }; *suffix != NULL; suffix++)
    {
      g_autofree char *p = g_strconcat (path, *suffix, NULL);
      g_unlink (p);
    }
}

int
wm_cli_demo (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autofree char *material = NULL;
  g_autofree char *project = NULL;
  g_autoptr(JsonBuilder) results = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  WmImportOptions options;
  guint key = 1;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("DIR"),
                             _("Build the demo project DIR/demo.waymark from the demo recordings "
                               "(generated into DIR/material when missing)."),
                             NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give the directory to build the demo in"));

  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    {
      g_printerr ("waymark-cli %s: %s: %s\n", cli->command, argv[1], g_strerror (errno));
      return WM_CLI_EXIT_FAILURE;
    }
  material = g_build_filename (argv[1], "material", NULL);
  if (!ensure_material (material, &error))
    return wm_cli_fail (cli, error);

  project = g_build_filename (argv[1], "demo.waymark", NULL);
  remove_project (project);
  store = wm_store_open (project, WM_STORE_OPEN_CREATE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  wm_import_options_init (&options);
  json_builder_begin_array (results);
  for (guint i = 0; i < G_N_ELEMENTS (demo_recordings); i++)
    {
      g_autofree char *path = g_build_filename (material, demo_recordings[i].file, NULL);
      g_autofree char *truth = g_build_filename (material, demo_recordings[i].truth, NULL);
      g_autoptr(GArray) ids = NULL;
      g_autoptr(JsonNode) evaluation = NULL;
      gint64 recording_id;

      if (!wm_import_file (store, path, &options, NULL, NULL, NULL, &ids, &error))
        return wm_cli_fail (cli, error);
      recording_id = g_array_index (ids, gint64, 0);
      for (const char *const *c = demo_recordings[i].classes; *c != NULL; c++, key++)
        {
          static const char * const palette[] = { "#e01b24", "#33d17a", "#3584e4", "#f6d32d",
                                                  "#9141ac", "#ff7800", "#986a44" };
          g_autofree char *key_text = g_strdup_printf ("%u", key);

          if (wm_store_add_class (store, *c, palette[(key - 1) % G_N_ELEMENTS (palette)], key_text, &error) == 0)
            return wm_cli_fail (cli, error);
        }

      evaluation = label_and_evaluate (store, &demo_recordings[i], recording_id, truth, &error);
      if (evaluation == NULL && error != NULL)
        return wm_cli_fail (cli, error);

      json_builder_begin_object (results);
      json_builder_set_member_name (results, "recording");
      json_builder_add_int_value (results, recording_id);
      json_builder_set_member_name (results, "name");
      json_builder_add_string_value (results, demo_recordings[i].model);
      json_builder_set_member_name (results, "evaluation");
      if (evaluation != NULL)
        json_builder_add_value (results, json_node_ref (evaluation));
      else
        json_builder_add_null_value (results);
      json_builder_end_object (results);
    }
  json_builder_end_array (results);
  root = json_builder_get_root (results);

  g_clear_object (&store);
  g_free (cli->project_path);
  cli->project_path = g_strdup (project);
  if (cli->json)
    {
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  g_print (_("Demo project: %s\n\n"), project);
  {
    char *list_argv[] = { (char *) "waymark-cli list", NULL };
    int status = wm_cli_list (cli, 1, list_argv);
    if (status != WM_CLI_EXIT_OK)
      return status;
  }
  g_print (_("\nAuto-labelled by the device models (int8), against the ground truth at IoU ≥ %.1f:\n"), DEMO_MIN_IOU);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonObject *r = json_array_get_object_element (json_node_get_array (root), i);
      JsonNode *e = json_object_get_member (r, "evaluation");
      JsonObject *o;

      if (JSON_NODE_HOLDS_NULL (e))
        {
          g_print (_("  %-16s no model shipped (data/demo/models/)\n"), json_object_get_string_member (r, "name"));
          continue;
        }
      o = json_node_get_object (e);
      g_print (_("  %-16s %3" PRId64 " labels, %3" PRId64 " events, %3" PRId64
                 " found: precision %.3f, recall %.3f; %" PRId64 " windows to review\n"),
               json_object_get_string_member (r, "name"), json_object_get_int_member (o, "predicted"),
               json_object_get_int_member (o, "truth"), json_object_get_int_member (o, "matched"),
               json_object_get_double_member (o, "precision"), json_object_get_double_member (o, "recall"),
               json_object_get_int_member (json_object_get_object_member (o, "autolabel"), "review_items"));
    }
  g_print (_("\nNext: “waymark-cli -p %s review next”, “… report”, or open it in Waymark.\n"), project);
  return WM_CLI_EXIT_OK;
}
