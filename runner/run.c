/* runner/run.c — running a validated config, see run.h. */
#include "runner/run.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "indicators/indicators.h"
#include "runner/evaluator.h"
#include "runner/front.h"
#include "runner/jbuf.h"
#include "runner/logschema.h"

#define RUN_TRUE_FRONT_POINTS 1000
#define RUN_LOG_BUFFER (1 << 20)

const char *const HW_RUN_STATUS_NAMES[] = {"pending", "skipped", "done", "interrupted"};

/* Plan -------------------------------------------------------------------- */

/* 1 when path exists and is something other than a regular file (a
 * directory where a log should go). */
static int not_a_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

enum { LOG_ABSENT = 0, LOG_INCOMPLETE = 1, LOG_COMPLETE_SAME = 2, LOG_COMPLETE_OTHER = 3 };

/* Classifies the log at path; fills r's figures from a complete log's summary. */
static int log_state(const char *path, const hw_run_config *c, uint64_t seed, hw_run_result *r)
{
    hw_log_probe pr;
    if (!hw_log_probe_read(path, &pr)) return LOG_ABSENT;
    int state = LOG_INCOMPLETE;
    const cJSON *meta = pr.meta, *sum = pr.summary;
    if (meta && sum) {
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_CONFIG);
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_SEED);
        cJSON *a = mc ? hw_config_identity(mc) : NULL, *b = hw_config_identity(c->root);
        int same = a && b && cJSON_Compare(a, b, 1) && cJSON_IsNumber(ms) && ms->valuedouble == (double)seed;
        cJSON_Delete(a);
        cJSON_Delete(b);
        state = same ? LOG_COMPLETE_SAME : LOG_COMPLETE_OTHER;
        const cJSON *v;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_EVALUATIONS)) && cJSON_IsNumber(v))
            r->evaluations = (long long)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_FRONT)) && cJSON_IsArray(v))
            r->front_size = (size_t)cJSON_GetArraySize(v);
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_HYPERVOLUME)) && cJSON_IsNumber(v)) r->hv = v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_WALL_S)) && cJSON_IsNumber(v)) r->wall_s = v->valuedouble;
    }
    hw_log_probe_free(&pr);
    return state;
}

static int output_dir(const hw_run_config *c, char *dir, size_t n, hw_err *e)
{
    int dn = snprintf(dir, n, "%s/%s", c->output, c->name);
    if (dn < 0 || (size_t)dn >= n) return hw_fail(e, HW_EINVAL, "%s: output: directory path too long", c->file);
    return HW_OK;
}

