/* indicators/hv.c — exact hypervolume (minimisation), see indicators.h.
 *
 *   hv_2d: sort by the first objective, sweep the staircase.  O(n log n).
 *   hv_3d: dimension sweep on the third objective (Beume, Fonseca,
 *          López-Ibáñez, Paquete, Vahrenhold 2009) keeping the 2-D
 *          non-dominated staircase of the (x, y) projections; the staircase
 *          lives in a 64-ary bit tree over the x-ranks of the points, so
 *          predecessor/successor/insert/erase cost O(log_64 n).  O(n log n).
 *   hv_nd: WFG (While, Bradstreet, Barone 2012): points sorted by the last
 *          objective, HV = sum_i (r_d - p_i,d) * exclusive (d-1)-volume of
 *          p_i over the points before it, the exclusive volume being the
 *          inclusive box minus the volume of the non-dominated "limit set"
 *          (recursion); limit sets are filtered in increasing coordinate
 *          sum, so each candidate is only checked against kept ones.  Base
 *          case d = 4: the same slicing, with each exclusive 3-D volume
 *          computed by one sweep over the running 3-D front (limit points
 *          keep the front's z order).
 *
 * Only points strictly better than ref in every objective are used.  All
 * partial volumes are sums of non-negative terms, accumulated with
 * Neumaier's compensated summation; every loop runs in an order fixed by the
 * point values (hw_sort_points), so results do not depend on input order. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"

/* ---- compensated sum ---------------------------------------------------- */

typedef struct {
    double s, c;
} ksum;

static inline void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

static inline double ksum_value(const ksum *k) { return k->s + k->c; }

/* ---- input checks and the inside-the-box filter ------------------------- */

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* Copies the points strictly inside the box into out (m x d); returns m. */
static size_t copy_inside(const double *pts, size_t n, int d, const double *ref, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = pts + i * (size_t)d;
        int in = 1;
        for (int k = 0; k < d; k++) in &= p[k] < ref[k];
        if (in) { memcpy(out + m * (size_t)d, p, (size_t)d * sizeof *p); m++; }
    }
    return m;
}

/* ---- 2-D ---------------------------------------------------------------- */

/* pts: m x stride rows, objectives 0 and 1 used, all strictly inside;
 * order: rows sorted by (x, y). */
static double hv2_sweep(const double *pts, size_t stride, const size_t *order, size_t m, const double *ref)
{
    ksum v = {0, 0};
    double ymin = ref[1];
    for (size_t t = 0; t < m; t++) {
        const double *p = pts + order[t] * stride;
        if (p[1] < ymin) {
            ksum_add(&v, (ref[0] - p[0]) * (ymin - p[1]));
            ymin = p[1];
        }
    }
    return ksum_value(&v);
}

int hv_2d(const double *pts, size_t n, const double *ref, double *out)
{
    *out = 0;
    if ((n && !pts) || !ref || !all_finite(ref, 2) || !all_finite(pts, 2 * n)) return HW_EINVAL;
    if (n == 0) return HW_OK;
    double *in = malloc(n * 2 * sizeof *in);
    size_t *order = malloc(n * sizeof *order);
    if (!in || !order) { free(in); free(order); return HW_ENOMEM; }
    size_t m = copy_inside(pts, n, 2, ref, in);
    int rc = hw_sort_points(in, m, 2, 0, order);
    if (rc == HW_OK) *out = hv2_sweep(in, 2, order, m, ref);
    free(in);
    free(order);
    return rc;
}

/* ---- 3-D: 64-ary bit tree over ranks ------------------------------------- */

#define BT_MAXLEV 8
#define BT_NONE SIZE_MAX

typedef struct {
    uint64_t *lv[BT_MAXLEV];
    int nlev;
} bittree;

/* Words needed for n keys (sum over levels). */
static size_t bittree_words(size_t n)
{
    size_t total = 0, w = n;
    do { w = (w + 63) / 64; total += w; } while (w > 1);
    return total;
}

static void bittree_init(bittree *t, size_t n, uint64_t *mem)
{
    size_t w = n;
    t->nlev = 0;
    do {
        w = (w + 63) / 64;
        t->lv[t->nlev++] = mem;
        memset(mem, 0, w * sizeof *mem);
        mem += w;
    } while (w > 1);
}

