/* wm-import-audio.c — audio files through libsndfile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A decoder thread reads blocks of frames into a small pool of buffers and
 * hands them over a queue to the caller's thread, which stores them; the
 * pool bounds memory and lets decoding and SQLite writes overlap.  The
 * file is read through libsndfile's virtual I/O so that its SHA-256 is
 * computed from the same reads, in a third thread: SHA-256 costs more than
 * decoding a WAV, so hashing beside the decoder keeps it off the
 * critical path.
 */

#define G_LOG_DOMAIN "waymark-import"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "wm-import-private.h"

#define BLOCK_FRAMES  16384
#define N_BLOCKS      4
#define HASH_CHUNK    (256 * 1024)
#define HASH_BATCH    (1024 * 1024)
#define HASH_BACKLOG  (8 * 1024 * 1024)

/* SHA-256 of bytes handed over in order, computed in its own thread; the
 * producer waits when HASH_BACKLOG bytes are not hashed yet. */
typedef struct {
  struct sha256_ctx sha;
  GThread     *thread;
  GMutex       lock;
  GCond        cond;
  GQueue       batches;   /* of GByteArray, under lock */
  gsize        backlog;   /* bytes queued, under lock */
  gboolean     finished;  /* no more batches, under lock */
  GByteArray  *pending;   /* producer side, not yet queued */
} Hasher;

/* The file as libsndfile sees it.  Bytes are hashed in file order exactly
 * once: a read that skips ahead first hashes what it skipped, and what
 * libsndfile never reads (trailing chunks) is hashed at the end. */
typedef struct {
  int         fd;
  gint64      size;
  gint64      pos;
  gint64      hashed;
  Hasher      hasher;
  int         read_errno;
  guchar     *hash_buffer;
} HashedFile;

typedef struct {
  void    *frames;
  gsize    n_frames; /* 0 marks the end of the stream */
  guint64  bytes_done;
} Block;

typedef struct {
  HashedFile    file;
  SNDFILE      *sndfile;
  SF_INFO       info;
  gboolean      is_int16;
  GAsyncQueue  *free_blocks;
  GAsyncQueue  *full_blocks;
  Block         blocks[N_BLOCKS];
  gint          stop;         /* atomic: the consumer gave up */
  gint64        frames_read;  /* owned by the decoder until the end block */
  GError       *error;        /* idem */
} AudioDecoder;

static gpointer
hash_thread (gpointer user_data)
{
  Hasher *hasher = user_data;

  g_mutex_lock (&hasher->lock);
  for (;;)
    {
      GByteArray *batch = g_queue_pop_head (&hasher->batches);

      if (batch == NULL)
        {
          if (hasher->finished)
            break;
          g_cond_wait (&hasher->cond, &hasher->lock);
          continue;
        }

      g_mutex_unlock (&hasher->lock);
      sha256_update (&hasher->sha, batch->len, batch->data);
      g_mutex_lock (&hasher->lock);

      hasher->backlog -= batch->len;
      g_byte_array_unref (batch);
      g_cond_broadcast (&hasher->cond);
    }
  g_mutex_unlock (&hasher->lock);

  return NULL;
}

static void
hasher_init (Hasher *hasher)
{
  sha256_init (&hasher->sha);
  g_mutex_init (&hasher->lock);
  g_cond_init (&hasher->cond);
  g_queue_init (&hasher->batches);
  hasher->pending = g_byte_array_sized_new (HASH_BATCH);
  hasher->thread = g_thread_new ("wm-import-hash", hash_thread, hasher);
}

static void
hasher_queue_pending (Hasher *hasher)
{
  if (hasher->pending->len == 0)
    return;

  g_mutex_lock (&hasher->lock);
  while (hasher->backlog >= HASH_BACKLOG)
    g_cond_wait (&hasher->cond, &hasher->lock);
  hasher->backlog += hasher->pending->len;
  g_queue_push_tail (&hasher->batches, hasher->pending);
  g_cond_broadcast (&hasher->cond);
  g_mutex_unlock (&hasher->lock);

  hasher->pending = g_byte_array_sized_new (HASH_BATCH);
}

