/* wm-signal-view.c — stacked channel waveforms drawn from summaries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view keeps the last block read (summary columns or samples) and draws
 * it wherever that block's frames fall in the current visible range, so a
 * zoom or pan shows the old data stretched until the new block arrives.
 * One read is in flight at a time; when the range moves during a read, the
 * next read is planned when it returns (the latest range wins).
 *
 * A recording that grows while shown (a device upload), or a pan to the
 * right, needs only the frames past what is drawn: those are read as a
 * tail block drawn after the others, at the same density.  After
 * MAX_TAILS tails, or a zoom, the visible range is read whole again.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wm-signal-view.h"
#include "wm-view-draw.h"

#define BORDER_GRAB 4 /* pixels either side of a channel border that resize */
#define MAX_TAILS   16

struct _WmSignalView
{
  WmTimelinePart  parent_instance;

  WmSignalReader *reader;
  GCancellable   *cancellable;

  WmSignalBlock  *block;     /* what is drawn */
  GPtrArray      *tails;     /* of WmSignalBlock: frames after block, in order */
  gint64          drawn_end; /* end frame of block and its tails */
  WmSignalBlock  *extent;    /* per-channel min/max of the recording's first extent->end_frame frames */
  char           *error;     /* the last read failure, shown instead of data */
  gboolean        reading;
  gboolean        reading_tail;
  gboolean        extent_reading;

  GskRenderNode  *node;      /* cached waveforms */
  int             node_width;
  int             node_height;

  /* pointer state */
  double          pointer_y;
  double          drag_start_x;
  int             resize_border; /* channel above the border being dragged, or -1 */
  double          resize_start_weight_above;
  double          resize_start_weight_below;
  gint64          drag_anchor;
};

G_DEFINE_FINAL_TYPE (WmSignalView, wm_signal_view, WM_TYPE_TIMELINE_PART)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void request_data (WmSignalView *self);

