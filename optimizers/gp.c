/* Gaussian-process regression: Matérn-5/2 on a mixed real/categorical
 * distance, exact Cholesky, LML gradient, L-BFGS hyperparameter fitting.
 * See gp.h for the model. */
#include "optimizers/gp.h"

#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numeric.h"

#define SQRT5 2.23606797749978969641
#define LOG_2PI 1.83787706640934548356
#define PREDICT_BLOCK 64
#define JITTER_TRIES 10

struct hw_gp {
    int d, n_ls;
    unsigned char *is_cat; /* d */
    int *ls_of;            /* d */
    double *theta;         /* n_ls + 2 */
    size_t n, cap;
    double *X;             /* cap x d */
    double *XT;            /* d x cap: X gene-major, so distances vectorise over points */
    double *y, *ys;        /* raw and standardised targets */
    double y_mean, y_std;
    double *L;             /* cap x cap, row-major, lower triangle used */
    double *alpha;         /* K^-1 ys */
    double jitter;
    double lml;
    double prior_mu, prior_sd; /* log-normal length-scale prior; sd 0 = none */
};

int hw_gp_n_theta(const hw_gp *gp) { return gp->n_ls + 2; }
size_t hw_gp_n(const hw_gp *gp) { return gp->n; }
double hw_gp_jitter(const hw_gp *gp) { return gp->jitter; }
double hw_gp_lml(const hw_gp *gp) { return gp->lml; }
void hw_gp_set_ls_prior(hw_gp *gp, double mu, double sd)
{
    gp->prior_mu = mu;
    gp->prior_sd = sd > 0.0 ? sd : 0.0;
}

/* Log density (up to a constant) of the length-scale prior; adds its
 * gradient to grad (if non-NULL). */
static double log_prior(const hw_gp *gp, const double *theta, double *grad)
{
    if (!(gp->prior_sd > 0.0)) return 0.0;
    double lp = 0.0, v = gp->prior_sd * gp->prior_sd;
    for (int g = 0; g < gp->n_ls; g++) {
        double z = theta[g] - gp->prior_mu;
        lp -= 0.5 * z * z / v;
        if (grad) grad[g] -= z / v;
    }
    return lp;
}

void hw_gp_get_theta(const hw_gp *gp, double *theta)
{
    memcpy(theta, gp->theta, (size_t)(gp->n_ls + 2) * sizeof *theta);
}

int hw_gp_create(hw_gp **out, int d, const unsigned char *is_cat, const int *ls_of, int n_ls,
                 hw_err *e)
{
    *out = NULL;
    if (d < 1) return hw_fail(e, HW_EINVAL, "gp: dimension must be >= 1, got %d", d);
    if (!ls_of) n_ls = d;
    if (n_ls < 1) return hw_fail(e, HW_EINVAL, "gp: need >= 1 length-scale group, got %d", n_ls);
    for (int i = 0; ls_of && i < d; i++)
        if (ls_of[i] < 0 || ls_of[i] >= n_ls)
            return hw_fail(e, HW_EINVAL, "gp: gene %d has length-scale group %d outside [0, %d)", i,
                           ls_of[i], n_ls);
    hw_gp *gp = calloc(1, sizeof *gp);
    if (!gp) return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    gp->d = d;
    gp->n_ls = n_ls;
    gp->is_cat = calloc((size_t)d, 1);
    gp->ls_of = malloc((size_t)d * sizeof *gp->ls_of);
    gp->theta = malloc((size_t)(n_ls + 2) * sizeof *gp->theta);
    if (!gp->is_cat || !gp->ls_of || !gp->theta) {
        hw_gp_destroy(gp);
        return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    }
    for (int i = 0; i < d; i++) {
        gp->is_cat[i] = is_cat ? (is_cat[i] != 0) : 0;
        gp->ls_of[i] = ls_of ? ls_of[i] : i;
    }
    for (int g = 0; g < n_ls; g++) gp->theta[g] = log(0.5);
    gp->theta[n_ls] = 0.0;
    gp->theta[n_ls + 1] = log(1e-4);
    gp->y_std = 1.0;
    *out = gp;
    return HW_OK;
}

void hw_gp_destroy(hw_gp *gp)
{
    if (!gp) return;
    free(gp->is_cat); free(gp->ls_of); free(gp->theta);
    free(gp->X); free(gp->XT); free(gp->y); free(gp->ys); free(gp->L); free(gp->alpha);
    free(gp);
}

/* ---- kernel ---------------------------------------------------------- */

/* v[j] <- k = s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r) from v[j] = r^2, for
 * j < m, vectorised (hw_exp_vec); r[j] and e[j] (m each) receive r and
 * exp(-sqrt5 r).  Every kernel value of the model comes from here. */
static void matern52_row(double s2, double *restrict v, size_t m, double *restrict r,
                         double *restrict e)
{
    hw_sqrt_vec(v, r, m);
#pragma omp simd
    for (size_t j = 0; j < m; j++) e[j] = -SQRT5 * r[j];
    hw_exp_vec(e, e, m);
#pragma omp simd
    for (size_t j = 0; j < m; j++) v[j] = s2 * (1.0 + SQRT5 * r[j] + (5.0 / 3.0) * v[j]) * e[j];
}

static void gene_weights(const hw_gp *gp, const double *theta, double *w)
{
    for (int i = 0; i < gp->d; i++) w[i] = exp(-2.0 * theta[gp->ls_of[i]]);
}

