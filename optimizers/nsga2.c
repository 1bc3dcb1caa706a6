/* NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002): (mu + lambda) elitist
 * selection by Pareto rank then crowding distance, crowded binary tournament,
 * SBX + polynomial mutation on real genes, uniform crossover + resampling on
 * categorical genes (optimizers/variation.c).
 *
 * Config ("optimizer": {...}): name "nsga2", population_size (100; 4 to
 * 20000), crossover_prob (0.9), crossover_eta (15, pymoo's default; Deb et
 * al. 2002 used 20), mutation_prob (1/n_var), mutation_eta (20), deduplicate
 * (true).  batch_size() is population_size.
 *
 * ask() hands out the initial population (population_size random genomes),
 * then offspring generations of population_size, in as many pieces as the
 * caller's max_n needs.  A generation is selected once all of it is told; a
 * short tell ends the generation early (the untold genomes are dropped).
 * On problems with categorical genes, a child identical to a population
 * member or an earlier child of its generation gets one categorical gene
 * resampled (up to 20 times), and a repeated random initial genome is drawn
 * again, so evaluations are not wasted on repeats ("deduplicate", default
 * true). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "optimizers/nsga2.h"
#include "optimizers/generation.h"
#include "optimizers/optimizer.h"

/* ---- selection kernels ------------------------------------------------- */

typedef struct {
    double k1, k2;
    int i;
} sort_key;

static inline int key_less(const sort_key *x, const sort_key *y)
{
    if (x->k1 != y->k1) return x->k1 < y->k1;
    if (x->k2 != y->k2) return x->k2 < y->k2;
    return x->i < y->i;
}

/* Sort by (k1, k2, i): insertion sort of runs of 16, then bottom-up merges
 * (a typed sort: qsort's indirect comparisons cost a quarter of a ZDT1 run).
 * Keys are never NaN here (NaN objectives are read as +inf). */
static int sort_keys(sort_key *a, size_t n)
{
    enum { RUN = 16 };
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = lo + RUN < n ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            sort_key t = a[i];
            size_t j = i;
            while (j > lo && key_less(&t, &a[j - 1])) { a[j] = a[j - 1]; j--; }
            a[j] = t;
        }
    }
    if (n <= RUN) return HW_OK;
    sort_key *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return HW_ENOMEM;
    sort_key *src = a, *dst = tmp;
    for (size_t w = RUN; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = key_less(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        sort_key *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    return HW_OK;
}

/* 2 objectives: sweep the points in lexicographic (f1, f2) order.  Every
 * earlier point has f1 <= the current one, so front k dominates the point iff
 * its member with the smallest f2 (the last one added, L_k) does.  "L_k
 * dominates p" holds for a prefix of the fronts (whatever L_{k+1} dominates,
 * L_k does too), so the point's front is found by binary search. */
static int rank_2d(const double *f, size_t n, int *rank, int *n_fronts)
{
    sort_key *s = malloc(n * sizeof *s);
    int *last = malloc(n * sizeof *last);
    if (!s || !last) { free(s); free(last); return HW_ENOMEM; }
    for (size_t i = 0; i < n; i++) { s[i].k1 = f[2 * i]; s[i].k2 = f[2 * i + 1]; s[i].i = (int)i; }
    if (sort_keys(s, n)) { free(s); free(last); return HW_ENOMEM; }
    int nf = 0;
    for (size_t j = 0; j < n; j++) {
        double a = s[j].k1, b = s[j].k2;
        int lo = 0, hi = nf; /* first front whose L does not dominate p */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            const double *l = f + 2 * (size_t)last[mid];
            int dom = l[1] <= b && (l[0] < a || l[1] < b);
            if (dom) lo = mid + 1;
            else hi = mid;
        }
        if (lo == nf) nf++;
        last[lo] = s[j].i;
        rank[s[j].i] = lo;
    }
    if (n_fronts) *n_fronts = nf;
    free(s);
    free(last);
    return HW_OK;
}

