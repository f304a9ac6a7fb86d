/*
 * test_options.c -- the --memtracer words (mt_options_init,
 * mt_options_parse, mt_options_help, mt_options_free): the defaults, what
 * each option accepts and stores, the one-line message naming the option
 * and what it accepts when a word is bad, and the options as the JSON
 * report lists them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

static void test_defaults(void **state) {
    (void)state;
    mt_options o;
    memset(&o, 0xA5, sizeof o);
    mt_options_init(&o);
    assert_false(o.enabled);
    assert_int_equal(o.output, MT_OUTPUT_TABLE);
    assert_null(o.output_file);
    assert_false(o.trace_stacks);
    assert_int_equal(o.stack_limit, 64);
    assert_true(o.fold_recursion);
    assert_int_equal(o.trace_mem, 0);
    assert_null(o.filter_root_name);
    assert_null(o.filter_file);
    assert_false(o.trace_internal);
    assert_int_equal(o.top, 0);
    assert_false(o.all_phases);
    mt_options_free(&o);
}

/* Words that are not memtracer's are the caller's, and change nothing;
 * so is argv's end, NULL. */
static void test_not_ours(void **state) {
    (void)state;
    const char *words[] = {"script.fk", "-c", "--memtracerX", "--memtrace",
                           "--memtracer-x", "-memtracer", "memtracer", "",
                           NULL};
    mt_options o;
    mt_options_init(&o);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        assert_int_equal(mt_options_parse(&o, words[i]), MT_ARG_NOT_OURS);
    assert_false(o.enabled);
    mt_options_free(&o);
}

/* --memtracer enables, and so does any --memtracer.X, even one that
 * turns something off. */
static void test_enabled_by_any_word(void **state) {
    (void)state;
    const char *words[] = {"--memtracer", "--memtracer.TraceStackTraces=false",
                           "--memtracer.Top=3", "--memtracer.Phases=run"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        mt_options o;
        mt_options_init(&o);
        assert_int_equal(mt_options_parse(&o, words[i]), MT_ARG_OK);
        assert_true(o.enabled);
        mt_options_free(&o);
    }
}

static mt_options parsed(const char *word) {
    mt_options o;
    mt_options_init(&o);
    if (mt_options_parse(&o, word) != MT_ARG_OK)
        fail_msg("%s refused: %s", word, mt_error());
    return o;
}

static void test_values_stored(void **state) {
    (void)state;
    static const struct {
        const char *word;
        mt_output output;
    } outputs[] = {
        {"--memtracer.Output=table", MT_OUTPUT_TABLE},
        {"--memtracer.Output=json", MT_OUTPUT_JSON},
        {"--memtracer.Output=histogram", MT_OUTPUT_HISTOGRAM},
        {"--memtracer.Output=typehistogram", MT_OUTPUT_TYPEHISTOGRAM},
        {"--memtracer.Output=calltree", MT_OUTPUT_CALLTREE},
        {"--memtracer.Output=leaks", MT_OUTPUT_LEAKS},
        {"--memtracer.Output=peak", MT_OUTPUT_PEAK},
    };
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        mt_options o = parsed(outputs[i].word);
        assert_int_equal(o.output, outputs[i].output);
    }
    mt_options o = parsed("--memtracer.OutputFile=-");
    assert_string_equal(o.output_file, "-");
    mt_options_free(&o);
    o = parsed("--memtracer.OutputFile=out dir/report.json");
    assert_string_equal(o.output_file, "out dir/report.json");
    mt_options_free(&o);
    assert_true(parsed("--memtracer.TraceStackTraces").trace_stacks);
    assert_true(parsed("--memtracer.TraceStackTraces=true").trace_stacks);
    assert_false(parsed("--memtracer.TraceStackTraces=false").trace_stacks);
    assert_int_equal(parsed("--memtracer.StackLimit=1").stack_limit, 1);
    assert_int_equal(parsed("--memtracer.StackLimit=1000000").stack_limit,
                     1000000);
    assert_false(parsed("--memtracer.FoldRecursion=false").fold_recursion);
    assert_true(parsed("--memtracer.TraceInternal").trace_internal);
    assert_int_equal(parsed("--memtracer.Top=7").top, 7);
    assert_true(parsed("--memtracer.Phases=all").all_phases);
    assert_false(parsed("--memtracer.Phases=run").all_phases);
    o = parsed("--memtracer.FilterRootName=make*,solve");
    assert_string_equal(o.filter_root_name, "make*,solve");
    mt_options_free(&o);
    o = parsed("--memtracer.FilterFile=*.fk,lib/*");
    assert_string_equal(o.filter_file, "*.fk,lib/*");
    mt_options_free(&o);
}

