/* tests/test_trajectory.c — the incremental archive and hypervolume
 * trajectory (indicators/trajectory.h) against hand-computed values, a
 * brute-force O(n^2) non-dominated filter and a full hw_hypervolume
 * recomputation after every addition. */
#include <stdint.h>

#include "check.h"
#include "core/rng.h"
#include "indicators/indicators.h"
#include "indicators/trajectory.h"

/* ids of the points not weakly dominated by an earlier point and not
 * dominated by any point: the first of equal points stays. */
static size_t brute_front(const double *f, size_t n, int d, uint64_t *ids)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int keep = 1;
        for (size_t j = 0; j < n && keep; j++) {
            if (j == i) continue;
            int le = 1, lt = 0;
            for (int k = 0; k < d; k++) {
                le &= f[j * d + k] <= f[i * d + k];
                lt |= f[j * d + k] < f[i * d + k];
            }
            if (le && (lt || j < i)) keep = 0;
        }
        if (keep) ids[m++] = i;
    }
    return m;
}

TEST(staircase_by_hand)
{
    /* (1,3) (2,2) (3,1), a dominated (3.5,3.5), then (1.5,1.5) which removes
     * (2,2); ref (4,4): 3, 5, 6, 6, then strips 0.5 + 3.75 + 3 = 7.25 */
    const double f[] = {1, 3, 2, 2, 3, 1, 3.5, 3.5, 1.5, 1.5};
    const double ref[] = {4, 4}, want[] = {3, 5, 6, 6, 7.25};
    const int want_added[] = {1, 1, 1, 0, 1};
    hw_archive *a = NULL;
    CHECK_OK(hw_archive_create(2, ref, NULL, NULL, &a, NULL));
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(hw_archive_add(a, f + 2 * i, (uint64_t)i, NULL), want_added[i]);
        double hv = -1;
        CHECK_OK(hw_archive_hypervolume(a, &hv, NULL));
        CHECK_NEAR(hv, want[i], 1e-15);
    }
    uint64_t ids[5];
    CHECK_EQ_INT(hw_archive_size(a), 3);
    hw_archive_ids(a, ids);
    CHECK_EQ_INT(ids[0], 0);
    CHECK_EQ_INT(ids[1], 2);
    CHECK_EQ_INT(ids[2], 4);
    hw_archive_destroy(a);
}

TEST(normalised_like_the_runner)
{
    /* lo (0, 10), hi (2, 30): (1, 20) -> (0.5, 0.5); ref (1, 1): 0.25.
     * An equal point is rejected and keeps the first id. */
    const double lo[] = {0, 10}, hi[] = {2, 30}, ref[] = {1, 1}, p[] = {1, 20};
    hw_archive *a = NULL;
    CHECK_OK(hw_archive_create(2, ref, lo, hi, &a, NULL));
    CHECK_EQ_INT(hw_archive_add(a, p, 7, NULL), 1);
    CHECK_EQ_INT(hw_archive_add(a, p, 8, NULL), 0);
    double hv = 0;
    CHECK_OK(hw_archive_hypervolume(a, &hv, NULL));
    CHECK_NEAR(hv, 0.25, 1e-15);
    uint64_t id = 0;
    hw_archive_ids(a, &id);
    CHECK_EQ_INT(id, 7);
    hw_archive_destroy(a);
}

/* Random points on a coarse grid (ties and duplicates), some outside the
 * box: after every addition the archive equals the brute-force front of the
 * prefix and its hypervolume a full recomputation. */
