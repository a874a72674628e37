/* test-model.c — waymark-cli model and infer, against the golden vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The golden outputs (tests/parity/golden) were computed once by an
 * independent NumPy implementation; `waymark-cli infer` on the golden inputs,
 * written as WAV files and imported the way a user's files are, must give
 * the very same Q0.16 probabilities.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"

typedef struct {
  char *dir;
  char *project;
} Fixture;

#define RUN(status, out, err, ...) \
  G_STMT_START { \
    const char *argv_[] = { __VA_ARGS__, NULL }; \
    int got_ = wm_test_run_cli_argv (argv_, out, err); \
    if (got_ != (status)) \
      g_error ("waymark-cli %s exited %d, not %d", argv_[0], got_, status); \
  } G_STMT_END

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("waymark-model-XXXXXX", NULL);
  f->project = g_build_filename (f->dir, "p.waymark", NULL);
  RUN (0, NULL, NULL, "init", f->project);
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
test_infer_matches_golden (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *cases_path = wm_test_golden_path ("cases.json");
  g_autofree char *cases_text = NULL;
  g_autoptr(JsonNode) cases = NULL;
  JsonArray *list;
  guint n_checked = 0;

  g_assert_true (g_file_get_contents (cases_path, &cases_text, NULL, NULL));
  cases = wm_test_parse_json (cases_text);
  list = json_object_get_array_member (json_node_get_object (cases), "cases");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *c = json_array_get_object_element (list, i);
      const char *name = json_object_get_string_member (c, "name");
      guint channels = (guint) json_object_get_int_member (c, "channels");
      g_autofree char *wmm_name = g_strconcat (name, ".wmm", NULL);
      g_autofree char *input_name = g_strconcat (name, ".input", NULL);
      g_autofree char *expected_name = g_strconcat (name, ".expected", NULL);
      g_autofree char *wmm = wm_test_golden_path (wmm_name);
      g_autofree char *input_path = wm_test_golden_path (input_name);
      g_autofree char *expected_path = wm_test_golden_path (expected_name);
      g_autofree char *show = NULL;
      g_autofree char *input = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *out = NULL;
      g_autofree char *wav = g_build_filename (f->dir, "input.wav", NULL);
      g_autoptr(JsonNode) described = NULL;
      g_autoptr(JsonNode) result = NULL;
      g_auto(GStrv) lines = NULL;
      JsonArray *windows;
      gsize input_len;
      SF_INFO info = { 0 };
      SNDFILE *sf;
      guint w = 0;

      RUN (0, &show, NULL, "model", "show", wmm, "--json");
      described = wm_test_parse_json (show);
      info.samplerate = (int) json_object_get_int_member (json_object_get_object_member (json_node_get_object (described), "frontend"), "sample_rate");
      info.channels = (int) channels;
      info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;

      g_assert_true (g_file_get_contents (input_path, &input, &input_len, NULL));
      sf = sf_open (wav, SFM_WRITE, &info);
      g_assert_nonnull (sf);
      g_assert_cmpint (sf_writef_short (sf, (short *) input, input_len / (2 * channels)), ==, input_len / (2 * channels));
      sf_close (sf);

      RUN (0, &out, NULL, "infer", wmm, wav, "--json");
      result = wm_test_parse_json (out);
      windows = json_object_get_array_member (json_node_get_object (result), "windows");
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "variant"), ==, "int8");

      g_assert_true (g_file_get_contents (expected_path, &expected, NULL, NULL));
      lines = g_strsplit (expected, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        {
          g_auto(GStrv) fields = g_strsplit (lines[l], " ", -1);
          JsonObject *window;
          JsonArray *probs;

          if (fields[0] == NULL)
            continue;
          if (g_str_equal (fields[0], "w"))
            {
              window = json_array_get_object_element (windows, w);
              g_assert_cmpint (json_object_get_int_member (window, "start"), ==, g_ascii_strtoll (fields[2], NULL, 10));
            }
          else if (g_str_equal (fields[0], "p"))
            {
              window = json_array_get_object_element (windows, w);
              probs = json_object_get_array_member (window, "probabilities");
              g_assert_cmpuint (json_array_get_length (probs), ==, g_strv_length (fields) - 1);
              for (guint k = 1; fields[k] != NULL; k++)
                {
                  double q16 = json_array_get_double_element (probs, k - 1) * 65536.0;
                  g_assert_cmpfloat (q16, ==, g_ascii_strtod (fields[k], NULL));
                }
              w++;
            }
        }
      g_assert_cmpuint (w, >, 0);
      g_assert_cmpuint (json_array_get_length (windows), ==, w);
      n_checked++;
      g_unlink (wav);
    }
  g_assert_cmpuint (n_checked, >=, 5);
}

static void
test_model_import_list_show (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *wmm = wm_test_golden_path ("sensor-h16.wmm");
  g_autofree char *other = wm_test_golden_path ("sensor-h8.wmm");
  g_autofree char *out = NULL;
  g_autofree char *again = NULL;
  g_autofree char *list = NULL;
  g_autofree char *show = NULL;
  g_autofree char *bytes = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) shown = NULL;
  JsonObject *o;
  gsize size;

  RUN (0, &out, NULL, "-p", f->project, "model", "import", wmm);
  g_assert_nonnull (strstr (out, "Imported"));
  RUN (0, &again, NULL, "-p", f->project, "model", "import", wmm);
  g_assert_nonnull (strstr (again, "already"));
  RUN (0, NULL, NULL, "-p", f->project, "model", "import", other);

  RUN (0, &list, NULL, "-p", f->project, "model", "list", "--json");
  listed = wm_test_parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 2);

  RUN (0, &show, NULL, "-p", f->project, "model", "show", "sensor-h16@1", "--json");
  shown = wm_test_parse_json (show);
  o = json_node_get_object (shown);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "sensor-h16");
  g_assert_cmpstr (json_object_get_string_member (o, "variant"), ==, "int8");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "layers")), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (o, "layers"), 0), "hidden"), ==, 16);
  g_assert_true (g_file_get_contents (wmm, &bytes, &size, NULL));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "buffers"), "model_bytes"), ==, size);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "buffers"), "classifier_ram_bytes"), >, 0);
  {
    g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes, size);
    g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sum);
  }
  /* Every tensor's bytes add up to no more than the file. */
  {
    JsonArray *tensors = json_object_get_array_member (o, "tensors");
    gint64 total = 0;
    g_assert_cmpuint (json_array_get_length (tensors), >=, 18);
    for (guint t = 0; t < json_array_get_length (tensors); t++)
      total += json_object_get_int_member (json_array_get_object_element (tensors, t), "bytes");
    g_assert_cmpint (total, <, size);
  }

  RUN (0, NULL, NULL, "-p", f->project, "model", "remove", "sensor-h8@1");
  g_clear_pointer (&list, g_free);
  g_clear_pointer (&listed, json_node_unref);
  RUN (0, &list, NULL, "-p", f->project, "model", "list", "--json");
  listed = wm_test_parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 1);
}

