/* Grid search (optimizers/grid_search.c): complete enumeration without
 * repetition in both orders (checked against nested loops), the Feistel
 * permutation's bijectivity, real-gene levels, huge spaces, partial tells,
 * batch-size independence and config validation. */
#include "check.h"
#include "opt_instance.h"
#include "opt_toy.h"

#include "optimizers/grid_search.h"
#include "optimizers/mutate_one.h"

TEST(registered)
{
    CHECK(hw_optimizer_find("grid_search") == &hw_grid_search_ops);
}

/* Radices {2, 3, 1, 4}: 24 points; index = mixed radix, gene 0 slowest. */
static const hw_var SMALL_VARS[4] = {
    {HW_VAR_CATEGORICAL, 2, 0, 1}, {HW_VAR_CATEGORICAL, 3, 0, 2},
    {HW_VAR_CATEGORICAL, 1, 0, 0}, {HW_VAR_CATEGORICAL, 4, 0, 3}};

static hw_problem small_problem(void)
{
    hw_problem p = {0};
    p.name = "small"; p.n_var = 4; p.vars = SMALL_VARS; p.n_obj = 2;
    return p;
}

static int small_index(const double *x) { return (((int)x[0] * 3 + (int)x[1]) * 1 + (int)x[2]) * 4 + (int)x[3]; }

/* Ask everything (max_n at a time, all told) until ask returns 0. */
static size_t grid_all(const hw_problem *p, const char *cfg, uint64_t seed, size_t max_n,
                       double *x, size_t cap)
{
    hw_err e = {0};
    void *st = toy_create(&hw_grid_search_ops, p, cfg, seed, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) return 0;
    size_t done = 0, n;
    double f[2 * 64] = {0};
    while (done < cap) {
        size_t k = cap - done < max_n ? cap - done : max_n;
        CHECK_OK(hw_grid_search_ops.ask(st, x + done * (size_t)p->n_var, k, &n, &e));
        if (n == 0) break;
        CHECK(n <= k);
        CHECK_OK(hw_grid_search_ops.tell(st, x + done * (size_t)p->n_var, f, n, &e));
        done += n;
    }
    hw_grid_search_ops.destroy(st);
    return done;
}

TEST(lexicographic_matches_nested_loops)
{
    hw_problem p = small_problem();
    double x[30 * 4];
    size_t n = grid_all(&p, "{\"name\":\"grid_search\",\"order\":\"lexicographic\",\"batch_size\":5}", 1, 64, x, 30);
    CHECK_EQ_INT(n, 24);
    int k = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int d = 0; d < 4; d++, k++) {
                CHECK(x[k * 4] == a && x[k * 4 + 1] == b && x[k * 4 + 2] == 0 && x[k * 4 + 3] == d);
            }
}

TEST(shuffled_visits_each_point_once)
{
    hw_problem p = small_problem();
    double x[3][30 * 4], y[30 * 4];
    for (int s = 0; s < 3; s++) {
        size_t n = grid_all(&p, "{\"name\":\"grid_search\"}", s < 2 ? 7 : 8, 64, x[s], 30);
        CHECK_EQ_INT(n, 24);
        int seen[24] = {0};
        for (int i = 0; i < 24; i++) {
            int id = small_index(x[s] + i * 4);
            CHECK(id >= 0 && id < 24);
            if (id >= 0 && id < 24) seen[id]++;
        }
        for (int i = 0; i < 24; i++) CHECK_EQ_INT(seen[i], 1);
    }
    CHECK(memcmp(x[0], x[1], 24 * 4 * sizeof(double)) == 0);
    CHECK(memcmp(x[0], x[2], 24 * 4 * sizeof(double)) != 0);
    /* Not the lexicographic order. */
    int sorted = 1;
    for (int i = 1; i < 24; i++) sorted &= small_index(x[0] + i * 4) > small_index(x[0] + (i - 1) * 4);
    CHECK(!sorted);
    /* The order does not depend on the batch size. */
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"batch_size\":1}", 7, 3, y, 30), 24);
    CHECK(memcmp(x[0], y, 24 * 4 * sizeof(double)) == 0);
}

TEST(feistel_permutation_is_a_bijection)
{
    uint64_t keys[6] = {1, 2, 3, 4, 5, 6};
    uint64_t ns[] = {1, 2, 3, 4, 5, 17, 64, 1000, 4097, 65536, 100003};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        uint64_t n = ns[t];
        unsigned char *hit = calloc(n, 1);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t v = hw_grid_permute(k, n, keys);
            CHECK(v < n);
            if (v < n) hit[v]++;
        }
        int ok = 1;
        for (uint64_t v = 0; v < n; v++) ok &= hit[v] == 1;
        CHECK_MSG(ok, "n = %llu is not covered once", (unsigned long long)n);
        free(hit);
    }
    /* Near 2^64: values in range and distinct over a prefix (sorted check). */
    uint64_t big = UINT64_MAX - 12345;
    enum { K = 20000 };
    static uint64_t v[K];
    for (int k = 0; k < K; k++) { v[k] = hw_grid_permute((uint64_t)k, big, keys); CHECK(v[k] < big); }
    for (int i = 1; i < K; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) { uint64_t t = v[j]; v[j] = v[j - 1]; v[j - 1] = t; }
    for (int i = 1; i < K; i++) CHECK(v[i] != v[i - 1]);
    /* The high half is used: not all values small. */
    CHECK(v[K - 1] > big / 2);
}

