/*
 * mem.c -- the tracer's own memory: one allocation function, tables that
 * double, pools of fixed-size records, a string arena, and fault
 * injection.
 *
 * Blocks carry a small header linking them into one list, so releasing the
 * tracer is one walk over that list whatever the tables looked like.
 * Pools and the arena grow geometrically up to MAX_CHUNK: a program making
 * millions of allocations costs the tracer a few dozen blocks.  Every
 * block is mapped from the system rather than taken from malloc: the
 * program's heap is then as it would be untraced (a malloc would, for one,
 * make glibc sort or consolidate the program's freed chunks, and leave the
 * tracer's blocks among them), and it comes zeroed.
 */
#include "mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FIRST_CHUNK ((size_t)64 * 1024)
#define MAX_CHUNK ((size_t)4 * 1024 * 1024)

/* Four words keep the payload 16-byte aligned on 64-bit targets. */
typedef struct block {
    struct block *prev, *next;
    size_t mapped;      /* the mapping's length */
    size_t size;        /* the payload's length */
} block;

static block *blocks;
/* What the blocks on that list take, headers included: tools/bench's
 * bench_scale reads it (tr_mem_held) to state the tracer's memory. */
static size_t held;
static long fail_after = -1;  /* successes left before failing; -1: never */

static struct {
    char *next;
    size_t left;
    size_t chunk_size;
} strings;

/* A block of size bytes and its header, mapped: zeroed. */
static block *block_get(size_t size) {
    size_t total = sizeof(block) + size;
    void *map = mmap(NULL, total, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return NULL;
    block *b = map;
    b->mapped = total;
    return b;
}

static void block_put(block *b) { munmap(b, b->mapped); }

void *tr_mem_alloc(size_t size) {
    if (fail_after == 0) return NULL;
    if (size > SIZE_MAX - sizeof(block)) return NULL;
    block *b = block_get(size);
    if (b == NULL) return NULL;
    if (fail_after > 0) fail_after--;
    b->size = size;
    held += b->mapped;
    b->prev = NULL;
    b->next = blocks;
    if (blocks != NULL) blocks->prev = b;
    blocks = b;
    return b + 1;
}

void *tr_mem_calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return tr_mem_alloc(count * size);
}

bool tr_array_grow(void *array, size_t *capacity, size_t count,
                   size_t item_size, size_t first, size_t limit) {
    void **slot = array;
    if (count < *capacity) return true;
    size_t grown = *capacity != 0 ? *capacity * 2 : first;
    if (grown > limit) grown = limit;
    if (grown <= *capacity) return false;
    char *bigger = tr_mem_calloc(grown, item_size);
    if (bigger == NULL) return false;
    if (*slot != NULL) memcpy(bigger, *slot, count * item_size);
    void *old = *slot;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then seen */
    *slot = bigger;
    *capacity = grown;
    tr_mem_free(old);
    return true;
}

void tr_mem_free(void *p) {
    if (p == NULL) return;
    block *b = (block *)p - 1;
    if (b->prev != NULL) b->prev->next = b->next;
    else blocks = b->next;
    if (b->next != NULL) b->next->prev = b->prev;
    held -= b->mapped;
    block_put(b);
}

void tr_mem_arm_faults(void) {
    const char *s = getenv("MEMTRACER_FAIL_ALLOC_AFTER");
    fail_after = -1;
    if (s == NULL || *s == '\0') return;
    char *end;
    long n = strtol(s, &end, 10);
    if (*end == '\0' && n >= 0) fail_after = n;
}

size_t tr_mem_held(void) { return held; }

void tr_mem_release_all(void) {
    while (blocks != NULL) {
        block *b = blocks;
        blocks = b->next;
        block_put(b);
    }
    held = 0;
    memset(&strings, 0, sizeof strings);
    fail_after = -1;
}

static size_t next_chunk(size_t *chunk_size) {
    size_t n = *chunk_size ? *chunk_size : FIRST_CHUNK;
    *chunk_size = n < MAX_CHUNK ? n * 2 : MAX_CHUNK;
    return n;
}

char *tr_mem_strdup(const char *s, size_t len) {
    char *copy;
    if (len + 1 > MAX_CHUNK / 4) {
        /* A huge name gets a block of its own rather than wasting a chunk. */
        copy = tr_mem_alloc(len + 1);
    } else {
        if (strings.left < len + 1) {
            size_t n = next_chunk(&strings.chunk_size);
            char *chunk = tr_mem_alloc(n);
            if (chunk == NULL) return NULL;
            strings.next = chunk;
            strings.left = n;
        }
        copy = strings.next;
        strings.next += len + 1;
        strings.left -= len + 1;
    }
    if (copy == NULL) return NULL;
    if (len > 0) memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

void tr_pool_init(tr_pool *pool, size_t item_size) {
    memset(pool, 0, sizeof *pool);
    /* Round up so every item is aligned for pointers and 64-bit counters. */
    pool->item_size = (item_size + 7) & ~(size_t)7;
    if (pool->item_size < sizeof(void *)) pool->item_size = sizeof(void *);
}

void *tr_pool_get(tr_pool *pool) {
    void *item = pool->free_items;
    if (item != NULL) {
        memcpy(&pool->free_items, item, sizeof(void *));
    } else {
        if (pool->left < pool->item_size) {
            size_t n = next_chunk(&pool->chunk_size);
            if (n < pool->item_size) n = pool->item_size;
            char *chunk = tr_mem_alloc(n);
            if (chunk == NULL) return NULL;
            pool->next = chunk;
            pool->left = n;
        }
        item = pool->next;
        pool->next += pool->item_size;
        pool->left -= pool->item_size;
    }
    memset(item, 0, pool->item_size);
    return item;
}

void tr_pool_put(tr_pool *pool, void *item) {
    memcpy(item, &pool->free_items, sizeof(void *));
    pool->free_items = item;
}
