/* runner/runner.c — the run_experiment program (see runner/runner.h).
 *
 * Phases, in order:
 *   1. parse the command line and the config, and validate ALL of it (the
 *      problem and optimizer configs by building them once, the reference
 *      point against the problem's objectives, the state of existing logs)
 *      before anything is written: a bad config exits 2 with one line on
 *      stderr and leaves no output behind;
 *   2. for each seed: skip it when its log is complete and was written by the
 *      same config, else run ask -> evaluate (OpenMP, one problem->evaluate
 *      call per genome) -> log -> tell until the budget is spent;
 *   3. print one JSON object on stdout (last line) and a human summary on
 *      stderr.
 *
 * Output layout: <output>/<name>/seed_<seed>.jsonl, one JSON Lines log per
 * seed.  Line 1 is the run's metadata, then one line per evaluation in
 * evaluation order, then one summary line ({"summary": true, ...}).  A run
 * is written to seed_<seed>.jsonl.tmp and renamed to seed_<seed>.jsonl only
 * after its summary line is on disk, so a .jsonl file is always complete; an
 * interrupted run leaves only the .tmp file (no summary), which a rerun
 * redoes from the start.
 *
 * Determinism: the optimizer draws from (seed, HW_STREAM_OPTIMIZER) and each
 * evaluation from hw_rng_eval(seed, eval id), and lines are written in eval
 * order after the batch, so logs are identical at any thread count apart from
 * the fields wall_s, threads, host, started_at and finished_at. */
#include "runner/runner.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchmark/problem.h"
#include "core/json.h"
#include "core/util.h"
#include "indicators/indicators.h"
#include "optimizers/optimizer.h"

#ifndef HWNAS_GIT_COMMIT
#define HWNAS_GIT_COMMIT "unknown"
#endif

#define RUNNER_DEFAULT_BATCH 64
#define RUNNER_MAX_BUDGET 1000000000LL
#define RUNNER_MAX_THREADS 4096
/* 2^53 - 1: JSON numbers are doubles, and every larger integer rounds to a
 * double >= 2^53, so no seed is silently read as a neighbouring one. */
#define RUNNER_MAX_SEED 9007199254740991LL
#define RUNNER_TRUE_FRONT_POINTS 1000
#define RUNNER_LOG_BUFFER (1 << 20)
#define RUNNER_PATH_LEN 4096
/* A batch is evaluated in parallel only when the previous one took at least
 * this much evaluation work (the first batch always is): for cheap problems
 * (ZDT, analytic metrics) starting a parallel region costs more than it
 * saves, and far more on a busy machine.  Results never depend on it. */
#define RUNNER_PARALLEL_MIN_WORK 1e-3

/* The runner's one piece of mutable global state: the number of the signal
 * (SIGINT or SIGTERM) that asked the run to stop, 0 while none has.  A signal
 * handler can do nothing else portably (it may only write a volatile
 * sig_atomic_t); the evaluation loop reads it between batches, and the
 * handlers are installed only while seeds are running. */
static volatile sig_atomic_t runner_stop_signal = 0;

static void runner_on_signal(int sig) { runner_stop_signal = sig; }

/* Growable text buffer for building JSON lines ------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} strbuf;

static int sb_reserve(strbuf *b, size_t extra)
{
    if (b->oom) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) { b->oom = 1; return 0; }
    b->p = np;
    b->cap = cap;
    return 1;
}

static void sb_put(strbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_putc(strbuf *b, char c) { sb_put(b, &c, 1); }

static void sb_double(strbuf *b, double v)
{
    if (!sb_reserve(b, 48)) return;
    int n = hwj_format_double(b->p + b->len, 48, v);
    b->len += (size_t)n;
}

static void sb_u64(strbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    if (!sb_reserve(b, (size_t)n)) return;
    while (n) b->p[b->len++] = tmp[--n];
    b->p[b->len] = 0;
}

/* Seconds with microsecond resolution ("0.002134"), without printf. */
static void sb_seconds(strbuf *b, double s)
{
    if (!(s >= 0) || s > 1e12) s = 0;
    uint64_t us = (uint64_t)llround(s * 1e6);
    sb_u64(b, us / 1000000);
    char frac[8];
    uint64_t f = us % 1000000;
    for (int i = 5; i >= 0; i--) { frac[1 + i] = (char)('0' + f % 10); f /= 10; }
    frac[0] = '.';
    sb_put(b, frac, 7);
}

/* A JSON string literal with the required escapes. */
static void sb_str(strbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_putc(b, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') { sb_putc(b, '\\'); sb_putc(b, (char)*c); }
        else if (*c == '\n') sb_puts(b, "\\n");
        else if (*c == '\t') sb_puts(b, "\\t");
        else if (*c == '\r') sb_puts(b, "\\r");
        else if (*c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15]};
            sb_put(b, u, 6);
        } else sb_putc(b, (char)*c);
    }
    sb_putc(b, '"');
}

