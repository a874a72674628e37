/* wm-test-gui.c — main-loop and screenshot helpers shared by the GUI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>

#include "wm-test-gui.h"

gboolean
wm_test_wait_for (WmTestCondition condition,
                  gpointer        fixture,
                  gpointer        data,
                  gint64          limit_us)
{
  gint64 deadline = g_get_monotonic_time () + limit_us;

  while (!condition (fixture, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return TRUE;
}

typedef struct {
  gboolean (*condition) (gpointer);
} OneArgument;

static gboolean
one_argument_holds (gpointer closure,
                    gpointer data)
{
  return ((OneArgument *) closure)->condition (data);
}

gboolean
wm_test_wait_until (gboolean (*condition) (gpointer),
                    gpointer   data,
                    gint64     limit_us)
{
  OneArgument closure = { condition };

  return wm_test_wait_for (one_argument_holds, &closure, data, limit_us);
}

gboolean
wm_test_widget_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

void
wm_test_iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

void
wm_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);
  g_autofree guint32 *pixels = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  graphene_rect_t bounds;
  guint most_common = 0;
  int width, height;

  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)),
                                         node, &bounds);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, >=, 300);
  g_assert_cmpint (height, >=, 300);

  path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path, width, height);

  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      gpointer key = GUINT_TO_POINTER (pixels[i]);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (colors, key)) + 1;

      g_hash_table_insert (colors, key, GUINT_TO_POINTER (count));
      most_common = MAX (most_common, count);
    }
  g_assert_cmpuint (g_hash_table_size (colors), >=, 64);
  g_assert_cmpuint (most_common, <, (gsize) width * height * 95 / 100);
}

WmWindow *
wm_test_open_window (WmApplication *application,
                     int            width,
                     int            height,
                     const char    *path,
                     gint64         limit_us)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  WmWindow *window = wm_window_new (GTK_APPLICATION (application));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wm_window_open_project (window, file, &error));
  g_assert_no_error (error);
  g_assert_true (wm_test_wait_until (wm_test_widget_is_mapped, window, limit_us));
  return window;
}

void
wm_test_copy_file (const char *from,
                   const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) destination = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_copy (source, destination, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

void
wm_test_gui_setenv (void)
{
  g_autofree char *schema_dir = NULL;
  const char *build_root = g_getenv ("WAYMARK_BUILD_ROOT");

  g_assert_nonnull (build_root);
  schema_dir = g_build_filename (build_root, "data", NULL);
  g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("WAYMARK_AUDIO_SINK", "fakesink", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
}

WmApplication *
wm_test_gui_init (int    *argc,
                  char ***argv)
{
  g_autoptr(GError) error = NULL;
  WmApplication *application;

  wm_test_gui_setenv ();
  gst_init (argc, argv);
  gtk_test_init (argc, argv, NULL);

  application = wm_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  return application;
}
