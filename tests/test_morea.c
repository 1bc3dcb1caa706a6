/* MOREA (optimizers/morea.c): the aging queue, the Pareto tournament, the
 * one-gene mutation, config validation, partial tells and determinism. */
#include "check.h"
#include "opt_instance.h"
#include "opt_toy.h"

#include "space/space.h"
#include "optimizers/morea.h"
#include "optimizers/mutate_one.h"
#include "optimizers/pareto.h"

TEST(registered)
{
    CHECK(hw_optimizer_find("morea") == &hw_morea_ops);
}

TEST(queue_is_bounded_and_drops_the_oldest)
{
    hw_problem p = toy_cat_problem();
    hw_err e = {0};
    void *st = toy_create(&hw_morea_ops, &p, "{\"name\":\"morea\",\"population_size\":12,"
                          "\"sample_size\":4,\"batch_size\":3}", 1, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) return;
    size_t nv = 6;
    double x[12 * 6], f[12 * 2], before[12 * 6], after[12 * 6], fafter[12 * 2];
    size_t total = 0;
    for (int step = 0; step < 60; step++) {
        size_t nb = hw_morea_population(st, before, NULL), n = 0;
        CHECK_OK(hw_morea_ops.ask(st, x, 5, &n, &e));
        /* Initial phase: random genomes up to the population size, max_n at
         * a time; then batch_size children. */
        if (nb < 12) CHECK_EQ_INT(n, nb + 5 <= 12 ? 5 : 12 - nb);
        else CHECK_EQ_INT(n, 3);
        p.evaluate(&p, x, NULL, n, f, NULL, &e);
        CHECK_OK(hw_morea_ops.tell(st, x, f, n, &e));
        total += n;
        size_t na = hw_morea_population(st, after, fafter);
        CHECK_EQ_INT(na, total < 12 ? total : 12);
        /* after = before without its (nb + n - na) oldest, then the n told. */
        size_t gone = nb + n - na;
        for (size_t i = 0; i + n < na; i++)
            CHECK(toy_hamming(after + i * nv, before + (i + gone) * nv, 6) == 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(toy_hamming(after + (na - n + i) * nv, x + i * nv, 6) == 0);
            CHECK(fafter[(na - n + i) * 2] == f[i * 2] && fafter[(na - n + i) * 2 + 1] == f[i * 2 + 1]);
        }
    }
    hw_morea_ops.destroy(st);
}

TEST(child_is_one_gene_from_a_member)
{
    hw_problem ps[2] = {toy_cat_problem(), toy_real_problem()};
    for (int t = 0; t < 2; t++) {
        hw_problem *p = &ps[t];
        int nv = p->n_var;
        hw_err e = {0};
        void *st = toy_create(&hw_morea_ops, p, "{\"name\":\"morea\",\"population_size\":20,"
                              "\"sample_size\":5}", 3, &e);
        CHECK(st != NULL);
        if (!st) return;
        double *x, *f;
        toy_run(&hw_morea_ops, st, p, 20, 20, &x, &f);
        free(x); free(f);
        double pop[20 * 6], c[6], fc[2];
        for (int step = 0; step < 300; step++) {
            size_t np = hw_morea_population(st, pop, NULL), n = 0;
            CHECK_OK(hw_morea_ops.ask(st, c, 1, &n, &e));
            CHECK_EQ_INT(n, 1);
            int close = 0;
            for (size_t i = 0; i < np; i++) close |= toy_hamming(c, pop + i * nv, nv) == 1;
            CHECK(close);
            for (int g = 0; g < nv; g++) {
                const hw_var *v = &p->vars[g];
                if (v->type == HW_VAR_CATEGORICAL) CHECK(c[g] == floor(c[g]) && c[g] >= 0 && c[g] < v->n_cat);
                else CHECK(c[g] >= v->lo && c[g] <= v->hi);
            }
            p->evaluate(p, c, NULL, 1, fc, NULL, &e);
            CHECK_OK(hw_morea_ops.tell(st, c, fc, 1, &e));
        }
        hw_morea_ops.destroy(st);
    }
}

