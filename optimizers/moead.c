/* MOEA/D (Zhang & Li 2007) with the MOEA/D-DE mating and replacement rules
 * (Li & Zhang 2009): one subproblem per weight vector, neighbourhoods of the
 * T nearest weights, mating within the neighbourhood with probability delta
 * (else the whole population), at most nr replacements per child, ideal
 * point updated by every evaluation.
 *
 * Config ("optimizer": {...}): name "moead", population_size, neighbourhood_size,
 * delta, max_replacements, decomposition ("tchebycheff" | "adjusted_tchebycheff"
 * | "pbi"), pbi_theta,
 * variation ("sbx" | "de"), weights ("lattice" | "uniform_design"), cr, f,
 * crossover_prob, crossover_eta, mutation_prob, mutation_eta, deduplicate.
 * Defaults: population 100 (the lattice size nearest to it; 4 to 20000), T = 20,
 * delta = 0.9, nr = 2, Tchebycheff for two objectives and adjusted Tchebycheff
 * for three or more (see below), PBI theta = 5, variation "sbx"
 * (crossover_prob 1.0, crossover_eta 20, as Zhang & Li 2007 on ZDT/DTLZ),
 * DE cr = 1.0 and f = 0.5 (MOEA/D-DE's settings), mutation_prob 1/n_var,
 * mutation_eta 20.  DE with cr = 1 suits problems with linked variables
 * (LZ09/UF); on separable problems such as ZDT1 it converges markedly slower.
 *
 * The default decomposition and the final population.  Member j of the final
 * population ends up near subproblem j's optimum.  With the plain Tchebycheff
 * g = max_k w_k |f_k - z_k| that optimum lies along (1/w_1, ..., 1/w_m) from
 * z, not along w, and a zero weight component (read as 1e-6) all but ignores
 * its objective, so the subproblem's optimum sits at the corner where that
 * objective is largest.  From three objectives on, the lattice has a whole
 * boundary of such weights (39 of 105 in 3 objectives): on DTLZ2 (3
 * objectives, 105 weights, 30,000 evaluations) the final population reached
 * 0.877 of the true front's HV, where the 105-point projected lattice
 * reaches 0.928.  The adjusted Tchebycheff g = max_k |f_k - z_k| / w_k (Qi et
 * al. 2014) has its optimum along w, as PBI does, and converges like the
 * plain one: final population 0.928, and the front of all evaluations gains
 * too (0.9868 against 0.9858).  A zero weight reads as 1e-4 there (the value
 * Zhang & Li's reference code substitutes for a zero weight): a boundary
 * subproblem then wants its zero-weight objectives within about 1e-4 g of
 * the ideal point, which polynomial mutation reaches; with 1e-6 it wants
 * genes on their bounds to about 1e-6, which it rarely produces, and those
 * subproblems keep a corner (0.907).  With two objectives only the two end
 * weights have a zero, plain Tchebycheff spreads as well (ZDT1: final
 * population 0.9928 with either) and stays the default, which keeps
 * two-objective results as they were.  pymoo's MOEA/D uses PBI from three
 * objectives (0.9277 on the same DTLZ2 runs); PBI here gets there too, with a
 * poorer front of all evaluations (0.9849).  The replacement rule is not the
 * cause: with the adjusted Tchebycheff, nr = 1, 2, 3, 20 or unlimited, or
 * replacement within the neighbourhood only, all give 0.9277-0.9279.
 *
 * Variation "de": DE/rand/1 (x_i + F (x_r2 - x_r3), binomial crossover CR,
 * out-of-bounds genes repaired between the bound and x_i) then polynomial
 * mutation; "sbx": SBX of two mating-pool members then polynomial mutation.
 * Categorical genes: uniform crossover with a mating-pool member, then
 * resampling (optimizers/variation.c).
 *
 * On problems with categorical genes, a child identical to a population
 * member or an earlier child of its generation gets one categorical gene
 * resampled (up to 20 times), and a repeated random initial genome is drawn
 * again: "deduplicate", default true.
 *
 * Objectives are scaled by the problem's normalisation (obj_lo, obj_hi) when
 * it has one, so scalarization is not dominated by the objective with the
 * largest units.
 *
 * Batches: ask() hands out the initial population (one random genome per
 * subproblem), then a generation of one child per subproblem, all produced
 * from the population as it stood when the generation began (so the runner
 * can evaluate the whole generation in parallel).  Told children are
 * processed one by one in subproblem order, which keeps results identical for
 * any piece size and thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/numeric.h"
#include "optimizers/moead.h"
#include "optimizers/generation.h"
#include "optimizers/optimizer.h"

/* ---- weights ------------------------------------------------------------ */

