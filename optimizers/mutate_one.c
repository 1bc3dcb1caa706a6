/* Single-parent mutation: see mutate_one.h.  The per-gene kernels are the
 * shared ones of variation.c, applied to a one-gene view of the problem. */
#include "optimizers/mutate_one.h"
#include "optimizers/optimizer.h"

void hw_mutate_gene(const hw_problem *p, hw_rng *r, double *x, int g, double eta_m)
{
    hw_problem one = {0};
    one.n_var = 1;
    one.vars = &p->vars[g];
    hw_var_mutate(&one, r, &x[g], 1.0, eta_m);
}

int hw_mutate_one(const hw_problem *p, hw_rng *r, double *x, double eta_m, double extra_rate)
{
    int g = (int)hw_rng_below(r, (uint32_t)p->n_var);
    hw_mutate_gene(p, r, x, g, eta_m);
    if (extra_rate > 0)
        for (int i = 0; i < p->n_var; i++)
            if (i != g && hw_rng_uniform(r) < extra_rate) hw_mutate_gene(p, r, x, i, eta_m);
    return g;
}
