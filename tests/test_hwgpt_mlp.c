/* HW-GPT-Bench's MLP perplexity predictor read from its PyTorch checkpoints:
 * encoding and predictions against the reference file computed with
 * PyTorch, the README's worked example, and corrupt checkpoints. */
#include "check.h"

#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include <cjson/cJSON.h>

#include "benchmark/hwgpt.h"
#include "benchmark/problem.h"
#include "space/space.h"
#include "core/json.h"
#include "core/lines.h"
#include "core/util.h"
#include "surrogates/hwgpt_mlp.h"
#include "surrogates/surrogate.h"
#include "surrogates/torchzip.h"

static const char *const SCALES[3] = {"s", "m", "l"};

static void ckpt_path(char *buf, size_t n, const char *dir, int scale)
{
    hwgpt_mlp_default_path(dir, scale, buf, n);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int write_all(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(b, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* An error must be one line that names the file and says "corrupt checkpoint". */
static void check_one_line_error(const hw_err *e, const char *what, const char *reason_part)
{
    CHECK_MSG(strchr(e->msg, '\n') == NULL, "error has a newline: %s", e->msg);
    CHECK_MSG(strncmp(e->msg, what, strlen(what)) == 0, "error does not start with the file name: %s", e->msg);
    CHECK_MSG(strstr(e->msg, "corrupt checkpoint (") != NULL, "error lacks 'corrupt checkpoint': %s", e->msg);
    if (reason_part) CHECK_MSG(strstr(e->msg, reason_part) != NULL, "error lacks '%s': %s", reason_part, e->msg);
}

/* Walk every reference line of a scale: arch, one_hot and raw_output. */
typedef void (*ref_fn)(int scale, const hw_arch *a, const cJSON *one_hot, double raw, double ppl, void *ctx);

static int for_each_reference(const char *dir, int scale, ref_fn fn, void *ctx)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/predictors/reference_predictions_%s.jsonl", dir, SCALES[scale]);
    hw_lines *l;
    hw_err e = {0};
    if (hw_lines_open(path, &l, &e) != HW_OK) { CHECK_MSG(0, "%s", e.msg); return 0; }
    char *line;
    size_t len;
    int n = 0;
    while (hw_lines_next(l, &line, &len, &e) == 1) {
        cJSON *j = cJSON_Parse(line);
        CHECK_MSG(j != NULL, "%s:%ld: bad JSON", path, hw_lines_number(l));
        if (!j) continue;
        const cJSON *arch = cJSON_GetObjectItemCaseSensitive(j, "arch");
        const cJSON *oh = cJSON_GetObjectItemCaseSensitive(j, "one_hot");
        const cJSON *raw = cJSON_GetObjectItemCaseSensitive(j, "raw_output");
        const cJSON *ppl = cJSON_GetObjectItemCaseSensitive(j, "perplexity");
        CHECK(cJSON_IsString(arch) && cJSON_IsArray(oh) && cJSON_IsNumber(raw) && cJSON_IsNumber(ppl));
        hw_arch a;
        if (cJSON_IsString(arch) && hw_arch_parse(arch->valuestring, hw_space_get(scale), &a, &e) == HW_OK) {
            fn(scale, &a, oh, cJSON_IsNumber(raw) ? raw->valuedouble : NAN, cJSON_IsNumber(ppl) ? ppl->valuedouble : NAN,
               ctx);
            n++;
        } else {
            CHECK_MSG(0, "%s:%ld: %s", path, hw_lines_number(l), e.msg);
        }
        cJSON_Delete(j);
    }
    hw_lines_close(l);
    return n;
}

static void check_encoding(int scale, const hw_arch *a, const cJSON *oh, double raw, double ppl, void *ctx)
{
    (void)raw; (void)ppl; (void)ctx;
    float x[HWGPT_MLP_MAX_IN];
    hw_err e = {0};
    CHECK_OK(hwgpt_mlp_encode(a, x, &e));
    int n = hwgpt_mlp_input_dim(scale);
    CHECK_EQ_INT(cJSON_GetArraySize(oh), n);
    int i = 0, bad = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, oh) {
        if (i < n && (!cJSON_IsNumber(v) || (float)v->valuedouble != x[i])) bad++;
        i++;
    }
    CHECK_MSG(bad == 0, "scale %s: %d one-hot positions differ", SCALES[scale], bad);
}

TEST(encoding_matches_reference_one_hot)
{
    const char *dir = hwt_data_dir();
    CHECK_EQ_INT(hwgpt_mlp_input_dim(HW_SCALE_S), 80);
    CHECK_EQ_INT(hwgpt_mlp_input_dim(HW_SCALE_M), 152);
    CHECK_EQ_INT(hwgpt_mlp_input_dim(HW_SCALE_L), 224);
    for (int s = 0; s < 3; s++) CHECK_EQ_INT(for_each_reference(dir, s, check_encoding, NULL), 200);
}

typedef struct {
    const hwgpt_mlp *m;
    double max_rel;
    int n;
    hw_arch archs[200];
    double raw[200];
} pred_ctx;

static void check_prediction(int scale, const hw_arch *a, const cJSON *oh, double raw, double ppl, void *vctx)
{
    (void)scale; (void)oh;
    pred_ctx *c = vctx;
    double y = NAN;
    hw_err e = {0};
    CHECK_OK(hwgpt_mlp_predict(c->m, a, &y, &e));
    CHECK_REL(y, raw, 1e-4);
    CHECK(ppl == raw); /* the benchmark returns the raw output as is */
    double rel = fabs(y - raw) / fabs(raw);
    if (rel > c->max_rel) c->max_rel = rel;
    if (c->n < 200) { c->archs[c->n] = *a; c->raw[c->n] = y; }
    c->n++;
}

static void check_scale_predictions(int scale)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    ckpt_path(path, sizeof path, dir, scale);
    hwgpt_mlp *m;
    hw_err e = {0};
    CHECK_OK(hwgpt_mlp_load(path, -1, &m, &e));
    if (!m) { fprintf(stderr, "%s\n", e.msg); return; }
    CHECK_EQ_INT(m->scale, scale);
    CHECK_EQ_INT(m->n_in, hwgpt_mlp_input_dim(scale));
    pred_ctx *c = calloc(1, sizeof *c);
    c->m = m;
    CHECK_EQ_INT(for_each_reference(dir, scale, check_prediction, c), 200);
    fprintf(stderr, "scale %s: 200 predictions, max relative error vs PyTorch %.3g\n", SCALES[scale], c->max_rel);
    /* The batch gives bit-identical results. */
    double batch[200];
    CHECK_OK(hwgpt_mlp_predict_batch(m, c->archs, 200, batch, &e));
    for (int i = 0; i < 200; i++) CHECK(batch[i] == c->raw[i]);
    free(c);
    hwgpt_mlp_free(m);
}

