/* wm-confidence-track.c — a model's per-window probability under the label track
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probabilities of the run on the recording are read once, in a worker
 * thread with its own read-only store (a recording of 100,000 windows and
 * five classes is 2 MB), and every picture is drawn from that array: a step
 * per window when a window is wider than a pixel, else the minimum and
 * maximum of the windows in each pixel column.  Preview counts come from
 * another worker with its own read-only store; while one runs, a newer
 * threshold waits, and only the latest waiting one runs next.
 */

#define G_LOG_DOMAIN "waymark-views"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <inttypes.h>

#include "wm-confidence-track.h"
#include "wm-view-draw.h"

#define TRACK_HEIGHT 96
#define PLOT_TOP     6
#define PLOT_BOTTOM  4
#define LINE_GRAB    8   /* pixels either side of the threshold line that grab it */

static const GdkRGBA threshold_color = { 0.90f, 0.38f, 0.0f, 1.0f };
static const GdkRGBA applied_color = { 0.90f, 0.38f, 0.0f, 0.45f };
static const GdkRGBA band_color = { 0.96f, 0.76f, 0.07f, 0.20f };

typedef struct {
  char                 *path;
  WmRun                *run;
  gint64                recording_id;
  WmLabelRuleRecording *input;
} ReadJob;

typedef struct {
  WmStore              *store;
  WmRun                *run;
  gint64                recording_id;
  WmLabelRule          *rule;
  double                threshold;  /* the track's threshold the job is for */
  WmLabelRuleRecording *input;      /* read afresh */
  WmAutolabelCounts     recording;
  WmAutolabelCounts     whole_run;
} PreviewJob;

struct _WmConfidenceTrack
{
  WmTimelinePart     parent_instance;

  WmStore           *store;
  WmStore           *preview_store;  /* read-only; used by one preview job at a time */
  WmRun             *run;
  WmLabelRule       *rule;           /* the run's, as stored */
  gint64             recording_id;
  int                background;     /* the model class that is never a label, or -1 */
  GArray            *colors;         /* GdkRGBA per model class */

  /* probabilities, human and review labels, decided windows */
  WmLabelRuleRecording *input;
  gboolean           loaded;
  char              *read_error;     /* why the run could not be read, or NULL */
  WmLabelRuleResult *ghosts;         /* the rule at ghosts_threshold, or NULL */
  double             ghosts_threshold;
  GCancellable      *cancellable;

  int                class_index;
  double             threshold;

  gboolean           preview_running;
  gboolean           preview_valid;
  WmAutolabelCounts  preview_recording;
  WmAutolabelCounts  preview_run;

  gboolean           dragging;
  double             drag_threshold;

  GtkWidget         *class_menu;
  GtkStringList     *class_menu_names;
  GArray            *class_menu_index;  /* int per menu position */
  gboolean           filling_menu;

  GskRenderNode     *node;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (WmConfidenceTrack, wm_confidence_track, WM_TYPE_TIMELINE_PART)

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_CLASS_INDEX,
  PROP_RUN_ID,
  PROP_BUSY,
  N_PROPS
};

