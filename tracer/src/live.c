/*
 * live.c -- the live table: an open-addressing hash from block address to
 * (site, size, kind), with linear probing and backward-shift deletion.
 *
 * This is the one table with an entry per live object, touched by every
 * allocation and every free, so it is the one table that is not a uthash:
 * a uthash entry carries a 56-byte handle and an insertion-order list whose
 * upkeep touches two other entries on every delete.  Here a slot is 24
 * bytes in one flat array, an event touches one or two cache lines, and the
 * array doubles when half full (amortized O(1), no per-event malloc).  If
 * it cannot grow it fills up to 7/8 and then drops what does not fit.
 */
#include "live.h"

#include <string.h>

#include "mem.h"

#define FIRST_SLOTS 4096

typedef struct slot {
    const void *ptr;   /* NULL: empty */
    mt_site *site;
    uint64_t size_kind;  /* size << 2 | kind */
} slot;

static struct {
    slot *slots;
    size_t mask;       /* slot count - 1; the count is a power of two */
    unsigned shift;    /* 64 - log2(slot count) */
    size_t used;
} l;

void mt_live_begin(void) { memset(&l, 0, sizeof l); }

static size_t home(const void *ptr) {
    /* Fibonacci hashing: the multiply spreads aligned, clustered addresses
     * over the high bits, and the high bits are the ones we keep. */
    uint64_t h = ((uint64_t)(uintptr_t)ptr >> 4) * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> l.shift);
}

static void put(slot s) {
    size_t i = home(s.ptr);
    while (l.slots[i].ptr != NULL) i = (i + 1) & l.mask;
    l.slots[i] = s;
}

/* Doubles the array (or makes the first); false when memory is out. */
static int grow(void) {
    size_t count = l.slots != NULL ? (l.mask + 1) * 2 : FIRST_SLOTS;
    slot *old = l.slots;
    size_t old_count = old != NULL ? l.mask + 1 : 0;
    slot *fresh = mt_mem_alloc(count * sizeof(slot));
    if (fresh == NULL) return 0;
    memset(fresh, 0, count * sizeof(slot));
    l.slots = fresh;
    l.mask = count - 1;
    l.shift = 64;
    for (size_t n = count; n > 1; n >>= 1) l.shift--;
    for (size_t i = 0; i < old_count; i++)
        if (old[i].ptr != NULL) put(old[i]);
    mt_mem_free(old);
    return 1;
}

static void unpack(const slot *s, mt_live *out) {
    out->ptr = s->ptr;
    out->site = s->site;
    out->size = (size_t)(s->size_kind >> 2);
    out->kind = (mt_live_kind)(s->size_kind & 3);
}

int mt_live_add(const mt_live *e, mt_live *stale) {
    size_t count = l.slots != NULL ? l.mask + 1 : 0;
    if (2 * (l.used + 1) > count && !grow() &&
        (count == 0 || 8 * (l.used + 1) > 7 * count))
        return MT_LIVE_LOST;
    slot s = {e->ptr, e->site, (uint64_t)e->size << 2 | e->kind};
    size_t i = home(e->ptr);
    for (; l.slots[i].ptr != NULL; i = (i + 1) & l.mask) {
        if (l.slots[i].ptr == e->ptr) {
            unpack(&l.slots[i], stale);
            l.slots[i] = s;
            return MT_LIVE_REPLACED;
        }
    }
    l.slots[i] = s;
    l.used++;
    return MT_LIVE_ADDED;
}

int mt_live_take(const void *ptr, mt_live *out) {
    if (l.slots == NULL) return 0;
    size_t i = home(ptr);
    for (; l.slots[i].ptr != ptr; i = (i + 1) & l.mask)
        if (l.slots[i].ptr == NULL) return 0;
    unpack(&l.slots[i], out);
    /* Backward shift: pull later members of the probe run into the hole,
     * so lookups never need tombstones. */
    size_t hole = i;
    for (size_t j = (i + 1) & l.mask; l.slots[j].ptr != NULL;
         j = (j + 1) & l.mask) {
        size_t want = home(l.slots[j].ptr);
        /* j may move to the hole unless its home lies cyclically in
         * (hole, j]. */
        if (((j - want) & l.mask) >= ((j - hole) & l.mask)) {
            l.slots[hole] = l.slots[j];
            hole = j;
        }
    }
    l.slots[hole].ptr = NULL;
    l.used--;
    return 1;
}
