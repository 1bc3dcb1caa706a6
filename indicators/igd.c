/* indicators/igd.c — IGD and IGD+ (see indicators.h).
 *
 * Each reference point's nearest distance is independent, so that loop runs
 * in parallel; the mean is then summed serially in index order (compensated),
 * which makes the result bit-identical at any thread count. */
#include <math.h>
#include <stdlib.h>

#include "indicators/indicators.h"

int hw_igd(const double *ref_front, size_t nr, const double *approx, size_t na, int d,
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
