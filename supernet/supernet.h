/* supernet/supernet.h — the weight-sharing GPT supernet on the CPU: its
 * parameters, the sub-network slices, forward, backward and the loss.
 *
 * The model is HW-GPT-Bench's GPT as space/analytic.h pins it down (litgpt
 * style, pre-norm):
 *
 *   x    = wte[tokens]                               (B,T,e)  no position embedding
 *   per layer i (h_i heads of size hs = 64, a_i = hs h_i, f_i = r_i e):
 *     n  = LayerNorm_1(x)                            (B,T,e)
 *     q,k,v = n Wq^T + bq, n Wk^T + bk, n Wv^T + bv  (B,T,a_i) each
 *     q,k  <- RoPE on the first rot dims of each head (rot = rotary_frac * hs,
 *             litgpt's rotate-half form, base 10000)
 *     y    = causal softmax(q k^T / sqrt(hs)) v, per head  (B,T,a_i)
 *     x    = x + y Wo^T + bo                         (B,T,e)
 *     n    = LayerNorm_2(x)
 *     g    = silu(n W1^T + b1) * (n W2^T + b2)       (B,T,f_i)  LLaMA-style gated MLP
 *     x    = x + g W3^T + b3                         (B,T,e)
 *   logits = LayerNorm_f(x) Wlm^T                    (B,T,V)    untied, no bias
 *   loss   = mean over tokens of -log softmax(logits)[target]
 *
 * Linear weights are stored as PyTorch does, W[out][in] row-major, y = x W^T.
 * The supernet holds the largest model (E = max embed, A = hs x max heads,
 * F = max ratio x E per layer, Lmax layers).  A sub-network (an hw_arch of the
 * supernet's space) is a slice: the first n_layer blocks, the first e of the E
 * embedding dims everywhere, per layer the first h_i heads of q, k, v (and the
 * first a_i input columns of Wo) and the first r_i e hidden units of the MLP.
 * Slices run in place: every matrix product passes the full model's widths as
 * CBLAS's leading dimensions, so no weight is copied.  LayerNorm over a sliced
 * embedding normalises over the slice (its first e weights and biases).  With
 * bias False the q, k, v, Wo, W1, W2, W3 biases are skipped (LayerNorm biases
 * always exist), which matches analytic.h's parameter count.
 *
 * Memory: parameters in one float buffer, gradients in one more of the same
 * layout (sn_model.params / grads, tensor offsets in sn_model.off), and every
 * activation of a forward pass in one arena sized for the largest
 * sub-network at the batch it was allocated for.  Matrix products through
 * CBLAS (OpenBLAS), elementwise loops with OpenMP (static schedules, no
 * cross-thread reductions: results do not depend on the OpenMP thread count;
 * OpenBLAS is deterministic for a fixed thread count). */
#ifndef HWNAS_SUPERNET_SUPERNET_H
#define HWNAS_SUPERNET_SUPERNET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "space/space.h"

#define SN_HEAD_SIZE 64
#define SN_LN_EPS 1e-5f
#define SN_ROPE_BASE 10000.0f

/* The supernet's shape: the largest sub-network of a space, plus vocab. */
typedef struct {
    int vocab;          /* V: 256 for bytes; 50254 for HW-GPT-Bench's shapes */
    int max_embed;      /* E */
    int max_layers;     /* Lmax */
    int max_heads;      /* per layer */
    int max_mlp_ratio;  /* per layer: F = max_mlp_ratio * E */
    int head_size;      /* hs: 64 for the spaces; smaller only in tests */
    int block_size;     /* longest sequence T */
    float rotary_frac;  /* fraction of each head rotated: 0.25 or 0.5 */
    int scale;          /* hw_scale of the space the archs come from */
} sn_config;

/* Tensors per layer and global, in buffer order. */
enum {
    SN_LN1W, SN_LN1B, SN_WQ, SN_WK, SN_WV, SN_BQ, SN_BK, SN_BV, SN_WO, SN_BO,
    SN_LN2W, SN_LN2B, SN_W1, SN_W2, SN_B1, SN_B2, SN_W3, SN_B3, SN_N_LAYER_TENSORS
};
enum { SN_WTE, SN_LNFW, SN_LNFB, SN_LMHEAD, SN_N_GLOBAL_TENSORS };

