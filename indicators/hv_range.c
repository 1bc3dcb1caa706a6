/* indicators/hv_range.c — can a hypervolume be computed in doubles?  See
 * hw_hv_check_ref / hw_hv_check in indicators.h.
 *
 * The exact algorithms multiply coordinate differences ref_k - p_k, whose
 * partial products over any subset of the objectives, and the sums of such
 * products, stay below the box volume prod_k max(ref_k - lo_k, 1) where lo
 * is the smallest coordinate of the points in the box.  Keeping that below
 * 2^1000 (DBL_MAX is about 2^1024) leaves room for compensated sums; the
 * differences themselves are computed in long double, so ref = 1e308 with a
 * point at -1e308 is measured, not turned into inf. */
#include <float.h>
#include <math.h>

#include "indicators/indicators.h"

#define HV_MAX_LOG2 1000.0

/* log2 of prod_k max(ref_k - lo_k, 1), and log10 of prod_k (ref_k - lo_k)
 * over the objectives with lo_k < ref_k (*empty = 1 when one has none:
 * every hypervolume is 0 then). */
static double box_log2(int d, const double *ref, const double *lo, double *log10_vol, int *empty)
{
    double l2 = 0, l10 = 0;
    *empty = 0;
    for (int k = 0; k < d; k++) {
        long double r = (long double)ref[k] - (long double)lo[k];
        if (!(r > 0)) { *empty = 1; continue; }
        if (r > 1) l2 += (double)log2l(r);
        l10 += (double)log10l(r);
    }
    *log10_vol = l10;
    return l2;
}

static int check_box(int d, const double *ref, const double *lo, const char *what, hw_err *e)
{
    int empty;
    double l10;
    double l2 = box_log2(d, ref, lo, &l10, &empty);
    if (empty || l2 <= HV_MAX_LOG2) return HW_OK;
    return hw_fail(e, HW_ERANGE,
                   "hypervolume: the box from %s to the reference point has a volume of about 1e%.0f, beyond the "
                   "range of a double (about 1.8e308); use a reference point closer to the points",
                   what, floor(l10));
}

int hw_hv_check_ref(int d, const double *ref, const double *lo, hw_err *e)
{
    if (d < 1) return hw_fail(e, HW_EINVAL, "reference point: dimension must be >= 1 (got %d)", d);
    if (!ref) return hw_fail(e, HW_EINVAL, "reference point: missing");
    for (int k = 0; k < d; k++)
        if (!isfinite(ref[k])) return hw_fail(e, HW_EINVAL, "reference point[%d]: %g is not finite", k, ref[k]);
    if (!lo) return HW_OK;
    for (int k = 0; k < d; k++)
        if (!isfinite(lo[k])) return hw_fail(e, HW_EINVAL, "reference point: lower bound[%d] is not finite", k);
    return check_box(d, ref, lo, "the lower bounds of the objectives", e);
}

int hw_hv_check(const double *pts, size_t n, int d, const double *ref, hw_err *e)
{
    int rc = hw_hv_check_ref(d, ref, NULL, e);
    if (rc) return rc;
    if (n && !pts) return hw_fail(e, HW_EINVAL, "hypervolume: no points given for n = %zu", n);
    for (size_t i = 0; i < n * (size_t)d; i++)
        if (!isfinite(pts[i]))
            return hw_fail(e, HW_EINVAL, "hypervolume: point %zu objective %d is not finite", i / (size_t)d,
                           (int)(i % (size_t)d));
    enum { MAXD = 256 };
    if (d > MAXD) return HW_OK; /* no exact algorithm runs there in practice; checked per point below */
    double lo[MAXD];
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = pts + i * (size_t)d;
        int in = 1;
        for (int k = 0; k < d; k++) in &= p[k] < ref[k];
        if (!in) continue;
        for (int k = 0; k < d; k++) lo[k] = any ? fmin(lo[k], p[k]) : p[k];
        any = 1;
    }
    if (!any) return HW_OK;
    return check_box(d, ref, lo, "the points' best values", e);
}
