/* tests/test_json_text.c — the text rules of hwj_parse (core/json.h): every
 * key and string of an accepted document is valid UTF-8 without NULs and
 * reads exactly as written; everything else is one error line naming the
 * key path.  The UTF-8 rules are checked against an independent definition
 * (decode by bit pattern, then: shortest form, a Unicode scalar value) over
 * every string of up to 3 bytes and a large share of the 4-byte ones, and
 * against the counts of code points Unicode assigns to each length;
 * hwj_parse's verdict and decoding of strings against a reference decoder of
 * JSON strings written here from RFC 8259, on random strings built from
 * valid and invalid pieces.  Also: the UTF-8 byte order mark, the order of
 * grammar and text errors, hwj_abbrev and hwj_quote_string (the writer). */
#include <stdint.h>
#include <unistd.h>

#include "core/json.h"
#include "core/rng.h"
#include "tests/check.h"

/* ------------------------------------------------ reference UTF-8 rules */

/* Length of the well-formed sequence at s (n bytes), or 0: the bit pattern
 * gives the length and the code point; the code point must need exactly that
 * many bytes, be at most U+10FFFF and not be a surrogate. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] < 0x80) return 1;
    if ((s[0] & 0xe0) == 0xc0) { len = 2; cp = s[0] & 0x1f; }
    else if ((s[0] & 0xf0) == 0xe0) { len = 3; cp = s[0] & 0x0f; }
    else if ((s[0] & 0xf8) == 0xf0) { len = 4; cp = s[0] & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

static size_t ref_invalid_at(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = ref_utf8_len(s + i, n - i);
        if (!k) return i;
        i += k;
    }
    return n;
}

/* Appends the UTF-8 form of code point cp. */
static size_t put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { out[0] = (unsigned char)(0xc0 | cp >> 6); out[1] = (unsigned char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

static int is_one_line_utf8(const char *msg)
{
    return !strchr(msg, '\n') && !strchr(msg, '\r') && hwj_utf8_invalid_at(msg, strlen(msg)) == strlen(msg);
}

TEST(utf8_agrees_with_definition_exhaustively)
{
    unsigned char s[4];
    long mismatches = 0, valid2 = 0, valid3 = 0;
    for (uint32_t v = 0; v < 256; v++) {
        s[0] = (unsigned char)v;
        mismatches += hwj_utf8_invalid_at((const char *)s, 1) != ref_invalid_at(s, 1);
    }
    for (uint32_t v = 0; v < 1u << 16; v++) {
        s[0] = (unsigned char)(v >> 8); s[1] = (unsigned char)v;
        size_t got = hwj_utf8_invalid_at((const char *)s, 2);
        mismatches += got != ref_invalid_at(s, 2);
        valid2 += s[0] >= 0x80 && got == 2;
    }
    for (uint32_t v = 0; v < 1u << 24; v++) {
        s[0] = (unsigned char)(v >> 16); s[1] = (unsigned char)(v >> 8); s[2] = (unsigned char)v;
        size_t got = hwj_utf8_invalid_at((const char *)s, 3);
        if (got != ref_invalid_at(s, 3) && mismatches++ < 5)
            CHECK_MSG(0, "%02x %02x %02x: invalid at %zu, reference %zu", s[0], s[1], s[2], got,
                      ref_invalid_at(s, 3));
        valid3 += s[0] >= 0xe0 && got == 3;
    }
    /* 4-byte strings: every lead byte from 0xe0 with every second and third
     * byte, the fourth from the boundaries of the byte classes */
    static const unsigned char last[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff};
    long valid4 = 0;
    for (uint32_t v = 0xe00000; v < 1u << 24; v++)
        for (size_t k = 0; k < sizeof last; k++) {
            s[0] = (unsigned char)(v >> 16); s[1] = (unsigned char)(v >> 8); s[2] = (unsigned char)v; s[3] = last[k];
            size_t got = hwj_utf8_invalid_at((const char *)s, 4);
            if (got != ref_invalid_at(s, 4) && mismatches++ < 5)
                CHECK_MSG(0, "%02x %02x %02x %02x: invalid at %zu, reference %zu", s[0], s[1], s[2], s[3], got,
                          ref_invalid_at(s, 4));
            valid4 += s[0] >= 0xf0 && got == 4;
        }
    CHECK_EQ_INT(mismatches, 0);
    /* Unicode's counts: U+0080..U+07FF take 2 bytes, U+0800..U+FFFF less the
     * 2048 surrogates take 3, U+10000..U+10FFFF take 4; their last bytes run
     * evenly over the 64 continuation bytes, 6 of which are in `last` */
    CHECK_EQ_INT(valid2, 0x800 - 0x80);
    CHECK_EQ_INT(valid3, 0x10000 - 0x800 - 0x800);
    CHECK_EQ_INT(valid4, (0x110000 - 0x10000) / 64 * 6);
}

TEST(utf8_agrees_with_definition_on_random_strings)
{
    hw_rng r;
    hw_rng_seed(&r, 2026, 8);
    static const unsigned char pool[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
                                         0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    long mismatches = 0;
    for (int it = 0; it < 400000; it++) {
        unsigned char s[12];
        size_t n = 1 + hw_rng_below(&r, sizeof s);
        for (size_t i = 0; i < n; i++)
            s[i] = hw_rng_below(&r, 2) ? pool[hw_rng_below(&r, sizeof pool)] : (unsigned char)hw_rng_below(&r, 256);
        size_t got = hwj_utf8_invalid_at((const char *)s, n), want = ref_invalid_at(s, n);
        if (got != want && mismatches++ < 5) CHECK_MSG(0, "length %zu: invalid at %zu, reference %zu", n, got, want);
    }
    CHECK_EQ_INT(mismatches, 0);
}

/* ----------------------------------------------- hwj_parse: fixed cases */

/* hwj_parse(text) must fail with exactly msg (as one line of valid UTF-8). */
static void rejects(const char *text, const char *msg)
{
    cJSON *j = NULL;
    hw_err e = {0};
    int rc = hwj_parse(text, "cfg.json", &j, &e);
    CHECK_MSG(rc == HW_EPARSE, "accepted (rc %d) text '%s'", rc, text);
    if (rc == HW_OK) { cJSON_Delete(j); return; }
    CHECK_STR(e.msg, msg);
    CHECK_MSG(is_one_line_utf8(e.msg), "message is not one line of UTF-8: %s", e.msg);
}

/* hwj_parse(text) must succeed; returns the tree. */
static cJSON *accepts(const char *text)
{
    cJSON *j = NULL;
    hw_err e = {0};
    int rc = hwj_parse(text, "cfg.json", &j, &e);
    CHECK_MSG(rc == HW_OK, "rejected '%s': %s", text, e.msg);
    return rc == HW_OK ? j : NULL;
}

TEST(invalid_utf8_in_strings_names_the_key_path)
{
    rejects("{\"problem\":{\"name\":\"abc\xff\"}}", "cfg.json: problem.name: string is not valid UTF-8 (byte 0xff at offset 3)");
    rejects("{\"d\":\"a\x80\"}", "cfg.json: d: string is not valid UTF-8 (unexpected continuation byte 0x80 at offset 1)");
    rejects("{\"d\":\"a\xc0\xaf\"}", "cfg.json: d: string is not valid UTF-8 (overlong encoding 0xc0 0xaf at offset 1)");
    rejects("{\"d\":\"\xe0\x80\xaf\"}", "cfg.json: d: string is not valid UTF-8 (overlong encoding 0xe0 0x80 0xaf at offset 0)");
    rejects("{\"d\":\"\xf0\x8f\xbf\xbf\"}",
            "cfg.json: d: string is not valid UTF-8 (overlong encoding 0xf0 0x8f 0xbf 0xbf at offset 0)");
    rejects("{\"d\":\"\xed\xa0\x80\"}",
            "cfg.json: d: string is not valid UTF-8 (encoded UTF-16 surrogate 0xed 0xa0 0x80 at offset 0)");
    rejects("{\"d\":\"\xed\xbf\xbf\"}",
            "cfg.json: d: string is not valid UTF-8 (encoded UTF-16 surrogate 0xed 0xbf 0xbf at offset 0)");
    rejects("{\"d\":\"\xf4\x90\x80\x80\"}",
            "cfg.json: d: string is not valid UTF-8 (code point above U+10FFFF 0xf4 0x90 0x80 0x80 at offset 0)");
    rejects("{\"d\":\"\xf5\x80\x80\x80\"}",
            "cfg.json: d: string is not valid UTF-8 (code point above U+10FFFF 0xf5 0x80 0x80 0x80 at offset 0)");
    rejects("{\"d\":\"x\xe2\x82\"}", "cfg.json: d: string is not valid UTF-8 (truncated sequence 0xe2 0x82 at offset 1)");
    rejects("{\"d\":\"\xe2\x82x\"}", "cfg.json: d: string is not valid UTF-8 (truncated sequence 0xe2 0x82 at offset 0)");
    rejects("{\"d\":[\"ok\",{\"e\":[1,\"\xfe\"]}]}", "cfg.json: d[1].e[1]: string is not valid UTF-8 (byte 0xfe at offset 0)");
    rejects("\"\xff\"", "cfg.json: (top level): string is not valid UTF-8 (byte 0xff at offset 0)");
    rejects("{\"problem\":{\"n\xc3\"}", "cfg.json:1:15: string is not valid UTF-8 (truncated sequence 0xc3 at offset 1)");
    /* keys: named as written, within their object's path */
    rejects("{\"problem\":{\"na\xffme\":1}}", "cfg.json: problem: key \"na\\xffme\" is not valid UTF-8 (byte 0xff at offset 2)");
    rejects("{\"k\xc0\x80\":1}", "cfg.json: key \"k\\xc0\\x80\" is not valid UTF-8 (overlong encoding 0xc0 0x80 at offset 1)");
}

TEST(nul_surrogate_and_bad_escapes_name_the_key_path)
{
    rejects("{\"seeds\\u0000junk\":[1]}", "cfg.json: key \"seeds\\u0000junk\" contains a NUL escape (\\u0000 at offset 5)");
    rejects("{\"a\":{\"b\":\"x\\u0000\"}}", "cfg.json: a.b: string contains a NUL escape (\\u0000 at offset 1)");
    rejects("[\"\\u0000\"]", "cfg.json: [0]: string contains a NUL escape (\\u0000 at offset 0)");
    rejects("{\"a\":\"\\ud800\"}", "cfg.json: a: string contains an unpaired UTF-16 surrogate escape (\\ud800 at offset 0)");
    rejects("{\"a\":\"\\uDBFFx\"}", "cfg.json: a: string contains an unpaired UTF-16 surrogate escape (\\uDBFF at offset 0)");
    rejects("{\"a\":\"\\ud800\\u0041\"}",
            "cfg.json: a: string contains an unpaired UTF-16 surrogate escape (\\ud800 at offset 0)");
    rejects("{\"a\":\"\\ud800\\ud800\"}",
            "cfg.json: a: string contains an unpaired UTF-16 surrogate escape (\\ud800 at offset 0)");
    rejects("{\"a\":\"\\udc00\\ud800\"}",
            "cfg.json: a: string contains an unpaired UTF-16 surrogate escape (\\udc00 at offset 0)");
    /* cJSON reads bad hex digits as 0 and so as a NUL that ends the string */
    rejects("{\"seeds\\uzzzzjunk\":[1]}",
            "cfg.json: key \"seeds\\uzzzzjunk\" contains an invalid escape (\\uzzzz at offset 5: \\u takes 4 hex digits)");
    rejects("{\"a\":\"\\u12g4\"}", "cfg.json: a: string contains an invalid escape (\\u12g4 at offset 0: \\u takes 4 hex digits)");
    rejects("{\"a\":\"\\u12\"}", "cfg.json: a: string contains an invalid escape (\\u12 at offset 0: \\u takes 4 hex digits)");
    rejects("{\"a\":\"x\\q\"}", "cfg.json: a: string contains an invalid escape (\\q at offset 1)");
    rejects("{\"a\":\"\\\xff\"}",
            "cfg.json: a: string contains an invalid escape (a backslash followed by byte 0xff at offset 0)");
    rejects("{\"a\":\"x\ty\"}", "cfg.json: a: string contains a raw control character (0x09 at offset 1; write it as \\t)");
    rejects("{\"a\":\"x\ny\"}", "cfg.json: a: string contains a raw control character (0x0a at offset 1; write it as \\n)");
    rejects("{\"a\":\"\x01\"}", "cfg.json: a: string contains a raw control character (0x01 at offset 0; write it as \\u00XX)");
    rejects("{\"a\\tb\":1,\"c\":\"\x1b\"}",
            "cfg.json: c: string contains a raw control character (0x1b at offset 0; write it as \\u00XX)");
    /* the first fault in the text is the one reported */
    rejects("{\"a\":\"\\u0000\",\"b\":\"\xff\"}", "cfg.json: a: string contains a NUL escape (\\u0000 at offset 0)");
    rejects("{\"a\":\"\xff\",\"b\":\"\\u0000\"}", "cfg.json: a: string is not valid UTF-8 (byte 0xff at offset 0)");
    rejects("{\"k\":{\"\\u0000\":\"\xff\"}}", "cfg.json: k: key \"\\u0000\" contains a NUL escape (\\u0000 at offset 0)");
    /* an escaped backslash followed by "u0000" is no escape */
    cJSON *j = accepts("{\"a\":\"\\\\u0000\"}");
    if (j) CHECK_STR(cJSON_GetObjectItemCaseSensitive(j, "a")->valuestring, "\\u0000");
    cJSON_Delete(j);
}

TEST(valid_text_reads_exactly_as_written)
{
    static const char *const cases[][2] = {
        {"{\"a\":\"caf\xc3\xa9\"}", "caf\xc3\xa9"},
        {"{\"a\":\"\\u00e9\\u00E9\"}", "\xc3\xa9\xc3\xa9"},
        {"{\"a\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80"},
        {"{\"a\":\"\\uDBFF\\uDFFF\"}", "\xf4\x8f\xbf\xbf"},
        {"{\"a\":\"\xf4\x8f\xbf\xbf\xf0\x90\x80\x80\xef\xbf\xbf\xee\x80\x80\xed\x9f\xbf\"}",
         "\xf4\x8f\xbf\xbf\xf0\x90\x80\x80\xef\xbf\xbf\xee\x80\x80\xed\x9f\xbf"},
        {"{\"a\":\"x\xef\xbb\xbfy\"}", "x\xef\xbb\xbfy"}, /* U+FEFF inside a string is a character */
        {"{\"a\":\"\\u0001\\u001f\\t\x7f\"}", "\x01\x1f\t\x7f"},
        {"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "\"\\/\b\f\n\r\t"},
        {"\xef\xbb\xbf{\"a\":\"bom\"}", "bom"},
        {"\xef\xbb\xbf {\"a\":\"bom then space\"}\n", "bom then space"},
        {"{\"\\u00e9\":0,\"a\":\"key \\u00e9\"}", "key \xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = accepts(cases[i][0]);
        const cJSON *a = j ? cJSON_GetObjectItemCaseSensitive(j, "a") : NULL;
        CHECK_MSG(cJSON_IsString(a) && strcmp(a->valuestring, cases[i][1]) == 0, "case %zu: wrong value", i);
        cJSON_Delete(j);
    }
    cJSON *j = accepts("{\"\\u00e9\":0}");
    if (j) CHECK_STR(j->child->string, "\xc3\xa9");
    cJSON_Delete(j);
}

TEST(byte_order_mark_only_at_the_start)
{
    cJSON *j = accepts("\xef\xbb\xbf[1]");
    cJSON_Delete(j);
    rejects("\xef\xbb\xbf\xef\xbb\xbf[1]",
            "cfg.json:1:4: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text");
    rejects(" \xef\xbb\xbf[1]",
            "cfg.json:1:2: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text");
    rejects("{\"a\":1,\n\xef\xbb\xbf\"b\":2}",
            "cfg.json:2:1: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text");
    rejects("[1]\xef\xbb\xbf",
            "cfg.json:1:4: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text");
    rejects("\xef\xbb\xbf", "cfg.json: empty, expected a JSON value");
    rejects("\xef\xbb\xbf  \n", "cfg.json: empty, expected a JSON value");
    /* other bytes between tokens: only JSON's four whitespace characters */
    rejects("{\"a\":\xc2\xa0" "1}", "cfg.json:1:6: invalid JSON: character U+00A0 outside a string");
    rejects("[1,\xff]", "cfg.json:1:4: invalid JSON: byte 0xff outside a string (not valid UTF-8)");
    rejects("[1,\xc0\xaf]", "cfg.json:1:4: invalid JSON: overlong encoding 0xc0 0xaf outside a string (not valid UTF-8)");
    rejects("[1,\f2]",
            "cfg.json:1:4: invalid JSON: control character 0x0c outside a string (only space, tab, CR and LF may "
            "separate tokens)");
    rejects("[1,\v2]",
            "cfg.json:1:4: invalid JSON: control character 0x0b outside a string (only space, tab, CR and LF may "
            "separate tokens)");
    j = accepts(" \t\r\n[1, \t\r\n2]\r\n");
    cJSON_Delete(j);
}

TEST(grammar_errors_before_a_text_fault_come_first)
{
    /* a grammar error before the fault: reported as without the fault (the
     * fault shown as '?') */
    rejects("{\"a\" 1,\"b\":\"\xff\"}", "cfg.json:1:6: invalid JSON near '1,\"b\":\"?\"}'");
    rejects("{\"a\":01,\"b\":\"\xff\"}", "cfg.json:1:6: invalid JSON number '01'");
    rejects("[1] 2 \"\xff\"", "cfg.json:1:5: invalid JSON: unexpected text after the value");
    /* after the fault: the fault, by line and column as there is no tree */
    rejects("{\"b\":\"\xff\",\n\"a\" 1}", "cfg.json:1:7: string is not valid UTF-8 (byte 0xff at offset 0)");
    rejects("{\"b\":\"\\u0000\",\"a\":[", "cfg.json:1:7: string contains a NUL escape (\\u0000 at offset 0)");
    /* and a fault in a key that is never closed */
    rejects("{\"\xff", "cfg.json:1:3: string is not valid UTF-8 (byte 0xff at offset 0)");
}

TEST(deep_paths_are_shortened_not_overflowed)
{
    enum { DEPTH = 990 };
    char *text = malloc(2 * DEPTH + 16);
    size_t n = 0;
    for (int i = 0; i < DEPTH; i++) text[n++] = '[';
    memcpy(text + n, "\"\\u0000\"", 8);
    n += 8;
    for (int i = 0; i < DEPTH; i++) text[n++] = ']';
    text[n] = 0;
    cJSON *j = NULL;
    hw_err e = {0};
    CHECK(hwj_parse(text, "cfg.json", &j, &e) == HW_EPARSE);
    CHECK_MSG(strncmp(e.msg, "cfg.json: [0][0][0]", 19) == 0 && strstr(e.msg, "...: string contains a NUL escape"),
              "%s", e.msg);
    free(text);
    /* and a key path of long keys */
    char big[4096] = "{";
    for (int i = 0; i < 20; i++) {
        strcat(big, "\"");
        for (int k = 0; k < 150; k++) strcat(big, "k");
        strcat(big, "\":{");
    }
    strcat(big, "\"x\":\"\xff\"");
    for (int i = 0; i < 21; i++) strcat(big, "}");
    CHECK(hwj_parse(big, "cfg.json", &j, &e) == HW_EPARSE);
    CHECK_MSG(strstr(e.msg, "kkk...") && strstr(e.msg, "string is not valid UTF-8") && strlen(e.msg) < 700, "%s", e.msg);
}

/* ------------------------------- hwj_parse against a reference decoder */

/* Decodes the content of a JSON string token per RFC 8259 and this
 * project's rules (valid UTF-8, no raw control characters, no NUL, paired
 * surrogates); returns 1 and the bytes, or 0. */
static int ref_decode(const unsigned char *s, size_t n, unsigned char *out, size_t *out_n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x20) return 0;
        if (s[i] != '\\') {
            size_t k = ref_utf8_len(s + i, n - i);
            if (!k) return 0;
            memcpy(out + w, s + i, k);
            w += k;
            i += k;
            continue;
        }
        if (i + 1 >= n) return 0;
        const char *simple = "\"\\/bfnrt", *value = "\"\\/\b\f\n\r\t";
        const char *p = strchr(simple, s[i + 1]);
        if (p && s[i + 1]) { out[w++] = (unsigned char)value[p - simple]; i += 2; continue; }
        if (s[i + 1] != 'u' || i + 6 > n) return 0;
        uint32_t cp = 0;
        for (size_t k = 2; k < 6; k++) {
            unsigned char c = s[i + k];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
            cp = cp * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        i += 6;
        if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return 0;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u') return 0;
            uint32_t lo = 0;
            for (size_t k = 2; k < 6; k++) {
                unsigned char c = s[i + k];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
                lo = lo * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            if (lo < 0xdc00 || lo > 0xdfff) return 0;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        w += put_utf8(out + w, cp);
    }
    *out_n = w;
    return 1;
}

TEST(parse_agrees_with_reference_decoder_on_random_strings)
{
    static const char *const pieces[] = {
        "a", "Z", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\u0041", "\\u00e9", "\\u20AC", "\\ud83d\\ude00",
        "\\uDBFF\\uDFFF", "\\u0000", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\uzz00", "\\u12", "\\q", "\\x41", "\\u",
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "\x7f", "\t", "\x01", "\x1f",
        "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80", "\xff", "\xf8\x88\x80\x80\x80",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    hw_rng r;
    hw_rng_seed(&r, 8, 6);
    long bad = 0, accepted = 0;
    for (int it = 0; it < 30000; it++) {
        unsigned char content[256];
        size_t n = 0;
        int len = (int)hw_rng_below(&r, 7);
        for (int k = 0; k < len; k++) {
            const char *p = hw_rng_below(&r, 3) ? pieces[hw_rng_below(&r, (uint32_t)np)] : NULL;
            if (p) { memcpy(content + n, p, strlen(p)); n += strlen(p); }
            else { /* any byte but '"', '\\' and NUL, which would end or change the token */
                unsigned char b;
                do b = (unsigned char)hw_rng_below(&r, 256); while (b == '"' || b == '\\' || b == 0);
                content[n++] = b;
            }
        }
        int as_key = (int)hw_rng_below(&r, 2);
        char text[400];
        int tl = as_key ? snprintf(text, sizeof text, "{\"x\":1,\"%.*s\":[2]}", (int)n, (const char *)content)
                        : snprintf(text, sizeof text, "{\"x\":[1,{\"y\":\"%.*s\"}]}", (int)n, (const char *)content);
        CHECK(tl > 0 && (size_t)tl < sizeof text);
        unsigned char want[256];
        size_t want_n = 0;
        int ok = ref_decode(content, n, want, &want_n);
        cJSON *j = NULL;
        hw_err e = {0};
        int rc = hwj_parse(text, "cfg.json", &j, &e);
        if ((rc == HW_OK) != ok) {
            if (bad++ < 5) CHECK_MSG(0, "'%s': hwj_parse %s, reference %s (%s)", text, rc ? "rejects" : "accepts",
                                     ok ? "accepts" : "rejects", e.msg);
            cJSON_Delete(j);
            continue;
        }
        if (rc) {
            const char *where = as_key ? "cfg.json: key \"" : "cfg.json: x[1].y: string ";
            if (!(strncmp(e.msg, where, strlen(where)) == 0 && is_one_line_utf8(e.msg)) && bad++ < 5)
                CHECK_MSG(0, "'%s': message '%s'", text, e.msg);
            continue;
        }
        accepted++;
        const cJSON *s = as_key ? j->child->next : cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "x"), 1)->child;
        const char *got = as_key ? s->string : s->valuestring;
        if (!(strlen(got) == want_n && memcmp(got, want, want_n) == 0) && bad++ < 5)
            CHECK_MSG(0, "'%s': decoded differently", text);
        cJSON_Delete(j);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_MSG(accepted > 3000 && accepted < 27000, "%ld of 30000 accepted: the generator is unbalanced", accepted);
}

TEST(load_file_checks_text_and_accepts_bom)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/hwnas_test_json_text_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("\xef\xbb\xbf{\"name\": \"t\",\n \"problem\": {\"name\": \"zd\\u0000t1\"}}\n", f);
    fclose(f);
    cJSON *j = NULL;
    hw_err e = {0};
    CHECK(hwj_load_file(path, &j, &e) == HW_EPARSE);
    char want[200];
    snprintf(want, sizeof want, "%s: problem.name: string contains a NUL escape (\\u0000 at offset 2)", path);
    CHECK_STR(e.msg, want);
    f = fopen(path, "wb");
    if (f) { fputs("\xef\xbb\xbf{\"name\": \"caf\xc3\xa9\"}\n", f); fclose(f); }
    CHECK_OK(hwj_load_file(path, &j, &e));
    if (j) CHECK_STR(cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring, "caf\xc3\xa9");
    cJSON_Delete(j);
    unlink(path);
}

/* ------------------------------------- messages and the string writer */

TEST(abbrev_is_one_line_of_utf8)
{
    char buf[72];
    hwj_abbrev(buf, sizeof buf, "a\nb\tc\rd\x1b" "e\x7f");
    CHECK_STR(buf, "a\\nb\\tc\\rd\\u001be\\u007f");
    hwj_abbrev(buf, sizeof buf, "caf\xc3\xa9 \xff\xc0\xaf");
    CHECK_STR(buf, "caf\xc3\xa9 \\xff\\xc0\\xaf");
    char small[8];
    hwj_abbrev(small, sizeof small, "abcdefg");
    CHECK_STR(small, "abcdefg");
    hwj_abbrev(small, sizeof small, "abcdefgh");
    CHECK_STR(small, "abcd...");
    hwj_abbrev(small, sizeof small, "ab\xe2\x82\xac" "cdef"); /* the euro sign is not split */
    CHECK_STR(small, "ab...");
    hwj_abbrev(small, sizeof small, "a\n\n\n\n");
    CHECK_STR(small, "a\\n...");
    hw_rng r;
    hw_rng_seed(&r, 3, 3);
    for (int it = 0; it < 20000; it++) {
        char s[40];
        size_t n = hw_rng_below(&r, sizeof s);
        for (size_t i = 0; i < n; i++) s[i] = (char)(1 + hw_rng_below(&r, 255));
        s[n] = 0;
        size_t size = 1 + hw_rng_below(&r, 60);
        char out[64];
        memset(out, 'Z', sizeof out);
        hwj_abbrev(out, size, s);
        CHECK_MSG(strlen(out) < size && out[size] == 'Z', "wrote past %zu bytes", size);
        CHECK_MSG(is_one_line_utf8(out) && !strpbrk(out, "\x01\x02\x03\x1b\x7f"), "not printable: '%s'", out);
    }
}

TEST(quote_string_always_writes_valid_json)
{
    char buf[600];
    CHECK_EQ_INT(hwj_quote_string(buf, sizeof buf, "a\"b\\c\n\x01\x7f\xc3\xa9"), 25);
    CHECK_STR(buf, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"");
    CHECK_EQ_INT(hwj_quote_string(buf, sizeof buf, "x\xff\xed\xa0\x80y"), 28);
    CHECK_STR(buf, "\"x\\ufffd\\ufffd\\ufffd\\ufffdy\"");
    char small[5];
    CHECK_EQ_INT(hwj_quote_string(small, sizeof small, "abcdef"), 8); /* snprintf-like */
    CHECK_STR(small, "\"abc");
    CHECK_EQ_INT(hwj_quote_string(NULL, 0, "abcdef"), 8);
    hw_rng r;
    hw_rng_seed(&r, 5, 5);
    long bad = 0;
    for (int it = 0; it < 20000; it++) {
        char s[80];
        size_t n = hw_rng_below(&r, sizeof s);
        for (size_t i = 0; i < n; i++) s[i] = (char)(1 + hw_rng_below(&r, 255));
        if (it % 2) { /* half of them valid UTF-8: random code points of every length */
            n = 0;
            while (n + 4 < sizeof s && hw_rng_below(&r, 16)) {
                static const uint32_t top[] = {0x80, 0x800, 0x10000, 0x110000};
                uint32_t cp = 1 + hw_rng_below(&r, top[hw_rng_below(&r, 4)] - 1);
                if (cp < 0xd800 || cp > 0xdfff) n += put_utf8((unsigned char *)s + n, cp);
            }
        }
        s[n] = 0;
        size_t len = hwj_quote_string(buf, sizeof buf, s);
        int valid = hwj_utf8_invalid_at(s, n) == n;
        cJSON *j = NULL;
        hw_err e = {0};
        int ok = len == strlen(buf) && is_one_line_utf8(buf) && hwj_parse(buf, "quoted", &j, &e) == HW_OK &&
                 cJSON_IsString(j) && (!valid || strcmp(j->valuestring, s) == 0);
        for (size_t i = 0; ok && buf[i]; i++) ok = (unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f;
        if (!ok && bad++ < 5) CHECK_MSG(0, "quoted '%s' badly: %s (%s)", s, buf, e.msg);
        cJSON_Delete(j);
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(check_keys_messages_stay_one_line)
{
    static const char *const allowed[] = {"a", NULL};
    cJSON *j = NULL;
    hw_err e = {0};
    CHECK_OK(hwj_parse("{\"a\\nb\":1}", "cfg.json", &j, &e));
    if (j) CHECK(hwj_check_keys(j, "", allowed, &e) == HW_EINVAL);
    if (j) CHECK_STR(e.msg, "a\\nb: unknown key (allowed: a)");
    cJSON_Delete(j);
}
