/*
 * record.c -- the allocation events: mt_alloc, mt_resize, mt_free, and
 * their tagged twins mt_alloc_tagged, mt_resize_tagged, mt_free_tagged.
 *
 * Each event updates the program's summary, at most one site, one call
 * path and the live table, all O(1).  A tagged block skips the live
 * table: its tag carries its site and how it was counted, and the VM
 * hands back tag and size when it releases it.
 *
 * The filters decide whether a block gets a site row; they never decide
 * whether it is counted, because a filtered block is still the program's
 * memory and still moves the peak.  What the tracer cannot hold (no
 * memory) is dropped whole and counted in lost_events, so the figures it
 * does report stay consistent.
 *
 * Live figures are never kept, only derived (allocated minus freed), so an
 * event touches as few counters as it can.  The common case -- a block
 * that gets a row, no filter, no call paths -- is straight-line code; the
 * rest is out of line.
 */
#include <fnmatch.h>

#include "live.h"
#include "names.h"
#include "path.h"
#include "site.h"
#include "state.h"

#define NOINLINE __attribute__((noinline))

/* How a block is counted: kept out of the figures (an <internal> block),
 * counted without a site (filtered), counted at a site, or not at all
 * (the tracer had no memory for it). */
typedef enum how { HIDDEN, FILTERED, SITED, LOST } how;

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

/* The slow half of classify: hidden and filtered blocks, and sites that
 * miss the cache. */
static NOINLINE how classify_slow(size_t size, mt_type type, mt_func func,
                                  int line, mt_site **site) {
    if (type == MT_TYPE_INTERNAL && !mt_g.opt.trace_internal) return HIDDEN;
    if (size < mt_g.opt.trace_mem) return FILTERED;
    if ((mt_g.file_globs.count > 0 || mt_g.root_globs.count > 0) &&
        !func_wanted(func))
        return FILTERED;
    if ((*site = mt_site_find(func, line, type)) != NULL) return SITED;
    mt_g.sum.lost_events++;
    return LOST;
}

/* How a block is counted, and its site when it has one.  mt_g.plain says
 * that no option can hide or filter a block: then a cached site is the
 * whole answer. */
static inline how classify(size_t size, mt_type type, mt_func func, int line,
                           mt_site **site) {
    if (mt_g.plain && type != MT_TYPE_INTERNAL) {
        *site = mt_site_cached(func, line, type);
        if (*site != NULL) return SITED;
    }
    return classify_slow(size, type, func, line, site);
}

/* The call path's share of a sited block: its node's own count for the
 * histogram and call tree, and the site's record of the path for stack
 * traces. */
static NOINLINE void count_path(mt_site *site, size_t size, int object) {
    mt_node *node = mt_path_now();
    node->self_count += object;
    if (!mt_g.opt.trace_stacks) return;
    mt_site_path *path = mt_site_path_get(site, node);
    if (path == NULL) {
        mt_g.sum.lost_events++;
        return;
    }
    path->count += object;
    path->bytes += size;
}

static NOINLINE void count_hidden(size_t size, int object) {
    mt_g.sum.hidden_internal_allocations += object;
    mt_g.sum.hidden_internal_bytes += size;
}

/* Counts a block new to the program: an object, or storage (resized: it
 * replaced an older block, whose release is counted apart). */
static inline void count(how how, mt_site *site, size_t size, int object,
                         int resized) {
    mt_summary *sum = &mt_g.sum;
    if (how == HIDDEN) {
        count_hidden(size, object);
        return;
    }
    sum->allocations += object;
    sum->bytes += size;
    sum->resizes += resized;
    uint64_t live = sum->bytes - sum->freed_bytes;
    if (live > sum->peak_bytes) {
        sum->peak_bytes = live;
        sum->peak_at_allocation = sum->allocations;
    }
    if (how == FILTERED) {
        sum->filtered_allocations += object;
        sum->filtered_bytes += size;
        return;
    }
    site->count += object;
    site->bytes += size;
    site->resizes += resized;
    if (mt_calls_active) count_path(site, size, object);
}

/* Takes a released block out of the live figures. */
static inline void uncount(how how, mt_site *site, size_t size, int object) {
    mt_summary *sum = &mt_g.sum;
    if (how == HIDDEN) return;
    sum->frees += object;
    sum->freed_bytes += size;
    if (how == SITED) {
        site->frees += object;
        site->freed_bytes += size;
    }
}

/* ------------------------------------------------ blocks found by address */

static void release(const mt_live *e) {
    how how = e->kind == MT_LIVE_HIDDEN ? HIDDEN
              : e->site != NULL         ? SITED
                                        : FILTERED;
    uncount(how, e->site, e->size, e->kind == MT_LIVE_OBJECT);
}

