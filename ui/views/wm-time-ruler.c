/* wm-time-ruler.c — ticks and times over the visible range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include "wm-time-ruler.h"
#include "wm-view-draw.h"

#define RULER_HEIGHT 24
#define LABEL_SPACING 100.0

struct _WmTimeRuler
{
  WmTimelinePart parent_instance;

  gboolean       wall_clock;
};

G_DEFINE_FINAL_TYPE (WmTimeRuler, wm_time_ruler, WM_TYPE_TIMELINE_PART)

double
wm_time_ruler_tick_step (double span_s,
                         int    width)
{
  static const double coarse[] = {
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400,
  };
  double wanted = span_s * LABEL_SPACING / MAX (width, 1);
  double decade;

  if (wanted >= 1)
    {
      for (guint i = 0; i < G_N_ELEMENTS (coarse); i++)
        if (coarse[i] >= wanted)
          return coarse[i];
      return 86400 * ceil (wanted / 86400);
    }

  decade = pow (10, floor (log10 (wanted)));
  if (decade >= wanted)
    return decade;
  if (2 * decade >= wanted)
    return 2 * decade;
  if (5 * decade >= wanted)
    return 5 * decade;
  return 10 * decade;
}

static void
wm_time_ruler_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  WmTimeRuler *self = WM_TIME_RULER (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double rate, start_s, end_s, step, minor;
  double first;

  wm_view_snapshot_rect (snapshot, 0, height - 1, width, 1, &wm_view_color_grid);
  if (recording == NULL || width <= WM_TIMELINE_GUTTER)
    return;

  rate = recording->sample_rate;
  start_s = wm_timeline_get_visible_start (timeline) / rate;
  end_s = wm_timeline_get_visible_end (timeline) / rate;
  step = wm_time_ruler_tick_step (end_s - start_s, width - WM_TIMELINE_GUTTER);
  minor = step / 5;

  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0, width - WM_TIMELINE_GUTTER, height));

  first = floor (start_s / minor) * minor;
  for (gint64 i = 0; ; i++)
    {
      double t = first + i * minor;
      double x;
      gboolean major;

      if (t > end_s + minor)
        break;
      x = wm_timeline_frame_to_x (timeline, t * rate, width);
      major = fabs (remainder (t, step)) < minor / 2;
      wm_view_snapshot_rect (snapshot, x, major ? height - 10 : height - 5, 1,
                             major ? 9 : 4, &wm_view_color_text);
      if (major)
        {
          g_autofree char *text = wm_timeline_format_frame (timeline, t * rate,
                                                            self->wall_clock, step);

          wm_view_snapshot_text (snapshot, widget, text, x + 3, 1, &wm_view_color_text);
        }
    }

  gtk_snapshot_pop (snapshot);
  wm_view_snapshot_marks (snapshot, timeline, width, height);
}

static void
wm_time_ruler_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = WM_TIMELINE_GUTTER + 100;
  else
    *minimum = *natural = RULER_HEIGHT;
}

static void
wm_time_ruler_class_init (WmTimeRulerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);

  part_class->range_changed = wm_timeline_part_redraw;
  part_class->marks_changed = wm_timeline_part_redraw;
  part_class->recording_changed = wm_timeline_part_redraw;

  widget_class->snapshot = wm_time_ruler_snapshot;
  widget_class->measure = wm_time_ruler_measure;
  gtk_widget_class_set_css_name (widget_class, "wmtimeruler");
}

static void
wm_time_ruler_init (WmTimeRuler *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
wm_time_ruler_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_TIME_RULER, "timeline", timeline, NULL);
}

void
wm_time_ruler_set_wall_clock (WmTimeRuler *self,
                              gboolean     wall_clock)
{
  g_return_if_fail (WM_IS_TIME_RULER (self));

  wall_clock = !!wall_clock;
  if (self->wall_clock == wall_clock)
    return;
  self->wall_clock = wall_clock;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