int moead_lattice_weights(int m, size_t target, double **w, size_t *n, int *H_out)
{
    *w = NULL;
    *n = 0;
    if (m < 2 || m > HW_MAX_OBJ || target < 1) return HW_EINVAL;
    int H = 1;
    while (hw_lattice_count(m, H + 1) <= (double)target) H++;
    double below = hw_lattice_count(m, H), above = hw_lattice_count(m, H + 1);
    if (below < (double)target && above - (double)target < (double)target - below) H++;
    double cnt = hw_lattice_count(m, H);
    if (cnt > 1e7) return HW_EINVAL;
    size_t count = (size_t)llround(cnt);
    double *out = malloc(count * (size_t)m * sizeof *out);
    if (!out) return HW_ENOMEM;
    *w = out;
    *n = hw_lattice_fill(m, H, out);
    if (H_out) *H_out = H;
    return HW_OK;
}

static size_t gcd_size(size_t a, size_t b)
{
    while (b) { size_t t = a % b; a = b; b = t; }
    return a;
}

/* Korobov generator (1, a, a^2, ...) mod n of dimension s; 0 if some powers
 * coincide (the design would repeat a coordinate). */
static int korobov(size_t n, size_t a, int s, size_t *h)
{
    h[0] = 1;
    for (int j = 1; j < s; j++) {
        h[j] = (h[j - 1] * a) % n;
        for (int k = 0; k < j; k++)
            if (h[k] == h[j]) return 0;
    }
    return 1;
}

static void glp_points(size_t n, int s, const size_t *h, double *u)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < s; j++) {
            size_t q = ((i + 1) * h[j]) % n;
            if (q == 0) q = n;
            u[i * (size_t)s + (size_t)j] = (2.0 * (double)q - 1.0) / (2.0 * (double)n);
        }
}

/* Squared centred L2 discrepancy (Hickernell 1998). */
static double cd2(const double *u, size_t n, int s)
{
    double t1 = pow(13.0 / 12.0, s), t2 = 0.0, t3 = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *a = u + i * (size_t)s;
        double p = 1.0;
        for (int k = 0; k < s; k++) {
            double d = fabs(a[k] - 0.5);
            p *= 1.0 + 0.5 * d - 0.5 * d * d;
        }
        t2 += p;
        for (size_t j = 0; j < n; j++) {
            const double *b = u + j * (size_t)s;
            double q = 1.0;
            for (int k = 0; k < s; k++)
                q *= 1.0 + 0.5 * fabs(a[k] - 0.5) + 0.5 * fabs(b[k] - 0.5) - 0.5 * fabs(a[k] - b[k]);
            t3 += q;
        }
    }
    return t1 - 2.0 * t2 / (double)n + t3 / ((double)n * (double)n);
}

