/*
 * live.c -- the live table: block address -> (tag, size).
 *
 * This is the one table with an entry per live block, touched by every
 * allocation and every free, so its cost is cache misses: a flat hash of
 * addresses sends neighbouring blocks to random places, and once the live
 * set outgrows the cache every event pays a trip to memory.  So the table
 * follows the heap's own layout instead.  Blocks are grouped by the 4 KiB
 * page they start in; each page has a small record of its blocks, keyed
 * by offset, and a directory maps page numbers to records.  Blocks the VM
 * allocates or sweeps one after another share a page, hence a record
 * already in cache, and the directory is small enough to stay there.
 *
 * Records come from pools (capacities 8 to 1024 entries, doubling when 3/4
 * full); the directory doubles when half full.  Both grow in steps, so an
 * event almost never allocates.  A record is kept when its page empties:
 * pages get reused, and the cost is bounded by the peak heap.
 */
#include "live.h"

#include <stdint.h>
#include <string.h>

#include "mem.h"

#define PAGE_SHIFT 12
#define PAGE_MASK (((uintptr_t)1 << PAGE_SHIFT) - 1)
#define MIN_CAP 8
/* 8-byte aligned blocks: at most 512 start in a page, which fill a record
 * of 1024 to half. */
#define MAX_CAP 1024
#define CLASSES 8    /* record capacities 8, 16, ..., 1024 */
#define FIRST_DIR 1024
#define GOLDEN 0x9E3779B97F4A7C15u

/* word: size << 13 | (offset in page + 1); 0 is empty. */
#define WORD_OFFSET(w) ((unsigned)((w) & 0x1FFF) - 1)
#define WORD_SIZE(w) ((size_t)((w) >> 13))
_Static_assert(TR_LIVE_MAX_SIZE == ((uint64_t)1 << (64 - 13)) - 1,
               "a size fills the word above the offset");

typedef struct entry {
    mt_tag tag;
    uint64_t word;
} entry;

typedef struct page {
    uintptr_t number;  /* address >> PAGE_SHIFT */
    uint32_t cap, used;
    entry e[];
} page;

typedef struct dir_slot {
    uintptr_t number;
    page *page;        /* NULL: empty slot */
} dir_slot;

static struct {
    dir_slot *dir;
    size_t dir_mask;
    unsigned dir_shift;
    size_t pages;
    page *last;        /* the page of the last event: usually the next one's */
    tr_pool pools[CLASSES];
} live;

bool tr_live_begin(void) {
    memset(&live, 0, sizeof live);
    for (int c = 0; c < CLASSES; c++)
        tr_pool_init(&live.pools[c],
                     sizeof(page) + ((size_t)MIN_CAP << c) * sizeof(entry));
    return true;
}

/* ------------------------------------------------------------ directory */

static size_t dir_home(uintptr_t number) {
    return (size_t)(((uint64_t)number * GOLDEN) >> live.dir_shift);
}

static dir_slot *dir_find(uintptr_t number) {
    if (live.dir == NULL) return NULL;
    for (size_t i = dir_home(number); live.dir[i].page != NULL;
         i = (i + 1) & live.dir_mask)
        if (live.dir[i].number == number) return &live.dir[i];
    return NULL;
}

static void dir_put(page *p) {
    size_t i = dir_home(p->number);
    while (live.dir[i].page != NULL) i = (i + 1) & live.dir_mask;
    live.dir[i].number = p->number;
    live.dir[i].page = p;
}

static int dir_grow(void) {
    size_t count = live.dir != NULL ? (live.dir_mask + 1) * 2 : FIRST_DIR;
    dir_slot *old = live.dir;
    size_t old_count = old != NULL ? live.dir_mask + 1 : 0;
    dir_slot *fresh = tr_mem_alloc(count * sizeof(dir_slot));
    if (fresh == NULL) return 0;
    memset(fresh, 0, count * sizeof(dir_slot));
    live.dir = fresh;
    live.dir_mask = count - 1;
    live.dir_shift = 64;
    for (size_t n = count; n > 1; n >>= 1) live.dir_shift--;
    for (size_t i = 0; i < old_count; i++)
        if (old[i].page != NULL) dir_put(old[i].page);
    tr_mem_free(old);
    return 1;
}

/* --------------------------------------------------------- page records */

static int class_of(uint32_t cap) {
    int c = 0;
    while ((uint32_t)MIN_CAP << c < cap) c++;
    return c;
}

/* Offsets map to slots in proportion, in order: blocks spread evenly
 * over the record, and a page of same-sized blocks has no collisions. */
static size_t slot_of(const page *p, unsigned offset) {
    return ((size_t)offset * p->cap) >> PAGE_SHIFT;
}

