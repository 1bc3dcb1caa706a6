/* supernet/cuda/forward.cu — libhwnas_cuda.so: the supernet's forward pass
 * on the GPU (the math of supernet/model.c's sn_forward; the contract is
 * supernet/cuda/sn_cuda.h, the ABI supernet/cuda/module.h).
 *
 * Layouts as on the CPU: activations row-major (N = B T rows, their own width
 * as leading dimension), weights W[out][in] with the full model's input
 * width as leading dimension.  cuBLAS is column-major, so a row-major
 * product out (N, n_out) = in (N, n_in) W^T is the column-major
 * out^T = W in^T: cublasSgemm(OP_T, OP_N, n_out, N, n_in, W, ldw, in, ldi,
 * out, ldo).  Shapes are written next to every call. */
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "supernet/cuda/module.h"

#define ATT_BLOCK 256   /* query rows per attention block */
#define WARP 32

struct snc_ctx {
    snc_model_desc m;           /* offsets and shape; params points to the device copy */
    float *d_params;
    int Bmax, Tmax, half;
    cudaStream_t stream;
    cublasHandle_t blas;
    cudaEvent_t ev[2];
    /* the arena (one cudaMalloc) */
    void *arena;
    size_t arena_bytes;
    float *x, *ln, *qkv, *y, *h12, *g, *att, *logits, *losses, *cos_t, *sin_t;
    int32_t *tokens, *targets;
    float *h_losses;            /* host copy of the per-token losses (Bmax Tmax) */
    int fB, fT;                 /* the last forward's batch */
    size_t device_peak;
    char name[256];
};

/* ---- errors ------------------------------------------------------------- */

static int cuda_fail(cudaError_t err, const char *what, char *why)
{
    snprintf(why, SNC_WHY_LEN, "%s: %s (%s)", what, cudaGetErrorString(err), cudaGetErrorName(err));
    return err == cudaErrorMemoryAllocation ? SNC_ENOMEM : SNC_ECUDA;
}

static int blas_fail(cublasStatus_t st, const char *what, char *why)
{
    snprintf(why, SNC_WHY_LEN, "%s: %s", what, cublasGetStatusString(st));
    return st == CUBLAS_STATUS_ALLOC_FAILED ? SNC_ENOMEM : SNC_ECUDA;
}

#define CK(call)                                                                                                       \
    do {                                                                                                               \
        cudaError_t ck_err = (call);                                                                                   \
        if (ck_err != cudaSuccess) return cuda_fail(ck_err, #call, why);                                               \
    } while (0)
#define CKB(call)                                                                                                      \
    do {                                                                                                               \
        cublasStatus_t ck_st = (call);                                                                                 \
        if (ck_st != CUBLAS_STATUS_SUCCESS) return blas_fail(ck_st, #call, why);                                       \
    } while (0)

/* ---- kernels ------------------------------------------------------------ */

__device__ static float warp_sum(float v)
{
    for (int o = WARP / 2; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ static float warp_max(float v)
{
    for (int o = WARP / 2; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/* x (N, e) = wte[tokens] (wte (V, ldw)). */
__global__ static void embed_kernel(float *x, const int32_t *tokens, const float *wte, int ldw, int N, int e)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)N * e) return;
    int n = (int)(i / e), j = (int)(i % e);
    x[i] = wte[(size_t)tokens[n] * ldw + j];
}

/* out (N, e) = (x - mean) rstd w + b over the e columns; one warp per row. */
__global__ static void layernorm_kernel(float *out, const float *x, const float *w, const float *b, int N, int e)
{
    int n = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP, lane = threadIdx.x % WARP;
    if (n >= N) return;
    const float *r = x + (size_t)n * e;
    float s = 0.0f;
    for (int j = lane; j < e; j += WARP) s += r[j];
    float m = warp_sum(s) / (float)e;
    float v = 0.0f;
    for (int j = lane; j < e; j += WARP) { float d = r[j] - m; v += d * d; }
    float rs = 1.0f / sqrtf(warp_sum(v) / (float)e + 1e-5f);
    float *o = out + (size_t)n * e;
    for (int j = lane; j < e; j += WARP) o[j] = (r[j] - m) * rs * w[j] + b[j];
}

/* For z < gridDim.z: out_z[n][j] += bias_z[j], out_z = out + z ostride (N, ld),
 * bias_z = bias + z bstride. */
__global__ static void bias_kernel(float *out, int ld, size_t ostride, const float *bias, size_t bstride, int N,
                                   int n_out)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)N * n_out) return;
    int n = (int)(i / n_out), j = (int)(i % n_out);
    out[blockIdx.z * ostride + (size_t)n * ld + j] += bias[blockIdx.z * bstride + j];
}