int moead_uniform_weights(int m, size_t n, double **w, size_t *n_out)
{
    *w = NULL;
    *n_out = 0;
    if (m < 2 || m > HW_MAX_OBJ || n < 1) return HW_EINVAL;
    int s = m - 1;
    size_t h[HW_MAX_OBJ], best_h[HW_MAX_OBJ];
    /* candidate generators a in [2, n): coprime with n, distinct powers;
     * at most 64 of them (fewer for large n), spread evenly over the valid ones */
    size_t cand[64], nc = 0;
    if (s == 1) {
        cand[nc++] = 1;
    } else {
        for (;; n++) {
            size_t valid = 0;
            for (size_t a = 2; a < n; a++)
                valid += gcd_size(a, n) == 1 && korobov(n, a, s, h);
            if (valid == 0) continue;
            /* the discrepancy costs n^2 s per candidate: at most ~4e8 in all */
            size_t cap = (size_t)fmax(1.0, fmin(64.0, 4e8 / ((double)n * (double)n * s)));
            if (cap > valid) cap = valid;
            size_t step = valid / cap, seen = 0;
            for (size_t a = 2; a < n && nc < cap; a++)
                if (gcd_size(a, n) == 1 && korobov(n, a, s, h) && seen++ % step == 0) cand[nc++] = a;
            break;
        }
    }
    double *u = malloc(n * (size_t)s * sizeof *u);
    if (!u) return HW_ENOMEM;
    double best = INFINITY;
    for (size_t c = 0; c < nc; c++) {
        korobov(n, cand[c], s, h);
        glp_points(n, s, h, u);
        double d = cd2(u, n, s);
        if (d < best) { best = d; memcpy(best_h, h, (size_t)s * sizeof *h); }
    }
    glp_points(n, s, best_h, u);
    double *out = malloc(n * (size_t)m * sizeof *out);
    if (!out) { free(u); return HW_ENOMEM; }
    for (size_t i = 0; i < n; i++) {
        double prod = 1.0;
        for (int j = 0; j < s; j++) {
            double r = pow(u[i * (size_t)s + (size_t)j], 1.0 / (double)(m - 1 - j));
            out[i * (size_t)m + (size_t)j] = (1.0 - r) * prod;
            prod *= r;
        }
        out[i * (size_t)m + (size_t)s] = prod;
    }
    free(u);
    *w = out;
    *n_out = n;
    return HW_OK;
}

double moead_tchebycheff(const double *f, const double *w, const double *z, int m)
{
    double g = -INFINITY;
    for (int k = 0; k < m; k++) {
        double v = fmax(w[k], 1e-6) * fabs(f[k] - z[k]);
        if (v > g) g = v;
    }
    return g;
}

double moead_adjusted_tchebycheff(const double *f, const double *w, const double *z, int m)
{
    double g = -INFINITY;
    for (int k = 0; k < m; k++) {
        double v = fabs(f[k] - z[k]) / fmax(w[k], 1e-4);
        if (v > g) g = v;
    }
    return g;
}

double moead_pbi(const double *f, const double *w, const double *z, int m, double theta)
{
    double nw = 0.0, d1 = 0.0;
    for (int k = 0; k < m; k++) { nw += w[k] * w[k]; d1 += (f[k] - z[k]) * w[k]; }
    nw = sqrt(nw);
    d1 /= nw;
    double d2 = 0.0;
    for (int k = 0; k < m; k++) {
        double t = f[k] - z[k] - d1 * w[k] / nw;
        d2 += t * t;
    }
    return d1 + theta * sqrt(d2);
}

/* ---- the optimizer ------------------------------------------------------ */

enum { DEC_TCH = 0, DEC_ATCH = 1, DEC_PBI = 2 };
enum { VAR_DE = 0, VAR_SBX = 1 };

typedef struct {
    const hw_problem *p;
    int nv, m;
    size_t N, T;
    double delta;
    size_t nr;
    int decomposition, variation;
    int dedup; /* re-nudge children that repeat a member or an earlier child */
    double theta, cr, F, pm, eta_m, pc, eta_c;
    hw_rng rng;
    double *w;      /* N × m weights */
    int *nb;        /* N × T neighbour indices, nearest first (itself first) */
    double *x, *f, *fn; /* population: genomes, objectives, normalised objectives */
    size_t pop_n;   /* subproblems holding a solution (< N only while initialising) */
    double z[HW_MAX_OBJ], lo[HW_MAX_OBJ], scale[HW_MAX_OBJ];
    /* the generation being handed out */
    hw_generation q;
    double *scratch;
    unsigned char *qlocal; /* child j mates/replaces within its neighbourhood */
    int *pool; /* N scratch */
} moead;

