/* indicators/archive.h — the Pareto archive: the non-dominated points of
 * everything inserted so far (minimisation), each with its genome and id, in
 * a stable order.  Used by the Pareto local search's archive and meant for
 * the runner's front (runner/runner.c front_update keeps the same rules).
 *
 * Rules.  A point stays iff no other inserted point dominates it and no
 * equal point was inserted before it (of equal objective vectors the
 * earliest stays).  Survivors keep their insertion order: the members
 * first, then the batch in its order.  So inserting a batch at once or its
 * points one by one gives the same archive.  A batch of several points is
 * merged by the non-dominated filter over members + batch (hw_nondominated,
 * O(n log n) for 2 and 3 objectives); a single point by one scan of the
 * members (rejected if a member weakly dominates it, else it evicts the
 * members it dominates), O(members).  NaN objectives neither dominate nor
 * are dominated (all comparisons fail); callers that care filter them.
 *
 * The fields are read-only for callers: f (size x n_obj), x (size x n_var,
 * NULL when n_var is 0) and id (size) are row-major arrays in archive
 * order; they move on insert and remove. */
#ifndef HWNAS_INDICATORS_ARCHIVE_H
#define HWNAS_INDICATORS_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct {
    int n_obj, n_var;
    size_t size, cap;
    double *f, *x;
    uint64_t *id;
    uint64_t inserted;     /* points inserted so far (the default ids) */
    unsigned char *keep;   /* scratch of the batch merge (cap) */
} hw_pareto_archive;

/* An empty archive (no allocation yet); n_obj >= 1, n_var >= 0. */
int hw_pareto_archive_init(hw_pareto_archive *a, int n_obj, int n_var, hw_err *e);
void hw_pareto_archive_free(hw_pareto_archive *a);

/* Inserts n points: objectives f (n x n_obj), genomes x (n x n_var; NULL
 * when n_var is 0) and ids (NULL: the running insertion index, 0-based).
 * *entered (may be NULL) gets how many of them are in the archive after the
 * insertion.  Returns HW_OK, or HW_ENOMEM ("out of memory (front of N
 * points)") with the archive unchanged. */
int hw_pareto_archive_insert(hw_pareto_archive *a, const double *f, const double *x, const uint64_t *ids, size_t n,
                             size_t *entered, hw_err *e);

/* Removes the members i with drop[i] != 0 (drop has size entries), keeping
 * the order of the rest (e.g. a truncation by crowding). */
void hw_pareto_archive_remove(hw_pareto_archive *a, const unsigned char *drop);

#endif
