/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-frequency-axis.h — where a frequency lands on a spectrogram's height
 *
 * Rows are a continuous coordinate: 0 is the top edge (max_hz), height the
 * bottom edge (min_hz); pixel row r covers [r, r + 1).  The scales:
 *   linear  row position proportional to Hz;
 *   log     proportional to log(Hz), so min_hz must be > 0;
 *   mel     proportional to mel, with the HTK formula
 *           mel = 2595 · log10 (1 + Hz / 700)
 *           (Slaney's variant, linear below 1 kHz, is not used: HTK's is
 *           the one whose inverse needs no case split).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  WM_FREQUENCY_SCALE_LINEAR,
  WM_FREQUENCY_SCALE_LOG,
  WM_FREQUENCY_SCALE_MEL,
} WmFrequencyScale;

typedef struct {
  WmFrequencyScale scale;
  double           min_hz;
  double           max_hz;
  guint            height;
} WmFrequencyAxis;

double      wm_hz_to_mel                    (double                 hz);
double      wm_mel_to_hz                    (double                 mel);

gboolean    wm_frequency_axis_init          (WmFrequencyAxis       *axis,
                                             WmFrequencyScale       scale,
                                             double                 min_hz,
                                             double                 max_hz,
                                             guint                  height,
                                             GError               **error);
double      wm_frequency_axis_default_min_hz (WmFrequencyScale      scale,
                                             double                 sample_rate,
                                             guint                  fft_size);
double      wm_frequency_axis_hz_to_row     (const WmFrequencyAxis *axis,
                                             double                 hz);
double      wm_frequency_axis_row_to_hz     (const WmFrequencyAxis *axis,
                                             double                 row);
guint       wm_frequency_axis_ticks         (const WmFrequencyAxis *axis,
                                             double                 min_spacing,
                                             double                *out_hz,
                                             guint                  max_ticks);

const char *wm_frequency_scale_to_string    (WmFrequencyScale       scale);
gboolean    wm_frequency_scale_from_string  (const char            *str,
                                             WmFrequencyScale      *out_scale);

G_END_DECLS
