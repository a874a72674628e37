/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-frontend.h: one feature frame from input samples (FORMAT.md 3.7 and 4).
 *
 * Samples are given as a ring: sample n of the frame is ring[(start + n) % ring_len] ×
 * channels interleaved values; for raw/sensor a frame is one input frame (ring_len 1). */
#ifndef WM_FRONTEND_H
#define WM_FRONTEND_H

#include <stdint.h>

#include "wm-model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of scratch wm_frontend_*() need (0 for raw/sensor). */
uint32_t  wm_frontend_scratch_size  (const wm_model_t  *model);

/* int8 features (n_features) from int16 samples. */
void      wm_frontend_int8          (const wm_model_t  *model,
                                     const int16_t     *ring,
                                     uint16_t           ring_len,
                                     uint16_t           start,
                                     int8_t            *features,
                                     void              *scratch,
                                     const int16_t     *dft_rows);

/* Float features from physical-unit samples. */
void      wm_frontend_f32           (const wm_model_t  *model,
                                     const float       *ring,
                                     uint16_t           ring_len,
                                     uint16_t           start,
                                     float             *features,
                                     void              *scratch);

/* logmel only: the Q.10 log2 mel energies lq[n_mels] before normalisation.
 * dft_rows (nullable) is the table wm_logmel_pack() filled: the same sums,
 * read from contiguous rows (faster on desktop CPUs, bit-identical). */
void      wm_logmel_lq              (const wm_model_t  *model,
                                     const int16_t     *ring,
                                     uint16_t           ring_len,
                                     uint16_t           start,
                                     int32_t           *lq,
                                     void              *scratch,
                                     const int16_t     *dft_rows);

/* int8 logmel only (0 otherwise): bytes of the DFT row table, bins × 2 × L
 * int16 (for bin k: the cosine row, then the sine row, in sample order). */
uint32_t  wm_logmel_packed_size     (const wm_model_t  *model);
void      wm_logmel_pack            (const wm_model_t  *model,
                                     int16_t           *dft_rows);

#ifdef __cplusplus
}
#endif

#endif /* WM_FRONTEND_H */
