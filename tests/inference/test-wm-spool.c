/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The upload spool: file storage round trip and its layout against SPOOL.md, a RAM "flash"
 * losing power at every page write of scripted sessions (with torn writes), ring
 * wrap-around, a full spool, corrupt pages and meta records. */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "wm-ram-flash.h"
#include "wm-spool-file.h"
#include "wm-spool.h"

#define FRAME_BYTES 6u
#define NO_ACK G_MAXUINT64

/* The stream's frames are a function of their offset, so frames a full spool refused
 * (dropped, never given an offset) leave no hole in the source. */
static guint8
source_byte (guint64 frame, guint byte)
{
  guint64 x = frame * 0x9E3779B97F4A7C15u + byte * 0xBF58476D1CE4E5B9u + 1u;

  x ^= x >> 31;
  x *= 0x94D049BB133111EBu;
  return (guint8) (x >> 56);
}

static void
source_frames (guint64 first, guint n, guint frame_bytes, guint8 *out)
{
  for (guint i = 0; i < n; i++)
    for (guint b = 0; b < frame_bytes; b++)
      out[i * frame_bytes + b] = source_byte (first + i, b);
}

/* Every frame of [from, to) reads back byte-identical to the source, in reads of 7
 * frames so they cross page boundaries. */
static void
assert_frames (wm_spool_t *spool, guint64 from, guint64 to)
{
  guint fb = wm_spool_frame_bytes (spool);
  guint8 got[7 * 64], want[7 * 64];

  g_assert_cmpuint (fb, <=, 64);
  while (from < to)
    {
      uint32_t n = 0;
      guint ask = (guint) MIN (7u, to - from);

      g_assert_cmpint (wm_spool_read (spool, from, got, ask, &n), ==, WM_OK);
      g_assert_cmpuint (n, ==, ask);
      source_frames (from, n, fb, want);
      g_assert_cmpmem (got, n * fb, want, n * fb);
      from += n;
    }
}

static wm_status_t
append_source (wm_spool_t *spool, guint n)
{
  guint fb = wm_spool_frame_bytes (spool);
  g_autofree guint8 *frames = g_malloc ((gsize) n * fb + 1);

  source_frames (wm_spool_total_frames (spool), n, fb, frames);
  return wm_spool_append (spool, frames, n);
}

/* ---- a scripted session and what a power loss may leave of it ------------------------ */

typedef struct
{
  WmRamFlash *flash;
  wm_spool_t spool;
  guint8 *page;
  GRand *rand;
  gboolean created;      /* wm_spool_create returned WM_OK */
  guint64 synced_end;    /* frames a successful wm_spool_sync covered */
  guint64 committed_ok;  /* the last offset wm_spool_set_committed returned WM_OK for */
  guint64 ack_in_flight; /* the offset being persisted when the power went, or NO_ACK */
  guint n_full;          /* appends refused as full */
  gboolean ended;
} Session;

static void
session_init (Session *s, WmRamFlash *flash, guint32 seed)
{
  memset (s, 0, sizeof *s);
  s->flash = flash;
  s->page = g_malloc (flash->storage.page_size);
  s->rand = g_rand_new_with_seed (seed);
  s->ack_in_flight = NO_ACK;
}

static void
session_clear (Session *s)
{
  g_free (s->page);
  g_rand_free (s->rand);
}

static wm_status_t
session_ack (Session *s, guint64 v)
{
  wm_status_t st;

  s->ack_in_flight = v;
  st = wm_spool_set_committed (&s->spool, v);
  if (st == WM_OK)
    {
      s->committed_ok = v;
      s->ack_in_flight = NO_ACK;
      g_assert_cmpuint (wm_spool_committed (&s->spool), ==, v);
    }
  return st;
}

