/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-ram-flash.c: see wm-ram-flash.h. */

#include "config.h"

#include <string.h>

#include "wm-ram-flash.h"

#define ERASED 0xffu

/* Power goes at this write: tear it and refuse. */
static gboolean
power_fails (WmRamFlash *flash)
{
  flash->writes++;
  if (flash->fail_at == 0 || flash->writes != flash->fail_at)
    return FALSE;
  flash->dead = TRUE;
  return TRUE;
}

/* Writes @len bytes of @src at @dst as far as the tear lets them land. */
static void
tear_write (WmRamFlash *flash, guint8 *dst, const guint8 *src, guint len)
{
  guint cut = len ? (guint) g_rand_int_range (flash->rand, 0, (gint32) len) : 0;

  switch (flash->tear)
    {
    case WM_TEAR_NOTHING:
      break;
    case WM_TEAR_PREFIX:
      memcpy (dst, src, cut);
      break;
    case WM_TEAR_NOISE:
      memcpy (dst, src, cut);
      for (guint i = cut; i < len && i < cut + 8; i++)
        dst[i] = (guint8) g_rand_int (flash->rand);
      break;
    case WM_TEAR_COMPLETE:
    case WM_N_TEARS:
    default:
      memcpy (dst, src, len);
      break;
    }
}

static wm_status_t
flash_read (void *ctx, uint16_t page, uint16_t offset, uint8_t *buf, uint16_t len)
{
  WmRamFlash *flash = ctx;

  if (flash->dead)
    return WM_ERR_STORAGE;
  g_assert_cmpuint (page, <, flash->storage.page_count);
  g_assert_cmpuint ((guint) offset + len, <=, flash->storage.page_size);
  memcpy (buf, wm_ram_flash_page (flash, page) + offset, len);
  return WM_OK;
}

static wm_status_t
flash_program (void *ctx, uint16_t page, const uint8_t *buf, uint16_t len)
{
  WmRamFlash *flash = ctx;
  guint8 *p;

  if (flash->dead)
    return WM_ERR_STORAGE;
  g_assert_cmpuint (page, <, flash->storage.page_count);
  g_assert_cmpuint (len, <=, flash->storage.page_size);
  /* NOR flash: a page is programmed once after an erase. */
  g_assert_false (flash->programmed[page]);
  p = wm_ram_flash_page (flash, page);
  if (power_fails (flash))
    {
      tear_write (flash, p, buf, len);
      return WM_ERR_STORAGE;
    }
  memcpy (p, buf, len);
  flash->programmed[page] = TRUE;
  return WM_OK;
}

static wm_status_t
flash_erase (void *ctx, uint16_t page)
{
  WmRamFlash *flash = ctx;
  g_autofree guint8 *ones = NULL;
  guint8 *p;

  if (flash->dead)
    return WM_ERR_STORAGE;
  g_assert_cmpuint (page, <, flash->storage.page_count);
  p = wm_ram_flash_page (flash, page);
  ones = g_malloc (flash->storage.page_size);
  memset (ones, ERASED, flash->storage.page_size);
  if (power_fails (flash))
    {
      tear_write (flash, p, ones, flash->storage.page_size);
      return WM_ERR_STORAGE;
    }
  memcpy (p, ones, flash->storage.page_size);
  flash->programmed[page] = FALSE;
  return WM_OK;
}

static wm_status_t
flash_sync (void *ctx)
{
  WmRamFlash *flash = ctx;

  return flash->dead ? WM_ERR_STORAGE : WM_OK;
}

WmRamFlash *
wm_ram_flash_new (guint16 page_size, guint16 page_count, guint32 seed)
{
  WmRamFlash *flash = g_new0 (WmRamFlash, 1);

  flash->storage.ctx = flash;
  flash->storage.page_size = page_size;
  flash->storage.page_count = page_count;
  flash->storage.read = flash_read;
  flash->storage.program = flash_program;
  flash->storage.erase = flash_erase;
  flash->storage.sync = flash_sync;
  flash->mem = g_malloc ((gsize) page_size * page_count);
  memset (flash->mem, ERASED, (gsize) page_size * page_count);
  flash->programmed = g_new0 (gboolean, page_count);
  flash->rand = g_rand_new_with_seed (seed);
  return flash;
}

void
wm_ram_flash_free (WmRamFlash *flash)
{
  if (!flash)
    return;
  g_rand_free (flash->rand);
  g_free (flash->programmed);
  g_free (flash->mem);
  g_free (flash);
}

void
wm_ram_flash_power_on (WmRamFlash *flash)
{
  flash->dead = FALSE;
  flash->fail_at = 0;
  /* After a torn write the state of a page is unknown: it must be erased before it is
   * programmed again, and a page the spool never erased still counts as programmed. */
  for (guint16 i = 0; i < flash->storage.page_count; i++)
    {
      const guint8 *p = wm_ram_flash_page (flash, i);
      gboolean erased = TRUE;

      for (guint j = 0; j < flash->storage.page_size && erased; j++)
        erased = p[j] == ERASED;
      flash->programmed[i] = !erased;
    }
}

guint8 *
wm_ram_flash_page (WmRamFlash *flash, guint16 page)
{
  return flash->mem + (gsize) page * flash->storage.page_size;
}
