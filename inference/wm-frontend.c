/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-frontend.c: raw/sensor normalisation and the log-mel front-end, integer and float
 * (FORMAT.md 3.7 and 4). */

#include "wm-frontend.h"
#include "wm-math.h"
#include "wm-port.h"
#include "wm-private.h"

#define FEATURE_CLAMP INT32_C (65536)

static uint16_t
n_bins (const wm_frontend_t *fe)
{
  return (uint16_t) (fe->frame_length / 2u + 1u);
}

uint32_t
wm_frontend_scratch_size (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;

  if (fe->kind != WM_FRONTEND_LOGMEL)
    return 0;
  /* int8: u64 acc[M] then i32 xw[L]; f32: float acc[M] then float xw[L]. */
  if (model->variant == WM_VARIANT_INT8)
    return 8u * fe->n_mels + 4u * fe->frame_length;
  return 4u * fe->n_mels + 4u * fe->frame_length;
}

/* sat8 (clamp (requantize (sat32 (v − offset[i]), mult[i], shift[i])) + zp). */
static int8_t
quantize_feature (const wm_model_t *model,
                  uint16_t          i,
                  int32_t           v)
{
  const wm_frontend_t *fe = &model->frontend;
  int32_t q = wm_requantize_inline (wm_sub_sat32 (v, wm_rd_i32 (fe->offset + 4u * i)),
                             wm_rd_i32 (fe->mult + 4u * i),
                             wm_rd_i32 (fe->shift + 4u * i));

  return wm_sat8 (wm_clamp32 (q, -FEATURE_CLAMP, FEATURE_CLAMP) + model->layers[0].x_zp);
}

/* Does any mel filter use bin k? */
static int
bin_used (const wm_frontend_t *fe,
          uint16_t             k,
          uint8_t              f32)
{
  uint16_t bins = n_bins (fe);
  uint16_t m;

  for (m = 0; m < fe->n_mels; m++)
    {
      uint32_t at = (uint32_t) m * bins + k;

      if (f32 ? wm_rd_f32 (fe->mel + 4u * at) != 0.0f : wm_rd_i16 (fe->mel + 2u * at) != 0)
        return 1;
    }
  return 0;
}

uint32_t
wm_logmel_packed_size (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;

  if (fe->kind != WM_FRONTEND_LOGMEL || model->variant != WM_VARIANT_INT8)
    return 0;
  return (uint32_t) n_bins (fe) * 2u * fe->frame_length * 2u;
}

void
wm_logmel_pack (const wm_model_t *model,
                int16_t          *dft_rows)
{
  const wm_frontend_t *fe = &model->frontend;
  uint16_t length = fe->frame_length;
  uint16_t mask = (uint16_t) (length - 1u);
  uint16_t quarter = (uint16_t) (3u * length / 4u);
  uint16_t bins = n_bins (fe);
  uint16_t k, n;

  for (k = 0; k < bins; k++)
    {
      int16_t *re_row = dft_rows + (uint32_t) k * 2u * length;
      int16_t *im_row = re_row + length;
      uint16_t idx = 0;

      for (n = 0; n < length; n++)
        {
          re_row[n] = wm_rd_i16 (fe->cos_table + 2u * idx);
          im_row[n] = wm_rd_i16 (fe->cos_table + 2u * ((idx + quarter) & mask));
          idx = (uint16_t) ((idx + k) & mask);
        }
    }
}

/* Σ xw[n]·row[n] exactly, with xw = 256·hi + lo (hi in [-128, 128], lo in
 * [0, 255]): over 256 terms |Σ hi·row| ≤ 2^30 and |Σ lo·row| < 2^31, so
 * both fit 32 bits; int16 × int16 sums vectorise on any SIMD unit.  The
 * sum is exact, hence identical to the plain int64 loop. */
static int64_t
dot_exact (const int16_t *hi,
           const int16_t *lo,
           const int16_t *row,
           uint16_t       length)
{
  int64_t sum = 0;
  uint16_t block, n;

  for (block = 0; block < length; block = (uint16_t) (block + 256u))
    {
      uint16_t end = (uint16_t) ((uint32_t) length - block < 256u ? length : block + 256u);
      int32_t sum_hi = 0, sum_lo = 0;

      for (n = block; n < end; n++)
        {
          sum_hi += (int32_t) hi[n] * row[n];
          sum_lo += (int32_t) lo[n] * row[n];
        }
      sum += (int64_t) sum_hi * 256 + sum_lo;
    }
  return sum;
}

