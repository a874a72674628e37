/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-spool.c: the upload spool; SPOOL.md describes the pages byte by byte. */

#include "wm-spool.h"

#include <string.h>

#ifdef __AVR__
#include <avr/pgmspace.h>
#define CRC_TABLE_ATTR PROGMEM
#define CRC_TABLE(i) ((uint32_t) pgm_read_dword (&crc_table[i]))
#else
#define CRC_TABLE_ATTR
#define CRC_TABLE(i) (crc_table[i])
#endif

#define META_PAGES 2u
#define DATA_MAGIC UINT32_C (0x44534D57)  /* "WMSD" */
#define META_MAGIC UINT32_C (0x4D534D57)  /* "WMSM" */
#define LAYOUT_VERSION 1u
#define META_FLAG_ENDED 0x01u
#define META_CRC_AT 100u
#define DATA_CRC_AT 28u

/* Pieces in which a page is read back to check its CRC while the page buffer is in use. */
#ifdef __AVR__
#define CHECK_PIECE 32u
#else
#define CHECK_PIECE 256u
#endif

/* CRC-32 (IEEE, as zlib), four bits at a time. */
static const uint32_t crc_table[16] CRC_TABLE_ATTR = {
  UINT32_C (0x00000000), UINT32_C (0x1DB71064), UINT32_C (0x3B6E20C8), UINT32_C (0x26D930AC),
  UINT32_C (0x76DC4190), UINT32_C (0x6B6B51F4), UINT32_C (0x4DB26158), UINT32_C (0x5005713C),
  UINT32_C (0xEDB88320), UINT32_C (0xF00F9344), UINT32_C (0xD6D6A3E8), UINT32_C (0xCB61B38C),
  UINT32_C (0x9B64C2B0), UINT32_C (0x86D3D2D4), UINT32_C (0xA00AE278), UINT32_C (0xBDBDF21C),
};

/* Continues a CRC-32 over buf[0, len): start with 0xFFFFFFFF, finish with ~. */
static uint32_t
crc_update (uint32_t crc, const uint8_t *buf, uint32_t len)
{
  uint32_t i;

  for (i = 0; i < len; i++)
    {
      crc ^= buf[i];
      crc = (crc >> 4) ^ CRC_TABLE (crc & 15u);
      crc = (crc >> 4) ^ CRC_TABLE (crc & 15u);
    }
  return crc;
}

static uint16_t
get_u16 (const uint8_t *p)
{
  return (uint16_t) (p[0] | ((uint16_t) p[1] << 8));
}

static uint32_t
get_u32 (const uint8_t *p)
{
  return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
         | ((uint32_t) p[3] << 24);
}

static uint64_t
get_u64 (const uint8_t *p)
{
  return (uint64_t) get_u32 (p) | ((uint64_t) get_u32 (p + 4) << 32);
}

static void
put_u16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v & 0xffu);
  p[1] = (uint8_t) (v >> 8);
}

static void
put_u32 (uint8_t *p, uint32_t v)
{
  put_u16 (p, (uint16_t) (v & 0xffffu));
  put_u16 (p + 2, (uint16_t) (v >> 16));
}

static void
put_u64 (uint8_t *p, uint64_t v)
{
  put_u32 (p, (uint32_t) (v & UINT32_C (0xffffffff)));
  put_u32 (p + 4, (uint32_t) (v >> 32));
}

static bool
stream_id_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
         || c == '.' || c == '_' || c == '~' || c == '-';
}

static uint16_t
data_pages (const wm_spool_t *spool)
{
  return (uint16_t) (spool->storage->page_count - META_PAGES);
}

static uint16_t
storage_page (uint16_t data_index)
{
  return (uint16_t) (data_index + META_PAGES);
}

static uint16_t
next_index (const wm_spool_t *spool, uint16_t index, uint16_t steps)
{
  return (uint16_t) (((uint32_t) index + steps) % data_pages (spool));
}

