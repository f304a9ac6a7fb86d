/*
 * test_scale.c -- reports of many sites and many call paths, complete and
 * exact: 20,000 sites each listed once with its own figures, in report
 * order, in the JSON report and the table; their stacks summing to them;
 * 20,000 distinct call paths each a stack of its site, whole or cut by
 * StackLimit, and a node of the call tree; a snapshot between two halves
 * of a run leaves every site where it was; 20,000 roots of retaining
 * paths, each found again by its name.  tools/bench/bench_scale
 * measures the same at a million, with the time to write them.
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

#define JSON "--memtracer.Output=json"
#define STACKS "--memtracer.TraceStackTraces=true"

/* The session.  fakevm's vm_finish rewrites a report's text so that two
 * runs compare byte for byte; under AddressSanitizer each key it looks
 * at costs time in proportion to the whole text, minutes for reports
 * this large, which are compared with nothing.  So the test starts and
 * finishes the tracer itself, with names of its own. */
static char folder[256], report[300];
static mt_options options;
static mt_type t_point, t_fields;
static mt_func f_main;

static void start(const char *const *words) {
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-scale-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
    snprintf(report, sizeof report, "%s/report", folder);
    mt_options_init(&options);
    for (; words != NULL && *words != NULL; words++)
        assert_int_equal(mt_options_parse(&options, *words), MT_ARG_OK);
    char word[sizeof report + 32];
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report);
    assert_int_equal(mt_options_parse(&options, word), MT_ARG_OK);
    t_point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    t_fields = mt_type_intern("Point fields", 12, MT_KIND_STORAGE);
    f_main = vm_func("main", 1);
    assert_int_equal(mt_start(&options, "fake", VM_PROGRAM), 0);
}

/* The report's text (free it); the report and its folder are removed. */
static char *finish(void) {
    assert_int_equal(mt_finish(), 0);
    mt_options_free(&options);
    char *text = vm_read_file(report);
    assert_non_null(text);
    assert_int_equal(unlink(report), 0);
    assert_int_equal(rmdir(folder), 0);
    return text;
}

static json_t *finish_json(void) {
    char *text = finish();
    json_error_t error;
    json_t *r = json_loads(text, 0, &error);
    free(text);
    if (r == NULL)
        fail_msg("the report is not JSON (line %d: %s)", error.line,
                 error.text);
    vm_check_consistent(r);
    return r;
}

/* The next line of the text from *at to end, its newline made its end;
 * NULL after the last. */
static char *next_line(char **at, char *end) {
    if (*at >= end) return NULL;
    char *line = *at;
    char *newline = memchr(line, '\n', (size_t)(end - line));
    if (newline == NULL) newline = end;
    *newline = '\0';
    *at = newline + 1;
    return line;
}

/* ------------------------------------------------------------- sites */

/* Site i is made in function f<i % FUNCS> (defined on line 100 + that),
 * on line 1 + i / FUNCS / 2, of type Point or Point fields by the parity
 * of i / FUNCS: every (function, line, type) once.  It gets blocks(i)
 * blocks of size(i) bytes, each in a call of its function from main's
 * line 2 or 3 by turns; when i % 4 == 0 its first block is freed. */
#define SITES 20000
#define FUNCS 100

static mt_func funcs[FUNCS];
static mt_site site_ids[SITES];
static vm_block *blocks;
static size_t block_count;

static void funcs_intern(void) {
    char name[16];
    for (int f = 0; f < FUNCS; f++) {
        snprintf(name, sizeof name, "f%d", f);
        funcs[f] = vm_func(name, 100 + f);
    }
}

static int site_line(size_t i) { return 1 + (int)(i / FUNCS / 2); }
static bool site_object(size_t i) { return i / FUNCS % 2 == 0; }
static uint64_t site_blocks(size_t i) { return 1 + i % 3; }
static size_t site_size(size_t i) { return 8 + 8 * (i * 7 % 13); }
static uint64_t site_freed(size_t i) { return i % 4 == 0 ? 1 : 0; }

