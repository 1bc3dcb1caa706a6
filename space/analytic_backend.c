/* The analytic backend: the exact counts of analytic.h as metric rows. */
#include <string.h>

#include "space/analytic.h"

static double analytic_value(const hw_metric *m, const hw_arch *a)
{
    if (strcmp(m->name, "params") == 0) return (double)hw_analytic_params(a);
    if (strcmp(m->name, "flops") == 0) return (double)hw_analytic_flops(a);
    if (strcmp(m->name, "macs") == 0) return (double)hw_analytic_macs(a);
    return hw_analytic_memory_mb(a, m->arg);
}

static int analytic_eval(const hw_metric *m, const void *env, const hw_arch *a, hw_metric_value *v, hw_err *e)
{
    (void)env; (void)e;
    v->mean = analytic_value(m, a);
    v->std = 0.0;
    v->noise_std = 0.0;
    return HW_OK;
}

/* Every analytic metric grows with every gene (analytic.h), so its range is
 * spanned by the all-smallest and all-largest architectures. */
static int analytic_bounds(const hw_metric *m, const void *env, const hw_space *sp, double *lo, double *hi,
                           hw_err *e)
{
    (void)env; (void)e;
    hw_arch s, l;
    hw_analytic_extreme_archs(sp, &s, &l);
    *lo = analytic_value(m, &s);
    *hi = analytic_value(m, &l);
    return HW_OK;
}

static int analytic_open(const hw_backend *b, const cJSON *cfg, const char *path, const hw_space *sp,
                         const hw_metric *const *rows, int n_rows, void **env, hw_err *e)
{
    (void)b; (void)cfg; (void)path; (void)sp; (void)rows; (void)n_rows; (void)e;
    *env = NULL;
    return HW_OK;
}

static const hw_metric ANALYTIC_ROWS[] = {
    {"analytic", "params", "count", HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"analytic", "flops", "FLOP", HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"analytic", "macs", "MAC", HW_METRIC_INTEGER, 0, analytic_eval, analytic_bounds, NULL},
    {"analytic", "memory_fp32", "MB", 0, 4, analytic_eval, analytic_bounds, NULL},
    {"analytic", "memory_fp16", "MB", 0, 2, analytic_eval, analytic_bounds, NULL},
    {"analytic", "memory_bf16", "MB", 0, 2, analytic_eval, analytic_bounds, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const ANALYTIC_KEYS[] = {NULL};

const hw_backend hw_analytic_backend = {"analytic", ANALYTIC_ROWS, ANALYTIC_KEYS, analytic_open, NULL, NULL, NULL};
