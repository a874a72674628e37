/* wm-recording-view.c — one recording: rulers, signal, spectrogram, labels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The template (wm-recording-view.ui) stacks the parts in a vertical box
 * layout: overview strip, time ruler, waveforms, spectrograms, label track;
 * they share one WmTimeline (visible range, marks, channel layout) that the
 * template creates and hands to each.  Zoom and pan input lands here,
 * whichever part is under the pointer.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "wm-recording-view-private.h"
#include "wm-spectrogram.h"
#include "wm-time-ruler.h"
#include "wm-views-resources.h"

struct _WmRecordingView
{
  GtkWidget          parent_instance;

  WmStore           *store;
  gint64             recording_id;
  gint64             current_class_id;
  WmViewMode         view_mode;
  WmViewTimeFormat   time_format;
  guint              fft_size;
  guint              hop;
  double             db_floor;
  double             db_ceiling;
  WmViewColormap     colormap;
  WmViewFrequencyScale frequency_scale;

  WmTimeline        *timeline;
  WmSignalReader    *reader;

  GtkWidget         *overview;
  GtkWidget         *ruler;
  GtkWidget         *signal_view;
  GtkWidget         *spectrogram_view;
  GtkWidget         *label_track;
  GtkWidget         *confidence_track;
  GtkWidget         *placeholder;

  gboolean           review_mode;
  WmReviewItem      *review_item;   /* the item shown in review mode, or NULL */

  double             pointer_x;     /* -1 when the pointer is outside */
  double             pinch_start;   /* visible range when a pinch began */
  double             pinch_end;
  double             pinch_anchor;
  gint64             last_visible_start;
  gint64             last_visible_end;
  gint64             last_selection_start;
  gint64             last_selection_end;
  gint64             last_cursor;
  gint64             last_playhead;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (WmRecordingView, wm_recording_view, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (WmViewMode, wm_view_mode,
  G_DEFINE_ENUM_VALUE (WM_VIEW_MODE_WAVEFORM, "waveform"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_MODE_SPECTROGRAM, "spectrogram"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_MODE_SPLIT, "split"))

G_DEFINE_ENUM_TYPE (WmViewTimeFormat, wm_view_time_format,
  G_DEFINE_ENUM_VALUE (WM_VIEW_TIME_FORMAT_SECONDS, "seconds"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_TIME_FORMAT_WALL_CLOCK, "wall-clock"))

G_DEFINE_ENUM_TYPE (WmViewColormap, wm_view_colormap,
  G_DEFINE_ENUM_VALUE (WM_VIEW_COLORMAP_VIRIDIS, "viridis"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_COLORMAP_MAGMA, "magma"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_COLORMAP_GREY, "grey"))

G_DEFINE_ENUM_TYPE (WmViewFrequencyScale, wm_view_frequency_scale,
  G_DEFINE_ENUM_VALUE (WM_VIEW_FREQUENCY_SCALE_LINEAR, "linear"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_FREQUENCY_SCALE_LOG, "log"),
  G_DEFINE_ENUM_VALUE (WM_VIEW_FREQUENCY_SCALE_MEL, "mel"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_RECORDING_ID,
  PROP_CURRENT_CLASS_ID,
  PROP_VIEW_MODE,
  PROP_PLAYHEAD_FRAME,
  PROP_CURSOR_FRAME,
  PROP_SELECTION_START,
  PROP_SELECTION_END,
  PROP_VISIBLE_START,
  PROP_VISIBLE_END,
  PROP_SELECTED_LABEL_ID,
  PROP_FFT_SIZE,
  PROP_HOP,
  PROP_DB_FLOOR,
  PROP_DB_CEILING,
  PROP_COLORMAP,
  PROP_FREQUENCY_SCALE,
  PROP_TIME_FORMAT,
  PROP_BUSY,
  PROP_REVIEW_MODE,
  N_PROPS
};

enum {
  LABELS_CHANGED,
  RUN_CHANGED,
  REVIEW_DECIDED,
  REVIEW_UNDONE,
  REVIEW_MOVE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_mode (WmRecordingView *self)
{
  gboolean has_recording = wm_timeline_get_recording (self->timeline) != NULL;

  gtk_widget_set_visible (self->placeholder, !has_recording);
  gtk_widget_set_visible (self->overview, has_recording);
  gtk_widget_set_visible (self->ruler, has_recording);
  gtk_widget_set_visible (self->label_track, has_recording);
  gtk_widget_set_visible (self->confidence_track,
                          has_recording
                          && wm_confidence_track_get_run_id (WM_CONFIDENCE_TRACK (self->confidence_track)) > 0);
  gtk_widget_set_visible (self->signal_view,
                          has_recording && self->view_mode != WM_VIEW_MODE_SPECTROGRAM);
  gtk_widget_set_visible (self->spectrogram_view,
                          has_recording && self->view_mode != WM_VIEW_MODE_WAVEFORM);
}

static void
update_spectrogram (WmRecordingView *self)
{
  static const WmColormap colormaps[] = {
    [WM_VIEW_COLORMAP_VIRIDIS] = WM_COLORMAP_VIRIDIS,
    [WM_VIEW_COLORMAP_MAGMA] = WM_COLORMAP_MAGMA,
    [WM_VIEW_COLORMAP_GREY] = WM_COLORMAP_GREY,
  };
  static const WmFrequencyScale scales[] = {
    [WM_VIEW_FREQUENCY_SCALE_LINEAR] = WM_FREQUENCY_SCALE_LINEAR,
    [WM_VIEW_FREQUENCY_SCALE_LOG] = WM_FREQUENCY_SCALE_LOG,
    [WM_VIEW_FREQUENCY_SCALE_MEL] = WM_FREQUENCY_SCALE_MEL,
  };
  WmSpectrogramView *view = WM_SPECTROGRAM_VIEW (self->spectrogram_view);

  wm_spectrogram_view_set_analysis (view, self->fft_size, self->hop);
  wm_spectrogram_view_set_display (view, self->db_floor, self->db_ceiling,
                                   colormaps[self->colormap], scales[self->frequency_scale]);
}

static void
update_busy (WmRecordingView *self)
{
  gboolean busy = wm_signal_view_get_busy (WM_SIGNAL_VIEW (self->signal_view))
                  || wm_overview_get_busy (WM_OVERVIEW (self->overview))
                  || wm_spectrogram_view_get_busy (WM_SPECTROGRAM_VIEW (self->spectrogram_view));

  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
load_recording (WmRecordingView *self)
{
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store != NULL && self->recording_id > 0)
    {
      recording = wm_store_get_recording (self->store, self->recording_id, &error);
      if (recording == NULL)
        g_warning ("Could not open recording %" G_GINT64_FORMAT " of %s: %s",
                   self->recording_id, wm_store_get_path (self->store), error->message);
    }
  /* An item under review belongs to the recording it was shown on. */
  if (self->review_item != NULL && (recording == NULL || self->review_item->recording_id != recording->id))
    g_clear_pointer (&self->review_item, wm_review_item_free);
  wm_timeline_set_recording (self->timeline, recording);
  update_mode (self);
  wm_recording_view_actions_update (self);
}

static void
on_range_changed (WmRecordingView *self)
{
  gint64 start = (gint64) floor (wm_timeline_get_visible_start (self->timeline));
  gint64 end = (gint64) ceil (wm_timeline_get_visible_end (self->timeline));

  if (start != self->last_visible_start)
    {
      self->last_visible_start = start;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_START]);
    }
  if (end != self->last_visible_end)
    {
      self->last_visible_end = end;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_END]);
    }
}

