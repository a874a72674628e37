/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-simd.h: SSE2 forms of the exact arithmetic, four int32 (or float) lanes at a time, for
 * the desktop's packed kernels (not installed).
 *
 * Every function here returns, lane by lane, exactly what its scalar twin in wm-private.h or
 * wm-math.c returns (tests/inference/test-wm-simd.c checks them against each other over edge
 * grids and exhaustively).  SSE2 is part of x86-64, so no run-time check is needed; other
 * targets (i686 without -msse2, ARM, AVR) and builds with -DWM_NO_SIMD use the portable C. */
#ifndef WM_SIMD_H
#define WM_SIMD_H

#if defined(__SSE2__) && !defined(WM_NO_SIMD)
#define WM_SIMD_SSE2 1

#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#include "wm-math.h"
#include "wm-private.h"

typedef __m128i wm_v4i;
typedef __m128 wm_v4f;

/* mask ? a : b, mask lanes all-ones or all-zeros. */
static inline __m128i
wm_v4_select (__m128i mask,
              __m128i a,
              __m128i b)
{
  return _mm_or_si128 (_mm_and_si128 (mask, a), _mm_andnot_si128 (mask, b));
}

static inline __m128
wm_v4f_select (__m128 mask,
               __m128 a,
               __m128 b)
{
  return _mm_or_ps (_mm_and_ps (mask, a), _mm_andnot_ps (mask, b));
}

/* clamp (x, lo, hi) on signed lanes. */
static inline __m128i
wm_v4_clamp (__m128i x,
             int32_t lo,
             int32_t hi)
{
  __m128i vlo = _mm_set1_epi32 (lo), vhi = _mm_set1_epi32 (hi);

  x = wm_v4_select (_mm_cmplt_epi32 (x, vlo), vlo, x);
  return wm_v4_select (_mm_cmpgt_epi32 (x, vhi), vhi, x);
}

/* wm_add_sat32 lane by lane: the wrapped sum, unless both operands have the sign the sum
 * lacks, then the bound of a's sign. */
static inline __m128i
wm_v4_add_sat32 (__m128i a,
                 __m128i b)
{
  __m128i sum = _mm_add_epi32 (a, b);
  __m128i overflow = _mm_srai_epi32 (_mm_and_si128 (_mm_xor_si128 (a, sum),
                                                    _mm_xor_si128 (b, sum)), 31);
  __m128i bound = _mm_xor_si128 (_mm_srai_epi32 (a, 31), _mm_set1_epi32 (WM_I32_MAX));

  return wm_v4_select (overflow, bound, sum);
}

/* a · b for lanes holding int16 values (the product as int32). */
static inline __m128i
wm_v4_mul16 (__m128i a,
             __m128i b)
{
  return _mm_madd_epi16 (a, _mm_and_si128 (b, _mm_set1_epi32 (0xffff)));
}

/* Magnitude of the signed lanes (as unsigned; INT32_MIN gives 2^31) and their sign mask. */
static inline __m128i
wm_v4_abs (__m128i x,
           __m128i sign)
{
  return _mm_sub_epi32 (_mm_xor_si128 (x, sign), sign);
}

/* Rounding of an unsigned magnitude by 2^e, half up: ((q >> (e-1)) + 1) >> 1, e in 1…31. */
static inline __m128i
wm_v4_round_shift (__m128i q,
                   int32_t e)
{
  q = _mm_srl_epi32 (q, _mm_cvtsi32_si128 (e - 1));
  return _mm_srli_epi32 (_mm_add_epi32 (q, _mm_set1_epi32 (1)), 1);
}

/* wm_rdbpot_inline (x, exponent), exponent 0…31. */
static inline __m128i
wm_v4_rdbpot (__m128i x,
              int32_t exponent)
{
  __m128i sign;

  if (exponent <= 0)
    return x;
  sign = _mm_srai_epi32 (x, 31);
  return wm_v4_abs (wm_v4_round_shift (wm_v4_abs (x, sign), exponent), sign);
}

/* wm_requantize_inline (acc, multiplier, shift), FORMAT.md 3.1: the doubling high multiply
 * on magnitudes with pmuludq (two 32×32→64 products per instruction). */
