/* benchmark/testproblems.h — the classic continuous test problems ZDT1-4, 6
 * (Zitzler, Deb, Thiele 2000) and DTLZ1-7 (Deb, Thiele, Laumanns, Zitzler
 * 2002/2005), as hw_problems: deterministic (f_std = 0), real variables,
 * objectives in natural units (obj_lo = obj_hi = NULL).
 *
 * Definitions (x in [0,1]^n unless said otherwise):
 *   ZDT1  f1 = x1, g = 1 + 9 sum(x2..xn)/(n-1), f2 = g (1 - sqrt(f1/g))
 *   ZDT2  as ZDT1 with f2 = g (1 - (f1/g)^2)
 *   ZDT3  as ZDT1 with f2 = g (1 - sqrt(f1/g) - (f1/g) sin(10 pi f1))
 *   ZDT4  x2..xn in [-5,5], g = 1 + 10(n-1) + sum(xi^2 - 10 cos(4 pi xi)),
 *         f2 = g (1 - sqrt(f1/g))
 *   ZDT6  f1 = 1 - exp(-4 x1) sin^6(6 pi x1), g = 1 + 9 (sum(x2..xn)/(n-1))^0.25,
 *         f2 = g (1 - (f1/g)^2)
 *   DTLZ  M objectives, the last k = n - M + 1 variables form x_M:
 *   DTLZ1 linear front sum f = 0.5, g = 100 (k + sum((x-0.5)^2 - cos(20 pi (x-0.5))))
 *   DTLZ2 spherical front |f| = 1, g = sum (x-0.5)^2
 *   DTLZ3 spherical, the multimodal g of DTLZ1
 *   DTLZ4 spherical, angles from x^alpha with alpha = 100
 *   DTLZ5 degenerate curve, theta_i = pi/(4(1+g)) (1 + 2 g x_i), g of DTLZ2
 *   DTLZ6 as DTLZ5 with g = sum x^0.1
 *   DTLZ7 disconnected, f_i = x_i (i < M), g = 1 + 9/k sum x_M,
 *         f_M = (1+g) (M - sum_{i<M} f_i/(1+g) (1 + sin(3 pi f_i)))
 *
 * true_front(n): points on the Pareto front.  ZDT: n points evenly spaced in
 * f1 over the front's f1 range (ZDT3: over its five non-dominated pieces,
 * spaced by length).  DTLZ1-4: the simplex lattice (Das & Dennis) with the
 * largest H whose C(H+M-1, M-1) points do not exceed n (DTLZ2-4 project it
 * onto the unit sphere).  DTLZ5/6: n points of the g = 0 curve (theta_1
 * uniform); for M >= 4 this curve is the customary reference, although the
 * full Pareto set of DTLZ5/6 is known to be larger there (Ishibuchi et al.
 * 2017).  DTLZ7: a grid of k^(M-1) <= n points over the product of its
 * non-dominated pieces.
 *
 * true_front_hv(ref): exact hypervolume of the whole front when a closed form
 * exists: ZDT1/2/4 (integrals of the front curve), ZDT6 (same, with the
 * front's left end f1 = 1 - exp(-4 t) sin^6(6 pi t) minimised numerically to
 * machine precision), DTLZ1 (box minus the simplex sum f < 0.5, needs every
 * r_i >= 0.5) and DTLZ2-4 (box minus the positive orthant of the unit ball,
 * pi^(M/2) / Gamma(M/2 + 1) / 2^M, needs every r_i >= 1).  It returns -1 for
 * ZDT3, DTLZ5-7 and refs outside the stated ranges: callers then use the
 * hypervolume of a dense true_front() instead.
 *
 * Default reference points: 1.1 per objective for ZDT1-4, 6 and DTLZ2-6 (their
 * front spans [0, 1] in each objective, ZDT3's f2 dips below 0); for DTLZ1
 * and DTLZ7, ideal + 1.1 (nadir - ideal) of the true front, i.e. 0.55 per
 * objective for DTLZ1 and (1.1 t*, ..., 1.1 t*, f_M^min + 1.1 (2M - f_M^min))
 * for DTLZ7 (t* ~ 0.8594 the right end of its last piece). */
#ifndef HWNAS_BENCHMARK_TESTPROBLEMS_H
#define HWNAS_BENCHMARK_TESTPROBLEMS_H

#include "benchmark/problem.h"

typedef enum { HW_ZDT1 = 1, HW_ZDT2 = 2, HW_ZDT3 = 3, HW_ZDT4 = 4, HW_ZDT6 = 6 } hw_zdt_kind;

#define HW_TESTPROB_MAX_VAR 100000

/* which: 1, 2, 3, 4 or 6; n_var in [2, HW_TESTPROB_MAX_VAR]. */
int hw_zdt_create(int which, int n_var, hw_problem **out, hw_err *e);
/* which: 1..7; n_obj in [2, HW_MAX_OBJ]; n_var in [n_obj, HW_TESTPROB_MAX_VAR]. */
int hw_dtlz_create(int which, int n_var, int n_obj, hw_problem **out, hw_err *e);

/* The objective functions themselves (one point, no checks). */
void hw_zdt_eval(int which, const double *x, int n_var, double *f);
void hw_dtlz_eval(int which, const double *x, int n_var, int n_obj, double *f);

/* Default n_var of DTLZ<which> with n_obj objectives: n_obj + k - 1 with
 * k = 5 (DTLZ1), 10 (DTLZ2-6), 20 (DTLZ7). */
int hw_dtlz_default_n_var(int which, int n_obj);

/* The registered kinds (benchmark/problems.def): config keys n_var (ZDT1-3:
 * default 30, ZDT4/6: 10) and, for DTLZ, n_obj (default 3). */
extern const hw_problem_kind hw_zdt1_kind, hw_zdt2_kind, hw_zdt3_kind, hw_zdt4_kind, hw_zdt6_kind;
extern const hw_problem_kind hw_dtlz1_kind, hw_dtlz2_kind, hw_dtlz3_kind, hw_dtlz4_kind, hw_dtlz5_kind,
    hw_dtlz6_kind, hw_dtlz7_kind;

/* The non-dominated pieces of ZDT3 (in f1) and of DTLZ7 (in each f_i, i < M):
 * up to max intervals [lo_i, hi_i], ascending; returns their number. */
int hw_zdt3_pieces(double *lo, double *hi, int max);
int hw_dtlz7_pieces(double *lo, double *hi, int max);
/* ZDT6's smallest f1 on the front: min over t in [0,1] of
 * 1 - exp(-4 t) sin^6(6 pi t) (about 0.2807753191). */
double hw_zdt6_f1_min(void);

#endif
