/* runner/logprefix.h — what a log read by runner/logread.h says about the
 * first k evaluations of its run, whatever its level (config "log",
 * runner/logschema.h):
 *   "all"     every evaluation line: the first k lines;
 *   "front"   the lines of the evaluations that entered the front in
 *             evaluation order: those with eval < k hold the front of the
 *             first k evaluations, so their front and hypervolume are exact
 *             for every k;
 *   "summary" only the final front (the summary line): k = the run's
 *             evaluations only; any other k fails, naming the file.
 * Used by hwnas trajectory, front, summary and eaf (docs/analysis.md). */
#ifndef HWNAS_RUNNER_LOGPREFIX_H
#define HWNAS_RUNNER_LOGPREFIX_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runner/logread.h"

/* Points whose non-dominated set is the front of the first k evaluations:
 * f (n x n_obj, natural units), their eval ids, and their genomes as text
 * (NULL unless the log was read with HW_LOG_KEEP_GENOMES).  They point into
 * the log. */
typedef struct {
    const double *f;
    const uint64_t *eval;
    char *const *genome;
    size_t n;
} hw_log_points;

/* The points of the first k evaluations (0 <= k <= log->evaluations). */
int hw_log_prefix_points(const hw_log *log, long long k, hw_log_points *pts, hw_err *e);

/* hv[r]: the hypervolume of the first k[r] evaluations (k increasing, each in
 * 1 .. log->evaluations), objectives normalised (f - lo) / (hi - lo) (lo, hi
 * NULL: as they are) against ref — bit for bit what hw_hv_trajectory
 * (indicators/trajectory.h) gives over every evaluation: the running value,
 * and the exact recomputation at k = log->evaluations.  A line of a "front"
 * log that an earlier line weakly dominates is an error (it did not enter
 * the front: not a log as run_experiment writes it). */
int hw_log_hv_at(const hw_log *log, const double *ref, const double *lo, const double *hi, const long long *k,
                 size_t n_k, double *hv, hw_err *e);

#endif
