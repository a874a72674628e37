/* test-cli.c — waymark-cli as a user runs it: output, exit status, bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>
#include <string.h>
#include <unistd.h>

#include "store-dump.h"
#include "test-util.h"

typedef struct {
  char *dir;
  char *project;
  char *wav;      /* 2 s, 8 kHz, mono, 16-bit, known samples */
  char *csv;      /* 100 Hz, 3 channels, 50 rows */
} Fixture;

static gint16
known_sample (gint64 i)
{
  return (gint16) ((i * 7919) % 65536 - 32768);
}

static char *
fixture_file (Fixture    *f,
              const char *name,
              const char *contents,
              gssize      length)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return path;
}

static void
write_wav (const char *path,
           int         format,
           gint64      n_frames)
{
  SF_INFO info = { .samplerate = 8000, .channels = 1, .format = format };
  g_autofree short *pcm = g_new (short, n_frames);
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);

  g_assert_nonnull (sf);
  for (gint64 i = 0; i < n_frames; i++)
    pcm[i] = known_sample (i);
  g_assert_cmpint (sf_writef_short (sf, pcm, n_frames), ==, n_frames);
  sf_close (sf);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("time,acc_x [m/s2],acc_y [m/s2],temp [degC]\n");

  f->dir = g_dir_make_tmp ("waymark-cli-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->project = g_build_filename (f->dir, "field.waymark", NULL);
  f->wav = g_build_filename (f->dir, "night1.wav", NULL);
  write_wav (f->wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000);
  for (int i = 0; i < 50; i++)
    g_string_append_printf (csv, "%.2f,%d.5,-%d,21.%d\n", i / 100.0, i, i * 2, i % 10);
  f->csv = fixture_file (f, "imu_walk.csv", csv->str, -1);

  wm_test_run_cli (0, NULL, NULL, "init", f->project, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "import", f->wav, f->csv, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "classes", "add", "wake", "--color", "#e01b24", "--key", "1", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->wav);
  g_free (f->csv);
}

static void
test_walkthrough (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *list = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *undo = NULL;
  g_autofree char *after_undo = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;
  JsonObject *o;

  wm_test_run_cli (0, &list, NULL, "-p", f->project, "list", "--json", NULL);
  root = wm_test_parse_json (list);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  o = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "night1");
  g_assert_cmpint (json_object_get_int_member (o, "frames"), ==, 16000);
  g_assert_cmpfloat (json_object_get_double_member (o, "sample_rate"), ==, 8000);
  g_assert_cmpstr (json_object_get_string_member (o, "sample_format"), ==, "int16");
  o = json_array_get_object_element (array, 1);
  g_assert_cmpint (json_object_get_int_member (o, "channels"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "frames"), ==, 50);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "sample_rate"), 100, 1e-9);
  g_clear_pointer (&root, json_node_unref);

  /* 1.25 s to 1.2505 s at 8 kHz: frames 10000..10003, the very samples written. */
  wm_test_run_cli (0, &samples, NULL, "-p", f->project, "samples", "1", "--from", "1.25s", "--to", "00:00:01.2505", "--csv", NULL);
  lines = g_strsplit (samples, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "frame,time_s,mono");
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%d,%.6f,%d", 10000 + i, (10000 + i) / 8000.0,
                                                   known_sample (10000 + i));
      g_assert_cmpstr (lines[i + 1], ==, expected);
    }
  g_assert_cmpstr (lines[5], ==, "");

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "labels", "add", "1", "1.25s", "1.5s", "wake", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "labels", "add", "night1", "12000", "12000", "wake", NULL);
  wm_test_run_cli (0, &labels, NULL, "-p", f->project, "labels", "list", "--json", NULL);
  root = wm_test_parse_json (labels);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  o = json_array_get_object_element (array, 0);
  g_assert_cmpint (json_object_get_int_member (o, "start_frame"), ==, 10000);
  g_assert_cmpint (json_object_get_int_member (o, "end_frame"), ==, 12000);
  g_assert_cmpstr (json_object_get_string_member (o, "class"), ==, "wake");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "human");
  o = json_array_get_object_element (array, 1);
  g_assert_cmpint (json_object_get_int_member (o, "start_frame"), ==, json_object_get_int_member (o, "end_frame"));
  g_clear_pointer (&root, json_node_unref);

  wm_test_run_cli (0, &undo, NULL, "-p", f->project, "labels", "undo", NULL);
  wm_test_run_cli (0, &after_undo, NULL, "-p", f->project, "labels", "list", "--json", NULL);
  root = wm_test_parse_json (after_undo);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  g_clear_pointer (&root, json_node_unref);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "labels", "redo", NULL);
  g_clear_pointer (&after_undo, g_free);
  wm_test_run_cli (0, &after_undo, NULL, "-p", f->project, "labels", "list", "--json", NULL);
  g_assert_cmpstr (after_undo, ==, labels);

  /* The same content again is reported, not stored. */
  {
    g_autofree char *out = NULL;
    g_autofree char *before = wm_test_dump_store (f->project);
    g_autofree char *after = NULL;

    wm_test_run_cli (0, &out, NULL, "-p", f->project, "import", f->wav, NULL);
    g_assert_nonnull (strstr (out, "already imported as recording 1"));
    after = wm_test_dump_store (f->project);
    g_assert_cmpstr (before, ==, after);
  }
}

