/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-lstm.c: the integer (TFLite-Micro 8x8→16) and float LSTM step, dense head, outputs. */

#include <string.h>

#include "wm-lstm.h"
#include "wm-math.h"
#include "wm-port.h"
#include "wm-private.h"
#include "wm-simd.h"

#define GATE_CLAMP INT32_C (65536)
#define LOGIT_CLAMP (INT32_C (1) << 24)

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

/* pre = sat16 (px + clamp (ph)) of FORMAT.md 3.5 for gate g from its biases and sums. */
static inline int16_t
gate_value (const wm_layer_t *layer,
            uint8_t           g,
            int32_t           bias_x,
            int32_t           bias_h,
            int32_t           sum_x,
            int32_t           sum_h)
{
  int32_t ax = wm_add_sat32 (bias_x, sum_x);
  int32_t ah = wm_add_sat32 (bias_h, sum_h);
  int32_t px = wm_sat16 (wm_requantize_inline (ax, layer->gx_mult[g], layer->gx_shift[g]));
  int32_t ph = wm_clamp32 (wm_requantize_inline (ah, layer->gh_mult[g], layer->gh_shift[g]),
                           -GATE_CLAMP, GATE_CLAMP);

  return wm_sat16 (px + ph);
}

/* The element-wise half of FORMAT.md 3.5, from the gate pre-activations (gate g of unit r
 * at gates[g·stride + r]). */
