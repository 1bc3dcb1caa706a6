/* surrogates/hwgpt_mlp.c — HW-GPT-Bench's MLP perplexity predictor (see
 * hwgpt_mlp.h). */
#include "surrogates/hwgpt_mlp.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "surrogates/torchzip.h"
#include "core/fileio.h"

int hwgpt_mlp_input_dim(int scale)
{
    const hw_space *sp = hw_space_get(scale);
    return sp ? 6 + 6 * sp->max_layers + 2 : -1;
}

int hwgpt_mlp_default_path(const char *data_dir, int scale, char *buf, size_t n)
{
    const hw_space *sp = hw_space_get(scale);
    return snprintf(buf, n, "%s/predictors/perplexity_%s.pt", data_dir, sp ? sp->name : "?");
}

void hwgpt_mlp_free(hwgpt_mlp *m)
{
    if (!m) return;
    for (int k = 0; k < HWGPT_MLP_LAYERS; k++) {
        free(m->wt[k]);
        free(m->b[k]);
    }
    free(m);
}

static float le_float(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The tensor named name (exactly one), checked to be a contiguous float32
 * tensor of the given shape whose storage entry holds exactly its elements;
 * *data points at its first element's bytes. */
static int find_tensor(const torchzip *z, const torchzip_tensor *t, int nt, const char *name, int ndim,
                       const int64_t *shape, const torchzip_tensor **out, const unsigned char **data, hw_err *e)
{
    const torchzip_tensor *hit = NULL;
    for (int i = 0; i < nt; i++) {
        if (strcmp(t[i].name, name) != 0) continue;
        if (hit) return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (tensor '%s' appears twice)", z->what, name);
        hit = &t[i];
    }
    if (!hit) return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (no tensor '%s')", z->what, name);
    if (strcmp(hit->dtype, "FloatStorage") != 0)
        return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (tensor '%s' has storage %s, expected FloatStorage)",
                       z->what, name, hit->dtype);
    int ok = hit->ndim == ndim;
    int64_t numel = 1, stride = 1;
    for (int d = ndim - 1; ok && d >= 0; d--) {
        ok = hit->shape[d] == shape[d] && (shape[d] == 1 || hit->stride[d] == stride);
        numel *= shape[d];
        stride *= shape[d];
    }
    if (!ok) {
        char got[160] = "", want[160] = "";
        size_t gl = 0, wl = 0;
        for (int d = 0; d < hit->ndim && gl < sizeof got; d++)
            gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%lld", d ? ", " : "", (long long)hit->shape[d]);
        for (int d = 0; d < ndim && wl < sizeof want; d++)
            wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s%lld", d ? ", " : "", (long long)shape[d]);
        return hw_fail(e, HW_EPARSE,
                       "%s: corrupt checkpoint (tensor '%s' has shape [%s] or is not contiguous; expected [%s])",
                       z->what, name, got, want);
    }
    char key[48];
    snprintf(key, sizeof key, "data/%s", hit->storage_key);
    const torchzip_entry *en;
    int rc = torchzip_find(z, key, &en, e);
    if (rc) return rc;
    if (hit->storage_numel > (int64_t)(SIZE_MAX / 4) || en->size != (size_t)hit->storage_numel * 4)
        return hw_fail(e, HW_EPARSE,
                       "%s: corrupt checkpoint (entry '%s' has %zu bytes; storage of '%s' needs %lld float32)",
                       z->what, en->name, en->size, name, (long long)hit->storage_numel);
    if (hit->offset > hit->storage_numel || numel > hit->storage_numel - hit->offset)
        return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (tensor '%s' runs past its storage)", z->what, name);
    *out = hit;
    *data = en->data + 4 * (size_t)hit->offset;
    return HW_OK;
}

