/* devices-util.c — helpers of the device-upload fault tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "devices-util.h"
#include "test-util.h"
#include "wm-store.h"

char *
wm_devtest_sim_path (void)
{
  return g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "devsim", "waymark-device-sim", NULL);
}

int
wm_devtest_run_sim (const char * const *args,
                    char              **out_stdout,
                    char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, wm_devtest_sim_path ());
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  wm_test_launcher_die_with_parent (launcher);
  sim = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (sim, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (sim);
}

WmSimSource
wm_devtest_source (const char *kind,
                   guint64     seed,
                   guint       index)
{
  WmSimSource source = { WM_SIM_SOURCE_IMU, seed, index };

  if (g_str_equal (kind, "mixed"))
    source.kind = index % 2 == 0 ? WM_SIM_SOURCE_IMU : WM_SIM_SOURCE_AUDIO;
  else
    g_assert_true (wm_sim_source_kind_from_string (kind, &source.kind));
  return source;
}

static void
check_one (WmStore     *store,
           const char  *device,
           WmSimSource *source,
           double       seconds)
{
  g_autofree char *stream_id = wm_sim_source_stream_id (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(WmUploadStream) stream = wm_store_get_upload_stream (store, device, stream_id, &error);
  g_autoptr(WmRecording) recording = NULL;
  gint64 n_frames = (gint64) (seconds * wm_sim_source_rate (source));
  gsize frame_bytes = wm_sim_source_frame_bytes (source);
  g_autofree guint8 *stored = g_malloc ((gsize) n_frames * frame_bytes);
  g_autofree guint8 *expected = g_malloc ((gsize) n_frames * frame_bytes);
  g_autofree char *sha256 = NULL;

  g_assert_no_error (error);
  recording = wm_store_get_recording (store, stream->recording_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recording->n_frames, ==, n_frames);
  g_assert_cmpint (stream->committed_offset, ==, n_frames);
  g_assert_false (recording->uploading);
  wm_store_read_frames_raw (store, recording->id, 0, (gsize) n_frames, stored, &error);
  g_assert_no_error (error);
  wm_sim_source_fill (source, 0, (gsize) n_frames, expected);
  if (memcmp (stored, expected, (gsize) n_frames * frame_bytes) != 0)
    g_error ("device %s: the recording differs from its source", device);
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, expected, (gsize) n_frames * frame_bytes);
  g_assert_cmpstr (stream->sha256, ==, sha256);
}

void
wm_devtest_check_recordings (const char *project,
                             const char *prefix,
                             const char *kind,
                             guint       n_devices,
                             guint64     seed,
                             double      seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStore) store = wm_store_open (project, WM_STORE_OPEN_READ_ONLY, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n_devices; i++)
    {
      g_autofree char *device = g_strdup_printf ("%s-%04u", prefix, i + 1);
      WmSimSource source = wm_devtest_source (kind, seed, i);

      check_one (store, device, &source, seconds);
    }
}

void
wm_devtest_add_devices (const char *project,
                        const char *prefix,
                        guint       n_devices,
                        const char *tokens_path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (b);
  for (guint i = 0; i < n_devices; i++)
    {
      g_autofree char *device = g_strdup_printf ("%s-%04u", prefix, i + 1);
      g_autofree char *out = NULL;
      g_autoptr(JsonNode) reply = NULL;

      wm_test_run_cli (0, &out, NULL, "-p", project, "device", "add", device, "--type", "waymark-sim", "--json", NULL);
      reply = wm_test_parse_json (out);
      json_builder_set_member_name (b, device);
      json_builder_add_string_value (b, json_object_get_string_member (json_node_get_object (reply), "token"));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_to_file (gen, tokens_path, &error);
  g_assert_no_error (error);
}
