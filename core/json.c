#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void hwj_path(char *buf, size_t n, const char *path, const char *key)
{
    if (path && *path)
        snprintf(buf, n, "%s.%s", path, key);
    else
        snprintf(buf, n, "%s", key);
}

void hwj_abbrev(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len < n) { memcpy(buf, s, len + 1); return; }
    if (n < 4) { if (n) buf[0] = 0; return; }
    size_t k = n - 4;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80) k--; /* do not split a UTF-8 sequence */
    memcpy(buf, s, k);
    memcpy(buf + k, "...", 4);
}

/* Nesting depth of [ and { (outside strings) just before end. */
static int json_depth(const char *text, const char *end)
{
    int depth = 0, in_str = 0;
    for (const char *p = text; p < end && *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
        } else if (*p == '"') in_str = 1;
        else if (*p == '[' || *p == '{') depth++;
        else if ((*p == ']' || *p == '}') && depth > 0) depth--;
    }
    return depth;
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Length of the JSON number at p (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
 * or 0 when the characters cJSON would read as a number ("04", "4.", "1e")
 * do not form one. */
static size_t json_number_len(const char *p)
{
    const char *q = p;
    if (*q == '-') q++;
    if (*q == '0') q++;
    else if (*q >= '1' && *q <= '9') while (*q >= '0' && *q <= '9') q++;
    else return 0;
    if (*q == '.') {
        q++;
        if (!(*q >= '0' && *q <= '9')) return 0;
        while (*q >= '0' && *q <= '9') q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-') q++;
        if (!(*q >= '0' && *q <= '9')) return 0;
        while (*q >= '0' && *q <= '9') q++;
    }
    if ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-') return 0;
    return (size_t)(q - p);
}

/* 1 when the n-character JSON number at p has a nonzero digit but reads as 0
 * (1e-400 underflows): it would be taken as 0, e.g. a seed or count. */
static int number_underflows(const char *p, size_t n)
{
    int nonzero = 0;
    for (size_t i = 0; i < n && p[i] != 'e' && p[i] != 'E'; i++) nonzero |= p[i] >= '1' && p[i] <= '9';
    return nonzero && strtod(p, NULL) == 0;
}

/* cJSON reads numbers with strtod and accepts a few forms JSON does not;
 * the first such number (or one that underflows to 0) in a successfully
 * parsed text, or NULL. */
static const char *lenient_number(const char *text)
{
    int in_str = 0;
    for (const char *p = text; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
        } else if (*p == '"') in_str = 1;
        else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            size_t n = json_number_len(p);
            if (!n || number_underflows(p, n)) return p;
            p += n - 1;
        }
    }
    return NULL;
}

int hwj_parse(const char *text, const char *what, cJSON **out, hw_err *e)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
    const char *after = j && end ? skip_space(end) : NULL;
    const char *badnum = j && !*after ? lenient_number(text) : NULL;
    if (!j || *after || badnum) {
        if (j) { cJSON_Delete(j); end = badnum ? badnum : after; }
        int line = 1, col = 1;
        const char *p = text;
        if (!end) end = text;
        for (; p < end && *p; p++) {
            if (*p == '\n') { line++; col = 1; } else col++;
        }
        const char *body = strncmp(text, "\xef\xbb\xbf", 3) == 0 ? text + 3 : text; /* a UTF-8 BOM */
        if (!*skip_space(body))
            return hw_fail(e, HW_EPARSE, "%s: empty, expected a JSON value", what);
        if (badnum) {
            char num[24];
            size_t k = 0;
            for (const char *q = badnum; k < sizeof num - 1 && (*q == '-' || *q == '+' || *q == '.' || *q == 'e' ||
                                                                 *q == 'E' || (*q >= '0' && *q <= '9')); q++)
                num[k++] = *q;
            num[k] = 0;
            if (json_number_len(badnum))
                return hw_fail(e, HW_EPARSE, "%s:%d:%d: number '%s' is too small for a double (it would read as 0)",
                               what, line, col, num);
            return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON number '%s'", what, line, col, num);
        }
        if (j)
            return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON: unexpected text after the value", what, line, col);
        if (!*skip_space(end))
            return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON: unexpected end of input", what, line, col);
        if ((*end == '[' || *end == '{') && json_depth(text, end) >= CJSON_NESTING_LIMIT)
            return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON: nested deeper than %d levels", what, line, col,
                           CJSON_NESTING_LIMIT);
        char near[24];
        size_t k = 0;
        for (const char *q = end; *q && *q != '\n' && *q != '\r' && k < sizeof near - 1; q++) near[k++] = *q;
        while (k > 0 && ((unsigned char)near[k - 1] & 0x80)) k--; /* no cut UTF-8 sequence */
        near[k] = 0;
        return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON near '%s'", what, line, col, near);
    }
    *out = j;
    return HW_OK;
}

