/* wm-ingest.c — the ingest engine: one writer thread, group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes (stream metadata, chunks, finalize, whole samples) are queued to one
 * writer thread that owns a read-write connection.  It takes every queued
 * write into one transaction, each in a savepoint of its own so that one bad
 * write fails alone, COMMITs (synchronous=FULL: one fsync), and only then
 * completes the writes' GTasks.  Reads are answered at once from a read-only
 * connection of the caller's thread; WAL lets both run side by side.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "wm-ingest-private.h"

G_DEFINE_QUARK (wm-ingest-error-quark, wm_ingest_error)

#define DEFAULT_MAX_CHUNK_BYTES (8 * 1024 * 1024)
#define DEFAULT_MAX_QUEUE       4096
/* Open streams whose appender state the writer keeps between transactions. */
#define MAX_CACHED_APPENDERS    512
/* A device seen while nothing else is written is noted this much later. */
#define LAST_SEEN_DELAY_US      (1 * G_USEC_PER_SEC)
#define HASH_READ_FRAMES        65536

typedef enum {
  WRITE_STREAM,
  WRITE_CHUNK,
  WRITE_FINALIZE,
  WRITE_SAMPLE,
} WriteKind;

/* One queued write and, once the writer is done, its outcome. */
typedef struct {
  WriteKind      kind;
  GTask         *task;
  char          *device;
  char          *stream_id;
  WmStreamMeta  *meta;
  gint64         offset;
  GBytes        *frames;
  char          *sha256;      /* finalize: of the whole stream; sample: of its frames */
  char          *name;
  char          *label;
  /* outcome */
  GError        *error;
  WmStreamState *state;
  gboolean       created;
  gint64         committed_offset;
  gint64         recording_id;
  gsize          new_bytes;
} Write;

typedef enum {
  CRASH_NONE,
  CRASH_BEFORE_COMMIT,
  CRASH_AFTER_COMMIT,
} CrashPoint;

struct _WmIngest
{
  GObject          parent_instance;

  WmIngestOptions  options;
  WmStore         *reader;        /* the caller's thread */
  WmStore         *writer_store;  /* the writer thread's */
  GThread         *thread;

  GMutex           lock;
  GCond            cond;
  GQueue           queue;         /* of Write, under lock */
  GHashTable      *seen;          /* device → gint64 *time, under lock */
  gboolean         closing;       /* under lock */
  WmIngestStats    stats;         /* under lock */

  /* The writer thread's own. */
  GHashTable      *appenders;     /* recording id → WmRecordingAppender */
  guint64          n_write_transactions;
  CrashPoint       crash_point;
  guint64          crash_at;
};

G_DEFINE_FINAL_TYPE (WmIngest, wm_ingest, G_TYPE_OBJECT)

/* ---- writes --------------------------------------------------------------- */

static void
write_free (Write *w)
{
  if (w == NULL)
    return;
  g_clear_object (&w->task);
  g_free (w->device);
  g_free (w->stream_id);
  g_clear_pointer (&w->meta, wm_stream_meta_free);
  g_clear_pointer (&w->frames, g_bytes_unref);
  g_free (w->sha256);
  g_free (w->name);
  g_free (w->label);
  g_clear_error (&w->error);
  g_clear_pointer (&w->state, wm_stream_state_free);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Write, write_free)

static Write *
write_new (WmIngest            *self,
           WriteKind            kind,
           const char          *device,
           const char          *stream_id,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data,
           gpointer             source_tag)
{
  Write *w = g_new0 (Write, 1);

  w->kind = kind;
  w->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (w->task, source_tag);
  w->device = g_strdup (device);
  w->stream_id = g_strdup (stream_id);
  w->committed_offset = -1;
  return w;
}

/* In the caller's main context: the task is returned and released there.
 * Were it released on the writer thread, that could drop the last reference
 * to the engine (the task's source object), and dispose would then join the
 * writer thread from itself. */
static gboolean
deliver_write (gpointer data)
{
  Write *w = data;
  GTask *task = g_steal_pointer (&w->task);

  g_task_return_pointer (task, w, (GDestroyNotify) write_free);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Hands the write back to its caller, always through the caller's main
 * context (an idle source, never a direct call from the writer thread). */
static void
write_complete (Write *w)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_write, w, NULL);
  g_source_attach (source, g_task_get_context (w->task));
  g_source_unref (source);
}

static void
write_fail_now (Write      *w,
                GError     *error)
{
  g_clear_error (&w->error);
  w->error = error;
  write_complete (w);
}

static void
enqueue (WmIngest *self,
         Write    *w)
{
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  if (self->closing)
    error = g_error_new_literal (WM_INGEST_ERROR, WM_INGEST_ERROR_BUSY, _("the server is shutting down"));
  else if (self->queue.length >= self->options.max_queue)
    error = g_error_new (WM_INGEST_ERROR, WM_INGEST_ERROR_BUSY,
                         _("%u writes are waiting already; try again shortly"), self->queue.length);
  else
    {
      g_queue_push_tail (&self->queue, w);
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);

  if (error != NULL)
    write_fail_now (w, error);
}

