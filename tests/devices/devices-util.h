/* devices-util.h — helpers of the device-upload fault tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wm-sim-source.h"

G_BEGIN_DECLS

/* Children of @launcher get SIGKILL when the test dies (a failed assertion
 * leaves no server or simulator behind). */
/* The built waymark-device-sim. */
char *wm_devtest_sim_path     (void);
/* Runs the simulator with @args (NULL-terminated) to its end; returns its exit status. */
int   wm_devtest_run_sim      (const char * const *args,
                               char              **out_stdout,
                               char              **out_stderr);
/* The source of device @index (0-based) of a simulator run with --source @kind
 * ("imu", "audio" or "mixed") and --seed @seed. */
WmSimSource wm_devtest_source (const char         *kind,
                               guint64             seed,
                               guint               index);
/* Checks, independently of the simulator's --verify, that the project holds
 * each device's stream finalized, with exactly @seconds of its source, byte for
 * byte, and the source's SHA-256. */
void  wm_devtest_check_recordings (const char     *project,
                                   const char     *prefix,
                                   const char     *kind,
                                   guint           n_devices,
                                   guint64         seed,
                                   double          seconds);
/* Registers devices PREFIX-0001 … with `waymark-cli device add` and writes
 * their tokens as JSON to @tokens_path. */
void  wm_devtest_add_devices  (const char         *project,
                               const char         *prefix,
                               guint               n_devices,
                               const char         *tokens_path);

G_END_DECLS
