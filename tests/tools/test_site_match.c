/*
 * test_site_match.c -- pairing sites the way a person would
 * (tools/memtracer/site_match.c): by file, function, type and phase, then
 * by line order and nearest line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "site_match.h"

/* Under UBSan, undefined behaviour (an overflow of lines) fails the test
 * rather than printing a line among passing ones. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) {
    return "halt_on_error=1:print_stacktrace=1";
}

static Site site_at(const char *function, const char *type, long line) {
    Site site;
    memset(&site, 0, sizeof site);
    site.file = (char *)"prog.lox";
    site.function = (char *)function;
    site.type = (char *)type;
    site.line = line;
    return site;
}

/* The head line paired with the base site at `base_line`, -1 when it is
 * gone, -2 when no such base site. */
static long paired_line(const SitePair *pairs, size_t count, const char *type, long base_line) {
    for (size_t i = 0; i < count; i++)
        if (pairs[i].base != NULL && pairs[i].base->line == base_line &&
            strcmp(pairs[i].base->type, type) == 0)
            return pairs[i].head != NULL ? pairs[i].head->line : -1;
    return -2;
}

static size_t new_sites(const SitePair *pairs, size_t count, long *line) {
    size_t found = 0;
    for (size_t i = 0; i < count; i++)
        if (pairs[i].base == NULL) {
            found++;
            *line = pairs[i].head->line;
        }
    return found;
}

static void test_inserted_line_moves_nothing(void **state) {
    (void)state;
    /* A line inserted at the top moves every site down by one. */
    Site base[] = {site_at("f", "Array", 10), site_at("f", "Array", 20), site_at("f", "String", 12),
                   site_at("g", "Array", 30)};
    Site head[] = {site_at("f", "Array", 11), site_at("f", "Array", 21), site_at("f", "String", 13),
                   site_at("g", "Array", 31)};
    size_t count;
    SitePair *pairs = sites_match(base, 4, head, 4, &count);
    assert_int_equal(count, 4);
    assert_int_equal(paired_line(pairs, count, "Array", 10), 11);
    assert_int_equal(paired_line(pairs, count, "Array", 20), 21);
    assert_int_equal(paired_line(pairs, count, "String", 12), 13);
    assert_int_equal(paired_line(pairs, count, "Array", 30), 31);
    free(pairs);
}

static void test_new_site_among_moved_ones(void **state) {
    (void)state;
    /* A line inserted above, and a new Array site at 15: the two old
     * sites pair with 11 and 21, the new one is 15. */
    Site base[] = {site_at("f", "Array", 10), site_at("f", "Array", 20)};
    Site head[] = {site_at("f", "Array", 11), site_at("f", "Array", 15), site_at("f", "Array", 21)};
    size_t count;
    SitePair *pairs = sites_match(base, 2, head, 3, &count);
    assert_int_equal(count, 3);
    assert_int_equal(paired_line(pairs, count, "Array", 10), 11);
    assert_int_equal(paired_line(pairs, count, "Array", 20), 21);
    long line = 0;
    assert_int_equal(new_sites(pairs, count, &line), 1);
    assert_int_equal(line, 15);
    free(pairs);
}

static void test_new_site_between_shifted_ones(void **state) {
    (void)state;
    /* Five lines inserted above, a new Array site between the old two: by
     * nearest line alone, 20 would pair with 18; the String sites, paired
     * one by one, tell that lines near 10 and 20 moved by 5. */
    Site base[] = {site_at("f", "Array", 10), site_at("f", "Array", 20), site_at("f", "String", 9),
                   site_at("f", "String", 19)};
    Site head[] = {site_at("f", "Array", 15), site_at("f", "Array", 18), site_at("f", "Array", 25),
                   site_at("f", "String", 14), site_at("f", "String", 24)};
    size_t count;
    SitePair *pairs = sites_match(base, 4, head, 5, &count);
    assert_int_equal(count, 5);
    assert_int_equal(paired_line(pairs, count, "Array", 10), 15);
    assert_int_equal(paired_line(pairs, count, "Array", 20), 25);
    long line = 0;
    assert_int_equal(new_sites(pairs, count, &line), 1);
    assert_int_equal(line, 18);
    free(pairs);
}

static void test_removed_site_is_gone(void **state) {
    (void)state;
    Site base[] = {site_at("f", "Array", 10), site_at("f", "Array", 14), site_at("f", "Array", 20)};
    Site head[] = {site_at("f", "Array", 9), site_at("f", "Array", 19)};
    size_t count;
    SitePair *pairs = sites_match(base, 3, head, 2, &count);
    assert_int_equal(count, 3);
    assert_int_equal(paired_line(pairs, count, "Array", 10), 9);
    assert_int_equal(paired_line(pairs, count, "Array", 14), -1);
    assert_int_equal(paired_line(pairs, count, "Array", 20), 19);
    free(pairs);
}

static void test_identity_before_line(void **state) {
    (void)state;
    /* Same line, other function or type: never paired. */
    Site base[] = {site_at("f", "Array", 10)};
    Site head[] = {site_at("g", "Array", 10), site_at("f", "String", 10)};
    size_t count;
    SitePair *pairs = sites_match(base, 1, head, 2, &count);
    assert_int_equal(count, 3);
    assert_int_equal(paired_line(pairs, count, "Array", 10), -1);
    free(pairs);
}

