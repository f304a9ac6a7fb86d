/*
 * test_filters.c -- what the options keep out of the report's rows:
 * TraceMem (small blocks), FilterFile and FilterRootName (by the
 * allocating function's file and name), and the VM's own memory unless
 * TraceInternal.  A filtered block is still the program's memory: it
 * counts in the summary, the live bytes and the peak, and the summary
 * says how much was filtered; the VM's own memory counts nowhere but in
 * its own line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

static void *kept[64];
static size_t kept_count;

static void *keep(void *block) { return kept[kept_count++] = block; }

static char *finish(void) {
    char *text = vm_finish();
    while (kept_count > 0) free(kept[--kept_count]);
    return text;
}

static json_t *finish_json(void) {
    json_t *r = vm_finish_json();
    while (kept_count > 0) free(kept[--kept_count]);
    return r;
}

/* TraceMem=100:
 *   make:11 two Points of 50 B      below: filtered objects
 *   main:2  an Array of 150 B       listed
 *   make:12 Point fields of 100 B   listed (not below 100)
 *   main:3  String chars of 99 B    below: filtered storage
 *   one Point freed
 * Everything was live at once before the free: the peak, 449 B. */
static void trace_mem_program(void) {
    void *point = vm_new(50, T_POINT, F_MAKE, 11);
    keep(vm_new(50, T_POINT, F_MAKE, 11));
    keep(vm_new(150, T_ARRAY, F_MAIN, 2));
    keep(vm_new(100, T_FIELDS, F_MAKE, 12));
    keep(vm_new(99, T_CHARS, F_MAIN, 3));
    vm_delete(point, 50);
}

static void test_trace_mem(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.TraceMem=100"));
    trace_mem_program();
    json_t *r = finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 3, .blocks = 5,
        .bytes = 449,                /* 50 + 50 + 150 + 100 + 99 */
        .frees = 1, .freed_blocks = 1, .freed_bytes = 50,
        .peak_bytes = 449, .peak_at_allocation = 3,
        .filtered_allocations = 2,   /* the Points */
        .filtered_blocks = 3,        /* and the chars */
        .filtered_bytes = 199,
    });
    assert_int_equal(jlen(r, "sites"), 2);
    jexpect_site(r, 0, (vm_site){"prog.fk", 2, "main", "Array", .count = 1,
                                 .blocks = 1, .bytes = 150, .live_count = 1,
                                 .live_blocks = 1, .live_bytes = 150,
                                 .peak_count = 1, .peak_bytes = 150});
    jexpect_site(r, 1, (vm_site){"prog.fk", 12, "make", "Point fields",
                                 "storage", .blocks = 1, .bytes = 100,
                                 .live_blocks = 1, .live_bytes = 100,
                                 .peak_bytes = 100});
    json_decref(r);
}

/* The table says what it leaves out, right under the header line. */
static void test_trace_mem_table(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.TraceMem=100"));
    trace_mem_program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 3 allocations, 449 B; peak 449 B live; "
        "2 live at exit (399 B).\n"
        "Filtered out: 3 blocks, 199 B (counted above, not listed below).\n"
        "In 5 blocks of 89.8 B on average; 4 live at exit.\n"
        " Source Location || Count || Size  || Type         || Function "
        "|| Average || Live || Live Size\n"
        " prog.fk:2       || 1     || 150 B || Array        || main     "
        "|| 150 B   || 1    || 150 B\n"
        " prog.fk:12      || 1     || 100 B || Point fields || make     "
        "|| 100 B   || 1    || 100 B\n");
    free(text);
}

/* A block grown across TraceMem moves between the filtered figures and
 * its row: chars of 99 B (filtered), grown to 120 B (listed), shrunk to
 * 80 B (filtered).  Live: 99, 120 (the peak, all of it the row's), 80. */
static void test_trace_mem_resize_across(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.TraceMem=100"));
    void *s = vm_new(99, T_CHARS, F_MAIN, 3);
    s = vm_resize(s, 99, 120, T_CHARS, F_MAIN, 3);
    keep(vm_resize(s, 120, 80, T_CHARS, F_MAIN, 3));
    json_t *r = finish_json();
    jexpect_summary(r, (vm_summary){
        .blocks = 3, .bytes = 299, .freed_blocks = 2, .freed_bytes = 219,
        .resizes = 2, .peak_bytes = 120,
        .filtered_blocks = 2, .filtered_bytes = 179,
    });
    jexpect_site(r, 0, (vm_site){"prog.fk", 3, "main", "String chars",
                                 "storage", .blocks = 1, .bytes = 120,
                                 .peak_bytes = 120});
    json_decref(r);
}

