/* optimizers/bo_internal.h — the Bayesian optimisation engine's state and
 * the calls between its parts, private to optimizers/bo*.c (the contract is
 * bo.h; the algorithm is described in bo.c):
 *   bo.c             config, state, ask / tell;
 *   bo_refit.c       the GP refit schedule (bo_sync_models);
 *   bo_acquisition.c the EHVI kernels, the acquisition values and their
 *                    search (bo_ctx_prepare, bo_propose_one). */
#ifndef HWNAS_OPTIMIZERS_BO_INTERNAL_H
#define HWNAS_OPTIMIZERS_BO_INTERNAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "optimizers/gp.h"
#include "optimizers/optimizer.h"

enum { BO_RSBO = 0, BO_LSBO = 1, BO_EHVI = 2 };
enum { KERNEL_ARD = 0, KERNEL_ARD_MLE = 1, KERNEL_SHARED = 2 };

#define ACQ_BLOCK 64
/* Acquisition search.  All-categorical genomes (the hwgpt space): 256
 * candidates, then LOCAL_STARTS_CAT starts x LOCAL_STEPS_CAT hill-climbing
 * steps; genomes with real genes (a continuous acquisition landscape, few
 * genes, so cheap neighbours): LOCAL_STARTS_REAL x LOCAL_STEPS_REAL steps
 * (the Gaussian steps need iterations to shrink), and for the scalarising
 * rsbo / lsbo 1024 candidates (their peaked acquisitions are missed by 256:
 * lsbo's median HV on ZDT1-6 0.006 lower; ehvi's is the same with 256). */
#define DEFAULT_CANDIDATES 256
#define DEFAULT_CANDIDATES_SCALARISED_REAL 1024
#define LOCAL_STARTS_CAT 2
#define LOCAL_STEPS_CAT 6
#define LOCAL_STARTS_REAL 4
#define LOCAL_STEPS_REAL 12
#define NEIGHBOUR_ROWS 2   /* the candidate table reserves NEIGHBOUR_ROWS (d + 1) rows for neighbours */
#define FIT_MAX_ITER 50    /* L-BFGS iterations of a fit with random restarts */
#define WARM_MAX_ITER 5    /* ... of a fit warm-started from the previous optimum only */
#define FIT_EVERY_BELOW 30
#define RESTART_GROWTH 3   /* restarts on the first fit and once n reaches 3x its value at the last one */
#define REFIT_FRACTION 20 /* refit interval >= n / REFIT_FRACTION */
#define RESTART_EVERY_FITS_MANY_OBJ 5 /* M >= 3: restarts on every 5th fit instead (see bo.c) */

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
    int dense_search;       /* real genes and M <= 2: 4 x 12 climbing steps (else 2 x 6) */
    size_t restart_n;       /* modelled observations at the last fit with random restarts */
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

static inline void to_unit(const bo_state *st, const double *x, double *u)
{
    for (int i = 0; i < st->d; i++) {
        const hw_var *v = &st->p->vars[i];
        if (v->type == HW_VAR_CATEGORICAL) u[i] = x[i];
        else u[i] = v->hi > v->lo ? (x[i] - v->lo) / (v->hi - v->lo) : 0.0;
    }
}

static inline int same_genome(const double *a, const double *b, int d)
{
    for (int i = 0; i < d; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static inline int seen(const bo_state *st, const double *x, const double *extra, size_t n_extra)
{
    for (size_t i = 0; i < st->n; i++)
        if (same_genome(st->X + i * (size_t)st->d, x, st->d)) return 1;
    for (size_t i = 0; i < n_extra; i++)
        if (same_genome(extra + i * (size_t)st->d, x, st->d)) return 1;
    return 0;
}

static inline double model_value(const bo_state *st, int j, double f)
{
    return st->use_log[j] ? log(f) : f;
}

/* Observed (and fantasised) points in the acquisition space. */
typedef struct {
    double *pts; /* rows x M in model space */
    size_t n, cap;
} pointset;

static inline int ps_push(pointset *s, const double *row, int M)
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

/* Bring the GPs up to date with the observations: a full rebuild and
 * hyperparameter fit when due, otherwise O(n^2) extensions (bo_refit.c). */
int bo_sync_models(bo_state *st, hw_err *e);
/* Build the per-point context: scaling, weights, front, reference
 * (bo_acquisition.c). */
int bo_ctx_prepare(bo_state *st, acq_ctx *c, const pointset *obs, hw_err *e);
/* Choose one genome maximising the acquisition; chosen: the batch so far
 * (bo_acquisition.c). */
int bo_propose_one(bo_state *st, const acq_ctx *c, const double *chosen, size_t n_chosen,
                       double *out, int *found, hw_err *e);

#endif
