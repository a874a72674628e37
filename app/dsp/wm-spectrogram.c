/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "wm-spectrogram-private.h"
#include "wm-stft.h"

/* Everything a worker needs, reference counted so that a job can finish
 * after the WmSpectrogram is gone; the object itself is only reached from
 * the main context, through a weak reference. */
typedef struct {
  gatomicrefcount      ref_count;

  GQuark               source;
  gint64               recording_id;
  guint                channel;
  gint64               n_frames;
  double               sample_rate;
  WmSpectrogramParams  params;
  WmTileCache         *cache;
  WmSampleReadFunc     read_func;
  gpointer             read_data;
  GDestroyNotify       read_destroy;

  GMainContext        *context;
  GWeakRef             self;

  gint                 generation;  /* atomic */
  gint                 n_in_flight; /* atomic: queued or running jobs */
  gint                 n_computed;  /* atomic */
  gint                 n_cancelled; /* atomic */

  GMutex               lock;
  GHashTable          *pending;     /* tile index → generation it was requested in */
} Shared;

typedef struct {
  Shared            *shared;
  guint              index;
  guint              generation;
  WmSpectrogramTile *tile;  /* result, or */
  GError            *error; /* failure */
} Job;

struct _WmSpectrogram
{
  GObject  parent_instance;

  Shared  *shared;
};

G_DEFINE_FINAL_TYPE (WmSpectrogram, wm_spectrogram, G_TYPE_OBJECT)

G_DEFINE_QUARK (wm-spectrogram-error-quark, wm_spectrogram_error)

enum {
  TILE_READY,
  TILE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  if (shared->read_destroy != NULL)
    shared->read_destroy (shared->read_data);
  g_clear_object (&shared->cache);
  g_main_context_unref (shared->context);
  g_weak_ref_clear (&shared->self);
  g_hash_table_destroy (shared->pending);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->tile, wm_spectrogram_tile_unref);
  g_clear_error (&job->error);
  shared_unref (job->shared);
  g_free (job);
}

static void
shared_make_key (const Shared *shared,
                 guint         index,
                 WmTileKey    *key)
{
  *key = (WmTileKey) {
    .source = shared->source,
    .recording_id = shared->recording_id,
    .channel = shared->channel,
    .fft_size = shared->params.fft_size,
    .hop = shared->params.hop,
    .floor_db = shared->params.floor_db,
    .tile_columns = shared->params.tile_columns,
    .index = index,
  };
}

static gint64
shared_n_columns (const Shared *shared)
{
  return (shared->n_frames + shared->params.hop - 1) / shared->params.hop;
}

/* Per worker thread: a WmStft, replaced when a job needs other settings,
 * and the sample buffer, reused rather than allocated per tile (a tile's
 * samples are over the allocator's mmap threshold). */
typedef struct {
  WmStft *stft;
  float  *input;
  gsize   input_length;
} WorkerScratch;

static void
worker_scratch_free (gpointer data)
{
  WorkerScratch *scratch = data;

  g_clear_pointer (&scratch->stft, wm_stft_free);
  g_free (scratch->input);
  g_free (scratch);
}

static GPrivate worker_scratch = G_PRIVATE_INIT (worker_scratch_free);

static WorkerScratch *
get_worker_scratch (const WmSpectrogramParams *params,
                    guint                      n_columns)
{
  WorkerScratch *scratch = g_private_get (&worker_scratch);
  gsize input_length;

  if (scratch == NULL)
    {
      scratch = g_new0 (WorkerScratch, 1);
      g_private_set (&worker_scratch, scratch);
    }

  if (scratch->stft == NULL ||
      wm_stft_get_fft_size (scratch->stft) != params->fft_size ||
      wm_stft_get_hop (scratch->stft) != params->hop ||
      wm_stft_get_floor_db (scratch->stft) != params->floor_db)
    {
      g_clear_pointer (&scratch->stft, wm_stft_free);
      scratch->stft = wm_stft_new (params->fft_size, params->hop, params->floor_db);
    }

  input_length = wm_stft_input_length (scratch->stft, n_columns);
  if (input_length > scratch->input_length)
    {
      g_free (scratch->input);
      scratch->input = g_new (float, input_length);
      scratch->input_length = input_length;
    }

  return scratch;
}

/* Columns [first_column, first_column + n_columns) into out_db; all of them
 * must exist.  input has room for wm_stft_input_length (n_columns). */
