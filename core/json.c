#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
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

/* ------------------------------------------------------------------ UTF-8
 * The rules are Unicode's (Table 3-7, "Well-Formed UTF-8 Byte Sequences"):
 * a lead byte C2-DF, E0-EF or F0-F4 followed by 1, 2 or 3 continuation bytes
 * 80-BF, except that the second byte after E0 is A0-BF (no overlong forms),
 * after ED 80-9F (no encoded UTF-16 surrogates), after F0 90-BF (no overlong
 * forms) and after F4 80-8F (nothing above U+10FFFF).  C0, C1 and F5-FF never
 * occur. */

/* Length of the well-formed sequence at s (n bytes available; a NUL byte
 * stops it, so n may be SIZE_MAX for a NUL-terminated string), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xbf;
    size_t len;
    if (b < 0x80) return 1;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        if (b == 0xe0) lo = 0xa0;
        else if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        if (b == 0xf0) lo = 0x90;
        else if (b == 0xf4) hi = 0x8f;
    } else return 0;
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return len;
}

size_t hwj_utf8_invalid_at(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] < 0x80 ? 1 : utf8_seq_len(u + i, n - i);
        if (!k) return i;
        i += k;
    }
    return n;
}

/* Why the bytes at s, which do not start a well-formed sequence, are
 * invalid; *len gets the length of the bad sequence: the lead byte and the
 * continuation bytes after it, up to the length the lead byte announces. */
static const char *utf8_problem(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char b = s[0];
    *len = 1;
    if (b >= 0x80 && b <= 0xbf) return "unexpected continuation byte";
    if (b >= 0xf8) return "byte";
    size_t want = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2, k = 1;
    while (k < want && k < n && (s[k] & 0xc0) == 0x80) k++;
    *len = k;
    if (b == 0xc0 || b == 0xc1 || (b == 0xe0 && k > 1 && s[1] < 0xa0) || (b == 0xf0 && k > 1 && s[1] < 0x90))
        return "overlong encoding";
    if (b == 0xed && k > 1 && s[1] >= 0xa0) return "encoded UTF-16 surrogate";
    if (b >= 0xf5 || (b == 0xf4 && k > 1 && s[1] >= 0x90)) return "code point above U+10FFFF";
    return "truncated sequence";
}

/* "0xc0 0xaf": the n (at most 4) bytes at s in hex. */
static void hex_bytes(char *buf, size_t size, const unsigned char *s, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && i < 4 && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s0x%02x", i ? " " : "", s[i]);
}

/* The display form of the character at s (n bytes available) in a one-line
 * message: printable ASCII and well-formed UTF-8 as they are, control
 * characters as JSON escapes (\n, \t, \r, \u001b), a byte that is not part
 * of well-formed UTF-8 as \xNN.  Writes at most 6 bytes into out and returns
 * how many; *used gets the number of input bytes it stands for. */
static size_t display_char(const unsigned char *s, size_t n, char out[8], size_t *used)
{
    unsigned char b = s[0];
    *used = 1;
    if (b >= 0x20 && b < 0x7f) { out[0] = (char)b; return 1; }
    if (b == '\n') { memcpy(out, "\\n", 2); return 2; }
    if (b == '\t') { memcpy(out, "\\t", 2); return 2; }
    if (b == '\r') { memcpy(out, "\\r", 2); return 2; }
    if (b < 0x80) return (size_t)snprintf(out, 8, "\\u%04x", b);
    size_t k = utf8_seq_len(s, n);
    if (!k) return (size_t)snprintf(out, 8, "\\x%02x", b);
    memcpy(out, s, k);
    *used = k;
    return k;
}

/* The display form of s[0..len) in buf (size n), shortened with "..." (whole
 * characters only) when it does not fit. */