void
wm_logmel_lq (const wm_model_t *model,
              const int16_t    *ring,
              uint16_t          ring_len,
              uint16_t          start,
              int32_t          *lq,
              void             *scratch,
              const int16_t    *dft_rows)
{
  const wm_frontend_t *fe = &model->frontend;
  uint16_t length = fe->frame_length;
  uint16_t mask = (uint16_t) (length - 1u);
  uint16_t quarter = (uint16_t) (3u * length / 4u);
  uint16_t bins = n_bins (fe);
  uint64_t *acc = scratch;
  int32_t *xw = (int32_t *) (acc + fe->n_mels);
  int16_t hi[WM_MAX_FRAME_LENGTH], lo[WM_MAX_FRAME_LENGTH];
  uint16_t n, k, m;

  for (n = 0; n < length; n++)
    {
      int32_t s = ring[((uint32_t) start + n) % ring_len];
      int32_t p = s * wm_rd_i16 (fe->window_table + 2u * n);

      xw[n] = wm_floor_shr32 (p + (INT32_C (1) << 14), 15);
    }
  for (m = 0; m < fe->n_mels; m++)
    acc[m] = 0;
  if (dft_rows != NULL)
    for (n = 0; n < length; n++)
      {
        hi[n] = (int16_t) wm_floor_shr32 (xw[n], 8);
        lo[n] = (int16_t) (xw[n] - (int32_t) hi[n] * 256);
      }

  for (k = 0; k < bins; k++)
    {
      int64_t re = 0, im = 0, rr, ri;
      uint64_t power;
      uint16_t idx = 0;

      if (!bin_used (fe, k, 0))
        continue;
      if (dft_rows != NULL)
        {
          const int16_t *re_row = dft_rows + (uint32_t) k * 2u * length;
          const int16_t *im_row = re_row + length;

          re = dot_exact (hi, lo, re_row, length);
          im = dot_exact (hi, lo, im_row, length);
        }
      else
        for (n = 0; n < length; n++)
          {
            re += (int64_t) xw[n] * wm_rd_i16 (fe->cos_table + 2u * idx);
            im += (int64_t) xw[n] * wm_rd_i16 (fe->cos_table + 2u * ((idx + quarter) & mask));
            idx = (uint16_t) ((idx + k) & mask);
          }
      rr = wm_rdbpot64 (re, 16);
      ri = wm_rdbpot64 (im, 16);
      power = (uint64_t) (rr * rr) + (uint64_t) (ri * ri);
      for (m = 0; m < fe->n_mels; m++)
        acc[m] += power * (uint64_t) wm_rd_i16 (fe->mel + 2u * ((uint32_t) m * bins + k));
    }

  for (m = 0; m < fe->n_mels; m++)
    {
      uint64_t energy = (acc[m] >> 15) + ((acc[m] >> 14) & 1u);

      lq[m] = wm_log2q10 (energy + 1u);
    }
}

void
wm_frontend_int8 (const wm_model_t *model,
                  const int16_t    *ring,
                  uint16_t          ring_len,
                  uint16_t          start,
                  int8_t           *features,
                  void             *scratch,
                  const int16_t    *dft_rows)
{
  const wm_frontend_t *fe = &model->frontend;
  uint16_t i;

  if (fe->kind == WM_FRONTEND_LOGMEL)
    {
      /* lq fits in the xw area: it is computed after xw is no longer needed. */
      uint64_t *acc = scratch;
      int32_t *lq = (int32_t *) (acc + fe->n_mels);

      wm_logmel_lq (model, ring, ring_len, start, lq, scratch, dft_rows);
      for (i = 0; i < fe->n_mels; i++)
        features[i] = quantize_feature (model, i, lq[i]);
      return;
    }

  for (i = 0; i < fe->channels; i++)
    features[i] = quantize_feature (model, i, ring[(uint32_t) start * fe->channels + i]);
}

void
wm_frontend_f32 (const wm_model_t *model,
                 const float      *ring,
                 uint16_t          ring_len,
                 uint16_t          start,
                 float            *features,
                 void             *scratch)
{
  const wm_frontend_t *fe = &model->frontend;
  uint16_t i;

  if (fe->kind == WM_FRONTEND_LOGMEL)
    {
      uint16_t length = fe->frame_length;
      uint16_t mask = (uint16_t) (length - 1u);
      uint16_t quarter = (uint16_t) (3u * length / 4u);
      uint16_t bins = n_bins (fe);
      float *acc = scratch;
      float *xw = acc + fe->n_mels;
      float in_scale = wm_rd_f32 (fe->in_scale);
      uint16_t n, k, m;

      for (n = 0; n < length; n++)
        xw[n] = ring[((uint32_t) start + n) % ring_len] / in_scale
                * wm_rd_f32 (fe->window_table + 4u * n);
      for (m = 0; m < fe->n_mels; m++)
        acc[m] = 0.0f;
      for (k = 0; k < bins; k++)
        {
          float re = 0.0f, im = 0.0f, power;
          uint16_t idx = 0;

          if (!bin_used (fe, k, 1))
            continue;
          for (n = 0; n < length; n++)
            {
              re += xw[n] * wm_rd_f32 (fe->cos_table + 4u * idx);
              im += xw[n] * wm_rd_f32 (fe->cos_table + 4u * ((idx + quarter) & mask));
              idx = (uint16_t) ((idx + k) & mask);
            }
          power = (re * re + im * im) / 16.0f;
          for (m = 0; m < fe->n_mels; m++)
            acc[m] += power * wm_rd_f32 (fe->mel + 4u * ((uint32_t) m * bins + k));
        }
      for (m = 0; m < fe->n_mels; m++)
        features[m] = (wm_log2f (acc[m] + 1.0f) - wm_rd_f32 (fe->mean + 4u * m))
                      * wm_rd_f32 (fe->inv_std + 4u * m);
      return;
    }

  for (i = 0; i < fe->channels; i++)
    features[i] = (ring[(uint32_t) start * fe->channels + i] - wm_rd_f32 (fe->mean + 4u * i))
                  * wm_rd_f32 (fe->inv_std + 4u * i);
}
