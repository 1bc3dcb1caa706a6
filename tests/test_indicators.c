/* Quality indicators: non-dominated filter, exact hypervolume, IGD/IGD+.
 * References: hand-computed values (worked out in the comments), exact
 * brute force on integer grids (count the dominated unit cells), inclusion-
 * exclusion over all subsets for small real-valued sets, O(n^2) dominance. */
#include "check.h"

#include <omp.h>
#include <stdint.h>

#include "core/rng.h"
#include "indicators/indicators.h"

/* ---- independent references ----------------------------------------------- */

/* Exact HV for points with integer coordinates, ref = (g, ..., g): the number
 * of unit cells [c, c+1)^d, 0 <= c_k < g, whose lower corner is weakly
 * dominated by some point that is strictly inside the box.  Points must be
 * >= 0 in every objective. */
static double grid_hv(const double *pts, size_t n, int d, int g)
{
    long cells = 1;
    for (int k = 0; k < d; k++) cells *= g;
    long count = 0;
    int c[8];
    for (long id = 0; id < cells; id++) {
        long t = id;
        for (int k = 0; k < d; k++) { c[k] = (int)(t % g); t /= g; }
        for (size_t i = 0; i < n; i++) {
            const double *p = pts + i * (size_t)d;
            int in = 1;
            for (int k = 0; k < d; k++) in &= p[k] < g && p[k] <= c[k];
            if (in) { count++; break; }
        }
    }
    return (double)count;
}

/* Inclusion-exclusion: sum over non-empty subsets S of inside points of
 * (-1)^(|S|+1) * volume of the box between the component-wise max of S and
 * ref.  Exponential: n <= 12. */
static double incl_excl_hv(const double *pts, size_t n, int d, const double *ref)
{
    double in[12 * 8];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = 1;
        for (int k = 0; k < d; k++) ok &= pts[i * d + k] < ref[k];
        if (ok) { for (int k = 0; k < d; k++) in[m * d + k] = pts[i * d + k]; m++; }
    }
    double sum = 0;
    for (unsigned s = 1; s < (1u << m); s++) {
        double corner[8];
        for (int k = 0; k < d; k++) corner[k] = -INFINITY;
        int bits = 0;
        for (size_t i = 0; i < m; i++)
            if (s & (1u << i)) {
                bits++;
                for (int k = 0; k < d; k++) if (in[i * d + k] > corner[k]) corner[k] = in[i * d + k];
            }
        double v = 1;
        for (int k = 0; k < d; k++) v *= ref[k] - corner[k];
        sum += (bits & 1) ? v : -v;
    }
    return sum;
}

static void random_grid_points(hw_rng *r, double *pts, size_t n, int d, int g)
{
    /* coordinates 0..g: value g lies on the reference boundary */
    for (size_t i = 0; i < n * (size_t)d; i++) pts[i] = (double)hw_rng_below(r, (uint32_t)g + 1);
}

/* Points on the positive orthant of the unit sphere: mutually non-dominated. */
static void sphere_points(hw_rng *r, double *pts, size_t n, int d)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < d; k++) { double z = fabs(hw_rng_normal(r)); pts[i * d + k] = z; s += z * z; }
        s = sqrt(s);
        for (int k = 0; k < d; k++) pts[i * d + k] /= s;
    }
}

static double hv_of(const double *pts, size_t n, int d, const double *ref)
{
    double v = -1;
    hw_err e;
    int rc = hw_hypervolume(pts, n, d, ref, &v, &e);
    CHECK_MSG(rc == HW_OK, "hw_hypervolume: %s", e.msg);
    return v;
}

/* ---- hypervolume: hand-computed ------------------------------------------- */

TEST(hv2d_hand_computed)
{
    /* ref (4,4); points (1,3) (2,2) (3,1): staircase areas
     * (1,3): [1,4]x[3,4] = 3; (2,2): [2,4]x[2,3] = 2; (3,1): [3,4]x[1,2] = 1.
     * Total 6. */
    double p[] = {2, 2, 3, 1, 1, 3};
    double ref[] = {4, 4}, v;
    CHECK_OK(hv_2d(p, 3, ref, &v));
    CHECK(v == 6.0);
    /* a single point (0.5, 0.25) with ref (1,1): 0.5 * 0.75 */
    double q[] = {0.5, 0.25};
    double r1[] = {1, 1};
    CHECK_OK(hv_2d(q, 1, r1, &v));
    CHECK(v == 0.375);
}

