/* wm-spectrogram-view.c — stacked channel spectrograms from dsp's tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Level of detail: at level k one spectrogram column stands for
 * stride = hop · 2^k frames, with k the smallest level whose stride covers
 * a pixel column, so a view never asks for more than about one column per
 * pixel.  Up to stride = fft-size the columns come straight from a
 * WmSpectrogram with that hop.  Beyond it (a zoomed-out view of hours) a
 * WmSpectrogram with hop = fft-size runs over a "strided" sample source:
 * virtual column c is the FFT window centred on real frame c · stride, so
 * dsp's tiles, workers and cache serve every zoom level alike.  Samples
 * are read in dsp's workers through read-only stores that those workers
 * open; the main thread never touches SQLite here.
 *
 * Tiles become GdkMemoryTextures rendered at the channel's pixel height
 * (kept until the height or the display settings change), a few
 * milliseconds' worth per frame.  A tile not yet computed is requested
 * and, meanwhile, covered by what coarser levels have drawn of that
 * stretch.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wm-spectrogram-render.h"
#include "wm-spectrogram-view.h"
#include "wm-spectrogram.h"
#include "wm-view-draw.h"

#define TILE_COLUMNS 256
#define MAX_LEVEL    40
#define KEEP_TILES   8   /* textures kept either side of the view */
#define RENDER_BUDGET_US 4000 /* colouring tiles per frame */

typedef struct _StorePool StorePool;

typedef struct {
  WmSpectrogramView *view;
  WmSpectrogram     *spectrogram;
  GHashTable        *textures;   /* tile index -> GdkTexture */
  gint64             stride;
  gulong             ready_id;
  gulong             failed_id;
} Level;

typedef struct {
  Level *levels[MAX_LEVEL];
  int    texture_height;
} Channel;

struct _WmSpectrogramView
{
  WmTimelinePart   parent_instance;

  char            *path;
  StorePool       *pool;     /* on path, NULL without one */
  guint            fft_size;
  guint            hop;
  double           floor_db;
  double           ceiling_db;
  WmColormap       colormap;
  WmFrequencyScale scale;

  GPtrArray       *channels;  /* Channel */
  char            *error;
  gboolean         busy;
  guint            busy_poll_id;
  guint            redraw_id;
};

G_DEFINE_FINAL_TYPE (WmSpectrogramView, wm_spectrogram_view, WM_TYPE_TIMELINE_PART)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Sample sources -------------------------------------------------------- */

/* Read-only stores on the project, opened by the workers that need them
 * (never on the main thread) and shared by every level of the view: a
 * worker takes one for the length of a read. */
struct _StorePool {
  gatomicrefcount  ref_count;
  char            *path;
  GMutex           lock;
  GPtrArray       *idle;
};

static StorePool *
store_pool_new (const char *path)
{
  StorePool *pool = g_new0 (StorePool, 1);

  g_atomic_ref_count_init (&pool->ref_count);
  pool->path = g_strdup (path);
  g_mutex_init (&pool->lock);
  pool->idle = g_ptr_array_new_with_free_func (g_object_unref);
  return pool;
}

