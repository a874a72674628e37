/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <math.h>
#include <string.h>

#include "wmm-builder.h"

#define X_SCALE (8.0 / 255.0)
#define X_ZP 3
#define H_SCALE (2.0 / 255.0)
#define H_ZP (-1)
#define CELL_SHIFT (-11)

enum { S_ARCH = 1, S_QUANT, S_FRONTEND, S_CLASSES, S_CONTEXT, S_TENSORS, S_DATA };

void
wmm_spec_init (WmmSpec *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->variant = WM_VARIANT_INT8;
  spec->frontend = WM_FRONTEND_SENSOR;
  spec->output = WM_OUTPUT_SOFTMAX;
  spec->n_layers = 1;
  spec->hidden[0] = 8;
  spec->n_classes = 3;
  spec->channels = 3;
  spec->window = 16;
  spec->hop = 8;
  spec->frame_length = 1;
  spec->frame_step = 1;
  spec->sample_rate = 100;
  spec->seed = 1;
  spec->weight_range = 0.5;
}

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
put_i32 (GByteArray *a,
         gint32      v)
{
  put_u32 (a, (guint32) v);
}

static void
put_f32 (GByteArray *a,
         float       v)
{
  guint32 u;

  memcpy (&u, &v, 4);
  put_u32 (a, u);
}

static void
put_i16 (GByteArray *a,
         gint16      v)
{
  guint8 b[2] = { (guint16) v & 0xff, (guint16) v >> 8 };

  g_byte_array_append (a, b, 2);
}

static void
pad_to (GByteArray *a,
        guint       align)
{
  static const guint8 zero[8] = { 0 };

  while (a->len % align != 0)
    g_byte_array_append (a, zero, 1);
}

static gint64
round_away (double v)
{
  return (gint64) (v < 0 ? -floor (-v + 0.5) : floor (v + 0.5));
}

static gint32
clamp_i32 (gint64 v)
{
  return (gint32) CLAMP (v, G_MININT32, G_MAXINT32);
}

/* FORMAT.md 3.1 qm(). */
static void
quantize_multiplier (double   real,
                     gint32  *mult,
                     gint32  *shift)
{
  int exp;
  double mant;
  gint64 q;

  if (real == 0.0)
    {
      *mult = 0;
      *shift = 0;
      return;
    }
  mant = frexp (real, &exp);
  q = round_away (mant * 2147483648.0);
  if (q == G_GINT64_CONSTANT (2147483648))
    {
      q /= 2;
      exp++;
    }
  if (exp < -31)
    {
      q = 0;
      exp = 0;
    }
  g_assert_cmpint (exp, <=, 30);
  *mult = (gint32) q;
  *shift = exp;
}

typedef struct
{
  GByteArray *table;
  GByteArray *data;
  guint count;
} Tensors;

static void
tensor_begin (Tensors    *t,
              guint8      kind,
              guint8      layer,
              guint8      gate,
              guint8      dtype,
              guint32     dim0,
              guint32     dim1,
              float       scale,
              const char *name)
{
  guint8 head[8] = { kind, layer, gate, dtype, dim1 == 1 ? 1 : 2, 0, 0, 0 };
  guint size = dtype == 1 ? 1 : dtype == 2 ? 2 : 4;
  char padded[16] = { 0 };

  pad_to (t->data, 4);
  g_byte_array_append (t->table, head, 8);
  put_u32 (t->table, dim0);
  put_u32 (t->table, dim1);
  put_f32 (t->table, scale);
  put_i32 (t->table, 0);
  put_u32 (t->table, t->data->len);
  put_u32 (t->table, dim0 * dim1 * size);
  g_strlcpy (padded, name, sizeof padded);
  g_byte_array_append (t->table, (const guint8 *) padded, 16);
  t->count++;
}

