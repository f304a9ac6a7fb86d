/*
 * live.h -- the live table: every block the tracer has seen obtained and
 * not yet released, so a free knows its site and size.
 */
#ifndef MT_LIVE_H
#define MT_LIVE_H

#include <stdint.h>

#include "site.h"

typedef enum mt_live_kind {
    MT_LIVE_OBJECT,   /* counted in allocations and frees */
    MT_LIVE_STORAGE,  /* an object's storage: bytes only */
} mt_live_kind;

typedef struct mt_live {
    const void *ptr;
    mt_site *site;    /* where it was counted (record.c) */
    size_t size;
    mt_live_kind kind;
} mt_live;

/* Results of mt_live_add. */
#define MT_LIVE_LOST 0      /* no memory: not recorded */
#define MT_LIVE_ADDED 1
#define MT_LIVE_REPLACED 2  /* ptr was live already: *stale holds that entry */

void mt_live_begin(void);
int mt_live_add(const mt_live *entry, mt_live *stale);
/* Removes ptr's entry, copying it to *out; false when ptr is not live. */
int mt_live_take(const void *ptr, mt_live *out);

#endif