static void
test_help_and_usage (Fixture       *f,
                     gconstpointer  data)
{
  const char *commands[] = { "init", "import", "list", "info", "samples", "demo" };
  const char *groups[][2] = { { "classes", "add" }, { "classes", "list" }, { "classes", "remove" },
                              { "labels", "add" }, { "labels", "list" }, { "labels", "remove" },
                              { "labels", "undo" }, { "labels", "redo" } };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      wm_test_run_cli (0, &out, NULL, commands[i], "--help", NULL);
      g_assert_nonnull (strstr (out, "Usage:"));
      g_assert_nonnull (strstr (out, "--project"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *out = NULL;
      wm_test_run_cli (0, &out, NULL, groups[i][0], groups[i][1], "--help", NULL);
      g_assert_nonnull (strstr (out, "Usage:"));
    }

  wm_test_run_cli (2, NULL, NULL, "frobnicate", NULL);
  {
    const char *no_arguments[] = { NULL };
    g_assert_cmpint (wm_test_run_cli_argv (no_arguments, NULL, NULL), ==, 2);
  }
  wm_test_run_cli (2, NULL, NULL, "labels", NULL);
  wm_test_run_cli (2, NULL, NULL, "labels", "add", "1", NULL);
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "list", "--no-such-option", NULL);
  wm_test_run_cli (2, NULL, NULL, "list", NULL); /* no project */
  {
    g_autofree char *err = NULL;
    wm_test_run_cli (2, NULL, &err, "-p", f->project, "labels", "add", "1", "soon", "1s", "wake", NULL);
    g_assert_nonnull (strstr (err, "“soon” is not a time"));
  }
}

typedef struct {
  const char *name;
  const char *file;       /* created in the fixture dir; NULL = use path as is */
  const char *contents;
  gssize      length;
  const char *expect[3];  /* substrings of the message */
} BadImport;

