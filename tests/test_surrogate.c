/* Surrogates: data loader errors, features, GBM, model files, training
 * determinism, shipped models against the data, hwgpt surrogate backend. */
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <omp.h>

#include "space/analytic.h"
#include "benchmark/problem.h"
#include "core/json.h"
#include "core/util.h"
#include "surrogates/train.h"

static char tmp_root[256];

static const char *tmpdir(void)
{
    if (!tmp_root[0]) {
        snprintf(tmp_root, sizeof tmp_root, "/tmp/hwnas_test_sur_XXXXXX");
        if (!mkdtemp(tmp_root)) { hwt_fail_at(__FILE__, __LINE__, "mkdtemp"); exit(1); }
    }
    return tmp_root;
}

static void write_file(const char *path, const char *text, int gzip)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    hw_err e = {0};
    hw_mkdir_p(dir, &e);
    if (gzip) {
        gzFile f = gzopen(path, "wb");
        gzputs(f, text);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
    }
}

#define EX1 "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False"
#define EX2 "gpt-s-12-192-4-4-4-2-2-4-2-4-3-3-4-3-8-12-12-4-12-4-4-8-4-8-8-8-False"

static void write_analytic(const char *root)
{
    char p[1024], text[1024];
    snprintf(p, sizeof p, "%s/analytic/s.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"flops\":1,\"macs\":1,\"params\":1}\n"
                                "{\"arch\":\"%s\",\"flops\":1,\"macs\":1,\"params\":1}\n", EX1, EX2);
    write_file(p, text, 1);
}

static int load_expect_error(const char *root, const char *want1, const char *want2)
{
    sur_data d;
    hw_err e = {0};
    int rc = sur_data_load(root, HW_SCALE_S, &d, &e);
    CHECK(rc != HW_OK);
    CHECK_MSG(strstr(e.msg, want1) != NULL, "message '%s' lacks '%s'", e.msg, want1);
    CHECK_MSG(!want2 || strstr(e.msg, want2) != NULL, "message '%s' lacks '%s'", e.msg, want2);
    CHECK(strchr(e.msg, '\n') == NULL);
    if (rc == HW_OK) sur_data_free(&d);
    return rc;
}

TEST(loader_reads_samples_and_meanstd)
{
    char root[512], p[1024], text[2048];
    snprintf(root, sizeof root, "%s/ok", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/latency/s/a100.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"samples\":[3,1,2],\"unit\":\"ms\"}\n"
                                "{\"arch\":\"%s\",\"samples\":[5],\"unit\":\"ms\"}\n", EX2, EX1);
    write_file(p, text, 1);
    snprintf(p, sizeof p, "%s/energy/s/cpu_xeon_gold.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"mean\":0.5,\"std\":0.1,\"unit\":\"Wh\"}\n", EX1);
    write_file(p, text, 1);
    sur_data d;
    hw_err e = {0};
    CHECK_OK(sur_data_load(root, HW_SCALE_S, &d, &e));
    CHECK_EQ_INT(d.n, 2);
    CHECK_STR(d.name[1], EX2);
    const sur_series *s = &d.series[SUR_LATENCY][0];
    CHECK_EQ_INT(s->kind, SUR_SERIES_SAMPLES);
    CHECK_EQ_INT(sur_series_count(s, 0), 1);
    CHECK_EQ_INT(sur_series_count(s, 1), 3);
    double c, sp;
    CHECK(sur_observed(&d, SUR_LATENCY, 0, 1, &c, &sp));
    CHECK_NEAR(c, 2.0, 0);
    /* IQR of {1,2,3} (type 7) = 2.5 - 1.5 = 1 -> spread 1/1.349/2 */
    CHECK_NEAR(sp, 1.0 / 1.349 / 2.0, 1e-15);
    CHECK(sur_observed(&d, SUR_ENERGY, 9, 0, &c, &sp));
    CHECK_NEAR(c, 0.5, 0);
    CHECK_NEAR(sp, 0.2, 1e-15);
    CHECK(!sur_observed(&d, SUR_ENERGY, 9, 1, &c, &sp));
    CHECK_EQ_INT(d.series[SUR_LATENCY][1].kind, SUR_SERIES_NONE);
    CHECK(isnan(d.perplexity[0]));
    sur_data_free(&d);
}