/* One step; FALSE when the storage failed (the power went). */
static gboolean
session_step (Session *s)
{
  wm_spool_t *spool = &s->spool;
  guint fpp = wm_spool_frames_per_page (spool);
  gint r = g_rand_int_range (s->rand, 0, 100);
  wm_status_t st;

  if (r < 50)
    {
      guint64 before = wm_spool_total_frames (spool);
      guint n = (guint) g_rand_int_range (s->rand, 1, (gint32) (2 * fpp + 4));

      st = append_source (spool, n);
      if (st == WM_ERR_SPOOL_FULL)
        {
          g_assert_cmpuint (wm_spool_total_frames (spool), ==, before);
          s->n_full++;
          return TRUE;
        }
      if (st == WM_OK)
        g_assert_cmpuint (wm_spool_total_frames (spool), ==, before + n);
    }
  else if (r < 65)
    {
      st = wm_spool_sync (spool);
      if (st == WM_OK)
        s->synced_end = wm_spool_total_frames (spool);
      if (st == WM_ERR_SPOOL_FULL)
        return TRUE;
    }
  else if (r < 85)
    {
      guint64 committed = wm_spool_committed (spool), durable = wm_spool_durable_frames (spool);
      guint64 v;

      if (durable <= committed)
        return TRUE;
      /* The uploader acknowledges durable frames only, in one or several steps. */
      v = committed + 1 + (guint64) g_rand_int_range (s->rand, 0, (gint32) (durable - committed));
      st = session_ack (s, v);
    }
  else
    {
      assert_frames (spool, wm_spool_committed (spool), wm_spool_total_frames (spool));
      return TRUE;
    }
  if (st == WM_ERR_STORAGE)
    return FALSE;
  g_assert_cmpint (st, ==, WM_OK);
  return TRUE;
}

/* Runs the script; FALSE when the power went on the way. */
static gboolean
session_run (Session *s, guint n_steps)
{
  wm_status_t st = wm_spool_create (&s->spool, &s->flash->storage, s->page, "sensor-7.a",
                                    FRAME_BYTES);

  if (st == WM_ERR_STORAGE)
    return FALSE;
  g_assert_cmpint (st, ==, WM_OK);
  s->created = TRUE;
  for (guint i = 0; i < n_steps; i++)
    if (!session_step (s))
      return FALSE;
  /* Everything durable acknowledged, so the last partial page finds room. */
  if (wm_spool_durable_frames (&s->spool) > wm_spool_committed (&s->spool))
    {
      st = session_ack (s, wm_spool_durable_frames (&s->spool));
      if (st == WM_ERR_STORAGE)
        return FALSE;
      g_assert_cmpint (st, ==, WM_OK);
    }
  st = wm_spool_end (&s->spool);
  if (st == WM_ERR_STORAGE)
    return FALSE;
  g_assert_cmpint (st, ==, WM_OK);
  s->synced_end = wm_spool_total_frames (&s->spool);
  s->ended = TRUE;
  return TRUE;
}

/* What the spool must be after the power came back: the persisted committed offset,
 * every synced frame from it on; and it must go on working. */
static void
check_recovery (Session *s)
{
  wm_spool_t spool;
  g_autofree guint8 *page = g_malloc (s->flash->storage.page_size);
  guint64 committed, total;
  wm_status_t st;

  memset (page, 0xa5, s->flash->storage.page_size);
  wm_ram_flash_power_on (s->flash);
  st = wm_spool_open (&spool, &s->flash->storage, page);
  if (!s->created)
    {
      /* An interrupted create: nothing, or the new empty stream. */
      if (st == WM_ERR_SPOOL_NOT_FOUND)
        return;
      g_assert_cmpint (st, ==, WM_OK);
      g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 0);
    }
  g_assert_cmpint (st, ==, WM_OK);
  g_assert_cmpstr (wm_spool_stream_id (&spool), ==, "sensor-7.a");
  g_assert_cmpuint (wm_spool_frame_bytes (&spool), ==, FRAME_BYTES);
  committed = wm_spool_committed (&spool);
  if (committed != s->committed_ok)
    g_assert_cmpuint (committed, ==, s->ack_in_flight);
  total = wm_spool_total_frames (&spool);
  g_assert_cmpuint (total, >=, s->synced_end);
  g_assert_cmpuint (wm_spool_durable_frames (&spool), ==, total);
  assert_frames (&spool, committed, total);
  if (s->ended)
    g_assert_true (wm_spool_is_ended (&spool));
  if (wm_spool_is_ended (&spool))
    {
      g_assert_cmpint (append_source (&spool, 1), ==, WM_ERR_SPOOL_ENDED);
      return;
    }

  /* It goes on: acknowledge everything, append across pages, end, reopen. */
  g_assert_cmpint (wm_spool_set_committed (&spool, total), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, 3u * wm_spool_frames_per_page (&spool) + 1u), ==,
                   WM_OK);
  g_assert_cmpint (wm_spool_end (&spool), ==, WM_OK);
  total = wm_spool_total_frames (&spool);
  g_assert_cmpint (wm_spool_open (&spool, &s->flash->storage, page), ==, WM_OK);
  g_assert_true (wm_spool_is_ended (&spool));
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, total);
  assert_frames (&spool, wm_spool_committed (&spool), total);
}

