/* Gaussian-process regression (optimizers/gp.c) against hand-computed values,
 * finite differences and the defining properties of a GP posterior. */
#include "check.h"

#include "core/numeric.h"
#include "optimizers/gp.h"

#define SQRT5 2.23606797749978969641

static double matern(double s2, double r)
{
    return s2 * (1.0 + SQRT5 * r + 5.0 * r * r / 3.0) * exp(-SQRT5 * r);
}

static hw_gp *make_gp(int d, const unsigned char *is_cat, double ls, double s2, double noise)
{
    hw_gp *gp = NULL;
    hw_err e;
    if (hw_gp_create(&gp, d, is_cat, NULL, d, &e) != HW_OK) return NULL;
    double th[32];
    for (int i = 0; i < d; i++) th[i] = log(ls);
    th[d] = log(s2);
    th[d + 1] = log(noise);
    if (hw_gp_set_theta(gp, th, &e) != HW_OK) { hw_gp_destroy(gp); return NULL; }
    return gp;
}

static double f1(double x) { return sin(6.0 * x) + 0.5 * x; }

TEST(interpolates_noise_free_data)
{
    hw_gp *gp = make_gp(1, NULL, 0.3, 1.0, 1e-10);
    CHECK(gp != NULL);
    double X[8], y[8];
    for (int i = 0; i < 8; i++) { X[i] = i / 7.0; y[i] = 10.0 + 3.0 * f1(X[i]); }
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 8, &e));
    double mu[8], var[8];
    CHECK_OK(hw_gp_predict(gp, X, 8, mu, var, &e));
    double yvar = 0, ym = 0;
    for (int i = 0; i < 8; i++) ym += y[i] / 8;
    for (int i = 0; i < 8; i++) yvar += (y[i] - ym) * (y[i] - ym) / 8;
    for (int i = 0; i < 8; i++) {
        CHECK_NEAR(mu[i], y[i], 1e-5);
        CHECK(var[i] >= 0.0 && var[i] < 1e-6 * yvar);
    }
    /* Far from the data: the prior (mean = data mean, variance = s2 * std^2). */
    double far = 25.0, m1, v1;
    CHECK_OK(hw_gp_predict(gp, &far, 1, &m1, &v1, &e));
    CHECK_NEAR(m1, ym, 1e-9);
    CHECK_REL(v1, yvar, 1e-9);
    /* Between points the variance is positive and below the prior. */
    double mid = 0.5 / 7.0, m2, v2;
    CHECK_OK(hw_gp_predict(gp, &mid, 1, &m2, &v2, &e));
    CHECK(v2 > 1e-6 * yvar && v2 < yvar);
    hw_gp_destroy(gp);
}

TEST(lml_two_points_by_hand)
{
    /* y standardised to (-1, 1): y^T K^-1 y = 2 / (a - b), det K = a^2 - b^2,
     * a = s2 + noise, b = k(x1, x2). */
    double s2 = 1.3, noise = 0.1, ls = 0.5;
    hw_gp *gp = make_gp(1, NULL, ls, s2, noise);
    CHECK(gp != NULL);
    double X[2] = {0.2, 0.7}, y[2] = {1.0, 3.0};
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 2, &e));
    double a = s2 + noise, b = matern(s2, 0.5 / ls);
    double expect = -0.5 * 2.0 / (a - b) - 0.5 * log(a * a - b * b) - log(2.0 * M_PI);
    CHECK_NEAR(hw_gp_lml(gp), expect, 1e-12);
    /* Posterior mean at x1 in standardised units: k^T K^-1 y. */
    double mu;
    CHECK_OK(hw_gp_predict(gp, X, 1, &mu, NULL, &e));
    double ks = (a * -1.0 - b * 1.0) / (a * a - b * b); /* (K^-1 y)_1 */
    double kt = (-b * -1.0 + a * 1.0) / (a * a - b * b); /* (K^-1 y)_2 */
    double mstd = s2 * ks + b * kt;
    CHECK_NEAR(mu, 2.0 + 1.0 * mstd, 1e-12);
    hw_gp_destroy(gp);
}

