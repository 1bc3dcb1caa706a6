/* ZDT and DTLZ test problems and the problem factory, against hand-computed
 * values, the front equations, the published ZDT3 / DTLZ7 piece boundaries
 * and numerical integration of the hypervolume. */
#include "check.h"

#include "benchmark/hwgpt.h"
#include "benchmark/problem.h"
#include "benchmark/testproblems.h"
#include "core/json.h"
#include "core/rng.h"
#include "optimizers/mutate_one.h"

#define PI 3.14159265358979323846

static hw_problem *make(const char *json)
{
    cJSON *c = NULL;
    hw_err e = {0};
    if (hwj_parse(json, "test", &c, &e)) { hwt_fail_at(__FILE__, __LINE__, "%s", e.msg); return NULL; }
    hw_problem *p = NULL;
    int rc = hw_problem_create(c, "problem", &p, &e);
    if (rc) hwt_fail_at(__FILE__, __LINE__, "%s: %s", json, e.msg);
    cJSON_Delete(c);
    return p;
}

/* The factory's error message for a config, or "" if it succeeded. */
static void make_err(const char *json, char *msg, size_t n)
{
    cJSON *c = NULL;
    hw_err e = {0};
    hwj_parse(json, "test", &c, &e);
    hw_problem *p = NULL;
    int rc = hw_problem_create(c, "problem", &p, &e);
    snprintf(msg, n, "%s", rc ? e.msg : "");
    hw_problem_destroy(p);
    cJSON_Delete(c);
}

static void eval1(hw_problem *p, const double *x, double *f)
{
    hw_eval_id id = {0, 0};
    double sd[HW_MAX_OBJ];
    hw_err e = {0};
    CHECK_OK(p->evaluate(p, x, &id, 1, f, sd, &e));
    for (int j = 0; j < p->n_obj; j++) CHECK(sd[j] == 0.0);
}

static int dominates(const double *a, const double *b, int m)
{
    int strict = 0;
    for (int i = 0; i < m; i++) {
        if (a[i] > b[i]) return 0;
        if (a[i] < b[i]) strict = 1;
    }
    return strict;
}

TEST(zdt_known_points)
{
    double x[30] = {0.25}, f[2];
    hw_problem *p = make("{\"name\": \"zdt1\"}");
    CHECK_EQ_INT(p->n_var, 30);
    eval1(p, x, f);
    CHECK_NEAR(f[0], 0.25, 0);
    CHECK_NEAR(f[1], 0.5, 1e-15);
    for (int i = 1; i < 30; i++) x[i] = 1.0;  /* g = 10 */
    eval1(p, x, f);
    CHECK_NEAR(f[1], 10.0 * (1.0 - sqrt(0.025)), 1e-13);
    hw_problem_destroy(p);

    double y[30] = {0.25};
    p = make("{\"name\": \"zdt2\"}");
    eval1(p, y, f);
    CHECK_NEAR(f[1], 0.9375, 1e-15);
    hw_problem_destroy(p);
    p = make("{\"name\": \"zdt3\"}");
    eval1(p, y, f);   /* 1 - 0.5 - 0.25 sin(2.5 pi) = 0.25 */
    CHECK_NEAR(f[1], 0.25, 1e-15);
    hw_problem_destroy(p);

    p = make("{\"name\": \"zdt4\"}");   /* x2..x10 = 0: g = 1 + 90 - 90 = 1 */
    CHECK_EQ_INT(p->n_var, 10);
    CHECK(p->vars[0].lo == 0.0 && p->vars[0].hi == 1.0);
    CHECK(p->vars[5].lo == -5.0 && p->vars[5].hi == 5.0);
    eval1(p, y, f);
    CHECK_NEAR(f[0], 0.25, 0);
    CHECK_NEAR(f[1], 0.5, 1e-13);
    /* x2 = 0.5: 0.25 - 10 cos(2 pi) = -9.75, x3..x10 = 0: -10 each, g = 1 + 90 - 89.75 */
    double z[10] = {0.25, 0.5, 0, 0, 0, 0, 0, 0, 0, 0};
    eval1(p, z, f);
    CHECK_NEAR(f[1], 1.25 * (1.0 - sqrt(0.25 / 1.25)), 1e-12);
    hw_problem_destroy(p);

    p = make("{\"name\": \"zdt6\", \"n_var\": 4}");
    double w[4] = {1.0 / 12.0, 0, 0, 0};   /* sin(pi/2) = 1 */
    eval1(p, w, f);
    double f1 = 1.0 - exp(-1.0 / 3.0);
    CHECK_NEAR(f[0], f1, 1e-15);
    CHECK_NEAR(f[1], 1.0 - f1 * f1, 1e-15);
    double v[4] = {0.0, 1, 1, 1};   /* g = 1 + 9 = 10, f1 = 1 */
    eval1(p, v, f);
    CHECK_NEAR(f[0], 1.0, 0);
    CHECK_NEAR(f[1], 10.0 * (1.0 - 0.01), 1e-13);
    hw_problem_destroy(p);
}