static inline __m128i
wm_v4_requantize (__m128i acc,
                  int32_t multiplier,
                  int32_t shift)
{
  const __m128i low = _mm_set_epi32 (0, -1, 0, -1);
  __m128i m = _mm_set1_epi32 (multiplier);
  __m128i sign, magnitude, nudge, even, odd, q;

  if (shift > 0)
    {
      int32_t limit = WM_I32_MAX >> shift;
      __m128i above = _mm_cmpgt_epi32 (acc, _mm_set1_epi32 (limit));
      __m128i below = _mm_cmplt_epi32 (acc, _mm_set1_epi32 (-limit - 1));

      acc = _mm_sll_epi32 (acc, _mm_cvtsi32_si128 (shift));
      acc = wm_v4_select (above, _mm_set1_epi32 (WM_I32_MAX), acc);
      acc = wm_v4_select (below, _mm_set1_epi32 (WM_I32_MIN), acc);
    }
  sign = _mm_srai_epi32 (acc, 31);
  magnitude = wm_v4_abs (acc, sign);
  /* 2^30 for lanes >= 0, 2^30 - 1 for lanes < 0: positive, so zero-extends to 64 bits. */
  nudge = _mm_add_epi32 (_mm_set1_epi32 (INT32_C (0x40000000)), sign);
  even = _mm_add_epi64 (_mm_mul_epu32 (magnitude, m), _mm_and_si128 (nudge, low));
  odd = _mm_add_epi64 (_mm_mul_epu32 (_mm_srli_epi64 (magnitude, 32), m),
                       _mm_srli_epi64 (nudge, 32));
  q = _mm_or_si128 (_mm_and_si128 (_mm_srli_epi64 (even, 31), low),
                    _mm_slli_epi64 (_mm_srli_epi64 (odd, 31), 32));
  if (shift < 0)
    q = wm_v4_round_shift (q, -shift);
  return wm_v4_abs (q, sign);
}

/* Four (T[i], T[i+1]) pairs of the sigmoid table, T[i] in the low half; i in 0…254. */
static inline void
wm_v4_table_pairs (__m128i  index,
                   __m128i *base,
                   __m128i *step)
{
  uint32_t at[4], pair[4];
  uint8_t k;
  __m128i v;

  _mm_storeu_si128 ((__m128i *) at, index);
  for (k = 0; k < 4; k++)
    memcpy (&pair[k], &wm_sigmoid_table[at[k]], 4);
  v = _mm_loadu_si128 ((const __m128i *) pair);
  *base = _mm_and_si128 (v, _mm_set1_epi32 (0xffff));
  *step = _mm_sub_epi32 (_mm_srli_epi32 (v, 16), *base);
}

/* wm_sigmoid16_inline on lanes holding int16 values; |3x| < 2^17, so the index stays below
 * 192 and the table's end is never reached. */
static inline __m128i
wm_v4_sigmoid16 (__m128i x)
{
  __m128i v = _mm_add_epi32 (_mm_add_epi32 (x, x), x);
  __m128i sign = _mm_srai_epi32 (v, 31);
  __m128i a = wm_v4_abs (v, sign);
  __m128i base, step, r, pos, neg;

  wm_v4_table_pairs (_mm_srli_epi32 (a, 9), &base, &step);
  r = _mm_add_epi32 (_mm_slli_epi32 (base, 9),
                     _mm_madd_epi16 (_mm_and_si128 (a, _mm_set1_epi32 (511)), step));
  pos = _mm_srli_epi32 (_mm_add_epi32 (r, _mm_set1_epi32 (512)), 10);
  neg = _mm_srli_epi32 (_mm_sub_epi32 (_mm_set1_epi32 ((INT32_C (1) << 25) + 511), r), 10);
  return wm_v4_select (sign, neg, pos);
}

/* wm_tanh16_inline on lanes holding int16 values, left_shift in -3…3. */
static inline __m128i
wm_v4_tanh16 (__m128i x,
              int32_t left_shift)
{
  __m128i v, sign, a, i, top, base, step, r, pos, neg;

  if (left_shift >= 0)
    {
      __m128i s = _mm_sll_epi32 (x, _mm_cvtsi32_si128 (left_shift));

      v = _mm_add_epi32 (_mm_add_epi32 (s, s), s);
    }
  else
    v = _mm_sra_epi32 (_mm_add_epi32 (_mm_add_epi32 (_mm_add_epi32 (x, x), x),
                                      _mm_set1_epi32 (INT32_C (1) << (-left_shift - 1))),
                       _mm_cvtsi32_si128 (-left_shift));
  sign = _mm_srai_epi32 (v, 31);
  a = wm_v4_abs (v, sign);
  i = _mm_srli_epi32 (a, 8);
  top = _mm_cmpgt_epi32 (i, _mm_set1_epi32 (254));
  wm_v4_table_pairs (wm_v4_select (top, _mm_set1_epi32 (254), i), &base, &step);
  r = _mm_add_epi32 (_mm_slli_epi32 (base, 8),
                     _mm_madd_epi16 (_mm_and_si128 (a, _mm_set1_epi32 (255)), step));
  r = wm_v4_select (top, _mm_set1_epi32 (INT32_C (65535) << 8), r);
  pos = _mm_srli_epi32 (_mm_add_epi32 (r, _mm_set1_epi32 (128 - (INT32_C (1) << 23))), 8);
  neg = _mm_srai_epi32 (_mm_sub_epi32 (_mm_set1_epi32 ((INT32_C (1) << 23) + 127), r), 8);
  return wm_v4_select (sign, neg, pos);
}

