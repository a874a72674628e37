/* wm-store.h — the Waymark project file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project is one SQLite file in WAL mode.  Recordings are stored as sample
 * blocks with min/max/rms summaries beside each block, so that an overview of
 * any range at any width reads summaries, not samples.  Classes and labels
 * live beside them, and every label edit goes through a persisted history so
 * that undo and redo work across restarts.
 *
 * Signals: "recordings-changed", "classes-changed" and "labels-changed"
 * (gint64 recording_id, 0 when several) are emitted on the store after a
 * change made through it (undo and redo included).
 *
 * Threading: one WmStore is one SQLite connection and is used from one thread
 * at a time.  A worker thread that reads samples opens its own store on the
 * same path with WM_STORE_OPEN_READ_ONLY; WAL lets readers and the writer
 * run side by side.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WM_STORE_ERROR (wm_store_error_quark ())

typedef enum {
  WM_STORE_ERROR_NOT_A_PROJECT = 1, /* not SQLite, or SQLite but not Waymark */
  WM_STORE_ERROR_TOO_NEW,           /* written by a newer Waymark */
  WM_STORE_ERROR_READ_ONLY,         /* file or store opened read-only */
  WM_STORE_ERROR_FULL,              /* disk or size limit reached */
  WM_STORE_ERROR_NOT_FOUND,         /* no such recording, class, label */
  WM_STORE_ERROR_INVALID,           /* an argument out of range or inconsistent */
  WM_STORE_ERROR_EXISTS,            /* unique name or content already present */
  WM_STORE_ERROR_IN_USE,            /* still referenced (a class with labels) */
  WM_STORE_ERROR_BUSY,              /* another process holds the write lock */
  WM_STORE_ERROR_FAILED,            /* any other SQLite failure */
} WmStoreError;

GQuark wm_store_error_quark (void);

typedef enum {
  WM_STORE_OPEN_DEFAULT   = 0,
  WM_STORE_OPEN_CREATE    = 1 << 0, /* create a new project; fails if the file exists */
  WM_STORE_OPEN_READ_ONLY = 1 << 1,
} WmStoreOpenFlags;

/* ---- Recordings -------------------------------------------------------- */

typedef enum {
  WM_SAMPLE_FORMAT_INT16   = 1, /* 16-bit sources: bit-exact round trip */
  WM_SAMPLE_FORMAT_FLOAT32 = 2, /* everything else */
} WmSampleFormat;

typedef enum {
  WM_RECORDING_KIND_AUDIO  = 1,
  WM_RECORDING_KIND_SENSOR = 2,
} WmRecordingKind;

typedef struct {
  gint64           id;              /* 0 until stored */
  char            *name;
  char            *source_path;     /* nullable */
  char            *source_sha256;   /* hex, nullable */
  double           sample_rate;     /* Hz, > 0 */
  guint            n_channels;      /* >= 1 */
  char           **channel_names;   /* n_channels entries, NULL-terminated */
  char           **channel_units;   /* n_channels entries ("" when unknown), NULL-terminated */
  gboolean         has_start_time;
  gint64           start_time_us;   /* absolute start, µs since the Unix epoch (UTC) */
  gint64           n_frames;        /* filled in by the store */
  WmRecordingKind  kind;
  WmSampleFormat   sample_format;
  char            *device_id;       /* provenance, nullable */
  char            *stream_id;       /* provenance, nullable */
  gint64           created_at;      /* µs since epoch, filled in by the store */
  gboolean         uploading;       /* read only: a device stream still adds to it (not finalized) */
} WmRecording;

GType        wm_recording_get_type (void) G_GNUC_CONST;
WmRecording *wm_recording_new      (void);
WmRecording *wm_recording_copy     (const WmRecording *recording);
void         wm_recording_free     (WmRecording *recording);
double       wm_recording_get_duration (const WmRecording *recording); /* seconds */

/* One summary bucket of one channel.  For int16 recordings values are
 * normalised to [-1, 1) (sample / 32768); float32 recordings keep their
 * units.  A bucket that covers no frame has n_frames == 0. */
