/* The optimizer instance and its contract checks: see optimizer.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizers/optimizer.h"

struct hw_optimizer {
    const hw_optimizer_ops *ops;
    const hw_problem *p;
    void *st;
    double *asked;     /* the last ask's genomes, until told */
    size_t n_asked;    /* 0 = no ask awaiting its tell */
    size_t cap;        /* genomes asked fits */
    int owns_state;    /* destroy st with the instance */
};

int hw_optimizer_create(const hw_optimizer_ops *ops, const hw_problem *p, const cJSON *params, const char *path,
                        uint64_t seed, hw_optimizer **out, hw_err *e)
{
    hw_optimizer *o = calloc(1, sizeof *o);
    if (!o) return hw_fail(e, HW_ENOMEM, "%s: out of memory", ops->name);
    o->ops = ops;
    o->p = p;
    int rc = ops->create(&o->st, p, params, path, seed, e);
    if (rc) { free(o); return rc; }
    o->owns_state = 1;
    *out = o;
    return HW_OK;
}

int hw_optimizer_wrap(const hw_optimizer_ops *ops, const hw_problem *p, void *st, hw_optimizer **out, hw_err *e)
{
    hw_optimizer *o = calloc(1, sizeof *o);
    if (!o) return hw_fail(e, HW_ENOMEM, "%s: out of memory", ops->name);
    o->ops = ops;
    o->p = p;
    o->st = st;
    *out = o;
    return HW_OK;
}

/* The gene's value is a legal value of its variable. */
static int gene_ok(const hw_var *v, double g)
{
    if (!isfinite(g)) return 0;
    /* within [0, n_cat - 1] the cast is exact, and cheaper than a call to floor() */
    if (v->type == HW_VAR_CATEGORICAL) return g >= 0 && g <= v->n_cat - 1 && g == (double)(long)g;
    return g >= v->lo && g <= v->hi;
}

int hw_optimizer_ask(hw_optimizer *o, double *x, size_t max_n, size_t *n, hw_err *e)
{
    const char *name = o->ops->name;
    if (o->n_asked)
        return hw_fail(e, HW_ESTATE, "%s: ask called before the previous %zu genomes were told", name, o->n_asked);
    *n = 0;
    int rc = o->ops->ask(o->st, x, max_n, n, e);
    if (rc) return rc;
    if (*n > max_n) return hw_fail(e, HW_ESTATE, "optimizer %s: asked for at most %zu genomes, got %zu", name, max_n, *n);
    size_t nv = (size_t)o->p->n_var;
    for (size_t i = 0; i < *n; i++)
        for (size_t g = 0; g < nv; g++)
            if (!gene_ok(&o->p->vars[g], x[i * nv + g]))
                return hw_fail(e, HW_ESTATE, "%s: asked genome %zu, gene %zu = %.17g is outside its variable", name, i,
                               g, x[i * nv + g]);
    if (*n > o->cap) {
        double *a = realloc(o->asked, *n * nv * sizeof *a);
        if (!a && *n * nv > 0) return hw_fail(e, HW_ENOMEM, "%s: out of memory", name);
        o->asked = a;
        o->cap = *n;
    }
    if (*n) memcpy(o->asked, x, *n * nv * sizeof *x);
    o->n_asked = *n;
    return HW_OK;
}

int hw_optimizer_tell(hw_optimizer *o, const double *x, const double *f, size_t n, hw_err *e)
{
    const char *name = o->ops->name;
    if (n > o->n_asked) return hw_fail(e, HW_ESTATE, "%s: told %zu results for %zu asked genomes", name, n, o->n_asked);
    size_t nv = (size_t)o->p->n_var;
    for (size_t i = 0; i < n; i++)
        if (memcmp(x + i * nv, o->asked + i * nv, nv * sizeof *x) != 0)
            return hw_fail(e, HW_ESTATE, "%s: told genome %zu is not the one asked", name, i);
    o->n_asked = 0;
    return o->ops->tell(o->st, x, f, n, e);
}

size_t hw_optimizer_batch_size(const hw_optimizer *o)
{
    return o->ops->batch_size ? o->ops->batch_size(o->st) : 0;
}

const hw_optimizer_ops *hw_optimizer_ops_of(const hw_optimizer *o) { return o->ops; }

void *hw_optimizer_state(const hw_optimizer *o) { return o->st; }

void hw_optimizer_destroy(hw_optimizer *o)
{
    if (!o) return;
    if (o->st && o->owns_state) o->ops->destroy(o->st);
    free(o->asked);
    free(o);
}
