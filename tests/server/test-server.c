/* test-server.c — `waymark-cli serve` as devices and attackers see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts the real server on 127.0.0.1 port 0 (reading the port
 * back from its first line of output) and talks to it with libsoup and with
 * raw sockets.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "store-dump.h"
#include "test-util.h"
#include "wm-ingest.h"

#define META_JSON "{\"sample_rate\": 100, \"sample_format\": \"int16\", " \
                  "\"channels\": [{\"name\": \"x\", \"unit\": \"g\"}, {\"name\": \"y\", \"unit\": \"g\"}], " \
                  "\"device_type\": \"sim\", \"firmware\": \"1.0\"}"
#define FRAME_BYTES 4
#define MAX_CHUNK 65536
/* Long enough for a TLS handshake under AddressSanitizer on a loaded machine. */
#define READ_TIMEOUT "4"
#define IDLE_TIMEOUT "3"
#define EI_HMAC_KEY "5e1f0c2d9a7b4e3f"

typedef struct {
  char        *dir;
  char        *project;
  char        *token_a;       /* dev-a */
  char        *token_b;       /* dev-b */
  char        *token_ei;      /* ei-dev, with an HMAC key */
  char        *token_revoked;
  GSubprocess *server;
  GDataInputStream *server_out;
  char        *url;
  guint16      port;
  SoupSession *session;
} Fixture;

typedef struct {
  guint     status;
  char     *body;
  JsonNode *json;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_free);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  reply->status = 0;
}

/* ---- the server ----------------------------------------------------------- */

static char *
cli_path (void)
{
  return g_build_filename (g_getenv ("WAYMARK_BUILD_ROOT"), "app", "cli", "waymark-cli", NULL);
}

static void
start_server_with (Fixture     *f,
                   const char  *crash_hook,
                   const char  *tls_cert,
                   const char  *tls_key)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, cli_path ());
  for (const char *const *a = (const char *const[]) { "-p", f->project, "serve", "--listen", "127.0.0.1:0",
                                                      "--max-chunk-bytes", G_STRINGIFY (MAX_CHUNK),
                                                      "--read-timeout", READ_TIMEOUT,
                                                      "--idle-timeout", IDLE_TIMEOUT, NULL };
       *a != NULL; a++)
    g_ptr_array_add (argv, g_strdup (*a));
  if (tls_cert != NULL)
    {
      const char *asan = g_getenv ("ASAN_OPTIONS");

      /* GCC 12's LeakSanitizer crashes at exit in a process that loaded
       * glib-networking's GnuTLS module (it reads a bogus dynamic TLS range:
       * "Tracer caught signal 11"); the TLS server is still checked by
       * AddressSanitizer, its leaks by every other test. */
      if (asan != NULL)
        {
          g_autofree char *options = g_strconcat (asan, ":detect_leaks=0", NULL);

          g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
        }
      g_ptr_array_add (argv, g_strdup ("--tls-cert"));
      g_ptr_array_add (argv, g_strdup (tls_cert));
      g_ptr_array_add (argv, g_strdup ("--tls-key"));
      g_ptr_array_add (argv, g_strdup (tls_key));
    }
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  wm_test_launcher_die_with_parent (launcher);
  if (crash_hook != NULL)
    g_subprocess_launcher_setenv (launcher, "WAYMARK_SERVE_CRASH", crash_hook, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "WAYMARK_SERVE_CRASH");
  f->server = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  f->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (f->server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  f->url = g_strdup (line + strlen ("Listening on "));
  uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  f->port = (guint16) g_uri_get_port (uri);
}

static void
start_server (Fixture *f)
{
  start_server_with (f, NULL, NULL, NULL);
}

/* SIGTERM: the server answers what it holds, commits and exits 0. */
static void
stop_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (f->server));
  g_assert_cmpint (g_subprocess_get_exit_status (f->server), ==, 0);
  g_clear_object (&f->server_out);
  g_clear_object (&f->server);
  g_clear_pointer (&f->url, g_free);
}

