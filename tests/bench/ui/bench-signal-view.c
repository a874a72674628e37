/* bench-signal-view.c — signal view frame cost: 10 hours on screen vs 1 second
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One frame = plan the block for the width, read it (summaries or samples,
 * synchronously, as the view's worker does), build the render node, and
 * render it offscreen with the cairo GSK renderer into a texture.  The
 * comparator is the same frame for a 1-second window of the same
 * recording: if cost grows with pixels and not with samples, the ratio
 * full / 1 s stays near 1 (goal ≤ 2).  The ratio is given for the frame's
 * CPU time (this thread does all of it) and for its wall time; on a
 * machine busy with other work only the first is a measure of the view.
 *
 * Usage: bench-signal-view PROJECT [HOURS]
 * PROJECT is made once (HOURS of 48 kHz int16 mono, default 10, about
 * 3.5 GB) and reused while it exists.
 */

#include "config.h"

#include <errno.h>
#include <time.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "views-test-util.h"
#include "wm-signal-reader.h"
#include "wm-signal-view.h"

#define RATE       48000.0
#define WIDTH      1200
#define HEIGHT     300
#define ITERATIONS 41

static gboolean
ensure_project (const char *path,
                double      hours,
                gint64     *out_recording_id,
                GError    **error)
{
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  g_autofree char *partial = NULL;
  gint64 started;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      store = wm_store_open (path, WM_STORE_OPEN_READ_ONLY, error);
      if (store == NULL)
        return FALSE;
      recordings = wm_store_list_recordings (store, error);
      if (recordings == NULL)
        return FALSE;
      for (guint i = 0; i < recordings->len; i++)
        {
          WmRecording *recording = g_ptr_array_index (recordings, i);

          if (recording->n_frames == (gint64) (hours * 3600 * RATE) && recording->sample_rate == RATE)
            {
              *out_recording_id = recording->id;
              return TRUE;
            }
        }
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   "%s exists but holds no %.1f-hour 48 kHz recording; remove it to regenerate",
                   path, hours);
      return FALSE;
    }

  /* Written under another name and renamed when complete, so that an
   * interrupted run leaves nothing that looks finished. */
  partial = g_strconcat (path, ".partial", NULL);
  g_unlink (partial);
  started = g_get_monotonic_time ();
  g_printerr ("# generating %s: %.1f h of 48 kHz int16 mono (once)\n", path, hours);
  store = wm_store_open (partial, WM_STORE_OPEN_CREATE, error);
  if (store == NULL)
    return FALSE;
  *out_recording_id = views_test_add_long_audio (store, hours * 3600, RATE, error);
  if (*out_recording_id <= 0)
    return FALSE;
  g_clear_object (&store);
  if (g_rename (partial, path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "could not rename %s to %s: %s", partial, path, g_strerror (errno));
      return FALSE;
    }
  g_printerr ("# generated in %.1f s\n", (g_get_monotonic_time () - started) / 1e6);
  return TRUE;
}

/* CPU time of this thread, which does all the work of a frame (the read
 * is synchronous, the cairo renderer single-threaded): unlike wall time it
 * does not count the slices other processes take on a busy machine. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

typedef struct {
  double total_ms;  /* CPU */
  double read_ms;   /* CPU */
  double render_ms; /* CPU */
  double wall_ms;
} Frame;

static Frame
render_frame (WmSignalView   *view,
              WmSignalReader *reader,
              GskRenderer    *renderer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  WmSignalBlock *block;
  GskRenderNode *node;
  gint64 t0, t1, t2, w0;
  Frame frame;

  w0 = g_get_monotonic_time ();
  t0 = thread_cpu_us ();
  block = wm_signal_view_plan_block (view, WIDTH);
  if (!wm_signal_reader_fill (reader, block, NULL, &error))
    g_error ("reading the block failed: %s", error->message);
  t1 = thread_cpu_us ();
  wm_signal_view_take_block (view, block);
  node = wm_signal_view_get_node (view, WIDTH, HEIGHT);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
  t2 = thread_cpu_us ();

  frame.wall_ms = (g_get_monotonic_time () - w0) / 1000.0;
  frame.total_ms = (t2 - t0) / 1000.0;
  frame.read_ms = (t1 - t0) / 1000.0;
  frame.render_ms = (t2 - t1) / 1000.0;
  return frame;
}

/* The views compared, measured in turns (whole, 1 s, samples, whole, …)
 * so that whatever else the machine does weighs on all of them alike. */
