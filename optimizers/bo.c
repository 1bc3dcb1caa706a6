/* Bayesian optimisation over genomes: three optimizers — "rsbo" (random
 * scalarisation), "lsbo" (linear scalarisation) and "ehvi" (expected
 * hypervolume improvement) — sharing one ask/tell engine.
 *
 * Model.  One GP per objective (optimizers/gp.h): Matérn-5/2 on a mixed
 * distance (real genes normalised to [0, 1], categorical genes by overlap),
 * one length-scale per gene ("kernel": "ard", default) fitted by MAP under
 * the dimension-scaled log-normal prior log l ~ N(sqrt2 + log(d) / 2, 3) of
 * Hvarfner et al. (ICML 2024, "Vanilla Bayesian optimization performs great
 * in high dimensions"), by plain marginal likelihood ("ard_mle"), or one
 * length-scale for all real and one for all categorical genes ("shared").
 * Without the prior, ARD overfits a 27-gene GPT genome at ~100
 * observations: ehvi's median HV on the GPT-S surrogate (perplexity vs A100
 * latency, 100 evaluations, 10 seeds) is 0.77 with ard_mle, 0.86 with
 * shared and 0.873 with ard; on 6-variable ZDT1 ard and ard_mle tie.
 * Targets are the objectives, standardised inside the GP; rsbo/lsbo may
 * model log f for an objective whose observations are all positive
 * ("log_transform": true).  Hyperparameters maximise the log marginal
 * likelihood (plus the log prior for "ard").  They are refitted at every
 * iteration while fewer than 30 observations are modelled, then after every
 * max("refit_every", n/20) new observations (so the O(n^3) fits stay a
 * bounded share of the time as n grows).  The first fit, and each fit once
 * the data have grown 3-fold since the last such fit (5, 15, 45, 135, ...
 * observations; with M >= 3 every 5th fit instead), runs L-BFGS (50 iterations) from the previous optimum plus
 * "restarts" random starts; the others are warm starts: 5 iterations from
 * the previous optimum only (a few more observations move the optimum
 * little; a restart fit costs ~30 warm ones).  The line search's
 * value-only trial points skip the gradient (the factorisation is kept for
 * the gradient call that follows an accepted point).  The kernel matrix is
 * built from distances vectorised over the points (a gene-major copy of the
 * inputs, 8 points at a time in registers), its exponentials by the
 * vectorised hw_exp_vec, and factorised by hw_cholesky_simd; the likelihood
 * gradient reuses the distances and exponentials of the factorisation and
 * forms L^-1 and K^-1 two rows at a time.  Between refits, new
 * observations extend the Cholesky factor in O(n^2) with the
 * hyperparameters kept.  The GPs of different objectives are fitted in
 * parallel (OpenMP over objectives, one seeded stream each).
 *
 * Acquisitions (maximised), in a normalised objective space:
 *  - rsbo (Paria et al. 2019, UCB variant): each iteration draws weights
 *    lambda uniformly from the simplex (normalised exponentials) and
 *    maximises  -max_j lambda_j (LCB_j(x) - z_j),  LCB_j = mu_j - beta sigma_j,
 *    with objectives scaled to the observed range [0, 1], ideal z_j = -1 and
 *    beta = min(3, sqrt(0.2 d log(2t))) at BO iteration t (Paria et al.'s
 *    schedule, capped).
 *  - lsbo: expected improvement of the linear scalarisation
 *    s(x) = sum_j w_j f_j(x) (Gaussian: independent GPs) over the best
 *    observed s, objectives scaled to the observed range.  "weights": one
 *    weight vector (fixed) or an array of vectors (cycled, one per
 *    iteration); default: the simplex lattice with the most points <= 16
 *    (M = 2: w = (i/15, 1 - i/15), i = 0..15), cycled.
 *  - ehvi: expected hypervolume improvement of the Gaussian prediction in the
 *    problem's normalised objective space (obj_lo/obj_hi), against the
 *    observed non-dominated points and the problem's default reference
 *    point — as long as no observed point lies strictly inside that
 *    reference box (early iterations), the reference is enlarged to exceed
 *    the observed front by 10% of its range, so there is still an
 *    improvement to expect.  Exact in 2-D (hw_ehvi_2d); beyond, Monte
 *    Carlo (hw_ehvi_mc) with "mc_samples" standard-normal vectors drawn
 *    from the optimizer stream (seed, HW_STREAM_OPTIMIZER) once per
 *    proposed point and shared by all its candidates (common random
 *    numbers, so candidates are compared on the same samples).
 *
 * Acquisition search: "candidates" genomes (half uniform, half mutations of
 * observed non-dominated genomes; default 256, but 1024 for rsbo / lsbo on
 * genomes with real genes), acquisition evaluated in
 * blocks in parallel (OpenMP over blocks; each value depends only on its
 * genome, so results do not depend on the thread count), then the best 2
 * (all-categorical) or 4 (real genes) are hill-climbed for up to 6 or 12
 * steps: each step tries, per gene, another random category or a Gaussian
 * step (sd = step * range, step = 0.1 halving when no neighbour improves),
 * plus one step of all real genes at once, and moves to the best improving
 * neighbour.  (A continuous acquisition landscape needs the denser search:
 * with 256 candidates and 2 x 6 steps lsbo's median HV on ZDT1-6 was 0.006
 * below that of 1024 and 4 x 12; ehvi's is the same with 256; real-gene
 * neighbours are cheap, few genes.)  With 3 or more objectives every genome gets
 * 256 candidates and 2 x 6 steps, and fits restart on every 5th fit rather
 * than on 3-fold growth: on 3-objective DTLZ2 the 2-objective settings cost
 * rsbo / lsbo ~0.05 of median HV (docs/bo.md).  A genome already evaluated (or already in
 * the batch) is never proposed; when every candidate has been seen, a fresh
 * unseen random genome is, and when none can be found (a categorical space
 * exhausted) ask returns 0 genomes.
 *
 * Batches ("batch_size" > 1): kriging believer — after choosing a point, each
 * GP is extended with its posterior mean as a fantasy observation (and the
 * front / best scalarisation with it), and the next point is chosen; the
 * fantasies are dropped before the next ask.  rsbo draws new weights for
 * every point of a batch; lsbo advances its weight cycle.
 *
 * The first "initial_points" genomes are uniform random (distinct).
 * Config keys: name, initial_points (5), candidates (256; 1024), restarts (2),
 * refit_every (5), mc_samples (128), kernel ("ard"|"ard_mle"|"shared"), weights
 * (lsbo), batch_size (1), log_transform (false; rsbo/lsbo only). */