TEST(real_genes_use_even_levels)
{
    static const hw_var vars[2] = {{HW_VAR_REAL, 0, -1, 3}, {HW_VAR_CATEGORICAL, 2, 0, 1}};
    hw_problem p = {0};
    p.name = "mixed"; p.n_var = 2; p.vars = vars; p.n_obj = 2;
    double x[20 * 2];
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"order\":\"lexicographic\"}", 1, 64, x, 20), 10);
    double want[5] = {-1, 0, 1, 2, 3};
    for (int i = 0; i < 10; i++) {
        CHECK(x[i * 2] == want[i / 2]);
        CHECK(x[i * 2 + 1] == i % 2);
    }
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"grid_points\":1}", 1, 64, x, 20), 2);
    CHECK(x[0] == 1 && x[2] == 1);
}

TEST(huge_space_samples_without_repeats)
{
    /* The GPT-l genome shape: 74 genes of 3 choices and one of 2 (2 * 3^74
     * points, past 2^64): distinct, in range, each level of each gene
     * roughly equally often. */
    enum { NV = 75, B = 3000 };
    static hw_var vars[NV];
    for (int i = 0; i < NV; i++) { vars[i].type = HW_VAR_CATEGORICAL; vars[i].n_cat = i == NV - 1 ? 2 : 3; vars[i].lo = 0; vars[i].hi = vars[i].n_cat - 1; }
    hw_problem p = {0};
    p.name = "huge"; p.n_var = NV; p.vars = vars; p.n_obj = 2;
    static double x[B * NV], y[B * NV];
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"batch_size\":64}", 3, 64, x, B), B);
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"batch_size\":64}", 3, 17, y, B), B);
    CHECK(memcmp(x, y, sizeof x) == 0);
    for (int i = 0; i < B; i++)
        for (int j = 0; j < i; j++) CHECK(memcmp(x + i * NV, x + j * NV, NV * sizeof(double)) != 0);
    for (int g = 0; g < NV; g++) {
        int c[3] = {0};
        for (int i = 0; i < B; i++) {
            double v = x[i * NV + g];
            CHECK(v == floor(v) && v >= 0 && v < vars[g].n_cat);
            c[(int)v]++;
        }
        for (int l = 0; l < vars[g].n_cat; l++) {
            double expect = (double)B / vars[g].n_cat;
            /* > 6 standard deviations from uniform would fail. */
            CHECK_MSG(fabs(c[l] - expect) < 6 * sqrt(expect), "gene %d level %d: %d of %d", g, l, c[l], B);
        }
    }
}

TEST(partial_tell_reproposes_the_rest)
{
    hw_problem p = small_problem();
    double x[24 * 4], f[24 * 2] = {0}, ref[24 * 4];
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\"}", 5, 64, ref, 24), 24);
    hw_err e = {0};
    hw_optimizer *o = toy_instance(&hw_grid_search_ops, &p, "{\"name\":\"grid_search\"}", 5, &e);
    CHECK(o != NULL);
    if (!o) return;
    size_t n;
    CHECK_OK(hw_optimizer_ask(o, x, 10, &n, &e));
    CHECK_EQ_INT(n, 10);
    CHECK(hw_optimizer_tell(o, x, f, 11, &e) == HW_ESTATE);
    CHECK(strstr(e.msg, "grid_search: told 11 results for 10 asked genomes") != NULL);
    CHECK_OK(hw_optimizer_tell(o, x, f, 4, &e));
    CHECK_OK(hw_optimizer_ask(o, x, 10, &n, &e));
    CHECK(memcmp(x, ref + 4 * 4, 10 * 4 * sizeof(double)) == 0);
    hw_optimizer_destroy(o);
    /* Lexicographic too. */
    CHECK_EQ_INT(grid_all(&p, "{\"name\":\"grid_search\",\"order\":\"lexicographic\"}", 5, 64, ref, 24), 24);
    o = toy_instance(&hw_grid_search_ops, &p, "{\"name\":\"grid_search\",\"order\":\"lexicographic\"}", 5, &e);
    CHECK_OK(hw_optimizer_ask(o, x, 10, &n, &e));
    CHECK_OK(hw_optimizer_tell(o, x, f, 3, &e));
    CHECK_OK(hw_optimizer_ask(o, x, 30, &n, &e));
    CHECK_EQ_INT(n, 21);
    CHECK(memcmp(x, ref + 3 * 4, 21 * 4 * sizeof(double)) == 0);
    hw_optimizer_destroy(o);
}

