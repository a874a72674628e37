/* wm-ingest-devices.c — devices and their bearer tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A token is 32 random bytes (libsodium), shown once as base64url; the
 * project keeps only its SHA-256, and a presented token is checked against
 * it in constant time.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "wm-ingest-private.h"

#define TOKEN_BYTES 32
#define MAX_NAME_LENGTH 128

char *
wm_ingest_hash_token (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

gboolean
wm_ingest_token_matches (const char *token,
                         const char *stored_sha256)
{
  guint8 presented[32], stored[32];
  g_autoptr(GChecksum) checksum = NULL;
  gsize length = sizeof presented;

  if (token == NULL || stored_sha256 == NULL ||
      sodium_hex2bin (stored, sizeof stored, stored_sha256, strlen (stored_sha256),
                      NULL, NULL, NULL) != 0)
    return FALSE;
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) token, strlen (token));
  g_checksum_get_digest (checksum, presented, &length);
  return sodium_memcmp (presented, stored, sizeof stored) == 0;
}

gboolean
wm_ingest_check_name (const char  *what,
                      const char  *name,
                      GError     **error)
{
  gsize length = name != NULL ? strlen (name) : 0;

  if (length == 0 || length > MAX_NAME_LENGTH ||
      strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != length ||
      g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                   _("%s “%s” is not valid: use 1 to 128 letters, digits, “.”, “_” or “-”"),
                   what, name != NULL ? name : "");
      return FALSE;
    }
  return TRUE;
}

void
wm_ingest_propagate_storage_error (GError **dest,
                                   GError  *src)
{
  if (src->domain != WM_INGEST_ERROR)
    {
      src->domain = WM_INGEST_ERROR;
      src->code = WM_INGEST_ERROR_STORAGE;
    }
  g_propagate_error (dest, src);
}

char *
wm_ingest_add_device (WmStore     *store,
                      const char  *name,
                      const char  *type,
                      const char  *hmac_key,
                      GError     **error)
{
  guint8 secret[TOKEN_BYTES];
  char token[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  g_autofree char *token_sha256 = NULL;
  char *shown = NULL;

  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  if (!wm_ingest_check_name (_("device name"), name, error))
    return NULL;
  if (type == NULL || *type == '\0' || strlen (type) > MAX_NAME_LENGTH || !g_utf8_validate (type, -1, NULL))
    {
      g_set_error (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                   _("device type “%s” is not valid: use 1 to 128 characters"), type != NULL ? type : "");
      return NULL;
    }
  if (hmac_key != NULL && *hmac_key == '\0')
    {
      g_set_error_literal (error, WM_INGEST_ERROR, WM_INGEST_ERROR_INVALID,
                           _("the HMAC key is empty"));
      return NULL;
    }
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, WM_INGEST_ERROR, WM_INGEST_ERROR_STORAGE,
                           _("libsodium could not start: no random numbers for a token"));
      return NULL;
    }

  randombytes_buf (secret, sizeof secret);
  sodium_bin2base64 (token, sizeof token, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (secret, sizeof secret);
  token_sha256 = wm_ingest_hash_token (token);
  if (wm_store_add_device (store, name, type, token_sha256, hmac_key, error))
    shown = g_strdup (token);
  sodium_memzero (token, sizeof token);
  return shown;
}

gboolean
wm_ingest_revoke_device (WmStore     *store,
                         const char  *name,
                         GError     **error)
{
  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return wm_store_revoke_device (store, name, error);
}

GPtrArray *
wm_ingest_list_devices (WmStore  *store,
                        GError  **error)
{
  g_return_val_if_fail (WM_IS_STORE (store), NULL);

  return wm_store_list_devices (store, error);
}
