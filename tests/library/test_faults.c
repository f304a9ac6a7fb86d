/*
 * test_faults.c -- the tracer out of memory (MEMTRACER_FAIL_ALLOC_AFTER=N:
 * after N more of its own allocations, every one fails): the program goes
 * on, the report is written, says it is degraded and how many events were
 * lost, and what it does report is consistent: whole blocks counted or
 * dropped, never half of one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

static void fail_after(long n) {
    char value[32];
    snprintf(value, sizeof value, "%ld", n);
    assert_int_equal(setenv("MEMTRACER_FAIL_ALLOC_AFTER", value, 1), 0);
}

static int teardown(void **state) {
    (void)state;
    unsetenv("MEMTRACER_FAIL_ALLOC_AFTER");
    return 0;
}

/* No memory at all once started (names were interned before):
 *   main:2   an Array of 64 B, in prog.fk: FilterFile=lib.fk keeps it
 *            out of the rows; filtered blocks need no memory: counted
 *   build:22 three String chars of 100 B: their row needs memory: each
 *            block lost, tagged MT_TAG_UNTRACED; one of them freed
 *   16 B of the VM's own: hidden, which needs no memory either
 *   the Array freed */
static void no_memory_program(void) {
    mt_site arrays = mt_site_at(F_MAIN, 2, T_ARRAY);
    mt_site chars = mt_site_at(F_BUILD, 22, T_CHARS);
    mt_site own = mt_site_at(F_MAIN, 0, MT_TYPE_INTERNAL);
    vm_block a = vm_new_at(arrays, 64);
    vm_block c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = vm_new_at(chars, 100);
        assert_int_equal(c[i].tag, MT_TAG_UNTRACED);
    }
    vm_delete_at(&c[0]);
    vm_block mine = vm_new_at(own, 16);
    vm_delete_at(&a);
    free(c[1].mem);
    free(c[2].mem);
    free(mine.mem);
}

static void test_no_memory_fast_door(void **state) {
    (void)state;
    fail_after(0);
    vm_start(VM_WORDS(JSON, "--memtracer.FilterFile=lib.fk"));
    no_memory_program();
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 1, .bytes = 64,
        .frees = 1, .freed_blocks = 1, .freed_bytes = 64,
        .peak_bytes = 64, .peak_at_allocation = 1,
        .filtered_allocations = 1, .filtered_blocks = 1,
        .filtered_bytes = 64,
        .hidden_internal_blocks = 1, .hidden_internal_bytes = 16,
        .lost_events = 3,            /* the three chars */
    });
    assert_true(json_is_true(jget(r, "summary.degraded")));
    assert_int_equal(jlen(r, "sites"), 0);
    json_decref(r);
}

/* The table says so, under its header line. */
static void test_no_memory_table(void **state) {
    (void)state;
    fail_after(0);
    vm_start(VM_WORDS("--memtracer.FilterFile=lib.fk"));
    no_memory_program();
    char *text = vm_finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 1 allocation, 64 B; peak 64 B live; "
        "0 live at exit (0 B).\n"
        "Filtered out: 1 block, 64 B (counted above, not listed below).\n"
        "Hidden: 16 B in 1 block of the VM's own (not counted; "
        "--memtracer.TraceInternal=true shows them).\n"
        "Degraded: the tracer ran out of memory and lost 3 events; the "
        "figures are incomplete.\n"
        "In 1 block of 64.0 B on average; 0 live at exit.\n"
        " Source Location || Count || Size || Type || Function || Average "
        "|| Live || Live Size\n");
    free(text);
}

/* The simple door needs memory for every block it keeps by address:
 * with none, both blocks are lost, and their releases are of blocks the
 * tracer never counted. */
static void test_no_memory_simple_door(void **state) {
    (void)state;
    fail_after(0);
    vm_start(VM_WORDS(JSON));
    void *a = vm_new(64, T_ARRAY, F_MAIN, 2);
    void *p = vm_new(32, T_POINT, F_MAKE, 11);
    vm_delete(a, 64);
    vm_delete(p, 32);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){.untracked_frees = 2, .lost_events = 2});
    json_decref(r);
}

