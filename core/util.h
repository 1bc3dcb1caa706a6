/* core/util.h — wall-clock timing, a progress line on stderr (shown only when
 * stderr is a terminal and not silenced), small helpers for writing files
 * atomically (write to NAME.tmp, fsync, rename) so logs are never truncated,
 * and the qsort comparator of doubles. */
#ifndef HWNAS_CORE_UTIL_H
#define HWNAS_CORE_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

double hw_now(void); /* monotonic seconds */

/* qsort comparator: doubles ascending ((x > y) - (x < y); NaN compares equal
 * to everything, so sort NaN-free arrays). */
int hw_cmp_double(const void *a, const void *b);

typedef struct {
    int enabled;
    double last;
    double start;
} hw_progress;

void hw_progress_init(hw_progress *p, int quiet);
void hw_progress_update(hw_progress *p, const char *label, size_t done, size_t total);
void hw_progress_done(hw_progress *p);

/* mkdir -p */
int hw_mkdir_p(const char *path, hw_err *e);
/* Directory that holds hwnas data (HWNAS_DATA, else the development default
 * ../shared/hwgpt-bench next to the source tree). */
const char *hw_default_data_dir(void);
/* HW_OK when `path`, a file of the HW-GPT-Bench data directory `dir`, exists;
 * else HW_EMISSING with one line saying what is missing and where it goes:
 * the directory itself (where the data belongs, how to point elsewhere) or
 * this file of an incomplete copy.  The data's source and layout: docs/data.md. */
int hw_data_require(const char *dir, const char *path, hw_err *e);
/* Directory of the shipped trained surrogate models in the source tree
 * (HWNAS_MODELS overrides): where train-surrogates writes by default. */
const char *hw_default_models_dir(void);

#define HW_PATH_MAX 4096
/* Directory the programs read the surrogate models from: HWNAS_MODELS when
 * set, else the installed models next to the running program
 * (<dir of /proc/self/exe>/../share/hwnas/models) when that directory exists,
 * else the source tree's surrogates/models (a build-tree run).  Returns
 * HWNAS_MODELS's value or buf (n bytes, filled). */
const char *hw_models_dir(char *buf, size_t n);

/* <dir of the running program>/../share/hwnas/<rel> (where `cmake --install`
 * puts shared files) into buf; 0 when it cannot be formed (it may not exist). */
int hw_installed_path(const char *rel, char *buf, size_t n);

#endif
