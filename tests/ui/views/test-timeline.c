/* test-timeline.c — the shared state of the recording view, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "wm-time-ruler.h"
#include "wm-timeline.h"

static WmRecording *
make_recording (gint64 n_frames,
                double rate)
{
  WmRecording *recording = wm_recording_new ();

  recording->id = 1;
  recording->name = g_strdup ("r");
  recording->sample_rate = rate;
  recording->n_channels = 3;
  recording->channel_names = g_strsplit ("a,b,c", ",", -1);
  recording->channel_units = g_strsplit (",,", ",", -1);
  recording->n_frames = n_frames;
  return recording;
}

static void
count_cb (WmTimeline *timeline,
          guint      *count)
{
  (*count)++;
}

static void
test_range (void)
{
  g_autoptr(WmTimeline) timeline = wm_timeline_new ();
  g_autoptr(WmRecording) recording = make_recording (3600000, 1000);
  guint changes = 0;

  g_signal_connect (timeline, "range-changed", G_CALLBACK (count_cb), &changes);
  wm_timeline_set_recording (timeline, recording);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpfloat (wm_timeline_get_visible_start (timeline), ==, 0);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline), ==, 3600000);

  /* Zooming keeps the anchor where it was on screen. */
  wm_timeline_zoom (timeline, 4, 900000);
  g_assert_cmpfloat (wm_timeline_get_visible_start (timeline), ==, 675000);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline), ==, 1575000);
  g_assert_cmpfloat_with_epsilon (wm_timeline_x_to_frame (timeline,
                                    wm_timeline_frame_to_x (timeline, 900000, 1084), 1084),
                                  900000, 1e-6);

  /* Panning stops at the ends. */
  wm_timeline_scroll (timeline, -10);
  g_assert_cmpfloat (wm_timeline_get_visible_start (timeline), ==, 0);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline), ==, 900000);
  wm_timeline_scroll (timeline, 10);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline), ==, 3600000);

  /* Deepest zoom: a few frames, never fewer. */
  changes = 0;
  wm_timeline_zoom (timeline, 1e9, 2000000);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline),
                     ==, WM_TIMELINE_MIN_SPAN);
  g_assert_cmpuint (changes, ==, 1);
  wm_timeline_zoom (timeline, 1e9, 2000000);
  g_assert_cmpuint (changes, ==, 1);

  /* And never wider than the recording. */
  wm_timeline_set_visible_range (timeline, -5e9, 5e9);
  g_assert_cmpfloat (wm_timeline_get_visible_start (timeline), ==, 0);
  g_assert_cmpfloat (wm_timeline_get_visible_end (timeline), ==, 3600000);

  /* x and frames: the gutter is frame start. */
  g_assert_cmpfloat (wm_timeline_frame_to_x (timeline, 0, 1084), ==, WM_TIMELINE_GUTTER);
  g_assert_cmpfloat (wm_timeline_frame_to_x (timeline, 3600000, 1084), ==, 1084);
}

static void
test_marks (void)
{
  g_autoptr(WmTimeline) timeline = wm_timeline_new ();
  g_autoptr(WmRecording) recording = make_recording (1000, 100);
  guint changes = 0;

  wm_timeline_set_recording (timeline, recording);
  g_signal_connect (timeline, "marks-changed", G_CALLBACK (count_cb), &changes);

  wm_timeline_set_selection (timeline, 700, 200);
  g_assert_cmpint (wm_timeline_get_selection_start (timeline), ==, 200);
  g_assert_cmpint (wm_timeline_get_selection_end (timeline), ==, 700);
  wm_timeline_set_selection (timeline, 200, 700);
  g_assert_cmpuint (changes, ==, 1);
  wm_timeline_set_selection (timeline, -1, 500);
  g_assert_cmpint (wm_timeline_get_selection_start (timeline), ==, -1);
  g_assert_cmpint (wm_timeline_get_selection_end (timeline), ==, -1);

  wm_timeline_set_cursor (timeline, 42);
  wm_timeline_set_playhead (timeline, 43);
  g_assert_cmpint (wm_timeline_get_cursor (timeline), ==, 42);
  g_assert_cmpint (wm_timeline_get_playhead (timeline), ==, 43);
  g_assert_cmpuint (changes, ==, 4);

  /* A new recording clears every mark. */
  wm_timeline_set_recording (timeline, recording);
  g_assert_cmpint (wm_timeline_get_cursor (timeline), ==, -1);
  g_assert_cmpint (wm_timeline_get_playhead (timeline), ==, -1);
}

