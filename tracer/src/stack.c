/*
 * stack.c -- the (site, path) records of stack traces (see stack.h).
 */
#include "stack.h"

#include <stdatomic.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

#define FIRST_STACKS 256
#define MAX_STACKS ((size_t)UINT32_MAX)

uint32_t tr_stack_cache[1u << MT_STACK_CACHE_BITS];

/* first[site] is the site's first record: an array by site id, as long
 * as the highest site with a record needs, so it costs nothing without
 * stack traces. */
static struct {
    size_t count, capacity;
    tr_buckets buckets;
    uint32_t *first;
    size_t first_capacity;
} stacks;

#define FIRST_SITES 256

/* Makes first[site] a place; false when memory is exhausted. */
static bool first_fit(mt_site site) {
    while (site >= stacks.first_capacity)
        if (!tr_array_grow(&stacks.first, &stacks.first_capacity,
                           stacks.first_capacity, sizeof(uint32_t),
                           FIRST_SITES, (size_t)UINT32_MAX + 1))
            return false;
    return true;
}

uint32_t tr_stack_first(mt_site site) {
    return site < stacks.first_capacity ? stacks.first[site] : 0;
}

void tr_stack_set_first(mt_site site, uint32_t first) {
    if (site < stacks.first_capacity) stacks.first[site] = first;
}

static uint64_t stack_rehash(uint32_t id) {
    return tr_stack_hash(mt_inline.stacks[id].site, mt_inline.stacks[id].node);
}

static uint32_t *stack_next(uint32_t id) {
    return &mt_inline.stacks[id].next_in_bucket;
}

static const tr_chain stack_chain = {stack_rehash, stack_next, 1};

uint32_t tr_stack_find(mt_site site, mt_path node, uint64_t hash) {
    uint32_t *cached = &tr_stack_cache[mt_stack_slot(site, node)];
    for (uint32_t id = *tr_bucket(&stacks.buckets, hash); id != 0;
         id = mt_inline.stacks[id].next_in_bucket)
        if (mt_inline.stacks[id].site == site &&
            mt_inline.stacks[id].node == node)
            return *cached = id;
    uint32_t id = (uint32_t)stacks.count;
    if (!tr_array_grow(&mt_inline.stacks, &stacks.capacity, stacks.count,
                       sizeof(tr_stack), FIRST_STACKS, MAX_STACKS) ||
        !tr_buckets_fit(&stacks.buckets, id, &stack_chain) ||
        !first_fit(site))
        return 0;
    tr_stack *record = &mt_inline.stacks[id];
    *record = (tr_stack){.site = site, .node = node};
    uint32_t *head = tr_bucket(&stacks.buckets, hash);
    record->next_in_bucket = *head;
    *head = id;
    record->next_in_site = stacks.first[site];
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then linked */
    stacks.first[site] = id;
    stacks.count++;
    return *cached = id;
}

void tr_stacks_restart(void) {
    for (size_t id = 1; id < stacks.count; id++)
        mt_inline.stacks[id].blocks = mt_inline.stacks[id].bytes = 0;
}

bool tr_stacks_begin(void) {
    tr_stacks_reset();
    stacks.count = 1;
    return tr_array_grow(&mt_inline.stacks, &stacks.capacity, 0,
                         sizeof(tr_stack), FIRST_STACKS, MAX_STACKS) &&
           tr_buckets_fit(&stacks.buckets, 1, &stack_chain);
}

void tr_stacks_reset(void) {
    memset(&stacks, 0, sizeof stacks);
    memset(tr_stack_cache, 0, sizeof tr_stack_cache);
    mt_inline.stacks = NULL;
    mt_inline.stack_cache = NULL;
}
