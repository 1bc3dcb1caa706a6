#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Keeps a message on one line: control characters (a newline in a key, a
 * file name or a quoted input line) become "\n", "\r", "\t" or "\xHH",
 * truncated to fit the record. */
static void one_line(char *msg, size_t cap)
{
    size_t n = strnlen(msg, cap), any = 0;
    for (size_t i = 0; i < n; i++) any |= (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f;
    if (!any) return;
    char tmp[HW_ERR_LEN];
    size_t len = 0;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)msg[i];
        char esc[4];
        size_t k = 0;
        if (c == '\n') { esc[0] = '\\'; esc[1] = 'n'; k = 2; }
        else if (c == '\r') { esc[0] = '\\'; esc[1] = 'r'; k = 2; }
        else if (c == '\t') { esc[0] = '\\'; esc[1] = 't'; k = 2; }
        else if (c < 0x20 || c == 0x7f) { esc[0] = '\\'; esc[1] = 'x'; esc[2] = hex[c >> 4]; esc[3] = hex[c & 15]; k = 4; }
        else { esc[0] = (char)c; k = 1; }
        if (len + k >= sizeof tmp || len + k >= cap) break;
        memcpy(tmp + len, esc, k);
        len += k;
    }
    tmp[len] = 0;
    memcpy(msg, tmp, len + 1);
}

int hw_fail(hw_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        one_line(e->msg, sizeof e->msg);
        e->code = code;
    }
    return code;
}

int hw_err_prefix(hw_err *e, const char *fmt, ...)
{
    if (!e) return HW_EINVAL;
    char old[HW_ERR_LEN];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg) {
        size_t used = (size_t)n;
        size_t room = sizeof e->msg - used;
        size_t oldlen = strnlen(old, sizeof old);
        if (room > 2) {
            e->msg[used] = ':'; e->msg[used + 1] = ' ';
            size_t k = oldlen < room - 3 ? oldlen : room - 3;
            memcpy(e->msg + used + 2, old, k);
            e->msg[used + 2 + k] = 0;
        }
    }
    one_line(e->msg, sizeof e->msg);
    return e->code;
}

const char *hw_status_name(int code)
{
    switch (code) {
    case HW_OK: return "ok";
    case HW_EINVAL: return "invalid argument";
    case HW_EIO: return "i/o error";
    case HW_EPARSE: return "parse error";
    case HW_ENOMEM: return "out of memory";
    case HW_ERANGE: return "out of range";
    case HW_ESTATE: return "invalid state";
    case HW_EMISSING: return "missing data";
    default: return "unknown error";
    }
}

int hw_exit_code(int code)
{
    switch (code) {
    case HW_OK: return 0;
    case HW_EINVAL: case HW_EPARSE: case HW_ERANGE: case HW_EIO: case HW_EMISSING: return 2;
    default: return 1;
    }
}
