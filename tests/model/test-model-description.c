/* test-model-description.c — WmModelDescription against an independent reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every field of wm_model_file_describe() is compared with what
 * tests/model/wmm-describe.py reads from the same file through
 * inference/tools/wmmref.py (the NumPy reader written from FORMAT.md); the
 * device buffer size is the C runtime's own wm_classifier_buffer_size().
 * Nothing is compared with the description's own JSON.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-util.h"
#include "wm-model-file.h"

/* The demo's models and the golden set: both variants, all three front-ends,
 * softmax and sigmoid, one to three layers. */
static GPtrArray *
model_paths (void)
{
  const char *root = g_getenv ("WAYMARK_SOURCE_ROOT");
  const char * const dirs[] = { "data/demo/models", "tests/parity/golden" };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (root);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir_path = g_build_filename (root, dirs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".wmm"))
          g_ptr_array_add (paths, g_build_filename (dir_path, name, NULL));
    }
  g_assert_cmpuint (paths->len, >=, 12);
  return g_steal_pointer (&paths);
}

static JsonObject *
reference_description (const char *path,
                       JsonNode  **out_root)
{
  g_autofree char *script = g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"),
                                              "tests", "model", "wmm-describe.py", NULL);
  const char *argv[] = { PYTHON3, script, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("wmm-describe.py %s failed: %s", path, err);
  *out_root = wm_test_parse_json (out);
  return json_node_get_object (*out_root);
}

static void
assert_frontend (const WmModelFrontend *fe,
                 JsonObject            *ref)
{
  g_assert_cmpstr (wm_model_frontend_kind_name (fe->kind), ==, json_object_get_string_member (ref, "frontend"));
  g_assert_cmpint (fe->sample_rate, ==, json_object_get_int_member (ref, "sample_rate"));
  g_assert_cmpint (fe->n_channels, ==, json_object_get_int_member (ref, "channels"));
  g_assert_cmpint (fe->n_features, ==, json_object_get_int_member (ref, "features"));
  g_assert_cmpint (fe->window, ==, json_object_get_int_member (ref, "window"));
  g_assert_cmpint (fe->hop, ==, json_object_get_int_member (ref, "hop"));
  g_assert_cmpint (fe->frame_length, ==, json_object_get_int_member (ref, "frame_length"));
  g_assert_cmpint (fe->frame_step, ==, json_object_get_int_member (ref, "frame_step"));
  g_assert_cmpint (fe->window_frames, ==, json_object_get_int_member (ref, "window_frames"));
  g_assert_cmpint (fe->hop_frames, ==, json_object_get_int_member (ref, "hop_frames"));
  g_assert_cmpfloat (fe->window_seconds, ==, (double) fe->window_frames / fe->sample_rate);
}

static void
assert_tensors (const WmModelDescription *d,
                JsonArray                *ref)
{
  g_assert_cmpuint (d->n_tensors, ==, json_array_get_length (ref));
  for (guint t = 0; t < d->n_tensors; t++)
    {
      const WmModelTensor *tensor = &d->tensors[t];
      JsonObject *r = json_array_get_object_element (ref, t);

      g_assert_cmpstr (tensor->name, ==, json_object_get_string_member (r, "name"));
      g_assert_cmpstr (tensor->dtype, ==, json_object_get_string_member (r, "dtype"));
      g_assert_cmpuint (tensor->n_dims, ==, json_object_get_int_member (r, "ndim"));
      g_assert_cmpuint (tensor->shape[0], ==, json_object_get_int_member (r, "dim0"));
      g_assert_cmpuint (tensor->shape[1], ==, json_object_get_int_member (r, "dim1"));
      g_assert_cmpfloat (tensor->scale, ==, json_object_get_double_member (r, "scale"));
      g_assert_cmpint (tensor->zero_point, ==, json_object_get_int_member (r, "zero_point"));
      g_assert_cmpuint (tensor->n_bytes, ==, json_object_get_int_member (r, "bytes"));
    }
}

