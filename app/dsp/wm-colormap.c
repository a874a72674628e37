/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "waymark-dsp"

#include "config.h"

#include <math.h>
#include <string.h>

#include "wm-colormap.h"

#define N_KEYS 9

static const guint32 viridis_keys[N_KEYS] = {
  0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c,
  0x27ad81, 0x5dc863, 0xaadc32, 0xfde725,
};

static const guint32 magma_keys[N_KEYS] = {
  0x000004, 0x1d1146, 0x51127c, 0x822681, 0xb63679,
  0xe65164, 0xfb8861, 0xfec287, 0xfcfdbf,
};

static const guint32 grey_keys[2] = { 0x000000, 0xffffff };

/* D65 white point for XYZ ↔ CIELAB. */
static const double white[3] = { 0.95047, 1.0, 1.08883 };

static double
srgb_to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
linear_to_srgb (double c)
{
  return c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1.0 / 2.4) - 0.055;
}

static double
lab_f (double t)
{
  const double delta = 6.0 / 29.0;

  return t > delta * delta * delta ? cbrt (t) : t / (3.0 * delta * delta) + 4.0 / 29.0;
}

static double
lab_f_inverse (double t)
{
  const double delta = 6.0 / 29.0;

  return t > delta ? t * t * t : 3.0 * delta * delta * (t - 4.0 / 29.0);
}

static void
srgb_to_lab (guint32  rgb,
             double   lab[3])
{
  double r = srgb_to_linear (((rgb >> 16) & 0xff) / 255.0);
  double g = srgb_to_linear (((rgb >> 8) & 0xff) / 255.0);
  double b = srgb_to_linear ((rgb & 0xff) / 255.0);
  double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
  double fx = lab_f (x / white[0]);
  double fy = lab_f (y / white[1]);
  double fz = lab_f (z / white[2]);

  lab[0] = 116.0 * fy - 16.0;
  lab[1] = 500.0 * (fx - fy);
  lab[2] = 200.0 * (fy - fz);
}

static guint8
to_byte (double linear)
{
  double c = linear_to_srgb (CLAMP (linear, 0.0, 1.0));

  return (guint8) lround (c * 255.0);
}

static void
lab_to_srgb (const double  lab[3],
             guint8       *out)
{
  double fy = (lab[0] + 16.0) / 116.0;
  double fx = fy + lab[1] / 500.0;
  double fz = fy - lab[2] / 200.0;
  double x = white[0] * lab_f_inverse (fx);
  double y = white[1] * lab_f_inverse (fy);
  double z = white[2] * lab_f_inverse (fz);

  out[0] = to_byte ( 3.2404542 * x - 1.5371385 * y - 0.4985314 * z);
  out[1] = to_byte (-0.9692660 * x + 1.8760108 * y + 0.0415560 * z);
  out[2] = to_byte ( 0.0556434 * x - 0.2040259 * y + 1.0572252 * z);
}

double
wm_srgb_lightness (guint8 r,
                   guint8 g,
                   guint8 b)
{
  double lab[3];

  srgb_to_lab (((guint32) r << 16) | ((guint32) g << 8) | b, lab);
  return lab[0];
}

/* Straight lines in CIELAB between evenly spaced keys. */
static void
fill_table (const guint32 *keys,
            guint          n_keys,
            guint8        *table)
{
  for (guint i = 0; i < WM_COLORMAP_N_ENTRIES; i++)
    {
      double position = (double) i / (WM_COLORMAP_N_ENTRIES - 1) * (n_keys - 1);
      guint segment = MIN ((guint) position, n_keys - 2);
      double t = position - segment;
      double a[3], b[3], lab[3];

      srgb_to_lab (keys[segment], a);
      srgb_to_lab (keys[segment + 1], b);
      for (guint k = 0; k < 3; k++)
        lab[k] = a[k] + t * (b[k] - a[k]);

      lab_to_srgb (lab, table + 4 * i);
      table[4 * i + 3] = 255;
    }
}

const guint8 *
wm_colormap_get_table (WmColormap colormap)
{
  static guint8 tables[3][WM_COLORMAP_N_ENTRIES * 4];
  static gsize initialised;

  g_return_val_if_fail (colormap <= WM_COLORMAP_GREY, NULL);

  if (g_once_init_enter (&initialised))
    {
      fill_table (viridis_keys, G_N_ELEMENTS (viridis_keys), tables[WM_COLORMAP_VIRIDIS]);
      fill_table (magma_keys, G_N_ELEMENTS (magma_keys), tables[WM_COLORMAP_MAGMA]);
      fill_table (grey_keys, G_N_ELEMENTS (grey_keys), tables[WM_COLORMAP_GREY]);
      g_once_init_leave (&initialised, 1);
    }

  return tables[colormap];
}

static const char * const colormap_names[] = { "viridis", "magma", "grey" };

const char *
wm_colormap_to_string (WmColormap colormap)
{
  g_return_val_if_fail (colormap <= WM_COLORMAP_GREY, NULL);

  return colormap_names[colormap];
}

gboolean
wm_colormap_from_string (const char *str,
                         WmColormap *out_colormap)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (colormap_names); i++)
    {
      if (strcmp (str, colormap_names[i]) == 0)
        {
          if (out_colormap != NULL)
            *out_colormap = (WmColormap) i;
          return TRUE;
        }
    }

  return FALSE;
}
