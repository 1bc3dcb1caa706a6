/* runner/front.c — the runner's non-dominated archive, see front.h. */
#include "runner/front.h"

#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"

void hw_front_init(hw_front *a, int n_obj, int n_var)
{
    memset(a, 0, sizeof *a);
    a->n_obj = n_obj;
    a->n_var = n_var;
}

static int front_reserve(hw_front *a, size_t total, hw_err *e)
{
    if (total <= a->cap) return HW_OK;
    const size_t d = (size_t)a->n_obj, nv = (size_t)a->n_var;
    size_t cap = a->cap ? a->cap : 256;
    while (cap < total) cap *= 2;
    double *ff = realloc(a->f, cap * d * sizeof *ff);
    if (ff) a->f = ff;
    double *fx = realloc(a->x, (nv ? cap * nv : 1) * sizeof *fx);
    if (fx) a->x = fx;
    uint64_t *fi = realloc(a->index, cap * sizeof *fi);
    if (fi) a->index = fi;
    unsigned char *k = realloc(a->keep, cap);
    if (k) a->keep = k;
    if (!ff || !fx || !fi || !k) return hw_fail(e, HW_ENOMEM, "out of memory (front of %zu points)", total);
    a->cap = cap;
    return HW_OK;
}

int hw_front_add(hw_front *a, const double *f, const double *x, const hw_eval_id *ids, size_t n, hw_err *e)
{
    const size_t d = (size_t)a->n_obj, nv = (size_t)a->n_var;
    size_t total = a->n + n;
    int rc = front_reserve(a, total, e);
    if (rc) return rc;
    memcpy(a->f + a->n * d, f, n * d * sizeof(double));
    if (nv) memcpy(a->x + a->n * nv, x, n * nv * sizeof(double));
    for (size_t i = 0; i < n; i++) a->index[a->n + i] = ids[i].index;
    size_t kept = hw_nondominated(a->f, total, a->n_obj, a->keep);
    if (kept == (size_t)-1) return hw_fail(e, HW_ENOMEM, "out of memory (non-dominated filter)");
    size_t j = 0;
    for (size_t i = 0; i < total; i++) {
        if (!a->keep[i]) continue;
        if (j != i) {
            memmove(a->f + j * d, a->f + i * d, d * sizeof(double));
            if (nv) memmove(a->x + j * nv, a->x + i * nv, nv * sizeof(double));
            a->index[j] = a->index[i];
        }
        j++;
    }
    a->n = j;
    return HW_OK;
}

void hw_front_free(hw_front *a)
{
    free(a->f); free(a->x); free(a->index); free(a->keep);
    memset(a, 0, sizeof *a);
}
