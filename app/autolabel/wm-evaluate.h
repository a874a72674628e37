/* wm-evaluate.h — labels against ground truth: precision and recall at an IoU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "wm-store.h"

G_BEGIN_DECLS

/* Ground truth from a CSV with a header "start_s,end_s,class", as labels
 * (class_name set, frames at @sample_rate).  Errors name file and line. */
GPtrArray *wm_evaluate_read_truth (const char  *path,
                                   double       sample_rate,
                                   GError     **error);

/* One-to-one matching of @predicted to @truth labels of the same class,
 * greedily by IoU, a pair counting when IoU >= @min_iou.  Returns
 * {predicted, truth, matched, precision, recall, classes: {name: {…}}}. */
JsonNode  *wm_evaluate_labels     (GPtrArray   *predicted,
                                   GPtrArray   *truth,
                                   double       min_iou);

G_END_DECLS
