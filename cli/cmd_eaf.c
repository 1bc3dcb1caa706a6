/* cli/cmd_eaf.c — `hwnas eaf LOG_OR_DIR...`: the empirical attainment
 * surfaces (indicators/eaf.h) of the runs of each (problem, optimizer) with
 * 2 objectives, at given percentiles; CSV "problem,optimizer,percentile,
 * level,n_runs,x,y,x_name,y_name" (docs/analysis.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/csvout.h"
#include "cli/options.h"
#include "core/util.h"
#include "indicators/eaf.h"
#include "runner/logprefix.h"
#include "runner/logset.h"

#define MAX_PERCENTILES 101

static void eaf_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas eaf [--percentiles P1,P2,...] [--budget B] [--out FILE] [--allow-incomplete] [--quiet] LOG_OR_DIR...\n"
            "\n"
            "The empirical attainment surfaces of the runs of each (problem, optimizer) with\n"
            "2 objectives (logs grouped by what their metadata says; directories are searched\n"
            "for *.jsonl and *.jsonl.gz).  A run's points are all its evaluations (its final\n"
            "front), or its first B with --budget.  Percentile p of n runs is the level\n"
            "k = max(1, ceil(n p / 100)): the surface attained by at least k runs (0: the\n"
            "best, 50: the median, 100: the worst); default 0,25,50,75,100.  Each surface is\n"
            "written as its corners by increasing x, in natural units.\n"
            "\n"
            "Output: stdout or --out FILE (a regular file is replaced atomically); CSV\n"
            "  problem,optimizer,percentile,level,n_runs,x,y,x_name,y_name\n");
}

typedef struct {
    double pct[MAX_PERCENTILES];
    int n_pct;
    long long budget;            /* 0: all evaluations */
    const char *out;
    unsigned flags;
    int quiet;                   /* no progress line on stderr */
} eaf_opts;

/* "0,25,50" -> sorted distinct percentiles in [0, 100] (as moocore) */
static int parse_percentiles(const char *v, eaf_opts *o)
{
    const char *p = v;
    o->n_pct = 0;
    for (;;) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || !(x >= 0 && x <= 100) || o->n_pct == MAX_PERCENTILES) return -1;
        o->pct[o->n_pct++] = x;
        if (*end == '\0') break;
        if (*end != ',') return -1;
        p = end + 1;
    }
    qsort(o->pct, (size_t)o->n_pct, sizeof *o->pct, hw_cmp_double);
    int k = 1;
    for (int i = 1; i < o->n_pct; i++)
        if (o->pct[i] != o->pct[k - 1]) o->pct[k++] = o->pct[i];
    o->n_pct = k;
    return 0;
}

