/* surrogates/model_io.c — the model file (format in model.h): writing and
 * reading a model set, and loading the shipped sets (surrogate_load,
 * sur_models_load) with their release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "core/fileio.h"
#include "surrogates/model_internal.h"

void sur_model_free(sur_model *m)
{
    sur_gbm_free(&m->mean_gbm);
    sur_gbm_free(&m->noise_gbm);
}

/* ---- file format ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 1 << 16;
        while (nc < b->n + n) nc *= 2;
        unsigned char *np = realloc(b->p, nc);
        if (!np) { b->oom = 1; return; }
        b->p = np; b->cap = nc;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u32(wbuf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(b, c, 4);
}

static void put_u64(wbuf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_f64(wbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u64(b, u);
}

static void put_f32(wbuf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    put_u32(b, u);
}

static void put_gbm(wbuf *b, const sur_gbm *g)
{
    put_u32(b, (uint32_t)g->n_feat);
    put_u32(b, (uint32_t)g->depth);
    put_u32(b, (uint32_t)g->n_trees);
    put_f64(b, g->base);
    size_t ni = (size_t)g->n_trees * ((1u << g->depth) - 1), nl = (size_t)g->n_trees << g->depth;
    put(b, g->feat, ni);
    for (size_t i = 0; i < ni; i++) put_f32(b, g->thr[i]);
    for (size_t i = 0; i < nl; i++) put_f32(b, g->leaf[i]);
}

int sur_set_save(const sur_set *s, const char *path, hw_err *e)
{
    wbuf b = {0};
    put(&b, "HWNASSUR", 8);
    put_u32(&b, s->n_own > 0 ? SUR_FILE_VERSION_OWN : SUR_FILE_VERSION);
    put_u32(&b, SUR_FEATURE_SET);
    put_u32(&b, (uint32_t)s->scale);
    put_u32(&b, (uint32_t)s->n_models);
    if (s->n_own > 0) {
        put_u32(&b, (uint32_t)s->n_own);
        for (int k = 0; k < s->n_own; k++) {
            char name[SUR_DEVICE_NAME_MAX] = {0};
            snprintf(name, sizeof name, "%s", s->own[k]);
            put(&b, name, sizeof name);
        }
    }
    for (int k = 0; k < s->n_models; k++) {
        const sur_model *m = &s->models[k];
        put_u32(&b, (uint32_t)m->metric);
        put_u32(&b, (uint32_t)m->device);
        put_u32(&b, (uint32_t)m->flags);
        put_u32(&b, (uint32_t)m->lin_n);
        for (int j = 0; j < 3 * m->lin_n; j++) put_f64(&b, m->lin[j]);
        put_f64(&b, m->floor);
        put_f64(&b, m->model_sd);
        put_f64(&b, m->calib);
        put_f64(&b, m->noise_calib);
        put_f64(&b, m->bound_lo);
        put_f64(&b, m->bound_hi);
        put_gbm(&b, &m->mean_gbm);
        if (m->flags & SUR_FLAG_NOISE) put_gbm(&b, &m->noise_gbm);
        for (int q = 0; q < SUR_NQ; q++) put_f32(&b, m->noise_q[q]);
        if (m->flags & SUR_FLAG_BLEND) {
            put_f64(&b, m->blend_w);
            for (int j = 0; j < SUR_BLEND_P; j++) put_f64(&b, m->blend_b[j]);
        }
        if (m->flags & SUR_FLAG_STACK) {
            put_u32(&b, (uint32_t)m->stack_n);
            for (int j = 0; j < m->stack_n; j++) {
                put_u32(&b, (uint32_t)m->stack_metric[j]);
                put_u32(&b, (uint32_t)m->stack_device[j]);
                put_f64(&b, m->stack_c[j]);
            }
            for (int j = 0; j < SUR_BLEND_P; j++) put_f64(&b, m->blend_b[j]);
        }
    }
    put_u32(&b, (uint32_t)crc32(0L, b.p, (uInt)b.n));
    if (b.oom) { free(b.p); return hw_fail(e, HW_ENOMEM, "%s: out of memory", path); }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) { free(b.p); return hw_fail(e, HW_EIO, "%s: cannot write", tmp); }
    int ok = fwrite(b.p, 1, b.n, f) == b.n;
    ok &= fclose(f) == 0;
    free(b.p);
    if (!ok || rename(tmp, path) != 0) { remove(tmp); return hw_fail(e, HW_EIO, "%s: cannot write", path); }
    return HW_OK;
}

typedef struct {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rbuf;

static int get(rbuf *b, void *dst, size_t n)
{
    if (b->bad || b->n - b->at < n) { b->bad = 1; return 0; }
    memcpy(dst, b->p + b->at, n);
    b->at += n;
    return 1;
}

static uint32_t get_u32(rbuf *b)
{
    unsigned char c[4] = {0, 0, 0, 0};
    get(b, c, 4);
    return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

static double get_f64(rbuf *b)
{
    uint64_t lo = get_u32(b), hi = get_u32(b), u = lo | hi << 32;
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static float get_f32(rbuf *b)
{
    uint32_t u = get_u32(b);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static const char *get_gbm(rbuf *b, sur_gbm *g)
{
    g->n_feat = (int)get_u32(b);
    g->depth = (int)get_u32(b);
    uint32_t nt = get_u32(b);
    g->base = get_f64(b);
    if (b->bad) return "truncated";
    if (g->n_feat != SUR_X_LEN) return "tree feature count does not match this build";
    if (g->depth < 1 || g->depth > SUR_GBM_MAX_DEPTH) return "bad tree depth";
    size_t ni = ((size_t)1 << g->depth) - 1, nl = (size_t)1 << g->depth;
    if (nt > (b->n - b->at) / (ni * 5 + nl * 4 + 1)) return "tree count exceeds file size";
    g->n_trees = (int)nt;
    g->feat = malloc(nt * ni + 1);
    g->thr = malloc((nt * ni + 1) * sizeof *g->thr);
    g->leaf = malloc((nt * nl + 1) * sizeof *g->leaf);
    if (!g->feat || !g->thr || !g->leaf) return "out of memory";
    get(b, g->feat, nt * ni);
    for (size_t i = 0; i < nt * ni; i++) {
        g->thr[i] = get_f32(b);
        if (g->feat[i] >= SUR_X_LEN || isnan(g->thr[i])) return "bad tree node";
    }
    for (size_t i = 0; i < nt * nl; i++) {
        g->leaf[i] = get_f32(b);
        if (!isfinite(g->leaf[i])) return "bad tree leaf";
    }
    if (!isfinite(g->base)) return "bad tree base";
    return b->bad ? "truncated" : NULL;
}

int sur_set_load_file(const char *path, sur_set **out, hw_err *e)
{
    *out = NULL;
    unsigned char *data = NULL;
    size_t n = 0;
    int rrc = hw_read_regular_file(path, "model file", 0, &data, &n, e); /* refuses FIFOs, devices, dirs */
    if (rrc) return rrc;
    const char *why = NULL;
    sur_set *s = calloc(1, sizeof *s);
    if (s && hw_file_id_of(path, data, n, &s->file, e)) {
        free(s);
        free(data);
        return HW_EINVAL;
    }
    rbuf b = {data, n, 0, 0};
    char magic[8];
    if (!s) why = "out of memory";
    else if (n < 28 || !get(&b, magic, 8) || memcmp(magic, "HWNASSUR", 8) != 0) why = "bad magic";
    else if (crc32(0L, data, (uInt)(n - 4)) != (uLong)((uint32_t)data[n - 4] | (uint32_t)data[n - 3] << 8 |
                                                        (uint32_t)data[n - 2] << 16 | (uint32_t)data[n - 1] << 24))
        why = "checksum mismatch";
    if (!why) {
        b.n = n - 4;
        uint32_t ver = get_u32(&b), fs = get_u32(&b), sc = get_u32(&b), nm = get_u32(&b);
        if (ver != SUR_FILE_VERSION && ver != SUR_FILE_VERSION_OWN) why = "unsupported version";
        else if (fs != SUR_FEATURE_SET) why = "feature set does not match this build";
        else if (sc >= HW_N_SCALES) why = "bad scale";
        else if (nm > SUR_N_METRICS * SUR_MAX_DEVICES) why = "bad model count";
        if (!why && ver == SUR_FILE_VERSION_OWN) {
            uint32_t no = get_u32(&b);
            if (b.bad || no < 1 || no > SUR_N_OWN) why = "bad own-device count";
            for (uint32_t k = 0; k < no && !why; k++) {
                char name[SUR_DEVICE_NAME_MAX];
                hw_err ne = {0};
                if (!get(&b, name, sizeof name)) why = "truncated";
                else if (name[SUR_DEVICE_NAME_MAX - 1] != 0 || sur_own_device_name_check(name, &ne)) why = "bad own-device name";
                else {
                    for (uint32_t j = 0; j < k; j++)
                        if (strcmp(s->own[j], name) == 0) why = "duplicate own device";
                    memcpy(s->own[k], name, sizeof name);
                    s->n_own = (int)k + 1;
                }
            }
        }
        if (!why) {
            s->scale = (int)sc;
            s->models = calloc(nm + 1, sizeof *s->models);
            if (!s->models) why = "out of memory";
            for (int a = 0; a < SUR_N_METRICS; a++)
                for (int c = 0; c < SUR_MAX_DEVICES; c++) s->index[a][c] = -1;
            for (uint32_t k = 0; k < nm && !why; k++) {
                sur_model *m = &s->models[k];
                s->n_models = (int)k + 1;
                m->metric = (int)get_u32(&b);
                m->device = (int)get_u32(&b);
                m->flags = (int)get_u32(&b);
                if (b.bad) { why = "truncated"; break; }
                if (m->metric < 0 || m->metric >= SUR_N_METRICS || m->device < 0 || m->device >= SUR_N_DEVICES + s->n_own ||
                    (m->flags & ~255)) { why = "bad model header"; break; }
                m->lin_n = (int)get_u32(&b);
                if (m->lin_n < 0 || m->lin_n > ((m->flags & SUR_FLAG_COARSE) ? SUR_LIN_COARSE : SUR_LIN_GROUP) || (m->lin_n == 0) != !(m->flags & SUR_FLAG_BASE)) { why = "bad linear size"; break; }
                for (int j = 0; j < 3 * m->lin_n; j++) m->lin[j] = get_f64(&b);
                m->floor = get_f64(&b);
                m->model_sd = get_f64(&b);
                m->calib = get_f64(&b);
                m->noise_calib = get_f64(&b);
                m->bound_lo = get_f64(&b);
                m->bound_hi = get_f64(&b);
                if (!(m->bound_lo > 0) || !(m->bound_hi >= m->bound_lo) || !isfinite(m->bound_hi)) { why = "bad bounds"; break; }
                if (!(m->model_sd >= 0) || !(m->calib >= 0) || !(m->noise_calib > 0 && m->noise_calib <= 1) || !isfinite(m->floor)) { why = "bad model constants"; break; }
                if ((why = get_gbm(&b, &m->mean_gbm))) break;
                if ((m->flags & SUR_FLAG_NOISE) && (why = get_gbm(&b, &m->noise_gbm))) break;
                for (int q = 0; q < SUR_NQ; q++) m->noise_q[q] = get_f32(&b);
                if (m->flags & SUR_FLAG_BLEND) {
                    m->blend_w = get_f64(&b);
                    int ok = m->blend_w > 0 && m->blend_w < 1;
                    for (int j = 0; j < SUR_BLEND_P; j++) {
                        m->blend_b[j] = get_f64(&b);
                        ok &= isfinite(m->blend_b[j]);
                    }
                    if (!b.bad && !ok) { why = "bad blend"; break; }
                }
                if (m->flags & SUR_FLAG_STACK) {
                    uint32_t ns = get_u32(&b);
                    if (b.bad || ns > SUR_STACK_MAX) { why = "bad stack size"; break; }
                    m->stack_n = (int)ns;
                    int ok = 1;
                    for (int j = 0; j < m->stack_n; j++) {
                        m->stack_metric[j] = (int)get_u32(&b);
                        m->stack_device[j] = (int)get_u32(&b);
                        m->stack_c[j] = get_f64(&b);
                        ok &= m->stack_metric[j] > SUR_PERPLEXITY && m->stack_metric[j] < SUR_N_METRICS &&
                              m->stack_device[j] >= 0 && m->stack_device[j] < SUR_N_DEVICES + s->n_own &&
                              isfinite(m->stack_c[j]);
                    }
                    for (int j = 0; j < SUR_BLEND_P; j++) {
                        m->blend_b[j] = get_f64(&b);
                        ok &= isfinite(m->blend_b[j]);
                    }
                    if (!b.bad && !ok) { why = "bad stack"; break; }
                }
                if (b.bad) { why = "truncated"; break; }
                int dev = m->metric == SUR_PERPLEXITY ? 0 : m->device;
                if (s->index[m->metric][dev] >= 0) { why = "duplicate model"; break; }
                s->index[m->metric][dev] = (int)k;
            }
            if (!why && b.at != b.n) why = "trailing bytes";
            for (int k = 0; k < s->n_models && !why; k++)
                if ((s->models[k].flags & SUR_FLAG_AUX) &&
                    (s->models[k].metric != SUR_ENERGY || s->index[SUR_LATENCY][s->models[k].device] < 0))
                    why = "energy model without its latency model";
            for (int k = 0; k < s->n_models && !why; k++) {
                const sur_model *m = &s->models[k];
                for (int j = 0; j < m->stack_n && !why; j++) {
                    int r = s->index[m->stack_metric[j]][m->stack_device[j]];
                    if (r < 0 || r == k || (s->models[r].flags & SUR_FLAG_STACK)) why = "stacked model without its inputs";
                }
            }
        }
    }
    free(data);
    if (why) {
        surrogate_free(s);
        return hw_fail(e, HW_EPARSE, "%s: corrupt model file (%s)", path, why);
    }
    *out = s;
    return HW_OK;
}

