/* test-export.c — export labels and import them back, as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>
#include <string.h>
#include <unistd.h>

#include "store-dump.h"
#include "test-util.h"
#include "wm-store.h"

typedef struct {
  char *dir;
  char *project;
  char *copy;    /* a second project with the same recordings and no labels */
  char *tone;
  char *imu;
} Fixture;

static void
write_wav (const char *path,
           int         rate,
           int         channels,
           sf_count_t  frames,
           guint32     seed)
{
  g_autofree short *data = g_new (short, frames * channels);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *sf;

  for (sf_count_t i = 0; i < frames * channels; i++)
    data[i] = (short) g_rand_int_range (rand, -8000, 8000);
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_short (sf, data, frames), ==, frames);
  sf_close (sf);
}

static gint64
class_id (WmStore    *store,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmClass) klass = wm_store_find_class (store, name, &error);

  g_assert_no_error (error);
  return klass->id;
}

static void
add_label (WmStore       *store,
           gint64         recording_id,
           gint64         start,
           gint64         end,
           const char    *klass,
           WmLabelSource  source,
           double         confidence,
           const char    *model_version,
           const char    *author)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmLabel) label = wm_label_new ();

  label->recording_id = recording_id;
  label->start_frame = start;
  label->end_frame = end;
  label->class_id = class_id (store, klass);
  label->source = source;
  label->confidence = confidence;
  label->model_version = g_strdup (model_version);
  label->author = g_strdup (author);
  wm_store_add_label (store, label, &error);
  g_assert_no_error (error);
}

/* Two recordings — a 16 kHz tone (1) and a 100 Hz three-channel IMU (2) —
 * with labels of every source, a point event, and a class name that needs
 * quoting in CSV. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("waymark-export-XXXXXX", NULL);
  f->project = g_build_filename (f->dir, "p.waymark", NULL);
  f->copy = g_build_filename (f->dir, "copy.waymark", NULL);
  f->tone = g_build_filename (f->dir, "tone.wav", NULL);
  f->imu = g_build_filename (f->dir, "imu.wav", NULL);
  write_wav (f->tone, 16000, 1, 16000 * 4, 1);
  write_wav (f->imu, 100, 3, 6000, 2);

  for (guint i = 0; i < 2; i++)
    {
      const char *project = i == 0 ? f->project : f->copy;
      wm_test_run_cli (0, NULL, NULL, "init", project, NULL);
      wm_test_run_cli (0, NULL, NULL, "-p", project, "import", f->tone, f->imu, NULL);
    }
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "classes", "add", "wake", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "classes", "add", "big \"bird\"", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "classes", "add", "walk", NULL);

  store = wm_store_open (f->project, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  /* 44100-unfriendly frames: 7919 / 16000 s is not a round number of µs. */
  add_label (store, 1, 7919, 12345, "wake", WM_LABEL_SOURCE_HUMAN, 1.0, NULL, "ana");
  add_label (store, 1, 20000, 20000, "big \"bird\"", WM_LABEL_SOURCE_HUMAN, 1.0, NULL, "ben");
  add_label (store, 1, 30001, 40000, "wake", WM_LABEL_SOURCE_MODEL, 0.8123456789, "kws 1.2", NULL);
  add_label (store, 1, 50000, 64000, "big \"bird\"", WM_LABEL_SOURCE_REVIEW, 0.61, "kws 1.2", "ana");
  add_label (store, 2, 100, 250, "walk", WM_LABEL_SOURCE_HUMAN, 1.0, NULL, "ana");
  add_label (store, 2, 3000, 3333, "walk", WM_LABEL_SOURCE_MODEL, 0.97, "imu 3", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->copy);
  g_free (f->tone);
  g_free (f->imu);
}

/* The labels of one recording, one line each, in the fields @full names:
 * span and class always; source, confidence, model version and author too
 * when @full. */
static char *
describe_labels (const char *project,
                 gint64      recording_id,
                 gboolean    full)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GPtrArray) labels = NULL;
  GString *text = g_string_new (NULL);

  g_assert_no_error (error);
  labels = wm_store_list_labels (store, recording_id, 0, -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    {
      const WmLabel *l = labels->pdata[i];
      g_string_append_printf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s", l->start_frame, l->end_frame,
                              l->class_name);
      if (full)
        g_string_append_printf (text, " %s %.17g %s %s", wm_label_source_to_string (l->source), l->confidence,
                                l->model_version != NULL ? l->model_version : "-",
                                l->author != NULL ? l->author : "-");
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* No temporary file may be left beside an output. */
static void
assert_no_temporary_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_cmpint (name[0], !=, '.');
}

