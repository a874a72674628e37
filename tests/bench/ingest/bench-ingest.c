/* bench-ingest.c — simulated devices uploading concurrently, against raw SQLite inserts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-ingest [--devices 200] [--seconds 60] [--chunk-bytes 16384] [--dir DIR] [--spool-dir DIR]
 *
 * Twice — `waymark-cli serve` with group commit, then with --no-group-commit —
 * a fresh project takes uploads from DEVICES simulated audio devices
 * (waymark-device-sim, the real spool and uploader code, as fast as the
 * server takes them; their spools on tmpfs, since a device's flash is not
 * the server's disk) for SECONDS on loopback; then each device ends its
 * stream and finalizes it, and the simulator's --verify compares every
 * recording with its source (zero loss).  Printed: chunks/s and MB/s
 * sustained, p50/p99 acknowledgement latency, the server's peak RSS
 * (VmHWM), the write transactions it committed, the bytes the server and
 * the comparator wrote per chunk (WAL and checkpoints), and the ratio of its
 * throughput to raw SQLite inserts of the same blobs with the same
 * durability (WAL, synchronous=FULL, 64 KiB pages) in transactions of the
 * size the server's averaged — the comparator at its best, measured in the
 * same run.  Asserts nothing about time; fails only on loss.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <linux/magic.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include "devices-util.h"
#include "test-util.h"

typedef struct {
  int      devices;
  double   seconds;
  int      chunk_bytes;
  char    *dir;
  char    *spool_dir;
} Options;

typedef struct {
  double   chunks_per_s;
  double   mb_per_s;
  double   ack_p50_ms;
  double   ack_p99_ms;
  double   seconds;
  gint64   chunks;
  gint64   bytes;
  gint64   peak_rss_kib;
  gint64   written_bytes;
  guint64  server_chunks;
  guint64  transactions;
  gboolean verified;
} Run;

static char *
cli_path (void)
{
  return g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL);
}

/* Bytes a process has handed to write(2)/pwrite(2) so far (/proc/PID/io
 * wchar): for the server, its WAL frames and checkpoints. */
static gint64
written_bytes (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/io", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "wchar:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen ("wchar:"), NULL, 10);
}

/* VmHWM of a running process, in KiB. */
static gint64
peak_rss_kib (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "VmHWM:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

static GSubprocess *
start_server (const char  *project,
              gboolean     group_commit,
              const char  *log,
              char       **out_url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *cli = cli_path ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  wm_test_launcher_die_with_parent (launcher);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  server = g_subprocess_launcher_spawn (launcher, &error, cli, "-p", project, "serve", "--listen", "127.0.0.1:0",
                                        group_commit ? NULL : "--no-group-commit", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "Listening on "));
  *out_url = g_strdup (line + strlen ("Listening on "));
  return server;
}

/* "Stopped: N chunks acknowledged, B bytes stored, T transactions" */
static void
read_server_stats (const char *log,
                   Run        *run)
{
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  line = strstr (text, "Stopped: ");
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "Stopped: %" G_GUINT64_FORMAT " chunks acknowledged, %*s bytes stored, %"
                           G_GUINT64_FORMAT " transactions", &run->server_chunks, &run->transactions), ==, 2);
}

static void
read_sim_report (const char *json,
                 Run        *run)
{
  g_autoptr(JsonNode) root = wm_test_parse_json (json);
  JsonObject *o = json_node_get_object (root);

  run->chunks = json_object_get_int_member (o, "chunks");
  run->bytes = json_object_get_int_member (o, "bytes");
  run->seconds = json_object_get_double_member (o, "seconds");
  run->chunks_per_s = json_object_get_double_member (o, "chunks_per_s");
  run->mb_per_s = json_object_get_double_member (o, "mb_per_s");
  run->ack_p50_ms = json_object_get_double_member (o, "ack_ms_p50");
  run->ack_p99_ms = json_object_get_double_member (o, "ack_ms_p99");
  run->verified = json_object_get_boolean_member (o, "verified") &&
                  json_object_get_int_member (o, "failed") == 0;
  if (!run->verified)
    g_printerr ("simulator report:\n%s\n", json);
}

