/*
 * live.h -- the live table: every block the tracer has seen obtained and
 * not yet released, so a free knows its site and size.
 */
#ifndef MT_LIVE_H
#define MT_LIVE_H

#include <stdint.h>

#include "mt_uthash.h"
#include "site.h"

typedef enum mt_live_kind {
    MT_LIVE_OBJECT,   /* counted in allocations and frees */
    MT_LIVE_STORAGE,  /* an object's storage: bytes only */
    MT_LIVE_HIDDEN,   /* an <internal> block kept out of the figures */
} mt_live_kind;

typedef struct mt_live {
    const void *ptr;
    mt_site *site;    /* NULL: filtered out, or hidden */
    size_t size;
    mt_live_kind kind;
    UT_hash_handle hh;
} mt_live;

void mt_live_begin(void);
/* A new entry for ptr (which must not be in the table), or NULL when memory
 * is exhausted. */
mt_live *mt_live_add(const void *ptr, mt_site *site, size_t size,
                     mt_live_kind kind);
/* Removes ptr's entry, copying it to *out; false when ptr is not in the
 * table. */
int mt_live_take(const void *ptr, mt_live *out);

#endif