static int load_archive(const torchzip *z, int scale, hwgpt_mlp **out, hw_err *e)
{
    *out = NULL;
    const torchzip_entry *bo;
    if (torchzip_find(z, "byteorder", &bo, NULL) == HW_OK && !(bo->size == 6 && memcmp(bo->data, "little", 6) == 0))
        return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (byte order is not 'little')", z->what);
    torchzip_tensor *t = NULL;
    int nt = 0;
    int rc = torchzip_tensors(z, &t, &nt, e);
    if (rc) return rc;

    /* The scale follows from fc1's input width. */
    int n_in = -1, file_scale = -1;
    for (int i = 0; i < nt; i++)
        if (strcmp(t[i].name, "fc1.weight") == 0 && t[i].ndim == 2 && t[i].shape[1] <= HWGPT_MLP_MAX_IN)
            n_in = (int)t[i].shape[1];
    for (int s = 0; s < HW_N_SCALES; s++)
        if (hwgpt_mlp_input_dim(s) == n_in) file_scale = s;
    if (scale >= 0 && !hw_space_get(scale)) {
        free(t);
        return hw_fail(e, HW_EINVAL, "%s: unknown scale %d", z->what, scale);
    }
    if (scale >= 0 && file_scale >= 0 && file_scale != scale) {
        free(t);
        return hw_fail(e, HW_EINVAL, "%s: checkpoint is for scale %s, not %s", z->what, hw_space_get(file_scale)->name,
                       hw_space_get(scale)->name);
    }
    if (scale < 0 && file_scale < 0) {
        free(t);
        return hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (fc1.weight missing or with %d inputs; expected 80, 152 or 224)",
                       z->what, n_in);
    }
    if (scale < 0) scale = file_scale;

    hwgpt_mlp *m = calloc(1, sizeof *m);
    if (!m) { free(t); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    m->ppl_min = m->ppl_max = NAN;
    m->scale = scale;
    m->n_in = hwgpt_mlp_input_dim(scale);
    for (int k = 0; k < HWGPT_MLP_LAYERS && !rc; k++) {
        int rows = k == HWGPT_MLP_LAYERS - 1 ? 1 : HWGPT_MLP_HIDDEN;
        int cols = k == 0 ? m->n_in : HWGPT_MLP_HIDDEN;
        m->n_rows[k] = rows;
        m->n_cols[k] = cols;
        char wname[32], bname[32];
        snprintf(wname, sizeof wname, "fc%d.weight", k + 1);
        snprintf(bname, sizeof bname, "fc%d.bias", k + 1);
        int64_t wshape[2] = {rows, cols}, bshape[1] = {rows};
        const torchzip_tensor *wt, *bt;
        const unsigned char *wd, *bd;
        rc = find_tensor(z, t, nt, wname, 2, wshape, &wt, &wd, e);
        if (!rc) rc = find_tensor(z, t, nt, bname, 1, bshape, &bt, &bd, e);
        if (rc) break;
        m->wt[k] = malloc((size_t)rows * (size_t)cols * sizeof(float));
        m->b[k] = malloc((size_t)rows * sizeof(float));
        if (!m->wt[k] || !m->b[k]) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        int finite = 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float w = le_float(wd + 4 * ((size_t)r * (size_t)cols + (size_t)c));
                finite &= isfinite(w) != 0;
                m->wt[k][(size_t)c * (size_t)rows + (size_t)r] = w;
            }
            m->b[k][r] = le_float(bd + 4 * (size_t)r);
            finite &= isfinite(m->b[k][r]) != 0;
        }
        if (!finite) rc = hw_fail(e, HW_EPARSE, "%s: corrupt checkpoint (non-finite value in %s or %s)", z->what, wname, bname);
    }
    free(t);
    if (rc) { hwgpt_mlp_free(m); return rc; }
    *out = m;
    return HW_OK;
}

