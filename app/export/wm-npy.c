/* wm-npy.c — NumPy's .npy format: header and little-endian elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wm-npy.h"

/* Version 1.0: magic, version, little-endian header length, then a Python
 * dict literal padded with spaces to a multiple of 64 bytes and ended by a
 * newline. */
GBytes *
wm_npy_header (const char    *descr,
               const guint64 *shape,
               guint          n_dims)
{
  static const guint8 magic[8] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 };
  g_autoptr(GString) dict = g_string_new (NULL);
  GByteArray *header = g_byte_array_new ();
  guint8 length[2];

  g_return_val_if_fail (descr != NULL, NULL);
  g_return_val_if_fail (n_dims > 0 && shape != NULL, NULL);

  g_string_append_printf (dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (dict, i == 0 ? "%" G_GUINT64_FORMAT : ", %" G_GUINT64_FORMAT, shape[i]);
  g_string_append (dict, n_dims == 1 ? ",), }" : "), }");
  while ((sizeof magic + sizeof length + dict->len + 1) % 64 != 0)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');
  length[0] = dict->len & 0xff;
  length[1] = (dict->len >> 8) & 0xff;
  g_byte_array_append (header, magic, sizeof magic);
  g_byte_array_append (header, length, sizeof length);
  g_byte_array_append (header, (const guint8 *) dict->str, dict->len);
  return g_byte_array_free_to_bytes (header);
}

/* Eight at a time through GCC's vector extension, which compiles to SIMD
 * where the plain loop would stay scalar at -O2. */
void
wm_npy_float_from_int16 (const gint16 *in,
                         float        *out,
                         gsize         n)
{
  gsize k = 0;

#if defined(__GNUC__) && !defined(__STRICT_ANSI__)
  typedef gint16 Int16x8 __attribute__ ((vector_size (16)));
  typedef float Float32x8 __attribute__ ((vector_size (32)));

  for (; k + 8 <= n; k += 8)
    {
      Int16x8 s;
      Float32x8 f;

      memcpy (&s, in + k, sizeof s);
      f = __builtin_convertvector (s, Float32x8) * (1.0f / 32768.0f);
      memcpy (out + k, &f, sizeof f);
    }
#endif
  for (; k < n; k++)
    out[k] = in[k] * (1.0f / 32768.0f);
}

void
wm_npy_float_to_le (float *values,
                    gsize  n)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize k = 0; k < n; k++)
    {
      guint32 bits;

      memcpy (&bits, &values[k], sizeof bits);
      bits = GUINT32_SWAP_LE_BE (bits);
      memcpy (&values[k], &bits, sizeof bits);
    }
#else
  (void) values;
  (void) n;
#endif
}
