/* indicators/stats.c — ranks, Friedman / Iman-Davenport, Nemenyi, Wilcoxon
 * signed-rank, Holm, IQM and its bootstrap interval (indicators/stats.h). */
#include "indicators/stats.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"

double hw_quantile_sorted(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void hw_rank_desc(const double *v, int k, double *rank)
{
    for (int i = 0; i < k; i++) {
        int greater = 0, equal = 0;
        for (int j = 0; j < k; j++) {
            if (v[j] > v[i]) greater++;
            else if (v[j] == v[i]) equal++;
        }
        rank[i] = greater + (equal + 1) / 2.0;
    }
}

int hw_friedman_test(const double *score, int n, int k, double *avg_rank, hw_friedman *r, hw_err *e)
{
    if (n < 2 || k < 2)
        return hw_fail(e, HW_EINVAL, "friedman: needs at least 2 problems and 2 optimizers, got %d and %d", n, k);
    double *rank = malloc((size_t)k * sizeof *rank);
    if (!rank) return hw_fail(e, HW_ENOMEM, "friedman: out of memory");
    for (int j = 0; j < k; j++) avg_rank[j] = 0;
    for (int i = 0; i < n; i++) {
        hw_rank_desc(score + (size_t)i * k, k, rank);
        for (int j = 0; j < k; j++) avg_rank[j] += rank[j];
    }
    free(rank);
    double sum_sq = 0;
    for (int j = 0; j < k; j++) {
        avg_rank[j] /= n;
        sum_sq += avg_rank[j] * avg_rank[j];
    }
    r->n = n;
    r->k = k;
    r->chi2 = 12.0 * n / (k * (k + 1.0)) * (sum_sq - k * (k + 1.0) * (k + 1.0) / 4.0);
    if (r->chi2 < 0) r->chi2 = 0;   /* rounding when all ranks are equal */
    r->df = k - 1;
    r->p = gsl_cdf_chisq_Q(r->chi2, r->df);
    r->df1 = k - 1;
    r->df2 = (k - 1.0) * (n - 1.0);
    double denom = n * (k - 1.0) - r->chi2;
    if (denom <= 1e-12 * n * (k - 1.0)) {
        r->f = DBL_MAX;
        r->p_f = 0;
    } else {
        r->f = (n - 1.0) * r->chi2 / denom;
        r->p_f = gsl_cdf_fdist_Q(r->f, r->df1, r->df2);
    }
    return HW_OK;
}

/* P(range of k standard normals <= w) = k int phi(z) (Phi(z + w) - Phi(z))^(k-1) dz */
typedef struct {
    int k;
    double w;
} range_arg;

static double range_integrand(double z, void *p)
{
    const range_arg *a = p;
    double d = gsl_cdf_ugaussian_P(z + a->w) - gsl_cdf_ugaussian_P(z);
    return a->k * exp(-0.5 * z * z) / sqrt(2 * M_PI) * pow(d, a->k - 1);
}

static int range_cdf(int k, double w, gsl_integration_workspace *ws, double *out)
{
    range_arg a = {k, w};
    gsl_function f = {range_integrand, &a};
    double err;
    return gsl_integration_qagi(&f, 1e-13, 1e-11, ws->limit, ws, out, &err);
}

int hw_nemenyi_q(int k, double alpha, double *q_alpha, hw_err *e)
{
    if (k < 2 || k > 1000 || !(alpha > 0 && alpha < 1))
        return hw_fail(e, HW_EINVAL, "nemenyi: needs 2 <= k <= 1000 and 0 < alpha < 1, got k = %d, alpha = %g", k, alpha);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    if (!ws) return hw_fail(e, HW_ENOMEM, "nemenyi: out of memory");
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double lo = 0, hi = 1, c = 0;
    int rc = HW_OK;
    /* bracket, then bisect: the cdf is increasing in w */
    while (rc == HW_OK && hi < 100) {
        if (range_cdf(k, hi, ws, &c)) rc = HW_ERANGE;
        else if (c >= 1 - alpha) break;
        else { lo = hi; hi *= 2; }
    }
    for (int it = 0; rc == HW_OK && it < 200 && hi - lo > 1e-12 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (range_cdf(k, mid, ws, &c)) rc = HW_ERANGE;
        else if (c < 1 - alpha) lo = mid;
        else hi = mid;
    }
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(ws);
    if (rc) return hw_fail(e, rc, "nemenyi: the range distribution's integral did not converge (k = %d)", k);
    *q_alpha = 0.5 * (lo + hi) / M_SQRT2;
    return HW_OK;
}

/* The null distribution of W+ when each of the m ranks rank2[i] / 2 (twice
 * the rank: ties make half ranks) is added with probability 1/2: *lower =
 * P(W+ <= w), *upper = P(W+ >= w).  Subset counts by sum, exact in doubles
 * up to 2^53 (m <= 50). */
static int signed_rank_exact(const int *rank2, int m, double w, double *lower, double *upper)
{
    size_t max = 0;
    for (int i = 0; i < m; i++) max += (size_t)rank2[i];
    double *c = calloc(max + 1, sizeof *c);
    if (!c) return HW_ENOMEM;
    c[0] = 1;
    for (int i = 0; i < m; i++)
        for (size_t s = max; s >= (size_t)rank2[i]; s--) c[s] += c[s - (size_t)rank2[i]];
    double lo = 0, up = 0, w2 = 2 * w;
    for (size_t s = 0; s <= max; s++) {
        if ((double)s <= w2) lo += c[s];
        if ((double)s >= w2) up += c[s];
    }
    free(c);
    *lower = ldexp(lo, -m);
    *upper = ldexp(up, -m);
    return HW_OK;
}

int hw_wilcoxon_test(const double *a, const double *b, int n, hw_wilcoxon *r, hw_err *e)
{
    memset(r, 0, sizeof *r);
    double *d = malloc(((size_t)n + 1) * sizeof *d), *ad = malloc(((size_t)n + 1) * sizeof *ad);
    int *rank2 = malloc(((size_t)n + 1) * sizeof *rank2);
    if (!d || !ad || !rank2) { free(d); free(ad); free(rank2); return hw_fail(e, HW_ENOMEM, "wilcoxon: out of memory"); }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) {
            free(d); free(ad); free(rank2);
            return hw_fail(e, HW_EINVAL, "wilcoxon: pair %d is not finite", i);
        }
        double x = a[i] - b[i];
        if (x != 0) { d[m] = x; ad[m] = fabs(x); m++; }
    }
    r->n = m;
    qsort(ad, (size_t)m, sizeof *ad, hw_cmp_double);
    /* the tie term sum(t^3 - t) of |d| */
    double tie_term = 0;
    int ties = 0;
    for (int i = 0; i < m;) {
        int j = i;
        while (j < m && ad[j] == ad[i]) j++;
        double t = j - i;
        if (t > 1) { ties = 1; tie_term += t * t * t - t; }
        i = j;
    }
    /* ranks of |d|, ties averaged (twice the rank is an integer) */
    for (int i = 0; i < m; i++) {
        double x = fabs(d[i]);
        int below = 0, equal = 0;
        for (int j = 0; j < m; j++) {
            if (ad[j] < x) below++;
            else if (ad[j] == x) equal++;
        }
        rank2[i] = 2 * below + equal + 1;
        if (d[i] > 0) r->w_plus += rank2[i] / 2.0;
        else r->w_minus += rank2[i] / 2.0;
    }
    free(d);
    free(ad);
    int rc = HW_OK;
    if (m == 0) {
        r->p = 1;
        r->exact = 1;
    } else if (n <= 50 && ((!ties && m == n) || n <= 13)) {
        /* scipy: exact without ties or zeros; otherwise, up to 13 pairs, the
         * complete permutation test over the signs, i.e. the same count */
        double lower, upper;
        if (signed_rank_exact(rank2, m, r->w_plus, &lower, &upper)) rc = hw_fail(e, HW_ENOMEM, "wilcoxon: out of memory");
        else r->p = fmin(1.0, 2 * fmin(lower, upper));
        r->exact = 1;
    } else {
        double mean = m * (m + 1) / 4.0;
        double var = m * (m + 1.0) * (2 * m + 1.0) / 24.0 - tie_term / 48.0;
        r->p = var > 0 ? fmin(1.0, 2 * gsl_cdf_ugaussian_P((fmin(r->w_plus, r->w_minus) - mean) / sqrt(var))) : 1;
    }
    free(rank2);
    return rc;
}

