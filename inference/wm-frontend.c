/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-frontend.c: raw/sensor normalisation and the log-mel front-end, integer and float
 * (FORMAT.md 3.7 and 4). */

#include "wm-frontend.h"
#include "wm-math.h"
#include "wm-port.h"
#include "wm-private.h"
#include "wm-simd.h"

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

/* The packed log-mel table (int16, desktop): a header of DFT_HEAD values
 *   [0]          1 = folded rows (below), 0 = full rows
 *   [4 + 2k]     first mel filter with a nonzero weight for bin k
 *   [5 + 2k]     one past the last one (equal to the first if bin k is unused)
 * then per bin k either the full rows (cos row [L], sin row [L], in sample order) or, when
 * the cosine table has the symmetries of a cosine (checked exactly: C[L-j] = C[j],
 * C[j+L/2] = -C[j]) and |C| <= 16384, the folded rows C[k·n mod L], S[k·n mod L] for
 * n = 0 … L/4 (zero-padded to FOLD_LEN (L)).  With those symmetries the DFT sums of
 * FORMAT.md 3.7 equal, as exact integers, sums over a quarter of the samples folded in
 * pairs (wm_logmel_lq explains), so the result is the same to the last bit. */

#define DFT_HEAD(bins) ((4u + 2u * (uint32_t) (bins) + 7u) & ~UINT32_C (7))
#define FOLD_LEN(length) ((((uint32_t) (length) / 4u + 1u) + 7u) & ~UINT32_C (7))
#define FOLD_STRIDE FOLD_LEN (WM_MAX_FRAME_LENGTH)

static int
cos_table_folds (const wm_frontend_t *fe)
{
  uint16_t length = fe->frame_length;
  uint16_t j;

  if (length % 4u != 0)
    return 0;
  for (j = 0; j < length; j++)
    {
      int32_t v = wm_rd_i16 (fe->cos_table + 2u * j);

      if (v > 16384 || v < -16384
          || wm_rd_i16 (fe->cos_table + 2u * ((length - j) % length)) != v
          || wm_rd_i16 (fe->cos_table + 2u * ((j + length / 2u) % length)) != -v)
        return 0;
    }
  return 1;
}