TEST(dtlz_known_points)
{
    hw_problem *p = make("{\"name\": \"dtlz1\"}");
    CHECK_EQ_INT(p->n_obj, 3);
    CHECK_EQ_INT(p->n_var, 7);
    double x[7] = {0.2, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5}, f[HW_MAX_OBJ];
    eval1(p, x, f);   /* g = 0 */
    CHECK_NEAR(f[0], 0.06, 1e-15);
    CHECK_NEAR(f[1], 0.04, 1e-15);
    CHECK_NEAR(f[2], 0.4, 1e-15);
    x[6] = 0.0;       /* g = 100 (5 - 4 + 0.25 - cos(-10 pi)) = 25 */
    eval1(p, x, f);
    CHECK_NEAR(f[2], 0.4 * 26.0, 1e-12);
    hw_problem_destroy(p);

    p = make("{\"name\": \"dtlz2\"}");
    CHECK_EQ_INT(p->n_var, 12);
    double y[12];
    for (int i = 0; i < 12; i++) y[i] = 0.5;
    eval1(p, y, f);
    CHECK_NEAR(f[0], 0.5, 1e-15);
    CHECK_NEAR(f[1], 0.5, 1e-15);
    CHECK_NEAR(f[2], sqrt(0.5), 1e-15);
    for (int i = 2; i < 12; i++) y[i] = 1.0;   /* g = 10 * 0.25 */
    eval1(p, y, f);
    CHECK_NEAR(sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]), 3.5, 1e-14);
    hw_problem_destroy(p);

    p = make("{\"name\": \"dtlz4\"}");
    double u[12] = {1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    eval1(p, u, f);   /* angles pi/2: all weight on f3 */
    CHECK_NEAR(f[2], 1.0, 1e-15);
    CHECK_NEAR(f[0], 0.0, 1e-15);
    u[0] = 0.5; u[1] = 0.5;   /* 0.5^100 ~ 0: all weight on f1 */
    eval1(p, u, f);
    CHECK_NEAR(f[0], 1.0, 1e-15);
    CHECK_NEAR(f[2], 0.0, 1e-15);
    hw_problem_destroy(p);

    p = make("{\"name\": \"dtlz7\", \"n_obj\": 2}");
    CHECK_EQ_INT(p->n_var, 21);
    double t[21] = {0.5};
    eval1(p, t, f);   /* g = 1, h = 2 - 0.25 (1 + sin(1.5 pi)) = 2 */
    CHECK_NEAR(f[0], 0.5, 0);
    CHECK_NEAR(f[1], 4.0, 1e-15);
    t[0] = 1.0 / 6.0;  /* h = 2 - (1/12) 2 */
    eval1(p, t, f);
    CHECK_NEAR(f[1], 2.0 * (2.0 - 1.0 / 6.0), 1e-14);
    for (int i = 1; i < 21; i++) t[i] = 1.0;   /* g = 10 */
    t[0] = 0.5;
    eval1(p, t, f);
    CHECK_NEAR(f[1], 22.0, 1e-13);
    hw_problem_destroy(p);

    p = make("{\"name\": \"dtlz6\", \"n_obj\": 3, \"n_var\": 5}");
    double s[5] = {0.0, 0.3, 1.0, 1.0, 1.0};   /* g = 3: theta2 = pi/16 (1 + 6 * 0.3) */
    eval1(p, s, f);
    CHECK_NEAR(f[0], 4.0 * cos(PI / 16.0 * 2.8), 1e-14);
    CHECK_NEAR(f[1], 4.0 * sin(PI / 16.0 * 2.8), 1e-14);
    CHECK_NEAR(f[2], 0.0, 1e-15);
    hw_problem_destroy(p);
}

/* With the distance variables at their optimum, every DTLZ1 point sums to 0.5
 * and every DTLZ2-6 point lies on the unit sphere. */
