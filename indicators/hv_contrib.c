/* indicators/hv_contrib.c — exclusive hypervolume contributions of a 2-D
 * front (hw_hv_contributions_2d, see indicators.h): one sort by f1, then
 * each point's box up to its staircase neighbours. */
#include <math.h>
#include <stdlib.h>

#include "indicators/indicators.h"

typedef struct { double v; size_t pos; } keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v < b->v) return -1;
    if (a->v > b->v) return 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int hw_hv_contributions_2d(const double *f, const int *idx, size_t k, const double *ref,
                           double *contrib)
{
    if (k == 0) return HW_OK;
    keyed *s = malloc(k * sizeof *s);
    if (!s) return HW_ENOMEM;
    /* Sort by f1 ascending (ties by position); on a non-dominated set f2
     * then descends, and only duplicates share an f1. */
    for (size_t j = 0; j < k; j++) { s[j].v = f[(size_t)idx[j] * 2]; s[j].pos = j; }
    qsort(s, k, sizeof *s, keyed_cmp);
    for (size_t a = 0; a < k; a++) {
        size_t j = s[a].pos;
        const double *p = f + (size_t)idx[j] * 2;
        if (!(p[0] < ref[0] && p[1] < ref[1])) { contrib[j] = 0; continue; }
        /* width: up to the next point with a larger f1 (or ref); height: up to
         * the previous point's f2 (or ref).  Equal neighbours give 0. */
        double right = a + 1 < k ? fmin(f[(size_t)idx[s[a + 1].pos] * 2], ref[0]) : ref[0];
        double top = a > 0 ? fmin(f[(size_t)idx[s[a - 1].pos] * 2 + 1], ref[1]) : ref[1];
        double w = right - p[0], h = top - p[1];
        contrib[j] = w > 0 && h > 0 ? w * h : 0.0;
    }
    free(s);
    return HW_OK;
}
