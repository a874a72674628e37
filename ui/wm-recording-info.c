/* wm-recording-info.c — a popover with a recording's properties and provenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "wm-recording-info.h"
#include "wm-recording-item.h"

struct _WmRecordingInfo
{
  GtkPopover  parent_instance;

  GtkLabel   *name_label;
  GtkWidget  *upload_box;
  GtkLabel   *duration_value;
  GtkLabel   *sample_rate_value;
  GtkLabel   *channels_value;
  GtkLabel   *format_value;
  GtkLabel   *start_time_value;
  GtkLabel   *source_value;
  GtkLabel   *device_value;
  GtkLabel   *stream_value;
  GtkLabel   *device_type_value;
  GtkLabel   *firmware_value;
  GtkLabel   *first_upload_value;
  GtkLabel   *last_upload_value;
  GtkLabel   *upload_state_value;
};

G_DEFINE_FINAL_TYPE (WmRecordingInfo, wm_recording_info, GTK_TYPE_POPOVER)

static void
wm_recording_info_class_init (WmRecordingInfoClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-recording-info.ui");
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, name_label);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, upload_box);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, duration_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, sample_rate_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, channels_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, format_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, start_time_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, source_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, device_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, stream_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, device_type_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, firmware_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, first_upload_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, last_upload_value);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingInfo, upload_state_value);
}

static void
wm_recording_info_init (WmRecordingInfo *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Shows text in label, or hides the row when text is NULL or empty. */
static void
set_value (GtkLabel   *label,
           const char *text)
{
  gboolean shown = text != NULL && *text != '\0';

  gtk_label_set_text (label, shown ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), shown);
}

static char *
format_time (gint64 us)
{
  g_autoptr(GDateTime) time = us > 0 ? g_date_time_new_from_unix_local (us / G_USEC_PER_SEC) : NULL;

  /* Translators: a date and time in the recording details, see g_date_time_format() */
  return time != NULL ? g_date_time_format (time, _("%Y-%m-%d %H:%M:%S")) : NULL;
}

static char *
format_channels (const WmRecording *recording)
{
  g_autofree char *names = NULL;

  if (recording->channel_names != NULL && recording->channel_names[0] != NULL
      && *recording->channel_names[0] != '\0')
    names = g_strjoinv (", ", recording->channel_names);
  if (names == NULL)
    return g_strdup_printf ("%u", recording->n_channels);
  /* Translators: channel count and names, "3 (acc_x, acc_y, acc_z)" */
  return g_strdup_printf (_("%u (%s)"), recording->n_channels, names);
}

static void
show_upload (WmRecordingInfo      *self,
             const WmUploadStream *upload)
{
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *finalized = NULL;
  g_autofree char *state = NULL;

  gtk_widget_set_visible (self->upload_box, upload != NULL);
  if (upload == NULL)
    return;

  first = format_time (upload->created_at);
  last = format_time (upload->updated_at);
  if (upload->finalized_at > 0)
    {
      finalized = format_time (upload->finalized_at);
      /* Translators: the upload is complete and its hash checked, "Finalized 2024-05-01 12:00:00" */
      state = g_strdup_printf (_("Finalized %s"), finalized);
    }
  else
    state = g_strdup (_("Still uploading, not finalized"));

  set_value (self->device_value, upload->device);
  set_value (self->stream_value, upload->stream_id);
  set_value (self->device_type_value, upload->device_type);
  set_value (self->firmware_value, upload->firmware);
  set_value (self->first_upload_value, first);
  set_value (self->last_upload_value, last);
  set_value (self->upload_state_value, state);
}

GtkWidget *
wm_recording_info_new (void)
{
  return g_object_new (WM_TYPE_RECORDING_INFO, NULL);
}

void
wm_recording_info_set_recording (WmRecordingInfo      *self,
                                 const WmRecording    *recording,
                                 const WmUploadStream *upload)
{
  g_autofree char *duration = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *channels = NULL;
  g_autofree char *start = NULL;
  const char *format = NULL;

  g_return_if_fail (WM_IS_RECORDING_INFO (self));

  if (recording != NULL)
    {
      duration = wm_format_duration (wm_recording_get_duration (recording));
      /* Translators: a sample rate, "16000 Hz" */
      rate = g_strdup_printf (_("%g Hz"), recording->sample_rate);
      channels = format_channels (recording);
      start = recording->has_start_time ? format_time (recording->start_time_us) : NULL;
      format = recording->sample_format == WM_SAMPLE_FORMAT_INT16
               ? _("16-bit integer") : _("32-bit float");
    }

  gtk_label_set_text (self->name_label, recording != NULL ? recording->name : "");
  set_value (self->duration_value, duration);
  set_value (self->sample_rate_value, rate);
  set_value (self->channels_value, channels);
  set_value (self->format_value, format);
  set_value (self->start_time_value, start);
  set_value (self->source_value, recording != NULL ? recording->source_path : NULL);
  show_upload (self, recording != NULL ? upload : NULL);
}

const char *
wm_recording_info_get_value (WmRecordingInfo *self,
                             const char      *property)
{
  const struct { const char *name; GtkLabel *label; gboolean upload; } rows[] = {
    { "duration", self->duration_value, FALSE },
    { "sample-rate", self->sample_rate_value, FALSE },
    { "channels", self->channels_value, FALSE },
    { "format", self->format_value, FALSE },
    { "start-time", self->start_time_value, FALSE },
    { "source", self->source_value, FALSE },
    { "device", self->device_value, TRUE },
    { "stream", self->stream_value, TRUE },
    { "device-type", self->device_type_value, TRUE },
    { "firmware", self->firmware_value, TRUE },
    { "first-upload", self->first_upload_value, TRUE },
    { "last-upload", self->last_upload_value, TRUE },
    { "upload-state", self->upload_state_value, TRUE },
  };

  g_return_val_if_fail (WM_IS_RECORDING_INFO (self), NULL);
  g_return_val_if_fail (property != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_str_equal (rows[i].name, property))
      {
        if (!gtk_widget_get_visible (GTK_WIDGET (rows[i].label))
            || (rows[i].upload && !gtk_widget_get_visible (self->upload_box)))
          return NULL;
        return gtk_label_get_text (rows[i].label);
      }
  g_return_val_if_reached (NULL);
}
