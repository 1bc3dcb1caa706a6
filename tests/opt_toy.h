/* tests/opt_toy.h — small problems, ask/tell drivers, an independent 2-D
 * hypervolume and the checks shared by the optimizer tests (header-only,
 * static inline functions): the toy categorical and real problems, the local
 * ZDT1 problem with an optional categorical block, and the acceptance runs on
 * the project's test problems.  Every run goes through the run loop
 * (runner/loop.h): toy_loop. */
#ifndef HWNAS_TESTS_OPT_TOY_H
#define HWNAS_TESTS_OPT_TOY_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/util.h"
#include "core/json.h"
#include "indicators/indicators.h"
#include "benchmark/problem.h"
#include "optimizers/optimizer.h"
#include "runner/loop.h"

/* Mixed categorical toy: genes with 2..5 choices; two conflicting
 * objectives on the index sum, with many ties. */
static const hw_var TOY_CAT_VARS[6] = {
    {HW_VAR_CATEGORICAL, 2, 0, 1}, {HW_VAR_CATEGORICAL, 3, 0, 2}, {HW_VAR_CATEGORICAL, 4, 0, 3},
    {HW_VAR_CATEGORICAL, 3, 0, 2}, {HW_VAR_CATEGORICAL, 2, 0, 1}, {HW_VAR_CATEGORICAL, 5, 0, 4}};

static inline int toy_cat_eval(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n,
                        double *f, double *fs, hw_err *e)
{
    (void)ids; (void)fs; (void)e;
    for (size_t i = 0; i < n; i++) {
        const double *g = x + i * (size_t)p->n_var;
        double a = 0, b = 0;
        for (int j = 0; j < p->n_var; j++) {
            a += g[j] * (1 + j % 2);
            b += (p->vars[j].n_cat - 1 - g[j]) * (j % 3 == 0 ? 2 : 1);
        }
        f[2 * i] = a;
        f[2 * i + 1] = b * b / 4 + (int)g[0];
    }
    return HW_OK;
}

static inline hw_problem toy_cat_problem(void)
{
    hw_problem p = {0};
    p.name = "toy_cat"; p.n_var = 6; p.vars = TOY_CAT_VARS; p.n_obj = 2;
    p.evaluate = toy_cat_eval;
    return p;
}

/* Real toy: ZDT1 with 5 variables in [0, 1]. */
static const hw_var TOY_REAL_VARS[5] = {
    {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1},
    {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1}};

static inline int toy_real_eval(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n,
                         double *f, double *fs, hw_err *e)
{
    (void)ids; (void)fs; (void)e;
    int nv = p->n_var;
    for (size_t i = 0; i < n; i++) {
        const double *g = x + i * (size_t)nv;
        double s = 0;
        for (int j = 1; j < nv; j++) s += g[j];
        double gg = 1 + 9 * s / (nv - 1);
        f[2 * i] = g[0];
        f[2 * i + 1] = gg * (1 - sqrt(g[0] / gg));
    }
    return HW_OK;
}

static inline hw_problem toy_real_problem(void)
{
    hw_problem p = {0};
    p.name = "toy_real"; p.n_var = 5; p.vars = TOY_REAL_VARS; p.n_obj = 2;
    p.evaluate = toy_real_eval;
    return p;
}

/* Create an optimizer from a JSON text ("optimizer" path); NULL on error,
 * with the message in e. */
static inline void *toy_create(const hw_optimizer_ops *ops, const hw_problem *p, const char *json,
                        uint64_t seed, hw_err *e)
{
    cJSON *c = NULL;
    if (hwj_parse(json, "config", &c, e)) return NULL;
    void *st = NULL;
    int rc = ops->create(&st, p, c, "optimizer", seed, e);
    cJSON_Delete(c);
    return rc ? NULL : st;
}

/* An observer that records every evaluated genome and objective, in order,
 * into x and f (NULL: not recorded), sized for the run's budget. */
typedef struct {
    double *x, *f;
    size_t done;
} toy_record;

static inline int toy_record_batch(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    (void)e;
    toy_record *r = ctx;
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj;
    if (r->x) memcpy(r->x + r->done * nv, b->x, b->n * nv * sizeof(double));
    if (r->f) memcpy(r->f + r->done * m, b->f, b->n * m * sizeof(double));
    r->done += b->n;
    return HW_OK;
}

