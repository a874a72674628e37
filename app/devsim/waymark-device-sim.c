/* waymark-device-sim.c — simulated devices uploading to a Waymark server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * N devices, each the real device code (wm_spool on a file, wm_uploader)
 * over a flaky link, recording a seeded source; see --help.
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wm-ingest.h"
#include "wm-sim-device.h"
#include "wm-sim-verify.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_USAGE = 2 };

typedef struct {
  int      devices;
  char    *dir;
  char    *server;
  char    *server_file;
  char    *project;
  char    *tokens;
  char    *source;
  char    *prefix;
  gint64   seed;
  double   duration;
  double   run_for;
  double   speed;
  int      sync_ms;
  int      chunk_bytes;
  int      page_size;
  int      spool_pages;
  double   drop_before;
  double   drop_after;
  double   duplicate;
  double   reorder;
  int      delay_ms;
  double   reboot_every;
  int      backoff_min_ms;
  int      backoff_max_ms;
  double   timeout;
  gboolean offline;
  char    *verify;
  gboolean json;
  gboolean quiet;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->dir);
  g_free (o->server);
  g_free (o->server_file);
  g_free (o->project);
  g_free (o->tokens);
  g_free (o->source);
  g_free (o->prefix);
  g_free (o->verify);
}

static gboolean
parse_options (Options  *o,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  const GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &o->devices, N_("Number of simulated devices (default 1)"), N_("N") },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &o->dir, N_("Directory of the devices’ spools, DIR/DEVICE/ (required)"), N_("DIR") },
    { "server", 's', 0, G_OPTION_ARG_STRING, &o->server, N_("The server’s URL, e.g. http://127.0.0.1:8700"), N_("URL") },
    { "server-file", 0, 0, G_OPTION_ARG_FILENAME, &o->server_file, N_("A file holding the server’s URL, read again after a request goes unanswered"), N_("FILE") },
    { "project", 'p', 0, G_OPTION_ARG_FILENAME, &o->project, N_("Register the devices in this project if they are not yet (tokens kept in DIR/tokens.json)"), N_("FILE") },
    { "tokens", 0, 0, G_OPTION_ARG_FILENAME, &o->tokens, N_("JSON object of device name to bearer token"), N_("FILE") },
    { "source", 0, 0, G_OPTION_ARG_STRING, &o->source, N_("imu (6 channels at 100 Hz), audio (16 kHz) or mixed (default imu)"), N_("KIND") },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &o->prefix, N_("Device names are PREFIX-0001, … (default sim)"), N_("PREFIX") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the sources and the link’s faults (default 1)"), N_("N") },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &o->duration, N_("Seconds of source time each device records (default 10)"), N_("SECONDS") },
    { "run-for", 0, 0, G_OPTION_ARG_DOUBLE, &o->run_for, N_("Stop recording after this many real seconds, then finish uploading"), N_("SECONDS") },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &o->speed, N_("Source time per real time (default 1; 0: as fast as the spool takes it)"), N_("X") },
    { "sync-ms", 0, 0, G_OPTION_ARG_INT, &o->sync_ms, N_("Sync the spool every this much source time (default 1000)"), N_("MS") },
    { "chunk-bytes", 0, 0, G_OPTION_ARG_INT, &o->chunk_bytes, N_("Largest chunk uploaded (default 16384)"), N_("BYTES") },
    { "page-size", 0, 0, G_OPTION_ARG_INT, &o->page_size, N_("Spool page size (default 4096)"), N_("BYTES") },
    { "spool-pages", 0, 0, G_OPTION_ARG_INT, &o->spool_pages, N_("Spool pages per device (default 256)"), N_("N") },
    { "drop-before", 0, 0, G_OPTION_ARG_DOUBLE, &o->drop_before, N_("Probability a request is lost before the server"), N_("P") },
    { "drop-after", 0, 0, G_OPTION_ARG_DOUBLE, &o->drop_after, N_("Probability a reply is lost after the server applied the request"), N_("P") },
    { "duplicate", 0, 0, G_OPTION_ARG_DOUBLE, &o->duplicate, N_("Probability a request arrives twice"), N_("P") },
    { "reorder", 0, 0, G_OPTION_ARG_DOUBLE, &o->reorder, N_("Probability a request is replayed later, after newer ones"), N_("P") },
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &o->delay_ms, N_("Delay each request by up to this long"), N_("MS") },
    { "reboot-every", 0, 0, G_OPTION_ARG_DOUBLE, &o->reboot_every, N_("Power-cycle each device about this often (real seconds)"), N_("SECONDS") },
    { "backoff-min-ms", 0, 0, G_OPTION_ARG_INT, &o->backoff_min_ms, N_("The uploader’s first backoff (default 500)"), N_("MS") },
    { "backoff-max-ms", 0, 0, G_OPTION_ARG_INT, &o->backoff_max_ms, N_("The uploader’s longest backoff (default 60000)"), N_("MS") },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout, N_("Give up after this many real seconds (default: never)"), N_("SECONDS") },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &o->offline, N_("Record into the spools only, never upload (for “waymark-cli ingest”)"), NULL },
    { "verify", 0, 0, G_OPTION_ARG_FILENAME, &o->verify, N_("At the end, compare every recording in this project with its source"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("Print the summary as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, N_("No progress, no summary"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _("Simulated devices record a seeded source into spools on disk and upload "
                                           "them to a Waymark server over a flaky link, with the real device code."));
  g_option_context_set_description (context, _("Each device’s spool lives in DIR/DEVICE/ (spool, spool.json, stream.json, "
                                               "stream.sha256), which “waymark-cli ingest” reads.\n"
                                               "Exit status: 0 every device finalized (and verified), 1 failure, 2 usage error."));
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("unexpected argument “%s”"), (*argv)[1]);
  else if (o->dir == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("give the spools’ directory with --dir"));
  else if (o->devices < 1 || o->devices > 9999)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--devices must be 1 … 9999"));
  else if (!o->offline && (o->server == NULL) == (o->server_file == NULL))
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("give the server with --server or --server-file (or record --offline)"));
  else if (!o->offline && (o->project == NULL) == (o->tokens == NULL))
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("give --project (register the devices) or --tokens"));
  else if (o->duration <= 0 || o->speed < 0 || o->sync_ms < 1 || o->chunk_bytes < 12 || o->timeout < 0 || o->run_for < 0)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--duration, --sync-ms and --chunk-bytes must be positive, --speed, --timeout and --run-for not negative"));
  else if (o->page_size < 128 || o->page_size > 65535 || o->spool_pages < 4 || o->spool_pages > 65535)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--page-size must be 128 … 65535 and --spool-pages 4 … 65535"));
  else if (o->drop_before < 0 || o->drop_before > 1 || o->drop_after < 0 || o->drop_after > 1 ||
           o->duplicate < 0 || o->duplicate > 1 || o->reorder < 0 || o->reorder > 1 || o->delay_ms < 0)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("fault probabilities must be 0 … 1 and --delay-ms not negative"));
  else if (g_strcmp0 (o->source, "mixed") != 0 && !wm_sim_source_kind_from_string (o->source, &(WmSimSourceKind) { 0 }))
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--source must be imu, audio or mixed, not “%s”"), o->source);
  else
    return TRUE;
  return FALSE;
}

/* ---- tokens -------------------------------------------------------------- */

