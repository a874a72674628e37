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
#include <sqlite3.h>
#include <string.h>

#include "wm-export-private.h"

#define BACKGROUND "background"
#define CHUNK_BYTES (1 << 20)

static const char * const split_names[] = { "train", "validation", "test" };

typedef struct {
  gint64        start;
  const char   *source;    /* human, model, review, review-negative, background */
  guint         recording; /* index into the selected recordings */
  gint32        klass;     /* index into the dataset's classes; 0 = background */
  guint         split;
} Window;

/* Files written through a SHA-256 as they go.  The export fills buffers
 * from a small pool shared by all its files; a full buffer goes to one
 * hashing thread and, at the same time, the export's own thread writes it
 * out, so that hashing overlaps reading, converting and writing rather
 * than following them (hashing costs about as much as writing the bytes).
 * A buffer comes back to the pool once it is written and hashed.  Nettle's
 * SHA-256 uses the CPU's SHA instructions where there are some.  The pool
 * is small and reused from file to file: fresh memory is expensive to touch
 * the first time. */
#define HASH_BUFFER_SIZE (256 << 10)
#define HASH_N_BUFFERS   8

typedef struct _HashedFile HashedFile;

typedef struct {
  HashedFile *file; /* NULL ends the thread */
  gboolean    sync; /* a marker: everything before it is hashed */
  gsize       len;
  guint8     *data;
} HashBuffer;

typedef struct {
  GThread     *thread;
  GAsyncQueue *todo;   /* to the thread, in order */
  GAsyncQueue *free;   /* hashed buffers back */
  GAsyncQueue *synced; /* markers back */
  HashBuffer   buffers[HASH_N_BUFFERS];
  HashBuffer   marker;
} Hasher;

struct _HashedFile
{
  Hasher            *hasher;
  WmAtomicFile      *file;
  FILE              *stream;
  struct sha256_ctx  sha256; /* the thread's until hashed_file_sync */
  char              *name;
  char              *digest;
  HashBuffer        *current;
};

static gpointer
hasher_thread (gpointer data)
{
  Hasher *hasher = data;

  for (;;)
    {
      HashBuffer *b = g_async_queue_pop (hasher->todo);

      if (b->file == NULL)
        return NULL;
      if (b->sync)
        {
          g_async_queue_push (hasher->synced, b);
          continue;
        }
      sha256_update (&b->file->sha256, b->len, b->data);
      b->file = NULL;
      b->len = 0;
      g_async_queue_push (hasher->free, b);
    }
}

static Hasher *
hasher_new (void)
{
  Hasher *hasher = g_new0 (Hasher, 1);

  hasher->todo = g_async_queue_new ();
  hasher->free = g_async_queue_new ();
  hasher->synced = g_async_queue_new ();
  for (guint i = 0; i < HASH_N_BUFFERS; i++)
    {
      /* Not zeroed: only the pages a small export uses get touched. */
      hasher->buffers[i].data = g_malloc (HASH_BUFFER_SIZE);
      g_async_queue_push (hasher->free, &hasher->buffers[i]);
    }
  hasher->thread = g_thread_new ("wm-export-hash", hasher_thread, hasher);
  return hasher;
}

static void
hasher_free (Hasher *hasher)
{
  HashBuffer end = { NULL, FALSE, 0, NULL };

  if (hasher == NULL)
    return;
  g_async_queue_push (hasher->todo, &end);
  g_thread_join (hasher->thread);
  g_async_queue_unref (hasher->todo);
  g_async_queue_unref (hasher->free);
  g_async_queue_unref (hasher->synced);
  for (guint i = 0; i < HASH_N_BUFFERS; i++)
    g_free (hasher->buffers[i].data);
  g_free (hasher);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Hasher, hasher_free)

static HashedFile *
hashed_file_new (Hasher      *hasher,
                 const char  *dir,
                 const char  *name,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  WmAtomicFile *file = wm_atomic_file_new (path, error);
  HashedFile *h;

  if (file == NULL)
    return NULL;
  h = g_new0 (HashedFile, 1);
  h->hasher = hasher;
  h->file = file;
  h->stream = wm_atomic_file_stream (file);
  sha256_init (&h->sha256);
  h->name = g_strdup (name);
  return h;
}

