/* indicators/trajectory.c — incremental non-dominated archive and its
 * hypervolume trajectory, see trajectory.h.  The hypervolume is updated on
 * every addition: 2-D by the staircase strips it changes, any other d by
 * the new point's exclusive contribution (hw_hv_contribution). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"
#include "indicators/trajectory.h"

/* Neumaier compensated sum of terms of either sign. */
typedef struct {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

struct hw_archive {
    int d;
    size_t m, cap;
    double *nat;      /* m x d as added (2-D: sorted by f1) */
    double *nrm;      /* m x d normalised, same order */
    uint64_t *id;     /* m */
    double ref[HW_ARCHIVE_MAX_D];
    double lo[HW_ARCHIVE_MAX_D], scale[HW_ARCHIVE_MAX_D];
    int normalise;
    ksum hv;          /* running hypervolume (sum of the additions' contributions) */
    double ideal[HW_ARCHIVE_MAX_D]; /* smallest normalised coordinates of the points in the box */
    int any_inside;
    int track_hv;     /* 0: created without ref (dominance only, hw_front_ids) */
};

int hw_archive_create(int d, const double *ref, const double *lo, const double *hi, hw_archive **out, hw_err *e)
{
    *out = NULL;
    if (d < 1 || d > HW_ARCHIVE_MAX_D)
        return hw_fail(e, HW_EINVAL, "archive: %d objectives (expected 1 to %d)", d, HW_ARCHIVE_MAX_D);
    if (!lo != !hi) return hw_fail(e, HW_EINVAL, "archive: normalisation needs both lo and hi");
    for (int k = 0; k < d; k++) {
        if (ref && !isfinite(ref[k])) return hw_fail(e, HW_EINVAL, "archive: reference point[%d] is not finite", k);
        if (lo && !(hi[k] > lo[k] && isfinite(hi[k] - lo[k])))
            return hw_fail(e, HW_EINVAL, "archive: objective %d: hi %.17g not above lo %.17g", k, hi[k], lo[k]);
    }
    hw_archive *a = calloc(1, sizeof *a);
    if (!a) return hw_fail(e, HW_ENOMEM, "out of memory");
    a->d = d;
    a->normalise = lo != NULL;
    a->track_hv = ref != NULL;
    for (int k = 0; k < d; k++) {
        a->ref[k] = ref ? ref[k] : 0;
        if (lo) { a->lo[k] = lo[k]; a->scale[k] = hi[k] - lo[k]; }
    }
    *out = a;
    return HW_OK;
}

void hw_archive_destroy(hw_archive *a)
{
    if (!a) return;
    free(a->nat); free(a->nrm); free(a->id);
    free(a);
}

size_t hw_archive_size(const hw_archive *a) { return a->m; }

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

void hw_archive_ids(const hw_archive *a, uint64_t *ids)
{
    if (a->m) memcpy(ids, a->id, a->m * sizeof *ids);
    qsort(ids, a->m, sizeof *ids, cmp_u64);
}

static int grow(hw_archive *a, hw_err *e)
{
    if (a->m < a->cap) return HW_OK;
    size_t cap = a->cap ? 2 * a->cap : 64, d = (size_t)a->d;
    double *nat = realloc(a->nat, cap * d * sizeof *nat);
    if (nat) a->nat = nat;
    double *nrm = realloc(a->nrm, cap * d * sizeof *nrm);
    if (nrm) a->nrm = nrm;
    uint64_t *id = realloc(a->id, cap * sizeof *id);
    if (id) a->id = id;
    if (!nat || !nrm || !id) return hw_fail(e, HW_ENOMEM, "out of memory (archive of %zu points)", a->m);
    a->cap = cap;
    return HW_OK;
}

/* The same arithmetic as run_experiment's normalisation. */
static void normalise(const hw_archive *a, const double *f, double *out)
{
    for (int k = 0; k < a->d; k++)
        out[k] = a->normalise ? (f[k] - a->lo[k]) / a->scale[k] : f[k];
}

/* 2-D strip of a staircase point (x, y) whose right neighbour is at xnext:
 * [x, min(xnext, rx)) x [y, ry), empty when outside the box. */
static double strip(double x, double y, double xnext, const double *ref)
{
    double w = fmin(xnext, ref[0]) - x, h = ref[1] - y;
    return w > 0 && h > 0 ? w * h : 0.0;
}

static int add_2d(hw_archive *a, const double *f, uint64_t id, hw_err *e)
{
    const double px = f[0], py = f[1];
    size_t m = a->m, lo = 0, hi = m;
    double *nat = a->nat;
    while (lo < hi) { /* j = number of points with x <= px */
        size_t mid = lo + (hi - lo) / 2;
        if (nat[2 * mid] <= px) lo = mid + 1;
        else hi = mid;
    }
    size_t j = lo;
    if (j > 0 && nat[2 * (j - 1) + 1] <= py) return 0;
    /* [s, t): the points p dominates (x >= px and y >= py); y decreases. */
    size_t s = (j > 0 && nat[2 * (j - 1)] == px) ? j - 1 : j;
    lo = s; hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nat[2 * mid + 1] >= py) lo = mid + 1;
        else hi = mid;
    }
    size_t t = lo;
    int rc = grow(a, e);
    if (rc) return rc;
    nat = a->nat;
    double *nrm = a->nrm, pn[2];
    normalise(a, f, pn);
    const double *r = a->ref;
    /* hypervolume change: the strips of s-1 (its neighbour changes), of the
     * removed points, and of p */
    double next_t = t < m ? nrm[2 * t] : r[0];
    if (a->track_hv) {
        if (s > 0) {
            double xs = s < m ? nrm[2 * s] : r[0];
            ksum_add(&a->hv, -strip(nrm[2 * (s - 1)], nrm[2 * (s - 1) + 1], xs, r));
            ksum_add(&a->hv, strip(nrm[2 * (s - 1)], nrm[2 * (s - 1) + 1], pn[0], r));
        }
        for (size_t i = s; i < t; i++)
            ksum_add(&a->hv, -strip(nrm[2 * i], nrm[2 * i + 1], i + 1 < m ? nrm[2 * (i + 1)] : r[0], r));
        ksum_add(&a->hv, strip(pn[0], pn[1], next_t, r));
    }
    /* replace [s, t) by p */
    size_t tail = m - t;
    if (t != s + 1) {
        memmove(nat + 2 * (s + 1), nat + 2 * t, 2 * tail * sizeof *nat);
        memmove(nrm + 2 * (s + 1), nrm + 2 * t, 2 * tail * sizeof *nrm);
        memmove(a->id + s + 1, a->id + t, tail * sizeof *a->id);
    }
    nat[2 * s] = px; nat[2 * s + 1] = py;
    nrm[2 * s] = pn[0]; nrm[2 * s + 1] = pn[1];
    a->id[s] = id;
    a->m = m - (t - s) + 1;
    return 1;
}