TEST(predictions_match_pytorch_s) { check_scale_predictions(HW_SCALE_S); }
TEST(predictions_match_pytorch_m) { check_scale_predictions(HW_SCALE_M); }
TEST(predictions_match_pytorch_l) { check_scale_predictions(HW_SCALE_L); }

TEST(readme_worked_example)
{
    const char *dir = hwt_data_dir();
    /* The data README's example: architecture, its encoding and the output. */
    const char *s = "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False";
    static const int want[80] = {
        0,0,1, 1,0,0,
        1,0,0, 1,0,0, 0,0,1, 0,0,1, 0,1,0, 0,1,0, 0,1,0, 0,0,1, 0,0,1, 1,0,0, 0,0,0, 0,0,0,
        1,0,0, 0,0,1, 0,0,1, 1,0,0, 1,0,0, 0,0,1, 0,0,1, 0,1,0, 1,0,0, 0,0,1, 0,0,0, 0,0,0,
        0,1};
    hw_arch a;
    hw_err e = {0};
    CHECK_OK(hw_arch_parse(s, NULL, &a, &e));
    float x[HWGPT_MLP_MAX_IN];
    CHECK_OK(hwgpt_mlp_encode(&a, x, &e));
    for (int i = 0; i < 80; i++) CHECK_MSG(x[i] == (float)want[i], "position %d: %g != %d", i, x[i], want[i]);
    char path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    hwgpt_mlp *m;
    CHECK_OK(hwgpt_mlp_load(path, HW_SCALE_S, &m, &e));
    if (!m) return;
    double y;
    CHECK_OK(hwgpt_mlp_predict(m, &a, &y, &e));
    CHECK_REL(y, 25.150846481323242, 1e-4);
    /* forward() on the README's vector directly gives the same. */
    float xr[80];
    for (int i = 0; i < 80; i++) xr[i] = (float)want[i];
    CHECK((double)hwgpt_mlp_forward(m, xr) == y);
    hwgpt_mlp_free(m);
}

TEST(wrong_scale_and_bad_arch)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    hwgpt_mlp *m;
    hw_err e = {0};
    CHECK(hwgpt_mlp_load(path, HW_SCALE_M, &m, &e) == HW_EINVAL);
    CHECK(m == NULL);
    CHECK_MSG(strstr(e.msg, "checkpoint is for scale s, not m") != NULL, "%s", e.msg);
    CHECK_OK(hwgpt_mlp_load(path, HW_SCALE_S, &m, &e));
    if (!m) return;
    hw_arch a;
    CHECK_OK(hw_arch_parse("gpt-m-22-256-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-True",
                           NULL, &a, &e));
    double y;
    CHECK(hwgpt_mlp_predict(m, &a, &y, &e) == HW_EINVAL);
    CHECK_MSG(strstr(e.msg, "scale m given to the scale-s predictor") != NULL, "%s", e.msg);
    CHECK_OK(hw_arch_parse("gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False", NULL, &a, &e));
    a.n_head[3] = 5;
    CHECK(hwgpt_mlp_predict(m, &a, &y, &e) == HW_EINVAL);
    CHECK_MSG(strstr(e.msg, "n_head 5 of layer 3") != NULL, "%s", e.msg);
    hw_arch batch[3];
    double out[3];
    CHECK_OK(hw_arch_parse("gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False", NULL, &batch[0], &e));
    batch[1] = batch[0];
    batch[2] = a;
    CHECK(hwgpt_mlp_predict_batch(m, batch, 3, out, &e) == HW_EINVAL);
    CHECK_MSG(strstr(e.msg, "architecture 2") != NULL, "%s", e.msg);
    hwgpt_mlp_free(m);
}

/* ---- corrupt checkpoints ------------------------------------------------ */

typedef struct {
    unsigned char *b;
    size_t len;
    size_t eocd, cd_off, cd_len;
} archive;

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
static void put64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); }

static int load_s_archive(archive *a)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    a->b = read_all(path, &a->len);
    CHECK(a->b != NULL && a->len > 22);
    if (!a->b) return -1;
    a->eocd = a->len - 22; /* torch.save writes no archive comment */
    CHECK(le32(a->b + a->eocd) == 0x06054b50u);
    a->cd_off = le32(a->b + a->eocd + 16);
    a->cd_len = le32(a->b + a->eocd + 12);
    return 0;
}

