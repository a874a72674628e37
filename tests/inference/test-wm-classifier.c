/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernels and classifier: the float path against a plain double-precision LSTM written
 * here, the integer log-mel against a second implementation of FORMAT.md 3.7, int8 against
 * f32 on the same weights, and streaming push against one-shot windows. */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "wm-classifier.h"
#include "wm-frontend.h"
#include "wm-math.h"
#include "wmm-builder.h"

typedef struct
{
  GByteArray *file;
  wm_model_t model;
  wm_classifier_t cls;
  guint64 *buffer;
} Loaded;

static void
loaded_clear (Loaded *l)
{
  g_clear_pointer (&l->file, g_byte_array_unref);
  g_clear_pointer (&l->buffer, g_free);
}

static void
load (Loaded        *l,
      const WmmSpec *spec)
{
  guint32 size;

  l->file = wmm_build (spec);
  g_assert_cmpint (wm_model_parse (l->file->data, l->file->len, &l->model), ==, WM_OK);
  size = wm_classifier_buffer_size (&l->model);
  l->buffer = g_malloc0 (size);
  g_assert_cmpint (wm_classifier_init (&l->cls, &l->model, l->buffer, size, NULL, NULL), ==, WM_OK);
}

static double
f32_at (const uint8_t *p,
        guint          i)
{
  float f;

  memcpy (&f, p + 4 * i, 4);
  return f;
}