/* r2[j] = r^2 = sum_i w_i t_i between a and the points j < m of XT
 * (gene-major, row stride s), with per-gene weights w_i = 1 / l_{g(i)}^2 and
 * t_i = (a_i - x_i)^2 (real gene) or [a_i != x_i] (categorical); summed gene
 * by gene (the order hw_gp_kernel uses), vectorised over the points. */
#define R2_COLS 8
static void r2_row(const hw_gp *gp, const double *w, const double *a, const double *XT, size_t s,
                   size_t m, double *restrict r2)
{
    /* R2_COLS points at a time, their sums in registers across the genes */
    size_t j0 = 0;
    for (; j0 + R2_COLS <= m; j0 += R2_COLS) {
        double acc[R2_COLS];
        for (int c = 0; c < R2_COLS; c++) acc[c] = 0.0;
        for (int g = 0; g < gp->d; g++) {
            const double *restrict col = XT + (size_t)g * s + j0;
            double ag = a[g], wg = w[g];
            if (gp->is_cat[g]) {
#pragma omp simd
                for (int c = 0; c < R2_COLS; c++) acc[c] += col[c] != ag ? wg : 0.0;
            } else {
#pragma omp simd
                for (int c = 0; c < R2_COLS; c++) { double t = ag - col[c]; acc[c] += wg * (t * t); }
            }
        }
        for (int c = 0; c < R2_COLS; c++) r2[j0 + c] = acc[c];
    }
    if (j0 == m) return;
    for (size_t j = j0; j < m; j++) r2[j] = 0.0;
    for (int g = 0; g < gp->d; g++) {
        const double *restrict col = XT + (size_t)g * s;
        double ag = a[g], wg = w[g];
        if (gp->is_cat[g]) {
#pragma omp simd
            for (size_t j = j0; j < m; j++) r2[j] += col[j] != ag ? wg : 0.0;
        } else {
#pragma omp simd
            for (size_t j = j0; j < m; j++) { double t = ag - col[j]; r2[j] += wg * (t * t); }
        }
    }
}

double hw_gp_kernel(const hw_gp *gp, const double *a, const double *b)
{
    double r2 = 0.0;
    for (int i = 0; i < gp->d; i++) {
        double t;
        if (gp->is_cat[i]) t = a[i] != b[i] ? 1.0 : 0.0;
        else { t = a[i] - b[i]; t *= t; }
        r2 += exp(-2.0 * gp->theta[gp->ls_of[i]]) * t;
    }
    double r, ex;
    matern52_row(exp(gp->theta[gp->n_ls]), &r2, 1, &r, &ex);
    return r2;
}

/* ---- dense kernels on row-major matrices with row stride s ------------ */

/* Solve L^T w = v in place (v -> w). */
static void backward_solve(const double *L, size_t n, size_t s, double *v)
{
    for (size_t i = n; i-- > 0;) {
        const double *ri = L + i * s;
        v[i] /= ri[i];
        double wi = v[i];
        for (size_t k = 0; k < i; k++) v[k] -= ri[k] * wi;
    }
}

/* Fill K(theta) + (noise + jit) I into A (lower triangle, stride s).  R, E
 * (n x n, lower triangle): r and exp(-sqrt5 r) of each pair, for the
 * gradient; or NULL, and then RE holds 2 n scratch values. */
static void fill_kernel(const hw_gp *gp, const double *theta, const double *w, double jit,
                        double *A, size_t s, double *R, double *E, double *RE)
{
    double s2 = exp(theta[gp->n_ls]), noise = exp(theta[gp->n_ls + 1]);
    size_t n = gp->n;
    for (size_t i = 0; i < n; i++) {
        double *ri = A + i * s;
        r2_row(gp, w, gp->X + i * (size_t)gp->d, gp->XT, gp->cap, i, ri);
        if (R) matern52_row(s2, ri, i, R + i * n, E + i * n);
        else matern52_row(s2, ri, i, RE, RE + n);
        ri[i] = s2 + noise + jit;
    }
}

/* Factorise K(theta) into A with increasing jitter; *jit gets the jitter used. */
static int factorise(const hw_gp *gp, const double *theta, const double *w, double *A, size_t s,
                     double *jit, double *R, double *E, double *RE)
{
    double base = exp(theta[gp->n_ls]) + exp(theta[gp->n_ls + 1]);
    double j = 0.0;
    for (int t = 0; t <= JITTER_TRIES; t++) {
        fill_kernel(gp, theta, w, j, A, s, R, E, RE);
        if (hw_cholesky_simd(A, gp->n, s) == 0) { *jit = j; return 0; }
        j = base * 1e-10 * pow(10.0, t);
    }
    return -1;
}

static void standardise(hw_gp *gp)
{
    size_t n = gp->n;
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++) m += gp->y[i];
    m = n ? m / (double)n : 0.0;
    for (size_t i = 0; i < n; i++) v += (gp->y[i] - m) * (gp->y[i] - m);
    double sd = n ? sqrt(v / (double)n) : 1.0;
    if (!(sd > 1e-12 * (fabs(m) + 1.0))) sd = 1.0;
    gp->y_mean = m;
    gp->y_std = sd;
    for (size_t i = 0; i < n; i++) gp->ys[i] = (gp->y[i] - m) / sd;
}

