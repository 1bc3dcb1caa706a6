/* tests/test_runloop.c — the run loop as a library (runner/loop.h,
 * runner/run.h): a backend that wants batches on one thread is driven in
 * batches and never concurrently, and the conformance of every registered
 * optimizer on every problem kind (the ask/tell contract through
 * hw_optimizer, identical logs at 1 and 2 threads, unknown config keys
 * rejected).  A new optimizer gets these checks by registering. */
#include "check.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/rng.h"
#include "optimizers/optimizer.h"
#include "runner/config.h"
#include "runner/logschema.h"
#include "runner/loop.h"
#include "runner/run.h"

/* ---- a backend that wants batches of 7 on one thread ------------------- */

#define BATCH_NV 5
#define BATCH_PIECE 7

static const hw_var BATCH_VARS[BATCH_NV] = {
    {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1}, {HW_VAR_REAL, 0, 0, 1},
    {HW_VAR_REAL, 0, 0, 1}};
static const char *const BATCH_OBJ[2] = {"f1", "f2"};
static const double BATCH_REF[2] = {11, 11};

typedef struct {
    hw_problem p;
    atomic_int in_flight, max_in_flight, calls, oversized;
    atomic_long evaluated;
} batch_problem;

/* ZDT1 plus noise from the evaluation's own stream; each call lasts at least
 * 200 us so that concurrent callers would overlap. */
static int batch_eval(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n, double *f, double *fs,
                      hw_err *e)
{
    (void)e;
    batch_problem *b = (batch_problem *)p;
    int now = atomic_fetch_add(&b->in_flight, 1) + 1;
    int seen = atomic_load(&b->max_in_flight);
    while (now > seen && !atomic_compare_exchange_weak(&b->max_in_flight, &seen, now)) {}
    atomic_fetch_add(&b->calls, 1);
    if (n == 0 || n > BATCH_PIECE) atomic_fetch_add(&b->oversized, 1);
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
    for (size_t i = 0; i < n; i++) {
        const double *g = x + i * BATCH_NV;
        double s = 0;
        for (int j = 1; j < BATCH_NV; j++) s += g[j];
        double gg = 1 + 9 * s / (BATCH_NV - 1);
        hw_rng r = hw_rng_eval(ids[i].seed, ids[i].index);
        double noise = 1e-3 * hw_rng_normal(&r);
        f[2 * i] = g[0] + noise;
        f[2 * i + 1] = gg * (1 - sqrt(g[0] / gg));
        if (fs) { fs[2 * i] = 1e-3; fs[2 * i + 1] = 0; }
    }
    atomic_fetch_add(&b->evaluated, (long)n);
    atomic_fetch_sub(&b->in_flight, 1);
    return HW_OK;
}

static void batch_init(batch_problem *b)
{
    memset(b, 0, sizeof *b);
    b->p.name = "batch7";
    b->p.n_var = BATCH_NV;
    b->p.vars = BATCH_VARS;
    b->p.n_obj = 2;
    b->p.obj_names = BATCH_OBJ;
    b->p.eval_mode = HW_EVAL_BATCH;
    b->p.batch_size = BATCH_PIECE;
    b->p.default_ref = BATCH_REF;
    b->p.evaluate = batch_eval;
}

/* ---- running a config through the library ------------------------------ */

typedef struct {
    char dir[64];
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/hwnas_runloop_XXXXXX");
    if (!mkdtemp(t->dir)) { perror("mkdtemp"); exit(1); }
}

static void tmpdir_remove(const tmpdir *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", t->dir);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fputs(text, f);
    fclose(f);
}

/* Writes config NAME into dir/NAME.json; returns the path (static buffer). */
static const char *write_config(const tmpdir *t, const char *name, const char *problem, const char *optimizer,
                                int budget, const char *seeds)
{
    static char path[256];
    char json[2048];
    snprintf(path, sizeof path, "%s/%s.json", t->dir, name);
    snprintf(json, sizeof json,
             "{\"name\": \"%s\", \"problem\": %s, \"optimizer\": %s, \"budget\": {\"evaluations\": %d},"
             " \"seeds\": %s}",
             name, problem, optimizer, budget, seeds);
    write_text(path, json);
    return path;
}

