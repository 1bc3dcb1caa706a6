#include "benchmark/testproblems.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/numeric.h"

#define PI 3.14159265358979323846

enum { FAMILY_ZDT = 0, FAMILY_DTLZ = 1 };
#define MAX_PIECES 16

typedef struct {
    hw_problem p;             /* first member: the hw_problem* is the struct */
    int family, which;
    char name[16];
    hw_var *vars;
    char obj_name[HW_MAX_OBJ][12];
    const char *obj_name_ptr[HW_MAX_OBJ];
    double ref[HW_MAX_OBJ];
} testprob;

/* ---------------------------------------------------------------- ZDT ---- */

/* f2 on the front (g = 1) as a function of f1. */
static double zdt_front_f2(int which, double f1)
{
    switch (which) {
    case HW_ZDT2: case HW_ZDT6: return 1.0 - f1 * f1;
    case HW_ZDT3: return 1.0 - sqrt(f1) - f1 * sin(10.0 * PI * f1);
    default: return 1.0 - sqrt(f1);
    }
}

void hw_zdt_eval(int which, const double *x, int n, double *f)
{
    double s = 0.0, g;
    if (which == HW_ZDT4) {
        for (int i = 1; i < n; i++) s += x[i] * x[i] - 10.0 * cos(4.0 * PI * x[i]);
        g = 1.0 + 10.0 * (n - 1) + s;
    } else {
        for (int i = 1; i < n; i++) s += x[i];
        g = which == HW_ZDT6 ? 1.0 + 9.0 * pow(s / (n - 1), 0.25) : 1.0 + 9.0 * s / (n - 1);
    }
    double f1 = x[0];
    if (which == HW_ZDT6) {
        double sn = sin(6.0 * PI * x[0]);
        f1 = 1.0 - exp(-4.0 * x[0]) * sn * sn * sn * sn * sn * sn;
    }
    double r = f1 / g, h;
    switch (which) {
    case HW_ZDT2: case HW_ZDT6: h = 1.0 - r * r; break;
    case HW_ZDT3: h = 1.0 - sqrt(r) - r * sin(10.0 * PI * f1); break;
    default: h = 1.0 - sqrt(r); break;
    }
    f[0] = f1;
    f[1] = g * h;
}

/* Minimise a function on [a, b] by golden-section search (unimodal there). */
static double golden_min(double (*fn)(double), double a, double b)
{
    const double invphi = 0.61803398874989484820;
    double c = b - invphi * (b - a), d = a + invphi * (b - a);
    double fc = fn(c), fd = fn(d);
    for (int it = 0; it < 200 && b - a > 1e-16; it++) {
        if (fc < fd) { b = d; d = c; fd = fc; c = b - invphi * (b - a); fc = fn(c); }
        else { a = c; c = d; fc = fd; d = a + invphi * (b - a); fd = fn(d); }
    }
    return 0.5 * (a + b);
}

/* The set {t in [0,1] : fn(t) < fn(s) for every s < t} (the "record lows" of
 * fn) as a union of intervals: a grid finds them, then each right end is
 * refined to its local minimum and each later left end to the point where fn
 * falls below the previous record again (the returned left end is on the
 * strictly-below side, so it is itself non-dominated). */
static int record_pieces(double (*fn)(double), double *lo, double *hi, int max)
{
    enum { N = 20000 };
    double best = fn(0.0);
    int n = 0, in = 1;
    lo[0] = 0.0;
    for (int i = 1; i <= N && n < max; i++) {
        double t = (double)i / N, v = fn(t);
        if (v < best) {
            if (!in) {
                double a = (double)(i - 1) / N, b = t;
                for (int it = 0; it < 200 && b - a > 0; it++) {
                    double m = 0.5 * (a + b);
                    if (m <= a || m >= b) break;
                    if (fn(m) < best) b = m; else a = m;
                }
                lo[n] = b;
                in = 1;
            }
            best = v;
        } else if (in) {
            double tm = golden_min(fn, (double)(i > 1 ? i - 2 : 0) / N, t);
            hi[n] = tm;
            best = fmin(best, fn(tm));
            n++;
            in = 0;
        }
    }
    if (in && n < max) { hi[n] = 1.0; n++; }
    return n;
}

