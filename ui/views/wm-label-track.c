/* wm-label-track.c — labels of a recording as coloured regions under the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Overlapping labels go to lanes (first lane whose last label has ended).
 * How a label looks says where it came from: a human label is a solid
 * region, a model label is hatched with an outline, a reviewed label is
 * solid with a check-mark stripe along its top.  Point events are a bar
 * with a diamond.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include <glib/gi18n.h>

#include "wm-label-track.h"
#include "wm-view-draw.h"

#define TRACK_HEIGHT 56
#define MAX_LANES    4
#define EDGE_GRAB    5   /* pixels around an edge that resize */
#define CLICK_SLOP   3   /* a drag shorter than this is a click */

typedef enum {
  DRAG_NONE,
  DRAG_CREATE,
  DRAG_MOVE,
  DRAG_RESIZE_START,
  DRAG_RESIZE_END,
  DRAG_CLICK,        /* pressed on nothing editable: a click selects or makes a point */
} DragMode;

struct _WmLabelTrack
{
  WmTimelinePart parent_instance;

  WmStore       *store;
  gint64         current_class_id;

  GPtrArray     *labels;   /* WmLabel, by start */
  GArray        *lanes;    /* int per label */
  int            n_lanes;
  GHashTable    *classes;  /* gint64 id -> WmClass */
  gint64         selected;
  char          *error;    /* the last failed edit */

  GskRenderNode *node;
  int            node_width;
  int            node_height;

  /* drag state */
  DragMode         drag_mode;
  GdkModifierType  drag_state;
  double           drag_x;
  double           drag_y;
  WmLabel         *drag_label;   /* copy being edited, or NULL */
  gint64           drag_anchor;  /* frame under the press */
  gint64           preview_start;
  gint64           preview_end;
};

G_DEFINE_FINAL_TYPE (WmLabelTrack, wm_label_track, WM_TYPE_TIMELINE_PART)

enum {
  PROP_0,
  PROP_SELECTED_LABEL_ID,
  N_PROPS
};

enum {
  LABELS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const GdkRGBA fallback_color = { 0.6f, 0.6f, 0.6f, 1.0f };
static const GdkRGBA selected_outline = { 0.1f, 0.1f, 0.12f, 1.0f };

static void
invalidate (WmLabelTrack *self)
{
  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
class_color (WmLabelTrack *self,
             gint64        class_id,
             GdkRGBA      *color)
{
  WmClass *klass = g_hash_table_lookup (self->classes, &class_id);

  if (klass == NULL || klass->color == NULL || !gdk_rgba_parse (color, klass->color))
    *color = fallback_color;
}

static const char *
class_name (WmLabelTrack *self,
            gint64        class_id)
{
  WmClass *klass = g_hash_table_lookup (self->classes, &class_id);

  return klass != NULL ? klass->name : NULL;
}

static void
assign_lanes (WmLabelTrack *self)
{
  gint64 lane_end[MAX_LANES];

  g_array_set_size (self->lanes, self->labels->len);
  self->n_lanes = 1;
  for (guint l = 0; l < MAX_LANES; l++)
    lane_end[l] = G_MININT64;

  for (guint i = 0; i < self->labels->len; i++)
    {
      const WmLabel *label = g_ptr_array_index (self->labels, i);
      int lane = MAX_LANES - 1;

      for (int l = 0; l < MAX_LANES; l++)
        if (lane_end[l] <= label->start_frame && !(lane_end[l] == label->start_frame && label->start_frame == label->end_frame))
          {
            lane = l;
            break;
          }
      /* A point event occupies a frame so that two at one place stack. */
      lane_end[lane] = MAX (lane_end[lane], MAX (label->end_frame, label->start_frame + 1));
      g_array_index (self->lanes, int, i) = lane;
      self->n_lanes = MAX (self->n_lanes, lane + 1);
    }
}

void
wm_label_track_reload (WmLabelTrack *self)
{
  const WmRecording *recording;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  gboolean selected_found = FALSE;

  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  recording = wm_timeline_get_recording (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));
  g_hash_table_remove_all (self->classes);
  g_ptr_array_set_size (self->labels, 0);

  if (self->store != NULL)
    {
      classes = wm_store_list_classes (self->store, &error);
      if (classes == NULL)
        g_warning ("Could not list the classes of %s: %s",
                   wm_store_get_path (self->store), error->message);
      for (guint i = 0; classes != NULL && i < classes->len; i++)
        {
          WmClass *klass = wm_class_copy (g_ptr_array_index (classes, i));

          g_hash_table_insert (self->classes, &klass->id, klass);
        }
      g_clear_error (&error);

      if (recording != NULL)
        {
          labels = wm_store_list_labels (self->store, recording->id, 0, -1, &error);
          if (labels == NULL)
            g_warning ("Could not list the labels of recording %" PRId64 " in %s: %s",
                       recording->id, wm_store_get_path (self->store), error->message);
          for (guint i = 0; labels != NULL && i < labels->len; i++)
            {
              WmLabel *label = g_ptr_array_index (labels, i);

              g_ptr_array_add (self->labels, wm_label_copy (label));
              selected_found |= label->id == self->selected;
            }
        }
    }

  assign_lanes (self);
  if (!selected_found)
    wm_label_track_select (self, -1);
  invalidate (self);
}

const GPtrArray *
wm_label_track_get_labels (WmLabelTrack *self)
{
  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), NULL);
  return self->labels;
}