/* Drives st (made by ops->create) on p through the run loop: budget
 * evaluations of seed, asking at most max_n at a time (0: the optimizer's
 * batch), recording genomes and objectives into x and f (either NULL) and
 * calling the extra observer (NULL: none) after the recording.  Returns the
 * evaluations done; *rc (optional) gets the loop's status, e its message. */
static inline size_t toy_loop(const hw_optimizer_ops *ops, void *st, hw_problem *p, uint64_t seed, size_t budget,
                              size_t max_n, double *x, double *f, const hw_observer *extra, int *rc, hw_err *e)
{
    hw_optimizer *o = NULL;
    hw_evaluator *ev = NULL;
    toy_record rec = {x, f, 0};
    hw_observer obs[2] = {{&rec, toy_record_batch, NULL}, {0}};
    if (extra) obs[1] = *extra;
    hw_run_end end = {0};
    int r = hw_optimizer_wrap(ops, p, st, &o, e);
    if (!r) r = hw_evaluator_create(p, &ev, e);
    if (!r) {
        hw_loop_spec spec = {ev, o, seed, (long long)budget, max_n, 1, 0, NULL, obs, extra ? 2 : 1};
        r = hw_loop_run(&spec, &end, e);
    }
    hw_evaluator_destroy(ev);
    hw_optimizer_destroy(o);
    if (rc) *rc = r;
    return (size_t)end.evaluations;
}

/* Run budget evaluations asking at most max_n at a time; all genomes and
 * objectives in order into *x, *f (malloc'd).  Returns the number run. */
static inline size_t toy_run(const hw_optimizer_ops *ops, void *st, hw_problem *p, size_t budget,
                      size_t max_n, double **x, double **f)
{
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj;
    *x = malloc(budget * nv * sizeof **x);
    *f = malloc(budget * m * sizeof **f);
    hw_err e = {0};
    return toy_loop(ops, st, p, 0, budget, max_n, *x, *f, NULL, NULL, &e);
}

/* Number of genes in which a and b differ. */
static inline int toy_hamming(const double *a, const double *b, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++) d += a[i] != b[i];
    return d;
}

/* Hypervolume of a 2-D point set (dominated points and duplicates allowed)
 * for ref, by a sweep in f1 order: an independent reference for the
 * acceptance tests.  Sorts pts in place. */
