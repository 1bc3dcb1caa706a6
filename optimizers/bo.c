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
 * bounded share of the time as n grows); a refit runs L-BFGS from the previous
 * optimum, plus "restarts" random starts while fewer than 50 observations
 * are modelled and at every 5th refit after that.  Between refits, new
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
 * observed non-dominated genomes), acquisition evaluated in blocks in
 * parallel (OpenMP over blocks; each value depends only on its genome, so
 * results do not depend on the thread count), then the best 4 are
 * hill-climbed for up to 12 steps: each step tries, per gene, another random
 * category or a Gaussian step (sd = step * range, step = 0.1 halving when no
 * neighbour improves), plus one step of all real genes at once, and moves to
 * the best improving neighbour.  A genome already evaluated (or already in
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
 * Config keys: name, initial_points (5), candidates (1024), restarts (2),
 * refit_every (5), mc_samples (128), kernel ("ard"|"ard_mle"|"shared"), weights
 * (lsbo), batch_size (1), log_transform (false; rsbo/lsbo only). */
#include "optimizers/bo.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/numeric.h"
#include "indicators/indicators.h"
#include "optimizers/gp.h"
#include "optimizers/optimizer.h"

enum { BO_RSBO = 0, BO_LSBO = 1, BO_EHVI = 2 };

#define ACQ_BLOCK 64
#define LOCAL_STARTS 4
#define LOCAL_STEPS 12
#define FIT_MAX_ITER 50
#define FIT_EVERY_BELOW 30
#define RESTART_ALWAYS_BELOW 50
#define RESTART_EVERY 5
#define REFIT_FRACTION 20 /* refit interval >= n / REFIT_FRACTION */

/* ---- EHVI kernels -------------------------------------------------------- */

static double norm_cdf(double u) { return hw_normal_cdf(u); }
static double norm_pdf(double u) { return gsl_ran_ugaussian_pdf(u); }

/* psi(c) = integral_{-inf}^{c} Phi((z - mu) / s) dz. */
static double psi(double c, double mu, double s)
{
    if (c == -INFINITY) return 0.0;
    if (!(s > 0.0)) return c > mu ? c - mu : 0.0;
    double u = (c - mu) / s;
    return (c - mu) * norm_cdf(u) + s * norm_pdf(u);
}

static int cmp_first(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    if (x[1] != y[1]) return x[1] < y[1] ? -1 : 1;
    return 0;
}

size_t hw_ehvi_staircase_2d(const double *pts, size_t n, const double *ref, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(pts[2 * i] < ref[0] && pts[2 * i + 1] < ref[1])) continue;
        out[2 * m] = pts[2 * i];
        out[2 * m + 1] = pts[2 * i + 1];
        m++;
    }
    qsort(out, m, 2 * sizeof *out, cmp_first);
    size_t k = 0;
    double best2 = INFINITY;
    for (size_t i = 0; i < m; i++) {
        if (out[2 * i + 1] >= best2) continue; /* dominated or duplicate */
        best2 = out[2 * i + 1];
        out[2 * k] = out[2 * i];
        out[2 * k + 1] = out[2 * i + 1];
        k++;
    }
    return k;
}

double hw_ehvi_2d(const double *stair, size_t k, const double *ref, const double *mu,
                  const double *sigma)
{
    /* Strip i covers z1 in [a, b) with z2 < cap: a = x_{i-1} (or -inf),
     * b = x_i (or ref1 for the last), cap = y_{i-1} (or ref2 for the first). */
    double sum = 0.0, prev = psi(-INFINITY, mu[0], sigma[0]), cap = ref[1];
    for (size_t i = 0; i <= k; i++) {
        double b = i < k ? stair[2 * i] : ref[0];
        double pb = psi(b, mu[0], sigma[0]);
        sum += (pb - prev) * psi(cap, mu[1], sigma[1]);
        prev = pb;
        if (i < k) cap = stair[2 * i + 1];
    }
    return sum > 0.0 ? sum : 0.0;
}

