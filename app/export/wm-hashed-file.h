/* wm-hashed-file.h — files written through a SHA-256 as they go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A WmHasher is a hashing thread and a small pool of buffers shared by the
 * files of one export; a WmHashedFile is an atomic file (wm_atomic_file_new)
 * whose bytes the thread hashes while the caller's thread writes them out.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest wm_hashed_file_reserve() that succeeds. */
#define WM_HASHED_FILE_BUFFER_SIZE (256 << 10)

typedef struct _WmHasher     WmHasher;
typedef struct _WmHashedFile WmHashedFile;

WmHasher     *wm_hasher_new              (void);
/* Every file of @hasher must be committed or freed first. */
void          wm_hasher_free             (WmHasher      *hasher);

/* The file @name (which may hold a directory part) under @dir, written
 * beside its final name until wm_hashed_file_commit(). */
WmHashedFile *wm_hashed_file_new         (WmHasher      *hasher,
                                          const char    *dir,
                                          const char    *name,
                                          GError       **error);
/* @len bytes at the end of @file, for the caller to fill before its next
 * call on @file; NULL when @len is more than WM_HASHED_FILE_BUFFER_SIZE. */
void         *wm_hashed_file_reserve     (WmHashedFile  *file,
                                          gsize          len);
void          wm_hashed_file_write       (WmHashedFile  *file,
                                          const void    *data,
                                          gsize          len);
/* Waits for the hash, then renames the file into place. */
gboolean      wm_hashed_file_commit      (WmHashedFile  *file,
                                          GError       **error);
/* @name as given to wm_hashed_file_new(). */
const char   *wm_hashed_file_get_name    (WmHashedFile  *file);
/* The SHA-256 of the bytes written, in lowercase hex; NULL until committed. */
const char   *wm_hashed_file_get_digest  (WmHashedFile  *file);
/* Removes the file when it was not committed. */
void          wm_hashed_file_free        (WmHashedFile  *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmHasher, wm_hasher_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmHashedFile, wm_hashed_file_free)

G_END_DECLS