/* wm_expf lane by lane for x in [-87, 88] (n in -126…127, no NaN): the caller checks the
 * range (wm_v4f_exp_ok) and uses the scalar function otherwise. */
static inline int
wm_v4f_exp_ok (__m128 x)
{
  __m128 ok = _mm_and_ps (_mm_cmpge_ps (x, _mm_set1_ps (-87.0f)),
                          _mm_cmple_ps (x, _mm_set1_ps (88.0f)));

  return _mm_movemask_ps (ok) == 15;
}

static inline __m128
wm_v4f_exp (__m128 x)
{
  const __m128 zero = _mm_setzero_ps ();
  __m128 half = wm_v4f_select (_mm_cmpge_ps (x, zero), _mm_set1_ps (0.5f), _mm_set1_ps (-0.5f));
  __m128i n = _mm_cvttps_epi32 (_mm_add_ps (_mm_mul_ps (x, _mm_set1_ps (1.44269504088896341f)), half));
  __m128 nf = _mm_cvtepi32_ps (n);
  __m128 r = _mm_sub_ps (_mm_sub_ps (x, _mm_mul_ps (nf, _mm_set1_ps (0.693145751953125f))),
                         _mm_mul_ps (nf, _mm_set1_ps (1.42860682030941723212e-6f)));
  __m128 p = _mm_set1_ps (1.0f / 5040.0f);

  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f / 720.0f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f / 120.0f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f / 24.0f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f / 6.0f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (0.5f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f));
  p = _mm_add_ps (_mm_mul_ps (p, r), _mm_set1_ps (1.0f));
  return _mm_mul_ps (p, _mm_castsi128_ps (_mm_slli_epi32 (_mm_add_epi32 (n, _mm_set1_epi32 (127)), 23)));
}

/* wm_sigmoidf and wm_tanhf lane by lane, exactly; lanes the vector exp cannot take go
 * through the scalar functions. */
/* -x exactly (the sign bit flipped, as C's unary minus). */
static inline __m128
wm_v4f_neg (__m128 x)
{
  return _mm_xor_ps (x, _mm_set1_ps (-0.0f));
}

static inline __m128
wm_v4f_sigmoid (__m128 x)
{
  __m128 minus = wm_v4f_neg (x);

  if (!wm_v4f_exp_ok (minus))
    {
      float v[4];
      uint8_t k;

      _mm_storeu_ps (v, x);
      for (k = 0; k < 4; k++)
        v[k] = wm_sigmoidf (v[k]);
      return _mm_loadu_ps (v);
    }
  return _mm_div_ps (_mm_set1_ps (1.0f), _mm_add_ps (_mm_set1_ps (1.0f), wm_v4f_exp (minus)));
}

static inline __m128
wm_v4f_tanh (__m128 x)
{
  const __m128 zero = _mm_setzero_ps ();
  __m128 negative = _mm_cmplt_ps (x, zero);
  __m128 ax = wm_v4f_select (negative, wm_v4f_neg (x), x);
  __m128 big = _mm_cmpgt_ps (ax, _mm_set1_ps (9.0f));
  __m128 tiny = _mm_cmplt_ps (ax, _mm_set1_ps (1e-4f));
  __m128 t;

  if (_mm_movemask_ps (_mm_cmpunord_ps (x, x)) != 0)
    {
      float v[4];
      uint8_t k;

      _mm_storeu_ps (v, x);
      for (k = 0; k < 4; k++)
        v[k] = wm_tanhf (v[k]);
      return _mm_loadu_ps (v);
    }
  /* Lanes outside [1e-4, 9] take another branch: give exp a harmless argument there. */
  t = wm_v4f_exp (_mm_mul_ps (_mm_set1_ps (2.0f), wm_v4f_select (_mm_or_ps (big, tiny), zero, ax)));
  t = _mm_sub_ps (_mm_set1_ps (1.0f), _mm_div_ps (_mm_set1_ps (2.0f), _mm_add_ps (t, _mm_set1_ps (1.0f))));
  t = wm_v4f_select (big, _mm_set1_ps (1.0f), wm_v4f_select (tiny, ax, t));
  return wm_v4f_select (negative, wm_v4f_neg (t), t);
}

