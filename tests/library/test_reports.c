/*
 * test_reports.c -- each output format on one program, written out in
 * full: the table (with and without stack traces, Top=N), the JSON report
 * (its keys, determinism, strings made valid), the histogram per
 * function, the type histogram, the call tree; human sizes; and guest
 * names escaped in the text reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakevm.h"

#define JSON "--memtracer.Output=json"
#define STACKS "--memtracer.TraceStackTraces=true"

static void *kept[64];
static size_t kept_count;

static void *keep(void *block) { return kept[kept_count++] = block; }

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

/* main (prog.fk:1), called from line 0:
 *   line 2: an Array of 64 B
 *   calls make from line 5 twice and from line 6 once
 *   line 7: calls build (lib.fk:20), which makes 1500 B of String chars
 *           on its line 22 and calls make from its line 21
 *   frees the first Point
 * make (prog.fk:10) makes a Point of 32 B on line 11 and 48 B of Point
 * fields on line 12.
 * Bytes: 64 + 4*32 + 4*48 + 1500 = 1884 (1.8 KiB), all live at once
 * before the free: the peak; 1852 B (1.8 KiB) live at the end.  Objects:
 * the Array and 4 Points; blocks: 10. */
static void make(int line) {
    vm_call(F_MAKE, line);
    keep(vm_new(32, T_POINT, F_MAKE, 11));
    keep(vm_new(48, T_FIELDS, F_MAKE, 12));
    vm_return();
}

static void program(void) {
    vm_call(F_MAIN, 0);
    keep(vm_new(64, T_ARRAY, F_MAIN, 2));
    make(5);
    make(5);
    make(6);
    vm_call(F_BUILD, 7);
    keep(vm_new(1500, T_CHARS, F_BUILD, 22));
    make(21);
    vm_return();
    vm_delete(kept[1], 32);
    kept[1] = NULL;
    vm_return();
}

#define HEADER                                                              \
    "Memory Tracer. Recorded 5 allocations, 1.8 KiB; peak 1.8 KiB live; "   \
    "4 live at exit (1.8 KiB).\n"

/* Rows largest first; each column as wide as its widest cell or heading
 * (Size "1.5 KiB" 7, Type "String chars" 12); the last one unpadded.
 * Average is bytes per block; 1884 / 10 = 188.4. */
static void test_table(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=table"));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        "In 10 blocks of 188.4 B on average; 9 live at exit.\n"
        " Source Location || Count || Size    || Type         || Function "
        "|| Average || Live || Live Size\n"
        " lib.fk:22       || 1     || 1.5 KiB || String chars || build    "
        "|| 1.5 KiB || 1    || 1.5 KiB\n"
        " prog.fk:12      || 4     || 192 B   || Point fields || make     "
        "|| 48 B    || 4    || 192 B\n"
        " prog.fk:11      || 4     || 128 B   || Point        || make     "
        "|| 32 B    || 3    || 96 B\n"
        " prog.fk:2       || 1     || 64 B    || Array        || main     "
        "|| 64 B    || 1    || 64 B\n");
    free(text);
}

/* With stack traces each row is followed by its paths, innermost frame
 * first; a row of several paths says what each made: allocations
 * (objects) at an object site, blocks at a storage site. */
static void test_table_with_stacks(void **state) {
    (void)state;
    vm_start(VM_WORDS(STACKS));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        "In 10 blocks of 188.4 B on average; 9 live at exit.\n"
        " Source Location || Count || Size    || Type         || Function "
        "|| Average || Live || Live Size\n"
        " lib.fk:22       || 1     || 1.5 KiB || String chars || build    "
        "|| 1.5 KiB || 1    || 1.5 KiB\n"
        "    at build (lib.fk:22)\n"
        "    at main (prog.fk:7)\n"
        " prog.fk:12      || 4     || 192 B   || Point fields || make     "
        "|| 48 B    || 4    || 192 B\n"
        "   2 blocks, 96 B:\n"
        "    at make (prog.fk:12)\n"
        "    at main (prog.fk:5)\n"
        "   1 block, 48 B:\n"
        "    at make (prog.fk:12)\n"
        "    at main (prog.fk:6)\n"
        "   1 block, 48 B:\n"
        "    at make (prog.fk:12)\n"
        "    at build (lib.fk:21)\n"
        "    at main (prog.fk:7)\n"
        " prog.fk:11      || 4     || 128 B   || Point        || make     "
        "|| 32 B    || 3    || 96 B\n"
        "   2 allocations, 64 B:\n"
        "    at make (prog.fk:11)\n"
        "    at main (prog.fk:5)\n"
        "   1 allocation, 32 B:\n"
        "    at make (prog.fk:11)\n"
        "    at main (prog.fk:6)\n"
        "   1 allocation, 32 B:\n"
        "    at make (prog.fk:11)\n"
        "    at build (lib.fk:21)\n"
        "    at main (prog.fk:7)\n"
        " prog.fk:2       || 1     || 64 B    || Array        || main     "
        "|| 64 B    || 1    || 64 B\n"
        "    at main (prog.fk:2)\n");
    free(text);
}

