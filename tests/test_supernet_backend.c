/* tests/test_supernet_backend.c — the `supernet` metric backend
 * (supernet/supernet_backend.h) and the hwgpt problem on it, with a tiny
 * checkpoint trained here (xxs space, a few steps): params against
 * space/analytic.h's count, the cache (an arch is measured once; a genome
 * differing only in inert genes is the same arch), batched evaluation
 * through the run loop's evaluator (pieces never above batch_size), the
 * default checkpoint lookup, and one-line errors.  Perplexity against
 * `hwnas supernet eval` and a config run end to end: test_supernet_backend.sh. */
#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmark/backends.h"
#include "benchmark/hwgpt.h"
#include "check.h"
#include "runner/evaluator.h"
#include "space/analytic.h"
#include "supernet/corpus.h"
#include "supernet/supernet_backend.h"
#include "supernet/train.h"

/* ---- a tiny trained checkpoint in a scratch directory -------------------- */

typedef struct {
    char dir[64];
    char ckpt[128];
} scratch;

static void write_text(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    for (int i = 1; i <= 600; i++)
        fprintf(f, "the quick brown fox %d jumps over the lazy dog number %d.\n", i, i * 7 % 13);
    fclose(f);
}

/* dir/text.txt and dir/xxs.ckpt: 8 sandwich steps on it, weights only. */
static void scratch_make(scratch *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/hwnas_snbackend_XXXXXX");
    if (!mkdtemp(s->dir)) { perror("mkdtemp"); exit(1); }
    char text[128];
    snprintf(text, sizeof text, "%s/text.txt", s->dir);
    snprintf(s->ckpt, sizeof s->ckpt, "%s/xxs.ckpt", s->dir);
    write_text(text);
    hw_err e = {0};
    sn_corpus c;
    sn_trainer t;
    sn_train_opts o;
    sn_train_opts_default(&o, HW_SCALE_XXS, 8);
    o.batch = 2;
    if (sn_corpus_load(text, &c, &e) || sn_trainer_init(&t, &o, text, &c, &e)) {
        fprintf(stderr, "training setup: %s\n", e.msg);
        exit(1);
    }
    int rc = HW_OK;
    while (!rc && t.step < o.steps) rc = sn_trainer_step(&t, &c, &e);
    free(t.adam_m);
    free(t.adam_v);
    t.adam_m = t.adam_v = NULL;
    if (!rc) rc = sn_checkpoint_save(&t, s->ckpt, &e);
    if (rc) { fprintf(stderr, "training: %s\n", e.msg); exit(1); }
    sn_trainer_free(&t);
    sn_corpus_free(&c);
}

static void scratch_remove(const scratch *s)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", s->dir);
}

/* The hwgpt problem of a config object given as JSON text; NULL on failure
 * with e filled. */
static hw_problem *problem_of(const char *json, hw_err *e)
{
    cJSON *cfg = cJSON_Parse(json);
    if (!cfg) { hw_fail(e, HW_EPARSE, "test config does not parse: %s", json); return NULL; }
    hw_problem *p = NULL;
    if (hw_hwgpt_create(cfg, "problem", &p, e)) p = NULL;
    cJSON_Delete(cfg);
    return p;
}

/* The problem config on s's checkpoint with extra members (JSON text). */
static const char *config(const scratch *s, const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", "
             "\"checkpoint\": \"%s\", \"eval_windows\": 4%s%s}", s->ckpt, *extra ? ", " : "", extra);
    return buf;
}

/* An open supernet backend on s's checkpoint for the named rows. */
static hw_backend_envs open_backend(const scratch *s, const char *const *names, int n)
{
    const hw_metric *rows[8];
    for (int i = 0; i < n; i++) rows[i] = hw_backend_row(&hw_supernet_backend, names[i]);
    const hw_backend *use[1] = {&hw_supernet_backend};
    cJSON *cfg = cJSON_Parse(config(s, ""));
    hw_backend_envs envs;
    hw_err e = {0};
    int rc = hw_backend_envs_open(&envs, use, 1, rows, n, cfg, "problem", hw_space_get(HW_SCALE_XXS), &e);
    cJSON_Delete(cfg);
    if (rc) { fprintf(stderr, "open: %s\n", e.msg); exit(1); }
    return envs;
}