static char *
add_device (WmStore    *store,
            const char *name,
            const char *hmac_key)
{
  g_autoptr(GError) error = NULL;
  char *token = wm_ingest_add_device (store, name, "sim", hmac_key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(WmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *revoked_token = NULL;

  f->dir = g_dir_make_tmp ("waymark-server-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->project = g_build_filename (f->dir, "field.waymark", NULL);
  store = wm_store_open (f->project, WM_STORE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->token_a = add_device (store, "dev-a", NULL);
  f->token_b = add_device (store, "dev-b", NULL);
  f->token_ei = add_device (store, "ei-dev", EI_HMAC_KEY);
  f->token_revoked = add_device (store, "gone", NULL);
  g_assert_true (wm_ingest_revoke_device (store, "gone", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  f->session = soup_session_new_with_options ("timeout", 20, NULL);
  if (data == NULL)
    start_server (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  stop_server (f);
  g_clear_object (&f->session);
  wm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->token_a);
  g_free (f->token_b);
  g_free (f->token_ei);
  g_free (f->token_revoked);
}

/* ---- talking to it with libsoup -------------------------------------------- */

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* @headers: NULL-terminated name, value pairs (nullable). */
static void
request (Fixture     *f,
         const char  *method,
         const char  *path,
         const char  *token,
         const char **headers,
         const void  *body,
         gsize        length,
         Reply       *reply)
{
  g_autofree char *url = g_strconcat (f->url, path[0] == '/' ? path + 1 : path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;

  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (msg, "application/octet-stream", bytes);
    }
  response = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  reply_clear (reply);
  reply->status = soup_message_get_status (msg);
  reply->body = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  content_type = soup_message_headers_get_content_type (reply->headers, NULL);
  if (g_strcmp0 (content_type, "application/json") == 0)
    reply->json = json_from_string (reply->body, NULL);
}

static gint64
json_int (Reply      *reply,
          const char *member)
{
  g_assert_nonnull (reply->json);
  g_assert_true (json_object_has_member (json_node_get_object (reply->json), member));
  return json_object_get_int_member (json_node_get_object (reply->json), member);
}

static const char *
json_string (Reply      *reply,
             const char *member)
{
  g_assert_nonnull (reply->json);
  g_assert_true (json_object_has_member (json_node_get_object (reply->json), member));
  return json_object_get_string_member (json_node_get_object (reply->json), member);
}

/* An error reply: JSON with "error" (a message) and "code". */
static void
assert_error (Reply      *reply,
              guint       status,
              const char *code)
{
  if (reply->status != status)
    g_error ("expected %u, got %u: %s", status, reply->status, reply->body);
  g_assert_cmpstr (json_string (reply, "code"), ==, code);
  g_assert_cmpuint (strlen (json_string (reply, "error")), >, 0);
}

static void
put_stream (Fixture    *f,
            const char *stream,
            const char *meta,
            Reply      *reply)
{
  g_autofree char *path = g_strdup_printf ("/v1/devices/dev-a/streams/%s", stream);

  request (f, "PUT", path, f->token_a, NULL, meta, strlen (meta), reply);
}

/* Frames [offset, offset + n) of a known signal, 2 channels of int16. */
static GBytes *
frames (gint64 offset,
        guint  n)
{
  gint16 *data = g_new (gint16, n * 2);

  for (guint i = 0; i < n; i++)
    {
      data[2 * i] = GINT16_TO_LE ((gint16) ((offset + i) * 37));
      data[2 * i + 1] = GINT16_TO_LE ((gint16) (-(offset + i) * 11));
    }
  return g_bytes_new_take (data, n * FRAME_BYTES);
}

static void
put_chunk_bytes (Fixture    *f,
                 const char *device,
                 const char *token,
                 const char *stream,
                 gint64      offset,
                 GBytes     *bytes,
                 const char *sha256,
                 Reply      *reply)
{
  g_autofree char *path = g_strdup_printf ("/v1/devices/%s/streams/%s/chunks?offset=%" G_GINT64_FORMAT,
                                           device, stream, offset);
  g_autofree char *computed = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  const char *headers[] = { "X-Content-SHA256", sha256 != NULL ? sha256 : computed, NULL };

  request (f, "POST", path, token, headers, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), reply);
}

static void
put_chunk (Fixture    *f,
           const char *stream,
           gint64      offset,
           guint       n,
           Reply      *reply)
{
  g_autoptr(GBytes) bytes = frames (offset, n);

  put_chunk_bytes (f, "dev-a", f->token_a, stream, offset, bytes, NULL, reply);
}

/* ---- raw sockets ------------------------------------------------------------ */

static GSocket *
raw_connect (Fixture *f)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 15);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

static void
raw_send (GSocket    *socket,
          const char *data,
          gsize       length)
{
  g_autoptr(GError) error = NULL;
  gsize sent = 0;

  while (sent < length)
    {
      gssize n = g_socket_send (socket, data + sent, length - sent, NULL, &error);

      g_assert_no_error (error);
      sent += n;
    }
}

/* Everything the server sends until it closes the connection. */
static char *
raw_read_to_end (GSocket *socket)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[4096];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n <= 0)
        {
          g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
          break;
        }
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static guint
raw_status (const char *response)
{
  guint status = 0;

  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 "));
  status = (guint) g_ascii_strtoull (response + strlen ("HTTP/1.1 "), NULL, 10);
  return status;
}

/* One request on its own connection, closed after it. */
static char *
raw_exchange (Fixture    *f,
              const char *request_text)
{
  g_autoptr(GSocket) socket = raw_connect (f);

  raw_send (socket, request_text, strlen (request_text));
  return raw_read_to_end (socket);
}

/* ---- the routes ---------------------------------------------------------------- */

static void
test_stream_lifecycle (Fixture       *f,
                       gconstpointer  data)
{
  Reply r = { 0 };
  g_autoptr(GBytes) all = frames (0, 150);
  g_autofree char *all_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, all);
  g_autofree char *finalize_body = g_strdup_printf ("{\"sha256\": \"%s\"}", all_sha);
  const char *wrong_final = "{\"sha256\": \"" "0000000000000000000000000000000000000000000000000000000000000000" "\"}";
  gint64 recording_id;

  put_stream (f, "s1", META_JSON, &r);
  g_assert_cmpuint (r.status, ==, 201);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 0);
  recording_id = json_int (&r, "recording_id");
  g_assert_cmpint (recording_id, >, 0);
  put_stream (f, "s1", META_JSON, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "recording_id"), ==, recording_id);
  put_stream (f, "s1", "{\"sample_rate\": 200, \"sample_format\": \"int16\", \"channels\": [{\"name\": \"x\", \"unit\": \"\"}]}", &r);
  assert_error (&r, 409, "metadata_conflict");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (json_node_get_object (r.json), "metadata"),
                                                    "sample_rate"), ==, 100);

  request (f, "GET", "/v1/devices/dev-a/streams/s1", f->token_a, NULL, NULL, 0, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 0);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (r.json), "finalized"));

  put_chunk (f, "s1", 0, 100, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 100);
  put_chunk (f, "s1", 0, 100, &r);                      /* the same again */
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 100);
  put_chunk (f, "s1", 120, 10, &r);                     /* a gap */
  assert_error (&r, 409, "gap");
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 100);
  {
    g_autoptr(GBytes) other = frames (1000, 10);        /* differs from frames 90..100 */

    put_chunk_bytes (f, "dev-a", f->token_a, "s1", 90, other, NULL, &r);
    assert_error (&r, 422, "overlap");
    put_chunk_bytes (f, "dev-a", f->token_a, "s1", 100, other, all_sha, &r);
    assert_error (&r, 400, "hash_mismatch");
  }
  {
    g_autoptr(GBytes) odd = g_bytes_new ("abcdefg", 7);  /* not whole frames */

    put_chunk_bytes (f, "dev-a", f->token_a, "s1", 100, odd, NULL, &r);
    assert_error (&r, 400, "invalid");
  }
  request (f, "POST", "/v1/devices/dev-a/streams/s1/chunks?offset=100", f->token_a, NULL, "abcd", 4, &r);
  assert_error (&r, 400, "invalid");                    /* no X-Content-SHA256 */
  {
    const char *headers[] = { "X-Content-SHA256", all_sha, NULL };

    request (f, "POST", "/v1/devices/dev-a/streams/s1/chunks", f->token_a, headers, "abcd", 4, &r);
    assert_error (&r, 400, "invalid");                  /* no offset */
    request (f, "POST", "/v1/devices/dev-a/streams/s1/chunks?offset=-4", f->token_a, headers, "abcd", 4, &r);
    assert_error (&r, 400, "invalid");
  }
  request (f, "GET", "/v1/devices/dev-a/streams/s1", f->token_a, NULL, NULL, 0, &r);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 100);

  put_chunk (f, "s1", 100, 50, &r);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 150);
  request (f, "POST", "/v1/devices/dev-a/streams/s1/finalize", f->token_a, NULL, wrong_final, strlen (wrong_final), &r);
  assert_error (&r, 409, "finalize_mismatch");
  request (f, "POST", "/v1/devices/dev-a/streams/s1/finalize", f->token_a, NULL, "{\"sha\": 1}", 10, &r);
  assert_error (&r, 400, "invalid");
  request (f, "POST", "/v1/devices/dev-a/streams/s1/finalize", f->token_a, NULL, finalize_body, strlen (finalize_body), &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (r.json), "finalized"));
  g_assert_cmpint (json_int (&r, "recording_id"), ==, recording_id);
  request (f, "POST", "/v1/devices/dev-a/streams/s1/finalize", f->token_a, NULL, finalize_body, strlen (finalize_body), &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "recording_id"), ==, recording_id);
  g_assert_cmpstr (json_string (&r, "sha256"), ==, all_sha);

  request (f, "GET", "/v1/devices/dev-a/streams/nope", f->token_a, NULL, NULL, 0, &r);
  assert_error (&r, 404, "not_found");
  put_chunk (f, "nope", 0, 10, &r);
  assert_error (&r, 404, "not_found");
  request (f, "DELETE", "/v1/devices/dev-a/streams/s1", f->token_a, NULL, NULL, 0, &r);
  assert_error (&r, 405, "method_not_allowed");
  g_assert_nonnull (soup_message_headers_get_one (r.headers, "Allow"));
  request (f, "GET", "/v2/whatever", f->token_a, NULL, NULL, 0, &r);
  assert_error (&r, 404, "not_found");
  reply_clear (&r);

  stop_server (f);
  {
    g_autoptr(WmStore) store = wm_store_open (f->project, WM_STORE_OPEN_READ_ONLY, NULL);
    g_autoptr(WmRecording) recording = wm_store_get_recording (store, recording_id, NULL);
    g_autofree guint8 *stored = g_malloc (150 * FRAME_BYTES);

    g_assert_nonnull (recording);
    g_assert_cmpint (recording->n_frames, ==, 150);
    g_assert_cmpstr (recording->device_id, ==, "dev-a");
    g_assert_cmpstr (recording->stream_id, ==, "s1");
    g_assert_true (wm_store_read_frames_raw (store, recording_id, 0, 150, stored, NULL));
    g_assert_cmpmem (stored, 150 * FRAME_BYTES, g_bytes_get_data (all, NULL), g_bytes_get_size (all));
  }
}

