/* supernet/cuda/sn_cuda.h — the supernet's forward pass on a CUDA GPU
 * (evaluation loss, logits and timing), the same math as sn_forward
 * (supernet/supernet.h) with cuBLAS sgemm for the matrix products.
 *
 * Nothing here needs CUDA at build or run time: the CUDA code lives in a
 * separate module, libhwnas_cuda.so (supernet/cuda/forward.cu, built when
 * CMake finds nvcc and cuBLAS, installed next to libhwnas), loaded with
 * dlopen (RTLD_LOCAL) on the first call, like OpenBLAS (supernet/blas.h).
 * The module is looked for at $HWNAS_CUDA_MODULE when set, else next to the
 * object holding this code (libhwnas.so, or the program that links
 * hwnas_core statically), else in the build directory it was built in.
 * When it or a GPU is missing every call fails with HW_EMISSING and one
 * line: "CUDA: hwnas was built without CUDA (nvcc not found at configure
 * time)", "CUDA: cannot load .../libhwnas_cuda.so (...)", or "CUDA: no CUDA
 * device: cudaGetDeviceCount returned 35 (CUDA driver version is
 * insufficient...)".
 *
 * On the device (one context per sn_cuda, device 0, one stream):
 *   - the model's parameter buffer, copied once (same layout as sn_model);
 *   - one activation arena for batches up to B x T: the residual stream,
 *     one LayerNorm output, q|k|v, y, h1|h2, g (one layer's activations,
 *     reused by every layer), one (heads, 256, T) attention block, the
 *     logits (B T V) and per-token losses;
 *   - products by cublasSgemm / cublasSgemmStridedBatched (default math:
 *     no TF32) with the full model's leading dimensions, so a slice runs in
 *     place; q, k, v (and W1, W2) are one strided-batched product, since
 *     their weights are consecutive in the parameter buffer;
 *   - causal attention per sequence in blocks of 256 query rows: S = Q K^T
 *     over the keys 0..i1 of the block (batched over heads), a causal
 *     softmax kernel, Y = P V (batched over heads);
 *   - LayerNorm, RoPE, SiLU gating, bias and cross-entropy as kernels.
 * Results agree with the CPU forward to float rounding (summation order
 * differs; tests/test_supernet_cuda.c checks 1e-3 relative). */
#ifndef HWNAS_SUPERNET_CUDA_SN_CUDA_H
#define HWNAS_SUPERNET_CUDA_SN_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "supernet/supernet.h"

typedef struct sn_cuda sn_cuda;

/* HW_OK when the module loads and a CUDA device is present; else
 * HW_EMISSING with the reason (above).  Cheap after the first call. */
int sn_cuda_available(hw_err *e);

/* Copy m's parameters to the GPU and allocate the arena for batches up to
 * B x T (T <= block size).  m is not used afterwards (the GPU holds a copy:
 * recreate after changing m's weights). */
int sn_cuda_create(sn_cuda **out, const sn_model *m, int B, int T, hw_err *e);
void sn_cuda_free(sn_cuda *g);

/* As sn_forward: forward of d on tokens (B x T); with targets the mean
 * cross-entropy in *loss.  The logits stay on the GPU: sn_cuda_logits. */
int sn_cuda_forward(sn_cuda *g, const sn_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
                    float *loss, hw_err *e);
/* Copy the last forward's logits (B x T x V floats) into out (count floats). */
int sn_cuda_logits(sn_cuda *g, float *out, size_t count, hw_err *e);

/* As sn_eval_loss (supernet/train.h): mean loss of arch a over the first
 * n_windows windows of T tokens of text, in batches of B (<= the arena's). */
int sn_cuda_eval_loss(sn_cuda *g, const hw_arch *a, const uint8_t *text, size_t n, int T, int B, int n_windows,
                      double *loss, hw_err *e);

/* Median device time (ms, CUDA events around the kernels; the tokens are
 * already on the GPU) of runs (1..1000) forwards of d at B x T, after one
 * warm-up forward. */
int sn_cuda_time_forward(sn_cuda *g, const sn_dims *d, int B, int T, int runs, double *ms, hw_err *e);

/* The benchmark's baseline: median device time (ms) of the cuBLAS products
 * of a forward of d at B x T run alone by plain cublasSgemm (attention as
 * full T x T products per sequence and head, as bench_supernet's CPU
 * baseline), and their FLOPs.  Needs B T V >= T T (the scores go to the
 * logits buffer). */
int sn_cuda_time_sgemm(sn_cuda *g, const sn_dims *d, int B, int T, int runs, double *ms, double *flops, hw_err *e);

typedef struct {
    char device[256];        /* e.g. "NVIDIA H200" */
    size_t ctx_bytes;        /* parameters + arena this sn_cuda allocated */
    size_t device_used;      /* bytes in use on the device now (all processes, cudaMemGetInfo) */
    size_t device_peak;      /* the largest device_used seen after a forward of this sn_cuda */
} sn_cuda_info;
void sn_cuda_get_info(sn_cuda *g, sn_cuda_info *info);

/* One call for profilers (hwnas profile --cuda): put m on the GPU with an
 * arena for B x T, time runs forwards of d (median ms) and report the memory
 * figures; the GPU copy is freed before returning. */
typedef struct {
    double ms;               /* median forward time */
    sn_cuda_info info;       /* after the timed forwards */
} sn_cuda_profile;
int sn_cuda_profile_forward(const sn_model *m, const sn_dims *d, int B, int T, int runs, sn_cuda_profile *out,
                            hw_err *e);

#endif