int hw_run_plan(const hw_run_config *c, int force, hw_run_result *res, hw_err *e)
{
    char dir[HW_RUN_PATH_LEN - 64];
    int rc = output_dir(c, dir, sizeof dir, e);
    if (rc) return rc;
    for (size_t i = 0; i < c->n_seeds; i++) {
        hw_run_result *r = &res[i];
        memset(r, 0, sizeof *r);
        r->seed = c->seeds[i];
        snprintf(r->log, sizeof r->log, "%s/seed_%llu.jsonl", dir, (unsigned long long)r->seed);
        char tmp[HW_RUN_PATH_LEN + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
        const char *taken = not_a_file(r->log) ? r->log : not_a_file(tmp) ? tmp : NULL;
        if (taken)
            return hw_fail(e, HW_EINVAL, "%s: %s exists and is not a regular file (remove it or choose another output)",
                           c->file, taken);
        if (force) continue;
        int st = log_state(r->log, c, r->seed, r);
        if (st == LOG_COMPLETE_SAME) r->status = HW_RUN_SKIPPED;
        if (st == LOG_COMPLETE_OTHER)
            return hw_fail(e, HW_EINVAL,
                           "%s: %s is a complete log of a different config (use --force to overwrite it, or another name)",
                           c->file, r->log);
    }
    return HW_OK;
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
    FILE *f;
    hw_jbuf b;
    hw_front front;
} log_writer;

static int flush_buf(FILE *f, hw_jbuf *b, const char *path, hw_err *e)
{
    if (b->oom) return hw_fail(e, HW_ENOMEM, "%s: out of memory while formatting the log", path);
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
        return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    b->len = 0;
    if (fflush(f) != 0) return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    return HW_OK;
}

static int writer_batch(void *ctx, const hw_problem *p, const hw_batch_event *ev, hw_err *e)
{
    log_writer *w = ctx;
    int rc = hw_logw_evals(&w->b, p, ev, e);
    if (!rc) rc = flush_buf(w->f, &w->b, w->tmp, e);
    if (!rc) rc = hw_front_add(&w->front, ev->f, ev->x, ev->ids, ev->n, e);
    return rc;
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
static int summary_figures(const hw_problem *p, const hw_front *fr, const double *ref, hw_log_summary *s, hw_err *e)
{
    const size_t nf = fr->n, d = (size_t)p->n_obj;
    double *norm = malloc((nf ? nf : 1) * d * sizeof *norm);
    if (!norm) return hw_fail(e, HW_ENOMEM, "out of memory");
    normalise(p, fr->f, nf, norm);
    int rc = hw_hypervolume(norm, nf, (int)d, ref, &s->hypervolume, e);
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

static int writer_finish(void *ctx, const hw_problem *p, const hw_run_end *end, hw_err *e)
{
    log_writer *w = ctx;
    w->r->evaluations = end->evaluations;
    w->r->front_size = w->front.n;
    if (end->stopped) { w->r->status = HW_RUN_STOPPED; return HW_OK; } /* no summary: the .tmp stays */
    hw_log_summary s = {0};
    s.evaluations = end->evaluations;
    s.front = &w->front;
    int rc = summary_figures(p, &w->front, hw_config_ref(w->c), &s, e);
    if (rc) return rc;
    s.wall_s = hw_now() - end->t0; /* including the indicators */
    if ((rc = hw_logw_summary(&w->b, p, &s, e))) return rc;
    if ((rc = flush_buf(w->f, &w->b, w->tmp, e))) return rc;
    if (fsync(fileno(w->f)) != 0 && errno != EINVAL)
        return hw_fail(e, HW_EIO, "%s: cannot sync: %s", w->tmp, strerror(errno));
    w->r->hv = s.hypervolume;
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

/* One seed ---------------------------------------------------------------- */

static int run_seed(const hw_run_config *c, hw_evaluator *ev, const hw_run_options *o, int threads,
                    run_progress *prog, hw_run_result *r, hw_err *e)
{
    const double t0 = hw_now();
    char tmp[HW_RUN_PATH_LEN + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", r->log);
    log_writer w = {c, r, tmp, NULL, {0}, {0}};
    hw_front_init(&w.front, c->problem->n_obj, c->problem->n_var);
    hw_optimizer *opt = NULL;
    char *fbuf = malloc(RUN_LOG_BUFFER);
    hw_observer *obs = malloc((2 + o->n_observers) * sizeof *obs);
    int rc = fbuf && obs ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    if (!rc) rc = hw_optimizer_create(c->ops, c->problem, c->optimizer_cfg, "optimizer", r->seed, &opt, e);
    if (rc) goto done;
    size_t batch = hw_loop_batch_size(opt, c->budget);
    if (!(w.f = fopen(tmp, "wb"))) { rc = hw_fail(e, HW_EIO, "%s: cannot create: %s", tmp, strerror(errno)); goto done; }
    setvbuf(w.f, fbuf, _IOFBF, RUN_LOG_BUFFER);
    hw_log_meta meta = {c->name, c->root, r->seed, c->ops->name, c->budget, batch, hw_config_ref(c), c->threads};
    hw_logw_meta(&w.b, c->problem, &meta);
    if ((rc = flush_buf(w.f, &w.b, tmp, e))) goto done;

    size_t n_obs = 0;
    obs[n_obs++] = (hw_observer){&w, writer_batch, writer_finish};
    if (prog) obs[n_obs++] = (hw_observer){prog, progress_batch, NULL};
    for (size_t i = 0; i < o->n_observers; i++) obs[n_obs++] = o->observers[i];
    hw_loop_spec spec = {ev, opt, r->seed, c->budget, batch, threads, t0, o->stop, obs, n_obs};
    rc = hw_loop_run(&spec, NULL, e);
done:
    if (w.f && fclose(w.f) != 0 && rc == HW_OK) rc = hw_fail(e, HW_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    if (rc == HW_OK && r->status == HW_RUN_DONE && rename(tmp, r->log) != 0)
        rc = hw_fail(e, HW_EIO, "%s: cannot rename to %s: %s", tmp, r->log, strerror(errno));
    if (rc) r->status = HW_RUN_PENDING;
    hw_optimizer_destroy(opt);
    hw_jbuf_free(&w.b);
    hw_front_free(&w.front);
    free(fbuf);
    free(obs);
    return rc;
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
    size_t *todo = malloc(n_run * sizeof *todo);
    int *rcs = calloc(n_run, sizeof *rcs);
    hw_err *errs = calloc(n_run, sizeof *errs);
    hw_evaluator *ev = NULL;
    int rc = todo && rcs && errs ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    if (!rc) rc = hw_evaluator_create(c->problem, &ev, e);
    if (!rc) rc = hw_run_make_dir(c, e);
    if (rc) { free(todo); free(rcs); free(errs); hw_evaluator_destroy(ev); return rc; }
    n_run = 0;
    for (size_t i = 0; i < c->n_seeds; i++)
        if (res[i].status == HW_RUN_PENDING) todo[n_run++] = i;

    int outer = (size_t)c->threads < n_run ? c->threads : (int)n_run;
    if (outer < 1) outer = 1;
    int inner = c->threads / outer > 1 ? c->threads / outer : 1;
    run_progress prog;
    hw_progress_init(&prog.prog, o->quiet);
    prog.done = 0;
    prog.total = n_run * (size_t)c->budget;
    if (n_run == 1)
        snprintf(prog.label, sizeof prog.label, "%s seed %llu", c->name, (unsigned long long)res[todo[0]].seed);
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
            rcs[k] = run_seed(c, ev, o, inner, &prog, &res[todo[k]], &errs[k]);
            if (rcs[k]) {
#pragma omp atomic write
                failed = 1;
            }
        }
    } else {
        for (long k = 0; k < nn && !failed; k++) {
            if (o->stop && *o->stop) break; /* not started: stays pending */
            rcs[k] = run_seed(c, ev, o, inner, &prog, &res[todo[k]], &errs[k]);
            failed = rcs[k] != 0;
        }
    }
    hw_progress_done(&prog.prog);
    for (size_t k = 0; k < n_run && !rc; k++)
        if (rcs[k]) {
            rc = rcs[k];
            *e = errs[k];
            hw_err_prefix(e, "%s: seed %llu", c->file, (unsigned long long)res[todo[k]].seed);
        }
    free(todo); free(rcs); free(errs);
    hw_evaluator_destroy(ev);
    return rc;
}
