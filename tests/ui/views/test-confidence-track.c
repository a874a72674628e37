/* test-confidence-track.c — WmConfidenceTrack in a real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A 100 Hz recording with a run of 20,000 stored windows whose
 * probabilities are known: the class "event" at 0.2 everywhere but a block
 * of windows at 0.95 and one lone window at 1.0.  The track is rendered to
 * a texture and its pixels are read back.
 */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "views-test-util.h"
#include "wm-recording-view-private.h"

#define N_WINDOWS   20000
#define WINDOW      20
#define HOP         10
#define BLOCK_FIRST 4000   /* windows [4000, 6000) at 0.95 */
#define BLOCK_LAST  6000
#define SPIKE       15001  /* one window at 1.0 */
#define WAIT_LIMIT_US (60 * G_USEC_PER_SEC)

typedef struct {
  char            *dir;
  char            *path;
  WmStore         *store;
  gint64           recording_id;
  gint64           run_id;
  GtkWidget       *window;
  WmRecordingView *view;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *probs = g_new (float, N_WINDOWS * 2);
  char *names[] = { (char *) "background", (char *) "event", NULL };
  double thresholds[] = { 0.9, 0.9 };

  fixture->store = views_test_new_project ("waymark-confidence-XXXXXX", &fixture->dir, &fixture->path);
  g_assert_cmpint (wm_store_add_class (fixture->store, "event", "#e01b24", "1", &error), >, 0);
  fixture->recording_id = views_test_add_sensor (fixture->store, ((N_WINDOWS - 1) * HOP + WINDOW) / 100.0,
                                                 100, &error);
  g_assert_no_error (error);

  fixture->run_id = views_test_add_run (fixture->store, "test", "1", names, thresholds, WINDOW, HOP, &error);
  g_assert_no_error (error);
  for (int w = 0; w < N_WINDOWS; w++)
    {
      float p = w == SPIKE ? 1.0f : (w >= BLOCK_FIRST && w < BLOCK_LAST) ? 0.95f : 0.2f;

      probs[2 * w] = 1 - p;
      probs[2 * w + 1] = p;
    }
  g_assert_true (wm_store_put_predictions (fixture->store, fixture->run_id, fixture->recording_id, 0,
                                           N_WINDOWS, 2, probs, &error));
  g_assert_no_error (error);

  fixture->view = views_test_present_view (1000, 600, &fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  g_object_add_weak_pointer (G_OBJECT (fixture->view), (gpointer *) &fixture->view);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (fixture->view != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (fixture->view);
  g_assert_finalize_object (fixture->store);
  views_test_remove_project (fixture->dir, fixture->path);
  g_free (fixture->path);
  g_free (fixture->dir);
}

typedef gboolean (*Condition) (Fixture *fixture);

static void
wait_for (Fixture   *fixture,
          Condition  condition)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  while (!condition (fixture))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static WmConfidenceTrack *
get_track (Fixture *fixture)
{
  return wm_recording_view_get_confidence_track (fixture->view);
}

static gboolean
loaded (Fixture *fixture)
{
  return gtk_widget_get_mapped (GTK_WIDGET (get_track (fixture)))
         && gtk_widget_get_width (GTK_WIDGET (get_track (fixture))) > WM_TIMELINE_GUTTER
         && gtk_widget_get_height (GTK_WIDGET (get_track (fixture))) > 20
         && wm_confidence_track_is_loaded (get_track (fixture))
         && wm_recording_view_is_ready (fixture->view);
}

static gboolean
preview_ready (Fixture *fixture)
{
  return wm_confidence_track_get_preview (get_track (fixture), NULL, NULL);
}

static void
set_flag (gboolean *flag)
{
  *flag = TRUE;
}

/* Until a frame was laid out and painted: a part waiting for its layout
 * draws nothing. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  gboolean painted = FALSE;
  gulong id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_flag), &painted);

  gtk_widget_queue_draw (widget);
  while (!painted)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  g_signal_handler_disconnect (clock, id);
}

/* The track as it draws itself now (its snapshot function, straight), as
 * 0xAARRGGBB pixels. */
static guint32 *
render (GtkWidget *widget,
        int       *width,
        int       *height)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  guint32 *pixels;

  wait_for_frame (widget);
  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  snapshot = gtk_snapshot_new ();
  /* An opaque background, so that blended pixels compare as drawn on it. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  pixels = g_new (guint32, (gsize) *width * *height);
  gdk_texture_download (texture, (guchar *) pixels, *width * 4);
  return pixels;
}

/* The topmost row of column x drawn in the class's own colour, or -1. */
static int
top_of_curve (const guint32 *pixels,
              int            width,
              int            height,
              int            x)
{
  for (int y = 0; y < height; y++)
    if ((pixels[y * width + x] & 0xffffff) == 0xe01b24)
      return y;
  return -1;
}

/* The same for the columns either side too (a window's cell can straddle
 * two columns). */
static int
top_of_curve_near (const guint32 *pixels,
                   int            width,
                   int            height,
                   int            x)
{
  int best = -1;

  for (int dx = -1; dx <= 1; dx++)
    {
      int top = x + dx >= 0 && x + dx < width ? top_of_curve (pixels, width, height, x + dx) : -1;

      if (top >= 0 && (best < 0 || top < best))
        best = top;
    }
  return best;
}

static double
frame_x (Fixture *fixture,
         double   frame)
{
  return wm_timeline_frame_to_x (wm_recording_view_get_timeline (fixture->view), frame,
                                 gtk_widget_get_width (GTK_WIDGET (get_track (fixture))));
}

static gint64
cell_start (gint64 window)
{
  return window * HOP + (WINDOW - HOP) / 2;
}

static void
test_drawing (Fixture       *fixture,
              gconstpointer  data)
{
  WmConfidenceTrack *track = get_track (fixture);
  GtkWidget *widget = GTK_WIDGET (track);
  g_autofree guint32 *pixels = NULL;
  int width, height, x;

  /* No store: no run, no track. */
  g_assert_cmpint (wm_confidence_track_get_run_id (track), ==, 0);
  wm_recording_view_set_store (fixture->view, fixture->store);
  wm_recording_view_set_recording_id (fixture->view, fixture->recording_id);
  g_assert_cmpint (wm_confidence_track_get_run_id (track), ==, fixture->run_id);
  g_assert_true (gtk_widget_get_visible (widget));
  /* One class besides the background: it is the one shown. */
  g_assert_cmpint (wm_confidence_track_get_class_index (track), ==, 1);
  g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.9);
  wait_for (fixture, loaded);

  /* The whole recording: ~20 windows per pixel column, minimum and maximum
   * of each.  The lone window at 1.0 still reaches the top. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-fit", NULL);
  g_main_context_iteration (NULL, FALSE);
  pixels = render (widget, &width, &height);
  x = (int) floor (frame_x (fixture, cell_start (SPIKE) + HOP / 2.0));
  g_assert_cmpint (top_of_curve_near (pixels, width, height, x), >=, 0);
  g_assert_cmpint (ABS (top_of_curve_near (pixels, width, height, x)
                        - wm_confidence_track_probability_to_y (track, 1.0)), <=, 2);
  /* Inside the block, 0.95; far from both, 0.2. */
  x = (int) floor (frame_x (fixture, cell_start ((BLOCK_FIRST + BLOCK_LAST) / 2)));
  g_assert_cmpint (ABS (top_of_curve (pixels, width, height, x) - wm_confidence_track_probability_to_y (track, 0.95)),
                   <=, 2);
  x = (int) floor (frame_x (fixture, cell_start (10000)));
  g_assert_cmpint (ABS (top_of_curve (pixels, width, height, x) - wm_confidence_track_probability_to_y (track, 0.2)),
                   <=, 2);
  g_clear_pointer (&pixels, g_free);

  /* Zoomed in to a few windows, one step per window: the edge of the
   * block is a riser from 0.2 to 0.95 between two cells. */
  wm_recording_view_set_visible_range (fixture->view, cell_start (BLOCK_FIRST - 10), cell_start (BLOCK_FIRST + 10));
  g_main_context_iteration (NULL, FALSE);
  pixels = render (widget, &width, &height);
  x = (int) floor (frame_x (fixture, cell_start (BLOCK_FIRST - 3)));
  g_assert_cmpint (ABS (top_of_curve (pixels, width, height, x) - wm_confidence_track_probability_to_y (track, 0.2)),
                   <=, 2);
  x = (int) floor (frame_x (fixture, cell_start (BLOCK_FIRST + 3)));
  g_assert_cmpint (ABS (top_of_curve (pixels, width, height, x) - wm_confidence_track_probability_to_y (track, 0.95)),
                   <=, 2);
}

static void
test_preview_and_apply (Fixture       *fixture,
                        gconstpointer  data)
{
  WmConfidenceTrack *track = get_track (fixture);
  g_autoptr(GArray) ghosts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRun) stored = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  WmAutolabelCounts here, run, expected;
  double thresholds[] = { 0.9, 0.96 };
  guint applied = 0;

  wm_recording_view_set_store (fixture->view, fixture->store);
  wm_recording_view_set_recording_id (fixture->view, fixture->recording_id);
  wait_for (fixture, loaded);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-fit", NULL);

  /* At the stored 0.9: the block and the spike are labels, nothing is
   * being previewed. */
  ghosts = wm_confidence_track_dup_ghost_regions (track);
  g_assert_cmpuint (ghosts->len, ==, 0);
  g_clear_pointer (&ghosts, g_array_unref);

  /* 0.96 previewed: the block falls below it, only the spike stays a label;
   * the block's windows lie in the band [0.86, 1.06) and go to review. */
  g_object_set (track, "threshold", 0.96, NULL);
  ghosts = wm_confidence_track_dup_ghost_regions (track);
  g_assert_cmpuint (ghosts->len, ==, 2);
  g_assert_cmpint (g_array_index (ghosts, gint64, 0), ==, cell_start (SPIKE));
  g_assert_cmpint (g_array_index (ghosts, gint64, 1), ==, cell_start (SPIKE) + HOP);
  wait_for (fixture, preview_ready);
  g_assert_true (wm_confidence_track_get_preview (track, &here, &run));
  {
    g_autoptr(WmRun) stored = wm_store_get_run (fixture->store, fixture->run_id, &error);
    g_autoptr(WmLabelRule) rule = wm_label_rule_new_for_run (stored);

    for (guint k = 0; k < rule->n_classes; k++)
      rule->classes[k].threshold = thresholds[k];
    g_assert_true (wm_autolabel_preview (fixture->store, fixture->run_id, fixture->recording_id, rule,
                                         &expected, NULL, &error));
  }
  g_assert_no_error (error);
  g_assert_cmpint (here.n_labels, ==, expected.n_labels);
  g_assert_cmpint (here.n_review_items, ==, expected.n_review_items);
  g_assert_cmpint (run.n_labels, ==, expected.n_labels);
  g_assert_cmpint (here.n_labels, ==, 1);
  g_assert_cmpint (here.n_review_items, ==, BLOCK_LAST - BLOCK_FIRST + 1);
  g_clear_pointer (&ghosts, g_array_unref);

  /* 0.5 previewed: the block is one ghost region, exactly its cells. */
  g_object_set (track, "threshold", 0.5, NULL);
  ghosts = wm_confidence_track_dup_ghost_regions (track);
  g_assert_cmpuint (ghosts->len, ==, 4);
  g_assert_cmpint (g_array_index (ghosts, gint64, 0), ==, cell_start (BLOCK_FIRST));
  g_assert_cmpint (g_array_index (ghosts, gint64, 1), ==, cell_start (BLOCK_LAST));
  g_clear_pointer (&ghosts, g_array_unref);

  /* Keyboard: Up nudges by 0.01 and applies. */
  g_signal_connect_swapped (track, "applied", G_CALLBACK (g_atomic_int_inc), &applied);
  gtk_widget_activate_action (GTK_WIDGET (track), "confidence.set-threshold", "d", 0.5);
  g_assert_cmpuint (applied, ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (track), "confidence.nudge", "d", 0.01);
  g_assert_cmpuint (applied, ==, 2);
  g_assert_cmpfloat_with_epsilon (wm_confidence_track_get_threshold (track), 0.51, 1e-9);
  stored = wm_store_get_run (fixture->store, fixture->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (stored->thresholds[1], 0.51, 1e-9);
  g_assert_cmpfloat (stored->thresholds[0], ==, 0.9);
  labels = wm_store_list_run_labels (fixture->store, fixture->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (labels->len, ==, 2);
  {
    gboolean block_found = FALSE;

    for (guint i = 0; i < labels->len; i++)
      {
        const WmLabel *label = g_ptr_array_index (labels, i);

        block_found |= label->start_frame == cell_start (BLOCK_FIRST) && label->end_frame == cell_start (BLOCK_LAST);
      }
    g_assert_true (block_found);
  }
  /* Applied, nothing is previewed any more. */
  ghosts = wm_confidence_track_dup_ghost_regions (track);
  g_assert_cmpuint (ghosts->len, ==, 0);

  /* A newer run over the recording shows after the labels are re-read. */
  {
    char *names[] = { (char *) "background", (char *) "event", NULL };
    double newer_thresholds[] = { 0.9, 0.7 };
    float probs[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
    gint64 newer_id;

    newer_id = views_test_add_run (fixture->store, "test", "2", names, newer_thresholds, WINDOW, HOP, &error);
    g_assert_no_error (error);
    g_assert_true (wm_store_put_predictions (fixture->store, newer_id, fixture->recording_id, 0, 2, 2, probs,
                                             &error));
    wm_recording_view_reload_labels (fixture->view);
    g_assert_cmpint (wm_confidence_track_get_run_id (track), ==, newer_id);
    g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.7);
    wait_for (fixture, loaded);
  }
}

static gboolean
read_failed (Fixture *fixture)
{
  return wm_confidence_track_get_read_error (get_track (fixture)) != NULL;
}

static gboolean
not_busy (Fixture *fixture)
{
  return !wm_confidence_track_get_busy (get_track (fixture));
}

/* A failed read ends the busy state and says why; reading again works. */
static void
test_read_error (Fixture       *fixture,
                 gconstpointer  data)
{
  WmConfidenceTrack *track = get_track (fixture);
  g_autofree char *moved = g_strconcat (fixture->path, ".moved", NULL);

  wm_recording_view_set_store (fixture->view, fixture->store);
  wm_recording_view_set_recording_id (fixture->view, fixture->recording_id);
  wait_for (fixture, loaded);

  /* The project file gone: the reader, which opens it anew, fails. */
  g_assert_cmpint (g_rename (fixture->path, moved), ==, 0);
  g_test_expect_message ("waymark-views", G_LOG_LEVEL_WARNING, "*Could not read the predictions*");
  wm_confidence_track_reload (track);
  g_assert_true (wm_confidence_track_get_busy (track));
  wait_for (fixture, read_failed);
  wait_for (fixture, not_busy);
  g_test_assert_expected_messages ();
  g_assert_false (wm_confidence_track_is_loaded (track));
  g_assert_cmpint (wm_confidence_track_get_run_id (track), ==, fixture->run_id);

  g_assert_cmpint (g_rename (moved, fixture->path), ==, 0);
  wm_confidence_track_reload (track);
  g_assert_null (wm_confidence_track_get_read_error (track));
  wait_for (fixture, loaded);
  wait_for (fixture, not_busy);
}

/* With the top class shown the line would move every class's threshold:
 * it only shows one, and neither drag, keys nor apply change the run. */
static void
test_top_class_read_only (Fixture       *fixture,
                          gconstpointer  data)
{
  WmConfidenceTrack *track = get_track (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmRun) stored = NULL;
  double y;

  wm_recording_view_set_store (fixture->view, fixture->store);
  wm_recording_view_set_recording_id (fixture->view, fixture->recording_id);
  wait_for (fixture, loaded);
  wm_confidence_track_set_class_index (track, -1);
  g_assert_cmpint (wm_confidence_track_get_class_index (track), ==, -1);
  g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.9);

  wm_confidence_track_set_threshold (track, 0.5);
  g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.9);
  y = wm_confidence_track_probability_to_y (track, 0.9);
  g_assert_false (wm_confidence_track_drag_begin (track, gtk_widget_get_width (GTK_WIDGET (track)) / 2.0, y));
  gtk_widget_activate_action (GTK_WIDGET (track), "confidence.nudge", "d", -0.05);
  g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.9);
  g_assert_false (wm_confidence_track_apply (track, &error));
  g_assert_error (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID);
  stored = wm_store_get_run (fixture->store, fixture->run_id, NULL);
  g_assert_cmpfloat (stored->thresholds[1], ==, 0.9);

  /* A class picked: its line moves. */
  wm_confidence_track_set_class_index (track, 1);
  wm_confidence_track_set_threshold (track, 0.5);
  g_assert_cmpfloat (wm_confidence_track_get_threshold (track), ==, 0.5);
  wait_for (fixture, not_busy);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/views/confidence-track/drawing", Fixture, NULL,
              fixture_set_up, test_drawing, fixture_tear_down);
  g_test_add ("/views/confidence-track/preview-and-apply", Fixture, NULL,
              fixture_set_up, test_preview_and_apply, fixture_tear_down);
  g_test_add ("/views/confidence-track/read-error", Fixture, NULL,
              fixture_set_up, test_read_error, fixture_tear_down);
  g_test_add ("/views/confidence-track/top-class-read-only", Fixture, NULL,
              fixture_set_up, test_top_class_read_only, fixture_tear_down);

  return g_test_run ();
}
