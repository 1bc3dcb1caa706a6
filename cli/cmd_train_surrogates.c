/* hwnas train-surrogates — train every surrogate model from HW-GPT-Bench data
 * and write one model file per scale (surrogates/README.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "cli/commands.h"
#include "core/util.h"
#include "surrogates/train.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas train-surrogates [--data DIR] [--out DIR] [--seed N] [--scales s,m,l] [--quiet]\n"
               "  trains perplexity, latency and energy models for every scale and device;\n"
               "  writes OUT/<scale>.hwsur (default OUT: surrogates/models of the source tree)\n");
}

int cmd_train_surrogates(int argc, char **argv)
{
    const char *data = hw_default_data_dir(), *out = hw_default_models_dir(), *scales = "s,m,l";
    unsigned long long seed = 1;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "train-surrogates: %s needs a value\n", a); return 2; }
        const char *v = argv[++i];
        if (strcmp(a, "--data") == 0) data = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--scales") == 0) scales = v;
        else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            if (!(*v >= '0' && *v <= '9') || *end || errno) { fprintf(stderr, "train-surrogates: --seed: expected a non-negative integer, got '%s'\n", v); return 2; }
        } else { fprintf(stderr, "train-surrogates: unknown option '%s'\n", a); return 2; }
    }
    hw_err e = {0};
    int want[HW_N_SCALES];
    if (hw_scale_list_parse(scales, want, &e)) { fprintf(stderr, "train-surrogates: --scales: %s\n", e.msg); return 2; }
    if (hw_mkdir_p(out, &e)) { fprintf(stderr, "train-surrogates: %s\n", e.msg); return 1; }
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        const char *name = hw_space_get(sc)->name;
        if (!want[sc]) continue;
        double t0 = hw_now();
        sur_data d;
        if (sur_data_load(data, sc, &d, &e)) { fprintf(stderr, "train-surrogates: %s\n", e.msg); return hw_exit_code(e.code); }
        double t1 = hw_now();
        sur_set *s;
        int rc = sur_train_set(&d, NULL, 0, seed, quiet, &s, &e);
        sur_data_free(&d);
        if (rc) { fprintf(stderr, "train-surrogates: %s\n", e.msg); return hw_exit_code(rc); }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.hwsur", out, name);
        rc = sur_set_save(s, path, &e);
        int nm = s->n_models;
        surrogate_free(s);
        if (rc) { fprintf(stderr, "train-surrogates: %s\n", e.msg); return hw_exit_code(rc); }
        fprintf(stderr, "scale %s: %d models -> %s (load %.1f s, train %.1f s, %d threads)\n", name, nm, path,
                t1 - t0, hw_now() - t1, omp_get_max_threads());
    }
    return 0;
}
