/*
 * record.c -- the allocation events: mt_alloc, mt_resize, mt_free, their
 * tagged twins mt_alloc_tagged, mt_resize_tagged, mt_free_tagged, and the
 * same with a site resolved ahead: mt_site_at, mt_alloc_at, mt_resize_at;
 * and the summary derived from what they counted.
 *
 * Every event is counted at a site.  A block that gets a row is counted at
 * its row; one kept out of the rows -- filtered (TraceMem, FilterFile,
 * FilterRootName), hidden (<internal>) or lost (the tracer had no memory
 * for its row) -- at one of three pseudo-sites that are in no table, so
 * that counting and releasing never ask which it was.  Each event updates
 * one site, the live figures, at most one call path and, for a block found
 * by address, the live table, all O(1).  A tagged block skips the live
 * table: its tag carries its site.  The common case -- a block at a row --
 * is counted with the public header's inline functions, by the library
 * and by mt_hooks.h's _try functions alike, so a VM that resolves its
 * sites ahead counts it without a call.
 *
 * The filters decide whether a block gets a row; they never decide whether
 * it is counted, because a filtered block is still the program's memory
 * and still moves the peak.  What the tracer cannot hold is dropped whole
 * and counted in lost_events, so the figures it does report stay
 * consistent.
 *
 * The program's totals are never kept, only derived when a report asks
 * (mt_summary_get): the sum of the sites.
 */
#include <fnmatch.h>
#include <string.h>

#include "live.h"
#include "names.h"
#include "path.h"
#include "site.h"
#include "state.h"

#define NOINLINE __attribute__((noinline))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The pseudo-sites.  A hidden block is counted at its own, and nowhere
 * else; a lost one nowhere (its tag is MT_TAG_NONE). */
static mt_site filtered_site = {.head.tag = MT_TAG_FILTERED};
static mt_site hidden_site = {.head.tag = MT_TAG_HIDDEN};
static mt_site lost_site = {.head.tag = MT_TAG_NONE};

void mt_record_begin(void) {
    filtered_site.head.n = hidden_site.head.n = (mt_counts){0};
}

static int globs_match(const mt_globs *g, const char *s) {
    for (size_t i = 0; i < g->count; i++)
        if (fnmatch(g->globs[i], s, 0) == 0) return 1;
    return 0;
}

/* FilterFile and FilterRootName depend only on the function, so each
 * function is judged once and the verdict kept on its record. */
static int func_wanted(mt_func func) {
    mt_func_rec *f = mt_names_func(func);
    if (f->verdict == 0) {
        int keep = 1;
        if (mt_g.file_globs.count > 0)
            keep = globs_match(&mt_g.file_globs, mt_names_func_file(f));
        if (keep && mt_g.root_globs.count > 0)
            keep = globs_match(&mt_g.root_globs, f->name);
        f->verdict = keep ? 1 : -1;
    }
    return f->verdict > 0;
}

/* The slow half of site_at: pseudo-sites, and rows not in the cache. */
static NOINLINE mt_site *site_find(mt_func func, int line, mt_type type) {
    if (type == MT_TYPE_INTERNAL && !mt_g.opt.trace_internal)
        return &hidden_site;
    if ((mt_g.file_globs.count > 0 || mt_g.root_globs.count > 0) &&
        !func_wanted(func))
        return &filtered_site;
    mt_site *site = mt_site_find(func, line, type);
    return site != NULL ? site : &lost_site;
}

/* Where a block of that type made there is counted, whatever its size.
 * Only rows are cached, and a row exists only for what no option keeps
 * out of the rows, so a cached row is the answer whatever the options. */
static inline mt_site *site_at(mt_func func, int line, mt_type type) {
    mt_site *site = mt_site_cached(func, line, type);
    return site != NULL ? site : site_find(func, line, type);
}

/* Where a block of size bytes is counted when site is where it was made:
 * TraceMem sends a small block to the filtered pseudo-site. */
static inline mt_site *site_sized(mt_site *site, size_t size) {
    if (UNLIKELY(size < mt_g.opt.trace_mem) && site != &hidden_site &&
        site != &lost_site)
        return &filtered_site;
    return site;
}

/* The call path's share of a block counted at a row: its node's own count
 * for the histogram and call tree, and with stack traces the site's record
 * of the path (NULL: none). */
static inline void path_share(mt_node *node, mt_site_path *path, size_t size,
                              int object) {
    node->self_count += object;
    if (path == NULL) return;
    path->count += object;
    path->bytes += size;
}