static void moead_destroy(void *stp)
{
    moead *s = stp;
    if (!s) return;
    free(s->w); free(s->nb); free(s->x); free(s->f); free(s->fn); free(s->q.x); free(s->scratch);
    free(s->qlocal); free(s->pool);
    free(s);
}

/* A weight's distance to another, and the other's index. */
typedef struct {
    double d;
    int j;
} nb_key;

static int nb_less(const nb_key *a, const nb_key *b) { return a->d < b->d || (a->d == b->d && a->j < b->j); }

static int nb_cmp(const void *a, const void *b)
{
    return nb_less(a, b) ? -1 : nb_less(b, a) ? 1 : 0;
}

/* Moves the k smallest keys (1 <= k <= n) into a[0..k), in any order:
 * quickselect with pseudo-random pivots (distances along a lattice row are
 * V-shaped, which defeats fixed pivots).  The keys are distinct, so the
 * selected set does not depend on the pivots. */
static void nb_select(nb_key *a, size_t n, size_t k)
{
    uint64_t r = 0x9e3779b97f4a7c15ULL;
    size_t lo = 0, hi = n; /* invariant: a[0..lo) < a[lo..n), and k - 1 is in [lo, hi) */
    while (hi - lo > 1) {
        r ^= r << 13; r ^= r >> 7; r ^= r << 17; /* xorshift64 */
        size_t mid = lo + (size_t)(r % (hi - lo)), store = lo;
        nb_key t = a[mid]; a[mid] = a[hi - 1]; a[hi - 1] = t;
        for (size_t i = lo; i < hi - 1; i++)
            if (nb_less(&a[i], &a[hi - 1])) { t = a[i]; a[i] = a[store]; a[store] = t; store++; }
        t = a[store]; a[store] = a[hi - 1]; a[hi - 1] = t; /* the pivot has rank store */
        if (store + 1 == k) return;
        if (store + 1 < k) lo = store + 1;
        else hi = store;
    }
}

/* The T nearest weights of every weight (itself first, ties by index):
 * all N distances, a quickselect of the T smallest and a sort of those,
 * O(N^2 + N T log T) whatever T is. */
static int make_neighbourhoods(moead *s)
{
    size_t N = s->N, T = s->T, m = (size_t)s->m;
    nb_key *key = malloc(N * sizeof *key);
    if (!key) return HW_ENOMEM;
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < N; j++) {
            double d = 0.0;
            for (size_t c = 0; c < m; c++) {
                double v = s->w[i * m + c] - s->w[j * m + c];
                d += v * v;
            }
            key[j].d = j == i ? -1.0 : d;
            key[j].j = (int)j;
        }
        nb_select(key, N, T);
        qsort(key, T, sizeof *key, nb_cmp);
        for (size_t t = 0; t < T; t++) s->nb[i * T + t] = key[t].j;
    }
    free(key);
    return HW_OK;
}

