/* wm-test-gui.h — main-loop and screenshot helpers shared by the GUI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-application.h"
#include "wm-window.h"

G_BEGIN_DECLS

/* A condition polled by wm_test_wait_for: fixture and data as passed. */
typedef gboolean (*WmTestCondition) (gpointer fixture,
                                     gpointer data);

/* Runs the default main context until condition (fixture, data) holds;
 * FALSE when limit_us passed first (a guard against hanging). */
gboolean wm_test_wait_for        (WmTestCondition   condition,
                                  gpointer          fixture,
                                  gpointer          data,
                                  gint64            limit_us);
/* The same for a one-argument condition. */
gboolean wm_test_wait_until      (gboolean        (*condition) (gpointer),
                                  gpointer          data,
                                  gint64            limit_us);
/* A condition for wm_test_wait_until: the widget is mapped and has a size. */
gboolean wm_test_widget_is_mapped (gpointer         widget);
/* Runs the default main context for ms milliseconds. */
void     wm_test_iterate_for     (guint             ms);
/* Renders widget as it is on screen, saves it as a PNG named name in the
 * build directory and asserts it is not blank: at least 300×300, at least
 * 64 colours, and under 95 % of the pixels in the most common one. */
void     wm_test_save_screenshot (GtkWidget        *widget,
                                  const char       *name);

/* A new window of application of width × height, presented, with the
 * project at path open and the window mapped (asserted, waiting at most
 * limit_us). */
WmWindow *
         wm_test_open_window     (WmApplication    *application,
                                  int               width,
                                  int               height,
                                  const char       *path,
                                  gint64            limit_us);
/* Copies the file from to the new file to; asserts it worked. */
void     wm_test_copy_file       (const char       *from,
                                  const char       *to);
/* The environment of the GUI tests and benchmarks: the schemas of the
 * build tree (WAYMARK_BUILD_ROOT, which must be set), settings in memory,
 * X11 with the cairo renderer, a fake audio sink and no accessibility bus
 * (Xvfb has no D-Bus session for it). */
void     wm_test_gui_setenv      (void);
/* wm_test_gui_setenv, then GStreamer and GTK test set-up for main's
 * arguments; returns a registered non-unique application. */
WmApplication *
         wm_test_gui_init        (int              *argc,
                                  char           ***argv);

G_END_DECLS