TEST(lml_three_points_mixed_by_hand)
{
    /* Genes: one real, one categorical (overlap distance).  3x3 determinant and
     * inverse by cofactors. */
    unsigned char cat[2] = {0, 1};
    double s2 = 0.8, noise = 0.05, ls = 0.7;
    hw_gp *gp = make_gp(2, cat, ls, s2, noise);
    CHECK(gp != NULL);
    double X[6] = {0.1, 0, 0.4, 2, 0.9, 0};
    double y[3] = {2.0, -1.0, 0.5};
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 3, &e));
    double K[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double dx = X[2 * i] - X[2 * j], dc = X[2 * i + 1] != X[2 * j + 1] ? 1.0 : 0.0;
            double r = sqrt((dx * dx + dc) / (ls * ls));
            K[i][j] = matern(s2, r) + (i == j ? noise : 0.0);
        }
    double det = K[0][0] * (K[1][1] * K[2][2] - K[1][2] * K[2][1]) -
                 K[0][1] * (K[1][0] * K[2][2] - K[1][2] * K[2][0]) +
                 K[0][2] * (K[1][0] * K[2][1] - K[1][1] * K[2][0]);
    double C[3][3]; /* cofactors (K symmetric, so the adjugate is C) */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int r0 = (i + 1) % 3, r1 = (i + 2) % 3, c0 = (j + 1) % 3, c1 = (j + 2) % 3;
            C[i][j] = K[r0][c0] * K[r1][c1] - K[r0][c1] * K[r1][c0];
        }
    double m = (2.0 - 1.0 + 0.5) / 3.0, sd = 0;
    for (int i = 0; i < 3; i++) sd += (y[i] - m) * (y[i] - m) / 3.0;
    sd = sqrt(sd);
    double z[3], quad = 0;
    for (int i = 0; i < 3; i++) z[i] = (y[i] - m) / sd;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) quad += z[i] * C[i][j] / det * z[j];
    double expect = -0.5 * quad - 0.5 * log(det) - 1.5 * log(2.0 * M_PI);
    CHECK_NEAR(hw_gp_lml(gp), expect, 1e-12);
    hw_gp_destroy(gp);
}

TEST(lml_gradient_matches_finite_differences)
{
    unsigned char cat[3] = {0, 0, 1};
    hw_gp *gp = NULL;
    hw_err e;
    int groups[3] = {0, 1, 2};
    CHECK_OK(hw_gp_create(&gp, 3, cat, groups, 3, &e));
    hw_rng r;
    hw_rng_seed(&r, 5, 1);
    double X[3 * 15], y[15];
    for (int i = 0; i < 15; i++) {
        X[3 * i] = hw_rng_uniform(&r);
        X[3 * i + 1] = hw_rng_uniform(&r);
        X[3 * i + 2] = (double)hw_rng_below(&r, 3);
        y[i] = f1(X[3 * i]) + X[3 * i + 1] * X[3 * i + 2];
    }
    CHECK_OK(hw_gp_set_data(gp, X, y, 15, &e));
    double th[5] = {log(0.4), log(1.5), log(0.9), log(1.2), log(0.02)}, g[5], l0;
    CHECK_OK(hw_gp_lml_at(gp, th, &l0, g, &e));
    for (int k = 0; k < 5; k++) {
        double tp[5], tm[5], lp, lm, h = 1e-5;
        for (int j = 0; j < 5; j++) tp[j] = tm[j] = th[j];
        tp[k] += h; tm[k] -= h;
        CHECK_OK(hw_gp_lml_at(gp, tp, &lp, NULL, &e));
        CHECK_OK(hw_gp_lml_at(gp, tm, &lm, NULL, &e));
        CHECK_NEAR(g[k], (lp - lm) / (2 * h), 1e-5 * (1.0 + fabs(g[k])));
    }
    hw_gp_destroy(gp);
}