typedef struct {
  const char *name;
  gint64      span;
  double      total[ITERATIONS];
  double      read[ITERATIONS];
  double      render[ITERATIONS];
  double      wall[ITERATIONS];
  Frame       median;
} Case;

static void
measure (WmSignalView   *view,
         WmTimeline     *timeline,
         WmSignalReader *reader,
         GskRenderer    *renderer,
         gint64          n_frames,
         Case           *cases,
         guint           n_cases)
{
  for (guint i = 0; i < ITERATIONS; i++)
    for (guint c = 0; c < n_cases; c++)
      {
        gint64 span = cases[c].span;
        /* The window moves by a prime number of frames each time, so that
         * no two reads are the same. */
        gint64 start = span >= n_frames ? 0 : (n_frames / 3 + (gint64) i * 104729) % (n_frames - span);
        Frame frame;

        wm_timeline_set_visible_range (timeline, start, start + span);
        frame = render_frame (view, reader, renderer);
        cases[c].total[i] = frame.total_ms;
        cases[c].read[i] = frame.read_ms;
        cases[c].render[i] = frame.render_ms;
        cases[c].wall[i] = frame.wall_ms;
      }

  for (guint c = 0; c < n_cases; c++)
    {
      cases[c].median.total_ms = views_test_median (cases[c].total, ITERATIONS);
      cases[c].median.wall_ms = views_test_median (cases[c].wall, ITERATIONS);
      cases[c].median.read_ms = views_test_median (cases[c].read, ITERATIONS);
      cases[c].median.render_ms = views_test_median (cases[c].render, ITERATIONS);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(WmTimeline) timeline = NULL;
  g_autoptr(WmSignalReader) reader = NULL;
  g_autoptr(GskRenderer) renderer = NULL;
  GtkWidget *view;
  double hours = argc > 2 ? g_ascii_strtod (argv[2], NULL) : 10;
  gint64 recording_id = 0;
  Case cases[3] = { { 0 } };

  if (argc < 2 || hours <= 0)
    {
      g_printerr ("usage: %s PROJECT [HOURS]\n", argv[0]);
      return 2;
    }

  if (!ensure_project (argv[1], hours, &recording_id, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();

  store = wm_store_open (argv[1], WM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (recording = wm_store_get_recording (store, recording_id, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, &error))
    {
      g_printerr ("could not realize the cairo renderer: %s\n", error->message);
      return 1;
    }

  timeline = wm_timeline_new ();
  wm_timeline_set_recording (timeline, recording);
  reader = wm_signal_reader_new (argv[1]);
  view = g_object_ref_sink (wm_signal_view_new (timeline));

  cases[0].name = "whole recording";
  cases[0].span = recording->n_frames;
  cases[1].name = "1 second";
  cases[1].span = (gint64) RATE;
  cases[2].name = "600 samples";
  cases[2].span = 600;

  /* A first round warms the caches and the font machinery. */
  measure (WM_SIGNAL_VIEW (view), timeline, reader, renderer, recording->n_frames, cases, G_N_ELEMENTS (cases));
  measure (WM_SIGNAL_VIEW (view), timeline, reader, renderer, recording->n_frames, cases, G_N_ELEMENTS (cases));

  g_print ("# signal view frame, %dx%d px, cairo renderer offscreen, %s (%.1f h, %" G_GINT64_FORMAT " frames),\n"
           "# median of %d frames per view, views in turns; CPU time of the frame (read = summary or\n"
           "# sample read, render = node + rasterise) and its wall time (includes waiting for the CPU)\n",
           WIDTH, HEIGHT, argv[1], hours, recording->n_frames, ITERATIONS);
  g_print ("%-18s %10s %10s %10s %10s\n", "view", "CPU ms", "read ms", "render ms", "wall ms");
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    g_print ("%-18s %10.2f %10.2f %10.2f %10.2f\n", cases[c].name, cases[c].median.total_ms,
             cases[c].median.read_ms, cases[c].median.render_ms, cases[c].median.wall_ms);
  g_print ("ratio whole / 1 s: %.2f CPU, %.2f wall (goal <= 2)\n",
           cases[0].median.total_ms / cases[1].median.total_ms,
           cases[0].median.wall_ms / cases[1].median.wall_ms);

  g_object_unref (view);
  gsk_renderer_unrealize (renderer);
  return 0;
}