static StorePool *
store_pool_ref (StorePool *pool)
{
  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

static void
store_pool_unref (StorePool *pool)
{
  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;
  g_ptr_array_unref (pool->idle);
  g_mutex_clear (&pool->lock);
  g_free (pool->path);
  g_free (pool);
}

static WmStore *
store_pool_take (StorePool  *pool,
                 GError    **error)
{
  WmStore *store = NULL;

  g_mutex_lock (&pool->lock);
  if (pool->idle->len > 0)
    store = g_ptr_array_steal_index_fast (pool->idle, pool->idle->len - 1);
  g_mutex_unlock (&pool->lock);
  if (store == NULL)
    store = wm_store_open (pool->path, WM_STORE_OPEN_READ_ONLY, error);
  return store;
}

static void
store_pool_give (StorePool *pool,
                 WmStore   *store)
{
  g_mutex_lock (&pool->lock);
  g_ptr_array_add (pool->idle, store);
  g_mutex_unlock (&pool->lock);
}

/* The samples of one channel as a level's spectrogram sees them.  Plain
 * (stride 0): the recording itself.  Strided: virtual frame v lies in
 * window k = (v + fft/2) / fft at offset o and is real frame
 * k · stride − fft/2 + o, so virtual column k (hop = fft) is the window
 * centred on real frame k · stride. */
typedef struct {
  StorePool *pool;
  gint64     recording_id;
  guint      channel;
  gint64     n_frames;   /* of the real recording */
  guint      fft_size;
  gint64     stride;
} SampleSource;

static void
sample_source_free (gpointer data)
{
  SampleSource *source = data;

  store_pool_unref (source->pool);
  g_free (source);
}

static gboolean
read_real (WmStore      *store,
           SampleSource *source,
           gint64        first,
           gint64        n,
           float        *out,
           GError      **error)
{
  gint64 lo = CLAMP (first, 0, source->n_frames);
  gint64 hi = CLAMP (first + n, 0, source->n_frames);

  /* Outside the recording counts as silence. */
  memset (out, 0, sizeof (float) * (gsize) n);
  if (hi <= lo)
    return TRUE;
  return wm_store_read_frames (store, source->recording_id, source->channel, lo,
                               (gsize) (hi - lo), out + (lo - first), error);
}

static gboolean
sample_source_read (gpointer   user_data,
                    gint64     first_frame,
                    gsize      n_frames,
                    float     *out,
                    GError   **error)
{
  SampleSource *source = user_data;
  g_autoptr(WmStore) store = store_pool_take (source->pool, error);
  gint64 half = source->fft_size / 2;
  gint64 v = first_frame;
  gint64 end = first_frame + (gint64) n_frames;
  gboolean ok = TRUE;

  if (store == NULL)
    return FALSE;

  if (source->stride == 0)
    ok = read_real (store, source, first_frame, (gint64) n_frames, out, error);
  else
    while (ok && v < end)
      {
        gint64 k = (gint64) floor ((double) (v + half) / source->fft_size);
        gint64 o = v + half - k * source->fft_size;
        gint64 run = MIN (source->fft_size - o, end - v);

        ok = read_real (store, source, k * source->stride - half + o, run,
                        out + (v - first_frame), error);
        v += run;
      }

  store_pool_give (source->pool, g_steal_pointer (&store));
  return ok;
}

/* ---- Levels ---------------------------------------------------------------- */

static void
drop_spectrogram (Level *level)
{
  wm_spectrogram_cancel_pending (level->spectrogram);
  g_clear_signal_handler (&level->ready_id, level->spectrogram);
  g_clear_signal_handler (&level->failed_id, level->spectrogram);
  g_clear_object (&level->spectrogram);
}

static void
level_free (Level *level)
{
  if (level == NULL)
    return;
  if (level->spectrogram != NULL)
    drop_spectrogram (level);
  g_clear_pointer (&level->textures, g_hash_table_unref);
  g_free (level);
}

static void
channel_free (Channel *channel)
{
  for (guint k = 0; k < MAX_LEVEL; k++)
    level_free (channel->levels[k]);
  g_free (channel);
}

static gboolean busy_poll_cb (gpointer data);

static void
update_busy (WmSpectrogramView *self)
{
  gboolean busy = FALSE;

  for (guint c = 0; c < self->channels->len && !busy; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);

      for (guint k = 0; k < MAX_LEVEL && !busy; k++)
        busy = channel->levels[k] != NULL
               && wm_spectrogram_get_n_in_flight (channel->levels[k]->spectrogram) > 0;
    }
  /* Cancelled jobs end without a signal: while busy, look again now and
   * then. */
  if (busy && self->busy_poll_id == 0)
    self->busy_poll_id = g_timeout_add (100, busy_poll_cb, self);

  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
busy_poll_cb (gpointer data)
{
  WmSpectrogramView *self = data;

  self->busy_poll_id = 0;
  update_busy (self);
  return G_SOURCE_REMOVE;
}

static void
on_tile_ready (WmSpectrogram     *spectrogram,
               guint              index,
               WmSpectrogramTile *tile,
               Level             *level)
{
  gtk_widget_queue_draw (GTK_WIDGET (level->view));
  update_busy (level->view);
}

static void
on_tile_failed (WmSpectrogram *spectrogram,
                guint          index,
                const GError  *error,
                Level         *level)
{
  g_free (level->view->error);
  level->view->error = g_strdup (error->message);
  gtk_widget_queue_draw (GTK_WIDGET (level->view));
  update_busy (level->view);
}

/* The level's spectrogram over the recording as long as it is now. */
static gboolean
make_spectrogram (WmSpectrogramView  *self,
                  guint               channel_index,
                  Level              *level,
                  GError            **error)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  WmSpectrogramParams params;
  SampleSource *source;
  gint64 n_frames;

  wm_spectrogram_params_init (&params);
  params.fft_size = self->fft_size;
  params.tile_columns = TILE_COLUMNS;

  source = g_new0 (SampleSource, 1);
  source->pool = store_pool_ref (self->pool);
  source->recording_id = recording->id;
  source->channel = channel_index;
  source->n_frames = recording->n_frames;
  source->fft_size = self->fft_size;
  if (level->stride <= self->fft_size)
    {
      params.hop = (guint) level->stride;
      n_frames = recording->n_frames;
    }
  else
    {
      source->stride = level->stride;
      params.hop = self->fft_size;
      n_frames = MAX ((recording->n_frames + level->stride - 1) / level->stride, 1) * self->fft_size;
    }
  level->spectrogram = wm_spectrogram_new_for_reader (n_frames, recording->sample_rate, &params,
                                                      wm_tile_cache_get_default (),
                                                      sample_source_read, source,
                                                      sample_source_free, error);
  if (level->spectrogram == NULL)
    return FALSE;
  level->ready_id = g_signal_connect (level->spectrogram, "tile-ready", G_CALLBACK (on_tile_ready), level);
  level->failed_id = g_signal_connect (level->spectrogram, "tile-failed", G_CALLBACK (on_tile_failed), level);
  return TRUE;
}