TEST(hv2d_dominated_duplicates_ties)
{
    /* ref (4,4).  Front (1,3) (3,1) gives 3 + (4-3)*(3-1) = 5.  Adding the
     * duplicate (1,3), the dominated (2,3.5), (3,3), and ties (1,3.5) (3.5,1)
     * on a coordinate changes nothing. */
    double p[] = {1, 3, 3, 1, 1, 3, 2, 3.5, 3, 3, 1, 3.5, 3.5, 1};
    double ref[] = {4, 4}, v;
    CHECK_OK(hv_2d(p, 7, ref, &v));
    CHECK(v == 5.0);
    CHECK_OK(hv_2d(p, 2, ref, &v));
    CHECK(v == 5.0);
}

TEST(hv_outside_and_boundary_contribute_zero)
{
    /* Points on the ref boundary (x == 4 or y == 4) or beyond it: HV 0. */
    double p[] = {4, 0, 0, 4, 5, 5, 4, 4, -1, 7};
    double ref2[] = {4, 4}, v = -1;
    CHECK_OK(hv_2d(p, 5, ref2, &v));
    CHECK(v == 0.0);
    hw_err e;
    CHECK_OK(hw_hypervolume(p, 5, 2, ref2, &v, &e));
    CHECK(v == 0.0);
    double ref3z[] = {1, 1, 1};
    v = -1;
    CHECK_OK(hw_hypervolume(NULL, 0, 3, ref3z, &v, &e)); /* empty set */
    CHECK(v == 0.0);
    /* 3-D: one point on the boundary, one inside: only (1,1,1) counts,
     * (4-1)^3 = 27. */
    double q[] = {1, 1, 4, 1, 1, 1};
    double ref3[] = {4, 4, 4};
    CHECK_OK(hv_3d(q, 2, ref3, &v));
    CHECK(v == 27.0);
    CHECK_OK(hv_3d(q, 1, ref3, &v));
    CHECK(v == 0.0);
    /* 5-D: all points outside */
    double r5[] = {1, 1, 1, 1, 1};
    double o5[] = {0, 0, 0, 0, 1, 2, 0, 0, 0, 0};
    CHECK_OK(hv_nd(o5, 2, 5, r5, &v));
    CHECK(v == 0.0);
}

TEST(hv3d_hand_computed)
{
    /* ref (2,2,2) with unit cubes' corners (0,1,1) (1,0,1) (1,1,0): each
     * dominates a 2x1x1 box; pairwise intersections are 1x1x1 cubes and the
     * triple intersection is [1,2]^3.  HV = 3*2 - 3*1 + 1 = 4. */
    double p[] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
    double ref[] = {2, 2, 2}, v;
    CHECK_OK(hv_3d(p, 3, ref, &v));
    CHECK(v == 4.0);
    /* Adding the origin dominates everything: 2^3 = 8. */
    double q[] = {0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0};
    CHECK_OK(hv_3d(q, 4, ref, &v));
    CHECK(v == 8.0);
    /* (0,0,1.5) dominates a 2x2x0.5 box = 2; (1,1,0) a 1x1x2 box = 2; they
     * overlap in [1,2]x[1,2]x[1.5,2] = 0.5: total 2 + 2 - 0.5 = 3.5. */
    double s[] = {0, 0, 1.5, 1, 1, 0};
    CHECK_OK(hv_3d(s, 2, ref, &v));
    CHECK(v == 3.5);
    /* Duplicates and ties: (0,1,1) twice, (0,1,1.5) and (1,1,1) dominated
     * with ties in two coordinates: only the 2x1x1 box of (0,1,1) = 2. */
    double t[] = {0, 1, 1.5, 0, 1, 1, 1, 1, 1, 0, 1, 1};
    CHECK_OK(hv_3d(t, 4, ref, &v));
    CHECK(v == 2.0);
    CHECK_OK(hv_3d(t, 1, ref, &v)); /* (0,1,1.5) alone: 2x1x0.5 */
    CHECK(v == 1.0);
}

TEST(hv_nd_hand_computed_4d_5d)
{
    /* 4-D, ref (1,1,1,1): e_k/2 style points (0.5,0,0,0) (0,0.5,0,0):
     * each box 0.5, intersection [0.5,1]^2 x [0,1]^2 = 0.25 -> 0.75. */
    double p[] = {0.5, 0, 0, 0, 0, 0.5, 0, 0};
    double ref[] = {1, 1, 1, 1, 1}, v;
    CHECK_OK(hv_nd(p, 2, 4, ref, &v));
    CHECK(v == 0.75);
    /* 5-D single point (0.5, 0.5, 0.5, 0.5, 0.5): 1/32. */
    double q[] = {0.5, 0.5, 0.5, 0.5, 0.5};
    CHECK_OK(hv_nd(q, 1, 5, ref, &v));
    CHECK(v == 1.0 / 32);
    /* 1-D: ref 1, points 0.25 and 0.5 -> 0.75 */
    double o[] = {0.5, 0.25};
    CHECK_OK(hv_nd(o, 2, 1, ref, &v));
    CHECK(v == 0.75);
}

