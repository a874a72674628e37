/* bench-review.c — rethreshold of 100,000 stored windows; review next at 1,000
 * and 100,000 pending items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-review [DIR]
 *
 * Figures are printed against comparators run in the same process: the
 * rethreshold against one plain pass over the same probabilities in memory,
 * and review next at 100,000 pending items against 1,000.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "wm-autolabel.h"

#define N_WINDOWS 100000

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, compare_doubles);
  return v[n / 2];
}

static WmStore *
fresh_store (const char *dir,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  WmStore *store;

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  store = wm_store_open (path, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  return store;
}

static gint64
add_recording (WmStore *store,
               gint64   n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRecording) r = wm_recording_new ();
  g_autofree gint16 *zeros = g_new0 (gint16, 1 << 16);
  WmRecordingWriter *w;

  r->name = g_strdup ("bench");
  r->sample_rate = 16000;
  r->n_channels = 1;
  r->kind = WM_RECORDING_KIND_AUDIO;
  r->sample_format = WM_SAMPLE_FORMAT_INT16;
  w = wm_store_begin_recording (store, r, &error);
  g_assert_no_error (error);
  for (gint64 done = 0; done < n_frames; done += 1 << 16)
    wm_recording_writer_append (w, zeros, MIN (1 << 16, n_frames - done), &error);
  g_assert_no_error (error);
  return wm_recording_writer_commit (w, &error);
}

/* A 3-class run over @n_windows windows with probabilities drawn so that
 * about @band_fraction of them land in the review band. */
static gint64
add_run (WmStore *store,
         gint64   recording,
         gint64   n_windows,
         double   band_fraction,
         float  **out_probs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  char *names[] = { (char *) "background", (char *) "a", (char *) "b", NULL };
  double thresholds[] = { 0.9, 0.9, 0.9 };
  float *probs = g_new (float, n_windows * 3);
  WmRun run = { 0 };
  gint64 id;

  /* Model output comes in stretches: background, a class it is sure of,
   * or something it hesitates over (in the band [0.85, 0.95) around 0.9);
   * @band_fraction of the stretches hesitate. */
  for (gint64 w = 0; w < n_windows;)
    {
      gint64 length = g_rand_int_range (rand, 5, 60);
      double u = g_rand_double (rand);
      guint k = g_rand_int_range (rand, 1, 3);

      for (gint64 end = MIN (n_windows, w + length); w < end; w++)
        {
          float p = u < band_fraction ? (float) g_rand_double_range (rand, 0.85, 0.95)
                                      : u < 0.5 + band_fraction / 2 ? (float) g_rand_double_range (rand, 0.0, 0.5)
                                                                    : (float) g_rand_double_range (rand, 0.96, 1.0);
          probs[w * 3] = 1.0f - p;
          probs[w * 3 + k] = p;
          probs[w * 3 + 3 - k] = 0.0f;
        }
    }
  run.model_name = (char *) "bench";
  run.model_version = (char *) "1";
  run.variant = (char *) "int8";
  run.class_names = names;
  run.thresholds = thresholds;
  run.margin = 0.05;
  run.window_frames = 1600;
  run.hop_frames = 160;
  run.state = WM_RUN_COMPLETE;
  id = wm_store_add_run (store, &run, &error);
  g_assert_no_error (error);
  wm_store_begin (store, &error);
  for (gint64 first = 0; first < n_windows; first += 2048)
    wm_store_put_predictions (store, id, recording, first, (guint) MIN (2048, n_windows - first), 3,
                              probs + first * 3, &error);
  wm_store_commit (store, &error);
  g_assert_no_error (error);
  *out_probs = probs;
  return id;
}

/* The least work a rethreshold must do: one pass over the probabilities. */
static gint64
plain_pass (const float *probs,
            gint64       n_windows,
            double       t,
            double       m)
{
  gint64 above = 0, band = 0;

  for (gint64 w = 0; w < n_windows; w++)
    {
      float p = MAX (probs[w * 3 + 1], probs[w * 3 + 2]);
      above += p >= t;
      band += p >= t - m && p < t + m;
    }
  return above * 1000003 + band;
}

