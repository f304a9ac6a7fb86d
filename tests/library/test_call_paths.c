/*
 * test_call_paths.c -- stack traces (TraceStackTraces): the frames of
 * each path that reached a site, innermost first, with the line each call
 * was made from; StackLimit's cuts, counted frame by frame; recursion
 * folded into one frame with its repeat, or not (FoldRecursion); an
 * unwound stack; and mt_path_child / mt_path_set, with which a VM that
 * walks its stack gets, byte for byte, the report of one that reports its
 * calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"
#define STACKS "--memtracer.TraceStackTraces=true"

/* Blocks whose memory outlives the session, freed after it. */
static void *kept[64];
static size_t kept_count;

static void keep(void *block) {
    assert_true(kept_count < sizeof kept / sizeof kept[0]);
    kept[kept_count++] = block;
}

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

/* main (called from line 0 of the program) makes an Array on line 2 and
 * calls make from line 5 twice, from line 6 once, and build from line 7,
 * which calls make from its line 21; make makes a Point of 32 B on line
 * 11 each time. */
static void paths(void) {
    vm_call(F_MAIN, 0);
    keep(vm_new(64, T_ARRAY, F_MAIN, 2));
    for (int i = 0; i < 2; i++) {
        vm_call(F_MAKE, 5);
        keep(vm_new(32, T_POINT, F_MAKE, 11));
        vm_return();
    }
    vm_call(F_MAKE, 6);
    keep(vm_new(32, T_POINT, F_MAKE, 11));
    vm_return();
    vm_call(F_BUILD, 7);
    vm_call(F_MAKE, 21);
    keep(vm_new(32, T_POINT, F_MAKE, 11));
    vm_return();
    vm_return();
    vm_return();
}

/* Each path of a site is a stack, the heaviest first; paths as heavy
 * come in the order they first allocated.  A frame's line is the site's
 * line for the innermost, else the line its callee was called from. */
static void test_stacks_of_each_site(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    assert_true(MT_TRACING_CALLS());
    paths();
    json_t *r = finish_json();
    jexpect_site(r, 0, (vm_site){"prog.fk", 11, "make", "Point",
                                 .count = 4, .blocks = 4, .bytes = 128,
                                 .live_count = 4, .live_blocks = 4,
                                 .live_bytes = 128, .peak_count = 4,
                                 .peak_bytes = 128});
    assert_int_equal(jlen(r, "sites.0.stacks"), 3);
    jexpect_stack(r, "sites.0.stacks.0", 2, 2, 64, 0,
                  "make prog.fk:11, main prog.fk:5");
    jexpect_stack(r, "sites.0.stacks.1", 1, 1, 32, 0,
                  "make prog.fk:11, main prog.fk:6");
    jexpect_stack(r, "sites.0.stacks.2", 1, 1, 32, 0,
                  "make prog.fk:11, build lib.fk:21, main prog.fk:7");
    assert_int_equal(jlen(r, "sites.1.stacks"), 1);
    jexpect_stack(r, "sites.1.stacks.0", 1, 1, 64, 0, "main prog.fk:2");
    json_decref(r);
}

/* Without TraceStackTraces calls are not traced and sites have no
 * stacks. */
static void test_no_stacks_without_option(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    assert_false(MT_TRACING_CALLS());
    paths();
    json_t *r = finish_json();
    assert_false(jhas(r, "sites.0.stacks"));
    assert_false(jhas(r, "sites.1.stacks"));
    json_decref(r);
}

/* A block made outside every function has one frame: <root>, in the
 * program, on the block's line; storage has stacks of 0 objects. */
static void test_root_frame(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    keep(vm_new(24, T_CHARS, F_ROOT, 4));
    json_t *r = finish_json();
    jexpect_site(r, 0, (vm_site){"prog.fk", 4, "<root>", "String chars",
                                 "storage", .blocks = 1, .bytes = 24,
                                 .live_blocks = 1, .live_bytes = 24,
                                 .peak_bytes = 24});
    jexpect_stack(r, "sites.0.stacks.0", 0, 1, 24, 0, "<root> prog.fk:4");
    json_decref(r);
}

