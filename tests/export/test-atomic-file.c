/* test-atomic-file.c — the atomic file writer: fsync, rename, fsync the
 * directory; a failure part-way through leaves the old file as it was
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with -Wl,--wrap=fsync: every fsync of the writer comes here first,
 * which records what was synced and what the target held at that moment.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "wm-export.h"

int __real_fsync (int fd);
int __wrap_fsync (int fd);

typedef struct {
  char *synced;        /* what the descriptor named */
  char *target_then;   /* the target's contents at the time, or NULL */
} SyncCall;

static GPtrArray  *sync_calls;   /* of SyncCall */
static const char *watched_path; /* the target whose contents each call notes */
static int         fail_directory_sync_with;

static void
sync_call_free (SyncCall *call)
{
  g_free (call->synced);
  g_free (call->target_then);
  g_free (call);
}

int
__wrap_fsync (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  SyncCall *call = g_new0 (SyncCall, 1);

  call->synced = g_file_read_link (link, NULL);
  if (watched_path != NULL)
    g_file_get_contents (watched_path, &call->target_then, NULL, NULL);
  if (sync_calls != NULL)
    g_ptr_array_add (sync_calls, call);
  else
    sync_call_free (call);
  if (fail_directory_sync_with != 0 && g_file_test (link, G_FILE_TEST_IS_DIR))
    {
      errno = fail_directory_sync_with;
      return -1;
    }
  return __real_fsync (fd);
}

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* /proc/self/fd names the real path: resolve the scratch directory too. */
  g_autofree char *dir = g_dir_make_tmp ("waymark-atomic-XXXXXX", NULL);

  f->dir = realpath (dir, NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "out.txt", NULL);
  g_assert_true (g_file_set_contents (f->path, "old\n", -1, NULL));
  sync_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_call_free);
  watched_path = f->path;
  fail_directory_sync_with = 0;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  watched_path = NULL;
  g_clear_pointer (&sync_calls, g_ptr_array_unref);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  free (f->dir);
  g_free (f->path);
}

static char *
read_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* The file is synced under its temporary name while the old one is still
 * in place, then the directory once the new one is. */
static void
test_syncs_directory (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_prefix = g_build_filename (f->dir, ".out.txt.", NULL);
  g_autofree char *text = NULL;
  WmAtomicFile *file = wm_atomic_file_new (f->path, &error);
  const SyncCall *call;

  g_assert_no_error (error);
  fputs ("new\n", wm_atomic_file_stream (file));
  g_assert_true (wm_atomic_file_commit (file, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (sync_calls->len, ==, 2);
  call = sync_calls->pdata[0];
  g_assert_true (g_str_has_prefix (call->synced, tmp_prefix));
  g_assert_cmpstr (call->target_then, ==, "old\n");
  call = sync_calls->pdata[1];
  g_assert_cmpstr (call->synced, ==, f->dir);
  g_assert_cmpstr (call->target_then, ==, "new\n");

  text = read_file (f->path);
  g_assert_cmpstr (text, ==, "new\n");
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
}

/* A directory that cannot be synced is reported, naming the directory;
 * the file is complete under its name. */
static void
test_directory_sync_fails (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  WmAtomicFile *file = wm_atomic_file_new (f->path, &error);

  g_assert_no_error (error);
  fputs ("new\n", wm_atomic_file_stream (file));
  fail_directory_sync_with = EIO;
  g_assert_false (wm_atomic_file_commit (file, &error));
  g_assert_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, f->dir));
  g_assert_nonnull (strstr (error->message, g_strerror (EIO)));
  text = read_file (f->path);
  g_assert_cmpstr (text, ==, "new\n");
  g_assert_cmpuint (count_entries (f->dir), ==, 1);

  /* A file system that cannot sync directories at all is no error. */
  g_clear_error (&error);
  fail_directory_sync_with = EINVAL;
  file = wm_atomic_file_new (f->path, &error);
  g_assert_no_error (error);
  fputs ("newer\n", wm_atomic_file_stream (file));
  g_assert_true (wm_atomic_file_commit (file, &error));
  g_assert_no_error (error);
}

/* The disk fills part-way through the file (a file size limit of 4 KiB,
 * with SIGXFSZ ignored so that write fails with EFBIG): the commit fails,
 * the old file is there byte for byte, the temporary file is gone, and
 * nothing was renamed, so the directory was not synced. */
static void
test_write_fails_part_way (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *block = g_malloc (1000);
  struct rlimit saved, limit;
  void (*saved_handler) (int);
  WmAtomicFile *file = wm_atomic_file_new (f->path, &error);

  g_assert_no_error (error);
  memset (block, 'x', 1000);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = 4096;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  for (guint i = 0; i < 10; i++)
    fwrite (block, 1, 1000, wm_atomic_file_stream (file));
  g_assert_false (wm_atomic_file_commit (file, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  text = read_file (f->path);
  g_assert_cmpstr (text, ==, "old\n");
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
  for (guint i = 0; i < sync_calls->len; i++)
    g_assert_cmpstr (((SyncCall *) sync_calls->pdata[i])->synced, !=, f->dir);
}

/* Abort removes the temporary file and syncs nothing. */
static void
test_abort (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  WmAtomicFile *file = wm_atomic_file_new (f->path, &error);

  g_assert_no_error (error);
  fputs ("half", wm_atomic_file_stream (file));
  g_assert_cmpuint (count_entries (f->dir), ==, 2);
  wm_atomic_file_abort (file);
  text = read_file (f->path);
  g_assert_cmpstr (text, ==, "old\n");
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
  g_assert_cmpuint (sync_calls->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/export/atomic-file/syncs-directory", test_syncs_directory);
  ADD ("/export/atomic-file/directory-sync-fails", test_directory_sync_fails);
  ADD ("/export/atomic-file/write-fails-part-way", test_write_fails_part_way);
  ADD ("/export/atomic-file/abort", test_abort);
#undef ADD

  return g_test_run ();
}
