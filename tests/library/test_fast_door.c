/*
 * test_fast_door.c -- blocks known by tag (mt_site_at, mt_alloc_at,
 * mt_resize_at, mt_free_tagged) and their inline counting
 * (<memtracer/inline.h>): what each event counts, that a site is resolved
 * once, and that a VM counting inline gets a report byte for byte the
 * report of one that always calls, whatever the options make the inline
 * functions decline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"
#include "memtracer/inline.h"

#define JSON "--memtracer.Output=json"

/* The scenario of test_simple_door's test_every_event_counted, by tag,
 * and at the end the fields released by a resize to 0 bytes:
 *   main:2  an Array of 64 B
 *   make:11 three Points of 32 B, p0 p1 p2
 *   make:12 Point fields obtained by a resize from nothing, 100 B, then
 *           grown to 200 B
 *   p0 freed; a block tagged MT_TAG_UNTRACED freed (changes nothing)
 *   main:0  16 B of the VM's own, obtained and freed (hidden)
 *   main:3  String chars of 40 B, freed
 *   the fields resized to 0 B: released
 * Live bytes: 64 96 128 160 260, then 160 360 (the resize), 328, 368
 * (the chars: the peak), 328, and 128 at the end.
 *
 * Counted inline, when nothing makes the functions decline: the Array,
 * the Points, both resizes of the fields, p0's and the chars' release,
 * and the chars: 9 events.  The untraced tag and the VM's own site are
 * below MT_FIRST_COUNTED_SITE, and a resize to 0 has no inline function:
 * those go to the calls. */
static vm_block live[3];

static void scenario(void) {
    mt_site arrays = mt_site_at(F_MAIN, 2, T_ARRAY);
    mt_site points = mt_site_at(F_MAKE, 11, T_POINT);
    mt_site fields = mt_site_at(F_MAKE, 12, T_FIELDS);
    mt_site chars = mt_site_at(F_MAIN, 3, T_CHARS);
    mt_site own = mt_site_at(F_MAIN, 0, MT_TYPE_INTERNAL);
    vm_call(F_MAIN, 0);
    vm_block a = vm_new_at(arrays, 64);
    vm_block p[3];
    for (int i = 0; i < 3; i++) {
        vm_call(F_MAKE, 5);
        p[i] = vm_new_at(points, 32);
        vm_return();
    }
    vm_block f = {NULL, 0, MT_TAG_UNTRACED};
    vm_call(F_MAKE, 6);
    vm_resize_at(fields, &f, 100);
    vm_resize_at(fields, &f, 200);
    vm_return();
    vm_delete_at(&p[0]);
    vm_block untraced = {NULL, 8, MT_TAG_UNTRACED};
    vm_delete_at(&untraced);
    vm_block mine = vm_new_at(own, 16);
    vm_delete_at(&mine);
    vm_block c = vm_new_at(chars, 40);
    vm_delete_at(&c);
    vm_resize_at(fields, &f, 0);
    vm_return();
    live[0] = a;
    live[1] = p[1];
    live[2] = p[2];
}

/* The scenario's blocks live at the end, freed once tracing is off. */
static void live_free(void) {
    for (int i = 0; i < 3; i++) vm_delete_at(&live[i]);
}

/* The report of the scenario under words, counting inline or not. */
static char *scenario_report(const char *const *words, bool counted_inline) {
    vm_start(words);
    vm_inline = counted_inline;
    scenario();
    char *report = vm_finish();
    live_free();
    return report;
}

static void test_every_event_counted(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    scenario();
    json_t *r = vm_finish_json();
    live_free();
    jexpect_summary(r, (vm_summary){
        .allocations = 4, .blocks = 7, .bytes = 500,
        .frees = 1,
        .freed_blocks = 4,           /* p0, fields' 100 B, chars, 200 B */
        .freed_bytes = 372,          /* 32 + 100 + 40 + 200 */
        .resizes = 1,                /* 100 -> 200; not from or to 0 */
        .peak_bytes = 368, .peak_at_allocation = 4,
        .hidden_internal_blocks = 1, .hidden_internal_bytes = 16,
        /* a tag of MT_TAG_UNTRACED is no untracked free */
    });
    jexpect(r, "summary.live_bytes", 128);
    jexpect_site(r, 0, (vm_site){"prog.fk", 12, "make", "Point fields",
                                 "storage", .blocks = 2, .bytes = 300,
                                 .peak_bytes = 200});
    jexpect_site(r, 1, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 3, .blocks = 3, .bytes = 96,
                                 .live_count = 2, .live_blocks = 2,
                                 .live_bytes = 64, .peak_count = 2,
                                 .peak_bytes = 64});
    jexpect_site(r, 2, (vm_site){"prog.fk", 2, "main", "Array",
                                 .count = 1, .blocks = 1, .bytes = 64,
                                 .live_count = 1, .live_blocks = 1,
                                 .live_bytes = 64, .peak_count = 1,
                                 .peak_bytes = 64});
    jexpect_site(r, 3, (vm_site){"prog.fk", 3, "main", "String chars",
                                 "storage", .blocks = 1, .bytes = 40,
                                 .peak_bytes = 40});
    assert_int_equal(jlen(r, "sites"), 4);
    json_decref(r);
}

