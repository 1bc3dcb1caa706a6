#include "benchmark/hwgpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/rng.h"
#include "space/analytic.h"
#include "supernet/supernet_backend.h"
#include "surrogates/hwgpt_mlp.h"
#include "surrogates/surrogate.h"

typedef struct {
    hw_problem p;            /* first member: the hw_problem* is the struct */
    const hw_space *sp;
    hw_backend_envs envs;
    int noise;
    const hw_metric *obj[HW_MAX_OBJ];
    const void *obj_env[HW_MAX_OBJ];  /* the environment of obj[j]'s backend */
    const char *obj_name[HW_MAX_OBJ];
    char obj_label[HW_MAX_OBJ][96];   /* "energy@cpu_xeon_gold" when devices mix, else the metric's name */
    double lo[HW_MAX_OBJ], hi[HW_MAX_OBJ], ref[HW_MAX_OBJ];
    hw_var *vars;
    char name[16];
    hw_file_id files[4];     /* the model files and checkpoints its backends read */
    size_t n_files;
} hwgpt_problem;

static size_t hwgpt_files(const hw_problem *p, const hw_file_id **files)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    *files = hp->files;
    return hp->n_files;
}

static int hwgpt_evaluate(hw_problem *p, const double *x, const hw_eval_id *ids, size_t n,
                          double *f, double *f_std, hw_err *e)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    int m = p->n_obj;
    for (size_t i = 0; i < n; i++) {
        hw_arch a;
        hw_arch_from_genome(hp->sp, x + i * p->n_var, &a);
        hw_rng r;
        if (hp->noise) r = ids ? hw_rng_eval(ids[i].seed, ids[i].index) : hw_rng_eval(0, i);
        for (int j = 0; j < m; j++) {
            hw_metric_value v;
            int rc = hp->obj[j]->eval(hp->obj[j], hp->obj_env[j], &a, &v, e);
            if (rc) return rc;
            if (!hp->noise) f[i * m + j] = v.mean;
            else if (hp->obj[j]->sample) f[i * m + j] = hp->obj[j]->sample(hp->obj[j], hp->obj_env[j], &a, &v, &r);
            else f[i * m + j] = v.mean + v.noise_std * hw_rng_normal(&r);
            if (f_std) f_std[i * m + j] = v.std;
        }
    }
    return HW_OK;
}

static int hwgpt_describe(const hw_problem *p, const double *x, char *buf, size_t n)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    hw_arch a;
    hw_arch_from_genome(hp->sp, x, &a);
    return hw_arch_format(&a, buf, n);
}

/* The canonical genome of x's architecture: inert genes zeroed. */
static void hwgpt_canonicalize(const hw_problem *p, double *x)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    hw_arch a;
    double c[3 + 2 * HW_MAX_LAYERS];
    hw_arch_from_genome(hp->sp, x, &a);
    hw_arch_to_genome(&a, c);
    memcpy(x, c, (size_t)p->n_var * sizeof *x);
}

static void hwgpt_destroy(hw_problem *p)
{
    hwgpt_problem *hp = (hwgpt_problem *)p;
    hw_backend_envs_close(&hp->envs);
    free(hp->vars);
    free(hp);
}

const hw_space *hw_hwgpt_space(const hw_problem *p)
{
    return p && p->destroy == hwgpt_destroy ? ((const hwgpt_problem *)p)->sp : NULL;
}

/* hw_hwgpt_build with, per objective, its environment (obj_envs[j]; NULL:
 * that of its backend in envs) and its name (names[j]; NULL: the row's). */