TEST(loader_errors_name_file_and_line)
{
    char root[512], p[1024], text[2048];
    /* malformed line 2 */
    snprintf(root, sizeof root, "%s/bad1", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/latency/s/h100.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"samples\":[1,2]}\n{\"arch\":\"%s\",\"samples\":[1,2\n", EX1, EX2);
    write_file(p, text, 1);
    char want[1100];
    snprintf(want, sizeof want, "%s:2:", p);
    load_expect_error(root, want, "invalid JSON");
    /* a sample that is not a positive number */
    snprintf(root, sizeof root, "%s/bad2", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/energy/s/a40.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"samples\":[1,\"x\"]}\n", EX1);
    write_file(p, text, 1);
    snprintf(want, sizeof want, "%s:1:", p);
    load_expect_error(root, want, "samples[1]");
    /* an arch the analytic file does not list */
    snprintf(root, sizeof root, "%s/bad3", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/perplexity/s.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"perplexity\":20,\"accuracy\":0.4}\n"
                                "{\"arch\":\"gpt-s-10-192-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True\",\"perplexity\":20}\n", EX1);
    write_file(p, text, 0);
    snprintf(want, sizeof want, "%s:2:", p);
    load_expect_error(root, want, "not in the analytic file");
    /* duplicate arch */
    snprintf(root, sizeof root, "%s/bad4", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/energy/s/cpu_amd_7452.jsonl.gz", root);
    snprintf(text, sizeof text, "{\"arch\":\"%s\",\"mean\":1,\"std\":0}\n{\"arch\":\"%s\",\"mean\":1,\"std\":0}\n", EX1, EX1);
    write_file(p, text, 1);
    snprintf(want, sizeof want, "%s:2:", p);
    load_expect_error(root, want, "duplicate arch");
    /* truncated gzip stream: the file is named */
    snprintf(root, sizeof root, "%s/bad5", tmpdir());
    write_analytic(root);
    snprintf(p, sizeof p, "%s/latency/s/v100.jsonl.gz", root);
    char big[8192];
    size_t u = 0;
    for (int i = 0; i < 40; i++) u += (size_t)snprintf(big + u, sizeof big - u, "{\"arch\":\"%s\",\"samples\":[%d.123456789]}\n", EX1, i);
    write_file(p, big, 1);
    struct stat st;
    stat(p, &st);
    CHECK(truncate(p, st.st_size / 2) == 0);
    load_expect_error(root, p, NULL);
    /* no data directory: says so and where to read how to get it */
    snprintf(root, sizeof root, "%s/none", tmpdir());
    CHECK_EQ_INT(load_expect_error(root, "none: no HW-GPT-Bench data there (needed: ", "docs/data.md"), HW_EMISSING);
    load_expect_error(root, "none/analytic/s.jsonl.gz)", NULL);
}

TEST(features_of_worked_example)
{
    hw_arch a;
    hw_err e = {0};
    CHECK_OK(hw_arch_parse(EX1, NULL, &a, &e));
    float x[SUR_N_FEAT];
    sur_tree_features(&a, x);
    /* mlp [2,2,4,4,3,3,3,4,4,2], heads [4,12,12,4,4,12,12,8,4,12] */
    CHECK_NEAR(x[0], 768, 0);
    CHECK_NEAR(x[1], 10, 0);
    CHECK_NEAR(x[2], 0, 0);
    CHECK_NEAR(x[3], 3, 0); CHECK_NEAR(x[4], 3, 0); CHECK_NEAR(x[5], 4, 0);
    CHECK_NEAR(x[6], 4, 0); CHECK_NEAR(x[7], 1, 0); CHECK_NEAR(x[8], 5, 0);
    CHECK_NEAR(x[9], 31, 0);
    CHECK_NEAR(x[10], 84, 0);
    CHECK_NEAR(x[13], (float)(148591104 * 1e-6), 0);          /* params of the data's analytic file */
    CHECK_NEAR(x[14], (float)(1802502144000.0 * 1e-9), 0);    /* its FLOPs */
    /* joint (mlp, heads) counts: (2,4) layers 0,9? -> layer 0 (2,4), 1 (2,12), 9 (2,12) */
    CHECK_NEAR(x[15], 1, 0); CHECK_NEAR(x[16], 0, 0); CHECK_NEAR(x[17], 2, 0);
    CHECK_NEAR(x[24], 2 + 2 + 4 + 4 + 3, 0);     /* mlp of the first half (5 layers) */
    CHECK_NEAR(x[25], 4 + 12 + 12 + 4 + 4, 0);
    double z[SUR_LIN_GROUP];
    int ei = sur_linear_features(&a, z);
    CHECK_EQ_INT(ei, 2);
    CHECK_NEAR(z[0], 1, 0);
    CHECK_NEAR(z[1 + 0 * 3 + 0], 1, 0);   /* (mlp 2, heads 4) */
    CHECK_NEAR(z[13], 1, 0);
    CHECK_NEAR(z[SUR_LIN_ORDER_FREE + 3 * 2 + 2], 1, 0);          /* layer 2 has mlp 4 */
    CHECK_NEAR(z[SUR_LIN_ORDER_FREE + 36 + 3 * 1 + 2], 1, 0);     /* layer 1 has 12 heads */
    CHECK_NEAR(z[SUR_LIN_ORDER_FREE + 3 * 10], 0, 0);             /* layer 10 absent */
    /* coarse view: 6 bins of 2 positions (max 12 layers); bin 0 = layers 0, 1
     * (mlp 2, 2; heads 4, 12); bin 4 = layers 8, 9 (mlp 4, 2; heads 4, 12) */
    double zc[SUR_LIN_COARSE];
    sur_linear_coarse(&a, zc);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 0], 2, 0);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 3], 1, 0);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 5], 1, 0);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 24 + 0], 1, 0);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 24 + 2], 1, 0);
    CHECK_NEAR(zc[SUR_LIN_ORDER_FREE + 30 + 0], 0, 0);   /* bin 5: layers 10, 11 absent */
    sur_input in;
    sur_input_make(&a, &in);
    for (int k = 0; k < SUR_LIN_COARSE; k++) CHECK(in.zc[k] == zc[k]);
}