static void
test_csv_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir, "labels.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) lines = NULL;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "--format", "csv", "--output", csv, NULL);
  text = read_file (csv);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "recording,recording_id,start_s,end_s,start_frame,end_frame,class,source,"
                                 "confidence,model_version,author");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 6 + 1);
  g_assert_cmpstr (lines[1], ==, "tone,1,0.494937,0.771563,7919,12345,wake,human,1,,ana");
  g_assert_cmpstr (lines[2], ==, "tone,1,1.250000,1.250000,20000,20000,\"big \"\"bird\"\"\",human,1,,ben");
  g_assert_cmpstr (lines[3], ==, "tone,1,1.875063,2.500000,30001,40000,wake,model,0.8123456789,kws 1.2,");

  /* The whole-project CSV gives each recording its own rows. */
  wm_test_run_cli (0, NULL, NULL, "-p", f->copy, "import-labels", "--format", "csv", csv, "--recording", "tone", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->copy, "import-labels", "--format", "csv", csv, "--recording", "2", NULL);
  for (gint64 r = 1; r <= 2; r++)
    {
      g_free (before);
      g_free (after);
      before = describe_labels (f->project, r, TRUE);
      after = describe_labels (f->copy, r, TRUE);
      g_assert_cmpstr (after, ==, before);
    }
  g_assert_nonnull (strstr (before, "walk model 0.96999999999999997 imu 3 -"));
}

static void
round_trip_per_recording (Fixture    *f,
                          const char *format)
{
  g_autofree char *dir = g_build_filename (f->dir, format, NULL);
  const char *suffix = g_str_equal (format, "audacity") ? ".txt" : ".Table.1.selections.txt";

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "--format", format, "--output", dir, NULL);
  assert_no_temporary_files (dir);
  for (gint64 r = 1; r <= 2; r++)
    {
      g_autofree char *name = g_strconcat (r == 1 ? "tone" : "imu", suffix, NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, r);
      g_autofree char *before = describe_labels (f->project, r, FALSE);
      g_autofree char *after = NULL;
      g_autofree char *out = NULL;

      wm_test_run_cli (0, &out, NULL, "-p", f->copy, "import-labels", "--format", format, path,
                       "--recording", id, "--author", "importer", NULL);
      g_assert_nonnull (strstr (out, r == 1 ? "Imported 4 labels" : "Imported 2 labels"));
      after = describe_labels (f->copy, r, FALSE);
      g_assert_cmpstr (after, ==, before);
    }
  /* These formats carry no provenance: the labels are the importer's. */
  {
    g_autofree char *full = describe_labels (f->copy, 1, TRUE);
    g_assert_nonnull (strstr (full, "7919 12345 wake human 1 - importer\n"));
    g_assert_null (strstr (full, "model"));
  }
}

static void
test_audacity_round_trip (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "audacity", "tone.txt", NULL);
  g_autofree char *text = NULL;

  round_trip_per_recording (f, "audacity");
  text = read_file (path);
  g_assert_cmpstr (text, ==,
                   "0.494937\t0.771563\twake\n"
                   "1.250000\t1.250000\tbig \"bird\"\n"
                   "1.875063\t2.500000\twake\n"
                   "3.125000\t4.000000\tbig \"bird\"\n");
}

static void
test_raven_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "raven", "imu.Table.1.selections.txt", NULL);
  g_autofree char *text = NULL;

  round_trip_per_recording (f, "raven");
  text = read_file (path);
  g_assert_cmpstr (text, ==,
                   "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\t"
                   "Begin File\tAnnotation\n"
                   "1\tSpectrogram 1\t1\t1.000000\t2.500000\t0.000\t50.000\timu.wav\twalk\n"
                   "2\tSpectrogram 1\t1\t30.000000\t33.330000\t0.000\t50.000\timu.wav\twalk\n");
}

/* Raven lists a selection once per view: the second row is the same label. */
static void
test_raven_views (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "views.txt", NULL);
  g_autofree char *labels = NULL;

  g_file_set_contents (path,
                       "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tAnnotation\r\n"
                       "1\tWaveform 1\t1\t0.5\t1.0\tbird\r\n"
                       "1\tSpectrogram 1\t1\t0.5\t1.0\tbird\r\n"
                       "2\tWaveform 1\t1\t2\t2.25\tbird\r\n", -1, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->copy, "import-labels", "-f", "raven", path, "-r", "tone", NULL);
  labels = describe_labels (f->copy, 1, FALSE);
  g_assert_cmpstr (labels, ==, "8000 16000 bird\n32000 36000 bird\n");
}

