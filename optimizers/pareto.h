/* optimizers/pareto.h — the dominance tests of the single-parent optimizers
 * (MOREA, Pareto local search).  The exclusive hypervolume contributions of
 * a 2-D front are indicators.h's (indicators/hv_contrib.c); non-dominated
 * ranks and crowding distance are NSGA-II's (optimizers/nsga2.h).  All
 * objectives are minimised. */
#ifndef HWNAS_OPTIMIZERS_PARETO_H
#define HWNAS_OPTIMIZERS_PARETO_H

/* a dominates b: a <= b in every objective and a < b in at least one. */
int hw_pareto_dominates(const double *a, const double *b, int m);
/* a weakly dominates b: a <= b in every objective (equal points included). */
int hw_pareto_weakly_dominates(const double *a, const double *b, int m);

#endif
