/*
 * hash.h -- hashing, the bucket arrays of the tracer's look-up tables, and
 * the slots of its direct-mapped caches.
 *
 * Records (sites, call-path nodes, stack records, names) live in arrays by
 * id.  A table finds one by its key through a bucket array: the bucket
 * of a hash's high bits holds the first id of a chain linked through the
 * records' own next_in_bucket field.  Id 0 is never a record, so 0 ends a chain.  A
 * table doubles its buckets when it holds as many records as buckets, so
 * chains stay short.  A cache in front of a table keeps one recent answer
 * per slot; a hit costs a hash and a compare or three.
 */
#ifndef TR_HASH_H
#define TR_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A well-mixed 64-bit hash of x (the splitmix64 finalizer). */
static inline uint64_t tr_hash_mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    x ^= x >> 31;
    return x;
}

static inline uint64_t tr_hash_pair(uint64_t a, uint64_t b) {
    return tr_hash_mix(a * 0x9E3779B97F4A7C15u ^ b);
}

/* A hash of two words whose high bits depend on every bit of both: what
 * the event paths' tables and caches use, at two multiplies. */
static inline uint64_t tr_hash_words(uint64_t a, uint64_t b) {
    return a * 0x9E3779B97F4A7C15u + b * 0xC2B2AE3D27D4EB4Fu;
}

uint64_t tr_hash_bytes(const void *key, size_t len);

/* The slot of a hash in a cache of 2^bits slots. */
static inline size_t tr_cache_slot(uint64_t hash, unsigned bits) {
    return (size_t)(hash >> (64 - bits));
}

typedef struct tr_buckets {
    uint32_t *heads;    /* NULL until the first record */
    size_t count;       /* a power of two */
    unsigned shift;     /* 64 - log2(count): a hash's bucket is its top bits */
} tr_buckets;

/* How a table's records are reached from their ids, for rehashing: the
 * table holds the ids from first on. */
typedef struct tr_chain {
    uint64_t (*hash)(uint32_t id);
    uint32_t *(*next)(uint32_t id);
    uint32_t first;
} tr_chain;

/* Makes room for one more record, end (the ids in the table are first ..
 * end - 1): when the records would outnumber the buckets, doubles them and
 * relinks every chain.  False when memory is exhausted (the table is then
 * unchanged). */
bool tr_buckets_fit(tr_buckets *buckets, uint32_t end, const tr_chain *chain);

/* Links every record, first .. end - 1, again (a report reordered them
 * through their next_in_bucket fields). */
void tr_buckets_relink(tr_buckets *buckets, uint32_t end,
                       const tr_chain *chain);

static inline uint32_t *tr_bucket(const tr_buckets *buckets, uint64_t hash) {
    return &buckets->heads[hash >> buckets->shift];
}

#endif
