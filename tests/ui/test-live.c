/* test-live.c — a recording that grows while the window shows it, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A device upload as `waymark-cli serve` makes it: a writer thread with its
 * own connection appends to a recording in committed steps while the
 * window has the project open.  The window's poll must show the new frames
 * (sidebar, timeline, pixels), follow the end or stay where the user looks,
 * keep a label made meanwhile, show labels another connection made, and
 * the upload's provenance.  Prints the cost of a poll that finds nothing
 * and the time from a commit to the new frames painted.
 */

#include "config.h"

#include <math.h>

#include "wm-recording-info.h"
#include "wm-recording-item.h"
#include "wm-recording-view-private.h"
#include "wm-test-gui.h"
#include "wm-test-project.h"
#include "wm-window.h"

/* A guard against hanging, not a measurement. */
#define WAIT_LIMIT_US (30 * G_USEC_PER_SEC)
#define RATE          1000.0
#define FIRST_FRAMES  4000
#define DEVICE        "imu-7"
#define STREAM        "s1"

static WmApplication *application;

/* ---- The writer: another connection, in a thread of its own ---------------- */

typedef enum {
  WRITE_APPEND,   /* n_frames in n_commits transactions */
  WRITE_LABEL,    /* a human label [first, end) of class_id */
  WRITE_FINALIZE,
  WRITE_QUIT,
} WriteKind;

typedef struct {
  WriteKind kind;
  gint64    n_frames;
  guint     n_commits;
  gint64    first;
  gint64    end;
  gint64    class_id;
} WriteCommand;

typedef struct {
  char         *path;
  gint64        recording_id;
  GAsyncQueue  *commands;  /* of WriteCommand */
  GAsyncQueue  *done;      /* commit times (µs, monotonic), as WriteCommand.first */
  GThread      *thread;
} Writer;

static gint16
sample_at (gint64 frame)
{
  return (gint16) lround (26000 * sin (2 * G_PI * 7 * frame / RATE));
}

static void
append_committed (WmStore             *store,
                  WmRecordingAppender *appender,
                  gint64               n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autofree gint16 *frames = g_new (gint16, n_frames);
  gint64 first = wm_recording_appender_get_n_frames (appender);

  for (gint64 i = 0; i < n_frames; i++)
    frames[i] = sample_at (first + i);
  g_assert_true (wm_store_begin (store, &error));
  g_assert_true (wm_recording_appender_append (appender, frames, n_frames, &error));
  g_assert_true (wm_recording_appender_flush (appender, &error));
  g_assert_true (wm_store_set_upload_progress (store, DEVICE, STREAM, first + n_frames,
                                               (first + n_frames) * 2, &error));
  g_assert_true (wm_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
write_label (WmStore            *store,
             const WriteCommand *command,
             gint64              recording_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmLabel) label = wm_label_new ();

  label->recording_id = recording_id;
  label->start_frame = command->first;
  label->end_frame = command->end;
  label->class_id = command->class_id;
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  g_assert_true (wm_store_add_label (store, label, &error));
  g_assert_no_error (error);
}

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (writer->path, WM_STORE_OPEN_DEFAULT, &error);
  g_autoptr(WmRecordingAppender) appender = NULL;

  g_assert_no_error (error);
  appender = wm_store_open_appender (store, writer->recording_id, &error);
  g_assert_no_error (error);

  for (;;)
    {
      g_autofree WriteCommand *command = g_async_queue_pop (writer->commands);
      WriteCommand *reply = g_new0 (WriteCommand, 1);

      if (command->kind == WRITE_QUIT)
        {
          g_free (reply);
          break;
        }
      if (command->kind == WRITE_APPEND)
        for (guint i = 0; i < command->n_commits; i++)
          {
            if (i > 0)
              g_usleep (20000);
            append_committed (store, appender, command->n_frames / command->n_commits);
          }
      else if (command->kind == WRITE_LABEL)
        write_label (store, command, writer->recording_id);
      else
        g_assert_true (wm_store_finalize_upload_stream (store, DEVICE, STREAM,
                                                        "0000000000000000000000000000000000000000000000000000000000000000",
                                                        &error));
      g_assert_no_error (error);
      reply->first = g_get_monotonic_time ();
      g_async_queue_push (writer->done, reply);
    }
  return NULL;
}

/* Sends a command and returns at once; writer_wait collects its commit time. */
static void
writer_send (Writer       *writer,
             WriteCommand  command)
{
  g_async_queue_push (writer->commands, g_memdup2 (&command, sizeof command));
}

