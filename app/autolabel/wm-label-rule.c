/* wm-label-rule.c — how stored probabilities become model labels and review items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wm-label-rule.h"

G_DEFINE_QUARK (wm-label-rule-error-quark, wm_label_rule_error)
G_DEFINE_BOXED_TYPE (WmLabelRule, wm_label_rule, wm_label_rule_copy, wm_label_rule_free)

/* The run table keeps one threshold per class and no flag: a class switched
 * off is stored as this value, and only this file reads or writes it. */
#define STORED_OFF 2.0

static gboolean
name_is_background (const char *name)
{
  return g_ascii_strcasecmp (name, WM_LABEL_RULE_BACKGROUND) == 0;
}

WmLabelRule *
wm_label_rule_new (char * const *class_names,
                   gint64        window_frames,
                   gint64        hop_frames)
{
  WmLabelRule *rule = g_new0 (WmLabelRule, 1);

  g_return_val_if_fail (class_names != NULL, NULL);

  rule->class_names = g_strdupv ((char **) class_names);
  rule->n_classes = g_strv_length (rule->class_names);
  rule->classes = g_new0 (WmLabelRuleClass, MAX (rule->n_classes, 1));
  for (guint k = 0; k < rule->n_classes; k++)
    {
      rule->classes[k].enabled = !name_is_background (rule->class_names[k]);
      rule->classes[k].threshold = WM_LABEL_RULE_DEFAULT_THRESHOLD;
    }
  rule->margin = WM_LABEL_RULE_DEFAULT_MARGIN;
  rule->window_frames = window_frames;
  rule->hop_frames = hop_frames;
  return rule;
}

gboolean
wm_label_rule_run_class_enabled (const WmRun *run,
                                 guint        k)
{
  g_return_val_if_fail (run != NULL && k < wm_run_get_n_classes (run), FALSE);

  return !name_is_background (run->class_names[k]) && run->thresholds[k] >= 0.0 && run->thresholds[k] <= 1.0;
}

WmLabelRule *
wm_label_rule_new_for_run (const WmRun *run)
{
  WmLabelRule *rule;

  g_return_val_if_fail (run != NULL, NULL);

  rule = wm_label_rule_new (run->class_names, run->window_frames, run->hop_frames);
  for (guint k = 0; k < rule->n_classes; k++)
    {
      rule->classes[k].enabled = wm_label_rule_run_class_enabled (run, k);
      if (run->thresholds[k] >= 0.0 && run->thresholds[k] <= 1.0)
        rule->classes[k].threshold = run->thresholds[k];
    }
  rule->margin = run->margin;
  return rule;
}

WmLabelRule *
wm_label_rule_copy (const WmLabelRule *rule)
{
  WmLabelRule *copy;

  g_return_val_if_fail (rule != NULL, NULL);

  copy = g_memdup2 (rule, sizeof *rule);
  copy->class_names = g_strdupv (rule->class_names);
  copy->classes = g_memdup2 (rule->classes, sizeof (WmLabelRuleClass) * MAX (rule->n_classes, 1));
  return copy;
}

void
wm_label_rule_free (WmLabelRule *rule)
{
  if (rule == NULL)
    return;
  g_strfreev (rule->class_names);
  g_free (rule->classes);
  g_free (rule);
}

void
wm_label_rule_store_in_run (const WmLabelRule *rule,
                            WmRun             *run)
{
  g_return_if_fail (rule != NULL && run != NULL);
  g_return_if_fail (wm_run_get_n_classes (run) == rule->n_classes);

  for (guint k = 0; k < rule->n_classes; k++)
    run->thresholds[k] = rule->classes[k].enabled || wm_label_rule_is_background (rule, k)
                         ? rule->classes[k].threshold : STORED_OFF;
  run->margin = rule->margin;
}

gboolean
wm_label_rule_is_background (const WmLabelRule *rule,
                             guint              k)
{
  g_return_val_if_fail (rule != NULL && k < rule->n_classes, FALSE);
  return name_is_background (rule->class_names[k]);
}

int
wm_label_rule_find_class (const WmLabelRule *rule,
                          const char        *name)
{
  g_return_val_if_fail (rule != NULL && name != NULL, -1);

  for (guint k = 0; k < rule->n_classes; k++)
    if (g_str_equal (rule->class_names[k], name))
      return (int) k;
  return -1;
}

