/* runner/logprefix.c — the first k evaluations of a log of any level
 * (runner/logprefix.h). */
#include "runner/logprefix.h"

#include "indicators/trajectory.h"
#include "runner/logschema.h"

/* Lines with eval id < k (eval_id is increasing). */
static size_t lines_before(const hw_log *log, long long k)
{
    size_t lo = 0, hi = log->n_eval;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((long long)log->eval_id[mid] < k) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The error for a k that a "summary" log cannot answer. */
static int summary_only(const hw_log *log, long long k, hw_err *e)
{
    if (!log->complete)
        return hw_fail(e, HW_EINVAL, "%s: written with \"log\": \"summary\" and incomplete: nothing is known of its "
                       "evaluations", log->path);
    return hw_fail(e, HW_EINVAL, "%s: written with \"log\": \"summary\" (the final front only): it holds the first "
                   "%lld evaluations (all), not the first %lld", log->path, log->evaluations, k);
}

int hw_log_prefix_points(const hw_log *log, long long k, hw_log_points *pts, hw_err *e)
{
    *pts = (hw_log_points){0};
    if (k < 0 || k > log->evaluations)
        return hw_fail(e, HW_EINVAL, "%s: the first %lld evaluations asked, the run has %lld", log->path, k,
                       log->evaluations);
    if (log->level == HW_LOG_LEVEL_SUMMARY) {
        if (k == 0) return HW_OK;
        if (!log->complete || k != log->evaluations) return summary_only(log, k, e);
        *pts = (hw_log_points){log->front_f, log->front_eval, log->front_genome, log->n_front};
        return HW_OK;
    }
    *pts = (hw_log_points){log->f, log->eval_id, log->genome, lines_before(log, k)};
    return HW_OK;
}

int hw_log_hv_at(const hw_log *log, const double *ref, const double *lo, const double *hi, const long long *k,
                 size_t n_k, double *hv, hw_err *e)
{
    for (size_t r = 0; r < n_k; r++) {
        if (k[r] < 1 || k[r] > log->evaluations || (r && k[r] <= k[r - 1]))
            return hw_fail(e, HW_EINVAL, "%s: hypervolume after %lld evaluations asked (expected increasing counts in "
                           "1 .. %lld)", log->path, k[r], log->evaluations);
        if (log->level == HW_LOG_LEVEL_SUMMARY && (!log->complete || k[r] != log->evaluations))
            return summary_only(log, k[r], e);
    }
    hw_log_points all;
    int rc = hw_log_prefix_points(log, log->evaluations, &all, e);
    if (rc) return rc;
    hw_archive *a = NULL;
    if ((rc = hw_archive_create(log->n_obj, ref, lo, hi, &a, e))) return hw_err_prefix(e, "%s", log->path);
    const size_t d = (size_t)log->n_obj;
    size_t i = 0;
    for (size_t r = 0; r < n_k && rc == HW_OK; r++) {
        for (; i < all.n && (long long)all.eval[i] < k[r]; i++) {
            int added = hw_archive_add(a, all.f + i * d, all.eval[i], e);
            if (added < 0) { rc = added; break; }
            if (added == 0 && log->level == HW_LOG_LEVEL_FRONT) {
                rc = hw_fail(e, HW_EPARSE, "the line of evaluation %llu is weakly dominated by an earlier line: not "
                             "a \"front\" log as run_experiment writes it", (unsigned long long)all.eval[i]);
                break;
            }
        }
        if (rc == HW_OK)
            rc = k[r] == log->evaluations ? hw_archive_hypervolume_exact(a, &hv[r], e) : hw_archive_hypervolume(a, &hv[r], e);
    }
    hw_archive_destroy(a);
    return rc ? hw_err_prefix(e, "%s", log->path) : HW_OK;
}