static void
invalidate (WmSignalView *self)
{
  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_reading (WmSignalView *self,
             gboolean      reading,
             gboolean      extent_reading)
{
  gboolean was_busy = self->reading || self->extent_reading;

  self->reading = reading;
  self->extent_reading = extent_reading;
  if (was_busy != (reading || extent_reading))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The block a plot of this width needs for the current visible range. */
WmSignalBlock *
wm_signal_view_plan_block (WmSignalView *self,
                           int           width)
{
  WmTimeline *timeline;
  const WmRecording *recording;
  gint64 n_frames;
  double start, end;
  gint64 first, last;
  int columns;

  g_return_val_if_fail (WM_IS_SIGNAL_VIEW (self), NULL);

  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  recording = wm_timeline_get_recording (timeline);
  if (recording == NULL || recording->n_frames <= 0)
    return NULL;

  n_frames = recording->n_frames;
  columns = MAX (width - WM_TIMELINE_GUTTER, 1);
  start = wm_timeline_get_visible_start (timeline);
  end = wm_timeline_get_visible_end (timeline);

  if ((end - start) <= (double) columns * WM_SIGNAL_VIEW_SAMPLES_PER_COLUMN)
    {
      /* One frame either side so that lines run to the edges. */
      first = CLAMP ((gint64) floor (start) - 1, 0, n_frames);
      last = CLAMP ((gint64) ceil (end) + 1, 0, n_frames);
      return wm_signal_block_new (WM_SIGNAL_BLOCK_SAMPLES, recording->id,
                                  recording->n_channels, first, last, 0);
    }
  else
    {
      /* Buckets on a grid of the current column width, so that a pan by
       * whole columns reads the same buckets and the picture does not
       * shimmer. */
      double per_column = (end - start) / columns;
      gint64 index = (gint64) floor (start / per_column);

      first = CLAMP ((gint64) llround (index * per_column), 0, n_frames);
      last = CLAMP ((gint64) llround ((index + columns + 1) * per_column), first + 1, n_frames);
      return wm_signal_block_new (WM_SIGNAL_BLOCK_SUMMARY, recording->id,
                                  recording->n_channels, first, last,
                                  (guint) MAX (llround ((last - first) / per_column), 1));
    }
}

static gboolean
same_request (const WmSignalBlock *a,
              const WmSignalBlock *b)
{
  return a != NULL && b != NULL
         && a->kind == b->kind
         && a->recording_id == b->recording_id
         && a->first_frame == b->first_frame
         && a->end_frame == b->end_frame
         && a->n_columns == b->n_columns;
}

/* Frames per column of a block: 1 for samples. */
static double
block_density (const WmSignalBlock *block)
{
  if (block->kind == WM_SIGNAL_BLOCK_SAMPLES)
    return 1;
  return (double) (block->end_frame - block->first_frame) / MAX (block->n_columns, 1);
}

/* What is drawn starts where wanted starts, or before, at about its
 * density: frames from drawn_end on can be read as a tail. */
static gboolean
can_extend_to (WmSignalView        *self,
               const WmSignalBlock *wanted)
{
  double ratio;

  if (self->block == NULL || self->error != NULL
      || self->block->kind != wanted->kind
      || self->block->recording_id != wanted->recording_id
      || self->block->first_frame > wanted->first_frame
      || self->drawn_end < wanted->first_frame)
    return FALSE;
  ratio = block_density (wanted) / block_density (self->block);
  return ratio > 0.75 && ratio < 1.5;
}

gboolean
wm_signal_view_is_current (WmSignalView *self)
{
  g_autoptr(WmSignalBlock) wanted = NULL;

  g_return_val_if_fail (WM_IS_SIGNAL_VIEW (self), FALSE);

  wanted = wm_signal_view_plan_block (self, gtk_widget_get_width (GTK_WIDGET (self)));
  return wanted == NULL || same_request (wanted, self->block)
         || (can_extend_to (self, wanted) && self->drawn_end >= wanted->end_frame);
}

void
wm_signal_view_take_block (WmSignalView  *self,
                           WmSignalBlock *block)
{
  g_return_if_fail (WM_IS_SIGNAL_VIEW (self));

  g_clear_pointer (&self->block, wm_signal_block_free);
  g_ptr_array_set_size (self->tails, 0);
  self->block = block;
  self->drawn_end = block != NULL ? block->end_frame : 0;
  g_clear_pointer (&self->error, g_free);
  invalidate (self);
}

guint
wm_signal_view_get_n_tails (WmSignalView *self)
{
  g_return_val_if_fail (WM_IS_SIGNAL_VIEW (self), 0);
  return self->tails->len;
}

static void
take_tail (WmSignalView  *self,
           WmSignalBlock *tail)
{
  /* Only a tail that still continues what is drawn. */
  if (self->block == NULL || tail->first_frame != self->drawn_end
      || tail->recording_id != self->block->recording_id)
    {
      wm_signal_block_free (tail);
      return;
    }
  self->drawn_end = tail->end_frame;
  g_ptr_array_add (self->tails, tail);
  invalidate (self);
}

/* A whole extent, or the extent of the frames after the one known. */
static void
take_extent (WmSignalView  *self,
             WmSignalBlock *extent)
{
  if (self->extent != NULL && extent->first_frame == self->extent->end_frame
      && extent->n_channels == self->extent->n_channels)
    {
      for (guint c = 0; c < extent->n_channels; c++)
        {
          self->extent->mins[c] = MIN (self->extent->mins[c], extent->mins[c]);
          self->extent->maxs[c] = MAX (self->extent->maxs[c], extent->maxs[c]);
        }
      self->extent->end_frame = extent->end_frame;
      wm_signal_block_free (extent);
    }
  else
    {
      g_clear_pointer (&self->extent, wm_signal_block_free);
      self->extent = extent;
    }
  invalidate (self);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WmSignalView) self = user_data;
  g_autoptr(GError) error = NULL;
  const WmRecording *recording;
  WmSignalBlock *block;
  gboolean tail;

  block = wm_signal_reader_read_finish (self->reader, result, &error);
  /* A read from before a restart or dispose: its result is of no use. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable || self->cancellable == NULL)
    {
      wm_signal_block_free (block);
      return;
    }

  tail = self->reading_tail;
  self->reading_tail = FALSE;
  set_reading (self, FALSE, self->extent_reading);
  if (block == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      invalidate (self);
      return;
    }
  recording = wm_timeline_get_recording (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));
  if (block->recording_id != (recording != NULL ? recording->id : 0))
    wm_signal_block_free (block);
  else if (tail)
    take_tail (self, block);
  else
    wm_signal_view_take_block (self, block);
  request_data (self);
}

static void
extent_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WmSignalView) self = user_data;
  g_autoptr(GError) error = NULL;
  WmSignalBlock *block;

  block = wm_signal_reader_read_finish (self->reader, result, &error);
  /* A read from before a restart or dispose: its result is of no use. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable || self->cancellable == NULL)
    {
      wm_signal_block_free (block);
      return;
    }
  set_reading (self, self->reading, FALSE);
  if (block != NULL)
    take_extent (self, block);
}

static void
request_data (WmSignalView *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  WmSignalBlock *wanted;
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  if (self->reader == NULL || recording == NULL || width <= WM_TIMELINE_GUTTER)
    return;

  /* Float recordings are drawn in their own units: their overall range
   * sets the vertical scale.  int16 ones are always [-1, 1). */
  if (!self->extent_reading && recording->sample_format != WM_SAMPLE_FORMAT_INT16
      && recording->n_frames > (self->extent != NULL ? self->extent->end_frame : 0))
    {
      set_reading (self, self->reading, TRUE);
      wm_signal_reader_read_async (self->reader,
                                   wm_signal_block_new (WM_SIGNAL_BLOCK_EXTENT, recording->id,
                                                        recording->n_channels,
                                                        self->extent != NULL ? self->extent->end_frame : 0,
                                                        recording->n_frames, 1),
                                   self->cancellable, extent_done, g_object_ref (self));
    }

  if (self->reading)
    return;

  wanted = wm_signal_view_plan_block (self, width);
  if (wanted == NULL || same_request (wanted, self->block)
      || (can_extend_to (self, wanted) && self->drawn_end >= wanted->end_frame))
    {
      wm_signal_block_free (wanted);
      return;
    }

  if (can_extend_to (self, wanted) && self->tails->len < MAX_TAILS)
    {
      /* Only the frames past what is drawn, at the wanted density. */
      WmSignalBlock *tail = wm_signal_block_new (wanted->kind, wanted->recording_id,
                                                 wanted->n_channels, self->drawn_end,
                                                 wanted->end_frame,
                                                 (guint) MAX (llround ((wanted->end_frame - self->drawn_end)
                                                                       / block_density (wanted)), 1));
      wm_signal_block_free (wanted);
      wanted = tail;
      self->reading_tail = TRUE;
    }

  set_reading (self, TRUE, self->extent_reading);
  wm_signal_reader_read_async (self->reader, wanted, self->cancellable,
                               read_done, g_object_ref (self));
}

static void
restart (WmSignalView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_reading (self, FALSE, FALSE);
  self->reading_tail = FALSE;
  g_clear_pointer (&self->block, wm_signal_block_free);
  g_ptr_array_set_size (self->tails, 0);
  self->drawn_end = 0;
  g_clear_pointer (&self->extent, wm_signal_block_free);
  g_clear_pointer (&self->error, g_free);
  invalidate (self);
  request_data (self);
}

gboolean
wm_signal_view_get_busy (WmSignalView *self)
{
  g_return_val_if_fail (WM_IS_SIGNAL_VIEW (self), FALSE);
  return self->reading || self->extent_reading;
}

/* Vertical scale of a channel: value v maps to centre - (v - mid) * scale. */
static void
channel_scale (WmSignalView *self,
               guint         channel,
               int           height,
               double       *mid,
               double       *scale)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  double lo = -1, hi = 1;
  double half;

  if (recording->sample_format != WM_SAMPLE_FORMAT_INT16 && self->extent != NULL
      && channel < self->extent->n_channels)
    {
      lo = self->extent->mins[channel];
      hi = self->extent->maxs[channel];
    }
  half = MAX ((hi - lo) / 2, 1e-9);
  *mid = (hi + lo) / 2;
  *scale = wm_timeline_get_channel_gain (timeline, channel) * (height / 2.0 - 2) / (half * 1.05);
}

