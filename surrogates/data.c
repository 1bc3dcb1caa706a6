#include "surrogates/data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "core/lines.h"
#include "core/util.h"
#include "core/rng.h"

const char *const SUR_DEVICE_NAMES[SUR_N_DEVICES] = {
    "a100", "a40", "h100", "a6000", "rtx2080", "rtx3080", "v100", "P100",
    "cpu_xeon_silver", "cpu_xeon_gold", "cpu_amd_7502", "cpu_amd_7513", "cpu_amd_7452", "cpu_p100"};
const char *const SUR_METRIC_NAMES[SUR_N_METRICS] = {"perplexity", "latency", "energy"};
const char *const SUR_METRIC_UNITS[SUR_N_METRICS] = {"", "ms", "Wh"};

int sur_device_lookup(const char *name, int *device, hw_err *e)
{
    for (int i = 0; i < SUR_N_DEVICES; i++)
        if (name && strcasecmp(name, SUR_DEVICE_NAMES[i]) == 0) { *device = i; return HW_OK; }
    char list[512];
    size_t u = 0;
    for (int i = 0; i < SUR_N_DEVICES; i++)
        u += (size_t)snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", SUR_DEVICE_NAMES[i]);
    return hw_fail(e, HW_EINVAL, "unknown device '%s' (expected one of %s)", name ? name : "(null)", list);
}

int sur_own_device_name_check(const char *name, hw_err *e)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= SUR_DEVICE_NAME_MAX)
        return hw_fail(e, HW_EINVAL, "device name '%s': expected 1 to %d characters", name ? name : "", SUR_DEVICE_NAME_MAX - 1);
    if (name[0] == '.') return hw_fail(e, HW_EINVAL, "device name '%s' starts with '.'", name);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return hw_fail(e, HW_EINVAL, "device name '%s': only letters, digits, '_', '-' and '.' are allowed", name);
    }
    for (int i = 0; i < SUR_N_DEVICES; i++)
        if (strcasecmp(name, SUR_DEVICE_NAMES[i]) == 0)
            return hw_fail(e, HW_EINVAL, "device name '%s' is HW-GPT-Bench's device %s: choose another name for your own device",
                           name, SUR_DEVICE_NAMES[i]);
    return HW_OK;
}

const char *sur_data_device_name(const sur_data *d, int device)
{
    if (device >= 0 && device < SUR_N_DEVICES) return SUR_DEVICE_NAMES[device];
    if (device >= SUR_N_DEVICES && device < SUR_N_DEVICES + d->n_own) return d->own[device - SUR_N_DEVICES];
    return "?";
}

int sur_metric_lookup(const char *name, int *metric, hw_err *e)
{
    for (int i = 0; i < SUR_N_METRICS; i++)
        if (name && strcmp(name, SUR_METRIC_NAMES[i]) == 0) { *metric = i; return HW_OK; }
    return hw_fail(e, HW_EINVAL, "unknown surrogate metric '%s' (expected perplexity, latency or energy)",
                   name ? name : "(null)");
}

int sur_metric_has_device(int metric, int device)
{
    if (device < 0 || device >= SUR_N_DEVICES) return 0;
    if (metric == SUR_LATENCY) return 1;
    if (metric == SUR_ENERGY) return device != SUR_N_DEVICES - 1;
    return metric == SUR_PERPLEXITY;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

int sur_is_validation(const char *name, uint64_t seed)
{
    return hw_splitmix64(fnv1a(name) ^ hw_splitmix64(seed + 0x5EEDULL)) % 5 == 0;
}

int sur_fold(const char *name, uint64_t seed, int k)
{
    return (int)(hw_splitmix64(fnv1a(name) ^ hw_splitmix64(seed + 0xF01DULL)) % (uint64_t)k);
}

/* ---- arch-string -> index map (open addressing) ---- */
typedef struct {
    size_t cap;
    long *slot;           /* -1 empty, else arch index */
    char *const *names;
} name_map;

static int map_init(name_map *m, char *const *names, size_t n)
{
    m->cap = 1;
    while (m->cap < 2 * n + 16) m->cap <<= 1;
    m->slot = malloc(m->cap * sizeof *m->slot);
    if (!m->slot) return HW_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) m->slot[i] = -1;
    m->names = names;
    return HW_OK;
}

