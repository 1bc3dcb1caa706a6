/* The C API for bindings: see api/hwnas_api.h. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/hwnas_api.h"
#include "benchmark/backends.h"
#include "core/json.h"
#include "core/rng.h"
#include "core/util.h"
#include "runner/config.h"
#include "runner/grid.h"
#include "runner/jbuf.h"
#include "runner/run.h"
#include "space/analytic.h"
#include "space/space.h"
#include "surrogates/hwgpt_mlp.h"
#include "surrogates/surrogate.h"

/* The stream of hwnas_bench_sample ("ARCH" in ASCII): no run uses it. */
#define API_STREAM_SAMPLE_ARCHS 0x41524348ULL
#define API_MAX_METRICS 64

int hwnas_api_version(void) { return HWNAS_API_VERSION; }
const char *hwnas_version(void) { return HWNAS_VERSION; }
void hwnas_free(void *p) { free(p); }

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Benchmarks ------------------------------------------------------------- */

struct hwnas_bench {
    const hw_space *sp;
    int noise;                       /* 1: "sample" */
    int n_use;
    const hw_backend *use[HW_MAX_BACKENDS];
    char *device, *models, *checkpoint;
    /* The open environments of the last query's metrics (reopened when a
     * query names other metrics). */
    char *open_metrics;
    int n_metrics;
    const hw_metric *metrics[API_MAX_METRICS];
    const void *env[API_MAX_METRICS];
    hw_backend_envs envs;
};

int hwnas_bench_open(const char *scale, const char *backend, const char *device, const char *models,
                     const char *noise, const char *predictor, const char *checkpoint, hwnas_bench **out,
                     hw_err *e)
{
    *out = NULL;
    const hw_space *sp;
    if (hw_space_lookup(scale ? scale : "s", &sp, e)) return hw_err_prefix(e, "scale");
    const hw_backend *primary = &hw_surrogate_backend;
    if (backend && strcmp(backend, "analytic") == 0) primary = &hw_analytic_backend;
    else if (backend && strcmp(backend, "surrogate") != 0) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, backend);
        return hw_fail(e, HW_EINVAL, "backend: unknown backend '%s' (expected surrogate or analytic)", shown);
    }
    int sample = 0;
    if (noise && strcmp(noise, "sample") == 0) sample = 1;
    else if (noise && strcmp(noise, "mean") != 0) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, noise);
        return hw_fail(e, HW_EINVAL, "noise: expected mean or sample, got '%s'", shown);
    }
    if (sample && primary != &hw_surrogate_backend)
        return hw_fail(e, HW_EINVAL, "noise: 'sample' needs the surrogate backend");
    if (predictor && strcmp(predictor, "hwgpt-mlp") != 0) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, predictor);
        return hw_fail(e, HW_EINVAL, "predictor: unknown predictor '%s' (expected hwgpt-mlp)", shown);
    }
    if (checkpoint && !predictor) return hw_fail(e, HW_EINVAL, "checkpoint: needs predictor 'hwgpt-mlp'");
    if (device) {
        int dev;
        if (sur_device_lookup(device, &dev, e)) return hw_err_prefix(e, "device");
    }
    if (models && !*models) return hw_fail(e, HW_EINVAL, "models: empty directory name");
    hwnas_bench *b = calloc(1, sizeof *b);
    if (!b) return hw_fail(e, HW_ENOMEM, "out of memory");
    b->sp = sp;
    b->noise = sample;
    if (predictor) b->use[b->n_use++] = &hw_hwgpt_mlp_backend;
    b->use[b->n_use++] = primary;
    if (primary != &hw_analytic_backend) b->use[b->n_use++] = &hw_analytic_backend;
    char buf[HW_PATH_MAX];
    b->device = dup_str(device);
    b->models = dup_str(models ? models : hw_models_dir(buf, sizeof buf));
    b->checkpoint = dup_str(checkpoint);
    if ((device && !b->device) || !b->models || (checkpoint && !b->checkpoint)) {
        hwnas_bench_close(b);
        return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    *out = b;
    return HW_OK;
}

static void bench_envs_close(hwnas_bench *b)
{
    hw_backend_envs_close(&b->envs);
    free(b->open_metrics);
    b->open_metrics = NULL;
    b->n_metrics = 0;
}

void hwnas_bench_close(hwnas_bench *b)
{
    if (!b) return;
    bench_envs_close(b);
    free(b->device);
    free(b->models);
    free(b->checkpoint);
    free(b);
}