TEST(gbm_fits_a_known_function_deterministically)
{
    enum { N = 2000, F = 3 };
    float *X = malloc(sizeof(float) * N * F);
    double *y = malloc(sizeof(double) * N);
    hw_rng r;
    hw_rng_seed(&r, 42, 9);
    for (int i = 0; i < N; i++) {
        float a = (float)hw_rng_below(&r, 10), b = (float)hw_rng_uniform(&r), c = (float)hw_rng_uniform(&r);
        X[i * F] = a; X[i * F + 1] = b; X[i * F + 2] = c;
        y[i] = 0.5 * a + (b > 0.5f ? 2.0 : 0.0);   /* c is irrelevant */
    }
    sur_gbm_params p = {.n_trees = 300, .depth = 3, .min_leaf = 5, .learning_rate = 0.1, .lambda = 1, .subsample = 0.8, .seed = 3};
    sur_gbm g1, g2;
    hw_err e = {0};
    CHECK_OK(sur_gbm_fit(X, N, F, y, &p, &g1, &e));
    CHECK_OK(sur_gbm_fit(X, N, F, y, &p, &g2, &e));
    double worst = 0;
    for (int a = 0; a < 10; a++)
        for (int h = 0; h < 2; h++) {
            float x[F] = {(float)a, h ? 0.75f : 0.25f, 0.5f};
            double want = 0.5 * a + (h ? 2.0 : 0.0), got = sur_gbm_predict(&g1, x);
            worst = fmax(worst, fabs(got - want));
            CHECK(got == sur_gbm_predict(&g2, x));
        }
    CHECK_MSG(worst < 0.05, "max error %g", worst);
    /* staged sums: cum[t] is what the model cut to t + 1 trees predicts */
    double *cum = malloc(sizeof(double) * p.n_trees);
    float x[F] = {3.0f, 0.6f, 0.1f};
    sur_gbm_predict_staged(&g1, x, cum);
    CHECK(cum[p.n_trees - 1] == sur_gbm_predict(&g1, x));
    for (int t = 1; t <= p.n_trees; t += 37) {
        sur_gbm cut = g1;
        cut.n_trees = t;
        CHECK_MSG(cum[t - 1] == sur_gbm_predict(&cut, x), "staged sum after %d trees", t);
    }
    CHECK(fabs(cum[0] - g1.base) < fabs(cum[p.n_trees - 1] - g1.base));
    free(cum);
    sur_gbm_free(&g1); sur_gbm_free(&g2);
    free(X); free(y);
}

