/* indicators/eaf.h — the exact empirical attainment function of a set of
 * runs in 2 objectives (minimisation): its k-th attainment surfaces.
 *
 * n_runs runs each give a set of points.  A point z of objective space is
 * attained by a run when one of the run's points weakly dominates it
 * (p <= z in both objectives).  The k-th attainment surface (level k,
 * 1 <= k <= n_runs) is the boundary of the region attained by at least k
 * runs; it is described by its minimal points (the corners of its
 * staircase), which are written by increasing x (hence decreasing y).
 * Level 1 is the best surface (attained by some run), level n_runs the worst
 * (attained by every run).  A percentile p in [0, 100] names level
 * max(1, ceil(n_runs p / 100)) as moocore's eaf does (the product is taken
 * with a relative tolerance of 1e-9, so 100/3 % of 3 runs is level 1).
 *
 * Algorithm: one sweep over the points sorted by x (the 2-D algorithm of
 * Fonseca, Guerreiro, López-Ibáñez and Paquete, EMO 2011): the best y of each
 * run so far is kept in a Fenwick tree over the ranks of the y values, whose
 * k-th smallest entry is the level-k surface's y at the current x; a corner
 * is written whenever it decreases.  O(m log m + m L log m) for m points and
 * L levels. */
#ifndef HWNAS_INDICATORS_EAF_H
#define HWNAS_INDICATORS_EAF_H

#include <stddef.h>

#include "core/error.h"

typedef struct {
    int level_index;   /* index into the caller's levels[] */
    double x, y;       /* a corner of that surface */
} hw_eaf_point;

/* The level a percentile names for n_runs runs (p in [0, 100], n_runs >= 1). */
int hw_eaf_level(double percentile, int n_runs);

/* pts: m x 2 (finite), run[i] in [0, n_runs) the run of point i (any order;
 * a run without points attains nothing); levels[0..n_levels) in
 * [1, n_runs].  *out (malloc'd, *n_out entries; NULL when none; free()) holds
 * the corners of the surface of levels[0] by increasing x, then those of
 * levels[1], ...  Errors: HW_EINVAL (a non-finite coordinate, a run or level
 * out of range), HW_ENOMEM. */
int hw_eaf2d(const double *pts, const int *run, size_t m, int n_runs, const int *levels, int n_levels,
             hw_eaf_point **out, size_t *n_out, hw_err *e);

#endif
