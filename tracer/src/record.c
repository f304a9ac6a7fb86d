/*
 * record.c -- the allocation events of both doors: mt_alloc, mt_resize and
 * mt_free (blocks known by address), and mt_site_at, mt_alloc_at,
 * mt_resize_at and mt_free_tagged (blocks known by tag).
 *
 * Every block is counted at a site (site.h): a listed one, or one of the
 * tracer's own for the VM's memory, for what the options filter out and
 * for what the tracer had no memory for.  Counting is inline.h's, the
 * same code the fast door's inline functions run, so there is one
 * definition of it.  The filters decide whether a block gets a row; they
 * never decide whether it is counted, because a filtered block is still
 * the program's memory and still moves the peak.  What the tracer cannot
 * hold is dropped whole and counted in lost_events, so the figures it does
 * report stay consistent.
 */
#include <fnmatch.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "names.h"
#include "path.h"
#include "record.h"
#include "site.h"
#include "stack.h"
#include "state.h"
#include "sample.h"
#include "timeline.h"

#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The VM's own memory is in no figure: its site counts only what it got
 * and gave back, for the report's line on what was hidden. */
static struct {
    uint64_t blocks, bytes, freed_blocks, freed_bytes;
} hidden;

/* For tests: MEMTRACER_RAISE_AT=N raises SIGTERM in the middle of
 * counting the Nth block counted with its call path, between its site and
 * its path (the moment mt_inline.counting covers); 0: never. */
static uint64_t raise_countdown;

static void raise_armed(void) {
    if (raise_countdown != 0 && --raise_countdown == 0) raise(SIGTERM);
}

void tr_record_begin(void) {
    memset(&hidden, 0, sizeof hidden);
    const char *raise_at = getenv("MEMTRACER_RAISE_AT");
    raise_countdown = raise_at != NULL ? strtoull(raise_at, NULL, 10) : 0;
    tr_record_refresh();
}

/* Whether the inline functions may count a block at all, and whether
 * with its call path. */
static bool counted_inline, paths_inline;

/* They count until the timeline's next point is due, or not at all. */
static void count_until_set(void) {
    uint64_t until = counted_inline ? tr_timeline_next : 0;
    mt_inline.count_until = paths_inline ? 0 : until;
    mt_inline.count_paths_until = paths_inline ? until : 0;
}

void tr_record_refresh(void) {
    /* Stack traces alone are counted inline, but for the test of a
     * signal in the middle of counting (MEMTRACER_RAISE_AT). */
    bool stacks_inline = tr_state.options.trace_stacks &&
                         !tr_state.node_figures && raise_countdown == 0;
    paths_inline = mt_calls_active && stacks_inline;
    mt_inline.stack_cache = paths_inline ? tr_stack_cache : NULL;
    counted_inline = !(mt_calls_active && !stacks_inline) &&
                     tr_state.recording && !mt_inline.sampled &&
                     tr_state.options.trace_mem <= 1;
    count_until_set();
    mt_inline.last_called_tag =
        mt_inline.sampled ? UINT32_MAX
                          : MT_TAG_MAKE(MT_FIRST_COUNTED_SITE, 0) - 1;
}

void tr_record_reset(void) {
    hidden.blocks -= hidden.freed_blocks;
    hidden.bytes -= hidden.freed_bytes;
    hidden.freed_blocks = hidden.freed_bytes = 0;
}

void tr_hidden_figures(uint64_t *blocks, uint64_t *bytes) {
    *blocks = hidden.blocks;
    *bytes = hidden.bytes;
}

static bool globs_match(const tr_globs *globs, const char *text) {
    for (size_t i = 0; i < globs->count; i++)
        if (fnmatch(globs->globs[i], text, 0) == 0) return true;
    return false;
}

/* FilterFile and FilterRootName depend only on the function, so each
 * function is judged once and the result kept on its record. */
static bool func_listed(mt_func id) {
    tr_func *func = tr_func_of(id);
    if (func->listed == 0) {
        bool listed = true;
        if (tr_state.file_globs.count > 0)
            listed = globs_match(&tr_state.file_globs, tr_func_file(func));
        if (listed && tr_state.root_globs.count > 0)
            listed = globs_match(&tr_state.root_globs, func->name);
        func->listed = listed ? 1 : -1;
    }
    return func->listed > 0;
}

