/* optimizers/bo_refit.c — the GP refit schedule of the BO engine: when the
 * hyperparameters are refitted (with how many restarts) and when new
 * observations only extend the Cholesky factors.  See bo.c. */
#include "optimizers/bo_internal.h"

/* Bring the GPs up to date with the observations: a full rebuild and
 * hyperparameter fit when due, otherwise O(n^2) extensions. */
int bo_sync_models(bo_state *st, hw_err *e)
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
        /* random restarts (and FIT_MAX_ITER iterations) on the first fit and
         * whenever the data have grown RESTART_GROWTH-fold since the last
         * such fit (5, 15, 45, 135, ... observations: a restart fit costs
         * ~30 warm ones at the same n); the others run WARM_MAX_ITER
         * iterations from the previous optimum only (a few new observations
         * move it little) */
        int restart_fit = st->n_fits == 0 ||
                          (st->M <= 2 ? n_ok >= RESTART_GROWTH * st->restart_n
                                      : st->n_fits % RESTART_EVERY_FITS_MANY_OBJ == 0);
        if (restart_fit) st->restart_n = n_ok;
        int restarts = restart_fit ? st->restarts : 0;
        int max_iter = restart_fit ? FIT_MAX_ITER : WARM_MAX_ITER;
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
            if (!rcs[j]) rcs[j] = hw_gp_fit(st->gp[j], restarts, max_iter, &fr, &errs[j]);
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