static void
run_ingest (const Options *o,
            gboolean       group_commit,
            Run           *run)
{
  const char *name = group_commit ? "group" : "single";
  g_autofree char *project = g_strdup_printf ("%s/%s.waymark", o->dir, name);
  g_autofree char *spools = g_strdup_printf ("%s/%s-spools", o->spool_dir, name);
  g_autofree char *log = g_strdup_printf ("%s/%s-serve.log", o->dir, name);
  g_autofree char *url = NULL;
  g_autofree char *devices = g_strdup_printf ("%d", o->devices);
  g_autofree char *run_for = g_strdup_printf ("%g", o->seconds);
  g_autofree char *timeout = g_strdup_printf ("%g", o->seconds * 4 + 120);
  g_autofree char *chunk = g_strdup_printf ("%d", o->chunk_bytes);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  wm_test_run_cli (0, NULL, NULL, "init", project, NULL);
  server = start_server (project, group_commit, log, &url);
  status = wm_devtest_run_sim ((const char *[]) { "-n", devices, "--source", "audio", "--speed", "0",
                                                  "--duration", "1000000", "--run-for", run_for,
                                                  "--chunk-bytes", chunk, "--dir", spools, "--server", url,
                                                  "--project", project, "--timeout", timeout,
                                                  "--verify", project, "--json", NULL },
                               &out, &err);
  run->peak_rss_kib = peak_rss_kib (server);
  run->written_bytes = written_bytes (g_subprocess_get_identifier (server));
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  read_server_stats (log, run);
  read_sim_report (out, run);
  if (status != 0)
    g_printerr ("waymark-device-sim exited with %d:\n%s\n", status, err);
  wm_test_remove_tree (spools);
}

/* Raw SQLite: @n_chunks blobs of the devices' sources, round robin over the
 * devices as they arrive, in transactions of @group; returns chunks/s. */
