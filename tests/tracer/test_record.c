/*
 * test_record.c -- the figures: counts, bytes, frees, peak and when it was
 * reached, live at exit, per-site figures, the filters, <internal> blocks,
 * resizes, unknown frees, unwinding; read back from the JSON report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"
#include "mt_hooks.h"

#define JSON "--memtracer.Output=json"

static void test_scenario_figures(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    vm_scenario();
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 5);
    assert_int_equal(figure(r, "bytes"), 64 + 4 * 32 + 100 + 200);
    assert_int_equal(figure(r, "frees"), 1);
    assert_int_equal(figure(r, "freed_bytes"), 32 + 100);
    assert_int_equal(figure(r, "resizes"), 1);
    /* Live: 64 + 4*32 + 100 = 292 before the growth, then +200 -100. */
    assert_int_equal(figure(r, "peak_bytes"), 64 + 4 * 32 + 200);
    assert_int_equal(figure(r, "peak_at_allocation"), 5);
    assert_int_equal(figure(r, "live_allocations"), 4);
    assert_int_equal(figure(r, "live_bytes"), 64 + 3 * 32 + 200);
    assert_int_equal(figure(r, "hidden_internal_allocations"), 1);
    assert_int_equal(figure(r, "hidden_internal_bytes"), 16);
    assert_int_equal(figure(r, "untracked_frees"), 1);
    assert_int_equal(figure(r, "lost_events"), 0);
    assert_non_null(strstr(r, "\"degraded\": false"));
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 4, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 4, \"bytes\": 128, \"resizes\": 0, "
        "\"live_count\": 3, \"live_bytes\": 96}"));
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 5, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 0, \"bytes\": 300, \"resizes\": 1, "
        "\"live_count\": 0, \"live_bytes\": 200}"));
    assert_null(strstr(r, "<internal>"));
    check_invariants(r);
    free(r);
}

/* Peak is the high-water mark, not the end state, and remembers the
 * allocation count at which it was reached. */
static void test_peak(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_call(F_SCRIPT, 0);
    for (int i = 0; i < 10; i++) mt_alloc(blk(i), 100, T_STRING, F_SCRIPT, 2);
    for (int i = 0; i < 10; i++) mt_free(blk(i), 100);
    for (int i = 10; i < 15; i++) mt_alloc(blk(i), 100, T_STRING, F_SCRIPT, 3);
    mt_return();
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 15);
    assert_int_equal(figure(r, "peak_bytes"), 1000);
    assert_int_equal(figure(r, "peak_at_allocation"), 10);
    assert_int_equal(figure(r, "live_bytes"), 500);
    assert_int_equal(figure(r, "live_allocations"), 5);
    assert_int_equal(figure(r, "frees"), 10);
    check_invariants(r);
    free(r);
}

static void test_trace_internal(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.TraceInternal=true", NULL});
    vm_scenario();
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 6);
    assert_int_equal(figure(r, "bytes"), 508);
    assert_int_equal(figure(r, "hidden_internal_allocations"), 0);
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 0, \"function\": \"<script>\", "
        "\"type\": \"<internal>\", \"count\": 1, \"bytes\": 16"));
    check_invariants(r);
    free(r);
}

/* A hidden block's free is known to the tracer, not an unknown pointer. */
static void test_hidden_free(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_alloc(blk(0), 40, MT_TYPE_INTERNAL, 0, 0);
    mt_resize(blk(0), 40, blk(1), 80, MT_TYPE_INTERNAL, 0, 0);
    mt_free(blk(1), 80);
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 0);
    assert_int_equal(figure(r, "bytes"), 0);
    assert_int_equal(figure(r, "peak_bytes"), 0);
    assert_int_equal(figure(r, "hidden_internal_allocations"), 1);
    assert_int_equal(figure(r, "hidden_internal_bytes"), 120);
    assert_int_equal(figure(r, "untracked_frees"), 0);
    free(r);
}