static int moead_create(void **out, const hw_problem *p, const cJSON *params, const char *path,
                        uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "population_size", "neighbourhood_size", "delta",
                                       "max_replacements", "decomposition", "pbi_theta", "variation",
                                       "weights", "cr", "f", "mutation_prob", "mutation_eta",
                                       "crossover_prob", "crossover_eta", "deduplicate", NULL};
    static const char *const decs[] = {"tchebycheff", "adjusted_tchebycheff", "pbi", NULL};
    static const char *const vars[] = {"de", "sbx", NULL};
    static const char *const wkinds[] = {"lattice", "uniform_design", NULL};
    *out = NULL;
    if (!p || p->n_var < 1 || p->n_obj < 2 || p->n_obj > HW_MAX_OBJ)
        return hw_fail(e, HW_EINVAL, "%s: moead needs a problem with variables and 2 to %d objectives",
                       path, HW_MAX_OBJ);
    long long N = 100, T = 20, nr = 2;
    double delta = 0.9, theta = 5.0, cr = 1.0, F = 0.5, pm = 1.0 / p->n_var, eta_m = 20.0;
    double pc = 1.0, eta_c = 20.0;
    int dec = p->n_obj == 2 ? DEC_TCH : DEC_ATCH, var = VAR_SBX, wk = 0, dedup = 1, has_cat = 0;
    for (int i = 0; i < p->n_var; i++) has_cat |= p->vars[i].type == HW_VAR_CATEGORICAL;
    if (params) {
        int rc;
        if ((rc = hwj_check_keys(params, path, keys, e))) return rc;
        if ((rc = hwj_get_int(params, path, "population_size", 0, 4, 20000, &N, e))) return rc;
        if ((rc = hwj_get_int(params, path, "neighbourhood_size", 0, 2, 20000, &T, e))) return rc;
        if ((rc = hwj_get_double(params, path, "delta", 0, 0.0, 1.0, &delta, e))) return rc;
        if ((rc = hwj_get_int(params, path, "max_replacements", 0, 1, 20000, &nr, e))) return rc;
        if ((rc = hwj_get_enum(params, path, "decomposition", 0, decs, &dec, e))) return rc;
        if ((rc = hwj_get_double(params, path, "pbi_theta", 0, 0.0, 1e6, &theta, e))) return rc;
        if ((rc = hwj_get_enum(params, path, "variation", 0, vars, &var, e))) return rc;
        if ((rc = hwj_get_enum(params, path, "weights", 0, wkinds, &wk, e))) return rc;
        if ((rc = hwj_get_double(params, path, "cr", 0, 0.0, 1.0, &cr, e))) return rc;
        if ((rc = hwj_get_double(params, path, "f", 0, 0.0, 2.0, &F, e))) return rc;
        if ((rc = hwj_get_double(params, path, "mutation_prob", 0, 0.0, 1.0, &pm, e))) return rc;
        if ((rc = hwj_get_double(params, path, "mutation_eta", 0, 0.0, 1000.0, &eta_m, e))) return rc;
        if ((rc = hwj_get_double(params, path, "crossover_prob", 0, 0.0, 1.0, &pc, e))) return rc;
        if ((rc = hwj_get_double(params, path, "crossover_eta", 0, 0.0, 1000.0, &eta_c, e))) return rc;
        if ((rc = hwj_get_bool(params, path, "deduplicate", 0, &dedup, e))) return rc;
    }
    int trc = hw_opt_check_table(path, "population_size", N, p->n_var, "variables", e);
    if (!trc) trc = hw_opt_check_table(path, "neighbourhood_size", N, T < N ? T : N, "neighbours", e);
    if (trc) return trc;
    moead *s = calloc(1, sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "moead: out of memory");
    s->p = p; s->nv = p->n_var; s->m = p->n_obj;
    s->delta = delta; s->nr = (size_t)nr; s->decomposition = dec; s->variation = var;
    s->dedup = dedup && has_cat;
    s->theta = theta; s->cr = cr; s->F = F; s->pm = pm; s->eta_m = eta_m; s->pc = pc; s->eta_c = eta_c;
    hw_rng_seed(&s->rng, seed, HW_STREAM_OPTIMIZER);
    int rc = wk == 0 ? moead_lattice_weights(s->m, (size_t)N, &s->w, &s->N, NULL)
                     : moead_uniform_weights(s->m, (size_t)N, &s->w, &s->N);
    if (rc) {
        moead_destroy(s);
        if (rc == HW_ENOMEM) return hw_fail(e, rc, "moead: out of memory for the weight vectors");
        return hw_fail(e, rc, "%s.population_size: %lld weight vectors in %d objectives are too many",
                       path, N, p->n_obj);
    }
    s->T = (size_t)T < s->N ? (size_t)T : s->N;
    for (int k = 0; k < s->m; k++) {
        s->z[k] = INFINITY;
        s->lo[k] = 0.0;
        s->scale[k] = 1.0;
        if (p->obj_lo && p->obj_hi && p->obj_hi[k] > p->obj_lo[k]) {
            s->lo[k] = p->obj_lo[k];
            s->scale[k] = 1.0 / (p->obj_hi[k] - p->obj_lo[k]);
        }
    }
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    s->nb = malloc(s->N * s->T * sizeof *s->nb);
    s->x = malloc(s->N * nv * sizeof *s->x);
    s->f = malloc(s->N * m * sizeof *s->f);
    s->fn = malloc(s->N * m * sizeof *s->fn);
    s->q.x = malloc(s->N * nv * sizeof *s->q.x);
    s->scratch = malloc(nv * sizeof *s->scratch);
    s->qlocal = malloc(s->N);
    s->pool = malloc(s->N * sizeof *s->pool);
    if (!s->nb || !s->x || !s->f || !s->fn || !s->q.x || !s->scratch || !s->qlocal || !s->pool ||
        make_neighbourhoods(s)) {
        moead_destroy(s);
        return hw_fail(e, HW_ENOMEM, "moead: out of memory for population %zu", (size_t)N);
    }
    *out = s;
    return HW_OK;
}

