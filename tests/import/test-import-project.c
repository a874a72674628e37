/* test-import-project.c — paths, the project's state, progress, async
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every failure leaves the project exactly as it was: each test compares a
 * dump of every table taken before and after.
 */

#include "config.h"

#include <sqlite3.h>

#include <glib/gstdio.h>

#include "import-test-util.h"

static void
test_nonexistent (ImportFixture *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "night1.flac");
  g_autoptr(GError) error = NULL;

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_NOT_FOUND);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_NOT_FOUND, path, "no such file", NULL);
}

static void
test_directory (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "recordings.wav");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_IS_DIRECTORY);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_IS_DIRECTORY, path, "directory", NULL);
}

static void
test_zero_bytes (ImportFixture *fixture,
                 gconstpointer  data)
{
  const char *names[] = { "empty.wav", "empty.csv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = import_fixture_path (fixture, names[i]);
      g_autoptr(GError) error = NULL;

      import_write_text (path, "");
      error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY);
      import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY, path, "empty", NULL);
    }
}

static void
test_read_only_project (ImportFixture *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.wav");
  g_autofree char *csv_path = import_fixture_path (fixture, "b.csv");
  g_autoptr(WmStore) read_only = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *paths[2];

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 8000);
  import_write_text (csv_path, "time,x\n0,1\n1,2\n");
  paths[0] = path;
  paths[1] = csv_path;

  read_only = wm_store_open (fixture->project_path, WM_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  before = import_dump_project (read_only);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GArray) ids = NULL;

      g_assert_false (wm_import_file (read_only, paths[i], NULL, NULL, NULL, NULL, &ids, &error));
      g_assert_null (ids);
      import_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_READ_ONLY, paths[i], NULL);
      g_test_message ("expected failure: %s", error->message);
      g_clear_error (&error);
    }

  after = import_dump_project (read_only);
  g_assert_cmpstr (before, ==, after);
}

static gint64
pragma_value (WmStore    *store,
              const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (wm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The disk filling up mid-import, simulated with a page limit. */
static void
test_disk_full (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *wav = import_fixture_path (fixture, "long.wav");
  g_autofree char *csv = import_fixture_path (fixture, "long.csv");
  g_autoptr(GString) text = g_string_new ("time,a,b,c\n");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 pages;

  import_write_audio (wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 48000 * 10);
  for (int i = 0; i < 60000; i++)
    g_string_append_printf (text, "%.2f,%d,%d,%d\n", i * 0.01, i, -i, i % 7);
  import_write_text (csv, text->str);

  pages = pragma_value (fixture->store, "PRAGMA page_count");
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 3);
  pragma_value (fixture->store, sql);

  error = import_expect_failure (fixture, wav, NULL, WM_STORE_ERROR, WM_STORE_ERROR_FULL);
  import_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_FULL, wav, NULL);
  g_clear_error (&error);

  error = import_expect_failure (fixture, csv, NULL, WM_STORE_ERROR, WM_STORE_ERROR_FULL);
  import_assert_error (error, WM_STORE_ERROR, WM_STORE_ERROR_FULL, csv, NULL);

  /* With room again the project takes the same file. */
  pragma_value (fixture->store, "PRAGMA max_page_count = 1073741823");
  g_assert_true (wm_import_file (fixture->store, wav, NULL, NULL, NULL, NULL, &ids, NULL));
  g_assert_cmpuint (ids->len, ==, 1);
}

static void
test_cancelled (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.flac");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *before = import_dump_project (fixture->store);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  import_write_audio (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, 100000);
  g_cancellable_cancel (cancellable);

  g_assert_false (wm_import_file (fixture->store, path, NULL, NULL, NULL, cancellable, NULL, &error));
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CANCELLED, path, NULL);

  after = import_dump_project (fixture->store);
  g_assert_cmpstr (before, ==, after);
}

typedef struct {
  guint    calls;
  double   last_fraction;
  guint64  last_done;
  guint64  total;
  gboolean on_main_thread;
  GCancellable *cancel_after_first;
} ProgressLog;

static void
log_progress (double   fraction,
              guint64  bytes_done,
              guint64  bytes_total,
              gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpfloat (fraction, >=, log->last_fraction);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_assert_cmpuint (bytes_done, >=, log->last_done);
  g_assert_cmpuint (bytes_done, <=, bytes_total);
  log->calls++;
  log->last_fraction = fraction;
  log->last_done = bytes_done;
  log->total = bytes_total;
  log->on_main_thread = g_main_context_is_owner (g_main_context_default ());
}

