/* test-recording-view.c — WmRecordingView in a real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run through xvfb-run by meson (GDK_BACKEND=x11, GSK_RENDERER=cairo are
 * set here).  Screenshots land in G_TEST_BUILDDIR.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "views-test-util.h"
#include "wm-recording-view-private.h"

#define WAIT_TIMEOUT_S 60

typedef struct {
  char            *dir;
  char            *path;
  WmStore         *store;
  gint64           audio_id;
  gint64           class_ids[3];
  GtkWidget       *window;
  WmRecordingView *view;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = views_test_new_project ("waymark-views-XXXXXX", &fixture->dir, &fixture->path);

  fixture->audio_id = views_test_add_audio (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fixture->audio_id, >, 0);
  views_test_add_classes (fixture->store, fixture->class_ids, &error);
  g_assert_no_error (error);

  fixture->view = views_test_present_view (1000, 640, &fixture->window);
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean timed_out = FALSE;
  guint id;

  /* The view goes with its window once its reads in flight come back. */
  g_object_add_weak_pointer (G_OBJECT (fixture->view), (gpointer *) &fixture->view);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  id = g_timeout_add_seconds (WAIT_TIMEOUT_S, timeout_cb, &timed_out);
  while (fixture->view != NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_assert_finalize_object (fixture->store);
  views_test_remove_project (fixture->dir, fixture->path);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  guint *frames = data;

  (*frames)++;
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

/* Iterate until the view is mapped, laid out and shows current data. */
static void
wait_for_view (WmRecordingView *view)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_TIMEOUT_S, timeout_cb, &timed_out);

  while (!timed_out)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (gtk_widget_get_mapped (GTK_WIDGET (view))
          && gtk_widget_get_width (GTK_WIDGET (view)) > 0
          && wm_recording_view_is_ready (view)
          && !wm_recording_view_get_busy (view))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  if (timed_out)
    g_test_message ("not ready: mapped %d, width %d, ready %d, busy %d",
                    gtk_widget_get_mapped (GTK_WIDGET (view)), gtk_widget_get_width (GTK_WIDGET (view)),
                    wm_recording_view_is_ready (view), wm_recording_view_get_busy (view));
  g_assert_false (timed_out);

  /* Two more frames so that what was read is drawn. */
  {
    guint frames = 0;
    guint tick = gtk_widget_add_tick_callback (GTK_WIDGET (view), count_frame_cb, &frames, NULL);

    gtk_widget_queue_draw (GTK_WIDGET (view));
    while (frames < 2 && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    gtk_widget_remove_tick_callback (GTK_WIDGET (view), tick);
  }
  g_assert_false (timed_out);
  g_source_remove (id);
}

static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves the texture and checks that it shows a picture: many colours and
 * a spread of brightness. */
static void
save_and_check (GdkTexture *texture,
                const char *name,
                guint       min_colours)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  double sum = 0, sum2 = 0, variance;
  gsize n = (gsize) width * height;

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, width, height);

  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < n; i++)
    {
      const guint8 *p = pixels + 4 * i;
      double luma = 0.2126 * p[2] + 0.7152 * p[1] + 0.0722 * p[0];

      g_hash_table_add (colours, GUINT_TO_POINTER ((p[2] << 16) | (p[1] << 8) | p[0]));
      sum += luma;
      sum2 += luma * luma;
    }
  variance = sum2 / n - (sum / n) * (sum / n);
  g_test_message ("%s: %u colours, luma variance %.1f", name, g_hash_table_size (colours), variance);
  g_assert_cmpuint (g_hash_table_size (colours), >=, min_colours);
  g_assert_cmpfloat (variance, >, 50);
}

