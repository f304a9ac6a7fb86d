/*
 * fakevm.c -- the fake VM of the library's tests (see fakevm.h).
 *
 * Its blocks are real: malloc'd, reported, freed, as an interpreter's
 * allocator does.  Its fast door follows langs/lox/memory.c: under
 * MT_TRACING(), the inline function first, the call when it answers
 * false.
 */
#include "fakevm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "memtracer/inline.h"

mt_type T_POINT, T_ARRAY, T_FIELDS, T_CHARS;
mt_func F_MAIN, F_MAKE, F_BUILD, F_FIB;

bool vm_walks_stack;
bool vm_inline;
unsigned long vm_inline_events;

static char folder[256];
static char report[300];
static mt_options options;

mt_func vm_func(const char *name, int line) {
    return mt_func_intern(name, strlen(name), VM_PROGRAM, line);
}

/* Names are interned before mt_start, as a VM does when it sets up: so a
 * test's MEMTRACER_FAIL_ALLOC_AFTER counts only what the events need. */
static void names_intern(void) {
    T_POINT = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    T_ARRAY = mt_type_intern("Array", 5, MT_KIND_OBJECT);
    T_FIELDS = mt_type_intern("Point fields", 12, MT_KIND_STORAGE);
    T_CHARS = mt_type_intern("String chars", 12, MT_KIND_STORAGE);
    F_MAIN = vm_func("main", 1);
    F_MAKE = vm_func("make", 10);
    F_BUILD = mt_func_intern("build", 5, "lib.fk", 20);
    F_FIB = vm_func("fib", 30);
}

int vm_start_status(const char *const *words) {
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-library-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
    snprintf(report, sizeof report, "%s/report", folder);
    mt_options_init(&options);
    bool named = false;
    for (; words != NULL && *words != NULL; words++) {
        assert_int_equal(mt_options_parse(&options, *words), MT_ARG_OK);
        if (strncmp(*words, "--memtracer.OutputFile=", 23) == 0) {
            snprintf(report, sizeof report, "%s", *words + 23);
            named = true;
        }
    }
    if (!named) {
        char word[sizeof report + 32];
        snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report);
        assert_int_equal(mt_options_parse(&options, word), MT_ARG_OK);
    }
    vm_walks_stack = false;
    vm_inline = false;
    vm_inline_events = 0;
    names_intern();
    int status = mt_start(&options, "fake", VM_PROGRAM);
    if (status != 0) {
        mt_options_free(&options);
        rmdir(folder);
    }
    return status;
}

void vm_start(const char *const *words) {
    int status = vm_start_status(words);
    if (status != 0) fail_msg("mt_start: %d: %s", status, mt_error());
}

const char *vm_folder(void) { return folder; }
const char *vm_report_path(void) { return report; }

char *vm_read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t size = 0, cap = 4096;
    char *text = malloc(cap);
    for (size_t n; text != NULL && (n = fread(text + size, 1, cap - size - 1,
                                               f)) > 0;) {
        size += n;
        if (cap - size == 1) text = realloc(text, cap *= 2);
    }
    fclose(f);
    if (text != NULL) text[size] = '\0';
    return text;
}

char *vm_finish(void) {
    assert_int_equal(mt_finish(), 0);
    mt_options_free(&options);
    char *text = vm_read_file(report);
    if (text == NULL) fail_msg("no report at %s", report);
    assert_int_equal(unlink(report), 0);
    /* Nothing else left behind: no temporary file beside the report. */
    assert_int_equal(rmdir(folder), 0);
    /* What differs from run to run: the folder's name, as <folder>, and
     * times (a JSON key ending in _ms or _ns), as 0. */
    size_t len = strlen(folder);
    for (char *at = text; (at = strstr(at, folder)) != NULL;) {
        memcpy(at, "<folder>", 8);
        memmove(at + 8, at + len, strlen(at + len) + 1);
        at += 8;
    }
    for (char *at = text; (at = strstr(at, "s\": ")) != NULL; at += 4) {
        if (at - text < 3 || at[-2] != '_' || (at[-1] != 'm' && at[-1] != 'n'))
            continue;
        char *digits = at + 4, *end = digits + strspn(digits, "0123456789.");
        if (end == digits) continue;
        *digits = '0';
        memmove(digits + 1, end, strlen(end) + 1);
    }
    return text;
}

