/* wm-cli.h — what every waymark-cli command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wm-store.h"

G_BEGIN_DECLS

typedef enum {
  WM_CLI_EXIT_OK = 0,
  WM_CLI_EXIT_FAILURE = 1,
  WM_CLI_EXIT_USAGE = 2,
} WmCliExit;

#define WM_CLI_ERROR (wm_cli_error_quark ())

typedef enum {
  WM_CLI_ERROR_USAGE = 1,
  WM_CLI_ERROR_FAILED,
} WmCliError;

GQuark wm_cli_error_quark (void);

typedef struct {
  char     *project_path; /* -p/--project, or WAYMARK_PROJECT */
  gboolean  json;
  gboolean  quiet;
  char     *command;      /* "labels add", for messages */
} WmCli;

typedef int (*WmCliCommandFunc) (WmCli *cli, int argc, char **argv);

typedef struct {
  const char       *name;
  WmCliCommandFunc  run;
  const char       *summary; /* translatable, marked with N_() */
} WmCliCommand;

/* Option parsing for one command: the shared options (-p, --json where
 * @with_json) are added to @entries.  On a usage error, prints it with a
 * hint and returns FALSE; the caller returns WM_CLI_EXIT_USAGE. */
gboolean   wm_cli_parse_options   (WmCli              *cli,
                                   int                *argc,
                                   char             ***argv,
                                   const char         *parameter_string,
                                   const char         *summary,
                                   const char         *description,
                                   const GOptionEntry *entries,
                                   gboolean            with_json);
int        wm_cli_usage_error     (WmCli              *cli,
                                   const char         *format,
                                   ...) G_GNUC_PRINTF (2, 3);
int        wm_cli_fail            (WmCli              *cli,
                                   const GError       *error);
WmStore   *wm_cli_open_project    (WmCli              *cli,
                                   gboolean            read_only,
                                   GError            **error);

/* A recording named by id or by its unique name. */
WmRecording *wm_cli_find_recording (WmStore           *store,
                                    const char        *text,
                                    GError           **error);

/* "1200" (frames), "12.5s" (seconds), "hh:mm:ss.mmm" or "mm:ss.mmm". */
gboolean   wm_cli_parse_time      (const char         *text,
                                   double              sample_rate,
                                   gint64             *out_frame,
                                   GError            **error);
char      *wm_cli_format_seconds  (double              seconds);

void       wm_cli_print_json      (JsonNode           *node);

/* A progress bar on stderr when it is a terminal and the work has taken
 * longer than a second; silent otherwise. */
typedef struct _WmCliProgress WmCliProgress;
WmCliProgress *wm_cli_progress_new    (const char    *what);
void           wm_cli_progress_update (WmCliProgress *progress,
                                       double         fraction);
void           wm_cli_progress_free   (WmCliProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WmCliProgress, wm_cli_progress_free)

/* Commands */
int wm_cli_init     (WmCli *cli, int argc, char **argv);
int wm_cli_import   (WmCli *cli, int argc, char **argv);
int wm_cli_list     (WmCli *cli, int argc, char **argv);
int wm_cli_info     (WmCli *cli, int argc, char **argv);
int wm_cli_samples  (WmCli *cli, int argc, char **argv);
int wm_cli_classes  (WmCli *cli, int argc, char **argv);
int wm_cli_labels   (WmCli *cli, int argc, char **argv);
int wm_cli_demo     (WmCli *cli, int argc, char **argv);
int wm_cli_model    (WmCli *cli, int argc, char **argv);
int wm_cli_infer    (WmCli *cli, int argc, char **argv);
int wm_cli_autolabel (WmCli *cli, int argc, char **argv);
int wm_cli_review   (WmCli *cli, int argc, char **argv);
int wm_cli_report   (WmCli *cli, int argc, char **argv);
int wm_cli_export   (WmCli *cli, int argc, char **argv);
int wm_cli_import_labels (WmCli *cli, int argc, char **argv);
int wm_cli_device   (WmCli *cli, int argc, char **argv);
int wm_cli_ingest   (WmCli *cli, int argc, char **argv);
int wm_cli_serve    (WmCli *cli, int argc, char **argv);

/* Runs the subcommand of a command group ("labels add"). */
int wm_cli_run_subcommand (WmCli              *cli,
                           const char         *group,
                           const WmCliCommand *subcommands,
                           int                 argc,
                           char              **argv);

G_END_DECLS
