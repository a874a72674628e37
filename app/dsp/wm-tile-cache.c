/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include "wm-tile-cache.h"

G_DEFINE_BOXED_TYPE (WmSpectrogramTile, wm_spectrogram_tile,
                     wm_spectrogram_tile_ref, wm_spectrogram_tile_unref)

typedef struct {
  WmSpectrogramTile tile; /* first, so a tile pointer is a TileBox pointer */
  gatomicrefcount   ref_count;
  gsize             data_bytes;
} TileBox;

/* Values blocks of released tiles, kept for the next tiles of the same
 * size.  A tile's values are over the C library's mmap threshold, so
 * without this every evicted tile is unmapped and every new one mapped and
 * faulted in page by page, which took half the time of a full-resolution
 * spectrogram. */
#define RECYCLE_MAX_BYTES ((gsize) 64 * 1024 * 1024)

static GMutex     recycle_lock;
static GPtrArray *recycled;       /* of float*, all of recycled_bytes_each */
static gsize      recycled_bytes_each;

static float *
take_block (gsize bytes)
{
  float *block = NULL;

  g_mutex_lock (&recycle_lock);
  if (recycled != NULL && recycled->len > 0 && recycled_bytes_each == bytes)
    block = g_ptr_array_steal_index_fast (recycled, recycled->len - 1);
  g_mutex_unlock (&recycle_lock);

  return block;
}

static void
give_block (float *block,
            gsize  bytes)
{
  g_mutex_lock (&recycle_lock);

  if (recycled == NULL)
    recycled = g_ptr_array_new_with_free_func (g_free);

  /* Keep blocks of one size only: the size of the tiles being made now. */
  if (recycled_bytes_each != bytes)
    {
      g_ptr_array_set_size (recycled, 0);
      recycled_bytes_each = bytes;
    }

  if ((recycled->len + 1) * bytes <= RECYCLE_MAX_BYTES)
    {
      g_ptr_array_add (recycled, block);
      block = NULL;
    }

  g_mutex_unlock (&recycle_lock);
  g_free (block);
}

/* The values are not initialised: whoever makes a tile fills all of it. */
WmSpectrogramTile *
wm_spectrogram_tile_new (guint  index,
                         gint64 first_column,
                         guint  n_columns,
                         guint  n_bins)
{
  TileBox *box;

  g_return_val_if_fail (n_columns > 0 && n_bins > 0, NULL);

  box = g_new0 (TileBox, 1);
  g_atomic_ref_count_init (&box->ref_count);
  box->data_bytes = (gsize) n_columns * n_bins * sizeof (float);
  box->tile.index = index;
  box->tile.first_column = first_column;
  box->tile.n_columns = n_columns;
  box->tile.n_bins = n_bins;
  box->tile.data = take_block (box->data_bytes);
  if (box->tile.data == NULL)
    box->tile.data = g_malloc (box->data_bytes);

  return &box->tile;
}

WmSpectrogramTile *
wm_spectrogram_tile_ref (WmSpectrogramTile *tile)
{
  TileBox *box = (TileBox *) tile;

  g_return_val_if_fail (tile != NULL, NULL);

  g_atomic_ref_count_inc (&box->ref_count);
  return tile;
}

void
wm_spectrogram_tile_unref (WmSpectrogramTile *tile)
{
  TileBox *box = (TileBox *) tile;

  g_return_if_fail (tile != NULL);

  if (g_atomic_ref_count_dec (&box->ref_count))
    {
      give_block (box->tile.data, box->data_bytes);
      g_free (box);
    }
}

gsize
wm_spectrogram_tile_get_bytes (const WmSpectrogramTile *tile)
{
  const TileBox *box = (const TileBox *) tile;

  g_return_val_if_fail (tile != NULL, 0);

  return sizeof (TileBox) + box->data_bytes;
}

typedef struct {
  WmTileKey          key;
  WmSpectrogramTile *tile;
  GList              link; /* in lru, most recent first */
} CacheEntry;

struct _WmTileCache
{
  GObject     parent_instance;

  GMutex      lock;
  GHashTable *entries; /* WmTileKey* (inside the entry) → CacheEntry* */
  GQueue      lru;
  gsize       bytes;
  gsize       max_bytes;
};

G_DEFINE_FINAL_TYPE (WmTileCache, wm_tile_cache, G_TYPE_OBJECT)

static guint
tile_key_hash (gconstpointer data)
{
  const WmTileKey *key = data;
  guint h = key->source;

  h = h * 31 + (guint) key->recording_id;
  h = h * 31 + key->channel;
  h = h * 31 + key->fft_size;
  h = h * 31 + key->hop;
  h = h * 31 + key->tile_columns;
  h = h * 31 + key->index;
  return h;
}