static gint64
writer_wait (Writer *writer)
{
  g_autofree WriteCommand *reply = g_async_queue_timeout_pop (writer->done, WAIT_LIMIT_US);

  g_assert_nonnull (reply);
  return reply->first;
}

/* ---- Fixture ------------------------------------------------------------------ */

typedef struct {
  WmTestProject *project;
  gint64         growing_id;
  WmWindow      *window;
  Writer         writer;
  GArray        *latencies_ms;  /* double */
  guint          n_paints;
  gint64         last_paint;
} Fixture;

/* The growing recording as ingest makes it: a recording with the device's
 * provenance, the stream that fills it, FIRST_FRAMES frames so far. */
static gint64
add_upload (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (path, WM_STORE_OPEN_DEFAULT, &error);
  g_autoptr(WmRecording) recording = wm_recording_new ();
  g_autoptr(WmUploadStream) stream = g_new0 (WmUploadStream, 1);
  g_autoptr(WmRecordingAppender) appender = NULL;
  WmRecordingWriter *writer;
  gint64 id;

  g_assert_no_error (error);
  g_assert_true (wm_store_add_device (store, DEVICE, "imu-board",
                                      "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff",
                                      NULL, &error));
  recording->name = g_strdup ("imu-7 vibration");
  recording->sample_rate = RATE;
  recording->n_channels = 1;
  recording->channel_names = g_strsplit ("vib", ",", -1);
  recording->channel_units = g_new0 (char *, 2);
  recording->channel_units[0] = g_strdup ("");
  recording->kind = WM_RECORDING_KIND_SENSOR;
  recording->sample_format = WM_SAMPLE_FORMAT_INT16;
  recording->device_id = g_strdup (DEVICE);
  recording->stream_id = g_strdup (STREAM);
  writer = wm_store_begin_recording (store, recording, &error);
  g_assert_no_error (error);
  id = wm_recording_writer_commit (writer, &error);
  g_assert_no_error (error);

  stream->device = g_strdup (DEVICE);
  stream->stream_id = g_strdup (STREAM);
  stream->recording_id = id;
  stream->metadata = g_strdup ("{}");
  stream->device_type = g_strdup ("imu-board");
  stream->firmware = g_strdup ("2.1.0");
  g_assert_true (wm_store_add_upload_stream (store, stream, &error));
  g_assert_no_error (error);

  appender = wm_store_open_appender (store, id, &error);
  g_assert_no_error (error);
  append_committed (store, appender, FIRST_FRAMES);
  return id;
}

static void
count_paint (Fixture *fixture)
{
  fixture->n_paints++;
  fixture->last_paint = g_get_monotonic_time ();
}

static WmRecordingView *
get_view (Fixture *fixture)
{
  return WM_RECORDING_VIEW (wm_window_get_recording_view (fixture->window));
}

static gboolean
view_is_ready (gpointer data)
{
  Fixture *fixture = data;

  return wm_recording_view_is_ready (get_view (fixture)) && !wm_recording_view_get_busy (get_view (fixture));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->project = wm_test_project_new ();
  fixture->growing_id = add_upload (fixture->project->path);
  fixture->window = wm_test_open_window (application, 1200, 760, fixture->project->path, WAIT_LIMIT_US);
  g_assert_true (wm_window_select_recording (fixture->window, fixture->growing_id));
  g_assert_true (wm_test_wait_until (view_is_ready, fixture, WAIT_LIMIT_US));
  g_signal_connect_swapped (gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window)), "after-paint",
                            G_CALLBACK (count_paint), fixture);
  fixture->latencies_ms = g_array_new (FALSE, FALSE, sizeof (double));

  fixture->writer.path = g_strdup (fixture->project->path);
  fixture->writer.recording_id = fixture->growing_id;
  fixture->writer.commands = g_async_queue_new_full (g_free);
  fixture->writer.done = g_async_queue_new_full (g_free);
  fixture->writer.thread = g_thread_new ("writer", writer_thread, &fixture->writer);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  writer_send (&fixture->writer, (WriteCommand) { .kind = WRITE_QUIT });
  g_thread_join (fixture->writer.thread);
  g_async_queue_unref (fixture->writer.commands);
  g_async_queue_unref (fixture->writer.done);
  g_free (fixture->writer.path);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window)), fixture);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  wm_test_iterate_for (50);
  g_array_unref (fixture->latencies_ms);
  wm_test_project_free (fixture->project);
}

