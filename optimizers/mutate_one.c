/* Single-parent mutation and inert-gene checks: see mutate_one.h.  The
 * per-gene kernels are the shared ones of variation.c, applied to a one-gene
 * view of the problem. */
#include <string.h>

#include "benchmark/hwgpt.h"
#include "optimizers/mutate_one.h"
#include "optimizers/optimizer.h"

void hw_mutate_gene(const hw_problem *p, hw_rng *r, double *x, int g, double eta_m)
{
    hw_problem one = {0};
    one.n_var = 1;
    one.vars = &p->vars[g];
    hw_var_mutate(&one, r, &x[g], 1.0, eta_m);
}

/* A categorical mutation of an active gene always changes the architecture,
 * so the redraw loop ends after a few tries; the cap only guards a genome
 * whose every gene has one choice. */
#define REDRAW_MAX 1000

int hw_mutate_one(const hw_problem *p, hw_rng *r, double *x, double eta_m, double extra_rate,
                  int skip_inert)
{
    const hw_space *sp = skip_inert ? hw_hwgpt_space(p) : NULL;
    int g = 0;
    if (sp) {
        double orig[3 + 2 * HW_MAX_LAYERS];
        memcpy(orig, x, (size_t)p->n_var * sizeof *x);
        for (int t = 0; t < REDRAW_MAX; t++) {
            g = (int)hw_rng_below(r, (uint32_t)p->n_var);
            hw_mutate_gene(p, r, x, g, eta_m);
            if (!hw_genome_same_design(p, orig, x)) break;
            x[g] = orig[g];
        }
    } else {
        g = (int)hw_rng_below(r, (uint32_t)p->n_var);
        hw_mutate_gene(p, r, x, g, eta_m);
    }
    if (extra_rate > 0)
        for (int i = 0; i < p->n_var; i++)
            if (i != g && hw_rng_uniform(r) < extra_rate) hw_mutate_gene(p, r, x, i, eta_m);
    return g;
}

int hw_genome_same_design(const hw_problem *p, const double *a, const double *b)
{
    const hw_space *sp = hw_hwgpt_space(p);
    if (!sp) return memcmp(a, b, (size_t)p->n_var * sizeof *a) == 0;
    hw_arch x, y;
    hw_arch_from_genome(sp, a, &x);
    hw_arch_from_genome(sp, b, &y);
    return memcmp(&x, &y, sizeof x) == 0;
}

int hw_genome_canonical(const hw_problem *p, const double *x)
{
    if (!hw_hwgpt_space(p)) return 1;
    double c[3 + 2 * HW_MAX_LAYERS];
    memcpy(c, x, (size_t)p->n_var * sizeof *x);
    return hw_genome_canonicalize(p, c, p->n_var);
}

int hw_genome_canonicalize(const hw_problem *p, double *x, int n_check)
{
    const hw_space *sp = hw_hwgpt_space(p);
    if (!sp) return 1;
    hw_arch a;
    double c[3 + 2 * HW_MAX_LAYERS];
    hw_arch_from_genome(sp, x, &a);
    hw_arch_to_genome(&a, c);
    int same = memcmp(c, x, (size_t)n_check * sizeof *x) == 0;
    memcpy(x, c, (size_t)p->n_var * sizeof *x);
    return same;
}
