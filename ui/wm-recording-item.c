/* wm-recording-item.c — one row of the recordings sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "wm-recording-item.h"

struct _WmRecordingItem
{
  GObject      parent_instance;

  WmRecording *recording;
  gint64       n_labels;
};

G_DEFINE_FINAL_TYPE (WmRecordingItem, wm_recording_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_N_LABELS,
  PROP_DETAILS,
  PROP_UPLOADING,
  PROP_UPLOAD_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wm_recording_item_finalize (GObject *object)
{
  WmRecordingItem *self = WM_RECORDING_ITEM (object);

  g_clear_pointer (&self->recording, wm_recording_free);

  G_OBJECT_CLASS (wm_recording_item_parent_class)->finalize (object);
}

static void
wm_recording_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WmRecordingItem *self = WM_RECORDING_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->recording->name);
      break;

    case PROP_N_LABELS:
      g_value_set_int64 (value, self->n_labels);
      break;

    case PROP_DETAILS:
      g_value_take_string (value, wm_recording_item_dup_details (self));
      break;

    case PROP_UPLOADING:
      g_value_set_boolean (value, self->recording->uploading);
      break;

    case PROP_UPLOAD_STATUS:
      g_value_take_string (value, wm_recording_item_dup_upload_status (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_recording_item_class_init (WmRecordingItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wm_recording_item_finalize;
  object_class->get_property = wm_recording_item_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LABELS] =
    g_param_spec_int64 ("n-labels", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAILS] =
    g_param_spec_string ("details", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPLOADING] =
    g_param_spec_boolean ("uploading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPLOAD_STATUS] =
    g_param_spec_string ("upload-status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wm_recording_item_init (WmRecordingItem *self)
{
}

WmRecordingItem *
wm_recording_item_new (const WmRecording *recording,
                       gint64             n_labels)
{
  WmRecordingItem *self;

  g_return_val_if_fail (recording != NULL, NULL);

  self = g_object_new (WM_TYPE_RECORDING_ITEM, NULL);
  self->recording = wm_recording_copy (recording);
  self->n_labels = MAX (n_labels, 0);

  return self;
}

const WmRecording *
wm_recording_item_get_recording (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), NULL);

  return self->recording;
}

void
wm_recording_item_set_recording (WmRecordingItem   *self,
                                 const WmRecording *recording)
{
  WmRecording *old;

  g_return_if_fail (WM_IS_RECORDING_ITEM (self));
  g_return_if_fail (recording != NULL && recording->id == self->recording->id);

  old = g_steal_pointer (&self->recording);
  self->recording = wm_recording_copy (recording);
  if (old->n_frames != recording->n_frames)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS]);
  if (old->uploading != recording->uploading
      || g_strcmp0 (old->device_id, recording->device_id) != 0)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPLOADING]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPLOAD_STATUS]);
    }
  if (g_strcmp0 (old->name, recording->name) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  wm_recording_free (old);
}

gboolean
wm_recording_item_get_uploading (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), FALSE);

  return self->recording->uploading;
}

char *
wm_recording_item_dup_upload_status (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), NULL);

  if (!self->recording->uploading)
    return g_strdup ("");
  if (self->recording->device_id == NULL)
    return g_strdup (_("Uploading"));
  /* Translators: a recording that a device is still sending, "Uploading from imu-7" */
  return g_strdup_printf (_("Uploading from %s"), self->recording->device_id);
}

gint64
wm_recording_item_get_id (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), 0);

  return self->recording->id;
}

const char *
wm_recording_item_get_name (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), NULL);

  return self->recording->name;
}

gint64
wm_recording_item_get_n_labels (WmRecordingItem *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), 0);

  return self->n_labels;
}

void
wm_recording_item_set_n_labels (WmRecordingItem *self,
                                gint64           n_labels)
{
  g_return_if_fail (WM_IS_RECORDING_ITEM (self));

  n_labels = MAX (n_labels, 0);
  if (self->n_labels == n_labels)
    return;

  self->n_labels = n_labels;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LABELS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS]);
}

char *
wm_format_duration (double seconds)
{
  gint64 tenths;
  gint64 hours;
  gint64 minutes;
  double rest;

  if (seconds < 60.0)
    /* Translators: a duration under a minute, "4.25 s" */
    return g_strdup_printf (_("%.2f s"), seconds);

  tenths = (gint64) (seconds * 10.0 + 0.5);
  hours = tenths / 36000;
  minutes = (tenths / 600) % 60;
  rest = (tenths % 600) / 10.0;

  if (hours > 0)
    return g_strdup_printf ("%" PRId64 ":%02" PRId64 ":%04.1f",
                            hours, minutes, rest);

  return g_strdup_printf ("%" PRId64 ":%04.1f", minutes, rest);
}

char *
wm_recording_item_dup_details (WmRecordingItem *self)
{
  g_autofree char *duration = NULL;
  g_autofree char *channels = NULL;
  g_autofree char *labels = NULL;
  int n_labels;

  g_return_val_if_fail (WM_IS_RECORDING_ITEM (self), NULL);

  duration = wm_format_duration (wm_recording_get_duration (self->recording));
  channels = g_strdup_printf (ngettext ("%u channel", "%u channels",
                                        self->recording->n_channels),
                              self->recording->n_channels);
  n_labels = (int) MIN (self->n_labels, G_MAXINT);
  labels = g_strdup_printf (ngettext ("%d label", "%d labels", n_labels), n_labels);

  /* Translators: duration · channels · labels of a recording in the sidebar */
  return g_strdup_printf (_("%s · %s · %s"), duration, channels, labels);
}
