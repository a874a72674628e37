/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The project-backed sample source of WmSpectrogram, in a file of its own
 * so that code using only in-memory samples does not link the store. */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <glib/gi18n.h>

#include "wm-store.h"

#include "wm-spectrogram-private.h"

/* A WmStore is used by one thread at a time, so each worker takes a
 * read-only store of its own from this stack for the length of one read and
 * opens a new one when the stack is empty: there are never more stores than
 * reads running at once. */
typedef struct {
  char      *path;
  gint64     recording_id;
  guint      channel;
  GMutex     lock;
  GPtrArray *idle_stores;
} StoreReader;

static void
store_reader_free (gpointer data)
{
  StoreReader *reader = data;

  g_ptr_array_unref (reader->idle_stores);
  g_mutex_clear (&reader->lock);
  g_free (reader->path);
  g_free (reader);
}

static gboolean
store_reader_read (gpointer   user_data,
                   gint64     first_frame,
                   gsize      n_frames,
                   float     *out,
                   GError   **error)
{
  StoreReader *reader = user_data;
  g_autoptr(WmStore) store = NULL;
  gboolean ok;

  g_mutex_lock (&reader->lock);
  if (reader->idle_stores->len > 0)
    store = g_ptr_array_steal_index_fast (reader->idle_stores, reader->idle_stores->len - 1);
  g_mutex_unlock (&reader->lock);

  if (store == NULL)
    {
      store = wm_store_open (reader->path, WM_STORE_OPEN_READ_ONLY, error);
      if (store == NULL)
        return FALSE;
    }

  ok = wm_store_read_frames (store, reader->recording_id, reader->channel,
                             first_frame, n_frames, out, error);

  g_mutex_lock (&reader->lock);
  g_ptr_array_add (reader->idle_stores, g_steal_pointer (&store));
  g_mutex_unlock (&reader->lock);

  return ok;
}

/**
 * wm_spectrogram_new_for_store:
 * @path: a project file
 * @recording_id: a recording in it
 * @channel: a channel of the recording, from 0
 * @params: the settings
 * @cache: (nullable): where tiles go; NULL for wm_tile_cache_get_default()
 * @error: an error
 *
 * A spectrogram of one channel of a stored recording, with the frame count
 * the recording has now.  Spectrograms of the same channel with the same
 * settings share cached tiles.
 *
 * Returns: (transfer full) (nullable): a new spectrogram
 */
WmSpectrogram *
wm_spectrogram_new_for_store (const char                 *path,
                              gint64                      recording_id,
                              guint                       channel,
                              const WmSpectrogramParams  *params,
                              WmTileCache                *cache,
                              GError                    **error)
{
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autofree char *canonical = NULL;
  StoreReader *reader;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (cache == NULL || WM_IS_TILE_CACHE (cache), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = wm_store_open (path, WM_STORE_OPEN_READ_ONLY, error);
  if (store == NULL)
    return NULL;

  recording = wm_store_get_recording (store, recording_id, error);
  if (recording == NULL)
    return NULL;

  if (channel >= recording->n_channels)
    {
      g_set_error (error, WM_SPECTROGRAM_ERROR, WM_SPECTROGRAM_ERROR_INVALID,
                   _("%s: recording “%s” has %u channels, there is no channel %u"),
                   path, recording->name, recording->n_channels, channel + 1);
      return NULL;
    }

  canonical = g_canonicalize_filename (path, NULL);
  reader = g_new0 (StoreReader, 1);
  reader->path = g_strdup (path);
  reader->recording_id = recording_id;
  reader->channel = channel;
  g_mutex_init (&reader->lock);
  reader->idle_stores = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (reader->idle_stores, g_steal_pointer (&store));

  return wm_spectrogram_new_internal (g_quark_from_string (canonical), recording_id, channel,
                                      recording->n_frames, recording->sample_rate,
                                      params, cache, store_reader_read, reader,
                                      store_reader_free, error);
}