static bool
storage_usable (const wm_spool_storage_t *storage)
{
  return storage && storage->read && storage->program && storage->erase && storage->sync
         && storage->page_size >= WM_SPOOL_MIN_PAGE_SIZE
         && storage->page_count >= WM_SPOOL_MIN_PAGES;
}

/* ---- data page headers --------------------------------------------------------------- */

typedef struct
{
  uint64_t first;
  uint32_t seq;
  uint32_t generation;
  uint16_t count;
  uint16_t frame_bytes;
  uint32_t crc;
} page_header_t;

/* Decodes a header; false when it cannot be a data page of this page size. */
static bool
parse_header (const uint8_t *h, uint16_t page_size, page_header_t *out)
{
  if (get_u32 (h) != DATA_MAGIC || h[4] != LAYOUT_VERSION)
    return false;
  out->count = get_u16 (h + 6);
  out->seq = get_u32 (h + 8);
  out->generation = get_u32 (h + 12);
  out->first = get_u64 (h + 16);
  out->frame_bytes = get_u16 (h + 24);
  out->crc = get_u32 (h + DATA_CRC_AT);
  return out->count >= 1 && out->frame_bytes >= 1
         && (uint32_t) out->count * out->frame_bytes <= (uint32_t) page_size - WM_SPOOL_PAGE_HEADER;
}

static uint16_t
payload_bytes (const page_header_t *h)
{
  return (uint16_t) ((uint32_t) h->count * h->frame_bytes);
}

/* CRC of a page held in memory. */
static bool
page_crc_ok (const uint8_t *page, const page_header_t *h)
{
  uint32_t crc = crc_update (UINT32_C (0xffffffff), page, DATA_CRC_AT);

  crc = crc_update (crc, page + WM_SPOOL_PAGE_HEADER, payload_bytes (h));
  return ~crc == h->crc;
}

/* CRC of a page on storage, read back in small pieces (the page buffer is busy). */
static wm_status_t
check_stored_page (const wm_spool_t *spool, uint16_t index, const uint8_t *header,
                   const page_header_t *h, bool *ok)
{
  uint8_t piece[CHECK_PIECE];
  uint32_t crc = crc_update (UINT32_C (0xffffffff), header, DATA_CRC_AT);
  uint16_t done = 0, len = payload_bytes (h);

  while (done < len)
    {
      uint16_t left = (uint16_t) (len - done);
      uint16_t n = left < CHECK_PIECE ? left : (uint16_t) CHECK_PIECE;
      wm_status_t st = spool->storage->read (spool->storage->ctx, storage_page (index),
                                             (uint16_t) (WM_SPOOL_PAGE_HEADER + done),
                                             piece, n);
      if (st != WM_OK)
        return WM_ERR_STORAGE;
      crc = crc_update (crc, piece, n);
      done = (uint16_t) (done + n);
    }
  *ok = ~crc == h->crc;
  return WM_OK;
}

/* Reads a data page's header; *h_ok says whether it is a page of this stream. */
static wm_status_t
read_own_header (const wm_spool_t *spool, uint16_t index, uint8_t *header,
                 page_header_t *h, bool *h_ok)
{
  if (spool->storage->read (spool->storage->ctx, storage_page (index), 0, header,
                            WM_SPOOL_PAGE_HEADER) != WM_OK)
    return WM_ERR_STORAGE;
  *h_ok = parse_header (header, spool->storage->page_size, h)
          && h->generation == spool->generation && h->frame_bytes == spool->frame_bytes;
  return WM_OK;
}

/* ---- meta records -------------------------------------------------------------------- */

typedef struct
{
  uint64_t committed;
  uint64_t end_frames;
  uint32_t seq;
  uint32_t generation;
  uint16_t frame_bytes;
  uint8_t flags;
} meta_t;