TEST(hv_rejects_bad_input)
{
    double p[] = {0, NAN}, ref[] = {1, 1}, v;
    hw_err e;
    CHECK(hw_hypervolume(p, 1, 2, ref, &v, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "not finite") != NULL);
    double q[] = {0, 0}, bad_ref[] = {1, INFINITY};
    CHECK(hw_hypervolume(q, 1, 2, bad_ref, &v, &e) == HW_EINVAL);
    CHECK(hw_hypervolume(q, 1, 0, ref, &v, &e) == HW_EINVAL);
}

/* ---- hypervolume: cross-checks ------------------------------------------------ */

TEST(hv_matches_grid_count_2d_to_6d)
{
    hw_rng r;
    hw_rng_seed(&r, 11, 1);
    double pts[60 * 6];
    for (int d = 2; d <= 6; d++) {
        int g = d <= 3 ? 9 : d == 4 ? 6 : 4;
        double ref[6];
        for (int k = 0; k < d; k++) ref[k] = g;
        for (int rep = 0; rep < 12; rep++) {
            size_t n = 1 + hw_rng_below(&r, d <= 3 ? 60 : 30);
            random_grid_points(&r, pts, n, d, g);
            double exact = grid_hv(pts, n, d, g), v;
            CHECK_OK(hv_nd(pts, n, d, ref, &v));
            CHECK_MSG(v == exact, "d=%d n=%zu: hv %.17g grid %.17g", d, n, v, exact);
        }
    }
}

/* Exact HV of many integer points by prefix OR: cell c is dominated iff some
 * point p <= c, i.e. the OR of the point marks over the box [0, c], which
 * one prefix pass per axis computes.  d = 2 or 3, coordinates 0..g. */
static double prefix_grid_hv(const double *pts, size_t n, int d, int g)
{
    size_t cells = (size_t)g * (size_t)g * (d == 3 ? (size_t)g : 1);
    unsigned char *mark = calloc(cells, 1);
    for (size_t i = 0; i < n; i++) {
        const double *p = pts + i * (size_t)d;
        int in = 1;
        for (int k = 0; k < d; k++) in &= p[k] < g;
        if (!in) continue;
        size_t id = (size_t)p[0] + (size_t)g * ((size_t)p[1] + (d == 3 ? (size_t)g * (size_t)p[2] : 0));
        mark[id] = 1;
    }
    size_t stride = 1;
    for (int k = 0; k < d; k++, stride *= (size_t)g)
        for (size_t id = 0; id < cells; id++)
            if ((id / stride) % (size_t)g > 0) mark[id] |= mark[id - stride];
    double count = 0;
    for (size_t id = 0; id < cells; id++) count += mark[id];
    free(mark);
    return count;
}

TEST(hv_large_sets_match_prefix_grid_count)
{
    /* 100,000 2-D points on a 1000-grid and 60,000 3-D points on a 40-grid:
     * every sort takes the radix path and the 3-D bit tree has 3 levels. */
    hw_rng r;
    hw_rng_seed(&r, 21, 1);
    enum { N2 = 100000, N3 = 60000 };
    double *p = malloc(N2 * 2 * sizeof *p), v;
    random_grid_points(&r, p, N2, 2, 1000);
    double ref2[2] = {1000, 1000};
    CHECK_OK(hv_2d(p, N2, ref2, &v));
    CHECK(v == prefix_grid_hv(p, N2, 2, 1000));
    /* near the front only: x + y + z >= 55 keeps many points non-dominated */
    size_t m = 0;
    while (m < N3) {
        double q[3];
        random_grid_points(&r, q, 1, 3, 40);
        if (q[0] + q[1] + q[2] < 55) continue;
        memcpy(p + 3 * m++, q, sizeof q);
    }
    double ref3[3] = {40, 40, 40};
    CHECK_OK(hv_3d(p, N3, ref3, &v));
    CHECK(v == prefix_grid_hv(p, N3, 3, 40));
    free(p);
}

TEST(hv_matches_inclusion_exclusion_real_values)
{
    hw_rng r;
    hw_rng_seed(&r, 12, 1);
    double pts[10 * 6];
    for (int d = 2; d <= 6; d++) {
        double ref[6];
        for (int k = 0; k < d; k++) ref[k] = 1.1;
        for (int rep = 0; rep < 10; rep++) {
            size_t n = 1 + hw_rng_below(&r, 10);
            for (size_t i = 0; i < n * (size_t)d; i++) pts[i] = 1.2 * hw_rng_uniform(&r);
            double v = hv_of(pts, n, d, ref);
            CHECK_REL(v, incl_excl_hv(pts, n, d, ref), 1e-12);
        }
    }
}

