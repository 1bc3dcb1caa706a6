/* benchmark/problem.h — the one interface every benchmark backend implements,
 * and the factory that builds a problem from its config object.
 *
 * A problem maps a genome x (n_var doubles) to n_obj objectives, all
 * minimised.  Variables are real in [lo, hi] or categorical with k choices
 * (stored as the index 0..k-1 in a double).
 *
 * Evaluation mode (eval_mode), declared by the problem and honoured by the
 * one evaluator of the run loop:
 *   HW_EVAL_PER_GENOME  evaluate() is reentrant and cheap per genome: the
 *                       evaluator may call it from several threads at once
 *                       on disjoint slices (implementations keep no mutable
 *                       state in `impl` during evaluation).  Surrogates and
 *                       test problems.
 *   HW_EVAL_BATCH       evaluate() wants whole batches on one thread, never
 *                       concurrently (a GPU forward pass, an external
 *                       process); batch_size is its preferred batch (0 = any).
 *                       It may use threads inside a batch itself.
 * Each evaluation is named by an hw_eval_id (the run's seed and the
 * evaluation's index in the run) and gets its own random stream
 * hw_rng_eval(id.seed, id.index), so noisy results depend on the evaluation's
 * identity only — not on batch size or thread count.  A problem is built once
 * per config and serves every seed: the seed reaches evaluation only through
 * the ids. */
#ifndef HWNAS_BENCHMARK_PROBLEM_H
#define HWNAS_BENCHMARK_PROBLEM_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/fileid.h"

typedef enum { HW_VAR_REAL = 0, HW_VAR_CATEGORICAL = 1 } hw_var_type;

typedef struct {
    int type;     /* hw_var_type */
    int n_cat;    /* categorical: number of choices */
    double lo, hi;/* real: bounds; categorical: 0, n_cat-1 */
} hw_var;

#define HW_MAX_OBJ 16

typedef enum { HW_EVAL_PER_GENOME = 0, HW_EVAL_BATCH = 1 } hw_eval_mode;

/* The identity of one evaluation: the run's seed and its index in the run. */
typedef struct {
    uint64_t seed;
    uint64_t index;
} hw_eval_id;

typedef struct hw_problem hw_problem;
struct hw_problem {
    const char *name;
    int n_var;
    const hw_var *vars;
    int n_obj;
    const char *const *obj_names;   /* all minimised, natural units */
    int eval_mode;                  /* hw_eval_mode (0 = per genome) */
    size_t batch_size;              /* HW_EVAL_BATCH: preferred batch size, 0 = any */

    /* Objective normalisation for indicators: HV/IGD are computed on
     * (f - obj_lo) / (obj_hi - obj_lo).  Both NULL = use f as is. */
    const double *obj_lo, *obj_hi;
    /* Default reference point in the normalised space (n_obj values). */
    const double *default_ref;

    /* n genomes in (row-major n × n_var), their ids (NULL = seed 0, indices
     * 0..n-1), n × n_obj objectives out, and optionally (f_std != NULL)
     * their predictive standard deviations (0 for deterministic problems). */
    int (*evaluate)(hw_problem *, const double *x, const hw_eval_id *ids,
                    size_t n, double *f, double *f_std, hw_err *e);
    /* Optional: write a short identity of x (the arch string for hwgpt);
     * NULL = the runner logs x as a number array.  Returns snprintf length. */
    int (*describe)(const hw_problem *, const double *x, char *buf, size_t n);
    /* Optional: n points on the true Pareto front (for IGD and HV ratios);
     * *pts malloc'd, *n_out <= n may differ (e.g. ZDT3 filters dominated). */
    int (*true_front)(const hw_problem *, size_t n, double **pts, size_t *n_out, hw_err *e);
    /* Optional: the exact hypervolume of the true front for a reference
     * point in normalised space, if known in closed form; returns <0 if not. */
    double (*true_front_hv)(const hw_problem *, const double *ref);
    /* Optional: rewrite x (n_var genes) into the canonical genome of its
     * design — genes that do not affect the evaluation (the inert genes past
     * n_layer of a GPT genome) set to their canonical value — so that two
     * genomes of one design become equal.  NULL = every genome is its own
     * design.  Optimizers reach problem-specific steps only through hooks
     * like this one. */
    void (*canonicalize)(const hw_problem *, double *x);
    /* Optional: the files (models, data, checkpoints) the problem read, so a
     * run's log records what produced it and a rerun with other files is a
     * different run.  Sets *files to an array the problem owns; returns its
     * length.  NULL = none. */
    size_t (*files)(const hw_problem *, const hw_file_id **files);
    void (*destroy)(hw_problem *);
    void *impl;
};

/* A problem kind: what "problem.name" selects.  Kinds register in
 * benchmark/problems.def (core/registry.h: the name is the first member). */
typedef struct hw_problem_kind hw_problem_kind;
struct hw_problem_kind {
    const char *name;   /* "zdt1", ..., "hwgpt" */
    /* Build from the config object (path names it in errors); rejects
     * unknown keys. */
    int (*create)(const hw_problem_kind *k, const cJSON *cfg, const char *path, hw_problem **out, hw_err *e);
    int arg;            /* the kind's argument (which ZDT / DTLZ) */
};

/* Build a problem from its config object ("problem": {...}); path names it in
 * errors ("problem").  Rejects unknown keys and names (the error lists the
 * registered names). */
int hw_problem_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e);
void hw_problem_destroy(hw_problem *p);

/* The registered kinds: by name (NULL if unknown), by index (NULL past the
 * end), and every name "zdt1, zdt2, ..." into buf. */
const hw_problem_kind *hw_problem_kind_find(const char *name);
const hw_problem_kind *hw_problem_kind_at(size_t i);
void hw_problem_kind_list(char *buf, size_t n);

#endif
