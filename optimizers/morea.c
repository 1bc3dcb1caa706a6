/* MOREA: see morea.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "indicators/indicators.h"
#include "optimizers/morea.h"
#include "optimizers/mutate_one.h"
#include "optimizers/nsga2.h"
#include "optimizers/pareto.h"

enum { SEL_CROWDING = 0, SEL_HV = 1 };

typedef struct {
    const hw_problem *p;
    int nv, m;
    size_t pop_size, sample_size, batch;
    int selection;
    double eta_m, extra_rate;
    int skip_inert;
    hw_rng rng;
    /* Ring buffer: slot (head + i) % pop_size is the i-th oldest member. */
    double *px, *pf;
    size_t count, head;
    /* Tournament work space (sample_size entries each). */
    size_t *slots;
    int *front;
    double *sf, *score, *rest;
    int *rank;
} morea;

static void morea_destroy(void *st)
{
    morea *s = st;
    if (!s) return;
    free(s->px); free(s->pf); free(s->slots); free(s->front);
    free(s->sf); free(s->score); free(s->rest); free(s->rank);
    free(s);
}

static int morea_create(void **out, const hw_problem *p, const cJSON *params, const char *path,
                        uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "population_size", "sample_size", "selection",
                                       "batch_size", "eta_m", "extra_rate", "skip_inert", NULL};
    static const char *const selections[] = {"crowding", "hv_contribution", NULL};
    *out = NULL;
    long long pop = 100, sample = 10, batch = 1;
    int sel = SEL_CROWDING;
    double eta_m = 5.0, extra_rate = 0.0;
    int skip_inert = 1;
    if (params) {
        int rc;
        if ((rc = hwj_check_keys(params, path, keys, e)) ||
            (rc = hwj_get_int(params, path, "population_size", 0, 2, 10000000, &pop, e)))
            return rc;
        if (sample > pop) sample = pop; /* the default sample size is capped by a smaller population */
        if ((rc = hwj_get_int(params, path, "sample_size", 0, 1, 10000000, &sample, e)) ||
            (rc = hwj_get_enum(params, path, "selection", 0, selections, &sel, e)) ||
            (rc = hwj_get_int(params, path, "batch_size", 0, 1, 1000000, &batch, e)) ||
            (rc = hwj_get_double(params, path, "eta_m", 0, 0.0, 1000.0, &eta_m, e)) ||
            (rc = hwj_get_double(params, path, "extra_rate", 0, 0.0, 1.0, &extra_rate, e)) ||
            (rc = hwj_get_bool(params, path, "skip_inert", 0, &skip_inert, e)))
            return rc;
    }
    char kp[512];
    if (sample > pop) {
        hwj_path(kp, sizeof kp, path, "sample_size");
        return hw_fail(e, HW_EINVAL, "%s: %lld exceeds population_size (%lld)", kp, sample, pop);
    }
    if (sel == SEL_HV && p->n_obj < 2) {
        hwj_path(kp, sizeof kp, path, "selection");
        return hw_fail(e, HW_EINVAL, "%s: hv_contribution needs 2 or more objectives, the problem has %d",
                       kp, p->n_obj);
    }
    if (p->n_var < 1 || p->n_obj < 1)
        return hw_fail(e, HW_EINVAL, "morea: problem has %d variables and %d objectives",
                       p->n_var, p->n_obj);
    int trc = hw_opt_check_table(path, "population_size", pop, p->n_var, "variables", e);
    if (!trc) trc = hw_opt_check_table(path, "batch_size", batch, p->n_var, "variables", e);
    if (trc) return trc;
    morea *s = calloc(1, sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "morea: out of memory");
    s->p = p; s->nv = p->n_var; s->m = p->n_obj;
    s->pop_size = (size_t)pop; s->sample_size = (size_t)sample; s->batch = (size_t)batch;
    s->selection = sel; s->eta_m = eta_m; s->extra_rate = extra_rate; s->skip_inert = skip_inert;
    hw_rng_seed(&s->rng, seed, HW_STREAM_OPTIMIZER);
    s->px = malloc(s->pop_size * (size_t)s->nv * sizeof *s->px);
    s->pf = malloc(s->pop_size * (size_t)s->m * sizeof *s->pf);
    s->slots = malloc(s->pop_size * sizeof *s->slots);
    s->front = malloc(s->sample_size * sizeof *s->front);
    s->sf = malloc(s->sample_size * (size_t)s->m * sizeof *s->sf);
    s->score = malloc(s->sample_size * sizeof *s->score);
    s->rank = malloc(s->sample_size * sizeof *s->rank);
    s->rest = malloc(s->sample_size * (size_t)s->m * sizeof *s->rest);
    if (!s->px || !s->pf || !s->slots || !s->front || !s->sf || !s->score || !s->rank || !s->rest) {
        morea_destroy(s);
        return hw_fail(e, HW_ENOMEM, "morea: out of memory (population %lld)", pop);
    }
    *out = s;
    return HW_OK;
}

/* Exclusive hypervolume contribution of each of the k front members
 * s->front[0..k) of the sample (objectives in s->sf) into s->score: the
 * front is scaled to [0,1] per objective (a constant objective to 0) and
 * the reference point is 1.1.  2 objectives: the exact kernel; more: the
 * front's HV minus the HV without the member (indicators.h). */
