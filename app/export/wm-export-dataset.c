/* wm-export-dataset.c — windows ready to train on: X.npy and y.npy per split, index, manifest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Positive windows step through each selected label; rejected review items
 * give windows of class "background" (the model was wrong there); other
 * background windows are drawn from stretches no label covers.  Recordings,
 * not windows, are split into train, validation and test, so no recording
 * feeds two splits; each split is a directory with its X.npy and y.npy (the
 * layout wmm-train reads), and index.csv names every row of every split.
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "wm-export-private.h"
#include "wm-hashed-file.h"
#include "wm-npy.h"

#define BACKGROUND "background"
#define CHUNK_BYTES (1 << 20)

static const char * const split_names[] = { "train", "validation", "test" };

typedef struct {
  gint64        start;
  const char   *source;    /* human, model, review, review-negative, background */
  guint         recording; /* index into the selected recordings */
  gint32        klass;     /* index into the dataset's classes; 0 = background */
  guint         split;
} Window;

/* The stretches [start, end) of a recording that no label touches, as pairs
 * of gint64, from its label spans ordered by start; a point event occupies
 * its frame. */
static GArray *
free_stretches (GArray *spans,
                gint64  n_frames)
{
  GArray *free = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 cursor = 0;

  for (guint i = 0; i + 1 < spans->len; i += 2)
    {
      gint64 s = g_array_index (spans, gint64, i);
      gint64 e = MAX (g_array_index (spans, gint64, i + 1), s + 1);

      if (s > cursor)
        {
          g_array_append_val (free, cursor);
          g_array_append_val (free, s);
        }
      cursor = MAX (cursor, e);
    }
  if (cursor < n_frames)
    {
      g_array_append_val (free, cursor);
      g_array_append_val (free, n_frames);
    }
  return free;
}

/* Up to @wanted distinct window starts drawn uniformly from all the starts
 * whose window lies inside a free stretch. */
static void
draw_background (GArray  *free,
                 gint64   window,
                 guint    wanted,
                 GRand   *rand,
                 GArray  *out_starts)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 total = 0;

  for (guint i = 0; i < free->len; i += 2)
    total += MAX (0, g_array_index (free, gint64, i + 1) - g_array_index (free, gint64, i) - window + 1);
  if ((gint64) wanted > total)
    wanted = (guint) total;

  g_array_set_size (drawn, wanted);
  for (guint got = 0; got < wanted;)
    {
      gint64 k = (gint64) (g_rand_double (rand) * (double) total);

      for (guint i = 0; i < free->len; i += 2)
        {
          gint64 n = MAX (0, g_array_index (free, gint64, i + 1) - g_array_index (free, gint64, i) - window + 1);
          if (k < n)
            {
              gint64 *start = &g_array_index (drawn, gint64, got);
              *start = g_array_index (free, gint64, i) + k;
              if (!g_hash_table_contains (taken, start))
                {
                  g_hash_table_add (taken, start);
                  got++;
                }
              break;
            }
          k -= n;
        }
    }
  g_array_append_vals (out_starts, drawn->data, drawn->len);
}

static gint64
clamp_window (gint64 start,
              gint64 window,
              gint64 n_frames)
{
  return CLAMP (start, 0, n_frames - window);
}

static gint32
class_index (GPtrArray  *classes,
             const char *name)
{
  for (guint i = 0; i < classes->len; i++)
    if (g_str_equal (classes->pdata[i], name))
      return (gint32) i;
  g_ptr_array_add (classes, g_strdup (name));
  return (gint32) classes->len - 1;
}

