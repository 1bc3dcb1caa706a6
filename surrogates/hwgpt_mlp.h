/* surrogates/hwgpt_mlp.h — HW-GPT-Bench's own MLP perplexity predictor, read
 * from its published checkpoints (perplexity_{s,m,l}.pt) and evaluated in
 * float32 like PyTorch.
 *
 * Input: the one-hot encoding of an architecture, length 6 + 6L + 2 for a
 * scale with at most L layers (80, 152, 224): embed_dim (3), n_layer (3), per
 * layer i < n_layer the mlp_ratio (3 each, block at 6 + 3i) and the head count
 * (3 each, block at 6 + 3L + 3i), bias (True = (1,0), False = (0,1)); rows of
 * absent layers stay zero.  Network: four Linear+ReLU layers of width 128 and
 * a Linear to one output, which is the predicted perplexity itself (the
 * benchmark applies no normalisation statistics).
 *
 * The checkpoint's data.pkl is parsed to find each of fc1.weight .. fc5.bias,
 * and each tensor's float32 storage, shape and contiguity are checked against
 * the scale's layer sizes.  Predictions accumulate in float32 in the natural
 * input order (bias added last). */
#ifndef HWNAS_SURROGATES_HWGPT_MLP_H
#define HWNAS_SURROGATES_HWGPT_MLP_H

#include <stddef.h>

#include "space/metric.h"
#include "space/space.h"
#include "core/error.h"
#include "core/fileid.h"

#define HWGPT_MLP_HIDDEN 128
#define HWGPT_MLP_LAYERS 5
#define HWGPT_MLP_MAX_IN (6 + 6 * HW_MAX_LAYERS + 2)

typedef struct {
    int scale;                          /* hw_scale */
    int n_in;                           /* 6 + 6L + 2 */
    int n_rows[HWGPT_MLP_LAYERS];       /* outputs of layer k */
    int n_cols[HWGPT_MLP_LAYERS];       /* inputs of layer k */
    float *wt[HWGPT_MLP_LAYERS];        /* weights transposed: wt[k][in * n_rows + out] */
    float *b[HWGPT_MLP_LAYERS];
    /* HW-GPT-Bench's range of the measured perplexity it was trained on
     * (max_min_stats_perplexity_<scale>.pkl); NAN until loaded. */
    double ppl_min, ppl_max;
    hw_file_id source;                  /* the checkpoint read (set by the hwgpt-mlp backend's open) */
} hwgpt_mlp;

/* Input length of a scale's encoding: 6 + 6L + 2. */
int hwgpt_mlp_input_dim(int scale);

/* The published checkpoint of a scale in a data directory:
 * DATA_DIR/predictors/perplexity_<scale>.pt.  Returns snprintf's length. */
int hwgpt_mlp_default_path(const char *data_dir, int scale, char *buf, size_t n);

/* Load perplexity_<scale>.pt.  scale: a hw_scale, or -1 to take it from the
 * input width of fc1.weight (which differs between s, m and l).  Errors:
 * "PATH: cannot open: ...", "PATH: corrupt checkpoint (reason)", or, for a
 * valid checkpoint of another scale, "PATH: checkpoint is for scale m, not s".
 * When max_min_stats_perplexity_<scale>.pkl lies next to the checkpoint it is
 * read too (hwgpt_mlp_load_stats). */
int hwgpt_mlp_load(const char *path, int scale, hwgpt_mlp **out, hw_err *e);
/* Load the published checkpoint of a scale from a data directory
 * (hwgpt_mlp_default_path); when it is not there the error says what is
 * missing and where it goes (hw_data_require). */
int hwgpt_mlp_load_default(const char *data_dir, int scale, hwgpt_mlp **out, hw_err *e);
/* The same from an archive in memory (buf is not taken over); what names it. */
int hwgpt_mlp_load_mem(const char *what, const void *buf, size_t len, int scale, hwgpt_mlp **out, hw_err *e);
void hwgpt_mlp_free(hwgpt_mlp *m);
/* Read ppl_min / ppl_max from a pickled {"max": float, "min": float}. */
int hwgpt_mlp_load_stats(hwgpt_mlp *m, const char *path, hw_err *e);

/* Write the one-hot encoding of a into x (hwgpt_mlp_input_dim(a->scale)
 * floats).  Fails (HW_EINVAL) when a field is not a choice of its scale. */
int hwgpt_mlp_encode(const hw_arch *a, float *x, hw_err *e);

/* The network output for an encoded input x (m->n_in floats). */
float hwgpt_mlp_forward(const hwgpt_mlp *m, const float *x);
/* Predicted perplexity of a; a->scale must be the model's scale. */
int hwgpt_mlp_predict(const hwgpt_mlp *m, const hw_arch *a, double *perplexity, hw_err *e);
/* n architectures at once (OpenMP over architectures; each result is the
 * same as hwgpt_mlp_predict's at any thread count). */
int hwgpt_mlp_predict_batch(const hwgpt_mlp *m, const hw_arch *a, size_t n, double *perplexity, hw_err *e);

/* The hwgpt-mlp backend (space/metric.h): one row, ("hwgpt-mlp",
 * "perplexity") (unit "", exact given the model, no std), computed by the
 * environment, an hwgpt_mlp.  A config selects it with "predictor":
 * "hwgpt-mlp" (the hwgpt problem, `hwnas query --predictor`).  Key:
 * checkpoint (default DATA/predictors/perplexity_<scale>.pt; required when
 * opened without a space: the scale then comes from the checkpoint).  Bounds:
 * [ppl_min, ppl_max], HW-GPT-Bench's published range (it encloses the
 * predictions on 200000 random architectures of each scale). */
extern const hw_backend hw_hwgpt_mlp_backend;

#endif
