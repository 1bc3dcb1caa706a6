/* supernet/profile.c — timing, energy and memory of architectures on this
 * machine (protocol and files in profile.h). */
#include "supernet/profile.h"
#include "supernet/cuda/sn_cuda.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <omp.h>
#include <zlib.h>

#include "core/lines.h"
#include "core/rng.h"
#include "core/util.h"
#include "space/analytic.h"
#include "supernet/blas.h"
#include "supernet/supernet.h"

#ifndef HWNAS_GIT_COMMIT
#define HWNAS_GIT_COMMIT "unknown"
#endif

void hw_profile_opts_default(hw_profile_opts *o, int scale)
{
    memset(o, 0, sizeof *o);
    o->scale = scale;
    o->batch = 1;
    o->seq = 8;
    o->samples = 10;
    o->warmup = 1;
    o->seed = 1;
    o->powercap = "/sys/class/powercap";
}

/* ---- RAPL ---- */

static int read_double_file(const char *path, double *v)
{
    FILE *f = fopen(path, "r");
    if (!f) return -errno;
    int ok = fscanf(f, "%lf", v) == 1;
    fclose(f);
    return ok ? 0 : -EINVAL;
}

static int cmp_str(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

int hw_rapl_open(hw_rapl *r, const char *root, hw_err *e)
{
    memset(r, 0, sizeof *r);
    DIR *d = opendir(root);
    if (!d) return hw_fail(e, HW_EMISSING, "%s: not present (no RAPL powercap interface on this machine or in this container)", root);
    char zones[8][64];
    int nz = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nz < 8) {
        int k, used = 0;
        /* top-level zones only: intel-rapl:N (sub-zones intel-rapl:N:M are inside them) */
        if (sscanf(de->d_name, "intel-rapl:%d%n", &k, &used) == 1 && de->d_name[used] == 0)
            snprintf(zones[nz++], sizeof zones[0], "%.40s", de->d_name);
    }
    closedir(d);
    if (nz == 0) return hw_fail(e, HW_EMISSING, "%s: no intel-rapl:N zones (no RAPL energy counters exposed)", root);
    qsort(zones, (size_t)nz, sizeof zones[0], cmp_str);
    for (int i = 0; i < nz; i++) {
        char p[600];
        snprintf(r->path[i], sizeof r->path[i], "%.400s/%.40s/energy_uj", root, zones[i]);
        snprintf(p, sizeof p, "%.400s/%.40s/max_energy_range_uj", root, zones[i]);
        int rc = read_double_file(r->path[i], &r->last_uj[i]);
        if (rc == -EACCES || rc == -EPERM)
            return hw_fail(e, HW_EMISSING, "%s: not readable by this user (root-only since Linux 5.10; "
                                           "'sudo chmod a+r %s/intel-rapl:*/energy_uj' allows it)", r->path[i], root);
        if (rc) return hw_fail(e, HW_EMISSING, "%s: cannot read (%s)", r->path[i], strerror(-rc));
        if (read_double_file(p, &r->max_uj[i]) || !(r->max_uj[i] > 0)) r->max_uj[i] = 0;
    }
    r->n = nz;
    return HW_OK;
}

double hw_rapl_joules(hw_rapl *r)
{
    double j = 0;
    for (int i = 0; i < r->n; i++) {
        double v;
        if (read_double_file(r->path[i], &v)) return -1;
        double dv = v - r->last_uj[i];
        if (dv < 0) dv += r->max_uj[i] > 0 ? r->max_uj[i] : 0;   /* the counter wrapped */
        if (dv < 0) dv = 0;
        r->last_uj[i] = v;
        j += dv * 1e-6;
    }
    return j;
}

/* ---- memory ---- */

/* VmRSS or VmHWM of this process in kB (-1 when unreadable). */
static double status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    double v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') { v = atof(line + kl + 1); break; }
    fclose(f);
    return v;
}

/* Reset the peak RSS to the current RSS (Linux >= 4.0); 0 on success. */
static int reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    if (fd < 0) return -1;
    int ok = write(fd, "5", 1) == 1;
    close(fd);
    return ok ? 0 : -1;
}

/* ---- the profiler ---- */

struct hw_profiler {
    hw_profile_opts o;
    sn_model model;
    int32_t *tokens;
    hw_rapl rapl;
    int has_energy;
    int peak_reset_ok;
    sn_cuda *gpu;            /* o.cuda: the model on the GPU */
};

