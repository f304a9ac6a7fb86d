/*
 * names.h -- interned guest types and functions.
 *
 * A VM names each type and function once; events then carry small ids and
 * the tracer turns them back into records here.  Type 0 is <internal>;
 * function 0 is <root>, the frame outside every guest function, whose file
 * is the program being traced.
 */
#ifndef MT_NAMES_H
#define MT_NAMES_H

#include <stdint.h>

#include "memtracer.h"
#include "mt_uthash.h"

typedef struct mt_type_rec {
    const char *name;
    size_t len;
    mt_type id;
    uint64_t count, bytes;      /* report scratch: totals over sites */
    UT_hash_handle hh;
} mt_type_rec;

typedef struct mt_func_rec {
    const char *key;            /* name NUL file NUL line: the intern key */
    size_t key_len;
    const char *name, *file;    /* file NULL: the program (for <root>) */
    int line;
    mt_func id;
    int8_t verdict;             /* filters: 0 not yet judged, 1 keep, -1 drop */
    unsigned on_path;           /* report scratch: occurrences on the walk */
    uint64_t self_count, total_count;
    UT_hash_handle hh;
} mt_func_rec;

/* Never NULL: an unknown id gives <internal> / <root>. */
mt_type_rec *mt_names_type(mt_type id);
mt_func_rec *mt_names_func(mt_func id);
const char *mt_names_func_file(const mt_func_rec *f);

/* The hash tables themselves, for the report writers to sort and walk. */
mt_type_rec **mt_names_types_table(void);
mt_func_rec **mt_names_funcs_table(void);

/* Forgets every filter verdict (the options changed). */
void mt_names_reset_verdicts(void);
/* Forgets everything; the memory itself goes with mt_mem_release_all. */
void mt_names_reset(void);

#endif
