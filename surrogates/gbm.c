#include "surrogates/gbm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Thresholds of one feature: midpoints between distinct values, or, with more
 * than 256 distinct values, between 255 evenly spaced distinct-value ranks. */
static int feature_thresholds(const float *X, size_t n, int F, int f, float *tmp, float *thr)
{
    for (size_t r = 0; r < n; r++) tmp[r] = X[r * F + f];
    qsort(tmp, n, sizeof *tmp, cmp_float);
    size_t nd = 0;
    for (size_t r = 0; r < n; r++)
        if (nd == 0 || tmp[r] != tmp[nd - 1]) tmp[nd++] = tmp[r];
    int nt = 0;
    if (nd <= 256) {
        for (size_t i = 0; i + 1 < nd; i++) {
            float t = (float)(tmp[i] + 0.5 * ((double)tmp[i + 1] - tmp[i]));
            thr[nt++] = t >= tmp[i + 1] ? tmp[i] : t;
        }
    } else {
        for (int k = 1; k < 256; k++) {
            size_t i = (size_t)((double)k * (double)nd / 256.0);
            if (i == 0 || i >= nd) continue;
            float t = (float)(tmp[i - 1] + 0.5 * ((double)tmp[i] - tmp[i - 1]));
            t = t >= tmp[i] ? tmp[i - 1] : t;
            if (nt == 0 || t > thr[nt - 1]) thr[nt++] = t;
        }
    }
    return nt;
}

