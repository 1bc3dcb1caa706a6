/* optimizers/mutate_one.h — the single-parent mutation shared by MOREA and
 * Pareto local search: change exactly one gene, optionally plus a few more.
 *
 * A chosen categorical gene moves to a different value, uniformly among the
 * other n_cat - 1 (a gene with one choice stays).  A chosen real gene gets
 * the bounded polynomial mutation of hw_var_mutate (Deb & Goyal 1996) with
 * distribution index eta_m, i.e. a step whose spread scales with the range
 * [lo, hi] and shrinks as eta_m grows; it stays inside the bounds. */
#ifndef HWNAS_OPTIMIZERS_MUTATE_ONE_H
#define HWNAS_OPTIMIZERS_MUTATE_ONE_H

#include "benchmark/problem.h"
#include "core/rng.h"

/* Mutate gene g of x (see above). */
void hw_mutate_gene(const hw_problem *p, hw_rng *r, double *x, int g, double eta_m);

/* Mutate one gene chosen uniformly at random; then, if extra_rate > 0, every
 * other gene independently with probability extra_rate.  Returns the index
 * of the gene that was certainly mutated. */
int hw_mutate_one(const hw_problem *p, hw_rng *r, double *x, double eta_m, double extra_rate);

#endif
