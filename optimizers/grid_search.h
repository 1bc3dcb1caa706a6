/* optimizers/grid_search.h — grid search over the genome.  The ops table is
 * hw_grid_search_ops (config name "grid_search").
 *
 * The grid.  Gene i has r_i levels: a categorical gene its n_cat choices; a
 * real gene grid_points evenly spaced values lo + j (hi - lo) / (G - 1),
 * j = 0..G-1 (G = 1: the midpoint).  A grid point is a mixed-radix number,
 * gene 0 the most significant digit, so index order is the lexicographic
 * order of genomes (the last gene varies fastest).  The grid holds
 * N = prod r_i points.
 *
 * Orders.
 *  - "lexicographic": index 0, 1, 2, ... via a digit counter, so any N works
 *    without big-number arithmetic; ask returns 0 genomes after all N.
 *  - "shuffled" (default): the points in a seeded pseudo-random order without
 *    repetition, so a run stopped by its budget evaluated a uniform sample of
 *    the grid and a complete run still saw every point once.  When
 *    N <= 2^64 - 1 the k-th point is perm(k), perm a bijection of [0, N):
 *    a 6-round balanced Feistel network over the smallest even-bit power of
 *    two >= N (round keys from the run's optimizer stream, SplitMix64 round
 *    function), cycle-walked back into [0, N) (fewer than 4 steps expected).
 *    When N is larger (the m and l GPT spaces: 2 * 3^50, 2 * 3^74), the
 *    leading genes whose level product P still fits in 64 bits are
 *    enumerated that way over [0, P), and the remaining genes are drawn from
 *    a PCG32 stream seeded by the leading genes' index, so no point repeats
 *    within the first P >= 2^56 points; the run ends only after P points.
 *
 * Inert genes.  On the hwgpt problem (the only one that declares them, see
 * mutate_one.h) genes of layers >= n_layer do not change the architecture.
 * With skip_inert (default true) the grid points whose inert genes are not
 * all 0 are passed over without being proposed, so each architecture is
 * proposed exactly once (by its canonical genome, space/space.h) and the
 * shuffled order is a uniformly random order of the distinct architectures
 * (filtering a uniform permutation keeps it uniform).  About 37 % of the GPT
 * genome's grid points are canonical, so skipping is cheap.  In the
 * >= 2^64 case the leading genes must be canonical and the drawn trailing
 * genes are made so (inert ones set to 0): still no architecture twice, but
 * the order is uniform over architectures only approximately.  With
 * skip_inert false every genome is proposed.
 *
 * The order never depends on the objectives, so batch_size only sets how
 * many points one ask returns (at most max_n), and results do not depend on
 * it.  A partial tell re-proposes the untold points next.
 *
 * Config: {"name": "grid_search", "grid_points": 5,
 *          "order": "shuffled" | "lexicographic", "batch_size": 100,
 *          "skip_inert": true} */
#ifndef HWNAS_OPTIMIZERS_GRID_SEARCH_H
#define HWNAS_OPTIMIZERS_GRID_SEARCH_H

#include <stdint.h>

#include "optimizers/optimizer.h"

extern const hw_optimizer_ops hw_grid_search_ops;

/* A seeded bijection of [0, n) (n >= 1): the Feistel permutation above.
 * keys: 6 round keys. */
uint64_t hw_grid_permute(uint64_t k, uint64_t n, const uint64_t keys[6]);

#endif