enum {
  APPLIED,
  PREVIEW_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void request_preview (WmConfidenceTrack *self);

static void
invalidate (WmConfidenceTrack *self)
{
  g_clear_pointer (&self->node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_busy (WmConfidenceTrack *self)
{
  gboolean busy = (self->run != NULL && !self->loaded && self->read_error == NULL) || self->preview_running;

  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static guint
n_classes (WmConfidenceTrack *self)
{
  return self->run != NULL ? wm_run_get_n_classes (self->run) : 0;
}

/* The threshold stored in the run for what is shown; with the top class
 * shown, the first enabled class's (the line then only shows it). */
static double
applied_threshold (WmConfidenceTrack *self)
{
  if (self->rule == NULL)
    return WM_LABEL_RULE_DEFAULT_THRESHOLD;
  if (self->class_index >= 0)
    return self->rule->classes[self->class_index].threshold;
  for (guint k = 0; k < self->rule->n_classes; k++)
    if (self->rule->classes[k].enabled)
      return self->rule->classes[k].threshold;
  return WM_LABEL_RULE_DEFAULT_THRESHOLD;
}

/* The line moves one class's threshold: with the top class shown it would
 * move every class's at once, so it is read-only then. */
static gboolean
can_move (WmConfidenceTrack *self)
{
  return self->run != NULL && self->class_index >= 0;
}

static gboolean
is_previewing (WmConfidenceTrack *self)
{
  return can_move (self) && fabs (self->threshold - applied_threshold (self)) > 1e-9;
}

/* The run's rule with the class shown at @threshold (and switched on). */
static WmLabelRule *
dup_rule (WmConfidenceTrack *self,
          double             threshold)
{
  WmLabelRule *rule = wm_label_rule_copy (self->rule);

  if (self->class_index >= 0)
    {
      rule->classes[self->class_index].threshold = threshold;
      rule->classes[self->class_index].enabled = TRUE;
    }
  return rule;
}

/* The value drawn for window w: the shown class's probability, or the top
 * non-background class's; NaN for a window not stored. */
static float
window_value (WmConfidenceTrack *self,
              gint64             w,
              int               *out_class)
{
  guint n = n_classes (self);
  const float *p = self->input->probabilities + w * n;
  float best = NAN;
  int best_class = -1;

  if (self->class_index >= 0)
    {
      if (out_class != NULL)
        *out_class = self->class_index;
      return p[self->class_index];
    }
  for (guint k = 0; k < n; k++)
    if ((int) k != self->background && !isnan (p[k]) && (best_class < 0 || p[k] > best))
      {
        best = p[k];
        best_class = (int) k;
      }
  if (out_class != NULL)
    *out_class = best_class;
  return best;
}

/* ---- Reading the run ------------------------------------------------------ */

static void
read_job_free (ReadJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->run, wm_run_free);
  g_clear_pointer (&job->input, wm_label_rule_recording_free);
  g_free (job);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadJob *job = task_data;
  g_autoptr(WmStore) store = NULL;
  GError *error = NULL;

  store = wm_store_open (job->path, WM_STORE_OPEN_READ_ONLY, &error);
  if (store != NULL)
    job->input = wm_label_rule_recording_read (store, job->run, job->recording_id, &error);
  if (job->input == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_input (WmConfidenceTrack    *self,
           WmLabelRuleRecording *input)
{
  g_clear_pointer (&self->input, wm_label_rule_recording_free);
  g_clear_pointer (&self->ghosts, wm_label_rule_result_free);
  self->input = input;
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (source);
  ReadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
        return;
      g_warning ("Could not read the predictions of run %" G_GINT64_FORMAT ": %s", job->run->id, error->message);
      g_free (self->read_error);
      self->read_error = g_strdup (error->message);
      update_busy (self);
      invalidate (self);
      return;
    }
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  set_input (self, g_steal_pointer (&job->input));
  self->loaded = TRUE;
  update_busy (self);
  invalidate (self);
}

static void
fill_class_menu (WmConfidenceTrack *self)
{
  guint n = n_classes (self);
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->class_menu_names));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = 0;

  g_array_set_size (self->class_menu_index, 0);
  g_ptr_array_add (names, (gpointer) _("Top class"));
  g_array_append_val (self->class_menu_index, (int) { -1 });
  for (guint k = 0; k < n; k++)
    {
      int index = (int) k;

      if (index == self->background)
        continue;
      if (index == self->class_index)
        selected = names->len;
      g_ptr_array_add (names, self->run->class_names[k]);
      g_array_append_val (self->class_menu_index, index);
    }
  g_ptr_array_add (names, NULL);

  self->filling_menu = TRUE;
  gtk_string_list_splice (self->class_menu_names, 0, old, (const char * const *) names->pdata);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->class_menu), selected);
  self->filling_menu = FALSE;
}

static void
load_colors (WmConfidenceTrack *self)
{
  g_autoptr(GPtrArray) classes = NULL;

  g_array_set_size (self->colors, 0);
  if (self->run == NULL)
    return;
  classes = wm_store_list_classes (self->store, NULL);
  for (guint k = 0; k < n_classes (self); k++)
    {
      GdkRGBA color = wm_view_color_signal;

      for (guint i = 0; classes != NULL && i < classes->len; i++)
        {
          const WmClass *klass = g_ptr_array_index (classes, i);

          if (g_strcmp0 (klass->name, self->run->class_names[k]) == 0 && klass->color != NULL)
            gdk_rgba_parse (&color, klass->color);
        }
      g_array_append_val (self->colors, color);
    }
}

/* The newest run that stored predictions for the recording. */
static WmRun *
find_run (WmStore *store,
          gint64   recording_id)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;

  runs = wm_store_list_runs (store, &error);
  if (runs == NULL)
    {
      g_warning ("Could not list the runs of %s: %s", wm_store_get_path (store), error->message);
      return NULL;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      const WmRun *run = g_ptr_array_index (runs, i);
      g_autoptr(GArray) recordings = wm_store_list_run_recordings (store, run->id, NULL);

      for (guint r = 0; recordings != NULL && r < recordings->len; r++)
        if (g_array_index (recordings, gint64, r) == recording_id)
          return wm_run_copy (run);
    }
  return NULL;
}

