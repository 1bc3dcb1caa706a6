/* surrogates/calibrate.c — a new device's model from a few measurements
 * (the method is in calibrate.h) and the measurement-file loader. */
#include "surrogates/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>

#include "core/lines.h"
#include "core/numeric.h"
#include "core/rng.h"
#include "core/util.h"
#include "space/analytic.h"

#define Z90 1.6448536269514722
enum { N_LAMBDA = 11 };   /* 10^-3 .. 10^2 in half decades */
enum { N_SCRATCH = SUR_BLEND_P - 1 };

void sur_calib_opts_default(sur_calib_opts *o, int metric, int device)
{
    memset(o, 0, sizeof *o);
    o->metric = metric;
    o->device = device;
    o->target_coverage = 0.905;
    o->seed = 1;
}

/* ---- ridge with a free intercept on rows where use[i] ---- */

/* Solve (Xc^T Xc + lam m I) b = Xc^T yc over the m used rows (Xc, yc centred
 * on those rows); *b0 the intercept.  X is n x p row-major. */
static void ridge_solve(const double *X, const double *y, const unsigned char *use, size_t n, int p, double lam,
                        double *A, double *mx, double *b, double *b0)
{
    double my = 0, m = 0;
    for (int a = 0; a < p; a++) mx[a] = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i]) {
            m += 1;
            my += y[i];
            for (int a = 0; a < p; a++) mx[a] += X[i * p + a];
        }
    my /= m;
    for (int a = 0; a < p; a++) mx[a] /= m;
    memset(A, 0, (size_t)p * p * sizeof *A);
    for (int a = 0; a < p; a++) b[a] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!use[i]) continue;
        const double *x = X + i * p;
        double yc = y[i] - my;
        for (int a = 0; a < p; a++) {
            double xa = x[a] - mx[a];
            b[a] += xa * yc;
            for (int c = 0; c <= a; c++) A[a * p + c] += xa * (x[c] - mx[c]);
        }
    }
    for (int a = 0; a < p; a++) A[a * p + a] += lam * m + 1e-9;
    hw_cholesky_clamped(A, (size_t)p, (size_t)p);
    hw_cholesky_forward(A, (size_t)p, (size_t)p, b);
    for (int i = p - 1; i >= 0; i--) {
        double t = b[i];
        for (int k = i + 1; k < p; k++) t -= A[k * p + i] * b[k];
        b[i] = t / A[i * p + i];
    }
    *b0 = my;
    for (int a = 0; a < p; a++) *b0 -= b[a] * mx[a];
}

/* Leave-one-out predictions of the ridge (one refit per arch). */
static void ridge_loo(const double *X, const double *y, size_t n, int p, double lam, double *work, double *loo)
{
    unsigned char *use = (unsigned char *)(work + (size_t)p * p + 2 * (size_t)p);
    double *A = work, *mx = work + (size_t)p * p, *b = mx + p, b0;
    memset(use, 1, n);
    for (size_t i = 0; i < n; i++) {
        use[i] = 0;
        ridge_solve(X, y, use, n, p, lam, A, mx, b, &b0);
        use[i] = 1;
        double v = b0;
        for (int a = 0; a < p; a++) v += b[a] * X[i * p + a];
        loo[i] = v;
    }
}

static double sq_err(const double *y, const double *f, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (y[i] - f[i]) * (y[i] - f[i]);
    return s / (double)n;
}

/* ---- the fit ---- */

/* The base models used as inputs: latency and energy models of base that are
 * not the target, not excluded and not stacked themselves. */
static int base_inputs(const sur_set *base, const sur_calib_opts *o, int *cols)
{
    int k = 0;
    if (o->scratch_only) return 0;
    for (int j = 0; j < base->n_models && k < SUR_STACK_MAX; j++) {
        const sur_model *m = &base->models[j];
        if (m->metric == SUR_PERPLEXITY || (m->flags & SUR_FLAG_STACK) || m->device >= SUR_MAX_DEVICES) continue;
        if (m->device == o->device || o->exclude[m->device]) continue;
        cols[k++] = j;
    }
    return k;
}

typedef struct {
    int kind;      /* 0 single, 1 ridge, 2 scratch */
    int col;       /* single: the input */
    double lam;
    double err;
} candidate;

