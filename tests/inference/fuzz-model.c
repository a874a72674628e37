/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: parse a hostile .wmm, and if it parses, initialise a classifier and run
 * one window.  When the first byte is odd the CRCs are repaired first, so that mutations
 * reach the section parsers instead of stopping at the checksum. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wm-classifier.h"
#include "wm-model.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_FILE (1u << 20)
#define MAX_BUFFER (16u << 20)
#define MAX_INPUT_VALUES (1u << 20)

static uint32_t
get_u32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
put_u32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
  p[2] = (uint8_t) (v >> 16);
  p[3] = (uint8_t) (v >> 24);
}

static void
repair_crcs (uint8_t *buf, uint32_t len)
{
  uint32_t size, count, i;

  if (len < 32)
    return;
  size = get_u32 (buf + 8) < len ? get_u32 (buf + 8) : len;
  count = get_u32 (buf + 12);
  for (i = 0; i < count && i < 64 && 32 + 16 * (i + 1) <= len; i++)
    {
      uint8_t *e = buf + 32 + 16 * i;
      uint32_t off = get_u32 (e + 4), n = get_u32 (e + 8);

      if (off <= len && n <= len - off)
        put_u32 (e + 12, wm_crc32 (0, buf + off, n));
    }
  if (size >= 24)
    {
      put_u32 (buf + 20, 0);
      put_u32 (buf + 20, wm_crc32 (0, buf, size));
    }
}

static void
run_window (const wm_model_t *model)
{
  uint32_t size = wm_classifier_buffer_size (model);
  uint32_t frames = wm_model_window_frames (model);
  uint32_t values = frames * model->frontend.channels;
  wm_classifier_t cls;
  void *buffer;
  void *input;
  uint16_t probs_q16[WM_MAX_CLASSES];
  float probs[WM_MAX_CLASSES];
  uint32_t i;

  if (size > MAX_BUFFER || values > MAX_INPUT_VALUES)
    return;
  buffer = malloc (size);
  input = malloc ((size_t) values * 4);
  if (buffer == NULL || input == NULL)
    abort ();
  if (wm_classifier_init (&cls, model, buffer, size, NULL, NULL) != WM_OK)
    abort ();
  if (model->variant == WM_VARIANT_INT8)
    {
      int16_t *in = input;

      for (i = 0; i < values; i++)
        in[i] = (int16_t) ((int32_t) ((i * 7919u) % 65536u) - 32768);
      if (wm_classifier_run_window_i16 (&cls, in, frames, probs_q16) != WM_OK)
        abort ();
    }
  else
    {
      float *in = input;

      for (i = 0; i < values; i++)
        in[i] = (float) ((int32_t) ((i * 7919u) % 2001u) - 1000) / 100.0f;
      if (wm_classifier_run_window_f32 (&cls, in, frames, probs) != WM_OK)
        abort ();
    }
  free (input);
  free (buffer);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  wm_model_t model;
  uint8_t *copy;
  uint32_t len;

  if (size < 1 || size > MAX_FILE)
    return 0;
  len = (uint32_t) size - 1;
  /* An exact-size copy so ASan sees any read past the end. */
  copy = malloc (len > 0 ? len : 1);
  if (copy == NULL)
    abort ();
  memcpy (copy, data + 1, len);
  if (data[0] & 1)
    repair_crcs (copy, len);
  if (wm_model_parse (copy, len, &model) == WM_OK)
    run_window (&model);
  free (copy);
  return 0;
}
