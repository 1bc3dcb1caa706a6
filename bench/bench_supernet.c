/* bench_supernet — CPU forward of the largest GPT-S architecture (embed 768,
 * 12 layers, 12 heads, MLP ratio 4, V = 50,254, rotary 25%) at batch 1 x
 * 1,024 tokens against OpenBLAS sgemm on the same matrix shapes, in the same
 * run.
 *
 *   forward GFLOP/s = useful FLOPs / median forward time, where useful FLOPs
 *     are 2 m n k of every linear layer and of the causal half of attention
 *     (q k^T and p v on the i+1 keys of query i);
 *   sgemm GFLOP/s   = FLOPs / median time of the same products run alone by
 *     OpenBLAS sgemm (supernet/blas.h) with the same layouts (attention as full T x T products);
 * Before that, the training throughput on xs: median wall time of sandwich
 * steps (largest, smallest and 2 random sub-networks, forward + backward +
 * AdamW) at B 4 x T 256 (the committed checkpoint's run) and B 16 x T 256
 * (the default), as tokens/s, steps/s and the process's peak RSS (getrusage)
 * after training — measured first, so the forward's larger arena is not in it.
 * Also the median CPU time per step (CLOCK_PROCESS_CPUTIME_ID, all threads):
 * at one thread on a loaded machine it is close to the quiet wall time.
 * The baseline in the same run is sgemm: the step's useful FLOPs (6 N x
 * params of each slice's products + attention) against the sgemm rate below.
 * and prints, as its last line, "forward/sgemm ratio: R".
 *   build/bench_supernet [runs (default 5)] [tokens (default 1024)] [training steps (default 3)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/bench_supernet_gpu.h"
#include "core/rng.h"
#include "core/util.h"
#include "space/analytic.h"
#include "supernet/blas.h"
#include "supernet/supernet.h"
#include "supernet/train.h"


static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = -1;
        fclose(f);
    }
    return l;
}

/* Useful forward FLOPs of dims d at T tokens (batch 1). */
static double forward_flops(const sn_config *c, const sn_dims *d, int T)
{
    double f = 0, e = d->embed, hs = c->head_size;
    for (int l = 0; l < d->n_layer; l++) {
        double a = hs * d->n_head[l], h = d->hidden[l];
        f += 2.0 * T * e * a * 4;                                  /* q, k, v, o */
        f += 2.0 * T * e * h * 3;                                  /* w1, w2, w3 */
        f += 2.0 * 2.0 * hs * d->n_head[l] * (double)T * (T + 1) / 2; /* causal q k^T, p v */
    }
    return f + 2.0 * T * e * c->vocab;                             /* lm_head */
}

/* The same products by sgemm alone; returns their FLOPs. */
static double sgemm_products(const sn_model *m, const sn_dims *d, int T, float *x, float *y, float *s)
{
    const sn_config *c = &m->cfg;
    int E = c->max_embed, e = d->embed, hs = c->head_size, Aw = hs * c->max_heads, F = c->max_mlp_ratio * E;
    double flops = 0;
    for (int l = 0; l < d->n_layer; l++) {
        int a = hs * d->n_head[l], f = d->hidden[l];
        const int qkv[3] = {SN_WQ, SN_WK, SN_WV};
        for (int i = 0; i < 3; i++)
            sn_sgemm(0, 1, T, a, e, 1.0f, x, e, sn_param(m, l, qkv[i]), E, 0.0f,
                        y, a);
        for (int h = 0; h < d->n_head[l]; h++) {
            sn_sgemm(0, 1, T, T, hs, 1.0f, y + h * hs, a, x + h * hs, a, 0.0f,
                        s, T);
            sn_sgemm(0, 0, T, hs, T, 1.0f, s, T, x + h * hs, a, 0.0f,
                        y + h * hs, a);
        }
        sn_sgemm(0, 1, T, e, a, 1.0f, y, a, sn_param(m, l, SN_WO), Aw, 0.0f, x,
                    e);
        sn_sgemm(0, 1, T, f, e, 1.0f, x, e, sn_param(m, l, SN_W1), E, 0.0f, y,
                    f);
        sn_sgemm(0, 1, T, f, e, 1.0f, x, e, sn_param(m, l, SN_W2), E, 0.0f, y,
                    f);
        sn_sgemm(0, 1, T, e, f, 1.0f, y, f, sn_param(m, l, SN_W3), F, 0.0f, x,
                    e);
        flops += 2.0 * T * e * a * 4 + 2.0 * T * e * f * 3 + 2.0 * 2.0 * T * (double)T * hs * d->n_head[l];
    }
    sn_sgemm(0, 1, T, c->vocab, e, 1.0f, x, e, sn_param(m, -1, SN_LMHEAD), E,
                0.0f, s, c->vocab);
    return flops + 2.0 * T * e * c->vocab;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024.0 : -1.0;
}