static inline int toy_cmp2(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static inline double toy_hv2(double *pts, size_t n, const double *ref)
{
    qsort(pts, n, 2 * sizeof *pts, toy_cmp2);
    double hv = 0, top = ref[1];
    for (size_t i = 0; i < n; i++) {
        if (pts[2 * i] >= ref[0] || pts[2 * i + 1] >= top) continue;
        hv += (ref[0] - pts[2 * i]) * (top - pts[2 * i + 1]);
        top = pts[2 * i + 1];
    }
    return hv;
}

/* Median HV ratio over seeds 1..n_seeds (n_seeds <= 16) of an optimizer on
 * a ZDT problem (default 30 variables): HV of all evaluated points over the
 * true front's exact HV, reference point 1.1 per objective.  ratios[] gets
 * each seed's ratio (-1 for a failed run or a HV mismatch); returns the
 * median. */
static inline double toy_zdt_median_ratio(const hw_optimizer_ops *ops, const char *problem_json,
                                          const char *opt_json, size_t budget, int n_seeds,
                                          double *ratios)
{
    const double ref[2] = {1.1, 1.1};
    double r[16];
    for (int s = 0; s < n_seeds; s++) {
        hw_err e = {0};
        cJSON *pc = NULL;
        hw_problem *p = NULL;
        if (hwj_parse(problem_json, "problem", &pc, &e) ||
            hw_problem_create(pc, "problem", &p, &e)) {
            cJSON_Delete(pc);
            return -1;
        }
        cJSON_Delete(pc);
        void *st = toy_create(ops, p, opt_json, (uint64_t)(s + 1), &e);
        if (!st) { hw_problem_destroy(p); return -1; }
        size_t b = ops->batch_size(st);
        double *x, *f;
        size_t n = toy_run(ops, st, p, budget, b ? b : 64, &x, &f);
        double truth = p->true_front_hv(p, ref), hv = -1;
        /* The project's hypervolume, cross-checked by the sweep above. */
        if (hw_hypervolume(f, n, 2, ref, &hv, &e) || fabs(hv - toy_hv2(f, n, ref)) > 1e-12) hv = -1;
        r[s] = n == budget && truth > 0 && hv >= 0 ? hv / truth : -1;
        ratios[s] = r[s];
        free(x); free(f);
        ops->destroy(st);
        hw_problem_destroy(p);
    }
    for (int i = 1; i < n_seeds; i++)
        for (int j = i; j > 0 && r[j - 1] > r[j]; j--) { double t = r[j]; r[j] = r[j - 1]; r[j - 1] = t; }
    return r[n_seeds / 2];
}

/* The hwgpt problem (analytic backend: no data files) at a scale; NULL on
 * error. */
static inline hw_problem *toy_hwgpt(const char *scale)
{
    char json[128];
    snprintf(json, sizeof json, "{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"scale\":\"%s\"}", scale);
    cJSON *c = NULL;
    hw_problem *p = NULL;
    hw_err e = {0};
    if (hwj_parse(json, "problem", &c, &e) == 0) hw_problem_create(c, "problem", &p, &e);
    cJSON_Delete(c);
    return p;
}

/* ---- a tiny local problem: ZDT1 (Zitzler, Deb & Thiele 2000) plus an
 * optional block of categorical genes that must stay valid ------------- */

#define LOC_MAX_VAR 40
typedef struct {
    hw_problem p;
    hw_var vars[LOC_MAX_VAR];
} local_problem;

static inline void zdt1(const double *x, int n, double *f)
{
    double g = 0;
    for (int i = 1; i < n; i++) g += x[i];
    g = 1.0 + 9.0 * g / (n - 1);
    f[0] = x[0];
    f[1] = g * (1.0 - sqrt(x[0] / g));
}

/* ZDT1 on the real genes (the first ones); each categorical gene k adds
 * 0.1 * k / (n_choices - 1) to f2. */
static inline int local_eval(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n, double *f, double *fs,
                             hw_err *e)
{
    (void)ids; (void)fs; (void)e;
    size_t nv = (size_t)p->n_var;
    int n_real = 0;
    while (n_real < p->n_var && p->vars[n_real].type == HW_VAR_REAL) n_real++;
    for (size_t i = 0; i < n; i++) {
        zdt1(x + i * nv, n_real, f + 2 * i);
        for (int c = n_real; c < p->n_var; c++) f[2 * i + 1] += 0.1 * x[i * nv + c] / (p->vars[c].n_cat - 1);
    }
    return HW_OK;
}

static inline void local_init(local_problem *lp, int n_real, int n_cat, int n_choices)
{
    memset(lp, 0, sizeof *lp);
    for (int i = 0; i < n_real; i++) lp->vars[i] = (hw_var){HW_VAR_REAL, 0, 0.0, 1.0};
    for (int i = 0; i < n_cat; i++)
        lp->vars[n_real + i] = (hw_var){HW_VAR_CATEGORICAL, n_choices, 0.0, n_choices - 1.0};
    lp->p.name = "local";
    lp->p.n_var = n_real + n_cat;
    lp->p.vars = lp->vars;
    lp->p.n_obj = 2;
    lp->p.evaluate = local_eval;
}

/* Run ask/evaluate/tell on the local problem (ZDT1 on the real genes; the
 * categorical genes add (k / (n_choices-1)) * 0.1 to f2 each) for `evals`
 * evaluations, asking at most `piece` at a time.  Writes all asked genomes
 * to trace (if non-NULL) and all objectives to fall. */
static inline size_t local_drive(const hw_optimizer_ops *o, const hw_problem *p, void *st, size_t evals, size_t piece, double *trace,
                          double *fall, int n_real)
{
    int real = 0;
    while (real < p->n_var && p->vars[real].type == HW_VAR_REAL) real++;
    CHECK_EQ_INT(real, n_real); /* local_eval's ZDT1 block */
    hw_err e = {0};
    int rc = 0;
    size_t done = toy_loop(o, st, (hw_problem *)p, 0, evals, piece, trace, fall, NULL, &rc, &e);
    CHECK_MSG(rc == 0, "ask/tell: %s", e.msg);
    return done;
}

/* Acceptance run: optimizer ops (config opt_json) on the problem built by the
 * factory from problem_json, evals evaluations in batches of the optimizer's
 * batch size.  Writes the hypervolume (reference ref) of all evaluated points,
 * of the final population (read through pop), of the whole true front
 * (closed form) and of the problem's true_front() sample with as many points
 * as the population (a well-spread finite reference set). */
static inline int accept_run(const hw_optimizer_ops *o, const char *problem_json, const char *opt_json,
                             uint64_t seed, size_t evals, const double *ref,
                             size_t (*pop)(const void *, const double **, const double **),
                             double *hv_all, double *hv_pop, double *hv_true, double *hv_sample)
{
    hw_err e = {0};
    hw_problem *p = NULL;
    void *st = NULL;
    cJSON *pc = cJSON_Parse(problem_json), *oc = opt_json ? cJSON_Parse(opt_json) : NULL;
    int rc = hw_problem_create(pc, "problem", &p, &e);
    if (!rc) rc = o->create(&st, p, oc, "optimizer", seed, &e);
    cJSON_Delete(pc);
    cJSON_Delete(oc);
    CHECK_MSG(rc == 0, "setup: %s", e.msg);
    if (rc) { if (p) hw_problem_destroy(p); return rc; }
    size_t m = (size_t)p->n_obj;
    double *fall = malloc(evals * m * sizeof(double));
    size_t done = toy_loop(o, st, p, seed, evals, 0, NULL, fall, NULL, &rc, &e);
    CHECK_MSG(rc == 0 && done == evals, "run: %s (%zu of %zu evaluations)", e.msg, done, evals);
    const double *px, *pf;
    size_t np = pop(st, &px, &pf);
    if (!rc) rc = hw_hypervolume(fall, done, (int)m, ref, hv_all, &e);
    if (!rc) rc = hw_hypervolume(pf, np, (int)m, ref, hv_pop, &e);
    *hv_true = p->true_front_hv ? p->true_front_hv(p, ref) : -1;
    double *tf = NULL;
    size_t ntf = 0;
    if (!rc && p->true_front && (rc = p->true_front(p, np, &tf, &ntf, &e)) == 0)
        rc = hw_hypervolume(tf, ntf, (int)m, ref, hv_sample, &e);
    free(tf);
    CHECK_MSG(rc == 0, "hypervolume: %s", e.msg);
    CHECK(*hv_true > 0);
    o->destroy(st);
    hw_problem_destroy(p);
    free(fall);
    return rc;
}

/* Median over 5 seeds of the HV ratios to the true front: all evaluated
 * points, final population; *sample_ratio = HV of the true-front sample of
 * population size / HV of the true front (what a finite set can reach). */
static inline void accept_median(const hw_optimizer_ops *o, const char *label, const char *problem_json,
                                 const char *opt_json, size_t evals, const double *ref,
                                 size_t (*pop)(const void *, const double **, const double **),
                                 double *med_all, double *med_pop, double *sample_ratio)
{
    double all[5], pp[5], hv_true = 1, hv_sample = 0;
    for (int s = 0; s < 5; s++) {
        double a = 0, b = 0;
        accept_run(o, problem_json, opt_json, (uint64_t)s + 1, evals, ref, pop, &a, &b, &hv_true, &hv_sample);
        all[s] = a / hv_true;
        pp[s] = b / hv_true;
        printf("%s seed %d: HV ratio all evaluated %.4f, final population %.4f\n", label, s + 1, all[s], pp[s]);
    }
    qsort(all, 5, sizeof(double), hw_cmp_double);
    qsort(pp, 5, sizeof(double), hw_cmp_double);
    *med_all = all[2];
    *med_pop = pp[2];
    *sample_ratio = hv_sample / hv_true;
    printf("%s median: all evaluated %.4f, final population %.4f (true HV %.6f; true-front sample of "
           "population size %.4f)\n", label, all[2], pp[2], hv_true, *sample_ratio);
}

/* The optimizer registered as name (exits when it is not registered). */
static inline const hw_optimizer_ops *toy_ops(const char *name)
{
    const hw_optimizer_ops *o = hw_optimizer_find(name);
    if (!o) { fprintf(stderr, "%s is not registered\n", name); exit(1); }
    return o;
}

/* Create an optimizer from a JSON text (NULL: all defaults); a failure is a
 * test failure and exits. */
static inline void *toy_make(const hw_optimizer_ops *o, const hw_problem *p, const char *json, uint64_t seed)
{
    cJSON *cfg = json ? cJSON_Parse(json) : NULL;
    void *st = NULL;
    hw_err e = {0};
    int rc = o->create(&st, p, cfg, "optimizer", seed, &e);
    cJSON_Delete(cfg);
    CHECK_MSG(rc == 0 && st, "create: %s", e.msg);
    if (!st) exit(1);
    return st;
}

/* A bad optimizer config and a text its error message must contain. */
typedef struct {
    const char *json, *want;
} toy_bad_config;

/* Each config of cases is refused by create with a message naming the key. */
static inline void toy_check_config_errors(const hw_optimizer_ops *o, const hw_problem *p,
                                           const toy_bad_config *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hw_err e = {0};
        void *st = toy_create(o, p, cases[i].json, 1, &e);
        CHECK(st == NULL);
        if (st) o->destroy(st);
        CHECK_MSG(strstr(e.msg, cases[i].want) != NULL, "'%s' lacks '%s'", e.msg, cases[i].want);
    }
}

