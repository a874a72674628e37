/* wm-review-panel.c — the review queue beside the recording view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WmReviewQueue is the list model: it knows the number of pending items and
 * reads pages of PAGE_SIZE rows on demand, keeping a few.  A decision or an
 * undo changes one position, so the queue says so (items_changed of one
 * row) and drops only the pages from that position on; anything else
 * (a new threshold, a run) replaces the queue with a new one.
 */

#define G_LOG_DOMAIN "waymark-ui"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "wm-review-panel.h"

#define PAGE_SIZE 100
#define MAX_PAGES 8

/* ---- WmReviewRow ---------------------------------------------------------- */

struct _WmReviewRow
{
  GObject       parent_instance;
  WmReviewItem *item;
  char         *recording_name;
  double        sample_rate;
};

G_DEFINE_FINAL_TYPE (WmReviewRow, wm_review_row, G_TYPE_OBJECT)

static void
wm_review_row_finalize (GObject *object)
{
  WmReviewRow *self = WM_REVIEW_ROW (object);

  g_clear_pointer (&self->item, wm_review_item_free);
  g_clear_pointer (&self->recording_name, g_free);
  G_OBJECT_CLASS (wm_review_row_parent_class)->finalize (object);
}

static void
wm_review_row_class_init (WmReviewRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wm_review_row_finalize;
}

static void
wm_review_row_init (WmReviewRow *self)
{
}

const WmReviewItem *
wm_review_row_get_item (WmReviewRow *self)
{
  g_return_val_if_fail (WM_IS_REVIEW_ROW (self), NULL);
  return self->item;
}

/* ---- WmReviewQueue ---------------------------------------------------------- */

#define WM_TYPE_REVIEW_QUEUE (wm_review_queue_get_type ())
G_DECLARE_FINAL_TYPE (WmReviewQueue, wm_review_queue, WM, REVIEW_QUEUE, GObject)

struct _WmReviewQueue
{
  GObject     parent_instance;
  WmStore    *store;
  guint       n_items;
  GHashTable *pages;            /* page index -> GPtrArray of WmReviewRow */
  GHashTable *recordings;  /* gint64 id -> WmRecording */
};

static void wm_review_queue_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WmReviewQueue, wm_review_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, wm_review_queue_list_model_init))

static GType
wm_review_queue_get_item_type (GListModel *model)
{
  return WM_TYPE_REVIEW_ROW;
}

static guint
wm_review_queue_get_n_items (GListModel *model)
{
  return WM_REVIEW_QUEUE (model)->n_items;
}

static GPtrArray *
read_page (WmReviewQueue *self,
           guint          page)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;

  items = wm_store_list_review_items_page (self->store, 0, page * PAGE_SIZE, PAGE_SIZE, &error);
  if (items == NULL)
    {
      g_warning ("Could not read the review queue of %s: %s", wm_store_get_path (self->store), error->message);
      return NULL;
    }
  rows = g_ptr_array_new_full (items->len, g_object_unref);
  for (guint i = 0; i < items->len; i++)
    {
      WmReviewRow *row = g_object_new (WM_TYPE_REVIEW_ROW, NULL);
      const WmRecording *recording;

      row->item = wm_review_item_copy (g_ptr_array_index (items, i));
      recording = g_hash_table_lookup (self->recordings, &row->item->recording_id);
      row->recording_name = g_strdup (recording != NULL ? recording->name : "");
      row->sample_rate = recording != NULL ? recording->sample_rate : 0;
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static gpointer
wm_review_queue_get_item (GListModel *model,
                          guint       position)
{
  WmReviewQueue *self = WM_REVIEW_QUEUE (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *rows;

  if (position >= self->n_items || self->store == NULL)
    return NULL;
  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (rows == NULL)
    {
      rows = read_page (self, page);
      if (rows == NULL)
        return NULL;
      /* A list view asks around what it shows: a few pages suffice; the
       * one farthest from this goes. */
      if (g_hash_table_size (self->pages) >= MAX_PAGES)
        {
          GHashTableIter iter;
          gpointer key;
          guint farthest = page;

          g_hash_table_iter_init (&iter, self->pages);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            if (ABS ((int) GPOINTER_TO_UINT (key) - (int) page) > ABS ((int) farthest - (int) page))
              farthest = GPOINTER_TO_UINT (key);
          g_hash_table_remove (self->pages, GUINT_TO_POINTER (farthest));
        }
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
    }
  if (position % PAGE_SIZE >= rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (rows, position % PAGE_SIZE));
}

static void
wm_review_queue_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = wm_review_queue_get_item_type;
  iface->get_n_items = wm_review_queue_get_n_items;
  iface->get_item = wm_review_queue_get_item;
}

static void
wm_review_queue_finalize (GObject *object)
{
  WmReviewQueue *self = WM_REVIEW_QUEUE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->recordings, g_hash_table_unref);
  G_OBJECT_CLASS (wm_review_queue_parent_class)->finalize (object);
}