static void
test_bad_imports (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *before = wm_test_dump_store (f->project);
  g_autofree char *truncated_wav = g_build_filename (f->dir, "truncated.wav", NULL);
  g_autofree char *truncated_flac = g_build_filename (f->dir, "truncated.flac", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.wav", NULL);
  const BadImport cases[] = {
    { "zero bytes", "empty.wav", "", 0, { "empty.wav" } },
    { "text named .wav", "notes.wav", "these are my notes, not audio\n", -1, { "notes.wav" } },
    { "ragged rows", "ragged.csv", "time,a,b\n0.00,1,2\n0.01,1\n", -1, { "ragged.csv:3" } },
    { "non-numeric", "word.csv", "time,a,b\n0.00,1,2\n0.01,1,abc\n", -1, { "word.csv:3:3", "abc" } },
    { "unsorted", "unsorted.csv", "time,a\n0.00,1\n0.02,1\n0.01,1\n", -1, { "unsorted.csv:4" } },
    { "duplicate time", "dup.csv", "time,a\n0.00,1\n0.01,1\n0.01,2\n", -1, { "dup.csv:4" } },
    { "no header", "noheader.csv", "0.00,1,2\n0.01,1,2\n", -1, { "noheader.csv:1" } },
  };
  gsize flac_len = 0;
  g_autofree char *flac = NULL;

  /* Truncated audio: a valid file cut in the middle of its data. */
  {
    g_autofree char *wav_bytes = NULL;
    g_autofree char *full_flac = g_build_filename (f->dir, "full.flac", NULL);
    gsize len;

    g_assert_true (g_file_get_contents (f->wav, &wav_bytes, &len, NULL));
    g_assert_true (g_file_set_contents (truncated_wav, wav_bytes, 1000, NULL));
    write_wav (full_flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 80000);
    g_assert_true (g_file_get_contents (full_flac, &flac, &flac_len, NULL));
    g_assert_true (g_file_set_contents (truncated_flac, flac, flac_len / 3, NULL));
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture_file (f, cases[i].file, cases[i].contents, cases[i].length);
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;

      g_test_message ("bad import: %s", cases[i].name);
      wm_test_run_cli (1, NULL, &err, "-p", f->project, "import", path, NULL);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].expect) && cases[i].expect[k] != NULL; k++)
        if (strstr (err, cases[i].expect[k]) == NULL)
          g_error ("%s: message “%s” lacks “%s”", cases[i].name, err, cases[i].expect[k]);
      after = wm_test_dump_store (f->project);
      g_assert_cmpstr (before, ==, after);
    }

  for (const char *const *path = (const char *const[]) { truncated_wav, truncated_flac, missing, f->dir, NULL };
       *path != NULL; path++)
    {
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;

      g_test_message ("bad import: %s", *path);
      wm_test_run_cli (1, NULL, &err, "-p", f->project, "import", *path, NULL);
      g_assert_nonnull (strstr (err, *path));
      after = wm_test_dump_store (f->project);
      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_bad_labels (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *before = wm_test_dump_store (f->project);
  const char *cases[][5] = {
    { "1", "1.5s", "1.25s", "wake", "ends before it starts" },
    { "1", "1s", "3s", "wake", "beyond the end" },
    { "1", "0.5s", "1s", "sleep", "no class named “sleep”" },
    { "99", "0.5s", "1s", "wake", "no recording" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;

      wm_test_run_cli (1, NULL, &err, "-p", f->project, "labels", "add",
               cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
      if (strstr (err, cases[i][4]) == NULL)
        g_error ("message “%s” lacks “%s”", err, cases[i][4]);
      after = wm_test_dump_store (f->project);
      g_assert_cmpstr (before, ==, after);
    }
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "labels", "undo", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "labels", "remove", "42", NULL);
}

static void
test_bad_projects (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *text = fixture_file (f, "notes.waymark", "not a database at all, just text that is long enough to be a header ............................................\n", -1);
  g_autofree char *missing = g_build_filename (f->dir, "nowhere.waymark", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;

  g_assert_true (g_file_get_contents (text, &before, &before_len, NULL));
  for (const char *const *path = (const char *const[]) { text, missing, f->dir, NULL }; *path != NULL; path++)
    {
      g_autofree char *err = NULL;
      wm_test_run_cli (1, NULL, &err, "-p", *path, "import", f->wav, NULL);
      g_assert_nonnull (strstr (err, *path));
      wm_test_run_cli (1, NULL, NULL, "-p", *path, "list", NULL);
    }
  g_assert_true (g_file_get_contents (text, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  wm_test_run_cli (1, NULL, NULL, "init", f->project, NULL);
}

/* Root may write any file; the read-only case runs the tool as "nobody". */
static void
drop_to_nobody (gpointer user_data)
{
  if (getuid () == 0)
    {
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (99);
    }
}

static void
test_read_only_project (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL);
  const char *argv[] = { cli, "-p", f->project, "labels", "add", "1", "0s", "1s", "wake", NULL };

  g_assert_cmpint (g_chmod (f->project, 0444), ==, 0);
  g_assert_cmpint (g_chmod (f->dir, 0777), ==, 0);
  g_assert_cmpint (g_chmod (f->wav, 0644), ==, 0);
  before = wm_test_dump_store (f->project);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, drop_to_nobody, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "read-only"));
  g_assert_nonnull (strstr (err, f->project));

  after = wm_test_dump_store (f->project);
  g_assert_cmpstr (before, ==, after);
  g_chmod (f->project, 0644);
  g_chmod (f->dir, 0700);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cli/walkthrough", test_walkthrough);
  ADD ("/cli/help-and-usage", test_help_and_usage);
  ADD ("/cli/bad-input/imports", test_bad_imports);
  ADD ("/cli/bad-input/labels", test_bad_labels);
  ADD ("/cli/bad-input/projects", test_bad_projects);
  ADD ("/cli/bad-input/read-only-project", test_read_only_project);

  return g_test_run ();
}
