/*
 * mem.h -- the tracer's own memory.
 *
 * Every byte libmemtracer uses goes through tr_mem_alloc, the way every
 * byte of Lua goes through luaM_: so the tracer's memory is never confused
 * with the program's, mt_finish can hand all of it back at once, and a test
 * can make it fail on purpose (MEMTRACER_FAIL_ALLOC_AFTER=N).
 *
 * Tables grow by doubling (tr_array_grow), and fixed-size records come from
 * pools that grow in large chunks, so an event almost never reaches malloc.
 * A NULL or false from any of these is an ordinary outcome: the caller
 * drops what it cannot hold and counts it as lost.
 */
#ifndef TR_MEM_H
#define TR_MEM_H

#include <stdbool.h>
#include <stddef.h>

void *tr_mem_alloc(size_t size);
/* Zeroed. */
void *tr_mem_calloc(size_t count, size_t size);
void tr_mem_free(void *block);
/* Reads MEMTRACER_FAIL_ALLOC_AFTER: from now on only that many more
 * allocations succeed.  Unset or empty: no failures. */
void tr_mem_arm_faults(void);
/* Frees every block obtained through tr_mem_alloc. */
void tr_mem_release_all(void);

/* Makes room in *array (of *capacity items of item_size bytes, used up to
 * count) for one more item: doubles it, from first when empty, zeroing the
 * new part.  The new array is published with one store after it is
 * complete, so a signal handler reading it sees the old array or the new
 * one, whole.  False when memory is exhausted or the capacity would pass
 * limit items. */
bool tr_array_grow(void *array, size_t *capacity, size_t count,
                   size_t item_size, size_t first, size_t limit);

/* A copy of len bytes of s, NUL-terminated, from a string arena. */
char *tr_mem_strdup(const char *s, size_t len);

typedef struct tr_pool {
    size_t item_size;
    size_t chunk_size;  /* size of the next chunk to obtain */
    void *free_items;   /* items given back, linked through their first word */
    char *next;         /* unused tail of the current chunk */
    size_t left;
} tr_pool;

void tr_pool_init(tr_pool *pool, size_t item_size);
/* A zeroed item, or NULL when memory is exhausted. */
void *tr_pool_get(tr_pool *pool);
void tr_pool_put(tr_pool *pool, void *item);

#endif
