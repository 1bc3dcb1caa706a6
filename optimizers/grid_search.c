/* Grid search: see grid_search.h. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "optimizers/grid_search.h"
#include "optimizers/mutate_one.h"

enum { ORDER_SHUFFLED = 0, ORDER_LEXICOGRAPHIC = 1 };
#define FEISTEL_ROUNDS 6

typedef struct {
    const hw_problem *p;
    int nv;
    int grid_points, order;
    size_t batch;
    uint32_t *radix;        /* levels of each gene */
    /* Shuffled: genes [0, n_lead) enumerated by perm over [0, n_lead_pts);
     * genes [n_lead, nv) drawn from a stream seeded by the permuted index. */
    int n_lead;
    uint64_t n_lead_pts;
    uint64_t keys[FEISTEL_ROUNDS], tail_stream;
    uint64_t pos;           /* shuffled: next grid position */
    /* Lexicographic: the digits of the next point; done after wrapping. */
    uint32_t *digits, *work;
    int done;
    int skip_inert;
    /* Last ask: after[j] = grid positions (shuffled) or counter steps
     * (lexicographic) consumed up to and including its j-th genome, so a
     * partial tell resumes right after the last told one. */
    uint64_t *after;
    size_t after_cap;
} grid_search;

uint64_t hw_grid_permute(uint64_t k, uint64_t n, const uint64_t keys[FEISTEL_ROUNDS])
{
    int bits = 2;
    while (bits < 64 && ((n - 1) >> bits) != 0) bits += 2;
    int half = bits / 2;
    uint64_t mask = half == 32 ? 0xFFFFFFFFull : ((1ull << half) - 1);
    uint64_t v = k;
    do {
        uint64_t l = v >> half, r = v & mask;
        for (int i = 0; i < FEISTEL_ROUNDS; i++) {
            uint64_t t = l ^ (hw_splitmix64(r ^ keys[i]) & mask);
            l = r;
            r = t;
        }
        v = (l << half) | r;
    } while (v >= n);
    return v;
}

static void grid_destroy(void *st)
{
    grid_search *s = st;
    if (!s) return;
    free(s->radix); free(s->digits); free(s->work); free(s->after);
    free(s);
}

static int grid_create(void **out, const hw_problem *p, const cJSON *params, const char *path,
                       uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "grid_points", "order", "batch_size", "skip_inert",
                                       NULL};
    static const char *const orders[] = {"shuffled", "lexicographic", NULL};
    *out = NULL;
    long long grid_points = 5, batch = 100;
    int order = ORDER_SHUFFLED, skip_inert = 1;
    if (params) {
        int rc;
        if ((rc = hwj_check_keys(params, path, keys, e)) ||
            (rc = hwj_get_int(params, path, "grid_points", 0, 1, 1000000, &grid_points, e)) ||
            (rc = hwj_get_enum(params, path, "order", 0, orders, &order, e)) ||
            (rc = hwj_get_int(params, path, "batch_size", 0, 1, 1000000, &batch, e)) ||
            (rc = hwj_get_bool(params, path, "skip_inert", 0, &skip_inert, e)))
            return rc;
    }
    if (p->n_var < 1)
        return hw_fail(e, HW_EINVAL, "grid_search: problem has %d variables", p->n_var);
    int trc = hw_opt_check_table(path, "batch_size", batch, p->n_var, "variables", e);
    if (trc) return trc;
    grid_search *s = calloc(1, sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "grid_search: out of memory");
    s->p = p; s->nv = p->n_var;
    s->grid_points = (int)grid_points; s->order = order; s->batch = (size_t)batch;
    s->skip_inert = skip_inert;
    s->radix = malloc((size_t)s->nv * sizeof *s->radix);
    s->digits = calloc((size_t)s->nv, sizeof *s->digits);
    s->work = calloc((size_t)s->nv, sizeof *s->work);
    if (!s->radix || !s->digits || !s->work) {
        grid_destroy(s);
        return hw_fail(e, HW_ENOMEM, "grid_search: out of memory");
    }
    for (int i = 0; i < s->nv; i++) {
        const hw_var *v = &p->vars[i];
        int r = v->type == HW_VAR_CATEGORICAL ? v->n_cat : s->grid_points;
        if (r < 1) {
            grid_destroy(s);
            return hw_fail(e, HW_EINVAL, "grid_search: gene %d has %d choices", i, r);
        }
        s->radix[i] = (uint32_t)r;
    }
    /* Leading genes whose level product fits in 64 bits. */
    s->n_lead_pts = 1;
    s->n_lead = 0;
    while (s->n_lead < s->nv && s->n_lead_pts <= UINT64_MAX / s->radix[s->n_lead])
        s->n_lead_pts *= s->radix[s->n_lead++];
    hw_rng r;
    hw_rng_seed(&r, seed, HW_STREAM_OPTIMIZER);
    for (int i = 0; i < FEISTEL_ROUNDS; i++) s->keys[i] = hw_rng_u64(&r);
    s->tail_stream = hw_rng_u64(&r);
    *out = s;
    return HW_OK;
}

