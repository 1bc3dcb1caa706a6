/* supernet/cuda/module.h — the C ABI between libhwnas (supernet/cuda/loader.c)
 * and the CUDA module libhwnas_cuda.so (supernet/cuda/forward.cu).
 *
 * The module exports one symbol, hwnas_cuda_module(), returning a table of
 * functions whose first field is SNC_ABI_VERSION; the loader refuses a module
 * of another version.  Everything crossing the boundary is plain C data: the
 * module includes no other hwnas header (it is C++ compiled by nvcc), so the
 * loader copies the model's shape, parameter offsets and a sub-network's
 * dimensions into the structs below.  Errors come back as a non-zero return
 * (an SNC_* code) with one line in why[SNC_WHY_LEN].  Inputs are validated by
 * the loader; the module checks only what CUDA reports. */
#ifndef HWNAS_SUPERNET_CUDA_MODULE_H
#define HWNAS_SUPERNET_CUDA_MODULE_H

#include <stddef.h>
#include <stdint.h>

#define SNC_ABI_VERSION 1
#define SNC_MAX_LAYERS 64      /* >= HW_MAX_LAYERS (checked by the loader) */
#define SNC_WHY_LEN 512

/* Return codes (0 = success). */
enum { SNC_OK = 0, SNC_ENODEVICE = 1, SNC_ENOMEM = 2, SNC_ECUDA = 3 };

/* Tensor indices as in supernet/supernet.h (SN_*): the loader static-asserts
 * they agree. */
enum {
    SNC_LN1W, SNC_LN1B, SNC_WQ, SNC_WK, SNC_WV, SNC_BQ, SNC_BK, SNC_BV, SNC_WO, SNC_BO,
    SNC_LN2W, SNC_LN2B, SNC_W1, SNC_W2, SNC_B1, SNC_B2, SNC_W3, SNC_B3, SNC_N_LAYER_TENSORS
};
enum { SNC_WTE, SNC_LNFW, SNC_LNFB, SNC_LMHEAD, SNC_N_GLOBAL_TENSORS };

/* The supernet: its shape and its parameters (host memory, copied once). */
typedef struct {
    int vocab, max_embed, max_layers, max_heads, max_mlp_ratio, head_size, rot; /* rot: rotated dims per head (even) */
    const float *params;
    size_t n_params;
    size_t off_global[SNC_N_GLOBAL_TENSORS];
    size_t off_layer[SNC_MAX_LAYERS][SNC_N_LAYER_TENSORS];
} snc_model_desc;

/* One sub-network (as sn_dims). */
typedef struct {
    int embed, n_layer, bias;
    int n_head[SNC_MAX_LAYERS];
    int hidden[SNC_MAX_LAYERS];
} snc_dims;

typedef struct snc_ctx snc_ctx;

typedef struct {
    int abi_version;                 /* SNC_ABI_VERSION */
    /* SNC_OK when at least one CUDA device is usable. */
    int (*probe)(char *why);
    /* Parameters on device 0 and an activation arena for batches up to B x T. */
    int (*create)(snc_ctx **out, const snc_model_desc *m, int B, int T, char *why);
    /* Forward of d on tokens (B x T); with targets, the per-token losses'
     * mean in *loss (summed in double on the host).  Logits stay on the device. */
    int (*forward)(snc_ctx *g, const snc_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
                   double *loss, char *why);
    /* Copies the last forward's logits (B x T x V floats) to out. */
    int (*logits)(snc_ctx *g, float *out, size_t count, char *why);
    /* Median device time (ms, CUDA events) of runs forwards of d on the tokens
     * of the last forward call (B x T), after one warm-up. */
    int (*time_forward)(snc_ctx *g, const snc_dims *d, int B, int T, int runs, double *ms, char *why);
    /* Median device time (ms) of the cuBLAS products of a forward of d at
     * B x T run alone with plain cublasSgemm (attention as full T x T
     * products per sequence and head), and their FLOPs: the benchmark's
     * baseline (bench/bench_supernet_gpu.c). */
    int (*time_sgemm)(snc_ctx *g, const snc_dims *d, int B, int T, int runs, double *ms, double *flops, char *why);
    /* Device name, bytes this context allocated (parameters + arena), bytes
     * in use on the device (cudaMemGetInfo: total - free, every process) and
     * the largest such value seen after a forward. */
    void (*info)(snc_ctx *g, char *name, size_t name_len, size_t *ctx_bytes, size_t *device_used,
                 size_t *device_peak);
    void (*destroy)(snc_ctx *g);
} snc_module;

typedef const snc_module *snc_module_entry(void);
#define SNC_ENTRY_NAME "hwnas_cuda_module"

#endif