static int add_nd(hw_archive *a, const double *f, uint64_t id, hw_err *e)
{
    const int d = a->d;
    const size_t m = a->m;
    for (size_t i = 0; i < m; i++) {
        const double *q = a->nat + i * (size_t)d;
        int k = 0;
        while (k < d && q[k] <= f[k]) k++;
        if (k == d) return 0;
    }
    /* HV(S + p) = HV(S) + p's exclusive contribution over S (the points p
     * dominates included: they are part of what S already covers). */
    double pn[HW_ARCHIVE_MAX_D], excl = 0;
    normalise(a, f, pn);
    int rc = a->track_hv ? hw_hv_contribution(a->nrm, m, d, pn, a->ref, &excl, e) : HW_OK;
    if (rc) return rc;
    ksum_add(&a->hv, excl);
    size_t w = 0;
    for (size_t i = 0; i < m; i++) {
        const double *q = a->nat + i * (size_t)d;
        int k = 0;
        while (k < d && f[k] <= q[k]) k++;
        if (k == d) continue; /* dominated by f (not equal: f would have been rejected) */
        if (w != i) {
            memcpy(a->nat + w * (size_t)d, q, (size_t)d * sizeof *q);
            memcpy(a->nrm + w * (size_t)d, a->nrm + i * (size_t)d, (size_t)d * sizeof *q);
            a->id[w] = a->id[i];
        }
        w++;
    }
    a->m = w;
    rc = grow(a, e);
    if (rc) return rc;
    memcpy(a->nat + w * (size_t)d, f, (size_t)d * sizeof *f);
    memcpy(a->nrm + w * (size_t)d, pn, (size_t)d * sizeof *pn);
    a->id[w] = id;
    a->m = w + 1;
    return 1;
}

