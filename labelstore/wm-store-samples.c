/* wm-store-samples.c — sample blocks and their min/max/rms summaries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Samples are stored interleaved, little-endian, in blocks of a fixed
 * power-of-two number of frames per recording (about 128 KiB a block).
 * Beside them, summaries at WM_SUMMARY_LEVELS levels: level l has one bucket
 * (min, max, rms per channel, float32) per 256^l frames, and one row holds
 * 256 consecutive buckets.  An overview of n buckets reads at most about
 * 256·n stored buckets of the coarsest level finer than one bucket, so its
 * cost depends on the width asked for, not on the recording's length.
 *
 * A growing recording (WmRecordingAppender) keeps the frames of its partial
 * last block as tail rows: each flush inserts only the frames appended since
 * the last one, into sample_tail, whose ids grow with time so its pages fill
 * densely.  The block is written whole into sample_block when it fills; its
 * tail rows are then dead.  A block's frames are its sample_block row (which
 * may be missing or hold fewer frames) followed by the tail rows from there
 * on, read in one statement so a reader never sees a half-merged block.  Dead
 * rows are dropped as a prefix of ids, which frees whole pages without
 * rewriting them; a recording whose live tail rows get old (a device that
 * stopped) is sealed first: its partial block written into sample_block.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "wm-store-private.h"

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "sample blocks are stored little-endian; add byte swapping for this host"
#endif

#define TARGET_BLOCK_BYTES (128 * 1024)

gint64
wm_store_block_frames_for (guint          n_channels,
                           WmSampleFormat format)
{
  gsize frame_bytes = n_channels * (format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4);
  gint64 frames = WM_SUMMARY_FANOUT;

  /* A multiple of the finest bucket, so buckets never straddle blocks. */
  while (frames * 2 * (gint64) frame_bytes <= TARGET_BLOCK_BYTES && frames < 65536)
    frames *= 2;
  return frames;
}

static inline gsize
sample_size (WmSampleFormat format)
{
  return format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4;
}

/* ---- summary accumulation ------------------------------------------------ */

typedef struct {
  float  *chunk;          /* WM_SUMMARY_FANOUT buckets × channels × 3 */
  guint   n_in_chunk;
  gint64  chunk_index;
  /* the bucket being filled, per channel */
  float  *min;
  float  *max;
  double *sumsq;
  gint64  n_frames;       /* frames in the bucket being filled */
  guint   n_children;     /* lower-level buckets merged into it */
} SummaryLevel;

struct _WmRecordingWriter
{
  WmStore        *store;
  gint64          recording_id;
  guint           n_channels;
  WmSampleFormat  format;
  gsize           frame_bytes;
  gint64          block_frames;
  guint8         *block;
  gint64          block_fill;
  gint64          block_index;
  gint64          block_stored;   /* frames of the block already stored (appenders) */
  gint64          n_frames;
  sqlite3_stmt   *insert_block;
  sqlite3_stmt   *insert_summary;
  SummaryLevel    levels[WM_SUMMARY_LEVELS];
};

static void
level_reset_bucket (SummaryLevel *level,
                    guint         n_channels)
{
  for (guint c = 0; c < n_channels; c++)
    {
      level->min[c] = INFINITY;
      level->max[c] = -INFINITY;
      level->sumsq[c] = 0.0;
    }
  level->n_frames = 0;
  level->n_children = 0;
}

static gboolean
write_chunk (WmRecordingWriter *w,
             guint              level_index,
             GError           **error)
{
  SummaryLevel *level = &w->levels[level_index];
  sqlite3_stmt *stmt = w->insert_summary;
  int rc;

  if (level->n_in_chunk == 0)
    return TRUE;

  sqlite3_bind_int64 (stmt, 1, w->recording_id);
  sqlite3_bind_int (stmt, 2, (int) level_index + 1);
  sqlite3_bind_int64 (stmt, 3, level->chunk_index);
  sqlite3_bind_blob (stmt, 4, level->chunk,
                     (int) (level->n_in_chunk * w->n_channels * WM_SUMMARY_VALUES * sizeof (float)),
                     SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "storing summaries");

  level->chunk_index++;
  level->n_in_chunk = 0;
  return TRUE;
}

/* Closes the bucket being filled at @level_index: appends it to the level's
 * chunk and merges it into the bucket of the level above. */
static gboolean
close_bucket (WmRecordingWriter *w,
              guint              level_index,
              GError           **error)
{
  SummaryLevel *level = &w->levels[level_index];
  float *out;

  if (level->n_frames == 0)
    return TRUE;

  out = level->chunk + (gsize) level->n_in_chunk * w->n_channels * WM_SUMMARY_VALUES;
  for (guint c = 0; c < w->n_channels; c++)
    {
      out[c * 3 + 0] = level->min[c];
      out[c * 3 + 1] = level->max[c];
      out[c * 3 + 2] = (float) sqrt (level->sumsq[c] / (double) level->n_frames);
    }
  level->n_in_chunk++;

  if (level_index + 1 < WM_SUMMARY_LEVELS)
    {
      SummaryLevel *up = &w->levels[level_index + 1];

      for (guint c = 0; c < w->n_channels; c++)
        {
          up->min[c] = MIN (up->min[c], level->min[c]);
          up->max[c] = MAX (up->max[c], level->max[c]);
          up->sumsq[c] += level->sumsq[c];
        }
      up->n_frames += level->n_frames;
      up->n_children++;
    }

  level_reset_bucket (level, w->n_channels);

  if (level->n_in_chunk == WM_SUMMARY_FANOUT && !write_chunk (w, level_index, error))
    return FALSE;
  if (level_index + 1 < WM_SUMMARY_LEVELS &&
      w->levels[level_index + 1].n_children == WM_SUMMARY_FANOUT)
    return close_bucket (w, level_index + 1, error);
  return TRUE;
}

