/* wm-report-view.c — what the review decisions say about the thresholds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything shown comes from wm_report_build, the function behind
 * `waymark-cli report --json`: the app and the command line agree.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "wm-precision-plot.h"
#include "wm-report-view.h"
#include "wm-report.h"

struct _WmReportView
{
  AdwWindow      parent_instance;

  GtkStack      *stack;
  AdwStatusPage *empty_page;
  GtkBox        *content_box;
  AdwComboRow   *run_row;
  GtkSpinButton *target_spin;

  WmStore       *store;
  GArray        *run_ids;     /* gint64, in the combo's order: newest first */
  gint64         run_id;
  WmReport      *report;
  GPtrArray     *sections;    /* the per-class widgets in content_box */
  GHashTable    *plots;       /* class name → WmPrecisionPlot */
  gboolean       reloading;
  guint          reload_id;   /* a reload after review decisions, batched */
};

G_DEFINE_FINAL_TYPE (WmReportView, wm_report_view, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_RUN_ID,
  PROP_TARGET_PRECISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle,
         const char          *icon_name)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon_name != NULL)
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon_name));
  adw_preferences_group_add (group, row);
  return row;
}

static GtkWidget *
class_section_new (WmReportView        *self,
                   const WmReportClass *c,
                   double               margin,
                   double               target)
{
  const char *name = c->name;
  double threshold = c->threshold;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *plot = wm_precision_plot_new ();
  g_autofree char *description = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *above = NULL;
  g_autofree char *recall = NULL;
  g_autofree char *needed_title = NULL;
  g_autofree char *needed = NULL;

  /* Translators: under a class's name in the report */
  description = g_strdup_printf (_("Threshold %.3f"), threshold);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), name);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);

  if (!isnan (c->precision))
    /* Translators: "0.933, 95 % interval 0.812–0.978: 14 of 15 decisions correct" */
    precision = g_strdup_printf (_("%.3f, 95 %% interval %.3f–%.3f: %" PRId64 " of %" PRId64
                                   " decisions correct"),
                                 c->precision, c->precision_low, c->precision_high, c->correct_above,
                                 c->decided_above);
  else
    precision = g_strdup_printf (_("Unknown: no decision above the threshold yet "
                                   "(95 %% interval %.3f–%.3f)"),
                                 c->precision_low, c->precision_high);
  add_row (ADW_PREFERENCES_GROUP (group), _("Precision above the threshold"), precision, NULL);

  above = g_strdup_printf (_("%" PRId64 " model labels from %" PRId64 " windows above the "
                             "threshold; %" PRId64 " review items pending"),
                           c->model_labels, c->windows_above, c->pending);
  add_row (ADW_PREFERENCES_GROUP (group), _("Labels"), above, NULL);

  {
    gint64 found = c->found_below;
    gint64 band = c->band_below_windows;
    g_autofree char *found_text = NULL;
    g_autofree char *missed_text = NULL;

    /* Translators: "2 positives found in 9 decisions below the threshold" */
    found_text = g_strdup_printf (ngettext ("%" PRId64 " positive found in %" PRId64 " decisions below the threshold",
                                            "%" PRId64 " positives found in %" PRId64 " decisions below the threshold",
                                            (unsigned long) found),
                                  found, c->decided_below);
    if (isnan (c->estimated_missed))
      missed_text = g_strdup_printf (ngettext ("the window just below is not estimated yet",
                                               "the %" PRId64 " windows just below are not estimated yet",
                                               (unsigned long) band),
                                     band);
    else
      /* Translators: "about 4.5 more in the 30 windows just below" */
      missed_text = g_strdup_printf (ngettext ("about %.1f more in the window just below",
                                               "about %.1f more in the %" PRId64 " windows just below",
                                               (unsigned long) band),
                                     c->estimated_missed, band);
    /* Translators: the two parts of the recall risk, joined */
    recall = g_strdup_printf (_("%s; %s"), found_text, missed_text);
  }
  add_row (ADW_PREFERENCES_GROUP (group), _("Recall risk"), recall, NULL);

  needed_title = g_strdup_printf (_("Threshold for a precision of %.2f"), target);
  needed = isnan (c->threshold_for_target)
           ? g_strdup (_("Not reached by the reviewed windows"))
           : g_strdup_printf ("%.3f", c->threshold_for_target);
  add_row (ADW_PREFERENCES_GROUP (group), needed_title, needed, NULL);

  for (guint w = 0; c->warnings[w] != NULL; w++)
    {
      GtkWidget *row = add_row (ADW_PREFERENCES_GROUP (group), c->warnings[w], NULL, "dialog-warning-symbolic");
      gtk_widget_add_css_class (row, "warning");
    }

  wm_precision_plot_set_curve (WM_PRECISION_PLOT (plot), c->curve);
  wm_precision_plot_set_threshold (WM_PRECISION_PLOT (plot), threshold);
  wm_precision_plot_set_margin (WM_PRECISION_PLOT (plot), margin);
  wm_precision_plot_set_target_precision (WM_PRECISION_PLOT (plot), target);
  gtk_widget_set_margin_top (plot, 6);
  gtk_widget_set_margin_bottom (plot, 6);
  gtk_widget_set_margin_start (plot, 6);
  gtk_widget_set_margin_end (plot, 6);
  gtk_frame_set_child (GTK_FRAME (frame), plot);
  g_hash_table_insert (self->plots, g_strdup (name), plot);

  gtk_box_append (GTK_BOX (box), group);
  gtk_box_append (GTK_BOX (box), frame);
  return box;
}

