/* bench/bench_supernet_gpu.h — the GPU part of bench_supernet (bench/bench_supernet_gpu.c). */
#ifndef HWNAS_BENCH_SUPERNET_GPU_H
#define HWNAS_BENCH_SUPERNET_GPU_H

#include "supernet/supernet.h"

/* Prints the GPU figures of m's largest sub-network at T tokens (lines
 * starting "gpu"), or one line saying why the GPU part was skipped.  Never
 * prints bench_supernet's last line (the CPU ratio). */
void bench_supernet_gpu(const sn_model *m, int runs, int T);

#endif