int hwgpt_mlp_load(const char *path, int scale, hwgpt_mlp **out, hw_err *e)
{
    *out = NULL;
    torchzip z;
    int rc = torchzip_open(path, &z, e);
    if (rc) return rc;
    rc = load_archive(&z, scale, out, e);
    torchzip_close(&z);
    if (rc) return rc;
    /* The published statistics next to the checkpoint, when present. */
    char stats[4096];
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) + 1 : 0;
    int n = snprintf(stats, sizeof stats, "%.*smax_min_stats_perplexity_%s.pkl", dl, path,
                     hw_space_get((*out)->scale)->name);
    if (n > 0 && (size_t)n < sizeof stats && access(stats, F_OK) == 0 &&
        (rc = hwgpt_mlp_load_stats(*out, stats, e))) {
        hwgpt_mlp_free(*out);
        *out = NULL;
    }
    return rc;
}

int hwgpt_mlp_load_default(const char *data_dir, int scale, hwgpt_mlp **out, hw_err *e)
{
    char path[4096];
    hwgpt_mlp_default_path(data_dir, scale, path, sizeof path);
    int rc = hw_data_require(data_dir, path, e);
    return rc ? rc : hwgpt_mlp_load(path, scale, out, e);
}

int hwgpt_mlp_load_stats(hwgpt_mlp *m, const char *path, hw_err *e)
{
    unsigned char *buf = NULL;
    size_t n = 0;
    int rrc = hw_read_regular_file(path, "statistics file", 4096, &buf, &n, e);
    if (rrc) {
        if (rrc == HW_EPARSE) hw_fail(e, rrc, "%s: larger than 4096 bytes; expected a pickled {max, min}", path);
        return rrc;
    }
    static const char *const keys[] = {"max", "min", NULL};
    double v[2];
    int rc = torchzip_pickle_numbers(path, buf, n, keys, v, e);
    free(buf);
    if (rc) return rc;
    if (!isfinite(v[0]) || !isfinite(v[1]) || !(v[0] > v[1]))
        return hw_fail(e, HW_EPARSE, "%s: expected finite max > min, got max %g, min %g", path, v[0], v[1]);
    m->ppl_max = v[0];
    m->ppl_min = v[1];
    return HW_OK;
}

int hwgpt_mlp_load_mem(const char *what, const void *buf, size_t len, int scale, hwgpt_mlp **out, hw_err *e)
{
    *out = NULL;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) return hw_fail(e, HW_ENOMEM, "%s: out of memory", what);
    if (len) memcpy(copy, buf, len);
    torchzip z;
    int rc = torchzip_parse(what, copy, len, &z, e);
    if (rc) return rc;
    rc = load_archive(&z, scale, out, e);
    torchzip_close(&z);
    return rc;
}

static int encode_block(const int *choices, int n, int v, float *x)
{
    int i = hw_choice_index(choices, n, v);
    if (i < 0) return -1;
    x[i] = 1.0f;
    return 0;
}

int hwgpt_mlp_encode(const hw_arch *a, float *x, hw_err *e)
{
    const hw_space *sp = hw_space_get(a->scale);
    if (!sp) return hw_fail(e, HW_EINVAL, "hwgpt-mlp: unknown scale %d", a->scale);
    int L = sp->max_layers, n = 6 + 6 * L + 2;
    for (int i = 0; i < n; i++) x[i] = 0.0f;
    if (encode_block(sp->embed, sp->n_embed, a->embed_dim, x))
        return hw_fail(e, HW_EINVAL, "hwgpt-mlp: embed_dim %d is not a choice of scale %s", a->embed_dim, sp->name);
    if (encode_block(sp->layers, sp->n_layers, a->n_layer, x + 3))
        return hw_fail(e, HW_EINVAL, "hwgpt-mlp: n_layer %d is not a choice of scale %s", a->n_layer, sp->name);
    for (int i = 0; i < a->n_layer; i++) {
        if (encode_block(sp->mlp, sp->n_mlp, a->mlp_ratio[i], x + 6 + 3 * i))
            return hw_fail(e, HW_EINVAL, "hwgpt-mlp: mlp_ratio %d of layer %d is not a choice of scale %s",
                           a->mlp_ratio[i], i, sp->name);
        if (encode_block(sp->heads, sp->n_heads, a->n_head[i], x + 6 + 3 * L + 3 * i))
            return hw_fail(e, HW_EINVAL, "hwgpt-mlp: n_head %d of layer %d is not a choice of scale %s", a->n_head[i],
                           i, sp->name);
    }
    x[6 + 6 * L + (a->bias ? 0 : 1)] = 1.0f;
    return HW_OK;
}