static void
add_column_rect (cairo_t *cr,
                 double   x0,
                 double   x1,
                 float    min,
                 float    max,
                 double   centre,
                 double   mid,
                 double   scale)
{
  double y0 = floor (centre - (max - mid) * scale);
  double y1 = floor (centre - (min - mid) * scale);

  cairo_rectangle (cr, x0, y0, x1 - x0, MAX (y1 - y0, 1));
}

static void
draw_summary (WmSignalView        *self,
              const WmSignalBlock *block,
              cairo_t             *cr,
              guint                channel,
              int                  width,
              int                  top,
              int                  height)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double per_column = (double) (block->end_frame - block->first_frame) / block->n_columns;
  double centre = top + height / 2.0;
  double mid, scale;
  const float *mins = block->mins + (gsize) channel * block->n_columns;
  const float *maxs = block->maxs + (gsize) channel * block->n_columns;
  double vstart = wm_timeline_get_visible_start (timeline);
  double vend = wm_timeline_get_visible_end (timeline);
  guint first_column, last_column;
  gboolean have_run = FALSE;
  double run_x0 = 0, run_x1 = 0;
  float run_min = 0, run_max = 0;

  channel_scale (self, channel, height, &mid, &scale);

  /* Cull to the visible columns. */
  first_column = (guint) CLAMP (floor ((vstart - block->first_frame) / per_column), 0, block->n_columns);
  last_column = (guint) CLAMP (ceil ((vend - block->first_frame) / per_column) + 1, 0, block->n_columns);

  /* Columns that land on the same pixel column merge into one rectangle,
   * so the rectangles never overlap and cairo fills them as plain boxes. */
  for (guint i = first_column; i < last_column; i++)
    {
      double x0, x1;

      if (isnan (mins[i]))
        continue;
      x0 = floor (wm_timeline_frame_to_x (timeline, block->first_frame + i * per_column, width));
      x1 = floor (wm_timeline_frame_to_x (timeline, block->first_frame + (i + 1) * per_column, width));
      x1 = MAX (x1, x0 + 1);
      if (have_run && x0 < run_x1)
        {
          run_min = MIN (run_min, mins[i]);
          run_max = MAX (run_max, maxs[i]);
          run_x1 = MAX (run_x1, x1);
          continue;
        }
      if (have_run)
        add_column_rect (cr, run_x0, run_x1, run_min, run_max, centre, mid, scale);
      run_x0 = x0;
      run_x1 = x1;
      run_min = mins[i];
      run_max = maxs[i];
      have_run = TRUE;
    }
  if (have_run)
    add_column_rect (cr, run_x0, run_x1, run_min, run_max, centre, mid, scale);
  cairo_fill (cr);
}

