/* wm-model-file.h — a .wmm model in the application: load, describe, run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wraps the device runtime (inference/) for the desktop: the file's bytes are
 * kept alive beside the parsed model, and a model runs over a recording of a
 * project with exactly the arithmetic the device uses.
 */

#pragma once

#include <gio/gio.h>

#include "wm-classifier.h"
#include "wm-model.h"
#include "wm-model-description.h"
#include "wm-store.h"

G_BEGIN_DECLS

#define WM_MODEL_ERROR (wm_model_error_quark ())

typedef enum {
  WM_MODEL_ERROR_INVALID = 1,  /* the file is not a valid .wmm: the message says why */
  WM_MODEL_ERROR_MISMATCH,     /* the model does not fit the recording (rate, channels) */
  WM_MODEL_ERROR_CANCELLED,
} WmModelError;

GQuark wm_model_error_quark (void);

typedef struct _WmModelFile WmModelFile;

WmModelFile      *wm_model_file_new_from_bytes (GBytes       *bytes,
                                                const char   *origin,
                                                GError      **error);
WmModelFile      *wm_model_file_new_from_path  (const char   *path,
                                                GError      **error);
/* The file of a model kept in a project: the store's error when it has no
 * such model, and parse errors that name it NAME@VERSION (VARIANT). */
WmModelFile      *wm_model_file_new_from_store (WmStore             *store,
                                                const WmStoredModel *stored,
                                                GError             **error);
WmModelFile      *wm_model_file_ref            (WmModelFile  *self);
void              wm_model_file_unref          (WmModelFile  *self);

const wm_model_t *wm_model_file_get_model      (WmModelFile  *self);
GBytes           *wm_model_file_get_bytes      (WmModelFile  *self);
const char       *wm_model_file_get_sha256     (WmModelFile  *self);
const char       *wm_model_file_get_name       (WmModelFile  *self);
const char       *wm_model_file_get_version    (WmModelFile  *self);
const char       *wm_model_file_get_variant    (WmModelFile  *self); /* "int8" | "f32" */
const char       *wm_model_file_get_class_name (WmModelFile  *self,
                                                guint         k);
guint             wm_model_file_get_n_classes  (WmModelFile  *self);
/* Bytes of RAM a device needs for the classifier's buffers. */
guint32           wm_model_file_get_buffer_size (WmModelFile *self);

/* Everything a person or a registry wants to know: architecture, front-end,
 * classes, data context, tensors, buffer sizes.  Free with
 * wm_model_description_free(). */
WmModelDescription *wm_model_file_describe     (WmModelFile  *self);

/* Stores the model file in the project (what `waymark-cli model import` and
 * the app's Models window do): its name, version, variant, SHA-256, size and
 * description as metadata.  The same bytes again return the existing id
 * with out_existed TRUE.  Returns the model's id, or 0 with @error set. */
gint64            wm_model_file_add_to_store   (WmModelFile  *self,
                                                WmStore      *store,
                                                const char   *origin,
                                                gboolean     *out_existed,
                                                GError      **error);

/* One window's result: frames [start_frame, end_frame) of the recording and
 * n_classes probabilities.  int8 models report Q0.16 probabilities / 65536. */
typedef void (*WmModelWindowFunc) (gint64        start_frame,
                                   gint64        end_frame,
                                   const float  *probabilities,
                                   guint         n_classes,
                                   gpointer      user_data);

/* Whether the model can run over the recording: same channel count and
 * sample rate.  The error names both. */
gboolean          wm_model_file_check_recording (WmModelFile       *self,
                                                 const WmRecording *recording,
                                                 GError           **error);

/* Runs the model over frames [first_frame, end_frame) of a recording
 * (end_frame < 0: to the end), calling @func for every whole window.
 * int16 recordings are fed as they are; float32 ones are turned into device
 * samples by the model's per-channel input scale (int8) or fed as physical
 * values (f32). */
gboolean          wm_model_file_run_recording  (WmModelFile       *self,
                                                WmStore           *store,
                                                gint64             recording_id,
                                                gint64             first_frame,
                                                gint64             end_frame,
                                                WmModelWindowFunc  func,
                                                gpointer           user_data,
                                                GCancellable      *cancellable,
                                                GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmModelFile, wm_model_file_unref)

G_END_DECLS