/* A row shows its three heaviest paths and one line for the rest: make
 * called from lines 5, 6, 7 and 8 once each and from line 9 twice. */
static void test_table_more_paths(void **state) {
    (void)state;
    vm_start(VM_WORDS(STACKS));
    vm_call(F_MAIN, 0);
    for (int line = 5; line <= 9; line++)
        for (int i = 0; i < (line == 9 ? 2 : 1); i++) {
            vm_call(F_MAKE, line);
            keep(vm_new(32, T_POINT, F_MAKE, 11));
            vm_return();
        }
    vm_return();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 6 allocations, 192 B; peak 192 B live; "
        "6 live at exit (192 B).\n"
        "In 6 blocks of 32.0 B on average; 6 live at exit.\n"
        " Source Location || Count || Size  || Type  || Function || Average "
        "|| Live || Live Size\n"
        " prog.fk:11      || 6     || 192 B || Point || make     || 32 B    "
        "|| 6    || 192 B\n"
        "   2 allocations, 64 B:\n"
        "    at make (prog.fk:11)\n"
        "    at main (prog.fk:9)\n"
        "   1 allocation, 32 B:\n"
        "    at make (prog.fk:11)\n"
        "    at main (prog.fk:5)\n"
        "   1 allocation, 32 B:\n"
        "    at make (prog.fk:11)\n"
        "    at main (prog.fk:6)\n"
        "   ... 2 more paths: 2 allocations, 64 B\n");
    free(text);
}

/* Top=2: the two largest rows, the other two (5 blocks, 128 + 64 B)
 * summed up in one line. */
static void test_table_top(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Top=2"));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        "In 10 blocks of 188.4 B on average; 9 live at exit.\n"
        " Source Location || Count || Size    || Type         || Function "
        "|| Average || Live || Live Size\n"
        " lib.fk:22       || 1     || 1.5 KiB || String chars || build    "
        "|| 1.5 KiB || 1    || 1.5 KiB\n"
        " prog.fk:12      || 4     || 192 B   || Point fields || make     "
        "|| 48 B    || 4    || 192 B\n"
        " ... 2 more rows (Top): 5 blocks, 192 B\n");
    free(text);
}

/* Per function: Self (made in it), Total (in it and its callees), largest
 * Total first; counts are objects.  main: self the Array (64 B), total
 * everything; build: self the chars (1500 B), total with make's Point and
 * fields (1580 B, 1 object); make: 4 Points and their fields (320 B).
 * <root> made nothing itself: no row. */
static void test_histogram(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=histogram"));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        " Self Count || Self Size || Total Count || Total Size || Location   "
        "|| Name\n"
        " 1          || 64 B      || 5           || 1.8 KiB    || prog.fk:1  "
        "|| main\n"
        " 0          || 1.5 KiB   || 1           || 1.5 KiB    || lib.fk:20  "
        "|| build\n"
        " 4          || 320 B     || 4           || 320 B      || prog.fk:10 "
        "|| make\n");
    free(text);
}

/* A recursive function's blocks count once in its total, however many
 * times it is on the path: fib(3) makes 5 Points of 16 B, one per call
 * (test_call_paths.c), folded or not. */
static void fib(int n, int line) {
    vm_call(F_FIB, line);
    keep(vm_new(16, T_POINT, F_FIB, 31));
    if (n >= 2) {
        fib(n - 1, 32);
        fib(n - 2, 33);
    }
    vm_return();
}

