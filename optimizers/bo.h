/* optimizers/bo.h — Bayesian optimisation over genomes: the expected
 * hypervolume improvement kernels used by the "ehvi" optimizer (exposed for
 * tests and benchmarks).  The optimizers themselves (rsbo, lsbo, ehvi) are
 * reached through the registry (optimizers/optimizer.h); optimizers/bo.c
 * documents their model, acquisitions and config keys.
 *
 * All objectives are minimised; predictions are independent Gaussians
 * N(mu_j, sigma_j^2). */
#ifndef HWNAS_OPTIMIZERS_BO_H
#define HWNAS_OPTIMIZERS_BO_H

#include <stddef.h>

#include "core/error.h"

/* The 2-D staircase of pts (n x 2): the non-dominated points strictly better
 * than ref in both objectives, sorted by the first objective ascending
 * (second descending), without duplicates.  out needs room for 2n values;
 * returns the number of points kept. */
size_t hw_ehvi_staircase_2d(const double *pts, size_t n, const double *ref, double *out);

/* Exact 2-D EHVI of N(mu, diag(sigma^2)) against a staircase from
 * hw_ehvi_staircase_2d (k points) and ref.  Integrates P(Y <= z) over the
 * non-dominated region cell by cell (Emmerich et al. 2016 decomposition into
 * k + 1 strips): O(k).  sigma_j may be 0. */
double hw_ehvi_2d(const double *stair, size_t k, const double *ref, const double *mu,
                  const double *sigma);

/* Monte Carlo EHVI in any dimension d: the mean over m samples
 * y = mu + sigma * z_s (z: m x d standard normals) of the hypervolume
 * improvement HV(front U {y}) - HV(front), front: k x d, front_hv its
 * hypervolume w.r.t. ref.  work: (k + 1) * d doubles. */
int hw_ehvi_mc(const double *front, size_t k, int d, const double *ref, double front_hv,
               const double *mu, const double *sigma, const double *z, int m, double *work,
               double *out, hw_err *e);

#endif
