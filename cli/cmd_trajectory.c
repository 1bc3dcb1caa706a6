/* cli/cmd_trajectory.c — `hwnas trajectory LOG...`: the hypervolume of the
 * non-dominated set of all evaluations so far, after every evaluation (or
 * every K), for each trajectory log; CSV "run,seed,optimizer,eval,hypervolume". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/refpoint.h"
#include "cli/csvout.h"
#include "cli/options.h"
#include "indicators/trajectory.h"
#include "runner/logprefix.h"
#include "runner/logread.h"
#include "runner/logschema.h"

static void trajectory_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas trajectory [--every K] [--ref R1,R2,...] [--out FILE] [--allow-incomplete] LOG...\n"
            "\n"
            "For each trajectory log of run_experiment (results/<name>/seed_<seed>.jsonl),\n"
            "the hypervolume of the non-dominated set of the first `eval` evaluations,\n"
            "for eval = K, 2K, ... and always the last; K = 1 by default.  Objectives are\n"
            "normalised with the log's obj_lo/obj_hi when it has them, and measured against\n"
            "its reference_point (or --ref, in the same normalised space).  The last row\n"
            "equals the summary line's hypervolume.\n"
            "\n"
            "Output (stdout, or FILE: a regular file is replaced atomically, a FIFO or\n"
            "device written through, a directory refused): CSV with the header\n"
            "  run,seed,optimizer,eval,hypervolume\n"
            "run: the config's name; eval: number of evaluations so far (1-based).\n"
            "\n"
            "Logs are validated first; a bad or incomplete one (.tmp, no summary line) is\n"
            "an error (exit 2, nothing written) unless --allow-incomplete.  A log written\n"
            "with \"log\": \"front\" gives the same rows as with \"all\"; one written with\n"
            "\"log\": \"summary\" is refused (it holds the final front only).\n");
}

static int trajectory_rows(const hw_log *log, const double *ref, size_t every, csvbuf *out, hw_err *e)
{
    if (log->level == HW_LOG_LEVEL_SUMMARY)
        return hw_fail(e, HW_EINVAL, "%s: written with \"log\": \"summary\" (the final front only): no hypervolume "
                       "over evaluations (hwnas summary reports its final budget)", log->path);
    const size_t n = (size_t)log->evaluations;
    if (n == 0) return HW_OK;
    size_t rows = hw_trajectory_rows(n, every);
    long long *k = malloc(rows * sizeof *k);
    double *hv = malloc(rows * sizeof *hv);
    if (!k || !hv) { free(k); free(hv); return hw_fail(e, HW_ENOMEM, "%s: out of memory", log->path); }
    for (size_t r = 0; r < rows; r++) k[r] = r + 1 < rows ? (long long)((r + 1) * every) : (long long)n;
    int rc = hw_log_hv_at(log, ref, log->obj_lo, log->obj_hi, k, rows, hv, e);
    if (rc == HW_OK) {
        char head[64];
        for (size_t r = 0; r < rows; r++) {
            csv_field(out, log->name);
            snprintf(head, sizeof head, ",%llu,", (unsigned long long)log->seed);
            csv_puts(out, head);
            csv_field(out, log->optimizer);
            csv_puts(out, ",");
            csv_u64(out, (uint64_t)k[r]);
            csv_puts(out, ",");
            csv_double(out, hv[r]);
            csv_puts(out, "\n");
        }
        /* the last row is computed like the summary's: a difference means the
         * log was not written by this version's runner or was edited */
        if (log->complete && ref == log->ref && hv[rows - 1] != log->hypervolume)
            fprintf(stderr, "hwnas trajectory: warning: %s: recomputed hypervolume %.17g differs from the "
                    "summary's %.17g\n", log->path, hv[rows - 1], log->hypervolume);
    }
    free(k);
    free(hv);
    return rc;
}

int cmd_trajectory(int argc, char **argv)
{
    const char *ref_arg = NULL, *out_path = NULL, *v;
    long long every = 1;
    unsigned flags = HW_LOG_ALLOW_SPARSE;
    char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) { fprintf(stderr, "hwnas trajectory: out of memory\n"); return 1; }
    int n_logs = 0, status = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { trajectory_usage(stdout); free(logs); return 0; }
        if ((v = cli_opt_value(argc, argv, &i, "--every"))) {
            char *end;
            errno = 0;
            every = strtoll(v, &end, 10);
            if (!*v || *end || errno || every < 1) {
                fprintf(stderr, "hwnas trajectory: --every: expected a positive integer, got '%s'\n", v);
                free(logs);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--ref"))) {
            ref_arg = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            if (!*v) { fprintf(stderr, "hwnas trajectory: --out needs a file name\n"); free(logs); return 2; }
            out_path = v;
        } else if (cli_log_arg("trajectory", argv[i], &flags, NULL, logs, &n_logs)) {
            free(logs);
            return 2;
        }
    }
    if (n_logs == 0) {
        fprintf(stderr, "hwnas trajectory: no LOG given (e.g. results/<name>/seed_*.jsonl)\n");
        free(logs);
        return 2;
    }
    double ref[HW_LOG_MAX_OBJ];
    int d_ref = 0;
    if (ref_arg && cli_parse_ref(ref_arg, ref, HW_LOG_MAX_OBJ, &d_ref) != 0) {
        fprintf(stderr, "hwnas trajectory: bad --ref '%s': expected 1 to %d finite numbers separated by commas\n",
                ref_arg, HW_LOG_MAX_OBJ);
        free(logs);
        return 2;
    }
    csvbuf out = {0};
    csv_puts(&out, "run,seed,optimizer,eval,hypervolume\n");
    hw_err e;
    for (int i = 0; i < n_logs && status == 0; i++) {
        hw_log log;
        int rc = hw_log_read(logs[i], flags, &log, &e);
        if (rc == HW_OK && ref_arg && d_ref != log.n_obj)
            rc = hw_fail(&e, HW_EINVAL, "%s: --ref has %d numbers, the log has %d objectives", logs[i], d_ref, log.n_obj);
        if (rc == HW_OK) rc = trajectory_rows(&log, ref_arg ? ref : log.ref, (size_t)every, &out, &e);
        if (rc) {
            fprintf(stderr, "hwnas trajectory: %s\n", e.msg);
            status = hw_exit_code(rc);
        }
        hw_log_free(&log);
    }
    if (status == 0 && csv_write(&out, out_path, &e) != HW_OK) {
        fprintf(stderr, "hwnas trajectory: %s\n", e.msg);
        status = 1;
    }
    free(out.p);
    free(logs);
    return status;
}