/* alpha and the LML from the current factor. */
static void solve_alpha(hw_gp *gp)
{
    size_t n = gp->n;
    memcpy(gp->alpha, gp->ys, n * sizeof *gp->alpha);
    hw_cholesky_forward(gp->L, n, gp->cap, gp->alpha);
    double quad = 0.0, logdet = 0.0;
    for (size_t i = 0; i < n; i++) {
        quad += gp->alpha[i] * gp->alpha[i];
        logdet += log(gp->L[i * gp->cap + i]);
    }
    backward_solve(gp->L, n, gp->cap, gp->alpha);
    gp->lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
}

static int refactorise(hw_gp *gp, hw_err *e)
{
    if (gp->n == 0) { gp->lml = 0.0; gp->jitter = 0.0; return HW_OK; }
    double *w = malloc(((size_t)gp->d + 2 * gp->n) * sizeof *w);
    if (!w) return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    gene_weights(gp, gp->theta, w);
    int rc = factorise(gp, gp->theta, w, gp->L, gp->cap, &gp->jitter, NULL, NULL, w + gp->d);
    free(w);
    if (rc != 0)
        return hw_fail(e, HW_ERANGE, "gp: kernel matrix of %zu points is not positive definite "
                                     "even with jitter (non-finite inputs?)", gp->n);
    standardise(gp);
    solve_alpha(gp);
    return HW_OK;
}

static int reserve(hw_gp *gp, size_t need, hw_err *e)
{
    if (need <= gp->cap) return HW_OK;
    size_t cap = gp->cap ? gp->cap : 16;
    while (cap < need) cap *= 2;
    size_t d = (size_t)gp->d;
    double *X = realloc(gp->X, cap * d * sizeof *X);
    if (X) gp->X = X;
    double *y = realloc(gp->y, cap * sizeof *y);
    if (y) gp->y = y;
    double *ys = realloc(gp->ys, cap * sizeof *ys);
    if (ys) gp->ys = ys;
    double *al = realloc(gp->alpha, cap * sizeof *al);
    if (al) gp->alpha = al;
    double *L = malloc(cap * cap * sizeof *L);
    double *XT = malloc(cap * d * sizeof *XT);
    if (!X || !y || !ys || !al || !L || !XT) {
        free(L); free(XT);
        return hw_fail(e, HW_ENOMEM, "gp: out of memory for %zu points", need);
    }
    for (size_t i = 0; i < gp->n; i++) memcpy(L + i * cap, gp->L + i * gp->cap, (i + 1) * sizeof *L);
    for (size_t g = 0; g < d && gp->n; g++) memcpy(XT + g * cap, gp->XT + g * gp->cap, gp->n * sizeof *XT);
    free(gp->L);
    gp->L = L;
    free(gp->XT);
    gp->XT = XT;
    gp->cap = cap;
    return HW_OK;
}

int hw_gp_set_theta(hw_gp *gp, const double *theta, hw_err *e)
{
    for (int k = 0; k < gp->n_ls + 2; k++)
        if (!isfinite(theta[k])) return hw_fail(e, HW_EINVAL, "gp: theta[%d] is not finite", k);
    memcpy(gp->theta, theta, (size_t)(gp->n_ls + 2) * sizeof *theta);
    return refactorise(gp, e);
}

static int check_row(const hw_gp *gp, const double *x, double y, size_t i, hw_err *e)
{
    for (int k = 0; k < gp->d; k++)
        if (!isfinite(x[k])) return hw_fail(e, HW_EINVAL, "gp: input %zu gene %d is not finite", i, k);
    if (!isfinite(y)) return hw_fail(e, HW_EINVAL, "gp: target %zu is not finite", i);
    return HW_OK;
}

int hw_gp_set_data(hw_gp *gp, const double *X, const double *y, size_t n, hw_err *e)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_row(gp, X + i * (size_t)gp->d, y[i], i, e);
        if (rc) return rc;
    }
    int rc = reserve(gp, n, e);
    if (rc) return rc;
    if (n) {
        memcpy(gp->X, X, n * (size_t)gp->d * sizeof *X);
        memcpy(gp->y, y, n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            for (int g = 0; g < gp->d; g++) gp->XT[(size_t)g * gp->cap + i] = X[i * (size_t)gp->d + (size_t)g];
    }
    gp->n = n;
    return refactorise(gp, e);
}

int hw_gp_add(hw_gp *gp, const double *x, double y, hw_err *e)
{
    int rc = check_row(gp, x, y, gp->n, e);
    if (rc) return rc;
    rc = reserve(gp, gp->n + 1, e);
    if (rc) return rc;
    size_t n = gp->n, s = gp->cap, d = (size_t)gp->d;
    memcpy(gp->X + n * d, x, d * sizeof *x);
    for (size_t g = 0; g < d; g++) gp->XT[g * s + n] = x[g];
    gp->y[n] = y;
    double *w = malloc((d + 2 * n) * sizeof *w);
    if (!w) return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    gene_weights(gp, gp->theta, w);
    double s2 = exp(gp->theta[gp->n_ls]), noise = exp(gp->theta[gp->n_ls + 1]);
    double *row = gp->L + n * s;
    r2_row(gp, w, x, gp->XT, s, n, row);
    matern52_row(s2, row, n, w + d, w + d + n);
    free(w);
    hw_cholesky_forward(gp->L, n, s, row);
    double sum = s2 + noise + gp->jitter;
    for (size_t j = 0; j < n; j++) sum -= row[j] * row[j];
    gp->n = n + 1;
    if (sum > 1e-12 * (s2 + noise) && isfinite(sum)) {
        row[n] = sqrt(sum);
        standardise(gp);
        solve_alpha(gp);
        return HW_OK;
    }
    return refactorise(gp, e); /* near-duplicate point: full factorisation with jitter */
}