int hw_profiler_open(const hw_profile_opts *o, hw_profiler **out, char *why_no_energy, size_t n, hw_err *e)
{
    *out = NULL;
    if (o->scale < 0 || o->scale >= HW_N_SCALES) return hw_fail(e, HW_EINVAL, "profile: scale must be s, m or l");
    const hw_space *sp = hw_space_get(o->scale);
    if (o->batch < 1 || o->seq < 1 || o->seq > sp->block_size || o->samples < 1 || o->warmup < 0)
        return hw_fail(e, HW_ERANGE, "profile: need batch >= 1, 1 <= seq <= %d, samples >= 1, warmup >= 0", sp->block_size);
    hw_profiler *p = calloc(1, sizeof *p);
    if (!p) return hw_fail(e, HW_ENOMEM, "out of memory");
    p->o = *o;
    sn_config cfg;
    sn_config_from_space(sp, HW_ANALYTIC_VOCAB, 0.25f, &cfg);
    int rc = sn_model_init(&p->model, &cfg, o->seed, e);
    if (rc) { free(p); return rc; }
    size_t nt = (size_t)o->batch * (size_t)o->seq;
    p->tokens = malloc(nt * sizeof *p->tokens);
    if (!p->tokens) { hw_profiler_close(p); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    hw_rng r;
    hw_rng_seed(&r, o->seed, HW_STREAM_SPLIT);
    for (size_t i = 0; i < nt; i++) p->tokens[i] = (int32_t)hw_rng_below(&r, (uint32_t)cfg.vocab);
    if (o->cuda) {
        if ((rc = sn_cuda_create(&p->gpu, &p->model, o->batch, o->seq, e))) { hw_profiler_close(p); return rc; }
        if (why_no_energy && n) snprintf(why_no_energy, n, "GPU energy needs NVML counters, which hwnas does not read yet");
        p->peak_reset_ok = 0;
        *out = p;
        return HW_OK;
    }
    hw_err re = {0};
    p->has_energy = hw_rapl_open(&p->rapl, o->powercap ? o->powercap : "/sys/class/powercap", &re) == HW_OK;
    if (why_no_energy && n) snprintf(why_no_energy, n, "%s", p->has_energy ? "" : re.msg);
    p->peak_reset_ok = reset_peak_rss() == 0 && status_kb("VmHWM") >= 0;
    *out = p;
    return HW_OK;
}

void hw_profiler_close(hw_profiler *p)
{
    if (!p) return;
    if (p->gpu) sn_cuda_free(p->gpu);
    sn_model_free(&p->model);
    free(p->tokens);
    free(p);
}

int hw_profiler_has_energy(const hw_profiler *p) { return p->has_energy; }

void hw_profile_result_free(hw_profile_result *r)
{
    free(r->lat_ms);
    free(r->energy_wh);
    memset(r, 0, sizeof *r);
}

/* On the GPU: each sample is one forward's device time (sn_cuda_time_forward
 * with one run, after its own warm-up forward); memory is the growth of the
 * peak device memory in use of the whole profile goes to the metadata. */
static int measure_gpu(hw_profiler *p, const sn_dims *d, hw_profile_result *r, hw_err *e)
{
    int rc = HW_OK;
    double ms;
    for (int w = 0; w < p->o.warmup && !rc; w++) rc = sn_cuda_time_forward(p->gpu, d, p->o.batch, p->o.seq, 1, &ms, e);
    for (int s = 0; s < p->o.samples && !rc; s++)
        rc = sn_cuda_time_forward(p->gpu, d, p->o.batch, p->o.seq, 1, &r->lat_ms[s], e);
    if (rc) { hw_profile_result_free(r); return rc; }
    /* one arena sized for the largest arch serves every arch: no per-arch
     * activation figure (the metadata gives the device's peak in use) */
    r->activation_mb = NAN;
    r->weights_mb = (double)sn_dims_params(&p->model.cfg, d) * 4.0 / (1024.0 * 1024.0);
    return HW_OK;
}

int hw_profiler_measure(hw_profiler *p, const hw_arch *a, hw_profile_result *r, hw_err *e)
{
    memset(r, 0, sizeof *r);
    sn_dims d;
    int rc = sn_dims_from_arch(&p->model.cfg, a, &d, e);
    if (rc) return rc;
    r->lat_ms = malloc((size_t)p->o.samples * sizeof *r->lat_ms);
    if (p->has_energy) r->energy_wh = malloc((size_t)p->o.samples * sizeof *r->energy_wh);
    if (!r->lat_ms || (p->has_energy && !r->energy_wh)) { hw_profile_result_free(r); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    if (p->gpu) return measure_gpu(p, &d, r, e);
    /* a freshly mapped arena: its pages count in the peak RSS when the forward touches them */
    if ((rc = sn_model_alloc_arena(&p->model, p->o.batch, p->o.seq, 0, e))) { hw_profile_result_free(r); return rc; }
    double rss0 = status_kb("VmRSS");
    int peak_ok = p->peak_reset_ok && reset_peak_rss() == 0;
    for (int w = 0; w < p->o.warmup && !rc; w++) rc = sn_forward(&p->model, &d, p->tokens, NULL, p->o.batch, p->o.seq, NULL, e);
    for (int s = 0; s < p->o.samples && !rc; s++) {
        if (p->has_energy) hw_rapl_joules(&p->rapl);
        double t0 = hw_now();
        rc = sn_forward(&p->model, &d, p->tokens, NULL, p->o.batch, p->o.seq, NULL, e);
        r->lat_ms[s] = (hw_now() - t0) * 1e3;
        if (p->has_energy) {
            double j = hw_rapl_joules(&p->rapl);
            if (j < 0) rc = hw_fail(e, HW_EIO, "%s: cannot read", p->rapl.path[0]);
            r->energy_wh[s] = j / 3600.0;
        }
    }
    if (rc) { hw_profile_result_free(r); return rc; }
    double hwm = status_kb("VmHWM");
    r->activation_mb = peak_ok && hwm >= rss0 && rss0 >= 0 ? (hwm - rss0) / 1024.0 : NAN;
    r->weights_mb = (double)sn_dims_params(&p->model.cfg, &d) * 4.0 / (1024.0 * 1024.0);
    return HW_OK;
}

/* ---- files ---- */

typedef struct {
    gzFile f;
    char path[4096], tmp[4200];
} gz_out;

static int gz_open(gz_out *g, const char *dir, const char *sub, const char *scale, const char *name, hw_err *e)
{
    char d[3800];
    if (name) snprintf(d, sizeof d, "%.3000s/%s/%s", dir, sub, scale);
    else snprintf(d, sizeof d, "%.3000s/%s", dir, sub);
    int rc = hw_mkdir_p(d, e);
    if (rc) return rc;
    snprintf(g->path, sizeof g->path, "%s/%.40s.jsonl.gz", d, name ? name : scale);
    snprintf(g->tmp, sizeof g->tmp, "%s.tmp", g->path);
    g->f = gzopen(g->tmp, "wb6");
    if (!g->f) return hw_fail(e, HW_EIO, "%s: cannot write", g->tmp);
    return HW_OK;
}

static int gz_close(gz_out *g, int ok, hw_err *e)
{
    if (!g->f) return HW_OK;
    int zrc = gzclose(g->f);
    g->f = NULL;
    if (!ok || zrc != Z_OK || rename(g->tmp, g->path) != 0) {
        remove(g->tmp);
        return ok ? hw_fail(e, HW_EIO, "%s: cannot write", g->path) : HW_EIO;
    }
    return HW_OK;
}

static void gz_samples(gzFile f, const char *arch, const double *v, int n, const char *unit)
{
    gzprintf(f, "{\"arch\": \"%s\", \"samples\": [", arch);
    for (int i = 0; i < n; i++) gzprintf(f, "%s%.9g", i ? ", " : "", v[i]);
    gzprintf(f, "], \"unit\": \"%s\"}\n", unit);
}

/* analytic/<S>.jsonl.gz: the archs already there, then the new ones */
static int write_analytic(const char *dir, const hw_space *sp, const hw_arch *archs, size_t n, hw_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/analytic/%s.jsonl.gz", dir, sp->name);
    char **names = NULL;
    size_t nn = 0, cap = 0;
    int rc = HW_OK;
    if (access(path, F_OK) == 0) {
        hw_lines *l;
        if ((rc = hw_lines_open(path, &l, e))) return rc;
        char *line;
        size_t len;
        int got;
        while ((got = hw_lines_next(l, &line, &len, e)) == 1) {
            if (!len) continue;
            cJSON *o = cJSON_Parse(line);
            const cJSON *a = o ? cJSON_GetObjectItemCaseSensitive(o, "arch") : NULL;
            hw_arch t;
            if (!cJSON_IsString(a) || hw_arch_parse(a->valuestring, sp, &t, NULL)) {
                cJSON_Delete(o);
                rc = hw_fail(e, HW_EPARSE, "%s:%ld: not an analytic line of scale %s", path, hw_lines_number(l), sp->name);
                break;
            }
            if (nn == cap) {
                cap = cap ? 2 * cap : 256;
                char **nv = realloc(names, cap * sizeof *nv);
                if (!nv) { cJSON_Delete(o); rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
                names = nv;
            }
            names[nn++] = strdup(a->valuestring);
            cJSON_Delete(o);
        }
        if (got < 0) rc = got;
        hw_lines_close(l);
    }
    gz_out g = {0};
    if (!rc) rc = gz_open(&g, dir, "analytic", sp->name, NULL, e);
    for (size_t i = 0; i < nn + n && !rc; i++) {
        hw_arch a;
        char s[HW_ARCH_STRLEN];
        if (i < nn) {
            if (hw_arch_parse(names[i], sp, &a, NULL)) continue;
        } else {
            a = archs[i - nn];
            hw_arch_format(&a, s, sizeof s);
            int dup = 0;
            for (size_t j = 0; j < nn && !dup; j++) dup = strcmp(names[j], s) == 0;
            for (size_t j = nn; j < i && !dup; j++) {
                char t[HW_ARCH_STRLEN];
                hw_arch_format(&archs[j - nn], t, sizeof t);
                dup = strcmp(t, s) == 0;
            }
            if (dup) continue;
        }
        hw_arch_format(&a, s, sizeof s);
        gzprintf(g.f, "{\"arch\": \"%s\", \"flops\": %lld, \"macs\": %lld, \"params\": %lld}\n", s,
                 (long long)hw_analytic_flops(&a), (long long)hw_analytic_macs(&a), (long long)hw_analytic_params(&a));
    }
    int wrc = gz_close(&g, rc == HW_OK, e);
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    return rc ? rc : wrc;
}

static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ' || *c == '\t') c++;
                c[strcspn(c, "\n")] = 0;
                snprintf(buf, n, "%s", c);
            }
            break;
        }
    fclose(f);
}

