/* wm-sim-verify.h — compare what the project holds with what the devices recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "wm-sim-device.h"

G_BEGIN_DECLS

/* Opens @project read-only and, for each device, checks that its stream is
 * finalized, that the recording holds exactly the frames the device recorded
 * and that they equal the regenerated source byte for byte, and that no
 * committed offset a reply told the device went backwards or past what the
 * project holds.  Appends one line per problem to @problems (translated,
 * naming the device and frame); FALSE with @error when the project cannot be
 * read at all. */
gboolean wm_sim_verify (const char   *project,
                        WmSimDevice **devices,
                        guint         n_devices,
                        GPtrArray    *problems,
                        GError      **error);

G_END_DECLS
