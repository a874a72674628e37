/* wm-atomic-file.c — write beside, fsync, rename into place, fsync the directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wm-export.h"

struct _WmAtomicFile
{
  char *path;
  char *tmp_path;
  FILE *stream;
};

G_DEFINE_QUARK (wm-export-error-quark, wm_export_error)

static void
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_IO, "%s: %s", path, g_strerror (saved_errno));
}

WmAtomicFile *
wm_atomic_file_new (const char  *path,
                    GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  WmAtomicFile *file;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, WM_EXPORT_ERROR, WM_EXPORT_ERROR_INVALID,
                   _("%s: is a directory, not a file"), path);
      return NULL;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  file = g_new0 (WmAtomicFile, 1);
  file->path = g_strdup (path);
  /* Beside the target, so that the rename stays on one file system. */
  file->tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp (file->tmp_path);
  if (fd < 0)
    {
      set_io_error (error, path, errno);
      g_free (file->tmp_path);
      g_free (file->path);
      g_free (file);
      return NULL;
    }
  /* mkstemp makes 0600; an exported file is for other tools to read. */
  fchmod (fd, 0644);
  file->stream = fdopen (fd, "w");
  g_assert (file->stream != NULL);
  return file;
}

FILE *
wm_atomic_file_stream (WmAtomicFile *file)
{
  g_return_val_if_fail (file != NULL, NULL);
  return file->stream;
}

static void
atomic_file_free (WmAtomicFile *file)
{
  g_free (file->path);
  g_free (file->tmp_path);
  g_free (file);
}

/* The rename is on disk only once the directory that holds the new name
 * is: without this, a crash soon after the export can bring back the old
 * file, or none.  A directory that cannot be opened for reading, or a file
 * system that cannot sync directories (EINVAL), has done what it can. */
static int
sync_directory (const char *dir)
{
  int fd;
  int failed_errno = 0;

  do
    fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return errno == EACCES ? 0 : errno;
  if (fsync (fd) != 0 && errno != EINVAL)
    failed_errno = errno;
  close (fd);
  return failed_errno;
}

gboolean
wm_atomic_file_commit (WmAtomicFile  *file,
                       GError       **error)
{
  g_autofree char *dir = NULL;
  int failed_errno = 0;

  g_return_val_if_fail (file != NULL, FALSE);

  errno = 0;
  if (ferror (file->stream) || fflush (file->stream) != 0 || fsync (fileno (file->stream)) != 0)
    failed_errno = errno != 0 ? errno : EIO;
  if (fclose (file->stream) != 0 && failed_errno == 0)
    failed_errno = errno;
  file->stream = NULL;
  if (failed_errno == 0 && g_rename (file->tmp_path, file->path) != 0)
    failed_errno = errno;

  if (failed_errno != 0)
    {
      g_unlink (file->tmp_path);
      set_io_error (error, file->path, failed_errno);
      atomic_file_free (file);
      return FALSE;
    }
  dir = g_path_get_dirname (file->path);
  atomic_file_free (file);
  /* The file is complete under its name; only its durability is in doubt. */
  if ((failed_errno = sync_directory (dir)) != 0)
    {
      set_io_error (error, dir, failed_errno);
      return FALSE;
    }
  return TRUE;
}

void
wm_atomic_file_abort (WmAtomicFile *file)
{
  if (file == NULL)
    return;
  if (file->stream != NULL)
    fclose (file->stream);
  g_unlink (file->tmp_path);
  atomic_file_free (file);
}