static Level *
get_level (WmSpectrogramView *self,
           guint              channel_index,
           guint              k)
{
  Channel *channel = g_ptr_array_index (self->channels, channel_index);
  g_autoptr(GError) error = NULL;
  Level *level;

  if (channel->levels[k] != NULL)
    return channel->levels[k];

  level = g_new0 (Level, 1);
  level->view = self;
  level->stride = (gint64) self->hop << k;
  level->textures = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  if (!make_spectrogram (self, channel_index, level, &error))
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      level_free (level);
      return NULL;
    }
  channel->levels[k] = level;
  return level;
}

/* The recording grew from previous_n_frames: a tile whose every window
 * lay inside the old frames is as it was and keeps its texture; the others
 * (the last, and those past it, computed with silence for the frames
 * missing then) are made again by a spectrogram over the new length. */
static void
regrow_level (WmSpectrogramView *self,
              guint              channel_index,
              guint              k,
              gint64             previous_n_frames)
{
  Channel *channel = g_ptr_array_index (self->channels, channel_index);
  Level *level = channel->levels[k];
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, level->textures);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 last_column = ((gint64) GPOINTER_TO_UINT (key) + 1) * TILE_COLUMNS - 1;

      if (last_column * level->stride + self->fft_size / 2 > previous_n_frames)
        g_hash_table_iter_remove (&iter);
    }

  drop_spectrogram (level);
  if (!make_spectrogram (self, channel_index, level, &error))
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      level_free (level);
      channel->levels[k] = NULL;
    }
}

