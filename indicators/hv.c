/* indicators/hv.c — exact hypervolume (minimisation), see indicators.h.
 *
 *   hv_2d: sort by the first objective, sweep the staircase.  O(n log n).
 *   hv_3d: dimension sweep on the third objective (Beume, Fonseca,
 *          López-Ibáñez, Paquete, Vahrenhold 2009) keeping the 2-D
 *          non-dominated staircase of the (x, y) projections; the staircase
 *          lives in a 64-ary bit tree over the x-ranks of the points, so
 *          predecessor/successor/insert/erase cost O(log_64 n).  O(n log n).
 *   hv_4d: HV4D+ (Guerreiro & Fonseca 2018): sweep on the 4th objective;
 *          each new point adds its exclusive 3-D volume over the running
 *          3-D front, computed in O(n) with the front kept in z order and
 *          each point's staircase neighbours ("closest" points) maintained,
 *          so the 2-D staircase is rebuilt and swept with O(1) insertions.
 *          O(n^2).
 *   hv_nd: WFG (While, Bradstreet, Barone 2012): points sorted by the last
 *          objective, HV = sum_i (r_d - p_i,d) * exclusive (d-1)-volume of
 *          p_i over the points before it, the exclusive volume being the
 *          inclusive box minus the volume of the non-dominated "limit set"
 *          (recursion); limit sets are filtered in increasing coordinate
 *          sum, so each candidate is only checked against kept ones.  Base
 *          case d = 4: HV4D+ on the unfiltered limit set, generated already
 *          sorted on the 4th objective.  At d = 5 the limit points of the
 *          sources not above p_i in the 4th objective all sit at p_i's 4th
 *          coordinate: that part of HV4D+'s front is built in one 3-D sweep
 *          over global y and z orders of the points (as moocore's one-point
 *          4-D contribution does), and only the rest is inserted one by one.
 *
 * Only points strictly better than ref in every objective are used.  Volumes
 * are accumulated with Neumaier's compensated summation (HV4D+'s running
 * areas shrink by subtraction, as in the published algorithm); every loop
 * runs in an order fixed by the point values (hw_sort_points), so results do
 * not depend on input order. */
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

/* ---- 4-D: HV4D+ ------------------------------------------------------------ */

/* A point of the running 3-D front.  The front is a singly linked list in
 * (z, y, x) order.  closest[0] / closest[1]: among the front points before
 * it in that order, the one with y < p.y of least (x, y) and the one with
 * x < p.x of least (y, x); these are p's right and left neighbours on the
 * 2-D staircase of those points, so inserting p into that staircase is O(1).
 * cnext[0] / cnext[1]: the staircase itself, a doubly linked list (right
 * neighbour: larger x, smaller y; left neighbour), rebuilt for every new
 * point. */
typedef struct hv4_node {
    double x, y, z;
    struct hv4_node *next;
    struct hv4_node *closest[2];
    struct hv4_node *cnext[2];
} hv4_node;

/* Links q into the staircase between its closest neighbours; the points in
 * between (weakly dominated by q in x, y) drop out of it. */
static inline void stair_link(hv4_node *q)
{
    hv4_node *r = q->closest[0], *l = q->closest[1];
    q->cnext[0] = r;
    q->cnext[1] = l;
    r->cnext[1] = q;
    l->cnext[0] = q;
}

/* Area of q's quadrant not covered by the staircase, q's neighbours being l
 * (left) and r (right): the strips over the points between them. */
static inline double stair_excl_area(const hv4_node *q, const hv4_node *l, const hv4_node *r)
{
    double area = 0, xs = q->x, yb = l->y;
    for (const hv4_node *c = l->cnext[0]; c != r; c = c->cnext[0]) {
        area += (c->x - xs) * (yb - q->y);
        xs = c->x;
        yb = c->y;
    }
    return area + (r->x - xs) * (yb - q->y);
}

/* Inserts q into the staircase sl .. sr of the front points before it in
 * (z, y, x) order, all of which lie below q in z: sets q's closest points
 * and returns the area q adds, or -1 (staircase unchanged) when a staircase
 * point weakly dominates q in (x, y). */
