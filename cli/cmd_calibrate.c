/* hwnas calibrate — a surrogate for your own device from a few measured
 * architectures, with the known devices' models as prior knowledge
 * (surrogates/calibrate.h, docs/own_hardware.md): writes a model directory
 * holding the base models plus the new device. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/fileio.h"
#include "core/util.h"
#include "surrogates/calibrate.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas calibrate --base MODELS --measurements FILE --scale S --metric latency|energy\n"
               "                       --device-name NAME --out MODELS2 [--seed N]\n"
               "  FILE: measurements of NAME in the data layout (docs/data.md), e.g. what\n"
               "  'hwnas profile' writes to DIR/latency/<S>/<NAME>.jsonl.gz (any number of archs >= 3;\n"
               "  a few dozen are enough). MODELS2 gets MODELS' files with NAME's model added to\n"
               "  <S>.hwsur: use it with --models / HWNAS_MODELS / the config's \"models\" and\n"
               "  --device NAME / \"device\": \"NAME\". Prints one JSON line: the method chosen,\n"
               "  its leave-one-out error and the calibrated spreads.\n");
}

/* Copy the base set files of the other scales into out (so MODELS2 is complete). */
static int copy_other_scales(const char *base, const char *out, int scale, hw_err *e)
{
    for (int sc = 0; sc < HW_N_SCALES; sc++) {
        if (sc == scale) continue;
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s.hwsur", base, hw_space_get(sc)->name);
        snprintf(dst, sizeof dst, "%s/%s.hwsur", out, hw_space_get(sc)->name);
        FILE *fi = fopen(src, "rb");
        if (!fi) continue;
        if (strcmp(base, out) == 0) { fclose(fi); continue; }
        FILE *fo = fopen(dst, "wb");
        if (!fo) { fclose(fi); return hw_fail(e, HW_EIO, "%s: cannot write", dst); }
        char buf[1 << 16];
        size_t k;
        int ok = 1;
        while ((k = fread(buf, 1, sizeof buf, fi)) > 0) ok &= fwrite(buf, 1, k, fo) == k;
        ok &= !ferror(fi);
        fclose(fi);
        ok &= fclose(fo) == 0;
        if (!ok) return hw_fail(e, HW_EIO, "%s: cannot copy to %s", src, dst);
    }
    return HW_OK;
}

int cmd_calibrate(int argc, char **argv)
{
    const char *base = NULL, *file = NULL, *scale_s = NULL, *metric_s = NULL, *name = NULL, *out = NULL;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas calibrate: %s needs a value\n", a); return 2; }
        const char *v = argv[++i];
        if (strcmp(a, "--base") == 0) base = v;
        else if (strcmp(a, "--measurements") == 0) file = v;
        else if (strcmp(a, "--scale") == 0) scale_s = v;
        else if (strcmp(a, "--metric") == 0) metric_s = v;
        else if (strcmp(a, "--device-name") == 0) name = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            if (!(*v >= '0' && *v <= '9') || *end || errno) {
                fprintf(stderr, "hwnas calibrate: --seed: expected a non-negative integer, got '%s'\n", v);
                return 2;
            }
        } else { fprintf(stderr, "hwnas calibrate: unknown option '%s' (see --help)\n", a); return 2; }
    }
    const char *missing = !base ? "--base" : !file ? "--measurements" : !scale_s ? "--scale" : !metric_s ? "--metric"
                          : !name ? "--device-name" : !out ? "--out" : NULL;
    if (missing) { fprintf(stderr, "hwnas calibrate: %s is required (see --help)\n", missing); return 2; }
    hw_err e = {0};
    const hw_space *sp = hw_space_by_name(scale_s);
    if (!sp || sp->scale >= HW_N_SCALES) { fprintf(stderr, "hwnas calibrate: --scale: expected s, m or l, got '%s'\n", scale_s); return 2; }
    int metric;
    if (sur_metric_lookup(metric_s, &metric, &e) || metric == SUR_PERPLEXITY) {
        fprintf(stderr, "hwnas calibrate: --metric: expected latency or energy, got '%s'\n", metric_s);
        return 2;
    }
    sur_set *set = NULL;
    if (surrogate_load(base, sp->scale, &set, &e)) { fprintf(stderr, "hwnas calibrate: --base: %s\n", e.msg); return hw_exit_code(e.code); }
    int device;
    if (sur_set_own_slot(set, name, &device, &e)) {
        fprintf(stderr, "hwnas calibrate: --device-name: %s\n", e.msg);
        surrogate_free(set);
        return 2;
    }
    sur_data d;
    if (sur_measurements_load(file, sp->scale, metric, device, name, &d, &e)) {
        fprintf(stderr, "hwnas calibrate: %s\n", e.msg);
        surrogate_free(set);
        return 2;
    }
    /* the device's earlier model (a recalibration) is not an input */
    sur_calib_opts o;
    sur_calib_opts_default(&o, metric, device);
    o.seed = seed;
    sur_model m;
    sur_calib_info info;
    int rc = sur_calibrate(set, &d, NULL, 0, &o, &m, &info, &e);
    sur_data_free(&d);
    if (!rc) rc = sur_set_put(set, &m, &e);
    if (rc) {
        fprintf(stderr, "hwnas calibrate: %s: %s\n", file, e.msg);
        sur_model_free(&m);
        surrogate_free(set);
        return hw_exit_code(rc);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.hwsur", out, sp->name);
    rc = hw_mkdir_p(out, &e);
    if (!rc) rc = copy_other_scales(base, out, sp->scale, &e);
    if (!rc) rc = sur_set_save(set, path, &e);
    const sur_model *nm = &set->models[set->index[metric][device]];
    double rn = (nm->flags & SUR_FLAG_NOISE) ? exp(nm->noise_gbm.base) : 0;
    if (!rc)
        printf("{\"device\": \"%s\", \"scale\": \"%s\", \"metric\": \"%s\", \"archs\": %zu, \"method\": \"%s\", "
               "\"loo_rms_log\": %.5f, \"calib\": %.4f, \"noise_rel_sd\": %.5f, \"bounds\": [%.6g, %.6g], \"models\": \"%s\"}\n",
               name, sp->name, SUR_METRIC_NAMES[metric], info.n_arch, info.method, info.loo_rms, nm->calib, rn,
               nm->bound_lo, nm->bound_hi, out);
    surrogate_free(set);
    if (rc) { fprintf(stderr, "hwnas calibrate: %s\n", e.msg); return hw_exit_code(rc); }
    return 0;
}