/* A program that uses every table: both doors, stack traces, a
 * recursion 300 deep (deeper than the first shadow stack), many sites
 * and live blocks. */
static void rec(int depth, mt_func f) {
    vm_call(f, depth == 0 ? 3 : 41);
    if (depth < 299) rec(depth + 1, f);
    else vm_delete(vm_new(24, T_ARRAY, f, 42), 24);
    vm_return();
}

static void workload(void) {
    static void *blocks[600];
    static vm_block tagged[600];
    mt_func r = vm_func("r", 40);
    vm_call(F_MAIN, 0);
    for (int i = 0; i < 600; i++) {
        mt_func f = i % 2 ? F_MAKE : F_BUILD;
        vm_call(f, 5 + i % 7);
        blocks[i] = vm_new((size_t)(i % 13) + 1, i % 3 ? T_POINT : T_CHARS,
                           f, 11 + i % 17);
        tagged[i] = vm_new_at(mt_site_at(f, 30 + i % 5, T_ARRAY),
                              (size_t)(i % 5) * 8 + 8);
        if (i % 4 == 0) {
            vm_delete(blocks[i / 2], 0);
            blocks[i / 2] = NULL;
            vm_delete_at(&tagged[i / 3]);
        }
        vm_return();
    }
    rec(0, r);
    vm_return();
    for (int i = 0; i < 600; i++) {
        free(blocks[i]);
        blocks[i] = NULL;
        free(tagged[i].mem);
        tagged[i].mem = NULL;
    }
}

static char *run(long n, const char *format) {
    if (n >= 0) fail_after(n);
    else unsetenv("MEMTRACER_FAIL_ALLOC_AFTER");
    vm_start(VM_WORDS(format, "--memtracer.TraceStackTraces=true"));
    workload();
    return vm_finish();
}

/* Every failure point in turn, until the tracer has all it needs: each
 * report is whole and consistent (vm_check_consistent: summary = sites,
 * stacks no more than their site), degraded exactly when events were
 * lost, never counting more than the program did; the first run that
 * loses nothing writes the report of a run with no failures at all, byte
 * for byte. */
static void test_every_failure_point(void **state) {
    (void)state;
    char *full_text = run(-1, JSON);
    json_t *full = json_loads(full_text, 0, NULL);
    assert_non_null(full);
    vm_check_consistent(full);
    jexpect(full, "summary.lost_events", 0);
    uint64_t blocks = jnum(full, "summary.blocks");
    uint64_t bytes = jnum(full, "summary.bytes");
    long n = 0;
    for (;; n++) {
        if (n > 2000) fail_msg("still degraded after %ld allocations", n);
        char *text = run(n, JSON);
        json_t *r = json_loads(text, 0, NULL);
        if (r == NULL) fail_msg("N=%ld: not JSON:\n%s", n, text);
        vm_check_consistent(r);
        assert_true(jnum(r, "summary.blocks") <= blocks);
        assert_true(jnum(r, "summary.bytes") <= bytes);
        bool degraded = jnum(r, "summary.lost_events") > 0;
        /* The table is whole too.  (Whether this run is degraded at the
         * same N depends on where malloc put the blocks, which decides
         * how many pages the live table needs.) */
        char *table = run(n, "--memtracer.Output=table");
        assert_int_equal(strncmp(table, "Memory Tracer. Recorded ", 24), 0);
        assert_non_null(strstr(table, "\n Source Location || Count || "));
        assert_int_equal(table[strlen(table) - 1], '\n');
        free(table);
        if (!degraded) {
            assert_string_equal(text, full_text);
            json_decref(r);
            free(text);
            break;
        }
        json_decref(r);
        free(text);
    }
    assert_true(n > 0);
    print_message("lossless from MEMTRACER_FAIL_ALLOC_AFTER=%ld\n", n);
    json_decref(full);
    free(full_text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_no_memory_fast_door, teardown),
        cmocka_unit_test_teardown(test_no_memory_table, teardown),
        cmocka_unit_test_teardown(test_no_memory_simple_door, teardown),
        cmocka_unit_test_teardown(test_every_failure_point, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
