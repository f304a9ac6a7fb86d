/*
 * where.c -- the tracer's site of each allocation, remembered by bytecode
 * position.
 *
 * A traced allocation needs its site: the function and line running in
 * the innermost frame, then the tracer's look-up of (function, line,
 * type).  A program allocates from few instructions over and over, and an
 * instruction's address says both function and line, so a cache keyed by
 * (instruction, type) answers most allocations with two compares.  It is
 * two-way set associative: two hot instructions that hash alike, as in a
 * loop that calls an allocating function, would evict each other forever
 * from a direct-mapped one.  A function's code is never moved, only
 * freed: where_forget empties the cache before that, so a stale address
 * never matches.
 */
#include "where.h"

#include <stdint.h>
#include <string.h>

#include "compiler.h"
#include "vm.h"

#define WHERE_SETS_BITS 9

typedef struct {
    const uint8_t *ip;   /* NULL: empty */
    mt_type type;
    mt_site *site;
} where_slot;

/* A set: the most recently filled way first. */
static where_slot cache[1 << WHERE_SETS_BITS][2];

static inline where_slot *set_of(const uint8_t *ip, mt_type type) {
    uint64_t h = ((uint64_t)(uintptr_t)ip ^ (uint64_t)type << 40) *
                 0x9E3779B97F4A7C15u;
    return cache[h >> (64 - WHERE_SETS_BITS)];
}

/* The slow half of where_site: outside the VM's frames, or a miss. */
static __attribute__((noinline)) mt_site *where_find(where_slot *set,
                                                     mt_type type) {
    if (set == NULL)
        return mt_site_at(compiler_mt_func(), compiler_line(), type);
    mt_site *site = mt_site_at(vm_current_mt_func(), vm_current_line(), type);
    /* Where the tracer had no memory for a row (a site whose tag is none)
     * is not remembered: the next time may find some. */
    if (((mt_site_head *)site)->tag != MT_TAG_NONE) {
        set[1] = set[0];
        set[0] = (where_slot){vm.frames[vm.frame_count - 1].ip, type, site};
    }
    return site;
}

mt_site *where_site(mt_type type) {
    if (vm.frame_count == 0) return where_find(NULL, type);
    const uint8_t *ip = vm.frames[vm.frame_count - 1].ip;
    where_slot *set = set_of(ip, type);
    if (set[0].ip == ip && set[0].type == type) return set[0].site;
    if (set[1].ip == ip && set[1].type == type) return set[1].site;
    return where_find(set, type);
}

void where_forget(void) { memset(cache, 0, sizeof cache); }