static Write *
write_finish (WmIngest      *self,
              GAsyncResult  *result,
              gpointer       source_tag,
              GError       **error)
{
  g_autoptr(GError) task_error = NULL;
  Write *w;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  w = g_task_propagate_pointer (G_TASK (result), &task_error);
  if (w == NULL)
    g_propagate_error (error, g_steal_pointer (&task_error));
  else if (w->error != NULL)
    g_propagate_error (error, g_error_copy (w->error));
  return w;
}

/* ---- what the writer does ------------------------------------------------- */

static WmStreamState *
state_from_stream (const WmUploadStream *stream)
{
  WmStreamState *state = g_new0 (WmStreamState, 1);

  state->device = g_strdup (stream->device);
  state->stream_id = g_strdup (stream->stream_id);
  state->recording_id = stream->recording_id;
  state->committed_offset = stream->committed_offset;
  state->finalized = stream->finalized_at != 0;
  state->sha256 = g_strdup (stream->sha256);
  state->created_at = stream->created_at;
  state->updated_at = stream->updated_at;
  state->finalized_at = stream->finalized_at;
  state->meta = wm_stream_meta_from_json (stream->metadata, -1, NULL);
  return state;
}

/* The stream, or NULL with NOT_FOUND (or STORAGE). */
static WmUploadStream *
find_stream (WmStore     *store,
             const char  *device,
             const char  *stream_id,
             gboolean     missing_is_error,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  WmUploadStream *stream = wm_store_get_upload_stream (store, device, stream_id, &local_error);

  if (stream != NULL)
    return stream;
  if (g_error_matches (local_error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND))
    {
      if (missing_is_error)
        g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_NOT_FOUND,
                     _("device “%s” has no stream “%s” (PUT its metadata first)"), device, stream_id);
      return NULL;
    }
  wm_ingest_propagate_storage_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static WmRecordingAppender *
get_appender (WmIngest  *self,
              WmStore   *store,
              gint64     recording_id,
              GError   **error)
{
  WmRecordingAppender *appender = g_hash_table_lookup (self->appenders, &recording_id);
  gint64 *key;

  if (appender != NULL)
    return appender;
  appender = wm_store_open_appender (store, recording_id, error);
  if (appender == NULL)
    return NULL;
  if (g_hash_table_size (self->appenders) >= MAX_CACHED_APPENDERS)
    g_hash_table_remove_all (self->appenders);
  key = g_new (gint64, 1);
  *key = recording_id;
  g_hash_table_insert (self->appenders, key, appender);
  return appender;
}

static gboolean
create_stream (WmStore             *store,
               const char          *device,
               const char          *stream_id,
               const char          *name,
               const WmStreamMeta  *meta,
               GError             **error)
{
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autoptr(WmDevice) known = NULL;
  g_autoptr(GError) local_error = NULL;
  WmUploadStream stream = { 0 };
  g_autofree char *metadata = wm_stream_meta_to_json (meta);
  WmRecordingWriter *writer;

  known = wm_store_get_device (store, device, &local_error);
  if (known == NULL || known->revoked)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED,
                   _("device “%s” is unknown or revoked"), device);
      return FALSE;
    }

  recording->name = name != NULL ? g_strdup (name) : g_strdup_printf ("%s/%s", device, stream_id);
  recording->sample_rate = meta->sample_rate;
  recording->n_channels = meta->n_channels;
  recording->channel_names = g_strdupv (meta->channel_names);
  recording->channel_units = g_strdupv (meta->channel_units);
  recording->has_start_time = meta->has_start_time;
  recording->start_time_us = meta->start_time_us;
  recording->kind = meta->kind;
  recording->sample_format = meta->sample_format;
  recording->device_id = g_strdup (device);
  recording->stream_id = g_strdup (stream_id);

  writer = wm_store_begin_recording (store, recording, error);
  if (writer == NULL)
    return FALSE;
  stream.recording_id = wm_recording_writer_commit (writer, error);
  if (stream.recording_id == 0)
    return FALSE;

  stream.device = (char *) device;
  stream.stream_id = (char *) stream_id;
  stream.metadata = metadata;
  stream.device_type = meta->device_type;
  stream.firmware = meta->firmware;
  return wm_store_add_upload_stream (store, &stream, error);
}

static gboolean
apply_put_stream (WmIngest  *self,
                  WmStore   *store,
                  Write     *w,
                  GError   **error)
{
  g_autoptr(WmUploadStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  stream = find_stream (store, w->device, w->stream_id, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (stream == NULL)
    {
      if (!create_stream (store, w->device, w->stream_id, NULL, w->meta, error))
        return FALSE;
      w->created = TRUE;
      stream = find_stream (store, w->device, w->stream_id, TRUE, error);
      if (stream == NULL)
        return FALSE;
    }
  w->state = state_from_stream (stream);
  w->committed_offset = stream->committed_offset;
  if (!w->created && (w->state->meta == NULL || !wm_stream_meta_equal (w->state->meta, w->meta)))
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_METADATA_CONFLICT,
                   _("stream “%s” of device “%s” exists with other metadata"), w->stream_id, w->device);
      return FALSE;
    }
  return TRUE;
}