static double zdt3_h(double t) { return zdt_front_f2(HW_ZDT3, t); }
static double dtlz7_neg_phi(double t) { return -t * (1.0 + sin(3.0 * PI * t)); }
static double zdt6_f1(double t)
{
    double s = sin(6.0 * PI * t);
    return 1.0 - exp(-4.0 * t) * s * s * s * s * s * s;
}

int hw_zdt3_pieces(double *lo, double *hi, int max) { return record_pieces(zdt3_h, lo, hi, max); }
int hw_dtlz7_pieces(double *lo, double *hi, int max) { return record_pieces(dtlz7_neg_phi, lo, hi, max); }
/* exp(-4t) sin^6(6 pi t) has its largest hump on [0, 1/6]: later humps are
 * damped by exp(-4t). */
double hw_zdt6_f1_min(void) { return zdt6_f1(golden_min(zdt6_f1, 0.0, 1.0 / 6.0)); }

/* Map s in [0, total length] onto the union of pieces. */
static double piece_point(const double *lo, const double *hi, int np, double s)
{
    for (int i = 0; i < np; i++) {
        double len = hi[i] - lo[i];
        if (s <= len || i == np - 1) return fmin(lo[i] + s, hi[i]);
        s -= len;
    }
    return hi[np - 1];
}

static int zdt_true_front(const hw_problem *p, size_t n, double **pts, size_t *n_out, hw_err *e)
{
    const testprob *tp = (const testprob *)p;
    if (n < 2) return hw_fail(e, HW_EINVAL, "%s: true front needs at least 2 points, asked for %zu", p->name, n);
    double *f = malloc(n * 2 * sizeof *f);
    if (!f) return hw_fail(e, HW_ENOMEM, "%s: out of memory for %zu front points", p->name, n);
    double lo[MAX_PIECES], hi[MAX_PIECES];
    int np = 1;
    lo[0] = 0.0; hi[0] = 1.0;
    if (tp->which == HW_ZDT3) np = hw_zdt3_pieces(lo, hi, MAX_PIECES);
    if (tp->which == HW_ZDT6) lo[0] = hw_zdt6_f1_min();
    double total = 0.0;
    for (int i = 0; i < np; i++) total += hi[i] - lo[i];
    for (size_t j = 0; j < n; j++) {
        double s = j == n - 1 ? total : total * (double)j / (double)(n - 1);
        double f1 = piece_point(lo, hi, np, s);
        f[2 * j] = f1;
        f[2 * j + 1] = zdt_front_f2(tp->which, f1);
    }
    *pts = f;
    *n_out = n;
    return HW_OK;
}

/* HV of the 2-D front f2 = h(f1), f1 in [a, 1], h decreasing with h(1) = 0:
 * int_a^r1 (r2 - h(min(t,1)))^+ dt, split at f1 = 1 and at h(c) = r2.
 * H is an antiderivative of h, hinv its inverse on [0, h(a)]. */
static double hv_front_curve(double a, double (*h)(double), double (*H)(double),
                             double (*hinv)(double), const double *ref)
{
    double r1 = ref[0], r2 = ref[1];
    if (!(r1 > a) || !(r2 > 0.0)) return 0.0;
    double b = fmin(r1, 1.0);
    double c = r2 < h(a) ? fmax(a, hinv(r2)) : a;
    double v = 0.0;
    if (c < b) v += r2 * (b - c) - (H(b) - H(c));
    if (r1 > 1.0) v += (r1 - 1.0) * r2;
    return v;
}

static double h_sqrt(double t) { return 1.0 - sqrt(t); }
static double H_sqrt(double t) { return t - 2.0 / 3.0 * t * sqrt(t); }
static double hinv_sqrt(double y) { return (1.0 - y) * (1.0 - y); }
static double h_sq(double t) { return 1.0 - t * t; }
static double H_sq(double t) { return t - t * t * t / 3.0; }
static double hinv_sq(double y) { return sqrt(1.0 - y); }