#define FLASH_PAGE 128u
#define FLASH_PAGES 10u
#define SESSION_STEPS 160u

static void
test_power_loss_everywhere (void)
{
  static const guint32 seeds[] = { 1, 2, 3, 5, 8, 13 };
  guint runs = 0, full = 0;

  for (guint si = 0; si < G_N_ELEMENTS (seeds); si++)
    {
      g_autoptr (WmRamFlash) dry = wm_ram_flash_new (FLASH_PAGE, FLASH_PAGES, seeds[si]);
      Session s;
      guint64 writes;

      session_init (&s, dry, seeds[si]);
      g_assert_true (session_run (&s, SESSION_STEPS));
      writes = dry->writes;
      full += s.n_full;
      session_clear (&s);
      g_test_message ("seed %u: %" G_GUINT64_FORMAT " page writes, %u appends refused as full",
                      seeds[si], writes, s.n_full);
      g_assert_cmpuint (writes, >, 4 * FLASH_PAGES);

      for (guint64 k = 1; k <= writes; k++)
        for (guint tear = 0; tear < WM_N_TEARS; tear++)
          {
            g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, FLASH_PAGES,
                                                             seeds[si] * 7919u + (guint32) k);
            flash->fail_at = k;
            flash->tear = tear;
            session_init (&s, flash, seeds[si]);
            if (g_test_verbose () && k % 64 == 0 && tear == 0)
              g_test_message ("seed %u, power lost at write %" G_GUINT64_FORMAT, seeds[si], k);
            g_assert_false (session_run (&s, SESSION_STEPS));
            g_assert_true (flash->dead);
            check_recovery (&s);
            session_clear (&s);
            runs++;
          }
    }
  /* The scripts must have filled the ring as well as wrapped it. */
  g_assert_cmpuint (full, >, 0);
  g_test_message ("%u power losses recovered", runs);
}

/* ---- ring, full, corrupt ------------------------------------------------------------- */

static void
test_wrap_around (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 6, 42);
  guint8 page[FLASH_PAGE];
  wm_spool_t spool;
  guint fpp;

  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "wrap", 4), ==, WM_OK);
  fpp = wm_spool_frames_per_page (&spool);
  g_assert_cmpuint (fpp, ==, (FLASH_PAGE - WM_SPOOL_PAGE_HEADER) / 4);
  /* Fifty times round a ring of four data pages, acknowledging as the uploader would,
   * reopening now and then. */
  for (guint i = 0; i < 200; i++)
    {
      guint64 total;

      g_assert_cmpint (append_source (&spool, fpp / 2 + 3), ==, WM_OK);
      g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
      total = wm_spool_total_frames (&spool);
      assert_frames (&spool, wm_spool_committed (&spool), total);
      g_assert_cmpint (wm_spool_set_committed (&spool, total - fpp / 4), ==, WM_OK);
      if (i % 17 == 0)
        {
          g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
          g_assert_cmpuint (wm_spool_total_frames (&spool), ==, total);
        }
    }
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 200u * (fpp / 2 + 3));
  g_assert_cmpuint (flash->writes, >, 50u * 4u);
  /* Below the committed offset nothing is promised; the oldest frames are gone. */
  {
    uint32_t n;
    guint8 buf[4];

    g_assert_cmpint (wm_spool_read (&spool, 0, buf, 1, &n), ==, WM_ERR_SPOOL_LOST);
  }
}