/* Runs every seed of the loaded config c into out with threads threads. */
static int run_loaded(hw_run_config *c, const char *out, int threads, hw_err *e)
{
    c->output = out;
    c->threads = threads;
    hw_run_result *res = calloc(c->n_seeds, sizeof *res);
    hw_run_options opt = {1, 1, NULL, NULL, 0};
    int rc = res ? hw_run_plan(c, 1, res, e) : hw_fail(e, HW_ENOMEM, "out of memory");
    if (!rc) rc = hw_run_pending(c, &opt, res, e);
    for (size_t i = 0; !rc && i < c->n_seeds; i++)
        if (res[i].status != HW_RUN_DONE) rc = hw_fail(e, HW_ESTATE, "seed %llu: status %s",
                                                       (unsigned long long)res[i].seed,
                                                       HW_RUN_STATUS_NAMES[res[i].status]);
    hw_run_results_free(res, c->n_seeds);
    return rc;
}

/* Loads cfg_path once (the problem is built once) and runs every seed at
 * each of the n thread counts threads[k] into outs[k]; problem (optional)
 * replaces the config's problem (a test backend with the same n_var and
 * n_obj).  Returns the status; e gets the message. */
static int run_config(const char *cfg_path, const char *const *outs, const int *threads, int n, hw_problem *problem,
                      hw_err *e)
{
    hw_config_overrides ov = {0};
    hw_run_config c;
    int rc = hw_config_load(cfg_path, &ov, &c, e);
    if (rc) return rc;
    hw_problem *own = c.problem;
    if (problem) c.problem = problem;
    for (int k = 0; k < n && !rc; k++) {
        rc = run_loaded(&c, outs[k], threads[k], e);
        if (rc) hw_err_prefix(e, "%d threads", threads[k]);
    }
    c.problem = own;
    hw_config_free(&c);
    return rc;
}

/* The log at path without the fields that vary between identical runs
 * (wall_s, threads, host, started_at, finished_at, and log_bytes, log_crc32c
 * which cover them), one line each; NULL if
 * unreadable.  *n_lines gets the number of lines. */
static char *stripped_log(const char *path, size_t *n_lines)
{
    static const char *const varying[] = {"wall_s", "threads", "host", "started_at", "finished_at", "log_bytes",
                                          "log_crc32c"};
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *out = NULL, *line = NULL;
    size_t len = 0, cap = 0;
    *n_lines = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        if (!j) { free(out); out = NULL; break; }
        for (size_t k = 0; k < sizeof varying / sizeof *varying; k++) cJSON_DeleteItemFromObject(j, varying[k]);
        char *s = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        size_t m = strlen(s);
        char *o = realloc(out, len + m + 2);
        if (!o) { free(s); free(out); out = NULL; break; }
        out = o;
        memcpy(out + len, s, m);
        out[len + m] = '\n';
        out[len + m + 1] = 0;
        len += m + 1;
        free(s);
        (*n_lines)++;
    }
    free(line);
    fclose(f);
    return out;
}

/* dir_a/NAME/seed_S.jsonl equals dir_b's (apart from varying fields) and
 * has budget evaluation lines between its metadata and summary lines. */
static void check_same_log(const char *dir_a, const char *dir_b, const char *name, int seed, int budget,
                           const char *label)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s/seed_%d.jsonl", dir_a, name, seed);
    snprintf(pb, sizeof pb, "%s/%s/seed_%d.jsonl", dir_b, name, seed);
    size_t na = 0, nb = 0;
    char *a = stripped_log(pa, &na), *b = stripped_log(pb, &nb);
    CHECK_MSG(a && b, "%s: cannot read %s or %s", label, pa, pb);
    if (a && b) {
        CHECK_MSG(strcmp(a, b) == 0, "%s: seed %d: logs differ between 1 and 2 threads", label, seed);
        CHECK_MSG(na == (size_t)budget + 2, "%s: seed %d: %zu lines for %d evaluations", label, seed, na, budget);
    }
    free(a);
    free(b);
}

/* ---- (a) batches on one thread ------------------------------------------ */

