/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wmm-run: run a .wmm model with the C runtime on windows from a file, for the Python
 * parity tests (float path against PyTorch, int8 against float, activations).
 *
 *   wmm-run MODEL.wmm WINDOWS.bin      one line of probabilities per window; WINDOWS.bin
 *                                      holds [N, window_frames, C] little-endian int16
 *                                      (int8 model) or float32 (f32 model) values
 *   wmm-run --stream MODEL.wmm FRAMES.bin   push the frames as a stream; one line per
 *                                      window: start frame, then probabilities
 *   wmm-run --activations              every int16 input through wm_sigmoid16 and
 *                                      wm_tanh16 (left shift -3 … 3), as raw int16
 *   wmm-run --arithmetic=requantize|log2q10|softmax4
 *                                      stdin → stdout, raw little-endian records:
 *                                      (i32 acc, i32 multiplier, i32 shift) → i32;
 *                                      u64 → i32; 4 × i32 Q.12 logits → 4 × u16
 *
 * int8 probabilities are printed as u16 Q0.16 integers, f32 ones with 9 significant
 * digits (exact round trip of a float). */

#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "wm-classifier.h"
#include "wm-math.h"
#include "wm-model.h"

typedef struct
{
  const wm_model_t *model;
} stream_state_t;

static void
print_probs (uint16_t        n,
             const uint16_t *q16,
             const float    *f32)
{
  for (uint16_t k = 0; k < n; k++)
    {
      if (q16 != NULL)
        printf ("%s%u", k ? " " : "", (unsigned) q16[k]);
      else
        printf ("%s%.9g", k ? " " : "", (double) f32[k]);
    }
  printf ("\n");
}

static void
on_window (void              *user_data,
           const wm_window_t *window)
{
  printf ("%u ", (unsigned) window->start_frame);
  print_probs (window->n_classes, window->probs_q16, window->probs);
}

static int
dump_activations (void)
{
  g_autofree int16_t *out = g_new (int16_t, 65536);

  for (int32_t x = -32768; x <= 32767; x++)
    out[x + 32768] = wm_sigmoid16 ((int16_t) x);
  fwrite (out, sizeof (int16_t), 65536, stdout);
  for (int32_t ls = -3; ls <= 3; ls++)
    {
      for (int32_t x = -32768; x <= 32767; x++)
        out[x + 32768] = wm_tanh16 ((int16_t) x, ls);
      fwrite (out, sizeof (int16_t), 65536, stdout);
    }
  return 0;
}

