/* bench_bo — Bayesian optimisation cost and quality.
 *
 *   bench_bo time  [iters] [n_obs]
 *                            ms per BO iteration (ask of one genome) from
 *                            n_obs (default 200) observations of ZDT1 on (6
 *                            variables, 2 objectives; n_obs - 50 random
 *                            points + 50 untimed BO iterations first): median / mean / max over
 *                            `iters` iterations (default 20), hyperparameter
 *                            refits included (every refit_every = 5).
 *   bench_bo zdt1  [seeds]   ZDT1, 6 variables, 100 evaluations, `seeds` seeds
 *                            (default 10): median hypervolume (ref 1.1, 1.1) of
 *                            all evaluated points for ehvi, rsbo, lsbo and the
 *                            registered baselines (nsga2, random_search), with
 *                            uniform random sampling computed here as well.
 *   bench_bo nas [seeds] [backend]
 *                            the hwgpt problem, scale s: backend "surrogate"
 *                            (default; perplexity vs A100 latency, predicted
 *                            means) or "analytic" (params vs FLOPs),
 *                            100 evaluations: median normalised HV (the
 *                            problem's reference point) of all evaluated
 *                            points, BO variants vs random_search and uniform
 *                            sampling computed here.
 *   bench_bo                 time and zdt1.
 *   --csv FILE (anywhere)    also append one row per run to FILE:
 *                            problem,optimizer,seed,hv,wall_s,cpu_s,median_ask_ms
 *                            (medians over any subset of seeds from it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchmark/problem.h"
#include "benchmark/testproblems.h"
#include "core/util.h"
#include "indicators/indicators.h"
#include "optimizers/optimizer.h"
#include "bench_loop.h"

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, hw_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* CPU seconds of this process (all threads): the machine these figures come
 * from is shared, so wall time alone overstates the cost under load. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Where --csv rows go (NULL: nowhere). */
typedef struct {
    FILE *f;
} csv_out;

static void csv_row(const csv_out *c, const char *problem, const char *opt, int seed, double hv,
                    double wall, double cpu, const double *ms, int n_ms)
{
    if (!c || !c->f) return;
    double med = 0.0;
    if (n_ms > 0) {
        double *t = malloc((size_t)n_ms * sizeof *t);
        if (t) { memcpy(t, ms, (size_t)n_ms * sizeof *t); med = median(t, n_ms); free(t); }
    }
    fprintf(c->f, "%s,%s,%d,%.10g,%.6g,%.6g,%.6g\n", problem, opt, seed, hv, wall, cpu, med);
    fflush(c->f);
}

static int evaluate(hw_problem *p, const double *x, size_t n, size_t first_id, double *f, hw_err *e)
{
    hw_eval_id ids[1024];
    for (size_t i = 0; i < n; i++) ids[i] = (hw_eval_id){1, first_id + i};
    return p->evaluate(p, x, ids, n, f, NULL, e);
}

/* One run: `evals` evaluations; X, F receive everything evaluated.  ask_ms
 * (optional) receives the duration of each ask after the first `skip`
 * evaluations. */
static int drive(const hw_optimizer_ops *ops, const char *cfg, hw_problem *p, uint64_t seed,
                 size_t evals, double *X, double *F, size_t skip, double *ask_ms, int *n_ms,
                 hw_err *e)
{
    cJSON *params = cfg ? cJSON_Parse(cfg) : NULL;
    bench_record rec = {X, F, 0, 0, ask_ms, 0, skip};
    hw_optimizer *o = NULL;
    hw_evaluator *ev = NULL;
    hw_observer obs = {&rec, bench_record_batch, NULL};
    int rc = hw_optimizer_create(ops, p, params, "optimizer", seed, &o, e);
    if (!rc) rc = hw_evaluator_create(p, &ev, e);
    if (!rc) {
        /* the optimizer's batch (1 when it has none), at most 1024 */
        size_t want = hw_optimizer_batch_size(o);
        if (want == 0 || want > 1024) want = want ? 1024 : 1;
        hw_loop_spec spec = {ev, o, seed, (long long)evals, want, 1, 0, NULL, &obs, 1};
        rc = hw_loop_run(&spec, NULL, e);
    }
    hw_evaluator_destroy(ev);
    hw_optimizer_destroy(o);
    cJSON_Delete(params);
    if (n_ms) *n_ms = rec.n_ms;
    if (!rc && rec.done < evals) rc = hw_fail(e, HW_ESTATE, "%s stopped after %zu evaluations", ops->name, rec.done);
    return rc;
}

