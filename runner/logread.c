/* runner/logread.c — trajectory log reader, see logread.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/json.h"
#include "core/lines.h"
#include "runner/logread.h"
#include "runner/logschema.h"

void hw_log_free(hw_log *log)
{
    if (!log) return;
    if (log->obj_names)
        for (int k = 0; k < log->n_obj; k++) free(log->obj_names[k]);
    if (log->genome)
        for (size_t i = 0; i < log->n_eval; i++) free(log->genome[i]);
    free(log->path); free(log->name); free(log->problem); free(log->optimizer);
    free(log->config_problem); free(log->config_optimizer);
    free(log->obj_names); free(log->ref); free(log->obj_lo); free(log->obj_hi);
    if (log->front_genome)
        for (size_t i = 0; i < log->n_front; i++) free(log->front_genome[i]);
    free(log->f); free(log->eval_id); free(log->genome); free(log->front_f); free(log->front_eval);
    free(log->front_genome);
    memset(log, 0, sizeof *log);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Parses one line; the error names FILE:LINE and the column. */
static int parse_line(const char *text, const char *path, long ln, cJSON **out, hw_err *e)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    if (!j) {
        long col = end ? (long)(end - text) + 1 : 1;
        char near[24];
        size_t k = 0;
        for (const char *q = end ? end : text; *q && k < sizeof near - 1; q++) near[k++] = *q;
        near[k] = 0;
        if (end && *end == 0)
            return hw_fail(e, HW_EPARSE, "%s:%ld: invalid JSON: line ends early (truncated?)", path, ln);
        return hw_fail(e, HW_EPARSE, "%s:%ld: invalid JSON at column %ld near '%s'", path, ln, col, near);
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return hw_fail(e, HW_EPARSE, "%s:%ld: expected a JSON object", path, ln);
    }
    *out = j;
    return HW_OK;
}

static int get_str_dup(const cJSON *o, const char *key, char **out, hw_err *e)
{
    const char *s = NULL;
    int rc = hwj_get_string(o, "", key, 1, &s, e);
    if (rc) return rc;
    if (!(*out = dup_str(s))) return hw_fail(e, HW_ENOMEM, "out of memory");
    return HW_OK;
}

/* The metadata config's member key as compact JSON ("null" when absent). */
static int config_member(const cJSON *m, const char *key, char **out, hw_err *e)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(m, HW_LOG_CONFIG);
    const cJSON *v = cJSON_IsObject(cfg) ? cJSON_GetObjectItemCaseSensitive(cfg, key) : NULL;
    *out = v ? cJSON_PrintUnformatted(v) : dup_str("null");
    if (!*out) return hw_fail(e, HW_ENOMEM, "out of memory");
    return HW_OK;
}