static int
run_arithmetic (const char *what)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 chunk[4096];
  size_t n;

  while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    g_byte_array_append (in, chunk, (guint) n);

  if (g_str_equal (what, "requantize"))
    {
      for (gsize at = 0; at + 12 <= in->len; at += 12)
        {
          int32_t v[3], r;

          memcpy (v, in->data + at, sizeof v);
          r = wm_requantize (v[0], v[1], v[2]);
          g_byte_array_append (out, (const guint8 *) &r, sizeof r);
        }
    }
  else if (g_str_equal (what, "log2q10"))
    {
      for (gsize at = 0; at + 8 <= in->len; at += 8)
        {
          uint64_t v;
          int32_t r;

          memcpy (&v, in->data + at, sizeof v);
          r = wm_log2q10 (v);
          g_byte_array_append (out, (const guint8 *) &r, sizeof r);
        }
    }
  else if (g_str_equal (what, "softmax4"))
    {
      for (gsize at = 0; at + 16 <= in->len; at += 16)
        {
          int32_t logits[4];
          uint16_t probs[4];

          memcpy (logits, in->data + at, sizeof logits);
          wm_softmax_q16 (logits, 4, probs);
          g_byte_array_append (out, (const guint8 *) probs, sizeof probs);
        }
    }
  else
    {
      g_printerr ("wmm-run: unknown --arithmetic %s\n", what);
      return 2;
    }
  fwrite (out->data, 1, out->len, stdout);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  gboolean stream = FALSE, activations = FALSE;
  g_autofree char *arithmetic = NULL;
  GOptionEntry entries[] = {
    { "stream", 0, 0, G_OPTION_ARG_NONE, &stream, "Push the input as one stream", NULL },
    { "activations", 0, 0, G_OPTION_ARG_NONE, &activations,
      "Print every int16 input's sigmoid and tanh as raw int16", NULL },
    { "arithmetic", 0, 0, G_OPTION_ARG_STRING, &arithmetic,
      "Evaluate requantize, log2q10 or softmax4 on raw records from stdin", "FUNCTION" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL.wmm INPUT.bin");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *model_bytes = NULL, *input = NULL;
  g_autofree guint8 *buffer = NULL;
  gsize model_len = 0, input_len = 0;
  wm_model_t model;
  wm_classifier_t cls;
  wm_status_t status;
  uint32_t frame_values, value_size, n_frames;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wmm-run: %s\n", error->message);
      return 2;
    }
  if (activations)
    return dump_activations ();
  if (arithmetic != NULL)
    return run_arithmetic (arithmetic);
  if (argc != 3)
    {
      g_printerr ("wmm-run: expected MODEL.wmm INPUT.bin\n");
      return 2;
    }
  if (!g_file_get_contents (argv[1], &model_bytes, &model_len, &error)
      || !g_file_get_contents (argv[2], &input, &input_len, &error))
    {
      g_printerr ("wmm-run: %s\n", error->message);
      return 1;
    }
  status = wm_model_parse ((const uint8_t *) model_bytes, (uint32_t) model_len, &model);
  if (status != WM_OK)
    {
      g_printerr ("wmm-run: %s: %s\n", argv[1], wm_status_to_string (status));
      return 1;
    }

  buffer = g_malloc (wm_classifier_buffer_size (&model));
  status = wm_classifier_init (&cls, &model, buffer, wm_classifier_buffer_size (&model),
                               on_window, NULL);
  if (status != WM_OK)
    {
      g_printerr ("wmm-run: init: %s\n", wm_status_to_string (status));
      return 1;
    }

  frame_values = model.frontend.channels;
  value_size = model.variant == WM_VARIANT_INT8 ? 2u : 4u;
  if (input_len % (frame_values * value_size) != 0)
    {
      g_printerr ("wmm-run: %s: %" G_GSIZE_FORMAT " bytes is not a whole number of frames\n",
                  argv[2], input_len);
      return 1;
    }
  n_frames = (uint32_t) (input_len / (frame_values * value_size));

  if (stream)
    {
      status = model.variant == WM_VARIANT_INT8
               ? wm_classifier_push_i16 (&cls, (const int16_t *) input, n_frames)
               : wm_classifier_push_f32 (&cls, (const float *) input, n_frames);
    }
  else
    {
      uint32_t window_frames = wm_model_window_frames (&model);
      uint16_t probs_q16[WM_MAX_CLASSES];
      float probs[WM_MAX_CLASSES];

      if (n_frames % window_frames != 0)
        {
          g_printerr ("wmm-run: %s: %u frames is not a whole number of %u-frame windows\n",
                      argv[2], n_frames, window_frames);
          return 1;
        }
      status = WM_OK;
      for (uint32_t w = 0; w < n_frames / window_frames && status == WM_OK; w++)
        {
          size_t at = (size_t) w * window_frames * frame_values;

          if (model.variant == WM_VARIANT_INT8)
            {
              status = wm_classifier_run_window_i16 (&cls, (const int16_t *) input + at,
                                                     window_frames, probs_q16);
              if (status == WM_OK)
                print_probs (model.n_classes, probs_q16, NULL);
            }
          else
            {
              status = wm_classifier_run_window_f32 (&cls, (const float *) input + at,
                                                     window_frames, probs);
              if (status == WM_OK)
                print_probs (model.n_classes, NULL, probs);
            }
        }
    }
  if (status != WM_OK)
    {
      g_printerr ("wmm-run: %s: %s\n", argv[2], wm_status_to_string (status));
      return 1;
    }
  return 0;
}
