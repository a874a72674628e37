/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-stft.h — short-time Fourier transform of one channel into dB columns
 *
 * A WmStft turns a run of samples into spectrogram columns: Hann window
 * (periodic), real FFT through FFTW (single precision), power normalised so
 * that a full-scale sine centred on a bin reads 0 dB, then 10·log10 with a
 * floor.  Column c of a recording is the frame whose centre is frame c·hop,
 * i.e. frames [c·hop − fft/2, c·hop + fft/2); samples outside the recording
 * count as zero.
 *
 * One WmStft owns its scratch buffers and is used by one thread at a time;
 * FFTW plans are shared process-wide, made once per FFT size under a lock
 * (FFTW's planner is not thread-safe, its new-array execute is).  Plans are
 * measured (FFTW_MEASURE) and the wisdom is kept in
 * $XDG_CACHE_HOME/waymark/fftwf-wisdom, so only the first run on a machine
 * spends the 0.06–0.24 s per size.  Other code in the process must not use
 * FFTW's planner while a WmStft is being created.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WM_STFT_MIN_FFT_SIZE   256
#define WM_STFT_MAX_FFT_SIZE  4096

typedef struct _WmStft WmStft;

gboolean  wm_stft_is_valid_fft_size (guint        fft_size);
void      wm_hann_window_fill       (float       *window,
                                     guint        size);

WmStft   *wm_stft_new               (guint        fft_size,
                                     guint        hop,
                                     float        floor_db);
void      wm_stft_free              (WmStft      *self);
guint     wm_stft_get_fft_size      (const WmStft *self);
guint     wm_stft_get_hop           (const WmStft *self);
guint     wm_stft_get_n_bins        (const WmStft *self);
float     wm_stft_get_floor_db      (const WmStft *self);
gsize     wm_stft_input_length      (const WmStft *self,
                                     guint        n_columns);
void      wm_stft_run               (WmStft      *self,
                                     const float *input,
                                     guint        n_columns,
                                     float       *out_db);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmStft, wm_stft_free)

G_END_DECLS
