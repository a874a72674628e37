/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-private.h: small exact helpers shared by the runtime's .c files (not installed). */
#ifndef WM_PRIVATE_H
#define WM_PRIVATE_H

#include <stdint.h>

#include "wm-port.h"

#define WM_I32_MIN (-INT32_C (0x7fffffff) - 1)
#define WM_I32_MAX INT32_C (0x7fffffff)

/* floor (x / 2^n) without shifting a negative value: for x < 0, ~x = -x-1 >= 0. */
static inline int32_t
wm_floor_shr32 (int32_t x,
                uint8_t n)
{
  if (x >= 0)
    return x >> n;
  return ~((~x) >> n);
}

static inline int64_t
wm_floor_shr64 (int64_t x,
                uint8_t n)
{
  if (x >= 0)
    return x >> n;
  return ~((~x) >> n);
}

/* RoundingDivideByPOT on 64 bits (FORMAT.md 3.1), exponent 0…63; wm_rdbpot64() is the
 * public entry. */
static inline int64_t
wm_rdbpot64_inline (int64_t x,
                    int32_t exponent)
{
  uint64_t mask, remainder, threshold;

  if (exponent <= 0)
    return x;
  mask = (UINT64_C (1) << exponent) - 1u;
  remainder = (uint64_t) x & mask;
  threshold = (mask >> 1) + (x < 0 ? 1u : 0u);
  return wm_floor_shr64 (x, (uint8_t) exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t
wm_clamp32 (int32_t x,
            int32_t lo,
            int32_t hi)
{
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline int16_t
wm_sat16 (int32_t x)
{
  return (int16_t) wm_clamp32 (x, -INT32_C (32768), INT32_C (32767));
}

static inline int8_t
wm_sat8 (int32_t x)
{
  return (int8_t) wm_clamp32 (x, -INT32_C (128), INT32_C (127));
}

/* sat32 (a + b), evaluated exactly. */
static inline int32_t
wm_add_sat32 (int32_t a,
              int32_t b)
{
  if (b > 0 && a > WM_I32_MAX - b)
    return WM_I32_MAX;
  if (b < 0 && a < WM_I32_MIN - b)
    return WM_I32_MIN;
  return a + b;
}

/* sat32 (a - b), evaluated exactly. */
static inline int32_t
wm_sub_sat32 (int32_t a,
              int32_t b)
{
  if (b < 0 && a > WM_I32_MAX + b)
    return WM_I32_MAX;
  if (b > 0 && a < WM_I32_MIN + b)
    return WM_I32_MIN;
  return a - b;
}

/* 8-bit MCUs have slow 64-bit arithmetic (libgcc calls) and shift by a variable count one
 * bit at a time; there the helpers below keep to 32-bit words and byte-sized shift steps.
 * Results are the same either way. */
#if defined(__AVR__) && !defined(WM_NARROW_ARITH)
#define WM_NARROW_ARITH 1
#endif

/* v >> n for n in 0…31. */
static inline uint32_t
wm_shr_u32 (uint32_t v,
            uint8_t  n)
{
#ifdef WM_NARROW_ARITH
  if (n & 16u)
    v >>= 16;
  if (n & 8u)
    v >>= 8;
  if (n & 4u)
    v >>= 4;
  if (n & 2u)
    v >>= 2;
  if (n & 1u)
    v >>= 1;
  return v;
#else
  return v >> n;
#endif
}

/* RoundingDivideByPOT (FORMAT.md 3.1): x / 2^exponent rounded half away from zero, exponent
 * 0…31, computed on the magnitude as floor ((|x| / 2^(e-1) + 1) / 2). */
static inline int32_t
wm_rdbpot_inline (int32_t x,
                  int32_t exponent)
{
  uint32_t magnitude, r;

  if (exponent <= 0)
    return x;
  magnitude = x < 0 ? 0u - (uint32_t) x : (uint32_t) x;
  r = (wm_shr_u32 (magnitude, (uint8_t) (exponent - 1)) + 1u) >> 1;
  return x < 0 ? -(int32_t) r : (int32_t) r;
}

/* floor ((a · b + nudge) / 2^31) for a <= 2^31, b < 2^31, nudge < 2^31. */
static inline uint32_t
wm_mul_high31 (uint32_t a,
               uint32_t b,
               uint32_t nudge)
{
  uint64_t p = (uint64_t) a * b;
#ifdef WM_NARROW_ARITH
  /* A widening 32×32 multiply (libgcc __umulsidi3 on AVR), then 32-bit words only; the top
   * bit is tested rather than shifted down 31 places. */
  uint32_t low = (uint32_t) p, high = (uint32_t) (p >> 32);
  uint32_t lo = low + nudge;

  if (lo < low)
    high++;
  return (high << 1) | ((lo & UINT32_C (0x80000000)) != 0 ? 1u : 0u);
#else
  return (uint32_t) ((p + nudge) >> 31);
#endif
}

/* FORMAT.md 3.1; the kernels inline it, wm_requantize() is the public entry.  multiplier
 * must be in [0, 2^31-1] (the parser guarantees it), shift in [-31, 30]. */
static inline int32_t
wm_requantize_inline (int32_t acc,
                      int32_t multiplier,
                      int32_t shift)
{
  uint32_t magnitude, q;
  int32_t high;

  if (shift > 0)
    {
      int32_t limit = WM_I32_MAX >> shift;

      if (acc > limit)
        acc = WM_I32_MAX;
      else if (acc < -limit - 1)
        acc = WM_I32_MIN;
      else
        acc = acc * (INT32_C (1) << shift);
    }

  /* SaturatingRoundingDoublingHighMul on magnitudes: for p = acc·m >= 0 the result is
   * floor ((p + 2^30) / 2^31); for p < 0 it is -floor ((|p| + 2^30 - 1) / 2^31).  Its
   * overflow case (both INT32_MIN) cannot occur with m >= 0. */
  magnitude = acc < 0 ? 0u - (uint32_t) acc : (uint32_t) acc;
  q = wm_mul_high31 (magnitude, (uint32_t) multiplier,
                     acc < 0 ? UINT32_C (0x3fffffff) : UINT32_C (0x40000000));
  /* q <= 2^31, reached only for acc = INT32_MIN. */
  if (acc < 0)
    high = q == UINT32_C (0x80000000) ? WM_I32_MIN : -(int32_t) q;
  else
    high = (int32_t) q;

  if (shift < 0)
    return wm_rdbpot_inline (high, -shift);
  return high;
}

/* Σ_j w[j] · x[j] of one int8 row (w in model memory); exact in i32 (|Σ| < 256 · 2^14),
 * so any order gives the same sum.  Desktop: sixteen lanes for the vectoriser.  Narrow
 * (AVR): two 8×8 products summed in 16-bit unsigned arithmetic (one `muls` each instead
 * of a widening library call); the true pair sum lies in [-32512, 32768], a range shorter
 * than 2^16, so its value is recovered exactly from the wrapped one. */
static inline int32_t
wm_dot_int8 (const uint8_t *w,
             const int8_t  *x,
             uint16_t       n)
{
  int32_t acc = 0;
  uint16_t j = 0;
#ifdef WM_NARROW_ARITH
  for (; j + 2u <= n; j = (uint16_t) (j + 2u))
    {
      uint16_t pair = (uint16_t) ((uint16_t) (wm_rd_i8 (w + j) * x[j])
                                  + (uint16_t) (wm_rd_i8 (w + j + 1) * x[j + 1]));

      acc += pair <= 32768u ? (int32_t) pair : (int32_t) pair - INT32_C (65536);
    }
#else
  int32_t lane[16] = { 0 };
  uint8_t k;

  for (; j + 16u <= n; j = (uint16_t) (j + 16u))
    for (k = 0; k < 16; k++)
      lane[k] += (int16_t) wm_rd_i8 (w + j + k) * (int16_t) x[j + k];
  for (k = 0; k < 16; k++)
    acc += lane[k];
#endif
  for (; j < n; j++)
    acc += (int16_t) wm_rd_i8 (w + j) * (int16_t) x[j];
  return acc;
}

/* T[i] of FORMAT.md 3.3 (in flash on AVR). */
extern const uint16_t wm_sigmoid_table[256];

/* FORMAT.md 3.3; wm_sigmoid16() and wm_tanh16() are the public entries. */
static inline int16_t
wm_sigmoid16_inline (int16_t x)
{
  int32_t v = (int32_t) x * 3;
  uint32_t a = (uint32_t) (v < 0 ? -v : v);
  uint32_t i = a >> 9;
  uint32_t r;

  if (i >= 255u)
    r = UINT32_C (32767) << 10;
  else
    {
      uint32_t ua = WM_TABLE_U16 (wm_sigmoid_table, i);
      uint32_t ub = WM_TABLE_U16 (wm_sigmoid_table, i + 1u);

      r = (ua << 9) + (uint32_t) (uint16_t) (a & 511u) * (uint16_t) (ub - ua);
    }

  if (v >= 0)
    return (int16_t) ((r + 512u) >> 10);
  return (int16_t) (((UINT32_C (1) << 25) - r + 511u) >> 10);
}

static inline int16_t
wm_tanh16_inline (int16_t x,
                  int32_t left_shift)
{
  int32_t v;
  uint32_t a, i, r;

  if (left_shift >= 0)
    v = (int32_t) x * (INT32_C (3) << left_shift);
  else
    v = wm_floor_shr32 ((int32_t) x * 3 + (INT32_C (1) << (-left_shift - 1)), (uint8_t) -left_shift);

  a = (uint32_t) (v < 0 ? -v : v);
  i = a >> 8;
  if (i >= 255u)
    r = UINT32_C (65535) << 8;
  else
    {
      uint32_t ua = WM_TABLE_U16 (wm_sigmoid_table, i);
      uint32_t ub = WM_TABLE_U16 (wm_sigmoid_table, i + 1u);

      r = (ua << 8) + (uint32_t) (uint16_t) (a & 255u) * (uint16_t) (ub - ua);
    }

  if (v >= 0)
    return (int16_t) ((r - (UINT32_C (1) << 23) + 128u) >> 8);
  return (int16_t) wm_floor_shr32 ((INT32_C (1) << 23) + 127 - (int32_t) r, 8);
}

#endif /* WM_PRIVATE_H */