/* Frames [offset, end) below the committed offset must equal what is stored. */
static gboolean
check_overlap (WmStore               *store,
               const WmUploadStream  *stream,
               gint64                 offset,
               gint64                 end,
               const guint8          *frames,
               GError               **error)
{
  g_autofree guint8 *stored = NULL;
  gsize n_bytes = (end - offset) * stream->frame_bytes;
  g_autoptr(GError) local_error = NULL;

  if (end <= offset)
    return TRUE;
  stored = g_malloc (n_bytes);
  if (!wm_store_read_frames_raw (store, stream->recording_id, offset, end - offset, stored, &local_error))
    {
      wm_ingest_propagate_storage_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (memcmp (stored, frames, n_bytes) != 0)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_OVERLAP,
                   _("frames [%" PRId64 ", %" PRId64 ") differ from the frames "
                     "stored there; the committed offset is %" PRId64),
                   offset, end, stream->committed_offset);
      return FALSE;
    }
  return TRUE;
}

static gboolean
append_frames (WmIngest             *self,
               WmStore              *store,
               const WmUploadStream *stream,
               const guint8         *frames,
               gint64                n_frames,
               GError              **error)
{
  WmRecordingAppender *appender;
  gint64 stored;

  appender = get_appender (self, store, stream->recording_id, error);
  if (appender == NULL)
    return FALSE;
  stored = wm_recording_appender_get_n_frames (appender);
  if (stored != stream->committed_offset)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_STORAGE,
                   _("recording %" PRId64 " holds %" PRId64 " frames, but its "
                     "stream says %" PRId64 " were committed"),
                   stream->recording_id, stored, stream->committed_offset);
      return FALSE;
    }
  return wm_recording_appender_append (appender, frames, n_frames, error) &&
         wm_recording_appender_flush (appender, error) &&
         wm_store_set_upload_progress (store, stream->device, stream->stream_id,
                                       stream->committed_offset + n_frames,
                                       stream->n_bytes + n_frames * (gint64) stream->frame_bytes,
                                       error);
}

static gboolean
apply_chunk (WmIngest  *self,
             WmStore   *store,
             Write     *w,
             GError   **error)
{
  g_autoptr(WmUploadStream) stream = NULL;
  const guint8 *data;
  gsize size;
  gint64 n_frames, end, committed;

  stream = find_stream (store, w->device, w->stream_id, TRUE, error);
  if (stream == NULL)
    return FALSE;
  committed = w->committed_offset = stream->committed_offset;
  data = g_bytes_get_data (w->frames, &size);
  if (stream->frame_bytes == 0 || size % stream->frame_bytes != 0)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                   _("a chunk of %zu bytes is not whole frames of %zu bytes"),
                   size, stream->frame_bytes);
      return FALSE;
    }
  n_frames = size / stream->frame_bytes;
  end = w->offset + n_frames;
  if (w->offset > committed)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_GAP,
                   _("the chunk starts at frame %" PRId64 ", past the committed offset %"
                     PRId64), w->offset, committed);
      return FALSE;
    }
  if (!check_overlap (store, stream, w->offset, MIN (end, committed), data, error))
    return FALSE;
  if (end <= committed)
    return TRUE;
  if (stream->finalized_at != 0)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZED,
                   _("stream “%s” was finalized at %" PRId64 " frames; frames past its end are refused"),
                   w->stream_id, committed);
      return FALSE;
    }
  if (!append_frames (self, store, stream, data + (committed - w->offset) * stream->frame_bytes,
                      end - committed, error))
    return FALSE;
  w->committed_offset = end;
  w->new_bytes = (end - committed) * stream->frame_bytes;
  return TRUE;
}