int hw_ehvi_mc(const double *front, size_t k, int d, const double *ref, double front_hv,
               const double *mu, const double *sigma, const double *z, int m, double *work,
               double *out, hw_err *e)
{
    if (k) memcpy(work, front, k * (size_t)d * sizeof *work);
    double *y = work + k * (size_t)d, sum = 0.0;
    for (int s = 0; s < m; s++) {
        int inside = 1;
        for (int j = 0; j < d; j++) {
            y[j] = mu[j] + sigma[j] * z[(size_t)s * (size_t)d + (size_t)j];
            if (!(y[j] < ref[j])) inside = 0;
        }
        if (!inside) continue;
        int dominated = 0;
        for (size_t i = 0; i < k && !dominated; i++) {
            int le = 1;
            for (int j = 0; j < d && le; j++) le = front[i * (size_t)d + (size_t)j] <= y[j];
            dominated = le;
        }
        if (dominated) continue;
        double hv;
        int rc = hw_hypervolume(work, k + 1, d, ref, &hv, e);
        if (rc) return rc;
        if (hv > front_hv) sum += hv - front_hv;
    }
    *out = sum / (double)m;
    return HW_OK;
}

/* ---- state ------------------------------------------------------------- */

typedef struct {
    int kind;
    const hw_problem *p;
    int d, M;
    hw_rng rng;
    /* config */
    int initial_points, candidates, restarts, refit_every, mc_samples, batch, kernel, log_transform;
    double *weights; /* n_weights x M */
    size_t n_weights;
    /* observations (every told genome; f rows with non-finite values are
     * kept for de-duplication but not modelled) */
    size_t n, cap;
    double *X, *F;
    unsigned char *ok;
    size_t n_initial_asked;
    size_t iter;            /* BO proposals made so far */
    /* models */
    hw_gp **gp;
    size_t gp_n;            /* rows of modelled data in the GPs */
    size_t fit_n;           /* gp_n at the last hyperparameter fit */
    size_t n_fits;          /* hyperparameter fits so far */
    int *use_log;           /* per objective */
    int all_cat;
} bo_state;

/* Per-ask acquisition context. */
typedef struct {
    int kind, M;
    double off[HW_MAX_OBJ], scale[HW_MAX_OBJ]; /* acq space = (model - off) * scale */
    double w[HW_MAX_OBJ];
    double beta, best;
    double ref[HW_MAX_OBJ];
    double *front;  /* acq-space points (2-D: staircase) */
    size_t k, front_cap;
    double front_hv;
    double *z;      /* MC normals */
    int m;
} acq_ctx;

static const char *const KERNELS[] = {"ard", "ard_mle", "shared", NULL};
enum { KERNEL_ARD = 0, KERNEL_ARD_MLE = 1, KERNEL_SHARED = 2 };

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
    long long ip = 5, cand = 1024, rs = 2, re = 5, mc = 128, bs = 1;
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
    /* the acquisition's candidate table: candidates + LOCAL_STARTS (d + 1) genomes */
    if (!rc)
        rc = hw_opt_check_table(path, "candidates", cand + (long long)LOCAL_STARTS * (st->d + 1), st->d, "variables", e);
    if (!rc) rc = hw_opt_check_table(path, "batch_size", bs, st->d, "variables", e);
    if (!rc) rc = parse_weights(st, params, path, e);
    if (rc) { bo_destroy(st); return rc; }
    st->initial_points = (int)ip; st->candidates = (int)cand; st->restarts = (int)rs;
    st->refit_every = (int)re; st->mc_samples = (int)mc; st->batch = (int)bs;
    st->log_transform = lt;
    st->all_cat = 1;
    for (int i = 0; i < st->d; i++) if (p->vars[i].type != HW_VAR_CATEGORICAL) st->all_cat = 0;

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

/* ---- helpers ------------------------------------------------------------ */

static void to_unit(const bo_state *st, const double *x, double *u)
{
    for (int i = 0; i < st->d; i++) {
        const hw_var *v = &st->p->vars[i];
        if (v->type == HW_VAR_CATEGORICAL) u[i] = x[i];
        else u[i] = v->hi > v->lo ? (x[i] - v->lo) / (v->hi - v->lo) : 0.0;
    }
}