int sur_calibrate_pred(const sur_set *base, const sur_data *d, const size_t *rows, size_t n_rows, const double *pred_log,
                       const sur_calib_opts *o, sur_model *out, sur_calib_info *info, hw_err *e)
{
    memset(out, 0, sizeof *out);
    if (info) memset(info, 0, sizeof *info);
    if (o->metric != SUR_LATENCY && o->metric != SUR_ENERGY)
        return hw_fail(e, HW_EINVAL, "calibration is for latency or energy");
    if (base->scale != d->scale) return hw_fail(e, HW_EINVAL, "base models of scale %s, measurements of scale %s",
                                                hw_space_get(base->scale)->name, hw_space_get(d->scale)->name);
    size_t nall = rows ? n_rows : d->n;
    int cols[SUR_STACK_MAX];
    int nb = base_inputs(base, o, cols);
    int pr = nb + 2;                       /* ridge inputs: base log means, log params, log FLOPs */
    int pmax = pr > N_SCRATCH ? pr : N_SCRATCH;
    size_t *id = malloc((nall + 1) * sizeof *id);
    double *y = malloc((nall + 1) * sizeof *y), *rs = malloc((nall + 1) * sizeof *rs);
    sur_input *in = malloc((nall + 1) * sizeof *in);
    double *XR = malloc((nall + 1) * (size_t)pr * sizeof *XR), *XS = malloc((nall + 1) * N_SCRATCH * sizeof *XS);
    double *loo = malloc((nall + 1) * sizeof *loo), *best_loo = malloc((nall + 1) * sizeof *best_loo);
    double *work = malloc(((size_t)pmax * pmax + 2 * (size_t)pmax) * sizeof *work + nall + 8);
    int rc = HW_OK;
    if (!id || !y || !rs || !in || !XR || !XS || !loo || !best_loo || !work) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
    size_t n = 0;
    for (size_t r = 0; r < nall; r++) {
        size_t i = rows ? rows[r] : r;
        double c, s;
        if (!sur_observed(d, o->metric, o->device, i, &c, &s)) continue;
        id[n] = i;
        y[n] = log(c);
        rs[n] = sur_observed_rel_sd(d, o->metric, o->device, i);
        sur_input_make(&d->arch[i], &in[n]);
        for (int j = 0; j < nb; j++) {
            double v;
            if (pred_log) v = pred_log[i * (size_t)base->n_models + (size_t)cols[j]];
            else {
                sur_input t = in[n];
                sur_pred pp;
                sur_set_predict(base, cols[j], &t, &pp);
                v = log(pp.mean);
            }
            XR[n * pr + j] = v;
        }
        XR[n * pr + nb] = in[n].zb[14];
        XR[n * pr + nb + 1] = in[n].zb[15];
        for (int k = 0; k < N_SCRATCH; k++) XS[n * N_SCRATCH + k] = in[n].zb[1 + k];
        n++;
    }
    if (n < 3) {
        rc = hw_fail(e, HW_EINVAL, "%s on %s: %zu measured architectures, need at least 3", SUR_METRIC_NAMES[o->metric],
                     sur_data_device_name(d, o->device), n);
        goto out;
    }
    /* standardise the ridge and scratch inputs (sd over the K archs) */
    double sdr[SUR_STACK_MAX + 2], sds[N_SCRATCH];
    for (int pass = 0; pass < 2; pass++) {
        double *X = pass ? XS : XR, *s = pass ? sds : sdr;
        int p = pass ? N_SCRATCH : pr;
        for (int a = 0; a < p; a++) {
            double m = 0, v = 0;
            for (size_t i = 0; i < n; i++) m += X[i * p + a];
            m /= (double)n;
            for (size_t i = 0; i < n; i++) v += (X[i * p + a] - m) * (X[i * p + a] - m);
            s[a] = v > 1e-24 * (double)n ? sqrt(v / (double)n) : 0;
            for (size_t i = 0; i < n; i++) X[i * p + a] = s[a] > 0 ? X[i * p + a] / s[a] : 0;
        }
    }
    /* candidates by leave-one-out error; ties keep the earlier (simpler) one */
    candidate best = {-1, -1, 0, INFINITY};
    for (int j = 0; j < nb; j++) {
        if (sdr[j] == 0) continue;
        double *X1 = malloc((n + 1) * sizeof *X1);
        if (!X1) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
        for (size_t i = 0; i < n; i++) X1[i] = XR[i * pr + j];
        ridge_loo(X1, y, n, 1, 0, work, loo);
        free(X1);
        double err = sq_err(y, loo, n);
        if (err < best.err) { best = (candidate){0, j, 0, err}; memcpy(best_loo, loo, n * sizeof *loo); }
    }
    for (int kind = 1; kind <= 2; kind++) {
        if (kind == 1 && nb == 0) continue;
        for (int l = 0; l < N_LAMBDA; l++) {
            double lam = pow(10.0, -3.0 + 0.5 * l);
            if (kind == 1) ridge_loo(XR, y, n, pr, lam, work, loo);
            else ridge_loo(XS, y, n, N_SCRATCH, lam, work, loo);
            double err = sq_err(y, loo, n);
            if (err < best.err) { best = (candidate){kind, -1, lam, err}; memcpy(best_loo, loo, n * sizeof *loo); }
        }
    }
    if (best.kind < 0) { rc = hw_fail(e, HW_EINVAL, "the measured architectures do not vary"); goto out; }

    /* refit the winner on all archs; coefficients on the raw inputs */
    out->metric = o->metric;
    out->device = o->device;
    out->flags = SUR_FLAG_STACK;
    out->calib = 1;
    out->noise_calib = 1;
    {
        unsigned char *use = malloc(n + 1);
        double *A = work, *mx = work + (size_t)pmax * pmax, *b = mx + pmax, b0;
        if (!use) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
        memset(use, 1, n);
        if (best.kind == 0) {
            double *X1 = malloc((n + 1) * sizeof *X1);
            if (!X1) { free(use); rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
            for (size_t i = 0; i < n; i++) X1[i] = XR[i * pr + best.col];
            ridge_solve(X1, y, use, n, 1, 0, A, mx, b, &b0);
            free(X1);
            out->stack_n = 1;
            out->stack_metric[0] = base->models[cols[best.col]].metric;
            out->stack_device[0] = base->models[cols[best.col]].device;
            out->stack_c[0] = b[0] / sdr[best.col];
            out->blend_b[0] = b0;
        } else if (best.kind == 1) {
            ridge_solve(XR, y, use, n, pr, best.lam, A, mx, b, &b0);
            for (int j = 0; j < nb; j++) {
                out->stack_metric[out->stack_n] = base->models[cols[j]].metric;
                out->stack_device[out->stack_n] = base->models[cols[j]].device;
                out->stack_c[out->stack_n++] = sdr[j] > 0 ? b[j] / sdr[j] : 0;
            }
            out->blend_b[0] = b0;
            out->blend_b[14] = sdr[nb] > 0 ? b[nb] / sdr[nb] : 0;
            out->blend_b[15] = sdr[nb + 1] > 0 ? b[nb + 1] / sdr[nb + 1] : 0;
        } else {
            ridge_solve(XS, y, use, n, N_SCRATCH, best.lam, A, mx, b, &b0);
            out->blend_b[0] = b0;
            for (int k = 0; k < N_SCRATCH; k++) out->blend_b[1 + k] = sds[k] > 0 ? b[k] / sds[k] : 0;
        }
        free(use);
    }
    out->model_sd = sqrt(best.err);
    if ((rc = sur_gbm_constant(&out->mean_gbm, 0))) { rc = hw_fail(e, rc, "out of memory"); goto out; }

    /* noise: the median relative sample sd of the measured archs */
    {
        size_t nn = 0;
        for (size_t i = 0; i < n; i++)
            if (rs[i] > 0) loo[nn++] = rs[i];
        double rn = 0;
        if (nn > 0) {
            qsort(loo, nn, sizeof *loo, hw_cmp_double);
            rn = nn % 2 ? loo[nn / 2] : 0.5 * (loo[nn / 2 - 1] + loo[nn / 2]);
        }
        if (rn > 0) {
            if ((rc = sur_gbm_constant(&out->noise_gbm, log(rn)))) { rc = hw_fail(e, rc, "out of memory"); goto out; }
            out->flags |= SUR_FLAG_NOISE;
        }
        /* calibration of std on the leave-one-out means (as model_fit.c) */
        for (int stage = 0; stage < 2; stage++) {
            double lo = 0, hi = stage == 0 ? 50 : 1;
            for (int it = 0; it < 60; it++) {
                double c = 0.5 * (lo + hi), cov = 0;
                for (size_t i = 0; i < n; i++) {
                    double mean = exp(best_loo[i]), a = stage == 0 ? 1 : c, cm = stage == 0 ? c * out->model_sd : 0;
                    double s = mean * sqrt(a * a * rn * rn + cm * cm);
                    cov += sur_coverage(d, o->metric, o->device, id[i], mean, s, Z90);
                }
                cov /= (double)n;
                if (cov < o->target_coverage) lo = c;
                else hi = c;
            }
            if (stage == 0) {
                /* small-sample correction: the coverage was fitted on the K archs
                 * themselves; widen by the Student-t over the normal quantile
                 * (K = 5: x1.30, 10: x1.11, 20: x1.05, 50: x1.02) */
                out->calib = 0.5 * (lo + hi) * gsl_cdf_tdist_Pinv(0.95, (double)n - 1) / Z90;
                if (out->calib > 1e-6 || rn <= 0) break;
                out->calib = 0;
            } else {
                out->noise_calib = 0.5 * (lo + hi);
                if (!(out->noise_calib > 0)) out->noise_calib = 1e-6;
            }
        }
        /* standardised measurement residuals -> quantile table */
        const sur_series *se = &d->series[o->metric][o->device];
        size_t cap = 0, nz = 0;
        if (se->kind == SUR_SERIES_SAMPLES)
            for (size_t i = 0; i < n; i++) cap += sur_series_count(se, id[i]);
        double *zs = cap ? malloc(cap * sizeof *zs) : NULL;
        if (zs)
            for (size_t i = 0; i < n; i++) {
                if (!(rs[i] > 0)) continue;
                size_t k = sur_series_count(se, id[i]);
                const double *v = se->v + se->start[id[i]];
                double c = exp(y[i]);
                for (size_t j = 0; j < k; j++) zs[nz++] = (v[j] - c) / (c * rs[i]);
            }
        if (nz >= 100) {
            qsort(zs, nz, sizeof *zs, hw_cmp_double);
            for (int q = 0; q < SUR_NQ; q++) {
                double h = (q + 0.5) / SUR_NQ * (double)(nz - 1);
                size_t lo = (size_t)floor(h);
                out->noise_q[q] = (float)(lo + 1 >= nz ? zs[nz - 1] : zs[lo] + (h - (double)lo) * (zs[lo + 1] - zs[lo]));
            }
        } else {
            for (int q = 0; q < SUR_NQ; q++) out->noise_q[q] = (float)gsl_cdf_ugaussian_Pinv((q + 0.5) / SUR_NQ);
        }
        free(zs);
    }

    /* bounds over the measured archs and random archs of the space */
    {
        out->bound_lo = INFINITY;
        out->bound_hi = -INFINITY;
        hw_rng r;
        hw_rng_seed(&r, o->seed, HW_STREAM_SPLIT);
        const hw_space *sp = hw_space_get(d->scale);
        for (size_t i = 0; i < n + 2000; i++) {
            sur_input t;
            if (i < n) t = in[i];
            else {
                hw_arch a;
                hw_arch_sample(sp, &r, &a);
                sur_input_make(&a, &t);
            }
            sur_pred pp;
            if (pred_log && i < n) {
                sur_calib_fill_stack(base, out, pred_log + id[i] * (size_t)base->n_models, &t);
                sur_model_predict(out, &t, &pp);
            } else {
                sur_set_predict_model(base, out, &t, &pp);
            }
            if (pp.mean < out->bound_lo) out->bound_lo = pp.mean;
            if (pp.mean > out->bound_hi) out->bound_hi = pp.mean;
        }
        if (!(out->bound_lo > 0) || !isfinite(out->bound_hi)) { rc = hw_fail(e, HW_ERANGE, "calibrated predictions are not finite"); goto out; }
    }
    if (info) {
        info->n_arch = n;
        info->loo_rms = out->model_sd;
        if (best.kind == 0)
            snprintf(info->method, sizeof info->method, "single %s %s", SUR_METRIC_NAMES[out->stack_metric[0]],
                     surrogate_device_name(base, out->stack_device[0]));
        else
            snprintf(info->method, sizeof info->method, "%s lambda=%g (%d inputs)", best.kind == 1 ? "ridge" : "scratch",
                     best.lam, best.kind == 1 ? pr : N_SCRATCH);
    }
out:
    free(id); free(y); free(rs); free(in); free(XR); free(XS); free(loo); free(best_loo); free(work);
    if (rc) sur_model_free(out);
    return rc;
}

int sur_calibrate(const sur_set *base, const sur_data *d, const size_t *rows, size_t n, const sur_calib_opts *o,
                  sur_model *out, sur_calib_info *info, hw_err *e)
{
    return sur_calibrate_pred(base, d, rows, n, NULL, o, out, info, e);
}

void sur_calib_fill_stack(const sur_set *base, const sur_model *m, const double *pred_log_row, sur_input *in)
{
    for (int j = 0; j < m->stack_n; j++)
        in->stack_log[j] = pred_log_row[base->index[m->stack_metric[j]][m->stack_device[j]]];
}

/* ---- measurement files ---- */

static int add_arch(sur_data *d, size_t *cap, const hw_arch *a, const char *name, hw_err *e)
{
    if (d->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        hw_arch *na = realloc(d->arch, nc * sizeof *na);
        if (na) d->arch = na;
        char **nn = realloc(d->name, nc * sizeof *nn);
        if (nn) d->name = nn;
        double *np = realloc(d->params, nc * sizeof *np);
        if (np) d->params = np;
        double *nf = realloc(d->flops, nc * sizeof *nf);
        if (nf) d->flops = nf;
        double *nq = realloc(d->perplexity, nc * sizeof *nq);
        if (nq) d->perplexity = nq;
        if (!na || !nn || !np || !nf || !nq) return hw_fail(e, HW_ENOMEM, "out of memory");
        *cap = nc;
    }
    d->arch[d->n] = *a;
    d->name[d->n] = strdup(name);
    if (!d->name[d->n]) return hw_fail(e, HW_ENOMEM, "out of memory");
    d->params[d->n] = (double)hw_analytic_params(a);
    d->flops[d->n] = (double)hw_analytic_flops(a);
    d->perplexity[d->n] = NAN;
    d->n++;
    return HW_OK;
}

/* One line: arch, then samples or mean/std, optional unit; nothing else. */
static int measurement_line(const char *path, long ln, const cJSON *o, int scale, int metric, size_t seen_n, char *const *seen_name, hw_arch *a, const char **name, double **v, int *k,
                            double *mean, double *std, hw_err *e)
{
    const hw_space *sp = hw_space_get(scale);
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        const char *key = it->string;
        if (strcmp(key, "arch") && strcmp(key, "samples") && strcmp(key, "unit") && strcmp(key, "mean") && strcmp(key, "std"))
            return hw_fail(e, HW_EPARSE, "%s:%ld: unknown key '%s' (expected arch, samples or mean and std, unit)", path, ln, key);
    }
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "arch");
    if (!cJSON_IsString(j)) return hw_fail(e, HW_EPARSE, "%s:%ld: missing string key 'arch'", path, ln);
    *name = j->valuestring;
    if (strncmp(*name, "gpt-", 4) == 0 && strncmp(*name + 4, sp->name, strlen(sp->name)) != 0) {
        char other[8] = {0};
        sscanf(*name + 4, "%7[a-z]", other);
        return hw_fail(e, HW_EPARSE, "%s:%ld: arch of scale %s, expected scale %s (--scale)", path, ln, other, sp->name);
    }
    hw_err ae = {0};
    if (hw_arch_parse(*name, sp, a, &ae)) return hw_fail(e, HW_EPARSE, "%s:%ld: not an architecture of the %s space: %s", path, ln, sp->name, ae.msg);
    for (size_t i = 0; i < seen_n; i++)
        if (strcmp(seen_name[i], *name) == 0) return hw_fail(e, HW_EPARSE, "%s:%ld: repeated arch '%s'", path, ln, *name);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "unit");
    if (u && (!cJSON_IsString(u) || strcmp(u->valuestring, SUR_METRIC_UNITS[metric]) != 0))
        return hw_fail(e, HW_EPARSE, "%s:%ld: unit must be \"%s\" for %s", path, ln, SUR_METRIC_UNITS[metric], SUR_METRIC_NAMES[metric]);
    const cJSON *smp = cJSON_GetObjectItemCaseSensitive(o, "samples");
    *k = 0;
    if (smp) {
        int ns = cJSON_GetArraySize(smp);
        if (!cJSON_IsArray(smp) || ns < 1) return hw_fail(e, HW_EPARSE, "%s:%ld: 'samples' must be a non-empty array of numbers", path, ln);
        *v = malloc((size_t)ns * sizeof **v);
        if (!*v) return hw_fail(e, HW_ENOMEM, "out of memory");
        const cJSON *x;
        cJSON_ArrayForEach(x, smp) {
            if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) || x->valuedouble <= 0) {
                free(*v);
                *v = NULL;
                return hw_fail(e, HW_EPARSE, "%s:%ld: samples[%d] is not a positive finite number", path, ln, *k);
            }
            (*v)[(*k)++] = x->valuedouble;
        }
        return HW_OK;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mean"), *s = cJSON_GetObjectItemCaseSensitive(o, "std");
    if (!m || !s) return hw_fail(e, HW_EPARSE, "%s:%ld: needs 'samples' or 'mean' and 'std'", path, ln);
    if (!cJSON_IsNumber(m) || !isfinite(m->valuedouble) || m->valuedouble <= 0 || !cJSON_IsNumber(s) ||
        !isfinite(s->valuedouble) || s->valuedouble < 0)
        return hw_fail(e, HW_EPARSE, "%s:%ld: need finite mean > 0 and std >= 0", path, ln);
    *mean = m->valuedouble;
    *std = s->valuedouble;
    return HW_OK;
}