static guint
count_csv_rows (const char *project,
                ...) G_GNUC_NULL_TERMINATED;

static guint
count_csv_rows (const char *project,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "-p");
  g_ptr_array_add (argv, (gpointer) project);
  g_ptr_array_add (argv, (gpointer) "export");
  g_ptr_array_add (argv, (gpointer) "--format");
  g_ptr_array_add (argv, (gpointer) "csv");
  va_start (args, project);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_cmpint (wm_test_run_cli_argv ((const char * const *) argv->pdata, &out, &err), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "recording,"));
  g_assert_cmpstr (lines[g_strv_length (lines) - 1], ==, "");
  return g_strv_length (lines) - 2;
}

static void
test_selection (Fixture       *f,
                gconstpointer  data)
{
  g_assert_cmpuint (count_csv_rows (f->project, NULL), ==, 6);
  g_assert_cmpuint (count_csv_rows (f->project, "--recording", "imu", NULL), ==, 2);
  g_assert_cmpuint (count_csv_rows (f->project, "--recording", "1,imu", NULL), ==, 6);
  g_assert_cmpuint (count_csv_rows (f->project, "--class", "wake", NULL), ==, 2);
  g_assert_cmpuint (count_csv_rows (f->project, "--class", "wake", "--class", "walk", NULL), ==, 4);
  g_assert_cmpuint (count_csv_rows (f->project, "--source", "human,review", NULL), ==, 4);
  g_assert_cmpuint (count_csv_rows (f->project, "--source", "model", NULL), ==, 2);
  g_assert_cmpuint (count_csv_rows (f->project, "--min-confidence", "0.7", NULL), ==, 5);
  g_assert_cmpuint (count_csv_rows (f->project, "--min-confidence", "0.9", "--source", "model",
                                    "--recording", "tone", NULL), ==, 0);

  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "--format", "xls", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "csv", "--source", "robot", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "csv", "--min-confidence", "2", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "export", "-f", "csv", "--class", "nosuch", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "export", "-f", "csv", "--recording", "nosuch", NULL);
  /* One .txt file holds one recording. */
  {
    g_autofree char *one = g_build_filename (f->dir, "one.txt", NULL);
    wm_test_run_cli (1, NULL, NULL, "-p", f->project, "export", "-f", "audacity", "-o", one, NULL);
    g_assert_false (g_file_test (one, G_FILE_TEST_EXISTS));
    wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "audacity", "-o", one, "-r", "imu", NULL);
    g_assert_true (g_file_test (one, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "labels.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *imu, *label;
  JsonArray *labels;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "json", "-o", path, "--source", "model", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "recordings")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "classes")), ==, 3);
  imu = json_array_get_object_element (json_object_get_array_member (root, "recordings"), 1);
  g_assert_cmpstr (json_object_get_string_member (imu, "name"), ==, "imu");
  g_assert_cmpfloat (json_object_get_double_member (imu, "sample_rate"), ==, 100.0);
  g_assert_cmpint (json_object_get_int_member (imu, "n_frames"), ==, 6000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (imu, "channels")), ==, 3);
  labels = json_object_get_array_member (root, "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, 2);
  label = json_array_get_object_element (labels, 0);
  g_assert_cmpstr (json_object_get_string_member (label, "source"), ==, "model");
  g_assert_cmpstr (json_object_get_string_member (label, "model_version"), ==, "kws 1.2");
  g_assert_cmpfloat (json_object_get_double_member (label, "confidence"), ==, 0.8123456789);
  g_assert_cmpint (json_object_get_int_member (label, "start_frame"), ==, 30001);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (label, "start_s"), 30001 / 16000.0, 1e-12);
}

/* An empty selection still writes a valid file, and says so. */
static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir, "empty.csv", NULL);
  g_autofree char *json = g_build_filename (f->dir, "empty.json", NULL);
  g_autofree char *dir = g_build_filename (f->dir, "empty-audacity", NULL);
  g_autofree char *track = g_build_filename (dir, "imu.txt", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  wm_test_run_cli (0, NULL, &err, "-p", f->project, "export", "-f", "csv", "-o", csv, "--min-confidence", "1",
                   "--source", "model", NULL);
  g_assert_nonnull (strstr (err, "No labels match the selection"));
  text = read_file (csv);
  g_assert_cmpstr (text, ==, "recording,recording_id,start_s,end_s,start_frame,end_frame,class,source,"
                             "confidence,model_version,author\n");

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "json", "-o", json, "--class", "wake",
                   "--recording", "imu", NULL);
  json_parser_load_from_file (parser, json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                          "labels")), ==, 0);

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "audacity", "-o", dir, "--class", "wake",
                   "-r", "imu", NULL);
  g_clear_pointer (&text, g_free);
  text = read_file (track);
  g_assert_cmpstr (text, ==, "");
}