/* Rotate-half RoPE on the first 2 half dims of every head of q and k (N, ld),
 * token n at position n % T. */
__global__ static void rope_kernel(float *q, float *k, int ld, const float *cos_t, const float *sin_t, int N, int T,
                                   int n_head, int hs, int half)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)N * n_head * half) return;
    int c = (int)(i % half);
    int h = (int)((i / half) % n_head);
    int n = (int)(i / ((size_t)half * n_head));
    float cs = cos_t[(size_t)(n % T) * half + c], sn = sin_t[(size_t)(n % T) * half + c];
    float *qs[2] = {q, k};
    for (int t = 0; t < 2; t++) {
        float *v = qs[t] + (size_t)n * ld + (size_t)h * hs;
        float x1 = v[c], x2 = v[c + half];
        v[c] = x1 * cs - x2 * sn;
        v[c + half] = x2 * cs + x1 * sn;
    }
}

/* Block rows i0..i0+m-1 of every head (blockIdx.y), S (ATT_BLOCK, ld) per
 * head at stride hstride: softmax of row r (query i = i0 + r) over columns
 * 0..i, zero on i+1..i1-1.  One warp per row. */
__global__ static void causal_softmax_kernel(float *S, int ld, size_t hstride, int i0, int m)
{
    int r = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP, lane = threadIdx.x % WARP;
    if (r >= m) return;
    float *row = S + blockIdx.y * hstride + (size_t)r * ld;
    int i = i0 + r, i1 = i0 + m;
    float mx = -INFINITY;
    for (int j = lane; j <= i; j += WARP) mx = fmaxf(mx, row[j]);
    mx = warp_max(mx);
    float s = 0.0f;
    for (int j = lane; j <= i; j += WARP) { float p = expf(row[j] - mx); row[j] = p; s += p; }
    float inv = 1.0f / warp_sum(s);
    for (int j = lane; j <= i; j += WARP) row[j] *= inv;
    for (int j = i + 1 + lane; j < i1; j += WARP) row[j] = 0.0f;
}

/* g = silu(h1) h2 (n elements). */
__global__ static void swiglu_kernel(float *g, const float *h1, const float *h2, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float a = h1[i];
    g[i] = a / (1.0f + expf(-a)) * h2[i];
}

/* losses[n] = log sum exp(z) - z[target] of row n of logits (N, V); one
 * block of 256 per row, the sum of exponentials in double as on the CPU. */
__global__ static void crossentropy_kernel(float *losses, const float *logits, const int32_t *targets, int V)
{
    __shared__ float smax[256 / WARP];
    __shared__ double ssum[256 / WARP];
    int n = blockIdx.x, lane = threadIdx.x % WARP, w = threadIdx.x / WARP, nw = blockDim.x / WARP;
    const float *z = logits + (size_t)n * V;
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, z[j]);
    mx = warp_max(mx);
    if (lane == 0) smax[w] = mx;
    __syncthreads();
    mx = smax[0];
    for (int k = 1; k < nw; k++) mx = fmaxf(mx, smax[k]);
    double s = 0.0;
    for (int j = threadIdx.x; j < V; j += blockDim.x) s += (double)expf(z[j] - mx);
    for (int o = WARP / 2; o > 0; o /= 2) s += __shfl_xor_sync(0xffffffffu, s, o);
    if (lane == 0) ssum[w] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        double t = 0.0;
        for (int k = 0; k < nw; k++) t += ssum[k];
        losses[n] = (float)(log(t) + mx - z[targets[n]]);
    }
}

static unsigned blocks_for(size_t n, int threads) { return (unsigned)((n + threads - 1) / threads); }

/* ---- the forward pass --------------------------------------------------- */

/* out (N, n_out; ld ldo) = beta out + in (N, n_in; ld ldi) W^T, W (n_out, ldw). */
static int linear(snc_ctx *g, float *out, int ldo, const float *in, int ldi, const float *W, int ldw, int N,
                  int n_out, int n_in, float beta, char *why)
{
    const float one = 1.0f;
    CKB(cublasSgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, n_out, N, n_in, &one, W, ldw, in, ldi, &beta, out, ldo));
    return SNC_OK;
}

