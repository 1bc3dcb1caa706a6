/* tests/test_stats.c — indicators/stats.h against hand-computed values,
 * Demšar's (2006) worked Friedman/Nemenyi example and scipy 1.17's values
 * (tests/data/stats_expected/, made by scripts/make_stats_expected.py). */
#include "check.h"

#include <float.h>

#include "indicators/stats.h"

TEST(quantiles_and_ranks_by_hand)
{
    const double s[] = {1, 2, 3, 4};
    CHECK(hw_quantile_sorted(s, 4, 0.25) == 1.75);   /* numpy.quantile([1,2,3,4], .25) */
    CHECK(hw_quantile_sorted(s, 4, 0.5) == 2.5);
    CHECK(hw_quantile_sorted(s, 4, 1) == 4);
    CHECK(hw_quantile_sorted(s, 1, 0.3) == 1);
    const double v[] = {3, 1, 3, 2};
    double r[4];
    hw_rank_desc(v, 4, r);
    CHECK(r[0] == 1.5 && r[1] == 4 && r[2] == 1.5 && r[3] == 3);
}

/* Demšar (2006), section 3.2.2: four classifiers on 14 data sets with
 * average ranks 3.143, 2.000, 2.893, 1.964 give chi2_F = 9.28, F_F = 3.69,
 * and the Nemenyi CD at alpha 0.05 is 2.569 sqrt(4 * 5 / (6 * 14)) = 1.25.
 * The rows below are ranks (1 = best, ties averaged) with those column
 * sums; the scores are 10 - rank. */
TEST(friedman_nemenyi_demsar_example)
{
    const double rank[14][4] = {{3.5, 1, 3.5, 2}, {4, 2, 3, 1}, {4, 2.5, 2.5, 1}, {1.5, 1.5, 4, 3}, {3, 1, 4, 2},
                                {3.5, 2, 3.5, 1}, {3.5, 2, 1, 3.5}, {1, 4, 3, 2}, {4, 2, 3, 1}, {2, 1, 3.5, 3.5},
                                {2.5, 1, 4, 2.5}, {4, 2.5, 2.5, 1}, {3.5, 3.5, 2, 1}, {4, 2, 1, 3}};
    double score[14 * 4], avg[4];
    for (int i = 0; i < 14; i++)
        for (int j = 0; j < 4; j++) score[i * 4 + j] = 10 - rank[i][j];
    hw_friedman f;
    hw_err e;
    CHECK_OK(hw_friedman_test(score, 14, 4, avg, &f, &e));
    CHECK_NEAR(avg[0], 3.143, 5e-4);
    CHECK_NEAR(avg[1], 2.000, 5e-4);
    CHECK_NEAR(avg[2], 2.893, 5e-4);
    CHECK_NEAR(avg[3], 1.964, 5e-4);
    CHECK_NEAR(f.chi2, 9.28, 5e-3);
    CHECK_NEAR(f.f, 3.69, 5e-3);
    CHECK(f.df == 3 && f.df1 == 3 && f.df2 == 39);
    CHECK(f.p_f < 0.05 && f.p_f > 0.01);     /* F(3, 39) critical value at 0.05: 2.85 */
    double q;
    CHECK_OK(hw_nemenyi_q(4, 0.05, &q, &e));
    CHECK_NEAR(q, 2.569, 5e-4);
    CHECK_NEAR(q * sqrt(4 * 5 / (6.0 * 14)), 1.25, 5e-3);
    CHECK_OK(hw_nemenyi_q(10, 0.10, &q, &e));
    CHECK_NEAR(q, 2.920, 5e-4);   /* Demšar's table 5(b) */
}

TEST(friedman_all_alike_and_bad_input)
{
    const double score[] = {3, 2, 1, 3, 2, 1, 3, 2, 1};
    double avg[3];
    hw_friedman f;
    hw_err e;
    CHECK_OK(hw_friedman_test(score, 3, 3, avg, &f, &e));
    CHECK(avg[0] == 1 && avg[1] == 2 && avg[2] == 3);
    CHECK_NEAR(f.chi2, 6, 1e-12);    /* n (k - 1): the largest possible */
    CHECK(f.f == DBL_MAX && f.p_f == 0);
    CHECK(hw_friedman_test(score, 1, 3, avg, &f, &e) == HW_EINVAL);
    double q;
    CHECK(hw_nemenyi_q(1, 0.05, &q, &e) == HW_EINVAL);
    CHECK(hw_nemenyi_q(3, 1.5, &q, &e) == HW_EINVAL);
}

TEST(wilcoxon_and_holm_by_hand)
{
    /* d = 1, -2, 3, 4: W+ = 8, W- = 2; P(W+ <= 2) = 3/16 (sums 0, 1, 2) */
    const double a[] = {1, 0, 3, 4, 7}, b[] = {0, 2, 0, 0, 7};
    hw_wilcoxon w;
    hw_err e;
    CHECK_OK(hw_wilcoxon_test(a, b, 5, &w, &e));
    CHECK(w.n == 4 && w.w_plus == 8 && w.w_minus == 2 && w.exact);
    CHECK_NEAR(w.p, 0.375, 1e-15);
    CHECK_OK(hw_wilcoxon_test(a, a, 5, &w, &e));
    CHECK(w.n == 0 && w.p == 1);
    const double p[] = {0.01, 0.04, 0.03, 0.005};
    double adj[4];
    CHECK_OK(hw_holm(p, 4, adj, &e));
    CHECK_NEAR(adj[0], 0.03, 1e-15);
    CHECK_NEAR(adj[1], 0.06, 1e-15);
    CHECK_NEAR(adj[2], 0.06, 1e-15);
    CHECK_NEAR(adj[3], 0.02, 1e-15);
    const double big[] = {0.5, 0.9};
    CHECK_OK(hw_holm(big, 2, adj, &e));
    CHECK(adj[0] == 1 && adj[1] == 1);
}