/* Same seed, same run: three runs of budget evaluations on the real toy
 * problem in pieces of max_n, seeds 9, 9 and 10; the first two ask the same
 * genomes, the third differs. */
static inline void toy_check_same_seed(const hw_optimizer_ops *o, const char *cfg, size_t budget, size_t max_n)
{
    hw_problem p = toy_real_problem();
    double *x[3], *f[3];
    for (int r = 0; r < 3; r++) {
        hw_err e = {0};
        void *st = toy_create(o, &p, cfg, r < 2 ? 9 : 10, &e);
        CHECK(st != NULL);
        if (!st) {
            for (int q = 0; q < r; q++) { free(x[q]); free(f[q]); }
            return;
        }
        CHECK_EQ_INT(toy_run(o, st, &p, budget, max_n, &x[r], &f[r]), budget);
        o->destroy(st);
    }
    CHECK(memcmp(x[0], x[1], budget * 5 * sizeof(double)) == 0);
    CHECK(memcmp(x[0], x[2], budget * 5 * sizeof(double)) != 0);
    for (int r = 0; r < 3; r++) { free(x[r]); free(f[r]); }
}

/* Acceptance: the median over 5 seeds of the HV of all evaluated points (ref
 * 1.1) on a ZDT problem after 25,000 evaluations reaches at least min_ratio
 * of the true front's HV. */