/* Many chunks at once, each on its own connection: all answered after
 * their commit, the server's count says so at exit. */
typedef struct {
  guint n_left;
  guint n_ok;
} Concurrent;

static void
concurrent_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Concurrent *c = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (soup_message_get_status (msg) == 200)
    c->n_ok++;
  c->n_left--;
}

static void
test_concurrent_chunks (Fixture       *f,
                        gconstpointer  data)
{
  const guint n_streams = 24;
  Concurrent c = { n_streams, 0 };
  Reply r = { 0 };
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_streams; i++)
    {
      g_autofree char *stream = g_strdup_printf ("c%u", i);

      put_stream (f, stream, META_JSON, &r);
      g_assert_cmpuint (r.status, ==, 201);
    }
  g_clear_object (&f->session);
  f->session = soup_session_new_with_options ("timeout", 20, "max-conns", 64, "max-conns-per-host", 64, NULL);
  for (guint i = 0; i < n_streams; i++)
    {
      g_autofree char *url = g_strdup_printf ("%sv1/devices/dev-a/streams/c%u/chunks?offset=0", f->url, i);
      g_autoptr(GBytes) bytes = frames (i * 1000, 500);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_autofree char *auth = g_strconcat ("Bearer ", f->token_a, NULL);
      SoupMessage *msg = soup_message_new ("POST", url);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Content-SHA256", sha);
      soup_message_set_request_body_from_bytes (msg, "application/octet-stream", bytes);
      soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, concurrent_done, &c);
      g_ptr_array_add (messages, msg);
    }
  while (c.n_left > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (c.n_ok, ==, n_streams);
  for (guint i = 0; i < n_streams; i++)
    {
      g_autofree char *path = g_strdup_printf ("/v1/devices/dev-a/streams/c%u", i);

      request (f, "GET", path, f->token_a, NULL, NULL, 0, &r);
      g_assert_cmpint (json_int (&r, "committed_offset"), ==, 500);
    }
  reply_clear (&r);
}