/* The fraction of pixels in a rectangle close to a colour. */
static double
colour_share (GdkTexture    *texture,
              int            x,
              int            y,
              int            width,
              int            height,
              const GdkRGBA *colour)
{
  int tex_width = gdk_texture_get_width (texture);
  gsize stride = (gsize) tex_width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * gdk_texture_get_height (texture));
  gsize hits = 0;

  gdk_texture_download (texture, pixels, stride);
  for (int j = y; j < y + height; j++)
    for (int i = x; i < x + width; i++)
      {
        const guint8 *p = pixels + j * stride + 4 * i;

        if (fabs (p[2] - colour->red * 255) < 24 && fabs (p[1] - colour->green * 255) < 24
            && fabs (p[0] - colour->blue * 255) < 24)
          hits++;
      }
  return (double) hits / ((gsize) width * height);
}

static void
test_screenshots (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GdkTexture) waveform = NULL;
  g_autoptr(GdkTexture) spectrogram = NULL;
  g_autoptr(GdkTexture) split = NULL;
  g_autoptr(GdkTexture) samples = NULL;
  g_autoptr(WmLabel) human = wm_label_new ();
  g_autoptr(WmLabel) model = wm_label_new ();
  g_autoptr(WmLabel) review = wm_label_new ();
  g_autoptr(GError) error = NULL;
  const GdkRGBA signal_blue = { 0.21f, 0.52f, 0.89f, 1.0f };
  WmSignalView *signal_view;
  int sx, sy, sw, sh;
  graphene_rect_t bounds;

  /* One label of each provenance, for the screenshot of the label track. */
  human->recording_id = model->recording_id = review->recording_id = fixture->audio_id;
  human->start_frame = 16000;
  human->end_frame = 48000;
  human->class_id = fixture->class_ids[0];
  human->source = WM_LABEL_SOURCE_HUMAN;
  human->confidence = 1;
  model->start_frame = 96000;
  model->end_frame = 150000;
  model->class_id = fixture->class_ids[1];
  model->source = WM_LABEL_SOURCE_MODEL;
  model->confidence = 0.83;
  review->start_frame = 200000;
  review->end_frame = 260000;
  review->class_id = fixture->class_ids[2];
  review->source = WM_LABEL_SOURCE_REVIEW;
  review->confidence = 0.61;
  g_assert_true (wm_store_add_label (fixture->store, human, &error));
  g_assert_true (wm_store_add_label (fixture->store, model, &error));
  g_assert_true (wm_store_add_label (fixture->store, review, &error));
  g_assert_no_error (error);

  g_object_set (fixture->view,
                "store", fixture->store,
                "recording-id", fixture->audio_id,
                "view-mode", WM_VIEW_MODE_WAVEFORM,
                NULL);
  wait_for_view (fixture->view);
  waveform = render_widget (GTK_WIDGET (fixture->view));
  save_and_check (waveform, "recording-view-waveform.png", 8);

  /* The waveform is drawn inside the signal view, in the signal colour. */
  signal_view = wm_recording_view_get_signal_view (fixture->view);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (signal_view), GTK_WIDGET (fixture->view), &bounds));
  sx = (int) bounds.origin.x + WM_TIMELINE_GUTTER;
  sy = (int) bounds.origin.y;
  sw = (int) bounds.size.width - WM_TIMELINE_GUTTER;
  sh = (int) bounds.size.height;
  g_assert_cmpfloat (colour_share (waveform, sx, sy, sw, sh, &signal_blue), >, 0.05);

  g_object_set (fixture->view, "view-mode", WM_VIEW_MODE_SPECTROGRAM, NULL);
  wait_for_view (fixture->view);
  spectrogram = render_widget (GTK_WIDGET (fixture->view));
  save_and_check (spectrogram, "recording-view-spectrogram.png", 64);
  /* No waveform left where the signal was. */
  g_assert_cmpfloat (colour_share (spectrogram, sx, sy, sw, sh, &signal_blue), <, 0.01);

  g_object_set (fixture->view,
                "view-mode", WM_VIEW_MODE_SPLIT,
                "colormap", WM_VIEW_COLORMAP_MAGMA,
                "frequency-scale", WM_VIEW_FREQUENCY_SCALE_MEL,
                NULL);
  wait_for_view (fixture->view);
  split = render_widget (GTK_WIDGET (fixture->view));
  save_and_check (split, "recording-view-split.png", 64);

  /* Single samples, with wall-clock times on the ruler. */
  g_object_set (fixture->view,
                "view-mode", WM_VIEW_MODE_WAVEFORM,
                "time-format", WM_VIEW_TIME_FORMAT_WALL_CLOCK,
                NULL);
  wm_recording_view_set_visible_range (fixture->view, 160000, 160060);
  wm_recording_view_set_selection (fixture->view, 160020, 160030);
  wm_recording_view_set_playhead_frame (fixture->view, 160040);
  wait_for_view (fixture->view);
  samples = render_widget (GTK_WIDGET (fixture->view));
  save_and_check (samples, "recording-view-samples.png", 8);
  g_assert_cmpfloat (colour_share (samples, sx, sy, sw, sh, &signal_blue), >, 0.001);
}

