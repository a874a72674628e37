/* wm-autolabel.c — the device's model labels what it is sure of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "wm-autolabel.h"

G_DEFINE_QUARK (wm-autolabel-error-quark, wm_autolabel_error)

/* Windows per stored prediction chunk, and per worker task. */
#define CHUNK_WINDOWS 2048

static const char * const palette[] = {
  "#e01b24", "#33d17a", "#3584e4", "#f6d32d", "#9141ac", "#ff7800", "#986a44", "#1c71d8",
};

double *
wm_autolabel_parse_thresholds (const char   *text,
                               char * const *class_names,
                               GError      **error)
{
  g_autofree double *thresholds = NULL;
  g_auto(GStrv) items = NULL;
  guint n = g_strv_length ((char **) class_names);
  double fallback = WM_AUTOLABEL_DEFAULT_THRESHOLD;
  gboolean *named;

  thresholds = g_new (double, MAX (n, 1));
  named = g_newa (gboolean, MAX (n, 1));
  memset (named, 0, sizeof (gboolean) * MAX (n, 1));
  items = g_strsplit (text != NULL ? text : "", ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *eq = strchr (item, '=');
      const char *number = eq != NULL ? eq + 1 : item;
      char *end = NULL;
      double value;
      guint k;

      if (*item == '\0')
        continue;
      value = g_ascii_strtod (number, &end);
      if (end == number || *end != '\0' || !(value >= 0.0) || !isfinite (value))
        {
          g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                       _("“%s” is not a threshold: give a probability such as 0.9, or CLASS=0.9"), item);
          return NULL;
        }
      if (eq == NULL)
        {
          fallback = value;
          continue;
        }
      *eq = '\0';
      for (k = 0; k < n && !g_str_equal (class_names[k], g_strstrip (item)); k++)
        ;
      if (k == n)
        {
          g_autofree char *known = g_strjoinv (", ", (char **) class_names);
          g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                       _("the model has no class “%s” (its classes: %s)"), item, known);
          return NULL;
        }
      thresholds[k] = value;
      named[k] = TRUE;
    }
  for (guint k = 0; k < n; k++)
    if (!named[k])
      thresholds[k] = fallback;
  return g_steal_pointer (&thresholds);
}

/* ---- deriving labels and review items ------------------------------------ */

typedef struct {
  gint64 start;
  gint64 end;
} Interval;

typedef struct {
  gint64 labels;
  gint64 review_items;
  gint64 windows_above;
} ClassCounts;

/* Labels and review items of one recording from its probabilities.  With
 * @write FALSE nothing is stored and only @counts are filled. */
static gboolean
derive_recording (WmStore      *store,
                  const WmRun  *run,
                  gint64        recording_id,
                  const gint64 *class_ids,   /* per model class; 0 = never */
                  gboolean      write,
                  ClassCounts  *counts,      /* per model class */
                  gint64       *inout_windows,
                  GError      **error)
{
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GArray) covered = g_array_new (FALSE, FALSE, sizeof (Interval));
  g_autoptr(GArray) decided = NULL;
  g_autoptr(GHashTable) decided_set = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree float *probs = NULL;
  g_autofree char *model_version = NULL;
  g_autoptr(GPtrArray) labels = write ? g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free) : NULL;
  g_autoptr(GArray) items = write ? g_array_new (FALSE, TRUE, sizeof (WmReviewItem)) : NULL;
  guint n_classes = wm_run_get_n_classes (run);
  gint64 n_windows = 0;
  gint64 lo = (run->window_frames - run->hop_frames) / 2;
  guint next_cover = 0;
  /* the label region being grown */
  gint64 region_class = -1, region_start = 0, region_end = 0, region_windows = 0;
  double region_sum = 0;

  recording = wm_store_get_recording (store, recording_id, error);
  if (recording == NULL)
    return FALSE;
  probs = wm_store_read_predictions (store, run->id, recording_id, n_classes, &n_windows, error);
  if (probs == NULL)
    return FALSE;
  spans = wm_store_list_label_spans (store, recording_id, WM_LABEL_SOURCE_MODEL, error);
  decided = wm_store_list_decided_windows (store, run->id, recording_id, error);
  if (spans == NULL || decided == NULL)
    return FALSE;
  for (guint i = 0; i + 1 < spans->len; i += 2)
    g_array_append_val (covered, ((Interval) { g_array_index (spans, gint64, i), g_array_index (spans, gint64, i + 1) }));
  for (guint i = 0; i < decided->len; i++)
    g_hash_table_add (decided_set, &g_array_index (decided, gint64, i));
  model_version = g_strdup_printf ("%s@%s", run->model_name, run->model_version);
  if (inout_windows != NULL)
    *inout_windows += n_windows;

