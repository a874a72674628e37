/* wm-report.h — what the review decisions say about a threshold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "wm-store.h"

G_BEGIN_DECLS

/* Below this many decisions above the threshold, the estimate is flagged. */
#define WM_REPORT_MIN_DECISIONS 10

/* Wilson score interval of k successes in n trials at z (1.96 for 95 %). */
void      wm_report_wilson (guint64  k,
                            guint64  n,
                            double   z,
                            double  *out_low,
                            double  *out_high);

/* A point of the precision-versus-threshold curve: the precision of the
 * decided windows at p >= threshold. */
typedef struct {
  double threshold;
  double precision;
  gint64 decisions;
} WmReportPoint;

/* One class of a run (enabled, not the background). */
typedef struct {
  char   *name;
  double  threshold;
  gint64  model_labels;
  gint64  windows_above;         /* what the rule marks now */
  gint64  pending;
  gint64  decided_above;
  gint64  correct_above;
  double  precision;             /* NAN without a decision above */
  double  precision_low;         /* 95 % Wilson interval */
  double  precision_high;
  gint64  decided_below;
  gint64  found_below;           /* accepted below, or relabelled into this class */
  gint64  band_below_windows;    /* undecided review windows below the threshold */
  double  estimated_missed;      /* NAN without a decision below */
  GArray *curve;                 /* WmReportPoint, threshold descending */
  double  threshold_for_target;  /* NAN when no threshold reaches the target */
  char  **warnings;              /* translated sentences */
} WmReportClass;

typedef struct {
  gint64  run_id;
  char   *model;
  char   *version;
  char   *variant;
  double  margin;
  double  target_precision;
  GArray *classes;               /* WmReportClass, in the model's order */
} WmReport;

#define WM_TYPE_REPORT (wm_report_get_type ())
GType     wm_report_get_type (void) G_GNUC_CONST;
WmReport *wm_report_copy     (const WmReport *report);
void      wm_report_free     (WmReport       *report);

/* Per class of a run: model labels, windows above the threshold, review
 * decisions above and below it, estimated precision above the threshold with
 * its 95 % Wilson interval, positives found below it (recall risk) and the
 * estimated positives still missed in the band, the threshold that the
 * target precision needs on the reviewed data, a precision-versus-threshold
 * curve, and warnings.  Windows above and in the band are counted by the
 * run's rule (wm-label-rule.h), as auto-label and the preview count them. */
WmReport *wm_report_build    (WmStore        *store,
                              gint64          run_id,
                              double          target_precision,
                              GError        **error);
/* What `report --json` prints (NAN as null). */
JsonNode *wm_report_to_json  (const WmReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmReport, wm_report_free)

G_END_DECLS
