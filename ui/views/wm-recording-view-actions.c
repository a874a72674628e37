/* wm-recording-view-actions.c — the view. and label. actions and their keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include "wm-recording-view-private.h"

static void
zoom_in (GtkWidget  *widget,
         const char *action_name,
         GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);

  wm_timeline_zoom (wm_recording_view_get_timeline (self), 2.0,
                    wm_recording_view_get_zoom_anchor (self));
}

static void
zoom_out (GtkWidget  *widget,
          const char *action_name,
          GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);

  wm_timeline_zoom (wm_recording_view_get_timeline (self), 0.5,
                    wm_recording_view_get_zoom_anchor (self));
}

static void
zoom_fit (GtkWidget  *widget,
          const char *action_name,
          GVariant   *param)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (WM_RECORDING_VIEW (widget));

  wm_timeline_set_visible_range (timeline, 0, wm_timeline_get_n_frames (timeline));
}

static void
zoom_selection (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (WM_RECORDING_VIEW (widget));
  gint64 start = wm_timeline_get_selection_start (timeline);
  gint64 end = wm_timeline_get_selection_end (timeline);

  if (start >= 0 && end > start)
    wm_timeline_set_visible_range (timeline, start, end);
}

static void
scroll (GtkWidget  *widget,
        const char *action_name,
        GVariant   *param)
{
  wm_timeline_scroll (wm_recording_view_get_timeline (WM_RECORDING_VIEW (widget)),
                      g_variant_get_double (param));
}

static void
scroll_to_start (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (WM_RECORDING_VIEW (widget));
  double span = wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline);

  wm_timeline_set_visible_range (timeline, 0, span);
}

static void
scroll_to_end (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  WmTimeline *timeline = wm_recording_view_get_timeline (WM_RECORDING_VIEW (widget));
  double span = wm_timeline_get_visible_end (timeline) - wm_timeline_get_visible_start (timeline);
  double n_frames = wm_timeline_get_n_frames (timeline);

  wm_timeline_set_visible_range (timeline, n_frames - span, n_frames);
}

static void
report_edit_error (const char   *action_name,
                   const GError *error)
{
  /* The label track shows the message; the log keeps the action. */
  g_message ("%s: %s", action_name, error->message);
}

static void
label_delete (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (!wm_label_track_delete_selected (wm_recording_view_get_label_track (self), &error))
    report_edit_error (action_name, error);
}

static void
label_set_class (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);
  WmLabelTrack *track = wm_recording_view_get_label_track (self);
  g_autoptr(GError) error = NULL;
  int value = g_variant_get_int32 (param);
  gint64 class_id = value;

  if (value >= 1 && value <= 9)
    {
      class_id = wm_label_track_class_for_key (track, value);
      if (class_id == 0)
        return;
    }

  /* In review mode the digits relabel the item shown. */
  if (wm_recording_view_get_review_mode (self))
    {
      gtk_widget_activate_action (widget, "review.relabel", "i", (int) class_id);
      return;
    }

  /* Without a selected label the key picks the class for new labels. */
  if (wm_label_track_get_selected (track) < 0)
    {
      wm_recording_view_set_current_class_id (self, class_id);
      return;
    }
  if (!wm_label_track_set_selected_class (track, class_id, &error))
    report_edit_error (action_name, error);
}

static void
label_create_at_selection (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);
  WmTimeline *timeline = wm_recording_view_get_timeline (self);
  g_autoptr(GError) error = NULL;
  gint64 start = wm_timeline_get_selection_start (timeline);
  gint64 end = wm_timeline_get_selection_end (timeline);

  if (start < 0)
    {
      /* A point event at the cursor. */
      start = end = wm_timeline_get_cursor (timeline);
      if (start < 0)
        return;
    }
  if (wm_label_track_create (wm_recording_view_get_label_track (self), start, end,
                             wm_recording_view_get_current_class_id (self), &error) == 0)
    report_edit_error (action_name, error);
}

