/*
 * test_stacks.c -- call paths with TraceStackTraces: exact frames,
 * innermost first, distinct paths per site, StackLimit cuts and their
 * count, recursion, and the walk-the-stack interface (mt_path_*).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"
#define STACKS "--memtracer.TraceStackTraces=true"

/* script -> build (line 7) -> make (line 25) -> allocation on line 4. */
static void three_deep(void) {
    mt_call(F_SCRIPT, 0);
    mt_call(F_BUILD, 7);
    mt_call(F_MAKE, 25);
    mt_alloc(blk(0), 48, T_POINT, F_MAKE, 4);
    mt_return();
    mt_return();
    mt_return();
}

static void test_three_deep(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, STACKS, NULL});
    three_deep();
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "\"stacks\": [\n"
        "      {\"count\": 1, \"bytes\": 48, \"truncated_frames\": 0, "
        "\"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"build\", \"file\": \"lib.fk\", \"line\": 25},\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", \"line\": 7}]}]}"));
    free(r);
}

static void test_stack_limit(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, STACKS, "--memtracer.StackLimit=2", NULL});
    three_deep();
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "{\"count\": 1, \"bytes\": 48, \"truncated_frames\": 1, \"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"build\", \"file\": \"lib.fk\", \"line\": 25}]}"));
    free(r);
}

static void test_stack_limit_table(void **state) {
    (void)state;
    vm_start((const char *[]){STACKS, "--memtracer.StackLimit=1", NULL});
    three_deep();
    char *r = vm_finish();
    assert_non_null(strstr(r,
        " prog.fk:4       || 1     || 48 B || Point\n"
        "    at make (prog.fk:4)\n"
        "    ... 2 more frames (StackLimit)\n"));
    free(r);
}

/* Without TraceStackTraces there are no stacks at all. */
static void test_no_stacks(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    three_deep();
    char *r = vm_finish();
    assert_null(strstr(r, "\"stacks\""));
    free(r);
}

/* make called from build's line 25 again and again: the second time
 * reuses the first time's path, unless build itself was called from
 * elsewhere.  Three rounds, build from line 7, 7, then 9, each allocating
 * before it calls make (so build's own path is known by then): two paths
 * for make's Points. */
static void test_repeated_call(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, STACKS, NULL});
    static const int build_lines[] = {7, 7, 9};
    mt_call(F_SCRIPT, 0);
    for (int i = 0; i < 3; i++) {
        mt_call(F_BUILD, build_lines[i]);
        mt_alloc(blk(10 + i), 16, T_ARRAY, F_BUILD, 24);
        mt_call(F_MAKE, 25);
        mt_alloc(blk(i), 48, T_POINT, F_MAKE, 4);
        mt_return();
        mt_return();
    }
    mt_return();
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "{\"count\": 2, \"bytes\": 96, \"truncated_frames\": 0, "
        "\"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"build\", \"file\": \"lib.fk\", \"line\": 25},\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", \"line\": 7}]}"));
    assert_non_null(strstr(r,
        "{\"count\": 1, \"bytes\": 48, \"truncated_frames\": 0, "
        "\"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"build\", \"file\": \"lib.fk\", \"line\": 25},\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", \"line\": 9}]}"));
    free(r);
}

/* Recursion: each depth is its own path; the most allocating first. */
static void test_recursion_paths(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, STACKS, NULL});
    mt_call(F_SCRIPT, 0);
    mt_call(F_MAKE, 2);
    mt_alloc(blk(0), 8, T_STRING, F_MAKE, 4);
    mt_call(F_MAKE, 5);
    mt_alloc(blk(1), 8, T_STRING, F_MAKE, 4);
    mt_alloc(blk(2), 8, T_STRING, F_MAKE, 4);
    mt_return();
    mt_return();
    mt_return();
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "\"count\": 3, \"bytes\": 24, \"resizes\": 0, \"live_count\": 3, "
        "\"live_bytes\": 24, \"stacks\": [\n"
        "      {\"count\": 2, \"bytes\": 16, \"truncated_frames\": 0, \"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 5},\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", \"line\": 2}]},\n"
        "      {\"count\": 1, \"bytes\": 8, \"truncated_frames\": 0, \"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", \"line\": 2}]}]}"));
    free(r);
}

/* A front end that walks its stack at each allocation builds the same
 * paths through mt_path_*, and gets the same report. */
static void test_path_interface(void **state) {
    (void)state;
    static const char *const words[] = {
        JSON, STACKS, "--memtracer.OutputFile=memtracer-paths.json", NULL};
    vm_start(words);
    three_deep();
    char *by_calls = vm_finish();

    vm_start(words);
    mt_node *n = mt_path_root();
    n = mt_path_child(n, F_SCRIPT, 0);
    n = mt_path_child(n, F_BUILD, 7);
    n = mt_path_child(n, F_MAKE, 25);
    mt_path_set(n);
    mt_alloc(blk(0), 48, T_POINT, F_MAKE, 4);
    mt_path_set(NULL);
    char *by_walk = vm_finish();
    assert_string_equal(by_walk, by_calls);
    free(by_calls);
    free(by_walk);
}

/* Deeper than the shadow stack's first allocation, and back. */
/* A path is interned only when something allocates on it: five thousand
 * distinct calls that allocate nothing take no memory (interning each would
 * need a child table per path, far more than the 100 blocks the tracer
 * is allowed here) and leave no trace in the call tree. */
static void test_calls_without_allocations(void **state) {
    (void)state;
    setenv("MEMTRACER_FAIL_ALLOC_AFTER", "100", 1);
    vm_start((const char *[]){"--memtracer.Output=calltree", NULL});
    mt_call(F_SCRIPT, 0);
    for (int i = 1; i <= 5000; i++) {
        mt_call(F_MAKE, i);
        mt_call(F_BUILD, 2);
        mt_return();
        mt_return();
    }
    mt_alloc(blk(0), 8, T_STRING, F_SCRIPT, 3);
    mt_return();
    char *r = vm_finish();
    unsetenv("MEMTRACER_FAIL_ALLOC_AFTER");
    assert_null(strstr(r, "Degraded"));
    const char *tree = strstr(r, "<root> ");
    assert_non_null(tree);
    assert_string_equal(tree, "<root> (prog.fk) total=1 self=0\n"
                              "  <script> (prog.fk) total=1 self=1\n");
    free(r);
}

static void test_deep_recursion(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, STACKS, "--memtracer.StackLimit=3", NULL});
    mt_call(F_SCRIPT, 0);
    for (int i = 0; i < 1000; i++) mt_call(F_MAKE, 6);
    mt_alloc(blk(0), 8, T_STRING, F_MAKE, 4);
    for (int i = 0; i < 1000; i++) mt_return();
    mt_alloc(blk(1), 8, T_STRING, F_SCRIPT, 1);
    mt_return();
    char *r = vm_finish();
    assert_non_null(strstr(r, "\"truncated_frames\": 998, \"frames\": [\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 4},\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 6},\n"
        "        {\"function\": \"make\", \"file\": \"prog.fk\", \"line\": 6}]}"));
    assert_non_null(strstr(r, "\"line\": 1, \"function\": \"<script>\""));
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_deep),
        cmocka_unit_test(test_stack_limit),
        cmocka_unit_test(test_stack_limit_table),
        cmocka_unit_test(test_no_stacks),
        cmocka_unit_test(test_repeated_call),
        cmocka_unit_test(test_recursion_paths),
        cmocka_unit_test(test_path_interface),
        cmocka_unit_test(test_calls_without_allocations),
        cmocka_unit_test(test_deep_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
