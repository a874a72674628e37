/* wm-export-interchange.c — Label Studio tasks and Edge Impulse samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Label Studio: one time-series task per recording; human and review labels
 * are the task's annotation, model labels its predictions (one per model
 * version, with the label confidences as scores).  Times are seconds, the
 * time column of the TimeSeries tag the config names.
 *
 * Edge Impulse: the data acquisition format (unsigned: alg "none") with the
 * recording's samples, and structured_labels.labels, whose segments cover
 * each file without a gap in milliseconds, inclusive; stretches no label
 * covers are "background".
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "wm-export-private.h"

#define LABELSTUDIO_FROM_NAME "label"
#define LABELSTUDIO_TO_NAME   "ts"
#define EDGE_IMPULSE_BACKGROUND "background"

/* ---- label studio -------------------------------------------------------- */

static void
add_result (JsonBuilder       *b,
            const WmLabel     *l,
            const WmRecording *r,
            gboolean           with_score)
{
  g_autofree char *id = g_strdup_printf ("wm%" PRId64, l->id);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "from_name");
  json_builder_add_string_value (b, LABELSTUDIO_FROM_NAME);
  json_builder_set_member_name (b, "to_name");
  json_builder_add_string_value (b, LABELSTUDIO_TO_NAME);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "timeserieslabels");
  json_builder_set_member_name (b, "value");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "start");
  json_builder_add_double_value (b, l->start_frame / r->sample_rate);
  json_builder_set_member_name (b, "end");
  json_builder_add_double_value (b, l->end_frame / r->sample_rate);
  json_builder_set_member_name (b, "instant");
  json_builder_add_boolean_value (b, l->start_frame == l->end_frame);
  json_builder_set_member_name (b, "timeserieslabels");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, l->class_name);
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (with_score)
    {
      json_builder_set_member_name (b, "score");
      json_builder_add_double_value (b, l->confidence);
    }
  json_builder_end_object (b);
}

static void
add_task (JsonBuilder     *b,
          RecordingLabels *rl)
{
  const WmRecording *r = rl->recording;
  g_autoptr(GHashTable) versions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *csv = g_strconcat (r->name, ".csv", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, LABELSTUDIO_TO_NAME);
  json_builder_add_string_value (b, csv);
  json_builder_set_member_name (b, "recording");
  json_builder_add_string_value (b, r->name);
  json_builder_set_member_name (b, "recording_id");
  json_builder_add_int_value (b, r->id);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, r->sample_rate);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "annotations");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "result");
  json_builder_begin_array (b);
  for (guint i = 0; i < rl->labels->len; i++)
    {
      const WmLabel *l = rl->labels->pdata[i];
      if (l->source == WM_LABEL_SOURCE_MODEL)
        {
          const char *version = l->model_version != NULL ? l->model_version : "";
          GPtrArray *list = g_hash_table_lookup (versions, version);
          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (versions, (gpointer) version, list);
              g_ptr_array_add (order, list);
            }
          g_ptr_array_add (list, (gpointer) l);
          continue;
        }
      add_result (b, l, r, FALSE);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "predictions");
  json_builder_begin_array (b);
  for (guint v = 0; v < order->len; v++)
    {
      g_autoptr(GPtrArray) list = order->pdata[v];
      const WmLabel *first = list->pdata[0];
      double sum = 0;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model_version");
      json_builder_add_string_value (b, first->model_version != NULL ? first->model_version : "");
      json_builder_set_member_name (b, "result");
      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        {
          const WmLabel *l = list->pdata[i];
          add_result (b, l, r, TRUE);
          sum += l->confidence;
        }
      json_builder_end_array (b);
      /* The task-level score sorts tasks in Label Studio's data manager. */
      json_builder_set_member_name (b, "score");
      json_builder_add_double_value (b, sum / list->len);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

void
wm_export_write_labelstudio (FILE      *out,
                             GPtrArray *selected)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < selected->len; i++)
    add_task (b, selected->pdata[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, out);
  fputc ('\n', out);
}

/* ---- edge impulse -------------------------------------------------------- */

static void
put_json_string (FILE       *out,
                 const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *quoted = NULL;

  json_node_set_string (node, text != NULL ? text : "");
  quoted = json_to_string (node, FALSE);
  fputs (quoted, out);
}

