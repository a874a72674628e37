/* wm-cli-ingest.c — ingest: a device's spool directory copied off its storage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads the spool through the device's own code (inference/wm-spool,
 * wm-spool-file) and hands its frames to the ingest engine exactly as the
 * server would: the same stream, the same offsets, so a resend is harmless,
 * a gap or a differing overlap is an error.  The spool is checked whole
 * before anything is written, so a damaged one leaves the project as it was.
 * The layout of the directory is in inference/SPOOL.md.
 */

#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "wm-cli.h"
#include "wm-ingest.h"
#include "wm-spool-file.h"
#include "wm-spool.h"

#define CHUNK_BYTES (1024 * 1024)

typedef struct {
  char               *dir;
  char               *spool_path;
  char               *device;
  WmStreamMeta       *meta;
  wm_spool_file_t     file;
  wm_spool_storage_t  storage;
  wm_spool_t          spool;
  guint8             *page;
  gboolean            file_open;
  guint64             first;      /* the spool's committed offset: frames from here are promised */
  guint64             end;        /* frames appended */
  guint32             chunk_frames;
  char               *sha256;     /* the whole stream's, hex, when known */
} SpoolDir;

static void
spool_dir_clear (SpoolDir *d)
{
  if (d->file_open)
    wm_spool_file_close (&d->file);
  g_free (d->dir);
  g_free (d->spool_path);
  g_free (d->device);
  g_clear_pointer (&d->meta, wm_stream_meta_free);
  g_free (d->page);
  g_free (d->sha256);
}

static gboolean
fail_at (GError    **error,
         const char *path,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_at (GError    **error,
         const char *path,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, WM_CLI_ERROR, WM_CLI_ERROR_FAILED, "%s: %s", path, message);
  return FALSE;
}

/* spool.json: the device's name and the spool's geometry. */
static gboolean
read_spool_json (SpoolDir  *d,
                 guint     *page_size,
                 guint     *page_count,
                 GError   **error)
{
  g_autofree char *path = g_build_filename (d->dir, "spool.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  gint64 size, count;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fail_at (error, path, _("expected a JSON object"));
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_string_member_with_default (o, "device", NULL) == NULL)
    return fail_at (error, path, _("“device” is missing or not a string"));
  size = json_object_get_int_member_with_default (o, "page_size", 0);
  count = json_object_get_int_member_with_default (o, "page_count", 0);
  if (size < WM_SPOOL_MIN_PAGE_SIZE || size > G_MAXUINT16)
    return fail_at (error, path, _("“page_size” must be %u … 65535"), WM_SPOOL_MIN_PAGE_SIZE);
  if (count < WM_SPOOL_MIN_PAGES || count > G_MAXUINT16)
    return fail_at (error, path, _("“page_count” must be %u … 65535"), WM_SPOOL_MIN_PAGES);
  d->device = g_strdup (json_object_get_string_member (o, "device"));
  *page_size = (guint) size;
  *page_count = (guint) count;
  return TRUE;
}

static gboolean
read_stream_json (SpoolDir  *d,
                  GError   **error)
{
  g_autofree char *path = g_build_filename (d->dir, "stream.json", NULL);
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  d->meta = wm_stream_meta_from_json (text, (gssize) len, error);
  if (d->meta == NULL)
    g_prefix_error (error, "%s: ", path);
  return d->meta != NULL;
}

/* The spool file must exist (opening it would create it) and hold whole pages. */
static gboolean
open_spool (SpoolDir  *d,
            guint      page_size,
            guint      page_count,
            GError   **error)
{
  GStatBuf st;
  wm_status_t status;

  if (g_stat (d->spool_path, &st) != 0)
    return fail_at (error, d->spool_path, "%s", g_strerror (errno));
  if (st.st_size % page_size != 0 || (guint64) st.st_size > (guint64) page_size * page_count)
    return fail_at (error, d->spool_path,
                    _("the file is truncated or of another geometry: %" PRId64 " bytes is not a whole number of %u-byte pages up to %u"),
                    (gint64) st.st_size, page_size, page_count);
  if (wm_spool_file_open (&d->file, d->spool_path, (uint16_t) page_size, (uint16_t) page_count, &d->storage) != WM_OK)
    return fail_at (error, d->spool_path, "%s", g_strerror (errno));
  d->file_open = TRUE;
  d->page = g_malloc (page_size);
  status = wm_spool_open (&d->spool, &d->storage, d->page);
  if (status == WM_ERR_SPOOL_NOT_FOUND)
    return fail_at (error, d->spool_path, _("no spool: neither meta page holds a valid record"));
  if (status != WM_OK)
    return fail_at (error, d->spool_path, "%s", wm_status_to_string (status));
  if (wm_spool_frame_bytes (&d->spool) != wm_stream_meta_frame_bytes (d->meta))
    return fail_at (error, d->spool_path, _("frames of %u bytes, but stream.json describes frames of %zu bytes"),
                    wm_spool_frame_bytes (&d->spool), wm_stream_meta_frame_bytes (d->meta));
  d->first = wm_spool_committed (&d->spool);
  d->end = wm_spool_total_frames (&d->spool);
  d->chunk_frames = MAX (1, CHUNK_BYTES / wm_spool_frame_bytes (&d->spool));
  return TRUE;
}