static void
wm_review_queue_class_init (WmReviewQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wm_review_queue_finalize;
}

static void
wm_review_queue_init (WmReviewQueue *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->recordings = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) wm_recording_free);
}

/* Fills a new queue; nothing listens to it yet. */
static WmReviewQueue *
queue_new (WmStore *store)
{
  WmReviewQueue *self = g_object_new (WM_TYPE_REVIEW_QUEUE, NULL);

  self->store = store != NULL ? g_object_ref (store) : NULL;
  if (self->store != NULL)
    {
      g_autoptr(GPtrArray) recordings = wm_store_list_recordings (self->store, NULL);

      for (guint i = 0; recordings != NULL && i < recordings->len; i++)
        {
          WmRecording *recording = wm_recording_copy (g_ptr_array_index (recordings, i));

          g_hash_table_insert (self->recordings, &recording->id, recording);
        }
      self->n_items = (guint) wm_store_count_review_items (self->store, 0, WM_REVIEW_PENDING);
    }
  return self;
}

/* Pages from @position on are stale after a row there came or went. */
static void
drop_pages_from (WmReviewQueue *self,
                 guint          position)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (GPOINTER_TO_UINT (key) >= position / PAGE_SIZE)
      g_hash_table_iter_remove (&iter);
}

static void
queue_remove (WmReviewQueue *self,
              guint          position)
{
  g_assert (position < self->n_items);
  drop_pages_from (self, position);
  self->n_items--;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

static void
queue_insert (WmReviewQueue *self,
              guint          position)
{
  g_assert (position <= self->n_items);
  drop_pages_from (self, position);
  self->n_items++;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/* ---- WmReviewPanel ---------------------------------------------------------- */

struct _WmReviewPanel
{
  GtkWidget           parent_instance;

  WmStore            *store;
  WmReviewQueue      *queue;
  GtkSingleSelection *selection;
  gint64              current_id;
  gboolean            updating;     /* selection changes that are not the user's */
  gint64              n_accepted;
  gint64              n_relabelled;
  gint64              n_rejected;

  GtkListView        *list_view;
  GtkStack           *stack;
  GtkLabel           *left_count;
  GtkLabel           *accepted_count;
  GtkLabel           *relabelled_count;
  GtkLabel           *rejected_count;
};

G_DEFINE_FINAL_TYPE (WmReviewPanel, wm_review_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CURRENT_ITEM_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_count (GtkLabel *label,
           gint64    count)
{
  g_autofree char *text = g_strdup_printf ("%" PRId64, count);

  gtk_label_set_text (label, text);
}

static void
update_counters (WmReviewPanel *self)
{
  set_count (self->left_count, self->queue->n_items);
  set_count (self->accepted_count, self->n_accepted);
  set_count (self->relabelled_count, self->n_relabelled);
  set_count (self->rejected_count, self->n_rejected);
  gtk_stack_set_visible_child_name (self->stack, self->queue->n_items > 0 ? "list" : "empty");
}

static void
recount (WmReviewPanel *self)
{
  self->n_accepted = self->store != NULL ? wm_store_count_review_items (self->store, 0, WM_REVIEW_ACCEPTED) : 0;
  self->n_relabelled = self->store != NULL ? wm_store_count_review_items (self->store, 0, WM_REVIEW_RELABELLED) : 0;
  self->n_rejected = self->store != NULL ? wm_store_count_review_items (self->store, 0, WM_REVIEW_REJECTED) : 0;
  update_counters (self);
}

static void
update_current (WmReviewPanel *self)
{
  const WmReviewItem *item = wm_review_panel_get_current (self);
  gint64 id = item != NULL ? item->id : 0;

  if (id == self->current_id)
    return;
  self->current_id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM_ID]);
}

static void
on_selected_changed (WmReviewPanel *self)
{
  if (!self->updating)
    update_current (self);
}

static void
on_row_activated (WmReviewPanel *self,
                  guint          position)
{
  wm_review_panel_select (self, position);
}

static void
select_position (WmReviewPanel *self,
                 guint          position)
{
  guint n = self->queue->n_items;

  if (n == 0)
    position = GTK_INVALID_LIST_POSITION;
  else if (position >= n)
    position = n - 1;
  self->updating = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->updating = FALSE;
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  update_current (self);
}

/* A whole new queue and selection for the list: a list view given a new
 * model starts afresh, where items_changed over every row would have it
 * (and the selection) look at each of them. */
static void
replace_queue (WmReviewPanel *self)
{
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->queue);

  self->queue = queue_new (self->store);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->queue)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selected_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *details = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_ellipsize (GTK_LABEL (details), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (details, "caption");
  gtk_widget_add_css_class (details, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), details);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  WmReviewRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *title = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *details = gtk_widget_get_next_sibling (title);
  g_autofree char *title_text = NULL;
  g_autofree char *details_text = NULL;

  if (row == NULL)
    return;
  title_text = g_strdup_printf (_("%s, p = %.2f"), row->item->class_name, row->item->probability);
  if (row->sample_rate > 0)
    {
      double seconds = row->item->start_frame / row->sample_rate;

      details_text = g_strdup_printf (_("%s at %d:%05.2f · item %" PRId64), row->recording_name,
                                      (int) (seconds / 60), fmod (seconds, 60), row->item->id);
    }
  else
    details_text = g_strdup_printf (_("%s · item %" PRId64), row->recording_name, row->item->id);
  gtk_label_set_text (GTK_LABEL (title), title_text);
  gtk_label_set_text (GTK_LABEL (details), details_text);
}