static int hwgpt_build(const hw_space *sp, const hw_metric *const *objectives, const void *const *obj_envs,
                       const char *const *names, int n_obj, hw_backend_envs *envs, int noise, hw_problem **out,
                       hw_err *e)
{
    hw_backend_envs none = {0};
    if (!envs) envs = &none;
    if (n_obj < 1 || n_obj > HW_MAX_OBJ) {
        hw_backend_envs_close(envs);
        return hw_fail(e, HW_EINVAL, "hwgpt: %d objectives, expected 1 to %d", n_obj, HW_MAX_OBJ);
    }
    int ng = hw_space_n_genes(sp);
    hwgpt_problem *hp = calloc(1, sizeof *hp);
    hw_var *v = calloc((size_t)ng, sizeof *v);
    if (!hp || !v) {
        free(hp); free(v);
        hw_backend_envs_close(envs);
        return hw_fail(e, HW_ENOMEM, "hwgpt: out of memory");
    }
    hp->envs = *envs;
    for (int k = 0; k < hp->envs.n; k++)
        if (hp->envs.backend[k] == &hw_supernet_backend) { /* measured on a model: batches on one thread */
            hp->p.eval_mode = HW_EVAL_BATCH;
            hp->p.batch_size = SN_BACKEND_BATCH;
        }
    hp->n_files = hw_backend_envs_files(&hp->envs, hp->files, sizeof hp->files / sizeof hp->files[0]);
    *envs = none;   /* the problem owns the environments now */
    hp->sp = sp;
    hp->noise = noise;
    hp->vars = v;
    for (int g = 0; g < ng; g++) {
        v[g].type = HW_VAR_CATEGORICAL;
        v[g].n_cat = hw_space_gene_choices(sp, g);
        v[g].lo = 0.0;
        v[g].hi = v[g].n_cat - 1;
    }
    snprintf(hp->name, sizeof hp->name, "hwgpt-%s", sp->name);
    hw_problem *p = &hp->p;
    p->name = hp->name;
    p->n_var = ng;
    p->vars = v;
    p->n_obj = n_obj;
    p->obj_names = hp->obj_name;
    p->evaluate = hwgpt_evaluate;
    p->describe = hwgpt_describe;
    p->canonicalize = hwgpt_canonicalize;
    p->files = hwgpt_files;
    p->destroy = hwgpt_destroy;
    p->impl = hp;
    for (int j = 0; j < n_obj; j++) {
        const hw_metric *m = objectives[j];
        hp->obj[j] = m;
        hp->obj_env[j] = obj_envs && obj_envs[j] ? obj_envs[j] : hw_backend_envs_get(&hp->envs, m);
        snprintf(hp->obj_label[j], sizeof hp->obj_label[j], "%s", names && names[j] ? names[j] : m->name);
        hp->obj_name[j] = hp->obj_label[j];
        hp->ref[j] = 1.1;
        int rc = m->bounds(m, hp->obj_env[j], sp, &hp->lo[j], &hp->hi[j], e);
        if (rc) { hwgpt_destroy(p); return rc; }
        if (!(hp->hi[j] > hp->lo[j])) {
            hwgpt_destroy(p);
            return hw_fail(e, HW_EINVAL, "hwgpt: objective '%s' is constant over scale %s", hp->obj_label[j],
                           sp->name);
        }
    }
    p->obj_lo = hp->lo;
    p->obj_hi = hp->hi;
    p->default_ref = hp->ref;
    *out = p;
    return HW_OK;
}

int hw_hwgpt_build(const hw_space *sp, const hw_metric *const *objectives, int n_obj, hw_backend_envs *envs,
                   int noise, hw_problem **out, hw_err *e)
{
    return hwgpt_build(sp, objectives, NULL, NULL, n_obj, envs, noise, out, e);
}

/* One entry of "objectives": "METRIC" or "METRIC@DEVICE". */
typedef struct {
    const char *text;    /* as written */
    char metric[HW_METRIC_DEVICE_LEN]; /* the metric's name (the text before '@') */
    const char *device;  /* the text after '@' (its own device), NULL = the problem's "device" */
} objective_spec;

static int parse_objective(const char *text, const char *p, int j, objective_spec *o, hw_err *e)
{
    o->text = text;
    if (hw_metric_split(text, o->metric, &o->device)) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, text);
        return hw_fail(e, HW_EINVAL, "%s[%d]: '%s': expected METRIC or METRIC@DEVICE (e.g. energy@cpu_xeon_gold)", p,
                       j, shown);
    }
    return HW_OK;
}

