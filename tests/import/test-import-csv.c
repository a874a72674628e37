/* test-import-csv.c — sensor CSV files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "import-test-util.h"

static GArray *
import_ok (ImportFixture         *fixture,
           const char            *path,
           const WmImportOptions *options)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = NULL;

  g_assert_true (wm_import_file (fixture->store, path, options, NULL, NULL, NULL, &ids, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

static WmRecording *
get_recording (ImportFixture *fixture,
               GArray        *ids,
               guint          index)
{
  g_autoptr(GError) error = NULL;
  WmRecording *recording;

  recording = wm_store_get_recording (fixture->store, g_array_index (ids, gint64, index), &error);
  g_assert_no_error (error);
  return recording;
}

/* Asserts frame @frame of the recording equals @expected (all channels). */
static void
assert_frame (ImportFixture *fixture,
              gint64         recording_id,
              gint64         frame,
              const float   *expected,
              guint          n_channels)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *stored = g_new (float, n_channels);

  g_assert_true (wm_store_read_frames_raw (fixture->store, recording_id, frame, 1, stored, &error));
  g_assert_no_error (error);
  for (guint c = 0; c < n_channels; c++)
    g_assert_cmpfloat (stored[c], ==, expected[c]);
}

static char *
write_csv (ImportFixture *fixture,
           const char    *name,
           const char    *text)
{
  char *path = import_fixture_path (fixture, name);

  import_write_text (path, text);
  return path;
}

/* ---- Good files -------------------------------------------------------- */

static void
test_units_and_seconds (ImportFixture *fixture,
                        gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("time [s],acc_x [m/s2],acc_y (m/s2),temperature\n");
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;

  for (int i = 0; i < 100; i++)
    g_string_append_printf (text, "%.2f,%d.25,-%d.5,21.%d\n", i * 0.02, i, i, i % 10);
  path = write_csv (fixture, "imu_walk.csv", text->str);

  ids = import_ok (fixture, path, NULL);
  g_assert_cmpuint (ids->len, ==, 1);
  recording = get_recording (fixture, ids, 0);

  g_assert_cmpstr (recording->name, ==, "imu_walk");
  g_assert_cmpfloat (recording->sample_rate, ==, 50.0);
  g_assert_cmpuint (recording->n_channels, ==, 3);
  g_assert_cmpstr (recording->channel_names[0], ==, "acc_x");
  g_assert_cmpstr (recording->channel_names[1], ==, "acc_y");
  g_assert_cmpstr (recording->channel_names[2], ==, "temperature");
  g_assert_cmpstr (recording->channel_units[0], ==, "m/s2");
  g_assert_cmpstr (recording->channel_units[1], ==, "m/s2");
  g_assert_cmpstr (recording->channel_units[2], ==, "");
  g_assert_cmpint (recording->n_frames, ==, 100);
  g_assert_cmpint (recording->kind, ==, WM_RECORDING_KIND_SENSOR);
  g_assert_cmpint (recording->sample_format, ==, WM_SAMPLE_FORMAT_FLOAT32);
  g_assert_false (recording->has_start_time);

  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, text->len);
  g_assert_cmpstr (recording->source_sha256, ==, sha);

  assert_frame (fixture, recording->id, 0, (float[]) { 0.25f, -0.5f, 21.0f }, 3);
  assert_frame (fixture, recording->id, 99, (float[]) { 99.25f, -99.5f, 21.9f }, 3);
}

static void
test_semicolon_milliseconds (ImportFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("timestamp_ms;x;y\n");
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;

  for (int i = 0; i < 20; i++)
    g_string_append_printf (text, "%d;%d;%d\n", 1000 + i * 5, i, -i);
  path = write_csv (fixture, "ms.csv", text->str);

  ids = import_ok (fixture, path, NULL);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 200.0);
  g_assert_cmpuint (recording->n_channels, ==, 2);
  g_assert_cmpint (recording->n_frames, ==, 20);
  assert_frame (fixture, recording->id, 7, (float[]) { 7, -7 }, 2);
}

static void
test_tab_bracket_milliseconds (ImportFixture *fixture,
                               gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("t [ms]\tpressure [hPa]\n");
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;

  for (int i = 0; i < 30; i++)
    g_string_append_printf (text, "%d\t%d.5\n", i * 100, 1000 + i);
  path = write_csv (fixture, "baro.tsv", text->str);

  ids = import_ok (fixture, path, NULL);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 10.0);
  g_assert_cmpstr (recording->channel_names[0], ==, "pressure");
  g_assert_cmpstr (recording->channel_units[0], ==, "hPa");
  assert_frame (fixture, recording->id, 29, (float[]) { 1029.5f }, 1);
}

