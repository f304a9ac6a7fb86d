/*
 * site.c -- the site table and each site's call paths.
 *
 * Both are uthashes of pooled records: a site is found in O(1) from the
 * event's (current function, line, type), a path from the current node.
 * The inline halves in site.h first try a cache of recent answers.
 */
#include "site.h"

#include <string.h>

static struct {
    mt_site *sites;
    uint32_t count, cap;
    mt_pool site_pool, path_pool;
} s;

void mt_site_begin(void) {
    memset(&s, 0, sizeof s);
    mt_hot_state.sites = NULL;
    memset(mt_site_cache, 0, sizeof mt_site_cache);
    memset(mt_site_path_cache, 0, sizeof mt_site_path_cache);
    mt_pool_init(&s.site_pool, sizeof(mt_site));
    mt_pool_init(&s.path_pool, sizeof(mt_site_path));
}

mt_site **mt_site_table(void) { return &s.sites; }

/* Makes room for one more id; false when memory is exhausted or the ids
 * are used up. */
static int ids_grow(void) {
    if (s.count < s.cap) return 1;
    if (s.cap == MT_SITE_IDS) return 0;
    uint32_t cap = s.cap != 0 ? s.cap * 2 : 256;
    mt_site **bigger = mt_mem_alloc(cap * sizeof(mt_site *));
    if (bigger == NULL) return 0;
    if (mt_hot_state.sites != NULL)
        memcpy(bigger, mt_hot_state.sites, s.count * sizeof(mt_site *));
    mt_mem_free(mt_hot_state.sites);
    mt_hot_state.sites = bigger;
    s.cap = cap;
    return 1;
}

mt_site *mt_site_cache[1 << MT_SITE_CACHE_BITS];
mt_site_path *mt_site_path_cache[1 << MT_SITE_CACHE_BITS];

mt_site *mt_site_find(mt_func func, int line, mt_type type) {
    mt_site_key key = {func, line, type};
    mt_site *site;
    HASH_FIND(hh, s.sites, &key, sizeof key, site);
    if (site == NULL) {
        if (!ids_grow()) return NULL;
        site = mt_pool_get(&s.site_pool);
        if (site == NULL) return NULL;
        site->key = key;
        mt_hash_oom = 0;
        HASH_ADD(hh, s.sites, key, sizeof key, site);
        if (mt_hash_oom) {
            mt_pool_put(&s.site_pool, site);
            return NULL;
        }
        site->head.tag = s.count << 3 | MT_TAG_ROW;
        mt_hot_state.sites[s.count++] = site;
    }
    return mt_site_cache[mt_site_slot(func, line, type)] = site;
}

mt_site_path *mt_site_path_find(mt_site *site, mt_node *node) {
    mt_site_path *path;
    HASH_FIND_PTR(site->paths, &node, path);
    if (path == NULL) {
        path = mt_pool_get(&s.path_pool);
        if (path == NULL) return NULL;
        path->node = node;
        path->site = site;
        mt_hash_oom = 0;
        HASH_ADD_PTR(site->paths, node, path);
        if (mt_hash_oom) {
            mt_pool_put(&s.path_pool, path);
            return NULL;
        }
    }
    return mt_site_path_cache[mt_site_path_slot(site, node)] = path;
}