static void count_path(mt_site *site, size_t size, int object) {
    mt_node *node = mt_path_now();
    mt_site_path *path = NULL;
    if (mt_g.opt.trace_stacks &&
        (path = mt_site_path_get(site, node)) == NULL)
        mt_g.lost_events++;
    path_share(node, path, size, object);
}

static NOINLINE void count_path_bracketed(mt_site *site, size_t size,
                                          int object) {
    mt_event_begin();
    count_path(site, size, object);
    mt_event_end();
}

/* Inline counting's path share.  When the path is interned and its record
 * at the site cached, only figures change, which needs no bracket (see
 * memtracer.h); otherwise a table may change, and the bracket is needed. */
void mt_counts_add_path(mt_site *site, size_t size, int object) {
    mt_node *node = mt_path_top;
    if (node != NULL) {
        mt_site_path *path = NULL;
        if (!mt_g.opt.trace_stacks ||
            (path = mt_site_path_cached(site, node)) != NULL) {
            path_share(node, path, size, object);
            return;
        }
    }
    count_path_bracketed(site, size, object);
}

/* Counts a block new to the program at a pseudo-site: hidden blocks stay
 * out of the program's figures, filtered ones do not. */
static NOINLINE void count_unrowed(mt_site *site, size_t size, int object,
                                   int resized) {
    if (site == &hidden_site) {
        site->head.n.count += object;
        site->head.n.bytes += size;
    } else if (site == &lost_site) {
        mt_g.lost_events++;
    } else {
        mt_counts_add(&site->head, size, object, resized);
    }
}

/* Counts a block new to the program at site (from site_sized). */
static inline void count(mt_site *site, size_t size, int object,
                         int resized) {
    if (UNLIKELY(MT_TAG_KIND(site->head.tag) != MT_TAG_ROW)) {
        count_unrowed(site, size, object, resized);
        return;
    }
    mt_counts_add(&site->head, size, object, resized);
    if (mt_calls_active) count_path(site, size, object);
}

/* Takes a released block out of the figures of the site it was counted
 * at: hidden blocks were never in the figures. */
static inline void uncount(mt_site *site, size_t size, int object) {
    if (site != &hidden_site) mt_counts_remove(&site->head, size, object);
}

/* ------------------------------------------------ blocks found by address */

/* A new block at a location, kept in the live table.  An address already
 * live means the VM reused it without reporting the free: believe the new
 * block, and let the old one go as if freed. */
static void charge(const void *ptr, size_t size, mt_site *site,
                   mt_live_kind kind, int resized) {
    if (site == &lost_site) {
        mt_g.lost_events++;
        return;
    }
    site = site_sized(site, size);
    mt_live e = {ptr, site, size, kind}, stale;
    switch (mt_live_add(&e, &stale)) {
    case MT_LIVE_REPLACED:
        uncount(stale.site, stale.size, stale.kind == MT_LIVE_OBJECT);
        break;
    case MT_LIVE_ADDED: break;
    default: mt_g.lost_events++; return;
    }
    count(site, size, kind == MT_LIVE_OBJECT, resized);
}

static void drop(const void *ptr) {
    mt_live e;
    if (mt_live_take(ptr, &e)) uncount(e.site, e.size, e.kind == MT_LIVE_OBJECT);
    else mt_g.untracked_frees++;
}

void mt_alloc(const void *ptr, size_t size, mt_type type, mt_func func,
              int line) {
    if (!mt_active || ptr == NULL) return;
    mt_event_begin();
    charge(ptr, size, site_at(func, line, type), MT_LIVE_OBJECT, 0);
    mt_event_end();
}

/* old_size and mt_free's size are the VM's view; the tracer trusts the
 * size it charged, which is what keeps bytes - freed == live exact. */
void mt_resize(const void *old_ptr, size_t old_size, const void *new_ptr,
               size_t new_size, mt_type owner, mt_func func, int line) {
    (void)old_size;
    if (!mt_active) return;
    mt_event_begin();
    if (old_ptr != NULL) drop(old_ptr);
    if (new_ptr != NULL)
        charge(new_ptr, new_size, site_at(func, line, owner), MT_LIVE_STORAGE,
               old_ptr != NULL);
    mt_event_end();
}

void mt_free(const void *ptr, size_t size) {
    (void)size;
    if (!mt_active || ptr == NULL) return;
    mt_event_begin();
    drop(ptr);
    mt_event_end();
}

/* --------------------------------------------------------- tagged blocks */

