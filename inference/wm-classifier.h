/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-classifier.h: streaming window classification with caller-owned memory.
 *
 *   uint32_t size = wm_classifier_buffer_size (&model);   (or _packed_buffer_size)
 *   (allocate size bytes aligned like uint64_t: malloc, or a uint64_t array)
 *   wm_classifier_init (&cls, &model, buffer, size, on_window, user_data);
 *   wm_classifier_push_i16 (&cls, frames, n_frames);   (any chunking; on_window per window)
 *
 * Frames are channel-interleaved.  The int8 variant takes int16 device samples, the f32
 * variant physical values (int16 sample × in_scale).  Window w covers input frames
 * [w·hop_frames, w·hop_frames + window_frames) (wm_model_window_frames/hop_frames). */
#ifndef WM_CLASSIFIER_H
#define WM_CLASSIFIER_H

#include <stdint.h>

#include "wm-model.h"
#include "wm-status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  uint32_t index;             /* window number w, from 0 after init/reset */
  uint32_t start_frame;       /* w · hop_frames, modulo 2^32 */
  uint16_t n_classes;
  const uint16_t *probs_q16;  /* int8 variant: u16 Q0.16, else NULL */
  const float *probs;         /* f32 variant, else NULL */
} wm_window_t;

typedef void (*wm_window_func_t) (void              *user_data,
                                  const wm_window_t *window);

/* Fields are private. */
typedef struct
{
  const wm_model_t *model;
  wm_window_func_t func;
  void *user_data;
  void *features;       /* ring of W feature frames */
  void *samples;        /* logmel: ring of L samples */
  void *fe_scratch;
  void *h[WM_MAX_LAYERS];
  void *c[WM_MAX_LAYERS];
  void *gates;
  void *logits;
  void *probs;
  void *packed[WM_MAX_LAYERS];  /* column-major weights, or NULL */
  void *dft_rows;       /* int8 logmel DFT rows (packed mode), or NULL */
  void *px_ring;        /* int8 packed mode: layer 0's input half of each feature frame in
                           the ring (computed once per frame, not once per window), or NULL */
  uint32_t n_windows;   /* windows emitted since init/reset */
  uint16_t sample_pos;  /* next write position in the sample ring */
  uint16_t feature_pos; /* next write position in the feature ring */
  uint16_t until_frame; /* samples until the next feature frame */
  uint16_t until_window;/* feature frames until the next window */
} wm_classifier_t;

/* The smallest buffer wm_classifier_init() accepts. */
uint32_t     wm_classifier_buffer_size    (const wm_model_t  *model);

/* A larger buffer with which init also keeps a SIMD-friendly copy of the LSTM weights (and,
 * for int8 log-mel, the DFT rows; wm-lstm.c and wm-frontend.c describe the layouts): several
 * times faster on desktop CPUs, bit-identical results.  The packed kernels use up to about
 * 8 KiB of stack.  Devices use the smaller size and read the weights from the model in
 * place; on AVR this returns the smaller size. */
uint32_t     wm_classifier_packed_buffer_size (const wm_model_t *model);

wm_status_t  wm_classifier_init           (wm_classifier_t   *cls,
                                           const wm_model_t  *model,
                                           void              *buffer,
                                           uint32_t           buffer_size,
                                           wm_window_func_t   func,
                                           void              *user_data);

/* Forget all buffered frames; the next window is number 0 again. */
void         wm_classifier_reset          (wm_classifier_t   *cls);

/* WM_ERR_WRONG_VARIANT if the model is not int8 resp. f32. */
wm_status_t  wm_classifier_push_i16       (wm_classifier_t   *cls,
                                           const int16_t     *frames,
                                           uint32_t           n_frames);
wm_status_t  wm_classifier_push_f32       (wm_classifier_t   *cls,
                                           const float       *frames,
                                           uint32_t           n_frames);

/* One window of exactly wm_model_window_frames() frames; resets the streaming state and
 * does not call the callback.  probs has n_classes entries. */
wm_status_t  wm_classifier_run_window_i16 (wm_classifier_t   *cls,
                                           const int16_t     *frames,
                                           uint32_t           n_frames,
                                           uint16_t          *probs_q16);
wm_status_t  wm_classifier_run_window_f32 (wm_classifier_t   *cls,
                                           const float       *frames,
                                           uint32_t           n_frames,
                                           float             *probs);

#ifdef __cplusplus
}
#endif

#endif /* WM_CLASSIFIER_H */