void
wm_confidence_track_reload (WmConfidenceTrack *self)
{
  const WmRecording *recording;
  gint64 old_run_id;
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  old_run_id = wm_confidence_track_get_run_id (self);
  recording = wm_timeline_get_recording (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->run, wm_run_free);
  g_clear_pointer (&self->rule, wm_label_rule_free);
  g_clear_pointer (&self->read_error, g_free);
  set_input (self, NULL);
  self->loaded = FALSE;
  self->preview_valid = FALSE;
  self->recording_id = recording != NULL ? recording->id : 0;
  self->background = -1;

  if (self->store != NULL && recording != NULL)
    self->run = find_run (self->store, recording->id);

  if (self->run != NULL)
    {
      self->rule = wm_label_rule_new_for_run (self->run);
      for (guint k = 0; k < n_classes (self); k++)
        if (g_str_equal (self->run->class_names[k], WM_AUTOLABEL_BACKGROUND))
          self->background = (int) k;
      if (self->class_index >= (int) n_classes (self) || self->class_index == self->background)
        self->class_index = -1;
      if (self->class_index < 0 && n_classes (self) == 2 && self->background >= 0)
        self->class_index = 1 - self->background;
      self->threshold = applied_threshold (self);

      self->cancellable = g_cancellable_new ();
      job = g_new0 (ReadJob, 1);
      job->path = g_strdup (wm_store_get_path (self->store));
      job->run = wm_run_copy (self->run);
      job->recording_id = recording->id;
      task = g_task_new (self, self->cancellable, on_read_done, NULL);
      g_task_set_source_tag (task, wm_confidence_track_reload);
      g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
      g_task_run_in_thread (task, read_thread);
    }

  load_colors (self);
  fill_class_menu (self);
  update_busy (self);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASS_INDEX]);
  if (old_run_id != wm_confidence_track_get_run_id (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_ID]);
  request_preview (self);
}

void
wm_confidence_track_refresh (WmConfidenceTrack *self)
{
  const WmRecording *recording;
  g_autoptr(WmRun) run = NULL;
  gboolean same;

  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  recording = wm_timeline_get_recording (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)));
  if (self->store != NULL && recording != NULL)
    run = find_run (self->store, recording->id);
  same = run == NULL ? self->run == NULL
         : self->run != NULL && run->id == self->run->id && run->state == self->run->state
           && run->finished_at == self->run->finished_at && run->margin == self->run->margin
           && memcmp (run->thresholds, self->run->thresholds, n_classes (self) * sizeof (double)) == 0;
  if (!same)
    wm_confidence_track_reload (self);
}

/* ---- Preview --------------------------------------------------------------- */

static void
preview_job_free (PreviewJob *job)
{
  g_clear_object (&job->store);
  g_clear_pointer (&job->run, wm_run_free);
  g_clear_pointer (&job->rule, wm_label_rule_free);
  g_clear_pointer (&job->input, wm_label_rule_recording_free);
  g_free (job);
}

static void
preview_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  g_autoptr(GArray) recordings = NULL;
  g_autoptr(WmLabelRuleResult) result = NULL;
  WmLabelRuleCounts here = { 0 };
  GError *error = NULL;

  job->input = wm_label_rule_recording_read (job->store, job->run, job->recording_id, &error);
  if (job->input == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = wm_label_rule_derive (job->rule, job->input);
  for (guint k = 0; k < result->n_classes; k++)
    wm_label_rule_counts_add (&here, &result->counts[k]);
  job->recording.n_labels = here.labels;
  job->recording.n_review_items = here.review_items;
  job->recording.n_windows_above = here.windows_above;

  /* A run over this recording alone needs no second pass. */
  recordings = wm_store_list_run_recordings (job->store, job->run->id, &error);
  if (recordings != NULL && recordings->len == 1
      && g_array_index (recordings, gint64, 0) == job->recording_id)
    job->whole_run = job->recording;
  else if (recordings == NULL
           || !wm_autolabel_preview (job->store, job->run->id, 0, job->rule, &job->whole_run, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_preview_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (source);
  PreviewJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->preview_running = FALSE;
  if (!ok)
    g_warning ("Could not preview run %" G_GINT64_FORMAT ": %s", job->run->id, error->message);

  if (self->run == NULL || job->run->id != self->run->id || job->recording_id != self->recording_id
      || job->threshold != self->threshold)
    {
      /* The threshold moved on meanwhile: the latest one next. */
      request_preview (self);
      return;
    }
  if (ok)
    {
      /* The labels and decisions as they are now: the ghosts follow them. */
      if (self->loaded)
        set_input (self, g_steal_pointer (&job->input));
      self->preview_recording = job->recording;
      self->preview_run = job->whole_run;
      self->preview_valid = TRUE;
      g_signal_emit (self, signals[PREVIEW_CHANGED], 0);
    }
  update_busy (self);
  invalidate (self);
}

static void
request_preview (WmConfidenceTrack *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PreviewJob *job;

  self->preview_valid = FALSE;
  if (self->run == NULL || self->store == NULL || self->preview_running)
    {
      update_busy (self);
      return;
    }
  if (self->preview_store == NULL)
    {
      self->preview_store = wm_store_open (wm_store_get_path (self->store), WM_STORE_OPEN_READ_ONLY, &error);
      if (self->preview_store == NULL)
        {
          g_warning ("Could not open %s for previews: %s", wm_store_get_path (self->store), error->message);
          return;
        }
    }

  job = g_new0 (PreviewJob, 1);
  job->store = g_object_ref (self->preview_store);
  job->run = wm_run_copy (self->run);
  job->recording_id = self->recording_id;
  job->threshold = self->threshold;
  job->rule = dup_rule (self, self->threshold);
  self->preview_running = TRUE;

  task = g_task_new (self, NULL, on_preview_done, NULL);
  g_task_set_source_tag (task, request_preview);
  g_task_set_task_data (task, job, (GDestroyNotify) preview_job_free);
  g_task_run_in_thread (task, preview_thread);
  update_busy (self);
}

/* ---- Geometry --------------------------------------------------------------- */

static double
plot_height (WmConfidenceTrack *self)
{
  return MAX (gtk_widget_get_height (GTK_WIDGET (self)) - PLOT_TOP - PLOT_BOTTOM, 1);
}

double
wm_confidence_track_probability_to_y (WmConfidenceTrack *self,
                                      double             probability)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), 0);
  return PLOT_TOP + (1.0 - CLAMP (probability, 0.0, 1.0)) * plot_height (self);
}