int hw_gp_truncate(hw_gp *gp, size_t n, hw_err *e)
{
    if (n > gp->n) return hw_fail(e, HW_EINVAL, "gp: cannot truncate %zu points to %zu", gp->n, n);
    gp->n = n;
    if (n == 0) { gp->lml = 0.0; return HW_OK; }
    standardise(gp);
    solve_alpha(gp);
    return HW_OK;
}

/* ---- log marginal likelihood and gradient ---------------------------- */

typedef struct {
    double *A;   /* n x n: factor, then L^-1 */
    double *B;   /* n x n: K^-1 */
    double *R;   /* n x n: r of each pair (lower triangle) */
    double *E;   /* n x n: exp(-sqrt5 r) of each pair */
    double *a;   /* n */
    double *c;   /* n: per-pair length-scale gradient factors of one row */
    double *ct;  /* n: scratch */
    double *w;   /* d */
    double *gg;  /* d: per-gene gradient sums */
    double *wg;  /* n_ls: 1 / l_g^2 */
    /* The last theta evaluated: L-BFGS's line search asks for the LML at a
     * trial point and, if it accepts the point, for the gradient there
     * afterwards; the factorisation (A, R, E, a) is kept for that call, and
     * the gradient, once computed, too. */
    double *theta_at;   /* n_theta */
    double *grad_at;    /* n_theta */
    double lml_at;
    int have;           /* 0: nothing cached; 1: factor of theta_at in A; 2: and grad_at */
} lml_work;

static void work_free(lml_work *ws)
{
    free(ws->A); free(ws->B); free(ws->R); free(ws->E); free(ws->a); free(ws->c); free(ws->ct);
    free(ws->w); free(ws->gg); free(ws->wg); free(ws->theta_at); free(ws->grad_at);
}

static int work_alloc(const hw_gp *gp, lml_work *ws, hw_err *e)
{
    size_t n = gp->n ? gp->n : 1;
    ws->A = malloc(n * n * sizeof(double));
    ws->B = malloc(n * n * sizeof(double));
    ws->R = malloc(n * n * sizeof(double));
    ws->E = malloc(n * n * sizeof(double));
    ws->a = malloc(n * sizeof(double));
    ws->c = malloc(n * sizeof(double));
    ws->ct = malloc(n * sizeof(double));
    ws->w = malloc((size_t)gp->d * sizeof(double));
    ws->gg = malloc((size_t)gp->d * sizeof(double));
    ws->wg = malloc((size_t)gp->n_ls * sizeof(double));
    ws->theta_at = malloc((size_t)(gp->n_ls + 2) * sizeof(double));
    ws->grad_at = malloc((size_t)(gp->n_ls + 2) * sizeof(double));
    ws->have = 0;
    if (!ws->A || !ws->B || !ws->R || !ws->E || !ws->a || !ws->c || !ws->ct || !ws->w || !ws->gg ||
        !ws->wg || !ws->theta_at || !ws->grad_at) {
        work_free(ws);
        return hw_fail(e, HW_ENOMEM, "gp: out of memory for %zu points", gp->n);
    }
    return HW_OK;
}

/* sum_j c_j t(a, col_j) over m points: t = [col_j != a] (categorical) or
 * (a - col_j)^2; ct: m scratch values. */
static double gene_sum(const double *restrict c, const double *restrict col, double a, size_t m,
                       int cat, double *restrict ct)
{
    double acc = 0.0;
    (void)ct;
    if (cat) { /* c_j times the 0/1 mismatch */
#pragma omp simd reduction(+ : acc)
        for (size_t j = 0; j < m; j++) { double t = col[j] != a ? 1.0 : 0.0; acc += c[j] * t; }
    } else {
#pragma omp simd reduction(+ : acc)
        for (size_t j = 0; j < m; j++) { double t = a - col[j]; acc += c[j] * (t * t); }
    }
    return acc;
}

/* Stage 1: factorise K(theta) into ws->A (with r and exp(-sqrt5 r) of each
 * pair in R, E, for the gradient), alpha into ws->a, the LML.  Returns -1
 * when K cannot be factorised even with jitter. */
static int lml_factor(const hw_gp *gp, const double *theta, lml_work *ws, double *lml)
{
    size_t n = gp->n;
    gene_weights(gp, theta, ws->w);
    double jit;
    if (factorise(gp, theta, ws->w, ws->A, n, &jit, ws->R, ws->E, NULL) != 0) return -1;
    double *A = ws->A, *al = ws->a;
    memcpy(al, gp->ys, n * sizeof *al);
    hw_cholesky_forward(A, n, n, al);
    double quad = 0.0, logdet = 0.0;
    for (size_t i = 0; i < n; i++) { quad += al[i] * al[i]; logdet += log(A[i * n + i]); }
    backward_solve(A, n, n, al);
    *lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
    return 0;
}

static void lml_gradient(const hw_gp *gp, const double *theta, lml_work *ws, double *grad);

/* LML at theta and (grad != NULL) d LML / d theta.  Returns -1 when K cannot
 * be factorised even with jitter.  A repeated theta reuses the last call's
 * factorisation (and gradient): the values are those of a fresh call. */