/* A failed export leaves the file that was there before untouched. */
static void
test_failed_export_keeps_old_file (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->dir, "out", NULL);
  g_autofree char *csv = g_build_filename (sub, "labels.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDir) d = NULL;
  guint n_entries = 0;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_file_set_contents (csv, "old\n", -1, NULL);
  wm_test_run_cli (1, NULL, &err, "-p", f->project, "export", "-f", "csv", "-o", csv, "--class", "nosuch", NULL);
  text = read_file (csv);
  g_assert_cmpstr (text, ==, "old\n");

  /* A directory that cannot be written to: nothing appears, the old file stays. */
  if (geteuid () != 0)
    {
      g_chmod (sub, 0555);
      wm_test_run_cli (1, NULL, NULL, "-p", f->project, "export", "-f", "csv", "-o", csv, NULL);
      g_chmod (sub, 0755);
    }
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "csv", "-o", csv, NULL);
  d = g_dir_open (sub, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    n_entries++;
  g_assert_cmpuint (n_entries, ==, 1);
  g_clear_pointer (&text, g_free);
  text = read_file (csv);
  g_assert_true (g_str_has_prefix (text, "recording,"));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names under @dir, sorted, with each directory's inside after it:
 * "a b b/[c ] ". */
static char *
list_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);

      g_string_append_printf (out, "%s ", (char *) names->pdata[i]);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *inner = list_tree (path);
          g_string_append_printf (out, "%s/[%s] ", (char *) names->pdata[i], inner);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The disk fills up part-way through a file: the child runs with a file
 * size limit and SIGXFSZ ignored, so that its writes past the limit fail
 * with EFBIG. */
static void
limit_file_size (gpointer data)
{
  struct rlimit limit;

  signal (SIGXFSZ, SIG_IGN);
  getrlimit (RLIMIT_FSIZE, &limit);
  limit.rlim_cur = GPOINTER_TO_UINT (data);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static int
run_cli_with_file_size_limit (guint                limit,
                              char               **out_stderr,
                              const char * const  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL));
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, limit_file_size, GUINT_TO_POINTER (limit), NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, out_stderr, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* A dataset export that fails part-way through X.npy (the disk is full at
 * 100 KiB, well inside the 200 KiB file) leaves every file of the dataset
 * before it as it was, byte for byte, and no temporary file. */
