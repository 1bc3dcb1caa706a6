/* tests/test_json_text.c — text in core/json.h: the UTF-8 rules
 * (hwj_utf8_invalid_at) against an independent definition (decode by bit
 * pattern, then: shortest form, a Unicode scalar value) over every string of
 * up to 3 bytes and a large share of the 4-byte ones, and against the counts
 * of code points Unicode assigns to each length; hwj_abbrev (one line of
 * valid UTF-8) and hwj_quote_string (the writer: always valid JSON). */
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
