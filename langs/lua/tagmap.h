/*
 * tagmap.h -- the tags of blocks by address, for the blocks that have no
 * header.
 *
 * A sampled run without call paths gives the state's blocks no header
 * (trace.c): the few blocks it counts keep their tags here, every other
 * block is untraced.  Open addressing with linear probing, never more than
 * half full; a removal shifts back the entries after it, so a probe ends
 * at the first empty slot.
 */
#ifndef lua_memtracer_tagmap_h
#define lua_memtracer_tagmap_h

#include <stdbool.h>
#include <stddef.h>

#include <memtracer/inline.h>

typedef struct tagmap_slot {
    const void *block;      /* NULL: empty */
    mt_tag tag;
} tagmap_slot;

typedef struct tagmap {
    tagmap_slot *slots;
    size_t mask;            /* slots - 1; 0 before the first put */
    size_t used;
} tagmap;

/* Room for one more block; false when memory is exhausted. */
bool tagmap_fit(tagmap *map);
/* The slot of block, or NULL. */
tagmap_slot *tagmap_find(const tagmap *map, const void *block);
/* Keeps block's tag: after tagmap_fit, block not in the map. */
void tagmap_put(tagmap *map, const void *block, mt_tag tag);
/* Forgets a slot tagmap_find gave. */
void tagmap_remove(tagmap *map, tagmap_slot *slot);
void tagmap_free(tagmap *map);

#endif
