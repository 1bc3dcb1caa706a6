#include "supernet/corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} text_buf;

static int append_file(text_buf *t, const char *path, hw_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return hw_fail(e, HW_EIO, "corpus: cannot open '%s'", path);
    for (;;) {
        if (t->cap - t->n < 65536) {
            size_t cap = t->cap ? 2 * t->cap : 1 << 20;
            uint8_t *p = realloc(t->p, cap);
            if (!p) { fclose(f); return hw_fail(e, HW_ENOMEM, "corpus: out of memory reading '%s'", path); }
            t->p = p;
            t->cap = cap;
        }
        size_t got = fread(t->p + t->n, 1, t->cap - t->n, f);
        t->n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? hw_fail(e, HW_EIO, "corpus: read error in '%s'", path) : HW_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int read_auto(text_buf *t, hw_err *e)
{
    DIR *d = opendir(SN_CORPUS_AUTO_DIR);
    if (!d)
        return hw_fail(e, HW_EIO, "corpus 'auto': %s is missing (install Debian's 'fortunes' package)",
                       SN_CORPUS_AUTO_DIR);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = HW_OK;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || has_suffix(de->d_name, ".dat") || has_suffix(de->d_name, ".u8")) continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", SN_CORPUS_AUTO_DIR, de->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, cap * sizeof *names);
            if (!p) { rc = hw_fail(e, HW_ENOMEM, "corpus: out of memory"); break; }
            names = p;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) { rc = hw_fail(e, HW_ENOMEM, "corpus: out of memory"); break; }
        n++;
    }
    closedir(d);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", SN_CORPUS_AUTO_DIR, names[i]);
        rc = append_file(t, path, e);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (!rc && n == 0) rc = hw_fail(e, HW_EIO, "corpus 'auto': no fortune files in %s", SN_CORPUS_AUTO_DIR);
    return rc;
}

int sn_corpus_load(const char *spec, sn_corpus *c, hw_err *e)
{
    memset(c, 0, sizeof *c);
    text_buf t = {0};
    int rc = strcmp(spec, "auto") == 0 ? read_auto(&t, e) : append_file(&t, spec, e);
    if (!rc && t.n < SN_CORPUS_MIN_BYTES)
        rc = hw_fail(e, HW_EINVAL, "corpus '%s': %zu bytes, at least %d needed", spec, t.n, SN_CORPUS_MIN_BYTES);
    if (!rc) {
        c->train = malloc(t.n);
        c->val = malloc(t.n / 10 + SN_CORPUS_CHUNK);
        if (!c->train || !c->val) rc = hw_fail(e, HW_ENOMEM, "corpus: out of memory");
    }
    if (rc) {
        free(t.p);
        sn_corpus_free(c);
        return rc;
    }
    c->crc = (uint32_t)crc32(0L, t.p, (uInt)t.n);
    size_t size = t.n / 100 < SN_CORPUS_CHUNK ? t.n / 100 : SN_CORPUS_CHUNK;
    for (size_t off = 0, chunk = 0; off < t.n; off += size, chunk++) {
        size_t len = t.n - off < size ? t.n - off : size;
        if (chunk % 10 == 9) { memcpy(c->val + c->n_val, t.p + off, len); c->n_val += len; }
        else { memcpy(c->train + c->n_train, t.p + off, len); c->n_train += len; }
    }
    free(t.p);
    return HW_OK;
}

void sn_corpus_free(sn_corpus *c)
{
    free(c->train);
    free(c->val);
    memset(c, 0, sizeof *c);
}
