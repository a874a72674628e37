/* wm-export.c — labels as CSV, JSON, Audacity label tracks and Raven tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "wm-export-private.h"

static const struct {
  WmExportFormat  format;
  const char     *name;
} format_names[] = {
  { WM_EXPORT_FORMAT_CSV, "csv" },
  { WM_EXPORT_FORMAT_JSON, "json" },
  { WM_EXPORT_FORMAT_AUDACITY, "audacity" },
  { WM_EXPORT_FORMAT_RAVEN, "raven" },
  { WM_EXPORT_FORMAT_LABELSTUDIO, "labelstudio" },
  { WM_EXPORT_FORMAT_EDGE_IMPULSE, "edge-impulse" },
  { WM_EXPORT_FORMAT_DATASET, "dataset" },
  { WM_EXPORT_FORMAT_CLIPS, "clips" },
};

gboolean
wm_export_format_from_string (const char     *text,
                              WmExportFormat *out_format)
{
  g_return_val_if_fail (out_format != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (format_names); i++)
    if (g_str_equal (text, format_names[i].name))
      {
        *out_format = format_names[i].format;
        return TRUE;
      }
  return FALSE;
}

const char *
wm_export_format_to_string (WmExportFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (format_names[i].format == format)
      return format_names[i].name;
  return NULL;
}

char *
wm_export_format_seconds (gint64 frame,
                          double sample_rate)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6f", (double) frame / sample_rate));
}

char *
wm_export_format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 6; digits < 17; digits++)
    {
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return g_strdup (buffer);
    }
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.17g", value));
}

/* ---- selection ----------------------------------------------------------- */

void
wm_export_recording_labels_free (RecordingLabels *rl)
{
  wm_recording_free (rl->recording);
  g_ptr_array_unref (rl->labels);
  g_free (rl);
}

static gboolean
label_selected (const WmLabel           *label,
                const WmExportSelection *selection)
{
  if (selection->sources != 0 && (selection->sources & (1u << label->source)) == 0)
    return FALSE;
  if (label->confidence < selection->min_confidence)
    return FALSE;
  if (selection->classes != NULL && !g_strv_contains ((const char * const *) selection->classes,
                                                     label->class_name))
    return FALSE;
  return TRUE;
}

GPtrArray *
wm_export_collect (WmStore                 *store,
                   const WmExportSelection *selection,
                   guint                   *out_n_labels,
                   GError                 **error)
{
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_export_recording_labels_free);
  guint n_labels = 0;

  if (selection->classes != NULL)
    {
      for (char **c = selection->classes; *c != NULL; c++)
        {
          g_autoptr(WmClass) klass = wm_store_find_class (store, *c, error);
          if (klass == NULL)
            return NULL;
        }
    }

  if (selection->recording_ids != NULL && selection->recording_ids->len > 0)
    {
      recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_recording_free);
      for (guint i = 0; i < selection->recording_ids->len; i++)
        {
          WmRecording *r = wm_store_get_recording (store, g_array_index (selection->recording_ids, gint64, i),
                                                   error);
          if (r == NULL)
            return NULL;
          g_ptr_array_add (recordings, r);
        }
    }
  else if ((recordings = wm_store_list_recordings (store, error)) == NULL)
    return NULL;

  for (guint i = 0; i < recordings->len; i++)
    {
      WmRecording *r = recordings->pdata[i];
      g_autoptr(GPtrArray) labels = wm_store_list_labels (store, r->id, 0, -1, error);
      RecordingLabels *rl;

      if (labels == NULL)
        return NULL;
      rl = g_new0 (RecordingLabels, 1);
      rl->recording = wm_recording_copy (r);
      rl->labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
      for (guint j = 0; j < labels->len; j++)
        if (label_selected (labels->pdata[j], selection))
          g_ptr_array_add (rl->labels, g_steal_pointer (&labels->pdata[j]));
      n_labels += rl->labels->len;
      g_ptr_array_add (result, rl);
    }

  *out_n_labels = n_labels;
  return g_steal_pointer (&result);
}

/* ---- csv ----------------------------------------------------------------- */

char *
wm_export_csv_field (const char *text)
{
  GString *field;

  if (text == NULL)
    return g_strdup ("");
  if (strpbrk (text, ",\"\r\n") == NULL)
    return g_strdup (text);
  field = g_string_new ("\"");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (field, '"');
      g_string_append_c (field, *p);
    }
  g_string_append_c (field, '"');
  return g_string_free (field, FALSE);
}

static void
csv_put_field (FILE       *out,
               const char *text)
{
  g_autofree char *field = wm_export_csv_field (text);

  fputs (field, out);
}