static void
draw_samples (WmSignalView        *self,
              const WmSignalBlock *block,
              cairo_t             *cr,
              guint                channel,
              int                  width,
              int                  top,
              int                  height)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  gsize n = wm_signal_block_get_n_values (block);
  const float *values = block->mins + channel * n;
  double centre = top + height / 2.0;
  double mid, scale;
  double pixels_per_frame;

  if (n == 0)
    return;

  channel_scale (self, channel, height, &mid, &scale);
  pixels_per_frame = wm_timeline_frame_to_x (timeline, 1, width)
                     - wm_timeline_frame_to_x (timeline, 0, width);

  /* Steps: each sample holds its value for one frame, joined by risers. */
  for (gsize i = 0; i < n; i++)
    {
      double x0 = wm_timeline_frame_to_x (timeline, block->first_frame + (gint64) i, width);
      double y = round (centre - (values[i] - mid) * scale) + 0.5;

      if (i == 0)
        cairo_move_to (cr, x0, y);
      else
        cairo_line_to (cr, x0, y);
      cairo_line_to (cr, x0 + pixels_per_frame, y);
    }
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  /* Points once samples are far enough apart to tell. */
  if (pixels_per_frame >= 6)
    {
      for (gsize i = 0; i < n; i++)
        {
          double x = wm_timeline_frame_to_x (timeline, block->first_frame + (gint64) i, width);
          double y = round (centre - (values[i] - mid) * scale);

          cairo_rectangle (cr, floor (x) - 1, y - 1.5, 4, 4);
        }
      cairo_fill (cr);
    }
}