TEST(fit_improves_likelihood_and_is_seeded)
{
    hw_gp *gp = make_gp(2, NULL, 5.0, 0.2, 0.5), *gp2 = make_gp(2, NULL, 5.0, 0.2, 0.5);
    CHECK(gp && gp2);
    hw_rng r;
    hw_rng_seed(&r, 9, 1);
    double X[2 * 30], y[30];
    for (int i = 0; i < 30; i++) {
        X[2 * i] = hw_rng_uniform(&r);
        X[2 * i + 1] = hw_rng_uniform(&r);
        y[i] = f1(X[2 * i]); /* second gene irrelevant */
    }
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 30, &e));
    CHECK_OK(hw_gp_set_data(gp2, X, y, 30, &e));
    double before = hw_gp_lml(gp);
    hw_rng a, b;
    hw_rng_seed(&a, 3, 1);
    hw_rng_seed(&b, 3, 1);
    CHECK_OK(hw_gp_fit(gp, 3, 60, &a, &e));
    CHECK_OK(hw_gp_fit(gp2, 3, 60, &b, &e));
    double after = hw_gp_lml(gp);
    CHECK_MSG(after > before + 10.0, "lml %g -> %g", before, after);
    double th[4], th2[4];
    hw_gp_get_theta(gp, th);
    hw_gp_get_theta(gp2, th2);
    for (int k = 0; k < 4; k++) CHECK(th[k] == th2[k]);
    /* ARD: the irrelevant gene gets the longer length-scale. */
    CHECK_MSG(th[1] > th[0] + 1.0, "log ls %g %g", th[0], th[1]);
    /* Held-out accuracy of the fitted model. */
    double xt[2] = {0.37, 0.5}, mu, var;
    CHECK_OK(hw_gp_predict(gp, xt, 1, &mu, &var, &e));
    CHECK_NEAR(mu, f1(0.37), 0.05);
    hw_gp_destroy(gp);
    hw_gp_destroy(gp2);
}

TEST(duplicate_points_use_jitter)
{
    hw_gp *gp = make_gp(2, (const unsigned char[]){1, 1}, 0.5, 1.0, 1e-20);
    CHECK(gp != NULL);
    double X[8] = {0, 1, 0, 1, 2, 0, 2, 0}, y[4] = {1.0, 1.5, -2.0, -2.0};
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 4, &e));
    CHECK(hw_gp_jitter(gp) > 0.0);
    double mu[2], var[2];
    CHECK_OK(hw_gp_predict(gp, X, 2, mu, var, &e));
    CHECK(isfinite(mu[0]) && isfinite(var[0]));
    CHECK_NEAR(mu[0], 1.25, 0.05); /* between the two conflicting targets */
    CHECK(isfinite(hw_gp_lml(gp)));
    /* Adding yet another duplicate through the O(n^2) extension. */
    CHECK_OK(hw_gp_add(gp, X + 4, -2.0, &e));
    CHECK_EQ_INT(hw_gp_n(gp), 5);
    CHECK_OK(hw_gp_predict(gp, X + 4, 1, mu, var, &e));
    CHECK_NEAR(mu[0], -2.0, 0.05);
    CHECK_OK(hw_gp_fit(gp, 1, 20, &(hw_rng){1, 1}, &e));
    CHECK(isfinite(hw_gp_lml(gp)));
    /* Non-finite input is an error, not garbage. */
    double bad[2] = {NAN, 0};
    CHECK(hw_gp_add(gp, bad, 0.0, &e) == HW_EINVAL);
    hw_gp_destroy(gp);
}

