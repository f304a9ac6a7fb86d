/*
 * test_lifecycle.c -- mt_start, mt_exit_set and mt_finish: a session's
 * report and how the run ended, sessions one after another, a start that
 * is refused (already started, the script as OutputFile, a report that
 * cannot be written), the report of a program that calls exit(), and the
 * report put in place only once it is whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

/* Finishing what never started, or twice, is harmless. */
static void test_finish_without_start(void **state) {
    (void)state;
    assert_int_equal(mt_finish(), 0);
    assert_int_equal(mt_finish(), 0);
    vm_start(VM_WORDS(JSON));
    json_decref(vm_finish_json());
    assert_int_equal(mt_finish(), 0);
    assert_false(MT_TRACING());
}

/* A start while started is refused (64) and changes nothing: the session
 * goes on and writes its one report. */
static void test_start_twice(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    void *a = vm_new(8, T_POINT, F_MAKE, 11);
    mt_options other;
    mt_options_init(&other);
    assert_int_equal(mt_start(&other, "fake", VM_PROGRAM), 64);
    assert_string_equal(mt_error(), "the tracer is already started");
    assert_true(MT_TRACING());
    void *b = vm_new(16, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.bytes", 24);
    json_decref(r);
    free(a);
    free(b);
}

/* How the run ended: normal by default, else what the VM said. */
static void test_exit_set(void **state) {
    (void)state;
    static const struct {
        int status;
        mt_exit_reason reason;
        const char *name;
    } ends[] = {
        {0, MT_EXIT_NORMAL, "normal"},
        {70, MT_EXIT_ERROR, "error"},
        {65, MT_EXIT_ERROR, "error"},
        {1, MT_EXIT_OUT_OF_MEMORY, "out of memory"},
    };
    vm_start(VM_WORDS(JSON));
    json_t *r = vm_finish_json();
    jexpect(r, "exit.status", 0);
    jexpect_str(r, "exit.reason", "normal");
    json_decref(r);
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        vm_start(VM_WORDS(JSON));
        mt_exit_set(ends[i].status, ends[i].reason);
        r = vm_finish_json();
        jexpect(r, "exit.status", (uint64_t)ends[i].status);
        jexpect_str(r, "exit.reason", ends[i].name);
        assert_false(jhas(r, "exit.signal"));
        json_decref(r);
    }
    /* A new session ends normally unless told otherwise. */
    vm_start(VM_WORDS(JSON));
    r = vm_finish_json();
    jexpect_str(r, "exit.reason", "normal");
    json_decref(r);
}

/* Each session counts its own events: the second knows nothing of the
 * first's blocks, and a block of the first released in the second is a
 * release the second never counted. */
static void test_sessions_apart(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    void *first = vm_new(100, T_ARRAY, F_MAIN, 2);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.bytes", 100);
    json_decref(r);
    vm_start(VM_WORDS(JSON));
    void *second = vm_new(30, T_POINT, F_MAKE, 11);
    vm_delete(first, 100);
    r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 1, .bytes = 30,
        .peak_bytes = 30, .peak_at_allocation = 1, .untracked_frees = 1,
    });
    jexpect_site(r, 0, (vm_site){"prog.fk", 11, "make", "Point", .count = 1,
                                 .blocks = 1, .bytes = 30, .live_count = 1,
                                 .live_blocks = 1, .live_bytes = 30,
                                 .peak_count = 1, .peak_bytes = 30});
    json_decref(r);
    free(second);
}

/* Events reported while not tracing change nothing. */
static void test_events_while_off(void **state) {
    (void)state;
    int x = 0;
    mt_alloc(&x, 8, T_POINT, F_MAKE, 11);
    mt_resize(&x, 8, &x, 16, T_POINT, F_MAKE, 11);
    mt_free(&x, 16);
    mt_call(F_MAKE, 5);
    mt_return();
    mt_site site = mt_site_at(F_MAKE, 11, T_POINT);
    assert_int_equal(mt_alloc_at(site, 8), MT_TAG_UNTRACED);
    assert_int_equal(mt_resize_at(site, MT_TAG_UNTRACED, 0, 8),
                     MT_TAG_UNTRACED);
    mt_free_tagged(MT_TAG_UNTRACED, 8);
    vm_start(VM_WORDS(JSON));
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){0});
    json_decref(r);
}

static void folder_make(char *folder, size_t size) {
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, size, "%s/memtracer-lifecycle-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
}

