/*
 * where.c -- the tracer's view of the Lox VM (see where.h).
 *
 * A traced allocation needs its site: the function and line running in
 * the innermost frame, then the tracer's look-up of (function, line,
 * type).  A program allocates from few instructions over and over, and an
 * instruction says both function and line, so a chunk that allocates
 * while tracing gets a table beside its code: for each instruction, the
 * type last allocated there and its site.  A hit is an index and a
 * compare.  An instruction nearly always allocates one type, so one entry
 * each is enough.  The table lives and dies with its chunk; it is
 * tracing's memory, not the program's: calloc or a mapping, outside the
 * collector's accounting, so tracing never moves a collection.
 *
 * Outside the VM's frames the program is being compiled (the function
 * being compiled, at the line being parsed) or the VM is starting up (the
 * natives, `args`): the tracer hears of these as their own phases.
 */
#include "where.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "compiler.h"

WhereNames where_names;

/* Recent answers of mt_path_child, which are for good once given: a
 * direct-mapped cache by (parent, callee, call line). */
typedef struct PathMemo {
    mt_path parent, child;
    mt_func callee;
    int line;
} PathMemo;

#define PATH_MEMO_BITS 8
static PathMemo path_memo[1u << PATH_MEMO_BITS];

static const char *const object_names[OBJ_TYPE_COUNT] = {
    [OBJ_ARRAY] = "Array",       [OBJ_BOUND_METHOD] = "BoundMethod",
    [OBJ_CLASS] = "Class",       [OBJ_CLOSURE] = "Closure",
    [OBJ_FUNCTION] = "Function", [OBJ_NATIVE] = "Native",
    [OBJ_STRING] = "String",     [OBJ_UPVALUE] = "Upvalue",
};

static const char *const storage_names[OWNER_COUNT] = {
    [OWNER_ARRAY_ELEMENTS] = "Array elements",
    [OWNER_CLOSURE_UPVALUES] = "Closure upvalues",
    [OWNER_FUNCTION_CODE] = "Function code",
    [OWNER_FUNCTION_CONSTANTS] = "Function constants",
    [OWNER_STRING_CHARS] = "String chars",
};

void where_begin(void) {
    for (int i = 0; i < OBJ_TYPE_COUNT; i++)
        if (object_names[i] != NULL)
            where_names.objects[i] = mt_type_intern(
                object_names[i], strlen(object_names[i]), MT_KIND_OBJECT);
    for (int i = 0; i < OWNER_COUNT; i++)
        if (storage_names[i] != NULL)
            where_names.storage[i] = mt_type_intern(
                storage_names[i], strlen(storage_names[i]), MT_KIND_STORAGE);
    where_names.startup = mt_func_intern("[start-up]", 10, "[start-up]", 0);
    where_names.root = mt_path_root();
    memset(path_memo, 0, sizeof path_memo);
}

mt_type where_class_named(ObjClass *klass, int which) {
    const char *name = klass->name->chars;
    size_t length = (size_t)klass->name->length;
    char *text = malloc(length + sizeof " methods");
    if (text == NULL) return MT_TYPE_INTERNAL;
    memcpy(text, name, length);
    klass->trace_types[CLASS_INSTANCES] =
        mt_type_intern(name, length, MT_KIND_OBJECT);
    memcpy(text + length, " fields", 7);
    klass->trace_types[CLASS_FIELDS] =
        mt_type_intern(text, length + 7, MT_KIND_STORAGE);
    memcpy(text + length, " methods", 8);
    mt_type methods = mt_type_intern(text, length + 8, MT_KIND_STORAGE);
    free(text);
    return which == CLASS_METHODS ? methods : klass->trace_types[which];
}

/* The tracer's name of a function: a method's is Class.method. */
static mt_func function_named(ObjFunction *function) {
    if (function->trace_name != 0) return function->trace_name - 1;
    const char *name = "<script>";
    size_t length = strlen(name);
    char *qualified = NULL;
    if (function->name != NULL) {
        name = function->name->chars;
        length = (size_t)function->name->length;
    }
    if (function->class_name != NULL) {
        size_t class_length = (size_t)function->class_name->length;
        qualified = malloc(class_length + 1 + length);
        if (qualified != NULL) {
            memcpy(qualified, function->class_name->chars, class_length);
            qualified[class_length] = '.';
            memcpy(qualified + class_length + 1, name, length);
            name = qualified;
            length += class_length + 1;
        }
    }
    mt_func func = mt_func_intern(name, length, vm.script_name, function->line);
    free(qualified);
    function->trace_name = func + 1;
    return func;
}