TEST(add_and_truncate_match_full_factorisation)
{
    unsigned char cat[2] = {0, 1};
    hw_gp *a = make_gp(2, cat, 0.4, 1.1, 1e-3), *b = make_gp(2, cat, 0.4, 1.1, 1e-3);
    CHECK(a && b);
    hw_rng r;
    hw_rng_seed(&r, 11, 1);
    double X[2 * 40], y[40];
    for (int i = 0; i < 40; i++) {
        X[2 * i] = hw_rng_uniform(&r);
        X[2 * i + 1] = (double)hw_rng_below(&r, 4);
        y[i] = f1(X[2 * i]) * (1 + X[2 * i + 1]);
    }
    hw_err e;
    CHECK_OK(hw_gp_set_data(a, X, y, 40, &e));
    CHECK_OK(hw_gp_set_data(b, X, y, 10, &e));
    for (int i = 10; i < 40; i++) CHECK_OK(hw_gp_add(b, X + 2 * i, y[i], &e));
    CHECK_NEAR(hw_gp_lml(a), hw_gp_lml(b), 1e-8);
    double xt[6] = {0.3, 1, 0.55, 3, 0.9, 0}, ma[3], va[3], mb[3], vb[3];
    CHECK_OK(hw_gp_predict(a, xt, 3, ma, va, &e));
    CHECK_OK(hw_gp_predict(b, xt, 3, mb, vb, &e));
    for (int c = 0; c < 3; c++) { CHECK_NEAR(ma[c], mb[c], 1e-8); CHECK_NEAR(va[c], vb[c], 1e-8); }
    CHECK_OK(hw_gp_truncate(b, 20, &e));
    hw_gp *c20 = make_gp(2, cat, 0.4, 1.1, 1e-3);
    CHECK_OK(hw_gp_set_data(c20, X, y, 20, &e));
    CHECK_NEAR(hw_gp_lml(b), hw_gp_lml(c20), 1e-8);
    hw_gp_destroy(a); hw_gp_destroy(b); hw_gp_destroy(c20);
}

TEST(categorical_kernel_is_overlap_distance)
{
    unsigned char cat[3] = {1, 1, 1};
    hw_gp *gp = make_gp(3, cat, 0.8, 2.0, 1e-4);
    CHECK(gp != NULL);
    double a[3] = {0, 1, 2}, b[3] = {0, 2, 2}, c[3] = {1, 2, 0};
    CHECK_NEAR(hw_gp_kernel(gp, a, a), 2.0, 1e-15);
    /* one differing gene: r = 1/l; the size of the difference (1 vs 2) does not matter */
    CHECK_NEAR(hw_gp_kernel(gp, a, b), matern(2.0, 1.0 / 0.8), 1e-14);
    CHECK_NEAR(hw_gp_kernel(gp, b, c), matern(2.0, sqrt(2.0) / 0.8), 1e-14);
    CHECK_NEAR(hw_gp_kernel(gp, a, c), matern(2.0, sqrt(3.0) / 0.8), 1e-14);
    hw_gp_destroy(gp);
}