/* Adds frames (all within one finest bucket) to the finest level. */
static void
accumulate (WmRecordingWriter *w,
            const guint8      *frames,
            gint64             n_frames)
{
  SummaryLevel *level = &w->levels[0];

  if (w->format == WM_SAMPLE_FORMAT_INT16)
    {
      const gint16 *s = (const gint16 *) frames;

      for (guint c = 0; c < w->n_channels; c++)
        {
          gint32 lo = G_MAXINT16, hi = G_MININT16;
          gint64 sumsq = 0;

          for (gint64 f = 0; f < n_frames; f++)
            {
              gint32 v = s[f * w->n_channels + c];
              lo = MIN (lo, v);
              hi = MAX (hi, v);
              sumsq += v * v;
            }
          level->min[c] = MIN (level->min[c], lo / 32768.0f);
          level->max[c] = MAX (level->max[c], hi / 32768.0f);
          level->sumsq[c] += (double) sumsq / (32768.0 * 32768.0);
        }
    }
  else
    {
      const float *s = (const float *) frames;

      for (guint c = 0; c < w->n_channels; c++)
        {
          float lo = INFINITY, hi = -INFINITY;
          double sumsq = 0;

          for (gint64 f = 0; f < n_frames; f++)
            {
              float v = s[f * w->n_channels + c];
              lo = MIN (lo, v);
              hi = MAX (hi, v);
              sumsq += (double) v * v;
            }
          level->min[c] = MIN (level->min[c], lo);
          level->max[c] = MAX (level->max[c], hi);
          level->sumsq[c] += sumsq;
        }
    }
  level->n_frames += n_frames;
}

/* ---- writer -------------------------------------------------------------- */

static gboolean
flush_block (WmRecordingWriter *w,
             GError           **error)
{
  sqlite3_stmt *stmt = w->insert_block;
  int rc;

  if (w->block_fill == 0)
    return TRUE;

  sqlite3_bind_int64 (stmt, 1, (w->recording_id << 32) | w->block_index);
  sqlite3_bind_int64 (stmt, 2, w->block_fill);
  sqlite3_bind_blob (stmt, 3, w->block, (int) (w->block_fill * w->frame_bytes), SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "storing samples");

  w->block_index++;
  w->block_fill = 0;
  w->block_stored = 0;
  return TRUE;
}

static void
writer_clear (WmRecordingWriter *w)
{
  g_clear_pointer (&w->insert_block, sqlite3_finalize);
  g_clear_pointer (&w->insert_summary, sqlite3_finalize);
  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    {
      g_clear_pointer (&w->levels[l].chunk, g_free);
      g_clear_pointer (&w->levels[l].min, g_free);
      g_clear_pointer (&w->levels[l].max, g_free);
      g_clear_pointer (&w->levels[l].sumsq, g_free);
    }
  g_clear_pointer (&w->block, g_free);
  g_clear_object (&w->store);
}

static void
writer_free (WmRecordingWriter *w)
{
  writer_clear (w);
  g_free (w);
}

/* Buffers and statements of a writer of an existing recording row.  Rows are
 * written with INSERT OR REPLACE: a growing recording rewrites its provisional
 * summary rows, and a sealed partial block is written again when it fills. */
static gboolean
writer_setup (WmRecordingWriter *w,
              WmStore           *store,
              gint64             recording_id,
              guint              n_channels,
              WmSampleFormat     format,
              gint64             block_frames,
              GError           **error)
{
  w->store = g_object_ref (store);
  w->recording_id = recording_id;
  w->n_channels = n_channels;
  w->format = format;
  w->frame_bytes = n_channels * sample_size (format);
  w->block_frames = block_frames;
  w->block = g_malloc (block_frames * w->frame_bytes);
  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    {
      w->levels[l].chunk = g_new (float, (gsize) WM_SUMMARY_FANOUT * n_channels * WM_SUMMARY_VALUES);
      w->levels[l].min = g_new (float, n_channels);
      w->levels[l].max = g_new (float, n_channels);
      w->levels[l].sumsq = g_new (double, n_channels);
      level_reset_bucket (&w->levels[l], n_channels);
    }
  w->insert_block = wm_store_prepare (store, "INSERT OR REPLACE INTO sample_block (id, n_frames, samples) VALUES (?, ?, ?)", error);
  if (w->insert_block == NULL)
    return FALSE;
  w->insert_summary = wm_store_prepare (store, "INSERT OR REPLACE INTO summary (recording_id, level, chunk, buckets) VALUES (?, ?, ?, ?)", error);
  return w->insert_summary != NULL;
}

static gboolean
validate_recording (WmStore           *self,
                    const WmRecording *r,
                    GError           **error)
{
  const char *problem = NULL;

  if (r->name == NULL || *r->name == '\0')
    problem = "it has no name";
  else if (!(r->sample_rate > 0) || !isfinite (r->sample_rate))
    problem = "its sample rate is not a positive number";
  else if (r->n_channels == 0 || r->n_channels > 4096)
    problem = "its channel count is not between 1 and 4096";
  else if (r->sample_format != WM_SAMPLE_FORMAT_INT16 && r->sample_format != WM_SAMPLE_FORMAT_FLOAT32)
    problem = "its sample format is unknown";
  else if (r->kind != WM_RECORDING_KIND_AUDIO && r->kind != WM_RECORDING_KIND_SENSOR)
    problem = "its kind is unknown";
  else if (r->channel_names != NULL && g_strv_length (r->channel_names) != r->n_channels)
    problem = "it has not one name per channel";
  else if (r->channel_units != NULL && g_strv_length (r->channel_units) != r->n_channels)
    problem = "it has not one unit per channel";

  if (problem != NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: cannot store recording “%s”: %s", self->path,
                   r->name != NULL ? r->name : "", problem);
      return FALSE;
    }
  return TRUE;
}

