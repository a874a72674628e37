/* wm-ingest-private.h — shared inside app/ingest only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-ingest.h"

G_BEGIN_DECLS

/* Hex SHA-256 of a bearer token: what the project keeps of it. */
char     *wm_ingest_hash_token      (const char  *token);
/* @token's hash against @stored_sha256 (hex), in constant time. */
gboolean  wm_ingest_token_matches   (const char  *token,
                                     const char  *stored_sha256);
/* Names that appear in URL paths: 1 to 128 of [A-Za-z0-9._-], not "." or "..". */
gboolean  wm_ingest_check_name      (const char  *what,
                                     const char  *name,
                                     GError     **error);
/* A GError of the store (or of anything else) as WM_INGEST_ERROR_STORAGE,
 * keeping the ingest errors as they are. */
void      wm_ingest_propagate_storage_error (GError **dest,
                                             GError  *src);

G_END_DECLS