/* ---- Helpers ------------------------------------------------------------------ */

static WmRecordingItem *
growing_item (Fixture *fixture)
{
  GListModel *model = wm_window_get_recordings (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(WmRecordingItem) item = g_list_model_get_item (model, i);

      if (wm_recording_item_get_id (item) == fixture->growing_id)
        return item; /* the model keeps it */
    }
  g_assert_not_reached ();
}

typedef struct {
  Fixture *fixture;
  gint64   n_frames;
} Expected;

/* The view has the frames, has read them, and the sidebar says so. */
static gboolean
shows_frames (gpointer data)
{
  Expected *expected = data;
  Fixture *fixture = expected->fixture;
  WmTimeline *timeline = wm_recording_view_get_timeline (get_view (fixture));

  return wm_timeline_get_n_frames (timeline) == expected->n_frames
         && wm_recording_item_get_recording (growing_item (fixture))->n_frames == expected->n_frames
         && view_is_ready (fixture);
}

/* Waits until the window shows n_frames and has painted them; keeps the
 * time from the commit to that paint. */
static void
wait_for_frames (Fixture *fixture,
                 gint64   n_frames,
                 gint64   committed_at)
{
  Expected expected = { fixture, n_frames };
  guint paints;

  g_assert_true (wm_test_wait_until (shows_frames, &expected, WAIT_LIMIT_US));
  paints = fixture->n_paints;
  while (fixture->n_paints == paints)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, committed_at + WAIT_LIMIT_US);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  g_array_append_val (fixture->latencies_ms,
                      ((double) { (fixture->last_paint - committed_at) / 1000.0 }));
}

static gint64
grow (Fixture *fixture,
      gint64   n_frames,
      guint    n_commits)
{
  writer_send (&fixture->writer, (WriteCommand) { .kind = WRITE_APPEND, .n_frames = n_frames,
                                                  .n_commits = n_commits });
  return writer_wait (&fixture->writer);
}

static void
assert_visible (Fixture *fixture,
                gint64   start,
                gint64   end)
{
  gint64 visible_start, visible_end;

  wm_recording_view_get_visible_range (get_view (fixture), &visible_start, &visible_end);
  g_assert_cmpint (visible_start, ==, start);
  g_assert_cmpint (visible_end, ==, end);
}

/* The widget as it draws itself now, on white, as 0xAARRGGBB pixels. */
static guint32 *
render (GtkWidget *widget,
        int       *width,
        int       *height)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  guint32 *pixels;

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
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

/* wm_view_color_signal (0.21, 0.52, 0.89), give or take blending. */
static gboolean
is_signal_colour (guint32 pixel)
{
  int r = (pixel >> 16) & 0xff, g = (pixel >> 8) & 0xff, b = pixel & 0xff;

  return ABS (r - 54) <= 24 && ABS (g - 133) <= 24 && ABS (b - 227) <= 24;
}

/* Of the pixel columns of frames [first, end) in widget (a part drawn with
 * frame_to_x), the share that holds some signal. */
static double
drawn_share (GtkWidget *widget,
             double     x0,
             double     x1)
{
  int width, height;
  g_autofree guint32 *pixels = render (widget, &width, &height);
  int first = (int) ceil (x0) + 1, last = (int) floor (x1) - 1;
  int drawn = 0;

  g_assert_cmpint (last, >, first);
  g_assert_cmpint (last, <, width);
  for (int x = first; x <= last; x++)
    for (int y = 0; y < height; y++)
      if (is_signal_colour (pixels[y * width + x]))
        {
          drawn++;
          break;
        }
  return (double) drawn / (last - first + 1);
}

static double
signal_share (Fixture *fixture,
              gint64   first,
              gint64   end)
{
  WmRecordingView *view = get_view (fixture);
  GtkWidget *signal = GTK_WIDGET (wm_recording_view_get_signal_view (view));
  WmTimeline *timeline = wm_recording_view_get_timeline (view);
  int width = gtk_widget_get_width (signal);

  return drawn_share (signal, wm_timeline_frame_to_x (timeline, first, width),
                      wm_timeline_frame_to_x (timeline, end, width));
}