/* Reads frames [at, at + n) into @buf; an error names the file and offset. */
static gboolean
read_frames (SpoolDir  *d,
             guint64    at,
             guint32    n,
             guint8    *buf,
             GError   **error)
{
  gsize frame_bytes = wm_spool_frame_bytes (&d->spool);
  guint32 done = 0, got = 0;
  wm_status_t status = WM_OK;

  /* A read may stop at a page's end; the offset named is the first frame not read. */
  while (done < n)
    {
      status = wm_spool_read (&d->spool, at + done, buf + (gsize) done * frame_bytes, n - done, &got);
      if (status != WM_OK || got == 0)
        break;
      done += got;
    }
  if (status == WM_ERR_SPOOL_LOST || (status == WM_OK && done < n))
    return fail_at (error, d->spool_path, _("frames from offset %" PRIu64 " are missing or damaged (a corrupt or truncated page)"), at + done);
  if (status != WM_OK)
    return fail_at (error, d->spool_path, _("reading offset %" PRIu64 ": %s"), at + done, wm_status_to_string (status));
  return TRUE;
}

static char *
hex_of (const guint8 *digest)
{
  GString *hex = g_string_sized_new (64);

  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

/* Every promised frame is read (and its page's CRC checked) before anything is
 * written; with the whole stream there, its SHA-256 is computed on the way. */
static gboolean
check_spool (SpoolDir  *d,
             gboolean   finalize,
             GError   **error)
{
  gsize frame_bytes = wm_spool_frame_bytes (&d->spool);
  g_autofree guint8 *buf = g_malloc ((gsize) d->chunk_frames * frame_bytes);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *sha256_path = g_build_filename (d->dir, "stream.sha256", NULL);
  g_autofree char *text = NULL;

  if (finalize && !wm_spool_is_ended (&d->spool))
    return fail_at (error, d->spool_path, _("the spool is not ended, so the stream cannot be finalized"));
  for (guint64 at = d->first; at < d->end; at += d->chunk_frames)
    {
      guint32 n = (guint32) MIN ((guint64) d->chunk_frames, d->end - at);

      if (!read_frames (d, at, n, buf, error))
        return FALSE;
      g_checksum_update (checksum, buf, n * frame_bytes);
    }
  if (!finalize)
    return TRUE;
  if (d->first == 0)
    {
      guint8 digest[32];
      gsize len = sizeof digest;

      g_checksum_get_digest (checksum, digest, &len);
      d->sha256 = hex_of (digest);
      return TRUE;
    }
  /* The spool freed the first frames: the device wrote the hash beside it. */
  if (!g_file_get_contents (sha256_path, &text, NULL, error))
    {
      g_prefix_error (error, _("the spool no longer holds frames below %" PRIu64 ", so the stream’s SHA-256 must come from %s: "),
                      d->first, sha256_path);
      return FALSE;
    }
  d->sha256 = g_strdup (g_strstrip (text));
  return TRUE;
}

static gboolean
load (SpoolDir    *d,
      const char  *dir,
      gboolean     finalize,
      GError     **error)
{
  guint page_size = 0, page_count = 0;

  d->dir = g_strdup (dir);
  d->spool_path = g_build_filename (dir, "spool", NULL);
  return read_spool_json (d, &page_size, &page_count, error) &&
         read_stream_json (d, error) &&
         open_spool (d, page_size, page_count, error) &&
         check_spool (d, finalize, error);
}

/* ---- into the project ------------------------------------------------------ */

/* The project's committed offset of the stream, 0 when it has none; a gap is refused before anything is written. */
static gboolean
check_gap (SpoolDir  *d,
           WmIngest  *ingest,
           gint64    *out_committed,
           GError   **error)
{
  const char *stream_id = wm_spool_stream_id (&d->spool);
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(GError) local_error = NULL;

  state = wm_ingest_get_stream (ingest, d->device, stream_id, &local_error);
  if (state == NULL && !g_error_matches (local_error, WM_INGEST_ERROR, WM_INGEST_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out_committed = state != NULL ? state->committed_offset : 0;
  if ((guint64) *out_committed < d->first)
    return fail_at (error, d->spool_path,
                    _("gap: the spool starts at frame %" PRIu64 " but the project holds frames up to %" PRId64 " of stream “%s” of device “%s”"),
                    d->first, *out_committed, stream_id, d->device);
  return TRUE;
}

static gboolean
send_chunks (SpoolDir  *d,
             WmIngest  *ingest,
             gint64    *out_committed,
             GError   **error)
{
  const char *stream_id = wm_spool_stream_id (&d->spool);
  gsize frame_bytes = wm_spool_frame_bytes (&d->spool);

  for (guint64 at = d->first; at < d->end; at += d->chunk_frames)
    {
      guint32 n = (guint32) MIN ((guint64) d->chunk_frames, d->end - at);
      g_autofree guint8 *buf = g_malloc ((gsize) n * frame_bytes);
      g_autoptr(GBytes) frames = NULL;
      g_autofree char *sha256 = NULL;

      if (!read_frames (d, at, n, buf, error))
        return FALSE;
      sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, (gsize) n * frame_bytes);
      frames = g_bytes_new_take (g_steal_pointer (&buf), (gsize) n * frame_bytes);
      if (!wm_ingest_put_chunk_sync (ingest, d->device, stream_id, (gint64) at, frames, sha256, out_committed, error))
        {
          g_prefix_error (error, _("%s: frames from offset %" PRIu64 ": "), d->spool_path, at);
          return FALSE;
        }
    }
  return TRUE;
}

static void
print_result (WmCli         *cli,
              SpoolDir      *d,
              gint64         before,
              WmStreamState *state)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, d->device);
      json_builder_set_member_name (b, "stream_id");
      json_builder_add_string_value (b, state->stream_id);
      json_builder_set_member_name (b, "recording_id");
      json_builder_add_int_value (b, state->recording_id);
      json_builder_set_member_name (b, "spool_first_frame");
      json_builder_add_int_value (b, (gint64) d->first);
      json_builder_set_member_name (b, "spool_end_frame");
      json_builder_add_int_value (b, (gint64) d->end);
      json_builder_set_member_name (b, "new_frames");
      json_builder_add_int_value (b, state->committed_offset - before);
      json_builder_set_member_name (b, "committed_offset");
      json_builder_add_int_value (b, state->committed_offset);
      json_builder_set_member_name (b, "finalized");
      json_builder_add_boolean_value (b, state->finalized);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      wm_cli_print_json (root);
      return;
    }
  if (cli->quiet)
    return;
  g_print (_("Device “%s”, stream “%s”: frames %" PRIu64 " … %" PRIu64 " from the spool, "
             "%" PRId64 " new; recording %" PRId64 " now holds %" PRId64 " frames%s.\n"),
           d->device, state->stream_id, d->first, d->end, state->committed_offset - before,
           state->recording_id, state->committed_offset,
           state->finalized ? _(" and is finalized") : _(" and is still open"));
}

