/* surrogates/torchzip.c — stored-ZIP reader and the pickle subset of
 * torch.save (see torchzip.h). */
#include "surrogates/torchzip.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/fileio.h"

#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_LOCAL 0x04034b50u
#define EOCD_LEN 22
#define EOCD64_LEN 56
#define EOCD64_LOC_LEN 20
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define MAX_ENTRIES 1000000
#define MAX_PICKLE (16u << 20)

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int corrupt(hw_err *e, const char *what, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (%s)", what, reason);
}

/* A printable, bounded copy of an entry name for messages. */
static void show_name(char *dst, size_t n, const unsigned char *s, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 1 < n; i++) dst[j++] = (s[i] >= 32 && s[i] < 127) ? (char)s[i] : '?';
    dst[j] = '\0';
}

void torchzip_close(torchzip *z)
{
    if (!z) return;
    for (int i = 0; i < z->n_entries; i++) free(z->entries[i].name);
    free(z->entries);
    free(z->buf);
    free(z->what);
    memset(z, 0, sizeof *z);
}

int torchzip_open(const char *path, torchzip *z, hw_err *e)
{
    memset(z, 0, sizeof *z);
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = hw_read_regular_file(path, "checkpoint", 0, &buf, &len, e); /* refuses FIFOs, devices, dirs */
    if (rc) return rc;
    return torchzip_parse(path, buf, len, z, e);
}

/* Read the ZIP64 extended-information extra field for the values that the
 * central header set to 0xFFFFFFFF (in the order the format fixes). */
static int zip64_extra(const unsigned char *x, size_t xlen, int need_usize, int need_csize, int need_off,
                       uint64_t *usize, uint64_t *csize, uint64_t *off)
{
    size_t p = 0;
    while (p + 4 <= xlen) {
        uint16_t id = rd16(x + p), sz = rd16(x + p + 2);
        if (p + 4 + sz > xlen) return -1;
        if (id == 0x0001) {
            const unsigned char *q = x + p + 4;
            size_t need = 8 * (size_t)(need_usize + need_csize + need_off);
            if (sz < need) return -1;
            if (need_usize) { *usize = rd64(q); q += 8; }
            if (need_csize) { *csize = rd64(q); q += 8; }
            if (need_off) *off = rd64(q);
            return 0;
        }
        p += 4 + (size_t)sz;
    }
    return -1;
}

