/* wm-player.c — playback of audio recordings through GStreamer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "wm-player.h"

/* Frames handed to appsrc per buffer: about 40 ms at 48 kHz. */
#define FRAMES_PER_BUFFER 2048
#define POSITION_INTERVAL_MS 33

struct _WmPlayer
{
  GObject        parent_instance;

  char          *sink_name;
  WmPlayerState  state;
  gint64         position_frame;

  GstElement    *pipeline;
  guint          bus_watch_id;
  guint          position_id;

  /* Of the current playback; set before the pipeline starts and read by
   * the streaming thread only until the pipeline is back in NULL. */
  WmRecording   *recording;
  WmStore       *reader;
  gint64         start_frame;
  gint64         end_frame;
  gint64         next_frame;
  guint          out_channels;
};

G_DEFINE_FINAL_TYPE (WmPlayer, wm_player, G_TYPE_OBJECT)
G_DEFINE_QUARK (wm-player-error-quark, wm_player_error)
G_DEFINE_ENUM_TYPE (WmPlayerState, wm_player_state,
  G_DEFINE_ENUM_VALUE (WM_PLAYER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (WM_PLAYER_STATE_PLAYING, "playing"),
  G_DEFINE_ENUM_VALUE (WM_PLAYER_STATE_PAUSED, "paused"))

enum {
  PROP_0,
  PROP_SINK_NAME,
  PROP_STATE,
  PROP_POSITION_FRAME,
  PROP_RECORDING_ID,
  N_PROPS
};

enum {
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (WmPlayer      *self,
           WmPlayerState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_position_frame (WmPlayer *self,
                    gint64    frame)
{
  if (self->position_frame == frame)
    return;

  self->position_frame = frame;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_FRAME]);
}

/* Streaming thread: interleaved frames in the stored format, converted to
 * float with out_channels channels. */
static GstFlowReturn
push_next_buffer (WmPlayer  *self,
                  GstAppSrc *appsrc)
{
  const WmRecording *recording = self->recording;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *raw = NULL;
  GstBuffer *buffer;
  GstMapInfo map;
  gsize bytes_per_sample;
  gint64 n_frames;
  float *out;

  n_frames = MIN (FRAMES_PER_BUFFER, self->end_frame - self->next_frame);
  if (n_frames <= 0)
    return gst_app_src_end_of_stream (appsrc);

  bytes_per_sample = recording->sample_format == WM_SAMPLE_FORMAT_INT16 ? 2 : 4;
  raw = g_malloc (n_frames * recording->n_channels * bytes_per_sample);
  if (!wm_store_read_frames_raw (self->reader, recording->id, self->next_frame,
                                 n_frames, raw, &error))
    {
      GST_ELEMENT_ERROR (appsrc, RESOURCE, READ, ("%s", error->message), (NULL));
      return GST_FLOW_ERROR;
    }

  buffer = gst_buffer_new_allocate (NULL, n_frames * self->out_channels * sizeof (float), NULL);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  out = (float *) map.data;
  for (gint64 i = 0; i < n_frames; i++)
    {
      float sum = 0.0f;

      for (guint c = 0; c < recording->n_channels; c++)
        {
          gsize k = i * recording->n_channels + c;
          float v;

          if (recording->sample_format == WM_SAMPLE_FORMAT_INT16)
            v = ((const gint16 *) raw)[k] / 32768.0f;
          else
            v = ((const float *) raw)[k];

          if (self->out_channels == recording->n_channels)
            out[i * self->out_channels + c] = v;
          else
            sum += v;
        }

      if (self->out_channels != recording->n_channels)
        out[i] = sum / recording->n_channels;
    }
  gst_buffer_unmap (buffer, &map);

  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (self->next_frame - self->start_frame,
                                                   GST_SECOND, (guint64) recording->sample_rate);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (n_frames, GST_SECOND,
                                                        (guint64) recording->sample_rate);
  self->next_frame += n_frames;

  return gst_app_src_push_buffer (appsrc, buffer);
}

static void
appsrc_need_data (GstAppSrc *appsrc,
                  guint      length,
                  gpointer   user_data)
{
  push_next_buffer (WM_PLAYER (user_data), appsrc);
}

static void
teardown (WmPlayer *self)
{
  g_clear_handle_id (&self->position_id, g_source_remove);
  g_clear_handle_id (&self->bus_watch_id, g_source_remove);

  /* Setting NULL joins the streaming thread, so the reader is free after. */
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_pointer (&self->pipeline, gst_object_unref);
  g_clear_object (&self->reader);
  g_clear_pointer (&self->recording, wm_recording_free);
}

static gboolean
update_position (gpointer user_data)
{
  WmPlayer *self = WM_PLAYER (user_data);
  gint64 position_ns;

  if (gst_element_query_position (self->pipeline, GST_FORMAT_TIME, &position_ns)
      && position_ns >= 0)
    {
      gint64 frame = self->start_frame
        + gst_util_uint64_scale (position_ns, (guint64) self->recording->sample_rate, GST_SECOND);

      set_position_frame (self, CLAMP (frame, self->start_frame, self->end_frame));
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  WmPlayer *self = WM_PLAYER (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      wm_player_stop (self);
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("playback failed: %s (%s)", gst_error->message, debug ? debug : "");
        error = g_error_new (WM_PLAYER_ERROR, WM_PLAYER_ERROR_FAILED,
                             _("Playback failed: %s"), gst_error->message);
        g_object_ref (self);
        wm_player_stop (self);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
        g_object_unref (self);
      }
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static const char *
effective_sink_name (WmPlayer *self)
{
  const char *env = g_getenv ("WAYMARK_AUDIO_SINK");

  if (env != NULL && *env != '\0')
    return env;
  if (self->sink_name != NULL && *self->sink_name != '\0')
    return self->sink_name;
  return "autoaudiosink";
}

static gboolean
build_pipeline (WmPlayer  *self,
                GError   **error)
{
  const char *sink_name = effective_sink_name (self);
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstAppSrcCallbacks callbacks = { appsrc_need_data, NULL, NULL, { NULL } };
  GstElement *src;
  GstElement *convert;
  GstElement *resample;
  GstElement *sink;

  sink = gst_element_factory_make (sink_name, "sink");
  if (sink == NULL)
    {
      g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_NO_SINK,
                   _("The audio output “%s” is not available"), sink_name);
      return FALSE;
    }
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "sync") != NULL)
    g_object_set (sink, "sync", TRUE, NULL);

  src = gst_element_factory_make ("appsrc", "source");
  convert = gst_element_factory_make ("audioconvert", "convert");
  resample = gst_element_factory_make ("audioresample", "resample");
  if (src == NULL || convert == NULL || resample == NULL)
    {
      g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_FAILED,
                   _("GStreamer’s appsrc, audioconvert or audioresample element is missing"));
      gst_object_unref (gst_object_ref_sink (sink));
      if (src != NULL)
        gst_object_unref (gst_object_ref_sink (src));
      if (convert != NULL)
        gst_object_unref (gst_object_ref_sink (convert));
      if (resample != NULL)
        gst_object_unref (gst_object_ref_sink (resample));
      return FALSE;
    }

  caps = gst_caps_new_simple ("audio/x-raw",
                              "format", G_TYPE_STRING, "F32LE",
                              "layout", G_TYPE_STRING, "interleaved",
                              "rate", G_TYPE_INT, (int) self->recording->sample_rate,
                              "channels", G_TYPE_INT, (int) self->out_channels,
                              NULL);
  g_object_set (src,
                "caps", caps,
                "format", GST_FORMAT_TIME,
                "stream-type", GST_APP_STREAM_TYPE_STREAM,
                NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (src), &callbacks, self, NULL);

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("waymark-playback"));
  gst_bin_add_many (GST_BIN (self->pipeline), src, convert, resample, sink, NULL);
  if (!gst_element_link_many (src, convert, resample, sink, NULL))
    {
      g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_FAILED,
                   _("The audio output “%s” does not accept audio"), sink_name);
      return FALSE;
    }

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch_id = gst_bus_add_watch (bus, on_bus_message, self);

  return TRUE;
}