static double zdt_true_front_hv(const hw_problem *p, const double *ref)
{
    const testprob *tp = (const testprob *)p;
    switch (tp->which) {
    case HW_ZDT1: case HW_ZDT4: return hv_front_curve(0.0, h_sqrt, H_sqrt, hinv_sqrt, ref);
    case HW_ZDT2: return hv_front_curve(0.0, h_sq, H_sq, hinv_sq, ref);
    case HW_ZDT6: return hv_front_curve(hw_zdt6_f1_min(), h_sq, H_sq, hinv_sq, ref);
    default: return -1.0;
    }
}

/* --------------------------------------------------------------- DTLZ ---- */

static double dtlz_g_rastrigin(const double *xm, int k)
{
    double s = 0.0;
    for (int i = 0; i < k; i++) {
        double d = xm[i] - 0.5;
        s += d * d - cos(20.0 * PI * d);
    }
    return 100.0 * (k + s);
}

static double dtlz_g_sphere(const double *xm, int k)
{
    double s = 0.0;
    for (int i = 0; i < k; i++) s += (xm[i] - 0.5) * (xm[i] - 0.5);
    return s;
}

/* f_1 = s prod_{j<M-1} cos th_j;  f_i = s prod_{j<M-i} cos th_j sin th_{M-i}. */
static void sphere_shape(const double *th, int m, double s, double *f)
{
    for (int i = 0; i < m; i++) {
        double v = s;
        for (int j = 0; j < m - 1 - i; j++) v *= cos(th[j]);
        if (i > 0) v *= sin(th[m - 1 - i]);
        f[i] = v;
    }
}

void hw_dtlz_eval(int which, const double *x, int n, int m, double *f)
{
    int k = n - m + 1;
    const double *xm = x + m - 1;
    double th[HW_MAX_OBJ];
    double g;
    switch (which) {
    case 1:
        g = dtlz_g_rastrigin(xm, k);
        for (int i = 0; i < m; i++) {
            double v = 0.5 * (1.0 + g);
            for (int j = 0; j < m - 1 - i; j++) v *= x[j];
            if (i > 0) v *= 1.0 - x[m - 1 - i];
            f[i] = v;
        }
        return;
    case 2: case 3: case 4:
        g = which == 3 ? dtlz_g_rastrigin(xm, k) : dtlz_g_sphere(xm, k);
        for (int j = 0; j < m - 1; j++) th[j] = 0.5 * PI * (which == 4 ? pow(x[j], 100.0) : x[j]);
        sphere_shape(th, m, 1.0 + g, f);
        return;
    case 5: case 6:
        if (which == 5) g = dtlz_g_sphere(xm, k);
        else { g = 0.0; for (int i = 0; i < k; i++) g += pow(xm[i], 0.1); }
        th[0] = 0.5 * PI * x[0];
        for (int j = 1; j < m - 1; j++) th[j] = PI / (4.0 * (1.0 + g)) * (1.0 + 2.0 * g * x[j]);
        sphere_shape(th, m, 1.0 + g, f);
        return;
    default: {
        double s = 0.0;
        for (int i = 0; i < k; i++) s += xm[i];
        g = 1.0 + 9.0 / k * s;
        double h = m;
        for (int i = 0; i < m - 1; i++) {
            f[i] = x[i];
            h -= x[i] / (1.0 + g) * (1.0 + sin(3.0 * PI * x[i]));
        }
        f[m - 1] = (1.0 + g) * h;
        return;
    }
    }
}

int hw_dtlz_default_n_var(int which, int n_obj)
{
    int k = which == 1 ? 5 : which == 7 ? 20 : 10;
    return n_obj + k - 1;
}

/* C(h + m - 1, m - 1), saturating at SIZE_MAX / 2. */
static size_t lattice_count(int h, int m)
{
    double c = hw_lattice_count(m, h);
    return c > (double)(SIZE_MAX / 2) ? SIZE_MAX / 2 : (size_t)(c + 0.5);
}