static const WmLabel *
find_label (WmLabelTrack *self,
            gint64        label_id,
            guint        *index)
{
  for (guint i = 0; i < self->labels->len; i++)
    {
      const WmLabel *label = g_ptr_array_index (self->labels, i);

      if (label->id == label_id)
        {
          if (index != NULL)
            *index = i;
          return label;
        }
    }
  return NULL;
}

gint64
wm_label_track_get_selected (WmLabelTrack *self)
{
  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), -1);
  return self->selected;
}

void
wm_label_track_select (WmLabelTrack *self,
                       gint64        label_id)
{
  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  if (label_id <= 0)
    label_id = -1;
  if (label_id == self->selected)
    return;
  self->selected = label_id;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LABEL_ID]);
}

void
wm_label_track_select_adjacent (WmLabelTrack *self,
                                int           direction)
{
  WmTimeline *timeline;
  guint index;
  const WmLabel *label;

  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  if (self->labels->len == 0)
    return;
  if (find_label (self, self->selected, &index) == NULL)
    index = direction > 0 ? 0 : self->labels->len - 1;
  else if (direction > 0)
    index = MIN (index + 1, self->labels->len - 1);
  else if (index > 0)
    index--;

  label = g_ptr_array_index (self->labels, index);
  wm_label_track_select (self, label->id);

  /* Bring it into view when it is off screen. */
  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  if (label->end_frame < wm_timeline_get_visible_start (timeline)
      || label->start_frame > wm_timeline_get_visible_end (timeline))
    {
      double span = wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline);
      double centre = (label->start_frame + label->end_frame) / 2.0;

      wm_timeline_set_visible_range (timeline, centre - span / 2, centre + span / 2);
    }
}

gint64
wm_label_track_class_for_key (WmLabelTrack *self,
                              int           digit)
{
  GHashTableIter iter;
  WmClass *klass;
  char key[2] = { 0, 0 };

  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), 0);

  if (digit < 1 || digit > 9)
    return 0;
  key[0] = (char) ('0' + digit);
  g_hash_table_iter_init (&iter, self->classes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &klass))
    if (g_strcmp0 (klass->shortcut, key) == 0)
      return klass->id;
  return 0;
}

static void
edit_done (WmLabelTrack *self,
           gint64        label_id,
           GError       *error)
{
  g_clear_pointer (&self->error, g_free);
  if (error != NULL)
    self->error = g_strdup (error->message);
  wm_label_track_reload (self);
  if (error == NULL)
    g_signal_emit (self, signals[LABELS_CHANGED], 0, label_id);
}

gint64
wm_label_track_create (WmLabelTrack *self,
                       gint64        start_frame,
                       gint64        end_frame,
                       gint64        class_id,
                       GError      **error)
{
  const WmRecording *recording;
  g_autoptr(WmLabel) label = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  recording = wm_timeline_get_recording (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));
  if (self->store == NULL || recording == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, _("No recording is shown"));
      return 0;
    }
  if (class_id <= 0 || g_hash_table_lookup (self->classes, &class_id) == NULL)
    {
      /* Said where the label would have been, as well as to the caller. */
      g_free (self->error);
      self->error = g_strdup (_("Choose a class before drawing a label"));
      invalidate (self);
      g_set_error_literal (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, self->error);
      return 0;
    }

  label = wm_label_new ();
  label->recording_id = recording->id;
  label->start_frame = CLAMP (MIN (start_frame, end_frame), 0, recording->n_frames);
  label->end_frame = CLAMP (MAX (start_frame, end_frame), 0, recording->n_frames);
  label->class_id = class_id;
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  label->author = g_strdup (g_get_user_name ());

  if (!wm_store_add_label (self->store, label, &local_error))
    {
      edit_done (self, 0, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  self->selected = label->id;
  edit_done (self, label->id, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LABEL_ID]);
  return label->id;
}