/* TraceMem: bytes, the SI units (powers of 1000) and the IEC ones
 * (powers of 1024), up to 2^40, 1024GiB (test_bad_words: one more is
 * refused). */
static void test_trace_mem_units(void **state) {
    (void)state;
    static const struct {
        const char *value;
        size_t bytes;
    } sizes[] = {
        {"0", 0},
        {"1000", 1000},
        {"7B", 7},
        {"4KB", 4000},
        {"4KiB", 4096},
        {"1MB", 1000000},
        {"1MiB", 1048576},
        {"1GB", 1000000000},
        {"2GiB", 2147483648u},
        {"1099511627776", (size_t)1 << 40},
        {"1024GiB", (size_t)1 << 40},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char word[64];
        snprintf(word, sizeof word, "--memtracer.TraceMem=%s", sizes[i].value);
        assert_int_equal(parsed(word).trace_mem, sizes[i].bytes);
    }
}

/* The options the help lists, in its order: "Output", "OutputFile", ...
 * The help's first line is --memtracer itself. */
#define MAX_OPTIONS 64
static size_t help_names(char names[MAX_OPTIONS][32]) {
    size_t count = 0;
    const char *at = strchr(mt_options_help(), '\n');
    assert_non_null(at);
    for (at++; *at != '\0'; at = strchr(at, '\n') + 1) {
        const char *name = at + strlen("  --memtracer.");
        assert_int_equal(strncmp(at, "  --memtracer.", 14), 0);
        size_t len = strcspn(name, "=");
        assert_true(len < 32 && count < MAX_OPTIONS);
        memcpy(names[count], name, len);
        names[count++][len] = '\0';
    }
    return count;
}

/* "unknown option 'WORD'; accepted: " and every option of the help. */
static void unknown_message(char *message, size_t size, const char *word) {
    char names[MAX_OPTIONS][32];
    size_t count = help_names(names);
    size_t used = (size_t)snprintf(message, size,
                                   "unknown option '%s'; accepted: ", word);
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(message + used, size - used, "%s%s",
                                 i > 0 ? ", " : "", names[i]);
    assert_true(used < size);
}

static void options_same(const mt_options *a, const mt_options *b) {
    assert_int_equal(a->enabled, b->enabled);
    assert_int_equal(a->output, b->output);
    assert_ptr_equal(a->output_file, b->output_file);
    assert_int_equal(a->trace_stacks, b->trace_stacks);
    assert_int_equal(a->stack_limit, b->stack_limit);
    assert_int_equal(a->fold_recursion, b->fold_recursion);
    assert_int_equal(a->trace_mem, b->trace_mem);
    assert_ptr_equal(a->filter_root_name, b->filter_root_name);
    assert_ptr_equal(a->filter_file, b->filter_file);
    assert_int_equal(a->trace_internal, b->trace_internal);
    assert_int_equal(a->top, b->top);
    assert_int_equal(a->all_phases, b->all_phases);
}

/* A bad word is refused with one line naming the option and what it
 * accepts, and leaves the options as they were: fresh ones, and ones a
 * few words have set. */
