#include "benchmark/hwgpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/rng.h"
#include "core/util.h"
#include "surrogates/surrogate.h"
#include "surrogates/hwgpt_mlp.h"

typedef struct {
    hw_problem p;            /* first member: the hw_problem* is the struct */
    const hw_space *sp;
    hw_metric_env env;
    int noise;
    const hw_metric *obj[HW_MAX_OBJ];
    const char *obj_name[HW_MAX_OBJ];
    double lo[HW_MAX_OBJ], hi[HW_MAX_OBJ], ref[HW_MAX_OBJ];
    hw_var *vars;
    char name[16];
    hw_file_id files[2];     /* the model file and the hwgpt-mlp checkpoint it read */
    size_t n_files;
} hwgpt_problem;

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
            int rc = hp->obj[j]->eval(hp->obj[j], &hp->env, &a, &v, e);
            if (rc) return rc;
            if (!hp->noise) f[i * m + j] = v.mean;
            else if (hp->obj[j]->sample) f[i * m + j] = hp->obj[j]->sample(hp->obj[j], &hp->env, &a, &v, &r);
            else f[i * m + j] = v.mean + v.noise_std * hw_rng_normal(&r);
            if (f_std) f_std[i * m + j] = v.std;
        }
    }
    return HW_OK;
}

static size_t hwgpt_files(const hw_problem *p, const hw_file_id **files)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    *files = hp->files;
    return hp->n_files;
}

static int hwgpt_describe(const hw_problem *p, const double *x, char *buf, size_t n)
{
    const hwgpt_problem *hp = (const hwgpt_problem *)p;
    hw_arch a;
    hw_arch_from_genome(hp->sp, x, &a);
    return hw_arch_format(&a, buf, n);
}

/* Frees the models an environment owns (surrogates, the hwgpt-mlp predictor). */
static void env_release(hw_metric_env *env)
{
    if (env->free_models) env->free_models(env->models);
    hwgpt_mlp_free(env->hwgpt_mlp);
    env->hwgpt_mlp = NULL;
}

static void hwgpt_destroy(hw_problem *p)
{
    hwgpt_problem *hp = (hwgpt_problem *)p;
    env_release(&hp->env);
    free(hp->vars);
    free(hp);
}

const hw_space *hw_hwgpt_space(const hw_problem *p)
{
    return p && p->destroy == hwgpt_destroy ? ((const hwgpt_problem *)p)->sp : NULL;
}

int hw_hwgpt_build(const hw_space *sp, const hw_metric *const *objectives, int n_obj,
                   hw_metric_env *env, int noise, hw_problem **out, hw_err *e)
{
    hw_metric_env none = {0};
    if (!env) env = &none;
    if (n_obj < 1 || n_obj > HW_MAX_OBJ) {
        env_release(env);
        return hw_fail(e, HW_EINVAL, "hwgpt: %d objectives, expected 1 to %d", n_obj, HW_MAX_OBJ);
    }
    int ng = hw_space_n_genes(sp);
    hwgpt_problem *hp = calloc(1, sizeof *hp);
    hw_var *v = calloc((size_t)ng, sizeof *v);
    if (!hp || !v) {
        free(hp); free(v);
        env_release(env);
        return hw_fail(e, HW_ENOMEM, "hwgpt: out of memory");
    }
    hp->env = *env;
    *env = none;   /* the problem owns the models now */
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
    p->destroy = hwgpt_destroy;
    p->impl = hp;
    for (int j = 0; j < n_obj; j++) {
        const hw_metric *m = objectives[j];
        hp->obj[j] = m;
        hp->obj_name[j] = m->name;
        hp->ref[j] = 1.1;
        if ((m->flags & HW_METRIC_PER_DEVICE) && !hp->env.device) {
            hwgpt_destroy(p);
            return hw_fail(e, HW_EINVAL, "hwgpt: objective '%s' needs a device", m->name);
        }
        int rc = m->bounds(m, &hp->env, sp, &hp->lo[j], &hp->hi[j], e);
        if (rc) { hwgpt_destroy(p); return rc; }
        if (!(hp->hi[j] > hp->lo[j])) {
            hwgpt_destroy(p);
            return hw_fail(e, HW_EINVAL, "hwgpt: objective '%s' is constant over scale %s", m->name, sp->name);
        }
    }
    p->obj_lo = hp->lo;
    p->obj_hi = hp->hi;
    p->default_ref = hp->ref;
    *out = p;
    return HW_OK;
}

