/* wm-spectrogram-view.h — stacked channel spectrograms from dsp's tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-colormap.h"
#include "wm-frequency-axis.h"
#include "wm-timeline-part.h"

G_BEGIN_DECLS

#define WM_TYPE_SPECTROGRAM_VIEW (wm_spectrogram_view_get_type ())
G_DECLARE_FINAL_TYPE (WmSpectrogramView, wm_spectrogram_view, WM, SPECTROGRAM_VIEW, WmTimelinePart)

GtkWidget *wm_spectrogram_view_new          (WmTimeline        *timeline);
/* The project the samples come from (NULL for none). */
void       wm_spectrogram_view_set_path     (WmSpectrogramView *self,
                                             const char        *path);
/* Analysis: FFT size and hop (frames between columns at the deepest zoom). */
void       wm_spectrogram_view_set_analysis (WmSpectrogramView *self,
                                             guint              fft_size,
                                             guint              hop);
/* Display: dB range, colour map, frequency axis. */
void       wm_spectrogram_view_set_display  (WmSpectrogramView *self,
                                             double             floor_db,
                                             double             ceiling_db,
                                             WmColormap         colormap,
                                             WmFrequencyScale   scale);
gboolean   wm_spectrogram_view_get_busy     (WmSpectrogramView *self);
/* TRUE when every tile of the visible range is drawn at the right detail. */
gboolean   wm_spectrogram_view_is_current   (WmSpectrogramView *self);

G_END_DECLS
