/* test-ingest-dir.c — waymark-cli ingest DIR, a simulator's spool directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * waymark-device-sim --offline records whole streams into spools; ingest
 * gives the same recordings as the source (and the same as an upload would),
 * a second ingest changes nothing, and a truncated, corrupt, overlapping or
 * gapped spool is refused with the file and offset named and the project
 * unchanged.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "devices-util.h"
#include "store-dump.h"
#include "test-util.h"
#include "wm-spool.h"

#define SEED 11
#define SECONDS 20
#define PAGE_SIZE 4096

typedef struct {
  char *dir;
  char *spools;
  char *project;
} Fixture;

static void
run_offline_sim (const char *spools,
                 const char *source,
                 const char *devices,
                 const char *seed)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--offline", "--dir", spools, "-n", devices, "--source", source, "--seed", seed,
                         "--duration", G_STRINGIFY (SECONDS), "--speed", "0", "--spool-pages", "400",
                         "--sync-ms", "700", "--json", NULL };
  g_autoptr(JsonNode) report = NULL;

  g_assert_cmpint (wm_devtest_run_sim (args, &out, &err), ==, 0);
  report = wm_test_parse_json (out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "ended"), ==,
                   g_ascii_strtoll (devices, NULL, 10));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("waymark-ingest-dir-XXXXXX", &error);
  g_assert_no_error (error);
  f->spools = g_build_filename (f->dir, "spools", NULL);
  f->project = g_build_filename (f->dir, "p.waymark", NULL);
  run_offline_sim (f->spools, "mixed", "2", G_STRINGIFY (SEED));
  wm_test_run_cli (0, NULL, NULL, "init", f->project, NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "device", "add", "sim-0001", "--type", "imu", NULL);
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "device", "add", "sim-0002", "--type", "audio", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->spools);
  g_free (f->project);
}

static char *
device_dir (Fixture    *f,
            const char *device)
{
  return g_build_filename (f->spools, device, NULL);
}

static JsonObject *
ingest_json (Fixture    *f,
             const char *device,
             JsonNode  **out_root)
{
  g_autofree char *dir = device_dir (f, device);
  g_autofree char *out = NULL;

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "ingest", dir, "--finalize", "--json", NULL);
  *out_root = wm_test_parse_json (out);
  return json_node_get_object (*out_root);
}

/* Ingest fails with status 1, saying @expected (and the spool's path), and the project stays as it was. */
static void
assert_refused (Fixture    *f,
                const char *dir,
                const char *expected)
{
  g_autofree char *before = wm_test_dump_store (f->project);
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "-p", f->project, "ingest", dir, "--finalize", NULL };

  g_assert_cmpint (wm_test_run_cli_argv (argv, NULL, &err), ==, 1);
  g_test_message ("refused: %s", err);
  g_assert_nonnull (strstr (err, expected));
  g_assert_nonnull (strstr (err, dir));
  after = wm_test_dump_store (f->project);
  g_assert_cmpstr (before, ==, after);
}

