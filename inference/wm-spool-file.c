/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spool-file.c: spool storage in a POSIX file (see wm-spool-file.h).
 *
 * The parity runners compile every .c of inference/ for bare-metal targets too; there this
 * file holds nothing but the declarations from its header. */

#if defined(__unix__) || defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L
#endif

#include "wm-spool-file.h"

#if defined(__unix__) || defined(__APPLE__)

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define ERASED 0xffu

static off_t
page_at (const wm_spool_file_t *file, uint16_t page, uint16_t offset)
{
  return (off_t) page * file->page_size + offset;
}

static bool
page_in_range (const wm_spool_file_t *file, uint16_t page, uint16_t offset, uint16_t len)
{
  return page < file->page_count && (uint32_t) offset + len <= file->page_size;
}

/* Bytes past the end of the file read as erased. */
static wm_status_t
file_read (void *ctx, uint16_t page, uint16_t offset, uint8_t *buf, uint16_t len)
{
  wm_spool_file_t *file = ctx;
  uint16_t done = 0;

  if (!page_in_range (file, page, offset, len))
    return WM_ERR_STORAGE;
  while (done < len)
    {
      ssize_t n = pread (file->fd, buf + done, (size_t) (len - done),
                         page_at (file, page, (uint16_t) (offset + done)));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return WM_ERR_STORAGE;
      if (n == 0)
        {
          memset (buf + done, ERASED, (size_t) (len - done));
          break;
        }
      done = (uint16_t) (done + n);
    }
  return WM_OK;
}

static wm_status_t
write_all (wm_spool_file_t *file, off_t at, const uint8_t *buf, size_t len)
{
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = pwrite (file->fd, buf + done, len - done, at + (off_t) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return WM_ERR_STORAGE;
      done += (size_t) n;
    }
  return WM_OK;
}

static wm_status_t
file_program (void *ctx, uint16_t page, const uint8_t *buf, uint16_t len)
{
  wm_spool_file_t *file = ctx;

  if (!page_in_range (file, page, 0, len))
    return WM_ERR_STORAGE;
  return write_all (file, page_at (file, page, 0), buf, len);
}

static wm_status_t
file_erase (void *ctx, uint16_t page)
{
  wm_spool_file_t *file = ctx;
  uint8_t ones[256];
  uint16_t done = 0;

  if (page >= file->page_count)
    return WM_ERR_STORAGE;
  memset (ones, ERASED, sizeof ones);
  while (done < file->page_size)
    {
      uint16_t left = (uint16_t) (file->page_size - done);
      uint16_t n = left < sizeof ones ? left : (uint16_t) sizeof ones;
      if (write_all (file, page_at (file, page, done), ones, n) != WM_OK)
        return WM_ERR_STORAGE;
      done = (uint16_t) (done + n);
    }
  return WM_OK;
}

static wm_status_t
file_sync (void *ctx)
{
  wm_spool_file_t *file = ctx;

  return fsync (file->fd) == 0 ? WM_OK : WM_ERR_STORAGE;
}

wm_status_t
wm_spool_file_open (wm_spool_file_t *file, const char *path, uint16_t page_size,
                    uint16_t page_count, wm_spool_storage_t *storage)
{
  if (!file || !path || !storage || page_size < WM_SPOOL_MIN_PAGE_SIZE
      || page_count < WM_SPOOL_MIN_PAGES)
    return WM_ERR_BAD_ARGUMENT;
  file->fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (file->fd < 0)
    return WM_ERR_STORAGE;
  file->page_size = page_size;
  file->page_count = page_count;
  storage->ctx = file;
  storage->page_size = page_size;
  storage->page_count = page_count;
  storage->read = file_read;
  storage->program = file_program;
  storage->erase = file_erase;
  storage->sync = file_sync;
  return WM_OK;
}

wm_status_t
wm_spool_file_close (wm_spool_file_t *file)
{
  int fd;

  if (!file || file->fd < 0)
    return WM_ERR_BAD_ARGUMENT;
  fd = file->fd;
  file->fd = -1;
  return close (fd) == 0 ? WM_OK : WM_ERR_STORAGE;
}

#endif /* __unix__ || __APPLE__ */