#define FLUSH_REGION()                                                               \
  G_STMT_START {                                                                     \
    if (region_class >= 0)                                                           \
      {                                                                              \
        counts[region_class].labels++;                                               \
        if (write)                                                                   \
          {                                                                          \
            WmLabel *l = wm_label_new ();                                            \
            l->recording_id = recording_id;                                          \
            l->start_frame = region_start;                                           \
            l->end_frame = region_end;                                               \
            l->class_id = class_ids[region_class];                                   \
            l->confidence = CLAMP (region_sum / region_windows, 0.0, 1.0);           \
            l->model_version = g_strdup (model_version);                             \
            g_ptr_array_add (labels, l);                                             \
          }                                                                          \
        region_class = -1;                                                           \
      }                                                                              \
  } G_STMT_END

  for (gint64 w = 0; w < n_windows; w++)
    {
      const float *p = probs + w * n_classes;
      gint64 cell_start = MIN (w * run->hop_frames + lo, recording->n_frames);
      gint64 cell_end = MIN (cell_start + run->hop_frames, recording->n_frames);
      gboolean is_covered = FALSE;
      gint64 best = -1;
      double t;

      /* Skip human/review labels that end before this cell; check overlap. */
      while (next_cover < covered->len && g_array_index (covered, Interval, next_cover).end <= cell_start &&
             g_array_index (covered, Interval, next_cover).end > g_array_index (covered, Interval, next_cover).start)
        next_cover++;
      for (guint c = next_cover; c < covered->len; c++)
        {
          const Interval *iv = &g_array_index (covered, Interval, c);
          if (iv->start >= cell_end)
            break;
          if (iv->end > cell_start || (iv->start == iv->end && iv->start >= cell_start))
            {
              is_covered = TRUE;
              break;
            }
        }

      for (guint k = 0; k < n_classes; k++)
        if (class_ids[k] != 0 && !isnan (p[k]) && (best < 0 || p[k] > p[best]))
          best = k;

      if (best < 0 || is_covered || cell_end <= cell_start || g_hash_table_contains (decided_set, &w))
        {
          FLUSH_REGION ();
          continue;
        }

      t = run->thresholds[best];
      if (p[best] >= t)
        {
          counts[best].windows_above++;
          if (region_class != best || region_end != cell_start)
            {
              FLUSH_REGION ();
              region_class = best;
              region_start = cell_start;
              region_sum = 0;
              region_windows = 0;
            }
          region_end = cell_end;
          region_sum += p[best];
          region_windows++;
        }
      else
        FLUSH_REGION ();

      if (p[best] >= t - run->margin && p[best] < t + run->margin)
        {
          counts[best].review_items++;
          if (write)
            {
              WmReviewItem item = { 0 };
              item.run_id = run->id;
              item.recording_id = recording_id;
              item.window_index = w;
              item.start_frame = cell_start;
              item.end_frame = cell_end;
              item.class_id = class_ids[best];
              item.probability = p[best];
              item.threshold = t;
              g_array_append_val (items, item);
            }
        }
    }
  FLUSH_REGION ();
#undef FLUSH_REGION
  /* Only what differs from the stored output is written. */
  return !write || wm_store_sync_model_output (store, run->id, recording_id, labels, items, error);
}

/* Project classes for the model's classes (made when missing, if @create);
 * 0 for the background class and for classes switched off. */