static gint64
cell_start (WmConfidenceTrack *self,
            gint64             window)
{
  return window * self->run->hop_frames + (self->run->window_frames - self->run->hop_frames) / 2;
}

/* The windows whose cells meet [start, end) frames, clamped to those stored. */
static gboolean
windows_in (WmConfidenceTrack *self,
            double             start,
            double             end,
            gint64            *first,
            gint64            *last)
{
  double lo = (self->run->window_frames - self->run->hop_frames) / 2;
  double hop = self->run->hop_frames;

  *first = MAX ((gint64) floor ((start - lo) / hop), 0);
  *last = MIN ((gint64) ceil ((end - lo) / hop) - 1, self->input->n_windows - 1);
  return *first <= *last;
}

/* ---- Drawing -------------------------------------------------------------- */

static const GdkRGBA *
value_color (WmConfidenceTrack *self,
             int                klass)
{
  if (klass >= 0 && (guint) klass < self->colors->len)
    return &g_array_index (self->colors, GdkRGBA, klass);
  return &wm_view_color_signal;
}

static void
draw_curve (WmConfidenceTrack *self,
            GtkSnapshot       *snapshot,
            int                width)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  double start = wm_timeline_get_visible_start (timeline);
  double end = wm_timeline_get_visible_end (timeline);
  double frames_per_px = (end - start) / MAX (width - WM_TIMELINE_GUTTER, 1);
  double bottom = PLOT_TOP + plot_height (self);
  gint64 first, last;

  if (!windows_in (self, start, end, &first, &last))
    return;

  if (frames_per_px < self->run->hop_frames)
    {
      /* A step per window: area under it, a line on top, risers between. */
      double previous_y = NAN;

      for (gint64 w = first; w <= last; w++)
        {
          int klass;
          float p = window_value (self, w, &klass);
          double x0 = wm_timeline_frame_to_x (timeline, cell_start (self, w), width);
          double x1 = wm_timeline_frame_to_x (timeline, cell_start (self, w) + self->run->hop_frames, width);
          const GdkRGBA *color = value_color (self, klass);
          GdkRGBA area = *color;
          double y;

          if (isnan (p))
            {
              previous_y = NAN;
              continue;
            }
          y = wm_confidence_track_probability_to_y (self, p);
          area.alpha = 0.25f;
          x0 = MAX (x0, WM_TIMELINE_GUTTER);
          wm_view_snapshot_rect (snapshot, x0, y, x1 - x0, bottom - y, &area);
          wm_view_snapshot_rect (snapshot, x0, y - 1, MAX (x1 - x0, 1), 2, color);
          if (!isnan (previous_y))
            wm_view_snapshot_rect (snapshot, x0 - 1, MIN (y, previous_y) - 1, 2,
                                   fabs (y - previous_y) + 2, color);
          previous_y = y;
        }
      return;
    }

  /* Zoomed out: per pixel column, the range the windows in it span. */
  for (int x = WM_TIMELINE_GUTTER; x < width; x++)
    {
      double f0 = wm_timeline_x_to_frame (timeline, x, width);
      double f1 = wm_timeline_x_to_frame (timeline, x + 1, width);
      float lo = INFINITY, hi = -INFINITY;
      int top_class = -1;
      gint64 a, b;

      if (!windows_in (self, f0, f1, &a, &b))
        continue;
      for (gint64 w = a; w <= b; w++)
        {
          int klass;
          float p = window_value (self, w, &klass);

          if (isnan (p))
            continue;
          lo = MIN (lo, p);
          if (p > hi)
            {
              hi = p;
              top_class = klass;
            }
        }
      if (hi < lo)
        continue;
      {
        const GdkRGBA *color = value_color (self, top_class);
        GdkRGBA area = *color;
        double y_hi = wm_confidence_track_probability_to_y (self, hi);
        double y_lo = wm_confidence_track_probability_to_y (self, lo);

        area.alpha = 0.25f;
        wm_view_snapshot_rect (snapshot, x, y_hi, 1, bottom - y_hi, &area);
        wm_view_snapshot_rect (snapshot, x, y_hi - 1, 1, y_lo - y_hi + 2, color);
      }
    }
}