/* Functions of prog.fk: a (line 40) calls c on line 41, b (45) calls a
 * on 46, c (50) calls d on 51, d (55) makes a Point of 16 B on 56.  main
 * calls a on line 2, b on 3, d on 4:
 *   P1 d:56 c:51 a:41 main:2         4 frames
 *   P2 d:56 c:51 a:41 b:46 main:3    5 frames
 *   P3 d:56 main:4                   2 frames */
static void deep_paths(void) {
    mt_func a = vm_func("a", 40), b = vm_func("b", 45);
    mt_func c = vm_func("c", 50), d = vm_func("d", 55);
    vm_call(F_MAIN, 0);
    vm_call(a, 2);
    vm_call(c, 41);
    vm_call(d, 51);
    keep(vm_new(16, T_POINT, d, 56));
    vm_return();
    vm_return();
    vm_return();
    vm_call(b, 3);
    vm_call(a, 46);
    vm_call(c, 41);
    vm_call(d, 51);
    keep(vm_new(16, T_POINT, d, 56));
    vm_unwind(1);  /* an error in d unwinds to main */
    vm_call(d, 4);
    keep(vm_new(16, T_POINT, d, 56));
    vm_return();
    vm_return();
}

/* StackLimit=2 shows two frames of each path: P1 and P2 both show d:56
 * c:51 and are one stack of 2 blocks, which lost 3 frames (P2's a, b,
 * main; P1 lost 2); P3 is whole.  Where a cut path is, stacks come
 * heaviest first too: c before main. */
static void test_stack_limit_cuts_counted(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=2"));
    deep_paths();
    json_t *r = finish_json();
    assert_int_equal(jlen(r, "sites.0.stacks"), 2);
    jexpect_stack(r, "sites.0.stacks.0", 2, 2, 32, 3,
                  "d prog.fk:56, c prog.fk:51");
    jexpect_stack(r, "sites.0.stacks.1", 1, 1, 16, 0,
                  "d prog.fk:56, main prog.fk:4");
    json_decref(r);
}

/* StackLimit=3: P1 shows d c a and lost main (1); P2 shows the same and
 * lost b and main (2): one stack, 2 lost. */
static void test_stack_limit_three(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=3"));
    deep_paths();
    json_t *r = finish_json();
    assert_int_equal(jlen(r, "sites.0.stacks"), 2);
    jexpect_stack(r, "sites.0.stacks.0", 2, 2, 32, 2,
                  "d prog.fk:56, c prog.fk:51, a prog.fk:41");
    jexpect_stack(r, "sites.0.stacks.1", 1, 1, 16, 0,
                  "d prog.fk:56, main prog.fk:4");
    json_decref(r);
}

/* The default limit (64) cuts nothing here: three stacks, heaviest
 * first, then in the order they first allocated. */
static void test_stack_limit_default(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    deep_paths();
    json_t *r = finish_json();
    assert_int_equal(jlen(r, "sites.0.stacks"), 3);
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 16, 0,
                  "d prog.fk:56, c prog.fk:51, a prog.fk:41, main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.1", 1, 1, 16, 0,
                  "d prog.fk:56, c prog.fk:51, a prog.fk:41, b prog.fk:46, "
                  "main prog.fk:3");
    jexpect_stack(r, "sites.0.stacks.2", 1, 1, 16, 0,
                  "d prog.fk:56, main prog.fk:4");
    json_decref(r);
}

/* fib(n) makes a Point of 16 B on line 31, then calls fib(n - 1) on line
 * 32 and fib(n - 2) on line 33 when n >= 2; main calls fib(3) on line 2.
 * fib(3) runs at depth 1; fib(2) and fib(1) at depth 2; fib(1) and fib(0)
 * under fib(2) at depth 3: 1, 2 and 2 blocks. */
static void fib(int n, int line) {
    vm_call(F_FIB, line);
    keep(vm_new(16, T_POINT, F_FIB, 31));
    if (n >= 2) {
        fib(n - 1, 32);
        fib(n - 2, 33);
    }
    vm_return();
}

static void fib_program(void) {
    vm_call(F_MAIN, 0);
    fib(3, 2);
    vm_return();
}