static double
overview_share (Fixture *fixture,
                gint64   first,
                gint64   end)
{
  WmRecordingView *view = get_view (fixture);
  GtkWidget *overview = GTK_WIDGET (wm_recording_view_get_overview (view));
  double plot = gtk_widget_get_width (overview) - WM_TIMELINE_GUTTER;
  double n = wm_timeline_get_n_frames (wm_recording_view_get_timeline (view));

  return drawn_share (overview, WM_TIMELINE_GUTTER + first * plot / n, WM_TIMELINE_GUTTER + end * plot / n);
}

static WmRecordingInfo *
get_info (Fixture *fixture)
{
  return wm_window_get_recording_info (fixture->window);
}

static gboolean
has_label (Fixture *fixture,
           gint64   first,
           gint64   end)
{
  const GPtrArray *labels = wm_label_track_get_labels (wm_recording_view_get_label_track (get_view (fixture)));

  for (guint i = 0; i < labels->len; i++)
    {
      const WmLabel *label = g_ptr_array_index (labels, i);

      if (label->start_frame == first && label->end_frame == end)
        return TRUE;
    }
  return FALSE;
}

static gboolean
shows_external_label (gpointer data)
{
  Fixture *fixture = data;

  return has_label (fixture, 7000, 7500) && wm_recording_item_get_n_labels (growing_item (fixture)) == 2;
}

