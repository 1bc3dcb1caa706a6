/* Pareto local search: see local_search.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "indicators/archive.h"
#include "optimizers/local_search.h"
#include "optimizers/mutate_one.h"
#include "optimizers/nsga2.h"

typedef struct {
    const hw_problem *p;
    int nv, m;
    size_t initial_points, batch, max_archive;
    double eta_m, extra_rate;
    int skip_inert;
    hw_rng rng;
    size_t init_told;      /* initial random points told so far (the archive
                            * is non-empty once there is one) */
    /* The non-dominated points told so far, in age order (indicators/archive.h). */
    hw_pareto_archive arch;
    /* Truncation work space (max_archive + 1 entries). */
    int *idx;
    double *cd;
    unsigned char *drop;
} local_search;

static void ls_destroy(void *st)
{
    local_search *s = st;
    if (!s) return;
    hw_pareto_archive_free(&s->arch);
    free(s->idx); free(s->cd); free(s->drop);
    free(s);
}

static int ls_create(void **out, const hw_problem *p, const cJSON *params, const char *path,
                     uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "initial_points", "batch_size", "eta_m",
                                       "extra_rate", "max_archive", "skip_inert", NULL};
    *out = NULL;
    long long init = 10, batch = 1, max_archive = 1000;
    double eta_m = 5.0, extra_rate = 0.0;
    int skip_inert = 1;
    if (params) {
        int rc;
        if ((rc = hwj_check_keys(params, path, keys, e)) ||
            (rc = hwj_get_int(params, path, "initial_points", 0, 1, 100000000, &init, e)) ||
            (rc = hwj_get_int(params, path, "batch_size", 0, 1, 1000000, &batch, e)) ||
            (rc = hwj_get_double(params, path, "eta_m", 0, 0.0, 1000.0, &eta_m, e)) ||
            (rc = hwj_get_double(params, path, "extra_rate", 0, 0.0, 1.0, &extra_rate, e)) ||
            (rc = hwj_get_bool(params, path, "skip_inert", 0, &skip_inert, e)) ||
            (rc = hwj_get_int(params, path, "max_archive", 0, 1, 10000000, &max_archive, e)))
            return rc;
    }
    if (p->n_var < 1 || p->n_obj < 1)
        return hw_fail(e, HW_EINVAL, "local_search: problem has %d variables and %d objectives",
                       p->n_var, p->n_obj);
    int trc = hw_opt_check_table(path, "max_archive", max_archive + 1, p->n_var, "variables", e);
    if (!trc) trc = hw_opt_check_table(path, "batch_size", batch, p->n_var, "variables", e);
    if (trc) return trc;
    local_search *s = calloc(1, sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "local_search: out of memory");
    s->p = p; s->nv = p->n_var; s->m = p->n_obj;
    s->initial_points = (size_t)init; s->batch = (size_t)batch;
    s->max_archive = (size_t)max_archive;
    s->eta_m = eta_m; s->extra_rate = extra_rate; s->skip_inert = skip_inert;
    hw_rng_seed(&s->rng, seed, HW_STREAM_OPTIMIZER);
    size_t cap = s->max_archive + 1;
    int arc = hw_pareto_archive_init(&s->arch, s->m, s->nv, e);
    if (arc) { ls_destroy(s); return arc; }
    s->idx = malloc(cap * sizeof *s->idx);
    s->cd = malloc(cap * sizeof *s->cd);
    s->drop = malloc(cap);
    if (!s->idx || !s->cd || !s->drop) {
        ls_destroy(s);
        return hw_fail(e, HW_ENOMEM, "local_search: out of memory (max_archive %lld)", max_archive);
    }
    *out = s;
    return HW_OK;
}

typedef struct { double cd; size_t i; } ranked;

/* Smallest crowding first; among equals the newest (largest index) first. */
static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->cd < b->cd) return -1;
    if (a->cd > b->cd) return 1;
    return a->i > b->i ? -1 : a->i < b->i;
}

static int ls_truncate(local_search *s, size_t keep)
{
    size_t n = s->arch.size;
    for (size_t i = 0; i < n; i++) s->idx[i] = (int)i;
    if (nsga2_crowding(s->arch.f, s->m, s->idx, n, s->cd)) return HW_ENOMEM;
    ranked *r = malloc(n * sizeof *r);
    if (!r) return HW_ENOMEM;
    for (size_t i = 0; i < n; i++) { r[i].cd = s->cd[i]; r[i].i = i; s->drop[i] = 0; }
    qsort(r, n, sizeof *r, ranked_cmp);
    for (size_t j = 0; j + keep < n; j++) s->drop[r[j].i] = 1;
    free(r);
    hw_pareto_archive_remove(&s->arch, s->drop);
    return HW_OK;
}

/* Insert (x, f) unless weakly dominated (it evicts what it dominates);
 * truncate when the archive outgrows max_archive. */
static int ls_insert(local_search *s, const double *x, const double *f)
{
    if (hw_pareto_archive_insert(&s->arch, f, x, NULL, 1, NULL, NULL)) return HW_ENOMEM;
    if (s->arch.size > s->max_archive)
        return ls_truncate(s, s->max_archive - s->max_archive / 10);
    return HW_OK;
}

static int ls_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    local_search *s = st;
    size_t nv = (size_t)s->nv;
    (void)e;
    *n = 0;
    if (s->init_told < s->initial_points) {
        size_t k = s->initial_points - s->init_told;
        if (k > max_n) k = max_n;
        for (size_t i = 0; i < k; i++) hw_var_sample(s->p, &s->rng, x + i * nv);
        *n = k;
        return HW_OK;
    }
    size_t k = s->batch < max_n ? s->batch : max_n;
    for (size_t i = 0; i < k; i++) {
        size_t count = s->arch.size;
        size_t parent = count > 1 ? hw_rng_below(&s->rng, (uint32_t)count) : 0;
        double *c = x + i * nv;
        memcpy(c, s->arch.x + parent * nv, nv * sizeof *c);
        hw_mutate_one(s->p, &s->rng, c, s->eta_m, s->extra_rate, s->skip_inert);
    }
    *n = k;
    return HW_OK;
}

static int ls_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    local_search *s = st;
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < m; o++)
            if (!isfinite(f[i * m + o]))
                return hw_fail(e, HW_EINVAL,
                               "local_search: objective %zu of told genome %zu is not finite", o, i);
    /* init_told never passes initial_points: the told points of an
     * initial ask are initial points, those of a later ask are steps. */
    size_t init_left = s->initial_points - s->init_told;
    s->init_told += n < init_left ? n : init_left;
    for (size_t i = 0; i < n; i++)
        if (ls_insert(s, x + i * nv, f + i * m))
            return hw_fail(e, HW_ENOMEM, "local_search: out of memory");
    return HW_OK;
}

static size_t ls_batch_size(const void *st)
{
    const local_search *s = st;
    return s->batch;
}

size_t hw_local_search_archive(const void *st, double *x, double *f)
{
    const local_search *s = st;
    if (x && s->arch.size) memcpy(x, s->arch.x, s->arch.size * (size_t)s->nv * sizeof *x);
    if (f && s->arch.size) memcpy(f, s->arch.f, s->arch.size * (size_t)s->m * sizeof *f);
    return s->arch.size;
}

const hw_optimizer_ops hw_local_search_ops = {
    .name = "local_search",
    .create = ls_create,
    .ask = ls_ask,
    .tell = ls_tell,
    .destroy = ls_destroy,
    .batch_size = ls_batch_size,
};
