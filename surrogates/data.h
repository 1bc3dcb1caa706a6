/* surrogates/data.h — loader for the HW-GPT-Bench measurements
 * (../shared/hwgpt-bench, gzip JSON Lines; format in its README.md).
 *
 * sur_data holds one scale: the architectures of analytic/<scale>.jsonl.gz
 * (in file order, which is never used as a feature), their perplexity
 * (NaN where not measured), and for each metric x device a series: either
 * repeated raw samples per arch or a per-arch mean and std (CPU energy).
 * Malformed or truncated lines are errors "FILE:LINE: reason". */
#ifndef HWNAS_SURROGATES_DATA_H
#define HWNAS_SURROGATES_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "space/space.h"
#include "core/error.h"
#include "surrogates/surrogate.h"

typedef enum { SUR_SERIES_NONE = 0, SUR_SERIES_SAMPLES = 1, SUR_SERIES_MEANSTD = 2 } sur_series_kind;

typedef struct {
    int kind;          /* sur_series_kind */
    size_t *start;     /* SAMPLES: samples of arch i are v[start[i] .. start[i+1]) (empty = missing) */
    double *v;
    double *mean, *std;/* MEANSTD: NaN mean = missing */
} sur_series;

typedef struct {
    int scale;
    size_t n;
    hw_arch *arch;
    char **name;        /* arch strings */
    double *params, *flops;
    double *perplexity; /* NaN = not measured */
    sur_series series[SUR_N_METRICS][SUR_MAX_DEVICES]; /* [SUR_PERPLEXITY] unused */
    int n_own;                                         /* own devices: files under latency/<scale>/ */
    char own[SUR_N_OWN][SUR_DEVICE_NAME_MAX];          /* or energy/<scale>/ with other names, sorted */
} sur_data;

/* Load every file of one scale under dir.  Device files that do not exist
 * are skipped (series kind NONE); analytic/<scale> must exist.  Files of
 * other names under latency/<scale>/ and energy/<scale>/ (NAME.jsonl.gz, as
 * `hwnas profile` writes them) are own devices (surrogate.h). */
int sur_data_load(const char *dir, int scale, sur_data *d, hw_err *e);
void sur_data_free(sur_data *d);
/* Name of device index `device` of d (built-in or own). */
const char *sur_data_device_name(const sur_data *d, int device);
/* Keep only the devices named in the comma-separated list `devices` (when
 * not NULL) and drop those of `exclude` (when not NULL): the others' series
 * are freed.  Unknown names are errors naming the option. */
/* Drop the own devices (their series and names): HW-GPT-Bench's devices only. */
void sur_data_drop_own(sur_data *d);
int sur_data_select_devices(sur_data *d, const char *devices, const char *exclude, hw_err *e);

/* Number of samples of arch i in a SAMPLES series. */
static inline size_t sur_series_count(const sur_series *s, size_t i)
{
    return s->kind == SUR_SERIES_SAMPLES ? s->start[i + 1] - s->start[i] : 0;
}

/* Seeded split independent of file order: 1 when arch string `name` belongs
 * to the validation fold (about 1 in 5). */
int sur_is_validation(const char *name, uint64_t seed);
/* Fold 0..k-1 of an arch for k-fold cross-validation (seeded). */
int sur_fold(const char *name, uint64_t seed, int k);

#endif
