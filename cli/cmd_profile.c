/* hwnas profile — time sampled architectures on this machine with the CPU
 * supernet's forward pass (random weights) and write latency, energy (RAPL)
 * and memory in HW-GPT-Bench's data layout (supernet/profile.h,
 * docs/own_hardware.md). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/lines.h"
#include "core/rng.h"
#include "core/util.h"
#include "supernet/cuda/sn_cuda.h"
#include "supernet/profile.h"
#include "surrogates/surrogate.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas profile --scale S --device-name NAME (--archs N | --arch-file F) --out DIR\n"
               "                     [--seed N] [--batch B] [--seq T] [--samples K] [--warmup W] [--cuda] [--quiet]\n"
               "  times the forward pass of N sampled architectures (or those of F, one arch string a\n"
               "  line, - for stdin) of space S (s, m, l) on this machine; random weights (latency does\n"
               "  not depend on their values). Writes DIR/latency/S/NAME.jsonl.gz (the data layout of\n"
               "  docs/data.md), DIR/energy/S/NAME.jsonl.gz where RAPL counters are readable, DIR/memory/S/\n"
               "  NAME.jsonl.gz (peak memory of the forward), DIR/analytic/S.jsonl.gz and the protocol in\n"
               "  DIR/profile/S/NAME.json. Defaults (this machine's protocol): --batch 1 --seq 8\n"
               "  --samples 10 --warmup 1 --seed 1. HW-GPT-Bench's protocol: --batch 8 (s), 4 (m), 1 (l)\n"
               "  --seq 1024 --samples 10 (docs/own_hardware.md). --cuda: the GPU forward (needs a build with\n"
               "  the CUDA module).\n");
}

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        fprintf(stderr, "hwnas profile: %s: expected an integer in [%d, %d], got '%s'\n", opt, lo, hi, v);
        return 0;
    }
    *out = (int)x;
    return 1;
}

/* Read arch strings of space sp from path; errors name FILE:LINE. */
static int read_arch_file(const char *path, const hw_space *sp, hw_arch **archs, size_t *n, hw_err *e)
{
    hw_lines *l;
    int rc = hw_lines_open(path, &l, e);
    if (rc) return rc;
    size_t cap = 0;
    char *line;
    size_t len;
    int got;
    while ((got = hw_lines_next(l, &line, &len, e)) == 1) {
        while (len > 0 && isspace((unsigned char)line[len - 1])) line[--len] = 0;
        while (*line && isspace((unsigned char)*line)) line++;
        if (!*line) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            hw_arch *na = realloc(*archs, cap * sizeof *na);
            if (!na) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
            *archs = na;
        }
        hw_err ae = {0};
        if (hw_arch_parse(line, sp, &(*archs)[*n], &ae)) {
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: %s", hw_lines_path(l), hw_lines_number(l), ae.msg);
            break;
        }
        (*n)++;
    }
    if (got < 0) rc = got;
    hw_lines_close(l);
    if (!rc && *n == 0) rc = hw_fail(e, HW_EPARSE, "%s: no architectures", path);
    return rc;
}

/* n distinct random archs of sp (seeded). */
static int sample_archs(const hw_space *sp, int n, uint64_t seed, hw_arch **archs, hw_err *e)
{
    *archs = malloc((size_t)n * sizeof **archs);
    if (!*archs) return hw_fail(e, HW_ENOMEM, "out of memory");
    hw_rng r;
    hw_rng_seed(&r, seed, HW_STREAM_OPTIMIZER);
    int k = 0;
    for (int tries = 0; k < n && tries < 100 * n; tries++) {
        hw_arch_sample(sp, &r, &(*archs)[k]);
        char s[HW_ARCH_STRLEN], t[HW_ARCH_STRLEN];
        hw_arch_format(&(*archs)[k], s, sizeof s);
        int dup = 0;
        for (int j = 0; j < k && !dup; j++) {
            hw_arch_format(&(*archs)[j], t, sizeof t);
            dup = strcmp(s, t) == 0;
        }
        if (!dup) k++;
    }
    return HW_OK;
}

