/* runner/grid.c — experiment grids, see grid.h. */
#include "runner/grid.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "runner/evaluator.h"

#define GRID_NAME_LEN 200

/* Expansion ---------------------------------------------------------------- */

/* One problem variant before it is built: its config (owned), where errors
 * name it, and its directory name. */
typedef struct {
    cJSON *cfg;
    char path[96];
    char name[GRID_NAME_LEN + 1];
} variant;

typedef struct {
    variant *v;
    size_t n, cap;
} variant_list;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Directory names: letters, digits, '_', '-', '.', '+', '@' (objectives on
 * their own device: "energy@cpu_xeon_gold"). */
static int check_dir_name(const char *name, const char *path, hw_err *e)
{
    size_t n = strlen(name);
    int ok = n > 0 && n <= GRID_NAME_LEN && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
             c == '.' || c == '+' || c == '@';
    }
    if (ok) return HW_OK;
    char shown[72];
    hwj_abbrev(shown, sizeof shown, name);
    return hw_fail(e, HW_EINVAL,
                   "%s: its runs' directory name '%s' must be 1-%d letters, digits, '_', '-', '.', '+' or '@' (set "
                   "\"label\")",
                   path, shown, GRID_NAME_LEN);
}

/* The entries of key: an object (one entry, path "key") or a non-empty array
 * of objects (path "key[i]"). */
static int entries_of(const cJSON *root, const char *key, const cJSON ***out, size_t *n, int *listed, hw_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    *out = NULL;
    *n = 0;
    *listed = cJSON_IsArray(v);
    if (!v) return hw_fail(e, HW_EINVAL, "%s: required key is missing", key);
    if (cJSON_IsObject(v)) {
        if (!(*out = malloc(sizeof **out))) return hw_fail(e, HW_ENOMEM, "out of memory");
        (*out)[0] = v;
        *n = 1;
        return HW_OK;
    }
    if (!cJSON_IsArray(v) || !v->child) return hw_fail(e, HW_EINVAL, "%s: expected an object or a non-empty list of objects", key);
    size_t m = (size_t)cJSON_GetArraySize(v), i = 0;
    if (!(*out = malloc(m * sizeof **out))) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c)) return hw_fail(e, HW_EINVAL, "%s[%zu]: expected an object", key, i);
        (*out)[i] = c;
    }
    *n = m;
    return HW_OK;
}

/* The values of a listable problem key: the array's items, or the value
 * itself (or NULL when absent) as one item.  lists_of_lists: "objectives",
 * a list only when its first item is itself a list. */
static int values_of(const cJSON *p, const char *path, const char *key, int lists_of_lists, const cJSON ***out,
                     size_t *n, hw_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
    int is_list = cJSON_IsArray(v) && (!lists_of_lists || (v->child && cJSON_IsArray(v->child)));
    *n = is_list ? (size_t)cJSON_GetArraySize(v) : 1;
    if (is_list && *n == 0) return hw_fail(e, HW_EINVAL, "%s.%s: expected a non-empty list", path, key);
    if (!(*out = malloc(*n * sizeof **out))) return hw_fail(e, HW_ENOMEM, "out of memory");
    if (!is_list) { (*out)[0] = v; return HW_OK; }
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (lists_of_lists && !cJSON_IsArray(c))
            return hw_fail(e, HW_EINVAL, "%s.%s[%zu]: expected a list of objective names (a list of lists lists "
                           "objective sets)", path, key, i);
        if (!lists_of_lists && !cJSON_IsString(c))
            return hw_fail(e, HW_EINVAL, "%s.%s[%zu]: expected a string", path, key, i);
        (*out)[i] = c;
    }
    return HW_OK;
}

static int set_item(cJSON *obj, const char *key, const cJSON *value)
{
    if (!value) return 1;
    cJSON *d = cJSON_Duplicate(value, 1);
    if (!d) return 0;
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        if (cJSON_ReplaceItemInObjectCaseSensitive(obj, key, d)) return 1;
    } else if (cJSON_AddItemToObject(obj, key, d)) return 1;
    cJSON_Delete(d);
    return 0;
}

/* The directory name of a variant: label (else name) and, for hwgpt, its
 * scale, device and objectives. */
