/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SSE2 forms of the runtime's arithmetic (inference/wm-simd.h) against the scalar
 * functions the device uses: lane by lane, bit for bit, over edge grids, exhaustively for
 * the int16 activations, and on random values. */
#define G_LOG_DOMAIN "waymark-test"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "wm-math.h"
#include "wm-simd.h"

#ifdef WM_SIMD_SSE2

static const gint32 edge_values[] = {
  G_MININT32, G_MININT32 + 1, -1073741825, -1073741824, -16777217, -65537, -65536, -32769,
  -32768, -32767, -256, -255, -129, -128, -127, -3, -2, -1, 0, 1, 2, 3, 127, 128, 255, 256,
  32767, 32768, 65535, 65536, 16777216, 1073741823, 1073741824, G_MAXINT32 - 1, G_MAXINT32
};

static const gint32 edge_multipliers[] = {
  0, 1, 2, 3, 1073741823, 1073741824, 1073741825, 1518500250, 1549082005, 2147483646, G_MAXINT32
};

/* Four lanes at a time from a list; the last vector repeats the first values. */
static __m128i
lanes_from (const gint32 *v,
            guint         n,
            guint         at)
{
  return _mm_set_epi32 (v[(at + 3) % n], v[(at + 2) % n], v[(at + 1) % n], v[at % n]);
}

static void
lanes_to (__m128i  v,
          gint32  *out)
{
  _mm_storeu_si128 ((__m128i *) out, v);
}

static void
test_requantize (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const guint n = G_N_ELEMENTS (edge_values);
  guint64 checked = 0;

  for (gint32 shift = -31; shift <= 30; shift++)
    for (guint j = 0; j < G_N_ELEMENTS (edge_multipliers); j++)
      {
        gint32 m = edge_multipliers[j];

        for (guint i = 0; i < n; i += 4)
          {
            gint32 got[4];

            lanes_to (wm_v4_requantize (lanes_from (edge_values, n, i), m, shift), got);
            for (guint k = 0; k < 4; k++)
              {
                gint32 x = edge_values[(i + k) % n];

                if (got[k] != wm_requantize (x, m, shift))
                  g_error ("v4 requantize (%d, %d, %d) = %d, scalar %d", x, m, shift, got[k],
                           wm_requantize (x, m, shift));
                checked++;
              }
          }
        for (guint r = 0; r < 64; r++)
          {
            gint32 v[4], got[4];

            for (guint k = 0; k < 4; k++)
              v[k] = (gint32) g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
            lanes_to (wm_v4_requantize (lanes_from (v, 4, 0), m, shift), got);
            for (guint k = 0; k < 4; k++)
              {
                g_assert_cmpint (got[k], ==, wm_requantize (v[k], m, shift));
                checked++;
              }
          }
      }
  /* Random multipliers as well. */
  for (guint r = 0; r < 200000; r++)
    {
      gint32 v[4], got[4];
      gint32 m = (gint32) (g_rand_int (rand) >> 1);
      gint32 shift = g_rand_int_range (rand, -31, 31);

      for (guint k = 0; k < 4; k++)
        v[k] = (gint32) g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
      lanes_to (wm_v4_requantize (lanes_from (v, 4, 0), m, shift), got);
      for (guint k = 0; k < 4; k++)
        g_assert_cmpint (got[k], ==, wm_requantize (v[k], m, shift));
      checked += 4;
    }
  g_test_message ("%" G_GUINT64_FORMAT " requantisations identical", checked);
}

static void
test_add_sat_rdbpot_mul (void)
{
  const guint n = G_N_ELEMENTS (edge_values);
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);

  for (guint a = 0; a < n; a++)
    for (guint b = 0; b < n; b += 4)
      {
        gint32 av[4] = { edge_values[a], edge_values[a], edge_values[a], edge_values[a] };
        gint32 got[4];

        lanes_to (wm_v4_add_sat32 (lanes_from (av, 4, 0), lanes_from (edge_values, n, b)), got);
        for (guint k = 0; k < 4; k++)
          g_assert_cmpint (got[k], ==, wm_add_sat32 (edge_values[a], edge_values[(b + k) % n]));
      }

  for (gint32 e = 0; e <= 31; e++)
    for (guint i = 0; i < n; i += 4)
      {
        gint32 got[4];

        /* wm_rdbpot takes any int32 but the magnitude of INT32_MIN; the kernels never pass it. */
        lanes_to (wm_v4_rdbpot (lanes_from (edge_values + 1, n - 1, i), e), got);
        for (guint k = 0; k < 4; k++)
          g_assert_cmpint (got[k], ==, wm_rdbpot (edge_values[1 + (i + k) % (n - 1)], e));
      }

  for (guint r = 0; r < 100000; r++)
    {
      gint32 a[4], b[4], got[4];

      for (guint k = 0; k < 4; k++)
        {
          a[k] = g_rand_int_range (rand, -32768, 32768);
          b[k] = r < 4 ? (r % 2 ? -32768 : 32767) : g_rand_int_range (rand, -32768, 32768);
        }
      lanes_to (wm_v4_mul16 (lanes_from (a, 4, 0), lanes_from (b, 4, 0)), got);
      for (guint k = 0; k < 4; k++)
        g_assert_cmpint (got[k], ==, a[k] * b[k]);
      lanes_to (wm_v4_clamp (lanes_from (a, 4, 0), -1000, 2000), got);
      for (guint k = 0; k < 4; k++)
        g_assert_cmpint (got[k], ==, CLAMP (a[k], -1000, 2000));
    }
}