TEST(hv_low_d_sweeps_match_wfg)
{
    /* A set in d dims with an extra objective fixed at 0 (ref 1) has the same
     * HV in d+1 dims, which hv_nd computes with WFG (slicing on the constant
     * objective) instead of the 2-D / 3-D sweep. */
    hw_rng r;
    hw_rng_seed(&r, 13, 1);
    enum { N = 300 };
    static double p[N * 4], q[N * 4];
    double ref[4] = {1.1, 1.1, 1.1, 1};
    for (int d = 2; d <= 3; d++) {
        sphere_points(&r, p, N, d);
        for (size_t i = 0; i < N; i++) {
            for (int k = 0; k < d; k++) q[i * (d + 1) + k] = p[i * d + k];
            q[i * (d + 1) + d] = 0;
        }
        double ref_lift[4];
        for (int k = 0; k < d; k++) ref_lift[k] = 1.1;
        ref_lift[d] = 1;
        double a, b;
        CHECK_OK(d == 2 ? hv_2d(p, N, ref, &a) : hv_3d(p, N, ref, &a));
        CHECK_OK(hv_nd(q, N, d + 1, ref_lift, &b));
        CHECK_REL(a, b, 1e-12);
    }
    /* 3-D sweep vs 2-D sweep: a 2-D set lifted with z = 0, ref_z = 1. */
    sphere_points(&r, p, N, 2);
    for (size_t i = 0; i < N; i++) { q[3 * i] = p[2 * i]; q[3 * i + 1] = p[2 * i + 1]; q[3 * i + 2] = 0; }
    double a, b, ref3[3] = {1.1, 1.1, 1};
    CHECK_OK(hv_2d(p, N, ref, &a));
    CHECK_OK(hv_3d(q, N, ref3, &b));
    CHECK_REL(a, b, 1e-13);
}

/* HV of a 4-D set by slicing on the 4th objective with the 3-D sweep: the
 * points with w <= w_i (inside the box) span hv_3d over [w_i, w_{i+1}). */
static double hv4_by_3d_slices(const double *pts, size_t n, const double *ref)
{
    double *in = malloc(n * 4 * sizeof *in), *sl = malloc(n * 3 * sizeof *sl), *ws = malloc((n + 1) * sizeof *ws);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = pts + 4 * i;
        if (p[0] < ref[0] && p[1] < ref[1] && p[2] < ref[2] && p[3] < ref[3]) {
            memcpy(in + 4 * m, p, 4 * sizeof *p);
            ws[m++] = p[3];
        }
    }
    double sum = 0;
    for (size_t i = 0; i < m; i++) { /* slab above each distinct w */
        double w = ws[i], next = ref[3];
        int first = 1;
        for (size_t j = 0; j < m; j++) {
            if (ws[j] > w && ws[j] < next) next = ws[j];
            if (ws[j] == w && j < i) first = 0;
        }
        if (!first) continue;
        size_t k = 0;
        for (size_t j = 0; j < m; j++)
            if (in[4 * j + 3] <= w) { memcpy(sl + 3 * k, in + 4 * j, 3 * sizeof *sl); k++; }
        double v;
        CHECK_OK(hv_3d(sl, k, ref, &v));
        sum += v * (next - w);
    }
    free(in);
    free(sl);
    free(ws);
    return sum;
}

TEST(hv4d_matches_grid_count_and_3d_slices)
{
    /* HV4D+ on integer grids with ties, duplicates, weakly dominated points
     * and points on or past the reference boundary (coordinates -1..g+1):
     * exact against the cell count and the slices of the 3-D sweep. */
    hw_rng r;
    hw_rng_seed(&r, 16, 1);
    double pts[80 * 4];
    for (int g = 3; g <= 7; g += 2) {
        double ref[4] = {g, g, g, g};
        for (int rep = 0; rep < 40; rep++) {
            size_t n = 1 + hw_rng_below(&r, 80);
            for (size_t i = 0; i < n * 4; i++) pts[i] = (double)hw_rng_below(&r, (uint32_t)g + 3) - 1;
            /* the cell count wants coordinates >= 0: clamp a copy */
            double cl[80 * 4];
            for (size_t i = 0; i < n * 4; i++) cl[i] = pts[i] < 0 ? 0 : pts[i];
            double v, vc;
            CHECK_OK(hv_4d(cl, n, ref, &vc));
            CHECK_MSG(vc == grid_hv(cl, n, 4, g), "g=%d n=%zu: hv_4d %.17g grid %.17g", g, n, vc,
                      grid_hv(cl, n, 4, g));
            CHECK_OK(hv_4d(pts, n, ref, &v));
            double s = hv4_by_3d_slices(pts, n, ref);
            CHECK_MSG(v == s, "g=%d n=%zu: hv_4d %.17g slices %.17g", g, n, v, s);
        }
    }
    /* real-valued: a 400-point sphere front with rounded coordinates and a
     * copy of half of it (duplicates) */
    enum { N = 600 };
    static double p[N * 4];
    sphere_points(&r, p, 400, 4);
    for (size_t i = 0; i < 400 * 4; i++) p[i] = floor(p[i] * 64) / 64;
    memcpy(p + 400 * 4, p, 200 * 4 * sizeof *p);
    double ref[4] = {1.05, 1.1, 1.0, 1.2}, v;
    CHECK_OK(hv_4d(p, N, ref, &v));
    CHECK_REL(v, hv4_by_3d_slices(p, N, ref), 1e-13);
}