static void
test_model_bad_files (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *wmm = wm_test_golden_path ("sensor-h16.wmm");
  g_autofree char *bytes = NULL;
  g_autofree char *before = NULL;
  gsize size;
  struct { const char *name; gsize length; int flip; const char *expect; } cases[] = {
    { "truncated.wmm", 100, -1, "truncated" },
    { "flipped.wmm", 0, 400, "CRC" },
    { "text.wmm", 0, -2, "magic" },
    { "empty.wmm", 0, -3, "" },
  };

  g_assert_true (g_file_get_contents (wmm, &bytes, &size, NULL));
  before = wm_test_dump_store (f->project);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, cases[i].name, NULL);
      g_autofree char *copy = g_memdup2 (bytes, size);
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;
      gsize length = cases[i].length != 0 ? cases[i].length : size;

      if (cases[i].flip >= 0)
        copy[cases[i].flip] ^= 0x10;
      if (cases[i].flip == -2)
        g_assert_true (g_file_set_contents (path, "hello, I am not a model but a long enough text file\n", -1, NULL));
      else if (cases[i].flip == -3)
        g_assert_true (g_file_set_contents (path, "", 0, NULL));
      else
        g_assert_true (g_file_set_contents (path, copy, length, NULL));

      RUN (1, NULL, &err, "-p", f->project, "model", "import", path);
      g_assert_nonnull (strstr (err, path));
      if (strstr (err, cases[i].expect) == NULL)
        g_error ("%s: “%s” lacks “%s”", cases[i].name, err, cases[i].expect);
      after = wm_test_dump_store (f->project);
      g_assert_cmpstr (before, ==, after);
      RUN (1, NULL, NULL, "model", "show", path);
    }

  /* A model that does not fit the recording is refused before any output. */
  {
    g_autofree char *wav = g_build_filename (f->dir, "stereo.wav", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    SF_INFO info = { .samplerate = 100, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
    short frames[200] = { 0 };
    SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);

    sf_writef_short (sf, frames, 100);
    sf_close (sf);
    RUN (1, &out, &err, "infer", wmm, wav);
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "channel"));
    RUN (2, NULL, NULL, "infer", wmm, wav, "--variant", "int4");
    RUN (1, NULL, NULL, "infer", wmm, wav, "--variant", "f32");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cli/infer/matches-golden", test_infer_matches_golden);
  ADD ("/cli/model/import-list-show", test_model_import_list_show);
  ADD ("/cli/model/bad-files", test_model_bad_files);

  return g_test_run ();
}
