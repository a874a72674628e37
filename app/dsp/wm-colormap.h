/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-colormap.h — 256-entry colour maps for spectrograms
 *
 * Viridis and magma follow the published maps through nine key colours
 * each (the colours R's viridisLite prints for viridis(9) and magma(9));
 * between keys the colour moves in a straight line in CIELAB (D65), so
 * lightness L* rises linearly within each segment and the map stays
 * monotonic in luminance.  Grey runs L* from 0 to 100 linearly, so equal
 * steps in dB look like equal steps in brightness.  The tables are computed
 * once, on first use.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  WM_COLORMAP_VIRIDIS,
  WM_COLORMAP_MAGMA,
  WM_COLORMAP_GREY,
} WmColormap;

#define WM_COLORMAP_N_ENTRIES 256

/* WM_COLORMAP_N_ENTRIES entries of R, G, B, A bytes (A = 255), from the
 * lowest value to the highest. */
const guint8 *wm_colormap_get_table   (WmColormap   colormap);
const char   *wm_colormap_to_string   (WmColormap   colormap);
gboolean      wm_colormap_from_string (const char  *str,
                                       WmColormap  *out_colormap);

/* CIE L* (0 … 100) of an sRGB colour. */
double        wm_srgb_lightness       (guint8       r,
                                       guint8       g,
                                       guint8       b);

G_END_DECLS
