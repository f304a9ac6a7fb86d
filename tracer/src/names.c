/*
 * names.c -- interning of guest types and functions (mt_type_intern,
 * mt_func_intern).
 *
 * Ids index arrays of records, so an event turns an id into a name in one
 * load; a bucket table on the name (types: name and kind; functions: name,
 * file and line, since two functions may share a name) makes interning
 * idempotent.  Interning may happen before mt_start, so the arrays set
 * themselves up on first use.
 */
#include "names.h"

#include <stdatomic.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "out.h"
#include "state.h"

#define FIRST_NAMES 64
#define MAX_NAMES UINT32_MAX

static struct {
    tr_type *types;
    size_t type_count, type_cap;
    tr_buckets type_buckets;
    tr_func *funcs;
    size_t func_count, func_cap;
    tr_buckets func_buckets;
} names;

static const tr_type internal_type = {.name = "<internal>", .len = 10};
static const tr_func root_func = {.name = "<root>", .name_len = 6};

static uint64_t type_hash_of(const char *name, size_t len, mt_kind kind) {
    return tr_hash_pair(tr_hash_bytes(name, len), (uint64_t)kind);
}

uint64_t tr_func_shown_hash(const char *name, size_t name_len,
                            const char *file, size_t file_len) {
    return tr_hash_pair(tr_hash_bytes(name, name_len),
                        tr_hash_bytes(file, file_len));
}

/* A function's key: its name and file, as shown, and its line. */
static uint64_t func_hash_of(uint64_t shown_hash, int line) {
    return tr_hash_pair(shown_hash, (uint64_t)(uint32_t)line);
}

static uint64_t type_rehash(uint32_t id) {
    const tr_type *t = &names.types[id];
    return type_hash_of(t->name, t->len, t->kind);
}

static uint32_t *type_next(uint32_t id) { return &names.types[id].next_in_bucket; }

static uint64_t func_rehash(uint32_t id) {
    const tr_func *f = &names.funcs[id];
    return func_hash_of(f->shown_hash, f->line);
}

static uint32_t *func_next(uint32_t id) { return &names.funcs[id].next_in_bucket; }

static const tr_chain type_chain = {type_rehash, type_next, 1};
static const tr_chain func_chain = {func_rehash, func_next, 1};

/* Sets up the arrays with the records every tracer has: type 0 and
 * function 0.  False (and retried next time) when memory is exhausted. */
static bool names_ready(void) {
    if (names.func_count > 0) return true;
    if (!tr_array_grow(&names.types, &names.type_cap, 0, sizeof(tr_type),
                       FIRST_NAMES, MAX_NAMES) ||
        !tr_array_grow(&names.funcs, &names.func_cap, 0, sizeof(tr_func),
                       FIRST_NAMES, MAX_NAMES))
        return false;
    names.types[0] = internal_type;
    names.funcs[0] = root_func;
    names.type_count = names.func_count = 1;
    return true;
}

mt_type mt_type_intern(const char *name, size_t len, mt_kind kind) {
    if (!names_ready()) goto lost;
    uint64_t hash = type_hash_of(name, len, kind);
    if (names.type_buckets.heads != NULL) {
        for (uint32_t id = *tr_bucket(&names.type_buckets, hash); id != 0;
             id = names.types[id].next_in_bucket) {
            const tr_type *t = &names.types[id];
            if (t->kind == kind && t->len == len &&
                memcmp(t->name, name, len) == 0)
                return id;
        }
    }
    uint32_t id = (uint32_t)names.type_count;
    const char *copy = tr_mem_strdup(name, len);
    if (copy == NULL ||
        !tr_array_grow(&names.types, &names.type_cap, names.type_count,
                       sizeof(tr_type), FIRST_NAMES, MAX_NAMES) ||
        !tr_buckets_fit(&names.type_buckets, id, &type_chain))
        goto lost;
    names.types[id] = (tr_type){.name = copy, .len = len, .kind = kind,
                                .json_plain = tr_json_plain(name, len)};
    uint32_t *head = tr_bucket(&names.type_buckets, hash);
    names.types[id].next_in_bucket = *head;
    *head = id;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then counted */
    names.type_count++;
    return id;
lost:
    tr_state.lost_events++;
    return MT_TYPE_INTERNAL;
}

mt_func mt_func_intern(const char *name, size_t len, const char *file,
                       int line) {
    if (!names_ready()) goto lost;
    if (file == NULL) file = "";
    size_t file_len = strlen(file);
    uint64_t shown_hash = tr_func_shown_hash(name, len, file, file_len);
    uint64_t hash = func_hash_of(shown_hash, line);
    if (names.func_buckets.heads != NULL) {
        for (uint32_t id = *tr_bucket(&names.func_buckets, hash); id != 0;
             id = names.funcs[id].next_in_bucket) {
            const tr_func *f = &names.funcs[id];
            if (f->line == line && f->name_len == len &&
                f->file_len == file_len && memcmp(f->name, name, len) == 0 &&
                memcmp(f->file, file, file_len) == 0)
                return id;
        }
    }
    uint32_t id = (uint32_t)names.func_count;
    const char *name_copy = tr_mem_strdup(name, len);
    const char *file_copy = tr_mem_strdup(file, file_len);
    if (name_copy == NULL || file_copy == NULL ||
        !tr_array_grow(&names.funcs, &names.func_cap, names.func_count,
                       sizeof(tr_func), FIRST_NAMES, MAX_NAMES) ||
        !tr_buckets_fit(&names.func_buckets, id, &func_chain))
        goto lost;
    names.funcs[id] = (tr_func){
        .name = name_copy, .file = file_copy, .name_len = len,
        .file_len = file_len, .line = line,
        .shown_hash = shown_hash,
        .json_plain =
            tr_json_plain(name, len) && tr_json_plain(file, file_len)};
    uint32_t *head = tr_bucket(&names.func_buckets, hash);
    names.funcs[id].next_in_bucket = *head;
    *head = id;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then counted */
    names.func_count++;
    return id;
lost:
    tr_state.lost_events++;
    return 0;
}

tr_type *tr_type_of(mt_type id) {
    static tr_type unknown;
    if (id < names.type_count) return &names.types[id];
    unknown = internal_type;
    return &unknown;
}

tr_func *tr_func_of(mt_func id) {
    static tr_func unknown;
    if (id < names.func_count) return &names.funcs[id];
    unknown = root_func;
    return &unknown;
}

const char *tr_func_file(const tr_func *func) {
    if (func->file != NULL) return func->file;
    return tr_state.program != NULL ? tr_state.program : "";
}

uint32_t tr_type_count(void) { return (uint32_t)names.type_count; }
uint32_t tr_func_count(void) { return (uint32_t)names.func_count; }

void tr_names_forget_filters(void) {
    for (size_t i = 0; i < names.func_count; i++) names.funcs[i].listed = 0;
}

void tr_names_reset(void) { memset(&names, 0, sizeof names); }
