/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-math.h: the arithmetic the kernels are made of (FORMAT.md section 3 and 4).
 *
 * Integer functions are exact and identical on every target.  The float functions are the
 * runtime's own (no libm), accurate to a few ulp over the ranges the LSTM uses. */
#ifndef WM_MATH_H
#define WM_MATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* acc · multiplier · 2^shift / 2^31 with gemmlowp double rounding: saturating left shift,
 * SaturatingRoundingDoublingHighMul, RoundingDivideByPOT (half away from zero).
 * multiplier in [0, 2^31-1], shift in [-31, 30]. */
int32_t  wm_requantize     (int32_t         acc,
                            int32_t         multiplier,
                            int32_t         shift);

/* x / 2^exponent rounded half away from zero, exponent in [0, 31]. */
int32_t  wm_rdbpot         (int32_t         x,
                            int32_t         exponent);

/* The same on 64 bits, exponent in [0, 63]. */
int64_t  wm_rdbpot64       (int64_t         x,
                            int32_t         exponent);

/* σ(x) for x in Q3.12; result in Q0.15 (1 … 32767). */
int16_t  wm_sigmoid16      (int16_t         x);

/* tanh(x · 2^(left_shift-12)), left_shift in [-3, 3]; result in Q0.15 (-32767 … 32767). */
int16_t  wm_tanh16         (int16_t         x,
                            int32_t         left_shift);

/* log2(v) in Q.10 for v >= 1 (FORMAT.md 3.7, 8 mantissa bits, truncating). */
int32_t  wm_log2q10        (uint64_t        v);

/* Probabilities in u16 Q0.16 from n Q.12 logits, FORMAT.md 3.6. */
void     wm_softmax_q16    (const int32_t  *logits,
                            uint16_t        n,
                            uint16_t       *probs);
void     wm_sigmoid_q16    (const int32_t  *logits,
                            uint16_t        n,
                            uint16_t       *probs);

/* Float path. */
float    wm_expf           (float           x);
float    wm_tanhf          (float           x);
float    wm_sigmoidf       (float           x);
float    wm_log2f          (float           x);
void     wm_softmax_f32    (const float    *logits,
                            uint16_t        n,
                            float          *probs);

#ifdef __cplusplus
}
#endif

#endif /* WM_MATH_H */
