/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-lstm.c: the integer (TFLite-Micro 8x8→16) and float LSTM step, dense head, outputs. */

#include "wm-lstm.h"
#include "wm-math.h"
#include "wm-port.h"
#include "wm-private.h"

#define GATE_CLAMP INT32_C (65536)
#define LOGIT_CLAMP (INT32_C (1) << 24)
#define BLOCK 16u  /* gate rows per block in the packed kernels */

/* Σ_j w[j] · x[j] of one float row, j ascending (FORMAT.md 4), starting from acc. */
static float
dot_f32 (float          acc,
         const uint8_t *w,
         const float   *x,
         uint16_t       n)
{
  uint16_t j;

  for (j = 0; j < n; j++)
    acc += wm_rd_f32 (w + 4u * j) * x[j];
  return acc;
}

void
wm_lstm_reset_int8 (const wm_layer_t *layer,
                    int8_t           *h,
                    int16_t          *c)
{
  uint16_t r;

  for (r = 0; r < layer->n_hidden; r++)
    {
      h[r] = (int8_t) layer->h_zp;
      c[r] = 0;
    }
}

/* pre = sat16 (px + clamp (ph)) of FORMAT.md 3.5 for gate g, row r. */
static inline int16_t
gate_int8 (const wm_layer_t *layer,
           uint8_t           g,
           uint16_t          r,
           int32_t           sum_x,
           int32_t           sum_h)
{
  int32_t ax = wm_add_sat32 (wm_rd_i32 (layer->bx[g] + 4u * r), sum_x);
  int32_t ah = wm_add_sat32 (wm_rd_i32 (layer->bh[g] + 4u * r), sum_h);
  int32_t px = wm_sat16 (wm_requantize_inline (ax, layer->gx_mult[g], layer->gx_shift[g]));
  int32_t ph = wm_clamp32 (wm_requantize_inline (ah, layer->gh_mult[g], layer->gh_shift[g]),
                           -GATE_CLAMP, GATE_CLAMP);

  return wm_sat16 (px + ph);
}

/* The element-wise half of FORMAT.md 3.5, from the gate pre-activations. */
static void
update_int8 (const wm_layer_t *layer,
             const int16_t    *gates,
             int8_t           *h,
             int16_t          *c)
{
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;

  for (r = 0; r < n_hidden; r++)
    {
      int16_t ig = wm_sigmoid16_inline (gates[r]);
      int16_t fg = wm_sigmoid16_inline (gates[n_hidden + r]);
      int16_t gg = wm_tanh16_inline (gates[2u * n_hidden + r], 0);
      int16_t og = wm_sigmoid16_inline (gates[3u * n_hidden + r]);
      int32_t c1 = wm_sat16 (wm_rdbpot_inline ((int32_t) fg * c[r], 15));
      int32_t c2 = wm_sat16 (wm_rdbpot_inline ((int32_t) ig * gg, 30 + layer->cell_shift));
      int16_t tc;
      int32_t hv;

      c[r] = wm_sat16 (c1 + c2);
      tc = wm_tanh16_inline (c[r], layer->cell_shift + 12);
      hv = wm_clamp32 (wm_requantize_inline ((int32_t) og * tc, layer->hidden_mult, layer->hidden_shift),
                       -GATE_CLAMP, GATE_CLAMP);
      h[r] = wm_sat8 (hv + layer->h_zp);
    }
}

void
wm_lstm_step_int8 (const wm_layer_t *layer,
                   const int8_t     *x,
                   int8_t           *h,
                   int16_t          *c,
                   int16_t          *gates)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;
  uint8_t g;

  for (g = 0; g < 4; g++)
    for (r = 0; r < n_hidden; r++)
      gates[(uint32_t) g * n_hidden + r] =
        gate_int8 (layer, g, r,
                   wm_dot_int8 (layer->wx[g] + (uint32_t) r * n_in, x, n_in),
                   wm_dot_int8 (layer->wh[g] + (uint32_t) r * n_hidden, h, n_hidden));
  update_int8 (layer, gates, h, c);
}

