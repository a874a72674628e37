/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-model.h: a .wmm model file parsed in place (see FORMAT.md).
 *
 * wm_model_parse() checks every offset, length, CRC and shape once and fills a wm_model_t
 * whose pointers point into the caller's buffer; the buffer must outlive the model.  The
 * fields are public for reading; never write them. */
#ifndef WM_MODEL_H
#define WM_MODEL_H

#include <stdint.h>

#include "wm-status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WM_FORMAT_VERSION 1
#define WM_MAX_LAYERS 3
#define WM_MAX_HIDDEN 256
#define WM_MAX_FEATURES 256
#define WM_MAX_CLASSES 64
#define WM_MAX_CHANNELS 64
#define WM_MAX_MELS 64
#define WM_MAX_FRAME_LENGTH 512
#define WM_LOGIT_FRAC_BITS 12

typedef enum
{
  WM_VARIANT_INT8 = 1,
  WM_VARIANT_F32 = 2
} wm_variant_t;

typedef enum
{
  WM_FRONTEND_RAW = 1,
  WM_FRONTEND_SENSOR = 2,
  WM_FRONTEND_LOGMEL = 3
} wm_frontend_kind_t;

typedef enum
{
  WM_OUTPUT_SOFTMAX = 1,
  WM_OUTPUT_SIGMOID = 2
} wm_output_t;

typedef enum
{
  WM_GATE_INPUT = 0,
  WM_GATE_FORGET = 1,
  WM_GATE_CELL = 2,
  WM_GATE_OUTPUT = 3
} wm_gate_t;

typedef enum
{
  WM_CONTEXT_MODEL_NAME = 0,
  WM_CONTEXT_MODEL_VERSION = 1,
  WM_CONTEXT_USE_CASE = 2,
  WM_CONTEXT_DEVICE_TYPES = 3,
  WM_CONTEXT_DATASET_HASH = 4,
  WM_CONTEXT_CREATED_AT = 5,
  WM_CONTEXT_N_FIELDS = 6
} wm_context_field_t;

/* One LSTM layer.  Tensor pointers address row-major data in the model (read them through
 * wm-port.h); bh is NULL in the f32 variant; the integer fields are 0 in the f32 variant. */
typedef struct
{
  uint16_t n_inputs;
  uint16_t n_hidden;
  const uint8_t *wx[4];
  const uint8_t *wh[4];
  const uint8_t *bx[4];
  const uint8_t *bh[4];
  int32_t x_zp;
  int32_t h_zp;
  int32_t cell_shift;
  int32_t gx_mult[4];
  int32_t gx_shift[4];
  int32_t gh_mult[4];
  int32_t gh_shift[4];
  int32_t hidden_mult;
  int32_t hidden_shift;
} wm_layer_t;

/* The front-end; frame_length/frame_step are 1 and the logmel tables NULL for raw/sensor. */
typedef struct
{
  wm_frontend_kind_t kind;
  uint32_t sample_rate;
  uint16_t channels;
  uint16_t window;        /* W, feature frames per window */
  uint16_t hop;           /* H, feature frames between windows */
  uint16_t frame_length;  /* L, samples per feature frame */
  uint16_t frame_step;    /* S, samples between feature frames */
  uint16_t n_mels;
  const uint8_t *in_scale;      /* f32[channels] */
  const uint8_t *offset;        /* int8: i32[F] */
  const uint8_t *mult;          /* int8: i32[F] */
  const uint8_t *shift;         /* int8: i32[F] */
  const uint8_t *mean;          /* f32: f32[F] */
  const uint8_t *inv_std;       /* f32: f32[F] */
  const uint8_t *window_table;  /* logmel: [L] */
  const uint8_t *cos_table;     /* logmel: [L] */
  const uint8_t *mel;           /* logmel: [n_mels][L/2+1] */
} wm_frontend_t;

typedef struct
{
  const uint8_t *data;
  uint32_t size;
  wm_variant_t variant;
  uint8_t n_layers;
  uint16_t n_features;
  uint16_t n_classes;
  wm_output_t output;
  wm_layer_t layers[WM_MAX_LAYERS];
  const uint8_t *head_w;  /* [n_classes][last hidden] */
  const uint8_t *head_b;  /* [n_classes] */
  int32_t head_mult;
  int32_t head_shift;
  wm_frontend_t frontend;
  const uint8_t *classes;  /* CLASSES section */
  const uint8_t *context;  /* CONTEXT section */
} wm_model_t;

/* Validate buf[0, len) as a .wmm file and describe it in *out, without copying. */
wm_status_t  wm_model_parse              (const uint8_t      *buf,
                                          uint32_t            len,
                                          wm_model_t         *out);

/* Class k's NUL-terminated UTF-8 name inside the model, or NULL if k is out of range. */
const char  *wm_model_class_name         (const wm_model_t   *model,
                                          uint16_t            k);

/* One data-context string (model name, version, …), NUL-terminated; never NULL. */
const char  *wm_model_context            (const wm_model_t   *model,
                                          wm_context_field_t  field);

/* Input frames one window spans, (W-1)·S + L, and between two window starts, H·S. */
uint32_t     wm_model_window_frames      (const wm_model_t   *model);
uint32_t     wm_model_hop_frames         (const wm_model_t   *model);

/* CRC-32 (IEEE, reflected, poly 0xEDB88320) of buf[0, len), continuing from crc
 * (pass 0 to start). */
uint32_t     wm_crc32                    (uint32_t            crc,
                                          const uint8_t      *buf,
                                          uint32_t            len);

#ifdef __cplusplus
}
#endif

#endif /* WM_MODEL_H */
