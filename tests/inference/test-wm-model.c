/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .wmm parser: valid files, one crafted file per status code, hostile byte edits. */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "wm-classifier.h"
#include "wm-model.h"
#include "wmm-builder.h"

enum { S_ARCH = 1, S_QUANT, S_FRONTEND, S_CLASSES, S_CONTEXT, S_TENSORS, S_DATA };

static GByteArray *
build_default (wm_variant_t variant)
{
  WmmSpec spec;

  wmm_spec_init (&spec);
  spec.variant = variant;
  return wmm_build (&spec);
}

static wm_status_t
parse (GByteArray *file)
{
  wm_model_t model;

  return wm_model_parse (file->data, file->len, &model);
}

static guint32
section_offset (GByteArray *file,
                guint32     type)
{
  guint32 off, len;

  g_assert_true (wmm_find_section (file, type, &off, &len, NULL));
  return off;
}

static void
test_valid (void)
{
  g_autoptr(GByteArray) int8 = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) f32 = build_default (WM_VARIANT_F32);
  wm_model_t model;

  g_assert_cmpint (wm_model_parse (int8->data, int8->len, &model), ==, WM_OK);
  g_assert_cmpint (model.variant, ==, WM_VARIANT_INT8);
  g_assert_cmpuint (model.n_layers, ==, 1);
  g_assert_cmpuint (model.n_features, ==, 3);
  g_assert_cmpuint (model.layers[0].n_hidden, ==, 8);
  g_assert_cmpuint (model.n_classes, ==, 3);
  g_assert_cmpint (model.layers[0].cell_shift, ==, -11);
  g_assert_cmpint (model.frontend.kind, ==, WM_FRONTEND_SENSOR);
  g_assert_cmpuint (model.frontend.window, ==, 16);
  g_assert_cmpuint (wm_model_window_frames (&model), ==, 16);
  g_assert_cmpuint (wm_model_hop_frames (&model), ==, 8);
  g_assert_cmpstr (wm_model_class_name (&model, 0), ==, "class0");
  g_assert_cmpstr (wm_model_class_name (&model, 2), ==, "class2");
  g_assert_null (wm_model_class_name (&model, 3));
  g_assert_cmpstr (wm_model_context (&model, WM_CONTEXT_MODEL_NAME), ==, "test-model");
  g_assert_cmpstr (wm_model_context (&model, WM_CONTEXT_DEVICE_TYPES), ==, "sim,board");
  g_assert_cmpstr (wm_model_context (&model, WM_CONTEXT_DATASET_HASH), ==, "");
  g_assert_cmpstr (wm_model_context (&model, WM_CONTEXT_CREATED_AT), ==, "2026-11-25T00:00:00Z");
  g_assert_nonnull (model.layers[0].bh[3]);

  g_assert_cmpint (wm_model_parse (f32->data, f32->len, &model), ==, WM_OK);
  g_assert_cmpint (model.variant, ==, WM_VARIANT_F32);
  g_assert_null (model.layers[0].bh[0]);
  g_assert_nonnull (model.frontend.mean);

  /* Trailing bytes beyond file_size are ignored. */
  g_byte_array_append (int8, (const guint8 *) "junk", 4);
  g_assert_cmpint (parse (int8), ==, WM_OK);
}

static void
test_logmel_and_layers (void)
{
  WmmSpec spec;
  wm_model_t model;

  wmm_spec_init (&spec);
  spec.frontend = WM_FRONTEND_LOGMEL;
  spec.frame_length = 256;
  spec.frame_step = 128;
  spec.n_mels = 20;
  spec.sample_rate = 16000;
  spec.n_layers = 3;
  spec.hidden[1] = 5;
  spec.hidden[2] = 7;
  for (wm_variant_t v = WM_VARIANT_INT8; v <= WM_VARIANT_F32; v++)
    {
      g_autoptr(GByteArray) file = NULL;

      spec.variant = v;
      file = wmm_build (&spec);
      g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
      g_assert_cmpuint (model.n_features, ==, 20);
      g_assert_cmpuint (model.layers[2].n_inputs, ==, 5);
      g_assert_cmpuint (wm_model_window_frames (&model), ==, 15 * 128 + 256);
      g_assert_nonnull (model.frontend.mel);
    }
}