TEST(dtlz_optimal_distance_on_front)
{
    hw_rng r;
    hw_rng_seed(&r, 7, 0);
    for (int which = 1; which <= 6; which++) {
        for (int m = 2; m <= 6; m += 2) {
            hw_problem *p = NULL;
            hw_err e = {0};
            CHECK_OK(hw_dtlz_create(which, m + 4, m, &p, &e));
            double x[32], f[HW_MAX_OBJ];
            for (int rep = 0; rep < 50; rep++) {
                for (int i = 0; i < m - 1; i++) x[i] = hw_rng_uniform(&r);
                for (int i = m - 1; i < m + 4; i++) x[i] = which == 6 ? 0.0 : 0.5;
                eval1(p, x, f);
                double s = 0.0, q = 0.0;
                for (int i = 0; i < m; i++) { s += f[i]; q += f[i] * f[i]; CHECK(f[i] >= -1e-15); }
                if (which == 1) CHECK_NEAR(s, 0.5, 1e-14);
                else CHECK_NEAR(sqrt(q), 1.0, 1e-14);
            }
            hw_problem_destroy(p);
        }
    }
}

TEST(zdt_true_fronts_on_front)
{
    const int kinds[] = {1, 2, 3, 4, 6};
    double f1min = hw_zdt6_f1_min();
    CHECK_NEAR(f1min, 0.2807753188, 1e-10);
    for (int k = 0; k < 5; k++) {
        hw_problem *p = NULL;
        hw_err e = {0};
        CHECK_OK(hw_zdt_create(kinds[k], 10, &p, &e));
        double *pts = NULL;
        size_t n = 0;
        CHECK_OK(p->true_front(p, 500, &pts, &n, &e));
        CHECK_EQ_INT(n, 500);
        for (size_t i = 0; i < n; i++) {
            double x[10] = {pts[2 * i]}, f[2];
            if (kinds[k] == HW_ZDT6) {
                CHECK(pts[2 * i] >= f1min && pts[2 * i] <= 1.0);
                CHECK_NEAR(pts[2 * i + 1], 1.0 - pts[2 * i] * pts[2 * i], 1e-15);
                continue;
            }
            eval1(p, x, f);   /* re-evaluate the optimal decision vector */
            CHECK_NEAR(f[0], pts[2 * i], 0);
            CHECK_NEAR(f[1], pts[2 * i + 1], 1e-15);
        }
        CHECK_NEAR(pts[2 * (n - 1)], 1.0 * (kinds[k] != HW_ZDT3) + 0.8518328654 * (kinds[k] == HW_ZDT3), 1e-9);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) CHECK(!dominates(pts + 2 * j, pts + 2 * i, 2));
        free(pts);
        hw_problem_destroy(p);
    }
}

/* The ZDT3 and DTLZ7 pieces against the values published with the problems
 * (ZDT3: Zitzler et al. 2000 / the jMetal and pymoo reference fronts;
 * DTLZ7: Deb et al. 2005). */
TEST(disconnected_pieces)
{
    double lo[16], hi[16];
    int n = hw_zdt3_pieces(lo, hi, 16);
    const double zlo[] = {0.0, 0.1822287280, 0.4093136748, 0.6183967944, 0.8233317983};
    const double zhi[] = {0.0830015349, 0.2577623634, 0.4538821041, 0.6525117038, 0.8518328654};
    CHECK_EQ_INT(n, 5);
    for (int i = 0; i < 5 && i < n; i++) {
        CHECK_NEAR(lo[i], zlo[i], 1e-9);
        CHECK_NEAR(hi[i], zhi[i], 1e-9);
    }
    n = hw_dtlz7_pieces(lo, hi, 16);
    CHECK_EQ_INT(n, 2);
    CHECK_NEAR(lo[0], 0.0, 0);
    CHECK_NEAR(hi[0], 0.2514, 1e-4);
    CHECK_NEAR(lo[1], 0.6316, 1e-4);
    CHECK_NEAR(hi[1], 0.8594, 1e-4);
    /* brute force: on a fine grid of the g = 1 front curve, a point is
     * non-dominated iff its f2 is below every f2 to its left (running
     * minimum); it must then lie in a piece, and off the pieces otherwise */
    int nz = hw_zdt3_pieces(lo, hi, 16), in_front = 0, agree = 0, total = 0;
    double best = INFINITY;
    for (int i = 0; i <= 200000; i++) {
        double t = i / 200000.0, f2 = 1.0 - sqrt(t) - t * sin(10.0 * PI * t);
        int nd = f2 < best;
        if (nd) best = f2;
        /* the grid misses the exact piece ends: judge only points clear of them */
        int inside = 0, near_end = 0;
        for (int k = 0; k < nz; k++) {
            if (t >= lo[k] && t <= hi[k]) inside = 1;
            if (fabs(t - lo[k]) < 1e-4 || fabs(t - hi[k]) < 1e-4) near_end = 1;
        }
        if (near_end) continue;
        in_front += nd;
        agree += inside == nd;
        total++;
    }
    CHECK_EQ_INT(agree, total);
    CHECK(in_front > 10000 && total > 199000);
}