static void variant_name(const cJSON *cfg, const char *label, char *out, size_t n)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    const char *base = label ? label : cJSON_IsString(name) ? name->valuestring : "problem";
    size_t used = (size_t)snprintf(out, n, "%s", base);
    if (!cJSON_IsString(name) || strcmp(name->valuestring, "hwgpt") != 0) return;
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(cfg, "scale");
    const cJSON *device = cJSON_GetObjectItemCaseSensitive(cfg, "device");
    const cJSON *objs = cJSON_GetObjectItemCaseSensitive(cfg, "objectives");
    used += (size_t)snprintf(out + (used < n ? used : n), used < n ? n - used : 0, "-%s",
                             cJSON_IsString(scale) ? scale->valuestring : "s");
    if (cJSON_IsString(device))
        used += (size_t)snprintf(out + (used < n ? used : n), used < n ? n - used : 0, "-%s", device->valuestring);
    if (cJSON_IsArray(objs)) {
        int first = 1;
        for (const cJSON *o = objs->child; o; o = o->next, first = 0)
            used += (size_t)snprintf(out + (used < n ? used : n), used < n ? n - used : 0, "%c%s", first ? '-' : '+',
                                     cJSON_IsString(o) ? o->valuestring : "?");
    }
}

static int variant_add(variant_list *l, cJSON *cfg, const char *path, hw_err *e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        variant *v = realloc(l->v, cap * sizeof *v);
        if (!v) { cJSON_Delete(cfg); return hw_fail(e, HW_ENOMEM, "out of memory"); }
        l->v = v;
        l->cap = cap;
    }
    variant *v = &l->v[l->n++];
    memset(v, 0, sizeof *v);
    v->cfg = cfg;
    snprintf(v->path, sizeof v->path, "%s", path);
    return HW_OK;
}

/* The variants of one problem entry (scale x device x objectives). */
static int expand_problem(const cJSON *p, const char *path, variant_list *l, hw_err *e)
{
    const cJSON **sc = NULL, **dv = NULL, **ob = NULL;
    size_t nsc = 0, ndv = 0, nob = 0;
    const char *label = NULL;
    int rc = hwj_get_string(p, path, "label", 0, &label, e);
    if (!rc) rc = values_of(p, path, "scale", 0, &sc, &nsc, e);
    if (!rc) rc = values_of(p, path, "device", 0, &dv, &ndv, e);
    if (!rc) rc = values_of(p, path, "objectives", 1, &ob, &nob, e);
    for (size_t i = 0; !rc && i < nsc; i++)
        for (size_t j = 0; !rc && j < ndv; j++)
            for (size_t k = 0; !rc && k < nob; k++) {
                cJSON *v = cJSON_Duplicate(p, 1);
                if (!v || !set_item(v, "scale", sc[i]) || !set_item(v, "device", dv[j]) ||
                    !set_item(v, "objectives", ob[k])) {
                    cJSON_Delete(v);
                    rc = hw_fail(e, HW_ENOMEM, "out of memory");
                    break;
                }
                cJSON_DeleteItemFromObjectCaseSensitive(v, "label");
                if ((rc = variant_add(l, v, path, e))) break;
                variant_name(v, label, l->v[l->n - 1].name, sizeof l->v[l->n - 1].name);
                if (strlen(l->v[l->n - 1].name) >= GRID_NAME_LEN)
                    rc = hw_fail(e, HW_EINVAL, "%s: its runs' directory name is longer than %d characters (set "
                                 "\"label\")", path, GRID_NAME_LEN);
                else
                    rc = check_dir_name(l->v[l->n - 1].name, path, e);
            }
    free(sc); free(dv); free(ob);
    return rc;
}