static void expect_bad(const char *word, const char *message) {
    mt_options o, before;
    mt_options_init(&o);
    mt_options_init(&before);
    if (mt_options_parse(&o, word) != MT_ARG_BAD)
        fail_msg("%s accepted", word);
    assert_string_equal(mt_error(), message);
    options_same(&o, &before);
    const char *set[] = {"--memtracer.Output=json", "--memtracer.Top=3",
                         "--memtracer.OutputFile=r", "--memtracer.TraceMem=9",
                         "--memtracer.FilterFile=f",
                         "--memtracer.FilterRootName=g"};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        assert_int_equal(mt_options_parse(&o, set[i]), MT_ARG_OK);
    before = o;
    assert_int_equal(mt_options_parse(&o, word), MT_ARG_BAD);
    options_same(&o, &before);
    mt_options_free(&o);
}

#define OUTPUTS "table, json, histogram, typehistogram, calltree, leaks, peak"
#define COUNT "a whole number from 1 to 1000000"
#define SIZE "a byte count like 1000, 4KB (4000), 4KiB (4096), 1MB, 1MiB, " \
             "1GB, 1GiB, at most 1024GiB"
#define GLOBS_FILE "comma-separated file globs, e.g. *.lox,lib/*"
#define GLOBS_NAME "comma-separated function-name globs, e.g. make*,solve"

static void test_bad_words(void **state) {
    (void)state;
    expect_bad("--memtracer.Output=xml",
               "bad value 'xml' for --memtracer.Output; accepted: " OUTPUTS);
    expect_bad("--memtracer.Output",
               "missing value for --memtracer.Output; accepted: " OUTPUTS);
    expect_bad("--memtracer.Output=JSON",
               "bad value 'JSON' for --memtracer.Output; accepted: " OUTPUTS);
    expect_bad("--memtracer.OutputFile=",
               "bad value '' for --memtracer.OutputFile; accepted: a file "
               "name, or - for standard output");
    expect_bad("--memtracer.OutputFile",
               "missing value for --memtracer.OutputFile; accepted: a file "
               "name, or - for standard output");
    expect_bad("--memtracer.TraceStackTraces=yes",
               "bad value 'yes' for --memtracer.TraceStackTraces; accepted: "
               "true, false");
    expect_bad("--memtracer.StackLimit=0",
               "bad value '0' for --memtracer.StackLimit; accepted: " COUNT);
    expect_bad("--memtracer.StackLimit=1000001",
               "bad value '1000001' for --memtracer.StackLimit; accepted: "
               COUNT);
    expect_bad("--memtracer.StackLimit=-1",
               "bad value '-1' for --memtracer.StackLimit; accepted: " COUNT);
    expect_bad("--memtracer.StackLimit=+3",
               "bad value '+3' for --memtracer.StackLimit; accepted: " COUNT);
    expect_bad("--memtracer.StackLimit=3x",
               "bad value '3x' for --memtracer.StackLimit; accepted: " COUNT);
    expect_bad("--memtracer.Top=",
               "bad value '' for --memtracer.Top; accepted: " COUNT);
    expect_bad("--memtracer.TraceMem=4kb",
               "bad value '4kb' for --memtracer.TraceMem; accepted: " SIZE);
    expect_bad("--memtracer.TraceMem=4 KB",
               "bad value '4 KB' for --memtracer.TraceMem; accepted: " SIZE);
    expect_bad("--memtracer.TraceMem=1.5MB",
               "bad value '1.5MB' for --memtracer.TraceMem; accepted: " SIZE);
    expect_bad("--memtracer.TraceMem=-1",
               "bad value '-1' for --memtracer.TraceMem; accepted: " SIZE);
    expect_bad("--memtracer.TraceMem=18446744073709551616",
               "bad value '18446744073709551616' for --memtracer.TraceMem; "
               "accepted: " SIZE);
    /* 2^40 + 1, and 2^40 bytes and one more KiB */
    expect_bad("--memtracer.TraceMem=1099511627777",
               "bad value '1099511627777' for --memtracer.TraceMem; "
               "accepted: " SIZE);
    expect_bad("--memtracer.SampleBytes=1073741825KiB",
               "bad value '1073741825KiB' for --memtracer.SampleBytes; "
               "accepted: a byte count like 512KiB, at most 1024GiB; 0 "
               "counts every block");
    expect_bad("--memtracer.TraceMem=20000000000GB",
               "bad value '20000000000GB' for --memtracer.TraceMem; "
               "accepted: " SIZE);
    expect_bad("--memtracer.FilterFile=",
               "bad value '' for --memtracer.FilterFile; accepted: "
               GLOBS_FILE);
    expect_bad("--memtracer.FilterFile=,a",
               "bad value ',a' for --memtracer.FilterFile; accepted: "
               GLOBS_FILE);
    expect_bad("--memtracer.FilterFile=a,",
               "bad value 'a,' for --memtracer.FilterFile; accepted: "
               GLOBS_FILE);
    expect_bad("--memtracer.FilterRootName=a,,b",
               "bad value 'a,,b' for --memtracer.FilterRootName; accepted: "
               GLOBS_NAME);
    expect_bad("--memtracer.Phases=some",
               "bad value 'some' for --memtracer.Phases; accepted: run, all");
    /* An unknown name: the message lists every option there is. */
    char message[1024];
    unknown_message(message, sizeof message, "--memtracer.Bogus");
    expect_bad("--memtracer.Bogus=1", message);
    unknown_message(message, sizeof message, "--memtracer.output");
    expect_bad("--memtracer.output=json", message);  /* names are exact */
    unknown_message(message, sizeof message, "--memtracer.");
    expect_bad("--memtracer.", message);
}

