/* Row lookup within one backend: see metric.h. */
#include "space/metric.h"

#include <stdio.h>
#include <string.h>

const hw_metric *hw_backend_row(const hw_backend *b, const char *name)
{
    for (const hw_metric *m = b->rows; name && m->name; m++)
        if (strcmp(m->name, name) == 0) return m;
    return NULL;
}

/* 1 if the comma-separated list buf[0..u) holds name. */
static int listed(const char *buf, size_t u, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = buf; p < buf + u;) {
        const char *c = strstr(p, ", ");
        size_t l = c && c < buf + u ? (size_t)(c - p) : (size_t)(buf + u - p);
        if (l == len && memcmp(p, name, len) == 0) return 1;
        if (!c || c >= buf + u) break;
        p = c + 2;
    }
    return 0;
}

size_t hw_backend_list_rows(const hw_backend *b, char *buf, size_t n, size_t u)
{
    if (n && u == 0) buf[0] = 0;
    for (const hw_metric *m = b->rows; m->name && u < n; m++)
        if (!listed(buf, u, m->name)) u += (size_t)snprintf(buf + u, n - u, "%s%s", u ? ", " : "", m->name);
    return u < n ? u : n ? n - 1 : 0;
}
