/* optimizers/optimizer.h — the ask/tell interface every optimizer fills, and
 * the registry that finds one by name.
 *
 * The runner owns evaluation, budgets, logging and parallelism; an optimizer
 * only proposes genomes (ask) and learns their objectives (tell).  So every
 * optimizer runs on every problem.  Rules:
 *  - ask(st, x, max_n, &n) writes n <= max_n genomes (row-major, n_var each)
 *    into x; n may be smaller than max_n (e.g. the rest of a generation) but
 *    never 0 unless the optimizer is finished (then it returns HW_OK, n = 0).
 *  - tell(st, x, f, n) reports the objectives of exactly the genomes of the
 *    last ask, in the same order (the runner may tell fewer than were asked
 *    when the budget ends; the optimizer must then not rely on the rest).
 *  - Categorical genes hold an integer index 0..n_cat-1; real genes stay in
 *    [lo, hi].
 *  - All randomness comes from one hw_rng seeded with (seed,
 *    HW_STREAM_OPTIMIZER): identical results at any thread count.
 *  - create() rejects unknown keys in params (the "optimizer" config object,
 *    whose "name" key it must allow) with the key path ("optimizer.foo").
 */
#ifndef HWNAS_OPTIMIZERS_OPTIMIZER_H
#define HWNAS_OPTIMIZERS_OPTIMIZER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark/problem.h"
#include "core/error.h"

typedef struct {
    const char *name;
    /* params may be NULL (all defaults).  path is the config path of params
     * ("optimizer"), for error messages. */
    int (*create)(void **st, const hw_problem *p, const cJSON *params, const char *path,
                  uint64_t seed, hw_err *e);
    int (*ask)(void *st, double *x, size_t max_n, size_t *n, hw_err *e);
    int (*tell)(void *st, const double *x, const double *f, size_t n, hw_err *e);
    void (*destroy)(void *st);
    /* Preferred batch size (e.g. the population size); 0 = no preference. */
    size_t (*batch_size)(const void *st);
} hw_optimizer_ops;

/* An optimizer instance: its ops, its state and the one place that checks
 * every call of the ask/tell contract (as pagmo2's problem::fitness() checks
 * every evaluation), so each optimizer's own ask/tell need not:
 *  - ask: 0 <= n <= max_n, no ask while the previous one awaits its tell
 *    ("NAME: ask called before the previous N genomes were told"), every
 *    gene inside its variable (categorical: an integer 0..n_cat-1; real:
 *    finite in [lo, hi]) ("NAME: asked genome I, gene G = V is outside ...");
 *  - tell: n <= the last ask ("NAME: told N results for K asked genomes"),
 *    x equal to the first n asked genomes ("NAME: told genome I is not the
 *    one asked").  A tell of fewer than asked (the budget ended) is allowed;
 *    the rest are dropped.
 * Objective values are passed through as they are (NaN marks a failed
 * evaluation); what an optimizer accepts is its own contract. */
typedef struct hw_optimizer hw_optimizer;

int hw_optimizer_create(const hw_optimizer_ops *ops, const hw_problem *p, const cJSON *params, const char *path,
                        uint64_t seed, hw_optimizer **out, hw_err *e);
/* An instance around a state st that ops->create already made (tests that
 * create and inspect states themselves drive them through the run loop this
 * way); it does not own st: hw_optimizer_destroy leaves st to the caller. */
int hw_optimizer_wrap(const hw_optimizer_ops *ops, const hw_problem *p, void *st, hw_optimizer **out, hw_err *e);
int hw_optimizer_ask(hw_optimizer *o, double *x, size_t max_n, size_t *n, hw_err *e);
int hw_optimizer_tell(hw_optimizer *o, const double *x, const double *f, size_t n, hw_err *e);
/* The optimizer's preferred batch (0 = no preference). */
size_t hw_optimizer_batch_size(const hw_optimizer *o);
const hw_optimizer_ops *hw_optimizer_ops_of(const hw_optimizer *o);
/* The optimizer's own state (for tests that inspect a population). */
void *hw_optimizer_state(const hw_optimizer *o);
void hw_optimizer_destroy(hw_optimizer *o);

/* NULL if unknown. */
const hw_optimizer_ops *hw_optimizer_find(const char *name);
/* The i-th registered optimizer (0-based), NULL past the end. */
const hw_optimizer_ops *hw_optimizer_at(size_t i);
/* "random_search, nsga2, ...": every registered name (for error messages).
 * The registry is optimizers/optimizers.def (core/registry.h). */
void hw_optimizer_list(char *buf, size_t n);

/* The largest table an optimizer sizes from its config and the problem
 * (rows x cols values, e.g. a population of genomes): 2^27 values, 1 GiB of
 * doubles.  hw_opt_check_table fails with "PATH.KEY: ROWS rows of COLS
 * variables are too many for memory (at most 134217728 values)" beyond it, so
 * an absurd config is bad input instead of a failed (or, with overcommit,
 * killed) allocation. */
#define HW_OPT_MAX_TABLE (1LL << 27)
int hw_opt_check_table(const char *path, const char *key, long long rows, long long cols, const char *cols_name,
                       hw_err *e);

/* Shared variation operators (optimizers/variation.c) ------------------- */
#include "core/rng.h"
/* SBX crossover (Deb & Agrawal) on real genes with prob pc per pair, eta_c;
 * categorical genes: uniform crossover.  Writes two children. */
void hw_var_crossover(const hw_problem *p, hw_rng *r, const double *a, const double *b,
                      double *c1, double *c2, double pc, double eta_c);
/* Polynomial mutation (eta_m) on real genes and resampling on categorical
 * genes, each gene with probability pm (pm <= 0: 1/n_var). */
void hw_var_mutate(const hw_problem *p, hw_rng *r, double *x, double pm, double eta_m);
/* Uniform random genome. */
void hw_var_sample(const hw_problem *p, hw_rng *r, double *x);
/* Resample one random categorical gene (of those with >= 2 choices) to a
 * different value, so x changes; returns 0 (x untouched) if there is none.
 * For de-duplicating children in categorical (NAS) spaces. */
int hw_var_nudge_categorical(const hw_problem *p, hw_rng *r, double *x);
/* 1 if genome x (n_var genes) equals one of the n rows of set. */
int hw_var_in_set(const double *x, const double *set, size_t n, int n_var);

#endif
