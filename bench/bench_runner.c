/* bench/bench_runner.c — what run_experiment costs on top of the work it
 * drives.  ZDT1 (30 variables), 25,000 evaluations, one thread:
 *   baseline: the run loop (hw_loop_run) with no observers (no logging, no
 *             front);
 *   runner:   what run_experiment does with the same config (hw_config_load,
 *             hw_run_plan, hw_run_pending: validation, logging every
 *             evaluation, the non-dominated archive, HV, IGD, rename), wall
 *             time and its CPU time (the rest is waiting for the disk);
 *   front:    the same with "log": "front" (each evaluation inserted into the
 *             front on its own, only the lines of those that enter it).
 * For random_search and nsga2.  Median of 5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchmark/problem.h"
#include "core/json.h"
#include "core/util.h"
#include "optimizers/optimizer.h"
#include "runner/config.h"
#include "runner/loop.h"
#include "runner/run.h"

#define BUDGET 25000
#define REPS 5

static void fail(const hw_err *e)
{
    fprintf(stderr, "bench_runner: %s\n", e->msg);
    exit(1);
}

static double bare_loop(const cJSON *cfg)
{
    hw_err e;
    hw_problem *p = NULL;
    hw_optimizer *o = NULL;
    hw_evaluator *ev = NULL;
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cfg, "problem");
    const cJSON *oc = cJSON_GetObjectItemCaseSensitive(cfg, "optimizer");
    const hw_optimizer_ops *ops = hw_optimizer_find(cJSON_GetObjectItemCaseSensitive(oc, "name")->valuestring);
    double t0 = hw_now();
    if (hw_problem_create(pc, "problem", &p, &e) || hw_optimizer_create(ops, p, oc, "optimizer", 1, &o, &e) ||
        hw_evaluator_create(p, &ev, &e))
        fail(&e);
    hw_loop_spec spec = {ev, o, 1, BUDGET, 0, 1, 0, NULL, NULL, 0};
    hw_run_end end;
    if (hw_loop_run(&spec, &end, &e)) fail(&e);
    double t = hw_now() - t0;
    hw_evaluator_destroy(ev);
    hw_optimizer_destroy(o);
    hw_problem_destroy(p);
    return t;
}

static double runner(const char *cfg_path, const char *out, double *cpu)
{
    hw_config_overrides ov = {.out = out, .threads = 1};
    hw_run_config c;
    hw_err e;
    double t0 = hw_now();
    clock_t c0 = clock();
    if (hw_config_load(cfg_path, &ov, &c, &e)) fail(&e);
    hw_run_result *res = calloc(c.n_seeds, sizeof *res);
    hw_run_options opt = {1, 1, NULL, NULL, 0};
    if (!res || hw_run_plan(&c, 1, res, &e) || hw_run_pending(&c, &opt, res, &e)) fail(&e);
    *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double t = hw_now() - t0;
    hw_run_results_free(res, c.n_seeds);
    hw_config_free(&c);
    return t;
}

/* Writes the config (log level `level`) to dir/name; its text in json. */
static void write_config(const char *dir, const char *name, const char *optimizer_json, const char *level, char *path,
                         size_t path_len, char *json, size_t json_len)
{
    snprintf(path, path_len, "%s/%s", dir, name);
    snprintf(json, json_len,
             "{\"name\": \"%s\", \"problem\": {\"name\": \"zdt1\", \"n_var\": 30}, \"optimizer\": %s,"
             " \"budget\": {\"evaluations\": %d}, \"seeds\": [1], \"reference_point\": [1.1, 1.1], \"log\": \"%s\"}",
             level, optimizer_json, BUDGET, level);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fputs(json, f);
    fclose(f);
}

static void bench(const char *optimizer_json)
{
    char dir[] = "/tmp/hwnas_bench_runner_XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(1); }
    char path[256], path_front[256], json[1024], json_front[1024];
    write_config(dir, "all.json", optimizer_json, "all", path, sizeof path, json, sizeof json);
    write_config(dir, "front.json", optimizer_json, "front", path_front, sizeof path_front, json_front, sizeof json_front);
    cJSON *cfg = cJSON_Parse(json);
    double tb[REPS], tr[REPS], tc[REPS], tf[REPS], tfc[REPS];
    for (int r = 0; r < REPS; r++) {
        tb[r] = bare_loop(cfg);
        tr[r] = runner(path, dir, &tc[r]);
        tf[r] = runner(path_front, dir, &tfc[r]);
    }
    qsort(tb, REPS, sizeof tb[0], hw_cmp_double);
    qsort(tr, REPS, sizeof tr[0], hw_cmp_double);
    qsort(tc, REPS, sizeof tc[0], hw_cmp_double);
    qsort(tf, REPS, sizeof tf[0], hw_cmp_double);
    qsort(tfc, REPS, sizeof tfc[0], hw_cmp_double);
    printf("zdt1 %s, %d evaluations, 1 thread: bare loop %.4f s, run_experiment %.4f s, "
           "(cpu %.4f s), runner overhead %.4f s (%.2f us/evaluation); \"log\": \"front\" %.4f s (cpu %.4f s, "
           "%.2fx the \"all\" run's)\n",
           optimizer_json, BUDGET, tb[REPS / 2], tr[REPS / 2], tc[REPS / 2], tr[REPS / 2] - tb[REPS / 2],
           1e6 * (tr[REPS / 2] - tb[REPS / 2]) / BUDGET, tf[REPS / 2], tfc[REPS / 2], tf[REPS / 2] / tr[REPS / 2]);
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