static gint64 *
map_classes (WmStore     *store,
             const WmRun *run,
             gboolean     create,
             GError     **error)
{
  guint n = wm_run_get_n_classes (run);
  g_autofree gint64 *ids = g_new0 (gint64, MAX (n, 1));
  g_autoptr(GPtrArray) existing = wm_store_list_classes (store, error);

  if (existing == NULL)
    return NULL;
  for (guint k = 0; k < n; k++)
    {
      const char *name = run->class_names[k];

      if (g_ascii_strcasecmp (name, WM_AUTOLABEL_BACKGROUND) == 0 || run->thresholds[k] > 1.0)
        continue;
      for (guint i = 0; i < existing->len && ids[k] == 0; i++)
        if (g_str_equal (((WmClass *) existing->pdata[i])->name, name))
          ids[k] = ((WmClass *) existing->pdata[i])->id;
      if (ids[k] == 0 && create)
        {
          ids[k] = wm_store_add_class (store, name, palette[(existing->len + k) % G_N_ELEMENTS (palette)],
                                       NULL, error);
          if (ids[k] == 0)
            return NULL;
        }
      else if (ids[k] == 0)
        ids[k] = -1 - (gint64) k; /* counts only */
    }
  return g_steal_pointer (&ids);
}

static JsonNode *
summary_new (const WmRun       *run,
             const ClassCounts *counts,
             gint64             n_windows,
             double             seconds,
             gboolean           complete)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 labels = 0, items = 0;
  guint n = wm_run_get_n_classes (run);

  for (guint k = 0; k < n; k++)
    {
      labels += counts[k].labels;
      items += counts[k].review_items;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, run->id);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, run->model_name);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, run->model_version);
  json_builder_set_member_name (b, "variant");
  json_builder_add_string_value (b, run->variant);
  json_builder_set_member_name (b, "margin");
  json_builder_add_double_value (b, run->margin);
  json_builder_set_member_name (b, "windows");
  json_builder_add_int_value (b, n_windows);
  json_builder_set_member_name (b, "labels");
  json_builder_add_int_value (b, labels);
  json_builder_set_member_name (b, "review_items");
  json_builder_add_int_value (b, items);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_object (b);
  for (guint k = 0; k < n; k++)
    {
      if (g_ascii_strcasecmp (run->class_names[k], WM_AUTOLABEL_BACKGROUND) == 0)
        continue;
      json_builder_set_member_name (b, run->class_names[k]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "threshold");
      json_builder_add_double_value (b, run->thresholds[k]);
      json_builder_set_member_name (b, "labels");
      json_builder_add_int_value (b, counts[k].labels);
      json_builder_set_member_name (b, "review_items");
      json_builder_add_int_value (b, counts[k].review_items);
      json_builder_set_member_name (b, "windows_above");
      json_builder_add_int_value (b, counts[k].windows_above);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, seconds);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, complete);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The project classes of a run's model classes, made where missing, in a
 * transaction of their own. */
static gint64 *
prepare_classes (WmStore     *store,
                 const WmRun *run,
                 GError     **error)
{
  g_autofree gint64 *class_ids = NULL;

  if (!wm_store_begin (store, error))
    return NULL;
  class_ids = map_classes (store, run, TRUE, error);
  if (class_ids == NULL)
    {
      wm_store_rollback (store);
      return NULL;
    }
  if (!wm_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&class_ids);
}

/* Derives one recording in one transaction (retiring other versions' model
 * labels first if asked). */
static gboolean
derive_one (WmStore      *store,
            const WmRun  *run,
            const gint64 *class_ids,
            gint64        recording_id,
            gboolean      replace,
            ClassCounts  *counts,
            gint64       *inout_windows,
            GError      **error)
{
  if (!wm_store_begin (store, error))
    return FALSE;
  if ((replace && !wm_store_retire_model_labels (store, run->model_name, run->id, recording_id, error)) ||
      !derive_recording (store, run, recording_id, class_ids, TRUE, counts, inout_windows, error))
    {
      wm_store_rollback (store);
      return FALSE;
    }
  return wm_store_commit (store, error);
}

/* Derives every listed recording of a run in one transaction each. */
static gboolean
derive_all (WmStore     *store,
            const WmRun *run,
            GArray      *recording_ids,
            ClassCounts *counts,
            gint64      *inout_windows,
            GError     **error)
{
  g_autofree gint64 *class_ids = prepare_classes (store, run, error);

  if (class_ids == NULL)
    return FALSE;
  for (guint i = 0; i < recording_ids->len; i++)
    if (!derive_one (store, run, class_ids, g_array_index (recording_ids, gint64, i), FALSE, counts,
                     inout_windows, error))
      return FALSE;
  return TRUE;
}