static void test_histogram_recursion(void **state) {
    (void)state;
    const char *fold[] = {"true", "false"};
    for (int i = 0; i < 2; i++) {
        char word[64];
        snprintf(word, sizeof word, "--memtracer.FoldRecursion=%s", fold[i]);
        vm_start(VM_WORDS("--memtracer.Output=histogram", word));
        vm_call(F_MAIN, 0);
        fib(3, 2);
        vm_return();
        char *text = finish();
        assert_string_equal(text,
            "Memory Tracer. Recorded 5 allocations, 80 B; peak 80 B live; "
            "5 live at exit (80 B).\n"
            " Self Count || Self Size || Total Count || Total Size "
            "|| Location   || Name\n"
            " 5          || 80 B      || 5           || 80 B       "
            "|| prog.fk:30 || fib\n"
            " 0          || 0 B       || 5           || 80 B       "
            "|| prog.fk:1  || main\n");
        free(text);
    }
}

/* The call tree: one line per path that made something, two spaces a
 * level, heaviest child first; total is the path and its callees, self
 * the path itself, "from line" the caller's line. */
static void test_calltree(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=calltree"));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        "<root> (prog.fk) total=5 (1.8 KiB) self=0 (0 B)\n"
        "  main (prog.fk:1) total=5 (1.8 KiB) self=1 (64 B)\n"
        "    build (lib.fk:20) total=1 (1.5 KiB) self=0 (1.5 KiB) "
        "from line 7\n"
        "      make (prog.fk:10) total=1 (80 B) self=1 (80 B) from line 21\n"
        "    make (prog.fk:10) total=2 (160 B) self=2 (160 B) from line 5\n"
        "    make (prog.fk:10) total=1 (80 B) self=1 (80 B) from line 6\n");
    free(text);
}

/* Folded recursion in the call tree: a run is one line per depth, each a
 * child of main, saying how many frames it stands for. */
static void test_calltree_folded(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=calltree"));
    vm_call(F_MAIN, 0);
    fib(3, 2);
    vm_return();
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 5 allocations, 80 B; peak 80 B live; "
        "5 live at exit (80 B).\n"
        "<root> (prog.fk) total=5 (80 B) self=0 (0 B)\n"
        "  main (prog.fk:1) total=5 (80 B) self=0 (0 B)\n"
        "    fib (prog.fk:30) \xC3\x97" "2 total=2 (32 B) self=2 (32 B) "
        "from line 2\n"
        "    fib (prog.fk:30) \xC3\x97" "3 total=2 (32 B) self=2 (32 B) "
        "from line 2\n"
        "    fib (prog.fk:30) total=1 (16 B) self=1 (16 B) from line 2\n");
    free(text);
}

/* Per type, over its sites, largest first; Count is objects, or blocks
 * for storage. */
static void test_typehistogram(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=typehistogram"));
    program();
    char *text = finish();
    assert_string_equal(text,
        HEADER
        " Type         || Count || Size\n"
        " String chars || 1     || 1.5 KiB\n"
        " Point fields || 4     || 192 B\n"
        " Point        || 4     || 128 B\n"
        " Array        || 1     || 64 B\n");
    free(text);
}

/* Human sizes: bytes below 1 KiB, one decimal below 10 of a unit, whole
 * numbers above, and a figure that rounds to 1024 of a unit said in the
 * next.  One storage type per size, each its own row. */