/* Deb's fast non-dominated sort: dominance counts and a dominance matrix,
 * then peel the fronts. */
int nsga2_rank_dominance(const double *f, size_t n, int m, int *rank, int *n_fronts)
{
    unsigned char *dom = calloc(n * n, 1);
    int *count = calloc(n, sizeof *count);
    int *cur = malloc(n * sizeof *cur), *next = malloc(n * sizeof *next);
    if (!dom || !count || !cur || !next) {
        free(dom); free(count); free(cur); free(next);
        return HW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const double *a = f + i * (size_t)m;
        for (size_t j = i + 1; j < n; j++) {
            const double *b = f + j * (size_t)m;
            int a_better = 0, b_better = 0;
            for (int k = 0; k < m; k++) {
                a_better |= a[k] < b[k];
                b_better |= b[k] < a[k];
            }
            if (a_better && !b_better) { dom[i * n + j] = 1; count[j]++; }
            else if (b_better && !a_better) { dom[j * n + i] = 1; count[i]++; }
        }
    }
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        if (count[i] == 0) { cur[nc++] = (int)i; rank[i] = 0; }
    int nf = 0;
    while (nc > 0) {
        nf++;
        size_t nn = 0;
        for (size_t c = 0; c < nc; c++) {
            const unsigned char *row = dom + (size_t)cur[c] * n;
            for (size_t j = 0; j < n; j++)
                if (row[j] && --count[j] == 0) { next[nn++] = (int)j; rank[j] = nf; }
        }
        int *t = cur; cur = next; next = t;
        nc = nn;
    }
    if (n_fronts) *n_fronts = nf;
    free(dom); free(count); free(cur); free(next);
    return HW_OK;
}

int nsga2_rank(const double *f, size_t n, int m, int *rank, int *n_fronts)
{
    if (n == 0) { if (n_fronts) *n_fronts = 0; return HW_OK; }
    if (m == 2) return rank_2d(f, n, rank, n_fronts);
    return nsga2_rank_dominance(f, n, m, rank, n_fronts);
}

int nsga2_crowding(const double *f, int m, const int *idx, size_t k, double *dist)
{
    for (size_t j = 0; j < k; j++) dist[j] = 0.0;
    if (k <= 2) {
        for (size_t j = 0; j < k; j++) dist[j] = INFINITY;
        return HW_OK;
    }
    sort_key *s = malloc(k * sizeof *s);
    if (!s) return HW_ENOMEM;
    for (int o = 0; o < m; o++) {
        for (size_t j = 0; j < k; j++) {
            s[j].k1 = f[(size_t)idx[j] * (size_t)m + (size_t)o];
            s[j].k2 = 0.0;
            s[j].i = (int)j;
        }
        if (sort_keys(s, k)) { free(s); return HW_ENOMEM; }
        dist[s[0].i] = INFINITY;
        dist[s[k - 1].i] = INFINITY;
        double range = s[k - 1].k1 - s[0].k1;
        if (!(range > 0) || !isfinite(range)) continue;
        for (size_t j = 1; j + 1 < k; j++)
            dist[s[j].i] += (s[j + 1].k1 - s[j - 1].k1) / range;
    }
    free(s);
    return HW_OK;
}

size_t nsga2_tournament(const int *rank, const double *crowd, size_t n, hw_rng *r)
{
    if (n <= 1) return 0;
    size_t a = hw_rng_below(r, (uint32_t)n);
    size_t b = hw_rng_below(r, (uint32_t)n - 1u);
    if (b >= a) b++;
    if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
    if (crowd[a] != crowd[b]) return crowd[a] > crowd[b] ? a : b;
    return hw_rng_uniform(r) < 0.5 ? a : b;
}

/* ---- the optimizer ----------------------------------------------------- */