/* A new block at a location, kept in the live table.  An address already
 * live means the VM reused it without reporting the free: believe the new
 * block, and let the old one go as if freed. */
static void charge(const void *ptr, size_t size, mt_type type, mt_func func,
                   int line, mt_live_kind kind, int resized) {
    mt_site *site = NULL;
    how how = classify(size, type, func, line, &site);
    if (how == LOST) return;
    mt_live e = {ptr, site, size, how == HIDDEN ? MT_LIVE_HIDDEN : kind}, stale;
    switch (mt_live_add(&e, &stale)) {
    case MT_LIVE_REPLACED: release(&stale); break;
    case MT_LIVE_ADDED: break;
    default: mt_g.sum.lost_events++; return;
    }
    count(how, site, size, kind == MT_LIVE_OBJECT, resized);
}

static void drop(const void *ptr) {
    mt_live e;
    if (mt_live_take(ptr, &e)) release(&e);
    else mt_g.sum.untracked_frees++;
}

void mt_alloc(const void *ptr, size_t size, mt_type type, mt_func func,
              int line) {
    if (!mt_active || ptr == NULL) return;
    MT_EVENT_BEGIN();
    charge(ptr, size, type, func, line, MT_LIVE_OBJECT, 0);
    MT_EVENT_END();
}

/* old_size and mt_free's size are the VM's view; the tracer trusts the
 * size it charged, which is what keeps bytes - freed == live exact. */
void mt_resize(const void *old_ptr, size_t old_size, const void *new_ptr,
               size_t new_size, mt_type owner, mt_func func, int line) {
    (void)old_size;
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    if (old_ptr != NULL) drop(old_ptr);
    if (new_ptr != NULL)
        charge(new_ptr, new_size, owner, func, line, MT_LIVE_STORAGE,
               old_ptr != NULL);
    MT_EVENT_END();
}

void mt_free(const void *ptr, size_t size) {
    (void)size;
    if (!mt_active || ptr == NULL) return;
    MT_EVENT_BEGIN();
    drop(ptr);
    MT_EVENT_END();
}

/* --------------------------------------------------------- tagged blocks */

/* A tag: the site's id above a bit saying the block is storage and two
 * saying how it was counted.  Kind 0 is MT_TAG_NONE. */
#define TAG_SITED 1u
#define TAG_FILTERED 2u
#define TAG_HIDDEN 3u
#define TAG_KIND(tag) ((tag) & 3u)
#define TAG_STORAGE 4u
#define TAG_SITE(tag) ((tag) >> 3)

/* Charges a new tagged block; its tag. */
static inline mt_tag charge_tagged(size_t size, mt_type type, mt_func func,
                                   int line, int object, int resized) {
    mt_site *site = NULL;
    how how = classify(size, type, func, line, &site);
    if (how == LOST) return MT_TAG_NONE;
    count(how, site, size, object, resized);
    mt_tag storage = object ? 0 : TAG_STORAGE;
    if (how == SITED) return site->id << 3 | storage | TAG_SITED;
    return storage | (how == FILTERED ? TAG_FILTERED : TAG_HIDDEN);
}

static inline void release_tagged(mt_tag tag, size_t size) {
    int object = !(tag & TAG_STORAGE);
    switch (TAG_KIND(tag)) {
    case TAG_SITED:
        uncount(SITED, mt_site_by_id(TAG_SITE(tag)), size, object);
        break;
    case TAG_FILTERED: uncount(FILTERED, NULL, size, object); break;
    case TAG_HIDDEN: break;
    default: mt_g.sum.untracked_frees++; break;
    }
}

mt_tag mt_alloc_tagged(size_t size, mt_type type, mt_func func, int line) {
    if (!mt_active) return MT_TAG_NONE;
    MT_EVENT_BEGIN();
    mt_tag tag = charge_tagged(size, type, func, line, 1, 0);
    MT_EVENT_END();
    return tag;
}

mt_tag mt_resize_tagged(mt_tag old, size_t old_size, size_t new_size,
                        mt_type owner, mt_func func, int line) {
    if (!mt_active) return MT_TAG_NONE;
    MT_EVENT_BEGIN();
    if (old_size > 0) release_tagged(old, old_size);
    mt_tag tag = MT_TAG_NONE;
    if (new_size > 0)
        tag = charge_tagged(new_size, owner, func, line, 0, old_size > 0);
    MT_EVENT_END();
    return tag;
}

void mt_free_tagged(mt_tag tag, size_t size) {
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    release_tagged(tag, size);
    MT_EVENT_END();
}