int hwj_load_file(const char *path, cJSON **out, hw_err *e)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return hw_fail(e, HW_EIO, "%s: cannot open: %s", path, strerror(errno ? errno : ENOENT));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) { gzclose(f); return hw_fail(e, HW_ENOMEM, "%s: out of memory", path); }
    for (;;) {
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); gzclose(f); return hw_fail(e, HW_ENOMEM, "%s: out of memory", path); }
            buf = nb; cap *= 2;
        }
        int r = gzread(f, buf + len, (unsigned)(cap - len - 1));
        int zerr = Z_OK;
        const char *m = gzerror(f, &zerr);
        /* gzread reports a truncated gzip stream (Z_BUF_ERROR) only through
         * gzerror, after returning what it could decompress. */
        if (r < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
            size_t pl = strlen(path);
            if (strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ') m += pl + 2; /* zlib prefixes the path */
            hw_fail(e, HW_EIO, "%s: cannot read: %s", path, zerr == Z_BUF_ERROR ? "truncated gzip data" : m);
            free(buf); gzclose(f); return HW_EIO;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    gzclose(f);
    buf[len] = 0;
    if (strlen(buf) != len) { free(buf); return hw_fail(e, HW_EPARSE, "%s: file contains a NUL byte", path); }
    int rc = hwj_parse(buf, path, out, e);
    free(buf);
    return rc;
}

int hwj_check_keys(const cJSON *obj, const char *path, const char *const *allowed, hw_err *e)
{
    if (!cJSON_IsObject(obj))
        return hw_fail(e, HW_EINVAL, "%s: expected an object", path && *path ? path : "(top level)");
    for (const cJSON *c = obj->child; c; c = c->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, c->string) == 0) { ok = 1; break; }
        char p[512], key[72];
        hwj_abbrev(key, sizeof key, c->string);
        hwj_path(p, sizeof p, path, key);
        if (!ok) {
            char list[512] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a && used < sizeof list - 64; a++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", a == allowed ? "" : ", ", *a);
            return hw_fail(e, HW_EINVAL, "%s: unknown key (allowed: %s)", p, list);
        }
        for (const cJSON *d = c->next; d; d = d->next)
            if (strcmp(d->string, c->string) == 0)
                return hw_fail(e, HW_EINVAL, "%s: duplicate key", p);
    }
    return HW_OK;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static int absent(const char *p, int required, hw_err *e)
{
    return required ? hw_fail(e, HW_EINVAL, "%s: required key is missing", p) : 1;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return isfinite(v->valuedouble) ? "a number" : "a number beyond the double range";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

int hwj_get_int(const cJSON *obj, const char *path, const char *key, int required,
                long long lo, long long hi, long long *out, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return hw_fail(e, HW_EINVAL, "%s: expected an integer, got %s", p, type_name(v));
    double d = v->valuedouble;
    if (d == 0) d = 0; /* -0 */
    char num[48];
    hwj_format_double(num, sizeof num, d);
    if (!isfinite(d) || d != floor(d))
        return hw_fail(e, HW_EINVAL, "%s: expected an integer, got %s", p, num);
    /* Compared as doubles so that huge values (1e300, 2^63) are reported as
     * out of range instead of overflowing the conversion. */
    if (d < (double)lo || d > (double)hi || fabs(d) > 9007199254740992.0)
        return hw_fail(e, HW_ERANGE, "%s: %s is out of range [%lld, %lld]", p, num, lo, hi);
    long long x = (long long)d;
    if (x < lo || x > hi)
        return hw_fail(e, HW_ERANGE, "%s: %s is out of range [%lld, %lld]", p, num, lo, hi);
    *out = x;
    return HW_OK;
}

int hwj_get_double(const cJSON *obj, const char *path, const char *key, int required,
                   double lo, double hi, double *out, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return hw_fail(e, HW_EINVAL, "%s: expected a number, got %s", p, type_name(v));
    double d = v->valuedouble;
    if (!isfinite(d) || d < lo || d > hi) {
        char num[48];
        hwj_format_double(num, sizeof num, d);
        return hw_fail(e, HW_ERANGE, "%s: %s is out of range [%g, %g]", p, num, lo, hi);
    }
    *out = d;
    return HW_OK;
}

int hwj_get_bool(const cJSON *obj, const char *path, const char *key, int required,
                 int *out, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsBool(v))
        return hw_fail(e, HW_EINVAL, "%s: expected true or false, got %s", p, type_name(v));
    *out = cJSON_IsTrue(v);
    return HW_OK;
}

