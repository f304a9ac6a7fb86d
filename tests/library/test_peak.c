/*
 * test_peak.c -- the program's peak of live bytes and each site's share
 * of it: what every site held at the moment the peak was reached, through
 * either door and inline counting, so that the shares sum to
 * summary.peak_bytes however the sites' figures moved afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

typedef enum door { SIMPLE, CALLS, INLINE } door;

/* A block through the chosen door: the simple door's address, or a tag
 * at the site of (func, line, type). */
typedef struct block {
    void *mem;
    vm_block tagged;
} block;

static door door_used;

static block obtain(size_t size, mt_type type, mt_func func, int line) {
    block b = {NULL, {NULL, 0, MT_TAG_UNTRACED}};
    if (door_used == SIMPLE)
        b.mem = vm_new(size, type, func, line);
    else
        b.tagged = vm_new_at(mt_site_at(func, line, type), size);
    return b;
}

static void release(block *b, size_t size) {
    if (door_used == SIMPLE) vm_delete(b->mem, size);
    else vm_delete_at(&b->tagged);
}

static void release_after(block *b) {
    free(b->mem);
    free(b->tagged.mem);
}

/* Five sites:
 *   D main:1   Array 10       the first block, never touched again
 *   A make:11  Point 100 (A1), freed; later Point 200 (A2), freed
 *   B make:12  Point fields 300, freed after the peak
 *   C build:22 String chars 50, 50 and 429
 *   E main:3   Array 20, a site made after the peak
 * Live bytes: D 10, A1 110, B 410, A1 freed 310, C1 360, A2 560 (the
 * peak: D 10, A 200, B 300, C 50), B freed 260, C2 310, A2 freed 110,
 * E 130, C3 559 (just under the peak: the peak stays). */
static void peak_program(void) {
    block d = obtain(10, T_ARRAY, F_MAIN, 1);
    block a1 = obtain(100, T_POINT, F_MAKE, 11);
    block b = obtain(300, T_FIELDS, F_MAKE, 12);
    release(&a1, 100);
    block c1 = obtain(50, T_CHARS, F_BUILD, 22);
    block a2 = obtain(200, T_POINT, F_MAKE, 11);
    release(&b, 300);
    block c2 = obtain(50, T_CHARS, F_BUILD, 22);
    release(&a2, 200);
    block e = obtain(20, T_ARRAY, F_MAIN, 3);
    block c3 = obtain(429, T_CHARS, F_BUILD, 22);
    json_t *r = vm_finish_json();
    release_after(&d);
    release_after(&c1);
    release_after(&c2);
    release_after(&e);
    release_after(&c3);
    jexpect_summary(r, (vm_summary){
        .allocations = 4,            /* D, A1, A2, E */
        .blocks = 8,
        .bytes = 1159,               /* 10+100+300+50+200+50+20+429 */
        .frees = 2, .freed_blocks = 3,
        .freed_bytes = 600,          /* A1, B, A2 */
        .peak_bytes = 560,
        .peak_at_allocation = 3,     /* D, A1 and A2 were made by then */
    });
    jexpect(r, "summary.live_bytes", 559);
    /* Largest first: C 529, A 300 in 2 blocks, B 300 in 1, E, D. */
    jexpect_site(r, 0, (vm_site){"lib.fk", 22, "build", "String chars",
                                 "storage", .blocks = 3, .bytes = 529,
                                 .live_blocks = 3, .live_bytes = 529,
                                 .peak_bytes = 50});
    jexpect_site(r, 1, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 2, .blocks = 2, .bytes = 300,
                                 .peak_count = 1, .peak_bytes = 200});
    jexpect_site(r, 2, (vm_site){"prog.fk", 12, "make", "Point fields",
                                 "storage", .blocks = 1, .bytes = 300,
                                 .peak_bytes = 300});
    jexpect_site(r, 3, (vm_site){"prog.fk", 3, "main", "Array",
                                 .count = 1, .blocks = 1, .bytes = 20,
                                 .live_count = 1, .live_blocks = 1,
                                 .live_bytes = 20});
    jexpect_site(r, 4, (vm_site){"prog.fk", 1, "main", "Array",
                                 .count = 1, .blocks = 1, .bytes = 10,
                                 .live_count = 1, .live_blocks = 1,
                                 .live_bytes = 10, .peak_count = 1,
                                 .peak_bytes = 10});
    json_decref(r);
}