static inline void toy_check_zdt_median(const hw_optimizer_ops *o, const char *problem_json,
                                        const char *opt_json, const char *label, double min_ratio)
{
    double r[5];
    double med = toy_zdt_median_ratio(o, problem_json, opt_json, 25000, 5, r);
    fprintf(stderr, "%s HV ratios: %.4f %.4f %.4f %.4f %.4f, median %.4f\n", label, r[0], r[1], r[2], r[3], r[4], med);
    CHECK(med >= min_ratio);
}

/* Each config bad[2 i] (i < n) is refused by create with HW_EINVAL or
 * HW_ERANGE, no state, and a message containing bad[2 i + 1]. */
static inline void check_create_refuses(const hw_optimizer_ops *o, const hw_problem *p, const char *const *bad,
                                        int n)
{
    for (int i = 0; i < n; i++) {
        cJSON *cfg = cJSON_Parse(bad[2 * i]);
        void *st = NULL;
        hw_err e = {0};
        int rc = o->create(&st, p, cfg, "optimizer", 1, &e);
        CHECK(rc == HW_EINVAL || rc == HW_ERANGE);
        CHECK(st == NULL);
        CHECK_MSG(strstr(e.msg, bad[2 * i + 1]) != NULL, "'%s' lacks %s", e.msg, bad[2 * i + 1]);
        cJSON_Delete(cfg);
    }
}

/* Same seed, same asks at any piece size: on the local problem (8 real
 * genes, 4 categorical genes of 3 choices), 1000 evaluations of config cfg
 * (population 40): seed 5 asked in pieces of 40 and of 7 gives the same
 * genomes, seed 6 others; real genes stay in [0, 1], categorical genes are
 * valid indices. */
