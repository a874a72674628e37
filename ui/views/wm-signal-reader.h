/* wm-signal-reader.h — summaries and samples read in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A reader owns a read-only WmStore on a project path, opened lazily in the
 * first worker that needs it and then shared by the reader's workers one at a
 * time (a mutex; one SQLite connection is used by one thread at a time).
 * A request names a range of a recording and a column count; the result is
 * plain arrays that the main thread draws.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  WM_SIGNAL_BLOCK_SUMMARY, /* min/max per column, from the stored summaries */
  WM_SIGNAL_BLOCK_SAMPLES, /* every frame of the range */
  WM_SIGNAL_BLOCK_EXTENT,  /* one min/max per channel for the whole range */
} WmSignalBlockKind;

typedef struct {
  /* request */
  WmSignalBlockKind kind;
  gint64            recording_id;
  guint             n_channels;
  gint64            first_frame;
  gint64            end_frame;
  guint             n_columns;   /* SUMMARY: buckets per channel */
  /* result: SUMMARY: mins and maxs [channel * n_columns + column] (NaN where
   * a column covers no frame); SAMPLES: mins holds [channel * n + i],
   * maxs is NULL; EXTENT: mins/maxs [channel] */
  float            *mins;
  float            *maxs;
} WmSignalBlock;

WmSignalBlock *wm_signal_block_new       (WmSignalBlockKind   kind,
                                          gint64              recording_id,
                                          guint               n_channels,
                                          gint64              first_frame,
                                          gint64              end_frame,
                                          guint               n_columns);
void           wm_signal_block_free      (WmSignalBlock      *block);
gsize          wm_signal_block_get_n_values (const WmSignalBlock *block); /* per channel */

typedef struct _WmSignalReader WmSignalReader;

WmSignalReader *wm_signal_reader_new         (const char         *project_path);
WmSignalReader *wm_signal_reader_ref         (WmSignalReader     *self);
void            wm_signal_reader_unref       (WmSignalReader     *self);
/* Fills the block in place (synchronously; for workers and benchmarks). */
gboolean        wm_signal_reader_fill        (WmSignalReader     *self,
                                              WmSignalBlock      *block,
                                              GCancellable       *cancellable,
                                              GError            **error);
/* Takes ownership of block and gives it back filled through _finish. */
void            wm_signal_reader_read_async  (WmSignalReader     *self,
                                              WmSignalBlock      *block,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
WmSignalBlock  *wm_signal_reader_read_finish (WmSignalReader     *self,
                                              GAsyncResult       *result,
                                              GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmSignalBlock, wm_signal_block_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmSignalReader, wm_signal_reader_unref)

G_END_DECLS