#include "optimizers/bo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/numeric.h"
#include "optimizers/bo_internal.h"

static const char *const KERNELS[] = {"ard", "ard_mle", "shared", NULL};

static void bo_destroy(void *vst)
{
    bo_state *st = vst;
    if (!st) return;
    for (int j = 0; st->gp && j < st->M; j++) hw_gp_destroy(st->gp[j]);
    free(st->gp); free(st->use_log);
    free(st->weights); free(st->X); free(st->F); free(st->ok);
    free(st);
}

static int parse_weights(bo_state *st, const cJSON *params, const char *path, hw_err *e)
{
    int M = st->M;
    const cJSON *wj = params ? cJSON_GetObjectItemCaseSensitive(params, "weights") : NULL;
    char p[512];
    hwj_path(p, sizeof p, path, "weights");
    if (wj && st->kind != BO_LSBO)
        return hw_fail(e, HW_EINVAL, "%s: only the lsbo optimizer takes weights", p);
    if (!wj) {
        if (st->kind != BO_LSBO) return HW_OK;
        int H = 1;
        while (M > 1 && hw_lattice_count(M, H + 1) <= 16) H++; /* one objective: the single weight 1 */
        size_t cnt = (size_t)hw_lattice_count(M, H);
        st->weights = malloc(cnt * (size_t)M * sizeof *st->weights);
        if (!st->weights) return hw_fail(e, HW_ENOMEM, "%s: out of memory", p);
        st->n_weights = hw_lattice_fill(M, H, st->weights);
        /* the cycle runs from (0, ..., 0, 1) to (1, 0, ..., 0): the lattice's
         * rows in reverse */
        for (size_t a = 0, b = cnt - 1; a < b; a++, b--)
            for (int j = 0; j < M; j++) {
                double t = st->weights[a * (size_t)M + (size_t)j];
                st->weights[a * (size_t)M + (size_t)j] = st->weights[b * (size_t)M + (size_t)j];
                st->weights[b * (size_t)M + (size_t)j] = t;
            }
        return HW_OK;
    }
    if (!cJSON_IsArray(wj) || cJSON_GetArraySize(wj) == 0)
        return hw_fail(e, HW_EINVAL, "%s: expected an array of %d numbers or an array of such arrays", p, M);
    int nested = cJSON_IsArray(wj->child);
    size_t rows = nested ? (size_t)cJSON_GetArraySize(wj) : 1;
    st->weights = malloc(rows * (size_t)M * sizeof *st->weights);
    if (!st->weights) return hw_fail(e, HW_ENOMEM, "%s: out of memory", p);
    size_t r = 0;
    for (const cJSON *row = nested ? wj->child : wj; row && r < rows; row = row->next, r++) {
        char rp[560];
        if (nested) snprintf(rp, sizeof rp, "%s[%zu]", p, r);
        else snprintf(rp, sizeof rp, "%s", p);
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != M)
            return hw_fail(e, HW_EINVAL, "%s: expected an array of %d numbers (one per objective)", rp, M);
        double sum = 0.0;
        int j = 0;
        for (const cJSON *c = row->child; c; c = c->next, j++) {
            if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble) || c->valuedouble < 0.0)
                return hw_fail(e, HW_EINVAL, "%s[%d]: expected a number >= 0", rp, j);
            st->weights[r * (size_t)M + (size_t)j] = c->valuedouble;
            sum += c->valuedouble;
        }
        if (!(sum > 0.0)) return hw_fail(e, HW_EINVAL, "%s: weights must not all be zero", rp);
        for (j = 0; j < M; j++) st->weights[r * (size_t)M + (size_t)j] /= sum;
    }
    st->n_weights = rows;
    return HW_OK;
}