static void
test_bad_argument (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);
  wm_model_t model;

  g_assert_cmpint (wm_model_parse (NULL, 100, &model), ==, WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_model_parse (file->data, file->len, NULL), ==, WM_ERR_BAD_ARGUMENT);
}

static void
test_bad_magic (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);

  file->data[3] = '2';
  wmm_fix_crcs (file);
  g_assert_cmpint (parse (file), ==, WM_ERR_BAD_MAGIC);
}

static void
test_unsupported_version (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) arch = build_default (WM_VARIANT_INT8);

  file->data[4] = 2;
  wmm_fix_crcs (file);
  g_assert_cmpint (parse (file), ==, WM_ERR_UNSUPPORTED_VERSION);

  wmm_put_u32 (arch, section_offset (arch, S_ARCH), 2);
  wmm_fix_crcs (arch);
  g_assert_cmpint (parse (arch), ==, WM_ERR_UNSUPPORTED_VERSION);
}

static void
test_truncated (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) section = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) quant = build_default (WM_VARIANT_INT8);
  guint32 off, len;
  guint entry;

  g_assert_cmpint (wm_model_parse (file->data, 31, &(wm_model_t) { 0 }), ==, WM_ERR_TRUNCATED);
  g_assert_cmpint (wm_model_parse (file->data, file->len - 1, &(wm_model_t) { 0 }), ==,
                   WM_ERR_TRUNCATED);

  /* The last section claims 8 bytes more than the file has. */
  g_assert_true (wmm_find_section (section, S_DATA, &off, &len, &entry));
  wmm_put_u32 (section, 32 + 16 * entry + 8, section->len - off + 8);
  wmm_fix_crcs (section);
  g_assert_cmpint (parse (section), ==, WM_ERR_TRUNCATED);

  /* A QUANT section too short for its layer records. */
  g_assert_true (wmm_find_section (quant, S_QUANT, &off, &len, &entry));
  wmm_put_u32 (quant, 32 + 16 * entry + 8, 40);
  wmm_fix_crcs (quant);
  g_assert_cmpint (parse (quant), ==, WM_ERR_TRUNCATED);
}

static void
test_crc_mismatch (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) section = build_default (WM_VARIANT_INT8);
  guint32 off, len, crc;
  guint entry;

  file->data[file->len / 2] ^= 0x10;
  g_assert_cmpint (parse (file), ==, WM_ERR_CRC_MISMATCH);

  /* Section CRC wrong, whole-file CRC right. */
  g_assert_true (wmm_find_section (section, S_TENSORS, &off, &len, &entry));
  section->data[off + 10] ^= 1;
  wmm_fix_crcs (section);
  section->data[off + 10] ^= 1;
  wmm_put_u32 (section, 20, 0);
  crc = wm_crc32 (0, section->data, section->len);
  wmm_put_u32 (section, 20, crc);
  g_assert_cmpint (parse (section), ==, WM_ERR_CRC_MISMATCH);
}

static void
test_unknown_variant (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);

  file->data[6] = 3;
  wmm_fix_crcs (file);
  g_assert_cmpint (parse (file), ==, WM_ERR_UNKNOWN_VARIANT);
}

