/* The Pareto archive: see archive.h. */
#include "indicators/archive.h"

#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"

int hw_pareto_archive_init(hw_pareto_archive *a, int n_obj, int n_var, hw_err *e)
{
    memset(a, 0, sizeof *a);
    if (n_obj < 1 || n_var < 0)
        return hw_fail(e, HW_EINVAL, "archive: %d objectives and %d variables", n_obj, n_var);
    a->n_obj = n_obj;
    a->n_var = n_var;
    return HW_OK;
}

void hw_pareto_archive_free(hw_pareto_archive *a)
{
    if (!a) return;
    free(a->f); free(a->x); free(a->id); free(a->keep);
    memset(a, 0, sizeof *a);
}

/* Room for total members (and the merge's keep flags). */
static int reserve(hw_pareto_archive *a, size_t total, hw_err *e)
{
    if (total <= a->cap) return HW_OK;
    size_t cap = a->cap ? a->cap : 256;
    while (cap < total) cap *= 2;
    double *ff = realloc(a->f, cap * (size_t)a->n_obj * sizeof *ff);
    if (ff) a->f = ff;
    double *fx = a->n_var ? realloc(a->x, cap * (size_t)a->n_var * sizeof *fx) : NULL;
    if (fx) a->x = fx;
    uint64_t *fi = realloc(a->id, cap * sizeof *fi);
    if (fi) a->id = fi;
    unsigned char *k = realloc(a->keep, cap);
    if (k) a->keep = k;
    if (!ff || (a->n_var && !fx) || !fi || !k)
        return hw_fail(e, HW_ENOMEM, "out of memory (front of %zu points)", total);
    a->cap = cap;
    return HW_OK;
}

/* Appends the n points after the members (not yet counted in size). */
static void append(hw_pareto_archive *a, const double *f, const double *x, const uint64_t *ids, size_t n)
{
    const size_t d = (size_t)a->n_obj, nv = (size_t)a->n_var, s = a->size;
    memcpy(a->f + s * d, f, n * d * sizeof *f);
    if (nv) memcpy(a->x + s * nv, x, n * nv * sizeof *x);
    for (size_t i = 0; i < n; i++) a->id[s + i] = ids ? ids[i] : a->inserted + i;
}

/* Keeps the first total rows with keep[i] set, in order; size = how many. */
static void compact(hw_pareto_archive *a, size_t total, const unsigned char *keep, int keep_if)
{
    const size_t d = (size_t)a->n_obj, nv = (size_t)a->n_var;
    size_t j = 0;
    for (size_t i = 0; i < total; i++) {
        if ((keep[i] != 0) != keep_if) continue;
        if (j != i) {
            memmove(a->f + j * d, a->f + i * d, d * sizeof *a->f);
            if (nv) memmove(a->x + j * nv, a->x + i * nv, nv * sizeof *a->x);
            a->id[j] = a->id[i];
        }
        j++;
    }
    a->size = j;
}

/* One point: rejected if a member weakly dominates it; else it evicts the
 * members it dominates and joins at the end. */
static int insert_one(hw_pareto_archive *a, const double *f, const double *x, const uint64_t *id, size_t *entered,
                      hw_err *e)
{
    const int d = a->n_obj;
    const size_t m = a->size;
    for (size_t i = 0; i < m; i++) {
        const double *q = a->f + i * (size_t)d;
        int k = 0;
        while (k < d && q[k] <= f[k]) k++;
        if (k == d) { a->inserted++; return HW_OK; }
    }
    int rc = reserve(a, m + 1, e);
    if (rc) return rc;
    int any = 0;
    for (size_t i = 0; i < m; i++) {
        const double *q = a->f + i * (size_t)d;
        int k = 0, strict = 0;
        for (; k < d && f[k] <= q[k]; k++) strict |= f[k] < q[k];
        a->keep[i] = (unsigned char)(k == d && strict);
        any |= a->keep[i];
    }
    if (any) compact(a, m, a->keep, 0);
    append(a, f, x, id, 1);
    a->size++;
    a->inserted++;
    if (entered) *entered = 1;
    return HW_OK;
}

int hw_pareto_archive_insert(hw_pareto_archive *a, const double *f, const double *x, const uint64_t *ids, size_t n,
                             size_t *entered, hw_err *e)
{
    if (entered) *entered = 0;
    if (n == 0) return HW_OK;
    if (n == 1) return insert_one(a, f, x, ids, entered, e);
    size_t total = a->size + n;
    int rc = reserve(a, total, e);
    if (rc) return rc;
    append(a, f, x, ids, n);
    size_t kept = hw_nondominated(a->f, total, a->n_obj, a->keep);
    if (kept == (size_t)-1) return hw_fail(e, HW_ENOMEM, "out of memory (non-dominated filter)");
    if (entered)
        for (size_t i = a->size; i < total; i++) *entered += a->keep[i];
    compact(a, total, a->keep, 1);
    a->inserted += n;
    return HW_OK;
}

void hw_pareto_archive_remove(hw_pareto_archive *a, const unsigned char *drop)
{
    compact(a, a->size, drop, 0);
}
