/* wm-overview.c — the whole recording in one strip, with the visible range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The strip maps the whole recording onto the plot width (same gutter as
 * the other widgets) and draws the envelope of all channels from one
 * summary read per recording and width.  While a recording grows, only
 * the frames added are read, as tail blocks of about as many columns as
 * they take on screen; after MAX_TAILS of them the whole is read again.
 * A press inside the visible range grabs it; a press outside centres the
 * range there first.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include "wm-overview.h"
#include "wm-view-draw.h"

#define OVERVIEW_HEIGHT 36
#define MAX_TAILS       16

struct _WmOverview
{
  WmTimelinePart  parent_instance;

  WmSignalReader *reader;
  GCancellable   *cancellable;
  WmSignalBlock  *block;
  GPtrArray      *tails;      /* of WmSignalBlock: frames the recording gained after block */
  gint64          drawn_end;  /* end frame of block and its tails */
  gboolean        reading;
  gboolean        reading_tail;
  GskRenderNode  *node;
  int             node_width;
  int             node_height;

  double          grab_start;  /* visible start when the drag began */
};

G_DEFINE_FINAL_TYPE (WmOverview, wm_overview, WM_TYPE_TIMELINE_PART)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_reading (WmOverview *self,
             gboolean    reading)
{
  if (self->reading == reading)
    return;
  self->reading = reading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static const GdkRGBA outside_color = { 0.5f, 0.5f, 0.5f, 0.28f };
static const GdkRGBA frame_color = { 0.21f, 0.52f, 0.89f, 0.9f };

static double
overview_x (WmOverview *self,
            double      frame,
            int         width)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  gint64 n_frames = MAX (wm_timeline_get_n_frames (timeline), 1);

  return WM_TIMELINE_GUTTER + frame * (width - WM_TIMELINE_GUTTER) / (double) n_frames;
}

static double
overview_frame (WmOverview *self,
                double      x,
                int         width)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  gint64 n_frames = MAX (wm_timeline_get_n_frames (timeline), 1);

  return (x - WM_TIMELINE_GUTTER) * n_frames / (double) MAX (width - WM_TIMELINE_GUTTER, 1);
}

static void request_data (WmOverview *self);

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WmOverview) self = user_data;
  g_autoptr(GError) error = NULL;
  WmSignalBlock *block = wm_signal_reader_read_finish (self->reader, result, &error);
  gboolean tail = self->reading_tail;

  if (self->cancellable == NULL || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    {
      wm_signal_block_free (block);
      return;
    }
  self->reading_tail = FALSE;
  set_reading (self, FALSE);
  if (block == NULL)
    {
      g_debug ("Overview not read: %s", error->message);
      return;
    }
  if (tail && self->block != NULL && block->first_frame == self->drawn_end)
    g_ptr_array_add (self->tails, block);
  else if (tail)
    {
      wm_signal_block_free (block);
      request_data (self);
      return;
    }
  else
    {
      g_clear_pointer (&self->block, wm_signal_block_free);
      g_ptr_array_set_size (self->tails, 0);
      self->block = block;
    }
  self->drawn_end = block->end_frame;
  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  request_data (self);
}

static void
request_data (WmOverview *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  int columns = gtk_widget_get_width (GTK_WIDGET (self)) - WM_TIMELINE_GUTTER;

  gboolean block_fits;

  if (self->reader == NULL || recording == NULL || recording->n_frames <= 0 || columns <= 0
      || self->reading)
    return;
  block_fits = self->block != NULL && self->block->recording_id == recording->id
               && self->block->n_columns == (guint) columns;
  if (block_fits && self->drawn_end >= recording->n_frames)
    return;

  set_reading (self, TRUE);
  /* The recording grew: the frames added, in as many columns as they take
   * on screen now. */
  if (self->block != NULL && self->block->recording_id == recording->id
      && self->tails->len < MAX_TAILS && self->drawn_end < recording->n_frames
      && self->drawn_end >= recording->n_frames / 2)
    {
      gint64 added = recording->n_frames - self->drawn_end;

      self->reading_tail = TRUE;
      wm_signal_reader_read_async (self->reader,
                                   wm_signal_block_new (WM_SIGNAL_BLOCK_SUMMARY, recording->id,
                                                        recording->n_channels, self->drawn_end,
                                                        recording->n_frames,
                                                        (guint) MAX (columns * added / recording->n_frames, 1)),
                                   self->cancellable, read_done, g_object_ref (self));
      return;
    }

  wm_signal_reader_read_async (self->reader,
                               wm_signal_block_new (WM_SIGNAL_BLOCK_SUMMARY, recording->id,
                                                    recording->n_channels, 0,
                                                    recording->n_frames, (guint) columns),
                               self->cancellable, read_done, g_object_ref (self));
}

