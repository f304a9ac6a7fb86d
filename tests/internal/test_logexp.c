/*
 * test_logexp.c -- the tracer's tr_log and tr_expm1 against the C
 * library's log and expm1, over the arguments sampling gives them: tr_log
 * of 1 - u for u = k / 2^53 in [0, 1), every point near both ends and a
 * million spread between; tr_expm1 of -size / SampleBytes, from -2^-62 to
 * beyond -40, where the answer is -1.  Each within 8 units in the last
 * place of the C library's (itself within 1): a few are 3 apart.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "logexp.h"

/* Units in the last place of want between got and want. */
static double ulps(double got, double want) {
    if (got == want) return 0;
    return fabs(got - want) / (nextafter(fabs(want), INFINITY) - fabs(want));
}

static void close_to(double got, double want, double x, const char *what) {
    if (!(ulps(got, want) <= 8.0))
        fail_msg("%s(%a) = %a, the C library's %a (%.1f ulps)", what, x, got,
                 want, ulps(got, want));
}

static void log_check(double x) { close_to(tr_log(x), log(x), x, "tr_log"); }

static void expm1_check(double y) {
    close_to(tr_expm1(y), expm1(y), y, "tr_expm1");
}

static void test_log(void **state) {
    (void)state;
    const double unit = 0x1.0p-53;
    for (uint64_t k = 0; k < 100000; k++) {
        log_check(1.0 - (double)k * unit);                       /* near 1 */
        log_check((double)(k + 1) * unit);                       /* near 0 */
    }
    for (uint64_t k = 1; k <= 1000000; k++)                      /* between */
        log_check((double)(k * 9007199254u % (UINT64_C(1) << 53) + 1) * unit);
    log_check(0x1.6a09e667f3bcdp-1);  /* around sqrt(1/2), where m turns */
    log_check(0x1.6a09e667f3bccp-1);
    log_check(0x1.6a09e667f3bcep-1);
    log_check(0.5);
    assert_true(tr_log(1.0) == 0.0);
}

static void test_expm1(void **state) {
    (void)state;
    for (int e = -62; e <= 5; e++)                     /* -2^-62 .. -32 */
        for (int i = 0; i < 4096; i++)
            expm1_check(-ldexp(1.0 + i / 4096.0, e));
    for (int i = 0; i <= 100000; i++)              /* 0 .. -50, evenly */
        expm1_check(-50.0 * i / 100000);
    expm1_check(-0.5);                             /* where it changes way */
    expm1_check(nextafter(-0.5, 0));
    expm1_check(nextafter(-0.5, -1));
    expm1_check(-40.0);
    assert_true(tr_expm1(-41.0) == -1.0);
    assert_true(tr_expm1(-1e300) == -1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_expm1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
