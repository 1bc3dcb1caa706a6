/* runner/evaluator.h — the one evaluator of the run loop: evaluates a batch
 * of genomes honouring the problem's eval_mode (benchmark/problem.h).
 *
 *   HW_EVAL_PER_GENOME  one evaluate() call per genome; the genomes of a
 *                       batch are spread over up to `threads` OpenMP threads
 *                       when the previous batch of this run took at least
 *                       HW_EVAL_PARALLEL_MIN_WORK seconds of evaluation work
 *                       (microsecond evaluations stay on the calling thread:
 *                       a parallel region costs more than it saves).
 *   HW_EVAL_BATCH       evaluate() gets the batch in pieces of the problem's
 *                       batch_size (0: the whole batch) on the calling
 *                       thread, under the evaluator's lock: runs sharing one
 *                       evaluator (the seeds of a config run concurrently)
 *                       never call the problem concurrently.
 *
 * One hw_evaluator serves one problem and every run on it (thread-safe);
 * each run keeps its own hw_eval_state.  Results never depend on the thread
 * count or the batch split: every evaluation has its own id and random
 * stream. */
#ifndef HWNAS_RUNNER_EVALUATOR_H
#define HWNAS_RUNNER_EVALUATOR_H

#include <stddef.h>

#include "benchmark/problem.h"
#include "core/error.h"

#define HW_EVAL_PARALLEL_MIN_WORK 1e-3

typedef struct hw_evaluator hw_evaluator;

int hw_evaluator_create(hw_problem *p, hw_evaluator **out, hw_err *e);
void hw_evaluator_destroy(hw_evaluator *ev);
hw_problem *hw_evaluator_problem(const hw_evaluator *ev);

/* One run's evaluation state.  Set threads (>= 1) and zero the rest before
 * the first batch; release with hw_eval_state_free. */
typedef struct {
    int threads;          /* most threads one batch may use */
    double last_work;     /* seconds of evaluation work in the previous batch */
    int started;          /* a batch has been evaluated */
    int *rc;              /* per-genome status scratch */
    size_t cap;
} hw_eval_state;

void hw_eval_state_free(hw_eval_state *s);

/* Evaluates the n genomes x (n x n_var) named ids into f and f_std (n x
 * n_obj each; f_std zeroed first) and t_end[i] = the time (hw_now() - t0)
 * at which genome i's evaluation ended.  A failure names the first failing
 * evaluation in index order ("evaluation I: ..."); a non-finite objective is
 * a failure ("evaluation I: NAME returned a non-finite objective"). */
int hw_evaluate(hw_evaluator *ev, hw_eval_state *s, const double *x, const hw_eval_id *ids, size_t n, double *f,
                double *f_std, double *t_end, double t0, hw_err *e);

#endif