static void display(char *buf, size_t n, const char *s, size_t len)
{
    if (!n) return;
    const unsigned char *u = (const unsigned char *)s;
    char piece[8];
    size_t total = 0, used, w = 0;
    for (size_t i = 0; i < len; i += used) total += display_char(u + i, len - i, piece, &used);
    size_t room = total < n ? n - 1 : n >= 4 ? n - 4 : 0;
    for (size_t i = 0; i < len; i += used) {
        size_t k = display_char(u + i, len - i, piece, &used);
        if (w + k > room) break;
        memcpy(buf + w, piece, k);
        w += k;
    }
    if (total >= n && n >= 4) { memcpy(buf + w, "...", 3); w += 3; }
    buf[w] = 0;
}

void hwj_abbrev(char *buf, size_t n, const char *s)
{
    display(buf, n, s, strlen(s));
}

static void put_bytes(char *buf, size_t n, size_t *w, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++, (*w)++)
        if (*w + 1 < n) buf[*w] = s[i];
}

size_t hwj_quote_string(char *buf, size_t n, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0;
    put_bytes(buf, n, &w, "\"", 1);
    for (size_t i = 0; u[i];) {
        unsigned char b = u[i];
        const char *esc = b == '"' ? "\\\"" : b == '\\' ? "\\\\" : b == '\n' ? "\\n" : b == '\t' ? "\\t"
                        : b == '\r' ? "\\r" : b == '\b' ? "\\b" : b == '\f' ? "\\f" : NULL;
        size_t k = b < 0x80 ? 1 : utf8_seq_len(u + i, SIZE_MAX);
        if (esc) put_bytes(buf, n, &w, esc, 2);
        else if (b < 0x20 || b == 0x7f) {
            char x[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15]};
            put_bytes(buf, n, &w, x, 6);
        } else if (!k) {
            put_bytes(buf, n, &w, "\\ufffd", 6); /* not UTF-8: U+FFFD REPLACEMENT CHARACTER */
            k = 1;
        } else put_bytes(buf, n, &w, s + i, k);
        i += k;
    }
    put_bytes(buf, n, &w, "\"", 1);
    if (n) buf[w < n ? w : n - 1] = 0;
    return w;
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

/* ---------------------------------------------------------- text checks
 * cJSON accepts text that is not JSON, or loses part of it, in ways that
 * only show later: it copies string bytes raw (invalid UTF-8 lands in the
 * logs, which json.loads then rejects), decodes "\u0000" into a NUL that
 * silently ends the C string ("seeds\u0000junk" becomes "seeds"), turns an
 * escape with bad hex digits ("\uzzzz") into that same NUL, keeps raw
 * control characters in strings, and skips any byte below 0x21 between
 * tokens.  None of this is visible in the parsed tree, so the raw text is
 * checked first, in one pass that walks the string tokens the way cJSON
 * does (a '"' outside a string opens one; a backslash takes the next byte
 * with it) and applies JSON's and UTF-8's rules to every byte and escape.
 *
 * The error names the key path.  Since every string token of a JSON text is
 * either a key or a string value, the k-th string token is the k-th key or
 * string in a document-order walk of the tree; the tree comes from parsing
 * a copy in which every fault is overwritten with '?' (same length, so
 * line and column numbers stay the text's).  A grammar error before the
 * first fault is reported instead, as it would be without one. */

#define NOT_IN_STRING ((size_t)-1)

typedef struct {
    size_t at;      /* offset of the first bad byte in the text */
    size_t token;   /* index (document order) of the string token holding it, or NOT_IN_STRING */
    size_t content; /* offset of that token's first content byte */
    char what[160]; /* the reason, completing "string ..." or "key "K" ..." (or alone outside strings) */
} text_fault;

typedef struct {
    const unsigned char *s;
    char *fix;      /* NULL, or a copy of s in which every fault is overwritten with '?' */
    size_t faults;
    text_fault first;
} text_scan;

#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void note_fault(text_scan *t, size_t at, size_t len, size_t token, size_t content, int in_string,
                       const char *fmt, ...)
{
    if (t->fix) memset(t->fix + at, '?', len);
    if (t->faults++) return;
    t->first.at = at;
    t->first.token = in_string ? token : NOT_IN_STRING;
    t->first.content = content;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->first.what, sizeof t->first.what, fmt, ap);
    va_end(ap);
}