/* The SHA-256 of the stream's frames as stored, read back through the store. */
static char *
hash_stored_frames (WmStore               *store,
                    const WmUploadStream  *stream,
                    GError               **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (HASH_READ_FRAMES * stream->frame_bytes);
  g_autoptr(GError) local_error = NULL;

  for (gint64 at = 0; at < stream->committed_offset; at += HASH_READ_FRAMES)
    {
      gint64 n = MIN (HASH_READ_FRAMES, stream->committed_offset - at);

      if (!wm_store_read_frames_raw (store, stream->recording_id, at, n, buffer, &local_error))
        {
          wm_ingest_propagate_storage_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_checksum_update (checksum, buffer, n * stream->frame_bytes);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
apply_finalize (WmIngest  *self,
                WmStore   *store,
                Write     *w,
                GError   **error)
{
  g_autoptr(WmUploadStream) stream = NULL;
  g_autofree char *stored = NULL;

  stream = find_stream (store, w->device, w->stream_id, TRUE, error);
  if (stream == NULL)
    return FALSE;
  w->committed_offset = stream->committed_offset;
  if (stream->finalized_at != 0)
    {
      w->state = state_from_stream (stream);
      if (g_ascii_strcasecmp (stream->sha256, w->sha256) == 0)
        return TRUE;
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZE_MISMATCH,
                   _("stream “%s” was finalized with SHA-256 %s, not %s"),
                   w->stream_id, stream->sha256, w->sha256);
      return FALSE;
    }

  stored = hash_stored_frames (store, stream, error);
  if (stored == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (stored, w->sha256) != 0)
    {
      w->state = state_from_stream (stream);
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_FINALIZE_MISMATCH,
                   _("the %" PRId64 " frames stored of stream “%s” have SHA-256 %s, not %s; "
                     "the stream stays open"), stream->committed_offset, w->stream_id, stored, w->sha256);
      return FALSE;
    }
  if (!wm_store_finalize_upload_stream (store, w->device, w->stream_id, stored, error))
    return FALSE;
  g_hash_table_remove (self->appenders, &stream->recording_id);
  g_clear_pointer (&stream, wm_upload_stream_free);
  stream = find_stream (store, w->device, w->stream_id, TRUE, error);
  if (stream == NULL)
    return FALSE;
  w->state = state_from_stream (stream);
  return TRUE;
}

static const char * const class_colors[] = {
  "#e01b24", "#2ec27e", "#3584e4", "#f6d32d", "#9141ac", "#ff7800", "#986a44", "#5e5c64",
};

static gboolean
label_whole_recording (WmStore     *store,
                       gint64       recording_id,
                       gint64       n_frames,
                       const char  *class_name,
                       const char  *author,
                       GError     **error)
{
  g_autoptr(WmClass) klass = NULL;
  g_autoptr(WmLabel) label = wm_label_new ();
  g_autoptr(GError) local_error = NULL;
  gint64 class_id;

  klass = wm_store_find_class (store, class_name, &local_error);
  if (klass != NULL)
    class_id = klass->id;
  else
    {
      const char *color = class_colors[g_str_hash (class_name) % G_N_ELEMENTS (class_colors)];

      g_clear_error (&local_error);
      class_id = wm_store_add_class (store, class_name, color, NULL, &local_error);
      if (class_id == 0)
        {
          g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                       _("label “%s”: %s"), class_name, local_error->message);
          return FALSE;
        }
    }
  label->recording_id = recording_id;
  label->start_frame = 0;
  label->end_frame = n_frames;
  label->class_id = class_id;
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  label->author = g_strdup (author);
  return wm_store_add_label (store, label, error);
}

static gboolean
apply_sample (WmIngest  *self,
              WmStore   *store,
              Write     *w,
              GError   **error)
{
  g_autoptr(WmUploadStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size, frame_bytes = wm_stream_meta_frame_bytes (w->meta);
  const guint8 *data = g_bytes_get_data (w->frames, &size);
  gint64 n_frames = size / frame_bytes;

  stream = find_stream (store, w->device, w->stream_id, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (stream != NULL)
    {
      w->recording_id = stream->recording_id;
      return TRUE;
    }
  if (!create_stream (store, w->device, w->stream_id, w->name, w->meta, error) ||
      (stream = find_stream (store, w->device, w->stream_id, TRUE, error)) == NULL ||
      !append_frames (self, store, stream, data, n_frames, error) ||
      !wm_store_finalize_upload_stream (store, w->device, w->stream_id, w->sha256, error))
    return FALSE;
  g_hash_table_remove (self->appenders, &stream->recording_id);
  if (w->label != NULL &&
      !label_whole_recording (store, stream->recording_id, n_frames, w->label, w->device, error))
    return FALSE;
  w->recording_id = stream->recording_id;
  w->new_bytes = size;
  return TRUE;
}

static gboolean
apply_write (WmIngest  *self,
             WmStore   *store,
             Write     *w,
             GError   **error)
{
  switch (w->kind)
    {
    case WRITE_STREAM:
      return apply_put_stream (self, store, w, error);
    case WRITE_CHUNK:
      return apply_chunk (self, store, w, error);
    case WRITE_FINALIZE:
      return apply_finalize (self, store, w, error);
    case WRITE_SAMPLE:
      return apply_sample (self, store, w, error);
    default:
      g_assert_not_reached ();
    }
}

/* One write in a savepoint of its own: a failure undoes only it. */
static void
apply_in_savepoint (WmIngest *self,
                    WmStore  *store,
                    Write    *w)
{
  GError *error = NULL;

  if (!wm_store_begin (store, &error))
    {
      wm_ingest_propagate_storage_error (&w->error, error);
      return;
    }
  if (!apply_write (self, store, w, &error))
    {
      wm_store_rollback (store);
      wm_ingest_propagate_storage_error (&w->error, error);
      return;
    }
  if (!wm_store_commit (store, &error))
    wm_ingest_propagate_storage_error (&w->error, error);
}

static void
note_last_seen (WmStore    *store,
                GHashTable *seen)
{
  GHashTableIter iter;
  gpointer name, time;

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &name, &time))
    {
      if (!wm_store_begin (store, NULL))
        return;
      if (wm_store_set_device_last_seen (store, name, *(gint64 *) time, NULL))
        wm_store_commit (store, NULL);
      else
        wm_store_rollback (store);
    }
}

