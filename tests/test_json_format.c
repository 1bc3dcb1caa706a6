/* tests/test_json_format.c — hwj_format_double against its definition: the
 * first of "%.15g", "%.16g", "%.17g" (glibc printf) that strtod reads back as
 * the same double.  The fast integer path must agree byte for byte on every
 * kind of value: random bit patterns, uniform [0,1) draws, decimals, exact
 * dyadic ties, powers of two and ten and their neighbours. */
#include <stdint.h>

#include "core/json.h"
#include "core/rng.h"
#include "tests/check.h"

static void reference(char *buf, size_t n, double v)
{
    if (!isfinite(v)) { snprintf(buf, n, "null"); return; }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
    snprintf(buf, n, "%.17g", v);
}

static int mismatches;

static void check_one(double v)
{
    char got[64], want[64];
    int len = hwj_format_double(got, sizeof got, v);
    reference(want, sizeof want, v);
    if (strcmp(got, want) != 0 || len != (int)strlen(got)) {
        if (mismatches++ < 10) CHECK_MSG(0, "%.17g: got '%s' (len %d), want '%s'", v, got, len, want);
    }
    if (isfinite(v)) CHECK_MSG(strtod(got, NULL) == v, "'%s' does not read back as %.17g", got, v);
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

TEST(special_values)
{
    const double vals[] = {0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 100, 1e15, 1e14, 999999999999999.0,
                           1e-5, 1e-6, 1.5e-6, 9.9999999999999995e-7, 0.0001, 0.00001, 123456789012345.5,
                           123456789012346.5, 0.5, 0.25, 0.125, 2.5, 1e-300, 5e-324, 1e300, 1.7976931348623157e308,
                           4503599627370496.0, 9007199254740991.0, 9007199254740992.0, 3.14159265358979,
                           2.718281828459045, 1e21, 1e22, 1e23, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        check_one(vals[i]);
        check_one(-vals[i]);
    }
    char buf[64];
    hwj_format_double(buf, sizeof buf, 0.1);
    CHECK_STR(buf, "0.1");
    hwj_format_double(buf, sizeof buf, NAN);
    CHECK_STR(buf, "null");
    hwj_format_double(buf, sizeof buf, 1e-5);
    CHECK_STR(buf, "1e-05");
    hwj_format_double(buf, sizeof buf, 0.1 + 0.2);
    CHECK_STR(buf, "0.30000000000000004");
    hwj_format_double(buf, sizeof buf, -1234.5);
    CHECK_STR(buf, "-1234.5");
    CHECK_EQ_INT(mismatches, 0);
}

TEST(random_values_agree_with_printf)
{
    hw_rng r;
    hw_rng_seed(&r, 12345, 7);
    for (int i = 0; i < 40000; i++) {
        check_one(hw_rng_uniform(&r));                                          /* genomes in [0, 1) */
        check_one(from_bits(hw_rng_u64(&r)));                                   /* any double */
        int e = (int)hw_rng_below(&r, 80) - 30;                                 /* 1e-30 .. 1e50 */
        check_one(hw_rng_uniform(&r) * pow(10, e));
        check_one((double)hw_rng_below(&r, 1000000) / pow(10, (int)hw_rng_below(&r, 12))); /* short decimals */
        double d = ldexp((double)(hw_rng_u64(&r) >> 11), -(int)hw_rng_below(&r, 70));      /* dyadic ties */
        check_one(d);
        check_one(nextafter(d, 0));
    }
    for (int k = -60; k <= 60; k++) {                                           /* binade edges */
        double p2 = ldexp(1.0, k);
        check_one(p2); check_one(nextafter(p2, 0)); check_one(nextafter(p2, INFINITY));
    }
    for (int k = -8; k <= 16; k++) {                                            /* decade edges */
        double p10 = pow(10, k);
        check_one(p10); check_one(nextafter(p10, 0)); check_one(nextafter(p10, INFINITY));
    }
    CHECK_EQ_INT(mismatches, 0);
}