static void
reset_levels (WmSpectrogramView *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  guint n_channels = self->path != NULL ? wm_timeline_get_n_channels (timeline) : 0;

  g_ptr_array_set_size (self->channels, 0);
  for (guint c = 0; c < n_channels; c++)
    g_ptr_array_add (self->channels, g_new0 (Channel, 1));
  g_clear_pointer (&self->error, g_free);
  update_busy (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
clear_textures (WmSpectrogramView *self)
{
  for (guint c = 0; c < self->channels->len; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);

      for (guint k = 0; k < MAX_LEVEL; k++)
        if (channel->levels[k] != NULL)
          g_hash_table_remove_all (channel->levels[k]->textures);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The level for the current zoom and the tiles [*t0, *t1] it shows. */
static guint
visible_tiles (WmSpectrogramView *self,
               int                width,
               guint             *t0,
               guint             *t1)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double start = wm_timeline_get_visible_start (timeline);
  double end = wm_timeline_get_visible_end (timeline);
  double per_pixel = (end - start) / MAX (width - WM_TIMELINE_GUTTER, 1);
  gint64 n_frames = wm_timeline_get_n_frames (timeline);
  gint64 stride = self->hop;
  gint64 tile_frames;
  gint64 n_tiles;
  guint k = 0;

  while (stride < per_pixel && k + 1 < MAX_LEVEL)
    {
      stride *= 2;
      k++;
    }
  tile_frames = stride * TILE_COLUMNS;
  n_tiles = ((n_frames + stride - 1) / stride + TILE_COLUMNS - 1) / TILE_COLUMNS;
  *t0 = (guint) CLAMP ((gint64) floor ((start + stride / 2.0) / tile_frames), 0, MAX (n_tiles - 1, 0));
  *t1 = (guint) CLAMP ((gint64) floor ((end + stride / 2.0) / tile_frames), 0, MAX (n_tiles - 1, 0));
  return k;
}

static gboolean
redraw_cb (gpointer data)
{
  WmSpectrogramView *self = data;

  self->redraw_id = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static GdkTexture *
get_texture (WmSpectrogramView *self,
             Level             *level,
             guint              index,
             int                height,
             gint64             deadline)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  g_autoptr(WmSpectrogramTile) tile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  WmSpectrogramRenderOptions options = { 0 };
  GdkTexture *texture;
  guint8 *pixels;
  gsize stride;

  texture = g_hash_table_lookup (level->textures, GUINT_TO_POINTER (index));
  if (texture != NULL)
    return texture;

  tile = wm_spectrogram_lookup_tile (level->spectrogram, index);
  if (tile == NULL)
    {
      if (index < wm_spectrogram_get_n_tiles (level->spectrogram)
          && wm_spectrogram_request_tile (level->spectrogram, index))
        update_busy (self);
      return NULL;
    }

  /* Colouring a tile takes a millisecond or two: when many arrive at once,
   * the rest wait for the next frames rather than stall this one. */
  if (g_get_monotonic_time () > deadline)
    {
      if (self->redraw_id == 0)
        self->redraw_id = g_idle_add (redraw_cb, self);
      return NULL;
    }

  if (!wm_frequency_axis_init (&options.axis, self->scale,
                               wm_frequency_axis_default_min_hz (self->scale, recording->sample_rate,
                                                                 self->fft_size),
                               recording->sample_rate / 2, (guint) height, &error))
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      return NULL;
    }
  options.sample_rate = recording->sample_rate;
  options.fft_size = self->fft_size;
  options.floor_db = (float) self->floor_db;
  options.ceiling_db = (float) MAX (self->ceiling_db, self->floor_db + 1);
  options.colormap = self->colormap;

  stride = (gsize) tile->n_columns * 4;
  pixels = g_malloc (stride * (gsize) height);
  wm_spectrogram_render_tile (tile, &options, pixels, stride);
  /* Opaque RGBA to GDK's default layout (BGRA, premultiplied: the same
   * when opaque), once, so that no renderer converts it at every frame. */
  for (gsize i = 0; i < stride * (gsize) height; i += 4)
    {
      guint8 red = pixels[i];

      pixels[i] = pixels[i + 2];
      pixels[i + 2] = red;
    }
  bytes = g_bytes_new_take (pixels, stride * (gsize) height);
  texture = gdk_memory_texture_new ((int) tile->n_columns, height, GDK_MEMORY_DEFAULT, bytes, stride);
  g_hash_table_insert (level->textures, GUINT_TO_POINTER (index), texture);
  return texture;
}

static void
draw_texture (WmSpectrogramView *self,
              GtkSnapshot       *snapshot,
              GdkTexture        *texture,
              Level             *level,
              guint              index,
              int                width,
              int                top,
              int                height)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double first = ((double) index * TILE_COLUMNS - 0.5) * level->stride;
  double last = first + (double) gdk_texture_get_width (texture) * level->stride;
  /* Whole pixels, so that neighbouring tiles meet without a seam. */
  double x0 = round (wm_timeline_frame_to_x (timeline, first, width));
  double x1 = round (wm_timeline_frame_to_x (timeline, last, width));

  gtk_snapshot_append_texture (snapshot, texture,
                               &GRAPHENE_RECT_INIT ((float) x0, (float) top,
                                                    (float) (x1 - x0), (float) height));
}

