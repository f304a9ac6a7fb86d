/*
 * where.c -- the tracer's site of each allocation, remembered by bytecode
 * position.
 *
 * A traced allocation needs its site: the function and line running in
 * the innermost frame, then the tracer's look-up of (function, line,
 * type).  A program allocates from few instructions over and over, and an
 * instruction says both function and line, so a chunk that allocates
 * while tracing gets a table beside its code: for each instruction, the
 * type last allocated there and its site.  A hit is an index and a
 * compare (an empty slot's site is NULL: a miss).  An instruction nearly
 * always allocates one type (an object and its storage share their
 * owner's), so one entry each is enough.
 *
 * The table lives and dies with its chunk, so a freed function's code
 * address reused by another's never finds a stale site.  It is tracing's
 * memory, not the program's: plain calloc, outside the collector's
 * accounting, so tracing never moves a collection.
 */
#include "where.h"

#include <stdlib.h>

#include "compiler.h"

mt_site *where_find(CallFrame *frame, mt_type type) {
    if (frame == NULL)
        return mt_site_at(compiler_mt_func(), compiler_line(), type);
    mt_site *site = mt_site_at(vm_current_mt_func(), vm_current_line(), type);
    /* Where the tracer had no memory for a row (a site whose tag is none)
     * is not remembered: the next time may find some. */
    if (((mt_site_head *)site)->tag == MT_TAG_NONE) return site;
    Chunk *chunk = &frame->closure->function->chunk;
    if (chunk->sites == NULL) {
        /* ip runs from the first instruction to just past the last. */
        chunk->sites = calloc((size_t)chunk->count + 1, sizeof(where_slot));
        if (chunk->sites == NULL) return site;
    }
    chunk->sites[frame->ip - chunk->code] = (where_slot){type, site};
    return site;
}

void where_chunk_free(Chunk *chunk) {
    free(chunk->sites);
    chunk->sites = NULL;
}
