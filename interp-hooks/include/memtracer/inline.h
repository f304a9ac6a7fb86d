/*
 * inline.h -- the fast door's common events, counted by inline code instead
 * of a call: at a few dozen instructions an event, a call's own cost is a
 * large share of it.
 *
 * This header lays out what those events touch -- a site's figures and the
 * program's live figures -- and so is tied to the exact version of the
 * library: mt_start refuses (exit status 70, with a message) a VM compiled
 * against the headers of another version.  A VM reads and writes none of
 * it itself; it calls the functions below, under MT_TRACING(), and makes
 * the call of the same name without _inline when they answer false.
 * Outside a run (before mt_start, after mt_finish) they count nothing:
 * mt_alloc_at_inline and mt_resize_at_inline answer false, and so does
 * mt_free_tagged_inline for a block counted at a site, and those calls
 * then do nothing; so a VM that runs only between mt_start and mt_finish
 * but frees its blocks after may leave out MT_TRACING() for them, as
 * lox's VM with hooks does; mt_unused_tagged_inline too counts nothing
 * outside a run.
 *
 * They answer false, having changed nothing, whenever the event needs more
 * than counting: a block the options keep out of the report's figures,
 * any block obtained while TraceMem is set (the call judges its size), a
 * site the tracer had no memory for, a call path not
 * interned yet or whose record is not in the cache, a call path for the
 * histogram or the call tree, a point of the timeline due, a block a
 * sampled run samples.  They call nothing (but raise(), for a signal that
 * came while they counted), so a VM's common case can be a function that
 * calls only its allocator.  In a sampled run (SampleBytes), the blocks
 * that are not sampled, nearly all of them, are answered inline: not
 * counted, tagged MT_TAG_UNTRACED.
 *
 * A signal that lands in the middle of one sees a block in some of its
 * site's figures and not yet in others: the report, whose program figures
 * are the sum of the sites', agrees with itself at every moment.  With
 * stack traces a block is counted at its site and at its call path, which
 * a report must see together: an ending signal that comes in between
 * waits (counting), and is raised again once the block is counted whole.
 */
#ifndef MEMTRACER_INLINE_H
#define MEMTRACER_INLINE_H

#include <signal.h>

#include "memtracer/hooks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The figures of a site.  Live is obtained minus freed; peak_* is what was
 * live here when the program's live bytes last reached their peak, taken
 * by the first event at the site after that peak (epoch) and read as the
 * live figures when none has come since. */
typedef struct mt_site_figures {
    uint64_t blocks, bytes;              /* obtained here */
    uint64_t freed_blocks, freed_bytes;
    uint64_t peak_bytes;
    uint32_t peak_blocks;
    uint32_t peak_epoch;
    union {
        /* An object site: its objects freed at an age of 0 (died young:
         * in the first collection after their birth), 1, 2-3, 4-7, 8-15,
         * and 16 or more collections. */
        uint32_t deaths[6];
        /* A storage site: bytes its blocks reserved and never used. */
        uint64_t unused_bytes;
    } life;
    mt_func func;
    int32_t line;
    mt_type type;
    uint8_t object;                      /* its type is an object type */
    uint8_t phase;
    uint16_t reserved;
} mt_site_figures;

/* The sites below this id are the tracer's own: 0 (no site), the VM's own
 * memory, and the site of what the tracer had no memory for; they are
 * never counted inline. */
#define MT_FIRST_COUNTED_SITE 3u

/* A tag: its site's id, and the collection count at the block's birth in
 * the low 8 bits (in a sampled run, how its weight was rounded). */
#define MT_TAG_SITE(tag) ((tag) >> 8)
#define MT_TAG_BIRTH(tag) ((tag) & 0xFFu)
#define MT_TAG_MAKE(site, birth) ((mt_tag)((site) << 8 | ((birth) & 0xFFu)))

/* A call path's share of a site, with stack traces: blocks obtained at
 * site while node was the call path.  The links are the library's. */
typedef struct mt_stack_figures {
    mt_site site;
    mt_path node;
    uint32_t next_in_site, next_in_bucket;
    uint64_t blocks, bytes;
} mt_stack_figures;

/* The stack records of recent (site, path) pairs, direct-mapped by
 * mt_stack_slot; 0: none. */
#define MT_STACK_CACHE_BITS 10

static inline size_t mt_stack_slot(mt_site site, mt_path path) {
    uint64_t hash = ((uint64_t)site << 32 | path) * 0x9E3779B97F4A7C15u;
    return (size_t)(hash >> (64 - MT_STACK_CACHE_BITS));
}

