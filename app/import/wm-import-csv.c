/* wm-import-csv.c — sensor CSV files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A streaming parser: the file is read in chunks (hashed as they arrive),
 * split into lines and cells in place, and frames go to the store in small
 * batches.  Only the first rows are held back, to infer the sample rate from
 * the median interval of their timestamps.
 */

#define G_LOG_DOMAIN "waymark-import"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "wm-csv-reader.h"
#include "wm-import-private.h"

#define READ_CHUNK     (64 * 1024)
#define PROBE_ROWS     1000
#define BATCH_FRAMES   4096
#define CANCEL_EVERY   4096
/* Numeric timestamps at or after 2001-09-09 are taken as Unix time. */
#define UNIX_TIME_MIN  1e9

typedef enum {
  TIME_NONE,
  TIME_SECONDS,
  TIME_MILLISECONDS,
  TIME_MICROSECONDS,
  TIME_ISO8601,
} TimeFormat;

typedef struct {
  int          fd;
  struct sha256_ctx sha;
  guchar      *chunk;
  gsize        chunk_len;
  gsize        chunk_pos;
  gboolean     eof;
  guint64      bytes_read;
  GString     *line;
  guint        line_no;
} LineReader;

typedef struct {
  WmImportJob        *job;
  LineReader          reader;
  char                delimiter;
  GPtrArray          *cells;        /* of char *, pointing into reader.line */
  guint               n_columns;
  int                 time_column;  /* -1 when none */
  char               *time_name;
  TimeFormat          time_format;
  char              **names;        /* of the channels */
  char              **units;
  guint               n_channels;

  /* Times are seconds since the first row; origin_us is the first row's
   * absolute time when the file gives one. */
  gboolean            have_origin;
  gboolean            has_absolute_time;
  gint64              origin_us;
  double              origin_s;

  double              rate;
  double              period;
  double              previous_time;
  guint               previous_line;
  gboolean            have_previous;

  guint               segment;
  WmRecordingWriter  *writer;
  float              *batch;
  gsize               batch_frames;
  guint64             rows;
} CsvImport;

/* ---- Lines and cells --------------------------------------------------- */

static gboolean
line_reader_fill (LineReader  *reader,
                  const char  *path,
                  GError     **error)
{
  gssize n;

  do
    n = read (reader->fd, reader->chunk, READ_CHUNK);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int saved_errno = errno;

      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                   _("%s: read error: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (n == 0)
    reader->eof = TRUE;
  else
    sha256_update (&reader->sha, n, reader->chunk);

  reader->chunk_len = n;
  reader->chunk_pos = 0;
  reader->bytes_read += n;
  return TRUE;
}

/* The next line without its end of line in reader->line; FALSE with no
 * error at the end of the file. */
static gboolean
line_reader_next (LineReader  *reader,
                  const char  *path,
                  GError     **error)
{
  gboolean have_bytes = FALSE;

  g_string_truncate (reader->line, 0);

  for (;;)
    {
      const guchar *start;
      const guchar *newline;
      gsize available;

      if (reader->chunk_pos == reader->chunk_len)
        {
          if (reader->eof || !line_reader_fill (reader, path, error))
            return FALSE;
          if (reader->eof)
            {
              if (!have_bytes)
                return FALSE;
              break;
            }
        }

      start = reader->chunk + reader->chunk_pos;
      available = reader->chunk_len - reader->chunk_pos;
      newline = memchr (start, '\n', available);
      have_bytes = TRUE;

      if (newline != NULL)
        {
          g_string_append_len (reader->line, (const char *) start, newline - start);
          reader->chunk_pos += newline - start + 1;
          break;
        }

      g_string_append_len (reader->line, (const char *) start, available);
      reader->chunk_pos = reader->chunk_len;
    }

  reader->line_no++;
  if (reader->line->len > 0 && reader->line->str[reader->line->len - 1] == '\r')
    g_string_truncate (reader->line, reader->line->len - 1);
  return TRUE;
}

static gboolean
line_is_blank (const char *line)
{
  for (; *line != '\0'; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

/* Splits the current line in place into csv->cells, trimmed, quotes
 * removed ("" inside quotes is one quote). */
static gboolean
split_cells (CsvImport  *csv,
             GError    **error)
{
  const WmCsvDialect dialect = { csv->delimiter, TRUE };
  WmCsvCursor cursor = { csv->reader.line->str, csv->reader.line_no };

  g_ptr_array_set_size (csv->cells, 0);
  switch (wm_csv_read_record (&dialect, &cursor, csv->cells))
    {
    case WM_CSV_OK:
      return TRUE;
    case WM_CSV_UNCLOSED_QUOTE:
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:%u: unterminated quoted cell"),
                   csv->job->path, csv->reader.line_no, csv->cells->len + 1);
      return FALSE;
    case WM_CSV_TEXT_AFTER_QUOTE:
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:%u: text after a quoted cell"),
                   csv->job->path, csv->reader.line_no, csv->cells->len + 1);
      return FALSE;
    }
  g_return_val_if_reached (FALSE);
}

static const char *
cell (CsvImport *csv,
      guint      column)
{
  return g_ptr_array_index (csv->cells, column);
}

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;

  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && isfinite (*out);
}

