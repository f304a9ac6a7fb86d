/*
 * report_calltree.c -- the call tree: one line per call path that
 * allocated, indented two spaces per depth, children with the most bytes
 * first:
 *     name (file:line) total=N (SIZE) self=M (SIZE) from line L
 * file:line is where the function is defined; `from line L` is the line of
 * the caller the call came from, when the VM reported one; a run of
 * recursive frames folded into one says how many (×N).  total counts the
 * objects of the path and its callees and their bytes, self those made in
 * it.  Names and files are shown escaped (tr_out_name).
 */
#include "names.h"
#include "report.h"

typedef struct walk {
    tr_out *out;
    size_t depth;
} walk;

static uint32_t *sibling_link(uint32_t id) { return &tr_node_of(id)->next_sibling; }

static bool child_before(uint32_t a, uint32_t b) {
    const tr_node *x = tr_node_of(a), *y = tr_node_of(b);
    if (x->total_bytes != y->total_bytes) return x->total_bytes > y->total_bytes;
    if (x->total_count != y->total_count) return x->total_count > y->total_count;
    return a < b;
}

static void enter(mt_path id, void *context) {
    walk *w = context;
    tr_node *node = tr_node_of(id);
    node->first_child = tr_list_sort(node->first_child, sibling_link,
                                     child_before);
    size_t depth = w->depth++;
    if (node->total_bytes == 0) return;
    tr_out *out = w->out;
    const tr_func *func = tr_func_of(node->func);
    tr_out_spaces(out, 2 * depth);
    tr_out_name(out, func->name, func->name_len, func->json_plain);
    tr_out_str(out, " (");
    tr_report_func_location(out, node->func);
    tr_out_str(out, ")");
    if (node->repeat > 1) {
        tr_out_str(out, " \xC3\x97");
        tr_out_u64(out, node->repeat);
    }
    tr_out_str(out, " total=");
    tr_out_u64(out, node->total_count);
    tr_out_str(out, " (");
    tr_out_size(out, node->total_bytes);
    tr_out_str(out, ") self=");
    tr_out_u64(out, node->self_count);
    tr_out_str(out, " (");
    tr_out_size(out, node->self_bytes);
    tr_out_str(out, ")");
    if (node->call_line > 0) {
        tr_out_str(out, " from line ");
        tr_out_i64(out, node->call_line);
    }
    tr_out_str(out, "\n");
}

static void leave(mt_path id, void *context) {
    (void)id;
    ((walk *)context)->depth--;
}

void tr_report_calltree(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    tr_report_node_totals();
    tr_report_header(out, &sum);
    walk w = {out, 0};
    tr_path_walk(enter, leave, &w);
}
