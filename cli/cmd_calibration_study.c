/* hwnas calibration-study — the leave-one-device-out study of `hwnas
 * calibrate` (results/calibration.md, scripts/calibration_study.py): per
 * device and metric of one scale, calibrate from the other devices' models
 * with K measured archs of the training split, against a model from scratch
 * on the same K archs (calibrate.h's scratch ridge) and the full-data model,
 * all evaluated on the validation split (sur_is_validation, as
 * surrogate-report).  One CSV line per (device, metric, K, repetition,
 * method) on stdout.
 *
 * "Train on the other devices": every model of a set is fitted on its own
 * device's data alone (train.c; no model reads another device's), so the
 * models of the set trained on all devices' training split, minus the
 * held-out device's, are exactly the models trained without it; the
 * held-out device is excluded from the calibration's inputs (both metrics). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/rng.h"
#include "core/util.h"
#include "surrogates/calibrate.h"
#include "surrogates/train.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas calibration-study [--data DIR] [--scale s] [--seed N] [--reps R] [--ks 5,10,20,50,100]\n"
               "                               [--models-cache FILE] [--quiet]\n"
               "  leave-one-device-out study of 'hwnas calibrate' (results/calibration.md); CSV on stdout.\n"
               "  --models-cache FILE: the set trained on the training split is read from FILE when it\n"
               "  exists (and was trained with the same seed), else trained and written there.\n");
}

#define Z90 1.6448536269514722

typedef struct {
    double tau, cov90;
} score;

/* tau and coverage of a model over the validation rows va[0..nv) with a
 * measurement; pred(i) by calibrated model m (stacked on base) or by the
 * base set's own model k (m NULL). */
static score evaluate(const sur_set *base, const sur_model *m, int k, const sur_data *d, int metric, int device,
                      const size_t *va, size_t nv, const double *P, double *obs, double *pm)
{
    size_t u = 0;
    double cov = 0;
    for (size_t r = 0; r < nv; r++) {
        size_t i = va[r];
        double c, s;
        if (!sur_observed(d, metric, device, i, &c, &s)) continue;
        sur_input in;
        sur_input_make(&d->arch[i], &in);
        sur_pred p;
        if (m) {
            sur_calib_fill_stack(base, m, P + i * (size_t)base->n_models, &in);
            sur_model_predict(m, &in, &p);
        } else {
            sur_set_predict(base, k, &in, &p);
        }
        obs[u] = c;
        pm[u] = p.mean;
        cov += sur_coverage(d, metric, device, i, p.mean, p.std, Z90);
        u++;
    }
    score sc = {NAN, NAN};
    if (u >= 3) { sc.tau = sur_kendall_tau(pm, obs, u); sc.cov90 = cov / (double)u; }
    return sc;
}

int cmd_calibration_study(int argc, char **argv)
{
    const char *data = hw_default_data_dir(), *scale_s = "s", *cache = NULL, *ks_s = "5,10,20,50,100";
    unsigned long long seed = 1;
    int reps = 5, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas calibration-study: %s needs a value\n", a); return 2; }
        const char *v = argv[++i];
        if (strcmp(a, "--data") == 0) data = v;
        else if (strcmp(a, "--scale") == 0) scale_s = v;
        else if (strcmp(a, "--models-cache") == 0) cache = v;
        else if (strcmp(a, "--ks") == 0) ks_s = v;
        else if (strcmp(a, "--reps") == 0 || strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(v, &end, 10);
            if (!(*v >= '0' && *v <= '9') || *end || errno || (a[2] == 'r' && (x < 1 || x > 1000))) {
                fprintf(stderr, "hwnas calibration-study: %s: bad value '%s'\n", a, v);
                return 2;
            }
            if (a[2] == 'r') reps = (int)x;
            else seed = x;
        } else { fprintf(stderr, "hwnas calibration-study: unknown option '%s'\n", a); return 2; }
    }
    int ks[16], nk = 0;
    {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", ks_s);
        for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t && nk < 16; t = strtok_r(NULL, ",", &sv)) {
            ks[nk] = atoi(t);
            if (ks[nk] < 3) { fprintf(stderr, "hwnas calibration-study: --ks: each K must be >= 3\n"); return 2; }
            nk++;
        }
    }
    const hw_space *sp = hw_space_by_name(scale_s);
    if (!sp || sp->scale >= HW_N_SCALES) { fprintf(stderr, "hwnas calibration-study: --scale: expected s, m or l\n"); return 2; }
    hw_err e = {0};
    sur_data d;
    if (sur_data_load(data, sp->scale, &d, &e)) { fprintf(stderr, "hwnas calibration-study: %s\n", e.msg); return hw_exit_code(e.code); }
    sur_data_drop_own(&d);
    size_t *tr = malloc(d.n * sizeof *tr), *va = malloc(d.n * sizeof *va), ntr = 0, nv = 0;
    double *obs = malloc(d.n * sizeof *obs), *pm = malloc(d.n * sizeof *pm);
    size_t *pick = malloc(d.n * sizeof *pick);
    if (!tr || !va || !obs || !pm || !pick) { fprintf(stderr, "hwnas calibration-study: out of memory\n"); return 1; }
    for (size_t i = 0; i < d.n; i++) {
        if (sur_is_validation(d.name[i], seed)) va[nv++] = i;
        else tr[ntr++] = i;
    }
    sur_set *s = NULL;
    int rc = HW_OK;
    if (cache && sur_set_load_file(cache, &s, NULL) == HW_OK && s->scale == sp->scale) {
        fprintf(stderr, "calibration-study: models of the training split from %s\n", cache);
    } else {
        if (s) { surrogate_free(s); s = NULL; }
        double t0 = hw_now();
        rc = sur_train_set(&d, tr, ntr, seed, quiet, &s, &e);
        if (!rc) fprintf(stderr, "calibration-study: trained on %zu archs in %.0f s\n", ntr, hw_now() - t0);
        if (!rc && cache) rc = sur_set_save(s, cache, &e);
    }
    if (rc) { fprintf(stderr, "hwnas calibration-study: %s\n", e.msg); return hw_exit_code(rc); }
    /* every model's log mean on every arch, once */
    double *P = malloc(d.n * (size_t)s->n_models * sizeof *P);
    if (!P) { fprintf(stderr, "hwnas calibration-study: out of memory\n"); return 1; }