static int read_meta(const cJSON *m, hw_log *log, hw_err *e)
{
    if (cJSON_GetObjectItemCaseSensitive(m, HW_LOG_EVAL) || cJSON_GetObjectItemCaseSensitive(m, HW_LOG_SUMMARY))
        return hw_fail(e, HW_EPARSE, "expected the metadata line first, got an evaluation or summary line");
    int rc;
    long long v = 0;
    if ((rc = get_str_dup(m, HW_LOG_NAME, &log->name, e))) return rc;
    if ((rc = get_str_dup(m, HW_LOG_PROBLEM, &log->problem, e))) return rc;
    if ((rc = get_str_dup(m, HW_LOG_OPTIMIZER, &log->optimizer, e))) return rc;
    if ((rc = hwj_get_int(m, "", HW_LOG_SEED, 1, 0, 9007199254740992LL, &v, e))) return rc;
    log->seed = (uint64_t)v;
    if ((rc = hwj_get_int(m, "", HW_LOG_N_VAR, 1, 0, 1000000000LL, &v, e))) return rc;
    log->n_var = (int)v;
    if ((rc = hwj_get_int(m, "", HW_LOG_BUDGET, 1, 1, 1000000000LL, &log->budget, e))) return rc;
    if ((rc = config_member(m, "problem", &log->config_problem, e))) return rc;
    if ((rc = config_member(m, "optimizer", &log->config_optimizer, e))) return rc;
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(m, HW_LOG_OBJECTIVES);
    if (!names) return hw_fail(e, HW_EPARSE, "objectives: missing");
    int no = cJSON_GetArraySize(names);
    if (!cJSON_IsArray(names) || no < 1 || no > HW_LOG_MAX_OBJ)
        return hw_fail(e, HW_EPARSE, "objectives: expected an array of 1 to %d names", HW_LOG_MAX_OBJ);
    if (!(log->obj_names = calloc((size_t)no, sizeof *log->obj_names))) return hw_fail(e, HW_ENOMEM, "out of memory");
    log->n_obj = no;
    int k = 0;
    for (const cJSON *c = names->child; c; c = c->next, k++) {
        if (!cJSON_IsString(c) || !c->valuestring[0])
            return hw_fail(e, HW_EPARSE, "objectives[%d]: expected a non-empty string", k);
        if (!(log->obj_names[k] = dup_str(c->valuestring))) return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    size_t n = 0;
    const size_t d = (size_t)no;
    if ((rc = hwj_get_double_array(m, "", HW_LOG_REF, 1, d, d, -HUGE_VAL, HUGE_VAL, &log->ref, &n, e)))
        return rc;
    int has_lo = cJSON_GetObjectItemCaseSensitive(m, HW_LOG_OBJ_LO) != NULL;
    int has_hi = cJSON_GetObjectItemCaseSensitive(m, HW_LOG_OBJ_HI) != NULL;
    if (has_lo != has_hi) return hw_fail(e, HW_EPARSE, "%s: present without %s", has_lo ? "obj_lo" : "obj_hi", has_lo ? "obj_hi" : "obj_lo");
    if (has_lo) {
        if ((rc = hwj_get_double_array(m, "", HW_LOG_OBJ_LO, 1, d, d, -HUGE_VAL, HUGE_VAL, &log->obj_lo, &n, e))) return rc;
        if ((rc = hwj_get_double_array(m, "", HW_LOG_OBJ_HI, 1, d, d, -HUGE_VAL, HUGE_VAL, &log->obj_hi, &n, e))) return rc;
        for (size_t i = 0; i < d; i++)
            if (!(log->obj_hi[i] > log->obj_lo[i]))
                return hw_fail(e, HW_EPARSE, "obj_hi[%zu]: %.17g is not above obj_lo[%zu] = %.17g", i,
                               log->obj_hi[i], i, log->obj_lo[i]);
    }
    return HW_OK;
}

/* x as the numbers separated by spaces, each in its shortest round-trip form. */
static char *format_x(const cJSON *x)
{
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    s[0] = 0;
    for (const cJSON *c = x->child; c; c = c->next) {
        char num[40];
        hwj_format_double(num, sizeof num, c->valuedouble);
        size_t m = strlen(num);
        if (len + m + 2 > cap) {
            while (len + m + 2 > cap) cap *= 2;
            char *t = realloc(s, cap);
            if (!t) { free(s); return NULL; }
            s = t;
        }
        if (len) s[len++] = ' ';
        memcpy(s + len, num, m + 1);
        len += m;
    }
    return s;
}

static int read_numbers(const cJSON *o, const char *key, size_t want, double *out, hw_err *e)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!a) return hw_fail(e, HW_EPARSE, "%s: missing", key);
    if (!cJSON_IsArray(a)) return hw_fail(e, HW_EPARSE, "%s: expected an array of %zu numbers", key, want);
    if ((size_t)cJSON_GetArraySize(a) != want)
        return hw_fail(e, HW_EPARSE, "%s: expected %zu numbers, got %d", key, want, cJSON_GetArraySize(a));
    size_t i = 0;
    for (const cJSON *c = a->child; c; c = c->next, i++) {
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
            return hw_fail(e, HW_EPARSE, "%s[%zu]: expected a finite number", key, i);
        if (out) out[i] = c->valuedouble;
    }
    return HW_OK;
}

