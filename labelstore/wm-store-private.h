/* wm-store-private.h — shared inside labelstore/ only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "wm-store.h"

G_BEGIN_DECLS

/* Summary level l holds buckets of 256^l frames; a stored row ("chunk")
 * holds up to 256 consecutive buckets of one level. */
#define WM_SUMMARY_LEVELS        3
#define WM_SUMMARY_FANOUT        256
#define WM_SUMMARY_VALUES        3 /* min, max, rms */

struct _WmStore
{
  GObject   parent_instance;

  sqlite3  *db;
  char     *path;
  /* Prepared statements of hot paths, by SQL text (static strings). */
  GHashTable *statements;
  guint     transaction_depth;
  /* sqlite3_total_changes64 at the start of each open transaction level: a
   * rollback of a level that changed nothing leaves cached state valid. */
  GArray   *level_changes;
  /* Bumped whenever what this connection sees may differ from what cached
   * state (a recording appender) assumes: a rollback that undid changes, or
   * a commit by another connection noticed at BEGIN. */
  guint64   generation;
  guint     unflushed_appenders; /* appended to since their last flush */
  gint64    begin_data_version;
  gint64    poll_data_version;
  guint     read_only : 1;
};

enum {
  SIGNAL_RECORDINGS_CHANGED,
  SIGNAL_CLASSES_CHANGED,
  SIGNAL_LABELS_CHANGED,
  N_SIGNALS
};

extern guint wm_store_signals[N_SIGNALS];

gboolean      wm_store_set_sqlite_error (WmStore      *self,
                                         int           rc,
                                         GError      **error,
                                         const char   *what);
sqlite3_stmt *wm_store_prepare          (WmStore      *self,
                                         const char   *sql,
                                         GError      **error);
/* A statement prepared once per store and reused: reset, bindings cleared.
 * Owned by the store: never finalize it.  @sql must be a static string. */
sqlite3_stmt *wm_store_prepare_cached   (WmStore      *self,
                                         const char   *sql,
                                         GError      **error);
gboolean      wm_store_exec             (WmStore      *self,
                                         const char   *sql,
                                         GError      **error);
gboolean      wm_store_check_writable   (WmStore      *self,
                                         GError      **error);
char         *wm_store_dup_column_text  (sqlite3_stmt *stmt,
                                         int           column);
gint64        wm_store_block_frames_for (guint         n_channels,
                                         WmSampleFormat format);
/* PRAGMA data_version of this connection, or -1. */
gint64        wm_store_read_data_version (WmStore     *self);

static inline gint64
wm_summary_bucket_span (guint level)
{
  gint64 span = 1;

  for (guint i = 0; i < level; i++)
    span *= WM_SUMMARY_FANOUT;
  return span;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
