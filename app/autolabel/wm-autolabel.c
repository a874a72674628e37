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


/* ---- summary ------------------------------------------------------------- */

static void
class_summary_clear (WmAutolabelClassSummary *c)
{
  g_clear_pointer (&c->name, g_free);
}

WmAutolabelSummary *
wm_autolabel_summary_copy (const WmAutolabelSummary *summary)
{
  WmAutolabelSummary *copy;

  g_return_val_if_fail (summary != NULL, NULL);

  copy = g_memdup2 (summary, sizeof *summary);
  copy->model = g_strdup (summary->model);
  copy->version = g_strdup (summary->version);
  copy->variant = g_strdup (summary->variant);
  copy->classes = g_array_sized_new (FALSE, TRUE, sizeof (WmAutolabelClassSummary), summary->classes->len);
  g_array_set_clear_func (copy->classes, (GDestroyNotify) class_summary_clear);
  for (guint i = 0; i < summary->classes->len; i++)
    {
      WmAutolabelClassSummary c = g_array_index (summary->classes, WmAutolabelClassSummary, i);

      c.name = g_strdup (c.name);
      g_array_append_val (copy->classes, c);
    }
  return copy;
}

void
wm_autolabel_summary_free (WmAutolabelSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->model);
  g_free (summary->version);
  g_free (summary->variant);
  g_array_unref (summary->classes);
  g_free (summary);
}

JsonNode *
wm_autolabel_summary_to_json (const WmAutolabelSummary *summary)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (summary != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, summary->run_id);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, summary->model);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, summary->version);
  json_builder_set_member_name (b, "variant");
  json_builder_add_string_value (b, summary->variant);
  json_builder_set_member_name (b, "margin");
  json_builder_add_double_value (b, summary->margin);
  json_builder_set_member_name (b, "windows");
  json_builder_add_int_value (b, summary->windows);
  json_builder_set_member_name (b, "labels");
  json_builder_add_int_value (b, summary->labels);
  json_builder_set_member_name (b, "review_items");
  json_builder_add_int_value (b, summary->review_items);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_object (b);
  for (guint i = 0; i < summary->classes->len; i++)
    {
      const WmAutolabelClassSummary *c = &g_array_index (summary->classes, WmAutolabelClassSummary, i);

      json_builder_set_member_name (b, c->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "threshold");
      if (c->enabled)
        json_builder_add_double_value (b, c->threshold);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "labels");
      json_builder_add_int_value (b, c->labels);
      json_builder_set_member_name (b, "review_items");
      json_builder_add_int_value (b, c->review_items);
      json_builder_set_member_name (b, "windows_above");
      json_builder_add_int_value (b, c->windows_above);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, summary->seconds);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, summary->complete);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

G_DEFINE_BOXED_TYPE (WmAutolabelSummary, wm_autolabel_summary, wm_autolabel_summary_copy, wm_autolabel_summary_free)

/* ---- deriving labels and review items ------------------------------------ */

/* A run's rule, the project classes of its model classes, and the counts
 * of what was derived so far. */
typedef struct {
  const WmRun       *run;
  WmLabelRule       *rule;
  gint64            *class_ids;   /* per model class; 0 for classes switched off */
  WmLabelRuleCounts *counts;      /* per model class */
  gint64             windows;
} Derivation;

static gint64 *prepare_classes (WmStore           *store,
                                const WmLabelRule *rule,
                                GError           **error);

static gboolean
derivation_init (Derivation  *d,
                 WmStore     *store,
                 const WmRun *run,
                 GError     **error)
{
  d->run = run;
  d->rule = wm_label_rule_new_for_run (run);
  d->counts = g_new0 (WmLabelRuleCounts, MAX (d->rule->n_classes, 1));
  d->windows = 0;
  d->class_ids = prepare_classes (store, d->rule, error);
  return d->class_ids != NULL;
}

static void
derivation_clear (Derivation *d)
{
  g_clear_pointer (&d->rule, wm_label_rule_free);
  g_clear_pointer (&d->class_ids, g_free);
  g_clear_pointer (&d->counts, g_free);
}

/* Stores what the rule gives for one recording (only what differs from
 * what is stored is written) and adds its counts. */