/* ---- Header ------------------------------------------------------------ */

/* "acc_x [m/s2]" and "acc_x (m/s2)" give name acc_x and unit m/s2. */
static void
split_name_and_unit (const char  *header,
                     char       **out_name,
                     char       **out_unit)
{
  gsize len = strlen (header);
  char close = len > 0 ? header[len - 1] : '\0';
  const char *open = NULL;

  if (close == ']')
    open = strrchr (header, '[');
  else if (close == ')')
    open = strrchr (header, '(');

  if (open != NULL && open > header)
    {
      *out_name = g_strstrip (g_strndup (header, open - header));
      *out_unit = g_strstrip (g_strndup (open + 1, header + len - 1 - (open + 1)));
    }
  else
    {
      *out_name = g_strdup (header);
      *out_unit = g_strdup ("");
    }
}

/* Whether a column holds time, and in which unit. */
static TimeFormat
time_format_for (const char *name,
                 const char *unit)
{
  static const char *const time_names[] = {
    "time", "timestamp", "t", "ts", "datetime", "date_time", "elapsed", "seconds", NULL,
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_autofree char *unit_lower = g_ascii_strdown (unit, -1);
  TimeFormat from_suffix = TIME_SECONDS;
  gsize len = strlen (lower);

  if (len > 3 && g_str_has_suffix (lower, "_ms"))
    {
      from_suffix = TIME_MILLISECONDS;
      lower[len - 3] = '\0';
    }
  else if (len > 3 && g_str_has_suffix (lower, "_us"))
    {
      from_suffix = TIME_MICROSECONDS;
      lower[len - 3] = '\0';
    }
  else if (len > 2 && g_str_has_suffix (lower, "_s"))
    lower[len - 2] = '\0';

  if (!g_strv_contains (time_names, lower))
    return TIME_NONE;

  if (g_str_equal (unit_lower, "ms"))
    return TIME_MILLISECONDS;
  if (g_str_equal (unit_lower, "us") || g_str_equal (unit_lower, "µs"))
    return TIME_MICROSECONDS;
  if (unit_lower[0] == '\0' || g_str_equal (unit_lower, "s") || g_str_equal (unit_lower, "sec"))
    return from_suffix;
  return TIME_NONE;
}

static gboolean
parse_header (CsvImport  *csv,
              GError    **error)
{
  const char *path = csv->job->path;
  guint numeric = 0;
  guint channel = 0;

  /* A byte-order mark is not part of the first name. */
  if (g_str_has_prefix (csv->reader.line->str, "\xef\xbb\xbf"))
    g_string_erase (csv->reader.line, 0, 3);

  csv->delimiter = wm_csv_detect_delimiter (csv->reader.line->str);
  if (!split_cells (csv, error))
    return FALSE;

  csv->n_columns = csv->cells->len;
  csv->time_column = -1;

  for (guint i = 0; i < csv->n_columns; i++)
    {
      double unused;

      if (parse_number (cell (csv, i), &unused))
        numeric++;
    }
  if (numeric == csv->n_columns)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:1: no header row: the first line must name the columns "
                     "(e.g. “time,acc_x [m/s2]”), not hold numbers"),
                   path, csv->reader.line_no);
      return FALSE;
    }

  csv->names = g_new0 (char *, csv->n_columns + 1);
  csv->units = g_new0 (char *, csv->n_columns + 1);

  for (guint i = 0; i < csv->n_columns; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *unit = NULL;
      TimeFormat format;

      split_name_and_unit (cell (csv, i), &name, &unit);
      if (name[0] == '\0')
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       _("%s:%u:%u: empty column name"), path, csv->reader.line_no, i + 1);
          return FALSE;
        }

      format = time_format_for (name, unit);
      if (format != TIME_NONE && csv->time_column < 0)
        {
          csv->time_column = i;
          csv->time_format = format;
          csv->time_name = g_steal_pointer (&name);
          continue;
        }

      csv->names[channel] = g_steal_pointer (&name);
      csv->units[channel] = g_steal_pointer (&unit);
      channel++;
    }
  csv->n_channels = channel;

  if (csv->n_channels == 0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:1: no data columns, only time"), path, csv->reader.line_no);
      return FALSE;
    }

  if (csv->time_column >= 0 && csv->job->options->rate != 0.0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                   _("%s: has a time column (“%s”); the sample rate comes from it and "
                     "cannot be given"), path, cell (csv, csv->time_column));
      return FALSE;
    }

  if (csv->time_column < 0 && csv->job->options->rate == 0.0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                   _("%s: no time column (time, timestamp, t, time_ms …); give the sample "
                     "rate"), path);
      return FALSE;
    }

  return TRUE;
}

