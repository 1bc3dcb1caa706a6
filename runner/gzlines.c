/* runner/gzlines.c — line reader over zlib, see gzlines.h. */
#include "runner/gzlines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GZLINES_CHUNK (1 << 17)

int hw_gzlines_open(hw_gzlines *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->gz = gzopen(path, "rb");
    if (!r->gz) {
        if (!errno) errno = ENOMEM;
        return -1;
    }
    gzbuffer(r->gz, GZLINES_CHUNK);
    return 0;
}

/* Appends n bytes to the current line of length *len. */
static int line_append(hw_gzlines *r, size_t *len, const char *p, size_t n)
{
    if (*len + n + 1 > r->line_cap) {
        size_t cap = r->line_cap ? r->line_cap : 256;
        while (cap < *len + n + 1) cap *= 2;
        char *l = realloc(r->line, cap);
        if (!l) return -1;
        r->line = l;
        r->line_cap = cap;
    }
    memcpy(r->line + *len, p, n);
    *len += n;
    r->line[*len] = 0;
    return 0;
}

/* Refills the read-ahead buffer; 0 at the end (or an error). */
static size_t refill(hw_gzlines *r)
{
    if (r->eof) return 0;
    if (!r->buf) {
        r->buf = malloc(GZLINES_CHUNK);
        if (!r->buf) { r->error = 1; r->eof = 1; return 0; }
        r->cap = GZLINES_CHUNK;
    }
    int n = gzread(r->gz, r->buf, (unsigned)r->cap);
    if (n <= 0) {
        int zerr = Z_OK;
        if (n < 0) r->error = 1;
        else gzerror(r->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END) r->error = 1; /* a truncated gzip stream */
        r->eof = 1;
        return 0;
    }
    r->pos = 0;
    r->len = (size_t)n;
    return (size_t)n;
}

ssize_t hw_gzlines_next(hw_gzlines *r, char **line)
{
    size_t len = 0;
    for (;;) {
        if (r->pos == r->len && refill(r) == 0) break;
        const char *start = r->buf + r->pos;
        const char *nl = memchr(start, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - start) + 1 : r->len - r->pos;
        if (line_append(r, &len, start, take) != 0) { r->error = 1; return -1; }
        r->pos += take;
        if (nl) break;
    }
    *line = r->line;
    return (ssize_t)len;
}

void hw_gzlines_close(hw_gzlines *r)
{
    if (r->gz) gzclose(r->gz);
    free(r->buf);
    free(r->line);
    memset(r, 0, sizeof *r);
}

int hw_path_is_gz(const char *path)
{
    size_t n = strlen(path);
    return n >= 3 && strcmp(path + n - 3, ".gz") == 0;
}