int torchzip_parse(const char *what, unsigned char *buf, size_t len, torchzip *z, hw_err *e)
{
    memset(z, 0, sizeof *z);
    z->buf = buf;
    z->len = len;
    z->what = strdup(what ? what : "checkpoint");
    if (!z->what) { torchzip_close(z); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    what = z->what;
    int rc = HW_OK;
    if (len < EOCD_LEN) {
        rc = corrupt(e, what, "%zu bytes is too short for a ZIP archive", len);
        goto fail;
    }
    /* End-of-central-directory record: the last one whose comment ends the file. */
    size_t eocd = (size_t)-1;
    size_t lo = len - EOCD_LEN > 65535 ? len - EOCD_LEN - 65535 : 0;
    for (size_t p = len - EOCD_LEN + 1; p-- > lo;) {
        if (rd32(buf + p) == SIG_EOCD && p + EOCD_LEN + rd16(buf + p + 20) == len) { eocd = p; break; }
    }
    if (eocd == (size_t)-1) {
        rc = corrupt(e, what, "no end-of-central-directory record; truncated or not a ZIP archive");
        goto fail;
    }
    const unsigned char *q = buf + eocd;
    uint64_t disk = rd16(q + 4), cd_disk = rd16(q + 6), n_here = rd16(q + 8), n_total = rd16(q + 10);
    uint64_t cd_size = rd32(q + 12), cd_off = rd32(q + 16);
    size_t cd_limit = eocd; /* the central directory must end before this */
    if (eocd >= EOCD64_LOC_LEN && rd32(buf + eocd - EOCD64_LOC_LEN) == SIG_EOCD64_LOC) {
        const unsigned char *loc = buf + eocd - EOCD64_LOC_LEN;
        uint64_t off64 = rd64(loc + 8);
        if (rd32(loc + 4) != 0 || rd32(loc + 16) > 1) {
            rc = corrupt(e, what, "multi-disk ZIP64 archive");
            goto fail;
        }
        if (off64 > eocd - EOCD64_LOC_LEN || eocd - EOCD64_LOC_LEN - off64 < EOCD64_LEN) {
            rc = corrupt(e, what, "ZIP64 end record offset %llu is outside the file", (unsigned long long)off64);
            goto fail;
        }
        const unsigned char *r = buf + off64;
        if (rd32(r) != SIG_EOCD64) {
            rc = corrupt(e, what, "bad ZIP64 end record signature at byte %llu", (unsigned long long)off64);
            goto fail;
        }
        /* Fields the classic record does not mark as "see ZIP64" must agree. */
        if ((n_total != 0xFFFF && n_total != rd64(r + 32)) || (cd_size != 0xFFFFFFFFu && cd_size != rd64(r + 40)) ||
            (cd_off != 0xFFFFFFFFu && cd_off != rd64(r + 48))) {
            rc = corrupt(e, what, "end record and ZIP64 end record disagree");
            goto fail;
        }
        disk = rd32(r + 16);
        cd_disk = rd32(r + 20);
        n_here = rd64(r + 24);
        n_total = rd64(r + 32);
        cd_size = rd64(r + 40);
        cd_off = rd64(r + 48);
        cd_limit = (size_t)off64;
    } else if (n_total == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
        rc = corrupt(e, what, "ZIP64 sizes without a ZIP64 end record locator");
        goto fail;
    }
    if (disk != 0 || cd_disk != 0 || n_here != n_total) {
        rc = corrupt(e, what, "multi-disk archive");
        goto fail;
    }
    if (n_total == 0 || n_total > MAX_ENTRIES) {
        rc = corrupt(e, what, "%llu entries", (unsigned long long)n_total);
        goto fail;
    }
    if (cd_off > cd_limit || cd_size != cd_limit - cd_off) {
        rc = corrupt(e, what, "central directory (offset %llu, %llu bytes) does not end at the end record (byte %zu)",
                     (unsigned long long)cd_off, (unsigned long long)cd_size, cd_limit);
        goto fail;
    }
    z->entries = calloc((size_t)n_total, sizeof *z->entries);
    if (!z->entries) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", what); goto fail; }

    size_t p = (size_t)cd_off, cd_end = cd_limit;
    for (uint64_t i = 0; i < n_total; i++) {
        if (cd_end - p < CENTRAL_LEN || rd32(buf + p) != SIG_CENTRAL) {
            rc = corrupt(e, what, "bad central directory header %llu at byte %zu", (unsigned long long)i, p);
            goto fail;
        }
        const unsigned char *c = buf + p;
        uint16_t flags = rd16(c + 8), method = rd16(c + 10);
        uint32_t crc = rd32(c + 16);
        uint64_t csize = rd32(c + 20), usize = rd32(c + 24);
        size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
        uint64_t lho = rd32(c + 42);
        if (cd_end - p - CENTRAL_LEN < nlen + xlen + clen) {
            rc = corrupt(e, what, "central directory header %llu runs past the directory", (unsigned long long)i);
            goto fail;
        }
        const unsigned char *name = c + CENTRAL_LEN;
        char shown[160];
        show_name(shown, sizeof shown, name, nlen);
        if (nlen == 0 || memchr(name, 0, nlen)) {
            rc = corrupt(e, what, "entry %llu has an empty or invalid name", (unsigned long long)i);
            goto fail;
        }
        int nu = usize == 0xFFFFFFFFu, nc = csize == 0xFFFFFFFFu, no = lho == 0xFFFFFFFFu;
        if ((nu || nc || no) && zip64_extra(name + nlen, xlen, nu, nc, no, &usize, &csize, &lho) != 0) {
            rc = corrupt(e, what, "entry '%s' lacks its ZIP64 sizes", shown);
            goto fail;
        }
        if (flags & 1) { rc = corrupt(e, what, "entry '%s' is encrypted", shown); goto fail; }
        if (method != 0) {
            rc = corrupt(e, what, "entry '%s' is compressed (method %u); only stored entries are supported", shown,
                         (unsigned)method);
            goto fail;
        }
        if (csize != usize) {
            rc = corrupt(e, what, "stored entry '%s' has sizes %llu and %llu", shown, (unsigned long long)csize,
                         (unsigned long long)usize);
            goto fail;
        }
        /* Local header and data must lie before the central directory. */
        if (lho > cd_off || cd_off - lho < LOCAL_LEN || rd32(buf + lho) != SIG_LOCAL) {
            rc = corrupt(e, what, "bad local header of entry '%s' at byte %llu", shown, (unsigned long long)lho);
            goto fail;
        }
        const unsigned char *l = buf + lho;
        size_t lnlen = rd16(l + 26), lxlen = rd16(l + 28);
        if (rd16(l + 8) != 0) {
            rc = corrupt(e, what, "entry '%s' is compressed in its local header (method %u)", shown, (unsigned)rd16(l + 8));
            goto fail;
        }
        if (rd16(l + 6) & 1) { rc = corrupt(e, what, "entry '%s' is encrypted", shown); goto fail; }
        uint64_t data_off = lho + LOCAL_LEN + lnlen + lxlen;
        if (data_off > cd_off || lnlen != nlen || memcmp(l + LOCAL_LEN, name, nlen) != 0) {
            rc = corrupt(e, what, "local header of entry '%s' does not match the central directory", shown);
            goto fail;
        }
        if (usize > cd_off - data_off) {
            rc = corrupt(e, what, "entry '%s' (%llu bytes at byte %llu) runs past its end", shown,
                         (unsigned long long)usize, (unsigned long long)data_off);
            goto fail;
        }
        if (crc32_z(0L, buf + data_off, (z_size_t)usize) != crc) {
            rc = corrupt(e, what, "CRC-32 mismatch in entry '%s'", shown);
            goto fail;
        }
        torchzip_entry *en = &z->entries[z->n_entries];
        en->name = malloc(nlen + 1);
        if (!en->name) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", what); goto fail; }
        memcpy(en->name, name, nlen);
        en->name[nlen] = '\0';
        en->data = buf + data_off;
        en->size = (size_t)usize;
        z->n_entries++;
        p += CENTRAL_LEN + nlen + xlen + clen;
    }
    if (p != cd_end) {
        rc = corrupt(e, what, "central directory has %zu unexplained bytes", cd_end - p);
        goto fail;
    }
    return HW_OK;
fail:
    torchzip_close(z);
    return rc;
}

int torchzip_find(const torchzip *z, const char *suffix, const torchzip_entry **out, hw_err *e)
{
    size_t sl = strlen(suffix);
    int found = 0;
    *out = NULL;
    for (int i = 0; i < z->n_entries; i++) {
        const char *nm = z->entries[i].name;
        size_t nl = strlen(nm);
        if (nl < sl || strcmp(nm + nl - sl, suffix) != 0) continue;
        if (nl > sl && nm[nl - sl - 1] != '/') continue;
        if (!found) *out = &z->entries[i];
        found++;
    }
    if (found == 1) return HW_OK;
    *out = NULL;
    if (found == 0) return corrupt(e, z->what, "no entry '%s'", suffix);
    return corrupt(e, z->what, "%d entries end in '%s'", found, suffix);
}

/* ---- pickle machine ---------------------------------------------------- */

enum { PV_NONE, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_BYTES, PV_TUPLE, PV_LIST, PV_DICT,
       PV_GLOBAL, PV_STORAGE, PV_TENSOR, PV_OBJ };

typedef struct {
    int kind;
    int64_t i;                 /* INT, BOOL; STORAGE numel; TENSOR index */
    const unsigned char *s;    /* STR text; GLOBAL module; STORAGE key */
    size_t slen;
    const unsigned char *s2;   /* GLOBAL name; STORAGE dtype (class name) */
    size_t s2len;
    size_t first, count;       /* TUPLE items */
    double f;                  /* FLOAT */
} pval;

#define PV_MARK ((size_t)-1)
#define PV_UNSET ((size_t)-2)

typedef struct {
    const char *what, *label;   /* archive name; "data.pkl" or "pickle" */
    const unsigned char *b;
    size_t len, pos;
    pval *vals; size_t n_vals, cap;
    size_t *items; size_t n_items;
    size_t *stack; size_t sp;
    size_t *memo; size_t memo_cap, memo_next;
    torchzip_tensor *built; int n_built, cap_built;
    torchzip_tensor *out; int n_out, cap_out;
    const char *const *num_keys; double *num_out; int *num_found; /* torchzip_pickle_numbers */
    hw_err *e;
} pmachine;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int pk_fail(pmachine *m, const char *fmt, ...)
{
    char reason[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return corrupt(m->e, m->what, "%s byte %zu: %s", m->label, m->pos, reason);
}

static int pk_need(pmachine *m, size_t n)
{
    if (m->len - m->pos < n) return pk_fail(m, "truncated pickle");
    return HW_OK;
}

/* New value: returns its index, or PV_UNSET when the pool is full. */
static size_t pk_new(pmachine *m, int kind)
{
    if (m->n_vals >= m->cap) return PV_UNSET;
    pval *v = &m->vals[m->n_vals];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    return m->n_vals++;
}

static int pk_push(pmachine *m, size_t v)
{
    if (v == PV_UNSET) return pk_fail(m, "too many values");
    if (m->sp >= m->cap) return pk_fail(m, "stack overflow");
    m->stack[m->sp++] = v;
    return HW_OK;
}

static int pk_pop(pmachine *m, size_t *v)
{
    if (m->sp == 0 || m->stack[m->sp - 1] == PV_MARK) return pk_fail(m, "stack underflow");
    *v = m->stack[--m->sp];
    return HW_OK;
}

/* Position of the topmost mark: items are stack[mark+1 .. sp). */
static int pk_mark(pmachine *m, size_t *mark)
{
    for (size_t i = m->sp; i-- > 0;)
        if (m->stack[i] == PV_MARK) { *mark = i; return HW_OK; }
    return pk_fail(m, "no mark on the stack");
}

static int pk_tuple(pmachine *m, size_t from)
{
    size_t k = m->sp - from;
    if (m->n_items + k > m->cap) return pk_fail(m, "too many tuple items");
    size_t t = pk_new(m, PV_TUPLE);
    if (t == PV_UNSET) return pk_fail(m, "too many values");
    m->vals[t].first = m->n_items;
    m->vals[t].count = k;
    memcpy(m->items + m->n_items, m->stack + from, k * sizeof *m->items);
    m->n_items += k;
    m->sp = from;
    return pk_push(m, t);
}

static const pval *pk_item(const pmachine *m, const pval *t, size_t i) { return &m->vals[m->items[t->first + i]]; }

static int pk_is(const unsigned char *s, size_t n, const char *lit) { return n == strlen(lit) && memcmp(s, lit, n) == 0; }

static int pk_global_is(const pval *g, const char *module, const char *name)
{
    return g->kind == PV_GLOBAL && pk_is(g->s, g->slen, module) && pk_is(g->s2, g->s2len, name);
}

static int pk_copy(pmachine *m, char *dst, size_t n, const unsigned char *s, size_t len, const char *what)
{
    if (len >= n) return pk_fail(m, "%s is longer than %zu bytes", what, n - 1);
    if (memchr(s, 0, len)) return pk_fail(m, "%s contains a NUL byte", what);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return HW_OK;
}

/* dict[key] = value: a tensor under a string key becomes an output record. */
static int pk_setitem(pmachine *m, size_t key, size_t value)
{
    const pval *k = &m->vals[key], *v = &m->vals[value];
    if (k->kind == PV_STR && m->num_keys && (v->kind == PV_FLOAT || v->kind == PV_INT)) {
        for (int j = 0; m->num_keys[j]; j++)
            if (pk_is(k->s, k->slen, m->num_keys[j])) {
                m->num_out[j] = v->kind == PV_FLOAT ? v->f : (double)v->i;
                m->num_found[j] = 1;
            }
    }
    if (k->kind != PV_STR || v->kind != PV_TENSOR) return HW_OK;
    if (m->n_out == m->cap_out) {
        int nc = m->cap_out ? 2 * m->cap_out : 16;
        torchzip_tensor *t = realloc(m->out, (size_t)nc * sizeof *t);
        if (!t) return hw_fail(m->e, HW_ENOMEM, "%s: out of memory", m->what);
        m->out = t;
        m->cap_out = nc;
    }
    torchzip_tensor *t = &m->out[m->n_out];
    *t = m->built[v->i];
    int rc = pk_copy(m, t->name, sizeof t->name, k->s, k->slen, "tensor name");
    if (rc) return rc;
    m->n_out++;
    return HW_OK;
}

static int pk_int_of(const pval *v, int64_t *x)
{
    if (v->kind != PV_INT) return -1;
    *x = v->i;
    return 0;
}

/* torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]) */
static int pk_rebuild_tensor(pmachine *m, const pval *args, size_t *res)
{
    if (args->kind != PV_TUPLE || args->count < 4) return pk_fail(m, "malformed _rebuild_tensor_v2 arguments");
    const pval *st = pk_item(m, args, 0), *size = pk_item(m, args, 2), *stride = pk_item(m, args, 3);
    torchzip_tensor t;
    memset(&t, 0, sizeof t);
    if (st->kind != PV_STORAGE || pk_int_of(pk_item(m, args, 1), &t.offset) || t.offset < 0 ||
        size->kind != PV_TUPLE || stride->kind != PV_TUPLE || size->count != stride->count)
        return pk_fail(m, "malformed _rebuild_tensor_v2 arguments");
    if (size->count > TORCHZIP_MAX_DIMS) return pk_fail(m, "tensor has %zu dimensions", size->count);
    t.ndim = (int)size->count;
    for (int d = 0; d < t.ndim; d++) {
        if (pk_int_of(pk_item(m, size, (size_t)d), &t.shape[d]) || t.shape[d] < 0 ||
            pk_int_of(pk_item(m, stride, (size_t)d), &t.stride[d]) || t.stride[d] < 0)
            return pk_fail(m, "tensor shape or stride is not a tuple of non-negative integers");
    }
    t.storage_numel = st->i;
    int rc = pk_copy(m, t.storage_key, sizeof t.storage_key, st->s, st->slen, "storage key");
    if (!rc) rc = pk_copy(m, t.dtype, sizeof t.dtype, st->s2, st->s2len, "storage type");
    if (rc) return rc;
    if (m->n_built == m->cap_built) {
        int nc = m->cap_built ? 2 * m->cap_built : 16;
        torchzip_tensor *b = realloc(m->built, (size_t)nc * sizeof *b);
        if (!b) return hw_fail(m->e, HW_ENOMEM, "%s: out of memory", m->what);
        m->built = b;
        m->cap_built = nc;
    }
    m->built[m->n_built] = t;
    *res = pk_new(m, PV_TENSOR);
    if (*res == PV_UNSET) return pk_fail(m, "too many values");
    m->vals[*res].i = m->n_built++;
    return HW_OK;
}

/* Persistent id ('storage', StorageType, key, location, numel) -> storage. */
static int pk_persid(pmachine *m, size_t pid, size_t *res)
{
    const pval *t = &m->vals[pid];
    if (t->kind != PV_TUPLE || t->count != 5) return pk_fail(m, "persistent id is not a 5-tuple");
    const pval *tag = pk_item(m, t, 0), *type = pk_item(m, t, 1), *key = pk_item(m, t, 2), *n = pk_item(m, t, 4);
    if (tag->kind != PV_STR || !pk_is(tag->s, tag->slen, "storage") || type->kind != PV_GLOBAL ||
        key->kind != PV_STR || n->kind != PV_INT || n->i < 0)
        return pk_fail(m, "malformed storage persistent id");
    *res = pk_new(m, PV_STORAGE);
    if (*res == PV_UNSET) return pk_fail(m, "too many values");
    pval *v = &m->vals[*res];
    v->s = key->s;
    v->slen = key->slen;
    v->s2 = type->s2;
    v->s2len = type->s2len;
    v->i = n->i;
    return HW_OK;
}

static int pk_line(pmachine *m, const unsigned char **s, size_t *n)
{
    const unsigned char *nl = memchr(m->b + m->pos, '\n', m->len - m->pos);
    if (!nl) return pk_fail(m, "unterminated GLOBAL");
    *s = m->b + m->pos;
    *n = (size_t)(nl - *s);
    m->pos += *n + 1;
    return HW_OK;
}

static int pk_run(pmachine *m)
{
    int rc;
    for (;;) {
        if ((rc = pk_need(m, 1))) return rc;
        size_t at = m->pos;
        unsigned char op = m->b[m->pos++];
        size_t v = 0, a = 0, b2 = 0, mk = 0;
        uint64_t n;
        switch (op) {
        case 0x80: /* PROTO */
            if ((rc = pk_need(m, 1))) return rc;
            if (m->b[m->pos] > 5) return pk_fail(m, "pickle protocol %u", (unsigned)m->b[m->pos]);
            m->pos++;
            break;
        case 0x95: /* FRAME */
            if ((rc = pk_need(m, 8))) return rc;
            m->pos += 8;
            break;
        case 'c': { /* GLOBAL module\nname\n */
            const unsigned char *mod = NULL, *nm = NULL;
            size_t ml = 0, nml = 0;
            if ((rc = pk_line(m, &mod, &ml)) || (rc = pk_line(m, &nm, &nml))) return rc;
            if ((v = pk_new(m, PV_GLOBAL)) == PV_UNSET) return pk_fail(m, "too many values");
            m->vals[v].s = mod; m->vals[v].slen = ml; m->vals[v].s2 = nm; m->vals[v].s2len = nml;
            if ((rc = pk_push(m, v))) return rc;
            break;
        }
        case 0x93: /* STACK_GLOBAL */
            if ((rc = pk_pop(m, &b2)) || (rc = pk_pop(m, &a))) return rc;
            if (m->vals[a].kind != PV_STR || m->vals[b2].kind != PV_STR) return pk_fail(m, "STACK_GLOBAL needs two strings");
            if ((v = pk_new(m, PV_GLOBAL)) == PV_UNSET) return pk_fail(m, "too many values");
            m->vals[v].s = m->vals[a].s; m->vals[v].slen = m->vals[a].slen;
            m->vals[v].s2 = m->vals[b2].s; m->vals[v].s2len = m->vals[b2].slen;
            if ((rc = pk_push(m, v))) return rc;
            break;
        case 'q': case 'r': case 0x94: /* BINPUT, LONG_BINPUT, MEMOIZE */
            if (op == 'q') { if ((rc = pk_need(m, 1))) return rc; n = m->b[m->pos++]; }
            else if (op == 'r') { if ((rc = pk_need(m, 4))) return rc; n = rd32(m->b + m->pos); m->pos += 4; }
            else n = m->memo_next;
            if (m->sp == 0 || m->stack[m->sp - 1] == PV_MARK) return pk_fail(m, "memo store from an empty stack");
            if (n >= m->memo_cap) return pk_fail(m, "memo index %llu out of range", (unsigned long long)n);
            m->memo[n] = m->stack[m->sp - 1];
            if (n + 1 > m->memo_next) m->memo_next = (size_t)n + 1;
            break;
        case 'h': case 'j': /* BINGET, LONG_BINGET */
            if (op == 'h') { if ((rc = pk_need(m, 1))) return rc; n = m->b[m->pos++]; }
            else { if ((rc = pk_need(m, 4))) return rc; n = rd32(m->b + m->pos); m->pos += 4; }
            if (n >= m->memo_cap || m->memo[n] == PV_UNSET) return pk_fail(m, "memo index %llu unset", (unsigned long long)n);
            if ((rc = pk_push(m, m->memo[n]))) return rc;
            break;
        case '(': /* MARK */
            if (m->sp >= m->cap) return pk_fail(m, "stack overflow");
            m->stack[m->sp++] = PV_MARK;
            break;
        case ')': if ((rc = pk_tuple(m, m->sp))) return rc; break;
        case ']': if ((rc = pk_push(m, pk_new(m, PV_LIST)))) return rc; break;
        case '}': if ((rc = pk_push(m, pk_new(m, PV_DICT)))) return rc; break;
        case 'N': if ((rc = pk_push(m, pk_new(m, PV_NONE)))) return rc; break;
        case 0x88: case 0x89: /* NEWTRUE, NEWFALSE */
            if ((v = pk_new(m, PV_BOOL)) == PV_UNSET) return pk_fail(m, "too many values");
            m->vals[v].i = op == 0x88;
            if ((rc = pk_push(m, v))) return rc;
            break;
        case 'K': case 'M': case 'J': case 0x8a: { /* BININT1, BININT2, BININT, LONG1 */
            int64_t x;
            if (op == 'K') { if ((rc = pk_need(m, 1))) return rc; x = m->b[m->pos]; m->pos += 1; }
            else if (op == 'M') { if ((rc = pk_need(m, 2))) return rc; x = rd16(m->b + m->pos); m->pos += 2; }
            else if (op == 'J') { if ((rc = pk_need(m, 4))) return rc; x = (int32_t)rd32(m->b + m->pos); m->pos += 4; }
            else {
                if ((rc = pk_need(m, 1))) return rc;
                size_t k = m->b[m->pos++];
                if (k > 8) return pk_fail(m, "integer of %zu bytes", k);
                if ((rc = pk_need(m, k))) return rc;
                uint64_t u = 0;
                for (size_t j = 0; j < k; j++) u |= (uint64_t)m->b[m->pos + j] << (8 * j);
                if (k > 0 && k < 8 && (m->b[m->pos + k - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * k);
                memcpy(&x, &u, sizeof x);
                m->pos += k;
            }
            if ((v = pk_new(m, PV_INT)) == PV_UNSET) return pk_fail(m, "too many values");
            m->vals[v].i = x;
            if ((rc = pk_push(m, v))) return rc;
            break;
        }
        case 'G': { /* BINFLOAT, big-endian IEEE double */
            if ((rc = pk_need(m, 8))) return rc;
            uint64_t u = 0;
            for (int j = 0; j < 8; j++) u = (u << 8) | m->b[m->pos + (size_t)j];
            m->pos += 8;
            if ((v = pk_new(m, PV_FLOAT)) == PV_UNSET) return pk_fail(m, "too many values");
            memcpy(&m->vals[v].f, &u, sizeof u);
            if ((rc = pk_push(m, v))) return rc;
            break;
        }
        case 'X': case 0x8c: case 0x8d: case 'T': case 'U': /* strings */
        case 'B': case 'C': case 0x8e: { /* bytes */
            size_t w = (op == 0x8c || op == 'U' || op == 'C') ? 1 : (op == 0x8d || op == 0x8e) ? 8 : 4;
            if ((rc = pk_need(m, w))) return rc;
            n = w == 1 ? m->b[m->pos] : w == 4 ? rd32(m->b + m->pos) : rd64(m->b + m->pos);
            if (op == 'T' && (n & 0x80000000u)) return pk_fail(m, "negative string length");
            m->pos += w;
            if (n > m->len - m->pos) return pk_fail(m, "string of %llu bytes runs past the end", (unsigned long long)n);
            int kind = (op == 'B' || op == 'C' || op == 0x8e) ? PV_BYTES : PV_STR;
            if ((v = pk_new(m, kind)) == PV_UNSET) return pk_fail(m, "too many values");
            m->vals[v].s = m->b + m->pos;
            m->vals[v].slen = (size_t)n;
            m->pos += (size_t)n;
            if ((rc = pk_push(m, v))) return rc;
            break;
        }
        case 't': /* TUPLE from mark; the tuple then replaces the mark */
            if ((rc = pk_mark(m, &mk)) || (rc = pk_tuple(m, mk + 1))) return rc;
            m->stack[mk] = m->stack[mk + 1];
            m->sp = mk + 1;
            break;
        case 0x85: case 0x86: case 0x87: { /* TUPLE1..3 */
            size_t k = (size_t)(op - 0x84);
            if (m->sp < k) return pk_fail(m, "stack underflow");
            for (size_t j = 1; j <= k; j++)
                if (m->stack[m->sp - j] == PV_MARK) return pk_fail(m, "stack underflow");
            if ((rc = pk_tuple(m, m->sp - k))) return rc;
            break;
        }
        case 'l': /* LIST from mark */
            if ((rc = pk_mark(m, &mk))) return rc;
            m->sp = mk;
            if ((rc = pk_push(m, pk_new(m, PV_LIST)))) return rc;
            break;
        case 'a': /* APPEND */
            if ((rc = pk_pop(m, &a))) return rc;
            if (m->sp == 0 || m->stack[m->sp - 1] == PV_MARK) return pk_fail(m, "APPEND without a list");
            break;
        case 'e': /* APPENDS */
            if ((rc = pk_mark(m, &mk))) return rc;
            if (mk == 0 || m->stack[mk - 1] == PV_MARK) return pk_fail(m, "APPENDS without a list");
            m->sp = mk;
            break;
        case 's': /* SETITEM */
            if ((rc = pk_pop(m, &b2)) || (rc = pk_pop(m, &a))) return rc;
            if (m->sp == 0 || m->stack[m->sp - 1] == PV_MARK) return pk_fail(m, "SETITEM without a dict");
            if ((rc = pk_setitem(m, a, b2))) return rc;
            break;
        case 'u': case 'd': /* SETITEMS, DICT */
            if ((rc = pk_mark(m, &mk))) return rc;
            if ((m->sp - mk - 1) % 2) return pk_fail(m, "odd number of dict items");
            if (op == 'u' && (mk == 0 || m->stack[mk - 1] == PV_MARK)) return pk_fail(m, "SETITEMS without a dict");
            for (size_t j = mk + 1; j < m->sp; j += 2)
                if ((rc = pk_setitem(m, m->stack[j], m->stack[j + 1]))) return rc;
            m->sp = mk;
            if (op == 'd' && (rc = pk_push(m, pk_new(m, PV_DICT)))) return rc;
            break;
        case 'R': case 0x81: { /* REDUCE, NEWOBJ */
            if ((rc = pk_pop(m, &a)) || (rc = pk_pop(m, &b2))) return rc;
            const pval *fn = &m->vals[b2], *args = &m->vals[a];
            if (args->kind != PV_TUPLE) return pk_fail(m, "call arguments are not a tuple");
            if (op == 'R' && pk_global_is(fn, "torch._utils", "_rebuild_tensor_v2")) {
                if ((rc = pk_rebuild_tensor(m, args, &v))) return rc;
            } else if (op == 'R' && pk_global_is(fn, "torch._utils", "_rebuild_parameter") && args->count >= 1 &&
                       pk_item(m, args, 0)->kind == PV_TENSOR) {
                v = m->items[args->first];
            } else if (pk_global_is(fn, "collections", "OrderedDict")) {
                v = pk_new(m, PV_DICT);
            } else {
                v = pk_new(m, PV_OBJ);
            }
            if ((rc = pk_push(m, v))) return rc;
            break;
        }
        case 'b': /* BUILD */
            if ((rc = pk_pop(m, &a))) return rc;
            if (m->sp == 0 || m->stack[m->sp - 1] == PV_MARK) return pk_fail(m, "BUILD without an object");
            break;
        case 'Q': /* BINPERSID */
            if ((rc = pk_pop(m, &a)) || (rc = pk_persid(m, a, &v)) || (rc = pk_push(m, v))) return rc;
            break;
        case '.': /* STOP */
            if (m->sp != 1 || m->stack[0] == PV_MARK) return pk_fail(m, "STOP with %zu stack items", m->sp);
            return HW_OK;
        default:
            m->pos = at;
            return pk_fail(m, "unsupported pickle opcode 0x%02x", (unsigned)op);
        }
    }
}

/* Run the pickle b[0..len) with m's outputs already set up. */
static int pk_exec(pmachine *m, const char *what, const unsigned char *b, size_t len, hw_err *e)
{
    if (len > MAX_PICKLE) return corrupt(e, what, "pickle has %zu bytes", len);
    m->what = what;
    m->b = b;
    m->len = len;
    m->e = e;
    m->cap = len + 16;
    m->memo_cap = m->cap;
    m->vals = malloc(m->cap * sizeof *m->vals);
    m->items = malloc(m->cap * sizeof *m->items);
    m->stack = malloc(m->cap * sizeof *m->stack);
    m->memo = malloc(m->memo_cap * sizeof *m->memo);
    int rc;
    if (!m->vals || !m->items || !m->stack || !m->memo) rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", what);
    else {
        for (size_t i = 0; i < m->memo_cap; i++) m->memo[i] = PV_UNSET;
        rc = pk_run(m);
    }
    free(m->vals);
    free(m->items);
    free(m->stack);
    free(m->memo);
    free(m->built);
    return rc;
}

int torchzip_tensors(const torchzip *z, torchzip_tensor **out, int *n, hw_err *e)
{
    *out = NULL;
    *n = 0;
    const torchzip_entry *pk;
    int rc = torchzip_find(z, "data.pkl", &pk, e);
    if (rc) return rc;
    pmachine m;
    memset(&m, 0, sizeof m);
    m.label = "data.pkl";
    rc = pk_exec(&m, z->what, pk->data, pk->size, e);
    if (rc) { free(m.out); return rc; }
    *out = m.out;
    *n = m.n_out;
    return HW_OK;
}

int torchzip_pickle_numbers(const char *what, const unsigned char *b, size_t len, const char *const *keys,
                            double *values, hw_err *e)
{
    int nk = 0;
    while (keys[nk]) nk++;
    int *found = calloc((size_t)nk + 1, sizeof *found);
    if (!found) return hw_fail(e, HW_ENOMEM, "%s: out of memory", what);
    pmachine m;
    memset(&m, 0, sizeof m);
    m.label = "pickle";
    m.num_keys = keys;
    m.num_out = values;
    m.num_found = found;
    int rc = pk_exec(&m, what, b, len, e);
    free(m.out);
    for (int j = 0; !rc && j < nk; j++)
        if (!found[j]) rc = hw_fail(e, HW_EPARSE, "%s: no number under key '%s'", what, keys[j]);
    free(found);
    return rc;
}
