/* indicators/hv_nd.c — exact hypervolume in any dimension: WFG (While,
 * Bradstreet, Barone 2012) over HV4D+ (hv4d.c), with the batched 5-D level.
 * See hv.c for the description. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/hv_internal.h"

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
