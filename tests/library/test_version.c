/*
 * test_version.c -- a VM compiled against the headers of another version
 * of memtracer: mt_start refuses it (70, nothing started, nothing
 * written) and mt_error() says which versions met and what to do, since
 * <memtracer/inline.h> lays out the library's own figures.
 *
 * mt_start is a macro that passes MT_VERSION_NUM as the VM sees it, so
 * this program pretends to be such a VM by defining MT_VERSION_NUM anew
 * where it starts the tracer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevm.h"

/* The library's own version, before this program pretends otherwise. */
static const long library_version = MT_VERSION_NUM;
static const char *const library_string = MT_VERSION_STRING;

/* The version numbers agree with each other. */
static void test_version_macros(void **state) {
    (void)state;
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", MT_VERSION_MAJOR,
             MT_VERSION_MINOR, MT_VERSION_PATCH);
    assert_string_equal(text, MT_VERSION_STRING);
    assert_int_equal(library_version, MT_VERSION_MAJOR * 10000 +
                                          MT_VERSION_MINOR * 100 +
                                          MT_VERSION_PATCH);
}

/* Starts with OutputFile in a fresh folder, as a VM compiled with the
 * headers of version (MT_VERSION_NUM) would; mt_start's status.  The
 * folder is left empty and removed. */
static int start_as(long version) {
    char folder[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-version-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
    char word[300];
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s/report", folder);
    mt_options options;
    mt_options_init(&options);
    assert_int_equal(mt_options_parse(&options, word), MT_ARG_OK);
#undef MT_VERSION_NUM
#define MT_VERSION_NUM version
    int status = mt_start(&options, "fake", VM_PROGRAM);
#undef MT_VERSION_NUM
    mt_options_free(&options);
    if (status != 0) {
        /* Refused: nothing opened, nothing written. */
        assert_false(MT_TRACING());
        assert_int_equal(rmdir(folder), 0);
    } else {
        assert_int_equal(mt_finish(), 0);
        char path[300];
        snprintf(path, sizeof path, "%s/report", folder);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(folder), 0);
    }
    return status;
}

/* The message names both versions, in one line, and says what to do. */
static void expect_refused(long version, const char *shown) {
    assert_int_equal(start_as(version), 70);
    const char *error = mt_error();
    char expected[256];
    snprintf(expected, sizeof expected,
             "this program was compiled with the headers of memtracer %s "
             "but runs with libmemtracer %s; rebuild it against the library "
             "it runs with", shown, library_string);
    assert_string_equal(error, expected);
}

/* Another major, minor or patch version alike: inline.h may differ in
 * any of them. */
static void test_other_versions_refused(void **state) {
    (void)state;
    char next_patch[32];
    snprintf(next_patch, sizeof next_patch, "%d.%d.%d", MT_VERSION_MAJOR,
             MT_VERSION_MINOR, MT_VERSION_PATCH + 1);
    expect_refused(10203, "1.2.3");
    expect_refused(9990909, "999.9.9");
    expect_refused(library_version + 1, next_patch);
    expect_refused(0, "0.0.0");
}

/* A refused start leaves the tracer as it was: the VM can start again
 * with the right headers, and the refused start's events never
 * happened. */
static void test_right_version_starts(void **state) {
    (void)state;
    assert_int_equal(start_as(10203), 70);
    assert_int_equal(start_as(library_version), 0);
    vm_start(VM_WORDS("--memtracer.Output=json"));
    void *p = vm_new(8, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.bytes", 8);
    json_decref(r);
    free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_macros),
        cmocka_unit_test(test_other_versions_refused),
        cmocka_unit_test(test_right_version_starts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