static double
run_sqlite (const Options *o,
            gint64         n_chunks,
            gint64         chunk_bytes,
            guint          group,
            const char    *name,
            gint64        *out_written)
{
  g_autofree char *path = g_strdup_printf ("%s/%s-sqlite.db", o->dir, name);
  g_autofree guint8 *blob = g_malloc ((gsize) chunk_bytes);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  gint64 start;
  double seconds;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                     "CREATE TABLE chunks (device INTEGER, offset INTEGER, data BLOB, PRIMARY KEY (device, offset))",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO chunks VALUES (?, ?, ?)", -1, &insert, NULL), ==, SQLITE_OK);
  *out_written = written_bytes ("self");
  start = g_get_monotonic_time ();
  for (gint64 k = 0; k < n_chunks; k++)
    {
      WmSimSource source = wm_devtest_source ("audio", 1, (guint) (k % o->devices));
      gint64 offset = k / o->devices * (chunk_bytes / 2);

      if (k % group == 0)
        sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
      wm_sim_source_fill (&source, (guint64) offset, (gsize) chunk_bytes / 2, blob);
      sqlite3_bind_int64 (insert, 1, k % o->devices);
      sqlite3_bind_int64 (insert, 2, offset);
      sqlite3_bind_blob (insert, 3, blob, (int) chunk_bytes, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
      if (k % group == group - 1 || k == n_chunks - 1)
        g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *out_written = written_bytes ("self") - *out_written;
  sqlite3_finalize (insert);
  sqlite3_close (db);
  g_unlink (path);
  return n_chunks / seconds;
}

static void
report (const Options *o,
        const char    *title,
        Run           *run,
        const char    *name)
{
  guint group = run->transactions > 0 ? (guint) MAX (1, (run->server_chunks + run->transactions / 2) / run->transactions) : 1;
  gint64 sqlite_written = 0;
  double sqlite_per_s = run_sqlite (o, run->chunks, run->bytes / MAX (1, run->chunks), group, name, &sqlite_written);

  g_print ("%s\n", title);
  g_print ("  %" G_GINT64_FORMAT " chunks (%.1f MB) from %d devices in %.1f s: %.0f chunks/s, %.2f MB/s sustained\n",
           run->chunks, run->bytes / 1e6, o->devices, run->seconds, run->chunks_per_s, run->mb_per_s);
  g_print ("  acknowledgement latency: p50 %.2f ms, p99 %.2f ms\n", run->ack_p50_ms, run->ack_p99_ms);
  g_print ("  server peak RSS (VmHWM): %.1f MiB\n", run->peak_rss_kib / 1024.0);
  g_print ("  server: %" G_GUINT64_FORMAT " writes in %" G_GUINT64_FORMAT " transactions (%.1f per transaction)\n",
           run->server_chunks, run->transactions, run->transactions > 0 ? (double) run->server_chunks / run->transactions : 0);
  g_print ("  raw SQLite, same blobs, WAL, synchronous=FULL, 64 KiB pages, %u per transaction: %.0f chunks/s\n",
           group, sqlite_per_s);
  g_print ("  bytes written per chunk (WAL and checkpoints, /proc/PID/io wchar): server %.1f KiB, raw SQLite %.1f KiB\n",
           run->written_bytes / 1024.0 / MAX (1, run->server_chunks), sqlite_written / 1024.0 / MAX (1, run->chunks));
  g_print ("  ratio ingest / raw SQLite: %.2f (goal >= 0.5)\n", run->chunks_per_s / sqlite_per_s);
  g_print ("  zero loss (every recording equals its source, finalized): %s\n", run->verified ? "yes" : "NO");
}

static gboolean
is_tmpfs (const char *path)
{
  struct statfs fs;

  return statfs (path, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

static char *
make_tmp_in (const char *parent)
{
  g_autofree char *template = g_build_filename (parent, "waymark-bench-spools-XXXXXX", NULL);

  g_assert_nonnull (g_mkdtemp (template));
  return g_steal_pointer (&template);
}

int
main (int   argc,
      char *argv[])
{
  Options o = { .devices = 200, .seconds = 60, .chunk_bytes = 16384 };
  const GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &o.devices, "Simulated devices (200)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &o.seconds, "How long they upload (60)", "S" },
    { "chunk-bytes", 0, 0, G_OPTION_ARG_INT, &o.chunk_bytes, "Bytes per chunk (16384)", "B" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &o.dir, "Scratch directory (default: a temporary one)", "DIR" },
    { "spool-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.spool_dir, "Where the devices' spools live (default: a temporary one on /dev/shm)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- device uploads against raw SQLite inserts");
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *spool_scratch = NULL;
  g_autofree char *load = NULL;
  Run group = { 0 }, single = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || o.devices < 1 || o.seconds <= 0 || o.chunk_bytes < 2)
    {
      g_printerr ("bench-ingest: %s\n", error != NULL ? error->message : "--devices, --seconds and --chunk-bytes must be positive");
      return 2;
    }
  scratch = g_dir_make_tmp ("waymark-bench-ingest-XXXXXX", &error);
  g_assert_no_error (error);
  if (o.dir == NULL)
    o.dir = g_strdup (scratch);
  if (o.spool_dir == NULL && is_tmpfs ("/dev/shm"))
    o.spool_dir = g_strdup (spool_scratch = make_tmp_in ("/dev/shm"));
  else if (o.spool_dir == NULL)
    o.spool_dir = g_strdup (o.dir);
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  g_print ("bench-ingest: %d audio devices (16 kHz int16, as fast as accepted), %.0f s each way, %d-byte chunks; load average %s",
           o.devices, o.seconds, o.chunk_bytes, load != NULL ? load : "?\n");
  /* A device's flash is not the server's disk: spools on tmpfs keep the
   * devices' own fsyncs off the disk the server commits to. */
  g_print ("devices' spools in %s (%s)\n", o.spool_dir,
           is_tmpfs (o.spool_dir) ? "tmpfs: a device's flash is not the server's disk"
                                  : "NOT tmpfs: the devices' fsyncs share the server's disk");
  run_ingest (&o, TRUE, &group);
  report (&o, "With group commit:", &group, "group");
  run_ingest (&o, FALSE, &single);
  report (&o, "With --no-group-commit:", &single, "single");
  g_print ("Group commit / one commit per write: %.2f x the chunks/s\n",
           single.chunks_per_s > 0 ? group.chunks_per_s / single.chunks_per_s : 0);
  wm_test_remove_tree (scratch);
  if (spool_scratch != NULL)
    wm_test_remove_tree (spool_scratch);
  g_free (o.dir);
  g_free (o.spool_dir);
  return group.verified && single.verified ? 0 : 1;
}
