/*
 * stack.c -- the (site, path) records of stack traces (see stack.h).
 */
#include "stack.h"

#include <stdatomic.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "site.h"

#define FIRST_STACKS 256
#define MAX_STACKS ((size_t)UINT32_MAX)
#define CACHE_BITS 10

static struct {
    tr_stack *records;
    size_t count, capacity;
    tr_buckets buckets;
    uint32_t cache[1u << CACHE_BITS];
} stacks;

tr_stack *tr_stack_of(uint32_t id) { return &stacks.records[id]; }

static uint64_t stack_hash(mt_site site, mt_path node) {
    return tr_hash_pair(site, node);
}

static uint64_t stack_rehash(uint32_t id) {
    return stack_hash(stacks.records[id].site, stacks.records[id].node);
}

static uint32_t *stack_next(uint32_t id) {
    return &stacks.records[id].next_in_bucket;
}

static const tr_chain stack_chain = {stack_rehash, stack_next, 1};

/* The record of (site, node), found or made; 0 when memory is
 * exhausted. */
static __attribute__((noinline)) uint32_t stack_find(mt_site site,
                                                     mt_path node,
                                                     uint64_t hash) {
    for (uint32_t id = *tr_bucket(&stacks.buckets, hash); id != 0;
         id = stacks.records[id].next_in_bucket)
        if (stacks.records[id].site == site && stacks.records[id].node == node)
            return id;
    uint32_t id = (uint32_t)stacks.count;
    if (!tr_array_grow(&stacks.records, &stacks.capacity, stacks.count,
                       sizeof(tr_stack), FIRST_STACKS, MAX_STACKS) ||
        !tr_buckets_fit(&stacks.buckets, id, &stack_chain))
        return 0;
    tr_stack *record = &stacks.records[id];
    *record = (tr_stack){.site = site, .node = node};
    uint32_t *head = tr_bucket(&stacks.buckets, hash);
    record->next_in_bucket = *head;
    *head = id;
    mt_site_figures *figures = tr_site(site);
    record->next_in_site = figures->first_stack;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then linked */
    figures->first_stack = id;
    stacks.count++;
    return id;
}

bool tr_stack_add(mt_site site, mt_path node, size_t size) {
    uint64_t hash = stack_hash(site, node);
    uint32_t *cached = &stacks.cache[tr_cache_slot(hash, CACHE_BITS)];
    uint32_t id = *cached;
    if (id == 0 || stacks.records[id].site != site ||
        stacks.records[id].node != node) {
        id = stack_find(site, node, hash);
        if (id == 0) return false;
        *cached = id;
    }
    stacks.records[id].blocks++;
    stacks.records[id].bytes += size;
    return true;
}

bool tr_stacks_begin(void) {
    tr_stacks_reset();
    stacks.count = 1;
    return tr_array_grow(&stacks.records, &stacks.capacity, 0,
                         sizeof(tr_stack), FIRST_STACKS, MAX_STACKS) &&
           tr_buckets_fit(&stacks.buckets, 1, &stack_chain);
}

void tr_stacks_reset(void) { memset(&stacks, 0, sizeof stacks); }