TEST(length_scale_prior_pulls_map_estimate)
{
    /* The same data fitted with and without a tight log-normal prior at l = 3:
     * the MAP length-scale is nearer 3, the prior costs marginal likelihood,
     * and the MAP theta beats the MLE theta on LML + log prior. */
    hw_gp *a = make_gp(1, NULL, 0.5, 1.0, 1e-3), *b = make_gp(1, NULL, 0.5, 1.0, 1e-3);
    CHECK(a && b);
    double X[25], y[25];
    for (int i = 0; i < 25; i++) { X[i] = i / 24.0; y[i] = f1(X[i]); }
    hw_err e;
    CHECK_OK(hw_gp_set_data(a, X, y, 25, &e));
    CHECK_OK(hw_gp_set_data(b, X, y, 25, &e));
    hw_gp_set_ls_prior(b, log(3.0), 0.05);
    hw_rng r1, r2;
    hw_rng_seed(&r1, 4, 1);
    hw_rng_seed(&r2, 4, 1);
    CHECK_OK(hw_gp_fit(a, 1, 50, &r1, &e));
    CHECK_OK(hw_gp_fit(b, 1, 50, &r2, &e));
    double ta[3], tb[3];
    hw_gp_get_theta(a, ta);
    hw_gp_get_theta(b, tb);
    CHECK_MSG(fabs(tb[0] - log(3.0)) < fabs(ta[0] - log(3.0)) - 0.1, "MAP log l %g, MLE %g", tb[0], ta[0]);
    CHECK(hw_gp_lml(a) > hw_gp_lml(b));
    /* b maximised LML + log prior: better than a's theta on that objective */
    double la, lb;
    CHECK_OK(hw_gp_lml_at(b, ta, &la, NULL, &e));
    CHECK_OK(hw_gp_lml_at(b, tb, &lb, NULL, &e));
    double za = (ta[0] - log(3.0)) / 0.05, zb = (tb[0] - log(3.0)) / 0.05;
    CHECK_MSG(lb - 0.5 * zb * zb > la - 0.5 * za * za, "MAP %g vs %g", lb - 0.5 * zb * zb, la - 0.5 * za * za);
    hw_gp_destroy(a);
    hw_gp_destroy(b);
}

/* Shared length-scale groups (the "shared" kernel): the gradient of a group
 * sums the contributions of its genes, real and categorical mixed. */
TEST(lml_gradient_of_grouped_length_scales_matches_finite_differences)
{
    unsigned char cat[4] = {0, 1, 0, 1};
    int groups[4] = {0, 0, 1, 1};
    hw_gp *gp = NULL;
    hw_err e;
    CHECK_OK(hw_gp_create(&gp, 4, cat, groups, 2, &e));
    hw_rng r;
    hw_rng_seed(&r, 8, 1);
    double X[4 * 23], y[23];
    for (int i = 0; i < 23; i++) {
        X[4 * i] = hw_rng_uniform(&r);
        X[4 * i + 1] = (double)hw_rng_below(&r, 3);
        X[4 * i + 2] = hw_rng_uniform(&r);
        X[4 * i + 3] = (double)hw_rng_below(&r, 5);
        y[i] = f1(X[4 * i]) + X[4 * i + 1] * X[4 * i + 2] - 0.3 * X[4 * i + 3];
    }
    CHECK_OK(hw_gp_set_data(gp, X, y, 23, &e));
    double th[4] = {log(0.7), log(2.5), log(0.8), log(0.01)}, g[4], l0;
    CHECK_OK(hw_gp_lml_at(gp, th, &l0, g, &e));
    for (int k = 0; k < 4; k++) {
        double tp[4], tm[4], lp, lm, h = 1e-5;
        for (int j = 0; j < 4; j++) tp[j] = tm[j] = th[j];
        tp[k] += h; tm[k] -= h;
        CHECK_OK(hw_gp_lml_at(gp, tp, &lp, NULL, &e));
        CHECK_OK(hw_gp_lml_at(gp, tm, &lm, NULL, &e));
        CHECK_NEAR(g[k], (lp - lm) / (2 * h), 1e-5 * (1.0 + fabs(g[k])));
    }
    hw_gp_destroy(gp);
}

/* Solve the dense n x n system A x = b (row-major, copied) by Gaussian
 * elimination with partial pivoting: an independent reference. */
static void gauss_solve(const double *A0, const double *b0, int n, double *x)
{
    double *A = malloc((size_t)n * (size_t)n * sizeof *A), *b = malloc((size_t)n * sizeof *b);
    memcpy(A, A0, (size_t)n * (size_t)n * sizeof *A);
    memcpy(b, b0, (size_t)n * sizeof *b);
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int i = c + 1; i < n; i++) if (fabs(A[i * n + c]) > fabs(A[p * n + c])) p = i;
        for (int j = 0; j < n; j++) { double t = A[c * n + j]; A[c * n + j] = A[p * n + j]; A[p * n + j] = t; }
        double t = b[c]; b[c] = b[p]; b[p] = t;
        for (int i = c + 1; i < n; i++) {
            double f = A[i * n + c] / A[c * n + c];
            for (int j = c; j < n; j++) A[i * n + j] -= f * A[c * n + j];
            b[i] -= f * b[c];
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int j = i + 1; j < n; j++) s -= A[i * n + j] * x[j];
        x[i] = s / A[i * n + i];
    }
    free(A); free(b);
}

