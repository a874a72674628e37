/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-lstm.h: one time step of one LSTM layer, and the dense head (FORMAT.md 3.5, 3.6, 4).
 *
 * Kernels never allocate: the caller passes the state and a scratch of 4·n_hidden gates. */
#ifndef WM_LSTM_H
#define WM_LSTM_H

#include <stdint.h>

#include "wm-model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* h (int8, n_hidden), c (int16, n_hidden) are updated in place from x (int8, n_inputs). */
void  wm_lstm_step_int8     (const wm_layer_t  *layer,
                             const int8_t      *x,
                             int8_t            *h,
                             int16_t           *c,
                             int16_t           *gates);

/* Sets h to h_zp and c to 0: the state every window starts from. */
void  wm_lstm_reset_int8    (const wm_layer_t  *layer,
                             int8_t            *h,
                             int16_t           *c);

void  wm_lstm_step_f32      (const wm_layer_t  *layer,
                             const float       *x,
                             float             *h,
                             float             *c,
                             float             *gates);

/* Packed weights (desktop speed-up, identical results): a copy of one layer's gate weights
 * and biases laid out for SIMD (wm-lstm.c describes it) in caller memory of
 * wm_lstm_packed_size() bytes, 4-byte aligned.  The packed steps keep their scratch on the
 * stack (under 8 KiB): they are meant for desktops, not for the device. */
uint32_t  wm_lstm_packed_size       (const wm_layer_t  *layer,
                                     wm_variant_t       variant);

void  wm_lstm_pack              (const wm_layer_t  *layer,
                                 wm_variant_t       variant,
                                 void              *packed);

void  wm_lstm_step_int8_packed  (const wm_layer_t  *layer,
                                 const void        *packed,
                                 const int8_t      *x,
                                 int8_t            *h,
                                 int16_t           *c);

/* The packed int8 step in two halves: px (wm_lstm_packed_input_size() bytes, int16 per
 * padded gate row) depends on x only, so a caller that sees the same x in several windows
 * computes it once; the step then needs only the recurrent half. */
uint32_t  wm_lstm_packed_input_size  (const wm_layer_t  *layer);

void  wm_lstm_input_int8_packed (const wm_layer_t  *layer,
                                 const void        *packed,
                                 const int8_t      *x,
                                 int16_t           *px);

void  wm_lstm_step_int8_packed_px (const wm_layer_t *layer,
                                   const void       *packed,
                                   const int16_t    *px,
                                   int8_t           *h,
                                   int16_t          *c);

void  wm_lstm_step_f32_packed   (const wm_layer_t  *layer,
                                 const float       *packed,
                                 const float       *x,
                                 float             *h,
                                 float             *c);

/* Q.12 logits (n_classes) from the last layer's hidden state. */
void  wm_head_int8          (const wm_model_t  *model,
                             const int8_t      *h,
                             int32_t           *logits);

void  wm_head_f32           (const wm_model_t  *model,
                             const float       *h,
                             float             *logits);

/* Probabilities from logits with the model's output activation. */
void  wm_output_int8        (const wm_model_t  *model,
                             const int32_t     *logits,
                             uint16_t          *probs_q16);

void  wm_output_f32         (const wm_model_t  *model,
                             const float       *logits,
                             float             *probs);

#ifdef __cplusplus
}
#endif

#endif /* WM_LSTM_H */
