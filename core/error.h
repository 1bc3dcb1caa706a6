/* core/error.h — error codes and the error record every fallible function fills.
 *
 * Convention: a function returns HW_OK (0) or a negative hw_status, and when it
 * fails it writes one human-readable line into the caller's hw_err (which may be
 * NULL when the caller does not care).  The caller decides how to report it.
 * No global state: the message lives in the caller's record. */
#ifndef HWNAS_CORE_ERROR_H
#define HWNAS_CORE_ERROR_H

#include <stddef.h>

typedef enum {
    HW_OK = 0,
    HW_EINVAL = -1,   /* bad argument, bad config value, unknown name */
    HW_EIO = -2,      /* file missing, unreadable, unwritable */
    HW_EPARSE = -3,   /* malformed JSON, arch string, model file */
    HW_ENOMEM = -4,   /* allocation failed */
    HW_ERANGE = -5,   /* value outside its allowed range */
    HW_ESTATE = -6,   /* call not valid in the object's current state */
    HW_EMISSING = -7  /* optional data (e.g. ../shared) not present */
} hw_status;

#define HW_ERR_LEN 1024

typedef struct {
    int code;
    char msg[HW_ERR_LEN];
} hw_err;

/* Format a message into e (if non-NULL), set e->code, return code. */
int hw_fail(hw_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefix an existing message: "prefix: old message". Returns e->code. */
int hw_err_prefix(hw_err *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

const char *hw_status_name(int code);

/* Exit status a program should use for an error code: 2 for bad input
 * (EINVAL, EPARSE, ERANGE, EIO on an input file), 1 otherwise. */
int hw_exit_code(int code);

#endif