/* The objectives: "objectives" or the primary backend's default. */
static int read_objectives(const cJSON *cfg, const char *path, const hw_backend *primary, objective_spec *objs,
                           int *n_obj, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, "objectives");
    *n_obj = 0;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cfg, "objectives");
    if (!arr) {
        int analytic = primary == &hw_analytic_backend;
        parse_objective(analytic ? "params" : "perplexity", p, 0, &objs[0], e);
        parse_objective(analytic ? "flops" : "latency", p, 1, &objs[1], e);
        *n_obj = 2;
        return HW_OK;
    }
    if (!cJSON_IsArray(arr)) return hw_fail(e, HW_EINVAL, "%s: expected an array of metric names", p);
    int len = cJSON_GetArraySize(arr);
    if (len < 1 || len > HW_MAX_OBJ)
        return hw_fail(e, HW_EINVAL, "%s: expected 1 to %d metric names, got %d", p, HW_MAX_OBJ, len);
    for (const cJSON *c = arr->child; c; c = c->next, (*n_obj)++) {
        if (!cJSON_IsString(c)) return hw_fail(e, HW_EINVAL, "%s[%d]: expected a metric name (a string)", p, *n_obj);
        for (int k = 0; k < *n_obj; k++)
            if (strcmp(objs[k].text, c->valuestring) == 0)
                return hw_fail(e, HW_EINVAL, "%s[%d]: '%s' is listed twice", p, *n_obj, c->valuestring);
        int rc = parse_objective(c->valuestring, p, *n_obj, &objs[*n_obj], e);
        if (rc) return rc;
    }
    return HW_OK;
}

static int any_own_device(const objective_spec *objs, int n_obj)
{
    for (int j = 0; j < n_obj; j++)
        if (objs[j].device) return 1;
    return 0;
}

/* Allowed keys: the problem's, the primary backend's, and "predictor" with
 * the hwgpt-mlp backend's (its "checkpoint" without "predictor" is an error
 * of its own) — or, with the supernet backend (which has a "checkpoint" of
 * its own and gives perplexity itself), the surrogate's "device" and
 * "models" for per-device metrics. */
static int check_keys(const cJSON *cfg, const char *path, const hw_backend *primary, hw_err *e)
{
    static const char *const own[] = {"name", "backend", "scale", "objectives", NULL};
    static const char *const with_supernet[] = {"device", "models", NULL};
    static const char *const with_predictor[] = {"predictor", NULL};
    const char *const *extra[2] = {with_predictor, hw_hwgpt_mlp_backend.keys};
    if (primary == &hw_supernet_backend) extra[0] = with_supernet, extra[1] = NULL;
    const char *keys[32];
    int n = 0;
    for (const char *const *k = own; *k; k++) keys[n++] = *k;
    for (const char *const *k = primary->keys; *k && n < 24; k++) keys[n++] = *k;
    for (int x = 0; x < 2 && extra[x]; x++)
        for (const char *const *k = extra[x]; *k && n < 31; k++) keys[n++] = *k;
    keys[n] = NULL;
    return hwj_check_keys(cfg, path, keys, e);
}

static int hwgpt_create(const hw_problem_kind *kind, const cJSON *cfg, const char *path, hw_problem **out,
                        hw_err *e)
{
    (void)kind;
    return hw_hwgpt_create(cfg, path, out, e);
}

const hw_problem_kind hw_hwgpt_kind = {"hwgpt", hwgpt_create, 0};

/* The supernet backend's composition: perplexity, params and latency
 * measured on the checkpoint; with "device" (scales s, m, l) the surrogate's
 * per-device rows (latency, energy on one of the 13 devices) take the place
 * of the measured ones, and objectives naming their own device
 * ("energy@a100", own != 0) take them too. */
