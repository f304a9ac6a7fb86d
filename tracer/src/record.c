/*
 * record.c -- the allocation events: mt_alloc, mt_resize, mt_free, and
 * their tagged twins mt_alloc_tagged, mt_free_tagged.
 *
 * Each event updates the program's summary, at most one site, one call
 * path and the live table, all O(1).  A tagged object skips the live
 * table: its tag carries its site and how it was counted, and the VM
 * hands back tag and size when it frees it.  The filters decide whether a block
 * gets a site row; they never decide whether it is counted, because a
 * filtered block is still the program's memory and still moves the peak.
 * What the tracer cannot hold (no memory) is dropped whole and counted in
 * lost_events, so the figures it does report stay consistent.
 */
#include <fnmatch.h>

#include "live.h"
#include "names.h"
#include "path.h"
#include "site.h"
#include "state.h"

static int globs_match(const mt_globs *g, const char *s) {
    for (size_t i = 0; i < g->count; i++)
        if (fnmatch(g->globs[i], s, 0) == 0) return 1;
    return 0;
}

/* FilterFile and FilterRootName depend only on the function, so each
 * function is judged once and the verdict kept on its record (and without
 * those filters the record is not even looked at). */
static int func_wanted(mt_func func) {
    if (mt_g.file_globs.count == 0 && mt_g.root_globs.count == 0) return 1;
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

static void peak_check(void) {
    mt_summary *sum = &mt_g.sum;
    if (sum->live_bytes > sum->peak_bytes) {
        sum->peak_bytes = sum->live_bytes;
        sum->peak_at_allocation = sum->allocations;
    }
}

/* Takes a released block out of the figures it was counted in. */
static void release(const mt_live *e) {
    mt_summary *sum = &mt_g.sum;
    if (e->kind == MT_LIVE_HIDDEN) return;
    sum->freed_bytes += e->size;
    sum->live_bytes -= e->size;
    if (e->kind == MT_LIVE_OBJECT) {
        sum->frees++;
        sum->live_allocations--;
    }
    if (e->site != NULL) {
        e->site->live_bytes -= e->size;
        if (e->kind == MT_LIVE_OBJECT) e->site->live_count--;
    }
}

/* Records a block in the live table; false (and counted) if it could not.
 * An address already live means the VM reused it without reporting the
 * free: believe the new block, and let the old one go as if freed. */
static int track(const void *ptr, mt_site *site, size_t size,
                 mt_live_kind kind) {
    mt_live e = {ptr, site, size, kind}, stale;
    switch (mt_live_add(&e, &stale)) {
    case MT_LIVE_REPLACED: release(&stale); return 1;
    case MT_LIVE_ADDED: return 1;
    default: mt_g.sum.lost_events++; return 0;
    }
}

/* What a charge did: the block is hidden, counted without a site, counted
 * at a site, or lost (the tracer had no memory for it). */
typedef enum outcome { HIDDEN, FILTERED, SITED, LOST } outcome;

/* The site a block of this size, type and location is charged to, with
 * the outcome; a lost site is counted here. */
static outcome site_of(size_t size, mt_type type, mt_func func, int line,
                       mt_site **site) {
    *site = NULL;
    if (type == MT_TYPE_INTERNAL && !mt_g.opt.trace_internal) return HIDDEN;
    if (size < mt_g.opt.trace_mem || !func_wanted(func)) return FILTERED;
    if ((*site = mt_site_get(func, line, type)) != NULL) return SITED;
    mt_g.sum.lost_events++;
    return LOST;
}

/* Counts a block that is new to the program: an object (object set) or
 * storage (resized: it replaced an older block). */
static void count(mt_site *site, outcome how, size_t size, int object,
                  int resized) {
    mt_summary *sum = &mt_g.sum;
    if (how == HIDDEN) {
        sum->hidden_internal_allocations += object;
        sum->hidden_internal_bytes += size;
        return;
    }
    sum->allocations += object;
    sum->live_allocations += object;
    sum->bytes += size;
    sum->live_bytes += size;
    sum->resizes += resized;
    peak_check();
    if (how == FILTERED) {
        sum->filtered_allocations += object;
        sum->filtered_bytes += size;
        return;
    }
    site->count += object;
    site->live_count += object;
    site->bytes += size;
    site->live_bytes += size;
    site->resizes += resized;
    if (!mt_calls_active) return;
    mt_node *node = mt_path_now();
    node->self_count += object;
    if (mt_g.opt.trace_stacks) {
        mt_site_path *path = mt_site_path_get(site, node);
        if (path == NULL) {
            sum->lost_events++;
            return;
        }
        path->count += object;
        path->bytes += size;
    }
}

/* A new block at a location, kept in the live table. */
static void charge(const void *ptr, size_t size, mt_type type, mt_func func,
                   int line, mt_live_kind kind, int resized) {
    mt_site *site;
    outcome how = site_of(size, type, func, line, &site);
    if (how == LOST) return;
    if (!track(ptr, site, size, how == HIDDEN ? MT_LIVE_HIDDEN : kind))
        return;
    count(site, how, size, kind == MT_LIVE_OBJECT, resized);
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
    if (old_ptr != NULL) {
        mt_live e;
        if (mt_live_take(old_ptr, &e)) release(&e);
        else mt_g.sum.untracked_frees++;
    }
    if (new_ptr != NULL)
        charge(new_ptr, new_size, owner, func, line, MT_LIVE_STORAGE,
               old_ptr != NULL);
    MT_EVENT_END();
}

void mt_free(const void *ptr, size_t size) {
    (void)size;
    if (!mt_active || ptr == NULL) return;
    MT_EVENT_BEGIN();
    mt_live e;
    if (mt_live_take(ptr, &e)) release(&e);
    else mt_g.sum.untracked_frees++;
    MT_EVENT_END();
}

/* A tag: the site's id above two bits saying how the object was counted.
 * Kind 0 is MT_TAG_NONE. */
#define TAG_SITED 1u
#define TAG_FILTERED 2u
#define TAG_HIDDEN 3u
#define TAG_KIND(tag) ((tag) & 3u)
#define TAG_SITE(tag) ((tag) >> 2)

mt_tag mt_alloc_tagged(size_t size, mt_type type, mt_func func, int line) {
    if (!mt_active) return MT_TAG_NONE;
    MT_EVENT_BEGIN();
    mt_site *site;
    outcome how = site_of(size, type, func, line, &site);
    mt_tag tag = MT_TAG_NONE;
    if (how != LOST) {
        count(site, how, size, 1, 0);
        tag = how == HIDDEN     ? TAG_HIDDEN
              : how == FILTERED ? TAG_FILTERED
                                : site->id << 2 | TAG_SITED;
    }
    MT_EVENT_END();
    return tag;
}

void mt_free_tagged(mt_tag tag, size_t size) {
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    unsigned kind = TAG_KIND(tag);
    if (kind == TAG_SITED || kind == TAG_FILTERED) {
        mt_site *site = kind == TAG_SITED ? mt_site_by_id(TAG_SITE(tag)) : NULL;
        mt_live e = {NULL, site, size, MT_LIVE_OBJECT};
        release(&e);
    } else if (kind != TAG_HIDDEN) {
        mt_g.sum.untracked_frees++;
    }
    MT_EVENT_END();
}