static int read_eval(const cJSON *o, hw_log *log, unsigned flags, hw_err *e)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_EVAL);
    if (log->level == HW_LOG_LEVEL_SUMMARY)
        return hw_fail(e, HW_EPARSE, "an evaluation line in a log written with \"log\": \"summary\" (expected none)");
    if (log->level == HW_LOG_LEVEL_ALL) {
        if (!cJSON_IsNumber(id) || id->valuedouble != (double)log->n_eval)
            return hw_fail(e, HW_EPARSE, "eval: expected %zu (evaluations in order from 0)", log->n_eval);
    } else {
        double after = log->n_eval ? (double)log->eval_id[log->n_eval - 1] : -1;
        if (!cJSON_IsNumber(id) || id->valuedouble <= after || id->valuedouble != floor(id->valuedouble) ||
            id->valuedouble > 1e15)
            return hw_fail(e, HW_EPARSE, "eval: expected an integer above %.0f (evaluations in increasing order)", after);
    }
    log->eval_id[log->n_eval] = (uint64_t)id->valuedouble;
    const size_t d = (size_t)log->n_obj;
    int rc = read_numbers(o, HW_LOG_F, d, log->f + log->n_eval * d, e);
    if (rc) return rc;
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_X);
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_ARCH);
    if (!x == !arch) return hw_fail(e, HW_EPARSE, "expected exactly one of 'x' and 'arch'");
    hw_log_genome kind = x ? HW_LOG_GENOME_X : HW_LOG_GENOME_ARCH;
    if (log->genome_kind && kind != log->genome_kind)
        return hw_fail(e, HW_EPARSE, "'%s' where earlier lines have '%s'", x ? "x" : "arch", x ? "arch" : "x");
    log->genome_kind = kind;
    if (x && (rc = read_numbers(o, HW_LOG_X, (size_t)log->n_var, NULL, e))) return rc;
    if (arch && !cJSON_IsString(arch)) return hw_fail(e, HW_EPARSE, "arch: expected a string");
    if (flags & HW_LOG_KEEP_GENOMES) {
        char *g = x ? format_x(x) : dup_str(arch->valuestring);
        if (!g) return hw_fail(e, HW_ENOMEM, "out of memory");
        log->genome[log->n_eval] = g;
    }
    log->n_eval++;
    return HW_OK;
}

/* The line holding evaluation id (eval_id is increasing), n_eval if none. */
static size_t line_of_eval(const hw_log *log, uint64_t id)
{
    size_t lo = 0, hi = log->n_eval;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->eval_id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < log->n_eval && log->eval_id[lo] == id ? lo : log->n_eval;
}

