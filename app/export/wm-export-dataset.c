/* wm-export-dataset.c — windows ready to train on: X.npy and y.npy per split, index, manifest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Positive windows step through each selected label; rejected review items
 * give windows of class "background" (the model was wrong there); other
 * background windows are drawn from stretches no label covers.  Recordings,
 * not windows, are split into train, validation and test, so no recording
 * feeds two splits; each split is a directory with its X.npy and y.npy (the
 * layout wmm-train reads), and index.csv names every row of every split.
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <nettle/sha2.h>
#include <string.h>

#include "wm-export-private.h"

#define BACKGROUND "background"
#define CHUNK_BYTES (4 << 20)

static const char * const split_names[] = { "train", "validation", "test" };

typedef struct {
  guint         recording; /* index into the selected recordings */
  gint64        start;
  gint32        klass;     /* index into the dataset's classes; 0 = background */
  const char   *source;    /* human, model, review, review-negative, background */
  guint         split;
} Window;

/* A file written through a SHA-256 as it goes.  The caller fills buffers;
 * a thread of the file's own hashes and writes them, so that hashing and
 * writing overlap reading and converting samples (hashing is a third of the
 * work otherwise).  Nettle's SHA-256 uses the CPU's SHA instructions where
 * there are some: several times GLib's speed. */
#define HASH_BUFFER_SIZE (1 << 20)
#define HASH_N_BUFFERS   4

typedef struct {
  gsize  len;
  guint8 data[HASH_BUFFER_SIZE];
} HashBuffer;

typedef struct {
  WmAtomicFile      *file;
  struct sha256_ctx  sha256;
  char              *name;
  char              *digest;
  GThread           *thread;
  GAsyncQueue       *full;    /* to the thread; a buffer of length 0 ends it */
  GAsyncQueue       *empty;   /* back from the thread */
  HashBuffer        *current;
} HashedFile;

static gpointer
hashed_file_thread (gpointer data)
{
  HashedFile *h = data;
  FILE *out = wm_atomic_file_stream (h->file);

  for (;;)
    {
      HashBuffer *b = g_async_queue_pop (h->full);
      gsize len = b->len;

      if (len > 0)
        {
          sha256_update (&h->sha256, len, b->data);
          fwrite (b->data, 1, len, out);
        }
      b->len = 0;
      g_async_queue_push (h->empty, b);
      if (len == 0)
        return NULL;
    }
}

static HashedFile *
hashed_file_new (const char  *dir,
                 const char  *name,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  WmAtomicFile *file = wm_atomic_file_new (path, error);
  HashedFile *h;

  if (file == NULL)
    return NULL;
  h = g_new0 (HashedFile, 1);
  h->file = file;
  sha256_init (&h->sha256);
  h->name = g_strdup (name);
  h->full = g_async_queue_new ();
  h->empty = g_async_queue_new_full (g_free);
  for (guint i = 0; i < HASH_N_BUFFERS; i++)
    g_async_queue_push (h->empty, g_new0 (HashBuffer, 1));
  h->current = g_async_queue_pop (h->empty);
  h->thread = g_thread_new ("wm-export-hash", hashed_file_thread, h);
  return h;
}

static void
hashed_file_write (HashedFile *h,
                   const void *data,
                   gsize       len)
{
  const guint8 *bytes = data;

  while (len > 0)
    {
      gsize n = MIN (len, HASH_BUFFER_SIZE - h->current->len);

      memcpy (h->current->data + h->current->len, bytes, n);
      h->current->len += n;
      bytes += n;
      len -= n;
      if (h->current->len == HASH_BUFFER_SIZE)
        {
          g_async_queue_push (h->full, h->current);
          h->current = g_async_queue_pop (h->empty);
        }
    }
}

/* Hands over what is buffered, then an empty buffer that ends the thread. */
static void
hashed_file_finish_thread (HashedFile *h)
{
  if (h->thread == NULL)
    return;
  if (h->current->len > 0)
    {
      g_async_queue_push (h->full, h->current);
      h->current = g_async_queue_pop (h->empty);
    }
  g_async_queue_push (h->full, h->current);
  h->current = NULL;
  g_thread_join (g_steal_pointer (&h->thread));
}