json_t *vm_finish_json(void) {
    char *text = vm_finish();
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (root == NULL)
        fail_msg("the report is not JSON (line %d: %s):\n%s", error.line,
                 error.text, text);
    free(text);
    vm_check_consistent(root);
    return root;
}

/* ------------------------------------------------------------------ calls */

typedef struct frame {
    mt_func func;
    int call_line;
} frame;

static frame frames[4096];
static size_t depth;

void vm_call(mt_func callee, int call_line) {
    if (vm_walks_stack) {
        assert_true(depth < sizeof frames / sizeof frames[0]);
        frames[depth++] = (frame){callee, call_line};
        return;
    }
    MT_HOOK_CALL(callee, call_line);
}

void vm_return(void) {
    if (vm_walks_stack) {
        assert_true(depth > 0);
        depth--;
        return;
    }
    MT_HOOK_RETURN();
}

void vm_unwind(size_t to) {
    if (vm_walks_stack) {
        if (depth > to) depth = to;
        return;
    }
    MT_HOOK_UNWIND(to);
}

/* A stack-walking VM makes its frames the current path before a block:
 * from the outermost frame in. */
static void path_walk(void) {
    if (!vm_walks_stack || !MT_TRACING_CALLS()) return;
    mt_path path = mt_path_root();
    for (size_t i = 0; i < depth; i++)
        path = mt_path_child(path, frames[i].func, frames[i].call_line);
    mt_path_set(path);
}

/* ------------------------------------------------------- the simple door */

void *vm_new(size_t size, mt_type type, mt_func func, int line) {
    void *block = malloc(size > 0 ? size : 1);
    assert_non_null(block);
    path_walk();
    MT_HOOK_ALLOC(block, size, type, func, line);
    return block;
}

void *vm_resize(void *block, size_t old_size, size_t new_size, mt_type type,
                mt_func func, int line) {
    void *moved = NULL;
    if (new_size > 0) {
        moved = realloc(block, new_size);
        assert_non_null(moved);
        path_walk();
    } else {
        free(block);
    }
    MT_HOOK_RESIZE(block, old_size, moved, new_size, type, func, line);
    return moved;
}

void vm_delete(void *block, size_t size) {
    MT_HOOK_FREE(block, size);
    free(block);
}

/* --------------------------------------------------------- the fast door */

vm_block vm_new_at(mt_site site, size_t size) {
    vm_block block = {malloc(size > 0 ? size : 1), size, MT_TAG_UNTRACED};
    assert_non_null(block.mem);
    if (MT_TRACING()) {
        path_walk();
        if (vm_inline && mt_alloc_at_inline(site, size, &block.tag))
            vm_inline_events++;
        else
            block.tag = mt_alloc_at(site, size);
    }
    return block;
}

void vm_delete_at(vm_block *block) {
    if (MT_TRACING()) {
        if (vm_inline && mt_free_tagged_inline(block->tag, block->size))
            vm_inline_events++;
        else
            MT_HOOK_FREE_TAGGED(block->tag, block->size);
    }
    free(block->mem);
    *block = (vm_block){NULL, 0, MT_TAG_UNTRACED};
}

void vm_resize_at(mt_site site, vm_block *block, size_t size) {
    if (size == 0) {
        if (MT_TRACING())
            block->tag = mt_resize_at(site, block->tag, block->size, 0);
        free(block->mem);
        *block = (vm_block){NULL, 0, MT_TAG_UNTRACED};
        return;
    }
    void *moved = realloc(block->mem, size);
    assert_non_null(moved);
    if (MT_TRACING()) {
        path_walk();
        mt_tag tag;
        if (vm_inline &&
            mt_resize_at_inline(site, block->tag, block->size, size, &tag))
            vm_inline_events++;
        else
            tag = mt_resize_at(site, block->tag, block->size, size);
        block->tag = tag;
    }
    block->mem = moved;
    block->size = size;
}

