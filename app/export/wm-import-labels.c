/* wm-import-labels.c — labels from Audacity, Raven, Label Studio and Waymark CSV files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole file is parsed and checked first; only then are its labels added,
 * in one transaction, so a bad line leaves the project as it was.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "wm-csv-reader.h"
#include "wm-export-private.h"

/* GNOME's palette, for classes a label file brings in. */
static const char * const class_colors[] = {
  "#3584e4", "#e01b24", "#33d17a", "#f6d32d", "#9141ac", "#ff7800", "#986a44", "#1c71d8",
};

typedef struct {
  const char        *path;
  const WmRecording *recording;
  const char        *author;
  GPtrArray         *labels; /* of WmLabel, class_name set, class_id 0 */
} Parse;

static gboolean
field_error (GError     **error,
             const Parse *p,
             guint        line,
             const char  *field,
             const char  *format,
             ...) G_GNUC_PRINTF (5, 6);

static gboolean
field_error (GError     **error,
             const Parse *p,
             guint        line,
             const char  *field,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
               _("%s:%u: field “%s”: %s"), p->path, line, field, message);
  return FALSE;
}

static gboolean
parse_seconds (const Parse  *p,
               guint         line,
               const char   *field,
               const char   *text,
               gint64       *out_frame,
               GError      **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  double seconds;

  seconds = g_ascii_strtod (stripped, &end);
  if (*stripped == '\0' || end == stripped || *end != '\0' || !isfinite (seconds))
    return field_error (error, p, line, field, _("“%s” is not a time in seconds"), text);
  if (seconds < 0)
    return field_error (error, p, line, field, _("%s s is before the start of the recording"), stripped);
  *out_frame = (gint64) llround (seconds * p->recording->sample_rate);
  return TRUE;
}

static gboolean
parse_frame (const Parse  *p,
             guint         line,
             const char   *field,
             const char   *text,
             gint64       *out_frame,
             GError      **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return field_error (error, p, line, field, _("“%s” is not a frame number"), text);
  *out_frame = (gint64) value;
  return TRUE;
}

/* Checks the span against the recording and keeps the label. */
static gboolean
add_parsed (Parse       *p,
            guint        line,
            WmLabel     *label,
            const char  *start_field,
            const char  *end_field,
            const char  *class_field,
            GError     **error)
{
  g_autoptr(WmLabel) owned = label;

  if (owned->class_name == NULL || *g_strstrip (owned->class_name) == '\0')
    return field_error (error, p, line, class_field, _("the label has no class name"));
  if (owned->end_frame < owned->start_frame)
    return field_error (error, p, line, end_field, _("the label ends before it starts"));
  if (owned->end_frame > p->recording->n_frames)
    return field_error (error, p, line, owned->start_frame > p->recording->n_frames ? start_field : end_field,
                        _("beyond the end of recording “%s” (%.6f s)"),
                        p->recording->name, wm_recording_get_duration (p->recording));
  owned->recording_id = p->recording->id;
  g_ptr_array_add (p->labels, g_steal_pointer (&owned));
  return TRUE;
}

/* Line ends may be CR LF; tabs at the end are empty fields, not space. */
static char *
strip_cr (char *line)
{
  gsize n = strlen (line);

  if (n > 0 && line[n - 1] == '\r')
    line[n - 1] = '\0';
  return line;
}

/* The same checks as add_parsed, for a JSON file: @where is the JSON path. */
static gboolean
add_parsed_json (Parse       *p,
                 const char  *where,
                 WmLabel     *label,
                 GError     **error)
{
  g_autoptr(WmLabel) owned = label;

  if (owned->class_name == NULL || *g_strstrip (owned->class_name) == '\0')
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s: %s.value.timeserieslabels: the label has no class name"), p->path, where);
      return FALSE;
    }
  if (owned->end_frame < owned->start_frame)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s: %s.value.end: the label ends before it starts"), p->path, where);
      return FALSE;
    }
  if (owned->end_frame > p->recording->n_frames)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s: %s.value.end: beyond the end of recording “%s” (%.6f s)"),
                   p->path, where, p->recording->name, wm_recording_get_duration (p->recording));
      return FALSE;
    }
  owned->recording_id = p->recording->id;
  g_ptr_array_add (p->labels, g_steal_pointer (&owned));
  return TRUE;
}

static WmLabel *
human_label (const Parse *p)
{
  WmLabel *label = wm_label_new ();

  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  label->author = g_strdup (p->author);
  return label;
}

/* ---- audacity ------------------------------------------------------------ */

/* start<TAB>end<TAB>label; a line starting with a backslash carries the
 * frequency range of the label above it. */
