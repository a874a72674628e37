/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-status.c: names of the status codes. */

#include "wm-status.h"

const char *
wm_status_to_string (wm_status_t status)
{
  switch (status)
    {
    case WM_OK:
      return "OK";
    case WM_ERR_BAD_ARGUMENT:
      return "bad argument";
    case WM_ERR_BAD_MAGIC:
      return "not a Waymark model file (bad magic)";
    case WM_ERR_UNSUPPORTED_VERSION:
      return "unsupported format version";
    case WM_ERR_TRUNCATED:
      return "truncated model file";
    case WM_ERR_CRC_MISMATCH:
      return "CRC mismatch";
    case WM_ERR_UNKNOWN_VARIANT:
      return "unknown model variant";
    case WM_ERR_BAD_SECTION:
      return "bad section table";
    case WM_ERR_BAD_SHAPE:
      return "inconsistent shapes";
    case WM_ERR_UNKNOWN_QUANTIZATION:
      return "unknown quantisation scheme";
    case WM_ERR_UNKNOWN_FRONTEND:
      return "unknown front-end";
    case WM_ERR_BAD_TENSOR:
      return "bad tensor table";
    case WM_ERR_BAD_STRING:
      return "bad string";
    case WM_ERR_BAD_PARAMETER:
      return "parameter out of range";
    case WM_ERR_BUFFER_TOO_SMALL:
      return "buffer too small";
    case WM_ERR_WRONG_VARIANT:
      return "wrong model variant for this call";
    case WM_ERR_SPOOL_FULL:
      return "upload spool full";
    case WM_ERR_SPOOL_NOT_FOUND:
      return "no upload spool on this storage";
    case WM_ERR_SPOOL_LOST:
      return "frames no longer in the upload spool";
    case WM_ERR_SPOOL_ENDED:
      return "upload stream already ended";
    case WM_ERR_STORAGE:
      return "storage read or write failed";
    case WM_ERR_UPLOAD_REJECTED:
      return "server refused the request";
    case WM_ERR_UPLOAD_OVERLAP:
      return "server holds different frames at these offsets";
    case WM_ERR_UPLOAD_CONFLICT:
      return "server holds a different stream (metadata or SHA-256)";
    case WM_ERR_UPLOAD_UNAUTHORIZED:
      return "server refused the device's token";
    case WM_ERR_UPLOAD_SERVER_BEHIND:
      return "server lost frames the device has already freed";
    case WM_ERR_UPLOAD_SERVER_AHEAD:
      return "server holds more frames than the device recorded";
    default:
      return "unknown status";
    }
}
