/* bench_hwgpt_mlp — predictions per second of HW-GPT-Bench's MLP perplexity
 * predictor (surrogates/hwgpt_mlp.h), one thread, scales s and l.
 *
 * Baseline in the same process: the textbook dense forward pass (row-major
 * weights, one dot product per output, no zero skipping), which sums in the
 * same order and therefore must give bit-identical outputs; the program
 * checks that.  Reported: median of 5 runs of N random architectures.
 *
 *   bench_hwgpt_mlp [N=20000] [DATA_DIR] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space/space.h"
#include "core/rng.h"
#include "core/util.h"
#include "surrogates/hwgpt_mlp.h"

#define RUNS 5

static float dense_forward(const hwgpt_mlp *m, float *const *w, const float *x)
{
    float a[HWGPT_MLP_MAX_IN], h[HWGPT_MLP_HIDDEN];
    memcpy(a, x, (size_t)m->n_in * sizeof *a);
    for (int k = 0; k < HWGPT_MLP_LAYERS; k++) {
        int rows = m->n_rows[k], cols = m->n_cols[k];
        for (int o = 0; o < rows; o++) {
            float s = 0.0f;
            for (int i = 0; i < cols; i++) s += w[k][(size_t)o * (size_t)cols + (size_t)i] * a[i];
            s += m->b[k][o];
            h[o] = (k < HWGPT_MLP_LAYERS - 1 && s < 0.0f) ? 0.0f : s;
        }
        memcpy(a, h, (size_t)rows * sizeof *a);
    }
    return a[0];
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, hw_cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
    const char *dir = argc > 2 ? argv[2] : hw_default_data_dir();
    if (n == 0) n = 1;
    omp_set_num_threads(1);
    printf("scale,n,fwd_per_s,dense_per_s,speedup,batch_per_s\n");
    const int scales[2] = {HW_SCALE_S, HW_SCALE_L};
    for (int si = 0; si < 2; si++) {
        const hw_space *sp = hw_space_get(scales[si]);
        char path[4096];
        snprintf(path, sizeof path, "%s/predictors/perplexity_%s.pt", dir, sp->name);
        hwgpt_mlp *m;
        hw_err e = {0};
        if (hwgpt_mlp_load(path, sp->scale, &m, &e) != HW_OK) {
            fprintf(stderr, "bench_hwgpt_mlp: %s\n", e.msg);
            return hw_exit_code(e.code);
        }
        /* Row-major copy of the weights for the dense baseline. */
        float *w[HWGPT_MLP_LAYERS];
        for (int k = 0; k < HWGPT_MLP_LAYERS; k++) {
            int rows = m->n_rows[k], cols = m->n_cols[k];
            w[k] = malloc((size_t)rows * (size_t)cols * sizeof(float));
            for (int o = 0; o < rows; o++)
                for (int i = 0; i < cols; i++)
                    w[k][(size_t)o * (size_t)cols + (size_t)i] = m->wt[k][(size_t)i * (size_t)rows + (size_t)o];
        }
        hw_arch *archs = malloc(n * sizeof *archs);
        hw_rng r;
        hw_rng_seed(&r, 12345, (uint64_t)si);
        for (size_t i = 0; i < n; i++) hw_arch_sample(sp, &r, &archs[i]);
        double *y = malloc(n * sizeof *y), *yb = malloc(n * sizeof *yb);
        double t_pred[RUNS], t_dense[RUNS], t_batch[RUNS];
        size_t mismatches = 0;
        volatile float sink = 0.0f;
        for (int run = 0; run < RUNS; run++) {
            double t0 = hw_now();
            for (size_t i = 0; i < n; i++) hwgpt_mlp_predict(m, &archs[i], &y[i], NULL);
            t_pred[run] = hw_now() - t0;
            t0 = hw_now();
            for (size_t i = 0; i < n; i++) {
                float x[HWGPT_MLP_MAX_IN];
                hwgpt_mlp_encode(&archs[i], x, NULL);
                float d = dense_forward(m, w, x);
                if ((double)d != y[i]) mismatches++;
                sink += d;
            }
            t_dense[run] = hw_now() - t0;
            t0 = hw_now();
            hwgpt_mlp_predict_batch(m, archs, n, yb, NULL);
            t_batch[run] = hw_now() - t0;
            if (memcmp(y, yb, n * sizeof *y) != 0) mismatches++;
        }
        (void)sink;
        double tp = median(t_pred, RUNS), td = median(t_dense, RUNS), tb = median(t_batch, RUNS);
        printf("%s,%zu,%.0f,%.0f,%.2f,%.0f\n", sp->name, n, (double)n / tp, (double)n / td, td / tp, (double)n / tb);
        if (mismatches) {
            fprintf(stderr, "bench_hwgpt_mlp: %zu outputs differ from the dense baseline\n", mismatches);
            return 1;
        }
        for (int k = 0; k < HWGPT_MLP_LAYERS; k++) free(w[k]);
        free(archs);
        free(y);
        free(yb);
        hwgpt_mlp_free(m);
    }
    return 0;
}