static inline void bittree_insert(bittree *t, size_t r)
{
    for (int l = 0; l < t->nlev; l++) {
        uint64_t *w = &t->lv[l][r >> 6];
        uint64_t was = *w;
        *w = was | (1ULL << (r & 63));
        if (was) return;
        r >>= 6;
    }
}

static inline void bittree_erase(bittree *t, size_t r)
{
    for (int l = 0; l < t->nlev; l++) {
        uint64_t *w = &t->lv[l][r >> 6];
        *w &= ~(1ULL << (r & 63));
        if (*w) return;
        r >>= 6;
    }
}

/* Smallest key > r, or BT_NONE. */
static inline size_t bittree_next(const bittree *t, size_t r)
{
    for (int l = 0; l < t->nlev; l++) {
        unsigned b = r & 63;
        uint64_t m = b == 63 ? 0 : t->lv[l][r >> 6] & (~0ULL << (b + 1));
        if (m) {
            r = (r & ~(size_t)63) + (size_t)__builtin_ctzll(m);
            while (l-- > 0) r = (r << 6) + (size_t)__builtin_ctzll(t->lv[l][r]);
            return r;
        }
        r >>= 6;
    }
    return BT_NONE;
}

/* Largest key < r, or BT_NONE. */
static inline size_t bittree_prev(const bittree *t, size_t r)
{
    for (int l = 0; l < t->nlev; l++) {
        unsigned b = r & 63;
        uint64_t m = t->lv[l][r >> 6] & ((1ULL << b) - 1);
        if (m) {
            r = (r & ~(size_t)63) + 63 - (size_t)__builtin_clzll(m);
            while (l-- > 0) r = (r << 6) + 63 - (size_t)__builtin_clzll(t->lv[l][r]);
            return r;
        }
        r >>= 6;
    }
    return BT_NONE;
}

/* Dimension sweep over m points (rows of `stride` doubles, objectives 0..2,
 * all strictly inside ref).  oz: rows sorted by (z, x, y); rank: position of
 * each row in the (x, y, z) order; xs/ys: x and y by rank. */
static double hv3_sweep_tree(const double *pts, size_t stride, size_t m, const size_t *oz,
                             const size_t *rank, const double *xs, const double *ys, bittree *t,
                             const double *ref)
{
    ksum vol = {0, 0}, area = {0, 0};
    for (size_t s = 0; s < m; s++) {
        size_t r = rank[oz[s]];
        double px = xs[r], py = ys[r];
        size_t l = bittree_prev(t, r);
        double ly = l == BT_NONE ? ref[1] : ys[l];
        if (py < ly) { /* not dominated in the projection: add its new area */
            size_t q = bittree_next(t, r);
            double inc = ((q == BT_NONE ? ref[0] : xs[q]) - px) * (ly - py);
            while (q != BT_NONE && ys[q] >= py) { /* q is dominated by p */
                size_t nq = bittree_next(t, q);
                inc += ((nq == BT_NONE ? ref[0] : xs[nq]) - xs[q]) * (ys[q] - py);
                bittree_erase(t, q);
                q = nq;
            }
            bittree_insert(t, r);
            ksum_add(&area, inc);
        }
        double z = pts[oz[s] * stride + 2];
        double znext = s + 1 < m ? pts[oz[s + 1] * stride + 2] : ref[2];
        if (znext > z) ksum_add(&vol, ksum_value(&area) * (znext - z));
    }
    return ksum_value(&vol);
}

int hv_3d(const double *pts, size_t n, const double *ref, double *out)
{
    *out = 0;
    if ((n && !pts) || !ref || !all_finite(ref, 3) || !all_finite(pts, 3 * n)) return HW_EINVAL;
    if (n == 0) return HW_OK;
    size_t nw = bittree_words(n);
    double *in = malloc(n * 5 * sizeof *in + n * 3 * sizeof(size_t) + nw * sizeof(uint64_t));
    if (!in) return HW_ENOMEM;
    double *xs = in + 3 * n, *ys = xs + n;
    size_t *ox = (size_t *)(ys + n), *oz = ox + n, *rank = oz + n;
    uint64_t *words = (uint64_t *)(rank + n);
    size_t m = copy_inside(pts, n, 3, ref, in);
    int rc = hw_sort_points(in, m, 3, 0, ox);
    if (rc == HW_OK) rc = hw_sort_points(in, m, 3, 2, oz);
    if (rc == HW_OK && m > 0) {
        for (size_t i = 0; i < m; i++) {
            rank[ox[i]] = i;
            xs[i] = in[ox[i] * 3];
            ys[i] = in[ox[i] * 3 + 1];
        }
        bittree t;
        bittree_init(&t, m, words);
        *out = hv3_sweep_tree(in, 3, m, oz, rank, xs, ys, &t, ref);
    }
    free(in);
    return rc;
}

