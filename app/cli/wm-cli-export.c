/* wm-cli-export.c — export and import-labels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "wm-cli.h"
#include "wm-export.h"

/* Repeated options and comma-separated lists both work: --class a,b --class c. */
static char **
split_lists (char **values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (char **v = values; v != NULL && *v != NULL; v++)
    {
      g_auto(GStrv) parts = g_strsplit (*v, ",", -1);
      for (char **part = parts; *part != NULL; part++)
        if (**part != '\0')
          g_strv_builder_add (builder, *part);
    }
  return g_strv_builder_end (builder);
}

/* The window and hop, in frames, of a model's front-end, from the metadata
 * the project keeps of it. */
static gboolean
model_window (WmStore     *store,
              const char  *spec,
              gint64      *out_window,
              gint64      *out_hop,
              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, "@", 2);
  g_autoptr(WmStoredModel) m = wm_store_find_model (store, parts[0], parts[1], NULL, error);
  g_autoptr(JsonNode) metadata = NULL;
  JsonObject *frontend = NULL;

  if (m == NULL)
    return FALSE;
  metadata = json_from_string (m->metadata, NULL);
  if (metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata) &&
      json_object_has_member (json_node_get_object (metadata), "frontend"))
    frontend = json_object_get_object_member (json_node_get_object (metadata), "frontend");
  if (frontend == NULL || json_object_get_int_member_with_default (frontend, "window_frames", 0) <= 0)
    {
      g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED,
                   _("model “%s” has no front-end window in the project; give --window"), spec);
      return FALSE;
    }
  *out_window = json_object_get_int_member (frontend, "window_frames");
  *out_hop = json_object_get_int_member_with_default (frontend, "hop_frames", 0);
  return TRUE;
}

/* The options of export, as parsed. */
typedef struct {
  char    *format_name;
  char    *output;
  char    *sources;
  char   **recordings;
  char   **classes;
  double   min_confidence;
  char    *window;
  char    *hop;
  char    *split;
  double   background_ratio;
  int      seed;
  gboolean no_review_negatives;
  char    *clip_format;
  char    *model;
} ExportArgs;

