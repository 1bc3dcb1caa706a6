/* runner/loop.h — the one ask/evaluate/tell loop.  Every caller that runs an
 * optimizer on a problem (run_experiment, the tests, the bench programs, the
 * coming grid runner and Python binding) drives it through hw_loop_run:
 *
 *   until the budget is spent, the optimizer has finished (asks 0) or the
 *   stop flag is set:
 *     ask up to min(batch, budget left) genomes   (hw_optimizer_ask)
 *     evaluate them                               (hw_evaluate)
 *     report the batch to every observer, in order
 *     tell the results                            (hw_optimizer_tell)
 *   report the end of the run to every observer.
 *
 * Evaluation i of a run (0-based, in ask order) is named {seed, i}.  The
 * optimizer is reached only through its hw_optimizer instance, which checks
 * the ask/tell contract.  An observer's error ends the run with that error
 * (the remaining observers of that event are not called, nor the finish
 * event). */
#ifndef HWNAS_RUNNER_LOOP_H
#define HWNAS_RUNNER_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark/problem.h"
#include "core/error.h"
#include "optimizers/optimizer.h"
#include "runner/evaluator.h"

/* Batch when neither the caller nor the optimizer prefers one. */
#define HW_LOOP_DEFAULT_BATCH 64

/* One evaluated batch, valid during the observer call. */
typedef struct {
    uint64_t seed;
    size_t n;                    /* genomes in the batch */
    const hw_eval_id *ids;       /* n: {seed, index}, indices consecutive */
    const double *x;             /* n x n_var */
    const double *f, *f_std;     /* n x n_obj each */
    const double *t_end;         /* n: seconds since the run started when each evaluation ended */
    double ask_s;                /* wall seconds the ask took */
    double eval_s;               /* wall seconds the batch's evaluation took */
    long long evaluations;       /* evaluations of the run including this batch */
} hw_batch_event;

/* The end of a run. */
typedef struct {
    uint64_t seed;
    long long evaluations;       /* evaluations done */
    int stopped;                 /* 1: the stop flag ended it before the budget */
    double t0;                   /* hw_now() when the run started */
    double wall_s;               /* seconds from the start to the last tell */
} hw_run_end;

typedef struct {
    void *ctx;
    /* Optional: called after each batch is evaluated, before it is told. */
    int (*batch)(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e);
    /* Optional: called once when the run ends without an error. */
    int (*finish)(void *ctx, const hw_problem *p, const hw_run_end *r, hw_err *e);
} hw_observer;

typedef struct {
    hw_evaluator *evaluator;     /* the problem and its evaluator */
    hw_optimizer *optimizer;     /* created for this run's seed */
    uint64_t seed;
    long long budget;            /* evaluations, >= 1 */
    size_t batch;                /* most genomes per ask; 0 = hw_loop_batch_size() */
    int threads;                 /* most threads inside one batch (>= 1) */
    double t0;                   /* start time (hw_now()); 0 = when hw_loop_run starts */
    const volatile sig_atomic_t *stop; /* optional: nonzero asks the run to stop between batches */
    const hw_observer *observers;
    size_t n_observers;
} hw_loop_spec;

/* The batch a run uses: the optimizer's preferred batch, else
 * HW_LOOP_DEFAULT_BATCH, at most the budget. */
size_t hw_loop_batch_size(const hw_optimizer *o, long long budget);

/* Runs the loop; *end (optional) gets the end of the run, also when an error
 * stopped it (evaluations then counts the batches told). */
int hw_loop_run(const hw_loop_spec *spec, hw_run_end *end, hw_err *e);

#endif