/* count products at once, operand z at W + z wstride, out + z ostride. */
static int linear_batched(snc_ctx *g, float *out, int ldo, size_t ostride, const float *in, int ldi, const float *W,
                          int ldw, size_t wstride, int N, int n_out, int n_in, int count, char *why)
{
    const float one = 1.0f, zero = 0.0f;
    CKB(cublasSgemmStridedBatched(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, n_out, N, n_in, &one, W, ldw,
                                  (long long)wstride, in, ldi, 0, &zero, out, ldo, (long long)ostride, count));
    return SNC_OK;
}

static void add_bias(snc_ctx *g, float *out, int ld, size_t ostride, const float *bias, size_t bstride, int N,
                     int n_out, int count)
{
    dim3 grid(blocks_for((size_t)N * n_out, 256), 1, (unsigned)count);
    bias_kernel<<<grid, 256, 0, g->stream>>>(out, ld, ostride, bias, bstride, N, n_out);
}

static void layernorm(snc_ctx *g, float *out, const float *x, const float *w, const float *b, int N, int e)
{
    layernorm_kernel<<<blocks_for((size_t)N, 256 / WARP), 256, 0, g->stream>>>(out, x, w, b, N, e);
}

/* y (B T, a) = causal softmax(q k^T / sqrt(hs)) v per sequence and head. */
static int attention(snc_ctx *g, float *y, const float *q, const float *k, const float *v, int a, int B, int T,
                     int nh, int hs, char *why)
{
    const float scale = 1.0f / sqrtf((float)hs), one = 1.0f, zero = 0.0f;
    size_t hstride = (size_t)ATT_BLOCK * T;
    for (int b = 0; b < B; b++) {
        size_t base = (size_t)b * T * a;
        for (int i0 = 0; i0 < T; i0 += ATT_BLOCK) {
            int m = std::min(ATT_BLOCK, T - i0), i1 = i0 + m;
            /* per head: S (m, i1; ld T) = scale Q[i0:i1] K[0:i1]^T,
             * column-major S^T (i1 x m) = K (i1 x hs) Q^T (hs x m) */
            CKB(cublasSgemmStridedBatched(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, i1, m, hs, &scale, k + base, a, hs,
                                          q + base + (size_t)i0 * a, a, hs, &zero, g->att, T, (long long)hstride, nh));
            dim3 grid(blocks_for((size_t)m, 256 / WARP), (unsigned)nh);
            causal_softmax_kernel<<<grid, 256, 0, g->stream>>>(g->att, T, hstride, i0, m);
            /* Y[i0:i1] (m, hs; ld a) = P (m, i1) V[0:i1] (i1, hs),
             * column-major Y^T (hs x m) = V^T (hs x i1) P^T (i1 x m) */
            CKB(cublasSgemmStridedBatched(g->blas, CUBLAS_OP_N, CUBLAS_OP_N, hs, m, i1, &one, v + base, a, hs,
                                          g->att, T, (long long)hstride, &zero, y + base + (size_t)i0 * a, a, hs, nh));
        }
    }
    return SNC_OK;
}

static const float *P(const snc_ctx *g, int l, int t) { return g->d_params + g->m.off_layer[l][t]; }

