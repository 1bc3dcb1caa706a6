/* benchmark/backends.h — the registry of metric backends (backends.def,
 * core/registry.h) and what composes them: metric rows found by key
 * (backend, name) or resolved by name among the backends a config uses, and
 * a set of open backend environments.  The hwgpt problem and `hwnas query`
 * both build their environment with hw_backend_envs_open, from a config
 * object (query turns its options into one).
 *
 * The interface of a row and a backend is space/metric.h; the backends are
 * the analytic one (space/analytic.h), the surrogate one
 * (surrogates/surrogate.h) and HW-GPT-Bench's MLP predictor
 * (surrogates/hwgpt_mlp.h) and the supernet one (supernet/supernet_backend.h). */
#ifndef HWNAS_BENCHMARK_BACKENDS_H
#define HWNAS_BENCHMARK_BACKENDS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/error.h"
#include "space/metric.h"

#define HW_MAX_BACKENDS 8

/* The registered backends: by name (NULL if unknown), by index (NULL past the
 * end), every name "analytic, surrogate, ..." into buf. */
const hw_backend *hw_backend_find(const char *name);
const hw_backend *hw_backend_at(size_t i);
void hw_backend_list(char *buf, size_t n);

/* The row keyed (backend, name), or NULL. */
const hw_metric *hw_metric_row(const char *backend, const char *name);

/* The row called name among the backends use[0..n_use), the first that has
 * one winning (so the order is a priority: {hwgpt-mlp, surrogate, analytic}
 * takes "perplexity" from hwgpt-mlp).  Errors: "unknown metric 'x' (expected
 * one of: params, flops, ...)" listing the names of the used backends in
 * registry order, or, when a backend not in use has it, "metric 'x' needs the
 * surrogate backend (the analytic backend has: ...)". */
int hw_metric_resolve(const char *name, const hw_backend *const *use, int n_use, const hw_metric **out,
                      hw_err *e);
/* hw_metric_list_parse flags */
enum {
    HW_METRIC_LIST_PREFIX_RESOLVE = 1, /* hw_metric_resolve's errors get the prefix too */
    HW_METRIC_LIST_NEED_DEVICE = 2     /* a per-device row (HW_METRIC_PER_DEVICE) with neither device nor @DEVICE is an error */
};
#define HW_METRIC_DEVICE_LEN 64
/* Splits one metric entry, "METRIC" or "METRIC@DEVICE": metric gets the
 * text before '@' (cut to HW_METRIC_DEVICE_LEN - 1 characters: no metric is
 * that long, so resolving it fails), *device the text after '@' (NULL: no
 * '@').  Returns 0, or -1 when '@' begins or ends the text. */
int hw_metric_split(const char *text, char metric[HW_METRIC_DEVICE_LEN], const char **device);
/* Parses a comma-separated metric list ("perplexity,latency@a100,energy":
 * the API's metrics, hwnas query --metrics) into out[0..*n), at most max
 * rows, each resolved by hw_metric_resolve among use[0..n_use).  With
 * devices != NULL an entry may be METRIC@DEVICE (a per-device metric on its
 * own device, as in problem configs: benchmark/hwgpt.h; resolved by
 * hw_metric_resolve_per_device); devices[i] gets the text after '@' (empty:
 * the caller's device); with devices == NULL '@' is part of the name.
 * texts (optional, max x HW_METRIC_DEVICE_LEN) get each entry as written.
 * Errors, each "<prefix>: ..." (e.g. prefix "metrics" or "--metrics"):
 * "empty or overlong metric name in '<spec>'" (entries of 1 to 63
 * characters), "more than <max> metrics", "'<text>': expected METRIC or
 * METRIC@DEVICE", "'<text>' is listed twice" (same row, same device up to
 * case; " (as '<earlier>')" when written differently), with
 * HW_METRIC_LIST_NEED_DEVICE "'<name>' needs a device" (", or name one:
 * <name>@DEVICE" when devices != NULL); hw_metric_resolve's own ("unknown
 * metric ...") as they are, or prefixed with HW_METRIC_LIST_PREFIX_RESOLVE;
 * hw_metric_resolve_per_device's prefixed with "<prefix>: '<text>'". */
int hw_metric_list_parse(const char *spec, const char *prefix, const hw_backend *const *use, int n_use,
                         const char *device, unsigned flags, const hw_metric **out,
                         char (*devices)[HW_METRIC_DEVICE_LEN], char (*texts)[HW_METRIC_DEVICE_LEN], int max,
                         int *n, hw_err *e);
/* The row called name among use[0..n_use) that depends on the device
 * (HW_METRIC_PER_DEVICE), the first that has one: what "latency@a100" names.
 * Errors: "perplexity does not depend on the device (only latency, energy
 * take @DEVICE)" when only other rows have the name, else
 * hw_metric_resolve's. */
int hw_metric_resolve_per_device(const char *name, const hw_backend *const *use, int n_use, const hw_metric **out,
                                 hw_err *e);
/* The names of the used backends' rows, registry order, each once. */
void hw_metric_list(const hw_backend *const *use, int n_use, char *buf, size_t n);

#define HW_MAX_DEVICE_VIEWS 16

/* Open environments of several backends, and device views of them
 * (hw_backend_envs_device). */
typedef struct {
    int n;
    const hw_backend *backend[HW_MAX_BACKENDS];
    void *env[HW_MAX_BACKENDS];
    int n_views;
    const hw_backend *view_backend[HW_MAX_DEVICE_VIEWS];
    void *view[HW_MAX_DEVICE_VIEWS];
} hw_backend_envs;

/* Open each backend of use[0..n_use) (in registry order) for those of
 * rows[0..n_rows) it provides, from cfg (path names it in errors) for the
 * space sp (NULL: any scale).  On failure nothing stays open and *s is
 * empty. */
int hw_backend_envs_open(hw_backend_envs *s, const hw_backend *const *use, int n_use, const hw_metric *const *rows,
                         int n_rows, const cJSON *cfg, const char *path, const hw_space *sp, hw_err *e);
/* An environment for row on another device (a per-device row of a backend
 * with open_device, whose environment s holds): opened from that
 * environment, kept in s (closed with it); *device_name is the device's
 * canonical name ("P100" for "p100"), valid while s is open.  Errors:
 * "metric 'x' does not depend on the device", the backend's unknown-device
 * or missing-model error. */
int hw_backend_envs_device(hw_backend_envs *s, const hw_metric *row, const char *device, const void **env,
                           const char **device_name, hw_err *e);
/* Closes every environment and view; *s becomes empty (safe to call twice). */
void hw_backend_envs_close(hw_backend_envs *s);
/* The environment of row's backend (NULL if that backend is not open or holds
 * nothing). */
void *hw_backend_envs_get(const hw_backend_envs *s, const hw_metric *row);
/* The identities of the files the open backends read (hw_backend.files), at
 * most max into out, in registry order; returns how many. */
size_t hw_backend_envs_files(const hw_backend_envs *s, hw_file_id *out, size_t max);

#endif
