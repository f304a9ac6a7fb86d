/*
 * stack.h -- stack traces: for each site, the call paths that reached it
 * and what each made there.
 *
 * A record per (site, path) that allocated, in an array by id, found
 * through a bucket table with a direct-mapped cache in front; each site
 * links its own records (first_stack, next_in_site) for the report.
 */
#ifndef TR_STACK_H
#define TR_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "memtracer/memtracer.h"

typedef struct tr_stack {
    mt_site site;
    mt_path node;
    uint32_t next_in_site;
    uint32_t next_in_bucket;
    uint64_t blocks, bytes;
} tr_stack;

/* Counts a block of size bytes at site reached by the path node; false
 * when memory is exhausted (nothing counted). */
bool tr_stack_add(mt_site site, mt_path node, size_t size);

tr_stack *tr_stack_of(uint32_t id);

bool tr_stacks_begin(void);
void tr_stacks_reset(void);

#endif
