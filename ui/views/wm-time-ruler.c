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
  GtkWidget   parent_instance;

  WmTimeline *timeline;
  gboolean    wall_clock;
};

G_DEFINE_FINAL_TYPE (WmTimeRuler, wm_time_ruler, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIMELINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  const WmRecording *recording = wm_timeline_get_recording (self->timeline);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double rate, start_s, end_s, step, minor;
  double first;

  wm_view_snapshot_rect (snapshot, 0, height - 1, width, 1, &wm_view_color_grid);
  if (recording == NULL || width <= WM_TIMELINE_GUTTER)
    return;

  rate = recording->sample_rate;
  start_s = wm_timeline_get_visible_start (self->timeline) / rate;
  end_s = wm_timeline_get_visible_end (self->timeline) / rate;
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
      x = wm_timeline_frame_to_x (self->timeline, t * rate, width);
      major = fabs (remainder (t, step)) < minor / 2;
      wm_view_snapshot_rect (snapshot, x, major ? height - 10 : height - 5, 1,
                             major ? 9 : 4, &wm_view_color_text);
      if (major)
        {
          g_autofree char *text = wm_timeline_format_frame (self->timeline, t * rate,
                                                            self->wall_clock, step);

          wm_view_snapshot_text (snapshot, widget, text, x + 3, 1, &wm_view_color_text);
        }
    }

  gtk_snapshot_pop (snapshot);
  wm_view_snapshot_marks (snapshot, self->timeline, width, height);
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
wm_time_ruler_dispose (GObject *object)
{
  WmTimeRuler *self = WM_TIME_RULER (object);

  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (wm_time_ruler_parent_class)->dispose (object);
}

static void
wm_time_ruler_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WmTimeRuler *self = WM_TIME_RULER (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      g_value_set_object (value, self->timeline);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_time_ruler_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  WmTimeRuler *self = WM_TIME_RULER (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      /* Construct-only; a part made without one gets one of its own. */
      self->timeline = g_value_get_object (value) != NULL ? g_value_dup_object (value)
                                                          : wm_timeline_new ();
      g_signal_connect_swapped (self->timeline, "range-changed", G_CALLBACK (gtk_widget_queue_draw), self);
      g_signal_connect_swapped (self->timeline, "marks-changed", G_CALLBACK (gtk_widget_queue_draw), self);
      g_signal_connect_swapped (self->timeline, "recording-changed", G_CALLBACK (gtk_widget_queue_draw), self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_time_ruler_class_init (WmTimeRulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_time_ruler_dispose;
  object_class->get_property = wm_time_ruler_get_property;
  object_class->set_property = wm_time_ruler_set_property;

  properties[PROP_TIMELINE] =
    g_param_spec_object ("timeline", NULL, NULL, WM_TYPE_TIMELINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
