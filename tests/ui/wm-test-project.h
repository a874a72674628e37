/* wm-test-project.h — small generated projects for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wm-store.h"

G_BEGIN_DECLS

typedef struct {
  char   *dir;          /* a temporary directory, removed by wm_test_project_free */
  char   *path;         /* dir/test.waymark */
  gint64  audio_id;     /* "voice": 16 kHz mono int16, 4 s, rising calls in noise */
  gint64  sensor_id;    /* "imu walk": 100 Hz, acc_x/acc_y/acc_z float, 60 s */
  gint64  stop_class;   /* "stop", key 1 */
  gint64  go_class;     /* "go", key 2 */
} WmTestProject;

/* Creates the project with both recordings, both classes and two labels
 * on the audio recording. */
WmTestProject *wm_test_project_new        (void);
void           wm_test_project_free       (WmTestProject *project);
/* A 16-bit mono WAV of n_frames of a tone at 16 kHz, written into dir. */
char          *wm_test_write_wav          (const char    *dir,
                                           const char    *name,
                                           gsize          n_frames);
/* A canonical text dump of every recording, class and label: equal dumps
 * mean an unchanged project. */
char          *wm_test_project_dump       (WmStore       *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmTestProject, wm_test_project_free)

G_END_DECLS
