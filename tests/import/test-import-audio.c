/* test-import-audio.c — audio files through libsndfile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures are written at test time with libsndfile; each import is read
 * back from the project and compared with what libsndfile decodes from the
 * same file.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "import-test-util.h"

typedef struct {
  const char *file_name;
  int         format;
  int         rate;
  int         n_channels;
  gint64      n_frames;
  gboolean    stored_as_int16;
} AudioCase;

static const AudioCase audio_cases[] = {
  { "pcm16.wav",   SF_FORMAT_WAV | SF_FORMAT_PCM_16,    48000, 1, 100003, TRUE },
  { "pcm24.wav",   SF_FORMAT_WAV | SF_FORMAT_PCM_24,    44100, 2,  50000, FALSE },
  { "pcm32.wav",   SF_FORMAT_WAV | SF_FORMAT_PCM_32,    16000, 1,  40000, FALSE },
  { "float.wav",   SF_FORMAT_WAV | SF_FORMAT_FLOAT,     96000, 2,  70001, FALSE },
  { "pcm16.flac",  SF_FORMAT_FLAC | SF_FORMAT_PCM_16,   44100, 2,  80000, TRUE },
  { "pcm24.flac",  SF_FORMAT_FLAC | SF_FORMAT_PCM_24,   48000, 1,  30000, FALSE },
  { "vorbis.ogg",  SF_FORMAT_OGG | SF_FORMAT_VORBIS,    22050, 2,  44100, FALSE },
  { "pcm16.aiff",  SF_FORMAT_AIFF | SF_FORMAT_PCM_16,   22050, 4,  20000, TRUE },
  { "six.wav",     SF_FORMAT_WAV | SF_FORMAT_PCM_16,     8000, 6,  33333, TRUE },
};

static gint64
import_one (ImportFixture         *fixture,
            const char            *path,
            const WmImportOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  g_assert_true (wm_import_file (fixture->store, path, options, NULL, NULL, NULL, &ids, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 1);
  return g_array_index (ids, gint64, 0);
}

static void
test_audio_format (ImportFixture *fixture,
                   gconstpointer  data)
{
  const AudioCase *c = data;
  g_autofree char *path = import_fixture_path (fixture, c->file_name);
  g_autofree char *contents = NULL;
  g_autofree char *expected_sha = NULL;
  g_autofree char *expected_name = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO info = { 0 };
  SNDFILE *file;
  gsize length;
  gint64 id;

  import_write_audio (path, c->format, c->rate, c->n_channels, c->n_frames);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

  id = import_one (fixture, path, NULL);
  recording = wm_store_get_recording (fixture->store, id, &error);
  g_assert_no_error (error);

  expected_name = g_strndup (c->file_name, strrchr (c->file_name, '.') - c->file_name);
  g_assert_cmpstr (recording->name, ==, expected_name);
  g_assert_cmpstr (recording->source_sha256, ==, expected_sha);
  g_assert_true (g_str_has_suffix (recording->source_path, c->file_name));
  g_assert_true (g_path_is_absolute (recording->source_path));
  g_assert_cmpfloat (recording->sample_rate, ==, c->rate);
  g_assert_cmpuint (recording->n_channels, ==, c->n_channels);
  g_assert_cmpuint (g_strv_length (recording->channel_names), ==, c->n_channels);
  g_assert_cmpint (recording->n_frames, ==, c->n_frames);
  g_assert_cmpint (recording->kind, ==, WM_RECORDING_KIND_AUDIO);
  g_assert_cmpint (recording->sample_format, ==,
                   c->stored_as_int16 ? WM_SAMPLE_FORMAT_INT16 : WM_SAMPLE_FORMAT_FLOAT32);

  /* Every frame as stored equals what libsndfile decodes from the file. */
  file = sf_open (path, SFM_READ, &info);
  g_assert_nonnull (file);
  g_assert_cmpint (info.frames, ==, c->n_frames);

  if (c->stored_as_int16)
    {
      g_autofree gint16 *expected = g_new (gint16, c->n_frames * c->n_channels);
      g_autofree gint16 *stored = g_new (gint16, c->n_frames * c->n_channels);
      gboolean has_extremes = FALSE;

      g_assert_cmpint (sf_readf_short (file, expected, c->n_frames), ==, c->n_frames);
      g_assert_true (wm_store_read_frames_raw (fixture->store, id, 0, c->n_frames, stored, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (stored, c->n_frames * c->n_channels * sizeof (gint16),
                       expected, c->n_frames * c->n_channels * sizeof (gint16));
      for (gint64 i = 0; i < c->n_frames * c->n_channels; i++)
        has_extremes |= stored[i] == G_MININT16;
      g_assert_true (has_extremes);
    }
  else
    {
      g_autofree float *expected = g_new (float, c->n_frames * c->n_channels);
      g_autofree float *stored = g_new (float, c->n_frames * c->n_channels);

      g_assert_cmpint (sf_readf_float (file, expected, c->n_frames), ==, c->n_frames);
      g_assert_true (wm_store_read_frames_raw (fixture->store, id, 0, c->n_frames, stored, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (stored, c->n_frames * c->n_channels * sizeof (float),
                       expected, c->n_frames * c->n_channels * sizeof (float));
    }

  sf_close (file);
}

/* Chunks after the samples (metadata written last) are part of the source
 * hash although libsndfile may skip over them. */
static void
test_trailing_chunk (ImportFixture *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "tagged.wav");
  g_autofree char *contents = NULL;
  g_autofree char *expected_sha = NULL;
  g_autoptr(WmRecording) recording = NULL;
  g_autofree short *frames = g_new0 (short, 8000);
  SF_INFO info = { 0 };
  SNDFILE *file;
  gsize length;
  gint64 id;

  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  file = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (file);
  for (int i = 0; i < 8000; i++)
    frames[i] = (short) (i * 7);
  g_assert_cmpint (sf_writef_short (file, frames, 8000), ==, 8000);
  g_assert_cmpint (sf_set_string (file, SF_STR_COMMENT, "recorded at the pond, night 1"), ==, 0);
  g_assert_cmpint (sf_close (file), ==, 0);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* The samples are the data chunk at offset 36; the comment comes after. */
  g_assert_cmpmem (contents + 36, 4, "data", 4);
  g_assert_cmpuint (length, >, 44 + 8000 * sizeof (short));
  expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

  id = import_one (fixture, path, NULL);
  recording = wm_store_get_recording (fixture->store, id, NULL);
  g_assert_nonnull (recording);
  g_assert_cmpint (recording->n_frames, ==, 8000);
  g_assert_cmpstr (recording->source_sha256, ==, expected_sha);
}

static void
truncate_file (const char *path,
               double      keep)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (truncate (path, (off_t) (st.st_size * keep)), ==, 0);
}

static void
test_truncated_wav (ImportFixture *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "cut.wav");
  g_autoptr(GError) error = NULL;

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 48000);
  truncate_file (path, 0.6);

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT, path, "truncated", NULL);
}