typedef struct {
  float  min;
  float  max;
  float  rms;
  guint  n_frames_covered;
} WmSummaryBucket;

/* ---- Classes ----------------------------------------------------------- */

typedef struct {
  gint64  id;
  char   *name;
  char   *color;    /* "#rrggbb" */
  char   *shortcut; /* one key ("1".."9", a letter) or NULL */
} WmClass;

GType    wm_class_get_type (void) G_GNUC_CONST;
WmClass *wm_class_copy     (const WmClass *klass);
void     wm_class_free     (WmClass *klass);

/* ---- Labels ------------------------------------------------------------ */

typedef enum {
  WM_LABEL_SOURCE_HUMAN  = 1,
  WM_LABEL_SOURCE_MODEL  = 2,
  WM_LABEL_SOURCE_REVIEW = 3,
} WmLabelSource;

const char   *wm_label_source_to_string   (WmLabelSource source);
gboolean      wm_label_source_from_string (const char *str, WmLabelSource *out_source);

typedef struct {
  gint64         id;
  gint64         recording_id;
  gint64         start_frame;   /* [start_frame, end_frame); a point event has start == end */
  gint64         end_frame;
  gint64         class_id;
  char          *class_name;    /* filled in when read */
  WmLabelSource  source;
  double         confidence;    /* 1.0 for human labels */
  char          *model_version; /* nullable */
  char          *author;        /* nullable */
  gint64         created_at;    /* µs since epoch */
  gint64         updated_at;
} WmLabel;

GType    wm_label_get_type (void) G_GNUC_CONST;
WmLabel *wm_label_new      (void);
WmLabel *wm_label_copy     (const WmLabel *label);
void     wm_label_free     (WmLabel *label);

/* ---- Models ------------------------------------------------------------ */

/* A model file kept in the project.  labelstore does not read model files:
 * the caller parses them and passes what it found as metadata (JSON). */
typedef struct {
  gint64  id;
  char   *name;
  char   *version;
  char   *variant;      /* "int8", "f32" */
  char   *sha256;       /* hex, of the file */
  gint64  size;         /* bytes */
  char   *metadata;     /* JSON object */
  gint64  imported_at;  /* µs since epoch */
} WmStoredModel;

GType          wm_stored_model_get_type (void) G_GNUC_CONST;
WmStoredModel *wm_stored_model_copy     (const WmStoredModel *model);
void           wm_stored_model_free     (WmStoredModel *model);

/* ---- Auto-label runs, predictions, review -------------------------------- */

typedef enum {
  WM_RUN_RUNNING    = 1,
  WM_RUN_COMPLETE   = 2,
  WM_RUN_INCOMPLETE = 3, /* interrupted; resumable */
} WmRunState;

/* One auto-label pass of one model (name, version, variant) over recordings.
 * Running the same model again reuses its run. */
typedef struct {
  gint64      id;
  gint64      model_id;
  char       *model_name;
  char       *model_version;
  char       *variant;
  char      **class_names;   /* the model's outputs, in order, NULL-terminated */
  double     *thresholds;    /* one per model class */
  double      margin;
  gint64      window_frames;
  gint64      hop_frames;
  WmRunState  state;
  gint64      started_at;
  gint64      finished_at;   /* 0 while running */
} WmRun;

GType  wm_run_get_type (void) G_GNUC_CONST;
WmRun *wm_run_copy     (const WmRun *run);
void   wm_run_free     (WmRun *run);
guint  wm_run_get_n_classes (const WmRun *run);

typedef enum {
  WM_REVIEW_PENDING    = 0,
  WM_REVIEW_ACCEPTED   = 1,
  WM_REVIEW_REJECTED   = 2,
  WM_REVIEW_RELABELLED = 3,
} WmReviewState;

const char *wm_review_state_to_string (WmReviewState state);