static void
test_full (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 6, 43);
  guint8 page[FLASH_PAGE];
  wm_spool_t spool;
  guint fpp, accepted = 0;
  guint64 total;

  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "full", FRAME_BYTES), ==,
                   WM_OK);
  fpp = wm_spool_frames_per_page (&spool);
  while (append_source (&spool, 1) == WM_OK)
    accepted++;
  /* Four data pages on storage, and a page less one frame waiting in RAM. */
  g_assert_cmpuint (accepted, ==, 4 * fpp + fpp - 1);
  total = wm_spool_total_frames (&spool);
  g_assert_cmpint (append_source (&spool, 1), ==, WM_ERR_SPOOL_FULL);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_ERR_SPOOL_FULL);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, total);
  assert_frames (&spool, 0, total);

  /* Acknowledging one frame frees nothing; a whole page frees one page. */
  g_assert_cmpint (wm_spool_set_committed (&spool, 1), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_ERR_SPOOL_FULL);
  g_assert_cmpint (wm_spool_set_committed (&spool, fpp), ==, WM_OK);
  /* All or nothing: two pages' worth does not fit in one free page. */
  g_assert_cmpint (append_source (&spool, 2 * fpp), ==, WM_ERR_SPOOL_FULL);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, total);
  g_assert_cmpint (append_source (&spool, 1), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
  assert_frames (&spool, fpp, total + 1);

  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, total + 1);
  assert_frames (&spool, fpp, total + 1);
  /* The committed offset never goes backwards, and never past the frames appended. */
  g_assert_cmpint (wm_spool_set_committed (&spool, 3), ==, WM_OK);
  g_assert_cmpuint (wm_spool_committed (&spool), ==, fpp);
  g_assert_cmpint (wm_spool_set_committed (&spool, total + 2), ==, WM_ERR_BAD_ARGUMENT);
}

/* Data page holding @frame (its header's first_frame and count), or -1. */
static gint
page_of_frame (WmRamFlash *flash, guint64 frame)
{
  for (guint16 p = 2; p < flash->storage.page_count; p++)
    {
      const guint8 *h = wm_ram_flash_page (flash, p);
      guint64 first;
      guint16 count;

      if (memcmp (h, "WMSD", 4) != 0)
        continue;
      memcpy (&first, h + 16, 8);
      memcpy (&count, h + 6, 2);
      first = GUINT64_FROM_LE (first);
      count = GUINT16_FROM_LE (count);
      if (frame >= first && frame < first + count)
        return p;
    }
  return -1;
}