/* ---- running the model --------------------------------------------------- */

/* A chunk of windows is stored (and resumed) whole; the workers compute it
 * in parts, so that short runs still keep every core busy. */
typedef struct {
  gint64  recording_id;
  gint64  first_window;
  guint   n_windows;
  guint   parts_left;
  float  *probs;      /* filled by the workers */
} Chunk;

typedef struct {
  Chunk  *chunk;
  guint   offset;     /* first window of the part, within the chunk */
  guint   n_windows;
  GError *error;
} Task;

/* Parts no smaller than this: each part sets up a classifier and reads the
 * frames of its first window again. */
#define MIN_PART_WINDOWS 256

typedef struct {
  WmModelFile  *model;
  char         *store_path;
  GCancellable *cancellable;
  GAsyncQueue  *done;
  guint         n_classes;
} Shared;

typedef struct {
  float *probs;
  guint  n_windows;
  guint  filled;
  guint  n_classes;
} Collector;

static void
collect_window (gint64       start_frame,
                gint64       end_frame,
                const float *probabilities,
                guint        n_classes,
                gpointer     user_data)
{
  Collector *c = user_data;

  if (c->filled < c->n_windows)
    memcpy (c->probs + (gsize) c->filled * c->n_classes, probabilities, n_classes * sizeof (float));
  c->filled++;
}

static void
run_task (gpointer data,
          gpointer user_data)
{
  Task *task = data;
  Shared *shared = user_data;
  g_autoptr(WmStore) store = NULL;
  const wm_model_t *m = wm_model_file_get_model (shared->model);
  gint64 hop = wm_model_hop_frames (m), window = wm_model_window_frames (m);
  gint64 first = task->chunk->first_window + task->offset;
  Collector c = { task->chunk->probs + (gsize) task->offset * shared->n_classes, task->n_windows, 0,
                  shared->n_classes };

  store = wm_store_open (shared->store_path, WM_STORE_OPEN_READ_ONLY, &task->error);
  if (store != NULL &&
      wm_model_file_run_recording (shared->model, store, task->chunk->recording_id, first * hop,
                                   (first + task->n_windows - 1) * hop + window,
                                   collect_window, &c, shared->cancellable, &task->error) &&
      c.filled != task->n_windows)
    g_set_error (&task->error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                 "recording %" PRId64 ": %u windows computed, %u expected",
                 task->chunk->recording_id, c.filled, task->n_windows);
  g_async_queue_push (shared->done, task);
}

static void
chunk_free (Chunk *chunk)
{
  g_free (chunk->probs);
  g_free (chunk);
}

