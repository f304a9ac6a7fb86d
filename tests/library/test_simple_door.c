/*
 * test_simple_door.c -- blocks known by address (mt_alloc, mt_resize,
 * mt_free) through the hooks of <memtracer/hooks.h>: what each event
 * counts, the size the tracer trusts, releases of blocks it never saw,
 * the live table under many blocks, and hooks that cost nothing while
 * tracing is off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"

/* One event of each kind:
 *   main:2  an Array of 64 B
 *   make:11 three Points of 32 B, p1 p2 p3
 *   make:12 Point fields of 100 B, grown to 200 B
 *   p1 freed; a free of an address never reported
 *   main:0  16 B of the VM's own (<internal>: hidden)
 *   main:3  String chars of 40 B, freed
 * Live bytes: 64 96 128 160 260, the resize releases 100 then obtains
 * 200: 160 360, p1 freed 328, the chars 368 (the peak), freed 328. */
static void test_every_event_counted(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    void *a = vm_new(64, T_ARRAY, F_MAIN, 2);
    void *p[3];
    for (int i = 0; i < 3; i++) p[i] = vm_new(32, T_POINT, F_MAKE, 11);
    void *f = vm_new(100, T_FIELDS, F_MAKE, 12);
    f = vm_resize(f, 100, 200, T_FIELDS, F_MAKE, 12);
    vm_delete(p[0], 32);
    int never_reported;
    MT_HOOK_FREE(&never_reported, 8);
    void *own = vm_new(16, MT_TYPE_INTERNAL, F_MAIN, 0);
    vm_delete(vm_new(40, T_CHARS, F_MAIN, 3), 40);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 4,            /* the Array and three Points */
        .blocks = 7,                 /* and fields twice, the chars */
        .bytes = 500,                /* 64 + 3*32 + 100 + 200 + 40 */
        .frees = 1,                  /* p1: storage is no object */
        .freed_blocks = 3,           /* p1, fields' 100 B, the chars */
        .freed_bytes = 172,          /* 32 + 100 + 40 */
        .resizes = 1,
        .peak_bytes = 368,
        .peak_at_allocation = 4,     /* all four objects were made */
        .hidden_internal_blocks = 1,
        .hidden_internal_bytes = 16,
        .untracked_frees = 1,
    });
    jexpect(r, "summary.live_allocations", 3);
    jexpect(r, "summary.live_blocks", 4);
    jexpect(r, "summary.live_bytes", 328);
    assert_int_equal((int)(json_number_value(jget(r, "summary.average_size")) *
                           10 + 0.5),
                     714);           /* 500 / 7 = 71.43 */
    /* Largest first.  At the peak (the chars' block) p1 was gone and
     * fields held 200 B. */
    jexpect_site(r, 0, (vm_site){"prog.fk", 12, "make", "Point fields",
                                 "storage", .blocks = 2, .bytes = 300,
                                 .live_blocks = 1, .live_bytes = 200,
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
    free(a);
    free(p[1]);
    free(p[2]);
    free(f);
    free(own);
}

/* mt_resize from NULL obtains, to NULL releases, and from an address the
 * tracer never saw obtains and counts an untracked free; only a block
 * replaced by another is a resize.  Live: 50, then 0 and 80 (the peak),
 * 0, 30. */
static void test_resize_ends(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    void *s = vm_resize(NULL, 0, 50, T_CHARS, F_MAIN, 3);
    s = vm_resize(s, 50, 80, T_CHARS, F_MAIN, 3);
    assert_null(vm_resize(s, 80, 0, T_CHARS, F_MAIN, 3));
    int never_reported;
    void *q = malloc(30);
    MT_HOOK_RESIZE(&never_reported, 10, q, 30, T_CHARS, F_MAIN, 3);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .blocks = 3,                 /* 50, 80, 30 */
        .bytes = 160,
        .freed_blocks = 2,           /* 50 replaced, 80 released */
        .freed_bytes = 130,
        .resizes = 1,                /* 50 -> 80 only */
        .peak_bytes = 80,
        .untracked_frees = 1,
    });
    jexpect_site(r, 0, (vm_site){"prog.fk", 3, "main", "String chars",
                                 "storage", .blocks = 3, .bytes = 160,
                                 .live_blocks = 1, .live_bytes = 30,
                                 .peak_bytes = 80});
    json_decref(r);
    free(q);
}

