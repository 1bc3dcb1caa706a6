/* Per-objective devices in the hwgpt problem ("energy@cpu_xeon_gold",
 * benchmark/hwgpt.h): values and bounds equal the surrogate API's on that
 * device (an independent path: surrogate_load / surrogate_predict, not the
 * backend), names say the device, two devices of one metric draw independent
 * noise deterministically, and every bad objective gives its one-line error
 * naming the key path and index. */
#include "check.h"

#include "benchmark/hwgpt.h"
#include "benchmark/problem.h"
#include "core/json.h"
#include "core/rng.h"
#include "surrogates/surrogate.h"

static const char *models_dir(void)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/surrogates/models", hwt_src_dir());
    return p;
}

/* The problem of a config (with the surrogate backend, the default, "models"
 * is the source tree's); NULL with e filled on failure. */
static hw_problem *make(const char *problem_json, hw_err *e)
{
    char text[4096];
    if (strstr(problem_json, "\"backend\""))
        snprintf(text, sizeof text, "%s", problem_json);
    else
        snprintf(text, sizeof text, "%.*s, \"models\": \"%s\"}", (int)strlen(problem_json) - 1, problem_json,
                 models_dir());
    cJSON *cfg;
    if (hwj_parse(text, "test", &cfg, e)) return NULL;
    hw_problem *p = NULL;
    if (hw_problem_create(cfg, "problem", &p, e)) p = NULL;
    cJSON_Delete(cfg);
    return p;
}

/* n random genomes of p (categorical genes). */
static double *random_genomes(const hw_problem *p, int n, uint64_t seed)
{
    double *x = malloc((size_t)n * (size_t)p->n_var * sizeof *x);
    hw_rng r;
    hw_rng_seed(&r, seed, 1);
    for (int i = 0; i < n; i++)
        for (int g = 0; g < p->n_var; g++)
            x[(size_t)i * (size_t)p->n_var + (size_t)g] = (double)hw_rng_below(&r, (uint32_t)p->vars[g].n_cat);
    return x;
}

static int device_index(const sur_set *s, const char *name)
{
    int d = -1;
    hw_err e = {0};
    CHECK_OK(surrogate_device_lookup(s, name, &d, &e));
    return d;
}

/* The paper's 3-objective case on GPT-L: each objective is the surrogate's
 * prediction on its own device, bounds included. */
