#include "benchmark/metrics.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "space/analytic.h"
#include "surrogates/surrogate.h"

const char *const HW_BACKEND_NAMES[] = {"analytic", "surrogate", NULL};

/* ---------------------------------------------------- analytic rows ---- */

static double analytic_value(const hw_metric *m, const hw_arch *a)
{
    if (strcmp(m->name, "params") == 0) return (double)hw_analytic_params(a);
    if (strcmp(m->name, "flops") == 0) return (double)hw_analytic_flops(a);
    if (strcmp(m->name, "macs") == 0) return (double)hw_analytic_macs(a);
    return hw_analytic_memory_mb(a, m->arg);
}

static int analytic_eval(const hw_metric *m, const hw_metric_env *env, const hw_arch *a,
                         hw_metric_value *v, hw_err *e)
{
    (void)env; (void)e;
    v->mean = analytic_value(m, a);
    v->std = 0.0;
    v->noise_std = 0.0;
    return HW_OK;
}

/* Every analytic metric grows with every gene (analytic.h), so its range is
 * spanned by the all-smallest and all-largest architectures. */
static int analytic_bounds(const hw_metric *m, const hw_metric_env *env, const hw_space *sp,
                           double *lo, double *hi, hw_err *e)
{
    (void)env; (void)e;
    hw_arch s, l;
    hw_analytic_extreme_archs(sp, &s, &l);
    *lo = analytic_value(m, &s);
    *hi = analytic_value(m, &l);
    return HW_OK;
}

/* --------------------------------------------------- surrogate rows ---- */
/* env->models is a sur_models (surrogates/surrogate.h); row arg = sur_metric. */

static int surrogate_eval(const hw_metric *m, const hw_metric_env *env, const hw_arch *a,
                          hw_metric_value *v, hw_err *e)
{
    if (!env || !env->models) return hw_fail(e, HW_EINVAL, "metric '%s' needs the surrogate models", m->name);
    sur_pred p;
    int rc = sur_models_predict(env->models, a, m->arg, &p, e);
    if (rc) return rc;
    v->mean = p.mean;
    v->std = p.std;
    v->noise_std = p.noise_std;
    return HW_OK;
}

static int surrogate_row_bounds(const hw_metric *m, const hw_metric_env *env, const hw_space *sp,
                                double *lo, double *hi, hw_err *e)
{
    const sur_models *ms = env ? env->models : NULL;
    if (!ms || !ms->set[sp->scale])
        return hw_fail(e, HW_EINVAL, "metric '%s' needs the surrogate models of scale %s", m->name, sp->name);
    return surrogate_bounds(ms->set[sp->scale], m->arg, m->arg == SUR_PERPLEXITY ? 0 : ms->device, lo, hi, e);
}

static double surrogate_row_sample(const hw_metric *m, const hw_metric_env *env, const hw_arch *a,
                                   const hw_metric_value *v, hw_rng *r)
{
    const sur_models *ms = env->models;
    sur_pred p = {v->mean, v->std, v->noise_std};
    return surrogate_sample(ms->set[a->scale], m->arg, ms->device, &p, r);
}

const hw_metric HW_METRICS[] = {
    {"params", "count", HW_BACKEND_ANALYTIC, HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"flops", "FLOP", HW_BACKEND_ANALYTIC, HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"macs", "MAC", HW_BACKEND_ANALYTIC, HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"memory_fp32", "MB", HW_BACKEND_ANALYTIC, 0, 4, analytic_eval, analytic_bounds, NULL},
    {"memory_fp16", "MB", HW_BACKEND_ANALYTIC, 0, 2, analytic_eval, analytic_bounds, NULL},
    {"memory_bf16", "MB", HW_BACKEND_ANALYTIC, 0, 2, analytic_eval, analytic_bounds, NULL},
    {"perplexity", "", HW_BACKEND_SURROGATE, HW_METRIC_HAS_STD, SUR_PERPLEXITY, surrogate_eval,
     surrogate_row_bounds, surrogate_row_sample},
    {"latency", "ms", HW_BACKEND_SURROGATE, HW_METRIC_HAS_STD | HW_METRIC_PER_DEVICE, SUR_LATENCY,
     surrogate_eval, surrogate_row_bounds, surrogate_row_sample},
    {"energy", "Wh", HW_BACKEND_SURROGATE, HW_METRIC_HAS_STD | HW_METRIC_PER_DEVICE, SUR_ENERGY,
     surrogate_eval, surrogate_row_bounds, surrogate_row_sample},
    {NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* ----------------------------------------------------------- lookup ---- */

const hw_metric *hw_metric_find(const char *name)
{
    for (const hw_metric *m = HW_METRICS; name && m->name; m++)
        if (strcmp(m->name, name) == 0) return m;
    return NULL;
}

void hw_metric_list(int backend, char *buf, size_t n)
{
    size_t u = 0;
    if (n) buf[0] = 0;
    for (const hw_metric *m = HW_METRICS; m->name && u < n; m++)
        if (backend < 0 || m->backend == backend)
            u += (size_t)snprintf(buf + u, n - u, "%s%s", u ? ", " : "", m->name);
}

int hw_metric_lookup(const char *name, int backend, const hw_metric **out, hw_err *e)
{
    const hw_metric *m = hw_metric_find(name);
    if (m && (backend < 0 || m->backend == backend)) { *out = m; return HW_OK; }
    char list[512];
    hw_metric_list(backend, list, sizeof list);
    if (m)
        return hw_fail(e, HW_EINVAL, "metric '%s' needs the %s backend (the %s backend has: %s)", name,
                       HW_BACKEND_NAMES[m->backend], HW_BACKEND_NAMES[backend], list);
    char shown[72];
    hwj_abbrev(shown, sizeof shown, name ? name : "(null)");
    return hw_fail(e, HW_EINVAL, "unknown metric '%s' (expected one of: %s)", shown, list);
}
