/*
 * tagmap.c -- the tags of blocks by address (see tagmap.h).
 */
#include "tagmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_SLOTS 256

static size_t home_of(size_t mask, const void *block)
{
    uint64_t hash = (uint64_t)(uintptr_t)block * 0x9E3779B97F4A7C15u;
    return (size_t)(hash >> 32) & mask;
}

tagmap_slot *tagmap_probe(const tagmap *map, const void *block)
{
    if (map->used == 0) return NULL;
    for (size_t i = home_of(map->mask, block); map->slots[i].block != NULL;
         i = (i + 1) & map->mask)
        if (map->slots[i].block == block) return &map->slots[i];
    return NULL;
}

static void slot_put(tagmap_slot *slots, size_t mask, const void *block,
                     mt_tag tag)
{
    size_t i = home_of(mask, block);
    while (slots[i].block != NULL) i = (i + 1) & mask;
    slots[i] = (tagmap_slot){block, tag};
}

bool tagmap_fit(tagmap *map)
{
    size_t capacity = map->slots != NULL ? map->mask + 1 : 0;
    if (2 * (map->used + 1) <= capacity) return true;
    size_t grown = capacity > 0 ? 2 * capacity : FIRST_SLOTS;
    tagmap_slot *slots = calloc(grown, sizeof(tagmap_slot));
    if (slots == NULL) return false;
    for (size_t i = 0; i < capacity; i++)
        if (map->slots[i].block != NULL)
            slot_put(slots, grown - 1, map->slots[i].block,
                     map->slots[i].tag);
    free(map->slots);
    map->slots = slots;
    map->mask = grown - 1;
    return true;
}

void tagmap_put(tagmap *map, const void *block, mt_tag tag)
{
    uint16_t *kept = &map->kept[tagmap_bucket(block)];
    slot_put(map->slots, map->mask, block, tag);
    map->used++;
    if (*kept < UINT16_MAX) (*kept)++;
}

/* An entry after the hole moves into it when the hole lies between the
 * entry's home and the entry (cyclically): a probe from its home would
 * otherwise stop at the hole. */
void tagmap_remove(tagmap *map, tagmap_slot *slot)
{
    uint16_t *kept = &map->kept[tagmap_bucket(slot->block)];
    if (*kept < UINT16_MAX) (*kept)--;
    size_t hole = (size_t)(slot - map->slots);
    for (size_t i = (hole + 1) & map->mask; map->slots[i].block != NULL;
         i = (i + 1) & map->mask) {
        size_t home = home_of(map->mask, map->slots[i].block);
        if (((i - home) & map->mask) >= ((i - hole) & map->mask)) {
            map->slots[hole] = map->slots[i];
            hole = i;
        }
    }
    map->slots[hole].block = NULL;
    map->used--;
}

void tagmap_free(tagmap *map)
{
    free(map->slots);
    map->slots = NULL;
    map->mask = map->used = 0;
    memset(map->kept, 0, sizeof map->kept);
}