static gboolean
hashed_file_commit (HashedFile  *h,
                    GError     **error)
{
  guint8 digest[SHA256_DIGEST_SIZE];

  hashed_file_finish_thread (h);
  sha256_digest (&h->sha256, sizeof digest, digest);
  h->digest = g_new (char, 2 * SHA256_DIGEST_SIZE + 1);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (h->digest + 2 * i, 3, "%02x", digest[i]);
  return wm_atomic_file_commit (g_steal_pointer (&h->file), error);
}

static void
hashed_file_free (HashedFile *h)
{
  if (h == NULL)
    return;
  hashed_file_finish_thread (h);
  if (h->file != NULL)
    wm_atomic_file_abort (h->file);
  g_async_queue_unref (h->full);
  g_async_queue_unref (h->empty);
  g_free (h->name);
  g_free (h->digest);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HashedFile, hashed_file_free)

/* NumPy's .npy format, version 1.0: magic, version, little-endian header
 * length, then a Python dict literal padded with spaces to a multiple of 64
 * bytes and ended by a newline. */
static void
write_npy_header (HashedFile *h,
                  const char *descr,
                  const char *shape)
{
  g_autoptr(GString) header = g_string_new (NULL);
  guint8 prefix[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };

  g_string_append_printf (header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
  while ((sizeof prefix + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');
  prefix[8] = header->len & 0xff;
  prefix[9] = (header->len >> 8) & 0xff;
  hashed_file_write (h, prefix, sizeof prefix);
  hashed_file_write (h, header->str, header->len);
}

/* The stretches [start, end) of a recording that no label touches, as pairs
 * of gint64, from its label spans ordered by start; a point event occupies
 * its frame. */
static GArray *
free_stretches (GArray *spans,
                gint64  n_frames)
{
  GArray *free = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 cursor = 0;

  for (guint i = 0; i + 1 < spans->len; i += 2)
    {
      gint64 s = g_array_index (spans, gint64, i);
      gint64 e = MAX (g_array_index (spans, gint64, i + 1), s + 1);

      if (s > cursor)
        {
          g_array_append_val (free, cursor);
          g_array_append_val (free, s);
        }
      cursor = MAX (cursor, e);
    }
  if (cursor < n_frames)
    {
      g_array_append_val (free, cursor);
      g_array_append_val (free, n_frames);
    }
  return free;
}

/* Up to @wanted distinct window starts drawn uniformly from all the starts
 * whose window lies inside a free stretch. */
static void
draw_background (GArray  *free,
                 gint64   window,
                 guint    wanted,
                 GRand   *rand,
                 GArray  *out_starts)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 total = 0;

  for (guint i = 0; i < free->len; i += 2)
    total += MAX (0, g_array_index (free, gint64, i + 1) - g_array_index (free, gint64, i) - window + 1);
  if ((gint64) wanted > total)
    wanted = (guint) total;

  g_array_set_size (drawn, wanted);
  for (guint got = 0; got < wanted;)
    {
      gint64 k = (gint64) (g_rand_double (rand) * (double) total);

      for (guint i = 0; i < free->len; i += 2)
        {
          gint64 n = MAX (0, g_array_index (free, gint64, i + 1) - g_array_index (free, gint64, i) - window + 1);
          if (k < n)
            {
              gint64 *start = &g_array_index (drawn, gint64, got);
              *start = g_array_index (free, gint64, i) + k;
              if (!g_hash_table_contains (taken, start))
                {
                  g_hash_table_add (taken, start);
                  got++;
                }
              break;
            }
          k -= n;
        }
    }
  g_array_append_vals (out_starts, drawn->data, drawn->len);
}

static gint64
clamp_window (gint64 start,
              gint64 window,
              gint64 n_frames)
{
  return CLAMP (start, 0, n_frames - window);
}

static gint32
class_index (GPtrArray  *classes,
             const char *name)
{
  for (guint i = 0; i < classes->len; i++)
    if (g_str_equal (classes->pdata[i], name))
      return (gint32) i;
  g_ptr_array_add (classes, g_strdup (name));
  return (gint32) classes->len - 1;
}

/* Splits the recordings by seed: each gets a split, train first. */
static void
assign_splits (guint        n_recordings,
               const double fractions[3],
               guint32      seed,
               guint       *out_split)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint *order = g_new (guint, n_recordings);
  guint n_validation, n_test;

  for (guint i = 0; i < n_recordings; i++)
    order[i] = i;
  for (guint i = n_recordings; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, (gint32) i);
      guint t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
  n_validation = (guint) (fractions[1] * n_recordings + 0.5);
  n_test = (guint) (fractions[2] * n_recordings + 0.5);
  /* Training needs a recording; so does a split asked for, when there are enough. */
  if (fractions[1] > 0 && n_validation == 0 && n_recordings >= 3)
    n_validation = 1;
  if (fractions[2] > 0 && n_test == 0 && n_recordings >= 3)
    n_test = 1;
  while (n_validation + n_test >= n_recordings && n_recordings > 0)
    {
      if (n_test >= n_validation && n_test > 0)
        n_test--;
      else
        n_validation--;
    }
  for (guint i = 0; i < n_recordings; i++)
    out_split[order[i]] = i < n_recordings - n_validation - n_test ? 0 : i < n_recordings - n_test ? 1 : 2;
}

static int
compare_windows (gconstpointer a,
                 gconstpointer b)
{
  const Window *wa = a, *wb = b;

  if (wa->split != wb->split)
    return wa->split < wb->split ? -1 : 1;
  if (wa->recording != wb->recording)
    return wa->recording < wb->recording ? -1 : 1;
  return wa->start < wb->start ? -1 : wa->start > wb->start ? 1 : 0;
}

static void
add_string_array (JsonBuilder *b,
                  const char  *member,
                  char       **strings,
                  guint        n)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value (b, strings[i] != NULL ? strings[i] : "");
  json_builder_end_array (b);
}

