/*
 * test_faults.c -- the tracer out of memory (MEMTRACER_FAIL_ALLOC_AFTER):
 * at every point where its memory can run out, the program goes on, the
 * report is written, says it is degraded and by how many lost events, and
 * what it does report is consistent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

/* Enough distinct sites, paths and live blocks to need more than one pool
 * chunk and several hash-table expansions. */
static void workload(void) {
    mt_call(F_SCRIPT, 0);
    for (int i = 0; i < 1000; i++) {
        mt_func f = i % 2 ? F_MAKE : F_BUILD;
        mt_call(f, i % 50);
        mt_alloc(blk(i), (size_t)(i % 13) + 1, i % 3 ? T_POINT : T_ARRAY, f,
                 i % 97);
        if (i % 4 == 0) mt_free(blk(i / 2), 0);
        mt_return();
    }
    mt_return();
}

static char *run(long fail_after, const char *format) {
    char value[32];
    snprintf(value, sizeof value, "%ld", fail_after);
    setenv("MEMTRACER_FAIL_ALLOC_AFTER", value, 1);
    vm_start((const char *[]){format, NULL});
    workload();
    char *r = vm_finish();
    unsetenv("MEMTRACER_FAIL_ALLOC_AFTER");
    return r;
}

static void test_every_failure_point(void **state) {
    (void)state;
    char *full = run(-1, "--memtracer.Output=json");
    uint64_t allocations = figure(full, "allocations");
    assert_int_equal(figure(full, "lost_events"), 0);
    free(full);
    int degraded_runs = 0;
    for (long n = 0; n < 60; n++) {
        char *r = run(n, "--memtracer.Output=json");
        uint64_t lost = figure(r, "lost_events");
        assert_true(figure(r, "allocations") <= allocations);
        assert_non_null(strstr(r, lost > 0 ? "\"degraded\": true"
                                           : "\"degraded\": false"));
        check_invariants(r);
        degraded_runs += lost > 0;
        free(r);
    }
    assert_true(degraded_runs > 0);
}

/* A site resolved ahead with no memory for its row: a site all the same,
 * whose blocks are lost, tagged MT_TAG_NONE, and harmless to release. */
static void test_site_ahead_without_memory(void **state) {
    (void)state;
    /* Memory for the names vm_start interns (eight blocks), none after. */
    setenv("MEMTRACER_FAIL_ALLOC_AFTER", "8", 1);
    vm_start((const char *[]){"--memtracer.Output=json", NULL});
    mt_site *site = mt_site_at(F_MAKE, 4, T_POINT);
    assert_non_null(site);
    assert_int_equal(mt_alloc_at(site, 32), MT_TAG_NONE);
    assert_int_equal(mt_resize_at(site, MT_TAG_NONE, 0, 16), MT_TAG_NONE);
    mt_free_tagged(MT_TAG_NONE, 32);
    char *r = vm_finish();
    unsetenv("MEMTRACER_FAIL_ALLOC_AFTER");
    assert_int_equal(figure(r, "allocations"), 0);
    assert_int_equal(figure(r, "lost_events"), 2);
    assert_int_equal(figure(r, "untracked_frees"), 1);
    check_invariants(r);
    free(r);
}

static void test_degraded_table(void **state) {
    (void)state;
    char *r = run(0, "--memtracer.Output=table");
    assert_non_null(strstr(r, "\nDegraded: the tracer ran out of memory and "
                              "lost "));
    assert_non_null(strstr(r, " events; the figures are incomplete.\n"));
    free(r);
}

static void test_healthy_table_says_nothing(void **state) {
    (void)state;
    char *r = run(-1, "--memtracer.Output=table");
    assert_null(strstr(r, "Degraded"));
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_failure_point),
        cmocka_unit_test(test_site_ahead_without_memory),
        cmocka_unit_test(test_degraded_table),
        cmocka_unit_test(test_healthy_table_says_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
