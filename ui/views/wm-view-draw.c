/* wm-view-draw.c — drawing helpers shared by the recording view's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include "wm-view-draw.h"

const GdkRGBA wm_view_color_text = { 0.47f, 0.47f, 0.50f, 1.0f };
const GdkRGBA wm_view_color_grid = { 0.5f, 0.5f, 0.5f, 0.25f };
const GdkRGBA wm_view_color_signal = { 0.21f, 0.52f, 0.89f, 1.0f };
const GdkRGBA wm_view_color_playhead = { 0.88f, 0.11f, 0.14f, 1.0f };

static const GdkRGBA selection_color = { 0.21f, 0.52f, 0.89f, 0.22f };
static const GdkRGBA cursor_color = { 0.47f, 0.47f, 0.50f, 0.9f };
static const GdkRGBA hover_color = { 0.47f, 0.47f, 0.50f, 0.35f };

void
wm_view_snapshot_rect (GtkSnapshot   *snapshot,
                       double         x,
                       double         y,
                       double         width,
                       double         height,
                       const GdkRGBA *color)
{
  double x0 = floor (x), y0 = floor (y);
  double x1 = floor (x + width), y1 = floor (y + height);

  if (x1 <= x0 || y1 <= y0)
    return;
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT ((float) x0, (float) y0,
                                                  (float) (x1 - x0), (float) (y1 - y0)));
}

static void
vertical_line (GtkSnapshot   *snapshot,
               double         x,
               int            line_width,
               int            height,
               const GdkRGBA *color)
{
  wm_view_snapshot_rect (snapshot, floor (x) - (line_width - 1) / 2, 0, line_width, height, color);
}

void
wm_view_snapshot_marks (GtkSnapshot *snapshot,
                        WmTimeline  *timeline,
                        int          width,
                        int          height)
{
  gint64 sel_start = wm_timeline_get_selection_start (timeline);
  gint64 sel_end = wm_timeline_get_selection_end (timeline);
  gint64 cursor = wm_timeline_get_cursor (timeline);
  gint64 playhead = wm_timeline_get_playhead (timeline);
  double hover = wm_timeline_get_hover (timeline);

  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0,
                                               MAX (width - WM_TIMELINE_GUTTER, 0), height));

  if (sel_start >= 0 && sel_end > sel_start)
    {
      double x0 = wm_timeline_frame_to_x (timeline, sel_start, width);
      double x1 = wm_timeline_frame_to_x (timeline, sel_end, width);

      x0 = MAX (x0, WM_TIMELINE_GUTTER - 1);
      x1 = MIN (x1, width + 1);
      wm_view_snapshot_rect (snapshot, x0, 0, MAX (x1 - x0, 1), height, &selection_color);
    }
  if (hover >= 0)
    vertical_line (snapshot, wm_timeline_frame_to_x (timeline, hover, width), 1, height, &hover_color);
  if (cursor >= 0)
    vertical_line (snapshot, wm_timeline_frame_to_x (timeline, cursor, width), 1, height, &cursor_color);
  if (playhead >= 0)
    vertical_line (snapshot, wm_timeline_frame_to_x (timeline, playhead, width), 2, height,
                   &wm_view_color_playhead);

  gtk_snapshot_pop (snapshot);
}

void
wm_view_snapshot_text (GtkSnapshot   *snapshot,
                       GtkWidget     *widget,
                       const char    *text,
                       double         x,
                       double         y,
                       const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) round (x), (float) round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}