/* A window whose probability lies in the review band around the threshold. */
typedef struct {
  gint64         id;
  gint64         run_id;
  gint64         recording_id;
  gint64         window_index;
  gint64         start_frame;      /* the window's cell [start, end) */
  gint64         end_frame;
  gint64         class_id;         /* proposed class */
  char          *class_name;
  double         probability;
  double         threshold;
  double         priority;         /* |probability − threshold|: smaller first */
  WmReviewState  state;
  gint64         decided_class_id; /* accepted: class_id; relabelled: the new one */
  char          *decided_class_name;
  gint64         label_id;         /* the review label the decision made, or 0 */
  char          *author;
  gint64         decided_at;
} WmReviewItem;

GType         wm_review_item_get_type (void) G_GNUC_CONST;
WmReviewItem *wm_review_item_copy     (const WmReviewItem *item);
void          wm_review_item_free     (WmReviewItem *item);

/* ---- The store --------------------------------------------------------- */

#define WM_TYPE_STORE (wm_store_get_type ())
G_DECLARE_FINAL_TYPE (WmStore, wm_store, WM, STORE, GObject)

#define WM_STORE_SCHEMA_VERSION 6

WmStore     *wm_store_open                  (const char        *path,
                                             WmStoreOpenFlags   flags,
                                             GError           **error);
const char  *wm_store_get_path              (WmStore           *self);
gboolean     wm_store_is_read_only          (WmStore           *self);
int          wm_store_get_schema_version    (WmStore           *self);
/* The raw SQLite handle, for modules that add their own tables by migration. */
gpointer     wm_store_get_db                (WmStore           *self);

/* Transactions nest: the outermost is BEGIN IMMEDIATE … COMMIT, inner ones
 * are savepoints.  Every public write below runs in one transaction of its
 * own (nested inside the caller's when one is open). */
gboolean     wm_store_begin                 (WmStore           *self,
                                             GError           **error);
gboolean     wm_store_commit                (WmStore           *self,
                                             GError           **error);
void         wm_store_rollback              (WmStore           *self);

/* TRUE when another connection (another process, another WmStore) has
 * committed a change since the previous call (PRAGMA data_version): a cheap
 * poll for a project that grows while it is shown.  The first call only
 * takes note and returns FALSE. */
gboolean     wm_store_poll_changes          (WmStore           *self);
/* The file may not grow past @max_bytes (rounded down to whole pages; 0: no
 * limit): a write that would is WM_STORE_ERROR_FULL, like a full disk. */
gboolean     wm_store_set_size_limit        (WmStore           *self,
                                             gint64             max_bytes,
                                             GError           **error);

/* Recordings */
GPtrArray   *wm_store_list_recordings       (WmStore           *self,
                                             GError           **error); /* of WmRecording */
WmRecording *wm_store_get_recording         (WmStore           *self,
                                             gint64             recording_id,
                                             GError           **error);
gint64       wm_store_find_recording_by_sha256 (WmStore        *self,
                                             const char        *sha256); /* 0 if none */
/* The source's SHA-256, known only once the whole file was read. */
gboolean     wm_store_set_recording_sha256  (WmStore           *self,
                                             gint64             recording_id,
                                             const char        *sha256,
                                             GError           **error);
gboolean     wm_store_remove_recording      (WmStore           *self,
                                             gint64             recording_id,
                                             GError           **error);

/* Writing a recording by streaming blocks.  begin opens a (nested)
 * transaction; append takes interleaved frames in the recording's sample
 * format; commit stores the last block, the frame count, and commits;
 * abort rolls everything back.  Both commit and abort free the writer. */
typedef struct _WmRecordingWriter WmRecordingWriter;

WmRecordingWriter *wm_store_begin_recording (WmStore           *self,
                                             const WmRecording *recording,
                                             GError           **error);
gboolean     wm_recording_writer_append     (WmRecordingWriter *writer,
                                             const void        *frames,
                                             gsize              n_frames,
                                             GError           **error);
gint64       wm_recording_writer_get_n_frames (WmRecordingWriter *writer);
gint64       wm_recording_writer_commit     (WmRecordingWriter *writer,
                                             GError           **error); /* recording id, 0 on error */
void         wm_recording_writer_abort      (WmRecordingWriter *writer);