TEST(gbm_bagging_averages_independent_ensembles)
{
    /* noisy target: the bagged model is the mean of the ensembles fitted with
     * the documented seeds, so (convexity) its squared error against the true
     * function is at most the ensembles' mean squared error */
    enum { N = 1500, F = 2, B = 3, T = 80 };
    float *X = malloc(sizeof(float) * N * F);
    double *y = malloc(sizeof(double) * N);
    hw_rng r;
    hw_rng_seed(&r, 7, 1);
    for (int i = 0; i < N; i++) {
        float a = (float)hw_rng_uniform(&r), b = (float)hw_rng_uniform(&r);
        X[i * F] = a; X[i * F + 1] = b;
        y[i] = sin(6 * a) + b + 0.5 * hw_rng_normal(&r);
    }
    sur_gbm_params p = {.n_trees = T, .depth = 3, .min_leaf = 10, .learning_rate = 0.1, .lambda = 1,
                        .subsample = 0.7, .seed = 11, .bags = B};
    sur_gbm bag, one[B];
    hw_err e = {0};
    CHECK_OK(sur_gbm_fit(X, N, F, y, &p, &bag, &e));
    CHECK(bag.n_trees == B * T);
    for (int b = 0; b < B; b++) {
        sur_gbm_params q = p;
        q.bags = 1;
        q.seed = hw_splitmix64(p.seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(b + 1));
        CHECK_OK(sur_gbm_fit(X, N, F, y, &q, &one[b], &e));
    }
    double se_bag = 0, se_one = 0, worst = 0, spread = 0;
    for (int i = 0; i < 400; i++) {
        float x[F] = {(float)((i % 20 + 0.5) / 20), (float)((i / 20 + 0.5) / 20)};
        double f = sin(6 * x[0]) + x[1], m = 0;
        for (int b = 0; b < B; b++) {
            double v = sur_gbm_predict(&one[b], x);
            m += v / B;
            se_one += (v - f) * (v - f) / B;
            spread = fmax(spread, fabs(v - sur_gbm_predict(&one[0], x)));
        }
        double g = sur_gbm_predict(&bag, x);
        worst = fmax(worst, fabs(g - m));
        se_bag += (g - f) * (g - f);
    }
    CHECK_MSG(worst < 1e-5, "bagged prediction differs from the ensembles' mean by %g", worst);
    CHECK_MSG(spread > 1e-3, "ensembles with different seeds agree (%g): subsampling ignored the seed", spread);
    CHECK_MSG(se_bag <= se_one * (1 + 1e-9), "bagged error %g > mean single error %g", se_bag, se_one);
    sur_gbm_free(&bag);
    for (int b = 0; b < B; b++) sur_gbm_free(&one[b]);
    free(X); free(y);
}

/* A synthetic scale-s data set: n random archs, perplexity, latency on a100
 * with multiplicative noise whose spread grows with embed (heteroscedastic),
 * CPU energy as mean/std. */
static void synthetic_data(sur_data *d, size_t n, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->scale = HW_SCALE_S;
    d->n = n;
    d->arch = calloc(n, sizeof *d->arch);
    d->name = calloc(n, sizeof *d->name);
    d->perplexity = calloc(n, sizeof *d->perplexity);
    sur_series *lat = &d->series[SUR_LATENCY][0], *en = &d->series[SUR_ENERGY][9];
    lat->kind = SUR_SERIES_SAMPLES;
    lat->start = calloc(n + 1, sizeof *lat->start);
    lat->v = calloc(n * 10, sizeof *lat->v);
    en->kind = SUR_SERIES_MEANSTD;
    en->mean = calloc(n, sizeof *en->mean);
    en->std = calloc(n, sizeof *en->std);
    hw_rng r;
    hw_rng_seed(&r, seed, 5);
    for (size_t i = 0; i < n; i++) {
        hw_arch_sample(hw_space_get(HW_SCALE_S), &r, &d->arch[i]);
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&d->arch[i], s, sizeof s);
        d->name[i] = strdup(s);
        double p = (double)hw_analytic_params(&d->arch[i]);
        d->perplexity[i] = 200.0 / pow(p * 1e-6, 0.4);
        double t = 1e-10 * (double)hw_analytic_flops(&d->arch[i]) + 0.3 * d->arch[i].n_layer;
        double rel = d->arch[i].embed_dim == 768 ? 0.08 : 0.01;
        lat->start[i] = i * 10;
        for (int j = 0; j < 10; j++) lat->v[i * 10 + j] = t * exp(rel * hw_rng_normal(&r));
        en->mean[i] = 1e-3 * t * exp(0.01 * hw_rng_normal(&r));
        en->std[i] = 0.05 * en->mean[i];
    }
    lat->start[n] = n * 10;
}

static int file_bytes(const char *path, unsigned char **buf, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(*n + 1);
    size_t got = fread(*buf, 1, *n, f);
    fclose(f);
    return got == *n ? 0 : -1;
}