static void
test_progress (ImportFixture *fixture,
               gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.wav");
  ProgressLog log = { 0 };
  GStatBuf st;

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 48000 * 20);
  g_assert_cmpint (g_stat (path, &st), ==, 0);

  g_assert_true (wm_import_file (fixture->store, path, NULL, log_progress, &log, NULL, NULL, NULL));
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpfloat (log.last_fraction, ==, 1.0);
  g_assert_cmpuint (log.last_done, ==, st.st_size);
  g_assert_cmpuint (log.total, ==, st.st_size);
}

typedef struct {
  GMainLoop *loop;
  GArray    *ids;
  GError    *error;
  gpointer   task; /* weak */
} AsyncResult;

/* The worker thread drops its reference to the task (and so to the store)
 * just after the result was delivered; wait for that before teardown. */
static void
wait_for_task (AsyncResult *async)
{
  while (g_atomic_pointer_get (&async->task) != NULL)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *async = user_data;

  wm_import_file_finish (WM_STORE (source), result, &async->ids, &async->error);
  async->task = result;
  g_object_add_weak_pointer (G_OBJECT (result), &async->task);
  g_main_loop_quit (async->loop);
}

static void
test_async (ImportFixture *fixture,
            gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "night1.flac");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  AsyncResult async = { loop, NULL, NULL, NULL };
  ProgressLog log = { 0 };
  WmImportOptions options;

  import_write_audio (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 2, 16000 * 5);
  wm_import_options_init (&options);
  options.name = g_strdup ("first night");

  wm_import_file_async (fixture->store, path, &options, log_progress, &log, NULL,
                        NULL, import_done, &async);
  /* The options were copied: the caller may free them at once. */
  g_free ((char *) options.name);
  g_main_loop_run (loop);
  wait_for_task (&async);

  g_assert_no_error (async.error);
  g_assert_nonnull (async.ids);
  g_assert_cmpuint (async.ids->len, ==, 1);

  /* Progress is delivered on the caller's main context before the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_true (log.on_main_thread);

  /* The caller's own store sees what the worker's store committed. */
  recording = wm_store_get_recording (fixture->store, g_array_index (async.ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recording->name, ==, "first night");
  g_assert_cmpint (recording->n_frames, ==, 16000 * 5);

  g_array_unref (async.ids);
}

static void
test_async_cancelled (ImportFixture *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.wav");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *before = import_dump_project (fixture->store);
  g_autofree char *after = NULL;
  AsyncResult async = { loop, NULL, NULL, NULL };

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 16000);
  g_cancellable_cancel (cancellable);
  wm_import_file_async (fixture->store, path, NULL, NULL, NULL, NULL,
                        cancellable, import_done, &async);
  g_main_loop_run (loop);
  wait_for_task (&async);

  g_assert_null (async.ids);
  import_assert_error (async.error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CANCELLED, path, NULL);
  g_clear_error (&async.error);

  after = import_dump_project (fixture->store);
  g_assert_cmpstr (before, ==, after);
}

/* A read-only store stays read-only for the worker's own store. */
static void
test_async_read_only (ImportFixture *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.wav");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(WmStore) read_only = NULL;
  g_autofree char *before = import_dump_project (fixture->store);
  g_autofree char *after = NULL;
  AsyncResult async = { loop, NULL, NULL, NULL };

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 16000);
  read_only = wm_store_open (fixture->project_path, WM_STORE_OPEN_READ_ONLY, NULL);
  g_assert_nonnull (read_only);
  wm_import_file_async (read_only, path, NULL, NULL, NULL, NULL, NULL, import_done, &async);
  g_main_loop_run (loop);
  wait_for_task (&async);

  g_assert_null (async.ids);
  import_assert_error (async.error, WM_STORE_ERROR, WM_STORE_ERROR_READ_ONLY, path, NULL);
  g_clear_error (&async.error);

  after = import_dump_project (fixture->store);
  g_assert_cmpstr (before, ==, after);
}

static gboolean
demo_tools_missing (void)
{
  g_autofree char *espeak = g_find_program_in_path ("espeak-ng");
  g_autofree char *sox = g_find_program_in_path ("sox");

  if (g_getenv ("WAYMARK_SOURCE_ROOT") != NULL
      && g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
      && espeak != NULL && sox != NULL)
    return FALSE;

  g_test_skip ("needs WAYMARK_SOURCE_ROOT, /usr/bin/python3, espeak-ng and sox");
  return TRUE;
}

