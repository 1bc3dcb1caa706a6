/* indicators/hv.c — exact hypervolume (minimisation), see indicators.h: the
 * dispatcher hw_hypervolume; one file per algorithm (hv2d.c, hv3d.c, hv4d.c,
 * hv_nd.c; shared pieces in hv_internal.h) and the exclusive contributions
 * (hv_contrib.c).
 *
 *   hv_2d: sort by the first objective, sweep the staircase.  O(n log n).
 *   hv_3d: dimension sweep on the third objective (Beume, Fonseca,
 *          López-Ibáñez, Paquete, Vahrenhold 2009) keeping the 2-D
 *          non-dominated staircase of the (x, y) projections; the staircase
 *          lives in a 64-ary bit tree over the x-ranks of the points, so
 *          predecessor/successor/insert/erase cost O(log_64 n).  O(n log n).
 *   hv_4d: HV4D+ (Guerreiro & Fonseca 2018): sweep on the 4th objective;
 *          each new point adds its exclusive 3-D volume over the running
 *          3-D front, computed in O(n) with the front kept in z order and
 *          each point's staircase neighbours ("closest" points) maintained,
 *          so the 2-D staircase is rebuilt and swept with O(1) insertions.
 *          O(n^2).
 *   hv_nd: WFG (While, Bradstreet, Barone 2012): points sorted by the last
 *          objective, HV = sum_i (r_d - p_i,d) * exclusive (d-1)-volume of
 *          p_i over the points before it, the exclusive volume being the
 *          inclusive box minus the volume of the non-dominated "limit set"
 *          (recursion); limit sets are filtered in increasing coordinate
 *          sum, so each candidate is only checked against kept ones.  Base
 *          case d = 4: HV4D+ on the unfiltered limit set, generated already
 *          sorted on the 4th objective.  At d = 5 the limit points of the
 *          sources not above p_i in the 4th objective all sit at p_i's 4th
 *          coordinate: that part of HV4D+'s front is built in one 3-D sweep
 *          over global y and z orders of the points (as moocore's one-point
 *          4-D contribution does), and only the rest is inserted one by one.
 *
 * Only points strictly better than ref in every objective are used.  Volumes
 * are accumulated with Neumaier's compensated summation (HV4D+'s running
 * areas shrink by subtraction, as in the published algorithm); every loop
 * runs in an order fixed by the point values (hw_sort_points), so results do
 * not depend on input order. */
#include <math.h>

#include "indicators/hv_internal.h"

int hw_hypervolume(const double *pts, size_t n, int d, const double *ref, double *out, hw_err *e)
{
    *out = 0;
    if (d < 1) return hw_fail(e, HW_EINVAL, "hypervolume: dimension must be >= 1 (got %d)", d);
    int rc = hw_hv_check(pts, n, d, ref, e); /* finite, and no overflow possible (hv_range.c) */
    if (rc) return rc;
    rc = d == 2   ? hv_2d(pts, n, ref, out)
         : d == 3 ? hv_3d(pts, n, ref, out)
         : d == 4 ? hv_4d(pts, n, ref, out)
                  : hv_nd(pts, n, d, ref, out);
    if (rc == HW_ENOMEM) return hw_fail(e, rc, "hypervolume: out of memory for %zu points", n);
    if (rc != HW_OK) return hw_fail(e, rc, "hypervolume: invalid input");
    return HW_OK;
}