/* Write gene i's level d into x. */
static double grid_level(const grid_search *s, int i, uint32_t d)
{
    const hw_var *v = &s->p->vars[i];
    if (v->type == HW_VAR_CATEGORICAL) return (double)d;
    if (s->radix[i] == 1) return 0.5 * (v->lo + v->hi);
    double t = (double)d / (double)(s->radix[i] - 1);
    return d + 1 == s->radix[i] ? v->hi : v->lo + t * (v->hi - v->lo);
}

/* The k-th point of the shuffled order. */
static void grid_shuffled_point(const grid_search *s, uint64_t k, double *x)
{
    uint64_t lead = hw_grid_permute(k, s->n_lead_pts, s->keys), v = lead;
    for (int i = s->n_lead - 1; i >= 0; i--) {
        x[i] = grid_level(s, i, (uint32_t)(v % s->radix[i]));
        v /= s->radix[i];
    }
    if (s->n_lead < s->nv) {
        hw_rng r;
        hw_rng_seed(&r, lead, s->tail_stream);
        for (int i = s->n_lead; i < s->nv; i++)
            x[i] = grid_level(s, i, hw_rng_below(&r, s->radix[i]));
    }
}

/* Advance a digit counter by one; returns 1 when it wraps to all zeros. */
static int grid_increment(const grid_search *s, uint32_t *d)
{
    for (int i = s->nv - 1; i >= 0; i--) {
        if (++d[i] < s->radix[i]) return 0;
        d[i] = 0;
    }
    return 1;
}

static int grid_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    grid_search *s = st;
    size_t nv = (size_t)s->nv;
    *n = 0;
    size_t k = s->batch < max_n ? s->batch : max_n;
    if (k > s->after_cap) {
        uint64_t *a = realloc(s->after, k * sizeof *a);
        if (!a) return hw_fail(e, HW_ENOMEM, "grid_search: out of memory");
        s->after = a;
        s->after_cap = k;
    }
    size_t got = 0;
    if (s->order == ORDER_SHUFFLED) {
        uint64_t q = s->pos;
        while (got < k && q < s->n_lead_pts) {
            double *g = x + got * nv;
            grid_shuffled_point(s, q++, g);
            if (s->skip_inert && !hw_genome_canonicalize(s->p, g, s->n_lead)) continue;
            s->after[got++] = q;
        }
    } else if (!s->done) {
        memcpy(s->work, s->digits, nv * sizeof *s->work);
        uint64_t steps = 0;
        int wrapped = 0;
        while (got < k && !wrapped) {
            double *g = x + got * nv;
            for (int i = 0; i < s->nv; i++) g[i] = grid_level(s, i, s->work[i]);
            wrapped = grid_increment(s, s->work);
            steps++;
            if (s->skip_inert && !hw_genome_canonical(s->p, g)) continue;
            s->after[got++] = steps;
        }
    }
    *n = got;
    return HW_OK;
}

static int grid_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    grid_search *s = st;
    (void)x; (void)f; (void)e;
    if (n > 0) {
        if (s->order == ORDER_SHUFFLED) s->pos = s->after[n - 1];
        else
            for (uint64_t j = 0; j < s->after[n - 1] && !s->done; j++)
                s->done = grid_increment(s, s->digits);
    }
    return HW_OK;
}

static size_t grid_batch_size(const void *st)
{
    const grid_search *s = st;
    return s->batch;
}

const hw_optimizer_ops hw_grid_search_ops = {
    .name = "grid_search",
    .create = grid_create,
    .ask = grid_ask,
    .tell = grid_tell,
    .destroy = grid_destroy,
    .batch_size = grid_batch_size,
};