/* The site of a row: its function's number, line and type. */
static size_t site_index(const char *function, int line, const char *type) {
    int f;
    assert_int_equal(sscanf(function, "f%d", &f), 1);
    assert_true(f >= 0 && f < FUNCS && line >= 1);
    bool object = strcmp(type, "Point") == 0;
    assert_true(object || strcmp(type, "Point fields") == 0);
    size_t i = ((size_t)(line - 1) * 2 + (object ? 0 : 1)) * FUNCS + (size_t)f;
    assert_true(i < SITES);
    return i;
}

/* Makes every site's blocks, and the first time frees the first block
 * of every fourth site; again, checks that each site is found under the
 * id it had the first time. */
static void sites_program(bool again) {
    vm_call(f_main, 0);
    for (size_t i = 0; i < SITES; i++) {
        mt_type type = site_object(i) ? t_point : t_fields;
        mt_site site = mt_site_at(funcs[i % FUNCS], site_line(i), type);
        if (again) assert_int_equal(site, site_ids[i]);
        site_ids[i] = site;
        for (uint64_t b = 0; b < site_blocks(i); b++) {
            vm_call(funcs[i % FUNCS], 2 + (int)(b % 2));
            blocks[block_count++] = vm_new_at(site, site_size(i));
            vm_return();
        }
        if (!again && site_freed(i))
            vm_delete_at(&blocks[block_count - site_blocks(i)]);
    }
    vm_return();
}

static void sites_start(const char *const *words) {
    start(words);
    funcs_intern();
    blocks = calloc(2 * SITES * 3, sizeof *blocks);
    assert_non_null(blocks);
    block_count = 0;
}

static void blocks_free(void) {
    for (size_t b = 0; b < block_count; b++) free(blocks[b].mem);
    free(blocks);
    blocks = NULL;
}

/* Whether site a comes before site b: more bytes, more blocks, then by
 * file, line, function (name, line) and type. */
static bool listed_before(json_t *a, json_t *b) {
    if (jnum(a, "bytes") != jnum(b, "bytes"))
        return jnum(a, "bytes") > jnum(b, "bytes");
    if (jnum(a, "blocks") != jnum(b, "blocks"))
        return jnum(a, "blocks") > jnum(b, "blocks");
    int c = strcmp(jstr(a, "file"), jstr(b, "file"));
    if (c != 0) return c < 0;
    if (jnum(a, "line") != jnum(b, "line"))
        return jnum(a, "line") < jnum(b, "line");
    c = strcmp(jstr(a, "function"), jstr(b, "function"));
    if (c != 0) return c < 0;
    return strcmp(jstr(a, "type"), jstr(b, "type")) < 0;
}

/* Every site once, with its figures (times rounds of blocks), in
 * order. */
static void sites_check(json_t *r, uint64_t rounds) {
    static bool seen[SITES];
    memset(seen, 0, sizeof seen);
    json_t *sites = jget(r, "sites");
    assert_int_equal(json_array_size(sites), SITES);
    for (size_t k = 0; k < SITES; k++) {
        json_t *site = json_array_get(sites, k);
        size_t i = site_index(jstr(site, "function"), (int)jnum(site, "line"),
                              jstr(site, "type"));
        if (seen[i]) fail_msg("site %zu is listed twice", i);
        seen[i] = true;
        uint64_t n = site_blocks(i) * rounds, freed = site_freed(i);
        jexpect_str(site, "file", VM_PROGRAM);
        jexpect(site, "blocks", n);
        jexpect(site, "count", site_object(i) ? n : 0);
        jexpect(site, "bytes", n * site_size(i));
        jexpect(site, "live_blocks", n - freed);
        jexpect(site, "live_bytes", (n - freed) * site_size(i));
        if (k > 0 && !listed_before(json_array_get(sites, k - 1), site))
            fail_msg("sites.%zu is out of order", k);
    }
}

static void test_sites_json(void **state) {
    (void)state;
    sites_start(VM_WORDS(JSON));
    sites_program(false);
    json_t *r = finish_json();
    sites_check(r, 1);
    json_decref(r);
    blocks_free();
}

