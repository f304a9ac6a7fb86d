/*
 * stack.h -- stack traces: for each site, the call paths that reached it
 * and what each made there.
 *
 * A record per (site, path) that allocated, in an array by id, found
 * through a bucket table with a direct-mapped cache in front; a site's
 * records are linked (tr_stack_first, next_in_site) for the report.
 */
#ifndef TR_STACK_H
#define TR_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "memtracer/inline.h"

/* A record: mt_stack_figures (inline.h), which the fast door counts
 * inline. */
typedef mt_stack_figures tr_stack;

static inline tr_stack *tr_stack_of(uint32_t id) {
    return &mt_inline.stacks[id];
}

static inline uint64_t tr_stack_hash(mt_site site, mt_path node) {
    return tr_hash_words((uint64_t)site << 32 | node, 0);
}

/* The record of (site, node), found or made, and cached; 0 when memory is
 * exhausted. */
uint32_t tr_stack_find(mt_site site, mt_path node, uint64_t hash);

/* The cache of recent records (mt_stack_slot). */
extern uint32_t tr_stack_cache[1u << MT_STACK_CACHE_BITS];

/* Counts n blocks of size bytes at site reached by the path node; false
 * when memory is exhausted (nothing counted).  A loop allocates at the
 * same few (site, path) pairs over and over: the cache answers. */
static inline bool tr_stack_add(mt_site site, mt_path node, size_t size,
                                uint64_t n) {
    uint32_t id = tr_stack_cache[mt_stack_slot(site, node)];
    tr_stack *record = tr_stack_of(id);
    if (record->site != site || record->node != node) {
        id = tr_stack_find(site, node, tr_stack_hash(site, node));
        if (id == 0) return false;
        record = tr_stack_of(id);
    }
    record->blocks += n;
    record->bytes += size * n;
    return true;
}

/* The site's first record, 0 when it has none; the report links them
 * again in its order and sets the first (tr_stack_set_first). */
uint32_t tr_stack_first(mt_site site);
void tr_stack_set_first(mt_site site, uint32_t first);

/* mt_reset's part here: every stack counts from zero. */
void tr_stacks_restart(void);

bool tr_stacks_begin(void);
void tr_stacks_reset(void);

#endif