/* Hands the current buffer to the thread and writes it meanwhile. */
static void
hashed_file_submit (HashedFile *h)
{
  HashBuffer *b = g_steal_pointer (&h->current);
  const guint8 *data;
  gsize len;

  if (b == NULL)
    return;
  if (b->len == 0)
    {
      b->file = NULL;
      g_async_queue_push (h->hasher->free, b);
      return;
    }
  data = b->data;
  len = b->len;
  g_async_queue_push (h->hasher->todo, b);
  /* The thread reads the bytes as this one writes them, then empties the
   * buffer and gives it back to the pool; this thread takes buffers from
   * the pool only after its write. */
  fwrite (data, 1, len, h->stream);
}

/* @len bytes at the end of @h, to fill now; NULL when more than a buffer. */
static void *
hashed_file_reserve (HashedFile *h,
                     gsize       len)
{
  void *space;

  if (len > HASH_BUFFER_SIZE)
    return NULL;
  if (h->current != NULL && h->current->len + len > HASH_BUFFER_SIZE)
    hashed_file_submit (h);
  if (h->current == NULL)
    {
      h->current = g_async_queue_pop (h->hasher->free);
      h->current->file = h;
    }
  space = h->current->data + h->current->len;
  h->current->len += len;
  return space;
}

static void
hashed_file_write (HashedFile *h,
                   const void *data,
                   gsize       len)
{
  const guint8 *bytes = data;

  while (len > 0)
    {
      gsize room = h->current != NULL ? HASH_BUFFER_SIZE - h->current->len : 0;
      /* A full (or no) buffer: reserve takes a fresh one. */
      gsize n = MIN (len, room > 0 ? room : HASH_BUFFER_SIZE);

      memcpy (hashed_file_reserve (h, n), bytes, n);
      bytes += n;
      len -= n;
    }
}

/* Submits what is buffered and waits until all of @h is hashed. */
static void
hashed_file_sync (HashedFile *h)
{
  HashBuffer *marker = &h->hasher->marker;

  hashed_file_submit (h);
  marker->file = h;
  marker->sync = TRUE;
  g_async_queue_push (h->hasher->todo, marker);
  g_assert (g_async_queue_pop (h->hasher->synced) == marker);
  marker->file = NULL;
}

static gboolean
hashed_file_commit (HashedFile  *h,
                    GError     **error)
{
  guint8 digest[SHA256_DIGEST_SIZE];

  hashed_file_sync (h);
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
  if (h->file != NULL)
    {
      /* The thread may still hash buffers of @h. */
      hashed_file_sync (h);
      wm_atomic_file_abort (h->file);
    }
  g_free (h->name);
  g_free (h->digest);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HashedFile, hashed_file_free)

/* int16 samples as float32 in [-1, 1): eight at a time through GCC's
 * vector extension, which compiles to SIMD where the plain loop would
 * stay scalar at -O2.  Scaling by a power of two is exact either way. */
static void
int16_to_float (const gint16 *in,
                float        *out,
                gsize         n)
{
  gsize k = 0;

#if defined(__GNUC__) && !defined(__STRICT_ANSI__)
  typedef gint16 Int16x8 __attribute__ ((vector_size (16)));
  typedef float Float32x8 __attribute__ ((vector_size (32)));

  for (; k + 8 <= n; k += 8)
    {
      Int16x8 s;
      Float32x8 f;

      memcpy (&s, in + k, sizeof s);
      f = __builtin_convertvector (s, Float32x8) * (1.0f / 32768.0f);
      memcpy (out + k, &f, sizeof f);
    }
#endif
  for (; k < n; k++)
    out[k] = in[k] * (1.0f / 32768.0f);
}

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

/* @value in decimal at @p; returns the end.  The index has a row per
 * window: printf's set-up per number cost more than the rest of the row. */
static char *
append_int64 (char   *p,
              gint64  value)
{
  char digits[20];
  guint64 v = value < 0 ? -(guint64) value : (guint64) value;
  guint n = 0;

  if (value < 0)
    *p++ = '-';
  do
    digits[n++] = (char) ('0' + v % 10);
  while ((v /= 10) > 0);
  while (n > 0)
    *p++ = digits[--n];
  return p;
}