/* The summary's front_arch / front_x as text (HW_LOG_KEEP_GENOMES), nf entries. */
static int read_front_genomes(const cJSON *o, hw_log *log, size_t nf, hw_err *e)
{
    const char *key = log->genome_kind == HW_LOG_GENOME_X ? HW_LOG_FRONT_X
                      : log->genome_kind == HW_LOG_GENOME_ARCH ? HW_LOG_FRONT_ARCH
                      : cJSON_GetObjectItemCaseSensitive(o, HW_LOG_FRONT_X) ? HW_LOG_FRONT_X : HW_LOG_FRONT_ARCH;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(g) || (size_t)cJSON_GetArraySize(g) != nf)
        return hw_fail(e, HW_EPARSE, "%s: expected an array of %zu genomes (one per front point)", key, nf);
    if (!(log->front_genome = calloc(nf ? nf : 1, sizeof *log->front_genome))) return hw_fail(e, HW_ENOMEM, "out of memory");
    const int is_x = strcmp(key, HW_LOG_FRONT_X) == 0;
    size_t i = 0;
    for (const cJSON *c = g->child; c; c = c->next, i++) {
        if (is_x ? !cJSON_IsArray(c) || cJSON_GetArraySize(c) != log->n_var : !cJSON_IsString(c))
            return hw_fail(e, HW_EPARSE, "%s[%zu]: expected %s", key, i, is_x ? "the genome's numbers" : "a string");
        for (const cJSON *v = is_x ? c->child : NULL; v; v = v->next)
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
                return hw_fail(e, HW_EPARSE, "%s[%zu]: expected finite numbers", key, i);
        if (!(log->front_genome[i] = is_x ? format_x(c) : dup_str(c->valuestring)))
            return hw_fail(e, HW_ENOMEM, "out of memory");
    }
    if (!log->genome_kind) log->genome_kind = is_x ? HW_LOG_GENOME_X : HW_LOG_GENOME_ARCH;
    return HW_OK;
}

/* A sparse log's summary says its level and its evaluation lines. */
static int check_sparse_summary(const cJSON *o, const hw_log *log, hw_err *e)
{
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_LEVEL);
    const char *want = HW_LOG_LEVEL_NAMES[log->level];
    if (!cJSON_IsString(lv) || strcmp(lv->valuestring, want) != 0)
        return hw_fail(e, HW_EPARSE, "log: expected \"%s\" (the config's log level)", want);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_LINES);
    if (!cJSON_IsNumber(n) || n->valuedouble != (double)log->n_eval)
        return hw_fail(e, HW_EPARSE, "log_lines: expected %zu, the evaluation lines of the log (a line lost?)",
                       log->n_eval);
    return HW_OK;
}

static int read_summary(const cJSON *o, hw_log *log, unsigned flags, hw_err *e)
{
    long long evals = 0;
    int rc = hwj_get_int(o, "", HW_LOG_EVALUATIONS, 1, 0, 1000000000LL, &evals, e);
    if (rc) return rc;
    if (log->level == HW_LOG_LEVEL_ALL && (size_t)evals != log->n_eval)
        return hw_fail(e, HW_EPARSE, "evaluations: %lld, but the log has %zu evaluation lines", evals, log->n_eval);
    if (log->n_eval && (double)evals <= (double)log->eval_id[log->n_eval - 1])
        return hw_fail(e, HW_EPARSE, "evaluations: %lld, but the log has evaluation %llu", evals,
                       (unsigned long long)log->eval_id[log->n_eval - 1]);
    log->evaluations = evals;
    if ((rc = hwj_get_double(o, "", HW_LOG_HYPERVOLUME, 1, 0, HUGE_VAL, &log->hypervolume, e))) return rc;
    const cJSON *front = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_FRONT);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, HW_LOG_FRONT_EVAL);
    if (!cJSON_IsArray(front)) return hw_fail(e, HW_EPARSE, "front: expected an array of points");
    if (!cJSON_IsArray(ids)) return hw_fail(e, HW_EPARSE, "front_eval: expected an array of eval ids");
    size_t nf = (size_t)cJSON_GetArraySize(front);
    if ((size_t)cJSON_GetArraySize(ids) != nf)
        return hw_fail(e, HW_EPARSE, "front_eval: %d ids for %zu front points", cJSON_GetArraySize(ids), nf);
    const size_t d = (size_t)log->n_obj;
    log->front_f = malloc((nf ? nf : 1) * d * sizeof *log->front_f);
    log->front_eval = malloc((nf ? nf : 1) * sizeof *log->front_eval);
    if (!log->front_f || !log->front_eval) return hw_fail(e, HW_ENOMEM, "out of memory");
    size_t i = 0;
    const cJSON *p = front->child, *q = ids->child;
    for (; p && q; p = p->next, q = q->next, i++) {
        if (!cJSON_IsArray(p) || (size_t)cJSON_GetArraySize(p) != d)
            return hw_fail(e, HW_EPARSE, "front[%zu]: expected an array of %zu numbers", i, d);
        size_t k = 0;
        for (const cJSON *c = p->child; c; c = c->next, k++) {
            if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
                return hw_fail(e, HW_EPARSE, "front[%zu][%zu]: expected a finite number", i, k);
            log->front_f[i * d + k] = c->valuedouble;
        }
        if (!cJSON_IsNumber(q) || q->valuedouble < 0 || q->valuedouble >= (double)evals ||
            q->valuedouble != floor(q->valuedouble))
            return hw_fail(e, HW_EPARSE, "front_eval[%zu]: expected an eval id below %lld", i, evals);
        log->front_eval[i] = (uint64_t)q->valuedouble;
        size_t row = line_of_eval(log, log->front_eval[i]);
        if (log->level != HW_LOG_LEVEL_SUMMARY && row == log->n_eval)
            return hw_fail(e, HW_EPARSE, "front_eval[%zu]: evaluation %llu has no line", i,
                           (unsigned long long)log->front_eval[i]);
        if (row < log->n_eval && memcmp(log->front_f + i * d, log->f + row * d, d * sizeof(double)) != 0)
            return hw_fail(e, HW_EPARSE, "front[%zu]: differs from the f of evaluation %llu", i,
                           (unsigned long long)log->front_eval[i]);
    }
    log->n_front = nf;
    if (log->level != HW_LOG_LEVEL_ALL && (rc = check_sparse_summary(o, log, e))) return rc;
    if ((flags & HW_LOG_KEEP_GENOMES) && (rc = read_front_genomes(o, log, nf, e))) return rc;
    if ((rc = hwj_get_double(o, "", HW_LOG_WALL_S, 0, 0, HUGE_VAL, &log->wall_s, e))) return rc;
    log->complete = 1;
    return HW_OK;
}

