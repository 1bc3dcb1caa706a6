/* api/hwnas_api.h — the small, stable C API for bindings (the Python
 * package hwnas calls it through ctypes): plain C types, one call per batch
 * (never one per architecture), every failure a return code < 0 with one
 * line in the caller's hw_err (never exit() or abort()).
 *
 *   benchmark   hwnas_bench_open: a scale, a backend ("surrogate" with the
 *               analytic rows, or "analytic" alone), an optional device,
 *               models directory and HW-GPT-Bench predictor; then
 *               hwnas_bench_sample (uniform archs) and hwnas_bench_query
 *               (metrics of a batch of arch strings, exactly the numbers
 *               `hwnas query` prints; with noise "sample" the draws the
 *               runner makes for evaluations {seed, first_index + i} of a
 *               problem with these metrics as objectives).
 *   runs        hwnas_run: a config (JSON text, or a path) through the run
 *               library (runner/run.h) as run_experiment runs it; the result
 *               is run_experiment's result line as JSON text.
 *               hwnas_run_external: the same with an optimizer given as C
 *               function pointers (ask / tell), registered for that run as
 *               if built in under its name (the log's "optimizer").
 *
 * Memory: text an API call returns is released with hwnas_free. */
#ifndef HWNAS_API_HWNAS_API_H
#define HWNAS_API_HWNAS_API_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Bumped when a signature below changes. */
#define HWNAS_API_VERSION 1
/* Room for one arch string and its newline in hwnas_bench_sample's output
 * (the longest, of scale l, has 132 characters). */
#define HWNAS_ARCH_MAXLEN 256

int hwnas_api_version(void);
/* The library's version ("0.1.0"). */
const char *hwnas_version(void);
void hwnas_free(void *p);

typedef struct hwnas_bench hwnas_bench;

/* scale "s" | "m" | "l"; backend "surrogate" (NULL: the default) |
 * "analytic"; device NULL or one of the surrogate's devices; models NULL =
 * hw_models_dir(); noise "mean" (NULL) | "sample" (surrogate only);
 * predictor NULL | "hwgpt-mlp" (its "perplexity" replaces the surrogate's),
 * checkpoint NULL = DATA/predictors/perplexity_<scale>.pt.  Models open
 * when a query first needs them. */
int hwnas_bench_open(const char *scale, const char *backend, const char *device, const char *models,
                     const char *noise, const char *predictor, const char *checkpoint, hwnas_bench **out,
                     hw_err *e);
void hwnas_bench_close(hwnas_bench *b);

/* n archs drawn uniformly over the genome (hw_arch_sample) from the stream
 * (seed, HW_STREAM_SAMPLE_ARCHS), as arch strings each ended by '\n', into
 * buf (at least n * HWNAS_ARCH_MAXLEN bytes, NUL-terminated); *used = bytes
 * written without the NUL. */
int hwnas_bench_sample(const hwnas_bench *b, size_t n, uint64_t seed, char *buf, size_t buf_len, size_t *used,
                       hw_err *e);

/* The metrics "m1,m2,..." (resolved as `hwnas query` resolves them) : their
 * count into *n (at most max) and flags[k] (HW_METRIC_* of space/metric.h:
 * 1 integer, 2 has std, 4 per device). */
int hwnas_bench_metrics(hwnas_bench *b, const char *metrics, int *flags, int max, int *n, hw_err *e);

/* The n archs of `archs` (arch strings separated by '\n'; each of the
 * bench's scale) for the metrics "m1,m2,...": mean, std and noise_std
 * (n x n_metrics each, row-major; std and noise_std may be NULL).  With
 * noise "sample", mean holds each evaluation's noisy draw (evaluation i is
 * {seed, first_index + i}, metrics drawn in the order given, as the hwgpt
 * problem draws its objectives); seed and first_index are unused
 * otherwise.  Errors name the arch by its 0-based position: "archs[3]: ...". */
int hwnas_bench_query(hwnas_bench *b, const char *archs, size_t n, const char *metrics, uint64_t seed,
                      uint64_t first_index, double *mean, double *std, double *noise_std, hw_err *e);

/* The same for n genomes x (n x n_var, every gene a choice index: the run
 * loop's and pymoo's layout): one call per population.  A gene out of
 * range is an error naming the genome ("genomes[3]: gene 5 = 7 is not a
 * choice index in [0, 2]"). */
int hwnas_bench_query_genomes(hwnas_bench *b, const double *x, size_t n, const char *metrics, uint64_t seed,
                              uint64_t first_index, double *mean, double *std, double *noise_std, hw_err *e);

/* The genome layout of the bench's scale: n_var genes, choices[g] values
 * each (at most max genes written). */
int hwnas_bench_genome(const hwnas_bench *b, int *choices, int max, int *n_var, hw_err *e);
/* Genomes (n x n_var, every gene a choice index) to arch strings ('\n'
 * after each) into buf (n * HWNAS_ARCH_MAXLEN bytes); genes out of range
 * are an error naming the genome. */
int hwnas_bench_genomes_to_archs(const hwnas_bench *b, const double *x, size_t n, char *buf, size_t buf_len,
                                 hw_err *e);

/* Runs a config as run_experiment does (validated whole first; complete
 * logs of the same config skipped unless force).  text: the config's JSON
 * (then path only names it in messages; NULL: "<config>"), or NULL to read
 * path.  out_dir (NULL = the config's "output") and threads (0 = the
 * config's) override.  *result: run_experiment's result line as JSON text
 * (release with hwnas_free), also when a seed failed (then the return code
 * and e say why). */
int hwnas_run(const char *text, const char *path, const char *out_dir, int threads, int force, int quiet,
              char **result, hw_err *e);

/* An optimizer outside the library.  Every callback returns 0, or nonzero
 * with one line in msg (msg_len bytes), which ends the run with that
 * message.  The genomes follow optimizers/optimizer.h (n_var genes each,
 * categorical genes a choice index); the run loop checks every ask and
 * tell as for a built-in optimizer. */
typedef struct {
    const char *name;   /* as the log names it: "python:my_optimizer" */
    void *ctx;
    /* A run of seed starts (before its first ask); problem shape given. */
    int (*start)(void *ctx, uint64_t seed, int n_var, int n_obj, char *msg, size_t msg_len);
    /* At most max_n genomes into x (n_var each), their count into *n
     * (0 = finished). */
    int (*ask)(void *ctx, double *x, size_t max_n, size_t *n, char *msg, size_t msg_len);
    /* The objectives f (n x n_obj, minimised) of the first n asked genomes. */
    int (*tell)(void *ctx, const double *x, const double *f, size_t n, char *msg, size_t msg_len);
    size_t batch_size;  /* preferred batch; 0 = the loop's default */
} hwnas_external_optimizer;

/* hwnas_run with opt: the config's "optimizer" is replaced by {"name":
 * opt->name} unless it already names opt->name (its other keys are then
 * opt's own, recorded in the log, not checked here).  The seeds run one
 * after the other on the calling thread (callbacks are never concurrent). */
int hwnas_run_external(const char *text, const char *path, const char *out_dir, int force, int quiet,
                       const hwnas_external_optimizer *opt, char **result, hw_err *e);

#endif
