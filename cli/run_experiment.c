/* cli/run_experiment.c — the run_experiment program: the command line,
 * usage and printing around the run library (runner/config.h, runner/run.h).
 *
 * Phases, in order:
 *   1. parse the command line and the config (a single run or a grid,
 *      runner/grid.h), and validate ALL of it (hw_grid_load) and the state
 *      of existing logs (hw_grid_plan) before anything is written: a bad
 *      config exits 2 with one line on stderr and leaves no output behind;
 *   2. run every run not already complete (hw_grid_run) — of this shard
 *      (--shard i/K) or MPI rank (under mpirun, when built with MPI);
 *      SIGINT and SIGTERM stop the runs between batches (exit 128 + signal);
 *   3. print one JSON object on stdout (last line; under MPI rank 0 prints
 *      every run, gathered from the ranks) and a human summary on stderr. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HWNAS_MPI
#include <mpi.h>
#endif

#include "runner/config.h"
#include "runner/grid.h"
#include "runner/jbuf.h"
#include "runner/run.h"

typedef struct {
    const char *file;
    hw_config_overrides ov;
    int quiet, force, dry_run, summary_only;
    int shard_index, shard_count;   /* --shard i/K; count 0 = not given */
} run_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: run_experiment CONFIG.json [--seed N] [--out DIR] [--threads N] [--shard I/K]\n"
            "                      [--force] [--dry-run] [--summary-only] [--quiet]\n"
            "\n"
            "Runs the optimizer of CONFIG on its problem for each seed and writes one\n"
            "JSON Lines log per seed to <output>/<name>/seed_<seed>.jsonl (metadata line,\n"
            "one line per evaluation, summary line).  A grid config (lists of optimizers,\n"
            "problems, scales, devices or objective sets) runs every combination, logs to\n"
            "<output>/<name>/<optimizer>/<problem>/seed_<seed>.jsonl.gz.  Runs whose log\n"
            "is complete for the same config are skipped; incomplete ones are redone.\n"
            "Under mpirun (when built with MPI) the runs are spread over the ranks.\n"
            "\n"
            "  --seed N        run only seed N (overrides \"seeds\")\n"
            "  --out DIR       output directory (overrides \"output\", default \"results\")\n"
            "  --threads N     threads: runs run concurrently, then batches in parallel\n"
            "                  (overrides \"threads\"; default: all cores; under mpirun the\n"
            "                  cores divided among the ranks of each node, at least 1)\n"
            "  --shard I/K     run only runs I, I+K, I+2K, ... of the plan (0 <= I < K), for\n"
            "                  job arrays; prints those runs\n"
            "  --force         redo every run, overwriting complete logs\n"
            "  --dry-run       validate the config, print the plan (one line per run on\n"
            "                  stderr, the result object on stdout), write nothing\n"
            "  --summary-only  run nothing: print the result object from the logs there are\n"
            "  --quiet         no summary or progress on stderr\n");
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

/* "I/K" with 0 <= I < K <= 1000000. */
static int parse_shard(const char *s, run_args *a)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || (size_t)(slash - s) > 20) return 0;
    char first[24];
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = 0;
    long long i, k;
    if (!parse_count(first, 0, 999999, &i) || !parse_count(slash + 1, 1, 1000000, &k) || i >= k) return 0;
    a->shard_index = (int)i;
    a->shard_count = (int)k;
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
        else if (strcmp(s, "--summary-only") == 0) a->summary_only = 1;
        else if (strcmp(s, "--seed") == 0 || strcmp(s, "--threads") == 0 || strcmp(s, "--out") == 0 ||
                 strcmp(s, "--shard") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "run_experiment: %s: missing value\n", s); *done = 1; return 2; }
            const char *val = argv[++i];
            if (strcmp(s, "--out") == 0) {
                if (!*val) { fprintf(stderr, "run_experiment: --out: empty directory name\n"); *done = 1; return 2; }
                a->ov.out = val;
            } else if (strcmp(s, "--shard") == 0) {
                if (!parse_shard(val, a)) {
                    fprintf(stderr, "run_experiment: --shard: expected I/K with 0 <= I < K (e.g. 0/4), got '%s'\n", val);
                    *done = 1; return 2;
                }
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
    if (a->summary_only && (a->dry_run || a->force)) {
        fprintf(stderr, "run_experiment: --summary-only runs nothing: it goes with neither --dry-run nor --force\n");
        *done = 1; return 2;
    }
    return 0;
}

