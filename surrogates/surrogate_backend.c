/* The surrogate backend: perplexity, latency and energy predicted by the
 * trained models (surrogate.h) as metric rows; its environment is a
 * sur_models. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "surrogates/surrogate.h"

static int surrogate_eval(const hw_metric *m, const void *env, const hw_arch *a, hw_metric_value *v, hw_err *e)
{
    if (!env) return hw_fail(e, HW_EINVAL, "metric '%s' needs the surrogate models", m->name);
    sur_pred p;
    int rc = sur_models_predict(env, a, m->arg, &p, e);
    if (rc) return rc;
    v->mean = p.mean;
    v->std = p.std;
    v->noise_std = p.noise_std;
    return HW_OK;
}

static int surrogate_row_bounds(const hw_metric *m, const void *env, const hw_space *sp, double *lo, double *hi,
                                hw_err *e)
{
    const sur_models *ms = env;
    if (!ms || !ms->set[sp->scale])
        return hw_fail(e, HW_EINVAL, "metric '%s' needs the surrogate models of scale %s", m->name, sp->name);
    return surrogate_bounds(ms->set[sp->scale], m->arg, m->arg == SUR_PERPLEXITY ? 0 : ms->device, lo, hi, e);
}

static double surrogate_row_sample(const hw_metric *m, const void *env, const hw_arch *a, const hw_metric_value *v,
                                   hw_rng *r)
{
    const sur_models *ms = env;
    sur_pred p = {v->mean, v->std, v->noise_std};
    return surrogate_sample(ms->set[a->scale], m->arg, ms->device, &p, r);
}

/* Every requested per-device row needs "device", and a model on it. */
static int check_rows(const char *path, const sur_models *ms, const hw_metric *const *rows, int n_rows, hw_err *e)
{
    for (int i = 0; i < n_rows; i++) {
        if ((rows[i]->flags & HW_METRIC_PER_DEVICE) && ms->device < 0) {
            char list[512];
            size_t u = 0;
            for (int d = 0; d < SUR_N_DEVICES; d++)
                u += (size_t)snprintf(list + u, sizeof list - u, "%s%s", d ? ", " : "", SUR_DEVICE_NAMES[d]);
            return hw_fail(e, HW_EINVAL, "%s.device: required by the objective '%s' (%s), unless it names its own "
                           "('%s@DEVICE')", path, rows[i]->name, list, rows[i]->name);
        }
        for (int sc = 0; sc < HW_N_SCALES; sc++)
            if (ms->set[sc] && !surrogate_has(ms->set[sc], rows[i]->arg, rows[i]->arg == SUR_PERPLEXITY ? 0 : ms->device))
                return hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s at scale %s", rows[i]->name,
                               ms->device_name, hw_space_get(sc)->name);
    }
    return HW_OK;
}

/* Keys: device (an HW-GPT-Bench device, needed by latency and energy),
 * models (the model directory; default hw_models_dir()).  "noise" is listed
 * among its keys because it applies to its rows; the problem reads it. */
static int surrogate_open(const hw_backend *b, const cJSON *cfg, const char *path, const hw_space *sp,
                          const hw_metric *const *rows, int n_rows, void **env, hw_err *e)
{
    (void)b;
    *env = NULL;
    char buf[HW_PATH_MAX], p[512];
    const char *device = NULL, *dir = hw_models_dir(buf, sizeof buf);
    int rc;
    if ((rc = hwj_get_string(cfg, path, "device", 0, &device, e))) return rc;
    if ((rc = hwj_get_string(cfg, path, "models", 0, &dir, e))) return rc;
    hwj_path(p, sizeof p, path, "models");
    if (!*dir) return hw_fail(e, HW_EINVAL, "%s: expected a directory, got an empty string", p);
    sur_models *ms;
    if ((rc = sur_models_load(dir, sp ? sp->scale : -1, NULL, &ms, e))) return hw_err_prefix(e, "%s", p);
    /* the device is looked up in the loaded sets (own devices live there) */
    hwj_path(p, sizeof p, path, "device");
    if (device && (rc = sur_models_set_device(ms, device, e))) {
        sur_models_free(ms);
        return hw_err_prefix(e, "%s", p);
    }
    if ((rc = check_rows(path, ms, rows, n_rows, e))) {
        sur_models_free(ms);
        return rc;
    }
    *env = ms;
    return HW_OK;
}

/* A view of the open models on another device (sur_models_view), checked
 * for rows as open() checks them. */
static int surrogate_open_device(const hw_backend *b, const void *env, const char *device, const hw_metric *const *rows,
                                 int n_rows, void **out, const char **device_name, hw_err *e)
{
    (void)b;
    *out = NULL;
    if (!env) return hw_fail(e, HW_EINVAL, "the surrogate models are not open");
    sur_models *v;
    int rc = sur_models_view(env, device, &v, e);
    if (rc) return rc;
    if ((rc = check_rows("", v, rows, n_rows, e))) {
        sur_models_free(v);
        return rc;
    }
    *out = v;
    *device_name = v->device_name;
    return HW_OK;
}

static const hw_metric SURROGATE_ROWS[] = {
    {"surrogate", "perplexity", "", HW_METRIC_HAS_STD, SUR_PERPLEXITY, surrogate_eval, surrogate_row_bounds,
     surrogate_row_sample},
    {"surrogate", "latency", "ms", HW_METRIC_HAS_STD | HW_METRIC_PER_DEVICE, SUR_LATENCY, surrogate_eval,
     surrogate_row_bounds, surrogate_row_sample},
    {"surrogate", "energy", "Wh", HW_METRIC_HAS_STD | HW_METRIC_PER_DEVICE, SUR_ENERGY, surrogate_eval,
     surrogate_row_bounds, surrogate_row_sample},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const SURROGATE_KEYS[] = {"device", "noise", "models", NULL};

static size_t surrogate_files(const void *env, hw_file_id *out, size_t max)
{
    const sur_models *ms = env;
    size_t n = 0;
    for (int sc = 0; sc < HW_N_SCALES && n < max; sc++)
        if (ms->set[sc]) out[n++] = *surrogate_file(ms->set[sc]);
    return n;
}

const hw_backend hw_surrogate_backend = {"surrogate", SURROGATE_ROWS, SURROGATE_KEYS, surrogate_open,
                                         sur_models_free, surrogate_files, surrogate_open_device};