/* AVX2 (256-bit) forms of the hottest integer loops, chosen at run time on x86-64 CPUs that
 * have it (the library itself is built for baseline x86-64).  Exact integer sums, so any
 * vector width gives the same results; -DWM_NO_AVX2 keeps to SSE2 (the tests build both). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(WM_NO_AVX2)
#define WM_SIMD_AVX2 1
#include <immintrin.h>

#define WM_AVX2_FUNCTION __attribute__ ((target ("avx2")))

static inline int
wm_have_avx2 (void)
{
  return __builtin_cpu_supports ("avx2");
}

/* Eight-lane forms of wm_v4_add_sat32, wm_v4_clamp and wm_v4_requantize (AVX2 callers only). */
WM_AVX2_FUNCTION static inline __m256i
wm_v8_add_sat32 (__m256i a,
                 __m256i b)
{
  __m256i sum = _mm256_add_epi32 (a, b);
  __m256i overflow = _mm256_srai_epi32 (_mm256_and_si256 (_mm256_xor_si256 (a, sum),
                                                          _mm256_xor_si256 (b, sum)), 31);
  __m256i bound = _mm256_xor_si256 (_mm256_srai_epi32 (a, 31), _mm256_set1_epi32 (WM_I32_MAX));

  return _mm256_blendv_epi8 (sum, bound, overflow);
}

WM_AVX2_FUNCTION static inline __m256i
wm_v8_clamp (__m256i x,
             int32_t lo,
             int32_t hi)
{
  return _mm256_min_epi32 (_mm256_max_epi32 (x, _mm256_set1_epi32 (lo)), _mm256_set1_epi32 (hi));
}

WM_AVX2_FUNCTION static inline __m256i
wm_v8_requantize (__m256i acc,
                  int32_t multiplier,
                  int32_t shift)
{
  const __m256i low = _mm256_set1_epi64x (INT64_C (0xffffffff));
  __m256i m = _mm256_set1_epi32 (multiplier);
  __m256i sign, magnitude, nudge, even, odd, q;

  if (shift > 0)
    {
      int32_t limit = WM_I32_MAX >> shift;
      __m256i above = _mm256_cmpgt_epi32 (acc, _mm256_set1_epi32 (limit));
      __m256i below = _mm256_cmpgt_epi32 (_mm256_set1_epi32 (-limit - 1), acc);

      acc = _mm256_sll_epi32 (acc, _mm_cvtsi32_si128 (shift));
      acc = _mm256_blendv_epi8 (acc, _mm256_set1_epi32 (WM_I32_MAX), above);
      acc = _mm256_blendv_epi8 (acc, _mm256_set1_epi32 (WM_I32_MIN), below);
    }
  sign = _mm256_srai_epi32 (acc, 31);
  magnitude = _mm256_sub_epi32 (_mm256_xor_si256 (acc, sign), sign);
  nudge = _mm256_add_epi32 (_mm256_set1_epi32 (INT32_C (0x40000000)), sign);
  even = _mm256_add_epi64 (_mm256_mul_epu32 (magnitude, m), _mm256_and_si256 (nudge, low));
  odd = _mm256_add_epi64 (_mm256_mul_epu32 (_mm256_srli_epi64 (magnitude, 32), m),
                          _mm256_srli_epi64 (nudge, 32));
  q = _mm256_or_si256 (_mm256_and_si256 (_mm256_srli_epi64 (even, 31), low),
                       _mm256_slli_epi64 (_mm256_srli_epi64 (odd, 31), 32));
  if (shift < 0)
    {
      q = _mm256_srl_epi32 (q, _mm_cvtsi32_si128 (-shift - 1));
      q = _mm256_srli_epi32 (_mm256_add_epi32 (q, _mm256_set1_epi32 (1)), 1);
    }
  return _mm256_sub_epi32 (_mm256_xor_si256 (q, sign), sign);
}