static void test_phase_is_part_of_a_site(void **state) {
    (void)state;
    /* The code compiled for f at line 10 and the Array f makes there while
     * running are different sites: the Array that ran pairs with the one
     * that ran, at its moved line, and the compiled one stays alone. */
    Site base[] = {site_at("f", "Array", 10), site_at("f", "Array", 10)};
    base[1].phase = (char *)"compile";
    Site head[] = {site_at("f", "Array", 11)};
    head[0].phase = (char *)"run";
    size_t count;
    SitePair *pairs = sites_match(base, 2, head, 1, &count);
    assert_int_equal(count, 2);
    for (size_t i = 0; i < count; i++) {
        assert_non_null(pairs[i].base);
        if (pairs[i].base == &base[0]) assert_ptr_equal(pairs[i].head, &head[0]);
        else assert_null(pairs[i].head);
    }
    assert_int_not_equal(site_identity_compare(&base[0], &base[1]), 0);
    /* A site without a phase is of the run. */
    assert_int_equal(site_identity_compare(&base[0], &head[0]), 0);
    free(pairs);
}

static void test_function_named_by_its_definition(void **state) {
    (void)state;
    char *identity = function_identity("function <examples/x.lua:12>");
    assert_string_equal(identity, "function <examples/x.lua>");
    free(identity);
    identity = function_identity("main chunk");
    assert_string_equal(identity, "main chunk");
    free(identity);
    identity = function_identity("<script>");
    assert_string_equal(identity, "<script>");
    free(identity);
    /* Lua's anonymous function defined at 12, moved to 13 by an inserted line. */
    Site base[] = {site_at("function <x.lua:12>", "table", 13)};
    Site head[] = {site_at("function <x.lua:13>", "table", 14)};
    size_t count;
    SitePair *pairs = sites_match(base, 1, head, 1, &count);
    assert_int_equal(count, 1);
    assert_non_null(pairs[0].base);
    assert_non_null(pairs[0].head);
    free(pairs);
}

static void test_nearest_anchor_above(void **state) {
    (void)state;
    /* The String sites, one by one, are anchors: lines near 10 moved by 2,
     * from 100 on by 30; other files' anchors tell nothing of this one.
     * So the Arrays at 5 (above every anchor: the first one's shift), 20
     * and 120 are expected at 7, 22 and 150, and 4 and 125 are new, though
     * by nearest line alone 5, 20 and 120 would pair with 4, 22 and 125. */
    Site base[] = {site_at("f", "Array", 5),    site_at("f", "Array", 20),
                   site_at("f", "Array", 120),  site_at("f", "String", 10),
                   site_at("f", "String", 100), site_at("f", "String", 110),
                   site_at("g", "String", 50),  site_at("g", "String", 130)};
    Site head[] = {site_at("f", "Array", 4),    site_at("f", "Array", 7),
                   site_at("f", "Array", 22),   site_at("f", "Array", 125),
                   site_at("f", "Array", 150),  site_at("f", "String", 12),
                   site_at("f", "String", 130), site_at("f", "String", 140),
                   site_at("g", "String", 55),  site_at("g", "String", 1)};
    base[6].file = head[8].file = (char *)"a.lox";
    base[7].file = head[9].file = (char *)"z.lox";
    size_t count;
    SitePair *pairs = sites_match(base, 8, head, 10, &count);
    assert_int_equal(count, 10);
    assert_int_equal(paired_line(pairs, count, "Array", 5), 7);
    assert_int_equal(paired_line(pairs, count, "Array", 20), 22);
    assert_int_equal(paired_line(pairs, count, "Array", 120), 150);
    long line = 0;
    assert_int_equal(new_sites(pairs, count, &line), 2);
    free(pairs);
}

static void test_lines_at_the_ends_of_a_long(void **state) {
    (void)state;
    /* A budget's lines may be anything a long holds: distances saturate
     * rather than overflow, and far lines stay far. */
    Site base[] = {site_at("f", "Array", LONG_MIN), site_at("f", "Array", 0),
                   site_at("f", "Array", LONG_MAX)};
    Site head[] = {site_at("f", "Array", LONG_MIN), site_at("f", "Array", LONG_MAX)};
    size_t count;
    SitePair *pairs = sites_match(base, 3, head, 2, &count);
    assert_int_equal(count, 3);
    assert_int_equal(paired_line(pairs, count, "Array", LONG_MIN), LONG_MIN);
    assert_int_equal(paired_line(pairs, count, "Array", LONG_MAX), LONG_MAX);
    assert_int_equal(paired_line(pairs, count, "Array", 0), -1);
    free(pairs);
    /* Anchors that moved from one end to the other. */
    Site far[] = {site_at("f", "String", LONG_MAX), site_at("f", "String", LONG_MIN),
                  site_at("f", "Array", LONG_MIN),  site_at("f", "Array", 0),
                  site_at("f", "Array", LONG_MAX)};
    Site near[] = {site_at("f", "String", LONG_MIN), site_at("f", "String", LONG_MAX),
                   site_at("f", "Array", LONG_MAX), site_at("f", "Array", LONG_MIN)};
    pairs = sites_match(far, 5, near, 4, &count);
    assert_int_equal(count, 5);
    free(pairs);
    pairs = sites_match(near, 4, far, 5, &count);
    assert_int_equal(count, 5);
    free(pairs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inserted_line_moves_nothing),
        cmocka_unit_test(test_new_site_among_moved_ones),
        cmocka_unit_test(test_new_site_between_shifted_ones),
        cmocka_unit_test(test_removed_site_is_gone),
        cmocka_unit_test(test_identity_before_line),
        cmocka_unit_test(test_phase_is_part_of_a_site),
        cmocka_unit_test(test_function_named_by_its_definition),
        cmocka_unit_test(test_nearest_anchor_above),
        cmocka_unit_test(test_lines_at_the_ends_of_a_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
