/* OpenBLAS loaded on first use: see blas.h. */
#define _GNU_SOURCE   /* dladdr */
#include "supernet/blas.h"

#include <dlfcn.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static sn_sgemm_fn *blas_sgemm;         /* written once, under blas_once */
static int (*blas_threads)(void);     /* openblas_get_num_threads, same */
static char *(*blas_config)(void);    /* openblas_get_config, same */
static int (*blas_parallel)(void);    /* openblas_get_parallel, same */
static char blas_path[4096];          /* the library loaded (or tried), same */
static char blas_why[4400];

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

/* The OpenMP build of OpenBLAS (Debian's libopenblas0-openmp) beside the
 * libgomp this process uses: <libgomp's directory>/openblas-openmp/, also
 * under /usr when that directory is /lib...  Its products run on OpenMP's
 * own thread team, so they and the supernet's OpenMP loops never fight for
 * the cores (the pthreads build's workers spin after each product while our
 * OpenMP team wants the same cores: on 16 cores a GPT-S forward ran 2.3x
 * slower and a small xs forward 20-40x slower with it; docs/supernet.md,
 * "BLAS and threads"). */
static void *open_openmp_build(char *path, size_t n)
{
    Dl_info info;
    if (!dladdr((void *)&omp_get_max_threads, &info) || !info.dli_fname) return NULL;
    const char *slash = strrchr(info.dli_fname, '/');
    if (!slash) return NULL;
    int dir = (int)(slash - info.dli_fname);
    const char *prefixes[] = {"", "/usr"};
    int n_prefixes = strncmp(info.dli_fname, "/lib", 4) == 0 ? 2 : 1;
    for (int i = 0; i < n_prefixes; i++) {
        snprintf(path, n, "%s%.*s/openblas-openmp/libopenblas.so.0", prefixes[i], dir, info.dli_fname);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h) return h;
    }
    return NULL;
}

/* $HWNAS_OPENBLAS (a path: that library or an error), else the OpenMP build
 * when installed, else whichever libopenblas.so.0 the system resolves. */
static void blas_open(void)
{
    blas_choose_core();
    const char *env = getenv("HWNAS_OPENBLAS");
    void *h = NULL;
    if (env && *env) {
        snprintf(blas_path, sizeof blas_path, "%s", env);
        if (!(h = dlopen(env, RTLD_NOW | RTLD_LOCAL))) {
            snprintf(blas_why, sizeof blas_why, "$HWNAS_OPENBLAS=%s: %s", env, dlerror());
            return;
        }
    } else if (!(h = open_openmp_build(blas_path, sizeof blas_path))) {
        snprintf(blas_path, sizeof blas_path, "libopenblas.so.0");
        if (!(h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL))) {
            snprintf(blas_why, sizeof blas_why, "cannot load libopenblas.so.0 (%s): install Debian's libopenblas0", dlerror());
            return;
        }
    }
    void *f = dlsym(h, "sgemm_");
    if (!f) {
        snprintf(blas_why, sizeof blas_why, "no sgemm_ in %s", blas_path);
        return;
    }
    *(void **)&blas_threads = dlsym(h, "openblas_get_num_threads");
    *(void **)&blas_config = dlsym(h, "openblas_get_config");
    *(void **)&blas_parallel = dlsym(h, "openblas_get_parallel");
    *(void **)&blas_sgemm = f;   /* POSIX: a data pointer from dlsym holds the function */
}

int sn_blas_load(hw_err *e)
{
    pthread_once(&blas_once, blas_open);
    if (blas_sgemm) return HW_OK;
    return hw_fail(e, HW_EMISSING, "OpenBLAS: %s", blas_why);
}

sn_sgemm_fn *sn_blas_sgemm(void) { return blas_sgemm; }

int sn_blas_threads(void) { return blas_threads ? blas_threads() : 0; }

const char *sn_blas_library(void) { return blas_sgemm ? blas_path : ""; }

const char *sn_blas_config(void) { return blas_config ? blas_config() : "unknown"; }

const char *sn_blas_parallel(void)
{
    if (!blas_parallel) return "unknown";
    switch (blas_parallel()) {
    case 0: return "sequential";
    case 1: return "pthreads";
    case 2: return "openmp";
    default: return "unknown";
    }
}
