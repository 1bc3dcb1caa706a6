/* tests/check.h — a minimal test harness.
 *
 *   TEST(parse_roundtrip) { CHECK(x == 1); CHECK_NEAR(a, b, 1e-12); }
 *
 * Each TEST(name) at the start of a line is registered with ctest as
 * "<file>.<name>" (tests/CMakeLists.txt); the executable runs the case named
 * in argv[1], or all cases without arguments.  A case fails if any CHECK
 * fails.  hwt_data_dir() returns the HW-GPT-Bench data directory or skips
 * the case (exit 77) saying what is missing — except under CI=true, where
 * missing data is a failure. */
#ifndef HWNAS_TESTS_CHECK_H
#define HWNAS_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*hwt_fn)(void);
void hwt_register(const char *name, hwt_fn fn);
void hwt_fail_at(const char *file, int line, const char *fmt, ...);
int hwt_failures(void);
/* Skip this case (exit 77) with a reason on stderr. */
void hwt_skip(const char *reason);
/* The data directory, or skip/fail as described above. */
const char *hwt_data_dir(void);
/* Source and binary dirs (from the environment ctest sets). */
const char *hwt_src_dir(void);
const char *hwt_bin_dir(void);

#define TEST(name)                                                              \
    static void hwt_case_##name(void);                                          \
    __attribute__((constructor)) static void hwt_reg_##name(void)               \
    { hwt_register(#name, hwt_case_##name); }                                   \
    static void hwt_case_##name(void)

#define CHECK(cond)                                                             \
    do { if (!(cond)) hwt_fail_at(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)
#define CHECK_MSG(cond, ...)                                                    \
    do { if (!(cond)) hwt_fail_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define CHECK_EQ_INT(a, b)                                                      \
    do { long long hwt_a = (long long)(a), hwt_b = (long long)(b);             \
         if (hwt_a != hwt_b) hwt_fail_at(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, hwt_a, hwt_b); } while (0)
#define CHECK_NEAR(a, b, tol)                                                   \
    do { double hwt_a = (double)(a), hwt_b = (double)(b);                       \
         if (!(fabs(hwt_a - hwt_b) <= (tol)))                                   \
             hwt_fail_at(__FILE__, __LINE__, "%s ~ %s: %.17g vs %.17g (tol %g)", #a, #b, hwt_a, hwt_b, (double)(tol)); } while (0)
#define CHECK_REL(a, b, rel)                                                    \
    do { double hwt_a = (double)(a), hwt_b = (double)(b);                       \
         if (!(fabs(hwt_a - hwt_b) <= (rel) * fmax(fabs(hwt_a), fabs(hwt_b))))  \
             hwt_fail_at(__FILE__, __LINE__, "%s ~ %s: %.17g vs %.17g (rel %g)", #a, #b, hwt_a, hwt_b, (double)(rel)); } while (0)
#define CHECK_STR(a, b)                                                         \
    do { const char *hwt_a = (a), *hwt_b = (b);                                 \
         if (!hwt_a || !hwt_b || strcmp(hwt_a, hwt_b) != 0)                     \
             hwt_fail_at(__FILE__, __LINE__, "%s == %s: '%s' != '%s'", #a, #b, hwt_a ? hwt_a : "(null)", hwt_b ? hwt_b : "(null)"); } while (0)
/* Call returning an hw_status that must be HW_OK. */
#define CHECK_OK(call)                                                          \
    do { int hwt_rc = (call); if (hwt_rc != 0) hwt_fail_at(__FILE__, __LINE__, "%s returned %d", #call, hwt_rc); } while (0)

#endif