/* A site is a (function, line, type): the same key gives the same site,
 * any other part another; a block's tag names its site.  The simple door
 * counts at the same sites. */
static void test_site_resolved_once(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    mt_site site = mt_site_at(F_MAKE, 11, T_POINT);
    assert_true(site >= MT_FIRST_COUNTED_SITE);
    assert_int_equal(mt_site_at(F_MAKE, 11, T_POINT), site);
    assert_int_not_equal(mt_site_at(F_MAKE, 12, T_POINT), site);
    assert_int_not_equal(mt_site_at(F_MAKE, 11, T_ARRAY), site);
    assert_int_not_equal(mt_site_at(F_MAIN, 11, T_POINT), site);
    vm_block b = vm_new_at(site, 24);
    assert_int_equal(MT_TAG_SITE(b.tag), site);
    void *p = vm_new(8, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    /* One site with both blocks: 24 + 8 B. */
    jexpect_site(r, 0, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 2, .blocks = 2, .bytes = 32,
                                 .live_count = 2, .live_blocks = 2,
                                 .live_bytes = 32, .peak_count = 2,
                                 .peak_bytes = 32});
    assert_int_equal(jlen(r, "sites"), 1);
    json_decref(r);
    free(b.mem);
    free(p);
}

/* Tracing off, a block gets MT_TAG_UNTRACED, and releasing it while
 * tracing counts nothing at all: its tag says the tracer never saw it. */
static void test_untraced_block_released(void **state) {
    (void)state;
    vm_block before = vm_new_at(MT_FIRST_COUNTED_SITE, 50);
    assert_int_equal(before.tag, MT_TAG_UNTRACED);
    vm_start(VM_WORDS(JSON));
    vm_delete_at(&before);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){0});
    json_decref(r);
}

/* A site this run never resolved -- kept from an earlier run, or made
 * up -- is counted nowhere: mt_alloc_at and mt_resize_at give the block
 * MT_TAG_UNTRACED and the figures stay 0 (under AddressSanitizer: no
 * write outside the sites). */
static void test_unknown_site_not_counted(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    static const mt_site made_up[] = {300, 100000, 0xFFFFFF};
    for (size_t i = 0; i < sizeof made_up / sizeof made_up[0]; i++) {
        assert_int_equal(mt_alloc_at(made_up[i], 16), MT_TAG_UNTRACED);
        assert_int_equal(mt_resize_at(made_up[i], MT_TAG_UNTRACED, 0, 16),
                         MT_TAG_UNTRACED);
    }
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){0});
    assert_int_equal(jlen(r, "sites"), 0);
    json_decref(r);
}

/* The inline functions count a block exactly as the calls do, and decline
 * (changing nothing) when the call is needed: the two VMs write the same
 * report, byte for byte, in each format and under each option that makes
 * the inline functions decline. */
static void same_report(const char *const *words, unsigned long inline_events) {
    char *called = scenario_report(words, false);
    assert_int_equal(vm_inline_events, 0);
    char *counted = scenario_report(words, true);
    assert_int_equal(vm_inline_events, inline_events);
    assert_string_equal(counted, called);
    free(called);
    free(counted);
}

/* The scenario's 10 inline events: 9 counted, and the release of the
 * untraced block, which has nothing to count. */
static void test_inline_same_report_json(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON), 10);
}

static void test_inline_same_report_table(void **state) {
    (void)state;
    same_report(VM_WORDS("--memtracer.Output=table"), 10);
}

/* TraceMem=50: the calls count the Points of 32 B and the chars of 40 B
 * as filtered; the inline functions decline every block obtained, large
 * or small, and count the releases: p0's, the chars' and the untraced
 * block's. */
static void test_inline_declines_with_trace_mem(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON, "--memtracer.TraceMem=50"), 3);
    vm_start(VM_WORDS(JSON, "--memtracer.TraceMem=50"));
    vm_inline = true;
    mt_tag tag = MT_TAG_UNTRACED;
    assert_false(mt_alloc_at_inline(mt_site_at(F_MAKE, 11, T_POINT), 50, &tag));
    assert_int_equal(tag, MT_TAG_UNTRACED);  /* unchanged */
    json_t *r = vm_finish_json();
    jexpect(r, "summary.bytes", 0);  /* the declined one was not counted */
    json_decref(r);
}

/* With stack traces a block is counted inline at its call path once the
 * path is interned and its record cached: the first block of each (site,
 * path) declines (the Array, p0, the fields' first block, the chars).
 * Inline: p1 and p2, the fields grown, and the three releases. */
