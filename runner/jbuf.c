/* runner/jbuf.c — JSON text buffer, see jbuf.h. */
#include "runner/jbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static int jbuf_reserve(hw_jbuf *b, size_t extra)
{
    if (b->oom) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) { b->oom = 1; return 0; }
    b->p = np;
    b->cap = cap;
    return 1;
}

void hw_jbuf_put(hw_jbuf *b, const char *s, size_t n)
{
    if (!jbuf_reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void hw_jbuf_puts(hw_jbuf *b, const char *s) { hw_jbuf_put(b, s, strlen(s)); }

void hw_jbuf_putc(hw_jbuf *b, char c) { hw_jbuf_put(b, &c, 1); }

void hw_jbuf_double(hw_jbuf *b, double v)
{
    if (!jbuf_reserve(b, 48)) return;
    int n = hwj_format_double(b->p + b->len, 48, v);
    b->len += (size_t)n;
}

void hw_jbuf_u64(hw_jbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    if (!jbuf_reserve(b, (size_t)n)) return;
    while (n) b->p[b->len++] = tmp[--n];
    b->p[b->len] = 0;
}

void hw_jbuf_seconds(hw_jbuf *b, double s)
{
    if (!(s >= 0) || s > 1e12) s = 0;
    uint64_t us = (uint64_t)llround(s * 1e6);
    hw_jbuf_u64(b, us / 1000000);
    char frac[8];
    uint64_t f = us % 1000000;
    for (int i = 5; i >= 0; i--) { frac[1 + i] = (char)('0' + f % 10); f /= 10; }
    frac[0] = '.';
    hw_jbuf_put(b, frac, 7);
}

void hw_jbuf_str(hw_jbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    hw_jbuf_putc(b, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') { hw_jbuf_putc(b, '\\'); hw_jbuf_putc(b, (char)*c); }
        else if (*c == '\n') hw_jbuf_puts(b, "\\n");
        else if (*c == '\t') hw_jbuf_puts(b, "\\t");
        else if (*c == '\r') hw_jbuf_puts(b, "\\r");
        else if (*c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15]};
            hw_jbuf_put(b, u, 6);
        } else hw_jbuf_putc(b, (char)*c);
    }
    hw_jbuf_putc(b, '"');
}

void hw_jbuf_doubles(hw_jbuf *b, const double *v, size_t n)
{
    hw_jbuf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) hw_jbuf_putc(b, ',');
        hw_jbuf_double(b, v[i]);
    }
    hw_jbuf_putc(b, ']');
}

void hw_jbuf_strs(hw_jbuf *b, const char *const *v, size_t n)
{
    hw_jbuf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) hw_jbuf_putc(b, ',');
        hw_jbuf_str(b, v[i]);
    }
    hw_jbuf_putc(b, ']');
}

void hw_jbuf_free(hw_jbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