/* The program's figures an event moves. */
typedef struct mt_inline_state {
    mt_site_figures *sites;              /* by id */
    uint64_t objects;                    /* objects obtained so far */
    uint64_t bytes;                      /* bytes obtained so far */
    uint64_t live_bytes;
    /* The peak of live bytes, as last taken: live bytes may stand above
     * it until they next fall (mt_site_uncount) or a report settles it. */
    uint64_t peak_bytes;
    uint64_t peak_objects;               /* objects when the peak was set */
    uint64_t peak_at_bytes;              /* bytes obtained by then */
    uint64_t resizes;
    uint64_t gc_cycles;                  /* collections the VM reported */
    /* The inline functions count a block while bytes, with it, stay below
     * count_until (at its site) or count_paths_until (at its site and its
     * call path, with stack traces): the bytes at which the next point of
     * the timeline is due, or 0.  Both are 0 while every block needs the
     * call (recording stopped, TraceMem, call paths for the histogram or
     * the call tree, a sampled run). */
    uint64_t count_until;
    uint64_t count_paths_until;
    /* A sampled run: bytes to obtain before the next sample; 0 in a run
     * that is not sampled, so that no block falls short of it. */
    int64_t sample_left;
    /* Releases of blocks tagged at or below it need the call: the tags
     * of the tracer's own sites, and in a sampled run or outside a run
     * every tag (a sampled block counts out its weight). */
    uint32_t last_called_tag;
    uint32_t peak_epoch;                 /* raised with every new peak */
    uint8_t gc_cycle;                    /* collections so far, mod 256 */
    uint8_t sampled;                     /* SampleBytes is on */
    /* With stack traces, what counts a block at its call path inline:
     * the records by id, their cache (NULL while a block's call path
     * needs the call), and the current call path's node (0 until it is
     * interned). */
    mt_stack_figures *stacks;
    uint32_t *stack_cache;
    mt_path path;
    /* Set while a block is counted at its site and its call path; an
     * ending signal that comes meanwhile waits in signal_waiting. */
    volatile sig_atomic_t counting;
    volatile sig_atomic_t signal_waiting;
} mt_inline_state;

MT_API extern mt_inline_state mt_inline;

/* The site's peak figures, brought up to the program's last peak before
 * the site's figures change. */
static inline void mt_site_peak_keep(mt_site_figures *site) {
    if (MT_UNLIKELY(site->peak_epoch != mt_inline.peak_epoch)) {
        site->peak_bytes = site->bytes - site->freed_bytes;
        site->peak_blocks = (uint32_t)(site->blocks - site->freed_blocks);
        site->peak_epoch = mt_inline.peak_epoch;
    }
}

/* Counts n blocks of size bytes obtained at site, a listed site or the
 * filtered ones (n > 1: a sampled block's weight).  The library counts
 * with it too.  Live bytes only rise here, so their peak is taken when
 * they are about to fall (mt_site_uncount) or by the report. */
static inline void mt_site_count(mt_site id, size_t size, uint64_t n) {
    mt_inline_state *state = &mt_inline;
    mt_site_figures *site = &state->sites[id];
    mt_site_peak_keep(site);
    site->blocks += n;
    site->bytes += size * n;
    state->objects += site->object * n;
    state->bytes += size * n;
    state->live_bytes += size * n;
}

/* Counts a block of size bytes obtained at site; its tag. */
static inline mt_tag mt_site_obtained(mt_site id, size_t size) {
    mt_site_count(id, size, 1);
    return MT_TAG_MAKE(id, mt_inline.gc_cycle);
}

/* With stack traces, the record of site at the current call path, if the
 * path is known and the cache has it; else NULL.  Record 0 is nobody's:
 * its site is 0. */
static inline mt_stack_figures *mt_path_record(mt_site id) {
    mt_path path = mt_inline.path;
    if (MT_UNLIKELY(path == 0)) return NULL;
    mt_stack_figures *record =
        &mt_inline.stacks[mt_inline.stack_cache[mt_stack_slot(id, path)]];
    if (MT_UNLIKELY(record->site != id || record->node != path)) return NULL;
    return record;
}

/* Counts a block of size bytes obtained at site and at its call path's
 * record; its tag. */
static inline mt_tag mt_path_obtained(mt_site id, size_t size,
                                      mt_stack_figures *record) {
    mt_inline_state *state = &mt_inline;
    state->counting = 1;
    MT_SIGNAL_ORDER();
    mt_site_count(id, size, 1);
    record->blocks++;
    record->bytes += size;
    MT_SIGNAL_ORDER();
    state->counting = 0;
    if (MT_UNLIKELY(state->signal_waiting)) raise(state->signal_waiting);
    return MT_TAG_MAKE(id, state->gc_cycle);
}

/* The current call path, for a VM that keeps each frame's path itself
 * (mt_path_child) and builds it only when something first allocates under
 * the frame: 0 after a call, until then; after a return, the caller's
 * path, or 0 if it was not built.  While it is 0 the inline functions
 * decline, and the VM builds it and makes it current before any call that
 * counts a block.  Such a VM makes no mt_call, mt_return or mt_unwind. */
static inline mt_path mt_path_current(void) { return mt_inline.path; }
static inline void mt_path_current_set(mt_path path) {
    mt_inline.path = path;
}

/* The age bucket of a block by its tag: collections since its birth, 0,
 * 1, 2-3, 4-7, 8-15, 16 or more, counted mod 256 (an object that lives
 * through 256 collections is counted as if born again). */