static bool
parse_meta (const uint8_t *m, uint16_t page, meta_t *out)
{
  uint8_t i, id_len;

  if (get_u32 (m) != META_MAGIC || m[4] != LAYOUT_VERSION)
    return false;
  if (~crc_update (UINT32_C (0xffffffff), m, META_CRC_AT) != get_u32 (m + META_CRC_AT))
    return false;
  out->flags = m[5];
  out->frame_bytes = get_u16 (m + 6);
  out->seq = get_u32 (m + 8);
  out->generation = get_u32 (m + 12);
  out->committed = get_u64 (m + 16);
  out->end_frames = get_u64 (m + 24);
  id_len = m[32];
  if ((out->seq & 1u) != page || out->frame_bytes == 0 || id_len == 0
      || id_len > WM_SPOOL_STREAM_ID_MAX)
    return false;
  for (i = 0; i < id_len; i++)
    if (!stream_id_char ((char) m[33 + i]))
      return false;
  return true;
}

/* Writes the next meta record (to the page not holding the newest) and syncs. */
static wm_status_t
write_meta (wm_spool_t *spool, uint64_t committed, bool ended, uint64_t end_frames)
{
  const wm_spool_storage_t *s = spool->storage;
  uint8_t m[WM_SPOOL_META_BYTES];
  uint32_t seq = spool->meta_seq + 1u;
  uint16_t page = (uint16_t) (seq & 1u);

  memset (m, 0, sizeof m);
  put_u32 (m, META_MAGIC);
  m[4] = LAYOUT_VERSION;
  m[5] = ended ? META_FLAG_ENDED : 0u;
  put_u16 (m + 6, spool->frame_bytes);
  put_u32 (m + 8, seq);
  put_u32 (m + 12, spool->generation);
  put_u64 (m + 16, committed);
  put_u64 (m + 24, ended ? end_frames : 0u);
  m[32] = spool->stream_id_len;
  memcpy (m + 33, spool->stream_id, spool->stream_id_len);
  put_u32 (m + META_CRC_AT, ~crc_update (UINT32_C (0xffffffff), m, META_CRC_AT));
  if (s->erase (s->ctx, page) != WM_OK || s->program (s->ctx, page, m, sizeof m) != WM_OK
      || s->sync (s->ctx) != WM_OK)
    return WM_ERR_STORAGE;
  spool->meta_seq = seq;
  return WM_OK;
}

/* The newest valid meta record, read into the (idle) page buffer; *found false if none. */
static wm_status_t
find_meta (wm_spool_t *spool, meta_t *best, bool *found)
{
  const wm_spool_storage_t *s = spool->storage;
  uint16_t page;
  meta_t m;

  *found = false;
  for (page = 0; page < META_PAGES; page++)
    {
      if (s->read (s->ctx, page, 0, spool->page, WM_SPOOL_META_BYTES) != WM_OK)
        return WM_ERR_STORAGE;
      if (parse_meta (spool->page, page, &m) && (!*found || m.seq > best->seq))
        {
          *best = m;
          *found = true;
          spool->stream_id_len = spool->page[32];
          memcpy (spool->stream_id, spool->page + 33, spool->stream_id_len);
          spool->stream_id[spool->stream_id_len] = '\0';
        }
    }
  return WM_OK;
}

/* ---- recovery ------------------------------------------------------------------------ */

typedef struct
{
  uint64_t own_end;        /* end of the newest page of spool->generation */
  uint32_t max_generation; /* over every valid data page */
  bool own_found;
  uint16_t newest_any;     /* index of the valid page with the highest seq */
} scan_t;

/* Reads every data page whole (into the idle page buffer), keeps the CRC-valid ones:
 * the newest page of the spool's generation becomes the tail. */
