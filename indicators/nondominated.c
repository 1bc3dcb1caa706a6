/* indicators/nondominated.c — Pareto filter (minimisation).
 *
 * Points are visited in lexicographic order (hw_sort_points, axis 0): a
 * point can only be weakly dominated by points that come before it, and of
 * two equal points the one with the smaller index comes first.  A point is
 * kept iff no earlier kept point weakly dominates it; checking the kept ones
 * suffices because dominance is transitive.
 *   d == 1: the first minimum.  d == 2: one sweep keeping the best second
 *   objective seen, O(n log n).  d == 3: a Fenwick tree over the ranks of the
 *   second objective holding prefix minima of the third: p is dominated iff
 *   an earlier point has y <= p.y and z <= p.z, O(n log n).  d >= 4: each
 *   point against the kept set, O(n log n + n k d) for k kept points. */
#include <math.h>
#include <stdlib.h>

#include "indicators/indicators.h"

static int weakly_dominates(const double *a, const double *b, int d)
{
    for (int k = 0; k < d; k++)
        if (a[k] > b[k]) return 0;
    return 1;
}

/* d == 3 (see above); order: the lexicographic (x, y, z) order.  Returns
 * the number kept or (size_t)-1. */
static size_t nondominated_3d(const double *pts, size_t n, const size_t *order, unsigned char *keep)
{
    size_t *oy = malloc(n * sizeof *oy), *yrank = malloc(n * sizeof *yrank);
    double *fen = malloc(n * sizeof *fen);
    size_t nkept = (size_t)-1;
    if (!oy || !yrank || !fen || hw_sort_points(pts, n, 3, 1, oy) != HW_OK) goto done;
    /* yrank: 1-based position of the last point with the same y, so a
     * prefix query covers every point with y' <= y. */
    for (size_t i = n; i-- > 0;) {
        int last = i + 1 == n || pts[3 * oy[i + 1] + 1] != pts[3 * oy[i] + 1];
        yrank[oy[i]] = last ? i + 1 : yrank[oy[i + 1]];
    }
    for (size_t i = 0; i < n; i++) fen[i] = INFINITY;
    nkept = 0;
    for (size_t t = 0; t < n; t++) {
        size_t i = order[t];
        double z = pts[3 * i + 2], zmin = INFINITY;
        for (size_t r = yrank[i]; r > 0; r &= r - 1)
            if (fen[r - 1] < zmin) zmin = fen[r - 1];
        if (zmin <= z) continue;
        keep[i] = 1;
        nkept++;
        for (size_t r = yrank[i]; r <= n; r += r & (~r + 1))
            if (z < fen[r - 1]) fen[r - 1] = z;
    }
done:
    free(oy);
    free(yrank);
    free(fen);
    return nkept;
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
    } else if (d == 3) {
        nkept = nondominated_3d(pts, n, order, keep);
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
