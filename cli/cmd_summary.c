/* cli/cmd_summary.c — `hwnas summary LOG_OR_DIR...`: one CSV row per
 * (problem, optimizer, budget) with the normalised hypervolume over seeds
 * (mean, standard error, median, quartiles), the optimizer's rank within the
 * problem, front size and wall time; with --stats, the comparison across
 * problems (average ranks, Friedman / Iman-Davenport, Nemenyi CD,
 * Wilcoxon-Holm, IQM with bootstrap intervals; indicators/stats.h).  The
 * columns are documented in docs/analysis.md. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/csvout.h"
#include "cli/options.h"
#include "core/util.h"
#include "indicators/stats.h"
#include "indicators/trajectory.h"
#include "runner/logprefix.h"
#include "runner/logschema.h"
#include "runner/logset.h"

#define MAX_BUDGETS 1000

static void summary_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas summary [--budgets B1,B2,...] [--normalise problem|runs] [--out FILE]\n"
            "                     [--stats FILE] [--stats-budget B] [--bootstrap N] [--seed S] [--alpha A]\n"
            "                     [--allow-incomplete] [--quiet] LOG_OR_DIR...\n"
            "\n"
            "Groups the logs (directories are searched for *.jsonl and *.jsonl.gz) by problem\n"
            "and optimizer, as their metadata says, and writes one CSV row per (problem,\n"
            "optimizer, budget): the normalised hypervolume of the first `budget` evaluations\n"
            "over seeds (mean, standard error, median, quartiles, IQR), the optimizer's rank\n"
            "within the problem (1 = largest mean), the mean final front size, wall time and\n"
            "evaluations.  Runs of different problems are never pooled.\n"
            "\n"
            "  --budgets       evaluations at which to measure (default: per problem, the\n"
            "                  smallest number of evaluations of its runs); a log written\n"
            "                  with \"log\": \"summary\" answers only its final budget\n"
            "  --normalise     problem (default): the log's obj_lo/obj_hi and reference point,\n"
            "                  as the runner; runs: each objective's range over all runs of the\n"
            "                  problem, reference point 1.1\n"
            "  --stats FILE    also the statistics across problems (long CSV: test, optimizer,\n"
            "                  optimizer_b, statistic, value), at each problem's largest budget\n"
            "                  or --stats-budget B; --alpha (0.05), --bootstrap replicates (2000)\n"
            "                  and --seed (1) of the IQM's confidence interval\n"
            "  --quiet         no progress line (shown on a terminal while the logs are read)\n"
            "\n"
            "Output: stdout or --out FILE (a regular file is replaced atomically).  Columns in\n"
            "docs/analysis.md.\n");
}

typedef struct {
    long long budgets[MAX_BUDGETS];
    int n_budgets;               /* 0: the default */
    int norm_runs;
    const char *out, *stats_out;
    long long stats_budget;      /* 0: each problem's largest */
    long long n_boot;
    unsigned long long seed;
    double alpha;
    unsigned flags;
    int quiet;                   /* no progress line on stderr */
} summary_opts;

/* One (problem, optimizer, budget) cell. */
typedef struct {
    int n;
    double mean, se, median, q25, q75, rank;
} cell;

/* A problem's normalisation, budgets, per-run hypervolumes and cells. */
typedef struct {
    double lo[HW_LOG_MAX_OBJ], hi[HW_LOG_MAX_OBJ], ref[HW_LOG_MAX_OBJ];
    int has_bounds;
    long long *budgets;
    int nb;
    double *hv;                  /* (run - first) x nb; NAN: the run has fewer evaluations */
    size_t *front_size;          /* per run: non-dominated points of all its evaluations */
    cell *cells;                 /* group x nb */
} problem_result;

static int parse_ll(const char *v, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* "50,100,200" -> sorted distinct positive budgets */
static int parse_budgets(const char *v, summary_opts *o)
{
    const char *p = v;
    o->n_budgets = 0;
    for (;;) {
        char num[32];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof num || o->n_budgets == MAX_BUDGETS) return -1;
        memcpy(num, p, len);
        num[len] = 0;
        if (parse_ll(num, 1, 1000000000LL, &o->budgets[o->n_budgets++])) return -1;
        if (!p[len]) break;
        p += len + 1;
    }
    qsort(o->budgets, (size_t)o->n_budgets, sizeof *o->budgets, cmp_ll);
    int k = 1;
    for (int i = 1; i < o->n_budgets; i++)
        if (o->budgets[i] != o->budgets[k - 1]) o->budgets[k++] = o->budgets[i];
    o->n_budgets = k;
    return 0;
}