static void
test_truncated_flac (ImportFixture *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "cut.flac");
  g_autoptr(GError) error = NULL;

  import_write_audio (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, 96000);
  truncate_file (path, 0.5);

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT, path, NULL);
}

static void
test_truncated_header (ImportFixture *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "stub.wav");
  g_autoptr(GError) error = NULL;

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 1000);
  g_assert_cmpint (truncate (path, 20), ==, 0);

  error = import_expect_failure (fixture, path, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_CORRUPT, path, NULL);
}

static void
test_text_named_wav (ImportFixture *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "notes.wav");
  g_autoptr(GError) error = NULL;

  import_write_text (path, "These are my field notes, not audio.\nSecond line.\n");

  error = import_expect_failure (fixture, path, NULL,
                                 WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSUPPORTED_FORMAT);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                       path, "not an audio file", NULL);
}

static void
test_duplicate (ImportFixture *fixture,
                gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "night1.flac");
  g_autofree char *copy = import_fixture_path (fixture, "copy-of-night1.flac");
  g_autofree char *contents = NULL;
  g_autofree char *first_id_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recordings = NULL;
  WmImportOptions options;
  gsize length;
  gint64 first;
  gint64 second;

  import_write_audio (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, 20000);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));

  first = import_one (fixture, path, NULL);
  first_id_text = g_strdup_printf ("recording %" G_GINT64_FORMAT, first);

  /* The same bytes under another name are still the same recording. */
  error = import_expect_failure (fixture, copy, NULL, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_DUPLICATE,
                       copy, first_id_text, "night1", NULL);

  wm_import_options_init (&options);
  options.allow_duplicate = TRUE;
  options.name = "night1 again";
  second = import_one (fixture, copy, &options);
  g_assert_cmpint (second, !=, first);

  g_clear_error (&error);
  recordings = wm_store_list_recordings (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recordings->len, ==, 2);
  g_assert_cmpstr (((WmRecording *) recordings->pdata[1])->name, ==, "night1 again");
  g_assert_cmpstr (((WmRecording *) recordings->pdata[0])->source_sha256, ==,
                   ((WmRecording *) recordings->pdata[1])->source_sha256);
}

static void
test_kind_override (ImportFixture *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "vibration.wav");
  g_autoptr(WmRecording) recording = NULL;
  WmImportOptions options;
  gint64 id;

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1000, 3, 5000);
  wm_import_options_init (&options);
  options.kind = WM_RECORDING_KIND_SENSOR;
  id = import_one (fixture, path, &options);

  recording = wm_store_get_recording (fixture->store, id, NULL);
  g_assert_nonnull (recording);
  g_assert_cmpint (recording->kind, ==, WM_RECORDING_KIND_SENSOR);
  g_assert_cmpstr (recording->channel_names[2], ==, "ch3");
}

static void
test_rate_option_refused (ImportFixture *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = import_fixture_path (fixture, "a.wav");
  g_autoptr(GError) error = NULL;
  WmImportOptions options;

  import_write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 800);
  wm_import_options_init (&options);
  options.rate = 100;
  error = import_expect_failure (fixture, path, &options,
                                 WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION);
  import_assert_error (error, WM_IMPORT_ERROR, WM_IMPORT_ERROR_INVALID_OPTION, path, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (audio_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/import/audio/format/%s", audio_cases[i].file_name);

      g_test_add (name, ImportFixture, &audio_cases[i],
                  import_fixture_setup, test_audio_format, import_fixture_teardown);
    }

#define ADD(name, func) \
  g_test_add (name, ImportFixture, NULL, import_fixture_setup, func, import_fixture_teardown)

  ADD ("/import/audio/trailing-chunk", test_trailing_chunk);
  ADD ("/import/audio/truncated-wav", test_truncated_wav);
  ADD ("/import/audio/truncated-flac", test_truncated_flac);
  ADD ("/import/audio/truncated-header", test_truncated_header);
  ADD ("/import/audio/text-named-wav", test_text_named_wav);
  ADD ("/import/audio/duplicate", test_duplicate);
  ADD ("/import/audio/kind-override", test_kind_override);
  ADD ("/import/audio/rate-option-refused", test_rate_option_refused);

#undef ADD

  return g_test_run ();
}
