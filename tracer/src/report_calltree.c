/*
 * report_calltree.c -- the call tree: one line per call path that
 * allocated, indented two spaces per depth, children with the most
 * allocations first:
 *     name (file:line) total=N self=M from line L
 * file:line is where the function is defined; `from line L` is the line of
 * the caller the call came from, when the VM reported one.  total counts
 * the allocations of the path and its callees, self those made in it.
 */
#include "names.h"
#include "report.h"

static int child_order(const mt_node *a, const mt_node *b) {
    if (a->total_count != b->total_count)
        return a->total_count > b->total_count ? -1 : 1;
    return a->serial < b->serial ? -1 : 1;
}

static void enter(mt_node *node, void *ctx) {
    mt_out *o = ctx;
    HASH_SRT(hh, node->children, child_order);
    if (node->total_count == 0) return;
    mt_out_spaces(o, 2 * (size_t)node->depth);
    mt_out_str(o, mt_names_func(node->key.func)->name);
    mt_out_str(o, " (");
    mt_report_func_location(o, node->key.func);
    mt_out_str(o, ") total=");
    mt_out_u64(o, node->total_count);
    mt_out_str(o, " self=");
    mt_out_u64(o, node->self_count);
    if (node->key.call_line > 0) {
        mt_out_str(o, " from line ");
        mt_out_i64(o, node->key.call_line);
    }
    mt_out_str(o, "\n");
}

static void leave(mt_node *node, void *ctx) {
    (void)node;
    (void)ctx;
}

void mt_report_calltree(mt_out *o) {
    mt_report_node_totals();
    mt_report_header(o);
    mt_path_walk(enter, leave, o);
}
