/* bench/bench_loop.h — the bench programs run optimizers through the run
 * loop (runner/loop.h) with this recording observer (header-only). */
#ifndef HWNAS_BENCH_BENCH_LOOP_H
#define HWNAS_BENCH_BENCH_LOOP_H

#include <stdlib.h>
#include <string.h>

#include "optimizers/optimizer.h"
#include "runner/loop.h"

/* What a run recorded: every genome and objective in order (x, f: NULL = not
 * kept, else sized for the budget), the evaluation seconds, and the ask
 * durations in ms (ask_ms: NULL = not kept) of the asks made once `skip`
 * evaluations were done. */
typedef struct {
    double *x, *f;
    size_t done;
    double eval_s;
    double *ask_ms;
    int n_ms;
    size_t skip;
} bench_record;

static inline int bench_record_batch(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    (void)e;
    bench_record *r = ctx;
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj;
    if (r->x) memcpy(r->x + r->done * nv, b->x, b->n * nv * sizeof(double));
    if (r->f) memcpy(r->f + r->done * m, b->f, b->n * m * sizeof(double));
    if (r->ask_ms && r->done >= r->skip) r->ask_ms[r->n_ms++] = 1e3 * b->ask_s;
    r->done += b->n;
    r->eval_s += b->eval_s;
    return HW_OK;
}

/* Runs optimizer ops (config params, NULL = defaults) with seed on p for
 * evals evaluations, asking at most max_n at a time (0 = the optimizer's
 * batch), one thread; rec gets what was evaluated. */
static inline int bench_drive(const hw_optimizer_ops *ops, const cJSON *params, hw_problem *p, uint64_t seed,
                              size_t evals, size_t max_n, bench_record *rec, hw_err *e)
{
    hw_optimizer *o = NULL;
    hw_evaluator *ev = NULL;
    hw_observer obs = {rec, bench_record_batch, NULL};
    int rc = hw_optimizer_create(ops, p, params, "optimizer", seed, &o, e);
    if (!rc) rc = hw_evaluator_create(p, &ev, e);
    if (!rc) {
        hw_loop_spec spec = {ev, o, seed, (long long)evals, max_n, 1, 0, NULL, &obs, 1};
        rc = hw_loop_run(&spec, NULL, e);
    }
    hw_evaluator_destroy(ev);
    hw_optimizer_destroy(o);
    return rc;
}

#endif