static int dtlz_true_front(const hw_problem *p, size_t n, double **pts, size_t *n_out, hw_err *e)
{
    const testprob *tp = (const testprob *)p;
    int m = p->n_obj;
    double *f = NULL;
    size_t cnt = 0;
    if (tp->which <= 4) {
        if (n < (size_t)m)
            return hw_fail(e, HW_EINVAL, "%s: true front needs at least n_obj = %d points, asked for %zu", p->name, m, n);
        int h = 1;
        while (h < 1000000 && lattice_count(h + 1, m) <= n) h++;
        cnt = lattice_count(h, m);
        f = malloc(cnt * m * sizeof *f);
        if (!f) return hw_fail(e, HW_ENOMEM, "%s: out of memory for %zu front points", p->name, cnt);
        hw_lattice_fill(m, h, f);
        for (size_t j = 0; j < cnt; j++) {
            double *r = f + j * m, s = 0.0;
            if (tp->which == 1) { for (int i = 0; i < m; i++) r[i] *= 0.5; continue; }
            for (int i = 0; i < m; i++) s += r[i] * r[i];
            s = sqrt(s);
            for (int i = 0; i < m; i++) r[i] /= s;
        }
    } else if (tp->which <= 6) {
        if (n < 2) return hw_fail(e, HW_EINVAL, "%s: true front needs at least 2 points, asked for %zu", p->name, n);
        cnt = n;
        f = malloc(cnt * m * sizeof *f);
        if (!f) return hw_fail(e, HW_ENOMEM, "%s: out of memory for %zu front points", p->name, cnt);
        double th[HW_MAX_OBJ];
        for (int j = 1; j < m - 1; j++) th[j] = 0.25 * PI;
        for (size_t j = 0; j < n; j++) {
            th[0] = 0.5 * PI * (j == n - 1 ? 1.0 : (double)j / (double)(n - 1));
            sphere_shape(th, m, 1.0, f + j * m);
        }
    } else {
        size_t need = (size_t)1 << (m - 1);
        if (n < need)
            return hw_fail(e, HW_EINVAL, "%s: true front needs at least 2^(n_obj-1) = %zu points, asked for %zu", p->name, need, n);
        size_t k = 2;
        for (;;) {   /* largest k with k^(m-1) <= n */
            size_t c = 1;
            int over = 0;
            for (int i = 0; i < m - 1 && !over; i++) { if (c > n / (k + 1)) over = 1; else c *= k + 1; }
            if (over || c > n) break;
            k++;
        }
        cnt = 1;
        for (int i = 0; i < m - 1; i++) cnt *= k;
        f = malloc(cnt * m * sizeof *f);
        if (!f) return hw_fail(e, HW_ENOMEM, "%s: out of memory for %zu front points", p->name, cnt);
        double lo[MAX_PIECES], hi[MAX_PIECES], total = 0.0, t[HW_MAX_OBJ];
        int np = hw_dtlz7_pieces(lo, hi, MAX_PIECES);
        for (int i = 0; i < np; i++) total += hi[i] - lo[i];
        double *grid = malloc(k * sizeof *grid);
        if (!grid) { free(f); return hw_fail(e, HW_ENOMEM, "%s: out of memory", p->name); }
        for (size_t j = 0; j < k; j++)
            grid[j] = piece_point(lo, hi, np, j == k - 1 ? total : total * (double)j / (double)(k - 1));
        for (size_t j = 0; j < cnt; j++) {
            size_t r = j;
            double fm = 2.0 * m;
            for (int i = 0; i < m - 1; i++) {
                t[i] = grid[r % k];
                r /= k;
                fm -= t[i] * (1.0 + sin(3.0 * PI * t[i]));
                f[j * m + i] = t[i];
            }
            f[j * m + m - 1] = fm;
        }
        free(grid);
    }
    *pts = f;
    *n_out = cnt;
    return HW_OK;
}

static double dtlz_true_front_hv(const hw_problem *p, const double *ref)
{
    const testprob *tp = (const testprob *)p;
    int m = p->n_obj;
    double box = 1.0;
    for (int i = 0; i < m; i++) box *= ref[i];
    if (tp->which == 1) {
        /* dominated region = {y in [0, r] : sum y >= 0.5}; the simplex
         * sum y < 0.5 lies inside the box when every r_i >= 0.5 */
        double simplex = 1.0;
        for (int i = 0; i < m; i++) {
            if (!(ref[i] >= 0.5)) return -1.0;
            simplex *= 0.5 / (i + 1);
        }
        return box - simplex;
    }
    if (tp->which >= 2 && tp->which <= 4) {
        /* dominated region = {y in [0, r] : |y| >= 1}; the orthant of the
         * unit ball lies inside the box when every r_i >= 1 */
        for (int i = 0; i < m; i++)
            if (!(ref[i] >= 1.0)) return -1.0;
        double ball = pow(PI, 0.5 * m) / tgamma(0.5 * m + 1.0) / ldexp(1.0, m);
        return box - ball;
    }
    return -1.0;
}

