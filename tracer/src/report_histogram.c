/*
 * report_histogram.c -- allocations per function: Self Count and Self Size
 * (made in the function itself), Total Count and Total Size (made in it or
 * in anything it called), most allocating first.  A recursive function's
 * allocation is counted once in its total, however many times the
 * function is on the path.  Counts are objects; sizes every byte.  Names
 * and files are shown escaped (tr_out_name).
 */
#include <string.h>

#include "names.h"
#include "report.h"
#include "state.h"

static void enter(mt_path id, void *context) {
    (void)context;
    const tr_node *node = tr_node_of(id);
    tr_func *func = tr_func_of(node->func);
    func->self_count += node->self_count;
    func->self_bytes += node->self_bytes;
    /* Only the outermost occurrence adds its subtree: the inner ones are
     * inside it. */
    if (func->on_path++ == 0) {
        func->total_count += node->total_count;
        func->total_bytes += node->total_bytes;
    }
}

static void leave(mt_path id, void *context) {
    (void)context;
    tr_func_of(tr_node_of(id)->func)->on_path--;
}

/* Functions that allocated; <root> only when something was allocated
 * outside every function, since its total is always everything. */
static bool listed(const tr_func *func, mt_func id) {
    return func->total_bytes > 0 && (id != 0 || func->self_bytes > 0);
}

/* Functions are listed by id + 1, since 0 ends a list and <root> is 0. */
static uint32_t *func_link(uint32_t key) {
    return &tr_func_of(key - 1)->report_next;
}

static bool func_before(uint32_t a, uint32_t b) {
    const tr_func *x = tr_func_of(a - 1), *y = tr_func_of(b - 1);
    if (x->total_bytes != y->total_bytes) return x->total_bytes > y->total_bytes;
    if (x->total_count != y->total_count) return x->total_count > y->total_count;
    if (x->self_bytes != y->self_bytes) return x->self_bytes > y->self_bytes;
    int c = strcmp(x->name, y->name);
    if (c != 0) return c < 0;
    c = strcmp(tr_func_file(x), tr_func_file(y));
    if (c != 0) return c < 0;
    return x->line < y->line;
}

enum { COL_SELF_COUNT, COL_SELF_SIZE, COL_TOTAL_COUNT, COL_TOTAL_SIZE,
       COL_LOCATION, COLUMNS };

static const char *const headings[COLUMNS] = {
    "Self Count", "Self Size", "Total Count", "Total Size", "Location",
};

static size_t cell_text(const tr_func *func, mt_func id, int column,
                        char *buf) {
    switch (column) {
    case COL_SELF_COUNT: return tr_fmt_u64(buf, func->self_count);
    case COL_SELF_SIZE: return tr_fmt_size(buf, func->self_bytes);
    case COL_TOTAL_COUNT: return tr_fmt_u64(buf, func->total_count);
    case COL_TOTAL_SIZE: return tr_fmt_size(buf, func->total_bytes);
    default: return tr_report_func_location_width(id);
    }
}

void tr_report_histogram(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    uint32_t count = tr_func_count();
    for (mt_func id = 0; id < count; id++) {
        tr_func *func = tr_func_of(id);
        func->self_count = func->self_bytes = 0;
        func->total_count = func->total_bytes = 0;
        func->on_path = 0;
    }
    tr_report_node_totals();
    tr_path_walk(enter, leave, NULL);

    uint32_t head = 0, *tail = &head;
    for (mt_func id = 0; id < count; id++) {
        if (!listed(tr_func_of(id), id)) continue;
        *tail = id + 1;
        tail = func_link(id + 1);
    }
    *tail = 0;
    head = tr_list_sort(head, func_link, func_before);

    size_t width[COLUMNS];
    char buf[TR_FMT_MAX];
    for (int c = 0; c < COLUMNS; c++) width[c] = strlen(headings[c]);
    for (uint32_t key = head; key != 0; key = *func_link(key))
        for (int c = 0; c < COLUMNS; c++) {
            size_t n = cell_text(tr_func_of(key - 1), key - 1, c, buf);
            if (n > width[c]) width[c] = n;
        }

    tr_report_header(out, &sum);
    tr_out_str(out, " ");
    for (int c = 0; c < COLUMNS; c++)
        tr_report_cell(out, headings[c], strlen(headings[c]), width[c]);
    tr_out_str(out, "Name\n");
    for (uint32_t key = head; key != 0; key = *func_link(key)) {
        mt_func id = key - 1;
        const tr_func *func = tr_func_of(id);
        tr_out_str(out, " ");
        for (int c = 0; c < COL_LOCATION; c++)
            tr_report_cell(out, buf, cell_text(func, id, c, buf), width[c]);
        tr_report_func_location(out, id);
        tr_out_spaces(out, width[COL_LOCATION] -
                               tr_report_func_location_width(id));
        tr_out_str(out, " || ");
        tr_out_name(out, func->name, func->name_len, func->json_plain);
        tr_out_str(out, "\n");
    }
}