typedef struct {
    const hw_problem *p;
    int nv, m;
    size_t N;
    double pc, eta_c, pm, eta_m;
    int dedup;
    hw_rng rng;
    /* parent population */
    double *px, *pf, *pcrowd;
    int *prank;
    size_t pop_n;
    hw_generation q; /* the generation being handed out */
    double *qf;      /* its objectives as told */
    /* merge workspace (2N) */
    double *rx, *rf, *rcrowd;
    int *rrank, *ridx;
} nsga2;

static void nsga2_destroy(void *stp)
{
    nsga2 *s = stp;
    if (!s) return;
    free(s->px); free(s->pf); free(s->pcrowd); free(s->prank);
    free(s->q.x); free(s->qf);
    free(s->rx); free(s->rf); free(s->rcrowd); free(s->rrank); free(s->ridx);
    free(s);
}

static int nsga2_create(void **out, const hw_problem *p, const cJSON *params, const char *path,
                        uint64_t seed, hw_err *e)
{
    static const char *const keys[] = {"name", "population_size", "crossover_prob", "crossover_eta",
                                       "mutation_prob", "mutation_eta", "deduplicate", NULL};
    *out = NULL;
    if (!p || p->n_var < 1 || p->n_obj < 1)
        return hw_fail(e, HW_EINVAL, "%s: nsga2 needs a problem with variables and objectives", path);
    long long N = 100;
    double pc = 0.9, eta_c = 15.0, pm = 1.0 / p->n_var, eta_m = 20.0;
    int has_cat = 0;
    for (int i = 0; i < p->n_var; i++) has_cat |= p->vars[i].type == HW_VAR_CATEGORICAL;
    int dedup = 1;
    if (params) {
        int rc;
        if ((rc = hwj_check_keys(params, path, keys, e))) return rc;
        if ((rc = hwj_get_int(params, path, "population_size", 0, 4, 20000, &N, e))) return rc;
        if ((rc = hwj_get_double(params, path, "crossover_prob", 0, 0.0, 1.0, &pc, e))) return rc;
        if ((rc = hwj_get_double(params, path, "crossover_eta", 0, 0.0, 1000.0, &eta_c, e))) return rc;
        if ((rc = hwj_get_double(params, path, "mutation_prob", 0, 0.0, 1.0, &pm, e))) return rc;
        if ((rc = hwj_get_double(params, path, "mutation_eta", 0, 0.0, 1000.0, &eta_m, e))) return rc;
        if ((rc = hwj_get_bool(params, path, "deduplicate", 0, &dedup, e))) return rc;
    }
    int trc = hw_opt_check_table(path, "population_size", 2 * N, p->n_var, "variables", e);
    if (trc) return trc;
    nsga2 *s = calloc(1, sizeof *s);
    if (!s) return hw_fail(e, HW_ENOMEM, "nsga2: out of memory");
    s->p = p; s->nv = p->n_var; s->m = p->n_obj; s->N = (size_t)N;
    s->pc = pc; s->eta_c = eta_c; s->pm = pm; s->eta_m = eta_m;
    s->dedup = dedup && has_cat;
    hw_rng_seed(&s->rng, seed, HW_STREAM_OPTIMIZER);
    size_t nv = (size_t)s->nv, m = (size_t)s->m, n2 = 2 * s->N;
    s->px = malloc(s->N * nv * sizeof(double));
    s->pf = malloc(s->N * m * sizeof(double));
    s->pcrowd = malloc(s->N * sizeof(double));
    s->prank = malloc(s->N * sizeof(int));
    s->q.x = malloc(s->N * nv * sizeof(double));
    s->qf = malloc(s->N * m * sizeof(double));
    s->rx = malloc(n2 * nv * sizeof(double));
    s->rf = malloc(n2 * m * sizeof(double));
    s->rcrowd = malloc(n2 * sizeof(double));
    s->rrank = malloc(n2 * sizeof(int));
    s->ridx = malloc(n2 * sizeof(int));
    if (!s->px || !s->pf || !s->pcrowd || !s->prank || !s->q.x || !s->qf || !s->rx || !s->rf ||
        !s->rcrowd || !s->rrank || !s->ridx) {
        nsga2_destroy(s);
        return hw_fail(e, HW_ENOMEM, "nsga2: out of memory for population %lld", N);
    }
    *out = s;
    return HW_OK;
}