static void
on_marks_changed (WmRecordingView *self)
{
  gint64 start = wm_timeline_get_selection_start (self->timeline);
  gint64 end = wm_timeline_get_selection_end (self->timeline);

  /* Marks change by input as well as by the setters: compare them all. */
  if (wm_timeline_get_cursor (self->timeline) != self->last_cursor)
    {
      self->last_cursor = wm_timeline_get_cursor (self->timeline);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_FRAME]);
    }
  if (wm_timeline_get_playhead (self->timeline) != self->last_playhead)
    {
      self->last_playhead = wm_timeline_get_playhead (self->timeline);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYHEAD_FRAME]);
    }
  if (start != self->last_selection_start)
    {
      self->last_selection_start = start;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_START]);
    }
  if (end != self->last_selection_end)
    {
      self->last_selection_end = end;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_END]);
    }
  wm_recording_view_actions_update (self);
}

static void
on_labels_changed (WmRecordingView *self,
                   gint64           label_id)
{
  g_signal_emit (self, signals[LABELS_CHANGED], 0, label_id);
}

static void
on_threshold_applied (WmRecordingView *self,
                      gint64           run_id)
{
  wm_label_track_reload (WM_LABEL_TRACK (self->label_track));
  g_signal_emit (self, signals[RUN_CHANGED], 0, run_id);
}

static void
on_selected_label_changed (WmRecordingView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LABEL_ID]);
  wm_recording_view_actions_update (self);
}