TEST(dtlz_true_fronts_on_front)
{
    for (int which = 1; which <= 7; which++) {
        for (int m = 2; m <= 5; m++) {
            hw_problem *p = NULL;
            hw_err e = {0};
            CHECK_OK(hw_dtlz_create(which, hw_dtlz_default_n_var(which, m), m, &p, &e));
            double *pts = NULL;
            size_t n = 0;
            CHECK_OK(p->true_front(p, 300, &pts, &n, &e));
            CHECK(n <= 300 && n >= 20);
            for (size_t i = 0; i < n; i++) {
                const double *f = pts + i * m;
                double s = 0.0, q = 0.0;
                for (int j = 0; j < m; j++) { s += f[j]; q += f[j] * f[j]; }
                if (which == 1) CHECK_NEAR(s, 0.5, 1e-14);
                else if (which <= 6) CHECK_NEAR(sqrt(q), 1.0, 1e-14);
                if (which == 5 || which == 6 || which == 7) {
                    /* re-evaluate the decision vector that produced it */
                    double x[64], g[HW_MAX_OBJ];
                    for (int j = 0; j < p->n_var; j++) x[j] = which == 5 ? 0.5 : 0.0;
                    if (which == 7) for (int j = 0; j < m - 1; j++) x[j] = f[j];
                    else x[0] = atan2(f[m - 1], sqrt(q - f[m - 1] * f[m - 1])) / (0.5 * PI);
                    eval1(p, x, g);
                    for (int j = 0; j < m; j++) CHECK_NEAR(g[j], f[j], 1e-12);
                }
                for (size_t k = 0; k < n; k++) CHECK(!dominates(pts + k * m, f, m));
            }
            if (which <= 4 && m == 3) CHECK_EQ_INT(n, 300);  /* H = 23: C(25, 2) = 300 */
            if (which <= 4 && m == 4) CHECK_EQ_INT(n, 286);  /* H = 10: C(13, 3) = 286 */
            if (which == 7 && m == 3) CHECK_EQ_INT(n, 289);  /* 17 x 17 */
            free(pts);
            hw_problem_destroy(p);
        }
    }
}

/* Closed-form hypervolumes against an independent computation: the HV of a
 * dense true front (2-D staircase, converges from below as O(1/n)) and
 * midpoint-rule integration of the dominated volume (3-D). */
