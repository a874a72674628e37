/* wm-ingest.h — devices upload recordings into a project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine behind `waymark-cli serve` (HTTP, wm-ingest-server.c) and
 * `waymark-cli ingest DIR` (a spool copied off a device).  It knows nothing
 * of HTTP: the server maps WmIngestError codes to status codes.
 *
 * A stream is (device, stream id).  Its frames are addressed by frame offset,
 * so a resend is harmless: the same bytes at an offset below the committed
 * offset are accepted again without change, differing bytes are refused, and
 * a chunk that starts past the committed offset is a gap.  Each stream is a
 * recording of the project that grows while it uploads.
 *
 * Acknowledged means committed: a chunk's operation completes successfully
 * only after the SQLite COMMIT (synchronous=FULL) that holds it.  One writer
 * thread applies queued writes; with group commit on, every write queued
 * while one transaction commits goes into the next, so one fsync serves many
 * acknowledgements.
 *
 * Threading: create, call and unref a WmIngest from one thread (the one whose
 * thread-default main context is current at wm_ingest_new); the _async
 * operations complete in that context.  Reads (authenticate, get_stream,
 * list_devices) are answered at once from a read-only connection of that
 * thread.
 *
 * Fault injection for the tests: WAYMARK_INGEST_CRASH=before-commit:N or
 * after-commit:N aborts the process at the N-th (1-based) write transaction
 * (one that holds at least one queued write; the batched last-seen updates
 * alone do not count), just before its COMMIT or just after it (before any
 * reply).
 *
 * Errors: any failure to write the project (disk full, I/O, the file
 * locked by another program for more than 5 s) is STORAGE, and the whole
 * transaction is rolled back: every write of that batch fails with STORAGE
 * and nothing of it is stored.
 */

#pragma once

#include <gio/gio.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_INGEST_ERROR (wm_ingest_error_quark ())

/* The HTTP status a server answers with is given beside each code. */
typedef enum {
  WM_INGEST_ERROR_INVALID = 1,        /* 400: malformed metadata, body not whole frames, bad offset or hash text */
  WM_INGEST_ERROR_HASH_MISMATCH,      /* 400: the chunk's SHA-256 is not the one sent; nothing stored */
  WM_INGEST_ERROR_UNAUTHORIZED,       /* 401: no token, unknown device, wrong or revoked token */
  WM_INGEST_ERROR_FORBIDDEN,          /* 403: a device writing another device's stream */
  WM_INGEST_ERROR_NOT_FOUND,          /* 404: no such stream (PUT it first) */
  WM_INGEST_ERROR_METADATA_CONFLICT,  /* 409: PUT with metadata other than the stored */
  WM_INGEST_ERROR_GAP,                /* 409: the chunk starts past the committed offset */
  WM_INGEST_ERROR_FINALIZE_MISMATCH,  /* 409: the whole-stream SHA-256 differs; the stream stays open */
  WM_INGEST_ERROR_FINALIZED,          /* 409: frames past the end of a finalized stream */
  WM_INGEST_ERROR_OVERLAP,            /* 422: frames below the committed offset that differ from the stored */
  WM_INGEST_ERROR_TOO_LARGE,          /* 413: a chunk over WmIngestOptions.max_chunk_bytes */
  WM_INGEST_ERROR_BUSY,               /* 503 (Retry-After): the write queue is full */
  WM_INGEST_ERROR_STORAGE,            /* 507/500: the project could not be written (disk full, I/O) */
} WmIngestError;

GQuark wm_ingest_error_quark (void);

/* ---- stream metadata --------------------------------------------------- */

/* What a device says of a stream (the JSON of PUT …/streams/{sid}):
 *   {"sample_rate": 16000, "sample_format": "int16" | "float32",
 *    "channels": [{"name": "mic", "unit": ""}, …],
 *    "start_time": "2026-12-07T10:00:00.000Z" (optional),
 *    "device_type": "…", "firmware": "…", "kind": "audio" | "sensor" (optional),
 *    "note": "…" (optional)} */