static void sb_doubles(strbuf *b, const double *v, size_t n)
{
    sb_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) sb_putc(b, ',');
        sb_double(b, v[i]);
    }
    sb_putc(b, ']');
}

static void sb_strs(strbuf *b, const char *const *v, size_t n)
{
    sb_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) sb_putc(b, ',');
        sb_str(b, v[i]);
    }
    sb_putc(b, ']');
}

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Command line and config ------------------------------------------------ */

typedef struct {
    const char *file;
    int has_seed;
    uint64_t seed;
    const char *out;
    int threads; /* 0 = not given */
    int quiet, force, dry_run;
} run_args;

typedef struct {
    const char *file;
    cJSON *root;
    const char *name;
    const cJSON *problem_cfg, *optimizer_cfg;
    const hw_optimizer_ops *ops;
    long long budget;
    uint64_t *seeds;
    size_t n_seeds;
    double *ref; /* n_obj values in the indicator space; NULL = problem's default */
    int n_obj;
    int threads;
    const char *output;
} run_config;

typedef struct {
    uint64_t seed;
    char log[RUNNER_PATH_LEN];
    int status; /* RUN_PENDING, RUN_SKIP (complete log of this config), RUN_DONE, RUN_STOPPED */
    long long evaluations;
    size_t front_size;
    double hv, wall_s;
} run_result;

enum { RUN_PENDING = 0, RUN_SKIP = 1, RUN_DONE = 2, RUN_STOPPED = 3 };

static const char *const RUN_STATUS[] = {"pending", "skipped", "done", "interrupted"};

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
            "  --threads N  evaluation threads (overrides \"threads\"; default: all cores)\n"
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
                a->out = val;
            } else if (strcmp(s, "--seed") == 0) {
                if (!parse_count(val, 0, RUNNER_MAX_SEED, &v)) {
                    fprintf(stderr, "run_experiment: --seed: expected an integer in [0, 2^53 - 1], got '%s'\n", val);
                    *done = 1; return 2;
                }
                a->has_seed = 1; a->seed = (uint64_t)v;
            } else {
                if (!parse_count(val, 1, RUNNER_MAX_THREADS, &v)) {
                    fprintf(stderr, "run_experiment: --threads: expected an integer in [1, %d], got '%s'\n",
                            RUNNER_MAX_THREADS, val);
                    *done = 1; return 2;
                }
                a->threads = (int)v;
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

static int check_name(const char *name, hw_err *e)
{
    size_t n = strlen(name);
    int ok = n > 0 && n <= 200 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
             c == '-' || c == '.';
    }
    char shown[72];
    hwj_abbrev(shown, sizeof shown, name);
    if (!ok)
        return hw_fail(e, HW_EINVAL,
                       "name: expected 1-200 letters, digits, '_', '-' or '.' (it names the output directory), got '%s'",
                       shown);
    return HW_OK;
}

static int parse_seeds(const cJSON *root, run_config *c, hw_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (!v) return hw_fail(e, HW_EINVAL, "seeds: required key is missing (or pass --seed N)");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return hw_fail(e, HW_EINVAL, "seeds: expected a non-empty array of non-negative integers");
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    c->seeds = malloc(n * sizeof *c->seeds);
    if (!c->seeds) return hw_fail(e, HW_ENOMEM, "seeds: out of memory");
    for (const cJSON *s = v->child; s; s = s->next, i++) {
        double d = cJSON_IsNumber(s) ? s->valuedouble : NAN;
        if (!cJSON_IsNumber(s) || !isfinite(d) || d != floor(d) || d < 0 || d > (double)RUNNER_MAX_SEED)
            return hw_fail(e, HW_EINVAL, "seeds[%zu]: expected an integer in [0, 2^53 - 1]", i);
        c->seeds[i] = (uint64_t)d;
        for (size_t j = 0; j < i; j++)
            if (c->seeds[j] == c->seeds[i])
                return hw_fail(e, HW_EINVAL, "seeds[%zu]: duplicate seed %llu", i, (unsigned long long)c->seeds[i]);
    }
    c->n_seeds = n;
    return HW_OK;
}

static void config_free(run_config *c)
{
    cJSON_Delete(c->root);
    free(c->seeds);
    free(c->ref);
    memset(c, 0, sizeof *c);
}

