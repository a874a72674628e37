/* test-stream-meta.c — stream metadata JSON: parse, print, compare, errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wm-ingest.h"

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WmStreamMeta) meta = NULL;
  g_autoptr(WmStreamMeta) again = NULL;
  g_autoptr(WmStreamMeta) copy = NULL;
  g_autofree char *json = NULL;

  meta = wm_stream_meta_from_json ("{\"sample_rate\": 16000, \"sample_format\": \"int16\", "
                                   "\"channels\": [{\"name\": \"mic\"}], "
                                   "\"start_time\": \"2026-12-07T11:00:00.123456+01:00\", "
                                   "\"device_type\": \"nrf52\", \"firmware\": \"0.9\", \"note\": \"yard\", "
                                   "\"unknown\": 1}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (meta->sample_rate, ==, 16000);
  g_assert_cmpint (meta->sample_format, ==, WM_SAMPLE_FORMAT_INT16);
  g_assert_cmpuint (meta->n_channels, ==, 1);
  g_assert_cmpstr (meta->channel_units[0], ==, "");
  g_assert_true (meta->has_start_time);
  g_assert_cmpint (meta->start_time_us, ==, G_GINT64_CONSTANT (1796637600123456));
  /* One channel at 16 kHz is audio when the device does not say. */
  g_assert_cmpint (meta->kind, ==, WM_RECORDING_KIND_AUDIO);
  g_assert_cmpuint (wm_stream_meta_frame_bytes (meta), ==, 2);

  json = wm_stream_meta_to_json (meta);
  again = wm_stream_meta_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (wm_stream_meta_equal (meta, again));
  copy = wm_stream_meta_copy (meta);
  g_free (copy->note);
  copy->note = NULL;
  g_assert_false (wm_stream_meta_equal (meta, copy));
}

static void
test_errors_name_the_field (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "[1]", "object" },
    { "{", "JSON" },
    { "{\"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}]}", "“sample_rate”" },
    { "{\"sample_rate\": -5, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}]}", "“sample_rate”" },
    { "{\"sample_rate\": \"fast\", \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}]}", "“sample_rate”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int24\", \"channels\": [{\"name\": \"a\"}]}", "“sample_format”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": []}", "“channels”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}, {\"unit\": \"g\"}]}", "“channels[1].name”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\", \"unit\": 3}]}", "“channels[0].unit”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}], \"start_time\": \"yesterday\"}", "“start_time”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}], \"kind\": \"video\"}", "“kind”" },
    { "{\"sample_rate\": 100, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"a\"}], \"firmware\": 2}", "“firmware”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WmStreamMeta) meta = wm_stream_meta_from_json (cases[i].json, -1, &error);

      g_assert_null (meta);
      g_assert_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID);
      if (strstr (error->message, cases[i].field) == NULL)
        g_error ("case %u: “%s” does not name %s", i, error->message, cases[i].field);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ingest/stream-meta/round-trip", test_round_trip);
  g_test_add_func ("/ingest/stream-meta/errors-name-the-field", test_errors_name_the_field);

  return g_test_run ();
}