static void
maybe_crash (WmIngest   *self,
             CrashPoint  point)
{
  if (self->crash_point == point && self->n_write_transactions == self->crash_at)
    {
      g_printerr ("waymark ingest: WAYMARK_INGEST_CRASH: aborting %s commit of write transaction %"
                  G_GUINT64_FORMAT "\n", point == CRASH_BEFORE_COMMIT ? "before the" : "after the",
                  self->crash_at);
      abort ();
    }
}

/* Every write of a batch whose transaction was lost fails with @error. */
static void
fail_batch (GPtrArray    *batch,
            const GError *error)
{
  for (guint i = 0; i < batch->len; i++)
    {
      Write *w = batch->pdata[i];

      g_clear_error (&w->error);
      w->error = g_error_new (WM_INGEST_ERROR, WM_INGEST_ERROR_STORAGE,
                              _("the project could not be written: %s"), error->message);
      w->committed_offset = -1;
    }
}

static void
run_transaction (WmIngest   *self,
                 GPtrArray  *batch,
                 GHashTable *seen)
{
  WmStore *store = self->writer_store;
  g_autoptr(GError) error = NULL;

  if (!wm_store_begin (store, &error))
    {
      fail_batch (batch, error);
      return;
    }
  for (guint i = 0; i < batch->len; i++)
    apply_in_savepoint (self, store, batch->pdata[i]);
  note_last_seen (store, seen);

  if (batch->len > 0)
    self->n_write_transactions++;
  maybe_crash (self, CRASH_BEFORE_COMMIT);
  if (!wm_store_commit (store, &error))
    {
      fail_batch (batch, error);
      return;
    }
  maybe_crash (self, CRASH_AFTER_COMMIT);
}

static void
count_batch (WmIngest  *self,
             GPtrArray *batch)
{
  g_mutex_lock (&self->lock);
  if (batch->len > 0)
    {
      self->stats.transactions++;
      self->stats.max_batch = MAX (self->stats.max_batch, batch->len);
    }
  for (guint i = 0; i < batch->len; i++)
    {
      Write *w = batch->pdata[i];

      if (w->error != NULL)
        continue;
      if (w->kind == WRITE_CHUNK)
        self->stats.chunks++;
      self->stats.bytes += w->new_bytes;
    }
  g_mutex_unlock (&self->lock);
}

/* Waits for work: queued writes, or devices seen a while ago with nothing
 * else to write.  FALSE when closing and nothing is left. */
static gboolean
take_batch (WmIngest    *self,
            GPtrArray   *batch,
            GHashTable **out_seen)
{
  gint64 deadline = 0;

  g_mutex_lock (&self->lock);
  while (self->queue.length == 0 && !self->closing)
    {
      if (g_hash_table_size (self->seen) == 0)
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      if (deadline == 0)
        deadline = g_get_monotonic_time () + LAST_SEEN_DELAY_US;
      if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
        break;
    }
  if (self->queue.length == 0 && g_hash_table_size (self->seen) == 0)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  while (self->queue.length > 0)
    {
      g_ptr_array_add (batch, g_queue_pop_head (&self->queue));
      if (self->options.no_group_commit)
        break;
    }
  *out_seen = g_steal_pointer (&self->seen);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  WmIngest *self = data;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GHashTable) seen = NULL;

      if (!take_batch (self, batch, &seen))
        break;
      run_transaction (self, batch, seen);
      count_batch (self, batch);
      for (guint i = 0; i < batch->len; i++)
        write_complete (batch->pdata[i]);
    }
  return NULL;
}

/* ---- GObject -------------------------------------------------------------- */

static void
wm_ingest_dispose (GObject *object)
{
  wm_ingest_close (WM_INGEST (object));

  G_OBJECT_CLASS (wm_ingest_parent_class)->dispose (object);
}

static void
wm_ingest_finalize (GObject *object)
{
  WmIngest *self = (WmIngest *) object;

  g_clear_object (&self->reader);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (wm_ingest_parent_class)->finalize (object);
}

static void
wm_ingest_class_init (WmIngestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wm_ingest_dispose;
  object_class->finalize = wm_ingest_finalize;
}

static void
wm_ingest_init (WmIngest *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->appenders = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) wm_recording_appender_free);
}

/* ---- public API ----------------------------------------------------------- */

static void
parse_crash_hook (WmIngest *self)
{
  const char *hook = g_getenv ("WAYMARK_INGEST_CRASH");
  const char *number = NULL;
  guint64 n;

  if (hook == NULL)
    return;
  if (g_str_has_prefix (hook, "before-commit:"))
    {
      self->crash_point = CRASH_BEFORE_COMMIT;
      number = hook + strlen ("before-commit:");
    }
  else if (g_str_has_prefix (hook, "after-commit:"))
    {
      self->crash_point = CRASH_AFTER_COMMIT;
      number = hook + strlen ("after-commit:");
    }
  if (number == NULL || !g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, &n, NULL))
    {
      g_warning ("WAYMARK_INGEST_CRASH=%s is not before-commit:N or after-commit:N; ignored", hook);
      self->crash_point = CRASH_NONE;
      return;
    }
  self->crash_at = n;
}

