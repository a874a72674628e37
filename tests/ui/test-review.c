/* test-review.c — review mode and the confidence track, on the demo project, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by meson inside `xvfb-run -a`; GDK_BACKEND=x11 and GSK_RENDERER=cairo.
 * Keys are typed through the X server (XTest), so they take the path a
 * person's keys take: X → GDK → the focused widget's shortcut controllers.
 * The project is the one `waymark-cli demo` builds (two recordings, two
 * runs, hundreds of review items).  Screenshots land in G_TEST_BUILDDIR:
 * screenshot-review.png, screenshot-threshold.png.
 */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#include "test-util.h"
#include "wm-application.h"
#include "wm-recording-view-private.h"
#include "wm-review-panel.h"
#include "wm-test-gui.h"
#include "wm-window.h"

/* A guard against hanging, not a measurement. */
#define WAIT_LIMIT_US (30 * G_USEC_PER_SEC)

static WmApplication *application;

typedef struct {
  char     *dir;
  char     *path;      /* the project the window opens */
  char     *twin;      /* an identical copy, for the command line */
  WmWindow *window;
  WmStore  *store;     /* the window's */
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gpointer data);

static gboolean
wait_for (Fixture   *fixture,
          Condition  condition,
          gpointer   data)
{
  return wm_test_wait_for ((WmTestCondition) condition, fixture, data, WAIT_LIMIT_US);
}

static WmRecordingView *
get_view (Fixture *fixture)
{
  return WM_RECORDING_VIEW (wm_window_get_recording_view (fixture->window));
}

static WmReviewPanel *
get_panel (Fixture *fixture)
{
  GtkWidget *panel = NULL;

  /* The panel is the window's only WmReviewPanel; find it in the tree. */
  for (GtkWidget *w = GTK_WIDGET (fixture->window); w != NULL && panel == NULL;)
    {
      if (WM_IS_REVIEW_PANEL (w))
        panel = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (panel);
  return WM_REVIEW_PANEL (panel);
}

static gboolean
view_is_ready (Fixture  *fixture,
               gpointer  data)
{
  return wm_recording_view_is_ready (get_view (fixture));
}

/* The keyboard focus of the X server on the window, as a window manager
 * would give it. */
static void
focus_window (Fixture *fixture)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (fixture->window));
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (fixture->window)));

  XSetInputFocus (display, gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (display, False);
  wm_test_iterate_for (50);
}

/* Types one key (with Ctrl when asked) through the X server and lets GTK
 * handle it. */
static void
send_key (Fixture *fixture,
          guint    keyval,
          gboolean control)
{
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (fixture->window)));
  KeyCode code = XKeysymToKeycode (display, keyval);
  KeyCode ctrl = XKeysymToKeycode (display, XK_Control_L);

  g_assert_cmpuint (code, !=, 0);
  if (control)
    XTestFakeKeyEvent (display, ctrl, True, CurrentTime);
  XTestFakeKeyEvent (display, code, True, CurrentTime);
  XTestFakeKeyEvent (display, code, False, CurrentTime);
  if (control)
    XTestFakeKeyEvent (display, ctrl, False, CurrentTime);
  XSync (display, False);
}

static gboolean
events_drained (Fixture  *fixture,
                gpointer  data)
{
  return !g_main_context_pending (NULL);
}

/* Sends the key and waits until GTK has dealt with everything it caused. */
static void
type_key (Fixture *fixture,
          guint    keyval,
          gboolean control)
{
  send_key (fixture, keyval, control);
  wm_test_iterate_for (30);
  g_assert_true (wait_for (fixture, events_drained, NULL));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = NULL;

  fixture->dir = g_dir_make_tmp ("waymark-review-XXXXXX", &error);
  g_assert_no_error (error);
  demo = g_build_filename (fixture->dir, "demo", NULL);
  wm_test_run_cli (0, NULL, NULL, "demo", demo, NULL);
  fixture->path = g_build_filename (demo, "demo.waymark", NULL);
  fixture->twin = g_build_filename (fixture->dir, "twin.waymark", NULL);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_EXISTS));

  /* The command line closed the project: the main file holds it all. */
  wm_test_copy_file (fixture->path, fixture->twin);

  fixture->window = wm_test_open_window (application, 1280, 800, fixture->path, WAIT_LIMIT_US);
  fixture->store = wm_window_get_store (fixture->window);
  focus_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  wm_test_iterate_for (50);
  wm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->twin);
}

