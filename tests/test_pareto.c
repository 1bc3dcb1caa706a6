/* Pareto kernels of optimizers/pareto.h against brute force and
 * hand-computed values. */
#include "check.h"

#include "core/rng.h"
#include "indicators/indicators.h"
#include "optimizers/pareto.h"

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
        int idx[20];
        for (int i = 0; i < n; i++) idx[i] = i;
        hw_rng_shuffle_int(&r, idx, n);
        CHECK_OK(hw_hv_contributions_2d(pts, idx, (size_t)n, ref, c));
        double all = hv2_brute(pts, n, ref, -1);
        for (int j = 0; j < n; j++) {
            int i = idx[j];
            double without = hv2_brute(pts, n, ref, i);
            /* A duplicate's removal loses nothing: its twin still covers it. */
            CHECK_NEAR(c[j], all - without, 1e-12);
        }
    }
}