/* A threshold from text: a probability from 0 to 1. */
static gboolean
parse_probability (const char *text,
                   const char *item,
                   double     *out,
                   GError    **error)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(value >= 0.0 && value <= 1.0))
    {
      g_set_error (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID,
                   _("“%s” is not a threshold: give a probability from 0 to 1 such as 0.9, CLASS=0.9, "
                     "or CLASS=off to switch a class off"), item);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
wm_label_rule_apply_text (WmLabelRule  *rule,
                          const char   *text,
                          GError      **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(WmLabelRule) result = NULL;

  g_return_val_if_fail (rule != NULL, FALSE);

  /* Bare numbers first (every enabled class), then the classes named. */
  result = wm_label_rule_copy (rule);
  items = g_strsplit (text != NULL ? text : "", ",", -1);
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; items[i] != NULL; i++)
      {
        g_autofree char *item = g_strstrip (g_strdup (items[i]));
        char *eq = strchr (item, '=');
        const char *value_text;
        double value;
        int k;

        if (*item == '\0' || (eq == NULL) != (pass == 0))
          continue;
        if (eq == NULL)
          {
            if (!parse_probability (item, item, &value, error))
              return FALSE;
            for (guint c = 0; c < result->n_classes; c++)
              if (result->classes[c].enabled)
                result->classes[c].threshold = value;
            continue;
          }
        *eq = '\0';
        value_text = g_strstrip (eq + 1);
        k = wm_label_rule_find_class (result, g_strstrip (item));
        if (k < 0)
          {
            g_autofree char *known = g_strjoinv (", ", result->class_names);
            g_set_error (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID,
                         _("the model has no class “%s” (its classes: %s)"), item, known);
            return FALSE;
          }
        if (g_ascii_strcasecmp (value_text, "off") == 0)
          {
            result->classes[k].enabled = FALSE;
            continue;
          }
        *eq = '=';
        if (!parse_probability (value_text, item, &value, error))
          return FALSE;
        result->classes[k].threshold = value;
        result->classes[k].enabled = !wm_label_rule_is_background (result, (guint) k);
      }
  memcpy (rule->classes, result->classes, sizeof (WmLabelRuleClass) * rule->n_classes);
  return TRUE;
}

void
wm_label_rule_keep_only (WmLabelRule        *rule,
                         const char * const *classes)
{
  g_return_if_fail (rule != NULL && classes != NULL);

  for (guint k = 0; k < rule->n_classes; k++)
    if (!g_strv_contains (classes, rule->class_names[k]))
      rule->classes[k].enabled = FALSE;
}

/* ---- a recording's input ------------------------------------------------- */

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static int
compare_span (const void *a,
              const void *b)
{
  return compare_int64 (a, b);
}

/* Human and review label spans as disjoint ordered intervals: a point event
 * at f covers [f, f + 1), so that it falls in the one cell holding f. */
static GArray *
covered_from_spans (const GArray *spans)
{
  guint n = spans != NULL ? spans->len / 2 : 0;
  g_autofree gint64 *pairs = g_new (gint64, MAX (n, 1) * 2);
  GArray *covered = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n * 2);

  for (guint i = 0; i < n; i++)
    {
      gint64 start = g_array_index (spans, gint64, 2 * i);
      gint64 end = g_array_index (spans, gint64, 2 * i + 1);

      pairs[2 * i] = start;
      pairs[2 * i + 1] = MAX (end, start + 1);
    }
  qsort (pairs, n, 2 * sizeof (gint64), compare_span);
  for (guint i = 0; i < n; i++)
    {
      gint64 *last = covered->len > 0 ? &g_array_index (covered, gint64, covered->len - 1) : NULL;

      if (last != NULL && pairs[2 * i] <= *last)
        *last = MAX (*last, pairs[2 * i + 1]);
      else
        g_array_append_vals (covered, &pairs[2 * i], 2);
    }
  return covered;
}

WmLabelRuleRecording *
wm_label_rule_recording_new (gint64        recording_id,
                             gint64        n_frames,
                             float        *probabilities,
                             gint64        n_windows,
                             guint         n_classes,
                             const GArray *label_spans,
                             const GArray *decided)
{
  WmLabelRuleRecording *recording = g_new0 (WmLabelRuleRecording, 1);

  recording->recording_id = recording_id;
  recording->n_frames = n_frames;
  recording->probabilities = probabilities;
  recording->n_windows = n_windows;
  recording->n_classes = n_classes;
  recording->covered = covered_from_spans (label_spans);
  recording->decided = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (decided != NULL)
    g_array_append_vals (recording->decided, decided->data, decided->len);
  g_array_sort (recording->decided, (GCompareFunc) compare_int64);
  return recording;
}

WmLabelRuleRecording *
wm_label_rule_recording_read (WmStore      *store,
                              const WmRun  *run,
                              gint64        recording_id,
                              GError      **error)
{
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GArray) decided = NULL;
  float *probabilities;
  gint64 n_windows = 0;
  guint n = wm_run_get_n_classes (run);

  g_return_val_if_fail (WM_IS_STORE (store), NULL);
  g_return_val_if_fail (run != NULL, NULL);

  recording = wm_store_get_recording (store, recording_id, error);
  if (recording == NULL)
    return NULL;
  spans = wm_store_list_label_spans (store, recording_id, WM_LABEL_SOURCE_MODEL, error);
  if (spans == NULL)
    return NULL;
  decided = wm_store_list_decided_windows (store, run->id, recording_id, error);
  if (decided == NULL)
    return NULL;
  probabilities = wm_store_read_predictions (store, run->id, recording_id, n, &n_windows, error);
  if (probabilities == NULL)
    return NULL;
  return wm_label_rule_recording_new (recording_id, recording->n_frames, probabilities, n_windows, n,
                                      spans, decided);
}