GArray *
wm_confidence_track_dup_ghost_regions (WmConfidenceTrack *self)
{
  WmTimeline *timeline;
  GArray *regions;
  double start, end;

  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), NULL);

  regions = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!self->loaded || !is_previewing (self))
    return regions;

  /* The labels the rule makes at the threshold previewed, of the class shown. */
  if (self->ghosts == NULL || self->ghosts_threshold != self->threshold)
    {
      g_autoptr(WmLabelRule) rule = dup_rule (self, self->threshold);

      g_clear_pointer (&self->ghosts, wm_label_rule_result_free);
      self->ghosts = wm_label_rule_derive (rule, self->input);
      self->ghosts_threshold = self->threshold;
    }
  timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  start = wm_timeline_get_visible_start (timeline);
  end = wm_timeline_get_visible_end (timeline);
  for (guint i = 0; i < self->ghosts->labels->len; i++)
    {
      const WmLabelRuleLabel *l = &g_array_index (self->ghosts->labels, WmLabelRuleLabel, i);

      if ((int) l->class_index != self->class_index || l->end_frame <= start || l->start_frame >= end)
        continue;
      g_array_append_val (regions, l->start_frame);
      g_array_append_val (regions, l->end_frame);
    }
  return regions;
}

static GskRenderNode *
get_node (WmConfidenceTrack *self,
          int                width,
          int                height)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

  wm_view_snapshot_rect (snapshot, 0, 0, width, 1, &wm_view_color_grid);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0,
                                                         width - WM_TIMELINE_GUTTER, height));
  /* Guides at 0.5 and 1. */
  wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, wm_confidence_track_probability_to_y (self, 1.0),
                         width, 1, &wm_view_color_grid);
  wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, wm_confidence_track_probability_to_y (self, 0.5),
                         width, 1, &wm_view_color_grid);
  if (self->loaded)
    draw_curve (self, snapshot, width);
  gtk_snapshot_pop (snapshot);
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
wm_confidence_track_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (widget);
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double margin, y, y_hi, y_lo;
  g_autofree char *text = NULL;
  g_autoptr(GArray) ghosts = NULL;

  if (self->run == NULL || width <= WM_TIMELINE_GUTTER || height <= PLOT_TOP + PLOT_BOTTOM)
    return;

  /* Band and ghosts under the curve, the threshold over it. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (WM_TIMELINE_GUTTER, 0,
                                                         width - WM_TIMELINE_GUTTER, height));
  margin = self->run->margin;
  y_hi = wm_confidence_track_probability_to_y (self, self->threshold + margin);
  y_lo = wm_confidence_track_probability_to_y (self, self->threshold - margin);
  wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, y_hi, width, y_lo - y_hi, &band_color);

  ghosts = wm_confidence_track_dup_ghost_regions (self);
  for (guint i = 0; i + 1 < ghosts->len; i += 2)
    {
      double x0 = wm_timeline_frame_to_x (timeline, g_array_index (ghosts, gint64, i), width);
      double x1 = wm_timeline_frame_to_x (timeline, g_array_index (ghosts, gint64, i + 1), width);
      GdkRGBA fill = *value_color (self, self->class_index);
      GdkRGBA edge = fill;

      fill.alpha = 0.18f;
      edge.alpha = 0.8f;
      x1 = MAX (x1, x0 + 1);
      wm_view_snapshot_rect (snapshot, x0, PLOT_TOP, x1 - x0, plot_height (self), &fill);
      wm_view_snapshot_rect (snapshot, x0, height - PLOT_BOTTOM - 3, x1 - x0, 3, &edge);
    }

  if (self->node == NULL)
    self->node = get_node (self, width, height);
  gtk_snapshot_append_node (snapshot, self->node);

  if (is_previewing (self))
    wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER,
                           wm_confidence_track_probability_to_y (self, applied_threshold (self)),
                           width, 1, &applied_color);
  y = wm_confidence_track_probability_to_y (self, self->threshold);
  wm_view_snapshot_rect (snapshot, WM_TIMELINE_GUTTER, y - 1, width, 2, &threshold_color);

  if (self->read_error != NULL)
    /* Translators: %s is why */
    text = g_strdup_printf (_("Could not read the model’s output: %s"), self->read_error);
  else if (!self->loaded)
    text = g_strdup (_("Reading the model’s output…"));
  else if (self->preview_valid)
    /* Translators: the first %s is "Preview: " or empty */
    text = g_strdup_printf (_("%s%" PRId64 " labels, %" PRId64 " to review here; "
                              "%" PRId64 " labels, %" PRId64 " to review in the run"),
                            is_previewing (self) ? _("Preview: ") : "",
                            self->preview_recording.n_labels, self->preview_recording.n_review_items,
                            self->preview_run.n_labels, self->preview_run.n_review_items);
  else if (is_previewing (self))
    text = g_strdup (_("Preview: counting…"));
  if (text == NULL && !can_move (self))
    text = g_strdup (_("Pick a class to move its threshold"));
  if (text != NULL)
    wm_view_snapshot_text (snapshot, widget, text, WM_TIMELINE_GUTTER + 6, height - PLOT_BOTTOM - 20,
                           &wm_view_color_text);
  gtk_snapshot_pop (snapshot);

  wm_view_snapshot_marks (snapshot, timeline, width, height);

  /* The header: the class menu, the threshold under it. */
  gtk_widget_snapshot_child (widget, self->class_menu, snapshot);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf (_("≥ %.3f"), self->threshold);
  wm_view_snapshot_text (snapshot, widget, text, 6, height - PLOT_BOTTOM - 18, &threshold_color);
}

