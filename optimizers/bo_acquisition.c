/* optimizers/bo_acquisition.c — the BO engine's acquisitions: the EHVI
 * kernels (bo.h), the acquisition values of rsbo / lsbo / ehvi on a block of
 * genomes, the per-point context and the candidate search with hill
 * climbing.  See bo.c. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numeric.h"
#include "indicators/indicators.h"
#include "optimizers/bo.h"
#include "optimizers/bo_internal.h"

/* ---- EHVI kernels -------------------------------------------------------- */

static double norm_cdf(double u) { return hw_normal_cdf(u); }
static double norm_pdf(double u) { return gsl_ran_ugaussian_pdf(u); }

/* psi(c) = integral_{-inf}^{c} Phi((z - mu) / s) dz. */
static double psi(double c, double mu, double s)
{
    if (c == -INFINITY) return 0.0;
    if (!(s > 0.0)) return c > mu ? c - mu : 0.0;
    double u = (c - mu) / s;
    /* beyond 40 standard deviations Phi(u) is exactly 0 or 1 and phi(u)
     * exactly 0 in double precision: the same value without erfc and exp */
    if (u <= -40.0) return 0.0;
    if (u >= 40.0) return c - mu;
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

/* Build the per-point context: scaling, weights, front, reference. */
int bo_ctx_prepare(bo_state *st, acq_ctx *c, const pointset *obs, hw_err *e)
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
int bo_propose_one(bo_state *st, const acq_ctx *c, const double *chosen, size_t n_chosen,
                       double *out, int *found, hw_err *e)
{
    int d = st->d, M = st->M;
    const hw_problem *p = st->p;
    size_t C = (size_t)st->candidates;
    size_t nbr_per = (size_t)d + 1;
    size_t cap = C + (size_t)NEIGHBOUR_ROWS * nbr_per;
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
    /* partial selection of the best n_starts distinct unseen candidates */
    size_t best_i = (size_t)-1;
    double best_v = -INFINITY;
    double *cur = malloc((size_t)d * sizeof *cur);
    if (!cur) { rc = hw_fail(e, HW_ENOMEM, "bo: out of memory"); goto done; }
    int n_starts = st->dense_search ? LOCAL_STARTS_REAL : LOCAL_STARTS_CAT;
    int n_steps = st->dense_search ? LOCAL_STEPS_REAL : LOCAL_STEPS_CAT;
    for (int s = 0; s < n_starts; s++) {
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
        for (int it = 0; it < n_steps; it++) {
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