static void
add_f32_tensor (Tensors      *t,
                guint8        kind,
                guint8        layer,
                guint8        gate,
                guint32       dim0,
                guint32       dim1,
                const double *values,
                const char   *name)
{
  tensor_begin (t, kind, layer, gate, 4, dim0, dim1, 1.0f, name);
  for (guint i = 0; i < dim0 * dim1; i++)
    put_f32 (t->data, (float) values[i]);
}

static void
add_i32_tensor (Tensors      *t,
                guint8        kind,
                guint32       n,
                const gint32 *values,
                const char   *name)
{
  tensor_begin (t, kind, 0, 0, 3, n, 1, 1.0f, name);
  for (guint i = 0; i < n; i++)
    put_i32 (t->data, values[i]);
}

/* Symmetric per-tensor int8 quantisation; returns the scale. */
static double
add_int8_weights (Tensors      *t,
                  guint8        kind,
                  guint8        layer,
                  guint8        gate,
                  guint32       rows,
                  guint32       cols,
                  const double *w,
                  gint64       *row_sums,
                  const char   *name)
{
  double max = 1e-6, scale;

  for (guint i = 0; i < rows * cols; i++)
    max = MAX (max, fabs (w[i]));
  scale = max / 127.0;
  tensor_begin (t, kind, layer, gate, 1, rows, cols, (float) scale, name);
  for (guint r = 0; r < rows; r++)
    {
      row_sums[r] = 0;
      for (guint c = 0; c < cols; c++)
        {
          gint64 q = CLAMP (round_away (w[r * cols + c] / scale), -127, 127);
          guint8 b = (guint8) (gint8) q;

          row_sums[r] += q;
          g_byte_array_append (t->data, &b, 1);
        }
    }
  return scale;
}

static double *
random_array (GRand  *rand,
              guint   n,
              double  range)
{
  double *a = g_new (double, n);

  for (guint i = 0; i < n; i++)
    a[i] = g_rand_double_range (rand, -range, range);
  return a;
}

static void
add_string_list (GByteArray         *sec,
                 const char * const *strings,
                 guint               n)
{
  guint32 at = 4 + 8 * n;

  put_u32 (sec, n);
  for (guint i = 0; i < n; i++)
    {
      put_u32 (sec, at);
      put_u32 (sec, strlen (strings[i]));
      at += strlen (strings[i]) + 1;
    }
  for (guint i = 0; i < n; i++)
    g_byte_array_append (sec, (const guint8 *) strings[i], strlen (strings[i]) + 1);
}

static double
hz_to_mel (double hz)
{
  return 2595.0 * log10 (1.0 + hz / 700.0);
}

static double
mel_to_hz (double mel)
{
  return 700.0 * (pow (10.0, mel / 2595.0) - 1.0);
}