static void
draw_block (WmSignalView        *self,
            const WmSignalBlock *block,
            cairo_t             *cr,
            guint                channel,
            int                  width,
            int                  top,
            int                  height)
{
  if (block->kind == WM_SIGNAL_BLOCK_SAMPLES)
    draw_samples (self, block, cr, channel, width, top, height);
  else
    draw_summary (self, block, cr, channel, width, top, height);
}

static void
draw_gutter (WmSignalView *self,
             GtkSnapshot  *snapshot,
             guint         channel,
             int           top,
             int           height)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  const WmRecording *recording = wm_timeline_get_recording (timeline);
  const char *name = recording->channel_names != NULL ? recording->channel_names[channel] : NULL;
  const char *unit = recording->channel_units != NULL ? recording->channel_units[channel] : NULL;
  g_autofree char *title = NULL;
  g_autofree char *fallback = NULL;
  double mid, scale, half;

  if (name == NULL || *name == '\0')
    name = fallback = g_strdup_printf (_("Channel %u"), channel + 1);
  title = unit != NULL && *unit != '\0' ? g_strdup_printf ("%s (%s)", name, unit) : g_strdup (name);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, top, WM_TIMELINE_GUTTER - 4, height));
  wm_view_snapshot_text (snapshot, GTK_WIDGET (self), title, 4, top + 2, &wm_view_color_text);

  /* The values at the top and bottom edges of the channel. */
  channel_scale (self, channel, height, &mid, &scale);
  half = (height / 2.0 - 2) / scale;
  if (height >= 56)
    {
      char top_value[32], bottom_value[32];

      g_snprintf (top_value, sizeof top_value, "%.3g", mid + half);
      g_snprintf (bottom_value, sizeof bottom_value, "%.3g", mid - half);
      wm_view_snapshot_text (snapshot, GTK_WIDGET (self), top_value, 4, top + 18,
                             &wm_view_color_text);
      wm_view_snapshot_text (snapshot, GTK_WIDGET (self), bottom_value, 4, top + height - 16,
                             &wm_view_color_text);
    }
  gtk_snapshot_pop (snapshot);
}

GskRenderNode *
wm_signal_view_get_node (WmSignalView *self,
                         int           width,
                         int           height)
{
  WmTimeline *timeline;
  const WmRecording *recording;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  guint n_channels;

  g_return_val_if_fail (WM_IS_SIGNAL_VIEW (self), NULL);

  if (self->node != NULL && self->node_width == width && self->node_height == height)
    return self->node;
  g_clear_pointer (&self->node, gsk_render_node_unref);

  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  recording = wm_timeline_get_recording (timeline);
  if (recording == NULL || width <= WM_TIMELINE_GUTTER || height <= 0)
    return NULL;

  snapshot = gtk_snapshot_new ();
  n_channels = recording->n_channels;

  for (guint c = 0; c < n_channels; c++)
    {
      int top, ch;
      double mid, scale;

      wm_timeline_get_channel_area (timeline, c, height, &top, &ch);
      if (ch <= 0)
        continue;

      /* Separator above every channel but the first, and the zero line. */
      if (c > 0)
        wm_view_snapshot_rect (snapshot, 0, top, width, 1, &wm_view_color_grid);
      channel_scale (self, c, ch, &mid, &scale);
      wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, top + ch / 2.0 + mid * scale,
                             width - WM_TIMELINE_GUTTER, 1, &wm_view_color_grid);

      if (self->block != NULL && self->error == NULL && c < self->block->n_channels)
        {
          graphene_rect_t area = GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, top,
                                                     width - WM_TIMELINE_GUTTER, ch);
          cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &area);

          cairo_rectangle (cr, area.origin.x, area.origin.y, area.size.width, area.size.height);
          cairo_clip (cr);
          gdk_cairo_set_source_rgba (cr, &wm_view_color_signal);
          draw_block (self, self->block, cr, c, width, top, ch);
          for (guint t = 0; t < self->tails->len; t++)
            draw_block (self, g_ptr_array_index (self->tails, t), cr, c, width, top, ch);
          cairo_destroy (cr);
        }
      draw_gutter (self, snapshot, c, top, ch);
    }

  if (self->error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the samples: %s"), self->error);

      wm_view_snapshot_text (snapshot, GTK_WIDGET (self), message, WM_TIMELINE_GUTTER + 8, 8,
                             &wm_view_color_playhead);
    }

  self->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->node_width = width;
  self->node_height = height;
  return self->node;
}

