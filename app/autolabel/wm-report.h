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

/* Per class of a run: model labels, windows above the threshold, review
 * decisions above and below it, estimated precision above the threshold with
 * its 95 % Wilson interval, positives found below it (recall risk) and the
 * estimated positives still missed in the band, the threshold that the
 * target precision needs on the reviewed data, a precision-versus-threshold
 * curve, and warnings. */
JsonNode *wm_report_build  (WmStore  *store,
                            gint64    run_id,
                            double    target_precision,
                            GError  **error);

G_END_DECLS
