/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The runtime's arithmetic against independent references: requantise against exact 128-bit
 * arithmetic, the int16 activations exhaustively against double precision. */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <math.h>

#include <glib.h>

#include "wm-math.h"
#include "wm-model.h"

/* The narrow arithmetic that AVR builds use, compiled here so the host can check it. */
#define WM_NARROW_ARITH 1
#include "wm-private.h"

/* Exact reference of FORMAT.md 3.1, written from the formulas with 128-bit integers. */
static gint32
ref_requantize (gint32 x,
                gint32 m,
                gint32 s)
{
  __int128 v = x;
  __int128 p, high, q;

  if (s > 0)
    {
      v = v * ((__int128) 1 << s);
      v = v > G_MAXINT32 ? G_MAXINT32 : v < G_MININT32 ? G_MININT32 : v;
    }
  p = v * m;
  p += p >= 0 ? ((__int128) 1 << 30) : 1 - ((__int128) 1 << 30);
  high = p / ((__int128) 1 << 31);   /* C division truncates toward zero */
  if (s >= 0)
    return (gint32) high;
  /* Round half away from zero, from the magnitude. */
  q = ((high < 0 ? -high : high) + ((__int128) 1 << (-s - 1))) >> -s;
  return (gint32) (high < 0 ? -q : q);
}

static void
test_requantize_edges (void)
{
  static const gint32 xs[] = {
    G_MININT32, G_MININT32 + 1, -1073741825, -1073741824, -65536, -32769, -3, -2, -1, 0, 1, 2,
    3, 32767, 65535, 1073741823, 1073741824, G_MAXINT32 - 1, G_MAXINT32
  };
  static const gint32 ms[] = {
    0, 1, 2, 1073741823, 1073741824, 1073741825, 1518500250, 2147483646, G_MAXINT32
  };
  guint checked = 0;

  for (gint32 s = -31; s <= 30; s++)
    for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
      for (guint j = 0; j < G_N_ELEMENTS (ms); j++)
        {
          gint32 got = wm_requantize (xs[i], ms[j], s);
          gint32 want = ref_requantize (xs[i], ms[j], s);

          if (got != want)
            g_error ("requantize(%d, %d, %d) = %d, reference %d", xs[i], ms[j], s, got, want);
          checked++;
        }
  g_assert_cmpuint (checked, ==, 62 * G_N_ELEMENTS (xs) * G_N_ELEMENTS (ms));

  /* Hand-checked values.  The doubling high multiply rounds ties upward (-1.5 → -1); the
   * divide rounds half away from zero; the two roundings compound (5/4 → 2.5 → 3 → 2). */
  g_assert_cmpint (wm_requantize (3, 1073741824, 0), ==, 2);
  g_assert_cmpint (wm_requantize (-3, 1073741824, 0), ==, -1);
  g_assert_cmpint (wm_requantize (5, 1073741824, -1), ==, 2);
  g_assert_cmpint (wm_requantize (6, 1073741824, -1), ==, 2);
  g_assert_cmpint (wm_requantize (-6, 1073741824, -1), ==, -2);
  g_assert_cmpint (wm_requantize (G_MAXINT32, G_MAXINT32, 30), ==, G_MAXINT32 - 1);
  g_assert_cmpint (wm_requantize (G_MININT32, G_MAXINT32, 0), ==, G_MININT32 + 1);
}

static void
test_requantize_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 2000000; i++)
    {
      gint32 x = (gint32) g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
      gint32 m = (gint32) (g_rand_int (rand) >> 1);
      gint32 s = g_rand_int_range (rand, -31, 31);

      if (wm_requantize (x, m, s) != ref_requantize (x, m, s))
        g_error ("requantize(%d, %d, %d) = %d, reference %d", x, m, s,
                 wm_requantize (x, m, s), ref_requantize (x, m, s));
    }
}

