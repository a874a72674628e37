/* wm-cli-model.c — model import|list|show|remove, and infer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "wm-cli.h"
#include "wm-import.h"
#include "wm-model-file.h"

static gboolean
check_variant (const char  *variant,
               GError     **error)
{
  if (variant != NULL && !g_str_equal (variant, "int8") && !g_str_equal (variant, "f32"))
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE,
                   _("--variant takes “int8” or “f32”, not “%s”"), variant);
      return FALSE;
    }
  return TRUE;
}

/* A model named by its file (FILE.wmm) or as NAME[@VERSION] in the project;
 * @store may be NULL when no project is open. */
static WmModelFile *
wm_cli_resolve_model (WmCli       *cli,
                      WmStore     *store,
                      const char  *spec,
                      const char  *variant,
                      GError     **error)
{
  g_autoptr(WmStoredModel) stored = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autofree char *name = NULL;
  const char *at;

  if (!check_variant (variant, error))
    return NULL;

  if (g_str_has_suffix (spec, ".wmm") || g_file_test (spec, G_FILE_TEST_IS_REGULAR))
    {
      model = wm_model_file_new_from_path (spec, error);
      if (model == NULL)
        return NULL;
      if (variant != NULL && !g_str_equal (variant, wm_model_file_get_variant (model)))
        {
          g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                       _("%s is the %s variant, not %s"), spec,
                       wm_model_file_get_variant (model), variant);
          return NULL;
        }
      return g_steal_pointer (&model);
    }

  if (store == NULL)
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE,
                   _("“%s” is not a model file; to use a model of a project, give -p FILE"), spec);
      return NULL;
    }
  at = strchr (spec, '@');
  name = at != NULL ? g_strndup (spec, at - spec) : g_strdup (spec);
  stored = wm_store_find_model (store, name, at != NULL ? at + 1 : NULL, variant, error);
  if (stored == NULL)
    return NULL;
  return wm_model_file_new_from_store (store, stored, error);
}

static int
model_import (WmCli *cli,
              int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n_failed = 0;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("FILE.wmm…"),
                             _("Store model files in the project, with their SHA-256."),
                             _("Importing the same bytes again does nothing; the same name, version "
                               "and variant with other bytes is an error."), NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc < 2)
    return wm_cli_usage_error (cli, _("give at least one model file"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) file_error = NULL;
      g_autoptr(WmModelFile) model = wm_model_file_new_from_path (argv[i], &file_error);
      gboolean existed = FALSE;
      gint64 id = 0;

      if (model != NULL)
        id = wm_model_file_add_to_store (model, store, argv[i], &existed, &file_error);

      if (id == 0)
        {
          n_failed++;
          g_printerr ("waymark-cli %s: %s\n", cli->command, file_error->message);
        }
      else if (!cli->json)
        g_print (existed ? _("%s: model %s@%s (%s) is in the project already\n")
                         : _("Imported %s as model %s@%s (%s)\n"),
                 argv[i], wm_model_file_get_name (model), wm_model_file_get_version (model),
                 wm_model_file_get_variant (model));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[i]);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, id == 0 ? "failed" : existed ? "present" : "imported");
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, id);
      json_builder_set_member_name (b, "message");
      if (file_error != NULL)
        json_builder_add_string_value (b, file_error->message);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  return n_failed > 0 ? WM_CLI_EXIT_FAILURE : WM_CLI_EXIT_OK;
}