static void
test_bad_section (void)
{
  g_autoptr(GByteArray) dup = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) misaligned = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) quant_in_f32 = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) missing = build_default (WM_VARIANT_INT8);
  guint32 off, len;
  guint entry;

  g_assert_true (wmm_find_section (dup, S_CONTEXT, &off, &len, &entry));
  wmm_put_u32 (dup, 32 + 16 * entry, S_CLASSES);
  wmm_fix_crcs (dup);
  g_assert_cmpint (parse (dup), ==, WM_ERR_BAD_SECTION);

  g_assert_true (wmm_find_section (misaligned, S_DATA, &off, &len, &entry));
  wmm_put_u32 (misaligned, 32 + 16 * entry + 4, off + 4);
  wmm_put_u32 (misaligned, 32 + 16 * entry + 8, len - 4);
  wmm_fix_crcs (misaligned);
  g_assert_cmpint (parse (misaligned), ==, WM_ERR_BAD_SECTION);

  quant_in_f32->data[6] = WM_VARIANT_F32;
  wmm_fix_crcs (quant_in_f32);
  g_assert_cmpint (parse (quant_in_f32), ==, WM_ERR_BAD_SECTION);

  /* An unknown type replaces CONTEXT: unknown sections are skipped, CONTEXT is missing. */
  g_assert_true (wmm_find_section (missing, S_CONTEXT, &off, &len, &entry));
  wmm_put_u32 (missing, 32 + 16 * entry, 99);
  wmm_fix_crcs (missing);
  g_assert_cmpint (parse (missing), ==, WM_ERR_BAD_SECTION);
}

static void
test_bad_shape (void)
{
  g_autoptr(GByteArray) hidden = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) gates = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) classes = build_default (WM_VARIANT_F32);
  g_autoptr(GByteArray) layers = build_default (WM_VARIANT_INT8);

  /* hidden 9 in ARCH, tensors still [8, …]. */
  wmm_put_u32 (hidden, section_offset (hidden, S_ARCH) + 12, 9);
  wmm_fix_crcs (hidden);
  g_assert_cmpint (parse (hidden), ==, WM_ERR_BAD_SHAPE);

  memcpy (gates->data + section_offset (gates, S_ARCH) + 32, "IGFO", 4);
  wmm_fix_crcs (gates);
  g_assert_cmpint (parse (gates), ==, WM_ERR_BAD_SHAPE);

  /* ARCH says 2 classes but CLASSES (and the head) hold 3. */
  wmm_put_u32 (classes, section_offset (classes, S_ARCH) + 24, 2);
  wmm_fix_crcs (classes);
  g_assert_cmpint (parse (classes), ==, WM_ERR_BAD_SHAPE);

  wmm_put_u32 (layers, section_offset (layers, S_ARCH) + 4, 4);
  wmm_fix_crcs (layers);
  g_assert_cmpint (parse (layers), ==, WM_ERR_BAD_SHAPE);
}

static void
test_unknown_quantization (void)
{
  g_autoptr(GByteArray) scheme = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) rounding = build_default (WM_VARIANT_INT8);

  wmm_put_u32 (scheme, section_offset (scheme, S_QUANT), 2);
  wmm_fix_crcs (scheme);
  g_assert_cmpint (parse (scheme), ==, WM_ERR_UNKNOWN_QUANTIZATION);

  wmm_put_u32 (rounding, section_offset (rounding, S_QUANT) + 4, 7);
  wmm_fix_crcs (rounding);
  g_assert_cmpint (parse (rounding), ==, WM_ERR_UNKNOWN_QUANTIZATION);
}

static void
test_unknown_frontend (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);

  wmm_put_u32 (file, section_offset (file, S_FRONTEND), 9);
  wmm_fix_crcs (file);
  g_assert_cmpint (parse (file), ==, WM_ERR_UNKNOWN_FRONTEND);
}