/* Everything except the problem and optimizer (those need a seed). */
static int config_parse(const run_args *a, run_config *c, hw_err *e)
{
    static const char *const keys[] = {"name", "description", "problem", "optimizer", "budget", "seeds",
                                       "reference_point", "threads", "output", NULL};
    static const char *const budget_keys[] = {"evaluations", NULL};
    memset(c, 0, sizeof *c);
    c->file = a->file;
    struct stat st;
    if (stat(a->file, &st) == 0 && S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a JSON config file", a->file);
    int rc = hwj_load_file(a->file, &c->root, e);
    if (rc) return rc; /* the message already names the file */
    const cJSON *root = c->root;
    const cJSON *budget = NULL;
    const char *desc = NULL;
    long long threads = 0;
    c->output = "results";
    if ((rc = hwj_check_keys(root, "", keys, e)) ||
        (rc = hwj_get_string(root, "", "name", 1, &c->name, e)) ||
        (rc = check_name(c->name, e)) ||
        (rc = hwj_get_string(root, "", "description", 0, &desc, e)) ||
        (rc = hwj_get_object(root, "", "problem", 1, &c->problem_cfg, e)) ||
        (rc = hwj_get_object(root, "", "optimizer", 1, &c->optimizer_cfg, e)) ||
        (rc = hwj_get_object(root, "", "budget", 1, &budget, e)) ||
        (rc = hwj_check_keys(budget, "budget", budget_keys, e)) ||
        (rc = hwj_get_int(budget, "budget", "evaluations", 1, 1, RUNNER_MAX_BUDGET, &c->budget, e)) ||
        (rc = hwj_get_int(root, "", "threads", 0, 1, RUNNER_MAX_THREADS, &threads, e)) ||
        (rc = hwj_get_string(root, "", "output", 0, &c->output, e)))
        goto fail;
    if (!*c->output) { rc = hw_fail(e, HW_EINVAL, "output: expected a directory name, got an empty string"); goto fail; }
    if (cJSON_GetObjectItemCaseSensitive(root, "seeds") || !a->has_seed)
        if ((rc = parse_seeds(root, c, e))) goto fail;
    if (a->has_seed) {
        free(c->seeds);
        c->seeds = malloc(sizeof *c->seeds);
        if (!c->seeds) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto fail; }
        c->seeds[0] = a->seed;
        c->n_seeds = 1;
    }
    const char *opt_name = NULL;
    if ((rc = hwj_get_string(c->optimizer_cfg, "optimizer", "name", 1, &opt_name, e))) goto fail;
    c->ops = hw_optimizer_find(opt_name);
    if (!c->ops) {
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; hw_optimizer_at(i) && used < sizeof list - 64; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", hw_optimizer_at(i)->name);
        char shown[72];
        hwj_abbrev(shown, sizeof shown, opt_name);
        rc = hw_fail(e, HW_EINVAL, "optimizer.name: unknown optimizer '%s' (known: %s)", shown, list);
        goto fail;
    }
    c->threads = a->threads ? a->threads : threads ? (int)threads : omp_get_max_threads();
    if (c->threads < 1) c->threads = 1;
    if (a->out) c->output = a->out;
    return HW_OK;
fail:
    hw_err_prefix(e, "%s", a->file);
    return rc;
}

/* Builds the problem and the optimizer once with the first seed: they check
 * their own configs.  Then checks the reference point against the problem. */
static int config_check_components(run_config *c, hw_err *e)
{
    hw_problem *p = NULL;
    int rc = hw_problem_create(c->problem_cfg, "problem", &p, e);
    if (rc) goto fail;
    c->n_obj = p->n_obj;
    size_t n_ref = 0;
    if (cJSON_GetObjectItemCaseSensitive(c->root, "reference_point")) {
        rc = hwj_get_double_array(c->root, "", "reference_point", 1, (size_t)p->n_obj, (size_t)p->n_obj,
                                  -1e300, 1e300, &c->ref, &n_ref, e);
        if (rc) goto fail;
    } else if (!p->default_ref) {
        rc = hw_fail(e, HW_EINVAL, "reference_point: required key is missing (problem '%s' defines no default)",
                     p->name);
        goto fail;
    }
    hw_optimizer *o = NULL;
    rc = hw_optimizer_create(c->ops, p, c->optimizer_cfg, "optimizer", c->seeds[0], &o, e);
    if (rc) goto fail;
    hw_optimizer_destroy(o);
    hw_problem_destroy(p);
    return HW_OK;
fail:
    if (p) hw_problem_destroy(p);
    hw_err_prefix(e, "%s", c->file);
    return rc;
}

/* Existing logs ---------------------------------------------------------- */

/* The part of a config that determines a run's results: all of it except
 * the keys that only choose which runs happen, where, and how fast. */
static cJSON *config_identity(const cJSON *cfg)
{
    cJSON *d = cJSON_Duplicate(cfg, 1);
    if (!d) return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(d, "seeds");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "threads");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "output");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "description");
    return d;
}

enum { LOG_ABSENT = 0, LOG_INCOMPLETE = 1, LOG_COMPLETE_SAME = 2, LOG_COMPLETE_OTHER = 3 };

