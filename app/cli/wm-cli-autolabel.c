/* wm-cli-autolabel.c — autolabel, review, report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wm-autolabel.h"
#include "wm-cli.h"
#include "wm-report.h"

/* ---- Ctrl+C -------------------------------------------------------------- */

/* SIGINT and SIGTERM are blocked in every thread and taken by this one, so
 * that cancelling happens in a normal thread, never in a signal handler.  A
 * second Ctrl+C ends the process at once: SQLite rolls an open transaction
 * back on the next open. */
static gpointer
wait_for_interrupt (gpointer data)
{
  GCancellable *cancellable = data;
  sigset_t set;
  int sig;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  if (sigwait (&set, &sig) != 0)
    return NULL;
  g_printerr ("\n%s\n", _("Stopping after the windows in progress… (Ctrl+C again to quit at once)"));
  g_cancellable_cancel (cancellable);
  if (sigwait (&set, &sig) == 0)
    _exit (130);
  return NULL;
}

static void
watch_interrupts (GCancellable *cancellable)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  g_thread_unref (g_thread_new ("interrupts", wait_for_interrupt, g_object_ref (cancellable)));
}

/* ---- autolabel ----------------------------------------------------------- */

static void
on_progress (gint64   done,
             gint64   total,
             gpointer user_data)
{
  wm_cli_progress_update (user_data, total > 0 ? (double) done / total : 1.0);
}

static void
print_summary (const WmAutolabelSummary *s)
{
  g_print (_("Run %" PRId64 ": %s@%s (%s), %" PRId64 " windows, %" PRId64
             " labels, %" PRId64 " review items, %.2f s%s\n"),
           s->run_id, s->model, s->version, s->variant, s->windows, s->labels, s->review_items, s->seconds,
           s->complete ? "" : _(" (incomplete)"));
  g_print ("  %-16s %9s %8s %8s %13s\n", _("Class"), _("Threshold"), _("Labels"), _("Review"), _("Windows above"));
  for (guint i = 0; i < s->classes->len; i++)
    {
      const WmAutolabelClassSummary *c = &g_array_index (s->classes, WmAutolabelClassSummary, i);
      g_autofree char *threshold = c->enabled ? g_strdup_printf ("%.3f", c->threshold) : g_strdup (_("off"));

      g_print ("  %-16s %9s %8" PRId64 " %8" PRId64 " %13" PRId64 "\n",
               c->name, threshold, c->labels, c->review_items, c->windows_above);
    }
}

/* The model to run: --model NAME[@VERSION], else the project's only model name. */
static WmStoredModel *
pick_model (WmStore     *store,
            const char  *spec,
            const char  *variant,
            GError     **error)
{
  g_autofree char *name = NULL;
  const char *at;

  if (spec == NULL)
    {
      g_autoptr(GPtrArray) models = wm_store_list_models (store, error);
      if (models == NULL)
        return NULL;
      for (guint i = 0; i < models->len; i++)
        {
          WmStoredModel *m = models->pdata[i];
          if (name != NULL && !g_str_equal (name, m->name))
            {
              g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_USAGE,
                           _("the project has several models: choose one with --model NAME[@VERSION]"));
              return NULL;
            }
          g_free (name);
          name = g_strdup (m->name);
        }
      if (name == NULL)
        {
          g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                       _("the project has no model yet: add one with “waymark-cli model import FILE.wmm”"));
          return NULL;
        }
      return wm_store_find_model (store, name, NULL, variant, error);
    }
  at = strchr (spec, '@');
  name = at != NULL ? g_strndup (spec, at - spec) : g_strdup (spec);
  return wm_store_find_model (store, name, at != NULL ? at + 1 : NULL, variant, error);
}

