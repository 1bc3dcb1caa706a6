/* Shared numeric kernels: see numeric.h. */
#include "core/numeric.h"

#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* One left-looking factorisation; clamp selects the ridge's pivot floor
 * instead of failing. */
static inline int cholesky(double *A, size_t n, size_t s, int clamp)
{
    for (size_t j = 0; j < n; j++) {
        double *rj = A + j * s;
        double sum = rj[j];
        for (size_t k = 0; k < j; k++) sum -= rj[k] * rj[k];
        double ljj;
        if (clamp) {
            ljj = sum > 1e-300 ? sqrt(sum) : 1e-150;
        } else {
            if (!(sum > 0.0) || !isfinite(sum)) return -1;
            ljj = sqrt(sum);
        }
        rj[j] = ljj;
        for (size_t i = j + 1; i < n; i++) {
            double *ri = A + i * s;
            double t = ri[j];
            for (size_t k = 0; k < j; k++) t -= ri[k] * rj[k];
            ri[j] = t / ljj;
        }
    }
    return 0;
}

int hw_cholesky(double *A, size_t n, size_t stride) { return cholesky(A, n, stride, 0); }

int hw_cholesky_simd(double *A, size_t n, size_t s)
{
    for (size_t j = 0; j < n; j++) {
        double *rj = A + j * s;
        double sum = 0.0;
#pragma omp simd reduction(+ : sum)
        for (size_t k = 0; k < j; k++) sum += rj[k] * rj[k];
        sum = rj[j] - sum;
        if (!(sum > 0.0) || !isfinite(sum)) return -1;
        double ljj = sqrt(sum);
        rj[j] = ljj;
        for (size_t i = j + 1; i < n; i++) {
            double *ri = A + i * s;
            double t = 0.0;
#pragma omp simd reduction(+ : t)
            for (size_t k = 0; k < j; k++) t += ri[k] * rj[k];
            ri[j] = (ri[j] - t) / ljj;
        }
    }
    return 0;
}

void hw_cholesky_clamped(double *A, size_t n, size_t stride) { (void)cholesky(A, n, stride, 1); }

void hw_cholesky_forward(const double *L, size_t n, size_t stride, double *b)
{
    for (size_t i = 0; i < n; i++) {
        const double *ri = L + i * stride;
        double t = b[i];
        for (size_t k = 0; k < i; k++) t -= ri[k] * b[k];
        b[i] = t / ri[i];
    }
}

/* exp of x in [-708, 709]: x = k ln2 + r, |r| <= ln2 / 2 (ln 2 split in a
 * high part with trailing zeros and a low part, so k ln2_hi is exact), e^r by
 * Horner, 2^k built in the exponent bits.  k comes from adding 1.5 * 2^52
 * (round to nearest integer): the low bits of that sum hold k. */
static inline double exp_reduced(double x)
{
    const double shift = 6755399441055744.0; /* 1.5 * 2^52 */
    double t = x * 1.4426950408889634074 + shift;
    double k = t - shift;
    union { double d; long long i; } kt = {t};
    double r = x - k * 6.93147180369123816490e-01;
    r = r - k * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* the low bits of kt.i are k + 2^51 (two's complement): shifting by 52
     * drops the rest and leaves the biased exponent k + 1023 in [2, 2046] */
    union { long long i; double d; } sc = {(long long)((unsigned long long)(kt.i + 1023) << 52)};
    return p * sc.d;
}

void hw_exp_vec(const double *x, double *y, size_t n)
{
    /* the clamp in its own pass: fused into the polynomial's loop, the
     * compiler branches on it and the loop no longer vectorises */
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        double a = x[i] > -708.0 ? x[i] : (x[i] != x[i] ? x[i] : -708.0);
        y[i] = a < 709.0 ? a : (a != a ? a : 709.0);
    }
#pragma omp simd
    for (size_t i = 0; i < n; i++) y[i] = exp_reduced(y[i]);
}

void hw_sqrt_vec(const double *x, double *y, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, _mm_sqrt_pd(_mm_loadu_pd(x + i)));
#endif
    for (; i < n; i++) y[i] = sqrt(x[i]);
}

double hw_normal_cdf(double u) { return 0.5 * erfc(-u / M_SQRT2); }

double hw_lattice_count(int m, int h)
{
    double c = 1.0; /* C(h+m-1, m-1): each step's product is divisible exactly */
    for (int i = 1; i < m; i++) c = c * (h + i) / i;
    return c;
}

/* Every composition of `left` into parts k[j..m-1], the largest k[j] first. */
static void lattice_fill(int m, int h, int j, int left, int *k, double *w, size_t *pos)
{
    if (j == m - 1) {
        k[j] = left;
        for (int i = 0; i < m; i++) w[*pos * (size_t)m + (size_t)i] = (double)k[i] / h;
        (*pos)++;
        return;
    }
    for (int v = left; v >= 0; v--) {
        k[j] = v;
        lattice_fill(m, h, j + 1, left - v, k, w, pos);
    }
}

size_t hw_lattice_fill(int m, int h, double *w)
{
    int k[HW_LATTICE_MAX_M];
    size_t pos = 0;
    if (m < 1 || m > HW_LATTICE_MAX_M || h < 1) return 0;
    lattice_fill(m, h, 0, h, k, w, &pos);
    return pos;
}