/* The batched prediction (blocks of candidates, points gene-major) against
 * the textbook posterior built from hw_gp_kernel and a dense solve, on more
 * observations and candidates than one block holds, after appends. */
TEST(predict_matches_dense_posterior_across_blocks)
{
    unsigned char cat[3] = {0, 1, 0};
    hw_gp *gp = make_gp(3, cat, 0.5, 1.3, 1e-3);
    CHECK(gp != NULL);
    enum { N = 90, M = 150 };
    hw_rng r;
    hw_rng_seed(&r, 21, 1);
    static double X[3 * N], y[N], Xs[3 * M], K[N * N], ks[N], a[N], v[N], mu[M], var[M];
    for (int i = 0; i < N; i++) {
        X[3 * i] = hw_rng_uniform(&r);
        X[3 * i + 1] = (double)hw_rng_below(&r, 4);
        X[3 * i + 2] = hw_rng_uniform(&r);
        y[i] = f1(X[3 * i]) * (1 + 0.2 * X[3 * i + 1]) + X[3 * i + 2];
    }
    for (int c = 0; c < M; c++) {
        Xs[3 * c] = hw_rng_uniform(&r);
        Xs[3 * c + 1] = (double)hw_rng_below(&r, 4);
        Xs[3 * c + 2] = hw_rng_uniform(&r);
    }
    hw_err e;
    CHECK_OK(hw_gp_set_data(gp, X, y, 50, &e));
    for (int i = 50; i < N; i++) CHECK_OK(hw_gp_add(gp, X + 3 * i, y[i], &e));
    CHECK_OK(hw_gp_predict(gp, Xs, M, mu, var, &e));
    double mean = 0.0, sd = 0.0;
    for (int i = 0; i < N; i++) mean += y[i] / N;
    for (int i = 0; i < N; i++) sd += (y[i] - mean) * (y[i] - mean) / N;
    sd = sqrt(sd);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) K[i * N + j] = hw_gp_kernel(gp, X + 3 * i, X + 3 * j);
        K[i * N + i] += 1e-3;
        v[i] = (y[i] - mean) / sd;
    }
    gauss_solve(K, v, N, a);
    double worst_mu = 0.0, worst_var = 0.0;
    for (int c = 0; c < M; c++) {
        double m = 0.0;
        for (int i = 0; i < N; i++) { ks[i] = hw_gp_kernel(gp, X + 3 * i, Xs + 3 * c); m += ks[i] * a[i]; }
        gauss_solve(K, ks, N, v);
        double q = 0.0;
        for (int i = 0; i < N; i++) q += ks[i] * v[i];
        double vv = (1.3 - q) * sd * sd;
        worst_mu = fmax(worst_mu, fabs(mu[c] - (mean + sd * m)));
        worst_var = fmax(worst_var, fabs(var[c] - (vv > 0.0 ? vv : 0.0)));
    }
    CHECK_MSG(worst_mu < 1e-7 && worst_var < 1e-7, "max |dmu| %g, |dvar| %g", worst_mu, worst_var);
    hw_gp_destroy(gp);
}

/* The GP's factorisation (hw_cholesky_simd, vectorised partial sums):
 * L L^T reproduces A, it agrees with hw_cholesky up to rounding, and it
 * refuses a matrix that is not positive definite at the same pivot. */