/* Splits the recordings by seed: each gets a split, train first. */
static void
assign_splits (guint        n_recordings,
               const double fractions[3],
               guint32      seed,
               guint       *out_split)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint *order = g_new (guint, n_recordings);
  guint n_validation, n_test;

  for (guint i = 0; i < n_recordings; i++)
    order[i] = i;
  for (guint i = n_recordings; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, (gint32) i);
      guint t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
  n_validation = (guint) (fractions[1] * n_recordings + 0.5);
  n_test = (guint) (fractions[2] * n_recordings + 0.5);
  /* Training needs a recording; so does a split asked for, when there are enough. */
  if (fractions[1] > 0 && n_validation == 0 && n_recordings >= 3)
    n_validation = 1;
  if (fractions[2] > 0 && n_test == 0 && n_recordings >= 3)
    n_test = 1;
  while (n_validation + n_test >= n_recordings && n_recordings > 0)
    {
      if (n_test >= n_validation && n_test > 0)
        n_test--;
      else
        n_validation--;
    }
  for (guint i = 0; i < n_recordings; i++)
    out_split[order[i]] = i < n_recordings - n_validation - n_test ? 0 : i < n_recordings - n_test ? 1 : 2;
}

static int
compare_windows (gconstpointer a,
                 gconstpointer b)
{
  const Window *wa = a, *wb = b;

  if (wa->split != wb->split)
    return wa->split < wb->split ? -1 : 1;
  if (wa->recording != wb->recording)
    return wa->recording < wb->recording ? -1 : 1;
  return wa->start < wb->start ? -1 : wa->start > wb->start ? 1 : 0;
}

static void
add_string_array (JsonBuilder *b,
                  const char  *member,
                  char       **strings,
                  guint        n)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value (b, strings[i] != NULL ? strings[i] : "");
  json_builder_end_array (b);
}

/* @value in decimal at @p; returns the end.  The index has a row per
 * window: printf's set-up per number cost more than the rest of the row. */
static char *
append_int64 (char   *p,
              gint64  value)
{
  char digits[20];
  guint64 v = value < 0 ? -(guint64) value : (guint64) value;
  guint n = 0;

  if (value < 0)
    *p++ = '-';
  do
    digits[n++] = (char) ('0' + v % 10);
  while ((v /= 10) > 0);
  while (n > 0)
    *p++ = digits[--n];
  return p;
}

/* A dataset reads every sample block once.  Through the project's page
 * cache (16 MiB) the scan would only push out pages worth keeping and, in a
 * fresh process, fill that much new memory, whose first touch costs about
 * as much as the reads.  So the scan runs with a small cache, and the
 * project's setting comes back when the export ends. */
typedef struct {
  WmStore *store;
  gint64   previous; /* PRAGMA cache_size before the scan */
} ScanCache;

static ScanCache
scan_cache_begin (WmStore *store)
{
  sqlite3 *db = wm_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  ScanCache cache = { NULL, 0 };

  if (sqlite3_prepare_v2 (db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    cache.previous = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (cache.previous != 0 && sqlite3_exec (db, "PRAGMA cache_size = -1024", NULL, NULL, NULL) == SQLITE_OK)
    cache.store = store;
  return cache;
}

static void
scan_cache_end (ScanCache *cache)
{
  g_autofree char *sql = NULL;

  if (cache->store == NULL)
    return;
  sql = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache->previous);
  sqlite3_exec (wm_store_get_db (cache->store), sql, NULL, NULL, NULL);
  cache->store = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScanCache, scan_cache_end)

/* A model named as the CLI names it, NAME[@VERSION] (autolabel's labels
 * carry "name@version" as their model version). */
static WmStoredModel *
find_model (WmStore     *store,
            const char  *spec,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, "@", 2);

  return wm_store_find_model (store, parts[0], parts[1], NULL, error);
}