static double stair_insert(hv4_node *q, hv4_node *sl)
{
    hv4_node *l = sl;
    while (l->cnext[0]->x < q->x) l = l->cnext[0];
    if (l->y <= q->y) return -1;
    hv4_node *r = l->cnext[0];
    for (; r->y >= q->y; r = r->cnext[0])
        if (r->x == q->x && r->y == q->y) return -1;
    if (r->x == q->x) return -1;
    q->closest[0] = r;
    q->closest[1] = l;
    double area = stair_excl_area(q, l, r);
    stair_link(q);
    return area;
}

/* Rebuilds the staircase of the front points before nw in (z, y, x) order,
 * sets nw's closest points, and returns the list node after which nw goes,
 * or NULL if a front point weakly dominates nw in (x, y, z). */
static inline hv4_node *hv4_restart(hv4_node *head, hv4_node *nw, hv4_node *sl, hv4_node *sr)
{
    sl->cnext[0] = sr;
    sr->cnext[1] = sl;
    hv4_node *c0 = sr, *c1 = sl, *prev = head;
    const double x = nw->x, y = nw->y, z = nw->z;
    for (hv4_node *q = head->next;; prev = q, q = q->next) {
        if (q->z > z || (q->z == z && (q->y > y || (q->y == y && q->x > x)))) break;
        if (q->x <= x && q->y <= y) return NULL; /* and q->z <= z */
        stair_link(q);
        if (q->y < y) { /* then q->x > x */
            if (q->x < c0->x || (q->x == c0->x && q->y < c0->y)) c0 = q;
        } else if (q->x < x) { /* then q->y > y */
            if (q->y < c1->y || (q->y == c1->y && q->x < c1->x)) c1 = q;
        }
    }
    nw->closest[0] = c0;
    nw->closest[1] = c1;
    return prev;
}

/* Exclusive 3-D volume of nw over the front, whose points from q on lie
 * after nw in (z, y, x) order; the staircase holds those before it.  Sweeps
 * upwards in z, linking each point into the staircase and cutting nw's
 * uncovered area (bounded by its left and right staircase neighbours L, R
 * and the points inside its quadrant) until a point covers nw in (x, y); the
 * top sentinel always does. */
static inline double hv4_contribution(const hv4_node *nw, hv4_node *q)
{
    const hv4_node *L = nw->closest[1], *R = nw->closest[0];
    double area = stair_excl_area(nw, L, R), lastz = nw->z, vol = 0;
    for (;; q = q->next) {
        vol += area * (q->z - lastz);
        if (q->x <= nw->x && q->y <= nw->y) break;
        if (q->x < nw->x) { /* left of nw: cuts the part above q->y */
            if (q->y <= L->y) {
                double cut = 0, xs = nw->x, yb = L->y;
                const hv4_node *c = L->cnext[0];
                for (; c->y > q->y; c = c->cnext[0]) {
                    cut += (c->x - xs) * (yb - q->y);
                    xs = c->x;
                    yb = c->y;
                }
                area -= cut + (c->x - xs) * (yb - q->y);
                L = q;
            }
        } else if (q->y < nw->y) { /* right of nw: cuts the part right of q->x */
            if (q->x <= R->x) {
                double cut = 0, ys = nw->y, xb = R->x;
                const hv4_node *c = R->cnext[1];
                for (; c->x > q->x; c = c->cnext[1]) {
                    cut += (c->y - ys) * (xb - q->x);
                    ys = c->y;
                    xb = c->x;
                }
                area -= cut + (c->y - ys) * (xb - q->x);
                R = q;
            }
        } else { /* inside nw's quadrant: its own uncovered area goes */
            area -= stair_excl_area(q, q->closest[1], q->closest[0]);
        }
        stair_link(q);
        lastz = q->z;
    }
    return vol;
}

/* nw was just linked into the front: drop the later points it weakly
 * dominates, and make it the closest point of later points where it is (on
 * equal x and y it replaces the old one, which it has just dropped).
 * Past a later point that dominates nw in (x, y), nw matters to none. */
static inline void hv4_update(hv4_node *nw)
{
    hv4_node *prev = nw;
    for (hv4_node *q = nw->next;; q = q->next) {
        if (nw->x <= q->x && nw->y <= q->y) { prev->next = q->next; continue; }
        if (q->x <= nw->x && q->y <= nw->y) return; /* the top sentinel always */
        if (nw->x < q->x) { /* then nw->y > q->y */
            const hv4_node *c = q->closest[1];
            if (nw->y < c->y || (nw->y == c->y && nw->x <= c->x)) q->closest[1] = nw;
        } else { /* nw->x > q->x, nw->y < q->y */
            const hv4_node *c = q->closest[0];
            if (nw->x < c->x || (nw->x == c->x && nw->y <= c->y)) q->closest[0] = nw;
        }
        prev = q;
    }
}