static gboolean
ingest_dir (WmCli     *cli,
            SpoolDir  *d,
            gboolean   finalize,
            GError   **error)
{
  g_autoptr(WmIngest) ingest = NULL;
  g_autoptr(WmStreamState) state = NULL;
  g_autoptr(WmStore) probe = NULL;
  gint64 before = 0, committed = 0;
  const char *stream_id = wm_spool_stream_id (&d->spool);

  /* wm_cli_open_project says which project and checks it opens. */
  probe = wm_cli_open_project (cli, TRUE, error);
  if (probe == NULL)
    return FALSE;
  g_clear_object (&probe);
  ingest = wm_ingest_new (cli->project_path, NULL, error);
  if (ingest == NULL ||
      !check_gap (d, ingest, &before, error) ||
      !wm_ingest_put_stream_sync (ingest, d->device, stream_id, d->meta, NULL, NULL, error) ||
      !send_chunks (d, ingest, &committed, error))
    return FALSE;
  if (finalize)
    {
      if (!wm_ingest_finalize_sync (ingest, d->device, stream_id, d->sha256, &state, error))
        {
          g_prefix_error (error, _("%s: finalize: "), d->dir);
          return FALSE;
        }
    }
  else if ((state = wm_ingest_get_stream (ingest, d->device, stream_id, error)) == NULL)
    return FALSE;
  wm_ingest_close (ingest);
  print_result (cli, d, before, state);
  return TRUE;
}

int
wm_cli_ingest (WmCli *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean finalize = FALSE;
  SpoolDir d = { 0 };
  gboolean ok;
  const GOptionEntry entries[] = {
    { "finalize", 0, 0, G_OPTION_ARG_NONE, &finalize,
      N_("Finalize the stream (the spool must be ended) with the whole stream’s SHA-256"), NULL },
    { NULL }
  };

  if (!wm_cli_parse_options (cli, &argc, &argv, _("DIR"),
                             _("Import a device’s spool directory copied off its storage."),
                             _("DIR holds spool, spool.json and stream.json (and stream.sha256 once ended), "
                               "the layout of inference/SPOOL.md.  Its frames go into the device’s stream exactly "
                               "as if uploaded: frames the project already has are checked, not stored again; a "
                               "gap or frames that differ are an error.  The spool is read whole before anything "
                               "is written, so a damaged spool leaves the project unchanged.  The device must be "
                               "registered (waymark-cli device add)."),
                             entries, TRUE))
    return WM_CLI_EXIT_USAGE;
  if (argc != 2)
    return wm_cli_usage_error (cli, _("give one spool directory"));

  ok = load (&d, argv[1], finalize, &error) && ingest_dir (cli, &d, finalize, &error);
  spool_dir_clear (&d);
  return ok ? WM_CLI_EXIT_OK : wm_cli_fail (cli, error);
}
