/* supernet/supernet_backend.c — the `supernet` metric backend: see
 * supernet_backend.h. */
#include "supernet/supernet_backend.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "supernet/corpus.h"
#include "supernet/train.h"

#define SN_LATENCY_MAX_RUNS 64

/* ---- default checkpoint ------------------------------------------------- */

/* <dir of the running program>/../share/hwnas/supernet/xs.ckpt into buf, if
 * it is a regular file; else 0. */
static int installed_checkpoint(char *buf, size_t n)
{
    struct stat st;
    return hw_installed_path("supernet/xs.ckpt", buf, n) && stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

const char *sn_default_checkpoint(char *buf, size_t n)
{
    const char *env = getenv(SN_CKPT_ENV);
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return buf;
    }
    if (installed_checkpoint(buf, n)) return buf;
    snprintf(buf, n, "%s", HWNAS_SOURCE_DIR "/supernet/models/xs.ckpt");
    return buf;
}

/* ---- the environment: model, validation text, cache -------------------- */

typedef struct {
    char *arch;        /* canonical arch string (NULL: empty slot) */
    double perplexity, latency;
    int have_perplexity, have_latency;
} cache_entry;

typedef struct {
    sn_trainer t;              /* the loaded weights (no optimizer state) */
    sn_corpus c;               /* the validation text (loaded when perplexity is wanted) */
    const hw_space *sp;        /* the checkpoint's space */
    int T, B, windows, runs;
    int32_t *lat_tokens;       /* 1 x T tokens for timing */
    hw_file_id ckpt;
    pthread_mutex_t lock;
    cache_entry *tab;          /* open addressing, cap a power of two */
    size_t cap, used;
    sn_backend_stats stats;
} sn_env;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int cache_grow(sn_env *v, hw_err *e)
{
    size_t cap = v->cap ? 2 * v->cap : 256;
    cache_entry *tab = calloc(cap, sizeof *tab);
    if (!tab) return hw_fail(e, HW_ENOMEM, "supernet: out of memory (cache of %zu archs)", cap);
    for (size_t i = 0; i < v->cap; i++) {
        if (!v->tab[i].arch) continue;
        size_t j = fnv1a(v->tab[i].arch) & (cap - 1);
        while (tab[j].arch) j = (j + 1) & (cap - 1);
        tab[j] = v->tab[i];
    }
    free(v->tab);
    v->tab = tab;
    v->cap = cap;
    return HW_OK;
}

/* The cache entry of arch string s (created empty when new). */
static int cache_entry_of(sn_env *v, const char *s, cache_entry **out, hw_err *e)
{
    int rc;
    if (2 * (v->used + 1) > v->cap && (rc = cache_grow(v, e))) return rc;
    size_t j = fnv1a(s) & (v->cap - 1);
    while (v->tab[j].arch && strcmp(v->tab[j].arch, s) != 0) j = (j + 1) & (v->cap - 1);
    if (!v->tab[j].arch) {
        size_t len = strlen(s) + 1;
        if (!(v->tab[j].arch = malloc(len))) return hw_fail(e, HW_ENOMEM, "supernet: out of memory");
        memcpy(v->tab[j].arch, s, len);
        v->used++;
    }
    *out = &v->tab[j];
    return HW_OK;
}