static void
update_int8 (const wm_layer_t *layer,
             const int16_t    *gates,
             uint32_t          stride,
             int8_t           *h,
             int16_t          *c)
{
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;

  for (r = 0; r < n_hidden; r++)
    {
      int16_t ig = wm_sigmoid16_inline (gates[r]);
      int16_t fg = wm_sigmoid16_inline (gates[stride + r]);
      int16_t gg = wm_tanh16_inline (gates[2u * stride + r], 0);
      int16_t og = wm_sigmoid16_inline (gates[3u * stride + r]);
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
        gate_value (layer, g, wm_rd_i32 (layer->bx[g] + 4u * r), wm_rd_i32 (layer->bh[g] + 4u * r),
                    wm_dot_int8 (layer->wx[g] + (uint32_t) r * n_in, x, n_in),
                    wm_dot_int8 (layer->wh[g] + (uint32_t) r * n_hidden, h, n_hidden));
  update_int8 (layer, gates, n_hidden, h, c);
}

static void
update_f32 (const wm_layer_t *layer,
            const float      *gates,
            uint32_t          stride,
            float            *h,
            float            *c)
{
  uint16_t n_hidden = layer->n_hidden;
  uint16_t r;

  for (r = 0; r < n_hidden; r++)
    {
      float ig = wm_sigmoidf (gates[r]);
      float fg = wm_sigmoidf (gates[stride + r]);
      float gg = wm_tanhf (gates[2u * stride + r]);
      float og = wm_sigmoidf (gates[3u * stride + r]);

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
  update_f32 (layer, gates, n_hidden, h, c);
}

/* Packed weights (desktop).  The 4·H gate rows are padded to 4·Hp rows, Hp = H rounded up
 * to a multiple of 4 (gate g, unit r is row g·Hp + r), so that four consecutive rows always
 * share one gate, and cut into groups of 16 rows whose weights are contiguous:
 *
 *   int8: i32 bx[4Hp], i32 bh[4Hp], then i16 wx[4Hp/16][⌈F/2⌉][16][2] and
 *         i16 wh[4Hp/16][⌈H/2⌉][16][2]: for each group and each PAIR of columns, the
 *         16 rows' two weights side by side, which is the operand order of one SSE2
 *         pmaddwd (8 int16 products summed in pairs into 4 int32 lanes);
 *   f32:  f32 [4Hp/16][1 + F + H][16]: for each group the 16 biases, then each input
 *         column, then each hidden column, so every row's sum keeps FORMAT.md's order.
 *
 * Padding rows and columns hold zeros.  The integer sums are exact (any order gives the same
 * value); the float sums run over j ascending per row, vectorised across rows. */

#define GROUP 16u

static uint32_t
padded_hidden (const wm_layer_t *layer)
{
  return ((uint32_t) layer->n_hidden + 3u) & ~UINT32_C (3);
}

static uint32_t
pairs (uint32_t n)
{
  return (n + 1u) / 2u;
}

uint32_t
wm_lstm_packed_size (const wm_layer_t *layer,
                     wm_variant_t      variant)
{
  uint32_t rows = 4u * padded_hidden (layer);

  if (variant == WM_VARIANT_INT8)
    return 8u * rows + 4u * rows * (pairs (layer->n_inputs) + pairs (layer->n_hidden));
  return 4u * rows * (1u + layer->n_inputs + layer->n_hidden);
}

void
wm_lstm_pack (const wm_layer_t *layer,
              wm_variant_t      variant,
              void             *packed)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint32_t hp = padded_hidden (layer);
  uint32_t rows = 4u * hp;
  uint32_t npx = pairs (n_in), nph = pairs (n_hidden);
  uint32_t cols = 1u + n_in + n_hidden;
  uint32_t j;
  uint16_t r;
  uint8_t g;

  memset (packed, 0, wm_lstm_packed_size (layer, variant));
  for (g = 0; g < 4; g++)
    for (r = 0; r < n_hidden; r++)
      {
        uint32_t row = (uint32_t) g * hp + r;
        uint32_t q = row / GROUP, i = row % GROUP;

        if (variant == WM_VARIANT_INT8)
          {
            int32_t *bx = packed;
            int32_t *bh = bx + rows;
            int16_t *wx = (int16_t *) (bh + rows);
            int16_t *wh = wx + 2u * rows * npx;

            bx[row] = wm_rd_i32 (layer->bx[g] + 4u * r);
            bh[row] = wm_rd_i32 (layer->bh[g] + 4u * r);
            for (j = 0; j < n_in; j++)
              wx[((q * npx + j / 2u) * GROUP + i) * 2u + j % 2u] =
                wm_rd_i8 (layer->wx[g] + (uint32_t) r * n_in + j);
            for (j = 0; j < n_hidden; j++)
              wh[((q * nph + j / 2u) * GROUP + i) * 2u + j % 2u] =
                wm_rd_i8 (layer->wh[g] + (uint32_t) r * n_hidden + j);
          }
        else
          {
            float *p = (float *) packed + q * cols * GROUP + i;

            p[0] = wm_rd_f32 (layer->bx[g] + 4u * r);
            for (j = 0; j < n_in; j++)
              p[(1u + j) * GROUP] = wm_rd_f32 (layer->wx[g] + 4u * ((uint32_t) r * n_in + j));
            for (j = 0; j < n_hidden; j++)
              p[(1u + n_in + j) * GROUP] =
                wm_rd_f32 (layer->wh[g] + 4u * ((uint32_t) r * n_hidden + j));
          }
      }
}

/* Pairs of int8 values as the two int16 halves of a u32 (low = even index), 0-padded. */
static void
make_pairs (const int8_t *v,
            uint16_t      n,
            uint32_t     *out)
{
  uint32_t p;

  for (p = 0; p < pairs (n); p++)
    {
      uint32_t lo = (uint16_t) (int16_t) v[2u * p];
      uint32_t hi = 2u * p + 1u < n ? (uint16_t) (int16_t) v[2u * p + 1u] : 0u;

      out[p] = lo | (hi << 16);
    }
}

#ifndef WM_SIMD_SSE2
static int16_t
pair_lo (uint32_t v)
{
  return (int16_t) ((int32_t) (v & 0xffffu) - (int32_t) ((v & 0x8000u) << 1));
}

static int16_t
pair_hi (uint32_t v)
{
  return pair_lo (v >> 16);
}
#endif

#ifdef WM_SIMD_SSE2
/* The four int32 sums of one group's 16 rows over n column pairs. */
static inline void
madd_group (const int16_t  *w,
            const uint32_t *pair,
            uint32_t        n,
            __m128i        *sum)
{
  const __m128i *m = (const __m128i *) w;
  __m128i a0 = _mm_setzero_si128 (), a1 = a0, a2 = a0, a3 = a0;
  uint32_t p;

  for (p = 0; p < n; p++, m += 4)
    {
      __m128i b = _mm_set1_epi32 ((int32_t) pair[p]);

      a0 = _mm_add_epi32 (a0, _mm_madd_epi16 (_mm_loadu_si128 (m), b));
      a1 = _mm_add_epi32 (a1, _mm_madd_epi16 (_mm_loadu_si128 (m + 1), b));
      a2 = _mm_add_epi32 (a2, _mm_madd_epi16 (_mm_loadu_si128 (m + 2), b));
      a3 = _mm_add_epi32 (a3, _mm_madd_epi16 (_mm_loadu_si128 (m + 3), b));
    }
  sum[0] = a0;
  sum[1] = a1;
  sum[2] = a2;
  sum[3] = a3;
}
#endif

#ifdef WM_SIMD_AVX2
/* The same with 256-bit pmaddwd: 8 rows × 2 columns per instruction, two pairs per turn. */
WM_AVX2_FUNCTION static inline void
madd_group_avx2_8 (const int16_t  *w,
                   const uint32_t *pair,
                   uint32_t        n,
                   __m256i        *sum)
{
  const __m256i *m = (const __m256i *) w;
  __m256i a0 = _mm256_setzero_si256 (), a1 = a0, b0 = a0, b1 = a0;
  uint32_t p = 0;

  for (; p + 2u <= n; p += 2u, m += 4)
    {
      __m256i x0 = _mm256_set1_epi32 ((int32_t) pair[p]);
      __m256i x1 = _mm256_set1_epi32 ((int32_t) pair[p + 1u]);

      a0 = _mm256_add_epi32 (a0, _mm256_madd_epi16 (_mm256_loadu_si256 (m), x0));
      a1 = _mm256_add_epi32 (a1, _mm256_madd_epi16 (_mm256_loadu_si256 (m + 1), x0));
      b0 = _mm256_add_epi32 (b0, _mm256_madd_epi16 (_mm256_loadu_si256 (m + 2), x1));
      b1 = _mm256_add_epi32 (b1, _mm256_madd_epi16 (_mm256_loadu_si256 (m + 3), x1));
    }
  if (p < n)
    {
      __m256i x0 = _mm256_set1_epi32 ((int32_t) pair[p]);

      a0 = _mm256_add_epi32 (a0, _mm256_madd_epi16 (_mm256_loadu_si256 (m), x0));
      a1 = _mm256_add_epi32 (a1, _mm256_madd_epi16 (_mm256_loadu_si256 (m + 1), x0));
    }
  sum[0] = _mm256_add_epi32 (a0, b0);
  sum[1] = _mm256_add_epi32 (a1, b1);
}

WM_AVX2_FUNCTION static void
madd_group_avx2 (const int16_t  *w,
                 const uint32_t *pair,
                 uint32_t        n,
                 __m128i        *sum)
{
  __m256i a[2];

  madd_group_avx2_8 (w, pair, n, a);
  _mm_storeu_si128 (sum, _mm256_castsi256_si128 (a[0]));
  _mm_storeu_si128 (sum + 1, _mm256_extracti128_si256 (a[0], 1));
  _mm_storeu_si128 (sum + 2, _mm256_castsi256_si128 (a[1]));
  _mm_storeu_si128 (sum + 3, _mm256_extracti128_si256 (a[1], 1));
}

/* The input half and the gate pre-activations of one group of 16 rows, eight lanes at a
 * time; only when Hp is a multiple of 8, so that eight rows share one gate. */
WM_AVX2_FUNCTION static inline void
input_group_avx2 (const wm_layer_t *layer,
                  const int32_t    *bx,
                  const int16_t    *w,
                  const uint32_t   *xpair,
                  uint32_t          npx,
                  uint32_t          row0,
                  uint32_t          hp,
                  int16_t          *px)
{
  __m256i ax[2];
  uint8_t v;

  madd_group_avx2_8 (w, xpair, npx, ax);
  for (v = 0; v < 2; v++)
    {
      uint32_t row = row0 + 8u * v;
      uint8_t g = (uint8_t) (row / hp);
      __m256i sx = wm_v8_add_sat32 (_mm256_loadu_si256 ((const __m256i *) (bx + row)), ax[v]);
      __m256i p = wm_v8_requantize (sx, layer->gx_mult[g], layer->gx_shift[g]);

      _mm_storeu_si128 ((__m128i *) (px + row),
                        _mm_packs_epi32 (_mm256_castsi256_si128 (p), _mm256_extracti128_si256 (p, 1)));
    }
}

WM_AVX2_FUNCTION static inline void
gate_group_avx2 (const wm_layer_t *layer,
                 const int32_t    *bh,
                 const int16_t    *u,
                 const uint32_t   *hpair,
                 uint32_t          nph,
                 uint32_t          row0,
                 uint32_t          hp,
                 const int16_t    *px,
                 int16_t          *pre)
{
  __m256i ah[2];
  uint8_t v;

  madd_group_avx2_8 (u, hpair, nph, ah);
  for (v = 0; v < 2; v++)
    {
      uint32_t row = row0 + 8u * v;
      uint8_t g = (uint8_t) (row / hp);
      __m256i sh = wm_v8_add_sat32 (_mm256_loadu_si256 ((const __m256i *) (bh + row)), ah[v]);
      __m256i ph = wm_v8_clamp (wm_v8_requantize (sh, layer->gh_mult[g], layer->gh_shift[g]),
                                -GATE_CLAMP, GATE_CLAMP);
      __m256i sum = _mm256_add_epi32 (_mm256_cvtepi16_epi32 (_mm_loadu_si128 ((const __m128i *) (px + row))), ph);

      _mm_storeu_si128 ((__m128i *) (pre + row),
                        _mm_packs_epi32 (_mm256_castsi256_si128 (sum), _mm256_extracti128_si256 (sum, 1)));
    }
}

/* The element-wise half of the step for all Hp units (Hp a multiple of 8), eight at a time. */
WM_AVX2_FUNCTION static inline void
update8_avx2 (const wm_layer_t *layer,
              const int16_t    *pre,
              uint32_t          hp,
              int16_t          *cs,
              int8_t           *hs)
{
  int32_t cell_shift = layer->cell_shift;
  __m128i zp = _mm_set1_epi16 ((int16_t) layer->h_zp);
  uint32_t r;

  for (r = 0; r < hp; r += 8u)
    {
#define WM_LOAD8(p) _mm256_cvtepi16_epi32 (_mm_loadu_si128 ((const __m128i *) (p)))
      __m256i ig = wm_v8_sigmoid16 (WM_LOAD8 (pre + r));
      __m256i fg = wm_v8_sigmoid16 (WM_LOAD8 (pre + hp + r));
      __m256i gg = wm_v8_tanh16 (WM_LOAD8 (pre + 2u * hp + r), 0);
      __m256i og = wm_v8_sigmoid16 (WM_LOAD8 (pre + 3u * hp + r));
      __m256i cv = WM_LOAD8 (cs + r);
#undef WM_LOAD8
      __m256i c1 = wm_v8_clamp (wm_v8_rdbpot (wm_v8_mul16 (fg, cv), 15), -32768, 32767);
      __m256i c2 = wm_v8_clamp (wm_v8_rdbpot (wm_v8_mul16 (ig, gg), 30 + cell_shift), -32768, 32767);
      __m256i cn = wm_v8_clamp (_mm256_add_epi32 (c1, c2), -32768, 32767);
      __m256i tc = wm_v8_tanh16 (cn, cell_shift + 12);
      __m256i hv = wm_v8_requantize (wm_v8_mul16 (og, tc), layer->hidden_mult, layer->hidden_shift);
      __m128i h16 = _mm_adds_epi16 (_mm_packs_epi32 (_mm256_castsi256_si128 (hv),
                                                     _mm256_extracti128_si256 (hv, 1)), zp);

      _mm_storeu_si128 ((__m128i *) (cs + r),
                        _mm_packs_epi32 (_mm256_castsi256_si128 (cn), _mm256_extracti128_si256 (cn, 1)));
      _mm_storel_epi64 ((__m128i *) (hs + r), _mm_packs_epi16 (h16, h16));
    }
}

#define UPDATE8_AVX2(avx2, ...) ((avx2) ? (update8_avx2 (__VA_ARGS__), 1) : 0)
#define INPUT_GROUP_AVX2(avx2, ...) ((avx2) ? (input_group_avx2 (__VA_ARGS__), 1) : 0)
#define GATE_GROUP_AVX2(avx2, ...) ((avx2) ? (gate_group_avx2 (__VA_ARGS__), 1) : 0)

#define MADD_GROUP(avx2, w, pair, n, sum) \
  ((avx2) ? madd_group_avx2 ((w), (pair), (n), (sum)) : madd_group ((w), (pair), (n), (sum)))
#define HAVE_AVX2() wm_have_avx2 ()
#elif defined(WM_SIMD_SSE2)
#define MADD_GROUP(avx2, w, pair, n, sum) madd_group ((w), (pair), (n), (sum))
#define INPUT_GROUP_AVX2(avx2, ...) 0
#define GATE_GROUP_AVX2(avx2, ...) 0
#define UPDATE8_AVX2(avx2, ...) 0
#endif

uint32_t
wm_lstm_packed_input_size (const wm_layer_t *layer)
{
  return 8u * padded_hidden (layer);
}

/* The kernels' bodies are compiled twice on x86-64: for baseline SSE2 and, chosen at run
 * time, for AVX2 (VEX encoding, 256-bit matrix products); the arithmetic is the same. */
#if defined(__GNUC__)
#define BODY static inline __attribute__ ((always_inline))
#else
#define BODY static inline
#endif

BODY void
input_int8_body (const wm_layer_t *layer,
                 const void       *packed,
                 const int8_t     *x,
                 int16_t          *px,
                 int               avx2)
{
  uint32_t hp = padded_hidden (layer);
  uint32_t rows = 4u * hp;
  uint32_t npx = pairs (layer->n_inputs);
  const int32_t *bx = packed;
  const int16_t *wx = (const int16_t *) (bx + 2u * rows);
  uint32_t xpair[WM_MAX_FEATURES / 2u + 1u];
  uint32_t q;

  (void) avx2;
  make_pairs (x, layer->n_inputs, xpair);
  for (q = 0; q < rows / GROUP; q++)
    {
      const int16_t *w = wx + q * npx * 2u * GROUP;
#ifdef WM_SIMD_SSE2
      __m128i ax[4];
      uint8_t v;

      if (hp % 8u == 0 && INPUT_GROUP_AVX2 (avx2, layer, bx, w, xpair, npx, q * GROUP, hp, px))
        continue;
      MADD_GROUP (avx2, w, xpair, npx, ax);
      for (v = 0; v < 4; v++)
        {
          uint32_t row = q * GROUP + 4u * v;
          uint8_t g = (uint8_t) (row / hp);
          __m128i sx = wm_v4_add_sat32 (_mm_loadu_si128 ((const __m128i *) (bx + row)), ax[v]);
          __m128i p = wm_v4_requantize (sx, layer->gx_mult[g], layer->gx_shift[g]);

          _mm_storel_epi64 ((__m128i *) (px + row), _mm_packs_epi32 (p, p));
        }
#else
      int32_t ax[GROUP] = { 0 };
      uint32_t i, p;

      for (p = 0; p < npx; p++, w += 2u * GROUP)
        for (i = 0; i < GROUP; i++)
          ax[i] += (int32_t) w[2u * i] * pair_lo (xpair[p]) + (int32_t) w[2u * i + 1u] * pair_hi (xpair[p]);
      for (i = 0; i < GROUP; i++)
        {
          uint32_t row = q * GROUP + i;
          uint8_t g = (uint8_t) (row / hp);

          px[row] = wm_sat16 (wm_requantize_inline (wm_add_sat32 (bx[row], ax[i]),
                                                    layer->gx_mult[g], layer->gx_shift[g]));
        }
#endif
    }
}

/* Gate pre-activations pre = sat16 (px + clamp (ph)) (Q3.12, row g·Hp + r) from the input
 * half px and the recurrent weights. */
BODY void
gates_int8_packed (const wm_layer_t *layer,
                   const void       *packed,
                   const int16_t    *px,
                   const int8_t     *h,
                   int16_t          *pre,
                   int               avx2)
{
  uint32_t hp = padded_hidden (layer);
  uint32_t rows = 4u * hp;
  uint32_t npx = pairs (layer->n_inputs), nph = pairs (layer->n_hidden);
  const int32_t *bh = (const int32_t *) packed + rows;
  const int16_t *wh = (const int16_t *) (bh + rows) + 2u * rows * npx;
  uint32_t hpair[WM_MAX_HIDDEN / 2u + 1u];
  uint32_t q;

  (void) avx2;
  make_pairs (h, layer->n_hidden, hpair);
  for (q = 0; q < rows / GROUP; q++)
    {
      const int16_t *u = wh + q * nph * 2u * GROUP;
#ifdef WM_SIMD_SSE2
      __m128i ah[4];
      uint8_t v;

      if (hp % 8u == 0 && GATE_GROUP_AVX2 (avx2, layer, bh, u, hpair, nph, q * GROUP, hp, px, pre))
        continue;
      MADD_GROUP (avx2, u, hpair, nph, ah);
      for (v = 0; v < 4; v++)
        {
          uint32_t row = q * GROUP + 4u * v;
          uint8_t g = (uint8_t) (row / hp);
          __m128i sh = wm_v4_add_sat32 (_mm_loadu_si128 ((const __m128i *) (bh + row)), ah[v]);
          __m128i ph = wm_v4_clamp (wm_v4_requantize (sh, layer->gh_mult[g], layer->gh_shift[g]),
                                    -GATE_CLAMP, GATE_CLAMP);
          __m128i p16 = _mm_loadl_epi64 ((const __m128i *) (px + row));
          __m128i sum = _mm_add_epi32 (_mm_srai_epi32 (_mm_unpacklo_epi16 (p16, p16), 16), ph);

          _mm_storel_epi64 ((__m128i *) (pre + row), _mm_packs_epi32 (sum, sum));
        }
#else
      int32_t ah[GROUP] = { 0 };
      uint32_t i, p;

      for (p = 0; p < nph; p++, u += 2u * GROUP)
        for (i = 0; i < GROUP; i++)
          ah[i] += (int32_t) u[2u * i] * pair_lo (hpair[p]) + (int32_t) u[2u * i + 1u] * pair_hi (hpair[p]);
      for (i = 0; i < GROUP; i++)
        {
          uint32_t row = q * GROUP + i;
          uint8_t g = (uint8_t) (row / hp);
          int32_t ph = wm_clamp32 (wm_requantize_inline (wm_add_sat32 (bh[row], ah[i]),
                                                         layer->gh_mult[g], layer->gh_shift[g]),
                                   -GATE_CLAMP, GATE_CLAMP);

          pre[row] = wm_sat16 (px[row] + ph);
        }
#endif
    }
}

void
wm_lstm_step_int8_packed (const wm_layer_t *layer,
                          const void       *packed,
                          const int8_t     *x,
                          int8_t           *h,
                          int16_t          *c)
{
  int16_t px[4u * WM_MAX_HIDDEN];

  wm_lstm_input_int8_packed (layer, packed, x, px);
  wm_lstm_step_int8_packed_px (layer, packed, px, h, c);
}

BODY void
step_int8_body (const wm_layer_t *layer,
                const void       *packed,
                const int16_t    *px,
                int8_t           *h,
                int16_t          *c,
                int               avx2)
{
  int16_t pre[4u * WM_MAX_HIDDEN];

  gates_int8_packed (layer, packed, px, h, pre, avx2);
#ifdef WM_SIMD_SSE2
  {
    uint32_t hp = padded_hidden (layer);
    int16_t cs[WM_MAX_HIDDEN];
    int8_t hs[WM_MAX_HIDDEN];
    int32_t cell_shift = layer->cell_shift;
    __m128i zp = _mm_set1_epi16 ((int16_t) layer->h_zp);
    uint32_t r;

    memcpy (cs, c, 2u * layer->n_hidden);
    r = 0;
    if (hp % 8u == 0 && UPDATE8_AVX2 (avx2, layer, pre, hp, cs, hs))
      r = hp;
    for (; r < hp; r += 4u)
      {
#define WM_LOAD4(p) _mm_srai_epi32 (_mm_unpacklo_epi16 (_mm_loadl_epi64 ((const __m128i *) (p)), \
                                                        _mm_loadl_epi64 ((const __m128i *) (p))), 16)
        __m128i ig = wm_v4_sigmoid16 (WM_LOAD4 (pre + r));
        __m128i fg = wm_v4_sigmoid16 (WM_LOAD4 (pre + hp + r));
        __m128i gg = wm_v4_tanh16 (WM_LOAD4 (pre + 2u * hp + r), 0);
        __m128i og = wm_v4_sigmoid16 (WM_LOAD4 (pre + 3u * hp + r));
        __m128i cv = WM_LOAD4 (cs + r);
#undef WM_LOAD4
        __m128i c1 = wm_v4_clamp (wm_v4_rdbpot (wm_v4_mul16 (fg, cv), 15), -32768, 32767);
        __m128i c2 = wm_v4_clamp (wm_v4_rdbpot (wm_v4_mul16 (ig, gg), 30 + cell_shift), -32768, 32767);
        __m128i cn = wm_v4_clamp (_mm_add_epi32 (c1, c2), -32768, 32767);
        __m128i tc = wm_v4_tanh16 (cn, cell_shift + 12);
        __m128i hv = wm_v4_requantize (wm_v4_mul16 (og, tc), layer->hidden_mult, layer->hidden_shift);
        __m128i h16 = _mm_adds_epi16 (_mm_packs_epi32 (hv, hv), zp);
        int32_t h4 = _mm_cvtsi128_si32 (_mm_packs_epi16 (h16, h16));

        _mm_storel_epi64 ((__m128i *) (cs + r), _mm_packs_epi32 (cn, cn));
        memcpy (hs + r, &h4, 4);
      }
    memcpy (c, cs, 2u * layer->n_hidden);
    memcpy (h, hs, layer->n_hidden);
  }