static void
wm_signal_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  WmSignalView *self = WM_SIGNAL_VIEW (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderNode *node = wm_signal_view_get_node (self, width, height);

  if (node != NULL)
    gtk_snapshot_append_node (snapshot, node);
  wm_view_snapshot_marks (snapshot, timeline, width, height);
}

static void
wm_signal_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  /* The cached node knows its size; only the data may need a new read. */
  request_data (WM_SIGNAL_VIEW (widget));
}

static void
wm_signal_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  WmSignalView *self = WM_SIGNAL_VIEW (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  guint n_channels = MAX (wm_timeline_get_n_channels (timeline), 1);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = WM_TIMELINE_GUTTER + 100;
      *natural = WM_TIMELINE_GUTTER + 600;
    }
  else
    {
      *minimum = 32 * (int) n_channels;
      *natural = 120 * (int) n_channels;
    }
}

static void
wm_signal_view_range_changed (WmTimelinePart *part)
{
  WmSignalView *self = WM_SIGNAL_VIEW (part);

  invalidate (self);
  request_data (self);
}

static void
wm_signal_view_layout_changed (WmTimelinePart *part)
{
  invalidate (WM_SIGNAL_VIEW (part));
}

/* What is drawn stays; request_data reads what lies past it. */
static void
wm_signal_view_frames_added (WmTimelinePart *part,
                             gint64          previous_n_frames)
{
  request_data (WM_SIGNAL_VIEW (part));
}

static void
wm_signal_view_recording_changed (WmTimelinePart *part)
{
  gtk_widget_queue_resize (GTK_WIDGET (part));
  restart (WM_SIGNAL_VIEW (part));
}

/* The channel whose lower border is within grab distance of y, or -1. */
static int
border_at (WmSignalView *self,
           double        y)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint n = wm_timeline_get_n_channels (timeline);

  for (guint c = 0; c + 1 < n; c++)
    {
      int top, ch;

      wm_timeline_get_channel_area (timeline, c, height, &top, &ch);
      if (fabs (y - (top + ch)) <= BORDER_GRAB)
        return (int) c;
    }
  return -1;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           WmSignalView             *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  self->pointer_y = y;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), border_at (self, y) >= 0 ? "ns-resize" : NULL);
  wm_timeline_set_hover (timeline,
                         x >= WM_TIMELINE_GUTTER ? wm_timeline_x_to_frame (timeline, x, width) : -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          WmSignalView             *self)
{
  wm_timeline_set_hover (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)), -1);
}

