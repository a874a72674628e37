/* test-device-cli.c — waymark-cli device add/list/revoke; list and info of uploads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "test-util.h"
#include "wm-ingest.h"

typedef struct {
  char *dir;
  char *project;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("waymark-device-cli-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->project = g_build_filename (f->dir, "p.waymark", NULL);
  wm_test_run_cli (0, NULL, NULL, "init", f->project, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static JsonObject *
device_in (JsonNode   *list,
           const char *name)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      if (g_str_equal (json_object_get_string_member (o, "name"), name))
        return o;
    }
  g_assert_not_reached ();
}

static void
test_add_list_revoke (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonNode) added = NULL;
  g_autoptr(JsonNode) devices = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WmIngest) ingest = NULL;
  const char *token;
  JsonObject *o;

  wm_test_run_cli (0, &out, NULL, "-p", f->project, "device", "add", "dev1", "--type", "imu-board", NULL);
  g_assert_nonnull (strstr (out, "dev1"));
  wm_test_run_cli (0, &json, NULL, "-p", f->project, "device", "add", "dev2", "--type", "mic", "--hmac-key", "k1", "--json", NULL);
  added = wm_test_parse_json (json);
  token = json_object_get_string_member (json_node_get_object (added), "token");
  g_assert_cmpuint (strlen (token), ==, 43);
  /* The printed token is the one the engine accepts. */
  ingest = wm_ingest_new (f->project, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wm_ingest_authenticate (ingest, "dev2", token, &error));
  g_assert_no_error (error);
  wm_ingest_close (ingest);

  /* Taken name, missing type, bad name, --help. */
  wm_test_run_cli (1, NULL, &err, "-p", f->project, "device", "add", "dev1", "--type", "x", NULL);
  g_assert_nonnull (strstr (err, "exists already"));
  wm_test_run_cli (2, NULL, NULL, "-p", f->project, "device", "add", "dev3", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "device", "add", "../x", "--type", "x", NULL);
  wm_test_run_cli (0, NULL, NULL, "device", "add", "--help", NULL);
  wm_test_run_cli (0, NULL, NULL, "device", "list", "--help", NULL);
  wm_test_run_cli (0, NULL, NULL, "device", "revoke", "--help", NULL);
  wm_test_run_cli (2, NULL, NULL, "device", NULL);

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "device", "revoke", "dev2", NULL);
  wm_test_run_cli (1, NULL, NULL, "-p", f->project, "device", "revoke", "nobody", NULL);
  wm_test_run_cli (0, &list, NULL, "-p", f->project, "device", "list", "--json", NULL);
  devices = wm_test_parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (devices)), ==, 2);
  o = device_in (devices, "dev2");
  g_assert_true (json_object_get_boolean_member (o, "revoked"));
  g_assert_true (json_object_get_boolean_member (o, "hmac_key"));
  g_assert_false (json_object_get_boolean_member (device_in (devices, "dev1"), "revoked"));
}

/* A stream being uploaded: device list counts it; list marks it; info shows
 * its provenance; finalized, it is no longer marked. */
static void
test_uploads_shown (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmIngest) ingest = NULL;
  g_autoptr(WmStreamMeta) meta = NULL;
  g_autoptr(GBytes) frames = g_bytes_new_take (g_malloc0 (4000), 4000);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, frames);
  g_autofree char *devices_json = NULL;
  g_autofree char *list_json = NULL;
  g_autofree char *list_text = NULL;
  g_autofree char *info_json = NULL;
  g_autofree char *info_text = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) devices = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(JsonNode) list_after = NULL;
  JsonObject *o, *upload;

  wm_test_run_cli (0, NULL, NULL, "-p", f->project, "device", "add", "dev1", "--type", "imu-board", NULL);
  meta = wm_stream_meta_from_json ("{\"sample_rate\": 100, \"sample_format\": \"int16\", "
                                   "\"channels\": [{\"name\": \"x\"}], \"firmware\": \"2.0.1\", "
                                   "\"device_type\": \"imu-board\"}", -1, &error);
  g_assert_no_error (error);
  ingest = wm_ingest_new (f->project, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wm_ingest_put_stream_sync (ingest, "dev1", "walk-7", meta, NULL, NULL, &error));
  g_assert_true (wm_ingest_put_chunk_sync (ingest, "dev1", "walk-7", 0, frames, sha, NULL, &error));
  g_assert_no_error (error);

  wm_test_run_cli (0, &devices_json, NULL, "-p", f->project, "device", "list", "--json", NULL);
  devices = wm_test_parse_json (devices_json);
  o = device_in (devices, "dev1");
  g_assert_cmpint (json_object_get_int_member (o, "streams"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "bytes"), ==, 4000);
  g_assert_cmpint (json_object_get_int_member (o, "incomplete_streams"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "oldest_incomplete_age_s"), >=, 0);

  wm_test_run_cli (0, &list_json, NULL, "-p", f->project, "list", "--json", NULL);
  list = wm_test_parse_json (list_json);
  o = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_true (json_object_get_boolean_member (o, "uploading"));
  g_assert_cmpint (json_object_get_int_member (o, "frames"), ==, 2000);
  wm_test_run_cli (0, &list_text, NULL, "-p", f->project, "list", NULL);
  g_assert_nonnull (strstr (list_text, "uploading"));

  wm_test_run_cli (0, &info_json, NULL, "-p", f->project, "info", "1", "--json", NULL);
  info = wm_test_parse_json (info_json);
  upload = json_object_get_object_member (json_node_get_object (info), "upload");
  g_assert_cmpstr (json_object_get_string_member (upload, "device"), ==, "dev1");
  g_assert_cmpstr (json_object_get_string_member (upload, "stream_id"), ==, "walk-7");
  g_assert_cmpstr (json_object_get_string_member (upload, "firmware"), ==, "2.0.1");
  g_assert_cmpstr (json_object_get_string_member (upload, "device_type"), ==, "imu-board");
  g_assert_false (json_object_get_boolean_member (upload, "finalized"));
  g_assert_nonnull (json_object_get_string_member (upload, "first_upload"));
  wm_test_run_cli (0, &info_text, NULL, "-p", f->project, "info", "1", NULL);
  g_assert_nonnull (strstr (info_text, "2.0.1"));
  g_assert_nonnull (strstr (info_text, "still uploading"));

  g_assert_true (wm_ingest_finalize_sync (ingest, "dev1", "walk-7", sha, NULL, &error));
  g_assert_no_error (error);
  wm_ingest_close (ingest);
  wm_test_run_cli (0, &after, NULL, "-p", f->project, "list", "--json", NULL);
  list_after = wm_test_parse_json (after);
  o = json_array_get_object_element (json_node_get_array (list_after), 0);
  g_assert_false (json_object_get_boolean_member (o, "uploading"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/device/add-list-revoke", Fixture, NULL, fixture_setup, test_add_list_revoke, fixture_teardown);
  g_test_add ("/cli/device/uploads-shown", Fixture, NULL, fixture_setup, test_uploads_shown, fixture_teardown);

  return g_test_run ();
}