/* A recording that grows in many transactions (a device upload).  The
 * appender rebuilds the writer's state from what is stored: the partial last
 * block, and per summary level the closed buckets of the current row and the
 * bucket being filled.  append and flush run inside the caller's transaction
 * (wm_store_begin); flush stores the partial last block, provisional summary
 * rows that include the partial buckets, and the frame count, so that a
 * reader sees every committed frame with the summaries a one-shot import of
 * the same frames would have.  Call flush before the transaction (or
 * savepoint) that holds the appends ends.
 *
 * An appender may be kept across transactions: after a rollback on its
 * store, or a commit by another connection, it reloads itself from the store
 * on its next use. */
typedef struct _WmRecordingAppender WmRecordingAppender;

WmRecordingAppender *wm_store_open_appender (WmStore           *self,
                                             gint64             recording_id,
                                             GError           **error);
gboolean     wm_recording_appender_append   (WmRecordingAppender *appender,
                                             const void        *frames,
                                             gsize              n_frames,
                                             GError           **error);
gboolean     wm_recording_appender_flush    (WmRecordingAppender *appender,
                                             GError           **error);
/* Frames appended so far (stored, or stored by the next flush); -1 when the
 * recording cannot be read. */
gint64       wm_recording_appender_get_n_frames (WmRecordingAppender *appender);
gsize        wm_recording_appender_get_frame_bytes (WmRecordingAppender *appender);
void         wm_recording_appender_free     (WmRecordingAppender *appender);

/* Reading samples of one channel, frames [first, first + n_frames), as float
 * (int16 normalised by 1/32768).  Frames beyond the recording are an error. */
gboolean     wm_store_read_frames           (WmStore           *self,
                                             gint64             recording_id,
                                             guint              channel,
                                             gint64             first_frame,
                                             gsize              n_frames,
                                             float             *out,
                                             GError           **error);
/* All channels, interleaved, in the stored sample format (int16 or float32):
 * the bit-exact path for export. */
gboolean     wm_store_read_frames_raw       (WmStore           *self,
                                             gint64             recording_id,
                                             gint64             first_frame,
                                             gsize              n_frames,
                                             void              *out,
                                             GError           **error);
/* Summaries of frames [first_frame, end_frame) of one channel in n_buckets
 * equal buckets.  Reads the coarsest stored summary level that is finer than
 * one bucket, and samples only when a bucket spans fewer frames than the
 * finest level. */
gboolean     wm_store_read_summary          (WmStore           *self,
                                             gint64             recording_id,
                                             guint              channel,
                                             gint64             first_frame,
                                             gint64             end_frame,
                                             guint              n_buckets,
                                             WmSummaryBucket   *out,
                                             GError           **error);

/* Classes */
gint64       wm_store_add_class             (WmStore           *self,
                                             const char        *name,
                                             const char        *color,
                                             const char        *shortcut,
                                             GError           **error);
gboolean     wm_store_update_class          (WmStore           *self,
                                             const WmClass     *klass,
                                             GError           **error);
gboolean     wm_store_remove_class          (WmStore           *self,
                                             gint64             class_id,
                                             GError           **error);
GPtrArray   *wm_store_list_classes          (WmStore           *self,
                                             GError           **error); /* of WmClass */
WmClass     *wm_store_find_class            (WmStore           *self,
                                             const char        *name,
                                             GError           **error);

/* Labels.  add/update/remove go into the edit history; undo and redo walk it.
 * add fills in label->id. */
gboolean     wm_store_add_label             (WmStore           *self,
                                             WmLabel           *label,
                                             GError           **error);
gboolean     wm_store_update_label          (WmStore           *self,
                                             const WmLabel     *label,
                                             GError           **error);
gboolean     wm_store_remove_label          (WmStore           *self,
                                             gint64             label_id,
                                             GError           **error);
WmLabel     *wm_store_get_label             (WmStore           *self,
                                             gint64             label_id,
                                             GError           **error);
/* Labels of a recording that overlap [first_frame, end_frame), point events
 * at first_frame included, ordered by start.  recording_id 0 means all
 * recordings; end_frame < 0 means to the end. */