mt_site mt_site_at(mt_func func, int line, mt_type type) {
    if (!mt_active) return TR_SITE_LOST;
    if (type == MT_TYPE_INTERNAL && !tr_state.options.trace_internal)
        return TR_SITE_HIDDEN;
    if ((tr_state.file_globs.count > 0 || tr_state.root_globs.count > 0) &&
        !func_listed(func))
        return tr_type_is_object(type) ? TR_SITE_FILTERED_OBJECTS
                                       : TR_SITE_FILTERED_STORAGE;
    return tr_site_find(func, line, type, tr_state.phase);
}

void mt_phase_set(mt_phase phase) { tr_state.phase = phase; }

/* The call path's share of n blocks counted at a listed site: its node's
 * own figures when the report is the histogram or the call tree, and with
 * stack traces the site's record of the path. */
static ALWAYS_INLINE void path_count(mt_site site, size_t size, uint64_t n) {
    mt_path node = tr_path_now();
    if (tr_state.node_figures) {
        tr_node *record = tr_node_of(node);
        record->self_count += tr_site(site)->object * n;
        record->self_bytes += size * n;
    }
    if (tr_state.options.trace_stacks && !tr_stack_add(site, node, size, n))
        tr_state.lost_events++;
}

/* Counts n blocks of size bytes made at site (n > 1: a sampled block's
 * weight), with their call path's share while calls are traced; their
 * tag, birth in its low bits.  TraceMem sends a small block at a listed
 * site to a filtered one.  A signal that comes while the block is in its
 * site and not yet in its path waits (mt_inline.counting). */
static ALWAYS_INLINE mt_tag count_at(mt_site site, size_t size, uint64_t n,
                                     unsigned birth) {
    if (site >= TR_FIRST_LISTED_SITE && size < tr_state.options.trace_mem)
        site = tr_site(site)->object ? TR_SITE_FILTERED_OBJECTS
                                     : TR_SITE_FILTERED_STORAGE;
    bool with_path = mt_calls_active && site >= TR_FIRST_LISTED_SITE;
    if (with_path) {
        mt_inline.counting = 1;
        atomic_signal_fence(memory_order_seq_cst);
    }
    mt_site_count(site, size, n);
    if (UNLIKELY(mt_inline.bytes >= tr_timeline_next)) {
        tr_timeline_tick();
        count_until_set();
    }
    if (with_path) {
        if (UNLIKELY(raise_countdown != 0)) raise_armed();
        path_count(site, size, n);
        atomic_signal_fence(memory_order_seq_cst);
        mt_inline.counting = 0;
        if (UNLIKELY(mt_inline.signal_waiting)) tr_signal_deliver();
    }
    return MT_TAG_MAKE(site, birth);
}

/* Counts a block of size bytes made at site; its tag.  Recording off, or
 * a block a sampled run passes over, nothing is counted; a sampled block
 * counts as its weight's worth, the rounding of its weight kept in its
 * tag. */
static ALWAYS_INLINE mt_tag count_obtained(mt_site site, size_t size) {
    if (UNLIKELY(!tr_state.recording)) return MT_TAG_UNTRACED;
    if (UNLIKELY(site < MT_FIRST_COUNTED_SITE)) {
        if (site == TR_SITE_HIDDEN) {
            hidden.blocks++;
            hidden.bytes += size;
            return MT_TAG_MAKE(TR_SITE_HIDDEN, 0);
        }
        tr_state.lost_events++;
        return MT_TAG_UNTRACED;
    }
    if (UNLIKELY(mt_inline.sampled)) {
        uint64_t weight;
        unsigned rounded_up;
        if (!tr_sample_take(size, &weight, &rounded_up))
            return MT_TAG_UNTRACED;
        return count_at(site, size, weight, rounded_up);
    }
    return count_at(site, size, 1, mt_inline.gc_cycle);
}

/* Counts out a block of size bytes tagged tag: released, or replaced. */
static ALWAYS_INLINE void count_released(mt_tag tag, size_t size,
                                         bool died) {
    if (UNLIKELY(mt_inline.sampled) && MT_TAG_SITE(tag) >= MT_FIRST_COUNTED_SITE &&
        MT_TAG_SITE(tag) < tr_site_count()) {
        mt_site_uncount(tag, size, tr_sample_weight(size, MT_TAG_BIRTH(tag)));
        return;
    }
    mt_site site = MT_TAG_SITE(tag);
    if (UNLIKELY(site < MT_FIRST_COUNTED_SITE || site >= tr_site_count())) {
        if (site == TR_SITE_HIDDEN) {
            hidden.freed_blocks++;
            hidden.freed_bytes += size;
        } else if (site != 0) {
            tr_state.untracked_frees++;
        }
        return;
    }
    mt_site_released(tag, size, died);
}