/* A release counts out the size the tracer recorded, whatever size the
 * VM passes: 100 B obtained and "999" freed is 100 B freed; 100 B of
 * chars "7" B long grown to 50 B frees 100 B. */
static void test_recorded_size_trusted(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    vm_delete(vm_new(100, T_POINT, F_MAKE, 11), 999);
    void *s = vm_new(100, T_CHARS, F_MAIN, 3);
    s = vm_resize(s, 7, 50, T_CHARS, F_MAIN, 3);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 3, .bytes = 250,
        .frees = 1, .freed_blocks = 2, .freed_bytes = 200,
        .resizes = 1,
        .peak_bytes = 100,           /* 100, 0, 100, 0 then 50 */
        .peak_at_allocation = 1,
    });
    jexpect(r, "summary.live_bytes", 50);
    json_decref(r);
    free(s);
}

/* A VM that reuses an address without reporting the release: the tracer
 * believes the new block and counts the old one out.  The program never
 * had both: its live bytes went 100, then 60, so the peak is 100. */
static void test_address_reused_unreported(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    void *p = vm_new(100, T_POINT, F_MAKE, 11);
    MT_HOOK_ALLOC(p, 60, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 2, .blocks = 2, .bytes = 160,
        .frees = 1, .freed_blocks = 1, .freed_bytes = 100,
        .peak_bytes = 100,
        .peak_at_allocation = 1,
    });
    jexpect(r, "summary.live_bytes", 60);
    json_decref(r);
    free(p);
}

/* A size no real block has (2^60 bytes) is counted as the live table
 * keeps it, 2^51 - 1 bytes, so that its release counts out what was
 * counted in: nothing is left live.  Then a block of 8 at the same
 * address: live bytes 8. */
static void test_huge_size_counted_out(void **state) {
    (void)state;
    const uint64_t kept = (UINT64_C(1) << 51) - 1;
    vm_start(VM_WORDS(JSON));
    char *p = malloc(8);
    MT_HOOK_ALLOC(p, (size_t)1 << 60, T_POINT, F_MAKE, 11);
    MT_HOOK_FREE(p, (size_t)1 << 60);
    MT_HOOK_ALLOC(p, 8, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){
        .allocations = 2, .blocks = 2, .bytes = kept + 8,
        .frees = 1, .freed_blocks = 1, .freed_bytes = kept,
        .peak_bytes = kept,
        .peak_at_allocation = 1,
    });
    jexpect(r, "summary.live_bytes", 8);
    json_decref(r);
    free(p);
}

/* NULL is no block: obtaining or releasing it counts nothing. */
static void test_null_ignored(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    MT_HOOK_ALLOC(NULL, 10, T_POINT, F_MAKE, 11);
    MT_HOOK_FREE(NULL, 10);
    json_t *r = vm_finish_json();
    jexpect_summary(r, (vm_summary){0});
    assert_int_equal(jlen(r, "sites"), 0);
    json_decref(r);
}

/* 20000 live blocks, packed by malloc into pages, of sizes 1..61 (block
 * i has i % 61 + 1 bytes), at two sites by parity; then the odd ones
 * freed, last first.  Every figure is a sum over i. */
#define MANY 20000
static void test_many_live_blocks(void **state) {
    (void)state;
    static void *blocks[MANY];
    uint64_t bytes[2] = {0, 0};
    vm_start(VM_WORDS(JSON));
    for (int i = 0; i < MANY; i++) {
        size_t size = (size_t)(i % 61) + 1;
        blocks[i] = vm_new(size, T_POINT, F_MAKE, 11 + i % 2);
        bytes[i % 2] += size;
    }
    for (int i = MANY - 1; i > 0; i -= 2) vm_delete(blocks[i], 0);
    json_t *r = vm_finish_json();
    uint64_t all = bytes[0] + bytes[1];
    jexpect_summary(r, (vm_summary){
        .allocations = MANY, .blocks = MANY, .bytes = all,
        .frees = MANY / 2, .freed_blocks = MANY / 2,
        .freed_bytes = bytes[1],
        .peak_bytes = all, .peak_at_allocation = MANY,
    });
    /* The even blocks are all live; the odd ones were all live at the
     * peak, which came before any free. */
    size_t even = bytes[0] >= bytes[1] ? 0 : 1;
    jexpect(r, even == 0 ? "sites.0.live_bytes" : "sites.1.live_bytes",
            bytes[0]);
    jexpect(r, even == 0 ? "sites.1.peak_bytes" : "sites.0.peak_bytes",
            bytes[1]);
    json_decref(r);
    for (int i = 0; i < MANY; i += 2) free(blocks[i]);
}