static void
wm_player_dispose (GObject *object)
{
  WmPlayer *self = WM_PLAYER (object);

  teardown (self);

  G_OBJECT_CLASS (wm_player_parent_class)->dispose (object);
}

static void
wm_player_finalize (GObject *object)
{
  WmPlayer *self = WM_PLAYER (object);

  g_clear_pointer (&self->sink_name, g_free);

  G_OBJECT_CLASS (wm_player_parent_class)->finalize (object);
}

static void
wm_player_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WmPlayer *self = WM_PLAYER (object);

  switch (prop_id)
    {
    case PROP_SINK_NAME:
      g_value_set_string (value, self->sink_name);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_POSITION_FRAME:
      g_value_set_int64 (value, self->position_frame);
      break;

    case PROP_RECORDING_ID:
      g_value_set_int64 (value, wm_player_get_recording_id (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_player_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  WmPlayer *self = WM_PLAYER (object);

  switch (prop_id)
    {
    case PROP_SINK_NAME:
      wm_player_set_sink_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_player_class_init (WmPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wm_player_dispose;
  object_class->finalize = wm_player_finalize;
  object_class->get_property = wm_player_get_property;
  object_class->set_property = wm_player_set_property;

  properties[PROP_SINK_NAME] =
    g_param_spec_string ("sink-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, WM_TYPE_PLAYER_STATE, WM_PLAYER_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION_FRAME] =
    g_param_spec_int64 ("position-frame", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDING_ID] =
    g_param_spec_int64 ("recording-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
wm_player_init (WmPlayer *self)
{
  self->position_frame = -1;
}

WmPlayer *
wm_player_new (void)
{
  return g_object_new (WM_TYPE_PLAYER, NULL);
}

const char *
wm_player_get_sink_name (WmPlayer *self)
{
  g_return_val_if_fail (WM_IS_PLAYER (self), NULL);

  return self->sink_name;
}

void
wm_player_set_sink_name (WmPlayer   *self,
                         const char *sink_name)
{
  g_return_if_fail (WM_IS_PLAYER (self));

  if (g_strcmp0 (self->sink_name, sink_name) == 0)
    return;

  g_free (self->sink_name);
  self->sink_name = g_strdup (sink_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINK_NAME]);
}

WmPlayerState
wm_player_get_state (WmPlayer *self)
{
  g_return_val_if_fail (WM_IS_PLAYER (self), WM_PLAYER_STATE_STOPPED);

  return self->state;
}

gint64
wm_player_get_position_frame (WmPlayer *self)
{
  g_return_val_if_fail (WM_IS_PLAYER (self), -1);

  return self->position_frame;
}

gint64
wm_player_get_recording_id (WmPlayer *self)
{
  g_return_val_if_fail (WM_IS_PLAYER (self), 0);

  return self->recording != NULL ? self->recording->id : 0;
}

gboolean
wm_player_play (WmPlayer  *self,
                WmStore   *store,
                gint64     recording_id,
                gint64     start_frame,
                gint64     end_frame,
                GError   **error)
{
  g_autoptr(WmRecording) recording = NULL;

  g_return_val_if_fail (WM_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  wm_player_stop (self);

  recording = wm_store_get_recording (store, recording_id, error);
  if (recording == NULL)
    return FALSE;

  if (recording->kind != WM_RECORDING_KIND_AUDIO
      || recording->sample_rate < 1000.0 || recording->sample_rate > 384000.0)
    {
      g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_NOT_AUDIO,
                   _("“%s” is not an audio recording and cannot be played"), recording->name);
      return FALSE;
    }

  start_frame = CLAMP (start_frame, 0, recording->n_frames);
  end_frame = CLAMP (end_frame, 0, recording->n_frames);
  if (end_frame <= start_frame)
    {
      g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_EMPTY_RANGE,
                   _("There is nothing to play in “%s” between %.3f s and %.3f s"),
                   recording->name, start_frame / recording->sample_rate,
                   end_frame / recording->sample_rate);
      return FALSE;
    }

  self->reader = wm_store_open (wm_store_get_path (store), WM_STORE_OPEN_READ_ONLY, error);
  if (self->reader == NULL)
    return FALSE;

  self->recording = g_steal_pointer (&recording);
  self->start_frame = start_frame;
  self->end_frame = end_frame;
  self->next_frame = start_frame;
  self->out_channels = self->recording->n_channels <= 2 ? self->recording->n_channels : 1;

  if (!build_pipeline (self, error)
      || gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_FAILED,
                     _("The audio output “%s” could not be started"),
                     effective_sink_name (self));
      teardown (self);
      return FALSE;
    }

  self->position_id = g_timeout_add (POSITION_INTERVAL_MS, update_position, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_ID]);
  set_position_frame (self, start_frame);
  set_state (self, WM_PLAYER_STATE_PLAYING);

  return TRUE;
}

void
wm_player_pause (WmPlayer *self)
{
  g_return_if_fail (WM_IS_PLAYER (self));

  if (self->state != WM_PLAYER_STATE_PLAYING)
    return;

  gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
  set_state (self, WM_PLAYER_STATE_PAUSED);
}

void
wm_player_resume (WmPlayer *self)
{
  g_return_if_fail (WM_IS_PLAYER (self));

  if (self->state != WM_PLAYER_STATE_PAUSED)
    return;

  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  set_state (self, WM_PLAYER_STATE_PLAYING);
}

void
wm_player_stop (WmPlayer *self)
{
  gboolean had_recording;

  g_return_if_fail (WM_IS_PLAYER (self));

  had_recording = self->recording != NULL;
  teardown (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (had_recording)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_ID]);
  set_position_frame (self, -1);
  set_state (self, WM_PLAYER_STATE_STOPPED);
  g_object_thaw_notify (G_OBJECT (self));
}