/* Returns 0, 1 (--help printed) or 2 (bad option, message printed). */
static int parse_args(int argc, char **argv, summary_opts *o, char **logs, int *n_logs)
{
    const char *v;
    long long x;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { summary_usage(stdout); return 1; }
        if ((v = cli_opt_value(argc, argv, &i, "--budgets"))) {
            if (parse_budgets(v, o)) {
                fprintf(stderr, "hwnas summary: --budgets: expected positive integers separated by commas, got '%s'\n", v);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--normalise"))) {
            if (strcmp(v, "problem") && strcmp(v, "runs")) {
                fprintf(stderr, "hwnas summary: --normalise: expected 'problem' or 'runs', got '%s'\n", v);
                return 2;
            }
            o->norm_runs = strcmp(v, "runs") == 0;
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            if (!*v) { fprintf(stderr, "hwnas summary: --out needs a file name\n"); return 2; }
            o->out = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--stats"))) {
            if (!*v) { fprintf(stderr, "hwnas summary: --stats needs a file name\n"); return 2; }
            o->stats_out = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--stats-budget"))) {
            if (parse_ll(v, 1, 1000000000LL, &o->stats_budget)) {
                fprintf(stderr, "hwnas summary: --stats-budget: expected a positive integer, got '%s'\n", v);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--bootstrap"))) {
            if (parse_ll(v, 1, 10000000LL, &o->n_boot)) {
                fprintf(stderr, "hwnas summary: --bootstrap: expected 1 to 10000000 replicates, got '%s'\n", v);
                return 2;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--seed"))) {
            if (parse_ll(v, 0, 9007199254740992LL, &x)) {
                fprintf(stderr, "hwnas summary: --seed: expected a non-negative integer, got '%s'\n", v);
                return 2;
            }
            o->seed = (unsigned long long)x;
        } else if ((v = cli_opt_value(argc, argv, &i, "--alpha"))) {
            char *end;
            o->alpha = strtod(v, &end);
            if (!*v || *end || !(o->alpha > 0 && o->alpha < 1)) {
                fprintf(stderr, "hwnas summary: --alpha: expected a number in (0, 1), got '%s'\n", v);
                return 2;
            }
        } else if (cli_log_arg("summary", argv[i], &o->flags, &o->quiet, logs, n_logs)) {
            return 2;
        }
    }
    if (*n_logs == 0) {
        fprintf(stderr, "hwnas summary: no LOG_OR_DIR given (e.g. results/<name>/)\n");
        return 2;
    }
    return 0;
}

/* The normalisation of problem p (docs/analysis.md). */
static int set_normalisation(const hw_logset *s, const hw_logset_problem *p, int norm_runs, problem_result *r,
                             hw_err *e)
{
    const hw_log *first = &s->logs[p->first];
    const int d = p->n_obj;
    if (!norm_runs) {
        memcpy(r->ref, first->ref, (size_t)d * sizeof *r->ref);
        r->has_bounds = first->obj_lo != NULL;
        if (r->has_bounds) {
            memcpy(r->lo, first->obj_lo, (size_t)d * sizeof *r->lo);
            memcpy(r->hi, first->obj_hi, (size_t)d * sizeof *r->hi);
        }
        return HW_OK;
    }
    for (size_t i = p->first; i < p->first + p->count; i++)
        if (s->logs[i].level != HW_LOG_LEVEL_ALL)
            return hw_fail(e, HW_EINVAL, "%s: written with \"log\": \"%s\": --normalise runs needs every evaluation "
                           "of every run (\"log\": \"all\"); use --normalise problem", s->logs[i].path,
                           HW_LOG_LEVEL_NAMES[s->logs[i].level]);
    r->has_bounds = 1;
    for (int k = 0; k < d; k++) {
        r->lo[k] = HUGE_VAL;
        r->hi[k] = -HUGE_VAL;
        r->ref[k] = 1.1;
    }
    for (size_t i = p->first; i < p->first + p->count; i++)
        for (size_t j = 0; j < s->logs[i].n_eval; j++)
            for (int k = 0; k < d; k++) {
                double f = s->logs[i].f[j * (size_t)d + k];
                if (f < r->lo[k]) r->lo[k] = f;
                if (f > r->hi[k]) r->hi[k] = f;
            }
    for (int k = 0; k < d; k++)
        if (!(r->hi[k] > r->lo[k]))
            return hw_fail(e, HW_EINVAL, "problem %s: objective '%s' has one value over all runs; --normalise runs "
                           "cannot scale it (use --normalise problem)", p->label, first->obj_names[k]);
    return HW_OK;
}

static int set_budgets(const hw_logset *s, const hw_logset_problem *p, const summary_opts *o, problem_result *r,
                       hw_err *e)
{
    r->nb = o->n_budgets ? o->n_budgets : 1;
    if (!(r->budgets = malloc((size_t)r->nb * sizeof *r->budgets))) return hw_fail(e, HW_ENOMEM, "out of memory");
    if (o->n_budgets) {
        memcpy(r->budgets, o->budgets, (size_t)r->nb * sizeof *r->budgets);
        return HW_OK;
    }
    long long least = -1;
    for (size_t i = p->first; i < p->first + p->count; i++)
        if (least < 0 || s->logs[i].evaluations < least) least = s->logs[i].evaluations;
    if (least <= 0)
        return hw_fail(e, HW_EINVAL, "problem %s: a run without evaluations (incomplete); give --budgets", p->label);
    r->budgets[0] = least;
    return HW_OK;
}

/* The final front's size: the summary's, or counted for an incomplete log. */
static int front_size(const hw_log *l, size_t *n, hw_err *e)
{
    if (l->complete) { *n = l->n_front; return HW_OK; }
    hw_log_points pts;
    int rc = hw_log_prefix_points(l, l->evaluations, &pts, e);
    if (rc) return rc;
    uint64_t *ids = malloc((pts.n ? pts.n : 1) * sizeof *ids);
    if (!ids) return hw_fail(e, HW_ENOMEM, "out of memory");
    rc = hw_front_ids(pts.f, pts.n, l->n_obj, ids, n, e);
    free(ids);
    return rc ? hw_err_prefix(e, "%s", l->path) : HW_OK;
}

/* The normalised hypervolume of each run after each budget (the budgets it
 * reaches: a log of level "summary" answers only its final one). */
static int run_hypervolumes(const hw_logset *s, const hw_logset_problem *p, problem_result *r, hw_err *e)
{
    r->hv = malloc(p->count * (size_t)r->nb * sizeof *r->hv);
    r->front_size = calloc(p->count, sizeof *r->front_size);
    if (!r->hv || !r->front_size) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->count; i++) {
        const hw_log *l = &s->logs[p->first + i];
        double *hv = r->hv + i * (size_t)r->nb;
        for (int b = 0; b < r->nb; b++) hv[b] = NAN;
        int reached = 0;
        while (reached < r->nb && r->budgets[reached] <= l->evaluations) reached++;
        int rc = hw_log_hv_at(l, r->ref, r->has_bounds ? r->lo : NULL, r->has_bounds ? r->hi : NULL, r->budgets,
                              (size_t)reached, hv, e);
        if (rc == HW_OK) rc = front_size(l, &r->front_size[i], e);
        if (rc) return rc;
    }
    return HW_OK;
}

/* Cells: the statistics over seeds, then the ranks among the optimizers. */
static int fill_cells(const hw_logset_problem *p, problem_result *r, hw_err *e)
{
    r->cells = calloc((size_t)p->n_groups * (size_t)r->nb, sizeof *r->cells);
    double *v = malloc(p->count * sizeof *v), *mean = malloc((size_t)p->n_groups * sizeof *mean);
    double *rank = malloc((size_t)p->n_groups * sizeof *rank);
    int *idx = malloc((size_t)p->n_groups * sizeof *idx);
    if (!r->cells || !v || !mean || !rank || !idx) {
        free(v); free(mean); free(rank); free(idx);
        return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    for (int b = 0; b < r->nb; b++) {
        int present = 0;
        for (int g = 0; g < p->n_groups; g++) {
            const hw_logset_group *gr = &p->groups[g];
            cell *c = &r->cells[(size_t)g * r->nb + b];
            c->n = 0;
            for (size_t i = gr->first; i < gr->first + gr->count; i++) {
                double x = r->hv[(i - p->first) * (size_t)r->nb + b];
                if (!isnan(x)) v[c->n++] = x;
            }
            if (c->n == 0) continue;
            qsort(v, (size_t)c->n, sizeof *v, hw_cmp_double);
            double sum = 0, ss = 0;
            for (int j = 0; j < c->n; j++) sum += v[j];
            c->mean = sum / c->n;
            for (int j = 0; j < c->n; j++) ss += (v[j] - c->mean) * (v[j] - c->mean);
            c->se = c->n > 1 ? sqrt(ss / (c->n - 1)) / sqrt((double)c->n) : NAN;
            c->median = hw_quantile_sorted(v, (size_t)c->n, 0.5);
            c->q25 = hw_quantile_sorted(v, (size_t)c->n, 0.25);
            c->q75 = hw_quantile_sorted(v, (size_t)c->n, 0.75);
            mean[present] = c->mean;
            idx[present++] = g;
        }
        hw_rank_desc(mean, present, rank);
        for (int j = 0; j < present; j++) r->cells[(size_t)idx[j] * r->nb + b].rank = rank[j];
    }
    free(v); free(mean); free(rank); free(idx);
    return HW_OK;
}

static void put_num(csvbuf *b, double v)
{
    csv_puts(b, ",");
    if (!isnan(v)) csv_double(b, v);
}

static void summary_rows(const hw_logset *s, const hw_logset_problem *p, const problem_result *r, int norm_runs,
                         csvbuf *out)
{
    char ref[HW_LOG_MAX_OBJ * 32];
    size_t at = 0;
    for (int k = 0; k < p->n_obj; k++) {
        char num[48];
        hwj_format_double(num, sizeof num, r->ref[k]);
        at += (size_t)snprintf(ref + at, sizeof ref - at, "%s%s", k ? " " : "", num);
    }
    for (int g = 0; g < p->n_groups; g++) {
        const hw_logset_group *gr = &p->groups[g];
        double front = 0, wall = 0, evals = 0;
        size_t n_complete = 0;
        for (size_t i = gr->first; i < gr->first + gr->count; i++) {
            front += (double)r->front_size[i - p->first];
            evals += (double)s->logs[i].evaluations;
            if (s->logs[i].complete) { wall += s->logs[i].wall_s; n_complete++; }
        }
        wall = n_complete ? wall / (double)n_complete : NAN;
        for (int b = 0; b < r->nb; b++) {
            const cell *c = &r->cells[(size_t)g * r->nb + b];
            if (c->n == 0) continue;
            csv_field(out, p->label);
            csv_puts(out, ",");
            csv_field(out, gr->optimizer);
            csv_puts(out, ",");
            csv_u64(out, (uint64_t)r->budgets[b]);
            csv_puts(out, ",");
            csv_u64(out, (uint64_t)c->n);
            put_num(out, c->mean);
            put_num(out, c->se);
            put_num(out, c->median);
            put_num(out, c->q25);
            put_num(out, c->q75);
            put_num(out, c->q75 - c->q25);
            put_num(out, c->rank);
            put_num(out, front / (double)gr->count);
            put_num(out, wall);
            put_num(out, evals / (double)gr->count);
            csv_puts(out, norm_runs ? ",runs," : ",problem,");
            csv_field(out, ref);
            csv_puts(out, ",");
            csv_field(out, p->config);
            csv_puts(out, ",");
            csv_field(out, gr->config);
            csv_puts(out, "\n");
        }
    }
}

/* --- statistics across problems ------------------------------------------ */

typedef struct {
    const char **names;          /* the optimizers (sorted by name) */
    int k;
    int *problems;               /* included problem indices */
    int n;
    int *budget_of;              /* per included problem: its budget index */
    double *score;               /* n x k: hv_mean */
} comparison;

static int name_index(const char **names, int k, const char *name)
{
    for (int j = 0; j < k; j++)
        if (strcmp(names[j], name) == 0) return j;
    return -1;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The group of optimizer j in problem p, or -1. */
static int group_of(const hw_logset_problem *p, const char *name)
{
    for (int g = 0; g < p->n_groups; g++)
        if (strcmp(p->groups[g].optimizer, name) == 0) return g;
    return -1;
}

/* The budget index used for problem p: --stats-budget, or the largest with every optimizer present. */
static int stats_budget(const hw_logset_problem *p, const problem_result *r, const comparison *c, long long want)
{
    for (int b = r->nb - 1; b >= 0; b--) {
        if (want && r->budgets[b] != want) continue;
        int all = 1;
        for (int j = 0; j < c->k && all; j++) {
            int g = group_of(p, c->names[j]);
            all = g >= 0 && r->cells[(size_t)g * r->nb + b].n > 0;
        }
        if (all) return b;
    }
    return -1;
}

static int build_comparison(const hw_logset *s, const problem_result *res, long long want, comparison *c, hw_err *e)
{
    memset(c, 0, sizeof *c);
    size_t cap = 0;
    for (int p = 0; p < s->n_problems; p++) cap += (size_t)s->problems[p].n_groups;
    c->names = malloc((cap ? cap : 1) * sizeof *c->names);
    c->problems = malloc((size_t)s->n_problems * sizeof *c->problems);
    c->budget_of = malloc((size_t)s->n_problems * sizeof *c->budget_of);
    if (!c->names || !c->problems || !c->budget_of) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (int p = 0; p < s->n_problems; p++)
        for (int g = 0; g < s->problems[p].n_groups; g++)
            if (name_index(c->names, c->k, s->problems[p].groups[g].optimizer) < 0)
                c->names[c->k++] = s->problems[p].groups[g].optimizer;
    qsort(c->names, (size_t)c->k, sizeof *c->names, cmp_name);
    for (int p = 0; p < s->n_problems; p++) {
        int b = stats_budget(&s->problems[p], &res[p], c, want);
        if (b < 0) {
            fprintf(stderr, "hwnas summary: stats: problem %s left out: not every optimizer has runs at %s\n",
                    s->problems[p].label, want ? "--stats-budget" : "a common budget");
            continue;
        }
        c->budget_of[c->n] = b;
        c->problems[c->n++] = p;
    }
    if (c->n == 0) return hw_fail(e, HW_EINVAL, "stats: no problem where every optimizer has runs at one budget");
    if (!(c->score = malloc((size_t)c->n * (size_t)c->k * sizeof *c->score))) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (int i = 0; i < c->n; i++) {
        const hw_logset_problem *p = &s->problems[c->problems[i]];
        for (int j = 0; j < c->k; j++) {
            int g = group_of(p, c->names[j]);
            c->score[(size_t)i * c->k + j] = res[c->problems[i]].cells[(size_t)g * res[c->problems[i]].nb + c->budget_of[i]].mean;
        }
    }
    return HW_OK;
}

static void comparison_free(comparison *c)
{
    free(c->names); free(c->problems); free(c->budget_of); free(c->score);
}

static void stat_row(csvbuf *b, const char *test, const char *opt, const char *opt_b, const char *name, double v)
{
    csv_puts(b, test);
    csv_puts(b, ",");
    csv_field(b, opt ? opt : "");
    csv_puts(b, ",");
    csv_field(b, opt_b ? opt_b : "");
    csv_puts(b, ",");
    csv_puts(b, name);
    csv_puts(b, ",");
    csv_double(b, v);
    csv_puts(b, "\n");
}

static int rank_rows(const comparison *c, double alpha, csvbuf *out, hw_err *e)
{
    double *avg = malloc((size_t)c->k * sizeof *avg), *rank = malloc((size_t)c->k * sizeof *rank);
    if (!avg || !rank) { free(avg); free(rank); return hw_fail(e, HW_ENOMEM, "out of memory"); }
    for (int j = 0; j < c->k; j++) avg[j] = 0;
    for (int i = 0; i < c->n; i++) {
        hw_rank_desc(c->score + (size_t)i * c->k, c->k, rank);
        for (int j = 0; j < c->k; j++) avg[j] += rank[j] / c->n;
    }
    for (int j = 0; j < c->k; j++) {
        stat_row(out, "average_rank", c->names[j], NULL, "rank", avg[j]);
        stat_row(out, "average_rank", c->names[j], NULL, "n_problems", c->n);
    }
    int rc = HW_OK;
    if (c->n >= 2 && c->k >= 2) {
        hw_friedman f;
        double q;
        if ((rc = hw_friedman_test(c->score, c->n, c->k, avg, &f, e)) == HW_OK &&
            (rc = hw_nemenyi_q(c->k, alpha, &q, e)) == HW_OK) {
            stat_row(out, "friedman", NULL, NULL, "n_problems", f.n);
            stat_row(out, "friedman", NULL, NULL, "k", f.k);
            stat_row(out, "friedman", NULL, NULL, "chi2", f.chi2);
            stat_row(out, "friedman", NULL, NULL, "df", f.df);
            stat_row(out, "friedman", NULL, NULL, "p_value", f.p);
            if (f.f < DBL_MAX) stat_row(out, "friedman", NULL, NULL, "iman_davenport_f", f.f);
            else csv_puts(out, "friedman,,,iman_davenport_f,\n");   /* infinite: every problem ranks alike */
            stat_row(out, "friedman", NULL, NULL, "df1", f.df1);
            stat_row(out, "friedman", NULL, NULL, "df2", f.df2);
            stat_row(out, "friedman", NULL, NULL, "p_value_f", f.p_f);
            stat_row(out, "nemenyi", NULL, NULL, "alpha", alpha);
            stat_row(out, "nemenyi", NULL, NULL, "q_alpha", q);
            stat_row(out, "nemenyi", NULL, NULL, "cd", q * sqrt(c->k * (c->k + 1.0) / (6.0 * c->n)));
        }
    } else {
        fprintf(stderr, "hwnas summary: stats: the Friedman test needs at least 2 problems and 2 optimizers "
                "(have %d and %d)\n", c->n, c->k);
    }
    free(avg);
    free(rank);
    return rc;
}

static int wilcoxon_rows(const comparison *c, double alpha, csvbuf *out, hw_err *e)
{
    int m = c->k * (c->k - 1) / 2;
    if (m == 0) return HW_OK;
    hw_wilcoxon *w = malloc((size_t)m * sizeof *w);
    double *p = malloc((size_t)m * sizeof *p), *adj = malloc((size_t)m * sizeof *adj);
    double *a = malloc((size_t)c->n * sizeof *a), *b = malloc((size_t)c->n * sizeof *b);
    int rc = (!w || !p || !adj || !a || !b) ? hw_fail(e, HW_ENOMEM, "out of memory") : HW_OK;
    for (int x = 0, t = 0; rc == HW_OK && x < c->k; x++)
        for (int y = x + 1; rc == HW_OK && y < c->k; y++, t++) {
            for (int i = 0; i < c->n; i++) {
                a[i] = c->score[(size_t)i * c->k + x];
                b[i] = c->score[(size_t)i * c->k + y];
            }
            rc = hw_wilcoxon_test(a, b, c->n, &w[t], e);
            p[t] = w[t].p;
        }
    if (rc == HW_OK) rc = hw_holm(p, m, adj, e);
    for (int x = 0, t = 0; rc == HW_OK && x < c->k; x++)
        for (int y = x + 1; y < c->k; y++, t++) {
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "n", w[t].n);
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "w_plus", w[t].w_plus);
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "w_minus", w[t].w_minus);
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "p_value", w[t].p);
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "p_holm", adj[t]);
            stat_row(out, "wilcoxon_holm", c->names[x], c->names[y], "reject", adj[t] < alpha);
        }
    free(w); free(p); free(adj); free(a); free(b);
    return rc;
}