/* A random member of child i's mating pool other than i and `not` (when the
 * pool allows it). */
static size_t pick_mate(moead *s, size_t i, int local, size_t not)
{
    size_t P = local ? s->T : s->N, r = i;
    for (int t = 0; t < 32; t++) {
        size_t k = hw_rng_below(&s->rng, (uint32_t)P);
        r = local ? (size_t)s->nb[i * s->T + k] : k;
        if (r != i && r != not) break;
    }
    return r;
}

static void make_child(moead *s, size_t i, double *y)
{
    const hw_problem *p = s->p;
    size_t nv = (size_t)s->nv;
    int local = hw_rng_uniform(&s->rng) < s->delta;
    s->qlocal[i] = (unsigned char)local;
    size_t r2 = pick_mate(s, i, local, i);
    size_t r3 = pick_mate(s, i, local, r2);
    const double *xi = s->x + i * nv, *x2 = s->x + r2 * nv, *x3 = s->x + r3 * nv;
    if (s->variation == VAR_SBX) {
        hw_var_crossover(p, &s->rng, x2, x3, y, s->scratch, s->pc, s->eta_c);
    } else {
        int n_real = 0;
        for (size_t g = 0; g < nv; g++) n_real += p->vars[g].type == HW_VAR_REAL;
        int jrand = n_real > 0 ? (int)hw_rng_below(&s->rng, (uint32_t)n_real) : -1, jr = 0;
        for (size_t g = 0; g < nv; g++) {
            const hw_var *v = &p->vars[g];
            if (v->type == HW_VAR_CATEGORICAL) {
                y[g] = hw_rng_uniform(&s->rng) < 0.5 ? x2[g] : xi[g];
                continue;
            }
            int take = jr++ == jrand || hw_rng_uniform(&s->rng) < s->cr;
            double t = take ? xi[g] + s->F * (x2[g] - x3[g]) : xi[g];
            if (t < v->lo) t = v->lo + hw_rng_uniform(&s->rng) * (xi[g] - v->lo);
            else if (t > v->hi) t = v->hi - hw_rng_uniform(&s->rng) * (v->hi - xi[g]);
            y[g] = fmin(fmax(t, v->lo), v->hi);
        }
    }
    if (s->pm > 0) hw_var_mutate(p, &s->rng, y, s->pm, s->eta_m);
}

static double scalar(const moead *s, const double *fn, size_t j)
{
    const double *w = s->w + j * (size_t)s->m;
    switch (s->decomposition) {
    case DEC_PBI: return moead_pbi(fn, w, s->z, s->m, s->theta);
    case DEC_ATCH: return moead_adjusted_tchebycheff(fn, w, s->z, s->m);
    default: return moead_tchebycheff(fn, w, s->z, s->m);
    }
}