/* The dump without devices' last_seen, which every served request moves. */
static char *
dump_store (Fixture *f)
{
  g_autofree char *dump = wm_test_dump_store (f->project);
  g_auto(GStrv) lines = g_strsplit (dump, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "device|"))
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], "|", -1);

        g_assert_cmpuint (g_strv_length (fields), ==, 8);
        g_free (fields[6]);
        fields[6] = g_strdup ("*");
        g_free (lines[i]);
        lines[i] = g_strjoinv ("|", fields);
      }
  return g_strjoinv ("\n", lines);
}

static void
assert_store_unchanged (Fixture    *f,
                        const char *before)
{
  g_autofree char *now = dump_store (f);

  g_assert_cmpstr (now, ==, before);
}

static void
assert_still_serving (Fixture *f)
{
  Reply r = { 0 };

  request (f, "GET", "/v1/devices/dev-a/streams/s1", f->token_a, NULL, NULL, 0, &r);
  g_assert_cmpuint (r.status, ==, 200);
  reply_clear (&r);
}

/* ---- who may do what ------------------------------------------------------------ */

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  Reply r = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GBytes) chunk = frames (0, 10);
  const char *wrong = "0123456789abcdef0123456789abcdef";

  put_stream (f, "s1", META_JSON, &r);
  g_assert_cmpuint (r.status, ==, 201);
  before = dump_store (f);

  request (f, "PUT", "/v1/devices/dev-a/streams/s2", NULL, NULL, META_JSON, strlen (META_JSON), &r);
  assert_error (&r, 401, "unauthorized");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "WWW-Authenticate"), ==, "Bearer realm=\"waymark\"");
  request (f, "PUT", "/v1/devices/dev-a/streams/s2", wrong, NULL, META_JSON, strlen (META_JSON), &r);
  assert_error (&r, 401, "unauthorized");
  g_assert_nonnull (soup_message_headers_get_one (r.headers, "WWW-Authenticate"));
  request (f, "PUT", "/v1/devices/gone/streams/s2", f->token_revoked, NULL, META_JSON, strlen (META_JSON), &r);
  assert_error (&r, 401, "unauthorized");
  put_chunk_bytes (f, "dev-a", NULL, "s1", 0, chunk, NULL, &r);
  assert_error (&r, 401, "unauthorized");
  put_chunk_bytes (f, "dev-a", f->token_revoked, "s1", 0, chunk, NULL, &r);
  assert_error (&r, 401, "unauthorized");
  /* dev-b's token on dev-a's stream */
  put_chunk_bytes (f, "dev-a", f->token_b, "s1", 0, chunk, NULL, &r);
  assert_error (&r, 403, "forbidden");
  request (f, "GET", "/v1/devices/dev-a/streams/s1", f->token_b, NULL, NULL, 0, &r);
  assert_error (&r, 403, "forbidden");
  {
    const char *headers[] = { "Authorization", "Basic ZGV2LWE6eA==", NULL };

    request (f, "GET", "/v1/devices/dev-a/streams/s1", NULL, headers, NULL, 0, &r);
    assert_error (&r, 401, "unauthorized");
  }
  reply_clear (&r);

  after = dump_store (f);
  g_assert_cmpstr (before, ==, after);
}

/* ---- hostile requests ------------------------------------------------------------- */