/* ---- public API ---- */

const hw_file_id *surrogate_file(const sur_set *s) { return &s->file; }

int surrogate_load(const char *models_dir, int scale, sur_set **out, hw_err *e)
{
    const hw_space *sp = hw_space_get(scale);
    if (!sp) return hw_fail(e, HW_EINVAL, "bad scale %d", scale);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.hwsur", models_dir, sp->name);
    int rc = sur_set_load_file(path, out, e);
    if (rc) return rc;
    if ((*out)->scale != scale) {
        const char *held = hw_space_get((*out)->scale)->name;
        surrogate_free(*out);
        *out = NULL;
        return hw_fail(e, HW_EPARSE, "%s: corrupt model file (holds scale %s)", path, held);
    }
    return HW_OK;
}

void surrogate_free(sur_set *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_models; k++) sur_model_free(&s->models[k]);
    free(s->models);
    free(s);
}

const char *surrogate_device_name(const sur_set *s, int device)
{
    if (device >= 0 && device < SUR_N_DEVICES) return SUR_DEVICE_NAMES[device];
    if (s && device >= SUR_N_DEVICES && device < SUR_N_DEVICES + s->n_own) return s->own[device - SUR_N_DEVICES];
    return "?";
}

/* "a100, ..., cpu_p100" and, when the sets have own devices, "; own devices: x, y" */
static void device_list(sur_set *const *sets, int n_sets, char *buf, size_t n)
{
    size_t u = 0;
    for (int i = 0; i < SUR_N_DEVICES && u < n; i++)
        u += (size_t)snprintf(buf + u, n - u, "%s%s", i ? ", " : "", SUR_DEVICE_NAMES[i]);
    int first = 1;
    for (int k = 0; k < n_sets; k++)
        for (int j = 0; sets[k] && j < sets[k]->n_own && u < n; j++) {
            u += (size_t)snprintf(buf + u, n - u, "%s%s", first ? "; own devices of these models: " : ", ", sets[k]->own[j]);
            first = 0;
        }
}

