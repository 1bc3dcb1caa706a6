/* indicators/eaf.c — exact 2-D attainment surfaces by one sweep in x
 * (indicators/eaf.h). */
#include "indicators/eaf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hw_eaf_level(double percentile, int n_runs)
{
    double x = (double)n_runs * percentile / 100.0;
    double k = ceil(x - 1e-9 * (x > 1 ? x : 1));
    if (k < 1) k = 1;
    if (k > n_runs) k = n_runs;
    return (int)k;
}

/* Points are sorted as (value, index) pairs: qsort has no context argument. */
typedef struct {
    double v;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *p = a, *q = b;
    if (p->v < q->v) return -1;
    if (p->v > q->v) return 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Fenwick tree of counts over y ranks 1..n: the multiset of the runs' best y. */
typedef struct {
    int *t;
    size_t n;
    int log2n;
} fenwick;

static void fw_add(fenwick *f, size_t r, int d)
{
    for (; r <= f->n; r += r & (~r + 1)) f->t[r] += d;
}

/* The smallest rank r with prefix count >= k (1 <= k <= total). */
static size_t fw_kth(const fenwick *f, int k)
{
    size_t pos = 0;
    for (size_t step = (size_t)1 << f->log2n; step; step >>= 1) {
        if (pos + step <= f->n && f->t[pos + step] < k) {
            pos += step;
            k -= f->t[pos];
        }
    }
    return pos + 1;
}

typedef struct {
    hw_eaf_point *p;
    size_t n, cap;
} corner_list;

static int corner_push(corner_list *c, int li, double x, double y)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        hw_eaf_point *q = realloc(c->p, cap * sizeof *q);
        if (!q) return HW_ENOMEM;
        c->p = q;
        c->cap = cap;
    }
    c->p[c->n++] = (hw_eaf_point){li, x, y};
    return HW_OK;
}

static int check_input(const double *pts, const int *run, size_t m, int n_runs, const int *levels, int n_levels,
                       hw_err *e)
{
    if (n_runs < 1) return hw_fail(e, HW_EINVAL, "eaf: expected at least 1 run, got %d", n_runs);
    for (size_t i = 0; i < m; i++) {
        if (!isfinite(pts[2 * i]) || !isfinite(pts[2 * i + 1]))
            return hw_fail(e, HW_EINVAL, "eaf: point %zu is not finite", i);
        if (run[i] < 0 || run[i] >= n_runs)
            return hw_fail(e, HW_EINVAL, "eaf: point %zu: run %d outside 0..%d", i, run[i], n_runs - 1);
    }
    for (int l = 0; l < n_levels; l++)
        if (levels[l] < 1 || levels[l] > n_runs)
            return hw_fail(e, HW_EINVAL, "eaf: level %d outside 1..%d", levels[l], n_runs);
    return HW_OK;
}

/* Corners of every level, in sweep order (x increasing), tagged by level. */
static int sweep(const int *run, size_t m, const int *levels, int n_levels,
                 const keyed *by_x, const size_t *y_rank, const double *y_of_rank, fenwick *fw,
                 size_t *best, double *last, corner_list *c)
{
    int in_tree = 0;
    for (size_t s = 0; s < m;) {
        const double x = by_x[s].v;
        for (; s < m && by_x[s].v == x; s++) {
            size_t i = by_x[s].i;
            size_t r = y_rank[i];
            int k = run[i];
            if (best[k] && best[k] <= r) continue;
            if (best[k]) fw_add(fw, best[k], -1);
            else in_tree++;
            fw_add(fw, r, 1);
            best[k] = r;
        }
        for (int l = 0; l < n_levels; l++) {
            if (levels[l] > in_tree) continue;
            double y = y_of_rank[fw_kth(fw, levels[l])];
            if (y < last[l]) {
                last[l] = y;
                if (corner_push(c, l, x, y)) return HW_ENOMEM;
            }
        }
    }
    return HW_OK;
}

int hw_eaf2d(const double *pts, const int *run, size_t m, int n_runs, const int *levels, int n_levels,
             hw_eaf_point **out, size_t *n_out, hw_err *e)
{
    *out = NULL;
    *n_out = 0;
    int rc = check_input(pts, run, m, n_runs, levels, n_levels, e);
    if (rc || m == 0 || n_levels == 0) return rc;
    keyed *by_x = malloc(m * sizeof *by_x), *by_y = malloc(m * sizeof *by_y);
    size_t *y_rank = malloc(m * sizeof *y_rank), *best = calloc((size_t)n_runs, sizeof *best);
    double *y_of_rank = malloc((m + 1) * sizeof *y_of_rank), *last = malloc((size_t)n_levels * sizeof *last);
    fenwick fw = {calloc(m + 1, sizeof(int)), 0, 0};
    corner_list c = {0};
    if (!by_x || !by_y || !y_rank || !best || !y_of_rank || !last || !fw.t) {
        rc = hw_fail(e, HW_ENOMEM, "eaf: out of memory for %zu points", m);
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        by_x[i] = (keyed){pts[2 * i], i};
        by_y[i] = (keyed){pts[2 * i + 1], i};
    }
    qsort(by_x, m, sizeof *by_x, cmp_keyed);
    qsort(by_y, m, sizeof *by_y, cmp_keyed);
    /* ranks 1.. of the distinct y values */
    size_t n_ranks = 0;
    for (size_t s = 0; s < m; s++) {
        if (s == 0 || by_y[s].v != by_y[s - 1].v) y_of_rank[++n_ranks] = by_y[s].v;
        y_rank[by_y[s].i] = n_ranks;
    }
    fw.n = n_ranks;
    while (((size_t)1 << (fw.log2n + 1)) <= n_ranks) fw.log2n++;
    for (int l = 0; l < n_levels; l++) last[l] = INFINITY;
    if (sweep(run, m, levels, n_levels, by_x, y_rank, y_of_rank, &fw, best, last, &c)) {
        rc = hw_fail(e, HW_ENOMEM, "eaf: out of memory for the surfaces");
        goto done;
    }
    /* group by level, keeping the sweep (x) order within a level */
    hw_eaf_point *sorted = malloc((c.n ? c.n : 1) * sizeof *sorted);
    size_t *start = calloc((size_t)n_levels + 1, sizeof *start);
    if (!sorted || !start) {
        free(sorted);
        free(start);
        rc = hw_fail(e, HW_ENOMEM, "eaf: out of memory for the surfaces");
        goto done;
    }
    for (size_t j = 0; j < c.n; j++) start[c.p[j].level_index + 1]++;
    for (int l = 0; l < n_levels; l++) start[l + 1] += start[l];
    for (size_t j = 0; j < c.n; j++) sorted[start[c.p[j].level_index]++] = c.p[j];
    free(start);
    *out = sorted;
    *n_out = c.n;
done:
    free(by_x); free(by_y); free(y_rank); free(best); free(y_of_rank); free(last); free(fw.t); free(c.p);
    return rc;
}
