/* The Pareto archive (indicators/archive.h) against a brute-force
 * reference: the non-dominated points, the earliest of equal ones, in
 * insertion order, with their genomes and ids; batches and single inserts
 * give the same archive; removal keeps the order. */
#include "check.h"

#include "core/rng.h"
#include "indicators/archive.h"

#define NPTS 400
#define NVAR 3

/* Brute force: point i survives iff no point dominates it and no earlier
 * point equals it.  Writes the survivors' indices in order; returns count. */
static size_t reference(const double *f, size_t n, int d, size_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int gone = 0;
        for (size_t j = 0; j < n && !gone; j++) {
            if (j == i) continue;
            int le = 1, lt = 0, eq = 1;
            for (int o = 0; o < d; o++) {
                le &= f[j * d + o] <= f[i * d + o];
                lt |= f[j * d + o] < f[i * d + o];
                eq &= f[j * d + o] == f[i * d + o];
            }
            gone = (le && lt) || (eq && j < i);
        }
        if (!gone) out[k++] = i;
    }
    return k;
}

/* Points on a coarse grid (many ties and duplicates); genome i = (i, 2i, 3i). */
static void make_points(int d, uint64_t seed, double *f, double *x)
{
    hw_rng r;
    hw_rng_seed(&r, seed, 0);
    for (size_t i = 0; i < NPTS; i++) {
        double s = 0;
        for (int o = 0; o < d; o++) { f[i * d + o] = hw_rng_below(&r, 12); s += f[i * d + o]; }
        if (s < 8) f[i * d] += 8 - s; /* keep the front from collapsing to one point */
        for (int v = 0; v < NVAR; v++) x[i * NVAR + v] = (double)(i * (size_t)(v + 1));
    }
}

static void check_matches(const hw_pareto_archive *a, const double *f, const double *x, int d, const size_t *want,
                          size_t k, uint64_t id_base)
{
    CHECK_EQ_INT(a->size, k);
    if (a->size != k) return;
    for (size_t j = 0; j < k; j++) {
        CHECK(memcmp(a->f + j * d, f + want[j] * d, (size_t)d * sizeof(double)) == 0);
        CHECK(memcmp(a->x + j * NVAR, x + want[j] * NVAR, NVAR * sizeof(double)) == 0);
        CHECK(a->id[j] == id_base + want[j]);
    }
}

TEST(batches_and_single_inserts_match_brute_force)
{
    static double f[NPTS * 4], x[NPTS * NVAR];
    static size_t want[NPTS];
    static uint64_t ids[NPTS];
    for (int d = 2; d <= 4; d++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            make_points(d, seed + 10 * (uint64_t)d, f, x);
            size_t k = reference(f, NPTS, d, want);
            CHECK(k >= 2);
            for (size_t i = 0; i < NPTS; i++) ids[i] = 1000 + i;
            /* pieces of 1, 2, ..., 9 points with explicit ids */
            hw_pareto_archive a;
            CHECK_OK(hw_pareto_archive_init(&a, d, NVAR, NULL));
            size_t entered_total = 0;
            for (size_t i = 0, piece = 1; i < NPTS; i += piece, piece = piece % 9 + 1) {
                size_t n = NPTS - i < piece ? NPTS - i : piece, entered = 0;
                CHECK_OK(hw_pareto_archive_insert(&a, f + i * d, x + i * NVAR, ids + i, n, &entered, NULL));
                CHECK(entered <= n);
                entered_total += entered;
            }
            CHECK(entered_total >= k);
            check_matches(&a, f, x, d, want, k, 1000);
            hw_pareto_archive_free(&a);
            /* one by one, default ids (the insertion index) */
            CHECK_OK(hw_pareto_archive_init(&a, d, NVAR, NULL));
            for (size_t i = 0; i < NPTS; i++)
                CHECK_OK(hw_pareto_archive_insert(&a, f + i * d, x + i * NVAR, NULL, 1, NULL, NULL));
            check_matches(&a, f, x, d, want, k, 0);
            hw_pareto_archive_free(&a);
            /* all at once */
            CHECK_OK(hw_pareto_archive_init(&a, d, NVAR, NULL));
            CHECK_OK(hw_pareto_archive_insert(&a, f, x, NULL, NPTS, NULL, NULL));
            check_matches(&a, f, x, d, want, k, 0);
            hw_pareto_archive_free(&a);
        }
}

TEST(single_insert_rules_and_removal)
{
    hw_pareto_archive a;
    CHECK_OK(hw_pareto_archive_init(&a, 2, 0, NULL));
    const double p[][2] = {{3, 3}, {3, 3}, {1, 5}, {5, 1}, {2, 2}, {2, 2}, {6, 6}};
    const size_t want_entered[] = {1, 0, 1, 1, 1, 0, 0};
    for (int i = 0; i < 7; i++) {
        size_t entered = 9;
        CHECK_OK(hw_pareto_archive_insert(&a, p[i], NULL, NULL, 1, &entered, NULL));
        CHECK_EQ_INT(entered, want_entered[i]);
    }
    /* (3,3) evicted by (2,2); the first (2,2) stays (id 4); age order */
    CHECK_EQ_INT(a.size, 3);
    CHECK(a.id[0] == 2 && a.id[1] == 3 && a.id[2] == 4);
    CHECK(a.x == NULL);
    unsigned char drop[3] = {0, 1, 0};
    hw_pareto_archive_remove(&a, drop);
    CHECK_EQ_INT(a.size, 2);
    CHECK(a.id[0] == 2 && a.id[1] == 4);
    CHECK(a.f[2] == 2 && a.f[3] == 2);
    hw_pareto_archive_free(&a);
    hw_err e = {0};
    CHECK(hw_pareto_archive_init(&a, 0, 1, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "archive: 0 objectives") != NULL);
}