/* raw: f with NaN read as +inf; fn: raw normalised */
static void normalise(const moead *s, const double *f, double *raw, double *fn)
{
    for (int k = 0; k < s->m; k++) {
        raw[k] = isnan(f[k]) ? INFINITY : f[k];
        fn[k] = (raw[k] - s->lo[k]) * s->scale[k];
    }
}

static void update_ideal(moead *s, const double *fn)
{
    for (int k = 0; k < s->m; k++)
        if (fn[k] < s->z[k]) s->z[k] = fn[k];
}

/* Child of subproblem i: update z, then replace at most nr pool members
 * (visited in random order) that it scalarizes no worse than. */
static void place_child(moead *s, size_t i, const double *x, const double *raw, const double *fn)
{
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    update_ideal(s, fn);
    size_t P = s->qlocal[i] ? s->T : s->N;
    for (size_t k = 0; k < P; k++) s->pool[k] = s->qlocal[i] ? s->nb[i * s->T + k] : (int)k;
    hw_rng_shuffle_int(&s->rng, s->pool, (int)P);
    size_t c = 0;
    for (size_t k = 0; k < P && c < s->nr; k++) {
        size_t j = (size_t)s->pool[k];
        if (scalar(s, fn, j) <= scalar(s, s->fn + j * m, j)) {
            memcpy(s->x + j * nv, x, nv * sizeof(double));
            memcpy(s->f + j * m, raw, m * sizeof(double));
            memcpy(s->fn + j * m, fn, m * sizeof(double));
            c++;
        }
    }
}

static int moead_ask(void *stp, double *x, size_t max_n, size_t *n, hw_err *e)
{
    moead *s = stp;
    (void)e;
    *n = 0;
    if (max_n == 0) return HW_OK;
    size_t nv = (size_t)s->nv;
    if (s->q.asked == s->q.n) {
        s->q.asked = s->q.told = 0;
        if (s->pop_n < s->N) {
            s->q.n = s->N - s->pop_n;
            s->q.initial = 1;
            for (size_t j = 0; j < s->q.n; j++)
                hw_generation_sample(&s->q, j, s->p, &s->rng, s->x, s->pop_n, s->dedup);
        } else {
            s->q.n = s->N;
            s->q.initial = 0;
            for (size_t i = 0; i < s->N; i++) {
                make_child(s, i, s->q.x + i * nv);
                if (s->dedup) hw_generation_nudge_repeat(&s->q, i, s->p, &s->rng, s->x, s->N);
            }
        }
    }
    *n = hw_generation_take(&s->q, s->nv, x, max_n);
    return HW_OK;
}

static int moead_tell(void *stp, const double *x, const double *f, size_t n, hw_err *e)
{
    moead *s = stp;
    (void)e;
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    double raw[HW_MAX_OBJ], fn[HW_MAX_OBJ];
    for (size_t t = 0; t < n; t++) {
        normalise(s, f + t * m, raw, fn);
        if (s->q.initial) {
            size_t j = s->pop_n++;
            memcpy(s->x + j * nv, x + t * nv, nv * sizeof(double));
            memcpy(s->f + j * m, raw, m * sizeof(double));
            memcpy(s->fn + j * m, fn, m * sizeof(double));
            update_ideal(s, fn);
        } else {
            place_child(s, s->q.told + t, x + t * nv, raw, fn);
        }
    }
    hw_generation_told(&s->q, n);
    if (s->q.told == s->q.n) s->q.n = s->q.asked = s->q.told = 0;
    return HW_OK;
}

size_t moead_population(const void *stp, const double **x, const double **f)
{
    const moead *s = stp;
    *x = s->x;
    *f = s->f;
    return s->pop_n;
}

static size_t moead_batch_size(const void *stp)
{
    return ((const moead *)stp)->N;
}

const hw_optimizer_ops hw_moead_ops = {
    .name = "moead",
    .create = moead_create,
    .ask = moead_ask,
    .tell = moead_tell,
    .destroy = moead_destroy,
    .batch_size = moead_batch_size,
};
