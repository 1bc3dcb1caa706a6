/* runner/config.c — experiment config parsing and validation, see config.h. */
#include "runner/config.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"
#include "runner/logschema.h"

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

typedef struct {
    uint64_t seed;
    size_t index;
} seed_at;

static int cmp_seed_at(const void *a, const void *b)
{
    const seed_at *x = a, *y = b;
    if (x->seed != y->seed) return x->seed < y->seed ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The first index i < n whose seed equals an earlier one (n if none), in
 * O(n log n): sorted by (seed, index), each run of equal seeds repeats from
 * its second entry. */
static int first_duplicate(const uint64_t *seeds, size_t n, size_t *first, hw_err *e)
{
    *first = n;
    if (n < 2) return HW_OK;
    seed_at *s = malloc(n * sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "seeds: out of memory");
    for (size_t i = 0; i < n; i++) s[i] = (seed_at){seeds[i], i};
    qsort(s, n, sizeof *s, cmp_seed_at);
    for (size_t i = 1; i < n; i++)
        if (s[i].seed == s[i - 1].seed && s[i].index < *first) *first = s[i].index;
    free(s);
    return HW_OK;
}

static int parse_seeds(const cJSON *root, hw_run_config *c, hw_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (!v) return hw_fail(e, HW_EINVAL, "seeds: required key is missing (or pass --seed N)");
    if (!cJSON_IsArray(v) || !v->child)
        return hw_fail(e, HW_EINVAL, "seeds: expected a non-empty array of non-negative integers");
    size_t n = 0, i = 0, bad;
    for (const cJSON *s = v->child; s; s = s->next) n++;
    c->seeds = malloc(n * sizeof *c->seeds);
    if (!c->seeds) return hw_fail(e, HW_ENOMEM, "seeds: out of memory");
    for (const cJSON *s = v->child; s; s = s->next, i++) {
        double d = cJSON_IsNumber(s) ? s->valuedouble : NAN;
        if (!cJSON_IsNumber(s) || !isfinite(d) || d != floor(d) || d < 0 || d > (double)HW_RUN_MAX_SEED) break;
        c->seeds[i] = (uint64_t)d;
    }
    bad = i; /* the first element that is not a seed, n if none */
    size_t dup;
    int rc = first_duplicate(c->seeds, bad, &dup, e);
    if (rc) return rc;
    if (dup < bad)
        return hw_fail(e, HW_EINVAL, "seeds[%zu]: duplicate seed %llu", dup, (unsigned long long)c->seeds[dup]);
    if (bad < n) return hw_fail(e, HW_EINVAL, "seeds[%zu]: expected an integer in [0, 2^53 - 1]", bad);
    c->n_seeds = n;
    return HW_OK;
}

void hw_config_free(hw_run_config *c)
{
    if (!c->borrowed_problems) {
        if (c->problem) hw_problem_destroy(c->problem);
        if (c->mean_problem) hw_problem_destroy(c->mean_problem);
    }
    free(c->subdir);
    cJSON_Delete(c->root);
    free(c->seeds);
    free(c->ref);
    memset(c, 0, sizeof *c);
}

/* A grid cell's subdirectory (copied). */
static int config_subdir(hw_run_config *c, const char *subdir, hw_err *e)
{
    if (!subdir) return HW_OK;
    size_t n = strlen(subdir) + 1;
    if (!(c->subdir = malloc(n))) return hw_fail(e, HW_ENOMEM, "out of memory");
    memcpy(c->subdir, subdir, n);
    return HW_OK;
}

/* Everything except the problem and optimizer (c->root set). */
static int config_parse(const char *file, const hw_config_overrides *a, const hw_config_cell *cell, hw_run_config *c,
                        hw_err *e)
{
    static const char *const keys[] = {"name", "description", "problem", "optimizer", "budget", "seeds",
                                       "reference_point", "threads", "output", "log", "compress", NULL};
    static const char *const budget_keys[] = {"evaluations", NULL};
    c->file = file;
    int rc;
    const cJSON *root = c->root;
    const cJSON *budget = NULL;
    const char *desc = NULL;
    long long threads = 0;
    int compress = cell->default_compress;
    c->output = "results";
    if ((rc = hwj_check_keys(root, "", keys, e)) ||
        (rc = hwj_get_string(root, "", "name", 1, &c->name, e)) ||
        (rc = check_name(c->name, e)) ||
        (rc = hwj_get_string(root, "", "description", 0, &desc, e)) ||
        (rc = hwj_get_object(root, "", "problem", 1, &c->problem_cfg, e)) ||
        (rc = hwj_get_object(root, "", "optimizer", 1, &c->optimizer_cfg, e)) ||
        (rc = hwj_get_enum(root, "", "log", 0, HW_LOG_LEVEL_NAMES, &c->log_level, e)) ||
        (rc = hwj_get_bool(root, "", "compress", 0, &compress, e)) ||
        (rc = hwj_get_object(root, "", "budget", 1, &budget, e)) ||
        (rc = hwj_check_keys(budget, "budget", budget_keys, e)) ||
        (rc = hwj_get_int(budget, "budget", "evaluations", 1, 1, HW_RUN_MAX_BUDGET, &c->budget, e)) ||
        (rc = hwj_get_int(root, "", "threads", 0, 1, HW_RUN_MAX_THREADS, &threads, e)) ||
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
    c->compress = compress;
    const char *opt_name = NULL;
    if ((rc = hwj_get_string(c->optimizer_cfg, c->optimizer_path, "name", 1, &opt_name, e))) goto fail;
    c->ops = cell->ops && strcmp(opt_name, cell->ops->name) == 0 ? cell->ops : hw_optimizer_find(opt_name);
    if (!c->ops) {
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; hw_optimizer_at(i) && used < sizeof list - 64; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", hw_optimizer_at(i)->name);
        char shown[72];
        hwj_abbrev(shown, sizeof shown, opt_name);
        rc = hw_fail(e, HW_EINVAL, "%s.name: unknown optimizer '%s' (known: %s)", c->optimizer_path, shown, list);
        goto fail;
    }
    c->threads = a->threads ? a->threads : threads ? (int)threads
               : a->share_cores > 1 ? omp_get_max_threads() / a->share_cores : omp_get_max_threads();
    if (c->threads < 1) c->threads = 1;
    if (a->out) c->output = a->out;
    if ((rc = config_subdir(c, cell->subdir, e))) goto fail;
    return HW_OK;
fail:
    hw_err_prefix(e, "%s", file);
    return rc;
}

/* The hypervolume is a product of box sides (ref_k - f_k): a reference
 * point whose box (bounded by prod (|ref_k| + 1), the normalised objectives
 * lying near [0, 1]) would overflow a double is refused up front instead of
 * giving a hypervolume of inf or NaN. */
static int check_ref_box(const double *ref, int n_obj, hw_err *e)
{
    double log10_box = 0;
    for (int k = 0; k < n_obj; k++) {
        if (!isfinite(ref[k])) return hw_fail(e, HW_EINVAL, "reference_point[%d]: expected a finite number", k);
        log10_box += log10(fabs(ref[k]) + 1);
    }
    if (log10_box > 300)
        return hw_fail(e, HW_EINVAL,
                       "reference_point: its hypervolume box (up to 1e%.0f) overflows a double; choose a point "
                       "nearer the objectives' range",
                       ceil(log10_box));
    return HW_OK;
}

/* Builds the problem (kept: it serves every seed) and the optimizer once
 * with the first seed: they check their own configs.  Then checks the reference point against the problem. */
static int config_check_components(hw_run_config *c, const hw_config_cell *cell, hw_err *e)
{
    hw_problem *p = cell->problem, *mean = cell->mean_problem;
    int rc = HW_OK;
    if (!p) {
        if ((rc = hw_problem_create(c->problem_cfg, c->problem_path, &p, e))) goto fail;
        int oom = 0;
        cJSON *mcfg = hw_config_mean_problem(c->problem_cfg, &oom);
        if (oom) { rc = hw_fail(e, HW_ENOMEM, "out of memory"); goto fail; }
        if (mcfg) rc = hw_problem_create(mcfg, c->problem_path, &mean, e);
        cJSON_Delete(mcfg);
        if (rc) goto fail;
    }
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
    if ((rc = check_ref_box(c->ref ? c->ref : p->default_ref, p->n_obj, e))) goto fail;
    hw_optimizer *o = NULL;
    rc = hw_optimizer_create(c->ops, p, c->optimizer_cfg, c->optimizer_path, c->seeds[0], &o, e);
    if (rc) goto fail;
    hw_optimizer_destroy(o);
    c->problem = p;
    c->mean_problem = mean;
    c->borrowed_problems = cell->problem != NULL;
    return HW_OK;
fail:
    if (!cell->problem) {
        if (p) hw_problem_destroy(p);
        if (mean) hw_problem_destroy(mean);
    }
    hw_err_prefix(e, "%s", c->file);
    return rc;
}

int hw_config_load(const char *file, const hw_config_overrides *ov, hw_run_config *c, hw_err *e)
{
    return hw_config_load_text(file, NULL, NULL, ov, c, e);
}

int hw_config_load_text(const char *file, const char *text, const hw_optimizer_ops *ops,
                        const hw_config_overrides *ov, hw_run_config *c, hw_err *e)
{
    memset(c, 0, sizeof *c);
    /* Every OpenMP region without an explicit thread count (IGD, BO, the
     * hwgpt-mlp predictor) would start this many threads: refused before any
     * region starts (libgomp overflows its stack on absurd counts). */
    int env_threads = omp_get_max_threads();
    if (env_threads > HW_RUN_MAX_THREADS)
        return hw_fail(e, HW_EINVAL, "OMP_NUM_THREADS: expected at most %d threads, got %d", HW_RUN_MAX_THREADS,
                       env_threads);
    struct stat st;
    if (!text && stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a JSON config file", file);
    cJSON *root = NULL;
    int rc = text ? hwj_parse(text, file, &root, e) : hwj_load_file(file, &root, e);
    if (rc) return rc; /* the message already names the file */
    if (hw_config_is_grid(root)) {
        cJSON_Delete(root);
        return hw_fail(e, HW_EINVAL, "%s: a grid config (lists of optimizers, problems, scales, devices or "
                       "objectives): load it with hw_grid_load (runner/grid.h)", file);
    }
    hw_config_cell cell = {0};
    cell.ops = ops;
    return hw_config_from_json(file, root, ov, &cell, c, e);
}

int hw_config_from_json(const char *file, cJSON *root, const hw_config_overrides *ov, const hw_config_cell *cell,
                        hw_run_config *c, hw_err *e)
{
    memset(c, 0, sizeof *c);
    int env_threads = omp_get_max_threads();
    if (env_threads > HW_RUN_MAX_THREADS) {
        cJSON_Delete(root);
        return hw_fail(e, HW_EINVAL, "OMP_NUM_THREADS: expected at most %d threads, got %d", HW_RUN_MAX_THREADS,
                       env_threads);
    }
    c->root = root;
    snprintf(c->problem_path, sizeof c->problem_path, "%s", cell->problem_path ? cell->problem_path : "problem");
    snprintf(c->optimizer_path, sizeof c->optimizer_path, "%s", cell->optimizer_path ? cell->optimizer_path : "optimizer");
    int rc = config_parse(file, ov, cell, c, e);
    if (!rc) rc = config_check_components(c, cell, e);
    if (rc) hw_config_free(c);
    return rc;
}

/* 1 when the problem config p lists scales, devices or objective sets. */
static int problem_is_grid(const cJSON *p)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "objectives");
    return cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(p, "scale")) ||
           cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(p, "device")) ||
           (cJSON_IsArray(o) && o->child && cJSON_IsArray(o->child));
}