/* ---- Rows -------------------------------------------------------------- */

static gboolean
parse_time (CsvImport  *csv,
            double     *out_seconds,
            GError    **error)
{
  const char *text = cell (csv, csv->time_column);
  double value;

  if (csv->time_format == TIME_SECONDS && !csv->have_origin
      && !parse_number (text, &value) && text[0] != '\0')
    csv->time_format = TIME_ISO8601;

  if (csv->time_format == TIME_ISO8601)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) datetime = NULL;
      g_autofree char *normalised = g_strdup (text);
      gint64 us;

      /* "2024-05-01 12:00:00" is as common as the 'T' form. */
      if (strlen (normalised) > 10 && normalised[10] == ' ')
        normalised[10] = 'T';
      datetime = g_date_time_new_from_iso8601 (normalised, utc);
      if (datetime == NULL)
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       _("%s:%u:%d: '%s' is not an ISO-8601 time (column “%s”)"),
                       csv->job->path, csv->reader.line_no, csv->time_column + 1, text,
                       csv->time_name);
          return FALSE;
        }

      us = g_date_time_to_unix (datetime) * G_USEC_PER_SEC + g_date_time_get_microsecond (datetime);
      if (!csv->have_origin)
        {
          csv->have_origin = TRUE;
          csv->has_absolute_time = TRUE;
          csv->origin_us = us;
        }
      *out_seconds = (double) (us - csv->origin_us) / G_USEC_PER_SEC;
      return TRUE;
    }

  if (!parse_number (text, &value))
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:%d: '%s' is not a time (column “%s”)"),
                   csv->job->path, csv->reader.line_no, csv->time_column + 1, text,
                   csv->time_name);
      return FALSE;
    }

  if (csv->time_format == TIME_MILLISECONDS)
    value /= 1e3;
  else if (csv->time_format == TIME_MICROSECONDS)
    value /= 1e6;

  if (!csv->have_origin)
    {
      csv->have_origin = TRUE;
      csv->origin_s = value;
      csv->has_absolute_time = value >= UNIX_TIME_MIN;
      csv->origin_us = (gint64) llround (value * G_USEC_PER_SEC);
    }
  *out_seconds = value - csv->origin_s;
  return TRUE;
}

/* Parses the current line into time and channel values. */
static gboolean
parse_row (CsvImport  *csv,
           double     *out_time,
           float      *out_values,
           GError    **error)
{
  const char *path = csv->job->path;
  guint channel = 0;

  if (!split_cells (csv, error))
    return FALSE;

  if (csv->cells->len != csv->n_columns)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u:%u: expected %u columns as in the header, found %u"),
                   path, csv->reader.line_no, MIN (csv->cells->len, csv->n_columns) + 1,
                   csv->n_columns, csv->cells->len);
      return FALSE;
    }

  for (guint i = 0; i < csv->n_columns; i++)
    {
      const char *text = cell (csv, i);
      double value;

      if ((int) i == csv->time_column)
        {
          if (!parse_time (csv, out_time, error))
            return FALSE;
          continue;
        }

      if (!parse_number (text, &value))
        {
          if (text[0] == '\0')
            g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                         _("%s:%u:%u: empty cell (column “%s”)"),
                         path, csv->reader.line_no, i + 1, csv->names[channel]);
          else
            g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                         _("%s:%u:%u: '%s' is not a number (column “%s”)"),
                         path, csv->reader.line_no, i + 1, text, csv->names[channel]);
          return FALSE;
        }

      out_values[channel++] = value;
    }

  return TRUE;
}

/* ---- Recordings -------------------------------------------------------- */