/* The surrogate backend: reads its own config keys, loads the trained
 * surrogate models of the scale into env (env->models, env->free_models,
 * env->device) and sets *noise.
 *   device  one of the HW-GPT-Bench devices (surrogates/surrogate.h), needed by
 *           latency and energy
 *   noise   "mean" (default: the predicted mean, deterministic) or "sample"
 *           (a draw from the predicted measurement-noise distribution with the
 *           evaluation's own stream hw_rng_eval(id.seed, id.index))
 *   models  directory of the model files (default: env HWNAS_MODELS, else the
 *           shipped surrogates/models) */
static int hwgpt_surrogate_setup(const cJSON *cfg, const char *path, const hw_space *sp,
                                 hw_metric_env *env, int *noise, const char **models_dir, hw_err *e)
{
    static const char *const keys[] = {"name", "backend", "scale", "objectives", "device", "noise", "models",
                                       "predictor", "checkpoint", NULL};
    static const char *const noises[] = {"mean", "sample", NULL};
    int rc = hwj_check_keys(cfg, path, keys, e);
    if (rc) return rc;
    const char *device = NULL, *dir = hw_default_models_dir();
    if ((rc = hwj_get_string(cfg, path, "device", 0, &device, e))) return rc;
    if ((rc = hwj_get_enum(cfg, path, "noise", 0, noises, noise, e))) return rc;
    if ((rc = hwj_get_string(cfg, path, "models", 0, &dir, e))) return rc;
    char p[512];
    if (device) {
        int dev;
        hwj_path(p, sizeof p, path, "device");
        if ((rc = sur_device_lookup(device, &dev, e))) return hw_err_prefix(e, "%s", p);
    }
    hwj_path(p, sizeof p, path, "models");
    if (!*dir) return hw_fail(e, HW_EINVAL, "%s: expected a directory, got an empty string", p);
    sur_models *ms;
    if ((rc = sur_models_load(dir, sp->scale, device, &ms, e))) return hw_err_prefix(e, "%s", p);
    env->models = ms;
    env->free_models = sur_models_free;
    env->device = device ? SUR_DEVICE_NAMES[ms->device] : NULL;
    *models_dir = dir;
    return HW_OK;
}

static const char *const DEFAULT_OBJECTIVES[HW_N_BACKENDS][2] = {
    {"params", "flops"},            /* analytic */
    {"perplexity", "latency"},      /* surrogate */
};