TEST(config_errors_name_the_key)
{
    hw_problem p = small_problem();
    const toy_bad_config cases[] = {
        {"{\"name\":\"grid_search\",\"points\":3}", "optimizer.points: unknown key"},
        {"{\"name\":\"grid_search\",\"grid_points\":0}", "optimizer.grid_points"},
        {"{\"name\":\"grid_search\",\"order\":\"random\"}", "optimizer.order: unknown value 'random'"},
        {"{\"name\":\"grid_search\",\"batch_size\":-1}", "optimizer.batch_size"},
    };
    toy_check_config_errors(&hw_grid_search_ops, &p, cases, sizeof cases / sizeof cases[0]);
}

/* Distinct architectures among n genomes of an hwgpt problem: canonical
 * genomes (zero-padded rows of 75) sorted bytewise, equal rows adjacent. */
static int row_cmp(const void *a, const void *b) { return memcmp(a, b, 75 * sizeof(double)); }

static int distinct_archs(const hw_problem *p, const double *x, int n)
{
    double *c = calloc((size_t)n * 75, sizeof *c);
    for (int i = 0; i < n; i++) {
        memcpy(c + i * 75, x + i * p->n_var, (size_t)p->n_var * sizeof *c);
        hw_genome_canonicalize(p, c + i * 75, p->n_var);
    }
    qsort(c, (size_t)n, 75 * sizeof *c, row_cmp);
    int dup = 0;
    for (int i = 1; i < n; i++) dup += row_cmp(c + i * 75, c + (i - 1) * 75) == 0;
    free(c);
    return dup == 0;
}

TEST(hwgpt_each_architecture_once)
{
    /* GPT-s (grid of 2 * 3^26 genomes, fits 64 bits) and GPT-m (2 * 3^50,
     * does not): the shuffled order proposes canonical genomes of distinct
     * architectures; without skip_inert it proposes non-canonical ones. */
    const char *scales[2] = {"s", "m"};
    for (int k = 0; k < 2; k++) {
        hw_problem *p = toy_hwgpt(scales[k]);
        CHECK(p != NULL);
        if (!p) return;
        enum { B = 1500 };
        int nv = p->n_var;
        double *x = malloc((size_t)B * nv * sizeof *x);
        CHECK_EQ_INT(grid_all(p, "{\"name\":\"grid_search\"}", 4, 64, x, B), B);
        int canon = 0;
        for (int i = 0; i < B; i++) canon += hw_genome_canonical(p, x + i * nv);
        CHECK_EQ_INT(canon, B);
        CHECK(distinct_archs(p, x, B));
        CHECK_EQ_INT(grid_all(p, "{\"name\":\"grid_search\",\"skip_inert\":false}", 4, 64, x, B), B);
        canon = 0;
        for (int i = 0; i < B; i++) canon += hw_genome_canonical(p, x + i * nv);
        /* About 37 % of genomes are canonical. */
        CHECK_MSG(canon > B / 4 && canon < B / 2, "%d of %d canonical", canon, B);
        free(x);
        hw_problem_destroy(p);
    }
}

TEST(hwgpt_skipping_filters_the_plain_order)
{
    /* Both orders: the skip_inert sequence is exactly the canonical
     * subsequence of the skip_inert=false sequence, and a partial tell in
     * the middle of a skipped run changes nothing. */
    hw_problem *p = toy_hwgpt("s");
    CHECK(p != NULL);
    if (!p) return;
    int nv = p->n_var;
    const char *orders[2] = {"shuffled", "lexicographic"};
    for (int o = 0; o < 2; o++) {
        enum { B = 3000 };
        static double all[B * 27], kept[B * 27], step[B * 27];
        char cfg[160];
        snprintf(cfg, sizeof cfg, "{\"name\":\"grid_search\",\"order\":\"%s\",\"skip_inert\":false}", orders[o]);
        CHECK_EQ_INT(grid_all(p, cfg, 8, 64, all, B), B);
        int nk = 0;
        for (int i = 0; i < B; i++)
            if (hw_genome_canonical(p, all + i * nv)) memcpy(kept + (nk++) * nv, all + i * nv, (size_t)nv * sizeof(double));
        CHECK(nk > 20);
        snprintf(cfg, sizeof cfg, "{\"name\":\"grid_search\",\"order\":\"%s\"}", orders[o]);
        CHECK_EQ_INT(grid_all(p, cfg, 8, 64, step, (size_t)nk), nk);
        CHECK(memcmp(step, kept, (size_t)nk * nv * sizeof(double)) == 0);
        /* Partial tells of 1 of every 3 asked. */
        hw_err e = {0};
        void *st = toy_create(&hw_grid_search_ops, p, cfg, 8, &e);
        double buf[3 * 27], f[6] = {0};
        for (int i = 0; i < nk; i++) {
            size_t n;
            CHECK_OK(hw_grid_search_ops.ask(st, buf, 3, &n, &e));
            CHECK(n >= 1);
            CHECK(memcmp(buf, kept + i * nv, (size_t)nv * sizeof(double)) == 0);
            CHECK_OK(hw_grid_search_ops.tell(st, buf, f, 1, &e));
        }
        hw_grid_search_ops.destroy(st);
    }
    hw_problem_destroy(p);
}