static void test_trace_mem(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.TraceMem=64", NULL});
    vm_scenario();
    char *r = vm_finish();
    /* Only the 64 B Array and the 100 B and 200 B storage are at least
     * 64 B; the four Points are filtered but still counted. */
    assert_int_equal(figure(r, "allocations"), 5);
    assert_int_equal(figure(r, "filtered_allocations"), 4);
    assert_int_equal(figure(r, "filtered_bytes"), 128);
    assert_int_equal(figure(r, "peak_bytes"), 392);
    assert_null(strstr(r, "\"line\": 4,"));
    check_invariants(r);
    free(r);
}

static void test_filter_file(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.FilterFile=lib.*,x", NULL});
    mt_call(F_SCRIPT, 0);
    mt_alloc(blk(0), 10, T_STRING, F_SCRIPT, 1);
    mt_call(F_BUILD, 2);
    mt_alloc(blk(1), 20, T_ARRAY, F_BUILD, 21);
    mt_return();
    mt_return();
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 2);
    assert_int_equal(figure(r, "filtered_allocations"), 1);
    assert_int_equal(figure(r, "filtered_bytes"), 10);
    assert_non_null(strstr(r, "\"file\": \"lib.fk\", \"line\": 21"));
    assert_null(strstr(r, "\"file\": \"prog.fk\""));
    check_invariants(r);
    free(r);
}

/* FilterRootName matches the innermost enclosing function. */
static void test_filter_root_name(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.FilterRootName=ma?e", NULL});
    vm_scenario();
    char *r = vm_finish();
    assert_int_equal(figure(r, "filtered_allocations"), 1);
    assert_int_equal(figure(r, "filtered_bytes"), 64);
    assert_null(strstr(r, "\"function\": \"<script>\""));
    assert_non_null(strstr(r, "\"function\": \"make\""));
    check_invariants(r);
    free(r);
}

/* An error unwinds several frames at once; later allocations are on the
 * path that is left: <script> alone, then the root. */
static void test_unwind(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.TraceStackTraces=true", NULL});
    mt_call(F_SCRIPT, 0);
    mt_call(F_MAKE, 7);
    mt_call(F_BUILD, 5);
    mt_call(F_MAKE, 22);
    mt_unwind(1);
    mt_alloc(blk(0), 8, T_STRING, F_SCRIPT, 9);
    mt_return();
    mt_return(); /* one too many: ignored */
    mt_alloc(blk(1), 8, T_STRING, 0, 0);
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "\"truncated_frames\": 0, \"frames\": [\n"
        "        {\"function\": \"<script>\", \"file\": \"prog.fk\", "
        "\"line\": 9}]}]}"));
    assert_non_null(strstr(r,
        "\"truncated_frames\": 0, \"frames\": [\n"
        "        {\"function\": \"<root>\", \"file\": \"prog.fk\", "
        "\"line\": 0}]}]}"));
    free(r);
}

/* The VM reuses an address without reporting the free: the old block is
 * taken as freed, and the figures stay consistent. */
static void test_address_reuse(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_alloc(blk(0), 10, T_STRING, 0, 1);
    mt_alloc(blk(0), 30, T_STRING, 0, 1);
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 2);
    assert_int_equal(figure(r, "live_allocations"), 1);
    assert_int_equal(figure(r, "live_bytes"), 30);
    check_invariants(r);
    free(r);
}

/* Storage released through mt_resize(p, n, NULL, 0), and through mt_free. */
static void test_storage_release(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_alloc(blk(0), 24, T_ARRAY, 0, 1);
    mt_resize(NULL, 0, blk(1), 16, T_ARRAY, 0, 2);
    mt_resize(blk(1), 16, blk(2), 32, T_ARRAY, 0, 2);
    mt_resize(blk(2), 32, NULL, 0, T_ARRAY, 0, 3);
    mt_resize(NULL, 0, blk(3), 8, T_ARRAY, 0, 2);
    mt_free(blk(3), 8);
    mt_free(blk(0), 24);
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 1);
    assert_int_equal(figure(r, "frees"), 1);
    assert_int_equal(figure(r, "bytes"), 24 + 16 + 32 + 8);
    assert_int_equal(figure(r, "live_bytes"), 0);
    assert_int_equal(figure(r, "peak_bytes"), 24 + 32);
    assert_int_equal(figure(r, "resizes"), 1);
    assert_int_equal(figure(r, "untracked_frees"), 0);
    check_invariants(r);
    free(r);
}