static int supernet_uses(const cJSON *cfg, const char *path, const hw_space *sp, int own, const hw_backend **use,
                         int *n_use, int *device, hw_err *e)
{
    *device = cJSON_GetObjectItemCaseSensitive(cfg, "device") != NULL;
    const int models = cJSON_GetObjectItemCaseSensitive(cfg, "models") != NULL;
    const int surrogates = *device || own;
    if ((surrogates || models) && sp->scale >= HW_N_SCALES) {
        char p[512];
        hwj_path(p, sizeof p, path, *device ? "device" : models ? "models" : "objectives");
        return hw_fail(e, HW_EINVAL, "%s: the surrogates cover scales s, m, l; on scale %s latency is measured here",
                       p, sp->name);
    }
    if (!surrogates && models)
        return hw_fail(e, HW_EINVAL, "%s.models: the surrogate models serve per-device metrics: give \"device\" (or "
                       "an objective's own, as in \"latency@a100\") too", path);
    *n_use = 0;
    use[(*n_use)++] = &hw_supernet_backend;
    if (surrogates) use[(*n_use)++] = &hw_surrogate_backend;
    use[(*n_use)++] = &hw_analytic_backend;
    return HW_OK;
}

/* The row of objective name among use (surrogate per-device rows first when
 * "device" is given to the supernet backend). */
static int resolve_objective(const char *name, const hw_backend *const *use, int n_use, int device_first,
                             const hw_metric **out, hw_err *e)
{
    const hw_metric *r;
    if (device_first && (r = hw_backend_row(&hw_surrogate_backend, name)) && (r->flags & HW_METRIC_PER_DEVICE)) {
        *out = r;
        return HW_OK;
    }
    return hw_metric_resolve(name, use, n_use, out, e);
}

/* The row of an objective naming its own device: the first per-device row of
 * that name among use. */
static int resolve_on_device(const objective_spec *o, const hw_backend *const *use, int n_use, const hw_metric **out,
                             hw_err *e)
{
    int rc = hw_metric_resolve_per_device(o->metric, use, n_use, out, e);
    if (rc) {
        char shown[72];
        hwj_abbrev(shown, sizeof shown, o->text);
        return hw_err_prefix(e, "'%s'", shown);
    }
    return HW_OK;
}

/* When some objective names its own device, every per-device objective gets
 * an environment on its device (the problem's "device" for those naming
 * none) and the name "metric@device"; two objectives measuring one metric on
 * one device are refused. */
static int open_objective_devices(const cJSON *cfg, const char *path, const objective_spec *specs,
                                  const hw_metric *const *objs, int n_obj, hw_backend_envs *envs,
                                  const void **env, char (*label)[96], const char **names, hw_err *e)
{
    char p[512];
    hwj_path(p, sizeof p, path, "objectives");
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(cfg, "device");
    for (int j = 0; j < n_obj; j++) {
        const char *device = specs[j].device ? specs[j].device : cJSON_IsString(dv) ? dv->valuestring : NULL;
        if (!(objs[j]->flags & HW_METRIC_PER_DEVICE) || !device) continue;
        const char *canonical;
        int rc = hw_backend_envs_device(envs, objs[j], device, &env[j], &canonical, e);
        if (rc) return specs[j].device ? hw_err_prefix(e, "%s[%d]", p, j) : hw_err_prefix(e, "%s.device", path);
        snprintf(label[j], sizeof label[j], "%s@%s", objs[j]->name, canonical);
        names[j] = label[j];
        for (int k = 0; k < j; k++)
            if (names[k] && objs[k] == objs[j] && strcmp(names[k], names[j]) == 0)
                return hw_fail(e, HW_EINVAL, "%s[%d]: '%s' is listed twice: it measures %s, as %s[%d] '%s' does", p,
                               j, specs[j].text, names[j], p, k, specs[k].text);
    }
    return HW_OK;
}

