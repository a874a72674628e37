/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spool.h: the device's upload buffer for one stream, over pages of storage.
 *
 *   wm_spool_storage_t storage = { … };            (wm-spool-file.h, or the MCU's flash driver)
 *   uint8_t page[PAGE_SIZE];                       (one page of RAM, caller-owned)
 *   if (wm_spool_open (&spool, &storage, page) == WM_ERR_SPOOL_NOT_FOUND)
 *     wm_spool_create (&spool, &storage, page, "stream-uuid", frame_bytes);
 *   wm_spool_append (&spool, frames, n);           (WM_ERR_SPOOL_FULL: nothing taken)
 *   wm_spool_sync (&spool);                        (everything appended is now durable)
 *   wm_spool_read (&spool, offset, buf, max, &n);  (the uploader sends these)
 *   wm_spool_set_committed (&spool, m);            (the server's 200 reply; frees pages below m)
 *   wm_spool_end (&spool);                         (no more frames: the stream can be finalized)
 *
 * Frames are addressed by their stream frame offset (0 = first frame of the stream), the
 * same numbers the server's committed_offset uses.  Two pages hold alternating meta records
 * (stream id, frame size, committed offset, end); the others are a ring of data pages in
 * append order, each with a header (sequence number, first frame offset, frame count,
 * CRC-32).  Opening scans the pages and drops torn or corrupt ones, so a power loss at any
 * instant keeps every frame that wm_spool_sync returned WM_OK for and that the server had
 * not acknowledged, and a committed offset that is one the device persisted, never older
 * than the last wm_spool_set_committed that returned WM_OK.  SPOOL.md gives the layout byte
 * by byte.
 *
 * A spool is not thread-safe; one caller drives it (usually the firmware's main loop). */
#ifndef WM_SPOOL_H
#define WM_SPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "wm-status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WM_SPOOL_STREAM_ID_MAX 64u  /* bytes of a stream id, [A-Za-z0-9._~-] */
#define WM_SPOOL_PAGE_HEADER 32u    /* bytes of a data page's header */
#define WM_SPOOL_META_BYTES 104u    /* bytes of a meta record */
#define WM_SPOOL_MIN_PAGE_SIZE 128u
#define WM_SPOOL_MIN_PAGES 4u       /* two meta pages and at least two data pages */

/* What the spool needs of its storage.  Pages are numbered 0 … page_count-1, each
 * page_size bytes.  program writes len ≤ page_size bytes at the start of a page that was
 * erased since it was last programmed; erase sets every byte of a page to 0xFF; sync
 * returns once everything programmed and erased before it is durable.  A power loss may
 * leave the page being programmed or erased in any state (torn); the spool never relies on
 * a page it did not read back with a valid CRC.  Every function returns WM_OK, or
 * WM_ERR_STORAGE when the operation failed. */
typedef struct
{
  void *ctx;
  uint16_t page_size;   /* WM_SPOOL_MIN_PAGE_SIZE … 65535 */
  uint16_t page_count;  /* ≥ WM_SPOOL_MIN_PAGES */
  wm_status_t (*read) (void *ctx, uint16_t page, uint16_t offset, uint8_t *buf, uint16_t len);
  wm_status_t (*program) (void *ctx, uint16_t page, const uint8_t *buf, uint16_t len);
  wm_status_t (*erase) (void *ctx, uint16_t page);
  wm_status_t (*sync) (void *ctx);
} wm_spool_storage_t;

/* Fields are private. */
typedef struct
{
  const wm_spool_storage_t *storage;
  uint8_t *page;              /* caller's page_size bytes: the data page being filled */
  uint64_t committed;         /* frames the server acknowledged (persisted) */
  uint64_t durable_end;       /* frames in data pages on storage */
  uint64_t end_frames;        /* total frames once ended */
  uint64_t cursor_first;      /* read cursor: first frame of cursor_page */
  uint32_t generation;        /* which stream the data pages belong to */
  uint32_t data_seq;          /* sequence number of the newest data page */
  uint32_t meta_seq;          /* sequence number of the newest meta record */
  uint16_t frame_bytes;
  uint16_t frames_per_page;
  uint16_t tail;              /* data page index of the newest data page */
  uint16_t pending;           /* frames in page not yet on storage */
  uint16_t cursor_page;       /* data page index; cursor_count 0: no cursor */
  uint16_t cursor_count;
  bool has_tail;
  bool ended;
  uint8_t stream_id_len;
  char stream_id[WM_SPOOL_STREAM_ID_MAX + 1];
} wm_spool_t;

/* Finds the spool on storage and recovers it (no writes): WM_ERR_SPOOL_NOT_FOUND when
 * there is none, WM_ERR_BAD_ARGUMENT when the storage's geometry is unusable.  @page is
 * the caller's buffer of storage->page_size bytes, used until the spool is dropped;
 * @storage must outlive the spool. */
wm_status_t  wm_spool_open          (wm_spool_t               *spool,
                                     const wm_spool_storage_t *storage,
                                     uint8_t                  *page);

/* Starts a new stream on the storage, discarding any earlier one: committed offset 0,
 * nothing appended.  @stream_id: 1 … WM_SPOOL_STREAM_ID_MAX bytes of [A-Za-z0-9._~-]
 * (it goes into URLs).  @frame_bytes: bytes of one interleaved frame. */
wm_status_t  wm_spool_create        (wm_spool_t               *spool,
                                     const wm_spool_storage_t *storage,
                                     uint8_t                  *page,
                                     const char               *stream_id,
                                     uint16_t                  frame_bytes);

/* Appends @n_frames whole frames (frame_bytes each), all or none: WM_ERR_SPOOL_FULL when
 * the unacknowledged frames leave no room, WM_ERR_SPOOL_ENDED after wm_spool_end.  Full
 * pages are written as they fill; the rest waits in RAM until wm_spool_sync.  After
 * WM_ERR_STORAGE the spool's state is unknown: open it again. */
wm_status_t  wm_spool_append        (wm_spool_t               *spool,
                                     const uint8_t            *frames,
                                     uint32_t                  n_frames);

/* Makes every appended frame durable: the partly filled page is written as a page of its
 * own (so each sync with frames pending uses one page), then storage->sync.
 * WM_ERR_SPOOL_FULL when every page holds unacknowledged frames (the frames stay in RAM). */
wm_status_t  wm_spool_sync          (wm_spool_t               *spool);

/* Copies up to @max_frames frames starting at stream offset @offset into @buf and sets
 * *@n_frames (0 when @offset is the end).  Frames still in RAM are readable too.
 * WM_ERR_SPOOL_LOST when the frame at @offset is not stored (freed, or its page corrupt),
 * WM_ERR_BAD_ARGUMENT when @offset is past the end. */
wm_status_t  wm_spool_read          (wm_spool_t               *spool,
                                     uint64_t                  offset,
                                     uint8_t                  *buf,
                                     uint32_t                  max_frames,
                                     uint32_t                 *n_frames);

/* Persists the server's committed offset (durable when this returns WM_OK); pages wholly
 * below it become free.  An offset at or below the current one changes nothing (the
 * committed offset never goes backwards); one past the frames appended is
 * WM_ERR_BAD_ARGUMENT. */
wm_status_t  wm_spool_set_committed (wm_spool_t               *spool,
                                     uint64_t                  offset);

/* Syncs and marks the stream ended (persisted): no more appends; the uploader finalizes it
 * once everything is committed.  Calling it again changes nothing. */
wm_status_t  wm_spool_end           (wm_spool_t               *spool);

/* Accessors. */
const char  *wm_spool_stream_id     (const wm_spool_t         *spool);
uint16_t     wm_spool_frame_bytes   (const wm_spool_t         *spool);
uint64_t     wm_spool_committed     (const wm_spool_t         *spool);
/* Frames appended since the stream began (durable or still in RAM). */
uint64_t     wm_spool_total_frames  (const wm_spool_t         *spool);
/* Frames appended and durable on storage (≤ total). */
uint64_t     wm_spool_durable_frames (const wm_spool_t        *spool);
bool         wm_spool_is_ended      (const wm_spool_t         *spool);
/* How many frames one data page holds: (page_size - WM_SPOOL_PAGE_HEADER) / frame_bytes. */
uint16_t     wm_spool_frames_per_page (const wm_spool_t       *spool);

#ifdef __cplusplus
}
#endif

#endif /* WM_SPOOL_H */