/* IQM of each optimizer's per-run hypervolumes on the included problems. */
static int iqm_rows(const hw_logset *s, const problem_result *res, const comparison *c, const summary_opts *o,
                    csvbuf *out, hw_err *e)
{
    double *x = malloc((s->n_logs ? s->n_logs : 1) * sizeof *x);
    size_t *count = malloc((size_t)c->n * sizeof *count);
    int rc = (!x || !count) ? hw_fail(e, HW_ENOMEM, "out of memory") : HW_OK;
    for (int j = 0; rc == HW_OK && j < c->k; j++) {
        size_t n = 0;
        for (int i = 0; i < c->n; i++) {
            const hw_logset_problem *p = &s->problems[c->problems[i]];
            const problem_result *r = &res[c->problems[i]];
            const hw_logset_group *g = &p->groups[group_of(p, c->names[j])];
            count[i] = 0;
            for (size_t l = g->first; l < g->first + g->count; l++) {
                double v = r->hv[(l - p->first) * (size_t)r->nb + c->budget_of[i]];
                if (!isnan(v)) { x[n++] = v; count[i]++; }
            }
        }
        double iqm, lo, hi;
        if ((rc = hw_iqm(x, n, &iqm, e)) == HW_OK &&
            (rc = hw_iqm_bootstrap(x, count, c->n, (int)o->n_boot, o->alpha, o->seed, &lo, &hi, e)) == HW_OK) {
            stat_row(out, "iqm", c->names[j], NULL, "iqm", iqm);
            stat_row(out, "iqm", c->names[j], NULL, "ci_lo", lo);
            stat_row(out, "iqm", c->names[j], NULL, "ci_hi", hi);
            stat_row(out, "iqm", c->names[j], NULL, "n_runs", (double)n);
        }
    }
    free(x);
    free(count);
    return rc;
}