/* The result line: every run (of the shard) with its status (done, skipped,
 * interrupted, locked, or pending: not started, or failed). */
static void print_result(const hw_grid *g, const hw_run_result *res, int shard_index, int shard_count)
{
    hw_jbuf b = {0};
    hw_jbuf_puts(&b, "{\"name\":");
    hw_jbuf_str(&b, g->cells[0].cfg.name);
    hw_jbuf_puts(&b, ",\"runs\":[");
    int first = 1;
    for (size_t k = 0; k < g->n_runs; k++) {
        if (!hw_grid_in_shard(k, shard_index, shard_count)) continue;
        if (!first) hw_jbuf_putc(&b, ',');
        first = 0;
        hw_grid_result_json(g, k, &res[k], &b);
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
 * between batches; the handlers are installed only while runs run. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) { stop_signal = sig; }

/* "NAME seed S" for a single-run config, "NAME OPT/PROBLEM seed S" for a grid. */
static void run_label(const hw_grid *g, size_t k, const hw_run_result *r, char *buf, size_t n)
{
    const hw_grid_cell *c = hw_grid_cell_of(g, k);
    if (g->is_grid)
        snprintf(buf, n, "%s %s/%s seed %llu", c->cfg.name, c->optimizer, c->problem, (unsigned long long)r->seed);
    else
        snprintf(buf, n, "%s seed %llu", c->cfg.name, (unsigned long long)r->seed);
}

static void print_human(const hw_grid *g, const hw_run_result *res, int shard_index, int shard_count)
{
    char label[512];
    for (size_t k = 0; k < g->n_runs; k++) {
        const hw_run_result *r = &res[k];
        if (!hw_grid_in_shard(k, shard_index, shard_count)) continue;
        run_label(g, k, r, label, sizeof label);
        if (r->status == HW_RUN_DONE || r->status == HW_RUN_SKIPPED) {
            fprintf(stderr, "%s: %s, %lld evaluations, front %zu, hypervolume %.6g", label,
                    HW_RUN_STATUS_NAMES[r->status], r->evaluations, r->front_size, r->hv);
            if (r->has_hv_mean) fprintf(stderr, " (of the means %.6g)", r->hv_mean);
            fprintf(stderr, ", %.3f s -> %s\n", r->wall_s, r->log);
        } else if (r->status == HW_RUN_STOPPED)
            fprintf(stderr, "%s: interrupted after %lld evaluations; incomplete log left at %s.tmp\n", label,
                    r->evaluations, r->log);
        else if (r->status == HW_RUN_PENDING)
            fprintf(stderr, "%s: pending (not run)\n", label);
    }
}

static void print_plan(const hw_grid *g, const hw_run_result *res, int shard_index, int shard_count)
{
    char label[512];
    size_t n = 0, pending = 0;
    for (size_t k = 0; k < g->n_runs; k++) {
        if (!hw_grid_in_shard(k, shard_index, shard_count)) continue;
        run_label(g, k, &res[k], label, sizeof label);
        fprintf(stderr, "%s: %s -> %s\n", label, res[k].status == HW_RUN_SKIPPED ? "complete (skipped)" : "to run",
                res[k].log);
        n++;
        pending += res[k].status == HW_RUN_PENDING;
    }
    fprintf(stderr, "%zu runs (%zu cells x %zu seeds%s), %zu to run\n", n, g->n_cells, g->n_seeds,
            shard_count > 1 ? ", this shard" : "", pending);
}

/* MPI: a process started by mpirun is one rank; everything else (and a
 * build without MPI) is one process.  MPI is started only under a launcher,
 * so plain runs never pay for it. */
typedef struct {
    int on, rank, size;
    int node_size;               /* ranks on this rank's node (MPI_COMM_TYPE_SHARED) */
} mpi_ctx;

static void mpi_start(int *argc, char ***argv, mpi_ctx *m)
{
    memset(m, 0, sizeof *m);
    m->size = m->node_size = 1;
#ifdef HWNAS_MPI
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_SIZE")) return;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return;
    m->on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &m->node_size);
        MPI_Comm_free(&node);
    }