static int
model_list (WmCli *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) models = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL, _("List the models of the project."), NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL || (models = wm_store_list_models (store, &error)) == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < models->len; i++)
        {
          WmStoredModel *m = models->pdata[i];
          JsonNode *meta = json_from_string (m->metadata, NULL);
          JsonObject *o = meta != NULL && JSON_NODE_HOLDS_OBJECT (meta)
                          ? json_object_ref (json_node_get_object (meta)) : json_object_new ();
          JsonNode *node = json_node_new (JSON_NODE_OBJECT);

          json_object_set_int_member (o, "id", m->id);
          json_object_set_int_member (o, "size", m->size);
          json_node_take_object (node, o);
          json_array_add_element (array, node);
          g_clear_pointer (&meta, json_node_unref);
        }
      json_node_take_array (root, array);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  if (models->len == 0)
    g_print (_("No models yet; add one with “waymark-cli model import FILE.wmm”.\n"));
  for (guint i = 0; i < models->len; i++)
    {
      WmStoredModel *m = models->pdata[i];
      g_print ("%4" PRId64 "  %-20s %-10s %-5s %8" PRId64 " B  %.16s…\n",
               m->id, m->name, m->version, m->variant, m->size, m->sha256);
    }
  return WM_CLI_EXIT_OK;
}

static void
print_description (const WmModelDescription *d)
{
  const WmModelFrontend *fe = &d->frontend;
  g_autofree char *names = wm_model_description_join_classes (d);

  g_print (_("Model:        %s@%s (%s)\n"), d->name, d->version, d->variant);
  g_print (_("SHA-256:      %s\n"), d->sha256);
  g_print (_("Use case:     %s\n"), d->use_case);
  g_print (_("Devices:      %s\n"), d->device_types);
  g_print (_("Dataset:      %s\n"), d->dataset_hash);
  g_print (_("Created:      %s\n"), d->created_at);
  g_print (_("Classes:      %s (%s)\n"), names, wm_model_output_name (d->output));
  g_print (_("Front-end:    %s, %" PRId64 " Hz, %" PRId64 " channel(s), "
             "%" PRId64 " features\n"),
           wm_model_frontend_kind_name (fe->kind), (gint64) fe->sample_rate,
           (gint64) fe->n_channels, (gint64) fe->n_features);
  g_print (_("Windows:      %" PRId64 " frames (%.3f s), hop %" PRId64 " frames\n"),
           (gint64) fe->window_frames, fe->window_seconds, (gint64) fe->hop_frames);
  for (guint l = 0; l < d->n_layers; l++)
    g_print (_("LSTM layer %u: %" PRId64 " inputs, %" PRId64 " hidden\n"), l,
             (gint64) d->layers[l].n_inputs, (gint64) d->layers[l].n_hidden);
  g_print (_("Device needs: %" PRId64 " bytes of RAM for buffers, %" PRId64
             " bytes for the model\n"),
           (gint64) d->classifier_ram_bytes, (gint64) d->model_bytes);
  g_print (_("\nTensors:\n  %-16s %-6s %-12s %12s %8s\n"), _("Name"), _("Type"), _("Shape"), _("Scale"), _("Bytes"));
  for (guint t = 0; t < d->n_tensors; t++)
    {
      const WmModelTensor *tensor = &d->tensors[t];
      g_autofree char *dims = tensor->n_dims == 2
        ? g_strdup_printf ("%" PRId64 "×%" PRId64, (gint64) tensor->shape[0], (gint64) tensor->shape[1])
        : g_strdup_printf ("%" PRId64, (gint64) tensor->shape[0]);

      g_print ("  %-16s %-6s %-12s %12.6g %8" PRId64 "\n",
               tensor->name, tensor->dtype, dims, tensor->scale, (gint64) tensor->n_bytes);
    }
}

