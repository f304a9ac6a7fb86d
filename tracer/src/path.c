/*
 * path.c -- the call-path trie and the shadow stack (mt_call, mt_return,
 * mt_unwind, mt_path_root/child/set).
 *
 * Children are a uthash keyed by (callee, call line), so a call is one
 * O(1) look-up, and a path seen before costs no memory.  If the tracer runs
 * out of memory the call is still balanced: a missing child makes the
 * caller's node current again, a full stack counts the frames it could not
 * hold, so mt_return always pops what mt_call pushed.
 */
#include "path.h"

#include <string.h>

#include "state.h"

#define FIRST_STACK 256

mt_node *mt_path_current;

/* A direct-mapped cache of recent calls, (parent, callee, call line) ->
 * child, in front of the children's hashes: a loop makes the same few
 * calls over and over, and a hit costs a multiply and three compares. */
#define CALL_CACHE_BITS 10
static mt_node *call_cache[1 << CALL_CACHE_BITS];

static struct {
    mt_node root;
    mt_node **stack;       /* stack[0] is the root; stack[depth] current */
    size_t depth, cap;
    size_t lost_depth;     /* calls above the stack we could not hold */
    uint32_t serials;
    mt_pool pool;
} p;

int mt_path_begin(void) {
    mt_path_reset();
    mt_pool_init(&p.pool, sizeof(mt_node));
    p.stack = mt_mem_alloc(FIRST_STACK * sizeof(mt_node *));
    if (p.stack == NULL) return 0;
    p.cap = FIRST_STACK;
    p.stack[0] = &p.root;
    mt_path_current = &p.root;
    return 1;
}

void mt_path_reset(void) {
    memset(&p, 0, sizeof p);
    memset(call_cache, 0, sizeof call_cache);
    mt_path_current = &p.root;
}

static inline unsigned call_slot(const mt_node *parent, mt_func callee,
                                 int call_line) {
    uint64_t k = ((uint64_t)(uintptr_t)parent >> 4) ^
                 ((uint64_t)callee << 40) ^ ((uint64_t)(uint32_t)call_line << 20);
    return (unsigned)((k * 0x9E3779B97F4A7C15u) >> (64 - CALL_CACHE_BITS));
}

/* The child (callee, call_line) of parent, found in its hash or created;
 * NULL when memory is exhausted.  Kept out of line: the callers' fast path
 * is the cache. */
static __attribute__((noinline)) mt_node *child_find(mt_node *parent,
                                                     mt_func callee,
                                                     int call_line) {
    mt_node_key key = {callee, call_line};
    mt_node *child;
    HASH_FIND(hh, parent->children, &key, sizeof key, child);
    if (child == NULL) {
        child = mt_pool_get(&p.pool);
        if (child == NULL) return NULL;
        child->key = key;
        child->parent = parent;
        child->depth = parent->depth + 1;
        child->serial = ++p.serials;
        mt_hash_oom = 0;
        HASH_ADD(hh, parent->children, key, sizeof key, child);
        if (mt_hash_oom) {
            mt_pool_put(&p.pool, child);
            return NULL;
        }
    }
    return call_cache[call_slot(parent, callee, call_line)] = child;
}

static inline mt_node *child_get(mt_node *parent, mt_func callee,
                                 int call_line) {
    mt_node *c = call_cache[call_slot(parent, callee, call_line)];
    if (c != NULL && c->parent == parent && c->key.func == callee &&
        c->key.call_line == call_line)
        return c;
    return child_find(parent, callee, call_line);
}

static int stack_push(mt_node *node) {
    if (p.depth + 1 >= p.cap) {
        if (p.stack == NULL) return 0;
        mt_node **bigger = mt_mem_alloc(p.cap * 2 * sizeof(mt_node *));
        if (bigger == NULL) return 0;
        memcpy(bigger, p.stack, (p.depth + 1) * sizeof(mt_node *));
        mt_mem_free(p.stack);
        p.stack = bigger;
        p.cap *= 2;
    }
    p.stack[++p.depth] = node;
    return 1;
}

void mt_call(mt_func callee, int call_line) {
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    mt_node *child = child_get(mt_path_current, callee, call_line);
    if (child == NULL) {
        mt_g.sum.lost_events++;
        child = mt_path_current;
    }
    if (p.lost_depth == 0 && stack_push(child)) {
        mt_path_current = child;
    } else {
        p.lost_depth++;
        mt_g.sum.lost_events++;
    }
    MT_EVENT_END();
}

void mt_return(void) {
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    if (p.lost_depth > 0) {
        p.lost_depth--;
    } else if (p.depth > 0) {
        p.depth--;
        mt_path_current = p.stack[p.depth];
    }
    MT_EVENT_END();
}

void mt_unwind(size_t depth) {
    if (!mt_active) return;
    MT_EVENT_BEGIN();
    while (p.depth + p.lost_depth > depth) {
        if (p.lost_depth > 0) p.lost_depth--;
        else p.depth--;
    }
    if (p.stack != NULL) mt_path_current = p.stack[p.depth];
    MT_EVENT_END();
}

mt_node *mt_path_root(void) { return &p.root; }

mt_node *mt_path_child(mt_node *parent, mt_func callee, int call_line) {
    if (parent == NULL) parent = &p.root;
    if (!mt_active) return parent;
    MT_EVENT_BEGIN();
    mt_node *child = child_get(parent, callee, call_line);
    if (child == NULL) {
        mt_g.sum.lost_events++;
        child = parent;
    }
    MT_EVENT_END();
    return child;
}

void mt_path_set(mt_node *node) {
    mt_path_current = node != NULL ? node : &p.root;
}

void mt_path_walk(mt_node_visit *enter, mt_node_visit *leave, void *ctx) {
    mt_node *node = &p.root;
    enter(node, ctx);
    for (;;) {
        if (node->children != NULL) {
            node = node->children;
            enter(node, ctx);
            continue;
        }
        /* A leaf: leave it, and every ancestor whose children are done,
         * until one has a next sibling. */
        for (;;) {
            leave(node, ctx);
            if (node == &p.root) return;
            if (node->hh.next != NULL) {
                node = node->hh.next;
                enter(node, ctx);
                break;
            }
            node = node->parent;
        }
    }
}