static void
assert_matches_reference (const WmModelDescription *d,
                          WmModelFile              *model,
                          JsonObject               *ref)
{
  static const struct { const char *key; gsize offset; } strings[] = {
    { "name", G_STRUCT_OFFSET (WmModelDescription, name) },
    { "version", G_STRUCT_OFFSET (WmModelDescription, version) },
    { "sha256", G_STRUCT_OFFSET (WmModelDescription, sha256) },
    { "use_case", G_STRUCT_OFFSET (WmModelDescription, use_case) },
    { "device_types", G_STRUCT_OFFSET (WmModelDescription, device_types) },
    { "dataset_hash", G_STRUCT_OFFSET (WmModelDescription, dataset_hash) },
    { "created_at", G_STRUCT_OFFSET (WmModelDescription, created_at) },
  };
  JsonArray *classes = json_object_get_array_member (ref, "classes");
  JsonArray *layers = json_object_get_array_member (ref, "layers");

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_assert_cmpstr (G_STRUCT_MEMBER (char *, d, strings[i].offset), ==,
                     json_object_get_string_member (ref, strings[i].key));
  g_assert_cmpstr (d->variant, ==, json_object_get_string_member (ref, "variant"));

  g_assert_cmpuint (d->n_classes, ==, json_array_get_length (classes));
  g_assert_cmpuint (g_strv_length (d->classes), ==, d->n_classes);
  for (guint k = 0; k < d->n_classes; k++)
    g_assert_cmpstr (d->classes[k], ==, json_array_get_string_element (classes, k));
  g_assert_cmpstr (wm_model_output_name (d->output), ==, json_object_get_string_member (ref, "output"));

  g_assert_cmpuint (d->n_layers, ==, json_array_get_length (layers));
  for (guint l = 0; l < d->n_layers; l++)
    {
      JsonObject *layer = json_array_get_object_element (layers, l);

      g_assert_cmpuint (d->layers[l].n_inputs, ==, json_object_get_int_member (layer, "inputs"));
      g_assert_cmpuint (d->layers[l].n_hidden, ==, json_object_get_int_member (layer, "hidden"));
    }

  assert_frontend (&d->frontend, ref);
  g_assert_cmpuint (d->model_bytes, ==, json_object_get_int_member (ref, "size"));
  g_assert_cmpuint (d->classifier_ram_bytes, ==, wm_classifier_buffer_size (wm_model_file_get_model (model)));
  g_assert_cmpuint (d->classifier_ram_bytes, >, 0);
  assert_tensors (d, json_object_get_array_member (ref, "tensors"));
}

static void
test_matches_reference (void)
{
  g_autoptr(GPtrArray) paths = model_paths ();
  gboolean seen_sigmoid = FALSE, seen_f32 = FALSE, seen_layers[WM_MAX_LAYERS + 1] = { FALSE };

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WmModelFile) model = wm_model_file_new_from_path (paths->pdata[i], &error);
      g_autoptr(WmModelDescription) d = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonObject *ref;

      g_assert_no_error (error);
      g_test_message ("%s", (const char *) paths->pdata[i]);
      d = wm_model_file_describe (model);
      ref = reference_description (paths->pdata[i], &root);
      assert_matches_reference (d, model, ref);
      seen_sigmoid |= d->output == WM_OUTPUT_SIGMOID;
      seen_f32 |= g_str_equal (d->variant, "f32");
      seen_layers[d->n_layers] = TRUE;
    }
  g_assert_true (seen_sigmoid);
  g_assert_true (seen_f32);
  g_assert_true (seen_layers[1] && seen_layers[2] && seen_layers[3]);
}

/* A copy owns its memory: it outlives the original and equals it field by field. */
static void
test_copy (void)
{
  g_autofree char *path = wm_test_golden_path ("logmel-h10x2.wmm");
  g_autoptr(WmModelFile) model = wm_model_file_new_from_path (path, NULL);
  g_autoptr(WmModelDescription) copy = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *ref;

  {
    g_autoptr(WmModelDescription) d = wm_model_file_describe (model);
    g_autoptr(WmModelDescription) boxed = g_boxed_copy (WM_TYPE_MODEL_DESCRIPTION, d);

    copy = wm_model_description_copy (boxed);
    g_assert_true (copy->name != d->name);
    g_assert_true (copy->classes != d->classes);
    g_assert_true (copy->tensors != d->tensors);
  }
  ref = reference_description (path, &root);
  assert_matches_reference (copy, model, ref);
}

/* The project's copy of a file describes as the file does; a model the
 * project does not hold is an error naming it. */
static void
test_from_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("waymark-model-description-XXXXXX", NULL);
  g_autofree char *project = g_build_filename (dir, "p.waymark", NULL);
  g_autofree char *path = wm_test_golden_path ("sensor-h16.wmm");
  g_autoptr(WmModelFile) model = wm_model_file_new_from_path (path, NULL);
  g_autoptr(WmStore) store = wm_store_open (project, WM_STORE_OPEN_CREATE, NULL);
  g_autoptr(WmStoredModel) stored = NULL;
  g_autoptr(WmModelFile) loaded = NULL;
  g_autoptr(WmModelDescription) d = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStoredModel) missing = NULL;
  gint64 id;

  g_assert_nonnull (store);
  id = wm_model_file_add_to_store (model, store, path, NULL, &error);
  g_assert_no_error (error);
  stored = wm_store_find_model (store, "sensor-h16", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->id, ==, id);

  loaded = wm_model_file_new_from_store (store, stored, &error);
  g_assert_no_error (error);
  d = wm_model_file_describe (loaded);
  assert_matches_reference (d, loaded, reference_description (path, &root));

  missing = wm_stored_model_copy (stored);
  missing->id = id + 1;
  g_assert_null (wm_model_file_new_from_store (store, missing, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&store);
  wm_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/description/matches-reference", test_matches_reference);
  g_test_add_func ("/model/description/copy", test_copy);
  g_test_add_func ("/model/description/from-store", test_from_store);

  return g_test_run ();
}
