/* wm-model-description.h — what a .wmm model file says about itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain, self-contained copy of a model's metadata, architecture,
 * front-end, buffer sizes and tensor table, made by wm_model_file_describe().
 * The app reads its fields; JSON exists only for `waymark-cli model show
 * --json` and for the metadata kept beside the file in a project.
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "wm-model.h"

G_BEGIN_DECLS

#define WM_TYPE_MODEL_DESCRIPTION (wm_model_description_get_type ())

typedef struct {
  guint n_inputs;
  guint n_hidden;
} WmModelLayer;

typedef struct {
  wm_frontend_kind_t kind;
  guint32            sample_rate;     /* Hz */
  guint              n_channels;
  guint              n_features;      /* per feature frame */
  guint              window;          /* feature frames per window */
  guint              hop;             /* feature frames between windows */
  guint              frame_length;    /* samples per feature frame */
  guint              frame_step;      /* samples between feature frames */
  guint32            window_frames;   /* samples a window hears */
  guint32            hop_frames;      /* samples between windows */
  double             window_seconds;
} WmModelFrontend;

typedef struct {
  char        name[17];     /* as in the file, at most 16 bytes */
  const char *dtype;        /* "int8", "int16", "int32" or "f32" */
  guint       n_dims;       /* 1 or 2 */
  guint32     shape[2];     /* shape[1] is 1 when n_dims is 1 */
  double      scale;
  gint32      zero_point;
  guint32     n_bytes;
} WmModelTensor;

typedef struct {
  char            *name;
  char            *version;
  const char      *variant;            /* "int8" or "f32" */
  char            *sha256;             /* of the file, hex */
  char            *use_case;           /* data context: "" when the file has none */
  char            *device_types;       /* comma-separated */
  char            *dataset_hash;
  char            *created_at;
  GStrv            classes;
  guint            n_classes;
  wm_output_t      output;
  WmModelLayer     layers[WM_MAX_LAYERS];
  guint            n_layers;
  WmModelFrontend  frontend;
  guint32          classifier_ram_bytes; /* a device's buffers for the classifier */
  guint32          model_bytes;          /* the file, as a device stores it */
  WmModelTensor   *tensors;
  guint            n_tensors;
} WmModelDescription;

GType               wm_model_description_get_type (void) G_GNUC_CONST;
WmModelDescription *wm_model_description_new      (void);
WmModelDescription *wm_model_description_copy     (const WmModelDescription *self);
void                wm_model_description_free     (WmModelDescription       *self);

/* The classes as one line: "background, stop, go". */
char               *wm_model_description_join_classes (const WmModelDescription *self);

/* `waymark-cli model show --json`: {"name", "version", "variant", "sha256",
 * "use_case", "device_types", "dataset_hash", "created_at", "classes",
 * "output", "layers", "frontend", "buffers", "tensors"}. */
JsonNode           *wm_model_description_to_json  (const WmModelDescription *self);

const char         *wm_model_frontend_kind_name   (wm_frontend_kind_t kind);
const char         *wm_model_output_name          (wm_output_t        output);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmModelDescription, wm_model_description_free)

G_END_DECLS