int sur_measurements_load(const char *path, int scale, int metric, int device, const char *name, sur_data *d,
                          hw_err *e)
{
    memset(d, 0, sizeof *d);
    d->scale = scale;
    if (device >= SUR_N_DEVICES) {
        d->n_own = device - SUR_N_DEVICES + 1;
        snprintf(d->own[device - SUR_N_DEVICES], SUR_DEVICE_NAME_MAX, "%s", name);
    }
    hw_lines *l;
    int rc = hw_lines_open(path, &l, e);
    if (rc) return rc;
    size_t cap = 0, vcap = 0, nv = 0;
    double *vals = NULL, *means = NULL, *stds = NULL;
    size_t *starts = NULL;
    int kind = 0;
    char *line;
    size_t len;
    int got;
    while ((got = hw_lines_next(l, &line, &len, e)) == 1) {
        long ln = hw_lines_number(l);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r' || line[len - 1] == '\t')) line[--len] = 0;
        if (len == 0) continue;
        cJSON *o = cJSON_Parse(line);
        if (!o || !cJSON_IsObject(o)) {
            cJSON_Delete(o);
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: expected one JSON object per line (invalid JSON, or NaN/Infinity, which JSON does not have)", path, ln);
            break;
        }
        hw_arch a;
        const char *an = NULL;
        double *v = NULL, mean = 0, std = 0;
        int k = 0;
        rc = measurement_line(path, ln, o, scale, metric, d->n, d->name, &a, &an, &v, &k, &mean, &std, e);
        int this_kind = k > 0 ? SUR_SERIES_SAMPLES : SUR_SERIES_MEANSTD;
        if (!rc && kind && kind != this_kind) rc = hw_fail(e, HW_EPARSE, "%s:%ld: mixes 'samples' lines and 'mean'/'std' lines", path, ln);
        if (!rc) rc = add_arch(d, &cap, &a, an, e);
        cJSON_Delete(o);
        if (rc) { free(v); break; }
        kind = this_kind;
        size_t *ns = realloc(starts, (d->n + 1) * sizeof *ns);
        double *nm = realloc(means, d->n * sizeof *nm), *nsd = realloc(stds, d->n * sizeof *nsd);
        if (ns) starts = ns;
        if (nm) means = nm;
        if (nsd) stds = nsd;
        if (!ns || !nm || !nsd) { free(v); rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        if (d->n == 1) starts[0] = 0;
        while (nv + (size_t)k > vcap) {
            vcap = vcap ? 2 * vcap : 256;
            double *nvv = realloc(vals, vcap * sizeof *nvv);
            if (!nvv) { free(v); rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
            vals = nvv;
        }
        if (rc) break;
        if (k) memcpy(vals + nv, v, (size_t)k * sizeof *v);
        nv += (size_t)k;
        starts[d->n] = nv;
        means[d->n - 1] = mean;
        stds[d->n - 1] = std;
        free(v);
    }
    if (got < 0) rc = got;
    hw_lines_close(l);
    if (!rc && d->n == 0) rc = hw_fail(e, HW_EPARSE, "%s: no measurements (empty file)", path);
    if (!rc) {
        sur_series *s = &d->series[metric][device];
        s->kind = kind;
        if (kind == SUR_SERIES_SAMPLES) {
            s->start = starts; starts = NULL;
            s->v = vals ? vals : malloc(sizeof *s->v); vals = NULL;
        } else {
            s->mean = means; means = NULL;
            s->std = stds; stds = NULL;
        }
    }
    free(vals); free(means); free(stds); free(starts);
    if (rc) sur_data_free(d);
    return rc;
}