static int block_forward(snc_ctx *g, const snc_dims *d, int l, int B, int T, char *why)
{
    const snc_model_desc *c = &g->m;
    int N = B * T, E = c->max_embed, e = d->embed, hs = c->head_size, nh = d->n_head[l], a = hs * nh,
        f = d->hidden[l], Aw = hs * c->max_heads, F = c->max_mlp_ratio * E, rc;
    size_t Na = (size_t)N * a, Nf = (size_t)N * f;
    float *q = g->qkv, *k = g->qkv + Na, *v = g->qkv + 2 * Na, *h1 = g->h12, *h2 = g->h12 + Nf;
    /* attention: ln = LN1(x); q|k|v (N, a) = ln Wq|Wk|Wv^T (+ b) */
    layernorm(g, g->ln, g->x, P(g, l, SNC_LN1W), P(g, l, SNC_LN1B), N, e);
    size_t wqkv = c->off_layer[l][SNC_WK] - c->off_layer[l][SNC_WQ];
    if ((rc = linear_batched(g, g->qkv, a, Na, g->ln, e, P(g, l, SNC_WQ), E, wqkv, N, a, e, 3, why))) return rc;
    if (d->bias) add_bias(g, g->qkv, a, Na, P(g, l, SNC_BQ), c->off_layer[l][SNC_BK] - c->off_layer[l][SNC_BQ], N, a, 3);
    if (g->half > 0)
        rope_kernel<<<blocks_for((size_t)N * nh * g->half, 256), 256, 0, g->stream>>>(q, k, a, g->cos_t, g->sin_t, N, T,
                                                                                      nh, hs, g->half);
    if ((rc = attention(g, g->y, q, k, v, a, B, T, nh, hs, why))) return rc;
    /* x (N, e) += y Wo^T (+ bo), Wo (E, Aw) sliced to e x a */
    if ((rc = linear(g, g->x, e, g->y, a, P(g, l, SNC_WO), Aw, N, e, a, 1.0f, why))) return rc;
    if (d->bias) add_bias(g, g->x, e, 0, P(g, l, SNC_BO), 0, N, e, 1);
    /* MLP: ln = LN2(x); h1|h2 (N, f) = ln W1|W2^T (+ b); g = silu(h1) h2; x += g W3^T (+ b3) */
    layernorm(g, g->ln, g->x, P(g, l, SNC_LN2W), P(g, l, SNC_LN2B), N, e);
    size_t w12 = c->off_layer[l][SNC_W2] - c->off_layer[l][SNC_W1];
    if ((rc = linear_batched(g, g->h12, f, Nf, g->ln, e, P(g, l, SNC_W1), E, w12, N, f, e, 2, why))) return rc;
    if (d->bias) add_bias(g, g->h12, f, Nf, P(g, l, SNC_B1), c->off_layer[l][SNC_B2] - c->off_layer[l][SNC_B1], N, f, 2);
    swiglu_kernel<<<blocks_for(Nf, 256), 256, 0, g->stream>>>(g->g, h1, h2, Nf);
    if ((rc = linear(g, g->x, e, g->g, f, P(g, l, SNC_W3), F, N, e, f, 1.0f, why))) return rc;
    if (d->bias) add_bias(g, g->x, e, 0, P(g, l, SNC_B3), 0, N, e, 1);
    return SNC_OK;
}

/* Every kernel of a forward on the tokens (and targets) already on the device;
 * asynchronous on g->stream. */
static int forward_kernels(snc_ctx *g, const snc_dims *d, int B, int T, int with_targets, char *why)
{
    const snc_model_desc *c = &g->m;
    int N = B * T, e = d->embed, rc;
    const float *G = g->d_params;
    embed_kernel<<<blocks_for((size_t)N * e, 256), 256, 0, g->stream>>>(g->x, g->tokens, G + c->off_global[SNC_WTE],
                                                                        c->max_embed, N, e);
    for (int l = 0; l < d->n_layer; l++)
        if ((rc = block_forward(g, d, l, B, T, why))) return rc;
    layernorm(g, g->ln, g->x, G + c->off_global[SNC_LNFW], G + c->off_global[SNC_LNFB], N, e);
    /* logits (N, V) = ln Wlm^T, Wlm (V, E) sliced to V x e */
    if ((rc = linear(g, g->logits, c->vocab, g->ln, e, G + c->off_global[SNC_LMHEAD], c->max_embed, N, c->vocab, e,
                     0.0f, why)))
        return rc;
    if (with_targets) crossentropy_kernel<<<N, 256, 0, g->stream>>>(g->losses, g->logits, g->targets, c->vocab);
    CK(cudaGetLastError());
    return SNC_OK;
}

static void note_memory(snc_ctx *g)
{
    size_t fr = 0, tot = 0;
    if (cudaMemGetInfo(&fr, &tot) == cudaSuccess && tot - fr > g->device_peak) g->device_peak = tot - fr;
}

/* ---- the module's functions --------------------------------------------- */

static int m_probe(char *why)
{
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        snprintf(why, SNC_WHY_LEN, "no CUDA device: cudaGetDeviceCount returned %d (%s)", (int)err,
                 cudaGetErrorString(err));
        return SNC_ENODEVICE;
    }
    if (n < 1) {
        snprintf(why, SNC_WHY_LEN, "no CUDA device: cudaGetDeviceCount found 0 devices");
        return SNC_ENODEVICE;
    }
    return SNC_OK;
}

