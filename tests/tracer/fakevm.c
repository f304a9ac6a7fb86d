/*
 * fakevm.c -- the fake VM of the tracer's unit tests (see fakevm.h).
 */
#include "fakevm.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

mt_type T_ARRAY, T_POINT, T_STRING;
mt_func F_SCRIPT, F_MAKE, F_BUILD;

static char dir[64];
static char path[128];
static mt_options options;
static _Alignas(16) char heap[1024][16];

void *blk(int i) { return heap[i]; }

const char *vm_report_path(void) { return path; }

void vm_start(const char *const *words) {
    int has_file = 0;
    strcpy(dir, "/tmp/memtracer-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report", dir);
    mt_options_init(&options);
    for (; words != NULL && *words != NULL; words++) {
        assert_int_equal(mt_options_parse(&options, *words),
                         MT_ARG_OK);
        if (strncmp(*words, "--memtracer.OutputFile=", 23) == 0) {
            snprintf(path, sizeof path, "%s", *words + 23);
            has_file = 1;
        }
    }
    if (!has_file) {
        char word[160];
        snprintf(word, sizeof word, "--memtracer.OutputFile=%s", path);
        assert_int_equal(mt_options_parse(&options, word),
                         MT_ARG_OK);
    }
    assert_int_equal(mt_start(&options, "fake", "prog.fk"), 0);
    T_ARRAY = mt_type_intern("Array", 5);
    T_POINT = mt_type_intern("Point", 5);
    T_STRING = mt_type_intern("String", 6);
    F_SCRIPT = mt_func_intern("<script>", 8, "prog.fk", 0);
    F_MAKE = mt_func_intern("make", 4, "prog.fk", 3);
    F_BUILD = mt_func_intern("build", 5, "lib.fk", 20);
}

char *vm_finish(void) {
    assert_int_equal(mt_finish(), 0);
    mt_options_free(&options);
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    if (f != NULL) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = calloc(1, (size_t)n + 1);
        assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        unlink(path);
    }
    assert_non_null(text);
    /* Nothing left behind: no temporary file beside the report. */
    assert_int_equal(rmdir(dir), 0);
    return text;
}

uint64_t figure(const char *report, const char *key) {
    char pattern[80];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(report, pattern);
    if (at == NULL) fail_msg("no \"%s\" in the report", key);
    return strtoull(at + strlen(pattern), NULL, 10);
}

/* The sum of every site's figure `key`. */
static uint64_t sites_sum(const char *report, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(report, "\"sites\": [");
    assert_non_null(at);
    uint64_t sum = 0;
    while ((at = strstr(at, pattern)) != NULL) {
        at += strlen(pattern);
        sum += strtoull(at, NULL, 10);
    }
    return sum;
}

void check_invariants(const char *r) {
    assert_int_equal(figure(r, "bytes") - figure(r, "freed_bytes"),
                     figure(r, "live_bytes"));
    assert_int_equal(figure(r, "allocations") - figure(r, "frees"),
                     figure(r, "live_allocations"));
    assert_int_equal(sites_sum(r, "count") + figure(r, "filtered_allocations"),
                     figure(r, "allocations"));
    assert_int_equal(sites_sum(r, "bytes") + figure(r, "filtered_bytes"),
                     figure(r, "bytes"));
    assert_true(figure(r, "peak_bytes") >= figure(r, "live_bytes"));
}

void vm_scenario(void) {
    mt_call(F_SCRIPT, 0);
    mt_alloc(blk(0), 64, T_ARRAY, F_SCRIPT, 1);
    for (int i = 1; i <= 3; i++) {
        mt_call(F_MAKE, 10);
        mt_alloc(blk(i), 32, T_POINT, F_MAKE, 4);
        mt_return();
    }
    mt_call(F_MAKE, 11);
    mt_alloc(blk(4), 32, T_POINT, F_MAKE, 4);
    mt_resize(NULL, 0, blk(5), 100, T_POINT, F_MAKE, 5);
    mt_resize(blk(5), 100, blk(6), 200, T_POINT, F_MAKE, 5);
    mt_return();
    mt_free(blk(1), 32);
    mt_free(blk(50), 8);
    mt_alloc(blk(7), 16, MT_TYPE_INTERNAL, F_SCRIPT, 0);
    mt_return();
}