/* Classifies the log at path; fills r's figures from a complete log's summary. */
static int log_state(const char *path, const run_config *c, uint64_t seed, run_result *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) return LOG_ABSENT;
    char *line = NULL, *last = NULL;
    size_t cap = 0, last_cap = 0;
    ssize_t len;
    cJSON *meta = NULL;
    int first = 1;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (first) {
            meta = cJSON_Parse(line);
            first = 0;
            continue;
        }
        if ((size_t)len + 1 > last_cap) {
            char *nl = realloc(last, (size_t)len + 1);
            if (!nl) break;
            last = nl;
            last_cap = (size_t)len + 1;
        }
        memcpy(last, line, (size_t)len + 1);
    }
    fclose(f);
    free(line);
    int state = LOG_INCOMPLETE;
    cJSON *sum = last ? cJSON_Parse(last) : NULL;
    free(last);
    if (meta && sum && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "summary"))) {
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(meta, "config");
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(meta, "seed");
        cJSON *a = mc ? config_identity(mc) : NULL, *b = config_identity(c->root);
        int same = a && b && cJSON_Compare(a, b, 1) && cJSON_IsNumber(ms) && ms->valuedouble == (double)seed;
        cJSON_Delete(a);
        cJSON_Delete(b);
        state = same ? LOG_COMPLETE_SAME : LOG_COMPLETE_OTHER;
        const cJSON *v;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, "evaluations")) && cJSON_IsNumber(v))
            r->evaluations = (long long)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, "front")) && cJSON_IsArray(v))
            r->front_size = (size_t)cJSON_GetArraySize(v);
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, "hypervolume")) && cJSON_IsNumber(v)) r->hv = v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, "wall_s")) && cJSON_IsNumber(v)) r->wall_s = v->valuedouble;
    }
    cJSON_Delete(meta);
    cJSON_Delete(sum);
    return state;
}

/* One run ---------------------------------------------------------------- */

typedef struct {
    hw_problem *p;
    hw_optimizer *opt;
    const double *ref;
    size_t batch;
    /* batch buffers */
    double *x, *f, *f_std, *t_end;
    hw_eval_id *ids;
    int *rc;
    /* non-dominated archive of everything evaluated so far (eval order) */
    double *front_f, *front_x;
    uint64_t *front_id;
    size_t n_front, cap_front;
    unsigned char *keep;
    /* seconds of evaluation work in the last batch (summed over genomes) */
    double last_work;
} run_state;

static void run_state_free(run_state *s)
{
    hw_optimizer_destroy(s->opt);
    if (s->p) hw_problem_destroy(s->p);
    free(s->x); free(s->f); free(s->f_std); free(s->t_end); free(s->ids); free(s->rc);
    free(s->front_f); free(s->front_x); free(s->front_id); free(s->keep);
    memset(s, 0, sizeof *s);
}

/* Merges the batch into the archive and keeps its non-dominated points
 * (archive first, so of equal points the earliest evaluation stays). */
static int front_update(run_state *s, size_t n, hw_err *e)
{
    const int d = s->p->n_obj, nv = s->p->n_var;
    size_t total = s->n_front + n;
    if (total > s->cap_front) {
        size_t cap = s->cap_front ? s->cap_front : 256;
        while (cap < total) cap *= 2;
        double *ff = realloc(s->front_f, cap * (size_t)d * sizeof *ff);
        if (ff) s->front_f = ff;
        double *fx = realloc(s->front_x, cap * (size_t)nv * sizeof *fx);
        if (fx) s->front_x = fx;
        uint64_t *fi = realloc(s->front_id, cap * sizeof *fi);
        if (fi) s->front_id = fi;
        unsigned char *k = realloc(s->keep, cap);
        if (k) s->keep = k;
        if (!ff || !fx || !fi || !k) return hw_fail(e, HW_ENOMEM, "out of memory (front of %zu points)", total);
        s->cap_front = cap;
    }
    memcpy(s->front_f + s->n_front * (size_t)d, s->f, n * (size_t)d * sizeof(double));
    memcpy(s->front_x + s->n_front * (size_t)nv, s->x, n * (size_t)nv * sizeof(double));
    for (size_t i = 0; i < n; i++) s->front_id[s->n_front + i] = s->ids[i].index;
    size_t kept = hw_nondominated(s->front_f, total, d, s->keep);
    if (kept == (size_t)-1) return hw_fail(e, HW_ENOMEM, "out of memory (non-dominated filter)");
    size_t j = 0;
    for (size_t i = 0; i < total; i++) {
        if (!s->keep[i]) continue;
        if (j != i) {
            memmove(s->front_f + j * (size_t)d, s->front_f + i * (size_t)d, (size_t)d * sizeof(double));
            memmove(s->front_x + j * (size_t)nv, s->front_x + i * (size_t)nv, (size_t)nv * sizeof(double));
            s->front_id[j] = s->front_id[i];
        }
        j++;
    }
    s->n_front = j;
    return HW_OK;
}

/* Objectives mapped to the indicator space: (f - lo) / (hi - lo) when the
 * problem defines normalisation bounds, else unchanged. */
static void normalise(const hw_problem *p, const double *f, size_t n, double *out)
{
    const int d = p->n_obj;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < d; k++) {
            double v = f[i * (size_t)d + k];
            out[i * (size_t)d + k] = p->obj_lo && p->obj_hi ? (v - p->obj_lo[k]) / (p->obj_hi[k] - p->obj_lo[k]) : v;
        }
}

