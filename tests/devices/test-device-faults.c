/* test-device-faults.c — simulated devices upload while the server is killed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A property test: waymark-device-sim uploads over a flaky link (drops,
 * duplicates, replays, delays, device reboots) while the server is killed
 * with SIGKILL at random instants and aborted at its hooks (just before a
 * COMMIT, just after it before any reply, in the middle of a chunk's body),
 * and restarted on the same project and port each time.  At the end every
 * recording equals its source byte for byte, is finalized with the source's
 * SHA-256, and no committed offset a reply told a device ever went backwards.
 *
 * The kill points come from a seed printed at the start; WAYMARK_FAULT_SEED
 * repeats a run.  `-m slow` (suite slow) runs more devices and rounds.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "devices-util.h"
#include "test-util.h"

#define PREFIX "sim"
#define SOURCE "mixed"

typedef struct {
  guint   devices;
  guint   rounds;
  double  duration;   /* source seconds */
  double  speed;
  guint   timeout_s;  /* of the whole simulation */
} Plan;

typedef struct {
  char               *dir;
  char               *project;
  char               *tokens;
  char               *server_file;
  GSubprocess        *server;
  GDataInputStream   *server_out;
  guint16             port;
  guint               starts;
  guint               hook_aborts;
} Fixture;

static char *
cli_path (void)
{
  return g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL);
}

/* Waits up to @timeout_ms for @process to end; TRUE when it did. */
static gboolean
wait_exit (GSubprocess *process,
           guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_subprocess_get_identifier (process) == NULL)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return g_subprocess_get_identifier (process) == NULL;
}

static void
forget_server (Fixture *f)
{
  g_clear_object (&f->server_out);
  g_clear_object (&f->server);
}

/* Starts `serve` on @port (0: any) with the crash hook @var=@hook (or none).
 * FALSE when it could not listen there. */
static gboolean
start_server_on (Fixture    *f,
                 guint16     port,
                 const char *var,
                 const char *hook)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *cli = cli_path ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *log = g_strdup_printf ("%s/serve-%03u.log", f->dir, ++f->starts);
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *url;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  wm_test_launcher_die_with_parent (launcher);
  g_subprocess_launcher_unsetenv (launcher, "WAYMARK_INGEST_CRASH");
  g_subprocess_launcher_unsetenv (launcher, "WAYMARK_SERVE_CRASH");
  if (var != NULL)
    g_subprocess_launcher_setenv (launcher, var, hook, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  f->server = g_subprocess_launcher_spawn (launcher, &error, cli, "-p", f->project, "serve", "--listen", listen, NULL);
  g_assert_no_error (error);
  f->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (f->server_out, NULL, NULL, NULL);
  if (line == NULL || !g_str_has_prefix (line, "Listening on "))
    {
      g_subprocess_wait (f->server, NULL, NULL);
      forget_server (f);
      return FALSE;
    }
  url = line + strlen ("Listening on ");
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  f->port = (guint16) g_uri_get_port (uri);
  /* Written whole (a rename): the simulator reads it again after an unanswered request. */
  g_file_set_contents (f->server_file, url, -1, &error);
  g_assert_no_error (error);
  return TRUE;
}

/* The same port as before when it is free again, else any. */
static void
start_server (Fixture    *f,
              const char *var,
              const char *hook)
{
  if (!start_server_on (f, f->port, var, hook))
    g_assert_true (start_server_on (f, 0, var, hook));
}

static void
kill_server (Fixture *f)
{
  if (f->server == NULL)
    return;
  g_subprocess_force_exit (f->server);
  g_assert_true (wait_exit (f->server, 10000));
  forget_server (f);
}

/* Starts a server with a crash hook and waits (bounded) for it to abort there. */
static void
crash_at_hook (Fixture    *f,
               const char *var,
               const char *hook)
{
  start_server (f, var, hook);
  if (wait_exit (f->server, 8000))
    {
      if (g_subprocess_get_if_signaled (f->server) && g_subprocess_get_term_sig (f->server) == SIGABRT)
        f->hook_aborts++;
      forget_server (f);
    }
  else
    kill_server (f);
}

/* One round: the running server dies somehow, a plain one takes over. */
static void
kill_round (Fixture *f,
            GRand   *rand,
            guint    round)
{
  static const char *const hooks[][2] = {
    { NULL, NULL },
    { "WAYMARK_INGEST_CRASH", "before-commit" },
    { "WAYMARK_INGEST_CRASH", "after-commit" },
    { "WAYMARK_SERVE_CRASH", "mid-request" },
  };
  guint kind = (round + (guint) g_rand_int_range (rand, 0, 4)) % G_N_ELEMENTS (hooks);
  guint wait_ms = (guint) g_rand_int_range (rand, 20, 600);
  guint n = (guint) g_rand_int_range (rand, 1, 12);
  g_autofree char *hook = g_strdup_printf ("%s:%u", hooks[kind][1], n);

  g_usleep (wait_ms * 1000);
  kill_server (f);
  g_test_message ("round %u: SIGKILL after %u ms%s%s", round, wait_ms,
                  hooks[kind][0] != NULL ? ", then " : "", hooks[kind][0] != NULL ? hook : "");
  if (hooks[kind][0] != NULL)
    crash_at_hook (f, hooks[kind][0], hook);
  start_server (f, NULL, NULL);
}

