/* hwnas train-surrogates — train every surrogate model from HW-GPT-Bench data
 * (or a directory in its layout, such as `hwnas profile` writes, whose own
 * devices are trained too) and write one model file per scale
 * (surrogates/README.md); --devices / --exclude-devices train a subset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "cli/commands.h"
#include "cli/train_opts.h"
#include "core/util.h"
#include "surrogates/train.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas train-surrogates [--data DIR] [--out DIR] [--seed N] [--scales s,m,l]\n"
               "                              [--devices LIST | --exclude-devices LIST] [--quiet]\n"
               "  trains perplexity, latency and energy models for every scale and device;\n"
               "  writes OUT/<scale>.hwsur (default OUT: surrogates/models of the source tree)\n"
               "  --devices a100,h100         only these devices' latency and energy models (comma-separated)\n"
               "  --exclude-devices P100,...  every device but these\n"
               "  DIR may be a directory written by 'hwnas profile' (own devices, docs/own_hardware.md)\n");
}

int cmd_train_surrogates(int argc, char **argv)
{
    train_opts o = {.data = hw_default_data_dir(), .out = hw_default_models_dir(), .scales = "s,m,l", .seed = 1};
    /* --devices / --exclude-devices are this command's own; the rest are train_opts */
    const char *devices = NULL, *exclude = NULL;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest) { fprintf(stderr, "hwnas train-surrogates: out of memory\n"); return 1; }
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        int dv = i > 0 && strcmp(argv[i], "--devices") == 0, ex = i > 0 && strcmp(argv[i], "--exclude-devices") == 0;
        if (!dv && !ex) { rest[nrest++] = argv[i]; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas train-surrogates: %s needs a value\n", argv[i]); free(rest); return 2; }
        if (dv) devices = argv[++i];
        else exclude = argv[++i];
    }
    rest[nrest] = NULL;
    if (devices && exclude) {
        fprintf(stderr, "hwnas train-surrogates: give at most one of --devices and --exclude-devices\n");
        free(rest);
        return 2;
    }
    int rc0 = train_opts_parse(nrest, rest, "train-surrogates", "--out", usage, &o);
    free(rest);
    if (rc0 >= 0) return rc0;
    hw_err e = {0};
    if (hw_mkdir_p(o.out, &e)) { fprintf(stderr, "hwnas train-surrogates: %s\n", e.msg); return 1; }
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        const char *name = hw_space_get(sc)->name;
        if (!o.want[sc]) continue;
        double t0 = hw_now();
        sur_data d;
        if (sur_data_load(o.data, sc, &d, &e)) { fprintf(stderr, "hwnas train-surrogates: %s\n", e.msg); return hw_exit_code(e.code); }
        if (sur_data_select_devices(&d, devices, exclude, &e)) {
            fprintf(stderr, "hwnas train-surrogates: %s\n", e.msg);
            sur_data_free(&d);
            return 2;
        }
        double t1 = hw_now();
        sur_set *s;
        int rc = sur_train_set(&d, NULL, 0, o.seed, o.quiet, &s, &e);
        sur_data_free(&d);
        if (rc) { fprintf(stderr, "hwnas train-surrogates: %s\n", e.msg); return hw_exit_code(rc); }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.hwsur", o.out, name);
        rc = sur_set_save(s, path, &e);
        int nm = s->n_models;
        surrogate_free(s);
        if (rc) { fprintf(stderr, "hwnas train-surrogates: %s\n", e.msg); return hw_exit_code(rc); }
        fprintf(stderr, "scale %s: %d models -> %s (load %.1f s, train %.1f s, %d threads)\n", name, nm, path,
                t1 - t0, hw_now() - t1, omp_get_max_threads());
    }
    return 0;
}