/* The narrow (AVR) multiply and shifts inside requantise must equal the wide ones. */
static void
test_requantize_narrow (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  static const gint32 xs[] = { G_MININT32, G_MININT32 + 1, -65536, -1, 0, 1, 65535, G_MAXINT32 };
  static const gint32 ms[] = { 0, 1, 65535, 65536, 1073741824, G_MAXINT32 };

  for (gint32 s = -31; s <= 30; s++)
    for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
      for (guint j = 0; j < G_N_ELEMENTS (ms); j++)
        g_assert_cmpint (wm_requantize_inline (xs[i], ms[j], s), ==, ref_requantize (xs[i], ms[j], s));
  for (guint i = 0; i < 2000000; i++)
    {
      gint32 x = (gint32) g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
      gint32 m = (gint32) (g_rand_int (rand) >> 1);
      gint32 s = g_rand_int_range (rand, -31, 31);

      if (wm_requantize_inline (x, m, s) != wm_requantize (x, m, s))
        g_error ("narrow requantize(%d, %d, %d) = %d, wide %d", x, m, s,
                 wm_requantize_inline (x, m, s), wm_requantize (x, m, s));
    }
}

/* The narrow (AVR) int8 dot product, pairs summed with 16-bit wrap-around, against a plain
 * sum: extremes (all -128, all 127, mixed) and random rows of every length up to 256. */
static void
test_dot_narrow (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (44);
  static const gint8 extremes[] = { -128, -127, -1, 0, 1, 127 };
  guint8 w[256];
  gint8 x[256];

  for (guint a = 0; a < G_N_ELEMENTS (extremes); a++)
    for (guint b = 0; b < G_N_ELEMENTS (extremes); b++)
      for (guint c = 0; c < G_N_ELEMENTS (extremes); c++)
        for (guint d = 0; d < G_N_ELEMENTS (extremes); d++)
          {
            gint32 want;

            w[0] = (guint8) extremes[a];
            x[0] = extremes[b];
            w[1] = (guint8) extremes[c];
            x[1] = extremes[d];
            want = extremes[a] * extremes[b] + extremes[c] * extremes[d];
            g_assert_cmpint (wm_dot_int8 (w, x, 2), ==, want);
          }
  for (guint trial = 0; trial < 20000; trial++)
    {
      guint n = g_rand_int_range (rand, 0, 257);
      gboolean extreme = trial % 4 == 0;
      gint32 want = 0;

      for (guint j = 0; j < n; j++)
        {
          gint8 wv = extreme ? (gint8) (g_rand_boolean (rand) ? -128 : 127) : (gint8) g_rand_int_range (rand, -128, 128);

          x[j] = extreme ? (gint8) (g_rand_boolean (rand) ? -128 : 127) : (gint8) g_rand_int_range (rand, -128, 128);
          w[j] = (guint8) wv;
          want += wv * x[j];
        }
      g_assert_cmpint (wm_dot_int8 (w, x, n), ==, want);
    }
}

static void
test_rdbpot (void)
{
  g_assert_cmpint (wm_rdbpot (5, 1), ==, 3);
  g_assert_cmpint (wm_rdbpot (-5, 1), ==, -3);
  g_assert_cmpint (wm_rdbpot (-4, 1), ==, -2);
  g_assert_cmpint (wm_rdbpot (G_MAXINT32, 31), ==, 1);
  g_assert_cmpint (wm_rdbpot (G_MININT32, 31), ==, -1);
  g_assert_cmpint (wm_rdbpot (7, 0), ==, 7);
  g_assert_cmpint (wm_rdbpot64 (-(G_GINT64_CONSTANT (3) << 40), 41), ==, -2);
  g_assert_cmpint (wm_rdbpot64 (G_MAXINT64, 63), ==, 1);
  for (gint32 x = -100000; x <= 100000; x += 7)
    for (gint32 e = 1; e < 20; e++)
      {
        double want = x < 0 ? -floor (-x / ldexp (1, e) + 0.5) : floor (x / ldexp (1, e) + 0.5);

        g_assert_cmpint (wm_rdbpot (x, e), ==, (gint32) want);
        g_assert_cmpint (wm_rdbpot64 (x, e), ==, (gint64) want);
      }
}

/* Documented bounds, in Q0.15 units, over ALL int16 inputs (FORMAT.md 3.3): measured
 * maxima are 1.29 LSB for sigmoid16 and 2.07 LSB (shifts 0…3) / 3.20 LSB (shifts −3…−1, which
 * round the input first) for tanh16; --verbose prints them. */
#define SIGMOID_MAX_ERR_LSB 1.5
#define TANH_MAX_ERR_LSB 3.5