/* Keeps every hypervolume the archive can reach representable: a point in
 * the box that lowers the ideal point is refused (HW_ERANGE) when the box
 * from the new ideal point to ref fails hw_hv_check_ref. */
static int check_range(hw_archive *a, const double *f, hw_err *e)
{
    double pn[HW_ARCHIVE_MAX_D], lo[HW_ARCHIVE_MAX_D];
    normalise(a, f, pn);
    int changed = !a->any_inside;
    for (int k = 0; k < a->d; k++) {
        if (!(pn[k] < a->ref[k])) return HW_OK; /* outside the box */
        lo[k] = a->any_inside && a->ideal[k] <= pn[k] ? a->ideal[k] : pn[k];
        changed |= lo[k] != a->ideal[k];
    }
    if (!changed) return HW_OK;
    int rc = hw_hv_check_ref(a->d, a->ref, lo, e);
    if (rc) return rc;
    memcpy(a->ideal, lo, (size_t)a->d * sizeof *lo);
    a->any_inside = 1;
    return HW_OK;
}

int hw_archive_add(hw_archive *a, const double *f, uint64_t id, hw_err *e)
{
    for (int k = 0; k < a->d; k++)
        if (!isfinite(f[k])) return hw_fail(e, HW_EINVAL, "archive: point %llu objective %d is not finite",
                                            (unsigned long long)id, k);
    int rc = a->track_hv ? check_range(a, f, e) : HW_OK;
    if (rc) return rc;
    return a->d == 2 ? add_2d(a, f, id, e) : add_nd(a, f, id, e);
}

int hw_archive_hypervolume_exact(hw_archive *a, double *hv, hw_err *e)
{
    if (!a->track_hv) return hw_fail(e, HW_ESTATE, "archive: created without a reference point");
    return hw_hypervolume(a->nrm, a->m, a->d, a->ref, hv, e);
}

int hw_archive_hypervolume(hw_archive *a, double *hv, hw_err *e)
{
    if (!a->track_hv) return hw_fail(e, HW_ESTATE, "archive: created without a reference point");
    double v = a->hv.s + a->hv.c;
    *hv = v > 0 ? v : 0.0;
    return HW_OK;
}

size_t hw_trajectory_rows(size_t n, size_t every)
{
    if (every == 0) every = 1;
    return n / every + (n % every != 0);
}

int hw_hv_trajectory(const double *f, size_t n, int d, const double *ref, const double *lo, const double *hi,
                     size_t every, size_t *row_k, double *row_hv, hw_err *e)
{
    if (every == 0) return hw_fail(e, HW_EINVAL, "trajectory: every must be at least 1");
    hw_archive *a = NULL;
    int rc = hw_archive_create(d, ref, lo, hi, &a, e);
    if (rc) return rc;
    size_t r = 0;
    for (size_t i = 0; i < n && rc == HW_OK; i++) {
        int added = hw_archive_add(a, f + i * (size_t)d, i, e);
        if (added < 0) { rc = added; break; }
        size_t k = i + 1;
        if (k == n) {
            row_k[r] = k;
            rc = hw_archive_hypervolume_exact(a, &row_hv[r++], e);
        } else if (k % every == 0) {
            row_k[r] = k;
            rc = hw_archive_hypervolume(a, &row_hv[r++], e);
        }
    }
    hw_archive_destroy(a);
    return rc;
}

int hw_front_ids(const double *f, size_t n, int d, uint64_t *ids, size_t *m, hw_err *e)
{
    hw_archive *a = NULL;
    int rc = hw_archive_create(d, NULL, NULL, NULL, &a, e); /* dominance only */
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        int added = hw_archive_add(a, f + i * (size_t)d, i, e);
        if (added < 0) { hw_archive_destroy(a); return added; }
    }
    *m = a->m;
    hw_archive_ids(a, ids);
    hw_archive_destroy(a);
    return HW_OK;
}