static gboolean
parse_audacity (Parse      *p,
                char      **lines,
                GError    **error)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      g_auto(GStrv) fields = NULL;
      WmLabel *label;

      strip_cr (line);
      if (*line == '\0' || *line == '\\')
        continue;
      fields = g_strsplit (line, "\t", 3);
      if (g_strv_length (fields) < 3)
        return field_error (error, p, i + 1, g_strv_length (fields) < 2 ? "end" : "label",
                            _("missing: a line is start, end and label separated by tabs"));
      label = human_label (p);
      label->class_name = g_strdup (fields[2]);
      if (!parse_seconds (p, i + 1, "start", fields[0], &label->start_frame, error) ||
          !parse_seconds (p, i + 1, "end", fields[1], &label->end_frame, error))
        {
          wm_label_free (label);
          return FALSE;
        }
      if (!add_parsed (p, i + 1, label, "start", "end", "label", error))
        return FALSE;
    }
  return TRUE;
}

/* ---- raven --------------------------------------------------------------- */

static int
column_index (char      **header,
              const char *name)
{
  for (int i = 0; header[i] != NULL; i++)
    if (g_str_equal (g_strstrip (header[i]), name))
      return i;
  return -1;
}

/* A selection table: a header row names the columns; Raven lists a
 * selection once per view, so a selection number seen before is skipped. */
static gboolean
parse_raven (Parse      *p,
             char      **lines,
             GError    **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) header = NULL;
  int col_selection, col_begin, col_end, col_annotation;
  guint n_columns;

  if (lines[0] == NULL || *strip_cr (lines[0]) == '\0')
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s:1: not a Raven selection table: the header row is missing"), p->path);
      return FALSE;
    }
  header = g_strsplit (lines[0], "\t", -1);
  n_columns = g_strv_length (header);
  col_selection = column_index (header, "Selection");
  col_begin = column_index (header, "Begin Time (s)");
  col_end = column_index (header, "End Time (s)");
  col_annotation = column_index (header, "Annotation");
  if (col_begin < 0 || col_end < 0 || col_annotation < 0)
    return field_error (error, p, 1, col_begin < 0 ? "Begin Time (s)" : col_end < 0 ? "End Time (s)" : "Annotation",
                        _("the column is missing from the header row"));

  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      g_auto(GStrv) fields = NULL;
      WmLabel *label;

      strip_cr (line);
      if (*line == '\0')
        continue;
      fields = g_strsplit (line, "\t", -1);
      if (g_strv_length (fields) != n_columns)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                       _("%s:%u: %u fields where the header has %u"),
                       p->path, i + 1, g_strv_length (fields), n_columns);
          return FALSE;
        }
      if (col_selection >= 0)
        {
          if (g_hash_table_contains (seen, fields[col_selection]))
            continue;
          g_hash_table_add (seen, g_strdup (fields[col_selection]));
        }
      label = human_label (p);
      label->class_name = g_strdup (fields[col_annotation]);
      if (!parse_seconds (p, i + 1, "Begin Time (s)", fields[col_begin], &label->start_frame, error) ||
          !parse_seconds (p, i + 1, "End Time (s)", fields[col_end], &label->end_frame, error))
        {
          wm_label_free (label);
          return FALSE;
        }
      if (!add_parsed (p, i + 1, label, "Begin Time (s)", "End Time (s)", "Annotation", error))
        return FALSE;
    }
  return TRUE;
}

/* ---- csv ----------------------------------------------------------------- */

/* One RFC 4180 record at @cursor, split in place into @cells: fields may
 * be quoted, and a quoted field may hold commas, doubled quotes and line
 * breaks. */
static gboolean
csv_next_record (const Parse  *p,
                 WmCsvCursor  *cursor,
                 GPtrArray    *cells,
                 GError      **error)
{
  static const WmCsvDialect dialect = { ',', FALSE };
  guint start_line = cursor->line;

  switch (wm_csv_read_record (&dialect, cursor, cells))
    {
    case WM_CSV_OK:
      return TRUE;
    case WM_CSV_UNCLOSED_QUOTE:
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s:%u: field %u: a quoted field is not closed"),
                   p->path, start_line, cells->len + 1);
      return FALSE;
    case WM_CSV_TEXT_AFTER_QUOTE:
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s:%u: field %u: text after the closing quote"),
                   p->path, cursor->line, cells->len + 1);
      return FALSE;
    }
  g_return_val_if_reached (FALSE);
}

enum { CSV_RECORDING, CSV_START_S, CSV_END_S, CSV_START_FRAME, CSV_END_FRAME, CSV_CLASS,
       CSV_SOURCE, CSV_CONFIDENCE, CSV_MODEL_VERSION, CSV_AUTHOR, CSV_N_COLUMNS };