/* Folded, a run of fib frames is one frame that says how many: one
 * stack per depth, whatever lines the recursive calls came from (the
 * run keeps the line main called it from). */
static void test_recursion_folded(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    fib_program();
    json_t *r = finish_json();
    assert_int_equal(jlen(r, "sites.0.stacks"), 3);
    jexpect_stack(r, "sites.0.stacks.0", 2, 2, 32, 0,
                  "fib prog.fk:31 x2, main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.1", 2, 2, 32, 0,
                  "fib prog.fk:31 x3, main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.2", 1, 1, 16, 0,
                  "fib prog.fk:31, main prog.fk:2");
    json_decref(r);
}

/* FoldRecursion=false keeps every frame: five routes, one block each, in
 * the order they allocated. */
static void test_recursion_unfolded(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.FoldRecursion=false"));
    fib_program();
    json_t *r = finish_json();
    assert_int_equal(jlen(r, "sites.0.stacks"), 5);
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 16, 0,
                  "fib prog.fk:31, main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.1", 1, 1, 16, 0,
                  "fib prog.fk:31, fib prog.fk:32, main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.2", 1, 1, 16, 0,
                  "fib prog.fk:31, fib prog.fk:32, fib prog.fk:32, "
                  "main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.3", 1, 1, 16, 0,
                  "fib prog.fk:31, fib prog.fk:33, fib prog.fk:32, "
                  "main prog.fk:2");
    jexpect_stack(r, "sites.0.stacks.4", 1, 1, 16, 0,
                  "fib prog.fk:31, fib prog.fk:33, main prog.fk:2");
    json_decref(r);
}

/* rec (line 34) calls itself on line 36 down to depth 10 and makes a
 * Point of 8 B on line 35 at the bottom; main calls it on line 5. */
static void deep_recursion(void) {
    mt_func rec = vm_func("rec", 34);
    vm_call(F_MAIN, 0);
    for (int depth = 0; depth < 10; depth++) vm_call(rec, depth == 0 ? 5 : 36);
    keep(vm_new(8, T_POINT, rec, 35));
    vm_unwind(0);
}

/* StackLimit counts shown frames; a folded run is one, standing for its
 * repeat: rec x10 is shown, main (1 frame) is cut. */
static void test_folded_run_under_limit(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=1"));
    deep_recursion();
    json_t *r = finish_json();
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 8, 1, "rec prog.fk:35 x10");
    json_decref(r);
}

/* Unfolded, the limit shows the innermost rec and cuts 9 rec frames and
 * main: 10; with no limit all 11 frames are there. */
static void test_unfolded_run_under_limit(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=1",
                      "--memtracer.FoldRecursion=false"));
    deep_recursion();
    json_t *r = finish_json();
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 8, 10, "rec prog.fk:35");
    json_decref(r);
    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.FoldRecursion=false"));
    deep_recursion();
    r = finish_json();
    jexpect(r, "sites.0.stacks.0.truncated_frames", 0);
    assert_int_equal(jlen(r, "sites.0.stacks.0.frames"), 11);
    jexpect(r, "sites.0.stacks.0.frames.9.line", 36);  /* rec's first call */
    jexpect(r, "sites.0.stacks.0.frames.10.line", 5);  /* main's */
    json_decref(r);
}

/* An error unwinds to main (depth 1): main's next block is main's alone;
 * a call after it is a child of main; unwound to depth 0 a block is the
 * root's, and a return too many changes nothing. */
static void test_unwind(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    mt_func a = vm_func("a", 40), b = vm_func("b", 45);
    vm_call(F_MAIN, 0);
    vm_call(a, 2);
    vm_call(b, 41);
    vm_unwind(1);
    keep(vm_new(8, T_ARRAY, F_MAIN, 3));
    vm_call(F_MAKE, 5);
    keep(vm_new(8, T_POINT, F_MAKE, 11));
    vm_unwind(0);
    vm_return();
    keep(vm_new(8, T_CHARS, F_ROOT, 9));
    json_t *r = finish_json();
    /* 8 B each: by file, then line: 3, 9, 11. */
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 8, 0, "main prog.fk:3");
    jexpect_stack(r, "sites.1.stacks.0", 0, 1, 8, 0, "<root> prog.fk:9");
    jexpect_stack(r, "sites.2.stacks.0", 1, 1, 8, 0,
                  "make prog.fk:11, main prog.fk:5");
    json_decref(r);
}

