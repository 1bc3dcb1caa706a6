/* runner/jbuf.h — a growable text buffer for writing JSON lines fast
 * (without printf): the log writer and run_experiment's result line build
 * their text here.  An allocation failure is sticky (oom set, later writes
 * ignored) and checked once when the text is used. */
#ifndef HWNAS_RUNNER_JBUF_H
#define HWNAS_RUNNER_JBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *p;        /* NUL-terminated text (NULL while empty) */
    size_t len, cap;
    int oom;        /* an allocation failed: the text is incomplete */
} hw_jbuf;

void hw_jbuf_put(hw_jbuf *b, const char *s, size_t n);
void hw_jbuf_puts(hw_jbuf *b, const char *s);
void hw_jbuf_putc(hw_jbuf *b, char c);
/* The shortest text that reads back as v (hwj_format_double). */
void hw_jbuf_double(hw_jbuf *b, double v);
void hw_jbuf_u64(hw_jbuf *b, uint64_t v);
/* Seconds with microsecond resolution ("0.002134"); negative, NaN or absurd
 * values are written as 0. */
void hw_jbuf_seconds(hw_jbuf *b, double s);
/* A JSON string literal with the required escapes. */
void hw_jbuf_str(hw_jbuf *b, const char *s);
/* [v0,v1,...] */
void hw_jbuf_doubles(hw_jbuf *b, const double *v, size_t n);
void hw_jbuf_strs(hw_jbuf *b, const char *const *v, size_t n);
void hw_jbuf_free(hw_jbuf *b);

#endif