static void
test_bad_tensor (void)
{
  g_autoptr(GByteArray) dtype = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) offset = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) missing = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) length = build_default (WM_VARIANT_F32);
  guint32 e;

  e = wmm_find_tensor (dtype, 1, 0, 2);
  g_assert_cmpuint (e, !=, 0);
  dtype->data[e + 3] = 4;
  wmm_fix_crcs (dtype);
  g_assert_cmpint (parse (dtype), ==, WM_ERR_BAD_TENSOR);

  e = wmm_find_tensor (offset, 2, 0, 1);
  wmm_put_u32 (offset, e + 24, 0x7ffffff0);
  wmm_fix_crcs (offset);
  g_assert_cmpint (parse (offset), ==, WM_ERR_BAD_TENSOR);

  /* The recurrent bias of gate o relabelled as a second one of gate g. */
  e = wmm_find_tensor (missing, 4, 0, 3);
  missing->data[e + 2] = 2;
  wmm_fix_crcs (missing);
  g_assert_cmpint (parse (missing), ==, WM_ERR_BAD_TENSOR);

  e = wmm_find_tensor (length, 6, 0, 0);
  wmm_put_u32 (length, e + 28, wmm_get_u32 (length, e + 28) - 4);
  wmm_fix_crcs (length);
  g_assert_cmpint (parse (length), ==, WM_ERR_BAD_TENSOR);
}

static void
test_bad_string (void)
{
  g_autoptr(GByteArray) nul = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) range = build_default (WM_VARIANT_INT8);
  guint32 off = section_offset (nul, S_CLASSES);
  guint32 first = off + wmm_get_u32 (nul, off + 4);

  /* "class0" loses its terminating NUL. */
  g_assert_cmpint (nul->data[first + 6], ==, 0);
  nul->data[first + 6] = 'x';
  wmm_fix_crcs (nul);
  g_assert_cmpint (parse (nul), ==, WM_ERR_BAD_STRING);

  off = section_offset (range, S_CONTEXT);
  wmm_put_u32 (range, off + 8, 0xfffffff0);
  wmm_fix_crcs (range);
  g_assert_cmpint (parse (range), ==, WM_ERR_BAD_STRING);
}

static void
test_bad_parameter (void)
{
  g_autoptr(GByteArray) cell = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) shift = build_default (WM_VARIANT_INT8);
  g_autoptr(GByteArray) scale = build_default (WM_VARIANT_F32);
  guint32 e;

  wmm_put_u32 (cell, section_offset (cell, S_QUANT) + 12 + 16, 0);
  wmm_fix_crcs (cell);
  g_assert_cmpint (parse (cell), ==, WM_ERR_BAD_PARAMETER);

  e = wmm_find_tensor (shift, 9, 0, 0);
  wmm_put_u32 (shift, section_offset (shift, S_DATA) + wmm_get_u32 (shift, e + 24), 31);
  wmm_fix_crcs (shift);
  g_assert_cmpint (parse (shift), ==, WM_ERR_BAD_PARAMETER);

  wmm_put_u32 (scale, section_offset (scale, S_FRONTEND) + 32, 0xbf800000);  /* -1.0f */
  wmm_fix_crcs (scale);
  g_assert_cmpint (parse (scale), ==, WM_ERR_BAD_PARAMETER);
}

static void
collect (void              *user_data,
         const wm_window_t *window)
{
  (*(guint *) user_data)++;
}

