/* wm-timeline-part.c — a drawing widget of the recording view that follows a timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include "wm-timeline-part.h"

typedef struct
{
  WmTimeline *timeline;
} WmTimelinePartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (WmTimelinePart, wm_timeline_part, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIMELINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
connect_timeline (WmTimelinePart *self,
                  WmTimeline     *timeline)
{
  WmTimelinePartPrivate *priv = wm_timeline_part_get_instance_private (self);
  WmTimelinePartClass *klass = WM_TIMELINE_PART_GET_CLASS (self);

  g_assert (priv->timeline == NULL);

  priv->timeline = timeline != NULL ? g_object_ref (timeline) : wm_timeline_new ();

  /* The virtual methods take the signals' arguments, so they serve as
   * swapped handlers as they are. */
  if (klass->range_changed != NULL)
    g_signal_connect_swapped (priv->timeline, "range-changed", G_CALLBACK (klass->range_changed), self);
  if (klass->marks_changed != NULL)
    g_signal_connect_swapped (priv->timeline, "marks-changed", G_CALLBACK (klass->marks_changed), self);
  if (klass->layout_changed != NULL)
    g_signal_connect_swapped (priv->timeline, "layout-changed", G_CALLBACK (klass->layout_changed), self);
  if (klass->recording_changed != NULL)
    g_signal_connect_swapped (priv->timeline, "recording-changed", G_CALLBACK (klass->recording_changed), self);
  if (klass->frames_added != NULL)
    g_signal_connect_swapped (priv->timeline, "frames-added", G_CALLBACK (klass->frames_added), self);
}

static void
wm_timeline_part_dispose (GObject *object)
{
  WmTimelinePart *self = WM_TIMELINE_PART (object);
  WmTimelinePartPrivate *priv = wm_timeline_part_get_instance_private (self);

  if (priv->timeline != NULL)
    g_signal_handlers_disconnect_by_data (priv->timeline, self);
  g_clear_object (&priv->timeline);

  G_OBJECT_CLASS (wm_timeline_part_parent_class)->dispose (object);
}

static void
wm_timeline_part_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WmTimelinePart *self = WM_TIMELINE_PART (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      g_value_set_object (value, wm_timeline_part_get_timeline (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_timeline_part_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  WmTimelinePart *self = WM_TIMELINE_PART (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      connect_timeline (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_timeline_part_class_init (WmTimelinePartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wm_timeline_part_dispose;
  object_class->get_property = wm_timeline_part_get_property;
  object_class->set_property = wm_timeline_part_set_property;

  properties[PROP_TIMELINE] =
    g_param_spec_object ("timeline", NULL, NULL, WM_TYPE_TIMELINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wm_timeline_part_init (WmTimelinePart *self)
{
}

WmTimeline *
wm_timeline_part_get_timeline (WmTimelinePart *self)
{
  WmTimelinePartPrivate *priv;

  g_return_val_if_fail (WM_IS_TIMELINE_PART (self), NULL);

  priv = wm_timeline_part_get_instance_private (self);
  return priv->timeline;
}

void
wm_timeline_part_redraw (WmTimelinePart *self)
{
  g_return_if_fail (WM_IS_TIMELINE_PART (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
wm_timeline_part_add_pointer_controllers (WmTimelinePart *self,
                                          GCallback       motion,
                                          GCallback       leave,
                                          GCallback       drag_begin,
                                          GCallback       drag_update,
                                          GCallback       drag_end)
{
  g_return_if_fail (WM_IS_TIMELINE_PART (self));

  if (motion != NULL || leave != NULL)
    {
      GtkEventController *controller = gtk_event_controller_motion_new ();

      if (motion != NULL)
        g_signal_connect (controller, "motion", motion, self);
      if (leave != NULL)
        g_signal_connect (controller, "leave", leave, self);
      gtk_widget_add_controller (GTK_WIDGET (self), controller);
    }

  if (drag_begin != NULL || drag_update != NULL || drag_end != NULL)
    {
      GtkGesture *drag = gtk_gesture_drag_new ();

      gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
      if (drag_begin != NULL)
        g_signal_connect (drag, "drag-begin", drag_begin, self);
      if (drag_update != NULL)
        g_signal_connect (drag, "drag-update", drag_update, self);
      if (drag_end != NULL)
        g_signal_connect (drag, "drag-end", drag_end, self);
      gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
    }
}
