/* core/json.h — JSON helpers over cJSON: load a file with a located parse
 * error, reject unknown keys, and typed getters that name the key path in
 * their error ("optimizer.population_size: expected an integer in [4, 100000],
 * got 3.5").  Every getter leaves *out untouched when an optional key is
 * absent, so callers set defaults first. */
#ifndef HWNAS_CORE_JSON_H
#define HWNAS_CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/error.h"

/* Parse a whole file (plain or gzip).  Errors: "FILE: cannot open: reason",
 * "FILE: empty, expected a JSON value", "FILE:LINE:COL: invalid JSON near '...'"
 * (or ": unexpected end of input", ": unexpected text after the value"),
 * "FILE: file contains a NUL byte", and the text errors of hwj_parse. */
int hwj_load_file(const char *path, cJSON **out, hw_err *e);
/* Parse a string; `what` names the source in errors.  Only JSON (RFC 8259)
 * that is valid UTF-8 is accepted, so every key and string of the tree is
 * valid UTF-8 without NULs, exactly as written: a string with bytes that are
 * not well-formed UTF-8 (overlong forms, encoded surrogates and code points
 * above U+10FFFF included), a raw control character, an invalid escape, a
 * \u0000 escape or an unpaired UTF-16 surrogate escape is an error naming
 * the key path ("WHAT: problem.name: string is not valid UTF-8 (byte 0xff at
 * offset 3)", "WHAT: key "seeds\u0000junk" contains a NUL escape (\u0000 at
 * offset 5)"; offsets count bytes of the string as written), as are
 * non-ASCII bytes and control characters other than JSON's whitespace
 * between tokens ("WHAT:LINE:COL: invalid JSON: a byte order mark (U+FEFF)
 * is allowed only at the start of the text").  One UTF-8 byte order mark at
 * the very start is skipped.  A grammar error before the first such fault
 * is reported as without it. */
int hwj_parse(const char *text, const char *what, cJSON **out, hw_err *e);

/* Fails with "PATH.KEY: unknown key (allowed: a, b, c)" for any member of obj
 * not in allowed (NULL-terminated).  Also rejects non-objects and duplicate keys. */
int hwj_check_keys(const cJSON *obj, const char *path, const char *const *allowed, hw_err *e);

/* s for quoting user-supplied names and keys in one-line errors: copied
 * into buf (size n) with control characters as JSON escapes (\n, \t, \r,
 * \u001b) and bytes that are not part of well-formed UTF-8 as \xNN, and
 * shortened to at most n - 4 bytes + "..." (whole characters) when longer;
 * so the result is one line of valid UTF-8. */
void hwj_abbrev(char *buf, size_t n, const char *s);

/* Offset of the first byte of s[0..n) that is not part of a well-formed
 * UTF-8 sequence (Unicode's Table 3-7: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF), or n when s is valid UTF-8. */
size_t hwj_utf8_invalid_at(const char *s, size_t n);

/* s as a JSON string literal, quotes included, for writers: '"', '\\' and
 * control characters (DEL too) escaped, and each byte that is not part of
 * well-formed UTF-8 written as \ufffd (U+FFFD), so the result is always
 * valid JSON and valid UTF-8 and, for valid UTF-8 input, reads back as s.
 * snprintf-like: writes at most n bytes (NUL included) and returns the
 * length the whole literal needs. */
size_t hwj_quote_string(char *buf, size_t n, const char *s);

/* Join a path and a key: "a.b" + "c" -> "a.b.c" (or "c" when path is empty). */
void hwj_path(char *buf, size_t n, const char *path, const char *key);

/* required: 1 = error when absent; 0 = keep *out. */
int hwj_get_int(const cJSON *obj, const char *path, const char *key, int required,
                long long lo, long long hi, long long *out, hw_err *e);
int hwj_get_double(const cJSON *obj, const char *path, const char *key, int required,
                   double lo, double hi, double *out, hw_err *e);
int hwj_get_bool(const cJSON *obj, const char *path, const char *key, int required,
                 int *out, hw_err *e);
/* *out points into the cJSON tree (not copied). */
int hwj_get_string(const cJSON *obj, const char *path, const char *key, int required,
                   const char **out, hw_err *e);
/* A string that must be one of choices (NULL-terminated); *index gets its position. */
int hwj_get_enum(const cJSON *obj, const char *path, const char *key, int required,
                 const char *const *choices, int *index, hw_err *e);
/* Array of numbers.  len_lo/len_hi bound the length; *out is malloc'd. */
int hwj_get_double_array(const cJSON *obj, const char *path, const char *key, int required,
                         size_t len_lo, size_t len_hi, double lo, double hi,
                         double **out, size_t *n, hw_err *e);
/* An object member (required or not); *out NULL when absent. */
int hwj_get_object(const cJSON *obj, const char *path, const char *key, int required,
                   const cJSON **out, hw_err *e);

/* Append a double to a string buffer in the shortest form that round-trips
 * ("%.17g" fallback), as JSON (non-finite -> null). */
int hwj_format_double(char *buf, size_t n, double v);

#endif