static GArray *
target_recordings (WmStore                  *store,
                   const WmAutolabelOptions *options,
                   GError                  **error)
{
  g_autoptr(GPtrArray) all = wm_store_list_recordings (store, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (all == NULL)
    return NULL;
  if (options->recording_ids != NULL)
    {
      for (guint i = 0; i < options->recording_ids->len; i++)
        {
          gint64 id = g_array_index (options->recording_ids, gint64, i);
          g_autoptr(WmRecording) r = wm_store_get_recording (store, id, error);
          if (r == NULL || !wm_model_file_check_recording (options->model, r, error))
            return NULL;
          g_array_append_val (ids, id);
        }
      return g_steal_pointer (&ids);
    }
  for (guint i = 0; i < all->len; i++)
    {
      WmRecording *r = all->pdata[i];
      if (wm_model_file_check_recording (options->model, r, NULL))
        g_array_append_val (ids, r->id);
    }
  if (ids->len == 0)
    {
      const wm_frontend_t *fe = &wm_model_file_get_model (options->model)->frontend;
      g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                   _("no recording of the project fits model %s@%s (%u Hz, %u channel(s))"),
                   wm_model_file_get_name (options->model), wm_model_file_get_version (options->model),
                   fe->sample_rate, fe->channels);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static WmRun *
prepare_run (WmStore                  *store,
             const WmAutolabelOptions *options,
             GError                  **error)
{
  WmModelFile *model = options->model;
  const wm_model_t *m = wm_model_file_get_model (model);
  g_autoptr(WmRun) run = NULL;
  guint n = wm_model_file_get_n_classes (model);

  run = wm_store_find_run_for_model (store, options->model_id, error);
  if (run == NULL && error != NULL && *error != NULL)
    return NULL;
  if (run == NULL)
    {
      run = g_new0 (WmRun, 1);
      run->model_id = options->model_id;
      run->model_name = g_strdup (wm_model_file_get_name (model));
      run->model_version = g_strdup (wm_model_file_get_version (model));
      run->variant = g_strdup (wm_model_file_get_variant (model));
      run->class_names = g_new0 (char *, n + 1);
      for (guint k = 0; k < n; k++)
        run->class_names[k] = g_strdup (wm_model_file_get_class_name (model, k));
      run->thresholds = g_new (double, MAX (n, 1));
      run->window_frames = wm_model_window_frames (m);
      run->hop_frames = wm_model_hop_frames (m);
    }
  for (guint k = 0; k < n; k++)
    run->thresholds[k] = options->thresholds != NULL ? options->thresholds[k] : WM_AUTOLABEL_DEFAULT_THRESHOLD;
  if (options->classes != NULL)
    for (guint k = 0; k < n; k++)
      if (!g_strv_contains ((const char * const *) options->classes, run->class_names[k]))
        run->thresholds[k] = 2.0;
  run->margin = options->margin;
  run->state = WM_RUN_RUNNING;
  run->started_at = g_get_real_time ();
  run->finished_at = 0;

  if (run->id == 0)
    run->id = wm_store_add_run (store, run, error);
  else if (!wm_store_update_run (store, run, error))
    return NULL;
  return run->id != 0 ? g_steal_pointer (&run) : NULL;
}

/* A recording whose probabilities are all stored: its labels and review
 * items now, and the caller told.  A failure cancels the workers. */
static void
finish_recording (WmStore                  *store,
                  const WmRun              *run,
                  const gint64             *class_ids,
                  const WmAutolabelOptions *options,
                  gint64                    recording_id,
                  ClassCounts              *counts,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  if (*error != NULL)
    return;
  if (!derive_one (store, run, class_ids, recording_id, options->replace, counts, NULL, error))
    {
      g_cancellable_cancel (cancellable);
      return;
    }
  if (options->recording_done != NULL)
    options->recording_done (recording_id, options->recording_done_data);
}

gboolean
wm_autolabel_run (WmStore                  *store,
                  const WmAutolabelOptions *options,
                  WmAutolabelProgressFunc   progress,
                  gpointer                  user_data,
                  GCancellable             *cancellable,
                  JsonNode                **out_summary,
                  GError                  **error)
{
  g_autoptr(GArray) recordings = NULL;
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GAsyncQueue) done = NULL;
  g_autoptr(GHashTable) remaining = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) finished = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) first_error = NULL;
  g_autofree ClassCounts *counts = NULL;
  g_autofree gint64 *class_ids = NULL;
  g_autoptr(GPtrArray) chunks = g_ptr_array_new ();
  GThreadPool *pool;
  Shared shared = { 0 };
  gint64 total_windows = 0, windows_done = 0, all_windows = 0;
  guint outstanding = 0, n_jobs, part;
  gint64 started = g_get_monotonic_time ();

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL && options->model != NULL, FALSE);

  recordings = target_recordings (store, options, error);
  if (recordings == NULL)
    return FALSE;
  run = prepare_run (store, options, error);
  if (run == NULL)
    return FALSE;
  counts = g_new0 (ClassCounts, MAX (wm_run_get_n_classes (run), 1));

  shared.model = options->model;
  shared.store_path = (char *) wm_store_get_path (store);
  shared.cancellable = cancellable;
  shared.n_classes = wm_run_get_n_classes (run);
  done = g_async_queue_new ();
  shared.done = done;
  n_jobs = options->jobs > 0 ? options->jobs : g_get_num_processors ();

  /* Every chunk not stored yet; a resumed run skips what it has. */
  for (guint i = 0; i < recordings->len; i++)
    {
      gint64 id = g_array_index (recordings, gint64, i);
      g_autoptr(WmRecording) r = wm_store_get_recording (store, id, error);
      g_autoptr(GArray) stored = NULL;
      g_autoptr(GHashTable) have = g_hash_table_new (g_int64_hash, g_int64_equal);
      gint64 n_windows, queued = 0;

      if (r == NULL || (stored = wm_store_list_prediction_chunks (store, run->id, id, error)) == NULL)
        {
          for (guint c = 0; c < chunks->len; c++)
            chunk_free (chunks->pdata[c]);
          return FALSE;
        }
      for (guint s = 0; s < stored->len; s++)
        g_hash_table_add (have, &g_array_index (stored, gint64, s));
      n_windows = r->n_frames >= run->window_frames ? (r->n_frames - run->window_frames) / run->hop_frames + 1 : 0;
      all_windows += n_windows;

      for (gint64 first = 0; first < n_windows; first += CHUNK_WINDOWS)
        {
          Chunk *chunk;
          if (g_hash_table_contains (have, &first))
            continue;
          chunk = g_new0 (Chunk, 1);
          chunk->recording_id = id;
          chunk->first_window = first;
          chunk->n_windows = (guint) MIN (CHUNK_WINDOWS, n_windows - first);
          chunk->probs = g_new (float, (gsize) chunk->n_windows * shared.n_classes);
          total_windows += chunk->n_windows;
          queued++;
          g_ptr_array_add (chunks, chunk);
        }
      if (queued == 0)
        g_array_append_val (finished, id);
      else
        g_hash_table_insert (remaining, g_memdup2 (&id, sizeof id), GSIZE_TO_POINTER (queued));
    }

  /* About eight parts a worker, in the order of the chunks. */
  part = (guint) CLAMP (total_windows / (n_jobs * 8), MIN_PART_WINDOWS, CHUNK_WINDOWS);
  pool = g_thread_pool_new (run_task, &shared, (int) n_jobs, FALSE, NULL);
  for (guint i = 0; i < chunks->len; i++)
    {
      Chunk *chunk = chunks->pdata[i];

      for (guint offset = 0; offset < chunk->n_windows; offset += part)
        {
          Task *task = g_new0 (Task, 1);
          task->chunk = chunk;
          task->offset = offset;
          task->n_windows = MIN (part, chunk->n_windows - offset);
          chunk->parts_left++;
          outstanding++;
          g_thread_pool_push (pool, task, NULL);
        }
    }

  /* The project's classes, while the workers start. */
  class_ids = prepare_classes (store, run, &first_error);
  if (class_ids == NULL)
    g_cancellable_cancel (cancellable);

  if (progress != NULL)
    progress (0, total_windows, user_data);

  /* Recordings whose every chunk was stored by an earlier attempt. */
  for (guint i = 0; i < finished->len && first_error == NULL; i++)
    finish_recording (store, run, class_ids, options, g_array_index (finished, gint64, i), counts, cancellable,
                      &first_error);

  /* Store results as they come, one transaction each; derive a recording as
   * soon as its last chunk is in, while the workers go on. */
  while (outstanding > 0)
    {
      Task *task = g_async_queue_pop (done);
      Chunk *chunk = task->chunk;
      gpointer left;

      outstanding--;
      if (first_error == NULL && task->error != NULL)
        first_error = g_steal_pointer (&task->error);
      g_clear_error (&task->error);
      g_free (task);
      if (--chunk->parts_left > 0)
        continue;
      if (first_error == NULL)
        {
          gboolean stored = FALSE;

          if (wm_store_begin (store, &first_error))
            {
              if (!wm_store_put_predictions (store, run->id, chunk->recording_id, chunk->first_window,
                                             chunk->n_windows, shared.n_classes, chunk->probs, &first_error))
                wm_store_rollback (store);
              else
                stored = wm_store_commit (store, &first_error);
            }
          if (!stored)
            g_cancellable_cancel (cancellable);
          else
            {
              windows_done += chunk->n_windows;
              left = g_hash_table_lookup (remaining, &chunk->recording_id);
              if (GPOINTER_TO_SIZE (left) == 1)
                {
                  g_hash_table_remove (remaining, &chunk->recording_id);
                  finish_recording (store, run, class_ids, options, chunk->recording_id, counts, cancellable,
                                    &first_error);
                }
              else
                g_hash_table_insert (remaining, g_memdup2 (&chunk->recording_id, sizeof (gint64)),
                                     GSIZE_TO_POINTER (GPOINTER_TO_SIZE (left) - 1));
              if (progress != NULL)
                progress (windows_done, total_windows, user_data);
            }
        }
      chunk_free (chunk);
    }
  g_thread_pool_free (pool, FALSE, TRUE);

  run->state = first_error == NULL && g_hash_table_size (remaining) == 0 ? WM_RUN_COMPLETE : WM_RUN_INCOMPLETE;
  run->finished_at = g_get_real_time ();
  wm_store_update_run (store, run, NULL);

  if (first_error != NULL)
    {
      if (g_cancellable_is_cancelled (cancellable) &&
          (g_error_matches (first_error, WM_MODEL_ERROR, WM_MODEL_ERROR_CANCELLED) ||
           g_error_matches (first_error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_CANCELLED)))
        g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_CANCELLED,
                     _("cancelled: run %" PRId64 " is incomplete; run the same command again to resume"),
                     run->id);
      else
        g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  if (out_summary != NULL)
    *out_summary = summary_new (run, counts, all_windows,
                                (g_get_monotonic_time () - started) / 1e6, run->state == WM_RUN_COMPLETE);
  return TRUE;
}