GPtrArray   *wm_store_list_labels           (WmStore           *self,
                                             gint64             recording_id,
                                             gint64             first_frame,
                                             gint64             end_frame,
                                             GError           **error); /* of WmLabel */
gint64       wm_store_count_labels          (WmStore           *self,
                                             gint64             recording_id);
/* Start and end frames (pairs of gint64) of a recording's labels whose
 * source is not @exclude (0: none excluded), ordered by start: a light read
 * for overlap checks. */
GArray      *wm_store_list_label_spans      (WmStore           *self,
                                             gint64             recording_id,
                                             WmLabelSource      exclude,
                                             GError           **error);

gboolean     wm_store_can_undo              (WmStore           *self);
gboolean     wm_store_can_redo              (WmStore           *self);
/* Undo/redo the latest edit; FALSE with WM_STORE_ERROR_NOT_FOUND when there
 * is nothing to undo/redo.  out_label_id (nullable) gets the label touched. */
gboolean     wm_store_undo                  (WmStore           *self,
                                             gint64            *out_label_id,
                                             GError           **error);
gboolean     wm_store_redo                  (WmStore           *self,
                                             gint64            *out_label_id,
                                             GError           **error);

/* Models.  Adding the same bytes again is a no-op that returns the existing
 * id (out_existed TRUE); the same name, version and variant with other bytes
 * is WM_STORE_ERROR_EXISTS. */
gint64         wm_store_add_model       (WmStore             *self,
                                         const WmStoredModel *model,
                                         GBytes              *file,
                                         gboolean            *out_existed,
                                         GError             **error);
GPtrArray     *wm_store_list_models     (WmStore             *self,
                                         GError             **error); /* of WmStoredModel */
/* name, and the highest version (natural order) when version is NULL; any
 * variant when variant is NULL (int8 preferred). */
WmStoredModel *wm_store_find_model      (WmStore             *self,
                                         const char          *name,
                                         const char          *version,
                                         const char          *variant,
                                         GError             **error);
GBytes        *wm_store_get_model_file  (WmStore             *self,
                                         gint64               model_id,
                                         GError             **error);
/* A model with auto-label runs is in use: WM_STORE_ERROR_IN_USE. */
gboolean       wm_store_remove_model    (WmStore             *self,
                                         gint64               model_id,
                                         GError             **error);
/* What refers to a model: its runs, their labels and review items. */
gboolean       wm_store_get_model_usage (WmStore             *self,
                                         gint64               model_id,
                                         gint64              *out_runs,
                                         gint64              *out_labels,
                                         gint64              *out_review_items,
                                         GError             **error);

/* Runs */
gint64         wm_store_add_run         (WmStore             *self,
                                         const WmRun         *run,
                                         GError             **error);
gboolean       wm_store_update_run      (WmStore             *self,
                                         const WmRun         *run,
                                         GError             **error); /* thresholds, margin, state, finished_at */
WmRun         *wm_store_get_run         (WmStore             *self,
                                         gint64               run_id,
                                         GError             **error);
GPtrArray     *wm_store_list_runs       (WmStore             *self,
                                         GError             **error); /* of WmRun, newest first */
/* The run of this model file, or NULL (no error) when there is none. */
WmRun         *wm_store_find_run_for_model (WmStore          *self,
                                         gint64               model_id,
                                         GError             **error);

/* Predictions: per window, the model's probabilities, stored in chunks of
 * consecutive windows.  A chunk is written once; resume skips stored chunks. */
gboolean       wm_store_put_predictions (WmStore             *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         gint64               first_window,
                                         guint                n_windows,
                                         guint                n_classes,
                                         const float         *probabilities,
                                         GError             **error);
/* The first window of every stored chunk, ascending (GArray of gint64). */
GArray        *wm_store_list_prediction_chunks (WmStore      *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GError             **error);
/* All stored windows of a recording, [n_windows][n_classes]; windows not
 * stored are NaN.  out_n_windows: 1 + the last stored window. */
float         *wm_store_read_predictions (WmStore            *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         guint                n_classes,
                                         gint64              *out_n_windows,
                                         GError             **error);
