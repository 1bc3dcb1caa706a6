/* supernet/blas.h — row-major single-precision GEMM through OpenBLAS.
 *
 * Why not cblas_sgemm: hwnas also links GSL, whose libgslcblas exports the
 * same cblas_* names; the dynamic linker binds every cblas_sgemm call to
 * whichever library loads first (GSL's reference CBLAS, ~20x slower).  The
 * Fortran entry point sgemm_ exists only in OpenBLAS, so the supernet calls
 * that, and GSL keeps its own CBLAS (its numerics are unchanged).
 *
 * OpenBLAS is loaded on first use (dlopen with RTLD_LOCAL), not linked:
 * its symbols never enter the process's global scope (GSL keeps binding to
 * its own CBLAS), and a program that never runs the supernet never starts
 * OpenBLAS's thread pool (about 30 ms of every run_experiment process when
 * it was linked).  The resolved entry point is
 * the one process-wide value, written once under pthread_once.
 *
 * Which library: $HWNAS_OPENBLAS (a path) when set; else the OpenMP build
 * (Debian's libopenblas0-openmp, <multiarch dir>/openblas-openmp/) when
 * installed, whose products run on the same OpenMP thread team as the
 * supernet's loops; else the system's libopenblas.so.0 (on Debian the
 * pthreads build, whose spinning workers compete with that team).  Both
 * builds run the same kernels: the same bytes (tests/test_openblas_build.sh).
 *
 * Row-major C (M x N) = alpha op(A) op(B) + beta C is column-major
 * C^T = alpha op(B)^T op(A)^T + beta C^T: the operands swap places. */
#ifndef HWNAS_SUPERNET_BLAS_H
#define HWNAS_SUPERNET_BLAS_H

#include "core/error.h"

typedef void sn_sgemm_fn(const char *transa, const char *transb, const int *m, const int *n, const int *k,
                         const float *alpha, const float *a, const int *lda, const float *b, const int *ldb,
                         const float *beta, float *c, const int *ldc);

/* Loads OpenBLAS (once per process).  HW_OK, or HW_EMISSING with "OpenBLAS:
 * cannot load libopenblas.so.0 (...): install Debian's libopenblas0" (or
 * "OpenBLAS: $HWNAS_OPENBLAS=PATH: ...").  sn_model_init
 * calls it, so a model's products always find it. */
int sn_blas_load(hw_err *e);
/* OpenBLAS's sgemm_ (NULL before a successful sn_blas_load). */
sn_sgemm_fn *sn_blas_sgemm(void);
/* OpenBLAS's thread count (0 before a successful sn_blas_load). */
int sn_blas_threads(void);
/* The library loaded ("" before a successful sn_blas_load), its
 * openblas_get_config() string, and its threading: "openmp", "pthreads",
 * "sequential" ("unknown" before the load or when it does not say). */
const char *sn_blas_library(void);
const char *sn_blas_config(void);
const char *sn_blas_parallel(void);

/* trans_a, trans_b: 0 = as stored, 1 = transposed. */
static inline void sn_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
                            const float *B, int ldb, float beta, float *C, int ldc)
{
    char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    if (M <= 0 || N <= 0) return;
    sn_blas_sgemm()(&tb, &ta, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

#endif
