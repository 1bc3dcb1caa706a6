#include "core/rng.h"

#include <math.h>
#include <stddef.h>

void hw_rng_seed(hw_rng *r, uint64_t seed, uint64_t stream)
{
    r->state = 0u;
    r->inc = (stream << 1u) | 1u;
    (void)hw_rng_u32(r);
    r->state += seed;
    (void)hw_rng_u32(r);
}

uint32_t hw_rng_u32(hw_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

uint64_t hw_rng_u64(hw_rng *r)
{
    uint64_t hi = hw_rng_u32(r);
    return (hi << 32) | hw_rng_u32(r);
}

uint32_t hw_rng_below(hw_rng *r, uint32_t bound)
{
    uint32_t threshold = (-bound) % bound;
    for (;;) {
        uint32_t v = hw_rng_u32(r);
        if (v >= threshold) return v % bound;
    }
}

double hw_rng_uniform(hw_rng *r)
{
    return (double)(hw_rng_u64(r) >> 11) * 0x1.0p-53;
}

double hw_rng_uniform_open(hw_rng *r)
{
    return ((double)(hw_rng_u64(r) >> 12) + 0.5) * 0x1.0p-52;
}

double hw_rng_normal(hw_rng *r)
{
    double u1 = hw_rng_uniform_open(r);
    double u2 = hw_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

void hw_rng_shuffle_int(hw_rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)hw_rng_below(r, (uint32_t)i + 1u);
        int t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

void hw_rng_shuffle_size(hw_rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)hw_rng_below(r, (uint32_t)i + 1u);
        size_t t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

uint64_t hw_splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

hw_rng hw_rng_eval(uint64_t seed, uint64_t eval_id)
{
    hw_rng r;
    hw_rng_seed(&r, hw_splitmix64(seed ^ 0x5eed5eed5eedULL), HW_STREAM_EVAL_BASE + eval_id);
    return r;
}