static gboolean
derive_recording (WmStore     *store,
                  Derivation  *d,
                  gint64       recording_id,
                  GError     **error)
{
  const WmRun *run = d->run;
  const WmLabelRule *rule = d->rule;
  const gint64 *class_ids = d->class_ids;
  WmLabelRuleCounts *counts = d->counts;
  g_autoptr(WmLabelRuleRecording) recording = NULL;
  g_autoptr(WmLabelRuleResult) result = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (WmReviewItem));
  g_autofree char *model_version = g_strdup_printf ("%s@%s", run->model_name, run->model_version);

  recording = wm_label_rule_recording_read (store, run, recording_id, error);
  if (recording == NULL)
    return FALSE;
  result = wm_label_rule_derive (rule, recording);
  d->windows += recording->n_windows;
  for (guint k = 0; k < rule->n_classes; k++)
    wm_label_rule_counts_add (&counts[k], &result->counts[k]);

  for (guint i = 0; i < result->labels->len; i++)
    {
      const WmLabelRuleLabel *r = &g_array_index (result->labels, WmLabelRuleLabel, i);
      WmLabel *l = wm_label_new ();

      l->recording_id = recording_id;
      l->start_frame = r->start_frame;
      l->end_frame = r->end_frame;
      l->class_id = class_ids[r->class_index];
      l->confidence = r->confidence;
      l->model_version = g_strdup (model_version);
      g_ptr_array_add (labels, l);
    }
  for (guint i = 0; i < result->review_items->len; i++)
    {
      const WmLabelRuleItem *r = &g_array_index (result->review_items, WmLabelRuleItem, i);
      WmReviewItem item = { 0 };

      item.run_id = run->id;
      item.recording_id = recording_id;
      item.window_index = r->window_index;
      item.start_frame = r->start_frame;
      item.end_frame = r->end_frame;
      item.class_id = class_ids[r->class_index];
      item.probability = r->probability;
      item.threshold = r->threshold;
      g_array_append_val (items, item);
    }
  return wm_store_sync_model_output (store, run->id, recording_id, labels, items, error);
}

/* Project classes for the rule's enabled classes, made where missing, in a
 * transaction of their own; 0 for the others. */
static gint64 *
prepare_classes (WmStore           *store,
                 const WmLabelRule *rule,
                 GError           **error)
{
  g_autofree gint64 *ids = g_new0 (gint64, MAX (rule->n_classes, 1));
  g_autoptr(GPtrArray) existing = NULL;

  if (!wm_store_begin (store, error))
    return NULL;
  existing = wm_store_list_classes (store, error);
  for (guint k = 0; existing != NULL && k < rule->n_classes; k++)
    {
      const char *name = rule->class_names[k];

      if (!rule->classes[k].enabled)
        continue;
      for (guint i = 0; i < existing->len && ids[k] == 0; i++)
        if (g_str_equal (((WmClass *) existing->pdata[i])->name, name))
          ids[k] = ((WmClass *) existing->pdata[i])->id;
      if (ids[k] == 0)
        ids[k] = wm_store_add_class (store, name, palette[(existing->len + k) % G_N_ELEMENTS (palette)],
                                     NULL, error);
      if (ids[k] == 0)
        g_clear_pointer (&existing, g_ptr_array_unref);
    }
  if (existing == NULL)
    {
      wm_store_rollback (store);
      return NULL;
    }
  if (!wm_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&ids);
}

static WmAutolabelSummary *
summary_new (const WmRun             *run,
             const WmLabelRule       *rule,
             const WmLabelRuleCounts *counts,
             gint64                   n_windows,
             double                   seconds,
             gboolean                 complete)
{
  WmAutolabelSummary *summary = g_new0 (WmAutolabelSummary, 1);

  summary->run_id = run->id;
  summary->model = g_strdup (run->model_name);
  summary->version = g_strdup (run->model_version);
  summary->variant = g_strdup (run->variant);
  summary->margin = rule->margin;
  summary->windows = n_windows;
  summary->classes = g_array_new (FALSE, TRUE, sizeof (WmAutolabelClassSummary));
  g_array_set_clear_func (summary->classes, (GDestroyNotify) class_summary_clear);
  for (guint k = 0; k < rule->n_classes; k++)
    {
      WmAutolabelClassSummary c = { 0 };

      summary->labels += counts[k].labels;
      summary->review_items += counts[k].review_items;
      if (wm_label_rule_is_background (rule, k))
        continue;
      c.name = g_strdup (rule->class_names[k]);
      c.enabled = rule->classes[k].enabled;
      c.threshold = rule->classes[k].threshold;
      c.labels = counts[k].labels;
      c.review_items = counts[k].review_items;
      c.windows_above = counts[k].windows_above;
      g_array_append_val (summary->classes, c);
    }
  summary->seconds = seconds;
  summary->complete = complete;
  return summary;
}


/* Derives one recording in one transaction (retiring other versions' model
 * labels first if asked). */
