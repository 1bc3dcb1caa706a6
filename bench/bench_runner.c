/* bench/bench_runner.c — what run_experiment costs on top of the work it
 * drives.  ZDT1 (30 variables), 25,000 evaluations, one thread:
 *   baseline: ask / evaluate / tell in a bare loop (no logging, no front);
 *   runner:   hw_run_experiment_main on the same config (validation, logging
 *             every evaluation, the non-dominated archive, HV, IGD, rename),
 *             wall time and its CPU time (the rest is waiting for the disk).
 * For random_search and nsga2.  Median of 5. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchmark/problem.h"
#include "core/json.h"
#include "core/util.h"
#include "optimizers/optimizer.h"
#include "runner/runner.h"

#define BUDGET 25000
#define REPS 5

static double bare_loop(const cJSON *cfg)
{
    hw_err e;
    hw_problem *p = NULL;
    void *st = NULL;
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cfg, "problem");
    const cJSON *oc = cJSON_GetObjectItemCaseSensitive(cfg, "optimizer");
    const hw_optimizer_ops *ops = hw_optimizer_find(cJSON_GetObjectItemCaseSensitive(oc, "name")->valuestring);
    double t0 = hw_now();
    if (hw_problem_create(pc, "problem", &p, &e) || ops->create(&st, p, oc, "optimizer", 1, &e)) {
        fprintf(stderr, "bench_runner: %s\n", e.msg);
        exit(1);
    }
    size_t bs = ops->batch_size(st) ? ops->batch_size(st) : 64;
    double *x = malloc(bs * (size_t)p->n_var * sizeof *x), *f = malloc(bs * (size_t)p->n_obj * sizeof *f);
    double *fs = malloc(bs * (size_t)p->n_obj * sizeof *fs);
    hw_eval_id *ids = malloc(bs * sizeof *ids);
    size_t evals = 0;
    while (evals < BUDGET) {
        size_t n = 0, max_n = BUDGET - evals < bs ? BUDGET - evals : bs;
        if (ops->ask(st, x, max_n, &n, &e) || n == 0) break;
        for (size_t i = 0; i < n; i++) ids[i] = (hw_eval_id){1, evals + i};
        for (size_t i = 0; i < n; i++)
            p->evaluate(p, x + i * (size_t)p->n_var, ids + i, 1, f + i * (size_t)p->n_obj, fs + i * (size_t)p->n_obj, &e);
        ops->tell(st, x, f, n, &e);
        evals += n;
    }
    double t = hw_now() - t0;
    free(x); free(f); free(fs); free(ids);
    ops->destroy(st);
    hw_problem_destroy(p);
    return t;
}

static double runner(const char *cfg_path, const char *out, double *cpu)
{
    char *argv[] = {"run_experiment", (char *)cfg_path, "--quiet", "--force", "--threads", "1", "--out", (char *)out, NULL};
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    double t0 = hw_now();
    clock_t c0 = clock();
    int rc = hw_run_experiment_main(8, argv);
    *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double t = hw_now() - t0;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(null); close(saved);
    if (rc) { fprintf(stderr, "bench_runner: run_experiment exited %d\n", rc); exit(1); }
    return t;
}

static void bench(const char *optimizer_json)
{
    char dir[] = "/tmp/hwnas_bench_runner_XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(1); }
    char path[256], json[1024];
    snprintf(path, sizeof path, "%s/cfg.json", dir);
    snprintf(json, sizeof json,
             "{\"name\": \"bench\", \"problem\": {\"name\": \"zdt1\", \"n_var\": 30}, \"optimizer\": %s,"
             " \"budget\": {\"evaluations\": %d}, \"seeds\": [1], \"reference_point\": [1.1, 1.1]}",
             optimizer_json, BUDGET);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fputs(json, f);
    fclose(f);
    cJSON *cfg = cJSON_Parse(json);
    double tb[REPS], tr[REPS], tc[REPS];
    for (int r = 0; r < REPS; r++) {
        tb[r] = bare_loop(cfg);
        tr[r] = runner(path, dir, &tc[r]);
    }
    qsort(tb, REPS, sizeof tb[0], hw_cmp_double);
    qsort(tr, REPS, sizeof tr[0], hw_cmp_double);
    qsort(tc, REPS, sizeof tc[0], hw_cmp_double);
    printf("zdt1 %s, %d evaluations, 1 thread: bare loop %.4f s, run_experiment %.4f s, "
           "(cpu %.4f s), runner overhead %.4f s (%.2f us/evaluation)\n",
           optimizer_json, BUDGET, tb[REPS / 2], tr[REPS / 2], tc[REPS / 2], tr[REPS / 2] - tb[REPS / 2],
           1e6 * (tr[REPS / 2] - tb[REPS / 2]) / BUDGET);
    cJSON_Delete(cfg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_runner: could not remove %s\n", dir);
}

int main(void)
{
    bench("{\"name\": \"random_search\", \"batch_size\": 100}");
    bench("{\"name\": \"nsga2\", \"population_size\": 100}");
    return 0;
}