/* ------------------------------------------------------------- roots */

/* Root r holds one Point of 8 bytes at the site on line r + 1, through a
 * path root r -> Point; asked for by its name a second time, a root is
 * the one it was (a VM names a root once for each reference from it). */
#define ROOTS 20000

static void test_roots(void **state) {
    (void)state;
    start(VM_WORDS(JSON));
    static mt_retainer first[ROOTS];
    char name[32];
    for (int round = 0; round < 2; round++) {
        for (int r = 0; r < ROOTS; r++) {
            int length = snprintf(name, sizeof name, "global r%d", r);
            mt_retainer root = mt_retainer_root(name, (size_t)length);
            assert_int_not_equal(root, 0);
            if (round == 0) first[r] = root;
            else assert_int_equal(root, first[r]);
        }
    }
    for (int r = 0; r < ROOTS; r++) {
        mt_tag tag = mt_alloc_at(mt_site_at(f_main, r + 1, t_point), 8);
        mt_retained_tagged(tag, 8, mt_retainer_child(first[r], t_point));
    }
    json_t *report = finish_json();
    json_t *sites = jget(report, "sites");
    assert_int_equal(json_array_size(sites), ROOTS);
    for (size_t k = 0; k < ROOTS; k++) {
        json_t *site = json_array_get(sites, k);
        char expected[32];
        snprintf(expected, sizeof expected, "global r%d",
                 (int)jnum(site, "line") - 1);
        jexpect_str(site, "retainers.0.path.0", expected);
        jexpect_str(site, "retainers.0.path.1", "Point");
        jexpect(site, "retainers.0.blocks", 1);
        assert_int_equal(jlen(site, "retainers"), 1);
    }
    json_decref(report);
}

/* The table: one row per site, its count and type. */
static void test_sites_table(void **state) {
    (void)state;
    sites_start(NULL);
    sites_program(false);
    char *text = finish();
    static bool seen[SITES];
    memset(seen, 0, sizeof seen);
    size_t rows = 0;
    char *at = text, *end = text + strlen(text);
    for (char *line; (line = next_line(&at, end)) != NULL;) {
        int at;
        if (sscanf(line, " prog.fk:%d", &at) != 1) continue;
        /* Cells are padded with spaces and end with " || ". */
        char *cells[5];
        char *cut = line + 1;
        for (int c = 0; c < 5; c++) {
            cells[c] = cut;
            cut = strstr(cut, " || ");
            assert_non_null(cut);
            for (char *end = cut; end > cells[c] && end[-1] == ' '; end--)
                end[-1] = '\0';
            *cut = '\0';
            cut += 4;
        }
        const char *type = cells[3];
        size_t i = site_index(cells[4], at, type);
        if (seen[i]) fail_msg("site %zu has two rows", i);
        seen[i] = true;
        assert_int_equal(strtoull(cells[1], NULL, 10), site_blocks(i));
        rows++;
    }
    assert_int_equal(rows, SITES);
    free(text);
    blocks_free();
}

/* Each site's stacks: its calls from main's lines 2 and 3, summing to
 * the site (vm_check_consistent). */
static void test_sites_stacks(void **state) {
    (void)state;
    sites_start(VM_WORDS(JSON, STACKS));
    sites_program(false);
    json_t *r = finish_json();
    sites_check(r, 1);
    json_t *sites = jget(r, "sites");
    for (size_t k = 0; k < SITES; k++) {
        json_t *site = json_array_get(sites, k);
        size_t i = site_index(jstr(site, "function"), (int)jnum(site, "line"),
                              jstr(site, "type"));
        json_t *stacks = jget(site, "stacks");
        assert_int_equal(json_array_size(stacks),
                         site_blocks(i) < 2 ? site_blocks(i) : 2);
        for (size_t s = 0; s < json_array_size(stacks); s++) {
            json_t *stack = json_array_get(stacks, s);
            json_t *frames = jget(stack, "frames");
            assert_int_equal(json_array_size(frames), 2);
            jexpect_str(json_array_get(frames, 0), "function",
                        jstr(site, "function"));
            jexpect(json_array_get(frames, 0), "line", jnum(site, "line"));
            jexpect_str(json_array_get(frames, 1), "function", "main");
            uint64_t call_line = jnum(json_array_get(frames, 1), "line");
            assert_true(call_line == 2 || call_line == 3);
            /* Blocks 0 and 2 came from line 2: the heavier first. */
            jexpect(stack, "blocks", call_line == 2 && site_blocks(i) == 3
                                         ? 2
                                         : 1);
        }
    }
    json_decref(r);
    blocks_free();
}