static gboolean
compute_columns (Shared   *shared,
                 WmStft   *stft,
                 gint64    first_column,
                 guint     n_columns,
                 float    *input,
                 float    *out_db,
                 GError  **error)
{
  gsize input_length = wm_stft_input_length (stft, n_columns);
  gint64 first = first_column * shared->params.hop - shared->params.fft_size / 2;
  gint64 end = first + (gint64) input_length;
  gint64 read_first = CLAMP (0, first, end);
  gint64 read_end = CLAMP (shared->n_frames, read_first, end);

  /* Outside the recording the signal is silence. */
  memset (input, 0, (gsize) (read_first - first) * sizeof (float));
  memset (input + (read_end - first), 0, (gsize) (end - read_end) * sizeof (float));

  if (read_end > read_first)
    {
      g_autoptr(GError) local_error = NULL;

      if (!shared->read_func (shared->read_data, read_first, (gsize) (read_end - read_first),
                              input + (read_first - first), &local_error))
        {
          g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_READ,
                       _("Cannot read frames %" PRId64 "–%" PRId64
                         " of channel %u for the spectrogram: %s"),
                       read_first, read_end, shared->channel + 1, local_error->message);
          return FALSE;
        }
    }

  wm_stft_run (stft, input, n_columns, out_db);
  return TRUE;
}

static gboolean
deliver_job (gpointer data)
{
  Job *job = data;
  g_autoptr(WmSpectrogram) self = g_weak_ref_get (&job->shared->self);

  if (self == NULL || job->generation != (guint) g_atomic_int_get (&job->shared->generation))
    return G_SOURCE_REMOVE;

  if (job->tile != NULL)
    g_signal_emit (self, signals[TILE_READY], 0, job->index, job->tile);
  else
    g_signal_emit (self, signals[TILE_FAILED], 0, job->index, job->error);

  return G_SOURCE_REMOVE;
}

/* The idle source is attached before n_in_flight drops, so a caller that
 * sees no job in flight finds the delivery pending on its context. */
static void
finish_job (Job *job)
{
  Shared *shared = shared_ref (job->shared);
  g_autoptr(GSource) source = NULL;

  g_mutex_lock (&shared->lock);
  if (GPOINTER_TO_UINT (g_hash_table_lookup (shared->pending, GUINT_TO_POINTER (job->index))) ==
      job->generation + 1)
    g_hash_table_remove (shared->pending, GUINT_TO_POINTER (job->index));
  g_mutex_unlock (&shared->lock);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[waymark] spectrogram tile");
  g_source_set_callback (source, deliver_job, job, (GDestroyNotify) job_free);
  g_source_attach (source, shared->context);

  g_atomic_int_add (&shared->n_in_flight, -1);
  shared_unref (shared);
}

static void
run_job (gpointer data,
         gpointer pool_data)
{
  Job *job = data;
  Shared *shared = job->shared;
  WmTileKey key;
  WorkerScratch *scratch;
  gint64 first_column;
  guint n_columns;

  if (job->generation != (guint) g_atomic_int_get (&shared->generation))
    {
      g_atomic_int_inc (&shared->n_cancelled);
      g_atomic_int_add (&shared->n_in_flight, -1);
      job_free (job);
      return;
    }

  shared_make_key (shared, job->index, &key);
  job->tile = wm_tile_cache_lookup (shared->cache, &key);
  if (job->tile != NULL)
    {
      finish_job (job);
      return;
    }

  first_column = (gint64) job->index * shared->params.tile_columns;
  n_columns = (guint) MIN ((gint64) shared->params.tile_columns,
                           shared_n_columns (shared) - first_column);
  scratch = get_worker_scratch (&shared->params, n_columns);
  job->tile = wm_spectrogram_tile_new (job->index, first_column, n_columns,
                                       wm_stft_get_n_bins (scratch->stft));

  if (compute_columns (shared, scratch->stft, first_column, n_columns, scratch->input,
                       job->tile->data, &job->error))
    {
      wm_tile_cache_insert (shared->cache, &key, job->tile);
      g_atomic_int_inc (&shared->n_computed);
    }
  else
    {
      g_clear_pointer (&job->tile, wm_spectrogram_tile_unref);
    }

  finish_job (job);
}

/* One pool for all spectrograms, so that several views never run more
 * FFTs at once than there are cores. */
static GThreadPool *
get_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *new_pool = g_thread_pool_new (run_job, NULL,
                                                 (int) g_get_num_processors (),
                                                 FALSE, NULL);
      g_once_init_leave (&pool, new_pool);
    }

  return pool;
}