/* ------------------------------------------------------------ the report */

/* The value at path, or NULL. */
static json_t *path_find(json_t *at, const char *path) {
    char part[128];
    while (at != NULL && *path != '\0') {
        size_t len = strcspn(path, ".");
        assert_true(len < sizeof part);
        memcpy(part, path, len);
        part[len] = '\0';
        path += len + (path[len] == '.');
        if (json_is_array(at)) {
            char *end;
            unsigned long i = strtoul(part, &end, 10);
            at = *end == '\0' ? json_array_get(at, i) : NULL;
        } else {
            at = json_object_get(at, part);
        }
    }
    return at;
}

json_t *jget(json_t *report, const char *path) {
    json_t *value = path_find(report, path);
    if (value == NULL) fail_msg("no %s in the report", path);
    return value;
}

bool jhas(json_t *report, const char *path) {
    return path_find(report, path) != NULL;
}

uint64_t jnum(json_t *report, const char *path) {
    json_t *value = jget(report, path);
    if (!json_is_integer(value) || json_integer_value(value) < 0)
        fail_msg("%s is not a count", path);
    return (uint64_t)json_integer_value(value);
}

const char *jstr(json_t *report, const char *path) {
    json_t *value = jget(report, path);
    if (!json_is_string(value)) fail_msg("%s is not a string", path);
    return json_string_value(value);
}

size_t jlen(json_t *report, const char *path) {
    json_t *value = jget(report, path);
    if (!json_is_array(value)) fail_msg("%s is not an array", path);
    return json_array_size(value);
}

void jexpect(json_t *report, const char *path, uint64_t value) {
    uint64_t found = jnum(report, path);
    if (found != value)
        fail_msg("%s is %llu, expected %llu", path, (unsigned long long)found,
                 (unsigned long long)value);
}

void jexpect_str(json_t *report, const char *path, const char *value) {
    const char *found = jstr(report, path);
    if (strcmp(found, value) != 0)
        fail_msg("%s is \"%s\", expected \"%s\"", path, found, value);
}

void jexpect_summary(json_t *r, vm_summary e) {
    const struct {
        const char *key;
        uint64_t value;
    } figures[] = {
        {"allocations", e.allocations},
        {"blocks", e.blocks},
        {"bytes", e.bytes},
        {"frees", e.frees},
        {"freed_blocks", e.freed_blocks},
        {"freed_bytes", e.freed_bytes},
        {"resizes", e.resizes},
        {"peak_bytes", e.peak_bytes},
        {"peak_at_allocation", e.peak_at_allocation},
        {"filtered_allocations", e.filtered_allocations},
        {"filtered_blocks", e.filtered_blocks},
        {"filtered_bytes", e.filtered_bytes},
        {"hidden_internal_blocks", e.hidden_internal_blocks},
        {"hidden_internal_bytes", e.hidden_internal_bytes},
        {"untracked_frees", e.untracked_frees},
        {"lost_events", e.lost_events},
    };
    char path[64];
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        snprintf(path, sizeof path, "summary.%s", figures[i].key);
        jexpect(r, path, figures[i].value);
    }
}

void jexpect_site(json_t *r, size_t index, vm_site e) {
    const struct {
        const char *key;
        uint64_t value;
    } figures[] = {
        {"line", (uint64_t)e.line},
        {"count", e.count},
        {"blocks", e.blocks},
        {"bytes", e.bytes},
        {"live_count", e.live_count},
        {"live_blocks", e.live_blocks},
        {"live_bytes", e.live_bytes},
        {"peak_count", e.peak_count},
        {"peak_bytes", e.peak_bytes},
    };
    const struct {
        const char *key, *value;
    } names[] = {
        {"file", e.file},
        {"function", e.function},
        {"type", e.type},
        {"kind", e.kind != NULL ? e.kind : "object"},
        {"phase", e.phase != NULL ? e.phase : "run"},
    };
    char path[64];
    if (index >= jlen(r, "sites"))
        fail_msg("no sites.%zu: %zu sites", index, jlen(r, "sites"));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "sites.%zu.%s", index, names[i].key);
        jexpect_str(r, path, names[i].value);
    }
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        snprintf(path, sizeof path, "sites.%zu.%s", index, figures[i].key);
        jexpect(r, path, figures[i].value);
    }
}