static gboolean
update_label (WmLabelTrack  *self,
              const WmLabel *label,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!wm_store_update_label (self->store, label, &local_error))
    {
      edit_done (self, 0, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  edit_done (self, label->id, NULL);
  return TRUE;
}

gboolean
wm_label_track_delete_selected (WmLabelTrack *self,
                                GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), FALSE);

  id = self->selected;
  if (self->store == NULL || find_label (self, id, NULL) == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, _("No label is selected"));
      return FALSE;
    }
  if (!wm_store_remove_label (self->store, id, &local_error))
    {
      edit_done (self, 0, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  wm_label_track_select (self, -1);
  edit_done (self, id, NULL);
  return TRUE;
}

gboolean
wm_label_track_set_selected_class (WmLabelTrack *self,
                                   gint64        class_id,
                                   GError      **error)
{
  const WmLabel *selected;
  g_autoptr(WmLabel) changed = NULL;

  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), FALSE);

  selected = find_label (self, self->selected, NULL);
  if (self->store == NULL || selected == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, _("No label is selected"));
      return FALSE;
    }
  if (g_hash_table_lookup (self->classes, &class_id) == NULL)
    {
      g_set_error (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                   _("There is no class %" PRId64), class_id);
      return FALSE;
    }
  if (selected->class_id == class_id)
    return TRUE;

  /* A relabelled model label is a human decision from now on. */
  changed = wm_label_copy (selected);
  changed->class_id = class_id;
  if (changed->source == WM_LABEL_SOURCE_MODEL)
    changed->source = WM_LABEL_SOURCE_REVIEW;
  return update_label (self, changed, error);
}

/* ---- Geometry and hit testing -------------------------------------------- */

static void
lane_area (WmLabelTrack *self,
           int           lane,
           int           height,
           double       *y,
           double       *lane_height)
{
  double h = (double) (height - 4) / self->n_lanes;

  *y = floor (2 + lane * h);
  *lane_height = floor (2 + (lane + 1) * h) - *y - 1;
}

static gint64
frame_at (WmLabelTrack *self,
          double        x)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double frame = wm_timeline_x_to_frame (timeline, MAX (x, WM_TIMELINE_GUTTER), width);

  return CLAMP ((gint64) llround (frame), 0, wm_timeline_get_n_frames (timeline));
}

/* The label under (x, y) and which part of it: DRAG_MOVE for the body,
 * DRAG_RESIZE_* for an edge; DRAG_NONE for nothing. */
static const WmLabel *
hit_test (WmLabelTrack *self,
          double        x,
          double        y,
          DragMode     *part)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  const WmLabel *best = NULL;
  double best_distance = G_MAXDOUBLE;

  *part = DRAG_NONE;
  for (guint i = 0; i < self->labels->len; i++)
    {
      const WmLabel *label = g_ptr_array_index (self->labels, i);
      double ly, lh, x0, x1;

      lane_area (self, g_array_index (self->lanes, int, i), height, &ly, &lh);
      if (y < ly || y > ly + lh)
        continue;
      x0 = wm_timeline_frame_to_x (timeline, label->start_frame, width);
      x1 = wm_timeline_frame_to_x (timeline, label->end_frame, width);

      if (label->start_frame == label->end_frame)
        {
          if (fabs (x - x0) <= EDGE_GRAB && fabs (x - x0) < best_distance)
            {
              best = label;
              best_distance = fabs (x - x0);
              *part = DRAG_MOVE;
            }
          continue;
        }
      /* Edges win over bodies, the nearer edge over the farther; a label
       * too narrow to have a body is resized from its end. */
      if (fabs (x - x1) <= EDGE_GRAB && fabs (x - x1) < best_distance)
        {
          best = label;
          best_distance = fabs (x - x1);
          *part = DRAG_RESIZE_END;
        }
      else if (fabs (x - x0) <= EDGE_GRAB && fabs (x - x0) < best_distance && x1 - x0 > 2 * EDGE_GRAB)
        {
          best = label;
          best_distance = fabs (x - x0);
          *part = DRAG_RESIZE_START;
        }
      else if (x > x0 && x < x1 && best == NULL)
        {
          best = label;
          *part = DRAG_MOVE;
        }
    }
  return best;
}