static void
wm_confidence_track_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (widget);
  int menu_min, menu_nat;

  gtk_widget_measure (self->class_menu, orientation, -1, &menu_min, &menu_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = MAX (WM_TIMELINE_GUTTER, menu_min + 4) + 100;
  else
    *minimum = *natural = MAX (TRACK_HEIGHT, menu_min + 26);
}

static void
wm_confidence_track_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (widget);
  int menu_width, menu_height;

  gtk_widget_measure (self->class_menu, GTK_ORIENTATION_HORIZONTAL, -1, &menu_width, NULL, NULL, NULL);
  gtk_widget_measure (self->class_menu, GTK_ORIENTATION_VERTICAL, -1, &menu_height, NULL, NULL, NULL);
  gtk_widget_size_allocate (self->class_menu,
                            &(GtkAllocation) { 2, 4, MAX (menu_width, WM_TIMELINE_GUTTER - 6), menu_height },
                            -1);
  invalidate (self);
}

/* ---- Input ---------------------------------------------------------------- */

static double
round_threshold (double threshold)
{
  return CLAMP (round (threshold * 1000) / 1000, 0.0, 1.0);
}

gboolean
wm_confidence_track_drag_begin (WmConfidenceTrack *self,
                                double             x,
                                double             y)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), FALSE);

  if (!can_move (self) || x < WM_TIMELINE_GUTTER
      || fabs (y - wm_confidence_track_probability_to_y (self, self->threshold)) > LINE_GRAB)
    return FALSE;
  self->dragging = TRUE;
  self->drag_threshold = self->threshold;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  return TRUE;
}

void
wm_confidence_track_drag_update (WmConfidenceTrack *self,
                                 double             dx,
                                 double             dy)
{
  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  if (!self->dragging)
    return;
  wm_confidence_track_set_threshold (self, round_threshold (self->drag_threshold - dy / plot_height (self)));
}

void
wm_confidence_track_drag_end (WmConfidenceTrack *self,
                              double             dx,
                              double             dy)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  if (!self->dragging)
    return;
  wm_confidence_track_drag_update (self, dx, dy);
  self->dragging = FALSE;
  if (is_previewing (self) && !wm_confidence_track_apply (self, &error))
    g_warning ("Could not apply the threshold: %s", error->message);
}

static void
on_drag_begin (GtkGestureDrag    *gesture,
               double             x,
               double             y,
               WmConfidenceTrack *self)
{
  if (!wm_confidence_track_drag_begin (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
  else
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update (GtkGestureDrag    *gesture,
                double             dx,
                double             dy,
                WmConfidenceTrack *self)
{
  wm_confidence_track_drag_update (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag    *gesture,
             double             dx,
             double             dy,
             WmConfidenceTrack *self)
{
  wm_confidence_track_drag_end (self, dx, dy);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           WmConfidenceTrack        *self)
{
  WmTimeline *timeline = wm_timeline_part_get_timeline (WM_TIMELINE_PART (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  gboolean on_line = can_move (self) && x >= WM_TIMELINE_GUTTER
                     && fabs (y - wm_confidence_track_probability_to_y (self, self->threshold)) <= LINE_GRAB;

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), on_line || self->dragging ? "ns-resize" : NULL);
  wm_timeline_set_hover (timeline, x >= WM_TIMELINE_GUTTER ? wm_timeline_x_to_frame (timeline, x, width) : -1);
}

static void
on_leave (GtkEventControllerMotion *motion,
          WmConfidenceTrack        *self)
{
  wm_timeline_set_hover (wm_timeline_part_get_timeline (WM_TIMELINE_PART (self)), -1);
}

static void
on_class_selected (WmConfidenceTrack *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->class_menu));

  if (self->filling_menu || selected >= self->class_menu_index->len)
    return;
  wm_confidence_track_set_class_index (self, g_array_index (self->class_menu_index, int, selected));
}

static void
set_threshold_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (widget);
  g_autoptr(GError) error = NULL;

  wm_confidence_track_set_threshold (self, g_variant_get_double (param));
  if (is_previewing (self) && !wm_confidence_track_apply (self, &error))
    g_warning ("%s: %s", action_name, error->message);
}

static void
nudge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (widget);
  g_autoptr(GError) error = NULL;

  wm_confidence_track_set_threshold (self, round_threshold (self->threshold + g_variant_get_double (param)));
  if (is_previewing (self) && !wm_confidence_track_apply (self, &error))
    g_warning ("%s: %s", action_name, error->message);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  g_autoptr(GError) error = NULL;

  if (!wm_confidence_track_apply (WM_CONFIDENCE_TRACK (widget), &error))
    g_warning ("%s: %s", action_name, error->message);
}