gboolean       wm_store_delete_predictions (WmStore          *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GError             **error);
/* Recordings with stored predictions of a run (GArray of gint64). */
GArray        *wm_store_list_run_recordings (WmStore         *self,
                                         gint64               run_id,
                                         GError             **error);

/* Model labels of a run: written in bulk, outside the edit history. */
gboolean       wm_store_delete_model_labels (WmStore         *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GError             **error);
/* Model labels (of any run) of @model_name on @recording_id whose run is not
 * @keep_run_id: what --replace retires. */
gboolean       wm_store_retire_model_labels (WmStore         *self,
                                         const char          *model_name,
                                         gint64               keep_run_id,
                                         gint64               recording_id,
                                         GError             **error);
/* Makes the model labels and pending review items of a run on a recording
 * exactly @labels (of WmLabel) and @items (of WmReviewItem), writing only
 * what differs from what is stored: a threshold moved a little costs little.
 * Decided review items are never touched. */
gboolean       wm_store_sync_model_output (WmStore           *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GPtrArray           *labels,
                                         GArray              *items,
                                         GError             **error);
GPtrArray     *wm_store_list_run_labels (WmStore             *self,
                                         gint64               run_id,
                                         GError             **error); /* of WmLabel */

/* Review items */
gboolean       wm_store_delete_pending_review_items (WmStore *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GError             **error);
/* Window indices of a run's decided items on a recording (GArray of gint64). */
GArray        *wm_store_list_decided_windows (WmStore        *self,
                                         gint64               run_id,
                                         gint64               recording_id,
                                         GError             **error);
WmReviewItem  *wm_store_get_review_item (WmStore             *self,
                                         gint64               item_id,
                                         GError             **error);
/* Pending items, most uncertain first; run_id 0 = every run; limit 0 = all. */
GPtrArray     *wm_store_list_review_items (WmStore           *self,
                                         gint64               run_id,
                                         gboolean             pending_only,
                                         guint                limit,
                                         GError             **error); /* of WmReviewItem */
gint64         wm_store_count_review_items (WmStore          *self,
                                         gint64               run_id,
                                         WmReviewState        state);
/* A page of the pending queue: items [offset, offset + limit) in the order of
 * wm_store_list_review_items, for lists too long to read whole. */
GPtrArray     *wm_store_list_review_items_page (WmStore      *self,
                                         gint64               run_id,
                                         guint                offset,
                                         guint                limit,
                                         GError             **error); /* of WmReviewItem */
/* Where a pending item stands in that queue (0 = first), or -1 when it is
 * not pending. */
gint64         wm_store_get_review_item_rank (WmStore        *self,
                                         gint64               run_id,
                                         gint64               item_id);
/* Accept (the proposed class), relabel (class_id) or reject an item, in one
 * transaction with the review label it makes: accepted and relabelled
 * cells become review labels, joined to an adjacent review label of the
 * same class; rejections make no label and stay as negatives. */
gboolean       wm_store_decide_review_item (WmStore          *self,
                                         gint64               item_id,
                                         WmReviewState        decision,
                                         gint64               class_id,
                                         const char          *author,
                                         GError             **error);
/* Undo the latest decision; out_item_id (nullable) gets the item. */
gboolean       wm_store_undo_review_decision (WmStore        *self,
                                         gint64              *out_item_id,
                                         GError             **error);

/* ---- Devices and upload streams ------------------------------------------ */

/* A device that uploads recordings (waymark-cli device add). */
typedef struct {
  char     *name;
  char     *type;
  gboolean  revoked;
  gboolean  has_hmac_key;         /* Edge Impulse uploads are signed with it */
  gint64    created_at;           /* µs since epoch */
  gint64    last_seen;            /* 0: never */
  gint64    n_streams;
  gint64    n_bytes;              /* sample bytes committed */
  gint64    n_incomplete;         /* streams not finalized */
  gint64    oldest_incomplete_at; /* created_at of the oldest open stream, 0 if none */
} WmDevice;

GType     wm_device_get_type (void) G_GNUC_CONST;
WmDevice *wm_device_copy     (const WmDevice *device);
void      wm_device_free     (WmDevice       *device);