/* ---- Drawing --------------------------------------------------------------- */

static void
draw_label (WmLabelTrack  *self,
            cairo_t       *cr,
            GtkSnapshot   *snapshot,
            const WmLabel *label,
            int            lane,
            int            width,
            int            height,
            gboolean       selected)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double y, h, x0, x1;
  GdkRGBA color;
  const char *name;

  lane_area (self, lane, height, &y, &h);
  x0 = floor (wm_timeline_frame_to_x (timeline, label->start_frame, width));
  x1 = floor (wm_timeline_frame_to_x (timeline, label->end_frame, width));
  if (x1 < WM_TIMELINE_GUTTER - 8 || x0 > width + 8)
    return;
  class_color (self, label->class_id, &color);

  if (label->start_frame == label->end_frame)
    {
      /* Point event: a bar and a diamond on top. */
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 1);
      cairo_rectangle (cr, x0 - 1, y, 2, h);
      cairo_fill (cr);
      cairo_move_to (cr, x0, y);
      cairo_line_to (cr, x0 + 5, y + 5);
      cairo_line_to (cr, x0, y + 10);
      cairo_line_to (cr, x0 - 5, y + 5);
      cairo_close_path (cr);
      cairo_fill_preserve (cr);
      if (selected)
        {
          gdk_cairo_set_source_rgba (cr, &selected_outline);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
      cairo_new_path (cr);
      return;
    }

  x1 = MAX (x1, x0 + 1);
  switch (label->source)
    {
    case WM_LABEL_SOURCE_MODEL:
      /* Hatched and outlined: a machine's guess. */
      cairo_save (cr);
      cairo_rectangle (cr, x0, y, x1 - x0, h);
      cairo_clip (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.15);
      cairo_paint (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.75);
      cairo_set_line_width (cr, 2);
      for (double sx = floor ((x0 - h) / 8) * 8; sx < x1; sx += 8)
        {
          cairo_move_to (cr, sx, y + h);
          cairo_line_to (cr, sx + h, y);
        }
      cairo_stroke (cr);
      cairo_restore (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 1);
      cairo_set_line_width (cr, 1);
      cairo_rectangle (cr, x0 + 0.5, y + 0.5, x1 - x0 - 1, h - 1);
      cairo_stroke (cr);
      break;

    case WM_LABEL_SOURCE_REVIEW:
      /* Solid with a check-mark stripe: a reviewed decision. */
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.55);
      cairo_rectangle (cr, x0, y, x1 - x0, h);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 1);
      cairo_rectangle (cr, x0, y, x1 - x0, 5);
      cairo_fill (cr);
      if (x1 - x0 >= 14)
        {
          cairo_set_source_rgba (cr, 1, 1, 1, 1);
          cairo_set_line_width (cr, 2);
          cairo_move_to (cr, x0 + 3, y + 11);
          cairo_line_to (cr, x0 + 6, y + 14);
          cairo_line_to (cr, x0 + 11, y + 7);
          cairo_stroke (cr);
        }
      break;

    case WM_LABEL_SOURCE_HUMAN:
    default:
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.55);
      cairo_rectangle (cr, x0, y, x1 - x0, h);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 1);
      cairo_rectangle (cr, x0, y, 1, h);
      cairo_rectangle (cr, x1 - 1, y, 1, h);
      cairo_fill (cr);
      break;
    }

  if (selected)
    {
      gdk_cairo_set_source_rgba (cr, &selected_outline);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, x0 + 1, y + 1, x1 - x0 - 2, h - 2);
      cairo_stroke (cr);
    }

  name = class_name (self, label->class_id);
  if (name != NULL && x1 - x0 > 40 && h >= 14)
    {
      double tx = MAX (x0, WM_TIMELINE_GUTTER) + (label->source == WM_LABEL_SOURCE_REVIEW ? 14 : 4);

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT ((float) x0, (float) y,
                                                             (float) (x1 - x0), (float) h));
      wm_view_snapshot_text (snapshot, GTK_WIDGET (self), name, tx, y + (h - 14) / 2,
                             &wm_view_color_text);
      gtk_snapshot_pop (snapshot);
    }
}