static void
add_context_string (JsonBuilder *b,
                    JsonObject  *metadata,
                    const char  *member)
{
  const char *value = metadata != NULL ? json_object_get_string_member_with_default (metadata, member, NULL) : NULL;

  json_builder_set_member_name (b, member);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The file keeps them comma-separated; a list here. */
static void
add_device_types (JsonBuilder *b,
                  JsonObject  *metadata)
{
  const char *device_types = metadata != NULL ? json_object_get_string_member_with_default (metadata, "device_types", NULL) : NULL;

  json_builder_set_member_name (b, "device_types");
  json_builder_begin_array (b);
  if (device_types != NULL)
    {
      g_auto(GStrv) types = g_strsplit (device_types, ",", -1);
      for (char **t = types; *t != NULL; t++)
        if (*g_strstrip (*t) != '\0')
          json_builder_add_string_value (b, *t);
    }
  json_builder_end_array (b);
}

/* What the model file says of the data it was made for (its data context:
 * use case, device types, dataset hash), as the project keeps it, and what
 * the model is to this dataset: its front-end shaped the windows, its
 * labels are in it, or both.  A label's model that the project no longer
 * has is named with in_project false. */
static void
add_model_context (JsonBuilder         *b,
                   const WmStoredModel *m,
                   const char          *label_version,
                   gboolean             front_end,
                   gboolean             labels)
{
  g_autoptr(JsonNode) node = m != NULL ? json_from_string (m->metadata, NULL) : NULL;
  JsonObject *metadata = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_auto(GStrv) spec = g_strsplit (label_version != NULL ? label_version : "", "@", 2);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, m != NULL ? m->name : spec[0]);
  json_builder_set_member_name (b, "version");
  if (m != NULL || spec[1] != NULL)
    json_builder_add_string_value (b, m != NULL ? m->version : spec[1]);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "in_project");
  json_builder_add_boolean_value (b, m != NULL);
  json_builder_set_member_name (b, "variant");
  if (m != NULL)
    json_builder_add_string_value (b, m->variant);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sha256");
  if (m != NULL)
    json_builder_add_string_value (b, m->sha256);
  else
    json_builder_add_null_value (b);
  add_context_string (b, metadata, "use_case");
  add_device_types (b, metadata);
  add_context_string (b, metadata, "dataset_hash");
  add_context_string (b, metadata, "created_at");
  json_builder_set_member_name (b, "roles");
  json_builder_begin_array (b);
  if (front_end)
    json_builder_add_string_value (b, "front-end");
  if (labels)
    json_builder_add_string_value (b, "labels");
  json_builder_end_array (b);
  json_builder_end_object (b);
}
/* What one export works on, filled phase by phase. */
typedef struct {
  WmStore                *store;
  const WmDatasetOptions *options;
  gint64                  window;
  gint64                  hop;
  WmStoredModel          *front_end;      /* the model of options->model, or NULL */
  GPtrArray              *selected;       /* of RecordingLabels */
  const WmRecording      *first;          /* its shape is the dataset's */
  guint                   channels;
  GPtrArray              *classes;        /* names; 0 is background */
  guint                  *splits;         /* per selected recording */
  GArray                 *windows;        /* of Window, by split, recording and start */
  guint                   split_counts[3];
  guint                   n_negative;
  GHashTable             *model_versions; /* the labels' model versions, borrowed */
  GHashTable             *digests;        /* file name → SHA-256 */
} Dataset;

static void
dataset_clear (Dataset *d)
{
  g_clear_pointer (&d->front_end, wm_stored_model_free);
  g_clear_pointer (&d->selected, g_ptr_array_unref);
  g_clear_pointer (&d->classes, g_ptr_array_unref);
  g_clear_pointer (&d->splits, g_free);
  g_clear_pointer (&d->windows, g_array_unref);
  g_clear_pointer (&d->model_versions, g_hash_table_unref);
  g_clear_pointer (&d->digests, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Dataset, dataset_clear)

static const WmRecording *
selected_recording (const Dataset *d,
                    guint          i)
{
  return ((RecordingLabels *) d->selected->pdata[i])->recording;
}

/* The selected recordings, which must all have the first one's shape. */
static gboolean
dataset_select (Dataset                 *d,
                const WmExportSelection *selection,
                guint                   *out_n_labels,
                GError                 **error)
{
  if (d->options->model != NULL && (d->front_end = find_model (d->store, d->options->model, error)) == NULL)
    return FALSE;
  d->selected = wm_export_collect (d->store, selection, out_n_labels, error);
  if (d->selected == NULL)
    return FALSE;
  if (d->selected->len == 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID, _("the project has no recordings to export"));
      return FALSE;
    }
  d->first = selected_recording (d, 0);
  d->channels = d->first->n_channels;
  for (guint i = 1; i < d->selected->len; i++)
    {
      const WmRecording *r = selected_recording (d, i);
      if (r->n_channels != d->channels || r->sample_rate != d->first->sample_rate)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                       _("recording “%s” has %u channel(s) at %g Hz and “%s” %u at %g Hz: a dataset needs "
                         "one shape; select recordings with --recording"),
                       d->first->name, d->channels, d->first->sample_rate, r->name, r->n_channels, r->sample_rate);
          return FALSE;
        }
    }
  return TRUE;
}

