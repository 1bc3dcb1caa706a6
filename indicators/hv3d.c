/* indicators/hv3d.c — exact 3-D hypervolume: dimension sweep on the third
 * objective (Beume, Fonseca, López-Ibáñez, Paquete, Vahrenhold 2009) keeping
 * the 2-D non-dominated staircase of the (x, y) projections in a 64-ary bit
 * tree over the x-ranks of the points.  O(n log n).  See hv.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/hv_internal.h"

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