static GskRenderNode *
get_node (WmLabelTrack *self,
          int           width,
          int           height)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GtkSnapshot) text = NULL;
  g_autoptr(GskRenderNode) text_node = NULL;
  graphene_rect_t plot;
  cairo_t *cr;
  gint64 dragged = self->drag_label != NULL ? self->drag_label->id : 0;

  if (self->node != NULL && self->node_width == width && self->node_height == height)
    return self->node;
  g_clear_pointer (&self->node, gsk_render_node_unref);
  if (width <= WM_TIMELINE_GUTTER || height <= 4)
    return NULL;

  snapshot = gtk_snapshot_new ();
  text = gtk_snapshot_new ();
  plot = GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0, width - WM_TIMELINE_GUTTER, height);
  gtk_snapshot_push_clip (text, &plot);

  wm_view_snapshot_rect (snapshot, 0, 0, width, 1, &wm_view_color_grid);
  wm_view_snapshot_text (snapshot, GTK_WIDGET (self), _("Labels"), 4, 4, &wm_view_color_text);
  if (self->error != NULL)
    wm_view_snapshot_text (snapshot, GTK_WIDGET (self), self->error, WM_TIMELINE_GUTTER + 4,
                           height - 18, &wm_view_color_playhead);

  cr = gtk_snapshot_append_cairo (snapshot, &plot);
  cairo_rectangle (cr, plot.origin.x, plot.origin.y, plot.size.width, plot.size.height);
  cairo_clip (cr);
  for (guint i = 0; i < self->labels->len; i++)
    {
      const WmLabel *label = g_ptr_array_index (self->labels, i);

      if (label->id == dragged)
        continue;
      draw_label (self, cr, text, label, g_array_index (self->lanes, int, i), width, height,
                  label->id == self->selected);
    }

  /* The label being edited, where it would land. */
  if (self->drag_mode == DRAG_CREATE || self->drag_label != NULL)
    {
      g_autoptr(WmLabel) preview = self->drag_label != NULL ? wm_label_copy (self->drag_label) : wm_label_new ();
      guint index = 0;

      if (self->drag_label == NULL)
        {
          preview->class_id = self->current_class_id;
          preview->source = WM_LABEL_SOURCE_HUMAN;
        }
      preview->start_frame = self->preview_start;
      preview->end_frame = self->preview_end;
      find_label (self, dragged, &index);
      draw_label (self, cr, text, preview,
                  self->drag_label != NULL ? g_array_index (self->lanes, int, index) : 0,
                  width, height, TRUE);
    }
  cairo_destroy (cr);

  gtk_snapshot_pop (text);
  text_node = gtk_snapshot_free_to_node (g_steal_pointer (&text));
  if (text_node != NULL)
    gtk_snapshot_append_node (snapshot, text_node);

  self->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->node_width = width;
  self->node_height = height;
  return self->node;
}

static void
wm_label_track_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  WmLabelTrack *self = WM_LABEL_TRACK (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderNode *node;

  if (wm_timeline_get_recording (timeline) == NULL)
    return;
  node = get_node (self, width, height);
  if (node != NULL)
    gtk_snapshot_append_node (snapshot, node);
  wm_view_snapshot_marks (snapshot, timeline, width, height);
}

static void
wm_label_track_measure (GtkWidget      *widget,
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
    *minimum = *natural = TRACK_HEIGHT;
}

static void
wm_label_track_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  invalidate (WM_LABEL_TRACK (widget));
}

/* ---- Input ---------------------------------------------------------------- */

void
wm_label_track_drag_begin (WmLabelTrack    *self,
                           double           x,
                           double           y,
                           GdkModifierType  state)
{
  const WmLabel *label;
  DragMode part;

  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  g_clear_pointer (&self->drag_label, wm_label_free);
  self->drag_x = x;
  self->drag_y = y;
  self->drag_state = state;
  self->drag_anchor = frame_at (self, x);

  label = hit_test (self, x, y, &part);
  if (label != NULL && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) == 0)
    {
      self->drag_mode = part;
      self->drag_label = wm_label_copy (label);
      self->preview_start = label->start_frame;
      self->preview_end = label->end_frame;
      wm_label_track_select (self, label->id);
    }
  else if (label == NULL && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) == 0
           && self->current_class_id > 0)
    {
      self->drag_mode = DRAG_CREATE;
      self->preview_start = self->preview_end = self->drag_anchor;
    }
  else
    self->drag_mode = DRAG_CLICK;

  gtk_widget_grab_focus (GTK_WIDGET (self));
}