/* The backends' config object, as `hwnas query` builds it from its options. */
static cJSON *bench_backend_config(const hwnas_bench *b)
{
    cJSON *cfg = cJSON_CreateObject();
    if (!cfg) return NULL;
    if ((b->device && !cJSON_AddStringToObject(cfg, "device", b->device)) ||
        !cJSON_AddStringToObject(cfg, "models", b->models) ||
        (b->checkpoint && !cJSON_AddStringToObject(cfg, "checkpoint", b->checkpoint))) {
        cJSON_Delete(cfg);
        return NULL;
    }
    return cfg;
}

/* Opens the backends the metrics need (the predictor whenever selected),
 * unless the last query's metrics were the same. */
static int bench_prepare(hwnas_bench *b, const char *spec, hw_err *e)
{
    if (!spec) return hw_fail(e, HW_EINVAL, "metrics: none given");
    if (b->open_metrics && strcmp(b->open_metrics, spec) == 0) return HW_OK;
    bench_envs_close(b);
    const hw_metric *m[API_MAX_METRICS], *plain[API_MAX_METRICS];
    char device[API_MAX_METRICS][HW_METRIC_DEVICE_LEN];
    int n = 0, n_plain = 0;
    int rc = hw_metric_list_parse(spec, "metrics", b->use, b->n_use, b->device,
                                  HW_METRIC_LIST_PREFIX_RESOLVE | HW_METRIC_LIST_NEED_DEVICE, m, device, NULL,
                                  API_MAX_METRICS, &n, e);
    if (rc) return rc;
    for (int i = 0; i < n; i++)
        if (!device[i][0]) plain[n_plain++] = m[i];
    const hw_backend *open[HW_MAX_BACKENDS];
    int n_open = 0;
    for (int k = 0; k < b->n_use; k++) {
        int needed = b->use[k] == &hw_hwgpt_mlp_backend;
        for (int i = 0; i < n; i++) needed |= strcmp(m[i]->backend, b->use[k]->name) == 0;
        if (needed) open[n_open++] = b->use[k];
    }
    cJSON *cfg = bench_backend_config(b);
    if (!cfg) return hw_fail(e, HW_ENOMEM, "out of memory");
    rc = hw_backend_envs_open(&b->envs, open, n_open, plain, n_plain, cfg, "benchmark", b->sp, e);
    cJSON_Delete(cfg);
    if (rc) return rc;
    if (!(b->open_metrics = dup_str(spec))) {
        bench_envs_close(b);
        return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    for (int k = 0; k < n; k++) {
        b->metrics[k] = m[k];
        b->env[k] = hw_backend_envs_get(&b->envs, m[k]);
        const char *canonical;
        /* a metric on its own device ("latency@a100"): a view of the backend on it */
        if (device[k][0] && (rc = hw_backend_envs_device(&b->envs, m[k], device[k], &b->env[k], &canonical, e))) {
            bench_envs_close(b);
            return hw_err_prefix(e, "metrics: '%s@%s'", m[k]->name, device[k]);
        }
    }
    b->n_metrics = n;
    return HW_OK;
}

int hwnas_bench_metrics(hwnas_bench *b, const char *metrics, int *flags, int max, int *n, hw_err *e)
{
    int rc = bench_prepare(b, metrics, e);
    if (rc) return rc;
    if (b->n_metrics > max) return hw_fail(e, HW_EINVAL, "metrics: more than %d metrics", max);
    for (int k = 0; k < b->n_metrics; k++) flags[k] = b->metrics[k]->flags;
    *n = b->n_metrics;
    return HW_OK;
}

int hwnas_bench_sample(const hwnas_bench *b, size_t n, uint64_t seed, char *buf, size_t buf_len, size_t *used,
                       hw_err *e)
{
    if (n > buf_len / HWNAS_ARCH_MAXLEN)
        return hw_fail(e, HW_EINVAL, "sample: %zu archs need %zu bytes, the buffer has %zu", n,
                       n * HWNAS_ARCH_MAXLEN, buf_len);
    hw_rng r;
    hw_rng_seed(&r, seed, API_STREAM_SAMPLE_ARCHS);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        hw_arch a;
        hw_arch_sample(b->sp, &r, &a);
        int len = hw_arch_format(&a, buf + u, HWNAS_ARCH_MAXLEN - 1);
        if (len < 0 || len >= HWNAS_ARCH_MAXLEN - 1) return hw_fail(e, HW_ERANGE, "sample: arch string too long");
        u += (size_t)len;
        buf[u++] = '\n';
    }
    if (buf_len) buf[u < buf_len ? u : buf_len - 1] = 0;
    *used = u;
    return HW_OK;
}

