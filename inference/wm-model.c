/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-model.c: the .wmm parser.  Every offset and length is checked before it is used;
 * arithmetic on untrusted sizes is arranged so that it cannot wrap. */

#include <string.h>

#include "wm-model.h"
#include "wm-port.h"

#define HEADER_SIZE 32u
#define ENTRY_SIZE 16u
#define MAX_SECTIONS 64u
#define ARCH_SIZE 36u
#define FRONTEND_FIXED 32u
#define LAYER_RECORD 92u
#define TENSOR_ENTRY 48u
#define GATE_ORDER_IFGO UINT32_C (0x4F474649)

enum
{
  SECTION_ARCH = 1,
  SECTION_QUANT = 2,
  SECTION_FRONTEND = 3,
  SECTION_CLASSES = 4,
  SECTION_CONTEXT = 5,
  SECTION_TENSORS = 6,
  SECTION_DATA = 7,
  N_SECTION_TYPES = 8
};

enum
{
  KIND_WX = 1,
  KIND_WH = 2,
  KIND_BX = 3,
  KIND_BH = 4,
  KIND_HEAD_W = 5,
  KIND_HEAD_B = 6,
  KIND_FE_OFFSET = 7,
  KIND_FE_MULT = 8,
  KIND_FE_SHIFT = 9,
  KIND_FE_MEAN = 10,
  KIND_FE_INVSTD = 11,
  KIND_FE_WINDOW = 12,
  KIND_FE_COS = 13,
  KIND_FE_MEL = 14,
  N_KINDS = 15
};

enum
{
  DTYPE_NONE = 0,
  DTYPE_INT8 = 1,
  DTYPE_INT16 = 2,
  DTYPE_INT32 = 3,
  DTYPE_F32 = 4
};

/* Slots: kinds 1–4 have one per (layer, gate), the others one each. */
#define N_LAYER_SLOTS (4u * WM_MAX_LAYERS * 4u)
#define N_SLOTS (N_LAYER_SLOTS + (N_KINDS - KIND_HEAD_W))

typedef struct
{
  const uint8_t *at;
  uint32_t len;
  uint8_t present;
} section_t;

/* One byte into a running (non-inverted) CRC-32 register. */
static uint32_t
crc_byte (uint32_t crc,
          uint8_t  byte)
{
  uint8_t bit;

  crc ^= byte;
  for (bit = 0; bit < 8; bit++)
    crc = (crc >> 1) ^ (UINT32_C (0xEDB88320) & (0u - (crc & 1u)));
  return crc;
}

uint32_t
wm_crc32 (uint32_t       crc,
          const uint8_t *buf,
          uint32_t       len)
{
  uint32_t i;

  crc = ~crc;
  for (i = 0; i < len; i++)
    crc = crc_byte (crc, wm_rd_u8 (buf + i));
  return ~crc;
}

static int
valid_shift (int32_t shift)
{
  return shift >= -31 && shift <= 30;
}

static int
valid_zero_point (int32_t zp)
{
  return zp >= -128 && zp <= 127;
}

/* A positive, finite float32, judged from its bits so the parser does no float arithmetic
 * (8-bit devices without FPU run the integer variant float-free). */
static int
valid_scale (uint32_t bits)
{
  return bits != 0 && (bits & UINT32_C (0x80000000)) == 0
         && (bits & UINT32_C (0x7f800000)) != UINT32_C (0x7f800000);
}

/* The dtype a tensor kind has in a variant, or DTYPE_NONE if it must be absent. */
static uint8_t
expected_dtype (uint8_t      kind,
                wm_variant_t variant,
                int          logmel)
{
  int int8 = variant == WM_VARIANT_INT8;

  switch (kind)
    {
    case KIND_WX:
    case KIND_WH:
    case KIND_HEAD_W:
      return int8 ? DTYPE_INT8 : DTYPE_F32;
    case KIND_BX:
    case KIND_HEAD_B:
      return int8 ? DTYPE_INT32 : DTYPE_F32;
    case KIND_BH:
    case KIND_FE_OFFSET:
    case KIND_FE_MULT:
    case KIND_FE_SHIFT:
      return int8 ? DTYPE_INT32 : DTYPE_NONE;
    case KIND_FE_MEAN:
    case KIND_FE_INVSTD:
      return int8 ? DTYPE_NONE : DTYPE_F32;
    case KIND_FE_WINDOW:
    case KIND_FE_COS:
    case KIND_FE_MEL:
      if (!logmel)
        return DTYPE_NONE;
      return int8 ? DTYPE_INT16 : DTYPE_F32;
    default:
      return DTYPE_NONE;
    }
}