/* The message carries the whole value, however long. */
static void test_long_value_whole(void **state) {
    (void)state;
    size_t len = 10000;
    char *word = malloc(len + 32);
    char *message = malloc(len + 128);
    assert_non_null(word);
    assert_non_null(message);
    int n = snprintf(word, len + 32, "--memtracer.Top=");
    memset(word + n, '7', len);
    word[n + (int)len] = '\0';
    snprintf(message, len + 128, "bad value '%s' for --memtracer.Top; "
             "accepted: " COUNT, word + n);
    expect_bad(word, message);
    free(word);
    free(message);
}

/* mt_error() is one line, no newline, whatever the word held. */
static void test_error_one_line(void **state) {
    (void)state;
    const char *words[] = {"--memtracer.Output=ta\nble",
                           "--memtracer.Out\nput=json",
                           "--memtracer.TraceMem=1\r\n2"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        mt_options o;
        mt_options_init(&o);
        assert_int_equal(mt_options_parse(&o, words[i]), MT_ARG_BAD);
        if (strpbrk(mt_error(), "\r\n") != NULL)
            fail_msg("more than one line: \"%s\"", mt_error());
        assert_non_null(strstr(mt_error(), "--memtracer."));
        mt_options_free(&o);
    }
}

/* A later word replaces an earlier one (the earlier string is freed:
 * the sanitizers' build would see a leak). */
static void test_later_word_wins(void **state) {
    (void)state;
    mt_options o;
    mt_options_init(&o);
    assert_int_equal(mt_options_parse(&o, "--memtracer.OutputFile=a"),
                     MT_ARG_OK);
    assert_int_equal(mt_options_parse(&o, "--memtracer.OutputFile=b"),
                     MT_ARG_OK);
    assert_int_equal(mt_options_parse(&o, "--memtracer.FilterFile=x"),
                     MT_ARG_OK);
    assert_int_equal(mt_options_parse(&o, "--memtracer.FilterFile=y,z"),
                     MT_ARG_OK);
    assert_int_equal(mt_options_parse(&o, "--memtracer.Top=2"), MT_ARG_OK);
    assert_int_equal(mt_options_parse(&o, "--memtracer.Top=5"), MT_ARG_OK);
    assert_string_equal(o.output_file, "b");
    assert_string_equal(o.filter_file, "y,z");
    assert_int_equal(o.top, 5);
    mt_options_free(&o);
    assert_null(o.output_file);
    assert_null(o.filter_file);
    mt_options_free(&o);  /* twice is harmless */
}