static void
label_select_next (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  wm_label_track_select_adjacent (wm_recording_view_get_label_track (WM_RECORDING_VIEW (widget)), 1);
}

static void
label_select_previous (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  wm_label_track_select_adjacent (wm_recording_view_get_label_track (WM_RECORDING_VIEW (widget)), -1);
}

static void
review_decide (WmRecordingView *self,
               const char      *action_name,
               WmReviewState    decision,
               gint64           class_id)
{
  g_autoptr(GError) error = NULL;

  if (!wm_recording_view_decide_review_item (self, decision, class_id, &error))
    report_edit_error (action_name, error);
}

static void
review_accept (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  review_decide (WM_RECORDING_VIEW (widget), action_name, WM_REVIEW_ACCEPTED, 0);
}

static void
review_reject (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  review_decide (WM_RECORDING_VIEW (widget), action_name, WM_REVIEW_REJECTED, 0);
}

/* The parameter is a class id (label.set-class has turned a digit into one). */
static void
review_relabel (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  WmRecordingView *self = WM_RECORDING_VIEW (widget);
  const WmReviewItem *item = wm_recording_view_get_review_item (self);
  gint64 class_id = g_variant_get_int32 (param);

  if (item == NULL || class_id <= 0)
    return;
  /* The key of the class the model proposed says yes to it. */
  review_decide (self, action_name, class_id == item->class_id ? WM_REVIEW_ACCEPTED : WM_REVIEW_RELABELLED,
                 class_id);
}

static void
review_next (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  wm_recording_view_move_review (WM_RECORDING_VIEW (widget), 1);
}

static void
review_previous (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  wm_recording_view_move_review (WM_RECORDING_VIEW (widget), -1);
}

static void
review_undo (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  g_autoptr(GError) error = NULL;

  if (!wm_recording_view_undo_review_decision (WM_RECORDING_VIEW (widget), &error))
    report_edit_error (action_name, error);
}

static void
review_play (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  const WmReviewItem *item = wm_recording_view_get_review_item (WM_RECORDING_VIEW (widget));

  if (item != NULL)
    gtk_widget_activate_action (widget, "win.play-frames", "(xx)", item->start_frame, item->end_frame);
}

void
wm_recording_view_class_install_actions (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    const char *action;
    const char *format;
    double value;
  } scroll_keys[] = {
    { GDK_KEY_Left, "view.scroll", "d", -0.1 },
    { GDK_KEY_Right, "view.scroll", "d", 0.1 },
    { GDK_KEY_KP_Left, "view.scroll", "d", -0.1 },
    { GDK_KEY_KP_Right, "view.scroll", "d", 0.1 },
    { GDK_KEY_Page_Up, "view.scroll", "d", -0.9 },
    { GDK_KEY_Page_Down, "view.scroll", "d", 0.9 },
    { GDK_KEY_KP_Page_Up, "view.scroll", "d", -0.9 },
    { GDK_KEY_KP_Page_Down, "view.scroll", "d", 0.9 },
  };

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_in);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_out);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit", NULL, zoom_fit);
  gtk_widget_class_install_action (widget_class, "view.zoom-selection", NULL, zoom_selection);
  gtk_widget_class_install_action (widget_class, "view.scroll", "d", scroll);
  gtk_widget_class_install_action (widget_class, "view.scroll-to-start", NULL, scroll_to_start);
  gtk_widget_class_install_action (widget_class, "view.scroll-to-end", NULL, scroll_to_end);
  gtk_widget_class_install_property_action (widget_class, "view.mode", "view-mode");
  gtk_widget_class_install_action (widget_class, "label.delete", NULL, label_delete);
  gtk_widget_class_install_action (widget_class, "label.set-class", "i", label_set_class);
  gtk_widget_class_install_action (widget_class, "label.create-at-selection", NULL,
                                   label_create_at_selection);
  gtk_widget_class_install_action (widget_class, "label.select-next", NULL, label_select_next);
  gtk_widget_class_install_action (widget_class, "label.select-previous", NULL, label_select_previous);
  gtk_widget_class_install_action (widget_class, "review.accept", NULL, review_accept);
  gtk_widget_class_install_action (widget_class, "review.reject", NULL, review_reject);
  gtk_widget_class_install_action (widget_class, "review.relabel", "i", review_relabel);
  gtk_widget_class_install_action (widget_class, "review.next", NULL, review_next);
  gtk_widget_class_install_action (widget_class, "review.previous", NULL, review_previous);
  gtk_widget_class_install_action (widget_class, "review.undo", NULL, review_undo);
  gtk_widget_class_install_action (widget_class, "review.play", NULL, review_play);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "view.scroll-to-start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "view.scroll-to-end", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (scroll_keys); i++)
    gtk_widget_class_add_binding_action (widget_class, scroll_keys[i].keyval, 0,
                                         scroll_keys[i].action, scroll_keys[i].format,
                                         scroll_keys[i].value);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "label.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "label.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "label.select-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "label.select-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_y, 0, "review.accept", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "review.accept", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "review.accept", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, 0, "review.reject", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "review.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "review.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, 0, "review.undo", NULL);
  for (int digit = 1; digit <= 9; digit++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + digit, 0,
                                           "label.set-class", "i", digit);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0 + digit, 0,
                                           "label.set-class", "i", digit);
    }
}