/* ---- 4-D: sweep on the 4th objective, exclusive 3-D volumes ------------- */

/* The 2-D staircase as sorted arrays: x strictly ascending, y strictly
 * descending, all inside ref.  Inserts (x, y) unless it is weakly dominated,
 * removes the points it dominates, and returns the area it adds. */
static double stair_insert(double *sx, double *sy, size_t *cnt, double x, double y, const double *ref)
{
    size_t n = *cnt, lo = 0, hi = n;
    while (lo < hi) { /* first j with (sx, sy)[j] > (x, y) lexicographically */
        size_t mid = lo + (hi - lo) / 2;
        if (sx[mid] < x || (sx[mid] == x && sy[mid] <= y)) lo = mid + 1;
        else hi = mid;
    }
    double ly = lo ? sy[lo - 1] : ref[1];
    if (ly <= y) return 0;
    double inc = ((lo < n ? sx[lo] : ref[0]) - x) * (ly - y);
    size_t e = lo;
    while (e < n && sy[e] >= y) {
        inc += ((e + 1 < n ? sx[e + 1] : ref[0]) - sx[e]) * (sy[e] - y);
        e++;
    }
    if (e != lo + 1) { /* make exactly one slot at lo */
        memmove(sx + lo + 1, sx + e, (n - e) * sizeof *sx);
        memmove(sy + lo + 1, sy + e, (n - e) * sizeof *sy);
        n = n + 1 - (e - lo);
    }
    sx[lo] = x;
    sy[lo] = y;
    *cnt = n;
    return inc;
}

/* Stable merge sort of (key, index) pairs by key: equal keys keep their
 * (index) order. */
typedef struct {
    double key;
    size_t idx;
} keyed_idx;

static void sort_keyed(keyed_idx *a, keyed_idx *tmp, size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            keyed_idx v = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1].key > v.key) { a[j] = a[j - 1]; j--; }
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    sort_keyed(a, tmp, h);
    sort_keyed(a + h, tmp + h, n - h);
    if (a[h - 1].key <= a[h].key) return;
    memcpy(tmp, a, n * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) a[k++] = tmp[j].key < tmp[i].key ? tmp[j++] : tmp[i++];
    while (i < h) a[k++] = tmp[i++];
    while (j < n) a[k++] = tmp[j++];
}

typedef struct {
    double **rows;   /* rows[k]: limit sets of dimension k, n x k */
    double **sorted; /* sorted[k]: the input of level k sorted by objective k-1 */
    size_t *order, *tmp, *front;
    keyed_idx *key, *ktmp;
    double *sx, *sy, *cand;
} wfg_ws;

/* Exact 4-D volume of m points (rows of 4, all inside ref).  Points are
 * taken in increasing 4th objective; front holds the 3-D non-dominated set
 * of the points taken so far, sorted by (z, x, y).  The exclusive 3-D volume
 * of p over that front is its box minus the 3-D volume of the limit set
 * {max(q, p)}; max with p keeps the front's z order, so that volume is one
 * sweep over the front with the array staircase, no sorting.  The sweep stops
 * at the first q with q.x <= p.x and q.y <= p.y: above q.z the box of p is
 * covered.  Each limit point costs a binary search and at most one shift of
 * the staircase: O(n^3) worst case, about O(n^2 log n) on typical fronts. */