void
wm_label_track_drag_update (WmLabelTrack *self,
                            double        dx,
                            double        dy)
{
  gint64 frame, delta, n_frames;

  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  if (fabs (dx) < CLICK_SLOP)
    return;

  n_frames = wm_timeline_get_n_frames (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));
  frame = frame_at (self, self->drag_x + dx);
  delta = frame - self->drag_anchor;

  switch (self->drag_mode)
    {
    case DRAG_CREATE:
      self->preview_start = MIN (self->drag_anchor, frame);
      self->preview_end = MAX (self->drag_anchor, frame);
      break;

    case DRAG_MOVE:
      {
        gint64 length = self->drag_label->end_frame - self->drag_label->start_frame;

        self->preview_start = CLAMP (self->drag_label->start_frame + delta, 0, n_frames - length);
        self->preview_end = self->preview_start + length;
      }
      break;

    case DRAG_RESIZE_START:
    case DRAG_RESIZE_END:
      {
        /* The edge follows the pointer; past the other edge they swap. */
        gint64 fixed = self->drag_mode == DRAG_RESIZE_START ? self->drag_label->end_frame
                                                              : self->drag_label->start_frame;

        self->preview_start = MIN (fixed, frame);
        self->preview_end = MAX (fixed, frame);
        if (self->preview_end == self->preview_start)
          self->preview_end = MIN (self->preview_start + 1, n_frames);
      }
      break;

    case DRAG_NONE:
    case DRAG_CLICK:
    default:
      return;
    }
  invalidate (self);
}

void
wm_label_track_drag_end (WmLabelTrack *self,
                         double        dx,
                         double        dy)
{
  g_autoptr(WmLabel) dragged = NULL;
  DragMode mode;

  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  wm_label_track_drag_update (self, dx, dy);
  mode = self->drag_mode;
  dragged = g_steal_pointer (&self->drag_label);
  self->drag_mode = DRAG_NONE;

  if (fabs (dx) < CLICK_SLOP)
    {
      if ((self->drag_state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) != 0)
        wm_label_track_create (self, self->drag_anchor, self->drag_anchor,
                               self->current_class_id, NULL);
      else if (dragged == NULL)
        wm_label_track_select (self, -1);
      invalidate (self);
      return;
    }

  switch (mode)
    {
    case DRAG_CREATE:
      wm_label_track_create (self, self->preview_start, self->preview_end,
                             self->current_class_id, NULL);
      break;

    case DRAG_MOVE:
    case DRAG_RESIZE_START:
    case DRAG_RESIZE_END:
      if (dragged->start_frame != self->preview_start || dragged->end_frame != self->preview_end)
        {
          dragged->start_frame = self->preview_start;
          dragged->end_frame = self->preview_end;
          update_label (self, dragged, NULL);
        }
      break;

    case DRAG_CLICK:
      if (dragged == NULL && self->current_class_id <= 0)
        wm_label_track_create (self, self->drag_anchor, self->drag_anchor, 0, NULL);
      break;

    case DRAG_NONE:
    default:
      break;
    }
  invalidate (self);
}

char *
wm_label_track_describe_at (WmLabelTrack *self,
                            double        x,
                            double        y)
{
  WmTimeline *timeline;
  const WmLabel *label;
  DragMode part;
  const char *name;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  double rate;

  g_return_val_if_fail (WM_IS_LABEL_TRACK (self), NULL);

  label = hit_test (self, x, y, &part);
  if (label == NULL)
    return NULL;

  name = class_name (self, label->class_id);
  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  rate = wm_timeline_get_recording (timeline)->sample_rate;
  start = wm_timeline_format_frame (timeline, label->start_frame, FALSE, 1.0 / rate);
  end = wm_timeline_format_frame (timeline, label->end_frame, FALSE, 1.0 / rate);

  return g_strdup_printf (_("Class: %s\nSource: %s\nConfidence: %.2f\n%s – %s"),
                          name != NULL ? name : _("(unknown)"),
                          label->source == WM_LABEL_SOURCE_MODEL ? _("model")
                          : label->source == WM_LABEL_SOURCE_REVIEW ? _("reviewed")
                          : _("human"),
                          label->confidence, start, end);
}

