/* indicators/hv2d.c — exact 2-D hypervolume: sort by the first objective,
 * sweep the staircase.  O(n log n).  See hv.c for the family. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/hv_internal.h"

/* ---- 2-D ---------------------------------------------------------------- */

/* pts: m x stride rows, objectives 0 and 1 used, all strictly inside;
 * order: rows sorted by (x, y). */
static double hv2_sweep(const double *pts, size_t stride, const size_t *order, size_t m, const double *ref)
{
    ksum v = {0, 0};
    double ymin = ref[1];
    for (size_t t = 0; t < m; t++) {
        const double *p = pts + order[t] * stride;
        if (p[1] < ymin) {
            ksum_add(&v, (ref[0] - p[0]) * (ymin - p[1]));
            ymin = p[1];
        }
    }
    return ksum_value(&v);
}

int hv_2d(const double *pts, size_t n, const double *ref, double *out)
{
    *out = 0;
    if ((n && !pts) || !ref || !all_finite(ref, 2) || !all_finite(pts, 2 * n)) return HW_EINVAL;
    if (n == 0) return HW_OK;
    double *in = malloc(n * 2 * sizeof *in);
    size_t *order = malloc(n * sizeof *order);
    if (!in || !order) { free(in); free(order); return HW_ENOMEM; }
    size_t m = copy_inside(pts, n, 2, ref, in);
    int rc = hw_sort_points(in, m, 2, 0, order);
    if (rc == HW_OK) *out = hv2_sweep(in, 2, order, m, ref);
    free(in);
    free(order);
    return rc;
}
