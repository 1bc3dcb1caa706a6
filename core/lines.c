#include "core/lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct hw_lines {
    gzFile f;
    char *path;
    char *buf;
    size_t cap;
    long lineno;
};

int hw_lines_open(const char *path, hw_lines **out, hw_err *e)
{
    hw_lines *l = calloc(1, sizeof *l);
    if (!l) return hw_fail(e, HW_ENOMEM, "%s: out of memory", path);
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
    *out = l;
    return HW_OK;
}

int hw_lines_next(hw_lines *l, char **line, size_t *len, hw_err *e)
{
    size_t n = 0;
    for (;;) {
        if (l->cap - n < 2) {
            char *nb = realloc(l->buf, l->cap * 2);
            if (!nb) return hw_fail(e, HW_ENOMEM, "%s: out of memory", l->path);
            l->buf = nb; l->cap *= 2;
        }
        if (!gzgets(l->f, l->buf + n, (int)(l->cap - n))) {
            int zerr = Z_OK;
            const char *m = gzerror(l->f, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END)
                return hw_fail(e, HW_EIO, "%s:%ld: read error: %s", l->path, l->lineno + 1, m);
            if (n == 0) {
                /* gzgets returns NULL at a clean EOF and also for a truncated
                 * stream; gzerror distinguishes the two (Z_BUF_ERROR). */
                return 0;
            }
            break;
        }
        n += strlen(l->buf + n);
        if (n > 0 && l->buf[n - 1] == '\n') break;
    }
    l->lineno++;
    while (n > 0 && (l->buf[n - 1] == '\n' || l->buf[n - 1] == '\r')) l->buf[--n] = 0;
    *line = l->buf;
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