static inline unsigned mt_age_bucket(mt_tag tag) {
    unsigned age = (unsigned)(mt_inline.gc_cycle - MT_TAG_BIRTH(tag)) & 0xFFu;
    if (age == 0) return 0;
#if defined(__GNUC__)
    unsigned bucket = 32u - (unsigned)__builtin_clz(age);
#else
    unsigned bucket = 0;
    for (unsigned rest = age; rest > 0; rest >>= 1) bucket++;
#endif
    return bucket < 5 ? bucket : 5;
}

/* Counts out n blocks of size bytes tagged at a counted site.  The
 * library counts with it too.  Live bytes above their peak are about to
 * fall: that peak is now, every site's share of it what it holds. */
static inline void mt_site_uncount(mt_tag tag, size_t size, uint64_t n) {
    mt_inline_state *state = &mt_inline;
    if (state->live_bytes > state->peak_bytes) {
        /* The epoch moved, then the peak: a report from a signal in
         * between reads every site's share as what it holds now, and
         * the peak as their sum. */
        state->peak_epoch++;
        MT_SIGNAL_ORDER();
        state->peak_bytes = state->live_bytes;
        state->peak_objects = state->objects;
        state->peak_at_bytes = state->bytes;
    }
    mt_site_figures *site = &state->sites[MT_TAG_SITE(tag)];
    mt_site_peak_keep(site);
    site->freed_blocks += n;
    site->freed_bytes += size * n;
    state->live_bytes -= size * n;
}

/* Counts out a block of size bytes tagged at a counted site: released
 * (died: its age is counted) or replaced by a resize. */
static inline void mt_site_released(mt_tag tag, size_t size, bool died) {
    mt_site_uncount(tag, size, 1);
    mt_site_figures *site = &mt_inline.sites[MT_TAG_SITE(tag)];
    if (died && site->object) site->life.deaths[mt_age_bucket(tag)]++;
}

/* mt_unused_tagged, inline: the block's site counts the bytes its blocks
 * reserved and never used.  A block at none of the program's sites
 * (MT_TAG_UNTRACED, the tracer's own) counts nothing, nor does any in a
 * sampled run, which does not estimate them, or outside a run. */
static inline void mt_unused_tagged_inline(mt_tag tag, size_t bytes) {
    if (tag <= mt_inline.last_called_tag) return;
    mt_site_figures *site = &mt_inline.sites[MT_TAG_SITE(tag)];
    if (!site->object) site->life.unused_bytes += bytes;
}

/* Whether a block of size bytes at site can be counted inline, before
 * the bytes obtained reach until. */
static inline bool mt_inline_countable(mt_site id, size_t size,
                                       uint64_t until) {
    return !MT_UNLIKELY(id < MT_FIRST_COUNTED_SITE ||
                        mt_inline.bytes + size >= until);
}

/* In a sampled run, whether a block of size bytes falls short of the
 * next sample: then it is not counted, the countdown moved on. */
static inline bool mt_sample_skips(size_t size) {
    if (mt_inline.sample_left <= (int64_t)size) return false;
    mt_inline.sample_left -= (int64_t)size;
    return true;
}

/* mt_alloc_at, inline: false, having changed nothing, when the call is
 * needed. */
static inline bool mt_alloc_at_inline(mt_site site, size_t size,
                                      mt_tag *tag) {
    if (mt_inline_countable(site, size, mt_inline.count_until)) {
        *tag = mt_site_obtained(site, size);
        return true;
    }
    if (mt_inline_countable(site, size, mt_inline.count_paths_until)) {
        mt_stack_figures *record = mt_path_record(site);
        if (record == NULL) return false;
        *tag = mt_path_obtained(site, size, record);
        return true;
    }
    if (!mt_sample_skips(size)) return false;
    *tag = MT_TAG_UNTRACED;
    return true;
}

/* mt_resize_at of a block that is not released (new_size > 0), inline. */
static inline bool mt_resize_at_inline(mt_site site, mt_tag old,
                                       size_t old_size, size_t new_size,
                                       mt_tag *tag) {
    bool old_counted =
        old_size == 0 || MT_TAG_SITE(old) >= MT_FIRST_COUNTED_SITE;
    mt_stack_figures *record = NULL;
    if (old_counted &&
        mt_inline_countable(site, new_size, mt_inline.count_until)) {
        /* counted at its site alone */
    } else if (old_counted &&
               mt_inline_countable(site, new_size,
                                   mt_inline.count_paths_until)) {
        if ((record = mt_path_record(site)) == NULL) return false;
    } else {
        if (old != MT_TAG_UNTRACED || !mt_sample_skips(new_size)) return false;
        *tag = MT_TAG_UNTRACED;
        return true;
    }
    if (old_size > 0) {
        mt_site_released(old, old_size, false);
        mt_inline.resizes++;
    }
    *tag = record != NULL ? mt_path_obtained(site, new_size, record)
                          : mt_site_obtained(site, new_size);
    return true;
}

/* mt_free_tagged, inline. */
static inline bool mt_free_tagged_inline(mt_tag tag, size_t size) {
    if (MT_UNLIKELY(tag <= mt_inline.last_called_tag))
        return tag == MT_TAG_UNTRACED;
    mt_site_released(tag, size, true);
    return true;
}

#ifdef __cplusplus
}
#endif

#endif
