/*
 * path.c -- the call-path trie and the shadow stack (mt_call, mt_return,
 * mt_unwind, mt_path_root/child/set).
 *
 * Children are a uthash keyed by (callee, call line), so interning a frame
 * is one O(1) look-up, and a path seen before costs no memory.  If the
 * tracer runs out of memory the calls stay balanced: a frame whose node
 * cannot be made shares its caller's, and calls above a full stack are
 * only counted, so mt_return always pops what mt_call pushed.
 */
#include "path.h"

#include <string.h>

#include "state.h"

#define FIRST_STACK 256

/* A direct-mapped cache of recent calls, (parent, callee, call line) ->
 * child, in front of the children's hashes: a loop makes the same few
 * calls over and over, and a hit costs a multiply and three compares. */
#define CALL_CACHE_BITS 10
static mt_node *call_cache[1 << CALL_CACHE_BITS];

/* An active call; node is its path's for frames 0..interned.  Above, it
 * is NULL or left by the slot's last call, for mt_call to reuse. */
typedef struct frame {
    mt_func func;
    int32_t call_line;
    mt_node *node;
} frame;

mt_node *mt_path_top;

static struct {
    mt_node root;
    frame *stack;          /* stack[0] is the root; stack[depth] current */
    size_t depth, cap;
    size_t interned;
    size_t lost_depth;     /* calls above the stack we could not hold */
    uint32_t serials;
    mt_pool pool;
} p;

int mt_path_begin(void) {
    mt_path_reset();
    mt_pool_init(&p.pool, sizeof(mt_node));
    p.stack = mt_mem_alloc(FIRST_STACK * sizeof(frame));
    if (p.stack == NULL) return 0;
    memset(p.stack, 0, FIRST_STACK * sizeof(frame));
    p.cap = FIRST_STACK;
    p.stack[0] = (frame){0, 0, &p.root};
    mt_path_top = &p.root;
    return 1;
}

void mt_path_reset(void) {
    memset(&p, 0, sizeof p);
    mt_path_top = NULL;
    memset(call_cache, 0, sizeof call_cache);
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

/* The child (callee, call_line) of parent if the cache holds it. */
static inline mt_node *child_cached(mt_node *parent, mt_func callee,
                                    int call_line) {
    mt_node *c = call_cache[call_slot(parent, callee, call_line)];
    if (c != NULL && c->parent == parent && c->key.func == callee &&
        c->key.call_line == call_line)
        return c;
    return NULL;
}

static inline mt_node *child_get(mt_node *parent, mt_func callee,
                                 int call_line) {
    mt_node *c = child_cached(parent, callee, call_line);
    return c != NULL ? c : child_find(parent, callee, call_line);
}

/* Doubles the shadow stack; false when memory is exhausted.  Cold: the
 * calls keep no registers for it. */
static __attribute__((noinline, cold)) int stack_grow(void) {
    frame *bigger = mt_mem_alloc(p.cap * 2 * sizeof(frame));
    if (bigger == NULL) return 0;
    memcpy(bigger, p.stack, p.cap * sizeof(frame));
    memset(bigger + p.cap, 0, p.cap * sizeof(frame));
    mt_mem_free(p.stack);
    p.stack = bigger;
    p.cap *= 2;
    return 1;
}

/* Calls and returns touch only the shadow stack, which no report reads:
 * they need no event bracket. */
void mt_call(mt_func callee, int call_line) {
    if (!mt_calls_active) return;
    if (p.lost_depth > 0 || (p.depth + 1 == p.cap && !stack_grow())) {
        p.lost_depth++;
        mt_g.lost_events++;
        return;
    }
    frame *f = &p.stack[++p.depth];
    if (p.interned + 1 == p.depth) {
        /* A loop calls the same function from the same line again and
         * again: the node the slot's last call interned is this call's
         * too, when that call had the caller's node for parent.  Else a
         * path seen lately is in the cache.  Either way it is interned
         * already, without a look-up. */
        mt_node *node = f->node;
        if (node == NULL || node->parent != f[-1].node ||
            f->func != callee || f->call_line != call_line)
            node = child_cached(f[-1].node, callee, call_line);
        if (node != NULL) {
            *f = (frame){callee, call_line, node};
            p.interned = p.depth;
            mt_path_top = node;
            return;
        }
    }
    *f = (frame){callee, call_line, NULL};
    mt_path_top = NULL;
}

/* After frames were dropped: the current frame's node, if interned. */
static inline void top_after_drop(void) {
    if (p.interned >= p.depth) {
        p.interned = p.depth;
        mt_path_top = p.stack[p.depth].node;
    }
}

void mt_return(void) {
    if (!mt_calls_active) return;
    if (p.lost_depth > 0) {
        p.lost_depth--;
    } else if (p.depth > 0) {
        p.depth--;
        top_after_drop();
    }
}

void mt_unwind(size_t depth) {
    if (!mt_calls_active) return;
    size_t now = p.depth + p.lost_depth;
    size_t drop = now > depth ? now - depth : 0;
    size_t from_lost = drop < p.lost_depth ? drop : p.lost_depth;
    p.lost_depth -= from_lost;
    drop -= from_lost;
    p.depth -= drop < p.depth ? drop : p.depth;
    top_after_drop();
}

mt_node *mt_path_intern(void) {
    while (p.interned < p.depth) {
        frame *caller = &p.stack[p.interned], *f = caller + 1;
        f->node = child_get(caller->node, f->func, f->call_line);
        if (f->node == NULL) {
            mt_g.lost_events++;
            f->node = caller->node;
        }
        p.interned++;
    }
    return mt_path_top = p.stack[p.depth].node;
}

mt_node *mt_path_root(void) { return &p.root; }

mt_node *mt_path_child(mt_node *parent, mt_func callee, int call_line) {
    if (parent == NULL) parent = &p.root;
    if (!mt_active) return parent;
    mt_event_begin();
    mt_node *child = child_get(parent, callee, call_line);
    if (child == NULL) {
        mt_g.lost_events++;
        child = parent;
    }
    mt_event_end();
    return child;
}

/* The path replaces the shadow stack, as if its calls had been made. */
void mt_path_set(mt_node *node) {
    if (p.stack == NULL) return;
    p.depth = p.interned = p.lost_depth = 0;
    p.stack[0].node = mt_path_top = node != NULL ? node : &p.root;
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