/* Front-end tensors; returns nothing, fills t. */
static void
add_frontend_tensors (const WmmSpec *spec,
                      Tensors       *t,
                      GRand         *rand,
                      guint          n_features,
                      const double  *in_scale)
{
  gboolean int8 = spec->variant == WM_VARIANT_INT8;
  gboolean logmel = spec->frontend == WM_FRONTEND_LOGMEL;
  g_autofree double *mean = g_new0 (double, n_features);
  g_autofree double *inv_std = g_new0 (double, n_features);

  for (guint i = 0; i < n_features; i++)
    {
      if (logmel)
        {
          mean[i] = 24.0;
          inv_std[i] = 0.25;
        }
      else if (spec->frontend == WM_FRONTEND_SENSOR)
        {
          mean[i] = g_rand_double_range (rand, -0.5, 0.5);
          inv_std[i] = g_rand_double_range (rand, 0.5, 2.0);
        }
      else
        {
          mean[i] = 0.0;
          inv_std[i] = 1.0;
        }
    }

  if (int8)
    {
      g_autofree gint32 *off = g_new (gint32, n_features);
      g_autofree gint32 *mult = g_new (gint32, n_features);
      g_autofree gint32 *shift = g_new (gint32, n_features);

      for (guint i = 0; i < n_features; i++)
        {
          if (logmel)
            {
              off[i] = (gint32) round_away (mean[i] * 1024.0);
              quantize_multiplier (inv_std[i] / 1024.0 / X_SCALE, &mult[i], &shift[i]);
            }
          else
            {
              off[i] = (gint32) round_away (mean[i] / in_scale[i]);
              quantize_multiplier (in_scale[i] * inv_std[i] / X_SCALE, &mult[i], &shift[i]);
            }
        }
      add_i32_tensor (t, 7, n_features, off, "fe.offset");
      add_i32_tensor (t, 8, n_features, mult, "fe.mult");
      add_i32_tensor (t, 9, n_features, shift, "fe.shift");
    }
  else
    {
      add_f32_tensor (t, 10, 0, 0, n_features, 1, mean, "fe.mean");
      add_f32_tensor (t, 11, 0, 0, n_features, 1, inv_std, "fe.inv_std");
    }

  if (logmel)
    {
      guint L = spec->frame_length, bins = L / 2 + 1, M = spec->n_mels;
      g_autofree double *win = g_new (double, L);
      g_autofree double *cosv = g_new (double, L);
      g_autofree double *mel = g_new0 (double, M * bins);
      g_autofree double *hz = g_new (double, M + 2);
      double top = hz_to_mel (spec->sample_rate / 2.0);

      for (guint n = 0; n < L; n++)
        {
          win[n] = 0.5 - 0.5 * cos (2 * G_PI * n / L);
          cosv[n] = cos (2 * G_PI * n / L);
        }
      for (guint i = 0; i < M + 2; i++)
        hz[i] = mel_to_hz (top * i / (M + 1));
      for (guint m = 0; m < M; m++)
        for (guint k = 0; k < bins; k++)
          {
            double f = (double) k * spec->sample_rate / L;
            double up = (f - hz[m]) / (hz[m + 1] - hz[m]);
            double down = (hz[m + 2] - f) / (hz[m + 2] - hz[m + 1]);

            mel[m * bins + k] = MAX (0.0, MIN (up, down));
          }

      if (int8)
        {
          tensor_begin (t, 12, 0, 0, 2, L, 1, 1.0f, "fe.window");
          for (guint n = 0; n < L; n++)
            put_i16 (t->data, (gint16) round_away (32767 * win[n]));
          tensor_begin (t, 13, 0, 0, 2, L, 1, 1.0f, "fe.cos");
          for (guint n = 0; n < L; n++)
            put_i16 (t->data, (gint16) round_away (16384 * cosv[n]));
          tensor_begin (t, 14, 0, 0, 2, M, bins, 1.0f, "fe.mel");
          for (guint i = 0; i < M * bins; i++)
            put_i16 (t->data, (gint16) round_away (32767 * mel[i]));
        }
      else
        {
          add_f32_tensor (t, 12, 0, 0, L, 1, win, "fe.window");
          add_f32_tensor (t, 13, 0, 0, L, 1, cosv, "fe.cos");
          add_f32_tensor (t, 14, 0, 0, M, bins, mel, "fe.mel");
        }
    }
}