static uint32_t
dtype_size (uint8_t dtype)
{
  switch (dtype)
    {
    case DTYPE_INT8:
      return 1;
    case DTYPE_INT16:
      return 2;
    default:
      return 4;
    }
}

static wm_status_t
check_string_list (const section_t *sec,
                   uint32_t        *count_out)
{
  uint32_t count, i;

  if (sec->len < 4)
    return WM_ERR_TRUNCATED;
  count = wm_rd_u32 (sec->at);
  if (count > (sec->len - 4) / 8)
    return WM_ERR_TRUNCATED;
  for (i = 0; i < count; i++)
    {
      uint32_t off = wm_rd_u32 (sec->at + 4 + 8 * i);
      uint32_t len = wm_rd_u32 (sec->at + 8 + 8 * i);
      uint32_t j;

      if (off >= sec->len || len >= sec->len - off)
        return WM_ERR_BAD_STRING;
      if (wm_rd_u8 (sec->at + off + len) != 0)
        return WM_ERR_BAD_STRING;
      for (j = 0; j < len; j++)
        if (wm_rd_u8 (sec->at + off + j) == 0)
          return WM_ERR_BAD_STRING;
    }
  *count_out = count;
  return WM_OK;
}

static wm_status_t
parse_sections (const uint8_t *buf,
                uint32_t       file_size,
                uint32_t       count,
                section_t     *sections)
{
  uint32_t prev_end = HEADER_SIZE + ENTRY_SIZE * count;
  uint32_t i;

  for (i = 0; i < count; i++)
    {
      const uint8_t *entry = buf + HEADER_SIZE + ENTRY_SIZE * i;
      uint32_t type = wm_rd_u32 (entry);
      uint32_t off = wm_rd_u32 (entry + 4);
      uint32_t len = wm_rd_u32 (entry + 8);
      uint32_t crc = wm_rd_u32 (entry + 12);

      if ((off & 7u) != 0 || off < prev_end)
        return WM_ERR_BAD_SECTION;
      if (off > file_size || len > file_size - off)
        return WM_ERR_TRUNCATED;
      if (type > 0 && type < N_SECTION_TYPES)
        {
          if (sections[type].present)
            return WM_ERR_BAD_SECTION;
          sections[type].present = 1;
          sections[type].at = buf + off;
          sections[type].len = len;
        }
      if (wm_crc32 (0, buf + off, len) != crc)
        return WM_ERR_CRC_MISMATCH;
      prev_end = off + len;
    }
  return WM_OK;
}

static wm_status_t
parse_arch (const section_t *sec,
            wm_model_t      *model)
{
  const uint8_t *p = sec->at;
  uint32_t n_layers, n_features, n_classes, output, l;

  if (sec->len < ARCH_SIZE)
    return WM_ERR_TRUNCATED;
  if (wm_rd_u32 (p) != 1)
    return WM_ERR_UNSUPPORTED_VERSION;
  n_layers = wm_rd_u32 (p + 4);
  n_features = wm_rd_u32 (p + 8);
  n_classes = wm_rd_u32 (p + 24);
  output = wm_rd_u32 (p + 28);
  if (n_layers < 1 || n_layers > WM_MAX_LAYERS)
    return WM_ERR_BAD_SHAPE;
  if (n_features < 1 || n_features > WM_MAX_FEATURES)
    return WM_ERR_BAD_SHAPE;
  if (output != WM_OUTPUT_SOFTMAX && output != WM_OUTPUT_SIGMOID)
    return WM_ERR_BAD_SHAPE;
  if (n_classes < (output == WM_OUTPUT_SOFTMAX ? 2u : 1u) || n_classes > WM_MAX_CLASSES)
    return WM_ERR_BAD_SHAPE;
  if (wm_rd_u32 (p + 32) != GATE_ORDER_IFGO)
    return WM_ERR_BAD_SHAPE;

  for (l = 0; l < WM_MAX_LAYERS; l++)
    {
      uint32_t hidden = wm_rd_u32 (p + 12 + 4 * l);

      if (l < n_layers)
        {
          if (hidden < 1 || hidden > WM_MAX_HIDDEN)
            return WM_ERR_BAD_SHAPE;
          model->layers[l].n_hidden = (uint16_t) hidden;
          model->layers[l].n_inputs = (uint16_t) (l == 0 ? n_features : model->layers[l - 1].n_hidden);
        }
      else if (hidden != 0)
        return WM_ERR_BAD_SHAPE;
    }

  model->n_layers = (uint8_t) n_layers;
  model->n_features = (uint16_t) n_features;
  model->n_classes = (uint16_t) n_classes;
  model->output = (wm_output_t) output;
  return WM_OK;
}

