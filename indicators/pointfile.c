/* indicators/pointfile.c — read a whitespace-separated point file (see
 * hw_read_points in indicators.h), shared by the hv and igd commands. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lines.h"
#include "indicators/indicators.h"

int hw_read_points(const char *path, int d, double **pts, size_t *n, int *d_out, hw_err *e)
{
    *pts = NULL;
    *n = 0;
    if (d_out) *d_out = d;
    hw_lines *lr;
    int rc = hw_lines_open(path, &lr, e);
    if (rc != HW_OK) return rc;
    const char *name = hw_lines_path(lr);
    size_t cap = 0, count = 0;
    double *v = NULL;
    char *line;
    size_t len;
    while ((rc = hw_lines_next(lr, &line, &len, e)) == 1) {
        long ln = hw_lines_number(lr);
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        if (*s == '\0' || *s == '#') continue;
        int k = 0;
        for (;;) {
            while (*s == ' ' || *s == '\t') s++;
            if (*s == '\0') break;
            char *end;
            double x = strtod(s, &end);
            if (end == s || (*end != '\0' && *end != ' ' && *end != '\t')) {
                size_t tl = strcspn(s, " \t");
                rc = hw_fail(e, HW_EPARSE, "%s:%ld: not a number: '%.*s'", name, ln, (int)(tl > 40 ? 40 : tl), s);
                goto fail;
            }
            if (!isfinite(x)) {
                size_t tl = strcspn(s, " \t");
                rc = hw_fail(e, HW_EPARSE, "%s:%ld: value %d is not finite ('%.*s')", name, ln, k + 1,
                             (int)(tl > 40 ? 40 : tl), s);
                goto fail;
            }
            if (d > 0 && k >= d) { /* too many: keep counting for the message */
                k++;
                s = end;
                continue;
            }
            if (count == cap) {
                size_t nc = cap ? 2 * cap : 1024;
                double *nv = realloc(v, nc * sizeof *nv);
                if (!nv) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", name); goto fail; }
                v = nv;
                cap = nc;
            }
            v[count++] = x;
            k++;
            s = end;
        }
        if (d == 0) d = k;
        if (k != d) {
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: expected %d numbers, got %d", name, ln, d, k);
            goto fail;
        }
        (*n)++;
    }
    if (rc < 0) goto fail;
    hw_lines_close(lr);
    if (*n == 0) { free(v); v = NULL; }
    *pts = v;
    if (d_out) *d_out = d;
    return HW_OK;
fail:
    hw_lines_close(lr);
    free(v);
    *n = 0;
    return rc;
}
