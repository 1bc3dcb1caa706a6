/* surrogates/model_fit.c — training one model (sur_model_fit, model.h):
 * observed centres and spreads of the measurements, the base ridge, the
 * gradient-boosted mean and noise trees, the blend, the calibration and the
 * noise quantile table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/numeric.h"
#include "core/util.h"
#include "surrogates/model_internal.h"

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
    qsort(v, k, sizeof *v, hw_cmp_double);
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

double sur_coverage(const sur_data *d, int metric, int device, size_t i, double mean, double std, double z)
{
    double lo = mean - z * std, hi = mean + z * std;
    if (metric == SUR_PERPLEXITY) return d->perplexity[i] >= lo && d->perplexity[i] <= hi;
    const sur_series *s = &d->series[metric][device];
    if (s->kind == SUR_SERIES_MEANSTD) {
        double mu = s->mean[i], sd = s->std[i];
        if (sd <= 0) return mu >= lo && mu <= hi;
        return hw_normal_cdf((hi - mu) / sd) - hw_normal_cdf((lo - mu) / sd);
    }
    size_t k = sur_series_count(s, i), in = 0;
    const double *v = s->v + s->start[i];
    for (size_t j = 0; j < k; j++) in += v[j] >= lo && v[j] <= hi;
    return k ? (double)in / (double)k : 0;
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
    hw_cholesky_clamped(A, (size_t)p, (size_t)p);
    memcpy(b, r, (size_t)p * sizeof *b);
    hw_cholesky_forward(A, (size_t)p, (size_t)p, b);
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
    if (n < 20) { rc = hw_fail(e, HW_EINVAL, "%s/%s: only %zu architectures with data", SUR_METRIC_NAMES[metric], sur_data_device_name(d, device), n); goto out; }

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
            qsort(zs, nz, sizeof *zs, hw_cmp_double);
            for (int q = 0; q < SUR_NQ; q++) m->noise_q[q] = (float)quantile_sorted(zs, nz, (q + 0.5) / SUR_NQ);
        } else {
            /* standard normal quantiles (CPU energy: only mean and std known) */
            for (int q = 0; q < SUR_NQ; q++) m->noise_q[q] = (float)gsl_cdf_ugaussian_Pinv((q + 0.5) / SUR_NQ);
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