void
wm_recording_view_actions_update (WmRecordingView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  WmTimeline *timeline = wm_recording_view_get_timeline (self);
  WmLabelTrack *track = wm_recording_view_get_label_track (self);
  gboolean has_recording;
  gboolean has_selection;
  gboolean has_label;
  gboolean review, has_item;

  /* Called from init before every part exists. */
  if (timeline == NULL || track == NULL)
    return;

  has_recording = wm_timeline_get_recording (timeline) != NULL;
  has_selection = wm_timeline_get_selection_start (timeline) >= 0;
  has_label = wm_label_track_get_selected (track) >= 0;

  gtk_widget_action_set_enabled (widget, "view.zoom-in", has_recording);
  gtk_widget_action_set_enabled (widget, "view.zoom-out", has_recording);
  gtk_widget_action_set_enabled (widget, "view.zoom-fit", has_recording);
  gtk_widget_action_set_enabled (widget, "view.zoom-selection", has_recording && has_selection);
  gtk_widget_action_set_enabled (widget, "view.scroll", has_recording);
  gtk_widget_action_set_enabled (widget, "view.scroll-to-start", has_recording);
  gtk_widget_action_set_enabled (widget, "view.scroll-to-end", has_recording);
  gtk_widget_action_set_enabled (widget, "label.delete", has_label);
  gtk_widget_action_set_enabled (widget, "label.set-class", has_recording);
  gtk_widget_action_set_enabled (widget, "label.create-at-selection",
                                 has_recording
                                 && wm_recording_view_get_current_class_id (self) > 0
                                 && (has_selection || wm_timeline_get_cursor (timeline) >= 0));
  gtk_widget_action_set_enabled (widget, "label.select-next", has_recording);
  gtk_widget_action_set_enabled (widget, "label.select-previous", has_recording);

  /* Disabled, their keys fall through to the window (Space plays). */
  review = wm_recording_view_get_review_mode (self);
  has_item = review && wm_recording_view_get_review_item (self) != NULL;
  gtk_widget_action_set_enabled (widget, "review.accept", has_item);
  gtk_widget_action_set_enabled (widget, "review.reject", has_item);
  gtk_widget_action_set_enabled (widget, "review.relabel", has_item);
  gtk_widget_action_set_enabled (widget, "review.next", review);
  gtk_widget_action_set_enabled (widget, "review.previous", review);
  gtk_widget_action_set_enabled (widget, "review.undo", review);
  gtk_widget_action_set_enabled (widget, "review.play", has_item);
}
