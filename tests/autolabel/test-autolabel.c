/* test-autolabel.c — runs, merging, review band, resume, rethreshold, report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"
#include "wm-autolabel.h"
#include "wm-evaluate.h"
#include "wm-report.h"

typedef struct {
  char    *dir;
  char    *path;
  WmStore *store;
  gint64   recording;
} Fixture;

static gint64
add_sensor_recording (WmStore *store,
                      gint64   n_frames,
                      guint    seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = wm_recording_new ();
  g_autofree float *samples = g_new (float, n_frames * 6);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  WmRecordingWriter *w;
  gint64 id;

  for (gint64 i = 0; i < n_frames * 6; i++)
    samples[i] = (float) (sin (i * 0.013) * 4 + g_rand_double_range (rand, -1, 1));
  r->name = g_strdup ("imu");
  r->sample_rate = 100;
  r->n_channels = 6;
  r->kind = WM_RECORDING_KIND_SENSOR;
  r->sample_format = WM_SAMPLE_FORMAT_FLOAT32;
  w = wm_store_begin_recording (store, r, &error);
  g_assert_no_error (error);
  wm_recording_writer_append (w, samples, n_frames, &error);
  g_assert_no_error (error);
  id = wm_recording_writer_commit (w, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("waymark-autolabel-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "p.waymark", NULL);
  f->store = wm_store_open (f->path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->recording = add_sensor_recording (f->store, 30000, 7);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  wm_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* ---- constructed probabilities ------------------------------------------- */

/* A run of a fake 3-class model (background, a, b) with window 40 frames and
 * hop 10: window w owns cell [w·10 + 15, w·10 + 25). */
static gint64
constructed_run (WmStore     *store,
                 gint64       recording,
                 const float *probs,
                 guint        n_windows)
{
  g_autoptr(GError) error = NULL;
  char *names[] = { (char *) "background", (char *) "a", (char *) "b", NULL };
  double thresholds[] = { 0.9, 0.9, 0.9 };
  WmRun run = { 0 };
  gint64 id;

  run.model_name = (char *) "fake";
  run.model_version = (char *) "1";
  run.variant = (char *) "int8";
  run.class_names = names;
  run.thresholds = thresholds;
  run.margin = 0.1;
  run.window_frames = 40;
  run.hop_frames = 10;
  run.state = WM_RUN_COMPLETE;
  id = wm_store_add_run (store, &run, &error);
  g_assert_no_error (error);
  wm_store_put_predictions (store, id, recording, 0, n_windows, 3, probs, &error);
  g_assert_no_error (error);
  return id;
}

static GPtrArray *
labels_of (WmStore       *store,
           gint64         recording,
           WmLabelSource  source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = wm_store_list_labels (store, recording, 0, -1, &error);
  GPtrArray *some = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    if (((WmLabel *) all->pdata[i])->source == source)
      g_ptr_array_add (some, wm_label_copy (all->pdata[i]));
  return some;
}

/* The run's rule with every class at thresholds[k] (NULL: as stored) and
 * @margin (< 0: as stored). */
static WmLabelRule *
rule_with (WmStore      *store,
           gint64        run_id,
           const double *thresholds,
           double        margin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRun) run = wm_store_get_run (store, run_id, &error);
  WmLabelRule *rule;

  g_assert_no_error (error);
  rule = wm_label_rule_new_for_run (run);
  for (guint k = 0; thresholds != NULL && k < rule->n_classes; k++)
    rule->classes[k].threshold = thresholds[k];
  if (margin >= 0)
    rule->margin = margin;
  return rule;
}

static gboolean
rethreshold (WmStore             *store,
             gint64               run_id,
             const double        *thresholds,
             double               margin,
             WmAutolabelSummary **out_summary,
             GError             **error)
{
  g_autoptr(WmLabelRule) rule = rule_with (store, run_id, thresholds, margin);

  return wm_autolabel_rethreshold (store, run_id, rule, out_summary, error);
}

static gboolean
preview (WmStore           *store,
         gint64             run_id,
         gint64             recording_id,
         const double      *thresholds,
         double             margin,
         WmAutolabelCounts *out_counts,
         GError           **error)
{
  g_autoptr(WmLabelRule) rule = rule_with (store, run_id, thresholds, margin);

  return wm_autolabel_preview (store, run_id, recording_id, rule, out_counts, NULL, error);
}

