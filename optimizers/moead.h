/* optimizers/moead.h — the building blocks of MOEA/D (Zhang & Li 2007),
 * exposed for tests: weight vectors (Das–Dennis simplex lattice and a
 * good-lattice-point uniform design mapped onto the simplex) and the three
 * scalarizing functions.  The optimizer itself is hw_moead_ops
 * (optimizers/moead.c). */
#ifndef HWNAS_OPTIMIZERS_MOEAD_H
#define HWNAS_OPTIMIZERS_MOEAD_H

#include <stddef.h>

/* Das & Dennis (1998) simplex lattice: all m-vectors with entries k/H
 * (k = 0..H) summing to 1, C(H+m-1, m-1) of them, with H chosen so the count
 * is as close as possible to target (ties: the smaller).  *w is malloc'd
 * (*n × m); *H_out (may be NULL) gets H.  Returns HW_OK, HW_EINVAL (m < 2,
 * target < 1 or a lattice over 10^7 points) or HW_ENOMEM. */
int moead_lattice_weights(int m, size_t target, double **w, size_t *n, int *H_out);

/* Uniform design (Fang & Wang 1994; as in MOEA/D-UD, Tan et al. 2013): a
 * good lattice point set of n points in [0,1]^(m-1) (Korobov generator
 * (1, a, a^2, ...) mod n, a chosen to minimise the centred L2 discrepancy)
 * mapped to the simplex by w_i = (1 - u_i^(1/(m-i))) prod_{j<i} u_j^(1/(m-j)),
 * w_m = prod_j u_j^(1/(m-j)).  Gives exactly n weights when n admits a
 * generator with distinct powers, otherwise the next n that does (*n_out).
 * Returns HW_OK, HW_EINVAL (m < 2 or n < 1) or HW_ENOMEM. */
int moead_uniform_weights(int m, size_t n, double **w, size_t *n_out);

/* Weighted Tchebycheff: max_k max(w_k, 1e-6) |f_k - z_k|. */
double moead_tchebycheff(const double *f, const double *w, const double *z, int m);
/* Adjusted Tchebycheff (Qi et al. 2014, the "WS-transformation" of the
 * weights): max_k |f_k - z_k| / max(w_k, 1e-4).  Its optimum on a front lies
 * along w from z (plain Tchebycheff's lies along 1/w); a zero weight reads as
 * 1e-4. */
double moead_adjusted_tchebycheff(const double *f, const double *w, const double *z, int m);
/* Penalty-based boundary intersection: d1 + theta d2, d1 the projection of
 * f - z on w, d2 the distance of f - z from the line along w. */
double moead_pbi(const double *f, const double *w, const double *z, int m, double theta);

/* The current population of an hw_moead_ops state, one solution per
 * subproblem in weight order: *x (n × n_var) and *f (n × n_obj, natural
 * units, NaN read as +inf) point into the state and stay valid until its
 * next tell.  Returns n (the number of weights once initialised). */
size_t moead_population(const void *st, const double **x, const double **f);

#endif
