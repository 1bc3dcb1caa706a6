/* tests/test_eaf.c — indicators/eaf.h: the exact 2-D attainment surfaces
 * against moocore's eaf on 24 random sets (expected values stored in
 * tests/data/eaf_expected/, made by scripts/make_eaf_expected.py) and against
 * a brute-force definition on random sets with many ties. */
#include "check.h"

#include <stdint.h>

#include "core/rng.h"
#include "indicators/eaf.h"

TEST(level_of_percentile_as_moocore)
{
    CHECK_EQ_INT(hw_eaf_level(0, 10), 1);
    CHECK_EQ_INT(hw_eaf_level(10, 10), 1);
    CHECK_EQ_INT(hw_eaf_level(10.5, 10), 2);
    CHECK_EQ_INT(hw_eaf_level(50, 10), 5);
    CHECK_EQ_INT(hw_eaf_level(100, 10), 10);
    CHECK_EQ_INT(hw_eaf_level(25, 7), 2);           /* 1.75 -> 2 */
    CHECK_EQ_INT(hw_eaf_level(100.0 / 3, 3), 1);    /* 1.0000000000000002 -> 1, as moocore */
    CHECK_EQ_INT(hw_eaf_level(33.34, 3), 2);
    CHECK_EQ_INT(hw_eaf_level(200.0 / 3, 3), 2);
    CHECK_EQ_INT(hw_eaf_level(66.67, 3), 3);
    CHECK_EQ_INT(hw_eaf_level(1e-9, 3), 1);
}

TEST(hand_computed_three_runs)
{
    /* runs: A = {(1,3)}, B = {(2,2)}, C = {(3,1)} */
    const double pts[] = {1, 3, 2, 2, 3, 1};
    const int run[] = {0, 1, 2}, levels[] = {1, 2, 3};
    hw_eaf_point *out;
    size_t n;
    hw_err e;
    CHECK_OK(hw_eaf2d(pts, run, 3, 3, levels, 3, &out, &n, &e));
    const double want[][3] = {{0, 1, 3}, {0, 2, 2}, {0, 3, 1}, {1, 2, 3}, {1, 3, 2}, {2, 3, 3}};
    CHECK_EQ_INT(n, 6);
    for (size_t i = 0; i < n && i < 6; i++) {
        CHECK_EQ_INT(out[i].level_index, (int)want[i][0]);
        CHECK(out[i].x == want[i][1] && out[i].y == want[i][2]);
    }
    free(out);
}

TEST(bad_input_is_refused)
{
    const double pts[] = {1, 3, NAN, 2};
    const int run[] = {0, 1}, bad_run[] = {0, 2}, lv[] = {1}, bad_lv[] = {3};
    hw_eaf_point *out;
    size_t n;
    hw_err e;
    CHECK(hw_eaf2d(pts, run, 2, 2, lv, 1, &out, &n, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "not finite") != NULL);
    CHECK(hw_eaf2d(pts, bad_run, 1, 2, lv, 1, &out, &n, &e) == HW_OK);   /* point 1 not read */
    CHECK(n == 1 && out[0].x == 1 && out[0].y == 3);
    free(out);
    CHECK(hw_eaf2d(pts, bad_run, 2, 2, lv, 1, &out, &n, &e) == HW_EINVAL);
    CHECK(hw_eaf2d(pts, run, 1, 2, bad_lv, 1, &out, &n, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "level 3") != NULL);
}

/* Brute force: the minimal points of {(x_i, y_j) : attained by >= k runs}. */
static size_t brute_surface(const double *pts, const int *run, size_t m, int n_runs, int k, double *out)
{
    size_t n = 0;
    double *cand = malloc(m * m * 2 * sizeof *cand);
    unsigned char *ok = calloc(m * m, 1);
    char *hit = malloc((size_t)n_runs);
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++) {
            double x = pts[2 * a], y = pts[2 * b + 1];
            memset(hit, 0, (size_t)n_runs);
            int cnt = 0;
            for (size_t i = 0; i < m; i++)
                if (pts[2 * i] <= x && pts[2 * i + 1] <= y && !hit[run[i]]) { hit[run[i]] = 1; cnt++; }
            cand[2 * (a * m + b)] = x;
            cand[2 * (a * m + b) + 1] = y;
            ok[a * m + b] = cnt >= k;
        }
    for (size_t c = 0; c < m * m; c++) {
        if (!ok[c]) continue;
        int minimal = 1, dup = 0;
        for (size_t d = 0; d < m * m && minimal; d++) {
            if (!ok[d] || d == c) continue;
            double *p = cand + 2 * d, *q = cand + 2 * c;
            if (p[0] <= q[0] && p[1] <= q[1] && (p[0] < q[0] || p[1] < q[1])) minimal = 0;
            if (p[0] == q[0] && p[1] == q[1] && d < c) dup = 1;
        }
        if (minimal && !dup) { out[2 * n] = cand[2 * c]; out[2 * n + 1] = cand[2 * c + 1]; n++; }
    }
    /* by increasing x */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[2 * (j - 1)] > out[2 * j]; j--) {
            double tx = out[2 * j], ty = out[2 * j + 1];
            out[2 * j] = out[2 * (j - 1)]; out[2 * j + 1] = out[2 * (j - 1) + 1];
            out[2 * (j - 1)] = tx; out[2 * (j - 1) + 1] = ty;
        }
    free(cand); free(ok); free(hit);
    return n;
}

