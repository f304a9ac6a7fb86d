/*
 * test_reports.c -- the exact text of every output format for the shared
 * scenario, human sizes, byte-identical JSON across runs, the report's
 * destination (OutputFile via temporary file + rename, or stderr), an
 * unwritable OutputFile, and the report written on SIGTERM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevm.h"

#define HEADER                                                               \
    "Memory Tracer. Recorded 5 allocations, 492 B; peak 392 B live; 4 live " \
    "at exit (360 B).\n"                                                     \
    "Hidden: 16 B in the VM's own blocks, 1 object (not counted; "           \
    "--memtracer.TraceInternal=true shows them).\n"

static char *scenario_report(const char *output, const char *extra) {
    vm_start((const char *[]){output, extra, NULL});
    vm_scenario();
    return vm_finish();
}

static void test_table(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=table", NULL);
    assert_string_equal(r,
        HEADER
        " Source Location || Count || Size  || Type\n"
        " prog.fk:5       || 0     || 300 B || Point\n"
        " prog.fk:4       || 4     || 128 B || Point\n"
        " prog.fk:1       || 1     || 64 B  || Array\n");
    free(r);
}

static void test_table_stacks(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=table",
                              "--memtracer.TraceStackTraces=true");
    assert_string_equal(r,
        HEADER
        " Source Location || Count || Size  || Type\n"
        " prog.fk:5       || 0     || 300 B || Point\n"
        "    at make (prog.fk:5)\n"
        "    at <script> (prog.fk:11)\n"
        " prog.fk:4       || 4     || 128 B || Point\n"
        "   3 allocations, 96 B:\n"
        "    at make (prog.fk:4)\n"
        "    at <script> (prog.fk:10)\n"
        "   1 allocation, 32 B:\n"
        "    at make (prog.fk:4)\n"
        "    at <script> (prog.fk:11)\n"
        " prog.fk:1       || 1     || 64 B  || Array\n"
        "    at <script> (prog.fk:1)\n");
    free(r);
}

static void test_table_filtered_header(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.TraceMem=100", NULL);
    assert_non_null(strstr(r,
        "Filtered out: 5 allocations, 192 B (counted above, not listed "
        "below).\n"));
    free(r);
}

static void test_json(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=json", NULL);
    char expected[4096];
    snprintf(expected, sizeof expected,
        "{\n"
        "  \"format\": \"memtracer\",\n"
        "  \"version\": 1,\n"
        "  \"language\": \"fake\",\n"
        "  \"program\": \"prog.fk\",\n"
        "  \"options\": {\"Output\": \"json\", \"OutputFile\": \"%s\", "
        "\"TraceStackTraces\": false, \"StackLimit\": 64, \"TraceMem\": 0, "
        "\"FilterRootName\": null, \"FilterFile\": null, "
        "\"TraceInternal\": false},\n"
        "  \"exit\": {\"status\": 0, \"reason\": \"normal\"},\n"
        "  \"summary\": {\n"
        "    \"allocations\": 5,\n"
        "    \"bytes\": 492,\n"
        "    \"frees\": 1,\n"
        "    \"freed_bytes\": 132,\n"
        "    \"resizes\": 1,\n"
        "    \"peak_bytes\": 392,\n"
        "    \"peak_at_allocation\": 5,\n"
        "    \"live_allocations\": 4,\n"
        "    \"live_bytes\": 360,\n"
        "    \"filtered_allocations\": 0,\n"
        "    \"filtered_bytes\": 0,\n"
        "    \"hidden_internal_allocations\": 1,\n"
        "    \"hidden_internal_bytes\": 16,\n"
        "    \"untracked_frees\": 1,\n"
        "    \"lost_events\": 0,\n"
        "    \"degraded\": false\n"
        "  },\n"
        "  \"sites\": [\n"
        "    {\"file\": \"prog.fk\", \"line\": 5, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 0, \"bytes\": 300, \"resizes\": 1, "
        "\"live_count\": 0, \"live_bytes\": 200},\n"
        "    {\"file\": \"prog.fk\", \"line\": 4, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 4, \"bytes\": 128, \"resizes\": 0, "
        "\"live_count\": 3, \"live_bytes\": 96},\n"
        "    {\"file\": \"prog.fk\", \"line\": 1, \"function\": \"<script>\", "
        "\"type\": \"Array\", \"count\": 1, \"bytes\": 64, \"resizes\": 0, "
        "\"live_count\": 1, \"live_bytes\": 64}\n"
        "  ]\n"
        "}\n",
        vm_report_path());
    assert_string_equal(r, expected);
    free(r);
}

static void test_json_escapes(void **state) {
    (void)state;
    vm_start((const char *[]){"--memtracer.Output=json", NULL});
    mt_type odd = mt_type_intern("a\"b\\c\n\x01", 7);
    mt_func f = mt_func_intern("f\tg", 3, "dir/x\".fk", 1);
    mt_call(f, 0);
    mt_alloc(blk(0), 1, odd, f, 2);
    mt_return();
    char *r = vm_finish();
    assert_non_null(strstr(r, "{\"file\": \"dir/x\\\".fk\", \"line\": 2, "
                              "\"function\": \"f\\tg\", "
                              "\"type\": \"a\\\"b\\\\c\\n\\u0001\""));
    free(r);
}

static void test_json_identical(void **state) {
    (void)state;
    static const char *const words[] = {
        "--memtracer.Output=json", "--memtracer.TraceStackTraces=true",
        "--memtracer.OutputFile=memtracer-identical.json", NULL};
    char *runs[2];
    for (int i = 0; i < 2; i++) {
        vm_start(words);
        vm_scenario();
        /* More sites than a hash bucket array's first size, in an order
         * different from the report's. */
        mt_call(F_BUILD, 3);
        for (int j = 0; j < 100; j++)
            mt_alloc(blk(100 + j), (size_t)(j % 7) * 8, T_STRING, F_BUILD,
                     200 - j);
        mt_return();
        runs[i] = vm_finish();
    }
    assert_string_equal(runs[0], runs[1]);
    free(runs[0]);
    free(runs[1]);
}