TEST(training_is_deterministic_and_files_round_trip)
{
    sur_data d;
    synthetic_data(&d, 400, 11);
    hw_err e = {0};
    sur_set *s1, *s2;
    omp_set_num_threads(1);
    CHECK_OK(sur_train_set(&d, NULL, 0, 5, 1, &s1, &e));
    omp_set_num_threads(2);
    CHECK_OK(sur_train_set(&d, NULL, 0, 5, 1, &s2, &e));
    CHECK_EQ_INT(s1->n_models, 3);
    char p1[600], p2[600];
    snprintf(p1, sizeof p1, "%s/a.hwsur", tmpdir());
    snprintf(p2, sizeof p2, "%s/b.hwsur", tmpdir());
    CHECK_OK(sur_set_save(s1, p1, &e));
    CHECK_OK(sur_set_save(s2, p2, &e));
    unsigned char *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    CHECK(file_bytes(p1, &b1, &n1) == 0 && file_bytes(p2, &b2, &n2) == 0);
    CHECK_MSG(n1 == n2 && memcmp(b1, b2, n1) == 0, "training at 1 and 2 threads differs");
    /* round trip: the loaded set predicts exactly what the trained one does */
    sur_set *l;
    CHECK_OK(sur_set_load_file(p1, &l, &e));
    hw_rng r;
    hw_rng_seed(&r, 99, 1);
    int metrics[3] = {SUR_PERPLEXITY, SUR_LATENCY, SUR_ENERGY}, devs[3] = {0, 0, 9};
    double worst_rel = 0;
    int wide_more = 0, n_pairs = 0;
    for (int i = 0; i < 200; i++) {
        hw_arch a;
        hw_arch_sample(hw_space_get(HW_SCALE_S), &r, &a);
        sur_pred p1v[3], p2v[3];
        CHECK_OK(surrogate_predict_many(s1, &a, 3, metrics, devs, p1v, &e));
        CHECK_OK(surrogate_predict_many(l, &a, 3, metrics, devs, p2v, &e));
        for (int k = 0; k < 3; k++) {
            CHECK(p1v[k].mean == p2v[k].mean && p1v[k].std == p2v[k].std && p1v[k].noise_std == p2v[k].noise_std);
            CHECK(p1v[k].std >= p1v[k].noise_std);
        }
        /* the synthetic latency is exact up to noise: small relative error */
        double t = 1e-10 * (double)hw_analytic_flops(&a) + 0.3 * a.n_layer;
        worst_rel = fmax(worst_rel, fabs(p1v[1].mean / t - 1));
        /* heteroscedastic: relative noise of embed 768 is 8x that of the others */
        if (a.embed_dim == 768 && i % 2 == 0) {
            hw_arch b = a;
            b.embed_dim = 384;
            sur_pred q;
            CHECK_OK(surrogate_predict(s1, &b, SUR_LATENCY, 0, &q, &e));
            wide_more += p1v[1].noise_std / p1v[1].mean > 3 * q.noise_std / q.mean;
            n_pairs++;
        }
        CHECK_NEAR(p1v[0].noise_std, 0, 0);   /* perplexity: no repeats */
    }
    CHECK_MSG(worst_rel < 0.15, "latency relative error %g", worst_rel);
    CHECK(n_pairs > 10 && wide_more == n_pairs);
    /* coverage of the 90% interval on the training archs is close to 0.9 */
    double cov = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < d.n; i++) {
        sur_pred p;
        CHECK_OK(surrogate_predict(s1, &d.arch[i], SUR_LATENCY, 0, &p, &e));
        cov += sur_coverage(&d, SUR_LATENCY, 0, i, p.mean, p.std, 1.6448536269514722);
        cnt++;
    }
    CHECK_MSG(cov / cnt > 0.85 && cov / cnt < 0.99, "coverage %g", cov / cnt);
    /* errors: missing model, wrong scale */
    sur_pred p;
    hw_arch a;
    hw_arch_sample(hw_space_get(HW_SCALE_S), &r, &a);
    CHECK(surrogate_predict(s1, &a, SUR_ENERGY, 0, &p, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "no surrogate model for energy on device a100") != NULL);
    hw_arch_sample(hw_space_get(HW_SCALE_M), &r, &a);
    CHECK(surrogate_predict(s1, &a, SUR_LATENCY, 0, &p, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "scale m") != NULL);
    free(b1); free(b2);
    surrogate_free(s1); surrogate_free(s2); surrogate_free(l);
    sur_data_free(&d);
}