int hw_holm(const double *p, int m, double *adjusted, hw_err *e)
{
    int *order = malloc((size_t)(m > 0 ? m : 1) * sizeof *order);
    if (!order) return hw_fail(e, HW_ENOMEM, "holm: out of memory");
    for (int i = 0; i < m; i++) order[i] = i;
    /* insertion sort by p (m is small: pairs of optimizers), ties by index */
    for (int i = 1; i < m; i++)
        for (int j = i; j > 0 && p[order[j - 1]] > p[order[j]]; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    double run = 0;
    for (int i = 0; i < m; i++) {
        double v = fmin(1.0, (m - i) * p[order[i]]);
        if (v > run) run = v;
        adjusted[order[i]] = run;
    }
    free(order);
    return HW_OK;
}

/* IQM of sorted[0..n) */
static double iqm_sorted(const double *sorted, size_t n)
{
    size_t cut = n / 4;
    double s = 0;
    for (size_t i = cut; i < n - cut; i++) s += sorted[i];
    return s / (double)(n - 2 * cut);
}

int hw_iqm(const double *x, size_t n, double *iqm, hw_err *e)
{
    if (n == 0) return hw_fail(e, HW_EINVAL, "iqm: no values");
    double *s = malloc(n * sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "iqm: out of memory");
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, hw_cmp_double);
    *iqm = iqm_sorted(s, n);
    free(s);
    return HW_OK;
}