static void
test_corrupt_pages (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 8, 44);
  guint8 page[FLASH_PAGE], buf[64 * FRAME_BYTES];
  wm_spool_t spool;
  guint fpp;
  uint32_t n;
  gint bad;

  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "c", FRAME_BYTES), ==, WM_OK);
  fpp = wm_spool_frames_per_page (&spool);
  g_assert_cmpint (append_source (&spool, 5 * fpp), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
  g_assert_cmpint (wm_spool_set_committed (&spool, 3), ==, WM_OK);
  g_assert_cmpint (wm_spool_set_committed (&spool, 5), ==, WM_OK);

  /* One bit of the second page's payload flips. */
  bad = page_of_frame (flash, fpp);
  g_assert_cmpint (bad, >=, 2);
  wm_ram_flash_page (flash, (guint16) bad)[WM_SPOOL_PAGE_HEADER + 3] ^= 0x10;
  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 5 * fpp);
  assert_frames (&spool, 5, fpp);
  assert_frames (&spool, 2 * fpp, 5 * fpp);
  g_assert_cmpint (wm_spool_read (&spool, fpp + 1, buf, 4, &n), ==, WM_ERR_SPOOL_LOST);
  /* A read that reaches the corrupt page stops before it. */
  g_assert_cmpint (wm_spool_read (&spool, fpp - 2, buf, 4, &n), ==, WM_OK);
  g_assert_cmpuint (n, ==, 2);

  /* The newest meta record torn: the one before it stands. */
  {
    guint8 *m0 = wm_ram_flash_page (flash, 0), *m1 = wm_ram_flash_page (flash, 1);
    guint32 s0, s1;

    memcpy (&s0, m0 + 8, 4);
    memcpy (&s1, m1 + 8, 4);
    (GUINT32_FROM_LE (s0) > GUINT32_FROM_LE (s1) ? m0 : m1)[20] ^= 0x01;
  }
  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpuint (wm_spool_committed (&spool), ==, 3);

  /* The newest data page corrupt: the stream ends before it. */
  bad = page_of_frame (flash, 5 * fpp - 1);
  wm_ram_flash_page (flash, (guint16) bad)[9] ^= 0x80;
  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 4 * fpp);
  /* …and appending goes on from there, over the corrupt page. */
  g_assert_cmpint (append_source (&spool, fpp), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
  assert_frames (&spool, 2 * fpp, 5 * fpp);
}

/* A corrupt page holding unacknowledged frames does not block a full ring forever. */
static void
test_corrupt_page_is_free (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 6, 45);
  guint8 page[FLASH_PAGE];
  wm_spool_t spool;
  guint fpp;

  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "c2", FRAME_BYTES), ==,
                   WM_OK);
  fpp = wm_spool_frames_per_page (&spool);
  g_assert_cmpint (append_source (&spool, 4 * fpp), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, fpp), ==, WM_ERR_SPOOL_FULL);
  wm_ram_flash_page (flash, (guint16) page_of_frame (flash, 0))[WM_SPOOL_PAGE_HEADER] ^= 1;
  g_assert_cmpint (append_source (&spool, fpp), ==, WM_OK);
  assert_frames (&spool, fpp, 5 * fpp);
}

static void
test_create_again (void)
{
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 6, 46);
  guint8 page[FLASH_PAGE], buf[16];
  wm_spool_t spool;
  uint32_t n = 99;

  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_ERR_SPOOL_NOT_FOUND);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "first", 2), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, 150), ==, WM_OK);
  g_assert_cmpint (wm_spool_end (&spool), ==, WM_OK);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "second", 4), ==, WM_OK);
  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpstr (wm_spool_stream_id (&spool), ==, "second");
  g_assert_false (wm_spool_is_ended (&spool));
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 0);
  g_assert_cmpint (wm_spool_read (&spool, 0, buf, 4, &n), ==, WM_OK);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (wm_spool_read (&spool, 1, buf, 4, &n), ==, WM_ERR_BAD_ARGUMENT);
  /* Four data pages of 24 frames: the old stream's pages are free to take. */
  g_assert_cmpint (append_source (&spool, 90), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
  g_assert_cmpint (wm_spool_open (&spool, &flash->storage, page), ==, WM_OK);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 90);
  assert_frames (&spool, 0, 90);
}