/* One upload stream (device, stream id) and the recording it fills: also the
 * recording's provenance. */
typedef struct {
  char   *device;
  char   *stream_id;
  gint64  recording_id;
  char   *metadata;          /* JSON, as the device sent it (canonical form) */
  char   *device_type;       /* nullable */
  char   *firmware;          /* nullable */
  gint64  committed_offset;  /* frames */
  gint64  n_bytes;           /* sample bytes */
  gsize   frame_bytes;       /* of the recording: channels × sample size */
  char   *sha256;            /* whole stream, hex; NULL until finalized */
  gint64  created_at;        /* first upload (the stream was made), µs since epoch */
  gint64  updated_at;        /* last chunk committed */
  gint64  finalized_at;      /* 0 while open */
} WmUploadStream;

GType           wm_upload_stream_get_type (void) G_GNUC_CONST;
WmUploadStream *wm_upload_stream_copy     (const WmUploadStream *stream);
void            wm_upload_stream_free     (WmUploadStream       *stream);

/* @token_sha256: hex SHA-256 of the device's bearer token (the token itself
 * is never stored).  EXISTS when the name is taken. */
gboolean     wm_store_add_device            (WmStore           *self,
                                             const char        *name,
                                             const char        *type,
                                             const char        *token_sha256,
                                             const char        *hmac_key,
                                             GError           **error);
gboolean     wm_store_revoke_device         (WmStore           *self,
                                             const char        *name,
                                             GError           **error);
WmDevice    *wm_store_get_device            (WmStore           *self,
                                             const char        *name,
                                             GError           **error);
GPtrArray   *wm_store_list_devices          (WmStore           *self,
                                             GError           **error); /* of WmDevice, by name */
/* What authentication needs: the token's stored hash (hex), the HMAC key
 * (nullable) and whether the device is revoked.  NOT_FOUND when unknown. */
gboolean     wm_store_get_device_secrets    (WmStore           *self,
                                             const char        *name,
                                             char             **out_token_sha256,
                                             char             **out_hmac_key,
                                             gboolean          *out_revoked,
                                             GError           **error);
/* The device whose token hashes to @token_sha256, or NULL (NOT_FOUND). */
char        *wm_store_find_device_by_token  (WmStore           *self,
                                             const char        *token_sha256,
                                             GError           **error);
gboolean     wm_store_set_device_last_seen  (WmStore           *self,
                                             const char        *name,
                                             gint64             last_seen,
                                             GError           **error);

/* NOT_FOUND when there is no such stream. */
WmUploadStream *wm_store_get_upload_stream  (WmStore           *self,
                                             const char        *device,
                                             const char        *stream_id,
                                             GError           **error);
/* The stream that fills a recording, or NULL without error when none does. */
WmUploadStream *wm_store_get_recording_upload (WmStore         *self,
                                             gint64             recording_id,
                                             GError           **error);
/* Stores a new stream for an existing recording (device, stream_id,
 * recording_id, metadata, device_type, firmware); sets created_at and
 * updated_at.  EXISTS when (device, stream id) is taken. */
gboolean     wm_store_add_upload_stream     (WmStore           *self,
                                             WmUploadStream    *stream,
                                             GError           **error);
gboolean     wm_store_set_upload_progress   (WmStore           *self,
                                             const char        *device,
                                             const char        *stream_id,
                                             gint64             committed_offset,
                                             gint64             n_bytes,
                                             GError           **error);
/* Marks the stream complete with its verified hash; the recording keeps it
 * as its source SHA-256. */
gboolean     wm_store_finalize_upload_stream (WmStore          *self,
                                             const char        *device,
                                             const char        *stream_id,
                                             const char        *sha256,
                                             GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmRecording, wm_recording_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmDevice, wm_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmUploadStream, wm_upload_stream_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmRecordingAppender, wm_recording_appender_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmRun, wm_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmReviewItem, wm_review_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmStoredModel, wm_stored_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmClass, wm_class_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmLabel, wm_label_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmRecordingWriter, wm_recording_writer_abort)

G_END_DECLS
