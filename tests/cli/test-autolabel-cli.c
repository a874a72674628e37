/* test-autolabel-cli.c — autolabel, review and report as a user runs them; the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"

typedef struct {
  char *dir;
  char *project;
} Fixture;

/* A 6-channel, 100 Hz recording the golden sensor-h16 model fits. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *wav = NULL;
  g_autofree char *model = wm_test_golden_path ("sensor-h16.wmm");
  g_autofree short *frames = g_new (short, 20000 * 6);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  SF_INFO info = { .samplerate = 100, .channels = 6, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *sf;

  f->dir = g_dir_make_tmp ("waymark-autolabel-cli-XXXXXX", NULL);
  f->project = g_build_filename (f->dir, "p.waymark", NULL);
  wav = g_build_filename (f->dir, "imu.wav", NULL);
  for (guint i = 0; i < 20000 * 6; i++)
    frames[i] = (short) g_rand_int_range (rand, -12000, 12000);
  sf = sf_open (wav, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  sf_writef_short (sf, frames, 20000);
  sf_close (sf);

  wm_test_run_cli (0, NULL, NULL, "init", f->project, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "import", wav, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "model", "import", model, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static void
test_autolabel_review_report (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *again = NULL;
  g_autofree char *next = NULL;
  g_autofree char *report = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *relabelled = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(JsonNode) item = NULL;
  g_autoptr(JsonNode) rep = NULL;
  g_autoptr(JsonNode) items = NULL;
  g_autofree char *id = NULL;
  JsonObject *o;
  gint64 labels, review_items;

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "autolabel", "--all", "--threshold", "0.4",
                   "--margin", "0.05", "--json", NULL);
  summary = wm_test_parse_json (out);
  o = json_node_get_object (summary);
  labels = json_object_get_int_member (o, "labels");
  review_items = json_object_get_int_member (o, "review_items");
  g_assert_cmpint (json_object_get_int_member (o, "windows"), ==, (20000 - 16) / 8 + 1);
  g_assert_cmpint (labels, >, 0);
  g_assert_cmpint (review_items, >, 0);
  g_assert_true (json_object_get_boolean_member (o, "complete"));

  /* The same run again: the same labels and items. */
  wm_test_run_cli (0, &again, NULL, "-p", f->project, "autolabel", "--all", "--threshold", "0.4",
                   "--margin", "0.05", "--json", NULL);
  g_clear_pointer (&summary, json_node_unref);
  summary = wm_test_parse_json (again);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "labels"), ==, labels);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "review_items"), ==, review_items);

  /* The most uncertain item first; accept it, then check it left the queue. */
  wm_test_run_cli (0, &next, NULL, "-p", f->project, "review", "next", "--json", NULL);
  item = wm_test_parse_json (next);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (json_node_get_object (item), "id"));
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "review", "accept", id, NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "review", "accept", id, NULL);  /* decided already */
  wm_test_run_cli (0, &listed, NULL, "-p", f->project, "review", "list", "--json", NULL);
  items = wm_test_parse_json (listed);
  g_assert_cmpint (json_array_get_length (json_node_get_array (items)), ==, review_items - 1);
  {
    JsonArray *a = json_node_get_array (items);
    double previous = -1;
    for (guint i = 0; i < json_array_get_length (a); i++)
      {
        JsonObject *it = json_array_get_object_element (a, i);
        double priority = fabs (json_object_get_double_member (it, "probability") -
                                json_object_get_double_member (it, "threshold"));
        g_assert_cmpfloat (priority, >=, previous - 1e-9);
        previous = priority;
      }
  }

  /* Relabel the next one into another class, and undo both decisions. */
  {
    g_autofree char *second = NULL;
    g_autoptr(JsonNode) second_item = NULL;
    g_autofree char *second_id = NULL;

    wm_test_run_cli (0, &second, NULL, "-p", f->project, "review", "next", "--json", NULL);
    second_item = wm_test_parse_json (second);
    second_id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (json_node_get_object (second_item), "id"));
    wm_test_run_cli (1, NULL, NULL, "-p", f->project, "review", "relabel", second_id, "nosuchclass", NULL);
    wm_test_run_cli (0, NULL, NULL, "-p", f->project, "review", "relabel", second_id, "sensor-h16-c0", NULL);
    wm_test_run_cli (0, &relabelled, NULL, "-p", f->project, "labels", "list", "--json", NULL);
    g_assert_nonnull (strstr (relabelled, "\"review\""));
  }

  wm_test_run_cli (0, &report, NULL, "-p", f->project, "report", "--json", NULL);
  rep = wm_test_parse_json (report);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (rep), "classes")), ==, 4);

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "review", "undo", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "review", "undo", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "review", "undo", NULL);
  {
    g_autofree char *after = NULL;
    g_autoptr(JsonNode) all = NULL;
    wm_test_run_cli (0, &after, NULL, "-p", f->project, "review", "list", "--json", NULL);
    all = wm_test_parse_json (after);
    g_assert_cmpint (json_array_get_length (json_node_get_array (all)), ==, review_items);
  }
}