/* Cover [first, last) frames with what coarser levels already have drawn:
 * their textures are small, so stretching them costs little (shrinking a
 * finer level's would cost more than the frame can spare). */
static void
draw_fallback (WmSpectrogramView *self,
               GtkSnapshot       *snapshot,
               Channel           *channel,
               guint              level_index,
               double             first,
               double             last,
               int                width,
               int                top,
               int                height)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double x0 = wm_timeline_frame_to_x (timeline, first, width);
  double x1 = wm_timeline_frame_to_x (timeline, last, width);
  static const int order[] = { 1, 2, 3, 4 };

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT ((float) x0, (float) top,
                                                         (float) (x1 - x0), (float) height));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      int k = (int) level_index + order[i];
      Level *level;
      guint t0, t1;
      double tile_frames;

      if (k < 0 || k >= MAX_LEVEL || channel->levels[k] == NULL)
        continue;
      level = channel->levels[k];
      tile_frames = (double) level->stride * TILE_COLUMNS;
      t0 = (guint) MAX (floor ((first + level->stride / 2.0) / tile_frames), 0);
      t1 = (guint) MAX (floor ((last + level->stride / 2.0) / tile_frames), 0);
      for (guint t = t0; t <= t1; t++)
        {
          GdkTexture *texture = g_hash_table_lookup (level->textures, GUINT_TO_POINTER (t));

          if (texture != NULL && gdk_texture_get_height (texture) == height)
            draw_texture (self, snapshot, texture, level, t, width, top, height);
        }
    }
  gtk_snapshot_pop (snapshot);
}

static void
format_hz (char   *buffer,
           gsize   size,
           double  hz)
{
  if (hz >= 1000)
    g_snprintf (buffer, size, "%g kHz", hz / 1000);
  else
    g_snprintf (buffer, size, "%g Hz", hz);
}