double
wm_recording_view_get_zoom_anchor (WmRecordingView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  gint64 cursor = wm_timeline_get_cursor (self->timeline);
  double start = wm_timeline_get_visible_start (self->timeline);
  double end = wm_timeline_get_visible_end (self->timeline);

  if (self->pointer_x >= WM_TIMELINE_GUTTER)
    return wm_timeline_x_to_frame (self->timeline, self->pointer_x, width);
  if (cursor >= start && cursor <= end)
    return cursor;
  return (start + end) / 2;
}

static void
on_pointer_motion (WmRecordingView          *self,
                   double                    x,
                   double                    y,
                   GtkEventControllerMotion *motion)
{
  self->pointer_x = x;
}

static void
on_pointer_leave (WmRecordingView          *self,
                  GtkEventControllerMotion *motion)
{
  self->pointer_x = -1;
}

static gboolean
on_scroll (WmRecordingView          *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  gboolean smooth = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_SURFACE;
  double plot_width = MAX (gtk_widget_get_width (GTK_WIDGET (self)) - WM_TIMELINE_GUTTER, 1);

  if (wm_timeline_get_recording (self->timeline) == NULL)
    return FALSE;

  if (state & GDK_CONTROL_MASK)
    {
      /* One wheel click zooms by 1.25; a touchpad by its travel. */
      double clicks = smooth ? dy / 20 : dy;

      wm_timeline_zoom (self->timeline, pow (1.25, -clicks),
                        wm_recording_view_get_zoom_anchor (self));
      return TRUE;
    }

  if (state & GDK_SHIFT_MASK)
    {
      dx += dy;
      dy = 0;
    }
  /* The vertical wheel pans too: nothing in the view scrolls vertically. */
  if (dx == 0)
    dx = dy;
  wm_timeline_scroll (self->timeline, smooth ? dx / plot_width : dx * 0.1);
  return TRUE;
}

static void
on_pinch_begin (WmRecordingView  *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  double x, y;
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  self->pinch_start = wm_timeline_get_visible_start (self->timeline);
  self->pinch_end = wm_timeline_get_visible_end (self->timeline);
  if (gtk_gesture_get_bounding_box_center (gesture, &x, &y) && x >= WM_TIMELINE_GUTTER)
    self->pinch_anchor = wm_timeline_x_to_frame (self->timeline, x, width);
  else
    self->pinch_anchor = (self->pinch_start + self->pinch_end) / 2;
}

static void
on_pinch_scale_changed (WmRecordingView *self,
                        double           scale,
                        GtkGestureZoom  *gesture)
{
  double anchor = self->pinch_anchor;

  if (scale <= 0)
    return;
  wm_timeline_set_visible_range (self->timeline,
                                 anchor - (anchor - self->pinch_start) / scale,
                                 anchor + (self->pinch_end - anchor) / scale);
}

static void
wm_recording_view_dispose (GObject *object)
{
  WmRecordingView *self = WM_RECORDING_VIEW (object);
  GtkWidget *child;

  /* The parts report busy and edits while they go: stop listening first. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_signal_handlers_disconnect_by_data (child, self);
  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  /* A preview in flight keeps the track alive a moment longer, not the store. */
  if (self->confidence_track != NULL)
    wm_confidence_track_set_store (WM_CONFIDENCE_TRACK (self->confidence_track), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), WM_TYPE_RECORDING_VIEW);

  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  g_clear_pointer (&self->review_item, wm_review_item_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_recording_view_parent_class)->dispose (object);
}