TEST(batch_backend_gets_batches_on_one_thread_never_concurrently)
{
    tmpdir t;
    tmpdir_make(&t);
    /* the config names zdt1 with the same shape; the test backend replaces it */
    const char *cfg = write_config(&t, "batch7", "{\"name\": \"zdt1\", \"n_var\": 5}",
                                   "{\"name\": \"nsga2\", \"population_size\": 20}", 100, "[1, 2, 3]");
    char out1[128], out2[128];
    snprintf(out1, sizeof out1, "%s/t1", t.dir);
    snprintf(out2, sizeof out2, "%s/t2", t.dir);
    int threads[2] = {1, 2};
    const char *outs[2] = {out1, out2};
    for (int k = 0; k < 2; k++) {
        batch_problem b;
        batch_init(&b);
        hw_err e = {0};
        int rc = run_config(cfg, outs + k, threads + k, 1, &b.p, &e);
        CHECK_MSG(rc == 0, "%s", e.msg);
        /* 3 seeds x 5 generations of 20 genomes, each in pieces 7 + 7 + 6 */
        CHECK_EQ_INT(atomic_load(&b.evaluated), 3 * 100);
        CHECK_EQ_INT(atomic_load(&b.calls), 3 * 5 * 3);
        CHECK_EQ_INT(atomic_load(&b.oversized), 0);
        CHECK_EQ_INT(atomic_load(&b.max_in_flight), 1);
    }
    for (int s = 1; s <= 3; s++) check_same_log(out1, out2, "batch7", s, 100, "batch7");
    tmpdir_remove(&t);
}

/* The evaluator honours batch_size 0 (the whole batch in one call). */
TEST(batch_backend_without_preferred_size_gets_whole_batches)
{
    tmpdir t;
    tmpdir_make(&t);
    const char *cfg = write_config(&t, "whole", "{\"name\": \"zdt1\", \"n_var\": 5}",
                                   "{\"name\": \"random_search\", \"batch_size\": 25}", 100, "[4]");
    char out[128];
    snprintf(out, sizeof out, "%s/out", t.dir);
    batch_problem b;
    batch_init(&b);
    b.p.batch_size = 0;
    hw_err e = {0};
    const char *outs[1] = {out};
    int threads[1] = {2};
    CHECK_MSG(run_config(cfg, outs, threads, 1, &b.p, &e) == 0, "%s", e.msg);
    CHECK_EQ_INT(atomic_load(&b.calls), 4);
    CHECK_EQ_INT(atomic_load(&b.oversized), 4); /* 25 > 7: the counter counts calls above 7 */
    CHECK_EQ_INT(atomic_load(&b.max_in_flight), 1);
    tmpdir_remove(&t);
}

/* ---- (b) conformance: every optimizer on every problem kind -------------- */

typedef struct {
    const char *label, *json;
    int batch_backend; /* replace the problem by the batch test backend */
} problem_kind;

static const problem_kind KINDS[] = {
    {"zdt1", "{\"name\": \"zdt1\", \"n_var\": 6}", 0},
    {"dtlz2", "{\"name\": \"dtlz2\", \"n_var\": 7, \"n_obj\": 3}", 0},
    {"hwgpt_analytic", "{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"scale\": \"s\", "
                       "\"objectives\": [\"params\", \"flops\"]}", 0},
    {"hwgpt_surrogate", "{\"name\": \"hwgpt\", \"backend\": \"surrogate\", \"scale\": \"s\", \"device\": \"a100\", "
                        "\"noise\": \"sample\", \"objectives\": [\"perplexity\", \"latency\"]}", 0},
    {"batch7", "{\"name\": \"zdt1\", \"n_var\": 5}", 1},
};

#define CONFORMANCE_BUDGET 24