static void write_meta(strbuf *b, const run_config *c, const run_state *s, uint64_t seed, int threads)
{
    const hw_problem *p = s->p;
    char host[256] = "unknown", when[32];
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = 0;
    utc_now(when, sizeof when);
    char *cfg = cJSON_PrintUnformatted(c->root);
    sb_puts(b, "{\"name\":");
    sb_str(b, c->name);
    sb_puts(b, ",\"config\":");
    sb_puts(b, cfg ? cfg : "null");
    free(cfg);
    sb_puts(b, ",\"seed\":");
    sb_u64(b, seed);
    sb_puts(b, ",\"problem\":");
    sb_str(b, p->name);
    sb_puts(b, ",\"n_var\":");
    sb_u64(b, (uint64_t)p->n_var);
    sb_puts(b, ",\"objectives\":");
    sb_strs(b, p->obj_names, (size_t)p->n_obj);
    sb_puts(b, ",\"optimizer\":");
    sb_str(b, c->ops->name);
    sb_puts(b, ",\"budget\":");
    sb_u64(b, (uint64_t)c->budget);
    sb_puts(b, ",\"batch_size\":");
    sb_u64(b, s->batch);
    sb_puts(b, ",\"reference_point\":");
    sb_doubles(b, s->ref, (size_t)p->n_obj);
    if (p->obj_lo && p->obj_hi) {
        sb_puts(b, ",\"obj_lo\":");
        sb_doubles(b, p->obj_lo, (size_t)p->n_obj);
        sb_puts(b, ",\"obj_hi\":");
        sb_doubles(b, p->obj_hi, (size_t)p->n_obj);
    }
    sb_puts(b, ",\"version\":");
    sb_str(b, HWNAS_VERSION);
    sb_puts(b, ",\"git_commit\":");
    sb_str(b, HWNAS_GIT_COMMIT);
    sb_puts(b, ",\"threads\":");
    sb_u64(b, (uint64_t)threads);
    sb_puts(b, ",\"host\":");
    sb_str(b, host);
    sb_puts(b, ",\"started_at\":");
    sb_str(b, when);
    sb_puts(b, "}\n");
}

static int describe_into(const hw_problem *p, const double *x, char *buf, size_t n, hw_err *e)
{
    int len = p->describe(p, x, buf, n);
    if (len < 0 || (size_t)len >= n) return hw_fail(e, HW_ESTATE, "%s: cannot describe a genome", p->name);
    return HW_OK;
}

static int write_summary(strbuf *b, run_state *s, long long evals, double wall, hw_err *e)
{
    const hw_problem *p = s->p;
    const int d = p->n_obj, nv = p->n_var;
    const size_t nf = s->n_front;
    char desc[4096];
    sb_puts(b, "{\"summary\":true,\"evaluations\":");
    sb_u64(b, (uint64_t)evals);
    sb_puts(b, ",\"front\":[");
    for (size_t i = 0; i < nf; i++) {
        if (i) sb_putc(b, ',');
        sb_doubles(b, s->front_f + i * (size_t)d, (size_t)d);
    }
    sb_puts(b, "],\"front_eval\":[");
    for (size_t i = 0; i < nf; i++) {
        if (i) sb_putc(b, ',');
        sb_u64(b, s->front_id[i]);
    }
    sb_puts(b, p->describe ? "],\"front_arch\":[" : "],\"front_x\":[");
    for (size_t i = 0; i < nf; i++) {
        if (i) sb_putc(b, ',');
        if (p->describe) {
            int rc = describe_into(p, s->front_x + i * (size_t)nv, desc, sizeof desc, e);
            if (rc) return rc;
            sb_str(b, desc);
        } else
            sb_doubles(b, s->front_x + i * (size_t)nv, (size_t)nv);
    }
    sb_putc(b, ']');

    double *norm = malloc((nf ? nf : 1) * (size_t)d * sizeof *norm);
    if (!norm) return hw_fail(e, HW_ENOMEM, "out of memory");
    normalise(p, s->front_f, nf, norm);
    double hv = 0;
    int rc = hw_hypervolume(norm, nf, d, s->ref, &hv, e);
    if (rc) { free(norm); return rc; }
    sb_puts(b, ",\"hypervolume\":");
    sb_double(b, hv);
    if (p->true_front_hv) {
        double hv_true = p->true_front_hv(p, s->ref);
        if (hv_true >= 0) {
            sb_puts(b, ",\"hypervolume_true\":");
            sb_double(b, hv_true);
        }
    }
    if (p->true_front && nf > 0) {
        double *tf = NULL;
        size_t ntf = 0;
        rc = p->true_front(p, RUNNER_TRUE_FRONT_POINTS, &tf, &ntf, e);
        if (rc == HW_OK && ntf > 0) {
            double igd = 0, igd_plus = 0;
            normalise(p, tf, ntf, tf);
            rc = hw_igd(tf, ntf, norm, nf, d, &igd, &igd_plus, e);
            if (rc == HW_OK) {
                sb_puts(b, ",\"igd\":");
                sb_double(b, igd);
                sb_puts(b, ",\"igd_plus\":");
                sb_double(b, igd_plus);
            }
        }
        free(tf);
        if (rc) { free(norm); return rc; }
    }
    free(norm);
    char when[32];
    utc_now(when, sizeof when);
    sb_puts(b, ",\"finished_at\":");
    sb_str(b, when);
    sb_puts(b, ",\"wall_s\":");
    sb_seconds(b, wall);
    sb_puts(b, "}\n");
    return HW_OK;
}