int cmd_profile(int argc, char **argv)
{
    const char *scale_s = NULL, *name = NULL, *out = NULL, *arch_file = NULL, *powercap = NULL;
    int n_archs = 0, cuda = 0, quiet = 0, batch = 1, seq = 8, samples = 10, warmup = 1;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(a, "--cuda") == 0) { cuda = 1; continue; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas profile: %s needs a value\n", a); return 2; }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(a, "--scale") == 0) scale_s = v;
        else if (strcmp(a, "--device-name") == 0) name = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--arch-file") == 0) arch_file = v;
        else if (strcmp(a, "--powercap") == 0) powercap = v;
        else if (strcmp(a, "--archs") == 0) ok = parse_int(a, v, 1, 1000000, &n_archs);
        else if (strcmp(a, "--batch") == 0) ok = parse_int(a, v, 1, 64, &batch);
        else if (strcmp(a, "--seq") == 0) ok = parse_int(a, v, 1, 1 << 16, &seq);
        else if (strcmp(a, "--samples") == 0) ok = parse_int(a, v, 1, 1000, &samples);
        else if (strcmp(a, "--warmup") == 0) ok = parse_int(a, v, 0, 1000, &warmup);
        else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            ok = *v >= '0' && *v <= '9' && !*end && !errno;
            if (!ok) fprintf(stderr, "hwnas profile: --seed: expected a non-negative integer, got '%s'\n", v);
        } else { fprintf(stderr, "hwnas profile: unknown option '%s' (see --help)\n", a); return 2; }
        if (!ok) return 2;
    }
    const char *missing = !scale_s ? "--scale" : !name ? "--device-name" : !out ? "--out" : NULL;
    if (missing) { fprintf(stderr, "hwnas profile: %s is required (see --help)\n", missing); return 2; }
    if (!n_archs == !arch_file) { fprintf(stderr, "hwnas profile: give exactly one of --archs N and --arch-file F\n"); return 2; }
    if (cuda) {
        hw_err ce = {0};
        if (sn_cuda_available(&ce)) { fprintf(stderr, "hwnas profile: --cuda: %s\n", ce.msg); return 2; }
    }
    hw_err e = {0};
    const hw_space *sp = hw_space_by_name(scale_s);
    if (!sp || sp->scale >= HW_N_SCALES) {
        fprintf(stderr, "hwnas profile: --scale: expected s, m or l (HW-GPT-Bench's spaces), got '%s'\n", scale_s);
        return 2;
    }
    if (sur_own_device_name_check(name, &e)) { fprintf(stderr, "hwnas profile: --device-name: %s\n", e.msg); return 2; }
    if (seq > sp->block_size) { fprintf(stderr, "hwnas profile: --seq %d exceeds the block size %d of space %s\n", seq, sp->block_size, sp->name); return 2; }
    hw_arch *archs = NULL;
    size_t n = 0;
    int rc = arch_file ? read_arch_file(arch_file, sp, &archs, &n, &e) : sample_archs(sp, n_archs, seed, &archs, &e);
    if (!arch_file && !rc) n = (size_t)n_archs;
    if (rc) { fprintf(stderr, "hwnas profile: %s\n", e.msg); free(archs); return 2; }
    hw_profile_opts o;
    hw_profile_opts_default(&o, sp->scale);
    o.batch = batch; o.seq = seq; o.samples = samples; o.warmup = warmup; o.seed = seed; o.quiet = quiet;
    if (powercap) o.powercap = powercap;
    o.cuda = cuda;
    fprintf(stderr, "hwnas profile: %zu archs of space %s, batch %d x seq %d, %d samples + %d warm-up, random weights\n", n,
            sp->name, batch, seq, samples, warmup);
    double t0 = hw_now();
    rc = hw_profile_run(&o, archs, n, out, name, &e);
    free(archs);
    if (rc) { fprintf(stderr, "hwnas profile: %s\n", e.msg); return hw_exit_code(rc); }
    printf("{\"device\": \"%s\", \"scale\": \"%s\", \"archs\": %zu, \"seconds\": %.1f, \"latency\": \"%s/latency/%s/%s.jsonl.gz\", "
           "\"metadata\": \"%s/profile/%s/%s.json\"}\n", name, sp->name, n, hw_now() - t0, out, sp->name, name, out, sp->name, name);
    return 0;
}
