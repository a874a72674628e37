/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <math.h>
#include <string.h>

#include "wm-spectrogram-render.h"

/* Which bins one output row reads. */
typedef struct {
  guint    first_bin;
  guint    last_bin;   /* inclusive; the loudest of first … last */
  float    fraction;   /* when interpolating: weight of last_bin */
  gboolean interpolate;
  gboolean above_nyquist;
} RowSource;

static void
map_rows (const WmSpectrogramRenderOptions *options,
          guint                             n_bins,
          RowSource                        *rows)
{
  double bins_per_hz = options->fft_size / options->sample_rate;

  for (guint r = 0; r < options->axis.height; r++)
    {
      double top = wm_frequency_axis_row_to_hz (&options->axis, r) * bins_per_hz;
      double bottom = wm_frequency_axis_row_to_hz (&options->axis, r + 1.0) * bins_per_hz;
      double centre = wm_frequency_axis_row_to_hz (&options->axis, r + 0.5) * bins_per_hz;
      RowSource *row = &rows[r];

      memset (row, 0, sizeof *row);
      if (centre > n_bins - 1)
        {
          row->above_nyquist = TRUE;
        }
      else if (top - bottom >= 1.0)
        {
          row->first_bin = (guint) MAX (ceil (bottom), 0.0);
          row->last_bin = (guint) MIN (floor (top), (double) (n_bins - 1));
          if (row->last_bin < row->first_bin)
            row->last_bin = row->first_bin;
        }
      else
        {
          double lower = floor (MAX (centre, 0.0));

          row->interpolate = TRUE;
          row->first_bin = (guint) lower;
          row->last_bin = MIN (row->first_bin + 1, n_bins - 1);
          row->fraction = (float) (MAX (centre, 0.0) - lower);
        }
    }
}

void
wm_spectrogram_render_tile (const WmSpectrogramTile          *tile,
                            const WmSpectrogramRenderOptions *options,
                            guint8                           *pixels,
                            gsize                             stride)
{
  g_autofree RowSource *rows = NULL;
  const guint32 *colours;
  float scale;

  g_return_if_fail (tile != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->axis.height > 0);
  g_return_if_fail (options->fft_size / 2 + 1 == tile->n_bins);
  g_return_if_fail (options->ceiling_db > options->floor_db);
  g_return_if_fail (pixels != NULL);
  g_return_if_fail (stride >= (gsize) tile->n_columns * 4 && stride % 4 == 0);

  rows = g_new (RowSource, options->axis.height);
  map_rows (options, tile->n_bins, rows);
  colours = (const guint32 *) (gconstpointer) wm_colormap_get_table (options->colormap);
  scale = (WM_COLORMAP_N_ENTRIES - 1) / (options->ceiling_db - options->floor_db);

  for (guint r = 0; r < options->axis.height; r++)
    {
      const RowSource *row = &rows[r];
      guint32 *out = (guint32 *) (gpointer) (pixels + r * stride);

      for (guint c = 0; c < tile->n_columns; c++)
        {
          const float *column = tile->data + (gsize) c * tile->n_bins;
          float value;
          float index;

          if (row->above_nyquist)
            {
              out[c] = colours[0];
              continue;
            }

          if (row->interpolate)
            {
              value = column[row->first_bin] +
                      row->fraction * (column[row->last_bin] - column[row->first_bin]);
            }
          else
            {
              value = column[row->first_bin];
              for (guint b = row->first_bin + 1; b <= row->last_bin; b++)
                value = MAX (value, column[b]);
            }

          index = (value - options->floor_db) * scale;
          out[c] = colours[(guint) CLAMP (index + 0.5f, 0.0f, (float) (WM_COLORMAP_N_ENTRIES - 1))];
        }
    }
}