static void make_offspring(nsga2 *s)
{
    size_t nv = (size_t)s->nv, N = s->N;
    for (size_t j = 0; j < N; j += 2) {
        size_t a = nsga2_tournament(s->prank, s->pcrowd, s->pop_n, &s->rng);
        size_t b = nsga2_tournament(s->prank, s->pcrowd, s->pop_n, &s->rng);
        double *c1 = s->q.x + j * nv;
        double *c2 = j + 1 < N ? c1 + nv : s->rx; /* odd N: the second child is scratch */
        hw_var_crossover(s->p, &s->rng, s->px + a * nv, s->px + b * nv, c1, c2, s->pc, s->eta_c);
        if (s->pm > 0) {
            hw_var_mutate(s->p, &s->rng, c1, s->pm, s->eta_m);
            hw_var_mutate(s->p, &s->rng, c2, s->pm, s->eta_m);
        }
        if (s->dedup)
            for (size_t c = j; c < j + 2 && c < N; c++)
                hw_generation_nudge_repeat(&s->q, c, s->p, &s->rng, s->px, s->pop_n);
    }
    s->q.n = N;
}

/* Environmental selection: rank pop ∪ told children, fill the next
 * population front by front, the last front by decreasing crowding. */
static int select_next(nsga2 *s)
{
    size_t nv = (size_t)s->nv, m = (size_t)s->m, N = s->N;
    size_t n = s->pop_n + s->q.told;
    memcpy(s->rx, s->px, s->pop_n * nv * sizeof(double));
    memcpy(s->rf, s->pf, s->pop_n * m * sizeof(double));
    memcpy(s->rx + s->pop_n * nv, s->q.x, s->q.told * nv * sizeof(double));
    memcpy(s->rf + s->pop_n * m, s->qf, s->q.told * m * sizeof(double));
    int nf = 0;
    if (nsga2_rank(s->rf, n, s->m, s->rrank, &nf)) return HW_ENOMEM;
    /* counting sort of the indices by rank (stable) */
    int *start = calloc((size_t)nf + 1, sizeof *start);
    if (!start) return HW_ENOMEM;
    for (size_t i = 0; i < n; i++) start[s->rrank[i] + 1]++;
    for (int r = 0; r < nf; r++) start[r + 1] += start[r];
    int *fill = malloc(((size_t)nf + 1) * sizeof *fill);
    if (!fill) { free(start); return HW_ENOMEM; }
    memcpy(fill, start, ((size_t)nf + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++) s->ridx[fill[s->rrank[i]]++] = (int)i;
    free(fill);
    size_t kept = 0;
    int rc = HW_OK;
    for (int r = 0; r < nf && kept < N; r++) {
        int *front = s->ridx + start[r];
        size_t k = (size_t)(start[r + 1] - start[r]);
        if ((rc = nsga2_crowding(s->rf, s->m, front, k, s->rcrowd))) break;
        if (kept + k > N) {
            /* order the last front by crowding, descending (ties: index) */
            sort_key *sk = malloc(k * sizeof *sk);
            if (!sk) { rc = HW_ENOMEM; break; }
            for (size_t j = 0; j < k; j++) { sk[j].k1 = -s->rcrowd[j]; sk[j].k2 = 0; sk[j].i = (int)j; }
            if (sort_keys(sk, k)) { free(sk); rc = HW_ENOMEM; break; }
            int *tmp = malloc(k * sizeof *tmp);
            double *tc = malloc(k * sizeof *tc);
            if (!tmp || !tc) { free(sk); free(tmp); free(tc); rc = HW_ENOMEM; break; }
            for (size_t j = 0; j < k; j++) { tmp[j] = front[sk[j].i]; tc[j] = s->rcrowd[sk[j].i]; }
            memcpy(front, tmp, k * sizeof *tmp);
            memcpy(s->rcrowd, tc, k * sizeof *tc);
            free(sk); free(tmp); free(tc);
            k = N - kept;
        }
        for (size_t j = 0; j < k; j++, kept++) {
            size_t i = (size_t)front[j];
            memcpy(s->px + kept * nv, s->rx + i * nv, nv * sizeof(double));
            memcpy(s->pf + kept * m, s->rf + i * m, m * sizeof(double));
            s->prank[kept] = r;
            s->pcrowd[kept] = s->rcrowd[j];
        }
    }
    free(start);
    if (rc) return rc;
    s->pop_n = kept;
    return HW_OK;
}

/* Rank and crowding of the population as it stands (after the random
 * initial population is told). */
static int assess_population(nsga2 *s)
{
    int nf = 0;
    if (nsga2_rank(s->pf, s->pop_n, s->m, s->prank, &nf)) return HW_ENOMEM;
    for (int r = 0; r < nf; r++) {
        size_t k = 0;
        for (size_t i = 0; i < s->pop_n; i++)
            if (s->prank[i] == r) s->ridx[k++] = (int)i;
        if (nsga2_crowding(s->pf, s->m, s->ridx, k, s->rcrowd)) return HW_ENOMEM;
        for (size_t j = 0; j < k; j++) s->pcrowd[s->ridx[j]] = s->rcrowd[j];
    }
    return HW_OK;
}

static int nsga2_ask(void *stp, double *x, size_t max_n, size_t *n, hw_err *e)
{
    nsga2 *s = stp;
    (void)e;
    *n = 0;
    if (max_n == 0) return HW_OK;
    if (s->q.asked == s->q.n) { /* start a generation */
        s->q.asked = s->q.told = 0;
        if (s->pop_n < s->N) { /* (rest of the) random initial population */
            s->q.n = s->N - s->pop_n;
            s->q.initial = 1;
            for (size_t j = 0; j < s->q.n; j++)
                hw_generation_sample(&s->q, j, s->p, &s->rng, s->px, s->pop_n, s->dedup);
        } else {
            make_offspring(s);
            s->q.initial = 0;
        }
    }
    *n = hw_generation_take(&s->q, s->nv, x, max_n);
    return HW_OK;
}

static int nsga2_tell(void *stp, const double *x, const double *f, size_t n, hw_err *e)
{
    nsga2 *s = stp;
    size_t nv = (size_t)s->nv, m = (size_t)s->m;
    memcpy(s->q.x + s->q.told * nv, x, n * nv * sizeof(double));
    for (size_t i = 0; i < n * m; i++) /* NaN (failed evaluation) ranks worst */
        s->qf[s->q.told * m + i] = isnan(f[i]) ? INFINITY : f[i];
    hw_generation_told(&s->q, n);
    if (s->q.told < s->q.n) return HW_OK;
    int rc;
    if (s->q.initial) { /* random genomes join the population as they are */
        memcpy(s->px + s->pop_n * nv, s->q.x, s->q.told * nv * sizeof(double));
        memcpy(s->pf + s->pop_n * m, s->qf, s->q.told * m * sizeof(double));
        s->pop_n += s->q.told;
        rc = assess_population(s);
    } else {
        rc = select_next(s);
    }
    s->q.n = s->q.asked = s->q.told = 0;
    if (rc) return hw_fail(e, rc, "nsga2: out of memory in selection");
    return HW_OK;
}

size_t nsga2_population(const void *stp, const double **x, const double **f)
{
    const nsga2 *s = stp;
    *x = s->px;
    *f = s->pf;
    return s->pop_n;
}

static size_t nsga2_batch_size(const void *stp)
{
    return ((const nsga2 *)stp)->N;
}

const hw_optimizer_ops hw_nsga2_ops = {
    .name = "nsga2",
    .create = nsga2_create,
    .ask = nsga2_ask,
    .tell = nsga2_tell,
    .destroy = nsga2_destroy,
    .batch_size = nsga2_batch_size,
};
