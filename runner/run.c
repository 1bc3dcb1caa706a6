/* runner/run.c — running a validated config, see run.h. */
#include "runner/run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util.h"
#include "indicators/indicators.h"
#include "runner/evaluator.h"
#include "indicators/archive.h"
#include "runner/jbuf.h"
#include "runner/logschema.h"

#define RUN_TRUE_FRONT_POINTS 1000
#define RUN_LOG_BUFFER (1 << 20)
#define RUN_GZ_BUFFER (1 << 16)

const char *const HW_RUN_STATUS_NAMES[] = {"pending", "skipped", "done", "interrupted", "locked"};

void hw_run_results_free(hw_run_result *res, size_t n)
{
    if (!res) return;
    for (size_t i = 0; i < n; i++) {
        free(res[i].log);
        free(res[i].note);
    }
    free(res);
}

/* Plan -------------------------------------------------------------------- */

/* 1 when path exists and is something other than a regular file (a
 * directory where a log should go). */
static int not_a_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

enum { LOG_ABSENT = 0, LOG_INCOMPLETE = 1, LOG_COMPLETE_SAME = 2, LOG_COMPLETE_OTHER = 3 };

/* What must match for a log to stand for a run of this config: the config's
 * identity (hw_config_identity) and the identities (bytes, hash; not the
 * paths) of the files the problem read. */
typedef struct {
    cJSON *config;
    cJSON *files;
} run_identity;

/* [[bytes, fnv1a64], ...] of a metadata line's "files" (NULL: none). */
static cJSON *files_identity_of_meta(const cJSON *files)
{
    cJSON *a = cJSON_CreateArray();
    if (!a) return NULL;
    const cJSON *f;
    cJSON_ArrayForEach(f, files) {
        cJSON *pair = cJSON_CreateArray();
        if (!pair) break;
        cJSON_AddItemToArray(pair, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "bytes"), 1));
        cJSON_AddItemToArray(pair, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "fnv1a64"), 1));
        cJSON_AddItemToArray(a, pair);
    }
    return a;
}

static cJSON *files_identity_of_problem(const hw_problem *p)
{
    cJSON *a = cJSON_CreateArray();
    const hw_file_id *fs = NULL;
    size_t n = p->files ? p->files(p, &fs) : 0;
    for (size_t i = 0; a && i < n; i++) {
        cJSON *pair = cJSON_CreateArray();
        if (!pair) break;
        cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)fs[i].bytes));
        char hex[24];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)fs[i].fnv1a64);
        cJSON_AddItemToArray(pair, cJSON_CreateString(hex));
        cJSON_AddItemToArray(a, pair);
    }
    return a;
}

static int identity_make(const hw_run_config *c, run_identity *id, hw_err *e)
{
    id->config = hw_config_identity(c->root);
    id->files = files_identity_of_problem(c->problem);
    if (!id->config || !id->files) {
        cJSON_Delete(id->config);
        cJSON_Delete(id->files);
        return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    return HW_OK;
}

static void identity_free(run_identity *id)
{
    cJSON_Delete(id->config);
    cJSON_Delete(id->files);
}

/* Classifies the log at path: complete (its summary verified) of this run or
 * of another, or incomplete; a log with a summary line that is not verified
 * (a log of an older version, or damaged) counts as another run's when its
 * metadata names another config or other files, so that it is not silently
 * overwritten.  Fills r's figures from a complete log's summary. */
static int log_state(const char *path, const run_identity *id, uint64_t seed, hw_run_result *r)
{
    hw_log_probe pr;
    if (!hw_log_probe_read(path, &pr)) return LOG_ABSENT;
    int state = LOG_INCOMPLETE;
    const cJSON *meta = pr.meta, *sum = pr.summary;
    if (meta && sum) {
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_CONFIG);
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_SEED);
        cJSON *a = mc ? hw_config_identity(mc) : NULL;
        cJSON *f = files_identity_of_meta(cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_FILES));
        int same = a && f && cJSON_Compare(a, id->config, 1) && cJSON_Compare(f, id->files, 1) &&
                   cJSON_IsNumber(ms) && ms->valuedouble == (double)seed;
        cJSON_Delete(a);
        cJSON_Delete(f);
        state = !same ? LOG_COMPLETE_OTHER : pr.verified ? LOG_COMPLETE_SAME : LOG_INCOMPLETE;
        const cJSON *v;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_EVALUATIONS)) && cJSON_IsNumber(v))
            r->evaluations = (long long)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_FRONT)) && cJSON_IsArray(v))
            r->front_size = (size_t)cJSON_GetArraySize(v);
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_HYPERVOLUME)) && cJSON_IsNumber(v)) r->hv = v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_WALL_S)) && cJSON_IsNumber(v)) r->wall_s = v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_HYPERVOLUME_MEAN)) && cJSON_IsNumber(v)) {
            r->has_hv_mean = 1;
            r->hv_mean = v->valuedouble;
        }
    }
    hw_log_probe_free(&pr);
    return state;
}