int hwnas_bench_genome(const hwnas_bench *b, int *choices, int max, int *n_var, hw_err *e)
{
    int nv = hw_space_n_genes(b->sp);
    if (nv > max) return hw_fail(e, HW_EINVAL, "genome: %d genes, room for %d", nv, max);
    for (int g = 0; g < nv; g++) choices[g] = hw_space_gene_choices(b->sp, g);
    *n_var = nv;
    return HW_OK;
}

/* Genome i of x into *a, its genes checked. */
static int genome_arch(const hw_space *sp, const double *x, size_t i, hw_arch *a, hw_err *e)
{
    int nv = hw_space_n_genes(sp);
    const double *g = x + i * (size_t)nv;
    for (int k = 0; k < nv; k++) {
        int nc = hw_space_gene_choices(sp, k);
        if (!(g[k] >= 0 && g[k] <= nc - 1 && g[k] == (double)(long)g[k]))
            return hw_fail(e, HW_EINVAL, "genomes[%zu]: gene %d = %.17g is not a choice index in [0, %d]", i, k,
                           g[k], nc - 1);
    }
    hw_arch_from_genome(sp, g, a);
    return HW_OK;
}

int hwnas_bench_genomes_to_archs(const hwnas_bench *b, const double *x, size_t n, char *buf, size_t buf_len,
                                 hw_err *e)
{
    if (n > buf_len / HWNAS_ARCH_MAXLEN)
        return hw_fail(e, HW_EINVAL, "genomes: %zu archs need %zu bytes, the buffer has %zu", n,
                       n * HWNAS_ARCH_MAXLEN, buf_len);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        hw_arch a;
        int rc = genome_arch(b->sp, x, i, &a, e);
        if (rc) return rc;
        int len = hw_arch_format(&a, buf + u, HWNAS_ARCH_MAXLEN - 1);
        if (len < 0 || len >= HWNAS_ARCH_MAXLEN - 1) return hw_fail(e, HW_ERANGE, "genomes: arch string too long");
        u += (size_t)len;
        buf[u++] = '\n';
    }
    if (buf_len) buf[u < buf_len ? u : buf_len - 1] = 0;
    return HW_OK;
}

/* The next arch string of the '\n'-separated list at *p (trimmed of blanks
 * and '\r') into s; advances *p. */
static int next_arch(const char **p, char *s, size_t n, size_t i, hw_err *e)
{
    const char *q = *p;
    if (!*q) return hw_fail(e, HW_EINVAL, "archs[%zu]: missing (fewer archs than the count given)", i);
    const char *end = strchr(q, '\n');
    size_t len = end ? (size_t)(end - q) : strlen(q);
    *p = end ? end + 1 : q + len;
    while (len && (q[len - 1] == '\r' || q[len - 1] == ' ' || q[len - 1] == '\t')) len--;
    while (len && (*q == ' ' || *q == '\t')) { q++; len--; }
    if (len >= n) return hw_fail(e, HW_EINVAL, "archs[%zu]: arch string too long (%zu characters)", i, len);
    memcpy(s, q, len);
    s[len] = 0;
    return HW_OK;
}

/* The metrics of one arch into row i of the outputs (b's open metrics). */
static int query_one(const hwnas_bench *b, const hw_arch *a, size_t i, uint64_t seed, uint64_t first_index,
                     double *mean, double *std, double *noise_std, hw_err *e)
{
    const int m = b->n_metrics;
    hw_rng r;
    if (b->noise) r = hw_rng_eval(seed, first_index + i);
    for (int k = 0; k < m; k++) {
        const hw_metric *row = b->metrics[k];
        hw_metric_value v;
        int rc = row->eval(row, b->env[k], a, &v, e);
        if (rc) return hw_err_prefix(e, "%s", row->name);
        double f = v.mean;
        /* exactly the hwgpt problem's draw (benchmark/hwgpt.c) */
        if (b->noise) f = row->sample ? row->sample(row, b->env[k], a, &v, &r) : v.mean + v.noise_std * hw_rng_normal(&r);
        mean[i * (size_t)m + (size_t)k] = f;
        if (std) std[i * (size_t)m + (size_t)k] = v.std;
        if (noise_std) noise_std[i * (size_t)m + (size_t)k] = v.noise_std;
    }
    return HW_OK;
}