int hw_hwgpt_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    static const char *const analytic_keys[] = {"name", "backend", "scale", "objectives", "predictor", "checkpoint", NULL};
    static const char *const scales[] = {"s", "m", "l", NULL};
    *out = NULL;
    int backend = HW_BACKEND_SURROGATE, scale = HW_SCALE_S, noise = 0, rc;
    if ((rc = hwj_get_enum(cfg, path, "backend", 0, HW_BACKEND_NAMES, &backend, e))) return rc;
    if (backend == HW_BACKEND_ANALYTIC && (rc = hwj_check_keys(cfg, path, analytic_keys, e))) return rc;
    if ((rc = hwj_get_enum(cfg, path, "scale", 0, scales, &scale, e))) return rc;
    const hw_space *sp = hw_space_get(scale);

    char p[512];
    hwj_path(p, sizeof p, path, "objectives");
    const char *names[HW_MAX_OBJ];
    int n_obj = 0;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cfg, "objectives");
    if (!arr) {
        names[0] = DEFAULT_OBJECTIVES[backend][0];
        names[1] = DEFAULT_OBJECTIVES[backend][1];
        n_obj = 2;
    } else {
        if (!cJSON_IsArray(arr)) return hw_fail(e, HW_EINVAL, "%s: expected an array of metric names", p);
        int len = cJSON_GetArraySize(arr);
        if (len < 1 || len > HW_MAX_OBJ)
            return hw_fail(e, HW_EINVAL, "%s: expected 1 to %d metric names, got %d", p, HW_MAX_OBJ, len);
        for (const cJSON *c = arr->child; c; c = c->next, n_obj++) {
            if (!cJSON_IsString(c)) return hw_fail(e, HW_EINVAL, "%s[%d]: expected a metric name (a string)", p, n_obj);
            for (int k = 0; k < n_obj; k++)
                if (strcmp(names[k], c->valuestring) == 0)
                    return hw_fail(e, HW_EINVAL, "%s[%d]: '%s' is listed twice", p, n_obj, c->valuestring);
            names[n_obj] = c->valuestring;
        }
    }
    hw_metric_env env = {0};
    const char *models_dir = NULL;
    if (backend == HW_BACKEND_SURROGATE && (rc = hwgpt_surrogate_setup(cfg, path, sp, &env, &noise, &models_dir, e)))
        return rc;
    /* "predictor": "hwgpt-mlp" computes "perplexity" with HW-GPT-Bench's own
     * MLP predictor, read from "checkpoint" (default: the published one). */
    static const char *const predictors[] = {"hwgpt-mlp", NULL};
    int predictor = -1;
    const char *checkpoint = NULL;
    char ckpt[4096];
    if ((rc = hwj_get_enum(cfg, path, "predictor", 0, predictors, &predictor, e)) ||
        (rc = hwj_get_string(cfg, path, "checkpoint", 0, &checkpoint, e))) {
        env_release(&env);
        return rc;
    }
    if (checkpoint && predictor < 0) {
        env_release(&env);
        return hw_fail(e, HW_EINVAL, "%s.checkpoint: needs \"predictor\": \"hwgpt-mlp\"", path);
    }
    if (predictor >= 0) {
        if (!checkpoint) hwgpt_mlp_default_path(hw_default_data_dir(), sp->scale, ckpt, sizeof ckpt);
        hwgpt_mlp *model;
        if ((rc = hwgpt_mlp_load(checkpoint ? checkpoint : ckpt, sp->scale, &model, e))) {
            hw_err_prefix(e, "%s.checkpoint", path);
            env_release(&env);
            return rc;
        }
        env.hwgpt_mlp = model;
    }
    const hw_metric *objs[HW_MAX_OBJ];
    for (int j = 0; j < n_obj; j++) {
        if (env.hwgpt_mlp && strcmp(names[j], "perplexity") == 0) {
            objs[j] = &hwgpt_mlp_perplexity_metric;
            continue;
        }
        /* the surrogate backend also offers the exact analytic metrics */
        rc = hw_metric_lookup(names[j], backend == HW_BACKEND_SURROGATE ? -1 : backend, &objs[j], e);
        if (rc) {
            if (arr) hw_err_prefix(e, "%s[%d]", p, j);
            else hw_err_prefix(e, "%s (default)", p);
            env_release(&env);
            return rc;
        }
    }
    for (int j = 0; j < n_obj; j++)
        if ((objs[j]->flags & HW_METRIC_PER_DEVICE) && !env.device) {
            env_release(&env);
            char list[512];
            size_t u = 0;
            for (int d = 0; d < SUR_N_DEVICES; d++)
                u += (size_t)snprintf(list + u, sizeof list - u, "%s%s", d ? ", " : "", SUR_DEVICE_NAMES[d]);
            return hw_fail(e, HW_EINVAL, "%s.device: required by the objective '%s' (%s)", path, objs[j]->name, list);
        }
    if ((rc = hw_hwgpt_build(sp, objs, n_obj, &env, noise, out, e))) return rc;
    /* the identities of the files it read, for the run logs */
    hwgpt_problem *hp = (hwgpt_problem *)*out;
    hp->p.files = hwgpt_files;
    char file[4096];
    if (models_dir) {
        snprintf(file, sizeof file, "%s/%s.hwsur", models_dir, sp->name); /* as surrogate_load names it */
        rc = hw_file_identify(file, &hp->files[hp->n_files++], e);
    }
    if (!rc && predictor >= 0) rc = hw_file_identify(checkpoint ? checkpoint : ckpt, &hp->files[hp->n_files++], e);
    if (rc) {
        hwgpt_destroy(*out);
        *out = NULL;
    }
    return rc;
}