static void
show_report (WmReportView *self)
{
  g_autoptr(GError) error = NULL;
  double target = gtk_spin_button_get_value (self->target_spin);

  for (guint i = 0; i < self->sections->len; i++)
    gtk_box_remove (self->content_box, self->sections->pdata[i]);
  g_ptr_array_set_size (self->sections, 0);
  g_hash_table_remove_all (self->plots);
  g_clear_pointer (&self->report, wm_report_free);

  if (self->run_id == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  self->report = wm_report_build (self->store, self->run_id, target, &error);
  if (self->report == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Could Not Build the Report"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < self->report->classes->len; i++)
    {
      GtkWidget *section = class_section_new (self, &g_array_index (self->report->classes, WmReportClass, i),
                                              self->report->margin, target);

      g_ptr_array_add (self->sections, section);
      gtk_box_append (self->content_box, section);
    }
  gtk_stack_set_visible_child_name (self->stack, "report");
}

static void
on_run_selected (WmReportView *self)
{
  guint position = adw_combo_row_get_selected (self->run_row);

  if (self->reloading || self->run_ids == NULL || position >= self->run_ids->len)
    return;
  wm_report_view_set_run_id (self, g_array_index (self->run_ids, gint64, position));
}

static void
on_target_changed (WmReportView *self)
{
  if (self->store == NULL)
    return;
  show_report (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET_PRECISION]);
}

static gboolean
reload_after_changes (gpointer user_data)
{
  WmReportView *self = WM_REPORT_VIEW (user_data);

  self->reload_id = 0;
  wm_report_view_reload (self);
  return G_SOURCE_REMOVE;
}

/* Review decisions change labels: the report follows, once the burst of
 * decisions is over. */
static void
on_store_labels_changed (WmReportView *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (300, reload_after_changes, self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  wm_report_view_reload (WM_REPORT_VIEW (widget));
}

static void
wm_report_view_dispose (GObject *object)
{
  WmReportView *self = WM_REPORT_VIEW (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), WM_TYPE_REPORT_VIEW);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_report_view_parent_class)->dispose (object);
}

static void
wm_report_view_finalize (GObject *object)
{
  WmReportView *self = WM_REPORT_VIEW (object);

  g_clear_pointer (&self->run_ids, g_array_unref);
  g_clear_pointer (&self->report, wm_report_free);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->plots, g_hash_table_unref);

  G_OBJECT_CLASS (wm_report_view_parent_class)->finalize (object);
}

