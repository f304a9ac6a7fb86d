/*
 * test_options.c -- every --memtracer word, good and bad, with the exact
 * error lines a front end prints, and the help text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "memtracer.h"

static mt_options o;
static const char *err;  /* mt_error() after the last parse */

static int setup(void **state) {
    (void)state;
    mt_options_init(&o);
    err = "";
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mt_options_free(&o);
    return 0;
}

static int parse(const char *word) {
    int result = mt_options_parse(&o, word);
    err = mt_error();
    return result;
}

static void test_defaults(void **state) {
    (void)state;
    assert_false(o.enabled);
    assert_int_equal(o.output, MT_OUTPUT_TABLE);
    assert_null(o.output_file);
    assert_false(o.trace_stacks);
    assert_int_equal(o.stack_limit, 64);
    assert_int_equal(o.trace_mem, 0);
    assert_null(o.filter_root_name);
    assert_null(o.filter_file);
    assert_false(o.trace_internal);
}

static void test_not_ours(void **state) {
    (void)state;
    assert_int_equal(parse("-c"), MT_ARG_NOT_OURS);
    assert_int_equal(parse("script.lox"), MT_ARG_NOT_OURS);
    assert_int_equal(parse("--memtracers"), MT_ARG_NOT_OURS);
    assert_int_equal(parse("--help"), MT_ARG_NOT_OURS);
    assert_false(o.enabled);
}

static void test_enable(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer"), MT_ARG_OK);
    assert_true(o.enabled);
}

static void test_any_option_enables(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer.StackLimit=3"), MT_ARG_OK);
    assert_true(o.enabled);
}

static void test_output(void **state) {
    (void)state;
    static const struct {
        const char *word;
        mt_output output;
    } cases[] = {
        {"--memtracer.Output=json", MT_OUTPUT_JSON},
        {"--memtracer.Output=histogram", MT_OUTPUT_HISTOGRAM},
        {"--memtracer.Output=typehistogram", MT_OUTPUT_TYPEHISTOGRAM},
        {"--memtracer.Output=calltree", MT_OUTPUT_CALLTREE},
        {"--memtracer.Output=table", MT_OUTPUT_TABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse(cases[i].word), MT_ARG_OK);
        assert_int_equal(o.output, cases[i].output);
    }
    assert_int_equal(parse("--memtracer.Output=xml"), MT_ARG_BAD);
    assert_string_equal(err, "bad value 'xml' for --memtracer.Output; "
                             "accepted: table, json, histogram, "
                             "typehistogram, calltree");
    assert_int_equal(parse("--memtracer.Output"), MT_ARG_BAD);
    assert_string_equal(err, "missing value for --memtracer.Output; "
                             "accepted: table, json, histogram, "
                             "typehistogram, calltree");
}

static void test_output_file(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer.OutputFile=a.json"), MT_ARG_OK);
    assert_string_equal(o.output_file, "a.json");
    assert_int_equal(parse("--memtracer.OutputFile=b.json"), MT_ARG_OK);
    assert_string_equal(o.output_file, "b.json");
    assert_int_equal(parse("--memtracer.OutputFile="), MT_ARG_BAD);
    assert_string_equal(err, "bad value '' for --memtracer.OutputFile; "
                             "accepted: a file name");
}

static void test_booleans(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer.TraceStackTraces=true"), MT_ARG_OK);
    assert_true(o.trace_stacks);
    assert_int_equal(parse("--memtracer.TraceStackTraces=false"), MT_ARG_OK);
    assert_false(o.trace_stacks);
    assert_int_equal(parse("--memtracer.TraceStackTraces"), MT_ARG_OK);
    assert_true(o.trace_stacks);
    assert_int_equal(parse("--memtracer.TraceInternal=true"), MT_ARG_OK);
    assert_true(o.trace_internal);
    assert_int_equal(parse("--memtracer.TraceInternal=yes"), MT_ARG_BAD);
    assert_string_equal(err, "bad value 'yes' for --memtracer.TraceInternal; "
                             "accepted: true, false");
    assert_int_equal(parse("--memtracer.TraceStackTraces=1"), MT_ARG_BAD);
    assert_string_equal(err, "bad value '1' for "
                             "--memtracer.TraceStackTraces; accepted: true, "
                             "false");
}