/* How many resizes replacing a block tagged tag of size bytes counts: 1,
 * or in a sampled run the block's weight. */
static uint64_t resize_weight(mt_tag tag, size_t size) {
    return mt_inline.sampled ? tr_sample_weight(size, MT_TAG_BIRTH(tag)) : 1;
}

/* ------------------------------------------------------- the fast door */

/* A site this run never resolved (one kept from an earlier run, or no
 * site at all): its block is not counted, rather than counted somewhere
 * that is not a site. */
static bool site_unknown(mt_site site) { return site >= tr_site_count(); }

mt_tag mt_alloc_at(mt_site site, size_t size) {
    if (!mt_active || site_unknown(site)) return MT_TAG_UNTRACED;
    return count_obtained(site, size);
}

mt_tag mt_resize_at(mt_site site, mt_tag old, size_t old_size,
                    size_t new_size) {
    if (!mt_active) return MT_TAG_UNTRACED;
    if (old_size > 0) {
        count_released(old, old_size, new_size == 0);
        if (new_size > 0 && MT_TAG_SITE(old) >= MT_FIRST_COUNTED_SITE)
            mt_inline.resizes += resize_weight(old, old_size);
    }
    return new_size > 0 && !site_unknown(site) ? count_obtained(site, new_size)
                                                : MT_TAG_UNTRACED;
}

void mt_free_tagged(mt_tag tag, size_t size) {
    if (!mt_active) return;
    count_released(tag, size, true);
}

void mt_unused_tagged(mt_tag tag, size_t bytes) {
    if (!mt_active || MT_TAG_SITE(tag) >= tr_site_count()) return;
    mt_unused_tagged_inline(tag, bytes);
}

/* ----------------------------------------------------- the simple door */

/* A block at ptr counted at site, kept in the live table.  An address
 * already live means the VM reused it without reporting the release:
 * believe the new block, and count the old one out as released first (the
 * program never held both). */
static void obtained_at(uintptr_t address, size_t size, mt_site site) {
    if (size > TR_LIVE_MAX_SIZE) size = TR_LIVE_MAX_SIZE;
    tr_live stale;
    if (tr_live_take(address, &stale))
        count_released(stale.tag, stale.size, true);
    if (!tr_live_reserve(address)) {
        tr_state.lost_events++;
        return;
    }
    tr_live_add(address, count_obtained(site, size), size, &stale);
}

void mt_alloc(const void *ptr, size_t size, mt_type type, mt_func func,
              int line) {
    if (!mt_active || ptr == NULL) return;
    obtained_at((uintptr_t)ptr, size, mt_site_at(func, line, type));
}

/* old_size and mt_free's size are the VM's view; the tracer trusts the
 * size it counted, which keeps bytes - freed = live exact. */
void mt_resize(const void *old_ptr, size_t old_size, const void *new_ptr,
               size_t new_size, mt_type type, mt_func func, int line) {
    (void)old_size;
    if (!mt_active) return;
    tr_live old = {MT_TAG_UNTRACED, 0};
    bool had_old = old_ptr != NULL && tr_live_take((uintptr_t)old_ptr, &old);
    if (old_ptr != NULL && !had_old) tr_state.untracked_frees++;
    if (had_old) {
        count_released(old.tag, old.size, new_ptr == NULL);
        if (new_ptr != NULL && MT_TAG_SITE(old.tag) >= MT_FIRST_COUNTED_SITE)
            mt_inline.resizes += resize_weight(old.tag, old.size);
    }
    if (new_ptr != NULL)
        obtained_at((uintptr_t)new_ptr, new_size, mt_site_at(func, line, type));
}

void mt_free(const void *ptr, size_t size) {
    (void)size;
    if (!mt_active || ptr == NULL) return;
    tr_live old;
    if (tr_live_take((uintptr_t)ptr, &old))
        count_released(old.tag, old.size, true);
    else
        tr_state.untracked_frees++;
}