WmRecordingWriter *
wm_store_begin_recording (WmStore           *self,
                          const WmRecording *recording,
                          GError           **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) insert_channel = NULL;
  WmRecordingWriter *w;
  gint64 block_frames;
  int rc;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);
  g_return_val_if_fail (recording != NULL, NULL);

  if (!validate_recording (self, recording, error) || !wm_store_begin (self, error))
    return NULL;

  block_frames = wm_store_block_frames_for (recording->n_channels, recording->sample_format);

  insert = wm_store_prepare (self,
                             "INSERT INTO recording (name, source_path, source_sha256, sample_rate, "
                             "n_channels, start_time_us, kind, sample_format, block_frames, device_id, "
                             "stream_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  insert_channel = wm_store_prepare (self, "INSERT INTO channel (recording_id, idx, name, unit) VALUES (?, ?, ?, ?)", error);
  if (insert == NULL || insert_channel == NULL)
    goto fail;

  sqlite3_bind_text (insert, 1, recording->name, -1, SQLITE_TRANSIENT);
  if (recording->source_path != NULL)
    sqlite3_bind_text (insert, 2, recording->source_path, -1, SQLITE_TRANSIENT);
  if (recording->source_sha256 != NULL)
    sqlite3_bind_text (insert, 3, recording->source_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (insert, 4, recording->sample_rate);
  sqlite3_bind_int (insert, 5, (int) recording->n_channels);
  if (recording->has_start_time)
    sqlite3_bind_int64 (insert, 6, recording->start_time_us);
  sqlite3_bind_int (insert, 7, (int) recording->kind);
  sqlite3_bind_int (insert, 8, (int) recording->sample_format);
  sqlite3_bind_int64 (insert, 9, block_frames);
  if (recording->device_id != NULL)
    sqlite3_bind_text (insert, 10, recording->device_id, -1, SQLITE_TRANSIENT);
  if (recording->stream_id != NULL)
    sqlite3_bind_text (insert, 11, recording->stream_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 12, g_get_real_time ());
  if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (self, rc, error, "storing a recording");
      goto fail;
    }

  w = g_new0 (WmRecordingWriter, 1);
  if (!writer_setup (w, self, sqlite3_last_insert_rowid (self->db), recording->n_channels,
                     recording->sample_format, block_frames, error))
    {
      writer_free (w);
      goto fail;
    }

  for (guint c = 0; c < recording->n_channels; c++)
    {
      g_autofree char *fallback = g_strdup_printf ("ch%u", c + 1);
      const char *name = recording->channel_names != NULL ? recording->channel_names[c] : fallback;
      const char *unit = recording->channel_units != NULL ? recording->channel_units[c] : "";

      sqlite3_bind_int64 (insert_channel, 1, w->recording_id);
      sqlite3_bind_int (insert_channel, 2, (int) c);
      sqlite3_bind_text (insert_channel, 3, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert_channel, 4, unit, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (insert_channel);
      sqlite3_reset (insert_channel);
      if (rc != SQLITE_DONE)
        {
          wm_store_set_sqlite_error (self, rc, error, "storing channel names");
          writer_free (w);
          goto fail;
        }
    }
  return w;

fail:
  wm_store_rollback (self);
  return NULL;
}

static gboolean
writer_append (WmRecordingWriter *w,
               const guint8      *in,
               gsize              n_frames,
               GError           **error)
{
  while (n_frames > 0)
    {
      /* Take as many frames as fit in both the block and the finest bucket. */
      gint64 bucket_room = WM_SUMMARY_FANOUT - w->levels[0].n_frames;
      gint64 block_room = w->block_frames - w->block_fill;
      gint64 take = MIN ((gint64) n_frames, MIN (bucket_room, block_room));

      memcpy (w->block + w->block_fill * w->frame_bytes, in, take * w->frame_bytes);
      accumulate (w, in, take);
      w->block_fill += take;
      w->n_frames += take;
      in += take * w->frame_bytes;
      n_frames -= take;

      if (w->levels[0].n_frames == WM_SUMMARY_FANOUT && !close_bucket (w, 0, error))
        return FALSE;
      if (w->block_fill == w->block_frames && !flush_block (w, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
wm_recording_writer_append (WmRecordingWriter *w,
                            const void        *frames,
                            gsize              n_frames,
                            GError           **error)
{
  g_return_val_if_fail (w != NULL, FALSE);
  g_return_val_if_fail (frames != NULL || n_frames == 0, FALSE);

  return writer_append (w, frames, n_frames, error);
}

gint64
wm_recording_writer_get_n_frames (WmRecordingWriter *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return w->n_frames;
}

gint64
wm_recording_writer_commit (WmRecordingWriter *w,
                            GError           **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  WmStore *store;
  gint64 id;
  int rc;

  g_return_val_if_fail (w != NULL, 0);

  store = w->store;
  if (!flush_block (w, error))
    goto fail;
  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    if (!close_bucket (w, l, error))
      goto fail;
  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    if (!write_chunk (w, l, error))
      goto fail;

  update = wm_store_prepare (store, "UPDATE recording SET n_frames = ? WHERE id = ?", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, w->n_frames);
  sqlite3_bind_int64 (update, 2, w->recording_id);
  if ((rc = sqlite3_step (update)) != SQLITE_DONE)
    {
      wm_store_set_sqlite_error (store, rc, error, "storing the frame count");
      goto fail;
    }

  id = w->recording_id;
  g_object_ref (store);
  writer_free (w);
  if (!wm_store_commit (store, error))
    {
      g_object_unref (store);
      return 0;
    }
  g_signal_emit (store, wm_store_signals[SIGNAL_RECORDINGS_CHANGED], 0);
  g_object_unref (store);
  return id;

fail:
  wm_recording_writer_abort (w);
  return 0;
}

void
wm_recording_writer_abort (WmRecordingWriter *w)
{
  WmStore *store;

  if (w == NULL)
    return;
  store = g_object_ref (w->store);
  writer_free (w);
  wm_store_rollback (store);
  g_object_unref (store);
}

/* ---- reading samples ----------------------------------------------------- */

typedef struct {
  gint64         n_frames;
  gint64         block_frames;
  guint          n_channels;
  WmSampleFormat format;
} RecordingShape;

static gboolean
read_shape (WmStore        *self,
            gint64          recording_id,
            RecordingShape *shape,
            GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = wm_store_prepare_cached (self, "SELECT n_frames, block_frames, n_channels, sample_format FROM recording WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      shape->n_frames = sqlite3_column_int64 (stmt, 0);
      shape->block_frames = sqlite3_column_int64 (stmt, 1);
      shape->n_channels = (guint) sqlite3_column_int (stmt, 2);
      shape->format = (WmSampleFormat) sqlite3_column_int (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   "%s: no recording %" G_GINT64_FORMAT, self->path, recording_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return wm_store_set_sqlite_error (self, rc, error, "reading a recording");
  return TRUE;
}

static gboolean
check_range (WmStore              *self,
             gint64                recording_id,
             const RecordingShape *shape,
             gint64                first_frame,
             gint64                n_frames,
             GError              **error)
{
  if (first_frame < 0 || n_frames < 0 || first_frame > shape->n_frames ||
      n_frames > shape->n_frames - first_frame)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: frames [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") are outside "
                   "recording %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " frames)",
                   self->path, first_frame, first_frame + n_frames, recording_id,
                   shape->n_frames);
      return FALSE;
    }
  return TRUE;
}

static gboolean
damaged_block (WmStore  *self,
               gint64    recording_id,
               gint64    block_index,
               GError  **error)
{
  g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
               "%s: recording %" G_GINT64_FORMAT " is damaged at sample block %"
               G_GINT64_FORMAT, self->path, recording_id, block_index);
  return FALSE;
}

/* Copies the first @n_frames frames of block @block_index (a recording's last
 * block, which may be partial) into @out: its sample_block row, then the tail
 * rows from where that row ends.  One statement, so one snapshot: a writer
 * that fills or seals the block meanwhile is seen entirely or not at all. */
static gboolean
read_last_block (WmStore  *self,
                 gint64    recording_id,
                 gint64    block_frames,
                 gsize     frame_bytes,
                 gint64    block_index,
                 gint64    n_frames,
                 guint8   *out,
                 GError  **error)
{
  gint64 block_first = block_index * block_frames;
  gint64 filled = 0;
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  stmt = wm_store_prepare_cached (self,
                                  "SELECT -1, n_frames, samples FROM sample_block WHERE id = ?1 "
                                  "UNION ALL "
                                  "SELECT first_frame, NULL, samples FROM sample_tail "
                                  "WHERE recording_id = ?2 AND first_frame < ?4 AND first_frame >= ?3 + "
                                  "coalesce ((SELECT n_frames FROM sample_block WHERE id = ?1), 0) "
                                  "ORDER BY 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (recording_id << 32) | block_index);
  sqlite3_bind_int64 (stmt, 2, recording_id);
  sqlite3_bind_int64 (stmt, 3, block_first);
  sqlite3_bind_int64 (stmt, 4, block_first + n_frames);
  while (filled < n_frames && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 at = sqlite3_column_int64 (stmt, 0);
      gsize n_bytes = (gsize) sqlite3_column_bytes (stmt, 2);
      gint64 stored = at < 0 ? sqlite3_column_int64 (stmt, 1) : (gint64) (n_bytes / frame_bytes);

      if ((at >= 0 && at != block_first + filled) || n_bytes != stored * frame_bytes)
        break;
      stored = MIN (stored, n_frames - filled);
      memcpy (out + filled * frame_bytes, sqlite3_column_blob (stmt, 2), stored * frame_bytes);
      filled += stored;
    }
  if (filled < n_frames && rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return wm_store_set_sqlite_error (self, rc, error, "reading samples");
    }
  sqlite3_reset (stmt);
  return filled == n_frames || damaged_block (self, recording_id, block_index, error);
}

/* Calls @visit for each stored block overlapping [first, first + n). */
typedef void (*BlockVisitor) (const guint8 *block, gint64 block_first_frame,
                              gint64 from, gint64 to, gpointer user_data);

static gboolean
visit_blocks (WmStore              *self,
              gint64                recording_id,
              const RecordingShape *shape,
              gint64                first_frame,
              gint64                n_frames,
              BlockVisitor          visit,
              gpointer              user_data,
              GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree guint8 *last = NULL;
  gint64 first_block, last_block, final_block, block_first;
  gsize frame_bytes = shape->n_channels * sample_size (shape->format);
  int rc;

  if (n_frames == 0)
    return TRUE;

  first_block = first_frame / shape->block_frames;
  last_block = (first_frame + n_frames - 1) / shape->block_frames;
  /* The recording's last block may be partial, and partly in tail rows. */
  final_block = (shape->n_frames - 1) / shape->block_frames;

  stmt = wm_store_prepare (self, "SELECT id, n_frames, samples FROM sample_block WHERE id BETWEEN ? AND ? ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (recording_id << 32) | first_block);
  sqlite3_bind_int64 (stmt, 2, (recording_id << 32) | MIN (last_block, final_block - 1));

  for (gint64 expected = first_block; expected <= last_block && expected < final_block; expected++)
    {
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return wm_store_set_sqlite_error (self, rc, error, "reading samples");
      if (rc == SQLITE_DONE ||
          (sqlite3_column_int64 (stmt, 0) & G_GINT64_CONSTANT (0xffffffff)) != expected ||
          sqlite3_column_int64 (stmt, 1) != shape->block_frames ||
          (gsize) sqlite3_column_bytes (stmt, 2) != shape->block_frames * frame_bytes)
        return damaged_block (self, recording_id, expected, error);
      block_first = expected * shape->block_frames;
      visit (sqlite3_column_blob (stmt, 2), block_first, MAX (first_frame, block_first),
             MIN (first_frame + n_frames, block_first + shape->block_frames), user_data);
    }
  if (last_block < final_block)
    return TRUE;

  block_first = final_block * shape->block_frames;
  last = g_malloc ((shape->n_frames - block_first) * frame_bytes);
  if (!read_last_block (self, recording_id, shape->block_frames, frame_bytes, final_block,
                        shape->n_frames - block_first, last, error))
    return FALSE;
  visit (last, block_first, MAX (first_frame, block_first), first_frame + n_frames, user_data);
  return TRUE;
}

typedef struct {
  const RecordingShape *shape;
  guint                 channel;
  gint64                first_frame;
  float                *out;
} ChannelCopy;

static void
copy_channel (const guint8 *block,
              gint64        block_first,
              gint64        from,
              gint64        to,
              gpointer      user_data)
{
  ChannelCopy *copy = user_data;
  guint n_channels = copy->shape->n_channels;
  float *out = copy->out + (from - copy->first_frame);

  if (copy->shape->format == WM_SAMPLE_FORMAT_INT16)
    {
      const gint16 *s = (const gint16 *) block + (from - block_first) * n_channels + copy->channel;
      for (gint64 f = from; f < to; f++, s += n_channels)
        *out++ = *s / 32768.0f;
    }
  else
    {
      const float *s = (const float *) block + (from - block_first) * n_channels + copy->channel;
      for (gint64 f = from; f < to; f++, s += n_channels)
        *out++ = *s;
    }
}

gboolean
wm_store_read_frames (WmStore  *self,
                      gint64    recording_id,
                      guint     channel,
                      gint64    first_frame,
                      gsize     n_frames,
                      float    *out,
                      GError  **error)
{
  RecordingShape shape;
  ChannelCopy copy;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL || n_frames == 0, FALSE);

  if (!read_shape (self, recording_id, &shape, error) ||
      !check_range (self, recording_id, &shape, first_frame, (gint64) n_frames, error))
    return FALSE;
  if (channel >= shape.n_channels)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: recording %" G_GINT64_FORMAT " has %u channel(s), not %u",
                   self->path, recording_id, shape.n_channels, channel + 1);
      return FALSE;
    }

  copy = (ChannelCopy) { &shape, channel, first_frame, out };
  return visit_blocks (self, recording_id, &shape, first_frame, (gint64) n_frames,
                       copy_channel, &copy, error);
}

typedef struct {
  gsize   frame_bytes;
  gint64  first_frame;
  guint8 *out;
} RawCopy;

static void
copy_raw (const guint8 *block,
          gint64        block_first,
          gint64        from,
          gint64        to,
          gpointer      user_data)
{
  RawCopy *copy = user_data;

  memcpy (copy->out + (from - copy->first_frame) * copy->frame_bytes,
          block + (from - block_first) * copy->frame_bytes,
          (to - from) * copy->frame_bytes);
}

gboolean
wm_store_read_frames_raw (WmStore  *self,
                          gint64    recording_id,
                          gint64    first_frame,
                          gsize     n_frames,
                          void     *out,
                          GError  **error)
{
  RecordingShape shape;
  RawCopy copy;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL || n_frames == 0, FALSE);

  if (!read_shape (self, recording_id, &shape, error) ||
      !check_range (self, recording_id, &shape, first_frame, (gint64) n_frames, error))
    return FALSE;

  copy = (RawCopy) { shape.n_channels * sample_size (shape.format), first_frame, out };
  return visit_blocks (self, recording_id, &shape, first_frame, (gint64) n_frames,
                       copy_raw, &copy, error);
}

/* ---- reading summaries --------------------------------------------------- */

typedef struct {
  double sumsq;
} BucketAcc;


static void
bucket_merge (WmSummaryBucket *bucket,
              BucketAcc       *acc,
              float            min,
              float            max,
              double           sumsq,
              gint64           n_frames)
{
  if (bucket->n_frames_covered == 0)
    {
      bucket->min = min;
      bucket->max = max;
    }
  else
    {
      bucket->min = MIN (bucket->min, min);
      bucket->max = MAX (bucket->max, max);
    }
  acc->sumsq += sumsq;
  bucket->n_frames_covered += (guint) n_frames;
}

static void
finish_buckets (WmSummaryBucket *out,
                BucketAcc       *acc,
                guint            n_buckets)
{
  for (guint i = 0; i < n_buckets; i++)
    out[i].rms = out[i].n_frames_covered > 0
      ? (float) sqrt (acc[i].sumsq / out[i].n_frames_covered) : 0.0f;
}

static inline guint
bucket_of (gint64 frame,
           gint64 first_frame,
           gint64 end_frame,
           guint  n_buckets)
{
  /* Exact integer mapping: bucket i covers [first + i·span/n, first + (i+1)·span/n);
   * past 2^63 / n frames (thousands of years of audio) it falls back to double. */
  gint64 span = end_frame - first_frame;
  gint64 offset = frame - first_frame;
  gint64 i = offset <= G_MAXINT64 / n_buckets ? offset * n_buckets / span
                                              : (gint64) ((double) offset / span * n_buckets);

  return (guint) CLAMP (i, 0, (gint64) n_buckets - 1);
}

static gboolean
summary_from_samples (WmStore              *self,
                      gint64                recording_id,
                      const RecordingShape *shape,
                      guint                 channel,
                      gint64                first_frame,
                      gint64                stored_end,
                      gint64                end_frame,
                      guint                 n_buckets,
                      WmSummaryBucket      *out,
                      BucketAcc            *acc,
                      GError              **error)
{
  g_autofree float *samples = g_new (float, stored_end - first_frame);

  if (!wm_store_read_frames (self, recording_id, channel, first_frame,
                             (gsize) (stored_end - first_frame), samples, error))
    return FALSE;
  for (gint64 f = first_frame; f < stored_end; f++)
    {
      float v = samples[f - first_frame];
      guint b = bucket_of (f, first_frame, end_frame, n_buckets);
      bucket_merge (&out[b], &acc[b], v, v, (double) v * v, 1);
    }
  return TRUE;
}

static gboolean
summary_from_level (WmStore              *self,
                    gint64                recording_id,
                    const RecordingShape *shape,
                    guint                 channel,
                    guint                 level,
                    gint64                first_frame,
                    gint64                stored_end,
                    gint64                end_frame,
                    guint                 n_buckets,
                    WmSummaryBucket      *out,
                    BucketAcc            *acc,
                    GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 bucket_span = wm_summary_bucket_span (level);
  gint64 chunk_span = bucket_span * WM_SUMMARY_FANOUT;
  gsize stride = shape->n_channels * WM_SUMMARY_VALUES;
  int rc;

  stmt = wm_store_prepare (self, "SELECT chunk, buckets FROM summary WHERE recording_id = ? AND level = ? "
                                 "AND chunk BETWEEN ? AND ? ORDER BY chunk", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, recording_id);
  sqlite3_bind_int (stmt, 2, (int) level);
  sqlite3_bind_int64 (stmt, 3, first_frame / chunk_span);
  sqlite3_bind_int64 (stmt, 4, (stored_end - 1) / chunk_span);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 chunk = sqlite3_column_int64 (stmt, 0);
      const float *buckets = sqlite3_column_blob (stmt, 1);
      gsize n_stored = (gsize) sqlite3_column_bytes (stmt, 1) / (stride * sizeof (float));

      for (gsize k = 0; k < n_stored; k++)
        {
          gint64 start = chunk * chunk_span + (gint64) k * bucket_span;
          gint64 stop = MIN (start + bucket_span, shape->n_frames);
          const float *v = buckets + k * stride + channel * WM_SUMMARY_VALUES;
          gint64 n = stop - start;
          guint b;

          if (stop <= first_frame || start >= stored_end)
            continue;
          b = bucket_of (MAX (start, first_frame), first_frame, end_frame, n_buckets);
          bucket_merge (&out[b], &acc[b], v[0], v[1], (double) v[2] * v[2] * n, n);
        }
    }
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (self, rc, error, "reading summaries");
  return TRUE;
}

gboolean
wm_store_read_summary (WmStore         *self,
                       gint64           recording_id,
                       guint            channel,
                       gint64           first_frame,
                       gint64           end_frame,
                       guint            n_buckets,
                       WmSummaryBucket *out,
                       GError         **error)
{
  g_autofree BucketAcc *acc = NULL;
  RecordingShape shape;
  gint64 stored_end;
  double frames_per_bucket;
  guint level = 0;
  gboolean ok;

  g_return_val_if_fail (WM_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (n_buckets > 0, FALSE);

  if (!read_shape (self, recording_id, &shape, error))
    return FALSE;
  if (channel >= shape.n_channels || first_frame < 0 || end_frame <= first_frame)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: no summary of channel %u, frames [%" G_GINT64_FORMAT ", %"
                   G_GINT64_FORMAT ") of recording %" G_GINT64_FORMAT,
                   self->path, channel + 1, first_frame, end_frame, recording_id);
      return FALSE;
    }

  memset (out, 0, n_buckets * sizeof *out);
  stored_end = MIN (end_frame, shape.n_frames);
  if (first_frame >= stored_end)
    return TRUE;

  /* The coarsest level whose buckets are no wider than an output bucket. */
  frames_per_bucket = (double) (end_frame - first_frame) / n_buckets;
  while (level < WM_SUMMARY_LEVELS && wm_summary_bucket_span (level + 1) <= frames_per_bucket)
    level++;

  acc = g_new0 (BucketAcc, n_buckets);
  /* Buckets are mapped against the requested range, so the caller's x axis
   * holds; those past the stored end stay empty. */
  if (level == 0)
    ok = summary_from_samples (self, recording_id, &shape, channel, first_frame, stored_end,
                               end_frame, n_buckets, out, acc, error);
  else
    ok = summary_from_level (self, recording_id, &shape, channel, level, first_frame,
                             stored_end, end_frame, n_buckets, out, acc, error);
  if (!ok)
    return FALSE;
  finish_buckets (out, acc, n_buckets);
  return TRUE;
}

/* ---- growing recordings -------------------------------------------------- */

struct _WmRecordingAppender
{
  WmRecordingWriter w;
  /* The store's generation the state was built for; a different one means a
   * rollback or another writer changed what is stored. */
  guint64           generation;
  gboolean          loaded;
  gboolean          unflushed; /* appended since the last flush */
};

static void
set_unflushed (WmRecordingAppender *a,
               gboolean             unflushed)
{
  if (a->unflushed == unflushed)
    return;
  a->unflushed = unflushed;
  if (unflushed)
    a->w.store->unflushed_appenders++;
  else
    a->w.store->unflushed_appenders--;
}

/* The first @n_buckets buckets of a stored summary row, into the level's
 * chunk. */
static gboolean
load_closed_buckets (WmRecordingWriter *w,
                     guint              level_index,
                     guint              n_buckets,
                     GError           **error)
{
  gsize stride_bytes = w->n_channels * WM_SUMMARY_VALUES * sizeof (float);
  sqlite3_stmt *stmt;
  int rc;

  if (n_buckets == 0)
    return TRUE;
  stmt = wm_store_prepare_cached (w->store, "SELECT buckets FROM summary WHERE recording_id = ? AND level = ? AND chunk = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, w->recording_id);
  sqlite3_bind_int (stmt, 2, (int) level_index + 1);
  sqlite3_bind_int64 (stmt, 3, w->levels[level_index].chunk_index);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && (gsize) sqlite3_column_bytes (stmt, 0) >= n_buckets * stride_bytes)
    {
      memcpy (w->levels[level_index].chunk, sqlite3_column_blob (stmt, 0), n_buckets * stride_bytes);
      sqlite3_reset (stmt);
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "reading summaries");
  g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_A_PROJECT,
               "%s: recording %" G_GINT64_FORMAT " is damaged: summary level %u row %"
               G_GINT64_FORMAT " is missing or short", w->store->path, w->recording_id,
               level_index + 1, w->levels[level_index].chunk_index);
  return FALSE;
}