static void variants_free(variant_list *l)
{
    for (size_t i = 0; i < l->n; i++) cJSON_Delete(l->v[i].cfg);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Loading ------------------------------------------------------------------ */

void hw_grid_free(hw_grid *g)
{
    for (size_t i = 0; i < g->n_cells; i++) {
        hw_config_free(&g->cells[i].cfg);
        free(g->cells[i].optimizer);
        free(g->cells[i].problem);
    }
    free(g->cells);
    for (size_t i = 0; i < g->n_problems; i++) {
        if (g->problems && g->problems[i]) hw_problem_destroy(g->problems[i]);
        if (g->mean_problems && g->mean_problems[i]) hw_problem_destroy(g->mean_problems[i]);
    }
    free(g->problems);
    free(g->mean_problems);
    memset(g, 0, sizeof *g);
}

/* Builds every variant's problem (and its noise-free twin) once. */
static int build_problems(hw_grid *g, const variant_list *vl, hw_err *e)
{
    g->problems = calloc(vl->n, sizeof *g->problems);
    g->mean_problems = calloc(vl->n, sizeof *g->mean_problems);
    if (!g->problems || !g->mean_problems) return hw_fail(e, HW_ENOMEM, "out of memory");
    g->n_problems = vl->n;
    for (size_t i = 0; i < vl->n; i++) {
        int rc = hw_problem_create(vl->v[i].cfg, vl->v[i].path, &g->problems[i], e);
        if (rc) return rc;
        int oom = 0;
        cJSON *mcfg = hw_config_mean_problem(vl->v[i].cfg, &oom);
        if (oom) return hw_fail(e, HW_ENOMEM, "out of memory");
        if (mcfg) rc = hw_problem_create(mcfg, vl->v[i].path, &g->mean_problems[i], e);
        cJSON_Delete(mcfg);
        if (rc) return rc;
    }
    return HW_OK;
}

/* The cell's config: the whole config with one optimizer and one variant. */
static cJSON *cell_root(const cJSON *root, const cJSON *opt, const cJSON *problem)
{
    cJSON *d = cJSON_Duplicate(root, 1);
    cJSON *o = cJSON_Duplicate(opt, 1);
    if (o) cJSON_DeleteItemFromObjectCaseSensitive(o, "label");
    if (!d || !o || !set_item(d, "problem", problem)) { cJSON_Delete(d); cJSON_Delete(o); return NULL; }
    if (!cJSON_ReplaceItemInObjectCaseSensitive(d, "optimizer", o)) { cJSON_Delete(d); cJSON_Delete(o); return NULL; }
    return d;
}

static int make_cells(hw_grid *g, const cJSON *root, const cJSON **opts, size_t n_opt, int opt_listed,
                      const variant_list *vl, const hw_config_overrides *ov, hw_err *e)
{
    g->cells = calloc(n_opt * vl->n, sizeof *g->cells);
    if (!g->cells) return hw_fail(e, HW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_opt; i++) {
        char opath[96];
        if (opt_listed) snprintf(opath, sizeof opath, "optimizer[%zu]", i);
        else snprintf(opath, sizeof opath, "optimizer");
        const char *label = NULL, *name = NULL;
        int rc = hwj_get_string(opts[i], opath, "label", 0, &label, e);
        if (!rc) rc = hwj_get_string(opts[i], opath, "name", 1, &name, e);
        if (!rc && label) rc = check_dir_name(label, opath, e);
        if (!rc && !label) rc = check_dir_name(name, opath, e);
        if (rc) return rc;
        for (size_t j = 0; j < vl->n; j++) {
            hw_grid_cell *c = &g->cells[g->n_cells++]; /* counted now: hw_grid_free releases it on any failure */
            cJSON *cr = cell_root(root, opts[i], vl->v[j].cfg);
            c->optimizer = dup_str(label ? label : name);
            c->problem = dup_str(vl->v[j].name);
            if (!cr || !c->optimizer || !c->problem) { cJSON_Delete(cr); return hw_fail(e, HW_ENOMEM, "out of memory"); }
            c->problem_index = j;
            char sub[2 * GRID_NAME_LEN + 4];
            snprintf(sub, sizeof sub, "%s/%s", c->optimizer, c->problem);
            hw_config_cell cc = {sub, 1, g->problems[j], g->mean_problems[j], vl->v[j].path, opath, NULL};
            if ((rc = hw_config_from_json(g->file, cr, ov, &cc, &c->cfg, e))) return rc; /* prefixed with the file */
            c->problem_cfg = c->cfg.problem_cfg;
            for (size_t k = 0; k + 1 < g->n_cells; k++)
                if (strcmp(g->cells[k].optimizer, c->optimizer) == 0 && strcmp(g->cells[k].problem, c->problem) == 0)
                    return hw_fail(e, HW_EINVAL, "%s: %s on %s: the directory %s/%s is taken by another cell of the "
                                   "grid (give one a \"label\")", g->file, opath, vl->v[j].path, c->optimizer,
                                   c->problem);
        }
    }
    return HW_OK;
}

int hw_grid_load(const char *file, const hw_config_overrides *ov, hw_grid *g, hw_err *e)
{
    return hw_grid_load_text(file, NULL, ov, g, e);
}

int hw_grid_load_text(const char *file, const char *text, const hw_config_overrides *ov, hw_grid *g, hw_err *e)
{
    memset(g, 0, sizeof *g);
    g->file = file;
    struct stat st;
    if (!text && stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a JSON config file", file);
    /* Every OpenMP region without an explicit thread count would start this
     * many threads: refused before any region starts. */
    int env_threads = omp_get_max_threads();
    if (env_threads > HW_RUN_MAX_THREADS)
        return hw_fail(e, HW_EINVAL, "OMP_NUM_THREADS: expected at most %d threads, got %d", HW_RUN_MAX_THREADS,
                       env_threads);
    cJSON *root = NULL;
    int rc = text ? hwj_parse(text, file, &root, e) : hwj_load_file(file, &root, e);
    if (rc) return rc; /* names the file */
    g->is_grid = hw_config_is_grid(root);
    if (!g->is_grid) { /* a single-run config: checked as it always was, in its order */
        hw_config_overrides o = *ov;
        g->cells = calloc(1, sizeof *g->cells);
        if (!g->cells) { cJSON_Delete(root); return hw_fail(e, HW_ENOMEM, "out of memory"); }
        hw_config_cell cc = {0};
        rc = hw_config_from_json(file, root, &o, &cc, &g->cells[0].cfg, e);
        if (rc) { hw_grid_free(g); return rc; }
        hw_grid_cell *c = &g->cells[0];
        g->n_cells = 1;
        const char *oname = c->cfg.ops->name;
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(c->cfg.problem_cfg, "name");
        c->optimizer = dup_str(oname);
        c->problem = dup_str(cJSON_IsString(pn) ? pn->valuestring : c->cfg.problem->name);
        c->problem_cfg = c->cfg.problem_cfg;
        if (!c->optimizer || !c->problem) { hw_grid_free(g); return hw_fail(e, HW_ENOMEM, "out of memory"); }
        g->n_seeds = c->cfg.n_seeds;
        g->n_runs = g->n_seeds;
        g->threads = c->cfg.threads;
        return HW_OK;
    }
    {
        static const char *const keys[] = {"name", "description", "problem", "optimizer", "budget", "seeds",
                                           "reference_point", "threads", "output", "log", "compress", NULL};
        if ((rc = hwj_check_keys(root, "", keys, e))) {
            cJSON_Delete(root);
            return hw_err_prefix(e, "%s", file);
        }
    }
    const cJSON **opts = NULL, **probs = NULL;
    size_t n_opt = 0, n_prob = 0;
    int opt_listed = 0, prob_listed = 0;
    variant_list vl = {0};
    rc = entries_of(root, "optimizer", &opts, &n_opt, &opt_listed, e);
    if (!rc) rc = entries_of(root, "problem", &probs, &n_prob, &prob_listed, e);
    for (size_t i = 0; !rc && i < n_prob; i++) {
        char path[96];
        if (prob_listed) snprintf(path, sizeof path, "problem[%zu]", i);
        else snprintf(path, sizeof path, "problem");
        rc = expand_problem(probs[i], path, &vl, e);
    }
    if (rc) hw_err_prefix(e, "%s", file);
    if (!rc) {
        for (size_t i = 0; !rc && i < vl.n; i++)
            for (size_t j = 0; j < i && !rc; j++)
                if (strcmp(vl.v[i].name, vl.v[j].name) == 0 && !cJSON_Compare(vl.v[i].cfg, vl.v[j].cfg, 1))
                    rc = hw_fail(e, HW_EINVAL, "%s: %s: its runs' directory name '%s' is taken by another variant (%s); "
                                 "give one a \"label\"", file, vl.v[i].path, vl.v[i].name, vl.v[j].path);
        if (!rc && (rc = build_problems(g, &vl, e))) hw_err_prefix(e, "%s", file);
    }
    if (!rc) {
        rc = make_cells(g, root, opts, n_opt, opt_listed, &vl, ov, e);
        if (rc && rc != HW_ENOMEM && strncmp(e->msg, file, strlen(file)) != 0) hw_err_prefix(e, "%s", file);
    }
    if (!rc) {
        g->n_seeds = g->cells[0].cfg.n_seeds;
        g->n_runs = g->n_cells * g->n_seeds;
        g->threads = g->cells[0].cfg.threads;
    }
    free(opts);
    free(probs);
    variants_free(&vl);
    cJSON_Delete(root);
    if (rc) hw_grid_free(g);
    return rc;
}

/* Plan --------------------------------------------------------------------- */

int hw_grid_plan(const hw_grid *g, int force, hw_run_result *res, hw_err *e)
{
    for (size_t c = 0; c < g->n_cells; c++) {
        int rc = hw_run_plan(&g->cells[c].cfg, force, res + c * g->n_seeds, e);
        if (rc) return rc;
    }
    return HW_OK;
}

/* Running ------------------------------------------------------------------- */

typedef struct {
    hw_progress prog;
    size_t done, total;
} grid_progress;

static void progress_show(grid_progress *p)
{
    if (!p->prog.enabled) return;
    double t = hw_now();
    if (t - p->prog.last < 0.1 && p->done < p->total) return;
    p->prog.last = t;
    double el = t - p->prog.start;
    fprintf(stderr, "\r\033[Kruns %zu/%zu, %.1f s", p->done, p->total, el);
    if (p->done > 0 && p->done < p->total)
        fprintf(stderr, ", ETA %.1f s", el / (double)p->done * (double)(p->total - p->done));
    fflush(stderr);
}

int hw_grid_run(const hw_grid *g, const hw_run_options *o, int shard_index, int shard_count, hw_run_result *res,
                hw_err *e)
{
    size_t n_run = 0;
    for (size_t k = 0; k < g->n_runs; k++)
        n_run += res[k].status == HW_RUN_PENDING && hw_grid_in_shard(k, shard_index, shard_count);
    if (n_run == 0) return HW_OK;
    /* a single-run config: exactly the single-run path (its progress line counts evaluations) */
    if (!g->is_grid && shard_count <= 1) return hw_run_pending(&g->cells[0].cfg, o, res, e);
    size_t *pending = malloc(n_run * sizeof *pending);
    int *rcs = calloc(n_run, sizeof *rcs);
    hw_err *errs = calloc(n_run, sizeof *errs);
    size_t n_ev = g->n_problems ? g->n_problems : 1;
    hw_evaluator **evs = calloc(n_ev, sizeof *evs);
    int rc = pending && rcs && errs && evs ? HW_OK : hw_fail(e, HW_ENOMEM, "out of memory");
    n_run = 0;
    const hw_grid_cell *last_dir = NULL;
    for (size_t k = 0; !rc && k < g->n_runs; k++)
        if (res[k].status == HW_RUN_PENDING && hw_grid_in_shard(k, shard_index, shard_count)) {
            pending[n_run++] = k;
            const hw_grid_cell *c = hw_grid_cell_of(g, k);
            size_t pi = g->n_problems ? c->problem_index : 0;
            if (!evs[pi] && (rc = hw_evaluator_create(c->cfg.problem, &evs[pi], e))) break;
            if (c != last_dir) rc = hw_run_make_dir(&c->cfg, e);
            last_dir = c;
        }
    if (!rc) {
        int outer = (size_t)g->threads < n_run ? g->threads : (int)n_run;
        if (outer < 1) outer = 1;
        int inner = g->threads / outer > 1 ? g->threads / outer : 1;
        grid_progress prog;
        hw_progress_init(&prog.prog, o->quiet);
        prog.done = 0;
        prog.total = n_run;
        int failed = 0;
        long nn = (long)n_run;
#pragma omp parallel for schedule(dynamic, 1) num_threads(outer)
        for (long i = 0; i < nn; i++) {
            int skip;
#pragma omp atomic read
            skip = failed;
            if (skip || (o->stop && *o->stop)) continue; /* not started: stays pending */
            size_t k = pending[i];
            const hw_grid_cell *c = hw_grid_cell_of(g, k);
            rcs[i] = hw_run_seed_on(&c->cfg, evs[g->n_problems ? c->problem_index : 0], o, inner, &res[k], &errs[i]);
            if (rcs[i]) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp critical(hw_grid_progress)
            {
                prog.done++;
                progress_show(&prog);
            }
        }
        hw_progress_done(&prog.prog);
        for (size_t i = 0; i < n_run && !rc; i++)
            if (rcs[i]) {
                rc = rcs[i];
                *e = errs[i];
                const hw_grid_cell *c = hw_grid_cell_of(g, pending[i]);
                if (g->is_grid)
                    hw_err_prefix(e, "%s: %s/%s seed %llu", g->file, c->optimizer, c->problem,
                                  (unsigned long long)res[pending[i]].seed);
                else
                    hw_err_prefix(e, "%s: seed %llu", g->file, (unsigned long long)res[pending[i]].seed);
            }
    }
    for (size_t i = 0; evs && i < n_ev; i++) hw_evaluator_destroy(evs[i]);
    free(evs); free(pending); free(rcs); free(errs);
    return rc;
}

/* Gathering and printing ---------------------------------------------------- */

void hw_grid_pack(const hw_run_result *res, size_t n, double *out)
{
    for (size_t k = 0; k < n; k++) {
        const hw_run_result *r = &res[k];
        double *o = out + k * HW_GRID_PACKED;
        int mine = r->status != HW_RUN_PENDING;
        o[0] = mine ? (double)r->status : 0;
        o[1] = mine ? (double)r->evaluations : 0;
        o[2] = mine ? (double)r->front_size : 0;
        o[3] = mine ? r->hv : 0;
        o[4] = mine ? r->wall_s : 0;
        o[5] = mine ? (double)r->has_hv_mean : 0;
        o[6] = mine ? r->hv_mean : 0;
    }
}

void hw_grid_unpack(const double *in, size_t n, hw_run_result *res)
{
    for (size_t k = 0; k < n; k++) {
        hw_run_result *r = &res[k];
        const double *v = in + k * HW_GRID_PACKED;
        if (r->status != HW_RUN_PENDING || v[0] == 0) continue;
        r->status = (int)v[0];
        r->evaluations = (long long)v[1];
        r->front_size = (size_t)v[2];
        r->hv = v[3];
        r->wall_s = v[4];
        r->has_hv_mean = v[5] != 0;
        r->hv_mean = v[6];
    }
}

static void json_item(hw_jbuf *b, const char *key, const cJSON *v)
{
    if (!v) return;
    char *t = cJSON_PrintUnformatted(v);
    if (!t) { b->oom = 1; return; }
    hw_jbuf_puts(b, ",\"");
    hw_jbuf_puts(b, key);
    hw_jbuf_puts(b, "\":");
    hw_jbuf_puts(b, t);
    free(t);
}

void hw_grid_result_json(const hw_grid *g, size_t k, const hw_run_result *r, hw_jbuf *b)
{
    const hw_grid_cell *c = hw_grid_cell_of(g, k);
    if (g->is_grid) {
        hw_jbuf_puts(b, "{\"optimizer\":");
        hw_jbuf_str(b, c->optimizer);
        hw_jbuf_puts(b, ",\"problem\":");
        hw_jbuf_str(b, c->problem);
        static const char *const params[] = {"scale", "device", "objectives", "noise", NULL};
        for (size_t i = 0; params[i]; i++)
            json_item(b, params[i], cJSON_GetObjectItemCaseSensitive(c->problem_cfg, params[i]));
        hw_jbuf_puts(b, ",\"seed\":");
    } else
        hw_jbuf_puts(b, "{\"seed\":");
    hw_jbuf_u64(b, r->seed);
    hw_jbuf_puts(b, ",\"status\":");
    hw_jbuf_str(b, HW_RUN_STATUS_NAMES[r->status]);
    hw_jbuf_puts(b, ",\"evaluations\":");
    hw_jbuf_u64(b, (uint64_t)r->evaluations);
    hw_jbuf_puts(b, ",\"front_size\":");
    hw_jbuf_u64(b, r->front_size);
    int has = r->status == HW_RUN_DONE || r->status == HW_RUN_SKIPPED;
    hw_jbuf_puts(b, ",\"hypervolume\":");
    if (!has) hw_jbuf_puts(b, "null");
    else hw_jbuf_double(b, r->hv);
    if (c->cfg.mean_problem) {
        hw_jbuf_puts(b, ",\"hypervolume_mean\":");
        if (!has || !r->has_hv_mean) hw_jbuf_puts(b, "null");
        else hw_jbuf_double(b, r->hv_mean);
    }
    hw_jbuf_puts(b, ",\"wall_s\":");
    hw_jbuf_seconds(b, r->wall_s);
    hw_jbuf_puts(b, ",\"log\":");
    hw_jbuf_str(b, r->log);
    hw_jbuf_putc(b, '}');
}