static void
wm_recording_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WmRecordingView *self = WM_RECORDING_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_RECORDING_ID:
      g_value_set_int64 (value, self->recording_id);
      break;
    case PROP_CURRENT_CLASS_ID:
      g_value_set_int64 (value, self->current_class_id);
      break;
    case PROP_VIEW_MODE:
      g_value_set_enum (value, self->view_mode);
      break;
    case PROP_PLAYHEAD_FRAME:
      g_value_set_int64 (value, wm_timeline_get_playhead (self->timeline));
      break;
    case PROP_CURSOR_FRAME:
      g_value_set_int64 (value, wm_timeline_get_cursor (self->timeline));
      break;
    case PROP_SELECTION_START:
      g_value_set_int64 (value, wm_timeline_get_selection_start (self->timeline));
      break;
    case PROP_SELECTION_END:
      g_value_set_int64 (value, wm_timeline_get_selection_end (self->timeline));
      break;
    case PROP_VISIBLE_START:
      g_value_set_int64 (value, self->last_visible_start);
      break;
    case PROP_VISIBLE_END:
      g_value_set_int64 (value, self->last_visible_end);
      break;
    case PROP_SELECTED_LABEL_ID:
      g_value_set_int64 (value, wm_recording_view_get_selected_label_id (self));
      break;
    case PROP_FFT_SIZE:
      g_value_set_uint (value, self->fft_size);
      break;
    case PROP_HOP:
      g_value_set_uint (value, self->hop);
      break;
    case PROP_DB_FLOOR:
      g_value_set_double (value, self->db_floor);
      break;
    case PROP_DB_CEILING:
      g_value_set_double (value, self->db_ceiling);
      break;
    case PROP_COLORMAP:
      g_value_set_enum (value, self->colormap);
      break;
    case PROP_FREQUENCY_SCALE:
      g_value_set_enum (value, self->frequency_scale);
      break;
    case PROP_TIME_FORMAT:
      g_value_set_enum (value, self->time_format);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_REVIEW_MODE:
      g_value_set_boolean (value, self->review_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_spectrogram_property (WmRecordingView *self,
                          guint            prop_id,
                          const GValue    *value)
{
  switch (prop_id)
    {
    case PROP_FFT_SIZE:
      {
        guint fft = g_value_get_uint (value);

        /* The nearest power of two in range. */
        fft = 1u << (guint) CLAMP (lround (log2 (MAX (fft, 1))), 8, 12);
        if (fft == self->fft_size)
          return;
        self->fft_size = fft;
        if (self->hop > fft)
          {
            self->hop = fft;
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOP]);
          }
      }
      break;
    case PROP_HOP:
      {
        guint hop = CLAMP (g_value_get_uint (value), 1, self->fft_size);

        if (hop == self->hop)
          return;
        self->hop = hop;
      }
      break;
    case PROP_DB_FLOOR:
      if (g_value_get_double (value) == self->db_floor)
        return;
      self->db_floor = g_value_get_double (value);
      break;
    case PROP_DB_CEILING:
      if (g_value_get_double (value) == self->db_ceiling)
        return;
      self->db_ceiling = g_value_get_double (value);
      break;
    case PROP_COLORMAP:
      if ((WmViewColormap) g_value_get_enum (value) == self->colormap)
        return;
      self->colormap = g_value_get_enum (value);
      break;
    case PROP_FREQUENCY_SCALE:
      if ((WmViewFrequencyScale) g_value_get_enum (value) == self->frequency_scale)
        return;
      self->frequency_scale = g_value_get_enum (value);
      break;
    default:
      g_assert_not_reached ();
    }
  update_spectrogram (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
wm_recording_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  WmRecordingView *self = WM_RECORDING_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      wm_recording_view_set_store (self, g_value_get_object (value));
      break;
    case PROP_RECORDING_ID:
      wm_recording_view_set_recording_id (self, g_value_get_int64 (value));
      break;
    case PROP_CURRENT_CLASS_ID:
      wm_recording_view_set_current_class_id (self, g_value_get_int64 (value));
      break;
    case PROP_VIEW_MODE:
      wm_recording_view_set_view_mode (self, g_value_get_enum (value));
      break;
    case PROP_PLAYHEAD_FRAME:
      wm_recording_view_set_playhead_frame (self, g_value_get_int64 (value));
      break;
    case PROP_CURSOR_FRAME:
      wm_recording_view_set_cursor_frame (self, g_value_get_int64 (value));
      break;
    case PROP_SELECTION_START:
      wm_recording_view_set_selection (self, g_value_get_int64 (value),
                                       MAX (wm_timeline_get_selection_end (self->timeline),
                                            g_value_get_int64 (value)));
      break;
    case PROP_SELECTION_END:
      wm_recording_view_set_selection (self,
                                       wm_timeline_get_selection_start (self->timeline) >= 0
                                       ? wm_timeline_get_selection_start (self->timeline)
                                       : g_value_get_int64 (value),
                                       g_value_get_int64 (value));
      break;
    case PROP_VISIBLE_START:
      wm_recording_view_set_visible_range (self, g_value_get_int64 (value),
                                           (gint64) ceil (wm_timeline_get_visible_end (self->timeline)));
      break;
    case PROP_VISIBLE_END:
      wm_recording_view_set_visible_range (self,
                                           (gint64) floor (wm_timeline_get_visible_start (self->timeline)),
                                           g_value_get_int64 (value));
      break;
    case PROP_SELECTED_LABEL_ID:
      wm_recording_view_set_selected_label_id (self, g_value_get_int64 (value));
      break;
    case PROP_FFT_SIZE:
    case PROP_HOP:
    case PROP_DB_FLOOR:
    case PROP_DB_CEILING:
    case PROP_COLORMAP:
    case PROP_FREQUENCY_SCALE:
      set_spectrogram_property (self, prop_id, value);
      break;
    case PROP_TIME_FORMAT:
      wm_recording_view_set_time_format (self, g_value_get_enum (value));
      break;
    case PROP_REVIEW_MODE:
      wm_recording_view_set_review_mode (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_recording_view_class_init (WmRecordingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wm_recording_view_dispose;
  object_class->get_property = wm_recording_view_get_property;
  object_class->set_property = wm_recording_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, WM_TYPE_STORE, rw);
  properties[PROP_RECORDING_ID] =
    g_param_spec_int64 ("recording-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CURRENT_CLASS_ID] =
    g_param_spec_int64 ("current-class-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL, WM_TYPE_VIEW_MODE, WM_VIEW_MODE_WAVEFORM, rw);
  properties[PROP_PLAYHEAD_FRAME] =
    g_param_spec_int64 ("playhead-frame", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_CURSOR_FRAME] =
    g_param_spec_int64 ("cursor-frame", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_SELECTION_START] =
    g_param_spec_int64 ("selection-start", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_SELECTION_END] =
    g_param_spec_int64 ("selection-end", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_VISIBLE_START] =
    g_param_spec_int64 ("visible-start", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_VISIBLE_END] =
    g_param_spec_int64 ("visible-end", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_SELECTED_LABEL_ID] =
    g_param_spec_int64 ("selected-label-id", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_FFT_SIZE] =
    g_param_spec_uint ("fft-size", NULL, NULL, 256, 4096, WM_SPECTROGRAM_DEFAULT_FFT_SIZE, rw);
  properties[PROP_HOP] =
    g_param_spec_uint ("hop", NULL, NULL, 1, 4096, WM_SPECTROGRAM_DEFAULT_HOP, rw);
  properties[PROP_DB_FLOOR] =
    g_param_spec_double ("db-floor", NULL, NULL, -200, 0, WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB, rw);
  properties[PROP_DB_CEILING] =
    g_param_spec_double ("db-ceiling", NULL, NULL, -200, 40, WM_SPECTROGRAM_DEFAULT_DISPLAY_CEILING_DB, rw);
  properties[PROP_COLORMAP] =
    g_param_spec_enum ("colormap", NULL, NULL, WM_TYPE_VIEW_COLORMAP, WM_VIEW_COLORMAP_VIRIDIS, rw);
  properties[PROP_FREQUENCY_SCALE] =
    g_param_spec_enum ("frequency-scale", NULL, NULL, WM_TYPE_VIEW_FREQUENCY_SCALE,
                       WM_VIEW_FREQUENCY_SCALE_LINEAR, rw);
  properties[PROP_TIME_FORMAT] =
    g_param_spec_enum ("time-format", NULL, NULL, WM_TYPE_VIEW_TIME_FORMAT,
                       WM_VIEW_TIME_FORMAT_SECONDS, rw);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVIEW_MODE] =
    g_param_spec_boolean ("review-mode", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LABELS_CHANGED] =
    g_signal_new ("labels-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[RUN_CHANGED] =
    g_signal_new ("run-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[REVIEW_DECIDED] =
    g_signal_new ("review-decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[REVIEW_UNDONE] =
    g_signal_new ("review-undone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[REVIEW_MOVE] =
    g_signal_new ("review-move", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  g_type_ensure (WM_TYPE_TIMELINE);
  g_type_ensure (WM_TYPE_OVERVIEW);
  g_type_ensure (WM_TYPE_TIME_RULER);
  g_type_ensure (WM_TYPE_SIGNAL_VIEW);
  g_type_ensure (WM_TYPE_SPECTROGRAM_VIEW);
  g_type_ensure (WM_TYPE_LABEL_TRACK);
  g_type_ensure (WM_TYPE_CONFIDENCE_TRACK);

  /* The views' resources are registered by hand: a static library would
   * drop an object file that only a constructor references. */
  wm_views_register_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/views/wm-recording-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, timeline);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, overview);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, ruler);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, signal_view);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, spectrogram_view);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, label_track);
  gtk_widget_class_bind_template_child (widget_class, WmRecordingView, confidence_track);
  gtk_widget_class_bind_template_callback (widget_class, update_busy);
  gtk_widget_class_bind_template_callback (widget_class, on_labels_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_label_changed);
  gtk_widget_class_bind_template_callback (widget_class, update_mode);
  gtk_widget_class_bind_template_callback (widget_class, on_threshold_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_pointer_motion);
  gtk_widget_class_bind_template_callback (widget_class, on_pointer_leave);
  gtk_widget_class_bind_template_callback (widget_class, on_scroll);
  gtk_widget_class_bind_template_callback (widget_class, on_pinch_begin);
  gtk_widget_class_bind_template_callback (widget_class, on_pinch_scale_changed);

  gtk_widget_class_set_css_name (widget_class, "wmrecordingview");
  wm_recording_view_class_install_actions (widget_class);
}

static void
wm_recording_view_init (WmRecordingView *self)
{
  self->fft_size = WM_SPECTROGRAM_DEFAULT_FFT_SIZE;
  self->hop = WM_SPECTROGRAM_DEFAULT_HOP;
  self->db_floor = WM_SPECTROGRAM_DEFAULT_DISPLAY_FLOOR_DB;
  self->db_ceiling = WM_SPECTROGRAM_DEFAULT_DISPLAY_CEILING_DB;
  self->pointer_x = -1;
  self->last_selection_start = self->last_selection_end = -1;
  self->last_cursor = self->last_playhead = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->timeline, "range-changed", G_CALLBACK (on_range_changed), self);
  g_signal_connect_swapped (self->timeline, "marks-changed", G_CALLBACK (on_marks_changed), self);

  update_spectrogram (self);
  update_mode (self);
  wm_recording_view_actions_update (self);
}

