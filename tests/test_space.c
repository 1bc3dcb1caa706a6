/* Search spaces, arch strings and genomes. */
#include "check.h"

#include "space/space.h"
#include "core/lines.h"

TEST(worked_example_parses)
{
    /* The worked example of the HW-GPT-Bench data README. */
    const char *s = "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False";
    hw_arch a;
    hw_err e = {0};
    CHECK_OK(hw_arch_parse(s, NULL, &a, &e));
    CHECK_EQ_INT(a.scale, HW_SCALE_S);
    CHECK_EQ_INT(a.n_layer, 10);
    CHECK_EQ_INT(a.embed_dim, 768);
    CHECK_EQ_INT(a.bias, 0);
    int mlp[] = {2, 2, 4, 4, 3, 3, 3, 4, 4, 2}, heads[] = {4, 12, 12, 4, 4, 12, 12, 8, 4, 12};
    for (int i = 0; i < 10; i++) { CHECK_EQ_INT(a.mlp_ratio[i], mlp[i]); CHECK_EQ_INT(a.n_head[i], heads[i]); }
    char buf[HW_ARCH_STRLEN];
    hw_arch_format(&a, buf, sizeof buf);
    CHECK_STR(buf, s);
}

TEST(roundtrip_every_arch_in_data)
{
    const char *dir = hwt_data_dir();
    const char *files[] = {"analytic/s.jsonl.gz", "analytic/m.jsonl.gz", "analytic/l.jsonl.gz"};
    long total = 0;
    for (int f = 0; f < 3; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        hw_lines *l;
        hw_err e = {0};
        CHECK_OK(hw_lines_open(path, &l, &e));
        char *line;
        size_t len;
        while (hw_lines_next(l, &line, &len, &e) == 1) {
            char *p = strstr(line, "\"arch\":\"");
            CHECK(p != NULL);
            if (!p) break;
            p += 8;
            char *q = strchr(p, '"');
            *q = 0;
            hw_arch a;
            int rc = hw_arch_parse(p, hw_space_get(f), &a, &e);
            CHECK_MSG(rc == 0, "%s: %s", p, e.msg);
            char buf[HW_ARCH_STRLEN];
            hw_arch_format(&a, buf, sizeof buf);
            CHECK_STR(buf, p);
            double x[3 + 2 * HW_MAX_LAYERS];
            hw_arch_to_genome(&a, x);
            hw_arch b;
            hw_arch_from_genome(hw_space_get(f), x, &b);
            CHECK(memcmp(&a, &b, sizeof a) == 0);
            total++;
        }
        hw_lines_close(l);
    }
    CHECK(total > 20000);
}

TEST(malformed_strings_rejected)
{
    const char *bad[] = {
        "",
        "gpt",
        "gpt-x-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True",   /* scale */
        "gpt-s-9-768-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-True",         /* n_layer */
        "gpt-s-10-512-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True",   /* embed */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-5-4-4-4-4-4-4-4-4-4-4-True",   /* mlp */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-16-True",  /* heads */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-True",     /* too few */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-4-True", /* too many */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-true",   /* bias word */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-",       /* empty bias */
        "gpt-s-10-0768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True",  /* leading zero */
        "gpt-s-10-768-2-2-2-2-2-2-2-2-2-x-4-4-4-4-4-4-4-4-4-4-True",   /* not a number */
        "gpt-m-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True",   /* s values in m */
        "gpt-s--768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hw_arch a;
        hw_err e = {0};
        int rc = hw_arch_parse(bad[i], NULL, &a, &e);
        CHECK_MSG(rc != 0, "accepted '%s'", bad[i]);
        CHECK_MSG(strlen(e.msg) > 10 && !strchr(e.msg, '\n'), "message for '%s': '%s'", bad[i], e.msg);
    }
    /* Scale mismatch against the expected space. */
    hw_arch a;
    hw_err e = {0};
    CHECK(hw_arch_parse("gpt-s-10-768-2-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-4-True", hw_space_get(HW_SCALE_M), &a, &e) != 0);
    CHECK(strstr(e.msg, "scale") != NULL);
}

TEST(sampling_is_valid_and_covers_choices)
{
    for (int s = 0; s < HW_N_SCALES; s++) {
        const hw_space *sp = hw_space_get(s);
        hw_rng r;
        hw_rng_seed(&r, 42, 7);
        int seen_layers[3] = {0}, seen_embed[3] = {0}, bias_true = 0;
        for (int k = 0; k < 3000; k++) {
            hw_arch a;
            hw_arch_sample(sp, &r, &a);
            hw_err e = {0};
            CHECK_OK(hw_arch_validate(&a, &e));
            seen_layers[hw_choice_index(sp->layers, 3, a.n_layer)]++;
            seen_embed[hw_choice_index(sp->embed, 3, a.embed_dim)]++;
            bias_true += a.bias;
        }
        for (int i = 0; i < 3; i++) {
            CHECK(seen_layers[i] > 850 && seen_layers[i] < 1150);
            CHECK(seen_embed[i] > 850 && seen_embed[i] < 1150);
        }
        CHECK(bias_true > 1350 && bias_true < 1650);
    }
}

TEST(inert_genes_do_not_change_arch)
{
    const hw_space *sp = hw_space_get(HW_SCALE_M);
    double x[3 + 2 * HW_MAX_LAYERS] = {0};
    x[1] = 0; /* 22 layers */
    hw_arch a, b;
    hw_arch_from_genome(sp, x, &a);
    x[2 + 23] = 2;            /* mlp of layer 23: inert */
    x[2 + 24 + 22] = 1;       /* heads of layer 22: inert */
    hw_arch_from_genome(sp, x, &b);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    x[2 + 5] = 2;             /* a live gene */
    hw_arch_from_genome(sp, x, &b);
    CHECK(memcmp(&a, &b, sizeof a) != 0);
    CHECK_EQ_INT(hw_space_n_genes(sp), 51);
}
