/* wm-review-panel.h — the review queue beside the recording view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lists the project's pending review items, most uncertain first, with
 * counters of what is left, accepted, relabelled and rejected.  The list is
 * a GListModel that reads the store a page at a time, so a queue of 100,000
 * items costs what is on screen.  The panel keeps the current item (the
 * selected row); the window shows it in the recording view, whose keys make
 * the decisions and report them back here (item_decided moves on to the
 * next item, item_undone brings the item back and selects it).
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-store.h"

G_BEGIN_DECLS

#define WM_TYPE_REVIEW_PANEL (wm_review_panel_get_type ())
G_DECLARE_FINAL_TYPE (WmReviewPanel, wm_review_panel, WM, REVIEW_PANEL, GtkWidget)

/* Properties: current-item-id (gint64, read-only, 0 = none). */

GtkWidget          *wm_review_panel_new              (void);
void                wm_review_panel_set_store        (WmReviewPanel *self,
                                                      WmStore       *store);
/* Re-reads the queue and the counters; keeps the current item when it is
 * still pending. */
void                wm_review_panel_reload           (WmReviewPanel *self);
/* The pending items, of WmReviewRow (wm_review_row_get_item); a reload
 * replaces the model (ask again after one). */
GListModel         *wm_review_panel_get_model        (WmReviewPanel *self);
const WmReviewItem *wm_review_panel_get_current      (WmReviewPanel *self);
gint64              wm_review_panel_get_current_id   (WmReviewPanel *self);
/* Position of the current item in the queue, or GTK_INVALID_LIST_POSITION. */
guint               wm_review_panel_get_position     (WmReviewPanel *self);
void                wm_review_panel_select           (WmReviewPanel *self,
                                                      guint          position);
void                wm_review_panel_move             (WmReviewPanel *self,
                                                      int            direction);
/* After the item was decided: it leaves the queue, the one after it
 * becomes current. */
void                wm_review_panel_item_decided     (WmReviewPanel *self,
                                                      gint64         item_id,
                                                      WmReviewState  decision);
/* After a decision was undone: the item is back in its place, current. */
void                wm_review_panel_item_undone      (WmReviewPanel *self,
                                                      gint64         item_id);
void                wm_review_panel_get_counts       (WmReviewPanel *self,
                                                      gint64        *left,
                                                      gint64        *accepted,
                                                      gint64        *relabelled,
                                                      gint64        *rejected);

#define WM_TYPE_REVIEW_ROW (wm_review_row_get_type ())
G_DECLARE_FINAL_TYPE (WmReviewRow, wm_review_row, WM, REVIEW_ROW, GObject)

const WmReviewItem *wm_review_row_get_item           (WmReviewRow   *self);

G_END_DECLS