WmIngest *
wm_ingest_new (const char             *project_path,
               const WmIngestOptions  *options,
               GError                **error)
{
  g_autoptr(WmIngest) self = NULL;

  g_return_val_if_fail (project_path != NULL, NULL);

  self = g_object_new (WM_TYPE_INGEST, NULL);
  if (options != NULL)
    self->options = *options;
  if (self->options.max_chunk_bytes == 0)
    self->options.max_chunk_bytes = DEFAULT_MAX_CHUNK_BYTES;
  if (self->options.max_queue == 0)
    self->options.max_queue = DEFAULT_MAX_QUEUE;
  parse_crash_hook (self);

  /* The writer's connection first: it brings an older project up to date. */
  self->writer_store = wm_store_open (project_path, WM_STORE_OPEN_DEFAULT, error);
  if (self->writer_store == NULL)
    return NULL;
  if (self->options.max_project_bytes > 0 &&
      !wm_store_set_size_limit (self->writer_store, self->options.max_project_bytes, error))
    return NULL;
  self->reader = wm_store_open (project_path, WM_STORE_OPEN_READ_ONLY, error);
  if (self->reader == NULL)
    return NULL;

  self->thread = g_thread_new ("wm-ingest-writer", writer_thread, self);
  return g_steal_pointer (&self);
}

void
wm_ingest_close (WmIngest *self)
{
  g_return_if_fail (WM_IS_INGEST (self));

  g_mutex_lock (&self->lock);
  self->closing = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->appenders, g_hash_table_unref);
  g_clear_object (&self->writer_store);
}

void
wm_ingest_get_stats (WmIngest      *self,
                     WmIngestStats *out_stats)
{
  g_return_if_fail (WM_IS_INGEST (self));
  g_return_if_fail (out_stats != NULL);

  g_mutex_lock (&self->lock);
  *out_stats = self->stats;
  g_mutex_unlock (&self->lock);
}

static void
note_seen (WmIngest   *self,
           const char *device)
{
  gint64 *time = g_new (gint64, 1);

  *time = g_get_real_time ();
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->seen, g_strdup (device), time);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
unauthorized (GError     **error,
              const char  *device,
              const char  *why)
{
  g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED,
               _("device “%s”: %s"), device != NULL ? device : "", why);
  return FALSE;
}

/* The device's stored secrets; UNAUTHORIZED when unknown or revoked. */
static gboolean
read_secrets (WmIngest    *self,
              const char  *device,
              char       **out_token_sha256,
              char       **out_hmac_key,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean revoked = FALSE;

  if (device == NULL ||
      !wm_store_get_device_secrets (self->reader, device, out_token_sha256, out_hmac_key,
                                    &revoked, &local_error))
    {
      if (local_error == NULL || g_error_matches (local_error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND))
        return unauthorized (error, device, _("no such device"));
      wm_ingest_propagate_storage_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (revoked)
    return unauthorized (error, device, _("the device was revoked"));
  return TRUE;
}

gboolean
wm_ingest_authenticate (WmIngest    *self,
                        const char  *device,
                        const char  *token,
                        GError     **error)
{
  g_autofree char *stored = NULL;

  g_return_val_if_fail (WM_IS_INGEST (self), FALSE);

  if (token == NULL || *token == '\0')
    return unauthorized (error, device, _("no bearer token"));
  if (!read_secrets (self, device, &stored, NULL, error))
    return FALSE;
  if (!wm_ingest_token_matches (token, stored))
    return unauthorized (error, device, _("wrong token"));
  note_seen (self, device);
  return TRUE;
}

char *
wm_ingest_device_for_token (WmIngest    *self,
                            const char  *token,
                            GError     **error)
{
  g_autofree char *token_sha256 = NULL;
  g_autofree char *device = NULL;

  g_return_val_if_fail (WM_IS_INGEST (self), NULL);

  if (token == NULL || *token == '\0')
    {
      unauthorized (error, NULL, _("no bearer token"));
      return NULL;
    }
  token_sha256 = wm_ingest_hash_token (token);
  device = wm_store_find_device_by_token (self->reader, token_sha256, NULL);
  if (device == NULL)
    {
      g_set_error_literal (error, WM_INGEST_ERROR, WM_INGEST_ERROR_UNAUTHORIZED,
                           _("no device has this token"));
      return NULL;
    }
  if (!wm_ingest_authenticate (self, device, token, error))
    return NULL;
  return g_steal_pointer (&device);
}

char *
wm_ingest_get_hmac_key (WmIngest    *self,
                        const char  *device,
                        GError     **error)
{
  char *hmac_key = NULL;

  g_return_val_if_fail (WM_IS_INGEST (self), NULL);

  if (!read_secrets (self, device, NULL, &hmac_key, error))
    return NULL;
  return hmac_key;
}

WmStreamState *
wm_ingest_get_stream (WmIngest    *self,
                      const char  *device,
                      const char  *stream_id,
                      GError     **error)
{
  g_autoptr(WmUploadStream) stream = NULL;

  g_return_val_if_fail (WM_IS_INGEST (self), NULL);
  g_return_val_if_fail (device != NULL && stream_id != NULL, NULL);

  stream = find_stream (self->reader, device, stream_id, TRUE, error);
  if (stream == NULL)
    return NULL;
  return state_from_stream (stream);
}

static gboolean
check_sha256_text (const char  *what,
                   const char  *sha256_hex,
                   GError     **error)
{
  if (sha256_hex != NULL && strlen (sha256_hex) == 64 &&
      strspn (sha256_hex, "0123456789abcdefABCDEF") == 64)
    return TRUE;
  g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
               _("%s “%s” is not a SHA-256 (64 hex digits)"), what, sha256_hex != NULL ? sha256_hex : "");
  return FALSE;
}