TEST(parent_is_an_extreme_when_the_sample_is_everyone)
{
    /* sample_size == population_size: the tournament sees the whole
     * population, so with crowding the parent is a front member of infinite
     * crowding distance, i.e. the front's best in f1 or in f2. */
    hw_problem p = toy_real_problem();
    hw_err e = {0};
    void *st = toy_create(&hw_morea_ops, &p, "{\"name\":\"morea\",\"population_size\":15,"
                          "\"sample_size\":15}", 4, &e);
    CHECK(st != NULL);
    if (!st) return;
    double *x, *f;
    toy_run(&hw_morea_ops, st, &p, 15, 15, &x, &f);
    free(x); free(f);
    double pop[15 * 5], pf[15 * 2], c[5], fc[2];
    for (int step = 0; step < 200; step++) {
        hw_morea_population(st, pop, pf);
        int best0 = 0, best1 = 0;
        for (int i = 1; i < 15; i++) {
            if (pf[2 * i] < pf[2 * best0] || (pf[2 * i] == pf[2 * best0] && pf[2 * i + 1] < pf[2 * best0 + 1])) best0 = i;
            if (pf[2 * i + 1] < pf[2 * best1 + 1] || (pf[2 * i + 1] == pf[2 * best1 + 1] && pf[2 * i] < pf[2 * best1])) best1 = i;
        }
        size_t n;
        CHECK_OK(hw_morea_ops.ask(st, c, 1, &n, &e));
        CHECK(toy_hamming(c, pop + best0 * 5, 5) == 1 || toy_hamming(c, pop + best1 * 5, 5) == 1);
        p.evaluate(&p, c, NULL, 1, fc, NULL, &e);
        CHECK_OK(hw_morea_ops.tell(st, c, fc, 1, &e));
    }
    hw_morea_ops.destroy(st);
}

TEST(hv_selection_picks_the_largest_contribution)
{
    /* With the whole population as the sample, the parent is the front
     * member whose removal loses the most area (front scaled to [0,1],
     * reference 1.1), computed here by brute force. */
    hw_problem p = toy_real_problem();
    hw_err e = {0};
    void *st = toy_create(&hw_morea_ops, &p, "{\"name\":\"morea\",\"population_size\":15,"
                          "\"sample_size\":15,\"selection\":\"hv_contribution\"}", 6, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) return;
    double *x, *f;
    toy_run(&hw_morea_ops, st, &p, 15, 15, &x, &f);
    free(x); free(f);
    double pop[15 * 5], pf[15 * 2], c[5], fc[2];
    for (int step = 0; step < 100; step++) {
        hw_morea_population(st, pop, pf);
        int front[15], k = 0;
        for (int i = 0; i < 15; i++) {
            int dom = 0;
            for (int j = 0; j < 15; j++) dom |= hw_pareto_dominates(pf + 2 * j, pf + 2 * i, 2);
            if (!dom) front[k++] = i;
        }
        double lo[2] = {1e300, 1e300}, hi[2] = {-1e300, -1e300};
        for (int a = 0; a < k; a++)
            for (int o = 0; o < 2; o++) { lo[o] = fmin(lo[o], pf[2 * front[a] + o]); hi[o] = fmax(hi[o], pf[2 * front[a] + o]); }
        /* A constant objective scales to 0 (as for a one-point front). */
        for (int o = 0; o < 2; o++) if (!(hi[o] > lo[o])) { lo[o] = 0; hi[o] = 1e300; }
        double contrib[15], best = -1;
        for (int a = 0; a < k; a++) {
            /* Area only point a covers: the rectangle from a to its
             * neighbours' coordinates. */
            double ax = (pf[2 * front[a]] - lo[0]) / (hi[0] - lo[0]);
            double ay = (pf[2 * front[a] + 1] - lo[1]) / (hi[1] - lo[1]);
            double right = 1.1, top = 1.1;
            int twin = 0;
            for (int b = 0; b < k; b++) {
                if (b == a) continue;
                double bx = (pf[2 * front[b]] - lo[0]) / (hi[0] - lo[0]);
                double by = (pf[2 * front[b] + 1] - lo[1]) / (hi[1] - lo[1]);
                if (bx > ax && bx < right) right = bx;
                if (by > ay && by < top) top = by;
                twin |= bx == ax && by == ay;
            }
            /* A point with a twin covers nothing alone. */
            contrib[a] = twin ? 0 : (right - ax) * (top - ay);
            if (contrib[a] > best) best = contrib[a];
        }
        size_t n;
        CHECK_OK(hw_morea_ops.ask(st, c, 1, &n, &e));
        int ok = 0;
        for (int a = 0; a < k; a++)
            if (contrib[a] >= best * (1 - 1e-12) && toy_hamming(c, pop + front[a] * 5, 5) == 1) ok = 1;
        CHECK(ok);
        p.evaluate(&p, c, NULL, 1, fc, NULL, &e);
        CHECK_OK(hw_morea_ops.tell(st, c, fc, 1, &e));
    }
    hw_morea_ops.destroy(st);
}

