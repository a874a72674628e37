/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wm-ram-flash.h: a spool storage in RAM that behaves like NOR flash pages and can lose
 * power at a chosen page write (erase or program), tearing it in one of several ways. */
#pragma once

#include <glib.h>

#include "wm-spool.h"

typedef enum
{
  WM_TEAR_NOTHING,   /* the failing write did not happen at all */
  WM_TEAR_PREFIX,    /* a random prefix of it happened, the rest is as before */
  WM_TEAR_NOISE,     /* a random prefix happened, the next bytes hold random bits */
  WM_TEAR_COMPLETE,  /* it completed, then the power went */
  WM_N_TEARS
} WmTear;

typedef struct
{
  wm_spool_storage_t storage;  /* hand &flash->storage to the spool */
  guint8 *mem;
  gboolean *programmed;        /* per page: programmed since its last erase */
  guint64 writes;              /* page writes so far (erase and program each count one) */
  guint64 fail_at;             /* power is lost at this write (1-based); 0: never */
  WmTear tear;
  gboolean dead;               /* power lost: every call fails until wm_ram_flash_power_on */
  GRand *rand;
} WmRamFlash;

/* A fresh, erased flash. */
WmRamFlash *wm_ram_flash_new       (guint16     page_size,
                                    guint16     page_count,
                                    guint32     seed);
void        wm_ram_flash_free      (WmRamFlash *flash);
/* Power comes back: calls work again, the write counter keeps counting. */
void        wm_ram_flash_power_on  (WmRamFlash *flash);
/* The storage's bytes of page @page. */
guint8     *wm_ram_flash_page      (WmRamFlash *flash,
                                    guint16     page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmRamFlash, wm_ram_flash_free)