/* Class indices follow the project's classes, so that they stay the same
 * from one export to the next; 0 is background. */
static gboolean
dataset_classes (Dataset                 *d,
                 const WmExportSelection *selection,
                 GError                 **error)
{
  g_autoptr(GPtrArray) project_classes = wm_store_list_classes (d->store, error);

  d->classes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (d->classes, g_strdup (BACKGROUND));
  if (project_classes == NULL)
    return FALSE;
  for (guint i = 0; i < project_classes->len; i++)
    {
      const WmClass *c = project_classes->pdata[i];
      if (selection->classes == NULL ||
          g_strv_contains ((const char * const *) selection->classes, c->name))
        class_index (d->classes, c->name);
    }
  return TRUE;
}

/* Windows stepping through each label of recording @i (one centred on a
 * label shorter than a window); returns how many. */
static guint
add_label_windows (Dataset *d,
                   guint    i)
{
  RecordingLabels *rl = d->selected->pdata[i];
  const WmRecording *r = rl->recording;
  guint n = 0;

  for (guint j = 0; j < rl->labels->len; j++)
    {
      const WmLabel *l = rl->labels->pdata[j];
      gint32 k = class_index (d->classes, l->class_name);
      gint64 length = l->end_frame - l->start_frame;
      Window w = { 0, wm_label_source_to_string (l->source), i, k, d->splits[i] };

      if (l->source == WM_LABEL_SOURCE_MODEL && l->model_version != NULL)
        g_hash_table_add (d->model_versions, l->model_version);
      if (length <= d->window)
        {
          w.start = clamp_window (l->start_frame + length / 2 - d->window / 2, d->window, r->n_frames);
          g_array_append_val (d->windows, w);
          n++;
          continue;
        }
      for (gint64 s = l->start_frame; s + d->window <= l->end_frame; s += d->hop)
        {
          w.start = s;
          g_array_append_val (d->windows, w);
          n++;
        }
    }
  return n;
}

/* A background window centred on each review item of recording @i that
 * the review rejected: the model was wrong there. */
static void
add_review_negative_windows (Dataset   *d,
                             guint      i,
                             GPtrArray *review_items)
{
  const WmRecording *r = selected_recording (d, i);

  for (guint j = 0; j < review_items->len; j++)
    {
      const WmReviewItem *item = review_items->pdata[j];
      Window w = { 0, "review-negative", i, 0, d->splits[i] };

      if (item->recording_id != r->id || item->state != WM_REVIEW_REJECTED)
        continue;
      w.start = clamp_window ((item->start_frame + item->end_frame) / 2 - d->window / 2, d->window, r->n_frames);
      g_array_append_val (d->windows, w);
      d->n_negative++;
    }
}

/* Background of recording @i from what no label covers, whatever its
 * source or class. */
static gboolean
add_background_windows (Dataset  *d,
                        guint     i,
                        guint     n_positive,
                        GRand    *rand,
                        GError  **error)
{
  const WmRecording *r = selected_recording (d, i);
  g_autoptr(GArray) spans = wm_store_list_label_spans (d->store, r->id, 0, error);
  g_autoptr(GArray) free = NULL;
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (spans == NULL)
    return FALSE;
  free = free_stretches (spans, r->n_frames);
  draw_background (free, d->window, (guint) (d->options->background_ratio * n_positive + 0.5), rand, starts);
  for (guint j = 0; j < starts->len; j++)
    {
      Window w = { g_array_index (starts, gint64, j), BACKGROUND, i, 0, d->splits[i] };
      g_array_append_val (d->windows, w);
    }
  return TRUE;
}