int hw_hwgpt_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    static const char *const primaries[] = {"analytic", "surrogate", "supernet", NULL};
    /* indices are hw_scale values; xs and xxs only with the supernet backend */
    static const char *const scales[] = {"s", "m", "l", "xs", "xxs", NULL};
    static const char *const scales_sml[] = {"s", "m", "l", NULL};
    static const char *const noises[] = {"mean", "sample", NULL};
    static const char *const predictors[] = {"hwgpt-mlp", NULL};
    *out = NULL;
    int which = 1, scale = HW_SCALE_S, noise = 0, predictor = -1, device_first = 0, rc;
    if ((rc = hwj_get_enum(cfg, path, "backend", 0, primaries, &which, e))) return rc;
    const hw_backend *primary = hw_backend_find(primaries[which]);
    const int supernet = primary == &hw_supernet_backend;
    if ((rc = check_keys(cfg, path, primary, e))) return rc;
    if (supernet) scale = HW_SCALE_XS; /* the default checkpoint's space */
    if ((rc = hwj_get_enum(cfg, path, "scale", 0, supernet ? scales : scales_sml, &scale, e))) return rc;
    const hw_space *sp = hw_space_get(scale);
    objective_spec specs[HW_MAX_OBJ];
    int n_obj;
    if ((rc = read_objectives(cfg, path, primary, specs, &n_obj, e))) return rc;
    const int own = any_own_device(specs, n_obj);
    /* "noise": "mean" (the predicted mean) or "sample" (a draw from the
     * predicted measurement-noise distribution with the evaluation's own
     * stream hw_rng_eval(id.seed, id.index)); a key of the surrogate backend. */
    if (primary == &hw_surrogate_backend && (rc = hwj_get_enum(cfg, path, "noise", 0, noises, &noise, e))) return rc;
    const hw_backend *use[3];
    int n_use = 0;
    if (supernet) {
        if ((rc = supernet_uses(cfg, path, sp, own, use, &n_use, &device_first, e))) return rc;
    } else {
        /* "predictor": "hwgpt-mlp" takes "perplexity" from HW-GPT-Bench's MLP
         * predictor, the row ("hwgpt-mlp", "perplexity"). */
        if ((rc = hwj_get_enum(cfg, path, "predictor", 0, predictors, &predictor, e))) return rc;
        if (predictor < 0 && cJSON_GetObjectItemCaseSensitive(cfg, "checkpoint"))
            return hw_fail(e, HW_EINVAL, "%s.checkpoint: needs \"predictor\": \"hwgpt-mlp\"", path);
        if (predictor >= 0) use[n_use++] = &hw_hwgpt_mlp_backend;
        use[n_use++] = primary;
        if (primary != &hw_analytic_backend) use[n_use++] = &hw_analytic_backend;
    }
    const hw_metric *objs[HW_MAX_OBJ], *on_problem_device[HW_MAX_OBJ];
    int n_plain = 0;
    for (int j = 0; j < n_obj; j++) {
        rc = specs[j].device ? resolve_on_device(&specs[j], use, n_use, &objs[j], e)
                             : resolve_objective(specs[j].metric, use, n_use, device_first, &objs[j], e);
        if (rc) {
            char p[512];
            hwj_path(p, sizeof p, path, "objectives");
            if (cJSON_GetObjectItemCaseSensitive(cfg, "objectives")) return hw_err_prefix(e, "%s[%d]", p, j);
            return hw_err_prefix(e, "%s (default)", p);
        }
        if (!specs[j].device) on_problem_device[n_plain++] = objs[j];
    }
    /* the backends open for the objectives measured on the problem's
     * "device"; those naming their own get a view on it */
    hw_backend_envs envs;
    if ((rc = hw_backend_envs_open(&envs, use, n_use, on_problem_device, n_plain, cfg, path, sp, e))) return rc;
    const void *env[HW_MAX_OBJ] = {0};
    const char *names[HW_MAX_OBJ] = {0};
    char label[HW_MAX_OBJ][96];
    if (own && (rc = open_objective_devices(cfg, path, specs, objs, n_obj, &envs, env, label, names, e))) {
        hw_backend_envs_close(&envs);
        return rc;
    }
    return hwgpt_build(sp, objs, env, names, n_obj, &envs, noise, out, e);
}