static double hv4_sweep(const double *p, size_t m, const double *ref, wfg_ws *w)
{
    size_t *front = w->front, nf = 0;
    hw_sort_points_buf(p, m, 4, 3, w->order, w->tmp);
    ksum vol = {0, 0};
    for (size_t t = 0; t < m; t++) {
        const double *pi = p + w->order[t] * 4;
        ksum lim = {0, 0};
        double area = 0, zcur = pi[2];
        size_t ns = 0, keep = 0;
        int dominated = 0;
        for (size_t f = 0; f < nf; f++) {
            const double *q = p + front[f] * 4;
            double lx = q[0] > pi[0] ? q[0] : pi[0];
            double ly = q[1] > pi[1] ? q[1] : pi[1];
            double lz = q[2] > pi[2] ? q[2] : pi[2];
            if (lx == pi[0] && ly == pi[1]) { /* q covers p's whole (x, y) box from lz up */
                if (lz == pi[2]) { dominated = 1; break; } /* q <= p */
                ksum_add(&lim, area * (lz - zcur));
                area = (ref[0] - pi[0]) * (ref[1] - pi[1]);
                zcur = lz;
                break;
            }
            if (lz > zcur) { ksum_add(&lim, area * (lz - zcur)); zcur = lz; }
            area += stair_insert(w->sx, w->sy, &ns, lx, ly, ref);
        }
        if (dominated) continue;
        ksum_add(&lim, area * (ref[2] - zcur));
        double incl = (ref[0] - pi[0]) * (ref[1] - pi[1]) * (ref[2] - pi[2]);
        ksum_add(&vol, (ref[3] - pi[3]) * (incl - ksum_value(&lim)));
        /* Insert p into the front in (z, x, y) order, dropping the points it
         * weakly dominates: they add nothing to any later limit set. */
        size_t pidx = w->order[t];
        int placed = 0;
        for (size_t f = 0; f < nf; f++) {
            size_t qi = front[f];
            const double *q = p + qi * 4;
            if (!placed && (q[2] > pi[2] || (q[2] == pi[2] && (q[0] > pi[0] || (q[0] == pi[0] && q[1] > pi[1]))))) {
                w->tmp[keep++] = pidx;
                placed = 1;
            }
            if (pi[0] <= q[0] && pi[1] <= q[1] && pi[2] <= q[2]) continue;
            w->tmp[keep++] = qi;
        }
        if (!placed) w->tmp[keep++] = pidx;
        memcpy(front, w->tmp, keep * sizeof *front);
        nf = keep;
    }
    return ksum_value(&vol);
}

/* ---- any d: WFG ------------------------------------------------------------- */

static double wfg(const double *p, size_t m, int k, const double *ref, wfg_ws *w)
{
    if (m == 0) return 0;
    if (m == 1) {
        double v = 1;
        for (int j = 0; j < k; j++) v *= ref[j] - p[j];
        return v;
    }
    if (k == 4) return hv4_sweep(p, m, ref, w);
    double *s = w->sorted[k], *lim = w->rows[k - 1];
    int kl = k - 1;
    hw_sort_points_buf(p, m, k, kl, w->order, w->tmp);
    for (size_t i = 0; i < m; i++) memcpy(s + i * k, p + w->order[i] * k, (size_t)k * sizeof *s);
    ksum vol = {0, 0};
    double *cand = w->cand;
    keyed_idx *key = w->key;
    for (size_t i = 0; i < m; i++) {
        const double *pi = s + i * k;
        size_t nl = 0, nc = 0;
        int dominated = 0;
        /* Limit points max(p_j, p_i), j < i, over the first k-1 objectives. */
        for (size_t j = 0; j < i; j++) {
            const double *pj = s + j * k;
            double *c = cand + nc * kl, sum = 0;
            int same = 1;
            for (int a = 0; a < kl; a++) {
                double v = pj[a] > pi[a] ? pj[a] : pi[a];
                c[a] = v;
                sum += v - pi[a];
                same &= v == pi[a];
            }
            if (same) { dominated = 1; break; } /* p_j weakly dominates p_i here */
            key[nc].key = sum;
            key[nc].idx = nc;
            nc++;
        }
        if (dominated) continue;
        /* Non-dominated filter: in increasing order of the coordinate sum
         * (exact ties broken by the point values), a limit point can only be
         * weakly dominated by one that comes before it. */
        sort_keyed(key, w->ktmp, nc);
        for (size_t t = 0; t < nc; t++) {
            const double *c = cand + key[t].idx * kl;
            int keep = 1;
            for (size_t a = 0; a < nl && keep; a++) {
                const double *q = lim + a * kl;
                int q_le = 1;
                for (int b = 0; b < kl; b++) q_le &= q[b] <= c[b];
                keep = !q_le;
            }
            if (keep) memcpy(lim + nl++ * kl, c, (size_t)kl * sizeof *lim);
        }
        if (dominated) continue;
        double incl = 1;
        for (int c = 0; c < kl; c++) incl *= ref[c] - pi[c];
        double excl = incl - wfg(lim, nl, kl, ref, w);
        ksum_add(&vol, (ref[kl] - pi[kl]) * excl);
    }
    return ksum_value(&vol);
}

