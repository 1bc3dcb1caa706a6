/* optimizers/generation.h — the generation queue of the generational
 * optimizers (nsga2, moead): a generation of n genomes handed out by ask()
 * in pieces of at most max_n and told back in order; a short tell ends the
 * generation early (the untold genomes are dropped).  The ask/tell contract
 * (no ask before the tell, no tell of more than asked) is checked by the
 * hw_optimizer instance (optimizer.h), not here. */
#ifndef HWNAS_OPTIMIZERS_GENERATION_H
#define HWNAS_OPTIMIZERS_GENERATION_H

#include <stddef.h>

#include "benchmark/problem.h"
#include "core/error.h"
#include "core/rng.h"

typedef struct {
    double *x;        /* the generation's genomes, n_var each */
    size_t n;         /* genomes in the generation */
    size_t asked;     /* handed out so far */
    size_t told;      /* told so far */
    size_t last_n;    /* size of the last ask still awaiting its tell */
    int initial;      /* the generation is (the rest of) the random initial population */
} hw_generation;

/* Copies the next at most max_n genomes (n_var genes each) to x and returns
 * how many. */
size_t hw_generation_take(hw_generation *g, int n_var, double *x, size_t max_n);
/* Records a tell of n genomes (a short tell ends the generation). */
void hw_generation_told(hw_generation *g, size_t n);

/* De-duplication in categorical spaces (the optimizers' "deduplicate"):
 * genome j of the generation repeats one of the pop_n rows of pop or an
 * earlier genome of the generation. */
int hw_generation_repeats(const hw_generation *g, size_t j, int n_var, const double *pop, size_t pop_n);
/* Draws genome j uniformly; with dedup, draws it again (up to 20 times)
 * while it repeats. */
void hw_generation_sample(hw_generation *g, size_t j, const hw_problem *p, hw_rng *r, const double *pop,
                          size_t pop_n, int dedup);
/* Resamples one categorical gene of genome j (up to 20 times) while it
 * repeats. */
void hw_generation_nudge_repeat(hw_generation *g, size_t j, const hw_problem *p, hw_rng *r, const double *pop,
                                size_t pop_n);

#endif
