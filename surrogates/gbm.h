/* surrogates/gbm.h — gradient-boosted regression trees (squared loss) over
 * float features, with histogram splits (<= 256 bins per feature, exact when a
 * feature has <= 256 distinct values) and complete trees of fixed depth stored
 * as flat arrays, so prediction is `depth` branch-free steps per tree.
 *
 * Tree t, internal node i (0 .. 2^depth-2, heap order: children 2i+1, 2i+2):
 * go right when x[feat] > thr.  A node that did not split has thr = +inf.
 * Leaf j (0 .. 2^depth-1) holds the (already shrunk) value added to the sum.
 * Training is deterministic for a seed (single-threaded per model; callers
 * parallelise over models). */
#ifndef HWNAS_SURROGATES_GBM_H
#define HWNAS_SURROGATES_GBM_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define SUR_GBM_MAX_DEPTH 8

typedef struct {
    int n_trees;
    int depth;          /* 1 .. SUR_GBM_MAX_DEPTH */
    int min_leaf;       /* minimum rows per child */
    double learning_rate;
    double lambda;      /* L2 penalty on leaf values */
    double subsample;   /* row fraction per tree, (0, 1] */
    uint64_t seed;
    int bags;           /* > 1: that many ensembles, each on its own row subsamples
                           (seeds derived from seed), averaged into one tree list
                           (leaves / bags); 0 or 1: one ensemble */
} sur_gbm_params;

typedef struct {
    int n_feat, depth, n_trees;
    double base;        /* prediction = base + sum of tree leaves */
    uint8_t *feat;      /* n_trees * (2^depth - 1) */
    float *thr;         /* n_trees * (2^depth - 1) */
    float *leaf;        /* n_trees * 2^depth */
} sur_gbm;

/* X: n rows of n_feat floats (row-major); y: n targets.  With bags > 1 the
 * result has bags * n_trees trees. */
int sur_gbm_fit(const float *X, size_t n, int n_feat, const double *y, const sur_gbm_params *p,
                sur_gbm *out, hw_err *e);
double sur_gbm_predict(const sur_gbm *g, const float *x);
/* cum[t] = base + the first t + 1 trees, t < n_trees (for choosing a tree
 * count: a one-ensemble model cut to t + 1 trees predicts cum[t]). */
void sur_gbm_predict_staged(const sur_gbm *g, const float *x, double *cum);
void sur_gbm_free(sur_gbm *g);

#endif
