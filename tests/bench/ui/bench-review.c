/* bench-review.c — the threshold preview and the review queue over 100,000 windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project with one 100 Hz recording of 1,000,010 frames and a run of
 * 100,000 stored windows (window 20, hop 10 frames; classes background,
 * event, other), its labels and review items derived once.  Then, each the
 * median of ITERATIONS:
 *   read       wm_store_read_predictions of the 100,000 windows — the
 *              comparator: what any look at the stored probabilities costs
 *   preview    wm_autolabel_preview at a new threshold (what a drag step
 *              computes, in the track's worker)
 *   apply      wm_autolabel_rethreshold, the release
 *   live       in the app's window: the track's threshold set → its preview
 *              counts arrive on the main thread (worker hand-off included)
 *   ghosts     the track's ghost regions for the whole recording on screen
 *   reload     the review panel re-reading a queue of ~80,000 items
 *              (threshold 0.5, margin 0.5 for the app part)
 *   decision   review mode over that queue: review.accept → the next
 *              item painted (frame clock after-paint), at the head of the
 *              queue and 50 items from its end (deep pages)
 * Ratios are against `read`, in the same process.
 *
 * Usage: bench-review [DIR]  (default: a temporary directory, removed after)
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>

#include "test-util.h"
#include "views-test-util.h"
#include "wm-application.h"
#include "wm-autolabel.h"
#include "wm-recording-view-private.h"
#include "wm-review-panel.h"
#include "wm-test-gui.h"
#include "wm-window.h"

#define ITERATIONS 21
#define N_WINDOWS  100000
#define WINDOW     20
#define HOP        10
#define N_CLASSES  3

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static gint64
make_project (const char *path,
              gint64     *out_recording_id,
              GError    **error)
{
  g_autoptr(WmStore) store = NULL;
  g_autofree float *probs = g_new (float, (gsize) N_WINDOWS * N_CLASSES);
  char *names[] = { (char *) "background", (char *) "event", (char *) "other", NULL };
  double thresholds[] = { 0.9, 0.9, 0.9 };
  gint64 recording_id, run_id;
  guint32 state = 12345;

  store = wm_store_open (path, WM_STORE_OPEN_CREATE, error);
  if (store == NULL)
    return 0;
  if (wm_store_add_class (store, "event", "#e01b24", "1", error) == 0
      || wm_store_add_class (store, "other", "#2ec27e", "2", error) == 0)
    return 0;
  recording_id = views_test_add_sensor (store, (N_WINDOWS - 1) * HOP / 100.0 + WINDOW / 100.0, 100, error);
  if (recording_id == 0)
    return 0;

  run_id = views_test_add_run (store, "bench", "1", names, thresholds, WINDOW, HOP, error);
  if (run_id == 0)
    return 0;

  /* Events that rise and fall over tens of windows, with jitter. */
  for (gint64 w = 0; w < N_WINDOWS; w++)
    {
      double p, other;

      state = state * 1664525u + 1013904223u;
      p = 0.5 + 0.48 * sin (w * 0.021) * cos (w * 0.0017) + ((state >> 8) / 16777216.0 - 0.5) * 0.08;
      p = CLAMP (p, 0.0, 1.0);
      other = (1 - p) * 0.35;
      probs[w * N_CLASSES + 0] = (float) (1 - p - other);
      probs[w * N_CLASSES + 1] = (float) p;
      probs[w * N_CLASSES + 2] = (float) other;
    }
  if (!wm_store_begin (store, error))
    return 0;
  for (gint64 first = 0; first < N_WINDOWS; first += 1000)
    if (!wm_store_put_predictions (store, run_id, recording_id, first, (guint) MIN (1000, N_WINDOWS - first),
                                   N_CLASSES, probs + first * N_CLASSES, error))
      return 0;
  if (!wm_store_commit (store, error))
    return 0;
  if (!wm_autolabel_rethreshold (store, run_id, NULL, NULL, error))
    return 0;
  *out_recording_id = recording_id;
  return run_id;
}