/* main and make in prog.fk, build in lib.fk (test_reports.c's program):
 *   main:2   Array 64          make:11  4 Points of 32 B
 *   make:12  4 Point fields of 48 B
 *   build:22 String chars of 1500 B
 * 1884 B, all live at the end: the peak. */
static void make(int line) {
    vm_call(F_MAKE, line);
    keep(vm_new(32, T_POINT, F_MAKE, 11));
    keep(vm_new(48, T_FIELDS, F_MAKE, 12));
    vm_return();
}

static void program(void) {
    vm_call(F_MAIN, 0);
    keep(vm_new(64, T_ARRAY, F_MAIN, 2));
    make(5);
    make(5);
    make(6);
    vm_call(F_BUILD, 7);
    keep(vm_new(1500, T_CHARS, F_BUILD, 22));
    make(21);
    vm_return();
    vm_return();
}

/* Runs program() under words; the number of sites listed, and checks the
 * filtered figures. */
static size_t filtered(const char *const *words, uint64_t objects,
                       uint64_t blocks, uint64_t bytes) {
    vm_start(words);
    program();
    json_t *r = finish_json();
    jexpect(r, "summary.allocations", 5);
    jexpect(r, "summary.bytes", 1884);
    jexpect(r, "summary.peak_bytes", 1884);
    jexpect(r, "summary.filtered_allocations", objects);
    jexpect(r, "summary.filtered_blocks", blocks);
    jexpect(r, "summary.filtered_bytes", bytes);
    size_t sites = jlen(r, "sites");
    json_decref(r);
    return sites;
}

static void test_filter_file(void **state) {
    (void)state;
    /* Only lib.fk's chars are listed. */
    assert_int_equal(filtered(VM_WORDS(JSON, "--memtracer.FilterFile=lib.fk"),
                              5, 9, 384), 1);
    /* A glob that matches both files lists everything. */
    assert_int_equal(filtered(VM_WORDS(JSON, "--memtracer.FilterFile=*.fk"),
                              0, 0, 0), 4);
    /* Any glob of the list: prog.fk's three sites. */
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterFile=nothing,prog.*"), 0,
                 1, 1500), 3);
    /* A glob matches the whole name. */
    assert_int_equal(filtered(VM_WORDS(JSON, "--memtracer.FilterFile=lib"),
                              5, 10, 1884), 0);
}

static void test_filter_root_name(void **state) {
    (void)state;
    /* make's Points and fields: the Array and the chars are filtered. */
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterRootName=make*"), 1, 2,
                 1564), 2);
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterRootName=build,main"), 4,
                 8, 320), 2);
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterRootName=mai?"), 4, 9,
                 1820), 1);
}

/* Both filters: a block is listed when its function passes both.  build
 * is in lib.fk, not in prog.fk: nothing is listed. */
static void test_filters_combined(void **state) {
    (void)state;
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterFile=prog.fk",
                          "--memtracer.FilterRootName=b*"), 5, 10, 1884), 0);
    assert_int_equal(
        filtered(VM_WORDS(JSON, "--memtracer.FilterFile=prog.fk",
                          "--memtracer.FilterRootName=make"), 1, 2, 1564), 2);
}

/* A block at <root> is in the program's file, and its function is
 * named <root>. */
static void test_filter_root_function(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.FilterFile=prog.fk",
                      "--memtracer.FilterRootName=<root>"));
    keep(vm_new(10, T_ARRAY, F_ROOT, 1));
    keep(vm_new(20, T_ARRAY, F_MAIN, 2));
    json_t *r = finish_json();
    jexpect(r, "summary.filtered_bytes", 20);
    jexpect_str(r, "sites.0.function", "<root>");
    json_decref(r);
}

/* The histogram and the call tree count call paths of listed blocks
 * only: with make's blocks listed, build's total is make's Point and
 * fields under it (80 B), main's all four makes'; make leads main on
 * its self size. */
static void test_filtered_out_of_histogram(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=histogram",
                      "--memtracer.FilterRootName=make"));
    program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 5 allocations, 1.8 KiB; peak 1.8 KiB live; "
        "5 live at exit (1.8 KiB).\n"
        "Filtered out: 2 blocks, 1.5 KiB (counted above, not listed below).\n"
        " Self Count || Self Size || Total Count || Total Size || Location   "
        "|| Name\n"
        " 4          || 320 B     || 4           || 320 B      || prog.fk:10 "
        "|| make\n"
        " 0          || 0 B       || 4           || 320 B      || prog.fk:1  "
        "|| main\n"
        " 0          || 0 B       || 1           || 80 B       || lib.fk:20  "
        "|| build\n");
    free(text);
}

