/* cli/run_experiment.c — the run_experiment program: the command line,
 * usage and printing around the run library (runner/config.h, runner/run.h).
 *
 * Phases, in order:
 *   1. parse the command line and the config, and validate ALL of it
 *      (hw_config_load) and the state of existing logs (hw_run_plan) before
 *      anything is written: a bad config exits 2 with one line on stderr and
 *      leaves no output behind;
 *   2. run every seed not already complete (hw_run_pending); SIGINT and
 *      SIGTERM stop the runs between batches (exit 128 + signal);
 *   3. print one JSON object on stdout (last line) and a human summary on
 *      stderr. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/config.h"
#include "runner/jbuf.h"
#include "runner/run.h"

typedef struct {
    const char *file;
    hw_config_overrides ov;
    int quiet, force, dry_run;
} run_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: run_experiment CONFIG.json [--seed N] [--out DIR] [--threads N] [--force] [--dry-run] [--quiet]\n"
            "\n"
            "Runs the optimizer of CONFIG on its problem for each seed and writes one\n"
            "JSON Lines log per seed to <output>/<name>/seed_<seed>.jsonl (metadata line,\n"
            "one line per evaluation, summary line).  Seeds whose log is complete for the\n"
            "same config are skipped; incomplete ones are redone.\n"
            "\n"
            "  --seed N     run only seed N (overrides \"seeds\")\n"
            "  --out DIR    output directory (overrides \"output\", default \"results\")\n"
            "  --threads N  threads: seeds run concurrently, then batches in parallel\n"
            "               (overrides \"threads\"; default: all cores)\n"
            "  --force      redo every seed, overwriting complete logs\n"
            "  --dry-run    validate the config, print which seeds would run, write nothing\n"
            "  --quiet      no summary or progress on stderr\n");
}

static int parse_count(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !(*s >= '0' && *s <= '9')) return 0; /* no sign, no blanks: both counts are >= 0 */
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* Returns 0 to go on, or an exit status (0 for --help). *done set when exiting. */
static int parse_args(int argc, char **argv, run_args *a, int *done)
{
    memset(a, 0, sizeof *a);
    *done = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        long long v;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) { usage(stdout); *done = 1; return 0; }
        else if (strcmp(s, "--quiet") == 0) a->quiet = 1;
        else if (strcmp(s, "--force") == 0) a->force = 1;
        else if (strcmp(s, "--dry-run") == 0) a->dry_run = 1;
        else if (strcmp(s, "--seed") == 0 || strcmp(s, "--threads") == 0 || strcmp(s, "--out") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "run_experiment: %s: missing value\n", s); *done = 1; return 2; }
            const char *val = argv[++i];
            if (strcmp(s, "--out") == 0) {
                if (!*val) { fprintf(stderr, "run_experiment: --out: empty directory name\n"); *done = 1; return 2; }
                a->ov.out = val;
            } else if (strcmp(s, "--seed") == 0) {
                if (!parse_count(val, 0, HW_RUN_MAX_SEED, &v)) {
                    fprintf(stderr, "run_experiment: --seed: expected an integer in [0, 2^53 - 1], got '%s'\n", val);
                    *done = 1; return 2;
                }
                a->ov.has_seed = 1; a->ov.seed = (uint64_t)v;
            } else {
                if (!parse_count(val, 1, HW_RUN_MAX_THREADS, &v)) {
                    fprintf(stderr, "run_experiment: --threads: expected an integer in [1, %d], got '%s'\n",
                            HW_RUN_MAX_THREADS, val);
                    *done = 1; return 2;
                }
                a->ov.threads = (int)v;
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "run_experiment: unknown option '%s' (see --help)\n", s);
            *done = 1; return 2;
        } else if (!*s) {
            fprintf(stderr, "run_experiment: empty config file name\n");
            *done = 1; return 2;
        } else if (a->file) {
            fprintf(stderr, "run_experiment: one config file expected, got '%s' and '%s'\n", a->file, s);
            *done = 1; return 2;
        } else a->file = s;
    }
    if (!a->file) {
        fprintf(stderr, "run_experiment: missing CONFIG.json (see --help)\n");
        *done = 1; return 2;
    }
    return 0;
}

/* The result line: every seed with its status (done, skipped, interrupted,
 * or pending: not started, or failed). */
