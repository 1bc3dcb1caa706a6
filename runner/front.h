/* runner/front.h — the runner's non-dominated archive: every evaluated
 * point that no other evaluated point dominates, with its genome and
 * evaluation index, in evaluation order.  Of equal points the earliest
 * evaluation stays.  (Isolated here so a shared Pareto archive can replace
 * it.) */
#ifndef HWNAS_RUNNER_FRONT_H
#define HWNAS_RUNNER_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "benchmark/problem.h"
#include "core/error.h"

typedef struct {
    int n_obj, n_var;
    double *f;         /* n x n_obj */
    double *x;         /* n x n_var */
    uint64_t *index;   /* n evaluation indices */
    size_t n, cap;
    unsigned char *keep;
} hw_front;

void hw_front_init(hw_front *a, int n_obj, int n_var);
/* Merges n evaluated points (objectives f, genomes x, ids: their evaluation indices are kept) and keeps
 * the non-dominated ones. */
int hw_front_add(hw_front *a, const double *f, const double *x, const hw_eval_id *ids, size_t n, hw_err *e);
void hw_front_free(hw_front *a);

#endif
