/*
 * mem.h -- the tracer's own memory.
 *
 * Every byte libmemtracer uses goes through mt_mem_alloc, the way every
 * byte of Lua goes through luaM_: so the tracer's memory is never confused
 * with the program's, mt_finish can hand all of it back at once, and a test
 * can make it fail on purpose (MEMTRACER_FAIL_ALLOC_AFTER=N).
 *
 * Records of fixed size come from pools that grow in large chunks, so an
 * event almost never reaches malloc.  A NULL from any of these functions is
 * an ordinary outcome: the caller drops what it cannot hold and counts it.
 */
#ifndef MT_MEM_H
#define MT_MEM_H

#include <stddef.h>

void *mt_mem_alloc(size_t size);
void mt_mem_free(void *block);
/* Reads MEMTRACER_FAIL_ALLOC_AFTER: from now on only that many more
 * allocations succeed.  Unset or empty: no failures. */
void mt_mem_arm_faults(void);
/* Frees every block obtained through mt_mem_alloc, pools included. */
void mt_mem_release_all(void);

/* A copy of len bytes of s, NUL-terminated, from a string arena. */
char *mt_mem_strdup(const char *s, size_t len);

typedef struct mt_pool {
    size_t item_size;
    size_t chunk_size;  /* size of the next chunk to obtain */
    void *free_items;   /* items given back, linked through their first word */
    char *next;         /* unused tail of the current chunk */
    size_t left;
} mt_pool;

void mt_pool_init(mt_pool *pool, size_t item_size);
/* A zeroed item, or NULL when memory is exhausted. */
void *mt_pool_get(mt_pool *pool);
void mt_pool_put(mt_pool *pool, void *item);

#endif