static void
test_oversized (Fixture       *f,
                gconstpointer  data)
{
  Reply r = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GSocket) socket = NULL;

  put_stream (f, "s1", META_JSON, &r);
  before = dump_store (f);

  /* A declared body over the limit: 413 with nothing of the body sent. */
  headers = g_strdup_printf ("POST /v1/devices/dev-a/streams/s1/chunks?offset=0 HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                             "X-Content-SHA256: %064d\r\nContent-Length: 1073741824\r\n\r\n", f->token_a, 0);
  response = raw_exchange (f, headers);
  g_assert_cmpuint (raw_status (response), ==, 413);
  g_assert_nonnull (strstr (response, "\"too_large\""));
  g_clear_pointer (&response, g_free);

  /* The same before authentication: still 413, not a read of 1 GiB. */
  g_clear_pointer (&headers, g_free);
  headers = g_strdup ("PUT /v1/devices/dev-a/streams/s9 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Length: 1073741824\r\n\r\n");
  response = raw_exchange (f, headers);
  g_assert_cmpuint (raw_status (response), ==, 413);
  g_clear_pointer (&response, g_free);

  /* Chunked: cut off as soon as it passes the limit. */
  socket = raw_connect (f);
  g_clear_pointer (&headers, g_free);
  headers = g_strdup_printf ("POST /v1/devices/dev-a/streams/s1/chunks?offset=0 HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                             "X-Content-SHA256: %064d\r\nTransfer-Encoding: chunked\r\n\r\n", f->token_a, 0);
  raw_send (socket, headers, strlen (headers));
  {
    g_autofree char *block = g_malloc0 (16384);
    g_autofree char *size_line = g_strdup_printf ("%x\r\n", 16384);

    for (guint i = 0; i < (MAX_CHUNK / 16384) + 2; i++)
      {
        g_autoptr(GError) error = NULL;

        if (g_socket_send (socket, size_line, strlen (size_line), NULL, &error) < 0
            || g_socket_send (socket, block, 16384, NULL, &error) < 0
            || g_socket_send (socket, "\r\n", 2, NULL, &error) < 0)
          break;
      }
  }
  response = raw_read_to_end (socket);
  g_assert_cmpuint (raw_status (response), ==, 413);

  /* Too many headers. */
  g_clear_pointer (&response, g_free);
  {
    g_autoptr(GString) many = g_string_new ("GET /v1/devices/dev-a/streams/s1 HTTP/1.1\r\nHost: x\r\n");

    for (guint i = 0; i < 100; i++)
      g_string_append_printf (many, "X-Filler-%u: %u\r\n", i, i);
    g_string_append (many, "\r\n");
    response = raw_exchange (f, many->str);
    g_assert_cmpuint (raw_status (response), ==, 431);
  }

  assert_still_serving (f);
  reply_clear (&r);
  assert_store_unchanged (f, before);
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  Reply r = { 0 };
  g_autofree char *before = NULL;

  put_stream (f, "s1", META_JSON, &r);
  before = dump_store (f);
  put_stream (f, "s2", "{\"sample_rate\": ", &r);
  assert_error (&r, 400, "invalid");
  put_stream (f, "s2", "[1, 2, 3]", &r);
  assert_error (&r, 400, "invalid");
  put_stream (f, "s2", "{\"sample_rate\": -5, \"sample_format\": \"int16\", \"channels\": []}", &r);
  assert_error (&r, 400, "invalid");
  put_stream (f, "s2", "", &r);
  assert_error (&r, 400, "invalid");
  reply_clear (&r);
  assert_store_unchanged (f, before);
}

/* A body shorter than declared: the request never completes and the
 * connection is dropped after the read timeout; longer: the surplus is a
 * malformed next request. */
static void
test_wrong_content_length (Fixture       *f,
                           gconstpointer  data)
{
  Reply r = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GBytes) chunk = frames (0, 25);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, chunk);
  gint64 start;

  put_stream (f, "s1", META_JSON, &r);
  before = dump_store (f);

  socket = raw_connect (f);
  text = g_strdup_printf ("POST /v1/devices/dev-a/streams/s1/chunks?offset=0 HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\nX-Content-SHA256: %s\r\n"
                          "Content-Length: 200\r\n\r\n", f->token_a, sha);
  raw_send (socket, text, strlen (text));
  raw_send (socket, g_bytes_get_data (chunk, NULL), 50);
  start = g_get_monotonic_time ();
  assert_still_serving (f);
  response = raw_read_to_end (socket);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 12 * G_USEC_PER_SEC);
  g_assert_null (strstr (response, "200 OK"));
  g_clear_object (&socket);
  g_clear_pointer (&response, g_free);

  /* 100 bytes declared as 60: the engine sees 60 bytes whose hash is not
   * the one sent; the remaining 40 are no request. */
  socket = raw_connect (f);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("POST /v1/devices/dev-a/streams/s1/chunks?offset=0 HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\nX-Content-SHA256: %s\r\n"
                          "Content-Length: 60\r\n\r\n", f->token_a, sha);
  raw_send (socket, text, strlen (text));
  raw_send (socket, g_bytes_get_data (chunk, NULL), 100);
  response = raw_read_to_end (socket);
  g_assert_cmpuint (raw_status (response), ==, 400);
  g_assert_nonnull (strstr (response, "hash_mismatch"));

  assert_still_serving (f);
  reply_clear (&r);
  assert_store_unchanged (f, before);
}

static void
test_path_tricks (Fixture       *f,
                  gconstpointer  data)
{
  /* libsoup resolves dot segments (RFC 3986 5.2.4) before routing, so a
   * ".." can only name another route, never leave one; ids never hold '/',
   * '%' or a leading '.'. */
  static const struct { const char *path; guint status; } cases[] = {
    { "/v1/devices/dev-a/../dev-b/streams/s1", 403 },
    { "/v1/devices/dev-a/streams/..", 404 },
    { "/v1/devices/dev-a/streams/%2E%2E", 404 },
    { "/v1/devices/dev-a/streams/s1/..", 400 },
    { "/v1/devices/dev-a/streams/.hidden", 400 },
    { "/v1/devices/dev-a%2F..%2Fdev-b/streams/s1", 400 },
    { "/v1/devices/dev-a/streams/s1%2Fchunks", 400 },
    { "/v1/devices//streams/s1", 400 },
    { "/v1/devices/dev-a/streams/", 400 },
    { "/v1/devices/dev-a/streams/s1/", 404 },
    { "/v1/devices/dev-a//streams/s1", 404 },
    { "/v1/devices/dev%00a/streams/s1", 400 },
  };
  Reply r = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *long_id = g_strnfill (129, 'a');

  put_stream (f, "s1", META_JSON, &r);
  before = dump_store (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("PUT %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                               "Authorization: Bearer %s\r\nConnection: close\r\n"
                                               "Content-Length: %zu\r\n\r\n%s",
                                               cases[i].path, f->token_a, strlen (META_JSON), META_JSON);
      g_autofree char *response = raw_exchange (f, text);
      guint status = raw_status (response);

      if (status != cases[i].status)
        g_error ("%s: expected %u, got %s", cases[i].path, cases[i].status, response);
    }
  {
    g_autofree char *path = g_strdup_printf ("/v1/devices/dev-a/streams/%s", long_id);

    request (f, "PUT", path, f->token_a, NULL, META_JSON, strlen (META_JSON), &r);
    assert_error (&r, 400, "invalid_id");
  }
  assert_still_serving (f);
  reply_clear (&r);
  assert_store_unchanged (f, before);
}