static GHashTable *
load_tokens (const char  *path,
             gboolean     missing_ok,
             GError     **error)
{
  g_autoptr(GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (missing_ok && !g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&tokens);
  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("%s: expected a JSON object of device name to token"), path);
      return NULL;
    }
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &name, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
      g_hash_table_insert (tokens, g_strdup (name), g_strdup (json_node_get_string (value)));
  return g_steal_pointer (&tokens);
}

static gboolean
save_tokens (const char  *path,
             GHashTable  *tokens,
             GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (tokens), (GCompareFunc) g_strcmp0);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  for (GList *l = names; l != NULL; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_string_value (b, g_hash_table_lookup (tokens, l->data));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Registers the devices DIR/tokens.json does not know yet. */
static GHashTable *
register_devices (const Options  *o,
                  GPtrArray      *names,
                  GPtrArray      *types,
                  GError        **error)
{
  g_autofree char *path = g_build_filename (o->dir, "tokens.json", NULL);
  g_autoptr(GHashTable) tokens = load_tokens (path, TRUE, error);
  g_autoptr(WmStore) store = NULL;

  if (tokens == NULL)
    return NULL;
  if (g_mkdir_with_parents (o->dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("%s: cannot make the directory: %s"),
                   o->dir, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *token = NULL;

      if (g_hash_table_contains (tokens, names->pdata[i]))
        continue;
      if (store == NULL && (store = wm_store_open (o->project, WM_STORE_OPEN_DEFAULT, error)) == NULL)
        return NULL;
      token = wm_ingest_add_device (store, names->pdata[i], types->pdata[i], NULL, error);
      if (token == NULL)
        {
          g_prefix_error (error, _("%s: registering the device (its token is not in %s): "), o->project, path);
          return NULL;
        }
      g_hash_table_insert (tokens, g_strdup (names->pdata[i]), g_steal_pointer (&token));
      if (!save_tokens (path, tokens, error))
        return NULL;
    }
  return g_steal_pointer (&tokens);
}

/* ---- devices --------------------------------------------------------------- */

static WmSimSourceKind
device_kind (const Options *o,
             guint          index)
{
  WmSimSourceKind kind = WM_SIM_SOURCE_IMU;

  if (g_strcmp0 (o->source, "mixed") == 0)
    return index % 2 == 0 ? WM_SIM_SOURCE_IMU : WM_SIM_SOURCE_AUDIO;
  wm_sim_source_kind_from_string (o->source, &kind);
  return kind;
}

static GPtrArray *
make_devices (const Options  *o,
              GError        **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) wm_sim_device_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) tokens = NULL;
  gint64 deadline = o->timeout > 0 ? g_get_monotonic_time () + (gint64) (o->timeout * G_USEC_PER_SEC) : 0;

  for (int i = 0; i < o->devices; i++)
    {
      g_ptr_array_add (names, g_strdup_printf ("%s-%04d", o->prefix, i + 1));
      g_ptr_array_add (types, g_strdup_printf ("waymark-sim-%s", wm_sim_source_kind_to_string (device_kind (o, i))));
    }
  if (!o->offline)
    tokens = o->tokens != NULL ? load_tokens (o->tokens, FALSE, error) : register_devices (o, names, types, error);
  if (!o->offline && tokens == NULL)
    return NULL;
  for (int i = 0; i < o->devices; i++)
    {
      g_autofree char *dir = g_build_filename (o->dir, names->pdata[i], NULL);
      WmSimDeviceConfig config = {
        .name = names->pdata[i],
        .token = tokens != NULL ? g_hash_table_lookup (tokens, names->pdata[i]) : NULL,
        .dir = dir,
        .source = { device_kind (o, i), (guint64) o->seed, (guint) i },
        .duration_s = o->duration, .speed = o->speed, .run_for_s = o->run_for,
        .sync_ms = (guint) o->sync_ms, .page_size = (guint) o->page_size, .page_count = (guint) o->spool_pages,
        .reboot_every_s = o->reboot_every,
        .backoff_min_ms = (guint) o->backoff_min_ms, .backoff_max_ms = (guint) o->backoff_max_ms,
        .offline = o->offline, .server_url = o->server, .server_file = o->server_file,
        .faults = { o->drop_before, o->drop_after, o->duplicate, o->reorder, (guint) o->delay_ms, 0 },
        .deadline_us = deadline,
      };
      WmSimDevice *device;

      config.chunk_frames = MAX (1, (guint) o->chunk_bytes / (guint) wm_sim_source_frame_bytes (&config.source));
      if (!o->offline && config.token == NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, _("%s: no token for device “%s”"), o->tokens, config.name);
          return NULL;
        }
      device = wm_sim_device_new (&config, error);
      if (device == NULL)
        return NULL;
      g_ptr_array_add (devices, device);
    }
  return g_steal_pointer (&devices);
}

