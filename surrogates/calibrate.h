/* surrogates/calibrate.h — a surrogate for a new device (one metric) from a
 * few measured architectures, using the models of known devices as prior
 * knowledge (docs/own_hardware.md; results/calibration.md), and the loader of
 * measurement files in the data layout (docs/data.md).
 *
 * Method (on log of the per-arch median measurement y; CPU-energy style
 * files: the mean):
 *   inputs  p_j = log mean of base model j, for every latency and energy
 *           model of the base set (not the target device, not an excluded
 *           one, not itself calibrated), and log params, log FLOPs
 *   candidates, each scored by its leave-one-out squared log error on the
 *   K measured archs:
 *     single  y = a + b p_j for each base model j (2 coefficients)
 *     ridge   y = a + sum_j b_j p_j + c log params + d log FLOPs on
 *             standardised inputs, penalty lambda * K, lambda in 10^{-3..2}
 *             (half decades); shrinks the collinear device predictions
 *             towards their common direction
 *     scratch ridge on the 15 order-free analytic inputs alone (the blend
 *             inputs of model.h), same lambda grid
 *   the lowest leave-one-out error wins and is refitted on all K archs; the
 *   model is stored as a STACK model (model.h): no trees.
 *   model_sd   RMS of the winner's leave-one-out log residuals
 *   noise      relative noise: the median over the K archs of their sample
 *              standard deviation over their median (a constant; 0 with one
 *              sample per arch); quantile table from their standardised
 *              residuals (>= 100 of them, else Gaussian)
 *   calib      as the shipped models (model.h): mean +- 1.645 std with the
 *              leave-one-out means covers target_coverage of the K archs'
 *              raw measurements; then times t_{0.95, K-1} / z_{0.95}, a
 *              small-sample widening (K = 5: 1.30; K = 20: 1.05), since that
 *              coverage was fitted on the K archs themselves
 *   bounds     min / max predicted mean over the K archs and 2,000 random
 *              archs of the space (seeded) */
#ifndef HWNAS_SURROGATES_CALIBRATE_H
#define HWNAS_SURROGATES_CALIBRATE_H

#include <stddef.h>

#include "surrogates/model.h"

typedef struct {
    int metric;                  /* SUR_LATENCY or SUR_ENERGY */
    int device;                  /* the new device's index in d and in the model written */
    unsigned char exclude[SUR_MAX_DEVICES]; /* 1: base device not used as input (leave-one-out studies) */
    int scratch_only;            /* 1: no base-model inputs (the from-scratch baseline) */
    double target_coverage;      /* of the 90% interval; 0.905 like the shipped models */
    uint64_t seed;               /* random archs for the bounds */
} sur_calib_opts;

void sur_calib_opts_default(sur_calib_opts *o, int metric, int device);

/* What the fit chose: "single a100 latency", "ridge lambda=0.1 (27 inputs)",
 * "scratch lambda=1"; and its leave-one-out RMS log error. */
typedef struct {
    char method[96];
    double loo_rms;
    size_t n_arch;
} sur_calib_info;

/* Fit the model of (o->metric, o->device) from the measurements of
 * rows[0..n) of d (rows NULL: all archs with a measurement), with the models
 * of base as inputs.  At least 3 measured archs.  The model's references are
 * base's device indices: it belongs in base or in a set that extends it. */
int sur_calibrate(const sur_set *base, const sur_data *d, const size_t *rows, size_t n, const sur_calib_opts *o,
                  sur_model *out, sur_calib_info *info, hw_err *e);
/* The same with the base models' log means precomputed: pred_log[i *
 * base->n_models + k] for arch i of d and model k of base (NULL: computed). */
int sur_calibrate_pred(const sur_set *base, const sur_data *d, const size_t *rows, size_t n, const double *pred_log,
                       const sur_calib_opts *o, sur_model *out, sur_calib_info *info, hw_err *e);
/* Fill in->stack_log of calibrated model m from one row of base log means
 * (as in sur_calibrate_pred); then sur_model_predict(m, in, out) predicts. */
void sur_calib_fill_stack(const sur_set *base, const sur_model *m, const double *pred_log_row, sur_input *in);

/* Read one measurement file (latency or energy lines of docs/data.md) of
 * scale `scale` into d: d's archs are the file's, its series
 * [metric][device] their measurements (own-device name `name` in d->own when
 * device >= SUR_N_DEVICES).  Errors "FILE:LINE: reason" (invalid JSON, an
 * unknown key, an arch of another scale or outside the space, a repeated
 * arch, a sample that is not a positive finite number, a unit that is not
 * the metric's) or "FILE: no measurements". */
int sur_measurements_load(const char *path, int scale, int metric, int device, const char *name, sur_data *d,
                          hw_err *e);

#endif
