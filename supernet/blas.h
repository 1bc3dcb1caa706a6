/* supernet/blas.h — row-major single-precision GEMM through OpenBLAS.
 *
 * Why not cblas_sgemm: hwnas also links GSL, whose libgslcblas exports the
 * same cblas_* names; the dynamic linker binds every cblas_sgemm call to
 * whichever library loads first (GSL's reference CBLAS, ~20x slower).  The
 * Fortran entry point sgemm_ exists only in OpenBLAS, so the supernet calls
 * that, and GSL keeps its own CBLAS (its numerics are unchanged).
 *
 * Row-major C (M x N) = alpha op(A) op(B) + beta C is column-major
 * C^T = alpha op(B)^T op(A)^T + beta C^T: the operands swap places. */
#ifndef HWNAS_SUPERNET_BLAS_H
#define HWNAS_SUPERNET_BLAS_H

void sgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k, const float *alpha,
            const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
            const int *ldc);

/* trans_a, trans_b: 0 = as stored, 1 = transposed. */
static inline void sn_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
                            const float *B, int ldb, float beta, float *C, int ldc)
{
    char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    if (M <= 0 || N <= 0) return;
    sgemm_(&tb, &ta, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

#endif