TEST(corrupt_model_files_are_rejected)
{
    sur_data d;
    synthetic_data(&d, 120, 12);
    hw_err e = {0};
    sur_set *s;
    CHECK_OK(sur_train_set(&d, NULL, 0, 1, 1, &s, &e));
    char p[600];
    snprintf(p, sizeof p, "%s/c.hwsur", tmpdir());
    CHECK_OK(sur_set_save(s, p, &e));
    surrogate_free(s);
    sur_data_free(&d);
    unsigned char *b = NULL;
    size_t n = 0;
    if (file_bytes(p, &b, &n) != 0) { CHECK(0); return; }
    struct { size_t at; int truncate; const char *why; } cases[] = {
        {n / 2, 0, "checksum mismatch"}, {0, 0, "bad magic"}, {n - 10, 1, "checksum mismatch"}, {4, 1, "bad magic"}};
    for (int c = 0; c < 4; c++) {
        char q[700];
        snprintf(q, sizeof q, "%s/bad%d.hwsur", tmpdir(), c);
        FILE *f = fopen(q, "wb");
        unsigned char *m = malloc(n);
        memcpy(m, b, n);
        if (!cases[c].truncate) m[cases[c].at] ^= 0x5a;
        fwrite(m, 1, cases[c].truncate ? cases[c].at : n, f);
        fclose(f);
        free(m);
        sur_set *l = NULL;
        int rc = sur_set_load_file(q, &l, &e);
        CHECK(rc == HW_EPARSE && l == NULL);
        CHECK_MSG(strstr(e.msg, "corrupt model file") && strstr(e.msg, cases[c].why) && strstr(e.msg, q),
                  "case %d: '%s'", c, e.msg);
        CHECK(strchr(e.msg, '\n') == NULL);
    }
    free(b);
    sur_set *l;
    CHECK(surrogate_load(tmpdir(), HW_SCALE_L, &l, &e) == HW_EIO);
    CHECK(strstr(e.msg, "l.hwsur") != NULL);
}

TEST(names_and_lookups)
{
    int d, m;
    hw_err e = {0};
    CHECK_OK(sur_device_lookup("p100", &d, &e));
    CHECK_STR(SUR_DEVICE_NAMES[d], "P100");
    CHECK_OK(sur_device_lookup("cpu_p100", &d, &e));
    CHECK_EQ_INT(d, 13);
    CHECK(!sur_metric_has_device(SUR_ENERGY, 13));
    CHECK(sur_device_lookup("tpu", &d, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "unknown device 'tpu' (expected one of a100, a40") != NULL);
    CHECK(sur_metric_lookup("latencyy", &m, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "unknown surrogate metric 'latencyy'") != NULL);
}

static const char *models_dir(void)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/surrogates/models", hwt_src_dir());
    return p;
}

TEST(shipped_models_rank_the_data)
{
    const char *data = hwt_data_dir();
    /* a reduced copy of the data: analytic, perplexity, one latency and one
     * CPU energy file, through symlinks */
    char root[600], p[1200], t[1200];
    snprintf(root, sizeof root, "%s/shipped", tmpdir());
    const char *files[] = {"analytic/s.jsonl.gz", "perplexity/s.jsonl.gz", "latency/s/a100.jsonl.gz",
                           "energy/s/cpu_xeon_gold.jsonl.gz"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        char dir[1200];
        snprintf(dir, sizeof dir, "%s", p);
        *strrchr(dir, '/') = 0;
        hw_err e = {0};
        hw_mkdir_p(dir, &e);
        snprintf(t, sizeof t, "%s/%s", data, files[i]);
        unlink(p);
        CHECK(symlink(t, p) == 0);
    }
    sur_data d;
    hw_err e = {0};
    CHECK_OK(sur_data_load(root, HW_SCALE_S, &d, &e));
    sur_set *s;
    CHECK_OK(surrogate_load(models_dir(), HW_SCALE_S, &s, &e));
    if (!s) return;
    int metrics[3] = {SUR_PERPLEXITY, SUR_LATENCY, SUR_ENERGY}, devs[3] = {0, 0, 9};
    double floor_tau[3] = {0.95, 0.97, 0.7};
    enum { N = 800 };
    double *obs = malloc(sizeof(double) * N), *pred = malloc(sizeof(double) * N);
    for (int k = 0; k < 3; k++) {
        size_t u = 0;
        double cov = 0;
        /* every 10th arch: a spread-out sample of the file, not its first rows */
        for (size_t i = 0; i < d.n && u < N; i += 10) {
            double c, sp;
            if (!sur_observed(&d, metrics[k], devs[k], i, &c, &sp)) continue;
            sur_pred pr;
            CHECK_OK(surrogate_predict(s, &d.arch[i], metrics[k], devs[k], &pr, &e));
            obs[u] = c; pred[u] = pr.mean; u++;
            cov += sur_coverage(&d, metrics[k], devs[k], i, pr.mean, pr.std, 1.6448536269514722);
        }
        double tau = sur_kendall_tau(pred, obs, u);
        CHECK_MSG(u > 500 && tau > floor_tau[k], "%s: tau %g over %zu archs", SUR_METRIC_NAMES[k], tau, u);
        CHECK_MSG(cov / u > 0.8 && cov / u < 0.995, "%s: coverage %g", SUR_METRIC_NAMES[k], cov / u);
    }
    free(obs); free(pred);
    surrogate_free(s);
    sur_data_free(&d);
}

