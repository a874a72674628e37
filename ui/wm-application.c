/* wm-application.c — the Waymark desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "wm-application.h"
#include "wm-preferences-window.h"
#include "wm-window.h"

struct _WmApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (WmApplication, wm_application, ADW_TYPE_APPLICATION)

static void
wm_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (wm_window_new (GTK_APPLICATION (application)));

  gtk_window_present (window);
}

/* Each project opens in a window of its own, or in the start window. */
static void
wm_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (application));
      g_autoptr(GError) error = NULL;
      WmWindow *window;

      if (WM_IS_WINDOW (active) && wm_window_get_store (WM_WINDOW (active)) == NULL)
        window = WM_WINDOW (active);
      else
        window = wm_window_new (GTK_APPLICATION (application));

      gtk_window_present (GTK_WINDOW (window));
      if (!wm_window_open_project (window, files[i], &error))
        wm_window_show_message (window, error->message);
    }
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (wm_preferences_window_new (parent)));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The Waymark developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (parent,
                         "application-name", _("Waymark"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Label sensor and audio recordings for machine learning on small devices."),
                         "developer-name", _("The Waymark developers"),
                         "developers", developers,
                         "copyright", "© 2026 The Waymark developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: your name(s) and e-mail address(es), one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
wm_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (wm_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences",
                                         preferences_accels);
}

static void
wm_application_class_init (WmApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = wm_application_activate;
  application_class->open = wm_application_open;
  application_class->startup = wm_application_startup;
}

static void
wm_application_init (WmApplication *self)
{
}

WmApplication *
wm_application_new (GApplicationFlags flags)
{
  return g_object_new (WM_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
