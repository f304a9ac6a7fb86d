/*
 * path.c -- the call-path trie and the shadow stack (mt_call, mt_return,
 * mt_unwind, mt_path_root, mt_path_child, mt_path_set).
 *
 * Nodes live in an array by id, found by (parent, callee, call line,
 * repeat) through an index (hash.h) with a direct-mapped cache in front: a
 * loop makes the same few calls over and over.  Each node is also linked
 * under its parent (first_child, next_sibling) for the report's walks,
 * with one store once it is complete.  If the tracer runs out of memory
 * the calls stay balanced: a frame whose node cannot be made shares its
 * caller's, and calls above a full stack are only counted, so mt_return
 * always pops what mt_call pushed.
 */
#include "path.h"

#include <stdatomic.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "state.h"

#define FIRST_NODES 256
/* The index keeps 4 bits of tag above a node's id. */
#define NODE_BITS 28
#define MAX_NODES ((size_t)1 << NODE_BITS)
#define FIRST_FRAMES 256
#define CACHE_BITS 10

/* An active call.  A frame that continues a run of its function (folded
 * recursion) hangs under the frame below the run, not under its caller:
 * below is that frame's index.  node is its path's once interned (frames
 * 0 .. interned), else 0. */
typedef struct frame {
    mt_func func;
    int32_t call_line;
    uint32_t repeat;
    uint32_t below;
    mt_path node;
} frame;

tr_node *tr_nodes;

static struct {
    size_t node_count, node_capacity;
    tr_index index;
    mt_path cache[1u << CACHE_BITS];
    frame *stack;          /* stack[0] is the root; stack[depth] current */
    size_t depth, capacity;
    size_t interned;
    size_t lost_depth;     /* calls above the stack we could not hold */
    bool fold;
} paths;

uint32_t tr_node_count(void) { return (uint32_t)paths.node_count; }

static inline uint64_t node_hash(mt_path parent, mt_func func,
                                 int call_line, uint32_t repeat) {
    return tr_hash_words((uint64_t)parent << 32 | func,
                         (uint64_t)(uint32_t)call_line << 32 | repeat);
}

static uint64_t node_rehash(uint32_t id) {
    const tr_node *n = tr_node_of(id);
    return node_hash(n->parent, n->func, n->call_line, n->repeat);
}

static bool node_is(const tr_node *n, mt_path parent, mt_func func,
                    int call_line, uint32_t repeat) {
    return n->parent == parent && n->func == func &&
           n->call_line == call_line && n->repeat == repeat;
}

/* The child of parent for (func, call_line, repeat), found or made; 0 when
 * memory is exhausted.  Kept out of line: the callers' fast path is the
 * cache. */
static __attribute__((noinline)) mt_path node_find(mt_path parent,
                                                   mt_func func,
                                                   int call_line,
                                                   uint32_t repeat) {
    uint64_t hash = node_hash(parent, func, call_line, repeat);
    mt_path *cached = &paths.cache[tr_cache_slot(hash, CACHE_BITS)];
    uint32_t tag = tr_index_tag(&paths.index, hash);
    for (size_t at = tr_index_home(&paths.index, hash);
         paths.index.slots[at] != 0; at = tr_index_step(&paths.index, at)) {
        uint32_t id = tr_index_match(&paths.index, paths.index.slots[at], tag);
        if (id != 0 && node_is(tr_node_of(id), parent, func, call_line, repeat))
            return *cached = id;
    }
    uint32_t id = (uint32_t)paths.node_count;
    if (!tr_array_grow(&tr_nodes, &paths.node_capacity, paths.node_count,
                       sizeof(tr_node), FIRST_NODES, MAX_NODES) ||
        !tr_index_fit(&paths.index, id, TR_PATH_ROOT + 1, node_rehash))
        return 0;
    tr_node *n = tr_node_of(id);
    *n = (tr_node){.func = func, .call_line = call_line, .parent = parent,
                   .repeat = repeat};
    tr_index_put(&paths.index, hash, id);
    n->next_sibling = tr_node_of(parent)->first_child;
    atomic_signal_fence(memory_order_seq_cst);  /* complete, then linked */
    tr_node_of(parent)->first_child = id;
    paths.node_count++;
    return *cached = id;
}

static inline mt_path node_cached(mt_path parent, mt_func func,
                                  int call_line, uint32_t repeat) {
    uint64_t hash = node_hash(parent, func, call_line, repeat);
    mt_path id = paths.cache[tr_cache_slot(hash, CACHE_BITS)];
    if (id != 0 && node_is(tr_node_of(id), parent, func, call_line, repeat))
        return id;
    return 0;
}

static inline mt_path node_get(mt_path parent, mt_func func, int call_line,
                               uint32_t repeat) {
    mt_path id = node_cached(parent, func, call_line, repeat);
    return id != 0 ? id : node_find(parent, func, call_line, repeat);
}