float hwgpt_mlp_forward(const hwgpt_mlp *m, const float *x)
{
    float buf[2][HWGPT_MLP_HIDDEN];
    const float *in = x;
    float *h = buf[0];
    for (int k = 0; k < HWGPT_MLP_LAYERS; k++) {
        int rows = m->n_rows[k], cols = m->n_cols[k];
        float acc[HWGPT_MLP_HIDDEN];
        for (int o = 0; o < rows; o++) acc[o] = 0.0f;
        /* Natural-order float accumulation over the inputs; a zero input
         * (one-hot zeros, ReLU zeros) adds an exact zero, so skipping it
         * changes no bit. */
        for (int i = 0; i < cols; i++) {
            float xi = in[i];
            if (xi == 0.0f) continue;
            const float *w = m->wt[k] + (size_t)i * (size_t)rows;
            for (int o = 0; o < rows; o++) acc[o] += w[o] * xi;
        }
        const float *b = m->b[k];
        if (k == HWGPT_MLP_LAYERS - 1) return acc[0] + b[0];
        for (int o = 0; o < rows; o++) {
            float v = acc[o] + b[o];
            h[o] = v < 0.0f ? 0.0f : v;
        }
        in = h;
        h = (h == buf[0]) ? buf[1] : buf[0];
    }
    return 0.0f; /* unreachable: the last layer returns */
}

int hwgpt_mlp_predict(const hwgpt_mlp *m, const hw_arch *a, double *perplexity, hw_err *e)
{
    if (a->scale != m->scale)
        return hw_fail(e, HW_EINVAL, "hwgpt-mlp: architecture of scale %s given to the scale-%s predictor",
                       hw_space_get(a->scale) ? hw_space_get(a->scale)->name : "?", hw_space_get(m->scale)->name);
    float x[HWGPT_MLP_MAX_IN];
    int rc = hwgpt_mlp_encode(a, x, e);
    if (rc) return rc;
    *perplexity = (double)hwgpt_mlp_forward(m, x);
    return HW_OK;
}

int hwgpt_mlp_predict_batch(const hwgpt_mlp *m, const hw_arch *a, size_t n, double *perplexity, hw_err *e)
{
    size_t first_bad = n;
#pragma omp parallel for schedule(static) reduction(min : first_bad) if (n >= 256)
    for (size_t i = 0; i < n; i++) {
        float x[HWGPT_MLP_MAX_IN];
        if (a[i].scale != m->scale || hwgpt_mlp_encode(&a[i], x, NULL) != HW_OK) {
            if (i < first_bad) first_bad = i;
            perplexity[i] = NAN;
            continue;
        }
        perplexity[i] = (double)hwgpt_mlp_forward(m, x);
    }
    if (first_bad < n) {
        double dummy;
        int rc = hwgpt_mlp_predict(m, &a[first_bad], &dummy, e);
        if (e) hw_err_prefix(e, "architecture %zu", first_bad);
        return rc;
    }
    return HW_OK;
}

/* ---------------------------------------------- the hwgpt-mlp backend ---- */