/* Counts a new tagged block made at site; its tag. */
static inline mt_tag charge_tagged(mt_site *site, size_t size, int object,
                                   int resized) {
    site = site_sized(site, size);
    count(site, size, object, resized);
    if (UNLIKELY(site == &lost_site)) return MT_TAG_NONE;
    return site->head.tag | (object ? 0 : MT_TAG_STORAGE);
}

static NOINLINE void release_unrowed(mt_tag tag, size_t size) {
    switch (MT_TAG_KIND(tag)) {
    case MT_TAG_FILTERED:
        mt_counts_remove(&filtered_site.head, size, !(tag & MT_TAG_STORAGE));
        break;
    case MT_TAG_HIDDEN: break;
    default: mt_g.untracked_frees++; break;
    }
}

static inline void release_tagged(mt_tag tag, size_t size) {
    if (MT_TAG_KIND(tag) == MT_TAG_ROW)
        mt_counts_remove(&mt_site_by_id(MT_TAG_SITE(tag))->head, size,
                         !(tag & MT_TAG_STORAGE));
    else
        release_unrowed(tag, size);
}

static inline mt_tag resize_tagged(mt_site *site, mt_tag old, size_t old_size,
                                   size_t new_size) {
    if (old_size > 0) release_tagged(old, old_size);
    if (new_size == 0) return MT_TAG_NONE;
    return charge_tagged(site, new_size, 0, old_size > 0);
}

mt_tag mt_alloc_tagged(size_t size, mt_type type, mt_func func, int line) {
    if (!mt_active) return MT_TAG_NONE;
    mt_event_begin();
    mt_tag tag = charge_tagged(site_at(func, line, type), size, 1, 0);
    mt_event_end();
    return tag;
}

mt_tag mt_resize_tagged(mt_tag old, size_t old_size, size_t new_size,
                        mt_type owner, mt_func func, int line) {
    if (!mt_active) return MT_TAG_NONE;
    mt_event_begin();
    mt_site *site = new_size > 0 ? site_at(func, line, owner) : NULL;
    mt_tag tag = resize_tagged(site, old, old_size, new_size);
    mt_event_end();
    return tag;
}

void mt_free_tagged(mt_tag tag, size_t size) {
    if (!mt_active) return;
    mt_event_begin();
    release_tagged(tag, size);
    mt_event_end();
}

/* ---------------------------------------------------- sites resolved ahead */

mt_site *mt_site_at(mt_func func, int line, mt_type type) {
    if (!mt_active) return NULL;
    mt_event_begin();
    mt_site *site = site_at(func, line, type);
    mt_event_end();
    return site;
}

mt_tag mt_alloc_at(mt_site *site, size_t size) {
    if (!mt_active) return MT_TAG_NONE;
    mt_event_begin();
    mt_tag tag = charge_tagged(site, size, 1, 0);
    mt_event_end();
    return tag;
}

mt_tag mt_resize_at(mt_site *site, mt_tag old, size_t old_size,
                    size_t new_size) {
    if (!mt_active) return MT_TAG_NONE;
    mt_event_begin();
    mt_tag tag = resize_tagged(site, old, old_size, new_size);
    mt_event_end();
    return tag;
}

/* ---------------------------------------------------------------- summary */

static void summary_add(mt_summary *sum, const mt_counts *n) {
    sum->allocations += n->count;
    sum->bytes += n->bytes;
    sum->resizes += n->resizes;
    sum->frees += n->frees;
    sum->freed_bytes += n->freed_bytes;
}

void mt_summary_get(mt_summary *sum) {
    memset(sum, 0, sizeof *sum);
    for (mt_site *site = *mt_site_table(); site != NULL; site = site->hh.next)
        summary_add(sum, &site->head.n);
    summary_add(sum, &filtered_site.head.n);
    sum->filtered_allocations = filtered_site.head.n.count;
    sum->filtered_bytes = filtered_site.head.n.bytes;
    sum->hidden_internal_allocations = hidden_site.head.n.count;
    sum->hidden_internal_bytes = hidden_site.head.n.bytes;
    sum->peak_bytes = mt_hot_state.peak_bytes;
    sum->peak_at_allocation = mt_hot_state.peak_at_allocation;
    /* A signal's report may land between a block's site figures and the
     * peak (inline counting has no bracket): the block is in the figures,
     * so it is in the peak. */
    uint64_t live = sum->bytes - sum->freed_bytes;
    if (sum->peak_bytes < live) {
        sum->peak_bytes = live;
        sum->peak_at_allocation = sum->allocations;
    }
    sum->untracked_frees = mt_g.untracked_frees;
    sum->lost_events = mt_g.lost_events;
}
