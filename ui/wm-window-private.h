/* wm-window-private.h — shared by wm-window.c and wm-window-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-recording-info.h"
#include "wm-recording-view.h"
#include "wm-review-panel.h"
#include "wm-window.h"

G_BEGIN_DECLS

struct _WmWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwPreferencesGroup  *recent_group;
  GtkListBox           *recent_list;
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *project_title;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  GtkListView          *recordings_view;
  WmClassesPanel       *classes_panel;
  AdwWindowTitle       *content_title;
  GtkButton            *play_button;
  GtkRevealer          *import_revealer;
  GtkLabel             *import_label;
  GtkProgressBar       *import_progress;
  GtkStack             *content_stack;
  WmRecordingView      *recording_view;
  AdwFlap              *review_flap;
  WmReviewPanel        *review_panel;
  WmRecordingInfo      *recording_info;

  GSettings            *settings;
  WmStore              *store;
  gulong                labels_changed_id;
  gulong                classes_changed_id;
  gulong                recordings_changed_id;
  guint                 poll_id;        /* looks for other processes' commits */
  GListStore           *recordings;
  GtkStringFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkSingleSelection   *selection;
  WmPlayer             *player;

  /* Background import: the files waiting, the one running */
  GQueue                import_queue;
  guint                 import_n_total;
  guint                 import_n_started;
  GCancellable         *import_cancellable;
  double                import_fraction;
  char                 *importing_path;

  char                 *last_message;

  /* Model-assisted labelling: one of each window at a time (weak pointers) */
  gboolean              has_models;
  GtkWidget            *models_window;
  GtkWidget            *autolabel_dialog;
  GtkWidget            *report_view;
};

void _wm_window_class_actions_init (WmWindowClass *klass);
void _wm_window_actions_init       (WmWindow      *self);
void _wm_window_actions_update     (WmWindow      *self);
/* The file chooser flows, in wm-window-actions.c. */
void _wm_window_choose_import      (WmWindow      *self);
/* Review mode: the queue at the right, the view's keys work it. */
void _wm_window_set_review_mode    (WmWindow      *self,
                                    gboolean       review_mode);
/* The Models, Auto-label and Report windows, in wm-window-actions.c. */
void _wm_window_close_model_windows (WmWindow     *self);
void _wm_window_update_has_models  (WmWindow      *self);

G_END_DECLS