int hwnas_bench_query(hwnas_bench *b, const char *archs, size_t n, const char *metrics, uint64_t seed,
                      uint64_t first_index, double *mean, double *std, double *noise_std, hw_err *e)
{
    int rc = bench_prepare(b, metrics, e);
    if (rc) return rc;
    if (n && !archs) return hw_fail(e, HW_EINVAL, "archs: none given");
    const char *p = archs;
    for (size_t i = 0; i < n; i++) {
        char s[HWNAS_ARCH_MAXLEN];
        hw_arch a;
        if ((rc = next_arch(&p, s, sizeof s, i, e))) return rc;
        if ((rc = hw_arch_parse(s, b->sp, &a, e))) return hw_err_prefix(e, "archs[%zu]", i);
        if ((rc = query_one(b, &a, i, seed, first_index, mean, std, noise_std, e)))
            return hw_err_prefix(e, "archs[%zu]", i);
    }
    return HW_OK;
}

int hwnas_bench_query_genomes(hwnas_bench *b, const double *x, size_t n, const char *metrics, uint64_t seed,
                              uint64_t first_index, double *mean, double *std, double *noise_std, hw_err *e)
{
    int rc = bench_prepare(b, metrics, e);
    if (rc) return rc;
    if (n && !x) return hw_fail(e, HW_EINVAL, "genomes: none given");
    for (size_t i = 0; i < n; i++) {
        hw_arch a;
        if ((rc = genome_arch(b->sp, x, i, &a, e))) return rc;
        if ((rc = query_one(b, &a, i, seed, first_index, mean, std, noise_std, e)))
            return hw_err_prefix(e, "genomes[%zu]", i);
    }
    return HW_OK;
}

/* Runs ------------------------------------------------------------------- */

