/*
 * live.c -- the live table, a uthash from block address to entry.
 *
 * Entries come from a pool and go back to it on release, so a program that
 * allocates and frees in a steady state costs the tracer no memory traffic
 * at all.
 */
#include "live.h"

#include <string.h>

static struct {
    mt_live *table;
    mt_pool pool;
} l;

void mt_live_begin(void) {
    memset(&l, 0, sizeof l);
    mt_pool_init(&l.pool, sizeof(mt_live));
}

mt_live *mt_live_add(const void *ptr, mt_site *site, size_t size,
                     mt_live_kind kind) {
    mt_live *e = mt_pool_get(&l.pool);
    if (e == NULL) return NULL;
    e->ptr = ptr;
    e->site = site;
    e->size = size;
    e->kind = kind;
    mt_hash_oom = 0;
    HASH_ADD_PTR(l.table, ptr, e);
    if (mt_hash_oom) {
        mt_pool_put(&l.pool, e);
        return NULL;
    }
    return e;
}

int mt_live_take(const void *ptr, mt_live *out) {
    mt_live *e;
    HASH_FIND_PTR(l.table, &ptr, e);
    if (e == NULL) return 0;
    HASH_DEL(l.table, e);
    *out = *e;
    mt_pool_put(&l.pool, e);
    return 1;
}