gboolean
wm_export_dataset (WmStore                 *store,
                   const WmExportSelection *selection,
                   const WmDatasetOptions  *options,
                   const char              *output,
                   WmExportSummary         *out_summary,
                   GError                 **error)
{
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GPtrArray) classes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (Window));
  g_autoptr(GPtrArray) review_items = NULL;
  g_autoptr(GHashTable) model_versions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GRand) rand = NULL;
  g_autoptr(HashedFile) index = NULL;
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(WmAtomicFile) manifest = NULL;
  g_autofree guint *splits = NULL;
  g_autofree float *block = NULL;
  g_autofree void *raw = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  static const WmExportSelection everything = { 0 };
  WmExportSummary summary = { 0 };
  const WmRecording *first;
  guint n_negative = 0;
  g_autoptr(GPtrArray) recording_names = g_ptr_array_new_with_free_func (g_free);
  guint chunk_recording = G_MAXUINT;
  gint64 chunk_first = 0, chunk_length = 0, chunk_frames;
  guint split_counts[3] = { 0, 0, 0 };
  guint channels;
  gint64 window, hop;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (output != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (selection == NULL)
    selection = &everything;
  window = options->window_frames;
  hop = options->hop_frames > 0 ? options->hop_frames : window;
  if (window <= 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID, _("a dataset needs a window of at least one frame"));
      return FALSE;
    }
  selected = wm_export_collect (store, selection, &summary.n_labels, error);
  if (selected == NULL)
    return FALSE;
  if (selected->len == 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID, _("the project has no recordings to export"));
      return FALSE;
    }
  first = ((RecordingLabels *) selected->pdata[0])->recording;
  channels = first->n_channels;
  for (guint i = 1; i < selected->len; i++)
    {
      const WmRecording *r = ((RecordingLabels *) selected->pdata[i])->recording;
      if (r->n_channels != channels || r->sample_rate != first->sample_rate)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                       _("recording “%s” has %u channel(s) at %g Hz and “%s” %u at %g Hz: a dataset needs "
                         "one shape; select recordings with --recording"),
                       first->name, channels, first->sample_rate, r->name, r->n_channels, r->sample_rate);
          return FALSE;
        }
    }

  /* Class indices follow the project's classes, so that they stay the same
   * from one export to the next; 0 is background. */
  g_ptr_array_add (classes, g_strdup (BACKGROUND));
  {
    g_autoptr(GPtrArray) project_classes = wm_store_list_classes (store, error);

    if (project_classes == NULL)
      return FALSE;
    for (guint i = 0; i < project_classes->len; i++)
      {
        const WmClass *c = project_classes->pdata[i];
        if (selection->classes == NULL ||
            g_strv_contains ((const char * const *) selection->classes, c->name))
          class_index (classes, c->name);
      }
  }
  splits = g_new0 (guint, selected->len);
  assign_splits (selected->len, options->split, options->seed, splits);
  review_items = wm_store_list_review_items (store, 0, FALSE, 0, error);
  if (review_items == NULL)
    return FALSE;
  rand = g_rand_new_with_seed (options->seed);

  for (guint i = 0; i < selected->len; i++)
    {
      RecordingLabels *rl = selected->pdata[i];
      const WmRecording *r = rl->recording;
      g_autoptr(GArray) spans = NULL;
      guint positives_here = 0;

      if (r->n_frames < window)
        continue;
      for (guint j = 0; j < rl->labels->len; j++)
        {
          const WmLabel *l = rl->labels->pdata[j];
          gint32 k = class_index (classes, l->class_name);
          gint64 length = l->end_frame - l->start_frame;
          Window w = { i, 0, k, wm_label_source_to_string (l->source), splits[i] };

          if (l->source == WM_LABEL_SOURCE_MODEL && l->model_version != NULL)
            g_hash_table_add (model_versions, l->model_version);
          if (length <= window)
            {
              w.start = clamp_window (l->start_frame + length / 2 - window / 2, window, r->n_frames);
              g_array_append_val (windows, w);
              positives_here++;
              continue;
            }
          for (gint64 s = l->start_frame; s + window <= l->end_frame; s += hop)
            {
              w.start = s;
              g_array_append_val (windows, w);
              positives_here++;
            }
        }

      for (guint j = 0; options->review_negatives && j < review_items->len; j++)
        {
          const WmReviewItem *item = review_items->pdata[j];
          Window w = { i, 0, 0, "review-negative", splits[i] };

          if (item->recording_id != r->id || item->state != WM_REVIEW_REJECTED)
            continue;
          w.start = clamp_window ((item->start_frame + item->end_frame) / 2 - window / 2, window, r->n_frames);
          g_array_append_val (windows, w);
          n_negative++;
        }

      /* Background from what no label covers, whatever its source or class. */
      spans = wm_store_list_label_spans (store, r->id, 0, error);
      if (spans == NULL)
        return FALSE;
      {
        g_autoptr(GArray) free = free_stretches (spans, r->n_frames);
        g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));

        draw_background (free, window, (guint) (options->background_ratio * positives_here + 0.5), rand, starts);
        for (guint j = 0; j < starts->len; j++)
          {
            Window w = { i, g_array_index (starts, gint64, j), 0, BACKGROUND, splits[i] };
            g_array_append_val (windows, w);
          }
      }
    }
  g_array_sort (windows, compare_windows);
  for (guint i = 0; i < selected->len; i++)
    {
      const char *name = ((RecordingLabels *) selected->pdata[i])->recording->name;
      g_ptr_array_add (recording_names, wm_export_csv_field (name));
    }
  for (guint i = 0; i < windows->len; i++)
    split_counts[g_array_index (windows, Window, i).split]++;

  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", output, g_strerror (errno));
      return FALSE;
    }
  if ((index = hashed_file_new (output, "index.csv", error)) == NULL)
    return FALSE;
  {
    static const char index_header[] = "split,row,recording,recording_id,start_frame,class,source\n";
    hashed_file_write (index, index_header, strlen (index_header));
  }

  /* Windows come sorted by split, recording and start: read a long run of
   * frames once and cut the windows out of it, rather than a query per
   * window. */
  chunk_frames = MAX (window, (gint64) (CHUNK_BYTES / (channels * sizeof (float))));
  block = g_new (float, window * channels);
  raw = g_malloc (chunk_frames * channels * sizeof (float));
  for (guint split = 0, i = 0; split < 3; split++)
    {
      g_autofree char *split_dir = g_build_filename (output, split_names[split], NULL);
      g_autofree char *x_name = g_strconcat (split_names[split], "/X.npy", NULL);
      g_autofree char *y_name = g_strconcat (split_names[split], "/y.npy", NULL);
      g_autoptr(HashedFile) x = NULL;
      g_autoptr(HashedFile) y = NULL;

      if (g_mkdir_with_parents (split_dir, 0755) != 0)
        {
          g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", split_dir, g_strerror (errno));
          return FALSE;
        }
      if ((x = hashed_file_new (output, x_name, error)) == NULL ||
          (y = hashed_file_new (output, y_name, error)) == NULL)
        return FALSE;
      g_free (shape);
      shape = g_strdup_printf ("(%u, %" PRId64 ", %u)", split_counts[split], window, channels);
      write_npy_header (x, "<f4", shape);
      g_free (shape);
      shape = g_strdup_printf ("(%u,)", split_counts[split]);
      write_npy_header (y, "<i4", shape);

      for (guint row_in_split = 0; row_in_split < split_counts[split]; row_in_split++, i++)
        {
          const Window *w = &g_array_index (windows, Window, i);
          const WmRecording *r = ((RecordingLabels *) selected->pdata[w->recording])->recording;
          const char *name = recording_names->pdata[w->recording];
          gint32 klass = GINT32_TO_LE (w->klass);
          gsize n = window * channels;
          gsize offset;
          char row[512];
          int row_len;

          g_assert (w->split == split);
          if (w->recording != chunk_recording || w->start < chunk_first ||
              w->start + window > chunk_first + chunk_length)
            {
              chunk_recording = w->recording;
              chunk_first = w->start;
              chunk_length = MIN (chunk_frames, r->n_frames - w->start);
              if (!wm_store_read_frames_raw (store, r->id, chunk_first, chunk_length, raw, error))
                return FALSE;
            }
          offset = (gsize) (w->start - chunk_first) * channels;
          if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
            for (gsize k = 0; k < n; k++)
              block[k] = ((const gint16 *) raw)[offset + k] * (1.0f / 32768.0f);
          else
            memcpy (block, (const float *) raw + offset, n * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
          for (gsize k = 0; k < n; k++)
            {
              guint32 bits;
              memcpy (&bits, &block[k], sizeof bits);
              bits = GUINT32_SWAP_LE_BE (bits);
              memcpy (&block[k], &bits, sizeof bits);
            }
#endif
          hashed_file_write (x, block, n * sizeof (float));
          hashed_file_write (y, &klass, sizeof klass);
          row_len = g_snprintf (row, sizeof row, "%s,%u,", split_names[split], row_in_split);
          hashed_file_write (index, row, row_len);
          hashed_file_write (index, name, strlen (name));
          row_len = g_snprintf (row, sizeof row, ",%" PRId64 ",%" PRId64 ",", r->id, w->start);
          hashed_file_write (index, row, row_len);
          hashed_file_write (index, classes->pdata[w->klass], strlen (classes->pdata[w->klass]));
          hashed_file_write (index, ",", 1);
          hashed_file_write (index, w->source, strlen (w->source));
          hashed_file_write (index, "\n", 1);
        }
      if (!hashed_file_commit (x, error) || !hashed_file_commit (y, error))
        return FALSE;
      g_hash_table_insert (digests, g_strdup (x->name), g_strdup (x->digest));
      g_hash_table_insert (digests, g_strdup (y->name), g_strdup (y->digest));
    }
  if (!hashed_file_commit (index, error))
    return FALSE;
  g_hash_table_insert (digests, g_strdup (index->name), g_strdup (index->digest));

  /* The manifest last: it vouches for the files above. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "waymark-dataset-1");
  add_string_array (b, "classes", (char **) classes->pdata, classes->len);
  json_builder_set_member_name (b, "window");
  json_builder_add_int_value (b, window);
  json_builder_set_member_name (b, "hop");
  json_builder_add_int_value (b, hop);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_double_value (b, first->sample_rate);
  add_string_array (b, "channel_names", first->channel_names, channels);
  add_string_array (b, "channel_units", first->channel_units, channels);
  json_builder_set_member_name (b, "x");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, "float32");
  json_builder_set_member_name (b, "scale");
  json_builder_add_string_value (b, first->sample_format == WM_SAMPLE_FORMAT_INT16 ? "int16 samples / 32768"
                                                                                    : "the recording's units");
  /* What wmm-train and wmm-convert take as --in-scale for this data. */
  if (first->sample_format == WM_SAMPLE_FORMAT_INT16)
    {
      json_builder_set_member_name (b, "int16_lsb");
      json_builder_add_double_value (b, 1.0 / 32768.0);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  {
    static const char * const sources[] = { "human", "model", "review", "review-negative", BACKGROUND };
    for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
      {
        guint count = 0;
        for (guint i = 0; i < windows->len; i++)
          count += g_str_equal (g_array_index (windows, Window, i).source, sources[s]);
        json_builder_set_member_name (b, sources[s]);
        json_builder_add_int_value (b, count);
      }
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "review_negatives");
  json_builder_add_int_value (b, n_negative);
  json_builder_set_member_name (b, "background_ratio");
  json_builder_add_double_value (b, options->background_ratio);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, options->seed);
  json_builder_set_member_name (b, "splits");
  json_builder_begin_object (b);
  {
    for (guint s = 0; s < 3; s++)
      {
        json_builder_set_member_name (b, split_names[s]);
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "shape");
        json_builder_begin_array (b);
        json_builder_add_int_value (b, split_counts[s]);
        json_builder_add_int_value (b, window);
        json_builder_add_int_value (b, channels);
        json_builder_end_array (b);
        json_builder_set_member_name (b, "recordings");
        json_builder_begin_array (b);
        for (guint i = 0; i < selected->len; i++)
          if (splits[i] == s)
            json_builder_add_string_value (b, ((RecordingLabels *) selected->pdata[i])->recording->name);
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "data_context");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "project");
  json_builder_add_string_value (b, wm_store_get_path (store));
  json_builder_set_member_name (b, "recordings");
  json_builder_begin_array (b);
  for (guint i = 0; i < selected->len; i++)
    {
      const WmRecording *r = ((RecordingLabels *) selected->pdata[i])->recording;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, r->name);
      json_builder_set_member_name (b, "source_sha256");
      json_builder_add_string_value (b, r->source_sha256);
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, r->device_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "model_versions");
  json_builder_begin_array (b);
  {
    g_autoptr(GList) versions = g_list_sort (g_hash_table_get_keys (model_versions), (GCompareFunc) g_strcmp0);
    for (GList *v = versions; v != NULL; v = v->next)
      json_builder_add_string_value (b, v->data);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sha256");
  json_builder_begin_object (b);
  {
    g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (digests), (GCompareFunc) g_strcmp0);
    for (GList *l = names; l != NULL; l = l->next)
      {
        json_builder_set_member_name (b, l->data);
        json_builder_add_string_value (b, g_hash_table_lookup (digests, l->data));
      }
  }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  manifest_path = g_build_filename (output, "manifest.json", NULL);
  if ((manifest = wm_atomic_file_new (manifest_path, error)) == NULL)
    return FALSE;
  fputs (text, wm_atomic_file_stream (manifest));
  fputc ('\n', wm_atomic_file_stream (manifest));
  if (!wm_atomic_file_commit (g_steal_pointer (&manifest), error))
    return FALSE;

  summary.n_recordings = selected->len;
  summary.n_windows = windows->len;
  summary.n_files = 8;
  if (out_summary != NULL)
    *out_summary = summary;
  return TRUE;
}