static int lml_eval(const hw_gp *gp, const double *theta, lml_work *ws, double *lml, double *grad)
{
    size_t n = gp->n;
    int nt = gp->n_ls + 2;
    if (n == 0) {
        if (grad) for (int k = 0; k < nt; k++) grad[k] = 0.0;
        *lml = 0.0;
        return 0;
    }
    int same = ws->have && memcmp(theta, ws->theta_at, (size_t)nt * sizeof *theta) == 0;
    if (!same) {
        ws->have = 0;
        if (lml_factor(gp, theta, ws, &ws->lml_at) != 0) return -1;
        memcpy(ws->theta_at, theta, (size_t)nt * sizeof *theta);
        ws->have = 1;
    }
    *lml = ws->lml_at;
    if (!grad) return 0;
    if (ws->have < 2) {
        lml_gradient(gp, theta, ws, ws->grad_at); /* overwrites A with L^-1 */
        ws->have = 2;
    }
    memcpy(grad, ws->grad_at, (size_t)nt * sizeof *grad);
    return 0;
}

/* L^-1 in place of A (n x n, stride n; B: n rows of scratch): row i of L^-1
 * is (e_i - sum_{k<i} l_ik (row k of L^-1)) / l_ii, summed in increasing k;
 * two rows at a time, so each earlier row is read once for both. */
static void inverse_factor(double *A, double *B, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        double *restrict t0 = B + i * n, *restrict t1 = B + (i + 1) * n;
        for (size_t j = 0; j <= i + 1; j++) { t0[j] = 0.0; t1[j] = 0.0; }
        t0[i] = 1.0;
        t1[i + 1] = 1.0;
        const double *l0 = A + i * n, *l1 = A + (i + 1) * n;
        for (size_t k = 0; k < i; k++) {
            double c0 = l0[k], c1 = l1[k];
            const double *restrict rk = A + k * n; /* already L^-1 row k */
#pragma omp simd
            for (size_t j = 0; j <= k; j++) { t0[j] -= c0 * rk[j]; t1[j] -= c1 * rk[j]; }
        }
        double inv0 = 1.0 / l0[i], c1 = l1[i], inv1 = 1.0 / l1[i + 1];
        double *restrict r0 = A + i * n, *restrict r1 = A + (i + 1) * n;
        for (size_t j = 0; j <= i; j++) r0[j] = t0[j] * inv0; /* row i of L^-1 */
        for (size_t j = 0; j <= i; j++) t1[j] -= c1 * r0[j];
        for (size_t j = 0; j <= i + 1; j++) r1[j] = t1[j] * inv1;
    }
    for (; i < n; i++) {
        double *restrict t = B + i * n;
        for (size_t j = 0; j <= i; j++) t[j] = 0.0;
        t[i] = 1.0;
        const double *li = A + i * n;
        for (size_t k = 0; k < i; k++) {
            double c = li[k];
            const double *restrict rk = A + k * n;
#pragma omp simd
            for (size_t j = 0; j <= k; j++) t[j] -= c * rk[j];
        }
        double inv = 1.0 / li[i];
        double *ri = A + i * n;
        for (size_t j = 0; j <= i; j++) ri[j] = t[j] * inv;
    }
}

/* Lower triangle of K^-1 = sum_k (row k of L^-1)^T (row k of L^-1) into B
 * (A holds L^-1), summed in increasing k; two k at a time, so each entry of
 * B is loaded and stored once for both. */
static void kinv_lower(const double *A, double *B, size_t n)
{
    for (size_t i = 0; i < n; i++) for (size_t j = 0; j <= i; j++) B[i * n + j] = 0.0;
    size_t k = 0;
    for (; k + 2 <= n; k += 2) {
        const double *restrict r0 = A + k * n, *restrict r1 = A + (k + 1) * n;
        for (size_t i = 0; i <= k; i++) {
            double c0 = r0[i], c1 = r1[i];
            double *restrict bi = B + i * n;
#pragma omp simd
            for (size_t j = 0; j <= i; j++) { bi[j] += c0 * r0[j]; bi[j] += c1 * r1[j]; }
        }
        double c1 = r1[k + 1];
        double *restrict bi = B + (k + 1) * n;
        for (size_t j = 0; j <= k + 1; j++) bi[j] += c1 * r1[j];
    }
    for (; k < n; k++) {
        const double *restrict rk = A + k * n;
        for (size_t i = 0; i <= k; i++) {
            double c = rk[i];
            double *restrict bi = B + i * n;
#pragma omp simd
            for (size_t j = 0; j <= i; j++) bi[j] += c * rk[j];
        }
    }
}

