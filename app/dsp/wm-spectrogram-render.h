/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spectrogram-render.h — spectrogram tiles to RGBA pixels
 *
 * One pixel column per spectrogram column, axis->height rows, bytes R, G,
 * B, A (GDK_MEMORY_R8G8B8A8).  A row that spans several FFT bins shows the
 * loudest of them, so narrow peaks survive at any height; a row narrower
 * than a bin interpolates linearly between the two nearest bins.  Values
 * map linearly from floor_db (first colour) to ceiling_db (last colour),
 * clamped; rows above the Nyquist frequency show the first colour.  pixels
 * must be 4-byte aligned and stride a multiple of 4.
 */

#pragma once

#include <glib.h>

#include "wm-colormap.h"
#include "wm-frequency-axis.h"
#include "wm-tile-cache.h"

G_BEGIN_DECLS

typedef struct {
  WmFrequencyAxis axis;
  double          sample_rate;
  guint           fft_size;
  float           floor_db;
  float           ceiling_db;
  WmColormap      colormap;
} WmSpectrogramRenderOptions;

void wm_spectrogram_render_tile (const WmSpectrogramTile          *tile,
                                 const WmSpectrogramRenderOptions *options,
                                 guint8                           *pixels,
                                 gsize                             stride);

G_END_DECLS