int surrogate_device_lookup(const sur_set *s, const char *name, int *device, hw_err *e)
{
    if (name)
        for (int i = 0; i < SUR_N_DEVICES; i++)
            if (strcasecmp(name, SUR_DEVICE_NAMES[i]) == 0) { *device = i; return HW_OK; }
    for (int j = 0; s && name && j < s->n_own; j++)
        if (strcmp(name, s->own[j]) == 0) { *device = SUR_N_DEVICES + j; return HW_OK; }
    char list[2048];
    sur_set *one = (sur_set *)s;
    device_list(&one, 1, list, sizeof list);
    return hw_fail(e, HW_EINVAL, "unknown device '%s' (expected one of %s)", name ? name : "(null)", list);
}

int sur_models_set_device(sur_models *ms, const char *device, hw_err *e)
{
    ms->device = -1;
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        int dev = -1;
        if (!ms->set[sc] || surrogate_device_lookup(ms->set[sc], device, &dev, NULL)) continue;
        if (ms->device >= 0 && dev != ms->device)
            return hw_fail(e, HW_EINVAL, "own device '%s' has different slots in the model files of different scales", device);
        ms->device = dev;
    }
    if (ms->device < 0) {
        char list[2048];
        device_list(ms->set, HW_N_SCALES, list, sizeof list);
        return hw_fail(e, HW_EINVAL, "unknown device '%s' (expected one of %s)", device, list);
    }
    snprintf(ms->device_name, sizeof ms->device_name, "%s", ms->device < SUR_N_DEVICES ? SUR_DEVICE_NAMES[ms->device] : device);
    return HW_OK;
}

