/* bench/bench_moead.c — the quality of MOEA/D's final population against the
 * front of all its evaluations: one run per seed of the `moead` optimizer on a
 * test problem, then the exact hypervolume (hw_hypervolume, reference 1.1 per
 * objective) of (a) every evaluated point and (b) the final population
 * (moead_population), each divided by the true front's closed-form HV.
 * Prints one JSON object per seed and a last one with the medians; with
 * --write DIR it also writes DIR/weights.txt (the weight vectors the run
 * used) and DIR/population_seed<S>.txt (the final population's objectives),
 * which scripts/compare_moead_pymoo.py hands to pymoo and to `hwnas hv`.
 *
 *   bench_moead [--problem JSON] [--optimizer JSON] [--seeds N] [--evals N]
 *               [--write DIR]
 * Defaults: DTLZ2 with 3 objectives and 12 variables, {"name":"moead"},
 * 5 seeds (1..5), 30,000 evaluations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark/problem.h"
#include "core/json.h"
#include "core/util.h"
#include "indicators/indicators.h"
#include "optimizers/moead.h"
#include "optimizers/optimizer.h"

#define MAX_SEEDS 100

typedef struct {
    const char *problem, *optimizer, *dir;
    int seeds;
    long evals;
} bench_args;

typedef struct {
    double all, pop, wall; /* HV ratios to the true front, seconds */
} run_result;

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, hw_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int write_matrix(const char *path, const double *a, size_t n, int m, hw_err *e)
{
    FILE *fp = fopen(path, "w");
    if (!fp) return hw_fail(e, HW_EIO, "%s: cannot open for writing", path);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < m; k++) fprintf(fp, "%.17g%c", a[i * (size_t)m + (size_t)k], k + 1 < m ? ' ' : '\n');
    if (fclose(fp) != 0) return hw_fail(e, HW_EIO, "%s: write failed", path);
    return HW_OK;
}

/* The run's weight vectors: the optimizer's lattice for its population size
 * (the "population_size" of the optimizer config, default 100). */
static int write_weights(const bench_args *a, const cJSON *oc, int m, hw_err *e)
{
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(oc, "population_size");
    const cJSON *wk = cJSON_GetObjectItemCaseSensitive(oc, "weights");
    if (cJSON_IsString(wk) && strcmp(wk->valuestring, "lattice") != 0)
        return hw_fail(e, HW_EINVAL, "--write: only lattice weights are written");
    size_t target = cJSON_IsNumber(ps) ? (size_t)ps->valuedouble : 100, n = 0;
    double *w = NULL;
    if (moead_lattice_weights(m, target, &w, &n, NULL))
        return hw_fail(e, HW_EINVAL, "--write: no lattice for %zu weights in %d objectives", target, m);
    char path[4096];
    snprintf(path, sizeof path, "%s/weights.txt", a->dir);
    int rc = write_matrix(path, w, n, m, e);
    free(w);
    return rc;
}

