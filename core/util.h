/* core/util.h — wall-clock timing, a progress line on stderr (shown only when
 * stderr is a terminal and not silenced), and small helpers for writing files
 * atomically (write to NAME.tmp, fsync, rename) so logs are never truncated. */
#ifndef HWNAS_CORE_UTIL_H
#define HWNAS_CORE_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

double hw_now(void); /* monotonic seconds */

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
/* Directory of the shipped trained surrogate models (HWNAS_MODELS, else
 * surrogates/models in the source tree). */
const char *hw_default_models_dir(void);

#endif