/* Offset of the central header / local header of the entry ending in suffix. */
static size_t central_of(const archive *a, const char *suffix, size_t *local)
{
    size_t p = a->cd_off, sl = strlen(suffix);
    while (p + 46 <= a->cd_off + a->cd_len) {
        size_t nlen = a->b[p + 28] | (a->b[p + 29] << 8);
        size_t xlen = a->b[p + 30] | (a->b[p + 31] << 8);
        size_t clen = a->b[p + 32] | (a->b[p + 33] << 8);
        if (nlen >= sl && memcmp(a->b + p + 46 + nlen - sl, suffix, sl) == 0) {
            *local = le32(a->b + p + 42);
            return p;
        }
        p += 46 + nlen + xlen + clen;
    }
    CHECK_MSG(0, "no entry %s", suffix);
    return 0;
}

/* Write the bytes to /tmp, load them, expect HW_EPARSE with reason_part. */
static void expect_corrupt_file(const unsigned char *b, size_t n, const char *tag, const char *reason_part)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/hwnas_test_hwgpt_mlp_%ld_%s.pt", (long)getpid(), tag);
    CHECK(write_all(path, b, n) == 0);
    hwgpt_mlp *m = (hwgpt_mlp *)1;
    hw_err e = {0};
    int rc = hwgpt_mlp_load(path, -1, &m, &e);
    CHECK_MSG(rc == HW_EPARSE, "%s: rc %d (%s)", tag, rc, e.msg);
    CHECK(m == NULL);
    check_one_line_error(&e, path, reason_part);
    unlink(path);
}

TEST(corrupt_checkpoints_give_one_line_errors)
{
    archive a;
    if (load_s_archive(&a)) return;
    unsigned char *c = malloc(a.len);
    size_t local;
    /* Truncations: no end record. */
    expect_corrupt_file(a.b, a.len / 2, "half", "no end-of-central-directory record");
    expect_corrupt_file(a.b, a.len - 1, "minus1", "no end-of-central-directory record");
    expect_corrupt_file(a.b, 10, "tiny", "too short");
    /* Flipped end-record signature. */
    memcpy(c, a.b, a.len);
    c[a.eocd] ^= 0x01;
    expect_corrupt_file(c, a.len, "eocdsig", "no end-of-central-directory record");
    /* Flipped central and local header signatures. */
    size_t cen = central_of(&a, "data/2", &local);
    memcpy(c, a.b, a.len);
    c[cen + 1] ^= 0x40;
    expect_corrupt_file(c, a.len, "censig", "bad central directory header");
    memcpy(c, a.b, a.len);
    c[local] ^= 0x40;
    expect_corrupt_file(c, a.len, "locsig", "bad local header of entry 'perplexity_s/data/2'");
    /* Compression method 8 (deflate) in the central and in the local header. */
    memcpy(c, a.b, a.len);
    put16(c + cen + 10, 8);
    expect_corrupt_file(c, a.len, "method", "is compressed (method 8)");
    memcpy(c, a.b, a.len);
    put16(c + local + 8, 8);
    expect_corrupt_file(c, a.len, "lmethod", "compressed in its local header");
    /* Sizes that run past the end of the data area. */
    memcpy(c, a.b, a.len);
    put32(c + cen + 20, 0x7fffff00u);
    put32(c + cen + 24, 0x7fffff00u);
    expect_corrupt_file(c, a.len, "size", "runs past its end");
    /* Central directory offset past the end. */
    memcpy(c, a.b, a.len);
    put32(c + a.eocd + 16, (uint32_t)a.len);
    expect_corrupt_file(c, a.len, "cdoff", "end record and ZIP64 end record disagree");
    /* Flipped ZIP64 end-record signature (torch.save writes ZIP64 records). */
    memcpy(c, a.b, a.len);
    CHECK(le32(c + a.eocd - 20) == 0x07064b50u);
    c[a.eocd - 20 - 56] ^= 0x02;
    expect_corrupt_file(c, a.len, "z64sig", "bad ZIP64 end record signature");
    /* One flipped weight byte: the CRC catches it. */
    memcpy(c, a.b, a.len);
    c[local + 30 + (c[local + 26] | (c[local + 27] << 8)) + (c[local + 28] | (c[local + 29] << 8)) + 100] ^= 0x10;
    expect_corrupt_file(c, a.len, "crc", "CRC-32 mismatch in entry 'perplexity_s/data/2'");
    /* data.pkl renamed in both headers (CRC still valid): no pickle. */
    memcpy(c, a.b, a.len);
    size_t pcen = central_of(&a, "data.pkl", &local);
    size_t nlen = c[pcen + 28] | (c[pcen + 29] << 8);
    c[pcen + 46 + nlen - 1] = 'x';
    c[local + 30 + nlen - 1] = 'x';
    expect_corrupt_file(c, a.len, "nopkl", "no entry 'data.pkl'");
    free(c);
    free(a.b);

    hwgpt_mlp *m;
    hw_err e = {0};
    CHECK(hwgpt_mlp_load("/tmp/hwnas_no_such_checkpoint.pt", -1, &m, &e) == HW_EIO);
    CHECK_MSG(strstr(e.msg, "/tmp/hwnas_no_such_checkpoint.pt: cannot open") != NULL, "%s", e.msg);
}

/* Every truncation length through the directory, a spread of others, every
 * single-byte flip in the directory and in the pickle's local header, and
 * every single-byte flip of the pickle itself (with its CRC made valid, so
 * the pickle machine sees it): an error or a model, never a crash (this case
 * matters most under ASan). */
