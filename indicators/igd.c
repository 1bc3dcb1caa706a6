/* indicators/igd.c — IGD and IGD+ (see indicators.h).
 *
 * Each reference point's nearest distance is independent, so that loop runs
 * in parallel; the mean is then summed serially in index order (compensated),
 * which makes the result bit-identical at any thread count. */
#include <math.h>
#include <stdlib.h>

#include "indicators/indicators.h"

static int igd_core(const double *ref_front, size_t nr, const double *approx, size_t na, int d,
                    double *igd, double *igd_plus, hw_err *e);

/* Largest |coordinate| of n x d values. */
static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

/* Copy of v scaled by 2^-s (exact but for values that become subnormal,
 * far below the distances that matter at that scale). */
static double *scaled_copy(const double *v, size_t n, int s)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (c)
        for (size_t i = 0; i < n; i++) c[i] = ldexp(v[i], -s);
    return c;
}

int hw_igd(const double *ref_front, size_t nr, const double *approx, size_t na, int d,
           double *igd, double *igd_plus, hw_err *e)
{
    if (d < 1) return hw_fail(e, HW_EINVAL, "igd: dimension must be >= 1 (got %d)", d);
    if (nr == 0 || !ref_front) return hw_fail(e, HW_EINVAL, "igd: the reference front is empty");
    if (na == 0 || !approx) return hw_fail(e, HW_EINVAL, "igd: the approximation set is empty");
    /* Squared differences of coordinates up to M stay finite when
     * d (2M)^2 < DBL_MAX; beyond that the distances are measured on copies
     * scaled by 2^-s (distances scale by exactly 2^-s) and scaled back. */
    double m = fmax(max_abs(ref_front, nr * (size_t)d), max_abs(approx, na * (size_t)d));
    if (!isfinite(m) || m <= 0x1p500 / sqrt((double)d))
        return igd_core(ref_front, nr, approx, na, d, igd, igd_plus, e);
    int s = ilogb(m) + 1;
    double *z = scaled_copy(ref_front, nr * (size_t)d, s), *a = scaled_copy(approx, na * (size_t)d, s);
    double g = 0, gp = 0;
    int rc = z && a ? igd_core(z, nr, a, na, d, &g, &gp, e) : hw_fail(e, HW_ENOMEM, "igd: out of memory");
    free(z);
    free(a);
    if (rc) return rc;
    g = ldexp(g, s);
    gp = ldexp(gp, s);
    if (!isfinite(g) || !isfinite(gp))
        return hw_fail(e, HW_ERANGE, "igd: the mean distance exceeds the range of a double (about 1.8e308): "
                       "coordinates up to %g", m);
    if (igd) *igd = g;
    if (igd_plus) *igd_plus = gp;
    return HW_OK;
}

static int igd_core(const double *ref_front, size_t nr, const double *approx, size_t na, int d,
                    double *igd, double *igd_plus, hw_err *e)
{
    if (d < 1) return hw_fail(e, HW_EINVAL, "igd: dimension must be >= 1 (got %d)", d);
    if (nr == 0 || !ref_front) return hw_fail(e, HW_EINVAL, "igd: the reference front is empty");
    if (na == 0 || !approx) return hw_fail(e, HW_EINVAL, "igd: the approximation set is empty");
    for (size_t i = 0; i < nr * (size_t)d; i++)
        if (!isfinite(ref_front[i]))
            return hw_fail(e, HW_EINVAL, "igd: reference point %zu objective %d is not finite",
                           i / (size_t)d, (int)(i % (size_t)d));
    for (size_t i = 0; i < na * (size_t)d; i++)
        if (!isfinite(approx[i]))
            return hw_fail(e, HW_EINVAL, "igd: approximation point %zu objective %d is not finite",
                           i / (size_t)d, (int)(i % (size_t)d));
    double *dist = malloc(2 * nr * sizeof *dist);
    if (!dist) return hw_fail(e, HW_ENOMEM, "igd: out of memory for %zu reference points", nr);
    long long nrl = (long long)nr;
#pragma omp parallel for schedule(static) if (nr * na * (size_t)d > 200000)
    for (long long i = 0; i < nrl; i++) {
        const double *z = ref_front + (size_t)i * (size_t)d;
        double best = INFINITY, best_plus = INFINITY;
        for (size_t j = 0; j < na; j++) {
            const double *a = approx + j * (size_t)d;
            double s = 0, s_plus = 0;
            for (int k = 0; k < d; k++) {
                double diff = a[k] - z[k];
                s += diff * diff;
                if (diff > 0) s_plus += diff * diff;
            }
            if (s < best) best = s;
            if (s_plus < best_plus) best_plus = s_plus;
        }
        dist[i] = sqrt(best);
        dist[nr + (size_t)i] = sqrt(best_plus);
    }
    double s = 0, c = 0, sp = 0, cp = 0; /* Neumaier sums in index order */
    for (size_t i = 0; i < nr; i++) {
        double x = dist[i], t = s + x;
        c += fabs(s) >= x ? (s - t) + x : (x - t) + s;
        s = t;
        x = dist[nr + i];
        t = sp + x;
        cp += fabs(sp) >= x ? (sp - t) + x : (x - t) + sp;
        sp = t;
    }
    free(dist);
    if (igd) *igd = (s + c) / (double)nr;
    if (igd_plus) *igd_plus = (sp + cp) / (double)nr;
    return HW_OK;
}
