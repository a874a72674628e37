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

G_DEFINE_BOXED_TYPE (WmReport, wm_report, wm_report_copy, wm_report_free)

static void
report_class_clear (WmReportClass *c)
{
  g_clear_pointer (&c->name, g_free);
  g_clear_pointer (&c->curve, g_array_unref);
  g_clear_pointer (&c->warnings, g_strfreev);
}

static WmReport *
report_new (void)
{
  WmReport *report = g_new0 (WmReport, 1);

  report->classes = g_array_new (FALSE, TRUE, sizeof (WmReportClass));
  g_array_set_clear_func (report->classes, (GDestroyNotify) report_class_clear);
  return report;
}

WmReport *
wm_report_copy (const WmReport *report)
{
  WmReport *copy;

  g_return_val_if_fail (report != NULL, NULL);

  copy = report_new ();
  copy->run_id = report->run_id;
  copy->model = g_strdup (report->model);
  copy->version = g_strdup (report->version);
  copy->variant = g_strdup (report->variant);
  copy->margin = report->margin;
  copy->target_precision = report->target_precision;
  for (guint i = 0; i < report->classes->len; i++)
    {
      WmReportClass c = g_array_index (report->classes, WmReportClass, i);

      c.name = g_strdup (c.name);
      c.curve = g_array_copy (c.curve);
      c.warnings = g_strdupv (c.warnings);
      g_array_append_val (copy->classes, c);
    }
  return copy;
}

void
wm_report_free (WmReport *report)
{
  if (report == NULL)
    return;
  g_free (report->model);
  g_free (report->version);
  g_free (report->variant);
  g_array_unref (report->classes);
  g_free (report);
}

/* What the review decisions of a run say, per model class. */
typedef struct {
  gint64  pending;
  gint64  correct_above;
  gint64  decided_above;
  gint64  found_below;       /* accepted below t, or relabelled into this class */
  gint64  decided_below;
  GArray *decisions;         /* Decision, for the curve */
} Decisions;

static void
count_decisions (const WmRun *run,
                 GPtrArray   *items,
                 Decisions   *classes)
{
  guint n = wm_run_get_n_classes (run);

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
}

/* Precision of decided windows at p >= τ, for each τ a decision sits at:
 * the lowest τ meeting the target is the threshold it needs. */
static void
fill_curve (WmReportClass *c,
            GArray        *decisions,
            double         target_precision)
{
  guint64 correct_so_far = 0;

  g_array_sort (decisions, compare_decisions);
  c->curve = g_array_new (FALSE, FALSE, sizeof (WmReportPoint));
  c->threshold_for_target = NAN;
  for (guint i = 0; i < decisions->len; i++)
    {
      Decision *d = &g_array_index (decisions, Decision, i);
      WmReportPoint point;

      correct_so_far += d->correct;
      if (i + 1 < decisions->len && g_array_index (decisions, Decision, i + 1).probability == d->probability)
        continue;
      point.threshold = d->probability;
      point.precision = (double) correct_so_far / (i + 1);
      point.decisions = i + 1;
      if (point.precision >= target_precision)
        c->threshold_for_target = d->probability;
      g_array_append_val (c->curve, point);
    }
}

static char **
class_warnings (const WmReportClass *c)
{
  g_autoptr(GStrvBuilder) warnings = g_strv_builder_new ();

  if (c->decided_above < WM_REPORT_MIN_DECISIONS)
    {
      g_autofree char *w = g_strdup_printf (_("only %" PRId64 " decision(s) above the threshold: "
                                              "review at least %d before trusting the precision estimate"),
                                            c->decided_above, WM_REPORT_MIN_DECISIONS);
      g_strv_builder_add (warnings, w);
    }
  if (c->decided_below == 0 && c->band_below_windows > 0)
    g_strv_builder_add (warnings, _("no decision below the threshold: the recall risk is unknown"));
  return g_strv_builder_end (warnings);
}

static void
add_class (WmReport                *report,
           const WmLabelRule       *rule,
           guint                    k,
           gint64                   model_labels,
           const WmLabelRuleCounts *counts,
           const Decisions         *d)
{
  WmReportClass c = { 0 };

  c.name = g_strdup (rule->class_names[k]);
  c.threshold = rule->classes[k].threshold;
  c.model_labels = model_labels;
  c.windows_above = counts->windows_above;
  c.pending = d->pending;
  c.decided_above = d->decided_above;
  c.correct_above = d->correct_above;
  c.precision = d->decided_above > 0 ? (double) d->correct_above / d->decided_above : NAN;
  wm_report_wilson (d->correct_above, d->decided_above, 1.96, &c.precision_low, &c.precision_high);
  c.decided_below = d->decided_below;
  c.found_below = d->found_below;
  c.band_below_windows = counts->band_below;
  c.estimated_missed = d->decided_below > 0 ? (double) d->found_below / d->decided_below * counts->band_below
                                            : NAN;
  fill_curve (&c, d->decisions, report->target_precision);
  c.warnings = class_warnings (&c);
  g_array_append_val (report->classes, c);
}