static void
test_iso8601 (ImportFixture *fixture,
              gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2024, 5, 1, 12, 0, 0.5);

  path = write_csv (fixture, "iso.csv",
                    "time,level\n"
                    "2024-05-01T12:00:00.500Z,1\n"
                    "2024-05-01T12:00:00.750Z,2\n"
                    "2024-05-01T12:00:01.000Z,3\n"
                    "2024-05-01T12:00:01.250Z,4\n");

  ids = import_ok (fixture, path, NULL);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 4.0);
  g_assert_true (recording->has_start_time);
  g_assert_cmpint (recording->start_time_us, ==, g_date_time_to_unix (expected) * G_USEC_PER_SEC + 500000);
  g_assert_cmpint (recording->n_frames, ==, 4);
}

static void
test_unix_time (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("timestamp,v\n");
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;

  for (int i = 0; i < 10; i++)
    g_string_append_printf (text, "%.1f,%d\n", 1700000000.0 + i * 0.5, i);
  path = write_csv (fixture, "epoch.csv", text->str);

  ids = import_ok (fixture, path, NULL);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 2.0);
  g_assert_true (recording->has_start_time);
  g_assert_cmpint (recording->start_time_us, ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
}

static void
test_rate_with_jitter (ImportFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("time,x\n");
  g_autofree char *path = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;
  guint32 state = 7;

  /* 100 Hz with up to ±2 ms of jitter on every timestamp, 5000 rows:
   * longer than the rows held back to infer the rate. */
  for (int i = 0; i < 5000; i++)
    {
      double jitter;

      state = state * 1664525u + 1013904223u;
      jitter = ((double) (state >> 8) / (1 << 24) - 0.5) * 0.004;
      g_string_append_printf (text, "%.4f,%d\n", i * 0.01 + (i > 0 ? jitter : 0), i);
    }
  path = write_csv (fixture, "jitter.csv", text->str);

  ids = import_ok (fixture, path, NULL);
  g_assert_cmpuint (ids->len, ==, 1);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 100.0);
  g_assert_cmpint (recording->n_frames, ==, 5000);
  assert_frame (fixture, recording->id, 4999, (float[]) { 4999 }, 1);
}

static void
test_rate_option (ImportFixture *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "norate.csv", "a,b\n1,2\n3,4\n5,6\n");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  WmImportOptions options;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                       path, "no time column", NULL);

  wm_import_options_init (&options);
  options.rate = 25;
  ids = import_ok (fixture, path, &options);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 25.0);
  g_assert_cmpint (recording->n_frames, ==, 3);
  assert_frame (fixture, recording->id, 2, (float[]) { 5, 6 }, 2);
}

static void
test_quotes_crlf_bom (ImportFixture *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "excel.csv",
                                     "\xef\xbb\xbf\"time\",\"acc_x [m/s2]\",\"label, raw\"\r\n"
                                     "0,\"1.5\", 2\r\n"
                                     "\r\n"
                                     "0.1,\"2.5\",3 \r\n"
                                     "0.2,3.5,4\r\n");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) recording = NULL;

  ids = import_ok (fixture, path, NULL);
  recording = get_recording (fixture, ids, 0);
  g_assert_cmpfloat (recording->sample_rate, ==, 10.0);
  g_assert_cmpstr (recording->channel_names[0], ==, "acc_x");
  g_assert_cmpstr (recording->channel_names[1], ==, "label, raw");
  g_assert_cmpint (recording->n_frames, ==, 3);
  assert_frame (fixture, recording->id, 1, (float[]) { 2.5f, 3 }, 2);
}

static char *
write_gap_csv (ImportFixture *fixture,
               const char    *tail)
{
  g_autoptr(GString) text = g_string_new ("time,x\n");

  for (int i = 0; i < 100; i++)
    g_string_append_printf (text, "%.2f,%d\n", i * 0.01, i);
  for (int i = 0; i < 50; i++)
    g_string_append_printf (text, "%.2f,%d\n", 3.0 + i * 0.01, 1000 + i);
  g_string_append (text, tail);
  return write_csv (fixture, "gappy.csv", text->str);
}

static void
test_gap_split (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_gap_csv (fixture, "");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(WmRecording) first = NULL;
  g_autoptr(WmRecording) second = NULL;

  ids = import_ok (fixture, path, NULL);
  g_assert_cmpuint (ids->len, ==, 2);
  first = get_recording (fixture, ids, 0);
  second = get_recording (fixture, ids, 1);
  g_assert_cmpstr (first->name, ==, "gappy");
  g_assert_cmpstr (second->name, ==, "gappy (2)");
  g_assert_cmpint (first->n_frames, ==, 100);
  g_assert_cmpint (second->n_frames, ==, 50);
  g_assert_cmpstr (first->source_sha256, ==, second->source_sha256);
  assert_frame (fixture, second->id, 0, (float[]) { 1000 }, 1);
}

static void
test_gap_error (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_gap_csv (fixture, "");
  g_autoptr(GError) error = NULL;
  WmImportOptions options;

  wm_import_options_init (&options);
  options.gap_policy = WM_IMPORT_GAP_ERROR;
  error = import_expect_failure (fixture, path, &options, WM_IMPORT_ERROR, WM_IMPORT_ERROR_GAP);
  /* Line 102 holds the first row after the gap (header + 100 rows). */
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_GAP, "gappy.csv:102:1:", "gap", NULL);
}

