/* wm-model-file.c — a .wmm model in the application: load, describe, run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "wm-model-file.h"

G_DEFINE_QUARK (wm-model-error-quark, wm_model_error)

struct _WmModelFile
{
  gatomicrefcount  ref_count;
  GBytes          *bytes;
  wm_model_t       model;
  char            *sha256;
  float            in_scale[WM_MAX_CHANNELS];
};

static guint32
read_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static float
read_f32 (const guint8 *p)
{
  guint32 bits = read_u32 (p);
  float value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

WmModelFile *
wm_model_file_new_from_bytes (GBytes      *bytes,
                              const char  *origin,
                              GError     **error)
{
  g_autoptr(WmModelFile) self = NULL;
  gconstpointer data;
  gsize size;
  wm_status_t status;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  if (size > G_MAXUINT32)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID,
                   _("%s: not a Waymark model: the file is larger than 4 GiB"), origin);
      return NULL;
    }

  self = g_new0 (WmModelFile, 1);
  g_atomic_ref_count_init (&self->ref_count);
  /* A private, malloc-aligned copy: the runtime reads f32 and i32 tensors in place. */
  self->bytes = g_bytes_new (data, size);
  data = g_bytes_get_data (self->bytes, NULL);

  status = wm_model_parse (data, (guint32) size, &self->model);
  if (status != WM_OK)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID,
                   _("%s: not a valid Waymark model: %s"), origin, wm_status_to_string (status));
      return NULL;
    }
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->bytes);
  for (guint c = 0; c < self->model.frontend.channels && c < WM_MAX_CHANNELS; c++)
    self->in_scale[c] = read_f32 (self->model.frontend.in_scale + 4 * c);
  return g_steal_pointer (&self);
}