TEST(config_errors_name_the_key)
{
    hw_problem p = toy_cat_problem();
    const toy_bad_config cases[] = {
        {"{\"name\":\"morea\",\"pop_size\":10}", "optimizer.pop_size: unknown key"},
        {"{\"name\":\"morea\",\"population_size\":1}", "optimizer.population_size"},
        {"{\"name\":\"morea\",\"population_size\":8,\"sample_size\":9}", "optimizer.sample_size: 9 exceeds"},
        {"{\"name\":\"morea\",\"selection\":\"best\"}", "optimizer.selection: unknown value 'best'"},
        {"{\"name\":\"morea\",\"batch_size\":0}", "optimizer.batch_size"},
        {"{\"name\":\"morea\",\"eta_m\":\"x\"}", "optimizer.eta_m: expected a number"},
    };
    toy_check_config_errors(&hw_morea_ops, &p, cases, sizeof cases / sizeof cases[0]);
    /* hv_contribution needs two or more objectives. */
    hw_problem one = toy_cat_problem();
    one.n_obj = 1;
    hw_err e = {0};
    CHECK(toy_create(&hw_morea_ops, &one, "{\"name\":\"morea\",\"selection\":\"hv_contribution\"}", 1, &e) == NULL);
    CHECK(strstr(e.msg, "optimizer.selection") != NULL);
    /* No params: all defaults. */
    void *st = NULL;
    CHECK_OK(hw_morea_ops.create(&st, &p, NULL, "optimizer", 1, &e));
    CHECK_EQ_INT(hw_morea_ops.batch_size(st), 1);
    hw_morea_ops.destroy(st);
}

TEST(partial_tell_and_over_tell)
{
    hw_problem p = toy_cat_problem();
    hw_err e = {0};
    hw_optimizer *o = toy_instance(&hw_morea_ops, &p, "{\"name\":\"morea\",\"population_size\":10,"
                          "\"sample_size\":3,\"batch_size\":4}", 2, &e);
    CHECK(o != NULL);
    if (!o) return;
    double x[10 * 6], f[10 * 2];
    size_t n;
    /* Initial phase: 7 asked, 3 told -> 7 more offered next. */
    CHECK_OK(hw_optimizer_ask(o, x, 7, &n, &e));
    CHECK_EQ_INT(n, 7);
    p.evaluate(&p, x, NULL, n, f, NULL, &e);
    CHECK_OK(hw_optimizer_tell(o, x, f, 3, &e));
    CHECK_EQ_INT(hw_morea_population(hw_optimizer_state(o), NULL, NULL), 3);
    CHECK_OK(hw_optimizer_ask(o, x, 10, &n, &e));
    CHECK_EQ_INT(n, 7);
    p.evaluate(&p, x, NULL, n, f, NULL, &e);
    CHECK(hw_optimizer_tell(o, x, f, 8, &e) == HW_ESTATE);
    CHECK(strstr(e.msg, "morea: told 8 results for 7 asked genomes") != NULL);
    CHECK_OK(hw_optimizer_tell(o, x, f, 7, &e));
    CHECK_EQ_INT(hw_morea_population(hw_optimizer_state(o), NULL, NULL), 10);
    /* Children: 4 asked, 1 told -> exactly one joins, the oldest leaves. */
    double before[10 * 6], after[10 * 6];
    hw_morea_population(hw_optimizer_state(o), before, NULL);
    CHECK_OK(hw_optimizer_ask(o, x, 10, &n, &e));
    CHECK_EQ_INT(n, 4);
    p.evaluate(&p, x, NULL, n, f, NULL, &e);
    CHECK_OK(hw_optimizer_tell(o, x, f, 1, &e));
    CHECK_EQ_INT(hw_morea_population(hw_optimizer_state(o), after, NULL), 10);
    CHECK(memcmp(after, before + 6, 9 * 6 * sizeof(double)) == 0);
    CHECK(memcmp(after + 9 * 6, x, 6 * sizeof(double)) == 0);
    /* A tell without an ask is refused; non-finite objectives too. */
    CHECK(hw_optimizer_tell(o, x, f, 1, &e) == HW_ESTATE);
    CHECK(strstr(e.msg, "morea: told 1 results for 0 asked genomes") != NULL);
    CHECK_OK(hw_optimizer_ask(o, x, 1, &n, &e));
    f[1] = NAN;
    CHECK(hw_optimizer_tell(o, x, f, 1, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "not finite") != NULL);
    hw_optimizer_destroy(o);
}