static unsigned char *rebuild_s(const torchzip *z, const unsigned char *pkl, size_t pkl_len, int zip64, size_t *len);
static double predict_example(const hwgpt_mlp *m);

TEST(truncations_and_flips_never_crash)
{
    archive a;
    if (load_s_archive(&a)) return;
    size_t errors = 0, loads = 0;
    hw_err e = {0};
    /* Whatever loads must be the same model: no silent garbage. */
    hwgpt_mlp *ref;
    CHECK_OK(hwgpt_mlp_load_mem("s.pt", a.b, a.len, -1, &ref, &e));
    if (!ref) return;
    double want = predict_example(ref);
    hwgpt_mlp_free(ref);
    for (size_t n = 0; n < a.len; n += (n + 64 < a.cd_off ? 997 : 1)) {
        hwgpt_mlp *m;
        int rc = hwgpt_mlp_load_mem("trunc.pt", a.b, n, -1, &m, &e);
        CHECK(rc != HW_OK && m == NULL);
        if (rc != HW_OK) { errors++; CHECK(strchr(e.msg, '\n') == NULL); }
    }
    size_t pkl_local;
    central_of(&a, "data.pkl", &pkl_local);
    unsigned char *c = malloc(a.len);
    memcpy(c, a.b, a.len);
    for (size_t i = 0; i < a.len; i++) {
        if (!(i >= a.cd_off || (i >= pkl_local && i < pkl_local + 128))) continue;
        c[i] ^= 0xA5;
        hwgpt_mlp *m;
        int rc = hwgpt_mlp_load_mem("flip.pt", c, a.len, -1, &m, &e);
        if (rc == HW_OK) { loads++; CHECK(predict_example(m) == want); hwgpt_mlp_free(m); }
        else { errors++; CHECK(strchr(e.msg, '\n') == NULL && strstr(e.msg, "flip.pt: ") == e.msg); }
        c[i] ^= 0xA5;
    }
    free(c);
    torchzip z;
    CHECK_OK(torchzip_parse("s.pt", a.b, a.len, &z, &e)); /* takes a.b */
    const torchzip_entry *pk;
    CHECK_OK(torchzip_find(&z, "data.pkl", &pk, &e));
    unsigned char *p = malloc(pk->size);
    memcpy(p, pk->data, pk->size);
    size_t pickle_errors = 0;
    for (size_t i = 0; i < pk->size; i++) {
        for (int pass = 0; pass < 2; pass++) {
            unsigned char flip = pass ? 0x01 : 0x80;
            p[i] ^= flip;
            size_t blen;
            unsigned char *b = rebuild_s(&z, p, pk->size, 0, &blen);
            hwgpt_mlp *m;
            int rc = hwgpt_mlp_load_mem("pflip.pt", b, blen, -1, &m, &e);
            if (rc == HW_OK) { loads++; CHECK(predict_example(m) == want); hwgpt_mlp_free(m); }
            else { pickle_errors++; CHECK(strchr(e.msg, '\n') == NULL && strstr(e.msg, "pflip.pt: ") == e.msg); }
            free(b);
            p[i] ^= flip;
        }
    }
    fprintf(stderr, "%zu archive and %zu pickle corruptions rejected, %zu accepted (bytes that do not matter)\n",
            errors, pickle_errors, loads);
    CHECK(errors > 1000 && pickle_errors > 500);
    free(p);
    torchzip_close(&z);
}

/* ---- archives built here: ZIP64, entry lookup, pickle-level checks ------ */

typedef struct {
    const char *name;
    const unsigned char *data;
    size_t size;
} zentry;

/* A stored ZIP archive, optionally with ZIP64 end records and ZIP64 extra
 * fields (all sizes and offsets then 0xFFFFFFFF in the headers). */
static unsigned char *zip_build(const zentry *en, size_t n, int zip64, size_t *len)
{
    size_t cap = 1024;
    for (size_t i = 0; i < n; i++) cap += 2 * (strlen(en[i].name) + 100) + en[i].size;
    unsigned char *b = calloc(1, cap), *p = b;
    size_t *off = calloc(n, sizeof *off);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(en[i].name);
        uint32_t crc = (uint32_t)crc32(0L, en[i].data, (uInt)en[i].size);
        off[i] = (size_t)(p - b);
        put32(p, 0x04034b50u); put16(p + 4, 45); put16(p + 6, 0); put16(p + 8, 0);
        put32(p + 14, crc); put32(p + 18, (uint32_t)en[i].size); put32(p + 22, (uint32_t)en[i].size);
        put16(p + 26, (unsigned)nl); put16(p + 28, 0);
        memcpy(p + 30, en[i].name, nl);
        p += 30 + nl;
        memcpy(p, en[i].data, en[i].size);
        p += en[i].size;
    }
    size_t cd = (size_t)(p - b);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(en[i].name);
        uint32_t crc = (uint32_t)crc32(0L, en[i].data, (uInt)en[i].size);
        put32(p, 0x02014b50u); put16(p + 4, 45); put16(p + 6, 45);
        put32(p + 16, crc);
        put16(p + 28, (unsigned)nl); put16(p + 30, zip64 ? 28 : 0);
        put32(p + 20, zip64 ? 0xFFFFFFFFu : (uint32_t)en[i].size);
        put32(p + 24, zip64 ? 0xFFFFFFFFu : (uint32_t)en[i].size);
        put32(p + 42, zip64 ? 0xFFFFFFFFu : (uint32_t)off[i]);
        memcpy(p + 46, en[i].name, nl);
        p += 46 + nl;
        if (zip64) {
            put16(p, 1); put16(p + 2, 24);
            put64(p + 4, en[i].size); put64(p + 12, en[i].size); put64(p + 20, off[i]);
            p += 28;
        }
    }
    size_t cd_len = (size_t)(p - b) - cd;
    if (zip64) {
        size_t z64 = (size_t)(p - b);
        put32(p, 0x06064b50u); put64(p + 4, 44); put16(p + 12, 45); put16(p + 14, 45);
        put64(p + 24, (uint64_t)n); put64(p + 32, (uint64_t)n); put64(p + 40, cd_len); put64(p + 48, cd);
        p += 56;
        put32(p, 0x07064b50u); put64(p + 8, z64); put32(p + 16, 1);
        p += 20;
    }
    put32(p, 0x06054b50u);
    put16(p + 8, zip64 ? 0xFFFF : (unsigned)n); put16(p + 10, zip64 ? 0xFFFF : (unsigned)n);
    put32(p + 12, zip64 ? 0xFFFFFFFFu : (uint32_t)cd_len); put32(p + 16, zip64 ? 0xFFFFFFFFu : (uint32_t)cd);
    p += 22;
    free(off);
    *len = (size_t)(p - b);
    return b;
}