#else
    (void)argc; (void)argv;
#endif
}

/* The worst exit status over the ranks, and the results gathered on rank 0. */
static int mpi_gather(const mpi_ctx *m, const hw_grid *g, hw_run_result *res, int status)
{
#ifdef HWNAS_MPI
    if (!m->on) return status;
    size_t n = g->n_runs * HW_GRID_PACKED;
    double *mine = calloc(n ? n : 1, sizeof *mine), *all = calloc(n ? n : 1, sizeof *all);
    int worst = status;
    if (!mine || !all) {
        fprintf(stderr, "run_experiment: rank %d: out of memory\n", m->rank);
        worst = 1;
        free(mine); free(all);
        mine = all = NULL;
    }
    int fail = !mine;
    int any_fail = 0;
    MPI_Allreduce(&fail, &any_fail, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any_fail) {
        hw_grid_pack(res, g->n_runs, mine);
        for (size_t k = 0; k < g->n_runs; k++) /* what another rank ran is that rank's to report */
            if (!hw_grid_in_shard(k, m->rank, m->size)) memset(mine + k * HW_GRID_PACKED, 0, HW_GRID_PACKED * sizeof *mine);
        MPI_Reduce(mine, all, (int)n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        if (m->rank == 0) hw_grid_unpack(all, g->n_runs, res);
    }
    MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    free(mine); free(all);
    return any_fail && !worst ? 1 : worst;
#else
    (void)m; (void)g; (void)res;
    return status;
#endif
}

static int mpi_finish(const mpi_ctx *m, int status)
{
#ifdef HWNAS_MPI
    if (m->on) MPI_Finalize();
#else
    (void)m;
#endif
    return status;
}

/* Creates the directories of the runs this process will run; the output
 * directory is part of the input (--out or "output"): exit 2 on failure. */
static int make_dirs(const hw_grid *g, const run_args *a, const hw_run_result *res, int si, int sc, hw_err *e)
{
    for (size_t c = 0; c < g->n_cells; c++) {
        int any = 0;
        for (size_t s = 0; s < g->n_seeds && !any; s++) {
            size_t k = c * g->n_seeds + s;
            any = res[k].status == HW_RUN_PENDING && hw_grid_in_shard(k, si, sc);
        }
        if (!any) continue;
        int rc = hw_run_make_dir(&g->cells[c].cfg, e);
        if (rc) {
            if (a->ov.out) hw_err_prefix(e, "run_experiment: --out");
            else hw_err_prefix(e, "%s: output", g->file);
            return rc;
        }
    }
    return HW_OK;
}

int main(int argc, char **argv)
{
    mpi_ctx mpi;
    mpi_start(&argc, &argv, &mpi);
    run_args a;
    int done = 0;
    int status = parse_args(argc, argv, &a, &done);
    if (done) return mpi_finish(&mpi, status);
    if (mpi.on && a.shard_count) {
        if (mpi.rank == 0) fprintf(stderr, "run_experiment: --shard: not under mpirun (the ranks are the shards)\n");
        return mpi_finish(&mpi, 2);
    }
    int si = mpi.on ? mpi.rank : a.shard_index, sc = mpi.on ? mpi.size : a.shard_count;
    int speak = mpi.rank == 0; /* under MPI only rank 0 prints the plan, the result and input errors */
    /* the ranks of a node share its cores, unless OMP_NUM_THREADS says how many each takes */
    if (mpi.on && !getenv("OMP_NUM_THREADS")) a.ov.share_cores = mpi.node_size;

    hw_grid g;
    hw_err e = {0};
    int rc = hw_grid_load(a.file, &a.ov, &g, &e);
    if (rc) {
        if (speak) fprintf(stderr, "%s\n", e.msg);
        return mpi_finish(&mpi, rc == HW_ENOMEM ? 1 : 2);
    }
    /* Paths and the state of existing logs, still before writing anything. */
    hw_run_result *res = calloc(g.n_runs, sizeof *res);
    if (!res) { fprintf(stderr, "run_experiment: out of memory\n"); hw_grid_free(&g); return mpi_finish(&mpi, 1); }
    if ((rc = hw_grid_plan(&g, a.force, res, &e))) {
        if (speak) fprintf(stderr, "%s\n", e.msg);
        hw_run_results_free(res, g.n_runs); hw_grid_free(&g);
        return mpi_finish(&mpi, rc == HW_ENOMEM ? 1 : 2);
    }
    if (a.dry_run || a.summary_only) {
        if (speak && a.dry_run && !a.quiet) print_plan(&g, res, si, sc);
        if (speak && a.summary_only && !a.quiet) print_human(&g, res, 0, 1);
        if (speak) print_result(&g, res, a.dry_run ? si : 0, a.dry_run ? sc : 1);
        hw_run_results_free(res, g.n_runs); hw_grid_free(&g);
        return mpi_finish(&mpi, speak ? close_stdout(0) : 0);
    }
    if ((rc = make_dirs(&g, &a, res, si, sc, &e))) {
        fprintf(stderr, "%s\n", e.msg);
        hw_run_results_free(res, g.n_runs); hw_grid_free(&g);
        return mpi_finish(&mpi, rc == HW_ENOMEM ? 1 : 2);
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (mpi.on && !a.quiet)
        fprintf(stderr, "run_experiment: rank %d of %d: %d thread%s (%d rank%s on this node)\n", mpi.rank, mpi.size,
                g.threads, g.threads == 1 ? "" : "s", mpi.node_size, mpi.node_size == 1 ? "" : "s");
    hw_run_options opt = {a.force, a.quiet || mpi.on, &stop_signal, NULL, 0};
    status = 0;
    if ((rc = hw_grid_run(&g, &opt, si, sc, res, &e))) {
        fprintf(stderr, "%s\n", e.msg);
        status = 1;
    }
    int sig = stop_signal;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    char label[512];
    for (size_t k = 0; k < g.n_runs; k++)
        if (res[k].status == HW_RUN_LOCKED) { /* another process runs it: said always, even with --quiet */
            if (g.is_grid) run_label(&g, k, &res[k], label, sizeof label);
            else snprintf(label, sizeof label, "seed %llu", (unsigned long long)res[k].seed);
            fprintf(stderr, "%s: %s: %s; not run here\n", g.file, label, res[k].note ? res[k].note : "locked");
            if (!status) status = 1;
        }
    if (sig && !status) status = 128 + sig;
    /* under MPI: every rank's results to rank 0, which prints them all */
    status = mpi_gather(&mpi, &g, res, status);
    int shown_i = mpi.on ? 0 : si, shown_k = mpi.on ? 1 : sc;
    if (speak) {
        if (!a.quiet) print_human(&g, res, shown_i, shown_k);
        print_result(&g, res, shown_i, shown_k);
    }
    hw_run_results_free(res, g.n_runs);
    hw_grid_free(&g);
    return mpi_finish(&mpi, speak ? close_stdout(status) : status);
}