/* ---- Public API ---------------------------------------------------------- */

GtkWidget *
wm_recording_view_new (void)
{
  return g_object_new (WM_TYPE_RECORDING_VIEW, NULL);
}

WmStore *
wm_recording_view_get_store (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), NULL);
  return self->store;
}

void
wm_recording_view_set_store (WmRecordingView *self,
                             WmStore         *store)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  g_return_if_fail (store == NULL || WM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_clear_pointer (&self->reader, wm_signal_reader_unref);
  if (store != NULL)
    self->reader = wm_signal_reader_new (wm_store_get_path (store));
  wm_signal_view_set_reader (WM_SIGNAL_VIEW (self->signal_view), self->reader);
  wm_overview_set_reader (WM_OVERVIEW (self->overview), self->reader);
  wm_spectrogram_view_set_path (WM_SPECTROGRAM_VIEW (self->spectrogram_view),
                                store != NULL ? wm_store_get_path (store) : NULL);
  wm_label_track_set_store (WM_LABEL_TRACK (self->label_track), store);
  wm_confidence_track_set_store (WM_CONFIDENCE_TRACK (self->confidence_track), store);
  load_recording (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gint64
wm_recording_view_get_recording_id (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), 0);
  return self->recording_id;
}

void
wm_recording_view_set_recording_id (WmRecordingView *self,
                                    gint64           recording_id)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  recording_id = MAX (recording_id, 0);
  if (recording_id == self->recording_id)
    return;
  self->recording_id = recording_id;
  load_recording (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_ID]);
}