static int write_metadata(const char *dir, const char *name, const hw_profile_opts *o, const hw_profiler *p, size_t n,
                          const char *why_no_energy, double seconds, hw_err *e)
{
    const hw_space *sp = hw_space_get(o->scale);
    char d[4096], path[4200], tmp[4300], cpu[256], date[64];
    snprintf(d, sizeof d, "%s/profile/%s", dir, sp->name);
    int rc = hw_mkdir_p(d, e);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/%s.json", d, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    struct utsname u;
    char kernel[512] = "unknown";
    if (uname(&u) == 0) snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
    const char *blas_cfg = sn_blas_config();
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "device_name", name);
    cJSON_AddStringToObject(j, "scale", sp->name);
    cJSON_AddStringToObject(j, "backend", o->cuda ? "cuda" : "cpu");
    cJSON_AddNumberToObject(j, "archs", (double)n);
    cJSON_AddNumberToObject(j, "batch", o->batch);
    cJSON_AddNumberToObject(j, "seq", o->seq);
    cJSON_AddNumberToObject(j, "vocab", HW_ANALYTIC_VOCAB);
    cJSON_AddNumberToObject(j, "samples", o->samples);
    cJSON_AddNumberToObject(j, "warmup", o->warmup);
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddStringToObject(j, "weights", "random (supernet.h's N(0, 0.02) init): latency does not depend on the weights' values");
    cJSON_AddStringToObject(j, "dtype", "float32");
    cJSON_AddNumberToObject(j, "blas_threads", sn_blas_threads());
    cJSON_AddNumberToObject(j, "omp_threads", omp_get_max_threads());
    cJSON_AddNumberToObject(j, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    double la[3] = {-1, -1, -1};
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) { if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3) la[0] = -1; fclose(lf); }
    cJSON_AddNumberToObject(j, "load_average_1min_at_end", la[0]);
    cJSON_AddStringToObject(j, "cpu_model", cpu);
    cJSON_AddStringToObject(j, "kernel", kernel);
    cJSON_AddStringToObject(j, "openblas", blas_cfg);
    cJSON_AddStringToObject(j, "openblas_threading", sn_blas_parallel());
    cJSON_AddStringToObject(j, "openblas_library", sn_blas_library());
    cJSON_AddStringToObject(j, "zlib", zlibVersion());
    cJSON_AddStringToObject(j, "compiler", __VERSION__);
    cJSON_AddStringToObject(j, "hwnas_commit", HWNAS_GIT_COMMIT);
    cJSON_AddStringToObject(j, "date", date);
    cJSON_AddNumberToObject(j, "seconds", seconds);
    cJSON_AddStringToObject(j, "latency", p->gpu ? "device time of one forward of batch x seq random token ids (CUDA events), ms"
                                                 : "wall time of one forward of batch x seq random token ids, ms");
    if (p->has_energy)
        cJSON_AddStringToObject(j, "energy", "RAPL powercap, sum of the top-level zones over one forward, Wh (whole package: includes other processes)");
    else
        cJSON_AddStringToObject(j, "energy", why_no_energy);
    if (p->gpu) {
        sn_cuda_info info;
        sn_cuda_get_info(p->gpu, &info);
        cJSON_AddStringToObject(j, "gpu_model", info.device);
        cJSON_AddNumberToObject(j, "gpu_peak_memory_in_use_mb", (double)info.device_peak / (1024.0 * 1024.0));
        cJSON_AddNumberToObject(j, "gpu_context_mb", (double)info.ctx_bytes / (1024.0 * 1024.0));
    }
    cJSON_AddStringToObject(j, "memory", p->gpu ? "activation_mb: none on the GPU (one arena sized for the largest arch serves every arch; gpu_peak_memory_in_use_mb is the device's peak); weights_mb: fp32 weights of the slice" : p->peak_reset_ok
        ? "activation_mb: peak RSS growth over the arch's forwards with a freshly mapped arena (/proc/self/clear_refs + VmHWM); weights_mb: fp32 weights of the slice; memory_mb: their sum"
        : "activation_mb unavailable (/proc/self/clear_refs not writable); weights_mb: fp32 weights of the slice");
    char *txt = cJSON_Print(j);
    cJSON_Delete(j);
    if (!txt) return hw_fail(e, HW_ENOMEM, "out of memory");
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(txt, f) >= 0 && fputc('\n', f) != EOF;
    if (f) ok &= fclose(f) == 0;
    free(txt);
    if (!ok || rename(tmp, path) != 0) { remove(tmp); return hw_fail(e, HW_EIO, "%s: cannot write", path); }
    return HW_OK;
}

