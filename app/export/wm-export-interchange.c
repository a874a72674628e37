/* wm-export-interchange.c — Label Studio tasks and Edge Impulse samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Label Studio: one time-series task per recording; human and review labels
 * are the task's annotation, model labels its predictions (one per model
 * version, with the label confidences as scores).  Beside the tasks, a CSV
 * per recording that the task's data.ts names (a "time" column in seconds,
 * then a column per channel) and the labelling config: a TimeSeries tag
 * reading those CSVs by URL with a Channel per column, and a
 * TimeSeriesLabels tag with the classes in their colours.  Region times are
 * seconds, values of that time column.
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
#define LABELSTUDIO_TIME      "time"
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
          RecordingLabels *rl,
          const char      *csv)
{
  const WmRecording *r = rl->recording;
  g_autoptr(GHashTable) versions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

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

/* The channel columns of the tasks' CSVs, which the config's Channel tags
 * name: every selected recording's channels, by name, in order of first
 * appearance. */
typedef struct {
  GPtrArray  *names;   /* of char *: the columns after "time" */
  GPtrArray  *units;   /* of const char *, the first recording's unit of each */
  GHashTable *index;   /* name -> column + 1 */
  GPtrArray  *layouts; /* per recording: guint[n_channels], each channel's column */
} SeriesColumns;

static void
series_columns_clear (SeriesColumns *columns)
{
  g_clear_pointer (&columns->names, g_ptr_array_unref);
  g_clear_pointer (&columns->units, g_ptr_array_unref);
  g_clear_pointer (&columns->index, g_hash_table_unref);
  g_clear_pointer (&columns->layouts, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeriesColumns, series_columns_clear)

/* A channel's name as a column: no separator, quote or line break (which
 * the CSV would have to quote and the config to match quoted), never empty,
 * never "time", and unique in its recording. */
static char *
column_name (const char *channel_name,
             guint       channel,
             GHashTable *taken)
{
  g_autofree char *base = NULL;
  char *name;

  base = channel_name != NULL && *channel_name != '\0' ? g_strdup (channel_name) : g_strdup_printf ("ch%u", channel + 1);
  g_strdelimit (base, ",\"\r\n", '_');
  name = g_strdup (base);
  for (guint k = 2; g_str_equal (name, LABELSTUDIO_TIME) || g_hash_table_contains (taken, name); k++)
    {
      g_free (name);
      name = g_strdup_printf ("%s_%u", base, k);
    }
  g_hash_table_add (taken, name);
  return name;
}

static void
series_columns_init (SeriesColumns *columns,
                     GPtrArray     *selected)
{
  columns->names = g_ptr_array_new_with_free_func (g_free);
  columns->units = g_ptr_array_new ();
  columns->index = g_hash_table_new (g_str_hash, g_str_equal);
  columns->layouts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < selected->len; i++)
    {
      const WmRecording *r = ((RecordingLabels *) selected->pdata[i])->recording;
      g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      guint *layout = g_new (guint, MAX (r->n_channels, 1));

      for (guint c = 0; c < r->n_channels; c++)
        {
          const char *name = column_name (r->channel_names != NULL ? r->channel_names[c] : NULL, c, taken);
          guint column = GPOINTER_TO_UINT (g_hash_table_lookup (columns->index, name));

          if (column == 0)
            {
              g_ptr_array_add (columns->names, g_strdup (name));
              g_ptr_array_add (columns->units, r->channel_units != NULL ? r->channel_units[c] : NULL);
              column = columns->names->len;
              g_hash_table_insert (columns->index, columns->names->pdata[column - 1], GUINT_TO_POINTER (column));
            }
          layout[c] = column - 1;
        }
      g_ptr_array_add (columns->layouts, layout);
    }
}

/* The recording's samples under the columns: a cell stays empty where the
 * recording has no such channel. */
static gboolean
write_series_csv (FILE                *out,
                  WmStore             *store,
                  const WmRecording   *r,
                  const SeriesColumns *columns,
                  const guint         *layout,
                  GError             **error)
{
  const gsize chunk = 16384;
  g_autofree void *frames = NULL;
  g_autofree int *channel_of = g_new (int, MAX (columns->names->len, 1));
  gboolean int16 = r->sample_format == WM_SAMPLE_FORMAT_INT16;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  fputs (LABELSTUDIO_TIME, out);
  for (guint j = 0; j < columns->names->len; j++)
    {
      fputc (',', out);
      fputs (columns->names->pdata[j], out);
      channel_of[j] = -1;
    }
  fputc ('\n', out);
  for (guint c = 0; c < r->n_channels; c++)
    channel_of[layout[c]] = (int) c;

  frames = g_malloc (chunk * MAX (r->n_channels, 1) * (int16 ? sizeof (gint16) : sizeof (float)));
  for (gint64 first = 0; first < r->n_frames; first += chunk)
    {
      gsize n = (gsize) MIN ((gint64) chunk, r->n_frames - first);

      if (!wm_store_read_frames_raw (store, r->id, first, n, frames, error))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          /* The same division as the regions' start and end. */
          g_autofree char *time = wm_export_format_double ((first + (gint64) i) / r->sample_rate);

          fputs (time, out);
          for (guint j = 0; j < columns->names->len; j++)
            {
              gsize k;

              fputc (',', out);
              if (channel_of[j] < 0)
                continue;
              k = i * r->n_channels + (guint) channel_of[j];
              if (int16)
                fprintf (out, "%d", ((const gint16 *) frames)[k]);
              else if (isfinite (((const float *) frames)[k]))
                fputs (g_ascii_formatd (number, sizeof number, "%.9g", ((const float *) frames)[k]), out);
            }
          fputc ('\n', out);
        }
    }
  return TRUE;
}