static int read_doubles(FILE *f, double *v, int n)
{
    for (int i = 0; i < n; i++)
        if (fscanf(f, "%lf", &v[i]) != 1) return 0;
    return 1;
}

TEST(equals_scipy_on_stored_cases)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/stats_expected/scipy_cases.txt", hwt_src_dir());
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f) return;
    char kind[32], line[256];
    CHECK(fgets(line, sizeof line, f) && line[0] == '#');
    int counts[4] = {0};
    static double a[4096], b[4096];
    hw_err e;
    while (fscanf(f, "%31s", kind) == 1) {
        if (strcmp(kind, "wilcoxon") == 0) {
            int n;
            double wp, wm, p;
            CHECK(fscanf(f, "%d", &n) == 1 && n <= 4096);
            CHECK(read_doubles(f, a, n) && read_doubles(f, b, n) && fscanf(f, "%lf %lf %lf", &wp, &wm, &p) == 3);
            hw_wilcoxon w;
            CHECK_OK(hw_wilcoxon_test(a, b, n, &w, &e));
            CHECK_MSG(w.w_plus == wp && w.w_minus == wm, "wilcoxon n=%d: W+ %g W- %g, scipy %g %g", n, w.w_plus,
                      w.w_minus, wp, wm);
            CHECK_REL(w.p, p, w.exact ? 1e-12 : 1e-9);
            counts[0]++;
        } else if (strcmp(kind, "friedman") == 0) {
            int n, k;
            double chi2, p, avg[64];
            CHECK(fscanf(f, "%d %d", &n, &k) == 2 && n * k <= 4096 && k <= 64);
            CHECK(read_doubles(f, a, n * k) && fscanf(f, "%lf %lf", &chi2, &p) == 2);
            hw_friedman fr;
            CHECK_OK(hw_friedman_test(a, n, k, avg, &fr, &e));
            CHECK_REL(fr.chi2, chi2, 1e-12);
            CHECK_REL(fr.p, p, 1e-9);
            counts[1]++;
        } else if (strcmp(kind, "nemenyi") == 0) {
            int k;
            double alpha, q, got;
            CHECK(fscanf(f, "%d %lf %lf", &k, &alpha, &q) == 3);
            CHECK_OK(hw_nemenyi_q(k, alpha, &got, &e));
            CHECK_REL(got, q, 1e-7);
            counts[2]++;
        } else if (strcmp(kind, "iqm") == 0) {
            int n;
            double want, got;
            CHECK(fscanf(f, "%d", &n) == 1 && n <= 4096);
            CHECK(read_doubles(f, a, n) && fscanf(f, "%lf", &want) == 1);
            CHECK_OK(hw_iqm(a, (size_t)n, &got, &e));
            CHECK_REL(got, want, 1e-14);
            counts[3]++;
        } else {
            CHECK_MSG(0, "unknown line kind '%s'", kind);
            break;
        }
    }
    fclose(f);
    CHECK_EQ_INT(counts[0], 9);
    CHECK_EQ_INT(counts[1], 3);
    CHECK_EQ_INT(counts[2], 14);
    CHECK_EQ_INT(counts[3], 8);
}

TEST(iqm_by_hand_and_bootstrap_interval)
{
    const double x[] = {10, 1, 2, 3, 4, 5, 6, 7, 8, 9};   /* drops 1, 2 and 9, 10 */
    double iqm, lo, hi, lo2, hi2;
    hw_err e;
    CHECK_OK(hw_iqm(x, 10, &iqm, &e));
    CHECK(iqm == 5.5);
    CHECK(hw_iqm(x, 0, &iqm, &e) == HW_EINVAL);
    const size_t strata[] = {5, 5};
    CHECK_OK(hw_iqm_bootstrap(x, strata, 2, 2000, 0.05, 1, &lo, &hi, &e));
    CHECK(lo < iqm && iqm < hi && lo >= 1 && hi <= 10);
    CHECK_OK(hw_iqm_bootstrap(x, strata, 2, 2000, 0.05, 1, &lo2, &hi2, &e));
    CHECK(lo == lo2 && hi == hi2);                       /* deterministic for a seed */
    int differ = 0;                                      /* other seeds, other draws */
    for (uint64_t seed = 2; seed < 8; seed++) {
        CHECK_OK(hw_iqm_bootstrap(x, strata, 2, 2000, 0.05, seed, &lo2, &hi2, &e));
        differ += lo != lo2 || hi != hi2;
    }
    CHECK(differ > 0);
    CHECK_OK(hw_iqm_bootstrap(x, strata, 2, 2000, 0.5, 1, &lo2, &hi2, &e));
    CHECK(lo2 >= lo && hi2 <= hi && lo2 < hi2);          /* a 50 % interval lies inside the 95 % one */
    const double c[] = {3, 3, 3};
    const size_t one[] = {3};
    CHECK_OK(hw_iqm_bootstrap(c, one, 1, 100, 0.05, 1, &lo, &hi, &e));
    CHECK(lo == 3 && hi == 3);
    const size_t empty[] = {0};
    CHECK(hw_iqm_bootstrap(c, empty, 1, 100, 0.05, 1, &lo, &hi, &e) == HW_EINVAL);
}
