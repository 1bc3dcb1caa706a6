/* core/lines.h — read a text file line by line, gzip or plain (zlib detects
 * which), with the line number for error messages.  Lines of any length.
 * A UTF-8 byte order mark at the start of the file is skipped (as the JSON
 * config reader does). */
#ifndef HWNAS_CORE_LINES_H
#define HWNAS_CORE_LINES_H

#include <stddef.h>

#include "core/error.h"

typedef struct hw_lines hw_lines;

/* path "-" reads standard input. */
int hw_lines_open(const char *path, hw_lines **out, hw_err *e);
/* *line points to an internal buffer valid until the next call, without the
 * trailing newline (and \r).  Returns 1 with a line, 0 at end of file, <0 on a
 * read error (a truncated gzip stream is an error naming the file). */
int hw_lines_next(hw_lines *l, char **line, size_t *len, hw_err *e);
/* 1-based number of the line last returned. */
long hw_lines_number(const hw_lines *l);
const char *hw_lines_path(const hw_lines *l);
void hw_lines_close(hw_lines *l);

#endif
