/* wm-export-clips.c — one audio file per label, with an index
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each clip holds the label's frames [start, end) of every channel, bit-exact:
 * int16 recordings as 16-bit PCM (WAV or FLAC), float32 ones as 32-bit float
 * WAV (FLAC holds integers only).  libsndfile writes through the temporary
 * file's descriptor, so a clip appears under its name only once complete.
 * A point event holds no frame and gets no clip (a FLAC without frames is
 * not a file players read).
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

#include "wm-export-private.h"

#define CLIP_CHUNK_FRAMES 65536

static gboolean
write_clip (WmStore            *store,
            const WmRecording  *r,
            const WmLabel      *l,
            const char         *path,
            gboolean            flac,
            GError            **error)
{
  g_autoptr(WmAtomicFile) file = wm_atomic_file_new (path, error);
  g_autofree void *frames = NULL;
  gboolean int16 = r->sample_format == WM_SAMPLE_FORMAT_INT16;
  SF_INFO info = { 0 };
  SNDFILE *sf;

  if (file == NULL)
    return FALSE;
  info.samplerate = (int) lround (r->sample_rate);
  info.channels = (int) r->n_channels;
  info.format = flac ? SF_FORMAT_FLAC | SF_FORMAT_PCM_16
                     : SF_FORMAT_WAV | (int16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT);
  fflush (wm_atomic_file_stream (file));
  sf = sf_open_fd (fileno (wm_atomic_file_stream (file)), SFM_WRITE, &info, FALSE);
  if (sf == NULL)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", path, sf_strerror (NULL));
      return FALSE;
    }

  frames = g_malloc ((gsize) CLIP_CHUNK_FRAMES * r->n_channels * (int16 ? sizeof (gint16) : sizeof (float)));
  for (gint64 first = l->start_frame; first < l->end_frame; first += CLIP_CHUNK_FRAMES)
    {
      gsize n = (gsize) MIN ((gint64) CLIP_CHUNK_FRAMES, l->end_frame - first);
      sf_count_t written;

      if (!wm_store_read_frames_raw (store, r->id, first, n, frames, error))
        {
          sf_close (sf);
          return FALSE;
        }
      written = int16 ? sf_writef_short (sf, frames, (sf_count_t) n) : sf_writef_float (sf, frames, (sf_count_t) n);
      if (written != (sf_count_t) n)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", path, sf_strerror (sf));
          sf_close (sf);
          return FALSE;
        }
    }
  if (sf_close (sf) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", path, _("libsndfile could not finish the file"));
      return FALSE;
    }
  return wm_atomic_file_commit (g_steal_pointer (&file), error);
}

gboolean
wm_export_clips (WmStore                 *store,
                 const WmExportSelection *selection,
                 gboolean                 flac,
                 const char              *output,
                 WmExportSummary         *out_summary,
                 GError                 **error)
{
  static const WmExportSelection everything = { 0 };
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(WmAtomicFile) index = NULL;
  g_autofree char *index_path = NULL;
  WmExportSummary summary = { 0 };
  const char *suffix = flac ? ".flac" : ".wav";
  FILE *out;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (output != NULL, FALSE);

  if (selection == NULL)
    selection = &everything;
  selected = wm_export_collect (store, selection, &summary.n_labels, error);
  if (selected == NULL)
    return FALSE;
  summary.n_recordings = selected->len;
  if (flac)
    {
      for (guint i = 0; i < selected->len; i++)
        {
          RecordingLabels *rl = selected->pdata[i];
          if (rl->labels->len > 0 && rl->recording->sample_format != WM_SAMPLE_FORMAT_INT16)
            {
              g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                           _("recording “%s” holds float samples, which FLAC cannot: use --clip-format wav"),
                           rl->recording->name);
              return FALSE;
            }
        }
    }

  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", output, g_strerror (errno));
      return FALSE;
    }
  index_path = g_build_filename (output, "index.csv", NULL);
  if ((index = wm_atomic_file_new (index_path, error)) == NULL)
    return FALSE;
  out = wm_atomic_file_stream (index);
  fputs ("file,recording,recording_id,start_frame,end_frame,start_s,end_s,duration_s,class,source,"
         "confidence,model_version,author\n", out);

  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      const WmRecording *r = rl->recording;

      for (guint j = 0; j < rl->labels->len; j++)
        {
          const WmLabel *l = rl->labels->pdata[j];
          g_autofree char *base = g_strdup_printf ("%s-%" PRId64 "-%s", r->name, l->id, l->class_name);
          g_autofree char *name = NULL;
          g_autofree char *path = NULL;
          g_autofree char *start = wm_export_format_seconds (l->start_frame, r->sample_rate);
          g_autofree char *end = wm_export_format_seconds (l->end_frame, r->sample_rate);
          g_autofree char *duration = wm_export_format_seconds (l->end_frame - l->start_frame, r->sample_rate);
          g_autofree char *confidence = wm_export_format_double (l->confidence);
          g_autofree char *recording_field = wm_export_csv_field (r->name);
          g_autofree char *class_field = wm_export_csv_field (l->class_name);
          g_autofree char *version_field = wm_export_csv_field (l->model_version);
          g_autofree char *author_field = wm_export_csv_field (l->author);
          g_autofree char *name_field = NULL;

          if (l->start_frame == l->end_frame)
            continue;
          /* Names from user text: no separators, quotes or spaces in file names. */
          g_strdelimit (base, "/\\:\"' \t", '_');
          name = g_strconcat (base, suffix, NULL);
          path = g_build_filename (output, name, NULL);
          if (!write_clip (store, r, l, path, flac, error))
            return FALSE;
          summary.n_files++;
          summary.n_clips++;
          name_field = wm_export_csv_field (name);
          fprintf (out, "%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%s,%s,%s,%s,%s,%s,%s\n",
                   name_field, recording_field, r->id, l->start_frame, l->end_frame, start, end, duration,
                   class_field, wm_label_source_to_string (l->source), confidence, version_field, author_field);
        }
    }
  if (!wm_atomic_file_commit (g_steal_pointer (&index), error))
    return FALSE;
  summary.n_files++;
  if (out_summary != NULL)
    *out_summary = summary;
  return TRUE;
}
