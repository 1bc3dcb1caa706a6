/* Single-parent mutation and inert-gene checks: see mutate_one.h.  The
 * per-gene kernels are the shared ones of variation.c, applied to a one-gene
 * view of the problem; designs are compared through the problem's
 * canonicalize hook. */
#include <stdlib.h>
#include <string.h>

#include "optimizers/mutate_one.h"
#include "optimizers/optimizer.h"

/* Genomes up to this many genes live on the stack; longer ones (only on a
 * problem with a canonicalize hook and a huge genome) are allocated. */
#define STACK_GENES 128

void hw_mutate_gene(const hw_problem *p, hw_rng *r, double *x, int g, double eta_m)
{
    hw_problem one = {0};
    one.n_var = 1;
    one.vars = &p->vars[g];
    hw_var_mutate(&one, r, &x[g], 1.0, eta_m);
}

/* A categorical mutation of an active gene always changes the design, so
 * the redraw loop ends after a few tries; the cap only guards a genome whose
 * every gene has one choice. */
#define REDRAW_MAX 1000

/* Redraw until the design changes (orig: n_var scratch doubles). */
static int mutate_active(const hw_problem *p, hw_rng *r, double *x, double eta_m, double *orig)
{
    int g = 0;
    memcpy(orig, x, (size_t)p->n_var * sizeof *x);
    for (int t = 0; t < REDRAW_MAX; t++) {
        g = (int)hw_rng_below(r, (uint32_t)p->n_var);
        hw_mutate_gene(p, r, x, g, eta_m);
        if (!hw_genome_same_design(p, orig, x)) break;
        x[g] = orig[g];
    }
    return g;
}

int hw_mutate_one(const hw_problem *p, hw_rng *r, double *x, double eta_m, double extra_rate,
                  int skip_inert)
{
    int g = 0;
    if (skip_inert && p->canonicalize) {
        double stack[STACK_GENES];
        double *orig = p->n_var <= STACK_GENES ? stack : malloc((size_t)p->n_var * sizeof *orig);
        if (orig) g = mutate_active(p, r, x, eta_m, orig);
        else {  /* out of memory: mutate without the redraw */
            g = (int)hw_rng_below(r, (uint32_t)p->n_var);
            hw_mutate_gene(p, r, x, g, eta_m);
        }
        if (orig != stack) free(orig);
    } else {
        g = (int)hw_rng_below(r, (uint32_t)p->n_var);
        hw_mutate_gene(p, r, x, g, eta_m);
    }
    if (extra_rate > 0)
        for (int i = 0; i < p->n_var; i++)
            if (i != g && hw_rng_uniform(r) < extra_rate) hw_mutate_gene(p, r, x, i, eta_m);
    return g;
}

/* canonicalize(x) compared with y, on n_var doubles of scratch c. */
static int canonical_equals(const hw_problem *p, const double *x, const double *y, int n_cmp, double *c)
{
    memcpy(c, x, (size_t)p->n_var * sizeof *c);
    p->canonicalize(p, c);
    return memcmp(c, y, (size_t)n_cmp * sizeof *c) == 0;
}

int hw_genome_same_design(const hw_problem *p, const double *a, const double *b)
{
    size_t bytes = (size_t)p->n_var * sizeof *a;
    if (!p->canonicalize) return memcmp(a, b, bytes) == 0;
    double stack[2 * STACK_GENES];
    double *ca = p->n_var <= STACK_GENES ? stack : malloc(2 * bytes);
    if (!ca) return memcmp(a, b, bytes) == 0;
    double *cb = ca + p->n_var;
    memcpy(cb, b, bytes);
    p->canonicalize(p, cb);
    int same = canonical_equals(p, a, cb, p->n_var, ca);
    if (ca != stack) free(ca);
    return same;
}

int hw_genome_canonical(const hw_problem *p, const double *x)
{
    if (!p->canonicalize) return 1;
    double stack[STACK_GENES];
    double *c = p->n_var <= STACK_GENES ? stack : malloc((size_t)p->n_var * sizeof *c);
    if (!c) return 1;
    int same = canonical_equals(p, x, x, p->n_var, c);
    if (c != stack) free(c);
    return same;
}

int hw_genome_canonicalize(const hw_problem *p, double *x, int n_check)
{
    if (!p->canonicalize) return 1;
    double stack[STACK_GENES];
    double *c = p->n_var <= STACK_GENES ? stack : malloc((size_t)p->n_var * sizeof *c);
    if (!c) {  /* out of memory: canonicalize in place, report "changed" */
        p->canonicalize(p, x);
        return 0;
    }
    int same = canonical_equals(p, x, x, n_check, c);
    memcpy(x, c, (size_t)p->n_var * sizeof *x);
    if (c != stack) free(c);
    return same;
}