GByteArray *
wmm_build (const WmmSpec *spec)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (spec->seed);
  gboolean int8 = spec->variant == WM_VARIANT_INT8;
  gboolean logmel = spec->frontend == WM_FRONTEND_LOGMEL;
  guint n_features = logmel ? spec->n_mels : spec->channels;
  guint channels = logmel ? 1 : spec->channels;
  double range = spec->weight_range > 0 ? spec->weight_range : 0.5;
  GByteArray *sections[8] = { NULL };
  g_autofree double *in_scale = g_new (double, channels);
  Tensors t = { g_byte_array_new (), g_byte_array_new (), 0 };
  GByteArray *quant_layers = g_byte_array_new ();
  GByteArray *file;
  guint n_sections = 0, at;
  guint32 n_in = n_features;

  for (guint c = 0; c < channels; c++)
    in_scale[c] = logmel ? 1.0 / 32768.0 : 1.0 / 4096.0;

  /* LSTM layers: the same random floats for both variants of one seed. */
  for (guint l = 0; l < spec->n_layers; l++)
    {
      guint H = spec->hidden[l];
      double x_scale = l == 0 ? X_SCALE : H_SCALE;
      gint32 x_zp = l == 0 ? X_ZP : H_ZP;
      gint32 gx_mult[4], gx_shift[4], gh_mult[4], gh_shift[4], hidden_mult, hidden_shift;

      for (guint g = 0; g < 4; g++)
        {
          g_autofree double *wx = random_array (rand, H * n_in, range);
          g_autofree double *wh = random_array (rand, H * H, range);
          g_autofree double *b = random_array (rand, H, range);
          char name[16];

          if (int8)
            {
              g_autofree gint64 *sx = g_new (gint64, H);
              g_autofree gint64 *sh = g_new (gint64, H);
              g_autofree gint32 *bx = g_new (gint32, H);
              g_autofree gint32 *bh = g_new (gint32, H);
              double swx, swh;

              g_snprintf (name, sizeof name, "l%u.wx.%c", l, "ifgo"[g]);
              swx = add_int8_weights (&t, 1, l, g, H, n_in, wx, sx, name);
              g_snprintf (name, sizeof name, "l%u.wh.%c", l, "ifgo"[g]);
              swh = add_int8_weights (&t, 2, l, g, H, H, wh, sh, name);
              for (guint r = 0; r < H; r++)
                {
                  bx[r] = clamp_i32 (round_away (b[r] / (x_scale * swx)) - (gint64) x_zp * sx[r]);
                  bh[r] = clamp_i32 (-(gint64) H_ZP * sh[r]);
                }
              tensor_begin (&t, 3, l, g, 3, H, 1, 1.0f, "bx");
              for (guint r = 0; r < H; r++)
                put_i32 (t.data, bx[r]);
              tensor_begin (&t, 4, l, g, 3, H, 1, 1.0f, "bh");
              for (guint r = 0; r < H; r++)
                put_i32 (t.data, bh[r]);
              quantize_multiplier (x_scale * swx * 4096.0, &gx_mult[g], &gx_shift[g]);
              quantize_multiplier (H_SCALE * swh * 4096.0, &gh_mult[g], &gh_shift[g]);
            }
          else
            {
              add_f32_tensor (&t, 1, l, g, H, n_in, wx, "wx");
              add_f32_tensor (&t, 2, l, g, H, H, wh, "wh");
              add_f32_tensor (&t, 3, l, g, H, 1, b, "bx");
            }
        }

      if (int8)
        {
          quantize_multiplier (1.0 / 1073741824.0 / H_SCALE, &hidden_mult, &hidden_shift);
          put_f32 (quant_layers, (float) x_scale);
          put_i32 (quant_layers, x_zp);
          put_f32 (quant_layers, (float) H_SCALE);
          put_i32 (quant_layers, H_ZP);
          put_i32 (quant_layers, CELL_SHIFT);
          for (guint g = 0; g < 4; g++)
            put_i32 (quant_layers, gx_mult[g]);
          for (guint g = 0; g < 4; g++)
            put_i32 (quant_layers, gx_shift[g]);
          for (guint g = 0; g < 4; g++)
            put_i32 (quant_layers, gh_mult[g]);
          for (guint g = 0; g < 4; g++)
            put_i32 (quant_layers, gh_shift[g]);
          put_i32 (quant_layers, hidden_mult);
          put_i32 (quant_layers, hidden_shift);
        }
      n_in = H;
    }

  /* Head. */
  {
    guint K = spec->n_classes;
    g_autofree double *w = random_array (rand, K * n_in, 2 * range);
    g_autofree double *b = random_array (rand, K, range);

    if (int8)
      {
        g_autofree gint64 *sums = g_new (gint64, K);
        g_autofree gint32 *bq = g_new (gint32, K);
        double sw = add_int8_weights (&t, 5, 0, 0, K, n_in, w, sums, "head.w");
        gint32 mult, shift;

        for (guint k = 0; k < K; k++)
          bq[k] = clamp_i32 (round_away (b[k] / (H_SCALE * sw)) - (gint64) H_ZP * sums[k]);
        add_i32_tensor (&t, 6, K, bq, "head.b");
        quantize_multiplier (H_SCALE * sw * 4096.0, &mult, &shift);
        sections[S_QUANT] = g_byte_array_new ();
        put_u32 (sections[S_QUANT], 1);
        put_u32 (sections[S_QUANT], 1);
        put_u32 (sections[S_QUANT], spec->n_layers);
        g_byte_array_append (sections[S_QUANT], quant_layers->data, quant_layers->len);
        put_i32 (sections[S_QUANT], mult);
        put_i32 (sections[S_QUANT], shift);
        put_i32 (sections[S_QUANT], 12);
      }
    else
      {
        add_f32_tensor (&t, 5, 0, 0, K, n_in, w, "head.w");
        add_f32_tensor (&t, 6, 0, 0, K, 1, b, "head.b");
      }
  }
  g_byte_array_unref (quant_layers);

  add_frontend_tensors (spec, &t, rand, n_features, in_scale);

  sections[S_ARCH] = g_byte_array_new ();
  put_u32 (sections[S_ARCH], 1);
  put_u32 (sections[S_ARCH], spec->n_layers);
  put_u32 (sections[S_ARCH], n_features);
  for (guint l = 0; l < WM_MAX_LAYERS; l++)
    put_u32 (sections[S_ARCH], l < spec->n_layers ? spec->hidden[l] : 0);
  put_u32 (sections[S_ARCH], spec->n_classes);
  put_u32 (sections[S_ARCH], spec->output);
  g_byte_array_append (sections[S_ARCH], (const guint8 *) "IFGO", 4);

  sections[S_FRONTEND] = g_byte_array_new ();
  put_u32 (sections[S_FRONTEND], spec->frontend);
  put_u32 (sections[S_FRONTEND], spec->sample_rate);
  put_u32 (sections[S_FRONTEND], channels);
  put_u32 (sections[S_FRONTEND], spec->window);
  put_u32 (sections[S_FRONTEND], spec->hop);
  put_u32 (sections[S_FRONTEND], logmel ? spec->frame_length : 1);
  put_u32 (sections[S_FRONTEND], logmel ? spec->frame_step : 1);
  put_u32 (sections[S_FRONTEND], logmel ? spec->n_mels : 0);
  for (guint c = 0; c < channels; c++)
    put_f32 (sections[S_FRONTEND], (float) in_scale[c]);

  {
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    static const char * const context[] = {
      "test-model", "1.0", "unit test", "sim,board", "", "2026-11-25T00:00:00Z"
    };

    for (guint k = 0; k < spec->n_classes; k++)
      g_ptr_array_add (names, g_strdup_printf ("class%u", k));
    sections[S_CLASSES] = g_byte_array_new ();
    add_string_list (sections[S_CLASSES], (const char * const *) names->pdata, names->len);
    sections[S_CONTEXT] = g_byte_array_new ();
    add_string_list (sections[S_CONTEXT], context, G_N_ELEMENTS (context));
  }

  sections[S_TENSORS] = g_byte_array_new ();
  put_u32 (sections[S_TENSORS], t.count);
  g_byte_array_append (sections[S_TENSORS], t.table->data, t.table->len);
  g_byte_array_unref (t.table);
  sections[S_DATA] = t.data;

  for (guint s = 1; s < 8; s++)
    if (sections[s] != NULL)
      n_sections++;

  file = g_byte_array_new ();
  g_byte_array_append (file, (const guint8 *) "WMM1", 4);
  put_u32 (file, 1 | ((guint32) spec->variant << 16));
  put_u32 (file, 0);
  put_u32 (file, n_sections);
  put_u32 (file, 32);
  put_u32 (file, 0);
  put_u32 (file, 0);
  put_u32 (file, 0);
  at = 32 + 16 * n_sections;
  at = (at + 7) & ~7u;
  for (guint s = 1; s < 8; s++)
    {
      if (sections[s] == NULL)
        continue;
      put_u32 (file, s);
      put_u32 (file, at);
      put_u32 (file, sections[s]->len);
      put_u32 (file, 0);
      at = (at + sections[s]->len + 7) & ~7u;
    }
  for (guint s = 1; s < 8; s++)
    {
      if (sections[s] == NULL)
        continue;
      pad_to (file, 8);
      g_byte_array_append (file, sections[s]->data, sections[s]->len);
      g_byte_array_unref (sections[s]);
    }
  pad_to (file, 8);
  wmm_put_u32 (file, 8, file->len);
  wmm_fix_crcs (file);
  return file;
}

