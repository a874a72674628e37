/* wm-npy.h — NumPy's .npy format: header and little-endian elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The header of a C-order .npy file (format version 1.0) of @n_dims
 * dimensions @shape and element type @descr ("<f4", "<i4", …): what comes
 * before the data. */
GBytes *wm_npy_header            (const char    *descr,
                                  const guint64 *shape,
                                  guint          n_dims);

/* int16 samples as float32 in [-1, 1), exact (a power-of-two scale). */
void    wm_npy_float_from_int16  (const gint16  *in,
                                  float         *out,
                                  gsize          n);

/* @values in place as the little-endian float32 of "<f4" (nothing to do on
 * a little-endian machine). */
void    wm_npy_float_to_le       (float         *values,
                                  gsize          n);

G_END_DECLS