TEST(hv5d_matches_grid_count_larger_sets)
{
    /* WFG over HV4D+ limit sets in 5-D: up to 70 integer points with ties and
     * duplicates, exact against the cell count. */
    hw_rng r;
    hw_rng_seed(&r, 17, 1);
    double pts[70 * 5];
    double ref[5] = {5, 5, 5, 5, 5};
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 1 + hw_rng_below(&r, 70);
        random_grid_points(&r, pts, n, 5, 5);
        double v;
        CHECK_OK(hv_nd(pts, n, 5, ref, &v));
        CHECK_MSG(v == grid_hv(pts, n, 5, 5), "n=%zu: hv %.17g grid %.17g", n, v, grid_hv(pts, n, 5, 5));
    }
}

TEST(hv5d_few_levels_match_grid_count_and_4d_products)
{
    /* The 5-D level builds the part of each limit set at the point's own 4th
     * coordinate in one 3-D sweep: stress it with few distinct z and 4th
     * values (long runs of equal coordinates, duplicates), against the cell
     * count; and with all points on one 4th (or 5th) value, where the 5-D
     * volume is a 4-D volume from hv_4d times the remaining extent. */
    hw_rng r;
    hw_rng_seed(&r, 19, 1);
    enum { N = 160 };
    static double pts[N * 5], p4[N * 4];
    double ref[5] = {6, 6, 6, 6, 6};
    for (int rep = 0; rep < 12; rep++) {
        size_t n = 20 + hw_rng_below(&r, N - 20);
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 5; k++) {
                uint32_t g = (k == 2 || k == 3) ? 2 + (uint32_t)(rep % 3) : 7;
                pts[i * 5 + k] = (double)hw_rng_below(&r, g);
            }
        double v;
        CHECK_OK(hv_nd(pts, n, 5, ref, &v));
        double want = grid_hv(pts, n, 5, 6);
        CHECK_MSG(v == want, "rep %d n=%zu: hv %.17g grid %.17g", rep, n, v, want);
    }
    /* a 160-point 4-D sphere front lifted to 5-D with one shared value
     * inserted as objective 3 (every source below in the 4th objective) or
     * as objective 4 (one level of the outer sweep) */
    sphere_points(&r, p4, N, 4);
    double ref4[4] = {1.1, 1.1, 1.1, 1.1}, ref5[5] = {1.1, 1.1, 1.1, 1.1, 1.1}, v4;
    CHECK_OK(hv_4d(p4, N, ref4, &v4));
    for (int at = 3; at <= 4; at++) {
        static double q[N * 5];
        for (size_t i = 0; i < N; i++)
            for (int k = 0, c = 0; k < 5; k++) q[i * 5 + k] = k == at ? 0.25 : p4[i * 4 + c++];
        double v;
        CHECK_OK(hv_nd(q, N, 5, ref5, &v));
        CHECK_REL(v, v4 * (1.1 - 0.25), 1e-13);
    }
}

TEST(hv6d_matches_5d_slices)
{
    /* 6-D WFG hands limit sets of 32+ points to the batched 5-D level: a
     * 150-point 6-D sphere front on a 1/64 grid (integer coordinates, so
     * every volume is exact) against the sum over the slabs of the 6th
     * objective of the 5-D volume of the points at or below each slab. */
    hw_rng r;
    hw_rng_seed(&r, 20, 1);
    enum { N = 150 };
    static double p[N * 6], q[N * 5];
    sphere_points(&r, p, N, 6);
    for (size_t i = 0; i < N * 6; i++) p[i] = floor(p[i] * 64);
    double ref[6] = {65, 65, 65, 65, 65, 65}, v;
    CHECK_OK(hv_nd(p, N, 6, ref, &v));
    double slices = 0, z = -1;
    for (;;) { /* next 6th-objective level above z */
        double zn = ref[5];
        for (size_t i = 0; i < N; i++)
            if (p[i * 6 + 5] > z && p[i * 6 + 5] < zn) zn = p[i * 6 + 5];
        if (zn == ref[5]) break;
        double zt = ref[5];
        for (size_t i = 0; i < N; i++)
            if (p[i * 6 + 5] > zn && p[i * 6 + 5] < zt) zt = p[i * 6 + 5];
        size_t m = 0;
        for (size_t i = 0; i < N; i++)
            if (p[i * 6 + 5] <= zn) memcpy(q + 5 * m++, p + i * 6, 5 * sizeof *q);
        double v5;
        CHECK_OK(hv_nd(q, m, 5, ref, &v5));
        slices += v5 * (zt - zn);
        z = zn;
    }
    CHECK_MSG(v == slices, "hv %.17g slices %.17g", v, slices);
}

