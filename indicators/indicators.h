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

/* IGD (mean Euclidean distance from each reference point to its nearest
 * approximation point) and IGD+ (Ishibuchi et al. 2015: distance counting
 * only the amount by which the approximation point is worse). */
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
