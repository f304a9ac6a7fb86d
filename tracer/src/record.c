/*
 * record.c -- the allocation events: mt_alloc, mt_resize, mt_free.
 *
 * Each event updates the program's summary, at most one site, one call
 * path and the live table, all O(1).  The filters decide whether a block
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

/* A new block at the current location: an object (kind OBJECT) or an
 * object's storage (kind STORAGE; resized: it replaced an older block). */
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

/* A new block at the current location: an object (kind OBJECT) or an
 * object's storage (kind STORAGE; resized: it replaced an older block). */
static void charge(const void *ptr, size_t size, mt_type type, int line,
                   mt_live_kind kind, int resized) {
    mt_summary *sum = &mt_g.sum;
    if (type == MT_TYPE_INTERNAL && !mt_g.opt.trace_internal) {
        if (!track(ptr, NULL, size, MT_LIVE_HIDDEN)) return;
        if (kind == MT_LIVE_OBJECT) sum->hidden_internal_allocations++;
        sum->hidden_internal_bytes += size;
        return;
    }

    mt_node *node = mt_path_current;
    mt_site *site = NULL;
    if (size >= mt_g.opt.trace_mem && func_wanted(node->key.func)) {
        site = mt_site_get(node->key.func, line, type);
        if (site == NULL) {
            sum->lost_events++;
            return;
        }
    }
    if (!track(ptr, site, size, kind)) return;
    int object = kind == MT_LIVE_OBJECT;
    sum->allocations += object;
    sum->live_allocations += object;
    sum->bytes += size;
    sum->live_bytes += size;
    sum->resizes += resized;
    peak_check();
    if (site == NULL) {
        sum->filtered_allocations += object;
        sum->filtered_bytes += size;
        return;
    }
    site->count += object;
    site->live_count += object;
    site->bytes += size;
    site->live_bytes += size;
    site->resizes += resized;
    node->self_count += object;
    node->self_bytes += size;
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

void mt_alloc(const void *ptr, size_t size, mt_type type, int line) {
    if (!mt_active || ptr == NULL) return;
    MT_EVENT_BEGIN();
    charge(ptr, size, type, line, MT_LIVE_OBJECT, 0);
    MT_EVENT_END();
}

/* old_size and mt_free's size are the VM's view; the tracer trusts the
 * size it charged, which is what keeps bytes - freed == live exact. */
void mt_resize(const void *old_ptr, size_t old_size, const void *new_ptr,
               size_t new_size, mt_type owner, int line) {
    (void)old_size;
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    if (old_ptr != NULL) {
        mt_live e;
        if (mt_live_take(old_ptr, &e)) release(&e);
        else mt_g.sum.untracked_frees++;
    }
    if (new_ptr != NULL)
        charge(new_ptr, new_size, owner, line, MT_LIVE_STORAGE,
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
