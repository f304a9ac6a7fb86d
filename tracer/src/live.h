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
#include <stdint.h>

#include "memtracer/memtracer.h"

typedef struct tr_live {
    mt_tag tag;
    size_t size;
} tr_live;

/* Sets the table up empty; false when memory is exhausted. */
bool tr_live_begin(void);
/* Blocks are known by their addresses, as integers: the table never reads
 * a block. */

/* Makes sure a block at address can be added; false when memory is exhausted.
 * Then tr_live_add at address cannot fail. */
bool tr_live_reserve(uintptr_t address);
/* The largest size an entry keeps (2^51 - 1 bytes); the simple door
 * counts a larger block as that, so that its release counts out what was
 * counted in. */
#define TR_LIVE_MAX_SIZE ((size_t)((UINT64_C(1) << 51) - 1))

/* Records the block at address, size at most TR_LIVE_MAX_SIZE; when it was live already (the VM reused it
 * without reporting the release), the old entry is copied to *stale and
 * true returned. */
bool tr_live_add(uintptr_t address, mt_tag tag, size_t size, tr_live *stale);
/* Removes address's entry, copying it to *out; false when it is not
 * live. */
bool tr_live_take(uintptr_t address, tr_live *out);

#endif
