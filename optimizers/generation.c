#include "optimizers/generation.h"

#include <string.h>

int hw_generation_check_ask(const hw_generation *g, const char *name, hw_err *e)
{
    if (g->last_n > 0)
        return hw_fail(e, HW_ESTATE, "%s: ask called before the previous %zu genomes were told", name, g->last_n);
    return HW_OK;
}

size_t hw_generation_take(hw_generation *g, int n_var, double *x, size_t max_n)
{
    size_t nv = (size_t)n_var, k = g->n - g->asked;
    if (k > max_n) k = max_n;
    memcpy(x, g->x + g->asked * nv, k * nv * sizeof(double));
    g->asked += k;
    g->last_n = k;
    return k;
}

int hw_generation_check_tell(const hw_generation *g, const char *name, size_t n, hw_err *e)
{
    if (n > g->last_n)
        return hw_fail(e, HW_ESTATE, "%s: told %zu genomes but the last ask gave %zu", name, n, g->last_n);
    return HW_OK;
}

void hw_generation_told(hw_generation *g, size_t n)
{
    g->told += n;
    if (n < g->last_n) g->n = g->asked = g->told; /* short tell: generation ends */
    g->last_n = 0;
}
