/* bench/bench_trajectory.c — cost of a hypervolume trajectory (the HV after
 * every evaluation) on synthetic runs that converge to a front the way an
 * evolutionary optimizer does (2-D, 3-D: the archive grows to thousands of
 * points and changes at most evaluations), and on a 12-objective random
 * spread (most points stay non-dominated, like a random search on 12-D
 * DTLZ2):
 *   incremental: hw_hv_trajectory (2-D: staircase strip updates; 3+-D: each
 *                addition's exclusive contribution);
 *   recompute:   the same archive, hw_hypervolume on it after every change
 *                (the baseline, and what 3+-D trajectories did before).
 * Reports the median of 5 runs (3 for 12-D), the ratio, the final archive
 * size and the largest relative difference between the two trajectories.
 *   bench_trajectory [--n N] [--n12 N12]   (defaults 25000 and 400) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "indicators/indicators.h"
#include "indicators/trajectory.h"

#define REPS 5

/* Point i of n: on the ZDT1-like front (2-D) or the unit sphere octant (3-D),
 * pushed out by a distance that shrinks from 3 to 0 over the run. */
static void synth(double *f, size_t n, int d, uint64_t seed)
{
    hw_rng r;
    hw_rng_seed(&r, seed, 5);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)n, g = 3.0 * (1 - t) * (1 - t) * hw_rng_uniform(&r) + 1e-9 * hw_rng_uniform(&r);
        double *p = f + i * (size_t)d;
        if (d == 2) {
            double x = hw_rng_uniform(&r);
            p[0] = x;
            p[1] = (1 + g) * (1 - sqrt(x));
        } else {
            double s = 0;
            for (int k = 0; k < d; k++) { p[k] = fabs(hw_rng_normal(&r)); s += p[k] * p[k]; }
            s = sqrt(s);
            for (int k = 0; k < d; k++) p[k] = p[k] / s * (1 + g);
        }
    }
}

static int recompute_trajectory(const double *f, size_t n, int d, const double *ref, double *hv, size_t *m)
{
    hw_archive *a = NULL;
    if (hw_archive_create(d, ref, NULL, NULL, &a, NULL)) return -1;
    double cur = 0;
    for (size_t i = 0; i < n; i++) {
        int added = hw_archive_add(a, f + i * (size_t)d, i, NULL);
        if (added < 0) { hw_archive_destroy(a); return -1; }
        if (added && hw_archive_hypervolume_exact(a, &cur, NULL)) { hw_archive_destroy(a); return -1; }
        hv[i] = cur;
    }
    *m = hw_archive_size(a);
    hw_archive_destroy(a);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n2 = 25000, n12 = 400;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) n2 = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--n12") == 0 && i + 1 < argc) n12 = (size_t)strtoull(argv[++i], NULL, 10);
        else { fprintf(stderr, "usage: bench_trajectory [--n N] [--n12 N12]\n"); return 2; }
    }
    if (n2 < 5) n2 = 5;
    if (n12 < 1) n12 = 1;
    printf("%-24s %8s %3s %8s %12s %12s %8s %10s\n", "workload", "n", "d", "archive", "incr_s", "recompute_s",
           "ratio", "max_rel_diff");
    const int dims[3] = {2, 3, 12};
    const size_t ns[3] = {n2, n2 / 5, n12};
    const int reps[3] = {REPS, REPS, 3};
    for (int w = 0; w < 3; w++) {
        const int d = dims[w];
        const size_t n = ns[w];
        double ref[12];
        for (int k = 0; k < d; k++) ref[k] = 1.1;
        if (d == 2) ref[1] = 4.0;
        if (d == 12) /* random points on the sphere octant at most 1.1 out: the archive keeps most */
            for (int k = 0; k < d; k++) ref[k] = 2.2;
        double *f = malloc(n * (size_t)d * sizeof *f), *hv = malloc(n * sizeof *hv), *hv2 = malloc(n * sizeof *hv2);
        size_t *k = malloc(n * sizeof *k), m = 0;
        if (!f || !hv || !hv2 || !k) { fprintf(stderr, "bench_trajectory: out of memory\n"); return 1; }
        synth(f, n, d, 42);
        if (d == 12) /* no convergence: a random search's spread */
            for (size_t i = 0; i < n * (size_t)d; i++) f[i] = fmin(f[i], 2.0);
        double t_inc[REPS], t_rec[REPS];
        for (int r = 0; r < reps[w]; r++) {
            double t0 = hw_now();
            if (hw_hv_trajectory(f, n, d, ref, NULL, NULL, 1, k, hv, NULL)) { fprintf(stderr, "bench_trajectory: failed\n"); return 1; }
            t_inc[r] = hw_now() - t0;
            t0 = hw_now();
            if (recompute_trajectory(f, n, d, ref, hv2, &m)) { fprintf(stderr, "bench_trajectory: failed\n"); return 1; }
            t_rec[r] = hw_now() - t0;
        }
        qsort(t_inc, (size_t)reps[w], sizeof(double), hw_cmp_double);
        qsort(t_rec, (size_t)reps[w], sizeof(double), hw_cmp_double);
        double diff = 0;
        for (size_t i = 0; i < n; i++) diff = fmax(diff, fabs(hv[i] - hv2[i]) / fmax(fabs(hv2[i]), 1e-300));
        printf("%-24s %8zu %3d %8zu %12.6f %12.6f %8.1f %10.3g\n", d == 12 ? "spread_12d" : "converging_front", n, d,
               m, t_inc[reps[w] / 2], t_rec[reps[w] / 2], t_rec[reps[w] / 2] / t_inc[reps[w] / 2], diff);
        fflush(stdout);
        free(f); free(hv); free(hv2); free(k);
    }
    return 0;
}