static void
spin (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
wait_until (gboolean (*done) (gpointer),
            gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
  return TRUE;
}

static gboolean
view_ready (gpointer data)
{
  return wm_recording_view_is_ready (data);
}

static gboolean
preview_ready (gpointer data)
{
  return wm_confidence_track_get_preview (data, NULL, NULL);
}

typedef struct {
  WmRecordingView *view;
  gint64           expected;
  gint64           painted_at;
} Paint;

static void
on_after_paint (GdkFrameClock *clock,
                Paint         *paint)
{
  const WmReviewItem *item = wm_recording_view_get_review_item (paint->view);

  if (paint->painted_at == 0 && paint->expected != 0 && item != NULL && item->id == paint->expected)
    paint->painted_at = g_get_monotonic_time ();
}

static gboolean
painted (gpointer data)
{
  return ((Paint *) data)->painted_at != 0;
}

static WmReviewPanel *
find_panel (GtkWidget *widget)
{
  if (WM_IS_REVIEW_PANEL (widget))
    return WM_REVIEW_PANEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      WmReviewPanel *panel = find_panel (child);

      if (panel != NULL)
        return panel;
    }
  return NULL;
}

/* Decisions at queue position @position: accept → next item painted. */
static double
decision_ms (WmWindow      *window,
             WmReviewPanel *panel,
             guint          position)
{
  WmRecordingView *view = WM_RECORDING_VIEW (wm_window_get_recording_view (window));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  double times[ITERATIONS];
  Paint paint = { view, 0, 0 };
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &paint);

  for (guint i = 0; i < ITERATIONS; i++)
    {
      g_autoptr(WmReviewRow) next = NULL;
      gint64 start;

      wm_review_panel_select (panel, position);
      spin ();
      next = g_list_model_get_item (wm_review_panel_get_model (panel), position + 1);
      paint.expected = wm_review_row_get_item (next)->id;
      paint.painted_at = 0;
      start = g_get_monotonic_time ();
      gtk_widget_activate_action (GTK_WIDGET (view), "review.accept", NULL);
      if (!wait_until (painted, &paint))
        g_error ("the next review item was never painted");
      times[i] = (paint.painted_at - start) / 1000.0;
    }
  g_signal_handler_disconnect (clock, handler);
  return views_test_median (times, ITERATIONS);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmApplication) application = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *loadavg = NULL;
  double read_ms[ITERATIONS], preview_ms[ITERATIONS], apply_ms[ITERATIONS], live_ms[ITERATIONS];
  double ghost_ms[ITERATIONS];
  double read_median, head_ms, deep_ms;
  gint64 recording_id = 0, run_id, pending, queue_pending, started;
  double reload_ms[ITERATIONS];
  WmWindow *window;
  WmRecordingView *view;
  WmConfidenceTrack *track;
  WmReviewPanel *panel;
  gboolean keep = argc > 1;

  wm_test_gui_setenv ();
  gst_init (&argc, &argv);

  dir = keep ? g_strdup (argv[1]) : g_dir_make_tmp ("waymark-bench-review-XXXXXX", &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, "bench-review.waymark", NULL);
  g_unlink (path);

  started = g_get_monotonic_time ();
  run_id = make_project (path, &recording_id, &error);
  g_assert_no_error (error);
  printf ("project: %d windows stored, labels and review items derived in %.1f s\n", N_WINDOWS,
          ms_since (started) / 1000);

  store = wm_store_open (path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  pending = wm_store_count_review_items (store, run_id, WM_REVIEW_PENDING);

  /* Store-level: the comparator, the preview, the apply. */
  for (guint i = 0; i < ITERATIONS; i++)
    {
      double t = 0.5 + 0.45 * i / (ITERATIONS - 1);
      g_autoptr(WmRun) run = wm_store_get_run (store, run_id, &error);
      g_autoptr(WmLabelRule) rule = wm_label_rule_new_for_run (run);
      WmAutolabelCounts counts;
      gint64 n_windows = 0;
      g_autofree float *probs = NULL;

      started = g_get_monotonic_time ();
      probs = wm_store_read_predictions (store, run_id, recording_id, N_CLASSES, &n_windows, &error);
      read_ms[i] = ms_since (started);
      g_assert_no_error (error);
      g_assert_cmpint (n_windows, ==, N_WINDOWS);

      started = g_get_monotonic_time ();
      rule->classes[1].threshold = t;
      g_assert_true (wm_autolabel_preview (store, run_id, recording_id, rule, &counts, NULL, &error));
      preview_ms[i] = ms_since (started);
      g_assert_no_error (error);

      rule->classes[1].threshold = i % 2 == 0 ? 0.88 : 0.9;
      started = g_get_monotonic_time ();
      g_assert_true (wm_autolabel_rethreshold (store, run_id, rule, NULL, &error));
      apply_ms[i] = ms_since (started);
      g_assert_no_error (error);
    }
  /* A long queue for the app: threshold 0.5, margin 0.5 send nearly every
   * window to review. */
  {
    g_autoptr(WmRun) run = wm_store_get_run (store, run_id, &error);
    g_autoptr(WmLabelRule) rule = wm_label_rule_new_for_run (run);

    rule->classes[1].threshold = 0.5;
    rule->margin = 0.5;
    g_assert_true (wm_autolabel_rethreshold (store, run_id, rule, NULL, &error));
    g_assert_no_error (error);
  }
  queue_pending = wm_store_count_review_items (store, run_id, WM_REVIEW_PENDING);
  g_clear_object (&store);
  read_median = views_test_median (read_ms, ITERATIONS);

  /* The app. */
  gtk_init ();
  application = wm_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  window = wm_window_new (GTK_APPLICATION (application));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_path (path);
  g_assert_true (wm_window_open_project (window, file, &error));
  g_assert_no_error (error);
  view = WM_RECORDING_VIEW (wm_window_get_recording_view (window));
  track = wm_recording_view_get_confidence_track (view);
  g_assert_true (wm_window_select_recording (window, recording_id));
  g_assert_true (wait_until (view_ready, view));
  wm_confidence_track_set_class_index (track, 1);

  for (guint i = 0; i < ITERATIONS; i++)
    {
      g_autoptr(GArray) ghosts = NULL;

      g_assert_true (wait_until (preview_ready, track));
      started = g_get_monotonic_time ();
      wm_confidence_track_set_threshold (track, 0.55 + 0.3 * i / (ITERATIONS - 1));
      g_assert_true (wait_until (preview_ready, track));
      live_ms[i] = ms_since (started);

      started = g_get_monotonic_time ();
      ghosts = wm_confidence_track_dup_ghost_regions (track);
      ghost_ms[i] = ms_since (started);
      g_assert_cmpuint (ghosts->len, >, 0);
    }
  wm_confidence_track_set_threshold (track, 0.5);

  g_action_group_activate_action (G_ACTION_GROUP (window), "review-mode", NULL);
  panel = find_panel (GTK_WIDGET (window));
  g_assert_nonnull (panel);
  g_assert_true (wait_until (view_ready, view));
  for (guint i = 0; i < ITERATIONS; i++)
    {
      started = g_get_monotonic_time ();
      wm_review_panel_reload (panel);
      reload_ms[i] = ms_since (started);
      spin ();
    }
  head_ms = decision_ms (window, panel, 0);
  deep_ms = decision_ms (window, panel, g_list_model_get_n_items (wm_review_panel_get_model (panel)) - 50);

  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  printf ("review items at threshold 0.9, margin 0.1: %" G_GINT64_FORMAT "; the app's queue (0.5, 0.5): %"
          G_GINT64_FORMAT "\n", pending, queue_pending);
  printf ("read predictions (comparator)   %8.2f ms\n", read_median);
  printf ("preview, one threshold          %8.2f ms  (%.2f× read)\n",
          views_test_median (preview_ms, ITERATIONS), views_test_median (preview_ms, ITERATIONS) / read_median);
  printf ("apply (rethreshold)             %8.2f ms  (%.2f× read; goal < 50 ms)\n",
          views_test_median (apply_ms, ITERATIONS), views_test_median (apply_ms, ITERATIONS) / read_median);
  printf ("live preview in the app         %8.2f ms  (%.2f× read; set threshold → counts on screen thread)\n",
          views_test_median (live_ms, ITERATIONS), views_test_median (live_ms, ITERATIONS) / read_median);
  printf ("ghost regions, whole recording  %8.2f ms\n", views_test_median (ghost_ms, ITERATIONS));
  printf ("review queue reload (count, page, counters) %8.2f ms\n", views_test_median (reload_ms, ITERATIONS));
  printf ("decision → next item painted    %8.2f ms at the head, %.2f ms 50 from the end (goal < 100 ms)\n",
          head_ms, deep_ms);
  printf ("load average: %s", loadavg != NULL ? loadavg : "?\n");

  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
  if (!keep)
    wm_test_remove_tree (dir);
  return 0;
}