static void
test_failed_export_mid_file (Fixture       *f,
                             gconstpointer  data)
{
  static const char * const files[] = { "index.csv", "manifest.json", "train/X.npy", "train/y.npy" };
  g_autofree char *out = g_build_filename (f->dir, "dataset", NULL);
  g_autofree char *train = g_build_filename (out, "train", NULL);
  g_autofree char *x = g_build_filename (train, "X.npy", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *listing_before = NULL;
  g_autofree char *listing = NULL;
  const char * const args[] = { "-p", f->project, "export", "-f", "dataset", "-o", out, "-r", "tone",
                                "--window", "4000", "--hop", "500", NULL };
  GStatBuf st;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "dataset", "-o", out, "-r", "tone",
                   "--window", "4000", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (out, files[i], NULL);
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      g_ptr_array_add (before, g_bytes_new_take (g_steal_pointer (&text), len));
    }
  listing_before = list_tree (out);
  /* With a hop of 500 frames the new X.npy would be more than twice the
   * limit, and the old one is larger than the limit too. */
  g_assert_cmpint (g_stat (x, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 100 << 10);

  g_assert_cmpint (run_cli_with_file_size_limit (100 << 10, &err, args), ==, 1);
  g_assert_nonnull (strstr (err, "X.npy"));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (out, files[i], NULL);
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      g_assert_cmpmem (text, len, g_bytes_get_data (before->pdata[i], NULL), g_bytes_get_size (before->pdata[i]));
    }
  listing = list_tree (out);
  g_assert_cmpstr (listing, ==, listing_before);

  /* Without the limit the same export goes through. */
  g_assert_cmpint (wm_test_run_cli_argv (args, NULL, NULL), ==, 0);
  g_assert_cmpint (g_stat (x, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 200 << 10);
}

typedef struct {
  const char *format;
  const char *contents;
  const char *expected; /* in the message, after the file name */
} BadFile;

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  static const BadFile bad[] = {
    { "audacity", "0.1\t0.2\twake\n0.3\tlate\twake\n", ":2: field “end”: “late” is not a time" },
    { "audacity", "0.1\t0.2\twake\n\\\t100\t200\n0.5\t0.4\twake\n", ":3: field “end”: the label ends before it starts" },
    { "audacity", "0.1\t0.2\n", ":1: field “label”: missing" },
    { "audacity", "0.1\t0.2\t\n", ":1: field “label”: the label has no class name" },
    { "audacity", "1\t99\twake\n", ":1: field “end”: beyond the end of recording “tone”" },
    { "audacity", "-1\t2\twake\n", ":1: field “start”: -1 s is before the start" },
    { "raven", "Selection\tBegin Time (s)\tEnd Time (s)\n1\t0.1\t0.2\n", ":1: field “Annotation”: the column is missing" },
    { "raven", "Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\t0.1\t0.2\twake\n2\t0.3\n", ":3: 2 fields where the header has 4" },
    { "raven", "Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\tx\t0.2\twake\n", ":2: field “Begin Time (s)”: “x” is not a time" },
    { "csv", "class,start_frame,end_frame\nwake,1,2\nwake,3,\"4\n", ":3: field 3: a quoted field is not closed" },
    { "csv", "class,start_frame,end_frame,source\nwake,1,2,human\nwake,3,4,robot\n", ":3: field “source”: “robot” is not human" },
    { "csv", "class,start_frame,end_frame,confidence\nwake,1,2,1.5\n", ":2: field “confidence”: “1.5” is not a number from 0 to 1" },
    { "csv", "class,start_frame,end_frame\nwake,1,2\nwake,2.5,3\n", ":3: field “start_frame”: “2.5” is not a frame number" },
    { "csv", "class,begin,end\nwake,1,2\n", ":1: field “start_s”: the header row needs" },
    { "csv", "start_s,end_s\n1,2\n", ":1: field “class”: the column is missing" },
    { "labelstudio", "[{\"data\": {}, \"annotations\": [{\"result\": [{\"type\": \"timeserieslabels\", "
                     "\"value\": {\"start\": 0.1, \"timeserieslabels\": [\"wake\"]}}]}]}]",
      ": annotations[0].result[0].value.end: missing" },
    { "labelstudio", "[{\"data\": {}, \"predictions\": [{\"score\": 3, \"result\": [{\"type\": \"timeserieslabels\", "
                     "\"value\": {\"start\": 0.1, \"end\": 0.2, \"timeserieslabels\": [\"wake\"]}}]}]}]",
      ": predictions[0].result[0].score: 3 is not a number from 0 to 1" },
    { "labelstudio", "[{\"data\": {\"recording\": \"other\"}}, {\"data\": {}}]", ": no Label Studio task for recording “tone”" },
    { "labelstudio", "[{\"data\": {}, \"annotations\": [{\"result\": [", ":1:" },
  };
  g_autofree char *path = g_build_filename (f->dir, "bad-labels.txt", NULL);
  g_autofree char *before = NULL;

  /* Good rows first in most files: they must not be stored either, nor the
   * classes they bring. */
  before = wm_test_dump_store (f->project);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;
      g_autofree char *expected = g_strconcat (path, bad[i].expected, NULL);

      g_file_set_contents (path, bad[i].contents, -1, NULL);
      wm_test_run_cli (1, NULL, &err, "-p", f->project, "import-labels", "-f", bad[i].format, path,
                       "-r", "tone", NULL);
      if (strstr (err, expected) == NULL)
        g_error ("case %u: “%s” not in “%s”", i, expected, err);
      after = wm_test_dump_store (f->project);
      g_assert_cmpstr (after, ==, before);
    }

  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "import-labels", "-f", "json", path, "-r", "tone", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "import-labels", "-f", "csv", path, NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "import-labels", "-f", "csv", "/nonexistent.csv", "-r", "tone", NULL);
}

/* A label file may bring classes the project lacks: they are added. */
static void
test_new_classes (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "new.txt", NULL);
  g_autofree char *classes = NULL;
  g_autofree char *labels = NULL;

  g_file_set_contents (path, "0.5\t1\towl\n2\t2\towl\n3\t3.5\twren\n", -1, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->copy, "import-labels", "-f", "audacity", path, "-r", "tone", NULL);
  wm_test_run_cli (0, &classes, NULL, "-p", f->copy, "classes", "list", NULL);
  g_assert_nonnull (strstr (classes, "owl"));
  g_assert_nonnull (strstr (classes, "wren"));
  labels = describe_labels (f->copy, 1, FALSE);
  g_assert_cmpstr (labels, ==, "8000 16000 owl\n32000 32000 owl\n48000 56000 wren\n");
}

