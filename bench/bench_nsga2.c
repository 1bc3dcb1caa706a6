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

/* One optimisation run; optimizer NULL = random sampling. */
static int run_once(const hw_optimizer_ops *o, hw_problem *p, uint64_t seed, run_time *t, hw_err *e)
{
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj, batch = 100;
    double *x = malloc(batch * nv * sizeof *x), *f = malloc(batch * m * sizeof *f);
    hw_eval_id *ids = malloc(batch * sizeof *ids);
    void *st = NULL;
    hw_rng r;
    hw_rng_seed(&r, seed, HW_STREAM_OPTIMIZER);
    int rc = HW_OK;
    if (!x || !f || !ids) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto done; }
    double t0 = hw_now(), c0 = cpu_now(), eval = 0.0;
    if (o && (rc = o->create(&st, p, NULL, "optimizer", seed, e))) goto done;
    size_t done_n = 0;
    while (done_n < EVALS) {
        size_t want = EVALS - done_n < batch ? EVALS - done_n : batch, n = want;
        if (o) {
            if ((rc = o->ask(st, x, want, &n, e))) goto done;
            if (n == 0) break;
        } else {
            for (size_t i = 0; i < n; i++) hw_var_sample(p, &r, x + i * nv);
        }
        for (size_t i = 0; i < n; i++) ids[i] = (hw_eval_id){1, done_n + i};
        double te = hw_now();
        if ((rc = p->evaluate(p, x, ids, n, f, NULL, e))) goto done;
        eval += hw_now() - te;
        if (o && (rc = o->tell(st, x, f, n, e))) goto done;
        done_n += n;
    }
    t->total = hw_now() - t0;
    t->cpu = cpu_now() - c0;
    t->eval = eval;
done:
    if (o && st) o->destroy(st);
    free(x); free(f); free(ids);
    return rc;
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