static void
wm_review_panel_dispose (GObject *object)
{
  WmReviewPanel *self = WM_REVIEW_PANEL (object);
  GtkWidget *child;

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), WM_TYPE_REVIEW_PANEL);
  /* The template's unnamed boxes and separators too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->queue);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wm_review_panel_parent_class)->dispose (object);
}

static void
wm_review_panel_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WmReviewPanel *self = WM_REVIEW_PANEL (object);

  switch (prop_id)
    {
    case PROP_CURRENT_ITEM_ID:
      g_value_set_int64 (value, self->current_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_review_panel_class_init (WmReviewPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wm_review_panel_dispose;
  object_class->get_property = wm_review_panel_get_property;

  properties[PROP_CURRENT_ITEM_ID] =
    g_param_spec_int64 ("current-item-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/wm-review-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, left_count);
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, accepted_count);
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, relabelled_count);
  gtk_widget_class_bind_template_child (widget_class, WmReviewPanel, rejected_count);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_set_css_name (widget_class, "wmreviewpanel");
}

static void
wm_review_panel_init (WmReviewPanel *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  replace_queue (self);
  update_counters (self);
}

/* ---- Public API ------------------------------------------------------------ */

GtkWidget *
wm_review_panel_new (void)
{
  return g_object_new (WM_TYPE_REVIEW_PANEL, NULL);
}

