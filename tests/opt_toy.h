/* tests/opt_toy.h — small problems and an ask/tell driver shared by the
 * optimizer tests (header-only, static inline functions). */
#ifndef HWNAS_TESTS_OPT_TOY_H
#define HWNAS_TESTS_OPT_TOY_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "indicators/indicators.h"
#include "benchmark/problem.h"
#include "optimizers/optimizer.h"

/* Mixed categorical toy: genes with 2..5 choices; two conflicting
 * objectives on the index sum, with many ties. */
static const hw_var TOY_CAT_VARS[6] = {
    {HW_VAR_CATEGORICAL, 2, 0, 1}, {HW_VAR_CATEGORICAL, 3, 0, 2}, {HW_VAR_CATEGORICAL, 4, 0, 3},
    {HW_VAR_CATEGORICAL, 3, 0, 2}, {HW_VAR_CATEGORICAL, 2, 0, 1}, {HW_VAR_CATEGORICAL, 5, 0, 4}};

static inline int toy_cat_eval(hw_problem *p, const double *x, const uint64_t *ids, size_t n,
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

static inline int toy_real_eval(hw_problem *p, const double *x, const uint64_t *ids, size_t n,
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

/* Run budget evaluations asking at most max_n at a time; all genomes and
 * objectives in order into *x, *f (malloc'd).  Returns the number run. */
static inline size_t toy_run(const hw_optimizer_ops *ops, void *st, hw_problem *p, size_t budget,
                      size_t max_n, double **x, double **f)
{
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj, done = 0;
    *x = malloc(budget * nv * sizeof **x);
    *f = malloc(budget * m * sizeof **f);
    hw_err e = {0};
    while (done < budget) {
        size_t n = 0, k = budget - done < max_n ? budget - done : max_n;
        if (ops->ask(st, *x + done * nv, k, &n, &e) || n == 0 || n > k) break;
        p->evaluate(p, *x + done * nv, NULL, n, *f + done * m, NULL, &e);
        if (ops->tell(st, *x + done * nv, *f + done * m, n, &e)) break;
        done += n;
    }
    return done;
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
            hw_problem_create(pc, "problem", (uint64_t)(s + 1), &p, &e)) {
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
    if (hwj_parse(json, "problem", &c, &e) == 0) hw_problem_create(c, "problem", 1, &p, &e);
    cJSON_Delete(c);
    return p;
}

#endif
