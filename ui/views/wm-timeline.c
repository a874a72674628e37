/* wm-timeline.c — what the drawing widgets of one recording view share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include "wm-timeline.h"

struct _WmTimeline
{
  GObject      parent_instance;

  WmRecording *recording;     /* owned copy, or NULL */
  double       visible_start;
  double       visible_end;
  gint64       selection_start;
  gint64       selection_end;
  gint64       cursor;
  gint64       playhead;
  double       hover;
  GArray      *weights;       /* double per channel */
  GArray      *gains;         /* double per channel */
};

G_DEFINE_FINAL_TYPE (WmTimeline, wm_timeline, G_TYPE_OBJECT)

enum {
  RANGE_CHANGED,
  MARKS_CHANGED,
  LAYOUT_CHANGED,
  RECORDING_CHANGED,
  FRAMES_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wm_timeline_finalize (GObject *object)
{
  WmTimeline *self = WM_TIMELINE (object);

  g_clear_pointer (&self->recording, wm_recording_free);
  g_clear_pointer (&self->weights, g_array_unref);
  g_clear_pointer (&self->gains, g_array_unref);

  G_OBJECT_CLASS (wm_timeline_parent_class)->finalize (object);
}

static void
wm_timeline_class_init (WmTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wm_timeline_finalize;

  signals[RANGE_CHANGED] =
    g_signal_new ("range-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[MARKS_CHANGED] =
    g_signal_new ("marks-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LAYOUT_CHANGED] =
    g_signal_new ("layout-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECORDING_CHANGED] =
    g_signal_new ("recording-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FRAMES_ADDED] =
    g_signal_new ("frames-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
wm_timeline_init (WmTimeline *self)
{
  self->selection_start = -1;
  self->selection_end = -1;
  self->cursor = -1;
  self->playhead = -1;
  self->hover = -1;
  self->weights = g_array_new (FALSE, TRUE, sizeof (double));
  self->gains = g_array_new (FALSE, TRUE, sizeof (double));
}

WmTimeline *
wm_timeline_new (void)
{
  return g_object_new (WM_TYPE_TIMELINE, NULL);
}

void
wm_timeline_set_recording (WmTimeline        *self,
                           const WmRecording *recording)
{
  guint n_channels;

  g_return_if_fail (WM_IS_TIMELINE (self));

  g_clear_pointer (&self->recording, wm_recording_free);
  if (recording != NULL)
    self->recording = wm_recording_copy (recording);

  n_channels = recording != NULL ? recording->n_channels : 0;
  g_array_set_size (self->weights, n_channels);
  g_array_set_size (self->gains, n_channels);
  for (guint i = 0; i < n_channels; i++)
    {
      g_array_index (self->weights, double, i) = 1.0;
      g_array_index (self->gains, double, i) = 1.0;
    }

  self->visible_start = 0;
  self->visible_end = recording != NULL ? MAX ((double) recording->n_frames, 1.0) : 1.0;
  self->selection_start = self->selection_end = -1;
  self->cursor = self->playhead = -1;
  self->hover = -1;

  g_signal_emit (self, signals[RECORDING_CHANGED], 0);
  g_signal_emit (self, signals[LAYOUT_CHANGED], 0);
  g_signal_emit (self, signals[RANGE_CHANGED], 0);
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

void
wm_timeline_update_recording (WmTimeline        *self,
                              const WmRecording *recording)
{
  gint64 previous;
  double span;
  gboolean whole, following;

  g_return_if_fail (WM_IS_TIMELINE (self));
  g_return_if_fail (recording != NULL);

  if (self->recording == NULL || self->recording->id != recording->id
      || self->recording->n_channels != recording->n_channels
      || recording->n_frames < self->recording->n_frames)
    {
      wm_timeline_set_recording (self, recording);
      return;
    }

  previous = self->recording->n_frames;
  span = self->visible_end - self->visible_start;
  whole = self->visible_start <= 0 && self->visible_end >= previous;
  following = self->visible_end >= previous;
  wm_recording_free (self->recording);
  self->recording = wm_recording_copy (recording);
  if (recording->n_frames == previous)
    return;

  /* The range first, so that parts read the frames added for where the
   * view is going to be, once. */
  if (whole)
    wm_timeline_set_visible_range (self, 0, (double) recording->n_frames);
  else if (following)
    wm_timeline_set_visible_range (self, recording->n_frames - span, (double) recording->n_frames);
  g_signal_emit (self, signals[FRAMES_ADDED], 0, previous);
}

const WmRecording *
wm_timeline_get_recording (WmTimeline *self)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), NULL);
  return self->recording;
}

gint64
wm_timeline_get_n_frames (WmTimeline *self)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 0);
  return self->recording != NULL ? self->recording->n_frames : 0;
}

guint
wm_timeline_get_n_channels (WmTimeline *self)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 0);
  return self->recording != NULL ? self->recording->n_channels : 0;
}

double
wm_timeline_get_visible_start (WmTimeline *self)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 0);
  return self->visible_start;
}

