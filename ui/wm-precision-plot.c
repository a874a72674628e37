/* wm-precision-plot.c — precision versus threshold, from review decisions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "wm-precision-plot.h"

#define MARGIN_LEFT   52.0
#define MARGIN_RIGHT  16.0
#define MARGIN_TOP    22.0
#define MARGIN_BOTTOM 40.0

typedef struct {
  double threshold;
  double precision;
  double low;    /* 95 % Wilson interval */
  double high;
} Point;

struct _WmPrecisionPlot
{
  GtkWidget  parent_instance;

  GArray    *points;      /* Point, thresholds falling, as the report has them */
  double     threshold;
  double     target;
  double     margin;
};

G_DEFINE_FINAL_TYPE (WmPrecisionPlot, wm_precision_plot, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_TARGET_PRECISION,
  PROP_MARGIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GdkRGBA text_color = { 0.47f, 0.47f, 0.50f, 1.0f };
static const GdkRGBA grid_color = { 0.5f, 0.5f, 0.5f, 0.25f };
static const GdkRGBA curve_color = { 0.21f, 0.52f, 0.89f, 1.0f };
static const GdkRGBA band_color = { 0.21f, 0.52f, 0.89f, 0.22f };
static const GdkRGBA threshold_color = { 0.88f, 0.11f, 0.14f, 1.0f };
static const GdkRGBA target_color = { 0.15f, 0.64f, 0.41f, 1.0f };

void
wm_precision_plot_get_x_range (WmPrecisionPlot *self,
                               double          *out_from,
                               double          *out_to)
{
  double from, to;

  g_return_if_fail (WM_IS_PRECISION_PLOT (self));

  /* The review band around the threshold, where the decisions are, and
   * every decision; widened to whole twentieths. */
  from = self->threshold - self->margin;
  to = self->threshold + self->margin;
  for (guint i = 0; i < self->points->len; i++)
    {
      from = MIN (from, g_array_index (self->points, Point, i).threshold);
      to = MAX (to, g_array_index (self->points, Point, i).threshold);
    }
  from = floor (CLAMP (from, 0.0, 1.0) * 20.0 + 1e-9) / 20.0;
  to = ceil (CLAMP (to, 0.0, 1.0) * 20.0 - 1e-9) / 20.0;
  if (to - from < 0.1)
    {
      to = MIN (from + 0.1, 1.0);
      from = to - 0.1;
    }
  if (out_from != NULL)
    *out_from = from;
  if (out_to != NULL)
    *out_to = to;
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *color)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
}

static void
show_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      xalign,
           double      yalign)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();
  int width, height;

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_move_to (cr, round (x - xalign * width), round (y - yalign * height));
  pango_cairo_show_layout (cr, layout);
}

