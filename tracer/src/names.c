/*
 * names.c -- interning of guest types and functions (mt_type_intern,
 * mt_func_intern).
 *
 * Ids index an array of records, so an event turns an id into a name in
 * one load; a hash on the name (types) or on name+file+line (functions:
 * two functions may share a name) makes interning idempotent.  Interning
 * may happen before mt_start, so the tables set themselves up on first use.
 */
#include "names.h"

#include <string.h>

#include "state.h"

static mt_type_rec internal_type = {.name = "<internal>", .len = 10};
static mt_func_rec root_func = {.name = "<root>"};

static struct {
    mt_type_rec **types;
    uint32_t ntypes, types_cap;
    mt_type_rec *types_by_name;
    mt_func_rec **funcs;
    uint32_t nfuncs, funcs_cap;
    mt_func_rec *funcs_by_key;
    mt_pool type_pool, func_pool;
} n;

/* Makes room for one more id; false when memory is exhausted. */
static int grow(void *array_ptr, uint32_t count, uint32_t *cap) {
    void ***array = array_ptr;
    if (count < *cap) return 1;
    uint32_t new_cap = *cap ? *cap * 2 : 64;
    void **bigger = mt_mem_alloc(new_cap * sizeof(void *));
    if (bigger == NULL) return 0;
    if (*array != NULL) {
        memcpy(bigger, *array, count * sizeof(void *));
        mt_mem_free(*array);
    }
    *array = bigger;
    *cap = new_cap;
    return 1;
}

/* Builds a function's intern key into buf: name NUL file NUL line. */
static size_t func_key(char *buf, const char *name, size_t name_len,
                       const char *file, size_t file_len, int line) {
    memcpy(buf, name, name_len);
    buf[name_len] = '\0';
    memcpy(buf + name_len + 1, file, file_len + 1);
    memcpy(buf + name_len + 1 + file_len + 1, &line, sizeof line);
    return name_len + 1 + file_len + 1 + sizeof line;
}

/* Sets up the tables with the two records every tracer has: type 0 and
 * function 0.  False (and retried next time) when memory is exhausted. */
static int names_ready(void) {
    static char root_key[16];
    if (n.nfuncs > 0) return 1;
    if (n.type_pool.item_size == 0) {
        mt_pool_init(&n.type_pool, sizeof(mt_type_rec));
        mt_pool_init(&n.func_pool, sizeof(mt_func_rec));
    }
    if (!grow(&n.types, 0, &n.types_cap) || !grow(&n.funcs, 0, &n.funcs_cap))
        return 0;
    if (n.ntypes == 0) {
        mt_hash_oom = 0;
        HASH_ADD_KEYPTR(hh, n.types_by_name, internal_type.name,
                        internal_type.len, &internal_type);
        if (mt_hash_oom) return 0;
        n.types[n.ntypes++] = &internal_type;
    }
    root_func.key = root_key;
    root_func.key_len = func_key(root_key, "<root>", 6, "", 0, 0);
    mt_hash_oom = 0;
    HASH_ADD_KEYPTR(hh, n.funcs_by_key, root_func.key, root_func.key_len,
                    &root_func);
    if (mt_hash_oom) return 0;
    n.funcs[n.nfuncs++] = &root_func;
    return 1;
}

mt_type mt_type_intern(const char *name, size_t len) {
    if (!names_ready()) goto lost;
    mt_type_rec *t;
    HASH_FIND(hh, n.types_by_name, name, len, t);
    if (t != NULL) return t->id;
    if (!grow(&n.types, n.ntypes, &n.types_cap)) goto lost;
    t = mt_pool_get(&n.type_pool);
    if (t == NULL) goto lost;
    t->name = mt_mem_strdup(name, len);
    if (t->name == NULL) goto lost_record;
    t->len = len;
    t->id = n.ntypes;
    mt_hash_oom = 0;
    HASH_ADD_KEYPTR(hh, n.types_by_name, t->name, t->len, t);
    if (mt_hash_oom) goto lost_record;
    n.types[n.ntypes++] = t;
    return t->id;
lost_record:
    mt_pool_put(&n.type_pool, t);
lost:
    mt_g.lost_events++;
    return MT_TYPE_INTERNAL;
}

mt_func mt_func_intern(const char *name, size_t name_len, const char *file,
                       int line) {
    if (!names_ready()) goto lost;
    if (file == NULL) file = "";
    size_t file_len = strlen(file);
    size_t key_len = name_len + 1 + file_len + 1 + sizeof line;
    char key_buf[512];
    char *key = key_len <= sizeof key_buf ? key_buf : mt_mem_alloc(key_len);
    if (key == NULL) goto lost;
    func_key(key, name, name_len, file, file_len, line);

    mt_func_rec *f;
    mt_func id = 0;
    HASH_FIND(hh, n.funcs_by_key, key, key_len, f);
    if (f != NULL) {
        id = f->id;
        goto done;
    }
    if (!grow(&n.funcs, n.nfuncs, &n.funcs_cap)) goto lost_key;
    f = mt_pool_get(&n.func_pool);
    if (f == NULL) goto lost_key;
    char *copy = mt_mem_strdup(key, key_len);
    if (copy == NULL) {
        mt_pool_put(&n.func_pool, f);
        goto lost_key;
    }
    f->key = copy;
    f->key_len = key_len;
    f->name = copy;
    f->file = copy + name_len + 1;
    f->line = line;
    f->id = n.nfuncs;
    mt_hash_oom = 0;
    HASH_ADD_KEYPTR(hh, n.funcs_by_key, f->key, f->key_len, f);
    if (mt_hash_oom) {
        mt_pool_put(&n.func_pool, f);
        goto lost_key;
    }
    n.funcs[n.nfuncs++] = f;
    id = f->id;
done:
    if (key != key_buf) mt_mem_free(key);
    return id;
lost_key:
    if (key != key_buf) mt_mem_free(key);
lost:
    mt_g.lost_events++;
    return 0;
}

mt_type_rec *mt_names_type(mt_type id) {
    return id < n.ntypes ? n.types[id] : &internal_type;
}

mt_func_rec *mt_names_func(mt_func id) {
    return id < n.nfuncs ? n.funcs[id] : &root_func;
}

const char *mt_names_func_file(const mt_func_rec *f) {
    if (f->file != NULL) return f->file;
    return mt_g.program != NULL ? mt_g.program : "";
}

mt_type_rec **mt_names_types_table(void) { return &n.types_by_name; }
mt_func_rec **mt_names_funcs_table(void) { return &n.funcs_by_key; }

void mt_names_reset_verdicts(void) {
    root_func.verdict = 0;
    for (uint32_t i = 0; i < n.nfuncs; i++) n.funcs[i]->verdict = 0;
}

void mt_names_reset(void) {
    memset(&n, 0, sizeof n);
    memset(&internal_type.hh, 0, sizeof internal_type.hh);
    memset(&root_func.hh, 0, sizeof root_func.hh);
    internal_type.count = internal_type.bytes = 0;
    root_func.verdict = 0;
    root_func.on_path = 0;
    root_func.self_count = root_func.total_count = 0;
}