/* ------------------------------------------------------------- common ---- */

static int testprob_evaluate(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n,
                             double *f, double *f_std, hw_err *e)
{
    (void)ids; (void)e;
    const testprob *tp = (const testprob *)p;
    int m = p->n_obj, nv = p->n_var;
    for (size_t i = 0; i < n; i++) {
        if (tp->family == FAMILY_ZDT) hw_zdt_eval(tp->which, x + i * nv, nv, f + i * m);
        else hw_dtlz_eval(tp->which, x + i * nv, nv, m, f + i * m);
        if (f_std)
            for (int j = 0; j < m; j++) f_std[i * m + j] = 0.0;
    }
    return HW_OK;
}

static void testprob_destroy(hw_problem *p)
{
    testprob *tp = (testprob *)p;
    free(tp->vars);
    free(tp);
}

static int testprob_alloc(int family, int which, int n_var, int n_obj,
                          testprob **out, hw_err *e)
{
    testprob *tp = calloc(1, sizeof *tp);
    hw_var *v = calloc((size_t)n_var, sizeof *v);
    if (!tp || !v) { free(tp); free(v); return hw_fail(e, HW_ENOMEM, "out of memory for a %d-variable problem", n_var); }
    snprintf(tp->name, sizeof tp->name, "%s%d", family == FAMILY_ZDT ? "zdt" : "dtlz", which);
    tp->family = family;
    tp->which = which;
    tp->vars = v;
    for (int i = 0; i < n_var; i++) { v[i].type = HW_VAR_REAL; v[i].lo = 0.0; v[i].hi = 1.0; }
    for (int j = 0; j < n_obj; j++) {
        snprintf(tp->obj_name[j], sizeof tp->obj_name[j], "f%d", j + 1);
        tp->obj_name_ptr[j] = tp->obj_name[j];
        tp->ref[j] = 1.1;
    }
    hw_problem *p = &tp->p;
    p->name = tp->name;
    p->n_var = n_var;
    p->vars = v;
    p->n_obj = n_obj;
    p->obj_names = tp->obj_name_ptr;
    p->default_ref = tp->ref;
    p->evaluate = testprob_evaluate;
    p->true_front = family == FAMILY_ZDT ? zdt_true_front : dtlz_true_front;
    p->true_front_hv = family == FAMILY_ZDT ? zdt_true_front_hv : dtlz_true_front_hv;
    p->destroy = testprob_destroy;
    p->impl = tp;
    *out = tp;
    return HW_OK;
}

int hw_zdt_create(int which, int n_var, hw_problem **out, hw_err *e)
{
    if (which != 1 && which != 2 && which != 3 && which != 4 && which != 6)
        return hw_fail(e, HW_EINVAL, "zdt%d: unknown ZDT problem (expected 1, 2, 3, 4 or 6)", which);
    if (n_var < 2 || n_var > HW_TESTPROB_MAX_VAR)
        return hw_fail(e, HW_ERANGE, "zdt%d: n_var %d is out of range [2, %d]", which, n_var, HW_TESTPROB_MAX_VAR);
    testprob *tp = NULL;
    int rc = testprob_alloc(FAMILY_ZDT, which, n_var, 2, &tp, e);
    if (rc) return rc;
    if (which == HW_ZDT4)
        for (int i = 1; i < n_var; i++) { tp->vars[i].lo = -5.0; tp->vars[i].hi = 5.0; }
    *out = &tp->p;
    return HW_OK;
}