#else
  update_int8 (layer, pre, padded_hidden (layer), h, c);
#endif
}

#ifdef WM_SIMD_AVX2
WM_AVX2_FUNCTION static void
input_int8_avx2 (const wm_layer_t *layer,
                 const void       *packed,
                 const int8_t     *x,
                 int16_t          *px)
{
  input_int8_body (layer, packed, x, px, 1);
}

WM_AVX2_FUNCTION static void
step_int8_avx2 (const wm_layer_t *layer,
                const void       *packed,
                const int16_t    *px,
                int8_t           *h,
                int16_t          *c)
{
  step_int8_body (layer, packed, px, h, c, 1);
}
#endif

void
wm_lstm_input_int8_packed (const wm_layer_t *layer,
                           const void       *packed,
                           const int8_t     *x,
                           int16_t          *px)
{
#ifdef WM_SIMD_AVX2
  if (wm_have_avx2 ())
    {
      input_int8_avx2 (layer, packed, x, px);
      return;
    }
#endif
  input_int8_body (layer, packed, x, px, 0);
}

void
wm_lstm_step_int8_packed_px (const wm_layer_t *layer,
                             const void       *packed,
                             const int16_t    *px,
                             int8_t           *h,
                             int16_t          *c)
{
#ifdef WM_SIMD_AVX2
  if (wm_have_avx2 ())
    {
      step_int8_avx2 (layer, packed, px, h, c);
      return;
    }
#endif
  step_int8_body (layer, packed, px, h, c, 0);
}