int hw_config_is_grid(const cJSON *root)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "problem");
    return cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "optimizer")) || cJSON_IsArray(p) ||
           (cJSON_IsObject(p) && problem_is_grid(p));
}

cJSON *hw_config_mean_problem(const cJSON *problem_cfg, int *oom)
{
    *oom = 0;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(problem_cfg, "noise");
    if (!cJSON_IsString(n) || strcmp(n->valuestring, "sample") != 0) return NULL;
    cJSON *d = cJSON_Duplicate(problem_cfg, 1);
    cJSON *mean = cJSON_CreateString("mean");
    if (!d || !mean) {
        cJSON_Delete(d);
        cJSON_Delete(mean);
        *oom = 1;
        return NULL;
    }
    if (!cJSON_ReplaceItemInObjectCaseSensitive(d, "noise", mean)) { /* cannot happen: the key is there */
        cJSON_Delete(d);
        cJSON_Delete(mean);
        *oom = 1;
        return NULL;
    }
    return d;
}

const double *hw_config_ref(const hw_run_config *c) { return c->ref ? c->ref : c->problem->default_ref; }

cJSON *hw_config_identity(const cJSON *cfg)
{
    cJSON *d = cJSON_Duplicate(cfg, 1);
    if (!d) return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(d, "seeds");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "threads");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "output");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "description");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "compress");
    return d;
}

