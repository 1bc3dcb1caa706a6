/* tests/opt_local.h — a small local test problem for optimizer unit tests:
 * ZDT1 (Zitzler, Deb & Thiele 2000) on the real genes, plus an optional
 * block of categorical genes that add 0.1 * k / (n_choices - 1) each to f2,
 * an exact 2-D hypervolume, and an ask/evaluate/tell driver. */
#ifndef HWNAS_TESTS_OPT_LOCAL_H
#define HWNAS_TESTS_OPT_LOCAL_H

#include "check.h"
#include "indicators/indicators.h"
#include "optimizers/optimizer.h"

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
}

/* Exact 2-D hypervolume of (unsorted, possibly dominated) points. */
static inline int cmp_d2(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}
static inline double hv2(double *pts, size_t n, const double *ref)
{
    qsort(pts, n, 2 * sizeof(double), cmp_d2);
    double hv = 0, best = ref[1];
    for (size_t i = 0; i < n; i++) {
        if (pts[2 * i] >= ref[0]) break;
        if (pts[2 * i + 1] < best) {
            hv += (ref[0] - pts[2 * i]) * (best - pts[2 * i + 1]);
            best = pts[2 * i + 1];
        }
    }
    return hv;
}

/* Run ask/evaluate/tell on the local problem (ZDT1 on the real genes; the
 * categorical genes add (k / (n_choices-1)) * 0.1 to f2 each) for `evals`
 * evaluations, asking at most `piece` at a time.  Writes all asked genomes
 * to trace (if non-NULL) and all objectives to fall. */
static inline size_t local_drive(const hw_optimizer_ops *o, const hw_problem *p, void *st, size_t evals, size_t piece, double *trace,
                          double *fall, int n_real)
{
    size_t nv = (size_t)p->n_var, done = 0;
    double *x = malloc(piece * nv * sizeof(double)), *f = malloc(piece * 2 * sizeof(double));
    hw_err e = {0};
    while (done < evals) {
        size_t want = evals - done < piece ? evals - done : piece, n = 0;
        int rc = o->ask(st, x, want, &n, &e);
        CHECK_MSG(rc == 0, "ask: %s", e.msg);
        if (rc || n == 0) break;
        for (size_t i = 0; i < n; i++) {
            zdt1(x + i * nv, n_real, f + 2 * i);
            for (int c = n_real; c < p->n_var; c++)
                f[2 * i + 1] += 0.1 * x[i * nv + c] / (p->vars[c].n_cat - 1);
        }
        if (trace) memcpy(trace + done * nv, x, n * nv * sizeof(double));
        if (fall) memcpy(fall + done * 2, f, n * 2 * sizeof(double));
        rc = o->tell(st, x, f, n, &e);
        CHECK_MSG(rc == 0, "tell: %s", e.msg);
        done += n;
    }
    free(x);
    free(f);
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
    int rc = hw_problem_create(pc, "problem", seed, &p, &e);
    if (!rc) rc = o->create(&st, p, oc, "optimizer", seed, &e);
    cJSON_Delete(pc);
    cJSON_Delete(oc);
    CHECK_MSG(rc == 0, "setup: %s", e.msg);
    if (rc) { if (p) hw_problem_destroy(p); return rc; }
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj, batch = o->batch_size(st), done = 0;
    double *x = malloc(batch * nv * sizeof(double)), *fall = malloc(evals * m * sizeof(double));
    uint64_t *ids = malloc(batch * sizeof *ids);
    while (done < evals && !rc) {
        size_t want = evals - done < batch ? evals - done : batch, n = 0;
        if ((rc = o->ask(st, x, want, &n, &e)) || n == 0) break;
        for (size_t i = 0; i < n; i++) ids[i] = done + i;
        if ((rc = p->evaluate(p, x, ids, n, fall + done * m, NULL, &e))) break;
        rc = o->tell(st, x, fall + done * m, n, &e);
        done += n;
    }
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
    free(x); free(fall); free(ids);
    return rc;
}

static inline int cmp_double_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
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
    qsort(all, 5, sizeof(double), cmp_double_asc);
    qsort(pp, 5, sizeof(double), cmp_double_asc);
    *med_all = all[2];
    *med_pop = pp[2];
    *sample_ratio = hv_sample / hv_true;
    printf("%s median: all evaluated %.4f, final population %.4f (true HV %.6f; true-front sample of "
           "population size %.4f)\n", label, all[2], pp[2], hv_true, *sample_ratio);
}

#endif