static void m_destroy(snc_ctx *g)
{
    if (!g) return;
    if (g->blas) cublasDestroy(g->blas);
    if (g->ev[0]) cudaEventDestroy(g->ev[0]);
    if (g->ev[1]) cudaEventDestroy(g->ev[1]);
    if (g->stream) cudaStreamDestroy(g->stream);
    cudaFree(g->arena);
    cudaFree(g->d_params);
    free(g->h_losses);
    free(g);
}

/* Lays out the arena for batches up to B x T; with base NULL only counts. */
static size_t arena_layout(snc_ctx *g, char *base, int B, int T)
{
    const snc_model_desc *c = &g->m;
    size_t N = (size_t)B * T, E = c->max_embed, A = (size_t)c->head_size * c->max_heads,
           F = (size_t)c->max_mlp_ratio * c->max_embed, used = 0;
    auto take = [&](size_t bytes) {
        char *p = base ? base + used : NULL;
        used += (bytes + 255) & ~(size_t)255;
        return p;
    };
    g->x = (float *)take(sizeof(float) * N * E);
    g->ln = (float *)take(sizeof(float) * N * E);
    g->qkv = (float *)take(sizeof(float) * 3 * N * A);
    g->y = (float *)take(sizeof(float) * N * A);
    g->h12 = (float *)take(sizeof(float) * 2 * N * F);
    g->g = (float *)take(sizeof(float) * N * F);
    g->att = (float *)take(sizeof(float) * (size_t)c->max_heads * ATT_BLOCK * T);
    g->logits = (float *)take(sizeof(float) * N * c->vocab);
    g->losses = (float *)take(sizeof(float) * N);
    g->cos_t = (float *)take(sizeof(float) * (size_t)T * std::max(g->half, 1));
    g->sin_t = (float *)take(sizeof(float) * (size_t)T * std::max(g->half, 1));
    g->tokens = (int32_t *)take(sizeof(int32_t) * N);
    g->targets = (int32_t *)take(sizeof(int32_t) * N);
    return used;
}

/* cos, sin (T, half) of t base^(-2i/rot), as sn_rope_tables (double, then float). */
static int upload_rope(snc_ctx *g, int T, char *why)
{
    int half = g->half, rot = g->m.rot;
    if (half == 0) return SNC_OK;
    float *h = (float *)malloc(sizeof(float) * 2 * (size_t)T * half);
    if (!h) { snprintf(why, SNC_WHY_LEN, "out of host memory"); return SNC_ENOMEM; }
    for (int t = 0; t < T; t++)
        for (int i = 0; i < half; i++) {
            double theta = pow(10000.0, -2.0 * i / rot);
            h[(size_t)t * half + i] = (float)cos(t * theta);
            h[(size_t)T * half + (size_t)t * half + i] = (float)sin(t * theta);
        }
    cudaError_t err = cudaMemcpy(g->cos_t, h, sizeof(float) * (size_t)T * half, cudaMemcpyHostToDevice);
    if (err == cudaSuccess)
        err = cudaMemcpy(g->sin_t, h + (size_t)T * half, sizeof(float) * (size_t)T * half, cudaMemcpyHostToDevice);
    free(h);
    return err == cudaSuccess ? SNC_OK : cuda_fail(err, "cudaMemcpy (rotary tables)", why);
}

static int create_in(snc_ctx *g, const snc_model_desc *m, int B, int T, char *why)
{
    g->m = *m;
    g->Bmax = B;
    g->Tmax = T;
    g->half = m->rot / 2;
    CK(cudaSetDevice(0));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    snprintf(g->name, sizeof g->name, "%s", prop.name);
    CK(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking));
    CK(cudaEventCreate(&g->ev[0]));
    CK(cudaEventCreate(&g->ev[1]));
    CKB(cublasCreate(&g->blas));
    CKB(cublasSetStream(g->blas, g->stream));
    CKB(cublasSetMathMode(g->blas, CUBLAS_DEFAULT_MATH));   /* fp32 products, no TF32 */
    CK(cudaMalloc((void **)&g->d_params, sizeof(float) * m->n_params));
    CK(cudaMemcpy(g->d_params, m->params, sizeof(float) * m->n_params, cudaMemcpyHostToDevice));
    g->m.params = NULL;
    g->arena_bytes = arena_layout(g, NULL, B, T);
    CK(cudaMalloc(&g->arena, g->arena_bytes));
    arena_layout(g, (char *)g->arena, B, T);
    g->h_losses = (float *)malloc(sizeof(float) * (size_t)B * T);
    if (!g->h_losses) { snprintf(why, SNC_WHY_LEN, "out of host memory"); return SNC_ENOMEM; }
    int rc = upload_rope(g, T, why);
    if (!rc) note_memory(g);
    return rc;
}

