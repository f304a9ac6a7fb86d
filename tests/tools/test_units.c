/*
 * test_units.c -- sizes as budgets write them (tools/memtracer/units.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static double parsed(const char *text) {
    double value = -1;
    assert_true(size_parse(text, &value));
    return value;
}

static void test_sizes(void **state) {
    (void)state;
    assert_true(parsed("1000") == 1000);
    assert_true(parsed("4KB") == 4000);
    assert_true(parsed("4KiB") == 4096);
    assert_true(parsed("4 kib") == 4096);
    assert_true(parsed("512KiB") == 524288);
    assert_true(parsed("2MB") == 2000000);
    assert_true(parsed("2MiB") == 2097152);
    assert_true(parsed("1GB") == 1e9);
    assert_true(parsed("1GiB") == 1073741824.0);
    assert_true(parsed("1.5MiB") == 1572864);
    assert_true(parsed("0") == 0);
    assert_true(parsed(" 12 B ") == 12);
}

static void test_decimal_sizes(void **state) {
    (void)state;
    /* A byte or a count is whole; a decimal of a larger unit is rounded
     * to a whole byte. */
    assert_true(parsed("2.5KB") == 2500);
    assert_true(parsed("0.5005KiB") == 513);
    assert_true(parsed("2.0") == 2);
    assert_true(parsed("100000000000000000000") == 1e20);
    const char *fractional[] = {"2.5", "2.5B", "0.5", "1.25 b"};
    for (size_t i = 0; i < sizeof fractional / sizeof fractional[0]; i++) {
        double value = -1;
        assert_false(size_parse(fractional[i], &value));
        assert_true(value == -1);
    }
}

static void test_averages(void **state) {
    (void)state;
    /* An average keeps one decimal, as a report holds it. */
    double value = -1;
    assert_true(decimal_parse("36.4", &value) && value == 36.4);
    assert_true(decimal_parse("36.1", &value) && value == decimal_round(36.07067307692308));
    assert_true(decimal_parse("40", &value) && value == 40);
    assert_true(decimal_parse("1.5KiB", &value) && value == 1536);
    assert_true(decimal_parse("9.96", &value) && value == 10);
    value = -1;
    assert_false(decimal_parse("-1.5", &value));
    assert_false(decimal_parse("1e3", &value));
    assert_false(decimal_parse("36.4XB", &value));
    assert_true(value == -1);
}

/* number_text reads back exactly, in digits only. */
static void test_numbers(void **state) {
    (void)state;
    const double values[] = {0, 1, 72485, 9007199254740993.0, 1e18, 1e20, 1.2345678901234567e300,
                             36.1, 0.1, 1.0 / 3};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char *text = number_text(values[i]);
        assert_null(strpbrk(text, "eE+"));
        assert_true(strtod(text, NULL) == values[i]);
        if (values[i] == floor(values[i])) {
            double value = -1;
            assert_true(size_parse(text, &value));
            assert_true(value == values[i]);
        }
        free(text);
    }
    char *text = number_text(1e20);
    assert_string_equal(text, "100000000000000000000");
    free(text);
}

static void test_not_sizes(void **state) {
    (void)state;
    const char *bad[] = {"", "KiB", "-4KiB", "12XB", "1e6", "0x10", "4 KiBs", "inf", "1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double value = -1;
        assert_false(size_parse(bad[i], &value));
        assert_true(value == -1);
    }
}

static void test_texts(void **state) {
    (void)state;
    char *text = size_text(1047264);
    assert_string_equal(text, "1023 KiB");
    free(text);
    text = size_text(1536);
    assert_string_equal(text, "1.5 KiB");
    free(text);
    text = percent_text(0, 5);
    assert_string_equal(text, "+inf%");
    free(text);
    text = percent_text(80, 88);
    assert_string_equal(text, "+10.0%");
    free(text);
    text = figure_text((Figure){100, false}, false);
    assert_string_equal(text, "-");
    free(text);
    text = figure_text((Figure){100, true}, true);
    assert_string_equal(text, "~100");
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_decimal_sizes),
        cmocka_unit_test(test_averages),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_not_sizes),
        cmocka_unit_test(test_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
