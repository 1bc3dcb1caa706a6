/* bench_supernet_gpu — the GPU part of build/bench_supernet (linked into it;
 * bench/bench_supernet.c calls it before its last line): on a CUDA GPU, the
 * forward of the largest sub-network of the benchmark's model (there: the
 * largest GPT-S, embed 768, 12 layers, 12 heads, ratio 4, V = 50,254) at
 * batch 1 x T tokens against cuBLAS sgemm on the same matrix shapes, in the
 * same run, and its latency at HW-GPT-Bench's batch sizes (8 x 1,024 tokens
 * for s; 4 for m and 1 for l, timed too).
 *
 *   forward GFLOP/s = useful FLOPs (as bench_supernet's CPU part: linear
 *     layers and the causal half of attention) / median device time of
 *     the forward (CUDA events, supernet/cuda/sn_cuda.h);
 *   sgemm GFLOP/s   = FLOPs / median device time of the same products by
 *     plain cublasSgemm (attention as full T x T products), sn_cuda_time_sgemm.
 * Without a GPU (or without the CUDA module) it prints one line saying why. */
#include "bench/bench_supernet_gpu.h"

#include <stdio.h>

#include "supernet/cuda/sn_cuda.h"

#define GPU_BATCH_MAX 8

static double useful_flops(const sn_config *c, const sn_dims *d, int B, int T)
{
    double f = 0, e = d->embed, hs = c->head_size;
    for (int l = 0; l < d->n_layer; l++) {
        double a = hs * d->n_head[l], h = d->hidden[l];
        f += 2.0 * T * e * a * 4 + 2.0 * T * e * h * 3 + 2.0 * 2.0 * hs * d->n_head[l] * (double)T * (T + 1) / 2;
    }
    return B * (f + 2.0 * T * e * c->vocab);
}

static int run(sn_cuda *g, const sn_model *m, int runs, int T, hw_err *e)
{
    sn_dims d;
    sn_dims_full(&m->cfg, &d);
    double mf, ms, fs;
    int rc = sn_cuda_time_forward(g, &d, 1, T, runs, &mf, e);
    if (!rc) rc = sn_cuda_time_sgemm(g, &d, 1, T, runs, &ms, &fs, e);
    if (rc) return rc;
    sn_cuda_info info;
    sn_cuda_get_info(g, &info);
    double gf = useful_flops(&m->cfg, &d, 1, T) / (mf * 1e-3) * 1e-9, gs = fs / (ms * 1e-3) * 1e-9;
    printf("gpu: %s, batch 1 x %d, median of %d, device time (CUDA events)\n", info.device, T, runs);
    printf("gpu forward: %.3f ms = %.0f GFLOP/s; cuBLAS sgemm on the same shapes: %.3f ms = %.0f GFLOP/s\n", mf, gf,
           ms, gs);
    printf("gpu forward/sgemm ratio: %.3f\n", gf / gs);
    const int batches[3] = {1, 4, GPU_BATCH_MAX};
    printf("gpu latency at %d tokens (HW-GPT-Bench: batch 8 for s, 4 for m, 1 for l):", T);
    for (int i = 0; i < 3 && !rc; i++) {
        double lat;
        rc = sn_cuda_time_forward(g, &d, batches[i], T, runs, &lat, e);
        if (!rc) printf(" batch %d %.2f ms%s", batches[i], lat, i < 2 ? "," : "\n");
    }
    if (rc) { printf("\n"); return rc; }
    sn_cuda_get_info(g, &info);
    printf("gpu memory: parameters + arena (batch %d) %.0f MiB; device in use, peak %.0f MiB\n", GPU_BATCH_MAX,
           info.ctx_bytes / 1048576.0, info.device_peak / 1048576.0);
    return HW_OK;
}

void bench_supernet_gpu(const sn_model *m, int runs, int T)
{
    hw_err e = {0};
    if (sn_cuda_available(&e)) {
        printf("gpu: skipped: %s\n", e.msg);
        return;
    }
    sn_cuda *g;
    int gruns = runs < 10 ? 10 : runs;
    int rc = sn_cuda_create(&g, m, GPU_BATCH_MAX, T, &e);
    if (!rc) {
        rc = run(g, m, gruns, T, &e);
        sn_cuda_free(g);
    }
    if (rc) printf("gpu: failed: %s\n", e.msg);
    fflush(stdout);
}