static void
test_merging_and_band (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) model = NULL;
  g_autoptr(GPtrArray) items = NULL;
  /* background, a, b per window */
  const float probs[] = {
    0.99f, 0.01f, 0.00f,  /* 0: background */
    0.02f, 0.95f, 0.03f,  /* 1: a, above */
    0.01f, 0.975f, 0.015f,/* 2: a, above → merges with 1 */
    0.10f, 0.84f, 0.06f,  /* 3: a, in band below: review, no label */
    0.05f, 0.92f, 0.03f,  /* 4: a, above and in band: label + review */
    0.00f, 0.035f, 0.965f,/* 5: b, above: new region (class changes) */
    0.50f, 0.20f, 0.30f,  /* 6: background wins overall, b best non-bg at 0.30: nothing */
    0.00f, 0.015f, 0.985f,/* 7: b, above: not adjacent to 5 → own region */
  };
  gint64 run;
  WmLabel *l;

  run = constructed_run (f->store, f->recording, probs, 8);
  rethreshold (f->store, run, NULL, -1, NULL, &error);
  g_assert_no_error (error);

  model = labels_of (f->store, f->recording, WM_LABEL_SOURCE_MODEL);
  g_assert_cmpuint (model->len, ==, 4);
  l = model->pdata[0];
  g_assert_cmpstr (l->class_name, ==, "a");
  g_assert_cmpint (l->start_frame, ==, 25);   /* window 1's cell */
  g_assert_cmpint (l->end_frame, ==, 45);     /* window 2's cell end */
  g_assert_cmpfloat_with_epsilon (l->confidence, (0.95 + 0.975) / 2, 1e-6);
  g_assert_cmpstr (l->model_version, ==, "fake@1");
  l = model->pdata[1];
  g_assert_cmpint (l->start_frame, ==, 55);
  g_assert_cmpint (l->end_frame, ==, 65);
  l = model->pdata[2];
  g_assert_cmpstr (l->class_name, ==, "b");
  g_assert_cmpint (l->start_frame, ==, 65);
  g_assert_cmpint (l->end_frame, ==, 75);
  l = model->pdata[3];
  g_assert_cmpint (l->start_frame, ==, 85);

  /* Review band [0.8, 1.0): every window but 0 and 6, most uncertain first:
   * 4 (0.02), 1 (0.05), 3 (0.06), 5 (0.065), 2 (0.075), 7 (0.085). */
  items = wm_store_list_review_items (f->store, run, TRUE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 6);
  {
    const gint64 order[] = { 4, 1, 3, 5, 2, 7 };
    for (guint i = 0; i < 6; i++)
      g_assert_cmpint (((WmReviewItem *) items->pdata[i])->window_index, ==, order[i]);
  }
  g_assert_cmpint (((WmReviewItem *) items->pdata[0])->start_frame, ==, 55);
  g_assert_cmpint (((WmReviewItem *) items->pdata[0])->end_frame, ==, 65);

  /* A new threshold from the stored probabilities: a at 0.96 keeps window 2 only. */
  {
    g_autoptr(GPtrArray) again = NULL;
    double t[] = { 0.9, 0.96, 0.9 };

    rethreshold (f->store, run, t, 0.02, NULL, &error);
    g_assert_no_error (error);
    again = labels_of (f->store, f->recording, WM_LABEL_SOURCE_MODEL);
    g_assert_cmpuint (again->len, ==, 3);
    g_assert_cmpint (((WmLabel *) again->pdata[0])->start_frame, ==, 35);
    g_assert_cmpint (((WmLabel *) again->pdata[0])->end_frame, ==, 45);
    g_clear_pointer (&items, g_ptr_array_unref);
    items = wm_store_list_review_items (f->store, run, TRUE, 0, &error);
    /* band [0.94, 0.98) for a: window 1 (0.95) and 2 (0.975); [0.88, 0.92) for b: none. */
    g_assert_cmpuint (items->len, ==, 2);
  }
}

static void
test_human_labels_untouched (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmLabel) human = wm_label_new ();
  g_autoptr(GPtrArray) model = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) humans = NULL;
  float probs[20 * 3];
  gint64 run;

  for (guint w = 0; w < 20; w++)
    {
      probs[w * 3 + 0] = 0.0f;
      probs[w * 3 + 1] = 0.91f;
      probs[w * 3 + 2] = 0.09f;
    }
  human->recording_id = f->recording;
  human->class_id = wm_store_add_class (f->store, "b", "#123456", NULL, &error);
  human->start_frame = 60;  /* touches the cells of windows 4 .. 6 */
  human->end_frame = 80;
  wm_store_add_label (f->store, human, &error);
  g_assert_no_error (error);
  humans = labels_of (f->store, f->recording, WM_LABEL_SOURCE_HUMAN);
  before = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, human->start_frame, human->end_frame);

  run = constructed_run (f->store, f->recording, probs, 20);
  rethreshold (f->store, run, NULL, -1, NULL, &error);
  g_assert_no_error (error);

  model = labels_of (f->store, f->recording, WM_LABEL_SOURCE_MODEL);
  for (guint i = 0; i < model->len; i++)
    {
      WmLabel *l = model->pdata[i];
      g_assert_true (l->end_frame <= 60 || l->start_frame >= 80);
    }
  g_assert_cmpuint (model->len, ==, 2);
  items = wm_store_list_review_items (f->store, run, TRUE, 0, &error);
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewItem *item = items->pdata[i];
      g_assert_true (item->end_frame <= 60 || item->start_frame >= 80);
    }
  g_assert_cmpuint (items->len, ==, 20 - 2 - 1);  /* windows 4, 5, 6 touch the human label; window 19's cell ends at 215 */

  g_clear_pointer (&humans, g_ptr_array_unref);
  humans = labels_of (f->store, f->recording, WM_LABEL_SOURCE_HUMAN);
  g_assert_cmpuint (humans->len, ==, 1);
  after = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                           ((WmLabel *) humans->pdata[0])->start_frame, ((WmLabel *) humans->pdata[0])->end_frame);
  g_assert_cmpstr (before, ==, after);
}

/* ---- with a real model --------------------------------------------------- */

