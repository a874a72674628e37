/* wm-report-view.h — what the review decisions say about the thresholds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wm-report.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_REPORT_VIEW (wm_report_view_get_type ())
G_DECLARE_FINAL_TYPE (WmReportView, wm_report_view, WM, REPORT_VIEW, AdwWindow)

/* Properties: run-id (gint64; 0 = the latest run), target-precision (double). */

GtkWidget  *wm_report_view_new                  (GtkWindow    *parent,
                                                 WmStore      *store);
/* Re-reads the runs and rebuilds the report (after new decisions, say). */
void        wm_report_view_reload               (WmReportView *self);
void        wm_report_view_set_run_id           (WmReportView *self,
                                                 gint64        run_id);
gint64      wm_report_view_get_run_id           (WmReportView *self);
void        wm_report_view_set_target_precision (WmReportView *self,
                                                 double        target);
double      wm_report_view_get_target_precision (WmReportView *self);
/* The report shown: wm_report_build's, what `waymark-cli report` prints;
 * NULL when there is no run. */
const WmReport *wm_report_view_get_report       (WmReportView *self);
/* The plot of a class (a WmPrecisionPlot), or NULL. */
GtkWidget  *wm_report_view_get_plot             (WmReportView *self,
                                                 const char   *class_name);

G_END_DECLS
