/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes a seed corpus of valid .wmm files (with the fuzz target's leading mode byte) into
 * the directory given as argument. */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <glib.h>

#include "wmm-builder.h"

int
main (int   argc,
      char *argv[])
{
  guint n = 0;

  if (argc != 2)
    {
      g_printerr ("usage: %s DIRECTORY\n", argv[0]);
      return 2;
    }
  for (wm_variant_t v = WM_VARIANT_INT8; v <= WM_VARIANT_F32; v++)
    for (wm_frontend_kind_t fe = WM_FRONTEND_RAW; fe <= WM_FRONTEND_LOGMEL; fe++)
      for (guint layers = 1; layers <= 2; layers++)
        {
          WmmSpec spec;
          g_autoptr(GByteArray) file = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *path = NULL;
          guint8 mode = 1;

          wmm_spec_init (&spec);
          spec.variant = v;
          spec.frontend = fe;
          spec.n_layers = layers;
          spec.hidden[0] = 4;
          spec.hidden[1] = 3;
          spec.window = 4;
          spec.hop = 2;
          spec.output = layers == 2 ? WM_OUTPUT_SIGMOID : WM_OUTPUT_SOFTMAX;
          if (fe == WM_FRONTEND_LOGMEL)
            {
              spec.frame_length = 64;
              spec.frame_step = 32;
              spec.n_mels = 4;
              spec.sample_rate = 8000;
            }
          file = wmm_build (&spec);
          g_byte_array_prepend (file, &mode, 1);
          path = g_strdup_printf ("%s/seed-%u.wmm", argv[1], n++);
          if (!g_file_set_contents (path, (const char *) file->data, file->len, &error))
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 1;
            }
        }
  return 0;
}