static void
update_f32 (const wm_layer_t *layer,
            const float      *gates,
            float            *h,
            float            *c)
{
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;

  for (r = 0; r < n_hidden; r++)
    {
      float ig = wm_sigmoidf (gates[r]);
      float fg = wm_sigmoidf (gates[n_hidden + r]);
      float gg = wm_tanhf (gates[2u * n_hidden + r]);
      float og = wm_sigmoidf (gates[3u * n_hidden + r]);

      c[r] = fg * c[r] + ig * gg;
      h[r] = og * wm_tanhf (c[r]);
    }
}

void
wm_lstm_step_f32 (const wm_layer_t *layer,
                  const float      *x,
                  float            *h,
                  float            *c,
                  float            *gates)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;
  uint8_t g;

  for (g = 0; g < 4; g++)
    for (r = 0; r < n_hidden; r++)
      {
        float a = dot_f32 (wm_rd_f32 (layer->bx[g] + 4u * r),
                           layer->wx[g] + 4u * ((uint32_t) r * n_in), x, n_in);

        gates[(uint32_t) g * n_hidden + r] =
          dot_f32 (a, layer->wh[g] + 4u * ((uint32_t) r * n_hidden), h, n_hidden);
      }
  update_f32 (layer, gates, h, c);
}

/* Packed weights: column-major over the 4·H gate rows, so that one input value updates a
 * block of consecutive rows (vectorisable, and the float sums keep their order). */

uint32_t
wm_lstm_packed_size (const wm_layer_t *layer,
                     wm_variant_t      variant)
{
  uint32_t rows = 4u * layer->n_hidden;
  uint32_t cols = (uint32_t) layer->n_inputs + layer->n_hidden;

  if (variant == WM_VARIANT_INT8)
    return rows * cols;
  return 4u * rows * (cols + 1u);
}

void
wm_lstm_pack (const wm_layer_t *layer,
              wm_variant_t      variant,
              void             *packed)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint32_t rows = 4u * n_hidden;
  uint32_t j;
  uint16_t r;
  uint8_t g;

  for (g = 0; g < 4; g++)
    for (r = 0; r < n_hidden; r++)
      {
        uint32_t row = (uint32_t) g * n_hidden + r;

        if (variant == WM_VARIANT_INT8)
          {
            int8_t *p = packed;

            for (j = 0; j < n_in; j++)
              p[j * rows + row] = wm_rd_i8 (layer->wx[g] + (uint32_t) r * n_in + j);
            for (j = 0; j < n_hidden; j++)
              p[(n_in + j) * rows + row] = wm_rd_i8 (layer->wh[g] + (uint32_t) r * n_hidden + j);
          }
        else
          {
            float *p = packed;

            p[row] = wm_rd_f32 (layer->bx[g] + 4u * r);
            for (j = 0; j < n_in; j++)
              p[(1u + j) * rows + row] = wm_rd_f32 (layer->wx[g] + 4u * ((uint32_t) r * n_in + j));
            for (j = 0; j < n_hidden; j++)
              p[(1u + n_in + j) * rows + row] =
                wm_rd_f32 (layer->wh[g] + 4u * ((uint32_t) r * n_hidden + j));
          }
      }
}

void
wm_lstm_step_int8_packed (const wm_layer_t *layer,
                          const int8_t     *packed,
                          const int8_t     *x,
                          int8_t           *h,
                          int16_t          *c,
                          int16_t          *gates)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint32_t rows = 4u * n_hidden;
  uint32_t b, j, k;

  for (b = 0; b < rows; b += BLOCK)
    {
      int32_t sx[BLOCK] = { 0 }, sh[BLOCK] = { 0 };
      uint32_t n = rows - b < BLOCK ? rows - b : BLOCK;

      if (n == BLOCK)
        {
          for (j = 0; j < n_in; j++)
            {
              const int8_t *w = packed + j * rows + b;
              int16_t v = x[j];

              for (k = 0; k < BLOCK; k++)
                sx[k] += (int16_t) w[k] * v;
            }
          for (j = 0; j < n_hidden; j++)
            {
              const int8_t *w = packed + (n_in + j) * rows + b;
              int16_t v = h[j];

              for (k = 0; k < BLOCK; k++)
                sh[k] += (int16_t) w[k] * v;
            }
        }
      else
        {
          for (j = 0; j < n_in; j++)
            for (k = 0; k < n; k++)
              sx[k] += (int16_t) packed[j * rows + b + k] * (int16_t) x[j];
          for (j = 0; j < n_hidden; j++)
            for (k = 0; k < n; k++)
              sh[k] += (int16_t) packed[(n_in + j) * rows + b + k] * (int16_t) h[j];
        }

      for (k = 0; k < n; k++)
        {
          uint32_t row = b + k;
          uint8_t g = (uint8_t) (row / n_hidden);

          gates[row] = gate_int8 (layer, g, (uint16_t) (row - (uint32_t) g * n_hidden), sx[k], sh[k]);
        }
    }
  update_int8 (layer, gates, h, c);
}