static void
wm_spectrogram_dispose (GObject *object)
{
  WmSpectrogram *self = WM_SPECTROGRAM (object);

  /* Queued jobs see the new generation and drop out. */
  if (self->shared != NULL)
    g_atomic_int_inc (&self->shared->generation);

  G_OBJECT_CLASS (wm_spectrogram_parent_class)->dispose (object);
}

static void
wm_spectrogram_finalize (GObject *object)
{
  WmSpectrogram *self = WM_SPECTROGRAM (object);

  g_clear_pointer (&self->shared, shared_unref);

  G_OBJECT_CLASS (wm_spectrogram_parent_class)->finalize (object);
}

static void
wm_spectrogram_class_init (WmSpectrogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wm_spectrogram_dispose;
  object_class->finalize = wm_spectrogram_finalize;

  /**
   * WmSpectrogram::tile-ready:
   * @index: the tile index
   * @tile: the tile, also in the cache now
   */
  signals[TILE_READY] =
    g_signal_new ("tile-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT,
                  WM_TYPE_SPECTROGRAM_TILE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * WmSpectrogram::tile-failed:
   * @index: the tile index
   * @error: why the samples could not be read
   */
  signals[TILE_FAILED] =
    g_signal_new ("tile-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
wm_spectrogram_init (WmSpectrogram *self)
{
}

void
wm_spectrogram_params_init (WmSpectrogramParams *params)
{
  g_return_if_fail (params != NULL);

  params->fft_size = WM_SPECTROGRAM_DEFAULT_FFT_SIZE;
  params->hop = WM_SPECTROGRAM_DEFAULT_HOP;
  params->floor_db = WM_SPECTROGRAM_DEFAULT_FLOOR_DB;
  params->tile_columns = WM_SPECTROGRAM_DEFAULT_TILE_COLUMNS;
}

gboolean
wm_spectrogram_params_check (const WmSpectrogramParams  *params,
                             GError                    **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (!wm_stft_is_valid_fft_size (params->fft_size))
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("FFT size %u is not a power of two from %u to %u"),
                   params->fft_size, WM_STFT_MIN_FFT_SIZE, WM_STFT_MAX_FFT_SIZE);
      return FALSE;
    }
  if (params->hop < 1 || params->hop > params->fft_size)
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("Hop %u is not between 1 and the FFT size %u"),
                   params->hop, params->fft_size);
      return FALSE;
    }
  if (!(params->floor_db < 0.0f && params->floor_db >= -300.0f))
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("dB floor %g is not between −300 and 0"), (double) params->floor_db);
      return FALSE;
    }
  if (params->tile_columns < 1)
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("A spectrogram tile needs at least one column"));
      return FALSE;
    }

  return TRUE;
}

WmSpectrogram *
wm_spectrogram_new_internal (GQuark                      source,
                             gint64                      recording_id,
                             guint                       channel,
                             gint64                      n_frames,
                             double                      sample_rate,
                             const WmSpectrogramParams  *params,
                             WmTileCache                *cache,
                             WmSampleReadFunc            read_func,
                             gpointer                    user_data,
                             GDestroyNotify              destroy,
                             GError                    **error)
{
  WmSpectrogram *self;
  Shared *shared;

  g_assert (params != NULL);
  g_assert (read_func != NULL);

  if (!wm_spectrogram_params_check (params, error) ||
      !(sample_rate > 0.0) || n_frames < 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                     _("A spectrogram needs a positive sample rate (got %g Hz) and a frame count (got %" PRId64 ")"),
                     sample_rate, n_frames);
      if (destroy != NULL)
        destroy (user_data);
      return NULL;
    }

  shared = g_new0 (Shared, 1);
  g_atomic_ref_count_init (&shared->ref_count);
  shared->source = source;
  shared->recording_id = recording_id;
  shared->channel = channel;
  shared->n_frames = n_frames;
  shared->sample_rate = sample_rate;
  shared->params = *params;
  shared->cache = g_object_ref (cache != NULL ? cache : wm_tile_cache_get_default ());
  shared->read_func = read_func;
  shared->read_data = user_data;
  shared->read_destroy = destroy;
  shared->context = g_main_context_ref_thread_default ();
  g_mutex_init (&shared->lock);
  shared->pending = g_hash_table_new (NULL, NULL);

  self = g_object_new (WM_TYPE_SPECTROGRAM, NULL);
  self->shared = shared;
  g_weak_ref_init (&shared->self, self);

  return self;
}