static wm_status_t
scan_pages (wm_spool_t *spool, scan_t *scan)
{
  const wm_spool_storage_t *s = spool->storage;
  uint32_t seq_any = 0, seq_own = 0;
  bool any = false;
  uint16_t i;
  page_header_t h;

  memset (scan, 0, sizeof *scan);
  scan->newest_any = (uint16_t) (data_pages (spool) - 1u);
  for (i = 0; i < data_pages (spool); i++)
    {
      if (s->read (s->ctx, storage_page (i), 0, spool->page, s->page_size) != WM_OK)
        return WM_ERR_STORAGE;
      if (!parse_header (spool->page, s->page_size, &h) || !page_crc_ok (spool->page, &h))
        continue;
      if (!any || h.seq > seq_any)
        {
          seq_any = h.seq;
          scan->newest_any = i;
          any = true;
        }
      if (h.generation > scan->max_generation)
        scan->max_generation = h.generation;
      if (h.generation == spool->generation && h.frame_bytes == spool->frame_bytes
          && (!scan->own_found || h.seq > seq_own))
        {
          seq_own = h.seq;
          spool->tail = i;
          scan->own_end = h.first + h.count;
          scan->own_found = true;
        }
    }
  spool->data_seq = seq_any;
  spool->has_tail = scan->own_found;
  if (!scan->own_found)
    spool->tail = scan->newest_any;
  return WM_OK;
}

static wm_status_t
attach (wm_spool_t *spool, const wm_spool_storage_t *storage, uint8_t *page)
{
  if (!spool || !storage_usable (storage) || !page)
    return WM_ERR_BAD_ARGUMENT;
  memset (spool, 0, sizeof *spool);
  spool->storage = storage;
  spool->page = page;
  return WM_OK;
}

static bool
set_frame_bytes (wm_spool_t *spool, uint16_t frame_bytes)
{
  uint16_t room = (uint16_t) (spool->storage->page_size - WM_SPOOL_PAGE_HEADER);

  if (frame_bytes == 0 || frame_bytes > room)
    return false;
  spool->frame_bytes = frame_bytes;
  spool->frames_per_page = (uint16_t) (room / frame_bytes);
  return true;
}

wm_status_t
wm_spool_open (wm_spool_t *spool, const wm_spool_storage_t *storage, uint8_t *page)
{
  wm_status_t st = attach (spool, storage, page);
  scan_t scan;
  meta_t meta;
  bool found;

  if (st != WM_OK)
    return st;
  st = find_meta (spool, &meta, &found);
  if (st != WM_OK)
    return st;
  if (!found)
    return WM_ERR_SPOOL_NOT_FOUND;
  if (!set_frame_bytes (spool, meta.frame_bytes))
    return WM_ERR_BAD_ARGUMENT;
  spool->generation = meta.generation;
  spool->meta_seq = meta.seq;
  spool->committed = meta.committed;
  spool->ended = (meta.flags & META_FLAG_ENDED) != 0;
  spool->end_frames = meta.end_frames;
  st = scan_pages (spool, &scan);
  if (st != WM_OK)
    return st;
  /* Frames acknowledged while still in RAM may have died with it: the stream goes on
   * after the committed offset. */
  spool->durable_end = scan.own_end > spool->committed ? scan.own_end : spool->committed;
  if (spool->ended && spool->end_frames > spool->durable_end)
    spool->durable_end = spool->end_frames;
  return WM_OK;
}

