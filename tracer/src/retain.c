/*
 * retain.c -- retaining paths and what they hold (retain.h): three tables
 * in the tracer's usual shape, records in an array by id found through a
 * bucket table: the roots' names, the path nodes, and (site, path)
 * records.
 */
#include "retain.h"

#include <string.h>

#include "hash.h"
#include "mem.h"
#include "names.h"
#include "report.h"
#include "sample.h"
#include "site.h"
#include "state.h"

#define FIRST_RECORDS 64
#define MAX_RECORDS ((size_t)1 << 31)

/* A path node: a root (parent 0, label its id in roots) or a step from
 * its parent to an object of type label. */
typedef struct node {
    uint32_t parent;
    uint32_t label;
    uint32_t next_in_bucket;
} node;

/* A root's name, NUL-terminated, found by its bytes through root_buckets. */
typedef struct root {
    char *name;
    size_t len;
    uint32_t next_in_bucket;
} root;

static struct {
    node *nodes;
    size_t node_count, node_capacity;
    tr_buckets node_buckets;
    root *roots;                /* by id, from 1 */
    size_t root_count, root_capacity;
    tr_buckets root_buckets;
    tr_retained *records;
    size_t record_count, record_capacity;
    tr_buckets record_buckets;
    uint32_t *first_in_site;    /* by site */
    size_t site_capacity;
} retain;

static uint64_t node_hash(uint32_t parent, uint32_t label) {
    return tr_hash_words(parent, label);
}

static uint64_t node_rehash(uint32_t id) {
    return node_hash(retain.nodes[id].parent, retain.nodes[id].label);
}

static uint32_t *node_next(uint32_t id) {
    return &retain.nodes[id].next_in_bucket;
}

static const tr_chain node_chain = {node_rehash, node_next, 1};

static uint64_t root_rehash(uint32_t id) {
    return tr_hash_bytes(retain.roots[id].name, retain.roots[id].len);
}

static uint32_t *root_next(uint32_t id) {
    return &retain.roots[id].next_in_bucket;
}

static const tr_chain root_chain = {root_rehash, root_next, 1};

static uint64_t record_hash(mt_site site, mt_retainer path) {
    return tr_hash_words(site, path);
}

static uint64_t record_rehash(uint32_t id) {
    return record_hash(retain.records[id].site, retain.records[id].path);
}

static uint32_t *record_next(uint32_t id) {
    return &retain.records[id].next_in_bucket;
}

static const tr_chain record_chain = {record_rehash, record_next, 1};

bool tr_retainers_begin(void) {
    tr_retainers_reset();
    return true;
}

void tr_retainers_reset(void) { memset(&retain, 0, sizeof retain); }

/* The node (parent, label), found or made; 0 when memory is exhausted. */
static mt_retainer node_find(uint32_t parent, uint32_t label) {
    uint64_t hash = node_hash(parent, label);
    if (retain.node_buckets.heads != NULL) {
        for (uint32_t id = *tr_bucket(&retain.node_buckets, hash); id != 0;
             id = retain.nodes[id].next_in_bucket)
            if (retain.nodes[id].parent == parent &&
                retain.nodes[id].label == label)
                return id;
    }
    if (retain.node_count == 0) retain.node_count = 1;  /* id 0 is none */
    uint32_t id = (uint32_t)retain.node_count;
    if (!tr_array_grow(&retain.nodes, &retain.node_capacity, id, sizeof(node),
                       FIRST_RECORDS, MAX_RECORDS) ||
        !tr_buckets_fit(&retain.node_buckets, id, &node_chain))
        return 0;
    uint32_t *head = tr_bucket(&retain.node_buckets, hash);
    retain.nodes[id] = (node){parent, label, *head};
    *head = id;
    retain.node_count++;
    return id;
}

/* Retainers are shown by the JSON and the leaks report only. */
static bool retainers_shown(void) {
    return tr_state.options.output == MT_OUTPUT_JSON ||
           tr_state.options.output == MT_OUTPUT_LEAKS;
}

mt_retainer mt_retainer_root(const char *name, size_t len) {
    if (!mt_active || !retainers_shown()) return 0;
    uint64_t hash = tr_hash_bytes(name, len);
    if (retain.root_buckets.heads != NULL) {
        for (uint32_t id = *tr_bucket(&retain.root_buckets, hash); id != 0;
             id = retain.roots[id].next_in_bucket)
            if (retain.roots[id].len == len &&
                memcmp(retain.roots[id].name, name, len) == 0)
                return node_find(0, id);
    }
    if (retain.root_count == 0) retain.root_count = 1;  /* id 0 is none */
    uint32_t id = (uint32_t)retain.root_count;
    if (!tr_array_grow(&retain.roots, &retain.root_capacity, id, sizeof(root),
                       16, MAX_RECORDS) ||
        !tr_buckets_fit(&retain.root_buckets, id, &root_chain))
        return 0;
    char *copy = tr_mem_strdup(name, len);
    if (copy == NULL) return 0;
    uint32_t *head = tr_bucket(&retain.root_buckets, hash);
    retain.roots[id] = (root){copy, len, *head};
    *head = id;
    retain.root_count++;
    return node_find(0, id);
}