TEST(true_front_hv_closed_forms)
{
    const int kinds[] = {1, 2, 4, 6};
    const double refs[][2] = {{1.1, 1.1}, {1.1, 0.5}, {0.7, 1.1}, {2.0, 3.0}, {0.3, 0.2}};
    for (int k = 0; k < 4; k++) {
        hw_problem *p = NULL;
        hw_err e = {0};
        CHECK_OK(hw_zdt_create(kinds[k], 10, &p, &e));
        double *pts = NULL;
        size_t n = 0;
        CHECK_OK(p->true_front(p, 200001, &pts, &n, &e));
        for (int r = 0; r < 5; r++) {
            /* staircase HV: the front is sorted by f1 with f2 decreasing */
            double hv = 0.0;
            for (size_t i = 0; i < n; i++) {
                double x0 = pts[2 * i], y = pts[2 * i + 1];
                double x1 = i + 1 < n ? pts[2 * (i + 1)] : refs[r][0];
                x1 = fmin(x1, refs[r][0]);
                if (x0 < refs[r][0] && y < refs[r][1]) hv += (x1 - x0) * (refs[r][1] - y);
            }
            double exact = p->true_front_hv(p, refs[r]);
            CHECK_NEAR(exact, hv, 2e-5);
        }
        free(pts);
        double r0[2] = {1.1, 1.1};
        if (kinds[k] == 1 || kinds[k] == 4) CHECK_NEAR(p->true_front_hv(p, r0), 1.21 - 1.0 / 3.0, 1e-15);
        if (kinds[k] == 2) CHECK_NEAR(p->true_front_hv(p, r0), 1.21 - 2.0 / 3.0, 1e-15);
        hw_problem_destroy(p);
    }
    /* no closed form */
    hw_problem *p = NULL;
    hw_err e = {0};
    double r3[3] = {1.1, 1.1, 1.1};
    CHECK_OK(hw_zdt_create(3, 10, &p, &e));
    CHECK(p->true_front_hv(p, r3) < 0);
    hw_problem_destroy(p);
    for (int w = 5; w <= 7; w++) {
        CHECK_OK(hw_dtlz_create(w, 12, 3, &p, &e));
        CHECK(p->true_front_hv(p, r3) < 0);
        hw_problem_destroy(p);
    }

    /* DTLZ1 and DTLZ2 with three objectives: integrate the height of the
     * dominated region over (y1, y2) in [0, r1] x [0, r2] */
    const double rr[3] = {1.1, 1.2, 1.3};
    for (int w = 1; w <= 2; w++) {
        CHECK_OK(hw_dtlz_create(w, 12, 3, &p, &e));
        int N = 1500;
        double hx = rr[0] / N, hy = rr[1] / N, vol = 0.0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double y1 = (i + 0.5) * hx, y2 = (j + 0.5) * hy, low;
                if (w == 1) low = fmax(0.0, 0.5 - y1 - y2);
                else low = sqrt(fmax(0.0, 1.0 - y1 * y1 - y2 * y2));
                vol += (rr[2] - low) * hx * hy;
            }
        CHECK_NEAR(p->true_front_hv(p, rr), vol, 1e-5);
        hw_problem_destroy(p);
    }
    /* hand values: 2-D quarter disc, 4-D orthant of the unit ball pi^2/32 */
    double r2[2] = {1.1, 1.1}, r4[4] = {1.1, 1.1, 1.1, 1.1};
    CHECK_OK(hw_dtlz_create(2, 11, 2, &p, &e));
    CHECK_NEAR(p->true_front_hv(p, r2), 1.21 - PI / 4.0, 1e-15);
    hw_problem_destroy(p);
    CHECK_OK(hw_dtlz_create(3, 13, 4, &p, &e));
    CHECK_NEAR(p->true_front_hv(p, r4), 1.4641 - PI * PI / 32.0, 1e-14);
    hw_problem_destroy(p);
    CHECK_OK(hw_dtlz_create(1, 8, 4, &p, &e));
    double r55[4] = {0.55, 0.55, 0.55, 0.55};
    CHECK_NEAR(p->true_front_hv(p, r55), pow(0.55, 4) - pow(0.5, 4) / 24.0, 1e-15);
    CHECK_NEAR(p->default_ref[0], 0.55, 0);
    r55[2] = 0.4;   /* the simplex sticks out of the box: no closed form */
    CHECK(p->true_front_hv(p, r55) < 0);
    hw_problem_destroy(p);
}

TEST(default_refs)
{
    hw_problem *p = make("{\"name\": \"dtlz7\", \"n_obj\": 3}");
    CHECK_EQ_INT(p->n_var, 22);
    /* every true front point strictly inside the default reference box */
    double *pts = NULL;
    size_t n = 0;
    hw_err e = {0};
    CHECK_OK(p->true_front(p, 1000, &pts, &n, &e));
    double mx[3] = {-1e9, -1e9, -1e9}, mn[3] = {1e9, 1e9, 1e9};
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++) { mx[j] = fmax(mx[j], pts[3 * i + j]); mn[j] = fmin(mn[j], pts[3 * i + j]); }
    for (int j = 0; j < 3; j++) CHECK_NEAR(p->default_ref[j], mn[j] + 1.1 * (mx[j] - mn[j]), 1e-9);
    CHECK_NEAR(mx[2], 6.0, 1e-12);
    free(pts);
    hw_problem_destroy(p);
    p = make("{\"name\": \"zdt3\"}");
    CHECK(p->default_ref[0] == 1.1 && p->default_ref[1] == 1.1);
    CHECK(p->obj_lo == NULL && p->obj_hi == NULL);
    CHECK_STR(p->obj_names[1], "f2");
    CHECK_STR(p->name, "zdt3");
    hw_problem_destroy(p);
}