static void test_sizes(void **state) {
    (void)state;
    static const struct {
        const char *type;
        size_t bytes;
    } sizes[] = {
        {"a", 1023},            /* 1023 B */
        {"b", 1024},            /* 1.0 KiB */
        {"c", 10188},           /* 9.949 KiB: 9.9 KiB */
        {"d", 10189},           /* 9.950 KiB: 10 KiB */
        {"e", 1048063},         /* 1023.499 KiB: 1023 KiB */
        {"f", 1048064},         /* 1023.5 KiB: 1.0 MiB */
        {"g", 3250586},         /* 3.0999 MiB: 3.1 MiB */
    };
    vm_start(VM_WORDS("--memtracer.Output=typehistogram"));
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mt_type type = mt_type_intern(sizes[i].type, 1, MT_KIND_STORAGE);
        keep(vm_new(sizes[i].bytes, type, F_MAIN, 2));
    }
    char *text = finish();
    /* 5369137 B in all: 5.12 MiB. */
    assert_string_equal(text,
        "Memory Tracer. Recorded 0 allocations, 5.1 MiB; peak 5.1 MiB live; "
        "0 live at exit (5.1 MiB).\n"
        " Type || Count || Size\n"
        " g    || 1     || 3.1 MiB\n"
        " f    || 1     || 1.0 MiB\n"
        " e    || 1     || 1023 KiB\n"
        " d    || 1     || 10 KiB\n"
        " c    || 1     || 9.9 KiB\n"
        " b    || 1     || 1.0 KiB\n"
        " a    || 1     || 1023 B\n");
    free(text);
}

/* Names are their bytes, NUL among them: two types "Vec" NUL "x" and
 * "Vec" NUL "y" are two sites in JSON, each name whole (\u0000), and a
 * function's name the same. */
static void test_json_nul_in_names(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    mt_type x = mt_type_intern("Vec\0x", 5, MT_KIND_OBJECT);
    mt_type y = mt_type_intern("Vec\0y", 5, MT_KIND_OBJECT);
    mt_func g = mt_func_intern("g\0h", 3, "prog.fk", 40);
    keep(vm_new(8, x, g, 41));
    keep(vm_new(8, y, g, 41));
    char *text = finish();
    assert_non_null(strstr(text, "\"type\": \"Vec\\u0000x\""));
    assert_non_null(strstr(text, "\"type\": \"Vec\\u0000y\""));
    assert_non_null(strstr(text, "\"function\": \"g\\u0000h\""));
    assert_null(strstr(text, "\"type\": \"Vec\","));
    free(text);
}

/* Figures written digit for digit at every length: a block of 10^k - 1
 * bytes (k digits of 9) and one of 10^k (k + 1 digits) at sites of their
 * own, k = 1..18, counted through the fast door with no memory behind
 * them (the tracer never touches a block).  Site at line 2k - 1 holds
 * 10^k - 1 bytes, at line 2k 10^k; the largest sum, 2.2e18, stays below
 * 2^63, which is what the JSON reader holds. */
static void test_json_digits(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    uint64_t power = 1;
    for (int k = 1; k <= 18; k++) {
        power *= 10;
        mt_alloc_at(mt_site_at(F_MAIN, 2 * k - 1, T_CHARS), power - 1);
        mt_alloc_at(mt_site_at(F_MAIN, 2 * k, T_CHARS), power);
    }
    json_t *report = finish_json();
    size_t sites = jlen(report, "sites");
    assert_int_equal(sites, 36);
    for (size_t i = 0; i < sites; i++) {
        char path[64];
        snprintf(path, sizeof path, "sites.%zu.line", i);
        uint64_t line = jnum(report, path);
        uint64_t expected = 1;
        for (uint64_t k = 0; k < (line + 1) / 2; k++) expected *= 10;
        if (line % 2 == 1) expected -= 1;
        snprintf(path, sizeof path, "sites.%zu.bytes", i);
        jexpect(report, path, expected);
    }
    json_decref(report);
}

/* The JSON report: its keys in order, the program's names, the options
 * in effect, how the run ended, the summary and one site per line. */