/* The four sentinels of an HV4D+ front: left and right ends of the
 * staircase, head and top (z = ref[2]) of the front list, which starts empty. */
static void hv4_sentinels(hv4_node *sent, const double *ref)
{
    hv4_node *sl = sent, *sr = sent + 1, *head = sent + 2, *top = sent + 3;
    sl->x = -INFINITY; sl->y = ref[1]; sl->z = -INFINITY;
    sr->x = ref[0]; sr->y = -INFINITY; sr->z = -INFINITY;
    head->x = head->y = head->z = -INFINITY;
    top->x = -INFINITY; top->y = -INFINITY; top->z = ref[2];
    head->next = top;
    top->next = NULL;
}

/* HV4D+ sweep (Guerreiro & Fonseca 2018) of m points (rows of 4, strictly
 * inside ref) in increasing 4th objective (then any order fixed by the point
 * values) over a front sent[0..4) whose 3-D volume is vol3 and which lies
 * below every point's 4th objective: each new point adds its exclusive 3-D
 * volume over the running front to that front's volume, which is swept up to
 * the next 4th coordinate (ref[3] after the last).  Returns the 4-D volume
 * from the first point's 4th coordinate up.  O(m) per point.  order: the
  * rows in sweep order, NULL when the rows already are; nodes: m. */
static double hv4_sweep(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes,
                        hv4_node *sent, ksum vol3)
{
    hv4_node *sl = sent, *sr = sent + 1, *head = sent + 2;
    ksum vol = {0, 0};
    for (size_t t = 0; t < m; t++) {
        const double *pt = p + (order ? order[t] : t) * 4;
        hv4_node *nw = nodes + t;
        nw->x = pt[0];
        nw->y = pt[1];
        nw->z = pt[2];
        hv4_node *prev = hv4_restart(head, nw, sl, sr);
        if (prev) {
            ksum_add(&vol3, hv4_contribution(nw, prev->next));
            nw->next = prev->next;
            prev->next = nw;
            hv4_update(nw);
        }
        double wn = t + 1 < m ? p[(order ? order[t + 1] : t + 1) * 4 + 3] : ref[3];
        if (wn > pt[3]) ksum_add(&vol, ksum_value(&vol3) * (wn - pt[3]));
    }
    return ksum_value(&vol);
}

/* Exact 4-D volume of m points (rows of 4, all strictly inside ref) by HV4D+
 * from an empty front.  O(m^2).  nodes: m + 4. */
static double hv4_plus(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes)
{
    hv4_sentinels(nodes + m, ref);
    return hv4_sweep(p, m, ref, order, nodes, nodes + m, (ksum){0, 0});
}

int hv_4d(const double *pts, size_t n, const double *ref, double *out)
{
    *out = 0;
    if ((n && !pts) || !ref || !all_finite(ref, 4) || !all_finite(pts, 4 * n)) return HW_EINVAL;
    if (n == 0) return HW_OK;
    double *in = malloc(n * 4 * sizeof *in + 2 * n * sizeof(size_t));
    hv4_node *nodes = malloc((n + 4) * sizeof *nodes);
    if (!in || !nodes) { free(in); free(nodes); return HW_ENOMEM; }
    size_t *order = (size_t *)(void *)(in + 4 * n), *tmp = order + n;
    size_t m = copy_inside(pts, n, 4, ref, in);
    hw_sort_points_buf(in, m, 4, 3, order, tmp);
    *out = hv4_plus(in, m, ref, order, nodes);
    free(in);
    free(nodes);
    return HW_OK;
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
    size_t *order, *tmp;
    size_t *oy, *oz, *rz, *r4, *scr; /* 5-D level: orders on y and z, ranks */
    size_t *ry;
    double *p4;                      /* 5-D level: 3 x (m x 4) */
    unsigned char *live3;            /* 5-D level: 3 x m */
    keyed_idx *key, *ktmp;
    double *cand;
    hv4_node *nodes;
} wfg_ws;

/* From this many points on, the 5-D level pays for its three sorts and
 * builds limit sets in one batch (wfg_level5); below, nested levels (d >= 7
 * gives many small ones) scan in 4th-objective order only. */