TEST(factory_errors)
{
    char m[HW_ERR_LEN];
    make_err("{\"name\": \"zdt1\", \"foo\": 1}", m, sizeof m);
    CHECK_STR(m, "problem.foo: unknown key (allowed: name, n_var)");
    make_err("{\"name\": \"dtlz2\", \"n_var\": 12, \"nobj\": 3}", m, sizeof m);
    CHECK_STR(m, "problem.nobj: unknown key (allowed: name, n_var, n_obj)");
    make_err("{\"name\": \"zdt9\"}", m, sizeof m);
    CHECK(strncmp(m, "problem.name: unknown value 'zdt9' (expected one of: zdt1, zdt2, zdt3, zdt4, zdt6, dtlz1,", 88) == 0);
    make_err("{\"n_var\": 3}", m, sizeof m);
    CHECK_STR(m, "problem.name: required key is missing");
    make_err("{\"name\": \"zdt1\", \"n_var\": 1}", m, sizeof m);
    CHECK_STR(m, "problem.n_var: 1 is out of range [2, 100000]");
    make_err("{\"name\": \"zdt2\", \"n_var\": 2.5}", m, sizeof m);
    CHECK_STR(m, "problem.n_var: expected an integer, got 2.5");
    make_err("{\"name\": \"dtlz2\", \"n_obj\": 3, \"n_var\": 2}", m, sizeof m);
    CHECK_STR(m, "problem.n_var: 2 is out of range [3, 100000]");
    make_err("{\"name\": \"dtlz2\", \"n_obj\": 17}", m, sizeof m);
    CHECK_STR(m, "problem.n_obj: 17 is out of range [2, 16]");
    make_err("{\"name\": \"dtlz2\", \"n_obj\": 1}", m, sizeof m);
    CHECK_STR(m, "problem.n_obj: 1 is out of range [2, 16]");
    make_err("[1]", m, sizeof m);
    CHECK_STR(m, "problem: expected an object");
    /* defaults */
    hw_problem *p = make("{\"name\": \"dtlz2\", \"n_obj\": 5}");
    CHECK_EQ_INT(p->n_var, 14);
    hw_problem_destroy(p);
    p = make("{\"name\": \"zdt6\"}");
    CHECK_EQ_INT(p->n_var, 10);
    hw_problem_destroy(p);
    p = make("{\"name\": \"dtlz7\", \"n_obj\": 2, \"n_var\": 2}");
    CHECK_EQ_INT(p->n_var, 2);
    CHECK_EQ_INT(p->n_obj, 2);
    hw_problem_destroy(p);
}

/* ------------------------------------------------------------ hwgpt ---- */


TEST(hwgpt_analytic_problem)
{
    hw_problem *p = make("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"s\", "
                         "\"objectives\": [\"params\", \"flops\", \"memory_bf16\"]}");
    if (!p) return;
    CHECK_EQ_INT(p->n_var, 3 + 2 * 12);
    CHECK_EQ_INT(p->n_obj, 3);
    CHECK_STR(p->obj_names[0], "params");
    CHECK_STR(p->obj_names[2], "memory_bf16");
    CHECK(hw_hwgpt_space(p) == hw_space_get(HW_SCALE_S));
    for (int g = 0; g < p->n_var; g++) {
        CHECK_EQ_INT(p->vars[g].type, HW_VAR_CATEGORICAL);
        CHECK_EQ_INT(p->vars[g].n_cat, g == p->n_var - 1 ? 2 : 3);
    }
    /* the worked example of the data README */
    const char *s = "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False";
    hw_arch a;
    hw_err e = {0};
    CHECK_OK(hw_arch_parse(s, NULL, &a, &e));
    double x[27], f[3];
    hw_arch_to_genome(&a, x);
    eval1(p, x, f);
    CHECK(f[0] == 148591104.0);
    CHECK(f[1] == 1802502144000.0);
    CHECK_NEAR(f[2], 148591104.0 * 2 / 1e6, 1e-9);
    char buf[HW_ARCH_STRLEN];
    CHECK_EQ_INT(p->describe(p, x, buf, sizeof buf), (int)strlen(s));
    CHECK_STR(buf, s);
    /* bounds: the smallest and largest architectures, by hand:
     * E = 192, L = 10, r = 2, h = 4, no bias; E = 768, L = 12, r = 4, h = 12, bias */
    long long lo = (2LL * 50254 + 2) * 192 + 10 * 4 * 192 + 20 * 3 * 192 * 192 + 40 * 256 * 192;
    long long hi = (2LL * 50254 + 2) * 768 + 12 * 6 * 768 + 48 * (3LL * 768 * 768 + 2 * 768) + 144 * (256 * 768 + 192);
    CHECK(p->obj_lo[0] == (double)lo);
    CHECK(p->obj_hi[0] == (double)hi);
    CHECK(p->default_ref[0] == 1.1 && p->default_ref[2] == 1.1);
    /* every random genome lies inside the bounds */
    hw_rng r;
    hw_rng_seed(&r, 11, 0);
    for (int rep = 0; rep < 500; rep++) {
        for (int g = 0; g < p->n_var; g++) x[g] = hw_rng_below(&r, (uint32_t)p->vars[g].n_cat);
        eval1(p, x, f);
        for (int j = 0; j < 3; j++) CHECK(f[j] >= p->obj_lo[j] && f[j] <= p->obj_hi[j]);
    }
    hw_problem_destroy(p);

    p = make("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"l\"}");
    if (!p) return;
    CHECK_EQ_INT(p->n_var, 3 + 2 * 36);
    CHECK_STR(p->obj_names[0], "params");
    CHECK_STR(p->obj_names[1], "flops");
    CHECK_STR(p->name, "hwgpt-l");
    hw_problem_destroy(p);
}