static void
test_same_recording (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *dump = NULL;
  g_autofree char *dump_again = NULL;
  JsonObject *o;

  o = ingest_json (f, "sim-0001", &r1);
  g_assert_cmpint (json_object_get_int_member (o, "new_frames"), ==, SECONDS * 100);
  g_assert_true (json_object_get_boolean_member (o, "finalized"));
  o = ingest_json (f, "sim-0002", &r2);
  g_assert_cmpint (json_object_get_int_member (o, "new_frames"), ==, SECONDS * 16000);
  wm_devtest_check_recordings (f->project, "sim", "mixed", 2, SEED, SECONDS);

  /* Twice: the same recording, nothing new, the project unchanged. */
  dump = wm_test_dump_store (f->project);
  o = ingest_json (f, "sim-0002", &again);
  g_assert_cmpint (json_object_get_int_member (o, "new_frames"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "recording_id"), ==,
                   json_object_get_int_member (json_node_get_object (r2), "recording_id"));
  dump_again = wm_test_dump_store (f->project);
  g_assert_cmpstr (dump, ==, dump_again);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *dir = device_dir (f, "sim-0002");
  g_autofree char *spool = g_build_filename (dir, "spool", NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (spool, &st), ==, 0);
  /* Cut inside a page, then at a page boundary (whole pages of the ended stream gone). */
  g_assert_cmpint (truncate (spool, st.st_size - 100), ==, 0);
  assert_refused (f, dir, "truncated");
  g_assert_cmpint (truncate (spool, st.st_size - 3 * PAGE_SIZE), ==, 0);
  assert_refused (f, dir, "missing or damaged");
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *dir = device_dir (f, "sim-0002");
  g_autofree char *spool = g_build_filename (dir, "spool", NULL);
  g_autofree char *bytes = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (spool, &bytes, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 40 * PAGE_SIZE);
  bytes[30 * PAGE_SIZE + 1000] ^= 0x10;  /* a sample in the middle of the stream */
  g_file_set_contents (spool, bytes, (gssize) len, &error);
  g_assert_no_error (error);
  assert_refused (f, dir, "are missing or damaged");

  /* Both meta records gone: no spool at all. */
  memset (bytes, 0xff, 2 * PAGE_SIZE);
  g_file_set_contents (spool, bytes, (gssize) len, &error);
  g_assert_no_error (error);
  assert_refused (f, dir, "no spool");
}

/* Another device's frames under this device's name: same stream id (same
 * kind and seed), other samples: the overlap differs and is refused. */
static void
test_differing_overlap (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *others = g_build_filename (f->dir, "others", NULL);
  g_autofree char *other = g_build_filename (others, "sim-0003", NULL);
  g_autofree char *spool_json = g_build_filename (other, "spool.json", NULL);
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *renamed = NULL;
  const char *name;

  ingest_json (f, "sim-0001", &r1);
  run_offline_sim (others, "mixed", "3", G_STRINGIFY (SEED));
  g_file_get_contents (spool_json, &text, NULL, &error);
  g_assert_no_error (error);
  name = strstr (text, "sim-0003");
  g_assert_nonnull (name);
  renamed = g_strdup_printf ("%.*ssim-0001%s", (int) (name - text), text, name + strlen ("sim-0003"));
  g_file_set_contents (spool_json, renamed, -1, &error);
  g_assert_no_error (error);
  assert_refused (f, other, "offset 0");
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *dir = device_dir (f, "sim-0001");
  const char *no_dir[] = { "-p", f->project, "ingest", NULL };
  const char *missing[] = { "-p", f->project, "ingest", f->dir, NULL };
  const char *unknown_device[] = { "-p", f->project, "ingest", dir, NULL };
  g_autofree char *err = NULL;

  wm_test_run_cli (0, &out, NULL, "ingest", "--help", NULL);
  g_assert_nonnull (strstr (out, "--finalize"));
  g_assert_cmpint (wm_test_run_cli_argv (no_dir, NULL, NULL), ==, 2);
  g_assert_cmpint (wm_test_run_cli_argv (missing, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "spool.json"));
  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "device", "revoke", "sim-0001", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (wm_test_run_cli_argv (unknown_device, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "sim-0001"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/devices/ingest-dir/same-recording", Fixture, NULL, fixture_set_up, test_same_recording, fixture_tear_down);
  g_test_add ("/devices/ingest-dir/truncated", Fixture, NULL, fixture_set_up, test_truncated, fixture_tear_down);
  g_test_add ("/devices/ingest-dir/corrupt", Fixture, NULL, fixture_set_up, test_corrupt, fixture_tear_down);
  g_test_add ("/devices/ingest-dir/differing-overlap", Fixture, NULL, fixture_set_up, test_differing_overlap, fixture_tear_down);
  g_test_add ("/devices/ingest-dir/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);
  return g_test_run ();
}
