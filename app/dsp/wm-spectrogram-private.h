/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spectrogram-private.h — shared between the spectrogram's source files */

#pragma once

#include "wm-spectrogram.h"

G_BEGIN_DECLS

/* source, recording_id and channel name the samples in tile-cache keys:
 * spectrograms with equal ones share cached tiles. */
WmSpectrogram *wm_spectrogram_new_internal (GQuark                      source,
                                            gint64                      recording_id,
                                            guint                       channel,
                                            gint64                      n_frames,
                                            double                      sample_rate,
                                            const WmSpectrogramParams  *params,
                                            WmTileCache                *cache,
                                            WmSampleReadFunc            read_func,
                                            gpointer                    user_data,
                                            GDestroyNotify              destroy,
                                            GError                    **error);

G_END_DECLS