static gboolean
upload_finished (gpointer data)
{
  return !wm_recording_item_get_uploading (growing_item (data));
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* ---- Tests ------------------------------------------------------------------- */

static void
test_provenance (Fixture       *fixture,
                 gconstpointer  data)
{
  WmRecordingItem *item = growing_item (fixture);
  WmRecordingInfo *info = get_info (fixture);
  g_autofree char *status = wm_recording_item_dup_upload_status (item);

  g_assert_true (wm_recording_item_get_uploading (item));
  g_assert_cmpstr (status, ==, "Uploading from " DEVICE);

  g_assert_cmpstr (wm_recording_info_get_value (info, "device"), ==, DEVICE);
  g_assert_cmpstr (wm_recording_info_get_value (info, "stream"), ==, STREAM);
  g_assert_cmpstr (wm_recording_info_get_value (info, "device-type"), ==, "imu-board");
  g_assert_cmpstr (wm_recording_info_get_value (info, "firmware"), ==, "2.1.0");
  g_assert_nonnull (wm_recording_info_get_value (info, "first-upload"));
  g_assert_nonnull (wm_recording_info_get_value (info, "last-upload"));
  g_assert_cmpstr (wm_recording_info_get_value (info, "upload-state"), ==, "Still uploading, not finalized");
  g_assert_cmpstr (wm_recording_info_get_value (info, "duration"), ==, "4.00 s");
  g_assert_cmpstr (wm_recording_info_get_value (info, "channels"), ==, "1 (vib)");

  /* Finalized: the sidebar stops saying so, the details say when. */
  writer_send (&fixture->writer, (WriteCommand) { .kind = WRITE_FINALIZE });
  writer_wait (&fixture->writer);
  g_assert_true (wm_test_wait_until (upload_finished, fixture, WAIT_LIMIT_US));
  g_assert_true (g_str_has_prefix (wm_recording_info_get_value (info, "upload-state"), "Finalized "));
  g_clear_pointer (&status, g_free);
  status = wm_recording_item_dup_upload_status (item);
  g_assert_cmpstr (status, ==, "");

  /* Other recordings have no upload to show. */
  g_assert_true (wm_window_select_recording (fixture->window, fixture->project->audio_id));
  g_assert_null (wm_recording_info_get_value (info, "device"));
  g_assert_cmpstr (wm_recording_info_get_value (info, "sample-rate"), ==, "16000 Hz");
}

static void
test_grows_while_shown (Fixture       *fixture,
                        gconstpointer  data)
{
  WmRecordingView *view = get_view (fixture);
  WmStore *store = wm_window_get_store (fixture->window);
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GError) error = NULL;
  gint64 committed_at, start;
  guint n_calls = 0;
  double poll_us, median;

  /* The whole recording in view: it stays whole as it grows. */
  assert_visible (fixture, 0, FIRST_FRAMES);
  committed_at = grow (fixture, 2000, 1);
  wait_for_frames (fixture, 6000, committed_at);
  assert_visible (fixture, 0, 6000);
  g_assert_cmpfloat (overview_share (fixture, 4000, 6000), >=, 0.9);

  /* Zoomed in at the end, like a live recorder: the view follows the end,
   * and only the frames added are read. */
  wm_recording_view_set_visible_range (view, 4000, 6000);
  g_assert_true (wm_test_wait_until (view_is_ready, fixture, WAIT_LIMIT_US));
  g_assert_cmpuint (wm_signal_view_get_n_tails (wm_recording_view_get_signal_view (view)), ==, 0);
  committed_at = grow (fixture, 1000, 1);
  wait_for_frames (fixture, 7000, committed_at);
  assert_visible (fixture, 5000, 7000);
  g_assert_cmpuint (wm_signal_view_get_n_tails (wm_recording_view_get_signal_view (view)), ==, 1);
  g_assert_cmpfloat (signal_share (fixture, 6000, 7000), >=, 0.95);
  g_assert_cmpfloat (signal_share (fixture, 5000, 6000), >=, 0.95);
  g_assert_cmpfloat (overview_share (fixture, 6000, 7000), >=, 0.9);

  /* Looking elsewhere: the view stays there. */
  wm_recording_view_set_visible_range (view, 0, 500);
  g_assert_true (wm_test_wait_until (view_is_ready, fixture, WAIT_LIMIT_US));
  committed_at = grow (fixture, 1000, 1);
  wait_for_frames (fixture, 8000, committed_at);
  assert_visible (fixture, 0, 500);

  /* A label on the frames already there, made while commits land. */
  wm_recording_view_set_visible_range (view, 0, 8000);
  writer_send (&fixture->writer, (WriteCommand) { .kind = WRITE_APPEND, .n_frames = 1000, .n_commits = 10 });
  wm_test_iterate_for (60);
  wm_recording_view_set_current_class_id (view, fixture->project->stop_class);
  wm_recording_view_set_selection (view, 100, 400);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "label.create-at-selection", NULL));
  committed_at = writer_wait (&fixture->writer);
  wait_for_frames (fixture, 9000, committed_at);
  labels = wm_store_list_labels (store, fixture->growing_id, 0, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (labels->len, ==, 1);
  g_assert_cmpint (((WmLabel *) labels->pdata[0])->start_frame, ==, 100);
  g_assert_cmpint (((WmLabel *) labels->pdata[0])->end_frame, ==, 400);
  g_assert_true (has_label (fixture, 100, 400));

  /* A label another process made (an auto-label run, an editor). */
  writer_send (&fixture->writer, (WriteCommand) { .kind = WRITE_LABEL, .first = 7000, .end = 7500,
                                                  .class_id = fixture->project->go_class });
  writer_wait (&fixture->writer);
  g_assert_true (wm_test_wait_until (shows_external_label, fixture, WAIT_LIMIT_US));
  g_assert_true (has_label (fixture, 100, 400));

  /* More commits at random phases of the poll, for the latency figures. */
  for (guint i = 0; i < 6; i++)
    {
      wm_test_iterate_for (g_test_rand_int_range (0, WM_WINDOW_POLL_INTERVAL_MS));
      committed_at = grow (fixture, 500, 1);
      wait_for_frames (fixture, 9500 + 500 * i, committed_at);
    }
  wm_test_save_screenshot (GTK_WIDGET (fixture->window), "screenshot-live.png");

  /* A poll that finds nothing: the PRAGMA and no more. */
  wm_test_iterate_for (50);
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < G_USEC_PER_SEC / 4)
    {
      g_assert_false (wm_window_poll_project (fixture->window));
      n_calls++;
    }
  poll_us = (double) (g_get_monotonic_time () - start) / n_calls;

  g_array_sort (fixture->latencies_ms, compare_doubles);
  median = g_array_index (fixture->latencies_ms, double, fixture->latencies_ms->len / 2);
  g_test_message ("idle poll: %.2f µs per call (%u calls); commit to painted: median %.0f ms, "
                  "max %.0f ms over %u commits (poll interval %d ms)",
                  poll_us, n_calls, median,
                  g_array_index (fixture->latencies_ms, double, fixture->latencies_ms->len - 1),
                  fixture->latencies_ms->len, WM_WINDOW_POLL_INTERVAL_MS);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  application = wm_test_gui_init (&argc, &argv);

  g_test_add ("/window/live/provenance", Fixture, NULL, fixture_set_up, test_provenance, fixture_tear_down);
  g_test_add ("/window/live/grows-while-shown", Fixture, NULL, fixture_set_up, test_grows_while_shown,
              fixture_tear_down);

  status = g_test_run ();
  g_object_unref (application);
  return status;
}
