/*
 * mt_uthash.h -- uthash, configured for the tracer.  Include this, never
 * <uthash.h> directly.
 *
 * Bucket arrays come from the tracer's own memory, so they are released
 * with it and fail under fault injection like everything else.  uthash's
 * default on OOM is exit(); here a failed add just leaves the item out and
 * raises mt_hash_oom, which the caller checks to count the loss.  The hash
 * is a word-at-a-time multiply-xor: our keys are short fixed-size structs
 * and pointers, for which Jenkins' hash does needless byte work.
 */
#ifndef MT_UTHASH_H
#define MT_UTHASH_H

#include <stdint.h>
#include <string.h>

#include "mem.h"

extern int mt_hash_oom;

static inline unsigned mt_hash_bytes(const void *key, size_t len) {
    const unsigned char *p = key;
    uint64_t h = 0x9E3779B97F4A7C15u ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
    }
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 32;
    return (unsigned)h;
}

#define HASH_FUNCTION(keyptr, keylen, hashv) \
    ((hashv) = mt_hash_bytes((keyptr), (keylen)))
#define uthash_malloc(sz) mt_mem_alloc(sz)
#define uthash_free(ptr, sz) mt_mem_free(ptr)
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (mt_hash_oom = 1)

#include <uthash.h>

#endif