WmReport *
wm_report_build (WmStore  *store,
                 gint64    run_id,
                 double    target_precision,
                 GError  **error)
{
  g_autoptr(WmRun) run = NULL;
  g_autoptr(WmLabelRule) rule = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autofree WmLabelRuleCounts *counts = NULL;
  g_autofree gint64 *model_labels = NULL;
  g_autofree Decisions *decisions = NULL;
  WmReport *report;
  guint n;

  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  run = wm_store_get_run (store, run_id, error);
  if (run == NULL)
    return NULL;
  rule = wm_label_rule_new_for_run (run);
  n = rule->n_classes;
  if (!wm_autolabel_preview (store, run_id, 0, rule, NULL, &counts, error))
    return NULL;
  labels = wm_store_list_run_labels (store, run_id, error);
  items = labels != NULL ? wm_store_list_review_items (store, run_id, FALSE, 0, error) : NULL;
  if (items == NULL)
    return NULL;

  model_labels = g_new0 (gint64, MAX (n, 1));
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *l = labels->pdata[i];
      int k = wm_label_rule_find_class (rule, l->class_name != NULL ? l->class_name : "");

      if (l->source == WM_LABEL_SOURCE_MODEL && k >= 0)
        model_labels[k]++;
    }
  decisions = g_new0 (Decisions, MAX (n, 1));
  for (guint k = 0; k < n; k++)
    decisions[k].decisions = g_array_new (FALSE, FALSE, sizeof (Decision));
  count_decisions (run, items, decisions);

  report = report_new ();
  report->run_id = run->id;
  report->model = g_strdup (run->model_name);
  report->version = g_strdup (run->model_version);
  report->variant = g_strdup (run->variant);
  report->margin = rule->margin;
  report->target_precision = target_precision;
  for (guint k = 0; k < n; k++)
    {
      if (rule->classes[k].enabled)
        add_class (report, rule, k, model_labels[k], &counts[k], &decisions[k]);
      g_array_unref (decisions[k].decisions);
    }
  return report;
}

static void
add_optional (JsonBuilder *b,
              const char  *member,
              double       value)
{
  json_builder_set_member_name (b, member);
  if (isnan (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, value);
}

static void
class_to_json (JsonBuilder         *b,
               const WmReportClass *c)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "class");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_double_value (b, c->threshold);
  json_builder_set_member_name (b, "model_labels");
  json_builder_add_int_value (b, c->model_labels);
  json_builder_set_member_name (b, "windows_above");
  json_builder_add_int_value (b, c->windows_above);
  json_builder_set_member_name (b, "pending");
  json_builder_add_int_value (b, c->pending);
  json_builder_set_member_name (b, "decided_above");
  json_builder_add_int_value (b, c->decided_above);
  json_builder_set_member_name (b, "correct_above");
  json_builder_add_int_value (b, c->correct_above);
  add_optional (b, "precision", c->precision);
  json_builder_set_member_name (b, "precision_low");
  json_builder_add_double_value (b, c->precision_low);
  json_builder_set_member_name (b, "precision_high");
  json_builder_add_double_value (b, c->precision_high);
  json_builder_set_member_name (b, "decided_below");
  json_builder_add_int_value (b, c->decided_below);
  json_builder_set_member_name (b, "found_below");
  json_builder_add_int_value (b, c->found_below);
  json_builder_set_member_name (b, "band_below_windows");
  json_builder_add_int_value (b, c->band_below_windows);
  add_optional (b, "estimated_missed", c->estimated_missed);
  json_builder_set_member_name (b, "curve");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->curve->len; i++)
    {
      const WmReportPoint *point = &g_array_index (c->curve, WmReportPoint, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "threshold");
      json_builder_add_double_value (b, point->threshold);
      json_builder_set_member_name (b, "precision");
      json_builder_add_double_value (b, point->precision);
      json_builder_set_member_name (b, "decisions");
      json_builder_add_int_value (b, point->decisions);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_optional (b, "threshold_for_target", c->threshold_for_target);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; c->warnings[i] != NULL; i++)
    json_builder_add_string_value (b, c->warnings[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

JsonNode *
wm_report_to_json (const WmReport *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (report != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, report->run_id);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, report->model);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, report->version);
  json_builder_set_member_name (b, "variant");
  json_builder_add_string_value (b, report->variant);
  json_builder_set_member_name (b, "margin");
  json_builder_add_double_value (b, report->margin);
  json_builder_set_member_name (b, "target_precision");
  json_builder_add_double_value (b, report->target_precision);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->classes->len; i++)
    class_to_json (b, &g_array_index (report->classes, WmReportClass, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