static int stats_table(const hw_logset *s, const problem_result *res, const summary_opts *o, csvbuf *out,
                       hw_err *e)
{
    comparison c;
    csv_puts(out, "test,optimizer,optimizer_b,statistic,value\n");
    int rc = build_comparison(s, res, o->stats_budget, &c, e);
    if (rc == HW_OK) rc = rank_rows(&c, o->alpha, out, e);
    if (rc == HW_OK) rc = wilcoxon_rows(&c, o->alpha, out, e);
    if (rc == HW_OK) rc = iqm_rows(s, res, &c, o, out, e);
    comparison_free(&c);
    return rc;
}

/* Both tables, formatted (written by the caller). */
static int summarise(const hw_logset *s, const summary_opts *o, csvbuf *out_summary, csvbuf *out_stats, hw_err *e)
{
    problem_result *res = calloc((size_t)s->n_problems, sizeof *res);
    csvbuf out = {0};
    int rc = res ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    csv_puts(&out, "problem,optimizer,budget,n_seeds,hv_mean,hv_se,hv_median,hv_q25,hv_q75,hv_iqr,rank,front_size,"
             "wall_s,evaluations,normalisation,reference_point,problem_config,optimizer_config\n");
    for (int p = 0; rc == HW_OK && p < s->n_problems; p++) {
        const hw_logset_problem *pr = &s->problems[p];
        if ((rc = set_normalisation(s, pr, o->norm_runs, &res[p], e)) || (rc = set_budgets(s, pr, o, &res[p], e)) ||
            (rc = run_hypervolumes(s, pr, &res[p], e)) || (rc = fill_cells(pr, &res[p], e)))
            break;
        summary_rows(s, pr, &res[p], o->norm_runs, &out);
    }
    if (rc == HW_OK && o->stats_out) rc = stats_table(s, res, o, out_stats, e);
    for (int p = 0; res && p < s->n_problems; p++) {
        free(res[p].budgets);
        free(res[p].hv);
        free(res[p].front_size);
        free(res[p].cells);
    }
    free(res);
    *out_summary = out;
    return rc;
}