static void
hasher_update (Hasher       *hasher,
               const guchar *data,
               gsize         length)
{
  g_byte_array_append (hasher->pending, data, length);
  if (hasher->pending->len >= HASH_BATCH)
    hasher_queue_pending (hasher);
}

/* Waits until everything handed over is hashed; safe to call twice. */
static void
hasher_finish (Hasher *hasher)
{
  if (hasher->thread == NULL)
    return;

  hasher_queue_pending (hasher);
  g_mutex_lock (&hasher->lock);
  hasher->finished = TRUE;
  g_cond_broadcast (&hasher->cond);
  g_mutex_unlock (&hasher->lock);
  g_thread_join (g_steal_pointer (&hasher->thread));
}

static void
hasher_clear (Hasher *hasher)
{
  hasher_finish (hasher);
  g_clear_pointer (&hasher->pending, g_byte_array_unref);
  g_mutex_clear (&hasher->lock);
  g_cond_clear (&hasher->cond);
}

static gboolean
hash_up_to (HashedFile *file,
            gint64      end)
{
  while (file->hashed < end)
    {
      gsize want = MIN ((gint64) HASH_CHUNK, end - file->hashed);
      gssize n = pread (file->fd, file->hash_buffer, want, file->hashed);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          file->read_errno = n < 0 ? errno : EIO;
          return FALSE;
        }
      hasher_update (&file->hasher, file->hash_buffer, n);
      file->hashed += n;
    }

  return TRUE;
}

static sf_count_t
vio_get_filelen (void *user_data)
{
  HashedFile *file = user_data;

  return file->size;
}

static sf_count_t
vio_seek (sf_count_t offset,
          int        whence,
          void      *user_data)
{
  HashedFile *file = user_data;
  gint64 target;

  switch (whence)
    {
    case SEEK_SET:
      target = offset;
      break;
    case SEEK_CUR:
      target = file->pos + offset;
      break;
    case SEEK_END:
      target = file->size + offset;
      break;
    default:
      return -1;
    }

  if (target < 0)
    return -1;
  file->pos = target;
  return file->pos;
}

static sf_count_t
vio_read (void       *ptr,
          sf_count_t  count,
          void       *user_data)
{
  HashedFile *file = user_data;
  guchar *bytes = ptr;
  sf_count_t done = 0;

  if (file->pos > file->hashed && !hash_up_to (file, MIN (file->pos, file->size)))
    return 0;

  while (done < count)
    {
      gssize n = pread (file->fd, bytes + done, count - done, file->pos + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        file->read_errno = errno;
      if (n <= 0)
        break;
      done += n;
    }

  if (done > 0 && file->pos + done > file->hashed)
    {
      gint64 skip = file->hashed - file->pos;

      hasher_update (&file->hasher, bytes + skip, done - skip);
      file->hashed = file->pos + done;
    }

  file->pos += done;
  return done;
}

static sf_count_t
vio_write (const void *ptr,
           sf_count_t  count,
           void       *user_data)
{
  return 0;
}

static sf_count_t
vio_tell (void *user_data)
{
  HashedFile *file = user_data;

  return file->pos;
}

static SF_VIRTUAL_IO hashed_file_io = {
  vio_get_filelen,
  vio_seek,
  vio_read,
  vio_write,
  vio_tell,
};

/* libsndfile trims a data chunk that runs past the end of the file without
 * complaint; the container's own length tells that the file was cut. */
static gboolean
check_container_length (WmImportJob  *job,
                        int           fd,
                        GError      **error)
{
  guchar head[12];
  guint32 declared;

  if (pread (fd, head, sizeof head, 0) != sizeof head)
    return TRUE;

  if (memcmp (head, "RIFF", 4) == 0)
    declared = head[4] | head[5] << 8 | head[6] << 16 | (guint32) head[7] << 24;
  else if (memcmp (head, "FORM", 4) == 0)
    declared = (guint32) head[4] << 24 | head[5] << 16 | head[6] << 8 | head[7];
  else
    return TRUE;

  /* Streaming writers leave the length at 0 or all ones. */
  if (declared == 0 || declared == G_MAXUINT32)
    return TRUE;

  if ((guint64) declared + 8 > job->size)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT,
                   _("%s: truncated: the header announces %" PRIu64
                     " bytes but the file has %" PRIu64),
                   job->path, (guint64) declared + 8, job->size);
      return FALSE;
    }

  return TRUE;
}