static int flush_buf(FILE *f, strbuf *b, const char *path, hw_err *e)
{
    if (b->oom) return hw_fail(e, HW_ENOMEM, "%s: out of memory while formatting the log", path);
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
        return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    b->len = 0;
    if (fflush(f) != 0) return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    return HW_OK;
}

/* Evaluates x[0..n) in parallel; on failure reports the first failing genome
 * (in eval order, re-evaluated serially so the message is deterministic). */
static int evaluate_batch(run_state *s, size_t n, int threads, double t0, hw_err *e)
{
    hw_problem *p = s->p;
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    long nn = (long)n;
    int failed = 0;
    double work = 0;
    memset(s->f_std, 0, n * d * sizeof *s->f_std); /* a problem may leave it untouched */
    int parallel = threads > 1 && n > 1 && s->last_work >= RUNNER_PARALLEL_MIN_WORK;
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (parallel) reduction(| : failed) reduction(+ : work)
    for (long i = 0; i < nn; i++) {
        hw_err local;
        double t_begin = hw_now();
        s->rc[i] = p->evaluate(p, s->x + (size_t)i * nv, s->ids + i, 1, s->f + (size_t)i * d, s->f_std + (size_t)i * d,
                               &local);
        double t = hw_now();
        s->t_end[i] = t - t0;
        work += t - t_begin;
        if (s->rc[i]) failed = 1;
    }
    s->last_work = work;
    if (!failed) {
        for (size_t i = 0; i < n * d; i++)
            if (!isfinite(s->f[i]) || !isfinite(s->f_std[i]))
                return hw_fail(e, HW_ESTATE, "evaluation %llu: %s returned a non-finite objective",
                               (unsigned long long)s->ids[i / d].index, p->name);
        return HW_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s->rc[i]) continue;
        int rc = p->evaluate(p, s->x + i * nv, s->ids + i, 1, s->f + i * d, s->f_std + i * d, e);
        if (!rc) rc = hw_fail(e, s->rc[i], "%s: evaluation failed", p->name);
        hw_err_prefix(e, "evaluation %llu", (unsigned long long)s->ids[i].index);
        return rc;
    }
    return HW_OK;
}

static void format_evals(strbuf *b, const run_state *s, size_t n, char *desc, size_t desc_n, hw_err *e, int *rc)
{
    const hw_problem *p = s->p;
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    for (size_t i = 0; i < n; i++) {
        sb_puts(b, "{\"eval\":");
        sb_u64(b, s->ids[i].index);
        sb_puts(b, ",\"wall_s\":");
        sb_seconds(b, s->t_end[i]);
        if (p->describe) {
            if ((*rc = describe_into(p, s->x + i * nv, desc, desc_n, e))) return;
            sb_puts(b, ",\"arch\":");
            sb_str(b, desc);
        } else {
            sb_puts(b, ",\"x\":");
            sb_doubles(b, s->x + i * nv, nv);
        }
        sb_puts(b, ",\"f\":");
        sb_doubles(b, s->f + i * d, d);
        sb_puts(b, ",\"f_std\":");
        sb_doubles(b, s->f_std + i * d, d);
        sb_puts(b, "}\n");
    }
}