static double eval_row(const hw_backend_envs *envs, const char *name, const char *arch)
{
    const hw_metric *row = hw_backend_row(&hw_supernet_backend, name);
    hw_arch a;
    hw_metric_value v;
    hw_err e = {0};
    if (hw_arch_parse(arch, hw_space_get(HW_SCALE_XXS), &a, &e) ||
        row->eval(row, hw_backend_envs_get(envs, row), &a, &v, &e)) {
        hwt_fail_at(__FILE__, __LINE__, "%s of %s: %s", name, arch, e.msg);
        return NAN;
    }
    return v.mean;
}

static const char *const ARCHS[] = {"gpt-xxs-2-32-2-3-1-2-True", "gpt-xxs-1-16-2-1-False", "gpt-xxs-2-16-3-2-2-1-True",
                                    "gpt-xxs-1-32-3-1-False"};

/* ---- values ------------------------------------------------------------- */

/* params = analytic.h's count with the byte vocabulary in place of
 * HW-GPT-Bench's (the embedding and the untied head: 2 x V x embed). */
TEST(params_equal_analytic_count_at_the_checkpoint_vocabulary)
{
    scratch s;
    scratch_make(&s);
    const char *names[] = {"params"};
    hw_backend_envs envs = open_backend(&s, names, 1);
    for (size_t i = 0; i < sizeof ARCHS / sizeof *ARCHS; i++) {
        hw_arch a;
        hw_err e = {0};
        CHECK_OK(hw_arch_parse(ARCHS[i], hw_space_get(HW_SCALE_XXS), &a, &e));
        double want = (double)hw_analytic_params(&a) - 2.0 * (HW_ANALYTIC_VOCAB - 256) * a.embed_dim;
        CHECK_EQ_INT(eval_row(&envs, "params", ARCHS[i]), want);
    }
    hw_backend_envs_close(&envs);
    scratch_remove(&s);
}

/* Perplexity of a trained byte model: above 1, below the vocabulary, the
 * largest sub-network better than the smallest after training. */
TEST(perplexity_is_plausible_and_deterministic)
{
    scratch s;
    scratch_make(&s);
    const char *names[] = {"perplexity"};
    hw_backend_envs a = open_backend(&s, names, 1), b = open_backend(&s, names, 1);
    for (size_t i = 0; i < sizeof ARCHS / sizeof *ARCHS; i++) {
        double p = eval_row(&a, "perplexity", ARCHS[i]);
        CHECK_MSG(p > 1 && p < 256, "%s: perplexity %g", ARCHS[i], p);
        CHECK(p == eval_row(&b, "perplexity", ARCHS[i])); /* bit for bit, another environment */
    }
    double large = eval_row(&a, "perplexity", "gpt-xxs-2-32-3-3-2-2-True");
    double small = eval_row(&a, "perplexity", "gpt-xxs-1-16-2-1-False");
    CHECK_MSG(large < small, "largest %g, smallest %g", large, small);
    hw_backend_envs_close(&a);
    hw_backend_envs_close(&b);
    scratch_remove(&s);
}

/* ---- the cache ---------------------------------------------------------- */

TEST(each_arch_is_measured_once)
{
    scratch s;
    scratch_make(&s);
    const char *names[] = {"perplexity", "latency"};
    hw_backend_envs envs = open_backend(&s, names, 2);
    const void *env = hw_backend_envs_get(&envs, hw_backend_row(&hw_supernet_backend, "latency"));
    double p0 = eval_row(&envs, "perplexity", ARCHS[0]), l0 = eval_row(&envs, "latency", ARCHS[0]);
    for (int r = 0; r < 3; r++)
        for (size_t i = 0; i < sizeof ARCHS / sizeof *ARCHS; i++) {
            eval_row(&envs, "perplexity", ARCHS[i]);
            eval_row(&envs, "latency", ARCHS[i]);
        }
    sn_backend_stats st;
    sn_backend_get_stats(env, &st);
    CHECK_EQ_INT(st.perplexity_evals, 4);
    CHECK_EQ_INT(st.latency_measurements, 4);
    CHECK_EQ_INT(st.cache_hits, 24 - 6); /* 24 requests after the first 2, 6 of them new */
    CHECK(eval_row(&envs, "perplexity", ARCHS[0]) == p0);
    CHECK(eval_row(&envs, "latency", ARCHS[0]) == l0); /* a measurement, kept: the same number within a run */
    CHECK(l0 > 0);
    hw_backend_envs_close(&envs);
    scratch_remove(&s);
}

/* ---- the problem: batches through the run loop's evaluator -------------- */