/* ---- GObject ------------------------------------------------------------- */

static void
wm_confidence_track_range_changed (WmTimelinePart *part)
{
  invalidate (WM_CONFIDENCE_TRACK (part));
}

static void
wm_confidence_track_recording_changed (WmTimelinePart *part)
{
  wm_confidence_track_reload (WM_CONFIDENCE_TRACK (part));
}

static void
wm_confidence_track_dispose (GObject *object)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->class_menu, gtk_widget_unparent);
  g_clear_object (&self->class_menu_names);
  g_clear_object (&self->store);
  g_clear_object (&self->preview_store);
  g_clear_pointer (&self->node, gsk_render_node_unref);

  G_OBJECT_CLASS (wm_confidence_track_parent_class)->dispose (object);
}

static void
wm_confidence_track_finalize (GObject *object)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (object);

  g_clear_pointer (&self->run, wm_run_free);
  g_clear_pointer (&self->rule, wm_label_rule_free);
  g_clear_pointer (&self->read_error, g_free);
  set_input (self, NULL);
  g_clear_pointer (&self->colors, g_array_unref);
  g_clear_pointer (&self->class_menu_index, g_array_unref);

  G_OBJECT_CLASS (wm_confidence_track_parent_class)->finalize (object);
}

static void
wm_confidence_track_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_CLASS_INDEX:
      g_value_set_int (value, self->class_index);
      break;
    case PROP_RUN_ID:
      g_value_set_int64 (value, wm_confidence_track_get_run_id (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_confidence_track_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  WmConfidenceTrack *self = WM_CONFIDENCE_TRACK (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      wm_confidence_track_set_threshold (self, g_value_get_double (value));
      break;
    case PROP_CLASS_INDEX:
      wm_confidence_track_set_class_index (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wm_confidence_track_class_init (WmConfidenceTrackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  WmTimelinePartClass *part_class = WM_TIMELINE_PART_CLASS (klass);
  static const struct { guint key; double step; } nudges[] = {
    { GDK_KEY_Up, 0.01 }, { GDK_KEY_Down, -0.01 }, { GDK_KEY_KP_Up, 0.01 }, { GDK_KEY_KP_Down, -0.01 },
    { GDK_KEY_Page_Up, 0.05 }, { GDK_KEY_Page_Down, -0.05 },
  };

  object_class->dispose = wm_confidence_track_dispose;
  object_class->finalize = wm_confidence_track_finalize;
  object_class->get_property = wm_confidence_track_get_property;
  object_class->set_property = wm_confidence_track_set_property;

  widget_class->snapshot = wm_confidence_track_snapshot;
  widget_class->measure = wm_confidence_track_measure;
  widget_class->size_allocate = wm_confidence_track_size_allocate;

  part_class->range_changed = wm_confidence_track_range_changed;
  part_class->marks_changed = wm_timeline_part_redraw;
  part_class->recording_changed = wm_confidence_track_recording_changed;

  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, WM_AUTOLABEL_DEFAULT_THRESHOLD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLASS_INDEX] =
    g_param_spec_int ("class-index", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUN_ID] =
    g_param_spec_int64 ("run-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[PREVIEW_CHANGED] =
    g_signal_new ("preview-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "confidence.set-threshold", "d", set_threshold_action);
  gtk_widget_class_install_action (widget_class, "confidence.nudge", "d", nudge_action);
  gtk_widget_class_install_action (widget_class, "confidence.apply", NULL, apply_action);
  for (guint i = 0; i < G_N_ELEMENTS (nudges); i++)
    gtk_widget_class_add_binding_action (widget_class, nudges[i].key, 0, "confidence.nudge", "d",
                                         nudges[i].step);

  gtk_widget_class_set_css_name (widget_class, "wmconfidencetrack");
}

static void
wm_confidence_track_init (WmConfidenceTrack *self)
{

  self->class_index = -1;
  self->background = -1;
  self->threshold = WM_AUTOLABEL_DEFAULT_THRESHOLD;
  self->colors = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));
  self->class_menu_index = g_array_new (FALSE, FALSE, sizeof (int));
  self->class_menu_names = gtk_string_list_new (NULL);

  self->class_menu = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->class_menu_names)), NULL);
  gtk_widget_set_tooltip_text (self->class_menu, _("The class whose probability is shown"));
  gtk_widget_add_css_class (self->class_menu, "flat");
  gtk_widget_add_css_class (self->class_menu, "caption");
  gtk_widget_set_parent (self->class_menu, GTK_WIDGET (self));
  g_signal_connect_swapped (self->class_menu, "notify::selected", G_CALLBACK (on_class_selected), self);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);

  wm_timeline_part_add_pointer_controllers (WM_TIMELINE_PART (self),
                                            G_CALLBACK (on_motion), G_CALLBACK (on_leave),
                                            G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update),
                                            G_CALLBACK (on_drag_end));
}