static int run_one(const run_config *c, run_result *r, const char *tmp, int quiet, hw_err *e)
{
    run_state s;
    memset(&s, 0, sizeof s);
    s.last_work = RUNNER_PARALLEL_MIN_WORK;
    strbuf b = {0};
    FILE *f = NULL;
    char *fbuf = NULL;
    char desc[4096];
    const double t0 = hw_now();
    int rc = hw_problem_create(c->problem_cfg, "problem", &s.p, e);
    if (rc) goto done;
    rc = hw_optimizer_create(c->ops, s.p, c->optimizer_cfg, "optimizer", r->seed, &s.opt, e);
    if (rc) goto done;
    s.ref = c->ref ? c->ref : s.p->default_ref;
    size_t pref = hw_optimizer_batch_size(s.opt);
    s.batch = pref ? pref : RUNNER_DEFAULT_BATCH;
    if ((long long)s.batch > c->budget) s.batch = (size_t)c->budget;
    const size_t nv = (size_t)s.p->n_var, d = (size_t)s.p->n_obj;
    s.x = malloc(s.batch * nv * sizeof *s.x);
    s.f = malloc(s.batch * d * sizeof *s.f);
    s.f_std = malloc(s.batch * d * sizeof *s.f_std);
    s.t_end = malloc(s.batch * sizeof *s.t_end);
    s.ids = malloc(s.batch * sizeof *s.ids);
    s.rc = malloc(s.batch * sizeof *s.rc);
    fbuf = malloc(RUNNER_LOG_BUFFER);
    if (!s.x || !s.f || !s.f_std || !s.t_end || !s.ids || !s.rc || !fbuf) {
        rc = hw_fail(e, HW_ENOMEM, "out of memory (batch of %zu)", s.batch);
        goto done;
    }
    f = fopen(tmp, "wb");
    if (!f) { rc = hw_fail(e, HW_EIO, "%s: cannot create: %s", tmp, strerror(errno)); goto done; }
    setvbuf(f, fbuf, _IOFBF, RUNNER_LOG_BUFFER);
    write_meta(&b, c, &s, r->seed, c->threads);
    if ((rc = flush_buf(f, &b, tmp, e))) goto done;

    hw_progress prog;
    hw_progress_init(&prog, quiet);
    char label[256];
    snprintf(label, sizeof label, "%s seed %llu", c->name, (unsigned long long)r->seed);
    long long evals = 0;
    while (evals < c->budget) {
        if (runner_stop_signal) { r->status = RUN_STOPPED; break; }
        size_t max_n = (size_t)(c->budget - evals) < s.batch ? (size_t)(c->budget - evals) : s.batch, n = 0;
        if ((rc = hw_optimizer_ask(s.opt, s.x, max_n, &n, e))) goto done;
        if (n == 0) break; /* the optimizer has finished */
        for (size_t i = 0; i < n; i++) s.ids[i] = (hw_eval_id){r->seed, (uint64_t)evals + i};
        if ((rc = evaluate_batch(&s, n, c->threads, t0, e))) goto done;
        format_evals(&b, &s, n, desc, sizeof desc, e, &rc);
        if (rc) goto done;
        if ((rc = flush_buf(f, &b, tmp, e))) goto done;
        if ((rc = front_update(&s, n, e))) goto done;
        if ((rc = hw_optimizer_tell(s.opt, s.x, s.f, n, e))) goto done;
        evals += (long long)n;
        hw_progress_update(&prog, label, (size_t)evals, (size_t)c->budget);
    }
    hw_progress_done(&prog);
    r->evaluations = evals;
    r->front_size = s.n_front;
    if (r->status == RUN_STOPPED) goto done; /* leave the .tmp file without a summary */
    double wall = hw_now() - t0;
    if ((rc = write_summary(&b, &s, evals, wall, e))) goto done;
    if ((rc = flush_buf(f, &b, tmp, e))) goto done;
    if (fsync(fileno(f)) != 0 && errno != EINVAL) {
        rc = hw_fail(e, HW_EIO, "%s: cannot sync: %s", tmp, strerror(errno));
        goto done;
    }
    /* the hypervolume as written (re-read from the line would be identical) */
    {
        double *norm = malloc((s.n_front ? s.n_front : 1) * d * sizeof *norm);
        if (!norm) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto done; }
        normalise(s.p, s.front_f, s.n_front, norm);
        rc = hw_hypervolume(norm, s.n_front, (int)d, s.ref, &r->hv, e);
        free(norm);
        if (rc) goto done;
    }
    r->wall_s = wall;
    r->status = RUN_DONE;
done:
    if (f && fclose(f) != 0 && rc == HW_OK) rc = hw_fail(e, HW_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    if (rc == HW_OK && r->status == RUN_DONE && rename(tmp, r->log) != 0)
        rc = hw_fail(e, HW_EIO, "%s: cannot rename to %s: %s", tmp, r->log, strerror(errno));
    free(fbuf);
    free(b.p);
    run_state_free(&s);
    return rc;
}

/* The program ------------------------------------------------------------ */

/* 1 when path exists and is something other than a regular file (a
 * directory where a log should go). */
static int not_a_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static void print_result(const run_config *c, const run_result *res, size_t n_res, int dry_run)
{
    strbuf b = {0};
    sb_puts(&b, "{\"name\":");
    sb_str(&b, c->name);
    sb_puts(&b, ",\"runs\":[");
    for (size_t i = 0; i < n_res; i++) {
        const run_result *r = &res[i];
        if (r->status == RUN_PENDING && !dry_run) continue;
        if (b.len && b.p[b.len - 1] == '}') sb_putc(&b, ',');
        sb_puts(&b, "{\"seed\":");
        sb_u64(&b, r->seed);
        sb_puts(&b, ",\"status\":");
        sb_str(&b, RUN_STATUS[r->status]);
        sb_puts(&b, ",\"evaluations\":");
        sb_u64(&b, (uint64_t)r->evaluations);
        sb_puts(&b, ",\"front_size\":");
        sb_u64(&b, r->front_size);
        sb_puts(&b, ",\"hypervolume\":");
        if (r->status == RUN_STOPPED || r->status == RUN_PENDING) sb_puts(&b, "null");
        else sb_double(&b, r->hv);
        sb_puts(&b, ",\"wall_s\":");
        sb_seconds(&b, r->wall_s);
        sb_puts(&b, ",\"log\":");
        sb_str(&b, r->log);
        sb_putc(&b, '}');
    }
    sb_puts(&b, "]}\n");
    if (!b.oom) fputs(b.p, stdout);
    fflush(stdout);
    free(b.p);
}