typedef struct {
    int (*inner)(hw_problem *, const double *, const hw_eval_id *, size_t, double *, double *, hw_err *);
    atomic_int calls, oversized, evaluated;
} batch_probe;

static batch_probe *probe_of_test; /* the problem under test: set once per case, before evaluation */

static int probed_evaluate(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n, double *f, double *fs,
                           hw_err *e)
{
    batch_probe *b = probe_of_test;
    atomic_fetch_add(&b->calls, 1);
    atomic_fetch_add(&b->evaluated, (int)n);
    if (n == 0 || n > p->batch_size) atomic_fetch_add(&b->oversized, 1);
    return b->inner(p, x, ids, n, f, fs, e);
}

TEST(problem_evaluates_in_pieces_of_batch_size_and_reuses_measurements)
{
    scratch s;
    scratch_make(&s);
    hw_err e = {0};
    hw_problem *p = problem_of(config(&s, "\"objectives\": [\"perplexity\", \"latency\", \"params\"]"), &e);
    CHECK_MSG(p, "%s", e.msg);
    if (!p) { scratch_remove(&s); return; }
    CHECK_EQ_INT(p->eval_mode, HW_EVAL_BATCH);
    CHECK_EQ_INT(p->batch_size, SN_BACKEND_BATCH);
    const hw_file_id *files;
    CHECK_EQ_INT(p->files(p, &files), 1);
    CHECK_STR(files[0].path, s.ckpt);
    /* 20 genomes: 10 random archs, each twice, the copy with its inert genes
     * (past n_layer) changed where it has any */
    enum { N = 20 };
    const int nv = p->n_var;
    double x[N * 16], f[N * 3], fs[N * 3], t_end[N];
    hw_eval_id ids[N];
    hw_rng r;
    int inert = 0;
    hw_rng_seed(&r, 5, 1);
    const hw_space *sp = hw_space_get(HW_SCALE_XXS);
    for (int i = 0; i < N / 2; i++) {
        hw_arch a;
        hw_arch_sample(sp, &r, &a);
        double *g0 = x + i * nv, *g1 = x + (N / 2 + i) * nv, y[16], cy[16];
        hw_arch_to_genome(&a, g0);
        memcpy(g1, g0, (size_t)nv * sizeof *x);
        for (int g = 0; g < nv; g++) /* the last choice of every gene the arch ignores */
            for (int c = 0; c < p->vars[g].n_cat; c++) {
                memcpy(y, g1, (size_t)nv * sizeof *y);
                y[g] = c;
                memcpy(cy, y, (size_t)nv * sizeof *y);
                p->canonicalize(p, cy);
                if (memcmp(cy, g0, (size_t)nv * sizeof *cy) == 0) g1[g] = c;
            }
        if (a.n_layer == 1) inert += memcmp(g0, g1, (size_t)nv * sizeof *g0) != 0;
    }
    CHECK(inert > 0); /* some copies differ in their genes, not in their arch */
    for (int i = 0; i < N; i++) ids[i] = (hw_eval_id){7, (uint64_t)i};
    batch_probe probe = {p->evaluate, 0, 0, 0};
    probe_of_test = &probe;
    p->evaluate = probed_evaluate;
    hw_evaluator *ev;
    hw_eval_state st = {2, 0, 0, NULL, 0};
    CHECK_OK(hw_evaluator_create(p, &ev, &e));
    int rc = hw_evaluate(ev, &st, x, ids, N, f, fs, t_end, 0, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    CHECK_EQ_INT(atomic_load(&probe.calls), 3); /* 8 + 8 + 4 */
    CHECK_EQ_INT(atomic_load(&probe.oversized), 0);
    CHECK_EQ_INT(atomic_load(&probe.evaluated), N);
    for (int i = 0; i < N / 2; i++)
        for (int j = 0; j < 3; j++) /* the repeat: bit-identical, latency included (not measured again) */
            CHECK_MSG(f[i * 3 + j] == f[(N / 2 + i) * 3 + j], "genome %d objective %d: %.17g vs %.17g", i, j,
                      f[i * 3 + j], f[(N / 2 + i) * 3 + j]);
    hw_eval_state_free(&st);
    hw_evaluator_destroy(ev);
    p->evaluate = probe.inner;
    hw_problem_destroy(p);
    scratch_remove(&s);
}

/* ---- the default checkpoint --------------------------------------------- */

TEST(default_checkpoint_lookup)
{
    char buf[4096], want[4096];
    setenv(SN_CKPT_ENV, "/some/where/x.ckpt", 1);
    CHECK_STR(sn_default_checkpoint(buf, sizeof buf), "/some/where/x.ckpt");
    unsetenv(SN_CKPT_ENV);
    /* no installed share/hwnas/supernet next to the test program: the source tree's */
    snprintf(want, sizeof want, "%s/supernet/models/xs.ckpt", hwt_src_dir());
    CHECK_STR(sn_default_checkpoint(buf, sizeof buf), want);
    /* missing: one line saying how to get it */
    setenv(SN_CKPT_ENV, "/nonexistent/xs.ckpt", 1);
    hw_err e = {0};
    hw_problem *p = problem_of("{\"name\": \"hwgpt\", \"backend\": \"supernet\"}", &e);
    CHECK(!p);
    CHECK_MSG(strstr(e.msg, "problem.checkpoint: no supernet checkpoint at /nonexistent/xs.ckpt") &&
                  strstr(e.msg, "hwnas supernet train --space xs") && !strchr(e.msg, '\n'),
              "%s", e.msg);
    unsetenv(SN_CKPT_ENV);
    hw_problem_destroy(p);
}

/* The committed xs checkpoint, when it is there: the default config opens
 * it, and its largest sub-network beats its smallest. */
TEST(committed_xs_checkpoint)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/supernet/models/xs.ckpt", hwt_src_dir());
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "SKIP: no committed supernet checkpoint at %s (rebuild it: "
                        "scripts/train_supernet.sh)\n", path);
        exit(77);
    }
    unsetenv(SN_CKPT_ENV);
    hw_err e = {0};
    hw_problem *p = problem_of("{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"objectives\": [\"perplexity\"]}", &e);
    CHECK_MSG(p, "%s", e.msg);
    if (!p) return;
    CHECK_STR(p->name, "hwgpt-xs");
    CHECK_MSG(p->obj_lo[0] > 1 && p->obj_hi[0] > p->obj_lo[0] && p->obj_hi[0] < 256, "perplexity range %g..%g",
              p->obj_lo[0], p->obj_hi[0]);
    hw_problem_destroy(p);
}