static int bo_create_kind(int kind, void **out, const hw_problem *p, const cJSON *params,
                          const char *path, uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "initial_points", "candidates", "restarts",
                                       "refit_every", "mc_samples", "kernel", "weights",
                                       "batch_size", "log_transform", NULL};
    *out = NULL;
    if (params) {
        int rc = hwj_check_keys(params, path, keys, e);
        if (rc) return rc;
    }
    if (p->n_obj < 1 || p->n_obj > HW_MAX_OBJ || p->n_var < 1)
        return hw_fail(e, HW_EINVAL, "%s: problem has %d variables and %d objectives", path, p->n_var, p->n_obj);
    bo_state *st = calloc(1, sizeof *st);
    if (!st) return hw_fail(e, HW_ENOMEM, "%s: out of memory", path);
    st->kind = kind;
    st->p = p;
    st->d = p->n_var;
    st->M = p->n_obj;
    hw_rng_seed(&st->rng, seed, HW_STREAM_OPTIMIZER);
    st->all_cat = 1;
    for (int i = 0; i < st->d; i++) if (p->vars[i].type != HW_VAR_CATEGORICAL) st->all_cat = 0;
    long long ip = 5, rs = 2, re = 5, mc = 128, bs = 1;
    /* the denser search on continuous landscapes pays in 2 objectives only (see above) */
    st->dense_search = !st->all_cat && st->M <= 2;
    long long cand = st->dense_search && kind != BO_EHVI ? DEFAULT_CANDIDATES_SCALARISED_REAL : DEFAULT_CANDIDATES;
    int kern = 0, lt = 0, rc = HW_OK;
    if (params) {
        if (!rc) rc = hwj_get_int(params, path, "initial_points", 0, 1, 100000, &ip, e);
        if (!rc) rc = hwj_get_int(params, path, "candidates", 0, 16, 1000000, &cand, e);
        if (!rc) rc = hwj_get_int(params, path, "restarts", 0, 0, 100, &rs, e);
        if (!rc) rc = hwj_get_int(params, path, "refit_every", 0, 1, 100000, &re, e);
        if (!rc) rc = hwj_get_int(params, path, "mc_samples", 0, 1, 1000000, &mc, e);
        if (!rc) rc = hwj_get_int(params, path, "batch_size", 0, 1, 10000, &bs, e);
        if (!rc) rc = hwj_get_enum(params, path, "kernel", 0, KERNELS, &kern, e);
        if (!rc) rc = hwj_get_bool(params, path, "log_transform", 0, &lt, e);
        if (!rc && lt && kind == BO_EHVI) {
            char q[512];
            hwj_path(q, sizeof q, path, "log_transform");
            rc = hw_fail(e, HW_EINVAL, "%s: ehvi models the objectives directly (hypervolume is "
                                       "measured on f, not log f); use rsbo or lsbo", q);
        }
    }
    /* the acquisition's candidate table: candidates + NEIGHBOUR_ROWS (d + 1) genomes */
    if (!rc)
        rc = hw_opt_check_table(path, "candidates", cand + (long long)NEIGHBOUR_ROWS * (st->d + 1), st->d, "variables", e);
    if (!rc) rc = hw_opt_check_table(path, "batch_size", bs, st->d, "variables", e);
    if (!rc) rc = parse_weights(st, params, path, e);
    if (rc) { bo_destroy(st); return rc; }
    st->initial_points = (int)ip; st->candidates = (int)cand; st->restarts = (int)rs;
    st->refit_every = (int)re; st->mc_samples = (int)mc; st->batch = (int)bs;
    st->log_transform = lt;

    /* Length-scale groups. */
    unsigned char *is_cat = malloc((size_t)st->d);
    int *grp = malloc((size_t)st->d * sizeof *grp);
    st->gp = calloc((size_t)st->M, sizeof *st->gp);
    st->use_log = calloc((size_t)st->M, sizeof *st->use_log);
    if (!is_cat || !grp || !st->gp || !st->use_log) {
        free(is_cat); free(grp); bo_destroy(st);
        return hw_fail(e, HW_ENOMEM, "%s: out of memory", path);
    }
    int n_ls = 0, has_real = 0, has_cat = 0;
    for (int i = 0; i < st->d; i++) {
        is_cat[i] = p->vars[i].type == HW_VAR_CATEGORICAL;
        if (is_cat[i]) has_cat = 1; else has_real = 1;
    }
    st->kernel = kern;
    if (kern != KERNEL_SHARED) {
        for (int i = 0; i < st->d; i++) grp[i] = i;
        n_ls = st->d;
    } else {
        for (int i = 0; i < st->d; i++) grp[i] = (is_cat[i] && has_real) ? 1 : 0;
        n_ls = has_real && has_cat ? 2 : 1;
    }
    for (int j = 0; j < st->M && !rc; j++) {
        rc = hw_gp_create(&st->gp[j], st->d, is_cat, grp, n_ls, e);
        /* dimension-scaled length-scale prior (Hvarfner et al. 2024) */
        if (!rc && kern == KERNEL_ARD)
            hw_gp_set_ls_prior(st->gp[j], M_SQRT2 + 0.5 * log((double)st->d), sqrt(3.0));
    }
    free(is_cat);
    free(grp);
    if (rc) { bo_destroy(st); return hw_err_prefix(e, "%s", path); }
    *out = st;
    return HW_OK;
}