/* The real checkpoint's entries, with data.pkl optionally replaced. */
static unsigned char *rebuild_s(const torchzip *z, const unsigned char *pkl, size_t pkl_len, int zip64, size_t *len)
{
    zentry en[32];
    int n = 0;
    for (int i = 0; i < z->n_entries && n < 32; i++) {
        en[n].name = z->entries[i].name;
        en[n].data = z->entries[i].data;
        en[n].size = z->entries[i].size;
        if (pkl && strstr(en[n].name, "data.pkl")) { en[n].data = pkl; en[n].size = pkl_len; }
        n++;
    }
    return zip_build(en, (size_t)n, zip64, len);
}

static double predict_example(const hwgpt_mlp *m)
{
    hw_arch a;
    hw_err e = {0};
    double y = NAN;
    CHECK_OK(hw_arch_parse("gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False", NULL, &a, &e));
    CHECK_OK(hwgpt_mlp_predict(m, &a, &y, &e));
    return y;
}

TEST(zip64_archive_and_tensor_records)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    torchzip z;
    hw_err e = {0};
    CHECK_OK(torchzip_open(path, &z, &e));
    if (!z.buf) return;
    CHECK_EQ_INT(z.n_entries, 14);
    /* The pickle's tensor records: names, storages, shapes. */
    torchzip_tensor *t;
    int nt;
    CHECK_OK(torchzip_tensors(&z, &t, &nt, &e));
    CHECK_EQ_INT(nt, 10);
    static const char *names[10] = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight",
                                    "fc3.bias", "fc4.weight", "fc4.bias", "fc5.weight", "fc5.bias"};
    for (int i = 0; i < nt && i < 10; i++) {
        char key[8];
        snprintf(key, sizeof key, "%d", i);
        CHECK_STR(t[i].name, names[i]);
        CHECK_STR(t[i].storage_key, key);
        CHECK_STR(t[i].dtype, "FloatStorage");
        CHECK_EQ_INT(t[i].offset, 0);
        CHECK_EQ_INT(t[i].ndim, i % 2 ? 1 : 2);
    }
    CHECK_EQ_INT(t[0].shape[0], 128); CHECK_EQ_INT(t[0].shape[1], 80);
    CHECK_EQ_INT(t[0].stride[0], 80); CHECK_EQ_INT(t[0].stride[1], 1);
    CHECK_EQ_INT(t[0].storage_numel, 10240);
    CHECK_EQ_INT(t[8].shape[0], 1); CHECK_EQ_INT(t[8].shape[1], 128);
    CHECK_EQ_INT(t[9].storage_numel, 1);
    free(t);

    hwgpt_mlp *m0, *m1;
    CHECK_OK(hwgpt_mlp_load(path, -1, &m0, &e));
    size_t len;
    unsigned char *b = rebuild_s(&z, NULL, 0, 1, &len);
    CHECK_OK(hwgpt_mlp_load_mem("zip64.pt", b, len, -1, &m1, &e));
    if (m0 && m1) CHECK(predict_example(m0) == predict_example(m1));
    hwgpt_mlp_free(m1);
    free(b);
    /* The same without ZIP64 loads too (the builder is faithful). */
    b = rebuild_s(&z, NULL, 0, 0, &len);
    CHECK_OK(hwgpt_mlp_load_mem("plain.pt", b, len, -1, &m1, &e));
    if (m0 && m1) CHECK(predict_example(m0) == predict_example(m1));
    hwgpt_mlp_free(m1);
    free(b);
    hwgpt_mlp_free(m0);
    torchzip_close(&z);
}