static int run_once(const bench_args *a, const cJSON *pc, const cJSON *oc, uint64_t seed, run_result *r,
                    hw_err *e)
{
    const hw_optimizer_ops *ops = hw_optimizer_find("moead");
    hw_problem *p = NULL;
    void *st = NULL;
    int rc = hw_problem_create(pc, "problem", &p, e);
    if (rc) return rc;
    if (!p->true_front_hv) {
        hw_problem_destroy(p);
        return hw_fail(e, HW_EINVAL, "--problem: %s has no closed-form true-front hypervolume", p->name);
    }
    size_t nv = (size_t)p->n_var, m = (size_t)p->n_obj, evals = (size_t)a->evals, done = 0;
    double *x = NULL, *f = malloc(evals * m * sizeof *f), ref[HW_MAX_OBJ];
    hw_eval_id *ids = NULL;
    for (size_t k = 0; k < m; k++) ref[k] = 1.1;
    double t0 = hw_now();
    if ((rc = ops->create(&st, p, oc, "optimizer", seed, e))) goto done;
    size_t batch = ops->batch_size(st);
    x = malloc(batch * nv * sizeof *x);
    ids = malloc(batch * sizeof *ids);
    if (!x || !f || !ids) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto done; }
    while (done < evals) {
        size_t want = evals - done < batch ? evals - done : batch, n = 0;
        if ((rc = ops->ask(st, x, want, &n, e))) goto done;
        if (n == 0) break;
        for (size_t i = 0; i < n; i++) ids[i] = (hw_eval_id){seed, done + i};
        if ((rc = p->evaluate(p, x, ids, n, f + done * m, NULL, e))) goto done;
        if ((rc = ops->tell(st, x, f + done * m, n, e))) goto done;
        done += n;
    }
    r->wall = hw_now() - t0;
    const double *px, *pf;
    size_t np = moead_population(st, &px, &pf);
    double hv_true = p->true_front_hv(p, ref), hv_all = 0, hv_pop = 0;
    if ((rc = hw_hypervolume(f, done, (int)m, ref, &hv_all, e))) goto done;
    if ((rc = hw_hypervolume(pf, np, (int)m, ref, &hv_pop, e))) goto done;
    r->all = hv_all / hv_true;
    r->pop = hv_pop / hv_true;
    if (a->dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/population_seed%llu.txt", a->dir, (unsigned long long)seed);
        rc = write_matrix(path, pf, np, (int)m, e);
        if (!rc && seed == 1) rc = write_weights(a, oc, (int)m, e);
    }
done:
    if (st) ops->destroy(st);
    free(x); free(f); free(ids);
    hw_problem_destroy(p);
    return rc;
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    a->problem = "{\"name\":\"dtlz2\",\"n_obj\":3,\"n_var\":12}";
    a->optimizer = "{\"name\":\"moead\"}";
    a->dir = NULL;
    a->seeds = 5;
    a->evals = 30000;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (more && strcmp(argv[i], "--problem") == 0) a->problem = argv[++i];
        else if (more && strcmp(argv[i], "--optimizer") == 0) a->optimizer = argv[++i];
        else if (more && strcmp(argv[i], "--write") == 0) a->dir = argv[++i];
        else if (more && strcmp(argv[i], "--seeds") == 0) a->seeds = atoi(argv[++i]);
        else if (more && strcmp(argv[i], "--evals") == 0) a->evals = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_moead [--problem JSON] [--optimizer JSON] [--seeds N] [--evals N] "
                            "[--write DIR]\n");
            return 2;
        }
    }
    if (a->seeds < 1 || a->seeds > MAX_SEEDS || a->evals < 1 || a->evals > 10000000) {
        fprintf(stderr, "bench_moead: --seeds must be in [1, %d] and --evals in [1, 10^7]\n", MAX_SEEDS);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc;
    hw_err e = {0};
    cJSON *pc = NULL, *oc = NULL;
    if ((rc = hwj_parse(a.problem, "--problem", &pc, &e)) || (rc = hwj_parse(a.optimizer, "--optimizer", &oc, &e))) {
        fprintf(stderr, "bench_moead: %s\n", e.msg);
        cJSON_Delete(pc);
        return 2;
    }
    double all[MAX_SEEDS], pop[MAX_SEEDS], wall[MAX_SEEDS];
    for (int s = 0; s < a.seeds && !rc; s++) {
        run_result r = {0, 0, 0};
        if ((rc = run_once(&a, pc, oc, (uint64_t)s + 1, &r, &e))) break;
        all[s] = r.all; pop[s] = r.pop; wall[s] = r.wall;
        printf("{\"seed\": %d, \"all_evaluations\": %.6f, \"final_population\": %.6f, \"wall_s\": %.4f}\n",
               s + 1, r.all, r.pop, r.wall);
    }
    cJSON_Delete(pc);
    cJSON_Delete(oc);
    if (rc) {
        fprintf(stderr, "bench_moead: %s\n", e.msg);
        return 1;
    }
    printf("{\"median\": true, \"seeds\": %d, \"evaluations\": %ld, \"all_evaluations\": %.6f, "
           "\"final_population\": %.6f, \"wall_s\": %.4f}\n",
           a.seeds, a.evals, median(all, a.seeds), median(pop, a.seeds), median(wall, a.seeds));
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