/* Returns the index of name, or -1; with insert >= 0 inserts it (returns -2 if already present). */
static long map_find(name_map *m, const char *name, long insert)
{
    size_t h = (size_t)fnv1a(name) & (m->cap - 1);
    for (;;) {
        long s = m->slot[h];
        if (s < 0) {
            if (insert >= 0) { m->slot[h] = insert; return insert; }
            return -1;
        }
        if (strcmp(m->names[s], name) == 0) return insert >= 0 ? -2 : s;
        h = (h + 1) & (m->cap - 1);
    }
}

/* ---- one file ---- */
/* The next non-blank line of l as a JSON object: 1 with *o (the caller
 * deletes it) and its line number *ln, 0 at the end, or a negative hw_status. */
static int next_object(hw_lines *l, const char *path, cJSON **o, long *ln, hw_err *e)
{
    char *line;
    size_t len;
    int got;
    while ((got = hw_lines_next(l, &line, &len, e)) == 1) {
        *ln = hw_lines_number(l);
        if (len == 0) continue;
        *o = cJSON_Parse(line);
        if (!*o) return hw_fail(e, HW_EPARSE, "%s:%ld: invalid JSON (malformed or truncated line)", path, *ln);
        if (!cJSON_IsObject(*o)) {
            cJSON_Delete(*o);
            *o = NULL;
            return hw_fail(e, HW_EPARSE, "%s:%ld: expected a JSON object", path, *ln);
        }
        return 1;
    }
    return got;
}

static int get_number(const cJSON *o, const char *key, const char *path, long lineno, double *v, hw_err *e)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) return hw_fail(e, HW_EPARSE, "%s:%ld: missing key '%s'", path, lineno, key);
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
        return hw_fail(e, HW_EPARSE, "%s:%ld: '%s' is not a finite number", path, lineno, key);
    *v = j->valuedouble;
    return HW_OK;
}

static int get_arch(const cJSON *o, const char *path, long lineno, const char **name, hw_err *e)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "arch");
    if (!j || !cJSON_IsString(j)) return hw_fail(e, HW_EPARSE, "%s:%ld: missing string key 'arch'", path, lineno);
    *name = j->valuestring;
    return HW_OK;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* analytic file: defines the arch set. */