/* ---- running and the summary --------------------------------------------- */

typedef struct {
  guint    finalized, ended, failed, stopped;
  guint64  frames, requests, chunks, bytes, retries, resyncs, reboots, no_reply, backwards;
} Totals;

static void
add_up (GPtrArray *devices,
        Totals    *t,
        GPtrArray *failures)
{
  memset (t, 0, sizeof *t);
  for (guint i = 0; i < devices->len; i++)
    {
      WmSimDeviceStats s;

      wm_sim_device_snapshot (devices->pdata[i], &s);
      t->finalized += s.finalized;
      t->ended += s.ended;
      t->stopped += s.stopped;
      t->failed += s.failure != NULL;
      t->frames += s.frames;
      t->requests += s.requests;
      t->chunks += s.chunks_acked;
      t->bytes += s.bytes_acked;
      t->retries += s.retries;
      t->resyncs += s.resyncs;
      t->reboots += s.reboots;
      t->no_reply += s.no_reply;
      t->backwards += s.backwards;
      if (s.failure != NULL && failures != NULL)
        g_ptr_array_add (failures, g_steal_pointer (&s.failure));
      g_free (s.failure);
    }
}

static void
wait_for_devices (const Options *o,
                  GPtrArray     *devices,
                  gint64         start_us)
{
  gboolean progress = !o->quiet && !o->json && isatty (STDERR_FILENO);
  Totals t;

  do
    {
      g_usleep (200000);
      add_up (devices, &t, NULL);
      if (progress)
        g_printerr (_("\r%u/%u devices done, %" PRIu64 " chunks acknowledged (%.1f MB), %" PRIu64 " retries, %.0f s "),
                    t.finalized, devices->len, t.chunks, t.bytes / 1e6, t.retries,
                    (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC);
    }
  while (t.stopped < devices->len);
  if (progress)
    g_printerr ("\n");
  for (guint i = 0; i < devices->len; i++)
    wm_sim_device_join (devices->pdata[i]);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Every acknowledged chunk's round trip, sorted. */
static GArray *
all_ack_ms (GPtrArray *devices)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < devices->len; i++)
    {
      GArray *a = wm_sim_device_get_ack_ms (devices->pdata[i]);

      g_array_append_vals (all, a->data, a->len);
    }
  g_array_sort (all, compare_double);
  return all;
}

