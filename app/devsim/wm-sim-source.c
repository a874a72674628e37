/* wm-sim-source.c — the simulator's deterministic signal sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "wm-sim-source.h"

#define IMU_CHANNELS 6
#define IMU_RATE 100
#define AUDIO_RATE 16000
#define HASH_BLOCK_FRAMES 4096

static const char *const imu_names[IMU_CHANNELS] = { "ax", "ay", "az", "gx", "gy", "gz" };
static const char *const imu_units[IMU_CHANNELS] = { "mg", "mg", "mg", "mdps", "mdps", "mdps" };

gboolean
wm_sim_source_kind_from_string (const char      *text,
                                WmSimSourceKind *out_kind)
{
  if (g_strcmp0 (text, "imu") == 0)
    *out_kind = WM_SIM_SOURCE_IMU;
  else if (g_strcmp0 (text, "audio") == 0)
    *out_kind = WM_SIM_SOURCE_AUDIO;
  else
    return FALSE;
  return TRUE;
}

const char *
wm_sim_source_kind_to_string (WmSimSourceKind kind)
{
  return kind == WM_SIM_SOURCE_IMU ? "imu" : "audio";
}

guint
wm_sim_source_channels (const WmSimSource *source)
{
  return source->kind == WM_SIM_SOURCE_IMU ? IMU_CHANNELS : 1;
}

guint
wm_sim_source_rate (const WmSimSource *source)
{
  return source->kind == WM_SIM_SOURCE_IMU ? IMU_RATE : AUDIO_RATE;
}

gsize
wm_sim_source_frame_bytes (const WmSimSource *source)
{
  return 2 * wm_sim_source_channels (source);
}

/* splitmix64: a well-mixed 64-bit value of its input. */
static guint64
mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* A triangle wave of @period frames between -amplitude and +amplitude. */
static gint32
triangle (guint64 frame,
          guint32 period,
          gint32  amplitude)
{
  gint64 phase = (gint64) (frame % period);
  gint64 half = period / 2;
  gint64 up = phase < half ? phase : period - phase;

  return (gint32) (up * 2 * amplitude / (half > 0 ? half : 1) - amplitude);
}

static gint16
sample (const WmSimSource *source,
        guint64            frame,
        guint              channel)
{
  guint64 key = mix (source->seed ^ mix (((guint64) source->device_index << 8) | channel));
  gint32 noise = (gint32) (mix (key ^ frame) & 0x3ff) - 512;
  guint32 period;
  gint32 amplitude, v;

  if (source->kind == WM_SIM_SOURCE_IMU)
    {
      period = 50 + (guint32) (key % 400);      /* 0.5 … 4.5 s at 100 Hz */
      amplitude = 2000 + (gint32) (key % 8000);
    }
  else
    {
      period = 16 + (guint32) ((frame / AUDIO_RATE + key) % 180);  /* a tone that changes each second */
      amplitude = 12000;
    }
  v = triangle (frame, period, amplitude) + noise;
  return (gint16) CLAMP (v, G_MININT16, G_MAXINT16);
}

void
wm_sim_source_fill (const WmSimSource *source,
                    guint64            first,
                    gsize              n_frames,
                    guint8            *out)
{
  guint channels = wm_sim_source_channels (source);

  for (gsize i = 0; i < n_frames; i++)
    for (guint c = 0; c < channels; c++)
      {
        guint16 v = (guint16) sample (source, first + i, c);

        *out++ = (guint8) (v & 0xff);
        *out++ = (guint8) (v >> 8);
      }
}

void
wm_sim_source_sha256 (const WmSimSource *source,
                      guint64            n_frames,
                      guint8             digest[32])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize frame_bytes = wm_sim_source_frame_bytes (source);
  g_autofree guint8 *block = g_malloc (HASH_BLOCK_FRAMES * frame_bytes);
  gsize len = 32;

  for (guint64 at = 0; at < n_frames; at += HASH_BLOCK_FRAMES)
    {
      gsize n = (gsize) MIN ((guint64) HASH_BLOCK_FRAMES, n_frames - at);

      wm_sim_source_fill (source, at, n, block);
      g_checksum_update (checksum, block, n * frame_bytes);
    }
  g_checksum_get_digest (checksum, digest, &len);
}

char *
wm_sim_source_metadata_json (const WmSimSource *source)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gboolean imu = source->kind == WM_SIM_SOURCE_IMU;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_int_value (b, wm_sim_source_rate (source));
  json_builder_set_member_name (b, "sample_format");
  json_builder_add_string_value (b, "int16");
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint c = 0; c < wm_sim_source_channels (source); c++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, imu ? imu_names[c] : "mic");
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, imu ? imu_units[c] : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "start_time");
  json_builder_add_string_value (b, "2026-01-01T00:00:00.000Z");
  json_builder_set_member_name (b, "device_type");
  json_builder_add_string_value (b, imu ? "waymark-sim-imu" : "waymark-sim-audio");
  json_builder_set_member_name (b, "firmware");
  json_builder_add_string_value (b, "devsim-" PACKAGE_VERSION);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, imu ? "sensor" : "audio");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char *
wm_sim_source_stream_id (const WmSimSource *source)
{
  return g_strdup_printf ("%s-%" G_GUINT64_FORMAT, wm_sim_source_kind_to_string (source->kind), source->seed);
}