static void
append_attribute (GString    *xml,
                  const char *name,
                  const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);

  g_string_append_printf (xml, " %s=\"%s\"", name, escaped);
}

/* The labelling config: the classes of the selection (the project's, or
 * those --class names) and a Channel per column. */
static char *
labelstudio_config (GPtrArray               *classes,
                    const WmExportSelection *selection,
                    const SeriesColumns     *columns)
{
  GString *xml = g_string_new ("<View>\n  <TimeSeriesLabels");

  append_attribute (xml, "name", LABELSTUDIO_FROM_NAME);
  append_attribute (xml, "toName", LABELSTUDIO_TO_NAME);
  g_string_append (xml, ">\n");
  for (guint i = 0; i < classes->len; i++)
    {
      const WmClass *c = classes->pdata[i];

      if (selection->classes != NULL && !g_strv_contains ((const char * const *) selection->classes, c->name))
        continue;
      g_string_append (xml, "    <Label");
      append_attribute (xml, "value", c->name);
      if (c->color != NULL && *c->color != '\0')
        append_attribute (xml, "background", c->color);
      g_string_append (xml, "/>\n");
    }
  g_string_append (xml, "  </TimeSeriesLabels>\n  <TimeSeries");
  append_attribute (xml, "name", LABELSTUDIO_TO_NAME);
  append_attribute (xml, "value", "$" LABELSTUDIO_TO_NAME);
  append_attribute (xml, "valueType", "url");
  append_attribute (xml, "timeColumn", LABELSTUDIO_TIME);
  append_attribute (xml, "sep", ",");
  g_string_append (xml, ">\n");
  for (guint j = 0; j < columns->names->len; j++)
    {
      const char *unit = columns->units->pdata[j];

      g_string_append (xml, "    <Channel");
      append_attribute (xml, "column", columns->names->pdata[j]);
      if (unit != NULL && *unit != '\0')
        append_attribute (xml, "units", unit);
      g_string_append (xml, "/>\n");
    }
  g_string_append (xml, "  </TimeSeries>\n</View>\n");
  return g_string_free (xml, FALSE);
}

char *
wm_export_labelstudio_config_path (const char *tasks_path)
{
  g_autofree char *stem = NULL;

  g_return_val_if_fail (tasks_path != NULL, NULL);

  stem = g_str_has_suffix (tasks_path, ".json") ? g_strndup (tasks_path, strlen (tasks_path) - strlen (".json"))
                                                : g_strdup (tasks_path);
  return g_strconcat (stem, "-config.xml", NULL);
}

gboolean
wm_export_write_labelstudio (WmStore                 *store,
                             GPtrArray               *selected,
                             const WmExportSelection *selection,
                             FILE                    *out,
                             const char              *output,
                             WmExportSummary         *summary,
                             GError                 **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) csv_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_auto(SeriesColumns) columns = { NULL, NULL, NULL, NULL };
  g_autofree char *dir = output != NULL ? g_path_get_dirname (output) : NULL;
  g_autofree char *config_path = output != NULL ? wm_export_labelstudio_config_path (output) : NULL;
  g_autofree char *text = NULL;

  series_columns_init (&columns, selected);
  /* The CSVs sit beside the tasks file and its config, under other names. */
  if (output != NULL)
    {
      g_hash_table_add (used, g_path_get_basename (output));
      g_hash_table_add (used, g_path_get_basename (config_path));
    }
  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      char *name = wm_export_file_name_for (rl->recording, used, ".csv");

      g_ptr_array_add (csv_names, name);
      if (output != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autoptr(WmAtomicFile) file = wm_atomic_file_new (path, error);

          if (file == NULL ||
              !write_series_csv (wm_atomic_file_stream (file), store, rl->recording, &columns,
                                 columns.layouts->pdata[i], error) ||
              !wm_atomic_file_commit (g_steal_pointer (&file), error))
            return FALSE;
          summary->n_files++;
        }
    }
  if (output != NULL)
    {
      g_autoptr(WmAtomicFile) file = NULL;
      g_autofree char *config = NULL;

      if ((classes = wm_store_list_classes (store, error)) == NULL)
        return FALSE;
      config = labelstudio_config (classes, selection, &columns);
      if ((file = wm_atomic_file_new (config_path, error)) == NULL)
        return FALSE;
      fputs (config, wm_atomic_file_stream (file));
      if (!wm_atomic_file_commit (g_steal_pointer (&file), error))
        return FALSE;
      summary->n_files++;
    }

  json_builder_begin_array (b);
  for (guint i = 0; i < selected->len; i++)
    add_task (b, selected->pdata[i], csv_names->pdata[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, out);
  fputc ('\n', out);
  return TRUE;
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
