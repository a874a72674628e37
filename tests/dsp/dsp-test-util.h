/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dsp-test-util.h — in-memory samples and main-loop helpers for dsp tests */

#pragma once

#include <glib.h>

#include "wm-spectrogram.h"

typedef struct {
  float  *samples;
  gint64  n_frames;
} MemorySignal;

MemorySignal  *memory_signal_new_sine   (gint64         n_frames,
                                         double         sample_rate,
                                         double         hz,
                                         double         amplitude);
void           memory_signal_free       (gpointer       data);
gboolean       memory_signal_read       (gpointer       user_data,
                                         gint64         first_frame,
                                         gsize          n_frames,
                                         float         *out,
                                         GError       **error);
WmSpectrogram *memory_spectrogram_new   (MemorySignal  *signal,
                                         double         sample_rate,
                                         const WmSpectrogramParams *params,
                                         WmTileCache   *cache);
/* Runs the thread-default main context until no job is in flight and no
 * delivery is pending. */
void           wait_for_idle            (WmSpectrogram *spectrogram);