/* run_experiment's result line (cli/run_experiment.c). */
static char *result_json(const hw_run_config *c, const hw_run_result *res, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    if (!root || !runs || !cJSON_AddStringToObject(root, "name", c->name)) { cJSON_Delete(root); return NULL; }
    for (size_t i = 0; i < n; i++) {
        const hw_run_result *r = &res[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) { cJSON_Delete(root); return NULL; }
        cJSON_AddItemToArray(runs, o);
        int no_hv = r->status == HW_RUN_STOPPED || r->status == HW_RUN_PENDING;
        if (!cJSON_AddNumberToObject(o, "seed", (double)r->seed) ||
            !cJSON_AddStringToObject(o, "status", HW_RUN_STATUS_NAMES[r->status]) ||
            !cJSON_AddNumberToObject(o, "evaluations", (double)r->evaluations) ||
            !cJSON_AddNumberToObject(o, "front_size", (double)r->front_size) ||
            !(no_hv ? cJSON_AddNullToObject(o, "hypervolume") : cJSON_AddNumberToObject(o, "hypervolume", r->hv)) ||
            !cJSON_AddNumberToObject(o, "wall_s", r->wall_s) || !cJSON_AddStringToObject(o, "log", r->log) ||
            (r->note && !cJSON_AddStringToObject(o, "note", r->note))) {
            cJSON_Delete(root);
            return NULL;
        }
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* Plans and runs every seed of a loaded config; *result as hwnas_run says. */
static int run_loaded(hw_run_config *c, int force, int quiet, char **result, hw_err *e)
{
    hw_run_result *res = calloc(c->n_seeds, sizeof *res);
    if (!res) return hw_fail(e, HW_ENOMEM, "out of memory");
    int rc = hw_run_plan(c, force, res, e);
    if (!rc && (rc = hw_run_make_dir(c, e))) hw_err_prefix(e, "%s: output", c->file);
    int planned = rc == HW_OK;
    if (!rc) {
        hw_run_options o = {force, quiet, NULL, NULL, 0};
        rc = hw_run_pending(c, &o, res, e);
    }
    for (size_t i = 0; !rc && i < c->n_seeds; i++)
        if (res[i].status == HW_RUN_LOCKED)
            rc = hw_fail(e, HW_ESTATE, "%s: seed %llu: %s; not run here", c->file, (unsigned long long)res[i].seed,
                         res[i].note ? res[i].note : "locked");
    if (planned && !(*result = result_json(c, res, c->n_seeds)) && !rc) rc = hw_fail(e, HW_ENOMEM, "out of memory");
    hw_run_results_free(res, c->n_seeds);
    return rc;
}

/* The result of a whole config, as run_experiment prints it: {"name",
 * "runs": [one entry per run (runner/grid.h's hw_grid_result_json)]}. */
static char *grid_result_json(const hw_grid *g, const hw_run_result *res)
{
    hw_jbuf b = {0};
    hw_jbuf_puts(&b, "{\"name\":");
    hw_jbuf_str(&b, g->cells[0].cfg.name);
    hw_jbuf_puts(&b, ",\"runs\":[");
    for (size_t k = 0; k < g->n_runs; k++) {
        if (k) hw_jbuf_putc(&b, ',');
        hw_grid_result_json(g, k, &res[k], &b);
    }
    hw_jbuf_puts(&b, "]}");
    if (b.oom) { hw_jbuf_free(&b); return NULL; }
    return b.p; /* malloc'ed: released with hwnas_free */
}

/* Plans and runs every run of a loaded config (a grid or a single run). */
static int run_grid(const hw_grid *g, int force, int quiet, char **result, hw_err *e)
{
    hw_run_result *res = calloc(g->n_runs, sizeof *res);
    if (!res) return hw_fail(e, HW_ENOMEM, "out of memory");
    int rc = hw_grid_plan(g, force, res, e);
    int planned = rc == HW_OK;
    for (size_t c = 0; !rc && c < g->n_cells; c++)
        if ((rc = hw_run_make_dir(&g->cells[c].cfg, e))) hw_err_prefix(e, "%s: output", g->file);
    if (!rc) {
        hw_run_options o = {force, quiet, NULL, NULL, 0};
        rc = hw_grid_run(g, &o, 0, 1, res, e);
    }
    for (size_t k = 0; !rc && k < g->n_runs; k++)
        if (res[k].status == HW_RUN_LOCKED)
            rc = hw_fail(e, HW_ESTATE, "%s: seed %llu: %s; not run here", g->file, (unsigned long long)res[k].seed,
                         res[k].note ? res[k].note : "locked");
    if (planned && !(*result = grid_result_json(g, res)) && !rc) rc = hw_fail(e, HW_ENOMEM, "out of memory");
    hw_run_results_free(res, g->n_runs);
    return rc;
}

int hwnas_run(const char *text, const char *path, const char *out_dir, int threads, int force, int quiet,
              char **result, hw_err *e)
{
    *result = NULL;
    if (!text && !path) return hw_fail(e, HW_EINVAL, "config: neither JSON text nor a path given");
    if (threads < 0) return hw_fail(e, HW_EINVAL, "threads: expected a count >= 1, got %d", threads);
    hw_config_overrides ov = {0};
    ov.out = out_dir;
    ov.threads = threads;
    hw_grid g;
    int rc = hw_grid_load_text(path ? path : "<config>", text, &ov, &g, e);
    if (rc) return rc;
    rc = run_grid(&g, force, quiet, result, e);
    hw_grid_free(&g);
    return rc;
}

/* External optimizers ------------------------------------------------------
 * Registered for one run: the ops carry the caller's name; create() (called
 * once when the config is validated) only accepts the optimizer object and
 * makes an unbound state; each seed's optimizer is the run's bound state
 * wrapped with hw_optimizer_wrap (optimizers/optimizer.h), which checks every
 * ask and tell. */

typedef struct {
    const hwnas_external_optimizer *x;  /* NULL: unbound (config validation only) */
    const hw_problem *p;
} ext_state;

typedef struct {
    hw_optimizer_ops ops;
    ext_state bound;
} ext_run;

static int ext_create(void **st, const hw_problem *p, const cJSON *params, const char *path, uint64_t seed,
                      hw_err *e)
{
    (void)p; (void)params; (void)path; (void)seed; (void)e;
    *st = calloc(1, sizeof(ext_state));
    return *st ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
}

static void ext_destroy(void *st) { free(st); }

static int ext_fail(const ext_state *s, const char *what, char *msg, hw_err *e)
{
    msg[HW_ERR_LEN - 1] = 0;
    return hw_fail(e, HW_EINVAL, "%s: %s: %s", s->x->name, what, *msg ? msg : "failed (no message)");
}

static int ext_ask(void *st, double *x, size_t max_n, size_t *n, hw_err *e)
{
    const ext_state *s = st;
    if (!s->x) return hw_fail(e, HW_ESTATE, "external optimizer: not bound to a run");
    char msg[HW_ERR_LEN] = "";
    *n = 0;
    if (s->x->ask(s->x->ctx, x, max_n, n, msg, sizeof msg)) return ext_fail(s, "ask", msg, e);
    return HW_OK;
}

static int ext_tell(void *st, const double *x, const double *f, size_t n, hw_err *e)
{
    const ext_state *s = st;
    if (!s->x) return hw_fail(e, HW_ESTATE, "external optimizer: not bound to a run");
    char msg[HW_ERR_LEN] = "";
    if (s->x->tell(s->x->ctx, x, f, n, msg, sizeof msg)) return ext_fail(s, "tell", msg, e);
    return HW_OK;
}

static size_t ext_batch_size(const void *st)
{
    const ext_state *s = st;
    return s->x ? s->x->batch_size : 0;
}

static int ext_make(void *ctx, const hw_problem *p, uint64_t seed, hw_optimizer **out, hw_err *e)
{
    ext_run *r = ctx;
    const hwnas_external_optimizer *x = r->bound.x;
    char msg[HW_ERR_LEN] = "";
    if (x->start && x->start(x->ctx, seed, p->n_var, p->n_obj, msg, sizeof msg))
        return ext_fail(&r->bound, "start", msg, e);
    r->bound.p = p;
    return hw_optimizer_wrap(&r->ops, p, &r->bound, out, e);
}

/* The config text with "optimizer" = {"name": name} unless it names name. */
static int ext_config_text(const char *text, const char *path, const char *name, char **out, hw_err *e)
{
    cJSON *root = NULL;
    int rc = text ? hwj_parse(text, path, &root, e) : hwj_load_file(path, &root, e);
    if (rc) return rc;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return hw_fail(e, HW_EINVAL, "%s: expected a JSON object", path);
    }
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(root, "optimizer");
    const cJSON *oname = cJSON_IsObject(opt) ? cJSON_GetObjectItemCaseSensitive(opt, "name") : NULL;
    if (!(cJSON_IsString(oname) && strcmp(oname->valuestring, name) == 0)) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddStringToObject(o, "name", name)) {
            cJSON_Delete(o);
            cJSON_Delete(root);
            return hw_fail(e, HW_ENOMEM, "out of memory");
        }
        if (opt) cJSON_ReplaceItemInObjectCaseSensitive(root, "optimizer", o);
        else cJSON_AddItemToObject(root, "optimizer", o);
    }
    *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return *out ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
}