uint32_t
wm_logmel_packed_size (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;
  uint32_t bins = n_bins (fe);

  if (fe->kind != WM_FRONTEND_LOGMEL || model->variant != WM_VARIANT_INT8)
    return 0;
  if (cos_table_folds (fe))
    return 2u * (DFT_HEAD (bins) + bins * 2u * FOLD_LEN (fe->frame_length));
  return 2u * (DFT_HEAD (bins) + bins * 2u * fe->frame_length);
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
  int folded = cos_table_folds (fe);
  uint32_t row_len = folded ? FOLD_LEN (length) : length;
  uint32_t used = folded ? length / 4u + 1u : length;
  uint16_t k, n, m;

  for (n = 0; n < DFT_HEAD (bins); n++)
    dft_rows[n] = 0;
  dft_rows[0] = (int16_t) folded;
  for (k = 0; k < bins; k++)
    {
      int16_t *re_row = dft_rows + DFT_HEAD (bins) + (uint32_t) k * 2u * row_len;
      int16_t *im_row = re_row + row_len;
      uint16_t idx = 0, first = fe->n_mels, end = 0;

      for (m = 0; m < fe->n_mels; m++)
        if (wm_rd_i16 (fe->mel + 2u * ((uint32_t) m * bins + k)) != 0)
          {
            if (first == fe->n_mels)
              first = m;
            end = (uint16_t) (m + 1u);
          }
      if (end == 0)
        first = 0;
      dft_rows[4u + 2u * k] = (int16_t) first;
      dft_rows[5u + 2u * k] = (int16_t) end;

      for (n = 0; n < row_len; n++)
        {
          if (n < used)
            {
              re_row[n] = wm_rd_i16 (fe->cos_table + 2u * idx);
              im_row[n] = wm_rd_i16 (fe->cos_table + 2u * ((idx + quarter) & mask));
            }
          else
            re_row[n] = im_row[n] = 0;
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

/* re = Σ a·cr and im = Σ b·sr over n folded terms, a = 256·a_hi + a_lo (likewise b), with
 * |a|, |b| ≤ 2^17 and |cr|, |sr| ≤ 2^14: each int32 sum stays below 2^31 for n ≤ 136. */
static void
dot_folded (const int16_t *a_hi,
            const int16_t *a_lo,
            const int16_t *b_hi,
            const int16_t *b_lo,
            const int16_t *cr,
            const int16_t *sr,
            uint32_t       n,
            int64_t       *re,
            int64_t       *im)
{
  int32_t rh, rl, ih, il;
  uint32_t j;
#ifdef WM_SIMD_SSE2
  __m128i vrh = _mm_setzero_si128 (), vrl = vrh, vih = vrh, vil = vrh;
  int32_t lanes[4][4];
  uint8_t t;

  for (j = 0; j < n; j += 8u)
    {
      __m128i c = _mm_loadu_si128 ((const __m128i *) (cr + j));
      __m128i s = _mm_loadu_si128 ((const __m128i *) (sr + j));

      vrh = _mm_add_epi32 (vrh, _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (a_hi + j)), c));
      vrl = _mm_add_epi32 (vrl, _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (a_lo + j)), c));
      vih = _mm_add_epi32 (vih, _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (b_hi + j)), s));
      vil = _mm_add_epi32 (vil, _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (b_lo + j)), s));
    }
  _mm_storeu_si128 ((__m128i *) lanes[0], vrh);
  _mm_storeu_si128 ((__m128i *) lanes[1], vrl);
  _mm_storeu_si128 ((__m128i *) lanes[2], vih);
  _mm_storeu_si128 ((__m128i *) lanes[3], vil);
  /* Partial sums of an exact int32 sum: added with wrap-around, the total is exact. */
  rh = rl = ih = il = 0;
  for (t = 0; t < 4; t++)
    {
      rh = (int32_t) ((uint32_t) rh + (uint32_t) lanes[0][t]);
      rl = (int32_t) ((uint32_t) rl + (uint32_t) lanes[1][t]);
      ih = (int32_t) ((uint32_t) ih + (uint32_t) lanes[2][t]);
      il = (int32_t) ((uint32_t) il + (uint32_t) lanes[3][t]);
    }
#else
  rh = rl = ih = il = 0;
  for (j = 0; j < n; j++)
    {
      rh += (int32_t) a_hi[j] * cr[j];
      rl += (int32_t) a_lo[j] * cr[j];
      ih += (int32_t) b_hi[j] * sr[j];
      il += (int32_t) b_lo[j] * sr[j];
    }
#endif
  *re = (int64_t) rh * 256 + rl;
  *im = (int64_t) ih * 256 + il;
}

