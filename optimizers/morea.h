/* optimizers/morea.h — MOREA, multi-objective regularized evolution (Real et
 * al. 2019's aging evolution with a Pareto tournament, as used by
 * HW-GPT-Bench through syne-tune).  The ops table is hw_morea_ops
 * (config name "morea"); this header adds an inspection call for tests and
 * tools.
 *
 * Algorithm.  The population is an aging FIFO queue of population_size
 * evaluated genomes, filled first with uniform random genomes.  Each child:
 * draw sample_size distinct members uniformly at random; keep the sample's
 * non-dominated members (rank 0 within the sample); the parent is the one
 * of those with the largest crowding distance within that set ("crowding")
 * or the largest exclusive hypervolume contribution ("hv_contribution":
 * the sample's front is scaled to [0,1] per objective, the reference point
 * is 1.1; exact 2-D kernel for 2 objectives, HV differences through
 * indicators.h for more); ties are broken uniformly at random.  The child is
 * the parent with exactly one gene mutated (mutate_one.h: categorical genes
 * take a different value; real genes a bounded polynomial step with index
 * eta_m) plus, if extra_rate > 0, each other gene with that probability.
 * When a child is told it joins the queue and the oldest member leaves.
 *
 * eta_m defaults to 5, not NSGA-II's customary 20: with one gene changed per
 * child each real gene is moved only budget / n_var times, and the wider
 * steps of a small index let it cross its range in a few moves.  On ZDT1
 * (30 variables, 25,000 evaluations, 5 seeds) eta_m = 20 reaches a median
 * 0.82 of the true front's hypervolume (ZDT2: 0.76; Pareto local search
 * 0.95 and 0.97), eta_m = 5 0.994 (ZDT2: 0.987; tests/test_morea.c).
 *
 * batch_size = 1 (default) is the paper's sequential algorithm.  With
 * batch_size = b, one ask proposes up to b children, each from its own
 * tournament on the same population (no child sees its siblings), so b
 * children can be evaluated in parallel; they join the queue in order when
 * told.  The random initial genomes are proposed max_n at a time.
 *
 * skip_inert (default true): on the hwgpt problem, whose genome has genes
 * that do not change the architecture (layers >= n_layer), the mutated gene
 * is drawn among the genes that do, so no evaluation is spent on a copy of
 * the parent's architecture; inert genes keep their values and take effect
 * when n_layer grows.  false mutates any gene, as syne-tune's MOREA does on
 * HW-GPT-Bench's per-layer hyperparameters.
 *
 * Config: {"name": "morea", "population_size": 100, "sample_size": 10 (at most
 *          population_size; the default is capped by it),
 *          "selection": "crowding" | "hv_contribution", "batch_size": 1,
 *          "eta_m": 5, "extra_rate": 0, "skip_inert": true} */
#ifndef HWNAS_OPTIMIZERS_MOREA_H
#define HWNAS_OPTIMIZERS_MOREA_H

#include <stddef.h>

#include "optimizers/optimizer.h"

extern const hw_optimizer_ops hw_morea_ops;

/* Copy the current population, oldest first, into x (count × n_var) and f
 * (count × n_obj) when they are non-NULL; returns count. */
size_t hw_morea_population(const void *st, double *x, double *f);

#endif
