/* wm-store-types.c — boxed value types of the project file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wm-store.h"

G_DEFINE_BOXED_TYPE (WmRecording, wm_recording, wm_recording_copy, wm_recording_free)
G_DEFINE_BOXED_TYPE (WmClass, wm_class, wm_class_copy, wm_class_free)
G_DEFINE_BOXED_TYPE (WmLabel, wm_label, wm_label_copy, wm_label_free)
G_DEFINE_BOXED_TYPE (WmStoredModel, wm_stored_model, wm_stored_model_copy, wm_stored_model_free)

WmRecording *
wm_recording_new (void)
{
  WmRecording *recording = g_new0 (WmRecording, 1);

  recording->kind = WM_RECORDING_KIND_SENSOR;
  recording->sample_format = WM_SAMPLE_FORMAT_FLOAT32;
  return recording;
}

WmRecording *
wm_recording_copy (const WmRecording *recording)
{
  WmRecording *copy;

  g_return_val_if_fail (recording != NULL, NULL);

  copy = g_memdup2 (recording, sizeof *recording);
  copy->name = g_strdup (recording->name);
  copy->source_path = g_strdup (recording->source_path);
  copy->source_sha256 = g_strdup (recording->source_sha256);
  copy->channel_names = g_strdupv (recording->channel_names);
  copy->channel_units = g_strdupv (recording->channel_units);
  copy->device_id = g_strdup (recording->device_id);
  copy->stream_id = g_strdup (recording->stream_id);
  return copy;
}

void
wm_recording_free (WmRecording *recording)
{
  if (recording == NULL)
    return;
  g_free (recording->name);
  g_free (recording->source_path);
  g_free (recording->source_sha256);
  g_strfreev (recording->channel_names);
  g_strfreev (recording->channel_units);
  g_free (recording->device_id);
  g_free (recording->stream_id);
  g_free (recording);
}

double
wm_recording_get_duration (const WmRecording *recording)
{
  g_return_val_if_fail (recording != NULL, 0.0);
  g_return_val_if_fail (recording->sample_rate > 0, 0.0);

  return (double) recording->n_frames / recording->sample_rate;
}

WmClass *
wm_class_copy (const WmClass *klass)
{
  WmClass *copy;

  g_return_val_if_fail (klass != NULL, NULL);

  copy = g_new0 (WmClass, 1);
  copy->id = klass->id;
  copy->name = g_strdup (klass->name);
  copy->color = g_strdup (klass->color);
  copy->shortcut = g_strdup (klass->shortcut);
  return copy;
}

void
wm_class_free (WmClass *klass)
{
  if (klass == NULL)
    return;
  g_free (klass->name);
  g_free (klass->color);
  g_free (klass->shortcut);
  g_free (klass);
}

WmLabel *
wm_label_new (void)
{
  WmLabel *label = g_new0 (WmLabel, 1);

  label->source = WM_LABEL_SOURCE_HUMAN;
  label->confidence = 1.0;
  return label;
}

WmLabel *
wm_label_copy (const WmLabel *label)
{
  WmLabel *copy;

  g_return_val_if_fail (label != NULL, NULL);

  copy = g_memdup2 (label, sizeof *label);
  copy->class_name = g_strdup (label->class_name);
  copy->model_version = g_strdup (label->model_version);
  copy->author = g_strdup (label->author);
  return copy;
}

void
wm_label_free (WmLabel *label)
{
  if (label == NULL)
    return;
  g_free (label->class_name);
  g_free (label->model_version);
  g_free (label->author);
  g_free (label);
}

static const char * const label_source_names[] = {
  [WM_LABEL_SOURCE_HUMAN] = "human",
  [WM_LABEL_SOURCE_MODEL] = "model",
  [WM_LABEL_SOURCE_REVIEW] = "review",
};

const char *
wm_label_source_to_string (WmLabelSource source)
{
  g_return_val_if_fail (source >= WM_LABEL_SOURCE_HUMAN && source <= WM_LABEL_SOURCE_REVIEW, NULL);

  return label_source_names[source];
}

gboolean
wm_label_source_from_string (const char    *str,
                             WmLabelSource *out_source)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = WM_LABEL_SOURCE_HUMAN; i <= WM_LABEL_SOURCE_REVIEW; i++)
    {
      if (g_str_equal (str, label_source_names[i]))
        {
          if (out_source != NULL)
            *out_source = (WmLabelSource) i;
          return TRUE;
        }
    }
  return FALSE;
}

WmStoredModel *
wm_stored_model_copy (const WmStoredModel *model)
{
  WmStoredModel *copy;

  g_return_val_if_fail (model != NULL, NULL);

  copy = g_memdup2 (model, sizeof *model);
  copy->name = g_strdup (model->name);
  copy->version = g_strdup (model->version);
  copy->variant = g_strdup (model->variant);
  copy->sha256 = g_strdup (model->sha256);
  copy->metadata = g_strdup (model->metadata);
  return copy;
}

void
wm_stored_model_free (WmStoredModel *model)
{
  if (model == NULL)
    return;
  g_free (model->name);
  g_free (model->version);
  g_free (model->variant);
  g_free (model->sha256);
  g_free (model->metadata);
  g_free (model);
}

G_DEFINE_BOXED_TYPE (WmRun, wm_run, wm_run_copy, wm_run_free)
G_DEFINE_BOXED_TYPE (WmReviewItem, wm_review_item, wm_review_item_copy, wm_review_item_free)

guint
wm_run_get_n_classes (const WmRun *run)
{
  g_return_val_if_fail (run != NULL, 0);
  return run->class_names != NULL ? g_strv_length (run->class_names) : 0;
}

WmRun *
wm_run_copy (const WmRun *run)
{
  WmRun *copy;

  g_return_val_if_fail (run != NULL, NULL);

  copy = g_memdup2 (run, sizeof *run);
  copy->model_name = g_strdup (run->model_name);
  copy->model_version = g_strdup (run->model_version);
  copy->variant = g_strdup (run->variant);
  copy->class_names = g_strdupv (run->class_names);
  copy->thresholds = g_memdup2 (run->thresholds, sizeof (double) * wm_run_get_n_classes (run));
  return copy;
}

void
wm_run_free (WmRun *run)
{
  if (run == NULL)
    return;
  g_free (run->model_name);
  g_free (run->model_version);
  g_free (run->variant);
  g_strfreev (run->class_names);
  g_free (run->thresholds);
  g_free (run);
}

static const char * const review_state_names[] = {
  [WM_REVIEW_PENDING] = "pending",
  [WM_REVIEW_ACCEPTED] = "accepted",
  [WM_REVIEW_REJECTED] = "rejected",
  [WM_REVIEW_RELABELLED] = "relabelled",
};

const char *
wm_review_state_to_string (WmReviewState state)
{
  g_return_val_if_fail (state <= WM_REVIEW_RELABELLED, NULL);
  return review_state_names[state];
}

WmReviewItem *
wm_review_item_copy (const WmReviewItem *item)
{
  WmReviewItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = g_memdup2 (item, sizeof *item);
  copy->class_name = g_strdup (item->class_name);
  copy->decided_class_name = g_strdup (item->decided_class_name);
  copy->author = g_strdup (item->author);
  return copy;
}

void
wm_review_item_free (WmReviewItem *item)
{
  if (item == NULL)
    return;
  g_free (item->class_name);
  g_free (item->decided_class_name);
  g_free (item->author);
  g_free (item);
}

G_DEFINE_BOXED_TYPE (WmDevice, wm_device, wm_device_copy, wm_device_free)
G_DEFINE_BOXED_TYPE (WmUploadStream, wm_upload_stream, wm_upload_stream_copy, wm_upload_stream_free)

WmDevice *
wm_device_copy (const WmDevice *device)
{
  WmDevice *copy;

  g_return_val_if_fail (device != NULL, NULL);

  copy = g_memdup2 (device, sizeof *device);
  copy->name = g_strdup (device->name);
  copy->type = g_strdup (device->type);
  return copy;
}

void
wm_device_free (WmDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->type);
  g_free (device);
}

WmUploadStream *
wm_upload_stream_copy (const WmUploadStream *stream)
{
  WmUploadStream *copy;

  g_return_val_if_fail (stream != NULL, NULL);

  copy = g_memdup2 (stream, sizeof *stream);
  copy->device = g_strdup (stream->device);
  copy->stream_id = g_strdup (stream->stream_id);
  copy->metadata = g_strdup (stream->metadata);
  copy->device_type = g_strdup (stream->device_type);
  copy->firmware = g_strdup (stream->firmware);
  copy->sha256 = g_strdup (stream->sha256);
  return copy;
}

void
wm_upload_stream_free (WmUploadStream *stream)
{
  if (stream == NULL)
    return;
  g_free (stream->device);
  g_free (stream->stream_id);
  g_free (stream->metadata);
  g_free (stream->device_type);
  g_free (stream->firmware);
  g_free (stream->sha256);
  g_free (stream);
}