int hwj_get_string(const cJSON *obj, const char *path, const char *key, int required,
                   const char **out, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsString(v))
        return hw_fail(e, HW_EINVAL, "%s: expected a string, got %s", p, type_name(v));
    *out = v->valuestring;
    return HW_OK;
}

int hwj_get_enum(const cJSON *obj, const char *path, const char *key, int required,
                 const char *const *choices, int *index, hw_err *e)
{
    const char *s = NULL;
    int rc = hwj_get_string(obj, path, key, required, &s, e);
    if (rc || !s) return rc;
    for (int i = 0; choices[i]; i++)
        if (strcmp(choices[i], s) == 0) { *index = i; return HW_OK; }
    char p[512], list[512] = "", val[72];
    hwj_path(p, sizeof p, path, key);
    hwj_abbrev(val, sizeof val, s);
    size_t used = 0;
    for (int i = 0; choices[i] && used < sizeof list - 64; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
    return hw_fail(e, HW_EINVAL, "%s: unknown value '%s' (expected one of: %s)", p, val, list);
}

int hwj_get_double_array(const cJSON *obj, const char *path, const char *key, int required,
                         size_t len_lo, size_t len_hi, double lo, double hi,
                         double **out, size_t *n, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsArray(v))
        return hw_fail(e, HW_EINVAL, "%s: expected an array of numbers, got %s", p, type_name(v));
    size_t len = (size_t)cJSON_GetArraySize(v);
    if (len < len_lo || len > len_hi) {
        if (len_lo == len_hi)
            return hw_fail(e, HW_EINVAL, "%s: expected %zu numbers, got %zu", p, len_lo, len);
        return hw_fail(e, HW_EINVAL, "%s: expected between %zu and %zu numbers, got %zu", p, len_lo, len_hi, len);
    }
    double *a = malloc((len ? len : 1) * sizeof *a);
    if (!a) return hw_fail(e, HW_ENOMEM, "%s: out of memory", p);
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble)) {
            free(a);
            return hw_fail(e, HW_EINVAL, "%s[%zu]: expected a number, got %s", p, i, type_name(c));
        }
        if (c->valuedouble < lo || c->valuedouble > hi) {
            free(a);
            char num[48];
            hwj_format_double(num, sizeof num, c->valuedouble);
            return hw_fail(e, HW_ERANGE, "%s[%zu]: %s is out of range [%g, %g]", p, i, num, lo, hi);
        }
        a[i] = c->valuedouble;
    }
    free(*out);
    *out = a;
    *n = len;
    return HW_OK;
}

int hwj_get_object(const cJSON *obj, const char *path, const char *key, int required,
                   const cJSON **out, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, key);
    const cJSON *v = member(obj, key);
    *out = NULL;
    if (!v) { int r = absent(p, required, e); return r == 1 ? HW_OK : r; }
    if (!cJSON_IsObject(v))
        return hw_fail(e, HW_EINVAL, "%s: expected an object, got %s", p, type_name(v));
    *out = v;
    return HW_OK;
}

/* Shortest round-trip formatting, defined as: the first of "%.15g", "%.16g",
 * "%.17g" that strtod reads back as v.  format_double_exact computes exactly
 * that string with 128-bit integer arithmetic, without printf or strtod, for
 * the magnitudes where every scaled quantity fits (about 1e-6 <= |v| < 1e15,
 * which covers nearly all logged values); other values take the printf path.
 * tests/test_json_format.c checks the two agree digit for digit. */
typedef unsigned __int128 u128;

static u128 pow10_u128(int k)
{
    static const uint64_t p10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
                                     10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
                                     100000000000ULL, 1000000000000ULL, 10000000000000ULL,
                                     100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
                                     100000000000000000ULL, 1000000000000000000ULL,
                                     10000000000000000000ULL};
    return k < 20 ? (u128)p10[k] : (u128)p10[19] * p10[k - 19];
}

/* Writes the %g form of the p-digit decimal D x 10^(X-p+1) (D has exactly p
 * digits); returns the length.  buf has room for 40 bytes. */