static void random_prefixes(int d, size_t n, uint64_t seed)
{
    double *f = malloc(n * (size_t)d * sizeof *f), *nrm = malloc(n * (size_t)d * sizeof *nrm);
    uint64_t *ids = malloc(n * sizeof *ids), *got = malloc(n * sizeof *got);
    double lo[3] = {-1, 0, 5}, hi[3] = {3, 10, 6}, ref[3] = {1.0, 1.0, 1.0};
    hw_rng r;
    hw_rng_seed(&r, seed, 11);
    for (size_t i = 0; i < n * (size_t)d; i++) {
        int k = (int)(i % (size_t)d);
        double u = (double)(hw_rng_u32(&r) % 40) / 32.0; /* 0 .. 1.22: past ref sometimes */
        f[i] = lo[k] + u * (hi[k] - lo[k]);
    }
    /* a front-like set: x + y (+ z) near 1, so the archive grows */
    for (size_t i = 0; i < n / 2; i++) {
        double s = 0;
        for (int k = 0; k < d; k++) s += (f[i * d + k] - lo[k]) / (hi[k] - lo[k]);
        for (int k = 0; k < d; k++) f[i * d + k] = lo[k] + (f[i * d + k] - lo[k]) / (s > 0 ? s : 1);
    }
    hw_archive *a = NULL;
    CHECK_OK(hw_archive_create(d, ref, lo, hi, &a, NULL));
    for (size_t i = 0; i < n; i++) {
        CHECK(hw_archive_add(a, f + i * d, i, NULL) >= 0);
        size_t m = brute_front(f, i + 1, d, ids);
        CHECK_EQ_INT(hw_archive_size(a), m);
        hw_archive_ids(a, got);
        int same = 1;
        for (size_t j = 0; j < m && j < hw_archive_size(a); j++) same &= got[j] == ids[j];
        CHECK_MSG(same, "d=%d: archive after %zu points differs from the brute-force front", d, i + 1);
        for (size_t j = 0; j < m; j++)
            for (int k = 0; k < d; k++) nrm[j * d + k] = (f[ids[j] * d + k] - lo[k]) / (hi[k] - lo[k]);
        double want = 0, hv = 0, exact = 0;
        CHECK_OK(hw_hypervolume(nrm, m, d, ref, &want, NULL));
        CHECK_OK(hw_archive_hypervolume(a, &hv, NULL));
        CHECK_NEAR(hv, want, 1e-14 * (want > 1 ? want : 1));
        CHECK_OK(hw_archive_hypervolume_exact(a, &exact, NULL));
        CHECK(exact == want); /* same set -> bit-identical */
        if (hwt_failures()) break;
    }
    hw_archive_destroy(a);
    free(f); free(nrm); free(ids); free(got);
}

TEST(random_2d_against_brute_force) { random_prefixes(2, 600, 1); }

TEST(random_3d_against_brute_force) { random_prefixes(3, 300, 2); }

TEST(trajectory_rows_every_k)
{
    CHECK_EQ_INT(hw_trajectory_rows(10, 1), 10);
    CHECK_EQ_INT(hw_trajectory_rows(10, 3), 4);  /* 3 6 9 10 */
    CHECK_EQ_INT(hw_trajectory_rows(9, 3), 3);   /* 3 6 9 */
    CHECK_EQ_INT(hw_trajectory_rows(2, 5), 1);   /* 2 */
    const double f[] = {1, 3, 2, 2, 3, 1, 3.5, 3.5, 1.5, 1.5};
    const double ref[] = {4, 4};
    size_t k[2];
    double hv[2];
    CHECK_OK(hw_hv_trajectory(f, 5, 2, ref, NULL, NULL, 3, k, hv, NULL));
    CHECK_EQ_INT(k[0], 3);
    CHECK_EQ_INT(k[1], 5);
    CHECK_NEAR(hv[0], 6, 1e-15);
    CHECK_NEAR(hv[1], 7.25, 1e-15);
    CHECK(hw_hv_trajectory(f, 5, 2, ref, NULL, NULL, 0, k, hv, NULL) == HW_EINVAL);
}

TEST(front_ids_first_of_equals)
{
    /* 3-D: (1,1,1) twice, (0,2,2), (2,2,0.5), dominated (1,1,2) */
    const double f[] = {1, 1, 1, 0, 2, 2, 1, 1, 1, 2, 2, 0.5, 1, 1, 2};
    uint64_t ids[5];
    size_t m = 0;
    CHECK_OK(hw_front_ids(f, 5, 3, ids, &m, NULL));
    CHECK_EQ_INT(m, 3);
    CHECK_EQ_INT(ids[0], 0);
    CHECK_EQ_INT(ids[1], 1);
    CHECK_EQ_INT(ids[2], 3);
}