int hwnas_run_external(const char *text, const char *path, const char *out_dir, int force, int quiet,
                       const hwnas_external_optimizer *opt, char **result, hw_err *e)
{
    *result = NULL;
    if (!text && !path) return hw_fail(e, HW_EINVAL, "config: neither JSON text nor a path given");
    if (!opt || !opt->name || !*opt->name || !opt->ask || !opt->tell)
        return hw_fail(e, HW_EINVAL, "optimizer: a name, ask and tell are required");
    if (strlen(opt->name) > 128) return hw_fail(e, HW_EINVAL, "optimizer: name longer than 128 characters");
    if (hw_optimizer_find(opt->name)) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, opt->name);
        return hw_fail(e, HW_EINVAL, "optimizer: '%s' is the name of a built-in optimizer", shown);
    }
    const char *file = path ? path : "<config>";
    char *cfg_text = NULL;
    int rc = ext_config_text(text, file, opt->name, &cfg_text, e);
    if (rc) return rc;
    ext_run run = {{opt->name, ext_create, ext_ask, ext_tell, ext_destroy, ext_batch_size}, {opt, NULL}};
    hw_config_overrides ov = {0};
    ov.out = out_dir;
    ov.threads = 1; /* one seed after the other on this thread: the callbacks are never concurrent */
    hw_run_config c;
    rc = hw_config_load_text(file, cfg_text, &run.ops, &ov, &c, e);
    if (!rc) {
        c.make_optimizer = ext_make;
        c.make_optimizer_ctx = &run;
        rc = run_loaded(&c, force, quiet, result, e);
        hw_config_free(&c);
    }
    free(cfg_text);
    return rc;
}
