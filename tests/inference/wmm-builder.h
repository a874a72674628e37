/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wmm-builder.h: builds valid .wmm files in memory for the inference tests.
 *
 * This is a test helper, not the product converter (that is inference/tools/wmm-convert):
 * it draws random float weights from a seed and, for the int8 variant, quantises them with
 * the formulas of FORMAT.md so the two variants of one spec describe the same model. */
#pragma once

#include <glib.h>

#include "wm-model.h"

G_BEGIN_DECLS

typedef struct
{
  wm_variant_t variant;
  wm_frontend_kind_t frontend;
  wm_output_t output;
  guint n_layers;
  guint hidden[WM_MAX_LAYERS];
  guint n_classes;
  guint channels;       /* raw/sensor: features = channels */
  guint window;
  guint hop;
  guint frame_length;   /* logmel only */
  guint frame_step;     /* logmel only */
  guint n_mels;         /* logmel only */
  guint sample_rate;
  guint32 seed;
  double weight_range;  /* weights uniform in ±weight_range (0: 0.5) */
} WmmSpec;

/* A default spec: int8, sensor, 1 layer of 8, 3 channels, 3 classes, W 16, H 8. */
void        wmm_spec_init         (WmmSpec        *spec);

/* A complete, valid model file. */
GByteArray *wmm_build             (const WmmSpec  *spec);

/* Where a section of a built file lives; FALSE if absent. */
gboolean    wmm_find_section      (GByteArray     *file,
                                   guint32         type,
                                   guint32        *offset,
                                   guint32        *length,
                                   guint          *entry);

/* Byte offset of the first TENSORS entry of that kind (and layer/gate), or 0. */
guint32     wmm_find_tensor       (GByteArray     *file,
                                   guint8          kind,
                                   guint8          layer,
                                   guint8          gate);

/* Recompute every section CRC and the file CRC after a test edited the bytes. */
void        wmm_fix_crcs          (GByteArray     *file);

void        wmm_put_u32           (GByteArray     *file,
                                   guint32         offset,
                                   guint32         value);
guint32     wmm_get_u32           (GByteArray     *file,
                                   guint32         offset);

G_END_DECLS
