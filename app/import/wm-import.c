/* wm-import.c — one file, one transaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "waymark-import"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "wm-import-private.h"

#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

G_DEFINE_QUARK (wm-import-error-quark, wm_import_error)

void
wm_import_options_init (WmImportOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->rate = 0.0;
  options->gap_policy = WM_IMPORT_GAP_SPLIT;
  options->gap_tolerance = 1.5;
  options->allow_duplicate = FALSE;
  options->name = NULL;
  options->kind = 0;
}

gboolean
wm_import_path_is_csv (const char *path)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  return g_str_has_suffix (lower, ".csv")
      || g_str_has_suffix (lower, ".tsv")
      || g_str_has_suffix (lower, ".txt");
}

void
wm_import_job_progress (WmImportJob *job,
                        guint64      bytes_done)
{
  gint64 now;

  if (job->progress == NULL)
    return;

  now = g_get_monotonic_time ();
  if (now - job->last_progress_us < PROGRESS_INTERVAL_US)
    return;

  job->last_progress_us = now;
  bytes_done = MIN (bytes_done, job->size);
  job->progress ((double) bytes_done / (double) job->size,
                 bytes_done, job->size, job->progress_data);
}

gboolean
wm_import_job_check_cancel (WmImportJob  *job,
                            GError      **error)
{
  if (!g_cancellable_is_cancelled (job->cancellable))
    return TRUE;

  g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CANCELLED,
               _("%s: import cancelled"), job->path);
  return FALSE;
}

WmRecording *
wm_import_job_new_recording (WmImportJob *job,
                             guint        segment)
{
  WmRecording *recording = wm_recording_new ();
  const char *name = job->options->name != NULL ? job->options->name : job->default_name;

  if (segment > 1)
    recording->name = g_strdup_printf ("%s (%u)", name, segment);
  else
    recording->name = g_strdup (name);
  recording->source_path = g_canonicalize_filename (job->path, NULL);
  recording->kind = job->options->kind;

  return recording;
}

char *
wm_import_sha256_hex (struct sha256_ctx *ctx)
{
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_new (char, 2 * SHA256_DIGEST_SIZE + 1);

  sha256_digest (ctx, SHA256_DIGEST_SIZE, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

void
wm_import_job_prefix_error (WmImportJob  *job,
                            GError      **error)
{
  g_prefix_error (error, "%s: ", job->path);
}

static gboolean
check_path (const char  *path,
            guint64     *out_size,
            GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_NOT_FOUND,
                     _("%s: no such file"), path);
      else
        g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_READ,
                     _("%s: cannot read: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_IS_DIRECTORY,
                   _("%s: is a directory, not a recording"), path);
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: not a regular file"), path);
      return FALSE;
    }

  if (st.st_size == 0)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_EMPTY,
                   _("%s: the file is empty (0 bytes)"), path);
      return FALSE;
    }

  *out_size = st.st_size;
  return TRUE;
}

static gboolean
check_options (const char             *path,
               const WmImportOptions  *options,
               GError                **error)
{
  if (!(options->rate >= 0.0 && isfinite (options->rate)))
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                   _("%s: the sample rate must be a positive number of Hz"), path);
      return FALSE;
    }

  if (!(options->gap_tolerance > 1.0 && isfinite (options->gap_tolerance)))
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                   _("%s: the gap tolerance must be more than 1 sample interval"), path);
      return FALSE;
    }

  if (options->gap_policy != WM_IMPORT_GAP_SPLIT && options->gap_policy != WM_IMPORT_GAP_ERROR)
    {
      g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                   _("%s: unknown gap policy %d"), path, options->gap_policy);
      return FALSE;
    }

  return TRUE;
}

static char *
name_without_extension (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

/* The source hash is known only once the whole file was read, after the
 * recordings were written; it is stored inside the same transaction. */
static gboolean
store_source_sha256 (WmImportJob  *job,
                     GError      **error)
{
  for (guint i = 0; i < job->recording_ids->len; i++)
    if (!wm_store_set_recording_sha256 (job->store, g_array_index (job->recording_ids, gint64, i),
                                        job->sha256, error))
      {
        wm_import_job_prefix_error (job, error);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_duplicate (WmImportJob  *job,
                 GError      **error)
{
  g_autoptr(WmRecording) existing = NULL;
  gint64 existing_id;

  if (job->options->allow_duplicate)
    return TRUE;

  existing_id = wm_store_find_recording_by_sha256 (job->store, job->sha256);
  if (existing_id == 0)
    return TRUE;

  existing = wm_store_get_recording (job->store, existing_id, NULL);
  g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE,
               _("%s: already imported as recording %" PRId64 " “%s” (same SHA-256); "
                 "allow duplicates to import it again"),
               job->path, existing_id, existing != NULL ? existing->name : "");
  return FALSE;
}

static gboolean
import_in_transaction (WmImportJob  *job,
                       GError      **error)
{
  if (!wm_import_job_check_cancel (job, error))
    return FALSE;

  if (wm_import_path_is_csv (job->path))
    {
      if (!wm_import_csv (job, error))
        return FALSE;
    }
  else
    {
      if (job->options->rate != 0.0)
        {
          g_set_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION,
                       _("%s: a sample rate can only be given for CSV files"), job->path);
          return FALSE;
        }
      if (!wm_import_audio (job, error))
        return FALSE;
    }

  g_assert (job->sha256 != NULL);
  g_assert (job->recording_ids->len > 0);

  return check_duplicate (job, error)
      && store_source_sha256 (job, error);
}