TEST(same_seed_same_run)
{
    toy_check_same_seed(&hw_morea_ops, "{\"name\":\"morea\",\"population_size\":20,\"sample_size\":5,\"batch_size\":2}", 500, 8);
}

/* Acceptance: median over 5 seeds of the HV of all evaluated points (ref
 * 1.1) >= 0.95 x the true front's HV at 25,000 evaluations, 30 variables,
 * default settings. */
TEST(zdt1_reaches_95_percent_of_the_front_hv)
{
    toy_check_zdt_median(&hw_morea_ops, "{\"name\":\"zdt1\"}", "{\"name\":\"morea\"}", "zdt1", 0.95);
}

TEST(zdt2_reaches_95_percent_of_the_front_hv)
{
    toy_check_zdt_median(&hw_morea_ops, "{\"name\":\"zdt2\"}", "{\"name\":\"morea\"}", "zdt2", 0.95);
}

TEST(zdt1_hv_contribution_selection_reaches_95_percent)
{
    toy_check_zdt_median(&hw_morea_ops, "{\"name\":\"zdt1\"}", "{\"name\":\"morea\",\"selection\":\"hv_contribution\"}", "zdt1", 0.95);
}

TEST(one_gene_mutation_skips_inert_genes_on_hwgpt)
{
    /* On the GPT-s genome (27 genes) a parent with n_layer = 10 has 4 inert
     * genes (mlp and heads of layers 10, 11).  With skip_inert every child
     * changes exactly one gene and the architecture, each of the 23 active
     * genes about equally often; without it the inert genes are hit too. */
    hw_problem *p = toy_hwgpt("s");
    CHECK(p != NULL);
    if (!p) return;
    const hw_space *sp = hw_space_get(HW_SCALE_S);
    CHECK_EQ_INT(p->n_var, hw_space_n_genes(sp));
    int L = sp->max_layers;
    double parent[27], c[27];
    hw_rng r;
    hw_rng_seed(&r, 3, 1);
    hw_var_sample(p, &r, parent);
    parent[1] = 0; /* n_layer = 10 */
    for (int skip = 1; skip >= 0; skip--) {
        int hits[27] = {0}, same = 0;
        enum { T = 23000 };
        for (int t = 0; t < T; t++) {
            memcpy(c, parent, sizeof c);
            int g = hw_mutate_one(p, &r, c, 5.0, 0.0, skip);
            CHECK(toy_hamming(c, parent, 27) == 1 && c[g] != parent[g]);
            hits[g]++;
            same += hw_genome_same_design(p, c, parent);
        }
        int inert[4] = {2 + 10, 2 + 11, 2 + L + 10, 2 + L + 11};
        if (skip) {
            CHECK_EQ_INT(same, 0);
            for (int k = 0; k < 4; k++) CHECK_EQ_INT(hits[inert[k]], 0);
            for (int g = 0; g < 27; g++) {
                int is_inert = g == inert[0] || g == inert[1] || g == inert[2] || g == inert[3];
                if (!is_inert) CHECK_MSG(abs(hits[g] - T / 23) < 6 * 31, "gene %d hit %d times", g, hits[g]);
            }
        } else {
            /* 4 of 27 genes inert: about 3400 of 23000 children. */
            CHECK_MSG(same > 2800 && same < 4000, "%d children kept the architecture", same);
            CHECK(same == hits[inert[0]] + hits[inert[1]] + hits[inert[2]] + hits[inert[3]]);
        }
    }
    hw_problem_destroy(p);
}

TEST(runs_on_hwgpt_without_repeating_parents)
{
    /* End to end on the all-categorical GPT-m genome: every child is a valid
     * genome one active gene away from a population member. */
    hw_problem *p = toy_hwgpt("m");
    CHECK(p != NULL);
    if (!p) return;
    int nv = p->n_var;
    hw_err e = {0};
    void *st = toy_create(&hw_morea_ops, p, "{\"name\":\"morea\",\"population_size\":30,\"sample_size\":5}", 2, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) { hw_problem_destroy(p); return; }
    double *x, *f;
    CHECK_EQ_INT(toy_run(&hw_morea_ops, st, p, 30, 30, &x, &f), 30);
    free(x); free(f);
    double pop[30 * 51], c[51], fc[2];
    for (int step = 0; step < 300; step++) {
        size_t n;
        hw_morea_population(st, pop, NULL);
        CHECK_OK(hw_morea_ops.ask(st, c, 1, &n, &e));
        int ok = 0;
        for (int i = 0; i < 30; i++)
            ok |= toy_hamming(c, pop + i * nv, nv) == 1 && !hw_genome_same_design(p, c, pop + i * nv);
        CHECK(ok);
        for (int g = 0; g < nv; g++) CHECK(c[g] == floor(c[g]) && c[g] >= 0 && c[g] < p->vars[g].n_cat);
        CHECK_OK(p->evaluate(p, c, NULL, 1, fc, NULL, &e));
        CHECK_OK(hw_morea_ops.tell(st, c, fc, 1, &e));
    }
    hw_morea_ops.destroy(st);
    hw_problem_destroy(p);
}

