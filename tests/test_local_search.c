/* Pareto local search (optimizers/local_search.c): archive invariants
 * against brute force, the bound on its size, one-gene moves, config
 * validation, partial tells and determinism. */
#include "check.h"
#include "opt_instance.h"
#include "opt_toy.h"

#include "optimizers/local_search.h"
#include "optimizers/mutate_one.h"
#include "optimizers/pareto.h"

TEST(registered)
{
    CHECK(hw_optimizer_find("local_search") == &hw_local_search_ops);
}

/* No member dominates another; no two members share an objective vector. */
static void check_archive_clean(const double *af, size_t n, int m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            CHECK(!hw_pareto_weakly_dominates(af + i * m, af + j * m, m));
        }
}

TEST(archive_is_the_front_of_everything_seen)
{
    /* Unbounded archive on the categorical toy (many ties and duplicates):
     * after every tell it holds exactly one point per distinct objective
     * vector of the non-dominated set of all evaluated points (brute force). */
    hw_problem p = toy_cat_problem();
    hw_err e = {0};
    void *st = toy_create(&hw_local_search_ops, &p, "{\"name\":\"local_search\",\"initial_points\":5,"
                          "\"batch_size\":3}", 1, &e);
    CHECK(st != NULL);
    if (!st) return;
    enum { B = 400 };
    static double X[B * 6], F[B * 2], ax[B * 6], af[B * 2];
    size_t done = 0;
    while (done < B) {
        size_t n, k = B - done < 4 ? B - done : 4;
        CHECK_OK(hw_local_search_ops.ask(st, X + done * 6, k, &n, &e));
        if (n == 0) break;
        p.evaluate(&p, X + done * 6, NULL, n, F + done * 2, NULL, &e);
        CHECK_OK(hw_local_search_ops.tell(st, X + done * 6, F + done * 2, n, &e));
        done += n;
        size_t na = hw_local_search_archive(st, ax, af);
        check_archive_clean(af, na, 2);
        /* Reference: distinct non-dominated objective vectors seen so far. */
        size_t nref = 0;
        for (size_t i = 0; i < done; i++) {
            int dom = 0, dup = 0;
            for (size_t j = 0; j < done; j++) {
                dom |= hw_pareto_dominates(F + j * 2, F + i * 2, 2);
                dup |= j < i && F[j * 2] == F[i * 2] && F[j * 2 + 1] == F[i * 2 + 1];
            }
            if (dom || dup) continue;
            nref++;
            int found = 0;
            for (size_t a = 0; a < na; a++) found |= af[a * 2] == F[i * 2] && af[a * 2 + 1] == F[i * 2 + 1];
            CHECK(found);
        }
        CHECK_EQ_INT(na, nref);
        /* Every member is a genome that was evaluated with those objectives. */
        for (size_t a = 0; a < na; a++) {
            int seen = 0;
            for (size_t i = 0; i < done && !seen; i++)
                seen = toy_hamming(ax + a * 6, X + i * 6, 6) == 0 && af[a * 2] == F[i * 2] && af[a * 2 + 1] == F[i * 2 + 1];
            CHECK(seen);
        }
    }
    CHECK_EQ_INT(done, B);
    hw_local_search_ops.destroy(st);
}

TEST(archive_bound_keeps_the_extremes)
{
    hw_problem p = toy_real_problem();
    hw_err e = {0};
    void *st = toy_create(&hw_local_search_ops, &p, "{\"name\":\"local_search\",\"max_archive\":40}", 2, &e);
    CHECK(st != NULL);
    if (!st) return;
    enum { B = 3000 };
    static double X[B * 5], F[B * 2], af[41 * 2];
    size_t max_seen = 0;
    double best0 = INFINITY, best1 = INFINITY;
    for (size_t done = 0; done < B; done++) {
        size_t n;
        CHECK_OK(hw_local_search_ops.ask(st, X + done * 5, 1, &n, &e));
        p.evaluate(&p, X + done * 5, NULL, 1, F + done * 2, NULL, &e);
        CHECK_OK(hw_local_search_ops.tell(st, X + done * 5, F + done * 2, 1, &e));
        best0 = fmin(best0, F[done * 2]);
        best1 = fmin(best1, F[done * 2 + 1]);
        size_t na = hw_local_search_archive(st, NULL, NULL);
        CHECK(na <= 40);
        if (na > max_seen) max_seen = na;
        hw_local_search_archive(st, NULL, af);
        check_archive_clean(af, na, 2);
        /* The best value seen in each objective is still in the archive. */
        int has0 = 0, has1 = 0;
        for (size_t a = 0; a < na; a++) { has0 |= af[a * 2] == best0; has1 |= af[a * 2 + 1] == best1; }
        CHECK(has0 && has1);
    }
    CHECK_EQ_INT(max_seen, 40); /* the bound was reached and enforced */
    hw_local_search_ops.destroy(st);
}

TEST(step_changes_one_gene_of_a_member)
{
    hw_problem ps[2] = {toy_cat_problem(), toy_real_problem()};
    for (int t = 0; t < 2; t++) {
        hw_problem *p = &ps[t];
        int nv = p->n_var;
        hw_err e = {0};
        void *st = toy_create(&hw_local_search_ops, p, "{\"name\":\"local_search\",\"initial_points\":4}", 3, &e);
        CHECK(st != NULL);
        if (!st) return;
        static double ax[1000 * 6];
        double c[6], fc[2];
        for (int step = 0; step < 300; step++) {
            size_t na = hw_local_search_archive(st, ax, NULL), n;
            CHECK_OK(hw_local_search_ops.ask(st, c, 1, &n, &e));
            CHECK_EQ_INT(n, 1);
            if (step >= 4) {
                int close = 0;
                for (size_t i = 0; i < na; i++) close |= toy_hamming(c, ax + i * nv, nv) == 1;
                CHECK(close);
            }
            for (int g = 0; g < nv; g++) {
                const hw_var *v = &p->vars[g];
                if (v->type == HW_VAR_CATEGORICAL) CHECK(c[g] == floor(c[g]) && c[g] >= 0 && c[g] < v->n_cat);
                else CHECK(c[g] >= v->lo && c[g] <= v->hi);
            }
            p->evaluate(p, c, NULL, 1, fc, NULL, &e);
            CHECK_OK(hw_local_search_ops.tell(st, c, fc, 1, &e));
        }
        hw_local_search_ops.destroy(st);
    }
}