enum { HV5_BATCH_MIN = 32 };

static inline double dmax(double a, double b) { return a > b ? a : b; }

static inline int less_zyx(const hv4_node *a, const hv4_node *b)
{
    return a->z < b->z || (a->z == b->z && (a->y < b->y || (a->y == b->y && a->x < b->x)));
}

/* WFG's 5-D level on s (m rows of 5, sorted on the 5th objective): the
 * exclusive 4-D volume of p_i over the points before it is its box minus the
 * 4-D volume of the limit points max(p_j, p_i), run by HV4D+.  Sources split
 * on the 4th objective: those with q_4 <= p_4 all give limit points at 4th
 * coordinate p_4, so that part of the front is built in one 3-D sweep, in
 * the global orders on y (the limit points at z = p_3: a 2-D staircase
 * filtered in one pass) and z (the rest, already in z order); only the
 * sources with q_4 > p_4 go through HV4D+'s insertions.  A point weakly
 * dominated on the first 4 objectives by a later one only yields limit
 * points dominated by that one's: it is dropped (its live flags cleared)
 * from all later limit sets. */
static double wfg_level5(const double *s, size_t m, const double *ref, wfg_ws *w)
{
    size_t *o4 = w->order, *oy = w->oy, *oz = w->oz, *ry = w->ry, *rz = w->rz, *r4 = w->r4;
    hw_sort_points_buf(s, m, 5, 3, o4, w->scr);
    hw_sort_points_buf(s, m, 5, 1, oy, w->scr);
    hw_sort_points_buf(s, m, 5, 2, oz, w->scr);
    /* The first 4 objectives in y, z and 4th-objective order, with flags
     * that say which sources are live. */
    double *py = w->p4, *pz = py + 4 * m, *pw = pz + 4 * m;
    unsigned char *ly = w->live3, *lz = ly + m, *lw = lz + m;
    for (size_t t = 0; t < m; t++) {
        ry[oy[t]] = t;
        rz[oz[t]] = t;
        r4[o4[t]] = t;
        memcpy(py + 4 * t, s + oy[t] * 5, 4 * sizeof *py);
        memcpy(pz + 4 * t, s + oz[t] * 5, 4 * sizeof *pz);
        memcpy(pw + 4 * t, s + o4[t] * 5, 4 * sizeof *pw);
        ly[t] = lz[t] = lw[t] = 0;
    }
    hv4_node *nodes = w->nodes, *sent = nodes + m, *sl = sent, *head = sent + 2, *top = sent + 3;
    double *cand = w->cand;
    ksum vol = {0, 0};
    for (size_t i = 0; i < m; i++) {
        const double *pi = s + i * 5;
        /* Limit points at z = p_3 (sources with q_3 <= p_3), in increasing y:
         * kept while x decreases, the staircase of that slice; once x = p_0
         * nothing after it counts. */
        size_t na = 0, nq = 0;
        int dominated = 0;
        for (size_t t = 0; t < m; t++) { /* gather the sources without branches */
            const double *q = py + 4 * t;
            cand[2 * nq] = q[0];
            cand[2 * nq + 1] = q[1];
            nq += ly[t] & (q[3] <= pi[3]) & (q[2] <= pi[2]);
        }
        for (size_t t = 0; t < nq; t++) {
            double x = dmax(cand[2 * t], pi[0]), y = dmax(cand[2 * t + 1], pi[1]);
            if (x == pi[0] && y == pi[1]) { dominated = 1; break; }
            if (na && x >= nodes[na - 1].x) continue;
            if (na && y == nodes[na - 1].y) na--;
            nodes[na].x = x;
            nodes[na].y = y;
            nodes[na].z = pi[2];
            na++;
            if (x == pi[0]) break;
        }
        if (dominated) continue;
        hv4_sentinels(sent, ref);
        sl->cnext[0] = sent + 1;
        sent[1].cnext[1] = sl;
        ksum vol3 = {0, 0};
        hv4_node *tail = head;
        for (size_t a = 0; a < na; a++) { /* each one left of all before it: O(1) */
            ksum_add(&vol3, stair_insert(nodes + a, sl) * (ref[2] - pi[2]));
            tail->next = nodes + a;
            tail = nodes + a;
        }
        /* Limit points above z = p_3, in (z, y, x) order, up to the first
         * z level with one equal to p in x, y (it dominates all above). */
        size_t na2 = na;
        double zcut = INFINITY;
        nq = 0;
        for (size_t t = rz[i] + 1; t < m; t++) { /* gather without branches */
            const double *q = pz + 4 * t;
            if (q[2] > zcut) break;
            double *c = cand + 3 * nq;
            c[0] = dmax(q[0], pi[0]);
            c[1] = dmax(q[1], pi[1]);
            c[2] = q[2];
            int ok = lz[t] & (q[3] <= pi[3]) & (q[2] != pi[2]);
            nq += ok;
            if (ok & (c[0] == pi[0]) & (c[1] == pi[1])) zcut = q[2];
        }
        for (size_t t = 0; t < nq; t++) {
            hv4_node v = {.x = cand[3 * t], .y = cand[3 * t + 1], .z = cand[3 * t + 2]};
            size_t b = na2++;
            for (; b > na && less_zyx(&v, nodes + b - 1); b--) {
                nodes[b].x = nodes[b - 1].x;
                nodes[b].y = nodes[b - 1].y;
                nodes[b].z = nodes[b - 1].z;
            }
            nodes[b].x = v.x;
            nodes[b].y = v.y;
            nodes[b].z = v.z;
        }
        for (size_t a = na; a < na2; a++) {
            double area = stair_insert(nodes + a, sl);
            if (area < 0) continue; /* dominated in (x, y) by one below it */
            ksum_add(&vol3, area * (ref[2] - nodes[a].z));
            tail->next = nodes + a;
            tail = nodes + a;
        }
        tail->next = top;
        /* Limit points of the sources with q_4 > p_4, in 4th-objective order,
         * up to one equal to p in x, y, z, which dominates all after it. */
        size_t nb = 0;
        for (size_t t = r4[i] + 1; t < m; t++) {
            const double *q = pw + 4 * t;
            double *c = cand + nb * 4;
            for (int a = 0; a < 4; a++) c[a] = dmax(q[a], pi[a]);
            int ok = lw[t] & (q[3] != pi[3]);
            nb += ok;
            if (ok & (c[0] == pi[0]) & (c[1] == pi[1]) & (c[2] == pi[2])) break;
        }
        double wb = nb ? cand[3] : ref[3];
        double v4 = ksum_value(&vol3) * (wb - pi[3]) + hv4_sweep(cand, nb, ref, NULL, nodes + na2, sent, vol3);
        double incl = (ref[0] - pi[0]) * (ref[1] - pi[1]) * (ref[2] - pi[2]) * (ref[3] - pi[3]);
        ksum_add(&vol, (ref[4] - pi[4]) * (incl - v4));
        /* Sources p_i now weakly dominates on the first 4 objectives: in the
         * 4th-objective order from p_i's equals on. */
        size_t t0 = r4[i];
        while (t0 > 0 && pw[4 * (t0 - 1) + 3] == pi[3]) t0--;
        for (size_t t = t0; t < m; t++) {
            const double *q = pw + 4 * t;
            int dom = (pi[0] <= q[0]) & (pi[1] <= q[1]) & (pi[2] <= q[2]);
            if (dom & lw[t]) {
                size_t j = o4[t];
                ly[ry[j]] = lz[rz[j]] = lw[t] = 0;
            }
        }
        ly[ry[i]] = lz[rz[i]] = lw[r4[i]] = 1;
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
    if (k == 4) {
        hw_sort_points_buf(p, m, 4, 3, w->order, w->tmp);
        return hv4_plus(p, m, ref, w->order, w->nodes);
    }
    double *s = w->sorted[k], *lim = w->rows[k - 1];
    int kl = k - 1;
    hw_sort_points_buf(p, m, k, kl, w->order, w->tmp);
    for (size_t i = 0; i < m; i++) memcpy(s + i * k, p + w->order[i] * k, (size_t)k * sizeof *s);
    ksum vol = {0, 0};
    double *cand = w->cand;
    keyed_idx *key = w->key;
    if (k == 5) {
        if (m >= HV5_BATCH_MIN) return wfg_level5(s, m, ref, w);
        /* Limit points taken in the order of the 4th objective of their
         * sources come out sorted by their own 4th objective, max(q_3, p_3):
         * HV4D+ then runs on them as they are, and skips the dominated ones. */
        /* A point weakly dominated on the first 4 objectives by a later one
         * only yields limit points dominated by that one's: it is dropped
         * (live[j] = 0) from all later limit sets. */
        const size_t *o4 = w->order;
        size_t *live = w->tmp;
        hw_sort_points_buf(s, m, 5, 3, w->order, w->tmp);
        for (size_t i = 0; i < m; i++) live[i] = 0;
        for (size_t i = 0; i < m; i++) {
            const double *pi = s + i * 5;
            size_t nc = 0;
            int dominated = 0;
            for (size_t t = 0; t < m; t++) {
                size_t j = o4[t];
                if (!live[j]) continue;
                const double *pj = s + j * 5;
                double *c = cand + nc * 4;
                for (int a = 0; a < 4; a++) c[a] = pj[a] > pi[a] ? pj[a] : pi[a];
                if (c[0] == pi[0] && c[1] == pi[1] && c[2] == pi[2]) {
                    if (c[3] == pi[3]) dominated = 1;
                    nc++; /* it weakly dominates all limit points after it */
                    break;
                }
                nc++;
            }
            if (dominated) continue;
            double incl = (ref[0] - pi[0]) * (ref[1] - pi[1]) * (ref[2] - pi[2]) * (ref[3] - pi[3]);
            ksum_add(&vol, (ref[4] - pi[4]) * (incl - hv4_plus(cand, nc, ref, NULL, w->nodes)));
            for (size_t j = 0; j < i; j++) {
                const double *pj = s + j * 5;
                if (pi[0] <= pj[0] && pi[1] <= pj[1] && pi[2] <= pj[2] && pi[3] <= pj[3]) live[j] = 0;
            }
            live[i] = 1;
        }
        return ksum_value(&vol);
    }
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
        double incl = 1;
        for (int c = 0; c < kl; c++) incl *= ref[c] - pi[c];
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
    if (d == 4) return hv_4d(pts, n, ref, out);
    /* Buffers: input (n x d), rows[k] and sorted[k] for k = 4..d (n x k
     * each), limit-point candidates (n x (d-1)), the candidates' sort keys
     * (2n pairs), the 5-D level's points in three orders (3n x 4), index
     * scratch (8n), level pointers, its live flags (3n bytes); the 4-D nodes. */
    size_t nd = 0;
    for (int k = 4; k <= d; k++) nd += 2 * n * (size_t)k;
    size_t ndbl = n * (size_t)d + nd + n * (size_t)(d - 1) + 12 * n;
    double *buf = malloc(ndbl * sizeof(double) + 2 * n * sizeof(keyed_idx) + 8 * n * sizeof(size_t) +
                         2 * (size_t)(d + 1) * sizeof(double *) + 3 * n);
    hv4_node *nodes = malloc((n + 4) * sizeof *nodes);
    if (!buf || !nodes) { free(buf); free(nodes); return HW_ENOMEM; }
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
    w.cand = cur;
    size_t *sz = (size_t *)(void *)(w.sorted + d + 1);
    w.order = sz; w.tmp = sz + n;
    w.oy = sz + 2 * n; w.oz = sz + 3 * n; w.rz = sz + 4 * n; w.r4 = sz + 5 * n; w.scr = sz + 6 * n;
    w.ry = sz + 7 * n;
    w.p4 = w.cand + n * (size_t)(d - 1);
    w.live3 = (unsigned char *)(sz + 8 * n);
    w.nodes = nodes;
    size_t m = copy_inside(pts, n, d, ref, buf);
    *out = wfg(buf, m, d, ref, &w);
    free(buf);
    free(nodes);
    return HW_OK;
}

int hw_hypervolume(const double *pts, size_t n, int d, const double *ref, double *out, hw_err *e)
{
    *out = 0;
    if (d < 1) return hw_fail(e, HW_EINVAL, "hypervolume: dimension must be >= 1 (got %d)", d);
    int rc = hw_hv_check(pts, n, d, ref, e); /* finite, and no overflow possible (hv_range.c) */
    if (rc) return rc;
    rc = d == 2   ? hv_2d(pts, n, ref, out)
         : d == 3 ? hv_3d(pts, n, ref, out)
         : d == 4 ? hv_4d(pts, n, ref, out)
                  : hv_nd(pts, n, d, ref, out);
    if (rc == HW_ENOMEM) return hw_fail(e, rc, "hypervolume: out of memory for %zu points", n);
    if (rc != HW_OK) return hw_fail(e, rc, "hypervolume: invalid input");
    return HW_OK;
}