static int
model_show (WmCli *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(WmModelDescription) description = NULL;
  g_autofree char *variant = NULL;
  const GOptionEntry entries[] = {
    { "variant", 0, 0, G_OPTION_ARG_STRING, &variant, N_("The variant of a model in the project"), N_("int8|f32") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME[@VERSION]|FILE.wmm"),
                             _("Show a model: metadata, architecture, tensors, and the buffer sizes a device needs."),
                             NULL, entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one model"));

  if (cli->project_path != NULL || g_getenv ("WAYMARK_PROJECT") != NULL)
    {
      store = wm_cli_open_project (cli, TRUE, &error);
      if (store == NULL)
        return wm_cli_fail (cli, error);
    }
  model = wm_cli_resolve_model (cli, store, argv[1], variant, &error);
  if (model == NULL)
    return wm_cli_fail (cli, error);

  description = wm_model_file_describe (model);
  if (cli->json)
    {
      g_autoptr(JsonNode) json = wm_model_description_to_json (description);
      wm_cli_print_json (json);
    }
  else
    print_description (description);
  return WM_CLI_EXIT_OK;
}

static int
model_remove (WmCli *cli,
              int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmStoredModel) stored = NULL;
  g_autofree char *variant = NULL;
  g_autofree char *name = NULL;
  const char *at;
  const GOptionEntry entries[] = {
    { "variant", 0, 0, G_OPTION_ARG_STRING, &variant, N_("The variant to remove (default: the only one)"), N_("int8|f32") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME@VERSION"), _("Remove a model from the project."),
                             NULL, entries, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2 || (at = strchr (argv[1], '@')) == NULL)
    return wm_cli_usage_error (cli, _("give one model as NAME@VERSION"));
  if (!check_variant (variant, &error))
    return wm_cli_fail (cli, error);

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  name = g_strndup (argv[1], at - argv[1]);
  stored = wm_store_find_model (store, name, at + 1, variant, &error);
  if (stored == NULL || !wm_store_remove_model (store, stored->id, &error))
    return wm_cli_fail (cli, error);
  g_print (_("Removed model %s@%s (%s)\n"), stored->name, stored->version, stored->variant);
  return WM_CLI_EXIT_OK;
}

int
wm_cli_model (WmCli *cli,
              int    argc,
              char **argv)
{
  static const WmCliCommand subcommands[] = {
    { "import", model_import, N_("Store model files (.wmm) in the project") },
    { "list", model_list, N_("List the models of the project") },
    { "show", model_show, N_("Show a model: NAME[@VERSION] or FILE.wmm") },
    { "remove", model_remove, N_("Remove a model: NAME@VERSION") },
    { NULL }
  };
  return wm_cli_run_subcommand (cli, "model", subcommands, argc, argv);
}

/* ---- infer --------------------------------------------------------------- */

typedef struct {
  JsonBuilder *json;
  WmModelFile *model;
  double       rate;
  guint64      n_windows;
} InferOutput;

static void
on_infer_window (gint64       start_frame,
                 gint64       end_frame,
                 const float *probabilities,
                 guint        n_classes,
                 gpointer     user_data)
{
  InferOutput *out = user_data;
  guint best = 0;

  out->n_windows++;
  if (out->json != NULL)
    {
      json_builder_begin_object (out->json);
      json_builder_set_member_name (out->json, "start");
      json_builder_add_int_value (out->json, start_frame);
      json_builder_set_member_name (out->json, "end");
      json_builder_add_int_value (out->json, end_frame);
      json_builder_set_member_name (out->json, "probabilities");
      json_builder_begin_array (out->json);
      for (guint k = 0; k < n_classes; k++)
        json_builder_add_double_value (out->json, probabilities[k]);
      json_builder_end_array (out->json);
      json_builder_end_object (out->json);
      return;
    }

  for (guint k = 1; k < n_classes; k++)
    if (probabilities[k] > probabilities[best])
      best = k;
  printf ("%12" PRId64 " %12" PRId64 " %11.3f %11.3f  %-14s %.4f",
          start_frame, end_frame, start_frame / out->rate, end_frame / out->rate,
          wm_model_file_get_class_name (out->model, best), probabilities[best]);
  for (guint k = 0; k < n_classes; k++)
    printf (" %.4f", probabilities[k]);
  putchar ('\n');
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
wm_cli_infer (WmCli *cli,
              int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmStore) scratch = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *variant = NULL;
  g_autofree char *scratch_dir = NULL;
  double rate = 0;
  InferOutput out = { 0 };
  WmStore *source;
  gint64 recording_id;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "variant", 0, 0, G_OPTION_ARG_STRING, &variant, N_("The model variant (int8 runs the device’s arithmetic)"), N_("int8|f32") },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, N_("Sample rate of a CSV input without a time column"), N_("HZ") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("MODEL INPUT"),
                             _("Run a model over every window of an input and print each window’s "
                               "class probabilities."),
                             _("MODEL is FILE.wmm or NAME[@VERSION] of the project; INPUT is an audio "
                               "file, a sensor CSV, or rec:ID of a recording of the project.\n"
                               "--json prints {\"model\", \"variant\", \"classes\", \"windows\": "
                               "[{\"start\", \"end\", \"probabilities\"}]} with frames as start and end."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 3)
    return wm_cli_usage_error (cli, _("give MODEL and INPUT"));

  if (cli->project_path != NULL || g_getenv ("WAYMARK_PROJECT") != NULL || g_str_has_prefix (argv[2], "rec:"))
    {
      store = wm_cli_open_project (cli, TRUE, &error);
      if (store == NULL)
        return wm_cli_fail (cli, error);
    }
  model = wm_cli_resolve_model (cli, store, argv[1], variant, &error);
  if (model == NULL)
    return wm_cli_fail (cli, error);

  if (g_str_has_prefix (argv[2], "rec:"))
    {
      recording = wm_cli_find_recording (store, argv[2] + 4, &error);
      if (recording == NULL)
        return wm_cli_fail (cli, error);
      source = store;
    }
  else
    {
      /* A file: imported into a scratch project, so that audio and CSV are
       * read exactly as an import would read them. */
      g_autoptr(GArray) ids = NULL;
      g_autofree char *path = NULL;
      WmImportOptions options;

      scratch_dir = g_dir_make_tmp ("waymark-infer-XXXXXX", &error);
      if (scratch_dir == NULL)
        return wm_cli_fail (cli, error);
      path = g_build_filename (scratch_dir, "input.waymark", NULL);
      scratch = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
      wm_import_options_init (&options);
      options.rate = rate;
      options.gap_policy = WM_IMPORT_GAP_ERROR;
      if (scratch == NULL ||
          !wm_import_file (scratch, argv[2], &options, NULL, NULL, NULL, &ids, &error) ||
          (recording = wm_store_get_recording (scratch, g_array_index (ids, gint64, 0), &error)) == NULL)
        {
          g_clear_object (&scratch);
          remove_tree (scratch_dir);
          return wm_cli_fail (cli, error);
        }
      source = scratch;
    }
  recording_id = recording->id;
  if (!wm_model_file_check_recording (model, recording, &error))
    {
      g_clear_object (&scratch);
      if (scratch_dir != NULL)
        remove_tree (scratch_dir);
      return wm_cli_fail (cli, error);
    }

  out.model = model;
  out.rate = recording->sample_rate;
  if (cli->json)
    {
      b = json_builder_new ();
      out.json = b;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, wm_model_file_get_name (model));
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, wm_model_file_get_version (model));
      json_builder_set_member_name (b, "variant");
      json_builder_add_string_value (b, wm_model_file_get_variant (model));
      json_builder_set_member_name (b, "sample_rate");
      json_builder_add_double_value (b, recording->sample_rate);
      json_builder_set_member_name (b, "classes");
      json_builder_begin_array (b);
      for (guint k = 0; k < wm_model_file_get_n_classes (model); k++)
        json_builder_add_string_value (b, wm_model_file_get_class_name (model, k));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "windows");
      json_builder_begin_array (b);
    }
  else
    {
      printf ("%12s %12s %11s %11s  %-14s %s", _("start"), _("end"), _("start_s"), _("end_s"), _("top class"), _("p"));
      for (guint k = 0; k < wm_model_file_get_n_classes (model); k++)
        printf (" %s", wm_model_file_get_class_name (model, k));
      putchar ('\n');
    }

  ok = wm_model_file_run_recording (model, source, recording_id, 0, -1, on_infer_window, &out, NULL, &error);

  g_clear_object (&scratch);
  if (scratch_dir != NULL)
    remove_tree (scratch_dir);
  if (!ok)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = NULL;
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  return WM_CLI_EXIT_OK;
}
