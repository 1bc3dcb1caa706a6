/* surrogates/features.h — the fixed, order-aware-but-mostly-order-free feature
 * vector every surrogate model reads, computed exactly from an hw_arch.
 *
 * Two views of an architecture:
 *   tree features (float, SUR_N_FEAT): embed, layers, bias, counts of each MLP
 *     ratio and head choice, sums, exact params and FLOPs, the 9 joint
 *     (mlp ratio, heads) layer counts, and first-half sums.
 *   linear features (double, SUR_N_LIN): per embed choice, an intercept, the 9
 *     joint layer counts, bias and bias*layers.  Latency and energy are close to
 *     a sum of per-layer costs for a given width, so a weighted least-squares
 *     fit on these is a strong base model in natural units.
 * The feature-set id is stored in every model file; changing the features
 * means bumping SUR_FEATURE_SET. */
#ifndef HWNAS_SURROGATES_FEATURES_H
#define HWNAS_SURROGATES_FEATURES_H

#include "benchmark/space.h"

#define SUR_FEATURE_SET 1
#define SUR_N_FEAT 27
#define SUR_N_LIN 36

/* Exact parameter count and profiled forward FLOPs, as in HW-GPT-Bench's
 * analytic files (FLOPs for the profiled batch of the scale: 8, 4, 1). */
double sur_arch_params(const hw_arch *a);
double sur_arch_flops(const hw_arch *a);

void sur_tree_features(const hw_arch *a, float *x);
void sur_linear_features(const hw_arch *a, double *z);

/* Name of tree feature i (for reports). */
const char *sur_feature_name(int i);

#endif
