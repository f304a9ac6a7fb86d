/*
 * path.h -- interned call paths: a trie with one node per distinct path
 * from the outermost frame, and the shadow stack of the active calls.
 *
 * A call pushes a frame and a return pops it: O(1), no look-up.  The first
 * allocation under a frame interns the frames above the last interned one,
 * each one O(1) child look-up from its parent's node, so the trie holds
 * only paths that allocated: a recursion that allocates nothing costs
 * nothing, however many paths it takes.
 *
 * Recursion is folded (unless FoldRecursion=false): a function that calls
 * itself extends a run of its frames, and the run is one node that says
 * how many frames it stands for (repeat).  So a recursion makes one node
 * per depth, not one per distinct route through its call lines.
 */
#ifndef TR_PATH_H
#define TR_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include "memtracer/inline.h"

#define TR_PATH_ROOT 1u

/* 56 bytes: with its share of the look-ups' index, a node costs under
 * 64. */
typedef struct tr_node {
    mt_func func;
    int32_t call_line;        /* the line in the parent's function */
    uint32_t parent;          /* 0 for the root; below the node's id */
    uint32_t repeat;          /* frames of func this node stands for */
    uint32_t first_child, next_sibling;
    uint64_t self_count, self_bytes;    /* made with this path innermost */
    /* Report scratch: self and callees' figures (tr_report_node_totals),
     * or the frames the path stands for and the sort key of a stack with
     * this path at a site StackLimit cuts (tr_report_sites). */
    union {
        struct {
            uint64_t total_count, total_bytes;
        };
        struct {
            uint64_t frames, cut_key;
        };
    };
} tr_node;

/* The node of the current call path once it is interned is
 * mt_inline.path (inline.h); 0 while a frame is not (after a call, until
 * something allocates under it). */

/* The node of the current call path, interned now if it was not yet. */
mt_path tr_path_intern(void);
static inline mt_path tr_path_now(void) {
    return mt_inline.path != 0 ? mt_inline.path : tr_path_intern();
}

/* Ids below this are nodes, complete (see tr_site_count). */
uint32_t tr_node_count(void);
extern tr_node *tr_nodes;
static inline tr_node *tr_node_of(mt_path id) { return &tr_nodes[id]; }

/* mt_reset's part here: every node's own figures count from zero. */
void tr_paths_restart(void);

/* Sets up the root and the shadow stack; false when memory is
 * exhausted. */
bool tr_paths_begin(bool fold_recursion);
void tr_paths_reset(void);

#endif