/* ---- Label editing -------------------------------------------------------- */

static GPtrArray *
stored_labels (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *labels = wm_store_list_labels (fixture->store, fixture->audio_id, 0, -1, &error);

  g_assert_no_error (error);
  return labels;
}

static double
track_x (Fixture *fixture,
         gint64   frame)
{
  WmLabelTrack *track = wm_recording_view_get_label_track (fixture->view);

  return wm_timeline_frame_to_x (wm_recording_view_get_timeline (fixture->view), frame,
                                 gtk_widget_get_width (GTK_WIDGET (track)));
}

/* Frames per pixel of the label track: how close a dragged edge can land. */
static gint64
frame_tolerance (Fixture *fixture)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (fixture->view);
  int width = gtk_widget_get_width (GTK_WIDGET (wm_recording_view_get_label_track (fixture->view)));

  return (gint64) ceil ((wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline))
                        / (width - WM_TIMELINE_GUTTER)) + 1;
}

static void
drag (WmLabelTrack    *track,
      double           x0,
      double           x1,
      GdkModifierType  state)
{
  double y = gtk_widget_get_height (GTK_WIDGET (track)) / 2.0;

  wm_label_track_drag_begin (track, x0, y, state);
  wm_label_track_drag_update (track, (x1 - x0) / 2, 0);
  wm_label_track_drag_update (track, x1 - x0, 0);
  wm_label_track_drag_end (track, x1 - x0, 0);
}

static void
on_labels_changed (WmRecordingView *view,
                   gint64           label_id,
                   gint64          *last)
{
  *last = label_id;
}