/* Hands what libsndfile never read (trailing chunks) to the hasher. */
static void
finish_hash (AudioDecoder *decoder)
{
  HashedFile *file = &decoder->file;

  if (!hash_up_to (file, file->size))
    g_set_error (&decoder->error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                 _("read error: %s"), g_strerror (file->read_errno));
}

static gpointer
decode_thread (gpointer user_data)
{
  AudioDecoder *decoder = user_data;

  for (;;)
    {
      Block *block = g_async_queue_pop (decoder->free_blocks);
      sf_count_t n;

      if (g_atomic_int_get (&decoder->stop))
        {
          block->n_frames = 0;
          g_async_queue_push (decoder->full_blocks, block);
          break;
        }

      if (decoder->is_int16)
        n = sf_readf_short (decoder->sndfile, block->frames, BLOCK_FRAMES);
      else
        n = sf_readf_float (decoder->sndfile, block->frames, BLOCK_FRAMES);

      if (n > 0)
        {
          decoder->frames_read += n;
          block->n_frames = n;
          block->bytes_done = decoder->file.hashed;
          g_async_queue_push (decoder->full_blocks, block);
          continue;
        }

      if (decoder->file.read_errno != 0)
        g_set_error (&decoder->error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                     _("read error: %s"), g_strerror (decoder->file.read_errno));
      else if (sf_error (decoder->sndfile) != SF_ERR_NO_ERROR)
        g_set_error (&decoder->error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT,
                     _("damaged after frame %" PRId64 ": %s"),
                     decoder->frames_read, sf_strerror (decoder->sndfile));
      else if (decoder->info.frames != SF_COUNT_MAX && decoder->frames_read < decoder->info.frames)
        g_set_error (&decoder->error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT,
                     _("truncated: %" PRId64 " of %" PRId64 " frames present"),
                     decoder->frames_read, (gint64) decoder->info.frames);
      else
        finish_hash (decoder);

      block->n_frames = 0;
      g_async_queue_push (decoder->full_blocks, block);
      break;
    }

  return NULL;
}

static char **
channel_names (guint n_channels)
{
  char **names = g_new0 (char *, n_channels + 1);

  if (n_channels == 1)
    names[0] = g_strdup ("mono");
  else if (n_channels == 2)
    {
      names[0] = g_strdup ("left");
      names[1] = g_strdup ("right");
    }
  else
    {
      for (guint i = 0; i < n_channels; i++)
        names[i] = g_strdup_printf ("ch%u", i + 1);
    }

  return names;
}

static char **
empty_units (guint n_channels)
{
  char **units = g_new0 (char *, n_channels + 1);

  for (guint i = 0; i < n_channels; i++)
    units[i] = g_strdup ("");
  return units;
}

static gboolean
open_sndfile (WmImportJob   *job,
              AudioDecoder  *decoder,
              GError       **error)
{
  int code;

  decoder->sndfile = sf_open_virtual (&hashed_file_io, SFM_READ, &decoder->info, &decoder->file);
  if (decoder->sndfile != NULL)
    {
      if (decoder->info.channels < 1 || decoder->info.samplerate < 1)
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT,
                       _("%s: invalid header (%d channels at %d Hz)"),
                       job->path, decoder->info.channels, decoder->info.samplerate);
          return FALSE;
        }
      return TRUE;
    }

  if (decoder->file.read_errno != 0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                   _("%s: read error: %s"), job->path, g_strerror (decoder->file.read_errno));
      return FALSE;
    }

  code = sf_error (NULL);
  g_set_error (error, WM_IMPORT_ERROR,
               code == SF_ERR_MALFORMED_FILE ? WM_IMPORT_ERROR_CORRUPT
                                             : WM_IMPORT_ERROR_UNSUPPORTED_FORMAT,
               code == SF_ERR_MALFORMED_FILE ? _("%s: damaged audio file: %s")
                                             : _("%s: not an audio file Waymark can read (%s)"),
               job->path, sf_strerror (NULL));
  return FALSE;
}

