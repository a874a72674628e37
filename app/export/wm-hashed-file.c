/* wm-hashed-file.c — files written through a SHA-256 as they go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <nettle/sha2.h>
#include <string.h>

#include "wm-export.h"
#include "wm-hashed-file.h"

/* The export fills buffers
 * from a small pool shared by all its files; a full buffer goes to one
 * hashing thread and, at the same time, the export's own thread writes it
 * out, so that hashing overlaps reading, converting and writing rather
 * than following them (hashing costs about as much as writing the bytes).
 * A buffer comes back to the pool once it is written and hashed.  Nettle's
 * SHA-256 uses the CPU's SHA instructions where there are some.  The pool
 * is small and reused from file to file: fresh memory is expensive to touch
 * the first time. */
#define HASH_N_BUFFERS 8

typedef struct {
  WmHashedFile *file; /* NULL ends the thread */
  gboolean      sync; /* a marker: everything before it is hashed */
  gsize         len;
  guint8       *data;
} HashBuffer;

struct _WmHasher
{
  GThread     *thread;
  GAsyncQueue *todo;   /* to the thread, in order */
  GAsyncQueue *free;   /* hashed buffers back */
  GAsyncQueue *synced; /* markers back */
  HashBuffer   buffers[HASH_N_BUFFERS];
  HashBuffer   marker;
};

struct _WmHashedFile
{
  WmHasher          *hasher;
  WmAtomicFile      *file;
  FILE              *stream;
  struct sha256_ctx  sha256; /* the thread's until hashed_file_sync */
  char              *name;
  char              *digest;
  HashBuffer        *current;
};

static gpointer
hasher_thread (gpointer data)
{
  WmHasher *hasher = data;

  for (;;)
    {
      HashBuffer *b = g_async_queue_pop (hasher->todo);

      if (b->file == NULL)
        return NULL;
      if (b->sync)
        {
          g_async_queue_push (hasher->synced, b);
          continue;
        }
      sha256_update (&b->file->sha256, b->len, b->data);
      b->file = NULL;
      b->len = 0;
      g_async_queue_push (hasher->free, b);
    }
}

WmHasher *
wm_hasher_new (void)
{
  WmHasher *hasher = g_new0 (WmHasher, 1);

  hasher->todo = g_async_queue_new ();
  hasher->free = g_async_queue_new ();
  hasher->synced = g_async_queue_new ();
  for (guint i = 0; i < HASH_N_BUFFERS; i++)
    {
      /* Not zeroed: only the pages a small export uses get touched. */
      hasher->buffers[i].data = g_malloc (WM_HASHED_FILE_BUFFER_SIZE);
      g_async_queue_push (hasher->free, &hasher->buffers[i]);
    }
  hasher->thread = g_thread_new ("wm-export-hash", hasher_thread, hasher);
  return hasher;
}

void
wm_hasher_free (WmHasher *hasher)
{
  HashBuffer end = { NULL, FALSE, 0, NULL };

  if (hasher == NULL)
    return;
  g_async_queue_push (hasher->todo, &end);
  g_thread_join (hasher->thread);
  g_async_queue_unref (hasher->todo);
  g_async_queue_unref (hasher->free);
  g_async_queue_unref (hasher->synced);
  for (guint i = 0; i < HASH_N_BUFFERS; i++)
    g_free (hasher->buffers[i].data);
  g_free (hasher);
}

WmHashedFile *
wm_hashed_file_new (WmHasher    *hasher,
                    const char  *dir,
                    const char  *name,
                    GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  WmAtomicFile *file = wm_atomic_file_new (path, error);
  WmHashedFile *h;

  if (file == NULL)
    return NULL;
  h = g_new0 (WmHashedFile, 1);
  h->hasher = hasher;
  h->file = file;
  h->stream = wm_atomic_file_stream (file);
  sha256_init (&h->sha256);
  h->name = g_strdup (name);
  return h;
}

/* Hands the current buffer to the thread and writes it meanwhile. */
static void
hashed_file_submit (WmHashedFile *h)
{
  HashBuffer *b = g_steal_pointer (&h->current);
  const guint8 *data;
  gsize len;

  if (b == NULL)
    return;
  if (b->len == 0)
    {
      b->file = NULL;
      g_async_queue_push (h->hasher->free, b);
      return;
    }
  data = b->data;
  len = b->len;
  g_async_queue_push (h->hasher->todo, b);
  /* The thread reads the bytes as this one writes them, then empties the
   * buffer and gives it back to the pool; this thread takes buffers from
   * the pool only after its write. */
  fwrite (data, 1, len, h->stream);
}

void *
wm_hashed_file_reserve (WmHashedFile *h,
                        gsize         len)
{
  void *space;

  if (len > WM_HASHED_FILE_BUFFER_SIZE)
    return NULL;
  if (h->current != NULL && h->current->len + len > WM_HASHED_FILE_BUFFER_SIZE)
    hashed_file_submit (h);
  if (h->current == NULL)
    {
      h->current = g_async_queue_pop (h->hasher->free);
      h->current->file = h;
    }
  space = h->current->data + h->current->len;
  h->current->len += len;
  return space;
}

void
wm_hashed_file_write (WmHashedFile *h,
                      const void   *data,
                      gsize         len)
{
  const guint8 *bytes = data;

  while (len > 0)
    {
      gsize room = h->current != NULL ? WM_HASHED_FILE_BUFFER_SIZE - h->current->len : 0;
      /* A full (or no) buffer: reserve takes a fresh one. */
      gsize n = MIN (len, room > 0 ? room : WM_HASHED_FILE_BUFFER_SIZE);

      memcpy (wm_hashed_file_reserve (h, n), bytes, n);
      bytes += n;
      len -= n;
    }
}

/* Submits what is buffered and waits until all of @h is hashed. */
static void
hashed_file_sync (WmHashedFile *h)
{
  HashBuffer *marker = &h->hasher->marker;

  hashed_file_submit (h);
  marker->file = h;
  marker->sync = TRUE;
  g_async_queue_push (h->hasher->todo, marker);
  g_assert (g_async_queue_pop (h->hasher->synced) == marker);
  marker->file = NULL;
}

gboolean
wm_hashed_file_commit (WmHashedFile  *h,
                       GError       **error)
{
  guint8 digest[SHA256_DIGEST_SIZE];

  hashed_file_sync (h);
  sha256_digest (&h->sha256, sizeof digest, digest);
  h->digest = g_new (char, 2 * SHA256_DIGEST_SIZE + 1);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (h->digest + 2 * i, 3, "%02x", digest[i]);
  return wm_atomic_file_commit (g_steal_pointer (&h->file), error);
}

const char *
wm_hashed_file_get_name (WmHashedFile *h)
{
  g_return_val_if_fail (h != NULL, NULL);
  return h->name;
}

const char *
wm_hashed_file_get_digest (WmHashedFile *h)
{
  g_return_val_if_fail (h != NULL, NULL);
  return h->digest;
}

void
wm_hashed_file_free (WmHashedFile *h)
{
  if (h == NULL)
    return;
  if (h->file != NULL)
    {
      /* The thread may still hash buffers of @h. */
      hashed_file_sync (h);
      wm_atomic_file_abort (h->file);
    }
  g_free (h->name);
  g_free (h->digest);
  g_free (h);
}