const char *jframes(json_t *r, const char *path) {
    static char text[4096];
    size_t used = 0;
    size_t i;
    json_t *frame;
    text[0] = '\0';
    json_array_foreach(jget(jget(r, path), "frames"), i, frame) {
        json_t *repeat = json_object_get(frame, "repeat");
        int n = snprintf(text + used, sizeof text - used, "%s%s %s:%llu",
                         i > 0 ? ", " : "", jstr(frame, "function"),
                         jstr(frame, "file"),
                         (unsigned long long)jnum(frame, "line"));
        if (n > 0) used += (size_t)n;
        if (repeat != NULL && used < sizeof text) {
            n = snprintf(text + used, sizeof text - used, " x%llu",
                         (unsigned long long)json_integer_value(repeat));
            if (n > 0) used += (size_t)n;
        }
        assert_true(used < sizeof text);
    }
    return text;
}

void jexpect_stack(json_t *r, const char *path, uint64_t count,
                   uint64_t blocks, uint64_t bytes, uint64_t truncated,
                   const char *frames) {
    json_t *stack = jget(r, path);
    const char *found = jframes(r, path);
    if (strcmp(found, frames) != 0)
        fail_msg("%s has frames \"%s\", expected \"%s\"", path, found,
                 frames);
    const struct {
        const char *key;
        uint64_t value;
    } figures[] = {{"count", count}, {"blocks", blocks}, {"bytes", bytes},
                   {"truncated_frames", truncated}};
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        uint64_t value = jnum(stack, figures[i].key);
        if (value != figures[i].value)
            fail_msg("%s.%s is %llu, expected %llu", path, figures[i].key,
                     (unsigned long long)value,
                     (unsigned long long)figures[i].value);
    }
}

/* bytes / blocks to one decimal, rounded half up, in tenths. */
static uint64_t tenths(uint64_t bytes, uint64_t blocks) {
    if (blocks == 0) return 0;
    return (uint64_t)(((unsigned __int128)bytes * 20 / blocks + 1) / 2);
}

/* The average as written; read as a double, it is exact to the tenth
 * below 2^53 tenths, and to a double's precision above. */
static void average_check(json_t *object, uint64_t bytes, uint64_t blocks) {
    double average = json_number_value(json_object_get(object, "average_size"));
    uint64_t expected = tenths(bytes, blocks);
    if (expected < (UINT64_C(1) << 53)) {
        assert_int_equal((uint64_t)(average * 10 + 0.5), expected);
        return;
    }
    double error = average * 10 - (double)expected;
    assert_true((error < 0 ? -error : error) <= (double)expected * 1e-15);
}

/* A site's stacks sum to its figures (at most, when events were lost). */
static void stacks_check(json_t *site, bool degraded) {
    json_t *stacks = json_object_get(site, "stacks");
    if (stacks == NULL) return;
    uint64_t count = 0, blocks = 0, bytes = 0;
    size_t i;
    json_t *stack;
    json_array_foreach(stacks, i, stack) {
        count += jnum(stack, "count");
        blocks += jnum(stack, "blocks");
        bytes += jnum(stack, "bytes");
        assert_true(jlen(stack, "frames") > 0);
    }
    if (degraded ? count > jnum(site, "count") ||
                       blocks > jnum(site, "blocks") ||
                       bytes > jnum(site, "bytes")
                 : count != jnum(site, "count") ||
                       blocks != jnum(site, "blocks") ||
                       bytes != jnum(site, "bytes"))
        fail_msg("the stacks of %s:%llu sum to %llu objects, %llu blocks, "
                 "%llu B; the site has %llu, %llu, %llu B",
                 jstr(site, "file"), (unsigned long long)jnum(site, "line"),
                 (unsigned long long)count, (unsigned long long)blocks,
                 (unsigned long long)bytes,
                 (unsigned long long)jnum(site, "count"),
                 (unsigned long long)jnum(site, "blocks"),
                 (unsigned long long)jnum(site, "bytes"));
}