/* A hook's arguments are evaluated only while tracing: off, a hook is a
 * branch.  A block obtained before tracing started and released during
 * it is a release of a block the tracer never counted. */
static int evaluated;
static int line_of(int line) {
    evaluated++;
    return line;
}

static void test_hooks_off_evaluate_nothing(void **state) {
    (void)state;
    void *before = malloc(8);
    MT_HOOK_ALLOC(before, 8, T_POINT, F_MAKE, line_of(11));
    assert_false(MT_TRACING());
    assert_int_equal(evaluated, 0);
    vm_start(VM_WORDS(JSON));
    assert_true(MT_TRACING());
    assert_false(MT_TRACING_CALLS());  /* no stacks, histogram, call tree */
    void *during = malloc(8);
    MT_HOOK_ALLOC(during, 8, T_POINT, F_MAKE, line_of(11));
    assert_int_equal(evaluated, 1);
    MT_HOOK_CALL(F_MAKE, line_of(5));  /* calls are not traced */
    assert_int_equal(evaluated, 1);
    vm_delete(before, 8);
    json_t *r = vm_finish_json();
    assert_false(MT_TRACING());
    MT_HOOK_FREE(during, (size_t)line_of(8));
    assert_int_equal(evaluated, 1);
    free(during);
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 1, .bytes = 8,
        .peak_bytes = 8, .peak_at_allocation = 1,
        .untracked_frees = 1,
    });
    json_decref(r);
}

/* A process's first session: everything it did before is fresh, so
 * this program runs it again, in a new process, for that session alone:
 * an Array of 64 B at main:2, its report to path.  (The simple door's
 * table of live blocks was once set up only by mt_finish, and a first
 * session lost every block.) */
static int first_session(const char *path) {
    mt_options options;
    mt_options_init(&options);
    char word[4200];
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", path);
    if (mt_options_parse(&options, "--memtracer.Output=json") != MT_ARG_OK ||
        mt_options_parse(&options, word) != MT_ARG_OK ||
        mt_start(&options, "fake", VM_PROGRAM) != 0)
        return 2;
    mt_type array = mt_type_intern("Array", 5, MT_KIND_OBJECT);
    mt_func main_func = mt_func_intern("main", 4, VM_PROGRAM, 1);
    void *a = malloc(64);
    MT_HOOK_ALLOC(a, 64, array, main_func, 2);
    int status = mt_finish() == 0 ? 0 : 3;
    mt_options_free(&options);
    free(a);
    return status;
}

static void test_first_session_of_a_process(void **state) {
    (void)state;
    char folder[256], path[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-first-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
    snprintf(path, sizeof path, "%s/first.json", folder);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        execl("/proc/self/exe", "test_library_simple_door", "--first-session",
              path, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *text = vm_read_file(path);
    assert_non_null(text);
    json_t *r = json_loads(text, 0, NULL);
    assert_non_null(r);
    vm_check_consistent(r);
    jexpect_summary(r, (vm_summary){
        .allocations = 1, .blocks = 1, .bytes = 64,
        .peak_bytes = 64, .peak_at_allocation = 1,
    });
    json_decref(r);
    free(text);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(folder), 0);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--first-session") == 0)
        return first_session(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_session_of_a_process),
        cmocka_unit_test(test_every_event_counted),
        cmocka_unit_test(test_resize_ends),
        cmocka_unit_test(test_recorded_size_trusted),
        cmocka_unit_test(test_address_reused_unreported),
        cmocka_unit_test(test_huge_size_counted_out),
        cmocka_unit_test(test_null_ignored),
        cmocka_unit_test(test_many_live_blocks),
        cmocka_unit_test(test_hooks_off_evaluate_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