/* What Label Studio keeps: span and class; source model or human; score and
 * model version of model labels. */
static char *
describe_for_labelstudio (const char *project,
                          gint64      recording_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GPtrArray) labels = NULL;
  GString *text = g_string_new (NULL);

  g_assert_no_error (error);
  labels = wm_store_list_labels (store, recording_id, 0, -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    {
      const WmLabel *l = labels->pdata[i];
      g_string_append_printf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s", l->start_frame, l->end_frame,
                              l->class_name);
      if (l->source == WM_LABEL_SOURCE_MODEL)
        g_string_append_printf (text, " model %.17g %s", l->confidence, l->model_version);
      else
        g_string_append (text, " human");
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static void
test_labelstudio_round_trip (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "tasks.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *tasks, *results, *predictions;
  JsonObject *tone, *value, *prediction;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "labelstudio", "-o", path, NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  tasks = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (tasks), ==, 2);
  tone = json_array_get_object_element (tasks, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (tone, "data"), "recording"), ==, "tone");
  results = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (tone, "annotations"), 0),
                                          "result");
  g_assert_cmpuint (json_array_get_length (results), ==, 3);  /* two human, one review */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "type"), ==, "timeserieslabels");
  value = json_object_get_object_member (json_array_get_object_element (results, 1), "value");
  g_assert_cmpfloat (json_object_get_double_member (value, "start"), ==, 1.25);
  g_assert_true (json_object_get_boolean_member (value, "instant"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (value, "timeserieslabels"), 0), ==,
                   "big \"bird\"");
  predictions = json_object_get_array_member (tone, "predictions");
  g_assert_cmpuint (json_array_get_length (predictions), ==, 1);
  prediction = json_array_get_object_element (predictions, 0);
  g_assert_cmpstr (json_object_get_string_member (prediction, "model_version"), ==, "kws 1.2");
  g_assert_cmpfloat (json_object_get_double_member (prediction, "score"), ==, 0.8123456789);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (json_object_get_array_member (prediction, "result"), 0),
                                                    "score"), ==, 0.8123456789);

  /* Beside the tasks: the CSV each names and the config, whose Channel
   * columns are the CSVs' columns (the union of both recordings' channels,
   * a cell left empty where a recording has no such channel). */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (tone, "data"), "ts"), ==, "tone.csv");
  {
    g_autofree char *config_path = g_build_filename (f->dir, "tasks-config.xml", NULL);
    g_autofree char *tone_path = g_build_filename (f->dir, "tone.csv", NULL);
    g_autofree char *imu_path = g_build_filename (f->dir, "imu.csv", NULL);
    g_autofree char *config = NULL;
    g_autofree char *tone_csv = NULL;
    g_autofree char *imu_csv = NULL;
    g_auto(GStrv) tone_lines = NULL;
    g_auto(GStrv) imu_lines = NULL;

    g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
    g_assert_true (g_file_get_contents (tone_path, &tone_csv, NULL, NULL));
    g_assert_true (g_file_get_contents (imu_path, &imu_csv, NULL, NULL));
    g_assert_nonnull (strstr (config, "<TimeSeriesLabels name=\"label\" toName=\"ts\">"));
    g_assert_nonnull (strstr (config, "<Label value=\"big &quot;bird&quot;\" background=\"#"));
    g_assert_nonnull (strstr (config, "<TimeSeries name=\"ts\" value=\"$ts\" valueType=\"url\" timeColumn=\"time\" sep=\",\">"));
    g_assert_nonnull (strstr (config, "<Channel column=\"mono\"/>\n    <Channel column=\"ch1\"/>\n"
                                      "    <Channel column=\"ch2\"/>\n    <Channel column=\"ch3\"/>\n  </TimeSeries>"));
    tone_lines = g_strsplit (tone_csv, "\n", -1);
    imu_lines = g_strsplit (imu_csv, "\n", -1);
    g_assert_cmpuint (g_strv_length (tone_lines), ==, 1 + 16000 * 4 + 1);
    g_assert_cmpuint (g_strv_length (imu_lines), ==, 1 + 6000 + 1);
    g_assert_cmpstr (tone_lines[0], ==, "time,mono,ch1,ch2,ch3");
    g_assert_cmpstr (imu_lines[0], ==, tone_lines[0]);
    g_assert_true (g_str_has_prefix (tone_lines[7920], "0.4949375,") && g_str_has_suffix (tone_lines[7920], ",,,"));
    g_assert_true (g_str_has_prefix (imu_lines[2], "0.01,,"));
  }

  for (gint64 r = 1; r <= 2; r++)
    {
      g_autofree char *before = describe_for_labelstudio (f->project, r);
      g_autofree char *after = NULL;

      wm_test_run_cli (0, NULL, NULL, "-p", f->copy, "import-labels", "-f", "labelstudio", path,
                       "-r", r == 1 ? "tone" : "imu", NULL);
      after = describe_for_labelstudio (f->copy, r);
      g_assert_cmpstr (after, ==, before);
    }
}