static gboolean
load_partial_block (WmRecordingWriter *w,
                    GError           **error)
{
  w->block_stored = w->block_fill;
  if (w->block_fill == 0)
    return TRUE;
  return read_last_block (w->store, w->recording_id, w->block_frames, w->frame_bytes,
                          w->block_index, w->block_fill, w->block, error);
}

/* The bucket being filled at level @l ≥ 1 is the merge of the closed buckets
 * of level l − 1's current row, which spans exactly that bucket.  rms comes
 * back as float, so sumsq is rebuilt to about 1e-7 relative. */
static void
rebuild_partial_bucket (WmRecordingWriter *w,
                        guint              l)
{
  SummaryLevel *below = &w->levels[l - 1];
  SummaryLevel *level = &w->levels[l];
  gint64 child_span = wm_summary_bucket_span (l);

  for (guint k = 0; k < below->n_in_chunk; k++)
    {
      const float *v = below->chunk + (gsize) k * w->n_channels * WM_SUMMARY_VALUES;

      for (guint c = 0; c < w->n_channels; c++)
        {
          level->min[c] = MIN (level->min[c], v[c * 3 + 0]);
          level->max[c] = MAX (level->max[c], v[c * 3 + 1]);
          level->sumsq[c] += (double) v[c * 3 + 2] * v[c * 3 + 2] * (double) child_span;
        }
      level->n_frames += child_span;
      level->n_children++;
    }
}