wm_status_t
wm_spool_create (wm_spool_t *spool, const wm_spool_storage_t *storage, uint8_t *page,
                 const char *stream_id, uint16_t frame_bytes)
{
  wm_status_t st = attach (spool, storage, page);
  size_t len, i;
  scan_t scan;
  meta_t meta;
  bool found;

  if (st != WM_OK)
    return st;
  if (!stream_id || !set_frame_bytes (spool, frame_bytes))
    return WM_ERR_BAD_ARGUMENT;
  len = strlen (stream_id);
  if (len == 0 || len > WM_SPOOL_STREAM_ID_MAX)
    return WM_ERR_BAD_ARGUMENT;
  for (i = 0; i < len; i++)
    if (!stream_id_char (stream_id[i]))
      return WM_ERR_BAD_ARGUMENT;
  st = find_meta (spool, &meta, &found);
  if (st != WM_OK)
    return st;
  /* Generation 0 matches nothing while scanning; the new stream's is above every one
   * seen, so no page of an earlier stream is ever taken for one of this. */
  st = scan_pages (spool, &scan);
  if (st != WM_OK)
    return st;
  spool->generation = (found && meta.generation > scan.max_generation ? meta.generation
                                                                       : scan.max_generation)
                      + 1u;
  spool->meta_seq = found ? meta.seq : 0u;
  spool->stream_id_len = (uint8_t) len;
  memcpy (spool->stream_id, stream_id, len);
  spool->stream_id[len] = '\0';
  return write_meta (spool, 0, false, 0);
}

/* ---- appending ----------------------------------------------------------------------- */

/* Whether data page @index may be overwritten: not a page of this stream, wholly
 * committed, or corrupt. */
static wm_status_t
page_is_free (const wm_spool_t *spool, uint16_t index, bool *is_free)
{
  uint8_t header[WM_SPOOL_PAGE_HEADER];
  page_header_t h;
  bool own, crc_ok;
  wm_status_t st = read_own_header (spool, index, header, &h, &own);

  if (st != WM_OK)
    return st;
  if (!own || h.first + h.count <= spool->committed)
    {
      *is_free = true;
      return WM_OK;
    }
  st = check_stored_page (spool, index, header, &h, &crc_ok);
  *is_free = !crc_ok;
  return st;
}

/* WM_OK when the next @n_pages data pages after the tail are free. */
static wm_status_t
check_room (const wm_spool_t *spool, uint32_t n_pages)
{
  uint32_t j;

  if (n_pages > data_pages (spool))
    return WM_ERR_SPOOL_FULL;
  for (j = 1; j <= n_pages; j++)
    {
      bool is_free = false;
      wm_status_t st = page_is_free (spool, next_index (spool, spool->tail, (uint16_t) j),
                                     &is_free);
      if (st != WM_OK)
        return st;
      if (!is_free)
        return WM_ERR_SPOOL_FULL;
    }
  return WM_OK;
}

/* Writes the pending frames as the page after the tail (checked free by the caller). */
static wm_status_t
write_pending (wm_spool_t *spool)
{
  const wm_spool_storage_t *s = spool->storage;
  uint16_t index = next_index (spool, spool->tail, 1);
  uint8_t *p = spool->page;
  page_header_t h;

  memset (p, 0, WM_SPOOL_PAGE_HEADER);
  put_u32 (p, DATA_MAGIC);
  p[4] = LAYOUT_VERSION;
  put_u16 (p + 6, spool->pending);
  put_u32 (p + 8, spool->data_seq + 1u);
  put_u32 (p + 12, spool->generation);
  put_u64 (p + 16, spool->durable_end);
  put_u16 (p + 24, spool->frame_bytes);
  h.count = spool->pending;
  h.frame_bytes = spool->frame_bytes;
  put_u32 (p + DATA_CRC_AT,
           ~crc_update (crc_update (UINT32_C (0xffffffff), p, DATA_CRC_AT),
                        p + WM_SPOOL_PAGE_HEADER, payload_bytes (&h)));
  if (spool->cursor_count && spool->cursor_page == index)
    spool->cursor_count = 0;
  if (s->erase (s->ctx, storage_page (index)) != WM_OK
      || s->program (s->ctx, storage_page (index), p,
                     (uint16_t) (WM_SPOOL_PAGE_HEADER + payload_bytes (&h))) != WM_OK)
    return WM_ERR_STORAGE;
  spool->tail = index;
  spool->has_tail = true;
  spool->data_seq++;
  spool->durable_end += spool->pending;
  spool->pending = 0;
  return WM_OK;
}