int
wm_cli_autolabel (WmCli *cli,
                  int    argc,
                  char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmStoredModel) stored = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(WmModelFile) model = NULL;
  g_autoptr(WmAutolabelSummary) summary = NULL;
  g_autoptr(WmLabelRule) rule = NULL;
  g_autoptr(GArray) recordings = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WmCliProgress) progress = NULL;
  g_autofree char *model_spec = NULL;
  g_autofree char *variant = NULL;
  g_autofree char *threshold_text = NULL;
  g_auto(GStrv) classes = NULL;
  double margin = -1; /* not given */
  gint jobs = 0;
  gint64 rethreshold = 0;
  gboolean all = FALSE, replace = FALSE;
  WmAutolabelOptions options = { 0 };
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_STRING, &model_spec, N_("The model (default: the project’s only one)"), N_("NAME[@VERSION]") },
    { "variant", 0, 0, G_OPTION_ARG_STRING, &variant, N_("int8 (default: the device’s arithmetic) or f32"), N_("int8|f32") },
    { "threshold", 0, 0, G_OPTION_ARG_STRING, &threshold_text, N_("Certainty that makes a label: 0.9 (every class switched on), per class wake=0.9,noise=0.7 (only those), noise=off"), N_("T") },
    { "margin", 0, 0, G_OPTION_ARG_DOUBLE, &margin, N_("Windows within this of the threshold go to review (default: 0.1)"), N_("M") },
    { "class", 0, 0, G_OPTION_ARG_STRING_ARRAY, &classes, N_("Only this class (repeat for more)"), N_("CLASS") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Worker threads (default: one per core)"), N_("N") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every recording the model fits"), NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("Retire the model labels of other versions of this model"), NULL },
    { "rethreshold", 0, 0, G_OPTION_ARG_INT64, &rethreshold, N_("Re-derive labels and review items of run RUN from its stored probabilities"), N_("RUN") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("[RECORDING…]"),
                             _("Label every window the model is sure of, and queue the windows near the threshold for review."),
                             _("The model runs with the device’s own integer arithmetic (int8) over every window; each "
                               "window’s probabilities are stored, so a new threshold needs no second pass "
                               "(--rethreshold RUN). Human and reviewed labels are never changed. Ctrl+C leaves the run "
                               "incomplete and resumable: run the same command again."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (margin != -1 && (margin < 0 || margin > 1))
    return wm_cli_usage_error (cli, _("--margin takes a value from 0 to 1"));
  if (jobs < 0)
    return wm_cli_usage_error (cli, _("--jobs takes a positive number"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);

  if (rethreshold > 0)
    {
      g_autoptr(WmRun) run = NULL;

      if (argc > 1 || all || model_spec != NULL)
        return wm_cli_usage_error (cli, _("--rethreshold takes no recordings and no model: the run has them"));
      if (classes != NULL)
        return wm_cli_usage_error (cli, _("--rethreshold takes no --class: switch a class off with --threshold CLASS=off"));
      run = wm_store_get_run (store, rethreshold, &error);
      if (run == NULL)
        return wm_cli_fail (cli, error);
      /* The run's own rule, with only what is given changed. */
      rule = wm_label_rule_new_for_run (run);
      if (!wm_label_rule_apply_text (rule, threshold_text, &error))
        return wm_cli_usage_error (cli, "%s", error->message);
      if (margin >= 0)
        rule->margin = margin;
      if (!wm_autolabel_rethreshold (store, rethreshold, rule, &summary, &error))
        return wm_cli_fail (cli, error);
    }
  else
    {
      if (argc > 1 && all)
        return wm_cli_usage_error (cli, _("give recordings or --all, not both"));
      if (argc == 1 && !all)
        return wm_cli_usage_error (cli, _("give the recordings to label, or --all"));
      if (variant != NULL && !g_str_equal (variant, "int8") && !g_str_equal (variant, "f32"))
        return wm_cli_usage_error (cli, _("--variant takes “int8” or “f32”"));

      stored = pick_model (store, model_spec, variant != NULL ? variant : NULL, &error);
      if (stored == NULL)
        return wm_cli_fail (cli, error);
      bytes = wm_store_get_model_file (store, stored->id, &error);
      if (bytes == NULL)
        return wm_cli_fail (cli, error);
      model = wm_model_file_new_from_bytes (bytes, stored->name, &error);
      if (model == NULL)
        return wm_cli_fail (cli, error);

      {
        const wm_model_t *m = wm_model_file_get_model (model);
        g_auto(GStrv) names = g_new0 (char *, wm_model_file_get_n_classes (model) + 1);

        for (guint k = 0; k < wm_model_file_get_n_classes (model); k++)
          names[k] = g_strdup (wm_model_file_get_class_name (model, k));
        rule = wm_label_rule_new (names, wm_model_window_frames (m), wm_model_hop_frames (m));
      }
      if (classes != NULL)
        {
          for (guint i = 0; classes[i] != NULL; i++)
            if (wm_label_rule_find_class (rule, classes[i]) < 0)
              return wm_cli_usage_error (cli, _("the model has no class “%s”"), classes[i]);
          wm_label_rule_keep_only (rule, (const char * const *) classes);
        }
      if (!wm_label_rule_apply_text (rule, threshold_text, &error))
        return wm_cli_usage_error (cli, "%s", error->message);
      rule->margin = margin >= 0 ? margin : WM_LABEL_RULE_DEFAULT_MARGIN;

      if (!all)
        {
          recordings = g_array_new (FALSE, FALSE, sizeof (gint64));
          for (int i = 1; i < argc; i++)
            {
              g_autoptr(WmRecording) r = wm_cli_find_recording (store, argv[i], &error);
              if (r == NULL)
                return wm_cli_fail (cli, error);
              g_array_append_val (recordings, r->id);
            }
        }

      options.model = model;
      options.model_id = stored->id;
      options.rule = rule;
      options.recording_ids = recordings;
      options.jobs = (guint) jobs;
      options.replace = replace;
      options.author = g_get_user_name ();

      watch_interrupts (cancellable);
      progress = wm_cli_progress_new (_("Auto-labelling"));
      if (!wm_autolabel_run (store, &options, on_progress, progress, cancellable, &summary, &error))
        {
          g_clear_pointer (&progress, wm_cli_progress_free);
          return wm_cli_fail (cli, error);
        }
      g_clear_pointer (&progress, wm_cli_progress_free);
    }

  if (cli->json)
    {
      g_autoptr(JsonNode) json = wm_autolabel_summary_to_json (summary);
      wm_cli_print_json (json);
    }
  else
    print_summary (summary);
  return WM_CLI_EXIT_OK;
}

/* ---- review -------------------------------------------------------------- */

static void
item_to_json (JsonBuilder        *b,
              const WmReviewItem *item,
              const WmRecording  *r)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, item->id);
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, item->run_id);
  json_builder_set_member_name (b, "recording");
  json_builder_add_int_value (b, item->recording_id);
  json_builder_set_member_name (b, "start_frame");
  json_builder_add_int_value (b, item->start_frame);
  json_builder_set_member_name (b, "end_frame");
  json_builder_add_int_value (b, item->end_frame);
  json_builder_set_member_name (b, "start_s");
  json_builder_add_double_value (b, item->start_frame / r->sample_rate);
  json_builder_set_member_name (b, "end_s");
  json_builder_add_double_value (b, item->end_frame / r->sample_rate);
  json_builder_set_member_name (b, "class");
  json_builder_add_string_value (b, item->class_name);
  json_builder_set_member_name (b, "probability");
  json_builder_add_double_value (b, item->probability);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_double_value (b, item->threshold);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, wm_review_state_to_string (item->state));
  json_builder_set_member_name (b, "decided_class");
  json_builder_add_string_value (b, item->decided_class_name);
  json_builder_end_object (b);
}