#ifdef WM_SIMD_AVX2
/* dot_folded with 256-bit pmaddwd (chosen at run time); the same exact sums. */
WM_AVX2_FUNCTION static void
dot_folded_avx2 (const int16_t *a_hi,
                 const int16_t *a_lo,
                 const int16_t *b_hi,
                 const int16_t *b_lo,
                 const int16_t *cr,
                 const int16_t *sr,
                 uint32_t       n,
                 int64_t       *re,
                 int64_t       *im)
{
  __m256i rh = _mm256_setzero_si256 (), rl = rh, ih = rh, il = rh;
  __m128i s4[4];
  int32_t t[4];
  uint32_t j = 0;

#define WM_LD(p) _mm256_loadu_si256 ((const __m256i *) (p))
  for (; j + 16u <= n; j += 16u)
    {
      __m256i c = WM_LD (cr + j), s = WM_LD (sr + j);

      rh = _mm256_add_epi32 (rh, _mm256_madd_epi16 (WM_LD (a_hi + j), c));
      rl = _mm256_add_epi32 (rl, _mm256_madd_epi16 (WM_LD (a_lo + j), c));
      ih = _mm256_add_epi32 (ih, _mm256_madd_epi16 (WM_LD (b_hi + j), s));
      il = _mm256_add_epi32 (il, _mm256_madd_epi16 (WM_LD (b_lo + j), s));
    }
#undef WM_LD
  s4[0] = _mm_add_epi32 (_mm256_castsi256_si128 (rh), _mm256_extracti128_si256 (rh, 1));
  s4[1] = _mm_add_epi32 (_mm256_castsi256_si128 (rl), _mm256_extracti128_si256 (rl, 1));
  s4[2] = _mm_add_epi32 (_mm256_castsi256_si128 (ih), _mm256_extracti128_si256 (ih, 1));
  s4[3] = _mm_add_epi32 (_mm256_castsi256_si128 (il), _mm256_extracti128_si256 (il, 1));
  for (; j < n; j += 8u)
    {
      __m128i c = _mm_loadu_si128 ((const __m128i *) (cr + j));
      __m128i s = _mm_loadu_si128 ((const __m128i *) (sr + j));

      s4[0] = _mm_add_epi32 (s4[0], _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (a_hi + j)), c));
      s4[1] = _mm_add_epi32 (s4[1], _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (a_lo + j)), c));
      s4[2] = _mm_add_epi32 (s4[2], _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (b_hi + j)), s));
      s4[3] = _mm_add_epi32 (s4[3], _mm_madd_epi16 (_mm_loadu_si128 ((const __m128i *) (b_lo + j)), s));
    }
  /* Horizontal sums (wrapping, exact: the totals fit 32 bits): t = rh, rl, ih, il. */
  _mm_storeu_si128 ((__m128i *) t, _mm_hadd_epi32 (_mm_hadd_epi32 (s4[0], s4[1]),
                                                   _mm_hadd_epi32 (s4[2], s4[3])));
  *re = (int64_t) t[0] * 256 + t[1];
  *im = (int64_t) t[2] * 256 + t[3];
}
#endif

/* v = 256·hi + lo with lo in [0, 255]. */
static void
split (int32_t  v,
       int16_t *hi,
       int16_t *lo)
{
  int32_t h = wm_floor_shr32 (v, 8);

  *hi = (int16_t) h;
  *lo = (int16_t) (v - h * 256);
}