static void test_stack_limit(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer.StackLimit=1"), MT_ARG_OK);
    assert_int_equal(o.stack_limit, 1);
    assert_int_equal(parse("--memtracer.StackLimit=1000000"), MT_ARG_OK);
    assert_int_equal(o.stack_limit, 1000000);
    static const char *const bad[] = {"0", "-1", "1000001", "ten", "5x", "",
                                      "+5", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char word[80];
        snprintf(word, sizeof word, "--memtracer.StackLimit=%s", bad[i]);
        assert_int_equal(parse(word), MT_ARG_BAD);
        char expected[200];
        snprintf(expected, sizeof expected,
                 "bad value '%s' for --memtracer.StackLimit; accepted: a "
                 "whole number from 1 to 1000000",
                 bad[i]);
        assert_string_equal(err, expected);
    }
    assert_int_equal(o.stack_limit, 1000000);
}

static void test_trace_mem(void **state) {
    (void)state;
    static const struct {
        const char *value;
        size_t bytes;
    } good[] = {
        {"0", 0},           {"1000", 1000},       {"12B", 12},
        {"4KB", 4000},      {"4KiB", 4096},       {"1MB", 1000000},
        {"1MiB", 1048576},  {"2GB", 2000000000u}, {"1GiB", 1073741824u},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char word[80];
        snprintf(word, sizeof word, "--memtracer.TraceMem=%s", good[i].value);
        assert_int_equal(parse(word), MT_ARG_OK);
        assert_int_equal(o.trace_mem, good[i].bytes);
    }
    static const char *const bad[] = {"4kb", "4 KB", "KB", "-1", "4XB", "",
                                      "1.5MB", "99999999999999999999GiB"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char word[80];
        snprintf(word, sizeof word, "--memtracer.TraceMem=%s", bad[i]);
        assert_int_equal(parse(word), MT_ARG_BAD);
        char expected[240];
        snprintf(expected, sizeof expected,
                 "bad value '%s' for --memtracer.TraceMem; accepted: a byte "
                 "count like 1000, 4KB (4000), 4KiB (4096), 1MB, 1MiB, 1GB, "
                 "1GiB",
                 bad[i]);
        assert_string_equal(err, expected);
    }
}

static void test_filters(void **state) {
    (void)state;
    assert_int_equal(parse("--memtracer.FilterRootName=make*,solve"), MT_ARG_OK);
    assert_string_equal(o.filter_root_name, "make*,solve");
    assert_int_equal(parse("--memtracer.FilterFile=*.lox"), MT_ARG_OK);
    assert_string_equal(o.filter_file, "*.lox");
    static const char *const bad[] = {"", ",a", "a,", "a,,b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char word[80];
        snprintf(word, sizeof word, "--memtracer.FilterFile=%s", bad[i]);
        assert_int_equal(parse(word), MT_ARG_BAD);
        char expected[200];
        snprintf(expected, sizeof expected,
                 "bad value '%s' for --memtracer.FilterFile; accepted: "
                 "comma-separated file globs, e.g. *.lox,lib/*",
                 bad[i]);
        assert_string_equal(err, expected);
    }
    assert_int_equal(parse("--memtracer.FilterRootName="), MT_ARG_BAD);
    assert_string_equal(err, "bad value '' for --memtracer.FilterRootName; "
                             "accepted: comma-separated function-name globs, "
                             "e.g. make*,solve");
}

static void test_unknown_name(void **state) {
    (void)state;
    static const char expected[] =
        "unknown option '--memtracer.Foo'; accepted: Output, OutputFile, "
        "TraceStackTraces, StackLimit, TraceMem, FilterRootName, FilterFile, "
        "TraceInternal";
    assert_int_equal(parse("--memtracer.Foo"), MT_ARG_BAD);
    assert_string_equal(err, expected);
    assert_int_equal(parse("--memtracer.Foo=bar"), MT_ARG_BAD);
    assert_string_equal(err, expected);
    /* Names are case-sensitive, and a near miss is not a match. */
    assert_int_equal(parse("--memtracer.output=json"), MT_ARG_BAD);
    assert_int_equal(parse("--memtracer.OutputFileX=a"), MT_ARG_BAD);
    assert_int_equal(parse("--memtracer.=json"), MT_ARG_BAD);
    assert_int_equal(o.output, MT_OUTPUT_TABLE);
}

static void test_help(void **state) {
    (void)state;
    const char *help = mt_options_help();
    static const char *const names[] = {
        "--memtracer ", "--memtracer.Output=", "--memtracer.OutputFile=",
        "--memtracer.TraceStackTraces=", "--memtracer.StackLimit=",
        "--memtracer.TraceMem=", "--memtracer.FilterRootName=",
        "--memtracer.FilterFile=", "--memtracer.TraceInternal=",
    };
    size_t lines = 0;
    for (const char *c = help; *c != '\0'; c++) lines += *c == '\n';
    assert_int_equal(lines, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(strstr(help, names[i]));
    assert_non_null(strstr(help, "4KB = 4000, 4KiB = 4096"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_option_enables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_booleans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stack_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