static int bench_time(int iters, int n_obs)
{
    hw_err e;
    hw_problem *p = NULL;
    if (hw_zdt_create(1, 6, &p, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    const char *names[3] = {"ehvi", "rsbo", "lsbo"};
    size_t total = (size_t)n_obs + (size_t)iters;
    /* n_obs - 50 random initial points, 50 BO iterations untimed (so the
     * hyperparameters have been refitted as in a real run), then `iters`
     * timed iterations from n_obs observations on. */
    char cfg[64];
    snprintf(cfg, sizeof cfg, "{\"initial_points\":%d}", n_obs - 50);
    double *X = malloc(total * 6 * sizeof *X), *F = malloc(total * 2 * sizeof *F);
    double *ms = malloc((size_t)iters * sizeof *ms);
    printf("BO ask time from %d observations, ZDT1 6 variables, 2 objectives, %d iterations\n", n_obs, iters);
    printf("%-6s %10s %10s %10s\n", "opt", "median_ms", "mean_ms", "max_ms");
    for (int k = 0; k < 3; k++) {
        const hw_optimizer_ops *ops = hw_optimizer_find(names[k]);
        int n_ms = 0;
        if (drive(ops, cfg, p, 1, total, X, F, (size_t)n_obs, ms, &n_ms, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        double mean = 0.0, mx = 0.0;
        for (int i = 0; i < n_ms; i++) { mean += ms[i] / n_ms; mx = fmax(mx, ms[i]); }
        printf("%-6s %10.1f %10.1f %10.1f\n", names[k], median(ms, n_ms), mean, mx);
    }
    free(X); free(F); free(ms);
    hw_problem_destroy(p);
    return 0;
}

static int bench_zdt1(int seeds, const csv_out *csv)
{
    hw_err e;
    hw_problem *p = NULL;
    if (hw_zdt_create(1, 6, &p, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    const double ref[2] = {1.1, 1.1};
    struct { const char *label, *name, *cfg; } rows[7] = {
        {"ehvi", "ehvi", NULL}, {"rsbo", "rsbo", NULL}, {"lsbo", "lsbo", NULL},
        {"nsga2", "nsga2", NULL}, {"nsga2_pop20", "nsga2", "{\"population_size\":20}"},
        {"random_search", "random_search", NULL}, {"uniform", NULL, NULL}};
    double X[100 * 6], F[100 * 2], hv[64], t_run[64], c_run[64], ms[64 * 100];
    double hv_true = p->true_front_hv ? p->true_front_hv(p, ref) : -1.0;
    printf("ZDT1, 6 variables, 100 evaluations, %d seeds: HV (ref 1.1, 1.1) of all evaluated points"
           " (true front: %.4f)\n", seeds, hv_true);
    printf("%-14s %10s %10s %10s %10s %10s %10s\n", "optimizer", "median_hv", "min_hv", "max_hv",
           "s_per_run", "cpu_s_run", "ask_ms");
    for (int k = 0; k < 7; k++) {
        int n_ms_all = 0;
        const char *name = rows[k].label;
        const hw_optimizer_ops *ops = rows[k].name ? hw_optimizer_find(rows[k].name) : NULL;
        if (rows[k].name && !ops) { printf("%-14s (not registered)\n", name); continue; }
        for (int s = 0; s < seeds; s++) {
            double t0 = hw_now(), c0 = cpu_now();
            int ms0 = n_ms_all;
            if (ops) {
                int n_ms = 0;
                if (drive(ops, rows[k].cfg, p, (uint64_t)s + 1, 100, X, F, 5, ms + n_ms_all, &n_ms, &e)) {
                    fprintf(stderr, "%s: %s\n", name, e.msg);
                    return 1;
                }
                n_ms_all += n_ms;
            } else {
                hw_rng r;
                hw_rng_seed(&r, (uint64_t)s + 1, HW_STREAM_OPTIMIZER);
                for (int i = 0; i < 100 * 6; i++) X[i] = hw_rng_uniform(&r);
                if (evaluate(p, X, 100, 0, F, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
            }
            t_run[s] = hw_now() - t0;
            c_run[s] = cpu_now() - c0;
            if (hw_hypervolume(F, 100, 2, ref, &hv[s], &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
            csv_row(csv, "zdt1", name, s + 1, hv[s], t_run[s], c_run[s], ms + ms0, n_ms_all - ms0);
        }
        double mn = hv[0], mx = hv[0];
        for (int s = 0; s < seeds; s++) { mn = fmin(mn, hv[s]); mx = fmax(mx, hv[s]); }
        printf("%-14s %10.4f %10.4f %10.4f %10.3f %10.3f %10.2f\n", name, median(hv, seeds), mn, mx,
               median(t_run, seeds), median(c_run, seeds), n_ms_all ? median(ms, n_ms_all) : 0.0);
        fflush(stdout);
    }
    hw_problem_destroy(p);
    return 0;
}

/* Normalised hypervolume of n evaluated points of p (problem normalisation
 * and default reference point). */
static int norm_hv(const hw_problem *p, const double *F, size_t n, double *hv, hw_err *e)
{
    int M = p->n_obj;
    double *G = malloc(n * (size_t)M * sizeof *G), ref[HW_MAX_OBJ];
    if (!G) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < M; j++) {
            double f = F[i * (size_t)M + (size_t)j];
            G[i * (size_t)M + (size_t)j] =
                p->obj_lo && p->obj_hi ? (f - p->obj_lo[j]) / (p->obj_hi[j] - p->obj_lo[j]) : f;
        }
    for (int j = 0; j < M; j++) ref[j] = p->default_ref ? p->default_ref[j] : 1.1;
    int rc = hw_hypervolume(G, n, M, ref, hv, e);
    free(G);
    return rc;
}

static int bench_nas(int seeds, const char *backend, const csv_out *csv)
{
    char cfg[512];
    if (strcmp(backend, "surrogate") == 0) /* the shipped surrogates: perplexity vs A100 latency */
        snprintf(cfg, sizeof cfg, "{\"name\":\"hwgpt\",\"backend\":\"surrogate\",\"scale\":\"s\","
                                  "\"device\":\"a100\",\"noise\":\"mean\","
                                  "\"objectives\":[\"perplexity\",\"latency\"]}");
    else
        snprintf(cfg, sizeof cfg, "{\"name\":\"hwgpt\",\"backend\":\"%s\",\"scale\":\"s\"}", backend);
    cJSON *j = cJSON_Parse(cfg);
    hw_err e;
    hw_problem *p = NULL;
    if (hw_problem_create(j, "problem", &p, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        cJSON_Delete(j);
        return 1;
    }
    cJSON_Delete(j);
    enum { EVALS = 100 };
    int d = p->n_var, M = p->n_obj;
    double *X = malloc(EVALS * (size_t)d * sizeof *X), *F = malloc(EVALS * (size_t)M * sizeof *F);
    double hv[64], t_run[64], c_run[64], *ms = malloc(64 * EVALS * sizeof *ms);
    if (!X || !F || !ms) { fprintf(stderr, "out of memory\n"); return 1; }
    printf("hwgpt (%s backend, scale s, %d objectives: %s", backend, M, p->obj_names[0]);
    for (int k = 1; k < M; k++) printf(", %s", p->obj_names[k]);
    printf("), %d evaluations, %d seeds: normalised HV of all evaluated points\n", EVALS, seeds);
    printf("%-14s %10s %10s %10s %10s %10s %10s\n", "optimizer", "median_hv", "min_hv", "max_hv",
           "s_per_run", "cpu_s_run", "ask_ms");
    const char *names[4] = {"ehvi", "rsbo", "lsbo", "random_search"};
    for (int k = 0; k < 5; k++) {
        const char *name = k < 4 ? names[k] : "uniform";
        const hw_optimizer_ops *ops = k < 4 ? hw_optimizer_find(name) : NULL;
        if (k < 4 && !ops) { printf("%-14s (not registered)\n", name); continue; }
        int n_ms_all = 0;
        for (int s = 0; s < seeds; s++) {
            double t0 = hw_now(), c0 = cpu_now();
            int ms0 = n_ms_all;
            if (ops) {
                int n_ms = 0;
                if (drive(ops, NULL, p, (uint64_t)s + 1, EVALS, X, F, 5, ms + n_ms_all, &n_ms, &e)) {
                    fprintf(stderr, "%s: %s\n", name, e.msg);
                    return 1;
                }
                n_ms_all += n_ms;
            } else {
                hw_rng r;
                hw_rng_seed(&r, (uint64_t)s + 1, HW_STREAM_OPTIMIZER);
                for (int i = 0; i < EVALS; i++) hw_var_sample(p, &r, X + (size_t)i * (size_t)d);
                if (evaluate(p, X, EVALS, 0, F, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
            }
            t_run[s] = hw_now() - t0;
            c_run[s] = cpu_now() - c0;
            if (norm_hv(p, F, EVALS, &hv[s], &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
            csv_row(csv, "nas", name, s + 1, hv[s], t_run[s], c_run[s], ms + ms0, n_ms_all - ms0);
        }
        double mn = hv[0], mx = hv[0];
        for (int s = 0; s < seeds; s++) { mn = fmin(mn, hv[s]); mx = fmax(mx, hv[s]); }
        printf("%-14s %10.4f %10.4f %10.4f %10.3f %10.3f %10.2f\n", name, median(hv, seeds), mn, mx,
               median(t_run, seeds), median(c_run, seeds), n_ms_all ? median(ms, n_ms_all) : 0.0);
        fflush(stdout);
    }
    free(X); free(F); free(ms);
    hw_problem_destroy(p);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* --csv FILE may come anywhere; the rest are positional */
    csv_out csv = {NULL};
    char *pos[8];
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
            if (csv.f) fclose(csv.f);
            csv.f = fopen(argv[++i], "a");
            if (!csv.f) { fprintf(stderr, "bench_bo: cannot open %s for appending\n", argv[i]); return 1; }
        } else if (np < 8) pos[np++] = argv[i];
    }
    const char *what = np > 0 ? pos[0] : "all";
    int n = np > 1 ? atoi(pos[1]) : 0;
    if (strcmp(what, "time") && strcmp(what, "zdt1") && strcmp(what, "nas") && strcmp(what, "all")) {
        fprintf(stderr, "usage: bench_bo [time [iters] [n_obs] | zdt1 [seeds] | nas [seeds] [backend]] [--csv FILE]\n");
        if (csv.f) fclose(csv.f);
        return 2;
    }
    int rc = 0;
    if (!strcmp(what, "time") || !strcmp(what, "all")) rc |= bench_time(n > 0 ? n : 20, np > 2 && atoi(pos[2]) >= 60 ? atoi(pos[2]) : 200);
    if (!strcmp(what, "zdt1") || !strcmp(what, "all")) rc |= bench_zdt1(n > 0 && n <= 64 ? n : 10, &csv);
    if (!strcmp(what, "nas")) rc |= bench_nas(n > 0 && n <= 64 ? n : 10, np > 2 ? pos[2] : "surrogate", &csv);
    if (csv.f) fclose(csv.f);
    return rc;
}
