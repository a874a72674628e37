/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spool-file.h: a spool's storage in one POSIX file of fixed-size pages.
 *
 *   wm_spool_file_t file;
 *   wm_spool_storage_t storage;
 *   wm_spool_file_open (&file, "dev0.spool", 4096, 256, &storage);
 *   wm_spool_open (&spool, &storage, page);
 *   …
 *   wm_spool_file_close (&file);
 *
 * Page p lives at byte p · page_size of the file; bytes past the end of the file read as
 * 0xFF (erased), so a new file is an erased storage.  sync is fsync.  Between two syncs the
 * spool relies on the kernel keeping the order of its writes, which holds when the process
 * is killed; after an operating-system crash only synced frames are promised.
 *
 * Only on POSIX systems (Linux gateways, the device simulator, tests); an MCU implements
 * wm_spool_storage_t over its flash driver instead. */
#ifndef WM_SPOOL_FILE_H
#define WM_SPOOL_FILE_H

#include <stdint.h>

#include "wm-spool.h"
#include "wm-status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fields are private. */
typedef struct
{
  int fd;
  uint16_t page_size;
  uint16_t page_count;
} wm_spool_file_t;

/* Opens (creating if needed) @path and fills *@storage, which uses @file as its context.
 * WM_ERR_STORAGE when the file cannot be opened (errno tells why). */
wm_status_t  wm_spool_file_open   (wm_spool_file_t    *file,
                                   const char         *path,
                                   uint16_t            page_size,
                                   uint16_t            page_count,
                                   wm_spool_storage_t *storage);

/* Closes the file; WM_ERR_STORAGE when close fails. */
wm_status_t  wm_spool_file_close  (wm_spool_file_t    *file);

#ifdef __cplusplus
}
#endif

#endif /* WM_SPOOL_FILE_H */
