/*
 * test_stats.c -- the statistics bench reports (tools/memtracer/stats.c),
 * on inputs whose answers are worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "stats.h"

static void test_odd_count(void **state) {
    (void)state;
    /* Sorted: 1 2 3 4 10.  Mean 4; deviations -3 -2 -1 0 6, squares 9 4 1
     * 0 36 = 50; sample variance 50 / 4 = 12.5. */
    const double values[] = {4, 1, 10, 3, 2};
    Stats stats = stats_compute(values, 5);
    assert_int_equal(stats.count, 5);
    assert_true(stats.min == 1);
    assert_true(stats.max == 10);
    assert_true(stats.median == 3);
    assert_true(stats.mean == 4);
    assert_true(fabs(stats.stddev - sqrt(12.5)) < 1e-12);
}

static void test_even_count(void **state) {
    (void)state;
    /* Sorted: 1 1 4 8.  The median of an even count is the mean of the
     * middle two, (1 + 4) / 2.  Mean 3.5; squares 6.25 6.25 0.25 20.25 =
     * 33; sample variance 33 / 3 = 11. */
    const double values[] = {8, 1, 4, 1};
    Stats stats = stats_compute(values, 4);
    assert_true(stats.median == 2.5);
    assert_true(stats.mean == 3.5);
    assert_true(fabs(stats.stddev - sqrt(11.0)) < 1e-12);
    const double spread[] = {2, 4, 6, 8};
    stats = stats_compute(spread, 4);
    assert_true(stats.median == 5);
    assert_true(stats.mean == 5);
    /* squares 9 1 1 9 = 20, variance 20 / 3 */
    assert_true(fabs(stats.stddev - sqrt(20.0 / 3)) < 1e-12);
}

static void test_identical_values(void **state) {
    (void)state;
    /* An exact figure repeated: no spread at all, even for large bytes. */
    const double values[] = {2040537, 2040537, 2040537};
    Stats stats = stats_compute(values, 3);
    assert_true(stats.min == 2040537 && stats.max == 2040537);
    assert_true(stats.median == 2040537 && stats.mean == 2040537);
    assert_true(stats.stddev == 0);
}

static void test_large_close_values(void **state) {
    (void)state;
    /* Near 2^40 the deviations are still exact: 1 apart, sample variance 1. */
    const double base = 1099511627776.0;
    const double values[] = {base, base + 1, base + 2};
    Stats stats = stats_compute(values, 3);
    assert_true(stats.mean == base + 1);
    assert_true(stats.stddev == 1);
}

static void test_one_and_none(void **state) {
    (void)state;
    const double one[] = {7.5};
    Stats stats = stats_compute(one, 1);
    assert_true(stats.min == 7.5 && stats.median == 7.5 && stats.mean == 7.5 && stats.max == 7.5);
    assert_true(stats.stddev == 0);
    stats = stats_compute(NULL, 0);
    assert_int_equal(stats.count, 0);
    assert_true(stats.mean == 0 && stats.stddev == 0);
}

static void test_input_untouched(void **state) {
    (void)state;
    double values[] = {3, 1, 2};
    stats_compute(values, 3);
    assert_true(values[0] == 3 && values[1] == 1 && values[2] == 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd_count),
        cmocka_unit_test(test_even_count),
        cmocka_unit_test(test_identical_values),
        cmocka_unit_test(test_large_close_values),
        cmocka_unit_test(test_one_and_none),
        cmocka_unit_test(test_input_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