static gboolean
write_acquisition (FILE               *out,
                   WmStore            *store,
                   const WmRecording  *r,
                   GError            **error)
{
  const gsize chunk = 16384;
  g_autofree void *frames = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean int16 = r->sample_format == WM_SAMPLE_FORMAT_INT16;
  gint64 issued_at = r->created_at / G_USEC_PER_SEC;

  g_ascii_formatd (number, sizeof number, "%.9g", 1000.0 / r->sample_rate);
  fprintf (out, "{\"protected\":{\"ver\":\"v1\",\"alg\":\"none\",\"iat\":%" PRId64 "},"
                "\"signature\":\"%064d\",\"payload\":{\"device_name\":", issued_at, 0);
  put_json_string (out, r->device_id != NULL ? r->device_id : r->name);
  fputs (",\"device_type\":", out);
  put_json_string (out, r->kind == WM_RECORDING_KIND_AUDIO ? "WAYMARK_AUDIO" : "WAYMARK_SENSOR");
  fprintf (out, ",\"interval_ms\":%s,\"sensors\":[", number);
  for (guint c = 0; c < r->n_channels; c++)
    {
      const char *unit = r->channel_units[c];
      fputs (c > 0 ? ",{\"name\":" : "{\"name\":", out);
      put_json_string (out, r->channel_names[c]);
      fputs (",\"units\":", out);
      /* Edge Impulse names the unit of PCM audio "wav". */
      put_json_string (out, unit != NULL && *unit != '\0' ? unit : r->kind == WM_RECORDING_KIND_AUDIO ? "wav" : "N/A");
      fputc ('}', out);
    }
  fputs ("],\"values\":[", out);

  frames = g_malloc (chunk * r->n_channels * (int16 ? sizeof (gint16) : sizeof (float)));
  for (gint64 first = 0; first < r->n_frames; first += chunk)
    {
      gsize n = (gsize) MIN ((gint64) chunk, r->n_frames - first);

      if (!wm_store_read_frames_raw (store, r->id, first, n, frames, error))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          if (first + (gint64) i > 0)
            fputc (',', out);
          /* One axis is a plain list; several are a list per frame. */
          if (r->n_channels > 1)
            fputc ('[', out);
          for (guint c = 0; c < r->n_channels; c++)
            {
              gsize k = i * r->n_channels + c;
              if (c > 0)
                fputc (',', out);
              if (int16)
                fprintf (out, "%d", ((const gint16 *) frames)[k]);
              else if (isfinite (((const float *) frames)[k]))
                fputs (g_ascii_formatd (number, sizeof number, "%.9g", ((const float *) frames)[k]), out);
              else
                fputs ("null", out);
            }
          if (r->n_channels > 1)
            fputc (']', out);
        }
    }
  fputs ("]}}\n", out);
  return TRUE;
}

static gint64
frame_to_ms (gint64  frame,
             double  sample_rate)
{
  return (gint64) llround (frame * 1000.0 / sample_rate);
}

static void
add_segment (JsonBuilder *b,
             gint64       start_ms,
             gint64       end_ms,
             const char  *label)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "startIndex");
  json_builder_add_int_value (b, start_ms);
  json_builder_set_member_name (b, "endIndex");
  json_builder_add_int_value (b, end_ms);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, label);
  json_builder_end_object (b);
}

/* Segments that tile [0, duration) in whole milliseconds: gaps become
 * background, an overlapping label starts where the one before ended, and a
 * point event, which covers no millisecond, is left out. */
static void
add_structured_labels (JsonBuilder     *b,
                       RecordingLabels *rl)
{
  const WmRecording *r = rl->recording;
  gint64 duration_ms = frame_to_ms (r->n_frames, r->sample_rate);
  gint64 next = 0;

  json_builder_begin_array (b);
  for (guint i = 0; i < rl->labels->len; i++)
    {
      const WmLabel *l = rl->labels->pdata[i];
      gint64 start = MAX (frame_to_ms (l->start_frame, r->sample_rate), next);
      gint64 end = MIN (frame_to_ms (l->end_frame, r->sample_rate), duration_ms);

      if (end <= start)
        continue;
      if (start > next)
        add_segment (b, next, start - 1, EDGE_IMPULSE_BACKGROUND);
      add_segment (b, start, end - 1, l->class_name);
      next = end;
    }
  if (next < duration_ms)
    add_segment (b, next, duration_ms - 1, EDGE_IMPULSE_BACKGROUND);
  json_builder_end_array (b);
}

gboolean
wm_export_write_edge_impulse (WmStore          *store,
                              GPtrArray        *selected,
                              const char       *output,
                              WmExportSummary  *summary,
                              GError          **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(WmAtomicFile) labels_file = NULL;
  g_autofree char *labels_path = NULL;
  g_autofree char *text = NULL;

  if (output == NULL)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                   _("edge-impulse export writes a directory: give --output DIR"));
      return FALSE;
    }
  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", output, g_strerror (errno));
      return FALSE;
    }
  /* The label file names the sample files, so it is not one of them. */
  g_hash_table_add (used, g_strdup ("structured_labels.labels"));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "structured-labels");
  json_builder_set_member_name (b, "structuredLabels");
  json_builder_begin_object (b);
  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      g_autofree char *name = wm_export_file_name_for (rl->recording, used, ".json");
      g_autofree char *path = g_build_filename (output, name, NULL);
      g_autoptr(WmAtomicFile) file = wm_atomic_file_new (path, error);

      if (file == NULL || !write_acquisition (wm_atomic_file_stream (file), store, rl->recording, error) ||
          !wm_atomic_file_commit (g_steal_pointer (&file), error))
        return FALSE;
      summary->n_files++;
      json_builder_set_member_name (b, name);
      add_structured_labels (b, rl);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  labels_path = g_build_filename (output, "structured_labels.labels", NULL);
  labels_file = wm_atomic_file_new (labels_path, error);
  if (labels_file == NULL)
    return FALSE;
  fputs (text, wm_atomic_file_stream (labels_file));
  fputc ('\n', wm_atomic_file_stream (labels_file));
  if (!wm_atomic_file_commit (g_steal_pointer (&labels_file), error))
    return FALSE;
  summary->n_files++;
  return TRUE;
}
