/* indicators/hv4d.c — exact 4-D hypervolume by HV4D+ (Guerreiro & Fonseca
 * 2018): sweep on the 4th objective, each new point adding its exclusive 3-D
 * volume over the running 3-D front in O(n).  O(n^2).  The sweep is also
 * WFG's base case (hv_nd.c).  See hv.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/hv_internal.h"

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

/* HV4D+ sweep (Guerreiro & Fonseca 2018) of m points (rows of 4, strictly
 * inside ref) in increasing 4th objective (then any order fixed by the point
 * values) over a front sent[0..4) whose 3-D volume is vol3 and which lies
 * below every point's 4th objective: each new point adds its exclusive 3-D
 * volume over the running front to that front's volume, which is swept up to
 * the next 4th coordinate (ref[3] after the last).  Returns the 4-D volume
 * from the first point's 4th coordinate up.  O(m) per point.  order: the
  * rows in sweep order, NULL when the rows already are; nodes: m. */
double hv4_sweep(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes,
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
double hv4_plus(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes)
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