/* Returns 0, 1 (--help printed) or 2 (bad option, message printed). */
static int parse_args(int argc, char **argv, eaf_opts *o, char **logs, int *n_logs)
{
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { eaf_usage(stdout); return 1; }
        if ((v = cli_opt_value(argc, argv, &i, "--percentiles"))) {
            if (parse_percentiles(v, o)) {
                fprintf(stderr, "hwnas eaf: --percentiles: expected numbers in [0, 100] separated by commas, got '%s'\n", v);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--budget"))) {
            char *end;
            errno = 0;
            o->budget = strtoll(v, &end, 10);
            if (!*v || *end || errno || o->budget < 1) {
                fprintf(stderr, "hwnas eaf: --budget: expected a positive integer, got '%s'\n", v);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            if (!*v) { fprintf(stderr, "hwnas eaf: --out needs a file name\n"); return 2; }
            o->out = v;
        } else if (cli_log_arg("eaf", argv[i], &o->flags, &o->quiet, logs, n_logs)) {
            return 2;
        }
    }
    if (*n_logs == 0) {
        fprintf(stderr, "hwnas eaf: no LOG_OR_DIR given (e.g. results/<name>/)\n");
        return 2;
    }
    return 0;
}

/* The surfaces of one (problem, optimizer) group, appended to out. */
static int group_rows(const hw_logset *s, const hw_logset_problem *p, const hw_logset_group *g, const eaf_opts *o,
                      csvbuf *out, hw_err *e)
{
    hw_log_points *runs = malloc(g->count * sizeof *runs);
    if (!runs) return hw_fail(e, HW_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = g->first; i < g->first + g->count; i++) {
        const hw_log *l = &s->logs[i];
        int rc = o->budget && o->budget > l->evaluations
                     ? hw_fail(e, HW_EINVAL, "%s: --budget %lld, but the run has %lld evaluations", l->path, o->budget,
                               l->evaluations)
                     : hw_log_prefix_points(l, o->budget ? o->budget : l->evaluations, &runs[i - g->first], e);
        if (rc) { free(runs); return rc; }
        m += runs[i - g->first].n;
    }
    double *pts = malloc((m ? m : 1) * 2 * sizeof *pts);
    int *run = malloc((m ? m : 1) * sizeof *run);
    if (!pts || !run) { free(pts); free(run); free(runs); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    size_t at = 0;
    for (size_t i = 0; i < g->count; i++) {
        const size_t n = runs[i].n;
        if (n) memcpy(pts + 2 * at, runs[i].f, n * 2 * sizeof *pts);
        for (size_t j = 0; j < n; j++) run[at + j] = (int)i;
        at += n;
    }
    free(runs);
    const int n_runs = (int)g->count;
    int levels[MAX_PERCENTILES];
    for (int k = 0; k < o->n_pct; k++) levels[k] = hw_eaf_level(o->pct[k], n_runs);
    hw_eaf_point *c;
    size_t nc;
    int rc = hw_eaf2d(pts, run, m, n_runs, levels, o->n_pct, &c, &nc, e);
    free(pts);
    free(run);
    if (rc) return rc;
    const hw_log *l0 = &s->logs[g->first];
    for (size_t j = 0; j < nc; j++) {
        csv_field(out, p->label);
        csv_puts(out, ",");
        csv_field(out, g->optimizer);
        csv_puts(out, ",");
        csv_double(out, o->pct[c[j].level_index]);
        csv_puts(out, ",");
        csv_u64(out, (uint64_t)levels[c[j].level_index]);
        csv_puts(out, ",");
        csv_u64(out, (uint64_t)n_runs);
        csv_puts(out, ",");
        csv_double(out, c[j].x);
        csv_puts(out, ",");
        csv_double(out, c[j].y);
        csv_puts(out, ",");
        csv_field(out, l0->obj_names[0]);
        csv_puts(out, ",");
        csv_field(out, l0->obj_names[1]);
        csv_puts(out, "\n");
    }
    free(c);
    return HW_OK;
}

int cmd_eaf(int argc, char **argv)
{
    eaf_opts o = {.pct = {0, 25, 50, 75, 100}, .n_pct = 5, .flags = HW_LOG_ALLOW_SPARSE};
    char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) { fprintf(stderr, "hwnas eaf: out of memory\n"); return 1; }
    int n_logs = 0;
    int st = parse_args(argc, argv, &o, logs, &n_logs);
    if (st) { free(logs); return st == 1 ? 0 : 2; }
    hw_logset s;
    hw_err e;
    hw_progress progress;
    hw_progress_init(&progress, o.quiet);
    csvbuf out = {0};
    csv_puts(&out, "problem,optimizer,percentile,level,n_runs,x,y,x_name,y_name\n");
    int status = 0;
    int rc = hw_logset_read(logs, n_logs, o.flags, &progress, &s, &e);
    for (int p = 0; rc == HW_OK && p < s.n_problems; p++) {
        const hw_logset_problem *pr = &s.problems[p];
        if (pr->n_obj != 2) {
            rc = hw_fail(&e, HW_EINVAL, "problem %s has %d objectives; attainment surfaces need 2", pr->label, pr->n_obj);
            break;
        }
        for (int g = 0; rc == HW_OK && g < pr->n_groups; g++) rc = group_rows(&s, pr, &pr->groups[g], &o, &out, &e);
    }
    if (rc) {
        fprintf(stderr, "hwnas eaf: %s\n", e.msg);
        status = hw_exit_code(rc);
    } else if (csv_write(&out, o.out, &e) != HW_OK) {
        fprintf(stderr, "hwnas eaf: %s\n", e.msg);
        status = 1;
    }
    hw_logset_free(&s);
    free(out.p);
    free(logs);
    return status;
}