static void test_histogram(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=histogram", NULL);
    assert_string_equal(r,
        HEADER
        " Self Count || Total Count || Location  || Name\n"
        " 1          || 5           || prog.fk   || <script>\n"
        " 4          || 4           || prog.fk:3 || make\n");
    free(r);
}

/* A recursive function's allocation counts once in its total. */
static void test_histogram_recursion(void **state) {
    (void)state;
    vm_start((const char *[]){"--memtracer.Output=histogram", NULL});
    mt_call(F_SCRIPT, 0);
    mt_call(F_MAKE, 2);
    mt_call(F_BUILD, 5);
    mt_call(F_MAKE, 21);
    mt_alloc(blk(0), 8, T_STRING, F_MAKE, 4);
    mt_return();
    mt_alloc(blk(1), 8, T_STRING, F_BUILD, 22);
    mt_return();
    mt_return();
    mt_return();
    char *r = vm_finish();
    assert_string_equal(r,
        "Memory Tracer. Recorded 2 allocations, 16 B; peak 16 B live; 2 live "
        "at exit (16 B).\n"
        " Self Count || Total Count || Location  || Name\n"
        " 1          || 2           || lib.fk:20 || build\n"
        " 1          || 2           || prog.fk:3 || make\n"
        " 0          || 2           || prog.fk   || <script>\n");
    free(r);
}

static void test_typehistogram(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=typehistogram", NULL);
    assert_string_equal(r,
        HEADER
        " Type  || Count || Size\n"
        " Point || 4     || 428 B\n"
        " Array || 1     || 64 B\n");
    free(r);
}

static void test_calltree(void **state) {
    (void)state;
    char *r = scenario_report("--memtracer.Output=calltree", NULL);
    assert_string_equal(r,
        HEADER
        "<root> (prog.fk) total=5 self=0\n"
        "  <script> (prog.fk) total=5 self=1\n"
        "    make (prog.fk:3) total=3 self=3 from line 10\n"
        "    make (prog.fk:3) total=1 self=1 from line 11\n");
    free(r);
}

static void test_human_sizes(void **state) {
    (void)state;
    static const size_t sizes[] = {3250000, 1048064, 409600, 10189, 1024, 1023};
    vm_start(NULL);
    for (int i = 0; i < 6; i++) mt_alloc(blk(i), sizes[i], T_STRING, 0, i + 1);
    char *r = vm_finish();
    assert_string_equal(r,
        "Memory Tracer. Recorded 6 allocations, 4.5 MiB; peak 4.5 MiB live; "
        "6 live at exit (4.5 MiB).\n"
        " Source Location || Count || Size    || Type\n"
        " prog.fk:1       || 1     || 3.1 MiB || String\n"
        " prog.fk:2       || 1     || 1.0 MiB || String\n"
        " prog.fk:3       || 1     || 400 KiB || String\n"
        " prog.fk:4       || 1     || 10 KiB  || String\n"
        " prog.fk:5       || 1     || 1.0 KiB || String\n"
        " prog.fk:6       || 1     || 1023 B  || String\n");
    free(r);
}

/* Until the tracer finishes, OutputFile is not there: only its
 * temporary file is, which the rename replaces. */
static void test_output_file_atomic(void **state) {
    (void)state;
    vm_start(NULL);
    assert_int_equal(access(vm_report_path(), F_OK), -1);
    mt_alloc(blk(0), 8, T_STRING, 0, 1);
    char *r = vm_finish();
    assert_non_null(strstr(r, "Recorded 1 allocation, 8 B;"));
    free(r);
}

