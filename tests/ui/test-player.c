/* test-player.c — WmPlayer plays into GStreamer's fakesink
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "wm-player.h"
#include "wm-test-project.h"

/* A guard against hanging, not a measurement. */
#define WAIT_LIMIT_US (20 * G_USEC_PER_SEC)

typedef struct {
  WmTestProject *project;
  WmStore       *store;
  WmPlayer      *player;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->project = wm_test_project_new ();
  fixture->store = wm_store_open (fixture->project->path, WM_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->player = wm_player_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->player);
  g_assert_finalize_object (fixture->store);
  wm_test_project_free (fixture->project);
}

typedef gboolean (*Condition) (WmPlayer *player, gpointer data);

static gboolean
wait_for (WmPlayer  *player,
          Condition  condition,
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  while (!condition (player, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static gboolean
position_beyond (WmPlayer *player,
                 gpointer  data)
{
  return wm_player_get_position_frame (player) > GPOINTER_TO_INT (data);
}

static gboolean
is_stopped (WmPlayer *player,
            gpointer  data)
{
  return wm_player_get_state (player) == WM_PLAYER_STATE_STOPPED;
}

static void
on_position_notify (WmPlayer   *player,
                    GParamSpec *pspec,
                    GArray     *positions)
{
  gint64 position = wm_player_get_position_frame (player);

  g_array_append_val (positions, position);
}

static void
test_plays_range (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  gint64 previous = -1;
  guint n_playing = 0;

  g_signal_connect (fixture->player, "notify::position-frame",
                    G_CALLBACK (on_position_notify), positions);

  g_assert_true (wm_player_play (fixture->player, fixture->store, fixture->project->audio_id,
                                 16000, 24000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_PLAYING);
  g_assert_cmpint (wm_player_get_recording_id (fixture->player), ==, fixture->project->audio_id);

  g_assert_true (wait_for (fixture->player, position_beyond, GINT_TO_POINTER (18000)));
  g_assert_true (wait_for (fixture->player, is_stopped, NULL));
  g_assert_cmpint (wm_player_get_position_frame (fixture->player), ==, -1);
  g_assert_cmpint (wm_player_get_recording_id (fixture->player), ==, 0);

  /* The playhead moved forward through the range, then went away. */
  for (guint i = 0; i < positions->len; i++)
    {
      gint64 position = g_array_index (positions, gint64, i);

      if (position == -1)
        {
          g_assert_cmpuint (i, ==, positions->len - 1);
          continue;
        }
      g_assert_cmpint (position, >=, 16000);
      g_assert_cmpint (position, <=, 24000);
      g_assert_cmpint (position, >=, previous);
      previous = position;
      n_playing++;
    }
  g_assert_cmpuint (n_playing, >=, 3);
}

static void
test_pause_resume (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 paused_at;
  gint64 until;

  g_assert_true (wm_player_play (fixture->player, fixture->store, fixture->project->audio_id,
                                 0, 64000, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (fixture->player, position_beyond, GINT_TO_POINTER (1600)));

  wm_player_pause (fixture->player);
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_PAUSED);
  /* Let a position update or two land, then check the position holds. */
  until = g_get_monotonic_time () + 150 * 1000;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  paused_at = wm_player_get_position_frame (fixture->player);
  until = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (wm_player_get_position_frame (fixture->player), ==, paused_at);

  wm_player_resume (fixture->player);
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_PLAYING);
  g_assert_true (wait_for (fixture->player, position_beyond, GINT_TO_POINTER (paused_at + 800)));

  wm_player_stop (fixture->player);
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_STOPPED);
  g_assert_cmpint (wm_player_get_position_frame (fixture->player), ==, -1);
}

static void
test_refuses_sensor (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wm_player_play (fixture->player, fixture->store, fixture->project->sensor_id,
                                  0, 100, &error));
  g_assert_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_NOT_AUDIO);
  g_assert_nonnull (strstr (error->message, "imu walk"));
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_STOPPED);
}

static void
test_refuses_empty_range (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wm_player_play (fixture->player, fixture->store, fixture->project->audio_id,
                                  5000, 5000, &error));
  g_assert_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_EMPTY_RANGE);
}

static void
test_missing_sink (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("WAYMARK_AUDIO_SINK"));
  g_autoptr(GError) error = NULL;

  g_unsetenv ("WAYMARK_AUDIO_SINK");
  wm_player_set_sink_name (fixture->player, "nosuchsink");
  g_assert_false (wm_player_play (fixture->player, fixture->store, fixture->project->audio_id,
                                  0, 1000, &error));
  g_setenv ("WAYMARK_AUDIO_SINK", saved, TRUE);

  g_assert_error (error, WM_PLAYER_ERROR, WM_PLAYER_ERROR_NO_SINK);
  g_assert_nonnull (strstr (error->message, "nosuchsink"));
  g_assert_cmpint (wm_player_get_state (fixture->player), ==, WM_PLAYER_STATE_STOPPED);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("WAYMARK_AUDIO_SINK", "fakesink", TRUE);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ui/player/plays-range", Fixture, NULL,
              fixture_set_up, test_plays_range, fixture_tear_down);
  g_test_add ("/ui/player/pause-resume", Fixture, NULL,
              fixture_set_up, test_pause_resume, fixture_tear_down);
  g_test_add ("/ui/player/refuses-sensor", Fixture, NULL,
              fixture_set_up, test_refuses_sensor, fixture_tear_down);
  g_test_add ("/ui/player/refuses-empty-range", Fixture, NULL,
              fixture_set_up, test_refuses_empty_range, fixture_tear_down);
  g_test_add ("/ui/player/missing-sink", Fixture, NULL,
              fixture_set_up, test_missing_sink, fixture_tear_down);

  return g_test_run ();
}
