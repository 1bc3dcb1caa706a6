/* Analytic params / FLOPs / MACs against every architecture recorded in
 * HW-GPT-Bench (analytic/<scale>.jsonl.gz), and their bounds against brute
 * force over the data. */
#include "check.h"

#include <cjson/cJSON.h>

#include "space/analytic.h"
#include "space/space.h"
#include "core/lines.h"

static long long json_int(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* Recorded integers are < 2^53 (largest flops ~ 4e12), so the double cJSON
 * holds them exactly. */
static void check_scale(int scale)
{
    const char *dir = hwt_data_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/analytic/%s.jsonl.gz", dir, hw_space_get(scale)->name);
    hw_lines *l;
    hw_err e = {0};
    CHECK_OK(hw_lines_open(path, &l, &e));
    char *line;
    size_t len;
    long n = 0, bad = 0;
    int64_t pmin = INT64_MAX, pmax = 0, fmin_ = INT64_MAX, fmax_ = 0;
    while (hw_lines_next(l, &line, &len, &e) == 1) {
        cJSON *o = cJSON_Parse(line);
        CHECK(o != NULL);
        if (!o) break;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "arch");
        hw_arch a;
        int rc = hw_arch_parse(cJSON_IsString(s) ? s->valuestring : NULL, hw_space_get(scale), &a, &e);
        CHECK_MSG(rc == 0, "%s:%ld: %s", path, n + 1, e.msg);
        if (rc == 0) {
            int64_t p = hw_analytic_params(&a), f = hw_analytic_flops(&a), m = hw_analytic_macs(&a);
            if (p != json_int(o, "params") || f != json_int(o, "flops") || m != json_int(o, "macs")) {
                if (bad++ < 5)
                    hwt_fail_at(__FILE__, __LINE__, "%s: params %lld/%lld flops %lld/%lld macs %lld/%lld",
                                s->valuestring, (long long)p, json_int(o, "params"), (long long)f,
                                json_int(o, "flops"), (long long)m, json_int(o, "macs"));
            }
            CHECK_NEAR(hw_analytic_memory_mb(&a, 4), (double)json_int(o, "params") * 4e-6, 1e-9);
            if (p < pmin) pmin = p;
            if (p > pmax) pmax = p;
            if (f < fmin_) fmin_ = f;
            if (f > fmax_) fmax_ = f;
        }
        cJSON_Delete(o);
        n++;
    }
    hw_lines_close(l);
    CHECK_EQ_INT(bad, 0);
    CHECK(n > 8000);
    /* bounds: the extreme architectures bracket every recorded one */
    hw_arch lo, hi;
    hw_analytic_extreme_archs(hw_space_get(scale), &lo, &hi);
    CHECK_OK(hw_arch_validate(&lo, &e));
    CHECK_OK(hw_arch_validate(&hi, &e));
    CHECK(hw_analytic_params(&lo) <= pmin && hw_analytic_params(&hi) >= pmax);
    CHECK(hw_analytic_flops(&lo) <= fmin_ && hw_analytic_flops(&hi) >= fmax_);
}

TEST(exact_scale_s) { check_scale(HW_SCALE_S); }
TEST(exact_scale_m) { check_scale(HW_SCALE_M); }
TEST(exact_scale_l) { check_scale(HW_SCALE_L); }

/* The README's worked example, by hand from the closed form:
 * E = 768, L = 10, sum r = 31, sum h = 84, no bias, T = 8 x 1024. */
TEST(worked_example_by_hand)
{
    hw_arch a;
    hw_err e = {0};
    CHECK_OK(hw_arch_parse("gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False", NULL, &a, &e));
    /* 2*50254*768 + 2*768 + 10*4*768 + 31*3*768^2 + 84*256*768 */
    CHECK_EQ_INT(hw_analytic_params(&a), 77190144LL + 1536 + 30720 + 54853632 + 16515072);
    CHECK_EQ_INT(hw_analytic_params(&a), 148591104LL);   /* recorded value */
    CHECK_EQ_INT(hw_analytic_macs(&a), 900823252992LL);
    CHECK_EQ_INT(hw_analytic_flops(&a), 1802502144000LL);
    CHECK_NEAR(hw_analytic_memory_mb(&a, 2), 297.182208, 1e-9);
    /* bias adds 2E per layer, 2E per MLP ratio unit and 192 per head */
    a.bias = 1;
    CHECK_EQ_INT(hw_analytic_params(&a), 148591104LL + 10 * 1536 + 31 * 1536 + 84 * 192);
    CHECK_EQ_INT(hw_analytic_macs(&a), 900823252992LL);
}

/* Every metric increases with every gene: changing any single gene of a random
 * architecture towards a larger choice never decreases a metric. */
TEST(monotone_in_every_gene)
{
    hw_rng r;
    hw_rng_seed(&r, 3, 0);
    for (int s = 0; s < HW_N_SCALES; s++) {
        const hw_space *sp = hw_space_get(s);
        int ng = hw_space_n_genes(sp);
        for (int rep = 0; rep < 200; rep++) {
            double x[3 + 2 * HW_MAX_LAYERS];
            for (int g = 0; g < ng; g++) x[g] = hw_rng_below(&r, (uint32_t)hw_space_gene_choices(sp, g));
            int g = (int)hw_rng_below(&r, (uint32_t)ng);
            int k = hw_space_gene_choices(sp, g);
            hw_arch a, b;
            if (g == ng - 1) x[g] = 1;        /* bias gene: index 1 = False is smaller */
            else if (x[g] >= k - 1) continue;
            hw_arch_from_genome(sp, x, &a);
            if (g == ng - 1) x[g] = 0;
            else x[g] += 1;
            hw_arch_from_genome(sp, x, &b);
            CHECK(hw_analytic_params(&b) >= hw_analytic_params(&a));
            CHECK(hw_analytic_flops(&b) >= hw_analytic_flops(&a));
            CHECK(hw_analytic_macs(&b) >= hw_analytic_macs(&a));
        }
    }
}