static void
test_bad_arguments (void)
{
  g_autoptr (WmRamFlash) tiny = wm_ram_flash_new (64, 8, 47);
  g_autoptr (WmRamFlash) few = wm_ram_flash_new (FLASH_PAGE, 3, 47);
  g_autoptr (WmRamFlash) flash = wm_ram_flash_new (FLASH_PAGE, 4, 47);
  guint8 page[FLASH_PAGE];
  wm_spool_t spool;
  char long_id[WM_SPOOL_STREAM_ID_MAX + 2];

  g_assert_cmpint (wm_spool_create (&spool, &tiny->storage, page, "s", 2), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_create (&spool, &few->storage, page, "s", 2), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "a/b", 2), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "", 2), ==,
                   WM_ERR_BAD_ARGUMENT);
  memset (long_id, 'x', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, long_id, 2), ==,
                   WM_ERR_BAD_ARGUMENT);
  long_id[WM_SPOOL_STREAM_ID_MAX] = '\0';
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, long_id, 2), ==, WM_OK);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "s", 0), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "s",
                                    FLASH_PAGE - WM_SPOOL_PAGE_HEADER + 1), ==,
                   WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_create (&spool, &flash->storage, page, "s",
                                    FLASH_PAGE - WM_SPOOL_PAGE_HEADER), ==, WM_OK);
  g_assert_cmpuint (wm_spool_frames_per_page (&spool), ==, 1);
  g_assert_cmpint (wm_spool_append (&spool, NULL, 1), ==, WM_ERR_BAD_ARGUMENT);
  g_assert_cmpint (wm_spool_append (&spool, NULL, 0), ==, WM_OK);
  g_assert_cmpint (wm_spool_set_committed (&spool, 1), ==, WM_ERR_BAD_ARGUMENT);
}

/* ---- the file storage, and the layout of SPOOL.md ------------------------------------ */