int hw_iqm_bootstrap(const double *x, const size_t *count, int n_strata, int n_boot, double alpha, uint64_t seed,
                     double *lo, double *hi, hw_err *e)
{
    if (n_strata < 1 || n_boot < 1 || !(alpha > 0 && alpha < 1))
        return hw_fail(e, HW_EINVAL, "bootstrap: needs a stratum, a replicate and 0 < alpha < 1");
    size_t n = 0;
    for (int s = 0; s < n_strata; s++) {
        if (count[s] == 0 || count[s] > UINT32_MAX) return hw_fail(e, HW_EINVAL, "bootstrap: stratum %d is empty", s);
        n += count[s];
    }
    double *draw = malloc(n * sizeof *draw), *rep = malloc((size_t)n_boot * sizeof *rep);
    if (!draw || !rep) { free(draw); free(rep); return hw_fail(e, HW_ENOMEM, "bootstrap: out of memory"); }
    hw_rng rng;
    hw_rng_seed(&rng, seed, HW_STREAM_BOOTSTRAP);
    for (int b = 0; b < n_boot; b++) {
        size_t at = 0, base = 0;
        for (int s = 0; s < n_strata; s++) {
            for (size_t i = 0; i < count[s]; i++) draw[at++] = x[base + hw_rng_below(&rng, (uint32_t)count[s])];
            base += count[s];
        }
        qsort(draw, n, sizeof *draw, hw_cmp_double);
        rep[b] = iqm_sorted(draw, n);
    }
    qsort(rep, (size_t)n_boot, sizeof *rep, hw_cmp_double);
    *lo = hw_quantile_sorted(rep, (size_t)n_boot, alpha / 2);
    *hi = hw_quantile_sorted(rep, (size_t)n_boot, 1 - alpha / 2);
    free(draw);
    free(rep);
    return HW_OK;
}