static void
print_item (const WmReviewItem *item,
            const WmRecording  *r)
{
  g_autofree char *start = wm_cli_format_seconds (item->start_frame / r->sample_rate);
  g_autofree char *end = wm_cli_format_seconds (item->end_frame / r->sample_rate);

  g_print ("%6" PRId64 "  %-20.20s %12s %12s  %-12s p=%.4f t=%.3f  %s%s%s\n",
           item->id, r->name, start, end, item->class_name, item->probability, item->threshold,
           wm_review_state_to_string (item->state),
           item->decided_class_name != NULL && item->state == WM_REVIEW_RELABELLED ? " → " : "",
           item->decided_class_name != NULL && item->state == WM_REVIEW_RELABELLED ? item->decided_class_name : "");
}

static int
review_show (WmCli   *cli,
             int      argc,
             char   **argv,
             gboolean next)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) recordings = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                            (GDestroyNotify) wm_recording_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 run = 0;
  gint limit = 0;
  gboolean all = FALSE;
  const GOptionEntry list_entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N items"), N_("N") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Decided items too, not only pending ones"), NULL },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, N_("Only items of run RUN"), N_("RUN") },
    { NULL }
  };
  const GOptionEntry next_entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, N_("Only items of run RUN"), N_("RUN") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             next ? _("Show the most uncertain pending review item.")
                                  : _("List review items, most uncertain first."),
                             NULL, next ? next_entries : list_entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (limit < 0)
    return wm_cli_usage_error (cli, _("--limit takes a positive number"));

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  items = wm_store_list_review_items (store, run, !all, next ? 1 : (guint) limit, &error);
  if (items == NULL)
    return wm_cli_fail (cli, error);

  if (next && items->len == 0)
    {
      if (cli->json)
        g_print ("null\n");
      else
        g_print (_("Nothing left to review.\n"));
      return WM_CLI_EXIT_OK;
    }

  if (!next)
    json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewItem *item = items->pdata[i];
      WmRecording *r = g_hash_table_lookup (recordings, &item->recording_id);

      if (r == NULL)
        {
          r = wm_store_get_recording (store, item->recording_id, &error);
          if (r == NULL)
            return wm_cli_fail (cli, error);
          g_hash_table_insert (recordings, &r->id, r);
        }
      if (cli->json)
        item_to_json (b, item, r);
      else
        print_item (item, r);
    }
  if (!next)
    json_builder_end_array (b);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  else if (next)
    g_print (_("%" PRId64 " pending. Decide with “review accept|reject %" PRId64 "” or "
               "“review relabel %" PRId64 " CLASS”.\n"),
             wm_store_count_review_items (store, run, WM_REVIEW_PENDING),
             ((WmReviewItem *) items->pdata[0])->id, ((WmReviewItem *) items->pdata[0])->id);
  return WM_CLI_EXIT_OK;
}