/* Hypervolume of k points (d objectives) for ref by inclusion-exclusion over
 * all non-empty subsets: the volume of the union of the boxes [p, ref]. */
static double hv_inclusion_exclusion(const double *pts, int k, int d, const double *ref)
{
    double hv = 0;
    for (unsigned mask = 1; mask < (1u << k); mask++) {
        double corner[16], vol = 1;
        int bits = 0;
        for (int o = 0; o < d; o++) corner[o] = -INFINITY;
        for (int i = 0; i < k; i++)
            if (mask >> i & 1u) {
                bits++;
                for (int o = 0; o < d; o++) corner[o] = fmax(corner[o], pts[i * d + o]);
            }
        for (int o = 0; o < d; o++) vol *= fmax(ref[o] - corner[o], 0.0);
        hv += bits % 2 ? vol : -vol;
    }
    return hv;
}

TEST(hv_selection_with_three_objectives)
{
    /* DTLZ2 with 3 objectives, the whole population as the sample: the
     * parent is a front member of largest exclusive contribution (front
     * scaled to [0,1], ref 1.1), the contributions computed here by
     * inclusion-exclusion. */
    cJSON *pc = NULL;
    hw_problem *p = NULL;
    hw_err e = {0};
    CHECK_OK(hwj_parse("{\"name\":\"dtlz2\",\"n_obj\":3,\"n_var\":6}", "problem", &pc, &e));
    CHECK_OK(hw_problem_create(pc, "problem", &p, &e));
    cJSON_Delete(pc);
    if (!p) return;
    enum { P = 10, NV = 6 };
    void *st = toy_create(&hw_morea_ops, p, "{\"name\":\"morea\",\"population_size\":10,"
                          "\"sample_size\":10,\"selection\":\"hv_contribution\"}", 3, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) { hw_problem_destroy(p); return; }
    double *x, *f;
    toy_run(&hw_morea_ops, st, p, P, P, &x, &f);
    free(x); free(f);
    double pop[P * NV], pf[P * 3], c[NV], fc[3];
    const double ref[3] = {1.1, 1.1, 1.1};
    for (int step = 0; step < 60; step++) {
        hw_morea_population(st, pop, pf);
        int front[P], k = 0;
        for (int i = 0; i < P; i++) {
            int dom = 0;
            for (int j = 0; j < P; j++) dom |= hw_pareto_dominates(pf + 3 * j, pf + 3 * i, 3);
            if (!dom) front[k++] = i;
        }
        double sc[P * 3], rest[P * 3], contrib[P], best = -1;
        for (int o = 0; o < 3; o++) {
            double lo = INFINITY, hi = -INFINITY;
            for (int a = 0; a < k; a++) { lo = fmin(lo, pf[3 * front[a] + o]); hi = fmax(hi, pf[3 * front[a] + o]); }
            for (int a = 0; a < k; a++) sc[3 * a + o] = hi > lo ? (pf[3 * front[a] + o] - lo) / (hi - lo) : 0;
        }
        double all = hv_inclusion_exclusion(sc, k, 3, ref);
        for (int a = 0; a < k; a++) {
            int n = 0;
            for (int b = 0; b < k; b++)
                if (b != a) { memcpy(rest + 3 * n, sc + 3 * b, 3 * sizeof(double)); n++; }
            contrib[a] = all - hv_inclusion_exclusion(rest, n, 3, ref);
            best = fmax(best, contrib[a]);
        }
        size_t n;
        CHECK_OK(hw_morea_ops.ask(st, c, 1, &n, &e));
        int ok = 0;
        for (int a = 0; a < k; a++)
            if (contrib[a] >= best - 1e-9 && toy_hamming(c, pop + front[a] * NV, NV) == 1) ok = 1;
        CHECK(ok);
        CHECK_OK(p->evaluate(p, c, NULL, 1, fc, NULL, &e));
        CHECK_OK(hw_morea_ops.tell(st, c, fc, 1, &e));
    }
    hw_morea_ops.destroy(st);
    hw_problem_destroy(p);
}
