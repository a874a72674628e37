/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-classifier.c: framing into windows of W feature frames with hop H, and running the
 * stacked LSTM, head and output activation once per window (FORMAT.md 3.8). */

#include <stddef.h>
#include <string.h>

#include "wm-classifier.h"
#include "wm-frontend.h"
#include "wm-lstm.h"

#define ALIGN8(n) (((n) + 7u) & ~UINT32_C (7))

/* The buffer must be aligned like uint64_t (the strictest type carved from it): 8 on
 * x86-64 and armhf, 4 on i686, 1 on AVR. */
typedef struct
{
  char c;
  uint64_t u;
} align_probe_t;

#define BUFFER_ALIGN offsetof (align_probe_t, u)

/* Byte offsets of every region inside the caller's buffer. */
typedef struct
{
  uint32_t features;
  uint32_t samples;
  uint32_t fe_scratch;
  uint32_t h[WM_MAX_LAYERS];
  uint32_t c[WM_MAX_LAYERS];
  uint32_t gates;
  uint32_t logits;
  uint32_t probs;
  uint32_t total;
  uint32_t packed[WM_MAX_LAYERS];
  uint32_t dft_rows;
  uint32_t px_ring;     /* int8: layer 0's input half per feature frame, or ~0 */
  uint32_t packed_total;
  uint8_t can_pack;
} layout_t;

/* The ring of layer-0 input halves is kept when it takes at most this many bytes. */
#define PX_RING_MAX (UINT32_C (1) << 20)

static void
compute_layout (const wm_model_t *model,
                layout_t         *lay)
{
  const wm_frontend_t *fe = &model->frontend;
  uint32_t value = model->variant == WM_VARIANT_INT8 ? 1u : 4u;
  uint32_t state = model->variant == WM_VARIANT_INT8 ? 2u : 4u;
  uint32_t at = 0, max_hidden = 0;
  uint8_t l;

  lay->features = at;
  at += ALIGN8 ((uint32_t) fe->window * model->n_features * value);
  lay->samples = at;
  if (fe->kind == WM_FRONTEND_LOGMEL)
    at += ALIGN8 ((uint32_t) fe->frame_length * state);
  lay->fe_scratch = at;
  at += ALIGN8 (wm_frontend_scratch_size (model));
  for (l = 0; l < model->n_layers; l++)
    {
      uint32_t n = model->layers[l].n_hidden;

      lay->h[l] = at;
      at += ALIGN8 (n * value);
      lay->c[l] = at;
      at += ALIGN8 (n * state);
      if (n > max_hidden)
        max_hidden = n;
    }
  lay->gates = at;
  at += ALIGN8 (4u * max_hidden * state);
  lay->logits = at;
  at += ALIGN8 (4u * model->n_classes);
  lay->probs = at;
  at += ALIGN8 ((uint32_t) model->n_classes * (model->variant == WM_VARIANT_INT8 ? 2u : 4u));
  lay->total = at;
  for (l = 0; l < model->n_layers; l++)
    {
      lay->packed[l] = at;
      at += ALIGN8 (wm_lstm_packed_size (&model->layers[l], model->variant));
    }
  lay->dft_rows = at;
  at += ALIGN8 (wm_logmel_packed_size (model));
  lay->px_ring = ~UINT32_C (0);
  if (model->variant == WM_VARIANT_INT8
      && (uint32_t) fe->window * wm_lstm_packed_input_size (&model->layers[0]) <= PX_RING_MAX)
    {
      lay->px_ring = at;
      at += ALIGN8 ((uint32_t) fe->window * wm_lstm_packed_input_size (&model->layers[0]));
    }
  lay->packed_total = at;
  lay->can_pack = 1;
#ifdef __AVR__
  /* The packed kernels keep kilobytes of scratch on the stack, more than an 8-bit MCU has:
   * there the packed size is the compact one and the model is always read in place. */
  lay->packed_total = lay->total;
  lay->can_pack = 0;
#endif
}

uint32_t
wm_classifier_buffer_size (const wm_model_t *model)
{
  layout_t lay;

  if (model == NULL || model->data == NULL)
    return 0;
  compute_layout (model, &lay);
  return lay.total;
}

uint32_t
wm_classifier_packed_buffer_size (const wm_model_t *model)
{
  layout_t lay;

  if (model == NULL || model->data == NULL)
    return 0;
  compute_layout (model, &lay);
  return lay.packed_total;
}

void
wm_classifier_reset (wm_classifier_t *cls)
{
  cls->n_windows = 0;
  cls->sample_pos = 0;
  cls->feature_pos = 0;
  cls->until_frame = cls->model->frontend.frame_length;
  cls->until_window = cls->model->frontend.window;
}

