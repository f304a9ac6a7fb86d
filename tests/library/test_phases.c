/*
 * test_phases.c -- what the program makes while starting up, compiling
 * and running (mt_phase_set): sites of each phase apart, every phase in
 * the program's figures and in the JSON report, and the table listing
 * what ran with a line for each other phase unless Phases=all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

static void *kept[16];
static size_t kept_count;

static void keep(void *block) { kept[kept_count++] = block; }

static char *finish(void) {
    char *text = vm_finish();
    while (kept_count > 0) free(kept[--kept_count]);
    return text;
}

/* Start-up: 100 B of String chars outside every function, line 0.
 * Compiling: two Arrays of 48 B at <root>:5.
 * Running: three Points of 32 B at make:11, and one Array of 48 B at
 * <root>:5 -- the compiled code's key, another phase: another site. */
static void phased_program(void) {
    mt_phase_set(MT_PHASE_STARTUP);
    keep(vm_new(100, T_CHARS, F_ROOT, 0));
    mt_phase_set(MT_PHASE_COMPILE);
    keep(vm_new(48, T_ARRAY, F_ROOT, 5));
    keep(vm_new(48, T_ARRAY, F_ROOT, 5));
    mt_phase_set(MT_PHASE_RUN);
    vm_call(F_MAIN, 0);
    for (int i = 0; i < 3; i++) keep(vm_new(32, T_POINT, F_MAKE, 11));
    keep(vm_new(48, T_ARRAY, F_ROOT, 5));
    vm_return();
}

/* Every phase counts in the program's figures and the peak, and the JSON
 * report lists every site with its phase: 100 B, then 96 B in 3 blocks
 * before 96 B in 2, then 48 B. */
static void test_json_lists_every_phase(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    phased_program();
    char *text = finish();
    json_t *r = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(r);
    vm_check_consistent(r);
    jexpect_summary(r, (vm_summary){
        .allocations = 6,            /* 2 + 3 + 1 objects */
        .blocks = 7, .bytes = 340,   /* 100 + 96 + 96 + 48 */
        .peak_bytes = 340, .peak_at_allocation = 6,
    });
    jexpect_site(r, 0, (vm_site){"prog.fk", 0, "<root>", "String chars",
                                 "storage", "start-up", .blocks = 1,
                                 .bytes = 100, .live_blocks = 1,
                                 .live_bytes = 100, .peak_bytes = 100});
    jexpect_site(r, 1, (vm_site){"prog.fk", 11, "make", "Point", "object",
                                 "run", 3, 3, 96, 3, 3, 96, 3, 96});
    jexpect_site(r, 2, (vm_site){"prog.fk", 5, "<root>", "Array", "object",
                                 "compile", 2, 2, 96, 2, 2, 96, 2, 96});
    jexpect_site(r, 3, (vm_site){"prog.fk", 5, "<root>", "Array", "object",
                                 "run", 1, 1, 48, 1, 1, 48, 1, 48});
    json_decref(r);
}

/* By default the table lists what ran, and one line for each other
 * phase.  Columns are as wide as their widest cell: Type "Point" (5),
 * Function "Function" (8). */
static void test_table_lists_run(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=table"));
    phased_program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 6 allocations, 340 B; peak 340 B live; "
        "6 live at exit (340 B).\n"
        "In 7 blocks of 48.6 B on average; 7 live at exit.\n"
        "Start-up made 1 block, 100 B (--memtracer.Phases=all lists them).\n"
        "Compiling made 2 blocks, 96 B (--memtracer.Phases=all lists them).\n"
        " Source Location || Count || Size || Type  || Function || Average "
        "|| Live || Live Size\n"
        " prog.fk:11      || 3     || 96 B || Point || make     || 32 B    "
        "|| 3    || 96 B\n"
        " prog.fk:5       || 1     || 48 B || Array || <root>   || 48 B    "
        "|| 1    || 48 B\n");
    free(text);
}

/* Phases=all lists every phase's rows and no phase lines; a site on line
 * 0 shows its file alone, one of another phase than run its phase. */
static void test_table_lists_all(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Phases=all"));
    phased_program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 6 allocations, 340 B; peak 340 B live; "
        "6 live at exit (340 B).\n"
        "In 7 blocks of 48.6 B on average; 7 live at exit.\n"
        " Source Location     || Count || Size  || Type         || Function "
        "|| Average || Live || Live Size\n"
        " prog.fk             || 1     || 100 B || String chars || <root>   "
        "|| 100 B   || 1    || 100 B\n"
        " prog.fk:11          || 3     || 96 B  || Point        || make     "
        "|| 32 B    || 3    || 96 B\n"
        " prog.fk:5 (compile) || 2     || 96 B  || Array        || <root>   "
        "|| 48 B    || 2    || 96 B\n"
        " prog.fk:5           || 1     || 48 B  || Array        || <root>   "
        "|| 48 B    || 1    || 48 B\n");
    free(text);
}

/* Top counts the rows the table lists: of the two that ran, the larger,
 * and the other summed up. */
static void test_top_counts_listed_rows(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Top=1"));
    phased_program();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 6 allocations, 340 B; peak 340 B live; "
        "6 live at exit (340 B).\n"
        "In 7 blocks of 48.6 B on average; 7 live at exit.\n"
        "Start-up made 1 block, 100 B (--memtracer.Phases=all lists them).\n"
        "Compiling made 2 blocks, 96 B (--memtracer.Phases=all lists them).\n"
        " Source Location || Count || Size || Type  || Function || Average "
        "|| Live || Live Size\n"
        " prog.fk:11      || 3     || 96 B || Point || make     || 32 B    "
        "|| 3    || 96 B\n"
        " ... 1 more row (Top): 1 block, 48 B\n");
    free(text);
}

/* A fast-door site is resolved once, in the phase of its resolving: code
 * compiled then and run later still counts as compiling's. */
static void test_site_keeps_its_phase(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    mt_phase_set(MT_PHASE_COMPILE);
    mt_site site = mt_site_at(F_MAIN, 7, T_ARRAY);
    mt_phase_set(MT_PHASE_RUN);
    vm_block block = vm_new_at(site, 10);
    json_t *r = vm_finish_json();
    vm_delete_at(&block);
    jexpect_site(r, 0, (vm_site){"prog.fk", 7, "main", "Array", "object",
                                 "compile", 1, 1, 10, 1, 1, 10, 1, 10});
    json_decref(r);
}

/* A new session runs: the phase a former one ended in is gone. */
static void test_start_resets_phase(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    mt_phase_set(MT_PHASE_COMPILE);
    json_decref(vm_finish_json());
    vm_start(VM_WORDS(JSON));
    keep(vm_new(10, T_ARRAY, F_MAIN, 7));
    char *text = finish();
    json_t *r = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(r);
    jexpect_str(r, "sites.0.phase", "run");
    json_decref(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lists_every_phase),
        cmocka_unit_test(test_table_lists_run),
        cmocka_unit_test(test_table_lists_all),
        cmocka_unit_test(test_top_counts_listed_rows),
        cmocka_unit_test(test_site_keeps_its_phase),
        cmocka_unit_test(test_start_resets_phase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
