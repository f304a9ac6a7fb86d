/*
 * hash.c -- hashing bytes, growing bucket arrays, and indexes (see
 * hash.h).
 */
#include "hash.h"

#include <stdatomic.h>

#include "mem.h"

#define FIRST_BUCKETS 256

uint64_t tr_hash_bytes(const void *key, size_t len) {
    const unsigned char *at = key;
    uint64_t hash = 0x9E3779B97F4A7C15u ^ len;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, at, 8);
        hash = tr_hash_pair(hash, word);
        at += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t word = 0;
        memcpy(&word, at, len);
        hash = tr_hash_pair(hash, word);
    }
    return tr_hash_mix(hash);
}

bool tr_buckets_fit(tr_buckets *buckets, uint32_t end, const tr_chain *chain) {
    if ((size_t)(end - chain->first) < buckets->count) return true;
    size_t want = buckets->count != 0 ? buckets->count * 2 : FIRST_BUCKETS;
    unsigned shift = 64;
    for (size_t n = want; n > 1; n >>= 1) shift--;
    uint32_t *heads = tr_mem_calloc(want, sizeof *heads);
    if (heads == NULL) return false;
    for (uint32_t id = chain->first; id < end; id++) {
        uint32_t *head = &heads[chain->hash(id) >> shift];
        *chain->next(id) = *head;
        *head = id;
    }
    tr_mem_free(buckets->heads);
    buckets->heads = heads;
    buckets->count = want;
    buckets->shift = shift;
    return true;
}

#define FIRST_SLOTS 64

void tr_index_init(tr_index *index, unsigned id_bits) {
    *index = (tr_index){.id_bits = id_bits};
}

/* Stores id in the first empty slot from hash's home. */
static void slot_put(uint32_t *slots, const tr_index *index, uint64_t hash,
                     uint32_t id) {
    size_t at = tr_index_home(index, hash);
    while (slots[at] != 0) at = tr_index_step(index, at);
    slots[at] = tr_index_tag(index, hash) | id;
}

void tr_index_put(tr_index *index, uint64_t hash, uint32_t id) {
    slot_put(index->slots, index, hash, id);
    index->count++;
}

bool tr_index_fit(tr_index *index, uint32_t end, uint32_t first,
                  uint64_t (*hash)(uint32_t id)) {
    if (end >> index->id_bits != 0) return false;
    if (8 * (index->count + 1) <= 7 * index->capacity) return true;
    tr_index bigger = *index;
    bigger.capacity = index->capacity != 0
                          ? index->capacity + index->capacity / 2
                          : FIRST_SLOTS;
    bigger.slots = tr_mem_calloc(bigger.capacity, sizeof *bigger.slots);
    if (bigger.slots == NULL) return false;
    for (uint32_t id = first; id < end; id++)
        slot_put(bigger.slots, &bigger, hash(id), id);
    uint32_t *old = index->slots;
    index->capacity = bigger.capacity;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then seen */
    index->slots = bigger.slots;
    tr_mem_free(old);
    return true;
}

void tr_index_rebuild(tr_index *index, uint32_t end, uint32_t first,
                      uint64_t (*hash)(uint32_t id)) {
    if (index->slots == NULL) return;
    memset(index->slots, 0, index->capacity * sizeof *index->slots);
    for (uint32_t id = first; id < end; id++)
        slot_put(index->slots, index, hash(id), id);
}