static void
test_edge_impulse (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ei", NULL);
  g_autofree char *sample = g_build_filename (dir, "imu.json", NULL);
  g_autofree char *labels_path = g_build_filename (dir, "structured_labels.labels", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) labels_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree short *expected = g_new (short, 6000 * 3);
  JsonObject *payload, *structured;
  JsonArray *values, *segments;
  SF_INFO info = { 0 };
  SNDFILE *sf;
  gint64 next = 0;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "export", "-f", "edge-impulse", "-o", dir, NULL);
  json_parser_load_from_file (parser, sample, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                                                 "protected"), "alg"), ==, "none");
  payload = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "payload");
  g_assert_cmpfloat (json_object_get_double_member (payload, "interval_ms"), ==, 10.0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (payload, "sensors")), ==, 3);
  values = json_object_get_array_member (payload, "values");
  g_assert_cmpuint (json_array_get_length (values), ==, 6000);

  /* The very samples of the source file. */
  sf = sf_open (f->imu, SFM_READ, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_readf_short (sf, expected, 6000), ==, 6000);
  sf_close (sf);
  for (guint i = 0; i < 6000; i++)
    {
      JsonArray *frame = json_array_get_array_element (values, i);
      g_assert_cmpuint (json_array_get_length (frame), ==, 3);
      for (guint c = 0; c < 3; c++)
        g_assert_cmpint (json_array_get_int_element (frame, c), ==, expected[i * 3 + c]);
    }

  json_parser_load_from_file (labels_parser, labels_path, &error);
  g_assert_no_error (error);
  structured = json_node_get_object (json_parser_get_root (labels_parser));
  g_assert_cmpstr (json_object_get_string_member (structured, "type"), ==, "structured-labels");
  segments = json_object_get_array_member (json_object_get_object_member (structured, "structuredLabels"), "imu.json");
  /* background, walk, background, walk, background: no gap, no overlap. */
  g_assert_cmpuint (json_array_get_length (segments), ==, 5);
  for (guint i = 0; i < json_array_get_length (segments); i++)
    {
      JsonObject *s = json_array_get_object_element (segments, i);
      g_assert_cmpint (json_object_get_int_member (s, "startIndex"), ==, next);
      next = json_object_get_int_member (s, "endIndex") + 1;
      g_assert_cmpstr (json_object_get_string_member (s, "label"), ==, i % 2 == 1 ? "walk" : "background");
    }
  g_assert_cmpint (next, ==, 60000);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (segments, 1), "startIndex"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (segments, 3), "endIndex"), ==, 33329);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (structured, "structuredLabels"),
                                                                          "tone.json")), ==, 6);
  assert_no_temporary_files (dir);
}

/* sox reads every clip, its duration is its label's, and its samples are the
 * recording's own. */