static void
test_channels (void)
{
  g_autoptr(WmTimeline) timeline = wm_timeline_new ();
  g_autoptr(WmRecording) recording = make_recording (1000, 100);
  int y, height, y2, height2;

  wm_timeline_set_recording (timeline, recording);

  /* Equal shares that tile the height exactly. */
  wm_timeline_get_channel_area (timeline, 0, 301, &y, &height);
  g_assert_cmpint (y, ==, 0);
  wm_timeline_get_channel_area (timeline, 1, 301, &y2, &height2);
  g_assert_cmpint (y2, ==, y + height);
  wm_timeline_get_channel_area (timeline, 2, 301, &y, &height);
  g_assert_cmpint (y, ==, y2 + height2);
  g_assert_cmpint (y + height, ==, 301);
  g_assert_cmpint (wm_timeline_channel_at_y (timeline, 150, 301), ==, 1);
  g_assert_cmpint (wm_timeline_channel_at_y (timeline, 400, 301), ==, -1);

  /* Weights: channel 0 twice as tall as each other. */
  wm_timeline_set_channel_weight (timeline, 0, 2);
  wm_timeline_get_channel_area (timeline, 0, 400, &y, &height);
  g_assert_cmpint (height, ==, 200);

  wm_timeline_set_channel_gain (timeline, 2, 1e9);
  g_assert_cmpfloat (wm_timeline_get_channel_gain (timeline, 2), ==, 1024);
}

static void
test_format (void)
{
  g_autoptr(WmTimeline) timeline = wm_timeline_new ();
  g_autoptr(WmRecording) recording = make_recording (48000 * 7200, 48000);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  wm_timeline_set_recording (timeline, recording);
  a = wm_timeline_format_frame (timeline, 48000 * 3723.25, FALSE, 0.01);
  g_assert_cmpstr (a, ==, "1:02:03.25");
  b = wm_timeline_format_frame (timeline, 48000 * 65, FALSE, 5);
  g_assert_cmpstr (b, ==, "1:05");
  c = wm_timeline_format_frame (timeline, 24, FALSE, 0.0005);
  g_assert_cmpstr (c, ==, "0.0005 s");

  /* Without a start time, wall clock falls back to seconds. */
  d = wm_timeline_format_frame (timeline, 48000 * 2, TRUE, 1);
  g_assert_cmpstr (d, ==, "2 s");
}

static void
test_tick_step (void)
{
  /* Labels about 100 px apart, on 1-2-5 or clock-friendly steps. */
  g_assert_cmpfloat (wm_time_ruler_tick_step (36000, 1000), ==, 3600);
  g_assert_cmpfloat (wm_time_ruler_tick_step (60, 1000), ==, 10);
  g_assert_cmpfloat (wm_time_ruler_tick_step (1, 1000), ==, 0.1);
  g_assert_cmpfloat (wm_time_ruler_tick_step (0.001, 1000), ==, 0.0001);
  g_assert_cmpfloat (wm_time_ruler_tick_step (130, 1000), ==, 15);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/views/timeline/range", test_range);
  g_test_add_func ("/views/timeline/marks", test_marks);
  g_test_add_func ("/views/timeline/channels", test_channels);
  g_test_add_func ("/views/timeline/format", test_format);
  g_test_add_func ("/views/time-ruler/tick-step", test_tick_step);

  return g_test_run ();
}