/* Headers one byte every 200 ms: dropped after the read timeout, while
 * others are served at once. */
typedef struct {
  guint16  port;
  gint64   dropped_after; /* µs; 0: never */
} Slowloris;

static gpointer
slowloris (gpointer data)
{
  Slowloris *s = data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, s->port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  const char *text = "GET /v1/devices/dev-a/streams/s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  gint64 start = g_get_monotonic_time ();

  g_assert_true (g_socket_connect (socket, address, NULL, NULL));
  for (gsize i = 0; text[i] != '\0' && g_get_monotonic_time () - start < 12 * G_USEC_PER_SEC; i++)
    {
      char buffer[512];

      if (g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) != 0
          && g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL) <= 0)
        {
          s->dropped_after = g_get_monotonic_time () - start;
          break;
        }
      if (g_socket_send (socket, text + i, 1, NULL, NULL) != 1)
        {
          s->dropped_after = g_get_monotonic_time () - start;
          break;
        }
      g_usleep (200 * 1000);
    }
  return NULL;
}

static void
test_slowloris (Fixture       *f,
                gconstpointer  data)
{
  Slowloris s = { f->port, 0 };
  Reply r = { 0 };
  g_autofree char *before = NULL;
  g_autoptr(GThread) thread = NULL;
  gint64 start;

  put_stream (f, "s1", META_JSON, &r);
  before = dump_store (f);
  thread = g_thread_new ("slowloris", slowloris, &s);
  g_usleep (500 * 1000);
  start = g_get_monotonic_time ();
  assert_still_serving (f);
  /* Served while the slow client still holds its connection (it is dropped
   * only after the read timeout, 4 s). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_cmpint (s.dropped_after, >, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (s.dropped_after, <, 10 * G_USEC_PER_SEC);
  assert_still_serving (f);
  reply_clear (&r);
  assert_store_unchanged (f, before);
}

/* A kept-alive connection left silent is closed after the idle timeout. */
static void
test_idle_connection (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSocket) socket = raw_connect (f);
  g_autofree char *text = g_strdup_printf ("GET /v1/devices/dev-a/streams/s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Authorization: Bearer %s\r\n\r\n", f->token_a);
  g_autofree char *response = NULL;
  gint64 start;

  raw_send (socket, text, strlen (text));
  start = g_get_monotonic_time ();
  response = raw_read_to_end (socket);
  g_assert_cmpuint (raw_status (response), ==, 404);
  g_assert_cmpint (g_get_monotonic_time () - start, >, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
}

/* Descriptors the server process holds (Linux /proc). */
static guint
count_server_fds (Fixture *f)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (f->server));
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Clients that close their kept-alive connection (as every short-lived
 * client does) leave nothing open in the server: libsoup 3.2.2 alone kept
 * each such connection in CLOSE-WAIT for good. */
static void
test_client_closes (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *text = g_strdup_printf ("GET /v1/devices/dev-a/streams/s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Authorization: Bearer %s\r\n\r\n", f->token_a);
  guint before, after = 0;
  Reply r = { 0 };

  put_stream (f, "s1", META_JSON, &r);
  reply_clear (&r);
  assert_still_serving (f);
  before = count_server_fds (f);
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GSocket) socket = raw_connect (f);
      char buffer[512];
      gssize n;

      raw_send (socket, text, strlen (text));
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      g_assert_cmpint (n, >, 0);
      g_socket_close (socket, NULL);
    }
  /* The server notices each end of stream in its main loop: wait a little. */
  for (guint tries = 0; tries < 50; tries++)
    {
      after = count_server_fds (f);
      if (after <= before)
        break;
      g_usleep (20 * 1000);
    }
  g_assert_cmpuint (after, <=, before);
  assert_still_serving (f);
}

/* ---- HTTPS ------------------------------------------------------------------------ */

static void
test_https (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (f->dir, "key.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *argv[] = { openssl, "req", "-x509", "-newkey", "ed25519", "-nodes", "-subj", "/CN=localhost",
                         "-keyout", key, "-out", cert, "-days", "2", NULL };
  g_autoptr(GError) error = NULL;
  Reply r = { 0 };
  int status = -1;

  g_assert_nonnull (openssl);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  start_server_with (f, NULL, cert, key);
  g_assert_true (g_str_has_prefix (f->url, "https://127.0.0.1:"));
  put_stream (f, "tls", META_JSON, &r);
  g_assert_cmpuint (r.status, ==, 201);
  put_chunk (f, "tls", 0, 64, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 64);
  request (f, "GET", "/v1/devices/dev-a/streams/tls", f->token_b, NULL, NULL, 0, &r);
  assert_error (&r, 403, "forbidden");
  reply_clear (&r);

  /* Plain HTTP on the TLS port is no request. */
  {
    g_autofree char *response = raw_exchange (f, "GET /v1/devices/dev-a/streams/tls HTTP/1.1\r\nHost: x\r\n\r\n");

    g_assert_false (g_str_has_prefix (response, "HTTP/1.1 200"));
  }
}