int hw_profile_run(const hw_profile_opts *o, const hw_arch *archs, size_t n, const char *dir, const char *name,
                   hw_err *e)
{
    const hw_space *sp = hw_space_get(o->scale);
    if (!sp || o->scale >= HW_N_SCALES) return hw_fail(e, HW_EINVAL, "profile: scale must be s, m or l");
    double t0 = hw_now();
    hw_profiler *p;
    char why[1024];
    int rc = hw_profiler_open(o, &p, why, sizeof why, e);
    if (rc) return rc;
    if (!p->has_energy) fprintf(stderr, "hwnas profile: energy not measured: %s\n", why);
    gz_out gl = {0}, ge = {0}, gm = {0};
    rc = gz_open(&gl, dir, "latency", sp->name, name, e);
    if (!rc && p->has_energy) rc = gz_open(&ge, dir, "energy", sp->name, name, e);
    if (!rc) rc = gz_open(&gm, dir, "memory", sp->name, name, e);
    hw_progress prog;
    hw_progress_init(&prog, o->quiet);
    for (size_t i = 0; i < n && !rc; i++) {
        if (archs[i].scale != o->scale) { rc = hw_fail(e, HW_EINVAL, "profile: arch %zu is not of scale %s", i + 1, sp->name); break; }
        hw_profile_result r;
        if ((rc = hw_profiler_measure(p, &archs[i], &r, e))) break;
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&archs[i], s, sizeof s);
        gz_samples(gl.f, s, r.lat_ms, o->samples, "ms");
        if (p->has_energy) gz_samples(ge.f, s, r.energy_wh, o->samples, "Wh");
        if (isnan(r.activation_mb))
            gzprintf(gm.f, "{\"arch\": \"%s\", \"activation_mb\": null, \"weights_mb\": %.6g, \"memory_mb\": null, \"unit\": \"MB\"}\n",
                     s, r.weights_mb);
        else
            gzprintf(gm.f, "{\"arch\": \"%s\", \"activation_mb\": %.6g, \"weights_mb\": %.6g, \"memory_mb\": %.6g, \"unit\": \"MB\"}\n",
                     s, r.activation_mb, r.weights_mb, r.activation_mb + r.weights_mb);
        hw_profile_result_free(&r);
        hw_progress_update(&prog, "profiling", i + 1, n);
    }
    hw_progress_done(&prog);
    int ok = rc == HW_OK;
    int c1 = gz_close(&gl, ok, e), c2 = gz_close(&ge, ok, e), c3 = gz_close(&gm, ok, e);
    if (!rc) rc = c1 ? c1 : c2 ? c2 : c3;
    if (!rc) rc = write_analytic(dir, sp, archs, n, e);
    if (!rc) rc = write_metadata(dir, name, o, p, n, why, hw_now() - t0, e);
    hw_profiler_close(p);
    return rc;
}