static void
draw_frequency_ruler (WmSpectrogramView *self,
                      GtkSnapshot       *snapshot,
                      guint              channel,
                      int                top,
                      int                height)
{
  static const double marks[] = {
    10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
  };
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  const char *name = recording->channel_names != NULL ? recording->channel_names[channel] : NULL;
  g_autofree char *fallback = NULL;
  WmFrequencyAxis axis;
  double nyquist = recording->sample_rate / 2;
  double last_label = -G_MAXDOUBLE;
  g_autoptr(GArray) ticks = g_array_new (FALSE, FALSE, sizeof (double));

  if (!wm_frequency_axis_init (&axis, self->scale,
                               wm_frequency_axis_default_min_hz (self->scale, recording->sample_rate,
                                                                 self->fft_size),
                               nyquist, (guint) MAX (height, 1), NULL))
    return;

  if (self->scale == WM_FREQUENCY_SCALE_LINEAR)
    {
      /* A 1-2-5 step that leaves about 28 pixels between labels. */
      double wanted = nyquist * 28 / MAX (height, 1);
      double decade = pow (10, floor (log10 (wanted)));
      double step = decade >= wanted ? decade : 2 * decade >= wanted ? 2 * decade
                    : 5 * decade >= wanted ? 5 * decade : 10 * decade;

      for (double hz = 0; hz <= nyquist; hz += step)
        g_array_append_val (ticks, hz);
    }
  else
    for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
      if (marks[i] <= nyquist)
        g_array_append_val (ticks, marks[i]);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, top, WM_TIMELINE_GUTTER, height));
  if (name == NULL || *name == '\0')
    name = fallback = g_strdup_printf (_("Channel %u"), channel + 1);
  wm_view_snapshot_text (snapshot, GTK_WIDGET (self), name, 4, top + 2, &wm_view_color_text);

  /* From the bottom up, so that low frequencies win when crowded. */
  for (guint i = 0; i < ticks->len; i++)
    {
      double hz = g_array_index (ticks, double, i);
      double row = wm_frequency_axis_hz_to_row (&axis, hz);
      double y = top + row;
      char text[32];

      if (row < 0 || row > height)
        continue;
      wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER - 5, MIN (y, top + height - 1), 5, 1,
                             &wm_view_color_text);
      if (fabs (y - last_label) < 14 || y < top + 18 || y > top + height - 6)
        continue;
      format_hz (text, sizeof text, hz);
      wm_view_snapshot_text (snapshot, GTK_WIDGET (self), text, 12, y - 8, &wm_view_color_text);
      last_label = y;
    }
  gtk_snapshot_pop (snapshot);
}

static void
wm_spectrogram_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gint64 deadline = g_get_monotonic_time () + RENDER_BUDGET_US;
  guint t0, t1, k;

  if (wm_timeline_get_recording (timeline) == NULL || self->channels->len == 0
      || width <= WM_TIMELINE_GUTTER)
    return;

  k = visible_tiles (self, width, &t0, &t1);

  for (guint c = 0; c < self->channels->len; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);
      Level *level;
      int top, ch;

      wm_timeline_get_channel_area (timeline, c, height, &top, &ch);
      if (ch <= 1)
        continue;
      if (channel->texture_height != ch)
        {
          for (guint l = 0; l < MAX_LEVEL; l++)
            if (channel->levels[l] != NULL)
              g_hash_table_remove_all (channel->levels[l]->textures);
          channel->texture_height = ch;
        }

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, top,
                                                             width - WM_TIMELINE_GUTTER, ch));
      level = get_level (self, c, k);
      for (guint t = t0; level != NULL && t <= t1; t++)
        {
          GdkTexture *texture = get_texture (self, level, t, ch, deadline);

          if (texture != NULL)
            draw_texture (self, snapshot, texture, level, t, width, top, ch);
          else
            draw_fallback (self, snapshot, channel, k,
                           ((double) t * TILE_COLUMNS - 0.5) * level->stride,
                           ((double) (t + 1) * TILE_COLUMNS - 0.5) * level->stride,
                           width, top, ch);
        }
      gtk_snapshot_pop (snapshot);

      if (c > 0)
        wm_view_snapshot_rect (snapshot, 0, top, width, 1, &wm_view_color_grid);
      draw_frequency_ruler (self, snapshot, c, top, ch);
    }

  /* Requests for other levels are of no use any more, and textures far
   * from the view (in time or in detail) only hold memory. */
  for (guint c = 0; c < self->channels->len; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);

      for (guint l = 0; l < MAX_LEVEL; l++)
        {
          Level *level = channel->levels[l];
          GHashTableIter iter;
          gpointer key;

          if (level == NULL)
            continue;
          if (l != k && wm_spectrogram_get_n_in_flight (level->spectrogram) > 0)
            wm_spectrogram_cancel_pending (level->spectrogram);
          if (ABS ((int) l - (int) k) > 4)
            {
              g_hash_table_remove_all (level->textures);
              continue;
            }
          g_hash_table_iter_init (&iter, level->textures);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              /* The same stretch of time in this level's tile indices. */
              double scale = ldexp (1.0, (int) k - (int) l);
              double index = GPOINTER_TO_UINT (key) / scale;

              if (index + 1 < (double) t0 - KEEP_TILES || index > (double) t1 + KEEP_TILES)
                g_hash_table_iter_remove (&iter);
            }
        }
    }

  if (self->error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not compute the spectrogram: %s"), self->error);

      wm_view_snapshot_text (snapshot, widget, message, WM_TIMELINE_GUTTER + 8, 8,
                             &wm_view_color_playhead);
    }
  wm_view_snapshot_marks (snapshot, timeline, width, height);
}