gint64
wm_recording_view_get_current_class_id (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), 0);
  return self->current_class_id;
}

void
wm_recording_view_set_current_class_id (WmRecordingView *self,
                                        gint64           class_id)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  class_id = MAX (class_id, 0);
  if (class_id == self->current_class_id)
    return;
  self->current_class_id = class_id;
  wm_label_track_set_current_class (WM_LABEL_TRACK (self->label_track), class_id);
  wm_recording_view_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_CLASS_ID]);
}

WmViewMode
wm_recording_view_get_view_mode (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), WM_VIEW_MODE_WAVEFORM);
  return self->view_mode;
}

void
wm_recording_view_set_view_mode (WmRecordingView *self,
                                 WmViewMode       mode)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  g_return_if_fail (mode <= WM_VIEW_MODE_SPLIT);

  if (mode == self->view_mode)
    return;
  self->view_mode = mode;
  update_mode (self);
  wm_recording_view_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_MODE]);
}

gint64
wm_recording_view_get_playhead_frame (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), -1);
  return wm_timeline_get_playhead (self->timeline);
}

void
wm_recording_view_set_playhead_frame (WmRecordingView *self,
                                      gint64           frame)
{
  gint64 previous;
  double start, end;

  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  /* A playhead that runs off the right edge takes the view along, a page
   * at a time, as long as it was in view before. */
  previous = wm_timeline_get_playhead (self->timeline);
  start = wm_timeline_get_visible_start (self->timeline);
  end = wm_timeline_get_visible_end (self->timeline);
  if (previous >= start && previous <= end && frame > end)
    wm_timeline_set_visible_range (self->timeline, frame, frame + (end - start));

  wm_timeline_set_playhead (self->timeline, frame);
}

