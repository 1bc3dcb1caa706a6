#include "optimizers/generation.h"

#include <string.h>

#include "optimizers/optimizer.h"

size_t hw_generation_take(hw_generation *g, int n_var, double *x, size_t max_n)
{
    size_t nv = (size_t)n_var, k = g->n - g->asked;
    if (k > max_n) k = max_n;
    memcpy(x, g->x + g->asked * nv, k * nv * sizeof(double));
    g->asked += k;
    g->last_n = k;
    return k;
}

void hw_generation_told(hw_generation *g, size_t n)
{
    g->told += n;
    if (n < g->last_n) g->n = g->asked = g->told; /* short tell: generation ends */
    g->last_n = 0;
}

int hw_generation_repeats(const hw_generation *g, size_t j, int n_var, const double *pop, size_t pop_n)
{
    const double *c = g->x + j * (size_t)n_var;
    return hw_var_in_set(c, pop, pop_n, n_var) || hw_var_in_set(c, g->x, j, n_var);
}

void hw_generation_sample(hw_generation *g, size_t j, const hw_problem *p, hw_rng *r, const double *pop,
                          size_t pop_n, int dedup)
{
    double *y = g->x + j * (size_t)p->n_var;
    hw_var_sample(p, r, y);
    for (int t = 0; dedup && t < 20 && hw_generation_repeats(g, j, p->n_var, pop, pop_n); t++)
        hw_var_sample(p, r, y);
}

void hw_generation_nudge_repeat(hw_generation *g, size_t j, const hw_problem *p, hw_rng *r, const double *pop,
                                size_t pop_n)
{
    for (int t = 0; t < 20 && hw_generation_repeats(g, j, p->n_var, pop, pop_n); t++)
        hw_var_nudge_categorical(p, r, g->x + j * (size_t)p->n_var);
}