static gboolean
appender_load (WmRecordingAppender *a,
               GError             **error)
{
  WmRecordingWriter *w = &a->w;
  RecordingShape shape;
  gint64 in_bucket;

  a->loaded = FALSE;
  if (!read_shape (w->store, w->recording_id, &shape, error))
    return FALSE;
  if (shape.block_frames != w->block_frames || shape.n_channels != w->n_channels ||
      shape.format != w->format)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: recording %" G_GINT64_FORMAT " changed its shape while appended to",
                   w->store->path, w->recording_id);
      return FALSE;
    }

  w->n_frames = shape.n_frames;
  w->block_index = shape.n_frames / shape.block_frames;
  w->block_fill = shape.n_frames % shape.block_frames;
  if (!load_partial_block (w, error))
    return FALSE;

  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    {
      gint64 bucket_span = wm_summary_bucket_span (l + 1);
      SummaryLevel *level = &w->levels[l];

      level->chunk_index = shape.n_frames / (bucket_span * WM_SUMMARY_FANOUT);
      level->n_in_chunk = (guint) ((shape.n_frames / bucket_span) % WM_SUMMARY_FANOUT);
      level_reset_bucket (level, w->n_channels);
      if (!load_closed_buckets (w, l, level->n_in_chunk, error))
        return FALSE;
      if (l > 0)
        rebuild_partial_bucket (w, l);
    }

  /* The finest partial bucket: the last frames of the partial block (blocks
   * hold whole finest buckets). */
  in_bucket = shape.n_frames % WM_SUMMARY_FANOUT;
  if (in_bucket > 0)
    accumulate (w, w->block + (w->block_fill - in_bucket) * w->frame_bytes, in_bucket);

  a->generation = w->store->generation;
  a->loaded = TRUE;
  return TRUE;
}