static int ppl_metric_model(const void *env, int scale, const hwgpt_mlp **m, hw_err *e)
{
    *m = env;
    if (!*m) return hw_fail(e, HW_ESTATE, "perplexity: the hwgpt-mlp predictor is not loaded");
    if ((*m)->scale != scale)
        return hw_fail(e, HW_EINVAL, "perplexity: the hwgpt-mlp checkpoint is for scale %s, the space is scale %s",
                       hw_space_get((*m)->scale)->name, hw_space_get(scale) ? hw_space_get(scale)->name : "?");
    return HW_OK;
}

static int ppl_metric_eval(const hw_metric *row, const void *env, const hw_arch *a, hw_metric_value *v, hw_err *e)
{
    (void)row;
    const hwgpt_mlp *m;
    int rc = ppl_metric_model(env, a->scale, &m, e);
    if (!rc) rc = hwgpt_mlp_predict(m, a, &v->mean, e);
    v->std = 0.0;
    v->noise_std = 0.0;
    return rc;
}

static int ppl_metric_bounds(const hw_metric *row, const void *env, const hw_space *sp, double *lo, double *hi,
                             hw_err *e)
{
    (void)row;
    const hwgpt_mlp *m;
    int rc = ppl_metric_model(env, sp->scale, &m, e);
    if (rc) return rc;
    if (!(m->ppl_max > m->ppl_min))
        return hw_fail(e, HW_EMISSING,
                       "perplexity: no range for normalisation (max_min_stats_perplexity_%s.pkl must lie next to "
                       "the hwgpt-mlp checkpoint)", sp->name);
    *lo = m->ppl_min;
    *hi = m->ppl_max;
    return HW_OK;
}

/* Key: checkpoint (default DATA/predictors/perplexity_<scale>.pt; without a
 * space the scale comes from the checkpoint, which must then be given). */
static int mlp_open(const hw_backend *b, const cJSON *cfg, const char *path, const hw_space *sp,
                    const hw_metric *const *rows, int n_rows, void **env, hw_err *e)
{
    (void)b; (void)rows; (void)n_rows;
    *env = NULL;
    const char *checkpoint = NULL;
    char p[512];
    int rc = hwj_get_string(cfg, path, "checkpoint", 0, &checkpoint, e);
    if (rc) return rc;
    hwj_path(p, sizeof p, path, "checkpoint");
    if (!checkpoint && !sp) return hw_fail(e, HW_EINVAL, "%s: required when the scale is not given", p);
    hwgpt_mlp *model;
    if (!checkpoint) { /* the published checkpoint in the data directory */
        if ((rc = hwgpt_mlp_load_default(hw_default_data_dir(), sp->scale, &model, e))) {
            hwj_path(p, sizeof p, path, "predictor");
            return hw_err_prefix(e, "%s", p);
        }
    } else if ((rc = hwgpt_mlp_load(checkpoint, sp ? sp->scale : -1, &model, e)))
        return hw_err_prefix(e, "%s", p);
    char file[HW_PATH_MAX];   /* what was read, for run logs */
    if (!checkpoint) hwgpt_mlp_default_path(hw_default_data_dir(), model->scale, file, sizeof file);
    if ((rc = hw_file_identify(checkpoint ? checkpoint : file, &model->source, e))) {
        hwgpt_mlp_free(model);
        return rc;
    }
    *env = model;
    return HW_OK;
}

static void mlp_close(void *env)
{
    hwgpt_mlp_free(env);
}

static const hw_metric HWGPT_MLP_ROWS[] = {
    {"hwgpt-mlp", "perplexity", "", 0, 0, ppl_metric_eval, ppl_metric_bounds, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const HWGPT_MLP_KEYS[] = {"checkpoint", NULL};

static size_t mlp_files(const void *env, hw_file_id *out, size_t max)
{
    const hwgpt_mlp *m = env;
    if (!max || !m->source.path[0]) return 0;
    out[0] = m->source;
    return 1;
}

const hw_backend hw_hwgpt_mlp_backend = {"hwgpt-mlp", HWGPT_MLP_ROWS, HWGPT_MLP_KEYS, mlp_open, mlp_close, mlp_files, NULL};