/* A dataset reads every sample block once.  Through the project's page
 * cache (16 MiB) the scan would only push out pages worth keeping and, in a
 * fresh process, fill that much new memory, whose first touch costs about
 * as much as the reads.  So the scan runs with a small cache, and the
 * project's setting comes back when the export ends. */
typedef struct {
  WmStore *store;
  gint64   previous; /* PRAGMA cache_size before the scan */
} ScanCache;

static ScanCache
scan_cache_begin (WmStore *store)
{
  sqlite3 *db = wm_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  ScanCache cache = { NULL, 0 };

  if (sqlite3_prepare_v2 (db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    cache.previous = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (cache.previous != 0 && sqlite3_exec (db, "PRAGMA cache_size = -1024", NULL, NULL, NULL) == SQLITE_OK)
    cache.store = store;
  return cache;
}

static void
scan_cache_end (ScanCache *cache)
{
  g_autofree char *sql = NULL;

  if (cache->store == NULL)
    return;
  sql = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache->previous);
  sqlite3_exec (wm_store_get_db (cache->store), sql, NULL, NULL, NULL);
  cache->store = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScanCache, scan_cache_end)

/* A model named as the CLI names it, NAME[@VERSION] (autolabel's labels
 * carry "name@version" as their model version). */
static WmStoredModel *
find_model (WmStore     *store,
            const char  *spec,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, "@", 2);

  return wm_store_find_model (store, parts[0], parts[1], NULL, error);
}