TEST(hv_permutation_invariant_bitwise)
{
    hw_rng r;
    hw_rng_seed(&r, 14, 1);
    enum { N = 400 };
    static double p[N * 5], q[N * 5];
    int perm[N];
    for (int d = 2; d <= 5; d++) {
        size_t n = d <= 3 ? N : 120;
        /* rounded coordinates: many ties and duplicates */
        for (size_t i = 0; i < n * (size_t)d; i++) p[i] = floor(hw_rng_uniform(&r) * 20) / 16;
        double ref[5] = {1.25, 1.25, 1.25, 1.25, 1.25};
        double v0 = hv_of(p, n, d, ref);
        for (int rep = 0; rep < 3; rep++) {
            for (int i = 0; i < (int)n; i++) perm[i] = i;
            hw_rng_shuffle_int(&r, perm, (int)n);
            for (size_t i = 0; i < n; i++) memcpy(q + i * d, p + (size_t)perm[i] * d, (size_t)d * sizeof *q);
            double v = hv_of(q, n, d, ref);
            CHECK_MSG(v == v0, "d=%d: %.17g vs %.17g after a permutation", d, v, v0);
        }
    }
}

TEST(hv_sphere_front_known_volumes)
{
    /* Dense sphere fronts approach the analytic volume: ref^d minus the
     * orthant of the ball; with 2000 points in 2-D the gap is < 1%. */
    hw_rng r;
    hw_rng_seed(&r, 15, 1);
    static double p[2000 * 2];
    sphere_points(&r, p, 2000, 2);
    double ref[2] = {1, 1}, v;
    CHECK_OK(hv_2d(p, 2000, ref, &v));
    double exact = 1 - M_PI / 4;
    CHECK(v <= exact && v > exact - 0.01);
    /* 3-D: 1 - (volume of the positive orthant of the unit ball) = 1 - pi/6;
     * 4-D: 1 - pi^2/32.  Finite samples stay below and close. */
    static double q[20000 * 4];
    double ref4[4] = {1, 1, 1, 1};
    sphere_points(&r, q, 20000, 3);
    CHECK_OK(hv_3d(q, 20000, ref4, &v));
    exact = 1 - M_PI / 6;
    CHECK_MSG(v <= exact && v > exact - 0.01, "3-D sphere: %.17g vs %.17g", v, exact);
    /* 4-D is sampled sparsely: check the bound and monotonicity (a superset
     * never has a smaller volume). */
    sphere_points(&r, q, 1500, 4);
    double half;
    CHECK_OK(hv_nd(q, 1500, 4, ref4, &v));
    CHECK_OK(hv_nd(q, 750, 4, ref4, &half));
    exact = 1 - M_PI * M_PI / 32;
    CHECK_MSG(half < v && v <= exact && v > exact - 0.1, "4-D sphere: %.17g, %.17g vs %.17g", half, v, exact);
}

/* ---- non-dominated filter ------------------------------------------------------ */

static void brute_nondominated(const double *p, size_t n, int d, unsigned char *keep)
{
    for (size_t i = 0; i < n; i++) {
        keep[i] = 1;
        for (size_t j = 0; j < n && keep[i]; j++) {
            if (j == i) continue;
            int le = 1, lt = 0, eq = 1;
            for (int k = 0; k < d; k++) {
                le &= p[j * d + k] <= p[i * d + k];
                lt |= p[j * d + k] < p[i * d + k];
                eq &= p[j * d + k] == p[i * d + k];
            }
            if ((le && lt) || (eq && j < i)) keep[i] = 0;
        }
    }
}

TEST(nondominated_matches_brute_force)
{
    hw_rng r;
    hw_rng_seed(&r, 16, 1);
    static double p[500 * 6];
    static unsigned char a[500], b[500];
    for (int d = 1; d <= 6; d++)
        for (int rep = 0; rep < 6; rep++) {
            size_t n = 1 + hw_rng_below(&r, 500);
            int g = 2 + (int)hw_rng_below(&r, 12);
            for (size_t i = 0; i < n * (size_t)d; i++) p[i] = (double)hw_rng_below(&r, (uint32_t)g);
            size_t kept = hw_nondominated(p, n, d, a);
            brute_nondominated(p, n, d, b);
            size_t nb = 0;
            for (size_t i = 0; i < n; i++) nb += b[i];
            CHECK_EQ_INT(kept, nb);
            CHECK(memcmp(a, b, n) == 0);
        }
}