int hv_nd(const double *pts, size_t n, int d, const double *ref, double *out)
{
    *out = 0;
    if (d < 1 || (n && !pts) || !ref || !all_finite(ref, (size_t)d) || !all_finite(pts, (size_t)d * n))
        return HW_EINVAL;
    if (n == 0) return HW_OK;
    if (d == 1) {
        double best = ref[0];
        for (size_t i = 0; i < n; i++)
            if (pts[i] < best) best = pts[i];
        *out = ref[0] - best;
        return HW_OK;
    }
    if (d == 2) return hv_2d(pts, n, ref, out);
    if (d == 3) return hv_3d(pts, n, ref, out);
    /* Buffers: input (n x d), rows[k] and sorted[k] for k = 4..d (n x k
     * each), limit-point candidates (n x (d-1)), the staircase (2n), the
     * candidates' sort keys (2n pairs), index scratch (3n), level pointers. */
    size_t nd = 0;
    for (int k = 4; k <= d; k++) nd += 2 * n * (size_t)k;
    size_t ndbl = n * (size_t)d + nd + n * (size_t)(d - 1) + 2 * n;
    double *buf = malloc(ndbl * sizeof(double) + 2 * n * sizeof(keyed_idx) + 3 * n * sizeof(size_t) +
                         2 * (size_t)(d + 1) * sizeof(double *));
    if (!buf) return HW_ENOMEM;
    wfg_ws w;
    double *cur = buf + n * (size_t)d;
    w.key = (keyed_idx *)(void *)(buf + ndbl);
    w.ktmp = w.key + n;
    double **ptrs = (double **)(void *)(w.ktmp + n);
    w.rows = ptrs;
    w.sorted = ptrs + d + 1;
    for (int k = 0; k <= d; k++) w.rows[k] = w.sorted[k] = NULL;
    for (int k = 4; k <= d; k++) {
        w.rows[k] = cur; cur += n * (size_t)k;
        w.sorted[k] = cur; cur += n * (size_t)k;
    }
    w.cand = cur; cur += n * (size_t)(d - 1);
    w.sx = cur; w.sy = cur + n;
    size_t *sz = (size_t *)(void *)(w.sorted + d + 1);
    w.order = sz; w.tmp = sz + n; w.front = sz + 2 * n;
    size_t m = copy_inside(pts, n, d, ref, buf);
    *out = wfg(buf, m, d, ref, &w);
    free(buf);
    return HW_OK;
}

int hw_hypervolume(const double *pts, size_t n, int d, const double *ref, double *out, hw_err *e)
{
    if (d < 1) return hw_fail(e, HW_EINVAL, "hypervolume: dimension must be >= 1 (got %d)", d);
    if (!ref || !all_finite(ref, (size_t)d))
        return hw_fail(e, HW_EINVAL, "hypervolume: reference point must be %d finite numbers", d);
    if (n && !pts) return hw_fail(e, HW_EINVAL, "hypervolume: no points given for n = %zu", n);
    for (size_t i = 0; i < n * (size_t)d; i++)
        if (!isfinite(pts[i]))
            return hw_fail(e, HW_EINVAL, "hypervolume: point %zu objective %d is not finite", i / (size_t)d,
                           (int)(i % (size_t)d));
    int rc = d == 2 ? hv_2d(pts, n, ref, out) : d == 3 ? hv_3d(pts, n, ref, out) : hv_nd(pts, n, d, ref, out);
    if (rc == HW_ENOMEM) return hw_fail(e, rc, "hypervolume: out of memory for %zu points", n);
    if (rc != HW_OK) return hw_fail(e, rc, "hypervolume: invalid input");
    return HW_OK;
}