WM_AVX2_FUNCTION static inline __m256i
wm_v8_mul16 (__m256i a,
             __m256i b)
{
  return _mm256_madd_epi16 (a, _mm256_and_si256 (b, _mm256_set1_epi32 (0xffff)));
}

/* wm_rdbpot_inline, exponent 1…31 (x never INT32_MIN). */
WM_AVX2_FUNCTION static inline __m256i
wm_v8_rdbpot (__m256i x,
              int32_t exponent)
{
  __m256i sign = _mm256_srai_epi32 (x, 31);
  __m256i q = _mm256_sub_epi32 (_mm256_xor_si256 (x, sign), sign);

  q = _mm256_srl_epi32 (q, _mm_cvtsi32_si128 (exponent - 1));
  q = _mm256_srli_epi32 (_mm256_add_epi32 (q, _mm256_set1_epi32 (1)), 1);
  return _mm256_sub_epi32 (_mm256_xor_si256 (q, sign), sign);
}

/* (T[i], T[i+1]) for eight indices 0…254 with one gather of 32-bit words at 2-byte steps. */
WM_AVX2_FUNCTION static inline void
wm_v8_table_pairs (__m256i  index,
                   __m256i *base,
                   __m256i *step)
{
  __m256i v = _mm256_i32gather_epi32 ((const int *) (const void *) wm_sigmoid_table, index, 2);

  *base = _mm256_and_si256 (v, _mm256_set1_epi32 (0xffff));
  *step = _mm256_sub_epi32 (_mm256_srli_epi32 (v, 16), *base);
}

WM_AVX2_FUNCTION static inline __m256i
wm_v8_sigmoid16 (__m256i x)
{
  __m256i v = _mm256_add_epi32 (_mm256_add_epi32 (x, x), x);
  __m256i sign = _mm256_srai_epi32 (v, 31);
  __m256i a = _mm256_abs_epi32 (v);
  __m256i base, step, r, pos, neg;

  wm_v8_table_pairs (_mm256_srli_epi32 (a, 9), &base, &step);
  r = _mm256_add_epi32 (_mm256_slli_epi32 (base, 9),
                        _mm256_madd_epi16 (_mm256_and_si256 (a, _mm256_set1_epi32 (511)), step));
  pos = _mm256_srli_epi32 (_mm256_add_epi32 (r, _mm256_set1_epi32 (512)), 10);
  neg = _mm256_srli_epi32 (_mm256_sub_epi32 (_mm256_set1_epi32 ((INT32_C (1) << 25) + 511), r), 10);
  return _mm256_blendv_epi8 (pos, neg, sign);
}

WM_AVX2_FUNCTION static inline __m256i
wm_v8_tanh16 (__m256i x,
              int32_t left_shift)
{
  __m256i v, sign, a, i, top, base, step, r, pos, neg;

  if (left_shift >= 0)
    {
      __m256i s = _mm256_sll_epi32 (x, _mm_cvtsi32_si128 (left_shift));

      v = _mm256_add_epi32 (_mm256_add_epi32 (s, s), s);
    }
  else
    v = _mm256_sra_epi32 (_mm256_add_epi32 (_mm256_add_epi32 (_mm256_add_epi32 (x, x), x),
                                            _mm256_set1_epi32 (INT32_C (1) << (-left_shift - 1))),
                          _mm_cvtsi32_si128 (-left_shift));
  sign = _mm256_srai_epi32 (v, 31);
  a = _mm256_abs_epi32 (v);
  i = _mm256_srli_epi32 (a, 8);
  top = _mm256_cmpgt_epi32 (i, _mm256_set1_epi32 (254));
  wm_v8_table_pairs (_mm256_min_epi32 (i, _mm256_set1_epi32 (254)), &base, &step);
  r = _mm256_add_epi32 (_mm256_slli_epi32 (base, 8),
                        _mm256_madd_epi16 (_mm256_and_si256 (a, _mm256_set1_epi32 (255)), step));
  r = _mm256_blendv_epi8 (r, _mm256_set1_epi32 (INT32_C (65535) << 8), top);
  pos = _mm256_srli_epi32 (_mm256_add_epi32 (r, _mm256_set1_epi32 (128 - (INT32_C (1) << 23))), 8);
  neg = _mm256_srai_epi32 (_mm256_sub_epi32 (_mm256_set1_epi32 ((INT32_C (1) << 23) + 127), r), 8);
  return _mm256_blendv_epi8 (pos, neg, sign);
}
#endif

#endif /* __SSE2__ && !WM_NO_SIMD */

#endif /* WM_SIMD_H */
