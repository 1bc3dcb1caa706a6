/* benchmark/metrics.h — the table of architecture metrics: one row per metric
 * (name, unit, backend, how to compute it for an hw_arch, its bounds over a
 * space).  The hwgpt problem takes its objectives from this table and
 * `hwnas query` prints rows of it; a new metric (a surrogate's perplexity,
 * latency or energy on a device, with its standard deviations) is a new row,
 * nothing else changes.
 *
 * Values are doubles.  Integer metrics (HW_METRIC_INTEGER: params, flops,
 * macs) stay below 2^53 in every space, so a double holds them exactly and
 * printers write them as integers. */
#ifndef HWNAS_BENCHMARK_METRICS_H
#define HWNAS_BENCHMARK_METRICS_H

#include <stddef.h>

#include "space/space.h"
#include "core/error.h"
#include "core/rng.h"

typedef enum { HW_BACKEND_ANALYTIC = 0, HW_BACKEND_SURROGATE = 1, HW_N_BACKENDS = 2 } hw_backend;
/* "analytic", "surrogate", NULL — indexed by hw_backend. */
extern const char *const HW_BACKEND_NAMES[];

/* What a metric may need besides the arch. */
typedef struct {
    const char *device;          /* per-device metrics; NULL when not given */
    void *models;                /* the surrogate backend's loaded models; NULL for analytic */
    void (*free_models)(void *); /* frees models (called by whoever owns the env) */
    void *hwgpt_mlp;             /* HW-GPT-Bench's MLP perplexity predictor (surrogates/hwgpt_mlp.h)
                                    when selected, else NULL; its owner frees it with hwgpt_mlp_free */
} hw_metric_env;

typedef struct {
    double mean;       /* the value (the prediction's mean for a surrogate) */
    double std;        /* predictive standard deviation; 0 for exact metrics */
    double noise_std;  /* measurement-noise standard deviation; 0 for exact metrics */
} hw_metric_value;

enum {
    HW_METRIC_INTEGER = 1,    /* an exact count: print as an integer */
    HW_METRIC_HAS_STD = 2,    /* std and noise_std are meaningful: print <name>_std, <name>_noise_std */
    HW_METRIC_PER_DEVICE = 4  /* needs env->device */
};

typedef struct hw_metric hw_metric;
struct hw_metric {
    const char *name;    /* as typed in configs and on the command line */
    const char *unit;    /* "count", "FLOP", "MAC", "MB", "ms", "Wh", "" */
    int backend;         /* hw_backend that provides it */
    int flags;           /* HW_METRIC_* */
    int arg;             /* row argument (bytes per parameter for memory rows) */
    int (*eval)(const hw_metric *m, const hw_metric_env *env, const hw_arch *a,
                hw_metric_value *v, hw_err *e);
    /* exact (or, for surrogates, documented) min and max over the space */
    int (*bounds)(const hw_metric *m, const hw_metric_env *env, const hw_space *sp,
                  double *lo, double *hi, hw_err *e);
    /* Optional: one noisy measurement drawn around v from the stream r (the
     * surrogate rows draw from their empirical noise distribution); NULL =
     * v->mean + v->noise_std * N(0, 1). */
    double (*sample)(const hw_metric *m, const hw_metric_env *env, const hw_arch *a,
                     const hw_metric_value *v, hw_rng *r);
};

/* Every metric, terminated by a row with name == NULL. */
extern const hw_metric HW_METRICS[];

/* The row called name, or NULL. */
const hw_metric *hw_metric_find(const char *name);
/* The row called name that backend provides (backend < 0: any).  Fails with
 * "unknown metric 'x' (expected one of: params, flops, ...)" listing the
 * backend's metrics. */
int hw_metric_lookup(const char *name, int backend, const hw_metric **out, hw_err *e);
/* "params, flops, ..." — the backend's metric names (backend < 0: all). */
void hw_metric_list(int backend, char *buf, size_t n);

#endif
