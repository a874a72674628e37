/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "wm-stft.h"

/* One plan per power-of-two size from 2^8 to 2^12. */
#define N_PLAN_SLOTS 5

struct _WmStft
{
  guint          fft_size;
  guint          hop;
  guint          n_bins;
  float          floor_db;
  float          floor_power;
  float          power_scale;
  float         *window;
  float         *frame;   /* fftwf_malloc'd, so aligned as at planning time */
  fftwf_complex *spectrum;
  fftwf_plan     plan;
};

static GMutex     plan_lock;
static fftwf_plan plans[N_PLAN_SLOTS];

gboolean
wm_stft_is_valid_fft_size (guint fft_size)
{
  return fft_size >= WM_STFT_MIN_FFT_SIZE &&
         fft_size <= WM_STFT_MAX_FFT_SIZE &&
         (fft_size & (fft_size - 1)) == 0;
}

static guint
plan_slot (guint fft_size)
{
  guint slot = 0;

  g_assert (wm_stft_is_valid_fft_size (fft_size));
  while (((guint) WM_STFT_MIN_FFT_SIZE << slot) != fft_size)
    slot++;
  return slot;
}

static char *
wisdom_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "waymark", "fftwf-wisdom", NULL);
}

/* Called with plan_lock held: FFTW's wisdom is as thread-unsafe as its
 * planner. */
static void
load_wisdom (void)
{
  g_autofree char *path = wisdom_path ();
  g_autofree char *contents = NULL;

  if (g_file_get_contents (path, &contents, NULL, NULL) &&
      !fftwf_import_wisdom_from_string (contents))
    g_debug ("Ignoring unreadable FFTW wisdom in %s", path);
}

/* Called with plan_lock held.  Written whole and renamed into place, so a
 * second Waymark process never reads half a file. */
static void
save_wisdom (void)
{
  g_autofree char *path = wisdom_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  char *contents = fftwf_export_wisdom_to_string ();

  if (contents == NULL)
    return;
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, contents, -1, &error))
    g_debug ("Cannot save FFTW wisdom to %s: %s", path,
             error != NULL ? error->message : g_strerror (errno));
  free (contents);
}

/* Plans live for the whole process: there are at most five of them, and
 * destroying one would need the same lock as planning.
 *
 * FFTW_MEASURE: on the benchmark machine a measured plan of size 1024 ran
 * 1.3–1.5× faster than an estimated one (tests/bench/dsp prints both).
 * Measuring takes 0.06 s (256) to 0.24 s (4096), in a worker, once per
 * size: the wisdom is kept in the user's cache directory, so later runs
 * plan at once.  Plans differ between machines, so values may differ in
 * the last bits between machines, never between tiles of one process. */
static fftwf_plan
get_plan (guint fft_size)
{
  static gboolean wisdom_loaded;
  guint slot = plan_slot (fft_size);
  fftwf_plan plan;

  g_mutex_lock (&plan_lock);
  if (plans[slot] == NULL)
    {
      float *in = fftwf_alloc_real (fft_size);
      fftwf_complex *out = fftwf_alloc_complex (fft_size / 2 + 1);

      if (!wisdom_loaded)
        {
          load_wisdom ();
          wisdom_loaded = TRUE;
        }

      /* With wisdom for this size this is instant and measures nothing;
       * only then is there nothing new to save. */
      plans[slot] = fftwf_plan_dft_r2c_1d ((int) fft_size, in, out,
                                           FFTW_MEASURE | FFTW_WISDOM_ONLY);
      if (plans[slot] == NULL)
        {
          plans[slot] = fftwf_plan_dft_r2c_1d ((int) fft_size, in, out, FFTW_MEASURE);
          save_wisdom ();
        }
      fftwf_free (in);
      fftwf_free (out);
    }
  plan = plans[slot];
  g_mutex_unlock (&plan_lock);

  return plan;
}

/* The periodic Hann window, w[n] = sin²(πn/N): the variant whose shifted
 * copies at hop N/2 sum to exactly one, and whose sum is N/2. */
void
wm_hann_window_fill (float *window,
                     guint  size)
{
  g_return_if_fail (window != NULL);
  g_return_if_fail (size > 0);

  for (guint n = 0; n < size; n++)
    {
      double s = sin (G_PI * (double) n / (double) size);

      window[n] = (float) (s * s);
    }
}

