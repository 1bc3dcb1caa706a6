#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hw_fail(hw_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
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