static void
check_clips (Fixture    *f,
             const char *format)
{
  g_autofree char *dir = g_build_filename (f->dir, format, NULL);
  g_autofree char *index_path = g_build_filename (dir, "index.csv", NULL);
  g_autofree char *index = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) rows = NULL;
  guint n_clips = 0;

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "export", "-f", "clips", "-o", dir, "--clip-format", format, NULL);
  g_assert_nonnull (strstr (out, "Exported 5 clips"));
  g_assert_nonnull (strstr (out, "1 point events have no clip"));
  index = read_file (index_path);
  rows = g_strsplit (index, "\n", -1);
  g_assert_true (g_str_has_prefix (rows[0], "file,recording,recording_id,start_frame,end_frame,start_s,end_s,duration_s,class,"));
  for (guint i = 1; rows[i] != NULL && rows[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (rows[i], ",", -1);
      g_autofree char *clip = g_build_filename (dir, fields[0], NULL);
      g_autofree char *sox_out = NULL;
      g_autofree char *source_path = NULL;
      g_autoptr(GError) error = NULL;
      const char *argv[] = { "sox", "--i", "-s", clip, NULL };
      gint64 start = g_ascii_strtoll (fields[3], NULL, 10), end = g_ascii_strtoll (fields[4], NULL, 10);
      gboolean tone = g_str_equal (fields[1], "tone");
      int channels = tone ? 1 : 3, status;
      g_autofree short *got = g_new (short, (end - start) * channels);
      g_autofree short *want = g_new (short, (end - start) * channels);
      SF_INFO info = { 0 };
      SNDFILE *sf;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                    &sox_out, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      /* sox --i -s: the number of samples (frames) sox reads. */
      g_assert_cmpint (g_ascii_strtoll (sox_out, NULL, 10), ==, end - start);

      sf = sf_open (clip, SFM_READ, &info);
      g_assert_nonnull (sf);
      g_assert_cmpint (info.samplerate, ==, tone ? 16000 : 100);
      g_assert_cmpint (info.channels, ==, channels);
      g_assert_cmpint (sf_readf_short (sf, got, end - start), ==, end - start);
      sf_close (sf);
      source_path = g_strdup (tone ? f->tone : f->imu);
      memset (&info, 0, sizeof info);
      sf = sf_open (source_path, SFM_READ, &info);
      g_assert_nonnull (sf);
      sf_seek (sf, start, SEEK_SET);
      g_assert_cmpint (sf_readf_short (sf, want, end - start), ==, end - start);
      sf_close (sf);
      g_assert_cmpmem (got, (end - start) * channels * sizeof (short), want, (end - start) * channels * sizeof (short));
      n_clips++;
    }
  g_assert_cmpuint (n_clips, ==, 5);
  assert_no_temporary_files (dir);
}

static void
test_clips (Fixture       *f,
            gconstpointer  data)
{
  check_clips (f, "wav");
  check_clips (f, "flac");
}

/* A dataset has one shape: recordings that differ are refused, and nothing
 * is written. */
static void
test_dataset_shapes (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ds", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  wm_test_run_cli (1, NULL, &err, "-p", f->project, "export", "-f", "dataset", "-o", dir, "--window", "16", NULL);
  g_assert_nonnull (strstr (err, "a dataset needs one shape"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "dataset", "-o", dir, NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "dataset", "-o", dir, "--window", "16",
                   "--split", "1,2", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "export", "-f", "dataset", "-o", dir, "--model", "nosuch", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "clips", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "export", "-f", "clips", "-o", dir, "--clip-format", "mp3", NULL);

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "export", "-f", "dataset", "-o", dir, "--window", "0.5s",
                   "-r", "imu", "--background-ratio", "0", NULL);
  /* 50-frame windows stepping by 50 through labels of 150 and 333 frames:
   * 3 + 6. */
  g_assert_nonnull (strstr (out, "Exported 9 windows"));

  /* No label matches: an empty but valid dataset, and a message. */
  {
    g_autofree char *empty = g_build_filename (f->dir, "ds-empty", NULL);
    g_autofree char *empty_err = NULL;
    g_autofree char *x_path = g_build_filename (empty, "train", "X.npy", NULL);
    g_autofree char *x = NULL;
    gsize x_len = 0;

    wm_test_run_cli (0, NULL, &empty_err, "-p", f->project, "export", "-f", "dataset", "-o", empty,
                     "--window", "16", "-r", "imu", "--class", "wake", NULL);
    g_assert_nonnull (strstr (empty_err, "the dataset is empty"));
    g_file_get_contents (x_path, &x, &x_len, NULL);
    g_assert_cmpuint (x_len, ==, 128);
    g_assert_nonnull (g_strstr_len (x + 10, x_len - 10, "'shape': (0, 16, 3)"));  /* after magic and version */
  }
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  assert_no_temporary_files (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/export/csv/round-trip", test_csv_round_trip);
  ADD ("/export/audacity/round-trip", test_audacity_round_trip);
  ADD ("/export/raven/round-trip", test_raven_round_trip);
  ADD ("/export/raven/views", test_raven_views);
  ADD ("/export/selection", test_selection);
  ADD ("/export/json", test_json);
  ADD ("/export/labelstudio/round-trip", test_labelstudio_round_trip);
  ADD ("/export/edge-impulse", test_edge_impulse);
  ADD ("/export/clips", test_clips);
  ADD ("/export/dataset/shapes", test_dataset_shapes);
  ADD ("/export/empty", test_empty);
  ADD ("/export/failed-keeps-old-file", test_failed_export_keeps_old_file);
  ADD ("/export/failed-mid-file-keeps-old-files", test_failed_export_mid_file);
  ADD ("/export/import-labels/bad-files", test_bad_files);
  ADD ("/export/import-labels/new-classes", test_new_classes);
#undef ADD

  return g_test_run ();
}