TEST(every_optimizer_on_every_problem_same_logs_at_1_and_2_threads)
{
    size_t n_opt = 0;
    for (; hw_optimizer_at(n_opt); n_opt++) {}
    CHECK(n_opt >= 9);
    tmpdir t;
    tmpdir_make(&t);
    char out1[128], out2[128];
    snprintf(out1, sizeof out1, "%s/t1", t.dir);
    snprintf(out2, sizeof out2, "%s/t2", t.dir);
    for (size_t k = 0; k < sizeof KINDS / sizeof *KINDS; k++)
        for (size_t i = 0; i < n_opt; i++) {
            const char *opt = hw_optimizer_at(i)->name;
            char name[96], ojson[128], label[160];
            snprintf(name, sizeof name, "%s_%s", KINDS[k].label, opt);
            snprintf(ojson, sizeof ojson, "{\"name\": \"%s\"}", opt);
            snprintf(label, sizeof label, "%s on %s", opt, KINDS[k].label);
            const char *cfg = write_config(&t, name, KINDS[k].json, ojson, CONFORMANCE_BUDGET, "[1, 2]");
            int threads[2] = {1, 2};
            const char *outs[2] = {out1, out2};
            batch_problem b;
            batch_init(&b);
            hw_err e = {0};
            int rc = run_config(cfg, outs, threads, 2, KINDS[k].batch_backend ? &b.p : NULL, &e);
            CHECK_MSG(rc == 0, "%s: %s", label, e.msg);
            if (KINDS[k].batch_backend) {
                CHECK_EQ_INT(atomic_load(&b.max_in_flight), 1);
                CHECK_EQ_INT(atomic_load(&b.oversized), 0);
                CHECK_EQ_INT(atomic_load(&b.evaluated), 2 * 2 * CONFORMANCE_BUDGET);
            }
            for (int s = 1; s <= 2; s++) check_same_log(out1, out2, name, s, CONFORMANCE_BUDGET, label);
        }
    tmpdir_remove(&t);
}