/**
 * wm_spectrogram_new_for_reader:
 * @n_frames: frames in the channel
 * @sample_rate: in Hz
 * @params: the settings
 * @cache: (nullable): where tiles go; NULL for wm_tile_cache_get_default()
 * @read_func: reads samples, from several threads at once
 * @user_data: for @read_func
 * @destroy: (nullable): frees @user_data once no worker needs it
 * @error: an error
 *
 * A spectrogram of samples that the caller supplies.  Its tiles are cached
 * under a name of its own, never shared with another spectrogram.  @destroy
 * is called even when this fails.
 *
 * Returns: (transfer full) (nullable): a new spectrogram
 */
WmSpectrogram *
wm_spectrogram_new_for_reader (gint64                      n_frames,
                               double                      sample_rate,
                               const WmSpectrogramParams  *params,
                               WmTileCache                *cache,
                               WmSampleReadFunc            read_func,
                               gpointer                    user_data,
                               GDestroyNotify              destroy,
                               GError                    **error)
{
  static gint serial;
  g_autofree char *name = NULL;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (cache == NULL || WM_IS_TILE_CACHE (cache), NULL);
  g_return_val_if_fail (read_func != NULL, NULL);

  name = g_strdup_printf ("reader:%d", g_atomic_int_add (&serial, 1));
  return wm_spectrogram_new_internal (g_quark_from_string (name), 0, 0, n_frames, sample_rate,
                                      params, cache, read_func, user_data, destroy, error);
}

const WmSpectrogramParams *
wm_spectrogram_get_params (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), NULL);

  return &self->shared->params;
}

gint64
wm_spectrogram_get_n_frames (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return self->shared->n_frames;
}

double
wm_spectrogram_get_sample_rate (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0.0);

  return self->shared->sample_rate;
}

guint
wm_spectrogram_get_n_bins (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return self->shared->params.fft_size / 2 + 1;
}

gint64
wm_spectrogram_get_n_columns (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return shared_n_columns (self->shared);
}

guint
wm_spectrogram_get_n_tiles (WmSpectrogram *self)
{
  gint64 n_columns;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  n_columns = shared_n_columns (self->shared);
  return (guint) ((n_columns + self->shared->params.tile_columns - 1) /
                  self->shared->params.tile_columns);
}

/* Returns: (transfer none): the cache the tiles go to */
WmTileCache *
wm_spectrogram_get_cache (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), NULL);

  return self->shared->cache;
}

double
wm_spectrogram_bin_to_frequency (WmSpectrogram *self,
                                 double         bin)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0.0);

  return bin * self->shared->sample_rate / self->shared->params.fft_size;
}

/* The frame a column is centred on. */
gint64
wm_spectrogram_column_to_frame (WmSpectrogram *self,
                                gint64         column)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return column * self->shared->params.hop;
}

/* The column whose centre is nearest to a frame, within the spectrogram. */
gint64
wm_spectrogram_frame_to_column (WmSpectrogram *self,
                                gint64         frame)
{
  gint64 hop;
  gint64 column;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  hop = self->shared->params.hop;
  column = frame >= 0 ? (frame + hop / 2) / hop : 0;
  return CLAMP (column, 0, MAX (shared_n_columns (self->shared) - 1, 0));
}

/**
 * wm_spectrogram_lookup_tile:
 * @self: a spectrogram
 * @tile_index: which tile
 *
 * Does no work: the tile if it is in the cache.
 *
 * Returns: (transfer full) (nullable): the tile
 */
WmSpectrogramTile *
wm_spectrogram_lookup_tile (WmSpectrogram *self,
                            guint          tile_index)
{
  WmTileKey key;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), NULL);

  shared_make_key (self->shared, tile_index, &key);
  return wm_tile_cache_lookup (self->shared->cache, &key);
}

/**
 * wm_spectrogram_request_tile:
 * @self: a spectrogram
 * @tile_index: which tile, below wm_spectrogram_get_n_tiles()
 *
 * Queues the tile for a worker unless it is cached or already queued in
 * the current generation.  ::tile-ready (or ::tile-failed) follows on the
 * creating thread's main context unless wm_spectrogram_cancel_pending() is
 * called first.
 *
 * Returns: TRUE if a job was queued, FALSE if the tile is cached or pending
 */