#ifdef WM_SIMD_SSE2
/* The gate sums of n_groups (1 or 2) consecutive groups of 16 rows, each row's sum in
 * FORMAT.md's order: bias, then inputs, then hidden values, j ascending. */
static inline void
sum_groups_f32 (const float *w,
                uint32_t     cols,
                const float *x,
                uint16_t     n_in,
                const float *h,
                uint16_t     n_hidden,
                uint8_t      n_groups,
                float       *out)
{
  const float *u = w + cols * GROUP;
  __m128 a0 = _mm_loadu_ps (w), a1 = _mm_loadu_ps (w + 4), a2 = _mm_loadu_ps (w + 8);
  __m128 a3 = _mm_loadu_ps (w + 12), b0, b1, b2, b3;
  uint32_t j;

#define WM_MAC4(acc0, acc1, acc2, acc3, m, v)                                  \
  do {                                                                         \
    acc0 = _mm_add_ps (acc0, _mm_mul_ps (_mm_loadu_ps ((m)), (v)));            \
    acc1 = _mm_add_ps (acc1, _mm_mul_ps (_mm_loadu_ps ((m) + 4), (v)));        \
    acc2 = _mm_add_ps (acc2, _mm_mul_ps (_mm_loadu_ps ((m) + 8), (v)));        \
    acc3 = _mm_add_ps (acc3, _mm_mul_ps (_mm_loadu_ps ((m) + 12), (v)));       \
  } while (0)

  if (n_groups == 2)
    {
      b0 = _mm_loadu_ps (u);
      b1 = _mm_loadu_ps (u + 4);
      b2 = _mm_loadu_ps (u + 8);
      b3 = _mm_loadu_ps (u + 12);
      w += GROUP;
      u += GROUP;
      for (j = 0; j < n_in; j++, w += GROUP, u += GROUP)
        {
          __m128 v = _mm_set1_ps (x[j]);

          WM_MAC4 (a0, a1, a2, a3, w, v);
          WM_MAC4 (b0, b1, b2, b3, u, v);
        }
      for (j = 0; j < n_hidden; j++, w += GROUP, u += GROUP)
        {
          __m128 v = _mm_set1_ps (h[j]);

          WM_MAC4 (a0, a1, a2, a3, w, v);
          WM_MAC4 (b0, b1, b2, b3, u, v);
        }
      _mm_storeu_ps (out + 16, b0);
      _mm_storeu_ps (out + 20, b1);
      _mm_storeu_ps (out + 24, b2);
      _mm_storeu_ps (out + 28, b3);
    }
  else
    {
      w += GROUP;
      for (j = 0; j < n_in; j++, w += GROUP)
        {
          __m128 v = _mm_set1_ps (x[j]);

          WM_MAC4 (a0, a1, a2, a3, w, v);
        }
      for (j = 0; j < n_hidden; j++, w += GROUP)
        {
          __m128 v = _mm_set1_ps (h[j]);

          WM_MAC4 (a0, a1, a2, a3, w, v);
        }
    }
#undef WM_MAC4
  _mm_storeu_ps (out, a0);
  _mm_storeu_ps (out + 4, a1);
  _mm_storeu_ps (out + 8, a2);
  _mm_storeu_ps (out + 12, a3);
}
#endif

