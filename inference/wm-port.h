/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-port.h: every read of model bytes and of constant tables goes through these helpers.
 *
 * Model bytes are assembled little-endian, byte by byte, so the host's endianness and
 * alignment never matter.  By default the model is plain memory.  With -DWM_MODEL_IN_FLASH
 * (AVR only) the model array lives in PROGMEM (first 64 KiB of flash) and is read with
 * pgm_read_byte.  On AVR the runtime's own constant tables are always kept in flash. */
#ifndef WM_PORT_H
#define WM_PORT_H

#include <stdint.h>
#include <string.h>

#if defined(WM_MODEL_IN_FLASH) || defined(__AVR__)
#include <avr/pgmspace.h>
#endif

#ifdef WM_MODEL_IN_FLASH
#define WM_MODEL_BYTE(p) ((uint8_t) pgm_read_byte (p))
#else
#define WM_MODEL_BYTE(p) (*(p))
#endif

/* Plain-memory little-endian hosts read multi-byte values with one memcpy (one load). */
#if !defined(WM_MODEL_IN_FLASH) && defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WM_DIRECT_LE 1
#endif
#endif

#ifdef __AVR__
#define WM_TABLE_ATTR PROGMEM
#define WM_TABLE_U16(table, i) ((uint16_t) pgm_read_word (&(table)[i]))
#else
#define WM_TABLE_ATTR
#define WM_TABLE_U16(table, i) ((table)[i])
#endif

static inline uint8_t
wm_rd_u8 (const uint8_t *p)
{
  return WM_MODEL_BYTE (p);
}

static inline int8_t
wm_rd_i8 (const uint8_t *p)
{
#ifdef WM_MODEL_IN_FLASH
  uint8_t b = WM_MODEL_BYTE (p);

  return (int8_t) ((int16_t) b - (int16_t) ((b & 0x80u) << 1));
#else
  return *(const int8_t *) p;
#endif
}

static inline uint16_t
wm_rd_u16 (const uint8_t *p)
{
#ifdef WM_DIRECT_LE
  uint16_t v;

  memcpy (&v, p, sizeof v);
  return v;
#else
  return (uint16_t) (WM_MODEL_BYTE (p) | ((uint16_t) WM_MODEL_BYTE (p + 1) << 8));
#endif
}

static inline int16_t
wm_rd_i16 (const uint8_t *p)
{
#ifdef WM_DIRECT_LE
  int16_t v;

  memcpy (&v, p, sizeof v);
  return v;
#else
  uint16_t u = wm_rd_u16 (p);

  return u < UINT16_C (0x8000) ? (int16_t) u : (int16_t) ((int32_t) u - INT32_C (65536));
#endif
}

static inline uint32_t
wm_rd_u32 (const uint8_t *p)
{
#ifdef WM_DIRECT_LE
  uint32_t v;

  memcpy (&v, p, sizeof v);
  return v;
#else
  return (uint32_t) WM_MODEL_BYTE (p)
         | ((uint32_t) WM_MODEL_BYTE (p + 1) << 8)
         | ((uint32_t) WM_MODEL_BYTE (p + 2) << 16)
         | ((uint32_t) WM_MODEL_BYTE (p + 3) << 24);
#endif
}

static inline int32_t
wm_rd_i32 (const uint8_t *p)
{
#ifdef WM_DIRECT_LE
  int32_t v;

  memcpy (&v, p, sizeof v);
  return v;
#else
  uint32_t u = wm_rd_u32 (p);

  if (u < UINT32_C (0x80000000))
    return (int32_t) u;
  return (int32_t) (u - UINT32_C (0x80000000)) - INT32_C (0x7fffffff) - 1;
#endif
}

static inline float
wm_rd_f32 (const uint8_t *p)
{
  float f;
#ifdef WM_DIRECT_LE
  memcpy (&f, p, sizeof f);
#else
  uint32_t u = wm_rd_u32 (p);

  memcpy (&f, &u, sizeof f);
#endif
  return f;
}

#endif /* WM_PORT_H */