/* A path is interned once: the same (parent, callee, line) is the same
 * path.  Folded, a callee that is its parent's function extends the run
 * whatever line it is called from; unfolded it is a new frame. */
static void test_path_child_interned(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    mt_path root = mt_path_root();
    mt_path m = mt_path_child(root, F_MAIN, 0);
    mt_path make5 = mt_path_child(m, F_MAKE, 5);
    assert_int_equal(mt_path_child(m, F_MAKE, 5), make5);
    assert_int_not_equal(mt_path_child(m, F_MAKE, 6), make5);
    assert_int_not_equal(make5, m);
    mt_path fib1 = mt_path_child(m, F_FIB, 2);
    mt_path fib2 = mt_path_child(fib1, F_FIB, 32);
    assert_int_not_equal(fib2, fib1);
    assert_int_equal(mt_path_child(fib1, F_FIB, 33), fib2);
    mt_path_set(make5);
    keep(vm_new(8, T_POINT, F_MAKE, 11));
    mt_path_set(fib2);
    keep(vm_new(8, T_POINT, F_FIB, 31));
    json_t *r = finish_json();
    /* 8 B each: by line, 11 then 31. */
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 8, 0,
                  "make prog.fk:11, main prog.fk:5");
    jexpect_stack(r, "sites.1.stacks.0", 1, 1, 8, 0,
                  "fib prog.fk:31 x2, main prog.fk:2");
    json_decref(r);

    vm_start(VM_WORDS(JSON, STACKS, "--memtracer.FoldRecursion=false"));
    m = mt_path_child(mt_path_root(), F_MAIN, 0);
    fib1 = mt_path_child(m, F_FIB, 2);
    fib2 = mt_path_child(fib1, F_FIB, 32);
    assert_int_not_equal(mt_path_child(fib1, F_FIB, 33), fib2);
    mt_path_set(fib2);
    keep(vm_new(8, T_POINT, F_FIB, 31));
    r = finish_json();
    jexpect_stack(r, "sites.0.stacks.0", 1, 1, 8, 0,
                  "fib prog.fk:31, fib prog.fk:32, main prog.fk:2");
    json_decref(r);
}

/* A VM that walks its stack at each block (mt_path_child from the
 * outermost frame, mt_path_set) gets the report of one that reports its
 * calls, byte for byte, in every case above. */
static void same_report(const char *const *words, void (*program)(void)) {
    vm_start(words);
    program();
    char *called = finish();
    vm_start(words);
    vm_walks_stack = true;
    program();
    char *walked = finish();
    assert_string_equal(walked, called);
    free(called);
    free(walked);
}

static void test_walked_stack_same_report(void **state) {
    (void)state;
    same_report(VM_WORDS(JSON, STACKS), paths);
    same_report(VM_WORDS(STACKS), paths);  /* the table */
    same_report(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=2"),
                deep_paths);
    same_report(VM_WORDS(JSON, STACKS), fib_program);
    same_report(VM_WORDS(JSON, STACKS, "--memtracer.FoldRecursion=false"),
                fib_program);
    same_report(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=1"),
                deep_recursion);
    same_report(VM_WORDS("--memtracer.Output=calltree"), fib_program);
    same_report(VM_WORDS("--memtracer.Output=histogram"), paths);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stacks_of_each_site),
        cmocka_unit_test(test_no_stacks_without_option),
        cmocka_unit_test(test_root_frame),
        cmocka_unit_test(test_stack_limit_cuts_counted),
        cmocka_unit_test(test_stack_limit_three),
        cmocka_unit_test(test_stack_limit_default),
        cmocka_unit_test(test_recursion_folded),
        cmocka_unit_test(test_recursion_unfolded),
        cmocka_unit_test(test_folded_run_under_limit),
        cmocka_unit_test(test_unfolded_run_under_limit),
        cmocka_unit_test(test_unwind),
        cmocka_unit_test(test_path_child_interned),
        cmocka_unit_test(test_walked_stack_same_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
