/* wm-model-description.c — what a .wmm model file says about itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wm-model-description.h"

G_DEFINE_BOXED_TYPE (WmModelDescription, wm_model_description,
                     wm_model_description_copy, wm_model_description_free)

WmModelDescription *
wm_model_description_new (void)
{
  return g_new0 (WmModelDescription, 1);
}

WmModelDescription *
wm_model_description_copy (const WmModelDescription *self)
{
  WmModelDescription *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->name = g_strdup (self->name);
  copy->version = g_strdup (self->version);
  copy->sha256 = g_strdup (self->sha256);
  copy->use_case = g_strdup (self->use_case);
  copy->device_types = g_strdup (self->device_types);
  copy->dataset_hash = g_strdup (self->dataset_hash);
  copy->created_at = g_strdup (self->created_at);
  copy->classes = g_strdupv (self->classes);
  copy->tensors = g_memdup2 (self->tensors, self->n_tensors * sizeof *self->tensors);
  return copy;
}

void
wm_model_description_free (WmModelDescription *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->version);
  g_free (self->sha256);
  g_free (self->use_case);
  g_free (self->device_types);
  g_free (self->dataset_hash);
  g_free (self->created_at);
  g_strfreev (self->classes);
  g_free (self->tensors);
  g_free (self);
}

char *
wm_model_description_join_classes (const WmModelDescription *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->classes != NULL ? g_strjoinv (", ", self->classes) : g_strdup ("");
}

const char *
wm_model_frontend_kind_name (wm_frontend_kind_t kind)
{
  switch (kind)
    {
    case WM_FRONTEND_RAW: return "raw";
    case WM_FRONTEND_SENSOR: return "sensor";
    case WM_FRONTEND_LOGMEL: return "logmel";
    default: return "unknown";
    }
}

const char *
wm_model_output_name (wm_output_t output)
{
  return output == WM_OUTPUT_SIGMOID ? "sigmoid" : "softmax";
}

/* ---- JSON, for the command line and the project's metadata --------------- */

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_frontend (JsonBuilder           *b,
              const WmModelFrontend *fe)
{
  json_builder_set_member_name (b, "frontend");
  json_builder_begin_object (b);
  add_string (b, "kind", wm_model_frontend_kind_name (fe->kind));
  add_int (b, "sample_rate", fe->sample_rate);
  add_int (b, "channels", fe->n_channels);
  add_int (b, "features", fe->n_features);
  add_int (b, "window", fe->window);
  add_int (b, "hop", fe->hop);
  add_int (b, "frame_length", fe->frame_length);
  add_int (b, "frame_step", fe->frame_step);
  add_int (b, "window_frames", fe->window_frames);
  add_int (b, "hop_frames", fe->hop_frames);
  add_double (b, "window_seconds", fe->window_seconds);
  json_builder_end_object (b);
}

static void
add_tensor (JsonBuilder         *b,
            const WmModelTensor *t)
{
  json_builder_begin_object (b);
  add_string (b, "name", t->name);
  add_string (b, "dtype", t->dtype);
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (guint d = 0; d < t->n_dims; d++)
    json_builder_add_int_value (b, t->shape[d]);
  json_builder_end_array (b);
  add_double (b, "scale", t->scale);
  add_int (b, "zero_point", t->zero_point);
  add_int (b, "bytes", t->n_bytes);
  json_builder_end_object (b);
}

JsonNode *
wm_model_description_to_json (const WmModelDescription *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  add_string (b, "name", self->name);
  add_string (b, "version", self->version);
  add_string (b, "variant", self->variant);
  add_string (b, "sha256", self->sha256);
  add_string (b, "use_case", self->use_case);
  add_string (b, "device_types", self->device_types);
  add_string (b, "dataset_hash", self->dataset_hash);
  add_string (b, "created_at", self->created_at);

  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_classes; k++)
    json_builder_add_string_value (b, self->classes[k]);
  json_builder_end_array (b);
  add_string (b, "output", wm_model_output_name (self->output));

  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint l = 0; l < self->n_layers; l++)
    {
      json_builder_begin_object (b);
      add_int (b, "inputs", self->layers[l].n_inputs);
      add_int (b, "hidden", self->layers[l].n_hidden);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_frontend (b, &self->frontend);

  json_builder_set_member_name (b, "buffers");
  json_builder_begin_object (b);
  add_int (b, "classifier_ram_bytes", self->classifier_ram_bytes);
  add_int (b, "model_bytes", self->model_bytes);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "tensors");
  json_builder_begin_array (b);
  for (guint t = 0; t < self->n_tensors; t++)
    add_tensor (b, &self->tensors[t]);
  json_builder_end_array (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}