TEST(own_devices_equal_the_surrogate_api)
{
    hw_err e = {0};
    hw_problem *p = make("{\"name\": \"hwgpt\", \"scale\": \"l\", \"objectives\": [\"perplexity\", \"latency@a100\", "
                         "\"energy@cpu_xeon_gold\"]}", &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    if (!p) return;
    CHECK_EQ_INT(p->n_obj, 3);
    CHECK_STR(p->obj_names[0], "perplexity");
    CHECK_STR(p->obj_names[1], "latency@a100");
    CHECK_STR(p->obj_names[2], "energy@cpu_xeon_gold");
    sur_set *s = NULL;
    CHECK_OK(surrogate_load(models_dir(), HW_SCALE_L, &s, &e));
    if (!s) { hw_problem_destroy(p); return; }
    const int metric[3] = {SUR_PERPLEXITY, SUR_LATENCY, SUR_ENERGY};
    const int device[3] = {0, device_index(s, "a100"), device_index(s, "cpu_xeon_gold")};
    CHECK(device[1] != device[2]);
    for (int j = 0; j < 3; j++) {
        double lo, hi;
        CHECK_OK(surrogate_bounds(s, metric[j], device[j], &lo, &hi, &e));
        CHECK(p->obj_lo[j] == lo && p->obj_hi[j] == hi);
    }
    enum { N = 25 };
    double *x = random_genomes(p, N, 11), f[3 * N], sd[3 * N];
    CHECK_OK(p->evaluate(p, x, NULL, N, f, sd, &e));
    for (int i = 0; i < N; i++) {
        hw_arch a;
        hw_arch_from_genome(hw_space_get(HW_SCALE_L), x + (size_t)i * (size_t)p->n_var, &a);
        for (int j = 0; j < 3; j++) {
            sur_pred pr;
            CHECK_OK(surrogate_predict(s, &a, metric[j], device[j], &pr, &e));
            CHECK_MSG(f[3 * i + j] == pr.mean && sd[3 * i + j] == pr.std, "arch %d objective %d: %.17g vs %.17g", i,
                      j, f[3 * i + j], pr.mean);
        }
    }
    /* energy on Xeon Gold is not energy on A100: the device was used */
    sur_pred a100;
    hw_arch a0;
    hw_arch_from_genome(hw_space_get(HW_SCALE_L), x, &a0);
    CHECK_OK(surrogate_predict(s, &a0, SUR_ENERGY, device[1], &a100, &e));
    CHECK(a100.mean != f[2]);
    free(x);
    surrogate_free(s);
    hw_problem_destroy(p);
}

/* Without own devices the names stay the metrics'; when devices mix, every
 * per-device objective says its device (the problem's "device" for those
 * naming none), and the values are those of a problem on that one device. */
TEST(names_say_the_device_when_devices_mix)
{
    hw_err e = {0};
    hw_problem *plain = make("{\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [\"perplexity\", "
                             "\"latency\", \"energy\"]}", &e);
    hw_problem *mixed = make("{\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [\"perplexity\", "
                             "\"latency\", \"energy@P100\", \"params\"]}", &e);
    hw_problem *p100 = make("{\"name\": \"hwgpt\", \"device\": \"p100\", \"objectives\": [\"energy\"]}", &e);
    CHECK_MSG(plain && mixed && p100, "%s", e.msg);
    if (plain && mixed && p100) {
        CHECK_STR(plain->obj_names[1], "latency");
        CHECK_STR(plain->obj_names[2], "energy");
        CHECK_STR(mixed->obj_names[0], "perplexity");
        CHECK_STR(mixed->obj_names[1], "latency@a100");
        CHECK_STR(mixed->obj_names[2], "energy@P100"); /* the canonical spelling of the device */
        CHECK_STR(mixed->obj_names[3], "params");
        enum { N = 10 };
        double *x = random_genomes(plain, N, 5), fp[3 * N], fm[4 * N], fq[N];
        CHECK_OK(plain->evaluate(plain, x, NULL, N, fp, NULL, &e));
        CHECK_OK(mixed->evaluate(mixed, x, NULL, N, fm, NULL, &e));
        CHECK_OK(p100->evaluate(p100, x, NULL, N, fq, NULL, &e));
        for (int i = 0; i < N; i++) {
            CHECK(fm[4 * i] == fp[3 * i] && fm[4 * i + 1] == fp[3 * i + 1]);
            CHECK(fm[4 * i + 2] == fq[i] && fm[4 * i + 2] != fp[3 * i + 2]);
        }
        CHECK(mixed->obj_lo[2] == p100->obj_lo[0] && mixed->obj_hi[2] == p100->obj_hi[0]);
        free(x);
    }
    hw_problem_destroy(plain);
    hw_problem_destroy(mixed);
    hw_problem_destroy(p100);
}

static void ranks(const double *v, int n, double *r)
{
    for (int i = 0; i < n; i++) {
        int below = 0;
        for (int k = 0; k < n; k++) below += v[k] < v[i];
        r[i] = below;
    }
}

static double correlation(const double *a, const double *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) ma += a[i] / n, mb += b[i] / n;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/* Latency on two devices with "noise": "sample": the same evaluation id
 * gives the same values (deterministic), and the two devices' noise draws are
 * independent: both are monotone maps of their uniform draw, so one shared
 * draw would give a rank correlation of 1 across evaluations. */
TEST(two_devices_draw_independent_deterministic_noise)
{
    hw_err e = {0};
    hw_problem *p = make("{\"name\": \"hwgpt\", \"noise\": \"sample\", \"objectives\": [\"latency@a100\", "
                         "\"latency@h100\"]}", &e);
    hw_problem *m = make("{\"name\": \"hwgpt\", \"objectives\": [\"latency@a100\", \"latency@h100\"]}", &e);
    CHECK_MSG(p && m, "%s", e.msg);
    if (!p || !m) { hw_problem_destroy(p); hw_problem_destroy(m); return; }
    enum { N = 400 };
    double *x = malloc((size_t)N * (size_t)p->n_var * sizeof *x), *one = random_genomes(p, 1, 3);
    for (int i = 0; i < N; i++) memcpy(x + (size_t)i * (size_t)p->n_var, one, (size_t)p->n_var * sizeof *x);
    hw_eval_id *ids = malloc(N * sizeof *ids);
    for (int i = 0; i < N; i++) ids[i] = (hw_eval_id){42, (uint64_t)i};
    double *f = malloc(2 * N * sizeof *f), *g = malloc(2 * N * sizeof *g), mean[2], z[2][N], rz[2][N];
    CHECK_OK(p->evaluate(p, x, ids, N, f, NULL, &e));
    CHECK_OK(p->evaluate(p, x, ids, N, g, NULL, &e));
    CHECK(memcmp(f, g, 2 * N * sizeof *f) == 0);
    CHECK_OK(m->evaluate(m, one, NULL, 1, mean, NULL, &e));
    CHECK(mean[0] != mean[1]);
    int moved[2] = {0, 0};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++) {
            z[j][i] = f[2 * i + j] / mean[j];
            moved[j] += f[2 * i + j] != mean[j];
        }
    CHECK_MSG(moved[0] > N / 2 && moved[1] > N / 2, "noisy draws: %d and %d of %d differ from the mean", moved[0],
              moved[1], N);
    ranks(z[0], N, rz[0]);
    ranks(z[1], N, rz[1]);
    double rho = correlation(rz[0], rz[1], N);
    CHECK_MSG(fabs(rho) < 0.2, "rank correlation of the two devices' noise %g (independent draws: ~0)", rho);
    free(x); free(one); free(ids); free(f); free(g);
    hw_problem_destroy(p);
    hw_problem_destroy(m);
}