static inline void local_check_same_seed_any_piece(const hw_optimizer_ops *o, const char *cfg)
{
    local_problem lp;
    local_init(&lp, 8, 4, 3);
    size_t evals = 1000, nv = (size_t)lp.p.n_var;
    double *t1 = calloc(evals * nv, sizeof(double)), *t2 = calloc(evals * nv, sizeof(double));
    double *t3 = calloc(evals * nv, sizeof(double));
    void *a = toy_make(o, &lp.p, cfg, 5), *b = toy_make(o, &lp.p, cfg, 5), *d = toy_make(o, &lp.p, cfg, 6);
    CHECK_EQ_INT(o->batch_size(a), 40);
    CHECK_EQ_INT(local_drive(o, &lp.p, a, evals, 40, t1, NULL, 8), evals);
    CHECK_EQ_INT(local_drive(o, &lp.p, b, evals, 7, t2, NULL, 8), evals); /* pieces of 7 */
    CHECK_EQ_INT(local_drive(o, &lp.p, d, evals, 40, t3, NULL, 8), evals);
    CHECK(memcmp(t1, t2, evals * nv * sizeof(double)) == 0);
    CHECK(memcmp(t1, t3, evals * nv * sizeof(double)) != 0);
    for (size_t i = 0; i < evals; i++)
        for (size_t j = 0; j < nv; j++) {
            double v = t1[i * nv + j];
            if (j < 8) CHECK(v >= 0 && v <= 1);
            else CHECK(v == floor(v) && v >= 0 && v <= 2);
        }
    o->destroy(a); o->destroy(b); o->destroy(d);
    free(t1); free(t2); free(t3);
}

typedef struct {
    size_t (*pop)(const void *, const double **, const double **);
    const void *st;
    size_t repeats, batches;
} toy_children_check;

/* Observer: the batch's children (asked before the tell, so pop still gives
 * their parents) are valid and new. */
static inline int toy_children_batch(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    (void)e;
    toy_children_check *c = ctx;
    size_t nv = (size_t)p->n_var;
    const double *px, *pf, *x = b->x;
    size_t np = c->pop(c->st, &px, &pf);
    CHECK_EQ_INT(b->n, 40);
    for (size_t i = 0; i < b->n; i++) {
        for (size_t g = 0; g < nv; g++) {
            double v = x[i * nv + g];
            CHECK(p->vars[g].type == HW_VAR_CATEGORICAL && v == floor(v) && v >= 0 && v < p->vars[g].n_cat);
        }
        for (size_t j = 0; j < i; j++) c->repeats += memcmp(x + i * nv, x + j * nv, nv * sizeof(double)) == 0;
        for (size_t j = 0; j < np; j++) c->repeats += memcmp(x + i * nv, px + j * nv, nv * sizeof(double)) == 0;
    }
    c->batches++;
    return HW_OK;
}

/* On the GPT-s space (all genes categorical), analytic objectives params and
 * flops, 15 generations of 40 (opt_json sets population_size 40): every
 * asked genome is valid, and no child repeats a member of the population
 * (read through pop) or another child of its generation. */
static inline void toy_check_hwgpt_children_valid_and_new(const hw_optimizer_ops *o, const char *opt_json,
                                                          size_t (*pop)(const void *, const double **,
                                                                        const double **))
{
    hw_err e = {0};
    hw_problem *p = NULL;
    cJSON *pc = cJSON_Parse("{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"scale\":\"s\","
                            "\"objectives\":[\"params\",\"flops\"]}");
    int rc = hw_problem_create(pc, "problem", &p, &e);
    cJSON_Delete(pc);
    CHECK_MSG(rc == 0, "problem: %s", e.msg);
    if (rc) return;
    void *st = toy_make(o, p, opt_json, 3);
    toy_children_check check = {pop, st, 0, 0};
    hw_observer obs = {&check, toy_children_batch, NULL};
    size_t done = toy_loop(o, st, p, 3, 15 * 40, 40, NULL, NULL, &obs, &rc, &e);
    CHECK_MSG(rc == 0, "run: %s", e.msg);
    CHECK_EQ_INT(done, 15 * 40);
    CHECK_EQ_INT(check.batches, 15);
    CHECK_EQ_INT(check.repeats, 0);
    o->destroy(st);
    hw_problem_destroy(p);
}

#endif