static double
percentile (GArray *sorted,
            double  p)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, double, (guint) floor (p * (sorted->len - 1) + 0.5));
}

static void
add_string_array (JsonBuilder *b,
                  const char  *name,
                  GPtrArray   *strings)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; strings != NULL && i < strings->len; i++)
    json_builder_add_string_value (b, strings->pdata[i]);
  json_builder_end_array (b);
}

#define SET_INT(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_int_value (b, (gint64) (v)))
#define SET_DOUBLE(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_double_value (b, v))

static void
print_json (GPtrArray *devices,
            Totals    *t,
            GArray    *ack_ms,
            double     seconds,
            GPtrArray *failures,
            GPtrArray *problems)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  SET_INT (b, "devices", devices->len);
  SET_INT (b, "ended", t->ended);
  SET_INT (b, "finalized", t->finalized);
  SET_INT (b, "failed", t->failed);
  SET_INT (b, "frames", t->frames);
  SET_INT (b, "requests", t->requests);
  SET_INT (b, "chunks", t->chunks);
  SET_INT (b, "bytes", t->bytes);
  SET_INT (b, "acks", t->chunks);
  SET_INT (b, "retries", t->retries);
  SET_INT (b, "resyncs", t->resyncs);
  SET_INT (b, "no_reply", t->no_reply);
  SET_INT (b, "reboots", t->reboots);
  SET_INT (b, "offsets_backwards", t->backwards);
  SET_DOUBLE (b, "ack_ms_p50", percentile (ack_ms, 0.5));
  SET_DOUBLE (b, "ack_ms_p99", percentile (ack_ms, 0.99));
  SET_DOUBLE (b, "seconds", seconds);
  SET_DOUBLE (b, "chunks_per_s", seconds > 0 ? t->chunks / seconds : 0);
  SET_DOUBLE (b, "mb_per_s", seconds > 0 ? t->bytes / 1e6 / seconds : 0);
  add_string_array (b, "failures", failures);
  json_builder_set_member_name (b, "verified");
  if (problems != NULL)
    json_builder_add_boolean_value (b, problems->len == 0);
  else
    json_builder_add_null_value (b);
  add_string_array (b, "verify_problems", problems);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static void