int cmd_summary(int argc, char **argv)
{
    summary_opts o = {.n_boot = 2000, .seed = 1, .alpha = 0.05, .flags = HW_LOG_ALLOW_SPARSE};
    char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) { fprintf(stderr, "hwnas summary: out of memory\n"); return 1; }
    int n_logs = 0;
    int st = parse_args(argc, argv, &o, logs, &n_logs);
    if (st) { free(logs); return st == 1 ? 0 : 2; }
    hw_logset s;
    hw_err e;
    hw_progress progress;
    hw_progress_init(&progress, o.quiet);
    csvbuf table = {0}, stats = {0};
    int status = 0;
    int rc = hw_logset_read(logs, n_logs, o.flags, &progress, &s, &e);
    if (rc == HW_OK) rc = summarise(&s, &o, &table, &stats, &e);
    if (rc) {
        fprintf(stderr, "hwnas summary: %s\n", e.msg);
        status = hw_exit_code(rc);
    } else if ((o.stats_out && csv_write(&stats, o.stats_out, &e) != HW_OK) || csv_write(&table, o.out, &e) != HW_OK) {
        fprintf(stderr, "hwnas summary: %s\n", e.msg);
        status = 1;
    }
    hw_logset_free(&s);
    free(table.p);
    free(stats.p);
    free(logs);
    return status;
}