int sur_models_load(const char *dir, int scale, const char *device, sur_models **out, hw_err *e)
{
    *out = NULL;
    sur_models *ms = calloc(1, sizeof *ms);
    if (!ms) return hw_fail(e, HW_ENOMEM, "out of memory");
    ms->device = -1;
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        if (scale >= 0 && sc != scale) continue;
        int rc = surrogate_load(dir, sc, &ms->set[sc], e);
        if (rc) { sur_models_free(ms); return rc; }
    }
    int rc = device ? sur_models_set_device(ms, device, e) : HW_OK;
    if (rc) { sur_models_free(ms); return rc; }
    *out = ms;
    return HW_OK;
}

int sur_gbm_constant(sur_gbm *g, double v)
{
    memset(g, 0, sizeof *g);
    g->n_feat = SUR_X_LEN;
    g->depth = 1;
    g->n_trees = 0;
    g->base = v;
    g->feat = malloc(1);
    g->thr = malloc(sizeof *g->thr);
    g->leaf = malloc(sizeof *g->leaf);
    if (!g->feat || !g->thr || !g->leaf) { sur_gbm_free(g); return HW_ENOMEM; }
    return HW_OK;
}

int sur_set_own_slot(sur_set *s, const char *name, int *device, hw_err *e)
{
    for (int j = 0; j < s->n_own; j++)
        if (strcmp(s->own[j], name) == 0) { *device = SUR_N_DEVICES + j; return HW_OK; }
    int rc = sur_own_device_name_check(name, e);
    if (rc) return rc;
    if (s->n_own == SUR_N_OWN) return hw_fail(e, HW_ERANGE, "the model set already holds %d own devices", SUR_N_OWN);
    snprintf(s->own[s->n_own], SUR_DEVICE_NAME_MAX, "%s", name);
    *device = SUR_N_DEVICES + s->n_own++;
    return HW_OK;
}