static void
wm_precision_plot_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  WmPrecisionPlot *self = WM_PRECISION_PLOT (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double plot_w = width - MARGIN_LEFT - MARGIN_RIGHT;
  double plot_h = height - MARGIN_TOP - MARGIN_BOTTOM;
  double from, to, step;
  guint n = self->points->len;
  cairo_t *cr;

  if (plot_w < 20 || plot_h < 20)
    return;

  wm_precision_plot_get_x_range (self, &from, &to);
  step = to - from <= 0.12 ? 0.02 : to - from <= 0.25 ? 0.05 : to - from <= 0.5 ? 0.1 : 0.2;

#define X(t) (MARGIN_LEFT + ((t) - from) / (to - from) * plot_w)
#define Y(p) (MARGIN_TOP + (1.0 - (p)) * plot_h)

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* Grid, ticks and axis labels */
  cairo_set_line_width (cr, 1.0);
  for (int i = 0; i <= 5; i++)
    {
      double p = i / 5.0;
      g_autofree char *label = g_strdup_printf ("%.1f", p);

      set_source (cr, &grid_color);
      cairo_move_to (cr, MARGIN_LEFT, round (Y (p)) + 0.5);
      cairo_line_to (cr, MARGIN_LEFT + plot_w, round (Y (p)) + 0.5);
      cairo_stroke (cr);
      set_source (cr, &text_color);
      show_text (widget, cr, label, MARGIN_LEFT - 6, Y (p), 1.0, 0.5);
    }
  /* Ticks on whole multiples of the step */
  for (int i = (int) ceil (from / step - 1e-9); i * step <= to + 1e-9; i++)
    {
      double t = i * step;
      g_autofree char *label = g_strdup_printf ("%.2f", t);

      set_source (cr, &grid_color);
      cairo_move_to (cr, round (X (t)) + 0.5, MARGIN_TOP);
      cairo_line_to (cr, round (X (t)) + 0.5, MARGIN_TOP + plot_h + 4);
      cairo_stroke (cr);
      set_source (cr, &text_color);
      show_text (widget, cr, label, X (t), MARGIN_TOP + plot_h + 6, 0.5, 0.0);
    }
  set_source (cr, &text_color);
  cairo_rectangle (cr, MARGIN_LEFT + 0.5, MARGIN_TOP + 0.5, plot_w - 1, plot_h - 1);
  cairo_stroke (cr);
  show_text (widget, cr, _("Threshold"), MARGIN_LEFT + plot_w / 2, height - 2, 0.5, 1.0);
  show_text (widget, cr, _("Precision above the threshold"), MARGIN_LEFT, 2, 0.0, 0.0);

  cairo_save (cr);
  cairo_rectangle (cr, MARGIN_LEFT, MARGIN_TOP, plot_w, plot_h);
  cairo_clip (cr);

  /* The precision at τ is that of the decisions at p ≥ τ: a step from each
   * point down to the next lower one, with its interval as a band. */
  if (n > 0)
    {
      set_source (cr, &band_color);
      for (guint i = 0; i < n; i++)
        {
          const Point *pt = &g_array_index (self->points, Point, i);
          double left = i + 1 < n ? g_array_index (self->points, Point, i + 1).threshold : from;

          cairo_rectangle (cr, X (left), Y (pt->high), X (pt->threshold) - X (left),
                           Y (pt->low) - Y (pt->high));
        }
      cairo_fill (cr);

      set_source (cr, &curve_color);
      cairo_set_line_width (cr, 2.0);
      for (guint i = 0; i < n; i++)
        {
          const Point *pt = &g_array_index (self->points, Point, i);
          double left = i + 1 < n ? g_array_index (self->points, Point, i + 1).threshold : from;

          if (i == 0)
            cairo_move_to (cr, X (pt->threshold), Y (pt->precision));
          else
            cairo_line_to (cr, X (pt->threshold), Y (pt->precision));
          cairo_line_to (cr, X (left), Y (pt->precision));
        }
      cairo_stroke (cr);
      for (guint i = 0; i < n; i++)
        {
          const Point *pt = &g_array_index (self->points, Point, i);

          cairo_arc (cr, X (pt->threshold), Y (pt->precision), 3.0, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }

  /* The target precision, dashed, and the run's threshold */
  if (self->target > 0)
    {
      double dash[] = { 4.0, 3.0 };

      set_source (cr, &target_color);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, MARGIN_LEFT, round (Y (self->target)) + 0.5);
      cairo_line_to (cr, MARGIN_LEFT + plot_w, round (Y (self->target)) + 0.5);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  set_source (cr, &threshold_color);
  cairo_set_line_width (cr, 2.0);
  cairo_move_to (cr, round (X (self->threshold)), MARGIN_TOP);
  cairo_line_to (cr, round (X (self->threshold)), MARGIN_TOP + plot_h);
  cairo_stroke (cr);
  cairo_restore (cr);

  if (n == 0)
    {
      set_source (cr, &text_color);
      show_text (widget, cr, _("No review decisions yet"), MARGIN_LEFT + plot_w / 2,
                 MARGIN_TOP + plot_h / 2, 0.5, 0.5);
    }

#undef X
#undef Y

  cairo_destroy (cr);
}

static void
wm_precision_plot_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 220;
}

static void
wm_precision_plot_finalize (GObject *object)
{
  WmPrecisionPlot *self = WM_PRECISION_PLOT (object);

  g_clear_pointer (&self->points, g_array_unref);

  G_OBJECT_CLASS (wm_precision_plot_parent_class)->finalize (object);
}

static void
wm_precision_plot_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WmPrecisionPlot *self = WM_PRECISION_PLOT (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;

    case PROP_TARGET_PRECISION:
      g_value_set_double (value, self->target);
      break;

    case PROP_MARGIN:
      g_value_set_double (value, self->margin);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_precision_plot_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  WmPrecisionPlot *self = WM_PRECISION_PLOT (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      wm_precision_plot_set_threshold (self, g_value_get_double (value));
      break;

    case PROP_TARGET_PRECISION:
      wm_precision_plot_set_target_precision (self, g_value_get_double (value));
      break;

    case PROP_MARGIN:
      wm_precision_plot_set_margin (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_precision_plot_class_init (WmPrecisionPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = wm_precision_plot_finalize;
  object_class->get_property = wm_precision_plot_get_property;
  object_class->set_property = wm_precision_plot_set_property;
  widget_class->snapshot = wm_precision_plot_snapshot;
  widget_class->measure = wm_precision_plot_measure;

  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, 0.9,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET_PRECISION] =
    g_param_spec_double ("target-precision", NULL, NULL, 0.0, 1.0, 0.95,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MARGIN] =
    g_param_spec_double ("margin", NULL, NULL, 0.0, 1.0, 0.1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "precisionplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
wm_precision_plot_init (WmPrecisionPlot *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (Point));
  self->threshold = 0.9;
  self->target = 0.95;
  self->margin = 0.1;
}

GtkWidget *
wm_precision_plot_new (void)
{
  return g_object_new (WM_TYPE_PRECISION_PLOT, NULL);
}

void
wm_precision_plot_set_curve (WmPrecisionPlot *self,
                             const GArray    *curve)
{
  g_return_if_fail (WM_IS_PRECISION_PLOT (self));

  g_array_set_size (self->points, 0);
  for (guint i = 0; curve != NULL && i < curve->len; i++)
    {
      const WmReportPoint *o = &g_array_index (curve, WmReportPoint, i);
      Point pt = { 0 };

      pt.threshold = o->threshold;
      pt.precision = o->precision;
      /* precision × decisions is the count of correct ones, a whole number. */
      wm_report_wilson ((guint64) llround (pt.precision * o->decisions), (guint64) MAX (o->decisions, 0),
                        1.96, &pt.low, &pt.high);
      g_array_append_val (self->points, pt);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
wm_precision_plot_get_n_points (WmPrecisionPlot *self)
{
  g_return_val_if_fail (WM_IS_PRECISION_PLOT (self), 0);

  return self->points->len;
}

void
wm_precision_plot_set_threshold (WmPrecisionPlot *self,
                                 double           threshold)
{
  g_return_if_fail (WM_IS_PRECISION_PLOT (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (threshold == self->threshold)
    return;
  self->threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
wm_precision_plot_get_threshold (WmPrecisionPlot *self)
{
  g_return_val_if_fail (WM_IS_PRECISION_PLOT (self), 0.0);

  return self->threshold;
}

void
wm_precision_plot_set_target_precision (WmPrecisionPlot *self,
                                        double           target)
{
  g_return_if_fail (WM_IS_PRECISION_PLOT (self));

  target = CLAMP (target, 0.0, 1.0);
  if (target == self->target)
    return;
  self->target = target;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET_PRECISION]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
wm_precision_plot_set_margin (WmPrecisionPlot *self,
                              double           margin)
{
  g_return_if_fail (WM_IS_PRECISION_PLOT (self));

  margin = CLAMP (margin, 0.0, 1.0);
  if (margin == self->margin)
    return;
  self->margin = margin;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARGIN]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