static int load_analytic(const char *path, int scale, sur_data *d, name_map *map, hw_err *e)
{
    hw_lines *l;
    int rc = hw_lines_open(path, &l, e);
    if (rc) return rc;
    size_t cap = 1024;
    d->arch = malloc(cap * sizeof *d->arch);
    d->name = malloc(cap * sizeof *d->name);
    d->params = malloc(cap * sizeof *d->params);
    d->flops = malloc(cap * sizeof *d->flops);
    if (!d->arch || !d->name || !d->params || !d->flops) { hw_lines_close(l); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    cJSON *o;
    long ln;
    int got;
    while ((got = next_object(l, path, &o, &ln, e)) == 1) {
        const char *name = NULL;
        double params = 0, flops = 0;
        if ((rc = get_arch(o, path, ln, &name, e)) || (rc = get_number(o, "params", path, ln, &params, e)) ||
            (rc = get_number(o, "flops", path, ln, &flops, e))) { cJSON_Delete(o); break; }
        if (d->n == cap) {
            cap *= 2;
            hw_arch *na = realloc(d->arch, cap * sizeof *na);
            if (na) d->arch = na;
            char **nn = realloc(d->name, cap * sizeof *nn);
            if (nn) d->name = nn;
            double *np = realloc(d->params, cap * sizeof *np);
            if (np) d->params = np;
            double *nf = realloc(d->flops, cap * sizeof *nf);
            if (nf) d->flops = nf;
            if (!na || !nn || !np || !nf) { cJSON_Delete(o); rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        }
        hw_err ae = {0};
        if (hw_arch_parse(name, hw_space_get(scale), &d->arch[d->n], &ae)) {
            cJSON_Delete(o);
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: %s", path, ln, ae.msg);
            break;
        }
        d->name[d->n] = strdup(name);
        d->params[d->n] = params;
        d->flops[d->n] = flops;
        cJSON_Delete(o);
        if (!d->name[d->n]) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        d->n++;
        if (map->cap < 2 * d->n + 16) {
            /* rebuild the map with room to grow */
            free(map->slot);
            if (map_init(map, d->name, 4 * d->n)) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
            for (size_t i = 0; i + 1 < d->n; i++) map_find(map, d->name[i], (long)i);
        }
        map->names = d->name;
        if (map_find(map, d->name[d->n - 1], (long)(d->n - 1)) == -2) {
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: duplicate arch '%s'", path, ln, d->name[d->n - 1]);
            break;
        }
    }
    if (got < 0) rc = got;
    hw_lines_close(l);
    if (rc == HW_OK && d->n == 0) rc = hw_fail(e, HW_EPARSE, "%s: no architectures", path);
    return rc;
}

/* Look up the arch of a data line; unknown or repeated archs are errors. */
static int line_arch(const cJSON *o, const char *path, long ln, const name_map *map, unsigned char *seen,
                     long *idx, hw_err *e)
{
    const char *name = NULL;
    int rc = get_arch(o, path, ln, &name, e);
    if (rc) return rc;
    *idx = map_find((name_map *)map, name, -1);
    if (*idx < 0) return hw_fail(e, HW_EPARSE, "%s:%ld: arch '%s' is not in the analytic file", path, ln, name);
    if (seen[*idx]) return hw_fail(e, HW_EPARSE, "%s:%ld: duplicate arch '%s'", path, ln, name);
    seen[*idx] = 1;
    return HW_OK;
}

static int load_series(const char *path, const sur_data *d, const name_map *map, sur_series *s, hw_err *e)
{
    hw_lines *l;
    int rc = hw_lines_open(path, &l, e);
    if (rc) return rc;
    size_t n = d->n;
    unsigned char *seen = calloc(n, 1);
    /* per-arch temporary sample lists, gathered in arch order at the end */
    double **tmp = calloc(n, sizeof *tmp);
    size_t *cnt = calloc(n, sizeof *cnt);
    s->mean = malloc(n * sizeof *s->mean);
    s->std = malloc(n * sizeof *s->std);
    if (!seen || !tmp || !cnt || !s->mean || !s->std) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto out; }
    for (size_t i = 0; i < n; i++) s->mean[i] = s->std[i] = NAN;
    s->kind = SUR_SERIES_NONE;
    cJSON *o;
    long ln;
    int got;
    while ((got = next_object(l, path, &o, &ln, e)) == 1) {
        long idx;
        if ((rc = line_arch(o, path, ln, map, seen, &idx, e))) { cJSON_Delete(o); break; }
        const cJSON *smp = cJSON_GetObjectItemCaseSensitive(o, "samples");
        int kind = smp ? SUR_SERIES_SAMPLES : SUR_SERIES_MEANSTD;
        if (s->kind != SUR_SERIES_NONE && s->kind != kind) {
            cJSON_Delete(o);
            rc = hw_fail(e, HW_EPARSE, "%s:%ld: mixes 'samples' lines and 'mean'/'std' lines", path, ln);
            break;
        }
        s->kind = kind;
        if (kind == SUR_SERIES_SAMPLES) {
            int k = cJSON_GetArraySize(smp);
            if (!cJSON_IsArray(smp) || k < 1) {
                cJSON_Delete(o);
                rc = hw_fail(e, HW_EPARSE, "%s:%ld: 'samples' must be a non-empty array of numbers", path, ln);
                break;
            }
            tmp[idx] = malloc((size_t)k * sizeof **tmp);
            if (!tmp[idx]) { cJSON_Delete(o); rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
            const cJSON *v;
            int j = 0;
            cJSON_ArrayForEach(v, smp) {
                if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble <= 0) {
                    rc = hw_fail(e, HW_EPARSE, "%s:%ld: samples[%d] is not a positive finite number", path, ln, j);
                    break;
                }
                tmp[idx][j++] = v->valuedouble;
            }
            cnt[idx] = (size_t)k;
            if (rc) { cJSON_Delete(o); break; }
        } else {
            double mean = 0, std = 0;
            if ((rc = get_number(o, "mean", path, ln, &mean, e)) || (rc = get_number(o, "std", path, ln, &std, e))) {
                cJSON_Delete(o);
                break;
            }
            if (mean <= 0 || std < 0) {
                cJSON_Delete(o);
                rc = hw_fail(e, HW_EPARSE, "%s:%ld: need mean > 0 and std >= 0", path, ln);
                break;
            }
            s->mean[idx] = mean;
            s->std[idx] = std;
        }
        cJSON_Delete(o);
    }
    if (got < 0) rc = got;
    if (rc == HW_OK && s->kind == SUR_SERIES_SAMPLES) {
        size_t tot = 0;
        for (size_t i = 0; i < n; i++) tot += cnt[i];
        s->start = malloc((n + 1) * sizeof *s->start);
        s->v = malloc((tot + 1) * sizeof *s->v);
        if (!s->start || !s->v) rc = hw_fail(e, HW_ENOMEM, "out of memory");
        else {
            size_t u = 0;
            for (size_t i = 0; i < n; i++) {
                s->start[i] = u;
                for (size_t j = 0; j < cnt[i]; j++) s->v[u++] = tmp[i][j];
            }
            s->start[n] = u;
        }
    }
out:
    if (tmp)
        for (size_t i = 0; i < n; i++) free(tmp[i]);
    free(tmp); free(cnt); free(seen);
    hw_lines_close(l);
    return rc;
}

static int load_perplexity(const char *path, sur_data *d, const name_map *map, hw_err *e)
{
    hw_lines *l;
    int rc = hw_lines_open(path, &l, e);
    if (rc) return rc;
    unsigned char *seen = calloc(d->n, 1);
    if (!seen) { hw_lines_close(l); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    cJSON *o;
    long ln;
    int got;
    while ((got = next_object(l, path, &o, &ln, e)) == 1) {
        long idx;
        double ppl = 0;
        if ((rc = line_arch(o, path, ln, map, seen, &idx, e)) || (rc = get_number(o, "perplexity", path, ln, &ppl, e))) {
            cJSON_Delete(o);
            break;
        }
        cJSON_Delete(o);
        if (ppl <= 0) { rc = hw_fail(e, HW_EPARSE, "%s:%ld: perplexity must be positive", path, ln); break; }
        d->perplexity[idx] = ppl;
    }
    if (got < 0) rc = got;
    free(seen);
    hw_lines_close(l);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* Own devices: NAME.jsonl.gz under latency/<scale>/ and energy/<scale>/ with
 * a name that is not a built-in device, sorted (the slot order). */
static int find_own_devices(const char *dir, const char *scale, sur_data *d, hw_err *e)
{
    for (int metric = SUR_LATENCY; metric < SUR_N_METRICS; metric++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/%s", dir, SUR_METRIC_NAMES[metric], scale);
        DIR *dd = opendir(p);
        if (!dd) continue;
        struct dirent *de;
        int rc = HW_OK;
        while ((de = readdir(dd)) && !rc) {
            size_t n = strlen(de->d_name), sl = strlen(".jsonl.gz");
            if (n <= sl || strcmp(de->d_name + n - sl, ".jsonl.gz") != 0 || de->d_name[0] == '.') continue;
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(n - sl), de->d_name);
            int builtin = 0;
            for (int k = 0; k < SUR_N_DEVICES; k++) builtin |= strcmp(name, SUR_DEVICE_NAMES[k]) == 0;
            if (builtin) continue;
            hw_err ne = {0};
            if (sur_own_device_name_check(name, &ne)) { rc = hw_fail(e, HW_EPARSE, "%s/%s: %s", p, de->d_name, ne.msg); break; }
            int have = 0;
            for (int k = 0; k < d->n_own; k++) have |= strcmp(d->own[k], name) == 0;
            if (have) continue;
            if (d->n_own == SUR_N_OWN) { rc = hw_fail(e, HW_ERANGE, "%s: more than %d own devices", p, SUR_N_OWN); break; }
            memcpy(d->own[d->n_own++], name, strlen(name) + 1);   /* checked: < SUR_DEVICE_NAME_MAX */
        }
        closedir(dd);
        if (rc) return rc;
    }
    qsort(d->own, (size_t)d->n_own, sizeof d->own[0], cmp_name);
    return HW_OK;
}

void sur_data_drop_own(sur_data *d)
{
    for (int m = 0; m < SUR_N_METRICS; m++)
        for (int k = SUR_N_DEVICES; k < SUR_MAX_DEVICES; k++) {
            sur_series *s = &d->series[m][k];
            free(s->start); free(s->v); free(s->mean); free(s->std);
            memset(s, 0, sizeof *s);
        }
    d->n_own = 0;
}

int sur_data_select_devices(sur_data *d, const char *devices, const char *exclude, hw_err *e)
{
    unsigned char keep[SUR_MAX_DEVICES];
    for (int pass = 0; pass < 2; pass++) {
        const char *list = pass == 0 ? devices : exclude, *opt = pass == 0 ? "--devices" : "--exclude-devices";
        if (!list) continue;
        unsigned char named[SUR_MAX_DEVICES] = {0};
        char buf[1024];
        if (strlen(list) >= sizeof buf) return hw_fail(e, HW_EINVAL, "%s: list too long", opt);
        strcpy(buf, list);
        int count = 0;
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int dev = -1;
            for (int k = 0; k < SUR_N_DEVICES + d->n_own && dev < 0; k++)
                if (strcasecmp(t, sur_data_device_name(d, k)) == 0) dev = k;
            if (dev < 0) {
                char names[1024];
                size_t u = 0;
                for (int k = 0; k < SUR_N_DEVICES + d->n_own; k++)
                    u += (size_t)snprintf(names + u, sizeof names - u, "%s%s", k ? ", " : "", sur_data_device_name(d, k));
                return hw_fail(e, HW_EINVAL, "%s: unknown device '%s' (expected some of %s)", opt, t, names);
            }
            named[dev] = 1;
            count++;
        }
        if (count == 0) return hw_fail(e, HW_EINVAL, "%s: empty list", opt);
        for (int k = 0; k < SUR_MAX_DEVICES; k++)
            keep[k] = pass == 0 ? named[k] : (unsigned char)(!named[k]);
        for (int m = SUR_LATENCY; m < SUR_N_METRICS; m++)
            for (int k = 0; k < SUR_MAX_DEVICES; k++)
                if (!keep[k]) {
                    sur_series *s = &d->series[m][k];
                    free(s->start); free(s->v); free(s->mean); free(s->std);
                    memset(s, 0, sizeof *s);
                }
    }
    return HW_OK;
}

int sur_data_load(const char *dir, int scale, sur_data *d, hw_err *e)
{
    memset(d, 0, sizeof *d);
    d->scale = scale;
    const hw_space *sp = hw_space_get(scale);
    if (!sp) return hw_fail(e, HW_EINVAL, "bad scale %d", scale);
    char path[4096];
    name_map map = {0};
    if (map_init(&map, NULL, 1024)) return hw_fail(e, HW_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/analytic/%s.jsonl.gz", dir, sp->name);
    int rc = hw_data_require(dir, path, e);
    if (rc == HW_OK) rc = load_analytic(path, scale, d, &map, e);
    if (rc) { free(map.slot); sur_data_free(d); return rc; }
    map.names = d->name;
    if ((rc = find_own_devices(dir, sp->name, d, e))) { free(map.slot); sur_data_free(d); return rc; }
    d->perplexity = malloc(d->n * sizeof *d->perplexity);
    if (!d->perplexity) { free(map.slot); sur_data_free(d); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    for (size_t i = 0; i < d->n; i++) d->perplexity[i] = NAN;

    /* job 0 = perplexity, then metric x device files, loaded in parallel */
    enum { NJOB = 1 + 2 * SUR_MAX_DEVICES };
    hw_err errs[NJOB];
    int rcs[NJOB];
#pragma omp parallel for schedule(dynamic, 1)
    for (int j = 0; j < NJOB; j++) {
        char p[4096];
        rcs[j] = HW_OK;
        errs[j].code = 0; errs[j].msg[0] = 0;
        if (j == 0) {
            snprintf(p, sizeof p, "%s/perplexity/%s.jsonl.gz", dir, sp->name);
            if (file_exists(p)) rcs[j] = load_perplexity(p, d, &map, &errs[j]);
            continue;
        }
        int metric = 1 + (j - 1) / SUR_MAX_DEVICES, dev = (j - 1) % SUR_MAX_DEVICES;
        if (dev >= SUR_N_DEVICES + d->n_own) continue;
        snprintf(p, sizeof p, "%s/%s/%s/%s.jsonl.gz", dir, SUR_METRIC_NAMES[metric], sp->name, sur_data_device_name(d, dev));
        if (file_exists(p)) rcs[j] = load_series(p, d, &map, &d->series[metric][dev], &errs[j]);
    }
    free(map.slot);
    for (int j = 0; j < NJOB; j++)
        if (rcs[j]) {
            if (e) *e = errs[j];
            sur_data_free(d);
            return rcs[j];
        }
    return HW_OK;
}

void sur_data_free(sur_data *d)
{
    if (d->name)
        for (size_t i = 0; i < d->n; i++) free(d->name[i]);
    free(d->name); free(d->arch); free(d->params); free(d->flops); free(d->perplexity);
    for (int m = 0; m < SUR_N_METRICS; m++)
        for (int k = 0; k < SUR_MAX_DEVICES; k++) {
            sur_series *s = &d->series[m][k];
            free(s->start); free(s->v); free(s->mean); free(s->std);
        }
    memset(d, 0, sizeof *d);
}
