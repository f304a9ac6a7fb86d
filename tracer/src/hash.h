/*
 * hash.h -- hashing, the look-up tables of the tracer's records, and the
 * slots of its direct-mapped caches.
 *
 * Records (sites, call-path nodes, stack records, names) live in arrays by
 * id, and id 0 is never a record.  A table finds one by its key in one of
 * two ways:
 *
 *   buckets  the bucket of a hash's high bits holds the first id of a
 *            chain linked through the records' own next_in_bucket field;
 *            the buckets double when the records would outnumber them.
 *   index    an open-addressed array of ids (tr_index), for records that
 *            carry no link: 4 bytes a slot and 1.14 to 1.71 slots a
 *            record, so under 7 bytes a record all told.
 *
 * A cache in front of a table keeps one recent answer per slot; a hit
 * costs a hash and a compare or three.
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

static inline uint32_t *tr_bucket(const tr_buckets *buckets, uint64_t hash) {
    return &buckets->heads[hash >> buckets->shift];
}

/* An index: ids by the high bits of their hashes, linear probing from
 * there.  A slot is 0 (empty) or an id in its low id_bits bits under a
 * tag, bits of the id's hash, so that a probe reads a record only when the
 * tag matches.  The capacity is any number of slots (a hash's home is
 * scaled to it); a table grows by half when it would be 7/8 full. */
typedef struct tr_index {
    uint32_t *slots;     /* NULL until the first id */
    size_t capacity;
    size_t count;        /* ids held */
    unsigned id_bits;    /* at most 28: ids below 2^id_bits */
} tr_index;

/* The slot where a probe for hash starts. */
static inline size_t tr_index_home(const tr_index *index, uint64_t hash) {
    return (size_t)(((hash >> 32) * (uint64_t)index->capacity) >> 32);
}

static inline size_t tr_index_step(const tr_index *index, size_t slot) {
    return slot + 1 < index->capacity ? slot + 1 : 0;
}

/* The tag of hash, in the bits above an id: the low bits of the hash's
 * high half, which its home barely depends on. */
static inline uint32_t tr_index_tag(const tr_index *index, uint64_t hash) {
    return (uint32_t)(hash >> 32) << index->id_bits;
}

/* The id in a slot whose tag is tag, or 0: the slot is empty or holds
 * another tag's id (a probe goes on past those). */
static inline uint32_t tr_index_match(const tr_index *index, uint32_t slot,
                                      uint32_t tag) {
    uint32_t id_mask = ((uint32_t)1 << index->id_bits) - 1;
    return (slot & ~id_mask) == tag ? slot & id_mask : 0;
}

/* Sets the index up empty for ids of id_bits bits. */
void tr_index_init(tr_index *index, unsigned id_bits);

/* Makes room for the id end, with ids first .. end - 1 in the index
 * already, rehashed with hash when it grows (a new array, published with
 * one store once it is complete).  False when memory is exhausted or end
 * needs more than id_bits bits (the index is then unchanged). */
bool tr_index_fit(tr_index *index, uint32_t end, uint32_t first,
                  uint64_t (*hash)(uint32_t id));

/* Adds id under hash; the index has room (tr_index_fit). */
void tr_index_put(tr_index *index, uint64_t hash, uint32_t id);

/* Empties the index and puts ids first .. end - 1 back (its slots were
 * used for something else). */
void tr_index_rebuild(tr_index *index, uint32_t end, uint32_t first,
                      uint64_t (*hash)(uint32_t id));

#endif
