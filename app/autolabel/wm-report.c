/* wm-report.c — what the review decisions say about a threshold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "wm-autolabel.h"
#include "wm-report.h"

void
wm_report_wilson (guint64  k,
                  guint64  n,
                  double   z,
                  double  *out_low,
                  double  *out_high)
{
  double p, z2n, centre, half;

  if (n == 0)
    {
      *out_low = 0.0;
      *out_high = 1.0;
      return;
    }
  p = (double) k / n;
  z2n = z * z / n;
  centre = (p + z2n / 2) / (1 + z2n);
  half = z * sqrt (p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
  *out_low = MAX (0.0, centre - half);
  *out_high = MIN (1.0, centre + half);
}

typedef struct {
  double   probability;
  gboolean correct;
} Decision;

static int
compare_decisions (gconstpointer a,
                   gconstpointer b)
{
  const Decision *x = a, *y = b;
  return x->probability < y->probability ? 1 : x->probability > y->probability ? -1 : 0;
}

typedef struct {
  gint64  labels;
  gint64  windows_above;
  gint64  band_below;        /* windows in [t − margin, t) */
  gint64  pending;
  gint64  correct_above;
  gint64  decided_above;
  gint64  found_below;       /* accepted below t, or relabelled into this class */
  gint64  decided_below;
  GArray *decisions;         /* Decision, for the curve */
} ClassReport;

