/* cli/train_opts.h — the command-line options shared by the surrogate
 * training subcommands (train-surrogates, surrogate-report): --data DIR, an
 * output directory option, --seed N, --scales s,m,l, --quiet and --help. */
#ifndef HWNAS_CLI_TRAIN_OPTS_H
#define HWNAS_CLI_TRAIN_OPTS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space/space.h"

typedef struct {
    const char *data, *out, *scales;
    unsigned long long seed;
    int quiet;
    int want[HW_N_SCALES]; /* from --scales: 1 = this scale is wanted */
} train_opts;

/* Parses argv[1..] into o (which holds the defaults); out_opt names the
 * output directory option ("--out").  Returns -1 to go on, else the exit
 * status: 0 after --help (usage on stdout), 2 on bad input (one line on
 * stderr prefixed "hwnas CMD: "). */
static inline int train_opts_parse(int argc, char **argv, const char *cmd, const char *out_opt,
                                   void (*usage)(FILE *), train_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(a, "--quiet") == 0) { o->quiet = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas %s: %s needs a value\n", cmd, a); return 2; }
        const char *v = argv[++i];
        if (strcmp(a, "--data") == 0) o->data = v;
        else if (strcmp(a, out_opt) == 0) o->out = v;
        else if (strcmp(a, "--scales") == 0) o->scales = v;
        else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            o->seed = strtoull(v, &end, 10);
            if (!(*v >= '0' && *v <= '9') || *end || errno) {
                fprintf(stderr, "hwnas %s: --seed: expected a non-negative integer, got '%s'\n", cmd, v);
                return 2;
            }
        } else {
            fprintf(stderr, "hwnas %s: unknown option '%s'\n", cmd, a);
            return 2;
        }
    }
    hw_err e = {0};
    if (hw_scale_list_parse(o->scales, o->want, &e)) {
        fprintf(stderr, "hwnas %s: --scales: %s\n", cmd, e.msg);
        return 2;
    }
    return -1;
}

#endif