static hw_problem *make_problem(const char *noise, hw_err *e)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"hwgpt\", \"backend\": \"surrogate\", \"scale\": \"s\", \"device\": \"rtx2080\","
             " \"noise\": \"%s\", \"objectives\": [\"perplexity\", \"latency\", \"energy\", \"params\"], \"models\": \"%s\"}",
             noise, models_dir());
    cJSON *cfg;
    if (hwj_parse(text, "test", &cfg, e)) return NULL;
    hw_problem *p = NULL;
    hw_problem_create(cfg, "problem", &p, e);
    cJSON_Delete(cfg);
    return p;
}

TEST(hwgpt_surrogate_noise_is_reproducible)
{
    hw_err e = {0};
    hw_problem *pm = make_problem("mean", &e), *ps = make_problem("sample", &e);
    CHECK_MSG(pm && ps, "%s", e.msg);
    if (!pm || !ps) return;
    CHECK_EQ_INT(pm->n_obj, 4);
    CHECK(pm->obj_lo[1] > 0 && pm->obj_hi[1] > pm->obj_lo[1]);
    enum { N = 6 };
    int nv = pm->n_var;
    double *x = calloc((size_t)N * nv, sizeof *x), f1[N * 4], f2[N * 4], fm[N * 4], sd[N * 4];
    hw_rng r;
    hw_rng_seed(&r, 1, 1);
    for (int i = 0; i < N * nv; i++) x[i] = hw_rng_below(&r, (uint32_t)pm->vars[i % nv].n_cat);
    hw_eval_id ids[N] = {{7, 10}, {7, 11}, {7, 12}, {7, 13}, {7, 14}, {7, 15}}, rev[N];
    double xr[N * 200];
    for (int i = 0; i < N; i++) {
        rev[i] = ids[N - 1 - i];
        memcpy(xr + i * nv, x + (N - 1 - i) * nv, sizeof(double) * nv);
    }
    CHECK_OK(pm->evaluate(pm, x, ids, N, fm, sd, &e));
    CHECK_OK(ps->evaluate(ps, x, ids, N, f1, NULL, &e));
    CHECK_OK(ps->evaluate(ps, xr, rev, N, f2, NULL, &e));
    int differs = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 4; j++) {
            CHECK(f1[i * 4 + j] == f2[(N - 1 - i) * 4 + j]);    /* per eval id, not per batch position */
            differs += f1[i * 4 + j] != fm[i * 4 + j];
            CHECK(fm[i * 4 + j] > 0);
        }
    /* measured latencies repeat exact values, so a draw may equal the median */
    CHECK_MSG(differs >= N + 1, "differs %d: %g %g %g / %g %g %g", differs, f1[0], f1[1], f1[2], fm[0], fm[1], fm[2]);      /* latency and energy are noisy */
    for (int i = 0; i < N; i++) {
        CHECK(f1[i * 4 + 0] == fm[i * 4 + 0]);   /* perplexity has no measurement noise */
        CHECK(f1[i * 4 + 3] == fm[i * 4 + 3]);   /* params are exact */
        CHECK(sd[i * 4 + 1] > 0 && sd[i * 4 + 3] == 0);
    }
    /* the mean backend matches the surrogate API */
    sur_set *s;
    CHECK_OK(surrogate_load(models_dir(), HW_SCALE_S, &s, &e));
    hw_arch a;
    hw_arch_from_genome(hw_space_get(HW_SCALE_S), x, &a);
    sur_pred p;
    CHECK_OK(surrogate_predict(s, &a, SUR_LATENCY, 4, &p, &e));
    CHECK(p.mean == fm[1] && p.std == sd[1]);
    /* samples follow the noise: their spread over many eval ids is near noise_std */
    double v[2000];
    for (int k = 0; k < 2000; k++) {
        hw_eval_id id = {7, 1000 + (uint64_t)k};
        double f[4];
        CHECK_OK(ps->evaluate(ps, x, &id, 1, f, NULL, &e));
        v[k] = f[1];
    }
    qsort(v, 2000, sizeof *v, hw_cmp_double);
    double mu = 0, ss = 0, med = 0.5 * (v[999] + v[1000]);
    for (int k = 0; k < 2000; k++) mu += v[k] / 2000;
    for (int k = 0; k < 2000; k++) ss += (v[k] - mu) * (v[k] - mu) / 1999;
    CHECK_MSG(sqrt(ss) > 0.6 * p.noise_std && sqrt(ss) < 1.6 * p.noise_std, "sample std %g vs noise_std %g", sqrt(ss), p.noise_std);
    CHECK_MSG(fabs(med / p.mean - 1) < 3 * p.noise_std / p.mean + 1e-3, "sample median %g vs mean %g", med, p.mean);
    surrogate_free(s);
    hw_problem_destroy(pm);
    hw_problem_destroy(ps);
    free(x);
}

