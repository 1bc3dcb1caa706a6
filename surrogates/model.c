#include "surrogates/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/fileio.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile of sorted v[0..n) with linear interpolation (type 7). */
static double quantile_sorted(const double *v, size_t n, double p)
{
    double h = p * (double)(n - 1);
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

int sur_observed(const sur_data *d, int metric, int device, size_t i, double *center, double *rel_spread)
{
    if (metric == SUR_PERPLEXITY) {
        if (!(d->perplexity[i] > 0)) return 0;
        *center = d->perplexity[i];
        *rel_spread = 0;
        return 1;
    }
    const sur_series *s = &d->series[metric][device];
    if (s->kind == SUR_SERIES_MEANSTD) {
        if (!(s->mean[i] > 0)) return 0;
        *center = s->mean[i];
        *rel_spread = s->std[i] / s->mean[i];
        return 1;
    }
    size_t k = sur_series_count(s, i);
    if (k == 0) return 0;
    double buf[256], *v = k <= 256 ? buf : malloc(k * sizeof *v);
    if (!v) return 0;
    memcpy(v, s->v + s->start[i], k * sizeof *v);
    qsort(v, k, sizeof *v, cmp_double);
    *center = quantile_sorted(v, k, 0.5);
    *rel_spread = k >= 2 ? (quantile_sorted(v, k, 0.75) - quantile_sorted(v, k, 0.25)) / 1.349 / *center : 0;
    if (v != buf) free(v);
    return 1;
}

double sur_observed_rel_sd(const sur_data *d, int metric, int device, size_t i)
{
    if (metric == SUR_PERPLEXITY) return 0;
    const sur_series *s = &d->series[metric][device];
    if (s->kind == SUR_SERIES_MEANSTD) return s->mean[i] > 0 ? s->std[i] / s->mean[i] : 0;
    size_t k = sur_series_count(s, i);
    if (k < 2) return 0;
    const double *v = s->v + s->start[i];
    double c, sp, mu = 0, ss = 0;
    if (!sur_observed(d, metric, device, i, &c, &sp)) return 0;
    for (size_t j = 0; j < k; j++) mu += v[j];
    mu /= (double)k;
    for (size_t j = 0; j < k; j++) ss += (v[j] - mu) * (v[j] - mu);
    return sqrt(ss / (double)(k - 1)) / c;
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double sur_coverage(const sur_data *d, int metric, int device, size_t i, double mean, double std, double z)
{
    double lo = mean - z * std, hi = mean + z * std;
    if (metric == SUR_PERPLEXITY) return d->perplexity[i] >= lo && d->perplexity[i] <= hi;
    const sur_series *s = &d->series[metric][device];
    if (s->kind == SUR_SERIES_MEANSTD) {
        double mu = s->mean[i], sd = s->std[i];
        if (sd <= 0) return mu >= lo && mu <= hi;
        return normal_cdf((hi - mu) / sd) - normal_cdf((lo - mu) / sd);
    }
    size_t k = sur_series_count(s, i), in = 0;
    const double *v = s->v + s->start[i];
    for (size_t j = 0; j < k; j++) in += v[j] >= lo && v[j] <= hi;
    return k ? (double)in / (double)k : 0;
}

void sur_input_make(const hw_arch *a, sur_input *in)
{
    sur_tree_features(a, in->x);
    in->x[SUR_N_FEAT] = 0;
    in->x[SUR_N_FEAT + 1] = 0;
    in->embed_index = sur_linear_features(a, in->z);
    /* the blend ridge's inputs: 1, tree features 0..10 (embed .. sum_heads),
     * params, FLOPs and their logs */
    in->zb[0] = 1;
    for (int k = 0; k < 11; k++) in->zb[1 + k] = in->x[k];
    in->zb[12] = in->x[13];
    in->zb[13] = in->x[14];
    in->zb[14] = log(in->x[13]);
    in->zb[15] = log(in->x[14]);
    /* the coarse-position view from the fine one (= sur_linear_coarse) */
    const hw_space *sp = hw_space_get(a->scale);
    memset(in->zc, 0, sizeof in->zc);
    memcpy(in->zc, in->z, SUR_LIN_ORDER_FREE * sizeof *in->zc);
    const double *mo = in->z + SUR_LIN_ORDER_FREE, *ho = mo + 3 * sp->max_layers;
    for (int i = 0; i < a->n_layer; i++) {
        double *g = in->zc + SUR_LIN_ORDER_FREE + 6 * (i * SUR_LIN_COARSE_BINS / sp->max_layers);
        for (int c = 0; c < 3; c++) { g[c] += mo[3 * i + c]; g[3 + c] += ho[3 * i + c]; }
    }
}

static double base_value(const sur_model *m, const sur_input *in)
{
    double b = 0;
    const double *w = m->lin + ((m->flags & SUR_FLAG_SHARED) ? 0 : in->embed_index * m->lin_n);
    const double *z = (m->flags & SUR_FLAG_COARSE) ? in->zc : in->z;
    for (int k = 0; k < m->lin_n; k++) b += w[k] * z[k];
    if (m->flags & SUR_FLAG_LOGBASE) b = exp(b);
    return b > m->floor ? b : m->floor;
}

/* The tree input of model m (base feature filled) and the log of its base. */
static double model_x(const sur_model *m, const sur_input *in, float *x)
{
    memcpy(x, in->x, SUR_X_LEN * sizeof *x);
    double lb = 0;
    if (m->flags & SUR_FLAG_BASE) { lb = log(base_value(m, in)); x[SUR_N_FEAT] = (float)lb; }
    if (!(m->flags & SUR_FLAG_AUX)) x[SUR_N_FEAT + 1] = 0;
    return lb;
}

static double blend_value(const double *b, const sur_input *in)
{
    double v = 0;
    for (int k = 0; k < SUR_BLEND_P; k++) v += b[k] * in->zb[k];
    return v;
}

/* log of the predicted mean; fills the tree input x */
static double mean_log(const sur_model *m, const sur_input *in, float *x)
{
    double mu = model_x(m, in, x) + sur_gbm_predict(&m->mean_gbm, x);
    if (m->flags & SUR_FLAG_BLEND) mu = (1 - m->blend_w) * mu + m->blend_w * blend_value(m->blend_b, in);
    return mu;
}

double sur_model_predict_log(const sur_model *m, const sur_input *in)
{
    float x[SUR_X_LEN];
    return mean_log(m, in, x);
}

void sur_set_predict(const sur_set *s, int k, sur_input *in, sur_pred *out)
{
    const sur_model *m = &s->models[k];
    if (m->flags & SUR_FLAG_AUX)
        in->x[SUR_N_FEAT + 1] = (float)sur_model_predict_log(&s->models[s->index[SUR_LATENCY][m->device]], in);
    sur_model_predict(m, in, out);
}

void sur_model_predict(const sur_model *m, const sur_input *in, sur_pred *out)
{
    float x[SUR_X_LEN];
    double mean = exp(mean_log(m, in, x));
    double rn = (m->flags & SUR_FLAG_NOISE) ? exp(sur_gbm_predict(&m->noise_gbm, x)) : 0.0;
    out->mean = mean;
    out->noise_std = mean * rn;
    double cm = m->calib * m->model_sd, an = m->noise_calib * rn;
    out->std = mean * sqrt(an * an + cm * cm);
}

/* ---- fitting ---- */

/* Weighted ridge: minimise sum w (y - z.b)^2 + lam |b|^2 (lam relative to the
 * mean diagonal) by Cholesky; rows of Z are dense but mostly zero. */
static int ridge_fit(const double *Z, const double *y, const double *w, size_t n, int p, double lam, int embed_free,
                     double *b)
{
    double *A = calloc((size_t)p * p, sizeof *A), *r = calloc((size_t)p, sizeof *r);
    int *nz = malloc((size_t)p * sizeof *nz);
    if (!A || !r || !nz) { free(A); free(r); free(nz); return HW_ENOMEM; }
    for (size_t i = 0; i < n; i++) {
        const double *z = Z + i * p;
        int k = 0;
        for (int a = 0; a < p; a++)
            if (z[a] != 0) nz[k++] = a;
        for (int u = 0; u < k; u++) {
            int a = nz[u];
            r[a] += w[i] * z[a] * y[i];
            for (int v = 0; v <= u; v++) A[a * p + nz[v]] += w[i] * z[a] * z[nz[v]];
        }
    }
    double tr = 0;
    for (int a = 0; a < p; a++) tr += A[a * p + a];
    tr = tr > 0 ? tr / p : 1;
    /* the intercept and the embed indicators (features.h) are not penalised */
    for (int a = 0; a < p; a++) A[a * p + a] += (a == 0 || (embed_free && (a == 12 || a == 13)) ? 0 : lam * tr) + 1e-12 * tr;
    /* Cholesky in place (lower) */
    for (int j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (int k = 0; k < j; k++) s -= A[j * p + k] * A[j * p + k];
        s = s > 1e-300 ? sqrt(s) : 1e-150;
        A[j * p + j] = s;
        for (int i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (int k = 0; k < j; k++) t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / s;
        }
    }
    for (int i = 0; i < p; i++) {
        double t = r[i];
        for (int k = 0; k < i; k++) t -= A[i * p + k] * b[k];
        b[i] = t / A[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double t = b[i];
        for (int k = i + 1; k < p; k++) t -= A[k * p + i] * b[k];
        b[i] = t / A[i * p + i];
    }
    free(A); free(r); free(nz);
    return HW_OK;
}

/* The blend ridge: log y on the standardised zb of rows idx[0..n) (penalty
 * lam relative to the mean diagonal, intercept free); b gets the
 * coefficients on the raw zb. */
static int blend_fit(const sur_input *in, const double *ly, const size_t *idx, size_t n, double lam, double *b)
{
    enum { P = SUR_BLEND_P };
    double mu[P] = {0}, sd[P] = {0};
    double *Z = malloc((n + 1) * P * sizeof *Z), *t = malloc((n + 1) * sizeof *t), *w = malloc((n + 1) * sizeof *w);
    if (!Z || !t || !w) { free(Z); free(t); free(w); return HW_ENOMEM; }
    for (size_t i = 0; i < n; i++)
        for (int k = 1; k < P; k++) mu[k] += in[idx[i]].zb[k];
    for (int k = 1; k < P; k++) mu[k] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (int k = 1; k < P; k++) { double u = in[idx[i]].zb[k] - mu[k]; sd[k] += u * u; }
    for (int k = 1; k < P; k++) sd[k] = sqrt(sd[k] / (double)n);
    for (size_t i = 0; i < n; i++) {
        double *z = Z + i * P;
        z[0] = 1;
        for (int k = 1; k < P; k++) z[k] = sd[k] > 0 ? (in[idx[i]].zb[k] - mu[k]) / sd[k] : 0;
        t[i] = ly[idx[i]];
        w[i] = 1;
    }
    double bs[P];
    int rc = ridge_fit(Z, t, w, n, P, lam, 0, bs);
    if (!rc) {
        b[0] = bs[0];
        for (int k = 1; k < P; k++) {
            b[k] = sd[k] > 0 ? bs[k] / sd[k] : 0;
            b[0] -= b[k] * mu[k];
        }
    }
    free(Z); free(t); free(w);
    return rc;
}

/* Fit base + mean trees on rows idx[0..n) of the inputs; y natural. */
static int fit_mean(int scale, const sur_input *in, const double *y, const size_t *idx, size_t n, const sur_fit_opts *o,
                    uint64_t seed, sur_model *m, hw_err *e)
{
    float *X = malloc(n * SUR_X_LEN * sizeof *X);
    double *t = malloc(n * sizeof *t), *Z = NULL, *w = NULL;
    int rc = HW_OK;
    if (!X || !t) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
    memset(m->lin, 0, sizeof m->lin);
    m->lin_n = 0;
    m->floor = 0;
    m->flags &= ~(SUR_FLAG_BASE | SUR_FLAG_LOGBASE | SUR_FLAG_SHARED | SUR_FLAG_COARSE);
    if (o->use_base) {
        int p = o->use_base == 2 ? sur_linear_len(scale) : o->use_base == 3 ? SUR_LIN_COARSE : SUR_LIN_ORDER_FREE;
        Z = malloc(n * (size_t)p * sizeof *Z);
        w = malloc(n * sizeof *w);
        double *yy = t;
        if (!Z || !w) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
        double ymin = INFINITY;
        for (size_t i = 0; i < n; i++)
            if (y[idx[i]] < ymin) ymin = y[idx[i]];
        for (int g = 0; g < (o->base_shared ? 1 : 3); g++) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                if (!o->base_shared && in[idx[i]].embed_index != g) continue;
                memcpy(Z + k * p, o->use_base == 3 ? in[idx[i]].zc : in[idx[i]].z, (size_t)p * sizeof *Z);
                yy[k] = o->base_log ? log(y[idx[i]]) : y[idx[i]];
                w[k] = o->base_log ? 1.0 : 1.0 / (yy[k] * yy[k]);
                k++;
            }
            if ((rc = ridge_fit(Z, yy, w, k, p, o->ridge, 1, m->lin + g * p))) { rc = hw_fail(e, rc, "out of memory"); goto out; }
        }
        m->lin_n = p;
        m->floor = 0.25 * ymin;
        m->flags |= SUR_FLAG_BASE | (o->base_log ? SUR_FLAG_LOGBASE : 0) | (o->base_shared ? SUR_FLAG_SHARED : 0) |
                    (o->use_base == 3 ? SUR_FLAG_COARSE : 0);
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(X + i * SUR_X_LEN, in[idx[i]].x, SUR_X_LEN * sizeof *X);
        double lb = 0;
        if (m->flags & SUR_FLAG_BASE) { lb = log(base_value(m, &in[idx[i]])); X[i * SUR_X_LEN + SUR_N_FEAT] = (float)lb; }
        t[i] = log(y[idx[i]]) - lb;
    }
    sur_gbm_params gp = o->mean;
    gp.seed = seed;
    sur_gbm_free(&m->mean_gbm);
    rc = sur_gbm_fit(X, n, SUR_X_LEN, t, &gp, &m->mean_gbm, e);
out:
    free(X); free(t); free(Z); free(w);
    return rc;
}

int sur_model_fit(const sur_data *d, int metric, int device, const size_t *rows, size_t n_rows,
                  const sur_fit_opts *o, const sur_model *aux, uint64_t seed, sur_model *m, hw_err *e)
{
    memset(m, 0, sizeof *m);
    m->metric = metric;
    m->device = metric == SUR_PERPLEXITY ? 0 : device;
    m->calib = 1;
    m->noise_calib = 1;
    size_t n = 0;
    sur_input *in = malloc((n_rows + 1) * sizeof *in);
    double *y = malloc((n_rows + 1) * sizeof *y), *rs = malloc((n_rows + 1) * sizeof *rs);
    double *oof = malloc((n_rows + 1) * sizeof *oof), *rn = malloc((n_rows + 1) * sizeof *rn);
    size_t *id = malloc((n_rows + 1) * sizeof *id), *idx = malloc((n_rows + 1) * sizeof *idx);
    int *fold = malloc((n_rows + 1) * sizeof *fold);
    int rc = HW_OK;
    sur_model *fm = NULL;   /* the out-of-fold models */
    double *sse = NULL, *cum = NULL;
    if (!in || !y || !rs || !oof || !rn || !id || !idx || !fold) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
    for (size_t r = 0; r < n_rows; r++) {
        size_t i = rows[r];
        double c, s;
        if (!sur_observed(d, metric, device, i, &c, &s)) continue;
        if (o->noise_sd) s = sur_observed_rel_sd(d, metric, device, i);
        sur_input_make(&d->arch[i], &in[n]);
        if (aux) in[n].x[SUR_N_FEAT + 1] = (float)sur_model_predict_log(aux, &in[n]);
        y[n] = c; rs[n] = s; id[n] = i;
        fold[n] = sur_fold(d->name[i], seed, o->folds > 1 ? o->folds : 2);
        n++;
    }
    if (n < 20) { rc = hw_fail(e, HW_EINVAL, "%s/%s: only %zu architectures with data", SUR_METRIC_NAMES[metric], SUR_DEVICE_NAMES[device], n); goto out; }

    /* out-of-fold predictions; with cv_trees also the out-of-fold squared log
     * error after each tree, which picks the tree count of every fit */
    int K = o->folds > 1 ? o->folds : 2, T = o->mean.n_trees;
    int cv = o->cv_trees > 0 && o->cv_trees <= T && o->mean.bags <= 1;
    sur_fit_opts oc = *o;
    if (aux) m->flags |= SUR_FLAG_AUX;
    fm = calloc((size_t)K, sizeof *fm);
    sse = calloc((size_t)T + 1, sizeof *sse);
    cum = malloc(((size_t)T + 1) * sizeof *cum);
    if (!fm || !sse || !cum) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
    for (int k = 0; k < K; k++) {
        size_t nt = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != k) idx[nt++] = i;
        if (aux) fm[k].flags |= SUR_FLAG_AUX;
        if ((rc = fit_mean(d->scale, in, y, idx, nt, o, seed + 1000 + (uint64_t)k, &fm[k], e))) goto out;
        if (cv)
            for (size_t i = 0; i < n; i++)
                if (fold[i] == k) {
                    float x[SUR_X_LEN];
                    double lb = model_x(&fm[k], &in[i], x);
                    sur_gbm_predict_staged(&fm[k].mean_gbm, x, cum);
                    for (int t = 0; t < T; t++) { double r = log(y[i]) - lb - cum[t]; sse[t] += r * r; }
                }
    }
    if (cv) {
        int best = T - 1;
        for (int t = T - 2; t >= o->cv_trees - 1; t--)
            if (sse[t] < sse[best]) best = t;
        oc.mean.n_trees = best + 1;
    }
    for (int k = 0; k < K; k++) {
        fm[k].mean_gbm.n_trees = oc.mean.n_trees;   /* the trees are a prefix-ordered sum */
        for (size_t i = 0; i < n; i++)
            if (fold[i] == k) oof[i] = sur_model_predict_log(&fm[k], &in[i]);
    }
    /* blend with the log ridge: its out-of-fold predictions pick the weight
     * (ties keep the smaller one; 0 keeps the model alone) */
    double bw = 0;
    if (o->blend > 0) {
        double *ly = malloc((n + 1) * sizeof *ly), *rb = malloc((n + 1) * sizeof *rb), b[SUR_BLEND_P];
        if (!ly || !rb) { free(ly); free(rb); rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
        for (size_t i = 0; i < n; i++) ly[i] = log(y[i]);
        for (int k = 0; k < K && !rc; k++) {
            size_t nt = 0;
            for (size_t i = 0; i < n; i++)
                if (fold[i] != k) idx[nt++] = i;
            if ((rc = blend_fit(in, ly, idx, nt, o->blend_ridge, b))) break;
            for (size_t i = 0; i < n; i++)
                if (fold[i] == k) rb[i] = blend_value(b, &in[i]);
        }
        if (!rc) {
            double best = INFINITY;
            for (int s = 0; s <= o->blend; s++) {
                double wv = 0.1 * s, se = 0;
                for (size_t i = 0; i < n; i++) { double r = ly[i] - ((1 - wv) * oof[i] + wv * rb[i]); se += r * r; }
                if (se < best) { best = se; bw = wv; }
            }
            for (size_t i = 0; i < n; i++) oof[i] = (1 - bw) * oof[i] + bw * rb[i];
            if (bw > 0) {
                for (size_t i = 0; i < n; i++) idx[i] = i;
                rc = blend_fit(in, ly, idx, n, o->blend_ridge, m->blend_b);
            }
        }
        free(ly); free(rb);
        if (rc) { rc = hw_fail(e, rc, "out of memory"); goto out; }
    }
    double ss = 0;
    for (size_t i = 0; i < n; i++) { double r = log(y[i]) - oof[i]; ss += r * r; }
    m->model_sd = sqrt(ss / (double)n);

    /* final mean model on everything */
    for (size_t i = 0; i < n; i++) idx[i] = i;
    if ((rc = fit_mean(d->scale, in, y, idx, n, &oc, seed, m, e))) goto out;
    if (bw > 0) { m->blend_w = bw; m->flags |= SUR_FLAG_BLEND; }
    for (size_t i = 0; i < n; i++)
        if (m->flags & SUR_FLAG_BASE) in[i].x[SUR_N_FEAT] = (float)log(base_value(m, &in[i]));
    m->bound_lo = INFINITY;
    m->bound_hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = exp(sur_model_predict_log(m, &in[i]));
        if (v < m->bound_lo) m->bound_lo = v;
        if (v > m->bound_hi) m->bound_hi = v;
    }

    /* noise model on archs with a positive observed spread */
    size_t nn = 0;
    for (size_t i = 0; i < n; i++)
        if (rs[i] > 0) nn++;
    for (size_t i = 0; i < n; i++) rn[i] = 0;
    if (metric != SUR_PERPLEXITY && nn >= n / 2 && nn >= 20) {
        float *X = malloc(nn * SUR_X_LEN * sizeof *X);
        double *t = malloc(nn * sizeof *t);
        if (!X || !t) { free(X); free(t); rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
        size_t u = 0;
        for (size_t i = 0; i < n; i++)
            if (rs[i] > 0) { memcpy(X + u * SUR_X_LEN, in[i].x, sizeof in[i].x); t[u] = log(rs[i]); u++; }
        sur_gbm_params gp = o->noise;
        gp.seed = seed + 77;
        rc = sur_gbm_fit(X, nn, SUR_X_LEN, t, &gp, &m->noise_gbm, e);
        free(X); free(t);
        if (rc) goto out;
        m->flags |= SUR_FLAG_NOISE;
        for (size_t i = 0; i < n; i++) rn[i] = exp(sur_gbm_predict(&m->noise_gbm, in[i].x));
    }

    /* calibration on out-of-fold means, std^2 = (a rn)^2 + (c model_sd)^2:
     * with a = 1, c >= 0 so that mean +- 1.645 std covers the target share of
     * the training measurements (std >= noise_std); only when the noise alone
     * covers more, c = 0 and a < 1 (heavy-tailed noise). */
    m->noise_calib = 1;
    for (int stage = 0; stage < 2; stage++) {
        double lo = 0, hi = stage == 0 ? 50 : 1, cov = 0;
        for (int it = 0; it < 60; it++) {
            double c = 0.5 * (lo + hi);
            cov = 0;
            for (size_t i = 0; i < n; i++) {
                double mean = exp(oof[i]), a = stage == 0 ? 1 : c, cm = stage == 0 ? c * m->model_sd : 0;
                double sd = mean * sqrt(a * a * rn[i] * rn[i] + cm * cm);
                cov += sur_coverage(d, metric, device, id[i], mean, sd, 1.6448536269514722);
            }
            cov /= (double)n;
            if (cov < o->target_coverage) lo = c;
            else hi = c;
        }
        if (stage == 0) {
            m->calib = 0.5 * (lo + hi);
            if (m->calib > 1e-6) break;
            m->calib = 0;
        } else {
            m->noise_calib = 0.5 * (lo + hi);
        }
    }

    /* standardised measurement residuals -> quantile table */
    {
        const sur_series *s = metric == SUR_PERPLEXITY ? NULL : &d->series[metric][device];
        size_t cap = 0;
        if (s && s->kind == SUR_SERIES_SAMPLES)
            for (size_t i = 0; i < n; i++) cap += sur_series_count(s, id[i]);
        double *zs = cap ? malloc(cap * sizeof *zs) : NULL;
        size_t nz = 0;
        if (zs)
            for (size_t i = 0; i < n; i++) {
                if (!(rs[i] > 0)) continue;
                size_t k = sur_series_count(s, id[i]);
                const double *v = s->v + s->start[id[i]];
                for (size_t j = 0; j < k; j++) zs[nz++] = (v[j] - y[i]) / (y[i] * rs[i]);
            }
        if (nz >= 100) {
            qsort(zs, nz, sizeof *zs, cmp_double);
            for (int q = 0; q < SUR_NQ; q++) m->noise_q[q] = (float)quantile_sorted(zs, nz, (q + 0.5) / SUR_NQ);
        } else {
            /* standard normal quantiles (CPU energy: only mean and std known) */
            for (int q = 0; q < SUR_NQ; q++) {
                double p = (q + 0.5) / SUR_NQ, a = -10, b = 10;
                for (int it = 0; it < 80; it++) {
                    double mid = 0.5 * (a + b);
                    if (normal_cdf(mid) < p) a = mid;
                    else b = mid;
                }
                m->noise_q[q] = (float)(0.5 * (a + b));
            }
        }
        free(zs);
    }
out:
    if (fm)
        for (int k = 0; k < (o->folds > 1 ? o->folds : 2); k++) sur_model_free(&fm[k]);
    free(fm); free(sse); free(cum);
    free(in); free(y); free(rs); free(oof); free(rn); free(id); free(idx); free(fold);
    if (rc) sur_model_free(m);
    return rc;
}

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
    put_u32(&b, SUR_FILE_VERSION);
    put_u32(&b, SUR_FEATURE_SET);
    put_u32(&b, (uint32_t)s->scale);
    put_u32(&b, (uint32_t)s->n_models);
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
        if (ver != SUR_FILE_VERSION) why = "unsupported version";
        else if (fs != SUR_FEATURE_SET) why = "feature set does not match this build";
        else if (sc >= HW_N_SCALES) why = "bad scale";
        else if (nm > SUR_N_METRICS * SUR_N_DEVICES) why = "bad model count";
        else {
            s->scale = (int)sc;
            s->models = calloc(nm + 1, sizeof *s->models);
            if (!s->models) why = "out of memory";
            for (int a = 0; a < SUR_N_METRICS; a++)
                for (int c = 0; c < SUR_N_DEVICES; c++) s->index[a][c] = -1;
            for (uint32_t k = 0; k < nm && !why; k++) {
                sur_model *m = &s->models[k];
                s->n_models = (int)k + 1;
                m->metric = (int)get_u32(&b);
                m->device = (int)get_u32(&b);
                m->flags = (int)get_u32(&b);
                if (b.bad) { why = "truncated"; break; }
                if (m->metric < 0 || m->metric >= SUR_N_METRICS || m->device < 0 || m->device >= SUR_N_DEVICES ||
                    (m->flags & ~127)) { why = "bad model header"; break; }
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

int surrogate_scale(const sur_set *s) { return s->scale; }

int surrogate_has(const sur_set *s, int metric, int device)
{
    if (metric < 0 || metric >= SUR_N_METRICS) return 0;
    if (metric == SUR_PERPLEXITY) device = 0;
    if (device < 0 || device >= SUR_N_DEVICES) return 0;
    return s->index[metric][device] >= 0;
}

static int check_model(const sur_set *s, const hw_arch *a, int metric, int device, hw_err *e)
{
    if (a->scale != s->scale)
        return hw_fail(e, HW_EINVAL, "arch of scale %s given to the scale-%s surrogate", hw_space_get(a->scale) ? hw_space_get(a->scale)->name : "?",
                       hw_space_get(s->scale)->name);
    if (!surrogate_has(s, metric, device))
        return hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s at scale %s",
                       metric >= 0 && metric < SUR_N_METRICS ? SUR_METRIC_NAMES[metric] : "?",
                       device >= 0 && device < SUR_N_DEVICES ? SUR_DEVICE_NAMES[device] : "?", hw_space_get(s->scale)->name);
    return HW_OK;
}

int surrogate_predict(const sur_set *s, const hw_arch *a, int metric, int device, sur_pred *out, hw_err *e)
{
    return surrogate_predict_many(s, a, 1, &metric, &device, out, e);
}

int surrogate_predict_many(const sur_set *s, const hw_arch *a, int k, const int *metrics, const int *devices,
                           sur_pred *out, hw_err *e)
{
    for (int j = 0; j < k; j++) {
        int rc = check_model(s, a, metrics[j], devices[j], e);
        if (rc) return rc;
    }
    sur_input in;
    sur_input_make(a, &in);
    for (int j = 0; j < k; j++) {
        int dev = metrics[j] == SUR_PERPLEXITY ? 0 : devices[j];
        sur_set_predict(s, s->index[metrics[j]][dev], &in, &out[j]);
    }
    return HW_OK;
}

double surrogate_sample(const sur_set *s, int metric, int device, const sur_pred *p, hw_rng *r)
{
    if (metric == SUR_PERPLEXITY) device = 0;
    if (!surrogate_has(s, metric, device) || p->noise_std <= 0) return p->mean;
    const sur_model *m = &s->models[s->index[metric][device]];
    double u = hw_rng_uniform(r) * SUR_NQ - 0.5;
    double z;
    if (u <= 0) z = m->noise_q[0];
    else if (u >= SUR_NQ - 1) z = m->noise_q[SUR_NQ - 1];
    else {
        int q = (int)u;
        z = m->noise_q[q] + (u - q) * (m->noise_q[q + 1] - m->noise_q[q]);
    }
    double v = p->mean + p->noise_std * z;
    return v > 0.01 * p->mean ? v : 0.01 * p->mean;
}

int surrogate_bounds(const sur_set *s, int metric, int device, double *lo, double *hi, hw_err *e)
{
    if (!surrogate_has(s, metric, device))
        return hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s at scale %s",
                       metric >= 0 && metric < SUR_N_METRICS ? SUR_METRIC_NAMES[metric] : "?",
                       device >= 0 && device < SUR_N_DEVICES ? SUR_DEVICE_NAMES[device] : "?", hw_space_get(s->scale)->name);
    const sur_model *m = &s->models[s->index[metric][metric == SUR_PERPLEXITY ? 0 : device]];
    *lo = m->bound_lo;
    *hi = m->bound_hi;
    return HW_OK;
}

int sur_models_load(const char *dir, int scale, const char *device, sur_models **out, hw_err *e)
{
    *out = NULL;
    sur_models *ms = calloc(1, sizeof *ms);
    if (!ms) return hw_fail(e, HW_ENOMEM, "out of memory");
    ms->device = -1;
    if (device && sur_device_lookup(device, &ms->device, e)) { free(ms); return HW_EINVAL; }
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        if (scale >= 0 && sc != scale) continue;
        int rc = surrogate_load(dir, sc, &ms->set[sc], e);
        if (rc) { sur_models_free(ms); return rc; }
    }
    *out = ms;
    return HW_OK;
}

void sur_models_free(void *models)
{
    sur_models *ms = models;
    if (!ms) return;
    for (int sc = 0; sc < HW_N_SCALES; sc++) surrogate_free(ms->set[sc]);
    free(ms);
}

int sur_models_predict(const sur_models *ms, const hw_arch *a, int metric, sur_pred *out, hw_err *e)
{
    if (a->scale < 0 || a->scale >= HW_N_SCALES || !ms->set[a->scale])
        return hw_fail(e, HW_EINVAL, "no surrogate models loaded for scale %s",
                       hw_space_get(a->scale) ? hw_space_get(a->scale)->name : "?");
    if (metric != SUR_PERPLEXITY && ms->device < 0)
        return hw_fail(e, HW_EINVAL, "%s needs a device", SUR_METRIC_NAMES[metric]);
    return surrogate_predict(ms->set[a->scale], a, metric, metric == SUR_PERPLEXITY ? 0 : ms->device, out, e);
}