static int m_create(snc_ctx **out, const snc_model_desc *m, int B, int T, char *why)
{
    *out = NULL;
    for (int l = 0; l < m->max_layers; l++) {
        const size_t *o = m->off_layer[l];
        if (o[SNC_WV] - o[SNC_WK] != o[SNC_WK] - o[SNC_WQ] || o[SNC_BV] - o[SNC_BK] != o[SNC_BK] - o[SNC_BQ]) {
            snprintf(why, SNC_WHY_LEN, "layer %d: q, k, v tensors are not evenly spaced in the parameter buffer", l);
            return SNC_ECUDA;
        }
    }
    snc_ctx *g = (snc_ctx *)calloc(1, sizeof *g);
    if (!g) { snprintf(why, SNC_WHY_LEN, "out of host memory"); return SNC_ENOMEM; }
    int rc = create_in(g, m, B, T, why);
    if (rc) { m_destroy(g); return rc; }
    *out = g;
    return SNC_OK;
}

static int m_forward(snc_ctx *g, const snc_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
                     double *loss, char *why)
{
    size_t N = (size_t)B * T;
    CK(cudaMemcpyAsync(g->tokens, tokens, sizeof(int32_t) * N, cudaMemcpyHostToDevice, g->stream));
    if (targets) CK(cudaMemcpyAsync(g->targets, targets, sizeof(int32_t) * N, cudaMemcpyHostToDevice, g->stream));
    int rc = forward_kernels(g, d, B, T, targets != NULL, why);
    if (rc) return rc;
    if (targets) CK(cudaMemcpyAsync(g->h_losses, g->losses, sizeof(float) * N, cudaMemcpyDeviceToHost, g->stream));
    CK(cudaStreamSynchronize(g->stream));
    g->fB = B;
    g->fT = T;
    note_memory(g);
    if (targets) {
        double s = 0.0;
        for (size_t n = 0; n < N; n++) s += g->h_losses[n];
        *loss = s / (double)N;
    }
    return SNC_OK;
}

static int m_logits(snc_ctx *g, float *out, size_t count, char *why)
{
    size_t have = (size_t)g->fB * g->fT * g->m.vocab;
    if (have == 0 || count != have) {
        snprintf(why, SNC_WHY_LEN, "logits: asked for %zu floats, the last forward has %zu", count, have);
        return SNC_ECUDA;
    }
    CK(cudaMemcpy(out, g->logits, sizeof(float) * count, cudaMemcpyDeviceToHost));
    return SNC_OK;
}

static int m_time_forward(snc_ctx *g, const snc_dims *d, int B, int T, int runs, double *ms, char *why)
{
    double t[1000];
    if (runs < 1 || runs > 1000) { snprintf(why, SNC_WHY_LEN, "%d timed runs (1..1000)", runs); return SNC_ECUDA; }
    for (int r = 0; r < runs; r++) {
        CK(cudaEventRecord(g->ev[0], g->stream));
        int rc = forward_kernels(g, d, B, T, 0, why);
        if (rc) return rc;
        CK(cudaEventRecord(g->ev[1], g->stream));
        CK(cudaEventSynchronize(g->ev[1]));
        float el = 0.0f;
        CK(cudaEventElapsedTime(&el, g->ev[0], g->ev[1]));
        t[r] = el;
    }
    note_memory(g);
    std::sort(t, t + runs);
    *ms = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
    return SNC_OK;
}

