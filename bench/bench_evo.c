/* bench/bench_evo.c — wall time of the single-parent optimizers (MOREA with
 * either selection, Pareto local search) and grid search, each driving N
 * evaluations (default 25,000) of ZDT1 with 30 variables, against random
 * sampling (hw_var_sample, the same evaluations) as the baseline in the same
 * process.  Each row: the median wall time of --reps runs (seeds 1..reps),
 * its ratio to the baseline, and the median HV ratio of all evaluated points
 * (ref 1.1) to the true front's.
 *
 *   bench_evo [--reps N] [--evals N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark/problem.h"
#include "benchmark/testproblems.h"
#include "core/json.h"
#include "core/util.h"
#include "optimizers/optimizer.h"
#include "bench_loop.h"

typedef struct {
    const char *label, *config; /* config NULL: random sampling baseline */
} row;

static const row ROWS[] = {
    {"random sampling (baseline)", NULL},
    {"morea (crowding)", "{\"name\":\"morea\"}"},
    {"morea (hv_contribution)", "{\"name\":\"morea\",\"selection\":\"hv_contribution\"}"},
    {"local_search", "{\"name\":\"local_search\"}"},
    {"grid_search (shuffled)", "{\"name\":\"grid_search\"}"},
};

static int cmp_point(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static double hv2(double *f, size_t n, const double *ref)
{
    qsort(f, n, 2 * sizeof *f, cmp_point);
    double hv = 0, top = ref[1];
    for (size_t i = 0; i < n; i++) {
        if (f[2 * i] >= ref[0] || f[2 * i + 1] >= top) continue;
        hv += (ref[0] - f[2 * i]) * (top - f[2 * i + 1]);
        top = f[2 * i + 1];
    }
    return hv;
}

/* One run: wall seconds into *sec, HV ratio into *ratio. */
static int run_once(const row *w, uint64_t seed, size_t evals, double *sec, double *ratio, hw_err *e)
{
    hw_problem *p = NULL;
    int rc = hw_zdt_create(1, 30, &p, e);
    if (rc) return rc;
    size_t nv = (size_t)p->n_var;
    double *x = malloc(evals * nv * sizeof *x), *f = malloc(evals * 2 * sizeof *f);
    hw_eval_id *ids = malloc(evals * sizeof *ids);
    if (!x || !f || !ids) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < evals; i++) ids[i] = (hw_eval_id){seed, i};
    double t0 = hw_now();
    if (!w->config) {
        hw_rng r;
        hw_rng_seed(&r, seed, HW_STREAM_OPTIMIZER);
        for (size_t i = 0; i < evals; i++) hw_var_sample(p, &r, x + i * nv);
        if ((rc = p->evaluate(p, x, ids, evals, f, NULL, e))) goto done;
    } else {
        cJSON *c = NULL;
        if ((rc = hwj_parse(w->config, "config", &c, e))) goto done;
        const hw_optimizer_ops *ops = hw_optimizer_find(cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring);
        bench_record rec = {x, f, 0, 0, NULL, 0, 0};
        rc = bench_drive(ops, c, p, seed, evals, 0, &rec, e);
        cJSON_Delete(c);
        if (rc) goto done;
        evals = rec.done;
    }
    *sec = hw_now() - t0;
    const double ref[2] = {1.1, 1.1};
    *ratio = hv2(f, evals, ref) / p->true_front_hv(p, ref);
done:
    free(x); free(f); free(ids);
    hw_problem_destroy(p);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 5;
    long evals = 25000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--evals") == 0 && i + 1 < argc) evals = atol(argv[++i]);
        else { fprintf(stderr, "usage: bench_evo [--reps N] [--evals N]\n"); return 2; }
    }
    if (reps < 1 || reps > 100 || evals < 200) {
        fprintf(stderr, "bench_evo: --reps must be in [1, 100] and --evals >= 200\n");
        return 2;
    }
    printf("ZDT1, 30 variables, %ld evaluations, median of %d runs\n", evals, reps);
    printf("%-28s %10s %8s %9s\n", "optimizer", "wall_s", "ratio", "hv_ratio");
    double base = 0;
    for (size_t w = 0; w < sizeof ROWS / sizeof ROWS[0]; w++) {
        double sec[100], hv[100];
        for (int r = 0; r < reps; r++) {
            hw_err e = {0};
            if (run_once(&ROWS[w], (uint64_t)r + 1, (size_t)evals, &sec[r], &hv[r], &e)) {
                fprintf(stderr, "bench_evo: %s: %s\n", ROWS[w].label, e.msg);
                return 1;
            }
        }
        qsort(sec, (size_t)reps, sizeof *sec, hw_cmp_double);
        qsort(hv, (size_t)reps, sizeof *hv, hw_cmp_double);
        if (w == 0) base = sec[reps / 2];
        printf("%-28s %10.4f %8.2f %9.4f\n", ROWS[w].label, sec[reps / 2], sec[reps / 2] / base, hv[reps / 2]);
    }
    return 0;
}
