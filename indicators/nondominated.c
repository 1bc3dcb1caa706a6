/* indicators/nondominated.c — Pareto filter (minimisation).
 *
 * Points are visited in lexicographic order (hw_sort_points, axis 0): a
 * point can only be weakly dominated by points that come before it, and of
 * two equal points the one with the smaller index comes first.  A point is
 * kept iff no earlier kept point weakly dominates it; checking the kept ones
 * suffices because dominance is transitive.
 *   d == 1: the first minimum.  d == 2: one sweep keeping the best second
 *   objective seen, O(n log n).  d >= 3: each point against the kept set,
 *   O(n log n + n k d) for k kept points. */
#include <stdlib.h>

#include "indicators/indicators.h"

static int weakly_dominates(const double *a, const double *b, int d)
{
    for (int k = 0; k < d; k++)
        if (a[k] > b[k]) return 0;
    return 1;
}

size_t hw_nondominated(const double *pts, size_t n, int d, unsigned char *keep)
{
    for (size_t i = 0; i < n; i++) keep[i] = 0;
    if (n == 0) return 0;
    if (d == 1) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (pts[i] < pts[best]) best = i;
        keep[best] = 1;
        return 1;
    }
    size_t *order = malloc(n * sizeof *order);
    if (!order) return (size_t)-1;
    if (hw_sort_points(pts, n, d, 0, order) != HW_OK) { free(order); return (size_t)-1; }
    size_t nkept = 0;
    if (d == 2) {
        double best_y = 0;
        for (size_t t = 0; t < n; t++) {
            size_t i = order[t];
            double y = pts[2 * i + 1];
            if (nkept == 0 || y < best_y) { keep[i] = 1; best_y = y; nkept++; }
        }
    } else {
        /* order[0..nkept) is reused to hold the kept indices. */
        for (size_t t = 0; t < n; t++) {
            size_t i = order[t];
            const double *p = pts + i * (size_t)d;
            int dominated = 0;
            for (size_t k = nkept; k-- > 0;)
                if (weakly_dominates(pts + order[k] * (size_t)d, p, d)) { dominated = 1; break; }
            if (!dominated) { keep[i] = 1; order[nkept++] = i; }
        }
    }
    free(order);
    return nkept;
}
