/* core/rng.h — PCG32 random streams (O'Neill's pcg32, XSH-RR variant).
 *
 * Every consumer owns its own hw_rng value; nothing is shared.  A stream is
 * chosen by (seed, stream id): runs use stream = a fixed per-purpose constant,
 * and evaluations use hw_rng_eval(seed, eval_id) so noisy results depend only
 * on the evaluation's identity, never on the batch size or the thread that ran
 * it. */
#ifndef HWNAS_CORE_RNG_H
#define HWNAS_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t state;
    uint64_t inc; /* always odd */
} hw_rng;

void hw_rng_seed(hw_rng *r, uint64_t seed, uint64_t stream);
uint32_t hw_rng_u32(hw_rng *r);
uint64_t hw_rng_u64(hw_rng *r);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
uint32_t hw_rng_below(hw_rng *r, uint32_t bound);
/* Uniform double in [0, 1) with 53 random bits. */
double hw_rng_uniform(hw_rng *r);
/* Uniform double in (0, 1): never exactly 0, for logs. */
double hw_rng_uniform_open(hw_rng *r);
/* Standard normal (Box–Muller, no cached second value: stateless). */
double hw_rng_normal(hw_rng *r);
/* Fisher–Yates shuffle of n ints / size_ts. */
void hw_rng_shuffle_int(hw_rng *r, int *a, int n);
void hw_rng_shuffle_size(hw_rng *r, size_t *a, size_t n);

/* The random stream for evaluation eval_id of a run with this seed. */
hw_rng hw_rng_eval(uint64_t seed, uint64_t eval_id);

/* Named stream ids, so different purposes never share a stream. */
enum {
    HW_STREAM_OPTIMIZER = 1,
    HW_STREAM_EVAL_BASE = 0x100000000ULL, /* + eval id via hw_rng_eval */
    HW_STREAM_TRAIN = 2,
    HW_STREAM_SPLIT = 3
};

/* SplitMix64 step, for deriving seeds from seeds. */
uint64_t hw_splitmix64(uint64_t x);

#endif
