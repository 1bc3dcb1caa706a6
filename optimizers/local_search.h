/* optimizers/local_search.h — stochastic Pareto local search (Paquete et al.
 * 2004's PLS, one random neighbour per step).  The ops table is
 * hw_local_search_ops (config name "local_search"); this header adds an
 * inspection call for tests and tools.
 *
 * Algorithm.  Evaluate initial_points uniform random genomes.  The archive
 * holds the non-dominated points seen so far: a told point enters it unless
 * an archive member weakly dominates it (so no dominated point and no
 * duplicate objective vector ever enters), and it evicts the members it
 * dominates.  Each step picks an archive member uniformly at random and
 * mutates exactly one gene (mutate_one.h: categorical genes take a different
 * value; real genes a bounded polynomial step with index eta_m, whose spread
 * scales with the gene's range) plus, if extra_rate > 0, each other gene with
 * that probability.  eta_m defaults to 5 for the reason given in morea.h.
 *
 * The archive is bounded by max_archive (real-valued problems can produce
 * a non-dominated point almost every step): when it grows past max_archive
 * it is cut back to max_archive - max_archive/10 points by removing those
 * with the smallest NSGA-II crowding distance (computed once per cut, ties
 * by age, the newest first), so a cut costs O(n log n) only every
 * max_archive/10 insertions.  The extreme points (infinite crowding) are
 * always kept.
 *
 * batch_size = 1 (default) is the sequential algorithm; with b > 1 one ask
 * proposes up to b neighbours of independently drawn archive members (the
 * same archive for all), for parallel evaluation; they are inserted in order
 * when told.  The random initial genomes are proposed max_n at a time.
 *
 * skip_inert (default true): on the hwgpt problem, whose genome has genes
 * that do not change the architecture (layers >= n_layer), the mutated gene
 * is drawn among the genes that do, so no evaluation is spent on a copy of
 * the parent's architecture; inert genes keep their values and take effect
 * when n_layer grows.  false mutates any gene, as syne-tune's MOREA does on
 * HW-GPT-Bench's per-layer hyperparameters.
 *
 * Config: {"name": "local_search", "initial_points": 10, "batch_size": 1,
 *          "eta_m": 5, "extra_rate": 0, "max_archive": 1000, "skip_inert": true} */
#ifndef HWNAS_OPTIMIZERS_LOCAL_SEARCH_H
#define HWNAS_OPTIMIZERS_LOCAL_SEARCH_H

#include <stddef.h>

#include "optimizers/optimizer.h"

extern const hw_optimizer_ops hw_local_search_ops;

/* Copy the archive (oldest entry first) into x (count × n_var) and f
 * (count × n_obj) when they are non-NULL; returns count. */
size_t hw_local_search_archive(const void *st, double *x, double *f);

#endif