/* The VM's own memory: two blocks of 16 B at main:0 (one freed), then a
 * Point of 32 B.  Hidden, it is in no figure and the table says how much
 * it was; with TraceInternal it is a storage row like any other, and in
 * the peak: 16, 32, 16, 48. */
static void internal_program(void) {
    void *own = vm_new(16, MT_TYPE_INTERNAL, F_MAIN, 0);
    keep(vm_new(16, MT_TYPE_INTERNAL, F_MAIN, 0));
    vm_delete(own, 16);
    keep(vm_new(32, T_POINT, F_MAKE, 11));
}

static void test_internal_hidden(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    internal_program();
    json_t *r = finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 1, .bytes = 32,
        .peak_bytes = 32, .peak_at_allocation = 1,
        .hidden_internal_blocks = 2, .hidden_internal_bytes = 32,
    });
    assert_int_equal(jlen(r, "sites"), 1);
    json_decref(r);
    vm_start(VM_WORDS("--memtracer.Output=table"));
    internal_program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 1 allocation, 32 B; peak 32 B live; "
        "1 live at exit (32 B).\n"
        "Hidden: 32 B in 2 blocks of the VM's own (not counted; "
        "--memtracer.TraceInternal=true shows them).\n"
        "In 1 block of 32.0 B on average; 1 live at exit.\n"
        " Source Location || Count || Size || Type  || Function || Average "
        "|| Live || Live Size\n"
        " prog.fk:11      || 1     || 32 B || Point || make     || 32 B    "
        "|| 1    || 32 B\n");
    free(text);
}

static void test_internal_traced(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.TraceInternal=true"));
    internal_program();
    json_t *r = finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 3, .bytes = 64,
        .freed_blocks = 1, .freed_bytes = 16,
        .peak_bytes = 48, .peak_at_allocation = 1,
    });
    /* 32 B each: the two blocks first. */
    jexpect_site(r, 0, (vm_site){"prog.fk", 0, "main", "<internal>",
                                 "storage", .blocks = 2, .bytes = 32,
                                 .live_blocks = 1, .live_bytes = 16,
                                 .peak_bytes = 16});
    jexpect_site(r, 1, (vm_site){"prog.fk", 11, "make", "Point", .count = 1,
                                 .blocks = 1, .bytes = 32, .live_count = 1,
                                 .live_blocks = 1, .live_bytes = 32,
                                 .peak_count = 1, .peak_bytes = 32});
    json_decref(r);
}

/* The fast door's sites answer for filtered and hidden blocks too. */
static void test_fast_door_filtered(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.FilterFile=lib.fk"));
    vm_block in_prog = vm_new_at(mt_site_at(F_MAIN, 2, T_ARRAY), 64);
    vm_block in_lib = vm_new_at(mt_site_at(F_BUILD, 22, T_CHARS), 100);
    vm_block own = vm_new_at(mt_site_at(F_BUILD, 0, MT_TYPE_INTERNAL), 8);
    vm_delete_at(&in_prog);
    json_t *r = finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 2, .bytes = 164,
        .frees = 1, .freed_blocks = 1, .freed_bytes = 64,
        .peak_bytes = 164, .peak_at_allocation = 1,
        .filtered_allocations = 1, .filtered_blocks = 1,
        .filtered_bytes = 64,
        .hidden_internal_blocks = 1, .hidden_internal_bytes = 8,
    });
    jexpect_site(r, 0, (vm_site){"lib.fk", 22, "build", "String chars",
                                 "storage", .blocks = 1, .bytes = 100,
                                 .live_blocks = 1, .live_bytes = 100,
                                 .peak_bytes = 100});
    json_decref(r);
    free(in_lib.mem);
    free(own.mem);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_mem),
        cmocka_unit_test(test_trace_mem_table),
        cmocka_unit_test(test_trace_mem_resize_across),
        cmocka_unit_test(test_filter_file),
        cmocka_unit_test(test_filter_root_name),
        cmocka_unit_test(test_filters_combined),
        cmocka_unit_test(test_filter_root_function),
        cmocka_unit_test(test_filtered_out_of_histogram),
        cmocka_unit_test(test_internal_hidden),
        cmocka_unit_test(test_internal_traced),
        cmocka_unit_test(test_fast_door_filtered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