TEST(equals_brute_force_on_random_sets_with_ties)
{
    hw_rng r;
    hw_rng_seed(&r, 11, 1);
    for (int t = 0; t < 200; t++) {
        int n_runs = 1 + (int)hw_rng_below(&r, 8);
        size_t m = 1 + hw_rng_below(&r, 30);
        int grid = t % 2 ? 5 : 0;
        double *pts = malloc(m * 2 * sizeof *pts), *want = malloc(m * m * 2 * sizeof *want);
        int *run = malloc(m * sizeof *run), *levels = malloc((size_t)n_runs * sizeof *levels);
        for (size_t i = 0; i < m; i++) {
            run[i] = (int)hw_rng_below(&r, (uint32_t)n_runs);
            pts[2 * i] = grid ? hw_rng_below(&r, grid) : hw_rng_uniform(&r);
            pts[2 * i + 1] = grid ? hw_rng_below(&r, grid) : hw_rng_uniform(&r);
        }
        for (int l = 0; l < n_runs; l++) levels[l] = n_runs - l;   /* any order */
        hw_eaf_point *out;
        size_t n;
        hw_err e;
        CHECK_OK(hw_eaf2d(pts, run, m, n_runs, levels, n_runs, &out, &n, &e));
        size_t at = 0;
        for (int l = 0; l < n_runs; l++) {
            size_t nw = brute_surface(pts, run, m, n_runs, levels[l], want);
            for (size_t j = 0; j < nw; j++, at++) {
                CHECK_MSG(at < n && out[at].level_index == l && out[at].x == want[2 * j] && out[at].y == want[2 * j + 1],
                          "set %d level %d corner %zu: want (%g, %g)", t, levels[l], j, want[2 * j], want[2 * j + 1]);
                if (at >= n) break;
            }
        }
        CHECK_EQ_INT(at, n);
        free(out); free(pts); free(want); free(run); free(levels);
    }
}

TEST(equals_moocore_on_stored_sets)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/eaf_expected/moocore_cases.txt", hwt_src_dir());
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f) return;
    char line[256];
    int cases = 0;
    CHECK(fgets(line, sizeof line, f) && line[0] == '#');
    int n_runs, np;
    size_t m;
    while (fscanf(f, " case %d %zu %d", &n_runs, &m, &np) == 3) {
        double pct[16];
        int levels[16];
        CHECK(np >= 1 && np <= 16);
        CHECK(fscanf(f, " pct") == 0);
        for (int k = 0; k < np; k++) {
            CHECK(fscanf(f, "%lf", &pct[k]) == 1);
            levels[k] = hw_eaf_level(pct[k], n_runs);
        }
        double *pts = malloc(m * 2 * sizeof *pts);
        int *run = malloc(m * sizeof *run);
        for (size_t i = 0; i < m; i++) CHECK(fscanf(f, "%d %lf %lf", &run[i], &pts[2 * i], &pts[2 * i + 1]) == 3);
        size_t want_n;
        CHECK(fscanf(f, " expect %zu", &want_n) == 1);
        hw_eaf_point *out;
        size_t n;
        hw_err e;
        CHECK_OK(hw_eaf2d(pts, run, m, n_runs, levels, np, &out, &n, &e));
        CHECK_MSG(n == want_n, "case %d: %zu corners, moocore has %zu", cases, n, want_n);
        for (size_t j = 0; j < want_n; j++) {
            double p, x, y;
            CHECK(fscanf(f, "%lf %lf %lf", &p, &x, &y) == 3);
            CHECK_MSG(j < n && pct[out[j].level_index] == p && out[j].x == x && out[j].y == y,
                      "case %d corner %zu: moocore (%g%%, %.17g, %.17g)", cases, j, p, x, y);
        }
        free(out); free(pts); free(run);
        cases++;
    }
    fclose(f);
    CHECK_EQ_INT(cases, 24);
}