static const char * const csv_columns[CSV_N_COLUMNS] = {
  "recording", "start_s", "end_s", "start_frame", "end_frame", "class",
  "source", "confidence", "model_version", "author",
};

static const char *
csv_get (GPtrArray *record,
         const int *columns,
         int        which)
{
  if (columns[which] < 0 || (guint) columns[which] >= record->len)
    return NULL;
  return record->pdata[columns[which]];
}

static gboolean
csv_parse_label (Parse       *p,
                 guint        line,
                 GPtrArray   *record,
                 const int   *columns,
                 GError     **error)
{
  g_autoptr(WmLabel) label = human_label (p);
  const char *text;
  gboolean by_frame = columns[CSV_START_FRAME] >= 0 && columns[CSV_END_FRAME] >= 0;
  int start_col = by_frame ? CSV_START_FRAME : CSV_START_S;
  int end_col = by_frame ? CSV_END_FRAME : CSV_END_S;

  if (by_frame)
    {
      if (!parse_frame (p, line, csv_columns[start_col], csv_get (record, columns, start_col), &label->start_frame, error) ||
          !parse_frame (p, line, csv_columns[end_col], csv_get (record, columns, end_col), &label->end_frame, error))
        return FALSE;
    }
  else if (!parse_seconds (p, line, csv_columns[start_col], csv_get (record, columns, start_col), &label->start_frame, error) ||
           !parse_seconds (p, line, csv_columns[end_col], csv_get (record, columns, end_col), &label->end_frame, error))
    return FALSE;

  label->class_name = g_strdup (csv_get (record, columns, CSV_CLASS));

  text = csv_get (record, columns, CSV_SOURCE);
  if (text != NULL && *text != '\0' && !wm_label_source_from_string (text, &label->source))
    return field_error (error, p, line, "source", _("“%s” is not human, model or review"), text);

  text = csv_get (record, columns, CSV_CONFIDENCE);
  if (text != NULL && *text != '\0')
    {
      char *end = NULL;
      label->confidence = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !(label->confidence >= 0.0 && label->confidence <= 1.0))
        return field_error (error, p, line, "confidence", _("“%s” is not a number from 0 to 1"), text);
    }

  text = csv_get (record, columns, CSV_MODEL_VERSION);
  if (text != NULL && *text != '\0')
    label->model_version = g_strdup (text);
  text = csv_get (record, columns, CSV_AUTHOR);
  if (columns[CSV_AUTHOR] >= 0)
    {
      g_free (label->author);
      label->author = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
    }

  return add_parsed (p, line, g_steal_pointer (&label), csv_columns[start_col], csv_columns[end_col],
                     "class", error);
}

static gboolean
parse_csv (Parse       *p,
           char        *contents,
           GError     **error)
{
  g_autoptr(GPtrArray) header = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GArray) record_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) recording_names = g_hash_table_new (g_str_hash, g_str_equal);
  int columns[CSV_N_COLUMNS];
  WmCsvCursor cursor = { contents, 1 };

  if (!csv_next_record (p, &cursor, header, error))
    return FALSE;
  for (int c = 0; c < CSV_N_COLUMNS; c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < header->len; i++)
        if (g_str_equal (g_strstrip ((char *) header->pdata[i]), csv_columns[c]))
          columns[c] = (int) i;
    }
  if (columns[CSV_CLASS] < 0)
    return field_error (error, p, 1, "class", _("the column is missing from the header row"));
  if ((columns[CSV_START_FRAME] < 0 || columns[CSV_END_FRAME] < 0) &&
      (columns[CSV_START_S] < 0 || columns[CSV_END_S] < 0))
    return field_error (error, p, 1, "start_s", _("the header row needs start_frame and end_frame, "
                                                  "or start_s and end_s"));

  while (*cursor.pos != '\0')
    {
      guint record_line = cursor.line;
      g_autoptr(GPtrArray) record = g_ptr_array_new ();

      if (!csv_next_record (p, &cursor, record, error))
        return FALSE;
      if (record->len == 1 && *(char *) record->pdata[0] == '\0')
        continue;
      if (record->len != header->len)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                       _("%s:%u: %u fields where the header has %u"),
                       p->path, record_line, record->len, header->len);
          return FALSE;
        }
      if (columns[CSV_RECORDING] >= 0)
        g_hash_table_add (recording_names, record->pdata[columns[CSV_RECORDING]]);
      g_ptr_array_add (records, g_steal_pointer (&record));
      g_array_append_val (record_lines, record_line);
    }

  for (guint i = 0; i < records->len; i++)
    {
      GPtrArray *record = records->pdata[i];

      /* A file of several recordings gives this recording its own rows. */
      if (g_hash_table_size (recording_names) > 1 &&
          g_strcmp0 (record->pdata[columns[CSV_RECORDING]], p->recording->name) != 0)
        continue;
      if (!csv_parse_label (p, g_array_index (record_lines, guint, i), record, columns, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- label studio -------------------------------------------------------- */

static gboolean
json_error (GError     **error,
            const Parse *p,
            const char  *where,
            const char  *format,
            ...) G_GNUC_PRINTF (4, 5);

static gboolean
json_error (GError     **error,
            const Parse *p,
            const char  *where,
            const char  *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE, "%s: %s: %s", p->path, where, message);
  return FALSE;
}

static gboolean
json_seconds (const Parse  *p,
              JsonObject   *value,
              const char   *member,
              const char   *where,
              gint64       *out_frame,
              GError      **error)
{
  g_autofree char *field = g_strdup_printf ("%s.value.%s", where, member);
  JsonNode *node = json_object_get_member (value, member);
  double seconds;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE && json_node_get_value_type (node) != G_TYPE_INT64))
    return json_error (error, p, field, _("missing, or not a time in seconds"));
  seconds = json_node_get_double (node);
  if (!isfinite (seconds) || seconds < 0)
    return json_error (error, p, field, _("%g is not a time in the recording"), seconds);
  *out_frame = (gint64) llround (seconds * p->recording->sample_rate);
  return TRUE;
}

