/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-tile-cache.h — spectrogram tiles and the LRU cache that holds them
 *
 * A tile is a run of consecutive spectrogram columns of one channel, as dB
 * values, column after column (data[c · n_bins + b], bin 0 = 0 Hz).  Tiles
 * are immutable and reference counted, so a view can keep drawing one that
 * the cache has already evicted.
 *
 * WmTileCache is bounded by bytes and evicts the least recently used tile.
 * It is thread-safe: workers insert, the main thread looks up.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  guint   index;        /* tile index: columns [index · tile_columns, …) */
  gint64  first_column;
  guint   n_columns;    /* the last tile of a recording may be short */
  guint   n_bins;       /* fft_size / 2 + 1 */
  float  *data;         /* n_columns × n_bins dB values */
} WmSpectrogramTile;

#define WM_TYPE_SPECTROGRAM_TILE (wm_spectrogram_tile_get_type ())

GType              wm_spectrogram_tile_get_type   (void) G_GNUC_CONST;
/* data is left uninitialised for the caller to fill. */
WmSpectrogramTile *wm_spectrogram_tile_new        (guint                    index,
                                                   gint64                   first_column,
                                                   guint                    n_columns,
                                                   guint                    n_bins);
WmSpectrogramTile *wm_spectrogram_tile_ref        (WmSpectrogramTile       *tile);
void               wm_spectrogram_tile_unref      (WmSpectrogramTile       *tile);
gsize              wm_spectrogram_tile_get_bytes  (const WmSpectrogramTile *tile);

/* What a tile's values depend on.  source names the samples: a project path
 * with its recording id, or a unique name for in-memory samples. */
typedef struct {
  GQuark  source;
  gint64  recording_id;
  guint   channel;
  guint   fft_size;
  guint   hop;
  float   floor_db;
  guint   tile_columns;
  guint   index;
} WmTileKey;

#define WM_TYPE_TILE_CACHE (wm_tile_cache_get_type ())
G_DECLARE_FINAL_TYPE (WmTileCache, wm_tile_cache, WM, TILE_CACHE, GObject)

#define WM_TILE_CACHE_DEFAULT_MAX_BYTES (256 * 1024 * 1024)

WmTileCache       *wm_tile_cache_new              (gsize                    max_bytes);
WmTileCache       *wm_tile_cache_get_default      (void);
WmSpectrogramTile *wm_tile_cache_lookup           (WmTileCache             *self,
                                                   const WmTileKey         *key);
void               wm_tile_cache_insert           (WmTileCache             *self,
                                                   const WmTileKey         *key,
                                                   WmSpectrogramTile       *tile);
void               wm_tile_cache_clear            (WmTileCache             *self);
gsize              wm_tile_cache_get_bytes        (WmTileCache             *self);
gsize              wm_tile_cache_get_max_bytes    (WmTileCache             *self);
void               wm_tile_cache_set_max_bytes    (WmTileCache             *self,
                                                   gsize                    max_bytes);
guint              wm_tile_cache_get_n_tiles      (WmTileCache             *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmSpectrogramTile, wm_spectrogram_tile_unref)

G_END_DECLS
