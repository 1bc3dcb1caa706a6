/* optimizers/nsga2.h — the selection kernels of NSGA-II (Deb et al. 2002),
 * exposed for tests and for other optimizers: Pareto ranking (fast
 * non-dominated sort), crowding distance and the crowded binary tournament.
 * The optimizer itself is hw_nsga2_ops (optimizers/nsga2.c).
 *
 * Objectives are row-major n × m doubles, all minimised.  x dominates y when
 * x <= y in every objective and x < y in at least one; identical points do
 * not dominate each other.  No NaN (+inf is fine: the optimizer reads a NaN
 * objective as +inf). */
#ifndef HWNAS_OPTIMIZERS_NSGA2_H
#define HWNAS_OPTIMIZERS_NSGA2_H

#include <stddef.h>

#include "core/rng.h"

/* rank[i] = front index of point i (0 = non-dominated, 1 = non-dominated once
 * front 0 is removed, ...).  m == 2 uses an O(n log n) sweep (sort + binary
 * search over fronts); m > 2 Deb's O(m n^2) sort.  *n_fronts (may be NULL)
 * gets the number of fronts.  Returns HW_OK or HW_ENOMEM. */
int nsga2_rank(const double *f, size_t n, int m, int *rank, int *n_fronts);
/* Deb's fast non-dominated sort for any m >= 1 (dominance counts and an
 * n × n dominance matrix, then the fronts peeled); what nsga2_rank uses for
 * m > 2, exposed for tests and benchmarks. */
int nsga2_rank_dominance(const double *f, size_t n, int m, int *rank, int *n_fronts);

/* Crowding distance of the k points f[idx[0..k-1]] (one front), written to
 * dist[0..k-1]: per objective, the boundary points get +inf and every other
 * point the normalised gap between its neighbours, summed over objectives.
 * Objectives with zero or non-finite range add nothing.  Returns HW_OK or
 * HW_ENOMEM. */
int nsga2_crowding(const double *f, int m, const int *idx, size_t k, double *dist);

/* Binary tournament on n >= 1 individuals: two distinct random picks; the
 * lower rank wins, then the larger crowding distance, then a coin flip. */
size_t nsga2_tournament(const int *rank, const double *crowd, size_t n, hw_rng *r);

/* The current parent population of an hw_nsga2_ops state: *x (n × n_var)
 * and *f (n × n_obj, NaN read as +inf) point into the state and stay valid
 * until its next tell.  Returns n. */
size_t nsga2_population(const void *st, const double **x, const double **f);

#endif