/* What can be refused without the project: names, sizes, the chunk's hash. */
static gboolean
check_request (WmIngest    *self,
               const char  *device,
               const char  *stream_id,
               GError     **error)
{
  return wm_ingest_check_name (_("device name"), device, error) &&
         (stream_id == NULL || wm_ingest_check_name (_("stream id"), stream_id, error));
}

void
wm_ingest_put_stream_async (WmIngest            *self,
                            const char          *device,
                            const char          *stream_id,
                            const WmStreamMeta  *meta,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Write *w;
  GError *error = NULL;

  g_return_if_fail (WM_IS_INGEST (self));
  g_return_if_fail (meta != NULL);

  w = write_new (self, WRITE_STREAM, device, stream_id, cancellable, callback, user_data,
                 wm_ingest_put_stream_async);
  w->meta = wm_stream_meta_copy (meta);
  if (!check_request (self, device, stream_id, &error))
    write_fail_now (w, error);
  else
    enqueue (self, w);
}

gboolean
wm_ingest_put_stream_finish (WmIngest        *self,
                             GAsyncResult    *result,
                             WmStreamState  **out_state,
                             gboolean        *out_created,
                             GError         **error)
{
  g_autoptr(Write) w = write_finish (self, result, wm_ingest_put_stream_async, error);

  if (w == NULL)
    return FALSE;
  if (out_state != NULL)
    *out_state = g_steal_pointer (&w->state);
  if (out_created != NULL)
    *out_created = w->created;
  return w->error == NULL;
}

static gboolean
check_chunk (WmIngest    *self,
             gint64       offset,
             GBytes      *frames,
             const char  *sha256_hex,
             GError     **error)
{
  g_autofree char *actual = NULL;
  gsize size = g_bytes_get_size (frames);

  if (offset < 0)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                   _("offset %" PRId64 " is negative"), offset);
      return FALSE;
    }
  if (size > self->options.max_chunk_bytes)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_TOO_LARGE,
                   _("a chunk of %zu bytes is over the limit of %zu"),
                   size, self->options.max_chunk_bytes);
      return FALSE;
    }
  if (sha256_hex == NULL)
    return TRUE;
  if (!check_sha256_text (_("X-Content-SHA256"), sha256_hex, error))
    return FALSE;
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, frames);
  if (g_ascii_strcasecmp (actual, sha256_hex) != 0)
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_HASH_MISMATCH,
                   _("the chunk's SHA-256 is %s, not %s as sent; nothing was stored"), actual, sha256_hex);
      return FALSE;
    }
  return TRUE;
}

void
wm_ingest_put_chunk_async (WmIngest            *self,
                           const char          *device,
                           const char          *stream_id,
                           gint64               offset,
                           GBytes              *frames,
                           const char          *sha256_hex,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Write *w;
  GError *error = NULL;

  g_return_if_fail (WM_IS_INGEST (self));
  g_return_if_fail (frames != NULL);

  w = write_new (self, WRITE_CHUNK, device, stream_id, cancellable, callback, user_data,
                 wm_ingest_put_chunk_async);
  w->offset = offset;
  w->frames = g_bytes_ref (frames);
  if (!check_request (self, device, stream_id, &error) ||
      !check_chunk (self, offset, frames, sha256_hex, &error))
    write_fail_now (w, error);
  else
    enqueue (self, w);
}

gboolean
wm_ingest_put_chunk_finish (WmIngest      *self,
                            GAsyncResult  *result,
                            gint64        *out_committed_offset,
                            GError       **error)
{
  g_autoptr(Write) w = write_finish (self, result, wm_ingest_put_chunk_async, error);

  if (out_committed_offset != NULL)
    *out_committed_offset = w != NULL ? w->committed_offset : -1;
  return w != NULL && w->error == NULL;
}

void
wm_ingest_finalize_async (WmIngest            *self,
                          const char          *device,
                          const char          *stream_id,
                          const char          *sha256_hex,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Write *w;
  GError *error = NULL;

  g_return_if_fail (WM_IS_INGEST (self));

  w = write_new (self, WRITE_FINALIZE, device, stream_id, cancellable, callback, user_data,
                 wm_ingest_finalize_async);
  w->sha256 = g_strdup (sha256_hex);
  if (!check_request (self, device, stream_id, &error) ||
      !check_sha256_text (_("the stream’s SHA-256"), sha256_hex, &error))
    write_fail_now (w, error);
  else
    enqueue (self, w);
}

