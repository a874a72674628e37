/* wm-cli-labels.c — classes and labels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "wm-cli.h"

/* GNOME's palette, for classes added without a colour. */
static const char * const default_colors[] = {
  "#3584e4", "#e01b24", "#33d17a", "#f6d32d", "#9141ac", "#ff7800", "#986a44", "#1c71d8",
};

/* ---- classes ------------------------------------------------------------- */

static int
classes_add (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) existing = NULL;
  g_autofree char *color = NULL;
  g_autofree char *key = NULL;
  gint64 id;
  const GOptionEntry entries[] = {
    { "color", 0, 0, G_OPTION_ARG_STRING, &color, N_("Colour as #rrggbb (default: the next of GNOME’s palette)"), N_("COLOR") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Keyboard shortcut in the app, one key such as 1"), N_("KEY") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME"), _("Add a label class."), NULL, entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one class name"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || (existing = wm_store_list_classes (store, &error)) == NULL)
    return wm_cli_fail (cli, error);
  if (color == NULL)
    color = g_strdup (default_colors[existing->len % G_N_ELEMENTS (default_colors)]);

  id = wm_store_add_class (store, argv[1], color, key, &error);
  if (id == 0)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, argv[1]);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  else
    g_print (_("Added class %" PRId64 " “%s”\n"), id, argv[1]);
  return WM_CLI_EXIT_OK;
}

static int
classes_list (WmCli *cli,
              int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) classes = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL, _("List the label classes."), NULL, NULL, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL || (classes = wm_store_list_classes (store, &error)) == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < classes->len; i++)
        {
          WmClass *c = classes->pdata[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, c->id);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, c->name);
          json_builder_set_member_name (b, "color");
          json_builder_add_string_value (b, c->color);
          json_builder_set_member_name (b, "key");
          json_builder_add_string_value (b, c->shortcut);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  if (classes->len == 0)
    g_print (_("No classes yet; add one with “waymark-cli classes add NAME”.\n"));
  for (guint i = 0; i < classes->len; i++)
    {
      WmClass *c = classes->pdata[i];
      g_print ("%4" PRId64 "  %-20s %s  %s\n", c->id, c->name, c->color,
               c->shortcut != NULL ? c->shortcut : "");
    }
  return WM_CLI_EXIT_OK;
}

static int
classes_remove (WmCli *cli,
                int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmClass) klass = NULL;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("NAME"),
                             _("Remove a label class that no label uses."), NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one class name"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || (klass = wm_store_find_class (store, argv[1], &error)) == NULL ||
      !wm_store_remove_class (store, klass->id, &error))
    return wm_cli_fail (cli, error);
  g_print (_("Removed class “%s”\n"), argv[1]);
  return WM_CLI_EXIT_OK;
}

int
wm_cli_classes (WmCli *cli,
                int    argc,
                char **argv)
{
  static const WmCliCommand subcommands[] = {
    { "add", classes_add, N_("Add a class: NAME [--color #rrggbb] [--key K]") },
    { "list", classes_list, N_("List the classes") },
    { "remove", classes_remove, N_("Remove a class no label uses") },
    { NULL }
  };
  return wm_cli_run_subcommand (cli, "classes", subcommands, argc, argv);
}

/* ---- labels -------------------------------------------------------------- */

static void
label_to_json (JsonBuilder       *b,
               const WmLabel     *l,
               const WmRecording *r)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, l->id);
  json_builder_set_member_name (b, "recording");
  json_builder_add_int_value (b, l->recording_id);
  json_builder_set_member_name (b, "start_frame");
  json_builder_add_int_value (b, l->start_frame);
  json_builder_set_member_name (b, "end_frame");
  json_builder_add_int_value (b, l->end_frame);
  json_builder_set_member_name (b, "start_s");
  json_builder_add_double_value (b, l->start_frame / r->sample_rate);
  json_builder_set_member_name (b, "end_s");
  json_builder_add_double_value (b, l->end_frame / r->sample_rate);
  json_builder_set_member_name (b, "class");
  json_builder_add_string_value (b, l->class_name);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, wm_label_source_to_string (l->source));
  json_builder_set_member_name (b, "confidence");
  json_builder_add_double_value (b, l->confidence);
  json_builder_set_member_name (b, "model_version");
  json_builder_add_string_value (b, l->model_version);
  json_builder_set_member_name (b, "author");
  json_builder_add_string_value (b, l->author);
  json_builder_end_object (b);
}