static gboolean
store_blocks (WmImportJob        *job,
              AudioDecoder       *decoder,
              WmRecordingWriter  *writer,
              GError            **error)
{
  GThread *thread;
  gboolean ok = TRUE;

  thread = g_thread_new ("wm-import-decode", decode_thread, decoder);

  for (;;)
    {
      Block *block = g_async_queue_pop (decoder->full_blocks);

      if (block->n_frames == 0)
        break;

      if (ok)
        {
          ok = wm_recording_writer_append (writer, block->frames, block->n_frames, error)
            && wm_import_job_check_cancel (job, error);
          if (ok)
            wm_import_job_progress (job, block->bytes_done);
          else
            g_atomic_int_set (&decoder->stop, TRUE);
        }

      g_async_queue_push (decoder->free_blocks, block);
    }

  g_thread_join (thread);

  if (ok && decoder->error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&decoder->error), "%s: ", job->path);
      return FALSE;
    }
  if (!ok && error != NULL && (*error)->domain == WM_STORE_ERROR)
    wm_import_job_prefix_error (job, error);

  return ok;
}

gboolean
wm_import_audio (WmImportJob  *job,
                 GError      **error)
{
  AudioDecoder decoder = { 0 };
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(WmRecordingWriter) writer = NULL;
  gboolean ok = FALSE;
  gint64 recording_id;
  gsize sample_size;

  decoder.file.fd = g_open (job->path, O_RDONLY | O_CLOEXEC, 0);
  if (decoder.file.fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                   _("%s: cannot open: %s"), job->path, g_strerror (saved_errno));
      return FALSE;
    }
  decoder.file.size = job->size;
  decoder.file.hash_buffer = g_malloc (HASH_CHUNK);
  hasher_init (&decoder.file.hasher);
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (decoder.file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  if (!check_container_length (job, decoder.file.fd, error)
      || !open_sndfile (job, &decoder, error))
    goto out;

  decoder.is_int16 = (decoder.info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16;
  sample_size = decoder.is_int16 ? sizeof (gint16) : sizeof (float);

  if (decoder.info.frames == 0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY,
                   _("%s: the recording has no frames"), job->path);
      goto out;
    }

  recording = wm_import_job_new_recording (job, 1);
  recording->sample_rate = decoder.info.samplerate;
  recording->n_channels = decoder.info.channels;
  recording->channel_names = channel_names (decoder.info.channels);
  recording->channel_units = empty_units (decoder.info.channels);
  if (recording->kind == 0)
    recording->kind = WM_RECORDING_KIND_AUDIO;
  recording->sample_format = decoder.is_int16 ? WM_SAMPLE_FORMAT_INT16 : WM_SAMPLE_FORMAT_FLOAT32;

  writer = wm_store_begin_recording (job->store, recording, error);
  if (writer == NULL)
    {
      wm_import_job_prefix_error (job, error);
      goto out;
    }

  decoder.free_blocks = g_async_queue_new ();
  decoder.full_blocks = g_async_queue_new ();
  for (guint i = 0; i < N_BLOCKS; i++)
    {
      decoder.blocks[i].frames = g_malloc ((gsize) BLOCK_FRAMES * decoder.info.channels * sample_size);
      g_async_queue_push (decoder.free_blocks, &decoder.blocks[i]);
    }

  if (!store_blocks (job, &decoder, writer, error))
    goto out;

  recording_id = wm_recording_writer_commit (g_steal_pointer (&writer), error);
  if (recording_id == 0)
    {
      wm_import_job_prefix_error (job, error);
      goto out;
    }

  g_array_append_val (job->recording_ids, recording_id);
  hasher_finish (&decoder.file.hasher);
  job->sha256 = wm_import_sha256_hex (&decoder.file.hasher.sha);
  ok = TRUE;

out:
  if (decoder.sndfile != NULL)
    sf_close (decoder.sndfile);
  for (guint i = 0; i < N_BLOCKS; i++)
    g_free (decoder.blocks[i].frames);
  g_clear_pointer (&decoder.free_blocks, g_async_queue_unref);
  g_clear_pointer (&decoder.full_blocks, g_async_queue_unref);
  g_clear_error (&decoder.error);
  hasher_clear (&decoder.file.hasher);
  g_free (decoder.file.hash_buffer);
  g_close (decoder.file.fd, NULL);

  return ok;
}
