/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spectrogram.h — tiled, cached, multi-threaded spectrogram of one channel
 *
 * A WmSpectrogram computes the short-time spectrum (see wm-stft.h: periodic
 * Hann window, FFTW, dB relative to a full-scale sine, clamped at a floor)
 * of one channel of a recording.  Column c is centred on frame c·hop; there
 * are ceil (n_frames / hop) columns.  The time axis is cut into tiles of
 * params.tile_columns columns; tile t holds columns [t·tile_columns, …).
 *
 * Asynchronous use (the view): look a tile up with
 * wm_spectrogram_lookup_tile(); on a miss call wm_spectrogram_request_tile().
 * The tile is computed in a worker of a process-wide GThreadPool (one worker
 * per core), put into the tile cache, and announced by the ::tile-ready
 * signal (or ::tile-failed) on the thread-default main context of the thread
 * that created the spectrogram.  When the view moves, call
 * wm_spectrogram_cancel_pending(): requests made before it are dropped by the
 * workers unless already running, and their results, if any, go into the
 * cache without a signal.
 *
 * Synchronous use (tests, the CLI): wm_spectrogram_compute_range() computes
 * columns in the calling thread, bypassing the cache.
 *
 * Samples come from a project (wm_spectrogram_new_for_store: every worker
 * reads through a read-only WmStore of its own) or from a caller's read
 * function (wm_spectrogram_new_for_reader).
 */

#pragma once

#include <glib-object.h>

#include "wm-tile-cache.h"

G_BEGIN_DECLS

#define WM_SPECTROGRAM_ERROR (wm_spectrogram_error_quark ())

typedef enum {
  WM_SPECTROGRAM_ERROR_INVALID = 1, /* parameters or a range out of bounds */
  WM_SPECTROGRAM_ERROR_READ,        /* the samples could not be read */
} WmSpectrogramError;

GQuark wm_spectrogram_error_quark (void);

typedef struct {
  guint fft_size;     /* a power of two, 256 … 4096 */
  guint hop;          /* frames between columns, 1 … fft_size */
  float floor_db;     /* values below are clamped to it */
  guint tile_columns; /* columns per tile, >= 1 */
} WmSpectrogramParams;

/* The defaults of the analysis and of the display, in one place: the
 * GSettings schema (data/org.waymark.Waymark.gschema.xml, keys fft-size, hop,
 * db-floor, db-ceiling) and the views start from these, and
 * tests/dsp/test-spectrogram-defaults checks that the schema agrees. */
#define WM_SPECTROGRAM_DEFAULT_FFT_SIZE     1024
#define WM_SPECTROGRAM_DEFAULT_HOP           512
/* Where the analysis clamps levels: below any display floor worth showing. */
#define WM_SPECTROGRAM_DEFAULT_FLOOR_DB   -120.0f
#define WM_SPECTROGRAM_DEFAULT_TILE_COLUMNS  256
/* The levels drawn with the first and the last colour of the colour map. */
#define WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB   -100.0
#define WM_SPECTROGRAM_DEFAULT_DISPLAY_CEILING_DB    0.0

void     wm_spectrogram_params_init  (WmSpectrogramParams        *params);
gboolean wm_spectrogram_params_check (const WmSpectrogramParams  *params,
                                      GError                    **error);

/* Reads frames [first_frame, first_frame + n_frames) of the channel as
 * float.  Called from several worker threads at once. */
typedef gboolean (*WmSampleReadFunc) (gpointer   user_data,
                                      gint64     first_frame,
                                      gsize      n_frames,
                                      float     *out,
                                      GError   **error);

#define WM_TYPE_SPECTROGRAM (wm_spectrogram_get_type ())
G_DECLARE_FINAL_TYPE (WmSpectrogram, wm_spectrogram, WM, SPECTROGRAM, GObject)

WmSpectrogram             *wm_spectrogram_new_for_store   (const char                 *path,
                                                           gint64                      recording_id,
                                                           guint                       channel,
                                                           const WmSpectrogramParams  *params,
                                                           WmTileCache                *cache,
                                                           GError                    **error);
WmSpectrogram             *wm_spectrogram_new_for_reader  (gint64                      n_frames,
                                                           double                      sample_rate,
                                                           const WmSpectrogramParams  *params,
                                                           WmTileCache                *cache,
                                                           WmSampleReadFunc            read_func,
                                                           gpointer                    user_data,
                                                           GDestroyNotify              destroy,
                                                           GError                    **error);

const WmSpectrogramParams *wm_spectrogram_get_params      (WmSpectrogram              *self);
gint64                     wm_spectrogram_get_n_frames    (WmSpectrogram              *self);
double                     wm_spectrogram_get_sample_rate (WmSpectrogram              *self);
guint                      wm_spectrogram_get_n_bins      (WmSpectrogram              *self);
gint64                     wm_spectrogram_get_n_columns   (WmSpectrogram              *self);
guint                      wm_spectrogram_get_n_tiles     (WmSpectrogram              *self);
WmTileCache               *wm_spectrogram_get_cache       (WmSpectrogram              *self);
double                     wm_spectrogram_bin_to_frequency (WmSpectrogram             *self,
                                                           double                      bin);
gint64                     wm_spectrogram_column_to_frame (WmSpectrogram              *self,
                                                           gint64                      column);
gint64                     wm_spectrogram_frame_to_column (WmSpectrogram              *self,
                                                           gint64                      frame);

WmSpectrogramTile         *wm_spectrogram_lookup_tile     (WmSpectrogram              *self,
                                                           guint                       tile_index);
gboolean                   wm_spectrogram_request_tile    (WmSpectrogram              *self,
                                                           guint                       tile_index);
guint                      wm_spectrogram_cancel_pending  (WmSpectrogram              *self);
guint                      wm_spectrogram_get_generation  (WmSpectrogram              *self);
guint                      wm_spectrogram_get_n_in_flight (WmSpectrogram              *self);
guint                      wm_spectrogram_get_n_computed  (WmSpectrogram              *self);
guint                      wm_spectrogram_get_n_cancelled (WmSpectrogram              *self);

gboolean                   wm_spectrogram_compute_range   (WmSpectrogram              *self,
                                                           gint64                      first_column,
                                                           gint64                      n_columns,
                                                           float                      *out_db,
                                                           GError                    **error);

G_END_DECLS