static void sn_env_free(void *env)
{
    sn_env *v = env;
    if (!v) return;
    for (size_t i = 0; i < v->cap; i++) free(v->tab[i].arch);
    free(v->tab);
    free(v->lat_tokens);
    sn_corpus_free(&v->c);
    sn_trainer_free(&v->t);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

/* ---- measurements ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median wall time (ms) of v->runs forward passes of d at batch 1 x T, after
 * one warm-up pass. */
static int time_forward(sn_env *v, const sn_dims *d, double *ms, hw_err *e)
{
    double t[SN_LATENCY_MAX_RUNS];
    int rc = sn_forward(&v->t.model, d, v->lat_tokens, NULL, 1, v->T, NULL, e);
    for (int r = 0; r < v->runs && !rc; r++) {
        double t0 = hw_now();
        rc = sn_forward(&v->t.model, d, v->lat_tokens, NULL, 1, v->T, NULL, e);
        t[r] = (hw_now() - t0) * 1e3;
    }
    if (rc) return rc;
    qsort(t, (size_t)v->runs, sizeof *t, cmp_double);
    *ms = v->runs % 2 ? t[v->runs / 2] : 0.5 * (t[v->runs / 2 - 1] + t[v->runs / 2]);
    return HW_OK;
}

/* The dims of a, which must be an arch of the checkpoint's space. */
static int arch_dims(const sn_env *v, const hw_arch *a, sn_dims *d, hw_err *e)
{
    if (a->scale != v->sp->scale) {
        char s[HW_ARCH_STRLEN];
        hw_arch_format(a, s, sizeof s);
        return hw_fail(e, HW_EINVAL, "supernet: arch %s is not of the checkpoint's space %s", s, v->sp->name);
    }
    return sn_dims_from_arch(&v->t.model.cfg, a, d, e);
}

enum { MEASURE_PERPLEXITY, MEASURE_LATENCY };

/* Perplexity or latency of a: from the cache, else measured and cached.
 * Caller holds the lock. */
static int measure_locked(sn_env *v, const hw_arch *a, int what, double *out, hw_err *e)
{
    sn_dims d;
    int rc = arch_dims(v, a, &d, e);
    if (rc) return rc;
    char s[HW_ARCH_STRLEN];
    hw_arch_format(a, s, sizeof s);
    cache_entry *ent = NULL;
    if ((rc = cache_entry_of(v, s, &ent, e))) return rc;
    if (what == MEASURE_PERPLEXITY) {
        if (!v->c.val) return hw_fail(e, HW_ESTATE, "supernet: perplexity was not requested when the backend opened");
        if (ent->have_perplexity) {
            v->stats.cache_hits++;
        } else {
            double loss;
            if ((rc = sn_eval_loss(&v->t.model, a, v->c.val, v->c.n_val, v->T, v->B, v->windows, &loss, e)))
                return rc;
            ent->perplexity = exp(loss);
            ent->have_perplexity = 1;
            v->stats.perplexity_evals++;
        }
        *out = ent->perplexity;
    } else {
        if (ent->have_latency) {
            v->stats.cache_hits++;
        } else {
            if ((rc = time_forward(v, &d, &ent->latency, e))) return rc;
            ent->have_latency = 1;
            v->stats.latency_measurements++;
        }
        *out = ent->latency;
    }
    return HW_OK;
}

static int measure(const void *env, const hw_arch *a, int what, double *out, hw_err *e)
{
    sn_env *v = (sn_env *)env; /* mutable behind the lock: see supernet_backend.h */
    pthread_mutex_lock(&v->lock);
    int rc = measure_locked(v, a, what, out, e);
    pthread_mutex_unlock(&v->lock);
    return rc;
}

void sn_backend_get_stats(const void *env, sn_backend_stats *s)
{
    sn_env *v = (sn_env *)env;
    memset(s, 0, sizeof *s);
    if (!v) return;
    pthread_mutex_lock(&v->lock);
    *s = v->stats;
    pthread_mutex_unlock(&v->lock);
}

/* ---- rows ----------------------------------------------------------------- */

enum { ROW_PERPLEXITY, ROW_PARAMS, ROW_LATENCY };

static int supernet_eval(const hw_metric *m, const void *env, const hw_arch *a, hw_metric_value *val, hw_err *e)
{
    const sn_env *v = env;
    if (!v) return hw_fail(e, HW_EINVAL, "metric '%s' needs the supernet checkpoint", m->name);
    memset(val, 0, sizeof *val);
    if (m->arg == ROW_PARAMS) {
        sn_dims d;
        int rc = arch_dims(v, a, &d, e);
        if (!rc) val->mean = (double)sn_dims_params(&v->t.model.cfg, &d);
        return rc;
    }
    return measure(env, a, m->arg == ROW_PERPLEXITY ? MEASURE_PERPLEXITY : MEASURE_LATENCY, &val->mean, e);
}

/* Params grow with every gene, so the smallest and largest sub-networks span
 * their range exactly.  Perplexity and latency: the values of those two
 * sub-networks (measured, and cached like any other), lower first — a
 * documented approximation of the range, as for the surrogates. */
static int supernet_bounds(const hw_metric *m, const void *env, const hw_space *sp, double *lo, double *hi,
                           hw_err *e)
{
    const sn_env *v = env;
    if (!v) return hw_fail(e, HW_EINVAL, "metric '%s' needs the supernet checkpoint", m->name);
    if (sp != v->sp)
        return hw_fail(e, HW_EINVAL, "supernet: bounds of scale %s asked of a checkpoint of space %s", sp->name,
                       v->sp->name);
    hw_arch small, large;
    sn_space_smallest(sp, &small);
    sn_space_largest(sp, &large);
    hw_metric_value a, b;
    int rc = supernet_eval(m, env, &small, &a, e);
    if (!rc) rc = supernet_eval(m, env, &large, &b, e);
    if (rc) return rc;
    *lo = fmin(a.mean, b.mean);
    *hi = fmax(a.mean, b.mean);
    return HW_OK;
}

static const hw_metric SUPERNET_ROWS[] = {
    {"supernet", "perplexity", "", 0, ROW_PERPLEXITY, supernet_eval, supernet_bounds, NULL},
    {"supernet", "params", "count", HW_METRIC_INTEGER, ROW_PARAMS, supernet_eval, supernet_bounds, NULL},
    {"supernet", "latency", "ms", 0, ROW_LATENCY, supernet_eval, supernet_bounds, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const SUPERNET_KEYS[] = {"checkpoint", "eval_windows", "latency_runs", NULL};

/* ---- open ----------------------------------------------------------------- */

static int wants(const hw_metric *const *rows, int n_rows, int arg)
{
    for (int i = 0; i < n_rows; i++)
        if (rows[i]->arg == arg) return 1;
    return 0;
}

/* The checkpoint path: the config's, else the default, which must exist. */
static int checkpoint_path(const cJSON *cfg, const char *path, char *buf, size_t n, hw_err *e)
{
    const char *given = NULL;
    int rc = hwj_get_string(cfg, path, "checkpoint", 0, &given, e);
    if (rc) return rc;
    char p[512];
    hwj_path(p, sizeof p, path, "checkpoint");
    if (given) {
        if (!*given) return hw_fail(e, HW_EINVAL, "%s: expected a file, got an empty string", p);
        snprintf(buf, n, "%s", given);
        return HW_OK;
    }
    sn_default_checkpoint(buf, n);
    struct stat st;
    if (stat(buf, &st) != 0)
        return hw_fail(e, HW_EMISSING,
                       "%s: no supernet checkpoint at %s (the default; set %s or \"checkpoint\", or train it: "
                       "hwnas supernet train --space xs --corpus auto --steps 1500 --batch 4 --lr 2e-3 --weights-only --out %s)",
                       p, buf, SN_CKPT_ENV, buf);
    return HW_OK;
}

/* The validation text of the checkpoint's corpus, checked against its CRC32
 * and long enough for the windows. */
static int load_validation_text(sn_env *v, const char *p, hw_err *e)
{
    int rc = sn_corpus_load(v->t.corpus_spec, &v->c, e);
    if (rc) return hw_err_prefix(e, "%s: the checkpoint's corpus", p);
    if (v->c.crc != v->t.corpus_crc)
        return hw_fail(e, HW_EINVAL, "%s: corpus '%s' is not the text the checkpoint was trained on (CRC32 %08x, "
                       "expected %08x)", p, v->t.corpus_spec, v->c.crc, v->t.corpus_crc);
    if ((size_t)v->windows * v->T + 1 > v->c.n_val)
        return hw_fail(e, HW_ERANGE, "%.*s.eval_windows: %d windows of %d tokens, but the validation text holds %zu",
                       (int)(strlen(p) - strlen(".checkpoint")), p, v->windows, v->T,
                       v->c.n_val ? (v->c.n_val - 1) / (size_t)v->T : 0);
    return HW_OK;
}

static int open_env(sn_env *v, const cJSON *cfg, const char *path, const hw_space *sp, const hw_metric *const *rows,
                    int n_rows, hw_err *e)
{
    char file[HW_PATH_MAX], p[512];
    long long windows = SN_BACKEND_EVAL_WINDOWS, runs = SN_BACKEND_LATENCY_RUNS;
    int rc;
    if ((rc = hwj_get_int(cfg, path, "eval_windows", 0, 1, 1 << 20, &windows, e))) return rc;
    if ((rc = hwj_get_int(cfg, path, "latency_runs", 0, 1, SN_LATENCY_MAX_RUNS, &runs, e))) return rc;
    if ((rc = checkpoint_path(cfg, path, file, sizeof file, e))) return rc;
    hwj_path(p, sizeof p, path, "checkpoint");
    if ((rc = sn_checkpoint_load(&v->t, file, 0, e))) return hw_err_prefix(e, "%s", p);
    v->sp = hw_space_get(v->t.opts.scale);
    if (sp && sp != v->sp)
        return hw_fail(e, HW_EINVAL, "%s: %s is a supernet of space %s, but the scale is %s", p, file, v->sp->name,
                       sp->name);
    if ((rc = hw_file_identify(file, &v->ckpt, e))) return hw_err_prefix(e, "%s", p);
    v->T = v->sp->block_size;
    v->windows = (int)windows;
    v->runs = (int)runs;
    v->B = v->windows < SN_BACKEND_EVAL_BATCH ? v->windows : SN_BACKEND_EVAL_BATCH;
    int want_ppl = wants(rows, n_rows, ROW_PERPLEXITY), want_lat = wants(rows, n_rows, ROW_LATENCY);
    if (want_ppl && (rc = load_validation_text(v, p, e))) return rc;
    if ((want_ppl || want_lat) && (rc = sn_model_alloc_arena(&v->t.model, want_ppl ? v->B : 1, v->T, 0, e)))
        return rc;
    if (want_lat) {
        if (!(v->lat_tokens = malloc(sizeof(int32_t) * (size_t)v->T)))
            return hw_fail(e, HW_ENOMEM, "supernet: out of memory");
        for (int i = 0; i < v->T; i++) v->lat_tokens[i] = (int32_t)((i * 7919u) % (unsigned)v->t.model.cfg.vocab);
    }
    return HW_OK;
}

static int supernet_open(const hw_backend *b, const cJSON *cfg, const char *path, const hw_space *sp,
                         const hw_metric *const *rows, int n_rows, void **env, hw_err *e)
{
    (void)b;
    *env = NULL;
    sn_env *v = calloc(1, sizeof *v);
    if (!v) return hw_fail(e, HW_ENOMEM, "supernet: out of memory");
    pthread_mutex_init(&v->lock, NULL);
    int rc = open_env(v, cfg, path, sp, rows, n_rows, e);
    if (rc) {
        sn_env_free(v);
        return rc;
    }
    *env = v;
    return HW_OK;
}

static size_t supernet_files(const void *env, hw_file_id *out, size_t max)
{
    const sn_env *v = env;
    if (!max || !v) return 0;
    out[0] = v->ckpt;
    return 1;
}

const hw_backend hw_supernet_backend = {"supernet", SUPERNET_ROWS, SUPERNET_KEYS, supernet_open, sn_env_free,
                                        supernet_files, NULL};
