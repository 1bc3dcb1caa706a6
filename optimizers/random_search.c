/* optimizers/random_search.c — uniform random search: every asked genome is
 * drawn independently with hw_var_sample from the optimizer's own stream
 * (seed, HW_STREAM_OPTIMIZER).  It ignores what it is told, so its results do
 * not depend on the batch size either.
 *
 * Config: {"name": "random_search", "batch_size": 64} (batch_size optional,
 * the number of genomes the runner asks for at once). */
#include <stdlib.h>

#include "core/json.h"
#include "optimizers/optimizer.h"

typedef struct {
    const hw_problem *p;
    hw_rng rng;
    size_t batch;
} random_search;

static int random_search_create(void **st, const hw_problem *p, const cJSON *params, const char *path,
                                uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "batch_size", NULL};
    long long batch = 64;
    if (params) {
        int rc = hwj_check_keys(params, path, keys, e);
        if (rc) return rc;
        rc = hwj_get_int(params, path, "batch_size", 0, 1, 1000000, &batch, e);
        if (rc) return rc;
    }
    int rc = hw_opt_check_table(path, "batch_size", batch, p->n_var, "variables", e);
    if (rc) return rc;
    random_search *rs = calloc(1, sizeof *rs);
    if (!rs) return hw_fail(e, HW_ENOMEM, "%s: out of memory", path);
    rs->p = p;
    rs->batch = (size_t)batch;
    hw_rng_seed(&rs->rng, seed, HW_STREAM_OPTIMIZER);
    *st = rs;
    return HW_OK;
}

static int random_search_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    (void)e;
    random_search *rs = st;
    size_t k = max_n < rs->batch ? max_n : rs->batch;
    for (size_t i = 0; i < k; i++) hw_var_sample(rs->p, &rs->rng, x + i * (size_t)rs->p->n_var);
    *n = k;
    return HW_OK;
}

static int random_search_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    (void)st; (void)x; (void)f; (void)n; (void)e;
    return HW_OK;
}

static void random_search_destroy(void *st) { free(st); }

static size_t random_search_batch_size(const void *st) { return ((const random_search *)st)->batch; }

const hw_optimizer_ops hw_random_search_ops = {
    .name = "random_search",
    .create = random_search_create,
    .ask = random_search_ask,
    .tell = random_search_tell,
    .destroy = random_search_destroy,
    .batch_size = random_search_batch_size,
};