static wm_status_t
parse_frontend (const section_t *sec,
                wm_model_t      *model)
{
  wm_frontend_t *fe = &model->frontend;
  const uint8_t *p = sec->at;
  uint32_t kind, rate, channels, window, hop, length, step, mels, c;

  if (sec->len < FRONTEND_FIXED)
    return WM_ERR_TRUNCATED;
  kind = wm_rd_u32 (p);
  rate = wm_rd_u32 (p + 4);
  channels = wm_rd_u32 (p + 8);
  window = wm_rd_u32 (p + 12);
  hop = wm_rd_u32 (p + 16);
  length = wm_rd_u32 (p + 20);
  step = wm_rd_u32 (p + 24);
  mels = wm_rd_u32 (p + 28);

  if (kind != WM_FRONTEND_RAW && kind != WM_FRONTEND_SENSOR && kind != WM_FRONTEND_LOGMEL)
    return WM_ERR_UNKNOWN_FRONTEND;
  if (channels < 1 || channels > WM_MAX_CHANNELS)
    return WM_ERR_BAD_SHAPE;
  if (sec->len < FRONTEND_FIXED + 4 * channels)
    return WM_ERR_TRUNCATED;
  if (rate < 1 || window < 1 || window > 65535u || hop < 1 || hop > 65535u)
    return WM_ERR_BAD_SHAPE;

  if (kind == WM_FRONTEND_LOGMEL)
    {
      if (channels != 1)
        return WM_ERR_BAD_SHAPE;
      if (length != 64 && length != 128 && length != 256 && length != 512)
        return WM_ERR_BAD_SHAPE;
      if (step < 1 || step > length)
        return WM_ERR_BAD_SHAPE;
      if (mels < 1 || mels > WM_MAX_MELS || mels != model->n_features)
        return WM_ERR_BAD_SHAPE;
    }
  else if (length != 1 || step != 1 || mels != 0 || channels != model->n_features)
    return WM_ERR_BAD_SHAPE;

  for (c = 0; c < channels; c++)
    if (!valid_scale (wm_rd_u32 (p + FRONTEND_FIXED + 4 * c)))
      return WM_ERR_BAD_PARAMETER;

  fe->kind = (wm_frontend_kind_t) kind;
  fe->sample_rate = rate;
  fe->channels = (uint16_t) channels;
  fe->window = (uint16_t) window;
  fe->hop = (uint16_t) hop;
  fe->frame_length = (uint16_t) length;
  fe->frame_step = (uint16_t) step;
  fe->n_mels = (uint16_t) mels;
  fe->in_scale = p + FRONTEND_FIXED;
  return WM_OK;
}