static void
wm_spectrogram_view_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  guint n_channels = MAX (wm_timeline_get_n_channels (timeline), 1);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = WM_TIMELINE_GUTTER + 100;
      *natural = WM_TIMELINE_GUTTER + 600;
    }
  else
    {
      *minimum = 32 * (int) n_channels;
      *natural = 120 * (int) n_channels;
    }
}

static void
wm_spectrogram_view_frames_added (WmTimelinePart *part,
                                  gint64          previous_n_frames)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (part);

  for (guint c = 0; c < self->channels->len; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);

      for (guint k = 0; k < MAX_LEVEL; k++)
        if (channel->levels[k] != NULL)
          regrow_level (self, c, k, previous_n_frames);
    }
  update_busy (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
wm_spectrogram_view_recording_changed (WmTimelinePart *part)
{
  reset_levels (WM_SPECTROGRAM_VIEW (part));
  gtk_widget_queue_resize (GTK_WIDGET (part));
}

static gint64
frame_at (WmSpectrogramView *self,
          double             x)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double frame = wm_timeline_x_to_frame (timeline, MAX (x, WM_TIMELINE_GUTTER), width);

  return CLAMP ((gint64) llround (frame), 0, wm_timeline_get_n_frames (timeline));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           WmSpectrogramView        *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  wm_timeline_set_hover (timeline,
                         x >= WM_TIMELINE_GUTTER ? wm_timeline_x_to_frame (timeline, x, width) : -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          WmSpectrogramView        *self)
{
  wm_timeline_set_hover (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)), -1);
}

static void
on_drag_update (GtkGestureDrag    *gesture,
                double             dx,
                double             dy,
                WmSpectrogramView *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  if (fabs (dx) >= 3)
    wm_timeline_set_selection (timeline, frame_at (self, x), frame_at (self, x + dx));
}

static void
on_drag_end (GtkGestureDrag    *gesture,
             double             dx,
             double             dy,
             WmSpectrogramView *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double x, y;

  /* A click: the cursor moves there and the selection goes. */
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  if (fabs (dx) < 3)
    {
      wm_timeline_set_selection (timeline, -1, -1);
      wm_timeline_set_cursor (timeline, frame_at (self, x));
    }
}

static void
wm_spectrogram_view_dispose (GObject *object)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (object);

  g_clear_handle_id (&self->busy_poll_id, g_source_remove);
  g_clear_handle_id (&self->redraw_id, g_source_remove);
  if (self->channels != NULL)
    g_ptr_array_set_size (self->channels, 0);

  G_OBJECT_CLASS (wm_spectrogram_view_parent_class)->dispose (object);
}

static void
wm_spectrogram_view_finalize (GObject *object)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (object);

  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->pool, store_pool_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (wm_spectrogram_view_parent_class)->finalize (object);
}

static void
wm_spectrogram_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WmSpectrogramView *self = WM_SPECTROGRAM_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_spectrogram_view_class_init (WmSpectrogramViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);

  object_class->dispose = wm_spectrogram_view_dispose;
  object_class->finalize = wm_spectrogram_view_finalize;
  object_class->get_property = wm_spectrogram_view_get_property;
  widget_class->snapshot = wm_spectrogram_view_snapshot;
  widget_class->measure = wm_spectrogram_view_measure;
  part_class->range_changed = wm_timeline_part_redraw;
  part_class->marks_changed = wm_timeline_part_redraw;
  part_class->layout_changed = wm_timeline_part_redraw;
  part_class->recording_changed = wm_spectrogram_view_recording_changed;
  part_class->frames_added = wm_spectrogram_view_frames_added;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "wmspectrogramview");
}

