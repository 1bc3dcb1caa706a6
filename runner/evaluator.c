/* runner/evaluator.c — the evaluator of the run loop, see evaluator.h. */
#include "runner/evaluator.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct hw_evaluator {
    hw_problem *p;
    omp_lock_t lock; /* HW_EVAL_BATCH: one batch at a time */
};

int hw_evaluator_create(hw_problem *p, hw_evaluator **out, hw_err *e)
{
    hw_evaluator *ev = calloc(1, sizeof *ev);
    if (!ev) return hw_fail(e, HW_ENOMEM, "out of memory");
    ev->p = p;
    omp_init_lock(&ev->lock);
    *out = ev;
    return HW_OK;
}

void hw_evaluator_destroy(hw_evaluator *ev)
{
    if (!ev) return;
    omp_destroy_lock(&ev->lock);
    free(ev);
}

hw_problem *hw_evaluator_problem(const hw_evaluator *ev) { return ev->p; }

void hw_eval_state_free(hw_eval_state *s)
{
    free(s->rc);
    s->rc = NULL;
    s->cap = 0;
}

static int check_finite(const hw_problem *p, const hw_eval_id *ids, size_t n, const double *f, const double *f_std,
                        hw_err *e)
{
    const size_t d = (size_t)p->n_obj;
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(f[i]) || !isfinite(f_std[i]))
            return hw_fail(e, HW_ESTATE, "evaluation %llu: %s returned a non-finite objective",
                           (unsigned long long)ids[i / d].index, p->name);
    return HW_OK;
}

/* HW_EVAL_BATCH: pieces of batch_size on this thread, under the lock. */
static int evaluate_batched(hw_evaluator *ev, const double *x, const hw_eval_id *ids, size_t n, double *f,
                            double *f_std, double *t_end, double t0, hw_err *e)
{
    hw_problem *p = ev->p;
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    const size_t piece = p->batch_size ? p->batch_size : n;
    int rc = HW_OK;
    omp_set_lock(&ev->lock);
    for (size_t i = 0; i < n && rc == HW_OK; i += piece) {
        size_t k = n - i < piece ? n - i : piece;
        rc = p->evaluate(p, x + i * nv, ids + i, k, f + i * d, f_std + i * d, e);
        if (rc) hw_err_prefix(e, "evaluations %llu-%llu", (unsigned long long)ids[i].index,
                              (unsigned long long)ids[i + k - 1].index);
        double t = hw_now() - t0;
        for (size_t j = 0; j < k; j++) t_end[i + j] = t;
    }
    omp_unset_lock(&ev->lock);
    return rc;
}

/* HW_EVAL_PER_GENOME: one call per genome, over threads when it pays. */
static int evaluate_per_genome(hw_evaluator *ev, hw_eval_state *s, const double *x, const hw_eval_id *ids, size_t n,
                               double *f, double *f_std, double *t_end, double t0, hw_err *e)
{
    hw_problem *p = ev->p;
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    if (n > s->cap) {
        int *r = realloc(s->rc, n * sizeof *r);
        if (!r) return hw_fail(e, HW_ENOMEM, "out of memory (batch of %zu)", n);
        s->rc = r;
        s->cap = n;
    }
    int *rcs = s->rc;
    long nn = (long)n;
    int failed = 0;
    double work = 0;
    int parallel = s->threads > 1 && n > 1 && (!s->started || s->last_work >= HW_EVAL_PARALLEL_MIN_WORK);
    if (parallel) {
#pragma omp parallel for schedule(dynamic) num_threads(s->threads) reduction(| : failed) reduction(+ : work)
        for (long i = 0; i < nn; i++) {
            hw_err local;
            double t_begin = hw_now();
            rcs[i] = p->evaluate(p, x + (size_t)i * nv, ids + i, 1, f + (size_t)i * d, f_std + (size_t)i * d, &local);
            double t = hw_now();
            t_end[i] = t - t0;
            work += t - t_begin;
            if (rcs[i]) failed = 1;
        }
    } else { /* no parallel region at all: entering one costs more than these evaluations */
        double t_begin = hw_now();
        for (long i = 0; i < nn; i++) {
            hw_err local;
            rcs[i] = p->evaluate(p, x + (size_t)i * nv, ids + i, 1, f + (size_t)i * d, f_std + (size_t)i * d, &local);
            double t = hw_now();
            t_end[i] = t - t0;
            work += t - t_begin;
            t_begin = t;
            if (rcs[i]) failed = 1;
        }
    }
    s->last_work = work;
    s->started = 1;
    if (!failed) return HW_OK;
    /* the first failing genome in index order, re-evaluated serially so the
     * message is deterministic */
    for (size_t i = 0; i < n; i++) {
        if (!rcs[i]) continue;
        int rc = p->evaluate(p, x + i * nv, ids + i, 1, f + i * d, f_std + i * d, e);
        if (!rc) rc = hw_fail(e, rcs[i], "%s: evaluation failed", p->name);
        hw_err_prefix(e, "evaluation %llu", (unsigned long long)ids[i].index);
        return rc;
    }
    return HW_OK;
}

int hw_evaluate(hw_evaluator *ev, hw_eval_state *s, const double *x, const hw_eval_id *ids, size_t n, double *f,
                double *f_std, double *t_end, double t0, hw_err *e)
{
    hw_problem *p = ev->p;
    memset(f_std, 0, n * (size_t)p->n_obj * sizeof *f_std); /* a problem may leave it untouched */
    if (n == 0) return HW_OK;
    int rc = p->eval_mode == HW_EVAL_BATCH ? evaluate_batched(ev, x, ids, n, f, f_std, t_end, t0, e)
                                           : evaluate_per_genome(ev, s, x, ids, n, f, f_std, t_end, t0, e);
    if (rc) return rc;
    return check_finite(p, ids, n, f, f_std, e);
}