static void test_json(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, "--memtracer.TraceMem=1KiB"));
    program();
    char *text = finish();
    const char *keys[] = {"\"format\": \"memtracer\"", "\"version\": 2",
                          "\"language\": \"fake\"", "\"program\": \"prog.fk\"",
                          "\"options\": ", "\"exit\": ", "\"summary\": ",
                          "\"sites\": "};
    const char *at = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *found = strstr(at, keys[i]);
        if (found == NULL) fail_msg("%s missing or out of order", keys[i]);
        at = found;
    }
    json_t *r = json_loads(text, 0, NULL);
    assert_non_null(r);
    vm_check_consistent(r);
    jexpect_str(r, "options.Output", "json");
    jexpect_str(r, "options.OutputFile", "<folder>/report");
    jexpect(r, "options.TraceMem", 1024);
    jexpect(r, "options.StackLimit", 64);
    assert_true(json_is_true(jget(r, "options.FoldRecursion")));
    assert_true(json_is_false(jget(r, "options.TraceStackTraces")));
    assert_true(json_is_null(jget(r, "options.Top")));
    assert_true(json_is_null(jget(r, "options.FilterFile")));
    jexpect_str(r, "options.Phases", "run");
    jexpect(r, "exit.status", 0);
    jexpect_str(r, "exit.reason", "normal");
    assert_false(jhas(r, "exit.signal"));
    /* Only the 1500 B of chars reach 1 KiB; the rest is filtered. */
    jexpect_summary(r, (vm_summary){
        .allocations = 5, .blocks = 10, .bytes = 1884,
        .frees = 1, .freed_blocks = 1, .freed_bytes = 32,
        .peak_bytes = 1884, .peak_at_allocation = 5,
        .filtered_allocations = 5, .filtered_blocks = 9,
        .filtered_bytes = 384,
    });
    assert_int_equal(jlen(r, "sites"), 1);
    jexpect_site(r, 0, (vm_site){"lib.fk", 22, "build", "String chars",
                                 "storage", .blocks = 1, .bytes = 1500,
                                 .live_blocks = 1, .live_bytes = 1500,
                                 .peak_bytes = 1500});
    /* One site, one line, its keys in this order (more may come). */
    const char *line = strstr(text, "\n    {\"file\": \"lib.fk\", ");
    assert_non_null(line);
    const char *end = strchr(line + 1, '\n');
    assert_int_equal(end[-1], '}');
    const char *site_keys[] = {"file", "line", "function", "type", "kind",
                               "phase", "count", "blocks", "bytes",
                               "average_size", "live_count", "live_blocks",
                               "live_bytes", "peak_count", "peak_bytes"};
    for (size_t i = 0; i < sizeof site_keys / sizeof site_keys[0]; i++) {
        char quoted[40];
        snprintf(quoted, sizeof quoted, "\"%s\": ", site_keys[i]);
        const char *found = strstr(line, quoted);
        if (found == NULL || found > end)
            fail_msg("%s missing or out of order in the site's line",
                     site_keys[i]);
        line = found;
    }
    json_decref(r);
    free(text);
}

/* The same program gives the same report, byte for byte, run after run,
 * in every format. */
static void test_deterministic(void **state) {
    (void)state;
    const char *formats[] = {"json", "table", "histogram", "typehistogram",
                             "calltree"};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char word[64];
        snprintf(word, sizeof word, "--memtracer.Output=%s", formats[i]);
        char *first = NULL;
        for (int run = 0; run < 2; run++) {
            vm_start(VM_WORDS(word, STACKS));
            program();
            char *text = finish();
            if (first == NULL) {
                first = text;
            } else {
                assert_string_equal(text, first);
                free(text);
            }
        }
        free(first);
    }
}

/* Names are the guest's bytes, whatever they are: the JSON report
 * escapes quotes, backslashes and control characters and writes a byte
 * that is no UTF-8 as U+FFFD, so it stays valid JSON; UTF-8 passes as
 * it is.  ODD_NAME needs each of these, ODD_NAME_JSON is what the report
 * reads as. */
static const char ODD_NAME[] = "say \"hi\"\\\n\t\x01\xff caf\xc3\xa9";
static const char ODD_NAME_JSON[] =
    "say \"hi\"\\\n\t\x01\xef\xbf\xbd caf\xc3\xa9";

static mt_func odd_func(void) {
    return mt_func_intern(ODD_NAME, sizeof ODD_NAME - 1, "dir\\odd.fk", 3);
}

static void test_json_strings_valid(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON));
    mt_type type = mt_type_intern("\xe2\x82\xac\xc3", 4, MT_KIND_OBJECT);
    keep(vm_new(8, type, odd_func(), 4));
    json_t *r = finish_json();
    jexpect_str(r, "sites.0.function", ODD_NAME_JSON);
    jexpect_str(r, "sites.0.file", "dir\\odd.fk");
    jexpect_str(r, "sites.0.type", "\xe2\x82\xac\xef\xbf\xbd");
    json_decref(r);
}

/* The frames of a stack too: a frame of a function whose name or file
 * must be escaped, beside frames that need none. */