TEST(config_errors_name_the_key)
{
    hw_problem p = toy_cat_problem();
    const toy_bad_config cases[] = {
        {"{\"name\":\"local_search\",\"initial\":10}", "optimizer.initial: unknown key"},
        {"{\"name\":\"local_search\",\"initial_points\":0}", "optimizer.initial_points"},
        {"{\"name\":\"local_search\",\"max_archive\":0}", "optimizer.max_archive"},
        {"{\"name\":\"local_search\",\"batch_size\":2.5}", "optimizer.batch_size: expected an integer"},
        {"{\"name\":\"local_search\",\"extra_rate\":2}", "optimizer.extra_rate"},
    };
    toy_check_config_errors(&hw_local_search_ops, &p, cases, sizeof cases / sizeof cases[0]);
}

TEST(partial_tell_and_over_tell)
{
    hw_problem p = toy_cat_problem();
    hw_err e = {0};
    hw_optimizer *o = toy_instance(&hw_local_search_ops, &p, "{\"name\":\"local_search\",\"initial_points\":6,"
                          "\"batch_size\":5}", 4, &e);
    CHECK(o != NULL);
    if (!o) return;
    double x[8 * 6], f[8 * 2];
    size_t n;
    /* 6 initial points asked, 2 told: the other 4 are offered again. */
    CHECK_OK(hw_optimizer_ask(o, x, 8, &n, &e));
    CHECK_EQ_INT(n, 6);
    p.evaluate(&p, x, NULL, n, f, NULL, &e);
    CHECK_OK(hw_optimizer_tell(o, x, f, 2, &e));
    CHECK_OK(hw_optimizer_ask(o, x, 8, &n, &e));
    CHECK_EQ_INT(n, 4);
    p.evaluate(&p, x, NULL, n, f, NULL, &e);
    CHECK(hw_optimizer_tell(o, x, f, 5, &e) == HW_ESTATE);
    CHECK(strstr(e.msg, "local_search: told 5 results for 4 asked genomes") != NULL);
    CHECK_OK(hw_optimizer_tell(o, x, f, 4, &e));
    /* Search phase: batch_size neighbours. */
    CHECK_OK(hw_optimizer_ask(o, x, 8, &n, &e));
    CHECK_EQ_INT(n, 5);
    CHECK_OK(hw_optimizer_tell(o, x, f, 0, &e));
    CHECK(hw_optimizer_tell(o, x, f, 1, &e) == HW_ESTATE);
    CHECK(strstr(e.msg, "local_search: told 1 results for 0 asked genomes") != NULL);
    hw_optimizer_destroy(o);
}

TEST(same_seed_same_run)
{
    toy_check_same_seed(&hw_local_search_ops, "{\"name\":\"local_search\",\"batch_size\":3,\"max_archive\":30}", 600, 7);
}

/* Acceptance: median over 5 seeds of the HV of all evaluated points (ref
 * 1.1) >= 0.95 x the true front's HV at 25,000 evaluations, 30 variables,
 * default settings. */
TEST(zdt1_reaches_95_percent_of_the_front_hv)
{
    toy_check_zdt_median(&hw_local_search_ops, "{\"name\":\"zdt1\"}", "{\"name\":\"local_search\"}", "zdt1", 0.95);
}

TEST(zdt2_reaches_95_percent_of_the_front_hv)
{
    toy_check_zdt_median(&hw_local_search_ops, "{\"name\":\"zdt2\"}", "{\"name\":\"local_search\"}", "zdt2", 0.95);
}

TEST(runs_on_hwgpt)
{
    /* The all-categorical GPT-s genome, objectives params and flops: each
     * step is one active gene away from an archive member; the archive stays
     * clean. */
    hw_problem *p = toy_hwgpt("s");
    CHECK(p != NULL);
    if (!p) return;
    int nv = p->n_var;
    hw_err e = {0};
    void *st = toy_create(&hw_local_search_ops, p, "{\"name\":\"local_search\"}", 5, &e);
    CHECK_MSG(st != NULL, "%s", e.msg);
    if (!st) { hw_problem_destroy(p); return; }
    static double ax[1000 * 27], af[1000 * 2];
    double c[27], fc[2];
    for (int step = 0; step < 1000; step++) {
        size_t na = hw_local_search_archive(st, ax, af), n;
        CHECK_OK(hw_local_search_ops.ask(st, c, 1, &n, &e));
        if (step >= 10) {
            int ok = 0;
            for (size_t i = 0; i < na; i++)
                ok |= toy_hamming(c, ax + i * nv, nv) == 1 && !hw_genome_same_design(p, c, ax + i * nv);
            CHECK(ok);
        }
        CHECK_OK(p->evaluate(p, c, NULL, 1, fc, NULL, &e));
        CHECK_OK(hw_local_search_ops.tell(st, c, fc, 1, &e));
    }
    size_t na = hw_local_search_archive(st, NULL, af);
    check_archive_clean(af, na, 2);
    CHECK(na >= 1);
    hw_local_search_ops.destroy(st);
    hw_problem_destroy(p);
}
