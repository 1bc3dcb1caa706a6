/* Shared variation operators: SBX crossover and polynomial mutation for real
 * genes (Deb & Agrawal 1995; Deb & Goyal 1996, the bounded variants used by
 * NSGA-II's reference code), uniform crossover and resampling for categorical
 * genes. */
#include <math.h>

#include "optimizers/optimizer.h"

void hw_var_sample(const hw_problem *p, hw_rng *r, double *x)
{
    for (int i = 0; i < p->n_var; i++) {
        const hw_var *v = &p->vars[i];
        if (v->type == HW_VAR_CATEGORICAL)
            x[i] = (double)hw_rng_below(r, (uint32_t)v->n_cat);
        else
            x[i] = v->lo + (v->hi - v->lo) * hw_rng_uniform(r);
    }
}

static void sbx_gene(hw_rng *r, double lo, double hi, double eta, double *y1p, double *y2p)
{
    double p1 = *y1p, p2 = *y2p;
    if (fabs(p1 - p2) <= 1e-14) return;
    double y1 = fmin(p1, p2), y2 = fmax(p1, p2);
    double u = hw_rng_uniform(r);
    double beta = 1.0 + 2.0 * (y1 - lo) / (y2 - y1);
    double alpha = 2.0 - pow(beta, -(eta + 1.0));
    double betaq = u <= 1.0 / alpha ? pow(u * alpha, 1.0 / (eta + 1.0))
                                    : pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
    double c1 = 0.5 * ((y1 + y2) - betaq * (y2 - y1));
    beta = 1.0 + 2.0 * (hi - y2) / (y2 - y1);
    alpha = 2.0 - pow(beta, -(eta + 1.0));
    betaq = u <= 1.0 / alpha ? pow(u * alpha, 1.0 / (eta + 1.0))
                             : pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
    double c2 = 0.5 * ((y1 + y2) + betaq * (y2 - y1));
    c1 = fmin(fmax(c1, lo), hi);
    c2 = fmin(fmax(c2, lo), hi);
    if (hw_rng_uniform(r) <= 0.5) { *y1p = c2; *y2p = c1; }
    else { *y1p = c1; *y2p = c2; }
}

void hw_var_crossover(const hw_problem *p, hw_rng *r, const double *a, const double *b,
                      double *c1, double *c2, double pc, double eta_c)
{
    int n = p->n_var;
    for (int i = 0; i < n; i++) { c1[i] = a[i]; c2[i] = b[i]; }
    if (hw_rng_uniform(r) > pc) return;
    for (int i = 0; i < n; i++) {
        const hw_var *v = &p->vars[i];
        if (hw_rng_uniform(r) > 0.5) continue; /* each gene crosses with prob 0.5 */
        if (v->type == HW_VAR_CATEGORICAL) {
            double t = c1[i]; c1[i] = c2[i]; c2[i] = t;
        } else {
            sbx_gene(r, v->lo, v->hi, eta_c, &c1[i], &c2[i]);
        }
    }
}

void hw_var_mutate(const hw_problem *p, hw_rng *r, double *x, double pm, double eta_m)
{
    int n = p->n_var;
    if (pm <= 0) pm = 1.0 / n;
    for (int i = 0; i < n; i++) {
        if (hw_rng_uniform(r) > pm) continue;
        const hw_var *v = &p->vars[i];
        if (v->type == HW_VAR_CATEGORICAL) {
            if (v->n_cat > 1) {
                /* resample to a different value */
                uint32_t k = hw_rng_below(r, (uint32_t)v->n_cat - 1u);
                x[i] = (double)(k >= (uint32_t)x[i] ? k + 1 : k);
            }
            continue;
        }
        double lo = v->lo, hi = v->hi, y = x[i];
        if (hi <= lo) continue;
        double d1 = (y - lo) / (hi - lo), d2 = (hi - y) / (hi - lo);
        double u = hw_rng_uniform(r), mp = 1.0 / (eta_m + 1.0), dq;
        if (u <= 0.5) {
            double val = 2.0 * u + (1.0 - 2.0 * u) * pow(1.0 - d1, eta_m + 1.0);
            dq = pow(val, mp) - 1.0;
        } else {
            double val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow(1.0 - d2, eta_m + 1.0);
            dq = 1.0 - pow(val, mp);
        }
        y += dq * (hi - lo);
        x[i] = fmin(fmax(y, lo), hi);
    }
}

int hw_var_nudge_categorical(const hw_problem *p, hw_rng *r, double *x)
{
    int n = 0;
    for (int i = 0; i < p->n_var; i++) n += p->vars[i].type == HW_VAR_CATEGORICAL && p->vars[i].n_cat > 1;
    if (n == 0) return 0;
    int pick = (int)hw_rng_below(r, (uint32_t)n);
    for (int i = 0; i < p->n_var; i++) {
        const hw_var *v = &p->vars[i];
        if (v->type != HW_VAR_CATEGORICAL || v->n_cat < 2 || pick-- > 0) continue;
        uint32_t k = hw_rng_below(r, (uint32_t)v->n_cat - 1u);
        x[i] = (double)(k >= (uint32_t)x[i] ? k + 1 : k);
        break;
    }
    return 1;
}

int hw_var_in_set(const double *x, const double *set, size_t n, int n_var)
{
    for (size_t j = 0; j < n; j++) {
        const double *y = set + j * (size_t)n_var;
        int i = 0;
        while (i < n_var && x[i] == y[i]) i++;
        if (i == n_var) return 1;
    }
    return 0;
}