static wm_status_t
parse_quant (const section_t *sec,
             wm_model_t      *model)
{
  const uint8_t *p = sec->at;
  uint32_t l, g;

  if (sec->len < 12)
    return WM_ERR_TRUNCATED;
  if (wm_rd_u32 (p) != 1 || wm_rd_u32 (p + 4) != 1)
    return WM_ERR_UNKNOWN_QUANTIZATION;
  if (wm_rd_u32 (p + 8) != model->n_layers)
    return WM_ERR_BAD_SHAPE;
  if (sec->len < 12 + LAYER_RECORD * model->n_layers + 12)
    return WM_ERR_TRUNCATED;

  for (l = 0; l < model->n_layers; l++)
    {
      const uint8_t *r = p + 12 + LAYER_RECORD * l;
      wm_layer_t *layer = &model->layers[l];

      layer->x_zp = wm_rd_i32 (r + 4);
      layer->h_zp = wm_rd_i32 (r + 12);
      layer->cell_shift = wm_rd_i32 (r + 16);
      for (g = 0; g < 4; g++)
        {
          layer->gx_mult[g] = wm_rd_i32 (r + 20 + 4 * g);
          layer->gx_shift[g] = wm_rd_i32 (r + 36 + 4 * g);
          layer->gh_mult[g] = wm_rd_i32 (r + 52 + 4 * g);
          layer->gh_shift[g] = wm_rd_i32 (r + 68 + 4 * g);
          if (layer->gx_mult[g] < 0 || layer->gh_mult[g] < 0
              || !valid_shift (layer->gx_shift[g]) || !valid_shift (layer->gh_shift[g]))
            return WM_ERR_BAD_PARAMETER;
        }
      layer->hidden_mult = wm_rd_i32 (r + 84);
      layer->hidden_shift = wm_rd_i32 (r + 88);

      if (!valid_zero_point (layer->x_zp) || !valid_zero_point (layer->h_zp)
          || layer->cell_shift < -15 || layer->cell_shift > -9
          || layer->hidden_mult < 0 || !valid_shift (layer->hidden_shift))
        return WM_ERR_BAD_PARAMETER;
      if (l > 0 && layer->x_zp != model->layers[l - 1].h_zp)
        return WM_ERR_BAD_PARAMETER;
    }

  p += 12 + LAYER_RECORD * model->n_layers;
  model->head_mult = wm_rd_i32 (p);
  model->head_shift = wm_rd_i32 (p + 4);
  if (model->head_mult < 0 || !valid_shift (model->head_shift)
      || wm_rd_i32 (p + 8) != WM_LOGIT_FRAC_BITS)
    return WM_ERR_BAD_PARAMETER;
  return WM_OK;
}

/* Expected [dim0, dim1] of a tensor slot. */
static void
expected_shape (const wm_model_t *model,
                uint8_t           kind,
                uint8_t           layer,
                uint32_t         *dim0,
                uint32_t         *dim1)
{
  const wm_frontend_t *fe = &model->frontend;
  const wm_layer_t *last = &model->layers[model->n_layers - 1];

  *dim1 = 1;
  switch (kind)
    {
    case KIND_WX:
      *dim0 = model->layers[layer].n_hidden;
      *dim1 = model->layers[layer].n_inputs;
      break;
    case KIND_WH:
      *dim0 = model->layers[layer].n_hidden;
      *dim1 = model->layers[layer].n_hidden;
      break;
    case KIND_BX:
    case KIND_BH:
      *dim0 = model->layers[layer].n_hidden;
      break;
    case KIND_HEAD_W:
      *dim0 = model->n_classes;
      *dim1 = last->n_hidden;
      break;
    case KIND_HEAD_B:
      *dim0 = model->n_classes;
      break;
    case KIND_FE_WINDOW:
    case KIND_FE_COS:
      *dim0 = fe->frame_length;
      break;
    case KIND_FE_MEL:
      *dim0 = fe->n_mels;
      *dim1 = fe->frame_length / 2u + 1u;
      break;
    default:
      *dim0 = model->n_features;
      break;
    }
}

static const uint8_t **
slot_pointer (wm_model_t *model,
              uint8_t     kind,
              uint8_t     layer,
              uint8_t     gate)
{
  wm_layer_t *l = &model->layers[layer];
  wm_frontend_t *fe = &model->frontend;

  switch (kind)
    {
    case KIND_WX:
      return &l->wx[gate];
    case KIND_WH:
      return &l->wh[gate];
    case KIND_BX:
      return &l->bx[gate];
    case KIND_BH:
      return &l->bh[gate];
    case KIND_HEAD_W:
      return &model->head_w;
    case KIND_HEAD_B:
      return &model->head_b;
    case KIND_FE_OFFSET:
      return &fe->offset;
    case KIND_FE_MULT:
      return &fe->mult;
    case KIND_FE_SHIFT:
      return &fe->shift;
    case KIND_FE_MEAN:
      return &fe->mean;
    case KIND_FE_INVSTD:
      return &fe->inv_std;
    case KIND_FE_WINDOW:
      return &fe->window_table;
    case KIND_FE_COS:
      return &fe->cos_table;
    default:
      return &fe->mel;
    }
}

static wm_status_t
check_tensor_values (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;
  uint32_t i, n;

  if (model->variant != WM_VARIANT_INT8)
    return WM_OK;
  for (i = 0; i < model->n_features; i++)
    if (wm_rd_i32 (fe->mult + 4 * i) < 0 || !valid_shift (wm_rd_i32 (fe->shift + 4 * i)))
      return WM_ERR_BAD_PARAMETER;
  if (fe->kind == WM_FRONTEND_LOGMEL)
    {
      n = (uint32_t) fe->n_mels * (fe->frame_length / 2u + 1u);
      for (i = 0; i < n; i++)
        if (wm_rd_i16 (fe->mel + 2 * i) < 0)
          return WM_ERR_BAD_PARAMETER;
    }
  return WM_OK;
}