/* Every window of the dataset, sorted by split, recording and start. */
static gboolean
dataset_windows (Dataset  *d,
                 GError  **error)
{
  g_autoptr(GPtrArray) review_items = NULL;
  g_autoptr(GRand) rand = NULL;

  d->splits = g_new0 (guint, d->selected->len);
  assign_splits (d->selected->len, d->options->split, d->options->seed, d->splits);
  review_items = wm_store_list_review_items (d->store, 0, FALSE, 0, error);
  if (review_items == NULL)
    return FALSE;
  rand = g_rand_new_with_seed (d->options->seed);
  d->windows = g_array_new (FALSE, FALSE, sizeof (Window));
  d->model_versions = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < d->selected->len; i++)
    {
      guint n_positive;

      if (selected_recording (d, i)->n_frames < d->window)
        continue;
      n_positive = add_label_windows (d, i);
      if (d->options->review_negatives)
        add_review_negative_windows (d, i, review_items);
      if (!add_background_windows (d, i, n_positive, rand, error))
        return FALSE;
    }
  g_array_sort (d->windows, compare_windows);
  for (guint i = 0; i < d->windows->len; i++)
    d->split_counts[g_array_index (d->windows, Window, i).split]++;
  return TRUE;
}

static void
write_npy_header (WmHashedFile  *file,
                  const char    *descr,
                  const guint64 *shape,
                  guint          n_dims)
{
  g_autoptr(GBytes) header = wm_npy_header (descr, shape, n_dims);
  gsize len;
  const void *bytes = g_bytes_get_data (header, &len);

  wm_hashed_file_write (file, bytes, len);
}

/* Reads runs of frames for the windows, which come sorted by recording and
 * start: a long run read once and cut into windows, rather than a query
 * per window. */
typedef struct {
  WmStore *store;
  guint    channels;
  gint64   capacity; /* frames */
  guint    recording; /* index into the selected recordings; G_MAXUINT: none */
  gint64   first;
  gint64   length;
  void    *frames;
} FrameRun;

static void
frame_run_init (FrameRun *run,
                WmStore  *store,
                guint     channels,
                gint64    window)
{
  run->store = store;
  run->channels = channels;
  run->capacity = MAX (window, (gint64) (CHUNK_BYTES / (channels * sizeof (float))));
  run->recording = G_MAXUINT;
  run->first = 0;
  run->length = 0;
  run->frames = g_malloc (run->capacity * channels * sizeof (float));
}