static void
add_context_string (JsonBuilder *b,
                    JsonObject  *metadata,
                    const char  *member)
{
  const char *value = metadata != NULL ? json_object_get_string_member_with_default (metadata, member, NULL) : NULL;

  json_builder_set_member_name (b, member);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The file keeps them comma-separated; a list here. */
static void
add_device_types (JsonBuilder *b,
                  JsonObject  *metadata)
{
  const char *device_types = metadata != NULL ? json_object_get_string_member_with_default (metadata, "device_types", NULL) : NULL;

  json_builder_set_member_name (b, "device_types");
  json_builder_begin_array (b);
  if (device_types != NULL)
    {
      g_auto(GStrv) types = g_strsplit (device_types, ",", -1);
      for (char **t = types; *t != NULL; t++)
        if (*g_strstrip (*t) != '\0')
          json_builder_add_string_value (b, *t);
    }
  json_builder_end_array (b);
}

/* What the model file says of the data it was made for (its data context:
 * use case, device types, dataset hash), as the project keeps it, and what
 * the model is to this dataset: its front-end shaped the windows, its
 * labels are in it, or both.  A label's model that the project no longer
 * has is named with in_project false. */
static void
add_model_context (JsonBuilder         *b,
                   const WmStoredModel *m,
                   const char          *label_version,
                   gboolean             front_end,
                   gboolean             labels)
{
  g_autoptr(JsonNode) node = m != NULL ? json_from_string (m->metadata, NULL) : NULL;
  JsonObject *metadata = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_auto(GStrv) spec = g_strsplit (label_version != NULL ? label_version : "", "@", 2);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, m != NULL ? m->name : spec[0]);
  json_builder_set_member_name (b, "version");
  if (m != NULL || spec[1] != NULL)
    json_builder_add_string_value (b, m != NULL ? m->version : spec[1]);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "in_project");
  json_builder_add_boolean_value (b, m != NULL);
  json_builder_set_member_name (b, "variant");
  if (m != NULL)
    json_builder_add_string_value (b, m->variant);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sha256");
  if (m != NULL)
    json_builder_add_string_value (b, m->sha256);
  else
    json_builder_add_null_value (b);
  add_context_string (b, metadata, "use_case");
  add_device_types (b, metadata);
  add_context_string (b, metadata, "dataset_hash");
  add_context_string (b, metadata, "created_at");
  json_builder_set_member_name (b, "roles");
  json_builder_begin_array (b);
  if (front_end)
    json_builder_add_string_value (b, "front-end");
  if (labels)
    json_builder_add_string_value (b, "labels");
  json_builder_end_array (b);
  json_builder_end_object (b);
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
  g_autoptr(WmStoredModel) front_end = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(Hasher) hasher = NULL;
  g_auto(ScanCache) scan_cache = { NULL, 0 };
  g_autoptr(HashedFile) index = NULL;
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(WmAtomicFile) manifest = NULL;
  g_autofree guint *splits = NULL;
  g_autofree float *block = NULL;
  float *x_row;
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
  if (options->model != NULL && (front_end = find_model (store, options->model, error)) == NULL)
    return FALSE;
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
          Window w = { 0, wm_label_source_to_string (l->source), i, k, splits[i] };

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
          Window w = { 0, "review-negative", i, 0, splits[i] };

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
            Window w = { g_array_index (starts, gint64, j), BACKGROUND, i, 0, splits[i] };
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
  hasher = hasher_new ();
  if ((index = hashed_file_new (hasher, output, "index.csv", error)) == NULL)
    return FALSE;
  {
    static const char index_header[] = "split,row,recording,recording_id,start_frame,class,source\n";
    hashed_file_write (index, index_header, strlen (index_header));
  }

  /* Windows come sorted by split, recording and start: read a long run of
   * frames once and cut the windows out of it, rather than a query per
   * window. */
  scan_cache = scan_cache_begin (store);
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
      if ((x = hashed_file_new (hasher, output, x_name, error)) == NULL ||
          (y = hashed_file_new (hasher, output, y_name, error)) == NULL)
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
          char row[64];
          char *end;

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
          /* Straight into the file's buffer, unless a window is larger. */
          x_row = hashed_file_reserve (x, n * sizeof (float));
          if (x_row == NULL)
            x_row = block;
          if (r->sample_format == WM_SAMPLE_FORMAT_INT16)
            int16_to_float ((const gint16 *) raw + offset, x_row, n);
          else
            memcpy (x_row, (const float *) raw + offset, n * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
          for (gsize k = 0; k < n; k++)
            {
              guint32 bits;
              memcpy (&bits, &x_row[k], sizeof bits);
              bits = GUINT32_SWAP_LE_BE (bits);
              memcpy (&x_row[k], &bits, sizeof bits);
            }
#endif
          if (x_row == block)
            hashed_file_write (x, block, n * sizeof (float));
          hashed_file_write (y, &klass, sizeof klass);
          end = row + strlen (split_names[split]);
          memcpy (row, split_names[split], end - row);
          *end++ = ',';
          end = append_int64 (end, row_in_split);
          *end++ = ',';
          hashed_file_write (index, row, end - row);
          hashed_file_write (index, name, strlen (name));
          end = row;
          *end++ = ',';
          end = append_int64 (end, r->id);
          *end++ = ',';
          end = append_int64 (end, w->start);
          *end++ = ',';
          hashed_file_write (index, row, end - row);
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
  /* The use case and devices the dataset is for: the front-end model's. */
  {
    g_autoptr(JsonNode) node = front_end != NULL ? json_from_string (front_end->metadata, NULL) : NULL;
    JsonObject *metadata = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

    add_context_string (b, metadata, "use_case");
    add_device_types (b, metadata);
  }
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  {
    g_autoptr(GList) versions = g_list_sort (g_hash_table_get_keys (model_versions), (GCompareFunc) g_strcmp0);
    g_autoptr(GPtrArray) label_models = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_stored_model_free);
    gboolean front_end_has_labels = FALSE;

    for (GList *v = versions; v != NULL; v = v->next)
      {
        WmStoredModel *m = find_model (store, v->data, NULL);

        if (m != NULL && front_end != NULL && m->id == front_end->id)
          front_end_has_labels = TRUE;
        g_ptr_array_add (label_models, m);
      }
    if (front_end != NULL)
      add_model_context (b, front_end, NULL, TRUE, front_end_has_labels);
    for (GList *v = versions; v != NULL; v = v->next)
      {
        WmStoredModel *m = g_ptr_array_steal_index (label_models, 0);

        if (m == NULL || front_end == NULL || m->id != front_end->id)
          add_model_context (b, m, v->data, FALSE, TRUE);
        g_clear_pointer (&m, wm_stored_model_free);
      }
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