static void
test_buffer_and_variant (void)
{
  g_autoptr(GByteArray) file = build_default (WM_VARIANT_INT8);
  wm_model_t model;
  wm_classifier_t cls;
  guint32 size;
  g_autofree guint64 *buffer = NULL;
  gint16 frames[3] = { 0 };
  float fframes[3] = { 0 };
  guint n = 0;

  g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
  size = wm_classifier_buffer_size (&model);
  g_assert_cmpuint (size, >, 0);
  buffer = g_new0 (guint64, size / 8 + 1);
  g_assert_cmpint (wm_classifier_init (&cls, &model, buffer, size - 1, collect, &n), ==,
                   WM_ERR_BUFFER_TOO_SMALL);
  g_assert_cmpint (wm_classifier_init (&cls, &model, (guint8 *) buffer + 4, size, collect, &n),
                   ==, WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_classifier_init (&cls, &model, buffer, size, collect, &n), ==, WM_OK);
  g_assert_cmpint (wm_classifier_push_f32 (&cls, fframes, 1), ==, WM_ERR_WRONG_VARIANT);
  g_assert_cmpint (wm_classifier_push_i16 (&cls, frames, 1), ==, WM_OK);
  g_assert_cmpint (wm_classifier_run_window_i16 (&cls, frames, 1, (guint16[3]) { 0 }), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpstr (wm_status_to_string (WM_ERR_CRC_MISMATCH), ==, "CRC mismatch");
}

/* Every truncation and every single-byte change (CRCs repaired so the parser looks deeper)
 * must give a status, never a crash or an out-of-bounds read (run under ASan in the fuzz
 * build); files that still parse must classify a window. */
static void
check_hostile (GByteArray *file)
{
  wm_model_t model;

  if (wm_model_parse (file->data, file->len, &model) == WM_OK)
    {
      wm_classifier_t cls;
      guint32 size = wm_classifier_buffer_size (&model);
      guint32 frames = wm_model_window_frames (&model);
      g_autofree guint64 *buffer = g_malloc0 (size + 8);
      g_autofree gint16 *in = g_new0 (gint16, (gsize) frames * model.frontend.channels);
      g_autofree float *fin = g_new0 (float, (gsize) frames * model.frontend.channels);
      guint16 p[WM_MAX_CLASSES];
      float fp[WM_MAX_CLASSES];

      g_assert_cmpint (wm_classifier_init (&cls, &model, buffer, size, NULL, NULL), ==, WM_OK);
      if (model.variant == WM_VARIANT_INT8)
        g_assert_cmpint (wm_classifier_run_window_i16 (&cls, in, frames, p), ==, WM_OK);
      else
        g_assert_cmpint (wm_classifier_run_window_f32 (&cls, fin, frames, fp), ==, WM_OK);
    }
}

static void
test_hostile_edits (void)
{
  g_autoptr(GByteArray) original = build_default (WM_VARIANT_INT8);
  static const guint8 values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
  guint parsed = 0;

  for (guint len = 0; len < original->len; len++)
    g_assert_cmpint (wm_model_parse (original->data, len, &(wm_model_t) { 0 }), <, 0);

  for (guint i = 0; i < original->len; i++)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++)
      {
        g_autoptr(GByteArray) file = g_byte_array_sized_new (original->len);
        wm_model_t model;

        g_byte_array_append (file, original->data, original->len);
        if (file->data[i] == values[v])
          continue;
        file->data[i] = values[v];
        g_assert_cmpint (parse (file), <, 0);
        wmm_fix_crcs (file);
        check_hostile (file);
        if (wm_model_parse (file->data, file->len, &model) == WM_OK)
          parsed++;
      }
  g_test_message ("%u edited files still parse (weights, scales, names)", parsed);
  g_assert_cmpuint (parsed, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inference/model/valid", test_valid);
  g_test_add_func ("/inference/model/logmel-and-layers", test_logmel_and_layers);
  g_test_add_func ("/inference/model/error/bad-argument", test_bad_argument);
  g_test_add_func ("/inference/model/error/bad-magic", test_bad_magic);
  g_test_add_func ("/inference/model/error/unsupported-version", test_unsupported_version);
  g_test_add_func ("/inference/model/error/truncated", test_truncated);
  g_test_add_func ("/inference/model/error/crc-mismatch", test_crc_mismatch);
  g_test_add_func ("/inference/model/error/unknown-variant", test_unknown_variant);
  g_test_add_func ("/inference/model/error/bad-section", test_bad_section);
  g_test_add_func ("/inference/model/error/bad-shape", test_bad_shape);
  g_test_add_func ("/inference/model/error/unknown-quantization", test_unknown_quantization);
  g_test_add_func ("/inference/model/error/unknown-frontend", test_unknown_frontend);
  g_test_add_func ("/inference/model/error/bad-tensor", test_bad_tensor);
  g_test_add_func ("/inference/model/error/bad-string", test_bad_string);
  g_test_add_func ("/inference/model/error/bad-parameter", test_bad_parameter);
  g_test_add_func ("/inference/model/error/buffer-too-small-and-wrong-variant",
                   test_buffer_and_variant);
  g_test_add_func ("/inference/model/hostile-edits", test_hostile_edits);

  return g_test_run ();
}