/* Stage 2: d LML / d theta from stage 1's factorisation (A becomes L^-1). */
static void lml_gradient(const hw_gp *gp, const double *theta, lml_work *ws, double *grad)
{
    size_t n = gp->n;
    int nt = gp->n_ls + 2;
    for (int k = 0; k < nt; k++) grad[k] = 0.0;
    double *A = ws->A, *al = ws->a;
    double *B = ws->B;
    inverse_factor(A, B, n);
    kinv_lower(A, B, n);
    /* dLML/dtheta = 1/2 sum_ij W_ij dK_ij, W = alpha alpha^T - K^-1. */
    double s2 = exp(theta[gp->n_ls]), noise = exp(theta[gp->n_ls + 1]);
    double g_s2 = 0.0, g_noise = 0.0;
    double *wg = ws->wg;
    for (int g = 0; g < gp->n_ls; g++) wg[g] = exp(-2.0 * theta[g]);
    /* d K_ij / d log l_g = c_ij D_g(i, j) / l_g^2 with
     * c_ij = s2 (5/3)(1 + sqrt5 r) exp(-sqrt5 r): per row i, the factors c_ij
     * first, then per gene the sum over j of c_ij times the gene's distance
     * (vectorised over j through the gene-major copy of X). */
    double *restrict cr = ws->c, *restrict ct = ws->ct, *gg = ws->gg;
    for (int g = 0; g < gp->d; g++) gg[g] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *xi = gp->X + i * (size_t)gp->d;
        const double *Ri = ws->R + i * n, *Ei = ws->E + i * n, *Bi = B + i * n;
        double gs = 0.0;
#pragma omp simd reduction(+ : gs)
        for (size_t j = 0; j < i; j++) {
            double W = 2.0 * (al[i] * al[j] - Bi[j]); /* both triangles */
            double r = Ri[j], ex = Ei[j];
            gs += W * s2 * (1.0 + SQRT5 * r + (5.0 / 3.0) * (r * r)) * ex;
            cr[j] = W * s2 * (5.0 / 3.0) * (1.0 + SQRT5 * r) * ex;
        }
        g_s2 += gs;
        for (int g = 0; g < gp->d; g++) {
            const double *col = gp->XT + (size_t)g * gp->cap;
            double ag = xi[g], acc = 0.0;
            acc = gene_sum(cr, col, ag, i, gp->is_cat[g], ct);
            gg[g] += acc;
        }
        double W = al[i] * al[i] - B[i * n + i];
        g_s2 += W * s2;
        g_noise += W * noise;
    }
    for (int g = 0; g < gp->d; g++) grad[gp->ls_of[g]] += gg[g] * wg[gp->ls_of[g]];
    for (int g = 0; g < gp->n_ls; g++) grad[g] *= 0.5;
    grad[gp->n_ls] = 0.5 * g_s2;
    grad[gp->n_ls + 1] = 0.5 * g_noise;
}

int hw_gp_lml_at(const hw_gp *gp, const double *theta, double *lml, double *grad, hw_err *e)
{
    lml_work ws;
    int rc = work_alloc(gp, &ws, e);
    if (rc) return rc;
    if (lml_eval(gp, theta, &ws, lml, grad) != 0) {
        work_free(&ws);
        return hw_fail(e, HW_ERANGE, "gp: kernel matrix not positive definite at this theta");
    }
    work_free(&ws);
    return HW_OK;
}

/* ---- fitting ----------------------------------------------------------- */

typedef struct {
    const hw_gp *gp;
    lml_work *ws;
    double *theta, *grad; /* n_theta scratch */
} fit_ctx;

static void theta_box(const hw_gp *gp, int k, double *lo, double *hi)
{
    if (k < gp->n_ls) { *lo = HW_GP_LOG_LS_LO; *hi = HW_GP_LOG_LS_HI; }
    else if (k == gp->n_ls) { *lo = HW_GP_LOG_S2_LO; *hi = HW_GP_LOG_S2_HI; }
    else { *lo = HW_GP_LOG_NOISE_LO; *hi = HW_GP_LOG_NOISE_HI; }
}

/* L-BFGS stops at |grad| < FIT_GRAD_TOL or after 3 steps each gaining less
 * than FIT_F_TOL * max(1, |LML|) nats: smaller gains do not change the model
 * noticeably. */
#define FIT_GRAD_TOL 1e-3
#define FIT_F_TOL 1e-4
/* random thetas screened by LML for each random restart */
#define FIT_SCREEN 16

/* L-BFGS works on unconstrained phi with theta = lo + (hi - lo) sigmoid(phi),
 * so theta never leaves its box. */
static double phi_to_theta(double phi, double lo, double hi)
{
    return lo + (hi - lo) / (1.0 + exp(-phi));
}

static double theta_to_phi(double t, double lo, double hi)
{
    double u = (t - lo) / (hi - lo);
    u = fmin(fmax(u, 1e-6), 1.0 - 1e-6);
    return log(u / (1.0 - u));
}

/* Objective minimised by L-BFGS: -LML(theta(phi)). */
static void fit_fdf(const gsl_vector *v, void *params, double *f, gsl_vector *df)
{
    fit_ctx *c = params;
    const hw_gp *gp = c->gp;
    int nt = gp->n_ls + 2;
    int ok = 1;
    for (int k = 0; k < nt; k++) {
        double lo, hi, phi = gsl_vector_get(v, (size_t)k);
        theta_box(gp, k, &lo, &hi);
        if (!isfinite(phi)) ok = 0;
        c->theta[k] = phi_to_theta(phi, lo, hi);
    }
    double lml = 0.0;
    /* the line search asks for the value alone at trial points: no gradient
     * then (lml_eval keeps the factorisation should it be asked next) */
    double *grad = df ? c->grad : NULL;
    if (ok) ok = lml_eval(gp, c->theta, c->ws, &lml, grad) == 0 && isfinite(lml);
    if (!ok) {
        /* Unusable point (only if K fails even with jitter): a large finite value. */
        if (f) *f = 1e100;
        if (df) for (int k = 0; k < nt; k++) gsl_vector_set(df, (size_t)k, 0.0);
        return;
    }
    lml += log_prior(gp, c->theta, grad);
    if (f) *f = -lml;
    if (df)
        for (int k = 0; k < nt; k++) {
            double lo, hi, t = c->theta[k];
            theta_box(gp, k, &lo, &hi);
            gsl_vector_set(df, (size_t)k, -c->grad[k] * (t - lo) * (hi - t) / (hi - lo));
        }
}

static double fit_f(const gsl_vector *v, void *params)
{
    double f;
    fit_fdf(v, params, &f, NULL);
    return f;
}

