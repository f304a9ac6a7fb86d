/*
 * live.h -- the simple door's table of live blocks: every block the VM
 * reported obtained (mt_alloc, mt_resize) and not yet released, by
 * address, with the tag and size it was counted with, so that a release
 * knows what to count out.
 */
#ifndef TR_LIVE_H
#define TR_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "memtracer/memtracer.h"

typedef struct tr_live {
    mt_tag tag;
    size_t size;
} tr_live;

void tr_live_begin(void);
/* Makes sure a block at ptr can be added; false when memory is exhausted.
 * Then tr_live_add at ptr cannot fail. */
bool tr_live_reserve(const void *ptr);
/* Records the block at ptr; when ptr was live already (the VM reused it
 * without reporting the release), the old entry is copied to *stale and
 * true returned. */
bool tr_live_add(const void *ptr, mt_tag tag, size_t size, tr_live *stale);
/* Removes ptr's entry, copying it to *out; false when ptr is not live. */
bool tr_live_take(const void *ptr, tr_live *out);

#endif
