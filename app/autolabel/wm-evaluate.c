/* wm-evaluate.c — labels against ground truth: precision and recall at an IoU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wm-autolabel.h"
#include "wm-csv-reader.h"
#include "wm-evaluate.h"

/* The label of a row start_s,end_s,class, or NULL. */
static WmLabel *
truth_label (GPtrArray *cells,
             double     sample_rate)
{
  char *end_a = NULL, *end_b = NULL;
  double a, b;
  WmLabel *l;

  if (cells->len != 3)
    return NULL;
  a = g_ascii_strtod (cells->pdata[0], &end_a);
  b = g_ascii_strtod (cells->pdata[1], &end_b);
  if (*end_a != '\0' || *end_b != '\0' || !(a >= 0) || !(b >= a) || *(char *) cells->pdata[2] == '\0')
    return NULL;
  l = wm_label_new ();
  l->start_frame = llround (a * sample_rate);
  l->end_frame = llround (b * sample_rate);
  l->class_name = g_strdup (cells->pdata[2]);
  return l;
}

GPtrArray *
wm_evaluate_read_truth (const char  *path,
                        double       sample_rate,
                        GError     **error)
{
  static const WmCsvDialect dialect = { ',', TRUE };
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  g_autoptr(GPtrArray) truth = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_label_free);
  WmCsvCursor cursor;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  cursor = (WmCsvCursor) { text, 1 };
  if (wm_csv_read_record (&dialect, &cursor, cells) != WM_CSV_OK || cells->len != 3 ||
      !g_str_equal (cells->pdata[0], "start_s") || !g_str_equal (cells->pdata[1], "end_s") ||
      !g_str_equal (cells->pdata[2], "class"))
    {
      g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                   _("%s:1: the header must be “start_s,end_s,class”"), path);
      return NULL;
    }
  while (*cursor.pos != '\0')
    {
      guint line = cursor.line;
      WmCsvStatus status;
      WmLabel *l;

      g_ptr_array_set_size (cells, 0);
      status = wm_csv_read_record (&dialect, &cursor, cells);
      if (status == WM_CSV_OK && cells->len == 1 && *(char *) cells->pdata[0] == '\0')
        continue;
      l = status == WM_CSV_OK ? truth_label (cells, sample_rate) : NULL;
      if (l == NULL)
        {
          g_set_error (error, WM_AUTOLABEL_ERROR, WM_AUTOLABEL_ERROR_INVALID,
                       _("%s:%u: expected start_s,end_s,class with start ≤ end"), path, line);
          return NULL;
        }
      g_ptr_array_add (truth, l);
    }
  return g_steal_pointer (&truth);
}

typedef struct {
  guint  p;
  guint  t;
  double iou;
} Pair;

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *x = a, *y = b;
  if (x->iou != y->iou)
    return x->iou > y->iou ? -1 : 1;
  return x->p != y->p ? (x->p < y->p ? -1 : 1) : (x->t < y->t ? -1 : x->t > y->t);
}

static double
iou (const WmLabel *a,
     const WmLabel *b)
{
  gint64 inter = MIN (a->end_frame, b->end_frame) - MAX (a->start_frame, b->start_frame);
  gint64 uni = MAX (a->end_frame, b->end_frame) - MIN (a->start_frame, b->start_frame);

  if (inter <= 0 || uni <= 0)
    return 0.0;
  return (double) inter / uni;
}

typedef struct {
  guint predicted;
  guint truth;
  guint matched;
} Counts;

static void
add_counts (JsonBuilder  *b,
            const Counts *c)
{
  json_builder_set_member_name (b, "predicted");
  json_builder_add_int_value (b, c->predicted);
  json_builder_set_member_name (b, "truth");
  json_builder_add_int_value (b, c->truth);
  json_builder_set_member_name (b, "matched");
  json_builder_add_int_value (b, c->matched);
  json_builder_set_member_name (b, "precision");
  json_builder_add_double_value (b, c->predicted > 0 ? (double) c->matched / c->predicted : 0.0);
  json_builder_set_member_name (b, "recall");
  json_builder_add_double_value (b, c->truth > 0 ? (double) c->matched / c->truth : 0.0);
}

JsonNode *
wm_evaluate_labels (GPtrArray *predicted,
                    GPtrArray *truth,
                    double     min_iou)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  g_autoptr(GHashTable) per_class = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree gboolean *p_used = g_new0 (gboolean, predicted->len + 1);
  g_autofree gboolean *t_used = g_new0 (gboolean, truth->len + 1);
  g_autoptr(GList) names = NULL;
  Counts all = { predicted->len, truth->len, 0 };

  for (guint i = 0; i < predicted->len; i++)
    for (guint j = 0; j < truth->len; j++)
      {
        const WmLabel *p = predicted->pdata[i], *t = truth->pdata[j];
        double v;

        if (g_strcmp0 (p->class_name, t->class_name) != 0)
          continue;
        v = iou (p, t);
        if (v >= min_iou)
          g_array_append_val (pairs, ((Pair) { i, j, v }));
      }
  g_array_sort (pairs, compare_pairs);

  for (guint i = 0; i < predicted->len + truth->len; i++)
    {
      const WmLabel *l = i < predicted->len ? predicted->pdata[i] : truth->pdata[i - predicted->len];
      Counts *c = g_hash_table_lookup (per_class, l->class_name);
      if (c == NULL)
        g_hash_table_insert (per_class, l->class_name, (c = g_new0 (Counts, 1)));
      if (i < predicted->len)
        c->predicted++;
      else
        c->truth++;
    }
  for (guint k = 0; k < pairs->len; k++)
    {
      Pair *pair = &g_array_index (pairs, Pair, k);
      if (p_used[pair->p] || t_used[pair->t])
        continue;
      p_used[pair->p] = t_used[pair->t] = TRUE;
      all.matched++;
      ((Counts *) g_hash_table_lookup (per_class, ((WmLabel *) truth->pdata[pair->t])->class_name))->matched++;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "min_iou");
  json_builder_add_double_value (b, min_iou);
  add_counts (b, &all);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_object (b);
  names = g_list_sort (g_hash_table_get_keys (per_class), (GCompareFunc) strcmp);
  for (GList *l = names; l != NULL; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      add_counts (b, g_hash_table_lookup (per_class, l->data));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