static wm_status_t
parse_tensors (const section_t *sec,
               const section_t *data,
               wm_model_t      *model)
{
  uint8_t seen[N_SLOTS];
  int logmel = model->frontend.kind == WM_FRONTEND_LOGMEL;
  uint32_t count, i;
  uint8_t kind, layer, gate;

  if (sec->len < 4)
    return WM_ERR_TRUNCATED;
  count = wm_rd_u32 (sec->at);
  if (count > (sec->len - 4) / TENSOR_ENTRY)
    return WM_ERR_TRUNCATED;

  memset (seen, 0, sizeof seen);
  for (i = 0; i < count; i++)
    {
      const uint8_t *e = sec->at + 4 + TENSOR_ENTRY * i;
      uint8_t dtype = wm_rd_u8 (e + 3);
      uint8_t ndim = wm_rd_u8 (e + 4);
      uint32_t dim0 = wm_rd_u32 (e + 8);
      uint32_t dim1 = wm_rd_u32 (e + 12);
      uint32_t off = wm_rd_u32 (e + 24);
      uint32_t len = wm_rd_u32 (e + 28);
      uint32_t want0, want1, slot;

      kind = wm_rd_u8 (e);
      layer = wm_rd_u8 (e + 1);
      gate = wm_rd_u8 (e + 2);
      if (kind < KIND_WX || kind >= N_KINDS)
        return WM_ERR_BAD_TENSOR;
      if (kind <= KIND_BH)
        {
          if (layer >= model->n_layers || gate >= 4)
            return WM_ERR_BAD_TENSOR;
          slot = (uint32_t) (kind - KIND_WX) * WM_MAX_LAYERS * 4u + layer * 4u + gate;
        }
      else
        {
          if (layer != 0 || gate != 0)
            return WM_ERR_BAD_TENSOR;
          slot = N_LAYER_SLOTS + (uint32_t) (kind - KIND_HEAD_W);
        }
      if (seen[slot])
        return WM_ERR_BAD_TENSOR;
      seen[slot] = 1;

      if (dtype == DTYPE_NONE || dtype != expected_dtype (kind, model->variant, logmel))
        return WM_ERR_BAD_TENSOR;
      if ((ndim != 1 && ndim != 2) || (ndim == 1 && dim1 != 1))
        return WM_ERR_BAD_TENSOR;
      if ((off & 3u) != 0 || off > data->len || len > data->len - off)
        return WM_ERR_BAD_TENSOR;
      /* dim0 · dim1 · size == len, checked without overflow. */
      if (dim0 == 0 || dim1 == 0 || dim1 > len / dim0 || (uint64_t) dim0 * dim1 * dtype_size (dtype) != len)
        return WM_ERR_BAD_TENSOR;

      expected_shape (model, kind, layer, &want0, &want1);
      if (dim0 != want0 || dim1 != want1)
        return WM_ERR_BAD_SHAPE;
      *slot_pointer (model, kind, layer, gate) = data->at + off;
    }

  for (kind = KIND_WX; kind < N_KINDS; kind++)
    {
      if (expected_dtype (kind, model->variant, logmel) == DTYPE_NONE)
        continue;
      if (kind <= KIND_BH)
        {
          for (layer = 0; layer < model->n_layers; layer++)
            for (gate = 0; gate < 4; gate++)
              if (!seen[(uint32_t) (kind - KIND_WX) * WM_MAX_LAYERS * 4u + layer * 4u + gate])
                return WM_ERR_BAD_TENSOR;
        }
      else if (!seen[N_LAYER_SLOTS + (uint32_t) (kind - KIND_HEAD_W)])
        return WM_ERR_BAD_TENSOR;
    }

  return check_tensor_values (model);
}