/* Tagged objects give the same figures as objects found by address: the
 * tag carries the site (or says the object was filtered or hidden), and
 * the VM hands back the size.  MT_TAG_NONE is an object made while
 * tracing was off. */
static void test_tagged(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.TraceMem=16", NULL});
    mt_tag points[3], small, hidden;
    for (int i = 0; i < 3; i++)
        points[i] = mt_alloc_tagged(32, T_POINT, F_MAKE, 4);
    small = mt_alloc_tagged(8, T_POINT, F_MAKE, 4);
    hidden = mt_alloc_tagged(24, MT_TYPE_INTERNAL, F_MAKE, 5);
    assert_int_equal(points[0], points[2]);
    assert_int_not_equal(points[0], MT_TAG_NONE);
    assert_int_not_equal(small, points[0]);
    mt_free_tagged(points[1], 32);
    mt_free_tagged(small, 8);
    mt_free_tagged(hidden, 24);
    mt_free_tagged(MT_TAG_NONE, 40);
    char *r = vm_finish();
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 4, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 3, \"bytes\": 96, \"resizes\": 0, "
        "\"live_count\": 2, \"live_bytes\": 64}"));
    assert_int_equal(figure(r, "allocations"), 4);
    assert_int_equal(figure(r, "bytes"), 104);
    assert_int_equal(figure(r, "frees"), 2);
    assert_int_equal(figure(r, "freed_bytes"), 40);
    assert_int_equal(figure(r, "filtered_allocations"), 1);
    assert_int_equal(figure(r, "peak_bytes"), 104);
    assert_int_equal(figure(r, "hidden_internal_allocations"), 1);
    assert_int_equal(figure(r, "untracked_frees"), 1);
    check_invariants(r);
    free(r);
}

/* Tagged storage through the hooks, as a VM keeps it: obtained, grown
 * (one resize), released; bytes at the site of each change, no count, and
 * a free of storage is not a free of an object.  Growing storage obtained
 * while tracing was off releases an untracked block.  Off, the hooks
 * leave MT_TAG_NONE. */
static void test_tagged_storage(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_tag object, items = MT_TAG_NONE, late = MT_TAG_NONE;
    MT_HOOK_ALLOC_TAGGED(object, 24, T_ARRAY, F_MAKE, 1);
    MT_HOOK_RESIZE_TAGGED(items, 0, 16, T_ARRAY, F_MAKE, 2);
    MT_HOOK_RESIZE_TAGGED(items, 16, 32, T_ARRAY, F_MAKE, 2);
    MT_HOOK_RESIZE_TAGGED(items, 32, 0, T_ARRAY, F_MAKE, 3);
    assert_int_equal(items, MT_TAG_NONE);
    MT_HOOK_RESIZE_TAGGED(late, 8, 64, T_ARRAY, F_BUILD, 30);
    MT_HOOK_FREE_TAGGED(late, 64);
    MT_HOOK_FREE_TAGGED(object, 24);
    char *r = vm_finish();
    MT_HOOK_ALLOC_TAGGED(object, 24, T_ARRAY, F_MAKE, 1);
    assert_int_equal(object, MT_TAG_NONE);
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 2, \"function\": \"make\", "
        "\"type\": \"Array\", \"count\": 0, \"bytes\": 48, \"resizes\": 1, "
        "\"live_count\": 0, \"live_bytes\": 0}"));
    assert_int_equal(figure(r, "allocations"), 1);
    assert_int_equal(figure(r, "frees"), 1);
    assert_int_equal(figure(r, "bytes"), 24 + 16 + 32 + 64);
    assert_int_equal(figure(r, "freed_bytes"), 24 + 16 + 32 + 64);
    /* The object and the late block, 64 B: more than object and items. */
    assert_int_equal(figure(r, "peak_bytes"), 24 + 64);
    assert_int_equal(figure(r, "resizes"), 2);
    assert_int_equal(figure(r, "untracked_frees"), 1);
    check_invariants(r);
    free(r);
}