static gboolean
appender_ensure_current (WmRecordingAppender *a,
                         GError             **error)
{
  if (a->w.store->transaction_depth == 0)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_INVALID,
                   "%s: recording %" G_GINT64_FORMAT " can be appended to only inside a transaction",
                   a->w.store->path, a->w.recording_id);
      return FALSE;
    }
  if (a->loaded && a->generation == a->w.store->generation)
    return TRUE;
  set_unflushed (a, FALSE);
  return appender_load (a, error);
}

WmRecordingAppender *
wm_store_open_appender (WmStore  *self,
                        gint64    recording_id,
                        GError  **error)
{
  g_autoptr(WmRecordingAppender) a = NULL;
  RecordingShape shape;

  g_return_val_if_fail (WM_IS_STORE (self), NULL);

  if (!wm_store_check_writable (self, error) ||
      !read_shape (self, recording_id, &shape, error))
    return NULL;

  a = g_new0 (WmRecordingAppender, 1);
  if (!writer_setup (&a->w, self, recording_id, shape.n_channels, shape.format,
                     shape.block_frames, error))
    return NULL;
  /* Outside a transaction the state is loaded on first use, inside one. */
  if (self->transaction_depth > 0 && !appender_load (a, error))
    return NULL;
  return g_steal_pointer (&a);
}