gint64
wm_recording_view_get_cursor_frame (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), -1);
  return wm_timeline_get_cursor (self->timeline);
}

void
wm_recording_view_set_cursor_frame (WmRecordingView *self,
                                    gint64           frame)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  wm_timeline_set_cursor (self->timeline, frame);
}

gboolean
wm_recording_view_get_selection (WmRecordingView *self,
                                 gint64          *start_frame,
                                 gint64          *end_frame)
{
  gint64 start, end;

  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);

  start = wm_timeline_get_selection_start (self->timeline);
  end = wm_timeline_get_selection_end (self->timeline);
  if (start_frame != NULL)
    *start_frame = start;
  if (end_frame != NULL)
    *end_frame = end;
  return start >= 0;
}

void
wm_recording_view_set_selection (WmRecordingView *self,
                                 gint64           start_frame,
                                 gint64           end_frame)
{
  gint64 n_frames;

  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  n_frames = wm_timeline_get_n_frames (self->timeline);
  if (start_frame >= 0 && end_frame >= 0)
    {
      start_frame = MIN (start_frame, n_frames);
      end_frame = MIN (end_frame, n_frames);
    }
  wm_timeline_set_selection (self->timeline, start_frame, end_frame);
}

void
wm_recording_view_get_visible_range (WmRecordingView *self,
                                     gint64          *start_frame,
                                     gint64          *end_frame)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  if (start_frame != NULL)
    *start_frame = self->last_visible_start;
  if (end_frame != NULL)
    *end_frame = self->last_visible_end;
}

void
wm_recording_view_set_visible_range (WmRecordingView *self,
                                     gint64           start_frame,
                                     gint64           end_frame)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  wm_timeline_set_visible_range (self->timeline, start_frame, end_frame);
}

gint64
wm_recording_view_get_selected_label_id (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), -1);
  return wm_label_track_get_selected (WM_LABEL_TRACK (self->label_track));
}

void
wm_recording_view_set_selected_label_id (WmRecordingView *self,
                                         gint64           label_id)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  wm_label_track_select (WM_LABEL_TRACK (self->label_track), label_id);
}

WmViewTimeFormat
wm_recording_view_get_time_format (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), WM_VIEW_TIME_FORMAT_SECONDS);
  return self->time_format;
}

void
wm_recording_view_set_time_format (WmRecordingView  *self,
                                   WmViewTimeFormat  format)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  g_return_if_fail (format <= WM_VIEW_TIME_FORMAT_WALL_CLOCK);

  if (format == self->time_format)
    return;
  self->time_format = format;
  wm_time_ruler_set_wall_clock (WM_TIME_RULER (self->ruler), format == WM_VIEW_TIME_FORMAT_WALL_CLOCK);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_FORMAT]);
}

void
wm_recording_view_update_recording (WmRecordingView   *self,
                                    const WmRecording *recording)
{
  const WmRecording *shown;

  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  g_return_if_fail (recording != NULL);

  shown = wm_timeline_get_recording (self->timeline);
  if (shown == NULL || shown->id != recording->id)
    return;
  wm_timeline_update_recording (self->timeline, recording);
  wm_recording_view_actions_update (self);
}

void
wm_recording_view_reload_labels (WmRecordingView *self)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  wm_label_track_reload (WM_LABEL_TRACK (self->label_track));
  /* Model labels come with runs: a run made or finished meanwhile shows. */
  wm_confidence_track_refresh (WM_CONFIDENCE_TRACK (self->confidence_track));
  wm_recording_view_actions_update (self);
}

void
wm_recording_view_reload_runs (WmRecordingView *self)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  wm_confidence_track_reload (WM_CONFIDENCE_TRACK (self->confidence_track));
  wm_label_track_reload (WM_LABEL_TRACK (self->label_track));
}

gboolean
wm_recording_view_get_review_mode (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);
  return self->review_mode;
}

void
wm_recording_view_set_review_mode (WmRecordingView *self,
                                   gboolean         review_mode)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  review_mode = !!review_mode;
  if (review_mode == self->review_mode)
    return;
  self->review_mode = review_mode;
  if (!review_mode)
    g_clear_pointer (&self->review_item, wm_review_item_free);
  wm_recording_view_actions_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEW_MODE]);
}

const WmReviewItem *
wm_recording_view_get_review_item (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), NULL);
  return self->review_item;
}

