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

/* NULL if unknown. */
const hw_optimizer_ops *hw_optimizer_find(const char *name);
/* The i-th registered optimizer (0-based), NULL past the end. */
const hw_optimizer_ops *hw_optimizer_at(size_t i);

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