void
wm_lstm_step_f32_packed (const wm_layer_t *layer,
                         const float      *packed,
                         const float      *x,
                         float            *h,
                         float            *c,
                         float            *gates)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint32_t rows = 4u * n_hidden;
  uint32_t b, j, k;

  for (b = 0; b < rows; b += BLOCK)
    {
      float a[BLOCK];
      uint32_t n = rows - b < BLOCK ? rows - b : BLOCK;

      if (n == BLOCK)
        {
          for (k = 0; k < BLOCK; k++)
            a[k] = packed[b + k];
          for (j = 0; j < n_in; j++)
            {
              const float *w = packed + (1u + j) * rows + b;
              float v = x[j];

              for (k = 0; k < BLOCK; k++)
                a[k] += w[k] * v;
            }
          for (j = 0; j < n_hidden; j++)
            {
              const float *w = packed + (1u + n_in + j) * rows + b;
              float v = h[j];

              for (k = 0; k < BLOCK; k++)
                a[k] += w[k] * v;
            }
        }
      else
        {
          for (k = 0; k < n; k++)
            a[k] = packed[b + k];
          for (j = 0; j < n_in; j++)
            for (k = 0; k < n; k++)
              a[k] += packed[(1u + j) * rows + b + k] * x[j];
          for (j = 0; j < n_hidden; j++)
            for (k = 0; k < n; k++)
              a[k] += packed[(1u + n_in + j) * rows + b + k] * h[j];
        }
      for (k = 0; k < n; k++)
        gates[b + k] = a[k];
    }
  update_f32 (layer, gates, h, c);
}

void
wm_head_int8 (const wm_model_t *model,
              const int8_t     *h,
              int32_t          *logits)
{
  uint16_t n = model->layers[model->n_layers - 1].n_hidden;
  uint16_t k;

  for (k = 0; k < model->n_classes; k++)
    {
      int32_t acc = wm_add_sat32 (wm_rd_i32 (model->head_b + 4u * k),
                                  wm_dot_int8 (model->head_w + (uint32_t) k * n, h, n));

      logits[k] = wm_clamp32 (wm_requantize_inline (acc, model->head_mult, model->head_shift),
                              -LOGIT_CLAMP, LOGIT_CLAMP);
    }
}

void
wm_head_f32 (const wm_model_t *model,
             const float      *h,
             float            *logits)
{
  uint16_t n = model->layers[model->n_layers - 1].n_hidden;
  uint16_t k;

  for (k = 0; k < model->n_classes; k++)
    logits[k] = dot_f32 (wm_rd_f32 (model->head_b + 4u * k),
                         model->head_w + 4u * ((uint32_t) k * n), h, n);
}

void
wm_output_int8 (const wm_model_t *model,
                const int32_t    *logits,
                uint16_t         *probs_q16)
{
  if (model->output == WM_OUTPUT_SOFTMAX)
    wm_softmax_q16 (logits, model->n_classes, probs_q16);
  else
    wm_sigmoid_q16 (logits, model->n_classes, probs_q16);
}

void
wm_output_f32 (const wm_model_t *model,
               const float      *logits,
               float            *probs)
{
  uint16_t k;

  if (model->output == WM_OUTPUT_SOFTMAX)
    {
      wm_softmax_f32 (logits, model->n_classes, probs);
      return;
    }
  for (k = 0; k < model->n_classes; k++)
    probs[k] = wm_sigmoidf (logits[k]);
}