TEST(nondominated_keeps_first_duplicate)
{
    double p[] = {1, 2, 0, 5, 1, 2, 1, 2, 2, 1};
    unsigned char keep[5];
    CHECK_EQ_INT(hw_nondominated(p, 5, 2, keep), 3);
    CHECK(keep[0] == 1 && keep[1] == 1 && keep[2] == 0 && keep[3] == 0 && keep[4] == 1);
    double q[] = {3, 3, 3, 1, 1, 1, 1, 1, 1};
    CHECK_EQ_INT(hw_nondominated(q, 3, 3, keep), 1);
    CHECK(keep[0] == 0 && keep[1] == 1 && keep[2] == 0);
}

/* ---- sorting ------------------------------------------------------------------- */

TEST(sort_points_lexicographic_any_size)
{
    hw_rng r;
    hw_rng_seed(&r, 17, 1);
    static double p[3000 * 3];
    static size_t order[3000];
    size_t sizes[] = {1, 7, 255, 256, 3000};
    for (int s = 0; s < 5; s++) {
        size_t n = sizes[s];
        for (size_t i = 0; i < n * 3; i++) p[i] = (double)hw_rng_below(&r, 7) - 3.0 + (i % 5 == 0 ? -0.0 : 0.0);
        for (int axis = 0; axis < 3; axis++) {
            CHECK_OK(hw_sort_points(p, n, 3, axis, order));
            for (size_t i = 1; i < n; i++) {
                size_t a = order[i - 1], b = order[i];
                int cmp = 0;
                for (int k = 0; k < 3 && !cmp; k++) {
                    int j = (axis + k) % 3;
                    cmp = (p[a * 3 + j] > p[b * 3 + j]) - (p[a * 3 + j] < p[b * 3 + j]);
                }
                CHECK_MSG(cmp < 0 || (cmp == 0 && a < b), "n=%zu axis=%d: out of order at %zu", n, axis, i);
            }
        }
    }
}

/* ---- IGD / IGD+ -------------------------------------------------------------------- */

TEST(igd_hand_computed)
{
    /* Reference front (0,1) (1,0); approximation (1,1).
     * IGD: each ref point is at distance 1 -> 1.
     * IGD+: d+((0,1),(1,1)) = sqrt(max(1-0,0)^2 + max(1-1,0)^2) = 1; same
     * for (1,0) -> 1.  Approximation (0.5, 0.5) instead: Euclidean
     * sqrt(0.5) each; IGD+ for z=(0,1): sqrt(0.5^2 + 0) = 0.5 -> 0.5. */
    double z[] = {0, 1, 1, 0}, a[] = {1, 1}, b[] = {0.5, 0.5};
    double igd, igdp;
    hw_err e;
    CHECK_OK(hw_igd(z, 2, a, 1, 2, &igd, &igdp, &e));
    CHECK(igd == 1.0 && igdp == 1.0);
    CHECK_OK(hw_igd(z, 2, b, 1, 2, &igd, &igdp, &e));
    CHECK_NEAR(igd, sqrt(0.5), 1e-16);
    CHECK(igdp == 0.5);
    /* Approximation better than the reference: IGD+ is 0, IGD is not. */
    double c[] = {0, 0};
    CHECK_OK(hw_igd(z, 2, c, 1, 2, &igd, &igdp, &e));
    CHECK(igd == 1.0 && igdp == 0.0);
    /* 3 ref points, 2 approx points, 3-D: distances 0, 0, and from (2,2,2)
     * to the nearest of (1,1,1) / (0,0,3): sqrt(3) vs sqrt(4+4+1)=3 ->
     * sqrt(3).  IGD = sqrt(3)/3; IGD+ for (2,2,2): both better except z of
     * (0,0,3): 1 -> min(0, 1) = 0 -> IGD+ = 0. */
    double z3[] = {1, 1, 1, 0, 0, 3, 2, 2, 2}, a3[] = {1, 1, 1, 0, 0, 3};
    CHECK_OK(hw_igd(z3, 3, a3, 2, 3, &igd, &igdp, &e));
    CHECK_NEAR(igd, sqrt(3.0) / 3, 1e-16);
    CHECK(igdp == 0.0);
}

TEST(igd_plus_bounded_by_igd_and_zero_on_itself)
{
    hw_rng r;
    hw_rng_seed(&r, 18, 1);
    static double z[200 * 4], a[150 * 4];
    hw_err e;
    for (int d = 2; d <= 4; d++) {
        sphere_points(&r, z, 200, d);
        for (size_t i = 0; i < 150 * (size_t)d; i++) a[i] = 1.3 * hw_rng_uniform(&r);
        double igd, igdp;
        CHECK_OK(hw_igd(z, 200, a, 150, d, &igd, &igdp, &e));
        CHECK(igdp <= igd && igdp >= 0 && igd > 0);
        CHECK_OK(hw_igd(z, 200, z, 200, d, &igd, &igdp, &e));
        CHECK(igd == 0.0 && igdp == 0.0);
    }
}