/* A snapshot orders the sites for its report; the look-ups afterwards
 * find every site where it was, and the end's report counts both
 * rounds. */
static void test_sites_after_snapshot(void **state) {
    (void)state;
    sites_start(VM_WORDS(JSON));
    sites_program(false);
    char snapshot[512];
    snprintf(snapshot, sizeof snapshot, "%s/snapshot.json", folder);
    assert_int_equal(mt_snapshot(snapshot), 0);
    char *text = vm_read_file(snapshot);
    assert_non_null(text);
    assert_int_equal(unlink(snapshot), 0);
    json_error_t error;
    json_t *r = json_loads(text, 0, &error);
    free(text);
    assert_non_null(r);
    vm_check_consistent(r);
    sites_check(r, 1);
    json_decref(r);
    sites_program(true);
    r = finish_json();
    sites_check(r, 2);
    json_decref(r);
    blocks_free();
}

/* ------------------------------------------------------------- paths */

/* main (from line 0) calls a from its line 1 + la, a calls b from line
 * 1 + lb, b calls c from line 1 + lc, for WIDTH^3 >= PATHS (la, lb, lc);
 * path p allocates once in c, 16 + 8 * (p % 5) bytes, on line 31 when p is
 * even, else on 32. */
#define PATHS 20000
#define WIDTH 28

static mt_func fa, fb, fc;

static size_t path_size(size_t p) { return 16 + 8 * (p % 5); }

static void paths_program(void) {
    fa = vm_func("a", 10);
    fb = vm_func("b", 20);
    fc = vm_func("c", 30);
    mt_site sites[2] = {mt_site_at(fc, 31, t_point),
                        mt_site_at(fc, 32, t_point)};
    blocks = calloc(PATHS, sizeof *blocks);
    assert_non_null(blocks);
    block_count = 0;
    vm_call(f_main, 0);
    for (size_t p = 0; p < PATHS; p++) {
        vm_call(fa, 1 + (int)(p / (WIDTH * WIDTH)));
        vm_call(fb, 1 + (int)(p / WIDTH % WIDTH));
        vm_call(fc, 1 + (int)(p % WIDTH));
        blocks[block_count++] = vm_new_at(sites[p % 2], path_size(p));
        vm_return();
        vm_return();
        vm_return();
    }
    vm_return();
}

/* The call line of frames[at], less one. */
static size_t frame_line(json_t *frames, size_t at) {
    return (size_t)jnum(json_array_get(frames, at), "line") - 1;
}