print_summary (GPtrArray *devices,
               Totals    *t,
               GArray    *ack_ms,
               double     seconds,
               GPtrArray *failures,
               GPtrArray *problems)
{
  g_print (_("Devices: %u, %u ended, %u finalized, %u failed\n"), devices->len, t->ended, t->finalized, t->failed);
  g_print (_("Frames recorded: %" PRIu64 "\n"), t->frames);
  g_print (_("Chunks acknowledged: %" PRIu64 " (%.2f MB) in %.1f s: %.0f chunks/s, %.2f MB/s\n"),
           t->chunks, t->bytes / 1e6, seconds, seconds > 0 ? t->chunks / seconds : 0,
           seconds > 0 ? t->bytes / 1e6 / seconds : 0);
  g_print (_("Requests: %" PRIu64 ", unanswered %" PRIu64 ", retries %" PRIu64
             ", resyncs %" PRIu64 ", reboots %" PRIu64 "\n"),
           t->requests, t->no_reply, t->retries, t->resyncs, t->reboots);
  g_print (_("Acknowledgement latency: p50 %.2f ms, p99 %.2f ms\n"), percentile (ack_ms, 0.5), percentile (ack_ms, 0.99));
  for (guint i = 0; i < failures->len; i++)
    g_print (_("Failure: %s\n"), (char *) failures->pdata[i]);
  if (problems != NULL && problems->len == 0)
    g_print (_("Verified: every recording equals its source and no committed offset went backwards.\n"));
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    g_print (_("Verify: %s\n"), (char *) problems->pdata[i]);
}

static int
run (Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = make_devices (o, &error);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GArray) ack_ms = NULL;
  gint64 start_us = g_get_monotonic_time ();
  double seconds;
  Totals t;

  if (devices == NULL)
    {
      g_printerr ("waymark-device-sim: %s\n", error->message);
      return EXIT_FAILURE_;
    }
  for (guint i = 0; i < devices->len; i++)
    wm_sim_device_start (devices->pdata[i]);
  wait_for_devices (o, devices, start_us);
  seconds = (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
  add_up (devices, &t, failures);
  ack_ms = all_ack_ms (devices);
  if (o->verify != NULL)
    {
      problems = g_ptr_array_new_with_free_func (g_free);
      if (!wm_sim_verify (o->verify, (WmSimDevice **) devices->pdata, devices->len, problems, &error))
        g_ptr_array_add (problems, g_strdup (error->message));
    }
  if (o->json)
    print_json (devices, &t, ack_ms, seconds, failures, problems);
  else if (!o->quiet)
    print_summary (devices, &t, ack_ms, seconds, failures, problems);
  if (failures->len > 0 || t.backwards > 0 || (problems != NULL && problems->len > 0))
    return EXIT_FAILURE_;
  return EXIT_OK;
}

int
main (int   argc,
      char *argv[])
{
  Options o = {
    .devices = 1, .seed = 1, .duration = 10, .speed = 1, .sync_ms = 1000, .chunk_bytes = 16384,
    .page_size = 4096, .spool_pages = 256,
  };
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("waymark-device-sim");
  if (!parse_options (&o, &argc, &argv, &error))
    {
      g_printerr ("waymark-device-sim: %s\n%s\n", error->message, _("Try “waymark-device-sim --help”."));
      options_clear (&o);
      return EXIT_USAGE;
    }
  if (o.source == NULL)
    o.source = g_strdup ("imu");
  if (o.prefix == NULL)
    o.prefix = g_strdup ("sim");
  status = run (&o);
  options_clear (&o);
  return status;
}
