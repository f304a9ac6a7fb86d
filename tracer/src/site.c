/*
 * site.c -- the site table: sites by id, found by key through an index
 * (hash.h), and a direct-mapped cache of recent answers in front of it: a
 * program allocates at few sites over and over, and a hit costs a hash
 * and three compares.  A site carries no link of its own, so the index
 * is all a look-up costs beside the site's figures.
 */
#include "site.h"

#include <stdatomic.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "names.h"
#include "state.h"

#define FIRST_SITES 256
/* A tag holds a site's id in 24 bits. */
#define SITE_BITS 24
#define MAX_SITES ((size_t)1 << SITE_BITS)
#define CACHE_BITS 10

/* The index holds the listed sites, TR_FIRST_LISTED_SITE .. count - 1;
 * its capacity is always above count (it holds at least 64 slots and is
 * at most 7/8 full), which lets a report use its slots as links. */
static struct {
    size_t count, capacity;
    tr_index index;
    uint32_t cache[1u << CACHE_BITS];
} sites;

static inline uint64_t key_hash(mt_func func, int line, mt_type type,
                                mt_phase phase) {
    return tr_hash_words((uint64_t)func << 32 | (uint32_t)line,
                         (uint64_t)phase << 32 | type);
}

static uint64_t site_rehash(uint32_t id) {
    const mt_site_figures *s = tr_site(id);
    return key_hash(s->func, s->line, s->type, (mt_phase)s->phase);
}

bool tr_type_is_object(mt_type type) {
    return type != MT_TYPE_INTERNAL && tr_type_of(type)->kind == MT_KIND_OBJECT;
}

static bool site_is(const mt_site_figures *s, mt_func func, int line,
                    mt_type type, mt_phase phase) {
    return s->func == func && s->line == line && s->type == type &&
           s->phase == phase;
}

/* A new site for the key, at the end of the array; TR_SITE_LOST when
 * memory is exhausted or the ids are used up. */
static mt_site site_new(mt_func func, int line, mt_type type,
                        mt_phase phase, uint64_t hash) {
    uint32_t id = (uint32_t)sites.count;
    if (!tr_array_grow(&mt_inline.sites, &sites.capacity, sites.count,
                       sizeof(mt_site_figures), FIRST_SITES, MAX_SITES) ||
        !tr_index_fit(&sites.index, id, TR_FIRST_LISTED_SITE, site_rehash))
        return TR_SITE_LOST;
    mt_site_figures *s = tr_site(id);
    memset(s, 0, sizeof *s);
    s->func = func;
    s->line = line;
    s->type = type;
    s->phase = (uint8_t)phase;
    s->object = tr_type_is_object(type);
    s->peak_epoch = mt_inline.peak_epoch;
    tr_index_put(&sites.index, hash, id);
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then counted */
    sites.count++;
    return id;
}

mt_site tr_site_find(mt_func func, int line, mt_type type, mt_phase phase) {
    uint64_t hash = key_hash(func, line, type, phase);
    uint32_t *cached = &sites.cache[tr_cache_slot(hash, CACHE_BITS)];
    if (*cached != 0 && site_is(tr_site(*cached), func, line, type, phase))
        return *cached;
    if (sites.index.slots != NULL) {
        const tr_index *index = &sites.index;
        uint32_t tag = tr_index_tag(index, hash);
        for (size_t at = tr_index_home(index, hash); index->slots[at] != 0;
             at = tr_index_step(index, at)) {
            uint32_t id = tr_index_match(index, index->slots[at], tag);
            if (id != 0 && site_is(tr_site(id), func, line, type, phase))
                return *cached = id;
        }
    }
    mt_site id = site_new(func, line, type, phase, hash);
    if (id != TR_SITE_LOST) *cached = id;
    return id;
}

uint32_t tr_site_count(void) { return (uint32_t)sites.count; }

uint32_t *tr_site_links(void) { return sites.index.slots; }

void tr_sites_relink(void) {
    tr_index_rebuild(&sites.index, (uint32_t)sites.count,
                     TR_FIRST_LISTED_SITE, site_rehash);
}

void tr_sites_restart(void) {
    for (mt_site id = TR_SITE_HIDDEN; id < sites.count; id++) {
        mt_site_figures *s = tr_site(id);
        s->blocks -= s->freed_blocks;
        s->bytes -= s->freed_bytes;
        s->freed_blocks = s->freed_bytes = 0;
        memset(&s->life, 0, sizeof s->life);
    }
}

bool tr_sites_begin(void) {
    tr_sites_reset();
    if (!tr_array_grow(&mt_inline.sites, &sites.capacity, 0,
                       sizeof(mt_site_figures), FIRST_SITES, MAX_SITES))
        return false;
    tr_site(TR_SITE_FILTERED_OBJECTS)->object = 1;
    sites.count = TR_FIRST_LISTED_SITE;
    return true;
}

void tr_sites_reset(void) {
    memset(&sites, 0, sizeof sites);
    tr_index_init(&sites.index, SITE_BITS);
    mt_inline.sites = NULL;
}