static void
frame_run_clear (FrameRun *run)
{
  g_clear_pointer (&run->frames, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FrameRun, frame_run_clear)

/* The samples of window @w, of recording @r, in @run's sample format. */
static const void *
frame_run_window (FrameRun           *run,
                  const Window       *w,
                  const WmRecording  *r,
                  gint64              window,
                  GError            **error)
{
  gsize offset;

  if (w->recording != run->recording || w->start < run->first || w->start + window > run->first + run->length)
    {
      run->recording = w->recording;
      run->first = w->start;
      run->length = MIN (run->capacity, r->n_frames - w->start);
      if (!wm_store_read_frames_raw (run->store, r->id, run->first, run->length, run->frames, error))
        return NULL;
    }
  offset = (gsize) (w->start - run->first) * run->channels;
  if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
    return (const gint16 *) run->frames + offset;
  return (const float *) run->frames + offset;
}

/* The row "split,row,recording,recording_id,start_frame,class,source\n" of
 * index.csv for @w. */
static void
write_index_row (Dataset      *d,
                 WmHashedFile *index,
                 guint         split,
                 guint         row_in_split,
                 const Window *w,
                 const char   *recording_field)
{
  const WmRecording *r = selected_recording (d, w->recording);
  const char *klass = d->classes->pdata[w->klass];
  char row[64];
  char *end;

  end = row + strlen (split_names[split]);
  memcpy (row, split_names[split], end - row);
  *end++ = ',';
  end = append_int64 (end, row_in_split);
  *end++ = ',';
  wm_hashed_file_write (index, row, end - row);
  wm_hashed_file_write (index, recording_field, strlen (recording_field));
  end = row;
  *end++ = ',';
  end = append_int64 (end, r->id);
  *end++ = ',';
  end = append_int64 (end, w->start);
  *end++ = ',';
  wm_hashed_file_write (index, row, end - row);
  wm_hashed_file_write (index, klass, strlen (klass));
  wm_hashed_file_write (index, ",", 1);
  wm_hashed_file_write (index, w->source, strlen (w->source));
  wm_hashed_file_write (index, "\n", 1);
}

/* Window @w as a row of X: float32, little-endian, straight into the
 * file's buffer unless a window is larger than one. */
static gboolean
write_x_row (Dataset       *d,
             WmHashedFile  *x,
             FrameRun      *run,
             float         *spare,
             const Window  *w,
             GError       **error)
{
  const WmRecording *r = selected_recording (d, w->recording);
  gsize n = d->window * d->channels;
  const void *samples = frame_run_window (run, w, r, d->window, error);
  float *row;

  if (samples == NULL)
    return FALSE;
  row = wm_hashed_file_reserve (x, n * sizeof (float));
  if (row == NULL)
    row = spare;
  if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
    wm_npy_float_from_int16 (samples, row, n);
  else
    memcpy (row, samples, n * sizeof (float));
  wm_npy_float_to_le (row, n);
  if (row == spare)
    wm_hashed_file_write (x, spare, n * sizeof (float));
  return TRUE;
}

static void
keep_digest (Dataset      *d,
             WmHashedFile *file)
{
  g_hash_table_insert (d->digests, g_strdup (wm_hashed_file_get_name (file)),
                       g_strdup (wm_hashed_file_get_digest (file)));
}

/* SPLIT/X.npy and SPLIT/y.npy, and the split's rows of index.csv; @next
 * is the index of the split's first window and moves past its last. */
static gboolean
write_split (Dataset       *d,
             const char    *output,
             guint          split,
             WmHasher      *hasher,
             WmHashedFile  *index,
             FrameRun      *run,
             GPtrArray     *recording_fields,
             guint         *next,
             GError       **error)
{
  g_autofree char *split_dir = g_build_filename (output, split_names[split], NULL);
  g_autofree char *x_name = g_strconcat (split_names[split], "/X.npy", NULL);
  g_autofree char *y_name = g_strconcat (split_names[split], "/y.npy", NULL);
  g_autoptr(WmHashedFile) x = NULL;
  g_autoptr(WmHashedFile) y = NULL;
  g_autofree float *spare = NULL;
  guint64 x_shape[3] = { d->split_counts[split], d->window, d->channels };
  guint64 y_shape[1] = { d->split_counts[split] };

  if (g_mkdir_with_parents (split_dir, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", split_dir, g_strerror (errno));
      return FALSE;
    }
  if ((x = wm_hashed_file_new (hasher, output, x_name, error)) == NULL ||
      (y = wm_hashed_file_new (hasher, output, y_name, error)) == NULL)
    return FALSE;
  write_npy_header (x, "<f4", x_shape, G_N_ELEMENTS (x_shape));
  write_npy_header (y, "<i4", y_shape, G_N_ELEMENTS (y_shape));

  spare = g_new (float, d->window * d->channels);
  for (guint row = 0; row < d->split_counts[split]; row++, (*next)++)
    {
      const Window *w = &g_array_index (d->windows, Window, *next);
      gint32 klass = GINT32_TO_LE (w->klass);

      g_assert (w->split == split);
      if (!write_x_row (d, x, run, spare, w, error))
        return FALSE;
      wm_hashed_file_write (y, &klass, sizeof klass);
      write_index_row (d, index, split, row, w, recording_fields->pdata[w->recording]);
    }
  if (!wm_hashed_file_commit (x, error) || !wm_hashed_file_commit (y, error))
    return FALSE;
  keep_digest (d, x);
  keep_digest (d, y);
  return TRUE;
}

/* index.csv and each split's X.npy and y.npy, their digests kept for the
 * manifest. */
static gboolean
write_data_files (Dataset     *d,
                  const char  *output,
                  GError     **error)
{
  static const char index_header[] = "split,row,recording,recording_id,start_frame,class,source\n";
  g_autoptr(GPtrArray) recording_fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WmHasher) hasher = NULL;
  g_autoptr(WmHashedFile) index = NULL;
  g_auto(ScanCache) scan_cache = { NULL, 0 };
  g_auto(FrameRun) run = { 0 };

  for (guint i = 0; i < d->selected->len; i++)
    g_ptr_array_add (recording_fields, wm_export_csv_field (selected_recording (d, i)->name));
  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", output, g_strerror (errno));
      return FALSE;
    }
  hasher = wm_hasher_new ();
  if ((index = wm_hashed_file_new (hasher, output, "index.csv", error)) == NULL)
    return FALSE;
  wm_hashed_file_write (index, index_header, strlen (index_header));

  scan_cache = scan_cache_begin (d->store);
  frame_run_init (&run, d->store, d->channels, d->window);
  for (guint split = 0, next = 0; split < 3; split++)
    if (!write_split (d, output, split, hasher, index, &run, recording_fields, &next, error))
      return FALSE;
  if (!wm_hashed_file_commit (index, error))
    return FALSE;
  keep_digest (d, index);
  return TRUE;
}