/* Runs data/demo/generate with a short voice and IMU recording. */
static void
generate_demo (const char *seed,
               const char *out_dir)
{
  g_autofree char *script = g_build_filename (g_getenv ("WAYMARK_SOURCE_ROOT"),
                                              "data", "demo", "generate", NULL);
  const char *argv[] = { script, "--seed", seed, "--voice-minutes", "0.5",
                         "--imu-minutes", "1", "--out", out_dir, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static char *
file_sha256 (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* The same seed gives the same bytes, another seed other material. */
static void
test_demo_deterministic (ImportFixture *fixture,
                         gconstpointer  data)
{
  const char *files[] = { "voice-commands.flac", "voice-commands.truth.csv",
                          "imu-gestures.csv", "imu-gestures.truth.csv" };
  g_autofree char *first = import_fixture_path (fixture, "seed7-a");
  g_autofree char *second = import_fixture_path (fixture, "seed7-b");
  g_autofree char *other = import_fixture_path (fixture, "seed8");

  if (demo_tools_missing ())
    return;

  generate_demo ("7", first);
  generate_demo ("7", second);
  generate_demo ("8", other);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = file_sha256 (first, files[i]);
      g_autofree char *b = file_sha256 (second, files[i]);
      g_autofree char *c = file_sha256 (other, files[i]);

      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (a, !=, c);
    }
}

/* The demo material imports as the demo will use it, and its ground truth
 * lies inside the recordings. */
static void
test_demo_material (ImportFixture *fixture,
                    gconstpointer  data)
{
  g_autofree char *out_dir = import_fixture_path (fixture, "demo");
  g_autofree char *flac = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *truth_path = NULL;
  g_autofree char *truth = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) voice_ids = NULL;
  g_autoptr(GArray) imu_ids = NULL;
  g_autoptr(WmRecording) voice = NULL;
  g_autoptr(WmRecording) imu = NULL;
  g_autoptr(GError) error = NULL;
  guint n_commands = 0;

  if (demo_tools_missing ())
    return;

  generate_demo ("5", out_dir);

  flac = g_build_filename (out_dir, "voice-commands.flac", NULL);
  csv = g_build_filename (out_dir, "imu-gestures.csv", NULL);
  g_assert_true (wm_import_file (fixture->store, flac, NULL, NULL, NULL, NULL, &voice_ids, &error));
  g_assert_no_error (error);
  g_assert_true (wm_import_file (fixture->store, csv, NULL, NULL, NULL, NULL, &imu_ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imu_ids->len, ==, 1);

  voice = wm_store_get_recording (fixture->store, g_array_index (voice_ids, gint64, 0), NULL);
  imu = wm_store_get_recording (fixture->store, g_array_index (imu_ids, gint64, 0), NULL);
  g_assert_cmpfloat (voice->sample_rate, ==, 16000);
  g_assert_cmpint (voice->n_frames, ==, 16000 * 30);
  g_assert_cmpint (voice->sample_format, ==, WM_SAMPLE_FORMAT_INT16);
  g_assert_cmpfloat (imu->sample_rate, ==, 100);
  g_assert_cmpint (imu->n_frames, ==, 100 * 60);
  g_assert_cmpuint (imu->n_channels, ==, 6);
  g_assert_cmpstr (imu->channel_names[5], ==, "gyro_z");
  g_assert_cmpstr (imu->channel_units[5], ==, "deg/s");

  truth_path = g_build_filename (out_dir, "voice-commands.truth.csv", NULL);
  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, NULL));
  lines = g_strsplit (truth, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "start_s,end_s,class");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);
      const char *commands[] = { "stop", "go", "left", "right", NULL };

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_cmpfloat (g_ascii_strtod (fields[0], NULL), <, g_ascii_strtod (fields[1], NULL));
      g_assert_cmpfloat (g_ascii_strtod (fields[1], NULL), <=, wm_recording_get_duration (voice));
      g_assert_true (g_strv_contains (commands, fields[2]));
      n_commands++;
    }
  g_assert_cmpuint (n_commands, >=, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, ImportFixture, NULL, import_fixture_setup, func, import_fixture_teardown)

  ADD ("/import/project/nonexistent", test_nonexistent);
  ADD ("/import/project/directory", test_directory);
  ADD ("/import/project/zero-bytes", test_zero_bytes);
  ADD ("/import/project/read-only", test_read_only_project);
  ADD ("/import/project/disk-full", test_disk_full);
  ADD ("/import/project/cancelled", test_cancelled);
  ADD ("/import/project/progress", test_progress);
  ADD ("/import/project/async", test_async);
  ADD ("/import/project/async-cancelled", test_async_cancelled);
  ADD ("/import/project/async-read-only", test_async_read_only);
  ADD ("/import/demo/deterministic", test_demo_deterministic);
  ADD ("/import/demo/material", test_demo_material);

#undef ADD

  return g_test_run ();
}