static GSubprocess *
start_sim (Fixture    *f,
           const Plan *plan,
           guint32     seed)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *sim = wm_devtest_sim_path ();
  g_autofree char *devices = g_strdup_printf ("%u", plan->devices);
  g_autofree char *seed_text = g_strdup_printf ("%u", seed);
  g_autofree char *duration = g_strdup_printf ("%g", plan->duration);
  g_autofree char *speed = g_strdup_printf ("%g", plan->speed);
  g_autofree char *timeout = g_strdup_printf ("%u", plan->timeout_s);
  g_autofree char *spools = g_build_filename (f->dir, "spools", NULL);
  g_autofree char *log = g_build_filename (f->dir, "sim.log", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  wm_test_launcher_die_with_parent (launcher);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  process = g_subprocess_launcher_spawn (launcher, &error, sim,
                                         "-n", devices, "--source", SOURCE, "--prefix", PREFIX,
                                         "--seed", seed_text, "--duration", duration, "--speed", speed,
                                         "--dir", spools, "--server-file", f->server_file, "--tokens", f->tokens,
                                         "--sync-ms", "250", "--chunk-bytes", "8192", "--spool-pages", "2048",
                                         "--drop-before", "0.05", "--drop-after", "0.05", "--duplicate", "0.05",
                                         "--reorder", "0.05", "--delay-ms", "2", "--reboot-every", "1.5",
                                         "--backoff-min-ms", "10", "--backoff-max-ms", "300",
                                         "--timeout", timeout, "--verify", f->project, "--json", NULL);
  g_assert_no_error (error);
  return process;
}

static void
fixture_clear (Fixture *f)
{
  kill_server (f);
  if (g_getenv ("WAYMARK_KEEP_TEST_DIR") == NULL)
    wm_test_remove_tree (f->dir);
  else
    g_test_message ("kept %s", f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->tokens);
  g_free (f->server_file);
}

static guint32
fault_seed (void)
{
  const char *env = g_getenv ("WAYMARK_FAULT_SEED");

  return env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : g_random_int ();
}

static void
check_sim_report (const char *report,
                  const Plan *plan,
                  guint32     seed)
{
  g_autoptr(JsonNode) root = wm_test_parse_json (report);
  JsonObject *o = json_node_get_object (root);

  g_test_message ("simulator: %s", report);
  if (json_object_get_int_member (o, "finalized") != plan->devices || !json_object_get_boolean_member (o, "verified"))
    g_error ("seed %u (WAYMARK_FAULT_SEED=%u repeats it): not every device finalized and verified:\n%s", seed, seed, report);
  g_assert_cmpint (json_object_get_int_member (o, "offsets_backwards"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "reboots"), >, 0);
  g_assert_cmpint (json_object_get_int_member (o, "no_reply"), >, 0);
}

static void
test_kill_server (void)
{
  Plan plan = g_test_slow () ? (Plan) { 8, 30, 320, 8, 400 } : (Plan) { 4, 6, 48, 8, 100 };
  guint32 seed = fault_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GSubprocess) sim = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  g_test_message ("seed %u (set WAYMARK_FAULT_SEED=%u to repeat the kill points)", seed, seed);
  f.dir = g_dir_make_tmp ("waymark-faults-XXXXXX", &error);
  g_assert_no_error (error);
  f.project = g_build_filename (f.dir, "uploads.waymark", NULL);
  f.tokens = g_build_filename (f.dir, "tokens.json", NULL);
  f.server_file = g_build_filename (f.dir, "server-url", NULL);
  wm_test_run_cli (0, NULL, NULL, "init", f.project, NULL);
  wm_devtest_add_devices (f.project, PREFIX, plan.devices, f.tokens);

  start_server (&f, NULL, NULL);
  sim = start_sim (&f, &plan, seed);
  for (guint round = 0; round < plan.rounds; round++)
    kill_round (&f, rand, round);
  if (!wait_exit (sim, (plan.timeout_s + 30) * 1000))
    {
      g_subprocess_force_exit (sim);
      g_error ("seed %u: the simulator did not end in time", seed);
    }
  g_subprocess_communicate_utf8 (sim, NULL, NULL, &report, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%u servers started, %u aborted at a hook", f.starts, f.hook_aborts);
  g_assert_cmpuint (f.hook_aborts, >, 0);
  check_sim_report (report, &plan, seed);
  g_assert_cmpint (g_subprocess_get_exit_status (sim), ==, 0);

  /* SIGTERM: the last server stops cleanly; then check the project independently. */
  g_subprocess_send_signal (f.server, SIGTERM);
  g_assert_true (wait_exit (f.server, 20000));
  g_assert_true (g_subprocess_get_if_exited (f.server));
  g_assert_cmpint (g_subprocess_get_exit_status (f.server), ==, 0);
  forget_server (&f);
  wm_devtest_check_recordings (f.project, PREFIX, SOURCE, plan.devices, seed, plan.duration);
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/devices/faults/kill-server", test_kill_server);
  return g_test_run ();
}