static void
test_label_editing (Fixture       *fixture,
                    gconstpointer  data)
{
  WmLabelTrack *track;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tooltip = NULL;
  const WmLabel *label;
  gint64 tolerance, id, touched = 0, notified = 0;
  gint64 start, end;

  g_object_set (fixture->view,
                "store", fixture->store,
                "recording-id", fixture->audio_id,
                "current-class-id", fixture->class_ids[0],
                NULL);
  g_signal_connect (fixture->view, "labels-changed", G_CALLBACK (on_labels_changed), &notified);
  wait_for_view (fixture->view);
  track = wm_recording_view_get_label_track (fixture->view);
  /* Two seconds shown: the frames of a pixel are few. */
  wm_recording_view_set_visible_range (fixture->view, 16000, 48000);
  tolerance = frame_tolerance (fixture);

  /* Create: drag over empty space from 1.25 s to 1.75 s. */
  drag (track, track_x (fixture, 20000), track_x (fixture, 28000), 0);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 1);
  label = g_ptr_array_index (labels, 0);
  id = label->id;
  g_assert_cmpint (notified, ==, id);
  g_assert_cmpint (label->class_id, ==, fixture->class_ids[0]);
  g_assert_cmpint (label->source, ==, WM_LABEL_SOURCE_HUMAN);
  g_assert_cmpint (ABS (label->start_frame - 20000), <=, tolerance);
  g_assert_cmpint (ABS (label->end_frame - 28000), <=, tolerance);
  g_assert_cmpint (wm_recording_view_get_selected_label_id (fixture->view), ==, id);
  start = label->start_frame;
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Hover text names class, source and confidence. */
  tooltip = wm_label_track_describe_at (track, track_x (fixture, 24000),
                                        gtk_widget_get_height (GTK_WIDGET (track)) / 2.0);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "bird"));
  g_assert_nonnull (strstr (tooltip, "human"));
  g_assert_nonnull (strstr (tooltip, "1.00"));

  /* Resize: drag the end edge out to 2.25 s. */
  drag (track, track_x (fixture, 28000) - 1, track_x (fixture, 36000), 0);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 1);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->id, ==, id);
  g_assert_cmpint (label->start_frame, ==, start);
  g_assert_cmpint (ABS (label->end_frame - 36000), <=, tolerance);
  end = label->end_frame;
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Move: drag the body 4000 frames later; the length stays. */
  drag (track, track_x (fixture, 30000), track_x (fixture, 34000), 0);
  labels = stored_labels (fixture);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->end_frame - label->start_frame, ==, end - start);
  g_assert_cmpint (ABS (label->start_frame - (start + 4000)), <=, tolerance);
  start = label->start_frame;
  end = label->end_frame;
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Relabel: key 2 is the class "engine". */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "label.set-class", "i", 2);
  labels = stored_labels (fixture);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->class_id, ==, fixture->class_ids[1]);
  g_assert_cmpint (label->start_frame, ==, start);
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Delete. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "label.delete", NULL);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 0);
  g_clear_pointer (&labels, g_ptr_array_unref);
  g_assert_cmpint (wm_recording_view_get_selected_label_id (fixture->view), ==, -1);

  /* Undo brings it back (as relabelled), redo removes it again. */
  g_assert_true (wm_store_undo (fixture->store, &touched, &error));
  g_assert_no_error (error);
  g_assert_cmpint (touched, ==, id);
  wm_recording_view_reload_labels (fixture->view);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 1);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->class_id, ==, fixture->class_ids[1]);
  g_assert_cmpint (label->start_frame, ==, start);
  g_assert_cmpint (label->end_frame, ==, end);
  g_assert_cmpuint (wm_label_track_get_labels (track)->len, ==, 1);
  g_clear_pointer (&labels, g_ptr_array_unref);

  g_assert_true (wm_store_undo (fixture->store, NULL, &error));
  wm_recording_view_reload_labels (fixture->view);
  labels = stored_labels (fixture);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->class_id, ==, fixture->class_ids[0]);
  g_clear_pointer (&labels, g_ptr_array_unref);

  g_assert_true (wm_store_redo (fixture->store, NULL, &error));
  g_assert_true (wm_store_redo (fixture->store, NULL, &error));
  g_assert_no_error (error);
  wm_recording_view_reload_labels (fixture->view);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 0);
  g_assert_cmpuint (wm_label_track_get_labels (track)->len, ==, 0);
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* Shift+click makes a point event of the current class. */
  drag (track, track_x (fixture, 40000), track_x (fixture, 40000), GDK_SHIFT_MASK);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 1);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->start_frame, ==, label->end_frame);
  g_assert_cmpint (ABS (label->start_frame - 40000), <=, tolerance);
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* A label over the selection, through the action. */
  wm_recording_view_set_selection (fixture->view, 17000, 19000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "label.create-at-selection", NULL);
  labels = stored_labels (fixture);
  g_assert_cmpuint (labels->len, ==, 2);
  label = g_ptr_array_index (labels, 0);
  g_assert_cmpint (label->start_frame, ==, 17000);
  g_assert_cmpint (label->end_frame, ==, 19000);
  g_clear_pointer (&labels, g_ptr_array_unref);

  /* A click on empty space selects nothing; on a label selects it. */
  drag (track, track_x (fixture, 45000), track_x (fixture, 45000), 0);
  g_assert_cmpint (wm_recording_view_get_selected_label_id (fixture->view), ==, -1);
  drag (track, track_x (fixture, 18000), track_x (fixture, 18000), 0);
  g_assert_cmpint (wm_recording_view_get_selected_label_id (fixture->view), >, 0);

  /* Without a selected label, a digit picks the class for new labels. */
  drag (track, track_x (fixture, 45000), track_x (fixture, 45000), 0);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "label.set-class", "i", 3);
  g_assert_cmpint (wm_recording_view_get_current_class_id (fixture->view), ==, fixture->class_ids[2]);
}

