/* Pareto kernels of optimizers/pareto_rank.h against brute force and
 * hand-computed values. */
#include "check.h"

#include "core/rng.h"
#include "optimizers/pareto_rank.h"

/* Reference ranks by peeling: rank r = not dominated by any point still
 * unranked after ranks < r are removed. */
static void peel_ranks(const double *f, int n, int m, int *rank)
{
    for (int i = 0; i < n; i++) rank[i] = -1;
    for (int r = 0, left = n; left > 0; r++) {
        int now[256];
        for (int i = 0; i < n; i++) {
            now[i] = 0;
            if (rank[i] >= 0) continue;
            int dominated = 0;
            for (int j = 0; j < n && !dominated; j++) {
                if (j == i || rank[j] >= 0) continue;
                int le = 1, lt = 0;
                for (int o = 0; o < m; o++) { le &= f[j * m + o] <= f[i * m + o]; lt |= f[j * m + o] < f[i * m + o]; }
                dominated = le && lt;
            }
            now[i] = !dominated;
        }
        for (int i = 0; i < n; i++) if (now[i]) { rank[i] = r; left--; }
    }
}

TEST(ranks_match_peeling)
{
    hw_rng r;
    hw_rng_seed(&r, 11, 1);
    for (int trial = 0; trial < 40; trial++) {
        int m = 1 + trial % 4, n = 1 + (int)hw_rng_below(&r, 120);
        double f[120 * 4];
        /* Small integer values: many ties and duplicates. */
        for (int i = 0; i < n * m; i++) f[i] = (double)hw_rng_below(&r, 6);
        int got[120], want[120];
        CHECK_OK(hw_pareto_ranks(f, (size_t)n, m, got));
        peel_ranks(f, n, m, want);
        for (int i = 0; i < n; i++) CHECK_EQ_INT(got[i], want[i]);
    }
}

TEST(dominance_definitions)
{
    double a[2] = {1, 2}, b[2] = {1, 3}, c[2] = {0, 4};
    CHECK(hw_pareto_dominates(a, b, 2));
    CHECK(!hw_pareto_dominates(b, a, 2));
    CHECK(!hw_pareto_dominates(a, a, 2));
    CHECK(hw_pareto_weakly_dominates(a, a, 2));
    CHECK(!hw_pareto_dominates(a, c, 2) && !hw_pareto_dominates(c, a, 2));
    CHECK(!hw_pareto_weakly_dominates(a, c, 2));
}

TEST(crowding_hand_computed)
{
    /* Front (0,4) (1,2) (2,1) (4,0): ranges 4 and 4.
     * (1,2): (2-0)/4 + (4-1)/4 = 1.25; (2,1): (4-1)/4 + (2-0)/4 = 1.25. */
    double f[] = {2, 1, 0, 4, 4, 0, 1, 2, 9, 9};
    size_t idx[] = {0, 1, 2, 3};
    double cd[4];
    CHECK_OK(hw_crowding_distance(f, 2, idx, 4, cd));
    CHECK_NEAR(cd[0], 1.25, 1e-15);
    CHECK(isinf(cd[1]) && isinf(cd[2]));
    CHECK_NEAR(cd[3], 1.25, 1e-15);
    /* Uneven gaps: (0,3) (1,2) (3,1) (4,0): (1,2) gets 3/4 + 2/3. */
    double g[] = {0, 3, 1, 2, 3, 1, 4, 0};
    size_t id2[] = {0, 1, 2, 3};
    CHECK_OK(hw_crowding_distance(g, 2, id2, 4, cd));
    CHECK_NEAR(cd[1], 3.0 / 4 + 2.0 / 3, 1e-15);
    CHECK_NEAR(cd[2], 3.0 / 4 + 2.0 / 3, 1e-15);
    /* Two points: both infinite. */
    CHECK_OK(hw_crowding_distance(g, 2, id2, 2, cd));
    CHECK(isinf(cd[0]) && isinf(cd[1]));
}

static double hv2_brute(const double *pts, int n, const double *ref, int skip)
{
    /* Area by a sweep over all distinct x breakpoints: O(n^2). */
    double xs[64];
    int nx = 0;
    for (int i = 0; i < n; i++) if (i != skip) xs[nx++] = pts[2 * i];
    xs[nx++] = ref[0];
    double area = 0;
    for (int a = 0; a < nx; a++) {
        double x0 = xs[a], x1 = ref[0];
        for (int b = 0; b < nx; b++) if (xs[b] > x0 && xs[b] < x1) x1 = xs[b];
        double ymin = ref[1];
        for (int i = 0; i < n; i++)
            if (i != skip && pts[2 * i] <= x0 && pts[2 * i + 1] < ymin) ymin = pts[2 * i + 1];
        if (x1 > x0 && ymin < ref[1]) area += (x1 - x0) * (ref[1] - ymin);
        /* Equal breakpoints would double count; they are skipped below. */
        for (int b = a + 1; b < nx; b++) if (xs[b] == x0) xs[b] = ref[0];
    }
    return area;
}

TEST(hv_contributions_match_brute_force)
{
    hw_rng r;
    hw_rng_seed(&r, 5, 1);
    for (int trial = 0; trial < 30; trial++) {
        int n = 1 + (int)hw_rng_below(&r, 20);
        double pts[40];
        /* A non-dominated set: x ascending, y descending (some points past the
         * reference point in one objective, some duplicates). */
        for (int i = 0; i < n; i++) {
            pts[2 * i] = i == 0 ? hw_rng_uniform(&r) * 0.2 : pts[2 * i - 2] + (hw_rng_below(&r, 4) ? hw_rng_uniform(&r) * 0.15 : 0);
            pts[2 * i + 1] = i == 0 ? 0.8 + hw_rng_uniform(&r) * 0.5 : pts[2 * i - 1] - (pts[2 * i] > pts[2 * i - 2] ? hw_rng_uniform(&r) * 0.15 : 0);
        }
        double ref[2] = {1.1, 1.1}, c[20];
        /* Shuffled index order must not matter. */
        size_t idx[20];
        for (int i = 0; i < n; i++) idx[i] = (size_t)i;
        hw_rng_shuffle_size(&r, idx, (size_t)n);
        CHECK_OK(hw_hv_contributions_2d(pts, idx, (size_t)n, ref, c));
        double all = hv2_brute(pts, n, ref, -1);
        for (int j = 0; j < n; j++) {
            int i = (int)idx[j];
            double without = hv2_brute(pts, n, ref, i);
            /* A duplicate's removal loses nothing: its twin still covers it. */
            CHECK_NEAR(c[j], all - without, 1e-12);
        }
    }
}
