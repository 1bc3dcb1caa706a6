/* core/numeric.h — the small numeric kernels shared by the surrogates, the
 * optimizers and the test problems: one Cholesky factorisation, the standard
 * normal CDF, the Das–Dennis simplex lattice, and a vectorised exp and sqrt
 * (the GP kernel of the Bayesian optimizers).  (The normal PDF and
 * quantile are GSL's: gsl_ran_ugaussian_pdf, gsl_cdf_ugaussian_Pinv.)
 *
 * Why not GSL for the first two (measured on this build, GSL 2.7.1):
 *  - gsl_linalg_cholesky_decomp1 (a recursive, blocked algorithm) differs
 *    from the left-looking loop below in the last bits of most entries
 *    already at n = 2 (1 of 3 entries; 1702 of 2080 at n = 64, relative
 *    differences up to 1e-11), and the GP's factor feeds the BO
 *    trajectories, whose logs must not change;
 *  - gsl_cdf_ugaussian_P (Cody's rational approximations) differs from
 *    0.5 erfc(-u / sqrt 2) in the last bits of 47% of u in [-40, 40]; the
 *    CDF is in ehvi's and lsbo's acquisition values.
 * gsl_ran_ugaussian_pdf and (float)gsl_cdf_ugaussian_Pinv at the surrogate's
 * quantile levels are bit-identical to what they replaced. */
#ifndef HWNAS_CORE_NUMERIC_H
#define HWNAS_CORE_NUMERIC_H

#include <stddef.h>

/* In-place Cholesky factorisation A = L L^T of the lower triangle of the
 * n x n row-major matrix A with row stride `stride` (the upper triangle is
 * neither read nor written).  Left-looking, sums in increasing k, so the
 * result depends only on A.  Returns 0, or -1 at the first pivot that is not
 * positive and finite (A then partly overwritten). */
int hw_cholesky(double *A, size_t n, size_t stride);
/* The same factorisation that never fails: a pivot whose sum is not above
 * 1e-300 (or NaN) becomes 1e-150, so a direction the system does not
 * determine gets a negligible coefficient (the surrogates' ridge fits). */
void hw_cholesky_clamped(double *A, size_t n, size_t stride);
/* The same factorisation with each dot product summed in vectorised partial
 * sums (OpenMP simd): faster, equal to hw_cholesky up to rounding (the last
 * bits differ), still a function of A alone (not of the thread count).  The
 * GP of the Bayesian optimizers uses it. */
int hw_cholesky_simd(double *A, size_t n, size_t stride);
/* Solve L v = b in place (b -> v), L from hw_cholesky. */
void hw_cholesky_forward(const double *L, size_t n, size_t stride, double *b);

/* y[i] = exp(x[i]) for i < n (x and y may be the same array), vectorised
 * (OpenMP simd; about 1.5x libm's exp on SSE2, more with wider vectors):
 * Cody-Waite reduction by ln 2 and a degree-12 Taylor polynomial, so within
 * 2 ulp of exp (1.4 measured) and, being plain IEEE arithmetic, the same bits
 * on every machine.  Arguments below -708 give exp(-708) (3.3e-308), above
 * 709 exp(709); NaN gives NaN.  The GP kernel of the Bayesian optimizers
 * uses it. */
void hw_exp_vec(const double *x, double *y, size_t n);
/* y[i] = sqrt(x[i]) for i < n (x and y may be the same array), two at a time
 * (SSE2 where the compiler targets it; the compiler does not vectorise sqrt
 * itself while it may set errno).  Correctly rounded, as sqrt. */
void hw_sqrt_vec(const double *x, double *y, size_t n);

/* Standard normal CDF, 0.5 erfc(-u / sqrt 2). */
double hw_normal_cdf(double u);

/* The Das & Dennis (1998) simplex lattice with h >= 1 divisions in m >= 1
 * dimensions: every m-vector (k_1/h, ..., k_m/h) with integers k_i >= 0
 * summing to h.  hw_lattice_count: their number C(h + m - 1, m - 1), as a
 * double (exact below 2^53).  hw_lattice_fill writes them all to w
 * (count x m, row-major) in decreasing lexicographic order of (k_1, ...,
 * k_m) — (1, 0, ..., 0) first, (0, ..., 0, 1) last — and returns the count
 * (0, writing nothing, unless 1 <= m <= HW_LATTICE_MAX_M and h >= 1). */
#define HW_LATTICE_MAX_M 64
double hw_lattice_count(int m, int h);
size_t hw_lattice_fill(int m, int h, double *w);

#endif