static void
write_csv (FILE      *out,
           GPtrArray *selected)
{
  fputs (WM_EXPORT_CSV_HEADER "\n", out);
  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      const WmRecording *r = rl->recording;

      for (guint j = 0; j < rl->labels->len; j++)
        {
          const WmLabel *l = rl->labels->pdata[j];
          g_autofree char *start = wm_export_format_seconds (l->start_frame, r->sample_rate);
          g_autofree char *end = wm_export_format_seconds (l->end_frame, r->sample_rate);
          g_autofree char *confidence = wm_export_format_double (l->confidence);

          csv_put_field (out, r->name);
          fprintf (out, ",%" PRId64 ",%s,%s,%" PRId64 ",%" PRId64 ",",
                   r->id, start, end, l->start_frame, l->end_frame);
          csv_put_field (out, l->class_name);
          fprintf (out, ",%s,%s,", wm_label_source_to_string (l->source), confidence);
          csv_put_field (out, l->model_version);
          fputc (',', out);
          csv_put_field (out, l->author);
          fputc ('\n', out);
        }
    }
}

/* ---- json ---------------------------------------------------------------- */

static void
add_string_member (JsonBuilder *b,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int_member (JsonBuilder *b,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_double_member (JsonBuilder *b,
                   const char  *name,
                   double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
recording_to_json (JsonBuilder       *b,
                   const WmRecording *r)
{
  json_builder_begin_object (b);
  add_int_member (b, "id", r->id);
  add_string_member (b, "name", r->name);
  add_string_member (b, "kind", r->kind == WM_RECORDING_KIND_AUDIO ? "audio" : "sensor");
  add_string_member (b, "source_path", r->source_path);
  add_string_member (b, "source_sha256", r->source_sha256);
  add_double_member (b, "sample_rate", r->sample_rate);
  add_int_member (b, "n_frames", r->n_frames);
  add_double_member (b, "duration_s", wm_recording_get_duration (r));
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint c = 0; c < r->n_channels; c++)
    {
      json_builder_begin_object (b);
      add_string_member (b, "name", r->channel_names[c]);
      add_string_member (b, "unit", r->channel_units[c]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "start_time");
  if (r->has_start_time)
    {
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (r->start_time_us / G_USEC_PER_SEC);
      g_autoptr(GDateTime) exact = g_date_time_add (t, r->start_time_us % G_USEC_PER_SEC);
      g_autofree char *iso = g_date_time_format_iso8601 (exact);
      json_builder_add_string_value (b, iso);
    }
  else
    json_builder_add_null_value (b);
  add_string_member (b, "device_id", r->device_id);
  add_string_member (b, "stream_id", r->stream_id);
  json_builder_end_object (b);
}

static void
label_to_json (JsonBuilder       *b,
               const WmLabel     *l,
               const WmRecording *r)
{
  json_builder_begin_object (b);
  add_int_member (b, "id", l->id);
  add_int_member (b, "recording_id", r->id);
  add_string_member (b, "recording", r->name);
  add_int_member (b, "start_frame", l->start_frame);
  add_int_member (b, "end_frame", l->end_frame);
  add_double_member (b, "start_s", l->start_frame / r->sample_rate);
  add_double_member (b, "end_s", l->end_frame / r->sample_rate);
  add_string_member (b, "class", l->class_name);
  add_string_member (b, "source", wm_label_source_to_string (l->source));
  add_double_member (b, "confidence", l->confidence);
  add_string_member (b, "model_version", l->model_version);
  add_string_member (b, "author", l->author);
  json_builder_end_object (b);
}

static gboolean
write_json (FILE       *out,
            WmStore    *store,
            GPtrArray  *selected,
            GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) classes = wm_store_list_classes (store, error);
  g_autofree char *text = NULL;

  if (classes == NULL)
    return FALSE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "recordings");
  json_builder_begin_array (b);
  for (guint i = 0; i < selected->len; i++)
    recording_to_json (b, ((RecordingLabels *) selected->pdata[i])->recording);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint i = 0; i < classes->len; i++)
    {
      const WmClass *c = classes->pdata[i];
      json_builder_begin_object (b);
      add_int_member (b, "id", c->id);
      add_string_member (b, "name", c->name);
      add_string_member (b, "color", c->color);
      add_string_member (b, "key", c->shortcut);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "labels");
  json_builder_begin_array (b);
  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      for (guint j = 0; j < rl->labels->len; j++)
        label_to_json (b, rl->labels->pdata[j], rl->recording);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, out);
  fputc ('\n', out);
  return TRUE;
}

/* ---- audacity and raven -------------------------------------------------- */

static void
write_audacity (FILE            *out,
                RecordingLabels *rl)
{
  for (guint j = 0; j < rl->labels->len; j++)
    {
      const WmLabel *l = rl->labels->pdata[j];
      g_autofree char *start = wm_export_format_seconds (l->start_frame, rl->recording->sample_rate);
      g_autofree char *end = wm_export_format_seconds (l->end_frame, rl->recording->sample_rate);

      fprintf (out, "%s\t%s\t%s\n", start, end, l->class_name);
    }
}