WmStft *
wm_stft_new (guint fft_size,
             guint hop,
             float floor_db)
{
  WmStft *self;
  double window_sum = 0.0;

  g_return_val_if_fail (wm_stft_is_valid_fft_size (fft_size), NULL);
  g_return_val_if_fail (hop >= 1 && hop <= fft_size, NULL);

  self = g_new0 (WmStft, 1);
  self->fft_size = fft_size;
  self->hop = hop;
  self->n_bins = fft_size / 2 + 1;
  self->floor_db = floor_db;
  self->floor_power = powf (10.0f, floor_db / 10.0f);
  self->window = g_new (float, fft_size);
  wm_hann_window_fill (self->window, fft_size);
  for (guint n = 0; n < fft_size; n++)
    window_sum += self->window[n];
  /* A sine of amplitude A on a bin centre gives |X| = A·Σw/2. */
  self->power_scale = (float) (4.0 / (window_sum * window_sum));
  self->frame = fftwf_alloc_real (fft_size);
  self->spectrum = fftwf_alloc_complex (self->n_bins);
  self->plan = get_plan (fft_size);

  return self;
}

void
wm_stft_free (WmStft *self)
{
  if (self == NULL)
    return;

  fftwf_free (self->frame);
  fftwf_free (self->spectrum);
  g_free (self->window);
  g_free (self);
}

guint
wm_stft_get_fft_size (const WmStft *self)
{
  return self->fft_size;
}

guint
wm_stft_get_hop (const WmStft *self)
{
  return self->hop;
}

guint
wm_stft_get_n_bins (const WmStft *self)
{
  return self->n_bins;
}

float
wm_stft_get_floor_db (const WmStft *self)
{
  return self->floor_db;
}

/* Samples that n_columns consecutive columns read. */
gsize
wm_stft_input_length (const WmStft *self,
                      guint         n_columns)
{
  g_return_val_if_fail (n_columns > 0, 0);

  return (gsize) (n_columns - 1) * self->hop + self->fft_size;
}

/* log2 of a positive normal float to within a few ulp: x = m·2^e with m in
 * [√½, √2), and ln m = 2·atanh (s), s = (m − 1)/(m + 1), |s| < 0.172, whose
 * odd series to s⁹ is exact to float precision.  Branch-free, so that the
 * compiler vectorises the loop it sits in; log2f() was a fifth of the
 * engine's time. */
static inline float
fast_log2 (float x)
{
  guint32 bits;
  float m, upper, s, s2, ln_m;
  gint32 e;

  memcpy (&bits, &x, sizeof bits);
  e = (gint32) (bits >> 23) - 127;
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  memcpy (&m, &bits, sizeof m);
  /* Arithmetic rather than a branch: 1 when m is halved into range. */
  upper = m > (float) G_SQRT2 ? 1.0f : 0.0f;
  m *= 1.0f - 0.5f * upper;

  s = (m - 1.0f) / (m + 1.0f);
  s2 = s * s;
  ln_m = 2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9)))));
  return (float) e + upper + ln_m * (float) (1.0 / G_LN2);
}

/* The per-sample loops also get an AVX2 clone, picked at load time, where
 * the compiler and C library support function multi-versioning. */
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
# if __has_attribute (target_clones)
#  define WM_STFT_CLONES __attribute__ ((target_clones ("avx2", "default")))
# endif
#endif
#ifndef WM_STFT_CLONES
# define WM_STFT_CLONES
#endif

WM_STFT_CLONES
static void
apply_window (const float *restrict src,
              const float *restrict window,
              float       *restrict frame,
              gsize                 n)
{
  for (gsize i = 0; i < n; i++)
    frame[i] = src[i] * window[i];
}

/* 10·log10 (scale·|X|²), exactly floor_db at or below floor_power. */
WM_STFT_CLONES
static void
spectrum_to_db (const float *restrict spectrum,
                float       *restrict dst,
                gsize                 n_bins,
                float                 power_scale,
                float                 floor_power,
                float                 floor_db)
{
  /* 10·log10 (x) = 10·log10 (2) · log2 (x). */
  const float db_per_octave = 3.0102999566398120f;

  for (gsize b = 0; b < n_bins; b++)
    {
      float re = spectrum[2 * b];
      float im = spectrum[2 * b + 1];
      float power = (re * re + im * im) * power_scale;
      float db = db_per_octave * fast_log2 (power > floor_power ? power : floor_power);

      /* Never below the floor by rounding either. */
      db = db > floor_db ? db : floor_db;
      dst[b] = power > floor_power ? db : floor_db;
    }
}

/* input holds wm_stft_input_length (n_columns) samples, column k reading
 * input[k·hop, k·hop + fft); out_db receives n_columns × n_bins values,
 * column after column. */
void
wm_stft_run (WmStft      *self,
             const float *input,
             guint        n_columns,
             float       *out_db)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (input != NULL);
  g_return_if_fail (out_db != NULL);

  for (guint c = 0; c < n_columns; c++)
    {
      apply_window (input + (gsize) c * self->hop, self->window, self->frame, self->fft_size);
      fftwf_execute_dft_r2c (self->plan, self->frame, self->spectrum);
      spectrum_to_db ((const float *) self->spectrum, out_db + (gsize) c * self->n_bins,
                      self->n_bins, self->power_scale, self->floor_power, self->floor_db);
    }
}