static gboolean
tile_key_equal (gconstpointer a,
                gconstpointer b)
{
  const WmTileKey *ka = a;
  const WmTileKey *kb = b;

  return ka->source == kb->source &&
         ka->recording_id == kb->recording_id &&
         ka->channel == kb->channel &&
         ka->fft_size == kb->fft_size &&
         ka->hop == kb->hop &&
         ka->floor_db == kb->floor_db &&
         ka->tile_columns == kb->tile_columns &&
         ka->index == kb->index;
}

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  wm_spectrogram_tile_unref (entry->tile);
  g_free (entry);
}

/* Called with the lock held. */
static void
remove_entry (WmTileCache *self,
              CacheEntry  *entry)
{
  g_queue_unlink (&self->lru, &entry->link);
  self->bytes -= wm_spectrogram_tile_get_bytes (entry->tile);
  g_hash_table_remove (self->entries, &entry->key);
}

/* Called with the lock held.  The most recent tile stays even when it alone
 * is larger than the budget, so that an insert is always visible. */
static void
evict (WmTileCache *self)
{
  while (self->bytes > self->max_bytes && self->lru.length > 1)
    remove_entry (self, g_queue_peek_tail (&self->lru));
}

static void
wm_tile_cache_finalize (GObject *object)
{
  WmTileCache *self = WM_TILE_CACHE (object);

  g_hash_table_destroy (self->entries);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (wm_tile_cache_parent_class)->finalize (object);
}

static void
wm_tile_cache_class_init (WmTileCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wm_tile_cache_finalize;
}

static void
wm_tile_cache_init (WmTileCache *self)
{
  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new_full (tile_key_hash, tile_key_equal, NULL, cache_entry_free);
  g_queue_init (&self->lru);
  self->max_bytes = WM_TILE_CACHE_DEFAULT_MAX_BYTES;
}

WmTileCache *
wm_tile_cache_new (gsize max_bytes)
{
  WmTileCache *self = g_object_new (WM_TYPE_TILE_CACHE, NULL);

  self->max_bytes = max_bytes;
  return self;
}

/**
 * wm_tile_cache_get_default:
 *
 * The process-wide cache that spectrograms share unless given their own, so
 * that switching a view's settings back finds the tiles it had.
 *
 * Returns: (transfer none): the default cache
 */
WmTileCache *
wm_tile_cache_get_default (void)
{
  static WmTileCache *default_cache;

  if (g_once_init_enter (&default_cache))
    g_once_init_leave (&default_cache, wm_tile_cache_new (WM_TILE_CACHE_DEFAULT_MAX_BYTES));

  return default_cache;
}

/* Returns: (transfer full) (nullable): the tile, now the most recent one */
WmSpectrogramTile *
wm_tile_cache_lookup (WmTileCache     *self,
                      const WmTileKey *key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  CacheEntry *entry;

  g_return_val_if_fail (WM_IS_TILE_CACHE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL)
    return NULL;

  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);
  return wm_spectrogram_tile_ref (entry->tile);
}

/* Replaces a tile under the same key. */
void
wm_tile_cache_insert (WmTileCache       *self,
                      const WmTileKey   *key,
                      WmSpectrogramTile *tile)
{
  g_autoptr(GMutexLocker) locker = NULL;
  CacheEntry *entry;

  g_return_if_fail (WM_IS_TILE_CACHE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (tile != NULL);

  locker = g_mutex_locker_new (&self->lock);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry != NULL)
    remove_entry (self, entry);

  entry = g_new0 (CacheEntry, 1);
  entry->key = *key;
  entry->tile = wm_spectrogram_tile_ref (tile);
  entry->link.data = entry;
  g_hash_table_insert (self->entries, &entry->key, entry);
  g_queue_push_head_link (&self->lru, &entry->link);
  self->bytes += wm_spectrogram_tile_get_bytes (tile);
  evict (self);
}

void
wm_tile_cache_clear (WmTileCache *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (WM_IS_TILE_CACHE (self));

  locker = g_mutex_locker_new (&self->lock);
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->entries);
  self->bytes = 0;
}

gsize
wm_tile_cache_get_bytes (WmTileCache *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (WM_IS_TILE_CACHE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return self->bytes;
}

gsize
wm_tile_cache_get_max_bytes (WmTileCache *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (WM_IS_TILE_CACHE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return self->max_bytes;
}

void
wm_tile_cache_set_max_bytes (WmTileCache *self,
                             gsize        max_bytes)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (WM_IS_TILE_CACHE (self));

  locker = g_mutex_locker_new (&self->lock);
  self->max_bytes = max_bytes;
  evict (self);
}

guint
wm_tile_cache_get_n_tiles (WmTileCache *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (WM_IS_TILE_CACHE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return self->lru.length;
}
