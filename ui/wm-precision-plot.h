/* wm-precision-plot.h — precision versus threshold, from review decisions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-report.h"

G_BEGIN_DECLS

#define WM_TYPE_PRECISION_PLOT (wm_precision_plot_get_type ())
G_DECLARE_FINAL_TYPE (WmPrecisionPlot, wm_precision_plot, WM, PRECISION_PLOT, GtkWidget)

/* Properties: threshold (double, the run's, drawn as a vertical line),
 * target-precision (double, a horizontal line), margin (double: the x axis
 * starts at threshold − margin or the lowest decision). */

GtkWidget *wm_precision_plot_new                  (void);
/* A report class's curve (WmReportPoint), thresholds falling.  Each point also gets its 95 % Wilson interval,
 * drawn as a band. */
void       wm_precision_plot_set_curve            (WmPrecisionPlot *self,
                                                   const GArray    *curve);
guint      wm_precision_plot_get_n_points         (WmPrecisionPlot *self);
void       wm_precision_plot_set_threshold        (WmPrecisionPlot *self,
                                                   double           threshold);
double     wm_precision_plot_get_threshold        (WmPrecisionPlot *self);
void       wm_precision_plot_set_target_precision (WmPrecisionPlot *self,
                                                   double           target);
void       wm_precision_plot_set_margin           (WmPrecisionPlot *self,
                                                   double           margin);
/* The x range drawn, [from, to]. */
void       wm_precision_plot_get_x_range          (WmPrecisionPlot *self,
                                                   double          *out_from,
                                                   double          *out_to);

G_END_DECLS