/* SPOOL.md's CRC-32, written from its definition, bit by bit. */
static guint32
ref_crc32 (guint32 crc, const guint8 *p, gsize len)
{
  crc = ~crc;
  for (gsize i = 0; i < len; i++)
    {
      crc ^= p[i];
      for (guint b = 0; b < 8; b++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  return ~crc;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
le64 (const guint8 *p)
{
  return (guint64) le32 (p) | (guint64) le32 (p + 4) << 32;
}

static void
check_layout (const guint8 *file, gsize size, guint page_size, guint64 committed,
              guint64 end_frames)
{
  const guint8 *m0 = file, *m1 = file + page_size, *meta, *d = file + 2 * page_size;
  guint count, fb;

  g_assert_cmpuint (size, >=, 3 * page_size);
  meta = le32 (m0 + 8) > le32 (m1 + 8) ? m0 : m1;
  g_assert_cmpmem (meta, 4, "WMSM", 4);
  g_assert_cmpuint (meta[4], ==, 1);
  g_assert_cmpuint (meta[5], ==, 1);          /* ended */
  g_assert_cmpuint (meta[6] | meta[7] << 8, ==, 4);
  g_assert_cmpuint (le32 (meta + 8) & 1u, ==, meta == m1 ? 1u : 0u);
  g_assert_cmpuint (le64 (meta + 16), ==, committed);
  g_assert_cmpuint (le64 (meta + 24), ==, end_frames);
  g_assert_cmpuint (meta[32], ==, strlen ("file-stream"));
  g_assert_cmpmem (meta + 33, meta[32], "file-stream", strlen ("file-stream"));
  g_assert_cmpuint (le32 (meta + 100), ==, ref_crc32 (0, meta, 100));

  /* The first data page holds the stream's first frames. */
  g_assert_cmpmem (d, 4, "WMSD", 4);
  g_assert_cmpuint (d[4], ==, 1);
  count = d[6] | d[7] << 8;
  fb = d[24] | d[25] << 8;
  g_assert_cmpuint (fb, ==, 4);
  g_assert_cmpuint (count, ==, (page_size - 32) / 4);
  g_assert_cmpuint (le32 (d + 12), ==, le32 (meta + 12));  /* generation */
  g_assert_cmpuint (le64 (d + 16), ==, 0);
  {
    guint32 crc = ref_crc32 (0, d, 28);
    guint8 want[4];

    /* CRC over header bytes 0..27 then the payload: continue the reference CRC. */
    crc = ref_crc32 (crc, d + 32, count * fb);
    g_assert_cmpuint (le32 (d + 28), ==, crc);
    source_frames (0, 1, 4, want);
    g_assert_cmpmem (d + 32, 4, want, 4);
  }
}

static void
test_file_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wm-spool-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree guint8 *contents = NULL;
  wm_spool_file_t file;
  wm_spool_storage_t storage;
  guint8 page[256];
  wm_spool_t spool;
  gsize size;

  g_assert_no_error (error);
  path = g_build_filename (dir, "dev.spool", NULL);
  g_assert_cmpint (wm_spool_file_open (&file, path, 256, 16, &storage), ==, WM_OK);
  g_assert_cmpint (wm_spool_open (&spool, &storage, page), ==, WM_ERR_SPOOL_NOT_FOUND);
  g_assert_cmpint (wm_spool_create (&spool, &storage, page, "file-stream", 4), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, 700), ==, WM_OK);
  g_assert_cmpint (wm_spool_sync (&spool), ==, WM_OK);
  g_assert_cmpint (wm_spool_set_committed (&spool, 500), ==, WM_OK);
  g_assert_cmpint (wm_spool_file_close (&file), ==, WM_OK);

  g_assert_cmpint (wm_spool_file_open (&file, path, 256, 16, &storage), ==, WM_OK);
  g_assert_cmpint (wm_spool_open (&spool, &storage, page), ==, WM_OK);
  g_assert_cmpstr (wm_spool_stream_id (&spool), ==, "file-stream");
  g_assert_cmpuint (wm_spool_committed (&spool), ==, 500);
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 700);
  assert_frames (&spool, 500, 700);
  /* Round the ring of fourteen pages of 56 frames: the first pages are reused. */
  g_assert_cmpint (append_source (&spool, 500), ==, WM_OK);
  g_assert_cmpint (wm_spool_end (&spool), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, 1), ==, WM_ERR_SPOOL_ENDED);
  g_assert_cmpint (wm_spool_file_close (&file), ==, WM_OK);

  g_assert_cmpint (wm_spool_file_open (&file, path, 256, 16, &storage), ==, WM_OK);
  g_assert_cmpint (wm_spool_open (&spool, &storage, page), ==, WM_OK);
  g_assert_true (wm_spool_is_ended (&spool));
  g_assert_cmpuint (wm_spool_total_frames (&spool), ==, 1200);
  assert_frames (&spool, 500, 1200);
  g_assert_cmpint (wm_spool_file_close (&file), ==, WM_OK);

  /* Before the ring wraps, the layout as SPOOL.md describes it. */
  g_assert_no_errno (g_unlink (path));
  g_assert_cmpint (wm_spool_file_open (&file, path, 256, 16, &storage), ==, WM_OK);
  g_assert_cmpint (wm_spool_create (&spool, &storage, page, "file-stream", 4), ==, WM_OK);
  g_assert_cmpint (append_source (&spool, 130), ==, WM_OK);
  g_assert_cmpint (wm_spool_set_committed (&spool, 20), ==, WM_OK);
  g_assert_cmpint (wm_spool_end (&spool), ==, WM_OK);
  g_assert_cmpint (wm_spool_file_close (&file), ==, WM_OK);
  g_assert_true (g_file_get_contents (path, (char **) &contents, &size, &error));
  g_assert_no_error (error);
  check_layout (contents, size, 256, 20, 130);

  /* A directory is no spool file. */
  g_assert_cmpint (wm_spool_file_open (&file, dir, 256, 16, &storage), ==, WM_ERR_STORAGE);
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (dir));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inference/spool/file/round-trip", test_file_round_trip);
  g_test_add_func ("/inference/spool/power-loss/every-write", test_power_loss_everywhere);
  g_test_add_func ("/inference/spool/wrap-around", test_wrap_around);
  g_test_add_func ("/inference/spool/full", test_full);
  g_test_add_func ("/inference/spool/corrupt", test_corrupt_pages);
  g_test_add_func ("/inference/spool/corrupt-page-is-free", test_corrupt_page_is_free);
  g_test_add_func ("/inference/spool/create-again", test_create_again);
  g_test_add_func ("/inference/spool/bad-arguments", test_bad_arguments);
  return g_test_run ();
}
