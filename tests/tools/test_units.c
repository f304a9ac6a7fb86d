/*
 * test_units.c -- sizes as budgets write them (tools/memtracer/units.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

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
        cmocka_unit_test(test_not_sizes),
        cmocka_unit_test(test_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
