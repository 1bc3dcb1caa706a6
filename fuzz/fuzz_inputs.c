/* fuzz/fuzz_inputs.c — libFuzzer harness for the readers of untrusted input
 * (not part of the default build; see fuzz/run.sh).  The first input byte
 * picks the target, the rest is the input:
 *   0  hw_arch_parse (any scale, then each scale)
 *   1  a run_experiment config: hw_config_load and hw_run_plan (what --dry-run does)
 *   2  hw_read_points (the hv / igd point files)
 *   3  hw_log_read (trajectory logs)
 * Every target must return an error with a one-line message or succeed;
 * the sanitizers catch the rest. */
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
    int target = data[0] % 4;
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
        hw_config_overrides ov = {0, 0, "/tmp/hwnas_fuzz_out", 0};
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
    } else {
        const char *path = write_tmp(data, size);
        hw_log log;
        memset(&log, 0, sizeof log);
        if (hw_log_read(path, HW_LOG_GENOME_X | HW_LOG_GENOME_ARCH, &log, &e)) check_one_line(&e);
        hw_log_free(&log); /* also after a failure */
    }
    return 0;
}
