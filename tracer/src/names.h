/*
 * names.h -- interned guest types and functions.
 *
 * A VM names each type and function once; events then carry small ids,
 * which index arrays of these records.  Type 0 is <internal>, the VM's own
 * memory; function 0 is <root>, the frame outside every guest function,
 * whose file is the program being traced.  A record may move when a name
 * is interned: hold ids, not pointers, across interning.
 */
#ifndef TR_NAMES_H
#define TR_NAMES_H

#include <stdint.h>

#include "memtracer/memtracer.h"

typedef struct tr_type {
    const char *name;
    size_t len;
    mt_kind kind;
    bool json_plain;            /* name needs no escaping in JSON */
    uint32_t next_in_bucket;
    /* report scratch: the sums over the type's sites, and the order */
    uint64_t report_blocks, report_bytes;
    uint32_t report_next;
} tr_type;

typedef struct tr_func {
    const char *name;
    const char *file;           /* NULL: the program (for <root>) */
    size_t name_len, file_len;
    int line;
    uint64_t shown_hash;        /* of name and file, as a frame shows them */
    bool json_plain;            /* name and file need no escaping in JSON */
    int8_t listed;              /* filters: 0 not judged, 1 yes, -1 no */
    uint32_t next_in_bucket;
    /* report scratch: allocations in the function itself and under it,
     * and the order */
    unsigned on_path;
    uint64_t self_count, self_bytes, total_count, total_bytes;
    uint32_t report_next;
} tr_func;

/* Never NULL: an unknown id gives <internal> / <root>. */
tr_type *tr_type_of(mt_type id);
tr_func *tr_func_of(mt_func id);
const char *tr_func_file(const tr_func *func);
/* The hash of a name and file: equal for functions a report shows alike. */
uint64_t tr_func_shown_hash(const char *name, size_t name_len,
                            const char *file, size_t file_len);
uint32_t tr_type_count(void);
uint32_t tr_func_count(void);

/* Forgets every function's filter result (the options changed). */
void tr_names_forget_filters(void);
/* Forgets everything; the memory itself goes with tr_mem_release_all. */
void tr_names_reset(void);

#endif