/* 1 when the reader is at the end of the file (the line just read was the
 * last one).  A log cut by a full disk or kill -9 ends in a partial line. */
static int is_last_line(hw_lines *lr)
{
    char *line;
    size_t len;
    return hw_lines_next(lr, &line, &len, NULL) == 0;
}

static int hw_log_gz_name(const char *path)
{
    return ends_with(path, ".gz") || ends_with(path, ".gz.tmp");
}

/* The log level, from the metadata's config ("log"; absent: "all"); a
 * sparse log is refused unless the caller accepts it. */
static int read_level(const cJSON *meta, const char *path, unsigned flags, hw_log *log, hw_err *e)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(meta, HW_LOG_CONFIG);
    const cJSON *lv = cJSON_IsObject(cfg) ? cJSON_GetObjectItemCaseSensitive(cfg, HW_LOG_LEVEL) : NULL;
    log->level = HW_LOG_LEVEL_ALL;
    if (!lv) return HW_OK;
    int k = 0;
    while (cJSON_IsString(lv) && HW_LOG_LEVEL_NAMES[k] && strcmp(HW_LOG_LEVEL_NAMES[k], lv->valuestring) != 0) k++;
    if (!cJSON_IsString(lv) || !HW_LOG_LEVEL_NAMES[k])
        return hw_fail(e, HW_EPARSE, "config.log: expected \"all\", \"front\" or \"summary\"");
    log->level = k;
    if (k != HW_LOG_LEVEL_ALL && !(flags & HW_LOG_ALLOW_SPARSE))
        return hw_fail(e, HW_EINVAL,
                       "written with \"log\": \"%s\" (%s); this command needs a log of every evaluation (\"log\": \"all\")",
                       HW_LOG_LEVEL_NAMES[k], k == HW_LOG_LEVEL_FRONT ? "only the front over time" : "only the summary");
    (void)path;
    return HW_OK;
}