gboolean
wm_autolabel_rethreshold (WmStore       *store,
                          gint64         run_id,
                          const double  *thresholds,
                          double         margin,
                          JsonNode     **out_summary,
                          GError       **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GArray) recordings = NULL;
  g_autofree ClassCounts *counts = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 n_windows = 0;
  guint n;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return FALSE;
  n = wm_run_get_n_classes (run);
  if (thresholds != NULL)
    memcpy (run->thresholds, thresholds, n * sizeof (double));
  if (margin >= 0)
    run->margin = margin;
  recordings = wm_store_list_run_recordings (store, run_id, error);
  if (recordings == NULL)
    return FALSE;

  /* New thresholds and everything derived from them: all or nothing. */
  counts = g_new0 (ClassCounts, MAX (n, 1));
  if (!wm_store_begin (store, error))
    return FALSE;
  if (!wm_store_update_run (store, run, error) ||
      !derive_all (store, run, recordings, counts, &n_windows, error))
    {
      wm_store_rollback (store);
      return FALSE;
    }
  if (!wm_store_commit (store, error))
    return FALSE;
  if (out_summary != NULL)
    *out_summary = summary_new (run, counts, n_windows, (g_get_monotonic_time () - started) / 1e6,
                                run->state == WM_RUN_COMPLETE);
  return TRUE;
}