void
wmm_put_u32 (GByteArray *file,
             guint32     offset,
             guint32     value)
{
  g_assert (offset + 4 <= file->len);
  file->data[offset] = value & 0xff;
  file->data[offset + 1] = (value >> 8) & 0xff;
  file->data[offset + 2] = (value >> 16) & 0xff;
  file->data[offset + 3] = value >> 24;
}

guint32
wmm_get_u32 (GByteArray *file,
             guint32     offset)
{
  g_assert (offset + 4 <= file->len);
  return file->data[offset] | ((guint32) file->data[offset + 1] << 8)
         | ((guint32) file->data[offset + 2] << 16) | ((guint32) file->data[offset + 3] << 24);
}

gboolean
wmm_find_section (GByteArray *file,
                  guint32     type,
                  guint32    *offset,
                  guint32    *length,
                  guint      *entry)
{
  guint32 count = wmm_get_u32 (file, 12);

  for (guint i = 0; i < count && 32 + 16 * (i + 1) <= file->len; i++)
    if (wmm_get_u32 (file, 32 + 16 * i) == type)
      {
        *offset = wmm_get_u32 (file, 32 + 16 * i + 4);
        *length = wmm_get_u32 (file, 32 + 16 * i + 8);
        if (entry != NULL)
          *entry = i;
        return TRUE;
      }
  return FALSE;
}