/* The slot of offset in p: its entry, or the empty slot it would take.
 * Records are never full (see tr_live_reserve), so the probe ends. */
static inline size_t entry_probe(const page *p, unsigned offset) {
    size_t mask = p->cap - 1, i = slot_of(p, offset);
    for (;;) {
        uint64_t w = p->e[i].word;
        if (w == 0 || WORD_OFFSET(w) == offset) return i;
        i = (i + 1) & mask;
    }
}

/* Stores an entry whose offset is not in p yet; p has a free slot. */
static void entry_put(page *p, entry e) {
    size_t i = slot_of(p, WORD_OFFSET(e.word));
    while (p->e[i].word != 0) i = (i + 1) & (p->cap - 1);
    p->e[i] = e;
    p->used++;
}

static page *page_new(uintptr_t number, uint32_t cap) {
    page *p = tr_pool_get(&live.pools[class_of(cap)]);
    if (p == NULL) return NULL;
    p->number = number;
    p->cap = cap;
    return p;
}

/* The slow half of page_of: the directory, and a new record. */
static __attribute__((noinline)) page *page_find(uintptr_t number,
                                                 int create) {
    dir_slot *slot = dir_find(number);
    if (slot != NULL) return live.last = slot->page;
    if (!create) return NULL;
    if (2 * (live.pages + 1) > (live.dir != NULL ? live.dir_mask + 1 : 0) &&
        !dir_grow() && (live.dir == NULL || 8 * (live.pages + 1) > 7 * (live.dir_mask + 1)))
        return NULL;
    page *p = page_new(number, MIN_CAP);
    if (p == NULL) return NULL;
    dir_put(p);
    live.pages++;
    return live.last = p;
}

/* The record of the page of addr; created when create is set.  NULL when
 * there is none, or no memory for it. */
static inline page *page_of(uintptr_t addr, int create) {
    uintptr_t number = addr >> PAGE_SHIFT;
    if (live.last != NULL && live.last->number == number) return live.last;
    return page_find(number, create);
}

/* Moves p's entries into a record twice its size; p itself if it cannot. */
static page *page_grow(page *p) {
    page *bigger = page_new(p->number, p->cap * 2);
    if (bigger == NULL) return p;
    for (uint32_t i = 0; i < p->cap; i++)
        if (p->e[i].word != 0) entry_put(bigger, p->e[i]);
    dir_find(p->number)->page = bigger;
    tr_pool_put(&live.pools[class_of(p->cap)], p);
    return live.last = bigger;
}

/* --------------------------------------------------------------- the API */

bool tr_live_reserve(uintptr_t addr) {
    page *p = page_of(addr, 1);
    if (p == NULL) return false;
    /* Kept at most 3/4 full, so that probes end; a record that cannot
     * grow any more refuses the block. */
    if (4 * (p->used + 1) <= 3 * p->cap) return true;
    if (p->e[entry_probe(p, (unsigned)(addr & PAGE_MASK))].word != 0)
        return true;  /* ptr is live: adding replaces its entry */
    return p->cap < MAX_CAP && page_grow(p) != p;
}

bool tr_live_add(uintptr_t addr, mt_tag tag, size_t size, tr_live *stale) {
    unsigned offset = (unsigned)(addr & PAGE_MASK);
    uint64_t word = (uint64_t)size << 13 | (offset + 1);
    page *p = page_of(addr, 1);
    size_t i = entry_probe(p, offset);
    bool replaced = p->e[i].word != 0;
    if (replaced) {
        stale->tag = p->e[i].tag;
        stale->size = WORD_SIZE(p->e[i].word);
    } else {
        p->used++;
    }
    p->e[i] = (entry){tag, word};
    return replaced;
}

bool tr_live_take(uintptr_t addr, tr_live *out) {
    page *p = page_of(addr, 0);
    if (p == NULL) return false;
    size_t hole = entry_probe(p, (unsigned)(addr & PAGE_MASK));
    if (p->e[hole].word == 0) return false;
    out->tag = p->e[hole].tag;
    out->size = WORD_SIZE(p->e[hole].word);
    /* Backward shift: pull later members of the probe run into the hole,
     * so look-ups never need tombstones. */
    size_t mask = p->cap - 1;
    for (size_t j = (hole + 1) & mask; p->e[j].word != 0; j = (j + 1) & mask) {
        size_t want = slot_of(p, WORD_OFFSET(p->e[j].word));
        /* j may move to the hole unless its home lies cyclically in
         * (hole, j]. */
        if (((j - want) & mask) >= ((j - hole) & mask)) {
            p->e[hole] = p->e[j];
            hole = j;
        }
    }
    p->e[hole].word = 0;
    p->used--;
    return true;
}
