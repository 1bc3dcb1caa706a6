/* Shared numeric kernels: see numeric.h. */
#include "core/numeric.h"

#include <math.h>

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
