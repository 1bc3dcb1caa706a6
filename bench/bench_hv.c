/* bench/bench_hv.c — exact hypervolume timings on the standard workloads:
 * 100,000 2-D and 50,000 3-D points on the positive orthant of the unit
 * sphere (mutually non-dominated, the hard case), 50,000 3-D points uniform
 * in the unit cube (mostly dominated), and 300 6-D sphere points; for
 * reference also 2,000 4-D and 600 5-D sphere points.  ref = 1.1 in every
 * objective.  Sets are generated with PCG32 (seed 1), so they are
 * identical on every run.  Prints the median wall time of --reps calls.
 *
 *   bench_hv [--reps N] [--write DIR]
 *
 * --write DIR also writes each set to DIR/<name>.txt (one point per line,
 * %.17g) and the results to DIR/hwnas_hv.json, which
 * scripts/bench_hv_compare.py reads to time moocore on the same sets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/util.h"
#include "indicators/indicators.h"

typedef struct {
    const char *name;
    int d;
    size_t n;
    int sphere; /* 1: unit-sphere front; 0: uniform in the unit cube */
} workload;

static const workload WORKLOADS[] = {
    {"sphere_2d_100000", 2, 100000, 1},
    {"sphere_3d_50000", 3, 50000, 1},
    {"cube_3d_50000", 3, 50000, 0},
    {"sphere_4d_2000", 4, 2000, 1},
    {"sphere_5d_600", 5, 600, 1},
    {"sphere_6d_300", 6, 300, 1},
};

static void generate(const workload *w, double *p)
{
    hw_rng r;
    hw_rng_seed(&r, 1, (uint64_t)w->d * 1000 + (uint64_t)w->sphere);
    for (size_t i = 0; i < w->n; i++) {
        double *x = p + i * (size_t)w->d, s = 0;
        for (int k = 0; k < w->d; k++) {
            x[k] = w->sphere ? fabs(hw_rng_normal(&r)) : hw_rng_uniform(&r);
            s += x[k] * x[k];
        }
        if (w->sphere)
            for (int k = 0; k < w->d; k++) x[k] /= sqrt(s);
    }
}

int main(int argc, char **argv)
{
    int reps = 5;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_hv [--reps N] [--write DIR]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 1000) { fprintf(stderr, "bench_hv: --reps must be 1..1000\n"); return 2; }
    hw_err e;
    if (dir && hw_mkdir_p(dir, &e) != HW_OK) { fprintf(stderr, "bench_hv: %s\n", e.msg); return 1; }
    FILE *js = NULL;
    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/hwnas_hv.json", dir);
        js = fopen(path, "w");
        if (!js) { fprintf(stderr, "bench_hv: cannot write %s\n", path); return 1; }
        fprintf(js, "{");
    }
    printf("%-18s %8s %3s %12s %12s %24s\n", "workload", "n", "d", "median_s", "min_s", "hv");
    double times[1000];
    for (size_t w = 0; w < sizeof WORKLOADS / sizeof *WORKLOADS; w++) {
        const workload *wl = &WORKLOADS[w];
        double *p = malloc(wl->n * (size_t)wl->d * sizeof *p);
        if (!p) { fprintf(stderr, "bench_hv: out of memory\n"); return 1; }
        generate(wl, p);
        double ref[8];
        for (int k = 0; k < wl->d; k++) ref[k] = 1.1;
        double hv = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = hw_now();
            if (hw_hypervolume(p, wl->n, wl->d, ref, &hv, &e) != HW_OK) {
                fprintf(stderr, "bench_hv: %s\n", e.msg);
                return 1;
            }
            times[r] = hw_now() - t0;
        }
        qsort(times, (size_t)reps, sizeof *times, hw_cmp_double);
        double med = reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
        printf("%-18s %8zu %3d %12.6f %12.6f %24.17g\n", wl->name, wl->n, wl->d, med, times[0], hv);
        if (dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.txt", dir, wl->name);
            FILE *f = fopen(path, "w");
            if (!f) { fprintf(stderr, "bench_hv: cannot write %s\n", path); return 1; }
            for (size_t i = 0; i < wl->n; i++)
                for (int k = 0; k < wl->d; k++)
                    fprintf(f, "%.17g%c", p[i * (size_t)wl->d + k], k + 1 < wl->d ? ' ' : '\n');
            fclose(f);
            fprintf(js, "%s\"%s\": {\"d\": %d, \"n\": %zu, \"median_s\": %.9g, \"hv\": %.17g}", w ? ", " : "",
                    wl->name, wl->d, wl->n, med, hv);
        }
        free(p);
    }
    if (js) { fprintf(js, "}\n"); fclose(js); }
    return 0;
}