/* Every path once, at its site, as its own stack: c, b, a, main. */
static void test_paths_stacks(void **state) {
    (void)state;
    start(VM_WORDS(JSON, STACKS));
    paths_program();
    json_t *r = finish_json();
    static bool seen[PATHS];
    memset(seen, 0, sizeof seen);
    json_t *sites = jget(r, "sites");
    assert_int_equal(json_array_size(sites), 2);
    size_t stacks_seen = 0;
    for (size_t k = 0; k < 2; k++) {
        json_t *site = json_array_get(sites, k);
        int line = (int)jnum(site, "line");
        json_t *stacks = jget(site, "stacks");
        assert_int_equal(json_array_size(stacks), PATHS / 2);
        for (size_t s = 0; s < json_array_size(stacks); s++) {
            json_t *stack = json_array_get(stacks, s);
            json_t *frames = jget(stack, "frames");
            assert_int_equal(json_array_size(frames), 4);
            jexpect_str(json_array_get(frames, 0), "function", "c");
            jexpect(json_array_get(frames, 0), "line", (uint64_t)line);
            jexpect_str(json_array_get(frames, 1), "function", "b");
            jexpect_str(json_array_get(frames, 2), "function", "a");
            jexpect_str(json_array_get(frames, 3), "function", "main");
            size_t p = frame_line(frames, 3) * WIDTH * WIDTH +
                       frame_line(frames, 2) * WIDTH + frame_line(frames, 1);
            assert_true(p < PATHS);
            if (seen[p]) fail_msg("path %zu is listed twice", p);
            seen[p] = true;
            assert_int_equal(line, p % 2 == 0 ? 31 : 32);
            jexpect(stack, "count", 1);
            jexpect(stack, "bytes", path_size(p));
            jexpect(stack, "truncated_frames", 0);
            if (s > 0)
                assert_true(jnum(json_array_get(stacks, s - 1), "bytes") >=
                            path_size(p));
            stacks_seen++;
        }
    }
    assert_int_equal(stacks_seen, PATHS);
    json_decref(r);
    blocks_free();
}

/* StackLimit=2 cuts each path to c and b: the paths with one line in b
 * are one stack, each line of the site's parity once, heaviest first. */
static void test_paths_cut(void **state) {
    (void)state;
    start(VM_WORDS(JSON, STACKS, "--memtracer.StackLimit=2"));
    paths_program();
    json_t *r = finish_json();
    json_t *sites = jget(r, "sites");
    for (size_t k = 0; k < 2; k++) {
        json_t *site = json_array_get(sites, k);
        size_t parity = jnum(site, "line") == 31 ? 0 : 1;
        json_t *stacks = jget(site, "stacks");
        bool seen[WIDTH] = {false};
        assert_int_equal(json_array_size(stacks), WIDTH / 2);
        for (size_t s = 0; s < json_array_size(stacks); s++) {
            json_t *stack = json_array_get(stacks, s);
            json_t *frames = jget(stack, "frames");
            assert_int_equal(json_array_size(frames), 2);
            size_t lc = frame_line(frames, 1);
            assert_true(lc < WIDTH && lc % 2 == parity && !seen[lc]);
            seen[lc] = true;
            if (s > 0)
                assert_true(jnum(json_array_get(stacks, s - 1), "bytes") >=
                            jnum(stack, "bytes"));
            uint64_t count = 0, bytes = 0;
            for (size_t p = lc; p < PATHS; p += WIDTH) {
                count++;
                bytes += path_size(p);
            }
            jexpect(stack, "count", count);
            jexpect(stack, "bytes", bytes);
            jexpect(stack, "truncated_frames", 2);
        }
    }
    json_decref(r);
    blocks_free();
}

/* The call tree: a line per node, under <root>; each path's c once. */
static void test_paths_calltree(void **state) {
    (void)state;
    start(VM_WORDS("--memtracer.Output=calltree"));
    paths_program();
    char *text = finish();
    size_t nodes[4] = {0};
    const char *names[4] = {"main (", "a (", "b (", "c ("};
    char *at = text, *end = text + strlen(text);
    for (char *line; (line = next_line(&at, end)) != NULL;) {
        size_t indent = strspn(line, " ");
        for (size_t d = 0; d < 4; d++)
            if (indent == 2 * (d + 1) && strncmp(line + indent, names[d],
                                           strlen(names[d])) == 0)
                nodes[d]++;
    }
    size_t rows = (PATHS + WIDTH - 1) / WIDTH;
    assert_int_equal(nodes[0], 1);
    assert_int_equal(nodes[1], (PATHS + WIDTH * WIDTH - 1) / (WIDTH * WIDTH));
    assert_int_equal(nodes[2], rows);
    assert_int_equal(nodes[3], PATHS);
    free(text);
    blocks_free();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sites_json),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_sites_table),
        cmocka_unit_test(test_sites_stacks),
        cmocka_unit_test(test_sites_after_snapshot),
        cmocka_unit_test(test_paths_stacks),
        cmocka_unit_test(test_paths_cut),
        cmocka_unit_test(test_paths_calltree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
