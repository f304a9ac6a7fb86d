/*
 * retain.h -- what keeps the blocks live at the end alive: retaining
 * paths, and how many blocks and bytes of each site each path holds.
 *
 * A path is a node of a trie: a root, named by the VM ("global auditLog"),
 * then one node per object type on the way (mt_retainer_child), the last
 * the retained block's own object's.  A child of the parent's own type is
 * the parent itself, so a run of one type (a linked list) is one node.
 * The VM tells each block it reaches once (mt_retained_tagged), after its
 * last full collection; a record per (site, path) sums them.
 */
#ifndef TR_RETAIN_H
#define TR_RETAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtracer/memtracer.h"

/* How many paths a report lists per site, and how many labels of each. */
#define TR_RETAINERS_LISTED 5
#define TR_RETAINER_LABELS 12

typedef struct tr_retained {
    mt_site site;
    mt_retainer path;
    uint32_t next_in_site;      /* heaviest first, once tr_retained_order ran */
    uint32_t next_in_bucket;
    uint64_t blocks, bytes;
} tr_retained;

/* The site's first record, 0 when nothing was told of it. */
uint32_t tr_retained_first(mt_site site);
const tr_retained *tr_retained_of(uint32_t id);
/* Puts every site's records heaviest first (bytes, then blocks). */
void tr_retained_order(void);

/* A path's labels, root first, at most max of them: a path longer than
 * max keeps its root, "…", and the max - 2 labels nearest the block.
 * How many labels were written. */
size_t tr_retainer_labels(mt_retainer path, const char **labels,
                          size_t max);

bool tr_retainers_begin(void);
void tr_retainers_reset(void);

#endif
