/* bench_nsga2 — wall time of NSGA-II and MOEA/D on ZDT1 (30 variables,
 * population 100, 25,000 evaluations), median of 7 runs, split into the
 * evaluation cost and the optimizer's own cost (ask + tell); the baseline in
 * the same process is random sampling of the same number of genomes.  Also
 * times the 2-objective ranking sweep against Deb's O(M N^2) sort on the
 * 200-point merged populations NSGA-II ranks each generation.
 *
 * Wall times are medians; "cpu" is the process CPU time of the whole run
 * (also a median), which a busy shared machine inflates less.
 *
 *   build/bench_nsga2 [runs]      (default 7) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchmark/testproblems.h"
#include "core/util.h"
#include "optimizers/nsga2.h"
#include "optimizers/optimizer.h"
#include "bench_loop.h"

#define EVALS 25000
#define MAX_RUNS 64

typedef struct {
    double total, eval, cpu;
} run_time;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, hw_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The baseline: uniform random genomes, as an optimizer. */
typedef struct {
    const hw_problem *p;
    hw_rng r;
} sampler;

static int sample_create(void **st, const hw_problem *p, const cJSON *params, const char *path, uint64_t seed,
                         hw_err *e)
{
    (void)params; (void)path;
    sampler *s = malloc(sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "out of memory");
    s->p = p;
    hw_rng_seed(&s->r, seed, HW_STREAM_OPTIMIZER);
    *st = s;
    return HW_OK;
}

static int sample_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    (void)e;
    sampler *s = st;
    for (size_t i = 0; i < max_n; i++) hw_var_sample(s->p, &s->r, x + i * (size_t)s->p->n_var);
    *n = max_n;
    return HW_OK;
}

static int sample_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    (void)st; (void)x; (void)f; (void)n; (void)e;
    return HW_OK;
}

static void sample_destroy(void *st) { free(st); }

static const hw_optimizer_ops SAMPLE_OPS = {"random", sample_create, sample_ask, sample_tell, sample_destroy, NULL};

/* One optimisation run through the run loop (batches of 100). */
static int run_once(const hw_optimizer_ops *o, hw_problem *p, uint64_t seed, run_time *t, hw_err *e)
{
    bench_record rec = {NULL, NULL, 0, 0, NULL, 0, 0};
    double t0 = hw_now(), c0 = cpu_now();
    int rc = bench_drive(o ? o : &SAMPLE_OPS, NULL, p, seed, EVALS, 100, &rec, e);
    if (rc) return rc;
    t->total = hw_now() - t0;
    t->cpu = cpu_now() - c0;
    t->eval = rec.eval_s;
    return HW_OK;
}

static int bench_optimizer(const char *name, hw_problem *p, int runs, hw_err *e)
{
    const hw_optimizer_ops *o = name ? hw_optimizer_find(name) : NULL;
    if (name && !o) return hw_fail(e, HW_EINVAL, "optimizer '%s' is not registered", name);
    double tot[MAX_RUNS], ev[MAX_RUNS], own[MAX_RUNS], cpu[MAX_RUNS];
    for (int k = 0; k < runs; k++) {
        run_time t = {0, 0, 0};
        int rc = run_once(o, p, (uint64_t)k + 1, &t, e);
        if (rc) return rc;
        tot[k] = t.total; ev[k] = t.eval; own[k] = t.total - t.eval; cpu[k] = t.cpu;
    }
    printf("%-8s total %8.4f s   evaluation %8.4f s   optimizer %8.4f s   (cpu %8.4f s)\n",
           name ? name : "random", median(tot, runs), median(ev, runs), median(own, runs), median(cpu, runs));
    return HW_OK;
}

static int bench_rank(int runs, hw_err *e)
{
    /* 250 merged populations of 200 points: 100 near a ZDT1-like front plus
     * 100 scattered, as in a run. */
    enum { NPTS = 200, GENS = 250 };
    double *f = malloc((size_t)GENS * NPTS * 2 * sizeof *f);
    int rank[NPTS];
    if (!f) return hw_fail(e, HW_ENOMEM, "out of memory");
    hw_rng r;
    hw_rng_seed(&r, 1, HW_STREAM_OPTIMIZER);
    for (int g = 0; g < GENS; g++)
        for (int i = 0; i < NPTS; i++) {
            double a = hw_rng_uniform(&r), off = i < 100 ? 0.05 * hw_rng_uniform(&r) : hw_rng_uniform(&r);
            f[((size_t)g * NPTS + i) * 2] = a;
            f[((size_t)g * NPTS + i) * 2 + 1] = 1 - sqrt(a) + off;
        }
    double t_sweep[MAX_RUNS], t_deb[MAX_RUNS];
    long check = 0;
    for (int k = 0; k < runs; k++) {
        double t0 = hw_now();
        for (int g = 0; g < GENS; g++) {
            nsga2_rank(f + (size_t)g * NPTS * 2, NPTS, 2, rank, NULL);
            check += rank[0];
        }
        t_sweep[k] = hw_now() - t0;
        t0 = hw_now();
        for (int g = 0; g < GENS; g++) {
            nsga2_rank_dominance(f + (size_t)g * NPTS * 2, NPTS, 2, rank, NULL);
            check -= rank[0];
        }
        t_deb[k] = hw_now() - t0;
    }
    free(f);
    double a = median(t_sweep, runs), b = median(t_deb, runs);
    printf("ranking 250 x 200 points, 2 objectives: sweep %.5f s, Deb's sort %.5f s, speedup %.1fx%s\n",
           a, b, b / a, check ? " (RANKS DIFFER)" : "");
    return HW_OK;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 7;
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "bench_nsga2: runs must be in [1, %d]\n", MAX_RUNS);
        return 2;
    }
    hw_err e = {0};
    hw_problem *p = NULL;
    if (hw_zdt_create(1, 30, &p, &e)) {
        fprintf(stderr, "bench_nsga2: %s\n", e.msg);
        return 1;
    }
    printf("ZDT1, 30 variables, %d evaluations, median of %d runs\n", EVALS, runs);
    int rc = bench_optimizer(NULL, p, runs, &e);
    if (!rc) rc = bench_optimizer("nsga2", p, runs, &e);
    if (!rc) rc = bench_optimizer("moead", p, runs, &e);
    if (!rc) rc = bench_rank(runs, &e);
    hw_problem_destroy(p);
    if (rc) {
        fprintf(stderr, "bench_nsga2: %s\n", e.msg);
        return 1;
    }
    return 0;
}
