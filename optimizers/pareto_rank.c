/* Pareto kernels: see pareto_rank.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizers/pareto_rank.h"

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

int hw_pareto_ranks(const double *f, size_t n, int m, int *rank)
{
    if (n == 0) return HW_OK;
    /* dom[i*n + j] = 1 if i dominates j; count[j] = how many dominate j. */
    unsigned char *dom = calloc(n * n, 1);
    size_t *count = calloc(n, sizeof *count), *front = malloc(n * sizeof *front);
    if (!dom || !count || !front) { free(dom); free(count); free(front); return HW_ENOMEM; }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (hw_pareto_dominates(f + i * m, f + j * m, m)) { dom[i * n + j] = 1; count[j]++; }
            else if (hw_pareto_dominates(f + j * m, f + i * m, m)) { dom[j * n + i] = 1; count[i]++; }
        }
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (count[i] == 0) { front[nf++] = i; rank[i] = 0; }
    /* front[] holds the points ranked so far in rank order; each pass
     * releases the points dominated by the previous rank. */
    size_t start = 0;
    for (int r = 1; start < nf; r++) {
        size_t end = nf;
        for (size_t a = start; a < end; a++) {
            size_t i = front[a];
            for (size_t j = 0; j < n; j++)
                if (dom[i * n + j] && --count[j] == 0) { rank[j] = r; front[nf++] = j; }
        }
        start = end;
    }
    free(dom); free(count); free(front);
    return HW_OK;
}

typedef struct { double v; size_t pos; } keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v < b->v) return -1;
    if (a->v > b->v) return 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int hw_crowding_distance(const double *f, int m, const size_t *idx, size_t k, double *cd)
{
    for (size_t j = 0; j < k; j++) cd[j] = k <= 2 ? INFINITY : 0.0;
    if (k <= 2) return HW_OK;
    keyed *s = malloc(k * sizeof *s);
    if (!s) return HW_ENOMEM;
    for (int o = 0; o < m; o++) {
        for (size_t j = 0; j < k; j++) { s[j].v = f[idx[j] * m + o]; s[j].pos = j; }
        qsort(s, k, sizeof *s, keyed_cmp);
        double range = s[k - 1].v - s[0].v;
        cd[s[0].pos] = INFINITY;
        cd[s[k - 1].pos] = INFINITY;
        if (!(range > 0)) continue;
        for (size_t j = 1; j + 1 < k; j++)
            cd[s[j].pos] += (s[j + 1].v - s[j - 1].v) / range;
    }
    free(s);
    return HW_OK;
}

int hw_hv_contributions_2d(const double *f, const size_t *idx, size_t k, const double *ref,
                           double *contrib)
{
    if (k == 0) return HW_OK;
    keyed *s = malloc(k * sizeof *s);
    if (!s) return HW_ENOMEM;
    /* Sort by f1 ascending (ties by position); on a non-dominated set f2
     * then descends, and only duplicates share an f1. */
    for (size_t j = 0; j < k; j++) { s[j].v = f[idx[j] * 2]; s[j].pos = j; }
    qsort(s, k, sizeof *s, keyed_cmp);
    for (size_t a = 0; a < k; a++) {
        size_t j = s[a].pos;
        const double *p = f + idx[j] * 2;
        if (!(p[0] < ref[0] && p[1] < ref[1])) { contrib[j] = 0; continue; }
        /* width: up to the next point with a larger f1 (or ref); height: up to
         * the previous point's f2 (or ref).  Equal neighbours give 0. */
        double right = a + 1 < k ? fmin(f[idx[s[a + 1].pos] * 2], ref[0]) : ref[0];
        double top = a > 0 ? fmin(f[idx[s[a - 1].pos] * 2 + 1], ref[1]) : ref[1];
        double w = right - p[0], h = top - p[1];
        contrib[j] = w > 0 && h > 0 ? w * h : 0.0;
    }
    free(s);
    return HW_OK;
}