static void print_result(const hw_run_config *c, const hw_run_result *res, size_t n_res)
{
    hw_jbuf b = {0};
    hw_jbuf_puts(&b, "{\"name\":");
    hw_jbuf_str(&b, c->name);
    hw_jbuf_puts(&b, ",\"runs\":[");
    for (size_t i = 0; i < n_res; i++) {
        const hw_run_result *r = &res[i];
        if (b.len && b.p[b.len - 1] == '}') hw_jbuf_putc(&b, ',');
        hw_jbuf_puts(&b, "{\"seed\":");
        hw_jbuf_u64(&b, r->seed);
        hw_jbuf_puts(&b, ",\"status\":");
        hw_jbuf_str(&b, HW_RUN_STATUS_NAMES[r->status]);
        hw_jbuf_puts(&b, ",\"evaluations\":");
        hw_jbuf_u64(&b, (uint64_t)r->evaluations);
        hw_jbuf_puts(&b, ",\"front_size\":");
        hw_jbuf_u64(&b, r->front_size);
        hw_jbuf_puts(&b, ",\"hypervolume\":");
        if (r->status == HW_RUN_STOPPED || r->status == HW_RUN_PENDING) hw_jbuf_puts(&b, "null");
        else hw_jbuf_double(&b, r->hv);
        hw_jbuf_puts(&b, ",\"wall_s\":");
        hw_jbuf_seconds(&b, r->wall_s);
        hw_jbuf_puts(&b, ",\"log\":");
        hw_jbuf_str(&b, r->log);
        hw_jbuf_putc(&b, '}');
    }
    hw_jbuf_puts(&b, "]}\n");
    if (b.oom) fputs("{\"error\":\"out of memory\"}\n", stdout);
    else fputs(b.p, stdout);
    hw_jbuf_free(&b);
}

/* Flushes and closes stdout: a result that could not be written is a
 * failure (exit 1), never a silent success. */
static int close_stdout(int status)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) { bad = 1; err = errno; }
    if (!bad) return status;
    fprintf(stderr, "run_experiment: cannot write the result to stdout: %s\n", strerror(err ? err : EIO));
    return status ? status : 1;
}

/* The number of the signal (SIGINT or SIGTERM) that asked the run to stop,
 * 0 while none has: the program's one piece of mutable global state, as a
 * signal handler can portably do nothing else.  The run loop reads it
 * between batches; the handlers are installed only while seeds run. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) { stop_signal = sig; }

static void print_human(const hw_run_config *c, const hw_run_result *res)
{
    for (size_t i = 0; i < c->n_seeds; i++) {
        const hw_run_result *r = &res[i];
        if (r->status == HW_RUN_DONE || r->status == HW_RUN_SKIPPED)
            fprintf(stderr, "%s seed %llu: %s, %lld evaluations, front %zu, hypervolume %.6g, %.3f s -> %s\n",
                    c->name, (unsigned long long)r->seed, HW_RUN_STATUS_NAMES[r->status], r->evaluations,
                    r->front_size, r->hv, r->wall_s, r->log);
        else if (r->status == HW_RUN_STOPPED)
            fprintf(stderr, "%s seed %llu: interrupted after %lld evaluations; incomplete log left at %s.tmp\n",
                    c->name, (unsigned long long)r->seed, r->evaluations, r->log);
        else if (r->status == HW_RUN_PENDING)
            fprintf(stderr, "%s seed %llu: pending (not run)\n", c->name, (unsigned long long)r->seed);
    }
}

int main(int argc, char **argv)
{
    run_args a;
    int done = 0;
    int status = parse_args(argc, argv, &a, &done);
    if (done) return status;

    hw_run_config c;
    hw_err e = {0};
    int rc = hw_config_load(a.file, &a.ov, &c, &e);
    if (rc) {
        fprintf(stderr, "%s\n", e.msg);
        return rc == HW_ENOMEM ? 1 : 2;
    }
    /* Paths and the state of existing logs, still before writing anything. */
    hw_run_result *res = calloc(c.n_seeds, sizeof *res);
    if (!res) { fprintf(stderr, "run_experiment: out of memory\n"); hw_config_free(&c); return 1; }
    if ((rc = hw_run_plan(&c, a.force, res, &e))) {
        fprintf(stderr, "%s\n", e.msg);
        hw_run_results_free(res, c.n_seeds); hw_config_free(&c);
        return rc == HW_ENOMEM ? 1 : 2;
    }
    if (a.dry_run) {
        print_result(&c, res, c.n_seeds);
        hw_run_results_free(res, c.n_seeds); hw_config_free(&c);
        return close_stdout(0);
    }
    if ((rc = hw_run_make_dir(&c, &e))) {
        /* the output directory is part of the input: --out or "output" */
        if (a.ov.out) fprintf(stderr, "run_experiment: --out: %s\n", e.msg);
        else fprintf(stderr, "%s: output: %s\n", c.file, e.msg);
        hw_run_results_free(res, c.n_seeds); hw_config_free(&c);
        return rc == HW_ENOMEM ? 1 : 2;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    hw_run_options opt = {a.force, a.quiet, &stop_signal, NULL, 0};
    status = 0;
    if ((rc = hw_run_pending(&c, &opt, res, &e))) {
        fprintf(stderr, "%s\n", e.msg);
        status = 1;
    }
    int sig = stop_signal;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (size_t i = 0; i < c.n_seeds; i++)
        if (res[i].status == HW_RUN_LOCKED) { /* another process runs it: said always, even with --quiet */
            fprintf(stderr, "%s: seed %llu: %s; not run here\n", c.file, (unsigned long long)res[i].seed,
                    res[i].note ? res[i].note : "locked");
            if (!status) status = 1;
        }

    if (!a.quiet) print_human(&c, res);
    print_result(&c, res, c.n_seeds);
    if (sig && !status) status = 128 + sig;
    hw_run_results_free(res, c.n_seeds);
    hw_config_free(&c);
    return close_stdout(status);
}