TEST(hwgpt_config_errors)
{
    char m[HW_ERR_LEN];
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"device\": \"a100\"}", m, sizeof m);
    CHECK_STR(m, "problem.device: unknown key (allowed: name, backend, scale, objectives, predictor, checkpoint)");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"exact\"}", m, sizeof m);
    CHECK_STR(m, "problem.backend: unknown value 'exact' (expected one of: analytic, surrogate, supernet)");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"xl\"}", m, sizeof m);
    CHECK_STR(m, "problem.scale: unknown value 'xl' (expected one of: s, m, l)");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": [\"params\", \"latency\"]}", m, sizeof m);
    CHECK_STR(m, "problem.objectives[1]: metric 'latency' needs the surrogate backend (the analytic backend has: "
                 "params, flops, macs, memory_fp32, memory_fp16, memory_bf16)");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": [\"params\", \"params\"]}", m, sizeof m);
    CHECK_STR(m, "problem.objectives[1]: 'params' is listed twice");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": []}", m, sizeof m);
    CHECK_STR(m, "problem.objectives: expected 1 to 16 metric names, got 0");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": \"params\"}", m, sizeof m);
    CHECK_STR(m, "problem.objectives: expected an array of metric names");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": [3]}", m, sizeof m);
    CHECK_STR(m, "problem.objectives[0]: expected a metric name (a string)");
    make_err("{\"name\": \"hwgpt\", \"backend\": \"surrogate\"}", m, sizeof m);
    CHECK(strncmp(m, "problem.device: required by the objective 'latency' (a100, a40,", 63) == 0);
}

/* The registries: every kind is found by its name and listed in order; an
 * unknown name's error lists them all. */
TEST(registries)
{
    static const char *const kinds[] = {"zdt1", "zdt2", "zdt3", "zdt4", "zdt6", "dtlz1", "dtlz2",
                                        "dtlz3", "dtlz4", "dtlz5", "dtlz6", "dtlz7", "hwgpt"};
    size_t n = sizeof kinds / sizeof kinds[0];
    for (size_t i = 0; i < n; i++) {
        const hw_problem_kind *k = hw_problem_kind_at(i);
        CHECK(k != NULL && strcmp(k->name, kinds[i]) == 0);
        CHECK(hw_problem_kind_find(kinds[i]) == k);
    }
    CHECK(hw_problem_kind_at(n) == NULL);
    CHECK(hw_problem_kind_find("zdt5") == NULL && hw_problem_kind_find(NULL) == NULL);
    char list[512], m[HW_ERR_LEN];
    hw_problem_kind_list(list, sizeof list);
    CHECK_STR(list, "zdt1, zdt2, zdt3, zdt4, zdt6, dtlz1, dtlz2, dtlz3, dtlz4, dtlz5, dtlz6, dtlz7, hwgpt");
    make_err("{\"name\": \"zdt5\"}", m, sizeof m);
    CHECK_STR(m, "problem.name: unknown value 'zdt5' (expected one of: zdt1, zdt2, zdt3, zdt4, zdt6, dtlz1, dtlz2, "
                 "dtlz3, dtlz4, dtlz5, dtlz6, dtlz7, hwgpt)");
    hw_backend_list(list, sizeof list);
    CHECK_STR(list, "analytic, surrogate, hwgpt-mlp, supernet");
    CHECK(hw_backend_find("surrogate") == hw_backend_at(1) && hw_backend_find("gpu") == NULL);
}

/* Metric rows are keyed by (backend, name): both perplexity rows are
 * reachable, and resolution among used backends follows their priority. */