/* ---- errors: one line naming the key ------------------------------------- */

TEST(config_errors_are_one_line)
{
    scratch s;
    scratch_make(&s);
    char bad[1024];
    struct {
        const char *json, *want;
    } cases[] = {
        {"{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"checkpoint\": \"/nonexistent.ckpt\"}",
         "problem.checkpoint: "},
        {NULL, "is a supernet of space xxs, but the scale is xs"},
        {NULL, "problem.frobnicate: unknown key (allowed: name, backend, scale, objectives, checkpoint, "
               "eval_windows, latency_runs, device, models)"},
        {NULL, "problem.eval_windows: "},
        {NULL, "problem.latency_runs: "},
        {NULL, "problem.device: the surrogates cover scales s, m, l; on scale xxs latency is measured here"},
        {NULL, "problem.predictor: unknown key"},
        {NULL, "problem.scale: unknown value 'xl' (expected one of: s, m, l, xs, xxs)"},
        {NULL, "problem.objectives[0]: unknown metric 'flops_per_watt'"},
        {NULL, "problem.checkpoint: "},
    };
    const char *variants[] = {
        NULL,
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xs\", \"checkpoint\": \"%s\"}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"frobnicate\": 1}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"eval_windows\": 100000}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"latency_runs\": 0}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"device\": \"a100\"}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"predictor\": \"hwgpt-mlp\"}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xl\", \"checkpoint\": \"%s\"}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s\", \"objectives\": [\"flops_per_watt\"]}",
        "{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"scale\": \"xxs\", \"checkpoint\": \"%s/text.txt\"}",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *json = cases[k].json;
        if (!json) {
            snprintf(bad, sizeof bad, variants[k], k == 9 ? s.dir : s.ckpt);
            json = bad;
        }
        hw_err e = {0};
        hw_problem *p = problem_of(json, &e);
        CHECK_MSG(!p, "case %zu accepted: %s", k, json);
        hw_problem_destroy(p);
        CHECK_MSG(strstr(e.msg, cases[k].want) && !strchr(e.msg, '\n'), "case %zu: '%s' lacks '%s'", k, e.msg,
                  cases[k].want);
    }
    scratch_remove(&s);
}
