/* optimizers/pareto_rank.h — small exact Pareto kernels used by the
 * evolutionary optimizers (MOREA, Pareto local search): dominance tests,
 * non-dominated ranks (Deb et al. 2002's fast non-dominated sort), NSGA-II
 * crowding distance, exclusive hypervolume contributions of a 2-D front, and
 * a bounded non-dominated archive.  All objectives are minimised; points are
 * row-major n × m arrays.  Every kernel is deterministic: ties are broken by
 * index, never by memory address or sort instability. */
#ifndef HWNAS_OPTIMIZERS_PARETO_RANK_H
#define HWNAS_OPTIMIZERS_PARETO_RANK_H

#include <stddef.h>

#include "core/error.h"

/* a dominates b: a <= b in every objective and a < b in at least one. */
int hw_pareto_dominates(const double *a, const double *b, int m);
/* a weakly dominates b: a <= b in every objective (equal points included). */
int hw_pareto_weakly_dominates(const double *a, const double *b, int m);

/* rank[i] = 0 for the non-dominated points of f (n × m), 1 for those
 * non-dominated once rank 0 is removed, and so on.  O(m n^2) time, O(n^2)
 * bytes.  Returns HW_OK or HW_ENOMEM. */
int hw_pareto_ranks(const double *f, size_t n, int m, int *rank);

/* NSGA-II crowding distance of the k points f[idx[0..k)] (one front): per
 * objective, the points sorted by value (ties by position in idx) get the
 * normalised gap between their neighbours; the two ends get +inf.  cd[j]
 * belongs to idx[j].  A front of <= 2 points is all +inf; an objective with
 * zero range adds nothing.  Returns HW_OK or HW_ENOMEM. */
int hw_crowding_distance(const double *f, int m, const size_t *idx, size_t k, double *cd);

/* Exclusive hypervolume contribution of each of the k points f[idx[0..k)]
 * (mutually non-dominated, m == 2) with respect to ref: the area only that
 * point dominates.  contrib[j] belongs to idx[j]; duplicates contribute 0.
 * Returns HW_OK, HW_EINVAL (m != 2) or HW_ENOMEM. */
int hw_hv_contributions_2d(const double *f, const size_t *idx, size_t k, const double *ref,
                           double *contrib);

#endif