TEST(entry_lookup_by_suffix)
{
    static const unsigned char one[1] = {1}, two[2] = {2, 2};
    zentry en[3] = {{"a/data/1", one, 1}, {"a/data/10", two, 2}, {"b/data/10", two, 2}};
    size_t len;
    unsigned char *b = zip_build(en, 3, 0, &len);
    torchzip z;
    hw_err e = {0};
    CHECK_OK(torchzip_parse("find.zip", b, len, &z, &e));
    const torchzip_entry *x;
    CHECK_OK(torchzip_find(&z, "data/1", &x, &e));
    CHECK(x && x->size == 1 && x->data[0] == 1);
    CHECK_STR(x ? x->name : NULL, "a/data/1");
    CHECK(torchzip_find(&z, "ata/1", &x, &e) == HW_EPARSE); /* not at a path boundary */
    CHECK(torchzip_find(&z, "data/10", &x, &e) == HW_EPARSE);
    CHECK_MSG(strstr(e.msg, "2 entries end in 'data/10'") != NULL, "%s", e.msg);
    CHECK_OK(torchzip_find(&z, "b/data/10", &x, &e));
    CHECK(torchzip_tensors(&z, &(torchzip_tensor *){NULL}, &(int){0}, &e) == HW_EPARSE);
    CHECK_MSG(strstr(e.msg, "no entry 'data.pkl'") != NULL, "%s", e.msg);
    torchzip_close(&z);
}

/* Replace the first occurrence of `from` in the pickle by `to` (same length). */
static int patch(unsigned char *p, size_t n, const char *from, const char *to, size_t len)
{
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(p + i, from, len) == 0) { memcpy(p + i, to, len); return 0; }
    return -1;
}

static void expect_pickle_error(const torchzip *z, const char *from, const char *to, size_t len, const char *reason)
{
    const torchzip_entry *pk;
    hw_err e = {0};
    CHECK_OK(torchzip_find(z, "data.pkl", &pk, &e));
    if (!pk) return;
    unsigned char *p = malloc(pk->size);
    memcpy(p, pk->data, pk->size);
    CHECK_MSG(patch(p, pk->size, from, to, len) == 0, "pattern for '%s' not found", reason);
    size_t blen;
    unsigned char *b = rebuild_s(z, p, pk->size, 0, &blen);
    hwgpt_mlp *m;
    int rc = hwgpt_mlp_load_mem("pkl.pt", b, blen, -1, &m, &e);
    CHECK_MSG(rc == HW_EPARSE, "'%s': rc %d (%s)", reason, rc, e.msg);
    if (rc == HW_OK) hwgpt_mlp_free(m);
    else check_one_line_error(&e, "pkl.pt", reason);
    free(b);
    free(p);
}

TEST(pickle_level_checks)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    torchzip z;
    hw_err e = {0};
    CHECK_OK(torchzip_open(path, &z, &e));
    if (!z.buf) return;
    /* A tensor renamed. */
    expect_pickle_error(&z, "fc3.bias", "fc3.biaz", 8, "no tensor 'fc3.bias'");
    /* fc2.bias pointed at storage 9 (4 bytes, not 128 floats). */
    expect_pickle_error(&z, "X\x01\x00\x00\x00" "3q", "X\x01\x00\x00\x00" "9q", 7, "entry 'perplexity_s/data/9' has 4 bytes");
    /* fc1.weight as [128, 81] (stride 81): the scale is unknown. */
    expect_pickle_error(&z, "K\x80K\x50\x86q\x09K\x50", "K\x80K\x51\x86q\x09K\x51", 9, "fc1.weight missing or with 81 inputs");
    /* fc2.weight as [128, 64]. */
    expect_pickle_error(&z, "K\x00K\x80K\x80\x86q\x1b", "K\x00K\x80K\x40\x86q\x1b", 9, "tensor 'fc2.weight' has shape [128, 64]");
    /* fc4.weight transposed (stride (1, 128)): not contiguous. */
    expect_pickle_error(&z, "q?K\x80K\x01\x86", "q?K\x01K\x80\x86", 7, "'fc4.weight' has shape [128, 128] or is not contiguous");
    /* An int16 storage. */
    expect_pickle_error(&z, "FloatStorage", "ShortStorage", 12, "has storage ShortStorage, expected FloatStorage");
    /* An unknown opcode and a truncated pickle. */
    expect_pickle_error(&z, "K\x80t", "\xfe\x80t", 3, "unsupported pickle opcode 0xfe");
    expect_pickle_error(&z, "sb.", "sbN", 3, "truncated pickle");
    expect_pickle_error(&z, "h\x03(", "h\xf0(", 3, "memo index 240 unset");
    torchzip_close(&z);
}

/* Protocol-4 opcodes (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, LONG1),
 * a tensor shared under two keys through the memo (tied weights), and an
 * nn.Parameter wrapper: the records a newer torch.save would produce. */
