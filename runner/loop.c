/* runner/loop.c — the ask/evaluate/tell loop, see loop.h. */
#include "runner/loop.h"

#include <stdlib.h>

#include "core/util.h"

size_t hw_loop_batch_size(const hw_optimizer *o, long long budget)
{
    size_t pref = hw_optimizer_batch_size(o);
    size_t batch = pref ? pref : HW_LOOP_DEFAULT_BATCH;
    if (budget >= 0 && (long long)batch > budget) batch = (size_t)budget;
    return batch;
}

typedef struct {
    double *x, *f, *f_std, *t_end;
    hw_eval_id *ids;
} loop_buffers;

static void buffers_free(loop_buffers *b)
{
    free(b->x); free(b->f); free(b->f_std); free(b->t_end); free(b->ids);
}

static int buffers_alloc(loop_buffers *b, size_t batch, const hw_problem *p, hw_err *e)
{
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    b->x = malloc((batch * nv > 0 ? batch * nv : 1) * sizeof *b->x);
    b->f = malloc(batch * d * sizeof *b->f);
    b->f_std = malloc(batch * d * sizeof *b->f_std);
    b->t_end = malloc(batch * sizeof *b->t_end);
    b->ids = malloc(batch * sizeof *b->ids);
    if (!b->x || !b->f || !b->f_std || !b->t_end || !b->ids)
        return hw_fail(e, HW_ENOMEM, "out of memory (batch of %zu)", batch);
    return HW_OK;
}

static int notify_batch(const hw_loop_spec *s, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    for (size_t i = 0; i < s->n_observers; i++)
        if (s->observers[i].batch) {
            int rc = s->observers[i].batch(s->observers[i].ctx, p, b, e);
            if (rc) return rc;
        }
    return HW_OK;
}

static int notify_finish(const hw_loop_spec *s, const hw_problem *p, const hw_run_end *r, hw_err *e)
{
    for (size_t i = 0; i < s->n_observers; i++)
        if (s->observers[i].finish) {
            int rc = s->observers[i].finish(s->observers[i].ctx, p, r, e);
            if (rc) return rc;
        }
    return HW_OK;
}

int hw_loop_run(const hw_loop_spec *spec, hw_run_end *end, hw_err *e)
{
    hw_problem *p = hw_evaluator_problem(spec->evaluator);
    hw_run_end r = {spec->seed, 0, 0, spec->t0 > 0 ? spec->t0 : hw_now(), 0};
    size_t batch = spec->batch ? spec->batch : hw_loop_batch_size(spec->optimizer, spec->budget);
    if (batch == 0) batch = 1;
    loop_buffers buf = {0};
    hw_eval_state es = {0};
    es.threads = spec->threads > 1 ? spec->threads : 1;
    int rc = buffers_alloc(&buf, batch, p, e);
    while (rc == HW_OK && r.evaluations < spec->budget) {
        if (spec->stop && *spec->stop) { r.stopped = 1; break; }
        size_t left = (size_t)(spec->budget - r.evaluations);
        size_t max_n = left < batch ? left : batch, n = 0;
        double ta = hw_now();
        if ((rc = hw_optimizer_ask(spec->optimizer, buf.x, max_n, &n, e))) break;
        if (n == 0) break; /* the optimizer has finished */
        for (size_t i = 0; i < n; i++) buf.ids[i] = (hw_eval_id){spec->seed, (uint64_t)r.evaluations + i};
        double te = hw_now();
        if ((rc = hw_evaluate(spec->evaluator, &es, buf.x, buf.ids, n, buf.f, buf.f_std, buf.t_end, r.t0, e))) break;
        hw_batch_event ev = {spec->seed, n, buf.ids, buf.x, buf.f, buf.f_std, buf.t_end, te - ta, hw_now() - te,
                             r.evaluations + (long long)n};
        if ((rc = notify_batch(spec, p, &ev, e))) break;
        if ((rc = hw_optimizer_tell(spec->optimizer, buf.x, buf.f, n, e))) break;
        r.evaluations += (long long)n;
    }
    r.wall_s = hw_now() - r.t0;
    if (rc == HW_OK) rc = notify_finish(spec, p, &r, e);
    if (end) *end = r;
    buffers_free(&buf);
    hw_eval_state_free(&es);
    return rc;
}