TEST(hwgpt_surrogate_config_errors)
{
    const char *bad[][2] = {
        {"{\"name\": \"hwgpt\", \"device\": \"tpu\", \"objectives\": [\"latency\"]}", "problem.device: unknown device 'tpu'"},
        {"{\"name\": \"hwgpt\", \"objectives\": [\"latency\"]}", "problem.device: required by the objective 'latency'"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"noise\": \"loud\"}", "problem.noise"},
        {"{\"name\": \"hwgpt\", \"device\": \"cpu_p100\", \"objectives\": [\"energy\"]}", "no surrogate model for energy on device cpu_p100"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [\"latencyy\"]}", "unknown metric 'latencyy'"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"models\": \"/nonexistent\"}", "/nonexistent/s.hwsur"},
        {"{\"name\": \"hwgpt\", \"device\": \"a100\", \"colour\": 1}", "problem.colour: unknown key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hw_err e = {0};
        cJSON *cfg;
        CHECK_OK(hwj_parse(bad[i][0], "test", &cfg, &e));
        hw_problem *p = NULL;
        int rc = hw_problem_create(cfg, "problem", &p, &e);
        cJSON_Delete(cfg);
        CHECK(rc != HW_OK && p == NULL);
        CHECK_MSG(strstr(e.msg, bad[i][1]) != NULL, "case %zu: '%s' lacks '%s'", i, e.msg, bad[i][1]);
        if (p) hw_problem_destroy(p);
    }
}

/* Synthetic perplexity is exactly 200 / params_m^0.4, linear on log scale in
 * the blend ridge's log-params input: the ridge must recover it, the
 * out-of-fold pass must give it a weight on the grid 0.1 .. 0.5, and the prediction
 * must be the stated mix of the model alone and the ridge. */
TEST(blend_ridge_recovers_log_linear_target)
{
    sur_data d;
    synthetic_data(&d, 300, 21);
    hw_err e = {0};
    size_t *rows = malloc(d.n * sizeof *rows);
    for (size_t i = 0; i < d.n; i++) rows[i] = i;
    sur_fit_opts o;
    sur_default_opts(SUR_PERPLEXITY, 0, HW_SCALE_S, &o);
    CHECK(o.blend == 0);
    o.blend = 5;
    sur_model m;
    CHECK_OK(sur_model_fit(&d, SUR_PERPLEXITY, 0, rows, d.n, &o, NULL, 3, &m, &e));
    CHECK((m.flags & SUR_FLAG_BLEND) != 0);
    CHECK(m.blend_w >= 0.1 - 1e-12 && m.blend_w <= 0.5 + 1e-12);
    CHECK_NEAR(m.blend_w * 10, round(m.blend_w * 10), 1e-9);
    sur_model alone = m;
    alone.flags &= ~SUR_FLAG_BLEND;
    double worst = 0, worst_mix = 0;
    for (size_t i = 0; i < d.n; i++) {
        sur_input in;
        sur_input_make(&d.arch[i], &in);
        double r = 0;
        for (int k = 0; k < SUR_BLEND_P; k++) r += m.blend_b[k] * in.zb[k];
        double err = fabs(r - log(d.perplexity[i]));
        if (err > worst) worst = err;
        double mix = (1 - m.blend_w) * sur_model_predict_log(&alone, &in) + m.blend_w * r;
        double dm = fabs(sur_model_predict_log(&m, &in) - mix);
        if (dm > worst_mix) worst_mix = dm;
    }
    CHECK_MSG(worst < 0.01, "ridge log error %g", worst);
    CHECK_MSG(worst_mix < 1e-12, "mix error %g", worst_mix);
    sur_model_free(&m);
    free(rows);
    sur_data_free(&d);
}