/* The value of the 4 hex digits at p, or -1. */
static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Checks the escape at s[i] (a backslash) of a string whose content starts
 * at c0; returns the number of bytes to skip. */
static size_t scan_escape(text_scan *t, size_t i, size_t token, size_t c0)
{
    const unsigned char *s = t->s;
    unsigned char x = s[i + 1];
    if (x && strchr("\"\\/bfnrt", x)) return 2;
    if (x != 'u') {
        if (x > 0x20 && x < 0x7f)
            note_fault(t, i, 1, token, c0, 1, "contains an invalid escape (\\%c at offset %zu)", x, i - c0);
        else
            note_fault(t, i, 1, token, c0, 1, "contains an invalid escape (a backslash followed by byte 0x%02x at offset %zu)",
                       x, i - c0);
        return 1;
    }
    int u = hex4(s + i + 2);
    if (u < 0) {
        char shown[24];
        size_t len = 2;
        while (len < 6 && ((s[i + len] >= '0' && s[i + len] <= '9') || ((s[i + len] | 0x20) >= 'a' && (s[i + len] | 0x20) <= 'z')))
            len++;
        display(shown, sizeof shown, (const char *)s + i, len);
        note_fault(t, i, 1, token, c0, 1, "contains an invalid escape (%s at offset %zu: \\u takes 4 hex digits)", shown,
                   i - c0);
        return 1;
    }
    if (u == 0) {
        note_fault(t, i, 1, token, c0, 1, "contains a NUL escape (\\u%.4s at offset %zu)", (const char *)s + i + 2, i - c0);
        return 6;
    }
    if (u >= 0xd800 && u <= 0xdbff && s[i + 6] == '\\' && s[i + 7] == 'u') {
        int lo = hex4(s + i + 8);
        if (lo >= 0xdc00 && lo <= 0xdfff) return 12; /* a surrogate pair */
    }
    if (u >= 0xd800 && u <= 0xdfff) {
        note_fault(t, i, 1, token, c0, 1, "contains an unpaired UTF-16 surrogate escape (\\u%.4s at offset %zu)",
                   (const char *)s + i + 2, i - c0);
        return 6;
    }
    return 6;
}

/* Checks the string token whose opening quote is at s[i]; returns the
 * offset just after its closing quote (or of the text's end). */
static size_t scan_string(text_scan *t, size_t i, size_t token)
{
    const unsigned char *s = t->s;
    size_t c0 = ++i;
    while (s[i] && s[i] != '"') {
        unsigned char b = s[i];
        if (b == '\\') {
            if (!s[i + 1]) return i + 1;
            i += scan_escape(t, i, token, c0);
        } else if (b < 0x20) {
            const char *as = b == '\n' ? "\\n" : b == '\t' ? "\\t" : b == '\r' ? "\\r" : "\\u00XX";
            note_fault(t, i, 1, token, c0, 1, "contains a raw control character (0x%02x at offset %zu; write it as %s)",
                       b, i - c0, as);
            i++;
        } else if (b >= 0x80) {
            size_t k = utf8_seq_len(s + i, SIZE_MAX);
            if (!k) {
                char hex[24];
                const char *why = utf8_problem(s + i, SIZE_MAX, &k);
                hex_bytes(hex, sizeof hex, s + i, k);
                note_fault(t, i, k, token, c0, 1, "is not valid UTF-8 (%s %s at offset %zu)", why, hex, i - c0);
            }
            i += k;
        } else i++;
    }
    return s[i] ? i + 1 : i;
}

/* Checks the whole text: string tokens, and the bytes between them (only
 * JSON's four whitespace characters and ASCII; a BOM only at the start). */
