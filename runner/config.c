/* runner/config.c — experiment config parsing and validation, see config.h. */
#include "runner/config.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"

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
    if (c->problem) hw_problem_destroy(c->problem);
    cJSON_Delete(c->root);
    free(c->seeds);
    free(c->ref);
    memset(c, 0, sizeof *c);
}

/* Everything except the problem and optimizer. */
static int config_parse(const char *file, const char *text, const hw_optimizer_ops *ops, const hw_config_overrides *a,
                        hw_run_config *c, hw_err *e)
{
    static const char *const keys[] = {"name", "description", "problem", "optimizer", "budget", "seeds",
                                       "reference_point", "threads", "output", NULL};
    static const char *const budget_keys[] = {"evaluations", NULL};
    memset(c, 0, sizeof *c);
    c->file = file;
    struct stat st;
    if (!text && stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a JSON config file", file);
    int rc = text ? hwj_parse(text, file, &c->root, e) : hwj_load_file(file, &c->root, e);
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
    const char *opt_name = NULL;
    if ((rc = hwj_get_string(c->optimizer_cfg, "optimizer", "name", 1, &opt_name, e))) goto fail;
    c->ops = ops && strcmp(opt_name, ops->name) == 0 ? ops : hw_optimizer_find(opt_name);
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
static int config_check_components(hw_run_config *c, hw_err *e)
{
    hw_problem *p = NULL;
    int rc = hw_problem_create(c->problem_cfg, "problem", &p, e);
    if (rc) goto fail;
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
    rc = hw_optimizer_create(c->ops, p, c->optimizer_cfg, "optimizer", c->seeds[0], &o, e);
    if (rc) goto fail;
    hw_optimizer_destroy(o);
    c->problem = p;
    return HW_OK;
fail:
    if (p) hw_problem_destroy(p);
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
    int rc = config_parse(file, text, ops, ov, c, e);
    if (!rc) rc = config_check_components(c, e);
    if (rc) hw_config_free(c);
    return rc;
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
    return d;
}

