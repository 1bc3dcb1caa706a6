/* tests/opt_local.h — a small local test problem for optimizer unit tests:
 * ZDT1 (Zitzler, Deb & Thiele 2000) on the real genes, plus an optional
 * block of categorical genes that add 0.1 * k / (n_choices - 1) each to f2,
 * an exact 2-D hypervolume, and an ask/evaluate/tell driver. */
#ifndef HWNAS_TESTS_OPT_LOCAL_H
#define HWNAS_TESTS_OPT_LOCAL_H

#include "check.h"
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

#endif