static void scan_text(text_scan *t)
{
    const unsigned char *s = t->s;
    size_t i = strncmp((const char *)s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, token = 0;
    while (s[i]) {
        unsigned char b = s[i];
        if (b == '"') {
            i = scan_string(t, i, token++);
        } else if (b >= 0x80) {
            size_t k = utf8_seq_len(s + i, SIZE_MAX);
            if (k == 3 && memcmp(s + i, "\xef\xbb\xbf", 3) == 0)
                note_fault(t, i, k, 0, 0, 0, "a byte order mark (U+FEFF) is allowed only at the start of the text");
            else if (k) {
                unsigned long cp = k == 2 ? s[i] & 0x1fu : k == 3 ? s[i] & 0x0fu : s[i] & 0x07u;
                for (size_t j = 1; j < k; j++) cp = cp << 6 | (s[i + j] & 0x3fu);
                note_fault(t, i, k, 0, 0, 0, "character U+%04lX outside a string", cp);
            } else {
                char hex[24];
                const char *why = utf8_problem(s + i, SIZE_MAX, &k);
                hex_bytes(hex, sizeof hex, s + i, k);
                note_fault(t, i, k, 0, 0, 0, "%s %s outside a string (not valid UTF-8)", why, hex);
            }
            i += k;
        } else {
            if (b < 0x20 && b != ' ' && b != '\t' && b != '\n' && b != '\r')
                note_fault(t, i, 1, 0, 0, 0, "control character 0x%02x outside a string (only space, tab, CR and LF may separate tokens)", b);
            i++;
        }
    }
}

/* The k-th string token of a parsed text: the node whose key (*is_key) or
 * string value it is, with its ancestors in chain[0..*depth] (chain[0] the
 * root, chain[*depth] the node); NULL when there are fewer strings. */
static const cJSON *nth_string(const cJSON *root, size_t k, const cJSON **chain, int *depth, int *is_key)
{
    const cJSON *n = root;
    size_t seen = 0;
    int d = 0;
    for (;;) {
        chain[d] = n;
        if (d > 0 && cJSON_IsObject(chain[d - 1]) && seen++ == k) { *is_key = 1; *depth = d; return n; }
        if (cJSON_IsString(n) && seen++ == k) { *is_key = 0; *depth = d; return n; }
        if ((cJSON_IsArray(n) || cJSON_IsObject(n)) && n->child && d < CJSON_NESTING_LIMIT + 1) {
            n = n->child;
            d++;
            continue;
        }
        while (d > 0 && !chain[d]->next) d--;
        if (d == 0) return NULL;
        n = chain[d]->next;
    }
}

/* "problem.objectives[1]": the path of chain[depth] (chain as above); "" for the root. */
static void chain_path(char *buf, size_t n, const cJSON *const *chain, int depth)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 1; i <= depth && used < n; i++) {
        char part[96];
        if (cJSON_IsObject(chain[i - 1])) {
            char key[72];
            hwj_abbrev(key, sizeof key, chain[i]->string);
            snprintf(part, sizeof part, "%s%s", used ? "." : "", key);
        } else {
            size_t index = 0;
            for (const cJSON *c = chain[i - 1]->child; c && c != chain[i]; c = c->next) index++;
            snprintf(part, sizeof part, "[%zu]", index);
        }
        if (used + strlen(part) + 4 > n) { snprintf(buf + used, n - used, "..."); return; }
        used += (size_t)snprintf(buf + used, n - used, "%s", part);
    }
}

/* "FILE:LINE:COL" for offset at of text. */
static void text_position(char *buf, size_t n, const char *what, const char *text, size_t at)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < at && text[i]; i++) {
        if (text[i] == '\n') { line++; col = 1; } else col++;
    }
    snprintf(buf, n, "%s:%d:%d", what, line, col);
}

/* The error for fault f of text, by key path when tree (the parsed
 * sanitized copy) is given, else by line and column. */