static void
test_sigmoid_exhaustive (void)
{
  double max_err = 0;

  for (gint32 x = -32768; x <= 32767; x++)
    {
      double want = 32768.0 / (1.0 + exp (-x / 4096.0));
      gint16 got = wm_sigmoid16 ((gint16) x);
      double err = fabs (got - want);

      g_assert_cmpint (got, >=, 1);
      g_assert_cmpint (got, <=, 32767);
      if (x > -32768)
        {
          g_assert_cmpint (got, >=, wm_sigmoid16 ((gint16) (x - 1)));
          g_assert_cmpint (wm_sigmoid16 ((gint16) -x), ==, 32768 - got);
        }
      max_err = MAX (max_err, err);
      if (err > SIGMOID_MAX_ERR_LSB)
        g_error ("sigmoid16(%d) = %d, reference %.3f", x, got, want);
    }
  g_test_message ("sigmoid16 max error %.3f LSB (bound %.1f)", max_err, SIGMOID_MAX_ERR_LSB);
  g_assert_cmpint (wm_sigmoid16 (0), ==, 16384);
}

static void
test_tanh_exhaustive (void)
{
  for (gint32 ls = -3; ls <= 3; ls++)
    {
      double max_err = 0;

      for (gint32 x = -32768; x <= 32767; x++)
        {
          double want = 32768.0 * tanh (ldexp (x, ls - 12));
          gint16 got = wm_tanh16 ((gint16) x, ls);
          double err = fabs (got - want);

          /* The output saturates at ±32767 where tanh rounds to ±32768. */
          if (fabs (want) > 32767)
            err = fabs (got - copysign (32767, want));
          g_assert_cmpint (got, >=, -32767);
          g_assert_cmpint (got, <=, 32767);
          if (ls >= 0 && x > -32768)
            g_assert_cmpint (wm_tanh16 ((gint16) -x, ls), ==, -got);
          max_err = MAX (max_err, err);
          if (err > TANH_MAX_ERR_LSB)
            g_error ("tanh16(%d, %d) = %d, reference %.3f", x, ls, got, want);
        }
      g_test_message ("tanh16 shift %d max error %.3f LSB (bound %.1f)", ls, max_err,
                      TANH_MAX_ERR_LSB);
    }
  g_assert_cmpint (wm_tanh16 (0, 0), ==, 0);
}

static void
test_log2q10 (void)
{
  /* Truncating 8-bit mantissa: 0 ≤ exact − result < 1024·log2(1 + 1/256) + 0.5 ≈ 6.27. */
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  g_assert_cmpint (wm_log2q10 (1), ==, 0);
  g_assert_cmpint (wm_log2q10 (2), ==, 1024);
  g_assert_cmpint (wm_log2q10 (G_GUINT64_CONSTANT (1) << 44), ==, 44 * 1024);
  for (guint64 v = 1; v < 70000; v++)
    {
      double exact = 1024.0 * log2 ((double) v);
      gint32 got = wm_log2q10 (v);

      g_assert_cmpfloat (exact - got, >, -0.5001);
      g_assert_cmpfloat (exact - got, <, 6.27);
    }
  for (guint i = 0; i < 100000; i++)
    {
      guint64 v = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) >> g_rand_int_range (rand, 0, 63);
      double exact;

      v = MAX (v, 1);
      exact = 1024.0 * log2 ((double) v);
      g_assert_cmpfloat (exact - wm_log2q10 (v), >, -0.5001);
      g_assert_cmpfloat (exact - wm_log2q10 (v), <, 6.27);
    }
}

