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

typedef struct mt_site_key {
    mt_func func;
    int32_t line;
    mt_type type;
} mt_site_key;

typedef struct mt_site_path {
    mt_node *node;
    uint64_t count, bytes;
    UT_hash_handle hh;
} mt_site_path;

typedef struct mt_site {
    mt_site_key key;
    uint64_t count, bytes, resizes;
    uint64_t live_count, live_bytes;
    mt_site_path *paths;
    UT_hash_handle hh;
} mt_site;

/* The site, created on first use; NULL when memory is exhausted. */
mt_site *mt_site_get(mt_func func, int line, mt_type type);
/* The site's record of one call path, created on first use; NULL when
 * memory is exhausted. */
mt_site_path *mt_site_path_get(mt_site *site, mt_node *node);

/* The table, for the report writers to sort and walk. */
mt_site **mt_site_table(void);
void mt_site_begin(void);

#endif