/* Training-step FLOPs of sub-network d at B x T: forward useful FLOPs
 * (forward_flops, per sequence) times 3 (forward + backward). */
static double train_flops(const sn_config *c, const sn_dims *d, int B, int T)
{
    return 3.0 * B * forward_flops(c, d, T);
}

/* Median wall time of `steps` sandwich steps on xs at B x T (after one
 * warm-up step) on a synthetic byte text; *flops: mean useful FLOPs per step
 * (the sub-networks each step drew). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_train_xs(int B, int T, int steps, double *sec, double *cpu, double *flops, hw_err *e)
{
    enum { TEXT = 1 << 20 };
    sn_corpus c = {0};
    uint8_t *text = malloc(TEXT);
    if (!text) return hw_fail(e, HW_ENOMEM, "bench: out of memory");
    for (size_t i = 0; i < TEXT; i++) text[i] = (uint8_t)("etaoin shrdlu cmfwyp vbgkqjxz\n."[(i * 2654435761u >> 7) % 32]);
    c.train = text;
    c.n_train = TEXT * 9 / 10;
    c.val = text + c.n_train;
    c.n_val = TEXT - c.n_train;
    sn_train_opts o;
    sn_train_opts_default(&o, HW_SCALE_XS, 1000);
    o.batch = B;
    o.seq_len = T;
    sn_trainer t;
    int rc = sn_trainer_init(&t, &o, "bench", &c, e);
    double ts[100], tc[100], fl = 0;
    if (!rc) rc = sn_trainer_step(&t, &c, e); /* warm-up: first touch of the arena */
    for (int s = 0; s < steps && !rc; s++) {
        /* the sub-networks this step draws (same stream as sn_trainer_step) */
        const hw_space *sp = hw_space_get(HW_SCALE_XS);
        hw_rng r;
        hw_rng_seed(&r, hw_splitmix64(o.seed) + (uint64_t)t.step, HW_STREAM_TRAIN);
        for (int b = 0; b < B; b++) hw_rng_below(&r, (uint32_t)(c.n_train - (size_t)T - 1));
        hw_arch a[4];
        sn_space_largest(sp, &a[0]);
        sn_space_smallest(sp, &a[1]);
        hw_arch_sample(sp, &r, &a[2]);
        hw_arch_sample(sp, &r, &a[3]);
        for (int k = 0; k < 4; k++) {
            sn_dims d;
            if (sn_dims_from_arch(&t.model.cfg, &a[k], &d, e) == HW_OK) fl += train_flops(&t.model.cfg, &d, B, T);
        }
        double t0 = hw_now(), c0 = cpu_now();
        rc = sn_trainer_step(&t, &c, e);
        ts[s] = hw_now() - t0;
        tc[s] = cpu_now() - c0;
    }
    if (!rc) {
        *sec = median(ts, steps);
        *cpu = median(tc, steps);
        *flops = fl / steps;
    }
    sn_trainer_free(&t);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5, T = argc > 2 ? atoi(argv[2]) : 1024,
        tsteps = argc > 3 ? atoi(argv[3]) : 3;
    if (runs < 1 || runs > 100 || T < 1 || T > 1024 || tsteps < 1 || tsteps > 100) {
        fprintf(stderr, "bench_supernet: usage: bench_supernet [runs 1..100] [tokens 1..1024] [training steps 1..100]\n");
        return 2;
    }
    hw_err e = {0};
    double train_gflops = 0;
    /* xs training throughput first (its peak RSS without the forward's arena) */
    {
        const int batches[2] = {4, 16};
        double step_s[2], step_cpu[2], step_fl[2], rss = 0;
        for (int i = 0; i < 2; i++) {
            if (bench_train_xs(batches[i], 256, tsteps, &step_s[i], &step_cpu[i], &step_fl[i], &e)) {
                fprintf(stderr, "bench_supernet: %s\n", e.msg);
                return 1;
            }
            if (i == 0) rss = peak_rss_mb();
        }
        printf("xs training, sandwich of 4 sub-networks (k 2), threads: OpenMP %d, OpenBLAS %d (%s build); load average %.2f\n",
               omp_get_max_threads(), sn_blas_threads(), sn_blas_parallel(), loadavg());
        for (int i = 0; i < 2; i++)
            printf("xs training B %d x T 256: %.3f s/step median of %d, %.2f steps/s, %.0f tokens/s (x4 sub-networks), "
                   "%.1f GFLOP/s useful; CPU time %.3f s/step (%.1f GFLOP per CPU-second); peak RSS %.0f MB%s\n",
                   batches[i], step_s[i], tsteps, 1.0 / step_s[i], batches[i] * 256.0 / step_s[i],
                   step_fl[i] / step_s[i] * 1e-9, step_cpu[i], step_fl[i] / step_cpu[i] * 1e-9,
                   i == 0 ? rss : peak_rss_mb(), i == 0 ? "" : " (both runs)");
        train_gflops = step_fl[1] / step_s[1] * 1e-9;
    }
    sn_config c;
    sn_config_from_space(hw_space_get(HW_SCALE_S), HW_ANALYTIC_VOCAB, 0.25f, &c);
    sn_model m;
    if (sn_model_init(&m, &c, 1, &e) || sn_model_alloc_arena(&m, 1, T, 0, &e)) {
        fprintf(stderr, "bench_supernet: %s\n", e.msg);
        return 1;
    }
    sn_dims d;
    sn_dims_full(&c, &d);
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)T);
    size_t big = (size_t)T * (size_t)(c.vocab > T ? c.vocab : T);
    float *x = calloc((size_t)T * 4 * c.max_embed, sizeof(float)), *y = calloc((size_t)T * 4 * c.max_embed, sizeof(float)),
          *s = calloc(big, sizeof(float));
    if (!tok || !x || !y || !s) return 1;
    for (int i = 0; i < T; i++) tok[i] = (int32_t)((i * 7919) % c.vocab);
    for (size_t i = 0; i < (size_t)T * 4 * c.max_embed; i++) x[i] = (float)((i % 13) - 6) * 0.01f;

    printf("supernet forward, largest GPT-S (embed %d, %d layers, %d heads, ratio %d, V %d, %lld params), batch 1 x %d\n",
           c.max_embed, c.max_layers, c.max_heads, c.max_mlp_ratio, c.vocab, (long long)sn_config_params(&c), T);
    printf("threads: OpenMP %d, OpenBLAS %d (%s build, %s); load average before %.2f\n", omp_get_max_threads(),
           sn_blas_threads(), sn_blas_parallel(), sn_blas_library(), loadavg());
    double ff = forward_flops(&c, &d, T), fs = 0;
    double tf[100], ts[100];
    /* one warm-up of each, then alternate so both see the same load */
    if (sn_forward(&m, &d, tok, NULL, 1, T, NULL, &e)) { fprintf(stderr, "bench_supernet: %s\n", e.msg); return 1; }
    sgemm_products(&m, &d, T, x, y, s);
    for (int r = 0; r < runs; r++) {
        double t0 = hw_now();
        sn_forward(&m, &d, tok, NULL, 1, T, NULL, &e);
        tf[r] = hw_now() - t0;
        t0 = hw_now();
        fs = sgemm_products(&m, &d, T, x, y, s);
        ts[r] = hw_now() - t0;
    }
    double mf = median(tf, runs), ms = median(ts, runs);
    double gf = ff / mf * 1e-9, gs = fs / ms * 1e-9;
    printf("forward: %.3f s median of %d (%.1f GFLOP useful) = %.1f GFLOP/s\n", mf, runs, ff * 1e-9, gf);
    printf("sgemm on the same shapes: %.3f s median of %d (%.1f GFLOP) = %.1f GFLOP/s\n", ms, runs, fs * 1e-9, gs);
    printf("xs training (B 16) useful GFLOP/s / sgemm GFLOP/s above: %.3f\n", train_gflops / gs);
    printf("load average after %.2f\n", loadavg());
    bench_supernet_gpu(&m, runs, T);   /* the GPU part (prints one line without a GPU) */
    printf("forward/sgemm ratio: %.3f\n", gf / gs);
    free(tok);
    free(x);
    free(y);
    free(s);
    sn_model_free(&m);
    return 0;
}