void
wm_label_rule_recording_free (WmLabelRuleRecording *recording)
{
  if (recording == NULL)
    return;
  g_free (recording->probabilities);
  g_array_unref (recording->covered);
  g_array_unref (recording->decided);
  g_free (recording);
}

/* ---- deriving ------------------------------------------------------------ */

typedef struct {
  const WmLabelRule *rule;
  WmLabelRuleResult *result;
  int                klass;      /* of the label being grown, -1 = none */
  gint64             start;
  gint64             end;
  double             sum;
  gint64             windows;
} Region;

static void
flush_region (Region *r)
{
  WmLabelRuleLabel label;

  if (r->klass < 0)
    return;
  label.start_frame = r->start;
  label.end_frame = r->end;
  label.class_index = (guint) r->klass;
  label.confidence = CLAMP (r->sum / r->windows, 0.0, 1.0);
  g_array_append_val (r->result->labels, label);
  r->result->counts[r->klass].labels++;
  r->klass = -1;
}

static void
mark_cell (Region *r,
           int     klass,
           gint64  start,
           gint64  end,
           double  probability)
{
  if (r->klass != klass || r->end != start)
    {
      flush_region (r);
      r->klass = klass;
      r->start = start;
      r->sum = 0;
      r->windows = 0;
    }
  r->end = end;
  r->sum += probability;
  r->windows++;
}

/* The best enabled class of a window, or -1. */
static int
best_class (const WmLabelRule *rule,
            const float       *p)
{
  int best = -1;

  for (guint k = 0; k < rule->n_classes; k++)
    if (rule->classes[k].enabled && !wm_label_rule_is_background (rule, k) && !isnan (p[k])
        && (best < 0 || p[k] > p[best]))
      best = (int) k;
  return best;
}

WmLabelRuleResult *
wm_label_rule_derive (const WmLabelRule          *rule,
                      const WmLabelRuleRecording *recording)
{
  WmLabelRuleResult *result;
  Region region = { rule, NULL, -1, 0, 0, 0, 0 };
  gint64 lo, hop;
  guint next_cover = 0, next_decided = 0;

  g_return_val_if_fail (rule != NULL && recording != NULL, NULL);
  g_return_val_if_fail (recording->n_classes == rule->n_classes, NULL);

  result = g_new0 (WmLabelRuleResult, 1);
  result->labels = g_array_new (FALSE, FALSE, sizeof (WmLabelRuleLabel));
  result->review_items = g_array_new (FALSE, FALSE, sizeof (WmLabelRuleItem));
  result->n_classes = rule->n_classes;
  result->counts = g_new0 (WmLabelRuleCounts, MAX (rule->n_classes, 1));
  region.result = result;
  lo = (rule->window_frames - rule->hop_frames) / 2;
  hop = rule->hop_frames;

  for (gint64 w = 0; w < recording->n_windows; w++)
    {
      const float *p = recording->probabilities + w * rule->n_classes;
      gint64 cell_start = MIN (w * hop + lo, recording->n_frames);
      gint64 cell_end = MIN (cell_start + hop, recording->n_frames);
      const GArray *cover = recording->covered;
      gboolean covered, decided;
      double t, margin = rule->margin;
      int best;

      /* Cells and covered intervals both move forward: one pass each. */
      while (next_cover < cover->len && g_array_index (cover, gint64, next_cover + 1) <= cell_start)
        next_cover += 2;
      covered = next_cover < cover->len && g_array_index (cover, gint64, next_cover) < cell_end;
      while (next_decided < recording->decided->len && g_array_index (recording->decided, gint64, next_decided) < w)
        next_decided++;
      decided = next_decided < recording->decided->len
                && g_array_index (recording->decided, gint64, next_decided) == w;

      best = best_class (rule, p);
      if (best < 0 || covered || decided || cell_end <= cell_start)
        {
          flush_region (&region);
          continue;
        }

      t = rule->classes[best].threshold;
      if (p[best] >= t)
        {
          result->counts[best].windows_above++;
          mark_cell (&region, best, cell_start, cell_end, p[best]);
        }
      else
        flush_region (&region);

      if (p[best] >= t - margin && p[best] < t + margin)
        {
          WmLabelRuleItem item = { w, cell_start, cell_end, (guint) best, p[best], t };

          g_array_append_val (result->review_items, item);
          result->counts[best].review_items++;
          if (p[best] < t)
            result->counts[best].band_below++;
        }
    }
  flush_region (&region);
  return result;
}

void
wm_label_rule_result_free (WmLabelRuleResult *result)
{
  if (result == NULL)
    return;
  g_array_unref (result->labels);
  g_array_unref (result->review_items);
  g_free (result->counts);
  g_free (result);
}

void
wm_label_rule_counts_add (WmLabelRuleCounts       *into,
                          const WmLabelRuleCounts *counts)
{
  g_return_if_fail (into != NULL && counts != NULL);

  into->labels += counts->labels;
  into->review_items += counts->review_items;
  into->windows_above += counts->windows_above;
  into->band_below += counts->band_below;
}