static void test_unwritable_output_file(void **state) {
    (void)state;
    mt_options o;
    mt_options_init(&o);
    assert_int_equal(mt_options_parse(&o, "--memtracer.OutputFile=/nonexistent"
                                      "-dir/r.json"),
                     MT_ARG_OK);
    assert_int_equal(mt_start(&o, "fake", "p"), 74);
    assert_string_equal(mt_error(),
                        "cannot write report '/nonexistent-dir/r.json': "
                        "No such file or directory");
    assert_false(mt_active);
    assert_int_equal(mt_options_parse(&o, "--memtracer.OutputFile=/tmp"),
                     MT_ARG_OK);
    assert_int_equal(mt_start(&o, "fake", "p"), 74);
    assert_string_equal(mt_error(),
                        "cannot write report '/tmp': Is a directory");
    mt_options_free(&o);
    assert_int_equal(mt_finish(), 0);
}

/* No OutputFile: the report goes to stderr, the program's stdout stays
 * clean. */
static void test_stderr(void **state) {
    (void)state;
    char name[] = "/tmp/memtracer-stderr-XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    mt_options o;
    mt_options_init(&o);
    assert_int_equal(mt_options_parse(&o, "--memtracer"), MT_ARG_OK);
    assert_int_equal(mt_start(&o, "fake", "p.fk"), 0);
    mt_alloc(blk(0), 8, mt_type_intern("T", 1), 0, 1);
    assert_int_equal(mt_finish(), 0);
    dup2(saved, 2);
    close(saved);
    mt_options_free(&o);
    char text[512] = {0};
    assert_true(pread(fd, text, sizeof text - 1, 0) > 0);
    close(fd);
    unlink(name);
    assert_string_equal(text,
        "Memory Tracer. Recorded 1 allocation, 8 B; peak 8 B live; 1 live at "
        "exit (8 B).\n"
        " Source Location || Count || Size || Type\n"
        " p.fk:1          || 1     || 8 B  || T\n");
}

/* SIGTERM writes the report, then the process dies of the signal. */
static void test_sigterm(void **state) {
    (void)state;
    char path[] = "/tmp/memtracer-signal-XXXXXX";
    assert_non_null(mkdtemp(path));
    char file[64], word[96];
    snprintf(file, sizeof file, "%s/r.json", path);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", file);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mt_options o;
        mt_options_init(&o);
        mt_options_parse(&o, "--memtracer.Output=json");
        mt_options_parse(&o, word);
        if (mt_start(&o, "fake", "p.fk") != 0) _exit(3);
        mt_alloc(blk(0), 8, mt_type_intern("T", 1), 0, 1);
        kill(getpid(), SIGTERM);
        _exit(4);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    char text[4096] = {0};
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    unlink(file);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(figure(text, "allocations"), 1);
    assert_non_null(strstr(text, "\n  ]\n}\n"));
}

/* SIGTERM from a timer while the program is busy in tracer events: the
 * signal usually lands inside one, where the handler must defer the report
 * to the end of the event.  The report is whole and consistent. */
static void test_sigterm_during_events(void **state) {
    (void)state;
    char path[] = "/tmp/memtracer-signal-XXXXXX";
    assert_non_null(mkdtemp(path));
    char file[64], word[96];
    snprintf(file, sizeof file, "%s/r.json", path);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", file);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mt_options o;
        mt_options_init(&o);
        mt_options_parse(&o, "--memtracer.Output=json");
        mt_options_parse(&o, word);
        if (mt_start(&o, "fake", "p.fk") != 0) _exit(3);
        mt_type t = mt_type_intern("T", 1);
        mt_func f = mt_func_intern("f", 1, "p.fk", 1);
        timer_t timer;
        struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL,
                              .sigev_signo = SIGTERM};
        struct itimerspec when = {.it_value = {.tv_nsec = 50 * 1000 * 1000}};
        if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0 ||
            timer_settime(timer, 0, &when, NULL) != 0)
            _exit(5);
        for (unsigned i = 0;; i++) {
            mt_call(f, (int)(i % 3));
            mt_alloc(blk((int)(i % 512)), 8, t, f, 2);
            mt_free(blk((int)((i + 256) % 512)), 8);
            mt_return();
        }
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    static char text[1 << 16];
    memset(text, 0, sizeof text);
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    unlink(file);
    assert_int_equal(rmdir(path), 0);
    assert_true(figure(text, "allocations") > 0);
    check_invariants(text);
    assert_non_null(strstr(text, "\n  ]\n}\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_stacks),
        cmocka_unit_test(test_table_filtered_header),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_identical),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_histogram_recursion),
        cmocka_unit_test(test_typehistogram),
        cmocka_unit_test(test_calltree),
        cmocka_unit_test(test_human_sizes),
        cmocka_unit_test(test_output_file_atomic),
        cmocka_unit_test(test_unwritable_output_file),
        cmocka_unit_test(test_stderr),
        cmocka_unit_test(test_sigterm),
        cmocka_unit_test(test_sigterm_during_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
