/* views-test-util.h — synthetic projects for the views' tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wm-recording-view.h"
#include "wm-store.h"

G_BEGIN_DECLS

/* 20 s of two-channel int16 audio at 16 kHz: a rising chirp with noise
 * bursts on the left, an amplitude-modulated 440 Hz tone on the right. */
gint64   views_test_add_audio       (WmStore   *store,
                                     GError   **error);
/* duration_s of three float32 accelerometer channels (m/s²) at rate_hz:
 * gravity on z, slow sway, and 5 Hz bursts every minute. */
gint64   views_test_add_sensor      (WmStore   *store,
                                     double     duration_s,
                                     double     rate_hz,
                                     GError   **error);
/* duration_s of one int16 channel at rate_hz (a tone with a slow swell),
 * written block by block, with a progress line on stderr every 10 %. */
gint64   views_test_add_long_audio  (WmStore   *store,
                                     double     duration_s,
                                     double     rate_hz,
                                     GError   **error);
/* Three classes with shortcuts 1, 2, 3; their ids in out_ids[3]. */
gboolean views_test_add_classes     (WmStore   *store,
                                     gint64    *out_ids,
                                     GError   **error);
/* A complete run of the f32 variant of model_name version with margin 0.1
 * (class_names NULL-terminated, one threshold each); its id, 0 on error. */
gint64   views_test_add_run         (WmStore    *store,
                                     const char *model_name,
                                     const char *version,
                                     char      **class_names,
                                     double     *thresholds,
                                     gint64      window_frames,
                                     gint64      hop_frames,
                                     GError    **error);
/* A new empty project, test.waymark in a new temporary directory made
 * from template; asserts on failure.  Its folder and file in out_dir and
 * out_path (free both). */
WmStore *views_test_new_project     (const char *template,
                                     char      **out_dir,
                                     char      **out_path);
/* Removes the project file made by views_test_new_project, its -wal and
 * -shm files and its directory. */
void     views_test_remove_project  (const char *dir,
                                     const char *path);
/* A new window of width × height, presented, with a new WmRecordingView as
 * its only child; the window in out_window. */
WmRecordingView *
         views_test_present_view    (int         width,
                                     int         height,
                                     GtkWidget **out_window);
/* The median of n values (the upper one for even n); sorts values. */
double   views_test_median          (double    *values,
                                     guint      n);

G_END_DECLS
