/* wm-recording-view.h — one recording: rulers, signal, spectrogram, labels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WmRecordingView shows one recording of a project: an overview strip of
 * the whole recording with the visible range, a time ruler, the channels as
 * waveforms and/or spectrograms, and the label track under them.
 *
 * Data: the view reads summaries and samples in a worker thread that opens
 * its own read-only WmStore on wm_store_get_path (store); classes and labels
 * are read from, and every label edit is written through, the `store`
 * itself (wm_store_add_label / update_label / remove_label), so all edits
 * land in the store's undo history.  After an undo/redo made elsewhere, call
 * wm_recording_view_reload_labels().  The view emits ::labels-changed after
 * each edit it made itself.
 *
 * Frames: every position is a frame index of the recording (int64); -1
 * means "none" for playhead-frame, cursor-frame, selection-start/-end and
 * selected-label-id.
 *
 * Actions (gtk_widget_class_install_action; parameters in brackets):
 *   view.zoom-in, view.zoom-out  zoom ×2 around the pointer, else the
 *                                cursor, else the centre
 *   view.zoom-fit                show the whole recording
 *   view.zoom-selection          show the selection (disabled without one)
 *   view.scroll (d)              pan by that fraction of the visible span
 *                                (negative = earlier; arrows ±0.1, pages ±0.9)
 *   view.scroll-to-start, view.scroll-to-end
 *   view.mode (s)                stateful, the view-mode property:
 *                                "waveform" | "spectrogram" | "split"
 *   label.delete                 remove the selected label
 *   label.set-class (i)          1–9: give the selected label the class whose
 *                                shortcut is that digit; any other value is
 *                                taken as a class id
 *   label.create-at-selection    a label of current-class-id over the
 *                                selection (a point event if start == end,
 *                                or at the cursor without a selection)
 *   label.select-next, label.select-previous   (Alt+Right, Alt+Left)
 *
 * Review mode (review-mode property; the actions are enabled only in it):
 *   review.accept                Y, Enter: accept the item shown
 *   review.reject                N: reject it
 *   review.relabel (i)           1–9: relabel it to the class with that key
 *                                (the key of its own class accepts it)
 *   review.next, review.previous J, K: emit ::review-move (+1, -1)
 *   review.undo                  U: undo the latest review decision
 *   review.play                  play the item, through the window action
 *                                win.play-frames ((xx) start, end); Space is
 *                                the window's, which plays the item in review mode
 * Decisions go through wm_store_decide_review_item, like `waymark-cli review`.
 * Whoever keeps the queue (the window's review panel) listens to
 * ::review-decided, ::review-undone and ::review-move and shows the next
 * item with wm_recording_view_show_review_item().
 *
 * Keys (when the view has focus; it takes focus when clicked): + = -
 * zoom, Left/Right scroll 10 %, Page Up/Down 90 %, Home/End, Delete, 1–9
 * set the selected label's class (with no label selected they set
 * current-class-id instead).
 *
 * Mouse: Ctrl+wheel zooms around the pointer, wheel and Shift+wheel pan,
 * Alt+wheel over a waveform channel changes its vertical zoom, dragging a
 * border between waveform channels changes their heights; touchpad pinch
 * zooms.  On the waveforms or spectrograms a drag selects a range and a
 * click sets the cursor (and clears the selection).  Overview strip: drag
 * the visible range, or press elsewhere to centre it there.  Label track:
 * a drag on empty space creates a label of current-class-id, a drag on an
 * edge resizes, on the body moves; a click selects; Shift+click or
 * Ctrl+click makes a point event.
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"

G_BEGIN_DECLS

typedef enum {
  WM_VIEW_MODE_WAVEFORM,
  WM_VIEW_MODE_SPECTROGRAM,
  WM_VIEW_MODE_SPLIT,
} WmViewMode;

typedef enum {
  WM_VIEW_TIME_FORMAT_SECONDS,    /* from the start of the recording */
  WM_VIEW_TIME_FORMAT_WALL_CLOCK, /* local time; seconds when the recording has no start time */
} WmViewTimeFormat;

typedef enum {
  WM_VIEW_COLORMAP_VIRIDIS,
  WM_VIEW_COLORMAP_MAGMA,
  WM_VIEW_COLORMAP_GREY,
} WmViewColormap;

typedef enum {
  WM_VIEW_FREQUENCY_SCALE_LINEAR,
  WM_VIEW_FREQUENCY_SCALE_LOG,
  WM_VIEW_FREQUENCY_SCALE_MEL,
} WmViewFrequencyScale;

/* Enum nicks: "waveform" "spectrogram" "split"; "seconds" "wall-clock";
 * "viridis" "magma" "grey"; "linear" "log" "mel" (usable with g_settings_bind). */
#define WM_TYPE_VIEW_MODE            (wm_view_mode_get_type ())
#define WM_TYPE_VIEW_TIME_FORMAT     (wm_view_time_format_get_type ())
#define WM_TYPE_VIEW_COLORMAP        (wm_view_colormap_get_type ())
#define WM_TYPE_VIEW_FREQUENCY_SCALE (wm_view_frequency_scale_get_type ())
GType wm_view_mode_get_type            (void) G_GNUC_CONST;
GType wm_view_time_format_get_type     (void) G_GNUC_CONST;
GType wm_view_colormap_get_type        (void) G_GNUC_CONST;
GType wm_view_frequency_scale_get_type (void) G_GNUC_CONST;

#define WM_TYPE_RECORDING_VIEW (wm_recording_view_get_type ())
G_DECLARE_FINAL_TYPE (WmRecordingView, wm_recording_view, WM, RECORDING_VIEW, GtkWidget)