static void
restart (WmOverview *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_reading (self, FALSE);
  self->reading_tail = FALSE;
  g_clear_pointer (&self->block, wm_signal_block_free);
  g_ptr_array_set_size (self->tails, 0);
  self->drawn_end = 0;
  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  request_data (self);
}

static void
block_range (const WmSignalBlock *block,
             float               *lo,
             float               *hi)
{
  gsize n = (gsize) block->n_columns * block->n_channels;

  for (gsize i = 0; i < n; i++)
    if (!isnan (block->mins[i]))
      {
        *lo = MIN (*lo, block->mins[i]);
        *hi = MAX (*hi, block->maxs[i]);
      }
}

/* The envelope of all channels, a rectangle per column. */
static void
add_block (WmOverview          *self,
           const WmSignalBlock *block,
           cairo_t             *cr,
           int                  width,
           int                  height,
           float                lo,
           float                hi)
{
  for (guint i = 0; i < block->n_columns; i++)
    {
      float cmin = INFINITY, cmax = -INFINITY;
      double x0, x1, y0, y1;

      for (guint c = 0; c < block->n_channels; c++)
        {
          float mn = block->mins[(gsize) c * block->n_columns + i];

          if (isnan (mn))
            continue;
          cmin = MIN (cmin, mn);
          cmax = MAX (cmax, block->maxs[(gsize) c * block->n_columns + i]);
        }
      if (cmin > cmax)
        continue;
      x0 = floor (overview_x (self, block->first_frame + i * (double) (block->end_frame - block->first_frame) / block->n_columns, width));
      x1 = floor (overview_x (self, block->first_frame + (i + 1) * (double) (block->end_frame - block->first_frame) / block->n_columns, width));
      y0 = floor (2 + (hi - cmax) * (height - 4) / (hi - lo));
      y1 = floor (2 + (hi - cmin) * (height - 4) / (hi - lo));
      cairo_rectangle (cr, x0, y0, MAX (x1 - x0, 1), MAX (y1 - y0, 1));
    }
}

static GskRenderNode *
get_node (WmOverview *self,
          int         width,
          int         height)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  graphene_rect_t area;
  cairo_t *cr;
  float lo = INFINITY, hi = -INFINITY;

  if (self->node != NULL && self->node_width == width && self->node_height == height)
    return self->node;
  g_clear_pointer (&self->node, gsk_render_node_unref);
  if (self->block == NULL || width <= WM_TIMELINE_GUTTER)
    return NULL;

  block_range (self->block, &lo, &hi);
  for (guint t = 0; t < self->tails->len; t++)
    block_range (g_ptr_array_index (self->tails, t), &lo, &hi);
  if (!(hi > lo))
    {
      lo -= 1;
      hi += 1;
    }

  snapshot = gtk_snapshot_new ();
  area = GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0, width - WM_TIMELINE_GUTTER, height);
  cr = gtk_snapshot_append_cairo (snapshot, &area);
  gdk_cairo_set_source_rgba (cr, &wm_view_color_signal);
  add_block (self, self->block, cr, width, height, lo, hi);
  for (guint t = 0; t < self->tails->len; t++)
    add_block (self, g_ptr_array_index (self->tails, t), cr, width, height, lo, hi);
  cairo_fill (cr);
  cairo_destroy (cr);

  self->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->node_width = width;
  self->node_height = height;
  return self->node;
}

