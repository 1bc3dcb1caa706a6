/* runner/logset.c — logs read from files and directories and grouped by
 * problem and optimizer (runner/logset.h). */
#include "runner/logset.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char **p;
    size_t n, cap;
} path_list;

static int path_push(path_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **q = realloc(l->p, cap * sizeof *q);
        if (!q) return HW_ENOMEM;
        l->p = q;
        l->cap = cap;
    }
    size_t len = strlen(s);
    if (!(l->p[l->n] = malloc(len + 1))) return HW_ENOMEM;
    memcpy(l->p[l->n++], s, len + 1);
    return HW_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_log_name(const char *name, unsigned flags)
{
    if (ends_with(name, ".jsonl") || ends_with(name, ".jsonl.gz")) return 1;
    return (flags & HW_LOG_ALLOW_INCOMPLETE) && (ends_with(name, ".jsonl.tmp") || ends_with(name, ".jsonl.gz.tmp"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the logs under dir (recursively, names sorted per directory). */
static int walk(const char *dir, unsigned flags, path_list *out, int depth, hw_err *e)
{
    if (depth > 64) return hw_fail(e, HW_EINVAL, "%s: directories nested more than 64 deep", dir);
    DIR *d = opendir(dir);
    if (!d) return hw_fail(e, HW_EIO, "%s: cannot open the directory: %s", dir, strerror(errno));
    path_list names = {0};
    int rc = HW_OK;
    struct dirent *de;
    while (rc == HW_OK && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) rc = path_push(&names, de->d_name);
    closedir(d);
    if (rc) rc = hw_fail(e, HW_ENOMEM, "out of memory");
    if (names.n) qsort(names.p, names.n, sizeof *names.p, cmp_str);
    for (size_t i = 0; rc == HW_OK && i < names.n; i++) {
        size_t len = strlen(dir) + strlen(names.p[i]) + 2;
        char *full = malloc(len);
        if (!full) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); break; }
        snprintf(full, len, "%s/%s", dir, names.p[i]);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) rc = walk(full, flags, out, depth + 1, e);
        else if (is_log_name(names.p[i], flags) && path_push(out, full)) rc = hw_fail(e, HW_ENOMEM, "out of memory");
        free(full);
    }
    for (size_t i = 0; i < names.n; i++) free(names.p[i]);
    free(names.p);
    return rc;
}

static int collect(char *const *args, int n_args, unsigned flags, path_list *out, hw_err *e)
{
    for (int i = 0; i < n_args; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) return hw_fail(e, HW_EIO, "%s: %s", args[i], strerror(errno));
        if (!S_ISDIR(st.st_mode)) {
            if (path_push(out, args[i])) return hw_fail(e, HW_ENOMEM, "out of memory");
            continue;
        }
        size_t before = out->n;
        int rc = walk(args[i], flags, out, 0, e);
        if (rc) return rc;
        if (out->n == before)
            return hw_fail(e, HW_EINVAL, "%s: no logs (*.jsonl, *.jsonl.gz) in this directory", args[i]);
    }
    return HW_OK;
}

/* "problem[/device]/obj1+obj2"; no device part when objectives name their
 * own ("hwgpt-l/perplexity+latency@a100+energy@cpu_xeon_gold"). */
static char *problem_label(const hw_log *l)
{
    const char *device = NULL;
    cJSON *cfg = cJSON_Parse(l->config_problem);
    const cJSON *dv = cJSON_IsObject(cfg) ? cJSON_GetObjectItemCaseSensitive(cfg, "device") : NULL;
    if (cJSON_IsString(dv)) device = dv->valuestring;
    for (int k = 0; k < l->n_obj; k++)
        if (strchr(l->obj_names[k], '@')) device = NULL;
    size_t len = strlen(l->problem) + (device ? strlen(device) + 1 : 0) + 2;
    for (int k = 0; k < l->n_obj; k++) len += strlen(l->obj_names[k]) + 1;
    char *s = malloc(len);
    if (s) {
        size_t at = (size_t)snprintf(s, len, "%s%s%s/", l->problem, device ? "/" : "", device ? device : "");
        for (int k = 0; k < l->n_obj; k++) at += (size_t)snprintf(s + at, len - at, "%s%s", k ? "+" : "", l->obj_names[k]);
    }
    cJSON_Delete(cfg);
    return s;
}

typedef struct {
    hw_log *log;
    char *label;
} keyed_log;

static int cmp_keyed_log(const void *a, const void *b)
{
    const keyed_log *p = a, *q = b;
    int c;
    if ((c = strcmp(p->label, q->label))) return c;
    if ((c = strcmp(p->log->config_problem, q->log->config_problem))) return c;
    if ((c = strcmp(p->log->optimizer, q->log->optimizer))) return c;
    if ((c = strcmp(p->log->config_optimizer, q->log->config_optimizer))) return c;
    if (p->log->seed != q->log->seed) return p->log->seed < q->log->seed ? -1 : 1;
    return strcmp(p->log->path, q->log->path);
}