TEST(pickle_protocol4_shared_and_parameter)
{
    static const unsigned char P4[] =
        "\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x8c\x0b" "collections" "\x94" "\x8c\x0b" "OrderedDict" "\x94" "\x93\x94" ")R\x94" "("
        "\x8c\x03" "w.x" "\x94"
        "\x8c\x0c" "torch._utils" "\x94" "\x8c\x12" "_rebuild_tensor_v2" "\x94" "\x93\x94"
        "((" "\x8c\x07" "storage" "\x94" "\x8c\x05" "torch" "\x94" "\x8c\x0c" "FloatStorage" "\x94" "\x93\x94"
        "\x8c\x01" "0" "\x94" "\x8c\x03" "cpu" "\x94" "\x8a\x01\x06" "t\x94" "Q"
        "K\x00" "K\x02" "K\x03" "\x86\x94" "K\x03" "K\x01" "\x86\x94" "\x89" "N" "t\x94" "R\x94"
        "\x8c\x03" "w.y" "\x94" "h\x12"
        "\x8c\x01" "p" "\x8c\x0c" "torch._utils" "\x8c\x12" "_rebuild_parameter" "\x93" "(" "h\x12" "\x88" "N" "t" "R"
        "u.";
    static const unsigned char data0[24] = {0};
    zentry en[2] = {{"archive/data.pkl", P4, sizeof P4 - 1}, {"archive/data/0", data0, sizeof data0}};
    size_t len;
    unsigned char *b = zip_build(en, 2, 0, &len);
    torchzip z;
    hw_err e = {0};
    CHECK_OK(torchzip_parse("p4.pt", b, len, &z, &e));
    torchzip_tensor *t = NULL;
    int nt = 0;
    CHECK_OK(torchzip_tensors(&z, &t, &nt, &e));
    CHECK_EQ_INT(nt, 3);
    static const char *names[3] = {"w.x", "w.y", "p"};
    for (int i = 0; i < nt && i < 3; i++) {
        CHECK_STR(t[i].name, names[i]);
        CHECK_STR(t[i].storage_key, "0");
        CHECK_STR(t[i].dtype, "FloatStorage");
        CHECK_EQ_INT(t[i].storage_numel, 6);
        CHECK_EQ_INT(t[i].ndim, 2);
        CHECK_EQ_INT(t[i].shape[0], 2); CHECK_EQ_INT(t[i].shape[1], 3);
        CHECK_EQ_INT(t[i].stride[0], 3); CHECK_EQ_INT(t[i].stride[1], 1);
    }
    free(t);
    /* Not a predictor checkpoint: the model loader says what is missing. */
    hwgpt_mlp *m;
    CHECK(hwgpt_mlp_load_mem("p4.pt", b, len, -1, &m, &e) == HW_EPARSE);
    CHECK_MSG(strstr(e.msg, "p4.pt: corrupt checkpoint (fc1.weight missing") == e.msg, "%s", e.msg);
    torchzip_close(&z);
}

/* ---- published statistics, the metric row, the hwgpt problem ----------- */

TEST(published_stats_and_metric_row)
{
    const char *dir = hwt_data_dir();
    /* max_min_stats_perplexity_<scale>.pkl as Python's pickle reads them. */
    static const double want_max[3] = {42.87644958496094, 35.97660827636719, 30.184040069580078};
    static const double want_min[3] = {21.406339645385742, 20.918670654296875, 18.303985595703125};
    hw_err e = {0};
    for (int s = 0; s < 3; s++) {
        char path[4096];
        ckpt_path(path, sizeof path, dir, s);
        hwgpt_mlp *m;
        CHECK_OK(hwgpt_mlp_load(path, s, &m, &e));
        if (!m) continue;
        CHECK(m->ppl_max == want_max[s]);
        CHECK(m->ppl_min == want_min[s]);
        const hwgpt_mlp *env = m;
        const hw_metric *row = hw_metric_row("hwgpt-mlp", "perplexity");
        CHECK(row != NULL && row == hw_backend_row(&hw_hwgpt_mlp_backend, "perplexity"));
        if (!row) { hwgpt_mlp_free(m); continue; }
        CHECK_STR(row->name, "perplexity");
        CHECK_STR(row->backend, "hwgpt-mlp");
        CHECK(row != hw_metric_row("surrogate", "perplexity"));
        double lo = 0, hi = 0;
        CHECK_OK(row->bounds(row, env, hw_space_get(s), &lo, &hi, &e));
        CHECK(lo == want_min[s] && hi == want_max[s]);
        hw_rng r;
        hw_rng_seed(&r, 7, (uint64_t)s);
        for (int i = 0; i < 50; i++) {
            hw_arch a;
            hw_arch_sample(hw_space_get(s), &r, &a);
            hw_metric_value v;
            double y;
            CHECK_OK(row->eval(row, env, &a, &v, &e));
            CHECK_OK(hwgpt_mlp_predict(m, &a, &y, &e));
            CHECK(v.mean == y && v.std == 0.0 && v.noise_std == 0.0);
        }
        /* The row on another scale's space, and without a model. */
        CHECK(row->bounds(row, env, hw_space_get((s + 1) % 3), &lo, &hi, &e) == HW_EINVAL);
        env = NULL;
        hw_metric_value v;
        hw_arch a;
        hw_arch_sample(hw_space_get(s), &r, &a);
        CHECK(row->eval(row, env, &a, &v, &e) == HW_ESTATE);
        CHECK_MSG(strstr(e.msg, "hwgpt-mlp predictor is not loaded") != NULL, "%s", e.msg);
        hwgpt_mlp_free(m);
    }

    /* A checkpoint alone in a directory: no range, and bounds say so. */
    size_t len;
    char path[4096], tmp[256];
    ckpt_path(path, sizeof path, dir, HW_SCALE_S);
    unsigned char *b = read_all(path, &len);
    snprintf(tmp, sizeof tmp, "/tmp/hwnas_test_hwgpt_mlp_%ld_alone.pt", (long)getpid());
    CHECK(b && write_all(tmp, b, len) == 0);
    free(b);
    hwgpt_mlp *m;
    CHECK_OK(hwgpt_mlp_load(tmp, -1, &m, &e));
    unlink(tmp);
    if (m) {
        CHECK(isnan(m->ppl_min) && isnan(m->ppl_max));
        const hw_metric *row = hw_metric_row("hwgpt-mlp", "perplexity");
        double lo, hi;
        CHECK(row && row->bounds(row, m, hw_space_get(HW_SCALE_S), &lo, &hi, &e) == HW_EMISSING);
        CHECK_MSG(strstr(e.msg, "max_min_stats_perplexity_s.pkl") != NULL, "%s", e.msg);
        /* A truncated statistics file: one-line error, the range stays unset. */
        snprintf(path, sizeof path, "%s/predictors/max_min_stats_perplexity_s.pkl", dir);
        b = read_all(path, &len);
        snprintf(tmp, sizeof tmp, "/tmp/hwnas_test_hwgpt_mlp_%ld_stats.pkl", (long)getpid());
        CHECK(b && len > 10 && write_all(tmp, b, len - 10) == 0);
        CHECK(hwgpt_mlp_load_stats(m, tmp, &e) == HW_EPARSE);
        check_one_line_error(&e, tmp, "truncated pickle");
        CHECK(isnan(m->ppl_min));
        /* Without the "min" key. */
        if (b) {
            CHECK(patch(b, len, "min", "mix", 3) == 0);
            CHECK(write_all(tmp, b, len) == 0);
            CHECK(hwgpt_mlp_load_stats(m, tmp, &e) == HW_EPARSE);
            CHECK_MSG(strstr(e.msg, "no number under key 'min'") != NULL, "%s", e.msg);
        }
        unlink(tmp);
        free(b);
        hwgpt_mlp_free(m);
    }
}