static void
export_args_clear (ExportArgs *args)
{
  g_clear_pointer (&args->format_name, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->sources, g_free);
  g_clear_pointer (&args->recordings, g_strfreev);
  g_clear_pointer (&args->classes, g_strfreev);
  g_clear_pointer (&args->window, g_free);
  g_clear_pointer (&args->hop, g_free);
  g_clear_pointer (&args->split, g_free);
  g_clear_pointer (&args->clip_format, g_free);
  g_clear_pointer (&args->model, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExportArgs, export_args_clear)

/* A WmExportSelection and what its members point to. */
typedef struct {
  WmExportSelection  selection;
  GArray            *recording_ids;
  char             **class_list;
} Selection;

static void
selection_clear (Selection *s)
{
  g_clear_pointer (&s->recording_ids, g_array_unref);
  g_clear_pointer (&s->class_list, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Selection, selection_clear)

static gboolean
parse_export_options (WmCli        *cli,
                      ExportArgs   *args,
                      int          *argc,
                      char       ***argv)
{
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &args->format_name, N_("csv, json, audacity, raven, labelstudio, edge-impulse, dataset or clips"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args->output,
      N_("The file (csv, json, labelstudio; default: standard output) or directory (the other formats)"), N_("PATH") },
    { "recording", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &args->recordings,
      N_("Only this recording (id or name; repeat or separate with commas)"), N_("RECORDING") },
    { "class", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &args->classes,
      N_("Only labels of this class (repeat or separate with commas)"), N_("CLASS") },
    { "source", 's', 0, G_OPTION_ARG_STRING, &args->sources,
      N_("Only labels from these sources: human, review, model (default: all)"), N_("LIST") },
    { "min-confidence", 0, 0, G_OPTION_ARG_DOUBLE, &args->min_confidence,
      N_("Leave out labels below this confidence (0 to 1)"), N_("P") },
    { "window", 0, 0, G_OPTION_ARG_STRING, &args->window, N_("dataset: window length (frames, or seconds as 1.5s)"), N_("TIME") },
    { "hop", 0, 0, G_OPTION_ARG_STRING, &args->hop, N_("dataset: step between windows inside a label (default: the window)"), N_("TIME") },
    { "background-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &args->background_ratio,
      N_("dataset: background windows per labelled window (default 1)"), N_("R") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &args->model,
      N_("dataset: window and hop of this model's front-end (a model of the project)"), N_("NAME[@VERSION]") },
    { "seed", 0, 0, G_OPTION_ARG_INT, &args->seed, N_("dataset: seed of the split and the background draw (default 0)"), N_("N") },
    { "split", 0, 0, G_OPTION_ARG_STRING, &args->split,
      N_("dataset: fractions of recordings for train,validation,test (default 0.7,0.15,0.15)"), N_("T,V,T") },
    { "no-review-negatives", 0, 0, G_OPTION_ARG_NONE, &args->no_review_negatives,
      N_("dataset: leave out the windows the review rejected"), NULL },
    { "clip-format", 0, 0, G_OPTION_ARG_STRING, &args->clip_format, N_("clips: wav (default) or flac"), N_("FORMAT") },
    { NULL }
  };

  return wm_cli_parse_options (cli, argc, argv, NULL,
                               _("Export labels for other tools, or windows to train on."),
                               _("Formats:\n"
                                 "  csv       one row per label: recording, start and end in seconds and frames,\n"
                                 "            class, source, confidence, model version, author\n"
                                 "  json      recordings' metadata, classes and labels\n"
                                 "  audacity  one label track (.txt) per recording\n"
                                 "  raven     one Raven selection table per recording\n"
                                 "  labelstudio  time-series tasks: human and review labels as annotations,\n"
                                 "            model labels as predictions with score and model version;\n"
                                 "            with --output FILE.json, beside it a CSV per recording (time in\n"
                                 "            seconds, a column per channel) and FILE-config.xml, the labelling\n"
                                 "            config that reads them\n"
                                 "  edge-impulse  one data acquisition JSON file per recording and\n"
                                 "            structured_labels.labels (gaps are “background”)\n"
                                 "  dataset   train/, validation/ and test/ (split by recording), each with\n"
                                 "            X.npy [N, window, channels] float32 and y.npy (0 = background);\n"
                                 "            index.csv and manifest.json\n"
                                 "  clips     one WAV or FLAC file per label, and index.csv\n"
                                 "Every file is written under a temporary name and renamed into place."),
                               entries, FALSE);
}

/* --source as a bit per source; a usage error names the bad one. */
static int
parse_sources (WmCli      *cli,
               const char *sources,
               guint      *out_sources)
{
  g_auto(GStrv) names = NULL;

  if (sources == NULL)
    return WM_CLI_EXIT_OK;
  names = g_strsplit (sources, ",", -1);
  for (char **name = names; *name != NULL; name++)
    {
      WmLabelSource source;
      if (!wm_label_source_from_string (g_strstrip (*name), &source))
        return wm_cli_usage_error (cli, _("“%s” is not a source: use human, review or model"), *name);
      *out_sources |= 1u << source;
    }
  return WM_CLI_EXIT_OK;
}

/* The recordings and classes asked for, with the filters parsed before. */
static gboolean
resolve_selection (WmStore           *store,
                   const ExportArgs  *args,
                   Selection         *s,
                   GError           **error)
{
  g_auto(GStrv) recording_list = split_lists (args->recordings);

  s->recording_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (char **name = recording_list; *name != NULL; name++)
    {
      g_autoptr(WmRecording) r = wm_cli_find_recording (store, *name, error);
      if (r == NULL)
        return FALSE;
      g_array_append_val (s->recording_ids, r->id);
    }
  s->selection.recording_ids = s->recording_ids;
  if (args->classes != NULL)
    s->selection.classes = s->class_list = split_lists (args->classes);
  s->selection.min_confidence = args->min_confidence;
  return TRUE;
}

static int
export_clips (WmCli                   *cli,
              WmStore                 *store,
              const ExportArgs        *args,
              const WmExportSelection *selection)
{
  g_autoptr(GError) error = NULL;
  WmExportSummary summary = { 0 };

  if (args->output == NULL)
    return wm_cli_usage_error (cli, _("clips need --output DIR"));
  if (args->clip_format != NULL && !g_str_equal (args->clip_format, "wav") && !g_str_equal (args->clip_format, "flac"))
    return wm_cli_usage_error (cli, _("--clip-format is wav or flac"));
  if (!wm_export_clips (store, selection, g_strcmp0 (args->clip_format, "flac") == 0, args->output, &summary, &error))
    return wm_cli_fail (cli, error);
  if (summary.n_clips == 0)
    g_printerr (_("No labels with a duration match the selection; the export is empty.\n"));
  else
    g_print (_("Exported %u clips of %u recording(s) to %s\n"), summary.n_clips, summary.n_recordings, args->output);
  if (summary.n_labels > summary.n_clips)
    g_print (_("%u point events have no clip\n"), summary.n_labels - summary.n_clips);
  return WM_CLI_EXIT_OK;
}

/* --split T,V,T as fractions that sum to one. */
static int
parse_split (WmCli      *cli,
             const char *split,
             double      out_split[3])
{
  g_auto(GStrv) parts = g_strsplit (split, ",", -1);
  double sum = 0;
  char *end = NULL;

  if (g_strv_length (parts) != 3)
    return wm_cli_usage_error (cli, _("--split takes three fractions: train,validation,test"));
  for (guint i = 0; i < 3; i++)
    {
      out_split[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !(out_split[i] >= 0.0))
        return wm_cli_usage_error (cli, _("--split takes three fractions: train,validation,test"));
      sum += out_split[i];
    }
  if (sum <= 0)
    return wm_cli_usage_error (cli, _("--split takes three fractions: train,validation,test"));
  for (guint i = 0; i < 3; i++)
    out_split[i] /= sum;
  return WM_CLI_EXIT_OK;
}

/* The first selected recording, whose sample rate times in seconds use. */
static WmRecording *
first_recording (WmStore  *store,
                 GArray   *recording_ids,
                 GError  **error)
{
  g_autoptr(GPtrArray) all = NULL;

  if (recording_ids->len > 0)
    return wm_store_get_recording (store, g_array_index (recording_ids, gint64, 0), error);
  all = wm_store_list_recordings (store, error);
  if (all != NULL && all->len > 0)
    return wm_recording_copy (all->pdata[0]);
  if (all != NULL)
    g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED, _("the project has no recordings"));
  return NULL;
}