/* Properties (all G_PARAM_EXPLICIT_NOTIFY):
 *   store               WmStore*            the project (the view keeps a reference)
 *   recording-id        gint64              0 = none
 *   current-class-id    gint64              class for new labels, 0 = none
 *   view-mode           WmViewMode          default waveform
 *   playhead-frame      gint64              -1 = none; when it moves past the
 *                                           right edge from inside the view,
 *                                           the view turns a page
 *   cursor-frame        gint64              set by a click on the signal, -1 = none
 *   selection-start     gint64              -1 = none
 *   selection-end       gint64              -1 = none (start <= end when set)
 *   visible-start       gint64              first visible frame
 *   visible-end         gint64              one past the last visible frame
 *   selected-label-id   gint64              -1 = none (read-write)
 *   fft-size            guint               256–4096, power of two, default 1024
 *   hop                 guint               1–fft-size, default 256
 *   db-floor            double              default -90
 *   db-ceiling          double              default 0
 *   colormap            WmViewColormap      default viridis
 *   frequency-scale     WmViewFrequencyScale default linear
 *   time-format         WmViewTimeFormat    default seconds
 *   busy                gboolean            read-only: data is being read
 *   review-mode         gboolean            keys work the review queue
 *
 * Signals:
 *   labels-changed (gint64 label_id)   after an edit made by the view
 *                                      (the label added/changed/removed)
 *   run-changed (gint64 run_id)        after the confidence track applied a
 *                                      new threshold (labels and review items
 *                                      of the run changed)
 *   review-decided (gint64 item_id, int WmReviewState)
 *   review-undone (gint64 item_id)     the item is pending again
 *   review-move (int direction)        J/K in review mode
 */

GtkWidget       *wm_recording_view_new                   (void);

WmStore         *wm_recording_view_get_store             (WmRecordingView      *self);
void             wm_recording_view_set_store             (WmRecordingView      *self,
                                                          WmStore              *store);
gint64           wm_recording_view_get_recording_id      (WmRecordingView      *self);
void             wm_recording_view_set_recording_id      (WmRecordingView      *self,
                                                          gint64                recording_id);
gint64           wm_recording_view_get_current_class_id  (WmRecordingView      *self);
void             wm_recording_view_set_current_class_id  (WmRecordingView      *self,
                                                          gint64                class_id);
WmViewMode       wm_recording_view_get_view_mode         (WmRecordingView      *self);
void             wm_recording_view_set_view_mode         (WmRecordingView      *self,
                                                          WmViewMode            mode);
gint64           wm_recording_view_get_playhead_frame    (WmRecordingView      *self);
void             wm_recording_view_set_playhead_frame    (WmRecordingView      *self,
                                                          gint64                frame);
gint64           wm_recording_view_get_cursor_frame      (WmRecordingView      *self);
void             wm_recording_view_set_cursor_frame      (WmRecordingView      *self,
                                                          gint64                frame);
/* FALSE (and -1s) when there is no selection. */
gboolean         wm_recording_view_get_selection         (WmRecordingView      *self,
                                                          gint64               *start_frame,
                                                          gint64               *end_frame);
/* start = end = -1 clears it. */
void             wm_recording_view_set_selection         (WmRecordingView      *self,
                                                          gint64                start_frame,
                                                          gint64                end_frame);
void             wm_recording_view_get_visible_range     (WmRecordingView      *self,
                                                          gint64               *start_frame,
                                                          gint64               *end_frame);
/* Clamped to the recording and to a minimum span of a few frames. */
void             wm_recording_view_set_visible_range     (WmRecordingView      *self,
                                                          gint64                start_frame,
                                                          gint64                end_frame);
gint64           wm_recording_view_get_selected_label_id (WmRecordingView      *self);
void             wm_recording_view_set_selected_label_id (WmRecordingView      *self,
                                                          gint64                label_id);
WmViewTimeFormat wm_recording_view_get_time_format       (WmRecordingView      *self);
void             wm_recording_view_set_time_format       (WmRecordingView      *self,
                                                          WmViewTimeFormat      format);
/* The recording shown, read again while it grows (another process appends
 * to it): the new frames are drawn, what was drawn stays, and a view that
 * showed the end follows it.  A recording of another id is ignored. */
void             wm_recording_view_update_recording      (WmRecordingView      *self,
                                                          const WmRecording    *recording);
/* Re-read classes and labels from the store (after undo/redo, class edits),
 * and the auto-label run when a newer one covers the recording. */
void             wm_recording_view_reload_labels         (WmRecordingView      *self);
/* TRUE while summaries, samples or spectrogram tiles are being read. */
gboolean         wm_recording_view_get_busy              (WmRecordingView      *self);
/* Re-read the auto-label runs (after a run was made, changed or removed). */
void             wm_recording_view_reload_runs           (WmRecordingView      *self);

gboolean         wm_recording_view_get_review_mode       (WmRecordingView      *self);
void             wm_recording_view_set_review_mode       (WmRecordingView      *self,
                                                          gboolean              review_mode);
/* Zooms to the item with context either side and selects its span; NULL,
 * or an item of another recording, shows none. */
void             wm_recording_view_show_review_item      (WmRecordingView      *self,
                                                          const WmReviewItem   *item);
const WmReviewItem *wm_recording_view_get_review_item    (WmRecordingView      *self);
/* What the review keys do. */
gboolean         wm_recording_view_decide_review_item    (WmRecordingView      *self,
                                                          WmReviewState         decision,
                                                          gint64                class_id,
                                                          GError              **error);
gboolean         wm_recording_view_undo_review_decision  (WmRecordingView      *self,
                                                          GError              **error);
void             wm_recording_view_move_review           (WmRecordingView      *self,
                                                          int                   direction);

G_END_DECLS