static int same_genome(const double *a, const double *b, int d)
{
    for (int i = 0; i < d; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static int seen(const bo_state *st, const double *x, const double *extra, size_t n_extra)
{
    for (size_t i = 0; i < st->n; i++)
        if (same_genome(st->X + i * (size_t)st->d, x, st->d)) return 1;
    for (size_t i = 0; i < n_extra; i++)
        if (same_genome(extra + i * (size_t)st->d, x, st->d)) return 1;
    return 0;
}

static double model_value(const bo_state *st, int j, double f)
{
    return st->use_log[j] ? log(f) : f;
}

/* Bring the GPs up to date with the observations: a full rebuild and
 * hyperparameter fit when due, otherwise O(n^2) extensions. */
static int sync_models(bo_state *st, hw_err *e)
{
    int d = st->d, M = st->M;
    size_t n_ok = 0;
    for (size_t i = 0; i < st->n; i++) n_ok += st->ok[i];
    size_t interval = (size_t)st->refit_every;
    if (n_ok / REFIT_FRACTION > interval) interval = n_ok / REFIT_FRACTION;
    int need_full = st->gp_n == 0 || n_ok < FIT_EVERY_BELOW || n_ok - st->fit_n >= interval;
    /* log transform only while every modelled value is positive */
    for (int j = 0; j < M; j++) {
        int want = 0;
        if (st->log_transform) {
            want = 1;
            for (size_t i = 0; i < st->n; i++)
                if (st->ok[i] && !(st->F[i * (size_t)M + (size_t)j] > 0.0)) want = 0;
        }
        if (want != st->use_log[j]) { st->use_log[j] = want; need_full = 1; }
    }
    double *U = malloc((n_ok ? n_ok : 1) * (size_t)d * sizeof *U);
    if (!U) return hw_fail(e, HW_ENOMEM, "bo: out of memory");
    size_t r = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->ok[i]) to_unit(st, st->X + i * (size_t)d, U + (r++) * (size_t)d);
    int rc = HW_OK;
    if (need_full) {
        /* random restarts while data are few and on every RESTART_EVERY-th refit;
         * other refits start from the previous optimum only */
        int restarts = n_ok < RESTART_ALWAYS_BELOW || st->n_fits % RESTART_EVERY == 0 ? st->restarts : 0;
        st->n_fits++;
        uint64_t seeds[HW_MAX_OBJ];
        for (int j = 0; j < M; j++) seeds[j] = hw_rng_u64(&st->rng);
        int rcs[HW_MAX_OBJ];
        hw_err errs[HW_MAX_OBJ];
        double *Yall = malloc((n_ok ? n_ok : 1) * (size_t)M * sizeof *Yall);
        if (!Yall) { free(U); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
        for (int j = 0; j < M; j++) {
            size_t q = 0;
            for (size_t i = 0; i < st->n; i++)
                if (st->ok[i]) Yall[(size_t)j * n_ok + q++] = model_value(st, j, st->F[i * (size_t)M + (size_t)j]);
        }
#pragma omp parallel for schedule(dynamic, 1)
        for (int j = 0; j < M; j++) {
            hw_rng fr;
            hw_rng_seed(&fr, seeds[j], HW_STREAM_OPTIMIZER);
            rcs[j] = hw_gp_set_data(st->gp[j], U, Yall + (size_t)j * n_ok, n_ok, &errs[j]);
            if (!rcs[j]) rcs[j] = hw_gp_fit(st->gp[j], restarts, FIT_MAX_ITER, &fr, &errs[j]);
        }
        free(Yall);
        for (int j = 0; j < M && !rc; j++)
            if (rcs[j]) { rc = rcs[j]; if (e) *e = errs[j]; }
        st->fit_n = n_ok;
    } else {
        /* modelled rows gp_n.. are new: extend each factor by one row each */
        size_t q = 0;
        for (size_t row = 0; row < st->n && !rc; row++) {
            if (!st->ok[row]) continue;
            if (q >= st->gp_n)
                for (int j = 0; j < M && !rc; j++)
                    rc = hw_gp_add(st->gp[j], U + q * (size_t)d,
                                   model_value(st, j, st->F[row * (size_t)M + (size_t)j]), e);
            q++;
        }
    }
    st->gp_n = n_ok;
    free(U);
    return rc;
}

/* Evaluate the acquisition of m genomes (acq out).  OpenMP over blocks. */
static int acq_eval(const bo_state *st, const acq_ctx *c, const double *x, size_t m, double *acq,
                    hw_err *e)
{
    int d = st->d, M = st->M;
    size_t nb = (m + ACQ_BLOCK - 1) / ACQ_BLOCK;
    int rc_all = HW_OK;
    hw_err err_first;
    err_first.code = 0;
    err_first.msg[0] = 0;
#pragma omp parallel if (nb > 1)
    {
        double *u = malloc(ACQ_BLOCK * (size_t)d * sizeof *u);
        double *mu = malloc(ACQ_BLOCK * (size_t)M * sizeof *mu);
        double *var = malloc(ACQ_BLOCK * (size_t)M * sizeof *var);
        double *work = malloc((c->k + 1) * (size_t)M * sizeof *work);
        int rc_local = (!u || !mu || !var || !work) ? HW_ENOMEM : HW_OK;
        hw_err el;
        el.code = 0;
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nb; b++) {
            if (rc_local) continue;
            size_t c0 = b * ACQ_BLOCK, cnt = m - c0 < ACQ_BLOCK ? m - c0 : ACQ_BLOCK;
            for (size_t t = 0; t < cnt; t++) to_unit(st, x + (c0 + t) * (size_t)d, u + t * (size_t)d);
            for (int j = 0; j < M && !rc_local; j++)
                rc_local = hw_gp_predict(st->gp[j], u, cnt, mu + (size_t)j * ACQ_BLOCK,
                                         var + (size_t)j * ACQ_BLOCK, &el);
            for (size_t t = 0; t < cnt && !rc_local; t++) {
                double a[HW_MAX_OBJ], s[HW_MAX_OBJ];
                for (int j = 0; j < M; j++) {
                    a[j] = (mu[(size_t)j * ACQ_BLOCK + t] - c->off[j]) * c->scale[j];
                    s[j] = sqrt(var[(size_t)j * ACQ_BLOCK + t]) * c->scale[j];
                }
                double v = 0.0;
                if (c->kind == BO_RSBO) {
                    double worst = -INFINITY;
                    for (int j = 0; j < M; j++) {
                        double t2 = c->w[j] * (a[j] - c->beta * s[j] + 1.0);
                        if (t2 > worst) worst = t2;
                    }
                    v = -worst;
                } else if (c->kind == BO_LSBO) {
                    double sm = 0.0, sv = 0.0;
                    for (int j = 0; j < M; j++) { sm += c->w[j] * a[j]; sv += c->w[j] * c->w[j] * s[j] * s[j]; }
                    double sd = sqrt(sv), imp = c->best - sm;
                    if (sd > 0.0) { double z = imp / sd; v = imp * norm_cdf(z) + sd * norm_pdf(z); }
                    else v = imp > 0.0 ? imp : 0.0;
                } else if (M == 2) {
                    v = hw_ehvi_2d(c->front, c->k, c->ref, a, s);
                } else {
                    rc_local = hw_ehvi_mc(c->front, c->k, M, c->ref, c->front_hv, a, s, c->z, c->m,
                                          work, &v, &el);
                }
                acq[c0 + t] = v;
            }
        }
        free(u); free(mu); free(var); free(work);
        if (rc_local) {
#pragma omp critical
            {
                if (!rc_all) { rc_all = rc_local; err_first = el; }
            }
        }
    }
    if (rc_all) {
        if (e) *e = err_first;
        if (rc_all == HW_ENOMEM && !err_first.msg[0]) return hw_fail(e, HW_ENOMEM, "bo: out of memory");
    }
    return rc_all;
}

/* Observed (and fantasised) points in the acquisition space. */
typedef struct {
    double *pts; /* rows x M in model space */
    size_t n, cap;
} pointset;

static int ps_push(pointset *s, const double *row, int M)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        double *q = realloc(s->pts, cap * (size_t)M * sizeof *q);
        if (!q) return HW_ENOMEM;
        s->pts = q;
        s->cap = cap;
    }
    memcpy(s->pts + s->n * (size_t)M, row, (size_t)M * sizeof *row);
    s->n++;
    return HW_OK;
}