static void test_shares_simple_door(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    door_used = SIMPLE;
    peak_program();
}

static void test_shares_fast_door(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    door_used = CALLS;
    peak_program();
}

static void test_shares_inline(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    door_used = INLINE;
    vm_inline = true;
    peak_program();
}

/* The peak is the first block; everything is freed and smaller blocks
 * come and go: the first site keeps 100 B of peak, the later one 0. */
static void test_peak_at_first_block(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    vm_delete(vm_new(100, T_POINT, F_MAKE, 11), 100);
    for (int i = 0; i < 3; i++) vm_delete(vm_new(60, T_ARRAY, F_MAIN, 2), 60);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.peak_bytes", 100);
    jexpect(r, "summary.peak_at_allocation", 1);
    jexpect_site(r, 0, (vm_site){"prog.fk", 2, "main", "Array",
                                 .count = 3, .blocks = 3, .bytes = 180});
    jexpect_site(r, 1, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 1, .blocks = 1, .bytes = 100,
                                 .peak_count = 1, .peak_bytes = 100});
    json_decref(r);
}

/* The VM's own blocks are in no figure, the peak neither, unless
 * TraceInternal lists them.  16 B of its own, then a Point of 32 B, then
 * its own block freed: 32 B at the peak hidden, 48 B traced. */
static void internal_program(void **blocks) {
    blocks[0] = vm_new(16, MT_TYPE_INTERNAL, F_MAIN, 0);
    blocks[1] = vm_new(32, T_POINT, F_MAKE, 11);
    vm_delete(blocks[0], 16);
}

static void test_internal_out_of_peak(void **state) {
    (void)state;
    void *blocks[2];
    vm_start(VM_WORDS(JSON));
    internal_program(blocks);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.peak_bytes", 32);
    json_decref(r);
    free(blocks[1]);
    vm_start(VM_WORDS(JSON, "--memtracer.TraceInternal=true"));
    internal_program(blocks);
    r = vm_finish_json();
    jexpect(r, "summary.peak_bytes", 48);
    jexpect_site(r, 0, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 1, .blocks = 1, .bytes = 32,
                                 .live_count = 1, .live_blocks = 1,
                                 .live_bytes = 32, .peak_count = 1,
                                 .peak_bytes = 32});
    jexpect_site(r, 1, (vm_site){"prog.fk", 0, "main", "<internal>",
                                 "storage", .blocks = 1, .bytes = 16,
                                 .peak_bytes = 16});
    json_decref(r);
    free(blocks[1]);
}

/* Many peaks at many sites: 40 sites take turns to obtain a block of
 * 8 * (i % 7 + 1) B, and every third block is freed at once.  The test
 * follows the live bytes and their peak as the program goes; whatever
 * happened last at each site, the shares sum to the peak
 * (vm_check_consistent). */
static void test_shares_sum_over_many_peaks(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    vm_inline = true;
    mt_site sites[40];
    for (int s = 0; s < 40; s++) sites[s] = mt_site_at(F_MAKE, 100 + s, T_POINT);
    static vm_block kept[3000];
    size_t kept_count = 0;
    uint64_t live = 0, peak = 0;
    for (int i = 0; i < 3000; i++) {
        vm_block b = vm_new_at(sites[i % 40], (size_t)8 * (i % 7 + 1));
        live += b.size;
        if (live > peak) peak = live;
        if (i % 3 == 2) {
            live -= b.size;
            vm_delete_at(&b);
        } else {
            kept[kept_count++] = b;
        }
    }
    json_t *r = vm_finish_json();
    jexpect(r, "summary.peak_bytes", peak);
    jexpect(r, "summary.live_bytes", live);
    assert_true(peak > live);  /* the last block, freed, set the peak */
    json_decref(r);
    while (kept_count > 0) free(kept[--kept_count].mem);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shares_simple_door),
        cmocka_unit_test(test_shares_fast_door),
        cmocka_unit_test(test_shares_inline),
        cmocka_unit_test(test_peak_at_first_block),
        cmocka_unit_test(test_internal_out_of_peak),
        cmocka_unit_test(test_shares_sum_over_many_peaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