/* The window and hop in frames: the model's front-end's, then --window and
 * --hop over them. */
static gboolean
dataset_window (WmStore           *store,
                const ExportArgs  *args,
                GArray            *recording_ids,
                WmDatasetOptions  *dataset,
                GError           **error)
{
  g_autoptr(WmRecording) first = first_recording (store, recording_ids, error);

  if (first == NULL)
    return FALSE;
  if (args->model != NULL && !model_window (store, args->model, &dataset->window_frames, &dataset->hop_frames, error))
    return FALSE;
  return (args->window == NULL || wm_cli_parse_time (args->window, first->sample_rate, &dataset->window_frames, error)) &&
         (args->hop == NULL || wm_cli_parse_time (args->hop, first->sample_rate, &dataset->hop_frames, error));
}

static int
export_dataset (WmCli            *cli,
                WmStore          *store,
                const ExportArgs *args,
                const Selection  *s)
{
  g_autoptr(GError) error = NULL;
  WmDatasetOptions dataset = { .split = { 0.7, 0.15, 0.15 } };
  WmExportSummary summary = { 0 };
  int status;

  if (args->output == NULL || (args->window == NULL && args->model == NULL))
    return wm_cli_usage_error (cli, _("a dataset needs --output DIR, and --window or --model"));
  if (!(args->background_ratio >= 0.0))
    return wm_cli_usage_error (cli, _("--background-ratio is a number of at least 0"));
  if (args->split != NULL && (status = parse_split (cli, args->split, dataset.split)) != WM_CLI_EXIT_OK)
    return status;
  if (!dataset_window (store, args, s->recording_ids, &dataset, &error))
    return wm_cli_fail (cli, error);
  if (dataset.window_frames <= 0)
    return wm_cli_usage_error (cli, _("--window is at least one frame"));
  dataset.background_ratio = args->background_ratio;
  dataset.seed = (guint32) args->seed;
  dataset.review_negatives = !args->no_review_negatives;
  dataset.model = args->model;
  if (!wm_export_dataset (store, &s->selection, &dataset, args->output, &summary, &error))
    return wm_cli_fail (cli, error);
  if (summary.n_windows == 0)
    g_printerr (_("No labels match the selection; the dataset is empty.\n"));
  g_print (_("Exported %u windows from %u labels of %u recording(s) to %s\n"),
           summary.n_windows, summary.n_labels, summary.n_recordings, args->output);
  return WM_CLI_EXIT_OK;
}