JsonNode *
wm_report_build (WmStore  *store,
                 gint64    run_id,
                 double    target_precision,
                 GError  **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autoptr(GArray) recordings = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree ClassReport *classes = NULL;
  guint n;

  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return NULL;
  n = wm_run_get_n_classes (run);
  classes = g_new0 (ClassReport, MAX (n, 1));
  for (guint k = 0; k < n; k++)
    classes[k].decisions = g_array_new (FALSE, FALSE, sizeof (Decision));

  /* Windows above and just below each threshold, from stored predictions. */
  recordings = wm_store_list_run_recordings (store, run_id, error);
  if (recordings == NULL)
    goto fail;
  for (guint i = 0; i < recordings->len; i++)
    {
      gint64 n_windows = 0;
      g_autofree float *probs = wm_store_read_predictions (store, run_id, g_array_index (recordings, gint64, i),
                                                           n, &n_windows, error);
      if (probs == NULL)
        goto fail;
      for (gint64 w = 0; w < n_windows; w++)
        {
          const float *p = probs + w * n;
          gint64 best = -1;

          for (guint k = 0; k < n; k++)
            if (g_ascii_strcasecmp (run->class_names[k], WM_AUTOLABEL_BACKGROUND) != 0 &&
                run->thresholds[k] <= 1.0 && !isnan (p[k]) && (best < 0 || p[k] > p[best]))
              best = k;
          if (best < 0)
            continue;
          if (p[best] >= run->thresholds[best])
            classes[best].windows_above++;
          else if (p[best] >= run->thresholds[best] - run->margin)
            classes[best].band_below++;
        }
    }

  labels = wm_store_list_run_labels (store, run_id, error);
  items = wm_store_list_review_items (store, run_id, FALSE, 0, error);
  if (labels == NULL || items == NULL)
    goto fail;
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *l = labels->pdata[i];
      if (l->source != WM_LABEL_SOURCE_MODEL)
        continue;
      for (guint k = 0; k < n; k++)
        if (g_strcmp0 (run->class_names[k], l->class_name) == 0)
          classes[k].labels++;
    }
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewItem *item = items->pdata[i];
      gint64 k = -1, into = -1;
      gboolean above = item->probability >= item->threshold;
      gboolean correct = item->state == WM_REVIEW_ACCEPTED;

      for (guint c = 0; c < n; c++)
        {
          if (g_strcmp0 (run->class_names[c], item->class_name) == 0)
            k = c;
          if (item->state == WM_REVIEW_RELABELLED && g_strcmp0 (run->class_names[c], item->decided_class_name) == 0)
            into = c;
        }
      if (k < 0)
        continue;
      if (item->state == WM_REVIEW_PENDING)
        {
          classes[k].pending++;
          continue;
        }
      g_array_append_val (classes[k].decisions, ((Decision) { item->probability, correct }));
      if (above)
        {
          classes[k].decided_above++;
          classes[k].correct_above += correct;
        }
      else
        {
          classes[k].decided_below++;
          classes[k].found_below += correct;
        }
      if (into >= 0 && into != k)
        classes[into].found_below++;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, run->id);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, run->model_name);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, run->model_version);
  json_builder_set_member_name (b, "variant");
  json_builder_add_string_value (b, run->variant);
  json_builder_set_member_name (b, "margin");
  json_builder_add_double_value (b, run->margin);
  json_builder_set_member_name (b, "target_precision");
  json_builder_add_double_value (b, target_precision);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint k = 0; k < n; k++)
    {
      ClassReport *c = &classes[k];
      double low, high, needed = NAN;
      guint64 correct_so_far = 0;

      if (g_ascii_strcasecmp (run->class_names[k], WM_AUTOLABEL_BACKGROUND) == 0 || run->thresholds[k] > 1.0)
        continue;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, run->class_names[k]);
      json_builder_set_member_name (b, "threshold");
      json_builder_add_double_value (b, run->thresholds[k]);
      json_builder_set_member_name (b, "model_labels");
      json_builder_add_int_value (b, c->labels);
      json_builder_set_member_name (b, "windows_above");
      json_builder_add_int_value (b, c->windows_above);
      json_builder_set_member_name (b, "pending");
      json_builder_add_int_value (b, c->pending);
      json_builder_set_member_name (b, "decided_above");
      json_builder_add_int_value (b, c->decided_above);
      json_builder_set_member_name (b, "correct_above");
      json_builder_add_int_value (b, c->correct_above);

      wm_report_wilson (c->correct_above, c->decided_above, 1.96, &low, &high);
      json_builder_set_member_name (b, "precision");
      if (c->decided_above > 0)
        json_builder_add_double_value (b, (double) c->correct_above / c->decided_above);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "precision_low");
      json_builder_add_double_value (b, low);
      json_builder_set_member_name (b, "precision_high");
      json_builder_add_double_value (b, high);

      json_builder_set_member_name (b, "decided_below");
      json_builder_add_int_value (b, c->decided_below);
      json_builder_set_member_name (b, "found_below");
      json_builder_add_int_value (b, c->found_below);
      json_builder_set_member_name (b, "band_below_windows");
      json_builder_add_int_value (b, c->band_below);
      json_builder_set_member_name (b, "estimated_missed");
      if (c->decided_below > 0)
        json_builder_add_double_value (b, (double) c->found_below / c->decided_below * c->band_below);
      else
        json_builder_add_null_value (b);

      /* Precision of decided windows at p >= τ, for each τ a decision sits at:
       * the lowest τ meeting the target is the threshold it needs. */
      g_array_sort (c->decisions, compare_decisions);
      json_builder_set_member_name (b, "curve");
      json_builder_begin_array (b);
      for (guint i = 0; i < c->decisions->len; i++)
        {
          Decision *d = &g_array_index (c->decisions, Decision, i);
          double precision;

          correct_so_far += d->correct;
          if (i + 1 < c->decisions->len && g_array_index (c->decisions, Decision, i + 1).probability == d->probability)
            continue;
          precision = (double) correct_so_far / (i + 1);
          if (precision >= target_precision)
            needed = d->probability;
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "threshold");
          json_builder_add_double_value (b, d->probability);
          json_builder_set_member_name (b, "precision");
          json_builder_add_double_value (b, precision);
          json_builder_set_member_name (b, "decisions");
          json_builder_add_int_value (b, i + 1);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "threshold_for_target");
      if (!isnan (needed))
        json_builder_add_double_value (b, needed);
      else
        json_builder_add_null_value (b);

      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      if (c->decided_above < WM_REPORT_MIN_DECISIONS)
        {
          g_autofree char *w = g_strdup_printf (_("only %" PRId64 " decision(s) above the threshold: "
                                                  "review at least %d before trusting the precision estimate"),
                                                c->decided_above, WM_REPORT_MIN_DECISIONS);
          json_builder_add_string_value (b, w);
        }
      if (c->decided_below == 0 && c->band_below > 0)
        json_builder_add_string_value (b, _("no decision below the threshold: the recall risk is unknown"));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  for (guint k = 0; k < n; k++)
    g_array_unref (classes[k].decisions);
  return json_builder_get_root (b);

fail:
  for (guint k = 0; k < n; k++)
    g_array_unref (classes[k].decisions);
  return NULL;
}