static gboolean
derive_one (WmStore     *store,
            Derivation  *d,
            gint64       recording_id,
            gboolean     replace,
            GError     **error)
{
  if (!wm_store_begin (store, error))
    return FALSE;
  if ((replace && !wm_store_retire_model_labels (store, d->run->model_name, d->run->id, recording_id, error)) ||
      !derive_recording (store, d, recording_id, error))
    {
      wm_store_rollback (store);
      return FALSE;
    }
  return wm_store_commit (store, error);
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
  if (options->rule != NULL && options->rule->n_classes != n)
    {
      g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                   _("the thresholds are for %u classes, model %s@%s has %u"),
                   options->rule->n_classes, run->model_name, run->model_version, n);
      return NULL;
    }
  if (options->rule != NULL)
    wm_label_rule_store_in_run (options->rule, run);
  else
    {
      g_autoptr(WmLabelRule) defaults = wm_label_rule_new (run->class_names, run->window_frames, run->hop_frames);
      wm_label_rule_store_in_run (defaults, run);
    }
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
                  Derivation               *d,
                  const WmAutolabelOptions *options,
                  gint64                    recording_id,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  if (*error != NULL)
    return;
  if (!derive_one (store, d, recording_id, options->replace, error))
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
                  WmAutolabelSummary      **out_summary,
                  GError                  **error)
{
  g_autoptr(GArray) recordings = NULL;
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GAsyncQueue) done = NULL;
  g_autoptr(GHashTable) remaining = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) finished = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) first_error = NULL;
  Derivation d = { 0 };
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
  if (!derivation_init (&d, store, run, &first_error))
    g_cancellable_cancel (cancellable);

  if (progress != NULL)
    progress (0, total_windows, user_data);

  /* Recordings whose every chunk was stored by an earlier attempt. */
  for (guint i = 0; i < finished->len && first_error == NULL; i++)
    finish_recording (store, &d, options, g_array_index (finished, gint64, i), cancellable, &first_error);

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
                  finish_recording (store, &d, options, chunk->recording_id, cancellable, &first_error);
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
      derivation_clear (&d);
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
    *out_summary = summary_new (run, d.rule, d.counts, all_windows,
                                (g_get_monotonic_time () - started) / 1e6, run->state == WM_RUN_COMPLETE);
  derivation_clear (&d);
  return TRUE;
}

gboolean
wm_autolabel_rethreshold (WmStore             *store,
                          gint64               run_id,
                          const WmLabelRule   *rule,
                          WmAutolabelSummary **out_summary,
                          GError             **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GArray) recordings = NULL;
  Derivation d = { 0 };
  gint64 started = g_get_monotonic_time ();
  gboolean ok;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return FALSE;
  if (rule != NULL && rule->n_classes != wm_run_get_n_classes (run))
    {
      g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                   _("the thresholds are for %u classes, run %" PRId64 " has %u"),
                   rule->n_classes, run_id, wm_run_get_n_classes (run));
      return FALSE;
    }
  if (rule != NULL)
    wm_label_rule_store_in_run (rule, run);
  recordings = wm_store_list_run_recordings (store, run_id, error);
  if (recordings == NULL)
    return FALSE;

  /* The new rule and everything derived from it: all or nothing. */
  if (!wm_store_begin (store, error))
    return FALSE;
  ok = wm_store_update_run (store, run, error) && derivation_init (&d, store, run, error);
  for (guint i = 0; ok && i < recordings->len; i++)
    ok = derive_recording (store, &d, g_array_index (recordings, gint64, i), error);
  if (!ok)
    {
      derivation_clear (&d);
      wm_store_rollback (store);
      return FALSE;
    }
  if (!wm_store_commit (store, error))
    {
      derivation_clear (&d);
      return FALSE;
    }
  if (out_summary != NULL)
    *out_summary = summary_new (run, d.rule, d.counts, d.windows, (g_get_monotonic_time () - started) / 1e6,
                                run->state == WM_RUN_COMPLETE);
  derivation_clear (&d);
  return TRUE;
}

gboolean
wm_autolabel_preview (WmStore             *store,
                      gint64               run_id,
                      gint64               recording_id,
                      const WmLabelRule   *rule,
                      WmAutolabelCounts   *out_counts,
                      WmLabelRuleCounts  **out_per_class,
                      GError             **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autoptr(WmLabelRule) own = NULL;
  g_autoptr(GArray) recordings = NULL;
  g_autofree WmLabelRuleCounts *per_class = NULL;
  WmLabelRuleCounts totals = { 0 };

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return FALSE;
  if (rule == NULL)
    rule = own = wm_label_rule_new_for_run (run);
  g_return_val_if_fail (rule->n_classes == wm_run_get_n_classes (run), FALSE);
  if (recording_id != 0)
    {
      recordings = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (recordings, recording_id);
    }
  else if ((recordings = wm_store_list_run_recordings (store, run_id, error)) == NULL)
    return FALSE;

  per_class = g_new0 (WmLabelRuleCounts, MAX (rule->n_classes, 1));
  for (guint i = 0; i < recordings->len; i++)
    {
      g_autoptr(WmLabelRuleRecording) recording = NULL;
      g_autoptr(WmLabelRuleResult) result = NULL;

      recording = wm_label_rule_recording_read (store, run, g_array_index (recordings, gint64, i), error);
      if (recording == NULL)
        return FALSE;
      result = wm_label_rule_derive (rule, recording);
      for (guint k = 0; k < rule->n_classes; k++)
        {
          wm_label_rule_counts_add (&per_class[k], &result->counts[k]);
          wm_label_rule_counts_add (&totals, &result->counts[k]);
        }
    }
  if (out_counts != NULL)
    {
      out_counts->n_labels = totals.labels;
      out_counts->n_review_items = totals.review_items;
      out_counts->n_windows_above = totals.windows_above;
    }
  if (out_per_class != NULL)
    *out_per_class = g_steal_pointer (&per_class);
  return TRUE;
}