/* The shape and scale of the data, as wmm-train reads them. */
static void
add_manifest_shape (JsonBuilder   *b,
                    const Dataset *d)
{
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "waymark-dataset-1");
  add_string_array (b, "classes", (char **) d->classes->pdata, d->classes->len);
  json_builder_set_member_name (b, "window");
  json_builder_add_int_value (b, d->window);
  json_builder_set_member_name (b, "hop");
  json_builder_add_int_value (b, d->hop);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, d->first->sample_rate);
  add_string_array (b, "channel_names", d->first->channel_names, d->channels);
  add_string_array (b, "channel_units", d->first->channel_units, d->channels);
  json_builder_set_member_name (b, "x");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, "float32");
  json_builder_set_member_name (b, "scale");
  json_builder_add_string_value (b, d->first->sample_format == WM_SAMPLE_FORMAT_INT16 ? "int16 samples / 32768"
                                                                                       : "the recording's units");
  /* What wmm-train and wmm-convert take as --in-scale for this data. */
  if (d->first->sample_format == WM_SAMPLE_FORMAT_INT16)
    {
      json_builder_set_member_name (b, "int16_lsb");
      json_builder_add_double_value (b, 1.0 / 32768.0);
    }
  json_builder_end_object (b);
}

/* Windows per source, and how they were drawn. */
static void
add_manifest_counts (JsonBuilder   *b,
                     const Dataset *d)
{
  static const char * const sources[] = { "human", "model", "review", "review-negative", BACKGROUND };

  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
    {
      guint count = 0;
      for (guint i = 0; i < d->windows->len; i++)
        count += g_str_equal (g_array_index (d->windows, Window, i).source, sources[s]);
      json_builder_set_member_name (b, sources[s]);
      json_builder_add_int_value (b, count);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "review_negatives");
  json_builder_add_int_value (b, d->n_negative);
  json_builder_set_member_name (b, "background_ratio");
  json_builder_add_double_value (b, d->options->background_ratio);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, d->options->seed);
}

/* Each split's shape and recordings. */
static void
add_manifest_splits (JsonBuilder   *b,
                     const Dataset *d)
{
  json_builder_set_member_name (b, "splits");
  json_builder_begin_object (b);
  for (guint s = 0; s < 3; s++)
    {
      json_builder_set_member_name (b, split_names[s]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, d->split_counts[s]);
      json_builder_add_int_value (b, d->window);
      json_builder_add_int_value (b, d->channels);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "recordings");
      json_builder_begin_array (b);
      for (guint i = 0; i < d->selected->len; i++)
        if (d->splits[i] == s)
          json_builder_add_string_value (b, selected_recording (d, i)->name);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

/* The front-end model first, then the models whose labels are in the
 * dataset, by version. */
static void
add_context_models (JsonBuilder   *b,
                    const Dataset *d,
                    GList         *versions)
{
  g_autoptr(GPtrArray) label_models = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_stored_model_free);
  gboolean front_end_has_labels = FALSE;

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (GList *v = versions; v != NULL; v = v->next)
    {
      WmStoredModel *m = find_model (d->store, v->data, NULL);

      if (m != NULL && d->front_end != NULL && m->id == d->front_end->id)
        front_end_has_labels = TRUE;
      g_ptr_array_add (label_models, m);
    }
  if (d->front_end != NULL)
    add_model_context (b, d->front_end, NULL, TRUE, front_end_has_labels);
  for (GList *v = versions; v != NULL; v = v->next)
    {
      WmStoredModel *m = g_ptr_array_steal_index (label_models, 0);

      if (m == NULL || d->front_end == NULL || m->id != d->front_end->id)
        add_model_context (b, m, v->data, FALSE, TRUE);
      g_clear_pointer (&m, wm_stored_model_free);
    }
  json_builder_end_array (b);
}