static void
test_gap_tolerance (ImportFixture *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_gap_csv (fixture, "");
  g_autoptr(GArray) ids = NULL;
  WmImportOptions options;

  /* A 2.01 s interval at 100 Hz is 201 intervals: a tolerance above that
   * accepts it as jitter. */
  wm_import_options_init (&options);
  options.gap_tolerance = 250;
  ids = import_ok (fixture, path, &options);
  g_assert_cmpuint (ids->len, ==, 1);
}

/* A split CSV commits all its recordings or none. */
static void
test_split_all_or_none (ImportFixture *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = write_gap_csv (fixture, "3.50,oops\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "gappy.csv:152:2: 'oops' is not a number (column “x”)", NULL);
}

/* ---- Bad files --------------------------------------------------------- */

static void
test_ragged (ImportFixture *fixture,
             gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "ragged.csv",
                                     "time,a,b\n0,1,2\n0.1,1,2\n0.2,1\n0.3,1,2\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *long_path = write_csv (fixture, "long.csv",
                                          "time,a,b\n0,1,2\n0.1,1,2,3\n");

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "ragged.csv:4:3:", "expected 3 columns", "found 2", NULL);
  g_clear_error (&error);

  error = import_expect_failure (fixture, long_path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "long.csv:3:4:", "found 4", NULL);
}

static void
test_not_a_number (ImportFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("time,acc_x,acc_y\n");
  g_autofree char *path = NULL;
  g_autofree char *late_path = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 15; i++)
    g_string_append_printf (text, "%.2f,1,2\n", i * 0.01);
  g_string_append (text, "0.15,1,abc\n0.16,1,2\n");
  path = write_csv (fixture, "imu.csv", text->str);

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "imu.csv:17:3: 'abc' is not a number (column “acc_y”)", NULL);
  g_clear_error (&error);

  /* Far beyond the rows held back for the rate, past several read chunks. */
  g_string_assign (text, "time,acc_x,acc_y\n");
  for (int i = 0; i < 20000; i++)
    g_string_append_printf (text, "%.2f,1.000000,2.000000\n", i * 0.01);
  g_string_append (text, "200.00,,2\n");
  late_path = write_csv (fixture, "late.csv", text->str);

  error = import_expect_failure (fixture, late_path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "late.csv:20002:2: empty cell (column “acc_x”)", NULL);
}

static void
test_unsorted (ImportFixture *fixture,
               gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "unsorted.csv",
                                     "x,time\n1,0.0\n2,0.1\n3,0.2\n4,0.15\n5,0.4\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSORTED_TIME);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSORTED_TIME,
                       "unsorted.csv:5:2:", "line 4", NULL);
}

static void
test_duplicate_time (ImportFixture *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "dup.csv",
                                     "time,x\n0.0,1\n0.1,2\n0.1,3\n0.2,4\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE_TIME);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE_TIME,
                       "dup.csv:4:1:", "line 3", NULL);
}

static void
test_no_header (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "bare.csv", "0.0,1,2\n0.1,3,4\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "bare.csv:1:1:", "no header", NULL);
}

static void
test_header_only (ImportFixture *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "header.csv", "time,x\n\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY, "header.csv", NULL);
}

static void
test_bad_time (ImportFixture *fixture,
               gconstpointer  data)
{
  g_autofree char *path = write_csv (fixture, "iso-bad.csv",
                                     "time,x\n2024-05-01T12:00:00Z,1\nyesterday,2\n");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_PARSE,
                       "iso-bad.csv:3:1: 'yesterday' is not an ISO-8601 time", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, ImportFixture, NULL, import_fixture_setup, func, import_fixture_teardown)

  ADD ("/import/csv/units-and-seconds", test_units_and_seconds);
  ADD ("/import/csv/semicolon-milliseconds", test_semicolon_milliseconds);
  ADD ("/import/csv/tab-bracket-milliseconds", test_tab_bracket_milliseconds);
  ADD ("/import/csv/iso8601", test_iso8601);
  ADD ("/import/csv/unix-time", test_unix_time);
  ADD ("/import/csv/rate-with-jitter", test_rate_with_jitter);
  ADD ("/import/csv/rate-option", test_rate_option);
  ADD ("/import/csv/quotes-crlf-bom", test_quotes_crlf_bom);
  ADD ("/import/csv/gap-split", test_gap_split);
  ADD ("/import/csv/gap-error", test_gap_error);
  ADD ("/import/csv/gap-tolerance", test_gap_tolerance);
  ADD ("/import/csv/split-all-or-none", test_split_all_or_none);
  ADD ("/import/csv/ragged", test_ragged);
  ADD ("/import/csv/not-a-number", test_not_a_number);
  ADD ("/import/csv/unsorted", test_unsorted);
  ADD ("/import/csv/duplicate-time", test_duplicate_time);
  ADD ("/import/csv/no-header", test_no_header);
  ADD ("/import/csv/header-only", test_header_only);
  ADD ("/import/csv/bad-time", test_bad_time);

#undef ADD

  return g_test_run ();
}