static void
wm_report_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WmReportView *self = WM_REPORT_VIEW (object);

  switch (prop_id)
    {
    case PROP_RUN_ID:
      g_value_set_int64 (value, self->run_id);
      break;

    case PROP_TARGET_PRECISION:
      g_value_set_double (value, wm_report_view_get_target_precision (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_report_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WmReportView *self = WM_REPORT_VIEW (object);

  switch (prop_id)
    {
    case PROP_RUN_ID:
      wm_report_view_set_run_id (self, g_value_get_int64 (value));
      break;

    case PROP_TARGET_PRECISION:
      wm_report_view_set_target_precision (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_report_view_class_init (WmReportViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_report_view_dispose;
  object_class->finalize = wm_report_view_finalize;
  object_class->get_property = wm_report_view_get_property;
  object_class->set_property = wm_report_view_set_property;

  properties[PROP_RUN_ID] =
    g_param_spec_int64 ("run-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET_PRECISION] =
    g_param_spec_double ("target-precision", NULL, NULL, 0.01, 1.0, 0.95,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WM_TYPE_PRECISION_PLOT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-report-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WmReportView, stack);
  gtk_widget_class_bind_template_child (widget_class, WmReportView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, WmReportView, content_box);
  gtk_widget_class_bind_template_child (widget_class, WmReportView, run_row);
  gtk_widget_class_bind_template_child (widget_class, WmReportView, target_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_run_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_target_changed);

  gtk_widget_class_install_action (widget_class, "report.reload", NULL, reload_action);
}

static void
wm_report_view_init (WmReportView *self)
{
  self->sections = g_ptr_array_new ();
  self->plots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->run_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wm_report_view_new (GtkWindow *parent,
                    WmStore   *store)
{
  WmReportView *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  self = g_object_new (WM_TYPE_REPORT_VIEW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_swapped (store, "labels-changed", G_CALLBACK (on_store_labels_changed), self);
  wm_report_view_reload (self);
  return GTK_WIDGET (self);
}

void
wm_report_view_reload (WmReportView *self)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 keep = 0;
  guint selected = 0;

  g_return_if_fail (WM_IS_REPORT_VIEW (self));

  runs = wm_store_list_runs (self->store, &error);
  if (runs == NULL)
    {
      adw_status_page_set_description (self->empty_page, error->message);
      runs = g_ptr_array_new ();
    }

  /* Newest first: without a choice the latest run, as the command line does. */
  g_array_set_size (self->run_ids, 0);
  for (guint i = 0; i < runs->len; i++)
    {
      WmRun *run = runs->pdata[i];
      /* Translators: a run in the report's list: "Run 3: voice-commands 1.0 (int8)" */
      g_autofree char *title = g_strdup_printf (_("Run %" PRId64 ": %s %s (%s)"), run->id,
                                                run->model_name, run->model_version, run->variant);

      gtk_string_list_append (titles, title);
      g_array_append_val (self->run_ids, run->id);
      if (run->id == self->run_id)
        {
          keep = run->id;
          selected = i;
        }
    }
  if (keep == 0 && runs->len > 0)
    keep = g_array_index (self->run_ids, gint64, 0);

  self->reloading = TRUE;
  adw_combo_row_set_model (self->run_row, G_LIST_MODEL (titles));
  adw_combo_row_set_selected (self->run_row, selected);
  self->reloading = FALSE;

  if (keep != self->run_id)
    {
      self->run_id = keep;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_ID]);
    }
  show_report (self);
}

void
wm_report_view_set_run_id (WmReportView *self,
                           gint64        run_id)
{
  g_return_if_fail (WM_IS_REPORT_VIEW (self));

  if (run_id == self->run_id)
    return;
  self->run_id = run_id;
  self->reloading = TRUE;
  for (guint i = 0; i < self->run_ids->len; i++)
    if (g_array_index (self->run_ids, gint64, i) == run_id)
      adw_combo_row_set_selected (self->run_row, i);
  self->reloading = FALSE;
  show_report (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_ID]);
}

gint64
wm_report_view_get_run_id (WmReportView *self)
{
  g_return_val_if_fail (WM_IS_REPORT_VIEW (self), 0);

  return self->run_id;
}

void
wm_report_view_set_target_precision (WmReportView *self,
                                     double        target)
{
  g_return_if_fail (WM_IS_REPORT_VIEW (self));

  gtk_spin_button_set_value (self->target_spin, target);
}

double
wm_report_view_get_target_precision (WmReportView *self)
{
  g_return_val_if_fail (WM_IS_REPORT_VIEW (self), 0.0);

  return gtk_spin_button_get_value (self->target_spin);
}

const WmReport *
wm_report_view_get_report (WmReportView *self)
{
  g_return_val_if_fail (WM_IS_REPORT_VIEW (self), NULL);

  return self->report;
}

GtkWidget *
wm_report_view_get_plot (WmReportView *self,
                         const char   *class_name)
{
  g_return_val_if_fail (WM_IS_REPORT_VIEW (self), NULL);
  g_return_val_if_fail (class_name != NULL, NULL);

  return g_hash_table_lookup (self->plots, class_name);
}