/* The script itself as OutputFile: refused (64), the script untouched. */
static void test_output_is_the_script(void **state) {
    (void)state;
    char folder[256], script[300], word[400];
    folder_make(folder, sizeof folder);
    snprintf(script, sizeof script, "%s/prog.fk", folder);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("print 1;\n", f);
    fclose(f);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", script);
    mt_options o;
    mt_options_init(&o);
    assert_int_equal(mt_options_parse(&o, word), MT_ARG_OK);
    assert_int_equal(mt_start(&o, "fake", script), 64);
    char expected[600];
    snprintf(expected, sizeof expected,
             "OutputFile '%s' is the script being traced; name another file "
             "for the report", script);
    assert_string_equal(mt_error(), expected);
    assert_false(MT_TRACING());
    mt_options_free(&o);
    char *text = vm_read_file(script);
    assert_string_equal(text, "print 1;\n");
    free(text);
    assert_int_equal(unlink(script), 0);
    assert_int_equal(rmdir(folder), 0);
}

/* A report that cannot be written is known at the start: 74, with the
 * reason, nothing created. */
static void test_output_unwritable(void **state) {
    (void)state;
    char folder[256], path[300], word[400];
    folder_make(folder, sizeof folder);
    snprintf(path, sizeof path, "%s/missing/report.json", folder);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", path);
    mt_options o;
    mt_options_init(&o);
    assert_int_equal(mt_options_parse(&o, word), MT_ARG_OK);
    assert_int_equal(mt_start(&o, "fake", VM_PROGRAM), 74);
    char expected[600];
    snprintf(expected, sizeof expected,
             "cannot write report '%s': No such file or directory", path);
    assert_string_equal(mt_error(), expected);
    assert_false(MT_TRACING());
    mt_options_free(&o);
    assert_int_equal(rmdir(folder), 0);  /* nothing created in it */
}

/* A file already at OutputFile stays as it was until the report is
 * whole, then is replaced by it. */
static void test_report_in_place_when_whole(void **state) {
    (void)state;
    char folder[256], path[300], word[400];
    folder_make(folder, sizeof folder);
    snprintf(path, sizeof path, "%s/report.json", folder);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("old\n", f);
    fclose(f);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", path);
    vm_start(VM_WORDS(JSON, word));
    void *a = vm_new(8, T_POINT, F_MAKE, 11);
    char *during = vm_read_file(path);
    assert_string_equal(during, "old\n");
    free(during);
    char *text = vm_finish();  /* reads and removes the report */
    json_t *r = json_loads(text, 0, NULL);
    assert_non_null(r);
    vm_check_consistent(r);
    jexpect(r, "summary.bytes", 8);
    json_decref(r);
    free(text);
    free(a);
    assert_int_equal(rmdir(folder), 0);  /* nothing else left in it */
}

/* A VM that ends with exit() from deep inside, without mt_finish, still
 * gets its report, with the status and reason it set. */
static void test_report_at_exit(void **state) {
    (void)state;
    char folder[256], path[300], word[400];
    folder_make(folder, sizeof folder);
    snprintf(path, sizeof path, "%s/report.json", folder);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", path);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        mt_options o;
        mt_options_init(&o);
        if (mt_options_parse(&o, JSON) != MT_ARG_OK ||
            mt_options_parse(&o, word) != MT_ARG_OK ||
            mt_start(&o, "fake", VM_PROGRAM) != 0)
            _exit(99);
        mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
        mt_func make = mt_func_intern("make", 4, VM_PROGRAM, 10);
        mt_site site = mt_site_at(make, 11, point);
        mt_alloc_at(site, 40);
        mt_alloc_at(site, 2);
        mt_exit_set(70, MT_EXIT_ERROR);
        exit(70);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 70);
    char *text = vm_read_file(path);
    assert_non_null(text);
    json_t *r = json_loads(text, 0, NULL);
    assert_non_null(r);
    vm_check_consistent(r);
    jexpect(r, "exit.status", 70);
    jexpect_str(r, "exit.reason", "error");
    jexpect(r, "summary.allocations", 2);
    jexpect(r, "summary.bytes", 42);
    json_decref(r);
    free(text);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(folder), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finish_without_start),
        cmocka_unit_test(test_start_twice),
        cmocka_unit_test(test_exit_set),
        cmocka_unit_test(test_sessions_apart),
        cmocka_unit_test(test_events_while_off),
        cmocka_unit_test(test_output_is_the_script),
        cmocka_unit_test(test_output_unwritable),
        cmocka_unit_test(test_report_in_place_when_whole),
        cmocka_unit_test(test_report_at_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