gboolean
wm_autolabel_preview (WmStore            *store,
                      gint64              run_id,
                      gint64              recording_id,
                      const double       *thresholds,
                      double              margin,
                      WmAutolabelCounts  *out_counts,
                      GError            **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autofree gint64 *class_ids = NULL;
  g_autofree ClassCounts *counts = NULL;
  guint n;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return FALSE;
  n = wm_run_get_n_classes (run);
  if (thresholds != NULL)
    memcpy (run->thresholds, thresholds, n * sizeof (double));
  if (margin >= 0)
    run->margin = margin;
  class_ids = map_classes (store, run, FALSE, error);
  if (class_ids == NULL)
    return FALSE;
  counts = g_new0 (ClassCounts, MAX (n, 1));
  if (recording_id != 0)
    {
      if (!derive_recording (store, run, recording_id, class_ids, FALSE, counts, NULL, error))
        return FALSE;
    }
  else
    {
      g_autoptr(GArray) recordings = wm_store_list_run_recordings (store, run_id, error);

      if (recordings == NULL)
        return FALSE;
      for (guint i = 0; i < recordings->len; i++)
        if (!derive_recording (store, run, g_array_index (recordings, gint64, i), class_ids, FALSE, counts, NULL, error))
          return FALSE;
    }

  memset (out_counts, 0, sizeof *out_counts);
  for (guint k = 0; k < n; k++)
    {
      out_counts->n_labels += counts[k].labels;
      out_counts->n_review_items += counts[k].review_items;
      out_counts->n_windows_above += counts[k].windows_above;
    }
  return TRUE;
}