/* ---- Navigation ------------------------------------------------------------ */

static void
test_navigation (Fixture       *fixture,
                 gconstpointer  data)
{
  gint64 start, end, n_frames = 320000;

  g_object_set (fixture->view, "store", fixture->store, "recording-id", fixture->audio_id, NULL);
  wait_for_view (fixture->view);

  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, n_frames);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-in", NULL);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (end - start, ==, n_frames / 2);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.scroll-to-end", NULL);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (end, ==, n_frames);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.scroll", "d", -0.5);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, n_frames / 4);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.scroll-to-start", NULL);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 0);

  /* Clamped to the recording and to the deepest zoom. */
  wm_recording_view_set_visible_range (fixture->view, 1000, 1001);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (end - start, >=, (gint64) WM_TIMELINE_MIN_SPAN);
  g_assert_cmpint (end - start, <=, (gint64) WM_TIMELINE_MIN_SPAN + 1);
  wm_recording_view_set_visible_range (fixture->view, -50, n_frames + 50);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, n_frames);

  wm_recording_view_set_selection (fixture->view, 32000, 64000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-selection", NULL);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 32000);
  g_assert_cmpint (end, ==, 64000);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-fit", NULL);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (end - start, ==, n_frames);

  /* Dragging the overview moves the visible range. */
  wm_recording_view_set_visible_range (fixture->view, 0, 32000);
  wait_for_view (fixture->view);
  {
    WmOverview *overview = wm_recording_view_get_overview (fixture->view);
    int width = gtk_widget_get_width (GTK_WIDGET (overview));
    double plot = width - WM_TIMELINE_GUTTER;

    gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.scroll-to-start", NULL);
    wm_overview_drag (overview, WM_TIMELINE_GUTTER + 5, plot / 4);
    wm_recording_view_get_visible_range (fixture->view, &start, &end);
    g_assert_cmpint (ABS (start - n_frames / 4), <=, n_frames / plot + 1);
    g_assert_cmpint (end - start, ==, 32000);
  }

  /* Zoomed out: one summary bucket (min and max) per pixel column, give or
   * take the column that straddles the edge; zoomed in: the samples. */
  {
    WmSignalView *signal_view = wm_recording_view_get_signal_view (fixture->view);
    int width = gtk_widget_get_width (GTK_WIDGET (signal_view));
    g_autoptr(WmSignalBlock) whole = NULL;
    g_autoptr(WmSignalBlock) deep = NULL;

    gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.zoom-fit", NULL);
    whole = wm_signal_view_plan_block (signal_view, width);
    g_assert_cmpint (whole->kind, ==, WM_SIGNAL_BLOCK_SUMMARY);
    g_assert_cmpuint (whole->n_columns, <=, width - WM_TIMELINE_GUTTER + 2);
    g_assert_cmpint (whole->first_frame, ==, 0);
    g_assert_cmpint (whole->end_frame, ==, n_frames);

    wm_recording_view_set_visible_range (fixture->view, 1000, 1200);
    deep = wm_signal_view_plan_block (signal_view, width);
    g_assert_cmpint (deep->kind, ==, WM_SIGNAL_BLOCK_SAMPLES);
    g_assert_cmpint (deep->end_frame - deep->first_frame, <=, 202);
    wait_for_view (fixture->view);
    g_assert_true (wm_signal_view_is_current (signal_view));
  }

  /* A playhead running off the right edge turns the page. */
  wm_recording_view_set_visible_range (fixture->view, 0, 16000);
  wm_recording_view_set_playhead_frame (fixture->view, 15990);
  wm_recording_view_set_playhead_frame (fixture->view, 16010);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 16010);
  g_assert_cmpint (end, ==, 32010);
  g_assert_cmpint (wm_recording_view_get_playhead_frame (fixture->view), ==, 16010);
  /* Not when the user looks elsewhere. */
  wm_recording_view_set_visible_range (fixture->view, 100000, 116000);
  wm_recording_view_set_playhead_frame (fixture->view, 200000);
  wm_recording_view_get_visible_range (fixture->view, &start, &end);
  g_assert_cmpint (start, ==, 100000);

  /* view-mode through the stateful action. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.mode", "s", "split");
  g_assert_cmpint (wm_recording_view_get_view_mode (fixture->view), ==, WM_VIEW_MODE_SPLIT);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "view.mode", "s", "spectrogram");
  g_assert_cmpint (wm_recording_view_get_view_mode (fixture->view), ==, WM_VIEW_MODE_SPECTROGRAM);
}

/* ---- Zoom stall ------------------------------------------------------------ */