static void fit_df(const gsl_vector *v, void *params, gsl_vector *df)
{
    double f;
    fit_fdf(v, params, &f, df);
}

/* One L-BFGS run from x0 (in/out); *best_f gets the final objective. */
static void fit_run(gsl_multimin_fdfminimizer *mz, gsl_multimin_function_fdf *fn, gsl_vector *x0,
                    int max_iter, double *out_f)
{
    gsl_multimin_fdfminimizer_set(mz, fn, x0, 0.1, 0.1);
    double last = gsl_multimin_fdfminimizer_minimum(mz);
    int flat = 0;
    for (int it = 0; it < max_iter; it++) {
        if (gsl_multimin_fdfminimizer_iterate(mz) != GSL_SUCCESS) break;
        if (gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(mz), FIT_GRAD_TOL) == GSL_SUCCESS)
            break;
        /* stop after 3 iterations that each gain less than FIT_F_TOL nats
         * (relative to |LML| once it exceeds 1) */
        double f = gsl_multimin_fdfminimizer_minimum(mz);
        flat = last - f < FIT_F_TOL * fmax(1.0, fabs(f)) ? flat + 1 : 0;
        last = f;
        if (flat >= 3) break;
    }
    gsl_vector_memcpy(x0, gsl_multimin_fdfminimizer_x(mz));
    *out_f = gsl_multimin_fdfminimizer_minimum(mz);
}

int hw_gp_fit(hw_gp *gp, int restarts, int max_iter, hw_rng *r, hw_err *e)
{
    if (gp->n < 2) return refactorise(gp, e);
    int nt = gp->n_ls + 2;
    lml_work ws;
    int rc = work_alloc(gp, &ws, e);
    if (rc) return rc;
    double *buf = malloc(3 * (size_t)nt * sizeof *buf);
    gsl_vector *x = gsl_vector_alloc((size_t)nt);
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)nt);
    if (!buf || !x || !mz) {
        free(buf); if (x) gsl_vector_free(x); if (mz) gsl_multimin_fdfminimizer_free(mz);
        work_free(&ws);
        return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    }
    fit_ctx ctx = {gp, &ws, buf, buf + nt};
    double *best = buf + 2 * nt, best_f = INFINITY;
    gsl_multimin_function_fdf fn = {fit_f, fit_df, fit_fdf, (size_t)nt, &ctx};
    double *cand = malloc((size_t)nt * sizeof *cand);
    if (!cand) {
        free(buf); gsl_vector_free(x); gsl_multimin_fdfminimizer_free(mz); work_free(&ws);
        return hw_fail(e, HW_ENOMEM, "gp: out of memory");
    }
    for (int s = 0; s <= restarts; s++) {
        /* start 0: the current theta; start s > 0: the best (by LML) of
         * FIT_SCREEN random thetas, so each L-BFGS run starts somewhere sensible */
        double start_lml = -INFINITY;
        for (int t = 0; t < (s == 0 ? 1 : FIT_SCREEN); t++) {
            for (int k = 0; k < nt; k++) {
                if (s == 0) cand[k] = gp->theta[k];
                else if (k < gp->n_ls) cand[k] = log(0.05) + (log(5.0) - log(0.05)) * hw_rng_uniform(r);
                else if (k == gp->n_ls) cand[k] = log(0.3) + (log(3.0) - log(0.3)) * hw_rng_uniform(r);
                else cand[k] = log(1e-6) + (log(1e-1) - log(1e-6)) * hw_rng_uniform(r);
            }
            double l = -INFINITY;
            if (s > 0 && (lml_eval(gp, cand, &ws, &l, NULL) != 0 || !isfinite(l))) continue;
            l += log_prior(gp, cand, NULL);
            if (s == 0 || l > start_lml) {
                start_lml = l;
                for (int k = 0; k < nt; k++) {
                    double lo, hi;
                    theta_box(gp, k, &lo, &hi);
                    gsl_vector_set(x, (size_t)k, theta_to_phi(cand[k], lo, hi));
                }
            }
        }
        if (s > 0 && start_lml == -INFINITY) continue;
        double f;
        fit_run(mz, &fn, x, s == 0 ? max_iter : (max_iter + 1) / 2, &f);
        if (f < best_f) {
            best_f = f;
            for (int k = 0; k < nt; k++) {
                double lo, hi;
                theta_box(gp, k, &lo, &hi);
                best[k] = phi_to_theta(gsl_vector_get(x, (size_t)k), lo, hi);
            }
        }
    }
    if (isfinite(best_f)) {
        for (int k = 0; k < nt; k++) {
            double lo, hi;
            theta_box(gp, k, &lo, &hi);
            gp->theta[k] = fmin(fmax(best[k], lo), hi);
        }
    }
    gsl_multimin_fdfminimizer_free(mz);
    gsl_vector_free(x);
    free(buf);
    free(cand);
    work_free(&ws);
    return refactorise(gp, e);
}

/* ---- prediction -------------------------------------------------------- */

/* V <- L^-1 V for the b columns of V (n rows of stride PREDICT_BLOCK), and
 * q[c] += sum_i V[i][c]^2.  Each entry is updated as
 * v_i -= l_ik v_k in increasing k, then scaled by 1 / l_ii (the row-by-row
 * substitution); the columns are taken PREDICT_COLS at a time and the rows
 * two at a time so the running values stay in registers. */
