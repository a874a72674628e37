/* store-dump.h — test helpers: the whole content of a project as text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-store.h"

G_BEGIN_DECLS

/* Every row of every table of the project at @path (read through a separate
 * read-only connection, so it sees what is committed), plus its header
 * pragmas, as sorted text: equal strings mean an unchanged project. */
char *wm_test_dump_store        (const char *path);
/* Every label of @store with all its fields. */
char *wm_test_dump_labels       (WmStore    *store);
/* From now on, count into @counter each statement that @store prepares which
 * reads @table; NULL @table stops counting. */
void  wm_test_count_table_reads (WmStore    *store,
                                 const char *table,
                                 guint      *counter);

G_END_DECLS
