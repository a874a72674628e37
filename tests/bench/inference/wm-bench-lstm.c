/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the classifier on random windows and prints JSON.
 *
 *   wm-bench-lstm MODEL.wmm COUNT
 *   wm-bench-lstm --synthetic int8|f32 HIDDEN LAYERS FEATURES WINDOW COUNT
 *
 * Windows run with packed weights (wm_classifier_packed_buffer_size) unless
 * WM_BENCH_COMPACT is set.  Both wall-clock and process CPU time are printed; the latter is
 * the fairer figure on a loaded machine.  The synthetic form builds a sensor model with the test builder, so the benchmark runs
 * without a converted model; tests/bench/inference's Python script compares the figures
 * with PyTorch nn.LSTM on the same shapes. */
#define G_LOG_DOMAIN "waymark-bench"

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "wm-classifier.h"
#include "wmm-builder.h"

static void
usage (const char *argv0)
{
  g_printerr ("usage: %s MODEL.wmm COUNT\n"
              "       %s --synthetic int8|f32 HIDDEN LAYERS FEATURES WINDOW COUNT\n",
              argv0, argv0);
  exit (2);
}

static guint
parse_count (const char *s,
             guint       min,
             guint       max,
             const char *what)
{
  guint64 v;
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (s, 10, min, max, &v, &error))
    {
      g_printerr ("%s: %s\n", what, error->message);
      exit (2);
    }
  return (guint) v;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autofree char *source = NULL;
  wm_model_t model;
  wm_classifier_t cls;
  g_autofree guint64 *buffer = NULL;
  g_autofree gint16 *in = NULL;
  g_autofree float *fin = NULL;
  guint16 probs[WM_MAX_CLASSES];
  float fprobs[WM_MAX_CLASSES];
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  guint count, frames, values, checksum = 0;
  gboolean packed = g_getenv ("WM_BENCH_COMPACT") == NULL;
  guint32 size;
  wm_status_t status;
  gint64 start, elapsed;
  double per_window, cpu_per_window;
  clock_t cpu_start;

  if (argc == 3)
    {
      g_autofree char *contents = NULL;
      gsize length;
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (argv[1], &contents, &length, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_byte_array_append (file, (const guint8 *) contents, length);
      count = parse_count (argv[2], 1, G_MAXUINT32, "COUNT");
      source = g_strdup (argv[1]);
    }
  else if (argc == 8 && g_str_equal (argv[1], "--synthetic"))
    {
      WmmSpec spec;
      g_autoptr(GByteArray) built = NULL;

      wmm_spec_init (&spec);
      if (g_str_equal (argv[2], "int8"))
        spec.variant = WM_VARIANT_INT8;
      else if (g_str_equal (argv[2], "f32"))
        spec.variant = WM_VARIANT_F32;
      else
        usage (argv[0]);
      spec.n_layers = parse_count (argv[4], 1, WM_MAX_LAYERS, "LAYERS");
      for (guint l = 0; l < spec.n_layers; l++)
        spec.hidden[l] = parse_count (argv[3], 1, WM_MAX_HIDDEN, "HIDDEN");
      spec.channels = parse_count (argv[5], 1, WM_MAX_CHANNELS, "FEATURES");
      spec.window = parse_count (argv[6], 1, 65535, "WINDOW");
      spec.hop = spec.window;
      spec.n_classes = 4;
      count = parse_count (argv[7], 1, G_MAXUINT32, "COUNT");
      built = wmm_build (&spec);
      g_byte_array_append (file, built->data, built->len);
      source = g_strdup_printf ("synthetic-%s-h%s-l%s", argv[2], argv[3], argv[4]);
    }
  else
    usage (argv[0]);

  status = wm_model_parse (file->data, file->len, &model);
  if (status != WM_OK)
    {
      g_printerr ("%s: %s\n", source, wm_status_to_string (status));
      return 1;
    }
  size = packed ? wm_classifier_packed_buffer_size (&model) : wm_classifier_buffer_size (&model);
  buffer = g_new0 (guint64, size / 8 + 1);
  if (wm_classifier_init (&cls, &model, buffer, size, NULL, NULL) != WM_OK)
    return 1;

  frames = wm_model_window_frames (&model);
  values = frames * model.frontend.channels;
  in = g_new (gint16, values);
  fin = g_new (float, values);
  for (guint i = 0; i < values; i++)
    {
      in[i] = (gint16) g_rand_int_range (rand, -8000, 8000);
      fin[i] = in[i] * 2.44140625e-4f;
    }

  cpu_start = clock ();
  start = g_get_monotonic_time ();
  for (guint n = 0; n < count; n++)
    {
      /* Vary one input value so no window is a repeat of the previous one. */
      in[n % values] ^= 1;
      fin[n % values] += 1e-4f;
      if (model.variant == WM_VARIANT_INT8)
        {
          wm_classifier_run_window_i16 (&cls, in, frames, probs);
          checksum += probs[0];
        }
      else
        {
          wm_classifier_run_window_f32 (&cls, fin, frames, fprobs);
          checksum += fprobs[0] > 0.5f;
        }
    }
  elapsed = g_get_monotonic_time () - start;
  per_window = (double) elapsed / count;
  cpu_per_window = (double) (clock () - cpu_start) * 1e6 / CLOCKS_PER_SEC / count;

  g_print ("{\"model\": \"%s\", \"variant\": \"%s\", \"layers\": %u, \"hidden\": %u, "
           "\"features\": %u, \"window\": %u, \"windows\": %u, \"buffer_bytes\": %u, "
           "\"packed\": %s, \"us_per_window\": %.3f, \"us_per_step\": %.4f, \"cpu_us_per_window\": %.3f, "
           "\"checksum\": %u}\n",
           source, model.variant == WM_VARIANT_INT8 ? "int8" : "f32", model.n_layers,
           model.layers[0].n_hidden, model.n_features, model.frontend.window, count, size,
           packed ? "true" : "false", per_window, per_window / model.frontend.window,
           cpu_per_window, checksum);
  return 0;
}