typedef struct {
  double           sample_rate;
  WmSampleFormat   sample_format;
  guint            n_channels;
  char           **channel_names;  /* n_channels, NULL-terminated */
  char           **channel_units;  /* n_channels ("" when none), NULL-terminated */
  gboolean         has_start_time;
  gint64           start_time_us;  /* µs since the Unix epoch, UTC */
  WmRecordingKind  kind;           /* "kind", else audio for one channel at ≥ 8 kHz, else sensor */
  char            *device_type;    /* nullable */
  char            *firmware;       /* nullable */
  char            *note;           /* nullable */
} WmStreamMeta;

GType         wm_stream_meta_get_type  (void) G_GNUC_CONST;
/* Parses and checks the JSON; the error names the field that is wrong. */
WmStreamMeta *wm_stream_meta_from_json (const char          *json,
                                        gssize               length,
                                        GError             **error);
char         *wm_stream_meta_to_json   (const WmStreamMeta  *meta);
gboolean      wm_stream_meta_equal     (const WmStreamMeta  *a,
                                        const WmStreamMeta  *b);
gsize         wm_stream_meta_frame_bytes (const WmStreamMeta *meta);
WmStreamMeta *wm_stream_meta_copy      (const WmStreamMeta  *meta);
void          wm_stream_meta_free      (WmStreamMeta        *meta);

/* ---- stream state ------------------------------------------------------ */

typedef struct {
  char         *device;
  char         *stream_id;
  gint64        recording_id;
  gint64        committed_offset; /* frames stored and committed */
  gboolean      finalized;
  char         *sha256;           /* whole stream, hex; set once finalized */
  gint64        created_at;       /* µs since epoch */
  gint64        updated_at;       /* last chunk committed */
  gint64        finalized_at;     /* 0 while open */
  WmStreamMeta *meta;
} WmStreamState;

GType          wm_stream_state_get_type (void) G_GNUC_CONST;
WmStreamState *wm_stream_state_copy     (const WmStreamState *state);
void           wm_stream_state_free     (WmStreamState       *state);

/* ---- devices ------------------------------------------------------------ */

/* WmDevice (name, type, revoked, last seen, streams, bytes, incomplete
 * streams) is the store's, see wm-store.h. */

/* Registers a device; returns its bearer token (shown once, stored only as a
 * hash).  @hmac_key (nullable) is kept for checking Edge Impulse signatures. */
char      *wm_ingest_add_device    (WmStore      *store,
                                    const char   *name,
                                    const char   *type,
                                    const char   *hmac_key,
                                    GError      **error);
gboolean   wm_ingest_revoke_device (WmStore      *store,
                                    const char   *name,
                                    GError      **error);
GPtrArray *wm_ingest_list_devices  (WmStore      *store,
                                    GError      **error); /* of WmDevice */

/* ---- the engine --------------------------------------------------------- */

typedef struct {
  gsize    max_chunk_bytes;  /* larger chunks: TOO_LARGE (default 8 MiB) */
  guint    max_queue;        /* writes waiting beyond this: BUSY (default 4096) */
  gboolean no_group_commit;  /* one transaction per write (for measuring) */
  gint64   max_project_bytes; /* the project file may not grow past this: STORAGE (0: no limit) */
} WmIngestOptions;

typedef struct {
  guint64 chunks;            /* chunk writes acknowledged (duplicates included) */
  guint64 bytes;             /* sample bytes newly stored */
  guint64 transactions;      /* write transactions committed */
  guint64 max_batch;         /* most writes one transaction held */
} WmIngestStats;

#define WM_TYPE_INGEST (wm_ingest_get_type ())
G_DECLARE_FINAL_TYPE (WmIngest, wm_ingest, WM, INGEST, GObject)

/* Opens the project (WM_STORE_ERROR_* when it cannot) and starts the
 * writer thread.  @options may be NULL for the defaults. */
WmIngest      *wm_ingest_new                (const char            *project_path,
                                             const WmIngestOptions *options,
                                             GError               **error);
/* Stops taking writes, waits for queued ones to commit, joins the writer. */
void           wm_ingest_close              (WmIngest              *self);
void           wm_ingest_get_stats          (WmIngest              *self,
                                             WmIngestStats         *out_stats);

/* The device's bearer token checked in constant time against its stored
 * hash: UNAUTHORIZED when missing, unknown, wrong or revoked. */
gboolean       wm_ingest_authenticate       (WmIngest              *self,
                                             const char            *device,
                                             const char            *token,
                                             GError               **error);