/* ---- the crash hook ------------------------------------------------------------------ */

static void
test_crash_mid_request (Fixture       *f,
                        gconstpointer  data)
{
  Reply r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) second = frames (40, 40);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, second);
  g_autofree char *text = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GSocket) socket = NULL;

  start_server_with (f, "mid-request:2", NULL, NULL);
  put_stream (f, "s1", META_JSON, &r);
  put_chunk (f, "s1", 0, 40, &r);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 40);

  socket = raw_connect (f);
  text = g_strdup_printf ("POST /v1/devices/dev-a/streams/s1/chunks?offset=40 HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\nX-Content-SHA256: %s\r\n"
                          "Content-Length: %zu\r\n\r\n", f->token_a, sha, g_bytes_get_size (second));
  raw_send (socket, text, strlen (text));
  raw_send (socket, g_bytes_get_data (second, NULL), 16);
  response = raw_read_to_end (socket);
  g_assert_cmpstr (response, ==, "");
  g_subprocess_wait (f->server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (f->server));
  g_assert_cmpint (g_subprocess_get_term_sig (f->server), ==, SIGABRT);
  g_clear_object (&f->server_out);
  g_clear_object (&f->server);
  g_clear_pointer (&f->url, g_free);

  start_server (f);
  request (f, "GET", "/v1/devices/dev-a/streams/s1", f->token_a, NULL, NULL, 0, &r);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 40);
  put_chunk (f, "s1", 40, 40, &r);
  g_assert_cmpint (json_int (&r, "committed_offset"), ==, 80);
  reply_clear (&r);
}

/* ---- Edge Impulse ----------------------------------------------------------------------- */

#define EI_SENSORS "[{\"name\":\"accX\",\"units\":\"m/s2\"},{\"name\":\"accY\",\"units\":\"m/s2\"},{\"name\":\"accZ\",\"units\":\"m/s2\"}]"
#define EI_VALUES  "[[-9.81,0.03,1.21],[-9.83,0.04,1.27],[-9.12,0.03,1.23],[-9.14,0.01,1.25]]"

/* The message as Edge Impulse's data forwarder builds and signs it. */
static char *
ei_message (const char *hmac_key)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "server", "ei-upload.js", NULL);
  const char *argv[] = { node, script, hmac_key, "ac:87:a3:0a:2d:1b", "16", EI_SENSORS, EI_VALUES, "1625527314", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
ei_post (Fixture    *f,
         const char *path,
         const char *api_key,
         const char *file_name,
         const char *label,
         const char *body,
         Reply      *reply)
{
  const char *headers[9] = { 0 };
  guint n = 0;

  if (api_key != NULL)
    {
      headers[n++] = "x-api-key";
      headers[n++] = api_key;
    }
  if (file_name != NULL)
    {
      headers[n++] = "x-file-name";
      headers[n++] = file_name;
    }
  if (label != NULL)
    {
      headers[n++] = "x-label";
      headers[n++] = label;
    }
  request (f, "POST", path, NULL, headers, body, strlen (body), reply);
}

static WmRecording *
find_recording (WmStore    *store,
                const char *name)
{
  g_autoptr(GPtrArray) recordings = wm_store_list_recordings (store, NULL);

  for (guint i = 0; recordings != NULL && i < recordings->len; i++)
    {
      WmRecording *recording = g_ptr_array_index (recordings, i);

      if (g_str_equal (recording->name, name))
        return wm_recording_copy (recording);
    }
  return NULL;
}

static void
test_edge_impulse (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *signed_message = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *unsigned_message = NULL;
  g_autofree char *before = NULL;
  Reply r = { 0 };
  char *at;

  if (node == NULL)
    {
      g_test_skip ("node (Debian package nodejs) builds the messages as Edge Impulse's tools do");
      return;
    }
  signed_message = ei_message (EI_HMAC_KEY);
  before = dump_store (f);

  /* Wrong HMAC: the same message signed with another key, and a value changed. */
  {
    g_autofree char *other = ei_message ("not-the-key");

    ei_post (f, "/api/training/data", f->token_ei, "wave.01.json", "wave", other, &r);
    g_assert_cmpuint (r.status, ==, 400);
    g_assert_nonnull (strstr (r.body, "signature"));
  }
  tampered = g_strdup (signed_message);
  at = strstr (tampered, "-9.83");
  g_assert_nonnull (at);
  at[4] = '4';
  ei_post (f, "/api/training/data", f->token_ei, "wave.01.json", "wave", tampered, &r);
  g_assert_cmpuint (r.status, ==, 400);
  ei_post (f, "/api/training/data", NULL, "wave.01.json", "wave", signed_message, &r);
  g_assert_cmpuint (r.status, ==, 401);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (r.headers, NULL), "text/plain"));
  ei_post (f, "/api/training/data", "ei_0123456789", "wave.01.json", "wave", signed_message, &r);
  g_assert_cmpuint (r.status, ==, 401);
  ei_post (f, "/api/training/data", f->token_ei, NULL, "wave", signed_message, &r);
  g_assert_cmpuint (r.status, ==, 421);
  ei_post (f, "/api/training/data", f->token_ei, "wave.01.json", "wave", "{\"protected\":", &r);
  g_assert_cmpuint (r.status, ==, 400);
  assert_store_unchanged (f, before);

  /* Signed with the device's key, label URI-encoded as EI's tools send it. */
  ei_post (f, "/api/training/data", f->token_ei, "wave%20hand.01.json", "wave%20hand", signed_message, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.body, ==, "wave hand.01.json");
  /* A device without a key: the signature is not checked; label from the file name. */
  unsigned_message = g_strdup (signed_message);
  ei_post (f, "/api/testing/data", f->token_b, "idle.07.json", NULL, unsigned_message, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.body, ==, "idle.07.json");
  reply_clear (&r);

  stop_server (f);
  {
    g_autoptr(WmStore) store = wm_store_open (f->project, WM_STORE_OPEN_READ_ONLY, NULL);
    g_autoptr(WmRecording) recording = find_recording (store, "wave hand.01.json");
    g_autoptr(WmRecording) idle = find_recording (store, "idle.07.json");
    g_autoptr(GPtrArray) labels = NULL;
    float x[4];
    float z[4];

    g_assert_nonnull (recording);
    g_assert_cmpfloat_with_epsilon (recording->sample_rate, 62.5, 1e-9);
    g_assert_cmpuint (recording->n_channels, ==, 3);
    g_assert_cmpstr (recording->channel_names[0], ==, "accX");
    g_assert_cmpstr (recording->channel_units[2], ==, "m/s2");
    g_assert_cmpint (recording->n_frames, ==, 4);
    g_assert_cmpstr (recording->device_id, ==, "ei-dev");
    g_assert_true (wm_store_read_frames (store, recording->id, 0, 0, 4, x, NULL));
    g_assert_true (wm_store_read_frames (store, recording->id, 2, 0, 4, z, NULL));
    g_assert_cmpfloat (x[1], ==, -9.83f);
    g_assert_cmpfloat (z[3], ==, 1.25f);
    labels = wm_store_list_labels (store, recording->id, 0, -1, NULL);
    g_assert_cmpuint (labels->len, ==, 1);
    g_assert_cmpstr (((WmLabel *) labels->pdata[0])->class_name, ==, "wave hand");
    g_assert_cmpint (((WmLabel *) labels->pdata[0])->start_frame, ==, 0);
    g_assert_cmpint (((WmLabel *) labels->pdata[0])->end_frame, ==, 4);
    g_clear_pointer (&labels, g_ptr_array_unref);

    g_assert_nonnull (idle);
    g_assert_cmpstr (idle->device_id, ==, "dev-b");
    labels = wm_store_list_labels (store, idle->id, 0, -1, NULL);
    g_assert_cmpuint (labels->len, ==, 1);
    g_assert_cmpstr (((WmLabel *) labels->pdata[0])->class_name, ==, "idle");
  }
}