void vm_check_consistent(json_t *r) {
    assert_string_equal(jstr(r, "format"), "memtracer");
    assert_int_equal(jnum(r, "version"), 2);
    assert_true(jhas(r, "exit.status") && jhas(r, "exit.reason"));
    bool degraded = json_is_true(jget(r, "summary.degraded"));
    assert_int_equal(degraded, jnum(r, "summary.lost_events") > 0);

    uint64_t count = 0, blocks = 0, bytes = 0, live_blocks = 0,
             live_bytes = 0, live_count = 0, peak = 0;
    size_t i;
    json_t *site;
    json_array_foreach(jget(r, "sites"), i, site) {
        bool object = strcmp(jstr(site, "kind"), "object") == 0;
        assert_true(object || strcmp(jstr(site, "kind"), "storage") == 0);
        /* count is objects: a storage site's blocks are no objects */
        assert_int_equal(jnum(site, "count"), object ? jnum(site, "blocks") : 0);
        assert_int_equal(jnum(site, "live_count"),
                         object ? jnum(site, "live_blocks") : 0);
        assert_true(jnum(site, "blocks") > 0);
        assert_true(jnum(site, "live_blocks") <= jnum(site, "blocks"));
        assert_true(jnum(site, "live_bytes") <= jnum(site, "bytes"));
        assert_true(jnum(site, "peak_bytes") <= jnum(site, "bytes"));
        assert_true(jnum(site, "peak_count") <= jnum(site, "count"));
        average_check(site, jnum(site, "bytes"), jnum(site, "blocks"));
        stacks_check(site, degraded);
        count += jnum(site, "count");
        blocks += jnum(site, "blocks");
        bytes += jnum(site, "bytes");
        live_count += jnum(site, "live_count");
        live_blocks += jnum(site, "live_blocks");
        live_bytes += jnum(site, "live_bytes");
        peak += jnum(site, "peak_bytes");
    }
    json_t *s = jget(r, "summary");
    assert_int_equal(jnum(s, "allocations"),
                     count + jnum(s, "filtered_allocations"));
    assert_int_equal(jnum(s, "blocks"), blocks + jnum(s, "filtered_blocks"));
    assert_int_equal(jnum(s, "bytes"), bytes + jnum(s, "filtered_bytes"));
    assert_int_equal(jnum(s, "bytes") - jnum(s, "freed_bytes"),
                     jnum(s, "live_bytes"));
    assert_int_equal(jnum(s, "blocks") - jnum(s, "freed_blocks"),
                     jnum(s, "live_blocks"));
    assert_int_equal(jnum(s, "allocations") - jnum(s, "frees"),
                     jnum(s, "live_allocations"));
    assert_true(jnum(s, "peak_bytes") >= jnum(s, "live_bytes"));
    assert_true(jnum(s, "peak_at_allocation") <= jnum(s, "allocations"));
    average_check(s, jnum(s, "bytes"), jnum(s, "blocks"));
    if (jnum(s, "filtered_blocks") == 0) {
        assert_int_equal(live_count, jnum(s, "live_allocations"));
        assert_int_equal(live_blocks, jnum(s, "live_blocks"));
        assert_int_equal(live_bytes, jnum(s, "live_bytes"));
        if (peak != jnum(s, "peak_bytes"))
            fail_msg("the sites' peak_bytes sum to %llu, summary.peak_bytes "
                     "is %llu", (unsigned long long)peak,
                     (unsigned long long)jnum(s, "peak_bytes"));
    }
}