static WmReviewItem *
stored_item (Fixture *fixture,
             gint64   item_id)
{
  g_autoptr(GError) error = NULL;
  WmReviewItem *item = wm_store_get_review_item (fixture->store, item_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  return item;
}

static gint64
current_id (Fixture *fixture)
{
  const WmReviewItem *item = wm_recording_view_get_review_item (get_view (fixture));

  return item != NULL ? item->id : 0;
}

static gboolean
review_item_shown (Fixture  *fixture,
                   gpointer  data)
{
  return current_id (fixture) == *(gint64 *) data;
}

/* The label a decision made: a review label of the class over the cell. */
static void
assert_review_label (Fixture            *fixture,
                     const WmReviewItem *item,
                     gint64              class_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmLabel) label = NULL;

  g_assert_cmpint (item->label_id, >, 0);
  label = wm_store_get_label (fixture->store, item->label_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (label);
  g_assert_cmpint (label->source, ==, WM_LABEL_SOURCE_REVIEW);
  g_assert_cmpint (label->class_id, ==, class_id);
  g_assert_cmpint (label->recording_id, ==, item->recording_id);
  g_assert_cmpint (label->start_frame, <=, item->start_frame);
  g_assert_cmpint (label->end_frame, >=, item->end_frame);
}

/* A class other than the item's, with a digit key: (class id, digit). */
static gint64
other_class (Fixture            *fixture,
             const WmReviewItem *item,
             guint              *digit)
{
  g_autoptr(GPtrArray) classes = wm_store_list_classes (fixture->store, NULL);

  for (guint i = 0; i < classes->len; i++)
    {
      const WmClass *klass = g_ptr_array_index (classes, i);

      if (klass->id != item->class_id && klass->shortcut != NULL
          && klass->shortcut[0] >= '1' && klass->shortcut[0] <= '9' && klass->shortcut[1] == '\0')
        {
          *digit = (guint) (klass->shortcut[0] - '0');
          return klass->id;
        }
    }
  g_assert_not_reached ();
}

static gint
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_review_keys (Fixture       *fixture,
                  gconstpointer  data)
{
  WmRecordingView *view = get_view (fixture);
  WmReviewPanel *panel;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmReviewItem) item = NULL;
  gint64 pending, left, accepted, relabelled, rejected, next_id, visible_start, visible_end;
  gint64 selection_start, selection_end, relabel_class;
  GVariant *state;
  guint digit = 0, keys = 0, n_decided = 0;

  pending = wm_store_count_review_items (fixture->store, 0, WM_REVIEW_PENDING);
  g_assert_cmpint (pending, >=, 30);
  queue = wm_store_list_review_items (fixture->store, 0, TRUE, 40, &error);
  g_assert_no_error (error);

  /* Ctrl+R, typed, turns review mode on: the panel shows, the first item
   * of the queue is on screen. */
  gtk_widget_grab_focus (GTK_WIDGET (view));
  type_key (fixture, XK_r, TRUE);
  state = g_action_group_get_action_state (G_ACTION_GROUP (fixture->window), "review-mode");
  g_assert_true (g_variant_get_boolean (state));
  g_variant_unref (state);
  g_assert_true (wm_recording_view_get_review_mode (view));
  panel = get_panel (fixture);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));

  /* The panel's list pages through the store in the queue's order. */
  g_assert_cmpuint (g_list_model_get_n_items (wm_review_panel_get_model (panel)), ==, pending);
  for (guint i = 0; i < queue->len; i++)
    {
      g_autoptr(WmReviewRow) row = g_list_model_get_item (wm_review_panel_get_model (panel), i);

      g_assert_cmpint (wm_review_row_get_item (row)->id, ==,
                       ((WmReviewItem *) g_ptr_array_index (queue, i))->id);
    }
  {
    g_autoptr(WmReviewRow) last = g_list_model_get_item (wm_review_panel_get_model (panel), pending - 1);
    g_autoptr(WmReviewRow) beyond = g_list_model_get_item (wm_review_panel_get_model (panel), pending);

    g_assert_nonnull (last);
    g_assert_null (beyond);
  }

  item = wm_review_item_copy (g_ptr_array_index (queue, 0));
  g_assert_cmpint (current_id (fixture), ==, item->id);
  g_assert_cmpint (wm_recording_view_get_recording_id (view), ==, item->recording_id);
  wm_recording_view_get_visible_range (view, &visible_start, &visible_end);
  g_assert_cmpint (visible_start, <, item->start_frame);
  g_assert_cmpint (visible_end, >, item->end_frame);
  g_assert_cmpint (visible_end - visible_start, >=, 3 * (item->end_frame - item->start_frame));
  g_assert_true (wm_recording_view_get_selection (view, &selection_start, &selection_end));
  g_assert_cmpint (selection_start, ==, item->start_frame);
  g_assert_cmpint (selection_end, ==, item->end_frame);

  wm_test_iterate_for (200);
  g_assert_true (wait_for (fixture, view_is_ready, NULL));
  wm_test_iterate_for (300);
  wm_test_save_screenshot (GTK_WIDGET (fixture->window), "screenshot-review.png");

  /* 1. Y accepts: a review label of the proposed class; the next item shows. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 1))->id;
  type_key (fixture, XK_y, FALSE);
  keys++;
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 0))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_ACCEPTED);
  g_assert_cmpint (item->decided_class_id, ==, item->class_id);
  assert_review_label (fixture, item, item->class_id);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  n_decided++;

  /* 2. N rejects: no label. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 2))->id;
  type_key (fixture, XK_n, FALSE);
  keys++;
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 1))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_REJECTED);
  g_assert_cmpint (item->label_id, ==, 0);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  n_decided++;

  /* 3. A digit relabels to the class with that key. */
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 2))->id);
  relabel_class = other_class (fixture, item, &digit);
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 3))->id;
  type_key (fixture, XK_0 + digit, FALSE);
  keys++;
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 2))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_RELABELLED);
  g_assert_cmpint (item->decided_class_id, ==, relabel_class);
  assert_review_label (fixture, item, relabel_class);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  n_decided++;

  /* J and K move without deciding. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 4))->id;
  type_key (fixture, XK_j, FALSE);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 3))->id;
  type_key (fixture, XK_k, FALSE);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 4))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_PENDING);

  /* 4. Enter accepts too. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 4))->id;
  type_key (fixture, XK_Return, FALSE);
  keys++;
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 3))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_ACCEPTED);
  assert_review_label (fixture, item, item->class_id);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  n_decided++;

  /* U undoes the latest decision: pending again, no label, shown again. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 3))->id;
  {
    g_autoptr(GPtrArray) labels = NULL;

    type_key (fixture, XK_u, FALSE);
    keys++;
    g_clear_pointer (&item, wm_review_item_free);
    item = stored_item (fixture, next_id);
    g_assert_cmpint (item->state, ==, WM_REVIEW_PENDING);
    g_assert_cmpint (item->label_id, ==, 0);
    /* No review label covers its cell any more. */
    labels = wm_store_list_labels (fixture->store, item->recording_id, 0, -1, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < labels->len; i++)
      {
        const WmLabel *label = g_ptr_array_index (labels, i);

        g_assert_false (label->source == WM_LABEL_SOURCE_REVIEW
                        && label->start_frame <= item->start_frame && label->end_frame >= item->end_frame);
      }
    g_assert_true (wait_for (fixture, review_item_shown, &next_id));
    n_decided--;
  }

  /* 5. And decided again, by N this time. */
  next_id = ((WmReviewItem *) g_ptr_array_index (queue, 4))->id;
  type_key (fixture, XK_n, FALSE);
  keys++;
  g_clear_pointer (&item, wm_review_item_free);
  item = stored_item (fixture, ((WmReviewItem *) g_ptr_array_index (queue, 3))->id);
  g_assert_cmpint (item->state, ==, WM_REVIEW_REJECTED);
  g_assert_true (wait_for (fixture, review_item_shown, &next_id));
  n_decided++;

  /* The counters agree with the store. */
  wm_review_panel_get_counts (panel, &left, &accepted, &relabelled, &rejected);
  g_assert_cmpint (left, ==, wm_store_count_review_items (fixture->store, 0, WM_REVIEW_PENDING));
  g_assert_cmpint (left, ==, pending - 4);
  g_assert_cmpint (accepted, ==, wm_store_count_review_items (fixture->store, 0, WM_REVIEW_ACCEPTED));
  g_assert_cmpint (accepted, ==, 1);
  g_assert_cmpint (relabelled, ==, 1);
  g_assert_cmpint (rejected, ==, 2);
  g_assert_cmpint (rejected, ==, wm_store_count_review_items (fixture->store, 0, WM_REVIEW_REJECTED));

  /* Ten items in under twenty keystrokes: one key each, auto-advancing. */
  {
    guint start_keys = keys;

    for (guint i = 0; i < 10; i++)
      {
        gint64 id = current_id (fixture);

        g_assert_cmpint (id, ==, ((WmReviewItem *) g_ptr_array_index (queue, 4 + i))->id);
        next_id = ((WmReviewItem *) g_ptr_array_index (queue, 5 + i))->id;
        type_key (fixture, i % 3 == 2 ? XK_n : XK_y, FALSE);
        keys++;
        g_clear_pointer (&item, wm_review_item_free);
        item = stored_item (fixture, id);
        g_assert_cmpint (item->state, !=, WM_REVIEW_PENDING);
        g_assert_true (wait_for (fixture, review_item_shown, &next_id));
      }
    g_assert_cmpuint (keys - start_keys, <, 20);
    g_test_message ("10 items cleared with %u keystrokes", keys - start_keys);
  }
  g_assert_cmpint (wm_store_count_review_items (fixture->store, 0, WM_REVIEW_PENDING), ==, pending - 14);
  g_assert_cmpuint (n_decided, ==, 4);

  /* Ctrl+R again leaves review mode: the keys are the view's again. */
  type_key (fixture, XK_r, TRUE);
  g_assert_false (wm_recording_view_get_review_mode (view));
  type_key (fixture, XK_y, FALSE);
  g_assert_cmpint (wm_store_count_review_items (fixture->store, 0, WM_REVIEW_PENDING), ==, pending - 14);
}