WmModelFile *
wm_model_file_new_from_path (const char  *path,
                             GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error_literal (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID, local_error->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return wm_model_file_new_from_bytes (bytes, path, error);
}

WmModelFile *
wm_model_file_new_from_store (WmStore             *store,
                              const WmStoredModel *stored,
                              GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *origin = NULL;

  g_return_val_if_fail (WM_IS_STORE (store), NULL);
  g_return_val_if_fail (stored != NULL, NULL);

  bytes = wm_store_get_model_file (store, stored->id, error);
  if (bytes == NULL)
    return NULL;
  origin = g_strdup_printf ("%s@%s (%s)", stored->name, stored->version, stored->variant);
  return wm_model_file_new_from_bytes (bytes, origin, error);
}

WmModelFile *
wm_model_file_ref (WmModelFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
wm_model_file_unref (WmModelFile *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_bytes_unref (self->bytes);
  g_free (self->sha256);
  g_free (self);
}

const wm_model_t *
wm_model_file_get_model (WmModelFile *self)
{
  return &self->model;
}

GBytes *
wm_model_file_get_bytes (WmModelFile *self)
{
  return self->bytes;
}

const char *
wm_model_file_get_sha256 (WmModelFile *self)
{
  return self->sha256;
}

const char *
wm_model_file_get_name (WmModelFile *self)
{
  return wm_model_context (&self->model, WM_CONTEXT_MODEL_NAME);
}

const char *
wm_model_file_get_version (WmModelFile *self)
{
  return wm_model_context (&self->model, WM_CONTEXT_MODEL_VERSION);
}

const char *
wm_model_file_get_variant (WmModelFile *self)
{
  return self->model.variant == WM_VARIANT_INT8 ? "int8" : "f32";
}

const char *
wm_model_file_get_class_name (WmModelFile *self,
                              guint        k)
{
  return wm_model_class_name (&self->model, (uint16_t) k);
}

guint
wm_model_file_get_n_classes (WmModelFile *self)
{
  return self->model.n_classes;
}

guint32
wm_model_file_get_buffer_size (WmModelFile *self)
{
  return wm_classifier_buffer_size (&self->model);
}

/* ---- describing ---------------------------------------------------------- */

static void
describe_tensors (WmModelFile        *self,
                  WmModelDescription *d)
{
  static const char * const dtypes[] = { "?", "int8", "int16", "int32", "f32" };
  const guint8 *file = g_bytes_get_data (self->bytes, NULL);
  guint32 n_sections = read_u32 (file + 12);
  const guint8 *section = NULL;

  /* The file was validated by wm_model_parse: offsets and lengths are sound,
   * and there is one TENSORS section (type 6). */
  for (guint32 s = 0; s < n_sections && section == NULL; s++)
    if (read_u32 (file + 32 + 16 * s) == 6)
      section = file + read_u32 (file + 32 + 16 * s + 4);
  if (section == NULL)
    return;

  d->n_tensors = read_u32 (section);
  d->tensors = g_new0 (WmModelTensor, d->n_tensors);
  for (guint32 t = 0; t < d->n_tensors; t++)
    {
      const guint8 *e = section + 4 + 48 * t;
      WmModelTensor *tensor = &d->tensors[t];

      memcpy (tensor->name, e + 32, 16);
      tensor->dtype = dtypes[e[3] < G_N_ELEMENTS (dtypes) ? e[3] : 0];
      tensor->n_dims = e[4] == 2 ? 2 : 1;
      tensor->shape[0] = read_u32 (e + 8);
      tensor->shape[1] = read_u32 (e + 12);
      tensor->scale = read_f32 (e + 16);
      tensor->zero_point = (gint32) read_u32 (e + 20);
      tensor->n_bytes = read_u32 (e + 28);
    }
}

static void
describe_frontend (const wm_model_t *m,
                   WmModelFrontend  *fe)
{
  *fe = (WmModelFrontend) {
    .kind = m->frontend.kind,
    .sample_rate = m->frontend.sample_rate,
    .n_channels = m->frontend.channels,
    .n_features = m->n_features,
    .window = m->frontend.window,
    .hop = m->frontend.hop,
    .frame_length = m->frontend.frame_length,
    .frame_step = m->frontend.frame_step,
    .window_frames = wm_model_window_frames (m),
    .hop_frames = wm_model_hop_frames (m),
    .window_seconds = (double) wm_model_window_frames (m) / m->frontend.sample_rate,
  };
}

WmModelDescription *
wm_model_file_describe (WmModelFile *self)
{
  g_autoptr(WmModelDescription) d = NULL;
  const wm_model_t *m;

  g_return_val_if_fail (self != NULL, NULL);

  m = &self->model;
  d = wm_model_description_new ();
  d->name = g_strdup (wm_model_file_get_name (self));
  d->version = g_strdup (wm_model_file_get_version (self));
  d->variant = wm_model_file_get_variant (self);
  d->sha256 = g_strdup (self->sha256);
  d->use_case = g_strdup (wm_model_context (m, WM_CONTEXT_USE_CASE));
  d->device_types = g_strdup (wm_model_context (m, WM_CONTEXT_DEVICE_TYPES));
  d->dataset_hash = g_strdup (wm_model_context (m, WM_CONTEXT_DATASET_HASH));
  d->created_at = g_strdup (wm_model_context (m, WM_CONTEXT_CREATED_AT));

  d->n_classes = m->n_classes;
  d->classes = g_new0 (char *, d->n_classes + 1);
  for (guint k = 0; k < m->n_classes; k++)
    d->classes[k] = g_strdup (wm_model_class_name (m, (uint16_t) k));
  d->output = m->output;

  d->n_layers = MIN (m->n_layers, WM_MAX_LAYERS);
  for (guint l = 0; l < d->n_layers; l++)
    d->layers[l] = (WmModelLayer) { m->layers[l].n_inputs, m->layers[l].n_hidden };

  describe_frontend (m, &d->frontend);
  d->classifier_ram_bytes = wm_classifier_buffer_size (m);
  d->model_bytes = m->size;
  describe_tensors (self, d);
  return g_steal_pointer (&d);
}

gint64
wm_model_file_add_to_store (WmModelFile  *self,
                            WmStore      *store,
                            const char   *origin,
                            gboolean     *out_existed,
                            GError      **error)
{
  g_autoptr(WmModelDescription) description = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *metadata = NULL;
  WmStoredModel entry = { 0 };

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (WM_IS_STORE (store), 0);
  g_return_val_if_fail (origin != NULL, 0);

  if (out_existed != NULL)
    *out_existed = FALSE;
  entry.name = (char *) wm_model_file_get_name (self);
  entry.version = (char *) wm_model_file_get_version (self);
  if (*entry.name == '\0' || *entry.version == '\0')
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID,
                   _("%s: the model has no name or version in its data context"), origin);
      return 0;
    }
  description = wm_model_file_describe (self);
  json = wm_model_description_to_json (description);
  metadata = json_to_string (json, FALSE);
  entry.variant = (char *) wm_model_file_get_variant (self);
  entry.sha256 = self->sha256;
  entry.size = (gint64) g_bytes_get_size (self->bytes);
  entry.metadata = metadata;
  return wm_store_add_model (store, &entry, self->bytes, out_existed, error);
}

/* ---- running ------------------------------------------------------------- */

typedef struct {
  WmModelFile       *self;
  WmModelWindowFunc  func;
  gpointer           user_data;
  gint64             first_frame;
  gint64             hop_frames;
  gint64             window_frames;
  gint64             n_windows;
  float              probabilities[WM_MAX_CLASSES];
} RunState;

static void
on_window (void              *user_data,
           const wm_window_t *window)
{
  RunState *run = user_data;
  gint64 start = run->first_frame + run->n_windows * run->hop_frames;

  /* Counted here: the runtime's start_frame is 32-bit and wraps on long recordings. */
  run->n_windows++;
  for (guint k = 0; k < window->n_classes; k++)
    run->probabilities[k] = window->probs != NULL ? window->probs[k] : window->probs_q16[k] / 65536.0f;
  run->func (start, start + run->window_frames, run->probabilities, window->n_classes, run->user_data);
}