static gint64
frame_at (WmSignalView *self,
          double        x)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double frame = wm_timeline_x_to_frame (timeline, MAX (x, WM_TIMELINE_GUTTER), width);

  return CLAMP ((gint64) llround (frame), 0, wm_timeline_get_n_frames (timeline));
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               WmSignalView   *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));

  self->drag_start_x = x;
  self->resize_border = border_at (self, y);
  if (self->resize_border >= 0)
    {
      self->resize_start_weight_above = wm_timeline_get_channel_weight (timeline, self->resize_border);
      self->resize_start_weight_below = wm_timeline_get_channel_weight (timeline, self->resize_border + 1);
    }
  self->drag_anchor = frame_at (self, x);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                WmSignalView   *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));

  if (self->resize_border >= 0)
    {
      /* Move weight between the two channels so the others stay put. */
      int height = gtk_widget_get_height (GTK_WIDGET (self));
      guint n = wm_timeline_get_n_channels (timeline);
      double total = 0;
      double pair = self->resize_start_weight_above + self->resize_start_weight_below;
      double delta;

      for (guint c = 0; c < n; c++)
        total += wm_timeline_get_channel_weight (timeline, c);
      delta = dy * total / MAX (height, 1);
      delta = CLAMP (delta, 0.1 - self->resize_start_weight_above, self->resize_start_weight_below - 0.1);
      wm_timeline_set_channel_weight (timeline, self->resize_border,
                                      self->resize_start_weight_above + delta);
      wm_timeline_set_channel_weight (timeline, self->resize_border + 1,
                                      pair - (self->resize_start_weight_above + delta));
      return;
    }

  if (fabs (dx) >= 3)
    wm_timeline_set_selection (timeline, self->drag_anchor,
                               frame_at (self, self->drag_start_x + dx));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             WmSignalView   *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));

  if (self->resize_border >= 0)
    {
      self->resize_border = -1;
      return;
    }
  if (fabs (dx) < 3)
    {
      /* A click: the cursor moves there and the selection goes. */
      wm_timeline_set_selection (timeline, -1, -1);
      wm_timeline_set_cursor (timeline, self->drag_anchor);
    }
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           WmSignalView             *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  int channel;

  if ((state & GDK_ALT_MASK) == 0)
    return FALSE;

  channel = wm_timeline_channel_at_y (timeline, self->pointer_y,
                                      gtk_widget_get_height (GTK_WIDGET (self)));
  if (channel < 0)
    return FALSE;
  wm_timeline_set_channel_gain (timeline, channel,
                                wm_timeline_get_channel_gain (timeline, channel) * pow (1.25, -dy));
  return TRUE;
}

static void
wm_signal_view_dispose (GObject *object)
{
  WmSignalView *self = WM_SIGNAL_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  g_clear_pointer (&self->node, gsk_render_node_unref);

  G_OBJECT_CLASS (wm_signal_view_parent_class)->dispose (object);
}

static void
wm_signal_view_finalize (GObject *object)
{
  WmSignalView *self = WM_SIGNAL_VIEW (object);

  g_clear_pointer (&self->block, wm_signal_block_free);
  g_clear_pointer (&self->tails, g_ptr_array_unref);
  g_clear_pointer (&self->extent, wm_signal_block_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (wm_signal_view_parent_class)->finalize (object);
}

static void
wm_signal_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WmSignalView *self = WM_SIGNAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, wm_signal_view_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_signal_view_class_init (WmSignalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);

  object_class->dispose = wm_signal_view_dispose;
  object_class->finalize = wm_signal_view_finalize;
  object_class->get_property = wm_signal_view_get_property;

  widget_class->snapshot = wm_signal_view_snapshot;
  widget_class->size_allocate = wm_signal_view_size_allocate;
  widget_class->measure = wm_signal_view_measure;

  part_class->range_changed = wm_signal_view_range_changed;
  part_class->marks_changed = wm_timeline_part_redraw;
  part_class->layout_changed = wm_signal_view_layout_changed;
  part_class->recording_changed = wm_signal_view_recording_changed;
  part_class->frames_added = wm_signal_view_frames_added;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "wmsignalview");
}

static void
wm_signal_view_init (WmSignalView *self)
{
  GtkEventController *scroll;

  self->cancellable = g_cancellable_new ();
  self->tails = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_signal_block_free);
  self->resize_border = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  wm_timeline_part_add_pointer_controllers (WM_TIMELINE_PART (self),
                                            G_CALLBACK (on_motion), G_CALLBACK (on_leave),
                                            G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update),
                                            G_CALLBACK (on_drag_end));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

GtkWidget *
wm_signal_view_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_SIGNAL_VIEW, "timeline", timeline, NULL);
}

void
wm_signal_view_set_reader (WmSignalView   *self,
                           WmSignalReader *reader)
{
  g_return_if_fail (WM_IS_SIGNAL_VIEW (self));

  if (reader == self->reader)
    return;
  if (reader != NULL)
    wm_signal_reader_ref (reader);
  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  self->reader = reader;
  restart (self);
}
