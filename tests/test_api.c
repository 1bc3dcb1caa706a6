/* tests/test_api.c — the C API for bindings (api/hwnas_api.h): batch
 * queries equal the hwgpt problem's evaluations (means, and noisy draws
 * with the runner's evaluation ids), an external ask/tell optimizer that
 * forwards to the built-in random_search gives random_search's run, and bad
 * input fails with one line. */
#include "check.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/hwnas_api.h"
#include "benchmark/problem.h"
#include "core/json.h"
#include "optimizers/optimizer.h"
#include "space/space.h"

#define N_ARCH 200

static hwnas_bench *open_bench(const char *noise)
{
    hw_err e = {0};
    hwnas_bench *b = NULL;
    char models[4096];
    snprintf(models, sizeof models, "%s/surrogates/models", hwt_src_dir());
    int rc = hwnas_bench_open("s", NULL, "a100", models, noise, NULL, NULL, &b, &e);
    CHECK_MSG(rc == 0, "open: %s", e.msg);
    return b;
}

/* The hwgpt problem of these objectives and noise (the independent reference). */
static hw_problem *make_problem(const char *noise)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"name\": \"hwgpt\", \"scale\": \"s\", \"device\": \"a100\", \"noise\": \"%s\", \"models\": "
             "\"%s/surrogates/models\", \"objectives\": [\"perplexity\", \"latency\", \"energy\", \"params\"]}",
             noise, hwt_src_dir());
    cJSON *cfg = NULL;
    hw_err e = {0};
    hw_problem *p = NULL;
    CHECK_OK(hwj_parse(text, "test", &cfg, &e));
    int rc = hw_problem_create(cfg, "problem", &p, &e);
    CHECK_MSG(rc == 0, "problem: %s", e.msg);
    cJSON_Delete(cfg);
    return p;
}

static void compare_with_problem(const char *noise, uint64_t seed, uint64_t first)
{
    hwnas_bench *b = open_bench(noise);
    hw_problem *p = make_problem(noise);
    if (!b || !p) return;
    char *archs = malloc(N_ARCH * HWNAS_ARCH_MAXLEN);
    size_t used = 0;
    hw_err e = {0};
    CHECK_OK(hwnas_bench_sample(b, N_ARCH, 5, archs, N_ARCH * HWNAS_ARCH_MAXLEN, &used, &e));
    double mean[N_ARCH * 4], std[N_ARCH * 4], noise_std[N_ARCH * 4], f[N_ARCH * 4], f_std[N_ARCH * 4];
    int rc = hwnas_bench_query(b, archs, N_ARCH, "perplexity,latency,energy,params", seed, first, mean, std,
                               noise_std, &e);
    CHECK_MSG(rc == 0, "query: %s", e.msg);
    /* the same archs as genomes, evaluated by the problem as evaluations {seed, first + i} */
    double *x = malloc((size_t)N_ARCH * (size_t)p->n_var * sizeof *x);
    hw_eval_id ids[N_ARCH];
    const char *line = archs;
    for (size_t i = 0; i < N_ARCH; i++) {
        char s[HWNAS_ARCH_MAXLEN];
        size_t len = (size_t)(strchr(line, '\n') - line);
        memcpy(s, line, len);
        s[len] = 0;
        line += len + 1;
        hw_arch a;
        CHECK_OK(hw_arch_parse(s, NULL, &a, &e));
        hw_arch_to_genome(&a, x + i * (size_t)p->n_var);
        ids[i] = (hw_eval_id){seed, first + i};
    }
    CHECK_OK(p->evaluate(p, x, ids, N_ARCH, f, f_std, &e));
    int same = 1, noisy = 0;
    for (size_t k = 0; k < N_ARCH * 4; k++) {
        same &= mean[k] == f[k] && std[k] == f_std[k];
        noisy |= noise_std[k] > 0;
    }
    CHECK_MSG(same, "%s: the API's numbers differ from the hwgpt problem's", noise);
    double g_mean[N_ARCH * 4];
    rc = hwnas_bench_query_genomes(b, x, N_ARCH, "perplexity,latency,energy,params", seed, first, g_mean, NULL,
                                   NULL, &e);
    CHECK_MSG(rc == 0, "query_genomes: %s", e.msg);
    CHECK(memcmp(g_mean, f, sizeof g_mean) == 0);
    x[3] = 7;
    CHECK(hwnas_bench_query_genomes(b, x, N_ARCH, "params", 0, 0, g_mean, NULL, NULL, &e) != 0);
    CHECK_STR(e.msg, "genomes[0]: gene 3 = 7 is not a choice index in [0, 2]");
    CHECK(noisy);
    free(x);
    free(archs);
    hw_problem_destroy(p);
    hwnas_bench_close(b);
}

TEST(query_equals_hwgpt_problem_means) { compare_with_problem("mean", 0, 0); }

TEST(query_noise_sample_equals_runner_draws) { compare_with_problem("sample", 42, 1000); }