/* The events at sites resolved ahead: the calls, or the hooks' inline
 * functions that count a block at a row without them, falling back on the
 * calls as a VM does. */
typedef struct events {
    mt_tag (*alloc)(mt_site *site, size_t size);
    mt_tag (*resize)(mt_site *site, mt_tag old, size_t old_size,
                     size_t new_size);
    void (*release)(mt_tag tag, size_t size);
} events;

static mt_tag alloc_at_try(mt_site *site, size_t size) {
    mt_tag tag = mt_alloc_at_try(site, size);
    if (tag == MT_TAG_NONE) return mt_alloc_at(site, size);
    if (MT_TRACING_CALLS()) mt_counts_add_path(site, size, 1);
    return tag;
}

static mt_tag resize_at_try(mt_site *site, mt_tag old, size_t old_size,
                            size_t new_size) {
    mt_tag tag = mt_resize_at_try(site, old, old_size, new_size);
    if (tag == MT_TAG_NONE) return mt_resize_at(site, old, old_size, new_size);
    if (MT_TRACING_CALLS()) mt_counts_add_path(site, new_size, 0);
    return tag;
}

static void free_tagged_hook(mt_tag tag, size_t size) {
    MT_HOOK_FREE_TAGGED(tag, size);
}

static const events calls = {mt_alloc_at, mt_resize_at, mt_free_tagged};
static const events inline_ = {alloc_at_try, resize_at_try,
                               free_tagged_hook};

/* Sites resolved ahead, as a VM that caches them by bytecode position
 * uses them.  FilterFile keeps build's blocks out of the rows, TraceMem
 * the small one, and an <internal> site stays hidden; each is still
 * counted where it belongs.  The report. */
static char *sites_ahead(const events *e, const char *extra) {
    vm_start((const char *[]){JSON, "--memtracer.FilterFile=prog.*",
                              "--memtracer.TraceMem=16", extra, NULL});
    mt_site *point = mt_site_at(F_MAKE, 4, T_POINT);
    mt_site *away = mt_site_at(F_BUILD, 21, T_ARRAY);
    mt_site *internal = mt_site_at(F_MAKE, 5, MT_TYPE_INTERNAL);
    assert_ptr_equal(mt_site_at(F_MAKE, 4, T_POINT), point);
    mt_call(F_MAKE, 9);
    mt_tag a = e->alloc(point, 32), b = e->alloc(point, 32);
    mt_tag small = e->alloc(point, 8);
    mt_tag far = e->alloc(away, 40);
    mt_tag hidden = e->alloc(internal, 24);
    mt_tag items = e->resize(point, MT_TAG_NONE, 0, 16);
    items = e->resize(point, items, 16, 64);
    mt_return();
    e->release(b, 32);
    e->release(small, 8);
    e->release(far, 40);
    e->release(hidden, 24);
    assert_int_equal(e->resize(point, items, 64, 0), MT_TAG_NONE);
    assert_int_equal(a, b);
    return vm_finish();
}