/* ---- Time from a decision to the next item on screen -------------------- */

typedef struct {
  Fixture *fixture;
  gint64   expected;
  gint64   sent_at;
  gint64   shown_at;   /* first frame painted with the next item in view */
  gint64   ready_at;   /* first frame painted with every part's data */
} Timing;

static void
on_after_paint (GdkFrameClock *clock,
                Timing        *timing)
{
  gint64 now = g_get_monotonic_time ();

  if (timing->sent_at == 0 || current_id (timing->fixture) != timing->expected)
    return;
  if (timing->shown_at == 0)
    timing->shown_at = now;
  if (timing->ready_at == 0 && wm_recording_view_is_ready (get_view (timing->fixture)))
    timing->ready_at = now;
}

static gboolean
timing_done (Fixture  *fixture,
             gpointer  data)
{
  Timing *timing = data;

  return timing->ready_at != 0;
}

static void
test_decision_latency (Fixture       *fixture,
                       gconstpointer  data)
{
  GdkFrameClock *clock;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (gint64));
  Timing timing = { fixture, 0, 0, 0, 0 };
  gulong handler;
  guint n = 20;

  queue = wm_store_list_review_items (fixture->store, 0, TRUE, n + 1, NULL);
  g_assert_cmpuint (queue->len, ==, n + 1);
  type_key (fixture, XK_r, TRUE);
  g_assert_true (wm_recording_view_get_review_mode (get_view (fixture)));
  g_assert_true (wait_for (fixture, view_is_ready, NULL));
  wm_test_iterate_for (200);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &timing);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (current_id (fixture), ==, ((WmReviewItem *) g_ptr_array_index (queue, i))->id);
      timing.expected = ((WmReviewItem *) g_ptr_array_index (queue, i + 1))->id;
      timing.shown_at = timing.ready_at = 0;
      timing.sent_at = g_get_monotonic_time ();
      send_key (fixture, i % 2 == 0 ? XK_y : XK_n, FALSE);
      g_assert_true (wait_for (fixture, timing_done, &timing));
      g_array_append_val (shown, (gint64) { timing.shown_at - timing.sent_at });
      g_array_append_val (ready, (gint64) { timing.ready_at - timing.sent_at });
      timing.sent_at = 0;
      wm_test_iterate_for (50);
    }
  g_signal_handler_disconnect (clock, handler);

  g_array_sort (shown, compare_int64);
  g_array_sort (ready, compare_int64);
  g_test_message ("decision → next item painted: median %.1f ms, max %.1f ms; "
                  "→ painted with all its data: median %.1f ms, max %.1f ms (%u decisions)",
                  g_array_index (shown, gint64, n / 2) / 1000.0, g_array_index (shown, gint64, n - 1) / 1000.0,
                  g_array_index (ready, gint64, n / 2) / 1000.0, g_array_index (ready, gint64, n - 1) / 1000.0, n);
  printf ("# decision-to-next-item-ms median=%.1f max=%.1f ready-median=%.1f ready-max=%.1f\n",
          g_array_index (shown, gint64, n / 2) / 1000.0, g_array_index (shown, gint64, n - 1) / 1000.0,
          g_array_index (ready, gint64, n / 2) / 1000.0, g_array_index (ready, gint64, n - 1) / 1000.0);
}

