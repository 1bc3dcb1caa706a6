/* indicators/hv_internal.h — what the hypervolume algorithms share, private
 * to indicators/hv*.c (the contract is indicators.h): Neumaier's compensated
 * sum, the finite-input check and the inside-the-box filter, and HV4D+'s
 * front nodes, staircase steps and sweep, which WFG's 4-D base case and its
 * 5-D level (hv_nd.c) run on their limit sets.  The small steps are static
 * inline so they stay inlined into the sweeps that call them. */
#ifndef HWNAS_INDICATORS_HV_INTERNAL_H
#define HWNAS_INDICATORS_HV_INTERNAL_H

#include <math.h>
#include <stddef.h>
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

static inline int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* Copies the points strictly inside the box into out (m x d); returns m. */
static inline size_t copy_inside(const double *pts, size_t n, int d, const double *ref, double *out)
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

/* The four sentinels of an HV4D+ front: left and right ends of the
 * staircase, head and top (z = ref[2]) of the front list, which starts empty. */
static inline void hv4_sentinels(hv4_node *sent, const double *ref)
{
    hv4_node *sl = sent, *sr = sent + 1, *head = sent + 2, *top = sent + 3;
    sl->x = -INFINITY; sl->y = ref[1]; sl->z = -INFINITY;
    sr->x = ref[0]; sr->y = -INFINITY; sr->z = -INFINITY;
    head->x = head->y = head->z = -INFINITY;
    top->x = -INFINITY; top->y = -INFINITY; top->z = ref[2];
    head->next = top;
    top->next = NULL;
}

/* HV4D+ sweep of m points over the front sent[0..4) of 3-D volume vol3, and
 * the exact 4-D volume of m points from an empty front (hv4d.c). */
double hv4_sweep(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes,
                 hv4_node *sent, ksum vol3);
double hv4_plus(const double *p, size_t m, const double *ref, const size_t *order, hv4_node *nodes);

#endif