static void
print_label_line (const WmLabel     *l,
                  const WmRecording *r)
{
  g_autofree char *start = wm_cli_format_seconds (l->start_frame / r->sample_rate);
  g_autofree char *end = wm_cli_format_seconds (l->end_frame / r->sample_rate);

  g_print ("%5" PRId64 "  %4" PRId64 "  %12s  %12s  %-14s %-6s %5.3f  %s\n",
           l->id, l->recording_id, start, end, l->class_name,
           wm_label_source_to_string (l->source), l->confidence,
           l->author != NULL ? l->author : "");
}

static int
labels_add (WmCli *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autoptr(WmClass) klass = NULL;
  g_autoptr(WmLabel) label = wm_label_new ();
  g_autofree char *author = NULL;
  const GOptionEntry entries[] = {
    { "author", 0, 0, G_OPTION_ARG_STRING, &author, N_("Who labels (default: your user name)"), N_("NAME") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("RECORDING START END CLASS"),
                             _("Label [START, END) of a recording with a class; START = END "
                               "makes a point event."),
                             _("Times are frames (1200), seconds (12.5s) or hh:mm:ss.mmm."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 5)
    return wm_cli_usage_error (cli, _("give RECORDING START END CLASS"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || (r = wm_cli_find_recording (store, argv[1], &error)) == NULL)
    return wm_cli_fail (cli, error);
  if (!wm_cli_parse_time (argv[2], r->sample_rate, &label->start_frame, &error) ||
      !wm_cli_parse_time (argv[3], r->sample_rate, &label->end_frame, &error))
    return wm_cli_fail (cli, error);
  klass = wm_store_find_class (store, argv[4], &error);
  if (klass == NULL)
    return wm_cli_fail (cli, error);

  label->recording_id = r->id;
  label->class_id = klass->id;
  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  label->author = author != NULL ? g_steal_pointer (&author) : g_strdup (g_get_user_name ());
  if (!wm_store_add_label (store, label, &error))
    return wm_cli_fail (cli, error);
  label->class_name = g_strdup (klass->name);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      label_to_json (b, label, r);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
    }
  else
    {
      g_autofree char *start = wm_cli_format_seconds (label->start_frame / r->sample_rate);
      g_autofree char *end = wm_cli_format_seconds (label->end_frame / r->sample_rate);
      g_print (_("Added label %" PRId64 ": %s [%s, %s) on recording %" PRId64 " “%s”\n"),
               label->id, klass->name, start, end, r->id, r->name);
    }
  return WM_CLI_EXIT_OK;
}

static int
labels_list (WmCli *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(WmRecording) only = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  gint64 from = 0, to = -1;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("Only labels that end after TIME"), N_("TIME") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("Only labels that start before TIME"), N_("TIME") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("[RECORDING]"),
                             _("List labels, of one recording or of all."), NULL, entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 2)
    return wm_cli_usage_error (cli, _("give at most one recording"));
  if ((from_text != NULL || to_text != NULL) && argc != 2)
    return wm_cli_usage_error (cli, _("--from and --to need a recording"));

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL || (recordings = wm_store_list_recordings (store, &error)) == NULL)
    return wm_cli_fail (cli, error);
  for (guint i = 0; i < recordings->len; i++)
    {
      WmRecording *r = recordings->pdata[i];
      g_hash_table_insert (by_id, &r->id, r);
    }
  if (argc == 2)
    {
      only = wm_cli_find_recording (store, argv[1], &error);
      if (only == NULL ||
          (from_text != NULL && !wm_cli_parse_time (from_text, only->sample_rate, &from, &error)) ||
          (to_text != NULL && !wm_cli_parse_time (to_text, only->sample_rate, &to, &error)))
        return wm_cli_fail (cli, error);
    }

  labels = wm_store_list_labels (store, only != NULL ? only->id : 0, from, to, &error);
  if (labels == NULL)
    return wm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < labels->len; i++)
        {
          WmLabel *l = labels->pdata[i];
          label_to_json (b, l, g_hash_table_lookup (by_id, &l->recording_id));
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
      return WM_CLI_EXIT_OK;
    }

  if (labels->len == 0)
    {
      g_print (_("No labels.\n"));
      return WM_CLI_EXIT_OK;
    }
  g_print ("%5s  %4s  %12s  %12s  %-14s %-6s %5s  %s\n", _("ID"), _("Rec"), _("Start"), _("End"),
           _("Class"), _("Source"), _("Conf"), _("Author"));
  for (guint i = 0; i < labels->len; i++)
    {
      WmLabel *l = labels->pdata[i];
      print_label_line (l, g_hash_table_lookup (by_id, &l->recording_id));
    }
  return WM_CLI_EXIT_OK;
}

