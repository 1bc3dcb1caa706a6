/* indicators/stats.h — statistics for comparing optimizers over seeds and
 * problems: quantiles, ranks, the Friedman test with the Iman-Davenport F,
 * the Nemenyi critical difference, Wilcoxon's signed-rank test with Holm's
 * correction, and the interquartile mean with a stratified bootstrap
 * confidence interval.  Distributions come from GSL; the bootstrap draws from
 * PCG32 (core/rng.h), so its intervals are deterministic for a seed.
 * Conventions follow Demšar (2006, JMLR 7:1-30) and scipy.stats. */
#ifndef HWNAS_INDICATORS_STATS_H
#define HWNAS_INDICATORS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* The q-quantile (0 <= q <= 1) of sorted[0..n), n >= 1, interpolated
 * linearly between order statistics (numpy's default, "type 7"). */
double hw_quantile_sorted(const double *sorted, size_t n, double q);

/* rank[i] of v[i] among v[0..k): 1 for the largest, ties share the average
 * of their ranks (so the ranks sum to k(k+1)/2). */
void hw_rank_desc(const double *v, int k, double *rank);

typedef struct {
    int n, k;                 /* problems (blocks), optimizers (treatments) */
    double chi2, df, p;       /* Friedman's chi-square statistic, k - 1, its p-value */
    double f, df1, df2, p_f;  /* Iman-Davenport F, k - 1, (k - 1)(n - 1), its p-value */
} hw_friedman;

/* score: n x k (row = problem, larger = better).  avg_rank[k]: the mean over
 * problems of each column's rank within its row (hw_rank_desc).  Friedman's
 * statistic as Demšar's eq. (without tie correction):
 *   chi2 = 12n / (k(k+1)) * (sum_j R_j^2 - k(k+1)^2 / 4),
 *   F = (n - 1) chi2 / (n(k - 1) - chi2).
 * When all rows rank alike (chi2 = n(k - 1)), F is +inf in theory: f is then
 * reported as DBL_MAX and p_f as 0.  n >= 2, k >= 2 (HW_EINVAL otherwise). */
int hw_friedman_test(const double *score, int n, int k, double *avg_rank, hw_friedman *r, hw_err *e);

/* Nemenyi's critical value q_alpha (Demšar's table 5: the studentized range
 * quantile with infinite degrees of freedom, divided by sqrt 2; 2.569 for
 * k = 4 at alpha = 0.05), computed by integrating the range's distribution
 * k int phi(z) (Phi(z + w) - Phi(z))^(k - 1) dz and solving for w.
 * 2 <= k <= 1000, 0 < alpha < 1.  CD = q_alpha sqrt(k(k + 1) / (6n)). */
int hw_nemenyi_q(int k, double alpha, double *q_alpha, hw_err *e);

typedef struct {
    int n;                    /* pairs with a non-zero difference */
    double w_plus, w_minus;   /* rank sums of the positive / negative differences a - b */
    double p;                 /* two-sided p-value */
    int exact;                /* 1: exact null distribution; 0: normal approximation */
} hw_wilcoxon;

/* Wilcoxon's signed-rank test of the paired samples a[i], b[i] (i < n), as
 * scipy.stats.wilcoxon(a, b) does by default (scipy 1.17): zero differences
 * are dropped ("wilcox") and the absolute differences ranked, ties averaged;
 * the two-sided p = 2 min(P(W+ <= w+), P(W+ >= w+)) (at most 1) from the
 * exact null distribution (each rank's sign a fair coin) when n <= 50 with
 * neither zeros nor ties, or when n <= 13; otherwise from the normal
 * approximation with the tie correction and no continuity correction.
 * No non-zero difference: p = 1. */
int hw_wilcoxon_test(const double *a, const double *b, int n, hw_wilcoxon *r, hw_err *e);

/* Holm's step-down adjusted p-values of m p-values (monotone, at most 1). */
int hw_holm(const double *p, int m, double *adjusted, hw_err *e);

/* The interquartile mean of x[0..n) (n >= 1): the mean of the values left
 * after dropping floor(n / 4) of the smallest and of the largest (as
 * scipy.stats.trim_mean(x, 0.25)). */
int hw_iqm(const double *x, size_t n, double *iqm, hw_err *e);

/* Percentile-bootstrap confidence interval of the IQM at level 1 - alpha:
 * x holds n_strata groups one after another (stratum s has count[s] >= 1
 * values; e.g. the seeds of each problem); each of the n_boot replicates
 * draws count[s] values with replacement from every stratum s and takes the
 * IQM of their union; [lo, hi] are the alpha/2 and 1 - alpha/2 quantiles of
 * the replicates (hw_quantile_sorted).  Draws from PCG32 seeded by
 * (seed, HW_STREAM_BOOTSTRAP). */
#define HW_STREAM_BOOTSTRAP 0xB0075ULL
int hw_iqm_bootstrap(const double *x, const size_t *count, int n_strata, int n_boot, double alpha, uint64_t seed,
                     double *lo, double *hi, hw_err *e);

#endif