/* ---- The confidence track -------------------------------------------------- */

static gboolean
track_loaded (Fixture  *fixture,
              gpointer  data)
{
  return wm_confidence_track_is_loaded (wm_recording_view_get_confidence_track (get_view (fixture)));
}

static gboolean
preview_ready (Fixture  *fixture,
               gpointer  data)
{
  return wm_confidence_track_get_preview (wm_recording_view_get_confidence_track (get_view (fixture)),
                                          NULL, NULL);
}

static int
class_index (const WmRun *run,
             const char  *name)
{
  for (guint k = 0; run->class_names[k] != NULL; k++)
    if (g_str_equal (run->class_names[k], name))
      return (int) k;
  g_assert_not_reached ();
}

/* What `waymark-cli autolabel --rethreshold` reports for the run with
 * class k at threshold t (the others as stored), on the twin project. */
static JsonObject *
cli_rethreshold (Fixture     *fixture,
                 const WmRun *run,
                 int          k,
                 double       t)
{
  g_autoptr(GString) spec = g_string_new (NULL);
  g_autofree char *run_text = g_strdup_printf ("%" G_GINT64_FORMAT, run->id);
  g_autofree char *out = NULL;
  JsonNode *node;

  for (guint i = 0; run->class_names[i] != NULL; i++)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (number, sizeof number, "%.6g", (int) i == k ? t : run->thresholds[i]);
      g_string_append_printf (spec, "%s%s=%s", i > 0 ? "," : "", run->class_names[i], number);
    }
  wm_test_run_cli (0, &out, NULL, "-p", fixture->twin, "autolabel", "--json", "--rethreshold", run_text,
                   "--threshold", spec->str, NULL);
  node = wm_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  json_object_ref (json_node_get_object (node));
  {
    JsonObject *object = json_node_get_object (node);

    json_node_unref (node);
    return object;
  }
}