static void
write_raven (FILE            *out,
             RecordingLabels *rl)
{
  const WmRecording *r = rl->recording;
  g_autofree char *file = r->source_path != NULL ? g_path_get_basename (r->source_path) : g_strdup (r->name);
  char nyquist[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (nyquist, sizeof nyquist, "%.3f", r->sample_rate / 2);
  fputs (WM_RAVEN_HEADER "\n", out);
  for (guint j = 0; j < rl->labels->len; j++)
    {
      const WmLabel *l = rl->labels->pdata[j];
      g_autofree char *start = wm_export_format_seconds (l->start_frame, r->sample_rate);
      g_autofree char *end = wm_export_format_seconds (l->end_frame, r->sample_rate);

      fprintf (out, "%u\tSpectrogram 1\t1\t%s\t%s\t0.000\t%s\t%s\t%s\n",
               j + 1, start, end, nyquist, file, l->class_name);
    }
}

/* A file name from a recording name: no directory separators, no leading dot. */
char *
wm_export_file_name_for (const WmRecording *r,
                         GHashTable        *used,
                         const char        *suffix)
{
  g_autofree char *base = g_strdup (r->name);
  char *name;

  g_strdelimit (base, "/\\:", '_');
  if (base[0] == '.' || base[0] == '\0')
    {
      char *prefixed = g_strconcat ("_", base, NULL);
      g_free (base);
      base = prefixed;
    }
  name = g_strconcat (base, suffix, NULL);
  if (g_hash_table_contains (used, name))
    {
      g_free (name);
      name = g_strdup_printf ("%s-%" PRId64 "%s", base, r->id, suffix);
    }
  g_hash_table_add (used, name);
  return g_strdup (name);
}

static gboolean
write_per_recording (GPtrArray        *selected,
                     WmExportFormat    format,
                     const char       *output,
                     WmExportSummary  *summary,
                     GError          **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *suffix = format == WM_EXPORT_FORMAT_AUDACITY ? ".txt" : ".Table.1.selections.txt";

  if (output == NULL)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                   _("%s export writes one file per recording: give --output DIR"),
                   wm_export_format_to_string (format));
      return FALSE;
    }

  if (g_str_has_suffix (output, ".txt") && !g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(WmAtomicFile) file = NULL;

      if (selected->len != 1)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                       _("%s: one file holds the labels of one recording, and %u are selected: "
                         "give --recording, or a directory as --output"), output, selected->len);
          return FALSE;
        }
      if ((file = wm_atomic_file_new (output, error)) == NULL)
        return FALSE;
      if (format == WM_EXPORT_FORMAT_AUDACITY)
        write_audacity (wm_atomic_file_stream (file), selected->pdata[0]);
      else
        write_raven (wm_atomic_file_stream (file), selected->pdata[0]);
      summary->n_files = 1;
      return wm_atomic_file_commit (g_steal_pointer (&file), error);
    }

  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", output, g_strerror (errno));
      return FALSE;
    }
  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      g_autofree char *name = wm_export_file_name_for (rl->recording, used, suffix);
      g_autofree char *path = g_build_filename (output, name, NULL);
      g_autoptr(WmAtomicFile) file = wm_atomic_file_new (path, error);

      if (file == NULL)
        return FALSE;
      if (format == WM_EXPORT_FORMAT_AUDACITY)
        write_audacity (wm_atomic_file_stream (file), rl);
      else
        write_raven (wm_atomic_file_stream (file), rl);
      if (!wm_atomic_file_commit (g_steal_pointer (&file), error))
        return FALSE;
      summary->n_files++;
    }
  return TRUE;
}

/* ---- entry point --------------------------------------------------------- */

gboolean
wm_export_labels (WmStore                 *store,
                  WmExportFormat           format,
                  const WmExportSelection *selection,
                  const char              *output,
                  WmExportSummary         *out_summary,
                  GError                 **error)
{
  static const WmExportSelection everything = { 0 };
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(WmAtomicFile) file = NULL;
  WmExportSummary summary = { 0 };
  FILE *out = stdout;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (format != WM_EXPORT_FORMAT_DATASET && format != WM_EXPORT_FORMAT_CLIPS, FALSE);

  if (selection == NULL)
    selection = &everything;
  selected = wm_export_collect (store, selection, &summary.n_labels, error);
  if (selected == NULL)
    return FALSE;
  summary.n_recordings = selected->len;

  if (format == WM_EXPORT_FORMAT_AUDACITY || format == WM_EXPORT_FORMAT_RAVEN)
    {
      if (!write_per_recording (selected, format, output, &summary, error))
        return FALSE;
    }
  else if (format == WM_EXPORT_FORMAT_EDGE_IMPULSE)
    {
      if (!wm_export_write_edge_impulse (store, selected, output, &summary, error))
        return FALSE;
    }
  else
    {
      if (output != NULL)
        {
          if ((file = wm_atomic_file_new (output, error)) == NULL)
            return FALSE;
          out = wm_atomic_file_stream (file);
        }
      if (format == WM_EXPORT_FORMAT_CSV)
        write_csv (out, selected);
      else if (format == WM_EXPORT_FORMAT_LABELSTUDIO)
        {
          if (!wm_export_write_labelstudio (store, selected, selection, out, output, &summary, error))
            return FALSE;
        }
      else if (!write_json (out, store, selected, error))
        return FALSE;
      if (file != NULL)
        {
          if (!wm_atomic_file_commit (g_steal_pointer (&file), error))
            return FALSE;
          summary.n_files++;
        }
      else
        fflush (out);
    }

  if (out_summary != NULL)
    *out_summary = summary;
  return TRUE;
}