/* The dimensions of one sub-network (from an hw_arch). */
typedef struct {
    int embed, n_layer, bias;
    int n_head[HW_MAX_LAYERS];
    int hidden[HW_MAX_LAYERS];   /* mlp_ratio * embed */
} sn_dims;

typedef struct sn_arena sn_arena;

typedef struct {
    sn_config cfg;
    size_t n_params;                                   /* floats in params */
    float *params;
    float *grads;                                      /* NULL until sn_model_alloc_grads */
    size_t off_global[SN_N_GLOBAL_TENSORS];
    size_t off_layer[HW_MAX_LAYERS][SN_N_LAYER_TENSORS];
    sn_arena *arena;                                   /* activations of the last forward */
} sn_model;

/* The supernet config of a space (largest choices, its block size) with
 * vocabulary V and rotary fraction rot. */
void sn_config_from_space(const hw_space *sp, int vocab, float rot, sn_config *cfg);
int sn_config_validate(const sn_config *cfg, hw_err *e);

/* Full (rows, cols) of a tensor; cols = 1 for vectors.  layer < 0: global. */
void sn_tensor_shape(const sn_config *cfg, int layer, int tensor, int *rows, int *cols);
/* Its sliced shape for sub-network d (0 x 0 when d does not use it). */
void sn_tensor_slice(const sn_config *cfg, const sn_dims *d, int layer, int tensor, int *rows, int *cols);
/* Whether a tensor is a weight matrix (decayed by AdamW) or a vector. */
int sn_tensor_is_matrix(int layer, int tensor);
const char *sn_tensor_name(int layer, int tensor);

/* Dimensions of arch a; fails if a does not fit the supernet. */
int sn_dims_from_arch(const sn_config *cfg, const hw_arch *a, sn_dims *d, hw_err *e);
/* The largest sub-network (every dimension at its maximum, bias on). */
void sn_dims_full(const sn_config *cfg, sn_dims *d);
/* Parameters the slice d uses (sum of sn_tensor_slice sizes). */
int64_t sn_dims_params(const sn_config *cfg, const sn_dims *d);
/* Parameters of the whole supernet (sum of sn_tensor_shape sizes). */
int64_t sn_config_params(const sn_config *cfg);

/* Allocate the parameters (no arena, no gradients).  Weights are initialised
 * N(0, 0.02) (output projections Wo, W3 scaled by 1/sqrt(2 Lmax)), biases 0,
 * LayerNorm weights 1, from PCG32 stream (seed, HW_STREAM_TRAIN). */
int sn_model_init(sn_model *m, const sn_config *cfg, uint64_t seed, hw_err *e);
int sn_model_alloc_grads(sn_model *m, hw_err *e);
/* Allocate the activation arena for batches up to B x T (T <= block_size);
 * with_backward keeps every layer's attention probabilities for backward. */
int sn_model_alloc_arena(sn_model *m, int B, int T, int with_backward, hw_err *e);
void sn_model_free(sn_model *m);

static inline float *sn_param(const sn_model *m, int layer, int tensor)
{
    return m->params + (layer < 0 ? m->off_global[tensor] : m->off_layer[layer][tensor]);
}
static inline float *sn_grad(const sn_model *m, int layer, int tensor)
{
    return m->grads + (layer < 0 ? m->off_global[tensor] : m->off_layer[layer][tensor]);
}

/* Forward of sub-network d on tokens (B x T, values < V).  With targets
 * (B x T, or NULL) the mean cross-entropy is written to *loss.  The logits
 * (B, T, V) stay in the arena: sn_logits. */
int sn_forward(sn_model *m, const sn_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
               float *loss, hw_err *e);
const float *sn_logits(const sn_model *m);
/* Backward of the last forward (which had targets; arena with_backward):
 * adds scale x d(loss)/d(param) into m->grads. */
int sn_backward(sn_model *m, float scale, hw_err *e);
void sn_zero_grads(sn_model *m);

#endif