static void
test_threshold (Fixture       *fixture,
                gconstpointer  data)
{
  WmRecordingView *view = get_view (fixture);
  WmConfidenceTrack *track = wm_recording_view_get_confidence_track (view);
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GArray) ghosts = NULL;
  g_autoptr(JsonObject) cli = NULL;
  g_autoptr(WmStore) twin = NULL;
  g_autoptr(GError) error = NULL;
  WmAutolabelCounts here, whole;
  gint64 recording_id;
  int k;
  double y;

  /* The first recording has the voice run; the track shows it. */
  recording_id = wm_window_get_selected_recording_id (fixture->window);
  g_assert_cmpint (recording_id, >, 0);
  g_assert_true (wait_for (fixture, track_loaded, NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (track)));
  g_assert_cmpint (wm_confidence_track_get_run_id (track), >, 0);
  run = wm_run_copy (wm_confidence_track_get_run (track));
  k = class_index (run, "stop");

  /* Show the class "stop", preview 0.6 through the property. */
  g_object_set (track, "class-index", k, NULL);
  g_assert_cmpfloat_with_epsilon (wm_confidence_track_get_threshold (track), run->thresholds[k], 1e-9);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-fit", NULL);
  g_object_set (track, "threshold", 0.6, NULL);
  g_assert_true (wait_for (fixture, preview_ready, NULL));
  g_assert_true (wm_confidence_track_get_preview (track, &here, &whole));

  /* Nothing was written: the store's run keeps its thresholds. */
  {
    g_autoptr(WmRun) stored = wm_store_get_run (fixture->store, run->id, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (stored->thresholds[k], ==, run->thresholds[k]);
  }

  /* The command line, on the twin, agrees with the preview. */
  cli = cli_rethreshold (fixture, run, k, 0.6);
  g_test_message ("preview at 0.6: %" G_GINT64_FORMAT " labels, %" G_GINT64_FORMAT " review items "
                  "(this recording %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "); CLI %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT,
                  whole.n_labels, whole.n_review_items, here.n_labels, here.n_review_items,
                  json_object_get_int_member (cli, "labels"), json_object_get_int_member (cli, "review_items"));
  g_assert_cmpint (whole.n_labels, ==, json_object_get_int_member (cli, "labels"));
  g_assert_cmpint (whole.n_review_items, ==, json_object_get_int_member (cli, "review_items"));
  g_assert_cmpint (here.n_labels, <=, whole.n_labels);
  g_assert_cmpint (here.n_review_items, <=, whole.n_review_items);
  g_assert_cmpint (here.n_review_items, >, 0);

  /* A lower threshold than the stored one: ghosts of the labels to be. */
  ghosts = wm_confidence_track_dup_ghost_regions (track);
  g_assert_cmpuint (ghosts->len, >=, 2);
  for (guint i = 0; i + 1 < ghosts->len; i += 2)
    g_assert_cmpint (g_array_index (ghosts, gint64, i), <, g_array_index (ghosts, gint64, i + 1));
  /* Close to the first of them, for the screenshot. */
  wm_recording_view_set_visible_range (view, g_array_index (ghosts, gint64, 0) - 40000,
                                       g_array_index (ghosts, gint64, 0) + 40000);
  wm_test_iterate_for (200);
  g_assert_true (wait_for (fixture, view_is_ready, NULL));
  wm_test_iterate_for (200);
  wm_test_save_screenshot (GTK_WIDGET (fixture->window), "screenshot-threshold.png");

  /* The action applies it: the project now holds what the CLI made. */
  gtk_widget_activate_action (GTK_WIDGET (track), "confidence.set-threshold", "d", 0.6);
  {
    g_autoptr(WmRun) stored = wm_store_get_run (fixture->store, run->id, &error);
    g_autoptr(GPtrArray) labels = wm_store_list_run_labels (fixture->store, run->id, &error);
    g_autoptr(GPtrArray) twin_labels = NULL;

    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (stored->thresholds[k], 0.6, 1e-9);
    for (guint i = 0; stored->class_names[i] != NULL; i++)
      if ((int) i != k)
        g_assert_cmpfloat (stored->thresholds[i], ==, run->thresholds[i]);
    twin = wm_store_open (fixture->twin, WM_STORE_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    twin_labels = wm_store_list_run_labels (twin, run->id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (labels->len, ==, twin_labels->len);
    g_assert_cmpint (wm_store_count_review_items (fixture->store, run->id, WM_REVIEW_PENDING), ==,
                     wm_store_count_review_items (twin, run->id, WM_REVIEW_PENDING));
  }
  g_assert_cmpuint (wm_confidence_track_dup_ghost_regions (track)->len, ==, 0);

  /* Dragging the line up to about 0.8 previews on the way, applies on release. */
  y = wm_confidence_track_probability_to_y (track, 0.6);
  g_assert_true (wm_confidence_track_drag_begin (track, gtk_widget_get_width (GTK_WIDGET (track)) / 2.0, y));
  wm_confidence_track_drag_update (track, 0, wm_confidence_track_probability_to_y (track, 0.8) - y);
  g_assert_cmpfloat_with_epsilon (wm_confidence_track_get_threshold (track), 0.8, 0.02);
  {
    g_autoptr(WmRun) stored = wm_store_get_run (fixture->store, run->id, &error);

    g_assert_cmpfloat_with_epsilon (stored->thresholds[k], 0.6, 1e-9);
  }
  wm_confidence_track_drag_end (track, 0, wm_confidence_track_probability_to_y (track, 0.8) - y);
  {
    g_autoptr(WmRun) stored = wm_store_get_run (fixture->store, run->id, &error);

    g_assert_cmpfloat_with_epsilon (stored->thresholds[k], wm_confidence_track_get_threshold (track), 1e-9);
    g_assert_cmpfloat_with_epsilon (stored->thresholds[k], 0.8, 0.02);
  }

  /* A press away from the line is not a drag. */
  g_assert_false (wm_confidence_track_drag_begin (track, gtk_widget_get_width (GTK_WIDGET (track)) / 2.0,
                                                  wm_confidence_track_probability_to_y (track, 0.1)));
}

/* The AppStream metainfo lists the review screenshot, and the image is there. */
static void
test_metainfo_screenshots (void)
{
  const char *source_root = g_getenv ("WAYMARK_SOURCE_ROOT");
  g_autofree char *metainfo = g_build_filename (source_root, "data", "org.waymark.Waymark.metainfo.xml.in", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const names[] = { "review.png", "threshold.png" };

  g_assert_true (g_file_get_contents (metainfo, &text, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *image = g_build_filename (source_root, "data", "screenshots", names[i], NULL);
      g_autofree char *url = g_strdup_printf ("/screenshots/%s</image>", names[i]);
      g_autofree char *size = NULL;
      g_autoptr(GdkTexture) texture = NULL;

      g_assert_nonnull (strstr (text, url));
      texture = gdk_texture_new_from_filename (image, &error);
      g_assert_no_error (error);
      /* The size the metainfo states is the image's. */
      size = g_strdup_printf ("width=\"%d\" height=\"%d\">https://waymark.org%s", gdk_texture_get_width (texture),
                              gdk_texture_get_height (texture), url);
      g_assert_nonnull (strstr (text, size));
      g_assert_cmpint (gdk_texture_get_width (texture), >=, 800);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  application = wm_test_gui_init (&argc, &argv);

  g_test_add ("/ui/review/keys", Fixture, NULL, fixture_set_up, test_review_keys, fixture_tear_down);
  g_test_add ("/ui/review/decision-latency", Fixture, NULL,
              fixture_set_up, test_decision_latency, fixture_tear_down);
  g_test_add ("/ui/review/threshold", Fixture, NULL, fixture_set_up, test_threshold, fixture_tear_down);
  g_test_add_func ("/ui/review/metainfo-screenshots", test_metainfo_screenshots);

  status = g_test_run ();
  g_clear_object (&application);
  return status;
}
