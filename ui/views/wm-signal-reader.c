/* wm-signal-reader.c — summaries and samples read in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include "wm-signal-reader.h"
#include "wm-store.h"

struct _WmSignalReader
{
  gatomicrefcount  ref_count;
  char            *path;
  GMutex           mutex;  /* guards store */
  WmStore         *store;  /* read-only, opened by the first fill */
};

WmSignalBlock *
wm_signal_block_new (WmSignalBlockKind kind,
                     gint64            recording_id,
                     guint             n_channels,
                     gint64            first_frame,
                     gint64            end_frame,
                     guint             n_columns)
{
  WmSignalBlock *block = g_new0 (WmSignalBlock, 1);

  block->kind = kind;
  block->recording_id = recording_id;
  block->n_channels = n_channels;
  block->first_frame = first_frame;
  block->end_frame = end_frame;
  block->n_columns = n_columns;
  return block;
}

void
wm_signal_block_free (WmSignalBlock *block)
{
  if (block == NULL)
    return;
  g_free (block->mins);
  g_free (block->maxs);
  g_free (block);
}

gsize
wm_signal_block_get_n_values (const WmSignalBlock *block)
{
  switch (block->kind)
    {
    case WM_SIGNAL_BLOCK_SUMMARY:
      return block->n_columns;
    case WM_SIGNAL_BLOCK_SAMPLES:
      return (gsize) (block->end_frame - block->first_frame);
    case WM_SIGNAL_BLOCK_EXTENT:
      return 1;
    default:
      g_assert_not_reached ();
    }
}

WmSignalReader *
wm_signal_reader_new (const char *project_path)
{
  WmSignalReader *self;

  g_return_val_if_fail (project_path != NULL, NULL);

  self = g_new0 (WmSignalReader, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (project_path);
  g_mutex_init (&self->mutex);
  return self;
}

WmSignalReader *
wm_signal_reader_ref (WmSignalReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
wm_signal_reader_unref (WmSignalReader *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_object (&self->store);
  g_mutex_clear (&self->mutex);
  g_free (self->path);
  g_free (self);
}

static gboolean
fill_summary (WmStore       *store,
              WmSignalBlock *block,
              GCancellable  *cancellable,
              GError       **error)
{
  guint n = block->n_columns;
  g_autofree WmSummaryBucket *buckets = g_new (WmSummaryBucket, n);

  block->mins = g_new (float, (gsize) n * block->n_channels);
  block->maxs = g_new (float, (gsize) n * block->n_channels);

  for (guint c = 0; c < block->n_channels; c++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!wm_store_read_summary (store, block->recording_id, c,
                                  block->first_frame, block->end_frame,
                                  n, buckets, error))
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          gboolean empty = buckets[i].n_frames_covered == 0;

          block->mins[(gsize) c * n + i] = empty ? NAN : buckets[i].min;
          block->maxs[(gsize) c * n + i] = empty ? NAN : buckets[i].max;
        }
    }
  return TRUE;
}

static gboolean
fill_samples (WmStore       *store,
              WmSignalBlock *block,
              GCancellable  *cancellable,
              GError       **error)
{
  gsize n = (gsize) (block->end_frame - block->first_frame);

  block->mins = g_new (float, MAX (n, 1) * block->n_channels);
  for (guint c = 0; c < block->n_channels; c++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (n > 0 && !wm_store_read_frames (store, block->recording_id, c,
                                          block->first_frame, n,
                                          block->mins + c * n, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fill_extent (WmStore       *store,
             WmSignalBlock *block,
             GCancellable  *cancellable,
             GError       **error)
{
  block->mins = g_new (float, block->n_channels);
  block->maxs = g_new (float, block->n_channels);
  for (guint c = 0; c < block->n_channels; c++)
    {
      WmSummaryBucket bucket;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!wm_store_read_summary (store, block->recording_id, c,
                                  block->first_frame, block->end_frame,
                                  1, &bucket, error))
        return FALSE;
      block->mins[c] = bucket.n_frames_covered > 0 ? bucket.min : 0;
      block->maxs[c] = bucket.n_frames_covered > 0 ? bucket.max : 0;
    }
  return TRUE;
}

gboolean
wm_signal_reader_fill (WmSignalReader *self,
                       WmSignalBlock  *block,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (block != NULL, FALSE);
  g_return_val_if_fail (block->first_frame <= block->end_frame, FALSE);

  locker = g_mutex_locker_new (&self->mutex);

  if (self->store == NULL)
    {
      self->store = wm_store_open (self->path, WM_STORE_OPEN_READ_ONLY, error);
      if (self->store == NULL)
        return FALSE;
    }

  switch (block->kind)
    {
    case WM_SIGNAL_BLOCK_SUMMARY:
      return fill_summary (self->store, block, cancellable, error);
    case WM_SIGNAL_BLOCK_SAMPLES:
      return fill_samples (self->store, block, cancellable, error);
    case WM_SIGNAL_BLOCK_EXTENT:
      return fill_extent (self->store, block, cancellable, error);
    default:
      g_assert_not_reached ();
    }
}

typedef struct {
  WmSignalReader *reader;
  WmSignalBlock  *block; /* handed to _finish, or freed with the job */
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_clear_pointer (&job->reader, wm_signal_reader_unref);
  g_clear_pointer (&job->block, wm_signal_block_free);
  g_free (job);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadJob *job = task_data;
  GError *error = NULL;

  if (!wm_signal_reader_fill (job->reader, job->block, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&job->block),
                           (GDestroyNotify) wm_signal_block_free);
}

void
wm_signal_reader_read_async (WmSignalReader     *self,
                             WmSignalBlock      *block,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (self != NULL);
  g_return_if_fail (block != NULL);

  job = g_new0 (ReadJob, 1);
  job->reader = wm_signal_reader_ref (self);
  job->block = block;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, wm_signal_reader_read_async);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

WmSignalBlock *
wm_signal_reader_read_finish (WmSignalReader *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wm_signal_reader_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