void
wm_review_panel_set_store (WmReviewPanel *self,
                           WmStore       *store)
{
  g_return_if_fail (WM_IS_REVIEW_PANEL (self));
  g_return_if_fail (store == NULL || WM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  wm_review_panel_reload (self);
}

void
wm_review_panel_reload (WmReviewPanel *self)
{
  gint64 rank = -1;
  guint position;

  g_return_if_fail (WM_IS_REVIEW_PANEL (self));

  position = gtk_single_selection_get_selected (self->selection);
  self->updating = TRUE;
  replace_queue (self);
  self->updating = FALSE;
  if (self->store != NULL && self->current_id > 0)
    rank = wm_store_get_review_item_rank (self->store, 0, self->current_id);
  recount (self);
  select_position (self, rank >= 0 ? (guint) rank
                         : position != GTK_INVALID_LIST_POSITION ? position : 0);
}

GListModel *
wm_review_panel_get_model (WmReviewPanel *self)
{
  g_return_val_if_fail (WM_IS_REVIEW_PANEL (self), NULL);
  return G_LIST_MODEL (self->queue);
}

const WmReviewItem *
wm_review_panel_get_current (WmReviewPanel *self)
{
  WmReviewRow *row;

  g_return_val_if_fail (WM_IS_REVIEW_PANEL (self), NULL);

  row = gtk_single_selection_get_selected_item (self->selection);
  return row != NULL ? row->item : NULL;
}

gint64
wm_review_panel_get_current_id (WmReviewPanel *self)
{
  g_return_val_if_fail (WM_IS_REVIEW_PANEL (self), 0);
  return self->current_id;
}

guint
wm_review_panel_get_position (WmReviewPanel *self)
{
  g_return_val_if_fail (WM_IS_REVIEW_PANEL (self), GTK_INVALID_LIST_POSITION);
  return gtk_single_selection_get_selected (self->selection);
}

void
wm_review_panel_select (WmReviewPanel *self,
                        guint          position)
{
  g_return_if_fail (WM_IS_REVIEW_PANEL (self));
  select_position (self, position);
}

void
wm_review_panel_move (WmReviewPanel *self,
                      int            direction)
{
  guint position;

  g_return_if_fail (WM_IS_REVIEW_PANEL (self));

  position = gtk_single_selection_get_selected (self->selection);
  if (position == GTK_INVALID_LIST_POSITION)
    position = 0;
  else if (direction < 0)
    position = position >= (guint) -direction ? position + direction : 0;
  else
    position += direction;
  select_position (self, position);
}

void
wm_review_panel_item_decided (WmReviewPanel *self,
                              gint64         item_id,
                              WmReviewState  decision)
{
  const WmReviewItem *current;
  guint position;

  g_return_if_fail (WM_IS_REVIEW_PANEL (self));

  current = wm_review_panel_get_current (self);
  position = gtk_single_selection_get_selected (self->selection);
  if (current == NULL || current->id != item_id)
    {
      /* Decided elsewhere: read it all again. */
      wm_review_panel_reload (self);
      return;
    }

  /* The item leaves the queue; the next one moves into its place. */
  self->updating = TRUE;
  queue_remove (self->queue, position);
  self->updating = FALSE;
  if (decision == WM_REVIEW_ACCEPTED)
    self->n_accepted++;
  else if (decision == WM_REVIEW_RELABELLED)
    self->n_relabelled++;
  else
    self->n_rejected++;
  update_counters (self);
  select_position (self, position);
}

void
wm_review_panel_item_undone (WmReviewPanel *self,
                             gint64         item_id)
{
  gint64 rank;

  g_return_if_fail (WM_IS_REVIEW_PANEL (self));

  rank = self->store != NULL ? wm_store_get_review_item_rank (self->store, 0, item_id) : -1;
  if (rank < 0 || (guint) rank > self->queue->n_items)
    {
      wm_review_panel_reload (self);
      return;
    }
  self->updating = TRUE;
  queue_insert (self->queue, (guint) rank);
  self->updating = FALSE;
  recount (self);
  select_position (self, (guint) rank);
}

void
wm_review_panel_get_counts (WmReviewPanel *self,
                            gint64        *left,
                            gint64        *accepted,
                            gint64        *relabelled,
                            gint64        *rejected)
{
  g_return_if_fail (WM_IS_REVIEW_PANEL (self));

  if (left != NULL)
    *left = self->queue->n_items;
  if (accepted != NULL)
    *accepted = self->n_accepted;
  if (relabelled != NULL)
    *relabelled = self->n_relabelled;
  if (rejected != NULL)
    *rejected = self->n_rejected;
}
