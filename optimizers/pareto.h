/* optimizers/pareto.h — small exact Pareto kernels for the single-parent
 * optimizers (MOREA, Pareto local search): dominance tests and the
 * exclusive hypervolume contributions of a 2-D front.  Non-dominated ranks
 * and crowding distance are NSGA-II's (optimizers/nsga2.h).  All objectives
 * are minimised; points are row-major n × m arrays; ties are broken by
 * index, never by memory address or sort instability. */
#ifndef HWNAS_OPTIMIZERS_PARETO_H
#define HWNAS_OPTIMIZERS_PARETO_H

#include <stddef.h>

#include "core/error.h"

/* a dominates b: a <= b in every objective and a < b in at least one. */
int hw_pareto_dominates(const double *a, const double *b, int m);
/* a weakly dominates b: a <= b in every objective (equal points included). */
int hw_pareto_weakly_dominates(const double *a, const double *b, int m);

/* Exclusive hypervolume contribution of each of the k points f[idx[0..k)]
 * (mutually non-dominated, 2 objectives) with respect to ref: the area only
 * that point dominates.  contrib[j] belongs to idx[j]; duplicates contribute
 * 0.  Returns HW_OK or HW_ENOMEM. */
int hw_hv_contributions_2d(const double *f, const int *idx, size_t k, const double *ref,
                           double *contrib);

#endif
