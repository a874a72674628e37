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
  WM_ERR_WRONG_VARIANT = -15,       /* int16 frames for an f32 model or vice versa */
  /* The upload spool (wm-spool.h) and its storage. */
  WM_ERR_SPOOL_FULL = -16,          /* no free page for the frames: nothing was appended */
  WM_ERR_SPOOL_NOT_FOUND = -17,     /* the storage holds no spool (wm_spool_create one) */
  WM_ERR_SPOOL_LOST = -18,          /* frames asked for are no longer stored (freed or corrupt) */
  WM_ERR_SPOOL_ENDED = -19,         /* append after wm_spool_end */
  WM_ERR_STORAGE = -20,             /* a storage read, program, erase or sync failed */
  /* The uploader (wm-uploader.h): why it stopped. */
  WM_ERR_UPLOAD_REJECTED = -21,     /* server refused a request (400, other 4xx): not retried */
  WM_ERR_UPLOAD_OVERLAP = -22,      /* 422: the server holds other frames at these offsets */
  WM_ERR_UPLOAD_CONFLICT = -23,     /* 409 on PUT (other metadata) or finalize (other SHA-256) */
  WM_ERR_UPLOAD_UNAUTHORIZED = -24, /* 401/403: token unknown, wrong, revoked, or not our stream */
  WM_ERR_UPLOAD_SERVER_BEHIND = -25,/* server's committed offset below the spool's oldest frame */
  WM_ERR_UPLOAD_SERVER_AHEAD = -26  /* server holds more frames than the device ever appended */
} wm_status_t;

/* A short constant English name, e.g. "CRC mismatch"; never NULL. */
const char *wm_status_to_string (wm_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* WM_STATUS_H */