#pragma omp parallel for schedule(dynamic, 64)
    for (size_t i = 0; i < d.n; i++) {
        sur_input in;
        sur_input_make(&d.arch[i], &in);
        for (int k = 0; k < s->n_models; k++) {
            sur_pred p;
            sur_set_predict(s, k, &in, &p);
            P[i * (size_t)s->n_models + (size_t)k] = log(p.mean);
        }
    }
    printf("scale,metric,device,group,k,rep,method,tau,cov90,chosen\n");
    for (int metric = SUR_LATENCY; metric < SUR_N_METRICS; metric++)
        for (int dev = 0; dev < SUR_N_DEVICES; dev++) {
            int km = s->index[metric][dev];
            if (km < 0) continue;
            const char *group = dev < SUR_N_GPUS ? "GPU" : "CPU";
            score full = evaluate(s, NULL, km, &d, metric, dev, va, nv, P, obs, pm);
            printf("%s,%s,%s,%s,%s,0,full,%.5f,%.5f,all %zu training archs\n", sp->name, SUR_METRIC_NAMES[metric],
                   SUR_DEVICE_NAMES[dev], group, "all", full.tau, full.cov90, ntr);
            /* the training archs with a measurement of this device */
            size_t nm = 0;
            for (size_t r = 0; r < ntr; r++) {
                double c, sp_;
                if (sur_observed(&d, metric, dev, tr[r], &c, &sp_)) pick[nm++] = tr[r];
            }
            for (int ki = 0; ki < nk; ki++)
                for (int rep = 0; rep < reps; rep++) {
                    size_t K = (size_t)ks[ki];
                    if (K > nm) continue;
                    hw_rng rg;
                    hw_rng_seed(&rg, seed * 7919ULL + (uint64_t)(metric * 100 + dev), (uint64_t)(ki * 1000 + rep + 10));
                    for (size_t j = 0; j < K; j++) {   /* partial Fisher-Yates: K distinct archs */
                        size_t t = j + hw_rng_below(&rg, (uint32_t)(nm - j));
                        size_t x = pick[j]; pick[j] = pick[t]; pick[t] = x;
                    }
                    for (int method = 0; method < 2; method++) {
                        sur_calib_opts o;
                        sur_calib_opts_default(&o, metric, dev);
                        o.exclude[dev] = 1;
                        o.scratch_only = method == 1;
                        o.seed = seed;
                        sur_model m;
                        sur_calib_info info;
                        if ((rc = sur_calibrate_pred(s, &d, pick, K, P, &o, &m, &info, &e))) {
                            fprintf(stderr, "hwnas calibration-study: %s %s K=%zu: %s\n", SUR_METRIC_NAMES[metric],
                                    SUR_DEVICE_NAMES[dev], K, e.msg);
                            return hw_exit_code(rc);
                        }
                        score sc = evaluate(s, &m, -1, &d, metric, dev, va, nv, P, obs, pm);
                        printf("%s,%s,%s,%s,%zu,%d,%s,%.5f,%.5f,%s\n", sp->name, SUR_METRIC_NAMES[metric], SUR_DEVICE_NAMES[dev],
                               group, K, rep, method ? "scratch" : "calibrated", sc.tau, sc.cov90, info.method);
                        sur_model_free(&m);
                    }
                }
            fflush(stdout);
        }
    free(P); free(tr); free(va); free(obs); free(pm); free(pick);
    surrogate_free(s);
    sur_data_free(&d);
    return 0;
}