static int rsbo_create(void **st, const hw_problem *p, const cJSON *params, const char *path,
                       uint64_t seed, hw_err *e)
{ return bo_create_kind(BO_RSBO, st, p, params, path, seed, e); }
static int lsbo_create(void **st, const hw_problem *p, const cJSON *params, const char *path,
                       uint64_t seed, hw_err *e)
{ return bo_create_kind(BO_LSBO, st, p, params, path, seed, e); }
static int ehvi_create(void **st, const hw_problem *p, const cJSON *params, const char *path,
                       uint64_t seed, hw_err *e)
{ return bo_create_kind(BO_EHVI, st, p, params, path, seed, e); }

static size_t bo_batch_size(const void *vst) { return (size_t)((const bo_state *)vst)->batch; }

/* ---- ask / tell ---------------------------------------------------------- */

static int bo_ask(void *vst, double *x, size_t max_n, size_t *n_out, hw_err *e)
{
    bo_state *st = vst;
    int d = st->d, M = st->M;
    *n_out = 0;
    if (max_n == 0) return HW_OK;
    if (st->n_initial_asked < (size_t)st->initial_points) {
        size_t want = (size_t)st->initial_points - st->n_initial_asked;
        if (want > max_n) want = max_n;
        size_t got = 0;
        for (size_t i = 0; i < want; i++) {
            double *xi = x + got * (size_t)d;
            int ok = 0;
            for (int t = 0; t < 1000 && !ok; t++) {
                hw_var_sample(st->p, &st->rng, xi);
                ok = !seen(st, xi, x, got);
            }
            if (ok) got++;
        }
        st->n_initial_asked += want;
        *n_out = got;
        return HW_OK;
    }
    int rc = bo_sync_models(st, e);
    if (rc) return rc;
    size_t want = (size_t)st->batch < max_n ? (size_t)st->batch : max_n;
    /* observed objectives in model space (for the scalarisations) or f (ehvi) */
    pointset obs = {0};
    for (size_t i = 0; i < st->n; i++) {
        if (!st->ok[i]) continue;
        double row[HW_MAX_OBJ];
        for (int j = 0; j < M; j++) {
            double f = st->F[i * (size_t)M + (size_t)j];
            row[j] = st->kind == BO_EHVI ? f : model_value(st, j, f);
        }
        if (ps_push(&obs, row, M)) { free(obs.pts); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
    }
    acq_ctx c;
    memset(&c, 0, sizeof c);
    size_t base_n = st->gp_n, got = 0;
    for (size_t b = 0; b < want; b++) {
        rc = bo_ctx_prepare(st, &c, &obs, e);
        if (rc) break;
        int found = 0;
        rc = bo_propose_one(st, &c, x, got, x + got * (size_t)d, &found, e);
        if (rc || !found) break;
        st->iter++;
        got++;
        if (b + 1 < want) { /* kriging believer */
            double u[1024], *ub = d <= 1024 ? u : malloc((size_t)d * sizeof *ub);
            if (!ub) { rc = hw_fail(e, HW_ENOMEM, "bo: out of memory"); break; }
            to_unit(st, x + (got - 1) * (size_t)d, ub);
            double row[HW_MAX_OBJ];
            for (int j = 0; j < M && !rc; j++) {
                double mu;
                rc = hw_gp_predict(st->gp[j], ub, 1, &mu, NULL, e);
                if (!rc) rc = hw_gp_add(st->gp[j], ub, mu, e);
                row[j] = st->kind == BO_EHVI ? (st->use_log[j] ? exp(mu) : mu) : mu;
            }
            if (ub != u) free(ub);
            if (!rc && ps_push(&obs, row, M)) rc = hw_fail(e, HW_ENOMEM, "bo: out of memory");
            if (rc) break;
        }
    }
    for (int j = 0; j < M; j++) {
        int r2 = hw_gp_truncate(st->gp[j], base_n, e);
        if (!rc) rc = r2;
    }
    free(c.front);
    free(c.z);
    free(obs.pts);
    if (rc) return rc;
    *n_out = got;
    return HW_OK;
}

static int bo_tell(void *vst, const double *x, const double *f, size_t n, hw_err *e)
{
    bo_state *st = vst;
    int d = st->d, M = st->M;
    if (st->n + n > st->cap) {
        size_t cap = st->cap ? st->cap : 64;
        while (cap < st->n + n) cap *= 2;
        double *X = realloc(st->X, cap * (size_t)d * sizeof *X);
        if (X) st->X = X;
        double *F = realloc(st->F, cap * (size_t)M * sizeof *F);
        if (F) st->F = F;
        unsigned char *ok = realloc(st->ok, cap);
        if (ok) st->ok = ok;
        if (!X || !F || !ok) return hw_fail(e, HW_ENOMEM, "bo: out of memory");
        st->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = st->n + i;
        memcpy(st->X + r * (size_t)d, x + i * (size_t)d, (size_t)d * sizeof *x);
        memcpy(st->F + r * (size_t)M, f + i * (size_t)M, (size_t)M * sizeof *f);
        int ok = 1;
        for (int j = 0; j < M; j++) if (!isfinite(f[i * (size_t)M + (size_t)j])) ok = 0;
        st->ok[r] = (unsigned char)ok;
    }
    st->n += n;
    return HW_OK;
}

const hw_optimizer_ops hw_rsbo_ops = {"rsbo", rsbo_create, bo_ask, bo_tell, bo_destroy, bo_batch_size};
const hw_optimizer_ops hw_lsbo_ops = {"lsbo", lsbo_create, bo_ask, bo_tell, bo_destroy, bo_batch_size};
const hw_optimizer_ops hw_ehvi_ops = {"ehvi", ehvi_create, bo_ask, bo_tell, bo_destroy, bo_batch_size};