/* The help: one line for --memtracer, then one per option naming it with
 * its argument; these options among them, in this order. */
static void test_help(void **state) {
    (void)state;
    static const char *const lines[] = {
        "Output=FORMAT ", "OutputFile=FILE ", "TraceStackTraces=BOOL ",
        "StackLimit=N ", "FoldRecursion=BOOL ", "TraceMem=SIZE ",
        "FilterRootName=GLOB,.. ", "FilterFile=GLOB,.. ",
        "TraceInternal=BOOL ", "Top=N ", "Phases=WHICH ",
    };
    const char *help = mt_options_help();
    assert_int_equal(strncmp(help, "  --memtracer ", 14), 0);
    size_t found = 0;
    for (const char *at = strchr(help, '\n') + 1; *at != '\0';
         at = strchr(at, '\n') + 1) {
        assert_int_equal(strncmp(at, "  --memtracer.", 14), 0);
        if (found < sizeof lines / sizeof lines[0] &&
            strncmp(at + 14, lines[found], strlen(lines[found])) == 0)
            found++;
    }
    if (found < sizeof lines / sizeof lines[0])
        fail_msg("no help line for --memtracer.%s in its place:\n%s",
                 lines[found], help);
    char names[MAX_OPTIONS][32];
    size_t count = help_names(names);
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++) assert_string_not_equal(names[i], names[j]);
    assert_ptr_equal(mt_options_help(), help);  /* made once */
}

/* The JSON report lists the options in effect, as the words set them. */
static void test_options_in_report(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=json", "--memtracer.StackLimit=9",
                      "--memtracer.TraceStackTraces", "--memtracer.Top=4",
                      "--memtracer.FilterRootName=m*",
                      "--memtracer.FoldRecursion=false",
                      "--memtracer.TraceMem=2KB", "--memtracer.Phases=all",
                      "--memtracer.TraceInternal=true"));
    json_t *r = vm_finish_json();
    jexpect_str(r, "options.Output", "json");
    jexpect_str(r, "options.OutputFile", "<folder>/report");
    assert_true(json_is_true(jget(r, "options.TraceStackTraces")));
    jexpect(r, "options.StackLimit", 9);
    assert_true(json_is_false(jget(r, "options.FoldRecursion")));
    jexpect(r, "options.TraceMem", 2000);
    jexpect_str(r, "options.FilterRootName", "m*");
    assert_true(json_is_null(jget(r, "options.FilterFile")));
    assert_true(json_is_true(jget(r, "options.TraceInternal")));
    jexpect(r, "options.Top", 4);
    jexpect_str(r, "options.Phases", "all");
    /* Every option, and nothing else. */
    char names[MAX_OPTIONS][32];
    size_t count = help_names(names);
    assert_int_equal(json_object_size(jget(r, "options")), count);
    for (size_t i = 0; i < count; i++)
        if (json_object_get(jget(r, "options"), names[i]) == NULL)
            fail_msg("the report's options have no %s", names[i]);
    json_decref(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_not_ours),
        cmocka_unit_test(test_enabled_by_any_word),
        cmocka_unit_test(test_values_stored),
        cmocka_unit_test(test_trace_mem_units),
        cmocka_unit_test(test_bad_words),
        cmocka_unit_test(test_long_value_whole),
        cmocka_unit_test(test_error_one_line),
        cmocka_unit_test(test_later_word_wins),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_options_in_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