TEST(igd_rejects_empty_and_nonfinite)
{
    double z[] = {0, 1}, a[] = {NAN, 1}, igd, igdp;
    hw_err e;
    CHECK(hw_igd(z, 1, a, 0, 2, &igd, &igdp, &e) == HW_EINVAL);
    CHECK(hw_igd(z, 0, a, 1, 2, &igd, &igdp, &e) == HW_EINVAL);
    CHECK(hw_igd(z, 1, a, 1, 2, &igd, &igdp, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "not finite") != NULL);
}

TEST(igd_bit_identical_at_any_thread_count)
{
    /* 2000 x 1000 x 3 is above the size at which the loop runs in parallel. */
    hw_rng r;
    hw_rng_seed(&r, 19, 1);
    static double z[2000 * 3], a[1000 * 3];
    sphere_points(&r, z, 2000, 3);
    for (size_t i = 0; i < 1000 * 3; i++) a[i] = 1.2 * hw_rng_uniform(&r);
    hw_err e;
    double igd1, igdp1, igd4, igdp4;
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK_OK(hw_igd(z, 2000, a, 1000, 3, &igd1, &igdp1, &e));
    omp_set_num_threads(4);
    CHECK_OK(hw_igd(z, 2000, a, 1000, 3, &igd4, &igdp4, &e));
    omp_set_num_threads(saved);
    CHECK(igd1 == igd4 && igdp1 == igdp4);
    CHECK(igdp1 <= igd1);
}

TEST(igd_matches_direct_mean)
{
    /* Independent recomputation: plain nested loops, long double sums. */
    hw_rng r;
    hw_rng_seed(&r, 20, 1);
    static double z[300 * 5], a[200 * 5];
    for (int d = 1; d <= 5; d++) {
        for (size_t i = 0; i < 300 * (size_t)d; i++) z[i] = hw_rng_uniform(&r);
        for (size_t i = 0; i < 200 * (size_t)d; i++) a[i] = hw_rng_uniform(&r);
        long double se = 0, sp = 0;
        for (size_t i = 0; i < 300; i++) {
            long double be = INFINITY, bp = INFINITY;
            for (size_t j = 0; j < 200; j++) {
                long double e2 = 0, p2 = 0;
                for (int k = 0; k < d; k++) {
                    long double df = (long double)a[j * d + k] - z[i * d + k];
                    e2 += df * df;
                    p2 += df > 0 ? df * df : 0;
                }
                if (e2 < be) be = e2;
                if (p2 < bp) bp = p2;
            }
            se += sqrtl(be);
            sp += sqrtl(bp);
        }
        double igd, igdp;
        hw_err e;
        CHECK_OK(hw_igd(z, 300, a, 200, d, &igd, &igdp, &e));
        CHECK_REL(igd, (double)(se / 300), 1e-13);
        CHECK_REL(igdp, (double)(sp / 300), 1e-13);
    }
}

/* ---- point files ---------------------------------------------------------------- */

TEST(pointfile_reads_comments_crlf_and_names_bad_lines)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_indicators_points.txt", hwt_bin_dir());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("# f1 f2 f3\r\n\r\n  1 2.5\t3\r\n   # indented comment\n-1e-3 0 4e2\n", f);
    fclose(f);
    double *p = NULL;
    size_t n = 0;
    int d = 0;
    hw_err e;
    CHECK_OK(hw_read_points(path, 0, &p, &n, &d, &e));
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(d, 3);
    if (p && n == 2) CHECK(p[0] == 1 && p[1] == 2.5 && p[2] == 3 && p[3] == -1e-3 && p[4] == 0 && p[5] == 400);
    free(p);
    /* requiring 2 numbers: line 3 (the first point) has 3 */
    CHECK(hw_read_points(path, 2, &p, &n, &d, &e) == HW_EPARSE);
    CHECK(strstr(e.msg, "test_indicators_points.txt:3: expected 2 numbers, got 3") != NULL);
    CHECK(p == NULL && n == 0);
    f = fopen(path, "w");
    if (!f) return;
    fputs("1 2\n3 4x\n", f);
    fclose(f);
    CHECK(hw_read_points(path, 0, &p, &n, &d, &e) == HW_EPARSE);
    CHECK(strstr(e.msg, ":2: not a number: '4x'") != NULL);
    remove(path);
    CHECK(hw_read_points(path, 0, &p, &n, &d, &e) == HW_EIO);
}