/* Build the per-point context: scaling, weights, front, reference. */
static int ctx_prepare(bo_state *st, acq_ctx *c, const pointset *obs, hw_err *e)
{
    int M = st->M;
    const hw_problem *p = st->p;
    c->kind = st->kind;
    c->M = M;
    if (st->kind != BO_EHVI) {
        for (int j = 0; j < M; j++) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < obs->n; i++) {
                double v = obs->pts[i * (size_t)M + (size_t)j];
                lo = fmin(lo, v); hi = fmax(hi, v);
            }
            c->off[j] = lo;
            c->scale[j] = hi > lo ? 1.0 / (hi - lo) : 1.0;
        }
        if (st->kind == BO_RSBO) {
            double sum = 0.0;
            for (int j = 0; j < M; j++) { c->w[j] = -log(hw_rng_uniform_open(&st->rng)); sum += c->w[j]; }
            for (int j = 0; j < M; j++) c->w[j] /= sum;
            double t = (double)st->iter + 1.0;
            c->beta = fmin(3.0, sqrt(0.2 * st->d * log(2.0 * t)));
        } else {
            const double *w = st->weights + (st->iter % st->n_weights) * (size_t)M;
            for (int j = 0; j < M; j++) c->w[j] = w[j];
            c->best = INFINITY;
            for (size_t i = 0; i < obs->n; i++) {
                double s = 0.0;
                for (int j = 0; j < M; j++) s += c->w[j] * (obs->pts[i * (size_t)M + (size_t)j] - c->off[j]) * c->scale[j];
                c->best = fmin(c->best, s);
            }
        }
        return HW_OK;
    }
    /* EHVI: the problem's normalised space. */
    for (int j = 0; j < M; j++) {
        if (p->obj_lo && p->obj_hi && p->obj_hi[j] > p->obj_lo[j]) {
            c->off[j] = p->obj_lo[j];
            c->scale[j] = 1.0 / (p->obj_hi[j] - p->obj_lo[j]);
        } else { c->off[j] = 0.0; c->scale[j] = 1.0; }
    }
    if (c->front_cap < obs->n) {
        double *q = realloc(c->front, obs->n * (size_t)M * sizeof *q);
        if (!q) return hw_fail(e, HW_ENOMEM, "bo: out of memory");
        c->front = q;
        c->front_cap = obs->n;
    }
    double *a = malloc((obs->n ? obs->n : 1) * (size_t)M * sizeof *a);
    unsigned char *keep = malloc(obs->n ? obs->n : 1);
    if (!a || !keep) { free(a); free(keep); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
    for (size_t i = 0; i < obs->n; i++)
        for (int j = 0; j < M; j++)
            a[i * (size_t)M + (size_t)j] = (obs->pts[i * (size_t)M + (size_t)j] - c->off[j]) * c->scale[j];
    size_t kept = obs->n ? hw_nondominated(a, obs->n, M, keep) : 0;
    if (kept == (size_t)-1) { free(a); free(keep); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
    /* reference: the problem's default while some observed point is strictly
     * inside it; otherwise (or without a default) 10% beyond the observed
     * non-dominated points' range, so there is an improvement to expect */
    int inside_default = 0;
    for (size_t i = 0; p->default_ref && i < obs->n && !inside_default; i++) {
        int in = 1;
        for (int j = 0; j < M; j++) if (!(a[i * (size_t)M + (size_t)j] < p->default_ref[j])) in = 0;
        inside_default = in;
    }
    for (int j = 0; j < M; j++) {
        if (inside_default) { c->ref[j] = p->default_ref[j]; continue; }
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < obs->n; i++)
            if (keep[i]) { lo = fmin(lo, a[i * (size_t)M + (size_t)j]); hi = fmax(hi, a[i * (size_t)M + (size_t)j]); }
        double r = p->default_ref ? p->default_ref[j] : -INFINITY;
        if (kept) {
            double need = hi + 0.1 * (hi > lo ? hi - lo : fmax(fabs(hi), 1e-9));
            if (!(r >= need)) r = need;
        }
        c->ref[j] = isfinite(r) ? r : 1.0;
    }
    c->k = 0;
    if (M == 2) {
        double *tmp = malloc((obs->n ? obs->n : 1) * 2 * sizeof *tmp);
        if (!tmp) { free(a); free(keep); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
        size_t q = 0;
        for (size_t i = 0; i < obs->n; i++)
            if (keep[i]) { tmp[2 * q] = a[2 * i]; tmp[2 * q + 1] = a[2 * i + 1]; q++; }
        c->k = hw_ehvi_staircase_2d(tmp, q, c->ref, c->front);
        free(tmp);
    } else {
        for (size_t i = 0; i < obs->n; i++) {
            if (!keep[i]) continue;
            int inside = 1;
            for (int j = 0; j < M; j++) if (!(a[i * (size_t)M + (size_t)j] < c->ref[j])) inside = 0;
            if (!inside) continue;
            memcpy(c->front + c->k * (size_t)M, a + i * (size_t)M, (size_t)M * sizeof *a);
            c->k++;
        }
        c->front_hv = 0.0;
        int rc = c->k ? hw_hypervolume(c->front, c->k, M, c->ref, &c->front_hv, e) : HW_OK;
        if (rc) { free(a); free(keep); return rc; }
        free(c->z);
        c->m = st->mc_samples;
        c->z = malloc((size_t)c->m * (size_t)M * sizeof *c->z);
        if (!c->z) { free(a); free(keep); return hw_fail(e, HW_ENOMEM, "bo: out of memory"); }
        for (size_t i = 0; i < (size_t)c->m * (size_t)M; i++) c->z[i] = hw_rng_normal(&st->rng);
    }
    free(a);
    free(keep);
    return HW_OK;
}

/* Choose one genome maximising the acquisition; chosen: the batch so far. */
static int propose_one(bo_state *st, const acq_ctx *c, const double *chosen, size_t n_chosen,
                       double *out, int *found, hw_err *e)
{
    int d = st->d, M = st->M;
    const hw_problem *p = st->p;
    size_t C = (size_t)st->candidates;
    size_t nbr_per = (size_t)d + 1;
    size_t cap = C + (size_t)LOCAL_STARTS * nbr_per;
    double *x = malloc(cap * (size_t)d * sizeof *x);
    double *acq = malloc(cap * sizeof *acq);
    size_t *order = malloc(C * sizeof *order);
    /* non-dominated observed genomes as mutation parents */
    size_t *par = malloc((st->n ? st->n : 1) * sizeof *par);
    unsigned char *keep = malloc(st->n ? st->n : 1);
    double *fo = malloc((st->n ? st->n : 1) * (size_t)M * sizeof *fo);
    int rc = HW_OK;
    if (!x || !acq || !order || !par || !keep || !fo) { rc = hw_fail(e, HW_ENOMEM, "bo: out of memory"); goto done; }
    size_t n_ok = 0;
    size_t *okrow = par; /* reuse: first collect ok rows */
    for (size_t i = 0; i < st->n; i++)
        if (st->ok[i]) {
            memcpy(fo + n_ok * (size_t)M, st->F + i * (size_t)M, (size_t)M * sizeof *fo);
            okrow[n_ok++] = i;
        }
    size_t n_par = 0;
    if (n_ok) {
        if (hw_nondominated(fo, n_ok, M, keep) == (size_t)-1) { rc = hw_fail(e, HW_ENOMEM, "bo: out of memory"); goto done; }
        for (size_t i = 0; i < n_ok; i++) if (keep[i]) par[n_par++] = okrow[i];
    }
    for (size_t i = 0; i < C; i++) {
        double *xi = x + i * (size_t)d;
        if (i % 2 == 0 || n_par == 0) hw_var_sample(p, &st->rng, xi);
        else {
            size_t pi = par[hw_rng_below(&st->rng, (uint32_t)n_par)];
            memcpy(xi, st->X + pi * (size_t)d, (size_t)d * sizeof *xi);
            hw_var_mutate(p, &st->rng, xi, 0.0, 20.0);
        }
    }
    rc = acq_eval(st, c, x, C, acq, e);
    if (rc) goto done;
    for (size_t i = 0; i < C; i++) order[i] = i;
    /* partial selection of the best LOCAL_STARTS distinct unseen candidates */
    size_t best_i = (size_t)-1;
    double best_v = -INFINITY;
    double *cur = malloc((size_t)d * sizeof *cur);
    if (!cur) { rc = hw_fail(e, HW_ENOMEM, "bo: out of memory"); goto done; }
    for (int s = 0; s < LOCAL_STARTS; s++) {
        size_t bi = (size_t)-1;
        for (size_t i = 0; i < C; i++) {
            if (order[i] == (size_t)-1) continue;
            if (bi == (size_t)-1 || acq[i] > acq[bi]) bi = i;
        }
        if (bi == (size_t)-1) break;
        order[bi] = (size_t)-1;
        memcpy(cur, x + bi * (size_t)d, (size_t)d * sizeof *cur);
        double cv = acq[bi], step = 0.1;
        int cur_ok = !seen(st, cur, chosen, n_chosen);
        if (cur_ok && cv > best_v) { best_v = cv; best_i = (size_t)s; memcpy(out, cur, (size_t)d * sizeof *out); }
        for (int it = 0; it < LOCAL_STEPS; it++) {
            double *nb = x + C * (size_t)d; /* neighbour area */
            size_t nn = 0;
            for (int g = 0; g < d; g++) {
                const hw_var *v = &p->vars[g];
                double *y = nb + nn * (size_t)d;
                memcpy(y, cur, (size_t)d * sizeof *y);
                if (v->type == HW_VAR_CATEGORICAL) {
                    if (v->n_cat < 2) continue;
                    uint32_t k = hw_rng_below(&st->rng, (uint32_t)v->n_cat - 1u);
                    y[g] = (double)(k >= (uint32_t)cur[g] ? k + 1 : k);
                } else {
                    y[g] = fmin(fmax(cur[g] + step * (v->hi - v->lo) * hw_rng_normal(&st->rng), v->lo), v->hi);
                }
                nn++;
            }
            if (!st->all_cat) { /* one move of all real genes at once */
                double *y = nb + nn * (size_t)d;
                memcpy(y, cur, (size_t)d * sizeof *y);
                for (int g = 0; g < d; g++) {
                    const hw_var *v = &p->vars[g];
                    if (v->type != HW_VAR_CATEGORICAL)
                        y[g] = fmin(fmax(cur[g] + step * (v->hi - v->lo) * hw_rng_normal(&st->rng), v->lo), v->hi);
                }
                nn++;
            }
            if (!nn) break;
            rc = acq_eval(st, c, nb, nn, acq + C, e);
            if (rc) { free(cur); goto done; }
            size_t bj = (size_t)-1;
            for (size_t j = 0; j < nn; j++) {
                if (!(acq[C + j] > cv)) continue;
                if (st->all_cat && seen(st, nb + j * (size_t)d, chosen, n_chosen)) continue;
                if (bj == (size_t)-1 || acq[C + j] > acq[C + bj]) bj = j;
            }
            if (bj == (size_t)-1) {
                if (st->all_cat) break;
                step *= 0.5;
                if (step < 1e-3) break;
                continue;
            }
            memcpy(cur, nb + bj * (size_t)d, (size_t)d * sizeof *cur);
            cv = acq[C + bj];
            if (cv > best_v && !seen(st, cur, chosen, n_chosen)) {
                best_v = cv; best_i = (size_t)s;
                memcpy(out, cur, (size_t)d * sizeof *out);
            }
        }
    }
    free(cur);
    if (best_i == (size_t)-1) {
        /* every candidate was seen: the best unseen pool member, else a fresh random genome */
        for (size_t i = 0; i < C; i++) {
            if (seen(st, x + i * (size_t)d, chosen, n_chosen)) continue;
            if (best_i == (size_t)-1 || acq[i] > best_v) { best_i = i; best_v = acq[i]; }
        }
        if (best_i != (size_t)-1) memcpy(out, x + best_i * (size_t)d, (size_t)d * sizeof *out);
        for (int t = 0; t < 1000 && best_i == (size_t)-1; t++) {
            hw_var_sample(p, &st->rng, out);
            if (!seen(st, out, chosen, n_chosen)) best_i = 0;
        }
    }
    *found = best_i != (size_t)-1;
done:
    free(x); free(acq); free(order); free(par); free(keep); free(fo);
    return rc;
}

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
    int rc = sync_models(st, e);
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
        rc = ctx_prepare(st, &c, &obs, e);
        if (rc) break;
        int found = 0;
        rc = propose_one(st, &c, x, got, x + got * (size_t)d, &found, e);
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
