/* optimizers/gp.h — Gaussian-process regression over mixed real/categorical
 * genomes: kernel, exact Cholesky factorisation (with jitter on failure),
 * one-point Cholesky extension, batched posterior prediction, the log
 * marginal likelihood and its gradient, and hyperparameter fitting by
 * L-BFGS (GSL vector_bfgs2) with seeded random restarts.
 *
 * Kernel: Matérn-5/2 on a mixed distance
 *     r^2 = sum_g  D_g(x, x') / l_g^2,
 *     D_g = sum over genes i of group g of  (x_i - x'_i)^2   (real gene)
 *                                       or  [x_i != x'_i]     (categorical: overlap / Hamming)
 *     k(x, x') = s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
 * Real genes are expected already normalised to [0, 1] by the caller;
 * categorical genes hold their choice index.  Each gene belongs to one
 * length-scale group (ARD: one group per gene).
 *
 * Targets are standardised internally (mean 0, population std 1; std 1 when
 * all targets are equal); mean/variance predictions are in the caller's units.
 * Hyperparameters theta (n_ls + 2 values): log l_g (g < n_ls), log s2, log
 * noise variance (both in standardised units).  Fitting maximises the log
 * marginal likelihood over the box below (L-BFGS on phi, with
 * theta = lo + (hi - lo) sigmoid(phi), so theta never leaves the box).
 *
 * Cost: a factorisation is O(n^3); hw_gp_add is O(n^2); predicting m points
 * is O(m n (n + d)).  A const hw_gp may be used from several threads for
 * prediction at once. */
#ifndef HWNAS_OPTIMIZERS_GP_H
#define HWNAS_OPTIMIZERS_GP_H

#include <stddef.h>

#include "core/error.h"
#include "core/rng.h"

/* Box for theta (natural log units). */
#define HW_GP_LOG_LS_LO    (-4.605170185988091)  /* log 0.01 */
#define HW_GP_LOG_LS_HI    ( 4.605170185988091)  /* log 100  */
#define HW_GP_LOG_S2_LO    (-4.605170185988091)  /* log 0.01 */
#define HW_GP_LOG_S2_HI    ( 4.605170185988091)  /* log 100  */
#define HW_GP_LOG_NOISE_LO (-18.420680743952367) /* log 1e-8 */
#define HW_GP_LOG_NOISE_HI ( 0.0)                /* log 1    */

typedef struct hw_gp hw_gp;

/* d genes; is_cat[i] != 0 marks categorical genes; ls_of[i] in [0, n_ls) is
 * the length-scale group of gene i (NULL: one group per gene, n_ls = d).
 * Default theta: all l = 0.5, s2 = 1, noise = 1e-4. */
int hw_gp_create(hw_gp **out, int d, const unsigned char *is_cat, const int *ls_of, int n_ls,
                 hw_err *e);
void hw_gp_destroy(hw_gp *gp);

int hw_gp_n_theta(const hw_gp *gp);
size_t hw_gp_n(const hw_gp *gp);
void hw_gp_get_theta(const hw_gp *gp, double *theta);
/* Sets theta and refactorises the current data (if any). */
int hw_gp_set_theta(hw_gp *gp, const double *theta, hw_err *e);

/* Replace the data (n rows of d genes, n targets) and factorise. */
int hw_gp_set_data(hw_gp *gp, const double *X, const double *y, size_t n, hw_err *e);
/* Append one observation: extends the Cholesky factor in O(n^2) (falls back to
 * a full factorisation with jitter if the extension is not positive) and
 * re-standardises the targets. */
int hw_gp_add(hw_gp *gp, const double *x, double y, hw_err *e);
/* Drop observations beyond the first n (undoes hw_gp_add: the leading block
 * of a Cholesky factor is the factor of the leading block). */
int hw_gp_truncate(hw_gp *gp, size_t n, hw_err *e);

/* Diagonal jitter added by the last factorisation (0 if none was needed). */
double hw_gp_jitter(const hw_gp *gp);

/* Log marginal likelihood of the standardised targets at the current theta. */
double hw_gp_lml(const hw_gp *gp);
/* LML (and its gradient w.r.t. theta if grad != NULL) at any theta, without
 * changing the model.  Fails only on allocation failure. */
int hw_gp_lml_at(const hw_gp *gp, const double *theta, double *lml, double *grad, hw_err *e);

/* Optional log-normal prior on every length-scale, log l ~ N(mu, sd^2): the
 * fit then maximises LML + log prior (MAP).  sd <= 0 removes it (default). */
void hw_gp_set_ls_prior(hw_gp *gp, double mu, double sd);

/* Maximise the LML (plus the length-scale prior, if set): one L-BFGS run (at most max_iter iterations) from the
 * current theta plus `restarts` shorter runs (max_iter / 2) from random
 * thetas drawn from r, each from the best of 16 random draws by LML
 * (l in [0.05, 5], s2 in [0.3, 3], noise in [1e-6, 0.1], log-uniform);
 * keeps the best and refactorises. */
int hw_gp_fit(hw_gp *gp, int restarts, int max_iter, hw_rng *r, hw_err *e);

/* Posterior of the latent function at m points (rows of Xs): mean[c] and
 * var[c] (variance of f, without the noise; var may be NULL).  With no data,
 * the prior (mean = 0, var = s2). Thread-safe on a const gp. */
int hw_gp_predict(const hw_gp *gp, const double *Xs, size_t m, double *mean, double *var,
                  hw_err *e);

/* The kernel value between two genomes at the current theta (no noise). */
double hw_gp_kernel(const hw_gp *gp, const double *a, const double *b);

#endif