TEST(vectorised_cholesky_reconstructs_and_matches_reference)
{
    enum { N = 67, S = 70 };
    static double A[N * S], L[N * S], R[N * S];
    hw_rng r;
    hw_rng_seed(&r, 4, 1);
    static double G[N * N];
    for (int i = 0; i < N * N; i++) G[i] = hw_rng_uniform(&r) - 0.5;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double s = i == j ? 0.5 : 0.0;
            for (int k = 0; k < N; k++) s += G[i * N + k] * G[j * N + k];
            A[i * S + j] = s;
        }
    memcpy(L, A, sizeof A);
    memcpy(R, A, sizeof A);
    CHECK_EQ_INT(hw_cholesky_simd(L, N, S), 0);
    CHECK_EQ_INT(hw_cholesky(R, N, S), 0);
    double worst_rec = 0.0, worst_ref = 0.0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0.0;
            for (int k = 0; k <= j; k++) s += L[i * S + k] * L[j * S + k];
            worst_rec = fmax(worst_rec, fabs(s - A[i * S + j]) / (1.0 + fabs(A[i * S + j])));
            worst_ref = fmax(worst_ref, fabs(L[i * S + j] - R[i * S + j]));
        }
    CHECK_MSG(worst_rec < 1e-12 && worst_ref < 1e-10, "reconstruction %g, vs hw_cholesky %g", worst_rec, worst_ref);
    /* a negative direction: both refuse */
    memcpy(L, A, sizeof A);
    memcpy(R, A, sizeof A);
    L[40 * S + 40] = R[40 * S + 40] = -1.0;
    CHECK_EQ_INT(hw_cholesky_simd(L, N, S), -1);
    CHECK_EQ_INT(hw_cholesky(R, N, S), -1);
    double nan_m[4] = {1.0, 0.0, NAN, 1.0};
    CHECK_EQ_INT(hw_cholesky_simd(nan_m, 2, 2), -1);
}

/* The kernel's vectorised exp (hw_exp_vec) against libm's exp: within 4 ulp
 * (an independent reference) over the range the kernel uses, exact at 0,
 * clamped far below, NaN kept; the same values in place and at any
 * alignment or length (the vector loop and its remainder agree); and
 * hw_sqrt_vec equals sqrt exactly. */
TEST(vectorised_exp_and_sqrt_match_libm)
{
    enum { N = 4099 };
    static double x[N], y[N], z[N];
    hw_rng r;
    hw_rng_seed(&r, 9, 1);
    for (int i = 0; i < N; i++) x[i] = i < 4000 ? -700.0 * hw_rng_uniform(&r) : 30.0 * (hw_rng_uniform(&r) - 0.5);
    x[0] = 0.0; x[1] = -1e-300; x[2] = -0.5 * M_LN2; x[3] = 0.5 * M_LN2; x[4] = -708.0; x[5] = 709.0;
    hw_exp_vec(x, y, N);
    double worst = 0.0;
    for (int i = 0; i < N; i++) {
        double ref = exp(x[i]);
        worst = fmax(worst, fabs(y[i] - ref) / ref);
    }
    CHECK_MSG(worst < 4 * 2.220446049250313e-16, "worst relative error %g", worst);
    CHECK(y[0] == 1.0 && y[1] == 1.0);
    /* in place, and from an odd offset (a different split into vector and remainder) */
    memcpy(z, x, sizeof x);
    hw_exp_vec(z + 1, z + 1, N - 1);
    int same = 1;
    for (int i = 1; i < N; i++) same &= z[i] == y[i];
    CHECK(same);
    double edge[4] = {-709.5, -1e6, NAN, -INFINITY}, out[4];
    hw_exp_vec(edge, out, 4);
    CHECK(out[0] == out[1] && out[0] > 0.0 && out[0] < 4e-308 && out[3] == out[0]);
    CHECK(isnan(out[2]));
    for (int i = 0; i < N; i++) x[i] = 1e3 * hw_rng_uniform(&r);
    hw_sqrt_vec(x, y, N);
    same = 1;
    for (int i = 0; i < N; i++) same &= y[i] == sqrt(x[i]);
    CHECK(same);
}