wm_status_t
wm_classifier_init (wm_classifier_t  *cls,
                    const wm_model_t *model,
                    void             *buffer,
                    uint32_t          buffer_size,
                    wm_window_func_t  func,
                    void             *user_data)
{
  layout_t lay;
  uint8_t *base = buffer;
  uint8_t l;

  if (cls == NULL || model == NULL || model->data == NULL || buffer == NULL)
    return WM_ERR_BAD_ARGUMENT;
  if (((uintptr_t) buffer % BUFFER_ALIGN) != 0)
    return WM_ERR_BAD_ARGUMENT;
  compute_layout (model, &lay);
  if (buffer_size < lay.total)
    return WM_ERR_BUFFER_TOO_SMALL;

  memset (cls, 0, sizeof *cls);
  cls->model = model;
  cls->func = func;
  cls->user_data = user_data;
  cls->features = base + lay.features;
  cls->samples = base + lay.samples;
  cls->fe_scratch = base + lay.fe_scratch;
  for (l = 0; l < model->n_layers; l++)
    {
      cls->h[l] = base + lay.h[l];
      cls->c[l] = base + lay.c[l];
    }
  cls->gates = base + lay.gates;
  cls->logits = base + lay.logits;
  cls->probs = base + lay.probs;
  if (lay.can_pack && buffer_size >= lay.packed_total)
    {
      for (l = 0; l < model->n_layers; l++)
        {
          cls->packed[l] = base + lay.packed[l];
          wm_lstm_pack (&model->layers[l], model->variant, cls->packed[l]);
        }
      if (wm_logmel_packed_size (model) > 0)
        {
          cls->dft_rows = base + lay.dft_rows;
          wm_logmel_pack (model, cls->dft_rows);
        }
      if (lay.px_ring != ~UINT32_C (0))
        cls->px_ring = base + lay.px_ring;
    }
  wm_classifier_reset (cls);
  return WM_OK;
}

/* Runs the window whose oldest feature frame sits at feature_pos in the ring. */
static void
run_window (wm_classifier_t *cls)
{
  const wm_model_t *model = cls->model;
  uint16_t window = model->frontend.window;
  uint16_t n_features = model->n_features;
  wm_window_t result;
  uint16_t t;
  uint8_t l;

  if (model->variant == WM_VARIANT_INT8)
    {
      for (l = 0; l < model->n_layers; l++)
        wm_lstm_reset_int8 (&model->layers[l], cls->h[l], cls->c[l]);
      for (t = 0; t < window; t++)
        {
          uint32_t slot = ((uint32_t) cls->feature_pos + t) % window;
          const int8_t *x = (const int8_t *) cls->features + slot * n_features;

          for (l = 0; l < model->n_layers; l++)
            {
              if (l == 0 && cls->px_ring != NULL)
                wm_lstm_step_int8_packed_px (&model->layers[0], cls->packed[0],
                                             (const int16_t *) ((const uint8_t *) cls->px_ring
                                                                + slot * wm_lstm_packed_input_size (&model->layers[0])),
                                             cls->h[0], cls->c[0]);
              else if (cls->packed[l] != NULL)
                wm_lstm_step_int8_packed (&model->layers[l], cls->packed[l], x, cls->h[l],
                                          cls->c[l]);
              else
                wm_lstm_step_int8 (&model->layers[l], x, cls->h[l], cls->c[l], cls->gates);
              x = cls->h[l];
            }
        }
      wm_head_int8 (model, cls->h[model->n_layers - 1], cls->logits);
      wm_output_int8 (model, cls->logits, cls->probs);
    }
  else
    {
      for (l = 0; l < model->n_layers; l++)
        {
          memset (cls->h[l], 0, 4u * model->layers[l].n_hidden);
          memset (cls->c[l], 0, 4u * model->layers[l].n_hidden);
        }
      for (t = 0; t < window; t++)
        {
          uint32_t slot = ((uint32_t) cls->feature_pos + t) % window;
          const float *x = (const float *) cls->features + slot * n_features;

          for (l = 0; l < model->n_layers; l++)
            {
              if (cls->packed[l] != NULL)
                wm_lstm_step_f32_packed (&model->layers[l], cls->packed[l], x, cls->h[l],
                                         cls->c[l]);
              else
                wm_lstm_step_f32 (&model->layers[l], x, cls->h[l], cls->c[l], cls->gates);
              x = cls->h[l];
            }
        }
      wm_head_f32 (model, cls->h[model->n_layers - 1], cls->logits);
      wm_output_f32 (model, cls->logits, cls->probs);
    }

  result.index = cls->n_windows;
  result.start_frame = cls->n_windows * wm_model_hop_frames (model);
  result.n_classes = model->n_classes;
  result.probs_q16 = model->variant == WM_VARIANT_INT8 ? cls->probs : NULL;
  result.probs = model->variant == WM_VARIANT_F32 ? cls->probs : NULL;
  cls->n_windows++;
  if (cls->func != NULL)
    cls->func (cls->user_data, &result);
}

