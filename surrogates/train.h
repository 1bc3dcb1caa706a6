/* surrogates/train.h — training all surrogate models of a scale (OpenMP over
 * models; each model is deterministic for the seed, so the result does not
 * depend on the thread count), and the validation report. */
#ifndef HWNAS_SURROGATES_TRAIN_H
#define HWNAS_SURROGATES_TRAIN_H

#include <stdio.h>

#include "surrogates/model.h"

/* The settings used for metric x device (chosen on the validation split). */
void sur_default_opts(int metric, int device, int scale, sur_fit_opts *o);

/* Train every model that has data, on rows[0..n) of d (all archs when rows is
 * NULL).  quiet silences the progress line. */
int sur_train_set(const sur_data *d, const size_t *rows, size_t n, uint64_t seed, int quiet, sur_set **out,
                  hw_err *e);

/* One row of the validation report. */
typedef struct {
    int scale, metric, device;
    size_t n_arch, n_samples;
    double kendall, spearman, r2_log, mape, nll, cov50, cov90;
    double noise_ratio;     /* median over archs of noise_std / observed spread (NaN: no repeats) */
    double noise_ratio_sd;  /* same against the sample standard deviation */
} sur_report_row;

/* Evaluate set s on rows[0..n) of d; one row per model into rows_out
 * (capacity SUR_N_METRICS*SUR_MAX_DEVICES); *n_out rows. */
int sur_evaluate(const sur_set *s, const sur_data *d, const size_t *rows, size_t n, sur_report_row *out,
                 int *n_out, hw_err *e);

double sur_kendall_tau(const double *a, const double *b, size_t n);
double sur_spearman(const double *a, const double *b, size_t n);

#endif