double
wm_timeline_get_visible_end (WmTimeline *self)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 0);
  return self->visible_end;
}

void
wm_timeline_set_visible_range (WmTimeline *self,
                               double      start,
                               double      end)
{
  double n_frames;
  double span;

  g_return_if_fail (WM_IS_TIMELINE (self));

  n_frames = MAX ((double) wm_timeline_get_n_frames (self), 1.0);
  span = CLAMP (end - start, MIN (WM_TIMELINE_MIN_SPAN, n_frames), n_frames);
  if (end - start != span)
    {
      double centre = (start + end) / 2;

      start = centre - span / 2;
    }
  start = CLAMP (start, 0, n_frames - span);
  end = start + span;

  if (start == self->visible_start && end == self->visible_end)
    return;

  self->visible_start = start;
  self->visible_end = end;
  g_signal_emit (self, signals[RANGE_CHANGED], 0);
}

void
wm_timeline_zoom (WmTimeline *self,
                  double      factor,
                  double      anchor_frame)
{
  double n_frames, span, new_span, start;

  g_return_if_fail (WM_IS_TIMELINE (self));
  g_return_if_fail (factor > 0);

  n_frames = MAX ((double) wm_timeline_get_n_frames (self), 1.0);
  span = self->visible_end - self->visible_start;
  new_span = CLAMP (span / factor, MIN (WM_TIMELINE_MIN_SPAN, n_frames), n_frames);
  /* At a zoom limit, a further step in that direction changes nothing. */
  if (new_span == span)
    return;

  /* The anchor keeps its place on screen. */
  start = anchor_frame - (anchor_frame - self->visible_start) * new_span / span;
  wm_timeline_set_visible_range (self, start, start + new_span);
}

void
wm_timeline_scroll (WmTimeline *self,
                    double      fraction)
{
  double delta;

  g_return_if_fail (WM_IS_TIMELINE (self));

  delta = (self->visible_end - self->visible_start) * fraction;
  wm_timeline_set_visible_range (self, self->visible_start + delta, self->visible_end + delta);
}

double
wm_timeline_frame_to_x (WmTimeline *self,
                        double      frame,
                        int         width)
{
  double plot_width = MAX (width - WM_TIMELINE_GUTTER, 1);

  return WM_TIMELINE_GUTTER
         + (frame - self->visible_start) * plot_width / (self->visible_end - self->visible_start);
}

double
wm_timeline_x_to_frame (WmTimeline *self,
                        double      x,
                        int         width)
{
  double plot_width = MAX (width - WM_TIMELINE_GUTTER, 1);

  return self->visible_start
         + (x - WM_TIMELINE_GUTTER) * (self->visible_end - self->visible_start) / plot_width;
}

gint64
wm_timeline_get_selection_start (WmTimeline *self)
{
  return self->selection_start;
}

gint64
wm_timeline_get_selection_end (WmTimeline *self)
{
  return self->selection_end;
}

void
wm_timeline_set_selection (WmTimeline *self,
                           gint64      start,
                           gint64      end)
{
  g_return_if_fail (WM_IS_TIMELINE (self));

  if (start < 0 || end < 0)
    start = end = -1;
  else if (start > end)
    {
      gint64 tmp = start;

      start = end;
      end = tmp;
    }

  if (start == self->selection_start && end == self->selection_end)
    return;

  self->selection_start = start;
  self->selection_end = end;
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

gint64
wm_timeline_get_cursor (WmTimeline *self)
{
  return self->cursor;
}

void
wm_timeline_set_cursor (WmTimeline *self,
                        gint64      frame)
{
  g_return_if_fail (WM_IS_TIMELINE (self));

  frame = MAX (frame, -1);
  if (frame == self->cursor)
    return;
  self->cursor = frame;
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

gint64
wm_timeline_get_playhead (WmTimeline *self)
{
  return self->playhead;
}

void
wm_timeline_set_playhead (WmTimeline *self,
                          gint64      frame)
{
  g_return_if_fail (WM_IS_TIMELINE (self));

  frame = MAX (frame, -1);
  if (frame == self->playhead)
    return;
  self->playhead = frame;
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

double
wm_timeline_get_hover (WmTimeline *self)
{
  return self->hover;
}

void
wm_timeline_set_hover (WmTimeline *self,
                       double      frame)
{
  g_return_if_fail (WM_IS_TIMELINE (self));

  if (frame == self->hover)
    return;
  self->hover = frame;
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

static double
total_weight (WmTimeline *self)
{
  double total = 0;

  for (guint i = 0; i < self->weights->len; i++)
    total += g_array_index (self->weights, double, i);
  return total;
}

void
wm_timeline_get_channel_area (WmTimeline *self,
                              guint       channel,
                              int         widget_height,
                              int        *y,
                              int        *height)
{
  double total = total_weight (self);
  double before = 0;
  int top, bottom;

  g_return_if_fail (WM_IS_TIMELINE (self));
  g_return_if_fail (channel < self->weights->len);

  for (guint i = 0; i < channel; i++)
    before += g_array_index (self->weights, double, i);

  /* Rounded edges so that neighbouring channels share a pixel row exactly. */
  top = (int) round (widget_height * before / total);
  bottom = (int) round (widget_height * (before + g_array_index (self->weights, double, channel)) / total);
  *y = top;
  *height = bottom - top;
}

int
wm_timeline_channel_at_y (WmTimeline *self,
                          double      y,
                          int         widget_height)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), -1);

  for (guint i = 0; i < self->weights->len; i++)
    {
      int top, height;

      wm_timeline_get_channel_area (self, i, widget_height, &top, &height);
      if (y >= top && y < top + height)
        return (int) i;
    }
  return -1;
}

double
wm_timeline_get_channel_weight (WmTimeline *self,
                                guint       channel)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 1.0);
  g_return_val_if_fail (channel < self->weights->len, 1.0);
  return g_array_index (self->weights, double, channel);
}