static gboolean
flush_batch (CsvImport  *csv,
             GError    **error)
{
  if (csv->batch_frames == 0)
    return TRUE;

  if (!wm_recording_writer_append (csv->writer, csv->batch, csv->batch_frames, error))
    {
      wm_import_job_prefix_error (csv->job, error);
      return FALSE;
    }

  csv->batch_frames = 0;
  return TRUE;
}

static gboolean
begin_segment (CsvImport  *csv,
               double      first_time,
               GError    **error)
{
  g_autoptr(WmRecording) recording = wm_import_job_new_recording (csv->job, ++csv->segment);

  recording->sample_rate = csv->rate;
  recording->n_channels = csv->n_channels;
  recording->channel_names = g_strdupv (csv->names);
  recording->channel_units = g_strdupv (csv->units);
  recording->has_start_time = csv->has_absolute_time;
  if (csv->has_absolute_time)
    recording->start_time_us = csv->origin_us + (gint64) llround (first_time * G_USEC_PER_SEC);
  if (recording->kind == 0)
    recording->kind = WM_RECORDING_KIND_SENSOR;
  recording->sample_format = WM_SAMPLE_FORMAT_FLOAT32;

  csv->writer = wm_store_begin_recording (csv->job->store, recording, error);
  if (csv->writer == NULL)
    {
      wm_import_job_prefix_error (csv->job, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
end_segment (CsvImport  *csv,
             GError    **error)
{
  gint64 recording_id;

  if (!flush_batch (csv, error))
    return FALSE;

  recording_id = wm_recording_writer_commit (g_steal_pointer (&csv->writer), error);
  if (recording_id == 0)
    {
      wm_import_job_prefix_error (csv->job, error);
      return FALSE;
    }

  g_array_append_val (csv->job->recording_ids, recording_id);
  return TRUE;
}

/* Checks the row's time against the previous one, starts a new recording
 * at a gap when asked to, and queues the frame. */
static gboolean
store_row (CsvImport    *csv,
           guint         line_no,
           double        time,
           const float  *values,
           GError      **error)
{
  const char *path = csv->job->path;

  if (csv->time_column >= 0 && csv->have_previous)
    {
      double interval = time - csv->previous_time;

      if (interval < 0)
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSORTED_TIME,
                       _("%s:%u:%d: time goes backwards: %.6g s after %.6g s on line %u"),
                       path, line_no, csv->time_column + 1, time, csv->previous_time,
                       csv->previous_line);
          return FALSE;
        }
      if (interval == 0)
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE_TIME,
                       _("%s:%u:%d: duplicate time %.6g s (also on line %u)"),
                       path, line_no, csv->time_column + 1, time, csv->previous_line);
          return FALSE;
        }
      if (interval > csv->job->options->gap_tolerance * csv->period)
        {
          if (csv->job->options->gap_policy == WM_IMPORT_GAP_ERROR)
            {
              g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_GAP,
                           _("%s:%u:%d: gap of %.6g s after %.6g s (one frame every %.6g s "
                             "expected)"),
                           path, line_no, csv->time_column + 1, interval,
                           csv->previous_time, csv->period);
              return FALSE;
            }
          if (!end_segment (csv, error))
            return FALSE;
        }
    }

  if (csv->writer == NULL && !begin_segment (csv, time, error))
    return FALSE;

  memcpy (csv->batch + csv->batch_frames * csv->n_channels, values,
          csv->n_channels * sizeof (float));
  csv->batch_frames++;
  if (csv->batch_frames == BATCH_FRAMES && !flush_batch (csv, error))
    return FALSE;

  csv->previous_time = time;
  csv->previous_line = line_no;
  csv->have_previous = TRUE;
  csv->rows++;

  if (csv->rows % CANCEL_EVERY == 0)
    {
      wm_import_job_progress (csv->job, csv->reader.bytes_read);
      return wm_import_job_check_cancel (csv->job, error);
    }

  return TRUE;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median interval of the first rows; a rate within 0.5 % of a whole
 * number of Hz is taken as that number (timestamps jitter). */