static double
sigmoid (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

/* The textbook LSTM in double precision, from the model's own f32 tensors. */
static void
reference_window_f64 (const wm_model_t *m,
                      const double     *features,
                      double           *probs)
{
  double h[WM_MAX_LAYERS][WM_MAX_HIDDEN] = { { 0 } }, c[WM_MAX_LAYERS][WM_MAX_HIDDEN] = { { 0 } };
  double z[WM_MAX_CLASSES], sum = 0, max = -1e300;
  guint K = m->n_classes;

  for (guint t = 0; t < m->frontend.window; t++)
    {
      const double *x = features + t * m->n_features;
      double xin[WM_MAX_HIDDEN];

      memcpy (xin, x, sizeof (double) * m->n_features);
      for (guint l = 0; l < m->n_layers; l++)
        {
          const wm_layer_t *L = &m->layers[l];
          double gate[4][WM_MAX_HIDDEN];

          for (guint g = 0; g < 4; g++)
            for (guint r = 0; r < L->n_hidden; r++)
              {
                double a = f32_at (L->bx[g], r);

                for (guint j = 0; j < L->n_inputs; j++)
                  a += f32_at (L->wx[g], r * L->n_inputs + j) * xin[j];
                for (guint j = 0; j < L->n_hidden; j++)
                  a += f32_at (L->wh[g], r * L->n_hidden + j) * h[l][j];
                gate[g][r] = a;
              }
          for (guint r = 0; r < L->n_hidden; r++)
            {
              c[l][r] = sigmoid (gate[1][r]) * c[l][r] + sigmoid (gate[0][r]) * tanh (gate[2][r]);
              h[l][r] = sigmoid (gate[3][r]) * tanh (c[l][r]);
            }
          memcpy (xin, h[l], sizeof (double) * L->n_hidden);
        }
    }

  for (guint k = 0; k < K; k++)
    {
      const wm_layer_t *last = &m->layers[m->n_layers - 1];

      z[k] = f32_at (m->head_b, k);
      for (guint j = 0; j < last->n_hidden; j++)
        z[k] += f32_at (m->head_w, k * last->n_hidden + j) * h[m->n_layers - 1][j];
      max = MAX (max, z[k]);
    }
  if (m->output == WM_OUTPUT_SIGMOID)
    {
      for (guint k = 0; k < K; k++)
        probs[k] = sigmoid (z[k]);
      return;
    }
  for (guint k = 0; k < K; k++)
    sum += probs[k] = exp (z[k] - max);
  for (guint k = 0; k < K; k++)
    probs[k] /= sum;
}

static void
test_float_vs_double (void)
{
  static const struct { guint layers, h0, h1, h2, classes; wm_output_t out; wm_frontend_kind_t fe; } cases[] = {
    { 1, 8, 0, 0, 3, WM_OUTPUT_SOFTMAX, WM_FRONTEND_RAW },
    { 1, 32, 0, 0, 5, WM_OUTPUT_SOFTMAX, WM_FRONTEND_SENSOR },
    { 2, 16, 24, 0, 4, WM_OUTPUT_SIGMOID, WM_FRONTEND_SENSOR },
    { 3, 12, 6, 9, 2, WM_OUTPUT_SOFTMAX, WM_FRONTEND_RAW },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  double max_err = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint seed = 1; seed <= 5; seed++)
      {
        WmmSpec spec;
        Loaded l = { 0 };
        guint32 frames;
        g_autofree float *in = NULL;
        g_autofree double *features = NULL;
        float probs[WM_MAX_CLASSES];
        double want[WM_MAX_CLASSES];

        wmm_spec_init (&spec);
        spec.variant = WM_VARIANT_F32;
        spec.frontend = cases[i].fe;
        spec.output = cases[i].out;
        spec.n_layers = cases[i].layers;
        spec.hidden[0] = cases[i].h0;
        spec.hidden[1] = cases[i].h1;
        spec.hidden[2] = cases[i].h2;
        spec.n_classes = cases[i].classes;
        spec.channels = 4;
        spec.window = 24;
        spec.seed = seed;
        load (&l, &spec);

        frames = wm_model_window_frames (&l.model);
        in = g_new (float, frames * 4);
        features = g_new (double, frames * 4);
        for (guint j = 0; j < frames * 4; j++)
          {
            guint ch = j % 4;

            in[j] = (float) g_rand_double_range (rand, -2.0, 2.0);
            features[j] = (in[j] - f32_at (l.model.frontend.mean, ch)) * f32_at (l.model.frontend.inv_std, ch);
          }
        g_assert_cmpint (wm_classifier_run_window_f32 (&l.cls, in, frames, probs), ==, WM_OK);
        reference_window_f64 (&l.model, features, want);
        for (guint k = 0; k < spec.n_classes; k++)
          max_err = MAX (max_err, fabs (probs[k] - want[k]));
        loaded_clear (&l);
      }
  g_test_message ("f32 path vs double LSTM: max abs probability error %.2e", max_err);
  g_assert_cmpfloat (max_err, <, 1e-6);
}

static WmmSpec
logmel_spec (wm_variant_t variant,
             guint        seed)
{
  WmmSpec spec;

  wmm_spec_init (&spec);
  spec.variant = variant;
  spec.frontend = WM_FRONTEND_LOGMEL;
  spec.frame_length = 256;
  spec.frame_step = 160;
  spec.n_mels = 16;
  spec.sample_rate = 16000;
  spec.window = 12;
  spec.hop = 5;
  spec.hidden[0] = 16;
  spec.seed = seed;
  return spec;
}

/* Audio-like input: two tones and noise, amplitude around 3000. */
static void
make_audio (GRand  *rand,
            gint16 *samples,
            guint   n)
{
  double f1 = g_rand_double_range (rand, 100, 3000), f2 = g_rand_double_range (rand, 2000, 7000);

  for (guint i = 0; i < n; i++)
    samples[i] = (gint16) CLAMP (2000 * sin (2 * G_PI * f1 * i / 16000.0)
                                 + 800 * sin (2 * G_PI * f2 * i / 16000.0)
                                 + g_rand_double_range (rand, -300, 300), -32768, 32767);
}

/* FORMAT.md 3.7 again, written independently: direct (k·n) mod L indices, sine through
 * the quarter-turn offset, 128-bit accumulators, no skipped bins. */
static void
reference_lq (const wm_model_t *m,
              const gint16     *s,
              gint32           *lq)
{
  const wm_frontend_t *fe = &m->frontend;
  guint L = fe->frame_length, bins = L / 2 + 1;
  gint64 xw[WM_MAX_FRAME_LENGTH];
  unsigned __int128 acc[WM_MAX_MELS] = { 0 };

  for (guint n = 0; n < L; n++)
    {
      gint64 p = (gint64) s[n] * (gint16) (fe->window_table[2 * n] | fe->window_table[2 * n + 1] << 8);

      xw[n] = (gint64) floor ((p + 16384) / 32768.0);
    }
  for (guint k = 0; k < bins; k++)
    {
      __int128 re = 0, im = 0;
      gint64 rr, ri;

      for (guint n = 0; n < L; n++)
        {
          guint ic = (k * n) % L, is = (k * n + 3 * L / 4) % L;

          re += xw[n] * (gint16) (fe->cos_table[2 * ic] | fe->cos_table[2 * ic + 1] << 8);
          im += xw[n] * (gint16) (fe->cos_table[2 * is] | fe->cos_table[2 * is + 1] << 8);
        }
      rr = (gint64) (re < 0 ? -floor (-(double) re / 65536 + 0.5) : floor ((double) re / 65536 + 0.5));
      ri = (gint64) (im < 0 ? -floor (-(double) im / 65536 + 0.5) : floor ((double) im / 65536 + 0.5));
      for (guint mm = 0; mm < fe->n_mels; mm++)
        {
          guint at = mm * bins + k;
          gint16 w = (gint16) (fe->mel[2 * at] | fe->mel[2 * at + 1] << 8);

          acc[mm] += ((unsigned __int128) (rr * rr) + (unsigned __int128) (ri * ri)) * (guint64) w;
        }
    }
  for (guint mm = 0; mm < fe->n_mels; mm++)
    {
      guint64 e = (guint64) ((acc[mm] + 16384) / 32768) + 1;
      guint b = 63 - __builtin_clzll (e);
      guint t = b >= 8 ? (e >> (b - 8)) & 255 : (e << (8 - b)) & 255;

      lq[mm] = (gint32) (b * 1024 + (gint32) floor (1024 * log2 (1 + t / 256.0) + 0.5));
    }
}

static void
test_logmel_int (void)
{
  WmmSpec spec = logmel_spec (WM_VARIANT_INT8, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  Loaded l = { 0 };
  gint16 samples[256];
  gint32 got[WM_MAX_MELS], want[WM_MAX_MELS];
  g_autofree guint8 *scratch = NULL;

  load (&l, &spec);
  scratch = g_malloc (wm_frontend_scratch_size (&l.model));
  for (guint trial = 0; trial < 40; trial++)
    {
      make_audio (rand, samples, 256);
      if (trial == 0)
        memset (samples, 0, sizeof samples);
      if (trial == 1)
        for (guint i = 0; i < 256; i++)
          samples[i] = i % 2 ? 32767 : -32768;
      wm_logmel_lq (&l.model, samples, 256, 0, got, scratch, NULL);
      reference_lq (&l.model, samples, want);
      for (guint m = 0; m < spec.n_mels; m++)
        g_assert_cmpint (got[m], ==, want[m]);
      if (trial == 0)
        g_assert_cmpint (got[0], ==, 0);
    }
  loaded_clear (&l);
}

static void
test_logmel_float (void)
{
  WmmSpec spec = logmel_spec (WM_VARIANT_F32, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  Loaded l = { 0 };
  gint16 samples[256];
  float in[256], got[WM_MAX_MELS];
  g_autofree guint8 *scratch = NULL;
  double max_err = 0;

  load (&l, &spec);
  scratch = g_malloc (wm_frontend_scratch_size (&l.model));
  for (guint trial = 0; trial < 20; trial++)
    {
      const wm_frontend_t *fe = &l.model.frontend;

      make_audio (rand, samples, 256);
      for (guint i = 0; i < 256; i++)
        in[i] = samples[i] / 32768.0f;
      wm_frontend_f32 (&l.model, in, 256, 0, got, scratch);
      for (guint m = 0; m < spec.n_mels; m++)
        {
          double e = 0, want;

          for (guint k = 0; k <= 128; k++)
            {
              double re = 0, im = 0;

              for (guint n = 0; n < 256; n++)
                {
                  double x = samples[n] * f32_at (fe->window_table, n);

                  re += x * cos (2 * G_PI * k * n / 256);
                  im += x * sin (2 * G_PI * k * n / 256);
                }
              e += (re * re + im * im) / 16 * f32_at (fe->mel, m * 129 + k);
            }
          want = (log2 (e + 1) - f32_at (fe->mean, m)) * f32_at (fe->inv_std, m);
          max_err = MAX (max_err, fabs (got[m] - want));
        }
    }
  g_test_message ("f32 log-mel vs double: max abs feature error %.2e", max_err);
  g_assert_cmpfloat (max_err, <, 1e-4);
  loaded_clear (&l);
}

/* The int8 variant quantises the same float weights: it must mostly agree with f32. */
static void
test_int8_vs_f32 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  guint agree = 0, total = 0;
  double max_err = 0, sum_err = 0;

  for (guint seed = 1; seed <= 10; seed++)
    {
      WmmSpec spec;
      Loaded qi = { 0 }, qf = { 0 };
      guint32 frames;

      wmm_spec_init (&spec);
      spec.seed = seed;
      spec.hidden[0] = 16;
      spec.n_layers = 1 + seed % 2;
      spec.hidden[1] = 12;
      spec.n_classes = 4;
      load (&qi, &spec);
      spec.variant = WM_VARIANT_F32;
      load (&qf, &spec);
      frames = wm_model_window_frames (&qi.model);

      for (guint trial = 0; trial < 50; trial++)
        {
          g_autofree gint16 *in = g_new (gint16, frames * spec.channels);
          g_autofree float *fin = g_new (float, frames * spec.channels);
          guint16 p[WM_MAX_CLASSES];
          float fp[WM_MAX_CLASSES];
          guint best_i = 0, best_f = 0;

          for (guint j = 0; j < frames * spec.channels; j++)
            {
              in[j] = (gint16) g_rand_int_range (rand, -6000, 6000);
              fin[j] = in[j] / 4096.0f;
            }
          g_assert_cmpint (wm_classifier_run_window_i16 (&qi.cls, in, frames, p), ==, WM_OK);
          g_assert_cmpint (wm_classifier_run_window_f32 (&qf.cls, fin, frames, fp), ==, WM_OK);
          for (guint k = 0; k < spec.n_classes; k++)
            {
              double err = fabs (p[k] / 65536.0 - fp[k]);

              max_err = MAX (max_err, err);
              sum_err += err;
              if (p[k] > p[best_i])
                best_i = k;
              if (fp[k] > fp[best_f])
                best_f = k;
            }
          agree += best_i == best_f;
          total++;
        }
      loaded_clear (&qi);
      loaded_clear (&qf);
    }
  g_test_message ("int8 vs f32: top-class agreement %u/%u, max abs error %.4f, mean %.4f",
                  agree, total, max_err, sum_err / (total * 4));
  g_assert_cmpfloat ((double) agree / total, >=, 0.98);
  g_assert_cmpfloat (sum_err / (total * 4), <, 0.005);
}

static void
test_int8_vs_f32_logmel (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  double max_err = 0;

  for (guint seed = 1; seed <= 5; seed++)
    {
      WmmSpec spec = logmel_spec (WM_VARIANT_INT8, seed);
      Loaded qi = { 0 }, qf = { 0 };
      guint32 frames;

      load (&qi, &spec);
      spec.variant = WM_VARIANT_F32;
      load (&qf, &spec);
      frames = wm_model_window_frames (&qi.model);
      for (guint trial = 0; trial < 10; trial++)
        {
          g_autofree gint16 *in = g_new (gint16, frames);
          g_autofree float *fin = g_new (float, frames);
          guint16 p[WM_MAX_CLASSES];
          float fp[WM_MAX_CLASSES];

          make_audio (rand, in, frames);
          for (guint j = 0; j < frames; j++)
            fin[j] = in[j] / 32768.0f;
          g_assert_cmpint (wm_classifier_run_window_i16 (&qi.cls, in, frames, p), ==, WM_OK);
          g_assert_cmpint (wm_classifier_run_window_f32 (&qf.cls, fin, frames, fp), ==, WM_OK);
          for (guint k = 0; k < spec.n_classes; k++)
            max_err = MAX (max_err, fabs (p[k] / 65536.0 - fp[k]));
        }
      loaded_clear (&qi);
      loaded_clear (&qf);
    }
  g_test_message ("int8 vs f32 with log-mel: max abs probability error %.4f", max_err);
  g_assert_cmpfloat (max_err, <, 0.02);
}

typedef struct
{
  GArray *windows;   /* of guint32 index, then n_classes floats or u16 */
  guint n_classes;
  guint32 hop_frames;
} Collected;

static void
collect_window (void              *user_data,
                const wm_window_t *window)
{
  Collected *c = user_data;

  g_assert_cmpuint (window->start_frame, ==, window->index * c->hop_frames);
  g_assert_cmpuint (window->index, ==, c->windows->len / (c->n_classes + 1));
  g_array_append_val (c->windows, window->index);
  for (guint k = 0; k < window->n_classes; k++)
    {
      float v = window->probs ? window->probs[k] : window->probs_q16[k];

      g_assert_true ((window->probs == NULL) != (window->probs_q16 == NULL));
      g_array_append_val (c->windows, v);
    }
}

static void
check_streaming_mode (const WmmSpec *spec,
                      gboolean       packed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (spec->seed + 100);
  gboolean int8 = spec->variant == WM_VARIANT_INT8;
  Loaded l = { 0 };
  Collected c;
  guint32 win, hop, n_frames, channels, expected, f = 0;
  g_autofree gint16 *in = NULL;
  g_autofree float *fin = NULL;
  guint32 size;

  l.file = wmm_build (spec);
  g_assert_cmpint (wm_model_parse (l.file->data, l.file->len, &l.model), ==, WM_OK);
  size = packed ? wm_classifier_packed_buffer_size (&l.model) : wm_classifier_buffer_size (&l.model);
  l.buffer = g_malloc0 (size);
  c.windows = g_array_new (FALSE, FALSE, 4);
  c.n_classes = l.model.n_classes;
  c.hop_frames = wm_model_hop_frames (&l.model);
  g_assert_cmpint (wm_classifier_init (&l.cls, &l.model, l.buffer, size, collect_window, &c), ==, WM_OK);
  g_assert_true ((l.cls.packed[0] != NULL) == packed);
  if (packed && spec->variant == WM_VARIANT_INT8)
    g_assert_nonnull (l.cls.px_ring);

  win = wm_model_window_frames (&l.model);
  hop = wm_model_hop_frames (&l.model);
  channels = l.model.frontend.channels;
  n_frames = win + 7 * hop + hop / 2;
  in = g_new (gint16, n_frames * channels);
  fin = g_new (float, n_frames * channels);
  if (l.model.frontend.kind == WM_FRONTEND_LOGMEL)
    make_audio (rand, in, n_frames);
  else
    for (guint j = 0; j < n_frames * channels; j++)
      in[j] = (gint16) g_rand_int_range (rand, -8000, 8000);
  for (guint j = 0; j < n_frames * channels; j++)
    fin[j] = in[j] * (l.model.frontend.kind == WM_FRONTEND_LOGMEL ? 1 / 32768.0f : 1 / 4096.0f);

  /* Random chunk sizes, including empty pushes. */
  while (f < n_frames)
    {
      guint32 n = MIN ((guint32) g_rand_int_range (rand, 0, 2 * hop + 3), n_frames - f);

      if (int8)
        g_assert_cmpint (wm_classifier_push_i16 (&l.cls, in + f * channels, n), ==, WM_OK);
      else
        g_assert_cmpint (wm_classifier_push_f32 (&l.cls, fin + f * channels, n), ==, WM_OK);
      f += n;
    }

  expected = (n_frames - win) / hop + 1;
  g_assert_cmpuint (c.windows->len, ==, expected * (c.n_classes + 1));
  for (guint w = 0; w < expected; w++)
    {
      guint16 p[WM_MAX_CLASSES];
      float fp[WM_MAX_CLASSES];
      const float *streamed = &g_array_index (c.windows, float, w * (c.n_classes + 1) + 1);

      if (int8)
        {
          g_assert_cmpint (wm_classifier_run_window_i16 (&l.cls, in + w * hop * channels, win, p), ==, WM_OK);
          for (guint k = 0; k < c.n_classes; k++)
            g_assert_cmpfloat (streamed[k], ==, p[k]);
        }
      else
        {
          g_assert_cmpint (wm_classifier_run_window_f32 (&l.cls, fin + w * hop * channels, win, fp), ==, WM_OK);
          for (guint k = 0; k < c.n_classes; k++)
            g_assert_cmpfloat (streamed[k], ==, fp[k]);
        }
    }

  /* After reset, the numbering starts again at 0 (collect_window checks it). */
  g_array_set_size (c.windows, 0);
  wm_classifier_reset (&l.cls);
  if (int8)
    g_assert_cmpint (wm_classifier_push_i16 (&l.cls, in, win), ==, WM_OK);
  else
    g_assert_cmpint (wm_classifier_push_f32 (&l.cls, fin, win), ==, WM_OK);
  g_assert_cmpuint (c.windows->len, ==, c.n_classes + 1);

  g_array_unref (c.windows);
  loaded_clear (&l);
}

/* Streamed windows equal one-shot windows, in the device's compact mode and in packed mode
 * (where layer 0's input half is computed once per feature frame and reused by the
 * overlapping windows). */
static void
check_streaming (const WmmSpec *spec)
{
  check_streaming_mode (spec, FALSE);
  check_streaming_mode (spec, TRUE);
}

static void
test_streaming (void)
{
  for (wm_variant_t v = WM_VARIANT_INT8; v <= WM_VARIANT_F32; v++)
    {
      WmmSpec spec;

      wmm_spec_init (&spec);
      spec.variant = v;
      spec.frontend = WM_FRONTEND_RAW;
      check_streaming (&spec);

      spec.frontend = WM_FRONTEND_SENSOR;
      spec.n_layers = 2;
      spec.hidden[1] = 6;
      spec.window = 10;
      spec.hop = 3;
      check_streaming (&spec);

      /* Hop longer than the window: frames between windows are skipped. */
      spec.window = 5;
      spec.hop = 9;
      spec.output = WM_OUTPUT_SIGMOID;
      check_streaming (&spec);

      spec = logmel_spec (v, 4);
      check_streaming (&spec);
    }
}

/* The last window's final hidden and cell states of every layer, byte for byte: they are
 * compared as well as the probabilities, which can hide a difference (saturation). */
static void
assert_same_states (const wm_model_t      *model,
                    const wm_classifier_t *a,
                    const wm_classifier_t *b)
{
  guint value = model->variant == WM_VARIANT_INT8 ? 1 : 4;
  guint state = model->variant == WM_VARIANT_INT8 ? 2 : 4;

  for (guint l = 0; l < model->n_layers; l++)
    {
      g_assert_cmpmem (a->h[l], value * model->layers[l].n_hidden, b->h[l], value * model->layers[l].n_hidden);
      g_assert_cmpmem (a->c[l], state * model->layers[l].n_hidden, b->c[l], state * model->layers[l].n_hidden);
    }
}

/* The packed kernels (SIMD layout, rows padded to a multiple of 4 per gate, columns in
 * pairs) must give exactly the compact kernels' results, for every padding case. */
static void
test_packed_equals_compact (void)
{
  static const guint hidden[] = { 1, 2, 3, 5, 6, 8, 13, 32, 33 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);

  for (wm_variant_t v = WM_VARIANT_INT8; v <= WM_VARIANT_F32; v++)
    for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
      {
        WmmSpec spec;
        g_autoptr(GByteArray) file = NULL;
        wm_model_t model;
        wm_classifier_t compact, packed;
        g_autofree guint64 *small = NULL, *large = NULL;
        guint32 frames;

        wmm_spec_init (&spec);
        spec.variant = v;
        spec.seed = 20 + i;
        spec.n_layers = 2;
        spec.hidden[0] = hidden[i];
        spec.hidden[1] = hidden[(i + 2) % G_N_ELEMENTS (hidden)];
        spec.channels = 1 + i % 6;
        file = wmm_build (&spec);
        g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
        g_assert_cmpuint (wm_classifier_packed_buffer_size (&model), >, wm_classifier_buffer_size (&model));
        small = g_malloc0 (wm_classifier_buffer_size (&model));
        large = g_malloc0 (wm_classifier_packed_buffer_size (&model));
        g_assert_cmpint (wm_classifier_init (&compact, &model, small, wm_classifier_buffer_size (&model), NULL, NULL), ==, WM_OK);
        g_assert_cmpint (wm_classifier_init (&packed, &model, large, wm_classifier_packed_buffer_size (&model), NULL, NULL), ==, WM_OK);
        g_assert_null (compact.packed[0]);
        g_assert_nonnull (packed.packed[1]);
        frames = wm_model_window_frames (&model);

        for (guint trial = 0; trial < 20; trial++)
          {
            g_autofree gint16 *in = g_new (gint16, frames * spec.channels);
            g_autofree float *fin = g_new (float, frames * spec.channels);
            guint16 p1[WM_MAX_CLASSES], p2[WM_MAX_CLASSES];
            float f1[WM_MAX_CLASSES], f2[WM_MAX_CLASSES];

            for (guint j = 0; j < frames * spec.channels; j++)
              {
                in[j] = (gint16) g_rand_int_range (rand, -9000, 9000);
                fin[j] = in[j] / 4096.0f;
              }
            if (v == WM_VARIANT_INT8)
              {
                g_assert_cmpint (wm_classifier_run_window_i16 (&compact, in, frames, p1), ==, WM_OK);
                g_assert_cmpint (wm_classifier_run_window_i16 (&packed, in, frames, p2), ==, WM_OK);
                g_assert_cmpmem (p1, 2 * spec.n_classes, p2, 2 * spec.n_classes);
              }
            else
              {
                g_assert_cmpint (wm_classifier_run_window_f32 (&compact, fin, frames, f1), ==, WM_OK);
                g_assert_cmpint (wm_classifier_run_window_f32 (&packed, fin, frames, f2), ==, WM_OK);
                g_assert_cmpmem (f1, 4 * spec.n_classes, f2, 4 * spec.n_classes);
              }
            assert_same_states (&model, &compact, &packed);
          }
      }
}

static void
put_i32_at (GByteArray *file,
            guint32     offset,
            gint32      value)
{
  wmm_put_u32 (file, offset, (guint32) value);
}

/* Rewrites a built int8 model with edge values: weights −128/127, saturating biases,
 * multipliers 0 … 2^31−1, shifts −31 … 30, cell shifts −15 … −9, zero points ±128. */
static void
make_hostile (GByteArray *file,
              GRand      *rand,
              guint       n_layers)
{
  static const gint32 mults[] = { 0, 1, 1073741824, G_MAXINT32, 1518500250 };
  static const gint32 shifts[] = { -31, -25, -12, -1, 0, 1, 7, 30 };
  guint32 quant, data, len;
  gint32 zp = 0;

  g_assert_true (wmm_find_section (file, 2, &quant, &len, NULL));
  g_assert_true (wmm_find_section (file, 7, &data, &len, NULL));
  for (guint l = 0; l < n_layers; l++)
    {
      guint32 rec = quant + 12 + 92 * l;

      put_i32_at (file, rec + 4, zp);                                   /* x_zp */
      zp = g_rand_boolean (rand) ? (g_rand_boolean (rand) ? -128 : 127) : g_rand_int_range (rand, -128, 128);
      put_i32_at (file, rec + 12, zp);                                  /* h_zp */
      put_i32_at (file, rec + 16, g_rand_int_range (rand, -15, -8));    /* cell_shift */
      for (guint g = 0; g < 4; g++)
        {
          gboolean edge = g_rand_int_range (rand, 0, 3) == 0;

          put_i32_at (file, rec + 4 * (5 + g), edge ? mults[g_rand_int_range (rand, 0, 5)]
                                                    : g_rand_int_range (rand, 1 << 29, G_MAXINT32));
          put_i32_at (file, rec + 4 * (9 + g), edge ? shifts[g_rand_int_range (rand, 0, 8)]
                                                    : g_rand_int_range (rand, -12, -4));
          put_i32_at (file, rec + 4 * (13 + g), edge ? mults[g_rand_int_range (rand, 0, 5)]
                                                     : g_rand_int_range (rand, 1 << 29, G_MAXINT32));
          put_i32_at (file, rec + 4 * (17 + g), edge ? shifts[g_rand_int_range (rand, 0, 8)]
                                                     : g_rand_int_range (rand, -12, -4));
        }
      put_i32_at (file, rec + 84, g_rand_boolean (rand) ? G_MAXINT32 : g_rand_int_range (rand, 1 << 29, G_MAXINT32));
      put_i32_at (file, rec + 88, g_rand_boolean (rand) ? shifts[g_rand_int_range (rand, 0, 8)] : -20);

      for (guint g = 0; g < 4; g++)
        for (guint kind = 1; kind <= 4; kind++)
          {
            guint32 e = wmm_find_tensor (file, kind, l, g);
            guint32 at = data + wmm_get_u32 (file, e + 24), n = wmm_get_u32 (file, e + 28);

            g_assert_cmpuint (e, !=, 0);
            if (kind <= 2)
              for (guint32 i = 0; i < n; i++)
                {
                  guint r = g_rand_int_range (rand, 0, 10);

                  if (r == 0)
                    file->data[at + i] = 0x80;  /* −128 */
                  else if (r == 1)
                    file->data[at + i] = 0x7f;
                }
            else
              for (guint32 i = 0; i + 4 <= n; i += 4)
                {
                  guint r = g_rand_int_range (rand, 0, 8);

                  if (r == 0)
                    put_i32_at (file, at + i, G_MAXINT32);
                  else if (r == 1)
                    put_i32_at (file, at + i, G_MININT32);
                  else if (r == 2)
                    put_i32_at (file, at + i, g_rand_int_range (rand, -(1 << 22), 1 << 22));
                }
          }
    }
  wmm_fix_crcs (file);
}

static void
test_packed_equals_compact_edges (void)
{
  static const guint hidden[] = { 1, 3, 4, 7, 16, 33 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);

  for (guint i = 0; i < 3 * G_N_ELEMENTS (hidden); i++)
    {
      WmmSpec spec;
      g_autoptr(GByteArray) file = NULL;
      wm_model_t model;
      wm_classifier_t compact, packed;
      g_autofree guint64 *small = NULL, *large = NULL;
      guint32 frames;

      wmm_spec_init (&spec);
      spec.seed = 300 + i;
      spec.n_layers = 1 + i % 3;
      for (guint l = 0; l < spec.n_layers; l++)
        spec.hidden[l] = hidden[(i + l) % G_N_ELEMENTS (hidden)];
      spec.channels = 1 + i % 5;
      spec.weight_range = 2.0;
      file = wmm_build (&spec);
      make_hostile (file, rand, spec.n_layers);
      g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
      small = g_malloc0 (wm_classifier_buffer_size (&model));
      large = g_malloc0 (wm_classifier_packed_buffer_size (&model));
      g_assert_cmpint (wm_classifier_init (&compact, &model, small, wm_classifier_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_cmpint (wm_classifier_init (&packed, &model, large, wm_classifier_packed_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_nonnull (packed.px_ring);
      frames = wm_model_window_frames (&model);

      for (guint trial = 0; trial < 12; trial++)
        {
          g_autofree gint16 *in = g_new (gint16, frames * spec.channels);
          guint16 p1[WM_MAX_CLASSES], p2[WM_MAX_CLASSES];

          for (guint j = 0; j < frames * spec.channels; j++)
            in[j] = trial % 4 == 0 ? (gint16) (j % 2 ? G_MININT16 : G_MAXINT16)
                                   : (gint16) g_rand_int_range (rand, G_MININT16, G_MAXINT16 + 1);
          g_assert_cmpint (wm_classifier_run_window_i16 (&compact, in, frames, p1), ==, WM_OK);
          g_assert_cmpint (wm_classifier_run_window_i16 (&packed, in, frames, p2), ==, WM_OK);
          g_assert_cmpmem (p1, 2 * spec.n_classes, p2, 2 * spec.n_classes);
          assert_same_states (&model, &compact, &packed);
        }
    }
}

/* The packed log-mel DFT rows give exactly the in-place DFT's energies,
 * also at full scale, where the products reach ±2^30. */
static void
test_packed_logmel_equals_compact (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);

  for (guint seed = 0; seed < 3; seed++)
    {
      WmmSpec spec = logmel_spec (WM_VARIANT_INT8, 40 + seed);
      g_autoptr(GByteArray) file = NULL;
      wm_model_t model;
      wm_classifier_t compact, packed;
      g_autofree guint64 *small = NULL, *large = NULL;
      guint32 frames;

      spec.frame_length = seed == 2 ? 512 : 256;
      file = wmm_build (&spec);
      g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
      small = g_malloc0 (wm_classifier_buffer_size (&model));
      large = g_malloc0 (wm_classifier_packed_buffer_size (&model));
      g_assert_cmpint (wm_classifier_init (&compact, &model, small, wm_classifier_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_cmpint (wm_classifier_init (&packed, &model, large, wm_classifier_packed_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_null (compact.dft_rows);
      g_assert_nonnull (packed.dft_rows);
      /* The builder's cosine table has a cosine's symmetries: the folded rows are used. */
      g_assert_cmpint (((const gint16 *) packed.dft_rows)[0], ==, 1);
      frames = wm_model_window_frames (&model);

      for (guint trial = 0; trial < 12; trial++)
        {
          g_autofree gint16 *in = g_new (gint16, frames);
          guint16 p1[WM_MAX_CLASSES], p2[WM_MAX_CLASSES];

          if (trial % 3 == 0)
            make_audio (rand, in, frames);
          else
            for (guint j = 0; j < frames; j++)
              in[j] = trial % 3 == 1 ? (gint16) (j % 2 ? G_MININT16 : G_MAXINT16)
                                     : (gint16) g_rand_int_range (rand, G_MININT16, G_MAXINT16 + 1);
          g_assert_cmpint (wm_classifier_run_window_i16 (&compact, in, frames, p1), ==, WM_OK);
          g_assert_cmpint (wm_classifier_run_window_i16 (&packed, in, frames, p2), ==, WM_OK);
          g_assert_cmpmem (p1, 2 * spec.n_classes, p2, 2 * spec.n_classes);
        }

      /* The energies themselves, before any quantisation can hide a difference. */
      {
        g_autofree gint16 *ring = g_new (gint16, spec.frame_length);
        g_autofree guint64 *scratch = g_malloc0 (wm_frontend_scratch_size (&model) + 8);
        g_autofree gint16 *rows = g_malloc (wm_logmel_packed_size (&model));
        gint32 a[WM_MAX_MELS], b[WM_MAX_MELS];

        wm_logmel_pack (&model, rows);
        for (guint trial = 0; trial < 20; trial++)
          {
            for (guint j = 0; j < spec.frame_length; j++)
              ring[j] = (gint16) g_rand_int_range (rand, G_MININT16, G_MAXINT16 + 1);
            wm_logmel_lq (&model, ring, spec.frame_length, trial % spec.frame_length, a, scratch, NULL);
            wm_logmel_lq (&model, ring, spec.frame_length, trial % spec.frame_length, b, scratch, rows);
            g_assert_cmpmem (a, 4 * spec.n_mels, b, 4 * spec.n_mels);
          }
      }
    }
}

/* A cosine table without the symmetries (one entry changed, or entries beyond ±2^14) takes
 * the full DFT rows; still the same energies as the in-place DFT. */
static void
test_packed_logmel_unfolded (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (32);

  for (guint variant = 0; variant < 2; variant++)
    {
      WmmSpec spec = logmel_spec (WM_VARIANT_INT8, 60 + variant);
      g_autoptr(GByteArray) file = wmm_build (&spec);
      guint32 data, len, e, at;
      wm_model_t model;
      wm_classifier_t compact, packed;
      g_autofree guint64 *small = NULL, *large = NULL;
      guint32 frames;

      g_assert_true (wmm_find_section (file, 7, &data, &len, NULL));
      e = wmm_find_tensor (file, 13, 0, 0);
      g_assert_cmpuint (e, !=, 0);
      at = data + wmm_get_u32 (file, e + 24);
      if (variant == 0)
        {
          file->data[at + 2 * 5] ^= 1;
        }
      else
        {
          /* Scaled to full int16 range: symmetric, but too large for the folded sums. */
          for (guint n = 0; n < spec.frame_length; n++)
            {
              gint16 v = (gint16) (file->data[at + 2 * n] | file->data[at + 2 * n + 1] << 8);
              gint32 w = CLAMP (v * 2, -32767, 32767);

              file->data[at + 2 * n] = (guint8) (w & 0xff);
              file->data[at + 2 * n + 1] = (guint8) ((w >> 8) & 0xff);
            }
        }
      wmm_fix_crcs (file);
      g_assert_cmpint (wm_model_parse (file->data, file->len, &model), ==, WM_OK);
      small = g_malloc0 (wm_classifier_buffer_size (&model));
      large = g_malloc0 (wm_classifier_packed_buffer_size (&model));
      g_assert_cmpint (wm_classifier_init (&compact, &model, small, wm_classifier_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_cmpint (wm_classifier_init (&packed, &model, large, wm_classifier_packed_buffer_size (&model), NULL, NULL), ==, WM_OK);
      g_assert_nonnull (packed.dft_rows);
      g_assert_cmpint (((const gint16 *) packed.dft_rows)[0], ==, 0);
      frames = wm_model_window_frames (&model);
      for (guint trial = 0; trial < 6; trial++)
        {
          g_autofree gint16 *in = g_new (gint16, frames);
          guint16 p1[WM_MAX_CLASSES], p2[WM_MAX_CLASSES];

          for (guint j = 0; j < frames; j++)
            in[j] = trial % 2 ? (gint16) g_rand_int_range (rand, G_MININT16, G_MAXINT16 + 1)
                              : (gint16) (j % 2 ? G_MININT16 : G_MAXINT16);
          g_assert_cmpint (wm_classifier_run_window_i16 (&compact, in, frames, p1), ==, WM_OK);
          g_assert_cmpint (wm_classifier_run_window_i16 (&packed, in, frames, p2), ==, WM_OK);
          g_assert_cmpmem (p1, 2 * spec.n_classes, p2, 2 * spec.n_classes);
          assert_same_states (&model, &compact, &packed);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inference/classifier/float-vs-double", test_float_vs_double);
  g_test_add_func ("/inference/classifier/logmel-int", test_logmel_int);
  g_test_add_func ("/inference/classifier/logmel-float", test_logmel_float);
  g_test_add_func ("/inference/classifier/int8-vs-f32", test_int8_vs_f32);
  g_test_add_func ("/inference/classifier/int8-vs-f32-logmel", test_int8_vs_f32_logmel);
  g_test_add_func ("/inference/classifier/streaming", test_streaming);
  g_test_add_func ("/inference/classifier/packed-equals-compact", test_packed_equals_compact);
  g_test_add_func ("/inference/classifier/packed-logmel-equals-compact", test_packed_logmel_equals_compact);
  g_test_add_func ("/inference/classifier/packed-logmel-unfolded", test_packed_logmel_unfolded);
  g_test_add_func ("/inference/classifier/packed-equals-compact-edges", test_packed_equals_compact_edges);

  return g_test_run ();
}