TEST(metric_rows_by_key)
{
    const hw_metric *sp = hw_metric_row("surrogate", "perplexity"), *mp = hw_metric_row("hwgpt-mlp", "perplexity");
    CHECK(sp && mp && sp != mp);
    if (!sp || !mp) return;
    CHECK_STR(sp->backend, "surrogate");
    CHECK_STR(mp->backend, "hwgpt-mlp");
    CHECK((sp->flags & HW_METRIC_HAS_STD) && !(mp->flags & HW_METRIC_HAS_STD));
    CHECK(hw_metric_row("analytic", "perplexity") == NULL && hw_metric_row("nope", "params") == NULL);
    const hw_backend *mlp = hw_backend_find("hwgpt-mlp"), *sur = hw_backend_find("surrogate"),
                     *ana = hw_backend_find("analytic");
    const hw_backend *with[] = {mlp, sur, ana}, *without[] = {sur, ana};
    const hw_metric *r;
    hw_err e = {0};
    CHECK_OK(hw_metric_resolve("perplexity", with, 3, &r, &e));
    CHECK(r == mp);
    CHECK_OK(hw_metric_resolve("perplexity", without, 2, &r, &e));
    CHECK(r == sp);
    CHECK_OK(hw_metric_resolve("params", with, 3, &r, &e));
    CHECK(r == hw_metric_row("analytic", "params"));
    CHECK(hw_metric_resolve("accuracy", with, 3, &r, &e) == HW_EINVAL);
    CHECK_STR(e.msg, "unknown metric 'accuracy' (expected one of: params, flops, macs, memory_fp32, memory_fp16, "
                     "memory_bf16, perplexity, latency, energy)");
    CHECK(hw_metric_resolve("energy", &ana, 1, &r, &e) == HW_EINVAL);
    CHECK_STR(e.msg, "metric 'energy' needs the surrogate backend (the analytic backend has: params, flops, macs, "
                     "memory_fp32, memory_fp16, memory_bf16)");
}

/* The hwgpt problem's canonicalize hook against the architecture: the
 * canonical genome is hw_arch_to_genome of the genome's architecture, and
 * two genomes are one design exactly when their architectures are equal. */
TEST(hwgpt_canonicalize_hook)
{
    hw_problem *p = make("{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"m\"}");
    if (!p) return;
    CHECK(p->canonicalize != NULL);
    const hw_space *sp = hw_hwgpt_space(p);
    hw_rng r;
    hw_rng_seed(&r, 11, 0);
    int same = 0, differ = 0;
    for (int t = 0; t < 2000; t++) {
        double x[3 + 2 * HW_MAX_LAYERS], y[3 + 2 * HW_MAX_LAYERS], c[3 + 2 * HW_MAX_LAYERS], want[3 + 2 * HW_MAX_LAYERS];
        for (int g = 0; g < p->n_var; g++) x[g] = (double)hw_rng_below(&r, (uint32_t)p->vars[g].n_cat);
        /* y: x with some genes redrawn (often only inert ones) */
        memcpy(y, x, sizeof x);
        for (int g = 0; g < p->n_var; g++)
            if (hw_rng_uniform(&r) < 0.05) y[g] = (double)hw_rng_below(&r, (uint32_t)p->vars[g].n_cat);
        hw_arch a, b;
        hw_arch_from_genome(sp, x, &a);
        hw_arch_from_genome(sp, y, &b);
        hw_arch_to_genome(&a, want);
        memcpy(c, x, sizeof x);
        p->canonicalize(p, c);
        CHECK(memcmp(c, want, (size_t)p->n_var * sizeof *c) == 0);
        int eq = a.embed_dim == b.embed_dim && a.n_layer == b.n_layer && a.bias == b.bias;
        for (int i = 0; eq && i < a.n_layer; i++)
            eq = a.mlp_ratio[i] == b.mlp_ratio[i] && a.n_head[i] == b.n_head[i];
        CHECK_EQ_INT(hw_genome_same_design(p, x, y), eq);
        CHECK_EQ_INT(hw_genome_canonical(p, c), 1);
        same += eq;
        differ += !eq;
    }
    CHECK(same > 100 && differ > 100);
    hw_problem_destroy(p);
    /* Test problems have no hook: every genome is its own design. */
    p = make("{\"name\": \"zdt1\", \"n_var\": 3}");
    if (!p) return;
    CHECK(p->canonicalize == NULL);
    double x[3] = {0.1, 0.2, 0.3}, y[3] = {0.1, 0.2, 0.3};
    CHECK_EQ_INT(hw_genome_same_design(p, x, y), 1);
    y[2] = 0.4;
    CHECK_EQ_INT(hw_genome_same_design(p, x, y), 0);
    hw_problem_destroy(p);
}
