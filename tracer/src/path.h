/*
 * path.h -- interned call paths: a trie with one node per distinct path
 * from the root, and the shadow stack of the active calls.
 *
 * A call pushes a frame (callee, call line) and a return pops it: O(1), no
 * look-up.  The first allocation under a frame interns the frames above
 * the last interned one, each one O(1) child look-up from its parent's
 * node; each pushed frame is interned at most once, so events stay O(1)
 * amortized, and the trie holds only paths that allocated: a recursion
 * that allocates nothing costs nothing, however many paths it takes.
 */
#ifndef MT_PATH_H
#define MT_PATH_H

#include <stdint.h>

#include "memtracer.h"
#include "mt_uthash.h"

typedef struct mt_node_key {
    mt_func func;
    int32_t call_line;  /* line in the parent's function the call came from */
} mt_node_key;

struct mt_node {
    mt_node_key key;
    mt_node *parent;
    mt_node *children;
    uint32_t depth;                  /* root 0 */
    uint32_t serial;                 /* creation order: a stable tie-break */
    uint64_t self_count;             /* recorded here, not in callees */
    uint64_t total_count;            /* report scratch: self + callees */
    UT_hash_handle hh;
};

/* Sets up the root and the shadow stack; false when memory is exhausted. */
int mt_path_begin(void);
void mt_path_reset(void);

/* The node of the current call path once it is interned; NULL while a
 * frame is not (after a call, until something allocates under it). */
extern mt_node *mt_path_top;

/* Interns the frames not interned yet; the node of the current path.
 * Inside an event only. */
mt_node *mt_path_intern(void);

/* The node of the current call path, interned now if it was not yet.
 * Inside an event only. */
static inline mt_node *mt_path_now(void) {
    return mt_path_top != NULL ? mt_path_top : mt_path_intern();
}

/* Visits the trie depth first without recursion (the guest may recurse
 * deeper than the C stack allows): enter before a node's children, leave
 * after.  enter may reorder the node's children. */
typedef void mt_node_visit(mt_node *node, void *ctx);
void mt_path_walk(mt_node_visit *enter, mt_node_visit *leave, void *ctx);

#endif
