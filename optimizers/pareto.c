/* Pareto kernels: see pareto.h. */
#include "optimizers/pareto.h"

int hw_pareto_dominates(const double *a, const double *b, int m)
{
    int strict = 0;
    for (int j = 0; j < m; j++) {
        if (a[j] > b[j]) return 0;
        if (a[j] < b[j]) strict = 1;
    }
    return strict;
}

int hw_pareto_weakly_dominates(const double *a, const double *b, int m)
{
    for (int j = 0; j < m; j++)
        if (a[j] > b[j]) return 0;
    return 1;
}