/* The device a token belongs to (Edge Impulse requests name no device);
 * NULL with UNAUTHORIZED when none. */
char          *wm_ingest_device_for_token   (WmIngest              *self,
                                             const char            *token,
                                             GError               **error);
/* The device's HMAC key, or NULL (no error) when it has none. */
char          *wm_ingest_get_hmac_key       (WmIngest              *self,
                                             const char            *device,
                                             GError               **error);

/* NOT_FOUND when the stream does not exist. */
WmStreamState *wm_ingest_get_stream         (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             GError               **error);

/* Creates the stream and its recording, or checks that the stored metadata
 * equal @meta (METADATA_CONFLICT, with the stored state in @out_state). */
void           wm_ingest_put_stream_async   (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             const WmStreamMeta    *meta,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
/* out_state is filled on success and on METADATA_CONFLICT; out_created
 * says whether this call made the stream. */
gboolean       wm_ingest_put_stream_finish  (WmIngest              *self,
                                             GAsyncResult          *result,
                                             WmStreamState        **out_state,
                                             gboolean              *out_created,
                                             GError               **error);

/* @frames: interleaved little-endian samples in the stream's format, whole
 * frames.  @sha256_hex: the SHA-256 of @frames as sent (NULL: not checked;
 * the server always passes one).  Completes after COMMIT. */
void           wm_ingest_put_chunk_async    (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             gint64                 offset,
                                             GBytes                *frames,
                                             const char            *sha256_hex,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
/* out_committed_offset is the stream's committed offset after the call,
 * success or not (-1 when the stream does not exist). */
gboolean       wm_ingest_put_chunk_finish   (WmIngest              *self,
                                             GAsyncResult          *result,
                                             gint64                *out_committed_offset,
                                             GError               **error);

/* Checks the whole stream's SHA-256 and marks it complete; the same hash
 * again returns the same state (same recording id). */
void           wm_ingest_finalize_async     (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             const char            *sha256_hex,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
gboolean       wm_ingest_finalize_finish    (WmIngest              *self,
                                             GAsyncResult          *result,
                                             WmStreamState        **out_state,
                                             GError               **error);

/* A whole recording in one request (Edge Impulse's data acquisition format,
 * parsed by the caller): stored complete, with a label of class @label over
 * all of it when @label is not NULL.  @name names the recording (the upload's
 * file name), @category is "training" or "testing" (kept as the recording's
 * note).  Idempotent by content: the same samples from the same device
 * return the existing recording. */
void           wm_ingest_add_sample_async   (WmIngest              *self,
                                             const char            *device,
                                             const char            *name,
                                             const WmStreamMeta    *meta,
                                             GBytes                *frames,
                                             const char            *label,
                                             const char            *category,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
gboolean       wm_ingest_add_sample_finish  (WmIngest              *self,
                                             GAsyncResult          *result,
                                             gint64                *out_recording_id,
                                             GError               **error);

/* ---- synchronous forms (waymark-cli ingest DIR, tests) ------------------- *
 * Each runs its _async form and iterates a private main context until it
 * completes: one write, one transaction.  To have many chunks share one
 * transaction, start them all with _async and then wait. */
gboolean       wm_ingest_put_stream_sync    (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             const WmStreamMeta    *meta,
                                             WmStreamState        **out_state,
                                             gboolean              *out_created,
                                             GError               **error);
gboolean       wm_ingest_put_chunk_sync     (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             gint64                 offset,
                                             GBytes                *frames,
                                             const char            *sha256_hex,
                                             gint64                *out_committed_offset,
                                             GError               **error);
gboolean       wm_ingest_finalize_sync      (WmIngest              *self,
                                             const char            *device,
                                             const char            *stream_id,
                                             const char            *sha256_hex,
                                             WmStreamState        **out_state,
                                             GError               **error);
gboolean       wm_ingest_add_sample_sync    (WmIngest              *self,
                                             const char            *device,
                                             const char            *name,
                                             const WmStreamMeta    *meta,
                                             GBytes                *frames,
                                             const char            *label,
                                             const char            *category,
                                             gint64                *out_recording_id,
                                             GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmStreamMeta, wm_stream_meta_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmStreamState, wm_stream_state_free)

G_END_DECLS