gboolean
wm_model_file_check_recording (WmModelFile       *self,
                               const WmRecording *r,
                               GError           **error)
{
  const wm_frontend_t *fe = &self->model.frontend;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (r != NULL, FALSE);

  if (r->n_channels != fe->channels)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_MISMATCH,
                   _("model %s@%s takes %u channel(s); recording %" PRId64 " “%s” has %u"),
                   wm_model_file_get_name (self), wm_model_file_get_version (self),
                   fe->channels, r->id, r->name, r->n_channels);
      return FALSE;
    }
  if (fabs (r->sample_rate - fe->sample_rate) > 1e-6 * fe->sample_rate)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_MISMATCH,
                   _("model %s@%s takes %u Hz; recording %" PRId64 " “%s” is at %g Hz"),
                   wm_model_file_get_name (self), wm_model_file_get_version (self),
                   fe->sample_rate, r->id, r->name, r->sample_rate);
      return FALSE;
    }
  return TRUE;
}

gboolean
wm_model_file_run_recording (WmModelFile       *self,
                             WmStore           *store,
                             gint64             recording_id,
                             gint64             first_frame,
                             gint64             end_frame,
                             WmModelWindowFunc  func,
                             gpointer           user_data,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_autoptr(WmRecording) r = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree guint8 *raw = NULL;
  g_autofree gint16 *as_i16 = NULL;
  g_autofree float *as_f32 = NULL;
  const gint64 chunk = 16384;
  wm_classifier_t cls;
  RunState run = { 0 };
  wm_status_t status;
  guint32 size;
  guint n_channels;
  gboolean int8 = self->model.variant == WM_VARIANT_INT8;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  r = wm_store_get_recording (store, recording_id, error);
  if (r == NULL)
    return FALSE;
  if (end_frame < 0 || end_frame > r->n_frames)
    end_frame = r->n_frames;
  if (first_frame < 0 || first_frame > end_frame)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_MISMATCH,
                   _("frames [%" PRId64 ", %" PRId64 ") are not within recording %"
                     PRId64), first_frame, end_frame, recording_id);
      return FALSE;
    }
  if (!wm_model_file_check_recording (self, r, error))
    return FALSE;

  /* The packed buffer keeps column-major weights: same results, faster on a desktop. */
  size = wm_classifier_packed_buffer_size (&self->model);
  buffer = g_malloc (size);
  run = (RunState) { self, func, user_data, first_frame, wm_model_hop_frames (&self->model),
                     wm_model_window_frames (&self->model), 0, { 0 } };
  status = wm_classifier_init (&cls, &self->model, buffer, size, on_window, &run);
  if (status != WM_OK)
    {
      g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID,
                   _("cannot start model %s: %s"), wm_model_file_get_name (self),
                   wm_status_to_string (status));
      return FALSE;
    }

  n_channels = r->n_channels;
  raw = g_malloc (chunk * n_channels * sizeof (float));
  as_i16 = g_new (gint16, chunk * n_channels);
  as_f32 = g_new (float, chunk * n_channels);

  for (gint64 at = first_frame; at < end_frame; at += chunk)
    {
      gint64 n = MIN (chunk, end_frame - at);
      gsize count = (gsize) n * n_channels;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_CANCELLED, _("cancelled"));
          return FALSE;
        }
      if (!wm_store_read_frames_raw (store, r->id, at, n, raw, error))
        return FALSE;

      if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
        {
          const gint16 *s = (const gint16 *) raw;
          if (int8)
            status = wm_classifier_push_i16 (&cls, s, (uint32_t) n);
          else
            {
              for (gsize i = 0; i < count; i++)
                as_f32[i] = s[i] * self->in_scale[i % n_channels];
              status = wm_classifier_push_f32 (&cls, as_f32, (uint32_t) n);
            }
        }
      else
        {
          const float *s = (const float *) raw;
          if (int8)
            {
              /* What the device's ADC would have given: the value in input-scale steps. */
              for (gsize i = 0; i < count; i++)
                {
                  double q = rint (s[i] / self->in_scale[i % n_channels]);
                  as_i16[i] = isfinite (q) ? (gint16) CLAMP (q, G_MININT16, G_MAXINT16) : 0;
                }
              status = wm_classifier_push_i16 (&cls, as_i16, (uint32_t) n);
            }
          else
            status = wm_classifier_push_f32 (&cls, s, (uint32_t) n);
        }
      if (status != WM_OK)
        {
          g_set_error (error, WM_MODEL_ERROR, WM_MODEL_ERROR_INVALID,
                       _("model %s failed: %s"), wm_model_file_get_name (self),
                       wm_status_to_string (status));
          return FALSE;
        }
    }
  return TRUE;
}