gboolean
wm_recording_appender_append (WmRecordingAppender  *a,
                              const void           *frames,
                              gsize                 n_frames,
                              GError              **error)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (frames != NULL || n_frames == 0, FALSE);

  if (!appender_ensure_current (a, error))
    return FALSE;
  set_unflushed (a, TRUE);
  if (!writer_append (&a->w, frames, n_frames, error))
    {
      a->loaded = FALSE;
      return FALSE;
    }
  return TRUE;
}

/* The bucket being filled at @level merged with the partial bucket of the
 * level below (@carry, may be empty): what closing it now would give. */
static void
provisional_bucket (const WmRecordingWriter *w,
                    const SummaryLevel      *level,
                    const SummaryLevel      *carry,
                    SummaryLevel            *out)
{
  for (guint c = 0; c < w->n_channels; c++)
    {
      out->min[c] = level->min[c];
      out->max[c] = level->max[c];
      out->sumsq[c] = level->sumsq[c];
      if (carry != NULL && carry->n_frames > 0)
        {
          out->min[c] = MIN (out->min[c], carry->min[c]);
          out->max[c] = MAX (out->max[c], carry->max[c]);
          out->sumsq[c] += carry->sumsq[c];
        }
    }
  out->n_frames = level->n_frames + (carry != NULL ? carry->n_frames : 0);
}

static gboolean
write_provisional_row (WmRecordingWriter  *w,
                       guint               l,
                       const SummaryLevel *partial,
                       float              *row,
                       GError            **error)
{
  const SummaryLevel *level = &w->levels[l];
  gsize stride = w->n_channels * WM_SUMMARY_VALUES;
  guint n = level->n_in_chunk;
  int rc;

  memcpy (row, level->chunk, n * stride * sizeof (float));
  if (partial->n_frames > 0)
    {
      float *out = row + n * stride;

      for (guint c = 0; c < w->n_channels; c++)
        {
          out[c * 3 + 0] = partial->min[c];
          out[c * 3 + 1] = partial->max[c];
          out[c * 3 + 2] = (float) sqrt (partial->sumsq[c] / (double) partial->n_frames);
        }
      n++;
    }
  if (n == 0)
    return TRUE;

  sqlite3_bind_int64 (w->insert_summary, 1, w->recording_id);
  sqlite3_bind_int (w->insert_summary, 2, (int) l + 1);
  sqlite3_bind_int64 (w->insert_summary, 3, level->chunk_index);
  sqlite3_bind_blob (w->insert_summary, 4, row, (int) (n * stride * sizeof (float)), SQLITE_STATIC);
  rc = sqlite3_step (w->insert_summary);
  sqlite3_reset (w->insert_summary);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "storing summaries");
  return TRUE;
}

/* Compaction runs once per this many tail rows; a recording whose oldest
 * live tail row is this many rows behind the newest is sealed. */
#define TAIL_COMPACT_EVERY 256
#define TAIL_SEAL_DISTANCE 2048

/* Writes the partial last block of @recording_id into sample_block, so that
 * its tail rows are dead. */
