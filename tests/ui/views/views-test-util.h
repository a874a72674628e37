/* views-test-util.h — synthetic projects for the views' tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

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

G_END_DECLS