static void test_json_frame_strings_valid(void **state) {
    (void)state;
    vm_start(VM_WORDS(JSON, STACKS));
    vm_call(F_MAIN, 0);
    vm_call(odd_func(), 2);
    vm_call(F_MAKE, 4);
    keep(vm_new(8, T_POINT, F_MAKE, 11));
    vm_return();
    vm_return();
    vm_return();
    json_t *r = finish_json();
    jexpect_str(r, "sites.0.stacks.0.frames.0.function", "make");
    jexpect_str(r, "sites.0.stacks.0.frames.0.file", "prog.fk");
    jexpect_str(r, "sites.0.stacks.0.frames.1.function", ODD_NAME_JSON);
    jexpect_str(r, "sites.0.stacks.0.frames.1.file", "dir\\odd.fk");
    jexpect_str(r, "sites.0.stacks.0.frames.2.function", "main");
    json_decref(r);
}

/* Names in the text reports are the guest's bytes too, and each row must
 * stay one line whatever they hold: a control character (C0, DEL, C1) is
 * shown as \n, \r, \t, \xNN or \u0080..\u009f, a byte that is no UTF-8
 * as \xNN, anything else as it is; widths count the characters shown, so
 * names outside ASCII align.  GROESSE, "Größe", is 7 bytes and 5
 * characters.  The file holds a newline and a stray byte, the function
 * an ESC sequence and a tab, the type a C1 control (U+0085, NEL):
 *   file      Größe\n\xff.fk   shown in 5 + 2 + 4 + 3 = 14 characters
 *   function  \x1b[31mred\t   4 + 4 + 3 + 2 = 13
 *   type      Größe\u0085     5 + 6 = 11
 * The *_SHOWN strings are what the reports write ("\\n" in C: the two
 * characters \ and n). */
#define GROESSE "Gr\xc3\xb6\xc3\x9f" "e"
static const char EVIL_FILE[] = GROESSE "\n\xff.fk";
static const char EVIL_FUNC[] = "\x1b[31mred\t";
static const char EVIL_TYPE[] = GROESSE "\xc2\x85";
#define EVIL_FILE_SHOWN GROESSE "\\n\\xff.fk"
#define EVIL_FUNC_SHOWN "\\x1b[31mred\\t"
#define EVIL_TYPE_SHOWN GROESSE "\\u0085"

static mt_func evil_func(void) {
    return mt_func_intern(EVIL_FUNC, sizeof EVIL_FUNC - 1, EVIL_FILE, 3);
}

static mt_type evil_type(void) {
    return mt_type_intern(EVIL_TYPE, sizeof EVIL_TYPE - 1, MT_KIND_OBJECT);
}

/* main (prog.fk:1) calls the evil function (defined on its file's line
 * 3) from line 5, which makes an object of the evil type, 100 B, on line
 * 4; then main makes a Größe of 40 B on line 2.  2 objects, 140 B, all
 * live: the peak. */
static void evil_program(void) {
    mt_func evil = evil_func();
    mt_type type = evil_type();
    mt_type groesse = mt_type_intern(GROESSE, sizeof GROESSE - 1,
                                     MT_KIND_OBJECT);
    vm_call(F_MAIN, 0);
    vm_call(evil, 5);
    keep(vm_new(100, type, evil, 4));
    vm_return();
    keep(vm_new(40, groesse, F_MAIN, 2));
    vm_return();
}

#define EVIL_HEADER                                                         \
    "Memory Tracer. Recorded 2 allocations, 140 B; peak 140 B live; "      \
    "2 live at exit (140 B).\n"

/* Widths: Source Location 16 ("Größe\n\xff.fk:4": 14 + 2, above the
 * heading's 15; "prog.fk:2" padded by 7), Count 5, Size 5 ("100 B"),
 * Type 11 (the evil type; the Größe row padded by 6, from its 5
 * characters, not its 7 bytes), Function 13 (the evil function; "main"
 * padded by 9), Average 7, Live 4, Live Size last. */