TEST(bad_objective_devices_give_one_line_errors)
{
    const char *bad[][2] = {
        {"{\"name\": \"hwgpt\", \"objectives\": [\"perplexity\", \"latency@tpu\"]}",
         "problem.objectives[1]: unknown device 'tpu' (expected one of a100,"},
        {"{\"name\": \"hwgpt\", \"scale\": \"l\", \"objectives\": [\"perplexity\", \"energy@cpu_p100\"]}",
         "problem.objectives[1]: no surrogate model for energy on device cpu_p100 at scale l"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [\"perplexity@a100\", \"latency\"]}",
         "problem.objectives[0]: 'perplexity@a100': perplexity does not depend on the device"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency@a100\", \"params@h100\"]}",
         "problem.objectives[1]: 'params@h100': params does not depend on the device"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency@a100\", \"latency@a100\"]}",
         "problem.objectives[1]: 'latency@a100' is listed twice"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency@A100\", \"latency@a100\"]}",
         "problem.objectives[1]: 'latency@a100' is listed twice: it measures latency@a100, as problem.objectives[0] "
         "'latency@A100' does"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [\"latency@a100\", \"latency\"]}",
         "problem.objectives[1]: 'latency' is listed twice: it measures latency@a100"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency\", \"energy@a100\"]}",
         "problem.device: required by the objective 'latency'"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency@\"]}",
         "problem.objectives[0]: 'latency@': expected METRIC or METRIC@DEVICE"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"@a100\"]}", "problem.objectives[0]: '@a100': expected METRIC"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"perplexity\", \"enrgy@a100\"]}",
         "problem.objectives[1]: 'enrgy@a100': unknown metric 'enrgy'"},
        {"{\"name\": \"hwgpt\", \"backend\": \"analytic\", \"objectives\": [\"params\", \"latency@a100\"]}",
         "problem.objectives[1]: 'latency@a100': metric 'latency' needs the surrogate backend"},
        {"{\"name\": \"hwgpt\", \"backend\": \"supernet\", \"objectives\": [\"perplexity\", \"latency@a100\"]}",
         "problem.objectives: the surrogates cover scales s, m, l; on scale xs latency is measured here"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hw_err e = {0};
        hw_problem *p = make(bad[i][0], &e);
        CHECK_MSG(p == NULL, "case %zu: accepted", i);
        CHECK_MSG(strncmp(e.msg, bad[i][1], strlen(bad[i][1])) == 0, "case %zu: '%s' does not start with '%s'", i,
                  e.msg, bad[i][1]);
        CHECK_MSG(strchr(e.msg, '\n') == NULL, "case %zu: more than one line", i);
        hw_problem_destroy(p);
    }
}
