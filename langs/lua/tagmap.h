/*
 * tagmap.h -- the tags of blocks by address, for the blocks that have no
 * header.
 *
 * A sampled run without call paths gives the state's blocks no header
 * (trace.c): the few blocks it counts keep their tags here, every other
 * block is untraced.  Open addressing with linear probing, never more than
 * half full; a removal shifts back the entries after it, so a probe ends
 * at the first empty slot.  Nearly every look-up is of a block that is not
 * there (every release asks), so a filter answers first: a count of the
 * blocks kept per bucket of addresses, and a bucket with none has none.
 */
#ifndef lua_memtracer_tagmap_h
#define lua_memtracer_tagmap_h

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memtracer/inline.h>

typedef struct tagmap_slot {
    const void *block;      /* NULL: empty */
    mt_tag tag;
} tagmap_slot;

#define TAGMAP_FILTER_BITS 12

typedef struct tagmap {
    tagmap_slot *slots;
    size_t mask;            /* slots - 1; 0 before the first put */
    size_t used;
    /* Blocks kept per bucket (tagmap_bucket); one that reached
     * UINT16_MAX stays there, never 0 again. */
    uint16_t kept[1u << TAGMAP_FILTER_BITS];
} tagmap;

static inline size_t tagmap_bucket(const void *block)
{
    uint64_t hash = (uint64_t)(uintptr_t)block * 0x9E3779B97F4A7C15u;
    return (size_t)(hash >> (64 - TAGMAP_FILTER_BITS));
}

/* Room for one more block; false when memory is exhausted. */
bool tagmap_fit(tagmap *map);
/* Whether block may be kept: false (the filter's answer for nearly
 * every block) when it is not. */
static inline bool tagmap_may_hold(const tagmap *map, const void *block)
{
    return map->kept[tagmap_bucket(block)] != 0;
}
/* The slot of block, or NULL: the probe, and its filter first. */
tagmap_slot *tagmap_probe(const tagmap *map, const void *block);
static inline tagmap_slot *tagmap_find(const tagmap *map, const void *block)
{
    return tagmap_may_hold(map, block) ? tagmap_probe(map, block) : NULL;
}
/* Keeps block's tag: after tagmap_fit, block not in the map. */
void tagmap_put(tagmap *map, const void *block, mt_tag tag);
/* Forgets a slot tagmap_find gave. */
void tagmap_remove(tagmap *map, tagmap_slot *slot);
void tagmap_free(tagmap *map);

#endif