static void
test_rethreshold (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *re = NULL;
  g_autofree char *runs_before = NULL;
  g_autofree char *runs_after = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;

  wm_test_run_cli (0, &first, NULL, "-p", f->project, "autolabel", "--all", "--threshold", "0.5", "--json", NULL);
  a = wm_test_parse_json (first);
  runs_before = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (json_node_get_object (a), "run"));
  wm_test_run_cli (0, &re, NULL, "-p", f->project, "autolabel", "--rethreshold", runs_before,
                   "--threshold", "0.3", "--json", NULL);
  b = wm_test_parse_json (re);
  runs_after = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (json_node_get_object (b), "run"));
  g_assert_cmpstr (runs_before, ==, runs_after);
  /* A lower threshold labels at least as many windows. */
  {
    JsonObject *ca = json_object_get_object_member (json_node_get_object (a), "classes");
    JsonObject *cb = json_object_get_object_member (json_node_get_object (b), "classes");
    g_autoptr(GList) names = json_object_get_members (ca);
    for (GList *l = names; l != NULL; l = l->next)
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (cb, l->data), "windows_above"), >=,
                       json_object_get_int_member (json_object_get_object_member (ca, l->data), "windows_above"));
  }
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *before = wm_test_dump_store (f->project);
  g_autofree char *after = NULL;

  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", NULL);                          /* no recordings */
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", "--all", "1", NULL);             /* both */
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", "--all", "--threshold", "high", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", "--all", "--threshold", "nope=0.5", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", "--all", "--margin", "3", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "autolabel", "--all", "--class", "nope", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "autolabel", "--all", "--model", "absent", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "autolabel", "--rethreshold", "42", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "report", NULL);   /* no run yet */
  after = wm_test_dump_store (f->project);
  g_assert_cmpstr (before, ==, after);
  wm_test_run_cli (0, NULL, NULL, "autolabel", "--help", NULL);
  wm_test_run_cli (0, NULL, NULL, "review", "--help", NULL);
  wm_test_run_cli (0, NULL, NULL, "report", "--help", NULL);
}

/* Ctrl+C on a long run: exit 1, the run incomplete; the same command resumes it. */
static void
test_interrupt (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *wav = g_build_filename (f->dir, "long.wav", NULL);
  g_autofree char *cli = g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL);
  g_autofree short *frames = g_new0 (short, 100000 * 6);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) summary = NULL;
  SF_INFO info = { .samplerate = 100, .channels = 6, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);
  const char *argv[] = { cli, "-p", f->project, "autolabel", "long", "--jobs", "1", NULL };

  /* 3 million frames: long enough that the signal lands mid-run. */
  for (guint i = 0; i < 100000 * 6; i++)
    frames[i] = (short) ((i * 7919) % 20000 - 10000);
  for (guint k = 0; k < 30; k++)
    sf_writef_short (sf, frames, 100000);
  sf_close (sf);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "import", wav, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC / 2);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "incomplete"));

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "autolabel", "long", "--json", NULL);
  summary = wm_test_parse_json (out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (summary), "complete"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "windows"), ==, (3000000 - 16) / 8 + 1);
}

/* The demo end to end: generated recordings, the shipped device models, and
 * the goals of issue 4 against the ground truth. */
static void
test_demo (void)
{
  g_autofree char *dir = g_dir_make_tmp ("waymark-demo-XXXXXX", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *voice = g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"), "data", "demo", "models",
                                             "voice-commands-int8.wmm", NULL);
  JsonArray *results;

  if (!g_file_test (voice, G_FILE_TEST_EXISTS))
    {
      g_test_fail_printf ("%s is missing: run data/demo/make-models", voice);
      return;
    }
  wm_test_run_cli (0, &out, NULL, "demo", dir, "--json", NULL);
  root = wm_test_parse_json (out);
  results = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      JsonObject *e = json_object_get_object_member (r, "evaluation");

      g_test_message ("%s: precision %.3f, recall %.3f", json_object_get_string_member (r, "name"),
                      json_object_get_double_member (e, "precision"), json_object_get_double_member (e, "recall"));
      g_assert_cmpfloat (json_object_get_double_member (e, "precision"), >=, 0.9);
      g_assert_cmpfloat (json_object_get_double_member (e, "recall"), >=, 0.8);
    }
  wm_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cli/autolabel/review-report", test_autolabel_review_report);
  ADD ("/cli/autolabel/rethreshold", test_rethreshold);
  ADD ("/cli/autolabel/usage", test_usage);
  ADD ("/cli/autolabel/interrupt", test_interrupt);
  g_test_add_func ("/cli/demo", test_demo);

  return g_test_run ();
}
