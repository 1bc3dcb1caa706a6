/* indicators/indicators.h — quality indicators for minimisation: Pareto
 * (non-dominated) filtering, exact hypervolume, IGD and IGD+.
 *
 * Points are row-major arrays of n points × d objectives.  All minimised.
 * Hypervolume: the Lebesgue measure of the region dominated by the set and
 * bounded by ref; a point that is not strictly better than ref in every
 * objective contributes nothing (a set with no such point has HV 0).
 * Duplicates and dominated points are allowed in the input. */
#ifndef HWNAS_INDICATORS_INDICATORS_H
#define HWNAS_INDICATORS_INDICATORS_H

#include <stddef.h>

#include "core/error.h"

/* keep[i] = 1 if point i is not dominated by any other point (of two equal
 * points, only the first is kept).  Returns the number kept, or (size_t)-1
 * on allocation failure. */
size_t hw_nondominated(const double *pts, size_t n, int d, unsigned char *keep);

/* Exact hypervolume.  hv_2d: O(n log n); hv_3d: O(n log n); hv_4d: O(n^2)
 * (HV4D+); hv_nd: any d >= 1 (WFG over hv_4d for d >= 5).
 * hw_hypervolume dispatches on d.  Return HW_OK or HW_ENOMEM/HW_EINVAL. */
int hv_2d(const double *pts, size_t n, const double *ref, double *out);
int hv_3d(const double *pts, size_t n, const double *ref, double *out);
int hv_4d(const double *pts, size_t n, const double *ref, double *out);
int hv_nd(const double *pts, size_t n, int d, const double *ref, double *out);
int hw_hypervolume(const double *pts, size_t n, int d, const double *ref, double *out, hw_err *e);

/* Exclusive hypervolume contribution of each of the k points f[idx[0..k)]
 * (mutually non-dominated, 2 objectives) with respect to ref: the area only
 * that point dominates.  contrib[j] belongs to idx[j]; duplicates contribute
 * 0.  Returns HW_OK or HW_ENOMEM (indicators/hv_contrib.c). */
int hw_hv_contributions_2d(const double *f, const int *idx, size_t k, const double *ref,
                           double *contrib);

/* Range checks: hw_hypervolume (and the trajectory archive) never return a
 * non-finite value; an input whose hypervolume could leave a double's range
 * is refused up front with HW_ERANGE and one line naming the box volume.
 * The rule: with lo_k the smallest coordinate k of the points strictly inside
 * the box (an HV never exceeds prod_k (ref_k - lo_k)),
 *   prod_k max(ref_k - lo_k, 1) <= 2^1000   (about 1e301),
 * which bounds every partial product and sum the exact algorithms form.  A
 * volume that underflows rounds towards 0 (never NaN).
 *
 * hw_hv_check_ref: before any point exists (a config's reference_point):
 * ref must be d finite numbers and, when lo is given (a lower bound of every
 * objective, e.g. 0 for run_experiment's normalised objectives, or a
 * problem's ideal point), the box [lo, ref] must satisfy the rule.  Errors:
 * HW_EINVAL "reference point[k]: ... is not finite", HW_ERANGE "hypervolume:
 * the box from ... to the reference point has a volume of about 1e600, beyond
 * the range of a double ...".
 * hw_hv_check: the same for a given point set (points finite too); this is
 * what hw_hypervolume runs first. */
int hw_hv_check_ref(int d, const double *ref, const double *lo, hw_err *e);

/* Exclusive contribution of point p to the set pts (n x d):
 * HV(pts + {p}) - HV(pts) = vol([p, ref)) - HV({max(q, p) : q in pts}),
 * 0 when a point of pts weakly dominates p or p is not strictly inside the
 * box; the clipped ("limit") points are reduced to their non-dominated ones
 * first.  Cost: O(n d + n k d) plus hw_hypervolume of the k kept points. */
int hw_hv_contribution(const double *pts, size_t n, int d, const double *p, const double *ref, double *out,
                       hw_err *e);
int hw_hv_check(const double *pts, size_t n, int d, const double *ref, hw_err *e);

/* IGD (mean Euclidean distance from each reference point to its nearest
 * approximation point) and IGD+ (Ishibuchi et al. 2015: distance counting
 * only the amount by which the approximation point is worse).  Points with
 * coordinates too large to square in doubles (beyond about 1e150) are
 * measured on a copy scaled by a power of two (exact); a mean distance that
 * itself exceeds a double's range is refused (HW_ERANGE), never inf/NaN. */
int hw_igd(const double *ref_front, size_t nr, const double *approx, size_t na, int d,
           double *igd, double *igd_plus, hw_err *e);

/* order[0..n) = point indices sorted ascending by objective `axis`, ties
 * broken by objectives axis+1, ..., d-1, 0, ..., axis-1 and finally by index,
 * so the order depends only on the point values.  O(n log n) worst case.
 * hw_sort_points allocates (HW_ENOMEM on failure); hw_sort_points_buf uses the
 * caller's scratch tmp[n] and cannot fail. */
int hw_sort_points(const double *pts, size_t n, int d, int axis, size_t *order);
void hw_sort_points_buf(const double *pts, size_t n, int d, int axis, size_t *order, size_t *tmp);

/* Read a point file: one point per line, whitespace-separated numbers; blank
 * lines and lines starting with '#' are ignored; path "-" is stdin.  d > 0
 * requires that many numbers per line; d == 0 takes the count of the first
 * point.  A wrong count, a non-numeric token or NaN/inf is an error
 * "FILE:LINE: reason".  On success *pts (malloc'd, n x d row-major; NULL when
 * n == 0) belongs to the caller. */
int hw_read_points(const char *path, int d, double **pts, size_t *n, int *d_out, hw_err *e);

#endif