static void test_sites_ahead(void **state) {
    (void)state;
    char *r = sites_ahead(&calls, NULL);
    assert_non_null(strstr(r,
        "{\"file\": \"prog.fk\", \"line\": 4, \"function\": \"make\", "
        "\"type\": \"Point\", \"count\": 2, \"bytes\": 144, \"resizes\": 1, "
        "\"live_count\": 1, \"live_bytes\": 32}"));
    assert_null(strstr(r, "\"line\": 21"));
    assert_int_equal(figure(r, "allocations"), 4);
    assert_int_equal(figure(r, "bytes"), 32 + 32 + 8 + 40 + 16 + 64);
    assert_int_equal(figure(r, "frees"), 3);
    assert_int_equal(figure(r, "freed_bytes"), 32 + 8 + 40 + 16 + 64);
    assert_int_equal(figure(r, "filtered_allocations"), 2);
    assert_int_equal(figure(r, "filtered_bytes"), 48);
    assert_int_equal(figure(r, "hidden_internal_allocations"), 1);
    assert_int_equal(figure(r, "hidden_internal_bytes"), 24);
    assert_int_equal(figure(r, "lost_events"), 0);
    assert_int_equal(figure(r, "untracked_frees"), 0);
    check_invariants(r);
    free(r);
}

/* Counted inline, the same figures, byte for byte (from the summary on:
 * the options name each run's own file): with a plain table, and with
 * stack traces (where a path's share still goes through a call). */
static void test_sites_ahead_inline(void **state) {
    (void)state;
    const char *modes[] = {NULL, "--memtracer.TraceStackTraces=true"};
    for (size_t i = 0; i < 2; i++) {
        char *by_calls = sites_ahead(&calls, modes[i]);
        char *counted_inline = sites_ahead(&inline_, modes[i]);
        assert_string_equal(strstr(counted_inline, "\"summary\""),
                            strstr(by_calls, "\"summary\""));
        free(by_calls);
        free(counted_inline);
    }
}

/* What the inline functions count, and what they leave to the calls
 * having changed nothing: blocks kept out of the rows, and releases. */
static void test_try_declines(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, "--memtracer.FilterFile=prog.*",
                              "--memtracer.TraceMem=16", NULL});
    mt_site *point = mt_site_at(F_MAKE, 4, T_POINT);
    mt_site *away = mt_site_at(F_BUILD, 21, T_ARRAY);
    mt_site *internal = mt_site_at(F_MAKE, 5, MT_TYPE_INTERNAL);
    mt_tag a = mt_alloc_at_try(point, 16);
    assert_int_not_equal(a, MT_TAG_NONE);
    assert_int_equal(mt_alloc_at_try(point, 15), MT_TAG_NONE);
    assert_int_equal(mt_alloc_at_try(away, 40), MT_TAG_NONE);
    assert_int_equal(mt_alloc_at_try(internal, 40), MT_TAG_NONE);
    mt_tag items = mt_resize_at_try(point, MT_TAG_NONE, 0, 32);
    assert_int_not_equal(items, MT_TAG_NONE);
    assert_int_equal(mt_resize_at_try(point, items, 32, 0), MT_TAG_NONE);
    mt_tag far = mt_alloc_at(away, 40);
    assert_int_equal(mt_resize_at_try(point, far, 40, 64), MT_TAG_NONE);
    assert_false(mt_free_tagged_try(far, 40));
    assert_true(mt_free_tagged_try(items, 32));
    char *r = vm_finish();
    assert_int_equal(figure(r, "allocations"), 2);
    assert_int_equal(figure(r, "bytes"), 16 + 32 + 40);
    assert_int_equal(figure(r, "freed_bytes"), 32);
    assert_int_equal(figure(r, "filtered_allocations"), 1);
    check_invariants(r);
    free(r);
}

/* A report written from a signal that landed inside an inline count,
 * after the site's figures and before the peak: the peak still holds what
 * the figures say is live. */
