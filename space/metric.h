/* space/metric.h — the metric-row / backend interface.
 *
 * A metric row computes one number (with its spread) of an hw_arch: a row is
 * keyed by (backend, name), so two backends may each offer "perplexity" (the
 * surrogate's and HW-GPT-Bench's MLP predictor's) and a config selects one by
 * key.  A backend is a module that provides rows: its name, its rows, the
 * config keys it reads, and open/close of the environment its rows evaluate
 * in (loaded models, a device).  Backends register in benchmark/backends.def
 * (benchmark/backends.h finds them and opens sets of them); the analytic
 * backend lives in space/analytic.h, the surrogate and hwgpt-mlp backends in
 * surrogates/.
 *
 * Values are doubles.  Integer metrics (HW_METRIC_INTEGER: params, flops,
 * macs) stay below 2^53 in every space, so a double holds them exactly and
 * printers write them as integers.
 *
 * An open environment is immutable: eval, bounds and sample are reentrant
 * and may be called from several threads at once. */
#ifndef HWNAS_SPACE_METRIC_H
#define HWNAS_SPACE_METRIC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/error.h"
#include "core/fileid.h"
#include "core/rng.h"
#include "space/space.h"

typedef struct {
    double mean;       /* the value (the prediction's mean for a surrogate) */
    double std;        /* predictive standard deviation; 0 for exact metrics */
    double noise_std;  /* measurement-noise standard deviation; 0 for exact metrics */
} hw_metric_value;

enum {
    HW_METRIC_INTEGER = 1,    /* an exact count: print as an integer */
    HW_METRIC_HAS_STD = 2,    /* std and noise_std are meaningful: print <name>_std, <name>_noise_std */
    HW_METRIC_PER_DEVICE = 4  /* needs a device (the surrogate backend's "device") */
};

typedef struct hw_metric hw_metric;
struct hw_metric {
    const char *backend; /* name of the backend that provides it: the key is (backend, name) */
    const char *name;    /* as typed in configs and on the command line */
    const char *unit;    /* "count", "FLOP", "MAC", "MB", "ms", "Wh", "" */
    int flags;           /* HW_METRIC_* */
    int arg;             /* row argument (bytes per parameter for memory rows, sur_metric for surrogates) */
    /* env: the environment its backend's open() made (NULL for analytic). */
    int (*eval)(const hw_metric *m, const void *env, const hw_arch *a, hw_metric_value *v, hw_err *e);
    /* exact (or, for surrogates, documented) min and max over the space */
    int (*bounds)(const hw_metric *m, const void *env, const hw_space *sp, double *lo, double *hi, hw_err *e);
    /* Optional: one noisy measurement drawn around v from the stream r (the
     * surrogate rows draw from their empirical noise distribution); NULL =
     * v->mean + v->noise_std * N(0, 1). */
    double (*sample)(const hw_metric *m, const void *env, const hw_arch *a, const hw_metric_value *v, hw_rng *r);
};

typedef struct hw_backend hw_backend;
struct hw_backend {
    const char *name;            /* "analytic", "surrogate", "hwgpt-mlp" (first member: registries find it) */
    const hw_metric *rows;       /* its rows, terminated by a row with name == NULL */
    const char *const *keys;     /* config keys it reads, NULL-terminated (none: {NULL}) */
    /* Open the environment for rows[0..n_rows) (rows of this backend the
     * caller will evaluate; n_rows may be 0) from the config object cfg
     * (path names it in errors: "<path>.<key>: reason"; cfg may be NULL =
     * defaults) for the space sp (NULL: any scale).  Unknown keys are the
     * caller's to reject.  *env may be NULL on success (nothing to hold). */
    int (*open)(const hw_backend *b, const cJSON *cfg, const char *path, const hw_space *sp,
                const hw_metric *const *rows, int n_rows, void **env, hw_err *e);
    void (*close)(void *env);    /* NULL-safe */
    /* Optional: the identities of the files env was read from (model files,
     * checkpoints), at most max into out; returns how many.  A run records
     * them, so a rerun with other files is a different run.  NULL = none. */
    size_t (*files)(const void *env, hw_file_id *out, size_t max);
    /* Optional, for backends with per-device rows (HW_METRIC_PER_DEVICE): an
     * environment like env (one this backend's open() made) in which the
     * per-device rows measure on device instead of the configured one,
     * checked for rows[0..n_rows) as open() checks them (a model of each on
     * that device).  *device_name: the device's canonical name, valid while
     * *out is.  *out borrows from env (which must outlive it) and is closed
     * with close().  NULL = the backend has no devices. */
    int (*open_device)(const hw_backend *b, const void *env, const char *device, const hw_metric *const *rows,
                       int n_rows, void **out, const char **device_name, hw_err *e);
};

/* The row of b called name, or NULL. */
const hw_metric *hw_backend_row(const hw_backend *b, const char *name);
/* Appends b's row names ("params, flops, ...") to buf (holding u chars),
 * skipping names already listed; returns the new length. */
size_t hw_backend_list_rows(const hw_backend *b, char *buf, size_t n, size_t u);

#endif