typedef struct {
  gint64   last_tick;
  gint64   last_tick_cpu;
  gint64   longest_frame;
  gint64   longest_frame_cpu;
  gint64   last_probe;
  gint64   longest_stall;
  guint    frames;
} Probe;

/* CPU time of the main thread: with other processes on the machine, a long
 * frame that used little CPU was waiting for a core, not working. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  gint64 cpu = thread_cpu_us ();

  if (probe->last_tick > 0)
    {
      probe->longest_frame = MAX (probe->longest_frame, now - probe->last_tick);
      probe->longest_frame_cpu = MAX (probe->longest_frame_cpu, cpu - probe->last_tick_cpu);
    }
  probe->last_tick = now;
  probe->last_tick_cpu = cpu;
  probe->frames++;
  return G_SOURCE_CONTINUE;
}

/* A 1 ms timeout: the gap between two dispatches is how long the main
 * loop was busy with something else. */
static gboolean
stall_probe_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_probe > 0)
    probe->longest_stall = MAX (probe->longest_stall, now - probe->last_probe);
  probe->last_probe = now;
  return G_SOURCE_CONTINUE;
}

static void
zoom_through (Fixture    *fixture,
              const char *mode_name,
              double      step)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (fixture->view);
  gint64 n_frames = wm_timeline_get_n_frames (timeline);
  Probe probe = { 0 };
  guint tick_id, probe_id;
  guint steps_in = 0, steps_out = 0;
  gint64 started = g_get_monotonic_time ();
  double span;

  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (fixture->view), tick_cb, &probe, NULL);
  probe_id = g_timeout_add (1, stall_probe_cb, &probe);

  /* In: one zoom step per frame around the middle, down to a few samples. */
  do
    {
      wm_timeline_zoom (timeline, step, n_frames / 2.0 + 0.5);
      steps_in++;
      for (guint f = probe.frames; probe.frames == f;)
        g_main_context_iteration (NULL, TRUE);
      span = wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline);
    }
  while (span > WM_TIMELINE_MIN_SPAN);
  wait_for_view (fixture->view);

  /* Back out to the whole recording. */
  do
    {
      wm_timeline_zoom (timeline, 1 / step, n_frames / 2.0 + 0.5);
      steps_out++;
      for (guint f = probe.frames; probe.frames == f;)
        g_main_context_iteration (NULL, TRUE);
      span = wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline);
    }
  while (span < n_frames);
  wait_for_view (fixture->view);

  gtk_widget_remove_tick_callback (GTK_WIDGET (fixture->view), tick_id);
  g_source_remove (probe_id);

  g_assert_cmpfloat (span, ==, n_frames);
  g_assert_cmpuint (steps_in, >, 10);
  /* Printed, not asserted: timing depends on the machine. */
  g_printerr ("# zoom stall (%s, 1 h x 3 ch @ 1 kHz, %u steps in, %u out, %.1f s): "
              "longest main-loop stall %.1f ms, longest frame interval %.1f ms (goal < 50 ms), "
              "most main-thread CPU in one frame %.1f ms\n",
              mode_name, steps_in, steps_out, (g_get_monotonic_time () - started) / 1e6,
              probe.longest_stall / 1000.0, probe.longest_frame / 1000.0,
              probe.longest_frame_cpu / 1000.0);
}