guint32
wmm_find_tensor (GByteArray *file,
                 guint8      kind,
                 guint8      layer,
                 guint8      gate)
{
  guint32 off, len, count;

  if (!wmm_find_section (file, S_TENSORS, &off, &len, NULL))
    return 0;
  count = wmm_get_u32 (file, off);
  for (guint i = 0; i < count; i++)
    {
      guint32 e = off + 4 + 48 * i;

      if (file->data[e] == kind && file->data[e + 1] == layer && file->data[e + 2] == gate)
        return e;
    }
  return 0;
}

void
wmm_fix_crcs (GByteArray *file)
{
  guint32 count = wmm_get_u32 (file, 12);
  guint32 size = MIN (wmm_get_u32 (file, 8), file->len);
  guint32 crc;

  for (guint i = 0; i < count && 32 + 16 * (i + 1) <= file->len; i++)
    {
      guint32 e = 32 + 16 * i;
      guint32 off = wmm_get_u32 (file, e + 4);
      guint32 len = wmm_get_u32 (file, e + 8);

      if (off <= file->len && len <= file->len - off)
        wmm_put_u32 (file, e + 12, wm_crc32 (0, file->data + off, len));
    }
  wmm_put_u32 (file, 20, 0);
  crc = wm_crc32 (0, file->data, size);
  wmm_put_u32 (file, 20, crc);
}
