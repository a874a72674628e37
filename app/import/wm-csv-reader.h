/* wm-csv-reader.h — records of CSV text, split in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one CSV reader of the application: sensor import, label import and
 * the evaluation's ground truth all read their cells through it.  A cell
 * may be quoted ("" inside quotes is one quote, and a quoted cell may hold
 * delimiters and line breaks); a line may end in CR LF.  Each caller turns
 * a WmCsvStatus into an error message that names its file and line.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  WM_CSV_OK = 0,
  WM_CSV_UNCLOSED_QUOTE,   /* the text ends inside a quoted cell */
  WM_CSV_TEXT_AFTER_QUOTE, /* a closing quote is followed by more than the delimiter */
} WmCsvStatus;

typedef struct {
  char  delimiter; /* ',', ';' or '\t' */
  /* Spaces and tabs before a cell, and white space after it, are not
   * part of it (quoted cells keep theirs inside the quotes). */
  gboolean trim;
} WmCsvDialect;

/* A place in the text being read. */
typedef struct {
  char  *pos;  /* the next record's first byte; at its NUL, the text is read */
  guint  line; /* of pos, from 1 */
} WmCsvCursor;

/* Splits the record at @cursor in place: its cells, NUL-terminated, are
 * appended to @cells (pointers into the text) and the cursor moves past
 * the record's line break.  An empty line is one empty cell.  On an error,
 * @cells holds the cells before the bad one and the cursor's line is where
 * the error was found. */
WmCsvStatus wm_csv_read_record      (const WmCsvDialect *dialect,
                                     WmCsvCursor        *cursor,
                                     GPtrArray          *cells);

/* The delimiter a header line uses most outside quotes: tab, ';' or ','
 * (',' when none). */
char        wm_csv_detect_delimiter (const char         *line);

G_END_DECLS
