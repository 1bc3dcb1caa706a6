/* hwnas verify — re-measure the final front of a run on this machine with
 * the profile protocol (supernet/profile.h) and compare with the surrogate's
 * predictions for the device (docs/own_hardware.md): a CSV per architecture,
 * and one JSON line with Kendall tau, the coverage of the 90% intervals and
 * the hypervolume of the front with measured against predicted values. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "core/fileio.h"
#include "core/util.h"
#include "indicators/indicators.h"
#include "runner/logread.h"
#include "supernet/profile.h"
#include "surrogates/surrogate.h"
#include "surrogates/train.h"

#define Z90 1.6448536269514722

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas verify LOG --device-name NAME [--models DIR] [--out CSV] [--protocol FILE]\n"
               "                   [--batch B] [--seq T] [--samples K] [--warmup W] [--seed N] [--max-archs N] [--quiet]\n"
               "  re-measures the final front of the run LOG (run_experiment's log) on this machine: the\n"
               "  objective 'latency@NAME' or 'energy@NAME' (energy needs RAPL), else 'latency' or 'energy',\n"
               "  of each front architecture, timed as 'hwnas profile' does (--protocol: the profile's\n"
               "  DIR/profile/S/NAME.json, else the options, defaults as profile's). Predictions: the models\n"
               "  (--models, else HWNAS_MODELS, else the shipped ones) for device NAME. Writes CSV (default\n"
               "  LOG's name + .verify.csv): arch, predicted mean and std, measured median, mean and std, the\n"
               "  fraction of the samples inside the predicted 90%% interval; prints one JSON line: Kendall\n"
               "  tau, coverage, hypervolume of the front with measured against predicted values (the run's\n"
               "  normalisation and reference point).\n"
               "  --max-archs N: measure N archs of the front, evenly spaced along it by the predicted\n"
               "  metric (the hypervolumes are then those of the subset).\n");
}

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        fprintf(stderr, "hwnas verify: %s: expected an integer in [%d, %d], got '%s'\n", opt, lo, hi, v);
        return 0;
    }
    *out = (int)x;
    return 1;
}

/* The objective to re-measure: latency or energy on device NAME, named
 * "latency@NAME" / "energy@NAME" (case-insensitive device), else a plain
 * "latency" / "energy" (the run's own device); -1 if none. */
static int measured_objective(const hw_log *log, const char *name, int *metric)
{
    static const char *const metrics[] = {"latency", "energy"};
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < log->n_obj; k++)
            for (int m = 0; m < 2; m++) {
                const char *o = log->obj_names[k];
                size_t n = strlen(metrics[m]);
                if (strncmp(o, metrics[m], n) != 0) continue;
                int match = pass == 0 ? o[n] == '@' && strcasecmp(o + n + 1, name) == 0 : o[n] == '\0';
                if (match) { *metric = m == 0 ? SUR_LATENCY : SUR_ENERGY; return k; }
            }
    return -1;
}

/* batch, seq, samples, warmup from a profile's metadata file */
static int read_protocol(const char *path, hw_profile_opts *o, hw_err *e)
{
    unsigned char *buf = NULL;
    size_t n = 0;
    int rc = hw_read_regular_file(path, "protocol file", 1 << 20, &buf, &n, e);
    if (rc) return rc;
    cJSON *j = cJSON_ParseWithLength((const char *)buf, n);
    free(buf);
    if (!j) return hw_fail(e, HW_EPARSE, "%s: not JSON (expected the profile's metadata, DIR/profile/S/NAME.json)", path);
    const char *keys[] = {"batch", "seq", "samples", "warmup"};
    int *dst[] = {&o->batch, &o->seq, &o->samples, &o->warmup};
    for (int k = 0; k < 4; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
        if (!cJSON_IsNumber(v) || v->valuedouble < (k == 3 ? 0 : 1) || v->valuedouble > 1e6 || v->valuedouble != (int)v->valuedouble) {
            cJSON_Delete(j);
            return hw_fail(e, HW_EPARSE, "%s: '%s' missing or not a valid integer", path, keys[k]);
        }
        *dst[k] = (int)v->valuedouble;
    }
    cJSON_Delete(j);
    return HW_OK;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double hv_of(const double *f, size_t n, int d, const hw_log *log, hw_err *e, int *rc)
{
    double *z = malloc((n + 1) * (size_t)d * sizeof *z), hv = NAN;
    if (!z) { *rc = hw_fail(e, HW_ENOMEM, "out of memory"); return hv; }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < d; k++) {
            double v = f[i * d + k];
            z[i * d + k] = log->obj_lo ? (v - log->obj_lo[k]) / (log->obj_hi[k] - log->obj_lo[k]) : v;
        }
    *rc = hw_hypervolume(z, n, d, log->ref, &hv, e);
    free(z);
    return hv;
}