static gboolean
seal_partial_block (WmStore  *store,
                    gint64    recording_id,
                    GError  **error)
{
  g_autofree guint8 *block = NULL;
  RecordingShape shape;
  gint64 block_index, n_frames;
  gsize frame_bytes;
  sqlite3_stmt *stmt;
  int rc;

  if (!read_shape (store, recording_id, &shape, error))
    return FALSE;
  block_index = shape.n_frames / shape.block_frames;
  n_frames = shape.n_frames % shape.block_frames;
  if (n_frames == 0)
    return TRUE;
  frame_bytes = shape.n_channels * sample_size (shape.format);
  block = g_malloc (n_frames * frame_bytes);
  if (!read_last_block (store, recording_id, shape.block_frames, frame_bytes, block_index,
                        n_frames, block, error))
    return FALSE;
  stmt = wm_store_prepare_cached (store, "INSERT OR REPLACE INTO sample_block (id, n_frames, samples) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (recording_id << 32) | block_index);
  sqlite3_bind_int64 (stmt, 2, n_frames);
  sqlite3_bind_blob (stmt, 3, block, (int) (n_frames * frame_bytes), SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (store, rc, error, "storing samples");
  return TRUE;
}

/* Drops the dead tail rows below the oldest live one, sealing first the
 * recordings whose live rows are more than TAIL_SEAL_DISTANCE rows old.  A
 * row is live when it lies past the part of its recording's last block that
 * sample_block holds. */
static gboolean
compact_tails (WmStore  *store,
               gint64    newest_id,
               GError  **error)
{
  g_autoptr(GArray) stale = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 live_from = newest_id + 1;
  sqlite3_stmt *stmt;
  int rc;

  stmt = wm_store_prepare_cached (store,
                                  "SELECT t.recording_id, min (t.id) FROM sample_tail t "
                                  "JOIN recording r ON r.id = t.recording_id "
                                  "WHERE t.first_frame >= r.n_frames - r.n_frames % r.block_frames + "
                                  "coalesce ((SELECT b.n_frames FROM sample_block b "
                                  "WHERE b.id = (r.id << 32) | (r.n_frames / r.block_frames)), 0) "
                                  "GROUP BY t.recording_id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 recording_id = sqlite3_column_int64 (stmt, 0);
      gint64 oldest = sqlite3_column_int64 (stmt, 1);

      if (oldest < newest_id - TAIL_SEAL_DISTANCE)
        g_array_append_val (stale, recording_id);
      else
        live_from = MIN (live_from, oldest);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (store, rc, error, "reading tail rows");

  for (guint i = 0; i < stale->len; i++)
    if (!seal_partial_block (store, g_array_index (stale, gint64, i), error))
      return FALSE;

  stmt = wm_store_prepare_cached (store, "DELETE FROM sample_tail WHERE id < ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, live_from);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (store, rc, error, "dropping tail rows");
  return TRUE;
}

/* Stores the frames of the partial block appended since the last flush as a
 * tail row; *@out_id is its id, or 0 when there were none. */
static gboolean
write_tail (WmRecordingWriter *w,
            gint64            *out_id,
            GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_id = 0;
  if (w->block_fill == w->block_stored)
    return TRUE;
  stmt = wm_store_prepare_cached (w->store, "INSERT INTO sample_tail (recording_id, first_frame, samples) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, w->recording_id);
  sqlite3_bind_int64 (stmt, 2, w->block_index * w->block_frames + w->block_stored);
  sqlite3_bind_blob (stmt, 3, w->block + w->block_stored * w->frame_bytes,
                     (int) ((w->block_fill - w->block_stored) * w->frame_bytes), SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "storing samples");
  w->block_stored = w->block_fill;
  *out_id = sqlite3_last_insert_rowid (w->store->db);
  return TRUE;
}

static gboolean
appender_write_state (WmRecordingAppender  *a,
                      GError              **error)
{
  WmRecordingWriter *w = &a->w;
  g_autofree float *row = g_new (float, (gsize) WM_SUMMARY_FANOUT * w->n_channels * WM_SUMMARY_VALUES);
  g_autofree float *mins = g_new (float, 2 * (gsize) w->n_channels);
  g_autofree float *maxs = g_new (float, 2 * (gsize) w->n_channels);
  g_autofree double *sums = g_new (double, 2 * (gsize) w->n_channels);
  SummaryLevel partial[2] = {
    { .min = mins, .max = maxs, .sumsq = sums },
    { .min = mins + w->n_channels, .max = maxs + w->n_channels, .sumsq = sums + w->n_channels },
  };
  const SummaryLevel *carry = NULL;
  sqlite3_stmt *update;
  gint64 tail_id;
  int rc;

  if (!write_tail (w, &tail_id, error))
    return FALSE;
  for (guint l = 0; l < WM_SUMMARY_LEVELS; l++)
    {
      SummaryLevel *out = &partial[l % 2];

      provisional_bucket (w, &w->levels[l], carry, out);
      if (!write_provisional_row (w, l, out, row, error))
        return FALSE;
      carry = out;
    }

  update = wm_store_prepare_cached (w->store, "UPDATE recording SET n_frames = ? WHERE id = ?", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, w->n_frames);
  sqlite3_bind_int64 (update, 2, w->recording_id);
  rc = sqlite3_step (update);
  sqlite3_reset (update);
  if (rc != SQLITE_DONE)
    return wm_store_set_sqlite_error (w->store, rc, error, "storing the frame count");
  /* After the frame count: compaction tells live rows by it. */
  if (tail_id > 0 && tail_id % TAIL_COMPACT_EVERY == 0)
    return compact_tails (w->store, tail_id, error);
  return TRUE;
}

gboolean
wm_recording_appender_flush (WmRecordingAppender  *a,
                             GError              **error)
{
  g_return_val_if_fail (a != NULL, FALSE);

  if (!appender_ensure_current (a, error))
    return FALSE;
  if (!appender_write_state (a, error))
    {
      a->loaded = FALSE;
      return FALSE;
    }
  set_unflushed (a, FALSE);
  return TRUE;
}

gint64
wm_recording_appender_get_n_frames (WmRecordingAppender *a)
{
  g_return_val_if_fail (a != NULL, -1);

  /* Inside a transaction, what is stored now; outside, what was last seen. */
  if (a->w.store->transaction_depth > 0 && !appender_ensure_current (a, NULL))
    return -1;
  return a->loaded ? a->w.n_frames : -1;
}

gsize
wm_recording_appender_get_frame_bytes (WmRecordingAppender *a)
{
  g_return_val_if_fail (a != NULL, 0);
  return a->w.frame_bytes;
}

void
wm_recording_appender_free (WmRecordingAppender *a)
{
  if (a == NULL)
    return;
  set_unflushed (a, FALSE);
  writer_clear (&a->w);
  g_free (a);
}
