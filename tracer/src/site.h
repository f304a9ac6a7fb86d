/*
 * site.h -- allocation sites: (function, line, type) and what was
 * allocated there; with stack traces, the distinct call paths that reached
 * the site.
 */
#ifndef MT_SITE_H
#define MT_SITE_H

#include <stdint.h>

#include "memtracer.h"
#include "mt_uthash.h"
#include "path.h"

typedef struct mt_site_key {
    mt_func func;
    int32_t line;
    mt_type type;
} mt_site_key;

typedef struct mt_site_path {
    mt_node *node;
    struct mt_site *site;
    uint64_t count, bytes;
    UT_hash_handle hh;
} mt_site_path;

struct mt_site {
    mt_site_head head;               /* the figures; the tag's id is the
                                        index in creation order */
    mt_site_key key;
    mt_site_path *paths;
    UT_hash_handle hh;
};

/* The site (func, line, type), found by hash or created on first use, and
 * put in the cache; NULL when memory is exhausted. */
mt_site *mt_site_find(mt_func func, int line, mt_type type);
/* The slow half of mt_site_path_get. */
mt_site_path *mt_site_path_find(mt_site *site, mt_node *node);

/* A direct-mapped cache in front of the site table: a program allocates at
 * few sites over and over, and a hit costs one multiply-xor and three
 * compares instead of a uthash look-up. */
#define MT_SITE_CACHE_BITS 10
extern mt_site *mt_site_cache[1 << MT_SITE_CACHE_BITS];

static inline unsigned mt_site_slot(mt_func func, int line, mt_type type) {
    uint32_t h = (func * 0x9E3779B1u) ^ ((uint32_t)line * 0x85EBCA77u) ^
                 (type * 0xC2B2AE3Du);
    return h >> (32 - MT_SITE_CACHE_BITS);
}

/* The site (func, line, type) if the cache holds it, else NULL. */
static inline mt_site *mt_site_cached(mt_func func, int line, mt_type type) {
    mt_site *site = mt_site_cache[mt_site_slot(func, line, type)];
    if (site != NULL && site->key.func == func && site->key.line == line &&
        site->key.type == type)
        return site;
    return NULL;
}

/* A direct-mapped cache of the same kind in front of each site's paths:
 * a loop allocates at the same few (site, path) pairs over and over. */
extern mt_site_path *mt_site_path_cache[1 << MT_SITE_CACHE_BITS];

static inline unsigned mt_site_path_slot(const mt_site *site,
                                         const mt_node *node) {
    uint64_t k = (uint64_t)(uintptr_t)site ^ ((uint64_t)(uintptr_t)node << 7);
    return (unsigned)((k * 0x9E3779B97F4A7C15u) >> (64 - MT_SITE_CACHE_BITS));
}

/* The record of node's path at site if the cache holds it, else NULL. */
static inline mt_site_path *mt_site_path_cached(mt_site *site,
                                                mt_node *node) {
    mt_site_path *path = mt_site_path_cache[mt_site_path_slot(site, node)];
    if (path != NULL && path->site == site && path->node == node) return path;
    return NULL;
}

/* The record of node's path at site; NULL when memory is exhausted. */
static inline mt_site_path *mt_site_path_get(mt_site *site, mt_node *node) {
    mt_site_path *path = mt_site_path_cached(site, node);
    return path != NULL ? path : mt_site_path_find(site, node);
}

/* Sites have ids below this, so that a tag can hold one. */
#define MT_SITE_IDS (UINT32_C(1) << 29)

/* The site with that id; ids come from sites already made. */
static inline mt_site *mt_site_by_id(uint32_t id) {
    return mt_hot_state.sites[id];
}

/* The table, for the report writers to sort and walk. */
mt_site **mt_site_table(void);
void mt_site_begin(void);

#endif