/* Outside the VM's frames: compiling, or starting up. */
static mt_site site_outside(mt_type type) {
    mt_site site;
    if (compiler_active()) {
        ObjFunction *compiling = compiler_function();
        mt_phase_set(MT_PHASE_COMPILE);
        /* Before the script's own function exists, what the compiler
         * makes is the script's. */
        mt_func func = compiling != NULL
                           ? function_named(compiling)
                           : mt_func_intern("<script>", 8, vm.script_name, 1);
        site = mt_site_at(func, compiler_line(), type);
    } else {
        mt_phase_set(MT_PHASE_STARTUP);
        site = mt_site_at(where_names.startup, 0, type);
    }
    mt_phase_set(MT_PHASE_RUN);
    return site;
}

/* A chunk's table of count instructions: ip runs from the first to just
 * past the last.  A large one is mapped from the system: a large malloc
 * would make glibc consolidate the program's freed chunks, work an
 * untraced run never does. */
#define SITES_MAPPED_MIN ((size_t)1024)

static size_t sites_bytes(int count) {
    return ((size_t)count + 1) * WHERE_KINDS * sizeof(WhereSite);
}

static WhereSite *sites_new(int count) {
    size_t bytes = sites_bytes(count);
    if (bytes < SITES_MAPPED_MIN) return calloc(1, bytes);
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return map != MAP_FAILED ? map : NULL;
}

mt_site where_find(CallFrame *frame, mt_type type, int kind) {
    if (frame == NULL) return site_outside(type);
    mt_site site = mt_site_at(function_named(frame->closure->function),
                              where_frame_line(frame), type);
    Chunk *chunk = &frame->closure->function->chunk;
    if (chunk->sites == NULL) {
        chunk->sites = sites_new(chunk->count);
        if (chunk->sites == NULL) return site;
    }
    chunk->sites[(frame->ip - chunk->code) * WHERE_KINDS + kind] =
        (WhereSite){type, site};
    return site;
}

static inline PathMemo *path_memo_at(mt_path parent, mt_func callee,
                                     int line) {
    uint32_t hash = parent * 0x9E3779B1u ^ callee * 0x85EBCA77u ^
                    (uint32_t)line * 0xC2B2AE3Du;
    return &path_memo[hash >> (32 - PATH_MEMO_BITS)];
}

static inline bool path_memo_has(const PathMemo *memo, mt_path parent,
                                 mt_func callee, int line) {
    return memo->child != 0 && memo->parent == parent &&
           memo->callee == callee && memo->line == line;
}

static mt_path path_child(mt_path parent, mt_func callee, int line) {
    PathMemo *memo = path_memo_at(parent, callee, line);
    if (path_memo_has(memo, parent, callee, line)) return memo->child;
    mt_path child = mt_path_child(parent, callee, line);
    /* The parent itself: the tracer had no memory for the child. */
    if (child != parent) *memo = (PathMemo){parent, child, callee, line};
    return child;
}

/* The call path of the frame at depth, built if it has none: each call is
 * made from the line its caller is at, the outermost from nowhere. */
static __attribute__((noinline)) mt_path frame_path(int depth) {
    CallFrame *frame = &vm.frames[depth];
    if (frame->trace_path != 0) return frame->trace_path;
    mt_path parent = depth > 0 ? frame_path(depth - 1) : where_names.root;
    int line = depth > 0 ? where_frame_line(frame - 1) : 0;
    frame->trace_path =
        path_child(parent, function_named(frame->closure->function), line);
    return frame->trace_path;
}

/* Mostly the innermost frame alone has no path, its function is named,
 * and the memo has its caller's answer: that case first, inline. */
void where_path_build(CallFrame *frame) {
    if (frame != NULL && frame > vm.frames && frame[-1].trace_path != 0 &&
        frame->closure->function->trace_name != 0) {
        mt_path parent = frame[-1].trace_path;
        mt_func callee = frame->closure->function->trace_name - 1;
        int line = where_frame_line(frame - 1);
        const PathMemo *memo = path_memo_at(parent, callee, line);
        if (path_memo_has(memo, parent, callee, line)) {
            frame->trace_path = memo->child;
            mt_path_current_set(memo->child);
            return;
        }
    }
    mt_path_current_set(frame != NULL ? frame_path((int)(frame - vm.frames))
                                      : where_names.root);
}

void where_sites_free(struct WhereSite *sites, int count) {
    if (sites == NULL) return;
    size_t bytes = sites_bytes(count);
    if (bytes < SITES_MAPPED_MIN)
        free(sites);
    else
        munmap(sites, bytes);
}

/* -------------------------------------------------- in-script control */

bool where_recording(bool on) { return mt_recording(on); }

void where_reset(void) { mt_reset(); }

bool where_snapshot(const char *path) {
    if (!MT_TRACING()) return false;
    if (mt_snapshot(path) == 0) return true;
    fprintf(stderr, "lox: %s\n", mt_error());
    return false;
}
