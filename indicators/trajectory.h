/* indicators/trajectory.h — the non-dominated archive of a growing set of
 * points (minimisation) and its hypervolume after every addition: the
 * anytime-performance curve of an optimizer run.
 *
 * The archive decides dominance on the points as given (natural units) and
 * measures the hypervolume of the normalised points (f - lo) / (hi - lo)
 * (unchanged when lo/hi are NULL) against ref, exactly as run_experiment
 * does for its summary.  Of equal points the first added stays.
 *
 * 2 objectives: the archive is a staircase sorted by f1; an addition costs a
 * binary search plus the removal of the points it dominates, and the
 * hypervolume is updated by the change of the few strips it touches.
 * 1 or 3+ objectives: an addition scans the archive (dominated: nothing
 * changes) and adds the new point's exclusive contribution
 * (hw_hv_contribution: its box minus the hypervolume of the archive clipped
 * to it, reduced to its non-dominated points) — the hypervolume is never
 * recomputed from scratch.  Both sums are compensated (Neumaier), so every
 * value agrees with a full recomputation to a few ulps times the number of
 * additions.  hw_archive_hypervolume_exact always recomputes, with the same
 * result as hw_hypervolume on the normalised archive.
 * Range: an addition whose hypervolume could leave a double's range (the
 * rule of hw_hv_check_ref, indicators.h) fails with HW_ERANGE. */
#ifndef HWNAS_INDICATORS_TRAJECTORY_H
#define HWNAS_INDICATORS_TRAJECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HW_ARCHIVE_MAX_D 32

typedef struct hw_archive hw_archive;

/* ref: d numbers (normalised space), or NULL for an archive that only keeps
 * the non-dominated points (no hypervolume: the hypervolume calls fail with
 * HW_ESTATE); lo, hi: d numbers each or both NULL.  The arrays are copied. */
int hw_archive_create(int d, const double *ref, const double *lo, const double *hi, hw_archive **out, hw_err *e);
void hw_archive_destroy(hw_archive *a);

/* Adds point f (d numbers, finite) with the caller's id.  Returns 1 when it
 * entered the archive, 0 when an archive point weakly dominates it, or a
 * negative hw_status (HW_ENOMEM; HW_EINVAL for a non-finite f; HW_ERANGE, see
 * above). */
int hw_archive_add(hw_archive *a, const double *f, uint64_t id, hw_err *e);

size_t hw_archive_size(const hw_archive *a);
/* The ids of the archive's points in increasing order; ids[hw_archive_size]. */
void hw_archive_ids(const hw_archive *a, uint64_t *ids);

/* Hypervolume of the normalised archive: the running (incremental) value. */
int hw_archive_hypervolume(hw_archive *a, double *hv, hw_err *e);
/* Full recomputation with hw_hypervolume. */
int hw_archive_hypervolume_exact(hw_archive *a, double *hv, hw_err *e);

/* The hypervolume trajectory of n points f (n x d) added in order: rows at
 * k = every, 2*every, ... points and always at k = n (n > 0).  row_k[r] is the
 * number of points added, row_hv[r] the hypervolume of their archive; the
 * last row is exact (hw_archive_hypervolume_exact).  The caller sizes the
 * rows with hw_trajectory_rows(n, every).  every >= 1. */
size_t hw_trajectory_rows(size_t n, size_t every);
int hw_hv_trajectory(const double *f, size_t n, int d, const double *ref, const double *lo, const double *hi,
                     size_t every, size_t *row_k, double *row_hv, hw_err *e);

/* ids[0..*m) = indices (in increasing order) of the non-dominated points of
 * f (n x d), first of equal points kept — the archive after all n.  ids holds n. */
int hw_front_ids(const double *f, size_t n, int d, uint64_t *ids, size_t *m, hw_err *e);

#endif
