/* indicators/hv_exclusive.c — exclusive hypervolume contribution of one point
 * (see hw_hv_contribution in indicators.h).
 *
 *   HV(S + p) - HV(S) = vol(box(p)) - HV(L),  L = { max(q, p) : q in S }
 *
 * (the part of p's box [p, ref) that S already dominates is the union of the
 * boxes of S's points clipped to p's box).  Only the non-dominated limit
 * points matter: in increasing order of their coordinate sum (ties by the
 * values) a limit point can only be weakly dominated by one before it, so
 * each is checked against the kept ones only.  HV(L) is hw_hypervolume. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"

typedef struct {
    double sum;
    const double *p;
    int d;
} limit_key;

static int cmp_limit(const void *x, const void *y)
{
    const limit_key *a = x, *b = y;
    if (a->sum != b->sum) return a->sum < b->sum ? -1 : 1;
    for (int k = 0; k < a->d; k++)
        if (a->p[k] != b->p[k]) return a->p[k] < b->p[k] ? -1 : 1;
    return 0;
}

int hw_hv_contribution(const double *pts, size_t n, int d, const double *p, const double *ref, double *out,
                       hw_err *e)
{
    *out = 0;
    if (d < 1) return hw_fail(e, HW_EINVAL, "hypervolume contribution: dimension must be >= 1 (got %d)", d);
    int rc = hw_hv_check(p, 1, d, ref, e);
    if (rc) return rc;
    for (int k = 0; k < d; k++)
        if (!(p[k] < ref[k])) return HW_OK; /* outside the box: contributes nothing */
    double vol = 1;
    for (int k = 0; k < d; k++) vol *= ref[k] - p[k];
    if (n == 0) { *out = vol; return HW_OK; }
    const size_t dd = (size_t)d;
    double *lim = malloc(n * dd * sizeof *lim), *kept = malloc(n * dd * sizeof *kept);
    limit_key *key = malloc(n * sizeof *key);
    if (!lim || !kept || !key) {
        free(lim); free(kept); free(key);
        return hw_fail(e, HW_ENOMEM, "hypervolume contribution: out of memory for %zu points", n);
    }
    size_t nl = 0;
    int covered = 0;
    for (size_t i = 0; i < n && !covered; i++) {
        const double *q = pts + i * dd;
        double *l = lim + nl * dd, sum = 0;
        int inside = 1, same = 1;
        for (int k = 0; k < d; k++) {
            double v = q[k] > p[k] ? q[k] : p[k];
            l[k] = v;
            inside &= v < ref[k];
            same &= v == p[k];
            sum += v - p[k];
        }
        if (!inside) continue;
        if (same) covered = 1; /* q weakly dominates p */
        key[nl].sum = sum;
        key[nl].p = l;
        key[nl].d = d;
        nl++;
    }
    if (covered) { free(lim); free(kept); free(key); return HW_OK; }
    qsort(key, nl, sizeof *key, cmp_limit);
    size_t nk = 0;
    for (size_t t = 0; t < nl; t++) {
        const double *c = key[t].p;
        int keep = 1;
        for (size_t a = nk; a-- > 0 && keep;) {
            const double *q = kept + a * dd;
            int k = 0;
            while (k < d && q[k] <= c[k]) k++;
            keep = k < d;
        }
        if (keep) memcpy(kept + nk++ * dd, c, dd * sizeof *c);
    }
    double covered_hv = 0;
    rc = hw_hypervolume(kept, nk, d, ref, &covered_hv, e);
    free(lim); free(kept); free(key);
    if (rc) return rc;
    double x = vol - covered_hv;
    *out = x > 0 ? x : 0;
    return HW_OK;
}
