/* cli/csvout.h — a growable text buffer for CSV output shared by the
 * analysis subcommands (trajectory, front): fields quoted when needed,
 * numbers in their shortest round-trip form, and the whole table written at
 * once to stdout or to a file with hw_output_write (core/fileio.h: a regular
 * file is replaced atomically, a FIFO or device written through), so a
 * failing command leaves no partial output. */
#ifndef HWNAS_CLI_CSVOUT_H
#define HWNAS_CLI_CSVOUT_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} csvbuf;

static inline void csv_put(csvbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (b->len + n + 1 > cap) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) { b->oom = 1; return; }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static inline void csv_puts(csvbuf *b, const char *s) { csv_put(b, s, strlen(s)); }

/* A text field, quoted (RFC 4180) when it holds a comma, quote or newline. */
static inline void csv_field(csvbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) { csv_puts(b, s); return; }
    csv_put(b, "\"", 1);
    for (const char *c = s; *c; c++) {
        if (*c == '"') csv_put(b, "\"", 1);
        csv_put(b, c, 1);
    }
    csv_put(b, "\"", 1);
}

static inline void csv_double(csvbuf *b, double v)
{
    char num[48];
    int n = hwj_format_double(num, sizeof num, v);
    csv_put(b, num, (size_t)n);
}

static inline void csv_u64(csvbuf *b, uint64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    csv_put(b, num, (size_t)n);
}

/* Writes the buffer to path (NULL or "-": stdout).  Returns HW_OK or HW_EIO/HW_ENOMEM. */
static inline int csv_write(const csvbuf *b, const char *path, hw_err *e)
{
    if (b->oom) return hw_fail(e, HW_ENOMEM, "out of memory while formatting the output");
    if (!path || strcmp(path, "-") == 0) {
        if ((b->len && fwrite(b->p, 1, b->len, stdout) != b->len) || fflush(stdout) != 0)
            return hw_fail(e, HW_EIO, "cannot write to stdout: %s", strerror(errno));
        return HW_OK;
    }
    return hw_output_write(path, b->p ? b->p : "", b->len, e);
}

#endif