static void test_inline_declines_with_stacks(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON, "--memtracer.TraceStackTraces=true"), 6);
}

/* The histogram and the call tree count a block at its path's node: by
 * the calls only, and the three releases inline. */
static void test_inline_declines_with_node_figures(void **state) {
    (void)state;
    same_report(VM_WORDS("--memtracer.Output=histogram"), 3);
    same_report(VM_WORDS("--memtracer.Output=calltree"), 3);
}

/* A VM that keeps each frame's call path itself: while the current path
 * is not known (0) the inline functions decline, changing nothing; once
 * it is made current, a block at a (site, path) whose record is cached is
 * counted inline at both. */
static void test_inline_path_kept_by_vm(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.TraceStackTraces=true"));
    mt_site points = mt_site_at(F_MAKE, 11, T_POINT);
    mt_path main_path = mt_path_child(mt_path_root(), F_MAIN, 0);
    mt_path make_path = mt_path_child(main_path, F_MAKE, 5);
    mt_tag tag = MT_TAG_UNTRACED;
    mt_path_current_set(0);
    assert_false(mt_alloc_at_inline(points, 32, &tag));
    assert_int_equal(tag, MT_TAG_UNTRACED);
    mt_path_current_set(make_path);
    assert_int_equal(mt_path_current(), make_path);
    assert_false(mt_alloc_at_inline(points, 32, &tag));  /* no record yet */
    mt_alloc_at(points, 32);
    assert_true(mt_alloc_at_inline(points, 32, &tag));
    assert_int_equal(MT_TAG_SITE(tag), points);
    json_t *r = vm_finish_json();
    jexpect(r, "sites.0.blocks", 2);
    assert_int_equal(jlen(r, "sites.0.stacks"), 1);
    jexpect_stack(r, "sites.0.stacks.0", 2, 2, 64, 0,
                  "make prog.fk:11, main prog.fk:5");
    json_decref(r);
}

/* TraceInternal lists the VM's own site: its block, obtained and freed,
 * is counted inline like any other: 10 + 2. */
static void test_inline_internal_traced(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON, "--memtracer.TraceInternal=true"), 12);
}

/* The sites a filter keeps out of the report count their blocks inline
 * too: every site of the scenario is in prog.fk, none in lib.fk. */
static void test_inline_filtered(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON, "--memtracer.FilterFile=lib.fk"), 10);
}

/* Outside a run the inline functions count nothing and touch no site:
 * before the first start, and after a finish for a block counted during
 * the run, which a VM may free once the report is written (lox's VM with
 * hooks frees its heap so, without MT_TRACING()); the calls they leave to
 * do nothing. */
static void inline_idle(mt_tag counted) {
    mt_tag tag = MT_TAG_UNTRACED;
    assert_false(mt_alloc_at_inline(MT_FIRST_COUNTED_SITE, 32, &tag));
    assert_false(mt_resize_at_inline(MT_FIRST_COUNTED_SITE, MT_TAG_UNTRACED,
                                     0, 32, &tag));
    assert_int_equal(tag, MT_TAG_UNTRACED);
    assert_true(mt_free_tagged_inline(MT_TAG_UNTRACED, 32));
    assert_false(mt_free_tagged_inline(counted, 32));
    mt_unused_tagged_inline(counted, 16);  /* touches no site */
    assert_int_equal(mt_alloc_at(MT_FIRST_COUNTED_SITE, 32), MT_TAG_UNTRACED);
    mt_free_tagged(counted, 32);
}

static void test_inline_idle_outside_a_run(void **state) {
    (void)state;
    inline_idle(MT_TAG_MAKE(MT_FIRST_COUNTED_SITE, 0));
    vm_start(VM_WORDS(JSON));
    mt_tag tag = MT_TAG_UNTRACED;
    assert_true(mt_alloc_at_inline(mt_site_at(F_MAKE, 11, T_POINT), 32, &tag));
    json_t *r = vm_finish_json();
    jexpect(r, "summary.live_bytes", 32);
    json_decref(r);
    inline_idle(tag);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_counted),
        cmocka_unit_test(test_site_resolved_once),
        cmocka_unit_test(test_untraced_block_released),
        cmocka_unit_test(test_unknown_site_not_counted),
        cmocka_unit_test(test_inline_same_report_json),
        cmocka_unit_test(test_inline_same_report_table),
        cmocka_unit_test(test_inline_declines_with_trace_mem),
        cmocka_unit_test(test_inline_declines_with_stacks),
        cmocka_unit_test(test_inline_declines_with_node_figures),
        cmocka_unit_test(test_inline_path_kept_by_vm),
        cmocka_unit_test(test_inline_internal_traced),
        cmocka_unit_test(test_inline_filtered),
        cmocka_unit_test(test_inline_idle_outside_a_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