static void
wm_overview_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  WmOverview *self = WM_OVERVIEW (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderNode *node;
  double x0, x1;

  if (wm_timeline_get_recording (timeline) == NULL || width <= WM_TIMELINE_GUTTER)
    return;

  node = get_node (self, width, height);
  if (node != NULL)
    gtk_snapshot_append_node (snapshot, node);

  x0 = floor (overview_x (self, wm_timeline_get_visible_start (timeline), width));
  x1 = floor (overview_x (self, wm_timeline_get_visible_end (timeline), width));
  x1 = MAX (x1, x0 + 3);
  wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, 0, x0 - WM_TIMELINE_GUTTER, height, &outside_color);
  wm_view_snapshot_rect (snapshot, x1, 0, width - x1, height, &outside_color);
  gtk_snapshot_append_border (snapshot,
                              &GSK_ROUNDED_RECT_INIT ((float) x0, 0, (float) (x1 - x0), (float) height),
                              (float[4]) { 2, 2, 2, 2 },
                              (GdkRGBA[4]) { frame_color, frame_color, frame_color, frame_color });
  wm_view_snapshot_rect (snapshot, 0, height - 1, width, 1, &wm_view_color_grid);
}

static void
wm_overview_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  request_data (WM_OVERVIEW (widget));
}

static void
wm_overview_measure (GtkWidget      *widget,
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
    *minimum = *natural = OVERVIEW_HEIGHT;
}

void
wm_overview_drag (WmOverview *self,
                  double      x,
                  double      dx)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double start = wm_timeline_get_visible_start (timeline);
  double end = wm_timeline_get_visible_end (timeline);
  double span = end - start;
  double delta = overview_frame (self, x + dx, width) - overview_frame (self, x, width);

  g_return_if_fail (WM_IS_OVERVIEW (self));

  wm_timeline_set_visible_range (timeline, self->grab_start + delta,
                                 self->grab_start + delta + span);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               WmOverview     *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double frame = overview_frame (self, x, width);
  double start = wm_timeline_get_visible_start (timeline);
  double end = wm_timeline_get_visible_end (timeline);

  if (frame < start || frame > end)
    wm_timeline_set_visible_range (timeline, frame - (end - start) / 2,
                                   frame + (end - start) / 2);
  self->grab_start = wm_timeline_get_visible_start (timeline);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                WmOverview     *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  wm_overview_drag (self, x, dx);
}

static void
wm_overview_recording_changed (WmTimelinePart *part)
{
  restart (WM_OVERVIEW (part));
}

/* The whole strip maps to the new length: the node goes, the blocks stay. */
static void
wm_overview_frames_added (WmTimelinePart *part,
                          gint64          previous_n_frames)
{
  WmOverview *self = WM_OVERVIEW (part);

  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  request_data (self);
}

static void
wm_overview_dispose (GObject *object)
{
  WmOverview *self = WM_OVERVIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  g_clear_pointer (&self->node, gsk_render_node_unref);
  g_clear_pointer (&self->block, wm_signal_block_free);
  g_clear_pointer (&self->tails, g_ptr_array_unref);

  G_OBJECT_CLASS (wm_overview_parent_class)->dispose (object);
}

static void
wm_overview_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WmOverview *self = WM_OVERVIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->reading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_overview_class_init (WmOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);

  object_class->dispose = wm_overview_dispose;
  object_class->get_property = wm_overview_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->snapshot = wm_overview_snapshot;
  widget_class->size_allocate = wm_overview_size_allocate;
  widget_class->measure = wm_overview_measure;
  part_class->range_changed = wm_timeline_part_redraw;
  part_class->recording_changed = wm_overview_recording_changed;
  part_class->frames_added = wm_overview_frames_added;
  gtk_widget_class_set_css_name (widget_class, "wmoverview");
}

static void
wm_overview_init (WmOverview *self)
{
  self->cancellable = g_cancellable_new ();
  self->tails = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_signal_block_free);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");

  wm_timeline_part_add_pointer_controllers (WM_TIMELINE_PART (self), NULL, NULL,
                                            G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update), NULL);
}

GtkWidget *
wm_overview_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_OVERVIEW, "timeline", timeline, NULL);
}

void
wm_overview_set_reader (WmOverview     *self,
                        WmSignalReader *reader)
{
  g_return_if_fail (WM_IS_OVERVIEW (self));

  if (reader == self->reader)
    return;
  if (reader != NULL)
    wm_signal_reader_ref (reader);
  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  self->reader = reader;
  restart (self);
}

gboolean
wm_overview_get_busy (WmOverview *self)
{
  g_return_val_if_fail (WM_IS_OVERVIEW (self), FALSE);
  return self->reading;
}
