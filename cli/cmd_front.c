/* cli/cmd_front.c — `hwnas front LOG...`: the final non-dominated front of
 * each trajectory log as CSV "run,seed,optimizer,eval,<objectives>,x|arch",
 * objectives in natural units. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/csvout.h"
#include "cli/options.h"
#include "indicators/trajectory.h"
#include "runner/logprefix.h"
#include "runner/logread.h"

static void front_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas front [--out FILE] [--allow-incomplete] LOG...\n"
            "\n"
            "The non-dominated set of all evaluations of each trajectory log of\n"
            "run_experiment (equal to its summary's front), in evaluation order.\n"
            "All logs must have the same objectives.\n"
            "\n"
            "Output (stdout, or FILE: a regular file is replaced atomically, a FIFO or\n"
            "device written through, a directory refused): CSV with the header\n"
            "  run,seed,optimizer,eval,<objective names...>,arch   (or x)\n"
            "eval: the evaluation's id in the log (0-based); objectives in natural\n"
            "units (all minimised); arch: the architecture string, or x: the genome as\n"
            "numbers separated by spaces.  Logs of every level (\"log\": \"all\", \"front\",\n"
            "\"summary\") give the same rows.\n");
}

/* "a, b" of the objective names, for messages */
static void join_names(const hw_log *l, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < l->n_obj && used + 1 < n; k++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", k ? ", " : "", l->obj_names[k]);
}

static int same_objectives(const hw_log *a, const hw_log *b)
{
    if (a->n_obj != b->n_obj) return 0;
    for (int k = 0; k < a->n_obj; k++)
        if (strcmp(a->obj_names[k], b->obj_names[k]) != 0) return 0;
    return 1;
}

static int front_rows(const hw_log *log, csvbuf *out, hw_err *e)
{
    const size_t d = (size_t)log->n_obj;
    hw_log_points pts;
    int rc = hw_log_prefix_points(log, log->evaluations, &pts, e);
    if (rc) return rc;
    size_t *row = malloc((pts.n ? pts.n : 1) * sizeof *row);
    uint64_t *ids = malloc((pts.n ? pts.n : 1) * sizeof *ids);
    if (!row || !ids) { free(row); free(ids); return hw_fail(e, HW_ENOMEM, "%s: out of memory", log->path); }
    size_t m = 0;
    rc = hw_front_ids(pts.f, pts.n, log->n_obj, ids, &m, e);
    if (rc) { free(row); free(ids); return hw_err_prefix(e, "%s", log->path); }
    for (size_t i = 0; i < m; i++) {
        row[i] = (size_t)ids[i];
        ids[i] = pts.eval[row[i]];
    }
    if (log->complete && (m != log->n_front || (m && memcmp(ids, log->front_eval, m * sizeof *ids) != 0)))
        fprintf(stderr, "hwnas front: warning: %s: the non-dominated set of the evaluations (%zu points) "
                "differs from the summary's front (%zu points)\n", log->path, m, log->n_front);
    for (size_t i = 0; i < m; i++) {
        const size_t r = row[i];
        csv_field(out, log->name);
        csv_puts(out, ",");
        csv_u64(out, log->seed);
        csv_puts(out, ",");
        csv_field(out, log->optimizer);
        csv_puts(out, ",");
        csv_u64(out, ids[i]);
        for (size_t k = 0; k < d; k++) {
            csv_puts(out, ",");
            csv_double(out, pts.f[r * d + k]);
        }
        csv_puts(out, ",");
        csv_field(out, pts.genome[r]);
        csv_puts(out, "\n");
    }
    free(row);
    free(ids);
    return HW_OK;
}

int cmd_front(int argc, char **argv)
{
    const char *out_path = NULL;
    unsigned flags = HW_LOG_KEEP_GENOMES | HW_LOG_ALLOW_SPARSE;
    char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) { fprintf(stderr, "hwnas front: out of memory\n"); return 1; }
    int n_logs = 0, status = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { front_usage(stdout); free(logs); return 0; }
        const char *v;
        if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            if (!*v) { fprintf(stderr, "hwnas front: --out needs a file name\n"); free(logs); return 2; }
            out_path = v;
        } else if (cli_log_arg("front", argv[i], &flags, NULL, logs, &n_logs)) {
            free(logs);
            return 2;
        }
    }
    if (n_logs == 0) {
        fprintf(stderr, "hwnas front: no LOG given (e.g. results/<name>/seed_*.jsonl)\n");
        free(logs);
        return 2;
    }
    csvbuf out = {0};
    hw_log first = {0};
    hw_err e;
    for (int i = 0; i < n_logs && status == 0; i++) {
        hw_log log;
        int rc = hw_log_read(logs[i], flags, &log, &e);
        if (rc == HW_OK && i > 0 && !same_objectives(&first, &log)) {
            char a[512], b[512];
            join_names(&log, a, sizeof a);
            join_names(&first, b, sizeof b);
            rc = hw_fail(&e, HW_EINVAL, "%s: objectives (%s) differ from those of %s (%s)", logs[i], a, first.path, b);
        }
        if (rc == HW_OK && i > 0 && log.genome_kind && first.genome_kind && log.genome_kind != first.genome_kind)
            rc = hw_fail(&e, HW_EINVAL, "%s: genomes are %s, those of %s are %s", logs[i],
                         log.genome_kind == HW_LOG_GENOME_X ? "x" : "arch", first.path,
                         first.genome_kind == HW_LOG_GENOME_X ? "x" : "arch");
        if (rc == HW_OK && i == 0) {
            csv_puts(&out, "run,seed,optimizer,eval");
            for (int k = 0; k < log.n_obj; k++) {
                csv_puts(&out, ",");
                csv_field(&out, log.obj_names[k]);
            }
            csv_puts(&out, log.genome_kind == HW_LOG_GENOME_ARCH ? ",arch\n" : ",x\n");
        }
        if (rc == HW_OK) rc = front_rows(&log, &out, &e);
        if (rc) {
            fprintf(stderr, "hwnas front: %s\n", e.msg);
            status = hw_exit_code(rc);
        }
        if (i == 0 && rc == HW_OK) first = log; /* kept for the comparisons */
        else hw_log_free(&log);
    }
    if (status == 0 && csv_write(&out, out_path, &e) != HW_OK) {
        fprintf(stderr, "hwnas front: %s\n", e.msg);
        status = 1;
    }
    hw_log_free(&first);
    free(out.p);
    free(logs);
    return status;
}