static void test_table_escaped_names(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=table"));
    evil_program();
    char *text = finish();
    assert_string_equal(text,
        EVIL_HEADER
        "In 2 blocks of 70.0 B on average; 2 live at exit.\n"
        " Source Location  || Count || Size  || Type        "
        "|| Function      || Average || Live || Live Size\n"
        " " EVIL_FILE_SHOWN ":4 || 1     || 100 B || " EVIL_TYPE_SHOWN " "
        "|| " EVIL_FUNC_SHOWN " || 100 B   || 1    || 100 B\n"
        " prog.fk:2        || 1     || 40 B  || " GROESSE "       "
        "|| main          || 40 B    || 1    || 40 B\n");
    free(text);
}

/* The frames of a call path show their names alike: the table of
 * test_table_escaped_names, each row followed by its one path. */
static void test_table_escaped_frames(void **state) {
    (void)state;
    vm_start(VM_WORDS(STACKS));
    evil_program();
    char *text = finish();
    assert_string_equal(text,
        EVIL_HEADER
        "In 2 blocks of 70.0 B on average; 2 live at exit.\n"
        " Source Location  || Count || Size  || Type        "
        "|| Function      || Average || Live || Live Size\n"
        " " EVIL_FILE_SHOWN ":4 || 1     || 100 B || " EVIL_TYPE_SHOWN " "
        "|| " EVIL_FUNC_SHOWN " || 100 B   || 1    || 100 B\n"
        "    at " EVIL_FUNC_SHOWN " (" EVIL_FILE_SHOWN ":4)\n"
        "    at main (prog.fk:5)\n"
        " prog.fk:2        || 1     || 40 B  || " GROESSE "       "
        "|| main          || 40 B    || 1    || 40 B\n"
        "    at main (prog.fk:2)\n");
    free(text);
}

/* The leaks report's retainers: a root named by the VM holding an OSC
 * sequence (ESC ] 0 ; title BEL, which sets a terminal's title), then the
 * evil type.  The block is counted through the fast door with no memory
 * behind it.  Widths: Source Location 16, Live 4, Live Size 9, Type 11,
 * Function last. */
static void test_leaks_escaped_names(void **state) {
    (void)state;
    static const char root[] = "global \x1b]0;title\x07";
    vm_start(VM_WORDS("--memtracer.Output=leaks"));
    mt_type type = evil_type();
    mt_tag tag = mt_alloc_at(mt_site_at(evil_func(), 4, type), 100);
    mt_retained_tagged(tag, 100,
                       mt_retainer_child(
                           mt_retainer_root(root, sizeof root - 1), type));
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 1 allocation, 100 B; peak 100 B live; "
        "1 live at exit (100 B).\n"
        "Live at exit: 1 block, 100 B, by where they were made and what "
        "keeps them alive.\n"
        " Source Location  || Live || Live Size || Type        || Function\n"
        " " EVIL_FILE_SHOWN ":4 || 1    || 100 B     || " EVIL_TYPE_SHOWN
        " || " EVIL_FUNC_SHOWN "\n"
        "   kept alive by global \\x1b]0;title\\x07 \xe2\x86\x92 "
        EVIL_TYPE_SHOWN ": 1 object, 100 B\n");
    free(text);
}

/* The histogram: Location 16 ("Größe\n\xff.fk:3", where the function
 * is defined: 14 + 2; "prog.fk:1" padded by 7), the name last.  main:
 * self the Größe (40 B), total both objects (140 B); the evil function:
 * its object (100 B). */
static void test_histogram_escaped_names(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=histogram"));
    evil_program();
    char *text = finish();
    assert_string_equal(text,
        EVIL_HEADER
        " Self Count || Self Size || Total Count || Total Size "
        "|| Location         || Name\n"
        " 1          || 40 B      || 2           || 140 B      "
        "|| prog.fk:1        || main\n"
        " 1          || 100 B     || 1           || 100 B      "
        "|| " EVIL_FILE_SHOWN ":3 || " EVIL_FUNC_SHOWN "\n");
    free(text);
}

/* The call tree: the evil function's line, under main, one line. */
static void test_calltree_escaped_names(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=calltree"));
    evil_program();
    char *text = finish();
    assert_string_equal(text,
        EVIL_HEADER
        "<root> (prog.fk) total=2 (140 B) self=0 (0 B)\n"
        "  main (prog.fk:1) total=2 (140 B) self=1 (40 B)\n"
        "    " EVIL_FUNC_SHOWN " (" EVIL_FILE_SHOWN ":3) total=1 (100 B) "
        "self=1 (100 B) from line 5\n");
    free(text);
}