TEST(every_optimizer_rejects_unknown_config_keys)
{
    tmpdir t;
    tmpdir_make(&t);
    for (size_t i = 0; hw_optimizer_at(i); i++) {
        const char *opt = hw_optimizer_at(i)->name;
        char ojson[160], name[96];
        snprintf(ojson, sizeof ojson, "{\"name\": \"%s\", \"no_such_key\": 1}", opt);
        snprintf(name, sizeof name, "bad_%s", opt);
        for (size_t k = 0; k < sizeof KINDS / sizeof *KINDS; k++) {
            const char *cfg = write_config(&t, name, KINDS[k].json, ojson, CONFORMANCE_BUDGET, "[1]");
            hw_config_overrides ov = {.out = t.dir, .threads = 1};
            hw_run_config c;
            hw_err e = {0};
            int rc = hw_config_load(cfg, &ov, &c, &e);
            CHECK_MSG(rc == HW_EINVAL && strstr(e.msg, "optimizer.no_such_key") && strstr(e.msg, cfg),
                      "%s on %s: rc %d, '%s'", opt, KINDS[k].label, rc, e.msg);
            if (rc == 0) hw_config_free(&c);
        }
    }
    /* and at the top level and in the budget */
    const char *bad[][2] = {{"{\"name\": \"x\", \"problem\": {\"name\": \"zdt1\"}, \"optimizer\": {\"name\": \"nsga2\"},"
                             " \"budget\": {\"evaluations\": 10}, \"seeds\": [1], \"extra\": 1}", "extra"},
                            {"{\"name\": \"x\", \"problem\": {\"name\": \"zdt1\"}, \"optimizer\": {\"name\": \"nsga2\"},"
                             " \"budget\": {\"evaluations\": 10, \"seconds\": 3}, \"seeds\": [1]}", "budget.seconds"},
                            {"{\"name\": \"x\", \"problem\": {\"name\": \"zdt1\", \"colour\": 1}, \"optimizer\": "
                             "{\"name\": \"nsga2\"}, \"budget\": {\"evaluations\": 10}, \"seeds\": [1]}",
                             "problem.colour"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/bad%zu.json", t.dir, i);
        write_text(path, bad[i][0]);
        hw_config_overrides ov = {.out = t.dir, .threads = 1};
        hw_run_config c;
        hw_err e = {0};
        int rc = hw_config_load(path, &ov, &c, &e);
        CHECK_MSG(rc != 0 && strstr(e.msg, bad[i][1]), "'%s' lacks %s", e.msg, bad[i][1]);
        if (rc == 0) hw_config_free(&c);
    }
    tmpdir_remove(&t);
}

/* ---- the loop itself ------------------------------------------------------ */

typedef struct {
    size_t batches, evals;
    long long last_evaluations;
    int finished, stopped, ids_in_order;
} loop_watch;

static int watch_batch(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    (void)p; (void)e;
    loop_watch *w = ctx;
    for (size_t i = 0; i < b->n; i++)
        if (b->ids[i].index != w->evals + i || b->ids[i].seed != 7) w->ids_in_order = 0;
    w->batches++;
    w->evals += b->n;
    w->last_evaluations = b->evaluations;
    return HW_OK;
}

static int watch_finish(void *ctx, const hw_problem *p, const hw_run_end *r, hw_err *e)
{
    (void)p; (void)e;
    loop_watch *w = ctx;
    w->finished++;
    w->stopped = r->stopped;
    return HW_OK;
}

static int failing_batch(void *ctx, const hw_problem *p, const hw_batch_event *b, hw_err *e)
{
    (void)ctx; (void)p;
    return b->evaluations > 40 ? hw_fail(e, HW_EIO, "observer failed at %lld", b->evaluations) : HW_OK;
}

TEST(loop_reports_batches_in_order_honours_budget_stop_and_observer_errors)
{
    hw_err e = {0};
    cJSON *pc = cJSON_Parse("{\"name\": \"zdt1\", \"n_var\": 4}");
    hw_problem *p = NULL;
    CHECK_OK(hw_problem_create(pc, "problem", &p, &e));
    cJSON_Delete(pc);
    if (!p) return;
    hw_evaluator *ev = NULL;
    CHECK_OK(hw_evaluator_create(p, &ev, &e));
    /* budget 50 in asks of at most 16: 16 + 16 + 16 + 2 */
    for (int mode = 0; mode < 3; mode++) {
        hw_optimizer *o = NULL;
        CHECK_OK(hw_optimizer_create(hw_optimizer_find("random_search"), p, NULL, "optimizer", 7, &o, &e));
        loop_watch w = {0, 0, 0, 0, 0, 1};
        volatile sig_atomic_t stop = mode == 1;
        hw_observer obs[2] = {{&w, watch_batch, watch_finish}, {NULL, failing_batch, NULL}};
        hw_loop_spec spec = {ev, o, 7, 50, 16, 2, 0, &stop, obs, mode == 2 ? 2 : 1};
        hw_run_end end;
        int rc = hw_loop_run(&spec, &end, &e);
        if (mode == 0) {
            CHECK_OK(rc);
            CHECK_EQ_INT(w.batches, 4);
            CHECK_EQ_INT(w.evals, 50);
            CHECK_EQ_INT(w.last_evaluations, 50);
            CHECK_EQ_INT(end.evaluations, 50);
            CHECK(w.ids_in_order);
            CHECK_EQ_INT(w.finished, 1);
            CHECK_EQ_INT(w.stopped, 0);
        } else if (mode == 1) {
            CHECK_OK(rc);
            CHECK_EQ_INT(w.batches, 0);
            CHECK_EQ_INT(w.finished, 1);
            CHECK_EQ_INT(w.stopped, 1);
            CHECK_EQ_INT(end.evaluations, 0);
        } else {
            CHECK_EQ_INT(rc, HW_EIO);
            CHECK(strstr(e.msg, "observer failed at 48") != NULL);
            CHECK_EQ_INT(w.batches, 3);
            CHECK_EQ_INT(w.finished, 0);
            CHECK_EQ_INT(end.evaluations, 32);
        }
        hw_optimizer_destroy(o);
    }
    hw_evaluator_destroy(ev);
    hw_problem_destroy(p);
}

/* ---- the log checksum ------------------------------------------------------ */

TEST(crc32c_check_value_and_pieces)
{
    const char *s = "123456789";
    CHECK_EQ_INT(hw_crc32c(0, s, 9), 0xE3069283u); /* the CRC-32C check value */
    CHECK_EQ_INT(hw_crc32c(0, "", 0), 0);
    /* in pieces of every split (odd lengths and 8-byte words mixed) */
    char buf[100];
    for (int i = 0; i < 100; i++) buf[i] = (char)(i * 37 + 11);
    uint32_t whole = hw_crc32c(0, buf, sizeof buf);
    for (size_t k = 0; k <= sizeof buf; k += 7)
        CHECK_EQ_INT(hw_crc32c(hw_crc32c(0, buf, k), buf + k, sizeof buf - k), whole);
}