/* A new feature frame has been written at feature_pos: advance, maybe emit a window. */
static void
feature_written (wm_classifier_t *cls)
{
  const wm_model_t *model = cls->model;
  const wm_frontend_t *fe = &model->frontend;

  if (cls->px_ring != NULL)
    {
      uint32_t size = wm_lstm_packed_input_size (&model->layers[0]);

      wm_lstm_input_int8_packed (&model->layers[0], cls->packed[0],
                                 (const int8_t *) cls->features + (uint32_t) cls->feature_pos * model->n_features,
                                 (int16_t *) ((uint8_t *) cls->px_ring + cls->feature_pos * size));
    }

  cls->feature_pos = (uint16_t) ((cls->feature_pos + 1u) % fe->window);
  if (--cls->until_window == 0)
    {
      cls->until_window = fe->hop;
      run_window (cls);
    }
}

static wm_status_t
push_frames (wm_classifier_t *cls,
             const void      *frames,
             uint32_t         n_frames,
             wm_variant_t     variant)
{
  const wm_model_t *model;
  const wm_frontend_t *fe;
  uint32_t f;

  if (cls == NULL || cls->model == NULL || (frames == NULL && n_frames > 0))
    return WM_ERR_BAD_ARGUMENT;
  model = cls->model;
  fe = &model->frontend;
  if (model->variant != variant)
    return WM_ERR_WRONG_VARIANT;

  for (f = 0; f < n_frames; f++)
    {
      uint32_t out = (uint32_t) cls->feature_pos * model->n_features;

      if (fe->kind != WM_FRONTEND_LOGMEL)
        {
          if (variant == WM_VARIANT_INT8)
            wm_frontend_int8 (model, (const int16_t *) frames + f * fe->channels, 1, 0,
                              (int8_t *) cls->features + out, cls->fe_scratch, NULL);
          else
            wm_frontend_f32 (model, (const float *) frames + f * fe->channels, 1, 0,
                             (float *) cls->features + out, cls->fe_scratch);
          feature_written (cls);
          continue;
        }

      if (variant == WM_VARIANT_INT8)
        ((int16_t *) cls->samples)[cls->sample_pos] = ((const int16_t *) frames)[f];
      else
        ((float *) cls->samples)[cls->sample_pos] = ((const float *) frames)[f];
      cls->sample_pos = (uint16_t) ((cls->sample_pos + 1u) % fe->frame_length);
      if (--cls->until_frame != 0)
        continue;
      cls->until_frame = fe->frame_step;
      /* The ring is full: its oldest sample is at sample_pos. */
      if (variant == WM_VARIANT_INT8)
        wm_frontend_int8 (model, cls->samples, fe->frame_length, cls->sample_pos,
                          (int8_t *) cls->features + out, cls->fe_scratch, cls->dft_rows);
      else
        wm_frontend_f32 (model, cls->samples, fe->frame_length, cls->sample_pos,
                         (float *) cls->features + out, cls->fe_scratch);
      feature_written (cls);
    }
  return WM_OK;
}

wm_status_t
wm_classifier_push_i16 (wm_classifier_t *cls,
                        const int16_t   *frames,
                        uint32_t         n_frames)
{
  return push_frames (cls, frames, n_frames, WM_VARIANT_INT8);
}

wm_status_t
wm_classifier_push_f32 (wm_classifier_t *cls,
                        const float     *frames,
                        uint32_t         n_frames)
{
  return push_frames (cls, frames, n_frames, WM_VARIANT_F32);
}

static wm_status_t
run_one (wm_classifier_t *cls,
         const void      *frames,
         uint32_t         n_frames,
         void            *probs,
         wm_variant_t     variant)
{
  wm_window_func_t func;
  wm_status_t status;

  if (cls == NULL || cls->model == NULL || frames == NULL || probs == NULL)
    return WM_ERR_BAD_ARGUMENT;
  if (cls->model->variant != variant)
    return WM_ERR_WRONG_VARIANT;
  if (n_frames != wm_model_window_frames (cls->model))
    return WM_ERR_BAD_ARGUMENT;

  func = cls->func;
  cls->func = NULL;
  wm_classifier_reset (cls);
  status = push_frames (cls, frames, n_frames, variant);
  memcpy (probs, cls->probs,
          (uint32_t) cls->model->n_classes * (variant == WM_VARIANT_INT8 ? 2u : 4u));
  wm_classifier_reset (cls);
  cls->func = func;
  return status;
}

wm_status_t
wm_classifier_run_window_i16 (wm_classifier_t *cls,
                              const int16_t   *frames,
                              uint32_t         n_frames,
                              uint16_t        *probs_q16)
{
  return run_one (cls, frames, n_frames, probs_q16, WM_VARIANT_INT8);
}

wm_status_t
wm_classifier_run_window_f32 (wm_classifier_t *cls,
                              const float     *frames,
                              uint32_t         n_frames,
                              float           *probs)
{
  return run_one (cls, frames, n_frames, probs, WM_VARIANT_F32);
}