gboolean
wm_spectrogram_request_tile (WmSpectrogram *self,
                             guint          tile_index)
{
  Shared *shared;
  g_autoptr(WmSpectrogramTile) cached = NULL;
  Job *job;
  guint generation;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), FALSE);
  g_return_val_if_fail (tile_index < wm_spectrogram_get_n_tiles (self), FALSE);

  shared = self->shared;
  cached = wm_spectrogram_lookup_tile (self, tile_index);
  if (cached != NULL)
    return FALSE;

  /* Under the lock, so that a cancel cannot fall between reading the
   * generation and recording the request.  The table stores generation + 1
   * so that generation 0 is not NULL. */
  g_mutex_lock (&shared->lock);
  generation = (guint) g_atomic_int_get (&shared->generation);
  if (GPOINTER_TO_UINT (g_hash_table_lookup (shared->pending, GUINT_TO_POINTER (tile_index))) ==
      generation + 1)
    {
      g_mutex_unlock (&shared->lock);
      return FALSE;
    }
  g_hash_table_insert (shared->pending, GUINT_TO_POINTER (tile_index),
                       GUINT_TO_POINTER (generation + 1));
  g_mutex_unlock (&shared->lock);

  job = g_new0 (Job, 1);
  job->shared = shared_ref (shared);
  job->index = tile_index;
  job->generation = generation;
  g_atomic_int_inc (&shared->n_in_flight);
  g_thread_pool_push (get_pool (), job, NULL);

  return TRUE;
}

/**
 * wm_spectrogram_cancel_pending:
 * @self: a spectrogram
 *
 * Starts a new generation: requests made so far are dropped by the workers
 * unless already running, and no signal is emitted for them.
 *
 * Returns: the new generation
 */
guint
wm_spectrogram_cancel_pending (WmSpectrogram *self)
{
  guint generation;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  g_mutex_lock (&self->shared->lock);
  generation = (guint) g_atomic_int_add (&self->shared->generation, 1) + 1;
  g_hash_table_remove_all (self->shared->pending);
  g_mutex_unlock (&self->shared->lock);

  return generation;
}

guint
wm_spectrogram_get_generation (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return (guint) g_atomic_int_get (&self->shared->generation);
}

/* Jobs queued or running; their signals may still be on the way. */
guint
wm_spectrogram_get_n_in_flight (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return (guint) g_atomic_int_get (&self->shared->n_in_flight);
}

/* Tiles computed by workers (cache hits in a worker are not counted). */
guint
wm_spectrogram_get_n_computed (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return (guint) g_atomic_int_get (&self->shared->n_computed);
}

/* Jobs dropped because a newer generation had started. */
guint
wm_spectrogram_get_n_cancelled (WmSpectrogram *self)
{
  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), 0);

  return (guint) g_atomic_int_get (&self->shared->n_cancelled);
}

/**
 * wm_spectrogram_compute_range:
 * @self: a spectrogram
 * @first_column: the first column
 * @n_columns: how many, all below wm_spectrogram_get_n_columns()
 * @out_db: n_columns × n_bins floats, column after column
 * @error: an error
 *
 * Computes columns in the calling thread, without the cache.  The values
 * equal those of the tiles that hold the same columns.
 *
 * Returns: TRUE on success
 */
gboolean
wm_spectrogram_compute_range (WmSpectrogram  *self,
                              gint64          first_column,
                              gint64          n_columns,
                              float          *out_db,
                              GError        **error)
{
  Shared *shared;
  g_autoptr(WmStft) stft = NULL;
  g_autofree float *input = NULL;
  guint chunk;
  guint n_bins;

  g_return_val_if_fail (WM_IS_SPECTROGRAM (self), FALSE);
  g_return_val_if_fail (out_db != NULL || n_columns == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  shared = self->shared;
  if (first_column < 0 || n_columns < 0 || first_column + n_columns > shared_n_columns (shared))
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("Columns %" PRId64 "–%" PRId64
                     " are outside the spectrogram's %" PRId64 " columns"),
                   first_column, first_column + n_columns, shared_n_columns (shared));
      return FALSE;
    }
  if (n_columns == 0)
    return TRUE;

  stft = wm_stft_new (shared->params.fft_size, shared->params.hop, shared->params.floor_db);
  n_bins = wm_stft_get_n_bins (stft);
  /* Tile-sized chunks bound the sample buffer. */
  chunk = (guint) MIN (n_columns, (gint64) shared->params.tile_columns);
  input = g_new (float, wm_stft_input_length (stft, chunk));

  for (gint64 done = 0; done < n_columns; done += chunk)
    {
      guint n = (guint) MIN ((gint64) chunk, n_columns - done);

      if (!compute_columns (shared, stft, first_column + done, n, input,
                            out_db + done * n_bins, error))
        return FALSE;
    }

  return TRUE;
}
