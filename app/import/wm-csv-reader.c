/* wm-csv-reader.c — records of CSV text, split in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wm-csv-reader.h"

/* White space that may follow a cell on its line. */
static gboolean
is_trailing_space (char c)
{
  return c != '\n' && g_ascii_isspace (c);
}

static gboolean
ends_cell (const WmCsvDialect *dialect,
           char                c)
{
  return c == dialect->delimiter || c == '\n' || c == '\0';
}

/* A quoted cell from the quote at *p, unquoted in place; *p moves past
 * what follows the closing quote up to the delimiter or the line end. */
static WmCsvStatus
read_quoted (const WmCsvDialect  *dialect,
             WmCsvCursor         *cursor,
             char               **p,
             char               **out_end)
{
  char *in = *p + 1;
  char *out = in;

  for (;;)
    {
      if (*in == '\0')
        return WM_CSV_UNCLOSED_QUOTE;
      if (*in == '"' && in[1] == '"')
        {
          *out++ = '"';
          in += 2;
        }
      else if (*in == '"')
        {
          in++;
          break;
        }
      else
        {
          if (*in == '\n')
            cursor->line++;
          *out++ = *in++;
        }
    }
  *out_end = out;
  if (dialect->trim)
    while (is_trailing_space (*in) && *in != dialect->delimiter)
      in++;
  else if (*in == '\r' && (in[1] == '\n' || in[1] == '\0'))
    in++;
  *p = in;
  return ends_cell (dialect, *in) ? WM_CSV_OK : WM_CSV_TEXT_AFTER_QUOTE;
}

/* An unquoted cell from *p to the delimiter or the line end, which *p
 * moves to. */
static char *
read_plain (const WmCsvDialect  *dialect,
            char               **p)
{
  char *start = *p;
  char *end;

  while (!ends_cell (dialect, **p))
    (*p)++;
  end = *p;
  if (dialect->trim)
    while (end > start && g_ascii_isspace (end[-1]))
      end--;
  else if (end > start && end[-1] == '\r' && **p != dialect->delimiter)
    end--;
  return end;
}

WmCsvStatus
wm_csv_read_record (const WmCsvDialect *dialect,
                    WmCsvCursor        *cursor,
                    GPtrArray          *cells)
{
  char *p;

  g_return_val_if_fail (dialect != NULL && cursor != NULL && cursor->pos != NULL, WM_CSV_OK);
  g_return_val_if_fail (cells != NULL, WM_CSV_OK);

  p = cursor->pos;
  for (;;)
    {
      char *cell;
      char *end;
      char stop;

      if (dialect->trim)
        while ((*p == ' ' || *p == '\t') && *p != dialect->delimiter)
          p++;
      if (*p == '"')
        {
          WmCsvStatus status;

          cell = p + 1;
          status = read_quoted (dialect, cursor, &p, &end);
          if (status != WM_CSV_OK)
            {
              cursor->pos = p;
              return status;
            }
        }
      else
        {
          cell = p;
          end = read_plain (dialect, &p);
        }
      stop = *p;
      *end = '\0';
      g_ptr_array_add (cells, cell);
      if (stop == dialect->delimiter)
        {
          p++;
          continue;
        }
      if (stop == '\n')
        {
          p++;
          cursor->line++;
        }
      cursor->pos = p;
      return WM_CSV_OK;
    }
}

char
wm_csv_detect_delimiter (const char *line)
{
  static const char candidates[] = { '\t', ';', ',' };
  guint counts[G_N_ELEMENTS (candidates)] = { 0 };
  gboolean quoted = FALSE;
  guint best = G_N_ELEMENTS (candidates) - 1;

  g_return_val_if_fail (line != NULL, ',');

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted)
        for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
          if (*p == candidates[i])
            counts[i]++;
    }

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (counts[i] > counts[best])
      best = i;

  return candidates[best];
}
