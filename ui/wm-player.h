/* wm-player.h — playback of audio recordings through GStreamer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * appsrc → audioconvert → audioresample → sink.  The sink is the element
 * named by the WAYMARK_AUDIO_SINK environment variable, else the
 * `sink-name` property, else autoaudiosink; tests use "fakesink".
 * Samples are read in the streaming thread from a read-only WmStore of
 * its own; recordings with more than two channels are mixed to mono.
 * While playing, `position-frame` follows the pipeline position about 30
 * times a second; it is -1 when stopped.
 */

#pragma once

#include <glib-object.h>

#include "wm-store.h"

G_BEGIN_DECLS

typedef enum {
  WM_PLAYER_STATE_STOPPED,
  WM_PLAYER_STATE_PLAYING,
  WM_PLAYER_STATE_PAUSED,
} WmPlayerState;

#define WM_PLAYER_ERROR (wm_player_error_quark ())

typedef enum {
  WM_PLAYER_ERROR_NO_SINK = 1,  /* the audio sink element does not exist */
  WM_PLAYER_ERROR_NOT_AUDIO,    /* a sensor recording, or an unplayable rate */
  WM_PLAYER_ERROR_EMPTY_RANGE,  /* nothing between start and end */
  WM_PLAYER_ERROR_FAILED,       /* the pipeline failed */
} WmPlayerError;

GQuark wm_player_error_quark (void);

#define WM_TYPE_PLAYER_STATE (wm_player_state_get_type ())
GType wm_player_state_get_type (void) G_GNUC_CONST;

#define WM_TYPE_PLAYER (wm_player_get_type ())
G_DECLARE_FINAL_TYPE (WmPlayer, wm_player, WM, PLAYER, GObject)

/* Properties: state (WmPlayerState, read-only), position-frame (gint64,
 * read-only), recording-id (gint64, read-only), sink-name (string).
 * Signals: error (GError*) when the pipeline fails while playing. */

WmPlayer      *wm_player_new                (void);
const char    *wm_player_get_sink_name      (WmPlayer    *self);
void           wm_player_set_sink_name      (WmPlayer    *self,
                                             const char  *sink_name);
WmPlayerState  wm_player_get_state          (WmPlayer    *self);
gint64         wm_player_get_position_frame (WmPlayer    *self);
gint64         wm_player_get_recording_id   (WmPlayer    *self);
/* Plays frames [start_frame, end_frame) of an audio recording; stops
 * whatever played before. */
gboolean       wm_player_play               (WmPlayer    *self,
                                             WmStore     *store,
                                             gint64       recording_id,
                                             gint64       start_frame,
                                             gint64       end_frame,
                                             GError     **error);
void           wm_player_pause              (WmPlayer    *self);
void           wm_player_resume             (WmPlayer    *self);
void           wm_player_stop               (WmPlayer    *self);

G_END_DECLS
