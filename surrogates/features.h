/* surrogates/features.h — the fixed, order-aware-but-mostly-order-free feature
 * vector every surrogate model reads, computed exactly from an hw_arch.
 *
 * Two views of an architecture:
 *   tree features (float, SUR_N_FEAT): embed, layers, bias, counts of each MLP
 *     ratio and head choice, sums, exact params and FLOPs, the 9 joint
 *     (mlp ratio, heads) layer counts, and first-half sums.
 *   linear features (double, one group per embed choice): an intercept, the 9
 *     joint layer counts, bias, bias*layers, embed==2nd, embed==3rd choice
 *     (the first SUR_LIN_ORDER_FREE; the last two let one group serve all widths),
 *     then per layer position i < max_layers the one-hot of its MLP ratio
 *     (3 each) and then of its head count (3 each).  Latency and energy are
 *     close to a sum of per-layer costs for a given width, so a weighted
 *     least-squares fit on these is a strong base model in natural units;
 *     the positional part lets perplexity depend on where a layer sits.
 * The feature-set id is stored in every model file; changing the features
 * means bumping SUR_FEATURE_SET. */
#ifndef HWNAS_SURROGATES_FEATURES_H
#define HWNAS_SURROGATES_FEATURES_H

#include "space/space.h"

#define SUR_FEATURE_SET 1
#define SUR_N_FEAT 27
#define SUR_LIN_ORDER_FREE 14            /* linear features without layer positions */
#define SUR_LIN_GROUP (SUR_LIN_ORDER_FREE + 6 * HW_MAX_LAYERS)

void sur_tree_features(const hw_arch *a, float *x);
/* Coarse positions: the order-free part, then for each of 6 bins of
 * consecutive layer positions (bin = i * 6 / max_layers) the counts of its
 * layers' MLP choices (3) and head choices (3). */
#define SUR_LIN_COARSE_BINS 6
#define SUR_LIN_COARSE (SUR_LIN_ORDER_FREE + 6 * SUR_LIN_COARSE_BINS)
void sur_linear_coarse(const hw_arch *a, double *g);

/* Fills g[0 .. sur_linear_len(scale)) and returns the embed choice index. */
int sur_linear_features(const hw_arch *a, double *g);
int sur_linear_len(int scale);

/* Name of tree feature i (for reports). */
const char *sur_feature_name(int i);

#endif