static WmModelFile *
golden_model (WmStore *store,
              gint64  *out_model_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"), "tests", "parity", "golden",
                                            "sensor-h16.wmm", NULL);
  WmModelFile *model = wm_model_file_new_from_path (path, &error);
  WmStoredModel entry = { 0 };
  g_autofree char *meta = NULL;

  g_assert_no_error (error);
  entry.name = (char *) wm_model_file_get_name (model);
  entry.version = (char *) wm_model_file_get_version (model);
  entry.variant = (char *) wm_model_file_get_variant (model);
  entry.sha256 = (char *) wm_model_file_get_sha256 (model);
  entry.metadata = (char *) "{}";
  *out_model_id = wm_store_add_model (store, &entry, wm_model_file_get_bytes (model), NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* Every class of the model at @threshold, margin 0.05. */
static WmLabelRule *
model_rule (WmModelFile *model,
            double       threshold)
{
  const wm_model_t *m = wm_model_file_get_model (model);
  g_auto(GStrv) names = g_new0 (char *, wm_model_file_get_n_classes (model) + 1);
  WmLabelRule *rule;

  for (guint k = 0; k < wm_model_file_get_n_classes (model); k++)
    names[k] = g_strdup (wm_model_file_get_class_name (model, k));
  rule = wm_label_rule_new (names, wm_model_window_frames (m), wm_model_hop_frames (m));
  for (guint k = 0; k < rule->n_classes; k++)
    rule->classes[k].threshold = threshold;
  rule->margin = 0.05;
  return rule;
}

static void
run_model (WmStore      *store,
           WmModelFile  *model,
           gint64        model_id,
           double        threshold,
           guint         jobs,
           GCancellable *cancellable,
           WmAutolabelProgressFunc progress,
           gpointer      user_data,
           GError      **error)
{
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(WmLabelRule) rule = model_rule (model, threshold);
  WmAutolabelOptions options = { 0 };

  options.model = model;
  options.model_id = model_id;
  options.rule = rule;
  options.jobs = jobs;
  wm_autolabel_run (store, &options, progress, user_data, cancellable, &summary, error);
}

static char *
dump_results (WmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) labels = wm_store_list_labels (store, 0, 0, -1, &error);
  g_autoptr(GPtrArray) items = wm_store_list_review_items (store, 0, FALSE, 0, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *l = labels->pdata[i];
      g_string_append_printf (out, "L %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %d %.9f\n",
                              l->start_frame, l->end_frame, l->class_name, l->source, l->confidence);
    }
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewItem *r = items->pdata[i];
      g_string_append_printf (out, "R %" G_GINT64_FORMAT " %s %.9f %d %.9f %.9f\n", r->window_index, r->class_name,
                              r->probability, r->state, r->threshold, r->priority);
    }
  return g_string_free (out, FALSE);
}