/* The timeserieslabels results of one annotation or prediction. */
static gboolean
parse_labelstudio_results (Parse       *p,
                           JsonObject  *holder,
                           const char  *where,
                           gboolean     prediction,
                           GError     **error)
{
  JsonNode *results = json_object_get_member (holder, "result");
  const char *model_version = NULL;
  double score = 1.0;
  JsonArray *array;

  if (results == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (results))
    return json_error (error, p, where, _("“result” is not a list"));
  if (prediction)
    {
      model_version = json_object_get_string_member_with_default (holder, "model_version", NULL);
      score = json_object_get_double_member_with_default (holder, "score", 1.0);
    }

  array = json_node_get_array (results);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_where = g_strdup_printf ("%s.result[%u]", where, i);
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *o, *value;
      JsonArray *classes;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return json_error (error, p, item_where, _("not an object"));
      o = json_node_get_object (item);
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", NULL), "timeserieslabels") != 0)
        continue;
      if (!json_object_has_member (o, "value") || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "value")))
        return json_error (error, p, item_where, _("“value” is missing"));
      value = json_object_get_object_member (o, "value");
      if (!json_object_has_member (value, "timeserieslabels") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (value, "timeserieslabels")) ||
          json_array_get_length (classes = json_object_get_array_member (value, "timeserieslabels")) == 0)
        {
          g_autofree char *field = g_strconcat (item_where, ".value.timeserieslabels", NULL);
          return json_error (error, p, field, _("no class name"));
        }

      for (guint c = 0; c < json_array_get_length (classes); c++)
        {
          g_autoptr(WmLabel) label = human_label (p);
          g_autofree char *class_field = g_strdup_printf ("%s.value.timeserieslabels[%u]", item_where, c);
          JsonNode *name = json_array_get_element (classes, c);

          if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
            return json_error (error, p, class_field, _("not a class name"));
          label->class_name = g_strdup (json_node_get_string (name));
          if (!json_seconds (p, value, "start", item_where, &label->start_frame, error) ||
              !json_seconds (p, value, "end", item_where, &label->end_frame, error))
            return FALSE;
          if (prediction)
            {
              label->source = WM_LABEL_SOURCE_MODEL;
              label->confidence = json_object_get_double_member_with_default (o, "score", score);
              if (!(label->confidence >= 0.0 && label->confidence <= 1.0))
                {
                  g_autofree char *field = g_strconcat (item_where, ".score", NULL);
                  return json_error (error, p, field, _("%g is not a number from 0 to 1"), label->confidence);
                }
              label->model_version = g_strdup (model_version);
              g_clear_pointer (&label->author, g_free);
            }
          if (!add_parsed_json (p, item_where, g_steal_pointer (&label), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_labelstudio (Parse       *p,
                   const char  *text,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root, *task_node = NULL;
  JsonObject *task;
  const char *lists[] = { "annotations", "predictions" };

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      /* json-glib names the text "<data>"; it is the file, at line:column. */
      const char *message = local_error->message;
      if (g_str_has_prefix (message, "<data>:"))
        g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE, "%s%s", p->path, message + strlen ("<data>"));
      else
        g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE, "%s: %s", p->path, message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    task_node = root;
  else if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *tasks = json_node_get_array (root);

      /* The task of this recording; a file of one task is this recording's. */
      for (guint i = 0; i < json_array_get_length (tasks) && task_node == NULL; i++)
        {
          JsonNode *t = json_array_get_element (tasks, i);
          JsonObject *data;

          if (!JSON_NODE_HOLDS_OBJECT (t) || !json_object_has_member (json_node_get_object (t), "data") ||
              !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (t), "data")))
            continue;
          data = json_object_get_object_member (json_node_get_object (t), "data");
          if (g_strcmp0 (json_object_get_string_member_with_default (data, "recording", NULL), p->recording->name) == 0)
            task_node = t;
        }
      if (task_node == NULL && json_array_get_length (tasks) == 1)
        task_node = json_array_get_element (tasks, 0);
    }
  if (task_node == NULL || !JSON_NODE_HOLDS_OBJECT (task_node))
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE,
                   _("%s: no Label Studio task for recording “%s” (data.recording)"), p->path, p->recording->name);
      return FALSE;
    }
  task = json_node_get_object (task_node);

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      JsonNode *node = json_object_get_member (task, lists[l]);
      JsonArray *array;

      if (node == NULL)
        continue;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return json_error (error, p, lists[l], _("not a list"));
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *where = g_strdup_printf ("%s[%u]", lists[l], i);
          JsonNode *holder = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (holder))
            return json_error (error, p, where, _("not an object"));
          if (json_object_get_boolean_member_with_default (json_node_get_object (holder), "was_cancelled", FALSE))
            continue;
          if (!parse_labelstudio_results (p, json_node_get_object (holder), where, l == 1, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* ---- entry point --------------------------------------------------------- */

static gboolean
store_labels (WmStore    *store,
              GPtrArray  *labels,
              GError    **error)
{
  g_autoptr(GPtrArray) classes = wm_store_list_classes (store, error);
  g_autoptr(GHashTable) class_ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_classes;

  if (classes == NULL)
    return FALSE;
  n_classes = classes->len;
  for (guint i = 0; i < classes->len; i++)
    {
      WmClass *c = classes->pdata[i];
      g_hash_table_insert (class_ids, c->name, &c->id);
    }

  if (!wm_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *label = labels->pdata[i];
      gint64 *id = g_hash_table_lookup (class_ids, label->class_name);

      if (id != NULL)
        label->class_id = *id;
      else
        {
          label->class_id = wm_store_add_class (store, label->class_name,
                                                class_colors[n_classes++ % G_N_ELEMENTS (class_colors)],
                                                NULL, error);
          if (label->class_id == 0)
            goto fail;
          g_hash_table_insert (class_ids, label->class_name, &label->class_id);
        }
      if (!wm_store_add_label (store, label, error))
        goto fail;
    }
  return wm_store_commit (store, error);

fail:
  wm_store_rollback (store);
  return FALSE;
}

gboolean
wm_import_labels (WmStore           *store,
                  const WmRecording *recording,
                  WmExportFormat     format,
                  const char        *path,
                  const char        *author,
                  guint             *out_n_labels,
                  GError           **error)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  char *text;
  gsize length;
  Parse p = { path, recording, author, labels };
  gboolean ok;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (recording != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_PARSE, _("%s: not UTF-8 text"), path);
      return FALSE;
    }
  text = g_str_has_prefix (contents, "\xef\xbb\xbf") ? contents + 3 : contents;

  switch (format)
    {
    case WM_EXPORT_FORMAT_AUDACITY:
      lines = g_strsplit (text, "\n", -1);
      ok = parse_audacity (&p, lines, error);
      break;
    case WM_EXPORT_FORMAT_RAVEN:
      lines = g_strsplit (text, "\n", -1);
      ok = parse_raven (&p, lines, error);
      break;
    case WM_EXPORT_FORMAT_CSV:
      ok = parse_csv (&p, text, error);
      break;
    case WM_EXPORT_FORMAT_LABELSTUDIO:
      ok = parse_labelstudio (&p, text, error);
      break;
    case WM_EXPORT_FORMAT_JSON:
    case WM_EXPORT_FORMAT_EDGE_IMPULSE:
    default:
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                   _("labels are imported from audacity, raven, labelstudio or csv files"));
      return FALSE;
    }
  if (!ok || !store_labels (store, labels, error))
    return FALSE;

  if (out_n_labels != NULL)
    *out_n_labels = labels->len;
  return TRUE;
}
