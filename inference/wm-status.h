/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-status.h: status codes of the device-side inference runtime. */
#ifndef WM_STATUS_H
#define WM_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Every function that can fail returns one of these; WM_OK is 0 and errors are negative. */
typedef enum
{
  WM_OK = 0,
  WM_ERR_BAD_ARGUMENT = -1,         /* NULL pointer, wrong frame count, misaligned buffer */
  WM_ERR_BAD_MAGIC = -2,            /* not a .wmm file */
  WM_ERR_UNSUPPORTED_VERSION = -3,  /* format or architecture version not understood */
  WM_ERR_TRUNCATED = -4,            /* something reaches past the end of the file/section */
  WM_ERR_CRC_MISMATCH = -5,         /* whole-file or section CRC-32 wrong */
  WM_ERR_UNKNOWN_VARIANT = -6,      /* header variant is neither int8 nor f32 */
  WM_ERR_BAD_SECTION = -7,          /* section table: order, alignment, duplicate, missing */
  WM_ERR_BAD_SHAPE = -8,            /* sizes inconsistent between sections/tensors */
  WM_ERR_UNKNOWN_QUANTIZATION = -9, /* quantisation scheme or rounding mode unknown */
  WM_ERR_UNKNOWN_FRONTEND = -10,    /* front-end kind unknown */
  WM_ERR_BAD_TENSOR = -11,          /* tensor missing, duplicated, wrong dtype or bad offset */
  WM_ERR_BAD_STRING = -12,          /* class name or context string malformed */
  WM_ERR_BAD_PARAMETER = -13,       /* multiplier, shift, zero point or table out of range */
  WM_ERR_BUFFER_TOO_SMALL = -14,    /* caller's buffer smaller than *_buffer_size() */
  WM_ERR_WRONG_VARIANT = -15        /* int16 frames for an f32 model or vice versa */
} wm_status_t;

/* A short constant English name, e.g. "CRC mismatch"; never NULL. */
const char *wm_status_to_string (wm_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* WM_STATUS_H */