int hw_run_experiment_main(int argc, char **argv)
{
    run_args a;
    int done = 0;
    int status = parse_args(argc, argv, &a, &done);
    if (done) return status;

    run_config c;
    hw_err e = {0};
    int rc = config_parse(&a, &c, &e);
    if (!rc) rc = config_check_components(&c, &e);
    if (rc) {
        fprintf(stderr, "%s\n", e.msg);
        config_free(&c);
        return rc == HW_ENOMEM ? 1 : 2;
    }

    /* Paths and the state of existing logs, still before writing anything. */
    char dir[RUNNER_PATH_LEN - 64];
    int dn = snprintf(dir, sizeof dir, "%s/%s", c.output, c.name);
    run_result *res = calloc(c.n_seeds, sizeof *res);
    if (!res) { fprintf(stderr, "run_experiment: out of memory\n"); config_free(&c); return 1; }
    if (dn < 0 || (size_t)dn >= sizeof dir) {
        fprintf(stderr, "%s: output: directory path too long\n", c.file);
        free(res); config_free(&c);
        return 2;
    }
    for (size_t i = 0; i < c.n_seeds; i++) {
        run_result *r = &res[i];
        r->seed = c.seeds[i];
        snprintf(r->log, sizeof r->log, "%s/seed_%llu.jsonl", dir, (unsigned long long)r->seed);
        char tmp[RUNNER_PATH_LEN + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
        const char *taken = not_a_file(r->log) ? r->log : not_a_file(tmp) ? tmp : NULL;
        if (taken) {
            fprintf(stderr, "%s: %s exists and is not a regular file (remove it or choose another output)\n",
                    c.file, taken);
            free(res); config_free(&c);
            return 2;
        }
        if (a.force) continue;
        int st = log_state(r->log, &c, r->seed, r);
        if (st == LOG_COMPLETE_SAME) r->status = RUN_SKIP;
        if (st == LOG_COMPLETE_OTHER) {
            fprintf(stderr, "%s: %s is a complete log of a different config (use --force to overwrite it, or another name)\n",
                    c.file, r->log);
            free(res); config_free(&c);
            return 2;
        }
    }

    if (a.dry_run) {
        print_result(&c, res, c.n_seeds, 1);
        free(res); config_free(&c);
        return 0;
    }
    if ((rc = hw_mkdir_p(dir, &e))) {
        /* the output directory is part of the input: --out or "output" */
        if (a.out) fprintf(stderr, "run_experiment: --out: %s\n", e.msg);
        else fprintf(stderr, "%s: output: %s\n", c.file, e.msg);
        free(res); config_free(&c);
        return rc == HW_ENOMEM ? 1 : 2;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = runner_on_signal;
    sigemptyset(&sa.sa_mask);
    runner_stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    status = 0;
    for (size_t i = 0; i < c.n_seeds && !runner_stop_signal; i++) {
        run_result *r = &res[i];
        if (r->status == RUN_SKIP) continue;
        char tmp[RUNNER_PATH_LEN + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
        rc = run_one(&c, r, tmp, a.quiet, &e);
        if (rc) {
            fprintf(stderr, "%s: seed %llu: %s\n", c.file, (unsigned long long)r->seed, e.msg);
            status = 1;
            r->status = RUN_PENDING;
            break;
        }
    }
    int sig = runner_stop_signal;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (!a.quiet) {
        for (size_t i = 0; i < c.n_seeds; i++) {
            const run_result *r = &res[i];
            if (r->status == RUN_DONE || r->status == RUN_SKIP)
                fprintf(stderr, "%s seed %llu: %s, %lld evaluations, front %zu, hypervolume %.6g, %.3f s -> %s\n",
                        c.name, (unsigned long long)r->seed, RUN_STATUS[r->status], r->evaluations, r->front_size,
                        r->hv, r->wall_s, r->log);
            else if (r->status == RUN_STOPPED)
                fprintf(stderr, "%s seed %llu: interrupted after %lld evaluations; incomplete log left at %s.tmp\n",
                        c.name, (unsigned long long)r->seed, r->evaluations, r->log);
        }
    }
    print_result(&c, res, c.n_seeds, 0);
    if (sig && !status) status = 128 + sig;
    free(res);
    config_free(&c);
    return status;
}