static double
time_review_next (WmStore *store,
                  guint    repeats)
{
  g_autofree double *times = g_new (double, repeats);

  for (guint i = 0; i < repeats; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) items = NULL;
      double t = now_s ();

      items = wm_store_list_review_items (store, 0, TRUE, 1, &error);
      times[i] = now_s () - t;
      g_assert_no_error (error);
      g_assert_cmpuint (items->len, ==, 1);
    }
  return median (times, repeats);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *dir = argc > 1 ? argv[1] : g_get_tmp_dir ();
  g_autoptr(WmStore) store = fresh_store (dir, "bench-review.waymark");
  g_autofree float *probs = NULL;
  double apply[5], preview[5], plain[5];
  volatile gint64 sink = 0;
  g_autoptr(WmLabelRule) rule = NULL;
  gint64 rec, run;
  WmAutolabelCounts counts;

  rec = add_recording (store, (gint64) N_WINDOWS * 160 + 1600);
  run = add_run (store, rec, N_WINDOWS, 0.10, &probs);
  {
    g_autoptr(WmRun) stored = wm_store_get_run (store, run, &error);

    g_assert_no_error (error);
    rule = wm_label_rule_new_for_run (stored);
    rule->margin = 0.05;
  }

  for (guint i = 0; i < G_N_ELEMENTS (apply); i++)
    {
      double t = now_s ();
      rule->classes[1].threshold = rule->classes[2].threshold = 0.88 + 0.01 * i;
      wm_autolabel_preview (store, run, rec, rule, &counts, NULL, &error);
      g_assert_no_error (error);
      preview[i] = now_s () - t;

      t = now_s ();
      wm_autolabel_rethreshold (store, run, rule, NULL, &error);
      g_assert_no_error (error);
      apply[i] = now_s () - t;

      t = now_s ();
      sink += plain_pass (probs, N_WINDOWS, rule->classes[1].threshold, 0.05);
      plain[i] = now_s () - t;
    }

  printf ("stored windows:                          %d\n", N_WINDOWS);
  printf ("labels / review items at the last threshold: %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT "\n",
          counts.n_labels, counts.n_review_items);
  printf ("preview a new threshold (counts only):   %.2f ms (median of 5)\n", median (preview, 5) * 1e3);
  printf ("apply a new threshold (labels, items):   %.2f ms\n", median (apply, 5) * 1e3);
  printf ("plain pass over the same floats:         %.3f ms\n", median (plain, 5) * 1e3);
  printf ("ratio preview / plain pass:              %.1f\n", median (preview, 5) / median (plain, 5));

  /* review next: 1,000 pending against 100,000 pending. */
  {
    g_autoptr(WmStore) small = fresh_store (dir, "bench-review-1k.waymark");
    g_autoptr(WmStore) large = fresh_store (dir, "bench-review-100k.waymark");
    g_autofree float *p_small = NULL;
    g_autofree float *p_large = NULL;
    gint64 r_small = add_recording (small, 1000 * 160 + 1600);
    gint64 r_large = add_recording (large, 100000 * 160 + 1600);
    gint64 run_small = add_run (small, r_small, 1000, 1.0, &p_small);
    gint64 run_large = add_run (large, r_large, 100000, 1.0, &p_large);
    double t_small, t_large;

    wm_autolabel_rethreshold (small, run_small, NULL, NULL, &error);
    g_assert_no_error (error);
    wm_autolabel_rethreshold (large, run_large, NULL, NULL, &error);
    g_assert_no_error (error);
    t_small = time_review_next (small, 201);
    t_large = time_review_next (large, 201);
    printf ("review next, %6" G_GINT64_FORMAT " pending:            %.3f ms (median of 201)\n",
            wm_store_count_review_items (small, 0, WM_REVIEW_PENDING), t_small * 1e3);
    printf ("review next, %6" G_GINT64_FORMAT " pending:            %.3f ms\n",
            wm_store_count_review_items (large, 0, WM_REVIEW_PENDING), t_large * 1e3);
    printf ("ratio (100× the items):                  %.2f\n", t_large / t_small);
  }
  return sink == -1;
}