/* ---- Public API ---------------------------------------------------------- */

GtkWidget *
wm_confidence_track_new (WmTimeline *timeline)
{
  g_return_val_if_fail (WM_IS_TIMELINE (timeline), NULL);

  return g_object_new (WM_TYPE_CONFIDENCE_TRACK, "timeline", timeline, NULL);
}

void
wm_confidence_track_set_store (WmConfidenceTrack *self,
                               WmStore           *store)
{
  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));
  g_return_if_fail (store == NULL || WM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_clear_object (&self->preview_store);
  wm_confidence_track_reload (self);
}

gint64
wm_confidence_track_get_run_id (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), 0);
  return self->run != NULL ? self->run->id : 0;
}

const WmRun *
wm_confidence_track_get_run (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), NULL);
  return self->run;
}

gboolean
wm_confidence_track_get_busy (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), FALSE);
  return self->busy;
}

const char *
wm_confidence_track_get_read_error (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), NULL);
  return self->read_error;
}

gboolean
wm_confidence_track_is_loaded (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), FALSE);
  return self->loaded;
}

double
wm_confidence_track_get_threshold (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), 0);
  return self->threshold;
}

void
wm_confidence_track_set_threshold (WmConfidenceTrack *self,
                                   double             threshold)
{
  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  /* With the top class shown the line only shows a threshold. */
  threshold = can_move (self) || self->run == NULL ? CLAMP (threshold, 0.0, 1.0) : applied_threshold (self);
  if (threshold == self->threshold)
    return;
  self->threshold = threshold;
  request_preview (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

int
wm_confidence_track_get_class_index (WmConfidenceTrack *self)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), -1);
  return self->class_index;
}

void
wm_confidence_track_set_class_index (WmConfidenceTrack *self,
                                     int                class_index)
{
  g_return_if_fail (WM_IS_CONFIDENCE_TRACK (self));

  if (class_index < 0 || (self->run != NULL && (class_index >= (int) n_classes (self)
                                                || class_index == self->background)))
    class_index = -1;
  if (class_index == self->class_index)
    return;
  self->class_index = class_index;
  /* Another class: its own stored threshold. */
  self->threshold = applied_threshold (self);
  if (self->run != NULL)
    fill_class_menu (self);
  request_preview (self);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASS_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

gboolean
wm_confidence_track_apply (WmConfidenceTrack *self,
                           GError           **error)
{
  g_autoptr(WmLabelRule) rule = NULL;
  g_autoptr(WmRun) run = NULL;
  gint64 run_id;

  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->run == NULL || self->store == NULL)
    {
      g_set_error_literal (error, WM_STORE_ERROR, WM_STORE_ERROR_NOT_FOUND,
                           _("The recording has no auto-label run"));
      return FALSE;
    }
  if (!can_move (self))
    {
      g_set_error_literal (error, WM_LABEL_RULE_ERROR, WM_LABEL_RULE_ERROR_INVALID,
                           _("Pick a class to move its threshold: with the top class shown the line would move "
                             "every class’s"));
      return FALSE;
    }
  run_id = self->run->id;
  rule = dup_rule (self, self->threshold);
  if (!wm_autolabel_rethreshold (self->store, run_id, rule, NULL, error))
    return FALSE;

  run = wm_store_get_run (self->store, run_id, error);
  if (run == NULL)
    return FALSE;
  wm_run_free (self->run);
  self->run = g_steal_pointer (&run);
  wm_label_rule_free (self->rule);
  self->rule = wm_label_rule_new_for_run (self->run);
  g_clear_pointer (&self->ghosts, wm_label_rule_result_free);
  invalidate (self);
  g_signal_emit (self, signals[APPLIED], 0, run_id);
  return TRUE;
}

gboolean
wm_confidence_track_get_preview (WmConfidenceTrack *self,
                                 WmAutolabelCounts *recording,
                                 WmAutolabelCounts *run)
{
  g_return_val_if_fail (WM_IS_CONFIDENCE_TRACK (self), FALSE);

  if (!self->preview_valid)
    return FALSE;
  if (recording != NULL)
    *recording = self->preview_recording;
  if (run != NULL)
    *run = self->preview_run;
  return TRUE;
}