static void
test_rerun_is_idempotent_and_jobs_agree (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *one_job = NULL;
  gint64 model_id;

  model = golden_model (f->store, &model_id);
  run_model (f->store, model, model_id, 0.3, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  first = dump_results (f->store);
  g_assert_nonnull (strstr (first, "L "));
  g_assert_nonnull (strstr (first, "R "));

  run_model (f->store, model, model_id, 0.3, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  second = dump_results (f->store);
  g_assert_cmpstr (first, ==, second);

  /* The same windows on one thread: the same result. */
  {
    g_autofree char *path = g_build_filename (f->dir, "one.waymark", NULL);
    g_autoptr(WmStore) other = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
    gint64 other_model;
    g_autoptr(WmModelFile) again = NULL;

    add_sensor_recording (other, 30000, 7);
    again = golden_model (other, &other_model);
    run_model (other, again, other_model, 0.3, 1, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    one_job = dump_results (other);
    g_assert_cmpstr (first, ==, one_job);
  }
}

/* With one worker the chunks come in order: the small recording's, then the
 * big one's; halfway through, the big one has begun and is not done. */
static void
cancel_midway (gint64   done,
               gint64   total,
               gpointer user_data)
{
  if (done >= total / 2)
    g_cancellable_cancel (user_data);
}

static void
test_interrupt_and_resume (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *fresh = NULL;
  gint64 model_id, big;

  big = add_sensor_recording (f->store, 120000, 9);
  model = golden_model (f->store, &model_id);
  run_model (f->store, model, model_id, 0.3, 1, cancellable, cancel_midway, cancellable, &error);
  g_assert_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_CANCELLED);
  g_clear_error (&error);

  runs = wm_store_list_runs (f->store, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->state, ==, WM_RUN_INCOMPLETE);
  chunks = wm_store_list_prediction_chunks (f->store, ((WmRun *) runs->pdata[0])->id, big, &error);
  {
    WmRun *run = runs->pdata[0];
    gint64 big_windows = (120000 - run->window_frames) / run->hop_frames + 1;
    g_assert_cmpuint (chunks->len, >, 0);
    g_assert_cmpuint (chunks->len, <, (big_windows + 2047) / 2048);
  }

  run_model (f->store, model, model_id, 0.3, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = wm_store_list_runs (f->store, &error);
  g_assert_cmpint (((WmRun *) runs->pdata[0])->state, ==, WM_RUN_COMPLETE);
  resumed = dump_results (f->store);

  {
    g_autofree char *path = g_build_filename (f->dir, "fresh.waymark", NULL);
    g_autoptr(WmStore) other = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
    g_autoptr(WmModelFile) again = NULL;
    gint64 other_model;

    add_sensor_recording (other, 30000, 7);
    add_sensor_recording (other, 120000, 9);
    again = golden_model (other, &other_model);
    run_model (other, again, other_model, 0.3, 2, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    fresh = dump_results (other);
  }
  g_assert_cmpstr (resumed, ==, fresh);
}

static void
test_rethreshold_equals_fresh_run (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *rethresholded = NULL;
  g_autofree char *fresh = NULL;
  g_autofree double *t = NULL;
  gint64 model_id;

  model = golden_model (f->store, &model_id);
  run_model (f->store, model, model_id, 0.5, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  runs = wm_store_list_runs (f->store, &error);
  t = g_new (double, wm_model_file_get_n_classes (model));
  for (guint k = 0; k < wm_model_file_get_n_classes (model); k++)
    t[k] = 0.3;
  rethreshold (f->store, ((WmRun *) runs->pdata[0])->id, t, 0.05, NULL, &error);
  g_assert_no_error (error);
  rethresholded = dump_results (f->store);

  {
    g_autofree char *path = g_build_filename (f->dir, "fresh.waymark", NULL);
    g_autoptr(WmStore) other = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
    g_autoptr(WmModelFile) again = NULL;
    gint64 other_model;

    add_sensor_recording (other, 30000, 7);
    again = golden_model (other, &other_model);
    run_model (other, again, other_model, 0.3, 2, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    fresh = dump_results (other);
  }
  g_assert_cmpstr (rethresholded, ==, fresh);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Sorts the lines of @text in place. */
static void
sort_lines (char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  g_autofree char *joined = NULL;

  qsort (lines, n, sizeof (char *), compare_strings);
  joined = g_strjoinv ("\n", lines);
  memcpy (text, joined, strlen (joined));
}

/* A rethreshold writes only what changed; walking the threshold up and down
 * must leave exactly what deriving from a clean slate leaves, and previews
 * over the whole run must count what the rethreshold then writes. */
static void
test_rethreshold_steps (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autofree char *path = g_build_filename (f->dir, "clean.waymark", NULL);
  g_autoptr(WmStore) clean = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  g_autoptr(WmModelFile) again = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) clean_runs = NULL;
  const double steps[] = { 0.45, 0.5, 0.62, 0.3, 0.31, 0.5 };
  gint64 model_id, clean_model, run, clean_run;
  guint n, with_items = 0;

  g_assert_no_error (error);
  add_sensor_recording (f->store, 20000, 11);
  add_sensor_recording (clean, 30000, 7);
  add_sensor_recording (clean, 20000, 11);
  model = golden_model (f->store, &model_id);
  again = golden_model (clean, &clean_model);
  run_model (f->store, model, model_id, 0.5, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  run_model (clean, again, clean_model, 0.5, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  runs = wm_store_list_runs (f->store, &error);
  clean_runs = wm_store_list_runs (clean, &error);
  run = ((WmRun *) runs->pdata[0])->id;
  clean_run = ((WmRun *) clean_runs->pdata[0])->id;
  n = wm_model_file_get_n_classes (model);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree double *t = g_new (double, n);
      g_autoptr(WmAutolabelSummary) summary = NULL;
      g_autoptr(GArray) recordings = wm_store_list_run_recordings (clean, clean_run, &error);
      g_autofree char *stepped = NULL;
      g_autofree char *from_scratch = NULL;
      WmAutolabelCounts counts;

      for (guint k = 0; k < n; k++)
        t[k] = steps[i] + 0.01 * k;
      preview (f->store, run, 0, t, 0.08, &counts, &error);
      g_assert_no_error (error);
      rethreshold (f->store, run, t, 0.08, &summary, &error);
      g_assert_no_error (error);
      g_assert_cmpint (counts.n_labels, ==, summary->labels);
      g_assert_cmpint (counts.n_review_items, ==, summary->review_items);
      g_assert_cmpint (counts.n_review_items, ==, wm_store_count_review_items (f->store, run, WM_REVIEW_PENDING));
      stepped = dump_results (f->store);

      for (guint r = 0; r < recordings->len; r++)
        {
          gint64 rec = g_array_index (recordings, gint64, r);
          wm_store_delete_model_labels (clean, clean_run, rec, &error);
          g_assert_no_error (error);
          wm_store_delete_pending_review_items (clean, clean_run, rec, &error);
          g_assert_no_error (error);
        }
      rethreshold (clean, clean_run, t, 0.08, NULL, &error);
      g_assert_no_error (error);
      from_scratch = dump_results (clean);
      /* Items of equal priority come in id order, and kept items keep
       * their ids: compare as sets. */
      sort_lines (stepped);
      sort_lines (from_scratch);
      g_assert_cmpstr (stepped, ==, from_scratch);
      with_items += counts.n_review_items > 0;
    }
  g_assert_cmpuint (with_items, >=, G_N_ELEMENTS (steps) - 1);

  /* The same thresholds again write nothing: the labels keep their ids. */
  {
    g_autoptr(GPtrArray) before = wm_store_list_labels (f->store, 0, 0, -1, &error);
    g_autoptr(GPtrArray) after = NULL;
    g_autoptr(WmRun) r = wm_store_get_run (f->store, run, &error);

    wm_autolabel_rethreshold (f->store, run, NULL, NULL, &error);
    g_assert_no_error (error);
    after = wm_store_list_labels (f->store, 0, 0, -1, &error);
    g_assert_cmpuint (before->len, ==, after->len);
    g_assert_cmpuint (before->len, >, 0);
    for (guint i = 0; i < before->len; i++)
      g_assert_cmpint (((WmLabel *) before->pdata[i])->id, ==, ((WmLabel *) after->pdata[i])->id);
  }
}

typedef struct {
  WmStore *store;
  GArray  *done;        /* recording ids in the order they were told */
  GArray  *n_labels;    /* labels each had when told */
} DoneLog;

static void
on_recording_done (gint64   recording_id,
                   gpointer user_data)
{
  DoneLog *log = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) labels = wm_store_list_labels (log->store, recording_id, 0, -1, &error);
  gint64 n;

  g_assert_no_error (error);
  n = labels->len;
  g_array_append_val (log->done, recording_id);
  g_array_append_val (log->n_labels, n);
}

/* Each recording is derived as soon as its probabilities are in, and the
 * caller is told then, with its labels already stored. */
static void
test_recording_done (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) n_labels = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(WmLabelRule) rule = NULL;
  WmAutolabelOptions options = { 0 };
  DoneLog log = { f->store, done, n_labels };
  gint64 model_id, second, total = 0;

  second = add_sensor_recording (f->store, 50000, 11);
  model = golden_model (f->store, &model_id);
  rule = model_rule (model, 0.4);
  options.model = model;
  options.model_id = model_id;
  options.rule = rule;
  options.jobs = 2;
  options.recording_done = on_recording_done;
  options.recording_done_data = &log;
  wm_autolabel_run (f->store, &options, NULL, NULL, NULL, &summary, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (done->len, ==, 2);
  g_assert_cmpint (g_array_index (done, gint64, 0) + g_array_index (done, gint64, 1), ==, f->recording + second);
  for (guint i = 0; i < done->len; i++)
    {
      g_autoptr(GPtrArray) now = wm_store_list_labels (f->store, g_array_index (done, gint64, i), 0, -1, &error);
      g_assert_cmpint (g_array_index (n_labels, gint64, i), ==, now->len);
      total += now->len;
    }
  g_assert_cmpint (total, >, 0);
  g_assert_cmpint (total, ==, summary->labels);

  /* Pages of the pending queue put together are the queue, and each item's
   * rank is its place in it. */
  {
    g_autoptr(GPtrArray) all = wm_store_list_review_items (f->store, 0, TRUE, 0, &error);
    guint at = 0;

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, >, 20);
    for (guint offset = 0; offset < all->len + 7; offset += 7)
      {
        g_autoptr(GPtrArray) page = wm_store_list_review_items_page (f->store, 0, offset, 7, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (page->len, ==, MIN (7, all->len - MIN (offset, all->len)));
        for (guint i = 0; i < page->len; i++, at++)
          {
            gint64 id = ((WmReviewItem *) page->pdata[i])->id;
            g_assert_cmpint (id, ==, ((WmReviewItem *) all->pdata[at])->id);
            g_assert_cmpint (wm_store_get_review_item_rank (f->store, 0, id), ==, at);
          }
      }
    g_assert_cmpuint (at, ==, all->len);
  }

  /* A resumed run of a finished model tells about every recording again. */
  g_array_set_size (done, 0);
  g_array_set_size (n_labels, 0);
  g_clear_pointer (&summary, wm_autolabel_summary_free);
  wm_autolabel_run (f->store, &options, NULL, NULL, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (done->len, ==, 2);
}

/* ---- review and report --------------------------------------------------- */

static void
test_review_and_report (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(WmReport) report = NULL;
  g_autoptr(GPtrArray) review_labels = NULL;
  float probs[30 * 3];
  const WmReportClass *a;
  double low, high;
  gint64 run, b_class;

  /* 20 windows of a just above 0.9 (0.91 .. 0.99 alternating), 10 just below (0.85). */
  for (guint w = 0; w < 30; w++)
    {
      float pa = w < 20 ? 0.905f + 0.004f * (w % 20) : 0.85f;
      probs[w * 3 + 0] = 1.0f - pa;
      probs[w * 3 + 1] = pa;
      probs[w * 3 + 2] = 0.0f;
    }
  b_class = wm_store_add_class (f->store, "b", "#654321", NULL, &error);
  run = constructed_run (f->store, f->recording, probs, 30);
  rethreshold (f->store, run, NULL, -1, NULL, &error);
  g_assert_no_error (error);

  items = wm_store_list_review_items (f->store, run, TRUE, 0, &error);
  g_assert_cmpuint (items->len, ==, 30);
  /* Above (p grows with the window): window 0 relabelled to b, 1–3 rejected,
   * 4–19 accepted.  Below: 20–23 accepted, 24–29 rejected. */
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewItem *item = items->pdata[i];
      gint64 w = item->window_index;
      WmReviewState decision;

      if (w == 0)
        decision = WM_REVIEW_RELABELLED;
      else if (w < 4 || w >= 24)
        decision = WM_REVIEW_REJECTED;
      else
        decision = WM_REVIEW_ACCEPTED;
      wm_store_decide_review_item (f->store, item->id, decision, w == 0 ? b_class : 0, "tester", &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (wm_store_count_review_items (f->store, run, WM_REVIEW_PENDING), ==, 0);

  /* Accepted cells joined into review labels: windows 0..15's cells are one run. */
  review_labels = labels_of (f->store, f->recording, WM_LABEL_SOURCE_REVIEW);
  g_assert_cmpuint (review_labels->len, >=, 2);

  report = wm_report_build (f->store, run, 0.95, &error);
  g_assert_no_error (error);
  a = &g_array_index (report->classes, WmReportClass, 0);
  g_assert_cmpstr (a->name, ==, "a");
  {
    g_autoptr(GPtrArray) model = labels_of (f->store, f->recording, WM_LABEL_SOURCE_MODEL);
    gint64 of_a = 0;
    for (guint i = 0; i < model->len; i++)
      of_a += g_str_equal (((WmLabel *) model->pdata[i])->class_name, "a");
    g_assert_cmpint (of_a, >, 0);
    g_assert_cmpint (a->model_labels, ==, of_a);
  }
  g_assert_cmpint (a->decided_above, ==, 20);
  g_assert_cmpint (a->correct_above, ==, 16);
  g_assert_cmpfloat_with_epsilon (a->precision, 0.8, 1e-12);
  /* Wilson 95 % for 16/20, worked by hand: [0.584, 0.919]. */
  g_assert_cmpfloat_with_epsilon (a->precision_low, 0.5840, 5e-4);
  g_assert_cmpfloat_with_epsilon (a->precision_high, 0.9193, 5e-4);
  g_assert_cmpint (a->decided_below, ==, 10);
  g_assert_cmpint (a->found_below, ==, 4);
  /* Windows 19 … 4 are all right (precision 1.0); adding window 3 drops it to
   * 16/17 < 0.95: the target needs τ = p(window 4) = 0.921. */
  g_assert_cmpfloat_with_epsilon (a->threshold_for_target, 0.921, 1e-6);
  g_assert_cmpuint (g_strv_length (a->warnings), ==, 0);

  wm_report_wilson (0, 0, 1.96, &low, &high);
  g_assert_cmpfloat (low, ==, 0.0);
  g_assert_cmpfloat (high, ==, 1.0);
  wm_report_wilson (10, 10, 1.96, &low, &high);
  g_assert_cmpfloat_with_epsilon (low, 0.7225, 5e-4);
  g_assert_cmpfloat (high, ==, 1.0);

  /* Undo walks the decisions back, labels with them. */
  for (guint i = 0; i < 30; i++)
    {
      wm_store_undo_review_decision (f->store, NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_pointer (&review_labels, g_ptr_array_unref);
  review_labels = labels_of (f->store, f->recording, WM_LABEL_SOURCE_REVIEW);
  g_assert_cmpuint (review_labels->len, ==, 0);
  g_assert_cmpint (wm_store_count_review_items (f->store, run, WM_REVIEW_PENDING), ==, 30);
  g_assert_false (wm_store_undo_review_decision (f->store, NULL, &error));
  g_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND);
}

static WmLabel *
event (gint64      start,
       gint64      end,
       const char *klass)
{
  WmLabel *l = wm_label_new ();

  l->start_frame = start;
  l->end_frame = end;
  l->class_name = g_strdup (klass);
  return l;
}

static void
test_evaluate (void)
{
  g_autoptr(GPtrArray) truth = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  g_autoptr(GPtrArray) predicted = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("waymark-truth-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "truth.csv", NULL);
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o, *go;

  g_ptr_array_add (truth, event (100, 200, "go"));
  g_ptr_array_add (truth, event (300, 400, "go"));
  g_ptr_array_add (truth, event (500, 600, "stop"));
  g_ptr_array_add (predicted, event (110, 210, "go"));   /* IoU 90/110: match */
  g_ptr_array_add (predicted, event (120, 200, "go"));   /* also overlaps the first: loses to the better pair */
  g_ptr_array_add (predicted, event (340, 460, "go"));   /* IoU 60/160 < 0.5: no match */
  g_ptr_array_add (predicted, event (500, 600, "go"));   /* wrong class */
  g_ptr_array_add (predicted, event (500, 590, "stop")); /* match */

  result = wm_evaluate_labels (predicted, truth, 0.5);
  o = json_node_get_object (result);
  g_assert_cmpint (json_object_get_int_member (o, "matched"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "precision"), 2.0 / 5, 1e-12);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "recall"), 2.0 / 3, 1e-12);
  go = json_object_get_object_member (json_object_get_object_member (o, "classes"), "go");
  g_assert_cmpint (json_object_get_int_member (go, "predicted"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (go, "truth"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (go, "matched"), ==, 1);

  g_assert_true (g_file_set_contents (csv, "start_s,end_s,class\n1.5,2.25,go\n\n3,3,tap\n", -1, NULL));
  read = wm_evaluate_read_truth (csv, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, 2);
  g_assert_cmpint (((WmLabel *) read->pdata[0])->start_frame, ==, 150);
  g_assert_cmpint (((WmLabel *) read->pdata[0])->end_frame, ==, 225);
  g_clear_pointer (&read, g_ptr_array_unref);
  g_assert_true (g_file_set_contents (csv, "start_s,end_s,class\n2,1,go\n", -1, NULL));
  read = wm_evaluate_read_truth (csv, 100, &error);
  g_assert_null (read);
  g_assert_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, ":2:"));
  wm_test_remove_tree (dir);
}

static void
test_thresholds_parse (void)
{
  g_autoptr(GError) error = NULL;
  char *names[] = { (char *) "background", (char *) "wake", (char *) "noise", (char *) "left", NULL };
  g_autoptr(WmLabelRule) rule = wm_label_rule_new (names, 100, 10);

  g_assert_false (rule->classes[0].enabled);
  g_assert_true (wm_label_rule_apply_text (rule, "wake=0.8,noise=0.7,left=off", &error));
  g_assert_no_error (error);
  g_assert_false (rule->classes[0].enabled);
  g_assert_cmpfloat (rule->classes[1].threshold, ==, 0.8);
  g_assert_cmpfloat (rule->classes[2].threshold, ==, 0.7);
  g_assert_false (rule->classes[3].enabled);
  /* A bare number: every enabled class, named ones win whatever the order. */
  g_assert_true (wm_label_rule_apply_text (rule, "wake=0.95, 0.6", &error));
  g_assert_cmpfloat (rule->classes[2].threshold, ==, 0.6);
  g_assert_cmpfloat (rule->classes[1].threshold, ==, 0.95);
  g_assert_false (rule->classes[3].enabled);
  g_assert_cmpfloat (rule->classes[3].threshold, ==, 0.9);
  /* Named: switched on. */
  g_assert_true (wm_label_rule_apply_text (rule, "left=0.5", &error));
  g_assert_true (rule->classes[3].enabled);
  g_assert_cmpfloat (rule->classes[3].threshold, ==, 0.5);
  /* Errors leave the rule as it was. */
  g_assert_false (wm_label_rule_apply_text (rule, "wake=0.1,sleep=0.5", &error));
  g_assert_error (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID);
  g_assert_cmpfloat (rule->classes[1].threshold, ==, 0.95);
  g_clear_error (&error);
  g_assert_false (wm_label_rule_apply_text (rule, "high", &error));
  g_assert_error (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (wm_label_rule_apply_text (rule, "left=2", &error));
  g_assert_nonnull (strstr (error->message, "off"));
}

/* ---- one rule: preview = ghosts = apply = report ---------------------------- */

/* A random rule over the run's classes: thresholds on a 0.01 grid (ties with
 * the probabilities happen), classes switched on or off, a margin. */
static WmLabelRule *
random_rule (WmStore *store,
             gint64   run_id,
             GRand   *rand)
{
  WmLabelRule *rule = rule_with (store, run_id, NULL, g_rand_int_range (rand, 0, 31) / 100.0);

  for (guint k = 0; k < rule->n_classes; k++)
    {
      rule->classes[k].threshold = g_rand_int_range (rand, 20, 101) / 100.0;
      rule->classes[k].enabled = !wm_label_rule_is_background (rule, k) && g_rand_int_range (rand, 0, 5) > 0;
    }
  return rule;
}

static void
assert_one_rule (WmStore           *store,
                 gint64             run_id,
                 gint64             recording_id,
                 const WmLabelRule *rule)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRun) run = wm_store_get_run (store, run_id, &error);
  g_autoptr(WmLabelRuleRecording) input = NULL;
  g_autoptr(WmLabelRuleResult) ghosts = NULL;
  g_autofree WmLabelRuleCounts *per_class = NULL;
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(WmReport) report = NULL;
  WmAutolabelCounts preview;
  guint at = 0;

  /* The preview (counts), the ghosts (what the confidence track draws:
   * the rule over the recording as read), the apply, the report. */
  g_assert_true (wm_autolabel_preview (store, run_id, 0, rule, &preview, &per_class, &error));
  g_assert_no_error (error);
  input = wm_label_rule_recording_read (store, run, recording_id, &error);
  g_assert_no_error (error);
  ghosts = wm_label_rule_derive (rule, input);
  g_assert_true (wm_autolabel_rethreshold (store, run_id, rule, &summary, &error));
  g_assert_no_error (error);
  report = wm_report_build (store, run_id, 0.9, &error);
  g_assert_no_error (error);

  g_assert_cmpint (preview.n_labels, ==, ghosts->labels->len);
  g_assert_cmpint (preview.n_review_items, ==, ghosts->review_items->len);
  g_assert_cmpint (summary->labels, ==, preview.n_labels);
  g_assert_cmpint (summary->review_items, ==, preview.n_review_items);
  g_assert_cmpint (wm_store_count_review_items (store, run_id, WM_REVIEW_PENDING), ==, preview.n_review_items);

  stored = wm_store_list_run_labels (store, run_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored->len; i++)
    {
      const WmLabel *l = stored->pdata[i];
      const WmLabelRuleLabel *g;

      if (l->source != WM_LABEL_SOURCE_MODEL)
        continue;
      g_assert_cmpuint (at, <, ghosts->labels->len);
      g = &g_array_index (ghosts->labels, WmLabelRuleLabel, at++);
      g_assert_cmpint (l->start_frame, ==, g->start_frame);
      g_assert_cmpint (l->end_frame, ==, g->end_frame);
      g_assert_cmpstr (l->class_name, ==, rule->class_names[g->class_index]);
    }
  g_assert_cmpuint (at, ==, ghosts->labels->len);

  for (guint i = 0, k = 0; k < rule->n_classes; k++)
    {
      const WmReportClass *c;

      if (!rule->classes[k].enabled)
        {
          g_assert_cmpint (per_class[k].labels + per_class[k].review_items, ==, 0);
          continue;
        }
      c = &g_array_index (report->classes, WmReportClass, i++);
      g_assert_cmpstr (c->name, ==, rule->class_names[k]);
      g_assert_cmpfloat (c->threshold, ==, rule->classes[k].threshold);
      g_assert_cmpint (c->model_labels, ==, per_class[k].labels);
      g_assert_cmpint (c->windows_above, ==, per_class[k].windows_above);
      g_assert_cmpint (c->band_below_windows, ==, per_class[k].band_below);
      g_assert_cmpint (c->pending, ==, per_class[k].review_items);
    }
}

/* Random probabilities, human labels (point events among them), review
 * decisions and rules: the preview counts, the ghost regions, what apply
 * stores and what the report counts are one thing. */
static void
test_one_rule_property (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  gint64 class_a = wm_store_add_class (f->store, "a", "#112233", NULL, &error);
  guint rounds = g_test_slow () ? 200 : 30;

  g_assert_no_error (error);
  for (guint round = 0; round < rounds; round++)
    {
      guint n_windows = g_rand_int_range (rand, 1, 120);
      gint64 recording = add_sensor_recording (f->store, n_windows * 10 + 30, round);
      g_autofree float *probs = g_new (float, n_windows * 3);
      g_autoptr(GPtrArray) pending = NULL;
      gint64 run;

      for (guint w = 0; w < n_windows; w++)
        {
          guint a = g_rand_int_range (rand, 0, 101), b = g_rand_int_range (rand, 0, 101 - a);

          probs[w * 3 + 1] = a / 100.0f;
          probs[w * 3 + 2] = b / 100.0f;
          probs[w * 3 + 0] = (100 - a - b) / 100.0f;
        }
      if (g_rand_int_range (rand, 0, 4) == 0)
        probs[g_rand_int_range (rand, 0, n_windows) * 3 + 1] = NAN;
      run = constructed_run (f->store, recording, probs, n_windows);

      for (guint h = g_rand_int_range (rand, 0, 5); h > 0; h--)
        {
          g_autoptr(WmLabel) human = wm_label_new ();
          gint64 length = g_rand_boolean (rand) ? 0 : g_rand_int_range (rand, 1, 60);

          human->recording_id = recording;
          human->class_id = class_a;
          human->start_frame = g_rand_int_range (rand, 0, n_windows * 10 + 30);
          human->end_frame = MIN (human->start_frame + length, (gint64) n_windows * 10 + 30);
          wm_store_add_label (f->store, human, &error);
          g_assert_no_error (error);
        }

      /* A first rule, then some decisions on its review items. */
      {
        g_autoptr(WmLabelRule) first = random_rule (f->store, run, rand);
        assert_one_rule (f->store, run, recording, first);
      }
      pending = wm_store_list_review_items (f->store, run, TRUE, 0, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < pending->len; i++)
        {
          const WmReviewItem *item = pending->pdata[i];
          WmReviewState decision = g_rand_int_range (rand, 1, 4);

          if (g_rand_int_range (rand, 0, 3) != 0)
            continue;
          wm_store_decide_review_item (f->store, item->id, decision,
                                       decision == WM_REVIEW_RELABELLED ? class_a : 0, "tester", &error);
          g_assert_no_error (error);
        }
      for (guint again = 0; again < 3; again++)
        {
          g_autoptr(WmLabelRule) rule = random_rule (f->store, run, rand);
          assert_one_rule (f->store, run, recording, rule);
        }
    }
}

/* The README's example, `autolabel --rethreshold RUN --threshold stop=0.5`,
 * as the command line does it: the run's rule with the classes named
 * changed.  The other classes keep their stored thresholds, a class
 * switched off stays off and gets no labels. */
static void
test_rethreshold_named_only (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *names[] = { (char *) "background", (char *) "go", (char *) "stop", (char *) "left", NULL };
  double thresholds[] = { 0.9, 0.7, 0.8, 0.9 };
  g_autoptr(WmLabelRule) rule = NULL;
  g_autoptr(WmRun) before = NULL;
  g_autoptr(WmRun) after = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  float probs[40 * 4];
  WmRun run = { 0 };
  gint64 id;
  guint n_stop = 0;

  /* Windows alternate: left very sure, stop at 0.6, go at 0.75. */
  for (guint w = 0; w < 40; w++)
    {
      float *p = probs + w * 4;
      p[0] = 0.02f;
      p[1] = w % 3 == 0 ? 0.75f : 0.01f;
      p[2] = w % 3 == 1 ? 0.6f : 0.01f;
      p[3] = 1.0f - p[0] - p[1] - p[2];
    }
  run.model_name = (char *) "voice";
  run.model_version = (char *) "1";
  run.variant = (char *) "int8";
  run.class_names = names;
  run.thresholds = thresholds;
  run.margin = 0.05;
  run.window_frames = 40;
  run.hop_frames = 10;
  run.state = WM_RUN_COMPLETE;
  /* "left" switched off, as `--threshold left=off` or --class go --class stop store it. */
  rule = wm_label_rule_new (names, 40, 10);
  for (guint k = 0; k < 4; k++)
    rule->classes[k].threshold = thresholds[k];
  rule->classes[3].enabled = FALSE;
  rule->margin = 0.05;
  wm_label_rule_store_in_run (rule, &run);
  id = wm_store_add_run (f->store, &run, &error);
  g_assert_no_error (error);
  wm_store_put_predictions (f->store, id, f->recording, 0, 40, 4, probs, &error);
  g_assert_no_error (error);
  g_clear_pointer (&rule, wm_label_rule_free);

  before = wm_store_get_run (f->store, id, &error);
  rule = wm_label_rule_new_for_run (before);
  g_assert_true (wm_label_rule_apply_text (rule, "stop=0.5", &error));
  g_assert_no_error (error);
  g_assert_true (wm_autolabel_rethreshold (f->store, id, rule, NULL, &error));
  g_assert_no_error (error);

  after = wm_store_get_run (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (after->thresholds[0], ==, before->thresholds[0]);
  g_assert_cmpfloat (after->thresholds[1], ==, 0.7);
  g_assert_cmpfloat (after->thresholds[2], ==, 0.5);
  g_assert_cmpfloat (after->thresholds[3], ==, before->thresholds[3]);
  g_assert_false (wm_label_rule_run_class_enabled (after, 3));
  g_assert_true (wm_label_rule_run_class_enabled (after, 1));
  g_assert_cmpfloat (after->margin, ==, 0.05);

  labels = wm_store_list_run_labels (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (labels->len, >, 0);
  for (guint i = 0; i < labels->len; i++)
    {
      const WmLabel *l = labels->pdata[i];

      g_assert_cmpstr (l->class_name, !=, "left");
      n_stop += g_str_equal (l->class_name, "stop");
    }
  g_assert_cmpuint (n_stop, ==, 13);   /* windows 1, 4, … 37, each its own label */

  /* A bare number: every enabled class, "left" still off. */
  g_assert_true (wm_label_rule_apply_text (rule, "0.55", &error));
  g_assert_cmpfloat (rule->classes[1].threshold, ==, 0.55);
  g_assert_cmpfloat (rule->classes[2].threshold, ==, 0.55);
  g_assert_false (rule->classes[3].enabled);
}

/* Point events among the human labels: each covers the one cell holding
 * its frame, wherever they sit among the spans. */
static void
test_point_events_cover (void)
{
  char *names[] = { (char *) "background", (char *) "a", NULL };
  g_autoptr(WmLabelRule) rule = wm_label_rule_new (names, 30, 10);  /* cells [w·10 + 10, w·10 + 20) */
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(WmLabelRuleRecording) input = NULL;
  g_autoptr(WmLabelRuleResult) result = NULL;
  const gint64 pairs[] = { 35, 35, 10, 10, 59, 59, 60, 61, 100, 100, 100, 100 };
  guint n_windows = 20;
  float *probs = g_new (float, n_windows * 2);

  for (guint w = 0; w < n_windows; w++)
    {
      probs[w * 2] = 0.0f;
      probs[w * 2 + 1] = 1.0f;
    }
  g_array_append_vals (spans, pairs, G_N_ELEMENTS (pairs));
  input = wm_label_rule_recording_new (1, 300, probs, n_windows, 2, spans, NULL);
  result = wm_label_rule_derive (rule, input);
  /* Covered cells: w = 0 (10), 2 (35), 4 (59), 5 (60), 9 (100). */
  g_assert_cmpuint (result->labels->len, ==, 4);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 0).start_frame, ==, 20);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 0).end_frame, ==, 30);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 1).start_frame, ==, 40);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 1).end_frame, ==, 50);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 2).start_frame, ==, 70);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 2).end_frame, ==, 100);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 3).start_frame, ==, 110);
  g_assert_cmpint (g_array_index (result->labels, WmLabelRuleLabel, 3).end_frame, ==, 210);
}


int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/autolabel/thresholds", test_thresholds_parse);
  g_test_add_func ("/autolabel/evaluate", test_evaluate);
  ADD ("/autolabel/merging-and-band", test_merging_and_band);
  ADD ("/autolabel/human-labels-untouched", test_human_labels_untouched);
  ADD ("/autolabel/rerun-idempotent-jobs-agree", test_rerun_is_idempotent_and_jobs_agree);
  ADD ("/autolabel/interrupt-and-resume", test_interrupt_and_resume);
  ADD ("/autolabel/rethreshold-equals-fresh", test_rethreshold_equals_fresh_run);
  ADD ("/autolabel/rethreshold-steps", test_rethreshold_steps);
  ADD ("/autolabel/recording-done", test_recording_done);
  ADD ("/autolabel/review-and-report", test_review_and_report);
  ADD ("/autolabel/one-rule/property", test_one_rule_property);
  ADD ("/autolabel/one-rule/rethreshold-named-only", test_rethreshold_named_only);
  g_test_add_func ("/autolabel/one-rule/point-events-cover", test_point_events_cover);

  return g_test_run ();
}