#define PREDICT_COLS 8
static void forward_block(const double *L, size_t s, size_t n, double *V, size_t b, double *q)
{
    size_t c0 = 0;
    for (; c0 + PREDICT_COLS <= b; c0 += PREDICT_COLS) {
        size_t i = 0;
        for (; i + 2 <= n; i += 2) {
            const double *l0 = L + i * s, *l1 = l0 + s;
            double *v0 = V + i * PREDICT_BLOCK + c0, *v1 = v0 + PREDICT_BLOCK;
            double a0[PREDICT_COLS], a1[PREDICT_COLS];
            for (int c = 0; c < PREDICT_COLS; c++) { a0[c] = v0[c]; a1[c] = v1[c]; }
            for (size_t k = 0; k < i; k++) {
                const double *vk = V + k * PREDICT_BLOCK + c0;
                double x0 = l0[k], x1 = l1[k];
#pragma omp simd
                for (int c = 0; c < PREDICT_COLS; c++) { a0[c] -= x0 * vk[c]; a1[c] -= x1 * vk[c]; }
            }
            double inv0 = 1.0 / l0[i];
            for (int c = 0; c < PREDICT_COLS; c++) a0[c] *= inv0;
            double x1 = l1[i], inv1 = 1.0 / l1[i + 1];
            for (int c = 0; c < PREDICT_COLS; c++) { a1[c] -= x1 * a0[c]; a1[c] *= inv1; }
            for (int c = 0; c < PREDICT_COLS; c++) {
                v0[c] = a0[c]; q[c0 + c] += a0[c] * a0[c];
                v1[c] = a1[c]; q[c0 + c] += a1[c] * a1[c];
            }
        }
        for (; i < n; i++) {
            const double *l0 = L + i * s;
            double *v0 = V + i * PREDICT_BLOCK + c0;
            double a0[PREDICT_COLS];
            for (int c = 0; c < PREDICT_COLS; c++) a0[c] = v0[c];
            for (size_t k = 0; k < i; k++) {
                const double *vk = V + k * PREDICT_BLOCK + c0;
                double x0 = l0[k];
#pragma omp simd
                for (int c = 0; c < PREDICT_COLS; c++) a0[c] -= x0 * vk[c];
            }
            double inv0 = 1.0 / l0[i];
            for (int c = 0; c < PREDICT_COLS; c++) { a0[c] *= inv0; v0[c] = a0[c]; q[c0 + c] += a0[c] * a0[c]; }
        }
    }
    for (size_t i = 0; c0 < b && i < n; i++) { /* the last b - c0 < PREDICT_COLS columns */
        const double *li = L + i * s;
        double *vi = V + i * PREDICT_BLOCK;
        for (size_t k = 0; k < i; k++) {
            double lk = li[k];
            const double *vk = V + k * PREDICT_BLOCK;
            for (size_t c = c0; c < b; c++) vi[c] -= lk * vk[c];
        }
        double inv = 1.0 / li[i];
        for (size_t c = c0; c < b; c++) { vi[c] *= inv; q[c] += vi[c] * vi[c]; }
    }
}

int hw_gp_predict(const hw_gp *gp, const double *Xs, size_t m, double *mean, double *var,
                  hw_err *e)
{
    size_t n = gp->n, d = (size_t)gp->d, s = gp->cap;
    double s2 = exp(gp->theta[gp->n_ls]);
    if (n == 0) {
        for (size_t c = 0; c < m; c++) {
            mean[c] = gp->y_mean;
            if (var) var[c] = s2 * gp->y_std * gp->y_std;
        }
        return HW_OK;
    }
    double *w = malloc(d * sizeof *w);
    double *V = malloc(n * PREDICT_BLOCK * sizeof *V);
    double *XsT = malloc(d * PREDICT_BLOCK * sizeof *XsT); /* the block, gene-major */
    if (!w || !V || !XsT) { free(w); free(V); free(XsT); return hw_fail(e, HW_ENOMEM, "gp: out of memory"); }
    gene_weights(gp, gp->theta, w);
    for (size_t c0 = 0; c0 < m; c0 += PREDICT_BLOCK) {
        size_t b = m - c0 < PREDICT_BLOCK ? m - c0 : PREDICT_BLOCK;
        for (size_t c = 0; c < b; c++)
            for (size_t g = 0; g < d; g++) XsT[g * PREDICT_BLOCK + c] = Xs[(c0 + c) * d + g];
        /* V[i][c] = k(X_i, xs_c) */
        for (size_t i = 0; i < n; i++) {
            double *vi = V + i * PREDICT_BLOCK, rb[PREDICT_BLOCK], eb[PREDICT_BLOCK];
            r2_row(gp, w, gp->X + i * d, XsT, PREDICT_BLOCK, b, vi);
            matern52_row(s2, vi, b, rb, eb);
        }
        double mu[PREDICT_BLOCK], q[PREDICT_BLOCK];
        for (size_t c = 0; c < b; c++) { mu[c] = 0.0; q[c] = 0.0; }
        for (size_t i = 0; i < n; i++) {
            const double *vi = V + i * PREDICT_BLOCK;
            for (size_t c = 0; c < b; c++) mu[c] += gp->alpha[i] * vi[c];
        }
        if (var) forward_block(gp->L, s, n, V, b, q);
        for (size_t c = 0; c < b; c++) {
            mean[c0 + c] = gp->y_mean + gp->y_std * mu[c];
            if (var) {
                double v = s2 - q[c];
                var[c0 + c] = (v > 0.0 ? v : 0.0) * gp->y_std * gp->y_std;
            }
        }
    }
    free(w);
    free(V);
    free(XsT);
    return HW_OK;
}