TEST(bad_input_fails_with_one_line)
{
    hw_err e = {0};
    hwnas_bench *b = NULL;
    CHECK(hwnas_bench_open("xl", NULL, NULL, NULL, NULL, NULL, NULL, &b, &e) != 0 && !b);
    CHECK_STR(e.msg, "scale: unknown scale 'xl' (expected s, m or l)");
    CHECK(hwnas_bench_open("s", "analytic", NULL, NULL, "sample", NULL, NULL, &b, &e) != 0);
    CHECK_STR(e.msg, "noise: 'sample' needs the surrogate backend");
    b = open_bench("mean");
    if (!b) return;
    double v[8];
    CHECK(hwnas_bench_query(b, "gpt-s-x\n", 1, "params", 0, 0, v, NULL, NULL, &e) == HW_EPARSE ||
          e.code != 0);
    CHECK(strncmp(e.msg, "archs[0]: ", 10) == 0 && !strchr(e.msg, '\n'));
    CHECK(hwnas_bench_query(b, "", 0, "params,bogus", 0, 0, v, NULL, NULL, &e) != 0);
    CHECK(strncmp(e.msg, "metrics: unknown metric 'bogus'", 31) == 0);
    char buf[10];
    size_t used;
    CHECK(hwnas_bench_sample(b, 1, 0, buf, sizeof buf, &used, &e) != 0);
    hwnas_bench_close(b);
    char *res = NULL;
    CHECK(hwnas_run("{\"name\": \"x\", \"bogus\": 1}", NULL, NULL, 0, 0, 1, &res, &e) != 0 && !res);
    CHECK(strncmp(e.msg, "<config>: bogus: unknown key", 28) == 0);
}

/* ---- an external optimizer forwarding to random_search ---------------- */

typedef struct {
    const hw_optimizer_ops *ops;
    hw_problem *p;
    void *st;
    int fail_tell;
} forward;

static int fwd_start(void *ctx, uint64_t seed, int n_var, int n_obj, char *msg, size_t len)
{
    forward *w = ctx;
    hw_err e = {0};
    if (w->st) w->ops->destroy(w->st);
    w->st = NULL;
    if (n_var != w->p->n_var || n_obj != 2) { snprintf(msg, len, "unexpected shape"); return 1; }
    if (w->ops->create(&w->st, w->p, NULL, "optimizer", seed, &e)) { snprintf(msg, len, "%s", e.msg); return 1; }
    return 0;
}

static int fwd_ask(void *ctx, double *x, size_t max_n, size_t *n, char *msg, size_t len)
{
    forward *w = ctx;
    hw_err e = {0};
    if (w->ops->ask(w->st, x, max_n, n, &e)) { snprintf(msg, len, "%s", e.msg); return 1; }
    return 0;
}

static int fwd_tell(void *ctx, const double *x, const double *f, size_t n, char *msg, size_t len)
{
    forward *w = ctx;
    hw_err e = {0};
    if (w->fail_tell) { snprintf(msg, len, "boom"); return 1; }
    if (w->ops->tell(w->st, x, f, n, &e)) { snprintf(msg, len, "%s", e.msg); return 1; }
    return 0;
}

static double run_hv(const char *result)
{
    cJSON *r = cJSON_Parse(result);
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(r, "runs");
    const cJSON *hv = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0), "hypervolume");
    double v = cJSON_IsNumber(hv) ? hv->valuedouble : -1;
    cJSON_Delete(r);
    return v;
}

TEST(external_optimizer_runs_like_the_builtin_it_forwards_to)
{
    char dir[] = "/tmp/hwnas_test_api_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"name\": \"api\", \"problem\": {\"name\": \"hwgpt\", \"device\": \"a100\", \"models\": "
             "\"%s/surrogates/models\"}, \"optimizer\": {\"name\": \"random_search\"}, \"budget\": "
             "{\"evaluations\": 150}, \"seeds\": [9], \"output\": \"%s/builtin\"}",
             hwt_src_dir(), dir);
    hw_err e = {0};
    char *res_builtin = NULL, *res_ext = NULL;
    int rc = hwnas_run(cfg, NULL, NULL, 1, 0, 1, &res_builtin, &e);
    CHECK_MSG(rc == 0, "builtin: %s", e.msg);
    forward w = {hw_optimizer_find("random_search"), make_problem("mean"), NULL, 0};
    hwnas_external_optimizer x = {"c:forward", &w, fwd_start, fwd_ask, fwd_tell, 0};
    char out[1024];
    snprintf(out, sizeof out, "%s/ext", dir);
    rc = hwnas_run_external(cfg, NULL, out, 0, 1, &x, &res_ext, &e);
    CHECK_MSG(rc == 0, "external: %s", e.msg);
    if (res_builtin && res_ext) {
        CHECK(run_hv(res_builtin) > 0);
        CHECK(run_hv(res_builtin) == run_hv(res_ext));
        CHECK(strstr(res_ext, "/ext/api/seed_9.jsonl") != NULL);
    }
    /* the log names the external optimizer */
    char log[1200], line[4096] = "";
    snprintf(log, sizeof log, "%s/ext/api/seed_9.jsonl", dir);
    FILE *f = fopen(log, "r");
    CHECK(f && fgets(line, sizeof line, f));
    CHECK(strstr(line, "\"optimizer\":\"c:forward\"") != NULL || strstr(line, "\"optimizer\": \"c:forward\"") != NULL);
    if (f) fclose(f);
    hwnas_free(res_ext);
    res_ext = NULL;
    /* a callback's failure ends the run with its message */
    w.fail_tell = 1;
    rc = hwnas_run_external(cfg, NULL, out, 1, 1, &x, &res_ext, &e);
    CHECK(rc != 0);
    CHECK_MSG(strstr(e.msg, "c:forward: tell: boom") != NULL, "%s", e.msg);
    CHECK(res_ext != NULL); /* the result line comes back on failure too */
    hwnas_free(res_ext);
    res_ext = NULL;
    /* a built-in name is refused */
    x.name = "nsga2";
    CHECK(hwnas_run_external(cfg, NULL, out, 1, 1, &x, &res_ext, &e) != 0);
    CHECK_STR(e.msg, "optimizer: 'nsga2' is the name of a built-in optimizer");
    hwnas_free(res_builtin);
    hwnas_free(res_ext);
    if (w.st) w.ops->destroy(w.st);
    hw_problem_destroy(w.p);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