static void
wm_spectrogram_view_init (WmSpectrogramView *self)
{

  self->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) channel_free);
  self->fft_size = WM_SPECTROGRAM_DEFAULT_FFT_SIZE;
  self->hop = WM_SPECTROGRAM_DEFAULT_HOP;
  self->floor_db = WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB;
  self->ceiling_db = WM_SPECTROGRAM_DEFAULT_DISPLAY_CEILING_DB;
  self->colormap = WM_COLORMAP_VIRIDIS;
  self->scale = WM_FREQUENCY_SCALE_LINEAR;

  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  wm_timeline_part_add_pointer_controllers (WM_TIMELINE_PART (self),
                                            G_CALLBACK (on_motion), G_CALLBACK (on_leave),
                                            NULL, G_CALLBACK (on_drag_update), G_CALLBACK (on_drag_end));
}

GtkWidget *
wm_spectrogram_view_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_SPECTROGRAM_VIEW, "timeline", timeline, NULL);
}

void
wm_spectrogram_view_set_path (WmSpectrogramView *self,
                              const char        *path)
{
  g_return_if_fail (WM_IS_SPECTROGRAM_VIEW (self));

  if (g_strcmp0 (path, self->path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_clear_pointer (&self->pool, store_pool_unref);
  if (path != NULL)
    self->pool = store_pool_new (path);
  reset_levels (self);
}

void
wm_spectrogram_view_set_analysis (WmSpectrogramView *self,
                                  guint              fft_size,
                                  guint              hop)
{
  g_return_if_fail (WM_IS_SPECTROGRAM_VIEW (self));
  g_return_if_fail (fft_size >= 256 && fft_size <= 4096 && (fft_size & (fft_size - 1)) == 0);
  g_return_if_fail (hop >= 1 && hop <= fft_size);

  if (fft_size == self->fft_size && hop == self->hop)
    return;
  self->fft_size = fft_size;
  self->hop = hop;
  reset_levels (self);
}

void
wm_spectrogram_view_set_display (WmSpectrogramView *self,
                                 double             floor_db,
                                 double             ceiling_db,
                                 WmColormap         colormap,
                                 WmFrequencyScale   scale)
{
  g_return_if_fail (WM_IS_SPECTROGRAM_VIEW (self));

  if (floor_db == self->floor_db && ceiling_db == self->ceiling_db
      && colormap == self->colormap && scale == self->scale)
    return;
  self->floor_db = floor_db;
  self->ceiling_db = ceiling_db;
  self->colormap = colormap;
  self->scale = scale;
  clear_textures (self);
}

gboolean
wm_spectrogram_view_get_busy (WmSpectrogramView *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM_VIEW (self), FALSE);
  return self->busy;
}

gboolean
wm_spectrogram_view_is_current (WmSpectrogramView *self)
{
  WmTimeline *timeline;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  guint t0, t1, k;

  g_return_val_if_fail (WM_IS_SPECTROGRAM_VIEW (self), FALSE);

  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  if (wm_timeline_get_recording (timeline) == NULL || width <= WM_TIMELINE_GUTTER)
    return TRUE;
  if (self->error != NULL)
    return TRUE;

  k = visible_tiles (self, width, &t0, &t1);
  for (guint c = 0; c < self->channels->len; c++)
    {
      Channel *channel = g_ptr_array_index (self->channels, c);
      Level *level = channel->levels[k];

      if (level == NULL)
        return FALSE;
      for (guint t = t0; t <= t1; t++)
        if (!g_hash_table_contains (level->textures, GUINT_TO_POINTER (t)))
          return FALSE;
    }
  return TRUE;
}