int sur_set_put(sur_set *s, sur_model *m, hw_err *e)
{
    if (m->device < 0 || m->device >= SUR_N_DEVICES + s->n_own || m->metric <= SUR_PERPLEXITY || m->metric >= SUR_N_METRICS)
        return hw_fail(e, HW_EINVAL, "model of device index %d: not in the set's device list", m->device);
    int k = s->index[m->metric][m->device];
    if (k >= 0) {
        for (int j = 0; j < s->n_models; j++)
            for (int t = 0; t < s->models[j].stack_n; t++)
                if (j != k && s->models[j].stack_metric[t] == m->metric && s->models[j].stack_device[t] == m->device)
                    return hw_fail(e, HW_EINVAL, "the %s model of %s is an input of another calibrated model", SUR_METRIC_NAMES[m->metric],
                                   surrogate_device_name(s, m->device));
        sur_model_free(&s->models[k]);
    } else {
        sur_model *nm = realloc(s->models, ((size_t)s->n_models + 1) * sizeof *nm);
        if (!nm) return hw_fail(e, HW_ENOMEM, "out of memory");
        s->models = nm;
        k = s->n_models++;
        s->index[m->metric][m->device] = k;
    }
    s->models[k] = *m;
    memset(m, 0, sizeof *m);
    return HW_OK;
}

int sur_models_view(const sur_models *ms, const char *device, sur_models **out, hw_err *e)
{
    *out = NULL;
    sur_models *v = malloc(sizeof *v);
    if (!v) return hw_fail(e, HW_ENOMEM, "out of memory");
    *v = *ms;
    v->borrowed = 1;
    int rc = sur_models_set_device(v, device, e);
    if (rc) { free(v); return rc; }
    *out = v;
    return HW_OK;
}

void sur_models_free(void *models)
{
    sur_models *ms = models;
    if (!ms) return;
    if (!ms->borrowed)
        for (int sc = 0; sc < HW_N_SCALES; sc++) surrogate_free(ms->set[sc]);
    free(ms);
}