wm_status_t
wm_model_parse (const uint8_t *buf,
                uint32_t       len,
                wm_model_t    *out)
{
  section_t sections[N_SECTION_TYPES];
  uint32_t file_size, count, crc, n_strings;
  uint8_t variant, t;
  wm_status_t status;

  if (buf == NULL || out == NULL)
    return WM_ERR_BAD_ARGUMENT;
  memset (out, 0, sizeof *out);
  if (len < HEADER_SIZE)
    return WM_ERR_TRUNCATED;
  if (wm_rd_u8 (buf) != 'W' || wm_rd_u8 (buf + 1) != 'M' || wm_rd_u8 (buf + 2) != 'M'
      || wm_rd_u8 (buf + 3) != '1')
    return WM_ERR_BAD_MAGIC;
  if (wm_rd_u16 (buf + 4) != WM_FORMAT_VERSION)
    return WM_ERR_UNSUPPORTED_VERSION;

  file_size = wm_rd_u32 (buf + 8);
  count = wm_rd_u32 (buf + 12);
  if (file_size > len || file_size < HEADER_SIZE || count > (file_size - HEADER_SIZE) / ENTRY_SIZE)
    return WM_ERR_TRUNCATED;

  /* The CRC field itself counts as four zero bytes (fed directly: in flash builds only
   * model memory may go through the wm_rd_* readers). */
  crc = ~wm_crc32 (0, buf, 20);
  for (t = 0; t < 4; t++)
    crc = crc_byte (crc, 0);
  crc = wm_crc32 (~crc, buf + 24, file_size - 24);
  if (crc != wm_rd_u32 (buf + 20))
    return WM_ERR_CRC_MISMATCH;

  variant = wm_rd_u8 (buf + 6);
  if (variant != WM_VARIANT_INT8 && variant != WM_VARIANT_F32)
    return WM_ERR_UNKNOWN_VARIANT;

  if (count < 1 || count > MAX_SECTIONS || wm_rd_u32 (buf + 16) != HEADER_SIZE)
    return WM_ERR_BAD_SECTION;
  memset (sections, 0, sizeof sections);
  status = parse_sections (buf, file_size, count, sections);
  if (status != WM_OK)
    return status;
  for (t = SECTION_ARCH; t < N_SECTION_TYPES; t++)
    {
      int wanted = t != SECTION_QUANT || variant == WM_VARIANT_INT8;

      if (wanted != sections[t].present)
        return WM_ERR_BAD_SECTION;
    }

  out->data = buf;
  out->size = file_size;
  out->variant = (wm_variant_t) variant;

  if ((status = parse_arch (&sections[SECTION_ARCH], out)) != WM_OK
      || (status = parse_frontend (&sections[SECTION_FRONTEND], out)) != WM_OK
      || (variant == WM_VARIANT_INT8
          && (status = parse_quant (&sections[SECTION_QUANT], out)) != WM_OK)
      || (status = parse_tensors (&sections[SECTION_TENSORS], &sections[SECTION_DATA], out)) != WM_OK)
    goto fail;

  if ((status = check_string_list (&sections[SECTION_CLASSES], &n_strings)) != WM_OK)
    goto fail;
  if (n_strings != out->n_classes)
    {
      status = WM_ERR_BAD_SHAPE;
      goto fail;
    }
  if ((status = check_string_list (&sections[SECTION_CONTEXT], &n_strings)) != WM_OK)
    goto fail;
  if (n_strings < WM_CONTEXT_N_FIELDS)
    {
      status = WM_ERR_BAD_STRING;
      goto fail;
    }

  out->classes = sections[SECTION_CLASSES].at;
  out->context = sections[SECTION_CONTEXT].at;
  return WM_OK;

fail:
  memset (out, 0, sizeof *out);
  return status;
}

static const char *
string_at (const uint8_t *list,
           uint32_t       index)
{
  return (const char *) (list + wm_rd_u32 (list + 4 + 8 * index));
}

const char *
wm_model_class_name (const wm_model_t *model,
                     uint16_t          k)
{
  if (model == NULL || model->classes == NULL || k >= model->n_classes)
    return NULL;
  return string_at (model->classes, k);
}

const char *
wm_model_context (const wm_model_t   *model,
                  wm_context_field_t  field)
{
  if (model == NULL || model->context == NULL || (uint32_t) field >= WM_CONTEXT_N_FIELDS)
    return "";
  return string_at (model->context, (uint32_t) field);
}

uint32_t
wm_model_window_frames (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;

  return ((uint32_t) fe->window - 1u) * fe->frame_step + fe->frame_length;
}

uint32_t
wm_model_hop_frames (const wm_model_t *model)
{
  const wm_frontend_t *fe = &model->frontend;

  return (uint32_t) fe->hop * fe->frame_step;
}