wm_status_t
wm_spool_append (wm_spool_t *spool, const uint8_t *frames, uint32_t n_frames)
{
  uint16_t cap;
  wm_status_t st;

  if (!spool || !spool->storage || (!frames && n_frames))
    return WM_ERR_BAD_ARGUMENT;
  if (spool->ended)
    return WM_ERR_SPOOL_ENDED;
  cap = spool->frames_per_page;
  st = check_room (spool, (uint32_t) (((uint64_t) spool->pending + n_frames) / cap));
  if (st != WM_OK)
    return st;
  while (n_frames > 0)
    {
      uint16_t room = (uint16_t) (cap - spool->pending);
      uint16_t take = n_frames < room ? (uint16_t) n_frames : room;
      uint32_t bytes = (uint32_t) take * spool->frame_bytes;

      memcpy (spool->page + WM_SPOOL_PAGE_HEADER + (uint32_t) spool->pending * spool->frame_bytes,
              frames, bytes);
      spool->pending = (uint16_t) (spool->pending + take);
      frames += bytes;
      n_frames -= take;
      if (spool->pending == cap)
        {
          st = write_pending (spool);
          if (st != WM_OK)
            return st;
        }
    }
  return WM_OK;
}

wm_status_t
wm_spool_sync (wm_spool_t *spool)
{
  wm_status_t st;

  if (!spool || !spool->storage)
    return WM_ERR_BAD_ARGUMENT;
  if (spool->pending > 0)
    {
      st = check_room (spool, 1);
      if (st == WM_OK)
        st = write_pending (spool);
      if (st != WM_OK)
        return st;
    }
  return spool->storage->sync (spool->storage->ctx) == WM_OK ? WM_OK : WM_ERR_STORAGE;
}

/* ---- reading ------------------------------------------------------------------------- */

/* Makes the cursor the CRC-checked page of this stream at @index holding @offset;
 * *hit false when it is not that page. */
static wm_status_t
try_page (wm_spool_t *spool, uint16_t index, uint64_t offset, bool *hit)
{
  uint8_t header[WM_SPOOL_PAGE_HEADER];
  page_header_t h;
  bool own, crc_ok = false;
  wm_status_t st = read_own_header (spool, index, header, &h, &own);

  *hit = false;
  if (st != WM_OK || !own || offset < h.first || offset >= h.first + h.count)
    return st;
  st = check_stored_page (spool, index, header, &h, &crc_ok);
  if (st != WM_OK || !crc_ok)
    return st;
  spool->cursor_page = index;
  spool->cursor_first = h.first;
  spool->cursor_count = h.count;
  *hit = true;
  return WM_OK;
}

/* Points the cursor at the page holding @offset: the cursor's own page or the next one
 * when reading on in order, else a scan of every page. */
static wm_status_t
locate (wm_spool_t *spool, uint64_t offset)
{
  uint16_t i;
  bool hit = false;
  wm_status_t st;

  if (spool->cursor_count)
    {
      if (offset >= spool->cursor_first && offset < spool->cursor_first + spool->cursor_count)
        return WM_OK;
      st = try_page (spool, next_index (spool, spool->cursor_page, 1), offset, &hit);
      if (st != WM_OK || hit)
        return st;
    }
  spool->cursor_count = 0;
  for (i = 0; spool->has_tail && i < data_pages (spool); i++)
    {
      st = try_page (spool, i, offset, &hit);
      if (st != WM_OK || hit)
        return st;
    }
  return WM_ERR_SPOOL_LOST;
}