static int sgemm_products(snc_ctx *g, const snc_dims *d, int B, int T, double *flops, char *why)
{
    const snc_model_desc *c = &g->m;
    int N = B * T, E = c->max_embed, e = d->embed, hs = c->head_size, Aw = hs * c->max_heads,
        F = c->max_mlp_ratio * E, rc;
    const float one = 1.0f, zero = 0.0f;
    double fl = 0;
    for (int l = 0; l < d->n_layer; l++) {
        int nh = d->n_head[l], a = hs * nh, f = d->hidden[l];
        const int qkv[3] = {SNC_WQ, SNC_WK, SNC_WV};
        for (int i = 0; i < 3; i++)
            if ((rc = linear(g, g->qkv + (size_t)i * N * a, a, g->ln, e, P(g, l, qkv[i]), E, N, a, e, 0.0f, why)))
                return rc;
        for (int b = 0; b < B; b++)
            for (int h = 0; h < nh; h++) {
                const float *q = g->qkv + (size_t)b * T * a + (size_t)h * hs, *k = q + (size_t)N * a,
                            *v = q + 2 * (size_t)N * a;
                CKB(cublasSgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, T, T, hs, &one, k, a, q, a, &zero, g->logits, T));
                CKB(cublasSgemm(g->blas, CUBLAS_OP_N, CUBLAS_OP_N, hs, T, T, &one, v, a, g->logits, T, &zero,
                                g->y + (size_t)b * T * a + (size_t)h * hs, a));
            }
        if ((rc = linear(g, g->x, e, g->y, a, P(g, l, SNC_WO), Aw, N, e, a, 0.0f, why))) return rc;
        if ((rc = linear(g, g->h12, f, g->ln, e, P(g, l, SNC_W1), E, N, f, e, 0.0f, why))) return rc;
        if ((rc = linear(g, g->h12 + (size_t)N * f, f, g->ln, e, P(g, l, SNC_W2), E, N, f, e, 0.0f, why))) return rc;
        if ((rc = linear(g, g->x, e, g->g, f, P(g, l, SNC_W3), F, N, e, f, 0.0f, why))) return rc;
        fl += (double)B * (2.0 * T * e * a * 4 + 2.0 * T * e * f * 3 + 2.0 * 2.0 * T * (double)T * hs * nh);
    }
    if ((rc = linear(g, g->logits, c->vocab, g->ln, e, g->d_params + c->off_global[SNC_LMHEAD], E, N, c->vocab, e,
                     0.0f, why)))
        return rc;
    *flops = fl + 2.0 * N * (double)e * c->vocab;
    return SNC_OK;
}

static int m_time_sgemm(snc_ctx *g, const snc_dims *d, int B, int T, int runs, double *ms, double *flops, char *why)
{
    double t[1000];
    if (runs < 1 || runs > 1000) { snprintf(why, SNC_WHY_LEN, "%d timed runs (1..1000)", runs); return SNC_ECUDA; }
    if ((size_t)T * T > (size_t)B * T * g->m.vocab) {
        snprintf(why, SNC_WHY_LEN, "sgemm baseline: a %d x %d score matrix does not fit the logits buffer", T, T);
        return SNC_ECUDA;
    }
    int rc = sgemm_products(g, d, B, T, flops, why);   /* warm-up */
    for (int r = 0; r < runs && !rc; r++) {
        CK(cudaEventRecord(g->ev[0], g->stream));
        rc = sgemm_products(g, d, B, T, flops, why);
        CK(cudaEventRecord(g->ev[1], g->stream));
        CK(cudaEventSynchronize(g->ev[1]));
        float el = 0.0f;
        CK(cudaEventElapsedTime(&el, g->ev[0], g->ev[1]));
        t[r] = el;
    }
    if (rc) return rc;
    std::sort(t, t + runs);
    *ms = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
    return SNC_OK;
}

static void m_info(snc_ctx *g, char *name, size_t name_len, size_t *ctx_bytes, size_t *device_used,
                   size_t *device_peak)
{
    snprintf(name, name_len, "%s", g->name);
    *ctx_bytes = sizeof(float) * g->m.n_params + g->arena_bytes;
    size_t fr = 0, tot = 0;
    *device_used = cudaMemGetInfo(&fr, &tot) == cudaSuccess ? tot - fr : 0;
    *device_peak = std::max(g->device_peak, *device_used);
}

static const snc_module MODULE = {SNC_ABI_VERSION, m_probe,        m_create, m_forward, m_logits,
                                  m_time_forward,  m_time_sgemm,   m_info,   m_destroy};

extern "C" __attribute__((visibility("default"))) const snc_module *hwnas_cuda_module(void) { return &MODULE; }