static int fault_error(const char *text, const char *what, const text_fault *f, const cJSON *tree, hw_err *e)
{
    char where[600];
    const cJSON *chain[CJSON_NESTING_LIMIT + 2];
    int depth = 0, is_key = 0;
    const cJSON *node = tree && f->token != NOT_IN_STRING ? nth_string(tree, f->token, chain, &depth, &is_key) : NULL;
    if (!node) {
        text_position(where, sizeof where, what, text, f->at);
        if (f->token == NOT_IN_STRING) return hw_fail(e, HW_EPARSE, "%s: invalid JSON: %s", where, f->what);
        return hw_fail(e, HW_EPARSE, "%s: string %s", where, f->what);
    }
    char path[512];
    chain_path(path, sizeof path, chain, depth - is_key);
    if (!is_key) return hw_fail(e, HW_EPARSE, "%s: %s: string %s", what, *path ? path : "(top level)", f->what);
    size_t len = 0;
    const char *raw = text + f->content;
    while (raw[len] && raw[len] != '"') len += raw[len] == '\\' && raw[len + 1] ? 2 : 1;
    char key[72];
    display(key, sizeof key, raw, len);
    return hw_fail(e, HW_EPARSE, "%s: %s%skey \"%s\" %s", what, path, *path ? ": " : "", key, f->what);
}

/* The error for a text with at least one fault (see above). */
static int text_error(const char *text, const char *what, hw_err *e)
{
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (!copy) return hw_fail(e, HW_ENOMEM, "%s: out of memory", what);
    memcpy(copy, text, n + 1);
    text_scan t = {.s = (const unsigned char *)text, .fix = copy};
    scan_text(&t);
    text_scan again = {.s = (const unsigned char *)copy};
    scan_text(&again);
    const char *end = NULL;
    cJSON *tree = cJSON_ParseWithOpts(copy, &end, 0);
    size_t stop = (size_t)-1; /* where the grammar fails */
    if (!tree) stop = end ? (size_t)(end - copy) : 0;
    else if (*skip_space(end)) stop = (size_t)(skip_space(end) - copy);
    else if (lenient_number(copy)) stop = (size_t)(lenient_number(copy) - copy);
    int rc;
    if (stop < t.first.at && !again.faults) {
        cJSON *other = NULL;
        rc = hwj_parse(copy, what, &other, e); /* fails at the grammar error: the copy has no faults left */
        if (rc == HW_OK) { cJSON_Delete(other); rc = fault_error(text, what, &t.first, NULL, e); }
    } else
        rc = fault_error(text, what, &t.first, tree, e);
    cJSON_Delete(tree);
    free(copy);
    return rc;
}

/* The first comma (outside strings) followed only by white space and a
 * closing ] or }, before `limit`; or NULL.  cJSON reports a trailing comma
 * where it stops (on the closing bracket, often the next line). */
static const char *trailing_comma(const char *text, const char *limit)
{
    int in_str = 0;
    for (const char *p = text; p < limit && *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
        } else if (*p == '"') in_str = 1;
        else if (*p == ',') {
            const char *q = skip_space(p + 1);
            if (*q == ']' || *q == '}') return p;
        }
    }
    return NULL;
}

int hwj_parse(const char *text, const char *what, cJSON **out, hw_err *e)
{
    text_scan scan = {.s = (const unsigned char *)text};
    scan_text(&scan);
    if (scan.faults) return text_error(text, what, e);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
    const char *after = j && end ? skip_space(end) : NULL;
    const char *badnum = j && !*after ? lenient_number(text) : NULL;
    if (!j || *after || badnum) {
        if (j) { cJSON_Delete(j); end = badnum ? badnum : after; }
        int line = 1, col = 1;
        const char *p = text;
        if (!end) end = text;
        const char *comma = j ? NULL : trailing_comma(text, end + 1);
        if (comma) end = comma;
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
        if (comma)
            return hw_fail(e, HW_EPARSE, "%s:%d:%d: invalid JSON: trailing comma before '%c'", what, line, col,
                           *skip_space(comma + 1));
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