/* Where the data came from: project, recordings, use case, devices, models. */
static void
add_manifest_data_context (JsonBuilder   *b,
                           const Dataset *d,
                           GList         *versions)
{
  g_autoptr(JsonNode) node = d->front_end != NULL ? json_from_string (d->front_end->metadata, NULL) : NULL;
  JsonObject *metadata = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  json_builder_set_member_name (b, "data_context");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "project");
  json_builder_add_string_value (b, wm_store_get_path (d->store));
  json_builder_set_member_name (b, "recordings");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->selected->len; i++)
    {
      const WmRecording *r = selected_recording (d, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, r->name);
      json_builder_set_member_name (b, "source_sha256");
      json_builder_add_string_value (b, r->source_sha256);
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, r->device_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* The use case and devices the dataset is for: the front-end model's. */
  add_context_string (b, metadata, "use_case");
  add_device_types (b, metadata);
  add_context_models (b, d, versions);
  json_builder_end_object (b);
}

/* The digest of every file above, by name. */
static void
add_manifest_digests (JsonBuilder   *b,
                      const Dataset *d)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (d->digests), (GCompareFunc) g_strcmp0);

  json_builder_set_member_name (b, "sha256");
  json_builder_begin_object (b);
  for (GList *l = names; l != NULL; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_string_value (b, g_hash_table_lookup (d->digests, l->data));
    }
  json_builder_end_object (b);
}

/* manifest.json, written last: it vouches for the files before it. */
static gboolean
write_manifest (const Dataset  *d,
                const char     *output,
                GError        **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) versions = g_list_sort (g_hash_table_get_keys (d->model_versions), (GCompareFunc) g_strcmp0);
  g_autoptr(WmAtomicFile) manifest = NULL;
  g_autofree char *path = g_build_filename (output, "manifest.json", NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  add_manifest_shape (b, d);
  add_manifest_counts (b, d);
  add_manifest_splits (b, d);
  add_manifest_data_context (b, d, versions);
  json_builder_set_member_name (b, "model_versions");
  json_builder_begin_array (b);
  for (GList *v = versions; v != NULL; v = v->next)
    json_builder_add_string_value (b, v->data);
  json_builder_end_array (b);
  add_manifest_digests (b, d);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  if ((manifest = wm_atomic_file_new (path, error)) == NULL)
    return FALSE;
  fputs (text, wm_atomic_file_stream (manifest));
  fputc ('\n', wm_atomic_file_stream (manifest));
  return wm_atomic_file_commit (g_steal_pointer (&manifest), error);
}

gboolean
wm_export_dataset (WmStore                 *store,
                   const WmExportSelection *selection,
                   const WmDatasetOptions  *options,
                   const char              *output,
                   WmExportSummary         *out_summary,
                   GError                 **error)
{
  static const WmExportSelection everything = { 0 };
  g_auto(Dataset) d = { 0 };
  WmExportSummary summary = { 0 };

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (output != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (selection == NULL)
    selection = &everything;
  d.store = store;
  d.options = options;
  d.window = options->window_frames;
  d.hop = options->hop_frames > 0 ? options->hop_frames : d.window;
  d.digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (d.window <= 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID, _("a dataset needs a window of at least one frame"));
      return FALSE;
    }
  if (!dataset_select (&d, selection, &summary.n_labels, error) ||
      !dataset_classes (&d, selection, error) ||
      !dataset_windows (&d, error) ||
      !write_data_files (&d, output, error) ||
      !write_manifest (&d, output, error))
    return FALSE;

  summary.n_recordings = d.selected->len;
  summary.n_windows = d.windows->len;
  summary.n_files = 8;
  if (out_summary != NULL)
    *out_summary = summary;
  return TRUE;
}