/* ---- the command line ------------------------------------------------------------------ */

static void
test_usage (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  wm_test_run_cli (0, &out, NULL, "serve", "--help", NULL);
  g_assert_nonnull (strstr (out, "--tls-cert"));
  g_clear_pointer (&out, g_free);
  wm_test_run_cli (2, NULL, &err, "serve", NULL);
  g_assert_nonnull (strstr (err, "-p FILE"));
  g_clear_pointer (&err, g_free);
  wm_test_run_cli (2, NULL, &err, "-p", "/nonexistent/x.waymark", "serve", "--tls-cert", "c.pem", NULL);
  g_assert_nonnull (strstr (err, "--tls-key"));
  g_clear_pointer (&err, g_free);
  wm_test_run_cli (1, NULL, &err, "-p", "/nonexistent/x.waymark", "serve", NULL);
  g_assert_cmpuint (strlen (err), >, 0);
}

static void
test_bad_listen_address (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *err = NULL;

  wm_test_run_cli (1, NULL, &err, "-p", f->project, "serve", "--listen", "localhost", NULL);
  g_assert_nonnull (strstr (err, "HOST:PORT"));
  g_clear_pointer (&err, g_free);
  wm_test_run_cli (1, NULL, &err, "-p", f->project, "serve", "--listen", "999.1.1.1:80", NULL);
  g_assert_nonnull (strstr (err, "999.1.1.1"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, manual) \
  g_test_add (path, Fixture, (manual) ? "manual" : NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/streams/lifecycle", test_stream_lifecycle, FALSE);
  ADD ("/server/streams/concurrent", test_concurrent_chunks, FALSE);
  ADD ("/server/auth", test_auth, FALSE);
  ADD ("/server/hostile/oversized", test_oversized, FALSE);
  ADD ("/server/hostile/malformed-json", test_malformed, FALSE);
  ADD ("/server/hostile/wrong-content-length", test_wrong_content_length, FALSE);
  ADD ("/server/hostile/path-tricks", test_path_tricks, FALSE);
  ADD ("/server/hostile/slowloris", test_slowloris, FALSE);
  ADD ("/server/idle-connection", test_idle_connection, FALSE);
  ADD ("/server/client-closes", test_client_closes, FALSE);
  ADD ("/server/https", test_https, TRUE);
  ADD ("/server/crash/mid-request", test_crash_mid_request, TRUE);
  ADD ("/server/edge-impulse", test_edge_impulse, FALSE);
  ADD ("/server/cli/bad-listen-address", test_bad_listen_address, TRUE);
  g_test_add_func ("/server/cli/usage", test_usage);
#undef ADD

  return g_test_run ();
}