/* Copies frames from offset on out of one place (RAM or one page); *n frames copied. */
static wm_status_t
read_some (wm_spool_t *spool, uint64_t offset, uint8_t *buf, uint32_t max, uint32_t *n)
{
  uint64_t avail;
  wm_status_t st;

  if (offset >= spool->durable_end)
    {
      uint16_t at = (uint16_t) (offset - spool->durable_end);

      avail = (uint64_t) (spool->pending - at);
      *n = avail < max ? (uint32_t) avail : max;
      memcpy (buf, spool->page + WM_SPOOL_PAGE_HEADER + (uint32_t) at * spool->frame_bytes,
              (size_t) *n * spool->frame_bytes);
      return WM_OK;
    }
  st = locate (spool, offset);
  if (st != WM_OK)
    return st;
  avail = spool->cursor_first + spool->cursor_count - offset;
  if (avail > spool->durable_end - offset)
    avail = spool->durable_end - offset;
  *n = avail < max ? (uint32_t) avail : max;
  if (spool->storage->read (spool->storage->ctx, storage_page (spool->cursor_page),
                            (uint16_t) (WM_SPOOL_PAGE_HEADER
                                        + (offset - spool->cursor_first) * spool->frame_bytes),
                            buf, (uint16_t) (*n * spool->frame_bytes)) != WM_OK)
    return WM_ERR_STORAGE;
  return WM_OK;
}

wm_status_t
wm_spool_read (wm_spool_t *spool, uint64_t offset, uint8_t *buf, uint32_t max_frames,
               uint32_t *n_frames)
{
  uint64_t total;

  if (!spool || !spool->storage || !n_frames || (!buf && max_frames))
    return WM_ERR_BAD_ARGUMENT;
  *n_frames = 0;
  total = wm_spool_total_frames (spool);
  if (offset > total)
    return WM_ERR_BAD_ARGUMENT;
  while (max_frames > 0 && offset < total)
    {
      uint32_t n;
      wm_status_t st = read_some (spool, offset, buf, max_frames, &n);

      if (st != WM_OK)
        return *n_frames > 0 && st == WM_ERR_SPOOL_LOST ? WM_OK : st;
      *n_frames += n;
      max_frames -= n;
      offset += n;
      buf += (size_t) n * spool->frame_bytes;
    }
  return WM_OK;
}

/* ---- acknowledgement and end --------------------------------------------------------- */

wm_status_t
wm_spool_set_committed (wm_spool_t *spool, uint64_t offset)
{
  wm_status_t st;

  if (!spool || !spool->storage)
    return WM_ERR_BAD_ARGUMENT;
  if (offset <= spool->committed)
    return WM_OK;
  if (offset > wm_spool_total_frames (spool))
    return WM_ERR_BAD_ARGUMENT;
  st = write_meta (spool, offset, spool->ended, spool->end_frames);
  if (st == WM_OK)
    spool->committed = offset;
  return st;
}

wm_status_t
wm_spool_end (wm_spool_t *spool)
{
  wm_status_t st;

  if (!spool || !spool->storage)
    return WM_ERR_BAD_ARGUMENT;
  if (spool->ended)
    return WM_OK;
  st = wm_spool_sync (spool);
  if (st == WM_OK)
    st = write_meta (spool, spool->committed, true, spool->durable_end);
  if (st == WM_OK)
    {
      spool->ended = true;
      spool->end_frames = spool->durable_end;
    }
  return st;
}

/* ---- accessors ----------------------------------------------------------------------- */

const char *
wm_spool_stream_id (const wm_spool_t *spool)
{
  return spool->stream_id;
}

uint16_t
wm_spool_frame_bytes (const wm_spool_t *spool)
{
  return spool->frame_bytes;
}

uint64_t
wm_spool_committed (const wm_spool_t *spool)
{
  return spool->committed;
}

uint64_t
wm_spool_total_frames (const wm_spool_t *spool)
{
  return spool->durable_end + spool->pending;
}

uint64_t
wm_spool_durable_frames (const wm_spool_t *spool)
{
  return spool->durable_end;
}

bool
wm_spool_is_ended (const wm_spool_t *spool)
{
  return spool->ended;
}

uint16_t
wm_spool_frames_per_page (const wm_spool_t *spool)
{
  return spool->frames_per_page;
}
