/* test-csv-reader.c — the one CSV reader: cells, quotes, line breaks, errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wm-csv-reader.h"

/* The records of @text, each as its cells joined by "|", records joined by
 * "\n"; stops at the first error, which goes to @out_status. */
static char *
read_all (const char  *text,
          char         delimiter,
          gboolean     trim,
          WmCsvStatus *out_status,
          guint       *out_line)
{
  const WmCsvDialect dialect = { delimiter, trim };
  g_autofree char *copy = g_strdup (text);
  WmCsvCursor cursor = { copy, 1 };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  *out_status = WM_CSV_OK;
  while (*cursor.pos != '\0' && *out_status == WM_CSV_OK)
    {
      g_ptr_array_set_size (cells, 0);
      *out_status = wm_csv_read_record (&dialect, &cursor, cells);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      for (guint i = 0; i < cells->len; i++)
        g_string_append_printf (out, i == 0 ? "%s" : "|%s", (char *) cells->pdata[i]);
    }
  *out_line = cursor.line;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check (const char  *text,
       char         delimiter,
       gboolean     trim,
       const char  *expected,
       WmCsvStatus  expected_status,
       guint        expected_line)
{
  WmCsvStatus status;
  guint line;
  g_autofree char *got = read_all (text, delimiter, trim, &status, &line);

  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpint (status, ==, expected_status);
  g_assert_cmpuint (line, ==, expected_line);
}

static void
test_plain (void)
{
  check ("a,b,c\n1,2,3\n", ',', FALSE, "a|b|c\n1|2|3", WM_CSV_OK, 3);
  /* No line break at the end, CR LF, an empty cell and an empty line. */
  check ("a,,c\r\n\r\nx", ',', FALSE, "a||c\n\nx", WM_CSV_OK, 3);
  /* Without trimming, spaces belong to the cell; a quote inside a cell is text. */
  check (" a , b\"c\n", ',', FALSE, " a | b\"c", WM_CSV_OK, 2);
  check (" a , b\"c\n", ',', TRUE, "a|b\"c", WM_CSV_OK, 2);
}

static void
test_quoted (void)
{
  /* Delimiters, doubled quotes and line breaks inside quotes; the line
   * count goes on through the break. */
  check ("\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nend\n", ',', FALSE,
         "a,b|say \"hi\"\ntwo\nlines|z\nend", WM_CSV_OK, 5);
  check ("\"q\"\r\n", ',', FALSE, "q", WM_CSV_OK, 2);
  /* Trimmed: space around the quotes goes, space inside stays. */
  check ("  \" a \"  ;b\n", ';', TRUE, " a |b", WM_CSV_OK, 2);
  check ("\"\",x\n", ',', FALSE, "|x", WM_CSV_OK, 2);
}

static void
test_errors (void)
{
  /* The cells before the bad one are kept; the line is where it was found. */
  check ("a,b\nc,\"open\nstill open", ',', FALSE, "a|b\nc", WM_CSV_UNCLOSED_QUOTE, 3);
  check ("a,\"b\"x,c\n", ',', FALSE, "a", WM_CSV_TEXT_AFTER_QUOTE, 1);
  check ("a\t\"b\" x\tc\n", '\t', TRUE, "a", WM_CSV_TEXT_AFTER_QUOTE, 1);
  check ("\"b\" \n", ',', FALSE, "", WM_CSV_TEXT_AFTER_QUOTE, 1);
}

static void
test_tab_trim (void)
{
  /* A tab delimiter is not skipped as leading space. */
  check ("\t a\t\n", '\t', TRUE, "|a|", WM_CSV_OK, 2);
}

static void
test_detect_delimiter (void)
{
  g_assert_cmpint (wm_csv_detect_delimiter ("time,x,y"), ==, ',');
  g_assert_cmpint (wm_csv_detect_delimiter ("time;x;y"), ==, ';');
  g_assert_cmpint (wm_csv_detect_delimiter ("time\tx\ty"), ==, '\t');
  g_assert_cmpint (wm_csv_detect_delimiter ("\"a;b;c\",x"), ==, ',');
  g_assert_cmpint (wm_csv_detect_delimiter ("single"), ==, ',');
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/csv-reader/plain", test_plain);
  g_test_add_func ("/import/csv-reader/quoted", test_quoted);
  g_test_add_func ("/import/csv-reader/errors", test_errors);
  g_test_add_func ("/import/csv-reader/tab-trim", test_tab_trim);
  g_test_add_func ("/import/csv-reader/detect-delimiter", test_detect_delimiter);

  return g_test_run ();
}
