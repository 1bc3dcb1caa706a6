/* OpenBLAS loaded on first use: see blas.h. */
#include "supernet/blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static sn_sgemm_fn *blas_sgemm;         /* written once, under blas_once */
static int (*blas_threads)(void);     /* openblas_get_num_threads, same */
static char blas_why[256];

/* OpenBLAS 0.3.21 (Debian 12) does not know every recent CPU model: on
 * this project's Xeon (AVX-512, BF16) its run-time detection falls back to
 * the Prescott (SSE3) kernels, 3x slower on the supernet's products.  Unless
 * the user chose a core with OPENBLAS_CORETYPE, name the newest kernel set
 * the CPU's features support, before the library reads the variable at load
 * time.  Called once, under blas_once, before any thread of ours exists. */
static void blas_choose_core(void)
{
    if (getenv("OPENBLAS_CORETYPE")) return;
    const char *core = NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        core = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        core = "Haswell";
    if (core) setenv("OPENBLAS_CORETYPE", core, 0);
}

static void blas_open(void)
{
    blas_choose_core();
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(blas_why, sizeof blas_why, "%s", dlerror());
        return;
    }
    void *f = dlsym(h, "sgemm_");
    if (!f) {
        snprintf(blas_why, sizeof blas_why, "no sgemm_ in libopenblas.so.0");
        return;
    }
    *(void **)&blas_threads = dlsym(h, "openblas_get_num_threads");
    *(void **)&blas_sgemm = f;   /* POSIX: a data pointer from dlsym holds the function */
}

int sn_blas_load(hw_err *e)
{
    pthread_once(&blas_once, blas_open);
    if (blas_sgemm) return HW_OK;
    return hw_fail(e, HW_EMISSING, "OpenBLAS: cannot load libopenblas.so.0 (%s): install Debian's libopenblas0",
                   blas_why);
}

sn_sgemm_fn *sn_blas_sgemm(void) { return blas_sgemm; }

int sn_blas_threads(void) { return blas_threads ? blas_threads() : 0; }