mt_retainer mt_retainer_child(mt_retainer parent, mt_type type) {
    if (!mt_active || parent == 0) return 0;
    const node *p = &retain.nodes[parent];
    if (p->parent != 0 && p->label == type) return parent;
    return node_find(parent, type);
}

/* Room in first_in_site for site. */
static bool site_room(mt_site site) {
    while (site >= retain.site_capacity)
        if (!tr_array_grow(&retain.first_in_site, &retain.site_capacity,
                           retain.site_capacity, sizeof(uint32_t),
                           tr_site_count(), MAX_RECORDS))
            return false;
    return true;
}

void mt_retained_tagged(mt_tag tag, size_t size, mt_retainer path) {
    mt_site site = MT_TAG_SITE(tag);
    if (!mt_active || path == 0 || site < TR_FIRST_LISTED_SITE ||
        site >= tr_site_count())
        return;
    uint64_t hash = record_hash(site, path);
    uint32_t id = 0;
    if (retain.record_buckets.heads != NULL) {
        for (id = *tr_bucket(&retain.record_buckets, hash); id != 0;
             id = retain.records[id].next_in_bucket)
            if (retain.records[id].site == site &&
                retain.records[id].path == path)
                break;
    }
    if (id == 0) {
        if (retain.record_count == 0) retain.record_count = 1;
        id = (uint32_t)retain.record_count;
        if (!tr_array_grow(&retain.records, &retain.record_capacity, id,
                           sizeof(tr_retained), FIRST_RECORDS, MAX_RECORDS) ||
            !tr_buckets_fit(&retain.record_buckets, id, &record_chain) ||
            !site_room(site))
            return;
        uint32_t *head = tr_bucket(&retain.record_buckets, hash);
        retain.records[id] = (tr_retained){
            .site = site, .path = path,
            .next_in_site = retain.first_in_site[site],
            .next_in_bucket = *head,
        };
        *head = id;
        retain.first_in_site[site] = id;
        retain.record_count++;
    }
    uint64_t weight =
        mt_inline.sampled ? tr_sample_weight(size, MT_TAG_BIRTH(tag)) : 1;
    retain.records[id].blocks += weight;
    retain.records[id].bytes += size * weight;
}

uint32_t tr_retained_first(mt_site site) {
    return site < retain.site_capacity ? retain.first_in_site[site] : 0;
}

const tr_retained *tr_retained_of(uint32_t id) { return &retain.records[id]; }

static uint32_t *site_link(uint32_t id) {
    return &retain.records[id].next_in_site;
}

static bool heavier(uint32_t a, uint32_t b) {
    const tr_retained *x = &retain.records[a], *y = &retain.records[b];
    if (x->bytes != y->bytes) return x->bytes > y->bytes;
    if (x->blocks != y->blocks) return x->blocks > y->blocks;
    return x->path < y->path;
}

void tr_retained_order(void) {
    for (size_t site = 0; site < retain.site_capacity; site++)
        retain.first_in_site[site] =
            tr_list_sort(retain.first_in_site[site], site_link, heavier);
}

static const char *label_of(const node *n) {
    return n->parent == 0 ? retain.roots[n->label].name
                          : tr_type_of(n->label)->name;
}

size_t tr_retainer_labels(mt_retainer path, const char **labels,
                          size_t max) {
    size_t depth = 0;
    for (uint32_t id = path; id != 0; id = retain.nodes[id].parent) depth++;
    if (max < 3) return 0;
    size_t kept = depth <= max ? depth : max - 2;  /* nearest the block */
    size_t written = depth <= max ? depth : max;
    uint32_t id = path;
    for (size_t i = 0; i < kept; i++, id = retain.nodes[id].parent)
        labels[written - 1 - i] = label_of(&retain.nodes[id]);
    if (depth > max) {
        while (retain.nodes[id].parent != 0) id = retain.nodes[id].parent;
        labels[0] = label_of(&retain.nodes[id]);
        labels[1] = "\xE2\x80\xA6";  /* U+2026, the ellipsis */
    }
    return written;
}
