/* fuzz/fuzz_inputs.c — libFuzzer harness for the readers of untrusted input
 * (not part of the default build; see fuzz/run.sh).  The first input byte
 * picks the target, the rest is the input:
 *   0  hw_arch_parse (any scale, then each scale)
 *   1  a run_experiment config: hw_config_load and hw_run_plan (what --dry-run does)
 *   2  hw_read_points (the hv / igd point files)
 *   3  hw_log_read (trajectory logs), strict and with --allow-incomplete
 *   4  sur_set_load_file (surrogate model files): the input is a model file
 *      without its trailing CRC-32, which the harness appends, so mutations
 *      get past the checksum into the parser (seeds: fuzz/model_seed.c)
 *   5  sur_set_load_file on the input as it is (magic, size and CRC checks)
 * Every target must return an error with a one-line message or succeed;
 * the sanitizers catch the rest.  FUZZ_TARGET=k in the environment fuzzes
 * target k only (every input is read as if its first byte were k). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "space/space.h"
#include "indicators/indicators.h"
#include "runner/logread.h"
#include "runner/config.h"
#include "runner/run.h"
#include "surrogates/model.h"

#include <zlib.h>

static void check_one_line(const hw_err *e)
{
    if (strchr(e->msg, '\n')) abort();
}

static const char *write_tmp(const uint8_t *data, size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/hwnas_fuzz_%d.in", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *only = getenv("FUZZ_TARGET");
    int target = only && *only ? atoi(only) % 6 : data[0] % 6;
    data++, size--;
    hw_err e = {0};
    if (target == 0) {
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = 0;
        hw_arch a;
        if (hw_arch_parse(s, NULL, &a, &e)) check_one_line(&e);
        for (int sc = 0; sc < HW_N_SCALES; sc++)
            if (hw_arch_parse(s, hw_space_get(sc), &a, &e)) check_one_line(&e);
        free(s);
    } else if (target == 1) {
        const char *path = write_tmp(data, size);
        hw_config_overrides ov = {.out = "/tmp/hwnas_fuzz_out"};
        hw_run_config c;
        if (hw_config_load(path, &ov, &c, &e)) check_one_line(&e);
        else {
            hw_run_result *res = calloc(c.n_seeds, sizeof *res);
            if (res && hw_run_plan(&c, 0, res, &e)) check_one_line(&e);
            hw_run_results_free(res, c.n_seeds);
            hw_config_free(&c);
        }
    } else if (target == 2) {
        const char *path = write_tmp(data, size);
        double *pts = NULL;
        size_t n = 0;
        int d = 0;
        if (hw_read_points(path, 0, &pts, &n, &d, &e)) check_one_line(&e);
        free(pts);
    } else if (target == 3) {
        const char *path = write_tmp(data, size);
        for (unsigned flags = 0; flags < 4; flags++) {
            hw_log log;
            memset(&log, 0, sizeof log);
            if (hw_log_read(path, flags, &log, &e)) check_one_line(&e);
            else if (!log.f || log.n_obj < 1 || (!log.complete && !(flags & HW_LOG_ALLOW_INCOMPLETE)))
                abort(); /* a log that was read must be usable */
            hw_log_free(&log); /* also after a failure */
        }
    } else {
        unsigned char *buf = malloc(size + 4);
        memcpy(buf, data, size);
        size_t n = size;
        if (target == 4) {
            uint32_t c = (uint32_t)crc32(0L, buf, (uInt)size);
            for (int k = 0; k < 4; k++) buf[n++] = (unsigned char)(c >> (8 * k));
        }
        const char *path = write_tmp(buf, n);
        free(buf);
        sur_set *s = NULL;
        if (sur_set_load_file(path, &s, &e)) check_one_line(&e);
        else if (!s) abort();
        else {
            /* a loaded set must predict finite numbers for a valid arch */
            hw_arch a;
            const hw_space *sp = hw_space_get(surrogate_scale(s));
            if (sp && hw_arch_parse("gpt-s-12-384-3-4-2-2-4-2-4-2-3-3-4-3-8-4-12-8-4-8-4-12-12-12-4-12-False", sp,
                                    &a, &e) == HW_OK) {
                for (int m = 0; m < SUR_N_METRICS; m++)
                    for (int dv = 0; dv < SUR_N_DEVICES; dv++) {
                        if (!surrogate_has(s, m, dv)) continue;
                        sur_pred pr;
                        if (surrogate_predict(s, &a, m, dv, &pr, &e)) check_one_line(&e);
                    }
            }
            surrogate_free(s);
        }
    }
    return 0;
}
