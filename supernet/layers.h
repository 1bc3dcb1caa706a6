/* supernet/layers.h — the supernet's layers: one forward and one backward
 * function each, on float arrays with explicit shapes and leading dimensions.
 *
 * Conventions: N = B x T tokens; activations are row-major (N, width) with
 * their own width as leading dimension unless an ld argument says otherwise;
 * weights are W[out][in] with leading dimension ldw = the full (supernet)
 * input width, so a slice's first rows and columns are used in place.
 * Backward functions ADD into parameter gradients (dW, db) and, where the
 * comment says so, into input gradients; they never read beyond the slice.
 * Elementwise loops are OpenMP-parallel over rows or columns with static
 * schedules and no cross-thread sums, so results are independent of the
 * OpenMP thread count. */
#ifndef HWNAS_SUPERNET_LAYERS_H
#define HWNAS_SUPERNET_LAYERS_H

#include <stddef.h>
#include <stdint.h>

/* out (N, e) = wte[tokens] (wte (V, ldw)). */
void sn_embed_forward(float *out, const int32_t *tokens, const float *wte, int ldw, int N, int e);
/* dwte[tokens[n]] += dout[n]. */
void sn_embed_backward(float *dwte, int ldw, const float *dout, const int32_t *tokens, int N, int e);

/* out (N, e) = (inp - mean) * rstd * w + b over the e columns; mean, rstd (N). */
void sn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b,
                          int N, int e);
/* dinp += ...; dw, db += ... */
void sn_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                           const float *mean, const float *rstd, int N, int e);

/* out (N, ldo) = beta * out + inp (N, ldi) W^T (+ bias), W (n_out, ldw) sliced
 * to n_out x n_in.  beta = 1 adds the product to out (the residual). */
void sn_linear_forward(float *out, int ldo, const float *inp, int ldi, const float *W, int ldw, const float *bias,
                       int N, int n_out, int n_in, float beta);
/* dinp (N, ldi) = dinp_beta * dinp + dout W (dinp may be NULL);
 * dW += dout^T inp; db += column sums of dout (db may be NULL). */
void sn_linear_backward(float *dinp, int ldi, float dinp_beta, float *dW, int ldw, float *db, const float *dout,
                        int ldo, const float *inp, const float *W, int N, int n_out, int n_in);

/* Rotary embedding tables: cos, sin (T, rot/2), angle t * base^(-2i/rot). */
void sn_rope_tables(float *cos_t, float *sin_t, int T, int rot);
/* In place on x (N, ld), n_head heads of size hs starting at column 0, token
 * n at position n % T: rotate-half on the first rot dims of each head.
 * sign = +1 forward; sign = -1 applies the inverse (the backward pass of the
 * rotation, which is orthogonal). */
void sn_rope_apply(float *x, int ld, const float *cos_t, const float *sin_t, int N, int T, int n_head, int hs, int rot,
                   int sign);

/* Query rows per causal attention block. */
#define SN_ATT_BLOCK 128

/* Scratch blocks the attention functions may use, one per thread running
 * (sequence, head) pairs at once: OpenMP's thread count when OpenBLAS is its
 * OpenMP build (a product called inside a parallel region then runs on its
 * calling thread), else 1 (the pthreads build threads each product itself
 * and is not called from several threads at once).  A pair's products and
 * softmax run on one thread in the same order either way: the bytes do not
 * depend on the slots (tests/test_openblas_build.sh). */
int sn_attention_slots(void);
/* Floats of scratch for `slots` threads at T tokens (att when att_stride =
 * 0, dscratch): slots blocks of (min(T, SN_ATT_BLOCK), T). */
size_t sn_attention_scratch_floats(int slots, int T);

/* Causal attention, per sequence b and head h: y = softmax(q k^T / sqrt(hs))
 * v with q, k, v, y (B*T, lda) and head h in columns h*hs .. h*hs+hs-1.
 * att: (B, n_head, T, T) probabilities (row i defined on columns 0..i, the
 * rest of each 128-row block zeroed) when att_stride = T*T, or, when
 * att_stride = 0, scratch of `slots` blocks of (min(T, SN_ATT_BLOCK), T).
 * Pairs run on up to `slots` threads. */
void sn_attention_forward(float *y, float *att, size_t att_stride, int slots, const float *q, const float *k,
                          const float *v, int lda, int B, int T, int n_head, int hs);
/* dq, dk, dv (B*T, lda) = gradients (overwritten); dy (B*T, lda); att as
 * kept by the forward (att_stride = T*T); dscratch: `slots` blocks of
 * (min(T, SN_ATT_BLOCK), T). */
void sn_attention_backward(float *dq, float *dk, float *dv, float *dscratch, int slots, const float *dy,
                           const float *att, const float *q, const float *k, const float *v, int lda, int B, int T,
                           int n_head, int hs);

/* g (N, f) = silu(h1) * h2. */
void sn_swiglu_forward(float *g, const float *h1, const float *h2, size_t n);
/* dh1, dh2 (overwritten) from dg. */
void sn_swiglu_backward(float *dh1, float *dh2, const float *dg, const float *h1, const float *h2, size_t n);

/* Per-token loss (N) of logits (N, V) against targets; returns the mean. */
double sn_crossentropy_forward(float *losses, const float *logits, const int32_t *targets, int N, int V);
/* In place: logits (N, V) become dlogits = scale (softmax - onehot(target)). */
void sn_crossentropy_backward(float *logits, const int32_t *targets, int N, int V, float scale);

#endif
