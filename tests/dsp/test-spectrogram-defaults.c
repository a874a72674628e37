/* test-spectrogram-defaults.c — the schema's spectrogram defaults are the
 * constants of wm-spectrogram.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "wm-spectrogram.h"

static GSettingsSchema *
waymark_schema (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchemaSource) source =
    g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);

  g_assert_no_error (error);
  return g_settings_schema_source_lookup (source, "org.waymark.Waymark", FALSE);
}

static GVariant *
default_of (GSettingsSchema *schema,
            const char      *key)
{
  g_autoptr(GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);

  return g_settings_schema_key_get_default_value (k);
}

static void
test_schema_agrees (void)
{
  g_autoptr(GSettingsSchema) schema = waymark_schema ();
  g_autoptr(GVariant) fft_size = NULL;
  g_autoptr(GVariant) hop = NULL;
  g_autoptr(GVariant) floor_db = NULL;
  g_autoptr(GVariant) ceiling_db = NULL;
  WmSpectrogramParams params;

  g_assert_nonnull (schema);
  fft_size = default_of (schema, "fft-size");
  hop = default_of (schema, "hop");
  floor_db = default_of (schema, "db-floor");
  ceiling_db = default_of (schema, "db-ceiling");
  g_assert_cmpint (g_variant_get_int32 (fft_size), ==, WM_SPECTROGRAM_DEFAULT_FFT_SIZE);
  g_assert_cmpint (g_variant_get_int32 (hop), ==, WM_SPECTROGRAM_DEFAULT_HOP);
  g_assert_cmpfloat (g_variant_get_double (floor_db), ==, WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB);
  g_assert_cmpfloat (g_variant_get_double (ceiling_db), ==, WM_SPECTROGRAM_DEFAULT_DISPLAY_CEILING_DB);

  /* The analysis starts from the same FFT and hop, and clamps below the
   * display floor, so the default display shows everything it computed. */
  wm_spectrogram_params_init (&params);
  g_assert_cmpuint (params.fft_size, ==, WM_SPECTROGRAM_DEFAULT_FFT_SIZE);
  g_assert_cmpuint (params.hop, ==, WM_SPECTROGRAM_DEFAULT_HOP);
  g_assert_cmpfloat (params.floor_db, <=, WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dsp/spectrogram/defaults-agree", test_schema_agrees);

  return g_test_run ();
}