bool tr_paths_begin(bool fold_recursion) {
    tr_paths_reset();
    paths.fold = fold_recursion;
    paths.node_count = TR_PATH_ROOT;
    if (!tr_array_grow(&tr_nodes, &paths.node_capacity, paths.node_count,
                       sizeof(tr_node), FIRST_NODES, MAX_NODES) ||
        !tr_array_grow(&paths.stack, &paths.capacity, 0, sizeof(frame),
                       FIRST_FRAMES, SIZE_MAX / sizeof(frame)) ||
        !tr_index_fit(&paths.index, TR_PATH_ROOT + 1, TR_PATH_ROOT + 1,
                      node_rehash))
        return false;
    *tr_node_of(TR_PATH_ROOT) = (tr_node){.repeat = 1};
    paths.node_count = TR_PATH_ROOT + 1;
    paths.stack[0] = (frame){.repeat = 1, .node = TR_PATH_ROOT};
    mt_inline.path = TR_PATH_ROOT;
    return true;
}

void tr_paths_restart(void) {
    for (size_t id = TR_PATH_ROOT; id < paths.node_count; id++)
        tr_nodes[id].self_count = tr_nodes[id].self_bytes = 0;
}

void tr_paths_reset(void) {
    memset(&paths, 0, sizeof paths);
    tr_index_init(&paths.index, NODE_BITS);
    tr_nodes = NULL;
    mt_inline.path = 0;
}

/* Doubles the shadow stack; false when memory is exhausted.  Cold: the
 * calls keep no registers for it. */
static __attribute__((noinline, cold)) bool stack_grow(void) {
    return tr_array_grow(&paths.stack, &paths.capacity, paths.depth + 1,
                         sizeof(frame), FIRST_FRAMES,
                         SIZE_MAX / sizeof(frame));
}

/* Calls and returns touch only the shadow stack, which no report reads. */
void mt_call(mt_func callee, int call_line) {
    if (!mt_calls_active) return;
    if (paths.lost_depth > 0 ||
        (paths.depth + 1 == paths.capacity && !stack_grow())) {
        paths.lost_depth++;
        tr_state.lost_events++;
        return;
    }
    const frame *caller = &paths.stack[paths.depth];
    frame *f = &paths.stack[++paths.depth];
    if (paths.fold && paths.depth > 1 && caller->func == callee)
        *f = (frame){callee, caller->call_line, caller->repeat + 1,
                     caller->below, 0};
    else
        *f = (frame){callee, call_line, 1, (uint32_t)(paths.depth - 1), 0};
    if (paths.interned + 1 == paths.depth) {
        /* A path seen lately is in the cache: interned already. */
        mt_path node = node_cached(paths.stack[f->below].node, f->func,
                                   f->call_line, f->repeat);
        if (node != 0) {
            f->node = node;
            paths.interned = paths.depth;
            mt_inline.path = node;
            return;
        }
    }
    mt_inline.path = 0;
}

/* After frames were dropped: the current frame's node, if interned. */
static inline void top_after_drop(void) {
    if (paths.interned >= paths.depth) {
        paths.interned = paths.depth;
        mt_inline.path = paths.stack[paths.depth].node;
    }
}

void mt_return(void) {
    if (!mt_calls_active) return;
    if (paths.lost_depth > 0) {
        paths.lost_depth--;
    } else if (paths.depth > 0) {
        paths.depth--;
        top_after_drop();
    }
}

void mt_unwind(size_t depth) {
    if (!mt_calls_active) return;
    size_t now = paths.depth + paths.lost_depth;
    size_t drop = now > depth ? now - depth : 0;
    size_t from_lost = drop < paths.lost_depth ? drop : paths.lost_depth;
    paths.lost_depth -= from_lost;
    drop -= from_lost;
    paths.depth -= drop < paths.depth ? drop : paths.depth;
    top_after_drop();
}

mt_path tr_path_intern(void) {
    if (paths.stack == NULL) return TR_PATH_ROOT;
    while (paths.interned < paths.depth) {
        frame *f = &paths.stack[++paths.interned];
        mt_path parent = paths.stack[f->below].node;
        f->node = node_get(parent, f->func, f->call_line, f->repeat);
        if (f->node == 0) {
            tr_state.lost_events++;
            f->node = parent;
        }
    }
    return mt_inline.path = paths.stack[paths.depth].node;
}

mt_path mt_path_root(void) { return TR_PATH_ROOT; }

mt_path mt_path_child(mt_path parent, mt_func callee, int call_line) {
    if (!mt_active || tr_nodes == NULL) return TR_PATH_ROOT;
    if (parent == 0 || parent >= paths.node_count) parent = TR_PATH_ROOT;
    const tr_node *p = tr_node_of(parent);
    mt_path child;
    if (paths.fold && parent != TR_PATH_ROOT && p->func == callee)
        child = node_get(p->parent, callee, p->call_line, p->repeat + 1);
    else
        child = node_get(parent, callee, call_line, 1);
    if (child == 0) {
        tr_state.lost_events++;
        return parent;
    }
    return child;
}

/* The path replaces the shadow stack, as if its calls had been made. */
void mt_path_set(mt_path path) {
    if (paths.stack == NULL) return;
    if (path == 0 || path >= paths.node_count) path = TR_PATH_ROOT;
    paths.depth = paths.interned = paths.lost_depth = 0;
    paths.stack[0].node = mt_inline.path = path;
}