static int same_doubles(const double *a, const double *b, int n)
{
    if (!a || !b) return a == b;
    return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

/* The checks of logset.h between neighbours a, b of the sorted list. */
static int check_pair(const keyed_log *a, const keyed_log *b, hw_err *e)
{
    const hw_log *x = a->log, *y = b->log;
    if (strcmp(a->label, b->label)) return HW_OK;
    if (strcmp(x->config_problem, y->config_problem))
        return hw_fail(e, HW_EINVAL, "%s and %s: two problem configs under one label '%s' (%s vs %s); summarise them "
                       "separately", x->path, y->path, a->label, x->config_problem, y->config_problem);
    if (!same_doubles(x->ref, y->ref, x->n_obj))
        return hw_fail(e, HW_EINVAL, "%s and %s: runs of problem '%s' with different reference points", x->path,
                       y->path, a->label);
    if (!same_doubles(x->obj_lo, y->obj_lo, x->n_obj) || !same_doubles(x->obj_hi, y->obj_hi, x->n_obj))
        return hw_fail(e, HW_EINVAL, "%s and %s: runs of problem '%s' with different objective bounds (obj_lo, "
                       "obj_hi): different problems under one label", x->path, y->path, a->label);
    if (strcmp(x->optimizer, y->optimizer)) return HW_OK;
    if (strcmp(x->config_optimizer, y->config_optimizer))
        return hw_fail(e, HW_EINVAL, "%s and %s: two configs of optimizer '%s' on problem '%s' (%s vs %s); summarise "
                       "them separately", x->path, y->path, x->optimizer, a->label, x->config_optimizer,
                       y->config_optimizer);
    if (x->seed == y->seed)
        return hw_fail(e, HW_EINVAL, "%s and %s: the same run (%s on %s, seed %llu) twice", x->path, y->path,
                       x->optimizer, a->label, (unsigned long long)x->seed);
    return HW_OK;
}

/* Fills s->problems / groups from the sorted logs and their labels. */
static int build_groups(hw_logset *s, keyed_log *k, hw_err *e)
{
    size_t n = s->n_logs;
    s->problems = calloc(n, sizeof *s->problems);
    if (!s->problems) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(k[j].label, k[i].label) == 0) j++;
        hw_logset_problem *p = &s->problems[s->n_problems++];
        p->label = k[i].label;
        k[i].label = NULL;
        p->config = s->logs[i].config_problem;
        p->n_obj = s->logs[i].n_obj;
        p->first = i;
        p->count = j - i;
        if (!(p->groups = calloc(j - i, sizeof *p->groups))) return hw_fail(e, HW_ENOMEM, "out of memory");
        for (size_t a = i; a < j;) {
            size_t b = a;
            while (b < j && strcmp(s->logs[b].optimizer, s->logs[a].optimizer) == 0) b++;
            p->groups[p->n_groups++] = (hw_logset_group){s->logs[a].optimizer, s->logs[a].config_optimizer, a, b - a};
            a = b;
        }
        i = j;
    }
    return HW_OK;
}

int hw_logset_read(char *const *args, int n_args, unsigned flags, hw_progress *progress, hw_logset *s, hw_err *e)
{
    memset(s, 0, sizeof *s);
    path_list paths = {0};
    keyed_log *k = NULL;
    hw_log *read = NULL;
    int rc = collect(args, n_args, flags, &paths, e);
    if (rc == HW_OK && paths.n == 0) rc = hw_fail(e, HW_EINVAL, "no logs given");
    if (rc == HW_OK && (!(read = calloc(paths.n, sizeof *read)) || !(k = calloc(paths.n, sizeof *k))))
        rc = hw_fail(e, HW_ENOMEM, "out of memory");
    size_t n_read = 0;
    for (; rc == HW_OK && n_read < paths.n; n_read++) {
        rc = hw_log_read(paths.p[n_read], flags & ~(unsigned)HW_LOG_KEEP_GENOMES, &read[n_read], e);
        if (rc == HW_OK && !(k[n_read].label = problem_label(&read[n_read]))) rc = hw_fail(e, HW_ENOMEM, "out of memory");
        k[n_read].log = &read[n_read];
        if (progress) hw_progress_update(progress, "logs read", n_read + 1, paths.n);
    }
    if (progress) hw_progress_done(progress);
    if (rc == HW_OK) {
        qsort(k, paths.n, sizeof *k, cmp_keyed_log);
        for (size_t i = 1; rc == HW_OK && i < paths.n; i++) rc = check_pair(&k[i - 1], &k[i], e);
    }
    if (rc == HW_OK) {
        /* the logs in sorted order, moved (not copied) into s->logs */
        if (!(s->logs = malloc(paths.n * sizeof *s->logs))) rc = hw_fail(e, HW_ENOMEM, "out of memory");
        else {
            for (size_t i = 0; i < paths.n; i++) {
                s->logs[i] = *k[i].log;
                memset(k[i].log, 0, sizeof *k[i].log);
            }
            s->n_logs = paths.n;
            rc = build_groups(s, k, e);
        }
    }
    for (size_t i = 0; i < n_read && read; i++) hw_log_free(&read[i]);
    for (size_t i = 0; k && i < paths.n; i++) free(k[i].label);
    for (size_t i = 0; i < paths.n; i++) free(paths.p[i]);
    free(paths.p);
    free(read);
    free(k);
    return rc;
}

void hw_logset_free(hw_logset *s)
{
    if (!s) return;
    for (int p = 0; p < s->n_problems; p++) {
        free(s->problems[p].label);
        free(s->problems[p].groups);
    }
    free(s->problems);
    for (size_t i = 0; i < s->n_logs; i++) hw_log_free(&s->logs[i]);
    free(s->logs);
    memset(s, 0, sizeof *s);
}