/* Every int16 input, every left shift. */
static void
test_activations_exhaustive (void)
{
  for (gint32 x = -32768; x <= 32767; x += 4)
    {
      gint32 v[4] = { x, x + 1, x + 2, x + 3 }, got[4];

      lanes_to (wm_v4_sigmoid16 (lanes_from (v, 4, 0)), got);
      for (guint k = 0; k < 4; k++)
        if (got[k] != wm_sigmoid16 ((gint16) v[k]))
          g_error ("v4 sigmoid16 (%d) = %d, scalar %d", v[k], got[k], wm_sigmoid16 ((gint16) v[k]));
      for (gint32 ls = -3; ls <= 3; ls++)
        {
          lanes_to (wm_v4_tanh16 (lanes_from (v, 4, 0), ls), got);
          for (guint k = 0; k < 4; k++)
            if (got[k] != wm_tanh16 ((gint16) v[k], ls))
              g_error ("v4 tanh16 (%d, %d) = %d, scalar %d", v[k], ls, got[k],
                       wm_tanh16 ((gint16) v[k], ls));
        }
    }
}

static guint32
bits (float f)
{
  guint32 b;

  memcpy (&b, &f, sizeof b);
  return b;
}

static void
check_float_lanes (const float *v)
{
  float s[4], t[4], e[4];
  __m128 x = _mm_loadu_ps (v);

  _mm_storeu_ps (s, wm_v4f_sigmoid (x));
  _mm_storeu_ps (t, wm_v4f_tanh (x));
  if (wm_v4f_exp_ok (x))
    _mm_storeu_ps (e, wm_v4f_exp (x));
  for (guint k = 0; k < 4; k++)
    {
      float ws = wm_sigmoidf (v[k]), wt = wm_tanhf (v[k]);

      /* NaN in, NaN out (any payload would do, but both give the same one here). */
      if (bits (s[k]) != bits (ws) && !(isnan (s[k]) && isnan (ws)))
        g_error ("v4 sigmoid (%a) = %a, scalar %a", v[k], s[k], ws);
      if (bits (t[k]) != bits (wt) && !(isnan (t[k]) && isnan (wt)))
        g_error ("v4 tanh (%a) = %a, scalar %a", v[k], t[k], wt);
      if (wm_v4f_exp_ok (x) && bits (e[k]) != bits (wm_expf (v[k])))
        g_error ("v4 exp (%a) = %a, scalar %a", v[k], e[k], wm_expf (v[k]));
    }
}