static gboolean
on_query_tooltip (GtkWidget    *widget,
                  int           x,
                  int           y,
                  gboolean      keyboard,
                  GtkTooltip   *tooltip,
                  WmLabelTrack *self)
{
  g_autofree char *text = wm_label_track_describe_at (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           WmLabelTrack             *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  DragMode part = DRAG_NONE;

  if (self->drag_mode == DRAG_NONE)
    {
      hit_test (self, x, y, &part);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                       part == DRAG_RESIZE_START || part == DRAG_RESIZE_END ? "ew-resize"
                                       : part == DRAG_MOVE ? "grab" : NULL);
    }
  wm_timeline_set_hover (timeline,
                         x >= WM_TIMELINE_GUTTER ? wm_timeline_x_to_frame (timeline, x, width) : -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          WmLabelTrack             *self)
{
  wm_timeline_set_hover (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)), -1);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               WmLabelTrack   *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  wm_label_track_drag_begin (self, x, y, state);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                WmLabelTrack   *self)
{
  wm_label_track_drag_update (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             WmLabelTrack   *self)
{
  wm_label_track_drag_end (self, dx, dy);
}

/* ---- GObject ------------------------------------------------------------- */

static void
wm_label_track_range_changed (WmTimelinePart *part)
{
  invalidate (WM_LABEL_TRACK (part));
}

static void
wm_label_track_recording_changed (WmTimelinePart *part)
{
  wm_label_track_reload (WM_LABEL_TRACK (part));
}

static void
wm_label_track_dispose (GObject *object)
{
  WmLabelTrack *self = WM_LABEL_TRACK (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->node, gsk_render_node_unref);

  G_OBJECT_CLASS (wm_label_track_parent_class)->dispose (object);
}

static void
wm_label_track_finalize (GObject *object)
{
  WmLabelTrack *self = WM_LABEL_TRACK (object);

  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->classes, g_hash_table_unref);
  g_clear_pointer (&self->drag_label, wm_label_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (wm_label_track_parent_class)->finalize (object);
}

static void
wm_label_track_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WmLabelTrack *self = WM_LABEL_TRACK (object);

  switch (prop_id)
    {
    case PROP_SELECTED_LABEL_ID:
      g_value_set_int64 (value, self->selected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_label_track_class_init (WmLabelTrackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);

  object_class->dispose = wm_label_track_dispose;
  object_class->finalize = wm_label_track_finalize;
  object_class->get_property = wm_label_track_get_property;

  widget_class->snapshot = wm_label_track_snapshot;
  widget_class->measure = wm_label_track_measure;
  widget_class->size_allocate = wm_label_track_size_allocate;

  part_class->range_changed = wm_label_track_range_changed;
  part_class->marks_changed = wm_timeline_part_redraw;
  part_class->recording_changed = wm_label_track_recording_changed;

  properties[PROP_SELECTED_LABEL_ID] =
    g_param_spec_int64 ("selected-label-id", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LABELS_CHANGED] =
    g_signal_new ("labels-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_css_name (widget_class, "wmlabeltrack");
}

static void
wm_label_track_init (WmLabelTrack *self)
{

  self->labels = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  self->lanes = g_array_new (FALSE, TRUE, sizeof (int));
  self->classes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify) wm_class_free);
  self->selected = -1;
  self->n_lanes = 1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);

  wm_timeline_part_add_pointer_controllers (WM_TIMELINE_PART (self),
                                            G_CALLBACK (on_motion), G_CALLBACK (on_leave),
                                            G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update),
                                            G_CALLBACK (on_drag_end));
}

GtkWidget *
wm_label_track_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_LABEL_TRACK, "timeline", timeline, NULL);
}

void
wm_label_track_set_store (WmLabelTrack *self,
                          WmStore      *store)
{
  g_return_if_fail (WM_IS_LABEL_TRACK (self));

  if (g_set_object (&self->store, store))
    wm_label_track_reload (self);
}

void
wm_label_track_set_current_class (WmLabelTrack *self,
                                  gint64        class_id)
{
  g_return_if_fail (WM_IS_LABEL_TRACK (self));
  self->current_class_id = class_id;
}