int hw_log_read(const char *path, unsigned flags, hw_log *log, hw_err *e)
{
    memset(log, 0, sizeof *log);
    if (!(log->path = dup_str(path))) return hw_fail(e, HW_ENOMEM, "out of memory");
    if (ends_with(path, ".tmp") && !(flags & HW_LOG_ALLOW_INCOMPLETE))
        return hw_fail(e, HW_EINVAL, "%s: an incomplete log (.tmp: run in progress or interrupted); "
                       "--allow-incomplete reads it", path);
    hw_lines *lr = NULL;
    int rc = hw_lines_open(path, &lr, e);
    if (rc) return rc;
    size_t cap = 0;
    char *line;
    size_t len;
    long ln = 0;
    cJSON *j = NULL;
    while ((rc = hw_lines_next(lr, &line, &len, e)) == 1) {
        ln = hw_lines_number(lr);
        if (log->complete) { rc = hw_fail(e, HW_EPARSE, "%s:%ld: a line after the summary line", path, ln); break; }
        if (len == 0) { rc = hw_fail(e, HW_EPARSE, "%s:%ld: empty line", path, ln); break; }
        if ((rc = parse_line(line, path, ln, &j, e))) {
            if ((flags & HW_LOG_ALLOW_INCOMPLETE) && ln > 1 && is_last_line(lr)) rc = HW_OK; /* cut mid-line */
            break;
        }
        if (ln == 1) {
            rc = read_meta(j, log, e);
            if (!rc) rc = read_level(j, path, flags, log, e);
        } else if (cJSON_GetObjectItemCaseSensitive(j, HW_LOG_SUMMARY)) {
            if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, HW_LOG_SUMMARY)))
                rc = hw_fail(e, HW_EPARSE, "summary: expected true");
            else
                rc = read_summary(j, log, flags, e);
        } else {
            if (log->n_eval == cap) {
                size_t nc = cap ? 2 * cap : 1024;
                double *f = realloc(log->f, nc * (size_t)log->n_obj * sizeof *f);
                if (f) log->f = f;
                uint64_t *ids = realloc(log->eval_id, nc * sizeof *ids);
                if (ids) log->eval_id = ids;
                char **g = NULL;
                if (flags & HW_LOG_KEEP_GENOMES) {
                    g = realloc(log->genome, nc * sizeof *g);
                    if (g) log->genome = g;
                }
                if (!f || !ids || ((flags & HW_LOG_KEEP_GENOMES) && !g)) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
                cap = nc;
            }
            rc = read_eval(j, log, flags, e);
        }
        cJSON_Delete(j);
        j = NULL;
        if (rc) {
            hw_err_prefix(e, "%s:%ld", path, ln);
            break;
        }
    }
    hw_lines_close(lr);
    if (rc < 0 && (flags & HW_LOG_ALLOW_INCOMPLETE) && ln >= 1 && !log->complete && rc == HW_EIO &&
        hw_log_gz_name(path))
        rc = HW_OK; /* a gzip log cut short (kill -9): read up to where it ends */
    if (rc < 0) return rc;
    if (!log->complete) log->evaluations = log->n_eval ? (long long)log->eval_id[log->n_eval - 1] + 1 : 0;
    if (ln == 0) return hw_fail(e, HW_EPARSE, "%s: empty file (no metadata line)", path);
    if (!log->complete && !(flags & HW_LOG_ALLOW_INCOMPLETE))
        return hw_fail(e, HW_EPARSE, "%s: no summary line after %zu evaluations (incomplete log); "
                       "--allow-incomplete reads it", path, log->n_eval);
    if (!log->f && !(log->f = malloc(sizeof *log->f))) return hw_fail(e, HW_ENOMEM, "out of memory");
    if (!log->eval_id && !(log->eval_id = malloc(sizeof *log->eval_id))) return hw_fail(e, HW_ENOMEM, "out of memory");
    return HW_OK;
}