int cmd_verify(int argc, char **argv)
{
    const char *log_path = NULL, *name = NULL, *models = NULL, *out = NULL, *protocol = NULL;
    int batch = -1, seq = -1, samples = -1, warmup = -1, quiet = 0, max_archs = 0;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (a[0] != '-' || !a[1]) {
            if (log_path) { fprintf(stderr, "hwnas verify: one LOG only (got '%s' and '%s')\n", log_path, a); return 2; }
            log_path = a;
            continue;
        }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas verify: %s needs a value\n", a); return 2; }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(a, "--device-name") == 0) name = v;
        else if (strcmp(a, "--models") == 0) models = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--protocol") == 0) protocol = v;
        else if (strcmp(a, "--batch") == 0) ok = parse_int(a, v, 1, 64, &batch);
        else if (strcmp(a, "--seq") == 0) ok = parse_int(a, v, 1, 1 << 16, &seq);
        else if (strcmp(a, "--samples") == 0) ok = parse_int(a, v, 1, 1000, &samples);
        else if (strcmp(a, "--warmup") == 0) ok = parse_int(a, v, 0, 1000, &warmup);
        else if (strcmp(a, "--max-archs") == 0) ok = parse_int(a, v, 1, 1000000, &max_archs);
        else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            ok = *v >= '0' && *v <= '9' && !*end && !errno;
            if (!ok) fprintf(stderr, "hwnas verify: --seed: expected a non-negative integer, got '%s'\n", v);
        } else { fprintf(stderr, "hwnas verify: unknown option '%s' (see --help)\n", a); return 2; }
        if (!ok) return 2;
    }
    if (!log_path) { fprintf(stderr, "hwnas verify: LOG is required (see --help)\n"); return 2; }
    if (!name) { fprintf(stderr, "hwnas verify: --device-name is required\n"); return 2; }
    hw_err e = {0};
    hw_log log;
    if (hw_log_read(log_path, HW_LOG_KEEP_GENOMES, &log, &e)) {
        fprintf(stderr, "hwnas verify: %s\n", e.msg);
        hw_log_free(&log);
        return 2;
    }
    int status = 2, rc = HW_OK;
    sur_models *ms = NULL;
    hw_profiler *prof = NULL;
    FILE *csv = NULL;
    double *pred = NULL, *psd = NULL, *med = NULL, *mean = NULL, *msd = NULL, *inside = NULL, *fm = NULL;
    int k_obj = -1, metric = -1;
    k_obj = measured_objective(&log, name, &metric);
    if (k_obj < 0) {
        char names[512] = "";
        size_t used = 0;
        for (int k = 0; k < log.n_obj && used < sizeof names; k++) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", log.obj_names[k]);
            if (w < 0) break;
            used += (size_t)w;
        }
        fprintf(stderr, "hwnas verify: %s: no objective 'latency', 'energy', 'latency@%s' or 'energy@%s' to measure "
                        "(objectives: %s)\n", log_path, name, name, names);
        goto done;
    }
    if (log.genome_kind != HW_LOG_GENOME_ARCH || log.n_front == 0) {
        fprintf(stderr, "hwnas verify: %s: %s\n", log_path, log.n_front == 0 ? "empty front" : "not a run on architectures");
        goto done;
    }
    if (max_archs > 0 && (size_t)max_archs < log.n_front) {
        /* keep max_archs points evenly spaced in the order of the measured objective */
        size_t nf = log.n_front, dd = (size_t)log.n_obj;
        size_t *ord = malloc(nf * sizeof *ord);
        double *ff = malloc((size_t)max_archs * dd * sizeof *ff);
        uint64_t *fe = malloc((size_t)max_archs * sizeof *fe);
        char **fg = log.front_genome ? calloc((size_t)max_archs, sizeof *fg) : NULL;
        if (!ord || !ff || !fe || (log.front_genome && !fg)) {
            free(ord); free(ff); free(fe); free(fg);
            fprintf(stderr, "hwnas verify: out of memory\n");
            goto done;
        }
        for (size_t i = 0; i < nf; i++) ord[i] = i;
        for (size_t i = 1; i < nf; i++)   /* insertion sort by the objective (fronts are small) */
            for (size_t j = i; j > 0 && log.front_f[ord[j] * dd + (size_t)k_obj] < log.front_f[ord[j - 1] * dd + (size_t)k_obj]; j--) {
                size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
            }
        for (int k = 0; k < max_archs; k++) {
            size_t i = max_archs == 1 ? 0 : (size_t)((double)k * (double)(nf - 1) / (double)(max_archs - 1) + 0.5);
            memcpy(ff + (size_t)k * dd, log.front_f + ord[i] * dd, dd * sizeof *ff);
            fe[k] = log.front_eval[ord[i]];
            if (fg) { fg[k] = log.front_genome[ord[i]]; log.front_genome[ord[i]] = NULL; }  /* distinct i: moved */
        }
        free(ord);
        if (fg) {
            for (size_t i = 0; i < nf; i++) free(log.front_genome[i]);   /* the archs left out */
            free(log.front_genome);
            log.front_genome = fg;
        }
        free(log.front_f); free(log.front_eval);
        log.front_f = ff; log.front_eval = fe; log.n_front = (size_t)max_archs;
    }
    hw_arch a0;
    const char *first = log.genome[log.front_eval[0]];
    const hw_space *sp = NULL;
    for (int sc = 0; sc < HW_N_SCALES && !sp; sc++)
        if (hw_arch_parse(first, hw_space_get(sc), &a0, NULL) == HW_OK) sp = hw_space_get(sc);
    if (!sp) { fprintf(stderr, "hwnas verify: %s: front arch '%s' is not of the s, m or l space\n", log_path, first); goto done; }
    char mbuf[HW_PATH_MAX];
    const char *mdir = models ? models : hw_models_dir(mbuf, sizeof mbuf);
    if ((rc = sur_models_load(mdir, sp->scale, name, &ms, &e))) { fprintf(stderr, "hwnas verify: --models: %s\n", e.msg); goto done; }
    hw_profile_opts o;
    hw_profile_opts_default(&o, sp->scale);
    if (protocol && (rc = read_protocol(protocol, &o, &e))) { fprintf(stderr, "hwnas verify: --protocol: %s\n", e.msg); goto done; }
    if (batch > 0) o.batch = batch;
    if (seq > 0) o.seq = seq;
    if (samples > 0) o.samples = samples;
    if (warmup >= 0) o.warmup = warmup;
    o.seed = seed;
    o.quiet = quiet;
    char why[1024];
    if ((rc = hw_profiler_open(&o, &prof, why, sizeof why, &e))) { fprintf(stderr, "hwnas verify: %s\n", e.msg); goto done; }
    if (metric == SUR_ENERGY && !hw_profiler_has_energy(prof)) {
        fprintf(stderr, "hwnas verify: the run's objective is energy, which this machine does not expose: %s\n", why);
        goto done;
    }
    size_t n = log.n_front;
    int d = log.n_obj;
    pred = malloc(n * sizeof *pred); psd = malloc(n * sizeof *psd); med = malloc(n * sizeof *med);
    mean = malloc(n * sizeof *mean); msd = malloc(n * sizeof *msd); inside = malloc(n * sizeof *inside);
    fm = malloc(n * (size_t)d * sizeof *fm);
    if (!pred || !psd || !med || !mean || !msd || !inside || !fm) { fprintf(stderr, "hwnas verify: out of memory\n"); goto done; }
    char csv_path[4096];
    if (out) snprintf(csv_path, sizeof csv_path, "%s", out);
    else snprintf(csv_path, sizeof csv_path, "%s.verify.csv", log_path);
    csv = fopen(csv_path, "w");
    if (!csv) { fprintf(stderr, "hwnas verify: %s: cannot write\n", csv_path); goto done; }
    fprintf(csv, "arch,predicted_mean,predicted_std,measured_median,measured_mean,measured_std,samples,inside90,median_inside90\n");
    fprintf(stderr, "hwnas verify: %zu front archs of %s, %s on %s: batch %d x seq %d, %d samples + %d warm-up\n", n, log_path,
            SUR_METRIC_NAMES[metric], name, o.batch, o.seq, o.samples, o.warmup);
    hw_progress prog;
    hw_progress_init(&prog, quiet);
    for (size_t i = 0; i < n; i++) {
        const char *as = log.genome[log.front_eval[i]];
        hw_arch a;
        if ((rc = hw_arch_parse(as, sp, &a, &e))) { fprintf(stderr, "hwnas verify: %s: %s\n", log_path, e.msg); goto done; }
        sur_pred p;
        if ((rc = sur_models_predict(ms, &a, metric, &p, &e))) { fprintf(stderr, "hwnas verify: %s\n", e.msg); goto done; }
        hw_profile_result r;
        if ((rc = hw_profiler_measure(prof, &a, &r, &e))) { fprintf(stderr, "hwnas verify: %s\n", e.msg); goto done; }
        double *v = metric == SUR_LATENCY ? r.lat_ms : r.energy_wh;
        double mu = 0, ss = 0, in90 = 0;
        for (int s = 0; s < o.samples; s++) {
            mu += v[s];
            in90 += fabs(v[s] - p.mean) <= Z90 * p.std;
        }
        mu /= o.samples;
        for (int s = 0; s < o.samples; s++) ss += (v[s] - mu) * (v[s] - mu);
        qsort(v, (size_t)o.samples, sizeof *v, cmp_d);
        double md = o.samples % 2 ? v[o.samples / 2] : 0.5 * (v[o.samples / 2 - 1] + v[o.samples / 2]);
        pred[i] = p.mean; psd[i] = p.std; med[i] = md; mean[i] = mu;
        msd[i] = o.samples > 1 ? sqrt(ss / (o.samples - 1)) : 0;
        inside[i] = in90 / o.samples;
        for (int k = 0; k < d; k++) fm[i * d + k] = k == k_obj ? md : log.front_f[i * d + k];
        fprintf(csv, "%s,%.9g,%.9g,%.9g,%.9g,%.9g,%d,%.4f,%d\n", as, p.mean, p.std, md, mu, msd[i], o.samples, inside[i],
                fabs(md - p.mean) <= Z90 * p.std);
        hw_profile_result_free(&r);
        hw_progress_update(&prog, "verifying", i + 1, n);
    }
    hw_progress_done(&prog);
    if (fclose(csv) != 0) { csv = NULL; fprintf(stderr, "hwnas verify: %s: cannot write\n", csv_path); goto done; }
    csv = NULL;
    double cov = 0, cov_med = 0;
    for (size_t i = 0; i < n; i++) { cov += inside[i]; cov_med += fabs(med[i] - pred[i]) <= Z90 * psd[i]; }
    double tau = n >= 2 ? sur_kendall_tau(pred, med, n) : NAN;
    double hv_pred = hv_of(log.front_f, n, d, &log, &e, &rc);
    double hv_meas = rc ? NAN : hv_of(fm, n, d, &log, &e, &rc);
    if (rc) { fprintf(stderr, "hwnas verify: %s\n", e.msg); goto done; }
    char tau_s[32];
    if (isnan(tau)) snprintf(tau_s, sizeof tau_s, "null");   /* one arch: no pairs to rank */
    else snprintf(tau_s, sizeof tau_s, "%.4f", tau);
    printf("{\"log\": \"%s\", \"device\": \"%s\", \"metric\": \"%s\", \"front_size\": %zu, \"kendall_tau\": %s, "
           "\"coverage90_samples\": %.4f, \"coverage90_medians\": %.4f, \"hypervolume_predicted\": %.17g, "
           "\"hypervolume_measured\": %.17g, \"csv\": \"%s\"}\n",
           log_path, name, SUR_METRIC_NAMES[metric], n, tau_s, cov / (double)n, cov_med / (double)n,
           hv_pred, hv_meas, csv_path);
    status = 0;
done:
    if (csv) fclose(csv);
    free(pred); free(psd); free(med); free(mean); free(msd); free(inside); free(fm);
    hw_profiler_close(prof);
    sur_models_free(ms);
    hw_log_free(&log);
    return status;
}
