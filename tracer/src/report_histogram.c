/*
 * report_histogram.c -- allocations per function: Self Count (made in the
 * function itself) and Total Count (made in it or in anything it called),
 * most allocating first.  A recursive function's allocation is counted
 * once in its total, however many times the function is on the path.
 */
#include <string.h>

#include "names.h"
#include "report.h"
#include "state.h"

static void enter(mt_node *node, void *ctx) {
    (void)ctx;
    mt_func_rec *f = mt_names_func(node->key.func);
    f->self_count += node->self_count;
    /* Only the outermost occurrence adds its subtree: the inner ones are
     * inside it. */
    if (f->on_path++ == 0) f->total_count += node->total_count;
}

static void leave(mt_node *node, void *ctx) {
    (void)ctx;
    mt_names_func(node->key.func)->on_path--;
}

/* Functions that allocated; <root> only when something was allocated
 * outside every function, since its total is always everything. */
static int listed(const mt_func_rec *f) {
    return f->total_count > 0 && (f->id != 0 || f->self_count > 0);
}

static int func_order(const mt_func_rec *a, const mt_func_rec *b) {
    if (a->total_count != b->total_count)
        return a->total_count > b->total_count ? -1 : 1;
    if (a->self_count != b->self_count)
        return a->self_count > b->self_count ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c != 0) return c;
    c = strcmp(mt_names_func_file(a), mt_names_func_file(b));
    if (c != 0) return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

void mt_report_histogram(mt_out *o) {
    mt_func_rec **funcs = mt_names_funcs_table();
    for (mt_func_rec *f = *funcs; f != NULL; f = f->hh.next)
        f->self_count = f->total_count = 0;
    mt_report_node_totals();
    mt_path_walk(enter, leave, NULL);
    HASH_SRT(hh, *funcs, func_order);

    size_t w_self = strlen("Self Count"), w_total = strlen("Total Count");
    size_t w_loc = strlen("Location");
    char buf[MT_FMT_MAX];
    for (const mt_func_rec *f = *funcs; f != NULL; f = f->hh.next) {
        if (!listed(f)) continue;
        size_t n = mt_report_func_location_width(f->id);
        if (n > w_loc) w_loc = n;
        n = mt_fmt_u64(buf, f->total_count);
        if (n > w_total) w_total = n;
    }

    mt_report_header(o);
    mt_out_str(o, " ");
    mt_report_cell(o, "Self Count", w_self, w_self);
    mt_report_cell(o, "Total Count", w_total, w_total);
    mt_report_cell(o, "Location", strlen("Location"), w_loc);
    mt_out_str(o, "Name\n");
    for (const mt_func_rec *f = *funcs; f != NULL; f = f->hh.next) {
        if (!listed(f)) continue;
        mt_out_str(o, " ");
        mt_report_cell(o, buf, mt_fmt_u64(buf, f->self_count), w_self);
        mt_report_cell(o, buf, mt_fmt_u64(buf, f->total_count), w_total);
        mt_report_func_location(o, f->id);
        mt_out_spaces(o, w_loc - mt_report_func_location_width(f->id));
        mt_out_str(o, " || ");
        mt_out_str(o, f->name);
        mt_out_str(o, "\n");
    }
}
