#include "core/lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct hw_lines {
    gzFile f;
    char *path;
    char *buf;
    size_t cap;
    size_t dirty; /* bytes of buf that may hold a NUL (the last line handed out) */
    long lineno;
};

int hw_lines_open(const char *path, hw_lines **out, hw_err *e)
{
    hw_lines *l = calloc(1, sizeof *l);
    if (!l) return hw_fail(e, HW_ENOMEM, "%s: out of memory", path);
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(l);
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a file", path);
    }
    errno = 0;
    l->f = strcmp(path, "-") == 0 ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
    if (!l->f) {
        free(l);
        return hw_fail(e, HW_EIO, "%s: cannot open: %s", path, strerror(errno ? errno : ENOENT));
    }
    gzbuffer(l->f, 1 << 17);
    l->path = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    l->cap = 1 << 12;
    l->buf = malloc(l->cap);
    if (!l->path || !l->buf) { hw_lines_close(l); return hw_fail(e, HW_ENOMEM, "%s: out of memory", path); }
    memset(l->buf, '\n', l->cap);
    *out = l;
    return HW_OK;
}

int hw_lines_next(hw_lines *l, char **line, size_t *len, hw_err *e)
{
    size_t n = 0;
    memset(l->buf, '\n', l->dirty); /* keep the buffer free of NUL bytes */
    l->dirty = 0;
    for (;;) {
        if (l->cap - n < 2) {
            char *nb = realloc(l->buf, l->cap * 2);
            if (!nb) return hw_fail(e, HW_ENOMEM, "%s: out of memory", l->path);
            memset(nb + l->cap, '\n', l->cap);
            l->buf = nb; l->cap *= 2;
        }
        if (!gzgets(l->f, l->buf + n, (int)(l->cap - n))) {
            int zerr = Z_OK;
            const char *m = gzerror(l->f, &zerr);
            size_t pl = strlen(l->path);
            if (strncmp(m, l->path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ') m += pl + 2; /* zlib prefixes the path */
            if (zerr == Z_BUF_ERROR)
                return hw_fail(e, HW_EIO, "%s:%ld: read error: truncated gzip data", l->path, l->lineno + 1);
            if (zerr != Z_OK && zerr != Z_STREAM_END)
                return hw_fail(e, HW_EIO, "%s:%ld: read error: %s", l->path, l->lineno + 1, m);
            if (n == 0) {
                /* gzgets returns NULL at a clean EOF and also for a truncated
                 * stream; gzerror distinguishes the two (Z_BUF_ERROR). */
                return 0;
            }
            break;
        }
        size_t got = strlen(l->buf + n);
        l->dirty = n + got + 1;
        /* A NUL inside the line would make strlen cut it short silently: it
         * shows as a second NUL in the (otherwise NUL-free) rest of the
         * buffer.  Looked for only when the line did not end in a newline
         * nor fill the buffer (a NUL, or the file's last line). */
        if (n + got + 1 < l->cap && (got == 0 || l->buf[n + got - 1] != '\n') &&
            memchr(l->buf + n + got + 1, 0, l->cap - n - got - 1)) {
            l->dirty = l->cap;
            return hw_fail(e, HW_EPARSE, "%s:%ld: line contains a NUL byte", l->path, l->lineno + 1);
        }
        n += got;
        if (n > 0 && l->buf[n - 1] == '\n') break;
    }
    l->lineno++;
    while (n > 0 && (l->buf[n - 1] == '\n' || l->buf[n - 1] == '\r')) l->buf[--n] = 0;
    *line = l->buf;
    if (l->lineno == 1 && n >= 3 && memcmp(l->buf, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 BOM, as configs allow */
        *line += 3;
        n -= 3;
    }
    if (len) *len = n;
    return 1;
}

long hw_lines_number(const hw_lines *l) { return l->lineno; }
const char *hw_lines_path(const hw_lines *l) { return l->path; }

void hw_lines_close(hw_lines *l)
{
    if (!l) return;
    if (l->f) gzclose(l->f);
    free(l->path);
    free(l->buf);
    free(l);
}