/* The energies' accumulation of one bin into the mel sums. */
static void
add_power (const wm_frontend_t *fe,
           uint16_t             bins,
           uint16_t             k,
           uint16_t             first,
           uint16_t             end,
           int64_t              re,
           int64_t              im,
           uint64_t            *acc)
{
  int64_t rr = wm_rdbpot64_inline (re, 16);
  int64_t ri = wm_rdbpot64_inline (im, 16);
  uint64_t power = (uint64_t) (rr * rr) + (uint64_t) (ri * ri);
  uint16_t m;

  for (m = first; m < end; m++)
    acc[m] += power * (uint64_t) wm_rd_i16 (fe->mel + 2u * ((uint32_t) m * bins + k));
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
  uint16_t n, k, m, at;

  /* The ring from its oldest sample: start … ring_len-1, then 0 … */
  at = (uint16_t) (start % ring_len);
  for (n = 0; n < length; n++)
    {
      int32_t p = (int32_t) ring[at] * wm_rd_i16 (fe->window_table + 2u * n);

      xw[n] = wm_floor_shr32 (p + (INT32_C (1) << 14), 15);
      if (++at == ring_len)
        at = 0;
    }
  for (m = 0; m < fe->n_mels; m++)
    acc[m] = 0;

  if (dft_rows != NULL && dft_rows[0] == 1)
    {
      /* Folded: with u = xw[n] + xw[n + L/2] and v = xw[n] − xw[n + L/2] (n < L/2), an
       * even bin's sums run over u only (k·L/2 ≡ 0 mod L) and an odd bin's over v only
       * (C[j + L/2] = −C[j]); then n and L/2 − n meet the same table entry up to sign
       * (C even, S odd), so each sum runs over n = 0 … L/4 of the pairs folded once more. */
      const int16_t *rows = dft_rows + DFT_HEAD (bins);
      uint32_t row_len = FOLD_LEN (length);
      uint16_t half = (uint16_t) (length / 2u), q = (uint16_t) (length / 4u);
      int16_t f[8u * FOLD_STRIDE];
#ifdef WM_SIMD_AVX2
      int avx2 = wm_have_avx2 ();
#endif

      for (n = 0; n < row_len; n++)
        {
          int32_t ae = 0, be = 0, ao = 0, bo = 0;

          if (n <= q)
            {
              int32_t u = xw[n] + xw[n + half], v = xw[n] - xw[n + half];

              if (n == 0 || n == q)
                ae = be = u, ao = bo = v;
              else
                {
                  int32_t u2 = xw[half - n] + xw[length - n], v2 = xw[half - n] - xw[length - n];

                  ae = u + u2;
                  be = u - u2;
                  ao = v - v2;
                  bo = v + v2;
                }
            }
          split (ae, &f[0u * FOLD_STRIDE + n], &f[1u * FOLD_STRIDE + n]);
          split (be, &f[2u * FOLD_STRIDE + n], &f[3u * FOLD_STRIDE + n]);
          split (ao, &f[4u * FOLD_STRIDE + n], &f[5u * FOLD_STRIDE + n]);
          split (bo, &f[6u * FOLD_STRIDE + n], &f[7u * FOLD_STRIDE + n]);
        }
      for (k = 0; k < bins; k++)
        {
          const int16_t *re_row = rows + (uint32_t) k * 2u * row_len;
          uint16_t first = (uint16_t) dft_rows[4u + 2u * k], end = (uint16_t) dft_rows[5u + 2u * k];
          const int16_t *g = f + (k % 2u ? 4u : 0u) * FOLD_STRIDE;
          int64_t re, im;

          if (first == end)
            continue;
#ifdef WM_SIMD_AVX2
          if (avx2)
            dot_folded_avx2 (g, g + FOLD_STRIDE, g + 2u * FOLD_STRIDE, g + 3u * FOLD_STRIDE, re_row,
                             re_row + row_len, row_len, &re, &im);
          else
#endif
          dot_folded (g, g + FOLD_STRIDE, g + 2u * FOLD_STRIDE, g + 3u * FOLD_STRIDE, re_row,
                      re_row + row_len, row_len, &re, &im);
          add_power (fe, bins, k, first, end, re, im, acc);
        }
    }
  else if (dft_rows != NULL)
    {
      const int16_t *rows = dft_rows + DFT_HEAD (bins);
      int16_t hi[WM_MAX_FRAME_LENGTH], lo[WM_MAX_FRAME_LENGTH];

      for (n = 0; n < length; n++)
        split (xw[n], &hi[n], &lo[n]);
      for (k = 0; k < bins; k++)
        {
          const int16_t *re_row = rows + (uint32_t) k * 2u * length;
          uint16_t first = (uint16_t) dft_rows[4u + 2u * k], end = (uint16_t) dft_rows[5u + 2u * k];

          if (first == end)
            continue;
          add_power (fe, bins, k, first, end, dot_exact (hi, lo, re_row, length),
                     dot_exact (hi, lo, re_row + length, length), acc);
        }
    }
  else
    for (k = 0; k < bins; k++)
      {
        int64_t re = 0, im = 0;
        uint16_t idx = 0;

        if (!bin_used (fe, k, 0))
          continue;
        for (n = 0; n < length; n++)
          {
            re += (int64_t) xw[n] * wm_rd_i16 (fe->cos_table + 2u * idx);
            im += (int64_t) xw[n] * wm_rd_i16 (fe->cos_table + 2u * ((idx + quarter) & mask));
            idx = (uint16_t) ((idx + k) & mask);
          }
        add_power (fe, bins, k, 0, fe->n_mels, re, im, acc);
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