static int format_g(char *buf, int neg, uint64_t D, int p, int X)
{
    char dig[20];
    for (int i = p - 1; i >= 0; i--) { dig[i] = (char)('0' + D % 10); D /= 10; }
    int k = p;
    while (k > 1 && dig[k - 1] == '0') k--;
    int len = 0;
    if (neg) buf[len++] = '-';
    if (X < -4 || X >= p) {
        buf[len++] = dig[0];
        if (k > 1) {
            buf[len++] = '.';
            memcpy(buf + len, dig + 1, (size_t)(k - 1));
            len += k - 1;
        }
        int ax = X < 0 ? -X : X;
        buf[len++] = 'e';
        buf[len++] = X < 0 ? '-' : '+';
        if (ax >= 100) buf[len++] = (char)('0' + ax / 100);
        buf[len++] = (char)('0' + ax / 10 % 10);
        buf[len++] = (char)('0' + ax % 10);
    } else if (X >= 0) {
        for (int i = 0; i <= X; i++) buf[len++] = i < k ? dig[i] : '0';
        if (k > X + 1) {
            buf[len++] = '.';
            memcpy(buf + len, dig + X + 1, (size_t)(k - X - 1));
            len += k - X - 1;
        }
    } else {
        buf[len++] = '0';
        buf[len++] = '.';
        for (int i = 0; i < -X - 1; i++) buf[len++] = '0';
        memcpy(buf + len, dig, (size_t)k);
        len += k;
    }
    buf[len] = 0;
    return len;
}

/* The candidate with 17 - log10(scale) digits (scale a literal, so the
 * divisions become multiplications); 1 and *D when it reads back as v. */
static inline int try_digits(uint64_t T17, u128 rem17, u128 den, u128 P, uint64_t m, int E, uint64_t scale,
                             uint64_t *D)
{
    const uint64_t Tp = T17 / scale;
    const u128 U = den * scale;                      /* one unit of the last digit */
    const u128 R = (u128)(T17 % scale) * den + rem17; /* N - Tp * U */
    uint64_t d = Tp;
    if (2 * R > U || (2 * R == U && (Tp & 1))) d++;
    const u128 err = d == Tp ? R : U - R; /* |d * U - N| */
    int ok;
    if (d == Tp && R != 0 && m == (1ULL << 52) && E > 1) ok = 4 * err <= P; /* narrower gap below */
    else ok = 2 * err < P || (2 * err == P && (m & 1) == 0);
    *D = d;
    return ok;
}

/* Returns the length, or -1 when v is outside the exact fast range.
 * With v = m / 2^shift and N = m * 10^s (s chosen so that T = N / 2^shift
 * has 17 digits), the p-digit candidate is T / 10^(17-p) rounded half to even
 * on the exact remainder, and it reads back as v iff its distance to v is
 * below half an ulp (a quarter below a power of two; ties go to even m). */
static int format_double_exact(char *buf, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    int E = (int)((bits >> 52) & 0x7ff);
    uint64_t frac = bits & ((1ULL << 52) - 1);
    if (E == 0 && frac == 0) return format_g(buf, neg, 0, 1, 0); /* "0", "-0" */
    if (E == 0 || E == 0x7ff) return -1;                         /* subnormal, inf, nan */
    uint64_t m = frac | (1ULL << 52);
    int shift = 1075 - E; /* v = m / 2^shift */
    if (shift < 0 || !(fabs(v) >= 1e-6)) return -1;
    int X = ((E - 1023) * 78913) >> 18; /* floor(log10(v)), or one less */
    u128 N, T, P, den = (u128)1 << shift;
    for (int tries = 0;; tries++) {
        int s = 16 - X;
        if (s < 0 || s > 22 || tries > 2) return -1;
        P = pow10_u128(s);
        N = (u128)m * P;
        T = N >> shift;
        if (T >= pow10_u128(17)) X++;
        else if (T < pow10_u128(16)) X--;
        else break;
    }
    const uint64_t T17 = (uint64_t)T;
    const u128 rem17 = N & (den - 1);
    uint64_t D;
    int p = 0;
    if (try_digits(T17, rem17, den, P, m, E, 100, &D)) p = 15;
    else if (try_digits(T17, rem17, den, P, m, E, 10, &D)) p = 16;
    else if (try_digits(T17, rem17, den, P, m, E, 1, &D)) p = 17;
    if (!p) return -1;
    if (D == (uint64_t)pow10_u128(p)) { D /= 10; X++; }
    return format_g(buf, neg, D, p, X);
    return -1;
}

int hwj_format_double(char *buf, size_t n, double v)
{
    if (!isfinite(v)) return snprintf(buf, n, "null");
    if (n >= 40) {
        int len = format_double_exact(buf, v);
        if (len >= 0) return len;
    }
    for (int prec = 15; prec <= 17; prec++) {
        int len = snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return len;
    }
    return snprintf(buf, n, "%.17g", v);
}