int hw_dtlz_create(int which, int n_var, int n_obj, hw_problem **out, hw_err *e)
{
    if (which < 1 || which > 7)
        return hw_fail(e, HW_EINVAL, "dtlz%d: unknown DTLZ problem (expected 1 to 7)", which);
    if (n_obj < 2 || n_obj > HW_MAX_OBJ)
        return hw_fail(e, HW_ERANGE, "dtlz%d: n_obj %d is out of range [2, %d]", which, n_obj, HW_MAX_OBJ);
    if (n_var < n_obj || n_var > HW_TESTPROB_MAX_VAR)
        return hw_fail(e, HW_ERANGE, "dtlz%d: n_var %d is out of range [n_obj = %d, %d]", which, n_var, n_obj,
                       HW_TESTPROB_MAX_VAR);
    testprob *tp = NULL;
    int rc = testprob_alloc(FAMILY_DTLZ, which, n_var, n_obj, &tp, e);
    if (rc) return rc;
    if (which == 1)
        for (int j = 0; j < n_obj; j++) tp->ref[j] = 0.55;
    if (which == 7) {
        double lo[MAX_PIECES], hi[MAX_PIECES];
        int np = hw_dtlz7_pieces(lo, hi, MAX_PIECES);
        double ts = hi[np - 1], phi = ts * (1.0 + sin(3.0 * PI * ts));
        double fm_min = 2.0 * n_obj - (n_obj - 1) * phi, fm_max = 2.0 * n_obj;
        for (int j = 0; j < n_obj - 1; j++) tp->ref[j] = 1.1 * ts;
        tp->ref[n_obj - 1] = fm_min + 1.1 * (fm_max - fm_min);
    }
    *out = &tp->p;
    return HW_OK;
}

/* ------------------------------------------- the registered kinds ---- */

static int create_zdt(const hw_problem_kind *k, const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    static const char *const keys[] = {"name", "n_var", NULL};
    int rc = hwj_check_keys(cfg, path, keys, e);
    if (rc) return rc;
    long long n_var = k->arg == HW_ZDT4 || k->arg == HW_ZDT6 ? 10 : 30;
    rc = hwj_get_int(cfg, path, "n_var", 0, 2, HW_TESTPROB_MAX_VAR, &n_var, e);
    if (rc) return rc;
    return hw_zdt_create(k->arg, (int)n_var, out, e);
}

static int create_dtlz(const hw_problem_kind *k, const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    static const char *const keys[] = {"name", "n_var", "n_obj", NULL};
    int rc = hwj_check_keys(cfg, path, keys, e);
    if (rc) return rc;
    long long n_obj = 3;
    rc = hwj_get_int(cfg, path, "n_obj", 0, 2, HW_MAX_OBJ, &n_obj, e);
    if (rc) return rc;
    long long n_var = hw_dtlz_default_n_var(k->arg, (int)n_obj);
    rc = hwj_get_int(cfg, path, "n_var", 0, n_obj, HW_TESTPROB_MAX_VAR, &n_var, e);
    if (rc) return rc;
    return hw_dtlz_create(k->arg, (int)n_var, (int)n_obj, out, e);
}

const hw_problem_kind hw_zdt1_kind = {"zdt1", create_zdt, HW_ZDT1};
const hw_problem_kind hw_zdt2_kind = {"zdt2", create_zdt, HW_ZDT2};
const hw_problem_kind hw_zdt3_kind = {"zdt3", create_zdt, HW_ZDT3};
const hw_problem_kind hw_zdt4_kind = {"zdt4", create_zdt, HW_ZDT4};
const hw_problem_kind hw_zdt6_kind = {"zdt6", create_zdt, HW_ZDT6};
const hw_problem_kind hw_dtlz1_kind = {"dtlz1", create_dtlz, 1};
const hw_problem_kind hw_dtlz2_kind = {"dtlz2", create_dtlz, 2};
const hw_problem_kind hw_dtlz3_kind = {"dtlz3", create_dtlz, 3};
const hw_problem_kind hw_dtlz4_kind = {"dtlz4", create_dtlz, 4};
const hw_problem_kind hw_dtlz5_kind = {"dtlz5", create_dtlz, 5};
const hw_problem_kind hw_dtlz6_kind = {"dtlz6", create_dtlz, 6};
const hw_problem_kind hw_dtlz7_kind = {"dtlz7", create_dtlz, 7};