gboolean
wm_ingest_finalize_finish (WmIngest        *self,
                           GAsyncResult    *result,
                           WmStreamState  **out_state,
                           GError         **error)
{
  g_autoptr(Write) w = write_finish (self, result, wm_ingest_finalize_async, error);

  if (w == NULL)
    return FALSE;
  if (out_state != NULL)
    *out_state = g_steal_pointer (&w->state);
  return w->error == NULL;
}

void
wm_ingest_add_sample_async (WmIngest            *self,
                            const char          *device,
                            const char          *name,
                            const WmStreamMeta  *meta,
                            GBytes              *frames,
                            const char          *label,
                            const char          *category,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *stream_id = NULL;
  Write *w;
  GError *error = NULL;
  gsize size;

  g_return_if_fail (WM_IS_INGEST (self));
  g_return_if_fail (meta != NULL && frames != NULL);

  w = write_new (self, WRITE_SAMPLE, device, NULL, cancellable, callback, user_data,
                 wm_ingest_add_sample_async);
  w->meta = wm_stream_meta_copy (meta);
  g_free (w->meta->note);
  w->meta->note = g_strdup (category);
  w->frames = g_bytes_ref (frames);
  w->name = g_strdup (name);
  w->label = g_strdup (label);
  /* Idempotent by content: the stream is named by the samples' hash. */
  w->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, frames);
  w->stream_id = g_strdup_printf ("ei-%.40s", w->sha256);
  size = g_bytes_get_size (frames);

  if (!check_request (self, device, NULL, &error))
    write_fail_now (w, error);
  else if (size == 0 || size % wm_stream_meta_frame_bytes (meta) != 0)
    write_fail_now (w, g_error_new (WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                                    _("a sample of %zu bytes is not whole frames of %zu bytes"), size, wm_stream_meta_frame_bytes (meta)));
  else if (size > self->options.max_chunk_bytes)
    write_fail_now (w, g_error_new (WM_INGEST_ERROR, WM_INGEST_ERROR_TOO_LARGE,
                                    _("a sample of %zu bytes is over the limit of %zu"), size, self->options.max_chunk_bytes));
  else
    enqueue (self, w);
}

gboolean
wm_ingest_add_sample_finish (WmIngest      *self,
                             GAsyncResult  *result,
                             gint64        *out_recording_id,
                             GError       **error)
{
  g_autoptr(Write) w = write_finish (self, result, wm_ingest_add_sample_async, error);

  if (w == NULL)
    return FALSE;
  if (out_recording_id != NULL)
    *out_recording_id = w->recording_id;
  return w->error == NULL;
}

/* ---- synchronous forms ---------------------------------------------------- */

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} SyncCall;

static void
sync_call_begin (SyncCall *call)
{
  call->context = g_main_context_new ();
  call->result = NULL;
  g_main_context_push_thread_default (call->context);
}

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  SyncCall *call = data;

  call->result = g_object_ref (result);
}

static GAsyncResult *
sync_call_wait (SyncCall *call)
{
  while (call->result == NULL)
    g_main_context_iteration (call->context, TRUE);
  g_main_context_pop_thread_default (call->context);
  g_main_context_unref (call->context);
  return call->result;
}

gboolean
wm_ingest_put_stream_sync (WmIngest            *self,
                           const char          *device,
                           const char          *stream_id,
                           const WmStreamMeta  *meta,
                           WmStreamState      **out_state,
                           gboolean            *out_created,
                           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  sync_call_begin (&call);
  wm_ingest_put_stream_async (self, device, stream_id, meta, NULL, sync_call_done, &call);
  result = sync_call_wait (&call);
  return wm_ingest_put_stream_finish (self, result, out_state, out_created, error);
}

gboolean
wm_ingest_put_chunk_sync (WmIngest     *self,
                          const char   *device,
                          const char   *stream_id,
                          gint64        offset,
                          GBytes       *frames,
                          const char   *sha256_hex,
                          gint64       *out_committed_offset,
                          GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  sync_call_begin (&call);
  wm_ingest_put_chunk_async (self, device, stream_id, offset, frames, sha256_hex, NULL,
                             sync_call_done, &call);
  result = sync_call_wait (&call);
  return wm_ingest_put_chunk_finish (self, result, out_committed_offset, error);
}

gboolean
wm_ingest_finalize_sync (WmIngest        *self,
                         const char      *device,
                         const char      *stream_id,
                         const char      *sha256_hex,
                         WmStreamState  **out_state,
                         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  sync_call_begin (&call);
  wm_ingest_finalize_async (self, device, stream_id, sha256_hex, NULL, sync_call_done, &call);
  result = sync_call_wait (&call);
  return wm_ingest_finalize_finish (self, result, out_state, error);
}

gboolean
wm_ingest_add_sample_sync (WmIngest            *self,
                           const char          *device,
                           const char          *name,
                           const WmStreamMeta  *meta,
                           GBytes              *frames,
                           const char          *label,
                           const char          *category,
                           gint64              *out_recording_id,
                           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  sync_call_begin (&call);
  wm_ingest_add_sample_async (self, device, name, meta, frames, label, category, NULL,
                              sync_call_done, &call);
  result = sync_call_wait (&call);
  return wm_ingest_add_sample_finish (self, result, out_recording_id, error);
}
