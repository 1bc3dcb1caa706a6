/* bench_surrogate — full surrogate queries per second: perplexity + latency +
 * energy (mean, std, noise_std) of one architecture on one device, scales s
 * and l, at 1 and 2 threads (median of 5 runs over 200,000 random archs).
 * The feature computation alone is timed as the reference floor.
 *   build/bench_surrogate [models_dir] [device] */
#include <stdio.h>
#include <stdlib.h>

#include <omp.h>

#include "core/util.h"
#include "surrogates/model.h"

enum { N = 200000, RUNS = 5 };

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : hw_default_models_dir();
    const char *dev_name = argc > 2 ? argv[2] : "a100";
    hw_err e = {0};
    int dev;
    if (sur_device_lookup(dev_name, &dev, &e)) { fprintf(stderr, "bench_surrogate: %s\n", e.msg); return 2; }
    hw_arch *archs = malloc(sizeof *archs * N);
    double *out = malloc(sizeof *out * N);
    if (!archs || !out) return 1;
    printf("scale threads  queries/s (median of %d, %d archs; query = perplexity+latency+energy, %s)  features-only/s\n",
           RUNS, N, SUR_DEVICE_NAMES[dev]);
    int scales[2] = {HW_SCALE_S, HW_SCALE_L};
    for (int si = 0; si < 2; si++) {
        sur_set *s;
        if (surrogate_load(dir, scales[si], &s, &e)) { fprintf(stderr, "bench_surrogate: %s\n", e.msg); return 2; }
        hw_rng r;
        hw_rng_seed(&r, 1, 1);
        for (int i = 0; i < N; i++) hw_arch_sample(hw_space_get(scales[si]), &r, &archs[i]);
        int metrics[3] = {SUR_PERPLEXITY, SUR_LATENCY, SUR_ENERGY}, devs[3] = {0, dev, dev};
        for (int th = 1; th <= 2; th++) {
            omp_set_num_threads(th);
            double t[RUNS], tf[RUNS];
            int failed = 0;
            for (int run = 0; run < RUNS; run++) {
                double t0 = hw_now();
#pragma omp parallel for schedule(static)
                for (int i = 0; i < N; i++) {
                    sur_pred p[3];
                    hw_err le = {0};
                    if (surrogate_predict_many(s, &archs[i], 3, metrics, devs, p, &le)) failed = 1;
                    out[i] = p[0].mean + p[1].std + p[2].std;
                }
                t[run] = hw_now() - t0;
                t0 = hw_now();
#pragma omp parallel for schedule(static)
                for (int i = 0; i < N; i++) {
                    sur_input in;
                    sur_input_make(&archs[i], &in);
                    out[i] = in.x[3] + in.z[5];
                }
                tf[run] = hw_now() - t0;
            }
            if (failed) { fprintf(stderr, "bench_surrogate: a prediction failed\n"); return 1; }
            qsort(t, RUNS, sizeof *t, hw_cmp_double);
            qsort(tf, RUNS, sizeof *tf, hw_cmp_double);
            printf("%-5s %7d  %10.0f  %10.0f\n", hw_space_get(scales[si])->name, th, N / t[RUNS / 2], N / tf[RUNS / 2]);
        }
        surrogate_free(s);
    }
    free(archs);
    free(out);
    return 0;
}