/* The type histogram: Type 11 (the evil type; Größe padded by 6). */
static void test_typehistogram_escaped_names(void **state) {
    (void)state;
    vm_start(VM_WORDS("--memtracer.Output=typehistogram"));
    evil_program();
    char *text = finish();
    assert_string_equal(text,
        EVIL_HEADER
        " Type        || Count || Size\n"
        " " EVIL_TYPE_SHOWN " || 1     || 100 B\n"
        " " GROESSE "       || 1     || 40 B\n");
    free(text);
}

/* Each rule of the escaping, one storage type per row (sizes 9 B down to
 * 2 B fix the order); each type's width as shown beside it:
 *   "a\rb" DEL         a\rb\x7f                 1 + 2 + 1 + 4 = 8
 *   "nul", NUL, "end"  nul\x00end               3 + 4 + 3 = 10
 *   "c1", U+009F (the last C1), " nbsp", U+00A0 (no control: as is)
 *                      c1\u009f nbsp<U+00A0>    2 + 6 + 5 + 1 = 14
 *   "cut", E2 82 (a sequence cut short: two stray bytes)
 *                      cut\xe2\x82              3 + 8 = 11
 *   "overlong", C0 AF  overlong\xc0\xaf         8 + 8 = 16
 *   "surrogate", ED A0 80 (U+D800)
 *                      surrogate\xed\xa0\x80    9 + 12 = 21
 *   "smile", U+1F600   as it is                 5 + 1 = 6
 *   "back\slash"       as it is (a backslash is no control)  10
 * Type is 21 wide. */
static void test_typehistogram_escapes(void **state) {
    (void)state;
    static const struct {
        const char *name;
        size_t len;
    } types[] = {
        {"a\rb\x7f", 4},
        {"nul\0end", 7},
        {"c1\xc2\x9f nbsp\xc2\xa0", 11},
        {"cut\xe2\x82", 5},
        {"overlong\xc0\xaf", 10},
        {"surrogate\xed\xa0\x80", 12},
        {"smile\xf0\x9f\x98\x80", 9},
        {"back\\slash", 10},
    };
    vm_start(VM_WORDS("--memtracer.Output=typehistogram"));
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        mt_type type = mt_type_intern(types[i].name, types[i].len,
                                      MT_KIND_STORAGE);
        keep(vm_new(9 - i, type, F_MAIN, 2));
    }
    char *text = finish();
    assert_string_equal(text,
        "Memory Tracer. Recorded 0 allocations, 44 B; peak 44 B live; "
        "0 live at exit (44 B).\n"
        " Type                  || Count || Size\n"
        " a\\rb\\x7f              || 1     || 9 B\n"
        " nul\\x00end            || 1     || 8 B\n"
        " c1\\u009f nbsp\xc2\xa0        || 1     || 7 B\n"
        " cut\\xe2\\x82           || 1     || 6 B\n"
        " overlong\\xc0\\xaf      || 1     || 5 B\n"
        " surrogate\\xed\\xa0\\x80 || 1     || 4 B\n"
        " smile\xf0\x9f\x98\x80                || 1     || 3 B\n"
        " back\\slash            || 1     || 2 B\n");
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_with_stacks),
        cmocka_unit_test(test_table_more_paths),
        cmocka_unit_test(test_table_top),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_histogram_recursion),
        cmocka_unit_test(test_calltree),
        cmocka_unit_test(test_calltree_folded),
        cmocka_unit_test(test_typehistogram),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_digits),
        cmocka_unit_test(test_json_nul_in_names),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_json_strings_valid),
        cmocka_unit_test(test_json_frame_strings_valid),
        cmocka_unit_test(test_table_escaped_names),
        cmocka_unit_test(test_table_escaped_frames),
        cmocka_unit_test(test_leaks_escaped_names),
        cmocka_unit_test(test_histogram_escaped_names),
        cmocka_unit_test(test_calltree_escaped_names),
        cmocka_unit_test(test_typehistogram_escaped_names),
        cmocka_unit_test(test_typehistogram_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
