/* bench/bench_format.c — hwj_format_double (exact integer fast path) against
 * its printf definition (first of %.15g/%.16g/%.17g that strtod reads back),
 * on the values a trajectory log holds most: uniform genomes in [0, 1) and
 * objectives spread over 1e-3 .. 1e6.  Prints ns per number (median of 5)
 * and the speed-up. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/rng.h"
#include "core/util.h"

#define N_VALUES 200000
#define N_REPS 5

static int reference(char *buf, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        int len = snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return len;
    }
    return snprintf(buf, n, "%.17g", v);
}

static double time_ns(int fast, const double *v, size_t *total_len)
{
    double t[N_REPS];
    char buf[64];
    for (int r = 0; r < N_REPS; r++) {
        size_t len = 0;
        double t0 = hw_now();
        for (size_t i = 0; i < N_VALUES; i++)
            len += (size_t)(fast ? hwj_format_double(buf, sizeof buf, v[i]) : reference(buf, sizeof buf, v[i]));
        t[r] = (hw_now() - t0) * 1e9 / N_VALUES;
        *total_len = len;
    }
    qsort(t, N_REPS, sizeof t[0], hw_cmp_double);
    return t[N_REPS / 2];
}

int main(void)
{
    double *v = malloc(N_VALUES * sizeof *v);
    if (!v) return 1;
    hw_rng r;
    hw_rng_seed(&r, 1, 1);
    for (size_t i = 0; i < N_VALUES; i++)
        v[i] = i % 2 ? hw_rng_uniform(&r) : hw_rng_uniform(&r) * pow(10, (int)hw_rng_below(&r, 9) - 3);
    size_t len_fast = 0, len_ref = 0;
    double ref = time_ns(0, v, &len_ref);
    double fast = time_ns(1, v, &len_fast);
    printf("format_double: printf+strtod %.1f ns/number, fast %.1f ns/number, speed-up %.1fx (same output length: %s)\n",
           ref, fast, ref / fast, len_fast == len_ref ? "yes" : "NO");
    free(v);
    return len_fast == len_ref ? 0 : 1;
}