/* bin = number of thresholds strictly below x (so x <= thr[b] <=> bin <= b). */
static uint8_t bin_of(const float *thr, int nt, float x)
{
    int lo = 0, hi = nt;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (thr[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return (uint8_t)lo;
}

static int gbm_fit_one(const float *X, size_t n, int F, const double *y, const sur_gbm_params *p,
                       sur_gbm *out, hw_err *e);

/* Averaging bags ensembles: one tree list, leaves scaled by 1 / bags, base the
 * mean of the bases; prediction is then the mean of the ensembles'. */
int sur_gbm_fit(const float *X, size_t n, int F, const double *y, const sur_gbm_params *p,
                sur_gbm *out, hw_err *e)
{
    int B = p->bags > 1 ? p->bags : 1;
    if (B == 1) return gbm_fit_one(X, n, F, y, p, out, e);
    memset(out, 0, sizeof *out);
    const int D = p->depth, n_int = (1 << D) - 1, n_leaf = 1 << D, T = p->n_trees;
    if (D < 1 || D > SUR_GBM_MAX_DEPTH || T < 0)
        return hw_fail(e, HW_EINVAL, "gbm: bad sizes (n=%zu, features=%d, depth=%d)", n, F, D);
    out->feat = calloc((size_t)B * T * n_int + 1, 1);
    out->thr = calloc((size_t)B * T * n_int + 1, sizeof *out->thr);
    out->leaf = calloc((size_t)B * T * n_leaf + 1, sizeof *out->leaf);
    if (!out->feat || !out->thr || !out->leaf) { sur_gbm_free(out); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    out->n_feat = F; out->depth = D; out->n_trees = B * T;
    for (int b = 0; b < B; b++) {
        sur_gbm_params q = *p;
        q.bags = 1;
        q.seed = hw_splitmix64(p->seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(b + 1));
        sur_gbm one;
        int rc = gbm_fit_one(X, n, F, y, &q, &one, e);
        if (rc) { sur_gbm_free(out); return rc; }
        memcpy(out->feat + (size_t)b * T * n_int, one.feat, (size_t)T * n_int);
        memcpy(out->thr + (size_t)b * T * n_int, one.thr, (size_t)T * n_int * sizeof *out->thr);
        for (size_t j = 0; j < (size_t)T * n_leaf; j++)
            out->leaf[(size_t)b * T * n_leaf + j] = (float)(one.leaf[j] / B);
        out->base += one.base / B;
        sur_gbm_free(&one);
    }
    return HW_OK;
}

static int gbm_fit_one(const float *X, size_t n, int F, const double *y, const sur_gbm_params *p,
                       sur_gbm *out, hw_err *e)
{
    memset(out, 0, sizeof *out);
    if (n < 2 || F < 1 || F > 255 || p->depth < 1 || p->depth > SUR_GBM_MAX_DEPTH || p->n_trees < 0)
        return hw_fail(e, HW_EINVAL, "gbm: bad sizes (n=%zu, features=%d, depth=%d)", n, F, p->depth);
    const int D = p->depth, n_int = (1 << D) - 1, n_leaf = 1 << D;
    float *thr = malloc((size_t)F * 256 * sizeof *thr);
    int *nthr = malloc((size_t)F * sizeof *nthr);
    int *off = malloc((size_t)(F + 1) * sizeof *off);
    float *tmp = malloc(n * sizeof *tmp);
    uint8_t *B = malloc(n * (size_t)F);
    double *pred = malloc(n * sizeof *pred), *g = malloc(n * sizeof *g);
    int *pos = malloc(n * sizeof *pos);
    unsigned char *in = malloc(n);
    out->feat = calloc((size_t)p->n_trees * n_int + 1, 1);
    out->thr = calloc((size_t)p->n_trees * n_int + 1, sizeof *out->thr);
    out->leaf = calloc((size_t)p->n_trees * n_leaf + 1, sizeof *out->leaf);
    double *hs = NULL, *ls = NULL;
    int *hc = NULL, *lc = NULL;
    int rc = HW_OK;
    if (!thr || !nthr || !off || !tmp || !B || !pred || !g || !pos || !in || !out->feat || !out->thr || !out->leaf) {
        rc = hw_fail(e, HW_ENOMEM, "gbm: out of memory");
        goto done;
    }
    off[0] = 0;
    for (int f = 0; f < F; f++) {
        nthr[f] = feature_thresholds(X, n, F, f, tmp, thr + (size_t)f * 256);
        off[f + 1] = off[f] + nthr[f] + 1;
    }
    for (size_t r = 0; r < n; r++)
        for (int f = 0; f < F; f++) B[r * F + f] = bin_of(thr + (size_t)f * 256, nthr[f], X[r * F + f]);
    size_t nb = (size_t)off[F];
    hs = malloc((size_t)(n_leaf / 2) * nb * sizeof *hs);
    hc = malloc((size_t)(n_leaf / 2) * nb * sizeof *hc);
    ls = malloc((size_t)n_leaf * sizeof *ls);
    lc = malloc((size_t)n_leaf * sizeof *lc);
    if (!hs || !hc || !ls || !lc) { rc = hw_fail(e, HW_ENOMEM, "gbm: out of memory"); goto done; }

    double mean = 0;
    for (size_t r = 0; r < n; r++) mean += y[r];
    mean /= (double)n;
    out->base = mean;
    out->n_feat = F; out->depth = D; out->n_trees = p->n_trees;
    for (size_t r = 0; r < n; r++) pred[r] = mean;
    hw_rng rng;
    hw_rng_seed(&rng, p->seed, HW_STREAM_TRAIN);

    for (int t = 0; t < p->n_trees; t++) {
        uint8_t *tf = out->feat + (size_t)t * n_int;
        float *tt = out->thr + (size_t)t * n_int;
        float *tl = out->leaf + (size_t)t * n_leaf;
        for (size_t r = 0; r < n; r++) {
            g[r] = y[r] - pred[r];
            pos[r] = 0;
            in[r] = p->subsample >= 1.0 || hw_rng_uniform(&rng) < p->subsample;
        }
        for (int lev = 0; lev < D; lev++) {
            int nn = 1 << lev;
            memset(hs, 0, (size_t)nn * nb * sizeof *hs);
            memset(hc, 0, (size_t)nn * nb * sizeof *hc);
            for (size_t r = 0; r < n; r++) {
                if (!in[r]) continue;
                double *h = hs + (size_t)pos[r] * nb;
                int *c = hc + (size_t)pos[r] * nb;
                const uint8_t *b = B + r * F;
                for (int f = 0; f < F; f++) { h[off[f] + b[f]] += g[r]; c[off[f] + b[f]]++; }
            }
            for (int node = 0; node < nn; node++) {
                const double *h = hs + (size_t)node * nb;
                const int *c = hc + (size_t)node * nb;
                double G = 0;
                int N = 0;
                for (int k = 0; k <= nthr[0]; k++) { G += h[k]; N += c[k]; }
                double parent = G * G / (N + p->lambda), best = 1e-12;
                int bf = -1, bb = 0;
                for (int f = 0; f < F; f++) {
                    double GL = 0;
                    int NL = 0;
                    for (int b = 0; b < nthr[f]; b++) {
                        GL += h[off[f] + b]; NL += c[off[f] + b];
                        int NR = N - NL;
                        if (NL < p->min_leaf) continue;
                        if (NR < p->min_leaf) break;
                        double GR = G - GL;
                        double gain = GL * GL / (NL + p->lambda) + GR * GR / (NR + p->lambda) - parent;
                        if (gain > best) { best = gain; bf = f; bb = b; }
                    }
                }
                int idx = nn - 1 + node;
                if (bf < 0) { tf[idx] = 0; tt[idx] = INFINITY; }
                else { tf[idx] = (uint8_t)bf; tt[idx] = thr[(size_t)bf * 256 + bb]; }
                /* stash the split bin in hc's first slot is not needed: route below */
                hc[(size_t)node * nb] = bf < 0 ? -1 : bf;
                hc[(size_t)node * nb + 1] = bb;
            }
            for (size_t r = 0; r < n; r++) {
                int node = pos[r];
                int bf = hc[(size_t)node * nb], bb = hc[(size_t)node * nb + 1];
                int right = bf >= 0 && B[r * F + bf] > bb;
                pos[r] = 2 * node + right;
            }
        }
        for (int j = 0; j < n_leaf; j++) { ls[j] = 0; lc[j] = 0; }
        for (size_t r = 0; r < n; r++)
            if (in[r]) { ls[pos[r]] += g[r]; lc[pos[r]]++; }
        for (int j = 0; j < n_leaf; j++) tl[j] = (float)(p->learning_rate * ls[j] / (lc[j] + p->lambda));
        for (size_t r = 0; r < n; r++) pred[r] += tl[pos[r]];
    }
done:
    free(thr); free(nthr); free(off); free(tmp); free(B); free(pred); free(g); free(pos); free(in);
    free(hs); free(hc); free(ls); free(lc);
    if (rc != HW_OK) sur_gbm_free(out);
    return rc;
}

double sur_gbm_predict(const sur_gbm *g, const float *x)
{
    const int D = g->depth, n_int = (1 << D) - 1, n_leaf = 1 << D, T = g->n_trees;
    double s = g->base;
    int k = 0;
    /* four trees at a time: independent traversals overlap in the pipeline;
     * the leaves are still added in tree order */
    for (; k + 4 <= T; k += 4) {
        const uint8_t *f0 = g->feat + (size_t)k * n_int, *f1 = f0 + n_int, *f2 = f1 + n_int, *f3 = f2 + n_int;
        const float *t0 = g->thr + (size_t)k * n_int, *t1 = t0 + n_int, *t2 = t1 + n_int, *t3 = t2 + n_int;
        int i0 = 0, i1 = 0, i2 = 0, i3 = 0;
        for (int d = 0; d < D; d++) {
            i0 = 2 * i0 + 1 + (x[f0[i0]] > t0[i0]);
            i1 = 2 * i1 + 1 + (x[f1[i1]] > t1[i1]);
            i2 = 2 * i2 + 1 + (x[f2[i2]] > t2[i2]);
            i3 = 2 * i3 + 1 + (x[f3[i3]] > t3[i3]);
        }
        const float *l = g->leaf + (size_t)k * n_leaf;
        s += l[i0 - n_int];
        s += l[n_leaf + i1 - n_int];
        s += l[2 * n_leaf + i2 - n_int];
        s += l[3 * n_leaf + i3 - n_int];
    }
    for (; k < T; k++) {
        const uint8_t *f = g->feat + (size_t)k * n_int;
        const float *t = g->thr + (size_t)k * n_int;
        int i = 0;
        for (int d = 0; d < D; d++) i = 2 * i + 1 + (x[f[i]] > t[i]);
        s += g->leaf[(size_t)k * n_leaf + (size_t)(i - n_int)];
    }
    return s;
}

void sur_gbm_predict_staged(const sur_gbm *g, const float *x, double *cum)
{
    const int D = g->depth, n_int = (1 << D) - 1, n_leaf = 1 << D;
    double s = g->base;
    for (int k = 0; k < g->n_trees; k++) {
        const uint8_t *f = g->feat + (size_t)k * n_int;
        const float *t = g->thr + (size_t)k * n_int;
        int i = 0;
        for (int d = 0; d < D; d++) i = 2 * i + 1 + (x[f[i]] > t[i]);
        s += g->leaf[(size_t)k * n_leaf + (size_t)(i - n_int)];
        cum[k] = s;
    }
}

void sur_gbm_free(sur_gbm *g)
{
    free(g->feat); free(g->thr); free(g->leaf);
    memset(g, 0, sizeof *g);
}