static int morea_hv_scores(morea *s, size_t k)
{
    int m = s->m;
    for (int o = 0; o < m; o++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t j = 0; j < k; j++) {
            lo = fmin(lo, s->sf[(size_t)s->front[j] * m + o]);
            hi = fmax(hi, s->sf[(size_t)s->front[j] * m + o]);
        }
        for (size_t j = 0; j < k; j++) {
            double *v = &s->sf[(size_t)s->front[j] * m + o];
            *v = hi > lo ? (*v - lo) / (hi - lo) : 0.0;
        }
    }
    double ref[HW_MAX_OBJ];
    for (int o = 0; o < m; o++) ref[o] = 1.1;
    if (m == 2) return hw_hv_contributions_2d(s->sf, s->front, k, ref, s->score);
    double all;
    for (size_t j = 0; j < k; j++)
        memcpy(s->rest + j * m, s->sf + (size_t)s->front[j] * m, (size_t)m * sizeof *s->rest);
    if (hw_hypervolume(s->rest, k, m, ref, &all, NULL)) return HW_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        /* rest = the front without member j. */
        size_t n = 0;
        for (size_t i = 0; i < k; i++)
            if (i != j) memcpy(s->rest + (n++) * m, s->sf + (size_t)s->front[i] * m, (size_t)m * sizeof *s->rest);
        double without;
        if (hw_hypervolume(s->rest, n, m, ref, &without, NULL)) return HW_ENOMEM;
        s->score[j] = all - without;
    }
    return HW_OK;
}

/* One Pareto tournament: the ring slot of the chosen parent. */
static int morea_select(morea *s, size_t *parent)
{
    size_t P = s->count, S = s->sample_size, m = (size_t)s->m;
    /* Partial Fisher-Yates over the slots: S distinct members. */
    for (size_t i = 0; i < P; i++) s->slots[i] = i;
    for (size_t i = 0; i < S; i++) {
        size_t j = i + hw_rng_below(&s->rng, (uint32_t)(P - i));
        size_t t = s->slots[i]; s->slots[i] = s->slots[j]; s->slots[j] = t;
        memcpy(s->sf + i * m, s->pf + s->slots[i] * m, m * sizeof *s->sf);
    }
    if (nsga2_rank(s->sf, S, s->m, s->rank, NULL)) return HW_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < S; i++)
        if (s->rank[i] == 0) s->front[k++] = (int)i;
    if (s->selection == SEL_CROWDING) {
        if (nsga2_crowding(s->sf, s->m, s->front, k, s->score)) return HW_ENOMEM;
    } else if (morea_hv_scores(s, k)) {
        return HW_ENOMEM;
    }
    double best = -INFINITY;
    size_t ties = 0;
    for (size_t j = 0; j < k; j++) {
        if (s->score[j] > best) { best = s->score[j]; ties = 1; }
        else if (s->score[j] == best) ties++;
    }
    size_t pick = ties > 1 ? hw_rng_below(&s->rng, (uint32_t)ties) : 0;
    for (size_t j = 0; j < k; j++)
        if (s->score[j] == best && pick-- == 0) { *parent = s->slots[(size_t)s->front[j]]; break; }
    return HW_OK;
}

static int morea_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    morea *s = st;
    size_t nv = (size_t)s->nv;
    *n = 0;
    if (s->count < s->pop_size) {
        size_t k = s->pop_size - s->count;
        if (k > max_n) k = max_n;
        for (size_t i = 0; i < k; i++) hw_var_sample(s->p, &s->rng, x + i * nv);
        *n = k;
        return HW_OK;
    }
    size_t k = s->batch < max_n ? s->batch : max_n;
    for (size_t i = 0; i < k; i++) {
        size_t parent = 0;
        if (morea_select(s, &parent)) return hw_fail(e, HW_ENOMEM, "morea: out of memory");
        double *c = x + i * nv;
        memcpy(c, s->px + parent * nv, nv * sizeof *c);
        hw_mutate_one(s->p, &s->rng, c, s->eta_m, s->extra_rate, s->skip_inert);
    }
    *n = k;
    return HW_OK;
}

static int morea_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    morea *s = st;
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < m; o++)
            if (!isfinite(f[i * m + o]))
                return hw_fail(e, HW_EINVAL, "morea: objective %zu of told genome %zu is not finite",
                               o, i);
    for (size_t i = 0; i < n; i++) {
        size_t slot;
        if (s->count < s->pop_size) slot = (s->head + s->count++) % s->pop_size;
        else { slot = s->head; s->head = (s->head + 1) % s->pop_size; }
        memcpy(s->px + slot * nv, x + i * nv, nv * sizeof *x);
        memcpy(s->pf + slot * m, f + i * m, m * sizeof *f);
    }
    return HW_OK;
}

static size_t morea_batch_size(const void *st)
{
    const morea *s = st;
    return s->batch;
}

size_t hw_morea_population(const void *st, double *x, double *f)
{
    const morea *s = st;
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    for (size_t i = 0; i < s->count; i++) {
        size_t slot = (s->head + i) % s->pop_size;
        if (x) memcpy(x + i * nv, s->px + slot * nv, nv * sizeof *x);
        if (f) memcpy(f + i * m, s->pf + slot * m, m * sizeof *f);
    }
    return s->count;
}

const hw_optimizer_ops hw_morea_ops = {
    .name = "morea",
    .create = morea_create,
    .ask = morea_ask,
    .tell = morea_tell,
    .destroy = morea_destroy,
    .batch_size = morea_batch_size,
};