static int
export_labels (WmCli                   *cli,
               WmStore                 *store,
               WmExportFormat           format,
               const ExportArgs        *args,
               const WmExportSelection *selection)
{
  g_autoptr(GError) error = NULL;
  WmExportSummary summary = { 0 };

  if (!wm_export_labels (store, format, selection, args->output, &summary, &error))
    return wm_cli_fail (cli, error);

  /* With the data on standard output, messages go to standard error. */
  if (summary.n_labels == 0)
    g_printerr (_("No labels match the selection; the export is empty.\n"));
  else if (args->output != NULL)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u label of %u recording(s) to %s\n",
                          "Exported %u labels of %u recording(s) to %s\n", summary.n_labels),
             summary.n_labels, summary.n_recordings, args->output);
  if (format == WM_EXPORT_FORMAT_LABELSTUDIO && args->output != NULL)
    {
      g_autofree char *config = wm_export_labelstudio_config_path (args->output);
      g_print (_("Label Studio: the tasks read a CSV per recording beside them; labelling config in %s\n"), config);
    }
  else if (format == WM_EXPORT_FORMAT_LABELSTUDIO)
    g_printerr (_("The tasks name a CSV per recording as data.ts: give --output FILE.json to write them and the labelling config.\n"));
  return WM_CLI_EXIT_OK;
}

int
wm_cli_export (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_auto(ExportArgs) args = { .background_ratio = 1.0 };
  g_auto(Selection) s = { { 0 } };
  WmExportFormat format;
  int status;

  if (!parse_export_options (cli, &args, &argc, &argv))
    return WM_CLI_EXIT_USAGE;
  if (argc > 1)
    return wm_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (args.format_name == NULL)
    return wm_cli_usage_error (cli, _("give --format: csv, json, audacity, raven, labelstudio, edge-impulse, dataset or clips"));
  if (!wm_export_format_from_string (args.format_name, &format))
    return wm_cli_usage_error (cli, _("“%s” is not a format: use csv, json, audacity, raven, labelstudio, edge-impulse, dataset or clips"), args.format_name);
  if (!(args.min_confidence >= 0.0 && args.min_confidence <= 1.0))
    return wm_cli_usage_error (cli, _("--min-confidence is a number from 0 to 1"));
  if ((status = parse_sources (cli, args.sources, &s.selection.sources)) != WM_CLI_EXIT_OK)
    return status;

  store = wm_cli_open_project (cli, TRUE, &error);
  if (store == NULL || !resolve_selection (store, &args, &s, &error))
    return wm_cli_fail (cli, error);

  if (format == WM_EXPORT_FORMAT_CLIPS)
    return export_clips (cli, store, &args, &s.selection);
  if (format == WM_EXPORT_FORMAT_DATASET)
    return export_dataset (cli, store, &args, &s);
  return export_labels (cli, store, format, &args, &s.selection);
}

int
wm_cli_import_labels (WmCli *cli,
                      int    argc,
                      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(WmRecording) r = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *recording = NULL;
  g_autofree char *author = NULL;
  WmExportFormat format;
  guint n_labels = 0;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, N_("audacity, raven, labelstudio or csv"), N_("FORMAT") },
    { "recording", 'r', 0, G_OPTION_ARG_STRING, &recording,
      N_("The recording the labels belong to (id or name)"), N_("RECORDING") },
    { "author", 0, 0, G_OPTION_ARG_STRING, &author,
      N_("Who made the human labels of the file (default: your user name)"), N_("NAME") },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("FILE"),
                             _("Add the labels of an Audacity label track, a Raven selection table, "
                               "Label Studio tasks or a Waymark label CSV to a recording."),
                             _("The whole file is checked first and added in one transaction: a file "
                               "with a bad line leaves the project unchanged. Classes the file names "
                               "are added when the project lacks them."),
                             entries, FALSE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one label file"));
  if (format_name == NULL || !wm_export_format_from_string (format_name, &format) ||
      format == WM_EXPORT_FORMAT_JSON || format == WM_EXPORT_FORMAT_EDGE_IMPULSE ||
      format == WM_EXPORT_FORMAT_DATASET || format == WM_EXPORT_FORMAT_CLIPS)
    return wm_cli_usage_error (cli, _("give --format audacity, raven, labelstudio or csv"));
  if (recording == NULL)
    return wm_cli_usage_error (cli, _("give --recording: the recording the labels belong to"));

  store = wm_cli_open_project (cli, FALSE, &error);
  if (store == NULL || (r = wm_cli_find_recording (store, recording, &error)) == NULL)
    return wm_cli_fail (cli, error);
  if (!wm_import_labels (store, r, format, argv[1], author != NULL ? author : g_get_user_name (),
                         &n_labels, &error))
    return wm_cli_fail (cli, error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %u label into “%s”\n", "Imported %u labels into “%s”\n",
                        n_labels), n_labels, r->name);
  return WM_CLI_EXIT_OK;
}