static int
review_next (WmCli *cli, int argc, char **argv)
{
  return review_show (cli, argc, argv, TRUE);
}

static int
review_list (WmCli *cli, int argc, char **argv)
{
  return review_show (cli, argc, argv, FALSE);
}

static int
review_decide (WmCli         *cli,
               int            argc,
               char         **argv,
               WmReviewState  decision)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmClass) klass = NULL;
  guint64 id;
  int want = decision == WM_REVIEW_RELABELLED ? 3 : 2;

  if (!wm_cli_parse_options (cli, &argc, &argv,
                             decision == WM_REVIEW_RELABELLED ? _("ITEM CLASS") : _("ITEM"),
                             decision == WM_REVIEW_ACCEPTED ? _("Accept a review item: its window becomes a review label.")
                             : decision == WM_REVIEW_REJECTED ? _("Reject a review item: it stays as a negative.")
                             : _("Relabel a review item: its window becomes a review label of CLASS."),
                             NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != want || !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return wm_cli_usage_error (cli, decision == WM_REVIEW_RELABELLED ? _("give ITEM CLASS") : _("give one item id"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  if (decision == WM_REVIEW_RELABELLED && (klass = wm_store_find_class (store, argv[2], &error)) == NULL)
    return wm_cli_fail (cli, error);
  if (!wm_store_decide_review_item (store, (gint64) id, decision, klass != NULL ? klass->id : 0,
                                    g_get_user_name (), &error))
    return wm_cli_fail (cli, error);
  g_print (_("Review item %" PRIu64 ": %s\n"), id, wm_review_state_to_string (decision));
  return WM_CLI_EXIT_OK;
}

static int
review_accept (WmCli *cli, int argc, char **argv)
{
  return review_decide (cli, argc, argv, WM_REVIEW_ACCEPTED);
}

static int
review_reject (WmCli *cli, int argc, char **argv)
{
  return review_decide (cli, argc, argv, WM_REVIEW_REJECTED);
}

static int
review_relabel (WmCli *cli, int argc, char **argv)
{
  return review_decide (cli, argc, argv, WM_REVIEW_RELABELLED);
}

static int
review_undo (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  gint64 id = 0;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL, _("Undo the latest review decision."), NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || !wm_store_undo_review_decision (store, &id, &error))
    return wm_cli_fail (cli, error);
  g_print (_("Review item %" PRId64 " is pending again\n"), id);
  return WM_CLI_EXIT_OK;
}

int
wm_cli_review (WmCli *cli,
               int    argc,
               char **argv)
{
  static const WmCliCommand subcommands[] = {
    { "next", review_next, N_("Show the most uncertain pending item") },
    { "list", review_list, N_("List items [--limit N] [--all] [--run RUN]") },
    { "accept", review_accept, N_("Accept an item: ITEM") },
    { "reject", review_reject, N_("Reject an item: ITEM") },
    { "relabel", review_relabel, N_("Relabel an item: ITEM CLASS") },
    { "undo", review_undo, N_("Undo the latest decision") },
    { NULL }
  };
  return wm_cli_run_subcommand (cli, "review", subcommands, argc, argv);
}

/* ---- report -------------------------------------------------------------- */

static char *
format_optional (double value,
                 int    decimals)
{
  return isnan (value) ? g_strdup ("–") : g_strdup_printf ("%.*f", decimals, value);
}

int
wm_cli_report (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmReport) report = NULL;
  gint64 run = 0;
  double target = 0.95;
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, N_("The run (default: the latest)"), N_("RUN") },
    { "target-precision", 0, 0, G_OPTION_ARG_DOUBLE, &target, N_("Precision to find the threshold for (default: 0.95)"), N_("P") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             _("Per class: estimated precision above the threshold, positives found below it, "
                               "and the threshold a target precision needs."),
                             _("Estimates come from the review decisions: precision with a 95 % Wilson interval."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (!(target > 0 && target <= 1))
    return wm_cli_usage_error (cli, _("--target-precision takes a value in (0, 1]"));

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  if (run == 0)
    {
      g_autoptr(GPtrArray) runs = wm_store_list_runs (store, &error);
      if (runs == NULL)
        return wm_cli_fail (cli, error);
      if (runs->len == 0)
        {
          g_printerr ("waymark-cli %s: %s\n", cli->command, _("no auto-label run yet: run “waymark-cli autolabel” first"));
          return WM_CLI_EXIT_FAILURE;
        }
      run = ((WmRun *) runs->pdata[0])->id;
    }
  report = wm_report_build (store, run, target, &error);
  if (report == NULL)
    return wm_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonNode) json = wm_report_to_json (report);
      wm_cli_print_json (json);
      return WM_CLI_EXIT_OK;
    }

  g_print (_("Run %" PRId64 ": %s@%s (%s), margin %.3f, target precision %.3f\n\n"),
           report->run_id, report->model, report->version, report->variant, report->margin, target);
  for (guint i = 0; i < report->classes->len; i++)
    {
      const WmReportClass *c = &g_array_index (report->classes, WmReportClass, i);
      g_autofree char *precision = format_optional (c->precision, 3);
      g_autofree char *needed = format_optional (c->threshold_for_target, 3);
      g_autofree char *missed = format_optional (c->estimated_missed, 1);

      g_print ("%s (threshold %.3f)\n", c->name, c->threshold);
      g_print (_("  model labels %" PRId64 ", windows above %" PRId64 ", pending review %" PRId64 "\n"),
               c->model_labels, c->windows_above, c->pending);
      g_print (_("  precision above: %s  [%.3f, %.3f]  from %" PRId64 " of %" PRId64 " decisions correct\n"),
               precision, c->precision_low, c->precision_high, c->correct_above, c->decided_above);
      g_print (_("  recall risk: %" PRId64 " positive(s) found in %" PRId64 " decisions below; "
                 "about %s more in the %" PRId64 " windows just below\n"),
               c->found_below, c->decided_below, missed, c->band_below_windows);
      g_print (_("  threshold for the target precision: %s\n"), needed);
      for (guint w = 0; c->warnings[w] != NULL; w++)
        g_print (_("  warning: %s\n"), c->warnings[w]);
    }
  return WM_CLI_EXIT_OK;
}