static void
test_zoom_stall (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 hour_id = views_test_add_sensor (fixture->store, 3600, 1000, &error);
  g_autoptr(GdkTexture) shot = NULL;

  g_assert_no_error (error);
  g_object_set (fixture->view, "store", fixture->store, "recording-id", hour_id, NULL);
  wait_for_view (fixture->view);

  zoom_through (fixture, "waveform", 1.5);
  g_assert_true (wm_signal_view_is_current (wm_recording_view_get_signal_view (fixture->view)));

  g_object_set (fixture->view, "view-mode", WM_VIEW_MODE_SPLIT, NULL);
  wait_for_view (fixture->view);
  zoom_through (fixture, "split", 1.5);

  /* The whole hour again, spectrogram from strided columns. */
  shot = render_widget (GTK_WIDGET (fixture->view));
  save_and_check (shot, "recording-view-hour.png", 64);
}

/* Xvfb has no session bus; GTK says so once, and that is no failure. */
static gboolean
fatal_log_filter (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        data)
{
  return strstr (message, "session bus") == NULL;
}

/* A recording view that nobody configured draws the spectrogram as the
 * app's settings would: its property defaults are the schema's defaults. */
static GVariant *
schema_default (GSettingsSchema *schema,
                const char      *key)
{
  g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (schema, key);

  return g_settings_schema_key_get_default_value (schema_key);
}

static void
test_spectrogram_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchemaSource) source =
    g_settings_schema_source_new_from_directory (WAYMARK_BUILD_DATA_DIR, NULL, TRUE, &error);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GVariant) fft = NULL, hop = NULL, floor_db = NULL, ceiling_db = NULL;
  GtkWidget *view = g_object_ref_sink (g_object_new (WM_TYPE_RECORDING_VIEW, NULL));
  guint view_fft, view_hop;
  double view_floor, view_ceiling;

  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, FALSE);
  g_assert_nonnull (schema);
  fft = schema_default (schema, "fft-size");
  hop = schema_default (schema, "hop");
  floor_db = schema_default (schema, "db-floor");
  ceiling_db = schema_default (schema, "db-ceiling");
  g_object_get (view, "fft-size", &view_fft, "hop", &view_hop,
                "db-floor", &view_floor, "db-ceiling", &view_ceiling, NULL);
  g_assert_cmpint (view_fft, ==, g_variant_get_int32 (fft));
  g_assert_cmpint (view_hop, ==, g_variant_get_int32 (hop));
  g_assert_cmpfloat (view_floor, ==, g_variant_get_double (floor_db));
  g_assert_cmpfloat (view_ceiling, ==, g_variant_get_double (ceiling_db));
  g_object_unref (view);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (fatal_log_filter, NULL);

  g_test_add_func ("/views/recording-view/spectrogram-defaults", test_spectrogram_defaults);
  g_test_add ("/views/recording-view/screenshots", Fixture, NULL,
              fixture_set_up, test_screenshots, fixture_tear_down);
  g_test_add ("/views/recording-view/label-editing", Fixture, NULL,
              fixture_set_up, test_label_editing, fixture_tear_down);
  g_test_add ("/views/recording-view/navigation", Fixture, NULL,
              fixture_set_up, test_navigation, fixture_tear_down);
  g_test_add ("/views/recording-view/zoom-stall", Fixture, NULL,
              fixture_set_up, test_zoom_stall, fixture_tear_down);

  return g_test_run ();
}