gboolean
wm_import_file (WmStore                *store,
                const char             *path,
                const WmImportOptions  *options,
                WmImportProgressFunc    progress,
                gpointer                user_data,
                GCancellable           *cancellable,
                GArray                **out_recording_ids,
                GError                **error)
{
  WmImportOptions default_options;
  WmImportJob job = { 0 };
  g_autoptr(GArray) recording_ids = NULL;
  gboolean ok;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    {
      wm_import_options_init (&default_options);
      options = &default_options;
    }

  if (!check_options (path, options, error) || !check_path (path, &job.size, error))
    return FALSE;

  recording_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  job.store = store;
  job.path = path;
  job.default_name = name_without_extension (path);
  job.options = options;
  job.cancellable = cancellable;
  job.progress = progress;
  job.progress_data = user_data;
  job.last_progress_us = g_get_monotonic_time ();
  job.recording_ids = recording_ids;

  ok = wm_store_begin (store, error);
  if (!ok)
    wm_import_job_prefix_error (&job, error);
  else
    {
      ok = import_in_transaction (&job, error);
      if (!ok)
        wm_store_rollback (store);
      else
        ok = wm_store_commit (store, error);
    }

  g_free (job.default_name);
  g_free (job.sha256);

  if (!ok)
    return FALSE;

  if (progress != NULL)
    progress (1.0, job.size, job.size, user_data);

  if (out_recording_ids != NULL)
    *out_recording_ids = g_steal_pointer (&recording_ids);
  return TRUE;
}

/* ---- The async variant ------------------------------------------------- */

typedef struct {
  char                 *store_path;
  gboolean              read_only;
  char                 *path;
  WmImportOptions       options;
  char                 *name;
  WmImportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;
  GMainContext         *context;
  GArray               *recording_ids;
} ImportTaskData;

static void
import_task_data_free (ImportTaskData *data)
{
  if (data->progress_data_free != NULL)
    data->progress_data_free (data->progress_data);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_clear_pointer (&data->recording_ids, g_array_unref);
  g_free (data->store_path);
  g_free (data->path);
  g_free (data->name);
  g_free (data);
}

typedef struct {
  ImportTaskData *data;
  GTask          *task; /* keeps data alive until delivered */
  double          fraction;
  guint64         bytes_done;
  guint64         bytes_total;
} ProgressReport;

static gboolean
deliver_progress (gpointer user_data)
{
  ProgressReport *report = user_data;

  report->data->progress (report->fraction, report->bytes_done, report->bytes_total,
                          report->data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_report_free (gpointer user_data)
{
  ProgressReport *report = user_data;

  g_object_unref (report->task);
  g_free (report);
}

static void
forward_progress (double   fraction,
                  guint64  bytes_done,
                  guint64  bytes_total,
                  gpointer user_data)
{
  GTask *task = user_data;
  ImportTaskData *data = g_task_get_task_data (task);
  ProgressReport *report = g_new0 (ProgressReport, 1);

  report->data = data;
  report->task = g_object_ref (task);
  report->fraction = fraction;
  report->bytes_done = bytes_done;
  report->bytes_total = bytes_total;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT,
                              deliver_progress, report, progress_report_free);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportTaskData *data = task_data;
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = wm_store_open (data->store_path,
                         data->read_only ? WM_STORE_OPEN_READ_ONLY : WM_STORE_OPEN_DEFAULT,
                         &error);
  if (store == NULL
      || !wm_import_file (store, data->path, &data->options,
                          data->progress != NULL ? forward_progress : NULL, task,
                          cancellable, &data->recording_ids, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
wm_import_file_async (WmStore                *store,
                      const char             *path,
                      const WmImportOptions  *options,
                      WmImportProgressFunc    progress,
                      gpointer                progress_data,
                      GDestroyNotify          progress_data_free,
                      GCancellable           *cancellable,
                      GAsyncReadyCallback     callback,
                      gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportTaskData *data;

  g_return_if_fail (WM_IS_STORE (store));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (ImportTaskData, 1);
  data->store_path = g_strdup (wm_store_get_path (store));
  data->read_only = wm_store_is_read_only (store);
  data->path = g_strdup (path);
  if (options != NULL)
    data->options = *options;
  else
    wm_import_options_init (&data->options);
  data->name = g_strdup (data->options.name);
  data->options.name = data->name;
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_data_free = progress_data_free;
  data->context = g_main_context_ref_thread_default ();

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, wm_import_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) import_task_data_free);
  /* The import reports cancellation itself, naming the file. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, import_thread);
}

gboolean
wm_import_file_finish (WmStore       *store,
                       GAsyncResult  *result,
                       GArray       **out_recording_ids,
                       GError       **error)
{
  ImportTaskData *data;

  g_return_val_if_fail (WM_IS_STORE (store), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wm_import_file_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (out_recording_ids != NULL)
    *out_recording_ids = g_steal_pointer (&data->recording_ids);
  return TRUE;
}