static hw_problem *make_problem(const char *json, hw_err *e)
{
    cJSON *c = NULL;
    hw_problem *p = NULL;
    if (hwj_parse(json, "test", &c, e) == HW_OK) hw_problem_create(c, "problem", &p, e);
    cJSON_Delete(c);
    return p;
}

TEST(hwgpt_problem_with_mlp_perplexity)
{
    const char *dir = hwt_data_dir();
    hw_err e = {0};
    hw_problem *p = make_problem("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"s\", "
                                 "\"objectives\": [\"perplexity\", \"params\"], \"predictor\": \"hwgpt-mlp\"}",
                                 &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    if (!p) return;
    CHECK_EQ_INT(p->n_obj, 2);
    CHECK_STR(p->obj_names[0], "perplexity");
    CHECK(p->obj_lo[0] == 21.406339645385742 && p->obj_hi[0] == 42.87644958496094);
    hw_arch a;
    CHECK_OK(hw_arch_parse("gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False", NULL, &a, &e));
    double x[3 + 2 * HW_MAX_LAYERS], f[2], fs[2];
    hw_arch_to_genome(&a, x);
    hw_eval_id id = {0, 0};
    CHECK_OK(p->evaluate(p, x, &id, 1, f, fs, &e));
    CHECK_REL(f[0], 25.150846481323242, 1e-4);
    CHECK(f[1] == 148591104.0);
    CHECK(fs[0] == 0.0);
    hw_problem_destroy(p);

    /* With the surrogate backend: "perplexity" is the hwgpt-mlp row, "latency"
     * the surrogate's (the same value as the surrogate models give). */
    p = make_problem("{\"name\": \"hwgpt\", \"backend\": \"surrogate\", \"device\": \"a100\", "
                     "\"objectives\": [\"perplexity\", \"latency\"], \"predictor\": \"hwgpt-mlp\"}", &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    if (p) {
        CHECK_OK(p->evaluate(p, x, &id, 1, f, fs, &e));
        CHECK_REL(f[0], 25.150846481323242, 1e-4);
        CHECK(fs[0] == 0.0 && fs[1] > 0.0);
        sur_models *ms;
        sur_pred lat;
        CHECK_OK(sur_models_load(hw_default_models_dir(), HW_SCALE_S, "a100", &ms, &e));
        if (ms) {
            CHECK_OK(sur_models_predict(ms, &a, SUR_LATENCY, &lat, &e));
            CHECK(f[1] == lat.mean && fs[1] == lat.std);
            sur_models_free(ms);
        }
        hw_problem_destroy(p);
    }

    /* An explicit checkpoint, and the errors. */
    char json[8192], path[4096];
    ckpt_path(path, sizeof path, dir, HW_SCALE_M);
    snprintf(json, sizeof json,
             "{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"m\", \"objectives\": [\"perplexity\"], "
             "\"predictor\": \"hwgpt-mlp\", \"checkpoint\": \"%s\"}", path);
    p = make_problem(json, &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    hw_problem_destroy(p);
    snprintf(json, sizeof json,
             "{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"s\", \"objectives\": [\"perplexity\"], "
             "\"predictor\": \"hwgpt-mlp\", \"checkpoint\": \"%s\"}", path);
    CHECK(make_problem(json, &e) == NULL);
    CHECK_MSG(strstr(e.msg, "problem.checkpoint: ") == e.msg && strstr(e.msg, "checkpoint is for scale m, not s"),
              "%s", e.msg);
    CHECK(make_problem("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"predictor\": \"hwgpt-mlp\", "
                       "\"checkpoint\": \"/tmp/hwnas_no_such.pt\", \"objectives\": [\"perplexity\"]}", &e) == NULL);
    CHECK_MSG(strstr(e.msg, "problem.checkpoint: /tmp/hwnas_no_such.pt: cannot open") == e.msg, "%s", e.msg);
    CHECK(make_problem("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"checkpoint\": \"x.pt\"}", &e) == NULL);
    CHECK_MSG(strstr(e.msg, "problem.checkpoint: needs \"predictor\": \"hwgpt-mlp\"") != NULL, "%s", e.msg);
    CHECK(make_problem("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"predictor\": \"mlp\"}", &e) == NULL);
    CHECK_MSG(strstr(e.msg, "problem.predictor") != NULL && strstr(e.msg, "hwgpt-mlp") != NULL, "%s", e.msg);
    /* Without the predictor, the analytic backend has no perplexity. */
    CHECK(make_problem("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": [\"perplexity\"]}", &e) == NULL);
    CHECK_MSG(strstr(e.msg, "problem.objectives[0]") == e.msg, "%s", e.msg);
}