static int log_other_error(const hw_run_config *c, const char *log, hw_err *e)
{
    return hw_fail(e, HW_EINVAL,
                   "%s: %s is a complete log of a different config or other model files (use --force to overwrite "
                   "it, or another name)",
                   c->file, log);
}

static int output_dir(const hw_run_config *c, char *dir, size_t n, hw_err *e)
{
    int dn = snprintf(dir, n, "%s/%s%s%s", c->output, c->name, c->subdir ? "/" : "", c->subdir ? c->subdir : "");
    if (dn < 0 || (size_t)dn >= n) return hw_fail(e, HW_EINVAL, "%s: output: directory path too long", c->file);
    return HW_OK;
}

int hw_run_plan(const hw_run_config *c, int force, hw_run_result *res, hw_err *e)
{
    char dir[HW_RUN_PATH_LEN - 64];
    for (size_t i = 0; i < c->n_seeds; i++) memset(&res[i], 0, sizeof res[i]);
    int rc = output_dir(c, dir, sizeof dir, e);
    if (rc) return rc;
    run_identity id = {NULL, NULL};
    if (!force && (rc = identity_make(c, &id, e))) return rc;
    for (size_t i = 0; i < c->n_seeds && !rc; i++) {
        hw_run_result *r = &res[i];
        r->seed = c->seeds[i];
        size_t n = strlen(dir) + 48;
        if (!(r->log = malloc(n))) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        snprintf(r->log, n, "%s/seed_%llu.jsonl%s", dir, (unsigned long long)r->seed, c->compress ? ".gz" : "");
        char tmp[HW_RUN_PATH_LEN + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
        const char *taken = not_a_file(r->log) ? r->log : not_a_file(tmp) ? tmp : NULL;
        if (taken) {
            rc = hw_fail(e, HW_EINVAL, "%s: %s exists and is not a regular file (remove it or choose another output)",
                         c->file, taken);
            break;
        }
        if (force) continue;
        int st = log_state(r->log, &id, r->seed, r);
        if (st == LOG_COMPLETE_SAME) r->status = HW_RUN_SKIPPED;
        if (st == LOG_COMPLETE_OTHER) rc = log_other_error(c, r->log, e);
    }
    identity_free(&id);
    return rc;
}

int hw_run_make_dir(const hw_run_config *c, hw_err *e)
{
    char dir[HW_RUN_PATH_LEN - 64];
    int rc = output_dir(c, dir, sizeof dir, e);
    return rc ? rc : hw_mkdir_p(dir, e);
}

/* The log writer: an observer of one run ------------------------------------ */

typedef struct {
    const hw_run_config *c;
    hw_run_result *r;
    const char *tmp;
    FILE *f;                  /* a plain log, or NULL */
    gzFile gz;                /* a gzip log (c->compress), or NULL */
    hw_jbuf b;
    uint64_t lines;           /* evaluation lines written */
    hw_pareto_archive front;  /* every evaluated point no other dominates (earliest of equals), evaluation order */
    uint64_t bytes;   /* written so far */
    uint32_t crc;     /* their CRC-32C */
    uint64_t *index;  /* scratch: the batch's evaluation indices (index_cap) */
    size_t index_cap;
} log_writer;

/* Writes the buffer to the log and flushes it (a batch's lines reach the
 * file together); keeps the byte count and CRC-32C of what was written. */
static int writer_flush(log_writer *w, hw_err *e)
{
    hw_jbuf *b = &w->b;
    if (b->oom) return hw_fail(e, HW_ENOMEM, "%s: out of memory while formatting the log", w->tmp);
    if (w->gz) { /* compressed: zlib buffers (an interrupted .tmp is redone whole anyway) */
        if (b->len && gzwrite(w->gz, b->p, (unsigned)b->len) != (int)b->len) {
            int zerr = 0;
            const char *m = gzerror(w->gz, &zerr);
            return hw_fail(e, HW_EIO, "%s: cannot write: %s", w->tmp, zerr == Z_ERRNO ? strerror(errno) : m);
        }
    } else if (b->len && fwrite(b->p, 1, b->len, w->f) != b->len)
        return hw_fail(e, HW_EIO, "%s: cannot write: %s", w->tmp, strerror(errno));
    w->crc = hw_crc32c(w->crc, b->p, b->len);
    w->bytes += b->len;
    b->len = 0;
    if (w->f && fflush(w->f) != 0) return hw_fail(e, HW_EIO, "%s: cannot write: %s", w->tmp, strerror(errno));
    return HW_OK;
}

/* Level "front": the batch's points are inserted into the front one by one,
 * in evaluation order (the same front as inserting them at once), and the
 * evaluation line of each point that enters it is written: every point that
 * is ever on the front of the evaluations so far, so the front and the
 * hypervolume of the first k evaluations, for every k, are those of the lines
 * with eval < k (docs/analysis.md). */
static int writer_front_batch(log_writer *w, const hw_problem *p, const hw_batch_event *ev, hw_err *e)
{
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    for (size_t i = 0; i < ev->n; i++) {
        const uint64_t index = ev->ids[i].index;
        size_t entered = 0;
        int rc = hw_pareto_archive_insert(&w->front, ev->f + i * d, nv ? ev->x + i * nv : NULL, &index, 1, &entered, e);
        if (rc) return rc;
        if (!entered) continue;
        hw_batch_event one = *ev;
        one.n = 1;
        one.ids = ev->ids + i;
        one.x = ev->x + i * nv;
        one.f = ev->f + i * d;
        one.f_std = ev->f_std + i * d;
        one.t_end = ev->t_end + i;
        if ((rc = hw_logw_evals(&w->b, p, &one, e))) return rc;
        w->lines++;
    }
    return ev->n ? writer_flush(w, e) : HW_OK;
}

static int writer_batch(void *ctx, const hw_problem *p, const hw_batch_event *ev, hw_err *e)
{
    log_writer *w = ctx;
    int rc = HW_OK;
    if (w->c->log_level == HW_LOG_LEVEL_FRONT) return writer_front_batch(w, p, ev, e);
    if (w->c->log_level == HW_LOG_LEVEL_ALL) {
        rc = hw_logw_evals(&w->b, p, ev, e);
        w->lines += ev->n;
        if (!rc) rc = writer_flush(w, e);
        if (rc) return rc;
    }
    if (ev->n > w->index_cap) {
        uint64_t *ix = realloc(w->index, ev->n * sizeof *ix);
        if (!ix) return hw_fail(e, HW_ENOMEM, "out of memory (batch of %zu)", ev->n);
        w->index = ix;
        w->index_cap = ev->n;
    }
    for (size_t i = 0; i < ev->n; i++) w->index[i] = ev->ids[i].index;
    return hw_pareto_archive_insert(&w->front, ev->f, ev->x, w->index, ev->n, NULL, e);
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

/* The summary's indicators: hypervolume of the front, and where the problem
 * knows its true front, its hypervolume and the IGD / IGD+ against it. */
static int summary_figures(const hw_problem *p, const hw_pareto_archive *fr, const double *ref, hw_log_summary *s, hw_err *e)
{
    const size_t nf = fr->size, d = (size_t)p->n_obj;
    double *norm = malloc((nf ? nf : 1) * d * sizeof *norm);
    if (!norm) return hw_fail(e, HW_ENOMEM, "out of memory");
    normalise(p, fr->f, nf, norm);
    int rc = hw_hypervolume(norm, nf, (int)d, ref, &s->hypervolume, e);
    if (!rc && !isfinite(s->hypervolume))
        rc = hw_fail(e, HW_ERANGE, "the hypervolume of the front is not a finite number (reference point too far?)");
    if (!rc && p->true_front_hv) {
        double hv_true = p->true_front_hv(p, ref);
        if (hv_true >= 0) { s->has_hv_true = 1; s->hv_true = hv_true; }
    }
    if (!rc && p->true_front && nf > 0) {
        double *tf = NULL;
        size_t ntf = 0;
        rc = p->true_front(p, RUN_TRUE_FRONT_POINTS, &tf, &ntf, e);
        if (rc == HW_OK && ntf > 0) {
            normalise(p, tf, ntf, tf);
            rc = hw_igd(tf, ntf, norm, nf, (int)d, &s->igd, &s->igd_plus, e);
            if (rc == HW_OK) s->has_igd = 1;
        }
        free(tf);
    }
    free(norm);
    return rc;
}

/* The hypervolume of the noise-free means of the front's genomes ("noise":
 * "sample": the front is chosen on observed values; a study of optimizers
 * under noise reports what was actually found).  The mean problem is shared
 * by concurrent runs: a batch-mode problem is called under a lock. */
static int mean_hypervolume(const hw_problem *mean, const hw_pareto_archive *fr, const double *ref, double *hv,
                            hw_err *e)
{
    const size_t nf = fr->size, d = (size_t)mean->n_obj;
    double *f = malloc((nf ? nf : 1) * d * sizeof *f);
    if (!f) return hw_fail(e, HW_ENOMEM, "out of memory");
    int rc = HW_OK;
    hw_problem *mp = (hw_problem *)mean; /* evaluate() takes a mutable problem; a mean problem keeps no state */
    if (nf && mean->eval_mode == HW_EVAL_BATCH) {
#pragma omp critical(hw_run_mean_problem)
        rc = mp->evaluate(mp, fr->x, NULL, nf, f, NULL, e);
    } else if (nf)
        rc = mp->evaluate(mp, fr->x, NULL, nf, f, NULL, e);
    if (!rc) {
        normalise(mean, f, nf, f);
        rc = hw_hypervolume(f, nf, (int)d, ref, hv, e);
    }
    if (!rc && !isfinite(*hv)) rc = hw_fail(e, HW_ERANGE, "the hypervolume of the front's means is not finite");
    free(f);
    if (rc) hw_err_prefix(e, "noise-free means of the front");
    return rc;
}

static int writer_finish(void *ctx, const hw_problem *p, const hw_run_end *end, hw_err *e)
{
    log_writer *w = ctx;
    w->r->evaluations = end->evaluations;
    w->r->front_size = w->front.size;
    if (end->stopped) { w->r->status = HW_RUN_STOPPED; return HW_OK; } /* no summary: the .tmp stays */
    hw_log_summary s = {0};
    s.evaluations = end->evaluations;
    s.front = &w->front;
    int rc = summary_figures(p, &w->front, hw_config_ref(w->c), &s, e);
    if (!rc && w->c->mean_problem) {
        rc = mean_hypervolume(w->c->mean_problem, &w->front, hw_config_ref(w->c), &s.hv_mean, e);
        s.has_hv_mean = 1;
    }
    if (rc) return rc;
    s.level = w->c->log_level;
    s.log_lines = w->lines;
    s.wall_s = hw_now() - end->t0; /* including the indicators */
    s.log_bytes = w->bytes;
    s.log_crc32c = w->crc;
    if ((rc = hw_logw_summary(&w->b, p, &s, e))) return rc;
    if ((rc = writer_flush(w, e))) return rc;
    if (w->f && fsync(fileno(w->f)) != 0 && errno != EINVAL)
        return hw_fail(e, HW_EIO, "%s: cannot sync: %s", w->tmp, strerror(errno));
    /* a gzip log is synced after gzclose (run_seed_locked) */
    w->r->hv = s.hypervolume;
    w->r->has_hv_mean = s.has_hv_mean;
    w->r->hv_mean = s.hv_mean;
    w->r->wall_s = s.wall_s;
    w->r->status = HW_RUN_DONE;
    return HW_OK;
}

/* Progress: one line for all the runs of a call --------------------------- */

typedef struct {
    hw_progress prog;
    char label[256];
    size_t done, total;
} run_progress;

static int progress_batch(void *ctx, const hw_problem *p, const hw_batch_event *ev, hw_err *e)
{
    (void)p; (void)e;
    run_progress *pr = ctx;
#pragma omp critical(hw_run_progress)
    {
        pr->done += ev->n;
        hw_progress_update(&pr->prog, pr->label, pr->done, pr->total);
    }
    return HW_OK;
}

/* The run's lock ---------------------------------------------------------- */

typedef struct {
    int fd;
    char path[HW_RUN_PATH_LEN + 8];
} run_lock;

/* Takes the flock on LOG.lock without waiting and writes "pid host time"
 * into it.  When another process holds it: HW_ESTATE with "LOG: locked by
 * pid N (host H) since T".  The file is removed when the lock is released;
 * a lock taken on a file that was removed meanwhile is retaken. */
static int lock_take(const char *log, run_lock *l, hw_err *e)
{
    snprintf(l->path, sizeof l->path, "%s.lock", log);
    for (int attempt = 0; attempt < 8; attempt++) {
        l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (l->fd < 0) return hw_fail(e, HW_EIO, "%s: cannot create: %s", l->path, strerror(errno));
        if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
            int err = errno;
            char who[512] = "";
            ssize_t n = err == EWOULDBLOCK ? read(l->fd, who, sizeof who - 1) : -1;
            close(l->fd);
            l->fd = -1;
            if (err != EWOULDBLOCK) return hw_fail(e, HW_EIO, "%s: cannot lock: %s", l->path, strerror(err));
            who[n > 0 ? n : 0] = 0;
            char pid[32] = "?", host[256] = "?", since[64] = "?";
            if (sscanf(who, "%31s %255s %63s", pid, host, since) < 1) snprintf(pid, sizeof pid, "?");
            return hw_fail(e, HW_ESTATE, "%s: locked by pid %s (host %s) since %s", log, pid, host, since);
        }
        struct stat held, now;
        if (fstat(l->fd, &held) == 0 && stat(l->path, &now) == 0 && held.st_ino == now.st_ino &&
            held.st_dev == now.st_dev) {
            char host[256] = "unknown", when[32], text[400];
            if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
            host[sizeof host - 1] = 0;
            for (char *h = host; *h; h++) if (*h == ' ' || *h == '\n') *h = '_';
            time_t t = time(NULL);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            int len = snprintf(text, sizeof text, "%ld %s %s\n", (long)getpid(), host, when);
            if (ftruncate(l->fd, 0) != 0 || pwrite(l->fd, text, (size_t)len, 0) != len) {
                close(l->fd);
                l->fd = -1;
                return hw_fail(e, HW_EIO, "%s: cannot write: %s", l->path, strerror(errno));
            }
            return HW_OK;
        }
        close(l->fd); /* removed by its holder before we locked it: take the new one */
        l->fd = -1;
    }
    return hw_fail(e, HW_EIO, "%s: cannot lock: it keeps being replaced", l->path);
}

static void lock_release(run_lock *l)
{
    if (l->fd < 0) return;
    unlink(l->path); /* while still held: whoever opens it next creates a new one */
    close(l->fd);
    l->fd = -1;
}

/* One seed ---------------------------------------------------------------- */

/* fsync of a closed file (a gzip log, closed by gzclose). */
static int sync_file(const char *path, hw_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hw_fail(e, HW_EIO, "%s: cannot open to sync: %s", path, strerror(errno));
    int rc = fsync(fd) != 0 && errno != EINVAL ? hw_fail(e, HW_EIO, "%s: cannot sync: %s", path, strerror(errno)) : HW_OK;
    close(fd);
    return rc;
}

static void meta_files(const hw_problem *p, hw_log_meta *m)
{
    m->n_files = p->files ? p->files(p, &m->files) : 0;
}

static int run_seed_locked(const hw_run_config *c, hw_evaluator *ev, const hw_run_options *o, int threads,
                           run_progress *prog, hw_run_result *r, hw_err *e)
{
    const double t0 = hw_now();
    char tmp[HW_RUN_PATH_LEN + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
    log_writer w = {c, r, tmp, NULL, NULL, {0}, 0, {0}, 0, 0, NULL, 0};
    int arc = hw_pareto_archive_init(&w.front, c->problem->n_obj, c->problem->n_var, e);
    if (arc) return arc;
    hw_optimizer *opt = NULL;
    char *fbuf = malloc(RUN_LOG_BUFFER);
    hw_observer *obs = malloc((2 + o->n_observers) * sizeof *obs);
    int rc = fbuf && obs ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    if (!rc)
        rc = c->make_optimizer ? c->make_optimizer(c->make_optimizer_ctx, c->problem, r->seed, &opt, e)
                               : hw_optimizer_create(c->ops, c->problem, c->optimizer_cfg, "optimizer", r->seed, &opt, e);
    if (rc) goto done;
    size_t batch = hw_loop_batch_size(opt, c->budget);
    if (c->compress) {
        errno = 0;
        if (!(w.gz = gzopen(tmp, "wb6"))) {
            rc = hw_fail(e, HW_EIO, "%s: cannot create: %s", tmp, strerror(errno ? errno : ENOMEM));
            goto done;
        }
        gzbuffer(w.gz, RUN_GZ_BUFFER);
    } else {
        if (!(w.f = fopen(tmp, "wb"))) { rc = hw_fail(e, HW_EIO, "%s: cannot create: %s", tmp, strerror(errno)); goto done; }
        setvbuf(w.f, fbuf, _IOFBF, RUN_LOG_BUFFER);
    }
    hw_log_meta meta = {c->name, c->root, r->seed, c->ops->name, c->budget, batch, hw_config_ref(c), c->threads,
                        NULL, 0};
    meta_files(c->problem, &meta);
    hw_logw_meta(&w.b, c->problem, &meta);
    if ((rc = writer_flush(&w, e))) goto done;

    size_t n_obs = 0;
    obs[n_obs++] = (hw_observer){&w, writer_batch, writer_finish};
    if (prog) obs[n_obs++] = (hw_observer){prog, progress_batch, NULL};
    for (size_t i = 0; i < o->n_observers; i++) obs[n_obs++] = o->observers[i];
    hw_loop_spec spec = {ev, opt, r->seed, c->budget, batch, threads, t0, o->stop, obs, n_obs};
    rc = hw_loop_run(&spec, NULL, e);
done:
    if (w.f && fclose(w.f) != 0 && rc == HW_OK) rc = hw_fail(e, HW_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    if (w.gz && gzclose(w.gz) != Z_OK && rc == HW_OK) rc = hw_fail(e, HW_EIO, "%s: cannot write (gzip)", tmp);
    if (w.gz && rc == HW_OK && r->status == HW_RUN_DONE) rc = sync_file(tmp, e);
    if (rc == HW_OK && r->status == HW_RUN_DONE && rename(tmp, r->log) != 0)
        rc = hw_fail(e, HW_EIO, "%s: cannot rename to %s: %s", tmp, r->log, strerror(errno));
    if (rc) r->status = HW_RUN_PENDING;
    hw_optimizer_destroy(opt);
    hw_jbuf_free(&w.b);
    hw_pareto_archive_free(&w.front);
    free(w.index);
    free(fbuf);
    free(obs);
    return rc;
}

/* Runs one seed under its lock: a seed another process holds is reported as
 * HW_RUN_LOCKED (not an error); a seed whose log another process completed
 * meanwhile is skipped (unless forced). */
static int run_seed(const hw_run_config *c, hw_evaluator *ev, const hw_run_options *o, int threads,
                    run_progress *prog, hw_run_result *r, hw_err *e)
{
    run_lock lock;
    hw_err le = {0};
    int rc = lock_take(r->log, &lock, &le);
    if (rc == HW_ESTATE) {
        r->status = HW_RUN_LOCKED;
        r->note = malloc(strlen(le.msg) + 1);
        if (r->note) memcpy(r->note, le.msg, strlen(le.msg) + 1);
        return HW_OK;
    }
    if (rc) { *e = le; return rc; }
    if (!o->force) {
        run_identity id;
        if ((rc = identity_make(c, &id, e))) { lock_release(&lock); return rc; }
        int st = log_state(r->log, &id, r->seed, r);
        identity_free(&id);
        if (st == LOG_COMPLETE_SAME) { r->status = HW_RUN_SKIPPED; lock_release(&lock); return HW_OK; }
        if (st == LOG_COMPLETE_OTHER) { lock_release(&lock); return log_other_error(c, r->log, e); }
        r->evaluations = 0; r->front_size = 0; r->hv = 0; r->wall_s = 0; r->has_hv_mean = 0; r->hv_mean = 0;
    }
    rc = run_seed_locked(c, ev, o, threads, prog, r, e);
    lock_release(&lock);
    return rc;
}

int hw_run_seed_on(const hw_run_config *c, hw_evaluator *ev, const hw_run_options *o, int threads, hw_run_result *r,
                   hw_err *e)
{
    return run_seed(c, ev, o, threads, NULL, r, e);
}

int hw_run_seed(const hw_run_config *c, const hw_run_options *o, int threads, hw_run_result *r, hw_err *e)
{
    hw_evaluator *ev = NULL;
    int rc = hw_evaluator_create(c->problem, &ev, e);
    if (!rc) rc = hw_run_make_dir(c, e);
    if (!rc) rc = run_seed(c, ev, o, threads, NULL, r, e);
    if (rc) hw_err_prefix(e, "%s: seed %llu", c->file, (unsigned long long)r->seed);
    hw_evaluator_destroy(ev);
    return rc;
}

int hw_run_pending(const hw_run_config *c, const hw_run_options *o, hw_run_result *res, hw_err *e)
{
    size_t n_run = 0;
    for (size_t i = 0; i < c->n_seeds; i++) n_run += res[i].status == HW_RUN_PENDING;
    if (n_run == 0) return HW_OK;
    size_t *pending = malloc(n_run * sizeof *pending);
    int *rcs = calloc(n_run, sizeof *rcs);
    hw_err *errs = calloc(n_run, sizeof *errs);
    hw_evaluator *ev = NULL;
    int rc = pending && rcs && errs ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    if (!rc) rc = hw_evaluator_create(c->problem, &ev, e);
    if (!rc) rc = hw_run_make_dir(c, e);
    if (rc) { free(pending); free(rcs); free(errs); hw_evaluator_destroy(ev); return rc; }
    n_run = 0;
    for (size_t i = 0; i < c->n_seeds; i++)
        if (res[i].status == HW_RUN_PENDING) pending[n_run++] = i;

    int outer = (size_t)c->threads < n_run ? c->threads : (int)n_run;
    if (outer < 1) outer = 1;
    int inner = c->threads / outer > 1 ? c->threads / outer : 1;
    run_progress prog;
    hw_progress_init(&prog.prog, o->quiet);
    prog.done = 0;
    prog.total = n_run * (size_t)c->budget;
    if (n_run == 1)
        snprintf(prog.label, sizeof prog.label, "%s seed %llu", c->name, (unsigned long long)res[pending[0]].seed);
    else
        snprintf(prog.label, sizeof prog.label, "%s, %zu seeds", c->name, n_run);
    int failed = 0;
    long nn = (long)n_run;
    if (outer > 1) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(outer)
        for (long k = 0; k < nn; k++) {
            int skip;
#pragma omp atomic read
            skip = failed;
            if (skip || (o->stop && *o->stop)) continue; /* not started: stays pending */
            rcs[k] = run_seed(c, ev, o, inner, &prog, &res[pending[k]], &errs[k]);
            if (rcs[k]) {
#pragma omp atomic write
                failed = 1;
            }
        }
    } else {
        for (long k = 0; k < nn && !failed; k++) {
            if (o->stop && *o->stop) break; /* not started: stays pending */
            rcs[k] = run_seed(c, ev, o, inner, &prog, &res[pending[k]], &errs[k]);
            failed = rcs[k] != 0;
        }
    }
    hw_progress_done(&prog.prog);
    for (size_t k = 0; k < n_run && !rc; k++)
        if (rcs[k]) {
            rc = rcs[k];
            *e = errs[k];
            hw_err_prefix(e, "%s: seed %llu", c->file, (unsigned long long)res[pending[k]].seed);
        }
    free(pending); free(rcs); free(errs);
    hw_evaluator_destroy(ev);
    return rc;
}