static int
labels_remove (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  guint64 id;

  if (!wm_cli_parse_options (cli, &argc, &argv, _("LABEL-ID"), _("Remove a label."), NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return wm_cli_usage_error (cli, _("give one label id (see “waymark-cli labels list”)"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || !wm_store_remove_label (store, (gint64) id, &error))
    return wm_cli_fail (cli, error);
  g_print (_("Removed label %" PRIu64 "\n"), id);
  return WM_CLI_EXIT_OK;
}

static int
labels_history_step (WmCli   *cli,
                     int      argc,
                     char   **argv,
                     gboolean undo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmLabel) label = NULL;
  gint64 label_id = 0;
  gboolean ok;

  if (!wm_cli_parse_options (cli, &argc, &argv, NULL,
                             undo ? _("Undo the latest label edit (also across sessions).")
                                  : _("Redo the latest undone label edit."),
                             NULL, NULL, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL)
    return wm_cli_fail (cli, error);
  ok = undo ? wm_store_undo (store, &label_id, &error) : wm_store_redo (store, &label_id, &error);
  if (!ok)
    return wm_cli_fail (cli, error);

  label = wm_store_get_label (store, label_id, NULL);
  if (label != NULL)
    g_print (undo ? _("Undone: label %" PRId64 " is now %s [%" PRId64 ", %" PRId64 ")\n")
                  : _("Redone: label %" PRId64 " is now %s [%" PRId64 ", %" PRId64 ")\n"),
             label_id, label->class_name, label->start_frame, label->end_frame);
  else
    g_print (undo ? _("Undone: label %" PRId64 " is gone\n")
                  : _("Redone: label %" PRId64 " is gone\n"), label_id);
  return WM_CLI_EXIT_OK;
}

static int
labels_undo (WmCli *cli,
             int    argc,
             char **argv)
{
  return labels_history_step (cli, argc, argv, TRUE);
}

static int
labels_redo (WmCli *cli,
             int    argc,
             char **argv)
{
  return labels_history_step (cli, argc, argv, FALSE);
}

int
wm_cli_labels (WmCli *cli,
               int    argc,
               char **argv)
{
  static const WmCliCommand subcommands[] = {
    { "add", labels_add, N_("Add a label: RECORDING START END CLASS") },
    { "list", labels_list, N_("List labels [RECORDING] [--from T] [--to T]") },
    { "remove", labels_remove, N_("Remove a label: LABEL-ID") },
    { "undo", labels_undo, N_("Undo the latest label edit") },
    { "redo", labels_redo, N_("Redo the latest undone label edit") },
    { NULL }
  };
  return wm_cli_run_subcommand (cli, "labels", subcommands, argc, argv);
}