static gboolean
infer_rate (CsvImport     *csv,
            const double  *times,
            const guint   *lines,
            guint          n_rows,
            GError       **error)
{
  g_autofree double *intervals = NULL;
  guint n_intervals = 0;
  double median;
  double rate;

  if (n_rows < 2)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                   _("%s:%u: only one row: the sample rate cannot be inferred from its time"),
                   csv->job->path, lines[0]);
      return FALSE;
    }

  intervals = g_new (double, n_rows - 1);
  for (guint i = 1; i < n_rows; i++)
    if (times[i] > times[i - 1])
      intervals[n_intervals++] = times[i] - times[i - 1];

  /* Unsorted or duplicate times are reported by store_row with their line. */
  if (n_intervals == 0)
    {
      csv->period = 1.0;
      csv->rate = 1.0;
      return TRUE;
    }

  qsort (intervals, n_intervals, sizeof (double), compare_doubles);
  median = n_intervals % 2 == 1
         ? intervals[n_intervals / 2]
         : (intervals[n_intervals / 2 - 1] + intervals[n_intervals / 2]) / 2;

  rate = 1.0 / median;
  if (rate >= 1.0 && fabs (rate - round (rate)) < 0.005 * rate)
    rate = round (rate);

  csv->rate = rate;
  csv->period = 1.0 / rate;
  return TRUE;
}

static gboolean
import_rows (CsvImport  *csv,
             GError    **error)
{
  g_autofree double *probe_times = g_new (double, PROBE_ROWS);
  g_autofree guint *probe_lines = g_new (guint, PROBE_ROWS);
  g_autofree float *probe_values = g_new (float, (gsize) PROBE_ROWS * csv->n_channels);
  g_autofree float *values = g_new (float, csv->n_channels);
  g_autoptr(GError) local_error = NULL;
  guint n_probe = 0;
  gboolean more = TRUE;

  /* The first rows, held back to infer the rate. */
  while (n_probe < PROBE_ROWS)
    {
      more = line_reader_next (&csv->reader, csv->job->path, &local_error);
      if (!more)
        break;
      if (line_is_blank (csv->reader.line->str))
        continue;

      probe_times[n_probe] = 0.0;
      if (!parse_row (csv, &probe_times[n_probe],
                      probe_values + (gsize) n_probe * csv->n_channels, error))
        return FALSE;
      probe_lines[n_probe++] = csv->reader.line_no;
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (n_probe == 0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY,
                   _("%s: a header but no data rows"), csv->job->path);
      return FALSE;
    }

  if (csv->time_column >= 0)
    {
      if (!infer_rate (csv, probe_times, probe_lines, n_probe, error))
        return FALSE;
    }
  else
    {
      csv->rate = csv->job->options->rate;
      csv->period = 1.0 / csv->rate;
    }

  for (guint i = 0; i < n_probe; i++)
    if (!store_row (csv, probe_lines[i], probe_times[i],
                    probe_values + (gsize) i * csv->n_channels, error))
      return FALSE;

  while (more && line_reader_next (&csv->reader, csv->job->path, &local_error))
    {
      double time = 0.0;

      if (line_is_blank (csv->reader.line->str))
        continue;
      if (!parse_row (csv, &time, values, error)
          || !store_row (csv, csv->reader.line_no, time, values, error))
        return FALSE;
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return end_segment (csv, error);
}

gboolean
wm_import_csv (WmImportJob  *job,
               GError      **error)
{
  CsvImport csv = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok = FALSE;

  csv.job = job;
  csv.reader.fd = g_open (job->path, O_RDONLY | O_CLOEXEC, 0);
  if (csv.reader.fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                   _("%s: cannot open: %s"), job->path, g_strerror (saved_errno));
      return FALSE;
    }
  sha256_init (&csv.reader.sha);
  csv.reader.chunk = g_malloc (READ_CHUNK);
  csv.reader.line = g_string_sized_new (256);
  csv.cells = g_ptr_array_new ();

  /* The header is the first line that is neither blank nor a comment. */
  for (;;)
    {
      if (!line_reader_next (&csv.reader, job->path, &local_error))
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY,
                         _("%s: no header and no data, only blank lines"), job->path);
          goto out;
        }
      if (!line_is_blank (csv.reader.line->str) && csv.reader.line->str[0] != '#')
        break;
    }

  if (!parse_header (&csv, error))
    goto out;

  csv.batch = g_new (float, (gsize) BATCH_FRAMES * csv.n_channels);
  if (!import_rows (&csv, error))
    goto out;

  job->sha256 = wm_import_sha256_hex (&csv.reader.sha);
  ok = TRUE;

out:
  g_clear_pointer (&csv.writer, wm_recording_writer_abort);
  g_free (csv.time_name);
  g_strfreev (csv.names);
  g_strfreev (csv.units);
  g_free (csv.batch);
  g_ptr_array_unref (csv.cells);
  g_string_free (csv.reader.line, TRUE);
  g_free (csv.reader.chunk);
  g_close (csv.reader.fd, NULL);

  return ok;
}