static void test_report_between_figures_and_peak(void **state) {
    (void)state;
    vm_start((const char *[]){JSON, NULL});
    mt_site *point = mt_site_at(F_MAKE, 4, T_POINT);
    assert_int_not_equal(mt_alloc_at_try(point, 32), MT_TAG_NONE);
    assert_int_not_equal(mt_alloc_at_try(point, 32), MT_TAG_NONE);
    /* As if the second block's peak were not written yet. */
    mt_hot_state.peak_bytes = 32;
    mt_hot_state.peak_at_allocation = 1;
    char *r = vm_finish();
    assert_int_equal(figure(r, "live_bytes"), 64);
    assert_int_equal(figure(r, "peak_bytes"), 64);
    assert_int_equal(figure(r, "peak_at_allocation"), 2);
    check_invariants(r);
    free(r);
}

/* Names interned before the tracer starts are kept; events while it is
 * off are not recorded. */
static void test_inactive(void **state) {
    (void)state;
    assert_false(mt_active);
    mt_alloc(blk(0), 10, 1, 0, 1);
    mt_call(1, 1);
    mt_free(blk(0), 10);
    assert_int_equal(mt_finish(), 0);
    assert_int_equal(mt_finish(), 0);
    mt_type t = mt_type_intern("Early", 5);
    vm_start((const char *[]){JSON, NULL});
    assert_int_equal(mt_type_intern("Early", 5), t);
    mt_alloc(blk(0), 10, t, 0, 1);
    char *r = vm_finish();
    assert_non_null(strstr(r, "\"type\": \"Early\""));
    assert_int_equal(figure(r, "allocations"), 1);
    free(r);
}

/* Many blocks, 8 bytes apart and spread over many pages, allocated,
 * reallocated over and freed in a pseudo-random order, against a model of
 * what must be live: exercises the live table's growth and deletion. */
static void test_live_table_model(void **state) {
    (void)state;
    enum { SLOTS = 40000, OPS = 300000 };
    static _Alignas(16) char arena[SLOTS * 8];
    static uint32_t model[SLOTS];  /* size + 1 of the live block; 0: none */
    uint64_t live_bytes = 0, live_count = 0, frees = 0, untracked = 0;
    uint32_t seed = 12345;
    memset(model, 0, sizeof model);
    vm_start((const char *[]){"--memtracer.Output=json", NULL});
    for (int op = 0; op < OPS; op++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t k = (seed >> 8) % SLOTS;
        uint32_t size = (seed >> 4) % 64;
        if (seed & 0x80000000u) {
            if (model[k] != 0) {  /* an address reused without a free */
                live_bytes -= model[k] - 1;
                live_count--;
                frees++;
            }
            mt_alloc(arena + 8 * k, size, T_STRING, 0, 1);
            model[k] = size + 1;
            live_bytes += size;
            live_count++;
        } else {
            mt_free(arena + 8 * k, 0);
            if (model[k] != 0) {
                live_bytes -= model[k] - 1;
                live_count--;
                frees++;
                model[k] = 0;
            } else {
                untracked++;
            }
        }
    }
    char *r = vm_finish();
    assert_int_equal(figure(r, "live_bytes"), live_bytes);
    assert_int_equal(figure(r, "live_allocations"), live_count);
    assert_int_equal(figure(r, "frees"), frees);
    assert_int_equal(figure(r, "untracked_frees"), untracked);
    assert_int_equal(figure(r, "lost_events"), 0);
    check_invariants(r);
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_figures),
        cmocka_unit_test(test_peak),
        cmocka_unit_test(test_trace_internal),
        cmocka_unit_test(test_hidden_free),
        cmocka_unit_test(test_trace_mem),
        cmocka_unit_test(test_filter_file),
        cmocka_unit_test(test_filter_root_name),
        cmocka_unit_test(test_unwind),
        cmocka_unit_test(test_address_reuse),
        cmocka_unit_test(test_storage_release),
        cmocka_unit_test(test_tagged),
        cmocka_unit_test(test_tagged_storage),
        cmocka_unit_test(test_sites_ahead),
        cmocka_unit_test(test_sites_ahead_inline),
        cmocka_unit_test(test_try_declines),
        cmocka_unit_test(test_report_between_figures_and_peak),
        cmocka_unit_test(test_inactive),
        cmocka_unit_test(test_live_table_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