void
wm_lstm_step_f32_packed (const wm_layer_t *layer,
                         const float      *packed,
                         const float      *x,
                         float            *h,
                         float            *c)
{
  uint16_t n_in = layer->n_inputs;
  uint16_t n_hidden = layer->n_hidden;
  uint32_t hp = padded_hidden (layer);
  uint32_t rows = 4u * hp;
  uint32_t cols = 1u + n_in + n_hidden;
  float pre[4u * WM_MAX_HIDDEN];
  uint32_t q;

#ifdef WM_SIMD_SSE2
  /* Two groups at a time: eight independent sums hide the latency of the float adds. */
  for (q = 0; q + 2u <= rows / GROUP; q += 2u)
    sum_groups_f32 (packed + q * cols * GROUP, cols, x, n_in, h, n_hidden, 2, pre + q * GROUP);
  if (q < rows / GROUP)
    sum_groups_f32 (packed + q * cols * GROUP, cols, x, n_in, h, n_hidden, 1, pre + q * GROUP);
#else
  for (q = 0; q < rows / GROUP; q++)
    {
      const float *w = packed + q * cols * GROUP;
      float a[GROUP];
      uint32_t i, j;

      for (i = 0; i < GROUP; i++)
        a[i] = w[i];
      w += GROUP;
      for (j = 0; j < n_in; j++, w += GROUP)
        for (i = 0; i < GROUP; i++)
          a[i] += w[i] * x[j];
      for (j = 0; j < n_hidden; j++, w += GROUP)
        for (i = 0; i < GROUP; i++)
          a[i] += w[i] * h[j];
      for (i = 0; i < GROUP; i++)
        pre[q * GROUP + i] = a[i];
    }
#endif

#ifdef WM_SIMD_SSE2
  {
    float cs[WM_MAX_HIDDEN], hs[WM_MAX_HIDDEN];
    uint32_t r;

    memcpy (cs, c, 4u * n_hidden);
    for (r = 0; r < hp; r += 4u)
      {
        __m128 ig = wm_v4f_sigmoid (_mm_loadu_ps (pre + r));
        __m128 fg = wm_v4f_sigmoid (_mm_loadu_ps (pre + hp + r));
        __m128 gg = wm_v4f_tanh (_mm_loadu_ps (pre + 2u * hp + r));
        __m128 og = wm_v4f_sigmoid (_mm_loadu_ps (pre + 3u * hp + r));
        __m128 cn = _mm_add_ps (_mm_mul_ps (fg, _mm_loadu_ps (cs + r)), _mm_mul_ps (ig, gg));

        _mm_storeu_ps (cs + r, cn);
        _mm_storeu_ps (hs + r, _mm_mul_ps (og, wm_v4f_tanh (cn)));
      }
    memcpy (c, cs, 4u * n_hidden);
    memcpy (h, hs, 4u * n_hidden);
  }
#else
  update_f32 (layer, pre, hp, h, c);
#endif
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
