/*
 * hash.c -- hashing bytes, and growing bucket arrays (see hash.h).
 */
#include "hash.h"

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

void tr_buckets_relink(tr_buckets *buckets, uint32_t end,
                       const tr_chain *chain) {
    if (buckets->heads == NULL) return;
    memset(buckets->heads, 0, buckets->count * sizeof *buckets->heads);
    for (uint32_t id = chain->first; id < end; id++) {
        uint32_t *head = &buckets->heads[chain->hash(id) >> buckets->shift];
        *chain->next(id) = *head;
        *head = id;
    }
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