void
wm_timeline_set_channel_weight (WmTimeline *self,
                                guint       channel,
                                double      weight)
{
  g_return_if_fail (WM_IS_TIMELINE (self));
  g_return_if_fail (channel < self->weights->len);

  weight = CLAMP (weight, 0.1, 10.0);
  if (g_array_index (self->weights, double, channel) == weight)
    return;
  g_array_index (self->weights, double, channel) = weight;
  g_signal_emit (self, signals[LAYOUT_CHANGED], 0);
}

double
wm_timeline_get_channel_gain (WmTimeline *self,
                              guint       channel)
{
  g_return_val_if_fail (WM_IS_TIMELINE (self), 1.0);
  g_return_val_if_fail (channel < self->gains->len, 1.0);
  return g_array_index (self->gains, double, channel);
}

void
wm_timeline_set_channel_gain (WmTimeline *self,
                              guint       channel,
                              double      gain)
{
  g_return_if_fail (WM_IS_TIMELINE (self));
  g_return_if_fail (channel < self->gains->len);

  gain = CLAMP (gain, 1.0 / 64, 1024.0);
  if (g_array_index (self->gains, double, channel) == gain)
    return;
  g_array_index (self->gains, double, channel) = gain;
  g_signal_emit (self, signals[LAYOUT_CHANGED], 0);
}

char *
wm_timeline_format_frame (WmTimeline *self,
                          double      frame,
                          gboolean    wall_clock,
                          double      resolution_s)
{
  double rate;
  double seconds;
  int decimals = 0;

  g_return_val_if_fail (WM_IS_TIMELINE (self), NULL);

  if (self->recording == NULL)
    return g_strdup ("");

  rate = self->recording->sample_rate;
  seconds = frame / rate;
  if (resolution_s < 1)
    decimals = MIN ((int) ceil (-log10 (resolution_s) - 1e-9), 6);

  if (wall_clock && self->recording->has_start_time)
    {
      gint64 us = self->recording->start_time_us + (gint64) llround (seconds * G_USEC_PER_SEC);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = NULL;
      g_autofree char *hms = NULL;
      double fraction = (us % G_USEC_PER_SEC) / (double) G_USEC_PER_SEC;

      if (utc == NULL)
        return g_strdup ("");
      local = g_date_time_to_local (utc);
      hms = g_date_time_format (local, "%H:%M:%S");
      if (decimals == 0)
        return g_steal_pointer (&hms);
      return g_strdup_printf ("%s.%0*d", hms, decimals,
                              (int) floor (fraction * pow (10, decimals)));
    }
  else
    {
      gboolean negative = seconds < 0;
      double abs_s = fabs (seconds);
      gint64 whole = (gint64) floor (abs_s);
      double fraction = abs_s - whole;
      gint64 h = whole / 3600, m = (whole / 60) % 60, s = whole % 60;
      g_autofree char *frac = NULL;

      if (decimals > 0)
        {
          /* Truncate rather than round so that 59.9996 never shows as 59.1000. */
          gint64 scaled = (gint64) floor (fraction * pow (10, decimals) + 1e-6);

          frac = g_strdup_printf (".%0*" G_GINT64_FORMAT, decimals, scaled);
        }

      if (h > 0)
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT "%s",
                                negative ? "−" : "", h, m, s, frac ? frac : "");
      if (m > 0)
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT "%s",
                                negative ? "−" : "", m, s, frac ? frac : "");
      return g_strdup_printf ("%s%" G_GINT64_FORMAT "%s s",
                              negative ? "−" : "", s, frac ? frac : "");
    }
}