static void
test_float_functions (void)
{
  static const float special[] = {
    0.0f, -0.0f, 1e-4f, -1e-4f, 9.999999e-5f, 1.00001e-4f, 9.0f, -9.0f, 9.000001f, -9.000001f,
    87.0f, -87.0f, 88.0f, -88.0f, 88.5f, -88.5f, 103.0f, -104.0f, 1e30f, -1e30f, 1e-40f,
    -1e-40f, 0.5f, -0.5f, 44.0f, -44.0f, 1.0f / 0.0f, -1.0f / 0.0f
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  float v[4];

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    for (guint j = 0; j < G_N_ELEMENTS (special); j++)
      {
        v[0] = special[i];
        v[1] = special[j];
        v[2] = special[(i + j) % G_N_ELEMENTS (special)];
        v[3] = 0.25f;
        check_float_lanes (v);
      }
  v[0] = NAN;
  v[1] = 1.0f;
  v[2] = -2.0f;
  v[3] = 3.0f;
  check_float_lanes (v);

  for (guint r = 0; r < 500000; r++)
    {
      for (guint k = 0; k < 4; k++)
        {
          double range = r % 3 == 0 ? 12.0 : r % 3 == 1 ? 100.0 : 1e-3;

          v[k] = (float) g_rand_double_range (rand, -range, range);
        }
      check_float_lanes (v);
    }
}

#ifdef WM_SIMD_AVX2
/* The eight-lane AVX2 forms against the scalar functions (only run on CPUs with AVX2). */
WM_AVX2_FUNCTION static void
check_v8_int (const gint32 *v,
              gint32        m,
              gint32        shift,
              gint32        e)
{
  __m256i x = _mm256_loadu_si256 ((const __m256i *) v);
  gint32 got[8], got2[8], got3[8];

  _mm256_storeu_si256 ((__m256i *) got, wm_v8_requantize (x, m, shift));
  _mm256_storeu_si256 ((__m256i *) got2, wm_v8_add_sat32 (x, _mm256_set1_epi32 (v[e % 8])));
  _mm256_storeu_si256 ((__m256i *) got3, wm_v8_clamp (x, -65536, 65536));
  for (guint k = 0; k < 8; k++)
    {
      if (got[k] != wm_requantize (v[k], m, shift))
        g_error ("v8 requantize (%d, %d, %d) = %d, scalar %d", v[k], m, shift, got[k],
                 wm_requantize (v[k], m, shift));
      g_assert_cmpint (got2[k], ==, wm_add_sat32 (v[k], v[e % 8]));
      g_assert_cmpint (got3[k], ==, CLAMP (v[k], -65536, 65536));
    }
  if (e >= 1)
    {
      gint32 safe[8];

      for (guint k = 0; k < 8; k++)
        safe[k] = v[k] == G_MININT32 ? G_MININT32 + 1 : v[k];
      _mm256_storeu_si256 ((__m256i *) got, wm_v8_rdbpot (_mm256_loadu_si256 ((const __m256i *) safe), e));
      for (guint k = 0; k < 8; k++)
        g_assert_cmpint (got[k], ==, wm_rdbpot (safe[k], e));
    }
}

WM_AVX2_FUNCTION static void
check_v8_activations (gint32 x0)
{
  gint32 v[8], got[8];

  for (guint k = 0; k < 8; k++)
    v[k] = x0 + (gint32) k;
  _mm256_storeu_si256 ((__m256i *) got, wm_v8_sigmoid16 (_mm256_loadu_si256 ((const __m256i *) v)));
  for (guint k = 0; k < 8; k++)
    if (got[k] != wm_sigmoid16 ((gint16) v[k]))
      g_error ("v8 sigmoid16 (%d) = %d, scalar %d", v[k], got[k], wm_sigmoid16 ((gint16) v[k]));
  for (gint32 ls = -3; ls <= 3; ls++)
    {
      _mm256_storeu_si256 ((__m256i *) got, wm_v8_tanh16 (_mm256_loadu_si256 ((const __m256i *) v), ls));
      for (guint k = 0; k < 8; k++)
        if (got[k] != wm_tanh16 ((gint16) v[k], ls))
          g_error ("v8 tanh16 (%d, %d) = %d, scalar %d", v[k], ls, got[k], wm_tanh16 ((gint16) v[k], ls));
    }
  for (guint k = 0; k < 8; k++)
    v[k] = (k % 2 ? -1 : 1) * (x0 + 32768) / 2;
  _mm256_storeu_si256 ((__m256i *) got, wm_v8_mul16 (_mm256_loadu_si256 ((const __m256i *) v),
                                                     _mm256_set1_epi32 (x0)));
  for (guint k = 0; k < 8; k++)
    g_assert_cmpint (got[k], ==, v[k] * x0);
}

static void
test_avx2 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  const guint n = G_N_ELEMENTS (edge_values);

  if (!wm_have_avx2 ())
    {
      g_test_skip ("this CPU has no AVX2");
      return;
    }
  for (gint32 shift = -31; shift <= 30; shift++)
    for (guint j = 0; j < G_N_ELEMENTS (edge_multipliers); j++)
      for (guint i = 0; i < n; i += 8)
        {
          gint32 v[8];

          for (guint k = 0; k < 8; k++)
            v[k] = edge_values[(i + k) % n];
          check_v8_int (v, edge_multipliers[j], shift, (shift + 31) % 32);
        }
  for (guint r = 0; r < 100000; r++)
    {
      gint32 v[8];

      for (guint k = 0; k < 8; k++)
        v[k] = (gint32) g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
      check_v8_int (v, (gint32) (g_rand_int (rand) >> 1), g_rand_int_range (rand, -31, 31),
                    g_rand_int_range (rand, 0, 32));
    }
  for (gint32 x = -32768; x <= 32767 - 7; x += 8)
    check_v8_activations (x);
}
#endif

#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#ifdef WM_SIMD_SSE2
  g_test_add_func ("/inference/simd/requantize", test_requantize);
  g_test_add_func ("/inference/simd/add-sat-rdbpot-mul", test_add_sat_rdbpot_mul);
  g_test_add_func ("/inference/simd/activations-exhaustive", test_activations_exhaustive);
  g_test_add_func ("/inference/simd/float-functions", test_float_functions);
#ifdef WM_SIMD_AVX2
  g_test_add_func ("/inference/simd/avx2", test_avx2);
#endif
#endif
  return g_test_run ();
}