void
wm_recording_view_show_review_item (WmRecordingView    *self,
                                    const WmReviewItem *item)
{
  const WmRecording *recording;
  double span, context;

  g_return_if_fail (WM_IS_RECORDING_VIEW (self));

  g_clear_pointer (&self->review_item, wm_review_item_free);
  recording = wm_timeline_get_recording (self->timeline);
  if (item == NULL || recording == NULL || item->recording_id != recording->id)
    {
      wm_recording_view_actions_update (self);
      return;
    }
  self->review_item = wm_review_item_copy (item);

  /* The item and its surroundings: 1.5 item widths either side, and at
   * least a second, so that what comes before and after can be judged. */
  span = MAX (item->end_frame - item->start_frame, 1);
  context = MAX (1.5 * span, recording->sample_rate);
  wm_timeline_set_visible_range (self->timeline, item->start_frame - context, item->end_frame + context);
  wm_timeline_set_selection (self->timeline, item->start_frame, item->end_frame);
  wm_recording_view_actions_update (self);
}

gboolean
wm_recording_view_decide_review_item (WmRecordingView  *self,
                                      WmReviewState     decision,
                                      gint64            class_id,
                                      GError          **error)
{
  g_autoptr(WmReviewItem) item = NULL;

  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->store == NULL || self->review_item == NULL)
    {
      g_set_error_literal (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, _("No review item is shown"));
      return FALSE;
    }
  /* What `waymark-cli review accept|reject|relabel` does, by the same call. */
  if (!wm_store_decide_review_item (self->store, self->review_item->id, decision, class_id,
                                    g_get_user_name (), error))
    return FALSE;

  item = g_steal_pointer (&self->review_item);
  wm_label_track_reload (WM_LABEL_TRACK (self->label_track));
  wm_recording_view_actions_update (self);
  g_signal_emit (self, signals[REVIEW_DECIDED], 0, item->id, (int) decision);
  return TRUE;
}

gboolean
wm_recording_view_undo_review_decision (WmRecordingView  *self,
                                        GError          **error)
{
  gint64 item_id = 0;

  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->store == NULL)
    {
      g_set_error_literal (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND, _("No project is open"));
      return FALSE;
    }
  if (!wm_store_undo_review_decision (self->store, &item_id, error))
    return FALSE;
  wm_label_track_reload (WM_LABEL_TRACK (self->label_track));
  g_signal_emit (self, signals[REVIEW_UNDONE], 0, item_id);
  return TRUE;
}

void
wm_recording_view_move_review (WmRecordingView *self,
                               int              direction)
{
  g_return_if_fail (WM_IS_RECORDING_VIEW (self));
  g_signal_emit (self, signals[REVIEW_MOVE], 0, direction);
}

gboolean
wm_recording_view_get_busy (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);
  return self->busy;
}

/* ---- Private API --------------------------------------------------------- */

WmTimeline *
wm_recording_view_get_timeline (WmRecordingView *self)
{
  return self->timeline;
}

WmSignalView *
wm_recording_view_get_signal_view (WmRecordingView *self)
{
  return WM_SIGNAL_VIEW (self->signal_view);
}

WmSpectrogramView *
wm_recording_view_get_spectrogram_view (WmRecordingView *self)
{
  return WM_SPECTROGRAM_VIEW (self->spectrogram_view);
}

WmLabelTrack *
wm_recording_view_get_label_track (WmRecordingView *self)
{
  return WM_LABEL_TRACK (self->label_track);
}

WmConfidenceTrack *
wm_recording_view_get_confidence_track (WmRecordingView *self)
{
  return WM_CONFIDENCE_TRACK (self->confidence_track);
}

WmOverview *
wm_recording_view_get_overview (WmRecordingView *self)
{
  return WM_OVERVIEW (self->overview);
}

gboolean
wm_recording_view_is_ready (WmRecordingView *self)
{
  g_return_val_if_fail (WM_IS_RECORDING_VIEW (self), FALSE);

  if (wm_timeline_get_recording (self->timeline) == NULL)
    return TRUE;
  if (wm_overview_get_busy (WM_OVERVIEW (self->overview)))
    return FALSE;
  if (gtk_widget_get_visible (self->signal_view)
      && (wm_signal_view_get_busy (WM_SIGNAL_VIEW (self->signal_view))
          || !wm_signal_view_is_current (WM_SIGNAL_VIEW (self->signal_view))))
    return FALSE;
  if (gtk_widget_get_visible (self->spectrogram_view)
      && !wm_spectrogram_view_is_current (WM_SPECTROGRAM_VIEW (self->spectrogram_view)))
    return FALSE;
  if (gtk_widget_get_visible (self->confidence_track)
      && !wm_confidence_track_is_loaded (WM_CONFIDENCE_TRACK (self->confidence_track)))
    return FALSE;
  return TRUE;
}