static void
test_softmax_q16 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  double max_err = 0;

  for (guint trial = 0; trial < 20000; trial++)
    {
      guint n = g_rand_int_range (rand, 2, WM_MAX_CLASSES + 1);
      gint32 z[WM_MAX_CLASSES];
      guint16 p[WM_MAX_CLASSES];
      double e[WM_MAX_CLASSES], sum = 0, zmax = -1e30;
      double spread = g_rand_double_range (rand, 0.1, 40.0);

      for (guint k = 0; k < n; k++)
        {
          z[k] = (gint32) (g_rand_double_range (rand, -spread, spread) * 4096.0);
          zmax = MAX (zmax, z[k] / 4096.0);
        }
      for (guint k = 0; k < n; k++)
        sum += e[k] = exp (z[k] / 4096.0 - zmax);
      wm_softmax_q16 (z, n, p);
      for (guint k = 0; k < n; k++)
        {
          double err = fabs (p[k] / 65536.0 - e[k] / sum);

          max_err = MAX (max_err, err);
        }
    }
  g_test_message ("softmax_q16 max abs error %.2e", max_err);
  /* Q0.15 exponentials over up to 64 classes: the error stays below 1e-3. */
  g_assert_cmpfloat (max_err, <, 1e-3);

  {
    gint32 z[2] = { 0, 0 };
    gint32 big[3] = { 1 << 24, -(1 << 24), 0 };
    guint16 p[3];

    wm_softmax_q16 (z, 2, p);
    g_assert_cmpuint (p[0], ==, 32768);
    g_assert_cmpuint (p[1], ==, 32768);
    wm_softmax_q16 (big, 3, p);
    g_assert_cmpuint (p[0], ==, 65535);
    g_assert_cmpuint (p[1], ==, 0);
  }
}

static void
test_float_functions (void)
{
  double max_exp = 0, max_tanh = 0, max_log = 0, max_sig = 0;

  for (float x = -87.0f; x < 88.0f; x += 0.0037f)
    {
      double want = exp ((double) x);

      max_exp = MAX (max_exp, fabs (wm_expf (x) - want) / want);
    }
  for (float x = -12.0f; x < 12.0f; x += 0.00071f)
    {
      max_tanh = MAX (max_tanh, fabs (wm_tanhf (x) - tanh ((double) x)));
      max_sig = MAX (max_sig, fabs (wm_sigmoidf (x) - 1.0 / (1.0 + exp (-(double) x))));
    }
  for (float x = 1e-30f; x < 1e30f; x *= 1.0013f)
    max_log = MAX (max_log, fabs (wm_log2f (x) - log2 ((double) x)));

  g_test_message ("expf rel %.2e, tanhf abs %.2e, sigmoidf abs %.2e, log2f abs %.2e",
                  max_exp, max_tanh, max_sig, max_log);
  g_assert_cmpfloat (max_exp, <, 4e-7);
  g_assert_cmpfloat (max_tanh, <, 3e-7);
  g_assert_cmpfloat (max_sig, <, 2e-7);
  g_assert_cmpfloat (max_log, <, 1e-5);
  g_assert_true (isinf (wm_expf (89.0f)));
  g_assert_cmpfloat (wm_expf (-104.0f), ==, 0.0f);
  g_assert_cmpfloat (wm_tanhf (0.0f), ==, 0.0f);
  g_assert_cmpfloat (wm_log2f (1.0f), ==, 0.0f);
  g_assert_cmpfloat (wm_log2f (1024.0f), ==, 10.0f);
}

static void
test_crc32 (void)
{
  /* The standard check value of CRC-32/ISO-HDLC (zlib). */
  g_assert_cmphex (wm_crc32 (0, (const guint8 *) "123456789", 9), ==, 0xCBF43926);
  g_assert_cmphex (wm_crc32 (wm_crc32 (0, (const guint8 *) "1234", 4), (const guint8 *) "56789", 5),
                   ==, 0xCBF43926);
  g_assert_cmphex (wm_crc32 (0, (const guint8 *) "", 0), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inference/math/requantize/edges", test_requantize_edges);
  g_test_add_func ("/inference/math/requantize/random", test_requantize_random);
  g_test_add_func ("/inference/math/requantize/narrow", test_requantize_narrow);
  g_test_add_func ("/inference/math/dot-narrow", test_dot_narrow);
  g_test_add_func ("/inference/math/rdbpot", test_rdbpot);
  g_test_add_func ("/inference/math/sigmoid16/exhaustive", test_sigmoid_exhaustive);
  g_test_add_func ("/inference/math/tanh16/exhaustive", test_tanh_exhaustive);
  g_test_add_func ("/inference/math/log2q10", test_log2q10);
  g_test_add_func ("/inference/math/softmax-q16", test_softmax_q16);
  g_test_add_func ("/inference/math/float-functions", test_float_functions);
  g_test_add_func ("/inference/math/crc32", test_crc32);

  return g_test_run ();
}
